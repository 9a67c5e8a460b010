/*
 * metrics.h: the figure set of DESIGN §6 as one deterministic function of
 * (the events of the complaints in scope, the node's policy with effective
 * dates, the period, now).  Pure: no I/O, no floating point, no system
 * clock.  The README's "Figures" section defines every number exactly;
 * metrics.c's header repeats the rules with their numbers (M1)...
 *
 * Use: metrics_begin(), then metrics_add() once per complaint with its
 * events in stored order, then metrics_end().  The hub and the auditor
 * call the same three functions on the events they hold, and compare with
 * metrics_compare().
 */
#ifndef SIMPUL_METRICS_H
#define SIMPUL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "rules/clock.h"
#include "rules/complaint.h"
#include "rules/event.h"

struct sp_err;

/* A topic's follow-up tier (working days: 2, 5, 14 or 60). */
struct metrics_tier {
	const char	*code;		/* sorted by strcmp, no dups */
	int		 tier;
};

/* One version of a node's policy, in force from `effective` on. */
struct metrics_policy {
	int64_t			 effective;	/* epoch seconds */
	struct clock_cal	 cal;		/* zone and holidays */
	int			 target_hours;	/* 0: none */
	const struct metrics_tier *tiers;
	size_t			 ntiers;
};

/* A period of whole local days, first..last inclusive (day numbers). */
struct metrics_period {
	int64_t		 first;
	int64_t		 last;
};

/* The clocks the figures report, in output order (M7). */
enum metrics_clock {
	MC_VERIFICATION,	/* 3 wd, per owner's stint */
	MC_FOLLOW_UP,		/* fixed 5 wd from first verified */
	MC_FOLLOW_UP_TIER,	/* the topic's tier from first verified */
	MC_INFORMATION,		/* 10 wd (+7 extended) from verified */
	MC_RESOLUTION,		/* 60 days from filed */
	MC_24H,			/* 24 h from filed to first follow-up */
	MC_TARGET,		/* the node's target from filed or arrival */
	MC_MAX
};

/* Durations in seconds over the met clocks (M8). */
struct metrics_dur {
	int64_t		 n;
	int64_t		 mean;		/* floor(sum / n) */
	int64_t		 median;	/* nearest rank: ceil(n / 2) */
	int64_t		 p90;		/* rank ceil(9n/10) */
};

struct metrics_clock_fig {
	int64_t		 started;	/* started in the period */
	int64_t		 met;		/* by its event, in time */
	int64_t		 met_late;
	int64_t		 overdue;	/* unmet, deadline passed */
	int64_t		 running;	/* unmet, not yet due */
	int64_t		 stopped;	/* archived/closed/recalled */
	int64_t		 met_bp;	/* met / (met+late+overdue) */
	struct metrics_dur time;	/* start to met, met and met late */
};

struct metrics_count {
	char		 code[33];
	int64_t		 n;
};

/* The figure set.  Free with metrics_free(). */
struct metrics_figures {
	char		 node[16];
	int64_t		 from, to;	/* [from, to): epoch seconds */
	int64_t		 cutoff;	/* min(to, now) */
	int		 offset;	/* zone of the period, minutes */
	/* the intake cohort (M3) */
	int64_t		 received;
	int64_t		 by_type[CT_MAX];
	int64_t		 by_channel[CH_MAX];
	int64_t		 by_status[CS_MAX];	/* at the cutoff */
	int64_t		 archived_by_reason[AR_MAX];
	struct metrics_count *by_category;	/* sorted by code; "" none */
	size_t		 ncategories;
	int64_t		 anonymous;
	int64_t		 reopened;
	int64_t		 owned_elsewhere;	/* at the cutoff */
	int64_t		 followed_up;	/* any followed_up */
	int64_t		 followed_up_bp;
	int64_t		 resolved_bp;	/* resolved or closed */
	int64_t		 in_progress_bp; /* verified, postponed, ... */
	int64_t		 archived_bp;
	/* the clocks (M5-M8) */
	struct metrics_clock_fig clocks[MC_MAX];
	/* events in the period (M9) */
	int64_t		 forwarded_in;
	int64_t		 forwarded_out;
	int64_t		 returned_in;	/* returned to this node */
	int64_t		 returned_out;	/* this node returned */
	int64_t		 replies;	/* reporter replies */
	int64_t		 ratings[5];	/* 1..5 stars */
	int64_t		 rating_n;
	int64_t		 rating_mean_c;	/* mean stars x 100 */
	/* inputs that did not count (M10) */
	int64_t		 events;	/* events given */
	int64_t		 refused;	/* failed the lifecycle check */
	int64_t		 after_cutoff;	/* at/after the cutoff */
	int64_t		 late;		/* counted at receipt (hub) */
};

