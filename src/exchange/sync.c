/*
 * sync.c: the sender's side of a channel (DESIGN §5).  A channel is
 * (author, destination); this file owns the author's end: the outbox,
 * the cutter, the stored signed batches and their acknowledgement.
 *
 * The state machine of one outgoing event and the batch that carries it:
 *
 *	 desk_record/recv_apply        sync_cut              receipt
 *	 ----------------------> QUEUED ------> STORED -----------> ACCEPTED
 *	                                          |  ^
 *	                             sync_recut   |  | (new copy, same seq,
 *	                                          v  |  replaces=old digest)
 *	                                        REPLACED
 *
 * Transitions, each in one transaction, and the function that makes it:
 *
 *	from		to		function		store
 *	-		QUEUED		sync_route()		outbox row
 *	QUEUED		STORED		sync_cut()		batch_out 'stored'
 *	STORED		ACCEPTED	recv_record_receipt()	batch_out 'accepted'
 *	STORED		REPLACED	sync_recut()		batch_out 'replaced'
 *
 * Invariants:
 * (1) A batch's seq and prev are given in the BEGIN IMMEDIATE transaction
 *     that stores its signed bytes, so two cutters on one database never
 *     give one seq twice, and nothing leaves before it is stored.
 * (2) Stored bytes are never re-serialized: export writes them as they are.
 * (3) Only a batch never acknowledged, and above the receiver's last known
 *     head, is re-cut; the copies after it are re-cut with it, so the chain
 *     of live copies always holds (prev = digest of the live seq - 1).
 * (4) An event leaves the outbox in the transaction that stores the batch
 *     carrying it; an owed receipt likewise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "rules/complaint.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "rules/route.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

/* The states of the diagram above. */
enum sync_state {
	SYNC_QUEUED,		/* an outbox row: not yet in any batch */
	SYNC_STORED,		/* cut, signed, stored: may be sent (again) */
	SYNC_ACCEPTED,		/* a final receipt acknowledged it */
	SYNC_REPLACED		/* re-cut: the new copy carries replaces */
};

/* Room for the header, the signature and the signer's certificate. */
#define SYNC_OVERHEAD	16384

#define ZERO_DIGEST \
	"0000000000000000000000000000000000000000000000000000000000000000"

int
sync_conf_load(struct store *s, struct sync_conf *c, int flags,
    struct sp_err *err)
{
	char		*code = NULL, *hub = NULL, *inst = NULL, *zone = NULL;
	char		*key = NULL, *cert = NULL, *ca = NULL, *crl = NULL;
	long long	 bytes, items;
	int		 rc = -1;

	memset(c, 0, sizeof(*c));
	if (settings_get(s, "node.code", &code, err) == -1 ||
	    settings_get(s, "node.hub", &hub, err) == -1 ||
	    settings_get(s, "node.instance", &inst, err) == -1 ||
	    settings_get(s, "node.zone", &zone, err) == -1 ||
	    settings_get(s, "node.key", &key, err) == -1 ||
	    settings_get(s, "node.cert", &cert, err) == -1 ||
	    settings_get(s, "node.ca", &ca, err) == -1 ||
	    settings_get(s, "node.crl", &crl, err) == -1 ||
	    settings_get_int(s, "limit.batch_bytes", &bytes, err) == -1 ||
	    settings_get_int(s, "limit.batch_items", &items, err) == -1)
		goto out;
	if (code == NULL || code[0] == '\0') {
		sp_errf(err, SPE_NO_DB, "the database has no node code "
		    "(create it with simpul init)");
		goto out;
	}
	snprintf(c->node, sizeof(c->node), "%s", code);
	if (hub != NULL && hub[0] != '\0' && strcmp(code, "hub") != 0)
		snprintf(c->hub, sizeof(c->hub), "hub");
	snprintf(c->instance, sizeof(c->instance), "%s", inst ? inst : "");
	if ((c->offset = settings_zone_offset(zone ? zone : "")) == -1)
		c->offset = 7 * 60;
	c->max_bytes = (size_t)bytes;
	c->max_items = (size_t)items;
	if ((flags & SYNC_KEY) &&
	    (c->key = trust_key_load(key, cert, err)) == NULL)
		goto out;
	if ((flags & SYNC_TRUST) && (c->trust = trust_load(ca,
	    crl != NULL && crl[0] != '\0' ? crl : NULL, err)) == NULL)
		goto out;
	rc = 0;
out:
	free(code);
	free(hub);
	free(inst);
	free(zone);
	free(key);
	free(cert);
	free(ca);
	free(crl);
	if (rc == -1)
		sync_conf_clear(c);
	return rc;
}

