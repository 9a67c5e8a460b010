/*
 * metrics.c: the figure set of DESIGN §6, one deterministic function of
 * (events, policy, period, now).  It owns what each figure counts and when;
 * it does not own the lifecycle (complaint.c decides which event is valid
 * and folds the facts), the deadlines (clock.c), where the events come from
 * (store.c for a node, batches for the hub and the auditor) or output
 * (cmd_metrics.c).  No I/O, no floating point: two machines given the same
 * inputs agree bit for bit.
 *
 * RULES (README "Figures" says the same in prose)
 *
 * (M1) Figures are for one node N and credit N only with what N did or
 *      held: see (M3), (M5), (M6), (M9).
 * (M2) The period is whole local days in the zone of the policy in force
 *      at its start: [00:00 of the first day, 00:00 of the day after the
 *      last).  cutoff = min(end, now); nothing at or after it counts.
 * (M3) The intake cohort: complaints whose intake at N is in the period:
 *      `filed` by N, or the first `forwarded` to N.  A return to N is not
 *      a new intake.  Type, channel, category, anonymous (counted like any
 *      other), status at the cutoff, reopened and followed up describe it.
 * (M4) A complaint's events are applied in stored order as complaint.c
 *      judges them; one it refuses counts as refused and changes nothing.
 *      A chain event at or after the cutoff ends the chain there; an
 *      annotation at or after it is skipped.
 * (M5) Verification: one clock per owner's stint (3 working days), from
 *      `filed`, or for a new owner from `forwarded`, moved to its
 *      `arrived` if later and unmet; met by the stint owner's first
 *      verified, archived, accepted, forwarded or returned; a recall or a
 *      close ends it unmet (stopped).  Credited to the stint's owner.
 * (M6) The complaint's other clocks come from clock.c on the facts folded
 *      to the cutoff (first verified, first follow-up after it, first
 *      resolved; a reopen keeps them): follow-up at the fixed 5 working
 *      days, follow-up at the topic's tier, the information request's
 *      10 (+7 once extended), resolution 60 days, 24 h, local target.
 *      Each is credited to the node that owned the complaint when it was
 *      met or stopped, or, unmet, at the cutoff.
 * (M7) Each clock counts in the period holding its start, judged with the
 *      policy version in force at that start and as of the cutoff: met,
 *      met_late, overdue, running, or stopped (archived or closed unmet:
 *      clock.c's rule (3) judges a stop like a meeting; here it is apart).
 *      met_bp = met / (met + met_late + overdue).
 * (M8) Durations are met - start over met and met-late clocks, seconds:
 *      mean = floor(sum / n); median and p90 by nearest rank on the
 *      ascending list: the ceil(n/2)-th and the ceil(9n/10)-th.
 *      Shares are basis points rounded half up: (2 * 10000 * a + b) / 2b;
 *      0 when b is 0.
 * (M9) Event counts by the event's own time: forwarded out (N forwarded)
 *      and in (to N), returned out (N returned) and in (to N), reporter
 *      replies and ratings written by the origin, credited to the owner
 *      when they were recorded.
 * (M10) Policy versions apply from their effective time; the first applies
 *      before it too.
 * (M11) A complaint's events are taken in one canonical order
 *      (metrics_order), whatever order they were stored in.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/clock.h"
#include "rules/complaint.h"
#include "core/err.h"
#include "rules/event.h"
#include "rules/metrics.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define DAY		86400
#define MAX_OWNERS	64

static const char *const clock_names[MC_MAX] = {
	"verification", "follow_up", "follow_up_tier", "information_request",
	"resolution", "first_24h", "target",
};

/* Ownership over time: owner[i] from at[i] on. */
struct timeline {
	int64_t		 at[MAX_OWNERS];
	char		 owner[MAX_OWNERS][16];
	int		 n;
};

/* The verification stint of the current owner (M5). */
struct stint {
	int		 open;
	char		 owner[16];
	int64_t		 start;
	int64_t		 met;
	int64_t		 stop;
};

const char *
metrics_clock_name(enum metrics_clock c)
{
	return c < MC_MAX ? clock_names[c] : "unknown";
}

static int64_t
share_bp(int64_t a, int64_t b)
{
	if (b <= 0)
		return 0;
	return (2 * 10000 * a + b) / (2 * b);
}

