/*
 * store_int.h: what the files of src/store/ share; no other file includes
 * it.  store.c owns the handle, the statement cache and the one
 * translation of SQLite's failures into sp_err; the table files
 * (complaints.c, channels.c, figures.c, settings.c) run their SQL only
 * through the helpers below and never call SQLite themselves.
 *
 * A query is its SQL, a word naming it in messages ("peer: ..."), and the
 * arguments bound to ?1, ?2, ... in order (NULL: none).  The SQL must be a
 * string that lives as long as the handle: the statement cache keys on its
 * address.  Texts are copied when bound, so an argument may point into a
 * row that the query itself changes; blobs are lent for the call.
 *
 *	store_run()		a statement without rows: 0 or -1
 *	store_run_changes()	the same: how many rows it changed, or -1
 *	store_exists()		1 if it yields a row, 0 if not, -1
 *	store_int()		the integer in its first row
 *	store_each_id()		the text in each row's first column, to fn
 *	store_q_start()		rows one at a time: store_q_next() until 0
 *				(store_q_check() stops early), then
 *				store_q_end() for the outcome
 *	store_q_row()		at most one row, left readable (lent)
 *
 * A row's columns are read with store_col_*(); what they return lives
 * until the query steps again or ends, or until the next use of the same
 * SQL, store_begin() or store_commit() for a row left readable.
 */
#ifndef SIMPUL_STORE_INT_H
#define SIMPUL_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

struct event;
struct sp_err;
struct sqlite3_stmt;
struct store;

enum store_arg_type {
	STORE_ARG_END,		/* ends the list ARGS() makes */
	STORE_ARG_TEXT,
	STORE_ARG_INT,
	STORE_ARG_REAL,
	STORE_ARG_BLOB,
	STORE_ARG_NULL
};

/* One argument of a query; made with the ARG_* macros below. */
struct store_arg {
	enum store_arg_type	 type;
	const char		*text;	/* NULL binds NULL */
	const void		*blob;	/* NULL binds NULL */
	size_t			 len;
	int64_t			 i;
	double			 r;
};

#define ARG_TEXT(v)	((struct store_arg){ .type = STORE_ARG_TEXT, \
	.text = (v) })
#define ARG_INT(v)	((struct store_arg){ .type = STORE_ARG_INT, .i = (v) })
#define ARG_REAL(v)	((struct store_arg){ .type = STORE_ARG_REAL, .r = (v) })
#define ARG_BLOB(p, n)	((struct store_arg){ .type = STORE_ARG_BLOB, \
	.blob = (p), .len = (n) })
#define ARG_NULL	((struct store_arg){ .type = STORE_ARG_NULL })
/* The argument list of a query, in the order of its parameters. */
#define ARGS(...)	((const struct store_arg []){ __VA_ARGS__, \
	{ .type = STORE_ARG_END } })

/* A query in progress, on the caller's stack. */
struct store_q {
	struct store		*s;
	struct sqlite3_stmt	*st;	/* NULL when the prepare failed */
	const char		*what;
	struct sp_err		*err;
	int			 rc;	/* 0; -1 once failed or stopped */
};

/* SQL without arguments, several statements allowed (sqlite3_exec). */
int		 store_exec(struct store *, const char *sql, struct sp_err *);
/* DESIGN (8): the commit that ends this transaction empties the WAL. */
void		 store_note_erased(struct store *);

int		 store_run(struct store *, const char *sql, const char *what,
		    const struct store_arg *, struct sp_err *);
int		 store_run_changes(struct store *, const char *sql,
		    const char *what, const struct store_arg *,
		    struct sp_err *);
int		 store_exists(struct store *, const char *sql,
		    const char *what, const struct store_arg *,
		    struct sp_err *);
/*
 * The integer in the first column of the first row, none when there is no
 * row, -1 on failure: only for values that are never -1.
 */
int64_t		 store_int(struct store *, const char *sql, const char *what,
		    const struct store_arg *, int64_t none, struct sp_err *);
/*
 * Collect the first column of every row, then call fn with each (0, or -1
 * to stop): fn may write to the rows the query reads.
 */
int		 store_each_id(struct store *, const char *sql,
		    const char *what, const struct store_arg *,
		    int (*fn)(void *, const char *), void *, struct sp_err *);

/*
 * Prepare (from the cache) and bind.  A failure is kept in q: the first
 * store_q_next() returns 0 and store_q_end() returns -1, err filled.
 */
void		 store_q_start(struct store *, struct store_q *,
		    const char *sql, const char *what, const struct store_arg *,
		    struct sp_err *);
/* 1 with the next row readable; 0 at the end, when stopped or failed. */
int		 store_q_next(struct store_q *);
/*
 * A callback's result for the row, returned: -1 (its own failure, err is
 * its business) stops the query, and store_q_end() then returns -1.
 */
int		 store_q_check(struct store_q *, int);
/* Reset the statement: 0, or -1 if the query failed or was stopped. */
int		 store_q_end(struct store_q *);
/*
 * store_q_start() and one store_q_next(): 1 with the row readable until
 * the statement is used again (store_q_end() lets it go sooner), 0 when
 * there is none, -1 on failure; on 0 and -1 the query has ended.
 */
int		 store_q_row(struct store *, struct store_q *, const char *sql,
		    const char *what, const struct store_arg *,
		    struct sp_err *);

const char	*store_col_text(const struct store_q *, int);
int64_t		 store_col_int(const struct store_q *, int);
double		 store_col_real(const struct store_q *, int);
/* The bytes (NULL when none) and their number in *len. */
const uint8_t	*store_col_blob(const struct store_q *, int, size_t *len);
int		 store_col_null(const struct store_q *, int);

/*
 * Queries that lend events (complaints.c): the columns of an event row
 * (the event e joined with its complaint c), and store_events() to lend
 * each row's event to fn (0, or -1 to stop) until it returns.
 */
#define STORE_EVENT_COLUMNS "e.author, e.seq, e.kind, e.v, e.actor, e.at, " \
	"e.at_offset, e.recorded, e.reason, e.text, e.unit, e.officer, " \
	"e.target, e.stars, c.id, c.origin, c.owner, c.status, c.v, " \
	"c.type, c.channel, c.category, c.title, c.body, c.location_code, " \
	"c.location_text, c.lat, c.lon, c.incident_date, c.filed_at, " \
	"c.anonymous, c.confidential, c.reply_open, c.filed_confidential"
int		 store_events(struct store *, const char *sql,
		    const char *what, const struct store_arg *,
		    int (*fn)(void *, const struct event *), void *,
		    struct sp_err *);

#endif
