/*
 * cmd_sync.c: `simpul sync [--peer CODE]`, one round over HTTPS with each
 * peer that has a URL (DESIGN §5), and `simpul status`, this node and its
 * channels for people.
 *
 * A round with one peer, in order, each step stored before the next:
 *
 *	cut	the outbox into signed, stored batches (sync_cut)
 *	push	POST every stored batch the receiver's head does not cover,
 *		in seq order; record each final receipt; stop at the first
 *		failure.  A 409 whose expected seq is at or below the one
 *		sent means the receiver is behind (a restored backup): resend
 *		the stored bytes from there, once a round.  One ahead of
 *		anything this node cut is a node that lost its own state:
 *		refused, the operator runs recover.
 *	pull	GET /v1/batches?from=PEER&to=SELF&after=N until 204, each
 *		batch through recv_batch as import would
 *	flush	when anything was pulled, cut and push again: the final
 *		receipts owed for it ride back as items
 *
 * A transport failure or a 5xx, 429 leaves everything stored for the next
 * round (exit 3); a refusal is recorded as the channel's last error
 * (exit 1).  The transfers run on the same loop and client as serve's
 * future sync loop, one at a time: call() runs the loop until the one
 * transfer is done.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "batch.h"
#include "cli.h"
#include "client.h"
#include "dsig.h"
#include "err.h"
#include "fmt.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "recv.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "tls.h"
#include "util.h"
#include "xmalloc.h"

#define SYNC_TIMEOUT	60L		/* seconds per transfer */
#define SYNC_MAX_PULL	100000		/* batches per round at most */

enum { PEER_OK, PEER_REFUSED, PEER_DOWN };

struct speer {
	char		*code;
	char		*url;
	char		*pins;		/* curl's form, or NULL */
};

struct syncer {
	struct cli		*cli;
	struct node		 node;
	struct sync_conf	 conf;
	struct recv_ctx		 ctx;
	struct loop		*loop;
	struct tls_ctx		*tls;
	struct client		*client;
	struct speer		*peers;
	int			 npeers;
};

/* One peer's round. */
struct round {
	int		 state;		/* PEER_* */
	char		 msg[300];
	int		 sent;
	int64_t		 acked;
	int		 pulled;
	int64_t		 received;
	size_t		 n[OUTCOME_MAX];
};

struct reply {
	struct loop	*loop;
	int		 done;
	int		 status;
	uint8_t		*body;
	size_t		 len;
	long		 expected;
	struct sp_err	 err;
};

static void
on_done(void *arg, const struct client_result *r)
{
	struct reply	*y = arg;

	y->done = 1;
	y->status = r->status;
	y->expected = r->expected_seq;
	if (r->status == 0)
		sp_errf(&y->err, r->err.code, "%s", r->err.msg);
	y->body = xmalloc(r->len + 1);
	if (r->len > 0)
		memcpy(y->body, r->body, r->len);
	y->body[r->len] = '\0';
	y->len = r->len;
	loop_stop(y->loop);
}

/* One transfer, the loop run until it is done. */
static int
call(struct syncer *s, const struct speer *p, const char *method,
    const char *url, const struct buf *body, struct reply *y)
{
	struct client_call	 c;

	memset(y, 0, sizeof(*y));
	memset(&c, 0, sizeof(c));
	y->loop = s->loop;
	c.method = method;
	c.url = url;
	c.peer = p->code;
	c.pins = p->pins;
	if (body != NULL) {
		c.body = body->data;
		c.len = body->len;
	}
	c.max_response = 2 * 1024 * 1024;
	c.timeout = SYNC_TIMEOUT;
	if (client_start(s->client, &c, on_done, y, &y->err) == -1)
		return -1;
	if (loop_run(s->loop) != 0 || !y->done) {
		sp_err_clear(&y->err);
		sp_errf(&y->err, SPE_NET, "interrupted by a signal");
		return -1;
	}
	return 0;
}

static void
reply_clear(struct reply *y)
{
	free(y->body);
	sp_err_clear(&y->err);
}

