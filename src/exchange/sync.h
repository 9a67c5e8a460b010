/*
 * sync.h: the sender's side of the exchange (DESIGN §5): the node's
 * exchange settings, routing events into the outbox in the transaction
 * that records them, cutting the outbox into signed, stored, chained
 * batches, and re-cutting a batch that was never accepted.  The network
 * loop (issue 7) will call the same cutter; export calls it now.
 */
#ifndef SIMPUL_SYNC_H
#define SIMPUL_SYNC_H

#include <stddef.h>
#include <stdint.h>

struct complaint_state;
struct event;
struct sp_err;
struct store;
struct trust;
struct trust_key;

/* What the exchange needs to know about this node. */
struct sync_conf {
	char		 node[16];	/* this node's code */
	char		 hub[16];	/* "hub" when one is configured, or "" */
	char		 instance[33];
	int		 offset;	/* zone, minutes east of UTC */
	size_t		 max_bytes;	/* limit.batch_bytes */
	size_t		 max_items;	/* limit.batch_items */
	struct trust_key *key;		/* the signing key, if loaded */
	struct trust	*trust;		/* CA and CRL, if loaded */
};

#define SYNC_KEY	0x1		/* load the key and certificate */
#define SYNC_TRUST	0x2		/* load the CA and CRL */

/* Read the settings (and with flags, key and trust); free with _clear. */
int	 sync_conf_load(struct store *, struct sync_conf *, int flags,
	    struct sp_err *);
void	 sync_conf_clear(struct sync_conf *);

/*
 * The node e makes newly involved in the complaint whose state before e
 * is s (the origin for filed, a forward's target the first time), or NULL.
 */
const char *sync_newcomer(const struct complaint_state *,
	    const struct event *);
/*
 * Route one event just applied to the complaint in s (inside the
 * transaction that stored it): an event this node wrote goes to every
 * destination (route_destinations); when it made newcomer (from
 * sync_newcomer, before it was applied) involved, this node's own events
 * of the complaint are backfilled to it.
 */
int	 sync_route(struct store *, const char *self, const char *hub,
	    const struct complaint_state *, const struct event *,
	    const char *newcomer, struct sp_err *);

/*
 * Cut everything queued for peer (events and owed receipts) into
 * batches, each signed and stored with its seq and prev, inside the
 * caller's BEGIN IMMEDIATE transaction.  *n gets how many were cut.
 */
int	 sync_cut(struct store *, const struct sync_conf *, const char *peer,
	    int64_t now, int *n, struct sp_err *);

/*
 * Re-sign the batch at seq (and every later stored one, to keep the
 * chain) with replaces="<old digest>", inside the caller's transaction.
 * Refused (SPE_TRANSITION) unless the receiver's last known head is
 * below seq and the batch was never acknowledged.
 */
int	 sync_recut(struct store *, const struct sync_conf *,
	    const char *peer, int64_t seq, int64_t now, int *n,
	    struct sp_err *);

#endif
