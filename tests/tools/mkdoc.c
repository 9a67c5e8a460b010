/*
 * mkdoc.c: a test-only tool that builds and signs documents through
 * simpul's own library, and makes the hostile variants that need a valid
 * signature (wrapping, second signature, SHA-1, ...).  It also runs a
 * command with bounded time and memory, measured with wait4(2), which
 * works under ASan where `ulimit -v` cannot.
 *
 *   mkdoc batch --key K --cert C [--from F] [--to T] [--seq N]
 *               [--author A] [--events N] [--receipt] [--variant V] OUT
 *   mkdoc receipt --key K --cert C [--signer S] OUT
 *   mkdoc chan --key K --cert C --from F --to T --created TIME [--seq N]
 *              [--prev HEX] [--eseq N] [--v N] [--complaint ID]
 *              [--replaces HEX] [--swap N] [--carry BATCH]... DIR KINDS...
 *		a chained channel: one batch per KINDS (comma-separated
 *		event kinds of one complaint, or - for none: a batch that
 *		only carries receipts), written as DIR/F-T-SEQ.xml,
 *		each prev the digest of the one before, created an hour apart
 *		from TIME; author seqs from --eseq, chain versions from --v;
 *		--swap N swaps the events of the Nth and next batch; the
 *		first batch carries a final receipt for each --carry BATCH
 *   mkdoc rcpt --key K --cert C [--received TIME] [--relay] [--digest HEX]
 *              [--seq N] [--head N] BATCH OUT
 *		a standalone receipt for BATCH (its from/to/seq/digest, one
 *		applied result per event), signed by the key's node, received
 *		at TIME (default: five minutes after the batch's created)
 *   mkdoc replace IN OUT OLD NEW	first occurrence; fails if absent
 *   mkdoc resign IN OUT KEY CERT	drop the ds:Signature, sign again
 *   mkdoc dupsig IN OUT		a second copy of the ds:Signature
 *   mkdoc movesig IN OUT		the ds:Signature moved into the first event
 *   mkdoc wrap IN OUT			a forged root around the signed batch
 *   mkdoc swapcert IN OUT PEM		another certificate in KeyInfo
 *   mkdoc run MAX-MB MAX-SECONDS CMD...
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire/batch.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define T0	1795831200	/* 2026-11-28T09:00:00+07:00 */

static void
die(const struct sp_err *err)
{
	fprintf(stderr, "mkdoc: %s: %s\n", sp_code_name(err->code), err->msg);
	exit(1);
}

static void
fill_kind(struct event *e, enum event_kind k, const char *author,
    const char *origin, int64_t seq)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->author, sizeof(e->author), "%s", author);
	e->seq = seq;
	snprintf(e->complaint, sizeof(e->complaint), "%s-000001", origin);
	e->kind = k;
	e->v = event_is_chain(k) ? (int)seq : 0;
	if (k == EV_FILED)
		e->v = 1;
	e->actor = xstrdup("siti");
	e->at = T0 + seq * 60;
	e->at_offset = 420;
	e->recorded = e->at;
	switch (k) {
	case EV_FILED:
		e->filed = xcalloc(1, sizeof(*e->filed));
		e->filed->type = CT_COMPLAINT;
		e->filed->channel = CH_VILLAGE_VISIT;
		e->filed->title = xstrdup("Jalan desa rusak & berlubang");
		e->filed->body = xstrdup("Jalan di Desa Karangsari rusak "
		    "sejak musim hujan <2 bulan>.");
		e->filed->category = xstrdup("infrastruktur.jalan");
		e->filed->location_code = xstrdup("33.21.01.2001");
		e->filed->location_text = xstrdup("RT 02 RW 03");
		e->filed->has_geo = 1;
		e->filed->lat = -6.894;
		e->filed->lon = 110.638;
		e->filed->incident_date = xstrdup("2026-11-20");
		e->filed->filed_at = e->at;
		e->filed->confidential = 1;
		break;
	case EV_POSTPONED:
	case EV_RETURNED:
	case EV_RECALL_REQUEST:
		e->reason = xstrdup("menunggu data");
		break;
	case EV_ARCHIVED:
		e->reason = xstrdup("duplicate");
		break;
	case EV_DISPATCHED:
		e->unit = xstrdup("Dinas PUPR");
		e->officer = xstrdup("Budi");
		break;
	case EV_FOLLOWED_UP:
	case EV_NOTE:
	case EV_REPORTER_REPLY:
		e->text = xstrdup("Sudah ditinjau; perbaikan minggu depan.");
		break;
	case EV_FORWARDED:
		snprintf(e->to, sizeof(e->to), "33.28");
		e->reason = xstrdup("wilayah Tegal");
		break;
	case EV_RATING:
		e->stars = 4;
		break;
	default:
		break;
	}
}