/* A failed transfer: down (retry later) or refused (someone must act). */
static void
judge(struct round *rd, const struct speer *p, const struct reply *y)
{
	size_t	 n;

	if (y->status == 0 || y->status >= 500 || y->status == 429) {
		rd->state = PEER_DOWN;
		if (y->status == 0)
			snprintf(rd->msg, sizeof(rd->msg), "%s", y->err.msg);
		else
			snprintf(rd->msg, sizeof(rd->msg), "%s answered %d: "
			    "%.200s", p->code, y->status, (char *)y->body);
	} else {
		rd->state = PEER_REFUSED;
		snprintf(rd->msg, sizeof(rd->msg), "%s answered %d: %.200s",
		    p->code, y->status, (char *)y->body);
	}
	n = strlen(rd->msg);
	while (n > 0 && rd->msg[n - 1] == '\n')
		rd->msg[--n] = '\0';
}

/* ---- push ------------------------------------------------------------ */

struct tosend {
	int64_t		 seq;
	char		 digest[BATCH_DIGEST_LEN];
	struct buf	 bytes;
};

struct collect {
	struct tosend	*v;
	int		 n;
	int64_t		 head;	/* stored ones above it; -1: every one */
};

static int
collect_one(void *arg, const struct store_batch *b)
{
	struct collect	*c = arg;
	struct tosend	*t;

	if (c->head >= 0 && (strcmp(b->state, "stored") != 0 ||
	    b->seq <= c->head))
		return 0;
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	t = &c->v[c->n++];
	memset(t, 0, sizeof(*t));
	t->seq = b->seq;
	snprintf(t->digest, sizeof(t->digest), "%s", b->digest);
	buf_init(&t->bytes, b->len + 1);
	buf_add(&t->bytes, b->bytes, b->len, NULL);
	return 0;
}

