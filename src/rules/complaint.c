/*
 * complaint.c: the lifecycle of one complaint.  It owns which event may
 * follow which state, who may write it, the payload limits, and the fold of
 * events into state (status, owner, and the facts the clocks need).  It
 * does not own storage (store.c), deadlines (clock.c) or output; it does
 * no I/O, so a complaint's state can always be rebuilt from its events.
 *
 * STATE DIAGRAM (chain events; the derived status in brackets)
 *
 *                 filed
 *   (none) ---------------> NEW [new] ---postponed---> POSTPONED
 *                            |   \  <---verified-------'   |
 *                    verified|    \________________        |
 *                            v                     \       |
 *                        VERIFIED --forwarded--> FORWARDED <'
 *                            |          (new owner)  |  [in_progress]
 *                  dispatched|  accepted,returned,recalled
 *               followed_up, |            |
 *                  extended  v            v
 *                        IN_PROGRESS <----'     archived from NEW, VERIFIED,
 *                     [in_progress]             POSTPONED, IN_PROGRESS
 *                       |        |              -> ARCHIVED [archived]
 *               resolved|        |closed (explicit, or the reply window)
 *                       v        v
 *                  RESOLVED --closed--> CLOSED [closed]
 *                       \________\______ reopened (also from ARCHIVED)
 *                                        -> IN_PROGRESS
 *
 * TRANSITION TABLE: which event may follow which state (Y), guards after.
 * Annotations carry no version and do not change the state.
 *
 *                 NONE NEW VERI POST FWD  INPR RESO CLOS ARCH
 *   filed          Y    .    .    .    .    .    .    .    .
 *   verified       .    Y    .    Y    .    .    .    .    .
 *   postponed      .    Y    Y    .    .    .    .    .    .
 *   archived       .    Y    Y    Y    .    Y    .    .    .
 *   dispatched     .    .    Y    .    .    Y    .    .    .
 *   followed_up    .    .    Y    .    .    Y    .    .    .
 *   extended       .    .    Y    .    .    Y    .    .    .   (g1)
 *   forwarded      .    Y    Y    Y    .    Y    .    .    .   (g2)
 *   recalled       .    .    .    .    Y    .    .    .    .   (g3)
 *   accepted       .    .    .    .    Y    .    .    .    .
 *   returned       .    .    .    .    Y    .    .    .    .
 *   resolved       .    .    .    .    .    Y    .    .    .
 *   reopened       .    .    .    .    .    .    Y    Y    Y
 *   closed         .    .    .    .    .    Y    Y    .    .
 *   note           .    Y    Y    Y    Y    Y    Y    Y    Y   (w1)
 *   confidential   .    Y    Y    Y    Y    Y    Y    Y    Y   (w1, g4)
 *   recall_request .    .    .    .    Y    .    .    .    .   (w2, g5)
 *   arrived        .    .    .    .    Y    Y    .    .    .   (w3, g6)
 *   reporter_reply .    Y    Y    Y    Y    Y    Y    Y    Y   (w4)
 *   rating         .    .    .    .    Y    Y    Y    Y    .   (w4, g7)
 *
 * Who writes: a chain event only the current owner (else SPE_OWNERSHIP),
 * filed only the origin named in the id.  (w1) any involved node: the
 * origin, every owner and every forward target; (w2) the node that
 * forwarded it; (w3) the current owner; (w4) the origin only, where the
 * reporter is (else SPE_PERMISSION).
 *
 * Guards (SPE_TRANSITION): (g1) information requests only, once;
 * (g2) to another node than the author; (g3) only after a recall_request;
 * (g4) not already confidential: it is never lowered, raising it twice is
 * refused; (g5) once per forward; (g6) once per forward, and only after
 * one; (g7) only after a follow-up.
 *
 * Ownership: filed gives it to the origin; forwarded to the target at once;
 * recalled and returned back to the node that forwarded it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rules/clock.h"
#include "rules/complaint.h"
#include "core/err.h"
#include "rules/event.h"
#include "core/util.h"

#define Y	1

static const unsigned char table[EV_MAX][PH_MAX] = {
	/*			NONE NEW VERI POST FWD INPR RESO CLOS ARCH */
	[EV_FILED] =		{ Y, 0,  0,   0,   0,  0,   0,   0,   0 },
	[EV_VERIFIED] =		{ 0, Y,  0,   Y,   0,  0,   0,   0,   0 },
	[EV_POSTPONED] =	{ 0, Y,  Y,   0,   0,  0,   0,   0,   0 },
	[EV_ARCHIVED] =		{ 0, Y,  Y,   Y,   0,  Y,   0,   0,   0 },
	[EV_DISPATCHED] =	{ 0, 0,  Y,   0,   0,  Y,   0,   0,   0 },
	[EV_FOLLOWED_UP] =	{ 0, 0,  Y,   0,   0,  Y,   0,   0,   0 },
	[EV_EXTENDED] =		{ 0, 0,  Y,   0,   0,  Y,   0,   0,   0 },
	[EV_FORWARDED] =	{ 0, Y,  Y,   Y,   0,  Y,   0,   0,   0 },
	[EV_RECALLED] =		{ 0, 0,  0,   0,   Y,  0,   0,   0,   0 },
	[EV_ACCEPTED] =		{ 0, 0,  0,   0,   Y,  0,   0,   0,   0 },
	[EV_RETURNED] =		{ 0, 0,  0,   0,   Y,  0,   0,   0,   0 },
	[EV_RESOLVED] =		{ 0, 0,  0,   0,   0,  Y,   0,   0,   0 },
	[EV_REOPENED] =		{ 0, 0,  0,   0,   0,  0,   Y,   Y,   Y },
	[EV_CLOSED] =		{ 0, 0,  0,   0,   0,  Y,   Y,   0,   0 },
	[EV_NOTE] =		{ 0, Y,  Y,   Y,   Y,  Y,   Y,   Y,   Y },
	[EV_CONFIDENTIAL] =	{ 0, Y,  Y,   Y,   Y,  Y,   Y,   Y,   Y },
	[EV_RECALL_REQUEST] =	{ 0, 0,  0,   0,   Y,  0,   0,   0,   0 },
	[EV_ARRIVED] =		{ 0, 0,  0,   0,   Y,  Y,   0,   0,   0 },
	[EV_REPORTER_REPLY] =	{ 0, Y,  Y,   Y,   Y,  Y,   Y,   Y,   Y },
	[EV_RATING] =		{ 0, 0,  0,   0,   Y,  Y,   Y,   Y,   0 },
};

