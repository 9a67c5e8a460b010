/*
 * audit.c: offline verification of a set of signed documents for an
 * auditor (issue 6).  It owns the judgement of the set as a whole: the
 * trusted time of each batch, channel continuity, copies and equivocation,
 * receipts against their batches, duplicate events and the re-derivation
 * of every complaint's history.  It does not own any single document's
 * checks: those are the receiver's own functions (batch.c, dsig.c, trust.c)
 * called in DESIGN §5's order, and the lifecycle is complaint.c's.  It
 * never opens a database, the network or a key, and never prints.
 *
 * DESIGN
 *
 * (1) A document is kept once per digest: identical copies from several
 *     directories are one document, named by the first of their files in
 *     byte order.
 * (2) Trusted time (DESIGN §2): a standalone receipt is judged at its own
 *     received-at; a batch at the earliest relay receipt for its exact
 *     digest, else the earliest final receipt, where the receipt is itself
 *     trusted (a verified standalone receipt, or an item of a verified
 *     batch).  A batch that no receipt names is judged at its own created
 *     time, and if it carries events the finding time-unverified says so.
 *     A batch that carries only receipts earns no receipt (DESIGN §5), so
 *     it gets no such finding.
 * (2a) A batch is judged only when it is ready: no batch still waiting to
 *     be judged carries a receipt item that names it.  Every receipt that
 *     could set its trusted time is then known, so the judgement is the
 *     same whatever the order the documents came in.  Batches are judged
 *     in rounds of every ready one; none of a round names another, so the
 *     order within a round does not matter either.  When none is ready
 *     but some wait (receipts naming each other in a circle, which honest
 *     clocks cannot make), one goes first by the rule in first_in_circle().
 * (3) Only verified documents count further: their events, their receipt
 *     items, their place in a channel.
 * (4) "Accepted" means a trusted final receipt names the copy's digest.  A
 *     relay receipt says only that the hub stored it.
 * (5) Per seq, two accepted copies are equivocation; so is a copy that is
 *     not accepted beside an accepted one, unless it is a re-cut whose
 *     replaces names a never-accepted copy, or that copy itself.
 * (6) Complaints are rebuilt from every verified event of every author:
 *     chain events in v order, annotations merged in by their time.
 * (7) Every signed figure set is recomputed (figures.c) from the verified
 *     events within its inputs, under the signer's policy versions the
 *     set holds; each figure that differs is a finding.  A set whose
 *     inputs reach past the events held, or whose signer's policy is
 *     not in the set, is reported as not checked.
 * (8) Nothing depends on the order documents were added: audit_run() first
 *     puts them, and the findings about unreadable ones, in byte order of
 *     their names, so the same set gives the same report for any order of
 *     command-line arguments.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "wire/batch.h"
#include "rules/complaint.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/figures.h"
#include "exchange/policy.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define ZEROS \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define SHORT	12		/* hex digits of a digest in a message */

enum doc_state { DOC_PENDING, DOC_OK, DOC_REFUSED };

struct doc {
	char			*file;
	size_t			 order;		/* position in the set (8) */
	struct batch		*b;
	enum batch_kind		 kind;
	char			 digest[BATCH_DIGEST_LEN];
	struct batch_header	 h;		/* a batch's */
	struct receipt		 r;		/* a standalone receipt's */
	enum doc_state		 state;
	int			 unverified;	/* judged at its created */
	size_t			 namers;	/* (2a) pending batches naming it */
	struct doc		**named;	/* the batches its receipts name */
	size_t			 nnamed;
	struct event		*ev;		/* a verified batch's events */
	size_t			*evitem;	/* their item positions */
	size_t			 nev;
};

struct rcpt {
	struct receipt		 r;
	const struct doc	*doc;		/* the document carrying it */
};

struct audit {
	const struct trust	*trust;
	struct doc		**docs;
	size_t			 ndocs;
	struct rcpt		*rcpts;
	size_t			 nrcpts;
	struct audit_finding	*f;
	size_t			 nf;
	struct audit_channel	*ch;
	size_t			 nch;
	size_t			 ncomplaints;
};

/* One event of the set, for duplicates and re-derivation. */
struct evref {
	const struct event	*e;
	const struct doc	*doc;
};

static const char *const code_names[AC_MAX] = {
	[AC_IO] = "io",
	[AC_TOO_LARGE] = "too-large",
	[AC_MALFORMED] = "malformed",
	[AC_DOCTYPE] = "doctype",
	[AC_ENCODING] = "encoding",
	[AC_SCHEMA] = "schema",
	[AC_SIGNATURE] = "signature",
	[AC_SIGNER] = "signer",
	[AC_AUTHORSHIP] = "authorship",
	[AC_TIME_UNVERIFIED] = "time-unverified",
	[AC_SEQ_GAP] = "seq-gap",
	[AC_PREV] = "prev-mismatch",
	[AC_REORDERED] = "reordered",
	[AC_MISSING_TAIL] = "missing-tail",
	[AC_EQUIVOCATION] = "equivocation",
	[AC_DUPLICATE_EVENT] = "duplicate-event",
	[AC_RECEIPT_MISMATCH] = "receipt-mismatch",
	[AC_TRANSITION] = "transition",
	[AC_OWNERSHIP] = "ownership",
	[AC_PERMISSION] = "permission",
	[AC_INVALID] = "invalid",
	[AC_INCOMPLETE] = "incomplete",
	[AC_FIGURES] = "figures",
};

const char *
audit_code_name(enum audit_code c)
{
	return c < AC_MAX ? code_names[c] : "?";
}

/* ---- findings ----------------------------------------------------------- */

static void	 add_finding(struct audit *, const char *, const char *,
		    const char *, const char *, int64_t, enum audit_code,
		    const char *, ...)
		    __attribute__((__format__ (printf, 8, 9)));

static void
add_finding(struct audit *a, const char *file, const char *what,
    const char *from, const char *to, int64_t seq, enum audit_code code,
    const char *fmt, ...)
{
	struct audit_finding	*f;
	va_list			 ap;
	char			 msg[512], *nl;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	while ((nl = strpbrk(msg, "\r\n")) != NULL)
		*nl = ' ';
	a->f = xreallocarray(a->f, a->nf + 1, sizeof(*a->f));
	f = &a->f[a->nf++];
	memset(f, 0, sizeof(*f));
	f->file = xstrdup(file);
	f->what = what;
	snprintf(f->from, sizeof(f->from), "%s", from);
	snprintf(f->to, sizeof(f->to), "%s", to);
	f->seq = seq;
	f->code = code;
	f->msg = xstrdup(msg);
}

/* A finding about a document, named by its header when it has one. */
static void	 doc_finding(struct audit *, const struct doc *,
		    enum audit_code, const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));

static void
doc_finding(struct audit *a, const struct doc *d, enum audit_code code,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->kind == BATCH_KIND_BATCH)
		add_finding(a, d->file, "batch", d->h.from, d->h.to, d->h.seq,
		    code, "%s", msg);
	else if (d->kind == BATCH_KIND_RECEIPT)
		add_finding(a, d->file, "receipt", d->r.batch_from,
		    d->r.batch_to, d->r.batch_seq, code, "%s", msg);
	else
		add_finding(a, d->file, "document", "", "", 0, code, "%s",
		    msg);
}