static void
write_out(const struct batch *b, const char *path)
{
	struct sp_err	 err = { 0 };
	const uint8_t	*p;
	size_t		 n;

	p = batch_bytes(b, &n);
	if (util_write_file(path, p, n, &err) == -1)
		die(&err);
}

static void
variant(const char *name, struct dsig_variant *v)
{
	memset(v, 0, sizeof(*v));
	if (name == NULL)
		return;
	if (strcmp(name, "sha1") == 0)
		v->digest = "sha1";
	else if (strcmp(name, "rsa-sha1") == 0 ||
	    strcmp(name, "ecdsa-sha1") == 0)
		v->method = name;
	else if (strcmp(name, "two-refs") == 0)
		v->nrefs = 2;
	else if (strcmp(name, "c14n-comments") == 0 ||
	    strcmp(name, "xpath") == 0)
		v->transform = name;
	else {
		fprintf(stderr, "mkdoc: unknown variant %s\n", name);
		exit(2);
	}
}

static void
receipt_fill(struct receipt *r, const char *signer)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECEIPT_FINAL;
	snprintf(r->signer, sizeof(r->signer), "%s", signer);
	snprintf(r->batch_from, sizeof(r->batch_from), "33.28");
	snprintf(r->batch_to, sizeof(r->batch_to), "%s", signer);
	r->batch_seq = 3;
	memset(r->batch_digest, 'a', 64);
	snprintf(r->instance, sizeof(r->instance),
	    "00112233445566778899aabbccddeeff");
	r->received_at = T0;
	r->received_offset = 420;
	r->head_seq = 3;
	memset(r->head_digest, 'b', 64);
	r->nresults = 2;
	r->results = xcalloc(2, sizeof(*r->results));
	r->results[0].item = 1;
	snprintf(r->results[0].event, sizeof(r->results[0].event),
	    "33.28:7");
	r->results[0].outcome = OUTCOME_APPLIED;
	r->results[1].item = 2;
	snprintf(r->results[1].event, sizeof(r->results[1].event),
	    "33.28:8");
	r->results[1].outcome = OUTCOME_REFUSED;
	snprintf(r->results[1].reason, sizeof(r->results[1].reason),
	    "ownership");
	r->results[1].detail = xstrdup("33.28 does not own 33.21-000001");
}

