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
 *     store_close(), which asserts that none is left.  store_begin() and
 *     store_commit() reset them all: a row lent by a _get lives until
 *     the next transaction starts or ends.
 * (7) Events are append-only: no UPDATE or DELETE touches the event
 *     table.  The complaint row's owner, status, v and reply_open are a
 *     cache of the fold of its events, rewritten with every event.
 * (8) Reporter identity is erased for good: secure_delete zeroes the
 *     freed bytes, and a commit that erased one empties the WAL
 *     (store_checkpoint) so that no older page image keeps it.
 * (9) A handle that may write first passes PRAGMA quick_check: nothing
 *     is ever written into a damaged file.  Every SQLite failure of the
 *     environment (locked, disk full, read-only, damaged) becomes its own
 *     sp_err code with one line that names the file (fail()).
 * (10) A file SQLite opened read-only is refused to writers at open, so a
 *     write command fails before it does any work.
 *     (store_checkpoint) so that no older page image keeps it.
 * (11) Batches are kept as their exact bytes (batch_out, batch_in) and
 *     receipts likewise (receipt_out, batch_out.receipt): never rebuilt.
 * (12) Per channel and direction one live copy per seq: the unique
 *     indexes batch_out_live (a re-cut marks the old copy replaced first)
 *     and batch_in_seq (equivocation evidence is kept beside, not in it).
 * (13) An outbox row or an owed receipt leaves in the transaction that
 *     stores the batch carrying it; the channel's seq and digest move in
 *     that same transaction (sync.c invariant 1).
 * (14) A held event stays in held, never in event, until its history is
 *     there; it points at the stored batch that brought it.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include "wire/batch.h"
#include "core/err.h"
#include "rules/event.h"
#include "core/fault.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define STORE_MAX_STMTS	128

struct store {
	sqlite3		*db;
	char		*path;		/* as given, for messages */
	int		 mode;
	int		 committing;	/* (4): set only inside store_commit */
	int		 erased;	/* (8): identity erased in this tx */
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
	/*
	 * 2: complaints and their events (DESIGN §3).  A complaint row holds
	 * the fields its filed event carries and, as a cache of the fold of
	 * its events, owner, status and v; reply_open is the start of a
	 * running reply window, so auto-close finds candidates by index, and
	 * ended_at when it was archived or closed, so retention finds the
	 * identities to erase (identity_held) by index too.
	 * Reporter identity has its own table (DESIGN §7) that no event and
	 * no batch ever reads.  counter holds the node's author seq and its
	 * complaint number: both only grow, so neither is ever reused.
	 */
	"CREATE TABLE counter ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	") STRICT;"
	"INSERT INTO counter VALUES ('author_seq', 0), ('complaint_number', 0);"
	"CREATE TABLE complaint ("
	"  id TEXT PRIMARY KEY,"
	"  origin TEXT NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  v INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  category TEXT,"
	"  title TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  location_code TEXT,"
	"  location_text TEXT,"
	"  lat REAL,"
	"  lon REAL,"
	"  incident_date TEXT,"
	"  filed_at INTEGER NOT NULL,"
	"  anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),"
	"  confidential INTEGER NOT NULL CHECK (confidential IN (0, 1)),"
	"  filed_confidential INTEGER NOT NULL,"
	"  reply_open INTEGER,"
	"  ended_at INTEGER,"
	"  identity_held INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX complaint_filed ON complaint (filed_at, id);"
	"CREATE INDEX complaint_reply ON complaint (reply_open) "
	"  WHERE reply_open IS NOT NULL;"
	"CREATE INDEX complaint_retention ON complaint (ended_at) "
	"  WHERE identity_held = 1 AND ended_at IS NOT NULL;"
	"CREATE TABLE event ("
	"  author TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  complaint TEXT NOT NULL REFERENCES complaint(id),"
	"  kind TEXT NOT NULL,"
	"  v INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  at_offset INTEGER NOT NULL,"
	"  recorded INTEGER NOT NULL,"
	"  reason TEXT,"
	"  text TEXT,"
	"  unit TEXT,"
	"  officer TEXT,"
	"  target TEXT,"
	"  stars INTEGER,"
	"  PRIMARY KEY (author, seq)"
	") STRICT;"
	"CREATE INDEX event_complaint ON event (complaint);"
	"CREATE UNIQUE INDEX event_chain ON event (complaint, v) WHERE v > 0;"
	"CREATE TABLE reporter ("
	"  complaint TEXT PRIMARY KEY REFERENCES complaint(id),"
	"  name TEXT,"
	"  contact TEXT,"
	"  nik TEXT,"
	"  erased_at INTEGER"
	") STRICT;"
	"CREATE TABLE reveal_log ("
	"  id INTEGER PRIMARY KEY,"
	"  complaint TEXT NOT NULL REFERENCES complaint(id),"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	") STRICT;",
	/*
	 * 3: the exchange (DESIGN §5).  channel holds both directions of
	 * each peer: out (seq and digest of the last batch cut, the highest
	 * seq a final receipt acknowledged, the receiver's head in it) and
	 * in (seq and digest of the last batch accepted, halted after an
	 * equivocation).  outbox: this node's events not yet cut for a
	 * peer.  batch_out: every signed batch, stored before it leaves;
	 * a re-cut marks the old copy replaced.  batch_in: every accepted
	 * batch and the evidence of an equivocation, exact bytes.
	 * receipt_out: the signed final receipts this node made, owed to
	 * the peer until they ride in a batch to it.  held: events that
	 * wait for their history, pointing at the batch that brought them.
	 */
	"CREATE TABLE channel ("
	"  peer TEXT NOT NULL,"
	"  dir TEXT NOT NULL CHECK (dir IN ('out', 'in')),"
	"  seq INTEGER NOT NULL DEFAULT 0,"
	"  digest TEXT NOT NULL,"
	"  acked INTEGER NOT NULL DEFAULT 0,"
	"  head INTEGER NOT NULL DEFAULT 0,"
	"  halted INTEGER NOT NULL DEFAULT 0 CHECK (halted IN (0, 1)),"
	"  error TEXT,"
	"  PRIMARY KEY (peer, dir)"
	") STRICT;"
	"CREATE TABLE outbox ("
	"  peer TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY (peer, seq)"
	") STRICT;"
	"CREATE TABLE batch_out ("
	"  peer TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  prev TEXT NOT NULL,"
	"  replaces TEXT,"
	"  bytes BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'stored' "
	"    CHECK (state IN ('stored', 'accepted', 'replaced')),"
	"  receipt BLOB,"
	"  refused INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (peer, digest)"
	") STRICT;"
	"CREATE UNIQUE INDEX batch_out_live ON batch_out (peer, seq) "
	"  WHERE state != 'replaced';"
	"CREATE TABLE batch_in ("
	"  digest TEXT PRIMARY KEY,"
	"  peer TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('accepted', 'evidence')),"
	"  receipt INTEGER REFERENCES receipt_out(id)"
	") STRICT;"
	"CREATE UNIQUE INDEX batch_in_seq ON batch_in (peer, seq) "
	"  WHERE state = 'accepted';"
	"CREATE TABLE receipt_out ("
	"  id INTEGER PRIMARY KEY,"
	"  peer TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  bytes BLOB NOT NULL,"
	"  owed INTEGER NOT NULL CHECK (owed IN (0, 1)),"
	"  late INTEGER NOT NULL CHECK (late IN (0, 1))"
	") STRICT;"
	"CREATE INDEX receipt_out_owed ON receipt_out (peer, id) "
	"  WHERE owed = 1;"
	"CREATE TABLE held ("
	"  author TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  complaint TEXT NOT NULL,"
	"  v INTEGER NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  batch_seq INTEGER NOT NULL,"
	"  batch_digest TEXT NOT NULL,"
	"  item INTEGER NOT NULL,"
	"  PRIMARY KEY (author, seq)"
	") STRICT;"
	"CREATE INDEX held_complaint ON held (complaint, v);",

	/*
	 * 4: the sync loop and the hub.  channel.error_at: when the last
	 * error happened; channel.relayed (out): the highest seq the hub
	 * gave a relay receipt for.  batch_out.relay and batch_in.relay:
	 * the hub's relay receipt of a batch sent or received through it.
	 * relay (the hub): every batch it relays, exact bytes, with the
	 * relay receipt it signed; delivered once the destination has it,
	 * refused (with the destination's reason) when it would not take
	 * it.  relay_pos: the highest seq of a channel its destination is
	 * known to hold (it pulled after it, or took it pushed).
	 */
	"ALTER TABLE channel ADD COLUMN error_at INTEGER;"
	"ALTER TABLE channel ADD COLUMN relayed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE batch_out ADD COLUMN relay BLOB;"
	"ALTER TABLE batch_in ADD COLUMN relay BLOB;"
	"CREATE TABLE relay ("
	"  digest TEXT PRIMARY KEY,"
	"  author TEXT NOT NULL,"
	"  dest TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  receipt BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'waiting' "
	"    CHECK (state IN ('waiting', 'delivered', 'refused', 'replaced')),"
	"  error TEXT"
	") STRICT;"
	"CREATE UNIQUE INDEX relay_live ON relay (dest, author, seq) "
	"  WHERE state != 'replaced';"
	"CREATE TABLE relay_pos ("
	"  author TEXT NOT NULL,"
	"  dest TEXT NOT NULL,"
	"  held INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (author, dest)"
	") STRICT;",

	/*
	 * 5: the directory (DESIGN §2).  peer.cert (the hub): the TLS client
	 * certificate (DER) a node enrolled with, the one it publishes.
	 * directory (every node): the hub's last verified directory, one row
	 * per enrolled node; directory_doc: its signed bytes, when issued,
	 * and the federation-wide limits and wire version it states.
	 */
	"ALTER TABLE peer ADD COLUMN cert BLOB;"
	"CREATE TABLE directory ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  url TEXT,"
	"  instance TEXT NOT NULL,"
	"  cert BLOB NOT NULL"
	") STRICT;"
	"CREATE TABLE directory_doc ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  issued INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  max_bytes INTEGER NOT NULL,"
	"  max_items INTEGER NOT NULL,"
	"  max_item_bytes INTEGER NOT NULL,"
	"  fetched INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL"
	") STRICT;",

	/*
	 * 6: figures (DESIGN §6).  policy: every version of a node's policy
	 * (this node's, and at the hub every node's), its canonical lines
	 * (policy.c) and the time it took effect; hub = 1 once queued for
	 * the hub channel.  figure_set: signed figure sets, canonical lines
	 * (figures.c), numbered per node.  item_out: policy versions and
	 * figure sets owed to a peer, cut like the outbox.  item_part: the
	 * parts of a split item received so far.  event_in: when this node
	 * received each event it did not author (the hub's late rule).
	 * figure_check: a figure set the hub recomputed from the same
	 * inputs, and figure_diff every figure in which the two differ.
	 */
	"CREATE TABLE policy ("
	"  node TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  effective INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  hub INTEGER NOT NULL DEFAULT 0 CHECK (hub IN (0, 1)),"
	"  PRIMARY KEY (node, version)"
	") STRICT;"
	"CREATE TABLE figure_set ("
	"  node TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  signed INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY (node, n)"
	") STRICT;"
	"CREATE TABLE item_out ("
	"  peer TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('policy', 'metrics')),"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (peer, kind, n)"
	") STRICT;"
	"CREATE TABLE item_part ("
	"  node TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  part INTEGER NOT NULL,"
	"  parts INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY (node, kind, n, part)"
	") STRICT;"
	"CREATE TABLE event_in ("
	"  author TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  PRIMARY KEY (author, seq)"
	") STRICT;"
	"CREATE TABLE figure_diff ("
	"  node TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  signed INTEGER NOT NULL,"
	"  recomputed INTEGER NOT NULL,"
	"  PRIMARY KEY (node, n, path)"
	") STRICT;"
	"CREATE TABLE figure_check ("
	"  node TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  checked INTEGER NOT NULL,"
	"  differences INTEGER NOT NULL,"
	"  PRIMARY KEY (node, n)"
	") STRICT;",

	/*
	 * 7: the items a receiver refused, per batch sent.  A final receipt
	 * can arrive more than once (on the POST's answer, as an item, as a
	 * file, in parts): batch_out.refused counts each refused item once.
	 * peer.name (the hub): the name a node gives itself, published in
	 * the directory.
	 */
	"ALTER TABLE peer ADD COLUMN name TEXT;"
	"CREATE TABLE batch_out_refused ("
	"  peer TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  item INTEGER NOT NULL,"
	"  PRIMARY KEY (peer, digest, item)"
	") STRICT, WITHOUT ROWID;",
};

