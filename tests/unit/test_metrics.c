/*
 * test_metrics.c: the figure set (metrics.c) on small datasets whose every
 * expected number is worked out by hand in the comment above it: weekend
 * and holiday spans, reopened, forwarded twice, returned, archived,
 * anonymous, information requests with extension, met late and overdue,
 * nearest-rank percentiles, period boundaries in WIB and WIT, refused and
 * late events, and the comparison of two figure sets.
 *
 * The calendar is Demak's March 2026: 18, 19, 20, 23 and 24 March are
 * holidays (Nyepi, Idul Fitri and cuti bersama), 21-22 a weekend.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/clock.h"
#include "rules/complaint.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/figures.h"
#include "rules/metrics.h"
#include "exchange/policy.h"
#include "core/util.h"

#define A	"33.21"		/* Demak, the origin */
#define B	"33.28"		/* Tegal */
#define C	"33.22"		/* a third regency */
#define H	3600
#define DAYS	86400

static char	 actor[] = "desk";
static char	 text[] = "ditindaklanjuti";
static char	 unit[] = "DPUPR";
static char	 title[] = "Jalan rusak";
static char	 body[] = "Jalan desa berlubang";
static char	 r_spam[] = "spam";
static char	 r_other[] = "bukan wewenang";

/* One complaint's events, built in order. */
struct cb {
	struct event		 ev[32];
	size_t			 n;
	int			 v;
	struct complaint_fields	 f;
	char			 cat[33];
};

static int64_t
T(const char *s)
{
	struct sp_err	 err = { 0 };
	int64_t		 t;

	if (util_time_parse(s, &t, NULL, &err) == -1)
		fail_msg("bad time %s", s);
	return t;
}

static int64_t
D(const char *s)
{
	struct sp_err	 err = { 0 };
	int64_t		 d;

	if (util_date_parse(s, &d, &err) == -1)
		fail_msg("bad date %s", s);
	return d;
}

/* A complaint id'd "<origin>-<n>" filed by origin at `at` (WIB). */
static void
cb_file(struct cb *c, const char *origin, int n, enum complaint_type type,
    const char *cat, int anonymous, const char *at)
{
	struct event	*e;

	memset(c, 0, sizeof(*c));
	snprintf(c->cat, sizeof(c->cat), "%s", cat);
	c->f.type = type;
	c->f.channel = CH_WEB;
	c->f.title = title;
	c->f.body = body;
	c->f.category = c->cat;
	c->f.anonymous = anonymous;
	c->f.filed_at = T(at);
	e = &c->ev[c->n++];
	snprintf(e->author, sizeof(e->author), "%s", origin);
	snprintf(e->complaint, sizeof(e->complaint), "%s-%06d", origin, n);
	e->kind = EV_FILED;
	e->v = ++c->v;
	e->actor = actor;
	e->at = T(at);
	e->at_offset = 420;
	e->filed = &c->f;
}

/* Append kind by author at `at`; arg is the target or the stars. */
static void
cb_add(struct cb *c, const char *author, enum event_kind k, const char *at,
    const char *arg)
{
	struct event	*e = &c->ev[c->n++];

	memset(e, 0, sizeof(*e));
	snprintf(e->author, sizeof(e->author), "%s", author);
	snprintf(e->complaint, sizeof(e->complaint), "%s", c->ev[0].complaint);
	e->kind = k;
	e->v = event_is_chain(k) ? ++c->v : 0;
	e->actor = actor;
	e->at = T(at);
	e->at_offset = 420;
	switch (k) {
	case EV_ARCHIVED:
		e->reason = r_spam;
		break;
	case EV_RETURNED:
	case EV_POSTPONED:
		e->reason = r_other;
		break;
	case EV_DISPATCHED:
		e->unit = unit;
		break;
	case EV_FOLLOWED_UP:
	case EV_REPORTER_REPLY:
	case EV_NOTE:
		e->text = text;
		break;
	case EV_FORWARDED:
		snprintf(e->to, sizeof(e->to), "%s", arg);
		break;
	case EV_RATING:
		e->stars = atoi(arg);
		break;
	default:
		break;
	}
}

/* Demak's policy: WIB or another zone, the March holidays, tiers. */
static int64_t			 hol[5];
static const struct metrics_tier tiers[] = {
	{ "INF.JLN", 2 },
	{ "KEP", 14 },
};

static struct metrics_policy
policy(int offset, int with_holidays)
{
	struct metrics_policy	 p;

	hol[0] = D("2026-03-18");
	hol[1] = D("2026-03-19");
	hol[2] = D("2026-03-20");
	hol[3] = D("2026-03-23");
	hol[4] = D("2026-03-24");
	memset(&p, 0, sizeof(p));
	p.cal.offset = offset;
	p.cal.holidays = hol;
	p.cal.nholidays = with_holidays ? 5 : 0;
	p.target_hours = 24;
	p.tiers = tiers;
	p.ntiers = 2;
	return p;
}

/* Figures of node over period first..last for the complaints given. */
static void
run(struct metrics_figures *fig, const char *node,
    const struct metrics_policy *pol, size_t npol, const char *first,
    const char *last, const char *now, struct cb *cbs, size_t n)
{
	struct metrics_period	 per = { D(first), D(last) };
	struct metrics_run	 r;
	size_t			 i;

	metrics_begin(&r, node, pol, npol, &per, T(now), fig);
	for (i = 0; i < n; i++)
		metrics_add(&r, cbs[i].ev, cbs[i].n);
	metrics_end(&r);
}

