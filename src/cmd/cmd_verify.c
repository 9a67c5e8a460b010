/*
 * cmd_verify.c: `simpul verify --ca PEM [--crl PEM] [--at TIME] FILE...`.
 * Checks one document at a time, batch or standalone receipt, with the
 * receiver's transport checks in DESIGN §5's order (size, form, schema,
 * signature, signer, authorship) and no database.  Prints one OK line per
 * file on stdout; stops at the first refused file, which main.c reports as
 * "simpul: verify: FILE: CODE-NAME: reason" (exit 1).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "cmd/cli.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

/* The transport checks of one document; fills err on refusal. */
static int
check_one(const char *path, const struct trust *trust, int64_t at,
    struct sp_err *err)
{
	struct batch_limits	 lim;
	struct batch		*b = NULL;
	struct buf		 raw;
	struct trust_certinfo	 ci;
	const struct batch_header *h;
	char			 digest[BATCH_DIGEST_LEN];
	int			 rc = -1;

	batch_limits_default(&lim);
	/* The size limit comes first: nothing past it is read. */
	if (util_read_file(path, lim.max_bytes, &raw, err) == -1) {
		if (err->code == SPE_TOO_LARGE) {
			sp_err_clear(err);
			sp_errf(err, SPE_TOO_LARGE, "document is over %zu "
			    "bytes", lim.max_bytes);
		}
		return -1;
	}
	if (batch_parse(raw.data, raw.len, &lim, &b, err) == -1 ||
	    batch_validate(b, err) == -1 ||
	    dsig_verify(b, trust, at, &ci, err) == -1 ||
	    batch_check_authorship(b, err) == -1)
		goto out;
	batch_digest(b, digest);
	if (batch_kind(b) == BATCH_KIND_BATCH) {
		h = batch_header(b);
		printf("%s: ok: batch %s->%s seq %lld, %zu items, signed by %s "
		    "(%s), sha256 %s\n", path, h->from, h->to,
		    (long long)h->seq, batch_nitems(b), ci.cn, ci.key_type,
		    digest);
	} else
		printf("%s: ok: receipt, signed by %s (%s), sha256 %s\n",
		    path, ci.cn, ci.key_type, digest);
	rc = 0;
out:
	batch_free(b);
	buf_clear(&raw);
	return rc;
}

/* "FILE: CODE-NAME: reason", the stable refusal line. */
static int
report(const char *path, const struct sp_err *inner, struct sp_err *err)
{
	enum sp_code	 code = inner->code;

	return sp_errf(err, code, "%s: %s: %s", path, sp_code_name(code),
	    inner->msg);
}

int
cmd_verify(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "crl", required_argument, NULL, 'r' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*ca = NULL, *crl = NULL;
	struct trust	*trust = NULL;
	struct sp_err	 inner;
	int64_t		 at;
	int		 ch, i, rc = -1;

	(void)cli;
	at = util_now();
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ca = optarg;
			break;
		case 'r':
			crl = optarg;
			break;
		case 'a':
			if (util_time_parse(optarg, &at, NULL, err) == -1) {
				sp_err_clear(err);
				return cli_usage_err("verify", err, "--at '%s' "
				    "is not an RFC 3339 time", optarg);
			}
			break;
		default:
			return cli_usage_err("verify", err, "unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (ca == NULL)
		return cli_usage_err("verify", err, "--ca PEM is required");
	if (optind == argc)
		return cli_usage_err("verify", err, "no FILE given");
	if (dsig_init(err) == -1 || (trust = trust_load(ca, crl, err)) == NULL)
		return -1;
	for (i = optind; i < argc; i++) {
		sp_err_clear(&inner);
		if (check_one(argv[i], trust, at, &inner) == -1) {
			report(argv[i], &inner, err);
			goto out;
		}
	}
	rc = 0;
out:
	trust_free(trust);
	return rc;
}
