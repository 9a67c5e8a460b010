/*
 * endpoints.c: what a node answers over HTTPS (DESIGN §5): the handlers
 * of POST and GET /v1/batches, GET /v1/receipts, /v1/status, /v1/metrics
 * and, at the hub, /v1/directory and /v1/crl, and the limits they are
 * served with.  It answers only nodes this one knows; the hub enrols a
 * node at its first contact and keeps the certificate and name it shows.
 * Bodies go to the same receiver as import (recv.c); batches are cut and
 * stored before they are answered (sync.c).  serve wires these routes to
 * its server; the HTTP fuzz target wires the same ones to a plaintext
 * server, so what it fuzzes is what serve runs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "exchange/directory.h"
#include "exchange/endpoints.h"
#include "core/err.h"
#include "core/fmt.h"
#include "core/log.h"
#include "exchange/node.h"
#include "exchange/recv.h"
#include "exchange/report.h"
#include "net/server.h"
#include "exchange/settings.h"
#include "exchange/status.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define CRL_MAX		(256 * 1024)	/* a CRL file served, bytes */

/* The federation's limits (DESIGN §4): a batch is at most 1 MiB. */
const struct server_config endpoints_limits = {
	.max_body = 1024 * 1024 + 4096,
	.max_headers = 16 * 1024,
	.max_conns = 1024,
	.idle_timeout = 30,
	.grace = 10,
	.min_rate = 256,
	.max_age = 300,
};

/*
 * The hub enrols a node at its first contact with a CA-valid certificate
 * (DESIGN §2): TLS has checked the chain, the CRL and the dates; the CN
 * becomes an enrolled node with the certificate it showed, published in
 * the directory; its instance id is recorded with its first batch.
 */
static int
enrol(struct endpoints *e, const char *code, const uint8_t *der, size_t len,
    struct sp_err *err)
{
	if (!util_node_code_valid(code) || strcmp(code, "hub") == 0)
		return sp_errf(err, SPE_PERMISSION, "'%s' is not a node code",
		    code);
	if (store_begin(e->store, err) == -1)
		return -1;
	if (store_peer_add(e->store, code, NULL, util_now(), err) == -1 ||
	    store_peer_cert(e->store, code, der, len, err) == -1 ||
	    store_commit(e->store, err) == -1) {
		store_rollback(e->store);
		return -1;
	}
	log_info("%s enrolled at its first contact", code);
	return 0;
}

/* The hub: the certificate a node shows now is the one it publishes. */
static int
renew_cert(struct endpoints *e, const char *code, const uint8_t *der,
    size_t len, struct sp_err *err)
{
	struct store_peer	 p;
	int			 rc;

	if ((rc = store_peer_get(e->store, code, &p, err)) != 1)
		return rc;
	if (p.cert_len == len && memcmp(p.cert, der, len) == 0)
		return 0;
	if (store_begin(e->store, err) == -1)
		return -1;
	if (store_peer_cert(e->store, code, der, len, err) == -1 ||
	    store_commit(e->store, err) == -1) {
		store_rollback(e->store);
		return -1;
	}
	return 0;
}

/*
 * The hub: the name a node gives itself (its node.name, percent-encoded
 * in X-Simpul-Name on every request to the hub) is the one the directory
 * publishes.  The CN vouches for who says it; a name init would refuse
 * is refused here too, before anything is recorded.  1 and *name (the
 * caller frees), 0 when none was given, -1 when it is no name.
 */
static int
told_name(struct server_req *r, char **name, struct sp_err *err)
{
	int	 rc;

	if ((rc = server_req_get_text(r, "X-Simpul-Name", name)) == 1 &&
	    settings_check_name("X-Simpul-Name", *name, err) == 0)
		return 1;
	free(*name);
	*name = NULL;
	if (rc == -1)
		return sp_errf(err, SPE_INVALID, "X-Simpul-Name: give 1 to "
		    "200 bytes of UTF-8 on one line");
	return rc == 0 ? 0 : -1;
}

static int
renew_name(struct endpoints *e, const char *code, const char *name,
    struct sp_err *err)
{
	struct store_peer	 p;
	int			 rc;

