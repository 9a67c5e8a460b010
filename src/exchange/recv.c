/*
 * recv.c: the receiver pipeline of DESIGN §5, shared by `import` and the
 * server.  recv_batch() runs small steps in this order, each transport
 * check returning 0 or -1 with one code and storing nothing:
 *
 *	recv_check_replay	accepted before: the stored receipt again
 *	recv_check_size		SPE_TOO_LARGE, before a byte is parsed
 *	recv_parse		SPE_MALFORMED, SPE_DOCTYPE, SPE_ENCODING, ...
 *	recv_validate_schema	SPE_SCHEMA (and a receipt is not a batch)
 *	recv_verify_signature	SPE_SIGNATURE, SPE_SIGNER, SPE_AUTHORSHIP
 *	recv_check_channel	SPE_WRONG_NODE, SPE_INSTANCE, SPE_HALTED,
 *				SPE_SEQ_GAP, SPE_PREV, SPE_EQUIVOCATION (409s:
 *				expected)
 *	recv_judge_items	each item: applied, duplicate, held, refused
 *	recv_apply		the batch, the channel head, the receipt
 *
 * From recv_check_channel on, everything happens in one BEGIN IMMEDIATE
 * transaction, so a batch is never half-applied: a crash leaves it
 * unreceived, and the replay check makes a second delivery harmless.
 * An equivocation rolls that back and stores, in a transaction of its
 * own, the evidence and the halted channel.
 *
 * The hub runs recv_relay() for a batch addressed to another node: the
 * same checks up to the signature, then the batch stored verbatim with a
 * signed relay receipt; the channel position is the destination's to
 * judge.  The destination runs recv_relayed(): the relay receipt checked,
 * then recv_batch() at the relay receipt's time.
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
#include "exchange/figures.h"
#include "exchange/policy.h"
#include "exchange/report.h"
#include "exchange/recv.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "core/xmalloc.h"

/* The later outcomes of held items, per batch that brought them. */
struct late {
	char			 peer[16];
	int64_t			 seq;
	char			 digest[BATCH_DIGEST_LEN];
	struct receipt_result	*res;
	size_t			 n;
};

struct recv_job {
	struct store		*s;
	const struct recv_ctx	*ctx;
	const uint8_t		*bytes;
	size_t			 len;
	int64_t			 now;
	char			 digest[BATCH_DIGEST_LEN];
	struct batch		*b;
	const struct batch_header *h;
	struct recv_outcome	*out;
	struct desk		 desk;
	struct receipt_result	*res;		/* one per item */
	size_t			 nres;
	int			 nevents;
	struct late		*late;
	size_t			 nlate;
	int			 equivocation;
	/* The last complaint judged, as folded: items come in runs. */
	struct complaint_state	 cache;
	int			 cached;
};

/*
 * The complaint's state: from the cache when it is the last one judged
 * (nothing else writes inside our transaction), else rebuilt from its
 * events.  0 with *found = 0 and an empty state if there is none.
 */
static int
load(struct recv_job *j, const char *id, struct complaint_state *cs,
    int *found, struct sp_err *err)
{
	if (j->cached && strcmp(j->cache.id, id) == 0) {
		*cs = j->cache;
		*found = 1;
		return 0;
	}
	j->cached = 0;
	if ((*found = store_complaint_exists(j->s, id, err)) == -1)
		return -1;
	if (*found) {
		if (desk_load(&j->desk, id, cs, err) == -1)
			return -1;
		j->cache = *cs;
		j->cached = 1;
	} else
		complaint_init(cs, id);
	return 0;
}

void
recv_ctx_init(struct recv_ctx *ctx, const struct sync_conf *conf)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->node = conf->node;
	ctx->instance = conf->instance;
	ctx->hub = conf->hub;
	ctx->offset = conf->offset;
	ctx->trust = conf->trust;
	ctx->key = conf->key;
	batch_limits_default(&ctx->limits);
}

void
recv_outcome_clear(struct recv_outcome *o)
{
	free(o->receipt);
	receipt_clear(&o->r);
	memset(o, 0, sizeof(*o));
}

/* Accepted before?  1 with the stored receipt in out, 0 if not. */
static int
recv_check_replay(struct recv_job *j, struct sp_err *err)
{
	const uint8_t	*r;
	size_t		 len;
	int		 found;

	if ((found = store_batch_in_accepted(j->s, j->digest, &r, &len,
	    err)) != 1)
		return found;
	j->out->replay = 1;
	if (r != NULL) {
		j->out->receipt = xmalloc(len);
		memcpy(j->out->receipt, r, len);
		j->out->receipt_len = len;
	} else
		j->out->receipt_only = 1;
	return 1;
}

static int
recv_check_size(struct recv_job *j, struct sp_err *err)
{
	return batch_check_size(j->len, &j->ctx->limits, err);
}

