/*
 * channels.c: the store's exchange tables (migrations 3, 4 and 7): both
 * directions of each channel, the outbox, the batches sent and received
 * as their exact bytes (DESIGN invariants 11 and 12 of store.c), the
 * receipts this node signed, the held events (invariant 14), the archive
 * of every stored document, and the hub's relay.  It keeps what the
 * exchange decided; the state machine that moves a channel is sync.c's
 * and syncer.c's, and the checks of a batch are recv.c's.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

#define ZERO_DIGEST \
	"0000000000000000000000000000000000000000000000000000000000000000"

#define RELAY_COLUMNS	"digest, author, dest, seq, bytes, received, " \
	"receipt, state, error"

static struct store_channel *channel_row(const struct store_q *,
		    struct store_channel *);
static struct store_batch *batch_row(const struct store_q *,
		    struct store_batch *);
static struct store_doc *doc_row(const struct store_q *, struct store_doc *);
static int	 first_blob(struct store *, const char *, const char *,
		    const struct store_arg *, int64_t *, char *, struct buf *,
		    struct sp_err *);
static int	 lend_blob(struct store *, const char *, const char *,
		    const uint8_t **, size_t *, struct sp_err *);
static int	 batch_out_refuse(struct store *, const char *, const char *,
		    int64_t, struct sp_err *);
static struct store_relay *relay_row(const struct store_q *,
		    struct store_relay *);
static int	 relay_one(struct store *, const char *,
		    const struct store_arg *,
		    int (*)(void *, const struct store_relay *), void *,
		    struct sp_err *);

/*
 * The first row of a query of seq, digest and bytes: 1 with the seq in
 * *seq and the digest in digest (room for 65) unless NULL, the bytes
 * appended to *bytes; 0 when there is none.
 */
static int
first_blob(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, int64_t *seq, char *digest,
    struct buf *bytes, struct sp_err *err)
{
	struct store_q	 q;
	const uint8_t	*p;
	size_t		 len;
	int		 rc;

	if ((rc = store_q_row(s, &q, sql, what, args, err)) != 1)
		return rc;
	if (seq != NULL)
		*seq = store_col_int(&q, 0);
	if (digest != NULL)
		snprintf(digest, 65, "%s", store_col_text(&q, 1));
	p = store_col_blob(&q, 2, &len);
	if (buf_add(bytes, p, len, err) == -1)
		rc = -1;
	store_q_end(&q);
	return rc;
}

/* The blob in the row a query by digest yields, lent: 1, or 0 if none. */
static int
lend_blob(struct store *s, const char *sql, const char *digest,
    const uint8_t **bytes, size_t *len, struct sp_err *err)
{
	struct store_q	 q;
	int		 rc;

	*bytes = NULL;
	*len = 0;
	if ((rc = store_q_row(s, &q, sql, "batch", ARGS(ARG_TEXT(digest)),
	    err)) == 1)
		*bytes = store_col_blob(&q, 0, len);
	return rc;
}

/* ---- channels --------------------------------------------------------- */

static struct store_channel *
channel_row(const struct store_q *q, struct store_channel *c)
{
	c->peer = store_col_text(q, 0);
	c->out = strcmp(store_col_text(q, 1), "out") == 0;
	c->seq = store_col_int(q, 2);
	c->digest = store_col_text(q, 3);
	c->acked = store_col_int(q, 4);
	c->head = store_col_int(q, 5);
	c->halted = store_col_int(q, 6);
	c->error = store_col_text(q, 7);
	c->error_at = store_col_int(q, 8);
	c->ok_at = store_col_int(q, 9);
	return c;
}

int
store_channel_get(struct store *s, const char *peer, int out,
    struct store_channel *c, struct sp_err *err)
{
	static const char	*sql = "SELECT peer, dir, seq, digest, acked, "
	    "head, halted, error, error_at, ok_at FROM channel WHERE "
	    "peer = ? AND dir = ?";
	struct store_q		 q;
	int			 rc;

