/*
 * recover.h: rebuilding a node from the batches it sent (DESIGN §2), one
 * verified batch at a time; the network side is cmd_recover.c.
 */
#ifndef SIMPUL_RECOVER_H
#define SIMPUL_RECOVER_H

#include <stddef.h>
#include <stdint.h>

struct sp_err;
struct store;
struct sync_conf;

struct recover_tally {
	int	 batches;	/* restored into batch_out */
	int	 applied;	/* own events re-applied */
	int	 duplicate;	/* already here: another channel carried it */
	int	 held;		/* waiting for others' events (normal sync) */
	int	 refused;	/* did not fit the complaint's history */
	int	 filed;		/* complaints filed here */
	int64_t	 author_seq;	/* the highest own event seq seen */
	int64_t	 number;	/* the highest complaint number seen */
};

/*
 * Start (or restart) a recovery, in one transaction: a new instance id
 * and the recovering mark, so every write is refused until it is done.
 */
int	 recover_start(struct store *, const char *instance, struct sp_err *);
/* The counters past the highest seen, and the mark cleared. */
int	 recover_finish(struct store *, const struct recover_tally *,
	    struct sp_err *);
/*
 * One batch this node sent to dest, pulled back: verified (schema, the
 * signature at now, signer and author this node), then in one transaction
 * its own events re-applied, its bytes in batch_out as accepted and the
 * channel to dest moved to it.  relay: the hub's relay receipt, or NULL.
 * It must be the next seq of that channel, chained by prev.
 */
int	 recover_batch(struct store *, const struct sync_conf *,
	    const char *dest, const uint8_t *bytes, size_t len,
	    const uint8_t *relay, size_t relay_len, int64_t now,
	    struct recover_tally *, struct sp_err *);

#endif
