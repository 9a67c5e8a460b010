/*
 * loop.c: the event loop: a libevent event_base, the signals that end it
 * and one-shot timers.  It owns nothing the server or the client do: they
 * borrow the base.
 */
#include "config.h"

#include <sys/queue.h>

#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>

#include "core/err.h"
#include "net/loop.h"
#include "core/xmalloc.h"

struct timer {
	struct event		*ev;
	void			(*fn)(void *);
	void			*arg;
	LIST_ENTRY(timer)	 entry;
};

struct loop {
	struct event_base	*base;
	LIST_HEAD(, timer)	 timers;	/* pending, freed with the loop */
	struct event		*sigterm;
	struct event		*sigint;
	int			 signo;
};

static void
on_signal(evutil_socket_t signo, short what, void *arg)
{
	struct loop	*l = arg;

	(void)what;
	l->signo = (int)signo;
	/* loopexit, not loopbreak: the callback running now completes. */
	event_base_loopexit(l->base, NULL);
}

struct loop *
loop_new(struct sp_err *err)
{
	struct loop	*l = xcalloc(1, sizeof(*l));

	LIST_INIT(&l->timers);
	/* Neither libevent nor OpenSSL's socket BIO ignores it for us. */
	signal(SIGPIPE, SIG_IGN);
	if ((l->base = event_base_new()) == NULL ||
	    (l->sigterm = evsignal_new(l->base, SIGTERM, on_signal, l)) ==
	    NULL ||
	    (l->sigint = evsignal_new(l->base, SIGINT, on_signal, l)) == NULL ||
	    event_add(l->sigterm, NULL) == -1 ||
	    event_add(l->sigint, NULL) == -1) {
		sp_errf(err, SPE_INTERNAL, "cannot set up the event loop");
		loop_free(l);
		return NULL;
	}
	return l;
}

void
loop_free(struct loop *l)
{
	struct timer	*t;

	if (l == NULL)
		return;
	while ((t = LIST_FIRST(&l->timers)) != NULL) {
		LIST_REMOVE(t, entry);
		event_free(t->ev);
		free(t);
	}
	if (l->sigterm != NULL)
		event_free(l->sigterm);
	if (l->sigint != NULL)
		event_free(l->sigint);
	if (l->base != NULL)
		event_base_free(l->base);
	free(l);
}

int
loop_run(struct loop *l)
{
	l->signo = 0;
	event_base_dispatch(l->base);
	return l->signo;
}

void
loop_stop(struct loop *l)
{
	event_base_loopexit(l->base, NULL);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timer	*t = arg;

	(void)fd;
	(void)what;
	LIST_REMOVE(t, entry);
	event_free(t->ev);
	t->fn(t->arg);
	free(t);
}

int
loop_after(struct loop *l, long ms, void (*fn)(void *), void *arg,
    struct sp_err *err)
{
	struct timer	*t = xcalloc(1, sizeof(*t));
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	t->fn = fn;
	t->arg = arg;
	if ((t->ev = evtimer_new(l->base, on_timer, t)) == NULL ||
	    evtimer_add(t->ev, &tv) == -1) {
		if (t->ev != NULL)
			event_free(t->ev);
		free(t);
		return sp_errf(err, SPE_INTERNAL, "cannot add a timer");
	}
	LIST_INSERT_HEAD(&l->timers, t, entry);
	return 0;
}

struct event_base *
loop_base(struct loop *l)
{
	return l->base;
}