void
sync_conf_clear(struct sync_conf *c)
{
	trust_key_free(c->key);
	trust_free(c->trust);
	c->key = NULL;
	c->trust = NULL;
}

const char *
sync_newcomer(const struct complaint_state *before, const struct event *e)
{
	if (e->kind == EV_FILED)
		return e->author;
	if (e->kind == EV_FORWARDED && !complaint_involved(before, e->to))
		return e->to;
	return NULL;
}

int
sync_route(struct store *s, const char *self, const char *hub,
    const struct complaint_state *cs, const struct event *e,
    const char *newcomer, struct sp_err *err)
{
	struct route_set	 inv, dest;
	size_t			 i;
	int			 n;

	if (hub != NULL && hub[0] == '\0')
		hub = NULL;
	if (strcmp(e->author, self) == 0) {
		route_set_init(&inv);
		for (n = 0; n < cs->ninvolved; n++)
			if (route_set_add(&inv, cs->involved[n], err) == -1)
				return -1;
		route_destinations(&inv, self, hub, &dest);
		for (i = 0; i < dest.n; i++)
			if (store_outbox_add(s, dest.node[i], e->seq,
			    err) == -1)
				return -1;
	}
	if (newcomer != NULL && route_backfill(newcomer, self, hub))
		return store_outbox_backfill(s, newcomer, e->complaint, self,
		    err);
	return 0;
}

/* What one batch will carry. */
struct cut {
	const struct sync_conf	*conf;
	struct event		*ev;
	size_t			 nev;
	struct receipt		*rc;
	int64_t			*rcid;
	size_t			 nrc;
	struct batch_part	*parts;		/* policy and figure items */
	size_t			 nparts;
	struct {
		char		 kind[8];
		int64_t		 n;
		size_t		 end;	/* parts[] up to here */
	}			*owed;		/* the item_out rows */
	size_t			 nowed;
	size_t			 bytes;		/* encoded items so far */
	size_t			 budget;
	int			 full;
	struct sp_err		*err;
};

static int
cut_event(void *arg, const struct event *e)
{
	struct cut	*c = arg;
	size_t		 sz = batch_event_size(e);

	if (c->nev > 0 && c->bytes + sz > c->budget) {
		c->full = 1;
		return -1;
	}
	c->ev = xreallocarray(c->ev, c->nev + 1, sizeof(*c->ev));
	event_copy(&c->ev[c->nev++], e);
	c->bytes += sz;
	return 0;
}

static void
cut_add_receipt(struct cut *c, struct receipt *r, int64_t id)
{
	c->rc = xreallocarray(c->rc, c->nrc + 1, sizeof(*c->rc));
	c->rcid = xreallocarray(c->rcid, c->nrc + 1, sizeof(*c->rcid));
	c->rc[c->nrc] = *r;
	c->rcid[c->nrc++] = id;
}

/*
 * An owed receipt, as one item or, when its results would make an item
 * over the item limit (a receipt for 2,000 items is some 118 KB), as
 * parts of at most half the limit each, with the same header: each part
 * acknowledges the batch, and their results together are the whole.
 */
static int
cut_receipt(void *arg, int64_t id, const uint8_t *bytes, size_t len)
{
	struct cut		*c = arg;
	struct batch_limits	 lim;
	struct batch		*b = NULL;
	struct receipt		 r, part;
	size_t			 per, at;

	if (c->nev + c->nrc > 0 && c->bytes + len > c->budget) {
		c->full = 1;
		return -1;
	}
	memset(&r, 0, sizeof(r));
	batch_limits_default(&lim);
	if (batch_parse(bytes, len, &lim, &b, c->err) == -1 ||
	    batch_validate(b, c->err) == -1 ||
	    batch_receipt(b, &r, c->err) == -1) {
		batch_free(b);
		receipt_clear(&r);
		return -1;
	}
	batch_free(b);
	c->bytes += len;
	if (len <= lim.max_item_bytes / 2 || r.nresults < 2) {
		cut_add_receipt(c, &r, id);
		return 0;
	}
	per = r.nresults * (lim.max_item_bytes / 2) / len;
	if (per == 0)
		per = 1;
	for (at = 0; at < r.nresults; at += per) {
		receipt_slice(&r, at, r.nresults - at < per ?
		    r.nresults - at : per, &part);
		cut_add_receipt(c, &part, id);
	}
	receipt_clear(&r);
	return 0;
}