static int
make(int argc, char **argv, int receipt)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "seq", required_argument, NULL, 's' },
		{ "author", required_argument, NULL, 'a' },
		{ "events", required_argument, NULL, 'n' },
		{ "receipt", no_argument, NULL, 'r' },
		{ "variant", required_argument, NULL, 'v' },
		{ "signer", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*key = NULL, *cert = NULL, *from = "33.21";
	const char		*to = "hub", *author = NULL, *var = NULL;
	struct batch_header	 h;
	struct event		*ev;
	struct receipt		 rc;
	struct dsig_variant	 v;
	struct trust_key	*k;
	struct batch		*b, *s;
	struct sp_err		 err = { 0 };
	long			 nev = EV_MAX, seq = 1, i;
	int			 with_receipt = 0, ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'f': from = optarg; break;
		case 'S': from = optarg; break;
		case 't': to = optarg; break;
		case 's': seq = atol(optarg); break;
		case 'a': author = optarg; break;
		case 'n': nev = atol(optarg); break;
		case 'r': with_receipt = 1; break;
		case 'v': var = optarg; break;
		default: exit(2);
		}
	}
	if (key == NULL || cert == NULL || optind != argc - 1)
		exit(2);
	if (dsig_init(&err) == -1 ||
	    (k = trust_key_load(key, cert, &err)) == NULL)
		die(&err);
	if (receipt) {
		receipt_fill(&rc, from);
		if (batch_new_receipt(&rc, &b, &err) == -1)
			die(&err);
		receipt_clear(&rc);
	} else {
		memset(&h, 0, sizeof(h));
		snprintf(h.from, sizeof(h.from), "%s", from);
		snprintf(h.to, sizeof(h.to), "%s", to);
		h.seq = seq;
		memset(h.prev, '0', 64);
		snprintf(h.instance, sizeof(h.instance),
		    "0123456789abcdef0123456789abcdef");
		h.created = T0;
		h.created_offset = 420;
		ev = xcalloc((size_t)nev, sizeof(*ev));
		for (i = 0; i < nev; i++)
			fill_kind(&ev[i], (enum event_kind)(i % EV_MAX),
			    author ? author : from, from, i + 1);
		if (with_receipt)
			receipt_fill(&rc, from);
		if (batch_new_batch(&h, ev, (size_t)nev, &rc,
		    with_receipt ? 1 : 0, &b, &err) == -1)
			die(&err);
		for (i = 0; i < nev; i++)
			event_clear(&ev[i]);
		free(ev);
		if (with_receipt)
			receipt_clear(&rc);
	}
	variant(var, &v);
	if (dsig_sign_variant(b, k, &v, &s, &err) == -1)
		die(&err);
	write_out(s, argv[optind]);
	batch_free(s);
	batch_free(b);
	trust_key_free(k);
	dsig_shutdown();
	batch_shutdown();
	return 0;
}

static char *
slurp(const char *path, size_t *n)
{
	struct buf	 b;
	struct sp_err	 err = { 0 };

	if (util_read_file(path, 64 * 1024 * 1024, &b, &err) == -1)
		die(&err);
	return (char *)buf_release(&b, n);
}

static void
spit(const char *path, const char *a, size_t na, const char *b, size_t nb,
    const char *c, size_t nc)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	fwrite(a, 1, na, f);
	fwrite(b, 1, nb, f);
	fwrite(c, 1, nc, f);
	fclose(f);
}

static int
replace(const char *in, const char *out, const char *old, const char *new)
{
	size_t	 n;
	char	*s = slurp(in, &n), *p;

	if ((p = strstr(s, old)) == NULL) {
		fprintf(stderr, "mkdoc: '%s' not in %s\n", old, in);
		return 1;
	}
	spit(out, s, (size_t)(p - s), new, strlen(new), p + strlen(old),
	    n - (size_t)(p - s) - strlen(old));
	free(s);
	return 0;
}

static int
dupsig(const char *in, const char *out)
{
	size_t	 n;
	char	*s = slurp(in, &n), *a, *e;

	if ((a = strstr(s, "<ds:Signature")) == NULL ||
	    (e = strstr(a, "</ds:Signature>")) == NULL)
		return 1;
	e += strlen("</ds:Signature>");
	spit(out, s, (size_t)(e - s), a, (size_t)(e - a), e,
	    n - (size_t)(e - s));
	free(s);
	return 0;
}

static int
movesig(const char *in, const char *out)
{
	size_t	 n;
	char	*s = slurp(in, &n), *a, *e, *ev, *gt, *head;

	if ((a = strstr(s, "<ds:Signature")) == NULL ||
	    (e = strstr(a, "</ds:Signature>")) == NULL ||
	    (ev = strstr(s, "<event ")) == NULL || ev > a ||
	    (gt = strchr(ev, '>')) == NULL || gt[-1] == '/')
		return 1;
	e += strlen("</ds:Signature>");
	gt++;
	head = xasprintf("%.*s%.*s%.*s", (int)(gt - s), s, (int)(e - a), a,
	    (int)(a - gt), gt);
	spit(out, head, strlen(head), e, n - (size_t)(e - s), "", 0);
	free(head);
	free(s);
	return 0;
}

