/*
 * report.c: the figures as they are read (report.h).  It owns the four
 * output forms of one node's figure set and the hub's national table:
 * which figure sets it shows (each node's latest for the period), the
 * hub's recomputation of each from the same inputs and the record of its
 * differences, and the ranking.  What a figure means is metrics.c's;
 * which events count, figures.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "exchange/figures.h"
#include "core/fmt.h"
#include "rules/metrics.h"
#include "exchange/policy.h"
#include "exchange/report.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

static const char *const status_names[NS_MAX] = {
	"ok", "differs", "incomplete", "no_policy",
};
/* The ranked figures: the regulatory follow-up and the 24 h figure. */
static const char *const rank_names[RR_MAX] = { "follow_up", "first_24h" };
static const enum metrics_clock rank_clock[RR_MAX] = { MC_FOLLOW_UP, MC_24H };

int
report_format(const char *s, enum report_fmt *k)
{
	if (strcmp(s, "table") == 0)
		*k = RF_TABLE;
	else if (strcmp(s, "csv") == 0)
		*k = RF_CSV;
	else if (strcmp(s, "json") == 0)
		*k = RF_JSON;
	else if (strcmp(s, "xml") == 0)
		*k = RF_XML;
	else
		return -1;
	return 0;
}

static const char *
zone_name(int offset)
{
	return offset == 480 ? "WITA" : offset == 540 ? "WIT" : "WIB";
}

/* ---- one node's figure set ---------------------------------------------- */

/* The flat writer of table and CSV: dotted paths. */
struct flat_out {
	FILE		*f;
	enum report_fmt	 kind;
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
	if (o->kind == RF_CSV)
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

void
report_figures(const struct metrics_figures *fig, enum report_fmt kind,
    FILE *f)
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
	if (kind == RF_JSON || kind == RF_XML) {
		fmt_init(&w, f, kind == RF_JSON ? FMT_JSON : FMT_XML);
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
	if (kind == RF_CSV)
		fprintf(f, "figure,value\nnode,%s\nzone,%s\nfrom,%s\nto,%s\n"
		    "cutoff,%s\n", fig->node, zone_name(fig->offset), from, to,
		    cut);
	else
		fprintf(f, "figures of %s (%s) from %s to %s, as of %s\n"
		    "times in seconds; _bp in basis points (1/100 %%)\n",
		    fig->node, zone_name(fig->offset), from, to, cut);
	metrics_walk(fig, &flatv, &o);
}

/* ---- the hub's check of a figure set ------------------------------------ */

static void
add_diff(void *arg, const char *path, int64_t a, int64_t b)
{
	struct national_row	*r = arg;

	r->diff = xreallocarray(r->diff, r->ndiff + 1, sizeof(*r->diff));
	r->diff[r->ndiff].path = xstrdup(path);
	r->diff[r->ndiff].signed_value = a;
	r->diff[r->ndiff++].recomputed = b;
}

/* Does the hub hold every author's events up to the inputs? */
static int
complete(struct store *s, const struct figures_signed *fs, struct sp_err *err)
{
	size_t	 i;
	int64_t	 have;

	for (i = 0; i < fs->nin; i++) {
		if ((have = store_event_max_seq(s, fs->in[i].author,
		    err)) == -1)
			return -1;
		if (have < fs->in[i].seq)
			return 0;
	}
	return 1;
}

/*
 * Recompute the row's signed set from the same inputs, as of the time it
 * was signed (a closed period: the cutoff is the period's end), and list
 * the differences.  pol: the node's policy versions the hub holds.
 */
static int
check_row(struct store *s, struct national_row *r, const struct policy *pol,
    size_t npol, struct sp_err *err)
{
	struct metrics_figures	 fig;
	int			 c;

	if (npol == 0) {
		r->status = NS_NO_POLICY;
		return 0;
	}
	if ((c = complete(s, &r->sig, err)) == -1)
		return -1;
	if (c == 0) {
		r->status = NS_INCOMPLETE;
		return 0;
	}
	if (figures_compute(s, r->node, pol, npol, &r->sig.period,
	    r->signed_at, r->sig.in, r->sig.nin, NULL, &fig, NULL, NULL,
	    err) == -1)
		return -1;
	r->nre = metrics_flatten(&fig, &r->re);
	metrics_free(&fig);
	metrics_compare_items(r->sig.fig, r->sig.nfig, r->re, r->nre,
	    add_diff, r);
	r->status = r->ndiff == 0 ? NS_OK : NS_DIFFERS;
	return 0;
}

/* Record a check once: when it was made and every difference. */
static int
record_row(struct store *s, const struct national_row *r, int64_t now,
    struct sp_err *err)
{
	int64_t	 nd;
	size_t	 i;
	int	 found;

