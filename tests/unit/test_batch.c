/*
 * test_batch.c: batch.c on its own: every event kind and both receipt
 * forms through emit -> parse -> validate -> read; the limits; each
 * refusal code; the payload rules; the digest and the cutter's size.
 * Needs SIMPUL_SCHEMAS (make check sets it).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "wire/batch.h"
#include "core/err.h"
#include "rules/event.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define T0	1795831200	/* 2026-11-28T09:00:00+07:00 */

static const char HDR[] = "<batch xmlns=\"urn:simpul:1\" from=\"33.21\" "
    "to=\"hub\" seq=\"1\" prev=\"0000000000000000000000000000000000000000"
    "000000000000000000000000\" instance=\"0123456789abcdef0123456789abcdef\" "
    "created=\"2026-11-28T09:00:00+07:00\">";
static void
header(struct batch_header *h)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->from, "33.21");
	strcpy(h->to, "33.28");
	h->seq = 17;
	memset(h->prev, 'c', 64);
	strcpy(h->instance, "0123456789abcdef0123456789abcdef");
	h->created = T0;
	h->created_offset = 420;
}

/* One event of kind k with every payload that kind carries. */
static void
event_of(struct event *e, enum event_kind k, int64_t seq)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->author, "33.21");
	e->seq = seq;
	strcpy(e->complaint, "33.21-000045");
	e->kind = k;
	e->v = event_is_chain(k) ? (k == EV_FILED ? 1 : (int)seq) : 0;
	e->actor = xstrdup("Siti Aminah");
	e->at = T0 + seq;
	e->at_offset = 480;
	e->recorded = T0 + seq + 5;
	switch (k) {
	case EV_FILED:
		e->filed = xcalloc(1, sizeof(*e->filed));
		e->filed->type = CT_INFORMATION_REQUEST;
		e->filed->channel = CH_SMS1708;
		e->filed->title = xstrdup("Lampu jalan mati <3 hari> & gelap");
		e->filed->body = xstrdup("Badan \"laporan\"\ndua baris");
		e->filed->category = xstrdup("infra.lampu");
		e->filed->location_code = xstrdup("33.21.01");
		e->filed->location_text = xstrdup("Jl. Sultan Fatah");
		e->filed->has_geo = 1;
		e->filed->lat = -6.8941;
		e->filed->lon = 110.6381;
		e->filed->incident_date = xstrdup("2026-11-01");
		e->filed->filed_at = e->at;
		e->filed->anonymous = 1;
		break;
	case EV_ARCHIVED:
		e->reason = xstrdup("not_public_service");
		break;
	case EV_POSTPONED:
	case EV_RETURNED:
	case EV_CLOSED:
	case EV_RECALLED:
	case EV_RECALL_REQUEST:
		e->reason = xstrdup("alasan");
		break;
	case EV_DISPATCHED:
		e->unit = xstrdup("Dinas Perhubungan");
		e->officer = xstrdup("Pak Budi");
		break;
	case EV_FOLLOWED_UP:
	case EV_NOTE:
	case EV_REPORTER_REPLY:
		e->text = xstrdup("Tindak lanjut: lampu diganti.");
		break;
	case EV_FORWARDED:
		strcpy(e->to, "33.28");
		e->reason = xstrdup("bukan wilayah kami");
		break;
	case EV_RATING:
		e->stars = 5;
		break;
	default:
		break;
	}
}

static void
assert_str_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void
assert_events_equal(const struct event *a, const struct event *b)
{
	assert_string_equal(a->author, b->author);
	assert_int_equal(a->seq, b->seq);
	assert_string_equal(a->complaint, b->complaint);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->v, b->v);
	assert_string_equal(a->actor, b->actor);
	assert_int_equal(a->at, b->at);
	assert_int_equal(a->at_offset, b->at_offset);
	assert_int_equal(a->recorded, b->recorded);
	assert_str_or_null(a->reason, b->reason);
	assert_str_or_null(a->text, b->text);
	assert_str_or_null(a->unit, b->unit);
	assert_str_or_null(a->officer, b->officer);
	assert_string_equal(a->to, b->to);
	assert_int_equal(a->stars, b->stars);
	assert_int_equal(a->filed != NULL, b->filed != NULL);
	if (a->filed == NULL)
		return;
	assert_int_equal(a->filed->type, b->filed->type);
	assert_int_equal(a->filed->channel, b->filed->channel);
	assert_string_equal(a->filed->title, b->filed->title);
	assert_string_equal(a->filed->body, b->filed->body);
	assert_string_equal(a->filed->category, b->filed->category);
	assert_str_or_null(a->filed->location_code, b->filed->location_code);
	assert_str_or_null(a->filed->location_text, b->filed->location_text);
	assert_int_equal(a->filed->has_geo, b->filed->has_geo);
	assert_true(a->filed->lat == b->filed->lat);
	assert_true(a->filed->lon == b->filed->lon);
	assert_str_or_null(a->filed->incident_date, b->filed->incident_date);
	assert_int_equal(a->filed->filed_at, b->filed->filed_at);
	assert_int_equal(a->filed->anonymous, b->filed->anonymous);
	assert_int_equal(a->filed->confidential, b->filed->confidential);
}

