/*
 * test_complaint.c: every cell of the transition table in complaint.c,
 * who may write what, the guards, the payload limits, the derived status,
 * and that a rebuild from events gives the same state as applying them one
 * by one.
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

#include "rules/complaint.h"
#include "core/err.h"
#include "rules/event.h"

#define A	"33.21"		/* the origin */
#define B	"33.28"		/* a peer it forwards to */
#define C	"33.22"		/* a third node */
#define ID	"33.21-000001"

static char	 actor[] = "desk";
static char	 text[] = "ditindaklanjuti";
static char	 reason_spam[] = "spam";
static char	 unit[] = "DPUPR";
static char	 title[] = "Jalan rusak";
static char	 body[] = "Jalan desa berlubang";
static char	 cat[] = "INF";

static struct complaint_fields fields = {
	CT_INFORMATION_REQUEST, CH_WEB, title, body, cat, NULL, NULL, 0, 0, 0,
	NULL, 0, 0, 0
};

static int64_t	 clock_at = 1764295200;	/* 2026-11-28T09:00:00+07:00 */

/* An event of kind k by author at version v, with a valid payload. */
static struct event
mk(enum event_kind k, const char *author, int v)
{
	struct event	 e;

	memset(&e, 0, sizeof(e));
	snprintf(e.author, sizeof(e.author), "%s", author);
	snprintf(e.complaint, sizeof(e.complaint), "%s", ID);
	e.kind = k;
	e.v = v;
	e.actor = actor;
	e.at = clock_at += 3600;
	e.at_offset = 420;
	switch (k) {
	case EV_FILED:
		e.filed = &fields;
		break;
	case EV_ARCHIVED:
	case EV_POSTPONED:
	case EV_RETURNED:
		e.reason = reason_spam;
		break;
	case EV_DISPATCHED:
		e.unit = unit;
		break;
	case EV_FOLLOWED_UP:
	case EV_NOTE:
	case EV_REPORTER_REPLY:
		e.text = text;
		break;
	case EV_FORWARDED:
		snprintf(e.to, sizeof(e.to), "%s",
		    strcmp(author, B) == 0 ? C : B);
		break;
	case EV_RATING:
		e.stars = 4;
		break;
	default:
		break;
	}
	return e;
}

/* Check and apply; the test fails if it is refused. */
static void
step(struct complaint_state *s, enum event_kind k, const char *author)
{
	struct sp_err	 err = { 0 };
	struct event	 e = mk(k, author, event_is_chain(k) ? s->v + 1 : 0);

	if (complaint_check(s, &e, &err) == -1)
		fail_msg("%s by %s refused: %s", event_kind_name(k), author,
		    err.msg);
	complaint_apply(s, &e);
}

/* Reach a phase by a fixed path of allowed events. */
static void
reach(struct complaint_state *s, enum complaint_phase ph)
{
	complaint_init(s, ID);
	if (ph == PH_NONE)
		return;
	step(s, EV_FILED, A);
	switch (ph) {
	case PH_VERIFIED:
		step(s, EV_VERIFIED, A);
		break;
	case PH_POSTPONED:
		step(s, EV_POSTPONED, A);
		break;
	case PH_FORWARDED:
	case PH_IN_PROGRESS:
		step(s, EV_VERIFIED, A);
		step(s, EV_DISPATCHED, A);
		step(s, EV_FOLLOWED_UP, A);
		step(s, EV_FORWARDED, A);
		if (ph == PH_IN_PROGRESS)
			step(s, EV_ACCEPTED, B);
		break;
	case PH_RESOLVED:
	case PH_CLOSED:
		step(s, EV_VERIFIED, A);
		step(s, EV_FOLLOWED_UP, A);
		step(s, ph == PH_RESOLVED ? EV_RESOLVED : EV_CLOSED, A);
		break;
	case PH_ARCHIVED:
		step(s, EV_ARCHIVED, A);
		break;
	default:
		break;
	}
	assert_int_equal(s->phase, ph);
}

