/*
 * store.h: the node's one SQLite file.  All SQL lives in src/store/ (the
 * core in store.c, the queries by table family beside it); every other
 * module sees struct store as opaque and calls one typed function per
 * query.  Writes happen only inside store_begin() ... store_commit().
 */
#ifndef SIMPUL_STORE_H
#define SIMPUL_STORE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct complaint_fields;
struct event;
struct sp_err;
struct store;

#define STORE_READ	0	/* no write transaction allowed */
#define STORE_WRITE	1
#define STORE_CREATE	2	/* a new file; refused if one exists */

/* How long a writer waits for another (SIMPUL_BUSY_TIMEOUT_MS overrides). */
#define STORE_BUSY_TIMEOUT_MS	5000

/*
 * Open (or with STORE_CREATE, create and migrate) the database at path.
 * Returns a new handle, freed with store_close(), or NULL with err filled:
 * SPE_NO_DB when there is none, SPE_EXISTS when creating over one,
 * SPE_READONLY when STORE_WRITE cannot write it, SPE_DAMAGED when it is
 * corrupt (STORE_WRITE runs PRAGMA quick_check first), SPE_LOCKED,
 * SPE_FULL or SPE_STORE otherwise.  Any later call may fail with the same
 * codes of the environment.
 */
struct store	*store_open(const char *path, int mode, struct sp_err *);
void		 store_close(struct store *);	/* NULL is fine */
/* Remove a database that is not in use and its -wal and -shm. */
void		 store_remove(const char *path);
/* 0 for a handle opened STORE_READ: it may not begin a transaction. */
int		 store_writable(const struct store *);
/* PRAGMA user_version, or -1 if it cannot be read. */
int		 store_schema_version(struct store *);

/* BEGIN IMMEDIATE, recording the caller for diagnostics. */
#define store_begin(s, err)	store_begin_at((s), __FILE__, __LINE__, (err))
int		 store_begin_at(struct store *, const char *, int,
		    struct sp_err *);
int		 store_commit(struct store *, struct sp_err *);
void		 store_rollback(struct store *);	/* no-op outside one */

/* PRAGMA quick_check on any handle: SPE_DAMAGED unless "ok" (doctor). */
int		 store_quick_check(struct store *, struct sp_err *);
/* A consistent copy of the live database at path (refused if it exists). */
int		 store_backup(struct store *, const char *path,
		    struct sp_err *);

/* Settings: *value is a new string (caller frees) or NULL when unset. */
int		 store_setting_get(struct store *, const char *key,
		    char **value, struct sp_err *);
int		 store_setting_set(struct store *, const char *key,
		    const char *value, struct sp_err *);

/* Holidays (days since the epoch, with a name). */
int		 store_holiday_clear_year(struct store *, int year,
		    struct sp_err *);
int		 store_holiday_add(struct store *, int64_t day,
		    const char *name, struct sp_err *);
/* Calls fn for each day in [from, to) in order; fn returns 0 or -1 (stop). */
int		 store_holiday_each(struct store *, int64_t from, int64_t to,
		    int (*fn)(void *, int64_t, const char *), void *,
		    struct sp_err *);

/* Topics: national (local 0) or the node's own subtopics (local 1). */
struct store_category {
	const char	*code;
	const char	*parent;	/* NULL at the top */
	const char	*name;
	int		 tier;		/* working days: 2, 5, 14 or 60 */
	int		 local;
};
int		 store_category_clear(struct store *, int local,
		    struct sp_err *);
int		 store_category_add(struct store *,
		    const struct store_category *, struct sp_err *);
/* 1 and *c filled (strings valid until the next store call), 0 if none. */
int		 store_category_get(struct store *, const char *code,
		    struct store_category *, struct sp_err *);
int		 store_category_each(struct store *,
		    int (*fn)(void *, const struct store_category *), void *,
		    struct sp_err *);