/*
 * XSW: a forged root with the same attributes and a forged event, holding
 * the genuine signed batch inside, so a verifier that looks for "a"
 * signature anywhere still finds a valid one.
 */
static int
wrap(const char *in, const char *out)
{
	size_t		 n;
	char		*s = slurp(in, &n), *root, *gt, *head;
	static const char forged[] = "<event id=\"33.21:99\" kind=\"note\" "
	    "complaint=\"33.21-000001\" v=\"0\" actor=\"mallory\" "
	    "at=\"2026-11-28T09:00:00+07:00\" "
	    "recorded=\"2026-11-28T09:00:00+07:00\"><text>FORGED</text>"
	    "</event>";
	size_t		 hn;

	if ((root = strstr(s, "<batch")) == NULL ||
	    (gt = strchr(root, '>')) == NULL)
		return 1;
	hn = (size_t)(gt + 1 - root);
	head = xasprintf("%.*s%s", (int)hn, root, forged);
	spit(out, head, strlen(head), root, n - (size_t)(root - s),
	    "</batch>\n", 9);
	free(head);
	free(s);
	return 0;
}

/* Put PEM's base64 body in place of the X509Certificate text. */
static int
swapcert(const char *in, const char *out, const char *pem)
{
	size_t	 n, pn;
	char	*s = slurp(in, &n), *p = slurp(pem, &pn), *a, *e, *b, *end;
	static const char open_tag[] = "<ds:X509Certificate>";

	if ((a = strstr(s, open_tag)) == NULL ||
	    (e = strstr(a, "</ds:X509Certificate>")) == NULL ||
	    (b = strstr(p, "-----\n")) == NULL ||
	    (end = strstr(b + 6, "-----END")) == NULL)
		return 1;
	a += strlen(open_tag);
	b += 6;
	spit(out, s, (size_t)(a - s), b, (size_t)(end - b), e,
	    n - (size_t)(e - s));
	free(s);
	free(p);
	return 0;
}

/* ---- chained channels and receipts (the audit tests) -------------------- */

static int64_t
parse_time(const char *s)
{
	struct sp_err	 err = { 0 };
	int64_t		 t;

	if (util_time_parse(s, &t, NULL, &err) == -1)
		die(&err);
	return t;
}

/* One batch's events: KINDS is "filed,verified,...". */
static size_t
chan_events(const char *kinds, const char *author, const char *complaint,
    int64_t *eseq, int *v, int64_t created, struct event **out)
{
	struct event	*ev = NULL;
	char		*list = xstrdup(kinds), *p, *k;
	size_t		 n = 0;
	enum event_kind	 kind;

	for (p = strcmp(list, "-") == 0 ? NULL : list;
	    (k = strsep(&p, ",")) != NULL;) {
		if ((kind = event_kind_by_name(k)) == EV_MAX) {
			fprintf(stderr, "mkdoc: unknown event kind %s\n", k);
			exit(2);
		}
		ev = xreallocarray(ev, n + 1, sizeof(*ev));
		fill_kind(&ev[n], kind, author, "33.21", *eseq);
		snprintf(ev[n].complaint, sizeof(ev[n].complaint), "%s",
		    complaint);
		ev[n].v = event_is_chain(kind) ? (*v)++ : 0;
		ev[n].at = created - 1800 + (int64_t)n * 60;
		ev[n].recorded = ev[n].at;
		if (ev[n].filed != NULL)
			ev[n].filed->filed_at = ev[n].at;
		(*eseq)++;
		n++;
	}
	free(list);
	*out = ev;
	return n;
}

static void	 receipt_for(const char *, int, const char *, int64_t, long,
		    struct receipt *);

