/*
 * test_exchange.c: sync.c's cutter and recv.c's steps on two real
 * databases with a development PKI (the shared fixture's, fixture.h):
 * batches cut by items and by bytes, each chained to the one before by
 * prev; two cutters on one database never give one seq twice; the
 * receiver's transport checks each refusing with its own code and storing
 * nothing; replay returns the stored receipt's exact bytes; items applied,
 * duplicate, held and refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "exchange/desk.h"
#include "exchange/policy.h"
#include "exchange/recv.h"
#include "exchange/sync.h"
#include "rules/complaint.h"
#include "rules/event.h"
#include "store/store.h"
#include "wire/batch.h"
#include "wire/dsig.h"

#include "fixture.h"

/* A new node database with the fixture's PKI files for code. */
static struct store *
node(const char *code)
{
	return fixture_node("pki", code, NULL);
}

static int
setup(void **state)
{
	struct sp_err	 err = { 0 };

	(void)state;
	if (fixture_open("exch") == -1 ||
	    fixture_pki("pki", "33.21 33.28") == -1)
		return -1;
	return dsig_init(&err);
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_close();
}

/* File a complaint at s, forward it to 33.28, then add n notes of len. */
static void
story(struct store *s, int n, size_t len)
{
	struct sp_err		 err = { 0 };
	struct desk		 d;
	struct complaint_state	 cs;
	struct complaint_fields	 f;
	struct event		 e;
	char			 id[40], *text;
	int			 i;

	text = xmalloc(len + 1);
	memset(text, 'a', len);
	text[len] = '\0';
	memset(&f, 0, sizeof(f));
	f.title = (char *)"Jalan rusak";
	f.body = (char *)"Berlubang";
	if (store_begin(s, &err) == -1 ||
	    desk_init(&d, s, "tester", util_now(), &err) == -1 ||
	    desk_file(&d, &f, NULL, id, &err) == -1 ||
	    desk_load(&d, id, &cs, &err) == -1)
		fail_msg("file: %s", err.msg);
	memset(&e, 0, sizeof(e));
	e.kind = EV_FORWARDED;
	snprintf(e.to, sizeof(e.to), "33.28");
	if (desk_record(&d, &cs, &e, &err) == -1)
		fail_msg("forward: %s", err.msg);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.kind = EV_NOTE;
		e.text = text;
		if (desk_record(&d, &cs, &e, &err) == -1)
			fail_msg("note: %s", err.msg);
	}
	if (store_commit(s, &err) == -1)
		fail_msg("commit: %s", err.msg);
	desk_clear(&d);
	free(text);
}

/* Cut for 33.28 in one transaction; returns how many batches. */
static int
cut(struct store *s, size_t max_bytes, size_t max_items)
{
	struct sp_err		 err = { 0 };
	struct sync_conf	 c;
	int			 n;

	assert_int_equal(sync_conf_load(s, &c, SYNC_KEY, &err), 0);
	c.max_bytes = max_bytes;
	c.max_items = max_items;
	if (store_begin(s, &err) == -1 ||
	    sync_cut(s, &c, "33.28", util_now(), &n, &err) == -1 ||
	    store_commit(s, &err) == -1)
		fail_msg("cut: %s", err.msg);
	sync_conf_clear(&c);
	return n;
}

/* The stored batches for 33.28, copied out. */
struct stored {
	uint8_t		*bytes[64];
	size_t		 len[64];
	int64_t		 seq[64];
	char		 digest[64][BATCH_DIGEST_LEN];
	char		 prev[64][BATCH_DIGEST_LEN];
	int		 n;
};

static int
collect(void *arg, const struct store_batch *b)
{
	struct stored	*st = arg;

	assert_true(st->n < 64);
	st->bytes[st->n] = xmalloc(b->len);
	memcpy(st->bytes[st->n], b->bytes, b->len);
	st->len[st->n] = b->len;
	st->seq[st->n] = b->seq;
	snprintf(st->digest[st->n], BATCH_DIGEST_LEN, "%s", b->digest);
	snprintf(st->prev[st->n], BATCH_DIGEST_LEN, "%s", b->prev);
	st->n++;
	return 0;
}