#define MARCH(fig, node, pol, cbs, n) run((fig), (node), (pol), 1, \
    "2026-03-01", "2026-03-31", "2026-04-10T12:00:00+07:00", (cbs), (n))

static const struct metrics_clock_fig *
clk(const struct metrics_figures *f, enum metrics_clock c)
{
	return &f->clocks[c];
}

/*
 * Two complaints across a weekend and the March holidays.
 *
 * X (INF.JLN, tier 2): filed Fri 6 Mar 16:00, verified Wed 11 09:00,
 * followed up Fri 20 Mar 10:00 (a holiday; the desk worked).
 *   verification: 3 wd after Fri 6 16:00 = Mon 9, Tue 10, Wed 11 16:00:
 *     met, 4 d 17 h = 406800 s.
 *   follow-up (5 wd fixed) from Wed 11 09:00: Thu 12, Fri 13, Mon 16,
 *     Tue 17, (18-24 off), Wed 25 09:00: met at Fri 20 10:00, 9 d 1 h =
 *     781200 s.  Without the holidays it would be due Wed 18: met late.
 *   follow-up at the tier (2 wd): due Fri 13 09:00: met late.
 *   24 h and the 24 h target: due Sat 7 16:00: met late (13 d 18 h =
 *     1188000 s).
 * Y (KES, no tier: 5): filed Tue 17 Mar 10:00, verified Wed 25 08:00.
 *   verification: 3 wd after Tue 17 = Wed 25, Thu 26, Fri 27 10:00: met,
 *     7 d 22 h = 684000 s.  Without holidays due Fri 20 10:00: met late.
 *   follow-up (fixed and tier 5) from Wed 25 08:00: due Wed 1 Apr 08:00,
 *     after the cutoff (1 Apr 00:00): running.
 *   24 h and target: due Wed 18 10:00, unmet: overdue.
 * Both: resolution due 60 days after filing: running.
 * Verification times [406800, 684000]: mean 545400, median (rank 1)
 * 406800, p90 (rank ceil(1.8) = 2) 684000.
 */
static void
test_weekend_holiday(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c[2];

	(void)state;
	cb_file(&c[0], A, 1, CT_COMPLAINT, "INF.JLN", 0,
	    "2026-03-06T16:00:00+07:00");
	cb_add(&c[0], A, EV_VERIFIED, "2026-03-11T09:00:00+07:00", NULL);
	cb_add(&c[0], A, EV_FOLLOWED_UP, "2026-03-20T10:00:00+07:00", NULL);
	cb_file(&c[1], A, 2, CT_COMPLAINT, "KES", 0,
	    "2026-03-17T10:00:00+07:00");
	cb_add(&c[1], A, EV_VERIFIED, "2026-03-25T08:00:00+07:00", NULL);
	MARCH(&f, A, &pol, c, 2);

	assert_int_equal(f.from, T("2026-03-01T00:00:00+07:00"));
	assert_int_equal(f.to, T("2026-04-01T00:00:00+07:00"));
	assert_int_equal(f.cutoff, f.to);
	assert_int_equal(f.received, 2);
	assert_int_equal(f.by_status[CS_IN_PROGRESS], 1);
	assert_int_equal(f.by_status[CS_VERIFIED], 1);
	assert_int_equal(f.followed_up, 1);
	assert_int_equal(f.followed_up_bp, 5000);
	assert_int_equal(f.in_progress_bp, 10000);
	assert_int_equal(clk(&f, MC_VERIFICATION)->started, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 545400);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.median, 406800);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.p90, 684000);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->met, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->running, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->met_bp, 10000);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->time.median, 781200);
	assert_int_equal(clk(&f, MC_FOLLOW_UP_TIER)->met_late, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP_TIER)->running, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP_TIER)->met_bp, 0);
	assert_int_equal(clk(&f, MC_24H)->met_late, 1);
	assert_int_equal(clk(&f, MC_24H)->overdue, 1);
	assert_int_equal(clk(&f, MC_24H)->time.mean, 1188000);
	assert_int_equal(clk(&f, MC_TARGET)->met_late, 1);
	assert_int_equal(clk(&f, MC_TARGET)->overdue, 1);
	assert_int_equal(clk(&f, MC_RESOLUTION)->running, 2);
	assert_int_equal(clk(&f, MC_INFORMATION)->started, 0);
	assert_int_equal(f.ncategories, 2);
	assert_string_equal(f.by_category[0].code, "INF.JLN");
	assert_string_equal(f.by_category[1].code, "KES");
	metrics_free(&f);

	/* The same without the holidays: both clocks above turn late. */
	pol = policy(420, 0);
	MARCH(&f, A, &pol, c, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met_late, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->met_late, 1);
	metrics_free(&f);
}

/*
 * Reopened: filed Mon 2 Mar 08:00, verified 09:00, followed up 10:00,
 * resolved Tue 3 09:00, reopened Wed 4 09:00, followed up again Thu 5
 * 09:00, resolved again Fri 6 09:00.  The first times count: follow-up
 * 1 h (3600 s), resolution 1 d 1 h (90000 s), 24 h met in 2 h.
 * reopened 1, status resolved, resolved_bp 10000.
 */