#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

static int	 fail(struct store *, int, const char *, struct sp_err *);
static int	 exec(struct store *, const char *, struct sp_err *);
static sqlite3_stmt *stmt(struct store *, const char *, struct sp_err *);
static int	 step_done(struct store *, sqlite3_stmt *, const char *,
		    struct sp_err *);
static int	 commit_hook(void *);
static int	 migrate(struct store *, struct sp_err *);

/*
 * Translate a SQLite failure; always returns -1.  The faults of the
 * environment (DESIGN §8, exit 3) get one line that names the file and
 * says what to do; a failed statement was rolled back, so each also
 * means that nothing was written.
 */
static int
fail(struct store *s, int rc, const char *what, struct sp_err *err)
{
	const char	*path = s->path;
	struct statvfs	 vfs;

	/* A file system full or mounted read-only, as SQLite met it. */
	if (s->db != NULL && ((rc & 0xff) == SQLITE_IOERR ||
	    (rc & 0xff) == SQLITE_CANTOPEN)) {
		if (sqlite3_system_errno(s->db) == ENOSPC ||
		    sqlite3_system_errno(s->db) == EDQUOT)
			rc = SQLITE_FULL;
		else if (sqlite3_system_errno(s->db) == EROFS ||
		    (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)))
			rc = SQLITE_READONLY;
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return sp_errf(err, SPE_LOCKED, "%s: the database is locked, "
		    "try again later", path);
	case SQLITE_FULL:
		return sp_errf(err, SPE_FULL, "%s: the disk is full, nothing "
		    "was written: free some space and try again", path);
	case SQLITE_READONLY:
		return sp_errf(err, SPE_READONLY, "%s: the database is "
		    "read-only, nothing was written", path);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return sp_errf(err, SPE_DAMAGED, "%s: the database is "
		    "damaged: restore the latest simpul backup", path);
	case SQLITE_CONSTRAINT:
		return sp_errf(err, SPE_INVALID, "%s: %s", what,
		    sqlite3_errmsg(s->db));
	default:
		/* The handle's message only if it is this failure's (an
		 * injected one, fault.c, never reached SQLite). */
		return sp_errf(err, SPE_STORE, "%s: %s", what,
		    s->db != NULL && sqlite3_extended_errcode(s->db) == rc ?
		    sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	}
}

/* Every statement runs through step() or exec(): fault.c fails the Nth. */
static int
step(sqlite3_stmt *st)
{
	if (fault_hit(FAULT_STORE))
		return SQLITE_IOERR;
	return sqlite3_step(st);
}

static int
exec(struct store *s, const char *sql, struct sp_err *err)
{
	int	 rc;

	if (fault_hit(FAULT_STORE))
		rc = SQLITE_IOERR;
	else
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
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

	rc = step(st);
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
	if ((v = store_schema_version(s)) < 0) {
		store_rollback(s);
		return sp_errf(err, SPE_STORE, "%s: cannot read the schema "
		    "version", s->path);
	}
	if (v > SCHEMA_VERSION) {
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

/*
 * The busy timeout: how long a writer waits for another one before the
 * command gives up with SPE_LOCKED.  SIMPUL_BUSY_TIMEOUT_MS overrides the
 * default (tests, or an operator who would rather wait longer).
 */
static int
busy_timeout(int *ms, struct sp_err *err)
{
	const char	*e = getenv("SIMPUL_BUSY_TIMEOUT_MS");
	long long	 v;

	*ms = STORE_BUSY_TIMEOUT_MS;
	if (e == NULL || *e == '\0')
		return 0;
	if (util_parse_int(e, 0, 3600 * 1000, &v, "SIMPUL_BUSY_TIMEOUT_MS",
	    err) == -1)
		return -1;
	*ms = (int)v;
	return 0;
}

/*
 * Refuse to write into a damaged file (9): PRAGMA quick_check reads every
 * page once (about 1.2 s per GiB from the page cache, see the README), so
 * only handles that may write pay for it.
 */
static int
quick_check(struct store *s, struct sp_err *err)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 rc, ok;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "quick_check", err);
	rc = step(st);
	v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	ok = v != NULL && strcmp(v, "ok") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(s, rc, "quick_check", err);
	if (!ok)
		return fail(s, SQLITE_CORRUPT, "quick_check", err);
	return 0;
}

int
store_quick_check(struct store *s, struct sp_err *err)
{
	return quick_check(s, err);
}

/*
 * A reader of a file in a directory it may not write cannot make the WAL
 * index (-shm) that SQLite needs (notes/libraries.md §3).  When no -wal is
 * there, no writer is at work either, and the file is read as immutable.
 * Returns 0 with a new s->db, or -1 with err filled.
 */
static int
reopen_immutable(struct store *s, struct sp_err *err)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct stat		 sb;
	char			*uri, *wal, *q;
	const char		*p;
	int			 rc;

	wal = xasprintf("%s-wal", s->path);
	rc = stat(wal, &sb);
	free(wal);
	if (rc == 0 || errno != ENOENT)
		return -1;
	uri = q = xmalloc(strlen(s->path) * 3 + 32);
	q = stpcpy(q, "file:");
	for (p = s->path; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || strchr("/._-~", *p) != NULL)
			*q++ = *p;
		else {
			*q++ = '%';
			*q++ = hex[(unsigned char)*p >> 4];
			*q++ = hex[*p & 0xf];
		}
	}
	strcpy(q, "?immutable=1");
	sqlite3_close(s->db);
	rc = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK)
		return fail(s, rc, s->path, err);
	sqlite3_extended_result_codes(s->db, 1);
	return exec(s, "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA cache_size = -16384;", err);
}