static enum audit_code
code_of(enum sp_code c)
{
	switch (c) {
	case SPE_TOO_LARGE:	return AC_TOO_LARGE;
	case SPE_MALFORMED:	return AC_MALFORMED;
	case SPE_DOCTYPE:	return AC_DOCTYPE;
	case SPE_ENCODING:	return AC_ENCODING;
	case SPE_SCHEMA:	return AC_SCHEMA;
	case SPE_SIGNATURE:	return AC_SIGNATURE;
	case SPE_SIGNER:	return AC_SIGNER;
	case SPE_AUTHORSHIP:	return AC_AUTHORSHIP;
	case SPE_TRANSITION:	return AC_TRANSITION;
	case SPE_OWNERSHIP:	return AC_OWNERSHIP;
	case SPE_PERMISSION:	return AC_PERMISSION;
	case SPE_INVALID:	return AC_INVALID;
	default:		return AC_IO;
	}
}

/* ---- the set ------------------------------------------------------------ */

struct audit *
audit_new(const struct trust *trust)
{
	struct audit	*a;

	a = xcalloc(1, sizeof(*a));
	a->trust = trust;
	return a;
}

static void
doc_free(struct doc *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nev; i++)
		event_clear(&d->ev[i]);
	free(d->ev);
	free(d->evitem);
	free(d->named);
	receipt_clear(&d->r);
	batch_free(d->b);
	free(d->file);
	free(d);
}

void
audit_free(struct audit *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ndocs; i++)
		doc_free(a->docs[i]);
	free(a->docs);
	for (i = 0; i < a->nrcpts; i++)
		receipt_clear(&a->rcpts[i].r);
	free(a->rcpts);
	for (i = 0; i < a->nf; i++) {
		free(a->f[i].file);
		free(a->f[i].msg);
	}
	free(a->f);
	free(a->ch);
	free(a);
}

int
audit_add_bytes(struct audit *a, const char *name, const uint8_t *buf,
    size_t len)
{
	struct batch_limits	 lim;
	struct sp_err		 err = { 0 };
	struct doc		*d;
	size_t			 i;

	d = xcalloc(1, sizeof(*d));
	d->file = xstrdup(name);
	batch_limits_default(&lim);
	if (batch_check_size(len, &lim, &err) == -1 ||
	    batch_parse(buf, len, &lim, &d->b, &err) == -1 ||
	    batch_validate(d->b, &err) == -1) {
		doc_finding(a, d, code_of(err.code), "%s", err.msg);
		doc_free(d);
		return -1;
	}
	batch_digest(d->b, d->digest);
	d->kind = batch_kind(d->b);
	if (d->kind == BATCH_KIND_BATCH)
		d->h = *batch_header(d->b);
	else if (batch_receipt(d->b, &d->r, &err) == -1) {
		doc_finding(a, d, code_of(err.code), "%s", err.msg);
		doc_free(d);
		return -1;
	}
	/* (1) one document per digest, named by its first file */
	for (i = 0; i < a->ndocs; i++)
		if (strcmp(a->docs[i]->digest, d->digest) == 0) {
			if (strcmp(d->file, a->docs[i]->file) < 0) {
				free(a->docs[i]->file);
				a->docs[i]->file = d->file;
				d->file = NULL;
			}
			doc_free(d);
			return 0;
		}
	a->docs = xreallocarray(a->docs, a->ndocs + 1, sizeof(*a->docs));
	a->docs[a->ndocs++] = d;
	return 0;
}

int
audit_add_file(struct audit *a, const char *path)
{
	struct batch_limits	 lim;
	struct sp_err		 err = { 0 };
	struct buf		 raw;
	int			 rc;

	batch_limits_default(&lim);
	if (util_read_file(path, lim.max_bytes, &raw, &err) == -1) {
		if (err.code == SPE_TOO_LARGE)
			add_finding(a, path, "document", "", "", 0,
			    AC_TOO_LARGE, "document is over %zu bytes",
			    lim.max_bytes);
		else
			add_finding(a, path, "document", "", "", 0, AC_IO,
			    "%s", err.msg);
		return -1;
	}
	rc = audit_add_bytes(a, path, raw.data, raw.len);
	buf_clear(&raw);
	return rc;
}

/* ---- trusted time and signatures (2) ------------------------------------ */

/* The first SHORT hex digits of a digest, for messages. */
static void
short_digest(const char *d, char *out)
{
	size_t	 n = strnlen(d, SHORT);

	memcpy(out, d, n);
	out[n] = '\0';
}

static void
push_rcpt(struct audit *a, struct receipt *r, const struct doc *d)
{
	a->rcpts = xreallocarray(a->rcpts, a->nrcpts + 1, sizeof(*a->rcpts));
	a->rcpts[a->nrcpts].r = *r;
	a->rcpts[a->nrcpts].doc = d;
	a->nrcpts++;
	r->results = NULL;			/* handed over */
	r->nresults = 0;
}

/*
 * A receipt is signed by the node it speaks for: a final receipt by the
 * batch's destination, a relay receipt by the hub.
 */
static int
rcpt_signer_ok(struct audit *a, const struct doc *d, const struct receipt *r)
{
	const char	*want;

	want = r->kind == RECEIPT_RELAY ? "hub" : r->batch_to;
	if (strcmp(r->signer, want) == 0)
		return 1;
	add_finding(a, d->file, "receipt", r->batch_from, r->batch_to,
	    r->batch_seq, AC_RECEIPT_MISMATCH, "a %s receipt signed by %s, "
	    "not by %s", receipt_kind_name(r->kind), r->signer, want);
	return 0;
}

/* The receiver's document checks at the trusted time `at`. */
static int
verify_doc(struct audit *a, struct doc *d, int64_t at, const char *when)
{
	struct trust_certinfo	 ci;
	struct sp_err		 err = { 0 };
	char			 t[UTIL_TIME_LEN];

	if (dsig_verify(d->b, a->trust, at, &ci, &err) == -1 ||
	    batch_check_authorship(d->b, &err) == -1) {
		util_time_format(at, 0, t);
		doc_finding(a, d, code_of(err.code), "%s (judged at %s, %s)",
		    err.msg, t, when);
		d->state = DOC_REFUSED;
		return -1;
	}
	d->state = DOC_OK;
	return 0;
}

static void
check_receipts_alone(struct audit *a)
{
	struct doc	*d;
	size_t		 i;

	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->kind != BATCH_KIND_RECEIPT)
			continue;
		if (verify_doc(a, d, d->r.received_at, "its received-at") ==
		    -1)
			continue;
		if (rcpt_signer_ok(a, d, &d->r))
			push_rcpt(a, &d->r, d);
	}
}

/*
 * The trusted time of a batch: the earliest relay receipt for its exact
 * digest, else the earliest final one.  0 if no trusted receipt names it.
 */
static int
trusted_time(const struct audit *a, const struct doc *d, int64_t *at,
    enum receipt_kind *kind)
{
	const struct receipt	*r;
	size_t			 i;
	int			 found = 0;

	for (i = 0; i < a->nrcpts; i++) {
		r = &a->rcpts[i].r;
		if (strcmp(r->batch_digest, d->digest) != 0 ||
		    strcmp(r->batch_from, d->h.from) != 0 ||
		    strcmp(r->batch_to, d->h.to) != 0 ||
		    r->batch_seq != d->h.seq)
			continue;
		if (!found || (r->kind == RECEIPT_RELAY &&
		    *kind != RECEIPT_RELAY) || (r->kind == *kind &&
		    r->received_at < *at)) {
			*at = r->received_at;
			*kind = r->kind;
			found = 1;
		}
	}
	return found;
}