static void
test_reopened(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "KES", 0, "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-02T10:00:00+07:00", NULL);
	cb_add(&c, A, EV_RESOLVED, "2026-03-03T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_REOPENED, "2026-03-04T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-05T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_RESOLVED, "2026-03-06T09:00:00+07:00", NULL);
	MARCH(&f, A, &pol, &c, 1);
	assert_int_equal(f.reopened, 1);
	assert_int_equal(f.by_status[CS_RESOLVED], 1);
	assert_int_equal(f.resolved_bp, 10000);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->time.mean, 3600);
	assert_int_equal(clk(&f, MC_RESOLUTION)->met, 1);
	assert_int_equal(clk(&f, MC_RESOLUTION)->time.mean, 90000);
	assert_int_equal(clk(&f, MC_24H)->time.mean, 2 * H);
	assert_int_equal(f.refused, 0);
	metrics_free(&f);
}

/*
 * Forwarded twice: A files Mon 2 Mar 08:00, verifies 09:00, forwards to B
 * at 10:00; B records arrived at 12:00, accepts Tue 3 09:00 and forwards
 * to C at 10:00; C accepts Wed 4 09:00, follows up Thu 5 09:00, resolves
 * Fri 6 09:00; A records the reporter's rating 4 on Sat 7.
 *   A: received 1 (filed), owned elsewhere, forwarded out 1; its
 *      verification stint met in 1 h; no follow-up clock (C met it).
 *   B: received 1 (forwarded in), forwarded in 1 and out 1; its stint
 *      starts at its arrival 12:00, met by accepted Tue 09:00: 21 h.
 *   C: received 1, forwarded in 1; stint Tue 10:00 to Wed 09:00 = 23 h;
 *      follow-up clock from A's verification (Mon 09:00) to Thu 09:00 =
 *      3 d = 259200 s, met; 24 h met late; resolution met; the rating is
 *      credited to C, the owner when it was recorded (origin A wrote it).
 */
static void
test_forwarded_twice(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "INF", 0, "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_FORWARDED, "2026-03-02T10:00:00+07:00", B);
	cb_add(&c, B, EV_ARRIVED, "2026-03-02T12:00:00+07:00", NULL);
	cb_add(&c, B, EV_ACCEPTED, "2026-03-03T09:00:00+07:00", NULL);
	cb_add(&c, B, EV_FORWARDED, "2026-03-03T10:00:00+07:00", C);
	cb_add(&c, C, EV_ACCEPTED, "2026-03-04T09:00:00+07:00", NULL);
	cb_add(&c, C, EV_FOLLOWED_UP, "2026-03-05T09:00:00+07:00", NULL);
	cb_add(&c, C, EV_RESOLVED, "2026-03-06T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_RATING, "2026-03-07T09:00:00+07:00", "4");

	MARCH(&f, A, &pol, &c, 1);
	assert_int_equal(f.refused, 0);
	assert_int_equal(f.received, 1);
	assert_int_equal(f.owned_elsewhere, 1);
	assert_int_equal(f.forwarded_out, 1);
	assert_int_equal(f.forwarded_in, 0);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, H);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 0);
	assert_int_equal(f.rating_n, 0);
	metrics_free(&f);

	MARCH(&f, B, &pol, &c, 1);
	assert_int_equal(f.received, 1);
	assert_int_equal(f.forwarded_in, 1);
	assert_int_equal(f.forwarded_out, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 21 * H);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 0);
	metrics_free(&f);

	MARCH(&f, C, &pol, &c, 1);
	assert_int_equal(f.received, 1);
	assert_int_equal(f.owned_elsewhere, 0);
	assert_int_equal(f.forwarded_in, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 23 * H);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->met, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->time.mean, 3 * DAYS);
	assert_int_equal(clk(&f, MC_24H)->met_late, 1);
	assert_int_equal(clk(&f, MC_RESOLUTION)->met, 1);
	assert_int_equal(f.ratings[3], 1);
	assert_int_equal(f.rating_n, 1);
	assert_int_equal(f.rating_mean_c, 400);
	metrics_free(&f);
}

/*
 * Returned: A files Mon 2 Mar 08:00, verifies 08:30 and forwards to B at
 * 09:00; B returns it (bukan wewenang) at 11:00; A follows up Tue 3 15:00.
 *   A: verification stint 08:00-08:30: met in 1800 s; no second stint
 *      after the return.  returned in 1, forwarded out 1.  The follow-up
 *      (08:30 to Tue 15:00: 30.5 h = 109800 s) and the 24 h (31 h: late)
 *      are A's: it owned the complaint when they were met.
 *   B: received 1, returned out 1, stint 09:00-11:00 met by the return
 *      (2 h); no follow-up or 24 h clock.
 */
