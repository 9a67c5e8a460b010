/*
 * client.c: libcurl, and its glue to the libevent loop (the pattern of
 * curl's hiperfifo example: curl tells us which sockets to watch and when
 * to time out; events call curl_multi_socket_action).  It owns transport
 * policy: https only, the federation CA only (CAPATH off: Debian's libcurl
 * would otherwise also trust /etc/ssl/certs), our certificate through
 * tls.c, optional key pins, timeouts and a minimum speed, and a cap on
 * response size.  It translates CURLcode into sp_err; retry decisions
 * belong to the sync loop.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "net/client.h"
#include "core/err.h"
#include "core/fault.h"
#include "core/log.h"
#include "net/loop.h"
#include "net/tls.h"
#include "core/xmalloc.h"

struct client {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct tls_ctx		*tls;
	int			 running;
	int			 pending;
	struct xfer		*xfers;		/* in flight, for client_free */
};

struct xfer {
	struct client		*c;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*peer;
	struct buf		 resp;
	char			*relay;		/* X-Simpul-Relay-Receipt */
	char			*waiting;	/* X-Simpul-Waiting */
	long			 expected_seq;
	int64_t			 date;		/* Date:, 0 when none */
	int			 too_large;
	char			 errbuf[CURL_ERROR_SIZE];
	client_done		*done;
	void			*arg;
	struct xfer		*next;
};

static void
xfer_free(struct xfer *x)
{
	struct xfer	**pp;

	for (pp = &x->c->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	curl_multi_remove_handle(x->c->multi, x->easy);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	buf_clear(&x->resp);
	free(x->relay);
	free(x->waiting);
	free(x->peer);
	free(x);
}

static void
finish(struct xfer *x, CURLcode rc)
{
	struct client_result	 r;
	long			 status = 0;
	curl_off_t		 ra = 0;

	/* fault.c: the exchange ran, the answer is lost (a dropped line). */
	if (rc == CURLE_OK && fault_hit(FAULT_NET))
		rc = CURLE_RECV_ERROR;
	memset(&r, 0, sizeof(r));
	r.expected_seq = x->expected_seq;
	r.relay = x->relay;
	r.waiting = x->waiting;
	r.date = x->date;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK)
		r.retry_after = (long)ra;
	if (x->too_large)
		sp_errf(&r.err, SPE_TOO_LARGE, "%s: response over %zu bytes",
		    x->peer, x->resp.max);
	else if (rc != CURLE_OK)
		sp_errf(&r.err, SPE_NET, "%s: curl (%d) %s", x->peer, (int)rc,
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	else {
		r.status = (int)status;
		r.body = x->resp.data;
		r.len = x->resp.len;
	}
	x->c->pending--;
	x->done(x->arg, &r);
	xfer_free(x);
}

static void
check_done(struct client *c)
{
	CURLMsg		*m;
	struct xfer	*x;
	int		 left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		finish(x, m->data.result);
	}
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;
	int		 flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(c->multi, fd, flags, &c->running);
	/* curl owns the timer (timer_cb): a callback in check_done may have
	 * started a transfer that needs it, whatever running said before. */
	check_done(c);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;

	(void)fd;
	(void)what;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &c->running);
	check_done(c);
}