/* Peers this node exchanges with. */
struct store_peer {
	const char	*code;
	const char	*url;		/* NULL: reached through the hub */
	const char	*instance;	/* last instance id seen, or NULL */
	int64_t		 added_at;
	const uint8_t	*cert;		/* the hub: DER it enrolled with */
	size_t		 cert_len;	/* 0: none seen */
	const char	*name;		/* the hub: as the node gave it, or NULL */
};
int		 store_peer_add(struct store *, const char *code,
		    const char *url, int64_t now, struct sp_err *);
int		 store_peer_pin_add(struct store *, const char *code,
		    const char *pin, struct sp_err *);
int		 store_peer_remove(struct store *, const char *code,
		    struct sp_err *);
int		 store_peer_reenrol(struct store *, const char *code,
		    struct sp_err *);
/* 1 and *p filled (strings valid until the next call; p may be NULL) or 0. */
int		 store_peer_get(struct store *, const char *code,
		    struct store_peer *, struct sp_err *);
int		 store_peer_each(struct store *,
		    int (*fn)(void *, const struct store_peer *,
		    const char *pins), void *, struct sp_err *);
/* The hub: the certificate (DER) a node presented at its last contact. */
int		 store_peer_cert(struct store *, const char *code,
		    const uint8_t *der, size_t len, struct sp_err *);
/* The hub: the name a node gave itself at its last contact. */
int		 store_peer_name(struct store *, const char *code,
		    const char *name, struct sp_err *);

/*
 * The hub's last verified directory (DESIGN §2), replaced whole inside the
 * caller's transaction: store_directory_set() forgets the nodes held and
 * keeps the new document's signed bytes and what it states, then
 * store_directory_add() keeps each of its nodes.
 */
struct store_directory {
	int64_t		 issued;
	int		 version;	/* the wire version */
	size_t		 max_bytes;	/* the federation-wide limits */
	size_t		 max_items;
	size_t		 max_item_bytes;
};
int		 store_directory_set(struct store *,
		    const struct store_directory *, const uint8_t *bytes,
		    size_t len, int64_t now, struct sp_err *);
/* name NULL is kept as "", url NULL as none. */
int		 store_directory_add(struct store *, const char *code,
		    const char *name, const char *url, const char *instance,
		    const uint8_t *cert, size_t cert_len, struct sp_err *);
/* When the directory held was issued; 0 when none. */
int64_t		 store_directory_issued(struct store *, struct sp_err *);
/* 1 if code is in the directory held, else 0. */
int		 store_directory_has(struct store *, const char *code,
		    struct sp_err *);

/*
 * Counters that only grow: "author_seq" (this node's event seq) and
 * "complaint_number".  *out gets the next value; inside a transaction.
 */
int		 store_counter_next(struct store *, const char *name,
		    int64_t *out, struct sp_err *);
/* Raise a counter to at least value (recovery): it never goes down. */
int		 store_counter_raise(struct store *, const char *name,
		    int64_t value, struct sp_err *);

/* A complaint row: the filed fields and the cached fold (owner, ...). */
struct store_complaint {
	const char	*id;
	const char	*origin;
	const char	*owner;
	const char	*status;
	int		 v;
	const char	*type;
	const char	*channel;
	const char	*category;	/* may be NULL */
	const char	*title;
	const char	*body;
	const char	*location_code;	/* may be NULL */
	const char	*location_text;	/* may be NULL */
	int		 has_geo;
	double		 lat, lon;
	const char	*incident_date;	/* may be NULL */
	int64_t		 filed_at;
	int		 anonymous;
	int		 confidential;
	int64_t		 reply_open;	/* 0: no reply window running */
	int64_t		 ended_at;	/* archived/closed at; 0: open */
};
/* What list filters on; NULL matches everything. */
struct store_filter {
	const char	*status;
	const char	*channel;
	const char	*category;	/* the topic or its direct children */
	const char	*owner;
};
/* A new complaint row, owned by its origin, status new, v 0. */
int		 store_complaint_add(struct store *, const char *id,
		    const char *origin, const struct complaint_fields *,
		    struct sp_err *);