static int
recv_parse(struct recv_job *j, struct sp_err *err)
{
	return batch_parse(j->bytes, j->len, &j->ctx->limits, &j->b, err);
}

static int
recv_validate_schema(struct recv_job *j, struct sp_err *err)
{
	if (batch_validate(j->b, err) == -1)
		return -1;
	if (batch_kind(j->b) != BATCH_KIND_BATCH)
		return sp_errf(err, SPE_SCHEMA, "a standalone receipt, not a "
		    "batch");
	j->h = batch_header(j->b);
	j->out->h = *j->h;
	return 0;
}

/*
 * Straight from its author (a direct POST, a pull from a peer): the
 * client's CN, or the peer pulled from, must be the batch's from.  A
 * replay is judged too, so its receipt goes only there.
 */
static int
recv_check_pusher(struct recv_job *j, struct sp_err *err)
{
	if (j->ctx->pusher == NULL)
		return 0;
	if (j->b == NULL && (recv_parse(j, err) == -1 ||
	    recv_validate_schema(j, err) == -1))
		return -1;
	if (strcmp(j->h->from, j->ctx->pusher) != 0)
		return sp_errf(err, SPE_PERMISSION, "%s may not push a batch "
		    "from %s", j->ctx->pusher, j->h->from);
	return 0;
}

static int
recv_verify_signature(struct recv_job *j, struct sp_err *err)
{
	if (dsig_verify(j->b, j->ctx->trust, j->now, NULL, err) == -1)
		return -1;
	return batch_check_authorship(j->b, err);
}

/*
 * Enrolment at first contact (DESIGN §2): the first batch of a node
 * records its instance id; a later one from another instance is refused
 * until an operator re-enrols it, so its channels are never silently
 * reset.  Inside the caller's transaction.
 */
static int
check_instance(struct store *s, const struct batch_header *h,
    struct sp_err *err)
{
	struct store_peer	 p;
	int			 found;

	if ((found = store_peer_get(s, h->from, &p, err)) == -1)
		return -1;
	if (found && p.instance != NULL) {
		if (strcmp(p.instance, h->instance) == 0)
			return 0;
		return sp_errf(err, SPE_INSTANCE, "%s came back as instance "
		    "%.8s, not %.8s: refused until an operator runs simpul "
		    "peer reenrol %s", h->from, h->instance, p.instance,
		    h->from);
	}
	return store_peer_set_instance(s, h->from, h->instance, err);
}

/* Inside the transaction: is this the next batch of its channel? */
static int
recv_check_channel(struct recv_job *j, struct sp_err *err)
{
	struct store_channel	 ch;
	const struct batch_header *h = j->h;

	if (strcmp(h->to, j->ctx->node) != 0)
		return sp_errf(err, SPE_WRONG_NODE, "batch is addressed to "
		    "%s, this node is %s", h->to, j->ctx->node);
	if (check_instance(j->s, h, err) == -1 ||
	    store_channel_get(j->s, h->from, 0, &ch, err) == -1)
		return -1;
	j->out->expected = ch.seq + 1;
	if (ch.halted)
		return sp_errf(err, SPE_HALTED, "channel %s->%s is halted "
		    "after an equivocation (simpul channel resume %s)",
		    h->from, h->to, h->from);
	if (h->seq <= ch.seq) {
		/* The replay check passed: another digest at a taken seq. */
		j->equivocation = 1;
		return sp_errf(err, SPE_EQUIVOCATION, "seq %lld from %s was "
		    "accepted with another digest; channel halted",
		    (long long)h->seq, h->from);
	}
	if (h->seq > ch.seq + 1)
		return sp_errf(err, SPE_SEQ_GAP, "seq %lld from %s, expected "
		    "%lld", (long long)h->seq, h->from,
		    (long long)ch.seq + 1);
	if (strcmp(h->prev, ch.digest) != 0)
		return sp_errf(err, SPE_PREV, "seq %lld from %s: prev is not "
		    "the digest of seq %lld, expected seq %lld", (long long)h->seq,
		    h->from, (long long)ch.seq, (long long)ch.seq + 1);
	return 0;
}

static void
set_result(struct receipt_result *r, int64_t item, const struct event *e,
    enum item_outcome o, const struct sp_err *why)
{
	free(r->detail);
	memset(r, 0, sizeof(*r));
	r->item = item;
	if (e != NULL)
		snprintf(r->event, sizeof(r->event), "%s:%lld", e->author,
		    (long long)e->seq);
	r->outcome = o;
	if (why != NULL) {
		snprintf(r->reason, sizeof(r->reason), "%s",
		    sp_code_name(why->code));
		r->detail = xstrdup(why->msg);
	}
}

static int	 release_held(struct recv_job *, const char *complaint,
		    struct sp_err *);
