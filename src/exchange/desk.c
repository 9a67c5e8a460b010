/*
 * desk.c: the complaint desk on top of the store.  It owns the order of a
 * write: rebuild the complaint from its events, let complaint.c judge the
 * new event, append it, refresh the complaint row's cached fold.  It owns
 * numbering (ids "<origin>-<number>", at least six digits, never reused:
 * the counter only grows) and the automatic close when the reply window
 * ends.  It decides no rule itself (complaint.c, clock.c) and prints
 * nothing (cmd_complaint.c).
 *
 * The clocks of a complaint another node owns are judged on this node's
 * calendar: the owner's policy reaches us with the exchange (DESIGN §6).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/clock.h"
#include "rules/complaint.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "rules/event.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "core/xmalloc.h"

static int
add_holiday(void *arg, int64_t day, const char *name)
{
	struct desk	*d = arg;

	(void)name;
	d->holidays = xreallocarray(d->holidays, d->nholidays + 1,
	    sizeof(*d->holidays));
	d->holidays[d->nholidays++] = day;
	return 0;
}

int
desk_init(struct desk *d, struct store *s, const char *actor, int64_t now,
    struct sp_err *err)
{
	char		*code = NULL, *zone = NULL, *hub = NULL;
	long long	 hours, days;
	int		 rc = -1;

	memset(d, 0, sizeof(*d));
	d->store = s;
	d->actor = actor;
	d->now = now;
	if (settings_get(s, "node.code", &code, err) == -1 ||
	    settings_get(s, "node.zone", &zone, err) == -1 ||
	    settings_get(s, "node.hub", &hub, err) == -1 ||
	    settings_get_int(s, "target.hours", &hours, err) == -1 ||
	    settings_get_int(s, "retention.identity_days", &days, err) == -1)
		goto out;
	if (code[0] == '\0') {
		sp_errf(err, SPE_NO_DB, "the database has no node code "
		    "(create it with simpul init)");
		goto out;
	}
	snprintf(d->node, sizeof(d->node), "%s", code);
	if (hub != NULL && hub[0] != '\0' && strcmp(code, "hub") != 0)
		snprintf(d->hub, sizeof(d->hub), "hub");
	if ((d->offset = settings_zone_offset(zone)) == -1)
		d->offset = 7 * 60;
	d->target_hours = (int)hours;
	d->retention_days = (int)days;
	/* The holiday table's key orders it: the array is sorted. */
	if (store_holiday_each(s, INT64_MIN / 2, INT64_MAX / 2, add_holiday, d,
	    err) == -1)
		goto out;
	rc = 0;
out:
	free(code);
	free(zone);
	free(hub);
	return rc;
}

void
desk_clear(struct desk *d)
{
	free(d->holidays);
	d->holidays = NULL;
	d->nholidays = 0;
}

struct clock_cal
desk_cal(const struct desk *d)
{
	struct clock_cal	 cal = { d->offset, d->holidays, d->nholidays };

	return cal;
}

struct fold {
	struct complaint_state	*s;
	struct sp_err		*err;
	int			 n;
};

static int
fold_one(void *arg, const struct event *e)
{
	struct fold	*f = arg;

	if (complaint_check(f->s, e, f->err) == -1)
		return -1;
	complaint_apply(f->s, e);
	f->n++;
	return 0;
}

int
desk_load(struct desk *d, const char *id, struct complaint_state *s,
    struct sp_err *err)
{
	struct fold	 f = { s, err, 0 };
	struct sp_err	 ferr = { 0 };

	complaint_init(s, id);
	f.err = &ferr;
	if (store_event_each(d->store, id, fold_one, &f, err) == -1) {
		/* A stored history that does not fold is corruption. */
		if (ferr.code != SPE_OK)
			return sp_errf(err, SPE_STORE, "%s: stored events do "
			    "not fold: %s", id, ferr.msg);
		return -1;
	}
	if (f.n == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no complaint %s", id);
	return 0;
}

int
desk_save(struct desk *d, const struct complaint_state *s,
    struct sp_err *err)
{
	struct store_complaint	 row;
	const struct clock_facts *f = &s->facts;

	memset(&row, 0, sizeof(row));
	row.id = s->id;
	row.owner = s->owner;
	row.status = complaint_status_name(complaint_status(s));
	row.v = s->v;
	row.anonymous = s->anonymous;
	row.confidential = s->confidential;
	/* A window auto-close may end: see complaint_autoclose_due(). */
	if ((s->phase == PH_IN_PROGRESS || s->phase == PH_RESOLVED) &&
	    f->reply_start != 0 && f->reply == 0 && f->stop == 0)
		row.reply_open = f->reply_start;
	row.ended_at = f->stop;
	return store_complaint_update(d->store, &row, err);
}

int
desk_record(struct desk *d, struct complaint_state *s, struct event *e,
    struct sp_err *err)
{
	const char	*newcomer;