/* Rewrite the cached fold: owner, status, v, flags, reply_open. */
int		 store_complaint_update(struct store *,
		    const struct store_complaint *, struct sp_err *);
/* 1 and *c filled (strings valid until the next store call), 0 if none. */
int		 store_complaint_get(struct store *, const char *id,
		    struct store_complaint *, struct sp_err *);
/* In filed order; fn returns 0 or -1 (stop). */
int		 store_complaint_each(struct store *,
		    const struct store_filter *,
		    int (*fn)(void *, const struct store_complaint *), void *,
		    struct sp_err *);
/* Ids owned by owner whose reply window opened at or before `before`. */
int		 store_complaint_reply_due(struct store *, const char *owner,
		    int64_t before, int (*fn)(void *, const char *), void *,
		    struct sp_err *);

/* Ids still holding an identity whose complaint ended at or before. */
int		 store_complaint_identity_due(struct store *, int64_t before,
		    int (*fn)(void *, const char *), void *, struct sp_err *);

/* Append one event (DESIGN §3); events are never changed or deleted. */
int		 store_event_add(struct store *, const struct event *,
		    struct sp_err *);
/*
 * The events of a complaint in stored order, each lent to fn until it
 * returns; a filed event carries the complaint's fields.
 */
int		 store_event_each(struct store *, const char *complaint,
		    int (*fn)(void *, const struct event *), void *,
		    struct sp_err *);

/* Reporter identity, apart from everything else (DESIGN §7). */
struct store_reporter {
	const char	*name;		/* each may be NULL */
	const char	*contact;
	const char	*nik;
	int64_t		 erased_at;	/* 0: not erased */
};
int		 store_reporter_set(struct store *, const char *complaint,
		    const struct store_reporter *, struct sp_err *);
/* 1 and *r filled (valid until the next store call), 0 if none. */
int		 store_reporter_get(struct store *, const char *complaint,
		    struct store_reporter *, struct sp_err *);
/*
 * Forget name, contact and NIK for good; keep when it was done.  The
 * commit that follows empties the WAL.
 */
int		 store_reporter_erase(struct store *, const char *complaint,
		    int64_t now, struct sp_err *);
/* Who revealed the identity, and when. */
int		 store_reveal_log(struct store *, const char *complaint,
		    const char *actor, int64_t at, struct sp_err *);
int		 store_reveal_each(struct store *, const char *complaint,
		    int (*fn)(void *, const char *actor, int64_t at), void *,
		    struct sp_err *);
/* Copy the WAL into the database and empty it (outside a transaction). */
int		 store_checkpoint(struct store *, struct sp_err *);

/* ---- the exchange (DESIGN §5; migration 3) ---------------------------- */

/* 1 if the event (author, seq) is stored, 0 if not. */
int		 store_event_exists(struct store *, const char *author,
		    int64_t seq, struct sp_err *);
/* 1 if a complaint row exists, 0 if not. */
int		 store_complaint_exists(struct store *, const char *id,
		    struct sp_err *);

/* One channel, either direction; strings valid until the next call. */
struct store_channel {
	const char	*peer;
	int		 out;		/* 1: we send; 0: we receive */
	int64_t		 seq;		/* last cut (out), last accepted (in) */
	const char	*digest;	/* of that batch; 64 zeros at 0 */
	int64_t		 acked;		/* out: highest seq acknowledged */
	int64_t		 head;		/* out: receiver's head, last receipt */
	int		 halted;	/* in: after an equivocation */
	const char	*error;		/* last refusal, or NULL */
	int64_t		 error_at;	/* when (out), 0 when none */
	int64_t		 ok_at;		/* out: last good round, 0: none */
};
/* Fills *c, with zeros for a channel never used. */
int		 store_channel_get(struct store *, const char *peer, int out,
		    struct store_channel *, struct sp_err *);
int		 store_channel_put(struct store *,
		    const struct store_channel *, struct sp_err *);