static void
sign_write(const struct batch *b, const struct trust_key *k, const char *path,
    char *digest)
{
	struct dsig_variant	 v;
	struct batch		*s;
	struct sp_err		 err = { 0 };

	memset(&v, 0, sizeof(v));
	if (dsig_sign_variant(b, k, &v, &s, &err) == -1)
		die(&err);
	write_out(s, path);
	if (digest != NULL)
		batch_digest(s, digest);
	batch_free(s);
}

static int
chan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "created", required_argument, NULL, 'C' },
		{ "seq", required_argument, NULL, 's' },
		{ "prev", required_argument, NULL, 'p' },
		{ "eseq", required_argument, NULL, 'e' },
		{ "v", required_argument, NULL, 'V' },
		{ "complaint", required_argument, NULL, 'i' },
		{ "replaces", required_argument, NULL, 'R' },
		{ "swap", required_argument, NULL, 'w' },
		{ "carry", required_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*key = NULL, *cert = NULL, *from = "33.21";
	const char		*to = "33.28", *complaint = NULL;
	const char		*created = NULL, *prev = NULL, *replaces = NULL;
	struct batch_header	 h;
	struct event		**ev;
	size_t			*nev, tmpn;
	struct event		*tmp;
	struct trust_key	*k;
	struct batch		*b;
	struct sp_err		 err = { 0 };
	char			 digest[BATCH_DIGEST_LEN], *path, *dir;
	struct receipt		*carry;
	const char		**carried = NULL;
	size_t			 ncarry = 0;
	long			 seq = 1, swap = 0;
	int64_t			 eseq = 1, t0;
	int			 v = 1, ch, nb, i;
	size_t			 j;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'C': created = optarg; break;
		case 's': seq = atol(optarg); break;
		case 'p': prev = optarg; break;
		case 'e': eseq = atol(optarg); break;
		case 'V': v = atoi(optarg); break;
		case 'i': complaint = optarg; break;
		case 'R': replaces = optarg; break;
		case 'w': swap = atol(optarg); break;
		case 'y':
			carried = xreallocarray(carried, ncarry + 1,
			    sizeof(*carried));
			carried[ncarry++] = optarg;
			break;
		default: exit(2);
		}
	}
	if (key == NULL || cert == NULL || created == NULL ||
	    optind > argc - 2)
		exit(2);
	dir = argv[optind++];
	nb = argc - optind;
	t0 = parse_time(created);
	if (complaint == NULL)
		complaint = "33.21-000001";
	if (dsig_init(&err) == -1 ||
	    (k = trust_key_load(key, cert, &err)) == NULL)
		die(&err);
	carry = xcalloc(ncarry + 1, sizeof(*carry));
	for (j = 0; j < ncarry; j++)
		receipt_for(carried[j], 0, NULL, 0, 0, &carry[j]);
	free(carried);
	ev = xcalloc((size_t)nb, sizeof(*ev));
	nev = xcalloc((size_t)nb, sizeof(*nev));
	for (i = 0; i < nb; i++)
		nev[i] = chan_events(argv[optind + i], from, complaint, &eseq,
		    &v, t0 + (int64_t)i * 3600, &ev[i]);
	if (swap >= 1 && swap < nb) {
		tmp = ev[swap - 1];
		ev[swap - 1] = ev[swap];
		ev[swap] = tmp;
		tmpn = nev[swap - 1];
		nev[swap - 1] = nev[swap];
		nev[swap] = tmpn;
	}
	if (prev != NULL)
		snprintf(digest, sizeof(digest), "%s", prev);
	else {
		memset(digest, '0', 64);
		digest[64] = '\0';
	}
	for (i = 0; i < nb; i++) {
		memset(&h, 0, sizeof(h));
		snprintf(h.from, sizeof(h.from), "%s", from);
		snprintf(h.to, sizeof(h.to), "%s", to);
		h.seq = seq + i;
		snprintf(h.prev, sizeof(h.prev), "%s", digest);
		snprintf(h.instance, sizeof(h.instance),
		    "0123456789abcdef0123456789abcdef");
		h.created = t0 + (int64_t)i * 3600;
		h.created_offset = 420;
		if (replaces != NULL && i == 0)
			snprintf(h.replaces, sizeof(h.replaces), "%s",
			    replaces);
		if (batch_new_batch(&h, ev[i], nev[i], carry,
		    i == 0 ? ncarry : 0, &b, &err) == -1)
			die(&err);
		path = xasprintf("%s/%s-%s-%06lld.xml", dir, from, to,
		    (long long)h.seq);
		sign_write(b, k, path, digest);
		free(path);
		batch_free(b);
		for (j = 0; j < nev[i]; j++)
			event_clear(&ev[i][j]);
		free(ev[i]);
	}
	free(ev);
	free(nev);
	for (j = 0; j < ncarry; j++)
		receipt_clear(&carry[j]);
	free(carry);
	trust_key_free(k);
	dsig_shutdown();
	batch_shutdown();
	return 0;
}