/* The policy version in force at t (M10). */
static const struct metrics_policy *
policy_at(const struct metrics_run *r, int64_t t)
{
	size_t	 i;

	for (i = r->npol; i > 1; i--)
		if (r->pol[i - 1].effective <= t)
			return &r->pol[i - 1];
	return &r->pol[0];
}

static int
cmp_tier(const void *k, const void *e)
{
	return strcmp(k, ((const struct metrics_tier *)e)->code);
}

static int
tier_of(const struct metrics_policy *p, const char *code)
{
	const struct metrics_tier	*t;

	if (p->ntiers == 0 || code[0] == '\0')
		return CLOCK_FOLLOW_UP_WD;
	t = bsearch(code, p->tiers, p->ntiers, sizeof(*p->tiers), cmp_tier);
	return t != NULL ? t->tier : CLOCK_FOLLOW_UP_WD;
}

void
metrics_begin(struct metrics_run *r, const char *node,
    const struct metrics_policy *pol, size_t npol,
    const struct metrics_period *per, int64_t now,
    struct metrics_figures *fig)
{
	const struct metrics_policy	*p = &pol[0];
	size_t				 i;

	memset(r, 0, sizeof(*r));
	memset(fig, 0, sizeof(*fig));
	r->pol = pol;
	r->npol = npol;
	r->now = now;
	r->fig = fig;
	snprintf(fig->node, sizeof(fig->node), "%s", node);
	/* (M2): the zone in force at the local midnight of the first day. */
	for (i = 1; i < npol; i++)
		if (pol[i].effective <= per->first * DAY -
		    (int64_t)pol[i].cal.offset * 60)
			p = &pol[i];
	fig->offset = p->cal.offset;
	fig->from = per->first * DAY - (int64_t)p->cal.offset * 60;
	fig->to = (per->last + 1) * DAY - (int64_t)p->cal.offset * 60;
	fig->cutoff = now < fig->to ? now : fig->to;
}

static int
in_period(const struct metrics_run *r, int64_t t)
{
	return t >= r->fig->from && t < r->fig->to && t < r->fig->cutoff;
}

static const char *
owner_at(const struct timeline *tl, int64_t t)
{
	int	 i;

	for (i = tl->n - 1; i > 0; i--)
		if (tl->at[i] <= t)
			break;
	return tl->owner[i];
}

static void
dur_add(struct metrics_run *r, enum metrics_clock c, int64_t d)
{
	if (r->ndur[c] == r->cdur[c]) {
		r->cdur[c] = r->cdur[c] ? r->cdur[c] * 2 : 64;
		r->dur[c] = xreallocarray(r->dur[c], r->cdur[c],
		    sizeof(*r->dur[c]));
	}
	r->dur[c][r->ndur[c]++] = d;
}

/* Count one judged clock credited to the node (M7). */
static void
count_clock(struct metrics_run *r, enum metrics_clock mc,
    const struct clock *c)
{
	struct metrics_clock_fig	*f = &r->fig->clocks[mc];

	f->started++;
	switch (c->state) {
	case CLS_MET:
	case CLS_MET_LATE:
		if (c->met == 0) {
			f->stopped++;
			return;
		}
		if (c->state == CLS_MET)
			f->met++;
		else
			f->met_late++;
		dur_add(r, mc, c->met - c->start);
		break;
	case CLS_OVERDUE:
		f->overdue++;
		break;
	default:
		f->running++;
		break;
	}
}

/* Judge one clock of facts f under policy p as of the cutoff. */
static int
judge(const struct metrics_run *r, const struct clock_facts *f,
    const struct clock_policy *p, enum clock_name name, struct clock *out)
{
	struct clock	 c[CLK_MAX];
	size_t		 n, i;

	n = clock_compute(f, p, r->fig->cutoff, c);
	for (i = 0; i < n; i++)
		if (c[i].name == name) {
			*out = c[i];
			return 1;
		}
	return 0;
}

static void
clock_policy_of(const struct metrics_policy *mp, int tier,
    struct clock_policy *p)
{
	p->cal = mp->cal;
	p->tier = tier;
	p->target_hours = mp->target_hours;
}