/*
 * The out channel's last round, in a transaction: its error and when, or
 * (error NULL) a good round at at, kept to the STORE_OK_AT_STEP.
 */
#define STORE_OK_AT_STEP	60	/* seconds */
int		 store_channel_note(struct store *, const char *peer,
		    const char *error, int64_t at, struct sp_err *);
int		 store_channel_each(struct store *,
		    int (*fn)(void *, const struct store_channel *), void *,
		    struct sp_err *);

/* Outbox: this node's event seq waiting to be cut for peer. */
int		 store_outbox_add(struct store *, const char *peer,
		    int64_t seq, struct sp_err *);
/* Enqueue every event that author wrote on complaint (backfill). */
int		 store_outbox_backfill(struct store *, const char *peer,
		    const char *complaint, const char *author,
		    struct sp_err *);
int		 store_outbox_remove(struct store *, const char *peer,
		    int64_t seq, struct sp_err *);
/* Up to limit queued events of author for peer in seq order, lent to fn. */
int		 store_outbox_each(struct store *, const char *peer,
		    const char *author, int64_t limit,
		    int (*fn)(void *, const struct event *), void *,
		    struct sp_err *);
int64_t		 store_outbox_count(struct store *, const char *peer,
		    struct sp_err *);
/* Peers with events queued but no batch cut yet (no out channel row). */
int		 store_outbox_new_peers(struct store *,
		    int (*fn)(void *, const char *), void *, struct sp_err *);

/* A stored outgoing batch; bytes lent until the next store call. */
struct store_batch {
	const char	*peer;
	int64_t		 seq;
	const char	*digest;
	const char	*prev;
	const char	*replaces;	/* NULL unless a re-cut */
	const uint8_t	*bytes;
	size_t		 len;
	int64_t		 created;
	const char	*state;		/* stored, accepted, replaced */
	int		 has_receipt;
	int		 refused;	/* items the receiver refused */
};
int		 store_batch_out_add(struct store *,
		    const struct store_batch *, struct sp_err *);
/* Live copies (not replaced) for peer with seq >= from, in seq order. */
int		 store_batch_out_each(struct store *, const char *peer,
		    int64_t from, int (*fn)(void *, const struct store_batch *),
		    void *, struct sp_err *);
/*
 * The first batch for peer above seq after, not replaced, and only one
 * not yet accepted if stored_only: 1 with its seq, digest (room for 65:
 * 64 hex digits and NUL) and bytes appended to *bytes, or 0 when none.
 */
int		 store_batch_out_next(struct store *, const char *peer,
		    int64_t after, int stored_only, int64_t *seq, char *digest,
		    struct buf *bytes, struct sp_err *);
int		 store_batch_out_replace(struct store *, const char *peer,
		    const char *digest, struct sp_err *);
/*
 * A final receipt acknowledged (peer, seq, digest): mark it accepted, keep
 * the receipt's bytes (NULL for a receipt item) and count the refused
 * item positions not counted before (a receipt seen again, or in parts).
 * Returns 1, or 0 when no such batch was sent.
 */
int		 store_batch_out_ack(struct store *, const char *peer,
		    int64_t seq, const char *digest, const uint8_t *receipt,
		    size_t len, const int64_t *refused, size_t nrefused,
		    struct sp_err *);

/* Incoming batches: accepted ones and equivocation evidence. */
int		 store_batch_in_add(struct store *, const char *peer,
		    int64_t seq, const char *digest, const uint8_t *bytes,
		    size_t len, int64_t received, int evidence,
		    int64_t receipt, struct sp_err *);
/*
 * Was a batch with this digest accepted?  1 and its receipt's bytes in
 * *receipt (lent; NULL when it earned none), 0 if not.
 */
int		 store_batch_in_accepted(struct store *, const char *digest,
		    const uint8_t **receipt, size_t *len, struct sp_err *);