static int
timer_cb(CURLM *multi, long ms, void *arg)
{
	struct client	*c = arg;
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	(void)multi;
	if (ms < 0)
		evtimer_del(c->timer);
	else
		evtimer_add(c->timer, &tv);
	return 0;
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct client	*c = arg;
	struct event	*ev = sockp;
	short		 kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL) {
			event_free(ev);
			curl_multi_assign(c->multi, s, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (ev != NULL) {
		event_del(ev);
		event_assign(ev, c->base, s, kind, on_socket, c);
	} else {
		if ((ev = event_new(c->base, s, kind, on_socket, c)) == NULL)
			return -1;
		curl_multi_assign(c->multi, s, ev);
	}
	event_add(ev, NULL);
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer	*x = arg;

	if (buf_add(&x->resp, p, size * n, NULL) == -1) {
		x->too_large = 1;
		return 0;	/* curl aborts the transfer */
	}
	return size * n;
}

/* A header's value if the line is that header, trimmed, else NULL. */
static char *
header_value(const char *p, size_t len, const char *name)
{
	size_t	 n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return NULL;
	p += n + 1;
	len -= n + 1;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
	    p[len - 1] == ' '))
		len--;
	return xstrndup(p, len);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer	*x = arg;
	size_t		 len = size * n;
	char		*v;
	time_t		 t;

	if ((v = header_value(p, len, "x-simpul-expected-seq")) != NULL) {
		x->expected_seq = strtol(v, NULL, 10);
		free(v);
	} else if ((v = header_value(p, len, "x-simpul-relay-receipt")) !=
	    NULL) {
		free(x->relay);
		x->relay = v;
	} else if ((v = header_value(p, len, "x-simpul-waiting")) != NULL) {
		free(x->waiting);
		x->waiting = v;
	} else if ((v = header_value(p, len, "date")) != NULL) {
		/* for doctor's clock check: unparsable (-1) counts as none */
		t = curl_getdate(v, NULL);
		x->date = t > 0 ? (int64_t)t : 0;
		free(v);
	}
	return len;
}

static CURLcode
on_ssl_ctx(CURL *easy, void *sslctx, void *arg)
{
	struct xfer	*x = arg;

	(void)easy;
	return tls_client_setup(x->c->tls, sslctx, x->peer) == 0 ? CURLE_OK :
	    CURLE_SSL_CERTPROBLEM;
}

struct client *
client_new(struct loop *l, struct tls_ctx *tls, struct sp_err *err)
{
	struct client	*c = xcalloc(1, sizeof(*c));

	c->base = loop_base(l);
	c->tls = tls;
	if ((c->multi = curl_multi_init()) == NULL ||
	    (c->timer = evtimer_new(c->base, on_timeout, c)) == NULL) {
		sp_errf(err, SPE_INTERNAL, "cannot set up the HTTP client");
		client_free(c);
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 32L);
	return c;
}

void
client_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
client_global_cleanup(void)
{
	curl_global_cleanup();
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	while (c->xfers != NULL)
		xfer_free(c->xfers);
	if (c->multi != NULL)
		curl_multi_cleanup(c->multi);
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
}

/* A name is UTF-8: percent-encoded, as a header carries only ASCII. */
static void
name_header(struct xfer *x, CURL *e, const char *name)
{
	char	*v, *h;

	if ((v = curl_easy_escape(e, name, 0)) == NULL)
		fatalx("out of memory for a header");
	h = xasprintf("X-Simpul-Name: %s", v);
	x->headers = curl_slist_append(x->headers, h);
	free(h);
	curl_free(v);
}

static void
easy_setup(struct xfer *x, const struct client_call *call)
{
	CURL	*e = x->easy;

	curl_easy_setopt(e, CURLOPT_URL, call->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(e, CURLOPT_CAINFO, tls_ca_file(x->c->tls));
	curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, x);
	if (call->pins != NULL)
		curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, call->pins);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, call->timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 512L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 20L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	x->headers = curl_slist_append(x->headers, "Expect:");
	if (call->relay != NULL) {
		char	*h = xasprintf("X-Simpul-Relay-Receipt: %s", call->relay);

		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (call->name != NULL)
		name_header(x, e, call->name);
	if (strcmp(call->method, "POST") == 0) {
		x->headers = curl_slist_append(x->headers,
		    "Content-Type: application/xml");
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)call->len);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
}

int
client_start(struct client *c, const struct client_call *call,
    client_done *done, void *arg, struct sp_err *err)
{
	struct xfer	*x = xcalloc(1, sizeof(*x));

	x->c = c;
	x->peer = xstrdup(call->peer);
	x->done = done;
	x->arg = arg;
	x->expected_seq = -1;
	buf_init(&x->resp, call->max_response);
	if ((x->easy = curl_easy_init()) == NULL) {
		free(x->peer);
		free(x);
		return sp_errf(err, SPE_INTERNAL, "curl_easy_init failed");
	}
	easy_setup(x, call);
	x->next = c->xfers;
	c->xfers = x;
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		return sp_errf(err, SPE_INTERNAL, "curl_multi_add_handle "
		    "failed");
	}
	c->pending++;
	return 0;
}

int
client_pending(const struct client *c)
{
	return c->pending;
}