/* The end of a verification stint (M5). */
static void
stint_end(struct metrics_run *r, struct stint *st)
{
	struct clock_facts	 f;
	struct clock_policy	 p;
	struct clock		 c;

	if (!st->open)
		return;
	st->open = 0;
	if (strcmp(st->owner, r->fig->node) != 0 || !in_period(r, st->start))
		return;
	memset(&f, 0, sizeof(f));
	f.filed = f.verify_start = st->start;
	f.verify_met = st->met;
	f.stop = st->met == 0 ? st->stop : 0;
	clock_policy_of(policy_at(r, st->start), CLOCK_FOLLOW_UP_WD, &p);
	if (judge(r, &f, &p, CLK_VERIFICATION, &c))
		count_clock(r, MC_VERIFICATION, &c);
}

static void
stint_start(struct stint *st, const char *owner, int64_t at)
{
	memset(st, 0, sizeof(*st));
	st->open = 1;
	snprintf(st->owner, sizeof(st->owner), "%s", owner);
	st->start = at;
}

/* What e does to the stint, before complaint_apply() (M5). */
static void
stint_event(struct metrics_run *r, struct stint *st, const struct event *e)
{
	switch (e->kind) {
	case EV_FILED:
		stint_start(st, e->author, e->at);
		break;
	case EV_VERIFIED:
	case EV_ARCHIVED:
	case EV_ACCEPTED:
		if (st->open && st->met == 0)
			st->met = e->at;
		break;
	case EV_FORWARDED:
	case EV_RETURNED:
		if (st->open && st->met == 0)
			st->met = e->at;
		stint_end(r, st);
		if (e->kind == EV_FORWARDED)
			stint_start(st, e->to, e->at);
		break;
	case EV_RECALLED:
	case EV_CLOSED:
		if (st->open && st->met == 0)
			st->stop = e->at;
		stint_end(r, st);
		break;
	case EV_ARRIVED:
		if (st->open && st->met == 0 && e->at > st->start)
			st->start = e->at;
		break;
	default:
		break;
	}
}

static void
category_add(struct metrics_figures *fig, const char *code)
{
	size_t	 lo = 0, hi = fig->ncategories, mid;
	int	 c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(code, fig->by_category[mid].code)) == 0) {
			fig->by_category[mid].n++;
			return;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	fig->by_category = xreallocarray(fig->by_category,
	    fig->ncategories + 1, sizeof(*fig->by_category));
	memmove(&fig->by_category[lo + 1], &fig->by_category[lo],
	    (fig->ncategories - lo) * sizeof(*fig->by_category));
	memset(&fig->by_category[lo], 0, sizeof(*fig->by_category));
	snprintf(fig->by_category[lo].code, sizeof(fig->by_category[lo].code),
	    "%s", code);
	fig->by_category[lo].n = 1;
	fig->ncategories++;
}

/* (M9): event counts by the event's time. */
static void
count_event(struct metrics_run *r, const struct complaint_state *s,
    const struct event *e, const char *owner_before)
{
	struct metrics_figures	*fig = r->fig;
	const char		*n = fig->node;

	if (!in_period(r, e->at))
		return;
	switch (e->kind) {
	case EV_FORWARDED:
		if (strcmp(e->author, n) == 0)
			fig->forwarded_out++;
		if (strcmp(e->to, n) == 0)
			fig->forwarded_in++;
		break;
	case EV_RETURNED:
		if (strcmp(e->author, n) == 0)
			fig->returned_out++;
		if (strcmp(s->owner, n) == 0)
			fig->returned_in++;
		break;
	/* Only the origin's count: complaint.c's (w4) refuses others. */
	case EV_REPORTER_REPLY:
		if (strcmp(owner_before, n) == 0)
			fig->replies++;
		break;
	case EV_RATING:
		if (strcmp(owner_before, n) == 0)
			fig->ratings[e->stars - 1]++;
		break;
	default:
		break;
	}
}

/* (M3): the intake cohort. */
static void
count_cohort(struct metrics_run *r, const struct complaint_state *s,
    int reopened, enum archive_reason reason)
{
	struct metrics_figures	*fig = r->fig;
	enum complaint_status	 st = complaint_status(s);

	fig->received++;
	if (s->type < CT_MAX)
		fig->by_type[s->type]++;
	if (s->channel < CH_MAX)
		fig->by_channel[s->channel]++;
	fig->by_status[st]++;
	if (st == CS_ARCHIVED && reason < AR_MAX)
		fig->archived_by_reason[reason]++;
	category_add(fig, s->category);
	fig->anonymous += s->anonymous != 0;
	fig->reopened += reopened;
	fig->owned_elsewhere += strcmp(s->owner, fig->node) != 0;
	fig->followed_up += s->followups > 0;
}

