/*
 * cmd_exchange.c: exchange by files (DESIGN §5): `simpul export --to CODE
 * --out DIR`, `simpul import [--receipts DIR] FILE...` and `simpul channel
 * list|show|recut|resume`.  The cutter is sync.c's, the receiver recv.c's:
 * the same code the network will run.  Files hold exact stored bytes, in
 * a folder made with its parents when missing (before anything is cut or
 * imported, so that a folder that cannot be made changes nothing):
 *
 *	DIR/batch-<from>-<to>-<seq>.xml			a batch
 *	DIR/batch-<from>-<to>-<seq>-<8 hex>.xml		a re-cut (replaces)
 *	DIR/receipt-<signer>-<from>-<to>-<seq>.xml	a final receipt
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "cmd/cli.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "exchange/recv.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "core/util.h"
#include "core/xmalloc.h"

struct export {
	const struct sync_conf	*conf;
	int64_t			 head;	/* receiver's last known head */
	const char		*dir;
	int			 n;
	struct sp_err		*err;
};

static int
export_one(void *arg, const struct store_batch *b)
{
	struct export	*x = arg;
	char		 path[4096];

	/*
	 * Not yet acknowledged: a batch of receipts only earns no receipt,
	 * but a later receipt's head covers it.
	 */
	if (strcmp(b->state, "stored") != 0 || b->seq <= x->head)
		return 0;
	if (b->replaces != NULL)
		snprintf(path, sizeof(path), "%s/batch-%s-%s-%lld-%.8s.xml",
		    x->dir, x->conf->node, b->peer, (long long)b->seq,
		    b->digest);
	else
		snprintf(path, sizeof(path), "%s/batch-%s-%s-%lld.xml", x->dir,
		    x->conf->node, b->peer, (long long)b->seq);
	if (util_write_file(path, b->bytes, b->len, x->err) == -1)
		return -1;
	printf("%s\n", path);
	x->n++;
	return 0;
}

