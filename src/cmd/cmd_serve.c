/*
 * cmd_serve.c: `simpul serve [--listen ADDR:PORT]`: the sync loop
 * (syncer.c: pushing outboxes, pulling inboxes, round after round) and,
 * with --listen, this node's HTTPS endpoint, both on one event loop until
 * SIGTERM.  The routes and what they answer are endpoints.c's; this file
 * owns the process: the lock, the trust store, the loop, the shutdown.
 * Without --listen it is a node behind NAT that only reaches out.  With
 * --metrics, a second, plain-HTTP listener (loopback by default) answers
 * Prometheus (net/scrape.c, exchange/telemetry.c).  It logs in the
 * daemon form (core/log.c) and tells systemd when it is ready and when it
 * stops (core/notify.c; simpul.service is Type=notify).
 *
 * The trust store (CA and CRL) is loaded at start and loaded again when
 * the CRL file changes: after the syncer installs one the hub served, or,
 * at the hub, when the operator puts a new one in place (its inode, size
 * or time differ; looked at with every request).  Signatures are then
 * checked against it at once, and TLS from the next handshake on.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "cmd/cli.h"
#include "net/client.h"
#include "wire/dsig.h"
#include "exchange/endpoints.h"
#include "core/err.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/util.h"
#include "net/loop.h"
#include "net/scrape.h"
#include "exchange/node.h"
#include "exchange/recv.h"
#include "net/server.h"
#include "store/store.h"
#include "exchange/settings.h"
#include "exchange/sync.h"
#include "exchange/syncer.h"
#include "exchange/telemetry.h"
#include "net/tls.h"
#include "wire/trust.h"
#include "core/xmalloc.h"

struct serve {
	struct cli	*cli;
	struct node	 node;
	struct loop	*loop;
	struct tls_ctx	*tls;		/* the server's */
	struct server	*srv;		/* NULL without --listen */
	struct tls_ctx	*ctls;		/* the client's */
	struct client	*client;
	struct syncer	*syncer;
	int		 lockfd;	/* DB.lock, flocked for our life */
	struct sync_conf conf;
	struct recv_ctx	 ctx;
	struct endpoints ep;		/* the handlers' view of all this */
	struct stat	 crl_st;	/* the CRL file as last loaded */
	struct telemetry *tm;		/* what --metrics tells */
	struct scrape	*scrape;	/* NULL without --metrics */
};

static void
crl_stat(struct serve *sv, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (sv->node.crl != NULL && stat(sv->node.crl, st) == -1)
		memset(st, 0, sizeof(*st));
}

/* The CRL file changed: load the trust store again (see the top). */
static void
trust_reload(void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct trust	*t;

	crl_stat(sv, &sv->crl_st);
	if ((t = trust_load(sv->node.ca, sv->node.crl, &err)) == NULL) {
		log_warnx("the CRL %s does not load, the one before stays in "
		    "force for signatures: %s", sv->node.crl, err.msg);
		return;
	}
	trust_free(sv->conf.trust);
	sv->conf.trust = t;
	sv->ctx.trust = t;
	if (sv->tls != NULL && tls_reload(sv->tls, &err) == -1)
		log_warnx("TLS keeps the CRL it had: %s", err.msg);
	log_info("the CRL %s is in force", sv->node.crl);
}

static void
crl_watch(struct serve *sv)
{
	struct stat	 st;

	if (sv->node.crl == NULL)
		return;
	crl_stat(sv, &st);
	if (st.st_ino != sv->crl_st.st_ino || st.st_size !=
	    sv->crl_st.st_size || st.st_mtim.tv_sec !=
	    sv->crl_st.st_mtim.tv_sec || st.st_mtim.tv_nsec !=
	    sv->crl_st.st_mtim.tv_nsec)
		trust_reload(sv);
}

/*
 * One serve per database: an exclusive flock on DB.lock beside it, held
 * until the process ends however it ends (the kernel drops the lock of a
 * killed process), so a stale file never blocks a restart.  The file
 * holds the pid of the serve that holds the lock, for the refusal.  CLI
 * commands do not take it: SQLite's own locking orders their writes.
 */
