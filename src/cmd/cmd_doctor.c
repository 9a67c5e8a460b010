/*
 * cmd_doctor.c: `simpul doctor`: is this node fit to run?  One line per
 * check, "ok" or "PROBLEM" with what was found and what to do; exit 0
 * when every check is ok, 1 when any is not.  It reads only: the
 * database (PRAGMA quick_check), the certificate, key, CA and CRL the
 * settings name (trust.c: chain, validity, revocation, CN, key match),
 * the key file's mode, the free space beside the database, and the
 * hub's clock: one GET of /v1/status over the federation's mutual TLS,
 * whose only use is the answer's Date header.  What each check decides is
 * here; how to read the files and speak HTTPS is the modules'.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "exchange/node.h"
#include "net/client.h"
#include "net/loop.h"
#include "net/tls.h"
#include "store/store.h"
#include "wire/trust.h"

#define DAY		86400
#define CERT_WARN_DAYS	30	/* a new certificate takes the CA a while */
#define CRL_WARN_DAYS	2	/* the hub serves a new CRL every round */
#define DISK_MIN	(1024LL * 1024 * 1024)
#define DISK_MIN_PCT	5
/*
 * Deadlines are counted in this node's clock and every event carries its
 * time: a minute off is already visible in "followed up within 24 hours"
 * at the boundary, and certificate and CRL times are judged by it too.
 */
#define SKEW_MAX	60		/* seconds */
#define HUB_TIMEOUT	15L		/* seconds for the whole GET */

struct doctor {
	int	 problems;
};

static void	 report(struct doctor *, int ok, const char *what,
		    const char *todo, const char *fmt, ...)
		    __attribute__((__format__ (printf, 5, 6)));