/* (M6): the complaint's other clocks, each credited where it ended. */
static void
count_clocks(struct metrics_run *r, const struct complaint_state *s,
    const struct timeline *tl)
{
	static const struct {
		enum metrics_clock	 mc;
		enum clock_name		 name;
	} map[] = {
		{ MC_FOLLOW_UP, CLK_FOLLOW_UP },
		{ MC_FOLLOW_UP_TIER, CLK_FOLLOW_UP },
		{ MC_INFORMATION, CLK_INFORMATION },
		{ MC_RESOLUTION, CLK_RESOLUTION },
		{ MC_24H, CLK_24H },
		{ MC_TARGET, CLK_TARGET },
	};
	const struct clock_facts	*f = &s->facts;
	const struct metrics_policy	*mp;
	struct clock_policy		 p;
	struct clock			 c;
	int64_t				 start, end;
	size_t				 i;
	int				 tier;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		switch (map[i].mc) {
		case MC_FOLLOW_UP:
		case MC_FOLLOW_UP_TIER:
		case MC_INFORMATION:
			start = f->verified;
			break;
		case MC_TARGET:
			start = f->target_start;
			break;
		default:
			start = f->filed;
			break;
		}
		if (start == 0 || !in_period(r, start))
			continue;
		mp = policy_at(r, start);
		tier = map[i].mc == MC_FOLLOW_UP_TIER ?
		    tier_of(mp, s->category) : CLOCK_FOLLOW_UP_WD;
		clock_policy_of(mp, tier, &p);
		if (!judge(r, f, &p, map[i].name, &c))
			continue;
		if (c.met != 0)
			end = c.met;
		else if (c.state == CLS_MET || c.state == CLS_MET_LATE)
			end = f->stop;
		else
			end = r->fig->cutoff;
		if (strcmp(owner_at(tl, end), r->fig->node) == 0)
			count_clock(r, map[i].mc, &c);
	}
}