static void
stored_load(struct store *s, struct stored *st)
{
	struct sp_err	 err = { 0 };

	memset(st, 0, sizeof(*st));
	assert_int_equal(store_batch_out_each(s, "33.28", 1, collect, st,
	    &err), 0);
}

static void
stored_clear(struct stored *st)
{
	int	 i;

	for (i = 0; i < st->n; i++)
		free(st->bytes[i]);
}

/* seq 1, 2, ... and each prev the digest of the one before. */
static void
assert_chain(const struct stored *st, size_t max_bytes, size_t max_items)
{
	struct sp_err		 err = { 0 };
	struct batch_limits	 lim;
	struct batch		*b;
	char			 d[BATCH_DIGEST_LEN];
	int			 i;

	batch_limits_default(&lim);
	for (i = 0; i < st->n; i++) {
		assert_int_equal(st->seq[i], i + 1);
		assert_string_equal(st->prev[i], i == 0 ?
		    "0000000000000000000000000000000000000000000000000000000000000000"
		    : st->digest[i - 1]);
		assert_true(st->len[i] <= max_bytes);
		assert_int_equal(batch_parse(st->bytes[i], st->len[i], &lim,
		    &b, &err), 0);
		assert_int_equal(batch_validate(b, &err), 0);
		assert_true(batch_nitems(b) <= max_items);
		assert_string_equal(batch_header(b)->prev, st->prev[i]);
		batch_digest(b, d);
		assert_string_equal(d, st->digest[i]);
		batch_free(b);
	}
}

static void
test_cut_by_items(void **state)
{
	struct store	*s = node("33.21");
	struct stored	 st;

	(void)state;
	story(s, 50, 10);		/* 52 events */
	assert_int_equal(cut(s, 1048576, 10), 6);
	stored_load(s, &st);
	assert_int_equal(st.n, 6);
	assert_chain(&st, 1048576, 10);
	/* Nothing left: a second cut makes nothing. */
	assert_int_equal(cut(s, 1048576, 10), 0);
	stored_clear(&st);
	store_close(s);
}

static void
test_cut_by_bytes(void **state)
{
	struct store	*s = node("33.21");
	struct stored	 st;

	(void)state;
	story(s, 40, 8000);		/* 40 notes of 8000 bytes */
	assert_true(cut(s, 65536, 2000) >= 7);
	stored_load(s, &st);
	assert_chain(&st, 65536, 2000);
	stored_clear(&st);
	store_close(s);
}

static void
test_two_cutters(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*a, *b;
	struct stored	 st;
	char		*db;

	(void)state;
	a = fixture_node("pki", "33.21", &db);
	assert_non_null(b = store_open(db, STORE_WRITE, &err));
	story(a, 3, 10);
	assert_int_equal(cut(a, 1048576, 2), 3);
	story(b, 3, 10);
	assert_int_equal(cut(b, 1048576, 2), 3);
	story(a, 1, 10);
	assert_int_equal(cut(a, 1048576, 2), 2);
	stored_load(b, &st);
	assert_int_equal(st.n, 8);
	assert_chain(&st, 1048576, 2);
	stored_clear(&st);
	store_close(b);
	store_close(a);
	free(db);
}

/* The receiver's context for s, with its key and trust. */
static void
ctx_load(struct store *s, struct sync_conf *c, struct recv_ctx *x)
{
	struct sp_err	 err = { 0 };

	if (sync_conf_load(s, c, SYNC_KEY | SYNC_TRUST, &err) == -1)
		fail_msg("ctx: %s", err.msg);
	memset(x, 0, sizeof(*x));
	x->node = c->node;
	x->instance = c->instance;
	x->offset = c->offset;
	x->trust = c->trust;
	x->key = c->key;
	batch_limits_default(&x->limits);
}

static char *
dump(struct store *s)
{
	struct sp_err		 err = { 0 };
	struct store_channel	 c;

	assert_int_equal(store_channel_get(s, "33.21", 0, &c, &err), 0);
	return xasprintf("%lld %s %d", (long long)c.seq, c.digest, c.halted);
}

