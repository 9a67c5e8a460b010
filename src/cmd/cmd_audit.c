/*
 * cmd_audit.c: `simpul audit --ca PEM [--crl PEM] [--format text|json]
 * FILE|DIR...`.  Collects the documents (directories recursively, *.xml,
 * in byte order of their names), hands them all to audit.c before it
 * judges any, and prints its findings, one line each, then a summary per
 * channel.  No database, no network, no key.  Exit 0 only when there is no
 * finding, 1 when there is any ("simpul: audit: N findings" on stderr), 2
 * on usage.
 *
 * Text format (stable; golden tests compare it):
 *	FILE: batch|receipt|document FROM->TO#SEQ: CODE: message
 *	channel FROM->TO: N batches, N events, N receipts, head #SEQ, VERDICT
 *	    (VERDICT: "clean" or "N finding(s)")
 *	audit: N documents, N complaints, N finding(s)
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "wire/batch.h"
#include "cmd/cli.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "core/fmt.h"
#include "wire/trust.h"
#include "core/xmalloc.h"

struct paths {
	char	**v;
	size_t	  n;
};

static void
paths_add(struct paths *p, char *s)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = s;
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int
is_xml(const char *name)
{
	size_t	 n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

/*
 * Every *.xml under dir, recursively, in byte order of the names at each
 * level.  Symbolic links to directories are not followed.  An unreadable
 * directory is added as a path, so that the audit reports it.
 */
static void
walk(const char *dir, struct paths *out)
{
	struct paths	 here = { NULL, 0 };
	struct dirent	*de;
	struct stat	 st;
	DIR		*dp;
	size_t		 i;
	char		*p;

	if ((dp = opendir(dir)) == NULL) {
		paths_add(out, xstrdup(dir));
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		paths_add(&here, xasprintf("%s/%s", dir, de->d_name));
	}
	closedir(dp);
	if (here.n > 1)
		qsort(here.v, here.n, sizeof(*here.v), str_cmp);
	for (i = 0; i < here.n; i++) {
		p = here.v[i];
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p, out);
			free(p);
		} else if (is_xml(p))
			paths_add(out, p);
		else
			free(p);
	}
	free(here.v);
}

static void
collect(const char *arg, struct paths *out)
{
	struct stat	 st;
	char		*d;
	size_t		 n;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		d = xstrdup(arg);
		for (n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
			d[n - 1] = '\0';
		walk(d, out);
		free(d);
	} else
		paths_add(out, xstrdup(arg));
}

static void
print_text(const struct audit *a)
{
	const struct audit_finding	*f;
	const struct audit_channel	*c;
	size_t				 i;

	for (i = 0; i < audit_nfindings(a); i++) {
		f = audit_finding(a, i);
		if (f->from[0] == '\0')
			printf("%s: %s: %s: %s\n", f->file, f->what,
			    audit_code_name(f->code), f->msg);
		else
			printf("%s: %s %s->%s#%lld: %s: %s\n", f->file,
			    f->what, f->from, f->to, (long long)f->seq,
			    audit_code_name(f->code), f->msg);
	}
	for (i = 0; i < audit_nchannels(a); i++) {
		c = audit_channel(a, i);
		printf("channel %s->%s: %zu batches, %zu events, %zu receipts, "
		    "head #%lld, ", c->from, c->to, c->batches, c->events,
		    c->receipts, (long long)c->head);
		if (c->findings == 0)
			printf("clean\n");
		else
			printf("%zu finding%s\n", c->findings,
			    c->findings == 1 ? "" : "s");
	}
	printf("audit: %zu documents, %zu complaints, %zu finding%s\n",
	    audit_ndocuments(a), audit_ncomplaints(a), audit_nfindings(a),
	    audit_nfindings(a) == 1 ? "" : "s");
}

static void
print_json(const struct audit *a)
{
	const struct audit_finding	*f;
	const struct audit_channel	*c;
	struct fmt			 w;
	size_t				 i;

	fmt_init(&w, stdout, FMT_JSON);
	fmt_obj_begin(&w, "audit");
	fmt_int(&w, "documents", (long long)audit_ndocuments(a));
	fmt_int(&w, "complaints", (long long)audit_ncomplaints(a));
	fmt_bool(&w, "clean", audit_nfindings(a) == 0);
	fmt_list_begin(&w, "findings", "finding");
	for (i = 0; i < audit_nfindings(a); i++) {
		f = audit_finding(a, i);
		fmt_obj_begin(&w, "finding");
		fmt_str(&w, "file", f->file);
		fmt_str(&w, "document", f->what);
		fmt_str(&w, "from", f->from[0] ? f->from : NULL);
		fmt_str(&w, "to", f->to[0] ? f->to : NULL);
		fmt_int(&w, "seq", (long long)f->seq);
		fmt_str(&w, "code", audit_code_name(f->code));
		fmt_str(&w, "message", f->msg);
		fmt_obj_end(&w, "finding");
	}
	fmt_list_end(&w, "findings");
	fmt_list_begin(&w, "channels", "channel");
	for (i = 0; i < audit_nchannels(a); i++) {
		c = audit_channel(a, i);
		fmt_obj_begin(&w, "channel");
		fmt_str(&w, "from", c->from);
		fmt_str(&w, "to", c->to);
		fmt_int(&w, "batches", (long long)c->batches);
		fmt_int(&w, "events", (long long)c->events);
		fmt_int(&w, "receipts", (long long)c->receipts);
		fmt_int(&w, "head", (long long)c->head);
		fmt_str(&w, "head_digest",
		    c->head_digest[0] ? c->head_digest : NULL);
		fmt_int(&w, "findings", (long long)c->findings);
		fmt_str(&w, "verdict", c->findings == 0 ? "clean" : "findings");
		fmt_obj_end(&w, "channel");
	}
	fmt_list_end(&w, "channels");
	fmt_obj_end(&w, "audit");
	fmt_end(&w);
}

int
cmd_audit(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "crl", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*ca = NULL, *crl = NULL, *format = "text";
	struct paths	 files = { NULL, 0 };
	struct trust	*trust = NULL;
	struct audit	*a = NULL;
	size_t		 i;
	int		 ch, rc = -1;

	(void)cli;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ca = optarg;
			break;
		case 'r':
			crl = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		default:
			return cli_usage_err("audit", err, "unknown or "
			    "incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cli_usage_err("audit", err, "--format must be text or "
		    "json, not '%s'", format);
	if (ca == NULL)
		return cli_usage_err("audit", err, "--ca PEM is required");
	if (optind == argc)
		return cli_usage_err("audit", err, "no FILE or DIR given");
	if (dsig_init(err) == -1 || (trust = trust_load(ca, crl, err)) == NULL)
		return -1;
	for (i = (size_t)optind; i < (size_t)argc; i++)
		collect(argv[i], &files);
	a = audit_new(trust);
	for (i = 0; i < files.n; i++)
		audit_add_file(a, files.v[i]);
	audit_run(a);
	if (strcmp(format, "json") == 0)
		print_json(a);
	else
		print_text(a);
	if (fflush(stdout) != 0)
		sp_errf(err, SPE_IO, "cannot write the report");
	else if (audit_nfindings(a) != 0)
		sp_errf(err, SPE_INVALID, "%zu finding%s",
		    audit_nfindings(a), audit_nfindings(a) == 1 ? "" : "s");
	else
		rc = 0;
	audit_free(a);
	trust_free(trust);
	for (i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return rc;
}
