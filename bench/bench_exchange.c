/*
 * bench_exchange.c: how fast a node verifies and imports batches from
 * files, against a bare bulk SQLite insert of the same rows.
 *
 *   bench_exchange MKCERTS [EVENTS]	(default 100,000)
 *
 * Setup (not timed): a development PKI; Demak (33.21) files EVENTS / 5
 * complaints, each verified, dispatched, followed up and forwarded to
 * Tegal (33.28), through the desk; the outbox is cut with the default
 * limits into signed batches, written as files.
 * Timed: Tegal reads each file and runs recv_batch(), exactly what
 * `simpul import` runs: the replay check, size, parse, schema, the
 * signature and the signer's certificate, authorship, the channel, each
 * item judged against the complaint's folded history, applied, routed,
 * the channel advanced and a signed receipt stored, one transaction per
 * batch.
 * Baseline: the same complaint and event rows, already in memory, inserted
 * with plain prepared statements into a database with the same schema and
 * settings (WAL, synchronous=FULL), one transaction per batch.  This
 * harness is the one place outside store.c that calls SQLite: the
 * baseline has to.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "wire/batch.h"
#include "rules/complaint.h"
#include "exchange/desk.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/recv.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

static char	 dir[256];

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
	fprintf(stderr, "bench_exchange: %s: %s: %s\n", what,
	    sp_code_name(err->code), err->msg);
	exit(1);
}

static struct store *
node(const char *code, const char *db)
{
	struct sp_err		 err = { 0 };
	struct store		*s;
	struct settings_identity id = { .role = "regency", .zone = "WIB",
	    .instance = "0123456789abcdef0123456789abcdef", .name = "Node" };
	char			 cert[512], key[512], ca[512];

	snprintf(cert, sizeof(cert), "%s/pki/%s.pem", dir, code);
	snprintf(key, sizeof(key), "%s/pki/%s.key", dir, code);
	snprintf(ca, sizeof(ca), "%s/pki/ca.pem", dir);
	id.code = code;
	id.cert = cert;
	id.key = key;
	id.ca = ca;
	if ((s = store_open(db, STORE_CREATE, &err)) == NULL ||
	    store_begin(s, &err) == -1 || settings_init(s, &id, &err) == -1 ||
	    store_commit(s, &err) == -1)
		die(db, &err);
	return s;
}

/* Demak's side: n/5 complaints of five events, all bound for Tegal. */
static void
make_events(struct store *s, int n)
{
	static const enum event_kind kinds[] = { EV_VERIFIED, EV_DISPATCHED,
	    EV_FOLLOWED_UP, EV_FORWARDED };
	struct sp_err		 err = { 0 };
	struct desk		 d;
	struct complaint_state	 cs;
	struct complaint_fields	 f;
	struct event		 e;
	char			 id[40];
	int			 i, k;

	for (i = 0; i < n / 5; i++) {
		if (i % 1000 == 0 && (i > 0 && store_commit(s, &err) == -1))
			die("commit", &err);
		if (i % 1000 == 0 && store_begin(s, &err) == -1)
			die("begin", &err);
		memset(&f, 0, sizeof(f));
		f.title = (char *)"Jalan desa rusak";
		f.body = (char *)"Jalan di Desa Karangsari berlubang sejak "
		    "musim hujan, mohon segera diperbaiki.";
		f.category = (char *)"INF.JLN";
		if (desk_init(&d, s, "bench", util_now(), &err) == -1 ||
		    desk_file(&d, &f, NULL, id, &err) == -1 ||
		    desk_load(&d, id, &cs, &err) == -1)
			die("file", &err);
		for (k = 0; k < 4; k++) {
			memset(&e, 0, sizeof(e));
			e.kind = kinds[k];
			e.unit = (char *)"Dinas PUPR";
			e.text = (char *)"Sudah ditinjau; perbaikan minggu "
			    "depan.";
			snprintf(e.to, sizeof(e.to), "33.28");
			if (kinds[k] != EV_DISPATCHED)
				e.unit = NULL;
			if (kinds[k] != EV_FOLLOWED_UP)
				e.text = NULL;
			if (kinds[k] != EV_FORWARDED)
				e.to[0] = '\0';
			if (desk_record(&d, &cs, &e, &err) == -1)
				die("record", &err);
		}
		desk_clear(&d);
	}
	if (store_commit(s, &err) == -1)
		die("commit", &err);
}

struct files {
	char	**path;
	int	  n;
};

