/*
 * store.h: the node's one SQLite file.  All SQL lives in store.c; every
 * other module sees struct store as opaque and calls one typed function per
 * query.  Writes happen only inside store_begin() ... store_commit().
 */
#ifndef SIMPUL_STORE_H
#define SIMPUL_STORE_H

#include <stdint.h>

struct complaint_fields;
struct event;
struct sp_err;
struct store;

#define STORE_READ	0	/* no write transaction allowed */
#define STORE_WRITE	1
#define STORE_CREATE	2	/* a new file; refused if one exists */

/* How long a writer waits for another (SIMPUL_BUSY_TIMEOUT_MS overrides). */
#define STORE_BUSY_TIMEOUT_MS	5000

/*
 * Open (or with STORE_CREATE, create and migrate) the database at path.
 * Returns a new handle, freed with store_close(), or NULL with err filled:
 * SPE_NO_DB when there is none, SPE_EXISTS when creating over one,
 * SPE_READONLY when STORE_WRITE cannot write it, SPE_DAMAGED when it is
 * corrupt (STORE_WRITE runs PRAGMA quick_check first), SPE_LOCKED,
 * SPE_FULL or SPE_STORE otherwise.  Any later call may fail with the same
 * codes of the environment.
 */
struct store	*store_open(const char *path, int mode, struct sp_err *);
void		 store_close(struct store *);	/* NULL is fine */
/* Remove a database that is not in use and its -wal and -shm. */
void		 store_remove(const char *path);
/* 0 for a handle opened STORE_READ: it may not begin a transaction. */
int		 store_writable(const struct store *);
int		 store_schema_version(struct store *);

/* BEGIN IMMEDIATE, recording the caller for diagnostics. */
#define store_begin(s, err)	store_begin_at((s), __FILE__, __LINE__, (err))
int		 store_begin_at(struct store *, const char *, int,
		    struct sp_err *);
int		 store_commit(struct store *, struct sp_err *);
void		 store_rollback(struct store *);	/* no-op outside one */

/* A consistent copy of the live database at path (refused if it exists). */
int		 store_backup(struct store *, const char *path,
		    struct sp_err *);

/* Settings: *value is a new string (caller frees) or NULL when unset. */
int		 store_setting_get(struct store *, const char *key,
		    char **value, struct sp_err *);
int		 store_setting_set(struct store *, const char *key,
		    const char *value, struct sp_err *);

/* Holidays (days since the epoch, with a name). */
int		 store_holiday_clear_year(struct store *, int year,
		    struct sp_err *);
int		 store_holiday_add(struct store *, int64_t day,
		    const char *name, struct sp_err *);
/* Calls fn for each day in [from, to) in order; fn returns 0 or -1 (stop). */
int		 store_holiday_each(struct store *, int64_t from, int64_t to,
		    int (*fn)(void *, int64_t, const char *), void *,
		    struct sp_err *);

/* Topics: national (local 0) or the node's own subtopics (local 1). */
struct store_category {
	const char	*code;
	const char	*parent;	/* NULL at the top */
	const char	*name;
	int		 tier;		/* working days: 2, 5, 14 or 60 */
	int		 local;
};
int		 store_category_clear(struct store *, int local,
		    struct sp_err *);
int		 store_category_add(struct store *,
		    const struct store_category *, struct sp_err *);
/* 1 and *c filled (strings valid until the next store call), 0 if none. */
int		 store_category_get(struct store *, const char *code,
		    struct store_category *, struct sp_err *);
int		 store_category_each(struct store *,
		    int (*fn)(void *, const struct store_category *), void *,
		    struct sp_err *);

/* Peers this node exchanges with. */
struct store_peer {
	const char	*code;
	const char	*url;		/* NULL: reached through the hub */
	const char	*instance;	/* last instance id seen, or NULL */
	int64_t		 added_at;
};
int		 store_peer_add(struct store *, const char *code,
		    const char *url, int64_t now, struct sp_err *);
int		 store_peer_pin_add(struct store *, const char *code,
		    const char *pin, struct sp_err *);
int		 store_peer_remove(struct store *, const char *code,
		    struct sp_err *);
int		 store_peer_reenrol(struct store *, const char *code,
		    struct sp_err *);
/* 1 and *p filled (strings valid until the next call; p may be NULL) or 0. */
int		 store_peer_get(struct store *, const char *code,
		    struct store_peer *, struct sp_err *);