/* The node that may write kind k in state s (the w-rules). */
static const char *
writer(const struct complaint_state *s, enum event_kind k)
{
	switch (k) {
	case EV_FILED:
	case EV_REPORTER_REPLY:
	case EV_RATING:
		return A;
	case EV_RECALL_REQUEST:
		return s->forwarder[0] ? s->forwarder : A;
	default:
		return s->owner[0] ? s->owner : A;
	}
}

/* The expected table, written out again independently of complaint.c. */
static const char *const expect_rows[EV_MAX] = {
	/* NONE NEW VERI POST FWD INPR RESO CLOS ARCH */
	[EV_FILED] =		"Y........",
	[EV_VERIFIED] =		".Y.Y.....",
	[EV_POSTPONED] =	".YY......",
	[EV_ARCHIVED] =		".YYY.Y...",
	[EV_DISPATCHED] =	"..Y..Y...",
	[EV_FOLLOWED_UP] =	"..Y..Y...",
	[EV_EXTENDED] =		"..Y..Y...",
	[EV_FORWARDED] =	".YYY.Y...",
	[EV_RECALLED] =		"....Y....",
	[EV_ACCEPTED] =		"....Y....",
	[EV_RETURNED] =		"....Y....",
	[EV_RESOLVED] =		".....Y...",
	[EV_REOPENED] =		"......YYY",
	[EV_CLOSED] =		".....YY..",
	[EV_NOTE] =		".YYYYYYYY",
	[EV_CONFIDENTIAL] =	".YYYYYYYY",
	[EV_RECALL_REQUEST] =	"....Y....",
	[EV_ARRIVED] =		"....YY...",
	[EV_REPORTER_REPLY] =	".YYYYYYYY",
	[EV_RATING] =		"....YYYY.",
};

static void
test_every_cell(void **state)
{
	int	 ph, k, cells = 0;

	(void)state;
	for (ph = 0; ph < PH_MAX; ph++)
		for (k = 0; k < EV_MAX; k++) {
			struct complaint_state	 s;
			struct sp_err		 err = { 0 };
			struct event		 e;
			int			 want, rc;

			reach(&s, (enum complaint_phase)ph);
			if (k == EV_RECALLED && ph == PH_FORWARDED)
				step(&s, EV_RECALL_REQUEST, A);
			want = expect_rows[k][ph] == 'Y';
			assert_int_equal(complaint_allowed(
			    (enum complaint_phase)ph, (enum event_kind)k),
			    want);
			e = mk((enum event_kind)k, writer(&s,
			    (enum event_kind)k), event_is_chain(
			    (enum event_kind)k) ? s.v + 1 : 0);
			rc = complaint_check(&s, &e, &err);
			if (want) {
				if (rc != 0)
					fail_msg("%s after %s refused: %s",
					    event_kind_name(e.kind),
					    complaint_phase_name(
					    (enum complaint_phase)ph), err.msg);
				complaint_apply(&s, &e);
				if (event_is_chain(e.kind))
					assert_int_equal(complaint_status(&s),
					    complaint_status_after(e.kind));
			} else {
				if (rc != -1 || err.code != SPE_TRANSITION)
					fail_msg("%s after %s: want a "
					    "transition refusal, got %d %s",
					    event_kind_name(e.kind),
					    complaint_phase_name(
					    (enum complaint_phase)ph), rc,
					    err.msg);
			}
			cells++;
		}
	assert_int_equal(cells, EV_MAX * PH_MAX);
}

