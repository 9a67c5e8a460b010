/*
 * loop.h: the one event loop a serving node runs: the HTTPS server, the
 * libcurl client and the sync timer all live on it.  SIGTERM and SIGINT
 * end it gracefully: the callback running now finishes first, so a batch
 * is never half-applied.
 */
#ifndef SIMPUL_LOOP_H
#define SIMPUL_LOOP_H

struct event_base;
struct loop;
struct sp_err;

struct loop		*loop_new(struct sp_err *);
void			 loop_free(struct loop *);	/* NULL is fine */
/* Run until loop_stop() or a signal; returns the signal number, or 0. */
int			 loop_run(struct loop *);
void			 loop_stop(struct loop *);
/* Call fn(arg) after ms milliseconds, once. */
int			 loop_after(struct loop *, long ms, void (*fn)(void *),
			    void *, struct sp_err *);
/* For the network modules (server.c, client.c) only. */
struct event_base	*loop_base(struct loop *);

#endif
