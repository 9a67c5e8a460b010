/*
 * cmd_serve.c: `simpul serve --listen ADDR:PORT`: this node's HTTPS
 * endpoint on the event loop until SIGTERM.  It wires the routes of DESIGN
 * §5 to their handlers and answers only nodes this one knows.  The sync
 * loop (pushing outboxes, pulling inboxes) joins the same loop.
 */
#include "config.h"

#include <sys/file.h>

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
#include "dsig.h"
#include "err.h"
#include "fmt.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "recv.h"
#include "server.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "tls.h"
#include "util.h"
#include "xmalloc.h"

/* The federation's limits (DESIGN §4): a batch is at most 1 MiB. */
static const struct server_config serve_defaults = {
	.max_body = 1024 * 1024 + 4096,
	.max_headers = 16 * 1024,
	.max_conns = 256,
	.idle_timeout = 30,
	.grace = 10,
	.min_rate = 256,
	.max_age = 300,
};

struct serve {
	struct cli	*cli;
	struct node	 node;
	struct loop	*loop;
	struct tls_ctx	*tls;
	struct server	*srv;
	int		 lockfd;	/* DB.lock, flocked for our life */
	struct sync_conf conf;
	struct recv_ctx	 ctx;
};

/* The peer must be a node this one knows; else 403 and nothing more. */
static int
known_peer(struct serve *sv, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	int		 rc;

	if ((rc = node_knows(sv->cli->store, server_req_peer(r), &err)) == 1)
		return 1;
	if (rc == 0)
		sp_errf(&err, SPE_PERMISSION, "%s is not a node %s exchanges "
		    "with", server_req_peer(r), sv->node.code);
	server_reply_err(r, &err);
	return 0;
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
	if (status_collect(sv->cli->store, &c, &n, &err) == -1) {
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

/*
 * POST /v1/batches: a batch for this node, straight from its author (the
 * client's CN must be the batch's from: relaying is the hub's).  The same
 * receiver as import, at this server's clock.  200 with the signed final
 * receipt; 200 and no body for a batch of receipts only (it earns none);
 * else the error table's status, a 409 with X-Simpul-Expected-Seq.
 */
static void
on_batch_post(struct server_req *r, void *arg)
{
	struct serve		*sv = arg;
	struct sp_err		 err = { 0 };
	struct recv_outcome	 o;
	struct recv_ctx		 ctx;
	const uint8_t		*body;
	const char		*peer = server_req_peer(r);
	size_t			 len;
	char			 num[32];

	if (!known_peer(sv, r))
		return;
	body = server_req_body(r, &len);
	ctx = sv->ctx;
	ctx.pusher = peer;
	if (recv_batch(sv->cli->store, &ctx, body, len, util_now(), &o,
	    &err) == -1) {
		if (err.code == SPE_SEQ_GAP || err.code == SPE_PREV ||
		    err.code == SPE_EQUIVOCATION) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)o.expected);
			server_req_header(r, "X-Simpul-Expected-Seq", num);
		}
		log_info("%s: batch from %s refused: %s: %s", sv->node.code,
		    peer, sp_code_name(err.code), err.msg);
		server_reply_err(r, &err);
	} else
		server_reply(r, 200, "application/xml", o.receipt,
		    o.receipt != NULL ? o.receipt_len : 0);
	recv_outcome_clear(&o);
}

struct pull {
	int64_t		 after;
	uint8_t		*bytes;
	size_t		 len;
};

static int
pull_one(void *arg, const struct store_batch *b)
{
	struct pull	*p = arg;

	if (p->bytes != NULL || b->seq <= p->after)
		return 0;
	p->bytes = xmalloc(b->len);
	memcpy(p->bytes, b->bytes, b->len);
	p->len = b->len;
	return 0;
}

/*
 * GET /v1/batches?from=THIS&to=CN&after=SEQ: the next batch this node
 * stored for the client after SEQ, its exact bytes, or 204.  from and to
 * default to this node and the client; another from (relay, recovery) is
 * not built yet.
 */