/* The state each chain event leads to. */
static const enum complaint_phase next_phase[EV_FIRST_ANNOTATION] = {
	[EV_FILED] = PH_NEW,
	[EV_VERIFIED] = PH_VERIFIED,
	[EV_POSTPONED] = PH_POSTPONED,
	[EV_ARCHIVED] = PH_ARCHIVED,
	[EV_DISPATCHED] = PH_IN_PROGRESS,
	[EV_FOLLOWED_UP] = PH_IN_PROGRESS,
	[EV_EXTENDED] = PH_IN_PROGRESS,
	[EV_FORWARDED] = PH_FORWARDED,
	[EV_RECALLED] = PH_IN_PROGRESS,
	[EV_ACCEPTED] = PH_IN_PROGRESS,
	[EV_RETURNED] = PH_IN_PROGRESS,
	[EV_RESOLVED] = PH_RESOLVED,
	[EV_REOPENED] = PH_IN_PROGRESS,
	[EV_CLOSED] = PH_CLOSED,
};

static const enum complaint_status phase_status[PH_MAX] = {
	[PH_NONE] = CS_NEW,
	[PH_NEW] = CS_NEW,
	[PH_VERIFIED] = CS_VERIFIED,
	[PH_POSTPONED] = CS_POSTPONED,
	[PH_FORWARDED] = CS_IN_PROGRESS,
	[PH_IN_PROGRESS] = CS_IN_PROGRESS,
	[PH_RESOLVED] = CS_RESOLVED,
	[PH_CLOSED] = CS_CLOSED,
	[PH_ARCHIVED] = CS_ARCHIVED,
};