	if ((rc = store_peer_get(e->store, code, &p, err)) != 1 ||
	    (p.name != NULL && strcmp(p.name, name) == 0))
		return rc == -1 ? -1 : 0;
	if (store_begin(e->store, err) == -1)
		return -1;
	if (store_peer_name(e->store, code, name, err) == -1 ||
	    store_commit(e->store, err) == -1) {
		store_rollback(e->store);
		return -1;
	}
	return 0;
}

/* At the hub: enrol at first contact, keep certificate and name current. */
static int
hub_peer(struct endpoints *e, struct server_req *r, int known,
    struct sp_err *err)
{
	const char	*code = server_req_peer(r);
	uint8_t		*der;
	char		*name;
	size_t		 len;
	int		 rc, named;

	if ((named = told_name(r, &name, err)) == -1)
		return -1;
	if (server_req_peer_der(r, &der, &len) == -1) {
		free(name);
		return sp_errf(err, SPE_PERMISSION, "no verified client "
		    "certificate");
	}
	rc = known ? renew_cert(e, code, der, len, err) :
	    enrol(e, code, der, len, err);
	if (rc != -1 && named)
		rc = renew_name(e, code, name, err);
	free(der);
	free(name);
	return rc;
}

/*
 * The peer must be a node this one knows (a peer, or one in the hub's
 * directory); else 403 and nothing more.
 */
static int
known_peer(struct endpoints *e, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	const char	*peer = server_req_peer(r);
	int		 rc;

	if (e->before != NULL)
		e->before(e->arg);
	rc = node_knows(e->store, peer, &err);
	if (rc != -1 && e->node->is_hub && strcmp(peer, "hub") != 0)
		rc = hub_peer(e, r, rc == 1, &err) == -1 ? -1 : 1;
	if (rc >= 1)
		return 1;
	if (rc == 0 && err.code == SPE_OK)
		sp_errf(&err, SPE_PERMISSION, "%s is not a node %s exchanges "
		    "with", peer, e->node->code);
	server_reply_err(r, &err);
	return 0;
}

/*
 * At the hub, every answer to a node says which authors have batches
 * waiting for it there ("33.21:7 33.29:2": author and its top seq), so a
 * node behind NAT learns whom to pull from (DESIGN §5).
 */
static int
add_waiting(void *arg, const char *author, int64_t seq)
{
	struct buf	*b = arg;

	return buf_printf(b, NULL, "%s%s:%lld", b->len > 0 ? " " : "",
	    author, (long long)seq);
}

static void
say_waiting(struct endpoints *e, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	struct buf	 b;

	if (!e->node->is_hub)
		return;
	buf_init(&b, 8192);
	if (store_relay_waiting(e->store, server_req_peer(r),
	    add_waiting, &b, &err) == 0 && b.len > 0)
		server_req_header(r, "X-Simpul-Waiting", (const char *)b.data);
	sp_err_clear(&err);
	buf_clear(&b);
}

/* GET /v1/status: this node and its channels (JSON or XML). */
static void
on_status(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	struct status_chan	*c = NULL;
	struct fmt		 w;
	const char		*want = server_req_query(r, "format");
	enum fmt_kind		 kind = FMT_JSON;
	char			*body = NULL;
	size_t			 len = 0;
	int			 n = 0;
	FILE			*f;

	if (!known_peer(e, r))
		return;
	if (want != NULL && (fmt_parse(want, &kind) == -1 ||
	    kind == FMT_TABLE)) {
		sp_errf(&err, SPE_USAGE, "format is json or xml");
		server_reply_err(r, &err);
		return;
	}
	if (status_collect(e->store, e->node->hub, &c, &n, &err) == -1) {
		server_reply_err(r, &err);
		return;
	}
	if ((f = open_memstream(&body, &len)) == NULL)
		fatal("open_memstream");
	fmt_init(&w, f, kind);
	status_write(&w, e->node, util_now(), c, n);
	fclose(f);
	status_free(c, n);
	server_reply(r, 200, kind == FMT_JSON ? "application/json" :
	    "application/xml", body, len);
	free(body);
}

/* GET /v1/metrics: the figures (report.c), the national table at the hub. */
static void
on_metrics(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	const char		*type;
	char			*body;
	size_t			 len;

	if (!known_peer(e, r))
		return;
	if (report_http(e->store, e->node->code, e->conf->offset,
	    server_req_query(r, "period"), server_req_query(r, "format"),
	    util_now(), &body, &len, &type, &err) == -1) {
		server_reply_err(r, &err);
		return;
	}
	server_reply(r, 200, type, body, len);
	free(body);
}