/* The exact bytes of a stored incoming batch; 1, or 0 if none. */
int		 store_batch_in_bytes(struct store *, const char *digest,
		    const uint8_t **bytes, size_t *len, struct sp_err *);
/* Recovery: the digest of the live batch to peer at seq; 1, or 0. */
int		 store_batch_out_live(struct store *, const char *peer,
		    int64_t seq, char *digest, struct sp_err *);
/*
 * Recovery: the batches cut for peer from seq on, never acknowledged,
 * are not what the receiver holds: marked replaced.
 */
int		 store_batch_out_unsent(struct store *, const char *peer,
		    int64_t seq, struct sp_err *);
/* The same for a batch this node sent (held own events, recovery). */
int		 store_batch_out_bytes(struct store *, const char *digest,
		    const uint8_t **bytes, size_t *len, struct sp_err *);
/*
 * The next accepted batch from peer after seq, its exact bytes appended to
 * bytes: 1, or 0 when none (a node recovering pulls its own back).
 */
int		 store_batch_in_next(struct store *, const char *peer,
		    int64_t after, int64_t *seq, struct buf *bytes,
		    struct sp_err *);
int		 store_batch_in_each(struct store *, const char *peer,
		    int (*fn)(void *, const char *digest, int64_t seq,
		    int evidence, int64_t received), void *, struct sp_err *);

/* Receipts this node signed; *id gets the new row. */
int		 store_receipt_out_add(struct store *, const char *peer,
		    int64_t seq, const char *digest, const uint8_t *bytes,
		    size_t len, int owed, int late, int64_t *id,
		    struct sp_err *);
/* Owed receipts for peer in order, lent to fn (id, bytes). */
int		 store_receipt_out_owed(struct store *, const char *peer,
		    int64_t limit, int (*fn)(void *, int64_t, const uint8_t *,
		    size_t), void *, struct sp_err *);
int		 store_receipt_out_paid(struct store *, int64_t id,
		    struct sp_err *);

/* Held events: waiting for their history. */
struct store_held {
	const char	*author;
	int64_t		 seq;
	const char	*complaint;
	int		 v;
	const char	*peer;
	int64_t		 batch_seq;
	const char	*batch_digest;
	int64_t		 item;		/* 1-based */
};
int		 store_held_add(struct store *, const struct store_held *,
		    struct sp_err *);
int		 store_held_remove(struct store *, const char *author,
		    int64_t seq, struct sp_err *);
/* 1 if (author, seq) is held. */
int		 store_held_exists(struct store *, const char *author,
		    int64_t seq, struct sp_err *);
/*
 * The first held event of complaint that may be next: an annotation, or
 * the chain event at v.  1 and *h filled (copied into buf), 0 if none.
 */
int		 store_held_next(struct store *, const char *complaint, int v,
		    struct store_held *h, char buf[256], struct sp_err *);
int64_t		 store_held_count(struct store *, const char *peer,
		    struct sp_err *);

/*
 * Archive (issue 6): every stored document, in a stable order: this node's
 * outgoing batches (every copy, re-cut and replaced ones included) and the
 * standalone receipts they earned, the incoming batches (accepted and
 * equivocation evidence) and the receipts this node signed.  from, to and
 * seq are the batch's; signer is who signed the document.  Lent to fn.
 */
struct store_doc {
	int		 receipt;	/* 0: a batch, 1: a receipt */
	const char	*signer;
	const char	*from;
	const char	*to;
	int64_t		 seq;
	const char	*digest;	/* the batch's */
	const uint8_t	*bytes;
	size_t		 len;
};
int		 store_archive_each(struct store *, const char *self,
		    int (*fn)(void *, const struct store_doc *), void *,
		    struct sp_err *);

/*
 * Metrics (issue 9): every stored event, complaint by complaint, each
 * complaint's in stored order, lent to fn (0, or -1 to stop) until it
 * returns.
 */
int		 store_event_scan(struct store *,
		    int (*fn)(void *, const struct event *, size_t), void *,
		    struct sp_err *);

