/*
 * figures.c: a node's figure set from the events a store holds, and the
 * canonical text of a signed set (figures.h).  It owns which events a
 * figure set counts (the complaints the node is involved in, within the
 * inputs), the canonical order they are folded in, and the late rule of
 * the hub's ranking.  What each figure means is metrics.c's; SQL is
 * store.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/complaint.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/figures.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

/* Receipt times of the hub, sorted by (author, seq) for bsearch. */
struct recv_time {
	char		 author[16];
	int64_t		 seq;
	int64_t		 received;
};

struct job {
	const char		*node;
	struct metrics_run	 run;
	const struct figures_input *in;
	size_t			 nin;
	struct figures_input	*used;
	size_t			 nused;
	int64_t			 tolerance;	/* -1: no late rule */
	struct recv_time	*rt;
	size_t			 nrt;
	struct event		*ev, *tmp;
	size_t			 cap;
};

static int
cmp_rt(const void *a, const void *b)
{
	const struct recv_time	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->author, y->author)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int
add_rt(void *arg, const char *author, int64_t seq, int64_t received)
{
	struct job	*j = arg;

	j->rt = xreallocarray(j->rt, j->nrt + 1, sizeof(*j->rt));
	snprintf(j->rt[j->nrt].author, sizeof(j->rt[0].author), "%s", author);
	j->rt[j->nrt].seq = seq;
	j->rt[j->nrt++].received = received;
	return 0;
}

/* The bound on author's seqs: in[] lists it, else nothing counts. */
static int
within(const struct job *j, const struct event *e)
{
	size_t	 i;

	if (j->in == NULL)
		return 1;
	for (i = 0; i < j->nin; i++)
		if (strcmp(j->in[i].author, e->author) == 0)
			return e->seq <= j->in[i].seq;
	return 0;
}

static void
note_used(struct job *j, const struct event *e)
{
	size_t	 i;

	for (i = 0; i < j->nused; i++)
		if (strcmp(j->used[i].author, e->author) == 0) {
			if (e->seq > j->used[i].seq)
				j->used[i].seq = e->seq;
			return;
		}
	j->used = xreallocarray(j->used, j->nused + 1, sizeof(*j->used));
	snprintf(j->used[j->nused].author, sizeof(j->used[0].author), "%s",
	    e->author);
	j->used[j->nused++].seq = e->seq;
}

/*
 * The late rule (DESIGN §6): an event received more than the tolerance
 * after its claimed time counts at its receipt.  Events that start a
 * clock (filed, verified, forwarded, arrived) keep their time, since
 * moving a start later would shorten the clock and so reward the delay;
 * ratings and replies are the reporter's, written at the origin.
 */
static int
apply_late(struct job *j, struct event *e)
{
	struct recv_time	 k, *r;

	switch (e->kind) {
	case EV_FILED:
	case EV_VERIFIED:
	case EV_FORWARDED:
	case EV_ARRIVED:
	case EV_RATING:
	case EV_REPORTER_REPLY:
		return 0;
	default:
		break;
	}
	memset(&k, 0, sizeof(k));
	snprintf(k.author, sizeof(k.author), "%s", e->author);
	k.seq = e->seq;
	r = bsearch(&k, j->rt, j->nrt, sizeof(*j->rt), cmp_rt);
	if (r == NULL || r->received - e->at <= j->tolerance)
		return 0;
	e->at = r->received;
	return 1;
}