/* recv_batch refuses with code and leaves the channel as it was. */
static void
refused(struct store *s, const struct recv_ctx *x, const uint8_t *p,
    size_t n, enum sp_code code, int64_t expected)
{
	struct sp_err		 err = { 0 };
	struct recv_outcome	 o;
	char			*before, *after;

	before = dump(s);
	assert_int_equal(recv_batch(s, x, p, n, util_now(), &o, &err), -1);
	if (err.code != code)
		fail_msg("want %s, got %s: %s", sp_code_name(code),
		    sp_code_name(err.code), err.msg);
	if (expected > 0)
		assert_int_equal(o.expected, expected);
	after = dump(s);
	assert_string_equal(before, after);
	recv_outcome_clear(&o);
	free(before);
	free(after);
}

/*
 * Seq 4 from Demak, signed by Demak: the three events of seq 1 again
 * (duplicate), a chain event far ahead (held), a chain event at the next
 * v from a node that no longer owns the complaint (refused: ownership).
 */
static void
outcomes(struct store *t, const struct recv_ctx *x,
    const struct sync_conf *dc, const struct stored *st)
{
	struct sp_err		 err = { 0 };
	struct batch_limits	 lim;
	struct batch_header	 h;
	struct batch		*b, *u, *sig;
	struct event		 ev[5];
	struct recv_outcome	 o;
	const uint8_t		*p;
	size_t			 i, n;

	batch_limits_default(&lim);
	assert_int_equal(batch_parse(st->bytes[0], st->len[0], &lim, &b,
	    &err), 0);
	assert_int_equal(batch_validate(b, &err), 0);
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 3; i++)
		assert_int_equal(batch_item_event(b, i, &ev[i], &err), 0);
	h = *batch_header(b);
	h.seq = 4;
	snprintf(h.prev, sizeof(h.prev), "%s", st->digest[2]);
	for (i = 3; i < 5; i++) {
		ev[i] = ev[2];
		ev[i].actor = xstrdup("mallory");
		ev[i].text = NULL;
		ev[i].reason = NULL;
		ev[i].unit = ev[i].officer = NULL;
		ev[i].filed = NULL;
		ev[i].kind = EV_VERIFIED;
		ev[i].seq = 1000 + (int64_t)i;
	}
	ev[3].v = 99;
	ev[4].v = 3;
	assert_int_equal(batch_new_batch(&h, ev, 5, NULL, 0, &u, &err), 0);
	assert_int_equal(dsig_sign(u, dc->key, &sig, &err), 0);
	p = batch_bytes(sig, &n);
	if (recv_batch(t, x, p, n, util_now(), &o, &err) == -1)
		fail_msg("outcomes: %s", err.msg);
	assert_int_equal(o.n[OUTCOME_DUPLICATE], 3);
	assert_int_equal(o.n[OUTCOME_HELD], 1);
	assert_int_equal(o.n[OUTCOME_REFUSED], 1);
	assert_int_equal(o.r.results[3].outcome, OUTCOME_HELD);
	assert_int_equal(o.r.results[4].outcome, OUTCOME_REFUSED);
	assert_string_equal(o.r.results[4].reason, "ownership");
	assert_int_equal(store_held_count(t, "33.21", &err), 1);
	recv_outcome_clear(&o);
	for (i = 0; i < 5; i++)
		event_clear(&ev[i]);
	batch_free(sig);
	batch_free(u);
	batch_free(b);
}