	snprintf(e->author, sizeof(e->author), "%s", d->node);
	snprintf(e->complaint, sizeof(e->complaint), "%s", s->id);
	e->v = event_is_chain(e->kind) ? s->v + 1 : 0;
	if (e->actor == NULL)
		e->actor = (char *)d->actor;
	if (e->at == 0)
		e->at = d->now;
	e->at_offset = d->offset;
	e->recorded = d->now;
	if (complaint_check(s, e, err) == -1)
		return -1;
	if (store_counter_next(d->store, "author_seq", &e->seq, err) == -1 ||
	    store_event_add(d->store, e, err) == -1)
		return -1;
	newcomer = sync_newcomer(s, e);
	complaint_apply(s, e);
	if (sync_route(d->store, d->node, d->hub, s, e, newcomer, err) == -1)
		return -1;
	return desk_save(d, s, err);
}

int
desk_file(struct desk *d, struct complaint_fields *f,
    const struct store_reporter *r, char id[40], struct sp_err *err)
{
	struct complaint_state	 s;
	struct event		 e;
	int64_t			 number;

	if (store_counter_next(d->store, "complaint_number", &number,
	    err) == -1)
		return -1;
	snprintf(id, 40, "%s-%06lld", d->node, (long long)number);
	if (f->filed_at == 0)
		f->filed_at = d->now;
	memset(&e, 0, sizeof(e));
	e.kind = EV_FILED;
	e.at = f->filed_at;
	e.filed = f;
	complaint_init(&s, id);
	/* Judge before the row exists, so a refusal writes nothing. */
	snprintf(e.author, sizeof(e.author), "%s", d->node);
	e.v = 1;
	e.actor = (char *)d->actor;
	if (complaint_check(&s, &e, err) == -1)
		return -1;
	if (store_complaint_add(d->store, id, d->node, f, err) == -1)
		return -1;
	if (r != NULL && (r->name != NULL || r->contact != NULL ||
	    r->nik != NULL) && store_reporter_set(d->store, id, r, err) == -1)
		return -1;
	return desk_record(d, &s, &e, err);
}

struct autoclose {
	struct desk	*d;
	struct sp_err	*err;
	int		 n;
};

static int
autoclose_one(void *arg, const char *id)
{
	struct autoclose	*a = arg;
	struct complaint_state	 s;
	struct clock_cal	 cal = desk_cal(a->d);
	struct event		 e;
	static char		 reason[] = "reply_window";
	static char		 actor[] = DESK_AUTO_ACTOR;
	int64_t			 at;

	if (desk_load(a->d, id, &s, a->err) == -1)
		return -1;
	if (!complaint_autoclose_due(&s, &cal, a->d->now, &at))
		return 0;
	memset(&e, 0, sizeof(e));
	e.kind = EV_CLOSED;
	e.at = at;
	e.reason = reason;
	e.actor = actor;
	if (desk_record(a->d, &s, &e, a->err) == -1)
		return -1;
	a->n++;
	return 0;
}

int
desk_autoclose(struct desk *d, struct sp_err *err)
{
	struct autoclose	 a = { d, err, 0 };

	/* A read-only database is shown as it is (cli_begin_read). */
	if (!store_writable(d->store))
		return 0;
	/* Ten working days are never fewer than ten calendar days. */
	if (store_complaint_reply_due(d->store, d->node,
	    d->now - (int64_t)CLOCK_REPLY_WD * 86400, autoclose_one, &a,
	    err) == -1)
		return -1;
	return a.n;
}

int
desk_clocks(struct desk *d, const struct complaint_state *s,
    struct clock out[CLK_MAX], size_t *n, struct sp_err *err)
{
	struct clock_policy	 p;
	struct store_category	 c;
	int			 found;

	p.cal = desk_cal(d);
	p.tier = CLOCK_FOLLOW_UP_WD;
	p.target_hours = d->target_hours;
	if (s->category[0] != '\0') {
		if ((found = store_category_get(d->store, s->category, &c,
		    err)) == -1)
			return -1;
		if (found)
			p.tier = c.tier;
	}
	*n = clock_compute(&s->facts, &p, d->now, out);
	return 0;
}

struct expire {
	struct desk	*d;
	struct sp_err	*err;
};

static int
expire_one(void *arg, const char *id)
{
	struct expire	*x = arg;

	return store_reporter_erase(x->d->store, id, x->d->now, x->err);
}

int
desk_expire_identity(struct desk *d, struct sp_err *err)
{
	struct expire	 x = { d, err };

	if (d->retention_days == 0)
		return 0;
	return store_complaint_identity_due(d->store,
	    d->now - (int64_t)d->retention_days * 86400, expire_one, &x, err);
}
