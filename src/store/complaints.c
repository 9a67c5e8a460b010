/*
 * complaints.c: the store's complaint tables (migration 2 and event_in of
 * migration 6): the counters that number complaints and this node's
 * events, the complaint rows with their cached fold, the append-only
 * events (DESIGN invariant 7 of store.c), reporter identity and its
 * erasure (invariant 8), and the reveal log.  It decodes event rows for
 * every query that lends events (store_events()), channels.c's outbox
 * included.  It does not fold events into a state (rules/complaint.c) nor
 * decide who may see a field (the privacy rules of the exchange).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "rules/event.h"
#include "store/store.h"
#include "store/store_int.h"

#define COMPLAINT_COLUMNS "id, origin, owner, status, v, type, channel, " \
	"category, title, body, location_code, location_text, lat, lon, " \
	"incident_date, filed_at, anonymous, confidential, reply_open"

static struct store_complaint *complaint_row(const struct store_q *, int,
		    struct store_complaint *);
static struct event *event_row(const struct store_q *, struct event *,
		    struct store_complaint *, struct complaint_fields *);
static int	 identity_held(struct store *, const char *, int,
		    struct sp_err *);
static void	 scan_clear(struct event *, size_t);

/*
 * The next value of a counter, inside a transaction.  A counter only
 * grows from 0, so the value it returns is at least 1 and 0 means no row.
 */
int
store_counter_next(struct store *s, const char *name, int64_t *out,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE counter SET value = value + 1 "
	    "WHERE name = ? RETURNING value";
	int64_t			 v;

	if ((v = store_int(s, sql, "counter", ARGS(ARG_TEXT(name)), 0,
	    err)) == -1)
		return -1;
	if (v == 0)
		return sp_errf(err, SPE_STORE, "no counter %s", name);
	*out = v;
	return 0;
}