static int	 relay_job(struct recv_job *, struct sp_err *);

/*
 * Judge one event and apply it if it may be: *o gets the outcome, *why
 * the reason of a refusal.  held (if not NULL) says where a held event
 * waits; it is recorded only when the outcome is held.
 */
static int
judge_event(struct recv_job *j, const struct event *e,
    const struct store_held *held, enum item_outcome *o, struct sp_err *why,
    struct sp_err *err)
{
	struct complaint_state	 cs;
	const char		*newcomer;
	int			 found;

	sp_err_clear(why);
	if ((found = store_event_exists(j->s, e->author, e->seq, err)) == -1)
		return -1;
	if (found == 0 && held != NULL && (found = store_held_exists(j->s,
	    e->author, e->seq, err)) == -1)
		return -1;
	if (found) {
		*o = OUTCOME_DUPLICATE;
		return 0;
	}
	if (load(j, e->complaint, &cs, &found, err) == -1)
		return -1;
	/* Its history has not arrived yet: wait for it (DESIGN §3). */
	if ((!found && e->kind != EV_FILED) ||
	    (event_is_chain(e->kind) && e->v > cs.v + 1)) {
		*o = OUTCOME_HELD;
		if (held == NULL)
			return 0;
		/* Received now, though applied when its history is here. */
		if (strcmp(j->ctx->node, "hub") == 0 && store_event_in_add(j->s,
		    e->author, e->seq, j->now, err) == -1)
			return -1;
		return store_held_add(j->s, held, err);
	}
	if (complaint_check(&cs, e, why) == -1) {
		*o = OUTCOME_REFUSED;
		return 0;
	}
	j->cached = 0;
	if (e->kind == EV_FILED && store_complaint_add(j->s, e->complaint,
	    e->author, e->filed, err) == -1)
		return -1;
	if (store_event_add(j->s, e, err) == -1)
		return -1;
	/* The hub keeps when it received each event (the late rule). */
	if (strcmp(j->ctx->node, "hub") == 0 && store_event_in_add(j->s,
	    e->author, e->seq, j->now, err) == -1)
		return -1;
	newcomer = sync_newcomer(&cs, e);
	complaint_apply(&cs, e);
	if (sync_route(j->s, j->ctx->node, j->ctx->hub, &cs, e, newcomer,
	    err) == -1 ||
	    desk_save(&j->desk, &cs, err) == -1)
		return -1;
	j->cache = cs;
	j->cached = 1;
	*o = OUTCOME_APPLIED;
	return release_held(j, e->complaint, err);
}

/* A later outcome for an item of an earlier batch. */
static void
add_late(struct recv_job *j, const struct store_held *h,
    const struct event *e, enum item_outcome o, const struct sp_err *why)
{
	struct late	*l = NULL;
	size_t		 i;

	for (i = 0; i < j->nlate; i++)
		if (strcmp(j->late[i].digest, h->batch_digest) == 0)
			l = &j->late[i];
	if (l == NULL) {
		j->late = xreallocarray(j->late, j->nlate + 1,
		    sizeof(*j->late));
		l = &j->late[j->nlate++];
		memset(l, 0, sizeof(*l));
		snprintf(l->peer, sizeof(l->peer), "%s", h->peer);
		l->seq = h->batch_seq;
		snprintf(l->digest, sizeof(l->digest), "%s", h->batch_digest);
	}
	l->res = xreallocarray(l->res, l->n + 1, sizeof(*l->res));
	memset(&l->res[l->n], 0, sizeof(l->res[l->n]));
	set_result(&l->res[l->n++], h->item, e, o, why);
}