/*
 * A receipt item d may carry (DESIGN §4): a final receipt for a batch that
 * d's destination sent to d's author.
 */
static int
item_fits(const struct doc *d, const struct receipt *r)
{
	return strcmp(r->batch_from, d->h.to) == 0 &&
	    strcmp(r->batch_to, d->h.from) == 0 && r->kind == RECEIPT_FINAL;
}

/* Read a verified batch's events and trust its receipt items. */
static void
load_items(struct audit *a, struct doc *d)
{
	struct sp_err	 err = { 0 };
	struct receipt	 r;
	size_t		 i, n = batch_nitems(d->b);

	d->ev = xcalloc(n == 0 ? 1 : n, sizeof(*d->ev));
	d->evitem = xcalloc(n == 0 ? 1 : n, sizeof(*d->evitem));
	for (i = 0; i < n; i++) {
		if (batch_item_kind(d->b, i) == BATCH_ITEM_EVENT) {
			if (batch_item_event(d->b, i, &d->ev[d->nev], &err) ==
			    0)
				d->evitem[d->nev++] = i;
			continue;
		}
		if (batch_item_receipt(d->b, i, &r, &err) == -1)
			continue;
		if (!item_fits(d, &r)) {
			add_finding(a, d->file, "receipt", r.batch_from,
			    r.batch_to, r.batch_seq, AC_RECEIPT_MISMATCH,
			    "item %zu of batch %s->%s#%lld is a %s receipt "
			    "for channel %s->%s", i + 1, d->h.from, d->h.to,
			    (long long)d->h.seq, receipt_kind_name(r.kind),
			    r.batch_from, r.batch_to);
			receipt_clear(&r);
			continue;
		}
		if (rcpt_signer_ok(a, d, &r))
			push_rcpt(a, &r, d);
		else
			receipt_clear(&r);
	}
}

static int
has_events(const struct doc *d)
{
	size_t	 i, n = batch_nitems(d->b);

	for (i = 0; i < n; i++)
		if (batch_item_kind(d->b, i) == BATCH_ITEM_EVENT)
			return 1;
	return 0;
}

static int
pending_batch(const struct doc *d)
{
	return d->kind == BATCH_KIND_BATCH && d->state == DOC_PENDING;
}

static int
digest_cmp(const void *x, const void *y)
{
	return strcmp((*(struct doc *const *)x)->digest,
	    (*(struct doc *const *)y)->digest);
}

/*
 * The pending batch that receipt item r of batch d would vouch for once d
 * is verified (what load_items() would trust), or NULL.  by[n] is the set
 * by digest.
 */
static struct doc *
named_by(struct doc *const *by, size_t n, const struct doc *d,
    const struct receipt *r)
{
	struct doc	 key, *kp = &key, *const *t;

	if (!item_fits(d, r) || strcmp(r->signer, r->batch_to) != 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	snprintf(key.digest, sizeof(key.digest), "%s", r->batch_digest);
	if ((t = bsearch(&kp, by, n, sizeof(*by), digest_cmp)) == NULL ||
	    *t == d || !pending_batch(*t) ||
	    strcmp((*t)->h.from, r->batch_from) != 0 ||
	    strcmp((*t)->h.to, r->batch_to) != 0 ||
	    (*t)->h.seq != r->batch_seq)
		return NULL;
	return *t;
}

/*
 * (2a) Who names whom: for each batch, the batches its receipt items name
 * (d->named), and for each the number of batches naming it (d->namers).
 * Nothing is trusted here.
 */
static void
link_receipts(struct audit *a)
{
	struct sp_err	 err;
	struct receipt	 r;
	struct doc	**by, *d, *t;
	size_t		 i, j;

	if (a->ndocs == 0)
		return;
	by = xcalloc(a->ndocs, sizeof(*by));
	memcpy(by, a->docs, a->ndocs * sizeof(*by));
	qsort(by, a->ndocs, sizeof(*by), digest_cmp);
	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (!pending_batch(d))
			continue;
		for (j = 0; j < batch_nitems(d->b); j++) {
			memset(&err, 0, sizeof(err));
			if (batch_item_kind(d->b, j) != BATCH_ITEM_RECEIPT ||
			    batch_item_receipt(d->b, j, &r, &err) == -1)
				continue;
			if ((t = named_by(by, a->ndocs, d, &r)) != NULL) {
				d->named = xreallocarray(d->named,
				    d->nnamed + 1, sizeof(*d->named));
				d->named[d->nnamed++] = t;
				t->namers++;
			}
			receipt_clear(&r);
		}
	}
	free(by);
}

/* d has been judged: the batches it names no longer wait for it. */
static void
release(struct doc *d)
{
	size_t	 i;

	for (i = 0; i < d->nnamed; i++)
		d->named[i]->namers--;
	d->nnamed = 0;
}

/*
 * (2a) When every pending batch waits for another: the one to judge first
 * is one that a trusted receipt already names, else the earliest created,
 * ties broken by digest, so that the choice never depends on the order of
 * the set.  NULL when nothing is pending.
 */
static struct doc *
first_in_circle(const struct audit *a)
{
	struct doc		*d, *best = NULL;
	enum receipt_kind	 kind = RECEIPT_FINAL;
	int64_t			 at = 0;
	size_t			 i;
	int			 has, best_has = 0;

	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (!pending_batch(d))
			continue;
		has = trusted_time(a, d, &at, &kind);
		if (best == NULL || has > best_has || (has == best_has &&
		    (d->h.created < best->h.created ||
		    (d->h.created == best->h.created &&
		    strcmp(d->digest, best->digest) < 0)))) {
			best = d;
			best_has = has;
		}
	}
	return best;
}

/*
 * (2) Judge one batch at its trusted time, or at its own created time
 * when no trusted receipt names it, and trust its receipt items if it
 * passes.
 */
static void
judge_batch(struct audit *a, struct doc *d)
{
	enum receipt_kind	 kind = RECEIPT_FINAL;
	int64_t			 at = 0;
	char			 when[96];

	if (trusted_time(a, d, &at, &kind)) {
		snprintf(when, sizeof(when), "the time of its %s receipt",
		    receipt_kind_name(kind));
		if (verify_doc(a, d, at, when) == 0)
			load_items(a, d);
		return;
	}
	if (verify_doc(a, d, d->h.created, "its own created time, "
	    "unverified") == -1)
		return;
	load_items(a, d);
	d->unverified = has_events(d);
}

/* (2a) Rounds of every ready batch, until none is pending. */
static void
verify_batches(struct audit *a)
{
	struct doc	**ready;
	size_t		 i, n;

	link_receipts(a);
	ready = xcalloc(a->ndocs + 1, sizeof(*ready));
	for (;;) {
		for (i = n = 0; i < a->ndocs; i++)
			if (pending_batch(a->docs[i]) &&
			    a->docs[i]->namers == 0)
				ready[n++] = a->docs[i];
		if (n == 0 && (ready[0] = first_in_circle(a)) != NULL)
			n = 1;
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			judge_batch(a, ready[i]);
		for (i = 0; i < n; i++)
			release(ready[i]);
	}
	free(ready);
}

