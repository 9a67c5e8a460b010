/*
 * cmd_category.c: `simpul category load [--local] FILE | list`.  A topic
 * file has one topic per line: CODE, PARENT (or -), TIER and NAME separated
 * by tabs; a parent comes before its children.  The national list
 * replaces the national topics and keeps the node's own subtopics, which
 * must still find their parents; --local replaces only the node's own
 * subtopics.  All in one transaction.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define TOPICS_MAX	(4 * 1024 * 1024)

static int
code_valid(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Split one line into a topic; fields point into line. */
static int
parse_line(char *line, int local, struct store_category *c,
    const char *where, struct sp_err *err)
{
	char		*f[4], *p = line;
	long long	 tier;
	int		 i;
	struct sp_err	 terr = { 0 };

	for (i = 0; i < 4; i++)
		if ((f[i] = strsep(&p, "\t")) == NULL)
			return sp_errf(err, SPE_INVALID, "%s: expected CODE, "
			    "PARENT, TIER and NAME separated by tabs", where);
	if (p != NULL)
		return sp_errf(err, SPE_INVALID, "%s: more than four fields",
		    where);
	if (!code_valid(f[0]))
		return sp_errf(err, SPE_INVALID, "%s: code '%s' is not 1 to 32 "
		    "of A-Z a-z 0-9 . - _", where, f[0]);
	if (strcmp(f[1], "-") != 0 && !code_valid(f[1]))
		return sp_errf(err, SPE_INVALID, "%s: parent '%s' is not a "
		    "code or -", where, f[1]);
	if (util_parse_int(f[2], 2, 60, &tier, "tier", &terr) == -1 ||
	    (tier != 2 && tier != 5 && tier != 14 && tier != 60))
		return sp_errf(err, SPE_INVALID, "%s: tier '%s' is not 2, 5, "
		    "14 or 60 working days", where, f[2]);
	if (f[3][0] == '\0' || strlen(f[3]) > 200)
		return sp_errf(err, SPE_INVALID, "%s: name must be 1 to 200 "
		    "bytes", where);
	if (local && strcmp(f[1], "-") == 0)
		return sp_errf(err, SPE_INVALID, "%s: a local subtopic hangs "
		    "under a national topic: give its PARENT", where);
	c->code = f[0];
	c->parent = strcmp(f[1], "-") == 0 ? NULL : f[1];
	c->tier = (int)tier;
	c->name = f[3];
	c->local = local;
	return 0;
}

struct parent_check {
	struct store	*store;
	const char	*path;
	struct sp_err	*err;
};

/* Each topic's parent exists (checked before commit). */
static int
check_parent(void *arg, const struct store_category *c)
{
	struct parent_check	*pc = arg;
	struct store_category	 p;
	char			*code, *parent;
	int			 found;

	if (c->parent == NULL)
		return 0;
	code = xstrdup(c->code);
	parent = xstrdup(c->parent);
	if ((found = store_category_get(pc->store, parent, &p, pc->err)) == 0)
		sp_errf(pc->err, SPE_INVALID, "%s: topic %s hangs under %s, "
		    "which is not in the list; nothing loaded", pc->path, code,
		    parent);
	free(code);
	free(parent);
	return found == 1 ? 0 : -1;
}

static int
load(struct cli *cli, const char *path, int local, struct sp_err *err)
{
	struct store_category	 c, old;
	struct parent_check	 pc;
	struct buf		 b;
	char			*p, *line, where[512];
	size_t			 lineno = 0, n = 0, len;
	int			 rc = -1, found;

	if (util_read_file(path, TOPICS_MAX, &b, err) == -1)
		return -1;
	if (!util_utf8_valid((char *)b.data, b.len)) {
		sp_errf(err, SPE_INVALID, "%s: not UTF-8 text", path);
		goto out;
	}
	if (cli_begin_local(cli, err) == -1 ||
	    store_category_clear(cli->store, local, err) == -1)
		goto out;
	p = (char *)b.data;
	while ((line = strsep(&p, "\n")) != NULL) {
		lineno++;
		if ((len = strlen(line)) > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (parse_line(line, local, &c, where, err) == -1)
			goto out;
		if ((found = store_category_get(cli->store, c.code, &old,
		    err)) != 0) {
			if (found == 1)
				sp_errf(err, SPE_INVALID, "%s: topic %s is "
				    "already in the list", where, c.code);
			goto out;
		}
		if (c.parent != NULL && (found = store_category_get(cli->store,
		    c.parent, &old, err)) != 1) {
			if (found == 0)
				sp_errf(err, SPE_INVALID, "%s: parent %s is "
				    "not listed before %s", where, c.parent,
				    c.code);
			goto out;
		}
		if (store_category_add(cli->store, &c, err) == -1)
			goto out;
		n++;
	}
	pc.store = cli->store;
	pc.path = path;
	pc.err = err;
	if (store_category_each(cli->store, check_parent, &pc, err) == -1)
		goto out;
	if (cli_commit(cli, err) == -1)
		goto out;
	printf("loaded %zu %s topics from %s\n", n, local ? "local" :
	    "national", path);
	rc = 0;
out:
	buf_clear(&b);
	return rc;
}

static int
print_topic(void *arg, const struct store_category *c)
{
	(void)arg;
	printf("%-12s %-10s %2d  %s%s\n", c->code, c->parent ? c->parent : "-",
	    c->tier, c->name, c->local ? " (local)" : "");
	return 0;
}

int
cmd_category(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (argc == 3 && strcmp(argv[1], "load") == 0)
		return load(cli, argv[2], 0, err);
	if (argc == 4 && strcmp(argv[1], "load") == 0 &&
	    strcmp(argv[2], "--local") == 0)
		return load(cli, argv[3], 1, err);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		printf("%-12s %-10s %2s  %s\n", "CODE", "PARENT", "TIER",
		    "NAME");
		return store_category_each(cli->store, print_topic, NULL, err);
	}
	return cli_usage_err("category", err, "expected load [--local] FILE "
	    "or list");
}
