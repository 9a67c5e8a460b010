/*
 * cmd_recover.c: `simpul recover` (DESIGN §2).  A node that lost its
 * database (and ran init again) or restored an old backup takes a new
 * instance id, refuses every write, and pulls its own batches back, in seq
 * order, from where they were accepted: from the hub its channel to the
 * hub (its complete log) and what the hub relayed for it, from every peer
 * with a URL what that peer accepted.  recover.c re-applies each; then the
 * counters move past the highest seen and writes are allowed again.
 *
 * A failure (a source unreachable, a batch that does not fit) leaves the
 * node recovering; running recover again goes on from where it stopped,
 * since each batch came in its own transaction.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cmd/cli.h"
#include "net/client.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "net/loop.h"
#include "exchange/node.h"
#include "exchange/recover.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "exchange/syncer.h"
#include "net/tls.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define XFER_TIMEOUT	60L
#define MAX_RESPONSE	(2 * 1024 * 1024)

/* Where the batches to one destination are kept. */
struct source {
	char		 dest[16];
	char		 via[16];	/* the server: dest itself, or the hub */
	char		*url;		/* .../v1/batches */
	char		*pins;		/* curl's form, or NULL */
	int		 got;
};

struct rec {
	struct cli		*cli;
	struct node		 node;
	struct sync_conf	 conf;
	struct loop		*loop;
	struct tls_ctx		*tls;
	struct client		*client;
	struct source		*src;
	int			 n;
	int			 cur;
	char			*hub_pins;
	struct recover_tally	 t;
	struct sp_err		 err;
};

static void	 pull(void *);

static void
add_source(struct rec *r, const char *dest, const char *via,
    const char *base, const char *pins)
{
	struct source	*s;
	size_t		 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	r->src = xreallocarray(r->src, r->n + 1, sizeof(*r->src));
	s = &r->src[r->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->dest, sizeof(s->dest), "%s", dest);
	snprintf(s->via, sizeof(s->via), "%s", via);
	s->url = xasprintf("%.*s/v1/batches", (int)n, base);
	s->pins = syncer_curl_pins(pins);
}

static int
hub_pins(void *arg, const struct store_peer *p, const char *pins)
{
	struct rec	*r = arg;

	if (strcmp(p->code, "hub") == 0 && pins != NULL && *pins != '\0')
		r->hub_pins = xstrdup(pins);
	return 0;
}

/* A peer with a URL kept what it accepted; the hub what it relayed. */
static int
peer_source(void *arg, const struct store_peer *p, const char *pins)
{
	struct rec	*r = arg;

	if (strcmp(p->code, "hub") == 0)
		return 0;
	if (p->url != NULL)
		add_source(r, p->code, p->code, p->url, pins);
	else if (r->node.hub != NULL)
		add_source(r, p->code, "hub", r->node.hub, r->hub_pins);
	return 0;
}

static void
fail(struct rec *r, struct sp_err *err)
{
	sp_errf(&r->err, err->code, "%s", err->msg);
	sp_err_clear(err);
	loop_stop(r->loop);
}

static void
next(struct rec *r, long ms, void (*fn)(void *))
{
	struct sp_err	 err = { 0 };

	if (loop_after(r->loop, ms, fn, r, &err) == -1)
		fail(r, &err);
}

static int
take(struct rec *r, struct source *s, const struct client_result *res,
    struct sp_err *err)
{
	struct buf	 relay;
	int		 rc;

	buf_init(&relay, MAX_RESPONSE);
	rc = res->relay != NULL ? util_unhex(res->relay, &relay, err) : 0;
	if (rc == 0)
		rc = recover_batch(r->cli->store, &r->conf, s->dest, res->body,
		    res->len, res->relay != NULL ? relay.data : NULL,
		    relay.len, util_now(), &r->t, err);
	buf_clear(&relay);
	return rc;
}

static void
on_get(void *arg, const struct client_result *res)
{
	struct rec	*r = arg;
	struct source	*s = &r->src[r->cur];
	struct sp_err	 err = { 0 };
	int		 n;

	if (res->status == 200) {
		if (take(r, s, res, &err) == -1) {
			sp_errf(&r->err, err.code, "a batch to %s from %s: %s",
			    s->dest, s->via, err.msg);
			sp_err_clear(&err);
			loop_stop(r->loop);
			return;
		}
		s->got++;
		next(r, 0, pull);
		return;
	}
	if (res->status == 204) {
		r->cur++;
		next(r, 0, pull);
		return;
	}
	n = res->len > 200 ? 200 : (int)res->len;
	if (res->status == 0)
		sp_errf(&r->err, SPE_NET, "%s: %s", s->via, res->err.msg);
	else
		sp_errf(&r->err, res->status >= 500 || res->status == 429 ?
		    SPE_NET : SPE_INVALID, "%s answered %d: %.*s", s->via,
		    res->status, n, res->body ? (const char *)res->body : "");
	loop_stop(r->loop);
}

