/*
 * server.c: HTTPS on libevent's evhttp over OpenSSL bufferevents.  It owns
 * the listener, the limits that evhttp 2.1.12 lacks (a connection cap, a
 * minimum rate and a maximum age: evhttp alone only closes idle
 * connections, so a client trickling a byte a second would hold a
 * connection for ever), routing by path and method, and one log line
 * (and one observation, for the metrics) per request.  It does not judge bodies: handlers (the receiver pipeline) do.
 *
 * Connections are counted in the TLS close hook (tls_server_ssl), the one
 * place that sees every connection end, whether evhttp closed it, the
 * handshake failed or the rate watchdog cut it.  At the cap the listener is
 * disabled, so the kernel's backlog, not our memory, holds the excess; and
 * the grace shrinks to PRESSURE_GRACE, so that slow connections holding
 * every slot make way within seconds for the ones waiting behind them
 * (with the full grace, 200 clients sending a byte a second kept the hub
 * at its cap and ordinary syncs waited up to 10 s: make bench-load).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "core/err.h"
#include "core/log.h"
#include "net/loop.h"
#include "net/server.h"
#include "net/tls.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define SERVER_MAX_ROUTES	16
#define TICK_MS			500
#define PRESSURE_GRACE		2	/* seconds, at the cap */
#define FD_SPARE		128	/* descriptors beyond the connections */
#define MIN_CONNS		8

struct route {
	struct server	*srv;
	int		 methods;
	char		*path;
	server_handler	*fn;
	void		*arg;
};

struct server {
	struct event_base	*base;
	struct evhttp		*http;
	struct evconnlistener	*listener;
	struct tls_ctx		*tls;
	struct server_config	 cfg;
	int			 nconns;
	int			 paused;	/* listener off at the cap */
	int			 draining;
	int			 port;
	struct route		 routes[SERVER_MAX_ROUTES];
	int			 nroutes;
	LIST_HEAD(, conn)	 conns;
};

/*
 * One connection, from accept to the TLS close hook.  srv is NULL once
 * the server is gone: libevent frees a connection's SSL (and so runs the
 * hook) only when the loop itself is freed, after server_free().
 */
struct conn {
	struct server		*srv;
	struct ssl_st		*ssl;
	struct bufferevent	*bev;
	struct event		*tick;
	struct timeval		 start;
	LIST_ENTRY(conn)	 entry;
};

struct server_req {
	struct evhttp_request	*req;
	struct server		*srv;
	struct evkeyvalq	 query;
	char			 peer[64];
	const char		*path;
	int			 method;
	struct timeval		 start;
	size_t			 sent;
};

static double
since(const struct timeval *t)
{
	struct timeval	 now, d;

	gettimeofday(&now, NULL);
	timersub(&now, t, &d);
	return (double)d.tv_sec + (double)d.tv_usec / 1e6;
}

static void
listener_update(struct server *srv)
{
	int	 want = !srv->draining && srv->nconns < srv->cfg.max_conns;

	if (want && srv->paused) {
		evconnlistener_enable(srv->listener);
		srv->paused = 0;
	} else if (!want && !srv->paused) {
		evconnlistener_disable(srv->listener);
		srv->paused = 1;
	}
}

/* The TLS close hook: the connection is gone, whoever ended it. */
static void
conn_closed(void *arg)
{
	struct conn	*c = arg;

	if (c->srv != NULL) {
		event_free(c->tick);
		LIST_REMOVE(c, entry);
		c->srv->nconns--;
		listener_update(c->srv);
	}
	free(c);
}

/*
 * The watchdog evhttp lacks: past its grace (shorter at the cap) a
 * connection must average min_rate bytes/s, and no connection lives past
 * max_age.  Cutting means shutting the socket down, so evhttp sees the end
 * and frees the connection itself; nothing half-read is ever handed to a
 * handler.
 */
