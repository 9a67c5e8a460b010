/*
 * cmd_serve.c: `simpul serve --listen ADDR:PORT`: this node's HTTPS
 * endpoint on the event loop until SIGTERM.  It wires the routes of DESIGN
 * §5 to their handlers and answers only nodes this one knows.  The sync
 * loop (pushing outboxes, pulling inboxes) joins the same loop.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"
#include "err.h"
#include "fmt.h"
#include "log.h"
#include "loop.h"
#include "node.h"
#include "server.h"
#include "store.h"
#include "tls.h"
#include "util.h"
#include "xmalloc.h"

/* The federation's limits (DESIGN §4): a batch is at most 1 MiB. */
static const struct server_config serve_defaults = {
	.max_body = 1024 * 1024 + 4096,
	.max_headers = 16 * 1024,
	.max_conns = 256,
	.idle_timeout = 30,
	.grace = 10,
	.min_rate = 256,
	.max_age = 300,
};

struct serve {
	struct cli	*cli;
	struct node	 node;
	struct loop	*loop;
	struct tls_ctx	*tls;
	struct server	*srv;
	int		 lockfd;	/* DB.lock, flocked for our life */
};

/* The peer must be a node this one knows; else 403 and nothing more. */
static int
known_peer(struct serve *sv, struct server_req *r)
{
	struct sp_err	 err = { 0 };
	int		 rc;

	if ((rc = node_knows(sv->cli->store, server_req_peer(r), &err)) == 1)
		return 1;
	if (rc == 0)
		sp_errf(&err, SPE_PERMISSION, "%s is not a node %s exchanges "
		    "with", server_req_peer(r), sv->node.code);
	server_reply_err(r, &err);
	return 0;
}

static int
status_peer(void *arg, const struct store_peer *p, const char *pins)
{
	struct fmt	*w = arg;

	(void)pins;
	fmt_obj_begin(w, "peer");
	fmt_str(w, "code", p->code);
	fmt_str(w, "url", p->url);
	fmt_obj_end(w, "peer");
	return 0;
}

/* GET /v1/status: this node, for peers and monitoring (JSON or XML). */
static void
on_status(struct server_req *r, void *arg)
{
	struct serve	*sv = arg;
	struct sp_err	 err = { 0 };
	struct fmt	 w;
	const char	*want = server_req_query(r, "format");
	enum fmt_kind	 kind = FMT_JSON;
	char		*body = NULL;
	size_t		 len = 0;
	FILE		*f;

	if (!known_peer(sv, r))
		return;
	if (want != NULL && (fmt_parse(want, &kind) == -1 ||
	    kind == FMT_TABLE)) {
		sp_errf(&err, SPE_USAGE, "format is json or xml");
		server_reply_err(r, &err);
		return;
	}
	if ((f = open_memstream(&body, &len)) == NULL)
		fatal("open_memstream");
	fmt_init(&w, f, kind);
	fmt_obj_begin(&w, "status");
	fmt_str(&w, "node", sv->node.code);
	fmt_str(&w, "name", sv->node.name);
	fmt_str(&w, "role", sv->node.is_hub ? "hub" : "regency");
	fmt_str(&w, "instance", sv->node.instance);
	fmt_time(&w, "time", util_now(), sv->node.offset);
	fmt_list_begin(&w, "peers", "peer");
	if (store_peer_each(sv->cli->store, status_peer, &w, &err) == -1) {
		fclose(f);
		free(body);
		server_reply_err(r, &err);
		return;
	}
	fmt_list_end(&w, "peers");
	fmt_obj_end(&w, "status");
	fmt_end(&w);
	fclose(f);
	server_reply(r, 200, kind == FMT_JSON ? "application/json" :
	    "application/xml", body, len);
	free(body);
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

static int
serve_start(struct serve *sv, const char *listen, struct sp_err *err)
{
	struct server_config	 cfg = serve_defaults;

	cfg.listen = listen;
	if (cli_store(sv->cli, CLI_WRITE, err) == -1 ||
	    serve_lock(sv, err) == -1 ||
	    node_load(sv->cli->store, NODE_KEYS, &sv->node, err) == -1 ||
	    (sv->loop = loop_new(err)) == NULL ||
	    (sv->tls = tls_server_new(sv->node.cert, sv->node.dkey,
	    sv->node.ca, sv->node.crl, err)) == NULL ||
	    (sv->srv = server_new(sv->loop, sv->tls, &cfg, err)) == NULL)
		return -1;
	server_route(sv->srv, SERVER_GET, "/v1/status", on_status, sv);
	return 0;
}

static void
serve_stop(struct serve *sv)
{
	server_free(sv->srv);
	tls_free(sv->tls);
	loop_free(sv->loop);
	node_clear(&sv->node);
	if (sv->lockfd != -1)
		close(sv->lockfd);	/* and the flock with it */
}

int
cmd_serve(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct serve	 sv = { .cli = cli, .lockfd = -1 };
	const char	*listen = NULL;
	int		 c, rc = -1, signo;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'l')
			return cli_usage_err("serve", err,
			    "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		listen = optarg;
	}
	if (optind != argc)
		return cli_usage_err("serve", err, "unexpected argument '%s'",
		    argv[optind]);
	if (listen == NULL)
		return sp_errf(err, SPE_NOT_BUILT, "the sync loop is not built "
		    "yet: give --listen ADDR:PORT");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (serve_start(&sv, listen, err) == -1)
		goto out;
	log_info("%s listening on port %d", sv.node.code, server_port(sv.srv));
	signo = loop_run(sv.loop);
	server_drain(sv.srv);
	log_info("%s stopped (signal %d)", sv.node.code, signo);
	rc = 0;
out:
	serve_stop(&sv);
	curl_global_cleanup();
	return rc;
}