static void
test_returned(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "INF", 0, "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T08:30:00+07:00", NULL);
	cb_add(&c, A, EV_FORWARDED, "2026-03-02T09:00:00+07:00", B);
	cb_add(&c, B, EV_RETURNED, "2026-03-02T11:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-03T15:00:00+07:00", NULL);

	MARCH(&f, A, &pol, &c, 1);
	assert_int_equal(f.refused, 0);
	assert_int_equal(f.returned_in, 1);
	assert_int_equal(f.forwarded_out, 1);
	assert_int_equal(f.owned_elsewhere, 0);
	assert_int_equal(clk(&f, MC_VERIFICATION)->started, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 1800);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->met, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->time.mean, 109800);
	assert_int_equal(clk(&f, MC_24H)->met_late, 1);
	assert_int_equal(clk(&f, MC_24H)->time.mean, 31 * H);
	metrics_free(&f);

	MARCH(&f, B, &pol, &c, 1);
	assert_int_equal(f.received, 1);
	assert_int_equal(f.returned_out, 1);
	assert_int_equal(f.returned_in, 0);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 2 * H);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 0);
	assert_int_equal(clk(&f, MC_24H)->started, 0);
	metrics_free(&f);
}

/*
 * Credit where the clock ended, and a recall.
 * K: A files Mon 2 Mar 08:00, verifies 09:00, follows up 10:00, then
 *    forwards to B Tue 3 09:00; B accepts Wed 4 09:00.  The follow-up
 *    (1 h) and the 24 h (2 h) are A's, which met them, though B owns K at
 *    the cutoff; B's stint Tue 09:00 - Wed 09:00 is met in 24 h.
 * L: A files Mon 2 Mar 08:00, forwards to B at 09:00, asks to recall it
 *    at 10:00, B recalls it at 11:00 before accepting: B's stint is
 *    stopped (neither met nor overdue); A's stint was met by its forward
 *    (1 h) and a recall starts no new one.
 *   A: verification met 2 (1 h each); follow-up started 1, met 1.
 *   B: verification started 2, met 1 (86400 s), stopped 1; follow-up 0.
 */
static void
test_credit_and_recall(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c[2];

	(void)state;
	cb_file(&c[0], A, 1, CT_COMPLAINT, "KES", 0,
	    "2026-03-02T08:00:00+07:00");
	cb_add(&c[0], A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c[0], A, EV_FOLLOWED_UP, "2026-03-02T10:00:00+07:00", NULL);
	cb_add(&c[0], A, EV_FORWARDED, "2026-03-03T09:00:00+07:00", B);
	cb_add(&c[0], B, EV_ACCEPTED, "2026-03-04T09:00:00+07:00", NULL);
	cb_file(&c[1], A, 2, CT_COMPLAINT, "KES", 0,
	    "2026-03-02T08:00:00+07:00");
	cb_add(&c[1], A, EV_FORWARDED, "2026-03-02T09:00:00+07:00", B);
	cb_add(&c[1], A, EV_RECALL_REQUEST, "2026-03-02T10:00:00+07:00",
	    NULL);
	cb_add(&c[1], B, EV_RECALLED, "2026-03-02T11:00:00+07:00", NULL);

	MARCH(&f, A, &pol, c, 2);
	assert_int_equal(f.refused, 0);
	assert_int_equal(f.received, 2);
	assert_int_equal(f.owned_elsewhere, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->started, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, H);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->time.mean, H);
	assert_int_equal(clk(&f, MC_24H)->met, 1);
	metrics_free(&f);

	MARCH(&f, B, &pol, c, 2);
	assert_int_equal(f.received, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->started, 2);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->stopped, 1);
	assert_int_equal(clk(&f, MC_VERIFICATION)->overdue, 0);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, DAYS);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 0);
	assert_int_equal(clk(&f, MC_24H)->started, 0);
	metrics_free(&f);
}

/*
 * Archived and anonymous: P (anonymous) filed Mon 2 Mar 08:00 and
 * archived as spam at 09:00; Q (anonymous) filed 10:00, verified 11:00,
 * followed up 12:00; R filed 13:00 and verified 14:00, no follow-up.
 *   received 3, anonymous 2 (counted like any other), archived 1 (spam);
 *   archived_bp 3333 and followed_up_bp 3333 (1/3), in_progress_bp
 *   6667 (2/3 = 6666.67, half up).
 *   P's verification is met by the archive (1 h); its 24 h, target and
 *   resolution clocks are stopped, not met: 24 h started 3, met 1 (Q),
 *   stopped 1 (P), overdue 1 (R, due Tue 13:00), met_bp 5000 (1 / 2).
 */
static void
test_archived_anonymous(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c[3];

	(void)state;
	cb_file(&c[0], A, 1, CT_COMPLAINT, "LAIN", 1,
	    "2026-03-02T08:00:00+07:00");
	cb_add(&c[0], A, EV_ARCHIVED, "2026-03-02T09:00:00+07:00", NULL);
	cb_file(&c[1], A, 2, CT_ASPIRATION, "LAIN", 1,
	    "2026-03-02T10:00:00+07:00");
	cb_add(&c[1], A, EV_VERIFIED, "2026-03-02T11:00:00+07:00", NULL);
	cb_add(&c[1], A, EV_FOLLOWED_UP, "2026-03-02T12:00:00+07:00", NULL);
	cb_file(&c[2], A, 3, CT_COMPLAINT, "LAIN", 0,
	    "2026-03-02T13:00:00+07:00");
	cb_add(&c[2], A, EV_VERIFIED, "2026-03-02T14:00:00+07:00", NULL);
	MARCH(&f, A, &pol, c, 3);
	assert_int_equal(f.received, 3);
	assert_int_equal(f.anonymous, 2);
	assert_int_equal(f.by_type[CT_COMPLAINT], 2);
	assert_int_equal(f.by_type[CT_ASPIRATION], 1);
	assert_int_equal(f.by_status[CS_ARCHIVED], 1);
	assert_int_equal(f.archived_by_reason[AR_SPAM], 1);
	assert_int_equal(f.archived_bp, 3333);
	assert_int_equal(f.followed_up_bp, 3333);
	assert_int_equal(f.in_progress_bp, 6667);
	assert_int_equal(clk(&f, MC_VERIFICATION)->met, 3);
	assert_int_equal(clk(&f, MC_24H)->started, 3);
	assert_int_equal(clk(&f, MC_24H)->met, 1);
	assert_int_equal(clk(&f, MC_24H)->stopped, 1);
	assert_int_equal(clk(&f, MC_24H)->overdue, 1);
	assert_int_equal(clk(&f, MC_24H)->met_bp, 5000);
	assert_int_equal(clk(&f, MC_RESOLUTION)->stopped, 1);
	metrics_free(&f);
}

