/*
 * fuzz_http_io.c: the client side of fuzz_http.c, apart because libevent's
 * headers and event.h both name EV_CLOSED.  One connection to the server
 * on loopback: every byte out, then a half-close, the answer read and
 * dropped, until the server closes (or 10 s pass).
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "fuzz_http.h"
#include "net/loop.h"

static void
on_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		loop_stop(arg);
}

static void
give_up(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	loop_stop(arg);
}

void
fuzz_http_send(struct loop *loop, int port, const uint8_t *data, size_t len)
{
	struct timeval		 tv = { 10, 0 };
	struct sockaddr_in	 sin;
	struct bufferevent	*bev;
	struct event		*timer;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    evutil_make_socket_nonblocking(fd) == -1 ||
	    (bev = bufferevent_socket_new(loop_base(loop), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		abort();
	bufferevent_setcb(bev, on_read, on_write, on_event, loop);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (len == 0)
		shutdown(fd, SHUT_WR);
	else
		bufferevent_write(bev, data, len);
	if ((timer = evtimer_new(loop_base(loop), give_up, loop)) == NULL ||
	    evtimer_add(timer, &tv) == -1)
		abort();
	loop_run(loop);
	event_free(timer);
	bufferevent_free(bev);
}