struct store *
store_open(const char *path, int mode, struct sp_err *err)
{
	struct store	*s;
	struct stat	 sb;
	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int		 rc, ms;

	if (busy_timeout(&ms, err) == -1)
		return NULL;
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
	s->path = xstrdup(path);
	s->mode = mode;
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		fail(s, rc, path, err);
		goto bad;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, ms);
	if (exec(s, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA secure_delete = ON;"
	    "PRAGMA cache_size = -16384;", err) == -1) {
		if (mode != STORE_READ || err == NULL ||
		    err->code != SPE_READONLY)
			goto bad;
		sp_err_clear(err);
		if (reopen_immutable(s, err) == -1) {
			fail(s, SQLITE_READONLY, path, err);
			goto bad;
		}
	}
	/* An unrelated SQLite file is not a simpul database. */
	if (mode != STORE_CREATE && (rc = store_schema_version(s)) < 0) {
		sp_errf(err, SPE_STORE, "%s: cannot read the schema version",
		    path);
		goto bad;
	}
	if (mode != STORE_CREATE && rc == 0) {
		sp_errf(err, SPE_NO_DB, "%s is not a simpul database "
		    "(create one with simpul init)", path);
		goto bad;
	}
	if (mode == STORE_WRITE) {
		/* (10): a file we may not write is refused before any work. */
		if (sqlite3_db_readonly(s->db, "main") == 1) {
			fail(s, SQLITE_READONLY, path, err);
			goto bad;
		}
		if (quick_check(s, err) == -1)
			goto bad;
	}
	sqlite3_commit_hook(s->db, commit_hook, s);
	if (mode != STORE_READ && migrate(s, err) == -1)
		goto bad;
	return s;
bad:
	store_close(s);
	/* Nothing was there: nothing stays, so that init can be retried. */
	if (mode == STORE_CREATE)
		store_remove(path);
	return NULL;
}

void
store_remove(const char *path)
{
	char	*p;

	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
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
	free(s->path);
	free(s);
}

int
store_writable(const struct store *s)
{
	return s->mode != STORE_READ;
}

