/*
 * cmd_calendar.c: `simpul calendar load FILE | list [YEAR]`.  A calendar
 * file has one non-working day per line, "YYYY-MM-DD name", # comments.
 * Loading replaces every day of the years the file names, in one
 * transaction, so a bad line changes nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define CALENDAR_MAX	(1024 * 1024)

struct day {
	int64_t		 day;
	const char	*name;
};

/* Parse the file into days; names point into b; the caller frees *days. */
static int
parse(const char *path, struct buf *b, struct day **days, size_t *ndays,
    struct sp_err *err)
{
	char		*p = (char *)b->data, *line;
	size_t		 lineno = 0, i, len;
	struct sp_err	 derr = { 0 };

	*days = NULL;
	*ndays = 0;
	if (!util_utf8_valid((char *)b->data, b->len))
		return sp_errf(err, SPE_INVALID, "%s: not UTF-8 text", path);
	while ((line = strsep(&p, "\n")) != NULL) {
		lineno++;
		if ((len = strlen(line)) > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (len < 12 || line[10] != ' ' || line[11] == ' ')
			return sp_errf(err, SPE_INVALID, "%s:%zu: expected "
			    "'YYYY-MM-DD name'", path, lineno);
		line[10] = '\0';
		*days = xreallocarray(*days, *ndays + 1, sizeof(**days));
		if (util_date_parse(line, &(*days)[*ndays].day, &derr) == -1)
			return sp_errf(err, SPE_INVALID, "%s:%zu: %s", path,
			    lineno, derr.msg);
		for (i = 0; i < *ndays; i++)
			if ((*days)[i].day == (*days)[*ndays].day)
				return sp_errf(err, SPE_INVALID,
				    "%s:%zu: %s is listed twice", path, lineno,
				    line);
		(*days)[(*ndays)++].name = line + 11;
	}
	return 0;
}

static int
year_of(int64_t day)
{
	int64_t		 y;
	unsigned	 m, d;

	util_civil_from_days(day, &y, &m, &d);
	return (int)y;
}

static int
load(struct cli *cli, const char *path, struct sp_err *err)
{
	struct buf	 b;
	struct day	*days = NULL;
	size_t		 ndays, i, j;
	int		 rc = -1;

	if (util_read_file(path, CALENDAR_MAX, &b, err) == -1)
		return -1;
	if (parse(path, &b, &days, &ndays, err) == -1 ||
	    cli_begin_local(cli, err) == -1)
		goto out;
	for (i = 0; i < ndays; i++) {
		for (j = 0; j < i; j++)
			if (year_of(days[j].day) == year_of(days[i].day))
				break;
		if (j == i && store_holiday_clear_year(cli->store,
		    year_of(days[i].day), err) == -1)
			goto out;
	}
	for (i = 0; i < ndays; i++)
		if (store_holiday_add(cli->store, days[i].day, days[i].name,
		    err) == -1)
			goto out;
	if (cli_commit(cli, err) == -1)
		goto out;
	printf("loaded %zu days from %s\n", ndays, path);
	rc = 0;
out:
	free(days);
	buf_clear(&b);
	return rc;
}

static int
print_day(void *arg, int64_t day, const char *name)
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon",
	    "Tue", "Wed" };
	char		 d[11];

	(void)arg;
	util_date_format(day, d);
	printf("%s %s %s\n", d, wd[((day % 7) + 7) % 7], name);
	return 0;
}

int
cmd_calendar(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	long long	 year;
	int64_t		 from = INT64_MIN / 2, to = INT64_MAX / 2;

	if (argc == 3 && strcmp(argv[1], "load") == 0)
		return load(cli, argv[2], err);
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "list") == 0) {
		if (argc == 3) {
			if (util_parse_int(argv[2], 1970, 9999, &year, "year",
			    err) == -1) {
				err->code = SPE_USAGE;
				return -1;
			}
			from = util_days_from_civil(year, 1, 1);
			to = util_days_from_civil(year + 1, 1, 1);
		}
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		return store_holiday_each(cli->store, from, to, print_day,
		    NULL, err);
	}
	return cli_usage_err("calendar", err, "expected load FILE or list "
	    "[YEAR]");
}