	if (r->status != NS_OK && r->status != NS_DIFFERS)
		return 0;
	if ((found = store_figure_check_get(s, r->node, r->set, &nd,
	    err)) != 0)
		return found == -1 ? -1 : 0;
	if (store_figure_check_add(s, r->node, r->set, now,
	    (int64_t)r->ndiff, err) == -1)
		return -1;
	for (i = 0; i < r->ndiff; i++)
		if (store_figure_diff_add(s, r->node, r->set, r->diff[i].path,
		    r->diff[i].signed_value, r->diff[i].recomputed,
		    err) == -1)
			return -1;
	return 0;
}

static void
row_clear(struct national_row *r)
{
	size_t	 i;

	figures_signed_clear(&r->sig);
	metrics_items_free(r->re, r->nre);
	for (i = 0; i < r->ndiff; i++)
		free(r->diff[i].path);
	free(r->diff);
	memset(r, 0, sizeof(*r));
}

/* Collecting the latest set per node (or one set). */
struct collect {
	const struct metrics_period *period;	/* NULL: any */
	struct national		*nat;
	struct sp_err		*err;
};

static int
collect_set(void *arg, const struct store_figure_set *f)
{
	struct collect		*c = arg;
	struct national		*nat = c->nat;
	struct national_row	*r;

	if (c->period != NULL && (f->first != c->period->first ||
	    f->last != c->period->last))
		return 0;
	/* By node, then n: a later set of the same node replaces. */
	if (nat->n > 0 && strcmp(nat->row[nat->n - 1].node, f->node) == 0)
		row_clear(r = &nat->row[nat->n - 1]);
	else {
		nat->row = xreallocarray(nat->row, nat->n + 1,
		    sizeof(*nat->row));
		r = &nat->row[nat->n++];
		memset(r, 0, sizeof(*r));
	}
	snprintf(r->node, sizeof(r->node), "%s", f->node);
	r->set = f->n;
	r->signed_at = f->signed_at;
	return figures_parse(f->body, &r->sig, c->err);
}

int
national_check(struct store *s, const char *node, int64_t n, int64_t now,
    struct sp_err *err)
{
	struct national	 nat;
	struct collect	 c;
	struct policy	*pol = NULL;
	size_t		 npol = 0;
	int		 rc = -1;

	memset(&nat, 0, sizeof(nat));
	c.period = NULL;
	c.nat = &nat;
	c.err = err;
	if (store_figure_set_each(s, node, n, collect_set, &c, err) == -1 ||
	    nat.n != 1 ||
	    policy_history(s, node, &pol, &npol, err) == -1 ||
	    check_row(s, &nat.row[0], pol, npol, err) == -1 ||
	    record_row(s, &nat.row[0], now, err) == -1)
		goto out;
	rc = 0;
out:
	policy_history_free(pol, npol);
	national_free(&nat);
	return rc;
}

/* The ranked figures from the hub's own events, late entries moved. */
static int
rank_values(struct store *s, struct national_row *r, const struct policy *pol,
    size_t npol, const struct national *nat, struct sp_err *err)
{
	struct metrics_figures	 fig;
	struct figures_late	 late = { nat->tolerance, s };
	int			 i;

	if (figures_compute(s, r->node, pol, npol, &nat->period, nat->now,
	    NULL, 0, &late, &fig, NULL, NULL, err) == -1)
		return -1;
	for (i = 0; i < RR_MAX; i++)
		r->value[i] = fig.clocks[rank_clock[i]].met_bp;
	r->late = fig.late;
	metrics_free(&fig);
	return 0;
}

int
national_compute(struct store *s, const struct metrics_period *per,
    int64_t now, int offset, int record, struct national *nat,
    struct sp_err *err)
{
	struct collect	 c;
	struct policy	*pol;
	long long	 hours;
	size_t		 i, j, npol;
	int		 k;

