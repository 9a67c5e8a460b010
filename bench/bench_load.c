/*
 * bench_load.c: the two processes bench/load.sh needs besides simpul
 * itself, for the load and hostile-client benchmark (make bench-load).
 *
 *   bench_load gen SECONDS PER_SECOND DB...
 *	For SECONDS, files PER_SECOND complaints a second at each node DB
 *	by the desk's own code path (what `simpul complaint file` runs):
 *	each filed and verified, every fifth forwarded to the next node
 *	in the list (a peer reached through the hub).  One transaction
 *	per node per second, spread over the second.  Prints the events
 *	it recorded.
 *
 *   bench_load attack PORT CERT KEY SECONDS TRICKLES
 *	For SECONDS, against the server on 127.0.0.1:PORT: TRICKLES
 *	slow connections, half of them a TLS ClientHello sent one byte a
 *	second over plain TCP, half a mutual-TLS connection (CERT, KEY: a
 *	valid node certificate) sending a POST one byte a second; each is
 *	opened again as soon as the server cuts it.  Between the ticks, in
 *	turn: a body over the limit by Content-Length, a chunked body over
 *	the limit, a body truncated by Content-Length, a chunked body
 *	without its last chunk, TLS without a client certificate, TLS 1.0
 *	and TLS 1.1.  Prints what the server did with each kind.
 *
 * The attacker speaks OpenSSL and sockets directly: it is a hostile
 * client, not a node, so it uses none of simpul's own network code.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "rules/complaint.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "rules/event.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define BODY_OVER	(2 * 1024 * 1024)	/* the hub takes 1 MiB + 4 KiB */
#define IO_TIMEOUT	10			/* seconds, one-shot requests */

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct sp_err *err)
{
	fprintf(stderr, "bench_load: %s: %s: %s\n", what,
	    sp_code_name(err->code), err->msg);
	exit(1);
}

/* ---- gen: events at every node, through the desk ------------------------ */

static long
gen_one(struct store *s, const char *next, int n)
{
	struct sp_err		 err = { 0 };
	struct desk		 d;
	struct complaint_state	 cs;
	struct complaint_fields	 f;
	struct event		 e;
	char			 id[40];
	long			 events = 0;
	int			 i;

	if (store_begin(s, &err) == -1 ||
	    desk_init(&d, s, "bench", util_now(), &err) == -1)
		die("begin", &err);
	for (i = 0; i < n; i++) {
		memset(&f, 0, sizeof(f));
		f.title = (char *)"Jalan desa rusak";
		f.body = (char *)"Jalan di Desa Karangsari berlubang sejak "
		    "musim hujan, mohon segera diperbaiki.";
		f.category = (char *)"INF.JLN";
		if (desk_file(&d, &f, NULL, id, &err) == -1 ||
		    desk_load(&d, id, &cs, &err) == -1)
			die("file", &err);
		memset(&e, 0, sizeof(e));
		e.kind = EV_VERIFIED;
		if (desk_record(&d, &cs, &e, &err) == -1)
			die("verify", &err);
		events += 2;
		if (i % 5 == 0) {
			memset(&e, 0, sizeof(e));
			e.kind = EV_FORWARDED;
			e.reason = (char *)"bukan wewenang";
			snprintf(e.to, sizeof(e.to), "%s", next);
			if (desk_record(&d, &cs, &e, &err) == -1)
				die("forward", &err);
			events++;
		}
	}
	desk_clear(&d);
	if (store_commit(s, &err) == -1)
		die("commit", &err);
	return events;
}

