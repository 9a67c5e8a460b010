/*
 * cmd_schemas.c: `simpul schemas --out DIR`: the wire schemas built into
 * simpul (batch_schemas[]), written out byte for byte as DIR/NAME.xsd, so
 * that an auditor can check a document with standard tools:
 *
 *	xmllint --noout --schema DIR/batch.xsd FILE
 *
 * (each xs:include names a sibling file).  It makes DIR if missing and
 * never overwrites: a schema file already in DIR refuses the run before
 * anything is written.  What it writes is always the built-in copy, the
 * one simpul validates with, whatever SIMPUL_SCHEMAS says.  It needs no
 * database.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "wire/batch.h"

/* Make dir unless it is a directory already; refusals name it. */
static int
make_dir(const char *dir, struct sp_err *err)
{
	struct stat	 st;
	int		 e;

	if (mkdir(dir, 0755) == 0)
		return 0;
	e = errno;
	if (e == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (e == EEXIST)
		return sp_errf(err, SPE_EXISTS, "%s exists and is not a "
		    "directory", dir);
	return sp_errf(err, e == EACCES || e == EPERM || e == EROFS ?
	    SPE_PERMISSION : SPE_INVALID, "cannot make the directory %s: %s",
	    dir, strerror(e));
}

/*
 * Refuse, before anything is written, a DIR this user may not write in or
 * that holds a file of a schema's name already.
 */
static int
check_free(const char *dir, struct sp_err *err)
{
	const struct batch_schema	*s;
	struct stat			 st;
	char				*path;
	int				 taken;

	if (access(dir, W_OK | X_OK) == -1)
		return sp_errf(err, SPE_PERMISSION, "cannot write in %s: %s",
		    dir, strerror(errno));
	for (s = batch_schemas; s->name != NULL; s++) {
		path = xasprintf("%s/%s", dir, s->name);
		taken = lstat(path, &st) == 0;
		if (taken)
			sp_errf(err, SPE_EXISTS, "%s exists already: nothing "
			    "is overwritten", path);
		free(path);
		if (taken)
			return -1;
	}
	return 0;
}

int
cmd_schemas(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const struct batch_schema	*s;
	const char			*out = NULL;
	char				*path;
	int				 c, rc;

	(void)cli;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		default:
			return cli_usage_err("schemas", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind != argc || out == NULL || *out == '\0')
		return cli_usage_err("schemas", err, "expected --out DIR");
	if (make_dir(out, err) == -1 || check_free(out, err) == -1)
		return -1;
	for (s = batch_schemas; s->name != NULL; s++) {
		path = xasprintf("%s/%s", out, s->name);
		rc = util_write_file(path, s->bytes, s->len, err);
		if (rc == 0)
			printf("%s\n", path);
		free(path);
		if (rc == -1)
			return -1;
	}
	return 0;
}