static void
receipt_of(struct receipt *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECEIPT_RELAY;
	strcpy(r->signer, "hub");
	strcpy(r->batch_from, "33.28");
	strcpy(r->batch_to, "33.21");
	r->batch_seq = 9;
	memset(r->batch_digest, 'd', 64);
	strcpy(r->instance, "ffeeddccbbaa99887766554433221100");
	r->received_at = T0 + 77;
	r->received_offset = 0;
	r->head_seq = 8;
	memset(r->head_digest, 'e', 64);
	r->nresults = 4;
	r->results = xcalloc(4, sizeof(*r->results));
	for (size_t i = 0; i < 4; i++) {
		r->results[i].item = (int64_t)i + 1;
		snprintf(r->results[i].event, sizeof(r->results[i].event),
		    "33.28:%zu", i + 10);
		r->results[i].outcome = (enum item_outcome)i;
	}
	strcpy(r->results[2].reason, "seq-gap");
	strcpy(r->results[3].reason, "ownership");
	r->results[3].detail = xstrdup("33.28 does not own it");
}

static void
assert_receipts_equal(const struct receipt *a, const struct receipt *b)
{
	size_t	 i;

	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->signer, b->signer);
	assert_string_equal(a->batch_from, b->batch_from);
	assert_string_equal(a->batch_to, b->batch_to);
	assert_int_equal(a->batch_seq, b->batch_seq);
	assert_string_equal(a->batch_digest, b->batch_digest);
	assert_string_equal(a->instance, b->instance);
	assert_int_equal(a->received_at, b->received_at);
	assert_int_equal(a->head_seq, b->head_seq);
	assert_string_equal(a->head_digest, b->head_digest);
	assert_int_equal(a->nresults, b->nresults);
	for (i = 0; i < a->nresults; i++) {
		assert_int_equal(a->results[i].item, b->results[i].item);
		assert_string_equal(a->results[i].event, b->results[i].event);
		assert_int_equal(a->results[i].outcome, b->results[i].outcome);
		assert_string_equal(a->results[i].reason, b->results[i].reason);
		assert_str_or_null(a->results[i].detail, b->results[i].detail);
	}
}

static int
setup(void **state)
{
	struct sp_err	 err = { 0 };

	(void)state;
	return batch_init(&err);
}

static int
teardown(void **state)
{
	(void)state;
	batch_shutdown();
	return 0;
}

