/*
 * cmd_metrics.c: `simpul metrics [--period P] [--sign] [--national]
 * [--format F]`, DESIGN §6 and §8.  It gathers the node's policy versions
 * (policy.c) and hands them with the store to figures.c, records a closed
 * period's figure set for the hub channel (--sign), or, on the hub, has
 * report.c build the national table; report.c prints.  It decides no
 * figure itself.
 *
 * Like every desk command it runs in one transaction opened by
 * cli_begin(), which first records what the reply window closed: the
 * figures then count the same events `complaint list` shows.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "exchange/figures.h"
#include "rules/metrics.h"
#include "exchange/policy.h"
#include "exchange/report.h"
#include "store/store.h"
#include "core/util.h"

/* Sign the figures of a closed period into the hub channel. */
static int
sign(struct cli *cli, const struct desk *d, const struct metrics_figures *fig,
    const struct metrics_period *per, const struct figures_input *in,
    size_t nin, struct sp_err *err)
{
	char	*body;
	int64_t	 n;
	int	 rc = -1;

	if (d->now < fig->to)
		return sp_errf(err, SPE_USAGE, "the period is not over: only a "
		    "closed period's figures are signed (see: simpul help "
		    "metrics)");
	if ((n = store_figure_set_next(cli->store, d->node, err)) == -1)
		return -1;
	body = figures_format(fig, per, in, nin);
	if (store_figure_set_add(cli->store, d->node, n, per->first,
	    per->last, d->now, body, err) == -1 ||
	    (d->hub[0] != '\0' && store_item_out_add(cli->store, "hub",
	    "metrics", n, err) == -1))
		goto out;
	fprintf(stderr, "figure set %lld of %s signed%s\n", (long long)n,
	    d->node, d->hub[0] != '\0' ? " into the hub channel" :
	    " (no hub: kept here)");
	rc = 0;
out:
	free(body);
	return rc;
}

static int
compute(struct cli *cli, const char *period, int do_sign, enum report_fmt kind,
    struct sp_err *err)
{
	struct desk		 d;
	struct policy		*pol = NULL;
	struct figures_input	*used = NULL;
	struct metrics_period	 per;
	struct metrics_figures	 fig;
	struct sp_err		 perr = { 0 };
	size_t			 npol = 0, nused = 0;
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	memset(&fig, 0, sizeof(fig));
	if ((do_sign ? cli_begin(cli, err) : cli_begin_read(cli, err)) == -1 ||
	    desk_init(&d, cli->store, cli->actor, util_now(), err) == -1)
		goto out;
	if (period == NULL)
		metrics_period_month(d.now, d.offset, &per);
	else if (metrics_period_parse(period, &per, &perr) == -1) {
		cli_usage_err("metrics", err, "%s", perr.msg);
		goto out;
	}
	if (policy_history(cli->store, d.node, &pol, &npol, err) == -1 ||
	    figures_compute(cli->store, d.node, pol, npol, &per, d.now, NULL,
	    0, NULL, &fig, &used, &nused, err) == -1)
		goto out;
	if (do_sign && sign(cli, &d, &fig, &per, used, nused, err) == -1)
		goto out;
	if (cli_commit(cli, err) == -1)
		goto out;
	report_figures(&fig, kind, stdout);
	rc = 0;
out:
	free(used);
	metrics_free(&fig);
	policy_history_free(pol, npol);
	desk_clear(&d);
	return rc;
}

/*
 * The hub's national table.  Checks not yet recorded are recorded (a
 * figure set whose events arrived after it was signed is checked now).
 */
static int
show_national(struct cli *cli, const char *period, enum report_fmt kind,
    struct sp_err *err)
{
	struct desk		 d;
	struct national		 nat;
	struct metrics_period	 per;
	struct sp_err		 perr = { 0 };
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	memset(&nat, 0, sizeof(nat));
	if (cli_begin_read(cli, err) == -1 ||
	    desk_init(&d, cli->store, cli->actor, util_now(), err) == -1)
		goto out;
	if (strcmp(d.node, "hub") != 0) {
		sp_errf(err, SPE_USAGE, "--national is the hub's table; this "
		    "node is %s (see: simpul help metrics)", d.node);
		goto out;
	}
	if (period == NULL)
		metrics_period_month(d.now, d.offset, &per);
	else if (metrics_period_parse(period, &per, &perr) == -1) {
		cli_usage_err("metrics", err, "%s", perr.msg);
		goto out;
	}
	if (national_compute(cli->store, &per, d.now, d.offset,
	    store_writable(cli->store), &nat, err) == -1 ||
	    cli_commit(cli, err) == -1)
		goto out;
	national_print(&nat, kind, stdout);
	rc = 0;
out:
	national_free(&nat);
	desk_clear(&d);
	return rc;
}

int
cmd_metrics(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "national", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "sign", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*period = NULL;
	enum report_fmt	 kind = RF_TABLE;
	int		 c, national = 0, do_sign = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			period = optarg;
			break;
		case 'n':
			national = 1;
			break;
		case 's':
			do_sign = 1;
			break;
		case 'f':
			if (report_format(optarg, &kind) == -1)
				return cli_usage_err("metrics", err, "--format "
				    "must be table, xml, json or csv");
			break;
		default:
			return cli_usage_err("metrics", err, "unknown option "
			    "or missing value");
		}
	}
	if (optind < argc)
		return cli_usage_err("metrics", err, "unexpected argument "
		    "'%s'", argv[optind]);
	if (national && do_sign)
		return cli_usage_err("metrics", err, "--national and --sign "
		    "do not go together");
	if (national)
		return show_national(cli, period, kind, err);
	return compute(cli, period, do_sign, kind, err);
}