/*
 * A receipt for the batch in the file `path`: final (signed by its to) or
 * relay (by the hub), naming digest (NULL: the batch's own), received at
 * `received` (0: five minutes after its created), head seq (0: its seq),
 * one applied result per event.  The caller clears r.
 */
static void
receipt_for(const char *path, int relay, const char *digest,
    int64_t received, long head, struct receipt *r)
{
	struct batch_limits	 lim;
	const struct batch_header *h;
	struct event		 e;
	struct batch		*in;
	struct sp_err		 err = { 0 };
	char			*raw;
	size_t			 n, i, nres = 0;

	raw = slurp(path, &n);
	batch_limits_default(&lim);
	if (batch_parse((uint8_t *)raw, n, &lim, &in, &err) == -1 ||
	    batch_validate(in, &err) == -1)
		die(&err);
	h = batch_header(in);
	memset(r, 0, sizeof(*r));
	r->kind = relay ? RECEIPT_RELAY : RECEIPT_FINAL;
	snprintf(r->signer, sizeof(r->signer), "%s", relay ? "hub" : h->to);
	snprintf(r->batch_from, sizeof(r->batch_from), "%s", h->from);
	snprintf(r->batch_to, sizeof(r->batch_to), "%s", h->to);
	r->batch_seq = h->seq;
	if (digest != NULL)
		snprintf(r->batch_digest, sizeof(r->batch_digest), "%s",
		    digest);
	else
		batch_digest(in, r->batch_digest);
	snprintf(r->instance, sizeof(r->instance),
	    "00112233445566778899aabbccddeeff");
	r->received_at = received != 0 ? received : h->created + 300;
	r->received_offset = 420;
	r->head_seq = head != 0 ? head : h->seq;
	batch_digest(in, r->head_digest);
	r->results = xcalloc(batch_nitems(in) + 1, sizeof(*r->results));
	for (i = 0; i < batch_nitems(in); i++) {
		if (batch_item_kind(in, i) != BATCH_ITEM_EVENT ||
		    batch_item_event(in, i, &e, &err) == -1)
			continue;
		r->results[nres].item = (int64_t)i + 1;
		snprintf(r->results[nres].event,
		    sizeof(r->results[nres].event), "%s:%lld", e.author,
		    (long long)e.seq);
		r->results[nres++].outcome = OUTCOME_APPLIED;
		event_clear(&e);
	}
	r->nresults = nres;
	batch_free(in);
	free(raw);
}

static int
rcpt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "received", required_argument, NULL, 'r' },
		{ "relay", no_argument, NULL, 'R' },
		{ "digest", required_argument, NULL, 'd' },
		{ "head", required_argument, NULL, 'H' },
		{ "seq", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*key = NULL, *cert = NULL, *digest = NULL;
	struct receipt		 r;
	struct trust_key	*k;
	struct batch		*b;
	struct sp_err		 err = { 0 };
	int64_t			 received = 0;
	long			 head = 0, seq = 0;
	int			 relay = 0, ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'r': received = parse_time(optarg); break;
		case 'R': relay = 1; break;
		case 'd': digest = optarg; break;
		case 'H': head = atol(optarg); break;
		case 's': seq = atol(optarg); break;
		default: exit(2);
		}
	}
	if (key == NULL || cert == NULL || optind != argc - 2)
		exit(2);
	if (dsig_init(&err) == -1 ||
	    (k = trust_key_load(key, cert, &err)) == NULL)
		die(&err);
	receipt_for(argv[optind], relay, digest, received, head, &r);
	if (seq != 0)
		r.batch_seq = seq;
	if (batch_new_receipt(&r, &b, &err) == -1)
		die(&err);
	sign_write(b, k, argv[optind + 1], NULL);
	receipt_clear(&r);
	batch_free(b);
	trust_key_free(k);
	dsig_shutdown();
	batch_shutdown();
	return 0;
}

