/*
 * log.h: diagnostics.  A person's command writes "simpul: text" to
 * stderr; `serve` switches to the daemon form (log_daemon): one key=value
 * line per event, to journald with its priority when stderr is the
 * journal, else to stderr with a timestamp (the form is in log.c).
 * fatal() and fatalx() are for startup, configuration, out-of-memory and
 * broken invariants only: nothing a peer sends may reach them.  Nothing
 * logged may carry reporter identity, a key or a password.
 */
#ifndef SIMPUL_LOG_H
#define SIMPUL_LOG_H

enum log_level { LL_CRIT, LL_WARN, LL_INFO, LL_DEBUG };

void	 log_init(int verbose);
/* The daemon form from now on (see the top). */
void	 log_daemon(void);
/* 1 if stderr is the stream systemd's JOURNAL_STREAM names. */
int	 log_stderr_is_journal(void);
/*
 * One structured line: event, the fields fmt makes (space-separated
 * key=value tokens, no spaces in a value) and msg (free text, quoted;
 * NULL for none).
 */
void	 log_event(enum log_level, const char *event, const char *msg,
	    const char *fmt, ...) __attribute__((__format__ (printf, 4, 5)));
void	 log_warn(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));
void	 fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));

#endif
