/*
 * store.c: the only SQL in simpul.  It owns the schema and its migrations,
 * the connection settings, the transaction discipline and one typed
 * function per query.  It does not decide what is allowed (config.c,
 * complaint.c): it stores what it is given and reports SQLite's failures as
 * sp_err.
 *
 * DESIGN
 *
 * (1) One file holds the node's whole state, settings included; private
 *     keys never (the settings hold their paths).
 * (2) The schema version is PRAGMA user_version.  Migrations run in order,
 *     each in the same BEGIN IMMEDIATE as the version bump, so a crash
 *     leaves the old or the new schema, never a mix.  A file newer than
 *     this binary is refused.
 * (3) Every write transaction starts with BEGIN IMMEDIATE (store_begin):
 *     a deferred transaction that reads then writes fails at once with
 *     SQLITE_BUSY_SNAPSHOT instead of waiting (notes/libraries.md §3.4).
 * (4) A commit happens only through store_commit(): the commit hook turns
 *     any other commit (an autocommit write, a stray COMMIT) into a
 *     rollback, so nothing is ever written outside a transaction we opened.
 * (5) WAL with synchronous=FULL: a commit that returned survives a power
 *     cut; nothing is acknowledged before the commit returns.
 * (6) Prepared statements are cached per handle and finalized in
 *     store_close(), which asserts that none is left.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define STORE_MAX_STMTS	64

struct store {
	sqlite3		*db;
	int		 mode;
	int		 committing;	/* (4): set only inside store_commit */
	const char	*tx_file;	/* who holds the transaction */
	int		 tx_line;
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	}		 stmts[STORE_MAX_STMTS];
	int		 nstmts;
};

/*
 * The migrations, one per schema version.  Append only: a released
 * migration is never edited.
 */
static const char *const migrations[] = {
	/* 1: settings, calendar, topics, peers */
	"CREATE TABLE setting ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE holiday ("
	"  day INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL"
	") STRICT;"
	"CREATE TABLE category ("
	"  code TEXT PRIMARY KEY,"
	"  parent TEXT REFERENCES category(code),"
	"  name TEXT NOT NULL,"
	"  tier INTEGER NOT NULL CHECK (tier IN (2, 5, 14, 60)),"
	"  local INTEGER NOT NULL CHECK (local IN (0, 1))"
	") STRICT;"
	"CREATE TABLE peer ("
	"  code TEXT PRIMARY KEY,"
	"  url TEXT,"
	"  instance TEXT,"
	"  added_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE peer_pin ("
	"  code TEXT NOT NULL REFERENCES peer(code) ON DELETE CASCADE,"
	"  pin TEXT NOT NULL,"
	"  PRIMARY KEY (code, pin)"
	") STRICT;",
};

#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

static int	 fail(struct store *, int, const char *, struct sp_err *);
static int	 exec(struct store *, const char *, struct sp_err *);
static sqlite3_stmt *stmt(struct store *, const char *, struct sp_err *);
static int	 step_done(struct store *, sqlite3_stmt *, const char *,
		    struct sp_err *);
static int	 commit_hook(void *);
static int	 migrate(struct store *, struct sp_err *);

/* Translate a SQLite failure; always returns -1. */
static int
fail(struct store *s, int rc, const char *what, struct sp_err *err)
{
	enum sp_code	 code = SPE_STORE;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = SPE_LOCKED;
		break;
	case SQLITE_CONSTRAINT:
		code = SPE_INVALID;
		break;
	default:
		break;
	}
	return sp_errf(err, code, "%s: %s", what,
	    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int
exec(struct store *s, const char *sql, struct sp_err *err)
{
	int	 rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return fail(s, rc, "database", err);
	return 0;
}

/* A cached statement, reset and unbound, ready to bind. */
static sqlite3_stmt *
stmt(struct store *s, const char *sql, struct sp_err *err)
{
	sqlite3_stmt	*st;
	int		 i, rc;

	for (i = 0; i < s->nstmts; i++)
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].st);
			sqlite3_clear_bindings(s->stmts[i].st);
			return s->stmts[i].st;
		}
	assert(s->nstmts < STORE_MAX_STMTS);
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL);
	if (rc != SQLITE_OK) {
		fail(s, rc, "prepare", err);
		return NULL;
	}
	s->stmts[s->nstmts].sql = sql;
	s->stmts[s->nstmts].st = st;
	s->nstmts++;
	return st;
}