static int
serve_lock(struct serve *sv, struct sp_err *err)
{
	char		*path, pid[24];
	ssize_t		 n;
	int		 rc = -1;

	path = xasprintf("%s.lock", sv->cli->db);
	if ((sv->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) ==
	    -1) {
		sp_errf(err, errno == EROFS || errno == EACCES ? SPE_READONLY :
		    SPE_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (flock(sv->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			sp_errf(err, SPE_IO, "%s: %s", path, strerror(errno));
			goto out;
		}
		n = pread(sv->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		sp_errf(err, SPE_LOCKED, "another simpul serve is running on "
		    "%s (pid %s)", sv->cli->db, pid[0] ? pid : "unknown");
		goto out;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(sv->lockfd, 0) == -1 ||
	    pwrite(sv->lockfd, pid, n, 0) != n) {
		sp_errf(err, errno == ENOSPC ? SPE_FULL : SPE_IO, "%s: %s",
		    path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

/* Looked at with every request: see the top. */
static void
before_request(void *arg)
{
	crl_watch(arg);
}

static int
serve_listen(struct serve *sv, const char *listen, struct sp_err *err)
{
	struct server_config	 cfg = endpoints_limits;
	long long		 n;

	cfg.listen = listen;
	if (settings_get_int(sv->cli->store, "serve.max_connections", &n,
	    err) == -1)
		return -1;
	cfg.max_conns = (int)n;
	cfg.observe = telemetry_request;
	cfg.observe_arg = sv->tm;
	if ((sv->tls = tls_server_new(sv->node.cert, sv->node.keys,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    (sv->srv = server_new(sv->loop, sv->tls, &cfg, err)) == NULL)
		return -1;
	sv->ep.store = sv->cli->store;
	sv->ep.node = &sv->node;
	sv->ep.conf = &sv->conf;
	sv->ep.ctx = &sv->ctx;
	sv->ep.before = before_request;
	sv->ep.arg = sv;
	endpoints_route(sv->srv, &sv->ep);
	return 0;
}

static int
serve_sync(struct serve *sv, struct sp_err *err)
{
	struct syncer_config	 cfg;
	char			*v;
	long long		 n;

	if (settings_get(sv->cli->store, "sync.interval_seconds", &v,
	    err) == -1)
		return -1;
	n = strtoll(v, NULL, 10);
	free(v);
	if ((sv->ctls = tls_client_new(sv->node.cert, sv->node.keys,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    (sv->client = client_new(sv->loop, sv->ctls, err)) == NULL)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.loop = sv->loop;
	cfg.client = sv->client;
	cfg.store = sv->cli->store;
	cfg.node = &sv->node;
	cfg.conf = &sv->conf;
	cfg.ctx = &sv->ctx;
	cfg.interval = n;
	cfg.report = telemetry_round;
	cfg.report_arg = sv->tm;
	cfg.trust_changed = trust_reload;
	cfg.trust_arg = sv;
	if ((sv->syncer = syncer_new(&cfg, NULL, err)) == NULL)
		return -1;
	syncer_start(sv->syncer);
	return 0;
}

static int
metrics_page(void *arg, struct buf *page, struct sp_err *err)
{
	struct serve	*sv = arg;

	return telemetry_write(sv->tm, sv->cli->store, &sv->node, util_now(),
	    page, err);
}

static int
serve_start(struct serve *sv, const char *listen, const char *metrics,
    struct sp_err *err)
{
	char	*v;

	if (cli_store(sv->cli, CLI_WRITE, err) == -1 ||
	    serve_lock(sv, err) == -1 ||
	    node_load(sv->cli->store, NODE_KEYS, &sv->node, err) == -1 ||
	    (sv->loop = loop_new(err)) == NULL ||
	    dsig_init(err) == -1 ||
	    sync_conf_load(sv->cli->store, &sv->conf, SYNC_KEY | SYNC_TRUST,
	    err) == -1)
		return -1;
	recv_ctx_init(&sv->ctx, &sv->conf);
	sv->ctx.relays = sv->node.is_hub;
	crl_stat(sv, &sv->crl_st);
	if (settings_get(sv->cli->store, "metrics.overdue_seconds", &v,
	    err) == -1)
		return -1;
	sv->tm = telemetry_new(sv->cli->db, util_now(), strtoll(v, NULL, 10));
	free(v);
	if (listen != NULL && serve_listen(sv, listen, err) == -1)
		return -1;
	if (metrics != NULL && (sv->scrape = scrape_new(sv->loop, metrics,
	    metrics_page, sv, err)) == NULL)
		return -1;
	if (serve_sync(sv, err) == -1)
		return -1;
	if (listen == NULL && syncer_channels(sv->syncer) == 0)
		return sp_errf(err, SPE_INVALID, "nothing to do: no peer has a "
		    "URL, no hub is configured, and no --listen");
	return 0;
}

static void
serve_stop(struct serve *sv)
{
	syncer_free(sv->syncer);
	scrape_free(sv->scrape);
	telemetry_free(sv->tm);
	client_free(sv->client);
	tls_free(sv->ctls);
	server_free(sv->srv);
	tls_free(sv->tls);
	loop_free(sv->loop);
	sync_conf_clear(&sv->conf);
	node_clear(&sv->node);
	if (sv->lockfd != -1)
		close(sv->lockfd);	/* and the flock with it */
}

int
cmd_serve(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "metrics", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve	 sv = { .cli = cli, .lockfd = -1 };
	const char	*listen = NULL, *metrics = NULL;
	struct sp_err	 perr = { 0 };
	char		 host[64];
	int		 c, rc = -1, signo, port, lo;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'l')
			listen = optarg;
		else if (c == 'm')
			metrics = optarg;
		else
			return cli_usage_err("serve", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_err("serve", err, "unexpected argument '%s'",
		    argv[optind]);
	/* A bad address is a usage error before anything starts. */
	if (metrics != NULL && scrape_parse(metrics, host, sizeof(host), &port,
	    &lo, &perr) == -1)
		return cli_usage_err("serve", err, "%s", perr.msg);
	log_daemon();
	client_global_init();
	if (serve_start(&sv, listen, metrics, err) == -1)
		goto out;
	if (sv.srv != NULL)
		log_info("%s listening on port %d, at most %d connections",
		    sv.node.code, server_port(sv.srv),
		    server_max_connections(sv.srv));
	if (sv.scrape != NULL)
		log_event(scrape_loopback(sv.scrape) ? LL_INFO : LL_WARN,
		    "metrics", scrape_loopback(sv.scrape) ? NULL : "not "
		    "loopback: anyone who reaches it reads the metrics",
		    "port=%d", scrape_port(sv.scrape));
	log_info("%s syncing with %d channel(s)", sv.node.code,
	    syncer_channels(sv.syncer));
	if (notify_send("READY=1\nSTATUS=serving") == -1)
		log_warn("NOTIFY_SOCKET");
	signo = loop_run(sv.loop);
	if (notify_send("STOPPING=1") == -1)
		log_warn("NOTIFY_SOCKET");
	if (sv.srv != NULL)
		server_drain(sv.srv);
	log_info("%s stopped (signal %d)", sv.node.code, signo);
	rc = 0;
out:
	serve_stop(&sv);
	client_global_cleanup();
	return rc;
}
