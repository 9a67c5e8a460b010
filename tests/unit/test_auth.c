/*
 * test_auth.c: the web desk's passwords: an Argon2id hash verifies its
 * own password only, two hashes of one password differ (their salts), the
 * policy refuses what users.h says, and an account's fields are checked.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "web/auth.h"
#include "web/users.h"

static void
test_hash_verifies_its_password_only(void **state)
{
	struct sp_err	 err = { 0 };
	char		 a[AUTH_HASH_MAX], b[AUTH_HASH_MAX];

	(void)state;
	assert_int_equal(users_password("siti", "rahasia-sekali-2026", a,
	    &err), 0);
	assert_int_equal(users_password("siti", "rahasia-sekali-2026", b,
	    &err), 0);
	assert_int_equal(strncmp(a, "$argon2id$", 10), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_verify(a, "rahasia-sekali-2026"), 1);
	assert_int_equal(auth_verify(b, "rahasia-sekali-2026"), 1);
	assert_int_equal(auth_verify(a, "rahasia-sekali-2027"), 0);
	assert_int_equal(auth_verify(a, ""), 0);
	assert_int_equal(auth_verify("$argon2id$garbage", "x"), 0);
}

static void
test_policy(void **state)
{
	char		 h[AUTH_HASH_MAX], big[USERS_PASSWORD_MAX + 2];
	struct sp_err	 err = { 0 };

	(void)state;
	assert_int_equal(users_password("siti", "elevenbytes", h, &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	assert_string_equal(err.msg, "the password must be 12 to 128 bytes "
	    "long (it is 11)");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err = (struct sp_err){ 0 };
	assert_int_equal(users_password("siti", big, h, &err), -1);
	err = (struct sp_err){ 0 };
	assert_int_equal(users_password("ani.rahmawati", "ani.rahmawati", h,
	    &err), -1);
	assert_string_equal(err.msg, "the password must not be the login");
	err = (struct sp_err){ 0 };
	assert_int_equal(users_password("siti", "twelve bytes\xff", h, &err),
	    -1);
	assert_string_equal(err.msg, "the password must be UTF-8 on one line");
	big[USERS_PASSWORD_MAX] = '\0';
	err = (struct sp_err){ 0 };
	assert_int_equal(users_password("siti", big, h, &err), 0);
}

static void
test_account_fields(void **state)
{
	struct users_new	 u = { "budi", "Budi Santoso", "liaison",
	    "Dinas PU" };
	struct sp_err		 err = { 0 };

	(void)state;
	assert_int_equal(users_check(&u, &err), 0);
	u.unit = NULL;
	assert_int_equal(users_check(&u, &err), -1);
	assert_string_equal(err.msg, "a liaison officer answers for a unit: "
	    "give --unit");
	u.role = "officer";
	err = (struct sp_err){ 0 };
	assert_int_equal(users_check(&u, &err), 0);
	u.login = "budi santoso";
	assert_int_equal(users_check(&u, &err), -1);
	u.login = "b";
	u.role = "Admin";
	err = (struct sp_err){ 0 };
	assert_int_equal(users_check(&u, &err), -1);
	assert_string_equal(err.msg, "role 'Admin' is not admin, officer, "
	    "liaison or auditor");
}

static int
setup(void **state)
{
	struct sp_err	 err = { 0 };

	(void)state;
	return auth_init(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verifies_its_password_only),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_account_fields),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
