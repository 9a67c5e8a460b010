/*
 * route.h: who must receive which events (DESIGN §5), as pure functions of
 * a complaint's events.  No I/O: the channel code asks, then enqueues.
 */
#ifndef SIMPUL_ROUTE_H
#define SIMPUL_ROUTE_H

#include <stddef.h>

struct event;
struct sp_err;

#define ROUTE_MAX	16	/* involved nodes per complaint */
#define ROUTE_CODE	16	/* a node code and its NUL */

/*
 * A set of node codes, in the order they were added.  One slot beyond
 * ROUTE_MAX leaves room for the hub among a full set's destinations.
 */
struct route_set {
	size_t	 n;
	char	 node[ROUTE_MAX + 1][ROUTE_CODE];
};

void	 route_set_init(struct route_set *);
int	 route_set_has(const struct route_set *, const char *);
/* Add code; 1 if it is new, 0 if it was there, -1 (SPE_INVALID) if full. */
int	 route_set_add(struct route_set *, const char *, struct sp_err *);

/*
 * Fold one event of a complaint into the set of nodes involved in it: the
 * origin (the author of `filed`) and every node that has owned it (the
 * target of each `forwarded`).  Returns 1 and sets *newcomer (borrowed from
 * the event) when a node became involved, 0 when none did, -1 when the set
 * is full.
 */
int	 route_involve(struct route_set *, const struct event *,
	    const char **newcomer, struct sp_err *);

/*
 * The destinations of an event that `self` authored: every involved node
 * and the hub (NULL: none configured), never self.
 */
void	 route_destinations(const struct route_set *, const char *self,
	    const char *hub, struct route_set *out);

/*
 * When newcomer becomes involved, must self backfill its own earlier events
 * of the complaint to it?  Yes, unless newcomer is self or the hub (which
 * already holds every author's complete log).
 */
int	 route_backfill(const char *newcomer, const char *self,
	    const char *hub);

#endif