	memset(nat, 0, sizeof(*nat));
	nat->period = *per;
	nat->now = now;
	nat->offset = offset;
	if (settings_get_int(s, "metrics.late_hours", &hours, err) == -1)
		return -1;
	nat->tolerance = (int64_t)hours * 3600;
	c.period = per;
	c.nat = nat;
	c.err = err;
	if (store_figure_set_each(s, NULL, 0, collect_set, &c, err) == -1)
		goto bad;
	for (i = 0; i < nat->n; i++) {
		if (policy_history(s, nat->row[i].node, &pol, &npol, err) == -1)
			goto bad;
		if (check_row(s, &nat->row[i], pol, npol, err) == -1 ||
		    (npol > 0 && rank_values(s, &nat->row[i], pol, npol, nat,
		    err) == -1) ||
		    (record && record_row(s, &nat->row[i], now, err) == -1)) {
			policy_history_free(pol, npol);
			goto bad;
		}
		policy_history_free(pol, npol);
	}
	/* Competition ranking: 1 + how many did better; ties share. */
	for (k = 0; k < RR_MAX; k++)
		for (i = 0; i < nat->n; i++) {
			if (nat->row[i].status == NS_NO_POLICY)
				continue;
			nat->row[i].rank[k] = 1;
			for (j = 0; j < nat->n; j++)
				if (nat->row[j].status != NS_NO_POLICY &&
				    nat->row[j].value[k] > nat->row[i].value[k])
					nat->row[i].rank[k]++;
		}
	return 0;
bad:
	national_free(nat);
	return -1;
}

void
national_free(struct national *nat)
{
	size_t	 i;

	for (i = 0; i < nat->n; i++)
		row_clear(&nat->row[i]);
	free(nat->row);
	memset(nat, 0, sizeof(*nat));
}

/* ---- the national table's forms ---------------------------------------- */

/* A figure's value in a sorted flat list; 0 and *found 0 if absent. */
static int64_t
item_value(const struct metrics_item *it, size_t n, const char *path,
    int *found)
{
	size_t	 lo = 0, hi = n, mid;
	int	 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(path, it[mid].path)) == 0) {
			*found = 1;
			return it[mid].value;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = 0;
	return 0;
}

static void
print_struct(const struct national *nat, enum report_fmt kind, FILE *f)
{
	struct fmt		 w;
	const struct national_row *r;
	char			 d1[11], d2[11], t[UTIL_TIME_LEN];
	size_t			 i, j;
	int			 k, found;
	int64_t			 v;

	util_date_format(nat->period.first, d1);
	util_date_format(nat->period.last, d2);
	fmt_init(&w, f, kind == RF_JSON ? FMT_JSON : FMT_XML);
	fmt_obj_begin(&w, "national");
	fmt_str(&w, "first", d1);
	fmt_str(&w, "last", d2);
	util_time_format(nat->now, nat->offset, t);
	fmt_str(&w, "as_of", t);
	fmt_int(&w, "late_tolerance_hours", nat->tolerance / 3600);
	fmt_list_begin(&w, "nodes", "node");
	for (i = 0; i < nat->n; i++) {
		r = &nat->row[i];
		fmt_obj_begin(&w, "node");
		fmt_str(&w, "code", r->node);
		fmt_int(&w, "set", r->set);
		util_time_format(r->signed_at, nat->offset, t);
		fmt_str(&w, "signed", t);
		fmt_str(&w, "status", status_names[r->status]);
		fmt_int(&w, "late", r->late);
		fmt_obj_field(&w, "ranking");
		for (k = 0; k < RR_MAX; k++) {
			fmt_obj_field(&w, rank_names[k]);
			fmt_int(&w, "met_bp", r->value[k]);
			fmt_int(&w, "rank", r->rank[k]);
			fmt_obj_end(&w, rank_names[k]);
		}
		fmt_obj_end(&w, "ranking");
		fmt_list_begin(&w, "differences", "difference");
		for (j = 0; j < r->ndiff; j++) {
			fmt_obj_begin(&w, "difference");
			fmt_str(&w, "figure", r->diff[j].path);
			fmt_int(&w, "signed", r->diff[j].signed_value);
			fmt_int(&w, "recomputed", r->diff[j].recomputed);
			fmt_obj_end(&w, "difference");
		}
		fmt_list_end(&w, "differences");
		fmt_list_begin(&w, "figures", "figure");
		for (j = 0; j < r->sig.nfig; j++) {
			fmt_obj_begin(&w, "figure");
			fmt_str(&w, "name", r->sig.fig[j].path);
			fmt_int(&w, "signed", r->sig.fig[j].value);
			v = item_value(r->re, r->nre, r->sig.fig[j].path,
			    &found);
			if (found)
				fmt_int(&w, "recomputed", v);
			fmt_obj_end(&w, "figure");
		}
		fmt_list_end(&w, "figures");
		fmt_obj_end(&w, "node");
	}
	fmt_list_end(&w, "nodes");
	fmt_obj_end(&w, "national");
	fmt_end(&w);
}

