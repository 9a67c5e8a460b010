/*
 * test_net.c: the HTTPS server and client on loopback with real
 * certificates, in one event loop: mutual TLS both ways, the server's CN
 * check by the client, pins, body limits, the connection cap and the rate
 * watchdog, its shorter grace at the cap, and the cap fitted to the
 * open-file limit.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xmalloc.h"
#include "exchange/syncer.h"
#include "net/client.h"
#include "net/loop.h"
#include "net/server.h"
#include "net/tls.h"
#include "wire/trust.h"

#include "fixture.h"

static struct loop	*loop;
static struct server	*srv;
static struct tls_ctx	*stls;
static struct trust_key	*skey;
static int		 calls;		/* handler invocations */
static char		 url[128];

struct result {
	int		 done;
	int		 status;
	long		 retry_after;
	char		 body[256];
	struct sp_err	 err;
};

static void
echo(struct server_req *r, void *arg)
{
	char		 out[128];
	size_t		 len;
	int		 n;

	(void)arg;
	calls++;
	(void)server_req_body(r, &len);
	n = snprintf(out, sizeof(out), "peer=%s len=%zu",
	    server_req_peer(r), len);
	server_reply(r, 200, "text/plain", out, (size_t)n);
}

/* A server that is busy says when to come back. */
static void
busy(struct server_req *r, void *arg)
{
	(void)arg;
	server_req_header(r, "Retry-After", "7");
	server_reply(r, 503, "text/plain", "busy", 4);
}

static void
on_done(void *arg, const struct client_result *cr)
{
	struct result	*r = arg;

	r->done = 1;
	r->status = cr->status;
	r->retry_after = cr->retry_after;
	r->err = cr->err;
	snprintf(r->body, sizeof(r->body), "%.*s", (int)cr->len,
	    cr->body ? (const char *)cr->body : "");
	loop_stop(loop);
}

/* One request from a client with the given certificate; waits for it. */
static void
call(const char *who, const char *peer, const char *pins, const void *body,
    size_t len, struct result *r)
{
	struct sp_err	 err = { 0 };
	struct trust_key *k = fixture_key("pki", who);
	struct tls_ctx	*t;
	struct client	*c;
	char		*cert = fixture_path("pki/%s.pem", who);
	char		*ca = fixture_path("pki/ca.pem");
	struct client_call cc = { body ? "POST" : "GET", url, peer, pins, body,
	    len, 4096, 10 };

	memset(r, 0, sizeof(*r));
	assert_non_null(t = tls_client_new(cert, k, ca, NULL, &err));
	assert_non_null(c = client_new(loop, t, &err));
	assert_int_equal(client_start(c, &cc, on_done, r, &err), 0);
	loop_run(loop);
	assert_true(r->done);
	client_free(c);
	tls_free(t);
	trust_key_free(k);
	free(cert);
	free(ca);
}

static void
test_mutual_tls(void **state)
{
	struct result	 r;

	(void)state;
	call("33.28", "hub", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "peer=33.28 len=0");
	call("33.28", "hub", NULL, "<batch/>", 8, &r);
	assert_string_equal(r.body, "peer=33.28 len=8");
}

static void
test_client_refuses_wrong_server(void **state)
{
	struct result	 r;
	int		 before = calls;

	(void)state;
	/* the server is the hub; a client that meant Demak sends nothing */
	call("33.28", "33.21", NULL, "<batch/>", 8, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err.code, SPE_NET);
	assert_int_equal(calls, before);
}

