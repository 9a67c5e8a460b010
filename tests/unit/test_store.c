/* test_store.c: the store's schema, transactions, backup and typed queries. */
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
#include "core/xmalloc.h"
#include "store/store.h"

#include "fixture.h"

static struct store *
fresh(const char *name)
{
	struct sp_err	 err = { 0 };
	struct store	*s;
	char		*p = fixture_path("%s", name);

	s = store_open(p, STORE_CREATE, &err);
	free(p);
	assert_non_null(s);
	return s;
}

static void
test_create_and_reopen(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*s;
	char		*p = fixture_path("a.db");

	(void)state;
	s = fresh("a.db");
	assert_true(store_schema_version(s) >= 1);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_setting_set(s, "node.code", "33.21", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	store_close(s);

	assert_null(store_open(p, STORE_CREATE, &err));
	assert_int_equal(err.code, SPE_EXISTS);
	sp_err_clear(&err);

	s = store_open(p, STORE_READ, &err);
	assert_non_null(s);
	{
		char	*v;

		assert_int_equal(store_setting_get(s, "node.code", &v, &err),
		    0);
		assert_string_equal(v, "33.21");
		free(v);
		assert_int_equal(store_setting_get(s, "nothing", &v, &err), 0);
		assert_null(v);
	}
	store_close(s);
	free(p);
}

static void
test_missing_and_foreign(void **state)
{
	struct sp_err	 err = { 0 };
	char		*p = fixture_path("none.db");
	char		*q = fixture_path("foreign.db"), *cmd;

	(void)state;
	assert_null(store_open(p, STORE_WRITE, &err));
	assert_int_equal(err.code, SPE_NO_DB);
	assert_non_null(strstr(err.msg, "simpul init"));
	sp_err_clear(&err);

	cmd = xasprintf("sqlite3 %s 'CREATE TABLE t (x)'", q);
	assert_int_equal(system(cmd), 0);
	assert_null(store_open(q, STORE_WRITE, &err));
	assert_int_equal(err.code, SPE_NO_DB);
	assert_non_null(strstr(err.msg, "not a simpul database"));
	free(cmd);
	free(p);
	free(q);
}

static void
test_rollback_leaves_nothing(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*s = fresh("rb.db");
	char		*v;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_setting_set(s, "k", "v", &err), 0);
	assert_int_equal(store_peer_add(s, "33.28", NULL, 1, &err), 0);
	store_rollback(s);
	assert_int_equal(store_setting_get(s, "k", &v, &err), 0);
	assert_null(v);
	/* closing with a transaction open rolls it back too */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_setting_set(s, "k", "v", &err), 0);
	store_close(s);
	{
		char	*p = fixture_path("rb.db");

		s = store_open(p, STORE_READ, &err);
		free(p);
	}
	assert_int_equal(store_setting_get(s, "k", &v, &err), 0);
	assert_null(v);
	store_close(s);
}

static int
count_peer(void *arg, const struct store_peer *p, const char *pins)
{
	int	*n = arg;

	assert_string_equal(p->code, "33.28");
	assert_string_equal(p->url, "https://tegal.example:8443");
	assert_string_equal(pins, "a b");
	(*n)++;
	return 0;
}