static void
collect_clear(struct collect *c)
{
	int	 i;

	for (i = 0; i < c->n; i++)
		buf_clear(&c->v[i].bytes);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static int
cut(struct syncer *s, const char *peer, struct sp_err *err)
{
	int	 n;

	if (cli_begin(s->cli, err) == -1)
		return -1;
	if (sync_cut(s->cli->store, &s->conf, peer, util_now(), &n,
	    err) == -1) {
		store_rollback(s->cli->store);
		return -1;
	}
	return cli_commit(s->cli, err);
}

/* A batch of receipts only: the receiver's 200 is all it earns. */
static int
ack_bare(struct syncer *s, const char *peer, const struct tosend *t,
    struct sp_err *err)
{
	if (store_begin(s->cli->store, err) == -1)
		return -1;
	if (store_batch_out_ack(s->cli->store, peer, t->seq, t->digest, NULL,
	    0, 0, err) == -1 || store_commit(s->cli->store, err) == -1) {
		store_rollback(s->cli->store);
		return -1;
	}
	return 0;
}

static int
push(struct syncer *s, const struct speer *p, const char *url,
    struct round *rd, struct sp_err *err)
{
	struct store_channel	 ch;
	struct collect		 c = { NULL, 0, 0 };
	struct reply		 y;
	struct receipt		 r;
	struct sp_err		 inner;
	int64_t			 cutseq;
	int			 i, restarted = 0, rc = -1;

	if (cut(s, p->code, err) == -1 ||
	    store_channel_get(s->cli->store, p->code, 1, &ch, err) == -1)
		return -1;
	cutseq = ch.seq;
	c.head = ch.head;
	rd->acked = ch.acked;
	if (store_batch_out_each(s->cli->store, p->code, 1, collect_one, &c,
	    err) == -1)
		goto out;
	for (i = 0; i < c.n; i++) {
		if (call(s, p, "POST", url, &c.v[i].bytes, &y) == -1) {
			rd->state = PEER_DOWN;
			snprintf(rd->msg, sizeof(rd->msg), "%s", y.err.msg);
			reply_clear(&y);
			break;
		}
		if (y.status == 200) {
			memset(&inner, 0, sizeof(inner));
			if (y.len == 0) {
				if (ack_bare(s, p->code, &c.v[i], err) == -1) {
					reply_clear(&y);
					goto out;
				}
			} else if (recv_receipt(s->cli->store, &s->ctx, y.body,
			    y.len, util_now(), &r, &inner) == -1) {
				rd->state = PEER_REFUSED;
				snprintf(rd->msg, sizeof(rd->msg), "the receipt "
				    "for seq %lld: %s: %s",
				    (long long)c.v[i].seq,
				    sp_code_name(inner.code), inner.msg);
				receipt_clear(&r);
				reply_clear(&y);
				break;
			} else {
				if (r.batch_seq > rd->acked)
					rd->acked = r.batch_seq;
				receipt_clear(&r);
			}
			rd->sent++;
			reply_clear(&y);
			continue;
		}
		if (y.status == 409 && y.expected > cutseq + 1) {
			rd->state = PEER_REFUSED;
			snprintf(rd->msg, sizeof(rd->msg), "%s expects seq %ld "
			    "but this node cut only up to %lld: it lost its "
			    "state (run simpul recover)", p->code, y.expected,
			    (long long)cutseq);
			reply_clear(&y);
			break;
		}
		if (y.status == 409 && y.expected >= 1 &&
		    y.expected <= c.v[i].seq && !restarted) {
			/* The receiver is behind: our stored bytes from there. */
			log_info("%s expects seq %ld: resending from there",
			    p->code, y.expected);
			restarted = 1;
			reply_clear(&y);
			collect_clear(&c);
			c.head = -1;
			if (store_batch_out_each(s->cli->store, p->code,
			    y.expected, collect_one, &c, err) == -1)
				goto out;
			i = -1;
			continue;
		}
		judge(rd, p, &y);
		reply_clear(&y);
		break;
	}
	rc = 0;
out:
	collect_clear(&c);
	return rc;
}

/* ---- pull ------------------------------------------------------------ */

static int
pull(struct syncer *s, const struct speer *p, const char *url,
    struct round *rd, struct sp_err *err)
{
	struct store_channel	 ch;
	struct recv_outcome	 o;
	struct recv_ctx		 ctx;
	struct reply		 y;
	struct sp_err		 inner;
	char			 u[4096];
	int64_t			 at;
	int			 i, k;

	for (k = 0; k < SYNC_MAX_PULL; k++) {
		if (store_channel_get(s->cli->store, p->code, 0, &ch,
		    err) == -1)
			return -1;
		at = ch.seq;
		rd->received = at;
		if ((size_t)snprintf(u, sizeof(u), "%s?from=%s&to=%s&after="
		    "%lld", url, p->code, s->node.code,
		    (long long)at) >= sizeof(u))
			return sp_errf(err, SPE_INVALID, "%s: URL too long",
			    p->code);
		if (call(s, p, "GET", u, NULL, &y) == -1) {
			rd->state = PEER_DOWN;
			snprintf(rd->msg, sizeof(rd->msg), "%s", y.err.msg);
			reply_clear(&y);
			return 0;
		}
		if (y.status == 204) {
			reply_clear(&y);
			return 0;
		}
		if (y.status != 200) {
			judge(rd, p, &y);
			reply_clear(&y);
			return 0;
		}
		/* Only the peer's own batches come this way (no relay yet). */
		ctx = s->ctx;
		ctx.pusher = p->code;
		memset(&inner, 0, sizeof(inner));
		if (recv_batch(s->cli->store, &ctx, y.body, y.len,
		    util_now(), &o, &inner) == -1) {
			rd->state = PEER_REFUSED;
			snprintf(rd->msg, sizeof(rd->msg), "batch after seq "
			    "%lld from %s: %s: %s", (long long)at, p->code,
			    sp_code_name(inner.code), inner.msg);
			recv_outcome_clear(&o);
			sp_err_clear(&inner);
			reply_clear(&y);
			return 0;
		}
		for (i = 0; i < OUTCOME_MAX; i++)
			rd->n[i] += o.n[i];
		recv_outcome_clear(&o);
		reply_clear(&y);
		rd->pulled++;
		if (store_channel_get(s->cli->store, p->code, 0, &ch,
		    err) == -1)
			return -1;
		if (ch.seq <= at) {
			rd->state = PEER_REFUSED;
			snprintf(rd->msg, sizeof(rd->msg), "%s answered after "
			    "seq %lld with a batch already held", p->code,
			    (long long)at);
			return 0;
		}
		rd->received = ch.seq;
	}
	return 0;
}

/* The channel's last error, or none after a good round. */
static int
note_error(struct syncer *s, const char *peer, const char *msg,
    struct sp_err *err)
{
	struct store_channel	 ch;

	if (store_begin(s->cli->store, err) == -1)
		return -1;
	if (store_channel_get(s->cli->store, peer, 1, &ch, err) == -1)
		goto bad;
	if ((msg == NULL && ch.error == NULL) ||
	    (msg != NULL && ch.error != NULL && strcmp(msg, ch.error) == 0)) {
		store_rollback(s->cli->store);
		return 0;
	}
	ch.error = msg;
	if (store_channel_put(s->cli->store, &ch, err) == -1 ||
	    store_commit(s->cli->store, err) == -1)
		goto bad;
	return 0;
bad:
	store_rollback(s->cli->store);
	return -1;
}

static int
round_with(struct syncer *s, const struct speer *p, struct round *rd,
    struct sp_err *err)
{
	char	 url[4096];
	size_t	 n;

	memset(rd, 0, sizeof(*rd));
	n = strlen(p->url);
	while (n > 0 && p->url[n - 1] == '/')
		n--;
	snprintf(url, sizeof(url), "%.*s/v1/batches", (int)n, p->url);
	if (push(s, p, url, rd, err) == -1)
		return -1;
	if (rd->state == PEER_OK && pull(s, p, url, rd, err) == -1)
		return -1;
	if (rd->state == PEER_OK && rd->pulled > 0 &&
	    push(s, p, url, rd, err) == -1)
		return -1;
	if (note_error(s, p->code, rd->state == PEER_OK ? NULL : rd->msg,
	    err) == -1)
		return -1;
	if (rd->state == PEER_DOWN)
		printf("%s: unreachable, retry later: %s (%d batch(es) sent "
		    "before)\n", p->code, rd->msg, rd->sent);
	else if (rd->state == PEER_REFUSED)
		printf("%s: refused: %s\n", p->code, rd->msg);
	else
		printf("%s: sent %d batch(es), acknowledged to seq %lld; "
		    "received %d batch(es), in seq %lld: %zu applied, %zu "
		    "duplicate, %zu held, %zu refused\n", p->code, rd->sent,
		    (long long)rd->acked, rd->pulled, (long long)rd->received,
		    rd->n[OUTCOME_APPLIED], rd->n[OUTCOME_DUPLICATE],
		    rd->n[OUTCOME_HELD], rd->n[OUTCOME_REFUSED]);
	fflush(stdout);
	return 0;
}

static int
add_peer(void *arg, const struct store_peer *p, const char *pins)
{
	struct syncer	*s = arg;
	struct speer	*sp;
	const char	*q;
	size_t		 n;
	char		*w;

	s->peers = xreallocarray(s->peers, s->npeers + 1, sizeof(*s->peers));
	sp = &s->peers[s->npeers++];
	sp->code = xstrdup(p->code);
	sp->url = p->url ? xstrdup(p->url) : NULL;
	sp->pins = NULL;
	if (pins != NULL && *pins != '\0') {
		/* "a b" -> "sha256//a;sha256//b" */
		n = strlen(pins);
		w = sp->pins = xmalloc(n * 10 + 16);
		for (q = pins; *q != '\0'; ) {
			while (*q == ' ')
				q++;
			if (*q == '\0')
				break;
			if (w != sp->pins)
				*w++ = ';';
			memcpy(w, "sha256//", 8);
			w += 8;
			while (*q != '\0' && *q != ' ')
				*w++ = *q++;
		}
		*w = '\0';
	}
	return 0;
}

static void
syncer_clear(struct syncer *s)
{
	int	 i;

	client_free(s->client);
	tls_free(s->tls);
	loop_free(s->loop);
	for (i = 0; i < s->npeers; i++) {
		free(s->peers[i].code);
		free(s->peers[i].url);
		free(s->peers[i].pins);
	}
	free(s->peers);
	sync_conf_clear(&s->conf);
	node_clear(&s->node);
}

static int
sync_run(struct syncer *s, const char *only, struct sp_err *err)
{
	struct round	 rd;
	int		 i, nrefused = 0, ndown = 0, n = 0;

	if (dsig_init(err) == -1 || cli_store(s->cli, CLI_WRITE, err) == -1 ||
	    node_load(s->cli->store, NODE_KEYS, &s->node, err) == -1 ||
	    sync_conf_load(s->cli->store, &s->conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1 ||
	    store_peer_each(s->cli->store, add_peer, s, err) == -1)
		return -1;
	s->ctx.node = s->conf.node;
	s->ctx.instance = s->conf.instance;
	s->ctx.hub = s->conf.hub;
	s->ctx.offset = s->conf.offset;
	s->ctx.trust = s->conf.trust;
	s->ctx.key = s->conf.key;
	batch_limits_default(&s->ctx.limits);
	if ((s->loop = loop_new(err)) == NULL ||
	    (s->tls = tls_client_new(s->node.cert, s->node.dkey, s->node.ca,
	    s->node.crl, err)) == NULL ||
	    (s->client = client_new(s->loop, s->tls, err)) == NULL)
		return -1;
	for (i = 0; i < s->npeers; i++) {
		if (only != NULL && strcmp(only, s->peers[i].code) != 0)
			continue;
		if (s->peers[i].url == NULL) {
			if (only != NULL)
				return sp_errf(err, SPE_NOT_BUILT, "%s has no "
				    "URL, and sync through the hub is not "
				    "built yet", only);
			continue;
		}
		n++;
		if (round_with(s, &s->peers[i], &rd, err) == -1)
			return -1;
		if (rd.state == PEER_REFUSED)
			nrefused++;
		else if (rd.state == PEER_DOWN)
			ndown++;
	}
	if (only != NULL && n == 0)
		return sp_errf(err, SPE_NOT_FOUND, "%s is not a peer of this "
		    "node", only);
	if (n == 0)
		printf("no peer with a URL\n");
	if (nrefused > 0)
		return sp_errf(err, SPE_INVALID, "%d peer(s) refused a "
		    "batch or sent one refused here (see above)", nrefused);
	if (ndown > 0)
		return sp_errf(err, SPE_NET, "%d peer(s) unreachable: "
		    "everything stays stored, retry later", ndown);
	return 0;
}

static int
cmd_sync(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct syncer	 s;
	const char	*only = NULL;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'p')
			return cli_usage_err("sync", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		only = optarg;
	}
	if (optind != argc)
		return cli_usage_err("sync", err, "unexpected argument '%s'",
		    argv[optind]);
	memset(&s, 0, sizeof(s));
	s.cli = cli;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = sync_run(&s, only, err);
	syncer_clear(&s);
	curl_global_cleanup();
	return rc;
}

/* ---- status ---------------------------------------------------------- */

static int
cmd_status(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct status_chan	*ch;
	struct node		 nd;
	struct fmt		 w;
	enum fmt_kind		 kind = FMT_TABLE;
	int			 c, i, n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'f' || fmt_parse(optarg, &kind) == -1)
			return cli_usage_err("status", err, "unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_err("status", err, "unexpected argument '%s'",
		    argv[optind]);
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    node_load(cli->store, NODE_IDENTITY, &nd, err) == -1)
		return -1;
	if (status_collect(cli->store, &ch, &n, err) == -1) {
		node_clear(&nd);
		return -1;
	}
	if (kind != FMT_TABLE) {
		fmt_init(&w, stdout, kind);
		status_write(&w, &nd, util_now(), ch, n);
	} else {
		printf("%s %s (%s), instance %s\n", nd.code, nd.name,
		    nd.is_hub ? "hub" : "regency", nd.instance);
		for (i = 0; i < n; i++) {
			printf("%s %s: sent %lld, acked %lld, received %lld, "
			    "queued %lld, unacked %lld, held %lld, refused "
			    "%lld%s\n", ch[i].peer, ch[i].url ? ch[i].url :
			    "(through the hub)", (long long)ch[i].sent,
			    (long long)ch[i].acked, (long long)ch[i].received,
			    (long long)ch[i].queued, (long long)ch[i].unacked,
			    (long long)ch[i].held, (long long)ch[i].refused,
			    ch[i].halted ? ", HALTED" : "");
			if (ch[i].error != NULL)
				printf("  last error: %s\n", ch[i].error);
		}
	}
	status_free(ch, n);
	node_clear(&nd);
	return 0;
}

int
cmd_sync_status(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (strcmp(argv[0], "sync") == 0)
		return cmd_sync(cli, argc, argv, err);
	return cmd_status(cli, argc, argv, err);
}