static void
test_derived_status(void **state)
{
	static const struct { enum event_kind k; const char *st; } want[] = {
		{ EV_FILED, "new" }, { EV_VERIFIED, "verified" },
		{ EV_POSTPONED, "postponed" }, { EV_DISPATCHED, "in_progress" },
		{ EV_FOLLOWED_UP, "in_progress" },
		{ EV_EXTENDED, "in_progress" }, { EV_FORWARDED, "in_progress" },
		{ EV_RECALLED, "in_progress" }, { EV_ACCEPTED, "in_progress" },
		{ EV_RETURNED, "in_progress" }, { EV_REOPENED, "in_progress" },
		{ EV_RESOLVED, "resolved" }, { EV_CLOSED, "closed" },
		{ EV_ARCHIVED, "archived" },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(complaint_status_name(
		    complaint_status_after(want[i].k)), want[i].st);
	assert_int_equal(complaint_status_after(EV_NOTE), CS_MAX);
	assert_int_equal(complaint_status_by_name("in_progress"),
	    CS_IN_PROGRESS);
	assert_int_equal(complaint_status_by_name("done"), CS_MAX);
}

/* Expect a refusal with code and a message containing what. */
static void
refused(const struct complaint_state *s, const struct event *e,
    enum sp_code code, const char *what)
{
	struct sp_err	 err = { 0 };

	assert_int_equal(complaint_check(s, e, &err), -1);
	if (err.code != code || strstr(err.msg, what) == NULL)
		fail_msg("want %s '%s', got %s '%s'", sp_code_name(code), what,
		    sp_code_name(err.code), err.msg);
}

static void
test_ownership(void **state)
{
	struct complaint_state	 s;
	struct event		 e;

	(void)state;
	complaint_init(&s, ID);
	e = mk(EV_FILED, B, 1);
	refused(&s, &e, SPE_OWNERSHIP, "only by its origin");
	reach(&s, PH_FORWARDED);
	assert_string_equal(s.owner, B);
	assert_string_equal(s.forwarder, A);
	/* The forwarder lost ownership at once. */
	e = mk(EV_ARCHIVED, A, s.v + 1);
	refused(&s, &e, SPE_OWNERSHIP, "owned by 33.28");
	e = mk(EV_ARCHIVED, B, s.v + 1);
	refused(&s, &e, SPE_TRANSITION, "forwarded and not yet accepted");
	e = mk(EV_ACCEPTED, A, s.v + 1);
	refused(&s, &e, SPE_OWNERSHIP, "owned by 33.28");
	step(&s, EV_RETURNED, B);
	assert_string_equal(s.owner, A);
	assert_int_equal(s.forwarder[0], '\0');
	e = mk(EV_RESOLVED, B, s.v + 1);
	refused(&s, &e, SPE_OWNERSHIP, "owned by 33.21");
	step(&s, EV_RESOLVED, A);
	/* Recall: requested by the forwarder, answered by the target. */
	reach(&s, PH_FORWARDED);
	e = mk(EV_RECALLED, B, s.v + 1);
	refused(&s, &e, SPE_TRANSITION, "has not asked to recall");
	e = mk(EV_RECALL_REQUEST, B, 0);
	refused(&s, &e, SPE_PERMISSION, "only 33.21");
	step(&s, EV_RECALL_REQUEST, A);
	e = mk(EV_RECALL_REQUEST, A, 0);
	refused(&s, &e, SPE_TRANSITION, "already requested");
	step(&s, EV_RECALLED, B);
	assert_string_equal(s.owner, A);
	assert_int_equal(complaint_status(&s), CS_IN_PROGRESS);
}

static void
test_permissions(void **state)
{
	struct complaint_state	 s;
	struct event		 e;

	(void)state;
	reach(&s, PH_IN_PROGRESS);
	e = mk(EV_REPORTER_REPLY, B, 0);
	refused(&s, &e, SPE_PERMISSION, "only the origin 33.21");
	e = mk(EV_RATING, B, 0);
	refused(&s, &e, SPE_PERMISSION, "only the origin");
	e = mk(EV_NOTE, C, 0);
	refused(&s, &e, SPE_PERMISSION, "33.22 is not involved");
	e = mk(EV_ARRIVED, A, 0);
	refused(&s, &e, SPE_PERMISSION, "only the owner 33.28");
	step(&s, EV_NOTE, A);		/* the origin stays involved */
	step(&s, EV_NOTE, B);
	step(&s, EV_ARRIVED, B);
	e = mk(EV_ARRIVED, B, 0);
	refused(&s, &e, SPE_TRANSITION, "once after each forward");
	step(&s, EV_CONFIDENTIAL, B);
	assert_true(s.confidential);
	e = mk(EV_CONFIDENTIAL, A, 0);
	refused(&s, &e, SPE_TRANSITION, "already confidential");
	/* An annotation carries no version. */
	e = mk(EV_NOTE, A, 3);
	refused(&s, &e, SPE_TRANSITION, "expected 0");
	e = mk(EV_DISPATCHED, B, s.v + 2);
	refused(&s, &e, SPE_TRANSITION, "expected");
}

static void
test_guards(void **state)
{
	struct complaint_state	 s;
	struct event		 e;

	(void)state;
	reach(&s, PH_VERIFIED);
	e = mk(EV_RATING, A, 0);
	refused(&s, &e, SPE_TRANSITION, "is verified");
	step(&s, EV_EXTENDED, A);
	e = mk(EV_EXTENDED, A, s.v + 1);
	refused(&s, &e, SPE_TRANSITION, "already extended once");
	e = mk(EV_FORWARDED, A, s.v + 1);
	snprintf(e.to, sizeof(e.to), "%s", A);
	refused(&s, &e, SPE_TRANSITION, "the node itself");
	fields.type = CT_COMPLAINT;
	reach(&s, PH_VERIFIED);
	fields.type = CT_INFORMATION_REQUEST;
	e = mk(EV_EXTENDED, A, s.v + 1);
	refused(&s, &e, SPE_TRANSITION, "not an information request");
	/* Rating: after a follow-up only. */
	step(&s, EV_DISPATCHED, A);
	e = mk(EV_RATING, A, 0);
	refused(&s, &e, SPE_TRANSITION, "no follow-up to rate");
	step(&s, EV_FOLLOWED_UP, A);
	step(&s, EV_RATING, A);
}

static void
test_payloads(void **state)
{
	struct complaint_state	 s;
	struct event		 e;
	char			 big[COMPLAINT_TEXT_MAX + 2];
	char			 longtitle[COMPLAINT_TITLE_MAX + 2];
	char			 bad[] = "rusak";
	char			 badutf[] = "\xc3\x28";
	char			*save;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(longtitle, 'j', sizeof(longtitle) - 1);
	longtitle[sizeof(longtitle) - 1] = '\0';
	complaint_init(&s, ID);
	e = mk(EV_FILED, A, 1);
	save = fields.title;
	fields.title = longtitle;
	refused(&s, &e, SPE_INVALID, "title is 301 bytes, limit 300");
	fields.title = save;
	save = fields.body;
	fields.body = big;
	refused(&s, &e, SPE_INVALID, "body is 8193 bytes, limit 8192");
	fields.body = save;
	reach(&s, PH_VERIFIED);
	e = mk(EV_ARCHIVED, A, s.v + 1);
	e.reason = bad;
	refused(&s, &e, SPE_INVALID, "archive reason 'rusak'");
	e = mk(EV_DISPATCHED, A, s.v + 1);
	e.unit = NULL;
	refused(&s, &e, SPE_INVALID, "unit is empty");
	e = mk(EV_FOLLOWED_UP, A, s.v + 1);
	e.text = big;
	refused(&s, &e, SPE_INVALID, "text is 8193 bytes");
	e.text = badutf;
	refused(&s, &e, SPE_INVALID, "not UTF-8");
	e = mk(EV_NOTE, A, 0);
	e.actor = NULL;
	refused(&s, &e, SPE_INVALID, "actor");
	big[COMPLAINT_TEXT_MAX] = '\0';		/* exactly the limit */
	e = mk(EV_NOTE, A, 0);
	e.text = big;
	{
		struct sp_err	 err = { 0 };

		assert_int_equal(complaint_check(&s, &e, &err), 0);
	}
}

/* A long life, applied one by one and folded again: the same state. */
static void
test_rebuild(void **state)
{
	static const struct { enum event_kind k; const char *by; } life[] = {
		{ EV_FILED, A }, { EV_NOTE, A }, { EV_POSTPONED, A },
		{ EV_VERIFIED, A }, { EV_DISPATCHED, A }, { EV_EXTENDED, A },
		{ EV_FORWARDED, A }, { EV_RECALL_REQUEST, A },
		{ EV_RECALLED, B }, { EV_FORWARDED, A }, { EV_ARRIVED, B },
		{ EV_ACCEPTED, B }, { EV_FOLLOWED_UP, B },
		{ EV_REPORTER_REPLY, A }, { EV_CONFIDENTIAL, B },
		{ EV_RESOLVED, B }, { EV_RATING, A }, { EV_CLOSED, B },
		{ EV_REOPENED, B }, { EV_FOLLOWED_UP, B }, { EV_ARCHIVED, B },
		{ EV_REOPENED, B }, { EV_FORWARDED, B }, { EV_RETURNED, C },
	};
	struct complaint_state	 inc, rebuilt;
	struct event		 ev[sizeof(life) / sizeof(life[0])];
	struct sp_err		 err = { 0 };
	size_t			 i;

	(void)state;
	complaint_init(&inc, ID);
	for (i = 0; i < sizeof(life) / sizeof(life[0]); i++) {
		ev[i] = mk(life[i].k, life[i].by, event_is_chain(life[i].k) ?
		    inc.v + 1 : 0);
		if (complaint_check(&inc, &ev[i], &err) == -1)
			fail_msg("step %zu: %s", i, err.msg);
		complaint_apply(&inc, &ev[i]);
	}
	assert_int_equal(complaint_fold(&rebuilt, ID, ev, (int)i, &err), 0);
	assert_memory_equal(&inc, &rebuilt, sizeof(inc));
	assert_string_equal(inc.owner, B);
	assert_int_equal(inc.ninvolved, 3);
	assert_true(inc.confidential);
	assert_int_equal(complaint_status(&inc), CS_IN_PROGRESS);
	/* A changed history folds to another state, or is refused. */
	ev[8].author[3] = '9';
	assert_int_equal(complaint_fold(&rebuilt, ID, ev, (int)i, &err), -1);
	assert_int_equal(err.code, SPE_OWNERSHIP);
}

static void
test_autoclose(void **state)
{
	struct complaint_state	 s;
	struct clock_cal	 cal = { 420, NULL, 0 };
	int64_t			 at;

	(void)state;
	reach(&s, PH_VERIFIED);
	step(&s, EV_FOLLOWED_UP, A);
	assert_false(complaint_autoclose_due(&s, &cal,
	    s.facts.reply_start + 86400, &at));
	assert_true(complaint_autoclose_due(&s, &cal,
	    s.facts.reply_start + 30 * 86400, &at));
	assert_int_equal(at, clock_add_working_days(&cal, s.facts.reply_start,
	    10));
	/* A reply before the deadline keeps it open. */
	step(&s, EV_REPORTER_REPLY, A);
	assert_false(complaint_autoclose_due(&s, &cal,
	    s.facts.reply_start + 30 * 86400, &at));
	/* A reopen waits for a new follow-up. */
	step(&s, EV_CLOSED, A);
	assert_false(complaint_autoclose_due(&s, &cal,
	    s.facts.reply_start + 30 * 86400, &at));
	step(&s, EV_REOPENED, A);
	assert_int_equal(s.facts.stop, 0);
	assert_false(complaint_autoclose_due(&s, &cal, INT64_MAX / 2, &at));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cell),
		cmocka_unit_test(test_derived_status),
		cmocka_unit_test(test_ownership),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_rebuild),
		cmocka_unit_test(test_autoclose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