static void
conn_tick(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	double		 age = since(&c->start);
	unsigned long	 got = tls_bytes_read(c->ssl);
	int		 grace = c->srv->cfg.grace;
	evutil_socket_t	 s;

	(void)fd;
	(void)what;
	if (c->srv->nconns >= c->srv->cfg.max_conns && grace > PRESSURE_GRACE)
		grace = PRESSURE_GRACE;
	if (age < grace ||
	    (got >= (unsigned long)(age * c->srv->cfg.min_rate) &&
	    age < c->srv->cfg.max_age))
		return;
	log_warnx("connection cut: %lu bytes in %.1f s", got, age);
	if ((s = bufferevent_getfd(c->bev)) != -1)
		shutdown(s, SHUT_RDWR);
}

/* evhttp asks for a bufferevent per accepted connection. */
static struct bufferevent *
conn_new(struct event_base *base, void *arg)
{
	struct server	*srv = arg;
	struct conn	*c;
	struct timeval	 tick = { 0, TICK_MS * 1000 };

#ifdef SIMPUL_PLAIN_HTTP
	if (srv->tls == NULL)
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
#endif
	c = xcalloc(1, sizeof(*c));
	c->srv = srv;
	gettimeofday(&c->start, NULL);
	/* Never return NULL here: evhttp would fall back to plaintext. */
	if ((c->tick = event_new(base, -1, EV_PERSIST, conn_tick, c)) == NULL ||
	    (c->ssl = tls_server_ssl(srv->tls, conn_closed, c)) == NULL)
		fatalx("out of memory for a connection");
	srv->nconns++;
	LIST_INSERT_HEAD(&srv->conns, c, entry);
	listener_update(srv);
	c->bev = bufferevent_openssl_socket_new(base, -1, c->ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("out of memory for a connection");
	event_add(c->tick, &tick);
	return c->bev;
}

static const char *
method_name(int m)
{
	return m == SERVER_POST ? "POST" : m == SERVER_GET ? "GET" : "-";
}

static void
req_done(struct server_req *r, int status)
{
	double	 secs = since(&r->start);

	log_event(LL_INFO, "request", NULL,
	    "peer=%s method=%s path=%s status=%d bytes=%zu ms=%.0f",
	    r->peer[0] ? r->peer : "-", method_name(r->method), r->path,
	    status, r->sent, secs * 1000);
	if (r->srv->cfg.observe != NULL)
		r->srv->cfg.observe(r->srv->cfg.observe_arg, r->path, status,
		    secs);
	evhttp_clear_headers(&r->query);
	free(r);
}

/*
 * The verified client certificate's CN into r->peer.  Only the HTTP fuzz
 * target (fuzz/fuzz_http.c) builds server.c with SIMPUL_PLAIN_HTTP: a
 * server without TLS whose every peer is taken to be that CN.
 */
static int
req_peer(struct server_req *r, struct evhttp_connection *conn)
{
#ifdef SIMPUL_PLAIN_HTTP
	if (r->srv->tls == NULL) {
		snprintf(r->peer, sizeof(r->peer), "%s", SIMPUL_PLAIN_HTTP);
		return 0;
	}
#endif
	return tls_peer_cn(bufferevent_openssl_get_ssl(
	    evhttp_connection_get_bufferevent(conn)), r->peer,
	    sizeof(r->peer));
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct route		*rt = arg;
	struct server_req	*r = xcalloc(1, sizeof(*r));
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct sp_err		 err = { 0 };
	const char		*q;

	r->req = req;
	r->srv = rt->srv;
	r->path = rt->path;
	gettimeofday(&r->start, NULL);
	TAILQ_INIT(&r->query);
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: r->method = SERVER_GET; break;
	case EVHTTP_REQ_POST: r->method = SERVER_POST; break;
	default: break;
	}
	/* Defence in depth: the handshake already demanded a certificate. */
	if (req_peer(r, conn) == -1) {
		sp_errf(&err, SPE_PERMISSION, "no verified client certificate");
		server_reply_err(r, &err);
		return;
	}
	if ((r->method & rt->methods) == 0) {
		sp_errf(&err, SPE_USAGE, "%s is not allowed on %s",
		    method_name(r->method), rt->path);
		server_reply(r, 405, "text/plain", err.msg, strlen(err.msg));
		return;
	}
	if ((q = evhttp_uri_get_query(uri)) != NULL &&
	    evhttp_parse_query_str(q, &r->query) == -1) {
		sp_errf(&err, SPE_USAGE, "malformed query string");
		server_reply_err(r, &err);
		return;
	}
	rt->fn(r, rt->arg);
}

