/*
 * bench_metrics.c: how long the figure set takes over N events, against
 * one bare SQL aggregate scan of the same event table.
 *
 *   bench_metrics [-n EVENTS] [-d DIR]
 *
 * It makes a node database as init does, then fills it with bare inserts
 * (this harness and bench_complaint are the only code outside store.c
 * that calls SQLite): complaints spread over 2026, each through a valid
 * lifecycle of 4 to 8 events (file, verify, dispatch, follow-up, reply,
 * close; some archived, reopened, rated or extended), N events in all.
 * Then, in the same process and on the same file, it times
 *   - simpul: what `simpul metrics --period 2026` computes
 *     (figures_compute): the store's scan of every event, each
 *     complaint's events put in the canonical order, its involvement
 *     and the inputs counted, folded by metrics.c;
 *   - bare: SELECT kind, count(*), min(at), max(at) FROM event GROUP BY
 *     kind, one aggregate pass over the same rows;
 * each three times, alternating, and prints the best of each and the
 * ratio simpul / bare.  It also times the store's scan alone (every event
 * read and copied, nothing folded), to show where simpul's time goes.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rules/clock.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/figures.h"
#include "rules/metrics.h"
#include "exchange/policy.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"

#define DAY	86400
#define ROUNDS	3

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_metrics: %s: %s\n", what, msg);
	exit(1);
}

static void
unlink_db(const char *path)
{
	char	 p[1100];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static void
make_db(const char *path)
{
	struct settings_identity id = { .code = "33.21", .name = "Demak",
	    .role = "regency", .cert = "/dev/null", .key = "/dev/null",
	    .ca = "/dev/null", .zone = "WIB",
	    .instance = "00000000000000000000000000000000" };
	struct store_category	 top = { "INF", NULL, "Infra", 14, 0 };
	struct store_category	 sub = { "INF.JLN", "INF", "Jalan", 2, 0 };
	struct sp_err		 err = { 0 };
	struct store		*s;

	unlink_db(path);
	if ((s = store_open(path, STORE_CREATE, &err)) == NULL)
		die(path, err.msg);
	if (store_begin(s, &err) == -1 || settings_init(s, &id, &err) == -1 ||
	    store_category_add(s, &top, &err) == -1 ||
	    store_category_add(s, &sub, &err) == -1 ||
	    store_commit(s, &err) == -1)
		die("init", err.msg);
	store_close(s);
}

static void
x(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
}

static void
step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die("insert", sqlite3_errmsg(db));
	sqlite3_reset(st);
}

/* One event row: kind at time `at` with version v (0: annotation). */
static void
ev(sqlite3 *db, sqlite3_stmt *st, const char *id, int64_t *seq,
    const char *kind, int v, int64_t at)
{
	sqlite3_bind_int64(st, 1, ++*seq);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, v);
	sqlite3_bind_int64(st, 5, at);
	sqlite3_bind_int64(st, 6, at);
	sqlite3_bind_text(st, 7, strcmp(kind, "archived") == 0 ? "spam" :
	    strcmp(kind, "reopened") == 0 || strcmp(kind, "extended") == 0 ?
	    "alasan" : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, strcmp(kind, "followed_up") == 0 ||
	    strcmp(kind, "reporter_reply") == 0 ? "Sudah ditindaklanjuti" :
	    NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, strcmp(kind, "dispatched") == 0 ? "DPUPR" :
	    NULL, -1, SQLITE_STATIC);
	if (strcmp(kind, "rating") == 0)
		sqlite3_bind_int(st, 10, 4);
	else
		sqlite3_bind_null(st, 10);
	step(db, st);
}