/*
 * (2) The batches judged at their own created time, but for a copy that a
 * verified re-cut replaces: it was never accepted, so no receipt names it.
 */
static void
report_unverified(struct audit *a)
{
	const struct doc	*d, *r;
	size_t			 i, j;
	char			 t[UTIL_TIME_LEN];

	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (!d->unverified)
			continue;
		for (j = 0; j < a->ndocs; j++) {
			r = a->docs[j];
			if (r->kind == BATCH_KIND_BATCH &&
			    r->state == DOC_OK &&
			    strcmp(r->h.from, d->h.from) == 0 &&
			    strcmp(r->h.to, d->h.to) == 0 &&
			    r->h.seq == d->h.seq &&
			    strcmp(r->h.replaces, d->digest) == 0)
				break;
		}
		if (j < a->ndocs)
			continue;
		util_time_format(d->h.created, d->h.created_offset, t);
		doc_finding(a, d, AC_TIME_UNVERIFIED, "no receipt names this "
		    "batch: its signer was judged at its own created time %s, "
		    "which no receiver vouches for", t);
	}
}

/* ---- receipts against their batches ------------------------------------- */

static const struct doc *
find_batch(const struct audit *a, const char *from, const char *to,
    int64_t seq, const char *digest, int *seen)
{
	const struct doc	*d;
	size_t			 i;

	*seen = 0;
	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->kind != BATCH_KIND_BATCH || d->state != DOC_OK ||
		    strcmp(d->h.from, from) != 0 ||
		    strcmp(d->h.to, to) != 0 || d->h.seq != seq)
			continue;
		if (digest == NULL || strcmp(d->digest, digest) == 0)
			return d;
		*seen = 1;
	}
	return NULL;
}

static const struct doc *
batch_by_digest(const struct audit *a, const char *digest)
{
	size_t	 i;

	for (i = 0; i < a->ndocs; i++)
		if (a->docs[i]->kind == BATCH_KIND_BATCH &&
		    a->docs[i]->state == DOC_OK &&
		    strcmp(a->docs[i]->digest, digest) == 0)
			return a->docs[i];
	return NULL;
}

static const char *
rcpt_file(const struct rcpt *rc)
{
	return rc->doc->file;
}

/* Per-item results name the batch's own events at their positions. */
static void
check_results(struct audit *a, const struct rcpt *rc, const struct doc *b)
{
	const struct receipt_result	*res;
	size_t				 i, j;
	char				 id[64];

	for (i = 0; i < rc->r.nresults; i++) {
		res = &rc->r.results[i];
		if (res->event[0] == '\0')
			continue;
		for (j = 0; j < b->nev; j++)
			if ((int64_t)b->evitem[j] + 1 == res->item)
				break;
		if (j < b->nev) {
			snprintf(id, sizeof(id), "%s:%lld", b->ev[j].author,
			    (long long)b->ev[j].seq);
			if (strcmp(id, res->event) == 0)
				continue;
		}
		add_finding(a, rcpt_file(rc), "receipt", rc->r.batch_from,
		    rc->r.batch_to, rc->r.batch_seq, AC_RECEIPT_MISMATCH,
		    "result for item %lld names event %s, which is not that "
		    "item of %s", (long long)res->item, res->event, b->file);
		return;
	}
}

static void
check_receipts(struct audit *a)
{
	const struct rcpt	*rc;
	const struct doc	*b;
	size_t			 i;
	int			 seen;
	char			 s1[SHORT + 1], s2[SHORT + 1];

	for (i = 0; i < a->nrcpts; i++) {
		rc = &a->rcpts[i];
		b = find_batch(a, rc->r.batch_from, rc->r.batch_to,
		    rc->r.batch_seq, rc->r.batch_digest, &seen);
		if (b != NULL)
			check_results(a, rc, b);
		else if (seen) {
			b = find_batch(a, rc->r.batch_from, rc->r.batch_to,
			    rc->r.batch_seq, NULL, &seen);
			short_digest(rc->r.batch_digest, s1);
			short_digest(b->digest, s2);
			add_finding(a, rcpt_file(rc), "receipt",
			    rc->r.batch_from, rc->r.batch_to, rc->r.batch_seq,
			    AC_RECEIPT_MISMATCH, "the receipt names digest "
			    "%s..., but the batch here (%s) is %s...", s1,
			    b->file, s2);
		} else if ((b = batch_by_digest(a, rc->r.batch_digest)) !=
		    NULL)
			add_finding(a, rcpt_file(rc), "receipt",
			    rc->r.batch_from, rc->r.batch_to, rc->r.batch_seq,
			    AC_RECEIPT_MISMATCH, "the digest it names is that "
			    "of batch %s->%s#%lld (%s)", b->h.from, b->h.to,
			    (long long)b->h.seq, b->file);
		if (rc->r.kind != RECEIPT_FINAL || rc->r.head_seq <= 0)
			continue;
		b = find_batch(a, rc->r.batch_from, rc->r.batch_to,
		    rc->r.head_seq, rc->r.head_digest, &seen);
		if (b == NULL && seen) {
			b = find_batch(a, rc->r.batch_from, rc->r.batch_to,
			    rc->r.head_seq, NULL, &seen);
			short_digest(rc->r.head_digest, s1);
			short_digest(b->digest, s2);
			add_finding(a, rcpt_file(rc), "receipt",
			    rc->r.batch_from, rc->r.batch_to, rc->r.batch_seq,
			    AC_RECEIPT_MISMATCH, "the receiver's head #%lld is "
			    "%s..., but the batch here (%s) is %s...",
			    (long long)rc->r.head_seq, s1, b->file, s2);
		}
	}
}

/* ---- channels ----------------------------------------------------------- */

static int
copy_cmp(const void *x, const void *y)
{
	const struct audit_copy	*p = x, *q = y;
	int			 c;

	if (p->seq != q->seq)
		return p->seq < q->seq ? -1 : 1;
	if ((c = strcmp(p->file, q->file)) != 0)
		return c;
	return strcmp(p->digest, q->digest);
}

static const struct audit_copy *
copy_by_digest(const struct audit_copy *c, size_t n, const char *digest)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].digest, digest) == 0)
			return &c[i];
	return NULL;
}

/*
 * (5) Judge the copies of one seq; return the one the chain goes on from
 * (the first accepted, else the first that no other copy replaces: the
 * re-cut; a next prev may name any copy when none is accepted), NULL if
 * none passed the document checks.
 */