/* A relayed batch's receipt, hex in X-Simpul-Relay-Receipt, or none. */
static int
relay_header(struct endpoints *e, struct server_req *r, struct buf *b,
    struct sp_err *err)
{
	const char	*hex;

	hex = server_req_get_header(r, "X-Simpul-Relay-Receipt");
	buf_init(b, e->ctx->limits.max_bytes);
	if (hex == NULL)
		return 0;
	if (strcmp(server_req_peer(r), "hub") != 0)
		return sp_errf(err, SPE_PERMISSION, "only the hub delivers "
		    "relayed batches, not %s", server_req_peer(r));
	if (util_unhex(hex, b, err) == -1)
		return -1;
	return 1;
}

/*
 * POST /v1/batches: a batch for this node, straight from its author (the
 * client's CN must be the batch's from), or delivered by the hub with its
 * relay receipt; at the hub, a batch for another node to relay.  The same
 * receiver as import, at this server's clock (the relay receipt's for a
 * relayed batch).  200 with the signed final (or relay) receipt; 200 and
 * no body for a batch of receipts only (it earns none); else the error
 * table's status, a 409 with X-Simpul-Expected-Seq.
 */
static void
on_batch_post(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	struct recv_outcome	 o;
	struct recv_ctx		 ctx;
	struct buf		 relay;
	const uint8_t		*body;
	const char		*peer = server_req_peer(r);
	size_t			 len;
	char			 num[32];
	int			 rc;

	memset(&o, 0, sizeof(o));
	if (!known_peer(e, r))
		return;
	body = server_req_body(r, &len);
	ctx = *e->ctx;
	ctx.pusher = peer;
	if ((rc = relay_header(e, r, &relay, &err)) == 1)
		rc = recv_relayed(e->store, &ctx, body, len, relay.data,
		    relay.len, util_now(), &o, &err);
	else if (rc == 0) {
		/* From its author: the answer carries the final receipt. */
		ctx.answered = 1;
		rc = recv_batch(e->store, &ctx, body, len, util_now(),
		    &o, &err);
	}
	if (rc == -1) {
		if (err.code == SPE_SEQ_GAP || err.code == SPE_PREV ||
		    err.code == SPE_EQUIVOCATION) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)o.expected);
			server_req_header(r, "X-Simpul-Expected-Seq", num);
		}
		log_info("%s: batch from %s refused: %s: %s", e->node->code,
		    peer, sp_code_name(err.code), err.msg);
		server_reply_err(r, &err);
	} else {
		say_waiting(e, r);
		server_reply(r, 200, "application/xml", o.receipt,
		    o.receipt != NULL ? o.receipt_len : 0);
	}
	buf_clear(&relay);
	recv_outcome_clear(&o);
}

/* A relayed batch to the client: its bytes, its receipt in a header. */
static int
send_relayed(void *arg, const struct store_relay *rel)
{
	struct server_req	*r = arg;
	char			*hex = xmalloc(rel->receipt_len * 2 + 1);

	util_hex(rel->receipt, rel->receipt_len, hex);
	server_req_header(r, "X-Simpul-Relay-Receipt", hex);
	free(hex);
	server_reply(r, 200, "application/xml", rel->bytes, rel->len);
	return 0;
}

/*
 * The hub: the next batch it relays from author to dest after seq, to
 * dest (who then holds everything up to seq) or, for recovery, to the
 * author itself.
 */
static void
relay_get(struct endpoints *e, struct server_req *r, const char *from,
    const char *to, long long after)
{
	struct sp_err	 err = { 0 };
	const char	*peer = server_req_peer(r);
	int		 rc;

	if (strcmp(peer, to) != 0 && strcmp(peer, from) != 0) {
		sp_errf(&err, SPE_PERMISSION, "%s may not pull the batches "
		    "from %s to %s", peer, from, to);
		goto bad;
	}
	if (strcmp(peer, to) == 0 && after > 0) {
		if (store_begin(e->store, &err) == -1)
			goto bad;
		if (store_relay_held(e->store, from, to, after,
		    &err) == -1 || store_commit(e->store, &err) == -1) {
			store_rollback(e->store);
			goto bad;
		}
	}
	say_waiting(e, r);
	if ((rc = store_relay_next(e->store, from, to, after,
	    send_relayed, r, &err)) == -1)
		goto bad;
	if (rc == 0)
		server_reply(r, 204, "application/xml", "", 0);
	return;
bad:
	server_reply_err(r, &err);
}

