/*
 * recv.h: the receiver (DESIGN §5), the one pipeline that `import` runs
 * now and the HTTPS server (POST /v1/batches) will run with the same
 * bytes.  It owns the order of the checks, the per-item outcomes, the
 * channel position and the signed final receipt, and it records the
 * receipts that come back to this node for the batches it sent.
 */
#ifndef SIMPUL_RECV_H
#define SIMPUL_RECV_H

#include <stddef.h>
#include <stdint.h>

#include "wire/batch.h"

struct sp_err;
struct store;
struct trust;
struct trust_key;

struct recv_ctx {
	const char		*node;		/* this node's code */
	const char		*instance;	/* its instance id */
	const char		*hub;		/* "hub", or NULL/"" if none */
	int			 offset;	/* its zone */
	const struct trust	*trust;		/* CA and CRL */
	const struct trust_key	*key;		/* signs the receipts */
	/* The node the batch must come from: a POST's client CN, the peer
	 * pulled from; NULL (import) for any. */
	const char		*pusher;
	/* The hub's relay receipt the batch came with, kept beside it. */
	const uint8_t		*relay;
	size_t			 relay_len;
	/* The hub: a batch for another node is relayed, not received. */
	int			 relays;
	/* A direct POST: its answer carries the final receipt, not owed. */
	int			 answered;
	struct batch_limits	 limits;
};

struct recv_outcome {
	int		 replay;	/* accepted before: the stored receipt */
	int		 receipt_only;	/* carried only receipts: earns none */
	int		 relayed;	/* the hub took it for another node:
					   receipt is its relay receipt */
	struct batch_header h;		/* the batch's header, once parsed */
	char		 digest[BATCH_DIGEST_LEN];
	int64_t		 expected;	/* on a 409: the seq expected next */
	uint8_t		*receipt;	/* the signed final receipt, or NULL */
	size_t		 receipt_len;
	struct receipt	 r;		/* its content (empty on replay) */
	size_t		 n[OUTCOME_MAX];	/* items by outcome */
	size_t		 late;		/* later receipts for held items */
};

struct sync_conf;

/* The context of this node's receiver, from its exchange settings. */
void	 recv_ctx_init(struct recv_ctx *, const struct sync_conf *);
void	 recv_outcome_clear(struct recv_outcome *);

/*
 * Receive one batch's exact bytes at the trusted time.  Opens its own
 * BEGIN IMMEDIATE transaction (the caller holds none).  Returns 0 when the
 * batch is accepted, or was already (out->replay: the stored receipt
 * again, whatever else changed), with the signed final receipt in out;
 * -1 on a transport refusal, nothing stored, err holding the code (its
 * HTTP status is the server's answer) and out->expected on a 409.
 * With ctx->relays (the hub), a batch for another node is relayed
 * instead (DESIGN §5): size, form, schema, signature and authorship, the
 * author and the destination enrolled, then the exact bytes stored with
 * a signed relay receipt in out (out->relayed); the channel position is
 * the destination's to judge.  An
 * equivocation is the one refusal that stores something: the evidence,
 * and the channel halted.
 */
int	 recv_batch(struct store *, const struct recv_ctx *,
	    const uint8_t *bytes, size_t len, int64_t trusted_time,
	    struct recv_outcome *, struct sp_err *);

/*
 * A standalone receipt (a file from import --receipts, the answer to a
 * POST): the transport checks, then recorded against the batch this node
 * sent, in its own transaction.  *r gets its content (receipt_clear).
 */
int	 recv_receipt(struct store *, const struct recv_ctx *,
	    const uint8_t *bytes, size_t len, int64_t trusted_time,
	    struct receipt *r, struct sp_err *);

/*
 * Record a final receipt for a batch this node sent (inside the caller's
 * transaction): the batch is acknowledged and the channel's acked seq and
 * receiver's head move on.  bytes is the standalone document, or NULL
 * for a receipt item.  SPE_NOT_FOUND if no such batch was sent,
 * SPE_AUTHORSHIP if the receipt is not about one of ours.
 */
int	 recv_record_receipt(struct store *, const char *self,
	    const struct receipt *, const uint8_t *bytes, size_t len,
	    struct sp_err *);

/*
 * A batch that came through the hub with its relay receipt: the receipt
 * checked (the hub's, about these bytes, for this node), then
 * recv_batch() at the relay receipt's time, the receipt kept.
 */
int	 recv_relayed(struct store *, const struct recv_ctx *,
	    const uint8_t *bytes, size_t len, const uint8_t *relay,
	    size_t relay_len, int64_t now, struct recv_outcome *,
	    struct sp_err *);

/*
 * Apply what waited in held for the complaint's history, inside the
 * caller's transaction (recovery re-applied an own event on it).
 */
int	 recv_release(struct store *, const struct recv_ctx *,
	    const char *complaint, int64_t now, struct sp_err *);

#endif