/*
 * Information request with extension: filed Mon 2 Mar 08:00, verified
 * 09:00, extended Fri 13 09:00, answered (followed up) Tue 31 Mar 10:00.
 * 10 + 7 = 17 wd after Mon 2 09:00: Tue 3 ... Mon 16 (10), Tue 17 (11),
 * (18-24 off), Wed 25 (12), Thu 26, Fri 27, Mon 30, Tue 31 (16), Wed 1 Apr
 * (17) 09:00: met.  The follow-up clocks do not run for it.
 * Without the extension: due Mon 16 09:00: met late.
 */
static void
test_information(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_INFORMATION_REQUEST, "KOM", 0,
	    "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_EXTENDED, "2026-03-13T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-31T10:00:00+07:00", NULL);
	MARCH(&f, A, &pol, &c, 1);
	assert_int_equal(f.by_type[CT_INFORMATION_REQUEST], 1);
	assert_int_equal(clk(&f, MC_INFORMATION)->met, 1);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->started, 0);
	assert_int_equal(clk(&f, MC_FOLLOW_UP_TIER)->started, 0);
	metrics_free(&f);

	/* Drop the extension (and renumber the follow-up). */
	c.ev[2] = c.ev[3];
	c.ev[2].v = 3;
	c.n = 3;
	MARCH(&f, A, &pol, &c, 1);
	assert_int_equal(f.refused, 0);
	assert_int_equal(clk(&f, MC_INFORMATION)->met, 0);
	assert_int_equal(clk(&f, MC_INFORMATION)->met_late, 1);
	assert_int_equal(clk(&f, MC_INFORMATION)->met_bp, 0);
	metrics_free(&f);
}

/*
 * Nearest rank over ten verification times of 1..10 hours (filed Mon
 * 2 Mar 08:00 + i minutes, verified i hours later): n 10, mean 5.5 h =
 * 19800 s, median rank ceil(10/2) = 5: 18000, p90 rank ceil(9) = 9: 32400.
 * Eleven (add 11 h): median rank 6: 21600; p90 rank ceil(9.9) = 10: 36000;
 * mean 6 h = 21600.
 */
static void
test_percentiles(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c[11];
	char			 at[64], vt[64];
	int			 i;

	(void)state;
	for (i = 0; i < 11; i++) {
		snprintf(at, sizeof(at), "2026-03-02T08:%02d:00+07:00", i);
		snprintf(vt, sizeof(vt), "2026-03-02T%02d:%02d:00+07:00",
		    9 + i, i);
		cb_file(&c[i], A, i + 1, CT_COMPLAINT, "", 0, at);
		cb_add(&c[i], A, EV_VERIFIED, vt, NULL);
	}
	MARCH(&f, A, &pol, c, 10);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.n, 10);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 19800);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.median, 18000);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.p90, 32400);
	assert_string_equal(f.by_category[0].code, "");
	metrics_free(&f);
	MARCH(&f, A, &pol, c, 11);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.median, 21600);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.p90, 36000);
	assert_int_equal(clk(&f, MC_VERIFICATION)->time.mean, 21600);
	metrics_free(&f);
}

/*
 * Period boundaries in the node's zone.  Three complaints filed at
 * 28 Feb 23:00 WIB (= 1 Mar 01:00 WIT), 1 Mar 00:30 WIB (02:30 WIT) and
 * 31 Mar 23:30 WIB (= 1 Apr 01:30 WIT).  March in WIB, [1 Mar 00:00+07,
 * 1 Apr 00:00+07), holds the last two; March in WIT, [1 Mar 00:00+09,
 * 1 Apr 00:00+09), the first two.  One day, 1 March, in WIB holds the
 * second only, in WIT the first two; 28 Feb..1 Mar in WIB the first two.
 */