static void
test_roundtrip_every_kind(void **state)
{
	struct batch_header	 h;
	struct event		 ev[EV_MAX], got;
	struct receipt		 rc, rgot;
	struct batch		*b;
	struct sp_err		 err = { 0 };
	size_t			 i;

	(void)state;
	header(&h);
	strcpy(h.replaces, "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	for (i = 0; i < EV_MAX; i++)
		event_of(&ev[i], (enum event_kind)i, (int64_t)i + 1);
	receipt_of(&rc);
	strcpy(rc.signer, "33.21");	/* a node signs only its own receipts */
	assert_int_equal(batch_new_batch(&h, ev, EV_MAX, &rc, 1, &b, &err), 0);
	assert_int_equal(batch_kind(b), BATCH_KIND_BATCH);
	assert_memory_equal(batch_header(b), &h, sizeof(h));
	assert_string_equal(batch_signer(b), "33.21");
	assert_int_equal(batch_nitems(b), EV_MAX + 1);
	assert_int_equal(batch_check_authorship(b, &err), 0);
	for (i = 0; i < EV_MAX; i++) {
		assert_int_equal(batch_item_kind(b, i), BATCH_ITEM_EVENT);
		assert_int_equal(batch_item_event(b, i, &got, &err), 0);
		assert_events_equal(&ev[i], &got);
		event_clear(&got);
		event_clear(&ev[i]);
	}
	assert_int_equal(batch_item_kind(b, EV_MAX), BATCH_ITEM_RECEIPT);
	assert_int_equal(batch_item_event(b, EV_MAX, &got, &err), -1);
	assert_int_equal(batch_item_receipt(b, EV_MAX, &rgot, &err), 0);
	assert_receipts_equal(&rc, &rgot);
	receipt_clear(&rgot);
	receipt_clear(&rc);
	batch_free(b);
}

static void
test_standalone_receipt(void **state)
{
	struct receipt	 rc, got;
	struct batch	*b;
	struct sp_err	 err = { 0 };

	(void)state;
	receipt_of(&rc);
	assert_int_equal(batch_new_receipt(&rc, &b, &err), 0);
	assert_int_equal(batch_kind(b), BATCH_KIND_RECEIPT);
	assert_string_equal(batch_signer(b), "hub");
	assert_int_equal(batch_receipt(b, &got, &err), 0);
	assert_receipts_equal(&rc, &got);
	receipt_clear(&got);
	receipt_clear(&rc);
	batch_free(b);
}

/* Parse and validate text; returns the refusal code (SPE_OK if none). */
static enum sp_code
check(const char *text, const struct batch_limits *lim)
{
	struct batch_limits	 def;
	struct batch		*b = NULL;
	struct sp_err		 err = { 0 };

	if (lim == NULL) {
		batch_limits_default(&def);
		lim = &def;
	}
	if (batch_parse((const uint8_t *)text, strlen(text), lim, &b,
	    &err) == 0 && batch_validate(b, &err) == 0)
		(void)batch_check_authorship(b, &err);
	batch_free(b);
	return err.code;
}

static char *
doc(int nev, const char *extra)
{
	struct buf	 b;
	struct sp_err	 err = { 0 };
	size_t		 n;
	int		 i;

	buf_init(&b, 4 * 1024 * 1024);
	buf_addstr(&b, HDR, &err);
	for (i = 0; i < nev; i++)
		buf_printf(&b, &err, "<event id=\"33.21:%d\" kind=\"note\" "
		    "complaint=\"33.21-000001\" v=\"0\" actor=\"a\" "
		    "at=\"2026-11-28T09:00:00+07:00\" "
		    "recorded=\"2026-11-28T09:00:00+07:00\"><text>x</text>"
		    "</event>", i + 1);
	buf_addstr(&b, extra, &err);
	buf_addstr(&b, "</batch>", &err);
	return (char *)buf_release(&b, &n);
}

static void
test_limits(void **state)
{
	struct batch_limits	 lim;
	struct sp_err		 err = { 0 };
	char			*d;

	(void)state;
	batch_limits_default(&lim);
	assert_int_equal(lim.max_bytes, 1048576);
	assert_int_equal(lim.max_items, 2000);
	assert_int_equal(lim.max_item_bytes, 65536);
	assert_int_equal(batch_check_size(1048576, &lim, &err), 0);
	assert_int_equal(batch_check_size(1048577, &lim, &err), -1);
	assert_int_equal(err.code, SPE_TOO_LARGE);
	assert_string_equal(err.msg,
	    "document is 1048577 bytes, limit 1048576");

	d = doc(3, "");
	assert_int_equal(check(d, NULL), SPE_OK);
	lim.max_items = 3;
	assert_int_equal(check(d, &lim), SPE_OK);
	lim.max_items = 2;
	assert_int_equal(check(d, &lim), SPE_TOO_LARGE);
	batch_limits_default(&lim);
	lim.max_item_bytes = 100;
	assert_int_equal(check(d, &lim), SPE_TOO_LARGE);
	lim.max_item_bytes = 300;
	assert_int_equal(check(d, &lim), SPE_OK);
	batch_limits_default(&lim);
	lim.max_depth = 2;
	assert_int_equal(check(d, &lim), SPE_TOO_LARGE);
	lim.max_depth = 3;
	assert_int_equal(check(d, &lim), SPE_OK);
	batch_limits_default(&lim);
	lim.max_bytes = strlen(d) - 1;
	assert_int_equal(check(d, &lim), SPE_TOO_LARGE);
	free(d);
}

static void
test_refusal_codes(void **state)
{
	static const struct {
		const char	*extra;
		enum sp_code	 code;
	} cases[] = {
		{ "<!-- c -->", SPE_DOCTYPE },
		{ "<?pi x?>", SPE_DOCTYPE },
		{ "<event>&x;</event>", SPE_DOCTYPE },
		{ "<event>", SPE_MALFORMED },
		{ "<event a='1' a='2'/>", SPE_MALFORMED },
		{ "<event>\xc3\x28</event>", SPE_ENCODING },
		{ "<bogus/>", SPE_SCHEMA },
		{ "<event id=\"33.28:5\" kind=\"note\" "
		  "complaint=\"33.21-000001\" v=\"0\" actor=\"a\" "
		  "at=\"2026-11-28T09:00:00+07:00\" "
		  "recorded=\"2026-11-28T09:00:00+07:00\"><text>x</text>"
		  "</event>", SPE_AUTHORSHIP },
		{ "<event id=\"33.21:1\" kind=\"note\" "
		  "complaint=\"33.21-000001\" v=\"0\" actor=\"a\" "
		  "at=\"2026-11-28T09:00:00+07:00\" "
		  "recorded=\"2026-11-28T09:00:00+07:00\"><text>x</text>"
		  "</event>", SPE_SCHEMA },		/* duplicate id */
		{ "<event id=\"33.21:9\" kind=\"verified\" "
		  "complaint=\"33.21-000001\" v=\"0\" actor=\"a\" "
		  "at=\"2026-11-28T09:00:00+07:00\" "
		  "recorded=\"2026-11-28T09:00:00+07:00\"/>", SPE_SCHEMA },
		{ "<event id=\"33.21:9\" kind=\"archived\" "
		  "complaint=\"33.21-000001\" v=\"3\" actor=\"a\" "
		  "at=\"2026-11-28T09:00:00+07:00\" "
		  "recorded=\"2026-11-28T09:00:00+07:00\">"
		  "<reason>bosan</reason></event>", SPE_SCHEMA },
		{ "<receipt kind=\"final\" signer=\"33.28\" batch-from=\"33.21\" "
		  "batch-to=\"33.28\" batch-seq=\"1\" batch-digest=\""
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "\" instance=\"0123456789abcdef0123456789abcdef\" "
		  "received-at=\"2026-11-28T09:00:00Z\" head-seq=\"1\" "
		  "head-digest=\""
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "\"/>", SPE_AUTHORSHIP },		/* another's receipt */
		{ "", SPE_OK },
	};
	size_t	 i;
	char	*d;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = doc(1, cases[i].extra);
		if (check(d, NULL) != cases[i].code)
			fail_msg("case %zu: %s: got %s", i, cases[i].extra,
			    sp_code_name(check(d, NULL)));
		free(d);
	}
	assert_int_equal(check("<!DOCTYPE batch []><batch/>", NULL),
	    SPE_DOCTYPE);
	assert_int_equal(check("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<batch/>", NULL), SPE_ENCODING);
	assert_int_equal(check("\xef\xbb\xbf<batch/>", NULL), SPE_ENCODING);
	assert_int_equal(check("", NULL), SPE_MALFORMED);
	assert_int_equal(check("<receipt xmlns=\"urn:simpul:1\"/>", NULL),
	    SPE_SCHEMA);
}