static int
write_one(void *arg, const struct store_batch *b)
{
	struct files	*f = arg;
	struct sp_err	 err = { 0 };
	char		*p;

	p = xasprintf("%s/batch-33.21-33.28-%lld.xml", dir, (long long)b->seq);
	if (util_write_file(p, b->bytes, b->len, &err) == -1)
		die(p, &err);
	f->path = xreallocarray(f->path, f->n + 1, sizeof(*f->path));
	f->path[f->n++] = p;
	return 0;
}

static void
x(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_exchange: %s: %s\n", sql,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static void
bind_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "bench_exchange: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(st);
}

/* The same rows, bare: one transaction per batch. */
static double
run_bare(const char *path, struct event **ev, size_t *nev, int nb)
{
	struct sp_err	 err = { 0 };
	sqlite3		*db;
	sqlite3_stmt	*ic, *ie;
	struct event	*e;
	double		 t0;
	size_t		 i;
	int		 k;

	store_close(node("33.28", path));
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("bare", &err);
	x(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;"
	    "PRAGMA secure_delete = ON; PRAGMA cache_size = -16384;");
	if (sqlite3_prepare_v2(db, "INSERT INTO complaint (id, origin, owner, "
	    "status, v, type, channel, category, title, body, filed_at, "
	    "anonymous, confidential, filed_confidential) VALUES (?, ?, ?, "
	    "'new', 1, ?, ?, ?, ?, ?, ?, 0, 0, 0)", -1, &ic, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "INSERT INTO event (author, "
	    "seq, complaint, kind, v, actor, at, at_offset, recorded, reason, "
	    "text, unit, officer, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?)", -1, &ie, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_exchange: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	t0 = mono();
	for (k = 0; k < nb; k++) {
		x(db, "BEGIN IMMEDIATE");
		for (i = 0; i < nev[k]; i++) {
			e = &ev[k][i];
			if (e->kind == EV_FILED) {
				sqlite3_bind_text(ic, 1, e->complaint, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ic, 2, e->author, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ic, 3, e->author, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ic, 4, complaint_type_name(
				    e->filed->type), -1, SQLITE_STATIC);
				sqlite3_bind_text(ic, 5, channel_name(
				    e->filed->channel), -1, SQLITE_STATIC);
				bind_or_null(ic, 6, e->filed->category);
				sqlite3_bind_text(ic, 7, e->filed->title, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(ic, 8, e->filed->body, -1,
				    SQLITE_STATIC);
				sqlite3_bind_int64(ic, 9, e->filed->filed_at);
				step(db, ic);
			}
			sqlite3_bind_text(ie, 1, e->author, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ie, 2, e->seq);
			sqlite3_bind_text(ie, 3, e->complaint, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(ie, 4, event_kind_name(e->kind), -1,
			    SQLITE_STATIC);
			sqlite3_bind_int(ie, 5, e->v);
			sqlite3_bind_text(ie, 6, e->actor, -1, SQLITE_STATIC);
			sqlite3_bind_int64(ie, 7, e->at);
			sqlite3_bind_int(ie, 8, e->at_offset);
			sqlite3_bind_int64(ie, 9, e->recorded);
			bind_or_null(ie, 10, e->reason);
			bind_or_null(ie, 11, e->text);
			bind_or_null(ie, 12, e->unit);
			bind_or_null(ie, 13, e->officer);
			bind_or_null(ie, 14, e->to[0] ? e->to : NULL);
			step(db, ie);
		}
		x(db, "COMMIT");
	}
	t0 = mono() - t0;
	sqlite3_finalize(ic);
	sqlite3_finalize(ie);
	sqlite3_close(db);
	return t0;
}

int
main(int argc, char **argv)
{
	struct sp_err		 err = { 0 };
	struct store		*d, *t;
	struct sync_conf	 dc, tc;
	struct recv_ctx		 ctx;
	struct recv_outcome	 o;
	struct files		 f = { NULL, 0 };
	struct batch_limits	 lim;
	struct batch		*b;
	struct buf		 raw;
	struct event		**ev;
	size_t			*nev, i, total = 0, applied = 0;
	double			 ts, tb, tv, t0;
	char			*cmd, *p;
	int			 n = 100000, nb, k;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_exchange MKCERTS [EVENTS]\n");
		return 2;
	}
	if (argc > 2)
		n = atoi(argv[2]);
	snprintf(dir, sizeof(dir), "%s/bench-exchange.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	cmd = xasprintf("'%s' -d '%s/pki' 33.21 33.28 >/dev/null", argv[1],
	    dir);
	if (system(cmd) != 0)
		return 1;
	free(cmd);
	if (dsig_init(&err) == -1)
		die("dsig", &err);

	p = xasprintf("%s/demak.db", dir);
	d = node("33.21", p);
	free(p);
	t0 = mono();
	make_events(d, n);
	if (sync_conf_load(d, &dc, SYNC_KEY, &err) == -1 ||
	    store_begin(d, &err) == -1 ||
	    sync_cut(d, &dc, "33.28", util_now(), &nb, &err) == -1 ||
	    store_commit(d, &err) == -1 ||
	    store_batch_out_each(d, "33.28", 1, write_one, &f, &err) == -1)
		die("cut", &err);
	sync_conf_clear(&dc);
	store_close(d);
	printf("setup: %d events filed and cut into %d batch files in "
	    "%.1f s\n", n, f.n, mono() - t0);

	/* The rows for the baseline, parsed before its clock starts. */
	batch_limits_default(&lim);
	ev = xcalloc((size_t)f.n, sizeof(*ev));
	nev = xcalloc((size_t)f.n, sizeof(*nev));
	for (k = 0; k < f.n; k++) {
		if (util_read_file(f.path[k], lim.max_bytes, &raw, &err) ==
		    -1 || batch_parse(raw.data, raw.len, &lim, &b, &err) == -1 ||
		    batch_validate(b, &err) == -1)
			die(f.path[k], &err);
		nev[k] = batch_nitems(b);
		ev[k] = xcalloc(nev[k], sizeof(**ev));
		for (i = 0; i < nev[k]; i++)
			if (batch_item_event(b, i, &ev[k][i], &err) == -1)
				die("item", &err);
		total += nev[k];
		batch_free(b);
		buf_clear(&raw);
	}

	p = xasprintf("%s/tegal.db", dir);
	t = node("33.28", p);
	free(p);
	if (sync_conf_load(t, &tc, SYNC_KEY | SYNC_TRUST, &err) == -1)
		die("conf", &err);
	/* The transport checks alone, for the breakdown. */
	t0 = mono();
	for (k = 0; k < f.n; k++) {
		if (util_read_file(f.path[k], lim.max_bytes, &raw, &err) ==
		    -1 || batch_parse(raw.data, raw.len, &lim, &b, &err) == -1 ||
		    batch_validate(b, &err) == -1 ||
		    dsig_verify(b, tc.trust, util_now(), NULL, &err) == -1 ||
		    batch_check_authorship(b, &err) == -1)
			die(f.path[k], &err);
		batch_free(b);
		buf_clear(&raw);
	}
	tv = mono() - t0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.node = tc.node;
	ctx.instance = tc.instance;
	ctx.offset = tc.offset;
	ctx.trust = tc.trust;
	ctx.key = tc.key;
	batch_limits_default(&ctx.limits);
	t0 = mono();
	for (k = 0; k < f.n; k++) {
		if (util_read_file(f.path[k], lim.max_bytes, &raw, &err) == -1 ||
		    recv_batch(t, &ctx, raw.data, raw.len, util_now(), &o,
		    &err) == -1)
			die(f.path[k], &err);
		applied += o.n[OUTCOME_APPLIED];
		recv_outcome_clear(&o);
		buf_clear(&raw);
	}
	ts = mono() - t0;
	sync_conf_clear(&tc);
	store_close(t);
	if (applied != total) {
		fprintf(stderr, "bench_exchange: %zu of %zu applied\n",
		    applied, total);
		return 1;
	}

	p = xasprintf("%s/bare.db", dir);
	tb = run_bare(p, ev, nev, f.n);
	free(p);

	printf("simpul import %8.2f s  %9.0f events/s  (verify, judge, "
	    "apply, receipt)\n", ts, (double)total / ts);
	printf("  of which    %8.2f s  %9.0f events/s  (parse, schema, "
	    "signature, signer, authorship alone)\n", tv, (double)total / tv);
	printf("bare inserts  %8.2f s  %9.0f events/s\n", tb,
	    (double)total / tb);
	printf("ratio         %8.1f %%  (target >= 30 %%)\n", 100.0 * tb / ts);

	for (k = 0; k < f.n; k++) {
		for (i = 0; i < nev[k]; i++)
			event_clear(&ev[k][i]);
		free(ev[k]);
		free(f.path[k]);
	}
	free(ev);
	free(nev);
	free(f.path);
	dsig_shutdown();
	batch_shutdown();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_exchange: cannot remove %s\n", dir);
	free(cmd);
	return 0;
}