/* Step a statement that returns no row. */
static int
step_done(struct store *s, sqlite3_stmt *st, const char *what,
    struct sp_err *err)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, what, err);
	return 0;
}

static int
commit_hook(void *arg)
{
	const struct store	*s = arg;

	return s->committing ? 0 : 1;
}

static int
migrate(struct store *s, struct sp_err *err)
{
	int	 v;

	if (store_begin(s, err) == -1)
		return -1;
	if ((v = store_schema_version(s)) > SCHEMA_VERSION) {
		store_rollback(s);
		return sp_errf(err, SPE_STORE,
		    "database schema %d is newer than this simpul (%d)",
		    v, SCHEMA_VERSION);
	}
	for (; v < SCHEMA_VERSION; v++) {
		char	 bump[64];

		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
		if (exec(s, migrations[v], err) == -1 ||
		    exec(s, bump, err) == -1) {
			store_rollback(s);
			return -1;
		}
	}
	return store_commit(s, err);
}

struct store *
store_open(const char *path, int mode, struct sp_err *err)
{
	struct store	*s;
	struct stat	 sb;
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int		 rc;

	if (mode == STORE_CREATE) {
		if (stat(path, &sb) == 0) {
			sp_errf(err, SPE_EXISTS, "%s already exists", path);
			return NULL;
		}
		flags |= SQLITE_OPEN_CREATE;
	} else if (stat(path, &sb) == -1) {
		sp_errf(err, SPE_NO_DB, "%s: %s (create it with simpul init)",
		    path, strerror(errno));
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->mode = mode;
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		fail(s, rc, path, err);
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA cache_size = -16384;", err) == -1)
		goto bad;
	/* An unrelated SQLite file is not a simpul database. */
	if (mode != STORE_CREATE && store_schema_version(s) == 0) {
		sp_errf(err, SPE_NO_DB, "%s is not a simpul database "
		    "(create one with simpul init)", path);
		goto bad;
	}
	sqlite3_commit_hook(s->db, commit_hook, s);
	if (mode != STORE_READ && migrate(s, err) == -1)
		goto bad;
	return s;
bad:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nstmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	assert(s->db == NULL || sqlite3_next_stmt(s->db, NULL) == NULL);
	if (s->db != NULL && !sqlite3_get_autocommit(s->db))
		store_rollback(s);
	sqlite3_close(s->db);
	free(s);
}

int
store_schema_version(struct store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_begin_at(struct store *s, const char *file, int line,
    struct sp_err *err)
{
	assert(s->mode != STORE_READ);
	assert(sqlite3_get_autocommit(s->db));
	if (exec(s, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	s->tx_file = file;
	s->tx_line = line;
	return 0;
}

int
store_commit(struct store *s, struct sp_err *err)
{
	int	 rc;

	assert(s->tx_file != NULL);
	s->committing = 1;
	rc = exec(s, "COMMIT", err);
	s->committing = 0;
	if (rc == -1) {
		store_rollback(s);
		return -1;
	}
	s->tx_file = NULL;
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->tx_file = NULL;
}

int
store_backup(struct store *s, const char *path, struct sp_err *err)
{
	static const char	*sql = "VACUUM INTO ?";
	struct stat		 sb;
	sqlite3_stmt		*st;

	if (stat(path, &sb) == 0)
		return sp_errf(err, SPE_EXISTS, "%s already exists", path);
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	s->committing = 1;	/* VACUUM INTO commits into the copy only */
	if (step_done(s, st, "backup", err) == -1) {
		s->committing = 0;
		return -1;
	}
	s->committing = 0;
	return 0;
}

int
store_setting_get(struct store *s, const char *key, char **value,
    struct sp_err *err)
{
	static const char	*sql = "SELECT value FROM setting WHERE key = ?";
	sqlite3_stmt		*st;
	int			 rc;

	*value = NULL;
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(s, rc, "setting", err);
	return 0;
}

int
store_setting_set(struct store *s, const char *key, const char *value,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO setting (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return step_done(s, st, "setting", err);
}

int
store_holiday_clear_year(struct store *s, int year, struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM holiday WHERE day >= ? AND day < ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, util_days_from_civil(year, 1, 1));
	sqlite3_bind_int64(st, 2, util_days_from_civil(year + 1, 1, 1));
	return step_done(s, st, "calendar", err);
}

int
store_holiday_add(struct store *s, int64_t day, const char *name,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT INTO holiday (day, name) VALUES (?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, day);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return step_done(s, st, "calendar", err);
}

int
store_holiday_each(struct store *s, int64_t from, int64_t to,
    int (*fn)(void *, int64_t, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT day, name FROM holiday "
	    "WHERE day >= ? AND day < ? ORDER BY day";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "calendar", err);
	return 0;
}

int
store_category_clear(struct store *s, int local, struct sp_err *err)
{
	static const char	*sql_local =
	    "DELETE FROM category WHERE local = 1";
	static const char	*sql_national =
	    "DELETE FROM category WHERE local = 0";
	sqlite3_stmt		*st;

	/*
	 * Local subtopics hang under national topics: while the national list
	 * is replaced, their parents are checked at commit, not at delete.
	 */
	if (!local && exec(s, "PRAGMA defer_foreign_keys = ON", err) == -1)
		return -1;
	if ((st = stmt(s, local ? sql_local : sql_national, err)) == NULL)
		return -1;
	return step_done(s, st, "category", err);
}

int
store_category_add(struct store *s, const struct store_category *c,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO category "
	    "(code, parent, name, tier, local) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->code, -1, SQLITE_STATIC);
	if (c->parent != NULL)
		sqlite3_bind_text(st, 2, c->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, c->tier);
	sqlite3_bind_int(st, 5, c->local);
	return step_done(s, st, "category", err);
}

static void
category_row(sqlite3_stmt *st, struct store_category *c)
{
	c->code = (const char *)sqlite3_column_text(st, 0);
	c->parent = (const char *)sqlite3_column_text(st, 1);
	c->name = (const char *)sqlite3_column_text(st, 2);
	c->tier = sqlite3_column_int(st, 3);
	c->local = sqlite3_column_int(st, 4);
}

int
store_category_get(struct store *s, const char *code,
    struct store_category *c, struct sp_err *err)
{
	static const char	*sql = "SELECT code, parent, name, tier, local "
	    "FROM category WHERE code = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		category_row(st, c);
		return 1;	/* the row stays readable until the next call */
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "category", err);
	return 0;
}

int
store_category_each(struct store *s,
    int (*fn)(void *, const struct store_category *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT code, parent, name, tier, local "
	    "FROM category ORDER BY code";
	struct store_category	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		category_row(st, &c);
		if (fn(arg, &c) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "category", err);
	return 0;
}

int
store_peer_add(struct store *s, const char *code, const char *url,
    int64_t now, struct sp_err *err)
{
	static const char	*sql =
	    "INSERT INTO peer (code, url, added_at) VALUES (?, ?, ?)";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (url != NULL)
		sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return sp_errf(err, SPE_EXISTS, "peer %s is already added",
		    code);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "peer", err);
	return 0;
}

int
store_peer_pin_add(struct store *s, const char *code, const char *pin,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT OR IGNORE INTO peer_pin (code, pin) VALUES (?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pin, -1, SQLITE_STATIC);
	return step_done(s, st, "peer", err);
}

/* Run a one-row UPDATE or DELETE keyed by peer code; none: not found. */
static int
peer_change(struct store *s, const char *sql, const char *code,
    struct sp_err *err)
{
	sqlite3_stmt	*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (step_done(s, st, "peer", err) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no peer %s", code);
	return 0;
}

int
store_peer_remove(struct store *s, const char *code, struct sp_err *err)
{
	return peer_change(s, "DELETE FROM peer WHERE code = ?", code, err);
}

int
store_peer_reenrol(struct store *s, const char *code, struct sp_err *err)
{
	return peer_change(s, "UPDATE peer SET instance = NULL WHERE code = ?",
	    code, err);
}

int
store_peer_each(struct store *s,
    int (*fn)(void *, const struct store_peer *, const char *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT p.code, p.url, p.instance, "
	    "p.added_at, (SELECT group_concat(pin, ' ') FROM "
	    "(SELECT pin FROM peer_pin WHERE code = p.code ORDER BY pin)) "
	    "FROM peer p ORDER BY p.code";
	struct store_peer	 p;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.code = (const char *)sqlite3_column_text(st, 0);
		p.url = (const char *)sqlite3_column_text(st, 1);
		p.instance = (const char *)sqlite3_column_text(st, 2);
		p.added_at = sqlite3_column_int64(st, 3);
		if (fn(arg, &p, (const char *)sqlite3_column_text(st, 4))
		    == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "peer", err);
	return 0;
}
