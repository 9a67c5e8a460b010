/*
 * fuzz_http.c: libFuzzer target for the HTTP request path: the raw bytes
 * of a connection go, over loopback TCP without TLS, into the evhttp
 * server of server.c (its request parsing, body and header limits,
 * routing, query parsing, one log line) and on to the receiver pipeline,
 * recv_batch() on a scratch database, as serve's POST /v1/batches does.
 *
 * server.c is compiled here with SIMPUL_PLAIN_HTTP (the CN a plaintext
 * peer is taken to have); no other build has a plaintext path.  serve's
 * own handlers are static in cmd_serve.c, so the routes below do what
 * they do with the same limits (serve_defaults), at the fixed trusted
 * time of the fixture: the client must be a known node, a POST goes
 * through recv_batch(), a GET parses its query.  Each input gets a fresh
 * copy of one database, so runs do not depend on each other.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsig.h"
#include "err.h"
#include "fuzz_http.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "recv.h"
#include "server.h"
#include "store.h"
#include "trust.h"
#include "util.h"
#include "xmalloc.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_AT		1811894400	/* 2027-06-01T00:00Z, in the fixture */
#define FUZZ_NODE	"hub"		/* the fixture's batches go there */

/* The values of serve_defaults in cmd_serve.c. */
static const struct server_config cfg = {
	.listen = "127.0.0.1:0",
	.max_body = 1024 * 1024 + 4096,
	.max_headers = 16 * 1024,
	.max_conns = 256,
	.idle_timeout = 30,
	.grace = 10,
	.min_rate = 256,
	.max_age = 300,
};

static struct loop	*loop;
static struct server	*srv;
static struct trust	*trust;
static struct dsig_key	*key;
static struct store	*store;		/* this input's database */

static int
known(struct server_req *r)
{
	struct sp_err	 err = { 0 };
	int		 rc;

	if ((rc = node_knows(store, server_req_peer(r), &err)) == 1)
		return 1;
	if (rc == 0)
		sp_errf(&err, SPE_PERMISSION, "not a known node");
	server_reply_err(r, &err);
	return 0;
}

static void
on_batches(struct server_req *r, void *arg)
{
	struct recv_ctx		 ctx;
	struct recv_outcome	 o;
	struct sp_err		 err = { 0 };
	const uint8_t		*body;
	const char		*after;
	long long		 n;
	size_t			 len;

	(void)arg;
	if (!known(r))
		return;
	if (server_req_method(r) == SERVER_GET) {
		if ((after = server_req_query(r, "after")) == NULL ||
		    util_parse_int(after, 0, INT64_MAX / 2, &n, "after",
		    &err) == -1) {
			sp_err_clear(&err);
			sp_errf(&err, SPE_USAGE, "after=SEQ is required");
			server_reply_err(r, &err);
		} else
			server_reply(r, 204, "application/xml", "", 0);
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.node = FUZZ_NODE;
	ctx.instance = "00000000000000000000000000000000";
	ctx.hub = "hub";
	ctx.offset = 7 * 60;
	ctx.trust = trust;
	ctx.key = key;
	ctx.pusher = server_req_peer(r);
	batch_limits_default(&ctx.limits);
	body = server_req_body(r, &len);
	if (recv_batch(store, &ctx, body, len, FUZZ_AT, &o, &err) == -1)
		server_reply_err(r, &err);
	else
		server_reply(r, 200, "application/xml", o.receipt,
		    o.receipt != NULL ? o.receipt_len : 0);
	recv_outcome_clear(&o);
}

static void
on_status(struct server_req *r, void *arg)
{
	(void)arg;
	if (known(r))
		server_reply(r, 200, "application/json", "{}", 2);
}

/*
 * The scratch directory, on tmpfs when there is one (the receiver's
 * commits fsync): the receipts' key, and each input's database.
 */
static char	 dir[64];
static char	 dbpath[80];
static struct buf template;	/* a fresh database's bytes */

static void
cleanup(void)
{
	store_remove(dbpath);
	rmdir(dir);
}

/* A database of node FUZZ_NODE that knows the fixture's 33.21. */
static void
make_template(void)
{
	struct sp_err	 err = { 0 };
	struct store	*s;

	if ((s = store_open(dbpath, STORE_CREATE, &err)) == NULL ||
	    store_begin(s, &err) == -1 ||
	    store_setting_set(s, "node.code", FUZZ_NODE, &err) == -1 ||
	    store_peer_add(s, "33.21", NULL, FUZZ_AT, &err) == -1 ||
	    store_commit(s, &err) == -1) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		abort();
	}
	store_close(s);
	if (util_read_file(dbpath, 64 * 1024 * 1024, &template, &err) == -1) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		abort();
	}
}

/*
 * The receipts need a key of this node: a throwaway one, made with the
 * openssl tool once per process (the fixture keeps no private key).
 */
static void
fuzz_init(void)
{
	struct sp_err	 err = { 0 };
	char		 cmd[512], k[96], c[96];

	setenv("SIMPUL_SCHEMAS", FUZZ_DIR "/../schemas", 0);
	log_init(0, 0);
	snprintf(dir, sizeof(dir), "%s/simpul-fuzz-http.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(dbpath, sizeof(dbpath), "%s/node.db", dir);
	atexit(cleanup);
	snprintf(k, sizeof(k), "%s/key.pem", dir);
	snprintf(c, sizeof(c), "%s/cert.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout %s -out %s "
	    "-subj /CN=" FUZZ_NODE " -days 3650 2>/dev/null", k, c);
	if (system(cmd) != 0 || dsig_init(&err) == -1 ||
	    (key = dsig_key_load(k, c, &err)) == NULL ||
	    (trust = trust_load(FUZZ_DIR "/ca.pem", NULL, &err)) == NULL ||
	    (loop = loop_new(&err)) == NULL ||
	    (srv = server_new(loop, NULL, &cfg, &err)) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		abort();
	}
	unlink(k);
	unlink(c);
	server_route(srv, SERVER_POST | SERVER_GET, "/v1/batches", on_batches,
	    NULL);
	server_route(srv, SERVER_GET, "/v1/status", on_status, NULL);
	make_template();
}

/* This input's database: a copy of the template, so no input sees another. */
static struct store *
scratch(void)
{
	struct sp_err	 err = { 0 };
	struct store	*s;

	store_remove(dbpath);
	if (util_write_file(dbpath, template.data, template.len, &err) == -1 ||
	    (s = store_open(dbpath, STORE_WRITE, &err)) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		abort();
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (srv == NULL)
		fuzz_init();
	store = scratch();
	fuzz_http_send(loop, server_port(srv), data, len);
	store_close(store);
	store = NULL;
	return 0;
}