static void
test_receiver(void **state)
{
	struct sp_err		 err = { 0 };
	struct store		*d = node("33.21"), *t = node("33.28");
	struct store		*w = node("33.21");
	struct sync_conf	 tc, wc, dc;
	struct recv_ctx		 x, wx, dx;
	struct store_channel	 c;
	struct recv_outcome	 o, o2;
	struct stored		 st;
	uint8_t			*bad;

	(void)state;
	story(d, 6, 10);		/* 8 events */
	assert_int_equal(cut(d, 1048576, 3), 3);
	stored_load(d, &st);
	ctx_load(t, &tc, &x);
	ctx_load(w, &wc, &wx);

	/* Transport refusals, each with its code, nothing stored. */
	refused(w, &wx, st.bytes[0], st.len[0], SPE_WRONG_NODE, 0);
	refused(t, &x, st.bytes[1], st.len[1], SPE_SEQ_GAP, 1);
	x.limits.max_bytes = 100;
	refused(t, &x, st.bytes[0], st.len[0], SPE_TOO_LARGE, 0);
	batch_limits_default(&x.limits);
	refused(t, &x, (const uint8_t *)"<batch", 6, SPE_MALFORMED, 0);
	bad = xmalloc(st.len[0]);
	memcpy(bad, st.bytes[0], st.len[0]);
	bad[memmem(bad, st.len[0], "Jalan", 5) == NULL ? 0 :
	    (uint8_t *)memmem(bad, st.len[0], "Jalan", 5) - bad] = 'X';
	refused(t, &x, bad, st.len[0], SPE_SIGNATURE, 0);
	free(bad);

	/* Accepted: the first three events applied, a signed receipt. */
	assert_int_equal(recv_batch(t, &x, st.bytes[0], st.len[0], util_now(),
	    &o, &err), 0);
	assert_false(o.replay);
	assert_int_equal(o.n[OUTCOME_APPLIED], 3);
	assert_non_null(o.receipt);
	/* Replay: the stored receipt's exact bytes again. */
	assert_int_equal(recv_batch(t, &x, st.bytes[0], st.len[0], util_now(),
	    &o2, &err), 0);
	assert_true(o2.replay);
	assert_int_equal(o2.receipt_len, o.receipt_len);
	assert_memory_equal(o2.receipt, o.receipt, o.receipt_len);
	recv_outcome_clear(&o2);
	/* A batch whose prev is not the head: refused, 409, expected 2. */
	refused(t, &x, st.bytes[2], st.len[2], SPE_SEQ_GAP, 2);
	assert_int_equal(recv_batch(t, &x, st.bytes[1], st.len[1], util_now(),
	    &o2, &err), 0);
	assert_int_equal(o2.n[OUTCOME_APPLIED], 3);
	recv_outcome_clear(&o2);
	assert_int_equal(recv_batch(t, &x, st.bytes[2], st.len[2], util_now(),
	    &o2, &err), 0);
	assert_int_equal(o2.n[OUTCOME_APPLIED], 2);
	recv_outcome_clear(&o2);
	/* The sender records the first receipt; the channel is acked. */
	ctx_load(d, &dc, &dx);
	assert_int_equal(recv_receipt(d, &dx, o.receipt, o.receipt_len,
	    util_now(), &o2.r, &err), 0);
	assert_int_equal(store_channel_get(d, "33.28", 1, &c, &err), 0);
	assert_int_equal(c.acked, 1);
	assert_int_equal(c.head, 1);
	recv_outcome_clear(&o2);
	/* A receipt is not a batch: refused at the schema step. */
	refused(t, &x, o.receipt, o.receipt_len, SPE_SCHEMA, 0);
	outcomes(t, &x, &dc, &st);
	sync_conf_clear(&dc);
	recv_outcome_clear(&o);
	stored_clear(&st);
	sync_conf_clear(&tc);
	sync_conf_clear(&wc);
	store_close(d);
	store_close(t);
	store_close(w);
}