static const struct audit_copy *
pick_copy(struct audit *a, const char *from, const char *to,
    const struct audit_copy *c, size_t n)
{
	const struct audit_copy	*acc = NULL, *r, *pick = NULL;
	size_t			 i, j;
	int			 replaced;
	char			 s1[SHORT + 1], s2[SHORT + 1];

	for (i = 0; i < n; i++) {
		if (!c[i].verified || !c[i].accepted)
			continue;
		if (acc == NULL) {
			acc = &c[i];
			continue;
		}
		short_digest(acc->digest, s1);
		short_digest(c[i].digest, s2);
		add_finding(a, c[i].file, "batch", from, to, c[i].seq,
		    AC_EQUIVOCATION, "two accepted copies of #%lld differ: "
		    "%s... (%s) and %s...", (long long)c[i].seq, s1,
		    acc->file, s2);
	}
	for (i = 0; i < n; i++) {
		if (!c[i].verified)
			continue;
		replaced = 0;
		for (j = 0; j < n; j++)
			if (j != i && c[j].verified &&
			    strcmp(c[j].replaces, c[i].digest) == 0)
				replaced = 1;
		if (!replaced && pick == NULL)
			pick = &c[i];
		if (c[i].accepted)
			continue;
		r = c[i].replaces[0] != '\0' ?
		    copy_by_digest(c, n, c[i].replaces) : NULL;
		if (r != NULL && r->accepted) {
			short_digest(r->digest, s1);
			add_finding(a, c[i].file, "batch", from, to,
			    c[i].seq, AC_EQUIVOCATION, "a re-cut of #%lld "
			    "replaces %s... (%s), which a receipt accepted",
			    (long long)c[i].seq, s1, r->file);
			continue;
		}
		if (acc == NULL || r != NULL || replaced)
			continue;
		short_digest(acc->digest, s1);
		short_digest(c[i].digest, s2);
		add_finding(a, c[i].file, "batch", from, to, c[i].seq,
		    AC_EQUIVOCATION, "copy %s... of #%lld differs from the "
		    "accepted copy %s... (%s) and is no valid re-cut", s2,
		    (long long)c[i].seq, s1, acc->file);
	}
	if (acc != NULL)
		return acc;
	if (pick == NULL)
		for (i = 0; i < n && pick == NULL; i++)
			if (c[i].verified)
				pick = &c[i];
	return pick;
}

/* The file of a trusted receipt for a missing seq, else "-". */
static const char *
gap_file(const struct audit *a, const char *from, const char *to,
    int64_t seq)
{
	const struct receipt	*r;
	size_t			 i;

	for (i = 0; i < a->nrcpts; i++) {
		r = &a->rcpts[i].r;
		if (r->batch_seq == seq && strcmp(r->batch_from, from) == 0 &&
		    strcmp(r->batch_to, to) == 0)
			return a->rcpts[i].doc->file;
	}
	return "-";
}

static void
report_missing(struct audit *a, const char *from, const char *to,
    int64_t lo, int64_t hi, int64_t newest, const struct audit_head *hd)
{
	char	 what[64];

	if (lo == hi)
		snprintf(what, sizeof(what), "batch #%lld is", (long long)lo);
	else
		snprintf(what, sizeof(what), "batches #%lld to #%lld are",
		    (long long)lo, (long long)hi);
	if (lo <= newest)
		add_finding(a, gap_file(a, from, to, lo), "batch", from, to,
		    lo, AC_SEQ_GAP, "%s missing (the newest here is #%lld)",
		    what, (long long)newest);
	else
		add_finding(a, hd->file ? hd->file : "-", "batch", from, to,
		    lo, AC_MISSING_TAIL, "%s missing: a receipt knows the "
		    "channel up to #%lld, the newest here is #%lld", what,
		    (long long)hd->seq, (long long)newest);
}

/* Events along the channel and receipts in time go forward. */
static void
check_order(struct audit *a, const char *from, const char *to,
    const struct audit_copy *cur, int64_t *last_eseq, int64_t *last_recv,
    int64_t last_seq)
{
	if (cur->first_eseq != 0 && !cur->eseq_sorted)
		add_finding(a, cur->file, "batch", from, to, cur->seq,
		    AC_REORDERED, "its events are not in author order");
	if (cur->first_eseq != 0 && cur->first_eseq <= *last_eseq)
		add_finding(a, cur->file, "batch", from, to, cur->seq,
		    AC_REORDERED, "its events start at %s:%lld, but #%lld "
		    "already reached %s:%lld", from,
		    (long long)cur->first_eseq, (long long)last_seq, from,
		    (long long)*last_eseq);
	if (cur->last_eseq > *last_eseq)
		*last_eseq = cur->last_eseq;
	if (cur->received != 0 && cur->received < *last_recv)
		add_finding(a, cur->file, "batch", from, to, cur->seq,
		    AC_REORDERED, "received before #%lld was",
		    (long long)last_seq);
	if (cur->received > *last_recv)
		*last_recv = cur->received;
}

void
audit_chain(struct audit *a, const char *from, const char *to,
    const struct audit_copy *c, size_t n, const struct audit_head *hd,
    int64_t *head)
{
	const struct audit_copy	*prev = NULL, *cur;
	int64_t			 newest = 0, known, s, t, last_eseq = 0;
	int64_t			 last_recv = 0, last_seq = 0;
	size_t			 i, j, k, pi = 0, pn = 0;
	char			 s1[SHORT + 1];

	*head = 0;
	for (i = 0; i < n; i++)
		if (c[i].seq > newest)
			newest = c[i].seq;
	known = hd->seq > newest ? hd->seq : newest;
	for (s = 1, i = 0; s <= known; s++) {
		for (j = i; j < n && c[j].seq == s; j++)
			;
		if (j == i) {
			for (t = s; t < known && (j >= n || c[j].seq != t + 1);
			    t++)
				;
			report_missing(a, from, to, s, t, newest, hd);
			s = t;
			prev = NULL;
			continue;
		}
		if ((cur = pick_copy(a, from, to, c + i, j - i)) == NULL) {
			add_finding(a, c[i].file, "batch", from, to, s,
			    AC_SEQ_GAP, "no copy of #%lld passed the "
			    "document checks", (long long)s);
			prev = NULL;
			i = j;
			continue;
		}
		for (k = i; k < j; k++) {
			if (!c[k].verified)
				continue;
			if (s == 1 && strcmp(c[k].prev, ZEROS) != 0)
				add_finding(a, c[k].file, "batch", from, to, s,
				    AC_PREV, "#1 has a prev that is not 64 "
				    "zeros");
			else if (prev != NULL &&
			    strcmp(c[k].prev, prev->digest) != 0 &&
			    (prev->accepted || copy_by_digest(c + pi, pn,
			    c[k].prev) == NULL)) {
				short_digest(c[k].prev, s1);
				add_finding(a, c[k].file, "batch", from, to, s,
				    AC_PREV, "prev %s... is not the digest of "
				    "#%lld (%s)", s1, (long long)(s - 1),
				    prev->file);
			}
		}
		check_order(a, from, to, cur, &last_eseq, &last_recv,
		    last_seq);
		last_seq = s;
		prev = cur;
		pi = i;
		pn = j - i;
		*head = s;
		i = j;
	}
}

static int
chan_cmp(const void *x, const void *y)
{
	const struct audit_channel	*p = x, *q = y;
	int				 c;

	if ((c = strcmp(p->from, q->from)) != 0)
		return c;
	return strcmp(p->to, q->to);
}

static void
add_channel(struct audit *a, const char *from, const char *to)
{
	size_t	 i;

	for (i = 0; i < a->nch; i++)
		if (strcmp(a->ch[i].from, from) == 0 &&
		    strcmp(a->ch[i].to, to) == 0)
			return;
	a->ch = xreallocarray(a->ch, a->nch + 1, sizeof(*a->ch));
	memset(&a->ch[a->nch], 0, sizeof(a->ch[a->nch]));
	snprintf(a->ch[a->nch].from, sizeof(a->ch[a->nch].from), "%s", from);
	snprintf(a->ch[a->nch].to, sizeof(a->ch[a->nch].to), "%s", to);
	a->nch++;
}

