/*
 * complaint.h: the SP4N-LAPOR! lifecycle of one complaint as a pure fold
 * of its events (DESIGN §3).  See complaint.c for the state diagram and the
 * full transition table.  No I/O: the store loads and saves events, the
 * CLI prints.
 */
#ifndef SIMPUL_COMPLAINT_H
#define SIMPUL_COMPLAINT_H

#include <stdint.h>

#include "rules/clock.h"
#include "rules/event.h"

struct sp_err;

#define COMPLAINT_TITLE_MAX	300		/* bytes of UTF-8 */
#define COMPLAINT_TEXT_MAX	8192		/* body and every free text */
#define COMPLAINT_ACTOR_MAX	64
#define COMPLAINT_MAX_INVOLVED	16

/* The derived status of DESIGN §3, as listed, filtered and sent. */
enum complaint_status {
	CS_NEW, CS_VERIFIED, CS_POSTPONED, CS_IN_PROGRESS, CS_RESOLVED,
	CS_CLOSED, CS_ARCHIVED, CS_MAX
};

/*
 * The lifecycle's states: the derived status refined where the rules need
 * more than the status (PH_NONE before `filed`; PH_FORWARDED is in_progress
 * while the target has not accepted, returned or been recalled).
 */
enum complaint_phase {
	PH_NONE,		/* no event yet */
	PH_NEW,			/* filed, not yet verified */
	PH_VERIFIED,		/* verified by the owner's desk */
	PH_POSTPONED,		/* tunda: waiting for the reporter */
	PH_FORWARDED,		/* forwarded, the target has not accepted */
	PH_IN_PROGRESS,		/* dispatched, followed up, accepted, ... */
	PH_RESOLVED,		/* the owner says it is resolved */
	PH_CLOSED,		/* closed, explicitly or by the reply window */
	PH_ARCHIVED,		/* archived with a reason */
	PH_MAX
};

struct complaint_state {
	char			 id[40];
	char			 origin[16];
	char			 owner[16];	/* who writes chain events */
	char			 forwarder[16];	/* who forwarded to owner */
	enum complaint_phase	 phase;
	int			 v;		/* last chain version */
	enum complaint_type	 type;
	enum channel_kind	 channel;
	char			 category[33];
	int			 confidential;	/* never lowered */
	int			 anonymous;
	int			 recall_requested; /* since the last forward */
	int			 arrived;	/* since the last forward */
	int			 followups;	/* followed_up events */
	char			 involved[COMPLAINT_MAX_INVOLVED][16];
	int			 ninvolved;
	struct clock_facts	 facts;
};

/* An empty state (PH_NONE) for the complaint id. */
void		 complaint_init(struct complaint_state *, const char *id);
/*
 * May e be appended to the complaint in state s?  0 if so; else -1 and err
 * says why: SPE_TRANSITION (not allowed in this state, or wrong v),
 * SPE_OWNERSHIP (a chain event from a node that does not own it),
 * SPE_PERMISSION (an annotation from a node that may not write it),
 * SPE_INVALID (a payload out of its limits).
 */
int		 complaint_check(const struct complaint_state *,
		    const struct event *, struct sp_err *);
/* Apply an event that complaint_check() accepted. */
void		 complaint_apply(struct complaint_state *,
		    const struct event *);
/* Rebuild from events in stored order: check and apply each. */
int		 complaint_fold(struct complaint_state *, const char *id,
		    const struct event *, int n, struct sp_err *);

/* The transition table: 1 if kind may follow phase (guards aside). */
int		 complaint_allowed(enum complaint_phase, enum event_kind);
/* The derived status a chain event leads to (DESIGN §3). */
enum complaint_status complaint_status_after(enum event_kind);
enum complaint_status complaint_status(const struct complaint_state *);
const char	*complaint_status_name(enum complaint_status);
enum complaint_status complaint_status_by_name(const char *); /* CS_MAX */
const char	*complaint_phase_name(enum complaint_phase);
/* 1 if node has been involved (origin, an owner, a forward target). */
int		 complaint_involved(const struct complaint_state *,
		    const char *node);
/*
 * Should the owner close it now because the reporter's reply window ended?
 * 1 and *at = the deadline if so.
 */
int		 complaint_autoclose_due(const struct complaint_state *,
		    const struct clock_cal *, int64_t now, int64_t *at);
/* Checks shared with the CLI: 0 or -1 with SPE_INVALID naming what. */
int		 complaint_text_check(const char *what, const char *,
		    size_t max, int required, struct sp_err *);

#endif
