/*
 * log.h: diagnostics for people.  stderr in the foreground, syslog when
 * asked.  fatal() and fatalx() are for startup, configuration,
 * out-of-memory and broken invariants only: nothing a peer sends may reach
 * them.
 */
#ifndef SIMPUL_LOG_H
#define SIMPUL_LOG_H

void	 log_init(int to_syslog, int verbose);
void	 log_warn(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((__format__ (printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));
void	 fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));

#endif
