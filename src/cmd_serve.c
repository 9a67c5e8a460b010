/*
 * cmd_serve.c: `simpul serve [--listen ADDR:PORT]`: the sync loop
 * (syncer.c: pushing outboxes, pulling inboxes, round after round) and,
 * with --listen, this node's HTTPS endpoint, both on one event loop until
 * SIGTERM.  It wires the routes of DESIGN §5 to their handlers and answers
 * only nodes this one knows.  Without --listen it is a node behind NAT
 * that only reaches out.
 *
 * The trust store (CA and CRL) is loaded at start and loaded again when
 * the CRL file changes: after the syncer installs one the hub served, or,
 * at the hub, when the operator puts a new one in place (its inode, size
 * or time differ; looked at with every request).  Signatures are then
 * checked against it at once, and TLS from the next handshake on.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "batch.h"
#include "cli.h"
#include "client.h"
#include "directory.h"
#include "dsig.h"
#include "err.h"
#include "fmt.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "recv.h"
#include "report.h"
#include "server.h"
#include "status.h"
#include "store.h"
#include "settings.h"
#include "sync.h"
#include "syncer.h"
#include "tls.h"
#include "trust.h"
#include "util.h"
#include "xmalloc.h"

#define CRL_MAX		(256 * 1024)	/* a CRL file served, bytes */

/* The federation's limits (DESIGN §4): a batch is at most 1 MiB. */
static const struct server_config serve_defaults = {
	.max_body = 1024 * 1024 + 4096,
	.max_headers = 16 * 1024,
	.idle_timeout = 30,
	.grace = 10,
	.min_rate = 256,
	.max_age = 300,
};

struct serve {
	struct cli	*cli;
	struct node	 node;
	struct loop	*loop;
	struct tls_ctx	*tls;		/* the server's */
	struct server	*srv;		/* NULL without --listen */
	struct tls_ctx	*ctls;		/* the client's */
	struct client	*client;
	struct syncer	*syncer;
	int		 lockfd;	/* DB.lock, flocked for our life */
	struct sync_conf conf;
	struct recv_ctx	 ctx;
	struct stat	 crl_st;	/* the CRL file as last loaded */
};

static void
crl_stat(struct serve *sv, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (sv->node.crl != NULL && stat(sv->node.crl, st) == -1)
		memset(st, 0, sizeof(*st));
}

/* The CRL file changed: load the trust store again (see the top). */
static void
trust_reload(void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct trust	*t;

	crl_stat(sv, &sv->crl_st);
	if ((t = trust_load(sv->node.ca, sv->node.crl, &err)) == NULL) {
		log_warnx("the CRL %s does not load, the one before stays in "
		    "force for signatures: %s", sv->node.crl, err.msg);
		return;
	}
	trust_free(sv->conf.trust);
	sv->conf.trust = t;
	sv->ctx.trust = t;
	if (sv->tls != NULL && tls_reload(sv->tls, &err) == -1)
		log_warnx("TLS keeps the CRL it had: %s", err.msg);
	log_info("the CRL %s is in force", sv->node.crl);
}

static void
crl_watch(struct serve *sv)
{
	struct stat	 st;

	if (sv->node.crl == NULL)
		return;
	crl_stat(sv, &st);
	if (st.st_ino != sv->crl_st.st_ino || st.st_size !=
	    sv->crl_st.st_size || st.st_mtim.tv_sec !=
	    sv->crl_st.st_mtim.tv_sec || st.st_mtim.tv_nsec !=
	    sv->crl_st.st_mtim.tv_nsec)
		trust_reload(sv);
}

/*
 * The hub enrols a node at its first contact with a CA-valid certificate
 * (DESIGN §2): TLS has checked the chain, the CRL and the dates; the CN
 * becomes an enrolled node with the certificate it showed, published in
 * the directory; its instance id is recorded with its first batch.
 */
static int
enrol(struct serve *sv, const char *code, const uint8_t *der, size_t len,
    struct sp_err *err)
{
	if (!util_node_code_valid(code) || strcmp(code, "hub") == 0)
		return sp_errf(err, SPE_PERMISSION, "'%s' is not a node code",
		    code);
	if (store_begin(sv->cli->store, err) == -1)
		return -1;
	if (store_peer_add(sv->cli->store, code, NULL, util_now(), err) == -1 ||
	    store_peer_cert(sv->cli->store, code, der, len, err) == -1 ||
	    store_commit(sv->cli->store, err) == -1) {
		store_rollback(sv->cli->store);
		return -1;
	}
	log_info("%s enrolled at its first contact", code);
	return 0;
}

