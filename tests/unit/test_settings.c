/* test_settings.c: identity checks, defaults, validation, read-only keys. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "exchange/settings.h"
#include "store/store.h"

#include "fixture.h"

static const struct settings_identity demak = {
	.code = "33.21", .name = "Kabupaten Demak", .role = "regency",
	.cert = "/c.pem", .key = "/k.pem", .ca = "/ca.pem", .zone = "WIB",
	.instance = "00112233445566778899aabbccddeeff",
};

static void
test_identity_checks(void **state)
{
	struct settings_identity	 id = demak;
	struct sp_err			 err = { 0 };

	(void)state;
	assert_int_equal(settings_identity_check(&id, &err), 0);
	id.role = "hub";
	assert_int_equal(settings_identity_check(&id, &err), -1);
	assert_string_equal(err.msg,
	    "the hub's code is hub and only the hub has role hub");
	sp_err_clear(&err);
	id.code = "hub";
	assert_int_equal(settings_identity_check(&id, &err), 0);
	id.role = "regency";
	assert_int_equal(settings_identity_check(&id, &err), -1);
	sp_err_clear(&err);
	id = demak;
	id.name = "";
	assert_int_equal(settings_identity_check(&id, &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	sp_err_clear(&err);
	id = demak;
	id.hub = "ftp://hub";
	assert_int_equal(settings_identity_check(&id, &err), -1);
	assert_string_equal(err.msg, "hub: 'ftp://hub' is not an https:// URL");
}

static void
test_defaults_and_set(void **state)
{
	char		*path = fixture_path("s.db"), *v;
	struct sp_err	 err = { 0 };
	struct store	*s;
	long long	 n;

	(void)state;
	assert_non_null(s = store_open(path, STORE_CREATE, &err));
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(settings_init(s, &demak, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);

	assert_int_equal(settings_get_int(s, "target.hours", &n, &err), 0);
	assert_int_equal(n, 24);
	assert_int_equal(settings_get(s, "node.zone", &v, &err), 0);
	assert_string_equal(v, "WIB");
	free(v);
	assert_int_equal(settings_get(s, "node.hub", &v, &err), 0);
	assert_string_equal(v, "");
	free(v);

	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(settings_set(s, "node.zone", "WITA", &err), 0);
	assert_int_equal(settings_set(s, "node.instance", "x", &err), -1);
	assert_int_equal(err.code, SPE_PERMISSION);
	sp_err_clear(&err);
	assert_int_equal(settings_set(s, "limit.batch_bytes", "2000000",
	    &err), -1);
	assert_string_equal(err.msg,
	    "limit.batch_bytes: 2000000 is out of range 65536..1048576");
	sp_err_clear(&err);
	assert_int_equal(settings_set(s, "nope", "1", &err), -1);
	assert_int_equal(err.code, SPE_NOT_FOUND);
	sp_err_clear(&err);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(settings_zone_offset("WITA"), 480);
	assert_int_equal(settings_zone_offset("WIT"), 540);
	assert_int_equal(settings_zone_offset("CET"), -1);
	assert_int_equal(settings_get(s, "node.zone", &v, &err), 0);
	assert_string_equal(v, "WITA");
	free(v);
	store_close(s);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	return fixture_open("settings");
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
		cmocka_unit_test(test_identity_checks),
		cmocka_unit_test(test_defaults_and_set),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