/* Recovery: the counter moves up to value, never down. */
int
store_counter_raise(struct store *s, const char *name, int64_t value,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE counter SET value = max(value, "
	    "?) WHERE name = ?";

	return store_run(s, sql, "counter",
	    ARGS(ARG_INT(value), ARG_TEXT(name)), err);
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

	return store_run(s, sql, "complaint", ARGS(ARG_TEXT(id),
	    ARG_TEXT(origin), ARG_TEXT(complaint_type_name(f->type)),
	    ARG_TEXT(channel_name(f->channel)), ARG_TEXT(f->category),
	    ARG_TEXT(f->title), ARG_TEXT(f->body),
	    ARG_TEXT(f->location_code), ARG_TEXT(f->location_text),
	    f->has_geo ? ARG_REAL(f->lat) : ARG_NULL,
	    f->has_geo ? ARG_REAL(f->lon) : ARG_NULL,
	    ARG_TEXT(f->incident_date), ARG_INT(f->filed_at),
	    ARG_INT(f->anonymous != 0), ARG_INT(f->confidential != 0)), err);
}

int
store_complaint_update(struct store *s, const struct store_complaint *c,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE complaint SET owner = ?, "
	    "status = ?, v = ?, anonymous = ?, confidential = ?, "
	    "reply_open = ?, ended_at = ? WHERE id = ?";
	int			 n;

	if ((n = store_run_changes(s, sql, "complaint", ARGS(
	    ARG_TEXT(c->owner), ARG_TEXT(c->status), ARG_INT(c->v),
	    ARG_INT(c->anonymous != 0), ARG_INT(c->confidential != 0),
	    c->reply_open != 0 ? ARG_INT(c->reply_open) : ARG_NULL,
	    c->ended_at != 0 ? ARG_INT(c->ended_at) : ARG_NULL,
	    ARG_TEXT(c->id)), err)) == -1)
		return -1;
	if (n == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no complaint %s", c->id);
	return 0;
}

/* A complaint from the columns COMPLAINT_COLUMNS starting at column i. */
static struct store_complaint *
complaint_row(const struct store_q *q, int i, struct store_complaint *c)
{
	c->id = store_col_text(q, i + 0);
	c->origin = store_col_text(q, i + 1);
	c->owner = store_col_text(q, i + 2);
	c->status = store_col_text(q, i + 3);
	c->v = store_col_int(q, i + 4);
	c->type = store_col_text(q, i + 5);
	c->channel = store_col_text(q, i + 6);
	c->category = store_col_text(q, i + 7);
	c->title = store_col_text(q, i + 8);
	c->body = store_col_text(q, i + 9);
	c->location_code = store_col_text(q, i + 10);
	c->location_text = store_col_text(q, i + 11);
	c->has_geo = !store_col_null(q, i + 12);
	c->lat = store_col_real(q, i + 12);
	c->lon = store_col_real(q, i + 13);
	c->incident_date = store_col_text(q, i + 14);
	c->filed_at = store_col_int(q, i + 15);
	c->anonymous = store_col_int(q, i + 16);
	c->confidential = store_col_int(q, i + 17);
	c->reply_open = store_col_int(q, i + 18);
	return c;
}

int
store_complaint_get(struct store *s, const char *id,
    struct store_complaint *c, struct sp_err *err)
{
	static const char	*sql = "SELECT " COMPLAINT_COLUMNS
	    " FROM complaint WHERE id = ?";
	struct store_q		 q;
	int			 rc;

	/* The row stays readable until the next call. */
	if ((rc = store_q_row(s, &q, sql, "complaint", ARGS(ARG_TEXT(id)),
	    err)) == 1)
		complaint_row(&q, 0, c);
	return rc;
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
	struct store_q		 q;

	store_q_start(s, &q, sql, "complaint", ARGS(ARG_TEXT(f->status),
	    ARG_TEXT(f->channel), ARG_TEXT(f->category), ARG_TEXT(f->owner)),
	    err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, complaint_row(&q, 0, &c)));
	return store_q_end(&q);
}

int
store_complaint_reply_due(struct store *s, const char *owner, int64_t before,
    int (*fn)(void *, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT id FROM complaint "
	    "WHERE reply_open IS NOT NULL AND reply_open <= ? AND owner = ? "
	    "ORDER BY reply_open, id";

	return store_each_id(s, sql, "complaint",
	    ARGS(ARG_INT(before), ARG_TEXT(owner)), fn, arg, err);
}

int
store_complaint_identity_due(struct store *s, int64_t before,
    int (*fn)(void *, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT id FROM complaint "
	    "WHERE identity_held = 1 AND ended_at IS NOT NULL AND "
	    "ended_at <= ? ORDER BY ended_at, id";

	return store_each_id(s, sql, "complaint", ARGS(ARG_INT(before)), fn,
	    arg, err);
}

int
store_complaint_exists(struct store *s, const char *id, struct sp_err *err)
{
	static const char	*sql = "SELECT 1 FROM complaint WHERE id = ?";

	return store_exists(s, sql, "complaint", ARGS(ARG_TEXT(id)), err);
}

int
store_event_add(struct store *s, const struct event *e, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO event (author, seq, "
	    "complaint, kind, v, actor, at, at_offset, recorded, reason, text, "
	    "unit, officer, target, stars) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?)";

	return store_run(s, sql, "event", ARGS(ARG_TEXT(e->author),
	    ARG_INT(e->seq), ARG_TEXT(e->complaint),
	    ARG_TEXT(event_kind_name(e->kind)), ARG_INT(e->v),
	    ARG_TEXT(e->actor), ARG_INT(e->at), ARG_INT(e->at_offset),
	    ARG_INT(e->recorded), ARG_TEXT(e->reason), ARG_TEXT(e->text),
	    ARG_TEXT(e->unit), ARG_TEXT(e->officer),
	    ARG_TEXT(e->to[0] ? e->to : NULL),
	    e->kind == EV_RATING ? ARG_INT(e->stars) : ARG_NULL), err);
}

/*
 * One event from a row of STORE_EVENT_COLUMNS; a filed event points at *f,
 * filled from *c.  The strings of the event are the row's, valid until the
 * query steps again; the casts only fit struct event's shared shape: the
 * event is lent, and whoever gets it must not change it.
 */
static struct event *
event_row(const struct store_q *q, struct event *e,
    struct store_complaint *c, struct complaint_fields *f)
{
	const char	*t;

	memset(e, 0, sizeof(*e));
	snprintf(e->author, sizeof(e->author), "%s", store_col_text(q, 0));
	e->seq = store_col_int(q, 1);
	snprintf(e->complaint, sizeof(e->complaint), "%s",
	    store_col_text(q, 14));
	e->kind = event_kind_by_name(store_col_text(q, 2));
	e->v = store_col_int(q, 3);
	e->actor = (char *)store_col_text(q, 4);
	e->at = store_col_int(q, 5);
	e->at_offset = store_col_int(q, 6);
	e->recorded = store_col_int(q, 7);
	e->reason = (char *)store_col_text(q, 8);
	e->text = (char *)store_col_text(q, 9);
	e->unit = (char *)store_col_text(q, 10);
	e->officer = (char *)store_col_text(q, 11);
	if ((t = store_col_text(q, 12)) != NULL)
		snprintf(e->to, sizeof(e->to), "%s", t);
	e->stars = store_col_int(q, 13);
	if (e->kind != EV_FILED)
		return e;
	complaint_row(q, 14, c);
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
	 * confidential as filed: a later annotation raises it.  anonymous as
	 * it stands: mark raises it at the origin, where it is a local
	 * matter, with no event.
	 */
	f->anonymous = c->anonymous;
	f->confidential = store_col_int(q, 14 + 19);
	e->filed = f;
	return e;
}

int
store_events(struct store *s, const char *sql, const char *what,
    const struct store_arg *args, int (*fn)(void *, const struct event *),
    void *arg, struct sp_err *err)
{
	struct store_complaint	 c;
	struct complaint_fields	 f;
	struct event		 e;
	struct store_q		 q;

	store_q_start(s, &q, sql, what, args, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, event_row(&q, &e, &c, &f)));
	return store_q_end(&q);
}

/*
 * The events of one complaint in stored order.  The strings are SQLite's
 * and live until fn returns; the event is lent to fn, which must not keep
 * or change it.
 */
int
store_event_each(struct store *s, const char *complaint,
    int (*fn)(void *, const struct event *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT " STORE_EVENT_COLUMNS
	    " FROM event e JOIN complaint c ON c.id = e.complaint "
	    "WHERE e.complaint = ? ORDER BY e.rowid";

	return store_events(s, sql, "event", ARGS(ARG_TEXT(complaint)), fn,
	    arg, err);
}

int
store_event_exists(struct store *s, const char *author, int64_t seq,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM event WHERE author = ? AND seq = ?";

	return store_exists(s, sql, "event",
	    ARGS(ARG_TEXT(author), ARG_INT(seq)), err);
}

int64_t
store_event_max_seq(struct store *s, const char *author, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(seq), 0) FROM "
	    "event WHERE author = ?";

	return store_int(s, sql, "count", ARGS(ARG_TEXT(author)), 0, err);
}

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
 * returns.  Rows are decoded by event_row(), as for store_event_each(),
 * and copied, since a complaint's events are held across steps.
 */
int
store_event_scan(struct store *s,
    int (*fn)(void *, const struct event *, size_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " STORE_EVENT_COLUMNS
	    " FROM event e JOIN complaint c ON c.id = e.complaint "
	    "ORDER BY e.complaint, e.rowid";
	struct store_complaint	 c;
	struct complaint_fields	 f;
	struct event		*ev = NULL, row;
	struct store_q		 q;
	size_t			 n = 0, cap = 0;
	int			 rc;

	store_q_start(s, &q, sql, "event", NULL, err);
	while (store_q_next(&q)) {
		event_row(&q, &row, &c, &f);
		if (n > 0 && strcmp(ev[0].complaint, row.complaint) != 0) {
			if (store_q_check(&q, fn(arg, ev, n)) == -1)
				break;
			scan_clear(ev, n);
			n = 0;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ev = xreallocarray(ev, cap, sizeof(*ev));
		}
		event_copy(&ev[n++], &row);
	}
	if ((rc = store_q_end(&q)) == 0 && n > 0 && fn(arg, ev, n) == -1)
		rc = -1;
	scan_clear(ev, n);
	free(ev);
	return rc;
}

/* When this node received an event another node authored. */
int
store_event_in_add(struct store *s, const char *author, int64_t seq,
    int64_t received, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO event_in "
	    "(author, seq, received) VALUES (?, ?, ?)";

	return store_run(s, sql, "event_in",
	    ARGS(ARG_TEXT(author), ARG_INT(seq), ARG_INT(received)), err);
}

int
store_event_in_each(struct store *s,
    int (*fn)(void *, const char *, int64_t, int64_t), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT author, seq, received FROM "
	    "event_in ORDER BY author, seq";
	struct store_q		 q;

	store_q_start(s, &q, sql, "event_in", NULL, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_text(&q, 0),
		    store_col_int(&q, 1), store_col_int(&q, 2)));
	return store_q_end(&q);
}

/* Mark whether the complaint still holds an identity (for retention). */
static int
identity_held(struct store *s, const char *complaint, int held,
    struct sp_err *err)
{
	static const char	*sql = "UPDATE complaint SET identity_held = ? "
	    "WHERE id = ?";

	return store_run(s, sql, "complaint",
	    ARGS(ARG_INT(held), ARG_TEXT(complaint)), err);
}

int
store_reporter_set(struct store *s, const char *complaint,
    const struct store_reporter *r, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reporter (complaint, name, "
	    "contact, nik) VALUES (?, ?, ?, ?)";

	if (store_run(s, sql, "reporter", ARGS(ARG_TEXT(complaint),
	    ARG_TEXT(r->name), ARG_TEXT(r->contact), ARG_TEXT(r->nik)),
	    err) == -1)
		return -1;
	return identity_held(s, complaint, 1, err);
}

int
store_reporter_get(struct store *s, const char *complaint,
    struct store_reporter *r, struct sp_err *err)
{
	static const char	*sql = "SELECT name, contact, nik, erased_at "
	    "FROM reporter WHERE complaint = ?";
	struct store_q		 q;
	int			 rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_q_row(s, &q, sql, "reporter",
	    ARGS(ARG_TEXT(complaint)), err)) == 1) {
		/* readable until the next call */
		r->name = store_col_text(&q, 0);
		r->contact = store_col_text(&q, 1);
		r->nik = store_col_text(&q, 2);
		r->erased_at = store_col_int(&q, 3);
	}
	return rc;
}

int
store_reporter_erase(struct store *s, const char *complaint, int64_t now,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reporter (complaint, "
	    "erased_at) VALUES (?1, ?2) ON CONFLICT (complaint) DO UPDATE SET "
	    "name = NULL, contact = NULL, nik = NULL, erased_at = ?2";

	if (store_run(s, sql, "reporter",
	    ARGS(ARG_TEXT(complaint), ARG_INT(now)), err) == -1 ||
	    identity_held(s, complaint, 0, err) == -1)
		return -1;
	store_note_erased(s);
	return 0;
}

int
store_reveal_log(struct store *s, const char *complaint, const char *actor,
    int64_t at, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO reveal_log (complaint, "
	    "actor, at) VALUES (?, ?, ?)";

	return store_run(s, sql, "reveal log",
	    ARGS(ARG_TEXT(complaint), ARG_TEXT(actor), ARG_INT(at)), err);
}

int
store_reveal_each(struct store *s, const char *complaint,
    int (*fn)(void *, const char *, int64_t), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT actor, at FROM reveal_log "
	    "WHERE complaint = ? ORDER BY id";
	struct store_q		 q;

	store_q_start(s, &q, sql, "reveal log", ARGS(ARG_TEXT(complaint)),
	    err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_text(&q, 0),
		    store_col_int(&q, 1)));
	return store_q_end(&q);
}
