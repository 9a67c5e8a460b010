/*
 * log.c: where diagnostics go.  It owns the choice between stderr and
 * syslog and the verbosity; it does not decide what is an error (err.c).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "core/log.h"

static int	 log_syslog;
static int	 log_verbose;

static void	 vlog(int, const char *, const char *, va_list)
		    __attribute__((__format__ (printf, 3, 0)));

void
log_init(int to_syslog, int verbose)
{
	log_syslog = to_syslog;
	log_verbose = verbose;
	if (to_syslog)
		openlog("simpul", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
vlog(int pri, const char *suffix, const char *fmt, va_list ap)
{
	char	 line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_syslog)
		syslog(pri, "%s%s%s", line, suffix ? ": " : "",
		    suffix ? suffix : "");
	else
		fprintf(stderr, "simpul: %s%s%s\n", line, suffix ? ": " : "",
		    suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(3);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(3);
}