int		 store_peer_each(struct store *,
		    int (*fn)(void *, const struct store_peer *,
		    const char *pins), void *, struct sp_err *);

/*
 * Counters that only grow: "author_seq" (this node's event seq) and
 * "complaint_number".  *out gets the next value; inside a transaction.
 */
int		 store_counter_next(struct store *, const char *name,
		    int64_t *out, struct sp_err *);

/* A complaint row: the filed fields and the cached fold (owner, ...). */
struct store_complaint {
	const char	*id;
	const char	*origin;
	const char	*owner;
	const char	*status;
	int		 v;
	const char	*type;
	const char	*channel;
	const char	*category;	/* may be NULL */
	const char	*title;
	const char	*body;
	const char	*location_code;	/* may be NULL */
	const char	*location_text;	/* may be NULL */
	int		 has_geo;
	double		 lat, lon;
	const char	*incident_date;	/* may be NULL */
	int64_t		 filed_at;
	int		 anonymous;
	int		 confidential;
	int64_t		 reply_open;	/* 0: no reply window running */
	int64_t		 ended_at;	/* archived/closed at; 0: open */
};
/* What list filters on; NULL matches everything. */
struct store_filter {
	const char	*status;
	const char	*channel;
	const char	*category;	/* the topic or its direct children */
	const char	*owner;
};
/* A new complaint row, owned by its origin, status new, v 0. */
int		 store_complaint_add(struct store *, const char *id,
		    const char *origin, const struct complaint_fields *,
		    struct sp_err *);
/* Rewrite the cached fold: owner, status, v, flags, reply_open. */
int		 store_complaint_update(struct store *,
		    const struct store_complaint *, struct sp_err *);
/* 1 and *c filled (strings valid until the next store call), 0 if none. */
int		 store_complaint_get(struct store *, const char *id,
		    struct store_complaint *, struct sp_err *);
/* In filed order; fn returns 0 or -1 (stop). */
int		 store_complaint_each(struct store *,
		    const struct store_filter *,
		    int (*fn)(void *, const struct store_complaint *), void *,
		    struct sp_err *);
/* Ids owned by owner whose reply window opened at or before `before`. */
int		 store_complaint_reply_due(struct store *, const char *owner,
		    int64_t before, int (*fn)(void *, const char *), void *,
		    struct sp_err *);

/* Ids still holding an identity whose complaint ended at or before. */
int		 store_complaint_identity_due(struct store *, int64_t before,
		    int (*fn)(void *, const char *), void *, struct sp_err *);

/* Append one event (DESIGN §3); events are never changed or deleted. */
int		 store_event_add(struct store *, const struct event *,
		    struct sp_err *);
/*
 * The events of a complaint in stored order, each lent to fn until it
 * returns; a filed event carries the complaint's fields.
 */
int		 store_event_each(struct store *, const char *complaint,
		    int (*fn)(void *, const struct event *), void *,
		    struct sp_err *);

/* Reporter identity, apart from everything else (DESIGN §7). */
struct store_reporter {
	const char	*name;		/* each may be NULL */
	const char	*contact;
	const char	*nik;
	int64_t		 erased_at;	/* 0: not erased */
};
int		 store_reporter_set(struct store *, const char *complaint,
		    const struct store_reporter *, struct sp_err *);
/* 1 and *r filled (valid until the next store call), 0 if none. */
int		 store_reporter_get(struct store *, const char *complaint,
		    struct store_reporter *, struct sp_err *);
/*
 * Forget name, contact and NIK for good; keep when it was done.  The
 * commit that follows empties the WAL.
 */
int		 store_reporter_erase(struct store *, const char *complaint,
		    int64_t now, struct sp_err *);
/* Who revealed the identity, and when. */
int		 store_reveal_log(struct store *, const char *complaint,
		    const char *actor, int64_t at, struct sp_err *);
int		 store_reveal_each(struct store *, const char *complaint,
		    int (*fn)(void *, const char *actor, int64_t at), void *,
		    struct sp_err *);
/* Copy the WAL into the database and empty it (outside a transaction). */
int		 store_checkpoint(struct store *, struct sp_err *);

/*
 * Metrics (issue 9): every stored event, complaint by complaint, each
 * complaint's in stored order, lent to fn (0, or -1 to stop) until it
 * returns.
 */
int		 store_event_scan(struct store *,
		    int (*fn)(void *, const struct event *, size_t), void *,
		    struct sp_err *);

#endif