	memset(c, 0, sizeof(*c));
	c->peer = peer;
	c->out = out;
	c->digest = ZERO_DIGEST;
	if ((rc = store_q_row(s, &q, sql, "channel",
	    ARGS(ARG_TEXT(peer), ARG_TEXT(out ? "out" : "in")), err)) == 1)
		channel_row(&q, c);
	return rc == -1 ? -1 : 0;
}

/* c's strings may be lent by a channel row: bind() copies them. */
int
store_channel_put(struct store *s, const struct store_channel *c,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO channel (peer, dir, seq, "
	    "digest, acked, head, halted, error) VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "?) ON CONFLICT (peer, dir) DO UPDATE SET seq = excluded.seq, "
	    "digest = excluded.digest, acked = excluded.acked, "
	    "head = excluded.head, halted = excluded.halted, "
	    "error = excluded.error";

	return store_run(s, sql, "channel", ARGS(ARG_TEXT(c->peer),
	    ARG_TEXT(c->out ? "out" : "in"), ARG_INT(c->seq),
	    ARG_TEXT(c->digest), ARG_INT(c->acked), ARG_INT(c->head),
	    ARG_INT(c->halted), ARG_TEXT(c->error)), err);
}

int
store_channel_each(struct store *s,
    int (*fn)(void *, const struct store_channel *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT peer, dir, seq, digest, acked, "
	    "head, halted, error, error_at, ok_at FROM channel ORDER BY peer, "
	    "dir DESC";
	struct store_channel	 c;
	struct store_q		 q;

	store_q_start(s, &q, sql, "channel", NULL, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, channel_row(&q, &c)));
	return store_q_end(&q);
}

int
store_channel_note(struct store *s, const char *peer, const char *error,
    int64_t at, struct sp_err *err)
{
	/*
	 * Rounds end every few seconds: the row is written only when the
	 * error changes or a good round is a minute newer than the one kept,
	 * so that a quiet channel costs no write per round.
	 */
	static const char	*sql = "INSERT INTO channel (peer, dir, "
	    "digest, error, error_at, ok_at) VALUES (?, 'out', ?, ?, ?, ?) "
	    "ON CONFLICT (peer, dir) DO UPDATE SET error = excluded.error, "
	    "error_at = excluded.error_at, ok_at = coalesce(excluded.ok_at, "
	    "ok_at) WHERE error IS NOT excluded.error OR excluded.ok_at >= "
	    "coalesce(ok_at, 0) + ?";

	return store_run(s, sql, "channel", ARGS(ARG_TEXT(peer),
	    ARG_TEXT(ZERO_DIGEST), ARG_TEXT(error),
	    error != NULL ? ARG_INT(at) : ARG_NULL,
	    error == NULL ? ARG_INT(at) : ARG_NULL,
	    ARG_INT(STORE_OK_AT_STEP)), err);
}

int64_t
store_channel_relayed(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql = "SELECT relayed FROM channel WHERE "
	    "peer = ? AND dir = 'out'";

	return store_int(s, sql, "channel", ARGS(ARG_TEXT(peer)), 0, err);
}

/* ---- the outbox ------------------------------------------------------- */

int
store_outbox_add(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT OR IGNORE INTO outbox (peer, seq) VALUES (?, ?)";

	return store_run(s, sql, "outbox", ARGS(ARG_TEXT(peer), ARG_INT(seq)),
	    err);
}

