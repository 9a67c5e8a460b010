/*
 * event.c: names of event kinds, complaint types, channels and archive
 * reasons as they appear on the wire, in the database and in output, and
 * the event's memory.  One table per enum, so a name has one spelling.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rules/event.h"
#include "core/xmalloc.h"

static const char *const kinds[EV_MAX] = {
	"filed", "verified", "postponed", "archived", "dispatched",
	"followed_up", "extended", "forwarded", "recalled", "accepted",
	"returned", "resolved", "reopened", "closed", "note", "confidential",
	"recall_request", "arrived", "reporter_reply", "rating",
};

static const char *const types[CT_MAX] = {
	"complaint", "aspiration", "information_request",
};

static const char *const channels[CH_MAX] = {
	"web", "sms1708", "app", "whatsapp", "social", "agent",
	"village_visit", "walk_in", "hub",
};

static const char *const reasons[AR_MAX] = {
	"misaddressed", "too_general", "not_public_service", "duplicate",
	"spam", "other",
};

static int
lookup(const char *const *names, int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return n;
}

const char *
event_kind_name(enum event_kind k)
{
	return k < EV_MAX ? kinds[k] : "unknown";
}

enum event_kind
event_kind_by_name(const char *name)
{
	return (enum event_kind)lookup(kinds, EV_MAX, name);
}

int
event_is_chain(enum event_kind k)
{
	return k < EV_FIRST_ANNOTATION;
}

const char *
complaint_type_name(enum complaint_type t)
{
	return t < CT_MAX ? types[t] : "unknown";
}

enum complaint_type
complaint_type_by_name(const char *name)
{
	return (enum complaint_type)lookup(types, CT_MAX, name);
}

const char *
channel_name(enum channel_kind c)
{
	return c < CH_MAX ? channels[c] : "unknown";
}

enum channel_kind
channel_by_name(const char *name)
{
	return (enum channel_kind)lookup(channels, CH_MAX, name);
}

const char *
archive_reason_name(enum archive_reason r)
{
	return r < AR_MAX ? reasons[r] : "unknown";
}

enum archive_reason
archive_reason_by_name(const char *name)
{
	return (enum archive_reason)lookup(reasons, AR_MAX, name);
}

void
complaint_fields_free(struct complaint_fields *f)
{
	if (f == NULL)
		return;
	free(f->title);
	free(f->body);
	free(f->category);
	free(f->location_code);
	free(f->location_text);
	free(f->incident_date);
	free(f);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
event_copy(struct event *dst, const struct event *src)
{
	const struct complaint_fields	*sf = src->filed;
	struct complaint_fields		*f;

	*dst = *src;
	dst->actor = dup_or_null(src->actor);
	dst->reason = dup_or_null(src->reason);
	dst->text = dup_or_null(src->text);
	dst->unit = dup_or_null(src->unit);
	dst->officer = dup_or_null(src->officer);
	dst->filed = NULL;
	if (sf == NULL)
		return;
	f = dst->filed = xcalloc(1, sizeof(*f));
	*f = *sf;
	f->title = dup_or_null(sf->title);
	f->body = dup_or_null(sf->body);
	f->category = dup_or_null(sf->category);
	f->location_code = dup_or_null(sf->location_code);
	f->location_text = dup_or_null(sf->location_text);
	f->incident_date = dup_or_null(sf->incident_date);
}

void
event_clear(struct event *e)
{
	if (e == NULL)
		return;
	free(e->actor);
	free(e->reason);
	free(e->text);
	free(e->unit);
	free(e->officer);
	complaint_fields_free(e->filed);
	e->actor = e->reason = e->text = e->unit = e->officer = NULL;
	e->filed = NULL;
}