static void
test_emit_refuses_invalid(void **state)
{
	struct batch_header	 h;
	struct event		 e;
	struct batch		*b = NULL;
	struct sp_err		 err = { 0 };
	char			 title[400];

	(void)state;
	header(&h);
	event_of(&e, EV_RATING, 1);
	e.stars = 0;			/* rating without stars */
	assert_int_equal(batch_new_batch(&h, &e, 1, NULL, 0, &b, &err), -1);
	assert_int_equal(err.code, SPE_SCHEMA);
	assert_string_equal(err.msg, "event 33.21:1: rating needs @stars");
	assert_null(b);
	event_clear(&e);

	/* 151 two-byte characters: 151 characters, but 302 bytes. */
	event_of(&e, EV_FILED, 1);
	for (int i = 0; i < 151; i++)
		memcpy(title + 2 * i, "\xc3\xa9", 2);
	title[302] = '\0';
	free(e.filed->title);
	e.filed->title = xstrdup(title);
	sp_err_clear(&err);
	assert_int_equal(batch_new_batch(&h, &e, 1, NULL, 0, &b, &err), -1);
	assert_string_equal(err.msg, "event 33.21:1: <title> is 302 bytes, "
	    "limit 300");
	title[300] = '\0';
	free(e.filed->title);
	e.filed->title = xstrdup(title);
	sp_err_clear(&err);
	assert_int_equal(batch_new_batch(&h, &e, 1, NULL, 0, &b, &err), 0);
	batch_free(b);
	event_clear(&e);

	header(&h);
	strcpy(h.from, "33.2");		/* not a node code */
	sp_err_clear(&err);
	assert_int_equal(batch_new_batch(&h, NULL, 0, NULL, 0, &b, &err), -1);
	assert_int_equal(err.code, SPE_SCHEMA);
}