static const char *const status_names[CS_MAX] = {
	"new", "verified", "postponed", "in_progress", "resolved", "closed",
	"archived",
};

static const char *const phase_names[PH_MAX] = {
	"not filed", "new", "verified", "postponed",
	"forwarded and not yet accepted", "in progress", "resolved", "closed",
	"archived",
};

int
complaint_allowed(enum complaint_phase ph, enum event_kind k)
{
	if (ph >= PH_MAX || k >= EV_MAX)
		return 0;
	return table[k][ph];
}

enum complaint_status
complaint_status_after(enum event_kind k)
{
	if (k >= EV_FIRST_ANNOTATION)
		return CS_MAX;
	return phase_status[next_phase[k]];
}

enum complaint_status
complaint_status(const struct complaint_state *s)
{
	return phase_status[s->phase];
}

const char *
complaint_status_name(enum complaint_status st)
{
	return st < CS_MAX ? status_names[st] : "unknown";
}

enum complaint_status
complaint_status_by_name(const char *name)
{
	int	 i;

	for (i = 0; i < CS_MAX; i++)
		if (strcmp(status_names[i], name) == 0)
			return (enum complaint_status)i;
	return CS_MAX;
}

const char *
complaint_phase_name(enum complaint_phase ph)
{
	return ph < PH_MAX ? phase_names[ph] : "unknown";
}

void
complaint_init(struct complaint_state *s, const char *id)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->phase = PH_NONE;
}

int
complaint_involved(const struct complaint_state *s, const char *node)
{
	int	 i;

	for (i = 0; i < s->ninvolved; i++)
		if (strcmp(s->involved[i], node) == 0)
			return 1;
	return 0;
}

static void
involve(struct complaint_state *s, const char *node)
{
	if (complaint_involved(s, node) ||
	    s->ninvolved == COMPLAINT_MAX_INVOLVED)
		return;
	snprintf(s->involved[s->ninvolved++], sizeof(s->involved[0]), "%s",
	    node);
}

int
complaint_text_check(const char *what, const char *t, size_t max,
    int required, struct sp_err *err)
{
	size_t	 n;

	if (t == NULL || *t == '\0') {
		if (required)
			return sp_errf(err, SPE_INVALID, "%s is empty", what);
		return 0;
	}
	if ((n = strlen(t)) > max)
		return sp_errf(err, SPE_INVALID, "%s is %zu bytes, limit %zu",
		    what, n, max);
	if (!util_utf8_valid(t, n))
		return sp_errf(err, SPE_INVALID, "%s is not UTF-8 text", what);
	return 0;
}

/* The filed event's fields. */
static int
check_fields(const struct complaint_fields *f, struct sp_err *err)
{
	if (f == NULL)
		return sp_errf(err, SPE_INVALID, "filed carries no fields");
	if (f->type >= CT_MAX || f->channel >= CH_MAX)
		return sp_errf(err, SPE_INVALID, "unknown type or channel");
	if (complaint_text_check("title", f->title, COMPLAINT_TITLE_MAX, 1,
	    err) == -1 ||
	    complaint_text_check("body", f->body, COMPLAINT_TEXT_MAX, 1,
	    err) == -1 ||
	    complaint_text_check("location", f->location_text,
	    COMPLAINT_TEXT_MAX, 0, err) == -1)
		return -1;
	if (strchr(f->title, '\n') != NULL)
		return sp_errf(err, SPE_INVALID, "title is more than one line");
	if (f->category != NULL && strlen(f->category) > 32)
		return sp_errf(err, SPE_INVALID, "category code is over 32 "
		    "bytes");
	return 0;
}