static void
on_batch_get(struct server_req *r, void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct pull	 p = { 0, NULL, 0 };
	const char	*peer = server_req_peer(r);
	const char	*from = server_req_query(r, "from");
	const char	*to = server_req_query(r, "to");
	const char	*after = server_req_query(r, "after");
	long long	 n;
	int		 k;

	if (!known_peer(sv, r))
		return;
	if (to != NULL && strcmp(to, peer) != 0) {
		sp_errf(&err, SPE_PERMISSION, "%s may not pull the batches "
		    "for %s", peer, to);
		goto bad;
	}
	if (from != NULL && strcmp(from, sv->node.code) != 0) {
		sp_errf(&err, SPE_NOT_BUILT, "%s holds only its own batches "
		    "(relay and recovery are not built yet)", sv->node.code);
		goto bad;
	}
	if (after == NULL || util_parse_int(after, 0, INT64_MAX / 2, &n,
	    "after", &err) == -1) {
		sp_err_clear(&err);
		sp_errf(&err, SPE_USAGE, "after=SEQ is required");
		goto bad;
	}
	p.after = n;
	if (store_batch_out_each(sv->cli->store, peer, n + 1, pull_one, &p,
	    &err) == -1)
		goto bad;
	/* Nothing stored after it: cut what is queued, stored before sent. */
	if (p.bytes == NULL) {
		if (store_begin(sv->cli->store, &err) == -1)
			goto bad;
		if (sync_cut(sv->cli->store, &sv->conf, peer, util_now(), &k,
		    &err) == -1 || store_commit(sv->cli->store, &err) == -1) {
			store_rollback(sv->cli->store);
			goto bad;
		}
		if (k > 0 && store_batch_out_each(sv->cli->store, peer, n + 1,
		    pull_one, &p, &err) == -1)
			goto bad;
	}
	if (p.bytes == NULL)
		server_reply(r, 204, "application/xml", "", 0);
	else
		server_reply(r, 200, "application/xml", p.bytes, p.len);
	free(p.bytes);
	return;
bad:
	free(p.bytes);	/* a scan that failed after its copy */
	server_reply_err(r, &err);
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
serve_start(struct serve *sv, const char *listen, struct sp_err *err)
{
	struct server_config	 cfg = serve_defaults;

	cfg.listen = listen;
	if (cli_store(sv->cli, CLI_WRITE, err) == -1 ||
	    serve_lock(sv, err) == -1 ||
	    node_load(sv->cli->store, NODE_KEYS, &sv->node, err) == -1 ||
	    (sv->loop = loop_new(err)) == NULL ||
	    (sv->tls = tls_server_new(sv->node.cert, sv->node.dkey,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    dsig_init(err) == -1 ||
	    sync_conf_load(sv->cli->store, &sv->conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1 ||
	    (sv->srv = server_new(sv->loop, sv->tls, &cfg, err)) == NULL)
		return -1;
	sv->ctx.node = sv->conf.node;
	sv->ctx.instance = sv->conf.instance;
	sv->ctx.hub = sv->conf.hub;
	sv->ctx.offset = sv->conf.offset;
	sv->ctx.trust = sv->conf.trust;
	sv->ctx.key = sv->conf.key;
	batch_limits_default(&sv->ctx.limits);
	server_route(sv->srv, SERVER_GET, "/v1/status", on_status, sv);
	server_route(sv->srv, SERVER_POST | SERVER_GET, "/v1/batches",
	    on_batches, sv);
	return 0;
}

static void
serve_stop(struct serve *sv)
{
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
	if (listen == NULL)
		return sp_errf(err, SPE_NOT_BUILT, "the sync loop is not built "
		    "yet: give --listen ADDR:PORT");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (serve_start(&sv, listen, err) == -1)
		goto out;
	log_info("%s listening on port %d", sv.node.code, server_port(sv.srv));
	signo = loop_run(sv.loop);
	server_drain(sv.srv);
	log_info("%s stopped (signal %d)", sv.node.code, signo);
	rc = 0;
out:
	serve_stop(&sv);
	curl_global_cleanup();
	return rc;
}
