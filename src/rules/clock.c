/*
 * clock.c: the working-day calendar and the clock table of DESIGN §3.  It
 * owns the deadline rule and the four clock states; it does not own where
 * the facts come from (complaint.c folds them from events), the calendar's
 * source (the store's holiday table) or how a clock is printed (fmt.c).
 *
 * Rules, as DESIGN §3 words them:
 *
 * (1) "n working days after t" is the same local time of day on the n-th
 *     working day after t's local day; a t on a non-working day counts
 *     from 00:00 of the next working day.  Working days are Monday to
 *     Friday minus the holidays, in the owner's zone.
 * (2) A clock starts at its start event and is met by its met event.  Met
 *     at or before the deadline: met; after: met_late.  Unmet and now past
 *     the deadline: overdue; else running.
 * (3) postponed does not stop a clock.  A complaint that is archived or
 *     closed (while it stays so) stops its unmet clocks at that time: a
 *     stop is judged like a meeting.  A reopen lets them run again.
 * (4) A clock that has not started is not listed.
 */
#include "config.h"

#include <stdlib.h>

#include "rules/clock.h"

#define DAY	86400

static const char *const names[CLK_MAX] = {
	"verification", "follow_up", "information_request", "resolution",
	"reply_window", "24h", "target",
};

static const char *const states[CLS_MAX] = {
	"running", "met", "met_late", "overdue",
};

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t	 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int
cmp_day(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
clock_working_day(const struct clock_cal *cal, int64_t day)
{
	/* 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday. */
	int64_t	 wd = ((day % 7) + 7) % 7;

	if (wd == 2 || wd == 3)
		return 0;
	if (cal->nholidays > 0 && bsearch(&day, cal->holidays,
	    cal->nholidays, sizeof(day), cmp_day) != NULL)
		return 0;
	return 1;
}

int64_t
clock_add_working_days(const struct clock_cal *cal, int64_t t, int n)
{
	int64_t	 local = t + (int64_t)cal->offset * 60;
	int64_t	 day = floordiv(local, DAY);
	int64_t	 tod = local - day * DAY;

	if (!clock_working_day(cal, day)) {
		tod = 0;
		do
			day++;
		while (!clock_working_day(cal, day));
	}
	while (n-- > 0)
		do
			day++;
		while (!clock_working_day(cal, day));
	return day * DAY + tod - (int64_t)cal->offset * 60;
}

/* Judge one clock by rule (2) and (3). */
static void
judge(struct clock *c, int64_t stop, int64_t now)
{
	int64_t	 end = c->met != 0 ? c->met : stop;

	if (end != 0)
		c->state = end <= c->due ? CLS_MET : CLS_MET_LATE;
	else
		c->state = now > c->due ? CLS_OVERDUE : CLS_RUNNING;
}

static void
add(struct clock *out, size_t *n, enum clock_name name, int64_t start,
    int64_t due, int64_t met)
{
	out[*n].name = name;
	out[*n].start = start;
	out[*n].due = due;
	out[*n].met = met;
	(*n)++;
}

size_t
clock_compute(const struct clock_facts *f, const struct clock_policy *p,
    int64_t now, struct clock out[CLK_MAX])
{
	const struct clock_cal	*cal = &p->cal;
	size_t			 n = 0, i;
	int			 tier;

	tier = p->tier > 0 ? p->tier : CLOCK_FOLLOW_UP_WD;
	if (f->filed == 0)
		return 0;
	if (f->verify_start != 0)
		add(out, &n, CLK_VERIFICATION, f->verify_start,
		    clock_add_working_days(cal, f->verify_start,
		    CLOCK_VERIFY_WD), f->verify_met);
	/* An information request runs on the KIP clock instead. */
	if (f->verified != 0 && !f->information)
		add(out, &n, CLK_FOLLOW_UP, f->verified,
		    clock_add_working_days(cal, f->verified, tier),
		    f->followed_up);
	if (f->verified != 0 && f->information)
		add(out, &n, CLK_INFORMATION, f->verified,
		    clock_add_working_days(cal, f->verified, CLOCK_INFO_WD +
		    (f->extended ? CLOCK_INFO_EXTRA_WD : 0)), f->followed_up);
	add(out, &n, CLK_RESOLUTION, f->filed,
	    f->filed + (int64_t)CLOCK_RESOLUTION_DAYS * DAY, f->resolved);
	if (f->reply_start != 0)
		add(out, &n, CLK_REPLY_WINDOW, f->reply_start,
		    clock_add_working_days(cal, f->reply_start,
		    CLOCK_REPLY_WD), f->reply);
	add(out, &n, CLK_24H, f->filed, f->filed + DAY, f->first_follow);
	if (f->target_start != 0 && p->target_hours > 0)
		add(out, &n, CLK_TARGET, f->target_start, f->target_start +
		    (int64_t)p->target_hours * 3600, f->target_met);
	for (i = 0; i < n; i++)
		judge(&out[i], f->stop, now);
	return n;
}

int
clock_reply_window_ended(const struct clock_facts *f,
    const struct clock_cal *cal, int64_t now, int64_t *at)
{
	int64_t	 due;

	if (f->reply_start == 0 || f->reply != 0 || f->stop != 0)
		return 0;
	due = clock_add_working_days(cal, f->reply_start, CLOCK_REPLY_WD);
	if (now < due)
		return 0;
	*at = due;
	return 1;
}

const char *
clock_name_str(enum clock_name n)
{
	return n < CLK_MAX ? names[n] : "unknown";
}

const char *
clock_state_str(enum clock_state s)
{
	return s < CLS_MAX ? states[s] : "unknown";
}
