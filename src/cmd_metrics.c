/*
 * cmd_metrics.c: `simpul metrics [--period P] [--national] [--format F]`,
 * DESIGN §8.  It gathers the node's policy (zone, calendar, target, topic
 * tiers) and its stored events, hands them to metrics.c and prints the
 * figure set as a table, CSV, JSON or XML.  It decides no figure itself.
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

#include "cli.h"
#include "desk.h"
#include "err.h"
#include "figures.h"
#include "fmt.h"
#include "metrics.h"
#include "policy.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

enum out_kind { OUT_TABLE, OUT_CSV, OUT_JSON, OUT_XML };

/* The flat writer of table and CSV: dotted paths. */
struct flat_out {
	FILE		*f;
	enum out_kind	 kind;
	char		 path[128];
	size_t		 len[8];
	int		 depth;
};

static void
flat_begin(void *arg, const char *name)
{
	struct flat_out	*o = arg;
	size_t		 l = strlen(o->path);

	o->len[o->depth++ & 7] = l;
	snprintf(o->path + l, sizeof(o->path) - l, "%s%s", l ? "." : "",
	    name);
}

static void
flat_end(void *arg, const char *name)
{
	struct flat_out	*o = arg;

	(void)name;
	o->path[o->len[--o->depth & 7]] = '\0';
}

static void
flat_value(void *arg, const char *name, int64_t v)
{
	struct flat_out	*o = arg;
	char		 p[192];

	snprintf(p, sizeof(p), "%s.%s", o->path, name);
	if (o->kind == OUT_CSV)
		fprintf(o->f, "%s,%lld\n", p, (long long)v);
	else
		fprintf(o->f, "%-44s %12lld\n", p, (long long)v);
}

static void
fv_begin(void *arg, const char *name)
{
	fmt_obj_field(arg, name);
}

static void
fv_end(void *arg, const char *name)
{
	fmt_obj_end(arg, name);
}

static void
fv_value(void *arg, const char *name, int64_t v)
{
	fmt_int(arg, name, v);
}

static const char *
zone_name(int offset)
{
	return offset == 480 ? "WITA" : offset == 540 ? "WIT" : "WIB";
}

static void
print(const struct metrics_figures *fig, enum out_kind kind, FILE *f)
{
	static const struct metrics_visitor flatv = {
		flat_begin, flat_end, flat_value,
	};
	static const struct metrics_visitor fmtv = {
		fv_begin, fv_end, fv_value,
	};
	struct flat_out	 o;
	struct fmt	 w;
	char		 from[UTIL_TIME_LEN], to[UTIL_TIME_LEN];
	char		 cut[UTIL_TIME_LEN];

	util_time_format(fig->from, fig->offset, from);
	util_time_format(fig->to, fig->offset, to);
	util_time_format(fig->cutoff, fig->offset, cut);
	if (kind == OUT_JSON || kind == OUT_XML) {
		fmt_init(&w, f, kind == OUT_JSON ? FMT_JSON : FMT_XML);
		fmt_obj_begin(&w, "metrics");
		fmt_str(&w, "node", fig->node);
		fmt_str(&w, "zone", zone_name(fig->offset));
		fmt_str(&w, "from", from);
		fmt_str(&w, "to", to);
		fmt_str(&w, "cutoff", cut);
		metrics_walk(fig, &fmtv, &w);
		fmt_obj_end(&w, "metrics");
		fmt_end(&w);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.f = f;
	o.kind = kind;
	if (kind == OUT_CSV)
		fprintf(f, "figure,value\nnode,%s\nzone,%s\nfrom,%s\nto,%s\n"
		    "cutoff,%s\n", fig->node, zone_name(fig->offset), from, to,
		    cut);
	else
		fprintf(f, "figures of %s (%s) from %s to %s, as of %s\n"
		    "times in seconds; _bp in basis points (1/100 %%)\n",
		    fig->node, zone_name(fig->offset), from, to, cut);
	metrics_walk(fig, &flatv, &o);
}

static int
parse_format(const char *s, enum out_kind *k)
{
	if (strcmp(s, "table") == 0)
		*k = OUT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*k = OUT_CSV;
	else if (strcmp(s, "json") == 0)
		*k = OUT_JSON;
	else if (strcmp(s, "xml") == 0)
		*k = OUT_XML;
	else
		return -1;
	return 0;
}

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
compute(struct cli *cli, const char *period, int do_sign, enum out_kind kind,
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
	print(&fig, kind, stdout);
	rc = 0;
out:
	free(used);
	metrics_free(&fig);
	policy_history_free(pol, npol);
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
	enum out_kind	 kind = OUT_TABLE;
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
			if (parse_format(optarg, &kind) == -1)
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
	if (national)
		return sp_errf(err, SPE_NOT_BUILT, "--national is the hub's "
		    "national table: not built yet");
	return compute(cli, period, do_sign, kind, err);
}