int
store_schema_version(struct store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
store_begin_at(struct store *s, const char *file, int line,
    struct sp_err *err)
{
	int	 i;

	assert(s->mode != STORE_READ);
	assert(sqlite3_get_autocommit(s->db));
	/*
	 * A row lent by a _get outside a transaction holds a read snapshot;
	 * once another process has written, BEGIN IMMEDIATE on a stale
	 * snapshot fails at once (SQLITE_BUSY) instead of waiting.  A
	 * long-lived serve meets this every round: lent rows end here.
	 */
	for (i = 0; i < s->nstmts; i++)
		sqlite3_reset(s->stmts[i].st);
	if (exec(s, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	s->tx_file = file;
	s->tx_line = line;
	return 0;
}

int
store_commit(struct store *s, struct sp_err *err)
{
	int	 rc, i;

	assert(s->tx_file != NULL);
	/*
	 * A row lent by a _get keeps its statement open, and an open
	 * statement holds a read snapshot that stops the checkpoint from
	 * restarting the WAL: it would grow for as long as the handle lives.
	 */
	for (i = 0; i < s->nstmts; i++)
		sqlite3_reset(s->stmts[i].st);
	s->committing = 1;
	rc = exec(s, "COMMIT", err);
	s->committing = 0;
	if (rc == -1) {
		store_rollback(s);
		return -1;
	}
	s->tx_file = NULL;
	if (s->erased) {
		s->erased = 0;
		return store_checkpoint(s, err);
	}
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->tx_file = NULL;
	s->erased = 0;
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
	if ((rc = step(st)) == SQLITE_ROW)
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
	while ((rc = step(st)) == SQLITE_ROW)
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
	if ((rc = step(st)) == SQLITE_ROW) {
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
	while ((rc = step(st)) == SQLITE_ROW) {
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
	rc = step(st);
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
store_peer_get(struct store *s, const char *code, struct store_peer *p,
    struct sp_err *err)
{
	static const char	*sql = "SELECT code, url, instance, added_at, "
	    "cert, name FROM peer WHERE code = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if ((rc = step(st)) == SQLITE_ROW) {
		if (p != NULL) {
			p->code = (const char *)sqlite3_column_text(st, 0);
			p->url = (const char *)sqlite3_column_text(st, 1);
			p->instance = (const char *)sqlite3_column_text(st, 2);
			p->added_at = sqlite3_column_int64(st, 3);
			p->cert = sqlite3_column_blob(st, 4);
			p->cert_len = (size_t)sqlite3_column_bytes(st, 4);
			p->name = (const char *)sqlite3_column_text(st, 5);
		} else
			sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "peer", err);
	return 0;
}

int
store_peer_each(struct store *s,
    int (*fn)(void *, const struct store_peer *, const char *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT p.code, p.url, p.instance, "
	    "p.added_at, (SELECT group_concat(pin, ' ') FROM "
	    "(SELECT pin FROM peer_pin WHERE code = p.code ORDER BY pin)), "
	    "p.cert, p.name FROM peer p ORDER BY p.code";
	struct store_peer	 p;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = step(st)) == SQLITE_ROW) {
		p.code = (const char *)sqlite3_column_text(st, 0);
		p.url = (const char *)sqlite3_column_text(st, 1);
		p.instance = (const char *)sqlite3_column_text(st, 2);
		p.added_at = sqlite3_column_int64(st, 3);
		p.cert = sqlite3_column_blob(st, 5);
		p.cert_len = (size_t)sqlite3_column_bytes(st, 5);
		p.name = (const char *)sqlite3_column_text(st, 6);
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

int
store_peer_cert(struct store *s, const char *code, const uint8_t *der,
    size_t len, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE peer SET cert = ? WHERE code = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, der, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	return step_done(s, st, "peer", err);
}

int
store_peer_name(struct store *s, const char *code, const char *name,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE peer SET name = ? WHERE code = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	return step_done(s, st, "peer", err);
}

/* ---- the directory (migration 5) --------------------------------------- */

static int
directory_node_add(struct store *s, const struct directory_node *n,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO directory (code, name, "
	    "url, instance, cert) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, n->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->name != NULL ? n->name : "", -1,
	    SQLITE_STATIC);
	if (n->url != NULL)
		sqlite3_bind_text(st, 3, n->url, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, n->instance, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, n->cert, (int)n->cert_len, SQLITE_STATIC);
	return step_done(s, st, "directory", err);
}

int
store_directory_set(struct store *s, const struct directory *d,
    const uint8_t *bytes, size_t len, int64_t now, struct sp_err *err)
{
	static const char	*doc = "INSERT OR REPLACE INTO directory_doc "
	    "(id, issued, version, max_bytes, max_items, max_item_bytes, "
	    "fetched, bytes) VALUES (1, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;
	size_t			 i;

	if ((st = stmt(s, "DELETE FROM directory", err)) == NULL ||
	    step_done(s, st, "directory", err) == -1)
		return -1;
	for (i = 0; i < d->n; i++)
		if (directory_node_add(s, &d->nodes[i], err) == -1)
			return -1;
	if ((st = stmt(s, doc, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, d->issued);
	sqlite3_bind_int(st, 2, d->version);
	sqlite3_bind_int64(st, 3, (int64_t)d->limits.max_bytes);
	sqlite3_bind_int64(st, 4, (int64_t)d->limits.max_items);
	sqlite3_bind_int64(st, 5, (int64_t)d->limits.max_item_bytes);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_blob(st, 7, bytes, (int)len, SQLITE_STATIC);
	return step_done(s, st, "directory", err);
}

int64_t
store_directory_issued(struct store *s, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(issued), 0) FROM "
	    "directory_doc";
	sqlite3_stmt		*st;
	int64_t			 v;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return fail(s, rc, "directory", err);
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int
store_directory_has(struct store *s, const char *code, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM directory WHERE code = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return fail(s, rc, "directory", err);
	return 0;
}

int
store_counter_next(struct store *s, const char *name, int64_t *out,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE counter SET value = value + 1 "
	    "WHERE name = ? RETURNING value";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? sp_errf(err, SPE_STORE,
		    "no counter %s", name) : fail(s, rc, "counter", err);
	return 0;
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Recovery: the counter moves up to value, never down. */
int
store_counter_raise(struct store *s, const char *name, int64_t value,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE counter SET value = max(value, ?) "
	    "WHERE name = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, value);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	return step_done(s, st, "counter", err);
}

int
store_complaint_add(struct store *s, const char *id, const char *origin,
    const struct complaint_fields *f, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO complaint (id, origin, "
	    "owner, status, v, type, channel, category, title, body, "
	    "location_code, location_text, lat, lon, incident_date, filed_at, "
	    "anonymous, confidential, filed_confidential) VALUES (?1, ?2, ?2, "
	    "'new', 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?15)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, complaint_type_name(f->type), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, channel_name(f->channel), -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, f->category);
	sqlite3_bind_text(st, 6, f->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->body, -1, SQLITE_STATIC);
	bind_text_or_null(st, 8, f->location_code);
	bind_text_or_null(st, 9, f->location_text);
	if (f->has_geo) {
		sqlite3_bind_double(st, 10, f->lat);
		sqlite3_bind_double(st, 11, f->lon);
	}
	bind_text_or_null(st, 12, f->incident_date);
	sqlite3_bind_int64(st, 13, f->filed_at);
	sqlite3_bind_int(st, 14, f->anonymous != 0);
	sqlite3_bind_int(st, 15, f->confidential != 0);
	return step_done(s, st, "complaint", err);
}

int
store_complaint_update(struct store *s, const struct store_complaint *c,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE complaint SET owner = ?, "
	    "status = ?, v = ?, anonymous = ?, confidential = ?, "
	    "reply_open = ?, ended_at = ? WHERE id = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->v);
	sqlite3_bind_int(st, 4, c->anonymous != 0);
	sqlite3_bind_int(st, 5, c->confidential != 0);
	if (c->reply_open != 0)
		sqlite3_bind_int64(st, 6, c->reply_open);
	if (c->ended_at != 0)
		sqlite3_bind_int64(st, 7, c->ended_at);
	sqlite3_bind_text(st, 8, c->id, -1, SQLITE_STATIC);
	if (step_done(s, st, "complaint", err) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no complaint %s", c->id);
	return 0;
}

#define COMPLAINT_COLUMNS "id, origin, owner, status, v, type, channel, " \
	"category, title, body, location_code, location_text, lat, lon, " \
	"incident_date, filed_at, anonymous, confidential, reply_open"
#define COMPLAINT_COLUMNS_C "c.id, c.origin, c.owner, c.status, c.v, " \
	"c.type, c.channel, c.category, c.title, c.body, c.location_code, " \
	"c.location_text, c.lat, c.lon, c.incident_date, c.filed_at, " \
	"c.anonymous, c.confidential, c.reply_open, c.filed_confidential"
/* An event row, decoded by event_row(): the event and its complaint. */
#define EVENT_COLUMNS "e.author, e.seq, e.kind, e.v, e.actor, e.at, " \
	"e.at_offset, e.recorded, e.reason, e.text, e.unit, e.officer, " \
	"e.target, e.stars, " COMPLAINT_COLUMNS_C

static void
complaint_row(sqlite3_stmt *st, int i, struct store_complaint *c)
{
	c->id = (const char *)sqlite3_column_text(st, i + 0);
	c->origin = (const char *)sqlite3_column_text(st, i + 1);
	c->owner = (const char *)sqlite3_column_text(st, i + 2);
	c->status = (const char *)sqlite3_column_text(st, i + 3);
	c->v = sqlite3_column_int(st, i + 4);
	c->type = (const char *)sqlite3_column_text(st, i + 5);
	c->channel = (const char *)sqlite3_column_text(st, i + 6);
	c->category = (const char *)sqlite3_column_text(st, i + 7);
	c->title = (const char *)sqlite3_column_text(st, i + 8);
	c->body = (const char *)sqlite3_column_text(st, i + 9);
	c->location_code = (const char *)sqlite3_column_text(st, i + 10);
	c->location_text = (const char *)sqlite3_column_text(st, i + 11);
	c->has_geo = sqlite3_column_type(st, i + 12) != SQLITE_NULL;
	c->lat = sqlite3_column_double(st, i + 12);
	c->lon = sqlite3_column_double(st, i + 13);
	c->incident_date = (const char *)sqlite3_column_text(st, i + 14);
	c->filed_at = sqlite3_column_int64(st, i + 15);
	c->anonymous = sqlite3_column_int(st, i + 16);
	c->confidential = sqlite3_column_int(st, i + 17);
	c->reply_open = sqlite3_column_int64(st, i + 18);
}

int
store_complaint_get(struct store *s, const char *id,
    struct store_complaint *c, struct sp_err *err)
{
	static const char	*sql = "SELECT " COMPLAINT_COLUMNS
	    " FROM complaint WHERE id = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = step(st)) == SQLITE_ROW) {
		complaint_row(st, 0, c);
		return 1;	/* readable until the next call */
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "complaint", err);
	return 0;
}

int
store_complaint_each(struct store *s, const struct store_filter *f,
    int (*fn)(void *, const struct store_complaint *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " COMPLAINT_COLUMNS
	    " FROM complaint WHERE (?1 IS NULL OR status = ?1) AND "
	    "(?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR category = ?3 OR "
	    "category IN (SELECT code FROM category WHERE parent = ?3)) AND "
	    "(?4 IS NULL OR owner = ?4) ORDER BY filed_at, id";
	struct store_complaint	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	bind_text_or_null(st, 1, f->status);
	bind_text_or_null(st, 2, f->channel);
	bind_text_or_null(st, 3, f->category);
	bind_text_or_null(st, 4, f->owner);
	while ((rc = step(st)) == SQLITE_ROW) {
		complaint_row(st, 0, &c);
		if (fn(arg, &c) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "complaint", err);
	return 0;
}

/*
 * Collect the ids a bound query yields, then call fn for each: fn writes
 * to the rows the query reads.
 */
static int
each_id(struct store *s, sqlite3_stmt *st, int (*fn)(void *, const char *),
    void *arg, struct sp_err *err)
{
	char	**ids = NULL;
	size_t	  n = 0, i;
	int	  rc, ret = 0;

	while ((rc = step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		ret = fail(s, rc, "complaint", err);
	for (i = 0; i < n; i++) {
		if (ret == 0 && fn(arg, ids[i]) == -1)
			ret = -1;
		free(ids[i]);
	}
	free(ids);
	return ret;
}

int
store_complaint_reply_due(struct store *s, const char *owner, int64_t before,
    int (*fn)(void *, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT id FROM complaint "
	    "WHERE reply_open IS NOT NULL AND reply_open <= ? AND owner = ? "
	    "ORDER BY reply_open, id";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
	return each_id(s, st, fn, arg, err);
}

int
store_complaint_identity_due(struct store *s, int64_t before,
    int (*fn)(void *, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT id FROM complaint "
	    "WHERE identity_held = 1 AND ended_at IS NOT NULL AND "
	    "ended_at <= ? ORDER BY ended_at, id";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return each_id(s, st, fn, arg, err);
}

int
store_event_add(struct store *s, const struct event *e, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO event (author, seq, "
	    "complaint, kind, v, actor, at, at_offset, recorded, reason, text, "
	    "unit, officer, target, stars) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, e->author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, e->seq);
	sqlite3_bind_text(st, 3, e->complaint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, event_kind_name(e->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, e->v);
	sqlite3_bind_text(st, 6, e->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, e->at);
	sqlite3_bind_int(st, 8, e->at_offset);
	sqlite3_bind_int64(st, 9, e->recorded);
	bind_text_or_null(st, 10, e->reason);
	bind_text_or_null(st, 11, e->text);
	bind_text_or_null(st, 12, e->unit);
	bind_text_or_null(st, 13, e->officer);
	bind_text_or_null(st, 14, e->to[0] ? e->to : NULL);
	if (e->kind == EV_RATING)
		sqlite3_bind_int(st, 15, e->stars);
	return step_done(s, st, "event", err);
}

/*
 * One event from a row of EVENT_COLUMNS: its strings are SQLite's, valid
 * until the statement steps again; a filed event points at *f.
 */
static void
event_row(sqlite3_stmt *st, struct event *e, struct store_complaint *c,
    struct complaint_fields *f)
{
	const char	*t;

	memset(e, 0, sizeof(*e));
	snprintf(e->author, sizeof(e->author), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	e->seq = sqlite3_column_int64(st, 1);
	snprintf(e->complaint, sizeof(e->complaint), "%s",
	    (const char *)sqlite3_column_text(st, 14));
	e->kind = event_kind_by_name(
	    (const char *)sqlite3_column_text(st, 2));
	e->v = sqlite3_column_int(st, 3);
	e->actor = (char *)sqlite3_column_text(st, 4);
	e->at = sqlite3_column_int64(st, 5);
	e->at_offset = sqlite3_column_int(st, 6);
	e->recorded = sqlite3_column_int64(st, 7);
	e->reason = (char *)sqlite3_column_text(st, 8);
	e->text = (char *)sqlite3_column_text(st, 9);
	e->unit = (char *)sqlite3_column_text(st, 10);
	e->officer = (char *)sqlite3_column_text(st, 11);
	if ((t = (const char *)sqlite3_column_text(st, 12)) != NULL)
		snprintf(e->to, sizeof(e->to), "%s", t);
	e->stars = sqlite3_column_int(st, 13);
	if (e->kind == EV_FILED) {
		complaint_row(st, 14, c);
		memset(f, 0, sizeof(*f));
		f->type = complaint_type_by_name(c->type);
		f->channel = channel_by_name(c->channel);
		f->title = (char *)c->title;
		f->body = (char *)c->body;
		f->category = (char *)c->category;
		f->location_code = (char *)c->location_code;
		f->location_text = (char *)c->location_text;
		f->has_geo = c->has_geo;
		f->lat = c->lat;
		f->lon = c->lon;
		f->incident_date = (char *)c->incident_date;
		f->filed_at = c->filed_at;
		/*
		 * confidential as filed: a later annotation raises
		 * it.  anonymous as it stands: mark raises it at the
		 * origin, where it is a local matter, with no event.
		 */
		f->anonymous = c->anonymous;
		f->confidential = sqlite3_column_int(st, 14 + 19);
		e->filed = f;
	}
}

/*
 * The events of one complaint in stored order.  The strings are SQLite's
 * and live until fn returns; the event is lent to fn, which must not keep
 * or change it (the casts only fit struct event's shared shape).
 */
int
store_event_each(struct store *s, const char *complaint,
    int (*fn)(void *, const struct event *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT " EVENT_COLUMNS " FROM event e "
	    "JOIN complaint c ON c.id = e.complaint WHERE e.complaint = ? "
	    "ORDER BY e.rowid";
	struct store_complaint	 c;
	struct complaint_fields	 f;
	struct event		 e;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_TRANSIENT);
	while ((rc = step(st)) == SQLITE_ROW) {
		event_row(st, &e, &c, &f);
		if (fn(arg, &e) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "event", err);
	return 0;
}

/* Mark whether the complaint still holds an identity (for retention). */
static int
identity_held(struct store *s, const char *complaint, int held,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE complaint SET identity_held = ? "
	    "WHERE id = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, held);
	sqlite3_bind_text(st, 2, complaint, -1, SQLITE_STATIC);
	return step_done(s, st, "complaint", err);
}

int
store_reporter_set(struct store *s, const char *complaint,
    const struct store_reporter *r, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reporter (complaint, name, "
	    "contact, nik) VALUES (?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, r->name);
	bind_text_or_null(st, 3, r->contact);
	bind_text_or_null(st, 4, r->nik);
	if (step_done(s, st, "reporter", err) == -1)
		return -1;
	return identity_held(s, complaint, 1, err);
}

int
store_reporter_get(struct store *s, const char *complaint,
    struct store_reporter *r, struct sp_err *err)
{
	static const char	*sql = "SELECT name, contact, nik, erased_at "
	    "FROM reporter WHERE complaint = ?";
	sqlite3_stmt		*st;
	int			 rc;

	memset(r, 0, sizeof(*r));
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_TRANSIENT);
	if ((rc = step(st)) == SQLITE_ROW) {
		r->name = (const char *)sqlite3_column_text(st, 0);
		r->contact = (const char *)sqlite3_column_text(st, 1);
		r->nik = (const char *)sqlite3_column_text(st, 2);
		r->erased_at = sqlite3_column_int64(st, 3);
		return 1;	/* readable until the next call */
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "reporter", err);
	return 0;
}

int
store_reporter_erase(struct store *s, const char *complaint, int64_t now,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reporter (complaint, "
	    "erased_at) VALUES (?1, ?2) ON CONFLICT (complaint) DO UPDATE SET "
	    "name = NULL, contact = NULL, nik = NULL, erased_at = ?2";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (step_done(s, st, "reporter", err) == -1 ||
	    identity_held(s, complaint, 0, err) == -1)
		return -1;
	s->erased = 1;		/* (8): store_commit() empties the WAL */
	return 0;
}

int
store_reveal_log(struct store *s, const char *complaint, const char *actor,
    int64_t at, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reveal_log (complaint, "
	    "actor, at) VALUES (?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	return step_done(s, st, "reveal log", err);
}

int
store_reveal_each(struct store *s, const char *complaint,
    int (*fn)(void *, const char *, int64_t), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT actor, at FROM reveal_log "
	    "WHERE complaint = ? ORDER BY id";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_TRANSIENT);
	while ((rc = step(st)) == SQLITE_ROW)
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "reveal log", err);
	return 0;
}

int
store_checkpoint(struct store *s, struct sp_err *err)
{
	int	 i;

	/* A row left readable (a _get) would hold a read lock. */
	for (i = 0; i < s->nstmts; i++)
		sqlite3_reset(s->stmts[i].st);
	return exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

/* ---- the exchange (migration 3) ----------------------------------------- */

#define ZERO_DIGEST \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* Step a statement that returns at most one row: 1 row, 0 none, -1. */
static int
step_row(struct store *s, sqlite3_stmt *st, const char *what,
    struct sp_err *err)
{
	int	 rc;

	if ((rc = step(st)) == SQLITE_ROW)
		return 1;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, what, err);
	return 0;
}

int
store_event_exists(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM event WHERE author = ? AND seq = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	rc = step_row(s, st, "event", err);
	sqlite3_reset(st);
	return rc;
}

int
store_complaint_exists(struct store *s, const char *id, struct sp_err *err)
{
	static const char	*sql = "SELECT 1 FROM complaint WHERE id = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = step_row(s, st, "complaint", err);
	sqlite3_reset(st);
	return rc;
}

static void
channel_row(sqlite3_stmt *st, struct store_channel *c)
{
	c->peer = (const char *)sqlite3_column_text(st, 0);
	c->out = strcmp((const char *)sqlite3_column_text(st, 1), "out") == 0;
	c->seq = sqlite3_column_int64(st, 2);
	c->digest = (const char *)sqlite3_column_text(st, 3);
	c->acked = sqlite3_column_int64(st, 4);
	c->head = sqlite3_column_int64(st, 5);
	c->halted = sqlite3_column_int(st, 6);
	c->error = (const char *)sqlite3_column_text(st, 7);
	c->error_at = sqlite3_column_int64(st, 8);
}

int
store_channel_get(struct store *s, const char *peer, int out,
    struct store_channel *c, struct sp_err *err)
{
	static const char	*sql = "SELECT peer, dir, seq, digest, acked, "
	    "head, halted, error, error_at FROM channel WHERE peer = ? AND "
	    "dir = ?";
	sqlite3_stmt		*st;
	int			 rc;

	memset(c, 0, sizeof(*c));
	c->peer = peer;
	c->out = out;
	c->digest = ZERO_DIGEST;
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, out ? "out" : "in", -1, SQLITE_STATIC);
	if ((rc = step_row(s, st, "channel", err)) == 1)
		channel_row(st, c);
	return rc == -1 ? -1 : 0;
}

int
store_channel_put(struct store *s, const struct store_channel *c,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO channel (peer, dir, seq, "
	    "digest, acked, head, halted, error) VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "?) ON CONFLICT (peer, dir) DO UPDATE SET seq = excluded.seq, "
	    "digest = excluded.digest, acked = excluded.acked, "
	    "head = excluded.head, halted = excluded.halted, "
	    "error = excluded.error";
	sqlite3_stmt		*st;
	char			*peer, *digest, *error;
	int			 rc;

	/* c's strings may be lent by a channel row this statement resets. */
	peer = xstrdup(c->peer);
	digest = xstrdup(c->digest);
	error = c->error ? xstrdup(c->error) : NULL;
	if ((st = stmt(s, sql, err)) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->out ? "out" : "in", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->seq);
	sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->acked);
	sqlite3_bind_int64(st, 6, c->head);
	sqlite3_bind_int(st, 7, c->halted);
	bind_text_or_null(st, 8, error);
	rc = step_done(s, st, "channel", err);
out:
	free(peer);
	free(digest);
	free(error);
	return rc;
}

int
store_channel_each(struct store *s,
    int (*fn)(void *, const struct store_channel *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT peer, dir, seq, digest, acked, "
	    "head, halted, error, error_at FROM channel ORDER BY peer, "
	    "dir DESC";
	struct store_channel	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = step(st)) == SQLITE_ROW) {
		channel_row(st, &c);
		if (fn(arg, &c) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "channel", err);
	return 0;
}

int
store_channel_note(struct store *s, const char *peer, const char *error,
    int64_t at, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO channel (peer, dir, digest, "
	    "error, error_at) VALUES (?, 'out', ?, ?, ?) ON CONFLICT (peer, "
	    "dir) DO UPDATE SET error = excluded.error, error_at = "
	    "excluded.error_at WHERE error IS NOT excluded.error";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ZERO_DIGEST, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, error);
	if (error != NULL)
		sqlite3_bind_int64(st, 4, at);
	else
		sqlite3_bind_null(st, 4);
	return step_done(s, st, "channel", err);
}

int
store_outbox_add(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT OR IGNORE INTO outbox (peer, seq) VALUES (?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	return step_done(s, st, "outbox", err);
}

int
store_outbox_backfill(struct store *s, const char *peer,
    const char *complaint, const char *author, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO outbox (peer, seq) "
	    "SELECT ?, seq FROM event WHERE complaint = ? AND author = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, complaint, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, author, -1, SQLITE_STATIC);
	return step_done(s, st, "outbox", err);
}

int
store_outbox_remove(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM outbox WHERE peer = ? AND seq = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	return step_done(s, st, "outbox", err);
}

int
store_outbox_each(struct store *s, const char *peer, const char *author,
    int64_t limit, int (*fn)(void *, const struct event *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " EVENT_COLUMNS " FROM outbox o "
	    "JOIN event e ON e.author = ? AND e.seq = o.seq "
	    "JOIN complaint c ON c.id = e.complaint "
	    "WHERE o.peer = ? ORDER BY o.seq LIMIT ?";
	struct store_complaint	 c;
	struct complaint_fields	 f;
	struct event		 e;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, limit);
	while ((rc = step(st)) == SQLITE_ROW) {
		event_row(st, &e, &c, &f);
		if (fn(arg, &e) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "outbox", err);
	return 0;
}

/* One integer from a query bound with one text; -1 on failure. */
static int64_t
count_text(struct store *s, const char *sql, const char *arg,
    struct sp_err *err)
{
	sqlite3_stmt	*st;
	int64_t		 n = 0;
	int		 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	if ((rc = step_row(s, st, "count", err)) == -1)
		return -1;
	if (rc == 1)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int64_t
store_outbox_count(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT count(*) FROM outbox WHERE peer = ?";

	return count_text(s, sql, peer, err);
}

int
store_outbox_new_peers(struct store *s, int (*fn)(void *, const char *),
    void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT DISTINCT peer FROM outbox "
	    "WHERE peer NOT IN (SELECT peer FROM channel WHERE dir = 'out') "
	    "ORDER BY peer";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	return each_id(s, st, fn, arg, err);
}

int
store_batch_out_add(struct store *s, const struct store_batch *b,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO batch_out (peer, seq, "
	    "digest, prev, replaces, bytes, created) VALUES (?, ?, ?, ?, ?, ?, "
	    "?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, b->peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->seq);
	sqlite3_bind_text(st, 3, b->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->prev, -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, b->replaces);
	sqlite3_bind_blob(st, 6, b->bytes, (int)b->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, b->created);
	return step_done(s, st, "batch", err);
}

int
store_batch_out_each(struct store *s, const char *peer, int64_t from,
    int (*fn)(void *, const struct store_batch *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT peer, seq, digest, prev, "
	    "replaces, bytes, created, state, receipt IS NOT NULL, refused "
	    "FROM batch_out WHERE peer = ? AND seq >= ? AND "
	    "state != 'replaced' ORDER BY seq";
	struct store_batch	 b;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	while ((rc = step(st)) == SQLITE_ROW) {
		b.peer = (const char *)sqlite3_column_text(st, 0);
		b.seq = sqlite3_column_int64(st, 1);
		b.digest = (const char *)sqlite3_column_text(st, 2);
		b.prev = (const char *)sqlite3_column_text(st, 3);
		b.replaces = (const char *)sqlite3_column_text(st, 4);
		b.bytes = sqlite3_column_blob(st, 5);
		b.len = (size_t)sqlite3_column_bytes(st, 5);
		b.created = sqlite3_column_int64(st, 6);
		b.state = (const char *)sqlite3_column_text(st, 7);
		b.has_receipt = sqlite3_column_int(st, 8);
		b.refused = sqlite3_column_int(st, 9);
		if (fn(arg, &b) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "batch", err);
	return 0;
}

int
store_batch_out_next(struct store *s, const char *peer, int64_t after,
    int stored_only, int64_t *seq, char *digest, struct buf *bytes,
    struct sp_err *err)
{
	static const char	*sql = "SELECT seq, digest, bytes FROM batch_out "
	    "WHERE peer = ? AND seq > ? AND (state = 'stored' OR (? = 0 AND "
	    "state = 'accepted')) ORDER BY seq LIMIT 1";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, stored_only);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(digest, 65, "%s",
		    (const char *)sqlite3_column_text(st, 1));
		if (buf_add(bytes, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), err) == -1)
			rc = -1;
	}
	sqlite3_reset(st);
	return rc;
}

int
store_batch_out_replace(struct store *s, const char *peer,
    const char *digest, struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = 'replaced' "
	    "WHERE peer = ? AND digest = ? AND state = 'stored'";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
	if (step_done(s, st, "batch", err) == -1)
		return -1;
	if (sqlite3_changes(s->db) != 1)
		return sp_errf(err, SPE_NOT_FOUND, "no stored batch %s to "
		    "replace", digest);
	return 0;
}

/* Count refused item once for the batch (peer, digest): 1 if new, else 0. */
static int
batch_out_refuse(struct store *s, const char *peer, const char *digest,
    int64_t item, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO batch_out_refused "
	    "(peer, digest, item) VALUES (?, ?, ?)";
	static const char	*add = "UPDATE batch_out SET refused = "
	    "refused + 1 WHERE peer = ? AND digest = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, item);
	if (step_done(s, st, "batch", err) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return 0;
	if ((st = stmt(s, add, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	return step_done(s, st, "batch", err) == -1 ? -1 : 1;
}

int
store_batch_out_ack(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *receipt, size_t len,
    const int64_t *refused, size_t nrefused, struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = 'accepted', "
	    "receipt = coalesce(receipt, ?) "
	    "WHERE peer = ? AND seq = ? AND digest = ? AND state != 'replaced'";
	sqlite3_stmt		*st;
	size_t			 i;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	if (receipt != NULL)
		sqlite3_bind_blob(st, 1, receipt, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	if (step_done(s, st, "batch", err) == -1)
		return -1;
	if (sqlite3_changes(s->db) != 1)
		return 0;
	for (i = 0; i < nrefused; i++)
		if (batch_out_refuse(s, peer, digest, refused[i], err) == -1)
			return -1;
	return 1;
}

int
store_batch_in_add(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *bytes, size_t len, int64_t received,
    int evidence, int64_t receipt, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO batch_in (digest, "
	    "peer, seq, bytes, received, state, receipt) VALUES (?, ?, ?, ?, "
	    "?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_blob(st, 4, bytes, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, received);
	sqlite3_bind_text(st, 6, evidence ? "evidence" : "accepted", -1,
	    SQLITE_STATIC);
	if (receipt > 0)
		sqlite3_bind_int64(st, 7, receipt);
	return step_done(s, st, "batch", err);
}

int
store_batch_in_accepted(struct store *s, const char *digest,
    const uint8_t **receipt, size_t *len, struct sp_err *err)
{
	static const char	*sql = "SELECT r.bytes FROM batch_in b "
	    "LEFT JOIN receipt_out r ON r.id = b.receipt "
	    "WHERE b.digest = ? AND b.state = 'accepted'";
	sqlite3_stmt		*st;
	int			 rc;

	*receipt = NULL;
	*len = 0;
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		*receipt = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
	}
	return rc;
}

int
store_batch_in_bytes(struct store *s, const char *digest,
    const uint8_t **bytes, size_t *len, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT bytes FROM batch_in WHERE digest = ?";
	sqlite3_stmt		*st;
	int			 rc;

	*bytes = NULL;
	*len = 0;
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		*bytes = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
	}
	return rc;
}

int
store_batch_out_live(struct store *s, const char *peer, int64_t seq,
    char *digest, struct sp_err *err)
{
	static const char	*sql = "SELECT digest FROM batch_out WHERE "
	    "peer = ? AND seq = ? AND state != 'replaced'";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		snprintf(digest, 65, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return rc;
}

int
store_batch_out_unsent(struct store *s, const char *peer, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET state = 'replaced' "
	    "WHERE peer = ? AND seq >= ? AND state = 'stored'";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	return step_done(s, st, "batch", err);
}

int
store_batch_out_bytes(struct store *s, const char *digest,
    const uint8_t **bytes, size_t *len, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT bytes FROM batch_out WHERE digest = ? LIMIT 1";
	sqlite3_stmt		*st;
	int			 rc;

	*bytes = NULL;
	*len = 0;
	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		*bytes = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
	}
	return rc;
}

int
store_batch_in_next(struct store *s, const char *peer, int64_t after,
    int64_t *seq, struct buf *bytes, struct sp_err *err)
{
	static const char	*sql = "SELECT seq, bytes FROM batch_in WHERE "
	    "peer = ? AND seq > ? AND state = 'accepted' ORDER BY seq LIMIT 1";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	if ((rc = step_row(s, st, "batch", err)) == 1) {
		*seq = sqlite3_column_int64(st, 0);
		if (buf_add(bytes, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), err) == -1)
			rc = -1;
	}
	sqlite3_reset(st);
	return rc;
}

int
store_batch_in_each(struct store *s, const char *peer,
    int (*fn)(void *, const char *, int64_t, int, int64_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT digest, seq, state = 'evidence', "
	    "received FROM batch_in WHERE peer = ? ORDER BY seq, rowid";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	while ((rc = step(st)) == SQLITE_ROW) {
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int(st, 2),
		    sqlite3_column_int64(st, 3)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "batch", err);
	return 0;
}

int
store_receipt_out_add(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *bytes, size_t len, int owed, int late,
    int64_t *id, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO receipt_out (peer, seq, "
	    "digest, bytes, owed, late) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, bytes, (int)len, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, owed);
	sqlite3_bind_int(st, 6, late);
	if (step_done(s, st, "receipt", err) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
store_receipt_out_owed(struct store *s, const char *peer, int64_t limit,
    int (*fn)(void *, int64_t, const uint8_t *, size_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT id, bytes FROM receipt_out "
	    "WHERE peer = ? AND owed = 1 ORDER BY id LIMIT ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = step(st)) == SQLITE_ROW) {
		if (fn(arg, sqlite3_column_int64(st, 0),
		    sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "receipt", err);
	return 0;
}

int
store_receipt_out_paid(struct store *s, int64_t id, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE receipt_out SET owed = 0 WHERE id = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return step_done(s, st, "receipt", err);
}

int
store_held_add(struct store *s, const struct store_held *h,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO held (author, seq, "
	    "complaint, v, peer, batch_seq, batch_digest, item) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, h->author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, h->seq);
	sqlite3_bind_text(st, 3, h->complaint, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, h->v);
	sqlite3_bind_text(st, 5, h->peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, h->batch_seq);
	sqlite3_bind_text(st, 7, h->batch_digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, h->item);
	return step_done(s, st, "held", err);
}

int
store_held_remove(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM held WHERE author = ? AND seq = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, seq);
	return step_done(s, st, "held", err);
}

int
store_held_exists(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM held WHERE author = ? AND seq = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	rc = step_row(s, st, "held", err);
	sqlite3_reset(st);
	return rc;
}

int
store_held_next(struct store *s, const char *complaint, int v,
    struct store_held *h, char buf[256], struct sp_err *err)
{
	static const char	*sql = "SELECT author, seq, complaint, v, peer, "
	    "batch_seq, batch_digest, item FROM held WHERE complaint = ? AND "
	    "(v = 0 OR v = ?) ORDER BY v DESC, rowid LIMIT 1";
	sqlite3_stmt		*st;
	int			 rc, n;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, complaint, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, v);
	if ((rc = step_row(s, st, "held", err)) != 1)
		return rc;
	/* Copied: the caller writes to held before it is done with h. */
	n = snprintf(buf, 256, "%s%c%s%c%s%c%s", sqlite3_column_text(st, 0),
	    0, sqlite3_column_text(st, 2), 0, sqlite3_column_text(st, 4), 0,
	    sqlite3_column_text(st, 6));
	(void)n;
	h->author = buf;
	h->complaint = h->author + strlen(h->author) + 1;
	h->peer = h->complaint + strlen(h->complaint) + 1;
	h->batch_digest = h->peer + strlen(h->peer) + 1;
	h->seq = sqlite3_column_int64(st, 1);
	h->v = sqlite3_column_int(st, 3);
	h->batch_seq = sqlite3_column_int64(st, 5);
	h->item = sqlite3_column_int64(st, 7);
	sqlite3_reset(st);
	return 1;
}

int64_t
store_held_count(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT count(*) FROM held WHERE peer = ?";

	return count_text(s, sql, peer, err);
}

/* ---- archive (issue 6) ------------------------------------------------ */

int
store_archive_each(struct store *s, const char *self,
    int (*fn)(void *, const struct store_doc *), void *arg,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 0, ?1, ?1, peer, seq, digest, bytes, rowid FROM batch_out "
	    "UNION ALL SELECT 1, peer, ?1, peer, seq, digest, receipt, rowid "
	    "  FROM batch_out WHERE receipt IS NOT NULL "
	    "UNION ALL SELECT 0, peer, peer, ?1, seq, digest, bytes, rowid "
	    "  FROM batch_in "
	    "UNION ALL SELECT 1, ?1, peer, ?1, seq, digest, bytes, id "
	    "  FROM receipt_out "
	    "ORDER BY 1, 3, 4, 5, 8";
	struct store_doc	 d;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, self, -1, SQLITE_STATIC);
	while ((rc = step(st)) == SQLITE_ROW) {
		d.receipt = sqlite3_column_int(st, 0);
		d.signer = (const char *)sqlite3_column_text(st, 1);
		d.from = (const char *)sqlite3_column_text(st, 2);
		d.to = (const char *)sqlite3_column_text(st, 3);
		d.seq = sqlite3_column_int64(st, 4);
		d.digest = (const char *)sqlite3_column_text(st, 5);
		d.bytes = sqlite3_column_blob(st, 6);
		d.len = (size_t)sqlite3_column_bytes(st, 6);
		if (fn(arg, &d) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "archive", err);
	return 0;
}

/* ---- metrics (issue 9) ------------------------------------------------ */

static void
scan_clear(struct event *ev, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		event_clear(&ev[i]);
}

/*
 * Every stored event, complaint by complaint (by id), each complaint's in
 * stored order.  The events and what they point to are lent to fn until it
 * returns.  Rows are decoded by event_row(), as for store_event_each(), and
 * copied, since a complaint's events are held across steps.
 */
int
store_event_scan(struct store *s,
    int (*fn)(void *, const struct event *, size_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " EVENT_COLUMNS " FROM event e "
	    "JOIN complaint c ON c.id = e.complaint "
	    "ORDER BY e.complaint, e.rowid";
	struct store_complaint	 c;
	struct complaint_fields	 f;
	struct event		*ev = NULL, row;
	sqlite3_stmt		*st;
	size_t			 n = 0, cap = 0;
	int			 rc, ret = -1;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = step(st)) == SQLITE_ROW) {
		event_row(st, &row, &c, &f);
		if (n > 0 && strcmp(ev[0].complaint, row.complaint) != 0) {
			if (fn(arg, ev, n) == -1)
				goto out;
			scan_clear(ev, n);
			n = 0;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ev = xreallocarray(ev, cap, sizeof(*ev));
		}
		event_copy(&ev[n++], &row);
	}
	if (rc != SQLITE_DONE) {
		fail(s, rc, "event", err);
		goto out;
	}
	if (n > 0 && fn(arg, ev, n) == -1)
		goto out;
	ret = 0;
out:
	sqlite3_reset(st);
	scan_clear(ev, n);
	free(ev);
	return ret;
}

/* ---- the relay (migration 4) ------------------------------------------ */

int
store_peer_set_instance(struct store *s, const char *code,
    const char *instance, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO peer (code, instance, "
	    "added_at) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
	    "instance = excluded.instance";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, util_now());
	return step_done(s, st, "peer", err);
}

int
store_batch_out_relayed(struct store *s, const char *peer, int64_t seq,
    const char *digest, const uint8_t *receipt, size_t len,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE batch_out SET relay = "
	    "coalesce(relay, ?) WHERE peer = ? AND seq = ? AND digest = ? AND "
	    "state != 'replaced'";
	static const char	*up = "UPDATE channel SET relayed = max(relayed, "
	    "?) WHERE peer = ? AND dir = 'out'";
	sqlite3_stmt		*st;
	int			 n;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, receipt, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	if (step_done(s, st, "batch", err) == -1)
		return -1;
	if ((n = sqlite3_changes(s->db)) == 0)
		return 0;
	if ((st = stmt(s, up, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, peer, -1, SQLITE_STATIC);
	if (step_done(s, st, "channel", err) == -1)
		return -1;
	return 1;
}

int64_t
store_channel_relayed(struct store *s, const char *peer, struct sp_err *err)
{
	static const char	*sql = "SELECT relayed FROM channel WHERE "
	    "peer = ? AND dir = 'out'";
	sqlite3_stmt		*st;
	int64_t			 v = 0;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	if ((rc = step_row(s, st, "channel", err)) == -1)
		return -1;
	if (rc == 1)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int
store_batch_in_relay(struct store *s, const char *digest,
    const uint8_t *receipt, size_t len, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE batch_in SET relay = ? WHERE digest = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, receipt, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	return step_done(s, st, "batch", err);
}

static void
relay_row(sqlite3_stmt *st, struct store_relay *r)
{
	r->digest = (const char *)sqlite3_column_text(st, 0);
	r->author = (const char *)sqlite3_column_text(st, 1);
	r->dest = (const char *)sqlite3_column_text(st, 2);
	r->seq = sqlite3_column_int64(st, 3);
	r->bytes = sqlite3_column_blob(st, 4);
	r->len = (size_t)sqlite3_column_bytes(st, 4);
	r->received = sqlite3_column_int64(st, 5);
	r->receipt = sqlite3_column_blob(st, 6);
	r->receipt_len = (size_t)sqlite3_column_bytes(st, 6);
	r->state = (const char *)sqlite3_column_text(st, 7);
	r->error = (const char *)sqlite3_column_text(st, 8);
}

#define RELAY_COLUMNS	"digest, author, dest, seq, bytes, received, " \
	"receipt, state, error"

/* One relay row by a query of one text and up to two integers. */
static int
relay_one(struct store *s, const char *sql, const char *a, const char *b,
    int64_t n, int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	struct store_relay	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	if (n >= 0)
		sqlite3_bind_int64(st, 3, n);
	if ((rc = step_row(s, st, "relay", err)) == 1) {
		relay_row(st, &r);
		if (fn(arg, &r) == -1)
			rc = -1;
	}
	sqlite3_reset(st);
	return rc;
}

int
store_relay_by_digest(struct store *s, const char *digest,
    int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "digest = ?", digest, NULL, -1, fn, arg, err);
}

int
store_relay_at(struct store *s, const char *author, const char *dest,
    int64_t seq, int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "author = ? AND dest = ? AND seq = ? AND state != 'replaced'",
	    author, dest, seq, fn, arg, err);
}

int
store_relay_next(struct store *s, const char *author, const char *dest,
    int64_t after, int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "author = ? AND dest = ? AND seq > ? AND state != 'replaced' "
	    "ORDER BY seq LIMIT 1", author, dest, after, fn, arg, err);
}

int
store_relay_undelivered(struct store *s, const char *dest,
    int (*fn)(void *, const struct store_relay *), void *arg,
    struct sp_err *err)
{
	return relay_one(s, "SELECT " RELAY_COLUMNS " FROM relay WHERE "
	    "dest = ? AND state = 'waiting' ORDER BY author, seq LIMIT 1",
	    dest, NULL, -1, fn, arg, err);
}

int
store_relay_add(struct store *s, const struct store_relay *r,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO relay (digest, author, dest, "
	    "seq, bytes, received, receipt) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, r->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, r->seq);
	sqlite3_bind_blob(st, 5, r->bytes, (int)r->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->received);
	sqlite3_bind_blob(st, 7, r->receipt, (int)r->receipt_len,
	    SQLITE_STATIC);
	return step_done(s, st, "relay", err);
}

int
store_relay_mark(struct store *s, const char *digest, const char *state,
    const char *error, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE relay SET state = ?, error = ? WHERE digest = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	bind_text_or_null(st, 2, error);
	sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
	return step_done(s, st, "relay", err);
}

int
store_relay_redo(struct store *s, const char *author, const char *dest,
    int64_t from, struct sp_err *err)
{
	static const char	*sql = "UPDATE relay SET state = 'waiting', "
	    "error = NULL WHERE author = ? AND dest = ? AND seq >= ? AND "
	    "state IN ('delivered', 'refused')";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, from);
	return step_done(s, st, "relay", err);
}

int
store_relay_held(struct store *s, const char *author, const char *dest,
    int64_t seq, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO relay_pos (author, dest, "
	    "held) VALUES (?, ?, ?) ON CONFLICT (author, dest) DO UPDATE SET "
	    "held = max(held, excluded.held)";
	static const char	*mark = "UPDATE relay SET state = 'delivered' "
	    "WHERE author = ? AND dest = ? AND seq <= ? AND state = 'waiting'";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	if (step_done(s, st, "relay", err) == -1 ||
	    (st = stmt(s, mark, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	return step_done(s, st, "relay", err);
}

int
store_relay_waiting(struct store *s, const char *dest,
    int (*fn)(void *, const char *author, int64_t seq), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT r.author, max(r.seq) FROM relay r "
	    "LEFT JOIN relay_pos p ON p.author = r.author AND p.dest = r.dest "
	    "WHERE r.dest = ? AND r.state != 'replaced' GROUP BY r.author "
	    "HAVING max(r.seq) > coalesce(max(p.held), 0) ORDER BY r.author";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "relay", err);
	return 0;
}

int
store_receipt_out_next(struct store *s, const char *peer, int64_t after,
    struct buf *bytes, struct sp_err *err)
{
	static const char	*sql = "SELECT bytes FROM receipt_out WHERE "
	    "peer = ? AND seq > ? ORDER BY seq, id LIMIT 1";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, after);
	if ((rc = step_row(s, st, "receipt", err)) == 1 &&
	    buf_add(bytes, sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), err) == -1)
		rc = -1;
	sqlite3_reset(st);
	return rc;
}

/* ---- policy versions, figure sets, their items (issue 9) ---------------- */

int
store_policy_add(struct store *s, const char *node, int64_t version,
    int64_t effective, const char *body, int hub, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO policy (node, "
	    "version, effective, body, hub) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, effective);
	sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, hub);
	return step_done(s, st, "policy", err);
}

int
store_policy_each(struct store *s, const char *node,
    int (*fn)(void *, int64_t, int64_t, const char *, int), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT version, effective, body, hub "
	    "FROM policy WHERE node = ? ORDER BY version";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "policy", err);
	return 0;
}

int
store_policy_queue_hub(struct store *s, const char *node, const char *hub,
    struct sp_err *err)
{
	static const char	*ins = "INSERT OR IGNORE INTO item_out "
	    "(peer, kind, n) SELECT ?, 'policy', version FROM policy "
	    "WHERE node = ? AND hub = 0";
	static const char	*upd = "UPDATE policy SET hub = 1 "
	    "WHERE node = ? AND hub = 0";
	sqlite3_stmt		*st;

	if ((st = stmt(s, ins, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hub, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, node, -1, SQLITE_STATIC);
	if (step_done(s, st, "item_out", err) == -1 ||
	    (st = stmt(s, upd, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	return step_done(s, st, "policy", err);
}

int
store_figure_set_add(struct store *s, const char *node, int64_t n,
    int64_t first, int64_t last, int64_t signed_at, const char *body,
    struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_set (node, "
	    "n, first, last, signed, body) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_int64(st, 3, first);
	sqlite3_bind_int64(st, 4, last);
	sqlite3_bind_int64(st, 5, signed_at);
	sqlite3_bind_text(st, 6, body, -1, SQLITE_STATIC);
	return step_done(s, st, "figure_set", err);
}

int64_t
store_figure_set_next(struct store *s, const char *node, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(n), 0) + 1 FROM "
	    "figure_set WHERE node = ?";

	return count_text(s, sql, node, err);
}

int
store_figure_set_each(struct store *s, const char *node, int64_t n,
    int (*fn)(void *, const struct store_figure_set *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT node, n, first, last, signed, "
	    "body FROM figure_set WHERE (?1 IS NULL OR node = ?1) AND "
	    "(?2 = 0 OR n = ?2) ORDER BY node, n";
	struct store_figure_set	 f;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	if (node != NULL)
		sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f.node = (const char *)sqlite3_column_text(st, 0);
		f.n = sqlite3_column_int64(st, 1);
		f.first = sqlite3_column_int64(st, 2);
		f.last = sqlite3_column_int64(st, 3);
		f.signed_at = sqlite3_column_int64(st, 4);
		f.body = (const char *)sqlite3_column_text(st, 5);
		if (fn(arg, &f) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "figure_set", err);
	return 0;
}

int
store_item_out_add(struct store *s, const char *peer, const char *kind,
    int64_t n, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO item_out "
	    "(peer, kind, n) VALUES (?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	return step_done(s, st, "item_out", err);
}

int
store_item_out_each(struct store *s, const char *peer, const char *self,
    int (*fn)(void *, const char *kind, int64_t n, int64_t at,
    const char *body), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT o.kind, o.n, "
	    "coalesce(p.effective, f.signed), coalesce(p.body, f.body) "
	    "FROM item_out o "
	    "LEFT JOIN policy p ON o.kind = 'policy' AND p.node = ?2 AND "
	    "  p.version = o.n "
	    "LEFT JOIN figure_set f ON o.kind = 'metrics' AND f.node = ?2 "
	    "  AND f.n = o.n "
	    "WHERE o.peer = ?1 ORDER BY o.kind DESC, o.n";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, self, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 3) == SQLITE_NULL)
			continue;
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    (const char *)sqlite3_column_text(st, 3)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "item_out", err);
	return 0;
}

int
store_item_out_remove(struct store *s, const char *peer, const char *kind,
    int64_t n, struct sp_err *err)
{
	static const char	*sql = "DELETE FROM item_out WHERE peer = ? AND "
	    "kind = ? AND n = ?";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	return step_done(s, st, "item_out", err);
}

int
store_item_part_add(struct store *s, const char *node, const char *kind,
    int64_t n, int part, int parts, int64_t at, const char *body,
    char **whole, struct sp_err *err)
{
	static const char	*ins = "INSERT OR IGNORE INTO item_part (node, "
	    "kind, n, part, parts, at, body) VALUES (?, ?, ?, ?, ?, ?, ?)";
	static const char	*sel = "SELECT body FROM item_part WHERE "
	    "node = ? AND kind = ? AND n = ? AND parts = ? AND at = ? "
	    "ORDER BY part";
	sqlite3_stmt		*st;
	struct buf		 b;
	int			 rc, got = 0;

	*whole = NULL;
	if ((st = stmt(s, ins, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_int(st, 4, part);
	sqlite3_bind_int(st, 5, parts);
	sqlite3_bind_int64(st, 6, at);
	sqlite3_bind_text(st, 7, body, -1, SQLITE_STATIC);
	if (step_done(s, st, "item_part", err) == -1 ||
	    (st = stmt(s, sel, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, n);
	sqlite3_bind_int(st, 4, parts);
	sqlite3_bind_int64(st, 5, at);
	buf_init(&b, SIZE_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_addstr(&b, (const char *)sqlite3_column_text(st, 0), NULL);
		got++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		buf_clear(&b);
		return fail(s, rc, "item_part", err);
	}
	if (got == parts)
		*whole = (char *)buf_release(&b, NULL);
	else
		buf_clear(&b);
	return 0;
}

int
store_event_in_add(struct store *s, const char *author, int64_t seq,
    int64_t received, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO event_in (author, "
	    "seq, received) VALUES (?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, received);
	return step_done(s, st, "event_in", err);
}

int
store_event_in_each(struct store *s,
    int (*fn)(void *, const char *, int64_t, int64_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT author, seq, received FROM "
	    "event_in ORDER BY author, seq";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2)) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "event_in", err);
	return 0;
}

int64_t
store_event_max_seq(struct store *s, const char *author, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(seq), 0) FROM event "
	    "WHERE author = ?";

	return count_text(s, sql, author, err);
}

int
store_figure_check_get(struct store *s, const char *node, int64_t n,
    int64_t *differences, struct sp_err *err)
{
	static const char	*sql = "SELECT differences FROM figure_check "
	    "WHERE node = ? AND n = ?";
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, n);
	if ((rc = step_row(s, st, "figure_check", err)) == 1)
		*differences = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int
store_figure_check_add(struct store *s, const char *node, int64_t n,
    int64_t checked, int64_t differences, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_check "
	    "(node, n, checked, differences) VALUES (?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_int64(st, 3, checked);
	sqlite3_bind_int64(st, 4, differences);
	return step_done(s, st, "figure_check", err);
}

int
store_figure_diff_add(struct store *s, const char *node, int64_t n,
    const char *path, int64_t signed_value, int64_t recomputed,
    struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_diff "
	    "(node, n, path, signed, recomputed) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;

	if ((st = stmt(s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, signed_value);
	sqlite3_bind_int64(st, 5, recomputed);
	return step_done(s, st, "figure_diff", err);
}
