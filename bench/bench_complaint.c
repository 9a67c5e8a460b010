/*
 * bench_complaint.c: how fast the complaint desk records a typical
 * lifecycle, against bare SQLite inserts of the same rows.
 *
 *   bench_complaint [-n COMPLAINTS] [-t OPS_PER_TRANSACTION] [-d DIR]
 *                   [-o s|b]		(one side only, for profiling)
 *
 * The simpul run takes each of n complaints through file, verify,
 * dispatch, follow-up, reporter reply and close through exactly the code
 * the CLI runs for each command: BEGIN IMMEDIATE, the auto-close and
 * retention sweeps of cli_begin(), desk_init(), the rebuild of the
 * complaint from its events, complaint.c's check, the append and the
 * refresh of the complaint row.
 * The baseline opens a database with the same schema and settings (WAL,
 * synchronous=FULL) and inserts the same complaint, reporter and event
 * rows with plain prepared statements, in transactions of the same size.
 * Both run in the same process, in alternating blocks of complaints; the
 * ratio is simpul's rate over the baseline's.  This harness is the one place
 * outside store.c that calls SQLite: the baseline has to.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rules/complaint.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/policy.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"

#define OPS	6	/* file, verify, dispatch, follow-up, reply, close */
#define BLOCK	500	/* complaints per alternating block */

static const char *const holidays[] = {
	"2026-01-01", "2026-01-16", "2026-02-16", "2026-02-17", "2026-03-18",
	"2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24", "2026-04-03",
};

static char	 title[] = "Jalan desa berlubang";
static char	 body[] = "Lubang besar di depan SD, membahayakan anak sekolah "
		    "dan pengendara motor pada malam hari.";
static char	 unit[] = "DPUPR";
static char	 text_fu[] = "Lubang ditambal oleh UPT Jalan";
static char	 text_re[] = "Terima kasih, sudah ditambal";
static char	 cat[] = "INF.JLN";
static char	 actor[] = "bench";

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
	fprintf(stderr, "bench_complaint: %s: %s\n", what, err->msg);
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

/* A node database as init makes it, with a calendar and a topic. */
static struct store *
make_db(const char *path)
{
	struct settings_identity id = { .code = "33.21", .name = "Demak",
	    .role = "regency", .cert = "/dev/null", .key = "/dev/null",
	    .ca = "/dev/null", .zone = "WIB",
	    .instance = "00000000000000000000000000000000" };
	struct store_category	 top = { "INF", NULL, "Infrastruktur", 14, 0 };
	struct store_category	 sub = { "INF.JLN", "INF", "Jalan", 14, 0 };
	struct sp_err		 err = { 0 };
	struct store		*s;
	int64_t			 day;
	size_t			 i;

	unlink_db(path);
	if ((s = store_open(path, STORE_CREATE, &err)) == NULL)
		die(path, &err);
	if (store_begin(s, &err) == -1 || settings_init(s, &id, &err) == -1 ||
	    store_category_add(s, &top, &err) == -1 ||
	    store_category_add(s, &sub, &err) == -1)
		die("init", &err);
	for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++)
		if (util_date_parse(holidays[i], &day, &err) == -1 ||
		    store_holiday_add(s, day, "libur", &err) == -1)
			die("calendar", &err);
	if (store_commit(s, &err) == -1)
		die("init", &err);
	return s;
}

/*
 * What cli_begin() does after BEGIN: the auto-close and retention sweeps
 * and the policy's first version.
 */
static void
sweep(struct store *s, int64_t now)
{
	struct desk	 d;
	struct sp_err	 err = { 0 };

	if (desk_init(&d, s, actor, now, &err) == -1 ||
	    desk_autoclose(&d, &err) == -1 ||
	    desk_expire_identity(&d, &err) == -1 ||
	    policy_note(s, "33.21", NULL, now, 1, &err) == -1)
		die("sweep", &err);
	desk_clear(&d);
}