static void
not_found(struct evhttp_request *req, void *arg)
{
	struct server	*srv = arg;

	/* The URI is the client's text: quoted, as msg. */
	log_event(LL_INFO, "request", evhttp_request_get_uri(req), "%s",
	    "peer=- status=404");
	if (srv->cfg.observe != NULL)
		srv->cfg.observe(srv->cfg.observe_arg, NULL, 404, 0);
	evhttp_send_error(req, 404, "no such endpoint");
}

/* "ADDR:PORT" or "[ADDR6]:PORT"; port 0 lets the kernel choose. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, int *len,
    struct sp_err *err)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*colon = strrchr(s, ':');
	char			 host[64];
	struct sp_err		 perr = { 0 };
	long long		 port;
	size_t			 hlen;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (hlen = (size_t)(colon - s)) == 0 ||
	    hlen >= sizeof(host) ||
	    util_parse_int(colon + 1, 0, 65535, &port, "port", &perr) == -1)
		goto bad;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			goto bad;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		goto bad;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	*len = sizeof(*sin);
	return 0;
bad:
	return sp_errf(err, SPE_USAGE, "--listen '%s' is not ADDR:PORT", s);
}

/*
 * Every connection holds a descriptor, so the cap must fit under
 * RLIMIT_NOFILE with FD_SPARE left for the database, the client's
 * connections and the CRL: past the limit accept() fails with EMFILE and
 * the listener, still enabled, would spin on the waiting connection.
 * The soft limit is raised as far as the hard one allows; what does not
 * fit lowers the cap, loudly.
 */
static int
fd_room(struct server *srv, struct sp_err *err)
{
	struct rlimit	 rl;
	rlim_t		 want = (rlim_t)srv->cfg.max_conns + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return sp_errf(err, SPE_IO, "the open-file limit: %s",
		    strerror(errno));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY &&
		    rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			return sp_errf(err, SPE_IO, "the open-file limit: %s",
			    strerror(errno));
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_cur < MIN_CONNS + FD_SPARE)
		return sp_errf(err, SPE_INVALID, "the open-file limit %llu "
		    "leaves no room for %d connections (ulimit -n)",
		    (unsigned long long)rl.rlim_cur, MIN_CONNS);
	log_warnx("at most %llu connections, not %d: the open-file limit "
	    "is %llu (ulimit -n)", (unsigned long long)(rl.rlim_cur -
	    FD_SPARE), srv->cfg.max_conns, (unsigned long long)rl.rlim_cur);
	srv->cfg.max_conns = (int)(rl.rlim_cur - FD_SPARE);
	return 0;
}

struct server *
server_new(struct loop *l, struct tls_ctx *tls, const struct server_config *cfg,
    struct sp_err *err)
{
	struct server		*srv = xcalloc(1, sizeof(*srv));
	struct sockaddr_storage	 ss;
	int			 sslen = sizeof(ss);
	socklen_t		 len = sizeof(ss);

	LIST_INIT(&srv->conns);
	srv->base = loop_base(l);
	srv->tls = tls;
	srv->cfg = *cfg;
	if (parse_listen(cfg->listen, &ss, &sslen, err) == -1 ||
	    fd_room(srv, err) == -1)
		goto bad;
	srv->listener = evconnlistener_new_bind(srv->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    128, (struct sockaddr *)&ss, sslen);
	if (srv->listener == NULL) {
		sp_errf(err, SPE_IO, "cannot listen on %s", cfg->listen);
		goto bad;
	}
	if (getsockname(evconnlistener_get_fd(srv->listener),
	    (struct sockaddr *)&ss, &len) == 0)
		srv->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	if ((srv->http = evhttp_new(srv->base)) == NULL ||
	    evhttp_bind_listener(srv->http, srv->listener) == NULL) {
		sp_errf(err, SPE_INTERNAL, "cannot set up the HTTP server");
		goto bad;
	}
	evhttp_set_bevcb(srv->http, conn_new, srv);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)cfg->max_body);
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)cfg->max_headers);
	evhttp_set_timeout(srv->http, cfg->idle_timeout);
	/* Read and drop an over-limit body so the client sees 413, not RST. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(srv->http, not_found, srv);
	return srv;
bad:
	if (srv->http == NULL && srv->listener != NULL)
		evconnlistener_free(srv->listener);
	server_free(srv);
	return NULL;
}

void
server_free(struct server *srv)
{
	struct conn	*c;
	int		 i;

	if (srv == NULL)
		return;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	/* The connections' close hooks run later, without the server. */
	while ((c = LIST_FIRST(&srv->conns)) != NULL) {
		LIST_REMOVE(c, entry);
		event_free(c->tick);
		c->srv = NULL;
	}
	for (i = 0; i < srv->nroutes; i++)
		free(srv->routes[i].path);
	free(srv);
}