static void
test_pins(void **state)
{
	struct result	 r;
	int		 before = calls;
	char		*cmd, pin[80] = "sha256//", *nl;
	FILE		*f;

	(void)state;
	call("33.28", "hub", "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "x", 1, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(calls, before);
	cmd = xasprintf("openssl x509 -in %s/pki/hub.pem -pubkey -noout | "
	    "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | "
	    "base64", fixture_dir());
	assert_non_null(f = popen(cmd, "r"));
	assert_non_null(fgets(pin + 8, sizeof(pin) - 8, f));
	pclose(f);
	free(cmd);
	if ((nl = strchr(pin, '\n')) != NULL)
		*nl = '\0';
	call("33.28", "hub", pin, "x", 1, &r);
	assert_int_equal(r.status, 200);
}

static void
test_server_refuses_clients(void **state)
{
	struct result	 r;
	int		 before = calls;

	(void)state;
	call("rogue-33.28", "hub", NULL, "x", 1, &r);
	assert_int_equal(r.status, 0);
	call("revoked-33.28", "hub", NULL, "x", 1, &r);
	assert_int_equal(r.status, 0);
	call("expired-33.28", "hub", NULL, "x", 1, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(calls, before);
}

static void
test_limits_and_routes(void **state)
{
	struct result	 r;
	char		*big = xcalloc(1, 70000);
	char		*saved = xstrdup(url);

	(void)state;
	memset(big, 'a', 69999);
	call("33.28", "hub", NULL, big, 69999, &r);
	assert_int_equal(r.status, 413);
	snprintf(url, sizeof(url), "%s", saved);
	*strrchr(url, '/') = '\0';
	strcat(url, "/nothing");
	call("33.28", "hub", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	snprintf(url, sizeof(url), "%s", saved);
	strcat(url, "-get");
	call("33.28", "hub", NULL, "x", 1, &r);
	assert_int_equal(r.status, 405);
	snprintf(url, sizeof(url), "%s", saved);
	free(saved);
	free(big);
}

/* The client hands the sync loop the server's Retry-After. */
static void
test_retry_after(void **state)
{
	struct result	 r;
	char		*saved = xstrdup(url);

	(void)state;
	*strrchr(url, '/') = '\0';
	strcat(url, "/busy");
	call("33.28", "hub", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.retry_after, 7);
	snprintf(url, sizeof(url), "%s", saved);
	free(saved);
}

/* Backoff: doubling, capped, jittered in the upper half, >= Retry-After. */
static void
test_backoff(void **state)
{
	long	 d, lo = 1000, hi = 0;
	int	 f, i;

	(void)state;
	for (f = 0; f < 20; f++) {
		long	 full = 1L << (f < 9 ? f : 9);

		if (full > 300)
			full = 300;
		for (i = 0; i < 200; i++) {
			d = syncer_backoff(f, 0);
			assert_true(d >= full / 2 && d <= full);
			if (f == 12) {
				lo = d < lo ? d : lo;
				hi = d > hi ? d : hi;
			}
		}
	}
	assert_true(hi > lo);		/* it does jitter */
	assert_int_equal(syncer_backoff(1, 120), 120);
	assert_true(syncer_backoff(30, 0) <= 300);
}

static int	 raw[3];

static void
stop(void *arg)
{
	(void)arg;
	loop_stop(loop);
}

static int
raw_connect(void)
{
	struct sockaddr_in	 sin;
	int			 s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)server_port(srv));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return s;
}

static void
run_for(long ms)
{
	struct sp_err	 err = { 0 };

	assert_int_equal(loop_after(loop, ms, stop, NULL, &err), 0);
	loop_run(loop);
}

static void
test_connection_cap(void **state)
{
	int	 i;

	(void)state;
	/* the cap is 2: a third connection waits in the kernel's backlog */
	for (i = 0; i < 3; i++)
		raw[i] = raw_connect();
	run_for(300);
	assert_int_equal(server_connections(srv), 2);
	close(raw[0]);
	run_for(300);
	assert_int_equal(server_connections(srv), 2);
	close(raw[1]);
	close(raw[2]);
	run_for(300);
	assert_int_equal(server_connections(srv), 0);
}

static void
trickle(void *arg)
{
	struct sp_err	 err = { 0 };
	int		*n = arg;

	if (send(raw[0], "", 1, MSG_NOSIGNAL) != 1 || --*n == 0)
		return;
	loop_after(loop, 200, trickle, n, &err);
}

static void
test_slow_trickle_is_cut(void **state)
{
	struct sp_err	 err = { 0 };
	int		 n = 15;
	char		 c;

	(void)state;
	/*
	 * A TLS record header announcing 512 bytes, then one byte per 200 ms:
	 * OpenSSL waits for the record, evhttp sees no idle gap, and only the
	 * rate watchdog can end it.
	 */
	raw[0] = raw_connect();
	assert_int_equal(send(raw[0], "\x16\x03\x01\x02\x00", 5, 0), 5);
	assert_int_equal(loop_after(loop, 0, trickle, &n, &err), 0);
	run_for(2500);
	assert_int_equal(server_connections(srv), 0);
	assert_true(recv(raw[0], &c, 1, MSG_DONTWAIT) <= 0);
	close(raw[0]);
}

/*
 * Silent connections holding every slot of a server whose grace is five
 * minutes: at the cap the grace shrinks, so they are cut within seconds
 * and a node's request waiting behind them is answered.  With the full
 * grace it would wait out the client's timeout (make bench-load found it).
 */
static void
test_cap_pressure(void **state)
{
	struct sp_err		 err = { 0 };
	struct server_config	 cfg = { "127.0.0.1:0", 65536, 8192, 2, 300,
				    300, 512, 600 };
	struct server		*held = srv;
	struct result		 r;
	char			 c;
	int			 i;

	(void)state;
	assert_non_null(srv = server_new(loop, stls, &cfg, &err));
	server_route(srv, SERVER_GET | SERVER_POST, "/v1/echo", echo, NULL);
	snprintf(url, sizeof(url), "https://localhost:%d/v1/echo",
	    server_port(srv));
	for (i = 0; i < 2; i++)
		raw[i] = raw_connect();
	run_for(300);
	assert_int_equal(server_connections(srv), 2);
	call("33.28", "hub", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	for (i = 0; i < 2; i++) {
		assert_true(recv(raw[i], &c, 1, MSG_DONTWAIT) <= 0);
		close(raw[i]);
	}
	server_free(srv);
	srv = held;
	snprintf(url, sizeof(url), "https://localhost:%d/v1/echo",
	    server_port(srv));
}

/* The cap a server with max_conns gets; -1 when it is refused. */
static int
cap_under(int max_conns)
{
	struct sp_err		 err = { 0 };
	struct server_config	 cfg = { "127.0.0.1:0", 4096, 4096, 0, 5, 5,
	    1, 60 };
	struct server		*s;
	int			 cap;

	cfg.max_conns = max_conns;
	if ((s = server_new(loop, stls, &cfg, &err)) == NULL)
		return -1;
	cap = server_max_connections(s);
	server_free(s);
	return cap;
}

/*
 * In a child, whose limits are its own: with the hard open-file limit at
 * hard, the cap max_conns gets, or -1 when it is refused; -2 on failure.
 */
static int
cap_under_hard_limit(rlim_t hard, int max_conns)
{
	struct rlimit	 rl = { hard, hard };
	int		 fd[2], cap = -2, st;
	pid_t		 pid;

	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			cap = cap_under(max_conns);
		_exit(write(fd[1], &cap, sizeof(cap)) == sizeof(cap) ? 0 : 1);
	}
	assert_true(pid > 0);
	close(fd[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(read(fd[0], &cap, sizeof(cap)), sizeof(cap));
	close(fd[0]);
	return cap;
}

/*
 * Every connection is a descriptor: the soft open-file limit is raised to
 * fit the cap and 128 more, and a hard limit too low lowers the cap (or
 * refuses a server with no room for 8 connections) instead of letting
 * accept() fail with EMFILE.
 */
static void
test_cap_fits_open_files(void **state)
{
	struct rlimit	 rl, was;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
	if (was.rlim_max != RLIM_INFINITY && was.rlim_max < 1128)
		fail_msg("the hard open-file limit %llu is below this "
		    "test's 1128", (unsigned long long)was.rlim_max);
	rl = was;
	rl.rlim_cur = 200;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(cap_under(1000), 1000);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur >= 1128);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
	assert_int_equal(cap_under_hard_limit(300, 1000), 300 - 128);
	assert_int_equal(cap_under_hard_limit(300, 100), 100);
	assert_int_equal(cap_under_hard_limit(130, 100), -1);
}

static int
setup(void **state)
{
	struct sp_err		 err = { 0 };
	struct server_config	 cfg = { "127.0.0.1:0", 65536, 8192, 2, 5, 1,
				    512, 30 };
	char			*cert, *key, *ca, *crl;

	(void)state;
	if (fixture_open("net") == -1 ||
	    fixture_pki("pki", "--test 33.28 hub") == -1)
		return -1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	log_init(0);
	cert = fixture_path("pki/hub.pem");
	key = fixture_path("pki/hub.key");
	ca = fixture_path("pki/ca.pem");
	crl = fixture_path("pki/crl.pem");
	if ((loop = loop_new(&err)) == NULL ||
	    (skey = trust_key_load(key, NULL, &err)) == NULL ||
	    (stls = tls_server_new(cert, skey, ca, crl, &err)) == NULL ||
	    (srv = server_new(loop, stls, &cfg, &err)) == NULL) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	server_route(srv, SERVER_GET | SERVER_POST, "/v1/echo", echo, NULL);
	server_route(srv, SERVER_GET, "/v1/echo-get", echo, NULL);
	server_route(srv, SERVER_GET, "/v1/busy", busy, NULL);
	snprintf(url, sizeof(url), "https://localhost:%d/v1/echo",
	    server_port(srv));
	free(cert);
	free(key);
	free(ca);
	free(crl);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	server_free(srv);
	tls_free(stls);
	trust_key_free(skey);
	loop_free(loop);
	curl_global_cleanup();
	return fixture_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_tls),
		cmocka_unit_test(test_client_refuses_wrong_server),
		cmocka_unit_test(test_pins),
		cmocka_unit_test(test_server_refuses_clients),
		cmocka_unit_test(test_limits_and_routes),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_connection_cap),
		cmocka_unit_test(test_slow_trickle_is_cut),
		cmocka_unit_test(test_cap_pressure),
		cmocka_unit_test(test_cap_fits_open_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