/* Apply what waited for complaint, now that its history moved on. */
static int
release_held(struct recv_job *j, const char *complaint, struct sp_err *err)
{
	struct store_held	 h;
	struct complaint_state	 cs;
	struct batch		*b = NULL;
	struct event		 e;
	struct sp_err		 why;
	enum item_outcome	 o;
	const uint8_t		*bytes;
	size_t			 len;
	char			 buf[256], id[40];
	int			 found;

	snprintf(id, sizeof(id), "%s", complaint);
	for (;;) {
		if (load(j, id, &cs, &found, err) == -1)
			return -1;
		if ((found = store_held_next(j->s, id, cs.v + 1, &h, buf,
		    err)) != 1)
			return found;
		if (store_held_remove(j->s, h.author, h.seq, err) == -1)
			return -1;
		memset(&e, 0, sizeof(e));
		if (strcmp(h.batch_digest, j->digest) == 0) {
			if (batch_item_event(j->b, (size_t)h.item - 1, &e,
			    err) == -1)
				return -1;
		} else {
			/* Or an own batch that recovery brought back. */
			if ((found = store_batch_in_bytes(j->s, h.batch_digest,
			    &bytes, &len, err)) == 0)
				found = store_batch_out_bytes(j->s,
				    h.batch_digest, &bytes, &len, err);
			if (found == -1)
				return -1;
			if (found == 0)
				return sp_errf(err, SPE_STORE, "held event "
				    "%s:%lld: batch %s is missing", h.author,
				    (long long)h.seq, h.batch_digest);
			if (batch_parse(bytes, len, &j->ctx->limits, &b,
			    err) == -1 || batch_validate(b, err) == -1 ||
			    batch_item_event(b, (size_t)h.item - 1, &e,
			    err) == -1) {
				batch_free(b);
				return -1;
			}
			batch_free(b);
			b = NULL;
		}
		if (judge_event(j, &e, NULL, &o, &why, err) == -1) {
			event_clear(&e);
			return -1;
		}
		if (strcmp(h.batch_digest, j->digest) == 0)
			set_result(&j->res[h.item - 1], h.item, &e, o,
			    o == OUTCOME_REFUSED ? &why : NULL);
		else if (strcmp(h.peer, j->ctx->node) != 0)
			add_late(j, &h, &e, o, o == OUTCOME_REFUSED ? &why :
			    NULL);
		event_clear(&e);
	}
}

/*
 * A part of the author's policy version or signed figure set (DESIGN §6):
 * kept until every part is there, then checked whole and recorded as the
 * author's.  *o: applied, or refused (why) when the whole is not
 * canonical.
 */
static int
judge_part(struct recv_job *j, size_t i, enum item_outcome *o,
    struct sp_err *why, struct sp_err *err)
{
	struct batch_part	 p;
	struct policy		 pol;
	struct figures_signed	 fs;
	const char		*kind;
	char			*whole = NULL;
	int			 rc = -1;

	*o = OUTCOME_APPLIED;
	if (batch_item_part(j->b, i, &p, err) == -1)
		return -1;
	kind = p.kind == BATCH_ITEM_POLICY ? "policy" : "metrics";
	if (store_item_part_add(j->s, j->h->from, kind, p.n, p.part, p.parts,
	    p.at, p.body, &whole, err) == -1)
		goto out;
	rc = 0;
	if (whole == NULL)
		goto out;
	if (p.kind == BATCH_ITEM_POLICY) {
		if (policy_parse(whole, &pol, why) == -1) {
			*o = OUTCOME_REFUSED;
			goto out;
		}
		policy_clear(&pol);
		rc = store_policy_add(j->s, j->h->from, p.n, p.at, whole, 1,
		    err);
	} else {
		if (figures_parse(whole, &fs, why) == -1) {
			*o = OUTCOME_REFUSED;
			goto out;
		}
		rc = store_figure_set_add(j->s, j->h->from, p.n,
		    fs.period.first, fs.period.last, p.at, whole, err);
		figures_signed_clear(&fs);
		/* Checked now if every event within its inputs is here. */
		if (rc == 0)
			rc = national_check(j->s, j->h->from, p.n, j->now, err);
	}
out:
	free(whole);
	free(p.body);
	return rc;
}

/* Every item gets exactly one outcome; events are applied as judged. */
static int
recv_judge_items(struct recv_job *j, struct sp_err *err)
{
	struct store_held	 held;
	struct receipt		 r;
	struct event		 e;
	struct sp_err		 why;
	enum item_outcome	 o;
	size_t			 i;

	j->nres = batch_nitems(j->b);
	j->res = xcalloc(j->nres + 1, sizeof(*j->res));
	for (i = 0; i < j->nres; i++) {
		sp_err_clear(&why);
		if (batch_item_kind(j->b, i) == BATCH_ITEM_RECEIPT) {
			memset(&r, 0, sizeof(r));
			if (batch_item_receipt(j->b, i, &r, err) == -1)
				return -1;
			/* A receipt for a batch we sent to its signer. */
			if (recv_record_receipt(j->s, j->ctx->node, &r, NULL, 0,
			    &why) == -1) {
				if (sp_code_exit(why.code) == 3) {
					receipt_clear(&r);
					return sp_errf(err, why.code, "%s",
					    why.msg);
				}
				set_result(&j->res[i], (int64_t)i + 1, NULL,
				    OUTCOME_REFUSED, &why);
			} else
				set_result(&j->res[i], (int64_t)i + 1, NULL,
				    OUTCOME_APPLIED, NULL);
			receipt_clear(&r);
			continue;
		}
		j->nevents++;
		if (batch_item_kind(j->b, i) != BATCH_ITEM_EVENT) {
			if (judge_part(j, i, &o, &why, err) == -1)
				return -1;
			set_result(&j->res[i], (int64_t)i + 1, NULL, o,
			    o == OUTCOME_REFUSED ? &why : NULL);
			continue;
		}
		memset(&e, 0, sizeof(e));
		if (batch_item_event(j->b, i, &e, err) == -1)
			return -1;
		/* Mark the slot first: release_held may fill it again. */
		set_result(&j->res[i], (int64_t)i + 1, &e, OUTCOME_HELD, NULL);
		memset(&held, 0, sizeof(held));
		held.author = e.author;
		held.seq = e.seq;
		held.complaint = e.complaint;
		held.v = e.v;
		held.peer = j->h->from;
		held.batch_seq = j->h->seq;
		held.batch_digest = j->digest;
		held.item = (int64_t)i + 1;
		if (judge_event(j, &e, &held, &o, &why, err) == -1) {
			event_clear(&e);
			return -1;
		}
		set_result(&j->res[i], (int64_t)i + 1, &e, o,
		    o == OUTCOME_REFUSED ? &why : NULL);
		event_clear(&e);
	}
	return 0;
}

