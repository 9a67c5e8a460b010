/* test_fmt.c: JSON and XML output, nesting and escaping, byte for byte. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/fmt.h"

static const char	*nasty = "a\"b\\c\nd\te\x01<f>&'g\r";

/* Write a list of two objects, one with a nested list, into a string. */
static char *
render(enum fmt_kind kind)
{
	struct fmt	 w;
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*f;

	if ((f = open_memstream(&out, &len)) == NULL)
		fail();
	fmt_init(&w, f, kind);
	fmt_list_begin(&w, "complaints", "complaint");
	fmt_obj_begin(&w, "complaint");
	fmt_str(&w, "id", "33.21-000001");
	fmt_str(&w, "title", nasty);
	fmt_str(&w, "category", NULL);
	fmt_int(&w, "v", 3);
	fmt_bool(&w, "confidential", 1);
	fmt_time(&w, "at", 1764295200, 420);
	fmt_time(&w, "met", 0, 420);
	fmt_list_begin(&w, "events", "event");
	fmt_obj_begin(&w, "event");
	fmt_str(&w, "kind", "filed");
	fmt_obj_end(&w, "event");
	fmt_obj_begin(&w, "event");
	fmt_str(&w, "kind", "verified");
	fmt_obj_end(&w, "event");
	fmt_list_end(&w, "events");
	fmt_obj_end(&w, "complaint");
	fmt_obj_begin(&w, "complaint");
	fmt_str(&w, "id", "33.21-000002");
	fmt_obj_end(&w, "complaint");
	fmt_list_end(&w, "complaints");
	fmt_end(&w);
	fclose(f);
	return out;
}

static void
test_json(void **state)
{
	char	*out;

	(void)state;
	out = render(FMT_JSON);
	assert_string_equal(out, "[\n"
	    "{\"id\":\"33.21-000001\","
	    "\"title\":\"a\\\"b\\\\c\\nd\\te\\u0001<f>&'g\\r\","
	    "\"category\":null,\"v\":3,\"confidential\":true,"
	    "\"at\":\"2025-11-28T09:00:00+07:00\",\"met\":null,"
	    "\"events\":[{\"kind\":\"filed\"},{\"kind\":\"verified\"}]},\n"
	    "{\"id\":\"33.21-000002\"}\n"
	    "]\n");
	free(out);
}

static void
test_xml(void **state)
{
	char	*out;

	(void)state;
	out = render(FMT_XML);
	assert_string_equal(out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<complaints>\n"
	    "<complaint><id>33.21-000001</id>"
	    "<title>a&quot;b\\c\nd\te&lt;f&gt;&amp;'g&#13;</title>"
	    "<category></category><v>3</v><confidential>true</confidential>"
	    "<at>2025-11-28T09:00:00+07:00</at><met></met>"
	    "<events><event><kind>filed</kind></event>"
	    "<event><kind>verified</kind></event></events></complaint>\n"
	    "<complaint><id>33.21-000002</id></complaint>\n"
	    "</complaints>\n");
	free(out);
}

static void
test_empty_and_parse(void **state)
{
	struct fmt	 w;
	enum fmt_kind	 k;
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*f;

	(void)state;
	f = open_memstream(&out, &len);
	fmt_init(&w, f, FMT_JSON);
	fmt_list_begin(&w, "complaints", "complaint");
	fmt_list_end(&w, "complaints");
	fmt_end(&w);
	fclose(f);
	assert_string_equal(out, "[\n]\n");
	free(out);
	assert_int_equal(fmt_parse("xml", &k), 0);
	assert_int_equal(k, FMT_XML);
	assert_int_equal(fmt_parse("csv", &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_empty_and_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