/*
 * The relay (DESIGN §5).  The hub keeps every batch it relays, exact
 * bytes, with the relay receipt it signed.
 */
struct store_relay {
	const char	*digest;
	const char	*author;
	const char	*dest;
	int64_t		 seq;
	const uint8_t	*bytes;
	size_t		 len;
	int64_t		 received;
	const uint8_t	*receipt;	/* the signed relay receipt */
	size_t		 receipt_len;
	const char	*state;		/* waiting, delivered, refused, replaced */
	const char	*error;		/* the destination's refusal */
};
/* Record a node's instance id, enrolling it if it is not a peer yet. */
int		 store_peer_set_instance(struct store *, const char *code,
		    const char *instance, struct sp_err *);
/* A relay receipt for a batch this node sent: 1, or 0 if no such batch. */
int		 store_batch_out_relayed(struct store *, const char *peer,
		    int64_t seq, const char *digest, const uint8_t *receipt,
		    size_t len, struct sp_err *);
/* The highest seq to peer the hub relayed, or -1. */
int64_t		 store_channel_relayed(struct store *, const char *peer,
		    struct sp_err *);
/* Keep the relay receipt a received batch came with. */
int		 store_batch_in_relay(struct store *, const char *digest,
		    const uint8_t *receipt, size_t len, struct sp_err *);
/*
 * One relay row to fn (its strings valid during the call): by digest, at
 * (author, dest, seq), the next after a seq, or the first still waiting
 * for dest.  1 when there was one, 0 if not.
 */
int		 store_relay_by_digest(struct store *, const char *digest,
		    int (*)(void *, const struct store_relay *), void *,
		    struct sp_err *);
int		 store_relay_at(struct store *, const char *author,
		    const char *dest, int64_t seq,
		    int (*)(void *, const struct store_relay *), void *,
		    struct sp_err *);
int		 store_relay_next(struct store *, const char *author,
		    const char *dest, int64_t after,
		    int (*)(void *, const struct store_relay *), void *,
		    struct sp_err *);
int		 store_relay_undelivered(struct store *, const char *dest,
		    int (*)(void *, const struct store_relay *), void *,
		    struct sp_err *);
int		 store_relay_add(struct store *, const struct store_relay *,
		    struct sp_err *);
/* Set a row's state (and the destination's refusal, or NULL). */
int		 store_relay_mark(struct store *, const char *digest,
		    const char *state, const char *error, struct sp_err *);
/* Deliver (author, dest) again from seq on: the destination fell behind. */
int		 store_relay_redo(struct store *, const char *author,
		    const char *dest, int64_t from, struct sp_err *);
/* dest holds (author, dest) up to seq: what is at or below is delivered. */
int		 store_relay_held(struct store *, const char *author,
		    const char *dest, int64_t seq, struct sp_err *);
/* The authors with batches for dest above what dest holds, and the top. */
int		 store_relay_waiting(struct store *, const char *dest,
		    int (*)(void *, const char *author, int64_t seq), void *,
		    struct sp_err *);

/* The first final receipt this node made for peer's batches above seq. */
int		 store_receipt_out_next(struct store *, const char *peer,
		    int64_t after, struct buf *bytes, struct sp_err *);

/*
 * Figures (issue 9).  Policy versions of a node (this node's, and at the
 * hub every node's): canonical lines (exchange/policy.c), version from 1,
 * the time it took effect; hub says whether it was queued for the hub
 * channel.
 * store_policy_queue_hub() queues every version of node not yet queued.
 */
int		 store_policy_add(struct store *, const char *node,
		    int64_t version, int64_t effective, const char *body,
		    int hub, struct sp_err *);
int		 store_policy_each(struct store *, const char *node,
		    int (*fn)(void *, int64_t version, int64_t effective,
		    const char *body, int hub), void *, struct sp_err *);
int		 store_policy_queue_hub(struct store *, const char *node,
		    const char *hub, struct sp_err *);

/*
 * A signed figure set: canonical lines (exchange/figures.c), numbered per
 * node.
 */