int
store_outbox_backfill(struct store *s, const char *peer,
    const char *complaint, const char *author, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO outbox (peer, "
	    "seq) SELECT ?, seq FROM event WHERE complaint = ? AND author = ?";

	return store_run(s, sql, "outbox", ARGS(ARG_TEXT(peer),
	    ARG_TEXT(complaint), ARG_TEXT(author)), err);
}

int
store_outbox_remove(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM outbox WHERE peer = ? AND seq = ?";

	return store_run(s, sql, "outbox", ARGS(ARG_TEXT(peer), ARG_INT(seq)),
	    err);
}

int
store_outbox_each(struct store *s, const char *peer, const char *author,
    int64_t limit, int (*fn)(void *, const struct event *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " STORE_EVENT_COLUMNS
	    " FROM outbox o JOIN event e ON e.author = ? AND e.seq = o.seq "
	    "JOIN complaint c ON c.id = e.complaint "
	    "WHERE o.peer = ? ORDER BY o.seq LIMIT ?";

	return store_events(s, sql, "outbox", ARGS(ARG_TEXT(author),
	    ARG_TEXT(peer), ARG_INT(limit)), fn, arg, err);
}

int64_t
store_outbox_count(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT count(*) FROM outbox WHERE peer = ?";

	return store_int(s, sql, "count", ARGS(ARG_TEXT(peer)), 0, err);
}

int
store_outbox_new_peers(struct store *s, int (*fn)(void *, const char *),
    void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT DISTINCT peer FROM outbox "
	    "WHERE peer NOT IN (SELECT peer FROM channel WHERE dir = 'out') "
	    "ORDER BY peer";

	return store_each_id(s, sql, "outbox", NULL, fn, arg, err);
}

/* ---- batches sent ----------------------------------------------------- */

int
store_batch_out_add(struct store *s, const struct store_batch *b,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO batch_out (peer, seq, "
	    "digest, prev, replaces, bytes, created) VALUES (?, ?, ?, ?, ?, ?, "
	    "?)";

	return store_run(s, sql, "batch", ARGS(ARG_TEXT(b->peer),
	    ARG_INT(b->seq), ARG_TEXT(b->digest), ARG_TEXT(b->prev),
	    ARG_TEXT(b->replaces), ARG_BLOB(b->bytes, b->len),
	    ARG_INT(b->created)), err);
}

static struct store_batch *
batch_row(const struct store_q *q, struct store_batch *b)
{
	b->peer = store_col_text(q, 0);
	b->seq = store_col_int(q, 1);
	b->digest = store_col_text(q, 2);
	b->prev = store_col_text(q, 3);
	b->replaces = store_col_text(q, 4);
	b->bytes = store_col_blob(q, 5, &b->len);
	b->created = store_col_int(q, 6);
	b->state = store_col_text(q, 7);
	b->has_receipt = store_col_int(q, 8);
	b->refused = store_col_int(q, 9);
	return b;
}

int
store_batch_out_each(struct store *s, const char *peer, int64_t from,
    int (*fn)(void *, const struct store_batch *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT peer, seq, digest, prev, "
	    "replaces, bytes, created, state, receipt IS NOT NULL, refused "
	    "FROM batch_out WHERE peer = ? AND seq >= ? AND "
	    "state != 'replaced' ORDER BY seq";
	struct store_batch	 b;
	struct store_q		 q;

	store_q_start(s, &q, sql, "batch", ARGS(ARG_TEXT(peer),
	    ARG_INT(from)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, batch_row(&q, &b)));
	return store_q_end(&q);
}

int
store_batch_out_next(struct store *s, const char *peer, int64_t after,
    int stored_only, int64_t *seq, char *digest, struct buf *bytes,
    struct sp_err *err)
{
	static const char	*sql = "SELECT seq, digest, bytes FROM "
	    "batch_out WHERE peer = ? AND seq > ? AND (state = 'stored' OR "
	    "(? = 0 AND state = 'accepted')) ORDER BY seq LIMIT 1";

	return first_blob(s, sql, "batch", ARGS(ARG_TEXT(peer),
	    ARG_INT(after), ARG_INT(stored_only)), seq, digest, bytes, err);
}

int
store_batch_out_replace(struct store *s, const char *peer,
    const char *digest, struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = "
	    "'replaced' WHERE peer = ? AND digest = ? AND state = 'stored'";
	int			 n;

	if ((n = store_run_changes(s, sql, "batch",
	    ARGS(ARG_TEXT(peer), ARG_TEXT(digest)), err)) == -1)
		return -1;
	if (n != 1)
		return sp_errf(err, SPE_NOT_FOUND, "no stored batch %s to "
		    "replace", digest);
	return 0;
}

/* Count refused item once for the batch (peer, digest): 1 if new, else 0. */
static int
batch_out_refuse(struct store *s, const char *peer, const char *digest,
    int64_t item, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO "
	    "batch_out_refused (peer, digest, item) VALUES (?, ?, ?)";
	static const char	*add = "UPDATE batch_out SET refused = "
	    "refused + 1 WHERE peer = ? AND digest = ?";
	int			 n;

	if ((n = store_run_changes(s, sql, "batch", ARGS(ARG_TEXT(peer),
	    ARG_TEXT(digest), ARG_INT(item)), err)) <= 0)
		return n;
	return store_run(s, add, "batch",
	    ARGS(ARG_TEXT(peer), ARG_TEXT(digest)), err) == -1 ? -1 : 1;
}

int
store_batch_out_ack(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *receipt, size_t len,
    const int64_t *refused, size_t nrefused, struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = "
	    "'accepted', receipt = coalesce(receipt, ?) WHERE peer = ? AND seq "
	    "= ? AND digest = ? AND state != 'replaced'";
	size_t			 i;
	int			 n;

	if ((n = store_run_changes(s, sql, "batch", ARGS(ARG_BLOB(receipt,
	    len), ARG_TEXT(peer), ARG_INT(seq), ARG_TEXT(digest)),
	    err)) == -1)
		return -1;
	if (n != 1)
		return 0;
	for (i = 0; i < nrefused; i++)
		if (batch_out_refuse(s, peer, digest, refused[i], err) == -1)
			return -1;
	return 1;
}

int
store_batch_out_live(struct store *s, const char *peer, int64_t seq,
    char *digest, struct sp_err *err)
{
	static const char	*sql = "SELECT digest FROM batch_out WHERE "
	    "peer = ? AND seq = ? AND state != 'replaced'";
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "batch",
	    ARGS(ARG_TEXT(peer), ARG_INT(seq)), err)) == 1) {
		snprintf(digest, 65, "%s", store_col_text(&q, 0));
		store_q_end(&q);
	}
	return rc;
}

int
store_batch_out_unsent(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = "
	    "'replaced' WHERE peer = ? AND seq >= ? AND state = 'stored'";

	return store_run(s, sql, "batch", ARGS(ARG_TEXT(peer), ARG_INT(seq)),
	    err);
}

int
store_batch_out_bytes(struct store *s, const char *digest,
    const uint8_t **bytes, size_t *len, struct sp_err *err)
{
	return lend_blob(s, "SELECT bytes FROM batch_out WHERE digest = ? "
	    "LIMIT 1", digest, bytes, len, err);
}

int
store_batch_out_relayed(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *receipt, size_t len,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET relay = "
	    "coalesce(relay, ?) WHERE peer = ? AND seq = ? AND digest = ? AND "
	    "state != 'replaced'";
	static const char	*up = "UPDATE channel SET relayed = "
	    "max(relayed, ?) WHERE peer = ? AND dir = 'out'";
	int			 n;

	if ((n = store_run_changes(s, sql, "batch", ARGS(ARG_BLOB(receipt,
	    len), ARG_TEXT(peer), ARG_INT(seq), ARG_TEXT(digest)),
	    err)) <= 0)
		return n;
	if (store_run(s, up, "channel", ARGS(ARG_INT(seq), ARG_TEXT(peer)),
	    err) == -1)
		return -1;
	return 1;
}

/* ---- batches received ------------------------------------------------- */

int
store_batch_in_add(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *bytes, size_t len, int64_t received,
    int evidence, int64_t receipt, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO batch_in "
	    "(digest, peer, seq, bytes, received, state, receipt) VALUES (?, "
	    "?, ?, ?, ?, ?, ?)";

	return store_run(s, sql, "batch", ARGS(ARG_TEXT(digest),
	    ARG_TEXT(peer), ARG_INT(seq), ARG_BLOB(bytes, len),
	    ARG_INT(received), ARG_TEXT(evidence ? "evidence" : "accepted"),
	    receipt > 0 ? ARG_INT(receipt) : ARG_NULL), err);
}

int
store_batch_in_accepted(struct store *s, const char *digest,
    const uint8_t **receipt, size_t *len, struct sp_err *err)
{
	return lend_blob(s, "SELECT r.bytes FROM batch_in b "
	    "LEFT JOIN receipt_out r ON r.id = b.receipt "
	    "WHERE b.digest = ? AND b.state = 'accepted'", digest, receipt,
	    len, err);
}

int
store_batch_in_bytes(struct store *s, const char *digest,
    const uint8_t **bytes, size_t *len, struct sp_err *err)
{
	return lend_blob(s, "SELECT bytes FROM batch_in WHERE digest = ?",
	    digest, bytes, len, err);
}

int
store_batch_in_next(struct store *s, const char *peer, int64_t after,
    int64_t *seq, struct buf *bytes, struct sp_err *err)
{
	static const char	*sql = "SELECT seq, digest, bytes FROM "
	    "batch_in WHERE peer = ? AND seq > ? AND state = 'accepted' "
	    "ORDER BY seq LIMIT 1";

	return first_blob(s, sql, "batch", ARGS(ARG_TEXT(peer),
	    ARG_INT(after)), seq, NULL, bytes, err);
}

int
store_batch_in_each(struct store *s, const char *peer,
    int (*fn)(void *, const char *, int64_t, int, int64_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT digest, seq, "
	    "state = 'evidence', received FROM batch_in WHERE peer = ? "
	    "ORDER BY seq, rowid";
	struct store_q		 q;

	store_q_start(s, &q, sql, "batch", ARGS(ARG_TEXT(peer)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_text(&q, 0),
		    store_col_int(&q, 1), store_col_int(&q, 2),
		    store_col_int(&q, 3)));
	return store_q_end(&q);
}

int
store_batch_in_relay(struct store *s, const char *digest,
    const uint8_t *receipt, size_t len, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE batch_in SET relay = ? WHERE digest = ?";

	return store_run(s, sql, "batch",
	    ARGS(ARG_BLOB(receipt, len), ARG_TEXT(digest)), err);
}

/* ---- receipts this node signed ---------------------------------------- */

int
store_receipt_out_add(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *bytes, size_t len, int owed, int late,
    int64_t *id, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO receipt_out (peer, seq, "
	    "digest, bytes, owed, late) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
	int64_t			 v;

	if ((v = store_int(s, sql, "receipt", ARGS(ARG_TEXT(peer),
	    ARG_INT(seq), ARG_TEXT(digest), ARG_BLOB(bytes, len),
	    ARG_INT(owed), ARG_INT(late)), 0, err)) == -1)
		return -1;
	*id = v;
	return 0;
}

int
store_receipt_out_owed(struct store *s, const char *peer, int64_t limit,
    int (*fn)(void *, int64_t, const uint8_t *, size_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT id, bytes FROM receipt_out "
	    "WHERE peer = ? AND owed = 1 ORDER BY id LIMIT ?";
	struct store_q		 q;
	const uint8_t		*p;
	size_t			 len;

	store_q_start(s, &q, sql, "receipt",
	    ARGS(ARG_TEXT(peer), ARG_INT(limit)), err);
	while (store_q_next(&q)) {
		p = store_col_blob(&q, 1, &len);
		store_q_check(&q, fn(arg, store_col_int(&q, 0), p, len));
	}
	return store_q_end(&q);
}

int
store_receipt_out_paid(struct store *s, int64_t id, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE receipt_out SET owed = 0 WHERE id = ?";

	return store_run(s, sql, "receipt", ARGS(ARG_INT(id)), err);
}

int
store_receipt_out_next(struct store *s, const char *peer, int64_t after,
    struct buf *bytes, struct sp_err *err)
{
	static const char	*sql = "SELECT seq, digest, bytes FROM "
	    "receipt_out WHERE peer = ? AND seq > ? ORDER BY seq, id LIMIT 1";

	return first_blob(s, sql, "receipt", ARGS(ARG_TEXT(peer),
	    ARG_INT(after)), NULL, NULL, bytes, err);
}

/* ---- held events ------------------------------------------------------ */

int
store_held_add(struct store *s, const struct store_held *h,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO held (author, seq, "
	    "complaint, v, peer, batch_seq, batch_digest, item) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?)";

	return store_run(s, sql, "held", ARGS(ARG_TEXT(h->author),
	    ARG_INT(h->seq), ARG_TEXT(h->complaint), ARG_INT(h->v),
	    ARG_TEXT(h->peer), ARG_INT(h->batch_seq),
	    ARG_TEXT(h->batch_digest), ARG_INT(h->item)), err);
}

int
store_held_remove(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM held WHERE author = ? AND seq = ?";

	return store_run(s, sql, "held", ARGS(ARG_TEXT(author), ARG_INT(seq)),
	    err);
}

int
store_held_exists(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM held WHERE author = ? AND seq = ?";

	return store_exists(s, sql, "held",
	    ARGS(ARG_TEXT(author), ARG_INT(seq)), err);
}

int
store_held_next(struct store *s, const char *complaint, int v,
    struct store_held *h, char buf[256], struct sp_err *err)
{
	static const char	*sql = "SELECT author, seq, complaint, v, "
	    "peer, batch_seq, batch_digest, item FROM held WHERE complaint = ? "
	    "AND (v = 0 OR v = ?) ORDER BY v DESC, rowid LIMIT 1";
	struct store_q		 q;
	int			 rc, n;

	if ((rc = store_q_row(s, &q, sql, "held",
	    ARGS(ARG_TEXT(complaint), ARG_INT(v)), err)) != 1)
		return rc;
	/* Copied: the caller writes to held before it is done with h. */
	n = snprintf(buf, 256, "%s%c%s%c%s%c%s", store_col_text(&q, 0), 0,
	    store_col_text(&q, 2), 0, store_col_text(&q, 4), 0,
	    store_col_text(&q, 6));
	(void)n;
	h->author = buf;
	h->complaint = h->author + strlen(h->author) + 1;
	h->peer = h->complaint + strlen(h->complaint) + 1;
	h->batch_digest = h->peer + strlen(h->peer) + 1;
	h->seq = store_col_int(&q, 1);
	h->v = store_col_int(&q, 3);
	h->batch_seq = store_col_int(&q, 5);
	h->item = store_col_int(&q, 7);
	store_q_end(&q);
	return 1;
}

int64_t
store_held_count(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT count(*) FROM held WHERE peer = ?";

	return store_int(s, sql, "count", ARGS(ARG_TEXT(peer)), 0, err);
}

/* ---- archive (issue 6) ------------------------------------------------ */

static struct store_doc *
doc_row(const struct store_q *q, struct store_doc *d)
{
	d->receipt = store_col_int(q, 0);
	d->signer = store_col_text(q, 1);
	d->from = store_col_text(q, 2);
	d->to = store_col_text(q, 3);
	d->seq = store_col_int(q, 4);
	d->digest = store_col_text(q, 5);
	d->bytes = store_col_blob(q, 6, &d->len);
	return d;
}

int
store_archive_each(struct store *s, const char *self,
    int (*fn)(void *, const struct store_doc *), void *arg,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 0, ?1, ?1, peer, seq, digest, bytes, rowid FROM batch_out "
	    "UNION ALL SELECT 1, peer, ?1, peer, seq, digest, receipt, rowid "
	    "  FROM batch_out WHERE receipt IS NOT NULL "
	    "UNION ALL SELECT 0, peer, peer, ?1, seq, digest, bytes, rowid "
	    "  FROM batch_in "
	    "UNION ALL SELECT 1, ?1, peer, ?1, seq, digest, bytes, id "
	    "  FROM receipt_out "
	    "ORDER BY 1, 3, 4, 5, 8";
	struct store_doc	 d;
	struct store_q		 q;

	store_q_start(s, &q, sql, "archive", ARGS(ARG_TEXT(self)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, doc_row(&q, &d)));
	return store_q_end(&q);
}

/* ---- the relay (the hub; migration 4) --------------------------------- */

static struct store_relay *
relay_row(const struct store_q *q, struct store_relay *r)
{
	r->digest = store_col_text(q, 0);
	r->author = store_col_text(q, 1);
	r->dest = store_col_text(q, 2);
	r->seq = store_col_int(q, 3);
	r->bytes = store_col_blob(q, 4, &r->len);
	r->received = store_col_int(q, 5);
	r->receipt = store_col_blob(q, 6, &r->receipt_len);
	r->state = store_col_text(q, 7);
	r->error = store_col_text(q, 8);
	return r;
}

/* The first row of a query of RELAY_COLUMNS to fn: 1, or 0 if none. */
static int
relay_one(struct store *s, const char *sql, const struct store_arg *args,
    int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	struct store_relay	 r;
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "relay", args, err)) != 1)
		return rc;
	if (fn(arg, relay_row(&q, &r)) == -1)
		rc = -1;
	store_q_end(&q);
	return rc;
}

int
store_relay_by_digest(struct store *s, const char *digest,
    int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "digest = ?", ARGS(ARG_TEXT(digest)), fn, arg, err);
}

int
store_relay_at(struct store *s, const char *author, const char *dest,
    int64_t seq, int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "author = ? AND dest = ? AND seq = ? AND state != 'replaced'",
	    ARGS(ARG_TEXT(author), ARG_TEXT(dest), ARG_INT(seq)), fn, arg,
	    err);
}