/* The accumulator between begin and end; opaque in use. */
struct metrics_run {
	const struct metrics_policy *pol;
	size_t			 npol;
	int64_t			 now;
	struct metrics_figures	*fig;
	int64_t			*dur[MC_MAX];
	size_t			 ndur[MC_MAX], cdur[MC_MAX];
};

/*
 * Start a run for node over period (zone: the policy in force at the
 * period's first day) as of now.  pol[] is sorted by effective time, at
 * least one, the first in force from the earliest event (its effective is
 * not consulted before it); it is borrowed until metrics_end().  fig is
 * cleared and filled by metrics_end().
 */
void	 metrics_begin(struct metrics_run *, const char *node,
	    const struct metrics_policy *pol, size_t npol,
	    const struct metrics_period *, int64_t now,
	    struct metrics_figures *fig);
/*
 * Add one complaint: its events in canonical order (metrics_order()).
 * Events that fail complaint_check() count as refused and change nothing.
 */
void	 metrics_add(struct metrics_run *, const struct event *ev,
	    size_t n);
/* Finish the percentages and durations; frees the run's own memory. */
void	 metrics_end(struct metrics_run *);
/* Frees what fig owns (not fig itself). */
void	 metrics_free(struct metrics_figures *);

/*
 * Walk the figures in output order: groups (begin/end) hold values and
 * groups.  names are fixed ASCII identifiers except a category's code.
 */
struct metrics_visitor {
	void	(*begin)(void *, const char *name);
	void	(*end)(void *, const char *name);
	void	(*value)(void *, const char *name, int64_t);
};
void	 metrics_walk(const struct metrics_figures *,
	    const struct metrics_visitor *, void *arg);
/*
 * Compare two figure sets figure by figure (by dotted path).  Calls diff
 * for each path whose values differ, or that only one holds (the other's
 * value then 0 and present 0).  Returns how many differ.
 */
/* One figure by dotted path ("clocks.first_24h.met"). */
struct metrics_item {
	char		*path;
	int64_t		 value;
};
/* Every figure, with from, to and cutoff, sorted by path. */
size_t	 metrics_flatten(const struct metrics_figures *,
	    struct metrics_item **);
void	 metrics_items_free(struct metrics_item *, size_t);
/* As metrics_compare(), on two sorted flat lists. */
size_t	 metrics_compare_items(const struct metrics_item *, size_t,
	    const struct metrics_item *, size_t,
	    void (*diff)(void *, const char *path, int64_t a, int64_t b),
	    void *arg);
/*
 * Put one complaint's events in the canonical order (M11): chain events
 * by v, annotations merged by time.  tmp has room for n events.  The
 * events are moved, not copied.
 */
void	 metrics_order(struct event *, size_t n, struct event *tmp);
size_t	 metrics_compare(const struct metrics_figures *,
	    const struct metrics_figures *,
	    void (*diff)(void *, const char *path, int64_t a, int64_t b),
	    void *arg);

/* "YYYY", "YYYY-MM", "YYYY-MM-DD" or "FROM..TO": 0, else -1 and err. */
int	 metrics_period_parse(const char *, struct metrics_period *,
	    struct sp_err *);
/* The month holding local time t at offset minutes. */
void	 metrics_period_month(int64_t t, int offset,
	    struct metrics_period *);
const char *metrics_clock_name(enum metrics_clock);

#endif
