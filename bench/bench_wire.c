/*
 * bench_wire.c: what the wire costs.  Signs and verifies 100,000 events cut
 * into batches at 1 MiB (or 2,000 items), the way the sender and the
 * receiver will: structs -> batch_new_batch -> dsig_sign, and bytes ->
 * batch_parse -> batch_validate -> dsig_verify -> batch_check_authorship.
 * In the same run it times a bare libxml2 parse and a bare SHA-256 pass
 * over the same bytes, and prints events/s and the ratios to those two.
 *
 *   make bench-wire	(or: bench/bench_wire CERTS/mkcerts.sh [N [rsa]])
 *
 * Keys are ECDSA P-256, or RSA-2048 with "rsa"; make bench-wire runs both.
 *
 * Not part of make check: it takes seconds and its figures depend on the
 * machine.  Build without sanitizers for meaningful figures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <openssl/sha.h>

#include "wire/batch.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define T0		1795831200
#define RESERVE		4096	/* header and signature, kept free */

struct blob {
	uint8_t	*p;
	size_t	 n;
};

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const struct sp_err *err)
{
	fprintf(stderr, "bench_wire: %s: %s\n", sp_code_name(err->code),
	    err->msg);
	exit(1);
}

/* A realistic mix: one filed per ten events, follow-ups with text. */
static void
make_event(struct event *e, long i)
{
	static const char text[] = "Petugas Dinas PUPR sudah meninjau lokasi "
	    "dan menjadwalkan perbaikan jalan berlubang di RT 02 RW 03 pada "
	    "minggu depan; warga diminta memasang tanda bahaya sementara. ";

	memset(e, 0, sizeof(*e));
	strcpy(e->author, "33.21");
	e->seq = i + 1;
	snprintf(e->complaint, sizeof(e->complaint), "33.21-%06ld",
	    i / 10 + 1);
	e->actor = xstrdup("siti.aminah");
	e->at = e->recorded = T0 + i;
	e->at_offset = 420;
	if (i % 10 == 0) {
		e->kind = EV_FILED;
		e->v = 1;
		e->filed = xcalloc(1, sizeof(*e->filed));
		e->filed->title = xstrdup("Jalan desa rusak dan berlubang");
		e->filed->body = xstrdup(text);
		e->filed->category = xstrdup("infrastruktur.jalan");
		e->filed->filed_at = e->at;
	} else {
		e->kind = EV_FOLLOWED_UP;
		e->v = (int)(i % 10) + 1;
		e->text = xasprintf("%s%s", text, text);
	}
}

