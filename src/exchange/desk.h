/*
 * desk.h: the complaint desk's operations on the node's store: file a
 * complaint, record an event on one, rebuild one from its events, work out
 * its clocks, and close what the reporter's reply window ended.  The CLI
 * and the benchmark call exactly these.
 */
#ifndef SIMPUL_DESK_H
#define SIMPUL_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "rules/clock.h"

struct complaint_fields;
struct complaint_state;
struct event;
struct sp_err;
struct store;
struct store_reporter;

struct desk {
	struct store	*store;		/* borrowed */
	char		 node[16];	/* this node's code */
	char		 hub[16];	/* "hub" when one is configured, or "" */
	int		 offset;	/* its zone, minutes east of UTC */
	int		 target_hours;
	int		 retention_days;	/* 0: keep identity */
	int64_t		*holidays;	/* sorted local day numbers */
	size_t		 nholidays;
	const char	*actor;		/* borrowed */
	int64_t		 now;
};

#define DESK_AUTO_ACTOR	"simpul"	/* the actor of an automatic close */

/* Read the node's code, zone, target and calendar; free with desk_clear. */
int	 desk_init(struct desk *, struct store *, const char *actor,
	    int64_t now, struct sp_err *);
void	 desk_clear(struct desk *);
/* The node's calendar, for clock.c. */
struct clock_cal desk_cal(const struct desk *);

/* Rebuild a complaint from its events; SPE_NOT_FOUND if there is none. */
int	 desk_load(struct desk *, const char *id, struct complaint_state *,
	    struct sp_err *);
/*
 * File a new complaint at this node (inside a transaction): a new number,
 * the complaint row, the reporter's identity apart (r may be NULL) and the
 * filed event.  id gets "<node>-<number>".
 */
int	 desk_file(struct desk *, struct complaint_fields *,
	    const struct store_reporter *, char id[40], struct sp_err *);
/*
 * Record e on the complaint in s (inside a transaction).  Fills author,
 * seq, complaint, v, at (if 0: now), at_offset, recorded and actor (if
 * NULL), checks it with complaint.c, stores it, applies it to s and
 * routes it into the outbox (sync_route), all in the caller's transaction.
 */
int	 desk_record(struct desk *, struct complaint_state *, struct event *,
	    struct sp_err *);
/* Rewrite the cached fold of s in its row (after a local mark). */
int	 desk_save(struct desk *, const struct complaint_state *,
	    struct sp_err *);
/*
 * Close, as of the deadline, every complaint this node owns whose reply
 * window has ended (inside a transaction).  Returns how many, or -1.
 */
int	 desk_autoclose(struct desk *, struct sp_err *);
/*
 * Erase the reporter identity of every complaint archived or closed more
 * than retention.identity_days ago (inside a transaction; none when the
 * setting is 0).  The events stay as they are.
 */
int	 desk_expire_identity(struct desk *, struct sp_err *);
/* The node's own view of the clocks of s at desk->now. */
int	 desk_clocks(struct desk *, const struct complaint_state *,
	    struct clock out[CLK_MAX], size_t *n, struct sp_err *);

#endif