/* One CLI command's work on complaint number i, step op. */
static void
simpul_op(struct store *s, int i, int op, int64_t now)
{
	static const enum event_kind kinds[OPS] = { EV_FILED, EV_VERIFIED,
	    EV_DISPATCHED, EV_FOLLOWED_UP, EV_REPORTER_REPLY, EV_CLOSED };
	struct desk		 d;
	struct sp_err		 err = { 0 };
	struct complaint_state	 st;
	struct complaint_fields	 f;
	struct store_reporter	 r = { "Siti Aminah", "081234567890", NULL, 0 };
	struct store_category	 c;
	struct event		 e;
	char			 id[40];

	sweep(s, now);
	if (desk_init(&d, s, actor, now, &err) == -1)
		die("desk", &err);
	if (op == 0) {
		memset(&f, 0, sizeof(f));
		f.type = CT_COMPLAINT;
		f.channel = (enum channel_kind)(i % CH_HUB);
		f.title = title;
		f.body = body;
		f.category = cat;
		if (store_category_get(s, cat, &c, &err) != 1 ||
		    desk_file(&d, &f, &r, id, &err) == -1)
			die("file", &err);
	} else {
		snprintf(id, sizeof(id), "33.21-%06d", i + 1);
		memset(&e, 0, sizeof(e));
		e.kind = kinds[op];
		e.unit = op == 2 ? unit : NULL;
		e.text = op == 3 ? text_fu : op == 4 ? text_re : NULL;
		if (desk_load(&d, id, &st, &err) == -1 ||
		    desk_record(&d, &st, &e, &err) == -1)
			die(event_kind_name(e.kind), &err);
	}
	desk_clear(&d);
	/* What cli_commit() does before COMMIT: a changed policy. */
	if (policy_note(s, "33.21", NULL, now, 0, &err) == -1)
		die("policy", &err);
}

/* Complaints [from, to) through their lifecycle, as the CLI would. */
static double
run_simpul(struct store *s, int from, int to, int per_tx)
{
	struct sp_err	 err = { 0 };
	int64_t		 base = 1772413200;	/* 2026-03-02T08:00+07:00 */
	int		 i, op, k = 0;
	double		 t0;

	t0 = mono();
	for (i = from; i < to; i++)
		for (op = 0; op < OPS; op++) {
			if (k % per_tx == 0 && store_begin(s, &err) == -1)
				die("begin", &err);
			simpul_op(s, i, op, base + (int64_t)i * 60 + op * 10);
			if (++k % per_tx == 0 && store_commit(s, &err) == -1)
				die("commit", &err);
		}
	if (k % per_tx != 0 && store_commit(s, &err) == -1)
		die("commit", &err);
	return mono() - t0;
}

static void
x(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_complaint: %s: %s\n", sql,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static void
step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "bench_complaint: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(st);
}

struct bare {
	sqlite3		*db;
	sqlite3_stmt	*ic, *ir, *ie;
	int64_t		 seq;
};

