/*
 * store.c: the core of the store and the only file that calls SQLite.  It
 * owns the schema and its migrations, the connection settings, the
 * transaction discipline, the statement cache, and the query helpers of
 * store_int.h with the one translation of SQLite's failures into sp_err
 * (fail()).  The typed queries live with their tables: complaints.c
 * (complaints, events, reporters, counters), channels.c (channels, the
 * outbox, batches, receipts, held events, the archive, the relay),
 * figures.c (policy versions, figure sets and the items that carry them),
 * settings.c (settings, the calendar, topics, peers, the directory) and
 * users.c (the web desk's accounts).
 * The store does not decide what is allowed (exchange/settings.c,
 * rules/complaint.c): it stores what it is given and reports SQLite's
 * failures as sp_err.
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
 * (15) Every statement steps through step() or runs through store_exec(),
 *     so that fault injection (core/fault.c) can fail any of them.
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

#include "core/err.h"
#include "core/fault.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

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

	/*
	 * 8: when the out channel's last good sync round ended, kept across
	 * restarts for status and /metrics (store_channel_note).
	 */
	"ALTER TABLE channel ADD COLUMN ok_at INTEGER;",

	/*
	 * 9: the web desk's accounts.  hash is libsodium's crypto_pwhash_str
	 * string (Argon2id with its salt and limits); a liaison has a unit.
	 */
	"CREATE TABLE web_user ("
	"  login TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL"
	"    CHECK (role IN ('admin', 'officer', 'liaison', 'auditor')),"
	"  unit TEXT CHECK (role <> 'liaison' OR unit IS NOT NULL),"
	"  hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  changed INTEGER NOT NULL"
	") STRICT;",
};

#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

static int	 fail(struct store *, int, const char *, struct sp_err *);
static int	 step(sqlite3_stmt *);
static sqlite3_stmt *stmt(struct store *, const char *, struct sp_err *);
static void	 bind(sqlite3_stmt *, const struct store_arg *);
static void	 reset_all(struct store *);
static int	 commit_hook(void *);
static int	 migrate(struct store *, struct sp_err *);
static int	 busy_timeout(int *, struct sp_err *);
static int	 quick_check(struct store *, struct sp_err *);
static int	 reopen_immutable(struct store *, struct sp_err *);

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

/* Every statement runs through step() or store_exec(): (15). */
static int
step(sqlite3_stmt *st)
{
	if (fault_hit(FAULT_STORE))
		return SQLITE_IOERR;
	return sqlite3_step(st);
}

int
store_exec(struct store *s, const char *sql, struct sp_err *err)
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

/*
 * Bind args to ?1, ?2, ...: exactly as many as the statement has.  Texts
 * are copied (a caller may pass a string lent by a row that this very
 * statement rewrites); blobs, often whole batches, are lent.
 */
static void
bind(sqlite3_stmt *st, const struct store_arg *a)
{
	int	 i;

	for (i = 1; a != NULL && a->type != STORE_ARG_END; i++, a++)
		switch (a->type) {
		case STORE_ARG_TEXT:
			sqlite3_bind_text(st, i, a->text, -1,
			    SQLITE_TRANSIENT);
			break;
		case STORE_ARG_INT:
			sqlite3_bind_int64(st, i, a->i);
			break;
		case STORE_ARG_REAL:
			sqlite3_bind_double(st, i, a->r);
			break;
		case STORE_ARG_BLOB:
			sqlite3_bind_blob(st, i, a->blob, (int)a->len,
			    SQLITE_STATIC);
			break;
		case STORE_ARG_NULL:
		case STORE_ARG_END:
		default:
			sqlite3_bind_null(st, i);
			break;
		}
	assert(i - 1 == sqlite3_bind_parameter_count(st));
}

