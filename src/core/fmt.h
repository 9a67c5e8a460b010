/*
 * fmt.h: structured output as JSON or XML from one sequence of calls, so a
 * command describes its output once.  Objects hold named fields and lists;
 * lists hold objects.  In XML an object is an element, a field a child
 * element, a list an element around its items.  Table output is each
 * command's own (it is for people, not parsers).
 */
#ifndef SIMPUL_FMT_H
#define SIMPUL_FMT_H

#include <stdint.h>
#include <stdio.h>

enum fmt_kind { FMT_TABLE, FMT_JSON, FMT_XML };

#define FMT_DEPTH	8

struct fmt {
	FILE		*f;
	enum fmt_kind	 kind;
	int		 depth;
	int		 toplist;		/* the document is a list */
	int		 count[FMT_DEPTH];	/* items at each depth */
	const char	*item[FMT_DEPTH];	/* XML name of a list's items */
};

/* "table", "json" or "xml"; -1 for anything else. */
int	 fmt_parse(const char *, enum fmt_kind *);
void	 fmt_init(struct fmt *, FILE *, enum fmt_kind);
/*
 * A list: top level when name is its XML root (JSON: a bare array), or a
 * field of the current object.  item names its objects in XML.
 */
void	 fmt_list_begin(struct fmt *, const char *name, const char *item);
void	 fmt_list_end(struct fmt *, const char *name);
/* An object: at top level, or as an item of the current list. */
void	 fmt_obj_begin(struct fmt *, const char *name);
/* An object as the field key of the current object; end: fmt_obj_end. */
void	 fmt_obj_field(struct fmt *, const char *key);
void	 fmt_obj_end(struct fmt *, const char *name);
/* A string field; NULL writes null (JSON) or an empty element (XML). */
void	 fmt_str(struct fmt *, const char *key, const char *value);
void	 fmt_int(struct fmt *, const char *key, long long);
void	 fmt_bool(struct fmt *, const char *key, int);
/* A time in RFC 3339 at offset minutes; 0 writes null. */
void	 fmt_time(struct fmt *, const char *key, int64_t, int offset);
/* Close the document (a newline). */
void	 fmt_end(struct fmt *);

/* The escapers, for tests and table output. */
void	 fmt_json_string(FILE *, const char *);
void	 fmt_xml_text(FILE *, const char *);

#endif