/*
 * Sign a receipt of kind for the batch from->to at seq: final for one this
 * node received (head: its channel), relay for one the hub took; *out
 * gets its bytes.
 */
static int
sign(struct recv_job *j, enum receipt_kind kind, const char *from,
    const char *to, int64_t seq, const char *digest,
    struct receipt_result *res, size_t n, int64_t head_seq,
    const char *head_digest, uint8_t **out, size_t *len, struct sp_err *err)
{
	struct receipt	 r;
	struct batch	*b = NULL, *sig = NULL;
	const uint8_t	*p;
	int		 rc = -1;

	if (j->ctx->key == NULL)
		return sp_errf(err, SPE_INTERNAL, "no key to sign receipts");
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	snprintf(r.signer, sizeof(r.signer), "%s", j->ctx->node);
	snprintf(r.batch_from, sizeof(r.batch_from), "%s", from);
	snprintf(r.batch_to, sizeof(r.batch_to), "%s", to);
	r.batch_seq = seq;
	snprintf(r.batch_digest, sizeof(r.batch_digest), "%s", digest);
	snprintf(r.instance, sizeof(r.instance), "%s", j->ctx->instance);
	r.received_at = j->now;
	r.received_offset = j->ctx->offset;
	r.head_seq = head_seq;
	snprintf(r.head_digest, sizeof(r.head_digest), "%s", head_digest);
	r.results = res;
	r.nresults = n;
	if (batch_new_receipt(&r, &b, err) == -1 ||
	    dsig_sign(b, j->ctx->key, &sig, err) == -1)
		goto out;
	p = batch_bytes(sig, len);
	*out = xmalloc(*len);
	memcpy(*out, p, *len);
	rc = 0;
out:
	batch_free(b);
	batch_free(sig);
	return rc;
}

/* Sign a final receipt for a batch from peer; *out gets its bytes. */
static int
sign_receipt(struct recv_job *j, const char *peer, int64_t seq,
    const char *digest, struct receipt_result *res, size_t n,
    const struct store_channel *head, uint8_t **out, size_t *len,
    struct sp_err *err)
{
	return sign(j, RECEIPT_FINAL, peer, j->ctx->node, seq, digest, res, n,
	    head->seq, head->digest, out, len, err);
}

/* The batch, its channel head and its receipt, in the same transaction. */
static int
recv_apply(struct recv_job *j, struct sp_err *err)
{
	struct store_channel	 ch, other;
	struct recv_outcome	*o = j->out;
	uint8_t			*late;
	size_t			 i, len;
	int64_t			 id = 0;

	memset(&ch, 0, sizeof(ch));
	ch.peer = j->h->from;
	ch.out = 0;
	ch.seq = j->h->seq;
	ch.digest = j->digest;
	if (store_channel_put(j->s, &ch, err) == -1)
		return -1;
	for (i = 0; i < j->nres; i++)
		o->n[j->res[i].outcome]++;
	o->receipt_only = j->nevents == 0;
	/*
	 * A batch of receipts only earns no receipt (DESIGN §5).  The answer
	 * to a direct POST carries the receipt; otherwise it is owed, to ride
	 * in the next batch to the author.  A POST whose answer was lost is
	 * sent again and gets the stored receipt as a replay.
	 */
	if (!o->receipt_only) {
		if (sign_receipt(j, j->h->from, j->h->seq, j->digest, j->res,
		    j->nres, &ch, &o->receipt, &o->receipt_len, err) == -1 ||
		    store_receipt_out_add(j->s, j->h->from, j->h->seq,
		    j->digest, o->receipt, o->receipt_len, !j->ctx->answered,
		    0, &id, err) == -1)
			return -1;
	}
	if (store_batch_in_add(j->s, j->h->from, j->h->seq, j->digest,
	    j->bytes, j->len, j->now, 0, id, err) == -1)
		return -1;
	if (j->ctx->relay != NULL && store_batch_in_relay(j->s, j->digest,
	    j->ctx->relay, j->ctx->relay_len, err) == -1)
		return -1;
	for (i = 0; i < j->nlate; i++) {
		struct late	*l = &j->late[i];

		if (store_channel_get(j->s, l->peer, 0, &other, err) == -1 ||
		    sign_receipt(j, l->peer, l->seq, l->digest, l->res, l->n,
		    &other, &late, &len, err) == -1)
			return -1;
		if (store_receipt_out_add(j->s, l->peer, l->seq, l->digest,
		    late, len, 1, 1, &id, err) == -1) {
			free(late);
			return -1;
		}
		free(late);
		o->late++;
	}
	/* Hand the results over to the caller. */
	o->r.results = j->res;
	o->r.nresults = j->nres;
	j->res = NULL;
	j->nres = 0;
	return 0;
}

