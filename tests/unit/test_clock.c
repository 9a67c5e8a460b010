/*
 * test_clock.c: the working-day rule (weekends, holidays, month and year
 * ends, each zone, a start on a non-working day) and the clock table (24 h,
 * tiers, the information request's extension, met late, overdue, stops).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/clock.h"
#include "core/err.h"
#include "core/util.h"

#define WIB	420
#define WITA	480
#define WIT	540

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

/* n working days after t, formatted in the calendar's zone. */
static const char *
after(const struct clock_cal *cal, const char *t, int n)
{
	static char	 out[UTIL_TIME_LEN];

	util_time_format(clock_add_working_days(cal, T(t), n), cal->offset,
	    out);
	return out;
}

static void
test_weekends(void **state)
{
	struct clock_cal	 cal = { WIB, NULL, 0 };

	(void)state;
	/* 2026-11-27 is a Friday. */
	assert_false(clock_working_day(&cal, D("2026-11-28")));
	assert_false(clock_working_day(&cal, D("2026-11-29")));
	assert_true(clock_working_day(&cal, D("2026-11-27")));
	assert_string_equal(after(&cal, "2026-11-27T10:00:00+07:00", 1),
	    "2026-11-30T10:00:00+07:00");
	assert_string_equal(after(&cal, "2026-11-25T08:15:00+07:00", 3),
	    "2026-11-30T08:15:00+07:00");
	assert_string_equal(after(&cal, "2026-11-23T09:00:00+07:00", 10),
	    "2026-12-07T09:00:00+07:00");
	assert_string_equal(after(&cal, "2026-11-23T09:00:00+07:00", 0),
	    "2026-11-23T09:00:00+07:00");
}

static void
test_non_working_start(void **state)
{
	int64_t			 hol[] = { D("2026-12-25") };
	struct clock_cal	 cal = { WIB, hol, 1 };

	(void)state;
	/* Saturday 14:00 counts from Monday 00:00. */
	assert_string_equal(after(&cal, "2026-11-28T14:00:00+07:00", 3),
	    "2026-12-03T00:00:00+07:00");
	/* Filed on a holiday (Christmas, a Friday). */
	assert_string_equal(after(&cal, "2026-12-25T10:00:00+07:00", 3),
	    "2026-12-31T00:00:00+07:00");
	/* Sunday 23:59 UTC+7 is still Sunday. */
	assert_string_equal(after(&cal, "2026-11-29T23:59:00+07:00", 1),
	    "2026-12-01T00:00:00+07:00");
}

static void
test_holidays(void **state)
{
	int64_t			 hol[] = { D("2026-12-24"), D("2026-12-25"),
	    D("2027-01-01") };
	struct clock_cal	 cal = { WIB, hol, 3 };

	(void)state;
	assert_false(clock_working_day(&cal, D("2026-12-24")));
	assert_string_equal(after(&cal, "2026-12-23T09:00:00+07:00", 3),
	    "2026-12-30T09:00:00+07:00");
	/* Year end: Thu 31 Dec, (Fri 1 Jan holiday), Mon 4, Tue 5. */
	assert_string_equal(after(&cal, "2026-12-30T10:00:00+07:00", 3),
	    "2027-01-05T10:00:00+07:00");
	/* Without the holidays it would be earlier: the list matters. */
	cal.nholidays = 0;
	assert_string_equal(after(&cal, "2026-12-23T09:00:00+07:00", 3),
	    "2026-12-28T09:00:00+07:00");
}

static void
test_month_end(void **state)
{
	struct clock_cal	 cal = { WIB, NULL, 0 };

	(void)state;
	assert_string_equal(after(&cal, "2026-01-30T16:00:00+07:00", 1),
	    "2026-02-02T16:00:00+07:00");
	assert_string_equal(after(&cal, "2026-02-26T07:00:00+07:00", 3),
	    "2026-03-03T07:00:00+07:00");
	/* 2028 is a leap year: Tue 29 Feb is a working day. */
	assert_string_equal(after(&cal, "2028-02-28T07:00:00+07:00", 1),
	    "2028-02-29T07:00:00+07:00");
}