/* The hub: the certificate a node shows now is the one it publishes. */
static int
renew_cert(struct serve *sv, const char *code, const uint8_t *der,
    size_t len, struct sp_err *err)
{
	struct store_peer	 p;
	int			 rc;

	if ((rc = store_peer_get(sv->cli->store, code, &p, err)) != 1)
		return rc;
	if (p.cert_len == len && memcmp(p.cert, der, len) == 0)
		return 0;
	if (store_begin(sv->cli->store, err) == -1)
		return -1;
	if (store_peer_cert(sv->cli->store, code, der, len, err) == -1 ||
	    store_commit(sv->cli->store, err) == -1) {
		store_rollback(sv->cli->store);
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
renew_name(struct serve *sv, const char *code, const char *name,
    struct sp_err *err)
{
	struct store_peer	 p;
	int			 rc;

	if ((rc = store_peer_get(sv->cli->store, code, &p, err)) != 1 ||
	    (p.name != NULL && strcmp(p.name, name) == 0))
		return rc == -1 ? -1 : 0;
	if (store_begin(sv->cli->store, err) == -1)
		return -1;
	if (store_peer_name(sv->cli->store, code, name, err) == -1 ||
	    store_commit(sv->cli->store, err) == -1) {
		store_rollback(sv->cli->store);
		return -1;
	}
	return 0;
}

/* At the hub: enrol at first contact, keep certificate and name current. */
static int
hub_peer(struct serve *sv, struct server_req *r, int known,
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
	rc = known ? renew_cert(sv, code, der, len, err) :
	    enrol(sv, code, der, len, err);
	if (rc != -1 && named)
		rc = renew_name(sv, code, name, err);
	free(der);
	free(name);
	return rc;
}

/*
 * The peer must be a node this one knows (a peer, or one in the hub's
 * directory); else 403 and nothing more.
 */
static int
known_peer(struct serve *sv, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	const char	*peer = server_req_peer(r);
	int		 rc;

	crl_watch(sv);
	rc = node_knows(sv->cli->store, peer, &err);
	if (rc != -1 && sv->node.is_hub && strcmp(peer, "hub") != 0)
		rc = hub_peer(sv, r, rc == 1, &err) == -1 ? -1 : 1;
	if (rc >= 1)
		return 1;
	if (rc == 0 && err.code == SPE_OK)
		sp_errf(&err, SPE_PERMISSION, "%s is not a node %s exchanges "
		    "with", peer, sv->node.code);
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
say_waiting(struct serve *sv, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	struct buf	 b;

	if (!sv->node.is_hub)
		return;
	buf_init(&b, 8192);
	if (store_relay_waiting(sv->cli->store, server_req_peer(r),
	    add_waiting, &b, &err) == 0 && b.len > 0)
		server_req_header(r, "X-Simpul-Waiting", (const char *)b.data);
	sp_err_clear(&err);
	buf_clear(&b);
}

/* GET /v1/status: this node and its channels (JSON or XML). */
static void
on_status(struct server_req *r, void *arg)
{
	struct serve		*sv = arg;
	struct sp_err		 err = { 0 };
	struct status_chan	*c = NULL;
	struct fmt		 w;
	const char		*want = server_req_query(r, "format");
	enum fmt_kind		 kind = FMT_JSON;
	char			*body = NULL;
	size_t			 len = 0;
	int			 n = 0;
	FILE			*f;

	if (!known_peer(sv, r))
		return;
	if (want != NULL && (fmt_parse(want, &kind) == -1 ||
	    kind == FMT_TABLE)) {
		sp_errf(&err, SPE_USAGE, "format is json or xml");
		server_reply_err(r, &err);
		return;
	}
	if (status_collect(sv->cli->store, sv->node.hub, &c, &n, &err) == -1) {
		server_reply_err(r, &err);
		return;
	}
	if ((f = open_memstream(&body, &len)) == NULL)
		fatal("open_memstream");
	fmt_init(&w, f, kind);
	status_write(&w, &sv->node, util_now(), c, n);
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
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	const char	*type;
	char		*body;
	size_t		 len;

	if (!known_peer(sv, r))
		return;
	if (report_http(sv->cli->store, sv->node.code, sv->conf.offset,
	    server_req_query(r, "period"), server_req_query(r, "format"),
	    util_now(), &body, &len, &type, &err) == -1) {
		server_reply_err(r, &err);
		return;
	}
	server_reply(r, 200, type, body, len);
	free(body);
}

/*
 * One serve per database: an exclusive flock on DB.lock beside it, held
 * until the process ends however it ends (the kernel drops the lock of a
 * killed process), so a stale file never blocks a restart.  The file
 * holds the pid of the serve that holds the lock, for the refusal.  CLI
 * commands do not take it: SQLite's own locking orders their writes.
 */
static int
serve_lock(struct serve *sv, struct sp_err *err)
{
	char		*path, pid[24];
	ssize_t		 n;
	int		 rc = -1;

	path = xasprintf("%s.lock", sv->cli->db);
	if ((sv->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) ==
	    -1) {
		sp_errf(err, errno == EROFS || errno == EACCES ? SPE_READONLY :
		    SPE_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (flock(sv->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			sp_errf(err, SPE_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		n = pread(sv->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		sp_errf(err, SPE_LOCKED, "another simpul serve is running on "
		    "%s (pid %s)", sv->cli->db, pid[0] ? pid : "unknown");
		goto out;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(sv->lockfd, 0) == -1 ||
	    pwrite(sv->lockfd, pid, n, 0) != n) {
		sp_errf(err, errno == ENOSPC ? SPE_FULL : SPE_IO, "%s: %s",
		    path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

/* A relayed batch's receipt, hex in X-Simpul-Relay-Receipt, or none. */
static int
relay_header(struct serve *sv, struct server_req *r, struct buf *b,
    struct sp_err *err)
{
	const char	*hex = server_req_get_header(r, "X-Simpul-Relay-Receipt");

	buf_init(b, sv->ctx.limits.max_bytes);
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
	struct serve		*sv = arg;
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
	if (!known_peer(sv, r))
		return;
	body = server_req_body(r, &len);
	ctx = sv->ctx;
	ctx.pusher = peer;
	if ((rc = relay_header(sv, r, &relay, &err)) == 1)
		rc = recv_relayed(sv->cli->store, &ctx, body, len, relay.data,
		    relay.len, util_now(), &o, &err);
	else if (rc == 0) {
		/* From its author: the answer carries the final receipt. */
		ctx.answered = 1;
		rc = recv_batch(sv->cli->store, &ctx, body, len, util_now(),
		    &o, &err);
	}
	if (rc == -1) {
		if (err.code == SPE_SEQ_GAP || err.code == SPE_PREV ||
		    err.code == SPE_EQUIVOCATION) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)o.expected);
			server_req_header(r, "X-Simpul-Expected-Seq", num);
		}
		log_info("%s: batch from %s refused: %s: %s", sv->node.code,
		    peer, sp_code_name(err.code), err.msg);
		server_reply_err(r, &err);
	} else {
		say_waiting(sv, r);
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
relay_get(struct serve *sv, struct server_req *r, const char *from,
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
		if (store_begin(sv->cli->store, &err) == -1)
			goto bad;
		if (store_relay_held(sv->cli->store, from, to, after,
		    &err) == -1 || store_commit(sv->cli->store, &err) == -1) {
			store_rollback(sv->cli->store);
			goto bad;
		}
	}
	say_waiting(sv, r);
	if ((rc = store_relay_next(sv->cli->store, from, to, after,
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
puller_holds(struct serve *sv, const char *peer, int64_t seq,
    struct sp_err *err)
{
	struct store_channel	 ch;

	if (store_channel_get(sv->cli->store, peer, 1, &ch, err) == -1)
		return -1;
	if (seq <= ch.head || seq > ch.seq)
		return 0;
	if (store_begin(sv->cli->store, err) == -1)
		return -1;
	if (store_channel_get(sv->cli->store, peer, 1, &ch, err) == -1)
		goto bad;
	ch.head = seq;
	if (store_channel_put(sv->cli->store, &ch, err) == -1 ||
	    store_commit(sv->cli->store, err) == -1)
		goto bad;
	return 0;
bad:
	store_rollback(sv->cli->store);
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
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct buf	 b;
	const char	*peer = server_req_peer(r);
	const char	*from = server_req_query(r, "from");
	const char	*to = server_req_query(r, "to");
	const char	*after = server_req_query(r, "after");
	char		 digest[BATCH_DIGEST_LEN];
	long long	 n;
	int64_t		 seq;
	int		 k, rc;

	buf_init(&b, sv->ctx.limits.max_bytes);
	if (!known_peer(sv, r))
		return;
	if (after == NULL || util_parse_int(after, 0, INT64_MAX / 2, &n,
	    "after", &err) == -1) {
		sp_err_clear(&err);
		sp_errf(&err, SPE_USAGE, "after=SEQ is required");
		goto bad;
	}
	/* Recovery (DESIGN §2): the client's own batches to this node. */
	if (from != NULL && strcmp(from, peer) == 0 && (to == NULL ||
	    strcmp(to, sv->node.code) == 0)) {
		if ((rc = store_batch_in_next(sv->cli->store, peer, n, &seq,
		    &b, &err)) == -1)
			goto bad;
		goto answer;
	}
	if (from != NULL && strcmp(from, sv->node.code) != 0) {
		if (!sv->node.is_hub) {
			sp_errf(&err, SPE_NOT_FOUND, "%s holds only its own "
			    "batches; the hub relays the others",
			    sv->node.code);
			goto bad;
		}
		relay_get(sv, r, from, to != NULL ? to : peer, n);
		return;
	}
	if (to != NULL && strcmp(to, peer) != 0) {
		sp_errf(&err, SPE_PERMISSION, "%s may not pull the batches "
		    "for %s", peer, to);
		goto bad;
	}
	if (puller_holds(sv, peer, n, &err) == -1 ||
	    (rc = store_batch_out_next(sv->cli->store, peer, n, 0, &seq,
	    digest, &b, &err)) == -1)
		goto bad;
	/* Nothing stored after it: cut what is queued, stored before sent. */
	if (rc == 0) {
		if (store_begin(sv->cli->store, &err) == -1)
			goto bad;
		if (sync_cut(sv->cli->store, &sv->conf, peer, util_now(), &k,
		    &err) == -1 || store_commit(sv->cli->store, &err) == -1) {
			store_rollback(sv->cli->store);
			goto bad;
		}
		if (k > 0 && (rc = store_batch_out_next(sv->cli->store, peer,
		    n, 0, &seq, digest, &b, &err)) == -1)
			goto bad;
	}
answer:
	say_waiting(sv, r);
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
final_receipt(struct serve *sv, struct server_req *r, long long after,
    struct sp_err *err)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, sv->ctx.limits.max_bytes);
	if ((rc = store_receipt_out_next(sv->cli->store, server_req_peer(r),
	    after, &b, err)) == 1)
		server_reply(r, 200, "application/xml", b.data, b.len);
	buf_clear(&b);
	return rc;
}

static void
on_receipts(struct server_req *r, void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	const char	*to = server_req_query(r, "to");
	const char	*after = server_req_query(r, "after");
	long long	 n;
	int		 rc;

	if (!known_peer(sv, r))
		return;
	if (to == NULL || after == NULL || util_parse_int(after, 0,
	    INT64_MAX / 2, &n, "after", &err) == -1) {
		sp_err_clear(&err);
		sp_errf(&err, SPE_USAGE, "to=CODE and after=SEQ are required");
		server_reply_err(r, &err);
		return;
	}
	if (strcmp(to, sv->node.code) == 0)
		rc = final_receipt(sv, r, n, &err);
	else if (sv->node.is_hub)
		rc = store_relay_next(sv->cli->store, server_req_peer(r), to, n,
		    send_receipt, r, &err);
	else
		rc = sp_errf(&err, SPE_NOT_FOUND, "%s keeps only its own "
		    "receipts", sv->node.code);
	if (rc == -1)
		server_reply_err(r, &err);
	else if (rc == 0)
		server_reply(r, 204, "application/xml", "", 0);
}

/* GET /v1/directory, at the hub: the signed directory, made now. */
static void
on_directory(struct server_req *r, void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct buf	 b;

	if (!known_peer(sv, r))
		return;
	if (directory_make(sv->cli->store, sv->conf.key, &sv->ctx.limits,
	    util_now(), sv->node.offset, &b, &err) == -1)
		server_reply_err(r, &err);
	else
		server_reply(r, 200, "application/xml", b.data, b.len);
	buf_clear(&b);
}

/* GET /v1/crl, at the hub: the bytes of its current CRL file. */
static void
on_crl(struct server_req *r, void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct buf	 b;

	if (!known_peer(sv, r))
		return;
	if (sv->node.crl == NULL) {
		sp_errf(&err, SPE_NOT_FOUND, "the hub has no CRL configured");
		server_reply_err(r, &err);
		return;
	}
	if (util_read_file(sv->node.crl, CRL_MAX, &b, &err) == -1) {
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

static int
serve_listen(struct serve *sv, const char *listen, struct sp_err *err)
{
	struct server_config	 cfg = serve_defaults;
	long long		 n;

	cfg.listen = listen;
	if (settings_get_int(sv->cli->store, "serve.max_connections", &n,
	    err) == -1)
		return -1;
	cfg.max_conns = (int)n;
	if ((sv->tls = tls_server_new(sv->node.cert, sv->node.dkey,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    (sv->srv = server_new(sv->loop, sv->tls, &cfg, err)) == NULL)
		return -1;
	server_route(sv->srv, SERVER_GET, "/v1/status", on_status, sv);
	server_route(sv->srv, SERVER_GET, "/v1/metrics", on_metrics, sv);
	server_route(sv->srv, SERVER_POST | SERVER_GET, "/v1/batches",
	    on_batches, sv);
	server_route(sv->srv, SERVER_GET, "/v1/receipts", on_receipts, sv);
	if (sv->node.is_hub) {
		server_route(sv->srv, SERVER_GET, "/v1/directory",
		    on_directory, sv);
		server_route(sv->srv, SERVER_GET, "/v1/crl", on_crl, sv);
	}
	return 0;
}

static int
serve_sync(struct serve *sv, struct sp_err *err)
{
	struct syncer_config	 cfg;
	char			*v;
	long long		 n;

	if (settings_get(sv->cli->store, "sync.interval_seconds", &v,
	    err) == -1)
		return -1;
	n = strtoll(v, NULL, 10);
	free(v);
	if ((sv->ctls = tls_client_new(sv->node.cert, sv->node.dkey,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    (sv->client = client_new(sv->loop, sv->ctls, err)) == NULL)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.loop = sv->loop;
	cfg.client = sv->client;
	cfg.store = sv->cli->store;
	cfg.node = &sv->node;
	cfg.conf = &sv->conf;
	cfg.ctx = &sv->ctx;
	cfg.interval = n;
	cfg.trust_changed = trust_reload;
	cfg.trust_arg = sv;
	if ((sv->syncer = syncer_new(&cfg, NULL, err)) == NULL)
		return -1;
	syncer_start(sv->syncer);
	return 0;
}

static int
serve_start(struct serve *sv, const char *listen, struct sp_err *err)
{
	if (cli_store(sv->cli, CLI_WRITE, err) == -1 ||
	    serve_lock(sv, err) == -1 ||
	    node_load(sv->cli->store, NODE_KEYS, &sv->node, err) == -1 ||
	    (sv->loop = loop_new(err)) == NULL ||
	    dsig_init(err) == -1 ||
	    sync_conf_load(sv->cli->store, &sv->conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1)
		return -1;
	recv_ctx_init(&sv->ctx, &sv->conf);
	sv->ctx.relays = sv->node.is_hub;
	crl_stat(sv, &sv->crl_st);
	if (listen != NULL && serve_listen(sv, listen, err) == -1)
		return -1;
	if (serve_sync(sv, err) == -1)
		return -1;
	if (listen == NULL && syncer_channels(sv->syncer) == 0)
		return sp_errf(err, SPE_INVALID, "nothing to do: no peer has a "
		    "URL, no hub is configured, and no --listen");
	return 0;
}

static void
serve_stop(struct serve *sv)
{
	syncer_free(sv->syncer);
	client_free(sv->client);
	tls_free(sv->ctls);
	server_free(sv->srv);
	tls_free(sv->tls);
	loop_free(sv->loop);
	sync_conf_clear(&sv->conf);
	node_clear(&sv->node);
	if (sv->lockfd != -1)
		close(sv->lockfd);	/* and the flock with it */
}

int
cmd_serve(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve	 sv = { .cli = cli, .lockfd = -1 };
	const char	*listen = NULL;
	int		 c, rc = -1, signo;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'l')
			return cli_usage_err("serve", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		listen = optarg;
	}
	if (optind != argc)
		return cli_usage_err("serve", err, "unexpected argument '%s'",
		    argv[optind]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (serve_start(&sv, listen, err) == -1)
		goto out;
	if (sv.srv != NULL)
		log_info("%s listening on port %d, at most %d connections",
		    sv.node.code, server_port(sv.srv),
		    server_max_connections(sv.srv));
	log_info("%s syncing with %d channel(s)", sv.node.code,
	    syncer_channels(sv.syncer));
	signo = loop_run(sv.loop);
	if (sv.srv != NULL)
		server_drain(sv.srv);
	log_info("%s stopped (signal %d)", sv.node.code, signo);
	rc = 0;
out:
	serve_stop(&sv);
	curl_global_cleanup();
	return rc;
}