/* A copy's entry: its receipts and the author order of its events. */
static void
fill_copy(const struct audit *a, const struct doc *d, struct audit_copy *c)
{
	const struct receipt	*r;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	c->file = d->file;
	c->seq = d->h.seq;
	snprintf(c->digest, sizeof(c->digest), "%s", d->digest);
	snprintf(c->prev, sizeof(c->prev), "%s", d->h.prev);
	snprintf(c->replaces, sizeof(c->replaces), "%s", d->h.replaces);
	c->verified = d->state == DOC_OK;
	c->eseq_sorted = 1;
	for (i = 0; i < d->nev; i++) {
		if (i == 0)
			c->first_eseq = d->ev[i].seq;
		else if (d->ev[i].seq <= c->last_eseq)
			c->eseq_sorted = 0;
		if (d->ev[i].seq > c->last_eseq)
			c->last_eseq = d->ev[i].seq;
	}
	for (i = 0; i < a->nrcpts; i++) {
		r = &a->rcpts[i].r;
		if (r->kind != RECEIPT_FINAL ||
		    strcmp(r->batch_digest, d->digest) != 0 ||
		    strcmp(r->batch_from, d->h.from) != 0 ||
		    strcmp(r->batch_to, d->h.to) != 0 ||
		    r->batch_seq != d->h.seq)
			continue;
		c->accepted = 1;
		if (c->received == 0 || r->received_at < c->received)
			c->received = r->received_at;
	}
}

static void
judge_channel(struct audit *a, struct audit_channel *ch)
{
	struct audit_copy	*c;
	struct audit_head	 hd;
	const struct receipt	*r;
	const struct doc	*d;
	size_t			 i, n = 0;

	c = xcalloc(a->ndocs + 1, sizeof(*c));
	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->kind != BATCH_KIND_BATCH ||
		    strcmp(d->h.from, ch->from) != 0 ||
		    strcmp(d->h.to, ch->to) != 0)
			continue;
		fill_copy(a, d, &c[n++]);
		if (d->state == DOC_OK) {
			ch->batches++;
			ch->events += d->nev;
		}
	}
	qsort(c, n, sizeof(*c), copy_cmp);
	memset(&hd, 0, sizeof(hd));
	for (i = 0; i < a->nrcpts; i++) {
		r = &a->rcpts[i].r;
		if (strcmp(r->batch_from, ch->from) != 0 ||
		    strcmp(r->batch_to, ch->to) != 0)
			continue;
		ch->receipts++;
		if (r->batch_seq > hd.seq) {
			hd.seq = r->batch_seq;
			hd.file = rcpt_file(&a->rcpts[i]);
		}
		if (r->kind == RECEIPT_FINAL && r->head_seq > hd.seq) {
			hd.seq = r->head_seq;
			snprintf(hd.digest, sizeof(hd.digest), "%s",
			    r->head_digest);
			hd.file = rcpt_file(&a->rcpts[i]);
		}
	}
	audit_chain(a, ch->from, ch->to, c, n, &hd, &ch->head);
	for (i = 0; i < n; i++)
		if (c[i].seq == ch->head && c[i].verified &&
		    (ch->head_digest[0] == '\0' || c[i].accepted))
			snprintf(ch->head_digest, sizeof(ch->head_digest),
			    "%s", c[i].digest);
	free(c);
}

static void
judge_channels(struct audit *a)
{
	const struct doc	*d;
	size_t			 i;

	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->kind == BATCH_KIND_BATCH)
			add_channel(a, d->h.from, d->h.to);
	}
	for (i = 0; i < a->nrcpts; i++)
		add_channel(a, a->rcpts[i].r.batch_from,
		    a->rcpts[i].r.batch_to);
	if (a->nch > 1)
		qsort(a->ch, a->nch, sizeof(*a->ch), chan_cmp);
	for (i = 0; i < a->nch; i++)
		judge_channel(a, &a->ch[i]);
}

/* ---- events: duplicates and re-derivation (6) --------------------------- */

static int
str_eq(const char *p, const char *q)
{
	if (p == NULL || q == NULL)
		return p == q;
	return strcmp(p, q) == 0;
}

static int
fields_eq(const struct complaint_fields *p, const struct complaint_fields *q)
{
	if (p == NULL || q == NULL)
		return p == q;
	return p->type == q->type && p->channel == q->channel &&
	    str_eq(p->title, q->title) && str_eq(p->body, q->body) &&
	    str_eq(p->category, q->category) &&
	    str_eq(p->location_code, q->location_code) &&
	    str_eq(p->location_text, q->location_text) &&
	    p->has_geo == q->has_geo && p->lat == q->lat && p->lon == q->lon &&
	    str_eq(p->incident_date, q->incident_date) &&
	    p->filed_at == q->filed_at && p->anonymous == q->anonymous &&
	    p->confidential == q->confidential;
}

static int
event_eq(const struct event *p, const struct event *q)
{
	return strcmp(p->author, q->author) == 0 && p->seq == q->seq &&
	    strcmp(p->complaint, q->complaint) == 0 && p->kind == q->kind &&
	    p->v == q->v && str_eq(p->actor, q->actor) && p->at == q->at &&
	    p->at_offset == q->at_offset && p->recorded == q->recorded &&
	    str_eq(p->reason, q->reason) && str_eq(p->text, q->text) &&
	    str_eq(p->unit, q->unit) && str_eq(p->officer, q->officer) &&
	    strcmp(p->to, q->to) == 0 && p->stars == q->stars &&
	    fields_eq(p->filed, q->filed);
}

/* By author and author seq, then by the document's place in the set. */
static int
evref_id_cmp(const void *x, const void *y)
{
	const struct evref	*p = x, *q = y;
	int			 c;

	if ((c = strcmp(p->e->author, q->e->author)) != 0)
		return c;
	if (p->e->seq != q->e->seq)
		return p->e->seq < q->e->seq ? -1 : 1;
	if (p->doc->order != q->doc->order)
		return p->doc->order < q->doc->order ? -1 : 1;
	return 0;
}

/*
 * By complaint; chain events by v before annotations; annotations by time,
 * author and seq.  The merge of the two happens in rederive().
 */
static int
evref_complaint_cmp(const void *x, const void *y)
{
	const struct event	*p = ((const struct evref *)x)->e;
	const struct event	*q = ((const struct evref *)y)->e;
	int			 c, pc = event_is_chain(p->kind);
	int			 qc = event_is_chain(q->kind);

	if ((c = strcmp(p->complaint, q->complaint)) != 0)
		return c;
	if (pc != qc)
		return pc ? -1 : 1;
	if (pc && p->v != q->v)
		return p->v < q->v ? -1 : 1;
	if (!pc && p->at != q->at)
		return p->at < q->at ? -1 : 1;
	if ((c = strcmp(p->author, q->author)) != 0)
		return c;
	if (p->seq != q->seq)
		return p->seq < q->seq ? -1 : 1;
	return 0;
}

static void
event_finding(struct audit *a, const struct evref *r, enum audit_code code,
    const char *msg)
{
	add_finding(a, r->doc->file, "batch", r->doc->h.from, r->doc->h.to,
	    r->doc->h.seq, code, "event %s:%lld (%s): %s", r->e->author,
	    (long long)r->e->seq, event_kind_name(r->e->kind), msg);
}

