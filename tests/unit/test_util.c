/*
 * test_util.c: times, dates, node codes, UTF-8, bounded buffers, errors,
 * and output folders (in the shared fixture's scratch folder).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"

#include "fixture.h"

static void
test_time_roundtrip(void **state)
{
	struct sp_err	 err = { 0 };
	int64_t		 t;
	int		 off;
	char		 out[UTIL_TIME_LEN];

	(void)state;
	assert_int_equal(util_time_parse("2026-11-28T09:00:00+07:00", &t,
	    &off, &err), 0);
	assert_int_equal(off, 420);
	assert_int_equal(t, 1795831200);
	util_time_format(t, 420, out);
	assert_string_equal(out, "2026-11-28T09:00:00+07:00");
	util_time_format(t, 0, out);
	assert_string_equal(out, "2026-11-28T02:00:00Z");
	util_time_format(t, -150, out);
	assert_string_equal(out, "2026-11-27T23:30:00-02:30");
	/* a year end and a leap day */
	assert_int_equal(util_time_parse("2028-02-29T23:59:59Z", &t, NULL,
	    &err), 0);
	util_time_format(t + 1, 540, out);
	assert_string_equal(out, "2028-03-01T09:00:00+09:00");
}

static void
test_time_refused(void **state)
{
	static const char	*bad[] = { "2026-11-28T09:00:00", "2026-11-28",
	    "2026-02-29T00:00:00Z", "2026-11-28T24:00:00Z",
	    "2026-11-28T09:00:00.5Z", "2026-11-28 09:00:00Z", "",
	    "2026-11-28T09:00:00+7:00" };
	size_t			 i;
	int64_t			 t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sp_err	 err = { 0 };

		assert_int_equal(util_time_parse(bad[i], &t, NULL, &err), -1);
		assert_int_equal(err.code, SPE_INVALID);
		assert_non_null(strstr(err.msg, "RFC 3339"));
	}
}

static void
test_dates(void **state)
{
	struct sp_err	 err = { 0 };
	int64_t		 day;
	char		 out[11];

	(void)state;
	assert_int_equal(util_date_parse("1970-01-01", &day, &err), 0);
	assert_int_equal(day, 0);
	assert_int_equal(util_date_parse("2026-12-31", &day, &err), 0);
	util_date_format(day + 1, out);
	assert_string_equal(out, "2027-01-01");
	assert_int_equal(util_date_parse("2026-13-01", &day, &err), -1);
	assert_string_equal(err.msg,
	    "'2026-13-01' is not a date (YYYY-MM-DD)");
}

static void
test_node_codes(void **state)
{
	(void)state;
	assert_true(util_node_code_valid("hub"));
	assert_true(util_node_code_valid("33"));
	assert_true(util_node_code_valid("33.21"));
	assert_true(util_node_code_valid("33.21.01.20"));
	assert_false(util_node_code_valid("33.21.01.2001"));
	assert_false(util_node_code_valid("33.21.01.20.01"));
	assert_false(util_node_code_valid("3"));
	assert_false(util_node_code_valid("33."));
	assert_false(util_node_code_valid("33.2"));
	assert_false(util_node_code_valid("HUB"));
	assert_false(util_node_code_valid(""));
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(util_utf8_valid("Jalan rusak di Desa Bintoro", 27));
	assert_true(util_utf8_valid("caf\xc3\xa9\n", 6));
	assert_false(util_utf8_valid("\xc3\x28", 2));
	assert_false(util_utf8_valid("\xc0\xaf", 2));
	assert_false(util_utf8_valid("\xed\xa0\x80", 3));
	assert_false(util_utf8_valid("a\x01" "b", 3));
}

static void
test_parse_int(void **state)
{
	struct sp_err	 err = { 0 };
	long long	 v;

	(void)state;
	assert_int_equal(util_parse_int("24", 1, 720, &v, "hours", &err), 0);
	assert_int_equal(v, 24);
	assert_int_equal(util_parse_int("0", 1, 720, &v, "hours", &err), -1);
	assert_string_equal(err.msg, "hours: 0 is out of range 1..720");
	sp_err_clear(&err);
	assert_int_equal(util_parse_int("2x", 1, 720, &v, "hours", &err), -1);
	assert_string_equal(err.msg, "hours: '2x' is not a number");
}

static void
test_buf_limit(void **state)
{
	struct sp_err	 err = { 0 };
	struct buf	 b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "12345", &err), 0);
	assert_int_equal(buf_addstr(&b, "678", &err), 0);
	assert_string_equal((char *)b.data, "12345678");
	assert_int_equal(buf_addstr(&b, "9", &err), -1);
	assert_int_equal(err.code, SPE_TOO_LARGE);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_err_first_wins(void **state)
{
	struct sp_err	 err = { 0 };

	(void)state;
	assert_int_equal(sp_errf(&err, SPE_SCHEMA, "first\n"), -1);
	sp_errf(&err, SPE_IO, "second");
	assert_int_equal(err.code, SPE_SCHEMA);
	assert_string_equal(err.msg, "first");
	assert_int_equal(sp_code_exit(SPE_SCHEMA), 1);
	assert_int_equal(sp_code_exit(SPE_USAGE), 2);
	assert_int_equal(sp_code_exit(SPE_LOCKED), 3);
	assert_int_equal(sp_code_http(SPE_TOO_LARGE), 413);
	assert_int_equal(sp_code_by_name("seq-gap"), SPE_SEQ_GAP);
	assert_string_equal(sp_code_name(SPE_EQUIVOCATION), "equivocation");
}

static void
test_base64(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	struct sp_err	 err = { 0 };
	struct buf	 b;
	char		 enc[16];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		util_b64((const uint8_t *)in[i], strlen(in[i]), enc);
		assert_string_equal(enc, out[i]);
		buf_init(&b, 64);
		assert_int_equal(util_unb64(out[i], &b, &err), 0);
		assert_int_equal(b.len, strlen(in[i]));
		assert_memory_equal(b.data, in[i], b.len);
		buf_clear(&b);
	}
	buf_init(&b, 64);
	assert_int_equal(util_unb64("Zm9v\nYmFy", &b, &err), 0);
	assert_int_equal(b.len, 6);
	buf_clear(&b);
	buf_init(&b, 64);
	assert_int_equal(util_unb64("Zm9v!", &b, &err), -1);
	assert_int_equal(err.code, SPE_MALFORMED);
	buf_clear(&b);
}

/* mkdir -p: parents, odd slashes, a folder already there; never a file. */
static void
test_mkdir_p(void **state)
{
	struct sp_err	 err = { 0 };
	struct stat	 st;
	char		*deep = fixture_path("a/b//c/");
	char		*file = fixture_path("file"), *under;
	FILE		*f;

	(void)state;
	assert_int_equal(util_mkdir_p(deep, &err), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 022, 0);
	assert_int_equal(util_mkdir_p(deep, &err), 0);		/* again */
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	assert_int_equal(util_mkdir_p(file, &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	sp_err_clear(&err);
	under = fixture_path("file/sub");
	assert_int_equal(util_mkdir_p(under, &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	assert_non_null(strstr(err.msg, "cannot create the folder "));
	assert_non_null(strstr(err.msg, "file/sub: Not a directory"));
	free(under);
	free(file);
	free(deep);
}

static int
setup(void **state)
{
	(void)state;
	return fixture_open("util");
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
		cmocka_unit_test(test_time_roundtrip),
		cmocka_unit_test(test_time_refused),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_node_codes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_buf_limit),
		cmocka_unit_test(test_err_first_wins),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_mkdir_p),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