static void
print_csv(const struct national *nat, FILE *f)
{
	const struct national_row *r;
	size_t			 i, j;
	int			 k, found;
	int64_t			 v;

	fprintf(f, "node,set,status,figure,signed,recomputed\n");
	for (i = 0; i < nat->n; i++) {
		r = &nat->row[i];
		for (k = 0; k < RR_MAX; k++)
			fprintf(f, "%s,%lld,%s,ranking.%s.met_bp,,%lld\n"
			    "%s,%lld,%s,ranking.%s.rank,,%lld\n", r->node,
			    (long long)r->set, status_names[r->status],
			    rank_names[k], (long long)r->value[k], r->node,
			    (long long)r->set, status_names[r->status],
			    rank_names[k], (long long)r->rank[k]);
		fprintf(f, "%s,%lld,%s,ranking.late,,%lld\n", r->node,
		    (long long)r->set, status_names[r->status],
		    (long long)r->late);
		for (j = 0; j < r->sig.nfig; j++) {
			fprintf(f, "%s,%lld,%s,%s,%lld,", r->node,
			    (long long)r->set, status_names[r->status],
			    r->sig.fig[j].path, (long long)r->sig.fig[j].value);
			v = item_value(r->re, r->nre, r->sig.fig[j].path,
			    &found);
			if (found)
				fprintf(f, "%lld", (long long)v);
			fputc('\n', f);
		}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every figure: per node, what it signed and what the hub recomputed. */
static void
print_side_by_side(const struct national *nat, FILE *f)
{
	const struct national_row *r;
	const char		**path = NULL;
	size_t			 np = 0, i, j, k;
	int			 found;
	int64_t			 v;

	for (i = 0; i < nat->n; i++)
		for (j = 0; j < nat->row[i].sig.nfig; j++) {
			path = xreallocarray(path, np + 1, sizeof(*path));
			path[np++] = nat->row[i].sig.fig[j].path;
		}
	if (np > 0)
		qsort(path, np, sizeof(*path), cmp_str);
	fprintf(f, "\n%-44s", "figure (signed / recomputed by the hub)");
	for (i = 0; i < nat->n; i++)
		fprintf(f, " %25s", nat->row[i].node);
	fputc('\n', f);
	for (k = 0; k < np; k++) {
		if (k > 0 && strcmp(path[k], path[k - 1]) == 0)
			continue;
		fprintf(f, "%-44s", path[k]);
		for (i = 0; i < nat->n; i++) {
			r = &nat->row[i];
			v = item_value(r->sig.fig, r->sig.nfig, path[k], &found);
			if (found)
				fprintf(f, " %12lld", (long long)v);
			else
				fprintf(f, " %12s", "-");
			v = item_value(r->re, r->nre, path[k], &found);
			if (found)
				fprintf(f, " %11lld%s", (long long)v,
				    v != item_value(r->sig.fig, r->sig.nfig,
				    path[k], &found) ? "*" : " ");
			else
				fprintf(f, " %11s ", "-");
		}
		fputc('\n', f);
	}
	free(path);
}

static void
print_table(const struct national *nat, FILE *f)
{
	const struct national_row *r;
	char			 d1[11], d2[11], t[UTIL_TIME_LEN], st[24];
	size_t			 i, j;

	util_date_format(nat->period.first, d1);
	util_date_format(nat->period.last, d2);
	util_time_format(nat->now, nat->offset, t);
	fprintf(f, "national table %s .. %s, as of %s\n"
	    "ranked on the hub's own events, an event received more than "
	    "%lld h after its time counted at receipt\n\n",
	    d1, d2, t, (long long)(nat->tolerance / 3600));
	fprintf(f, "%-8s %4s  %-14s %12s %5s %12s %5s %6s\n", "node", "set",
	    "check", "follow_up_bp", "rank", "first_24h_bp", "rank", "late");
	for (i = 0; i < nat->n; i++) {
		r = &nat->row[i];
		if (r->status == NS_DIFFERS)
			snprintf(st, sizeof(st), "DIFFERS (%zu)", r->ndiff);
		else
			snprintf(st, sizeof(st), "%s",
			    status_names[r->status]);
		fprintf(f, "%-8s %4lld  %-14s %12lld %5lld %12lld %5lld "
		    "%6lld\n", r->node, (long long)r->set, st,
		    (long long)r->value[RR_FOLLOW_UP],
		    (long long)r->rank[RR_FOLLOW_UP],
		    (long long)r->value[RR_24H], (long long)r->rank[RR_24H],
		    (long long)r->late);
	}
	for (i = 0; i < nat->n; i++) {
		r = &nat->row[i];
		if (r->ndiff == 0)
			continue;
		fprintf(f, "\n%s signed figures that do not follow from its "
		    "inputs:\n", r->node);
		for (j = 0; j < r->ndiff; j++)
			fprintf(f, "  %-44s signed %lld, recomputed %lld\n",
			    r->diff[j].path, (long long)r->diff[j].signed_value,
			    (long long)r->diff[j].recomputed);
	}
	print_side_by_side(nat, f);
}

void
national_print(const struct national *nat, enum report_fmt kind, FILE *f)
{
	if (kind == RF_JSON || kind == RF_XML)
		print_struct(nat, kind, f);
	else if (kind == RF_CSV)
		print_csv(nat, f);
	else
		print_table(nat, f);
}

/* ---- GET /v1/metrics ----------------------------------------------------- */

int
report_http(struct store *s, const char *self, int offset, const char *period,
    const char *format, int64_t now, char **body, size_t *len,
    const char **type, struct sp_err *err)
{
	static const char *const types[] = {
		"text/plain", "text/csv", "application/json", "application/xml",
	};
	struct metrics_period	 per;
	struct metrics_figures	 fig;
	struct national		 nat;
	struct policy		*pol = NULL;
	enum report_fmt		 kind = RF_JSON;
	size_t			 npol = 0;
	FILE			*f;
	int			 rc = -1;

	*body = NULL;
	if (format != NULL && report_format(format, &kind) == -1)
		return sp_errf(err, SPE_USAGE, "format is table, csv, json or "
		    "xml");
	if (period == NULL)
		metrics_period_month(now, offset, &per);
	else if (metrics_period_parse(period, &per, err) == -1)
		return -1;
	if ((f = open_memstream(body, len)) == NULL)
		return sp_errf(err, SPE_INTERNAL, "open_memstream failed");
	if (strcmp(self, "hub") == 0) {
		if (national_compute(s, &per, now, offset, 0, &nat, err) == 0) {
			national_print(&nat, kind, f);
			national_free(&nat);
			rc = 0;
		}
	} else if (policy_history(s, self, &pol, &npol, err) == 0 &&
	    figures_compute(s, self, pol, npol, &per, now, NULL, 0, NULL, &fig,
	    NULL, NULL, err) == 0) {
		report_figures(&fig, kind, f);
		metrics_free(&fig);
		rc = 0;
	}
	policy_history_free(pol, npol);
	fclose(f);
	if (rc == -1) {
		free(*body);
		*body = NULL;
	}
	*type = types[kind];
	return rc;
}