static void
bare_open(struct bare *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	store_close(make_db(path));
	if (sqlite3_open(path, &b->db) != SQLITE_OK)
		exit(1);
	x(b->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;"
	    "PRAGMA secure_delete = ON; PRAGMA cache_size = -16384;");
	if (sqlite3_prepare_v2(b->db, "INSERT INTO complaint (id, origin, "
	    "owner, status, v, type, channel, category, title, body, filed_at, "
	    "anonymous, confidential, filed_confidential) VALUES (?, '33.21', "
	    "'33.21', 'new', 1, 'complaint', ?, ?, ?, ?, ?, 0, 0, 0)", -1,
	    &b->ic, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO reporter (complaint, name, "
	    "contact) VALUES (?, ?, ?)", -1, &b->ir, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO event (author, seq, "
	    "complaint, kind, v, actor, at, at_offset, recorded, unit, text) "
	    "VALUES ('33.21', ?, ?, ?, ?, 'bench', ?, 420, ?, ?, ?)", -1,
	    &b->ie, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_complaint: %s\n", sqlite3_errmsg(b->db));
		exit(1);
	}
}

static void
bare_close(struct bare *b)
{
	sqlite3_finalize(b->ic);
	sqlite3_finalize(b->ir);
	sqlite3_finalize(b->ie);
	sqlite3_close(b->db);
}

/* The same complaint, reporter and event rows, bare. */
static double
run_bare(struct bare *b, int from, int to, int per_tx)
{
	static const char *const kinds[OPS] = { "filed", "verified",
	    "dispatched", "followed_up", "reporter_reply", "closed" };
	sqlite3		*db = b->db;
	char		 id[40];
	int64_t		 base = 1772413200, now;
	int		 i, op, k = 0;
	double		 t0;

	t0 = mono();
	for (i = from; i < to; i++)
		for (op = 0; op < OPS; op++) {
			if (k % per_tx == 0)
				x(db, "BEGIN IMMEDIATE");
			now = base + (int64_t)i * 60 + op * 10;
			snprintf(id, sizeof(id), "33.21-%06d", i + 1);
			if (op == 0) {
				sqlite3_bind_text(b->ic, 1, id, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(b->ic, 2,
				    channel_name((enum channel_kind)(i %
				    CH_HUB)), -1, SQLITE_STATIC);
				sqlite3_bind_text(b->ic, 3, cat, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(b->ic, 4, title, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(b->ic, 5, body, -1,
				    SQLITE_STATIC);
				sqlite3_bind_int64(b->ic, 6, now);
				step(db, b->ic);
				sqlite3_bind_text(b->ir, 1, id, -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(b->ir, 2, "Siti Aminah", -1,
				    SQLITE_STATIC);
				sqlite3_bind_text(b->ir, 3, "081234567890", -1,
				    SQLITE_STATIC);
				step(db, b->ir);
			}
			sqlite3_bind_int64(b->ie, 1, ++b->seq);
			sqlite3_bind_text(b->ie, 2, id, -1, SQLITE_STATIC);
			sqlite3_bind_text(b->ie, 3, kinds[op], -1,
			    SQLITE_STATIC);
			/* v: filed 1 ... followed_up 4, reply 0, closed 5 */
			sqlite3_bind_int(b->ie, 4, op == 4 ? 0 : op < 4 ?
			    op + 1 : op);
			sqlite3_bind_int64(b->ie, 5, now);
			sqlite3_bind_int64(b->ie, 6, now);
			if (op == 2)
				sqlite3_bind_text(b->ie, 7, unit, -1,
				    SQLITE_STATIC);
			else
				sqlite3_bind_null(b->ie, 7);
			if (op == 3 || op == 4)
				sqlite3_bind_text(b->ie, 8, op == 3 ? text_fu :
				    text_re, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(b->ie, 8);
			step(db, b->ie);
			if (++k % per_tx == 0)
				x(db, "COMMIT");
		}
	if (k % per_tx != 0)
		x(db, "COMMIT");
	return mono() - t0;
}

int
main(int argc, char **argv)
{
	const char	*dir = "/tmp";
	struct store	*s;
	struct bare	 bare;
	char		 a[1024], b[1024];
	int		 n = 100000, per_tx = 1, c, i, only = 0;
	double		 ts, tb, ops;

	while ((c = getopt(argc, argv, "n:t:d:o:")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			break;
		case 't':
			per_tx = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'o':
			only = optarg[0];	/* s or b: profile one */
			break;
		default:
			fprintf(stderr, "usage: bench_complaint "
			    "[-n COMPLAINTS] [-t OPS_PER_TRANSACTION] "
			    "[-d DIR] [-o s|b]\n");
			return 2;
		}
	}
	if (n < 1 || per_tx < 1)
		return 2;
	snprintf(a, sizeof(a), "%s/bench-simpul-%d.db", dir, (int)getpid());
	snprintf(b, sizeof(b), "%s/bench-bare-%d.db", dir, (int)getpid());
	ops = (double)n * OPS;
	printf("SQLite %s, %d complaints x %d operations, %d per transaction, "
	    "WAL, synchronous=FULL, in %s\n", sqlite3_libversion(), n, OPS,
	    per_tx, dir);
	/*
	 * Alternate blocks of both runs, so that a disk shared with other
	 * work slows both alike and both databases grow alike.
	 */
	s = make_db(a);
	bare_open(&bare, b);
	ts = tb = 0;
	for (i = 0; i < n; i += BLOCK) {
		if (only != 'b')
			ts += run_simpul(s, i, i + BLOCK < n ? i + BLOCK : n,
			    per_tx);
		if (only != 's')
			tb += run_bare(&bare, i, i + BLOCK < n ? i + BLOCK : n,
			    per_tx);
	}
	store_close(s);
	bare_close(&bare);
	printf("simpul desk   %8.2f s  %9.0f operations/s  %8.0f "
	    "complaints/s\n", ts, ops / ts, n / ts);
	printf("bare inserts  %8.2f s  %9.0f operations/s  %8.0f "
	    "complaints/s\n", tb, ops / tb, n / tb);
	printf("ratio         %8.1f %%  (target >= 50 %%)\n", 100.0 * tb / ts);
	unlink_db(a);
	unlink_db(b);
	return 0;
}