static void
test_zones(void **state)
{
	struct metrics_policy	 wib = policy(420, 1);
	struct metrics_policy	 wit = policy(540, 1);
	struct metrics_figures	 f;
	struct cb		 c[3];

	(void)state;
	cb_file(&c[0], A, 1, CT_COMPLAINT, "KES", 0,
	    "2026-02-28T23:00:00+07:00");
	cb_file(&c[1], A, 2, CT_COMPLAINT, "KES", 0,
	    "2026-03-01T00:30:00+07:00");
	cb_file(&c[2], A, 3, CT_COMPLAINT, "KES", 0,
	    "2026-03-31T23:30:00+07:00");
	MARCH(&f, A, &wib, c, 3);
	assert_int_equal(f.received, 2);
	assert_int_equal(clk(&f, MC_24H)->started, 2);
	assert_int_equal(f.to, T("2026-04-01T00:00:00+07:00"));
	metrics_free(&f);
	MARCH(&f, A, &wit, c, 3);
	assert_int_equal(f.received, 2);
	assert_int_equal(f.from, T("2026-03-01T00:00:00+09:00"));
	assert_int_equal(f.to, T("2026-04-01T00:00:00+09:00"));
	metrics_free(&f);
	/* 1 March alone: 01:00 and 02:30 in WIT, 00:30 in WIB. */
	run(&f, A, &wit, 1, "2026-03-01", "2026-03-01",
	    "2026-04-10T12:00:00+07:00", c, 3);
	assert_int_equal(f.received, 2);
	metrics_free(&f);
	run(&f, A, &wib, 1, "2026-03-01", "2026-03-01",
	    "2026-04-10T12:00:00+07:00", c, 3);
	assert_int_equal(f.received, 1);
	metrics_free(&f);
	run(&f, A, &wib, 1, "2026-02-28", "2026-03-01",
	    "2026-04-10T12:00:00+07:00", c, 3);
	assert_int_equal(f.received, 2);
	metrics_free(&f);
}

/*
 * A policy change: Demak moves its target from 24 h to 4 h from 16 March.
 * X filed Mon 2 Mar 08:00 and followed up (after verifying) 12 h later:
 * judged by the 24 h target in force at its start: met.  Y filed Mon 16
 * Mar 08:00, followed up 12 h later: judged by 4 h: met late.  The first
 * version's zone sets the period.
 */
static void
test_policy_versions(void **state)
{
	struct metrics_policy	 pol[2];
	struct metrics_figures	 f;
	struct cb		 c[2];

	(void)state;
	pol[0] = policy(420, 1);
	pol[1] = policy(420, 1);
	pol[1].effective = T("2026-03-16T00:00:00+07:00");
	pol[1].target_hours = 4;
	cb_file(&c[0], A, 1, CT_COMPLAINT, "KES", 0,
	    "2026-03-02T08:00:00+07:00");
	cb_add(&c[0], A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c[0], A, EV_FOLLOWED_UP, "2026-03-02T20:00:00+07:00", NULL);
	cb_file(&c[1], A, 2, CT_COMPLAINT, "KES", 0,
	    "2026-03-16T08:00:00+07:00");
	cb_add(&c[1], A, EV_VERIFIED, "2026-03-16T09:00:00+07:00", NULL);
	cb_add(&c[1], A, EV_FOLLOWED_UP, "2026-03-16T20:00:00+07:00", NULL);
	run(&f, A, pol, 2, "2026-03-01", "2026-03-31",
	    "2026-04-10T12:00:00+07:00", c, 2);
	assert_int_equal(clk(&f, MC_TARGET)->met, 1);
	assert_int_equal(clk(&f, MC_TARGET)->met_late, 1);
	assert_int_equal(clk(&f, MC_24H)->met, 2);
	metrics_free(&f);
}

/*
 * What does not count: B (not the owner) claims a follow-up on A's
 * complaint: refused, and the follow-up clock stays unmet; A's own
 * follow-up after now (the cutoff, 5 Mar 12:00) is not seen either.
 * Filed Mon 2 Mar 08:00, verified 09:00: the fixed follow-up is due Mon 9
 * Mar 09:00, running at the cutoff.  A rating by B (not the origin) is
 * refused too.
 */
static void
test_refused_and_late(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "KES", 0, "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T09:00:00+07:00", NULL);
	cb_add(&c, B, EV_FOLLOWED_UP, "2026-03-02T10:00:00+07:00", NULL);
	c.v--;			/* B's event took no version */
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-06T10:00:00+07:00", NULL);
	cb_add(&c, B, EV_RATING, "2026-03-02T11:00:00+07:00", "5");
	run(&f, A, &pol, 1, "2026-03-01", "2026-03-31",
	    "2026-03-05T12:00:00+07:00", &c, 1);
	assert_int_equal(f.cutoff, T("2026-03-05T12:00:00+07:00"));
	assert_int_equal(f.events, 5);
	assert_int_equal(f.refused, 2);
	assert_int_equal(f.after_cutoff, 1);
	assert_int_equal(f.followed_up, 0);
	assert_int_equal(f.rating_n, 0);
	assert_int_equal(clk(&f, MC_FOLLOW_UP)->running, 1);
	assert_int_equal(clk(&f, MC_24H)->overdue, 1);
	metrics_free(&f);
}

struct diffs {
	int	 n;
	char	 path[128];
	int64_t	 a, b;
};

static void
on_diff(void *arg, const char *path, int64_t a, int64_t b)
{
	struct diffs	*d = arg;

	d->n++;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->a = a;
	d->b = b;
}

/*
 * The comparison: a recomputation equals itself; a set that claims one
 * more follow-up within 24 h differs in exactly that figure; a category
 * only one side holds is a difference too.
 */