/* Every event of a verified batch, once per id (the first copy). */
static struct evref *
distinct_events(struct audit *a, size_t *np)
{
	struct evref		*all, *out;
	const struct doc	*d;
	size_t			 i, j, n = 0, m = 0, total = 0;
	char			 msg[256];

	for (i = 0; i < a->ndocs; i++)
		if (a->docs[i]->state == DOC_OK)
			total += a->docs[i]->nev;
	all = xcalloc(total + 1, sizeof(*all));
	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->state != DOC_OK)
			continue;
		for (j = 0; j < d->nev; j++) {
			all[n].e = &d->ev[j];
			all[n++].doc = d;
		}
	}
	qsort(all, n, sizeof(*all), evref_id_cmp);
	out = xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i = j) {
		out[m++] = all[i];
		for (j = i + 1; j < n && strcmp(all[j].e->author,
		    all[i].e->author) == 0 && all[j].e->seq == all[i].e->seq;
		    j++) {
			if (event_eq(all[i].e, all[j].e))
				continue;
			snprintf(msg, sizeof(msg), "differs from its copy in "
			    "%s", all[i].doc->file);
			event_finding(a, &all[j], AC_DUPLICATE_EVENT, msg);
		}
	}
	free(all);
	*np = m;
	return out;
}

/* Fold one complaint's events [0, n): chain events first, then notes. */
static void
rederive(struct audit *a, const struct evref *ev, size_t n)
{
	struct complaint_state	 s;
	struct sp_err		 err;
	const struct evref	*r;
	size_t			 nchain, ci, ai;
	char			 msg[320], gap[48];

	for (nchain = 0; nchain < n && event_is_chain(ev[nchain].e->kind);
	    nchain++)
		;
	complaint_init(&s, ev[0].e->complaint);
	if (nchain == 0) {
		snprintf(msg, sizeof(msg), "%s: history incomplete: no chain "
		    "event, v 1 (filed) is missing; %zu events not checked",
		    ev[0].e->complaint, n);
		event_finding(a, &ev[0], AC_INCOMPLETE, msg);
		return;
	}
	for (ci = 0, ai = nchain; ci < nchain || ai < n;) {
		if (ai < n && (ci == nchain || ev[ai].e->at < ev[ci].e->at))
			r = &ev[ai++];
		else {
			r = &ev[ci++];
			if (r->e->v > s.v + 1) {
				if (r->e->v == s.v + 2)
					snprintf(gap, sizeof(gap), "v %d is",
					    s.v + 1);
				else
					snprintf(gap, sizeof(gap), "v %d to %d "
					    "are", s.v + 1, r->e->v - 1);
				snprintf(msg, sizeof(msg), "%s: history "
				    "incomplete: %s missing; this and %zu "
				    "later events are not checked",
				    r->e->complaint, gap,
				    (nchain - ci) + (n - ai));
				event_finding(a, r, AC_INCOMPLETE, msg);
				return;
			}
		}
		memset(&err, 0, sizeof(err));
		if (complaint_check(&s, r->e, &err) == -1) {
			event_finding(a, r, code_of(err.code), err.msg);
			continue;
		}
		complaint_apply(&s, r->e);
	}
}

/* ---- figures (DESIGN §6) ------------------------------------------------ */

/* One policy or figure part of a verified batch. */
struct partref {
	struct batch_part	 p;
	const struct doc	*doc;
};

/* A whole policy version or figure set, assembled from its parts. */
struct whole {
	enum batch_item		 kind;
	const struct doc	*doc;		/* carrying its first part */
	int64_t			 n, at;
	char			*body;
};

/* The events of the set as figures.c reads a source. */
struct evsrc {
	const struct evref	*ev;		/* by complaint */
	size_t			 n;
};

static int
partref_cmp(const void *x, const void *y)
{
	const struct partref	*p = x, *q = y;
	int			 c;

	if ((c = strcmp(p->doc->h.from, q->doc->h.from)) != 0)
		return c;
	if (p->p.kind != q->p.kind)
		return p->p.kind < q->p.kind ? -1 : 1;
	if (p->p.n != q->p.n)
		return p->p.n < q->p.n ? -1 : 1;
	if (p->p.at != q->p.at)
		return p->p.at < q->p.at ? -1 : 1;
	if (p->p.part != q->p.part)
		return p->p.part < q->p.part ? -1 : 1;
	return p->doc->order < q->doc->order ? -1 :
	    p->doc->order > q->doc->order;
}

static int
evsrc_scan(void *arg, int (*fn)(void *, const struct event *, size_t),
    void *fnarg, struct sp_err *err)
{
	const struct evsrc	*src = arg;
	struct event		*buf;
	size_t			 i, j, k;
	int			 rc = 0;

	(void)err;
	buf = xcalloc(src->n + 1, sizeof(*buf));
	for (i = 0; i < src->n && rc == 0; i = j) {
		for (j = i; j < src->n && strcmp(src->ev[j].e->complaint,
		    src->ev[i].e->complaint) == 0; j++)
			buf[j - i] = *src->ev[j].e;
		k = j - i;
		rc = fn(fnarg, buf, k);
	}
	free(buf);
	return rc;
}