/* A policy version or figure set owed: all its parts or none. */
static int
cut_part(void *arg, const char *kind, int64_t n, int64_t at,
    const char *body)
{
	struct cut		*c = arg;
	struct batch_part	*p;
	size_t			 np, i, sz = 0;

	np = batch_split(strcmp(kind, "policy") == 0 ? BATCH_ITEM_POLICY :
	    BATCH_ITEM_METRICS, n, at, c->conf->offset, body, &p);
	for (i = 0; i < np; i++)
		sz += batch_part_size(&p[i]);
	if (c->nev + c->nrc + c->nparts > 0 &&
	    (c->bytes + sz > c->budget ||
	    c->nev + c->nrc + c->nparts + np > c->conf->max_items)) {
		batch_parts_free(p, np);
		c->full = 1;
		return -1;
	}
	c->parts = xreallocarray(c->parts, c->nparts + np, sizeof(*c->parts));
	memcpy(&c->parts[c->nparts], p, np * sizeof(*p));
	free(p);
	c->nparts += np;
	c->owed = xreallocarray(c->owed, c->nowed + 1, sizeof(*c->owed));
	snprintf(c->owed[c->nowed].kind, sizeof(c->owed[0].kind), "%s", kind);
	c->owed[c->nowed].n = n;
	c->owed[c->nowed++].end = c->nparts;
	c->bytes += sz;
	return 0;
}

static void
cut_clear(struct cut *c)
{
	size_t	 i;

	for (i = 0; i < c->nev; i++)
		event_clear(&c->ev[i]);
	for (i = 0; i < c->nrc; i++)
		receipt_clear(&c->rc[i]);
	batch_parts_free(c->parts, c->nparts);
	free(c->ev);
	free(c->rc);
	free(c->rcid);
	free(c->owed);
	c->ev = NULL;
	c->rc = NULL;
	c->rcid = NULL;
	c->parts = NULL;
	c->owed = NULL;
	c->nev = c->nrc = c->nparts = c->nowed = c->bytes = 0;
	c->full = 0;
}

/*
 * Sign the items and store the batch as seq after the channel's head
 * (invariant 1).  nev and nrc may be cut down until the document fits.
 */