/* Keep both copies as evidence and halt the channel (DESIGN §5). */
static int
store_equivocation(struct recv_job *j, const char *why, struct sp_err *err)
{
	struct store_channel	 ch;

	if (store_begin(j->s, err) == -1)
		return -1;
	if (store_batch_in_add(j->s, j->h->from, j->h->seq, j->digest,
	    j->bytes, j->len, j->now, 1, 0, err) == -1 ||
	    store_channel_get(j->s, j->h->from, 0, &ch, err) == -1)
		goto bad;
	ch.halted = 1;
	ch.error = why;
	if (store_channel_put(j->s, &ch, err) == -1 ||
	    store_commit(j->s, err) == -1)
		goto bad;
	return 0;
bad:
	store_rollback(j->s);
	return -1;
}

static void
job_clear(struct recv_job *j)
{
	size_t	 i, k;

	for (i = 0; i < j->nres; i++)
		free(j->res[i].detail);
	free(j->res);
	for (i = 0; i < j->nlate; i++) {
		for (k = 0; k < j->late[i].n; k++)
			free(j->late[i].res[k].detail);
		free(j->late[i].res);
	}
	free(j->late);
	batch_free(j->b);
	desk_clear(&j->desk);
}

/*
 * Recovery (recover.c) applied an own event on complaint inside the
 * caller's transaction: what waited for it follows.  The later outcomes of
 * other nodes' items released here earn no receipt: their batches' final
 * receipts were made before this node lost its state.
 */
int
recv_release(struct store *s, const struct recv_ctx *ctx,
    const char *complaint, int64_t now, struct sp_err *err)
{
	struct recv_job		 j;
	struct recv_outcome	 o;
	int			 rc;

	memset(&j, 0, sizeof(j));
	memset(&o, 0, sizeof(o));
	j.s = s;
	j.ctx = ctx;
	j.now = now;
	j.out = &o;
	if (desk_init(&j.desk, s, "-", now, err) == -1)
		return -1;
	rc = release_held(&j, complaint, err);
	job_clear(&j);
	return rc;
}

int
recv_batch(struct store *s, const struct recv_ctx *ctx, const uint8_t *bytes,
    size_t len, int64_t now, struct recv_outcome *out, struct sp_err *err)
{
	struct recv_job	 j;
	struct sp_err	 e2;
	int		 rc = -1, r;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.s = s;
	j.ctx = ctx;
	j.bytes = bytes;
	j.len = len;
	j.now = now;
	j.out = out;
	batch_digest_bytes(bytes, len, j.digest);
	snprintf(out->digest, sizeof(out->digest), "%s", j.digest);
	if ((r = recv_check_replay(&j, err)) != 0) {
		rc = r == 1 ? 0 : -1;
		if (rc == 0 && recv_check_pusher(&j, err) == -1) {
			recv_outcome_clear(out);
			rc = -1;
		}
		goto out;
	}
	if (recv_check_size(&j, err) == -1 || recv_parse(&j, err) == -1 ||
	    recv_validate_schema(&j, err) == -1 ||
	    recv_check_pusher(&j, err) == -1)
		goto out;
	if (ctx->relays && strcmp(j.h->to, ctx->node) != 0) {
		rc = relay_job(&j, err);
		goto out;
	}
	if (recv_verify_signature(&j, err) == -1)
		goto out;
	if (store_begin(s, err) == -1)
		goto out;
	if (desk_init(&j.desk, s, "-", now, err) == -1)
		goto bad;
	/* Again inside the transaction: another receiver may have won. */
	if ((r = recv_check_replay(&j, err)) != 0) {
		store_rollback(s);
		rc = r == 1 ? 0 : -1;
		goto out;
	}
	if (recv_check_channel(&j, err) == -1) {
		store_rollback(s);
		if (j.equivocation) {
			memset(&e2, 0, sizeof(e2));
			if (store_equivocation(&j, err->msg, &e2) == -1) {
				sp_err_clear(err);
				sp_errf(err, e2.code, "%s", e2.msg);
			}
		}
		goto out;
	}
	if (recv_judge_items(&j, err) == -1 || recv_apply(&j, err) == -1 ||
	    store_commit(s, err) == -1)
		goto bad;
	rc = 0;
	goto out;
bad:
	store_rollback(s);
out:
	job_clear(&j);
	return rc;
}

