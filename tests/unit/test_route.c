/* test_route.c: every routing rule of DESIGN §5, on a complaint filed in
 * Demak, forwarded to Tegal, forwarded on to Brebes, and returned. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "rules/event.h"
#include "rules/route.h"

#define DEMAK	"33.21"
#define TEGAL	"33.28"
#define BREBES	"33.29"

static struct event
ev(const char *author, enum event_kind kind, const char *to)
{
	struct event	 e;

	memset(&e, 0, sizeof(e));
	snprintf(e.author, sizeof(e.author), "%s", author);
	e.kind = kind;
	if (to != NULL)
		snprintf(e.to, sizeof(e.to), "%s", to);
	return e;
}

/* Destinations as one string, "a b c", for compact assertions. */
static const char *
dest(const struct route_set *inv, const char *self, const char *hub)
{
	static char	 out[256];
	struct route_set d;
	size_t		 i;

	route_destinations(inv, self, hub, &d);
	out[0] = '\0';
	for (i = 0; i < d.n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, d.node[i]);
	}
	return out;
}

static void
involve(struct route_set *inv, const struct event *e, const char *want)
{
	struct sp_err	 err = { 0 };
	const char	*newcomer;
	int		 rc;

	rc = route_involve(inv, e, &newcomer, &err);
	if (want == NULL) {
		assert_int_equal(rc, 0);
		assert_null(newcomer);
	} else {
		assert_int_equal(rc, 1);
		assert_string_equal(newcomer, want);
	}
}

static void
test_filed_goes_to_the_hub(void **state)
{
	struct route_set inv;
	struct event	 e = ev(DEMAK, EV_FILED, NULL);

	(void)state;
	route_set_init(&inv);
	involve(&inv, &e, DEMAK);
	assert_string_equal(dest(&inv, DEMAK, "hub"), "hub");
	/* no hub configured: a standalone node sends nothing */
	assert_string_equal(dest(&inv, DEMAK, NULL), "");
}

static void
test_forward_twice_and_return(void **state)
{
	struct route_set inv;
	struct event	 e;

	(void)state;
	route_set_init(&inv);
	e = ev(DEMAK, EV_FILED, NULL);
	involve(&inv, &e, DEMAK);
	e = ev(DEMAK, EV_VERIFIED, NULL);
	involve(&inv, &e, NULL);
	e = ev(DEMAK, EV_FORWARDED, TEGAL);
	involve(&inv, &e, TEGAL);
	/* Demak backfills its earlier events to Tegal */
	assert_true(route_backfill(TEGAL, DEMAK, "hub"));
	assert_string_equal(dest(&inv, DEMAK, "hub"), TEGAL " hub");
	assert_string_equal(dest(&inv, TEGAL, "hub"), DEMAK " hub");

	e = ev(TEGAL, EV_FORWARDED, BREBES);
	involve(&inv, &e, BREBES);
	/* both earlier authors backfill to Brebes; Brebes does not */
	assert_true(route_backfill(BREBES, DEMAK, "hub"));
	assert_true(route_backfill(BREBES, TEGAL, "hub"));
	assert_false(route_backfill(BREBES, BREBES, "hub"));
	assert_string_equal(dest(&inv, BREBES, "hub"), DEMAK " " TEGAL " hub");
	assert_string_equal(dest(&inv, DEMAK, "hub"), TEGAL " " BREBES " hub");

	/* returned: ownership goes back, nobody new is involved */
	e = ev(BREBES, EV_RETURNED, NULL);
	involve(&inv, &e, NULL);
	/* forwarding again to a node already involved brings no newcomer */
	e = ev(TEGAL, EV_FORWARDED, BREBES);
	involve(&inv, &e, NULL);
	assert_int_equal(inv.n, 3);
}

static void
test_annotations_do_not_involve(void **state)
{
	struct route_set inv;
	struct event	 e;
	enum event_kind	 k;

	(void)state;
	route_set_init(&inv);
	for (k = 0; k < EV_MAX; k++) {
		if (k == EV_FILED || k == EV_FORWARDED)
			continue;
		e = ev(TEGAL, k, DEMAK);
		involve(&inv, &e, NULL);
	}
	assert_int_equal(inv.n, 0);
}

static void
test_hub_and_limits(void **state)
{
	struct route_set inv;
	struct sp_err	 err = { 0 };
	char		 code[16];
	int		 i;

	(void)state;
	/* the hub already holds every log: no backfill to it */
	assert_false(route_backfill("hub", DEMAK, "hub"));
	route_set_init(&inv);
	for (i = 0; i < ROUTE_MAX; i++) {
		snprintf(code, sizeof(code), "33.%02d", i + 1);
		assert_int_equal(route_set_add(&inv, code, &err), 1);
	}
	assert_int_equal(route_set_add(&inv, "34", &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	/* a full set still reaches the hub, and the hub never itself */
	assert_int_equal(strlen(dest(&inv, "35", "hub")),
	    (size_t)ROUTE_MAX * 6 + 3);
	assert_null(strstr(dest(&inv, "hub", "hub"), "hub"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filed_goes_to_the_hub),
		cmocka_unit_test(test_forward_twice_and_return),
		cmocka_unit_test(test_annotations_do_not_involve),
		cmocka_unit_test(test_hub_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