static int
cmd_export(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_conf	 conf;
	struct store_channel	 c;
	struct export		 x;
	const char		*to = NULL, *dir = NULL;
	int			 ch, n, rc = -1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			to = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			return cli_usage_err("export", err, "unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (to == NULL || dir == NULL)
		return cli_usage_err("export", err, "--to CODE and --out DIR "
		    "are required");
	if (optind != argc)
		return cli_usage_err("export", err, "unexpected argument '%s'",
		    argv[optind]);
	if (!util_node_code_valid(to))
		return cli_usage_err("export", err, "'%s' is not hub or a "
		    "region code", to);
	if (dsig_init(err) == -1 || cli_begin(cli, err) == -1 ||
	    sync_conf_load(cli->store, &conf, SYNC_KEY, err) == -1)
		return -1;
	if (strcmp(to, conf.node) == 0) {
		sp_errf(err, SPE_INVALID, "%s is this node itself", to);
		goto out;
	}
	/* Before the cut: a folder that cannot be made leaves nothing cut. */
	if (util_mkdir_p(dir, err) == -1)
		goto out;
	if (sync_cut(cli->store, &conf, to, util_now(), &n, err) == -1 ||
	    cli_commit(cli, err) == -1)
		goto out;
	memset(&x, 0, sizeof(x));
	if (store_channel_get(cli->store, to, 1, &c, err) == -1)
		goto out;
	x.head = c.head;
	x.conf = &conf;
	x.dir = dir;
	x.err = err;
	if (store_batch_out_each(cli->store, to, 1, export_one, &x,
	    err) == -1)
		goto out;
	if (x.n == 0)
		printf("nothing to send to %s\n", to);
	rc = 0;
out:
	sync_conf_clear(&conf);
	return rc;
}

/* "FILE: CODE-NAME: reason", the stable refusal line. */
static int
report(const char *path, const struct sp_err *inner, struct sp_err *err)
{
	return sp_errf(err, inner->code, "%s: %s: %s", path,
	    sp_code_name(inner->code), inner->msg);
}

static void
print_results(const char *path, const struct receipt *r)
{
	const struct receipt_result	*x;
	size_t				 i;

	for (i = 0; i < r->nresults; i++) {
		x = &r->results[i];
		if (x->outcome == OUTCOME_REFUSED)
			printf("%s: item %lld %s: refused %s: %s\n", path,
			    (long long)x->item, x->event[0] ? x->event : "-",
			    x->reason, x->detail ? x->detail : "");
		else if (x->outcome == OUTCOME_HELD)
			printf("%s: item %lld %s: held until its history "
			    "arrives\n", path, (long long)x->item, x->event);
	}
}

static void
count(const struct receipt *r, size_t n[OUTCOME_MAX])
{
	size_t	 i;

	memset(n, 0, sizeof(size_t) * OUTCOME_MAX);
	for (i = 0; i < r->nresults; i++)
		n[r->results[i].outcome]++;
}

static int
import_receipt(struct cli *cli, const struct recv_ctx *ctx, const char *path,
    const struct buf *raw, struct sp_err *err)
{
	struct receipt	 r;
	size_t		 n[OUTCOME_MAX];

	if (recv_receipt(cli->store, ctx, raw->data, raw->len, util_now(), &r,
	    err) == -1) {
		receipt_clear(&r);
		return -1;
	}
	count(&r, n);
	printf("%s: receipt from %s for batch %s->%s seq %lld: %zu applied, "
	    "%zu duplicate, %zu held, %zu refused\n", path, r.signer,
	    r.batch_from, r.batch_to, (long long)r.batch_seq,
	    n[OUTCOME_APPLIED], n[OUTCOME_DUPLICATE], n[OUTCOME_HELD],
	    n[OUTCOME_REFUSED]);
	print_results(path, &r);
	receipt_clear(&r);
	return 0;
}

static int
import_batch(struct cli *cli, const struct recv_ctx *ctx, const char *path,
    const struct buf *raw, const char *rdir, struct sp_err *err)
{
	struct recv_outcome	 o;
	char			 rpath[4096];
	int			 rc = -1;

	if (recv_batch(cli->store, ctx, raw->data, raw->len, util_now(), &o,
	    err) == -1)
		goto out;
	if (o.replay)
		printf("%s: already accepted (digest %.8s): the stored "
		    "receipt again\n", path, o.digest);
	else {
		printf("%s: accepted batch %s->%s seq %lld: %zu applied, %zu "
		    "duplicate, %zu held, %zu refused\n", path, o.h.from,
		    o.h.to, (long long)o.h.seq, o.n[OUTCOME_APPLIED],
		    o.n[OUTCOME_DUPLICATE], o.n[OUTCOME_HELD],
		    o.n[OUTCOME_REFUSED]);
		print_results(path, &o.r);
		if (o.late > 0)
			printf("%s: %zu later receipt(s) for held items\n",
			    path, o.late);
	}
	if (rdir != NULL && o.receipt != NULL) {
		struct batch	*b = NULL;
		struct receipt	 r;

		memset(&r, 0, sizeof(r));
		if (batch_parse(o.receipt, o.receipt_len, &ctx->limits, &b,
		    err) == -1 || batch_validate(b, err) == -1 ||
		    batch_receipt(b, &r, err) == -1) {
			batch_free(b);
			receipt_clear(&r);
			goto out;
		}
		snprintf(rpath, sizeof(rpath), "%s/receipt-%s-%s-%s-%lld.xml",
		    rdir, r.signer, r.batch_from, r.batch_to,
		    (long long)r.batch_seq);
		batch_free(b);
		receipt_clear(&r);
		if (util_write_file(rpath, o.receipt, o.receipt_len,
		    err) == -1)
			goto out;
		printf("%s\n", rpath);
	}
	rc = 0;
out:
	recv_outcome_clear(&o);
	return rc;
}

static int
cmd_import(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "receipts", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_conf	 conf;
	struct recv_ctx		 ctx;
	struct sp_err		 inner;
	struct batch		*b;
	struct buf		 raw;
	const char		*rdir = NULL;
	int			 ch, i, rc = -1, is_receipt;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			rdir = optarg;
			break;
		default:
			return cli_usage_err("import", err, "unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cli_usage_err("import", err, "no FILE given");
	if (dsig_init(err) == -1 || cli_store(cli, CLI_WRITE, err) == -1 ||
	    cli_not_recovering(cli, err) == -1 ||
	    sync_conf_load(cli->store, &conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1)
		return -1;
	/* Before the first import, which would be kept without its receipt. */
	if (rdir != NULL && util_mkdir_p(rdir, err) == -1)
		goto out;
	recv_ctx_init(&ctx, &conf);
	for (i = optind; i < argc; i++) {
		memset(&inner, 0, sizeof(inner));
		if (util_read_file(argv[i], ctx.limits.max_bytes, &raw,
		    &inner) == -1) {
			if (inner.code == SPE_TOO_LARGE) {
				sp_err_clear(&inner);
				sp_errf(&inner, SPE_TOO_LARGE, "document is "
				    "over %zu bytes", ctx.limits.max_bytes);
			}
			report(argv[i], &inner, err);
			goto out;
		}
		/* A receipt for our batch, or a batch for us? */
		b = NULL;
		is_receipt = 0;
		if (batch_parse(raw.data, raw.len, &ctx.limits, &b,
		    &inner) == 0 && batch_validate(b, &inner) == 0)
			is_receipt = batch_kind(b) == BATCH_KIND_RECEIPT;
		batch_free(b);
		memset(&inner, 0, sizeof(inner));
		if ((is_receipt ? import_receipt(cli, &ctx, argv[i], &raw,
		    &inner) : import_batch(cli, &ctx, argv[i], &raw, rdir,
		    &inner)) == -1) {
			buf_clear(&raw);
			report(argv[i], &inner, err);
			goto out;
		}
		buf_clear(&raw);
	}
	rc = 0;
out:
	sync_conf_clear(&conf);
	return rc;
}

/* ---- channel -------------------------------------------------------- */

struct chan_list {
	struct store	*s;
	const char	*only;
	int		 n;
	struct sp_err	*err;
};

static int
chan_line(void *arg, const struct store_channel *c)
{
	struct chan_list	*l = arg;
	int64_t			 k;

	if (l->only != NULL && strcmp(l->only, c->peer) != 0)
		return 0;
	l->n++;
	if (c->out) {
		if ((k = store_outbox_count(l->s, c->peer, l->err)) == -1)
			return -1;
		printf("out %s: seq %lld, acked %lld, receiver's head %lld, "
		    "%lld queued\n", c->peer, (long long)c->seq,
		    (long long)c->acked, (long long)c->head, (long long)k);
	} else {
		if ((k = store_held_count(l->s, c->peer, l->err)) == -1)
			return -1;
		printf("in %s: seq %lld, %lld held%s%s\n", c->peer,
		    (long long)c->seq, (long long)k,
		    c->halted ? ", HALTED: " : "",
		    c->halted && c->error ? c->error : "");
	}
	return 0;
}

/* A peer with events queued and no batch yet. */
static int
chan_new(void *arg, const char *peer)
{
	struct store_channel	 c;

	memset(&c, 0, sizeof(c));
	c.peer = peer;
	c.out = 1;
	return chan_line(arg, &c);
}

static int
show_out(void *arg, const struct store_batch *b)
{
	(void)arg;
	printf("  out seq %lld sha256 %.8s %s%s%.8s, %d refused item(s)\n",
	    (long long)b->seq, b->digest, b->state,
	    b->replaces ? ", replaces " : "", b->replaces ? b->replaces : "",
	    b->refused);
	return 0;
}

static int
show_in(void *arg, const char *digest, int64_t seq, int evidence,
    int64_t received)
{
	(void)arg;
	(void)received;
	printf("  in seq %lld sha256 %.8s %s\n", (long long)seq, digest,
	    evidence ? "EVIDENCE of equivocation" : "accepted");
	return 0;
}

static int
cmd_channel(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct chan_list	 l;
	struct sync_conf	 conf;
	struct store_channel	 c;
	long long		 seq;
	int			 n;

	if (argc < 2)
		return cli_usage_err("channel", err, "expected a subcommand");
	memset(&l, 0, sizeof(l));
	l.err = err;
	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		l.s = cli->store;
		if (store_channel_each(cli->store, chan_line, &l, err) == -1 ||
		    store_outbox_new_peers(cli->store, chan_new, &l,
		    err) == -1)
			return -1;
		if (l.n == 0)
			printf("no channel yet\n");
		return 0;
	}
	if (strcmp(argv[1], "show") == 0 && argc == 3) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		l.s = cli->store;
		l.only = argv[2];
		if (store_channel_each(cli->store, chan_line, &l, err) == -1 ||
		    store_outbox_new_peers(cli->store, chan_new, &l,
		    err) == -1 ||
		    store_batch_out_each(cli->store, argv[2], 1, show_out, NULL,
		    err) == -1 ||
		    store_batch_in_each(cli->store, argv[2], show_in, NULL,
		    err) == -1)
			return -1;
		if (l.n == 0)
			return sp_errf(err, SPE_NOT_FOUND, "no channel with %s",
			    argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "recut") == 0 && argc == 4) {
		if (util_parse_int(argv[3], 1, INT64_MAX / 2, &seq, "SEQ",
		    err) == -1) {
			err->code = SPE_USAGE;
			return -1;
		}
		if (dsig_init(err) == -1 || cli_begin(cli, err) == -1 ||
		    sync_conf_load(cli->store, &conf, SYNC_KEY, err) == -1)
			return -1;
		if (sync_recut(cli->store, &conf, argv[2], seq, util_now(), &n,
		    err) == -1 || cli_commit(cli, err) == -1) {
			sync_conf_clear(&conf);
			return -1;
		}
		sync_conf_clear(&conf);
		printf("re-cut %d batch(es) to %s from seq %lld (export them "
		    "with simpul export --to %s)\n", n, argv[2], seq, argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "resume") == 0 && argc == 3) {
		if (cli_begin(cli, err) == -1 ||
		    store_channel_get(cli->store, argv[2], 0, &c, err) == -1)
			return -1;
		if (!c.halted)
			return sp_errf(err, SPE_TRANSITION, "channel from %s "
			    "is not halted", argv[2]);
		c.halted = 0;
		c.error = NULL;
		if (store_channel_put(cli->store, &c, err) == -1 ||
		    cli_commit(cli, err) == -1)
			return -1;
		printf("channel from %s resumed at seq %lld\n", argv[2],
		    (long long)c.seq);
		return 0;
	}
	return cli_usage_err("channel", err, "unknown subcommand or wrong "
	    "arguments");
}

int
cmd_exchange(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (strcmp(argv[0], "export") == 0)
		return cmd_export(cli, argc, argv, err);
	if (strcmp(argv[0], "import") == 0)
		return cmd_import(cli, argc, argv, err);
	return cmd_channel(cli, argc, argv, err);
}
