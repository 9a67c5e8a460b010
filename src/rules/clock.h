/*
 * clock.h: working days and the clock table of DESIGN §3.  Pure: the
 * calendar (zone and holidays) and the policy come in as arguments, the
 * facts come from complaint.c's fold, and nothing here reads the store or
 * the system clock.
 */
#ifndef SIMPUL_CLOCK_H
#define SIMPUL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* The owner's calendar: its zone and its non-working days. */
struct clock_cal {
	int		 offset;	/* minutes east of UTC: 420, 480, 540 */
	const int64_t	*holidays;	/* local day numbers, sorted, no dups */
	size_t		 nholidays;
};

/* The node's own view of the clocks (DESIGN §6: policy). */
struct clock_policy {
	struct clock_cal cal;
	int		 tier;		/* follow-up working days: 2/5/14/60 */
	int		 target_hours;	/* local target; Demak 24 */
};

/* The clocks, in the order show prints them. */
enum clock_name {
	CLK_VERIFICATION,	/* 3 wd from filed (or a new owner's arrival) */
	CLK_FOLLOW_UP,		/* tier wd from first verified */
	CLK_INFORMATION,	/* 10 wd (+7 extended) from first verified */
	CLK_RESOLUTION,		/* 60 calendar days from filed */
	CLK_REPLY_WINDOW,	/* 10 wd from the last follow-up */
	CLK_24H,		/* 24 wall-clock hours from filed */
	CLK_TARGET,		/* target_hours from filed or arrival */
	CLK_MAX
};

enum clock_state {
	CLS_RUNNING,		/* not met, deadline not passed */
	CLS_MET,		/* met at or before the deadline */
	CLS_MET_LATE,		/* met after the deadline */
	CLS_OVERDUE,		/* not met, deadline passed */
	CLS_MAX
};

/*
 * What the clocks need to know of a complaint, filled by complaint.c's
 * fold.  Times are epoch seconds; 0 means "has not happened".
 */
struct clock_facts {
	int		 information;	/* type information_request */
	int		 extended;	/* an extended event exists */
	int64_t		 filed;
	int64_t		 verify_start;	/* filed, or a new owner's arrival */
	int64_t		 verify_met;	/* verified/archived/forwarded/... */
	int64_t		 verified;	/* first verified */
	int64_t		 followed_up;	/* first followed_up after verified */
	int64_t		 first_follow;	/* first followed_up at all */
	int64_t		 target_start;	/* filed or a new owner's arrival */
	int64_t		 target_met;	/* first followed_up after that */
	int64_t		 resolved;	/* first resolved */
	int64_t		 reply_start;	/* last followed_up, 0 after reopen */
	int64_t		 reply;		/* first reporter_reply after it */
	int64_t		 stop;		/* archived/closed while it is so */
};

struct clock {
	enum clock_name	 name;
	enum clock_state state;
	int64_t		 start;
	int64_t		 due;
	int64_t		 met;		/* 0: not met */
};

/* 1 if the local day number is a working day in cal. */
int		 clock_working_day(const struct clock_cal *, int64_t day);
/*
 * The n-th working day after t (DESIGN §3): the same local time of day on
 * the n-th working day after t's local day; a t on a non-working day counts
 * from 00:00 of the next working day.  n >= 0.
 */
int64_t		 clock_add_working_days(const struct clock_cal *, int64_t t,
		    int n);
/*
 * Fill out[] with the clocks that have started, in enum order, and return
 * how many.  now decides running against overdue.
 */
size_t		 clock_compute(const struct clock_facts *,
		    const struct clock_policy *, int64_t now,
		    struct clock out[CLK_MAX]);
/*
 * When the reporter's reply window ended unmet: 1 and *at = the deadline
 * if it has ended by now, else 0.  The caller decides if the status allows
 * a close.
 */
int		 clock_reply_window_ended(const struct clock_facts *,
		    const struct clock_cal *, int64_t now, int64_t *at);

const char	*clock_name_str(enum clock_name);
const char	*clock_state_str(enum clock_state);

#define CLOCK_VERIFY_WD		3
#define CLOCK_FOLLOW_UP_WD	5
#define CLOCK_INFO_WD		10
#define CLOCK_INFO_EXTRA_WD	7
#define CLOCK_RESOLUTION_DAYS	60
#define CLOCK_REPLY_WD		10

#endif
