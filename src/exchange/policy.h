/*
 * policy.h: a node's policy (DESIGN §6): the zone and holidays of its
 * working days, its topic tiers and its local target, kept as versions
 * each with the time it took effect.  One canonical text form, the same
 * in the store, in the signed <policy> items and in the auditor's hands:
 *
 *	zone WIB
 *	target 24
 *	holiday 2026-03-19		(ascending, no duplicates)
 *	tier INF.JLN 5			(by code in strcmp order, no duplicates)
 *
 * each line ending in a newline, in exactly this order.
 */
#ifndef SIMPUL_POLICY_H
#define SIMPUL_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "rules/metrics.h"

struct sp_err;
struct store;

struct policy {
	int64_t			 version;	/* from 1 */
	int64_t			 effective;	/* epoch seconds */
	int			 offset;	/* zone, minutes east */
	int			 target_hours;
	int64_t			*holidays;	/* local day numbers */
	size_t			 nholidays;
	struct metrics_tier	*tiers;		/* codes owned */
	size_t			 ntiers;
};

/* The policy the node's settings, calendar and topics say now. */
int	 policy_current(struct store *, struct policy *, struct sp_err *);
/* The canonical text; the caller frees it. */
char	*policy_format(const struct policy *);
/* Strict: anything but the canonical text is SPE_INVALID. */
int	 policy_parse(const char *, struct policy *, struct sp_err *);
void	 policy_clear(struct policy *);
/*
 * Record the node's policy as a new version, in force from now, if it
 * differs from the last one recorded (the first is recorded whatever
 * it says), and queue every version not yet queued for the hub channel
 * when hub is not NULL.  With first set, only when none is recorded yet
 * (a database made before policies had versions: its policy until now).
 * Runs inside the caller's transaction.
 */
int	 policy_note(struct store *, const char *node, const char *hub,
	    int64_t now, int first, struct sp_err *);
/* Every recorded version of node's policy, by version; free each. */
int	 policy_history(struct store *, const char *node, struct policy **,
	    size_t *, struct sp_err *);
void	 policy_history_free(struct policy *, size_t);
/* The versions as metrics.c takes them: out[] borrows from pol[]. */
void	 policy_metrics(const struct policy *, size_t,
	    struct metrics_policy *out);

#endif