/* Fill the database with about n events; returns how many. */
static int64_t
fill(const char *path, int64_t n)
{
	static const char *const channels[] = { "web", "sms1708", "app",
	    "whatsapp", "social", "agent", "village_visit", "walk_in" };
	sqlite3		*db;
	sqlite3_stmt	*ic, *ie;
	int64_t		 seq = 0, i = 0, t;
	char		 id[40];
	int		 v, k;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	x(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO complaint (id, origin, owner, "
	    "status, v, type, channel, category, title, body, filed_at, "
	    "anonymous, confidential, filed_confidential) VALUES (?, '33.21', "
	    "'33.21', 'closed', 0, ?, ?, ?, 'Jalan desa berlubang', "
	    "'Lubang besar di depan SD', ?, ?, 0, 0)", -1, &ic, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO event (author, seq, complaint, "
	    "kind, v, actor, at, at_offset, recorded, reason, text, unit, "
	    "stars) VALUES ('33.21', ?, ?, ?, ?, 'bench', ?, 420, ?, ?, ?, ?, "
	    "?)", -1, &ie, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	while (seq < n) {
		i++;
		snprintf(id, sizeof(id), "33.21-%06lld", (long long)i);
		/* 2026-01-01T08:00+07:00 + a spread over the year. */
		t = 1767229200 + (i * 7919 % 360) * DAY + (i * 37 % 600) * 60;
		k = (int)(i % 20);
		sqlite3_bind_text(ic, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ic, 2, k == 7 ? "information_request" :
		    "complaint", -1, SQLITE_STATIC);
		sqlite3_bind_text(ic, 3, channels[i % 8], -1, SQLITE_STATIC);
		sqlite3_bind_text(ic, 4, i % 3 ? "INF.JLN" : "INF", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(ic, 5, t);
		sqlite3_bind_int(ic, 6, k == 3);
		step(db, ic);
		v = 0;
		ev(db, ie, id, &seq, "filed", ++v, t);
		if (k == 5) {		/* spam */
			ev(db, ie, id, &seq, "archived", ++v, t + 3600);
			ev(db, ie, id, &seq, "reopened", ++v, t + 2 * DAY);
			ev(db, ie, id, &seq, "followed_up", ++v, t + 3 * DAY);
			continue;
		}
		ev(db, ie, id, &seq, "verified", ++v, t + (k + 1) * 1800);
		if (k == 7)
			ev(db, ie, id, &seq, "extended", ++v,
			    t + (k + 1) * 1800 + 600);
		else
			ev(db, ie, id, &seq, "dispatched", ++v,
			    t + (k + 1) * 1800 + 600);
		ev(db, ie, id, &seq, "followed_up", ++v, t + (k + 1) * 7200);
		if (k % 4 == 0)
			continue;	/* still in progress */
		ev(db, ie, id, &seq, "reporter_reply", 0, t + 2 * DAY);
		ev(db, ie, id, &seq, "resolved", ++v, t + 3 * DAY);
		if (k % 2 == 0)
			ev(db, ie, id, &seq, "rating", 0, t + 3 * DAY + 60);
		ev(db, ie, id, &seq, "closed", ++v, t + 4 * DAY);
	}
	x(db, "COMMIT");
	sqlite3_finalize(ic);
	sqlite3_finalize(ie);
	x(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	return seq;
}

static int
noop(void *arg, const struct event *e, size_t n)
{
	(void)e;
	*(int64_t *)arg += (int64_t)n;
	return 0;
}

static double
run_scan(struct store *s, int64_t *rows)
{
	struct sp_err	 err = { 0 };
	double		 t0 = mono();

	*rows = 0;
	if (store_event_scan(s, noop, rows, &err) == -1)
		die("scan", err.msg);
	return mono() - t0;
}

static struct metrics_tier tiers[] = {
	{ "INF", 14 }, { "INF.JLN", 2 },
};

static double
run_simpul(struct store *s, struct metrics_figures *fig)
{
	struct policy		 pol;
	struct metrics_period	 per = { 20454, 20818 };	/* 2026 */
	struct figures_input	*used = NULL;
	struct sp_err		 err = { 0 };
	size_t			 nused = 0;
	double			 t0 = mono();

	memset(&pol, 0, sizeof(pol));
	pol.offset = 420;
	pol.target_hours = 24;
	pol.tiers = tiers;
	pol.ntiers = 2;
	metrics_free(fig);
	if (figures_compute(s, "33.21", &pol, 1, &per, 1798736400, NULL, 0,
	    NULL, fig, &used, &nused, &err) == -1)
		die("figures", err.msg);
	free(used);
	return mono() - t0;
}

static double
run_bare(sqlite3 *db, int64_t *rows)
{
	sqlite3_stmt	*st;
	double		 t0 = mono();

	*rows = 0;
	if (sqlite3_prepare_v2(db, "SELECT kind, count(*), min(at), max(at) "
	    "FROM event GROUP BY kind", -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW)
		*rows += sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return mono() - t0;
}

int
main(int argc, char **argv)
{
	struct metrics_figures	 fig;
	struct sp_err		 err = { 0 };
	struct store		*s;
	sqlite3			*db;
	const char		*dir = ".";
	char			 path[1024];
	long long		 n = 1000000;
	int64_t			 events, rows, srows;
	double			 ts = 1e9, tb = 1e9, tc = 1e9, t;
	int			 c, i;

	while ((c = getopt(argc, argv, "n:d:")) != -1) {
		switch (c) {
		case 'n':
			n = atoll(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_metrics [-n EVENTS] "
			    "[-d DIR]\n");
			return 2;
		}
	}
	snprintf(path, sizeof(path), "%s/bench-metrics-%d.db", dir,
	    (int)getpid());
	make_db(path);
	t = mono();
	events = fill(path, n);
	printf("SQLite %s, %lld events filled in %.1f s\n",
	    sqlite3_libversion(), (long long)events, mono() - t);
	if ((s = store_open(path, STORE_READ, &err)) == NULL)
		die(path, err.msg);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	memset(&fig, 0, sizeof(fig));
	for (i = 0; i < ROUNDS; i++) {
		if ((t = run_simpul(s, &fig)) < ts)
			ts = t;
		if ((t = run_bare(db, &rows)) < tb)
			tb = t;
		if ((t = run_scan(s, &srows)) < tc)
			tc = t;
	}
	if (fig.events != events || rows != events || srows != events)
		die("count", "the runs did not see every event");
	printf("complaints %lld, refused %lld, followed up %lld.%02lld %%, "
	    "24 h met %lld.%02lld %%\n", (long long)fig.received,
	    (long long)fig.refused, (long long)fig.followed_up_bp / 100,
	    (long long)fig.followed_up_bp % 100,
	    (long long)fig.clocks[MC_24H].met_bp / 100,
	    (long long)fig.clocks[MC_24H].met_bp % 100);
	printf("simpul metrics  %8.3f s  %10.0f events/s\n", ts,
	    (double)events / ts);
	printf("  store scan    %8.3f s  %10.0f events/s  (of which)\n", tc,
	    (double)events / tc);
	printf("bare aggregate  %8.3f s  %10.0f events/s\n", tb,
	    (double)events / tb);
	printf("ratio           %8.1f x  (simpul time / bare scan time, best "
	    "of %d)\n", ts / tb, ROUNDS);
	metrics_free(&fig);
	sqlite3_close(db);
	store_close(s);
	unlink_db(path);
	return 0;
}