static int
run(int argc, char **argv)
{
	struct rusage	 ru;
	pid_t		 pid;
	int		 status;
	long		 max_mb = atol(argv[0]), secs = atol(argv[1]);

	if ((pid = fork()) == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		alarm((unsigned)secs);	/* SIGALRM ends an overlong run */
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "mkdoc: run: killed by signal %d%s\n",
		    WTERMSIG(status), WTERMSIG(status) == SIGALRM ?
		    " (time limit)" : "");
		return 124;
	}
	if (ru.ru_maxrss / 1024 > max_mb) {
		fprintf(stderr, "mkdoc: run: used %ld MB, limit %ld MB\n",
		    ru.ru_maxrss / 1024, max_mb);
		return 125;
	}
	return WEXITSTATUS(status);
}

/* Sign a (changed) document again, as its author could. */
static int
resign(const char *in, const char *out, const char *key, const char *cert)
{
	struct sp_err		 err = { 0 };
	struct batch_limits	 lim;
	struct batch		*b, *s;
	struct trust_key	*k;
	size_t			 n;
	char			*d = slurp(in, &n), *p, *q;
	const char		*end = "</ds:Signature>";

	if ((p = strstr(d, "<ds:Signature")) == NULL ||
	    (q = strstr(p, end)) == NULL) {
		fprintf(stderr, "mkdoc: no ds:Signature in %s\n", in);
		return 1;
	}
	q += strlen(end);
	if (*q == '\n')
		q++;
	memmove(p, q, n - (size_t)(q - d) + 1);
	n -= (size_t)(q - p);
	batch_limits_default(&lim);
	if (dsig_init(&err) == -1 ||
	    (k = trust_key_load(key, cert, &err)) == NULL ||
	    batch_parse((uint8_t *)d, n, &lim, &b, &err) == -1 ||
	    batch_validate(b, &err) == -1 || dsig_sign(b, k, &s, &err) == -1)
		die(&err);
	write_out(s, out);
	batch_free(s);
	batch_free(b);
	trust_key_free(k);
	free(d);
	dsig_shutdown();
	batch_shutdown();
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "batch") == 0)
		return make(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "receipt") == 0)
		return make(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "resign") == 0 && argc == 6)
		return resign(argv[2], argv[3], argv[4], argv[5]);
	if (strcmp(argv[1], "chan") == 0)
		return chan(argc - 1, argv + 1);
	if (strcmp(argv[1], "rcpt") == 0)
		return rcpt(argc - 1, argv + 1);
	if (strcmp(argv[1], "replace") == 0 && argc == 6)
		return replace(argv[2], argv[3], argv[4], argv[5]);
	if (strcmp(argv[1], "dupsig") == 0 && argc == 4)
		return dupsig(argv[2], argv[3]);
	if (strcmp(argv[1], "movesig") == 0 && argc == 4)
		return movesig(argv[2], argv[3]);
	if (strcmp(argv[1], "wrap") == 0 && argc == 4)
		return wrap(argv[2], argv[3]);
	if (strcmp(argv[1], "swapcert") == 0 && argc == 5)
		return swapcert(argv[2], argv[3], argv[4]);
	if (strcmp(argv[1], "run") == 0 && argc >= 5)
		return run(argc - 2, argv + 2);
	fprintf(stderr, "mkdoc: bad arguments (see the file header)\n");
	return 2;
}