/*
 * A node that pulls after seq holds everything up to it: the receiver's
 * head moves on, so a batch of receipts only, which earns no receipt,
 * does not stay unacknowledged for ever.
 */
static int
puller_holds(struct endpoints *e, const char *peer, int64_t seq,
    struct sp_err *err)
{
	struct store_channel	 ch;

	if (store_channel_get(e->store, peer, 1, &ch, err) == -1)
		return -1;
	if (seq <= ch.head || seq > ch.seq)
		return 0;
	if (store_begin(e->store, err) == -1)
		return -1;
	if (store_channel_get(e->store, peer, 1, &ch, err) == -1)
		goto bad;
	ch.head = seq;
	if (store_channel_put(e->store, &ch, err) == -1 ||
	    store_commit(e->store, err) == -1)
		goto bad;
	return 0;
bad:
	store_rollback(e->store);
	return -1;
}

/*
 * GET /v1/batches?from=CODE&to=CODE&after=SEQ: the next batch from after
 * SEQ, its exact bytes, or 204.  from defaults to this node and to to the
 * client.  This node's own batches go to the node they are for; at the
 * hub, relayed ones to their destination (or, for recovery, their
 * author), with the relay receipt in X-Simpul-Relay-Receipt; and, for
 * recovery, the batches this node accepted from the client, to it.
 */
static void
on_batch_get(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	struct buf		 b;
	const char		*peer = server_req_peer(r);
	const char		*from = server_req_query(r, "from");
	const char		*to = server_req_query(r, "to");
	const char		*after = server_req_query(r, "after");
	char			 digest[BATCH_DIGEST_LEN];
	long long		 n;
	int64_t			 seq;
	int			 k, rc;

	buf_init(&b, e->ctx->limits.max_bytes);
	if (!known_peer(e, r))
		return;
	if (after == NULL || util_parse_int(after, 0, INT64_MAX / 2, &n,
	    "after", &err) == -1) {
		sp_err_clear(&err);
		sp_errf(&err, SPE_USAGE, "after=SEQ is required");
		goto bad;
	}
	/* Recovery (DESIGN §2): the client's own batches to this node. */
	if (from != NULL && strcmp(from, peer) == 0 && (to == NULL ||
	    strcmp(to, e->node->code) == 0)) {
		if ((rc = store_batch_in_next(e->store, peer, n, &seq,
		    &b, &err)) == -1)
			goto bad;
		goto answer;
	}
	if (from != NULL && strcmp(from, e->node->code) != 0) {
		if (!e->node->is_hub) {
			sp_errf(&err, SPE_NOT_FOUND, "%s holds only its own "
			    "batches; the hub relays the others",
			    e->node->code);
			goto bad;
		}
		relay_get(e, r, from, to != NULL ? to : peer, n);
		return;
	}
	if (to != NULL && strcmp(to, peer) != 0) {
		sp_errf(&err, SPE_PERMISSION, "%s may not pull the batches "
		    "for %s", peer, to);
		goto bad;
	}
	if (puller_holds(e, peer, n, &err) == -1 ||
	    (rc = store_batch_out_next(e->store, peer, n, 0, &seq,
	    digest, &b, &err)) == -1)
		goto bad;
	/* Nothing stored after it: cut what is queued, stored before sent. */
	if (rc == 0) {
		if (store_begin(e->store, &err) == -1)
			goto bad;
		if (sync_cut(e->store, e->conf, peer, util_now(), &k,
		    &err) == -1 || store_commit(e->store, &err) == -1) {
			store_rollback(e->store);
			goto bad;
		}
		if (k > 0 && (rc = store_batch_out_next(e->store, peer,
		    n, 0, &seq, digest, &b, &err)) == -1)
			goto bad;
	}
answer:
	say_waiting(e, r);
	if (rc == 1)
		server_reply(r, 200, "application/xml", b.data, b.len);
	else
		server_reply(r, 204, "application/xml", "", 0);
	buf_clear(&b);
	return;
bad:
	buf_clear(&b);
	server_reply_err(r, &err);
}