static void
test_compare(void **state)
{
	struct metrics_policy	 pol = policy(420, 1);
	struct metrics_figures	 f, g;
	struct diffs		 d;
	struct cb		 c;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "KES", 0, "2026-03-02T08:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-03T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-03T10:00:00+07:00", NULL);
	MARCH(&f, A, &pol, &c, 1);
	MARCH(&g, A, &pol, &c, 1);
	memset(&d, 0, sizeof(d));
	assert_int_equal(metrics_compare(&f, &g, on_diff, &d), 0);
	assert_int_equal(d.n, 0);
	g.clocks[MC_24H].met++;
	g.clocks[MC_24H].met_late--;
	assert_int_equal(metrics_compare(&f, &g, on_diff, &d), 2);
	g.clocks[MC_24H].met_late++;
	memset(&d, 0, sizeof(d));
	assert_int_equal(metrics_compare(&f, &g, on_diff, &d), 1);
	assert_string_equal(d.path, "clocks.first_24h.met");
	assert_int_equal(d.a, 0);
	assert_int_equal(d.b, 1);
	g.clocks[MC_24H].met--;
	snprintf(g.by_category[0].code, sizeof(g.by_category[0].code),
	    "KES.PUSK");
	memset(&d, 0, sizeof(d));
	assert_int_equal(metrics_compare(&f, &g, on_diff, &d), 2);
	metrics_free(&f);
	metrics_free(&g);
}

static void
test_period_parse(void **state)
{
	struct metrics_period	 p;
	struct sp_err		 err;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(metrics_period_parse("2026", &p, &err), 0);
	assert_int_equal(p.first, D("2026-01-01"));
	assert_int_equal(p.last, D("2026-12-31"));
	assert_int_equal(metrics_period_parse("2028-02", &p, &err), 0);
	assert_int_equal(p.first, D("2028-02-01"));
	assert_int_equal(p.last, D("2028-02-29"));
	assert_int_equal(metrics_period_parse("2026-12", &p, &err), 0);
	assert_int_equal(p.last, D("2026-12-31"));
	assert_int_equal(metrics_period_parse("2026-03-05", &p, &err), 0);
	assert_int_equal(p.first, p.last);
	assert_int_equal(metrics_period_parse("2026-03-01..2026-03-15", &p,
	    &err), 0);
	assert_int_equal(p.last - p.first, 14);
	assert_int_equal(metrics_period_parse("2026-03-15..2026-03-01", &p,
	    &err), -1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(metrics_period_parse("2026-13", &p, &err), -1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(metrics_period_parse("March", &p, &err), -1);
	assert_int_equal(err.code, SPE_USAGE);
	memset(&err, 0, sizeof(err));
	assert_int_equal(metrics_period_parse("Mart", &p, &err), -1);
	assert_int_equal(err.code, SPE_USAGE);
	/* The month holding 31 Mar 23:30 WIB is April in WIT. */
	metrics_period_month(T("2026-03-31T23:30:00+07:00"), 540, &p);
	assert_int_equal(p.first, D("2026-04-01"));
	metrics_period_month(T("2026-03-31T23:30:00+07:00"), 420, &p);
	assert_int_equal(p.first, D("2026-03-01"));
}

static void
no_diff(void *arg, const char *path, int64_t a, int64_t b)
{
	(void)arg;
	fail_msg("%s differs: %lld, %lld", path, (long long)a, (long long)b);
}

/*
 * (M11): the same events in two stored orders fold to the same figures
 * once put in the canonical order: chain events by v, an annotation
 * before the first chain event later than it.
 */
static void
test_canonical_order(void **state)
{
	struct cb		 c;
	struct event		 a[32], b[32], tmp[32];
	struct metrics_policy	 pol;
	struct metrics_period	 per = { 0, 0 };
	struct metrics_figures	 fa, fb;
	struct metrics_run	 r;
	size_t			 i, n;

	(void)state;
	cb_file(&c, A, 1, CT_COMPLAINT, "", 0, "2026-03-02T09:00:00+07:00");
	cb_add(&c, A, EV_VERIFIED, "2026-03-02T10:00:00+07:00", NULL);
	cb_add(&c, A, EV_FOLLOWED_UP, "2026-03-02T11:00:00+07:00", NULL);
	cb_add(&c, A, EV_RESOLVED, "2026-03-03T09:00:00+07:00", NULL);
	cb_add(&c, A, EV_REPORTER_REPLY, "2026-03-03T10:00:00+07:00", NULL);
	cb_add(&c, A, EV_RATING, "2026-03-03T10:00:00+07:00", "4");
	cb_add(&c, A, EV_CLOSED, "2026-03-04T09:00:00+07:00", NULL);
	n = c.n;
	for (i = 0; i < n; i++)
		c.ev[i].seq = (int64_t)i + 1;
	/* a: as recorded; b: annotations first, chain reversed. */
	memcpy(a, c.ev, n * sizeof(*a));
	for (i = 0; i < n; i++)
		b[i] = c.ev[n - 1 - i];
	metrics_order(a, n, tmp);
	metrics_order(b, n, tmp);
	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].kind, c.ev[i].kind);
		assert_int_equal(b[i].kind, c.ev[i].kind);
	}
	memset(&pol, 0, sizeof(pol));
	pol.cal.offset = 420;
	pol.target_hours = 24;
	per.first = D("2026-03-01");
	per.last = D("2026-03-31");
	metrics_begin(&r, A, &pol, 1, &per, T("2026-04-10T00:00:00+07:00"),
	    &fa);
	metrics_add(&r, a, n);
	metrics_end(&r);
	metrics_begin(&r, A, &pol, 1, &per, T("2026-04-10T00:00:00+07:00"),
	    &fb);
	metrics_add(&r, b, n);
	metrics_end(&r);
	assert_int_equal(fa.ratings[3], 1);
	assert_int_equal(fa.replies, 1);
	assert_int_equal(metrics_compare(&fa, &fb, no_diff, NULL), 0);
	metrics_free(&fa);
	metrics_free(&fb);
}