int
store_relay_next(struct store *s, const char *author, const char *dest,
    int64_t after, int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "author = ? AND dest = ? AND seq > ? AND state != 'replaced' "
	    "ORDER BY seq LIMIT 1",
	    ARGS(ARG_TEXT(author), ARG_TEXT(dest), ARG_INT(after)), fn, arg,
	    err);
}

int
store_relay_undelivered(struct store *s, const char *dest,
    int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "dest = ? AND state = 'waiting' ORDER BY author, seq LIMIT 1",
	    ARGS(ARG_TEXT(dest)), fn, arg, err);
}

int
store_relay_add(struct store *s, const struct store_relay *r,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO relay (digest, author, "
	    "dest, seq, bytes, received, receipt) VALUES (?, ?, ?, ?, ?, ?, ?)";

	return store_run(s, sql, "relay", ARGS(ARG_TEXT(r->digest),
	    ARG_TEXT(r->author), ARG_TEXT(r->dest), ARG_INT(r->seq),
	    ARG_BLOB(r->bytes, r->len), ARG_INT(r->received),
	    ARG_BLOB(r->receipt, r->receipt_len)), err);
}

int
store_relay_mark(struct store *s, const char *digest, const char *state,
    const char *error, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE relay SET state = ?, error = ? WHERE digest = ?";

	return store_run(s, sql, "relay", ARGS(ARG_TEXT(state),
	    ARG_TEXT(error), ARG_TEXT(digest)), err);
}

int
store_relay_redo(struct store *s, const char *author, const char *dest,
    int64_t from, struct sp_err *err)
{
	static const char	*sql = "UPDATE relay SET state = 'waiting', "
	    "error = NULL WHERE author = ? AND dest = ? AND seq >= ? AND "
	    "state IN ('delivered', 'refused')";

	return store_run(s, sql, "relay", ARGS(ARG_TEXT(author),
	    ARG_TEXT(dest), ARG_INT(from)), err);
}

int
store_relay_held(struct store *s, const char *author, const char *dest,
    int64_t seq, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO relay_pos (author, dest, "
	    "held) VALUES (?, ?, ?) ON CONFLICT (author, dest) DO UPDATE SET "
	    "held = max(held, excluded.held)";
	static const char	*mark = "UPDATE relay SET state = 'delivered' "
	    "WHERE author = ? AND dest = ? AND seq <= ? AND state = 'waiting'";
	const struct store_arg	*args;

	args = ARGS(ARG_TEXT(author), ARG_TEXT(dest), ARG_INT(seq));
	if (store_run(s, sql, "relay", args, err) == -1)
		return -1;
	return store_run(s, mark, "relay", args, err);
}

int
store_relay_waiting(struct store *s, const char *dest,
    int (*fn)(void *, const char *author, int64_t seq), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT r.author, max(r.seq) FROM relay "
	    "r LEFT JOIN relay_pos p ON p.author = r.author AND p.dest = "
	    "r.dest WHERE r.dest = ? AND r.state != 'replaced' GROUP BY "
	    "r.author HAVING max(r.seq) > coalesce(max(p.held), 0) ORDER BY "
	    "r.author";
	struct store_q		 q;

	store_q_start(s, &q, sql, "relay", ARGS(ARG_TEXT(dest)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_text(&q, 0),
		    store_col_int(&q, 1)));
	return store_q_end(&q);
}
