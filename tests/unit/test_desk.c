/*
 * test_desk.c: the desk on a real store: ids, the cached fold in the
 * complaint row equals a rebuild from the stored events, auto-close writes
 * `closed` at the deadline, identity lives apart and is erased for good.
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

#include "core/err.h"
#include "core/util.h"
#include "exchange/desk.h"
#include "rules/complaint.h"
#include "rules/event.h"
#include "store/store.h"

#include "fixture.h"

static char	 title[] = "Jalan rusak";
static char	 body[] = "Berlubang";
static char	 text[] = "Sudah ditambal";
static char	 unit[] = "DPUPR";

static int64_t
T(const char *s)
{
	struct sp_err	 err = { 0 };
	int64_t		 t;

	if (util_time_parse(s, &t, NULL, &err) == -1)
		fail_msg("bad time %s", s);
	return t;
}

static int
group_setup(void **state)
{
	(void)state;
	return fixture_open("desk");
}

static int
group_teardown(void **state)
{
	(void)state;
	return fixture_close();
}

/* A fresh node database for each test: 33.21, a node that never signs. */
static int
setup(void **state)
{
	*state = fixture_node(NULL, "33.21", NULL);
	return 0;
}

static int
teardown(void **state)
{
	store_close(*state);
	return 0;
}

static void
record(struct store *s, int64_t now, const char *id, enum event_kind k)
{
	struct desk		 d;
	struct sp_err		 err = { 0 };
	struct complaint_state	 st;
	struct event		 e;

	memset(&e, 0, sizeof(e));
	e.kind = k;
	e.text = (k == EV_FOLLOWED_UP) ? text : NULL;
	e.unit = (k == EV_DISPATCHED) ? unit : NULL;
	if (store_begin(s, &err) == -1 ||
	    desk_init(&d, s, "desk", now, &err) == -1 ||
	    desk_load(&d, id, &st, &err) == -1 ||
	    desk_record(&d, &st, &e, &err) == -1 ||
	    store_commit(s, &err) == -1)
		fail_msg("%s %s: %s", id, event_kind_name(k), err.msg);
	desk_clear(&d);
}

static void
file(struct store *s, int64_t now, char id[40])
{
	struct desk		 d;
	struct sp_err		 err = { 0 };
	struct complaint_fields	 f;
	struct store_reporter	 r = { "Siti", "0812", NULL, 0 };

	memset(&f, 0, sizeof(f));
	f.type = CT_COMPLAINT;
	f.channel = CH_WEB;
	f.title = title;
	f.body = body;
	if (store_begin(s, &err) == -1 ||
	    desk_init(&d, s, "desk", now, &err) == -1 ||
	    desk_file(&d, &f, &r, id, &err) == -1 ||
	    store_commit(s, &err) == -1)
		fail_msg("file: %s", err.msg);
	desk_clear(&d);
}

/* The complaint row's cached fold equals a rebuild from its events. */
static void
same_as_rebuild(struct store *s, const char *id)
{
	struct desk		 d;
	struct sp_err		 err = { 0 };
	struct complaint_state	 st;
	struct store_complaint	 c;

	if (desk_init(&d, s, "desk", 0, &err) == -1 ||
	    desk_load(&d, id, &st, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(store_complaint_get(s, id, &c, &err), 1);
	assert_string_equal(c.status,
	    complaint_status_name(complaint_status(&st)));
	assert_string_equal(c.owner, st.owner);
	assert_int_equal(c.v, st.v);
	desk_clear(&d);
}

static void
test_ids_and_cache(void **state)
{
	struct store	*s = *state;
	char		 a[40], b[40];
	int64_t		 t = T("2026-03-02T08:00:00+07:00");
	struct sp_err	 err = { 0 };
	struct desk	 d;
	struct complaint_state st;

	file(s, t, a);
	assert_string_equal(a, "33.21-000001");
	same_as_rebuild(s, a);
	/* A refused filing rolls back: nothing is taken for good. */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(desk_init(&d, s, "desk", t, &err), 0);
	assert_int_equal(desk_load(&d, "33.21-000099", &st, &err), -1);
	assert_int_equal(err.code, SPE_NOT_FOUND);
	desk_clear(&d);
	store_rollback(s);
	file(s, t, b);
	assert_string_equal(b, "33.21-000002");
	record(s, t + 60, a, EV_VERIFIED);
	same_as_rebuild(s, a);
	record(s, t + 120, a, EV_DISPATCHED);
	record(s, t + 180, a, EV_FOLLOWED_UP);
	same_as_rebuild(s, a);
	same_as_rebuild(s, b);
}

static int
count(void *arg, const struct event *e)
{
	int	*n = arg;

	(void)e;
	(*n)++;
	return 0;
}

static void
test_autoclose(void **state)
{
	struct store		*s = *state;
	struct sp_err		 err = { 0 };
	struct desk		 d;
	struct complaint_state	 st;
	char			 id[40], at[UTIL_TIME_LEN];
	int64_t			 t = T("2026-03-02T08:00:00+07:00");
	int			 n = 0;

	file(s, t, id);
	record(s, t, id, EV_VERIFIED);
	record(s, t + 3600, id, EV_FOLLOWED_UP);
	/* Ten working days after Monday 09:00 is Monday two weeks on. */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(desk_init(&d, s, "desk",
	    T("2026-03-16T08:59:59+07:00"), &err), 0);
	assert_int_equal(desk_autoclose(&d, &err), 0);
	desk_clear(&d);
	assert_int_equal(desk_init(&d, s, "desk",
	    T("2026-03-20T12:00:00+07:00"), &err), 0);
	assert_int_equal(desk_autoclose(&d, &err), 1);
	assert_int_equal(desk_autoclose(&d, &err), 0);	/* once */
	assert_int_equal(desk_load(&d, id, &st, &err), 0);
	assert_int_equal(complaint_status(&st), CS_CLOSED);
	util_time_format(st.facts.stop, 420, at);
	assert_string_equal(at, "2026-03-16T09:00:00+07:00");
	desk_clear(&d);
	assert_int_equal(store_commit(s, &err), 0);
	same_as_rebuild(s, id);
	assert_int_equal(store_event_each(s, id, count, &n, &err), 0);
	assert_int_equal(n, 4);
}

static void
test_identity(void **state)
{
	struct store		*s = *state;
	struct sp_err		 err = { 0 };
	struct store_reporter	 r;
	char			 id[40];
	int			 before = 0, after = 0;

	file(s, T("2026-03-02T08:00:00+07:00"), id);
	assert_int_equal(store_reporter_get(s, id, &r, &err), 1);
	assert_string_equal(r.name, "Siti");
	assert_int_equal(store_event_each(s, id, count, &before, &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_reporter_erase(s, id, 1, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_reporter_get(s, id, &r, &err), 1);
	assert_null(r.name);
	assert_null(r.contact);
	assert_int_equal(r.erased_at, 1);
	assert_int_equal(store_event_each(s, id, count, &after, &err), 0);
	assert_int_equal(before, after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_and_cache, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_autoclose, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