/* Sign parts as batch seq of channel 33.21->33.28 and give it to t. */
static void
send_parts(struct store *t, const struct recv_ctx *x,
    const struct sync_conf *dc, int64_t seq, char *prev,
    const struct batch_part *p, size_t np, struct recv_outcome *o)
{
	struct sp_err		 err = { 0 };
	struct batch_header	 h;
	struct batch		*b, *sig;
	const uint8_t		*bytes;
	size_t			 len;

	memset(&h, 0, sizeof(h));
	snprintf(h.from, sizeof(h.from), "33.21");
	snprintf(h.to, sizeof(h.to), "33.28");
	h.seq = seq;
	snprintf(h.prev, sizeof(h.prev), "%s", prev);
	snprintf(h.instance, sizeof(h.instance), "%s", dc->instance);
	h.created = util_now();
	h.created_offset = 420;
	assert_int_equal(batch_new_batch_parts(&h, NULL, 0, NULL, 0, p, np, &b,
	    &err), 0);
	assert_int_equal(dsig_sign(b, dc->key, &sig, &err), 0);
	bytes = batch_bytes(sig, &len);
	if (recv_batch(t, x, bytes, len, util_now(), o, &err) == -1)
		fail_msg("parts: %s", err.msg);
	batch_digest(sig, prev);
	batch_free(sig);
	batch_free(b);
}

/*
 * A policy of 2,000 holidays goes as three parts in two batches: the
 * receiver records the version only when the last part is there, whole.
 * A version whose text is not canonical is refused as invalid.
 */
static void
test_policy_parts(void **state)
{
	struct sp_err		 err = { 0 };
	struct store		*d = node("33.21"), *t = node("33.28");
	struct sync_conf	 tc, dc;
	struct recv_ctx		 x, dx;
	struct recv_outcome	 o;
	struct batch_part	*parts, bad;
	struct policy		*pol;
	char			*text, *p, prev[BATCH_DIGEST_LEN], day[11];
	size_t			 np, npol, i;

	(void)state;
	ctx_load(t, &tc, &x);
	ctx_load(d, &dc, &dx);
	text = p = xmalloc(64 + 2000 * 20);
	p += sprintf(p, "zone WIB\ntarget 24\n");
	for (i = 0; i < 2000; i++) {
		util_date_format(20454 + (int64_t)i, day);
		p += sprintf(p, "holiday %s\n", day);
	}
	np = batch_split(BATCH_ITEM_POLICY, 1, util_now(), 420, text, &parts);
	assert_int_equal(np, 3);
	memset(prev, '0', 64);
	prev[64] = '\0';
	send_parts(t, &x, &dc, 1, prev, parts, 2, &o);
	assert_int_equal(o.n[OUTCOME_APPLIED], 2);
	recv_outcome_clear(&o);
	assert_int_equal(policy_history(t, "33.21", &pol, &npol, &err), 0);
	assert_int_equal(npol, 0);
	policy_history_free(pol, npol);
	send_parts(t, &x, &dc, 2, prev, parts + 2, 1, &o);
	assert_int_equal(o.n[OUTCOME_APPLIED], 1);
	recv_outcome_clear(&o);
	assert_int_equal(policy_history(t, "33.21", &pol, &npol, &err), 0);
	assert_int_equal(npol, 1);
	assert_int_equal(pol[0].nholidays, 2000);
	policy_history_free(pol, npol);

	/* Holidays out of order: valid XML, not a canonical policy. */
	memset(&bad, 0, sizeof(bad));
	bad.kind = BATCH_ITEM_POLICY;
	bad.n = 2;
	bad.at = util_now();
	bad.at_offset = 420;
	bad.part = bad.parts = 1;
	bad.body = xstrdup("zone WIB\ntarget 4\nholiday 2026-03-20\n"
	    "holiday 2026-03-19\n");
	send_parts(t, &x, &dc, 3, prev, &bad, 1, &o);
	assert_int_equal(o.n[OUTCOME_REFUSED], 1);
	assert_string_equal(o.r.results[0].reason, "invalid");
	recv_outcome_clear(&o);
	assert_int_equal(policy_history(t, "33.21", &pol, &npol, &err), 0);
	assert_int_equal(npol, 1);
	policy_history_free(pol, npol);
	free(bad.body);
	batch_parts_free(parts, np);
	free(text);
	sync_conf_clear(&tc);
	sync_conf_clear(&dc);
	store_close(t);
	store_close(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_by_items),
		cmocka_unit_test(test_cut_by_bytes),
		cmocka_unit_test(test_two_cutters),
		cmocka_unit_test(test_receiver),
		cmocka_unit_test(test_policy_parts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
