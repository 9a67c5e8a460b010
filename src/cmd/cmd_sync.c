/*
 * cmd_sync.c: `simpul sync [--peer CODE]`, one round of the sync loop
 * (syncer.c) with every channel that has a way to the network, and
 * `simpul status`, this node and its channels for people.
 *
 * A transport failure or a 5xx, 429 leaves everything stored for the next
 * round (exit 3); a refusal is recorded as the channel's last error
 * (exit 1).  Each channel's round is one line on stdout.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "wire/batch.h"
#include "cmd/cli.h"
#include "net/client.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "core/fmt.h"
#include "net/loop.h"
#include "exchange/node.h"
#include "exchange/recv.h"
#include "exchange/status.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "exchange/syncer.h"
#include "net/tls.h"
#include "core/util.h"

struct round_sync {
	struct cli		*cli;
	struct node		 node;
	struct sync_conf	 conf;
	struct recv_ctx		 ctx;
	struct loop		*loop;
	struct tls_ctx		*tls;
	struct client		*client;
	struct syncer		*syncer;
	int			 nrefused;
	int			 ndown;
};

static void
on_round(void *arg, const struct syncer_round *rd)
{
	struct round_sync	*rs = arg;

	if (rd->state == SYNCER_DOWN) {
		rs->ndown++;
		printf("%s: %s, retry later: %s (%d batch(es) sent before)\n",
		    rd->peer, rd->local ? "stopped by this node's failure" :
		    "unreachable", rd->msg, rd->sent);
	} else if (rd->state == SYNCER_REFUSED) {
		rs->nrefused++;
		printf("%s: refused: %s\n", rd->peer, rd->msg);
	} else
		printf("%s: sent %d batch(es), acknowledged to seq %lld; "
		    "received %d batch(es), in seq %lld: %zu applied, %zu "
		    "duplicate, %zu held, %zu refused\n", rd->peer, rd->sent,
		    (long long)rd->acked, rd->pulled, (long long)rd->received,
		    rd->n[OUTCOME_APPLIED], rd->n[OUTCOME_DUPLICATE],
		    rd->n[OUTCOME_HELD], rd->n[OUTCOME_REFUSED]);
	fflush(stdout);
}

static int
begin(void *arg, struct sp_err *err)
{
	return cli_begin(arg, err);
}

static void
round_sync_clear(struct round_sync *rs)
{
	syncer_free(rs->syncer);
	client_free(rs->client);
	tls_free(rs->tls);
	loop_free(rs->loop);
	sync_conf_clear(&rs->conf);
	node_clear(&rs->node);
}

static int
sync_run(struct round_sync *rs, const char *only, struct sp_err *err)
{
	struct syncer_config	 cfg;
	struct store_peer	 p;
	int			 rc;

	if (dsig_init(err) == -1 || cli_store(rs->cli, CLI_WRITE, err) == -1 ||
	    cli_not_recovering(rs->cli, err) == -1 ||
	    node_load(rs->cli->store, NODE_KEYS, &rs->node, err) == -1 ||
	    sync_conf_load(rs->cli->store, &rs->conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1)
		return -1;
	if (only != NULL && strcmp(only, "hub") != 0 &&
	    (rc = store_peer_get(rs->cli->store, only, &p, err)) != 1)
		return rc == -1 ? -1 : sp_errf(err, SPE_NOT_FOUND, "%s is not "
		    "a peer of this node", only);
	recv_ctx_init(&rs->ctx, &rs->conf);
	if ((rs->loop = loop_new(err)) == NULL ||
	    (rs->tls = tls_client_new(rs->node.cert, rs->node.keys,
	    rs->node.ca, rs->node.crl, err)) == NULL ||
	    (rs->client = client_new(rs->loop, rs->tls, err)) == NULL)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.loop = rs->loop;
	cfg.client = rs->client;
	cfg.store = rs->cli->store;
	cfg.node = &rs->node;
	cfg.conf = &rs->conf;
	cfg.ctx = &rs->ctx;
	cfg.begin = begin;
	cfg.begin_arg = rs->cli;
	cfg.report = on_round;
	cfg.report_arg = rs;
	if ((rs->syncer = syncer_new(&cfg, only, err)) == NULL)
		return -1;
	if (syncer_channels(rs->syncer) == 0) {
		if (only != NULL)
			return sp_errf(err, SPE_INVALID, "%s has no URL and "
			    "no hub is configured: exchange files with it "
			    "(export, import)", only);
		printf("no peer with a URL and no hub\n");
		return 0;
	}
	if (syncer_once(rs->syncer, err) == -1)
		return -1;
	if (rs->nrefused > 0)
		return sp_errf(err, SPE_INVALID, "%d channel(s) refused a "
		    "batch or sent one refused here (see above)", rs->nrefused);
	if (rs->ndown > 0)
		return sp_errf(err, SPE_NET, "%d channel(s) unreachable: "
		    "everything stays stored, retry later", rs->ndown);
	return 0;
}

static int
cmd_sync(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct round_sync	 rs;
	const char		*only = NULL;
	int			 c, rc;

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
	memset(&rs, 0, sizeof(rs));
	rs.cli = cli;
	client_global_init();
	rc = sync_run(&rs, only, err);
	round_sync_clear(&rs);
	client_global_cleanup();
	return rc;
}

/* ---- status ---------------------------------------------------------- */

