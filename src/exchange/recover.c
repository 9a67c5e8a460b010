/*
 * recover.c: rebuilding a node from the batches it sent (DESIGN §2).  A
 * node that lost its database, or restored an old one, pulls its own
 * batches back from the nodes that accepted them; this file owns what is
 * done with each: the checks, the re-applied events, the restored channel
 * and the counters.  It never cuts, signs or queues anything: what it
 * restores was sent already.
 *
 * Per destination the batches come in seq order after the last one
 * acknowledged here, each chained to the one before (prev), so the
 * out-channel ends exactly where the receiver's in-channel is and the next
 * batch cut continues it.  An own event that
 * needs another node's event first (a complaint returned here, then worked
 * on) waits in held, pointing at the restored batch, until the normal
 * sync brings the history (recv.c releases it).  Reporter identity never
 * left the node and is not recovered.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "rules/complaint.h"
#include "exchange/desk.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/recover.h"
#include "exchange/recv.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "exchange/sync.h"

int
recover_start(struct store *s, const char *instance, struct sp_err *err)
{
	if (store_begin(s, err) == -1)
		return -1;
	if (store_setting_set(s, "node.instance", instance, err) == -1 ||
	    settings_mark_recovering(s, "simpul recover has not finished",
	    err) == -1 || store_commit(s, err) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
recover_finish(struct store *s, const struct recover_tally *t,
    struct sp_err *err)
{
	if (store_begin(s, err) == -1)
		return -1;
	if (store_counter_raise(s, "author_seq", t->author_seq, err) == -1 ||
	    store_counter_raise(s, "complaint_number", t->number, err) == -1 ||
	    settings_mark_recovering(s, NULL, err) == -1 ||
	    store_commit(s, err) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* "33.21-000042" filed by 33.21: 42. */
static int64_t
number_of(const char *node, const char *id)
{
	size_t	 n = strlen(node);

	if (strncmp(id, node, n) != 0 || id[n] != '-')
		return 0;
	return strtoll(id + n + 1, NULL, 10);
}

/* One own event, as judge_event() in recv.c would, but never routed. */
static int
apply(struct desk *d, const struct recv_ctx *ctx, const struct event *e,
    const struct store_held *h, struct recover_tally *t, struct sp_err *err)
{
	struct complaint_state	 cs;
	struct sp_err		 why = { 0 };
	int			 found;

	if ((found = store_event_exists(d->store, e->author, e->seq,
	    err)) == 0)
		found = store_held_exists(d->store, e->author, e->seq, err);
	if (found != 0) {
		t->duplicate += found == 1;
		return found == 1 ? 0 : -1;
	}
	if ((found = store_complaint_exists(d->store, e->complaint,
	    err)) == -1)
		return -1;
	if (found && desk_load(d, e->complaint, &cs, err) == -1)
		return -1;
	if (!found)
		complaint_init(&cs, e->complaint);
	if ((!found && e->kind != EV_FILED) ||
	    (event_is_chain(e->kind) && e->v > cs.v + 1)) {
		t->held++;
		return store_held_add(d->store, h, err);
	}
	if (complaint_check(&cs, e, &why) == -1) {
		t->refused++;
		sp_err_clear(&why);
		return 0;
	}
	if (e->kind == EV_FILED && store_complaint_add(d->store, e->complaint,
	    e->author, e->filed, err) == -1)
		return -1;
	if (store_event_add(d->store, e, err) == -1)
		return -1;
	complaint_apply(&cs, e);
	t->applied++;
	t->filed += e->kind == EV_FILED;
	if (desk_save(d, &cs, err) == -1)
		return -1;
	/* Other nodes' events (or its own) that waited for this one. */
	return recv_release(d->store, ctx, e->complaint, d->now, err);
}