/* Each kind's payload. */
static int
check_payload(const struct event *e, struct sp_err *err)
{
	switch (e->kind) {
	case EV_FILED:
		return check_fields(e->filed, err);
	case EV_ARCHIVED:
		if (e->reason == NULL ||
		    archive_reason_by_name(e->reason) == AR_MAX)
			return sp_errf(err, SPE_INVALID, "archive reason '%s' "
			    "is not misaddressed, too_general, "
			    "not_public_service, duplicate, spam or other",
			    e->reason ? e->reason : "");
		return 0;
	case EV_POSTPONED:
	case EV_RETURNED:
		return complaint_text_check("reason", e->reason,
		    COMPLAINT_TEXT_MAX, 1, err);
	case EV_FORWARDED:
		if (!util_node_code_valid(e->to))
			return sp_errf(err, SPE_INVALID, "'%s' is not a node "
			    "code", e->to);
		return complaint_text_check("reason", e->reason,
		    COMPLAINT_TEXT_MAX, 0, err);
	case EV_DISPATCHED:
		if (complaint_text_check("unit", e->unit, 200, 1, err) == -1)
			return -1;
		return complaint_text_check("officer", e->officer, 200, 0,
		    err);
	case EV_FOLLOWED_UP:
	case EV_NOTE:
	case EV_REPORTER_REPLY:
		return complaint_text_check("text", e->text,
		    COMPLAINT_TEXT_MAX, 1, err);
	case EV_RATING:
		if (e->stars < 1 || e->stars > 5)
			return sp_errf(err, SPE_INVALID,
			    "stars must be 1 to 5");
		return 0;
	default:
		return complaint_text_check("reason", e->reason,
		    COMPLAINT_TEXT_MAX, 0, err);
	}
}

/* Who may write it: the w-rules of the header. */
static int
check_writer(const struct complaint_state *s, const struct event *e,
    struct sp_err *err)
{
	if (e->kind == EV_FILED) {
		size_t	 n = strlen(e->author);

		if (strncmp(s->id, e->author, n) != 0 || s->id[n] != '-')
			return sp_errf(err, SPE_OWNERSHIP, "%s may be filed "
			    "only by its origin, not %s", s->id, e->author);
		return 0;
	}
	if (event_is_chain(e->kind)) {
		if (strcmp(e->author, s->owner) != 0)
			return sp_errf(err, SPE_OWNERSHIP, "%s is owned by %s: "
			    "only the owner may record %s", s->id, s->owner,
			    event_kind_name(e->kind));
		return 0;
	}
	switch (e->kind) {
	case EV_NOTE:
	case EV_CONFIDENTIAL:
		if (!complaint_involved(s, e->author))
			return sp_errf(err, SPE_PERMISSION, "%s is not "
			    "involved in %s", e->author, s->id);
		break;
	case EV_RECALL_REQUEST:
		if (strcmp(e->author, s->forwarder) != 0)
			return sp_errf(err, SPE_PERMISSION, "only %s, which "
			    "forwarded %s, may recall it", s->forwarder, s->id);
		break;
	case EV_ARRIVED:
		if (strcmp(e->author, s->owner) != 0)
			return sp_errf(err, SPE_PERMISSION, "only the owner %s "
			    "records that %s arrived", s->owner, s->id);
		break;
	case EV_REPORTER_REPLY:
	case EV_RATING:
		if (strcmp(e->author, s->origin) != 0)
			return sp_errf(err, SPE_PERMISSION, "only the origin "
			    "%s, where the reporter is, records %s", s->origin,
			    event_kind_name(e->kind));
		break;
	default:
		break;
	}
	return 0;
}