/* One line: "ok   WHAT: found" or "PROBLEM WHAT: found; do: TODO". */
static void
report(struct doctor *dr, int ok, const char *what, const char *todo,
    const char *fmt, ...)
{
	char	 found[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(found, sizeof(found), fmt, ap);
	va_end(ap);
	if (ok) {
		printf("ok       %s: %s\n", what, found);
		return;
	}
	dr->problems++;
	printf("PROBLEM  %s: %s; do: %s\n", what, found, todo);
}

static void
check_db(struct doctor *dr, struct cli *cli)
{
	struct sp_err	 err = { 0 };

	if (store_quick_check(cli->store, &err) == -1)
		report(dr, 0, "database", "stop serve, restore the newest "
		    "backup (simpul backup --dir) and run simpul recover",
		    "%s", err.msg);
	else
		report(dr, 1, "database", NULL, "quick_check ok (%s)", cli->db);
}

static void
check_cert(struct doctor *dr, const struct node *nd, int64_t now)
{
	struct trust_certinfo	 info;
	struct sp_err		 err = { 0 };
	int64_t			 until;

	if (trust_check_node(nd->cert, nd->key, nd->ca, nd->crl, nd->code,
	    now, &info, &err) == -1) {
		report(dr, 0, "certificate and key", "put the node's own "
		    "certificate and key from the federation CA in place (the "
		    "paths are node.cert and node.key)", "%s", err.msg);
		return;
	}
	report(dr, 1, "key", NULL, "%s is the key of %s", nd->key, nd->cert);
	if (util_time_parse(info.not_after, &until, NULL, &err) == -1)
		until = now;
	if (until - now < (int64_t)CERT_WARN_DAYS * DAY)
		report(dr, 0, "certificate", "ask the CA operator for a new "
		    "certificate now and put it at node.cert",
		    "%s expires %s, in %lld day(s)", nd->cert, info.not_after,
		    (long long)((until - now) / DAY));
	else
		report(dr, 1, "certificate", NULL, "CN %s, valid until %s",
		    info.cn, info.not_after);
}

static void
check_crl(struct doctor *dr, const struct node *nd, int64_t now)
{
	struct trust_crlinfo	 ci;
	struct sp_err		 err = { 0 };
	char			 t[UTIL_TIME_LEN];

	if (nd->crl == NULL) {
		report(dr, 0, "CRL", "get the CA's CRL and set node.crl",
		    "none configured: revoked certificates are not refused");
		return;
	}
	if (trust_crl_info(nd->crl, &ci, &err) == -1) {
		report(dr, 0, "CRL", "put the CA's current CRL at node.crl",
		    "%s", err.msg);
		return;
	}
	util_time_format(ci.next, nd->offset, t);
	if (ci.next != 0 && ci.next < now)
		report(dr, 0, "CRL", "check that serve reaches the hub (it "
		    "installs the hub's CRL every round) or get a new one from "
		    "the CA", "%s is stale since %s", nd->crl, t);
	else if (ci.next != 0 && ci.next - now < (int64_t)CRL_WARN_DAYS * DAY)
		report(dr, 0, "CRL", "check that serve reaches the hub, which "
		    "serves the CA's newer CRL", "%s is stale at %s", nd->crl,
		    t);
	else
		report(dr, 1, "CRL", NULL, "%s number %s, next update %s",
		    nd->crl, ci.number[0] ? ci.number : "-",
		    ci.next ? t : "none");
}

static void
check_key_mode(struct doctor *dr, const struct node *nd)
{
	struct stat	 st;

	if (stat(nd->key, &st) == -1) {
		report(dr, 0, "key file", "put the key at node.key", "%s: %s",
		    nd->key, strerror(errno));
		return;
	}
	if ((st.st_mode & 0007) != 0 || (st.st_mode & 0020) != 0)
		report(dr, 0, "key file", "chmod 0640 (or 0600) the key and "
		    "ask the CA whether it must be replaced", "%s is mode %04o: "
		    "others may read or write it", nd->key,
		    (unsigned)(st.st_mode & 07777));
	else
		report(dr, 1, "key file", NULL, "%s is mode %04o", nd->key,
		    (unsigned)(st.st_mode & 07777));
}

static void
check_disk(struct doctor *dr, const char *db)
{
	struct statvfs	 vf;
	char		*copy = xstrdup(db);
	const char	*dir = dirname(copy);
	long long	 free_b, pct;

	if (statvfs(dir, &vf) == -1) {
		report(dr, 0, "disk", "check the file system", "%s: %s", dir,
		    strerror(errno));
		free(copy);
		return;
	}
	free_b = (long long)vf.f_bavail * (long long)vf.f_frsize;
	pct = vf.f_blocks ? (long long)(vf.f_bavail * 100 / vf.f_blocks) : 0;
	if (free_b < DISK_MIN || pct < DISK_MIN_PCT)
		report(dr, 0, "disk", "free space there: a full disk stops "
		    "every write (exit 3), and backups need room", "%lld MiB "
		    "(%lld%%) free in %s", free_b >> 20, pct, dir);
	else
		report(dr, 1, "disk", NULL, "%lld MiB (%lld%%) free in %s",
		    free_b >> 20, pct, dir);
	free(copy);
}

struct hub_date {
	struct loop	*loop;
	int64_t		 date;		/* the hub's, 0 if none came */
	int		 status;
	struct sp_err	 err;
};

static void
on_hub(void *arg, const struct client_result *res)
{
	struct hub_date	*h = arg;

	h->date = res->date;
	h->status = res->status;
	h->err = res->err;
	loop_stop(h->loop);
}

/*
 * The hub's Date against ours, taken at the middle of the exchange.  Any
 * answer carries a Date, a refusal too: only the clock is read.
 */
static int
hub_date(struct cli *cli, const struct node *id, struct hub_date *h,
    int64_t *mid, struct sp_err *err)
{
	struct node		 nd;
	struct tls_ctx		*tls = NULL;
	struct client		*c = NULL;
	struct client_call	 call;
	char			*url = xasprintf("%s/v1/status", id->hub);
	int64_t			 t0;
	int			 rc = -1;

	memset(&nd, 0, sizeof(nd));
	memset(&call, 0, sizeof(call));
	call.method = "GET";
	call.url = url;
	call.peer = "hub";
	call.max_response = 64 * 1024;
	call.timeout = HUB_TIMEOUT;
	if (node_load(cli->store, NODE_KEYS, &nd, err) == -1 ||
	    (h->loop = loop_new(err)) == NULL ||
	    (tls = tls_client_new(nd.cert, nd.keys, nd.ca, nd.crl,
	    err)) == NULL || (c = client_new(h->loop, tls, err)) == NULL)
		goto out;
	t0 = util_now();
	if (client_start(c, &call, on_hub, h, err) == -1)
		goto out;
	if (loop_run(h->loop) != 0) {
		sp_errf(err, SPE_NET, "interrupted by a signal");
		goto out;
	}
	*mid = t0 + (util_now() - t0) / 2;
	rc = 0;
out:
	client_free(c);
	tls_free(tls);
	loop_free(h->loop);
	node_clear(&nd);
	free(url);
	return rc;
}

static void
check_clock(struct doctor *dr, struct cli *cli, const struct node *nd)
{
	struct hub_date	 h;
	struct sp_err	 err = { 0 };
	int64_t		 mid = 0, skew;

	if (nd->is_hub || nd->hub == NULL) {
		report(dr, 1, "clock", NULL, "not compared: %s",
		    nd->is_hub ? "this node is the hub" : "no hub configured");
		return;
	}
	memset(&h, 0, sizeof(h));
	client_global_init();
	if (hub_date(cli, nd, &h, &mid, &err) == -1 || h.status == 0)
		report(dr, 0, "clock", "check the network, node.hub and the "
		    "certificate checks above, then run doctor again",
		    "not compared: cannot reach the hub at %s: %s", nd->hub,
		    err.code != SPE_OK ? err.msg : h.err.msg);
	else if (h.date == 0)
		report(dr, 0, "clock", "check that node.hub is the hub's "
		    "address", "not compared: %s answered without a Date "
		    "header", nd->hub);
	else if ((skew = mid - h.date) > SKEW_MAX || skew < -SKEW_MAX)
		report(dr, 0, "clock", "synchronise the clock (systemd-"
		    "timesyncd or chrony against the regency's NTP server): "
		    "deadlines and event times are this clock's", "%lld s %s "
		    "the hub's (more than %d s)", (long long)(skew < 0 ?
		    -skew : skew), skew < 0 ? "behind" : "ahead of", SKEW_MAX);
	else
		report(dr, 1, "clock", NULL, "within %d s of the hub's "
		    "(%lld s)", SKEW_MAX, (long long)skew);
	client_global_cleanup();
}

int
cmd_doctor(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct doctor	 dr = { 0 };
	struct node	 nd;
	int64_t		 now = util_now();

	if (argc != 1)
		return cli_usage_err("doctor", err, "unexpected argument '%s'",
		    argv[1]);
	memset(&nd, 0, sizeof(nd));
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    node_load(cli->store, NODE_IDENTITY, &nd, err) == -1)
		return -1;
	check_db(&dr, cli);
	check_cert(&dr, &nd, now);
	check_crl(&dr, &nd, now);
	check_key_mode(&dr, &nd);
	check_disk(&dr, cli->db);
	check_clock(&dr, cli, &nd);
	node_clear(&nd);
	if (dr.problems > 0)
		return sp_errf(err, SPE_INVALID, "%d problem(s), each with what "
		    "to do above", dr.problems);
	return 0;
}