/* The policy's canonical text: a round trip, and nothing else accepted. */
static void
test_policy_text(void **state)
{
	static const char ok[] = "zone WITA\ntarget 4\nholiday 2026-03-19\n"
	    "holiday 2026-03-20\ntier ADM.KTP 2\ntier INF.JLN 14\n";
	static const char *const bad[] = {
		"",
		"zone WIB\n",				/* no target */
		"target 24\nzone WIB\n",		/* order */
		"zone CET\ntarget 24\n",
		"zone WIB\ntarget 0\n",
		"zone WIB\ntarget 24",			/* no newline */
		"zone WIB\ntarget 24\nholiday 2026-03-20\n"
		    "holiday 2026-03-19\n",		/* not ascending */
		"zone WIB\ntarget 24\ntier INF 5\ntier INF 5\n",
		"zone WIB\ntarget 24\ntier INF 7\n",
		"zone WIB\ntarget 24\ntier INF 5\nholiday 2026-01-01\n",
		"zone WIB\ntarget 24\nholiday 2026-1-1\n",
		"zone WIB\ntarget 24\nnote x\n",
	};
	struct policy	 p;
	struct sp_err	 err = { 0 };
	char		*t;
	size_t		 i;

	(void)state;
	assert_int_equal(policy_parse(ok, &p, &err), 0);
	assert_int_equal(p.offset, 480);
	assert_int_equal(p.target_hours, 4);
	assert_int_equal(p.nholidays, 2);
	assert_int_equal(p.ntiers, 2);
	assert_int_equal(p.tiers[1].tier, 14);
	t = policy_format(&p);
	assert_string_equal(t, ok);
	free(t);
	policy_clear(&p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp_err_clear(&err);
		if (policy_parse(bad[i], &p, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.code, SPE_INVALID);
	}
}

/* A signed figure set's text: a round trip, and nothing else accepted. */
static void
test_figures_text(void **state)
{
	static const char *const bad[] = {
		"period 2026-03-01 2026-03-31\n",		/* no figure */
		"input 33.21 4\nfigure a.b 1\n",		/* no period */
		"period 2026-03-31 2026-03-01\nfigure a.b 1\n",
		"period 2026-03-01 2026-03-31\ninput 33.28 1\ninput 33.21 1\n"
		    "figure a.b 1\n",			/* not sorted */
		"period 2026-03-01 2026-03-31\ninput 33.21 0\nfigure a 1\n",
		"period 2026-03-01 2026-03-31\nfigure b 1\nfigure a 1\n",
		"period 2026-03-01 2026-03-31\nfigure a 01\n",
		"period 2026-03-01 2026-03-31\nfigure a 1 2\n",
		"period 2026-03-01 2026-03-31\nfigure a 1\ninput 33.21 1\n",
	};
	struct metrics_figures	 fig;
	struct metrics_period	 per;
	struct figures_input	 in[2] = { { "33.28", 7 }, { "33.21", 40 } };
	struct figures_signed	 fs;
	struct metrics_item	*it;
	struct sp_err		 err = { 0 };
	char			*t;
	size_t			 n, i;

	(void)state;
	memset(&fig, 0, sizeof(fig));
	snprintf(fig.node, sizeof(fig.node), "%s", A);
	fig.received = 3;
	fig.clocks[MC_24H].met = 2;
	per.first = D("2026-03-01");
	per.last = D("2026-03-31");
	t = figures_format(&fig, &per, in, 2);
	assert_int_equal(figures_parse(t, &fs, &err), 0);
	assert_int_equal(fs.period.first, per.first);
	assert_int_equal(fs.period.last, per.last);
	assert_int_equal(fs.nin, 2);
	assert_string_equal(fs.in[0].author, "33.21");
	assert_int_equal(fs.in[0].seq, 40);
	n = metrics_flatten(&fig, &it);
	assert_int_equal(metrics_compare_items(fs.fig, fs.nfig, it, n, no_diff,
	    NULL), 0);
	metrics_items_free(it, n);
	figures_signed_clear(&fs);
	free(t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp_err_clear(&err);
		if (figures_parse(bad[i], &fs, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.code, SPE_INVALID);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekend_holiday),
		cmocka_unit_test(test_reopened),
		cmocka_unit_test(test_forwarded_twice),
		cmocka_unit_test(test_returned),
		cmocka_unit_test(test_credit_and_recall),
		cmocka_unit_test(test_archived_anonymous),
		cmocka_unit_test(test_information),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_policy_versions),
		cmocka_unit_test(test_refused_and_late),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_period_parse),
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_policy_text),
		cmocka_unit_test(test_figures_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
