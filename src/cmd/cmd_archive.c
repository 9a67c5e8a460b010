/*
 * cmd_archive.c: `simpul archive --out DIR [--from CODE] [--to CODE]`:
 * every stored batch (sent and received, every copy) and every receipt as
 * files of their exact bytes, so an auditor can collect them from any node
 * and run `simpul audit` on them with nothing but the CA.  DIR is made
 * with its parents when missing.  Names are stable, so archiving twice
 * writes the same files:
 *
 *	batch-FROM-TO-SEQ-DIGEST8.xml
 *	receipt-SIGNER-FROM-TO-SEQ-N.xml	(N counts receipts of one batch)
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "exchange/node.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

struct archive {
	const char	*out;
	const char	*from;		/* filters, or NULL */
	const char	*to;
	size_t		 batches;
	size_t		 receipts;
	char		 last[160];	/* the previous receipt's batch */
	int		 n;
	struct sp_err	*err;
};

static int
write_doc(void *arg, const struct store_doc *d)
{
	struct archive	*a = arg;
	char		*path, key[160];
	int		 rc;

	if ((a->from != NULL && strcmp(a->from, d->from) != 0) ||
	    (a->to != NULL && strcmp(a->to, d->to) != 0))
		return 0;
	if (d->receipt) {
		snprintf(key, sizeof(key), "%s-%s-%s-%lld", d->signer, d->from,
		    d->to, (long long)d->seq);
		a->n = strcmp(key, a->last) == 0 ? a->n + 1 : 1;
		snprintf(a->last, sizeof(a->last), "%s", key);
		path = xasprintf("%s/receipt-%s-%d.xml", a->out, key, a->n);
		a->receipts++;
	} else {
		path = xasprintf("%s/batch-%s-%s-%lld-%.8s.xml", a->out,
		    d->from, d->to, (long long)d->seq, d->digest);
		a->batches++;
	}
	rc = util_write_file(path, d->bytes, d->len, a->err);
	free(path);
	return rc;
}

int
cmd_archive(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct archive	 a = { .err = err };
	struct node	 n;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': a.out = optarg; break;
		case 'f': a.from = optarg; break;
		case 't': a.to = optarg; break;
		default:
			return cli_usage_err("archive", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind != argc || a.out == NULL)
		return cli_usage_err("archive", err, "expected --out DIR");
	if ((a.from != NULL && !util_node_code_valid(a.from)) ||
	    (a.to != NULL && !util_node_code_valid(a.to)))
		return cli_usage_err("archive", err, "--from and --to take "
		    "node codes");
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    node_load(cli->store, NODE_IDENTITY, &n, err) == -1)
		return -1;
	if ((rc = util_mkdir_p(a.out, err)) == 0)
		rc = store_archive_each(cli->store, n.code, write_doc, &a,
		    err);
	node_clear(&n);
	if (rc == -1)
		return -1;
	printf("archived %zu batches and %zu receipts in %s\n", a.batches,
	    a.receipts, a.out);
	return 0;
}
