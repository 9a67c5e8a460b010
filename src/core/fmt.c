/*
 * fmt.c: the JSON and XML writers.  It owns escaping: every string is
 * escaped here and nowhere else (JSON: quote, backslash and every control
 * character; XML: & < > " and the control characters XML 1.0 cannot carry,
 * which util_utf8_valid already keeps out of stored text).  It does not
 * decide what is shown (privacy is the caller's) or lay out tables.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/fmt.h"
#include "core/util.h"

int
fmt_parse(const char *s, enum fmt_kind *k)
{
	if (strcmp(s, "table") == 0)
		*k = FMT_TABLE;
	else if (strcmp(s, "json") == 0)
		*k = FMT_JSON;
	else if (strcmp(s, "xml") == 0)
		*k = FMT_XML;
	else
		return -1;
	return 0;
}

void
fmt_json_string(FILE *f, const char *s)
{
	const unsigned char	*p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
			break;
		}
	}
	fputc('"', f);
}

void
fmt_xml_text(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\r':
			fputs("&#13;", f);
			break;
		default:
			/* Not representable in XML 1.0: dropped, never sent. */
			if (*p < 0x20 && *p != '\t' && *p != '\n')
				break;
			fputc(*p, f);
			break;
		}
	}
}

void
fmt_init(struct fmt *w, FILE *f, enum fmt_kind kind)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->kind = kind;
	if (kind == FMT_XML)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
}

/* Separate this item from the previous one at the current depth. */
static void
sep(struct fmt *w)
{
	if (w->count[w->depth]++ == 0 || w->kind != FMT_JSON)
		return;
	fputc(',', w->f);
	if (w->depth == 1 && w->toplist)
		fputc('\n', w->f);	/* one complaint per line */
}

static void
key(struct fmt *w, const char *k)
{
	sep(w);
	if (w->kind == FMT_JSON) {
		fmt_json_string(w->f, k);
		fputc(':', w->f);
	} else
		fprintf(w->f, "<%s>", k);
}

static void
push(struct fmt *w, const char *item)
{
	if (w->depth + 1 < FMT_DEPTH)
		w->depth++;
	w->count[w->depth] = 0;
	w->item[w->depth] = item;
}

void
fmt_list_begin(struct fmt *w, const char *name, const char *item)
{
	if (w->depth == 0) {
		w->toplist = 1;
		fputs(w->kind == FMT_JSON ? "[\n" : "<", w->f);
		if (w->kind == FMT_XML)
			fprintf(w->f, "%s>\n", name);
	} else if (w->kind == FMT_JSON) {
		key(w, name);
		fputc('[', w->f);
	} else {
		sep(w);
		fprintf(w->f, "<%s>", name);
	}
	push(w, item);
}

void
fmt_list_end(struct fmt *w, const char *name)
{
	int	 n = w->count[w->depth];

	w->depth--;
	if (w->kind == FMT_JSON)
		fputs(w->depth == 0 && n > 0 ? "\n]" : "]", w->f);
	else
		fprintf(w->f, "</%s>", name);
}

/* The XML name of an object: its list's item name, or its own. */
static const char *
obj_name(const struct fmt *w, const char *name)
{
	if (w->depth > 0 && w->item[w->depth] != NULL)
		return w->item[w->depth];
	return name;
}

void
fmt_obj_begin(struct fmt *w, const char *name)
{
	sep(w);
	if (w->kind == FMT_JSON)
		fputc('{', w->f);
	else
		fprintf(w->f, "<%s>", obj_name(w, name));
	push(w, NULL);
}

void
fmt_obj_field(struct fmt *w, const char *k)
{
	key(w, k);
	if (w->kind == FMT_JSON)
		fputc('{', w->f);
	push(w, NULL);
}

void
fmt_obj_end(struct fmt *w, const char *name)
{
	w->depth--;
	if (w->kind == FMT_JSON)
		fputc('}', w->f);
	else {
		fprintf(w->f, "</%s>", obj_name(w, name));
		if (w->depth == 1 && w->toplist)
			fputc('\n', w->f);
	}
}

static void
close_key(struct fmt *w, const char *k)
{
	if (w->kind == FMT_XML)
		fprintf(w->f, "</%s>", k);
}

void
fmt_str(struct fmt *w, const char *k, const char *v)
{
	key(w, k);
	if (w->kind == FMT_JSON)
		fmt_json_string(w->f, v);
	else if (v != NULL)
		fmt_xml_text(w->f, v);
	close_key(w, k);
}

void
fmt_int(struct fmt *w, const char *k, long long v)
{
	key(w, k);
	fprintf(w->f, "%lld", v);
	close_key(w, k);
}

void
fmt_bool(struct fmt *w, const char *k, int v)
{
	key(w, k);
	fputs(v ? "true" : "false", w->f);
	close_key(w, k);
}

void
fmt_time(struct fmt *w, const char *k, int64_t t, int offset)
{
	char	 buf[UTIL_TIME_LEN];

	if (t == 0) {
		fmt_str(w, k, NULL);
		return;
	}
	util_time_format(t, offset, buf);
	fmt_str(w, k, buf);
}

void
fmt_end(struct fmt *w)
{
	fputc('\n', w->f);
}