void
metrics_add(struct metrics_run *r, const struct event *ev, size_t n)
{
	struct metrics_figures	*fig = r->fig;
	struct complaint_state	 s;
	struct timeline		 tl;
	struct stint		 st;
	struct sp_err		 err;
	char			 before[16];
	int64_t			 intake = 0;
	size_t			 i;
	int			 ended = 0, reopened = 0;
	enum archive_reason	 reason = AR_MAX;

	if (n == 0)
		return;
	complaint_init(&s, ev[0].complaint);
	memset(&tl, 0, sizeof(tl));
	memset(&st, 0, sizeof(st));
	for (i = 0; i < n; i++) {
		const struct event	*e = &ev[i];
		int			 chain = event_is_chain(e->kind);

		fig->events++;
		if ((chain && ended) || e->at >= fig->cutoff) {
			fig->after_cutoff++;
			ended |= chain;
			continue;
		}
		memset(&err, 0, sizeof(err));
		if (complaint_check(&s, e, &err) == -1) {
			fig->refused++;
			continue;
		}
		snprintf(before, sizeof(before), "%s", s.owner);
		stint_event(r, &st, e);
		complaint_apply(&s, e);
		if (strcmp(before, s.owner) != 0 && tl.n < MAX_OWNERS) {
			tl.at[tl.n] = e->at;
			snprintf(tl.owner[tl.n++], sizeof(tl.owner[0]), "%s",
			    s.owner);
		}
		if (intake == 0 && chain && strcmp(s.owner, fig->node) == 0 &&
		    (e->kind == EV_FILED || e->kind == EV_FORWARDED))
			intake = e->at;
		if (e->kind == EV_REOPENED)
			reopened = 1;
		if (e->kind == EV_ARCHIVED && e->reason != NULL)
			reason = archive_reason_by_name(e->reason);
		count_event(r, &s, e, before[0] ? before : s.owner);
	}
	if (s.phase == PH_NONE)
		return;
	stint_end(r, &st);
	if (intake != 0 && in_period(r, intake))
		count_cohort(r, &s, reopened, reason);
	count_clocks(r, &s, &tl);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* (M8). */
static void
durations(int64_t *d, size_t n, struct metrics_dur *out)
{
	int64_t	 sum = 0;
	size_t	 i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	qsort(d, n, sizeof(*d), cmp_i64);
	for (i = 0; i < n; i++)
		sum += d[i];
	out->n = (int64_t)n;
	out->mean = sum / (int64_t)n;
	out->median = d[(n + 1) / 2 - 1];
	out->p90 = d[(9 * n + 9) / 10 - 1];
}

void
metrics_end(struct metrics_run *r)
{
	struct metrics_figures		*fig = r->fig;
	struct metrics_clock_fig	*c;
	int64_t				 sum = 0, inprog;
	int				 i;

	for (i = 0; i < MC_MAX; i++) {
		c = &fig->clocks[i];
		c->met_bp = share_bp(c->met, c->met + c->met_late +
		    c->overdue);
		durations(r->dur[i], r->ndur[i], &c->time);
		free(r->dur[i]);
		r->dur[i] = NULL;
	}
	fig->followed_up_bp = share_bp(fig->followed_up, fig->received);
	fig->resolved_bp = share_bp(fig->by_status[CS_RESOLVED] +
	    fig->by_status[CS_CLOSED], fig->received);
	inprog = fig->by_status[CS_VERIFIED] + fig->by_status[CS_POSTPONED] +
	    fig->by_status[CS_IN_PROGRESS];
	fig->in_progress_bp = share_bp(inprog, fig->received);
	fig->archived_bp = share_bp(fig->by_status[CS_ARCHIVED],
	    fig->received);
	fig->rating_n = 0;
	for (i = 0; i < 5; i++) {
		fig->rating_n += fig->ratings[i];
		sum += fig->ratings[i] * (i + 1);
	}
	fig->rating_mean_c = fig->rating_n == 0 ? 0 :
	    (2 * 100 * sum + fig->rating_n) / (2 * fig->rating_n);
}

void
metrics_free(struct metrics_figures *fig)
{
	if (fig == NULL)
		return;
	free(fig->by_category);
	fig->by_category = NULL;
	fig->ncategories = 0;
}

static void
walk_clock(const struct metrics_clock_fig *c, const char *name,
    const struct metrics_visitor *v, void *arg)
{
	v->begin(arg, name);
	v->value(arg, "started", c->started);
	v->value(arg, "met", c->met);
	v->value(arg, "met_late", c->met_late);
	v->value(arg, "overdue", c->overdue);
	v->value(arg, "running", c->running);
	v->value(arg, "stopped", c->stopped);
	v->value(arg, "met_bp", c->met_bp);
	v->begin(arg, "time");
	v->value(arg, "n", c->time.n);
	v->value(arg, "mean", c->time.mean);
	v->value(arg, "median", c->time.median);
	v->value(arg, "p90", c->time.p90);
	v->end(arg, "time");
	v->end(arg, name);
}

void
metrics_walk(const struct metrics_figures *f,
    const struct metrics_visitor *v, void *arg)
{
	static const char *const stars[5] = {
		"stars_1", "stars_2", "stars_3", "stars_4", "stars_5",
	};
	size_t	 i;

	v->begin(arg, "received");
	v->value(arg, "total", f->received);
	v->value(arg, "anonymous", f->anonymous);
	v->value(arg, "reopened", f->reopened);
	v->value(arg, "owned_elsewhere", f->owned_elsewhere);
	v->value(arg, "followed_up", f->followed_up);
	v->value(arg, "followed_up_bp", f->followed_up_bp);
	v->value(arg, "resolved_bp", f->resolved_bp);
	v->value(arg, "in_progress_bp", f->in_progress_bp);
	v->value(arg, "archived_bp", f->archived_bp);
	v->begin(arg, "type");
	for (i = 0; i < CT_MAX; i++)
		v->value(arg, complaint_type_name(i), f->by_type[i]);
	v->end(arg, "type");
	v->begin(arg, "channel");
	for (i = 0; i < CH_MAX; i++)
		v->value(arg, channel_name(i), f->by_channel[i]);
	v->end(arg, "channel");
	v->begin(arg, "status");
	for (i = 0; i < CS_MAX; i++)
		v->value(arg, complaint_status_name(i), f->by_status[i]);
	v->end(arg, "status");
	v->begin(arg, "archived_reason");
	for (i = 0; i < AR_MAX; i++)
		v->value(arg, archive_reason_name(i),
		    f->archived_by_reason[i]);
	v->end(arg, "archived_reason");
	v->begin(arg, "category");
	for (i = 0; i < f->ncategories; i++)
		v->value(arg, f->by_category[i].code[0] != '\0' ?
		    f->by_category[i].code : "none", f->by_category[i].n);
	v->end(arg, "category");
	v->end(arg, "received");
	v->begin(arg, "clocks");
	for (i = 0; i < MC_MAX; i++)
		walk_clock(&f->clocks[i], clock_names[i], v, arg);
	v->end(arg, "clocks");
	v->begin(arg, "exchange");
	v->value(arg, "forwarded_in", f->forwarded_in);
	v->value(arg, "forwarded_out", f->forwarded_out);
	v->value(arg, "returned_in", f->returned_in);
	v->value(arg, "returned_out", f->returned_out);
	v->end(arg, "exchange");
	v->begin(arg, "reporter");
	v->value(arg, "replies", f->replies);
	v->value(arg, "ratings", f->rating_n);
	v->value(arg, "rating_mean_c", f->rating_mean_c);
	for (i = 0; i < 5; i++)
		v->value(arg, stars[i], f->ratings[i]);
	v->end(arg, "reporter");
	v->begin(arg, "inputs");
	v->value(arg, "events", f->events);
	v->value(arg, "refused", f->refused);
	v->value(arg, "after_cutoff", f->after_cutoff);
	v->value(arg, "late", f->late);
	v->end(arg, "inputs");
}

/* Flattening: dotted paths and their values. */
struct flat {
	char			 path[128];
	int			 depth;
	size_t			 len[8];
	struct metrics_item	*item;
	size_t			 n;
};

static void
flat_begin(void *arg, const char *name)
{
	struct flat	*fl = arg;
	size_t		 l = strlen(fl->path);

	fl->len[fl->depth++ & 7] = l;
	snprintf(fl->path + l, sizeof(fl->path) - l, "%s%s", l ? "." : "",
	    name);
}

static void
flat_end(void *arg, const char *name)
{
	struct flat	*fl = arg;

	(void)name;
	fl->path[fl->len[--fl->depth & 7]] = '\0';
}

static void
flat_value(void *arg, const char *name, int64_t value)
{
	struct flat	*fl = arg;

	fl->item = xreallocarray(fl->item, fl->n + 1, sizeof(*fl->item));
	fl->item[fl->n].path = fl->path[0] != '\0' ?
	    xasprintf("%s.%s", fl->path, name) : xstrdup(name);
	fl->item[fl->n].value = value;
	fl->n++;
}

static int
cmp_flat(const void *a, const void *b)
{
	return strcmp(((const struct metrics_item *)a)->path,
	    ((const struct metrics_item *)b)->path);
}

size_t
metrics_flatten(const struct metrics_figures *f, struct metrics_item **out)
{
	static const struct metrics_visitor v = {
		flat_begin, flat_end, flat_value,
	};
	struct flat	 fl;

	memset(&fl, 0, sizeof(fl));
	flat_value(&fl, "from", f->from);
	flat_value(&fl, "to", f->to);
	flat_value(&fl, "cutoff", f->cutoff);
	metrics_walk(f, &v, &fl);
	qsort(fl.item, fl.n, sizeof(*fl.item), cmp_flat);
	*out = fl.item;
	return fl.n;
}

void
metrics_items_free(struct metrics_item *it, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(it[i].path);
	free(it);
}

size_t
metrics_compare_items(const struct metrics_item *a, size_t na,
    const struct metrics_item *b, size_t nb,
    void (*diff)(void *, const char *, int64_t, int64_t), void *arg)
{
	size_t	 i = 0, j = 0, n = 0;
	int	 c;

	while (i < na || j < nb) {
		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = strcmp(a[i].path, b[j].path);
		if (c < 0) {
			n++;
			diff(arg, a[i].path, a[i].value, 0);
			i++;
		} else if (c > 0) {
			n++;
			diff(arg, b[j].path, 0, b[j].value);
			j++;
		} else {
			if (a[i].value != b[j].value) {
				n++;
				diff(arg, a[i].path, a[i].value, b[j].value);
			}
			i++;
			j++;
		}
	}
	return n;
}

size_t
metrics_compare(const struct metrics_figures *a,
    const struct metrics_figures *b,
    void (*diff)(void *, const char *, int64_t, int64_t), void *arg)
{
	struct metrics_item	*ia, *ib;
	size_t			 na, nb, n;

	na = metrics_flatten(a, &ia);
	nb = metrics_flatten(b, &ib);
	n = metrics_compare_items(ia, na, ib, nb, diff, arg);
	metrics_items_free(ia, na);
	metrics_items_free(ib, nb);
	return n;
}

/*
 * (M11): one order for a complaint's events wherever they are held:
 * chain events by v, each annotation before the first chain event whose
 * time is later than its own (by author and seq among annotations of
 * the same time).  A node stores events in the order they reached it;
 * the hub and the auditor in another: this order makes them agree.
 */
static int
cmp_canon(const void *pa, const void *pb)
{
	const struct event	*a = pa, *b = pb;
	int			 ca = event_is_chain(a->kind);
	int			 cb = event_is_chain(b->kind), c;

	if (ca != cb)
		return ca ? -1 : 1;
	if (ca)
		return (a->v > b->v) - (a->v < b->v);
	if (a->at != b->at)
		return (a->at > b->at) - (a->at < b->at);
	if ((c = strcmp(a->author, b->author)) != 0)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

void
metrics_order(struct event *ev, size_t n, struct event *tmp)
{
	size_t	 nc = 0, i, j, k;

	qsort(ev, n, sizeof(*ev), cmp_canon);
	while (nc < n && event_is_chain(ev[nc].kind))
		nc++;
	for (i = 0, j = nc, k = 0; k < n; k++) {
		if (i < nc && (j == n || ev[j].at >= ev[i].at))
			tmp[k] = ev[i++];
		else
			tmp[k] = ev[j++];
	}
	memcpy(ev, tmp, n * sizeof(*ev));
}

int
metrics_period_parse(const char *s, struct metrics_period *p,
    struct sp_err *err)
{
	const char	*dots;
	char		 buf[16];
	long long	 y, m;
	int64_t		 a, b;
	size_t		 len = strlen(s);

	if ((dots = strstr(s, "..")) != NULL) {
		if ((size_t)(dots - s) >= sizeof(buf))
			return sp_errf(err, SPE_USAGE, "period '%s' is not "
			    "FROM..TO", s);
		memcpy(buf, s, dots - s);
		buf[dots - s] = '\0';
		if (util_date_parse(buf, &a, err) == -1 ||
		    util_date_parse(dots + 2, &b, err) == -1)
			return -1;
		if (b < a)
			return sp_errf(err, SPE_USAGE, "period '%s' ends "
			    "before it starts", s);
		p->first = a;
		p->last = b;
		return 0;
	}
	if (len == 10)
		return util_date_parse(s, &p->first, err) == -1 ? -1 :
		    (p->last = p->first, 0);
	if (len == 4 && strspn(s, "0123456789") == 4) {
		if (util_parse_int(s, 1970, 9999, &y, "year", err) == -1)
			return -1;
		p->first = util_days_from_civil(y, 1, 1);
		p->last = util_days_from_civil(y + 1, 1, 1) - 1;
		return 0;
	}
	if (len == 7 && s[4] == '-') {
		memcpy(buf, s, 4);
		buf[4] = '\0';
		if (util_parse_int(buf, 1970, 9999, &y, "year", err) == -1 ||
		    util_parse_int(s + 5, 1, 12, &m, "month", err) == -1)
			return -1;
		p->first = util_days_from_civil(y, (unsigned)m, 1);
		p->last = (m == 12 ? util_days_from_civil(y + 1, 1, 1) :
		    util_days_from_civil(y, (unsigned)m + 1, 1)) - 1;
		return 0;
	}
	return sp_errf(err, SPE_USAGE, "period '%s' is not YYYY, YYYY-MM, "
	    "YYYY-MM-DD or FROM..TO", s);
}

void
metrics_period_month(int64_t t, int offset, struct metrics_period *p)
{
	int64_t		 local = t + (int64_t)offset * 60, day, y;
	unsigned	 m, d;

	day = local >= 0 ? local / DAY : -((-local + DAY - 1) / DAY);
	util_civil_from_days(day, &y, &m, &d);
	p->first = util_days_from_civil(y, m, 1);
	p->last = (m == 12 ? util_days_from_civil(y + 1, 1, 1) :
	    util_days_from_civil(y, m + 1, 1)) - 1;
}