/*
 * GET /v1/receipts?to=CODE&after=SEQ: at the hub, the relay receipt of
 * the client's next batch to CODE after SEQ, and in X-Simpul-Delivery
 * whether the destination has it (waiting, delivered, or refused: why),
 * so a destination's transport refusal travels back to the author; at a
 * regency node (to is this node), the final receipt it made for the
 * client's next batch, for a client that lost the POST's answer.  204
 * when none.
 */
static int
send_receipt(void *arg, const struct store_relay *rel)
{
	struct server_req	*r = arg;
	char			*v;

	v = rel->error != NULL ? xasprintf("%s: %s", rel->state, rel->error) :
	    xstrdup(rel->state);
	server_req_header(r, "X-Simpul-Delivery", v);
	free(v);
	server_reply(r, 200, "application/xml", rel->receipt,
	    rel->receipt_len);
	return 0;
}

static int
final_receipt(struct endpoints *e, struct server_req *r, long long after,
    struct sp_err *err)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, e->ctx->limits.max_bytes);
	if ((rc = store_receipt_out_next(e->store, server_req_peer(r),
	    after, &b, err)) == 1)
		server_reply(r, 200, "application/xml", b.data, b.len);
	buf_clear(&b);
	return rc;
}

static void
on_receipts(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	const char		*to = server_req_query(r, "to");
	const char		*after = server_req_query(r, "after");
	long long		 n;
	int			 rc;

	if (!known_peer(e, r))
		return;
	if (to == NULL || after == NULL || util_parse_int(after, 0,
	    INT64_MAX / 2, &n, "after", &err) == -1) {
		sp_err_clear(&err);
		sp_errf(&err, SPE_USAGE, "to=CODE and after=SEQ are required");
		server_reply_err(r, &err);
		return;
	}
	if (strcmp(to, e->node->code) == 0)
		rc = final_receipt(e, r, n, &err);
	else if (e->node->is_hub)
		rc = store_relay_next(e->store, server_req_peer(r), to, n,
		    send_receipt, r, &err);
	else
		rc = sp_errf(&err, SPE_NOT_FOUND, "%s keeps only its own "
		    "receipts", e->node->code);
	if (rc == -1)
		server_reply_err(r, &err);
	else if (rc == 0)
		server_reply(r, 204, "application/xml", "", 0);
}

/* GET /v1/directory, at the hub: the signed directory, made now. */
static void
on_directory(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	struct buf		 b;

	if (!known_peer(e, r))
		return;
	if (directory_make(e->store, e->conf->key, &e->ctx->limits,
	    util_now(), e->node->offset, &b, &err) == -1)
		server_reply_err(r, &err);
	else
		server_reply(r, 200, "application/xml", b.data, b.len);
	buf_clear(&b);
}

/* GET /v1/crl, at the hub: the bytes of its current CRL file. */
static void
on_crl(struct server_req *r, void *arg)
{
	struct endpoints	*e = arg;
	struct sp_err		 err = { 0 };
	struct buf		 b;

	if (!known_peer(e, r))
		return;
	if (e->node->crl == NULL) {
		sp_errf(&err, SPE_NOT_FOUND, "the hub has no CRL configured");
		server_reply_err(r, &err);
		return;
	}
	if (util_read_file(e->node->crl, CRL_MAX, &b, &err) == -1) {
		server_reply_err(r, &err);
		return;
	}
	server_reply(r, 200, "application/pkix-crl", b.data, b.len);
	buf_clear(&b);
}

static void
on_batches(struct server_req *r, void *arg)
{
	if (server_req_method(r) == SERVER_POST)
		on_batch_post(r, arg);
	else
		on_batch_get(r, arg);
}

void
endpoints_route(struct server *srv, struct endpoints *e)
{
	server_route(srv, SERVER_GET, "/v1/status", on_status, e);
	server_route(srv, SERVER_GET, "/v1/metrics", on_metrics, e);
	server_route(srv, SERVER_POST | SERVER_GET, "/v1/batches",
	    on_batches, e);
	server_route(srv, SERVER_GET, "/v1/receipts", on_receipts, e);
	if (e->node->is_hub) {
		server_route(srv, SERVER_GET, "/v1/directory", on_directory,
		    e);
		server_route(srv, SERVER_GET, "/v1/crl", on_crl, e);
	}
}