static void
figure_finding(struct audit *a, const struct whole *w, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
figure_finding(struct audit *a, const struct whole *w, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_finding(a, w->doc->file, "batch", w->doc->h.from, w->doc->h.to,
	    w->doc->h.seq, AC_FIGURES, "%s", msg);
}

/* Every part of every verified batch, sorted, and the wholes they make. */
static struct whole *
assemble(struct audit *a, size_t *nw)
{
	struct partref		*pr = NULL;
	struct whole		*w = NULL;
	struct sp_err		 err;
	const struct doc	*d;
	size_t			 np = 0, i, j, k, n = 0;
	int			 want, got;

	for (i = 0; i < a->ndocs; i++) {
		d = a->docs[i];
		if (d->state != DOC_OK || d->kind != BATCH_KIND_BATCH)
			continue;
		for (j = 0; j < batch_nitems(d->b); j++) {
			if (batch_item_kind(d->b, j) != BATCH_ITEM_POLICY &&
			    batch_item_kind(d->b, j) != BATCH_ITEM_METRICS)
				continue;
			memset(&err, 0, sizeof(err));
			pr = xreallocarray(pr, np + 1, sizeof(*pr));
			if (batch_item_part(d->b, j, &pr[np].p, &err) == -1)
				continue;
			pr[np++].doc = d;
		}
	}
	if (np > 0)
		qsort(pr, np, sizeof(*pr), partref_cmp);
	for (i = 0; i < np; i = j) {
		for (j = i + 1; j < np && strcmp(pr[j].doc->h.from,
		    pr[i].doc->h.from) == 0 && pr[j].p.kind == pr[i].p.kind &&
		    pr[j].p.n == pr[i].p.n && pr[j].p.at == pr[i].p.at; j++)
			;
		w = xreallocarray(w, n + 1, sizeof(*w));
		memset(&w[n], 0, sizeof(w[n]));
		w[n].kind = pr[i].p.kind;
		w[n].doc = pr[i].doc;
		w[n].n = pr[i].p.n;
		w[n].at = pr[i].p.at;
		w[n].body = xstrdup("");
		/* Parts 1..parts in order; copies of a part count once. */
		for (k = i, want = 1, got = 0; k < j; k++) {
			if (pr[k].p.part != want || pr[k].p.parts !=
			    pr[i].p.parts)
				continue;
			w[n].body = xreallocarray(w[n].body, strlen(w[n].body) +
			    strlen(pr[k].p.body) + 1, 1);
			strcat(w[n].body, pr[k].p.body);
			want++;
			got++;
		}
		if (got != pr[i].p.parts) {
			figure_finding(a, &w[n], "%s %lld of %s: %d of %d "
			    "parts, not checked", w[n].kind == BATCH_ITEM_POLICY ?
			    "policy version" : "figure set", (long long)w[n].n,
			    w[n].doc->h.from, got, pr[i].p.parts);
			free(w[n].body);
			continue;
		}
		n++;
	}
	for (i = 0; i < np; i++)
		free(pr[i].p.body);
	free(pr);
	*nw = n;
	return w;
}

/* The policy versions of node in the set, by version. */
static struct policy *
policies_of(struct audit *a, const struct whole *w, size_t nw,
    const char *node, size_t *np)
{
	struct policy	*pol = NULL, p;
	struct sp_err	 err;
	size_t		 i, n = 0;

	for (i = 0; i < nw; i++) {
		if (w[i].kind != BATCH_ITEM_POLICY ||
		    strcmp(w[i].doc->h.from, node) != 0)
			continue;
		memset(&err, 0, sizeof(err));
		if (policy_parse(w[i].body, &p, &err) == -1) {
			figure_finding(a, &w[i], "policy version %lld of %s: %s",
			    (long long)w[i].n, node, err.msg);
			continue;
		}
		p.version = w[i].n;
		p.effective = w[i].at;
		pol = xreallocarray(pol, n + 1, sizeof(*pol));
		pol[n++] = p;
	}
	*np = n;
	return pol;
}

/* The highest seq of author among the set's events. */
static int64_t
max_seq(const struct evsrc *src, const char *author)
{
	int64_t	 m = 0;
	size_t	 i;

	for (i = 0; i < src->n; i++)
		if (strcmp(src->ev[i].e->author, author) == 0 &&
		    src->ev[i].e->seq > m)
			m = src->ev[i].e->seq;
	return m;
}

struct fdiff {
	struct audit		*a;
	const struct whole	*w;
};

static void
figure_diff(void *arg, const char *path, int64_t sig, int64_t re)
{
	struct fdiff	*fd = arg;

	figure_finding(fd->a, fd->w, "figure set %lld of %s: %s signed %lld, "
	    "recomputed %lld", (long long)fd->w->n, fd->w->doc->h.from, path,
	    (long long)sig, (long long)re);
}

/* Recompute one signed figure set from the events within its inputs. */
static void
check_set(struct audit *a, const struct whole *w, const struct whole *all,
    size_t nall, const struct evsrc *src)
{
	struct figures_signed	 fs;
	struct metrics_figures	 fig;
	struct metrics_item	*re;
	struct policy		*pol;
	struct fdiff		 fd = { a, w };
	struct sp_err		 err = { 0 };
	size_t			 npol, nre, i;

	if (figures_parse(w->body, &fs, &err) == -1) {
		figure_finding(a, w, "figure set %lld of %s: %s",
		    (long long)w->n, w->doc->h.from, err.msg);
		return;
	}
	pol = policies_of(a, all, nall, w->doc->h.from, &npol);
	for (i = 0; i < fs.nin; i++)
		if (max_seq(src, fs.in[i].author) < fs.in[i].seq)
			break;
	if (npol == 0 || i < fs.nin)
		figure_finding(a, w, "figure set %lld of %s: not checked: %s",
		    (long long)w->n, w->doc->h.from, npol == 0 ? "no policy "
		    "of its signer in the set" : "its inputs reach past the "
		    "events in the set");
	else if (figures_compute_from(evsrc_scan, (void *)src,
	    w->doc->h.from, pol, npol, &fs.period, w->at, fs.in, fs.nin,
	    NULL, &fig, NULL, NULL, &err) == 0) {
		nre = metrics_flatten(&fig, &re);
		metrics_compare_items(fs.fig, fs.nfig, re, nre, figure_diff,
		    &fd);
		metrics_items_free(re, nre);
		metrics_free(&fig);
	}
	policy_history_free(pol, npol);
	figures_signed_clear(&fs);
}

static void
judge_figures(struct audit *a, const struct evref *ev, size_t n)
{
	struct whole	*w;
	struct evsrc	 src = { ev, n };
	size_t		 nw, i;

	w = assemble(a, &nw);
	for (i = 0; i < nw; i++)
		if (w[i].kind == BATCH_ITEM_METRICS)
			check_set(a, &w[i], w, nw, &src);
	for (i = 0; i < nw; i++)
		free(w[i].body);
	free(w);
}

static void
judge_events(struct audit *a)
{
	struct evref	*ev;
	size_t		 n, i, j;

	ev = distinct_events(a, &n);
	qsort(ev, n, sizeof(*ev), evref_complaint_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(ev[j].e->complaint,
		    ev[i].e->complaint) == 0; j++)
			;
		a->ncomplaints++;
		rederive(a, ev + i, j - i);
	}
	judge_figures(a, ev, n);
	free(ev);
}

/* ---- the run ------------------------------------------------------------ */

/* By file name; one name for two documents only through audit_add_bytes. */
static int
doc_cmp(const void *x, const void *y)
{
	const struct doc	*p = *(struct doc *const *)x;
	const struct doc	*q = *(struct doc *const *)y;
	int			 c;

	if ((c = strcmp(p->file, q->file)) != 0)
		return c;
	return strcmp(p->digest, q->digest);
}

static int
finding_cmp(const void *x, const void *y)
{
	const struct audit_finding	*p = x, *q = y;
	int				 c;

	if ((c = strcmp(p->file, q->file)) != 0)
		return c;
	return strcmp(p->msg, q->msg);
}

/* (8) The set and the findings so far in byte order of the file names. */
static void
canonical_order(struct audit *a)
{
	size_t	 i;

	if (a->ndocs > 1)
		qsort(a->docs, a->ndocs, sizeof(*a->docs), doc_cmp);
	for (i = 0; i < a->ndocs; i++)
		a->docs[i]->order = i;
	if (a->nf > 1)
		qsort(a->f, a->nf, sizeof(*a->f), finding_cmp);
}

void
audit_run(struct audit *a)
{
	size_t	 i, j;

	canonical_order(a);
	check_receipts_alone(a);
	verify_batches(a);
	report_unverified(a);
	check_receipts(a);
	judge_channels(a);
	judge_events(a);
	for (i = 0; i < a->nch; i++)
		for (j = 0; j < a->nf; j++)
			if (strcmp(a->f[j].from, a->ch[i].from) == 0 &&
			    strcmp(a->f[j].to, a->ch[i].to) == 0)
				a->ch[i].findings++;
}

size_t
audit_nfindings(const struct audit *a)
{
	return a->nf;
}

const struct audit_finding *
audit_finding(const struct audit *a, size_t i)
{
	return i < a->nf ? &a->f[i] : NULL;
}

size_t
audit_nchannels(const struct audit *a)
{
	return a->nch;
}

const struct audit_channel *
audit_channel(const struct audit *a, size_t i)
{
	return i < a->nch ? &a->ch[i] : NULL;
}

size_t
audit_ndocuments(const struct audit *a)
{
	return a->ndocs;
}

size_t
audit_ncomplaints(const struct audit *a)
{
	return a->ncomplaints;
}
