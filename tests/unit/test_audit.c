/*
 * test_audit.c: audit.c's chain logic alone (audit_chain), on copies made
 * by hand: a clean chain, gaps, prev, reordering by events and by receipt
 * time, a missing tail, equivocation, re-cuts with replaces, and a seq
 * whose only copy was refused.  Signed documents are tests/cli/audit.sh's.
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

#include "audit/audit.h"

#define NMAX	8

struct fixture {
	struct audit_copy	 c[NMAX];
	size_t			 n;
	struct audit_head	 head;
};

/* A digest that names copy (seq, variant): 64 hex digits. */
static void
mkdigest(char *out, int64_t seq, int variant)
{
	snprintf(out, 65, "%016llx%048d", (long long)(seq * 16 + variant), 0);
}

/*
 * Add copy `variant` of seq, chained to variant 0 of seq - 1, accepted,
 * received at seq * 100, carrying author seqs 2 * seq - 1 and 2 * seq.
 */
static struct audit_copy *
add(struct fixture *fx, int64_t seq, int variant)
{
	struct audit_copy	*c = &fx->c[fx->n++];

	memset(c, 0, sizeof(*c));
	c->file = "f.xml";
	c->seq = seq;
	mkdigest(c->digest, seq, variant);
	if (seq == 1)
		memset(c->prev, '0', 64);
	else
		mkdigest(c->prev, seq - 1, 0);
	c->verified = 1;
	c->accepted = 1;
	c->received = seq * 100;
	c->first_eseq = 2 * seq - 1;
	c->last_eseq = 2 * seq;
	c->eseq_sorted = 1;
	return c;
}

/* Run the chain; return the number of findings, *code the first one's. */
static size_t
judge(struct fixture *fx, enum audit_code *code, int64_t *seq, int64_t *head)
{
	struct audit			*a;
	const struct audit_finding	*f;
	size_t				 n;

	a = audit_new(NULL);
	audit_chain(a, "33.21", "33.28", fx->c, fx->n, &fx->head, head);
	n = audit_nfindings(a);
	if (n > 0) {
		f = audit_finding(a, 0);
		*code = f->code;
		*seq = f->seq;
		assert_string_equal(f->from, "33.21");
		assert_string_equal(f->to, "33.28");
		assert_string_equal(f->what, "batch");
	}
	audit_free(a);
	return n;
}

static void
test_clean(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 2, 0);
	add(&fx, 3, 0);
	fx.head.seq = 3;
	assert_int_equal(judge(&fx, &code, &seq, &head), 0);
	assert_int_equal(head, 3);
}

static void
test_gap(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 3, 0);
	add(&fx, 4, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_SEQ_GAP);
	assert_int_equal(seq, 2);
	assert_int_equal(head, 4);
	/* the chain is not judged across the gap: #3's prev is not checked */
}

static void
test_missing_start(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_SEQ_GAP);
	assert_int_equal(seq, 1);
}

static void
test_prev(void **state)
{
	struct fixture		 fx = { .n = 0 };
	struct audit_copy	*c;
	enum audit_code		 code;
	int64_t			 seq, head;

	(void)state;
	add(&fx, 1, 0);
	c = add(&fx, 2, 0);
	mkdigest(c->prev, 1, 7);
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_PREV);
	assert_int_equal(seq, 2);

	fx.n = 0;
	c = add(&fx, 1, 0);
	c->prev[3] = '1';
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_PREV);
	assert_int_equal(seq, 1);
}

static void
test_reordered_events(void **state)
{
	struct fixture		 fx = { .n = 0 };
	struct audit_copy	*c2, *c3;
	enum audit_code		 code;
	int64_t			 seq, head;

	(void)state;
	add(&fx, 1, 0);
	c2 = add(&fx, 2, 0);
	c3 = add(&fx, 3, 0);
	c2->first_eseq = 5;
	c2->last_eseq = 6;
	c3->first_eseq = 3;
	c3->last_eseq = 4;
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_REORDERED);
	assert_int_equal(seq, 3);

	/* within one batch */
	c2->first_eseq = 3;
	c2->last_eseq = 4;
	c3->first_eseq = 5;
	c3->last_eseq = 6;
	c3->eseq_sorted = 0;
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_REORDERED);
	assert_int_equal(seq, 3);
}

static void
test_reordered_receipts(void **state)
{
	struct fixture		 fx = { .n = 0 };
	enum audit_code		 code;
	int64_t			 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 2, 0)->received = 500;
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_REORDERED);
	assert_int_equal(seq, 3);
}

static void
test_missing_tail(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 2, 0);
	fx.head.seq = 5;
	fx.head.file = "r.xml";
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_MISSING_TAIL);
	assert_int_equal(seq, 3);
	assert_int_equal(head, 2);
}

static void
test_equivocation(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 2, 0);
	add(&fx, 2, 1);
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_EQUIVOCATION);
	assert_int_equal(seq, 2);

	/* not accepted, but beside an accepted copy and no re-cut */
	fx.c[2].accepted = 0;
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_EQUIVOCATION);

	/* two copies, neither accepted nor linked: not equivocation */
	fx.c[1].accepted = 0;
	assert_int_equal(judge(&fx, &code, &seq, &head), 0);
}

static void
test_recut(void **state)
{
	struct fixture		 fx = { .n = 0 };
	struct audit_copy	*old, *cut;
	enum audit_code		 code;
	int64_t			 seq, head;

	(void)state;
	add(&fx, 1, 0);
	old = add(&fx, 2, 1);
	old->accepted = 0;
	old->received = 0;
	cut = add(&fx, 2, 0);
	snprintf(cut->replaces, sizeof(cut->replaces), "%s", old->digest);
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 0);
	assert_int_equal(head, 3);

	/* the re-cut is not accepted yet: still no finding */
	fx.c[2].accepted = 0;
	fx.n = 3;
	assert_int_equal(judge(&fx, &code, &seq, &head), 0);

	/* a re-cut of a copy that a receipt accepted */
	fx.c[1].accepted = 1;
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_EQUIVOCATION);
	assert_int_equal(seq, 2);
}

static void
test_refused_only(void **state)
{
	struct fixture	 fx = { .n = 0 };
	enum audit_code	 code;
	int64_t		 seq, head;

	(void)state;
	add(&fx, 1, 0);
	add(&fx, 2, 0)->verified = 0;
	add(&fx, 3, 0);
	assert_int_equal(judge(&fx, &code, &seq, &head), 1);
	assert_int_equal(code, AC_SEQ_GAP);
	assert_int_equal(seq, 2);
}

static void
test_names(void **state)
{
	int	 i, j;

	(void)state;
	for (i = 0; i < AC_MAX; i++) {
		assert_non_null(audit_code_name((enum audit_code)i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(
			    audit_code_name((enum audit_code)i),
			    audit_code_name((enum audit_code)j));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_missing_start),
		cmocka_unit_test(test_prev),
		cmocka_unit_test(test_reordered_events),
		cmocka_unit_test(test_reordered_receipts),
		cmocka_unit_test(test_missing_tail),
		cmocka_unit_test(test_equivocation),
		cmocka_unit_test(test_recut),
		cmocka_unit_test(test_refused_only),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