static int
gen(int argc, char **argv)
{
	struct sp_err	 err = { 0 };
	struct store	**s;
	char		**code;
	double		 t0, secs = atof(argv[2]);
	long		 events = 0, due, done = 0;
	int		 per = atoi(argv[3]), n = argc - 4, i;

	s = xcalloc(n, sizeof(*s));
	code = xcalloc(n, sizeof(*code));
	for (i = 0; i < n; i++) {
		if ((s[i] = store_open(argv[4 + i], STORE_WRITE, &err)) == NULL)
			die(argv[4 + i], &err);
		code[i] = xstrdup(argv[4 + i]);
		/* ".../33.07.db": the node's code is the file's name. */
		*strrchr(code[i], '.') = '\0';
		memmove(code[i], strrchr(code[i], '/') + 1,
		    strlen(strrchr(code[i], '/') + 1) + 1);
	}
	t0 = mono();
	while (mono() - t0 < secs) {
		due = (long)((mono() - t0) * n);
		if (done >= due) {
			usleep(2000);
			continue;
		}
		i = (int)(done++ % n);
		events += gen_one(s[i], code[(i + 1) % n], per);
	}
	printf("%ld events in %.1f s\n", events, mono() - t0);
	for (i = 0; i < n; i++) {
		store_close(s[i]);
		free(code[i]);
	}
	free(s);
	free(code);
	return 0;
}

/* ---- attack: slow and hostile clients ----------------------------------- */

static int		 port;
static SSL_CTX		*ctx_cert, *ctx_nocert, *ctx_old10, *ctx_old11;

static int
tcp_connect(int nonblock)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { IO_TIMEOUT, 0 };
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static SSL_CTX *
ctx_new(const char *cert, const char *key, int version)
{
	SSL_CTX	*c;

	if ((c = SSL_CTX_new(TLS_client_method())) == NULL)
		goto bad;
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	if (version != 0) {
		/* Old protocols need the lowest security level to be sent. */
		SSL_CTX_set_security_level(c, 0);
		SSL_CTX_set_cipher_list(c, "DEFAULT:@SECLEVEL=0");
		SSL_CTX_set_min_proto_version(c, version);
		SSL_CTX_set_max_proto_version(c, version);
	}
	if (cert != NULL &&
	    (SSL_CTX_use_certificate_chain_file(c, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM) != 1))
		goto bad;
	return c;
bad:
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* A blocking TLS connection, or NULL when the handshake failed. */
static SSL *
tls_open(SSL_CTX *c, int *fdp)
{
	SSL	*ssl;
	int	 fd;

	if ((fd = tcp_connect(0)) == -1)
		return NULL;
	ssl = SSL_new(c);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		SSL_free(ssl);
		close(fd);
		ERR_clear_error();
		return NULL;
	}
	*fdp = fd;
	return ssl;
}

static void
tls_close(SSL *ssl, int fd)
{
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
}