/* The hub took a batch of ours: it is on its way (not yet accepted). */
static int
record_relay_receipt(struct store *s, const char *self,
    const struct receipt *r, const uint8_t *bytes, size_t len,
    struct sp_err *err)
{
	int	 found;

	if (strcmp(r->signer, "hub") != 0 || strcmp(r->batch_from, self) != 0)
		return sp_errf(err, SPE_AUTHORSHIP, "relay receipt from %s "
		    "about batch %s->%s: only the hub relays, and only ours",
		    r->signer, r->batch_from, r->batch_to);
	if (bytes == NULL)
		return sp_errf(err, SPE_SCHEMA, "a relay receipt is a "
		    "standalone document, never an item");
	if ((found = store_batch_out_relayed(s, r->batch_to, r->batch_seq,
	    r->batch_digest, bytes, len, err)) == -1)
		return -1;
	if (found == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no batch %s->%s seq %lld "
		    "with digest %.8s was sent", r->batch_from, r->batch_to,
		    (long long)r->batch_seq, r->batch_digest);
	return 0;
}

int
recv_record_receipt(struct store *s, const char *self,
    const struct receipt *r, const uint8_t *bytes, size_t len,
    struct sp_err *err)
{
	struct store_channel	 ch;
	int64_t			*refused;
	size_t			 i, n = 0;
	int			 found;

	if (r->kind == RECEIPT_RELAY)
		return record_relay_receipt(s, self, r, bytes, len, err);
	if (strcmp(r->batch_from, self) != 0 ||
	    strcmp(r->signer, r->batch_to) != 0)
		return sp_errf(err, SPE_AUTHORSHIP, "receipt from %s is about "
		    "batch %s->%s, not one this node sent to it", r->signer,
		    r->batch_from, r->batch_to);
	refused = xreallocarray(NULL, r->nresults + 1, sizeof(*refused));
	for (i = 0; i < r->nresults; i++)
		if (r->results[i].outcome == OUTCOME_REFUSED)
			refused[n++] = r->results[i].item;
	found = store_batch_out_ack(s, r->batch_to, r->batch_seq,
	    r->batch_digest, bytes, len, refused, n, err);
	free(refused);
	if (found == -1)
		return -1;
	if (found == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no batch %s->%s seq %lld "
		    "with digest %.8s was sent", r->batch_from, r->batch_to,
		    (long long)r->batch_seq, r->batch_digest);
	if (store_channel_get(s, r->batch_to, 1, &ch, err) == -1)
		return -1;
	if (r->batch_seq > ch.acked)
		ch.acked = r->batch_seq;
	if (r->head_seq > ch.head)
		ch.head = r->head_seq;
	return store_channel_put(s, &ch, err);
}

/* A standalone receipt's transport checks at now; *r gets its content. */
static int
check_receipt(const struct recv_ctx *ctx, const uint8_t *bytes, size_t len,
    int64_t now, struct receipt *r, struct sp_err *err)
{
	struct batch	*b = NULL;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	if (batch_check_size(len, &ctx->limits, err) == -1 ||
	    batch_parse(bytes, len, &ctx->limits, &b, err) == -1 ||
	    batch_validate(b, err) == -1)
		goto out;
	if (batch_kind(b) != BATCH_KIND_RECEIPT) {
		sp_errf(err, SPE_SCHEMA, "a batch, not a standalone receipt");
		goto out;
	}
	if (dsig_verify(b, ctx->trust, now, NULL, err) == -1 ||
	    batch_check_authorship(b, err) == -1 ||
	    batch_receipt(b, r, err) == -1)
		goto out;
	rc = 0;
out:
	batch_free(b);
	return rc;
}