static int
add_complaint(void *arg, const struct event *ev, size_t n)
{
	struct job		*j = arg;
	struct complaint_state	 s;
	struct sp_err		 e;
	size_t			 i, m = 0;
	int			 involved = 0;
	int64_t			 late = 0;

	if (n > j->cap) {
		j->cap = n;
		j->ev = xreallocarray(j->ev, n, sizeof(*j->ev));
		j->tmp = xreallocarray(j->tmp, n, sizeof(*j->tmp));
	}
	for (i = 0; i < n; i++)
		if (within(j, &ev[i]))
			j->ev[m++] = ev[i];
	metrics_order(j->ev, m, j->tmp);
	/* Involved: the origin, or a node it was forwarded to. */
	complaint_init(&s, ev[0].complaint);
	for (i = 0; i < m && !involved; i++) {
		memset(&e, 0, sizeof(e));
		if (complaint_check(&s, &j->ev[i], &e) == -1)
			continue;
		complaint_apply(&s, &j->ev[i]);
		involved = complaint_involved(&s, j->node);
	}
	if (!involved)
		return 0;
	for (i = 0; i < m; i++) {
		if (j->in == NULL)
			note_used(j, &j->ev[i]);
		if (j->tolerance >= 0)
			late += apply_late(j, &j->ev[i]);
	}
	if (late > 0)
		metrics_order(j->ev, m, j->tmp);
	metrics_add(&j->run, j->ev, m);
	j->run.fig->late += late;
	return 0;
}

static int
store_scan(void *src, int (*fn)(void *, const struct event *, size_t),
    void *arg, struct sp_err *err)
{
	return store_event_scan(src, fn, arg, err);
}

int
figures_compute(struct store *s, const char *node, const struct policy *pol,
    size_t npol, const struct metrics_period *per, int64_t now,
    const struct figures_input *in, size_t nin,
    const struct figures_late *late, struct metrics_figures *fig,
    struct figures_input **used, size_t *nused, struct sp_err *err)
{
	return figures_compute_from(store_scan, s, node, pol, npol, per, now,
	    in, nin, late, fig, used, nused, err);
}

int
figures_compute_from(figures_scan *scan, void *src, const char *node,
    const struct policy *pol, size_t npol, const struct metrics_period *per,
    int64_t now, const struct figures_input *in, size_t nin,
    const struct figures_late *late, struct metrics_figures *fig,
    struct figures_input **used, size_t *nused, struct sp_err *err)
{
	struct metrics_policy	*mp;
	struct job		 j;
	int			 rc = -1;

	memset(&j, 0, sizeof(j));
	memset(fig, 0, sizeof(*fig));
	if (npol == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no policy of %s is known",
		    node);
	j.node = node;
	j.in = in;
	j.nin = nin;
	j.tolerance = -1;
	if (late != NULL) {
		j.tolerance = late->tolerance;
		if (store_event_in_each(late->s, add_rt, &j, err) == -1)
			goto out;
		if (j.nrt > 0)
			qsort(j.rt, j.nrt, sizeof(*j.rt), cmp_rt);
	}
	mp = xcalloc(npol, sizeof(*mp));
	policy_metrics(pol, npol, mp);
	metrics_begin(&j.run, node, mp, npol, per, now, fig);
	rc = scan(src, add_complaint, &j, err);
	metrics_end(&j.run);
	free(mp);
	if (rc == -1)
		goto out;
	if (used != NULL) {
		*used = j.used;
		*nused = j.nused;
		j.used = NULL;
	}
out:
	free(j.used);
	free(j.rt);
	free(j.ev);
	free(j.tmp);
	return rc;
}

static int
cmp_input(const void *a, const void *b)
{
	return strcmp(((const struct figures_input *)a)->author,
	    ((const struct figures_input *)b)->author);
}

