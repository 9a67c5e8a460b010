/*
 * log.c: where diagnostics go and in what form.  It owns the two forms of
 * a line, the choice of journald or stderr, and the verbosity; it does not
 * decide what is an error (err.c) nor what an event carries (its callers).
 *
 * A command run by a person writes "simpul: text" to stderr.  `serve`
 * switches to the daemon form (log_daemon), one line per event:
 *
 *	ts=2026-11-28T02:00:00Z level=info event=request peer=33.21 ...
 *	ts=2026-11-28T02:00:01Z level=warn msg="the CRL ... is stale"
 *
 * that is ts (UTC, stderr only), level (crit, warn, info, debug), event
 * when the line is a structured one, its fields, and msg, quoted with \"
 * and \\ and every control byte as \xNN, so a line is always one line
 * whatever a peer put in an error text.  When stderr is the journal
 * (systemd sets JOURNAL_STREAM to its device and inode) ts is left to
 * journald and each line starts with "<N>", the syslog priority of its
 * level, which journald's stream reader takes as the entry's priority
 * (sd-daemon(3)): no library and no socket of our own.  Callers never log
 * reporter identity, keys or passwords; nothing here could tell.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define LOG_LINE	2048

enum log_form { FORM_HUMAN, FORM_DAEMON, FORM_JOURNAL };

static enum log_form	 log_form;
static int		 log_verbose;

/* syslog(3) priorities, by level, for journald's "<N>" prefix. */
static const struct {
	const char	*name;
	int		 prio;
} levels[] = {
	[LL_CRIT] = { "crit", 2 },
	[LL_WARN] = { "warn", 4 },
	[LL_INFO] = { "info", 6 },
	[LL_DEBUG] = { "debug", 7 },
};

static void	 emit(enum log_level, const char *, const char *,
		    const char *, const char *);
static void	 vlog(enum log_level, const char *, const char *, va_list)
		    __attribute__((__format__ (printf, 3, 0)));

void
log_init(int verbose)
{
	log_form = FORM_HUMAN;
	log_verbose = verbose;
}

/*
 * 1 if fd 2 is the stream JOURNAL_STREAM names ("DEV:INODE", decimal), the
 * one systemd connected; a child whose stderr went elsewhere inherits the
 * variable but not the stream, hence the comparison (systemd.exec(5)).
 */
int
log_stderr_is_journal(void)
{
	const char		*v = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;
	char			 c;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &c) != 2 ||
	    fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_daemon(void)
{
	log_form = log_stderr_is_journal() ? FORM_JOURNAL : FORM_DAEMON;
}

/* Append s to line as a quoted value (see the top). */
static void
quote(char *line, size_t size, const char *s)
{
	size_t	 n = strlen(line);

	for (; *s != '\0' && n + 5 < size; s++) {
		unsigned char	 ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			line[n++] = '\\';
			line[n++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f)
			n += (size_t)snprintf(line + n, size - n, "\\x%02x", ch);
		else
			line[n++] = (char)ch;
	}
	line[n] = '\0';
}

/* Fields are the callers' tokens; a stray control byte still cannot split. */
static void
tokens(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
emit(enum log_level lvl, const char *event, const char *fields,
    const char *msg, const char *suffix)
{
	char		 line[LOG_LINE], ts[32];
	time_t		 now;
	struct tm	 tm;
	size_t		 n;

	if (log_form == FORM_HUMAN) {
		fprintf(stderr, "simpul: %s%s%s%s%s\n", event ? event : "",
		    event ? " " : "", fields ? fields : "",
		    fields && msg ? ": " : "", msg ? msg : "");
		return;
	}
	line[0] = '\0';
	if (log_form == FORM_JOURNAL)
		snprintf(line, sizeof(line), "<%d>", levels[lvl].prio);
	else {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(line, sizeof(line), "ts=%s ", ts);
	}
	n = strlen(line);
	snprintf(line + n, sizeof(line) - n, "level=%s%s%s%s%s",
	    levels[lvl].name, event ? " event=" : "", event ? event : "",
	    fields && *fields ? " " : "", fields ? fields : "");
	tokens(line + n);
	if (msg != NULL) {
		n = strlen(line);
		snprintf(line + n, sizeof(line) - n, " msg=\"");
		quote(line, sizeof(line) - 2, msg);
		if (suffix != NULL) {
			quote(line, sizeof(line) - 2, ": ");
			quote(line, sizeof(line) - 2, suffix);
		}
		n = strlen(line);
		line[n++] = '"';
		line[n] = '\0';
	}
	fprintf(stderr, "%s\n", line);
}

static void
vlog(enum log_level lvl, const char *suffix, const char *fmt, va_list ap)
{
	char	 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_form == FORM_HUMAN && suffix != NULL) {
		fprintf(stderr, "simpul: %s: %s\n", msg, suffix);
		return;
	}
	emit(lvl, NULL, NULL, msg, suffix);
}

void
log_event(enum log_level lvl, const char *event, const char *msg,
    const char *fmt, ...)
{
	char	 fields[1024];
	va_list	 ap;

	if (lvl == LL_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	emit(lvl, event, fields, msg, NULL);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LL_WARN, strerror(saved), fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LL_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(3);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LL_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(3);
}