/* The next batch to the current destination after the last acknowledged. */
static void
pull(void *arg)
{
	struct rec		*r = arg;
	struct source		*s;
	struct store_channel	 ch;
	struct client_call	 call;
	struct sp_err		 err = { 0 };
	char			*url;

	if (r->cur == r->n) {
		loop_stop(r->loop);
		return;
	}
	s = &r->src[r->cur];
	if (store_channel_get(r->cli->store, s->dest, 1, &ch, &err) == -1) {
		fail(r, &err);
		return;
	}
	url = xasprintf("%s?from=%s&to=%s&after=%lld", s->url, r->node.code,
	    s->dest, (long long)ch.acked);
	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.url = url;
	call.peer = s->via;
	call.pins = s->pins;
	call.max_response = MAX_RESPONSE;
	call.timeout = XFER_TIMEOUT;
	if (client_start(r->client, &call, on_get, r, &err) == -1)
		fail(r, &err);
	free(url);
}

static void
report(struct rec *r)
{
	struct store_channel	 ch;
	struct sp_err		 err = { 0 };
	int			 i;

	for (i = 0; i < r->n; i++) {
		if (store_channel_get(r->cli->store, r->src[i].dest, 1, &ch,
		    &err) == -1) {
			sp_err_clear(&err);
			ch.seq = 0;
		}
		printf("%s: %d batch(es) back from %s, channel at seq %lld\n",
		    r->src[i].dest, r->src[i].got, r->src[i].via,
		    (long long)ch.seq);
	}
	printf("restored %d batch(es): %d own event(s) applied, %d "
	    "duplicate, %d waiting for other nodes' events, %d refused; "
	    "%d complaint(s) filed here\n", r->t.batches, r->t.applied,
	    r->t.duplicate, r->t.held, r->t.refused, r->t.filed);
	printf("highest in them: event seq %lld, complaint number %lld; "
	    "this node numbers on after both\n", (long long)r->t.author_seq,
	    (long long)r->t.number);
	printf("reporter identity is in no batch: it is lost for the "
	    "complaints filed here before the loss\n");
	printf("this node is instance %s now; every node refuses it until "
	    "its operator re-enrols it:\n", r->conf.instance);
	for (i = 0; i < r->n; i++)
		printf("  on %s run: simpul peer reenrol %s\n", r->src[i].dest,
		    r->node.code);
	printf("then run simpul sync (or serve) to pull what the others sent "
	    "this node\n");
}

static void
rec_clear(struct rec *r)
{
	int	 i;

	for (i = 0; i < r->n; i++) {
		free(r->src[i].url);
		free(r->src[i].pins);
	}
	free(r->src);
	free(r->hub_pins);
	client_free(r->client);
	tls_free(r->tls);
	loop_free(r->loop);
	sync_conf_clear(&r->conf);
	node_clear(&r->node);
	sp_err_clear(&r->err);
}

static int
new_instance(struct rec *r, struct sp_err *err)
{
	uint8_t		 rnd[16];
	char		 inst[33];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return sp_errf(err, SPE_INTERNAL, "no randomness for the "
		    "instance id");
	util_hex(rnd, sizeof(rnd), inst);
	return recover_start(r->cli->store, inst, err);
}

static int
run(struct rec *r, struct sp_err *err)
{
	if (dsig_init(err) == -1 || cli_store(r->cli, CLI_WRITE, err) == -1 ||
	    new_instance(r, err) == -1 ||
	    node_load(r->cli->store, NODE_KEYS, &r->node, err) == -1 ||
	    sync_conf_load(r->cli->store, &r->conf, SYNC_TRUST, err) == -1)
		return -1;
	if (store_peer_each(r->cli->store, hub_pins, r, err) == -1)
		return -1;
	if (r->node.hub != NULL)
		add_source(r, "hub", "hub", r->node.hub, r->hub_pins);
	if (store_peer_each(r->cli->store, peer_source, r, err) == -1)
		return -1;
	if (r->n == 0)
		return sp_errf(err, SPE_INVALID, "no hub and no peer: nothing "
		    "to recover from (add them with simpul peer add, or "
		    "config set node.hub)");
	if ((r->loop = loop_new(err)) == NULL ||
	    (r->tls = tls_client_new(r->node.cert, r->node.keys, r->node.ca,
	    r->node.crl, err)) == NULL ||
	    (r->client = client_new(r->loop, r->tls, err)) == NULL)
		return -1;
	next(r, 0, pull);
	if (loop_run(r->loop) != 0)
		return sp_errf(err, SPE_NET, "interrupted by a signal: run "
		    "simpul recover again");
	if (r->err.code != SPE_OK)
		return sp_errf(err, r->err.code, "%s; this node stays "
		    "recovering: run simpul recover again", r->err.msg);
	if (recover_finish(r->cli->store, &r->t, err) == -1)
		return -1;
	report(r);
	return 0;
}

int
cmd_recover(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct rec	 r;
	int		 rc;

	if (argc != 1)
		return cli_usage_err("recover", err, "unexpected argument "
		    "'%s'", argv[1]);
	memset(&r, 0, sizeof(r));
	r.cli = cli;
	rc = run(&r, err);
	rec_clear(&r);
	return rc;
}