int
server_route(struct server *srv, int methods, const char *path,
    server_handler *fn, void *arg)
{
	struct route	*rt;

	if (srv->nroutes == SERVER_MAX_ROUTES)
		fatalx("too many routes");
	rt = &srv->routes[srv->nroutes++];
	rt->srv = srv;
	rt->methods = methods;
	rt->path = xstrdup(path);
	rt->fn = fn;
	rt->arg = arg;
	return evhttp_set_cb(srv->http, rt->path, dispatch, rt);
}

int
server_port(const struct server *srv)
{
	return srv->port;
}

int
server_connections(const struct server *srv)
{
	return srv->nconns;
}

int
server_max_connections(const struct server *srv)
{
	return srv->cfg.max_conns;
}

void
server_drain(struct server *srv)
{
	srv->draining = 1;
	listener_update(srv);
}

const char *
server_req_peer(const struct server_req *r)
{
	return r->peer;
}

int
server_req_peer_der(const struct server_req *r, uint8_t **der, size_t *len)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(r->req);

	return tls_peer_der(bufferevent_openssl_get_ssl(
	    evhttp_connection_get_bufferevent(conn)), der, len);
}

const char *
server_req_path(const struct server_req *r)
{
	return r->path;
}

int
server_req_method(const struct server_req *r)
{
	return r->method;
}

const char *
server_req_query(const struct server_req *r, const char *key)
{
	return evhttp_find_header(&r->query, key);
}

const uint8_t *
server_req_body(struct server_req *r, size_t *len)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->req);
	unsigned char	*p;

	/* Bounded by max_body; one NUL so text can be used in place. */
	evbuffer_add(in, "", 1);
	*len = evbuffer_get_length(in) - 1;
	p = evbuffer_pullup(in, -1);
	return p;
}

const char *
server_req_get_header(const struct server_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

int
server_req_get_text(const struct server_req *r, const char *name, char **out)
{
	const char	*v = server_req_get_header(r, name);
	size_t		 len;

	*out = NULL;
	if (v == NULL)
		return 0;
	if ((*out = evhttp_uridecode(v, 0, &len)) == NULL)
		fatalx("out of memory for a header");
	if (strlen(*out) == len)
		return 1;
	free(*out);
	*out = NULL;
	return -1;
}

void
server_req_header(struct server_req *r, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), name,
	    value);
}

void
server_reply(struct server_req *r, int status, const char *ctype,
    const void *body, size_t len)
{
	struct evbuffer	*out;

	if ((out = evbuffer_new()) == NULL)
		fatalx("out of memory for a reply");
	evbuffer_add(out, body, len);
	server_req_header(r, "Content-Type", ctype);
	evhttp_send_reply(r->req, status, NULL, out);
	evbuffer_free(out);
	r->sent = len;
	req_done(r, status);
}

void
server_reply_err(struct server_req *r, const struct sp_err *err)
{
	char	 body[320];
	int	 n;

	n = snprintf(body, sizeof(body), "%s: %s\n", sp_code_name(err->code),
	    err->msg);
	server_reply(r, sp_code_http(err->code), "text/plain", body,
	    n < 0 ? 0 : (size_t)n >= sizeof(body) ? sizeof(body) - 1 :
	    (size_t)n);
}