/* The g-rules of the header. */
static int
check_guard(const struct complaint_state *s, const struct event *e,
    struct sp_err *err)
{
	switch (e->kind) {
	case EV_EXTENDED:
		if (s->type != CT_INFORMATION_REQUEST)
			return sp_errf(err, SPE_TRANSITION, "%s is not an "
			    "information request: only those are extended",
			    s->id);
		if (s->facts.extended)
			return sp_errf(err, SPE_TRANSITION, "%s was already "
			    "extended once", s->id);
		break;
	case EV_FORWARDED:
		if (strcmp(e->to, e->author) == 0)
			return sp_errf(err, SPE_TRANSITION, "%s: a forward to "
			    "%s, the node itself", s->id, e->to);
		break;
	case EV_RECALLED:
		if (!s->recall_requested)
			return sp_errf(err, SPE_TRANSITION, "%s: %s has not "
			    "asked to recall it", s->id, s->forwarder);
		break;
	case EV_CONFIDENTIAL:
		if (s->confidential)
			return sp_errf(err, SPE_TRANSITION, "%s is already "
			    "confidential", s->id);
		break;
	case EV_RECALL_REQUEST:
		if (s->recall_requested)
			return sp_errf(err, SPE_TRANSITION, "%s: a recall is "
			    "already requested", s->id);
		break;
	case EV_ARRIVED:
		if (s->forwarder[0] == '\0' || s->arrived)
			return sp_errf(err, SPE_TRANSITION, "%s: arrived only "
			    "once after each forward", s->id);
		break;
	case EV_RATING:
		if (s->followups == 0)
			return sp_errf(err, SPE_TRANSITION, "%s has no "
			    "follow-up to rate", s->id);
		break;
	default:
		break;
	}
	return 0;
}

int
complaint_check(const struct complaint_state *s, const struct event *e,
    struct sp_err *err)
{
	if (e->kind >= EV_MAX)
		return sp_errf(err, SPE_INVALID, "unknown event kind");
	if (e->actor == NULL || e->actor[0] == '\0' ||
	    strlen(e->actor) > COMPLAINT_ACTOR_MAX ||
	    !util_utf8_valid(e->actor, strlen(e->actor)))
		return sp_errf(err, SPE_INVALID, "actor must be 1 to %d bytes "
		    "of UTF-8", COMPLAINT_ACTOR_MAX);
	/* A chain event from a non-owner: say so before anything else. */
	if (s->phase != PH_NONE && event_is_chain(e->kind) &&
	    check_writer(s, e, err) == -1)
		return -1;
	if (!complaint_allowed(s->phase, e->kind)) {
		if (s->phase == PH_NONE)
			return sp_errf(err, SPE_TRANSITION, "%s: the first "
			    "event must be filed", s->id);
		return sp_errf(err, SPE_TRANSITION, "%s is %s: %s is not "
		    "allowed", s->id, complaint_phase_name(s->phase),
		    event_kind_name(e->kind));
	}
	if (check_writer(s, e, err) == -1)
		return -1;
	if (event_is_chain(e->kind) ? e->v != s->v + 1 : e->v != 0)
		return sp_errf(err, SPE_TRANSITION, "%s: %s has version %d, "
		    "expected %d", s->id, event_kind_name(e->kind), e->v,
		    event_is_chain(e->kind) ? s->v + 1 : 0);
	if (check_guard(s, e, err) == -1)
		return -1;
	return check_payload(e, err);
}

static void
set_once(int64_t *slot, int64_t at)
{
	if (*slot == 0)
		*slot = at;
}

