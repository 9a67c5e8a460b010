/*
 * event.h: the vocabulary shared by the lifecycle (complaint.c), the store,
 * routing and the wire (batch.c): what one event is.  An event is the only
 * way state changes (DESIGN §3); its id is "<author>:<author seq>".
 * Reporter identity is deliberately absent: it never leaves the origin's
 * database (DESIGN §7), so no event can carry it.
 */
#ifndef SIMPUL_EVENT_H
#define SIMPUL_EVENT_H

#include <stdint.h>

enum event_kind {
	/* chain events: carry v = 1, 2, ...; only the owner writes them */
	EV_FILED,		/* carries the complaint's fields; origin only */
	EV_VERIFIED,
	EV_POSTPONED,		/* tunda; reason */
	EV_ARCHIVED,		/* reason from a fixed list */
	EV_DISPATCHED,		/* unit, officer */
	EV_FOLLOWED_UP,		/* tindak lanjut; text */
	EV_EXTENDED,		/* information requests: +7 working days */
	EV_FORWARDED,		/* to; reason; ownership passes at once */
	EV_RECALLED,		/* by the target before accepting */
	EV_ACCEPTED,
	EV_RETURNED,		/* bukan wewenang; reason */
	EV_RESOLVED,
	EV_REOPENED,
	EV_CLOSED,		/* explicit or auto (reason "reply_window") */
	/* annotations: v = 0 */
	EV_NOTE,		/* text; any involved node */
	EV_CONFIDENTIAL,	/* any involved node; never lowered */
	EV_RECALL_REQUEST,	/* from the forwarder */
	EV_ARRIVED,		/* new owner holds the whole history */
	EV_REPORTER_REPLY,	/* tanggapan; text; origin only */
	EV_RATING,		/* stars 1-5; origin only */
	EV_MAX
};

#define EV_FIRST_ANNOTATION	EV_NOTE

enum complaint_type {
	CT_COMPLAINT,		/* pengaduan */
	CT_ASPIRATION,		/* aspirasi */
	CT_INFORMATION_REQUEST,	/* permintaan informasi */
	CT_MAX
};

enum channel_kind {
	CH_WEB, CH_SMS1708, CH_APP, CH_WHATSAPP, CH_SOCIAL, CH_AGENT,
	CH_VILLAGE_VISIT, CH_WALK_IN, CH_HUB, CH_MAX
};

enum archive_reason {
	AR_MISADDRESSED, AR_TOO_GENERAL, AR_NOT_PUBLIC_SERVICE, AR_DUPLICATE,
	AR_SPAM, AR_OTHER, AR_MAX
};

/* The fields a `filed` event carries (DESIGN §3), identity excluded. */
struct complaint_fields {
	enum complaint_type	 type;
	enum channel_kind	 channel;
	char			*title;		/* <= 300 bytes UTF-8 */
	char			*body;		/* <= 8 KiB */
	char			*category;	/* topic code */
	char			*location_code;	/* village/district code or NULL */
	char			*location_text;	/* or NULL */
	int			 has_geo;
	double			 lat, lon;	/* WGS84 when has_geo */
	char			*incident_date;	/* YYYY-MM-DD or NULL */
	int64_t			 filed_at;
	int			 anonymous;
	int			 confidential;
};

struct event {
	char			 author[16];	/* node code */
	int64_t			 seq;		/* author seq, from 1 */
	char			 complaint[40];	/* "<origin>-<number>" */
	enum event_kind		 kind;
	int			 v;		/* chain version; 0: annotation */
	char			*actor;		/* who acted at the author */
	int64_t			 at;		/* claimed time, epoch seconds */
	int			 at_offset;	/* minutes east of UTC */
	int64_t			 recorded;	/* author's clock when recorded */
	/* payload: NULL / 0 where the kind has none */
	char			*reason;
	char			*text;
	char			*unit;
	char			*officer;
	char			 to[16];	/* forwarded: target node */
	int			 stars;		/* rating */
	struct complaint_fields	*filed;		/* EV_FILED only */
};

const char	*event_kind_name(enum event_kind);
enum event_kind	 event_kind_by_name(const char *);	/* EV_MAX if none */
int		 event_is_chain(enum event_kind);
const char	*complaint_type_name(enum complaint_type);
enum complaint_type complaint_type_by_name(const char *);
const char	*channel_name(enum channel_kind);
enum channel_kind channel_by_name(const char *);
const char	*archive_reason_name(enum archive_reason);
enum archive_reason archive_reason_by_name(const char *);

/* A deep copy of src into dst; free it with event_clear(). */
void		 event_copy(struct event *dst, const struct event *src);
/* Frees what the event owns (not the struct itself); NULL is fine. */
void		 event_clear(struct event *);
void		 complaint_fields_free(struct complaint_fields *);

#endif