int
recv_receipt(struct store *s, const struct recv_ctx *ctx,
    const uint8_t *bytes, size_t len, int64_t now, struct receipt *r,
    struct sp_err *err)
{
	if (check_receipt(ctx, bytes, len, now, r, err) == -1 ||
	    store_begin(s, err) == -1)
		return -1;
	if (recv_record_receipt(s, ctx->node, r, bytes, len, err) == -1 ||
	    store_commit(s, err) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* ---- the relay -------------------------------------------------------- */

static int
copy_relay_receipt(void *arg, const struct store_relay *r)
{
	struct recv_outcome	*o = arg;

	o->replay = 1;
	o->receipt = xmalloc(r->receipt_len);
	memcpy(o->receipt, r->receipt, r->receipt_len);
	o->receipt_len = r->receipt_len;
	return 0;
}

struct taken {
	char	 digest[BATCH_DIGEST_LEN];
};

static int
taken_digest(void *arg, const struct store_relay *r)
{
	struct taken	*t = arg;

	snprintf(t->digest, sizeof(t->digest), "%s", r->digest);
	return 0;
}

/*
 * Inside the transaction: the author enrolled (or enrolled now), the
 * destination enrolled, and the seq not taken by another batch unless
 * this one replaces it.
 */
static int
relay_check(struct recv_job *j, struct sp_err *err)
{
	const struct batch_header	*h = j->h;
	struct store_peer		 p;
	struct taken			 t;
	int				 found;

	if (check_instance(j->s, h, err) == -1)
		return -1;
	if ((found = store_peer_get(j->s, h->to, &p, err)) == -1)
		return -1;
	if (found == 0)
		return sp_errf(err, SPE_NOT_FOUND, "%s is not a node enrolled "
		    "at the hub: nothing relayed to it", h->to);
	if ((found = store_relay_at(j->s, h->from, h->to, h->seq,
	    taken_digest, &t, err)) == -1)
		return -1;
	if (found == 0)
		return 0;
	if (h->replaces[0] != '\0' && strcmp(h->replaces, t.digest) == 0)
		return store_relay_mark(j->s, t.digest, "replaced", NULL, err);
	return sp_errf(err, SPE_EQUIVOCATION, "the hub relays another batch "
	    "%s->%s at seq %lld", h->from, h->to, (long long)h->seq);
}

/* The hub's side of a batch for another node (recv_batch sends it here). */
static int
relay_job(struct recv_job *j, struct sp_err *err)
{
	struct recv_outcome	*out = j->out;
	struct store_relay	 r;
	int			 found;

	out->relayed = 1;
	if ((found = store_relay_by_digest(j->s, j->digest, copy_relay_receipt,
	    out, err)) != 0)
		return found == 1 ? 0 : -1;
	if (recv_verify_signature(j, err) == -1 || store_begin(j->s, err) == -1)
		return -1;
	if ((found = store_relay_by_digest(j->s, j->digest, copy_relay_receipt,
	    out, err)) != 0) {
		store_rollback(j->s);
		return found == 1 ? 0 : -1;
	}
	if (relay_check(j, err) == -1 ||
	    sign(j, RECEIPT_RELAY, j->h->from, j->h->to, j->h->seq, j->digest,
	    NULL, 0, j->h->seq, j->digest, &out->receipt, &out->receipt_len,
	    err) == -1)
		goto bad;
	memset(&r, 0, sizeof(r));
	r.digest = j->digest;
	r.author = j->h->from;
	r.dest = j->h->to;
	r.seq = j->h->seq;
	r.bytes = j->bytes;
	r.len = j->len;
	r.received = j->now;
	r.receipt = out->receipt;
	r.receipt_len = out->receipt_len;
	if (store_relay_add(j->s, &r, err) == -1 ||
	    store_commit(j->s, err) == -1)
		goto bad;
	return 0;
bad:
	store_rollback(j->s);
	return -1;
}

int
recv_relayed(struct store *s, const struct recv_ctx *ctx,
    const uint8_t *bytes, size_t len, const uint8_t *relay, size_t relay_len,
    int64_t now, struct recv_outcome *out, struct sp_err *err)
{
	struct recv_ctx	 c2 = *ctx;
	struct receipt	 r;
	char		 digest[BATCH_DIGEST_LEN];
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if (check_receipt(ctx, relay, relay_len, now, &r, err) == -1)
		goto out;
	batch_digest_bytes(bytes, len, digest);
	if (r.kind != RECEIPT_RELAY || strcmp(r.signer, "hub") != 0) {
		sp_errf(err, SPE_SIGNER, "a relay receipt comes from the hub, "
		    "not a %s receipt from %s", receipt_kind_name(r.kind),
		    r.signer);
		goto out;
	}
	if (strcmp(r.batch_digest, digest) != 0) {
		sp_errf(err, SPE_AUTHORSHIP, "the relay receipt is for batch "
		    "%.8s, not this one (%.8s)", r.batch_digest, digest);
		goto out;
	}
	if (strcmp(r.batch_to, ctx->node) != 0) {
		sp_errf(err, SPE_WRONG_NODE, "relayed to %s, this node is %s",
		    r.batch_to, ctx->node);
		goto out;
	}
	c2.pusher = r.batch_from;
	c2.relay = relay;
	c2.relay_len = relay_len;
	rc = recv_batch(s, &c2, bytes, len, r.received_at, out, err);
out:
	receipt_clear(&r);
	return rc;
}
