/*
 * scrape.c: the metrics listener of `serve --metrics`: plain HTTP on its
 * own socket, apart from the mutual-TLS server, answering GET /metrics
 * and nothing else.  Prometheus scrapes without a federation certificate,
 * so this listener must not be the federation's: it binds to loopback
 * unless told otherwise (a scraper elsewhere goes through the host's own
 * agent or a proxy), it reads no body, and its answer holds only what
 * telemetry.c puts there.  It owns the socket and evhttp; what the page
 * says is its caller's.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "net/loop.h"
#include "net/scrape.h"

#define SCRAPE_TIMEOUT	10		/* seconds without a byte */
#define SCRAPE_HEADERS	8192		/* bytes of request headers */

struct scrape {
	struct evhttp	*http;
	scrape_page	*page;
	void		*arg;
	int		 port;
	int		 loopback;
};

/*
 * "PORT", "ADDR:PORT" or "[ADDR6]:PORT" into host and port; loopback is
 * set for 127.0.0.0/8 and ::1.
 */
int
scrape_parse(const char *s, char *host, size_t size, int *port,
    int *loopback, struct sp_err *err)
{
	const char	*colon = strrchr(s, ':');
	struct sp_err	 perr = { 0 };
	struct in6_addr	 a6;
	struct in_addr	 a4;
	long long	 p;
	size_t		 hlen;

	if (colon == NULL) {
		snprintf(host, size, "127.0.0.1");
		colon = s - 1;
	} else {
		hlen = (size_t)(colon - s);
		if (hlen == 0 || hlen >= size)
			goto bad;
		if (s[0] == '[' && s[hlen - 1] == ']') {
			memcpy(host, s + 1, hlen - 2);
			host[hlen - 2] = '\0';
		} else {
			memcpy(host, s, hlen);
			host[hlen] = '\0';
		}
	}
	if (util_parse_int(colon + 1, 0, 65535, &p, "port", &perr) == -1)
		goto bad;
	*port = (int)p;
	if (inet_pton(AF_INET, host, &a4) == 1)
		*loopback = (ntohl(a4.s_addr) >> 24) == 127;
	else if (s[0] == '[' && inet_pton(AF_INET6, host, &a6) == 1)
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6);
	else
		goto bad;
	return 0;
bad:
	return sp_errf(err, SPE_USAGE, "--metrics '%s' is not PORT, ADDR:PORT "
	    "or [ADDR6]:PORT with a numeric address and a port 0..65535 (0: any "
	    "free one)", s);
}

static void
reply(struct evhttp_request *req, int status, const char *ctype,
    const void *body, size_t len)
{
	struct evbuffer	*out;

	if ((out = evbuffer_new()) == NULL)
		fatalx("out of memory for a reply");
	evbuffer_add(out, body, len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evhttp_send_reply(req, status, NULL, out);
	evbuffer_free(out);
}

static void
on_metrics(struct evhttp_request *req, void *arg)
{
	struct scrape	*sc = arg;
	struct buf	 page;
	struct sp_err	 err = { 0 };

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		reply(req, 405, "text/plain", "GET only\n", 9);
		return;
	}
	if (sc->page(sc->arg, &page, &err) == -1) {
		log_event(LL_WARN, "scrape", err.msg, "status=500");
		buf_clear(&page);
		reply(req, 500, "text/plain", err.msg, strlen(err.msg));
		return;
	}
	reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", page.data,
	    page.len);
	buf_clear(&page);
}

static void
on_other(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, 404, "only /metrics here");
}

struct scrape *
scrape_new(struct loop *l, const char *addr, scrape_page *page, void *arg,
    struct sp_err *err)
{
	struct scrape			*sc;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_storage		 ss;
	ev_socklen_t			 len = sizeof(ss);
	char				 host[64];
	int				 port, loopback;

	if (scrape_parse(addr, host, sizeof(host), &port, &loopback,
	    err) == -1)
		return NULL;
	sc = xcalloc(1, sizeof(*sc));
	sc->page = page;
	sc->arg = arg;
	sc->loopback = loopback;
	if ((sc->http = evhttp_new(loop_base(l))) == NULL) {
		free(sc);
		sp_errf(err, SPE_INTERNAL, "cannot set up the metrics server");
		return NULL;
	}
	evhttp_set_allowed_methods(sc->http, EVHTTP_REQ_GET);
	evhttp_set_max_headers_size(sc->http, SCRAPE_HEADERS);
	evhttp_set_max_body_size(sc->http, 0);
	evhttp_set_timeout(sc->http, SCRAPE_TIMEOUT);
	evhttp_set_cb(sc->http, "/metrics", on_metrics, sc);
	evhttp_set_gencb(sc->http, on_other, NULL);
	if ((bs = evhttp_bind_socket_with_handle(sc->http, host,
	    (ev_uint16_t)port)) == NULL) {
		scrape_free(sc);
		sp_errf(err, SPE_IO, "cannot listen for metrics on %s", addr);
		return NULL;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &len) == 0)
		sc->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	return sc;
}

void
scrape_free(struct scrape *sc)
{
	if (sc == NULL)
		return;
	if (sc->http != NULL)
		evhttp_free(sc->http);
	free(sc);
}

int
scrape_port(const struct scrape *sc)
{
	return sc->port;
}

int
scrape_loopback(const struct scrape *sc)
{
	return sc->loopback;
}
