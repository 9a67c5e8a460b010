/*
 * fuzz_http.c: libFuzzer target for the HTTP request path: the raw bytes
 * of a connection go, over loopback TCP without TLS, into the evhttp
 * server of server.c (its request parsing, body and header limits,
 * routing, query parsing, one log line) and on to serve's own handlers
 * (endpoints.c): the known-node check, POST /v1/batches through
 * recv_batch(), GET /v1/batches cutting and answering, /v1/receipts,
 * /v1/status and /v1/metrics, on a scratch database.
 *
 * server.c is compiled here with SIMPUL_PLAIN_HTTP (the CN a plaintext
 * peer is taken to have: 33.21); no other build has a plaintext path.
 * The node is named hub, as the fixture's batches are addressed, but
 * serves as a regency node: the hub's routes need the client's
 * certificate, which plaintext has not.  Now is fixed at the fixture's
 * trusted time.  Each input gets a fresh copy of one database, so runs
 * do not depend on each other.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/dsig.h"
#include "exchange/endpoints.h"
#include "core/err.h"
#include "fuzz_http.h"
#include "core/log.h"
#include "net/loop.h"
#include "exchange/node.h"
#include "exchange/recv.h"
#include "net/server.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_AT		1811894400	/* 2027-06-01T00:00Z, in the fixture */
#define FUZZ_NOW	"2027-06-01T00:00:00Z"
#define FUZZ_NODE	"hub"		/* the fixture's batches go there */
#define FUZZ_INSTANCE	"00000000000000000000000000000000"

static struct loop	*loop;
static struct server	*srv;
static char		 node_name[] = "Fuzz", node_instance[] = FUZZ_INSTANCE;
static struct node	 node = { .code = FUZZ_NODE, .name = node_name,
			    .instance = node_instance, .offset = 7 * 60 };
static struct sync_conf	 conf = { .node = FUZZ_NODE,
			    .instance = FUZZ_INSTANCE, .offset = 7 * 60,
			    .max_bytes = 1024 * 1024, .max_items = 2000 };
static struct recv_ctx	 ctx = { .node = FUZZ_NODE, .hub = "hub",
			    .instance = FUZZ_INSTANCE, .offset = 7 * 60 };
static struct endpoints	 ep = { .node = &node, .conf = &conf, .ctx = &ctx };

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
	struct server_config cfg = endpoints_limits;
	char		 cmd[512], k[96], c[96];

	setenv("SIMPUL_NOW", FUZZ_NOW, 1);
	log_init(0);
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
	cfg.listen = "127.0.0.1:0";
	if (system(cmd) != 0 || dsig_init(&err) == -1 ||
	    (conf.key = trust_key_load(k, c, &err)) == NULL ||
	    (conf.trust = trust_load(FUZZ_DIR "/ca.pem", NULL, &err)) ==
	    NULL || (loop = loop_new(&err)) == NULL ||
	    (srv = server_new(loop, NULL, &cfg, &err)) == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err.msg);
		abort();
	}
	unlink(k);
	unlink(c);
	ctx.key = conf.key;
	ctx.trust = conf.trust;
	batch_limits_default(&ctx.limits);
	endpoints_route(srv, &ep);
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
	ep.store = scratch();
	fuzz_http_send(loop, server_port(srv), data, len);
	store_close(ep.store);
	ep.store = NULL;
	return 0;
}