/* The CRL in force, one line; loud when stale (DESIGN §2). */
static void
crl_line(const struct node *nd)
{
	struct status_crl	 crl;
	char			 last[UTIL_TIME_LEN], next[UTIL_TIME_LEN];

	status_crl(nd, util_now(), &crl);
	if (crl.path == NULL) {
		printf("crl none configured\n");
		return;
	}
	if (!crl.ok) {
		printf("crl %s: UNREADABLE: %s\n", crl.path, crl.error);
		return;
	}
	util_time_format(crl.last, nd->offset, last);
	if (crl.next != 0)
		util_time_format(crl.next, nd->offset, next);
	printf("crl %s: number %s, issued %s, next update %s%s\n", crl.path,
	    crl.number[0] != '\0' ? crl.number : "none", last,
	    crl.next != 0 ? next : "none", crl.stale ? ": STALE, every "
	    "signature is refused until a fresh CRL comes" : "");
}

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
	char			 t[UTIL_TIME_LEN];
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
	if (status_collect(cli->store, nd.hub, &ch, &n, err) == -1) {
		node_clear(&nd);
		return -1;
	}
	if (kind != FMT_TABLE) {
		fmt_init(&w, stdout, kind);
		status_write(&w, &nd, util_now(), ch, n);
	} else {
		printf("%s %s (%s), instance %s\n", nd.code, nd.name,
		    nd.is_hub ? "hub" : "regency", nd.instance);
		crl_line(&nd);
		if (nd.recovering != NULL)
			printf("RECOVERING: %s; writes are refused until "
			    "simpul recover is done\n", nd.recovering);
		for (i = 0; i < n; i++) {
			printf("%s %s: sent %lld, acked %lld, received %lld, "
			    "queued %lld, unacked %lld, held %lld, refused "
			    "%lld%s\n", ch[i].peer, ch[i].url ? ch[i].url :
			    nd.is_hub ? "(pulls from here)" :
			    "(through the hub)", (long long)ch[i].sent,
			    (long long)ch[i].acked, (long long)ch[i].received,
			    (long long)ch[i].queued, (long long)ch[i].unacked,
			    (long long)ch[i].held, (long long)ch[i].refused,
			    ch[i].halted ? ", HALTED" : "");
			if (ch[i].ok_at != 0) {
				util_time_format(ch[i].ok_at, nd.offset, t);
				printf("  last good round at %s\n", t);
			}
			if (ch[i].error != NULL && ch[i].error_at != 0) {
				util_time_format(ch[i].error_at, nd.offset, t);
				printf("  last error at %s: %s\n", t,
				    ch[i].error);
			} else if (ch[i].error != NULL)
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