static void
test_zones(void **state)
{
	struct clock_cal	 wib = { WIB, NULL, 0 };
	struct clock_cal	 wita = { WITA, NULL, 0 };
	struct clock_cal	 wit = { WIT, NULL, 0 };
	const char		*t = "2026-11-27T16:30:00Z";

	(void)state;
	/* Friday 23:30 in WIB, but already Saturday in WITA and WIT. */
	assert_string_equal(after(&wib, t, 1), "2026-11-30T23:30:00+07:00");
	assert_string_equal(after(&wita, t, 1), "2026-12-01T00:00:00+08:00");
	assert_string_equal(after(&wit, t, 1), "2026-12-01T00:00:00+09:00");
	/* Early Monday in WIT is still Sunday in UTC: local days count. */
	assert_string_equal(after(&wit, "2026-11-29T22:00:00Z", 1),
	    "2026-12-01T07:00:00+09:00");
}

static struct clock_policy
policy(int tier)
{
	struct clock_policy	 p = { { WIB, NULL, 0 }, tier, 24 };

	return p;
}

/* The clock called name, or NULL. */
static const struct clock *
find(const struct clock *c, size_t n, enum clock_name name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (c[i].name == name)
			return &c[i];
	return NULL;
}

/* The clock called name, which must be there. */
static const struct clock *
get(const struct clock *c, size_t n, enum clock_name name)
{
	static const struct clock	 none;
	const struct clock		*k;

	if ((k = find(c, n, name)) == NULL) {
		fail_msg("no clock %d", (int)name);
		return &none;
	}
	return k;
}

static void
test_24h(void **state)
{
	struct clock_policy	 p = policy(5);
	struct clock_facts	 f = { 0 };
	struct clock		 c[CLK_MAX];
	size_t			 n;
	int64_t			 filed = T("2026-11-24T10:00:00+07:00");

	(void)state;
	f.filed = f.verify_start = f.target_start = filed;
	n = clock_compute(&f, &p, filed + 3600, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_RUNNING);
	assert_int_equal(get(c, n, CLK_24H)->due, filed + 86400);
	/* Exactly at the deadline is not yet past it. */
	n = clock_compute(&f, &p, filed + 86400, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_RUNNING);
	n = clock_compute(&f, &p, filed + 86401, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_OVERDUE);
	assert_int_equal(get(c, n, CLK_TARGET)->state, CLS_OVERDUE);
	/* Not started: no follow-up or reply window clock yet. */
	assert_null(find(c, n, CLK_FOLLOW_UP));
	assert_null(find(c, n, CLK_REPLY_WINDOW));
	f.first_follow = f.target_met = filed + 23 * 3600;
	n = clock_compute(&f, &p, filed + 90000, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_MET);
	f.first_follow = filed + 25 * 3600;
	n = clock_compute(&f, &p, filed + 90000, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_MET_LATE);
	/* The 24 h clock is wall-clock: a weekend does not pause it. */
	f.filed = T("2026-11-27T10:00:00+07:00");
	n = clock_compute(&f, &p, f.filed, c);
	assert_int_equal(get(c, n, CLK_24H)->due,
	    T("2026-11-28T10:00:00+07:00"));
}

static void
test_target(void **state)
{
	struct clock_policy	 p = policy(5);
	struct clock_facts	 f = { 0 };
	struct clock		 c[CLK_MAX];
	size_t			 n;

	(void)state;
	f.filed = f.verify_start = f.target_start =
	    T("2026-11-24T10:00:00+07:00");
	p.target_hours = 4;
	n = clock_compute(&f, &p, f.filed, c);
	assert_int_equal(get(c, n, CLK_TARGET)->due, f.filed + 4 * 3600);
}

static void
test_tiers(void **state)
{
	static const struct { int tier; const char *due; } want[] = {
		{ 2, "2026-11-26T09:00:00+07:00" },
		{ 5, "2026-12-01T09:00:00+07:00" },
		{ 14, "2026-12-14T09:00:00+07:00" },
		{ 60, "2027-02-16T09:00:00+07:00" },
	};
	struct clock_facts	 f = { 0 };
	struct clock		 c[CLK_MAX];
	char			 out[UTIL_TIME_LEN];
	size_t			 n, i;

	(void)state;
	f.filed = f.verify_start = T("2026-11-23T08:00:00+07:00");
	f.verified = f.verify_met = T("2026-11-24T09:00:00+07:00");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct clock_policy	 p = policy(want[i].tier);

		n = clock_compute(&f, &p, f.verified, c);
		util_time_format(get(c, n, CLK_FOLLOW_UP)->due, WIB, out);
		assert_string_equal(out, want[i].due);
	}
}