char *
figures_format(const struct metrics_figures *fig,
    const struct metrics_period *per, const struct figures_input *in,
    size_t nin)
{
	struct figures_input	*sorted;
	struct metrics_item	*it;
	struct buf		 b;
	char			 d1[11], d2[11];
	size_t			 n, i;

	buf_init(&b, SIZE_MAX);
	util_date_format(per->first, d1);
	util_date_format(per->last, d2);
	buf_printf(&b, NULL, "period %s %s\n", d1, d2);
	sorted = xcalloc(nin + 1, sizeof(*sorted));
	memcpy(sorted, in, nin * sizeof(*in));
	qsort(sorted, nin, sizeof(*sorted), cmp_input);
	for (i = 0; i < nin; i++)
		buf_printf(&b, NULL, "input %s %lld\n", sorted[i].author,
		    (long long)sorted[i].seq);
	free(sorted);
	n = metrics_flatten(fig, &it);
	for (i = 0; i < n; i++)
		buf_printf(&b, NULL, "figure %s %lld\n", it[i].path,
		    (long long)it[i].value);
	metrics_items_free(it, n);
	return (char *)buf_release(&b, NULL);
}

static int
parse_i64(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0') ||
	    (s[0] == '-' && (s[1] == '0' || s[1] == '\0')))
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* One line into f; stage enforces the order; -1 if not canonical. */
static int
parse_line(char *line, struct figures_signed *f, int *stage)
{
	char		*a, *b;
	struct sp_err	 e = { 0 };
	int64_t		 v;

	if ((a = strchr(line, ' ')) == NULL ||
	    (b = strchr(a + 1, ' ')) == NULL || strchr(b + 1, ' ') != NULL)
		return -1;
	*a++ = '\0';
	*b++ = '\0';
	if (strcmp(line, "period") == 0 && *stage == 0) {
		*stage = 1;
		if (strlen(a) != 10 || strlen(b) != 10 ||
		    util_date_parse(a, &f->period.first, &e) == -1 ||
		    util_date_parse(b, &f->period.last, &e) == -1 ||
		    f->period.last < f->period.first)
			return -1;
		return 0;
	}
	if (strcmp(line, "input") == 0 && *stage >= 1 && *stage <= 2) {
		*stage = 2;
		if (!util_node_code_valid(a) || parse_i64(b, &v) == -1 ||
		    v < 1 || (f->nin > 0 &&
		    strcmp(f->in[f->nin - 1].author, a) >= 0))
			return -1;
		f->in = xreallocarray(f->in, f->nin + 1, sizeof(*f->in));
		snprintf(f->in[f->nin].author, sizeof(f->in[0].author), "%s",
		    a);
		f->in[f->nin++].seq = v;
		return 0;
	}
	if (strcmp(line, "figure") == 0 && *stage >= 1) {
		*stage = 3;
		if (strlen(a) > 120 || parse_i64(b, &v) == -1 ||
		    (f->nfig > 0 && strcmp(f->fig[f->nfig - 1].path, a) >= 0))
			return -1;
		f->fig = xreallocarray(f->fig, f->nfig + 1, sizeof(*f->fig));
		f->fig[f->nfig].path = xstrdup(a);
		f->fig[f->nfig++].value = v;
		return 0;
	}
	return -1;
}

int
figures_parse(const char *text, struct figures_signed *f, struct sp_err *err)
{
	char	*copy, *rest, *line;
	size_t	 len = strlen(text), lineno = 0;
	int	 stage = 0;

	memset(f, 0, sizeof(*f));
	if (len == 0 || text[len - 1] != '\n')
		return sp_errf(err, SPE_INVALID, "figure set: not canonical "
		    "text");
	copy = xstrdup(text);
	copy[len - 1] = '\0';
	rest = copy;
	while ((line = strsep(&rest, "\n")) != NULL) {
		lineno++;
		if (parse_line(line, f, &stage) == -1) {
			free(copy);
			figures_signed_clear(f);
			return sp_errf(err, SPE_INVALID, "figure set: line "
			    "%zu is not canonical", lineno);
		}
	}
	free(copy);
	if (stage < 3) {
		figures_signed_clear(f);
		return sp_errf(err, SPE_INVALID, "figure set: no figures");
	}
	return 0;
}

void
figures_signed_clear(struct figures_signed *f)
{
	free(f->in);
	metrics_items_free(f->fig, f->nfig);
	memset(f, 0, sizeof(*f));
}