static void
test_peers(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*s = fresh("peer.db");
	int		 n = 0;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_peer_add(s, "33.28",
	    "https://tegal.example:8443", 5, &err), 0);
	assert_int_equal(store_peer_pin_add(s, "33.28", "b", &err), 0);
	assert_int_equal(store_peer_pin_add(s, "33.28", "a", &err), 0);
	assert_int_equal(store_peer_add(s, "33.28", NULL, 5, &err), -1);
	assert_int_equal(err.code, SPE_EXISTS);
	sp_err_clear(&err);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_peer_each(s, count_peer, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_peer_remove(s, "33.99", &err), -1);
	assert_int_equal(err.code, SPE_NOT_FOUND);
	sp_err_clear(&err);
	assert_int_equal(store_peer_remove(s, "33.28", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	n = 0;
	assert_int_equal(store_peer_each(s, count_peer, &n, &err), 0);
	assert_int_equal(n, 0);
	store_close(s);
}

static int
collect_day(void *arg, int64_t day, const char *name)
{
	int64_t	*sum = arg;

	(void)name;
	*sum += day;
	return 0;
}

static void
test_holidays_by_year(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*s = fresh("cal.db");
	int64_t		 sum = 0;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	/* 2026-01-01 is day 20454, 2027-01-01 is day 20819 */
	assert_int_equal(store_holiday_add(s, 20454, "Tahun Baru", &err), 0);
	assert_int_equal(store_holiday_add(s, 20819, "Tahun Baru", &err), 0);
	assert_int_equal(store_holiday_clear_year(s, 2026, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_holiday_each(s, 0, 30000, collect_day, &sum,
	    &err), 0);
	assert_int_equal(sum, 20819);
	store_close(s);
}

static void
test_local_topics_keep_parents(void **state)
{
	struct sp_err		 err = { 0 };
	struct store		*s = fresh("topic.db");
	struct store_category	 nat = { "INF", NULL, "Infrastruktur", 5, 0 };
	struct store_category	 loc = { "INF.JLN", "INF", "Jalan desa", 2, 1 };
	struct store_category	 got;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_category_add(s, &nat, &err), 0);
	assert_int_equal(store_category_add(s, &loc, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	/* replacing the national list without INF breaks INF.JLN: refused */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_category_clear(s, 0, &err), 0);
	assert_int_equal(store_commit(s, &err), -1);
	sp_err_clear(&err);
	assert_int_equal(store_category_get(s, "INF", &got, &err), 1);
	assert_int_equal(got.tier, 5);
	assert_int_equal(store_category_get(s, "INF.JLN", &got, &err), 1);
	assert_string_equal(got.parent, "INF");
	assert_int_equal(got.local, 1);
	store_close(s);
}

static void
test_backup_is_a_database(void **state)
{
	struct sp_err	 err = { 0 };
	struct store	*s = fresh("live.db"), *b;
	char		*p = fixture_path("copy.db"), *v;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_setting_set(s, "node.code", "hub", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_backup(s, p, &err), 0);
	assert_int_equal(store_backup(s, p, &err), -1);
	assert_int_equal(err.code, SPE_EXISTS);
	store_close(s);
	sp_err_clear(&err);
	assert_non_null(b = store_open(p, STORE_READ, &err));
	assert_int_equal(store_setting_get(b, "node.code", &v, &err), 0);
	assert_string_equal(v, "hub");
	free(v);
	store_close(b);
	free(p);
}

static int
refused_of(void *arg, const struct store_batch *b)
{
	*(int *)arg = b->refused;
	return 0;
}

/*
 * A final receipt seen again (on the POST's answer, then as an item or a
 * file) or in parts counts each refused item once.
 */
static void
test_refused_counted_once(void **state)
{
	struct sp_err		 err = { 0 };
	struct store		*s = fresh("ack.db");
	struct store_batch	 b = { .peer = "33.28", .seq = 1,
	    .digest = "d1", .prev = "", .bytes = (const uint8_t *)"x",
	    .len = 1 };
	const int64_t		 both[] = { 2, 5 }, part[] = { 5, 7 };
	int			 n = -1;

	(void)state;
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_batch_out_add(s, &b, &err), 0);
	assert_int_equal(store_batch_out_ack(s, "33.28", 1, "d1", NULL, 0,
	    both, 2, &err), 1);
	assert_int_equal(store_batch_out_ack(s, "33.28", 1, "d1", NULL, 0,
	    both, 2, &err), 1);
	assert_int_equal(store_batch_out_ack(s, "33.28", 1, "d1", NULL, 0,
	    part, 2, &err), 1);
	/* another copy of seq 1 was never sent: nothing counted */
	assert_int_equal(store_batch_out_ack(s, "33.28", 1, "d2", NULL, 0,
	    part, 2, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_batch_out_each(s, "33.28", 1, refused_of, &n,
	    &err), 0);
	assert_int_equal(n, 3);
	store_close(s);
}

/* One round's note, then the out channel as stored. */
static void
note(struct store *s, const char *error, int64_t at, struct store_channel *c)
{
	struct sp_err	 err = { 0 };

	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_channel_note(s, "hub", error, at, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_channel_get(s, "hub", 1, c, &err), 0);
}

/*
 * A good round is kept to the minute: rounds within STORE_OK_AT_STEP of
 * the one kept write nothing; an error keeps the last good round, and the
 * good round after it is kept at once.
 */
static void
test_last_good_round_kept(void **state)
{
	struct store		*s = fresh("ok.db");
	struct store_channel	 c;

	(void)state;
	note(s, NULL, 1000, &c);
	assert_int_equal(c.ok_at, 1000);
	assert_null(c.error);
	note(s, NULL, 1000 + STORE_OK_AT_STEP - 1, &c);
	assert_int_equal(c.ok_at, 1000);
	note(s, NULL, 1000 + STORE_OK_AT_STEP, &c);
	assert_int_equal(c.ok_at, 1000 + STORE_OK_AT_STEP);
	note(s, "hub down", 1070, &c);
	assert_string_equal(c.error, "hub down");
	assert_int_equal(c.error_at, 1070);
	assert_int_equal(c.ok_at, 1000 + STORE_OK_AT_STEP);
	note(s, NULL, 1075, &c);
	assert_null(c.error);
	assert_int_equal(c.ok_at, 1075);
	store_close(s);
}

static int
setup(void **state)
{
	(void)state;
	return fixture_open("store");
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_missing_and_foreign),
		cmocka_unit_test(test_rollback_leaves_nothing),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_holidays_by_year),
		cmocka_unit_test(test_local_topics_keep_parents),
		cmocka_unit_test(test_backup_is_a_database),
		cmocka_unit_test(test_refused_counted_once),
		cmocka_unit_test(test_last_good_round_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