static int
apply_items(struct desk *d, const struct recv_ctx *ctx, const struct batch *b,
    const char *digest, struct recover_tally *t, struct sp_err *err)
{
	const struct batch_header *bh = batch_header(b);
	struct store_held	 h;
	struct event		 e;
	size_t			 i;
	int64_t			 n;
	int			 rc;

	for (i = 0; i < batch_nitems(b); i++) {
		/* Receipts it owed rode here: they were paid. */
		if (batch_item_kind(b, i) != BATCH_ITEM_EVENT)
			continue;
		memset(&e, 0, sizeof(e));
		if (batch_item_event(b, i, &e, err) == -1)
			return -1;
		memset(&h, 0, sizeof(h));
		h.author = e.author;
		h.seq = e.seq;
		h.complaint = e.complaint;
		h.v = e.v;
		h.peer = bh->from;	/* its own: no receipt owed for it */
		h.batch_seq = bh->seq;
		h.batch_digest = digest;
		h.item = (int64_t)i + 1;
		if (e.seq > t->author_seq)
			t->author_seq = e.seq;
		if ((n = number_of(bh->from, e.complaint)) > t->number)
			t->number = n;
		rc = apply(d, ctx, &e, &h, t, err);
		/* What was queued for dest before the loss left in this. */
		if (rc == 0)
			rc = store_outbox_remove(d->store, bh->to, e.seq, err);
		event_clear(&e);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * An old backup may hold batches cut after what the receiver acknowledged:
 * the same bytes it holds (1: nothing to do), or ones it never took, cut
 * again after the backup was made: those give way to what it holds.
 */
static int
known(struct store *s, const struct batch_header *h, const char *digest,
    struct store_channel *ch, struct sp_err *err)
{
	char	 have[BATCH_DIGEST_LEN];
	int	 rc;

	if ((rc = store_batch_out_live(s, h->to, h->seq, have, err)) != 0) {
		if (rc == 1 && strcmp(have, digest) == 0) {
			/* Taken: acknowledged, so the pull goes past it. */
			if (ch->acked < h->seq)
				ch->acked = h->seq;
			return store_batch_out_ack(s, h->to, h->seq, digest,
			    NULL, 0, NULL, 0, err) == -1 ||
			    store_channel_put(s, ch, err) == -1 ? -1 : 1;
		}
		if (rc == -1 || store_batch_out_unsent(s, h->to, h->seq,
		    err) == -1 || (rc = store_batch_out_live(s, h->to, h->seq,
		    have, err)) == -1)
			return -1;
		if (rc == 1)
			return sp_errf(err, SPE_EQUIVOCATION, "batch %s->%s "
			    "seq %lld: this node holds another one, "
			    "acknowledged", h->from, h->to, (long long)h->seq);
	}
	if ((rc = store_batch_out_live(s, h->to, h->seq - 1, have,
	    err)) == -1)
		return -1;
	ch->seq = h->seq - 1;
	ch->digest = rc == 1 ? have : h->prev;
	return store_channel_put(s, ch, err);
}

/* Inside the transaction: the next batch of the channel to dest. */
static int
restore(struct store *s, const struct batch *b, const char *digest,
    const uint8_t *bytes, size_t len, const uint8_t *relay,
    size_t relay_len, struct sp_err *err)
{
	const struct batch_header *h = batch_header(b);
	struct store_channel	 ch;
	struct store_batch	 sb;
	int			 rc;

	if (store_channel_get(s, h->to, 1, &ch, err) == -1)
		return -1;
	if (h->seq <= ch.seq && (rc = known(s, h, digest, &ch, err)) != 0)
		return rc;
	if (store_channel_get(s, h->to, 1, &ch, err) == -1)
		return -1;
	if (h->seq != ch.seq + 1)
		return sp_errf(err, SPE_SEQ_GAP, "batch %s->%s seq %lld came "
		    "back, expected seq %lld", h->from, h->to,
		    (long long)h->seq, (long long)ch.seq + 1);
	if (strcmp(h->prev, ch.digest) != 0)
		return sp_errf(err, SPE_PREV, "batch %s->%s seq %lld: prev is "
		    "not the digest of seq %lld here", h->from, h->to,
		    (long long)h->seq, (long long)ch.seq);
	memset(&sb, 0, sizeof(sb));
	sb.peer = h->to;
	sb.seq = h->seq;
	sb.digest = digest;
	sb.prev = h->prev;
	sb.replaces = h->replaces[0] != '\0' ? h->replaces : NULL;
	sb.bytes = bytes;
	sb.len = len;
	sb.created = h->created;
	if (store_batch_out_add(s, &sb, err) == -1 ||
	    store_batch_out_ack(s, h->to, h->seq, digest, NULL, 0, NULL,
	    0, err) == -1)
		return -1;
	ch.peer = h->to;
	ch.seq = h->seq;
	ch.digest = digest;
	ch.acked = h->seq;
	ch.head = h->seq;
	ch.error = NULL;
	if (store_channel_put(s, &ch, err) == -1)
		return -1;
	if (relay != NULL && store_batch_out_relayed(s, h->to, h->seq, digest,
	    relay, relay_len, err) == -1)
		return -1;
	return 0;
}

static int
check(const struct sync_conf *conf, const char *dest, struct batch *b,
    int64_t now, struct sp_err *err)
{
	const struct batch_header *h;

	if (batch_validate(b, err) == -1)
		return -1;
	if (batch_kind(b) != BATCH_KIND_BATCH)
		return sp_errf(err, SPE_SCHEMA, "a standalone receipt, not a "
		    "batch");
	h = batch_header(b);
	if (strcmp(h->from, conf->node) != 0 || strcmp(h->to, dest) != 0)
		return sp_errf(err, SPE_AUTHORSHIP, "asked for a batch from %s "
		    "to %s, got one from %s to %s", conf->node, dest, h->from,
		    h->to);
	if (dsig_verify(b, conf->trust, now, NULL, err) == -1)
		return -1;
	return batch_check_authorship(b, err);
}

int
recover_batch(struct store *s, const struct sync_conf *conf,
    const char *dest, const uint8_t *bytes, size_t len,
    const uint8_t *relay, size_t relay_len, int64_t now,
    struct recover_tally *t, struct sp_err *err)
{
	struct batch_limits	 lim;
	struct recv_ctx		 ctx;
	struct batch		*b = NULL;
	struct desk		 d;
	char			 digest[BATCH_DIGEST_LEN];
	int			 rc = -1;

	batch_limits_default(&lim);
	if (batch_parse(bytes, len, &lim, &b, err) == -1 ||
	    check(conf, dest, b, now, err) == -1) {
		batch_free(b);
		return -1;
	}
	batch_digest(b, digest);
	if (store_begin(s, err) == -1) {
		batch_free(b);
		return -1;
	}
	if (desk_init(&d, s, "-", now, err) == -1)
		goto out;
	recv_ctx_init(&ctx, conf);
	if ((rc = restore(s, b, digest, bytes, len, relay, relay_len,
	    err)) == 0 && (rc = apply_items(&d, &ctx, b, digest, t,
	    err)) == 0)
		t->batches++;
	if (rc != -1)
		rc = store_commit(s, err);
	desk_clear(&d);
out:
	if (rc == -1)
		store_rollback(s);
	batch_free(b);
	return rc;
}
