/*
 * cmd_backup.c: `simpul backup FILE` and `simpul backup --dir DIR [--keep
 * N]`: a consistent copy of the live database, taken inside one read
 * transaction while nodes keep running.  With --dir the copy is named
 * simpul-YYYYMMDDTHHMMSSZ.db (UTC, so names sort by time) and, once it is
 * complete, the oldest copies of that name form beyond the newest N are
 * deleted (simpul-backup.timer's retention).  Nothing else in DIR is
 * touched, and a failed copy deletes nothing.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "store/store.h"

#define KEEP_DEFAULT	14
#define KEEP_MAX	10000
#define STAMP_LEN	(sizeof("simpul-20261128T020000Z.db") - 1)

/* A name backup --dir made: simpul-YYYYMMDDTHHMMSSZ.db. */
static int
is_copy(const char *name)
{
	size_t	 i;

	if (strlen(name) != STAMP_LEN || strncmp(name, "simpul-", 7) != 0 ||
	    name[15] != 'T' || strcmp(name + 22, "Z.db") != 0)
		return 0;
	for (i = 7; i < 22; i++)
		if (i != 15 && (name[i] < '0' || name[i] > '9'))
			return 0;
	return 1;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Delete the oldest copies in dir beyond the newest keep. */
static int
prune(const char *dir, long long keep, struct sp_err *err)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, *path;
	size_t		 n = 0, i;
	int		 rc = -1;

	if ((d = opendir(dir)) == NULL)
		return sp_errf(err, SPE_IO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (is_copy(e->d_name)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i + (size_t)keep < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (unlink(path) == -1 && errno != ENOENT) {
			sp_errf(err, SPE_IO, "%s: %s", path, strerror(errno));
			free(path);
			goto out;
		}
		printf("removed %s\n", path);
		free(path);
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int
backup_dir(struct cli *cli, const char *dir, long long keep,
    struct sp_err *err)
{
	char		 name[STAMP_LEN + 1], *path;
	time_t		 t = (time_t)util_now();
	struct tm	 tm;
	struct stat	 st;
	int		 rc = -1;

	if (stat(dir, &st) == -1)
		return sp_errf(err, SPE_IO, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return sp_errf(err, SPE_IO, "%s: not a directory", dir);
	gmtime_r(&t, &tm);
	strftime(name, sizeof(name), "simpul-%Y%m%dT%H%M%SZ.db", &tm);
	path = xasprintf("%s/%s", dir, name);
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    store_backup(cli->store, path, err) == -1)
		goto out;
	printf("backed up %s to %s\n", cli->db, path);
	rc = prune(dir, keep, err);
out:
	free(path);
	return rc;
}

int
cmd_backup(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct sp_err	 perr = { 0 };
	const char	*dir = NULL, *keeps = NULL;
	long long	 keep = KEEP_DEFAULT;
	int		 c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'k')
			keeps = optarg;
		else
			return cli_usage_err("backup", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
	}
	if (keeps != NULL && util_parse_int(keeps, 1, KEEP_MAX, &keep,
	    "--keep", &perr) == -1)
		return cli_usage_err("backup", err, "%s", perr.msg);
	if (dir != NULL) {
		if (optind != argc)
			return cli_usage_err("backup", err, "--dir takes no "
			    "FILE");
		return backup_dir(cli, dir, keep, err);
	}
	if (keeps != NULL)
		return cli_usage_err("backup", err, "--keep goes with --dir");
	if (argc - optind != 1 || argv[optind][0] == '-')
		return cli_usage_err("backup", err, "expected one FILE");
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    store_backup(cli->store, argv[optind], err) == -1)
		return -1;
	printf("backed up %s to %s\n", cli->db, argv[optind]);
	return 0;
}