struct store_figure_set {
	const char	*node;
	int64_t		 n;
	int64_t		 first, last;	/* the period's days */
	int64_t		 signed_at;
	const char	*body;
};
int		 store_figure_set_add(struct store *, const char *node,
		    int64_t n, int64_t first, int64_t last, int64_t signed_at,
		    const char *body, struct sp_err *);
/* The next free number for node's figure sets; -1 on failure. */
int64_t		 store_figure_set_next(struct store *, const char *node,
		    struct sp_err *);
/* node NULL: every node's; n 0: every set.  By node, then n. */
int		 store_figure_set_each(struct store *, const char *node,
		    int64_t n, int (*fn)(void *, const struct store_figure_set *),
		    void *, struct sp_err *);

/*
 * Items owed to a peer besides events: kind "policy" (n: version) or
 * "metrics" (n: figure set), self's own, policies first.  fn gets the
 * time (effective or signed) and the canonical body.
 */
int		 store_item_out_add(struct store *, const char *peer,
		    const char *kind, int64_t n, struct sp_err *);
int		 store_item_out_each(struct store *, const char *peer,
		    const char *self, int (*fn)(void *, const char *kind,
		    int64_t n, int64_t at, const char *body), void *,
		    struct sp_err *);
int		 store_item_out_remove(struct store *, const char *peer,
		    const char *kind, int64_t n, struct sp_err *);
/*
 * One received part of a split item.  When every part (1..parts, same
 * at) is there, *whole is their bodies in order (caller frees), else NULL.
 */
int		 store_item_part_add(struct store *, const char *node,
		    const char *kind, int64_t n, int part, int parts,
		    int64_t at, const char *body, char **whole,
		    struct sp_err *);
/* When this node received an event another node authored. */
int		 store_event_in_add(struct store *, const char *author,
		    int64_t seq, int64_t received, struct sp_err *);
/* The highest seq of author's events held here; 0 if none, -1 failed. */
int64_t		 store_event_max_seq(struct store *, const char *author,
		    struct sp_err *);
/*
 * The hub's check of a figure set: 1 and how many figures differ if it
 * was recorded, 0 if not yet.  The differences themselves, one per path.
 */
int		 store_figure_check_get(struct store *, const char *node,
		    int64_t n, int64_t *differences, struct sp_err *);
int		 store_figure_check_add(struct store *, const char *node,
		    int64_t n, int64_t checked, int64_t differences,
		    struct sp_err *);
int		 store_figure_diff_add(struct store *, const char *node,
		    int64_t n, const char *path, int64_t signed_value,
		    int64_t recomputed, struct sp_err *);
int		 store_event_in_each(struct store *, int (*fn)(void *,
		    const char *author, int64_t seq, int64_t received), void *,
		    struct sp_err *);

/* ---- the web desk's accounts (users.c; migration 9) ----------------- */

struct store_user {
	const char	*login;
	const char	*name;
	const char	*role;		/* admin, officer, liaison, auditor */
	const char	*unit;		/* NULL when none */
	const char	*hash;		/* crypto_pwhash_str's string */
	int		 disabled;
	int64_t		 created;
	int64_t		 changed;
};
/* A new account (SPE_EXISTS if the login is taken), in a transaction. */
int		 store_user_add(struct store *, const struct store_user *,
		    struct sp_err *);
/* 1 with *u filled (lent, as a _get row), 0 if there is no such login. */
int		 store_user_get(struct store *, const char *login,
		    struct store_user *, struct sp_err *);
/* In a transaction; SPE_NOT_FOUND if there is no such login. */
int		 store_user_set_hash(struct store *, const char *login,
		    const char *hash, int64_t at, struct sp_err *);
int		 store_user_disable(struct store *, const char *login,
		    int64_t at, struct sp_err *);
int		 store_user_each(struct store *,
		    int (*fn)(void *, const struct store_user *), void *,
		    struct sp_err *);

#endif