static void
test_digest_and_size(void **state)
{
	struct batch_header	 h;
	struct event		 e;
	struct batch		*b0, *b1;
	struct sp_err		 err = { 0 };
	const uint8_t		*p;
	size_t			 n0, n1;
	uint8_t			 md[SHA256_DIGEST_LENGTH];
	char			 hex[65], digest[BATCH_DIGEST_LEN];

	(void)state;
	header(&h);
	event_of(&e, EV_FILED, 1);
	assert_int_equal(batch_new_batch(&h, NULL, 0, NULL, 0, &b0, &err), 0);
	assert_int_equal(batch_new_batch(&h, &e, 1, NULL, 0, &b1, &err), 0);
	batch_bytes(b0, &n0);
	p = batch_bytes(b1, &n1);
	/* What the cutter counts is what the event adds. */
	assert_int_equal(batch_event_size(&e), n1 - n0);
	SHA256(p, n1, md);
	util_hex(md, sizeof(md), hex);
	batch_digest(b1, digest);
	assert_string_equal(digest, hex);
	batch_free(b0);
	batch_free(b1);
	event_clear(&e);
}

/*
 * Policy and figure items: a round trip of their canonical lines, a text
 * too big for one item split into parts that each fit and join back, and
 * what the schema and batch.c refuse.
 */
static void
test_policy_and_metrics(void **state)
{
	static const char pol[] = "zone WITA\ntarget 4\nholiday 2026-03-19\n"
	    "holiday 2026-03-20\ntier ADM.KTP 2\ntier INF.JLN 14\n";
	struct batch_header	 h;
	struct batch_part	*parts, got;
	struct batch		*b;
	struct sp_err		 err = { 0 };
	char			*big, *joined;
	size_t			 np, i, len = 0;

	(void)state;
	header(&h);
	np = batch_split(BATCH_ITEM_POLICY, 3, T0, 480, pol, &parts);
	assert_int_equal(np, 1);
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, parts, np,
	    &b, &err), 0);
	assert_int_equal(batch_item_kind(b, 0), BATCH_ITEM_POLICY);
	assert_int_equal(batch_item_part(b, 0, &got, &err), 0);
	assert_string_equal(got.body, pol);
	assert_int_equal(got.n, 3);
	assert_int_equal(got.at, T0);
	assert_int_equal(got.part, 1);
	assert_int_equal(got.parts, 1);
	free(got.body);
	batch_free(b);
	batch_parts_free(parts, np);

	/* 4,000 figures: several parts, each under the item limit. */
	big = xmalloc(4000 * 48 + 64);
	len = (size_t)sprintf(big, "period 2026-03-01 2026-03-31\n"
	    "input 33.21 42\n");
	for (i = 0; i < 4000; i++)
		len += (size_t)sprintf(big + len, "figure received.category."
		    "X%05zu %zu\n", i, i);
	np = batch_split(BATCH_ITEM_METRICS, 7, T0, 420, big, &parts);
	assert_true(np > 1);
	joined = xmalloc(len + 1);
	joined[0] = '\0';
	for (i = 0; i < np; i++) {
		assert_true(batch_part_size(&parts[i]) < BATCH_MAX_ITEM_BYTES);
		assert_int_equal(parts[i].part, (int)i + 1);
		assert_int_equal(parts[i].parts, (int)np);
	}
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, parts, np,
	    &b, &err), 0);
	for (i = 0; i < np; i++) {
		assert_int_equal(batch_item_kind(b, i), BATCH_ITEM_METRICS);
		assert_int_equal(batch_item_part(b, i, &got, &err), 0);
		strcat(joined, got.body);
		free(got.body);
	}
	assert_string_equal(joined, big);
	batch_free(b);
	free(joined);
	free(big);

	/* A later part with the header, a line the item cannot carry. */
	free(parts[1].body);
	parts[1].body = xstrdup("period 2026-03-01 2026-03-31\n");
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, parts, np,
	    &b, &err), -1);
	assert_int_equal(err.code, SPE_SCHEMA);
	sp_err_clear(&err);
	free(parts[1].body);
	parts[1].body = xstrdup("zone WIB\n");
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, parts, np,
	    &b, &err), -1);
	sp_err_clear(&err);
	free(parts[1].body);
	parts[1].body = xstrdup("figure bad..path 1\n");
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, parts, np,
	    &b, &err), -1);
	assert_int_equal(err.code, SPE_SCHEMA);
	batch_parts_free(parts, np);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_kind),
		cmocka_unit_test(test_standalone_receipt),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_refusal_codes),
		cmocka_unit_test(test_emit_refuses_invalid),
		cmocka_unit_test(test_digest_and_size),
		cmocka_unit_test(test_policy_and_metrics),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