int
main(int argc, char **argv)
{
	struct sp_err		 err = { 0 };
	struct batch_header	 h;
	struct batch_limits	 lim;
	struct trust_key	*key;
	struct trust		*trust;
	struct event		*ev;
	struct blob		*blobs = NULL;
	struct batch		*b, *s;
	const uint8_t		*bytes;
	char			 dir[] = "/tmp/bench-wire.XXXXXX";
	char			*cmd, *p1, *p2;
	long			 nev = argc > 2 ? atol(argv[2]) : 100000;
	int			 rsa = argc > 3 && strcmp(argv[3], "rsa") == 0;
	long			 i, first, nb = 0;
	size_t			 used, sz, total = 0, k;
	double			 t, t_sign, t_verify, t_parse, t_sha;
	double			 t1, t2, t3, t_p = 0, t_v = 0, t_d = 0;
	uint8_t			 md[SHA256_DIGEST_LENGTH];
	xmlDocPtr		 doc;

	if (argc < 2 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: bench_wire MKCERTS.SH [EVENTS [rsa]]\n");
		return 2;
	}
	cmd = xasprintf("'%s' -d %s %s 33.21 >/dev/null", argv[1], dir,
	    rsa ? "--rsa" : "");
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	p1 = xasprintf("%s/33.21.key", dir);
	p2 = xasprintf("%s/33.21.pem", dir);
	if (dsig_init(&err) == -1 ||
	    (key = trust_key_load(p1, p2, &err)) == NULL)
		die(&err);
	free(p1);
	free(p2);
	p1 = xasprintf("%s/ca.pem", dir);
	if ((trust = trust_load(p1, NULL, &err)) == NULL)
		die(&err);
	free(p1);

	ev = xcalloc((size_t)nev, sizeof(*ev));
	for (i = 0; i < nev; i++)
		make_event(&ev[i], i);

	/* Sign: cut by bytes and items, build, sign. */
	memset(&h, 0, sizeof(h));
	strcpy(h.from, "33.21");
	strcpy(h.to, "hub");
	memset(h.prev, '0', 64);
	strcpy(h.instance, "0123456789abcdef0123456789abcdef");
	h.created = T0;
	t = now();
	for (first = 0; first < nev; first = i) {
		used = RESERVE;
		for (i = first; i < nev && i - first < BATCH_MAX_ITEMS; i++) {
			sz = batch_event_size(&ev[i]);
			if (used + sz > BATCH_MAX_BYTES)
				break;
			used += sz;
		}
		h.seq = nb + 1;
		if (batch_new_batch(&h, ev + first, (size_t)(i - first), NULL,
		    0, &b, &err) == -1 || dsig_sign(b, key, &s, &err) == -1)
			die(&err);
		blobs = xreallocarray(blobs, (size_t)nb + 1, sizeof(*blobs));
		bytes = batch_bytes(s, &blobs[nb].n);
		blobs[nb].p = xmalloc(blobs[nb].n);
		memcpy(blobs[nb].p, bytes, blobs[nb].n);
		batch_digest(s, h.prev);
		total += blobs[nb].n;
		nb++;
		batch_free(b);
		batch_free(s);
	}
	t_sign = now() - t;

	/* Verify: the receiver's transport checks. */
	batch_limits_default(&lim);
	t = now();
	for (k = 0; k < (size_t)nb; k++) {
		t1 = now();
		if (batch_parse(blobs[k].p, blobs[k].n, &lim, &b, &err) == -1)
			die(&err);
		t2 = now();
		if (batch_validate(b, &err) == -1)
			die(&err);
		t3 = now();
		if (dsig_verify(b, trust, util_now(), NULL, &err) == -1 ||
		    batch_check_authorship(b, &err) == -1)
			die(&err);
		t_p += t2 - t1;
		t_v += t3 - t2;
		t_d += now() - t3;
		batch_free(b);
	}
	t_verify = now() - t;

	/* The two baselines over the same bytes. */
	t = now();
	for (k = 0; k < (size_t)nb; k++) {
		doc = xmlReadMemory((const char *)blobs[k].p, (int)blobs[k].n,
		    "b.xml", NULL, XML_PARSE_NONET);
		if (doc == NULL)
			return 1;
		xmlFreeDoc(doc);
	}
	t_parse = now() - t;
	t = now();
	for (k = 0; k < (size_t)nb; k++)
		SHA256(blobs[k].p, blobs[k].n, md);
	t_sha = now() - t;

	printf("key %s\n", rsa ? "RSA-2048 (RSA-SHA256)" :
	    "EC P-256 (ECDSA-SHA256)");
	printf("events %ld in %ld batches, %.1f MiB (mean %.0f KiB, %.0f "
	    "events per batch)\n", nev, nb, (double)total / 1048576.0,
	    (double)total / (double)nb / 1024.0, (double)nev / (double)nb);
	printf("sign   (build+sign): %8.0f events/s  %6.3f s\n",
	    (double)nev / t_sign, t_sign);
	printf("verify (receiver):   %8.0f events/s  %6.3f s\n",
	    (double)nev / t_verify, t_verify);
	printf("  of which: hardened parse %.3f s, schema %.3f s, "
	    "signature and signer %.3f s\n", t_p, t_v, t_d);
	printf("bare libxml2 parse:  %8.0f events/s  %6.3f s\n",
	    (double)nev / t_parse, t_parse);
	printf("bare SHA-256:        %8.0f events/s  %6.3f s\n",
	    (double)nev / t_sha, t_sha);
	printf("ratios: verify/parse %.1fx, verify/sha256 %.1fx, "
	    "sign/parse %.1fx, sign/sha256 %.1fx\n", t_verify / t_parse,
	    t_verify / t_sha, t_sign / t_parse, t_sign / t_sha);

	for (i = 0; i < nev; i++)
		event_clear(&ev[i]);
	free(ev);
	for (k = 0; k < (size_t)nb; k++)
		free(blobs[k].p);
	free(blobs);
	trust_free(trust);
	trust_key_free(key);
	dsig_shutdown();
	batch_shutdown();
	cmd = xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_wire: cannot remove %s\n", dir);
	free(cmd);
	return 0;
}