static int
sign_store(struct store *s, const struct sync_conf *conf, const char *peer,
    struct event *ev, size_t *nev, struct receipt *rc, const int64_t *rcid,
    size_t *nrc, const struct batch_part *parts, size_t *nparts,
    const char *replaces, int64_t now, struct sp_err *err)
{
	struct store_channel	 ch;
	struct batch_header	 h;
	struct store_batch	 sb;
	struct batch		*b = NULL, *sig = NULL;
	struct sp_err		 e2;
	char			 digest[BATCH_DIGEST_LEN];
	int			 rc2 = -1;

	if (conf->key == NULL)
		return sp_errf(err, SPE_INTERNAL, "no signing key loaded");
	if (store_channel_get(s, peer, 1, &ch, err) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	snprintf(h.from, sizeof(h.from), "%s", conf->node);
	snprintf(h.to, sizeof(h.to), "%s", peer);
	h.seq = ch.seq + 1;
	snprintf(h.prev, sizeof(h.prev), "%s", ch.digest);
	snprintf(h.instance, sizeof(h.instance), "%s", conf->instance);
	h.created = now;
	h.created_offset = conf->offset;
	if (replaces != NULL)
		snprintf(h.replaces, sizeof(h.replaces), "%s", replaces);
	for (;;) {
		memset(&e2, 0, sizeof(e2));
		if (batch_new_batch_parts(&h, ev, *nev, rc, *nrc, parts,
		    *nparts, &b, &e2) == 0)
			break;
		if (e2.code != SPE_TOO_LARGE || *nev + *nrc + *nparts <= 1) {
			sp_errf(err, e2.code, "%s", e2.msg);
			return -1;
		}
		/*
		 * The parts wait for the next batch; then halve: the events
		 * first, then the receipts, never between the parts of one
		 * receipt (rcid: which owed receipt each item is).
		 */
		if (*nparts > 0 && *nev + *nrc == 0)
			return sp_errf(err, SPE_TOO_LARGE, "a policy or figure "
			    "set of %zu parts does not fit in one batch",
			    *nparts);
		if (*nparts > 0)
			*nparts = 0;
		else if (*nev > 1)
			*nev /= 2;
		else if (*nrc > 0) {
			*nrc /= 2;
			while (rcid != NULL && *nrc > 0 &&
			    rcid[*nrc] == rcid[*nrc - 1])
				(*nrc)--;
		} else
			*nev = 0;
	}
	if (dsig_sign(b, conf->key, &sig, err) == -1)
		goto out;
	batch_digest(sig, digest);
	memset(&sb, 0, sizeof(sb));
	sb.peer = peer;
	sb.seq = h.seq;
	sb.digest = digest;
	sb.prev = h.prev;
	sb.replaces = replaces;
	sb.bytes = batch_bytes(sig, &sb.len);
	sb.created = now;
	if (store_batch_out_add(s, &sb, err) == -1)
		goto out;
	ch.peer = peer;
	ch.out = 1;
	ch.seq = h.seq;
	ch.digest = digest;
	if (store_channel_put(s, &ch, err) == -1)
		goto out;
	rc2 = 0;
out:
	batch_free(b);
	batch_free(sig);
	return rc2;
}

int
sync_cut(struct store *s, const struct sync_conf *conf, const char *peer,
    int64_t now, int *n, struct sp_err *err)
{
	struct cut	 c;
	size_t		 nev, nrc, nparts, i;
	int		 rc = -1;

	*n = 0;
	memset(&c, 0, sizeof(c));
	c.conf = conf;
	c.err = err;
	c.budget = conf->max_bytes > SYNC_OVERHEAD * 2 ?
	    conf->max_bytes - SYNC_OVERHEAD : conf->max_bytes / 2;
	for (;;) {
		cut_clear(&c);
		if (store_outbox_each(s, peer, conf->node,
		    (int64_t)conf->max_items, cut_event, &c, err) == -1 &&
		    !c.full)
			goto out;
		c.full = 0;
		if (c.nev < conf->max_items && store_receipt_out_owed(s, peer,
		    (int64_t)(conf->max_items - c.nev), cut_receipt, &c,
		    err) == -1 && !c.full)
			goto out;
		/* The hub channel carries the policy and figure items. */
		if (!c.full && store_item_out_each(s, peer, conf->node,
		    cut_part, &c, err) == -1 && !c.full)
			goto out;
		c.full = 0;
		if (c.nev == 0 && c.nrc == 0 && c.nparts == 0)
			break;
		nev = c.nev;
		nrc = c.nrc;
		nparts = c.nparts;
		if (sign_store(s, conf, peer, c.ev, &nev, c.rc, c.rcid, &nrc,
		    c.parts, &nparts, NULL, now, err) == -1)
			goto out;
		for (i = 0; i < c.nowed && c.owed[i].end <= nparts; i++)
			if (store_item_out_remove(s, peer, c.owed[i].kind,
			    c.owed[i].n, err) == -1)
				goto out;
		for (i = 0; i < nev; i++)
			if (store_outbox_remove(s, peer, c.ev[i].seq,
			    err) == -1)
				goto out;
		for (i = 0; i < nrc; i++)
			if ((i == 0 || c.rcid[i] != c.rcid[i - 1]) &&
			    store_receipt_out_paid(s, c.rcid[i], err) == -1)
				goto out;
		(*n)++;
	}
	rc = 0;
out:
	cut_clear(&c);
	return rc;
}

/* The live batches to re-cut, copied out of the store. */
struct recut {
	int64_t		 seq;
	char		 digest[BATCH_DIGEST_LEN];
	uint8_t		*bytes;
	size_t		 len;
	int		 accepted;
};

struct recut_list {
	struct recut	*r;
	size_t		 n;
};

static int
recut_collect(void *arg, const struct store_batch *b)
{
	struct recut_list	*l = arg;
	struct recut		*r;

	l->r = xreallocarray(l->r, l->n + 1, sizeof(*l->r));
	r = &l->r[l->n++];
	r->seq = b->seq;
	snprintf(r->digest, sizeof(r->digest), "%s", b->digest);
	r->bytes = xmalloc(b->len);
	memcpy(r->bytes, b->bytes, b->len);
	r->len = b->len;
	r->accepted = strcmp(b->state, "accepted") == 0;
	return 0;
}

int
sync_recut(struct store *s, const struct sync_conf *conf, const char *peer,
    int64_t seq, int64_t now, int *n, struct sp_err *err)
{
	struct recut_list	 l = { NULL, 0 };
	struct store_channel	 ch;
	struct batch_limits	 lim;
	struct batch		*b = NULL;
	struct event		*ev = NULL;
	struct receipt		*rcs = NULL;
	struct batch_part	*parts = NULL;
	size_t			 i, j, nev, nrc, nparts = 0, nitems;
	int			 rc = -1;

	*n = 0;
	if (store_channel_get(s, peer, 1, &ch, err) == -1 ||
	    store_batch_out_each(s, peer, seq, recut_collect, &l, err) == -1)
		goto out;
	if (l.n == 0 || l.r[0].seq != seq) {
		sp_errf(err, SPE_NOT_FOUND, "no batch %lld stored for %s",
		    (long long)seq, peer);
		goto out;
	}
	if (l.r[0].accepted || ch.acked >= seq || ch.head >= seq) {
		sp_errf(err, SPE_TRANSITION, "batch %lld to %s was accepted "
		    "(receiver's head %lld): it cannot be re-cut",
		    (long long)seq, peer, (long long)(ch.head > ch.acked ?
		    ch.head : ch.acked));
		goto out;
	}
	/* The chain restarts at seq: the head goes back to seq - 1. */
	ch.seq = seq - 1;
	if (seq == 1)
		ch.digest = ZERO_DIGEST;
	else {
		/* The prev of the batch at seq is the live seq - 1. */
		batch_limits_default(&lim);
		if (batch_parse(l.r[0].bytes, l.r[0].len, &lim, &b, err) == -1 ||
		    batch_validate(b, err) == -1)
			goto out;
		ch.digest = batch_header(b)->prev;
	}
	ch.peer = peer;
	ch.out = 1;
	if (store_channel_put(s, &ch, err) == -1)
		goto out;
	batch_free(b);
	b = NULL;
	batch_limits_default(&lim);
	for (i = 0; i < l.n; i++) {
		if (batch_parse(l.r[i].bytes, l.r[i].len, &lim, &b,
		    err) == -1 || batch_validate(b, err) == -1)
			goto out;
		nitems = batch_nitems(b);
		ev = xcalloc(nitems + 1, sizeof(*ev));
		rcs = xcalloc(nitems + 1, sizeof(*rcs));
		parts = xcalloc(nitems + 1, sizeof(*parts));
		nev = nrc = nparts = 0;
		for (j = 0; j < nitems; j++) {
			if (batch_item_kind(b, j) == BATCH_ITEM_EVENT) {
				if (batch_item_event(b, j, &ev[nev],
				    err) == -1)
					goto out;
				nev++;
			} else if (batch_item_kind(b, j) != BATCH_ITEM_RECEIPT) {
				if (batch_item_part(b, j, &parts[nparts],
				    err) == -1)
					goto out;
				nparts++;
			} else {
				if (batch_item_receipt(b, j, &rcs[nrc],
				    err) == -1)
					goto out;
				nrc++;
			}
		}
		if (store_batch_out_replace(s, peer, l.r[i].digest,
		    err) == -1)
			goto out;
		j = nev + nrc + nparts;
		if (sign_store(s, conf, peer, ev, &nev, rcs, NULL, &nrc, parts,
		    &nparts, l.r[i].digest, now, err) == -1)
			goto out;
		if (nev + nrc + nparts != j) {
			sp_errf(err, SPE_TOO_LARGE, "batch %lld no longer fits "
			    "the limits", (long long)l.r[i].seq);
			goto out;
		}
		for (j = 0; j < nitems; j++) {
			event_clear(&ev[j]);
			receipt_clear(&rcs[j]);
		}
		free(ev);
		free(rcs);
		batch_parts_free(parts, nitems);
		ev = NULL;
		rcs = NULL;
		parts = NULL;
		batch_free(b);
		b = NULL;
		(*n)++;
	}
	rc = 0;
out:
	if (ev != NULL || rcs != NULL) {
		for (j = 0; b != NULL && j < batch_nitems(b); j++) {
			event_clear(&ev[j]);
			receipt_clear(&rcs[j]);
		}
		free(ev);
		free(rcs);
	}
	if (parts != NULL)
		batch_parts_free(parts, b != NULL ? batch_nitems(b) : 0);
	batch_free(b);
	for (i = 0; i < l.n; i++)
		free(l.r[i].bytes);
	free(l.r);
	return rc;
}