static void
test_information_request(void **state)
{
	struct clock_policy	 p = policy(2);
	struct clock_facts	 f = { 0 };
	struct clock		 c[CLK_MAX];
	char			 out[UTIL_TIME_LEN];
	size_t			 n;

	(void)state;
	f.information = 1;
	f.filed = f.verify_start = T("2026-11-23T08:00:00+07:00");
	f.verified = f.verify_met = T("2026-11-23T09:00:00+07:00");
	n = clock_compute(&f, &p, f.verified, c);
	assert_null(find(c, n, CLK_FOLLOW_UP));
	util_time_format(get(c, n, CLK_INFORMATION)->due, WIB, out);
	assert_string_equal(out, "2026-12-07T09:00:00+07:00");
	f.extended = 1;
	n = clock_compute(&f, &p, T("2026-12-08T09:00:00+07:00"), c);
	util_time_format(get(c, n, CLK_INFORMATION)->due, WIB, out);
	assert_string_equal(out, "2026-12-16T09:00:00+07:00");
	assert_int_equal(get(c, n, CLK_INFORMATION)->state, CLS_RUNNING);
	f.followed_up = T("2026-12-17T09:00:00+07:00");
	n = clock_compute(&f, &p, f.followed_up, c);
	assert_int_equal(get(c, n, CLK_INFORMATION)->state, CLS_MET_LATE);
}

static void
test_met_late_and_stop(void **state)
{
	struct clock_policy	 p = policy(5);
	struct clock_facts	 f = { 0 };
	struct clock		 c[CLK_MAX];
	size_t			 n;
	int64_t			 now;

	(void)state;
	f.filed = f.verify_start = T("2026-11-23T08:00:00+07:00");
	f.verify_met = T("2026-11-26T08:00:00+07:00");	/* exactly due */
	n = clock_compute(&f, &p, f.verify_met, c);
	assert_int_equal(get(c, n, CLK_VERIFICATION)->state, CLS_MET);
	f.verify_met++;
	n = clock_compute(&f, &p, f.verify_met, c);
	assert_int_equal(get(c, n, CLK_VERIFICATION)->state, CLS_MET_LATE);
	/* Resolution: 60 calendar days, overdue past them. */
	now = f.filed + 61 * 86400;
	n = clock_compute(&f, &p, now, c);
	assert_int_equal(get(c, n, CLK_RESOLUTION)->due,
	    f.filed + 60 * 86400);
	assert_int_equal(get(c, n, CLK_RESOLUTION)->state, CLS_OVERDUE);
	/* Archived: unmet clocks stop and are judged at that time. */
	f.stop = f.filed + 86400;
	n = clock_compute(&f, &p, now, c);
	assert_int_equal(get(c, n, CLK_RESOLUTION)->state, CLS_MET);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_MET);
	f.stop = f.filed + 2 * 86400;
	n = clock_compute(&f, &p, now, c);
	assert_int_equal(get(c, n, CLK_24H)->state, CLS_MET_LATE);
}

static void
test_reply_window(void **state)
{
	struct clock_cal	 cal = { WIB, NULL, 0 };
	struct clock_facts	 f = { 0 };
	int64_t			 at = 0;
	char			 out[UTIL_TIME_LEN];

	(void)state;
	f.filed = T("2026-11-23T08:00:00+07:00");
	assert_false(clock_reply_window_ended(&f, &cal, f.filed + 999999,
	    &at));
	f.reply_start = T("2026-11-24T11:00:00+07:00");
	assert_false(clock_reply_window_ended(&f, &cal,
	    T("2026-12-08T10:59:59+07:00"), &at));
	assert_true(clock_reply_window_ended(&f, &cal,
	    T("2026-12-08T11:00:00+07:00"), &at));
	util_time_format(at, WIB, out);
	assert_string_equal(out, "2026-12-08T11:00:00+07:00");
	f.reply = T("2026-11-25T11:00:00+07:00");
	assert_false(clock_reply_window_ended(&f, &cal,
	    T("2026-12-20T11:00:00+07:00"), &at));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(clock_name_str(CLK_24H), "24h");
	assert_string_equal(clock_name_str(CLK_INFORMATION),
	    "information_request");
	assert_string_equal(clock_state_str(CLS_MET_LATE), "met_late");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekends),
		cmocka_unit_test(test_non_working_start),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_month_end),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_24h),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_information_request),
		cmocka_unit_test(test_met_late_and_stop),
		cmocka_unit_test(test_reply_window),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