static int
tls_write_all(SSL *ssl, const void *p, size_t len)
{
	const char	*b = p;
	int		 n;

	while (len > 0) {
		if ((n = SSL_write(ssl, b, len > 16384 ? 16384 : (int)len)) <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The status of the server's answer, 0 when none came. */
static int
tls_status(SSL *ssl)
{
	char	 buf[256];
	int	 n, st = 0;

	if ((n = SSL_read(ssl, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &st) != 1)
		return 0;
	return st;
}

enum kind { K_LENGTH, K_CHUNKED, K_TRUNC, K_TRUNC_CHUNKED, K_NOCERT,
    K_TLS10, K_TLS11, K_MAX };
static const char *kind_name[K_MAX] = {
	"body over the limit (Content-Length)",
	"chunked body over the limit",
	"body truncated (Content-Length, then close)",
	"chunked body without its last chunk",
	"TLS without a client certificate",
	"TLS 1.0",
	"TLS 1.1",
};
struct tally {
	int	 tries;
	int	 refused;	/* handshake failed */
	int	 s413;
	int	 noanswer;	/* connection closed, no HTTP answer */
	int	 other;
};
static struct tally	 tally[K_MAX];

static const char post_hdr[] = "POST /v1/batches HTTP/1.1\r\n"
    "Host: localhost\r\nContent-Type: application/xml\r\n";

static void
one_body(enum kind k, SSL *ssl)
{
	static char	 block[65536];
	char		 hdr[256];
	size_t		 sent;
	int		 st;

	memset(block, 'x', sizeof(block));
	if (k == K_LENGTH || k == K_TRUNC)
		snprintf(hdr, sizeof(hdr), "%sContent-Length: %d\r\n\r\n",
		    post_hdr, k == K_LENGTH ? BODY_OVER : 100000);
	else
		snprintf(hdr, sizeof(hdr), "%sTransfer-Encoding: chunked\r\n"
		    "\r\n", post_hdr);
	if (tls_write_all(ssl, hdr, strlen(hdr)) == -1)
		goto answer;
	for (sent = 0; sent < (k == K_LENGTH || k == K_CHUNKED ? BODY_OVER :
	    20000); sent += sizeof(block) / 4) {
		if (k == K_CHUNKED || k == K_TRUNC_CHUNKED) {
			snprintf(hdr, sizeof(hdr), "%zx\r\n",
			    sizeof(block) / 4);
			if (tls_write_all(ssl, hdr, strlen(hdr)) == -1)
				break;
		}
		if (tls_write_all(ssl, block, sizeof(block) / 4) == -1 ||
		    ((k == K_CHUNKED || k == K_TRUNC_CHUNKED) &&
		    tls_write_all(ssl, "\r\n", 2) == -1))
			break;
	}
	if (k == K_TRUNC || k == K_TRUNC_CHUNKED) {
		/* Gone before the end: nothing may come of it. */
		tally[k].noanswer++;
		return;
	}
	if (k == K_CHUNKED)
		tls_write_all(ssl, "0\r\n\r\n", 5);
answer:
	st = tls_status(ssl);
	if (st == 413)
		tally[k].s413++;
	else if (st == 0)
		tally[k].noanswer++;
	else
		tally[k].other++;
}

static void
one_shot(enum kind k)
{
	static const char get[] = "GET /v1/status HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\n";
	SSL_CTX	*c = k == K_NOCERT ? ctx_nocert : k == K_TLS10 ? ctx_old10 :
	    k == K_TLS11 ? ctx_old11 : ctx_cert;
	SSL	*ssl;
	int	 fd, st;

	tally[k].tries++;
	if ((ssl = tls_open(c, &fd)) == NULL) {
		tally[k].refused++;
		return;
	}
	if (k >= K_NOCERT) {
		/* TLS 1.3 tells a client without a certificate on its read. */
		if (tls_write_all(ssl, get, sizeof(get) - 1) == -1 ||
		    (st = tls_status(ssl)) == 0)
			tally[k].refused++;
		else
			tally[k].other++;
	} else
		one_body(k, ssl);
	tls_close(ssl, fd);
}

/* A slow connection: a ClientHello over TCP, or a POST inside mutual TLS. */
struct slow {
	int	 fd;
	SSL	*ssl;		/* NULL: the ClientHello kind */
	size_t	 off;
	double	 opened;
};
static unsigned char	 hello[4096];
static size_t		 hello_len;
static char		 slow_req[256];
static int		 cuts, failed_opens;
static double		 cut_life, cut_max;

/* The bytes of a ClientHello, made once through memory BIOs. */
static void
make_hello(void)
{
	SSL	*ssl = SSL_new(ctx_nocert);
	BIO	*rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	int	 n;

	SSL_set_bio(ssl, rb, wb);
	SSL_connect(ssl);
	n = BIO_read(wb, hello, sizeof(hello));
	hello_len = n > 0 ? (size_t)n : 0;
	SSL_free(ssl);
	ERR_clear_error();
	snprintf(slow_req, sizeof(slow_req), "%sContent-Length: 1000000\r\n"
	    "\r\n", post_hdr);
}

static void
slow_open(struct slow *s, int tls)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (tls) {
		if ((s->ssl = tls_open(ctx_cert, &s->fd)) == NULL) {
			failed_opens++;
			s->fd = -1;
			return;
		}
		fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	} else if ((s->fd = tcp_connect(1)) == -1) {
		failed_opens++;
		return;
	}
	s->opened = mono();
}

static void
slow_close(struct slow *s)
{
	double	 life = mono() - s->opened;

	cuts++;
	cut_life += life;
	if (life > cut_max)
		cut_max = life;
	if (s->ssl != NULL)
		SSL_free(s->ssl);
	close(s->fd);
	ERR_clear_error();
	s->fd = -1;
	s->ssl = NULL;
}

/* One more byte; the server having cut the connection, close it. */
static void
slow_tick(struct slow *s)
{
	char	 c;
	int	 n;

	if (s->ssl == NULL) {
		n = (int)recv(s->fd, &c, 1, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN) ||
		    s->off >= hello_len ||
		    send(s->fd, hello + s->off++, 1, MSG_NOSIGNAL) != 1)
			slow_close(s);
		return;
	}
	n = SSL_read(s->ssl, &c, 1);
	if ((n <= 0 && SSL_get_error(s->ssl, n) != SSL_ERROR_WANT_READ) ||
	    n > 0) {
		slow_close(s);
		return;
	}
	c = s->off < strlen(slow_req) ? slow_req[s->off] : 'x';
	s->off++;
	n = SSL_write(s->ssl, &c, 1);
	if (n <= 0 && SSL_get_error(s->ssl, n) != SSL_ERROR_WANT_WRITE)
		slow_close(s);
}

/* n slow connections of one kind for secs, each reopened once cut. */
static void
trickle(int n, int tls, double secs)
{
	struct slow	*slow = xcalloc(n, sizeof(*slow));
	double		 t0 = mono(), next_tick = t0;
	int		 i;

	for (i = 0; i < n; i++)
		slow[i].fd = -1;
	while (mono() - t0 < secs) {
		for (i = 0; i < n && mono() - t0 < secs; i++)
			if (slow[i].fd == -1)
				slow_open(&slow[i], tls);
		if (mono() >= next_tick) {
			for (i = 0; i < n; i++)
				if (slow[i].fd != -1)
					slow_tick(&slow[i]);
			next_tick += 1.0;
		}
		usleep(50000);
	}
	printf("%-45s %4d held open: %d cut by the server, after %.1f s on "
	    "average (at most %.1f s); %d opens failed\n", tls ?
	    "slow POST in mutual TLS, 1 byte/s" :
	    "slow ClientHello over TCP, 1 byte/s", n, cuts,
	    cuts ? cut_life / cuts : 0.0, cut_max, failed_opens);
	fflush(stdout);
	free(slow);
}

static int
attack(char **argv)
{
	double		 t0, secs = atof(argv[5]);
	int		 n = atoi(argv[6]), i, k = 0;
	pid_t		 kid[2];

	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[2]);
	ctx_cert = ctx_new(argv[3], argv[4], 0);
	ctx_nocert = ctx_new(NULL, NULL, 0);
	ctx_old10 = ctx_new(argv[3], argv[4], TLS1_VERSION);
	ctx_old11 = ctx_new(argv[3], argv[4], TLS1_1_VERSION);
	make_hello();
	fflush(stdout);
	/* Each kind of slow connection in a process of its own. */
	for (i = 0; i < 2; i++) {
		if ((kid[i] = fork()) == -1) {
			perror("fork");
			exit(1);
		}
		if (kid[i] == 0) {
			trickle(i == 0 ? n - n / 2 : n / 2, i, secs);
			_exit(0);
		}
	}
	t0 = mono();
	while (mono() - t0 < secs) {
		one_shot((enum kind)(k++ % K_MAX));
		usleep(50000);
	}
	for (i = 0; i < 2; i++)
		waitpid(kid[i], NULL, 0);
	for (i = 0; i < K_MAX; i++)
		printf("%-45s %4d tries: %d refused at the handshake, %d 413, "
		    "%d closed without an answer, %d other\n", kind_name[i],
		    tally[i].tries, tally[i].refused, tally[i].s413,
		    tally[i].noanswer, tally[i].other);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "gen") == 0)
		return gen(argc, argv);
	if (argc == 7 && strcmp(argv[1], "attack") == 0)
		return attack(argv);
	fprintf(stderr, "usage: bench_load gen SECONDS PER_SECOND DB...\n"
	    "       bench_load attack PORT CERT KEY SECONDS TRICKLES\n");
	return 1;
}