/* What the event means for the clocks (clock.h: struct clock_facts). */
static void
apply_facts(struct clock_facts *f, const struct event *e)
{
	switch (e->kind) {
	case EV_FILED:
		f->filed = f->verify_start = f->target_start = e->at;
		f->information = e->filed->type == CT_INFORMATION_REQUEST;
		break;
	case EV_VERIFIED:
		set_once(&f->verified, e->at);
		set_once(&f->verify_met, e->at);
		break;
	case EV_ARCHIVED:
	case EV_RETURNED:
	case EV_ACCEPTED:
		set_once(&f->verify_met, e->at);
		break;
	case EV_FORWARDED:
		/* Met for the forwarder; the target's own clocks start. */
		set_once(&f->verify_met, e->at);
		f->verify_start = f->target_start = e->at;
		f->verify_met = f->target_met = 0;
		break;
	case EV_ARRIVED:
		if (f->verify_met == 0 && e->at > f->verify_start)
			f->verify_start = e->at;
		if (f->target_met == 0 && e->at > f->target_start)
			f->target_start = e->at;
		break;
	case EV_FOLLOWED_UP:
		set_once(&f->first_follow, e->at);
		if (f->verified != 0 && f->followed_up == 0 &&
		    e->at >= f->verified)
			f->followed_up = e->at;
		if (f->target_met == 0 && e->at >= f->target_start)
			f->target_met = e->at;
		f->reply_start = e->at;
		f->reply = 0;
		break;
	case EV_REPORTER_REPLY:
		if (f->reply_start != 0 && f->reply == 0 &&
		    e->at >= f->reply_start)
			f->reply = e->at;
		break;
	case EV_EXTENDED:
		f->extended = 1;
		break;
	case EV_RESOLVED:
		set_once(&f->resolved, e->at);
		break;
	case EV_REOPENED:
		f->reply_start = f->reply = 0;
		break;
	default:
		break;
	}
}

void
complaint_apply(struct complaint_state *s, const struct event *e)
{
	apply_facts(&s->facts, e);
	switch (e->kind) {
	case EV_FILED:
		snprintf(s->origin, sizeof(s->origin), "%s", e->author);
		snprintf(s->owner, sizeof(s->owner), "%s", e->author);
		s->type = e->filed->type;
		s->channel = e->filed->channel;
		snprintf(s->category, sizeof(s->category), "%s",
		    e->filed->category ? e->filed->category : "");
		s->confidential = e->filed->confidential;
		s->anonymous = e->filed->anonymous;
		involve(s, e->author);
		break;
	case EV_FORWARDED:
		snprintf(s->forwarder, sizeof(s->forwarder), "%s", s->owner);
		snprintf(s->owner, sizeof(s->owner), "%s", e->to);
		s->recall_requested = s->arrived = 0;
		involve(s, e->to);
		break;
	case EV_RECALLED:
	case EV_RETURNED:
		snprintf(s->owner, sizeof(s->owner), "%s", s->forwarder);
		s->forwarder[0] = '\0';
		s->recall_requested = s->arrived = 0;
		break;
	case EV_FOLLOWED_UP:
		s->followups++;
		break;
	case EV_CONFIDENTIAL:
		s->confidential = 1;
		break;
	case EV_RECALL_REQUEST:
		s->recall_requested = 1;
		break;
	case EV_ARRIVED:
		s->arrived = 1;
		break;
	default:
		break;
	}
	if (event_is_chain(e->kind)) {
		s->v = e->v;
		s->phase = next_phase[e->kind];
		/* Rule (3) of clock.c: archived and closed stop the clocks. */
		s->facts.stop = (s->phase == PH_ARCHIVED ||
		    s->phase == PH_CLOSED) ? e->at : 0;
	}
}

int
complaint_fold(struct complaint_state *s, const char *id,
    const struct event *ev, int n, struct sp_err *err)
{
	int	 i;

	complaint_init(s, id);
	for (i = 0; i < n; i++) {
		if (complaint_check(s, &ev[i], err) == -1)
			return -1;
		complaint_apply(s, &ev[i]);
	}
	return 0;
}

int
complaint_autoclose_due(const struct complaint_state *s,
    const struct clock_cal *cal, int64_t now, int64_t *at)
{
	if (s->phase != PH_IN_PROGRESS && s->phase != PH_RESOLVED)
		return 0;
	return clock_reply_window_ended(&s->facts, cal, now, at);
}