/* A row left readable (a _get) holds a read snapshot: let them all go. */
static void
reset_all(struct store *s)
{
	int	 i;

	for (i = 0; i < s->nstmts; i++)
		sqlite3_reset(s->stmts[i].st);
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
		if (store_exec(s, migrations[v], err) == -1 ||
		    store_exec(s, bump, err) == -1) {
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
	return store_exec(s, "PRAGMA foreign_keys = ON;"
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
	if (store_exec(s, "PRAGMA journal_mode = WAL;"
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
	assert(s->mode != STORE_READ);
	assert(sqlite3_get_autocommit(s->db));
	/*
	 * A row lent by a _get outside a transaction holds a read snapshot;
	 * once another process has written, BEGIN IMMEDIATE on a stale
	 * snapshot fails at once (SQLITE_BUSY) instead of waiting.  A
	 * long-lived serve meets this every round: lent rows end here.
	 */
	reset_all(s);
	if (store_exec(s, "BEGIN IMMEDIATE", err) == -1)
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
	/*
	 * A row lent by a _get keeps its statement open, and an open
	 * statement holds a read snapshot that stops the checkpoint from
	 * restarting the WAL: it would grow for as long as the handle lives.
	 */
	reset_all(s);
	s->committing = 1;
	rc = store_exec(s, "COMMIT", err);
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
	int			 rc;

	if (stat(path, &sb) == 0)
		return sp_errf(err, SPE_EXISTS, "%s already exists", path);
	s->committing = 1;	/* VACUUM INTO commits into the copy only */
	rc = store_run(s, sql, "backup", ARGS(ARG_TEXT(path)), err);
	s->committing = 0;
	return rc;
}


int
store_checkpoint(struct store *s, struct sp_err *err)
{
	reset_all(s);		/* a row left readable would hold a read lock */
	return store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

void
store_note_erased(struct store *s)
{
	assert(s->tx_file != NULL);
	s->erased = 1;
}

/* ---- the query helpers (store_int.h) ---------------------------------- */

void
store_q_start(struct store *s, struct store_q *q, const char *sql,
    const char *what, const struct store_arg *args, struct sp_err *err)
{
	q->s = s;
	q->what = what;
	q->err = err;
	q->rc = 0;
	if ((q->st = stmt(s, sql, err)) == NULL)
		q->rc = -1;
	else
		bind(q->st, args);
}

int
store_q_next(struct store_q *q)
{
	int	 rc;

	if (q->rc == -1)
		return 0;
	if ((rc = step(q->st)) == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		q->rc = fail(q->s, rc, q->what, q->err);
	return 0;
}

int
store_q_check(struct store_q *q, int rc)
{
	if (rc == -1)
		q->rc = -1;
	return rc;
}

int
store_q_end(struct store_q *q)
{
	if (q->st != NULL)
		sqlite3_reset(q->st);
	return q->rc;
}

int
store_q_row(struct store *s, struct store_q *q, const char *sql,
    const char *what, const struct store_arg *args, struct sp_err *err)
{
	store_q_start(s, q, sql, what, args, err);
	if (store_q_next(q))
		return 1;
	return store_q_end(q);
}

int
store_run_changes(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, struct sp_err *err)
{
	struct store_q	 q;
	int		 rc;

	store_q_start(s, &q, sql, what, args, err);
	if (q.rc == 0 && (rc = step(q.st)) != SQLITE_DONE)
		q.rc = fail(s, rc, what, err);
	if (store_q_end(&q) == -1)
		return -1;
	return sqlite3_changes(s->db);
}

int
store_run(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, struct sp_err *err)
{
	return store_run_changes(s, sql, what, args, err) == -1 ? -1 : 0;
}

int
store_exists(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, struct sp_err *err)
{
	struct store_q	 q;
	int		 rc;

	if ((rc = store_q_row(s, &q, sql, what, args, err)) == 1)
		store_q_end(&q);
	return rc;
}

int64_t
store_int(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, int64_t none, struct sp_err *err)
{
	struct store_q	 q;
	int64_t		 v = none;
	int		 rc;

	if ((rc = store_q_row(s, &q, sql, what, args, err)) == -1)
		return -1;
	if (rc == 1) {
		v = store_col_int(&q, 0);
		store_q_end(&q);
	}
	return v;
}

int
store_each_id(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, int (*fn)(void *, const char *),
    void *arg, struct sp_err *err)
{
	struct store_q	  q;
	char		**ids = NULL;
	size_t		  n = 0, i;
	int		  rc;

	store_q_start(s, &q, sql, what, args, err);
	while (store_q_next(&q)) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = xstrdup(store_col_text(&q, 0));
	}
	rc = store_q_end(&q);
	for (i = 0; i < n; i++) {
		if (rc == 0 && fn(arg, ids[i]) == -1)
			rc = -1;
		free(ids[i]);
	}
	free(ids);
	return rc;
}

const char *
store_col_text(const struct store_q *q, int i)
{
	return (const char *)sqlite3_column_text(q->st, i);
}

int64_t
store_col_int(const struct store_q *q, int i)
{
	return sqlite3_column_int64(q->st, i);
}

double
store_col_real(const struct store_q *q, int i)
{
	return sqlite3_column_double(q->st, i);
}

const uint8_t *
store_col_blob(const struct store_q *q, int i, size_t *len)
{
	const uint8_t	*p;

	/* The pointer first: asking for the size may convert the value. */
	p = sqlite3_column_blob(q->st, i);
	*len = (size_t)sqlite3_column_bytes(q->st, i);
	return p;
}

int
store_col_null(const struct store_q *q, int i)
{
	return sqlite3_column_type(q->st, i) == SQLITE_NULL;
}
