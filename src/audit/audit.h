/*
 * audit.h: the auditor's offline verification of any set of signed batches
 * and receipts (DESIGN §2, §4, §5; issue 6).  No database, no network, no
 * key: only the federation CA (and CRL) and the documents.  Every document
 * goes through the receiver's own transport checks (batch.c, dsig.c) at the
 * trusted time; then the set is judged as a whole: channels, copies,
 * receipts, events and each complaint's history (complaint.c).  Findings are
 * collected, not printed: cmd_audit.c prints them.
 */
#ifndef SIMPUL_AUDIT_H
#define SIMPUL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct trust;

/*
 * Finding codes: a stable table (audit.c) whose names are the third field
 * of a finding line.  Document refusals reuse err.h's names.
 */
enum audit_code {
	AC_IO,			/* the file cannot be read */
	AC_TOO_LARGE,		/* over the byte or item limits */
	AC_MALFORMED,		/* not well-formed */
	AC_DOCTYPE,		/* DTD, entity, comment or PI */
	AC_ENCODING,		/* not UTF-8 */
	AC_SCHEMA,		/* not valid against the schema */
	AC_SIGNATURE,		/* not the accepted shape, or a bad value */
	AC_SIGNER,		/* chain, validity, revocation or CN */
	AC_AUTHORSHIP,		/* an item not authored by the signer */
	AC_TIME_UNVERIFIED,	/* no receipt: judged at its own created */
	AC_SEQ_GAP,		/* a seq below the newest one is missing */
	AC_PREV,		/* prev is not the digest of seq - 1 */
	AC_REORDERED,		/* events or receipts out of order */
	AC_MISSING_TAIL,	/* a receipt knows batches past the newest */
	AC_EQUIVOCATION,	/* two accepted copies, or an invalid re-cut */
	AC_DUPLICATE_EVENT,	/* one event id, different content */
	AC_RECEIPT_MISMATCH,	/* a receipt does not match its batch */
	AC_TRANSITION,		/* an event the lifecycle does not allow */
	AC_OWNERSHIP,		/* a chain event from a non-owner */
	AC_PERMISSION,		/* an annotation from a node that may not */
	AC_INVALID,		/* an event's payload out of its limits */
	AC_INCOMPLETE,		/* a complaint's history has a v gap */
	AC_FIGURES,		/* a signed figure set does not follow */
	AC_MAX
};

struct audit_finding {
	char		*file;		/* as named on the command line */
	const char	*what;		/* "batch", "receipt" or "document" */
	char		 from[16];	/* "" when the document is unknown */
	char		 to[16];
	int64_t		 seq;		/* 0 when unknown */
	enum audit_code	 code;
	char		*msg;		/* one line */
};

/* A channel's summary line. */
struct audit_channel {
	char		 from[16];
	char		 to[16];
	size_t		 batches;	/* distinct verified batches */
	size_t		 events;	/* events in them */
	size_t		 receipts;	/* trusted receipts naming it */
	int64_t		 head;		/* newest verified seq, 0 if none */
	char		 head_digest[65];
	size_t		 findings;
};

/*
 * The chain logic, apart from documents so that it can be tested alone.
 * One entry per distinct copy of a batch in one channel.
 */
struct audit_copy {
	const char	*file;
	int64_t		 seq;
	char		 digest[65];
	char		 prev[65];
	char		 replaces[65];	/* "" unless a re-cut */
	int		 verified;	/* passed every document check */
	int		 accepted;	/* a trusted final receipt names it */
	int64_t		 received;	/* earliest final receipt, 0: none */
	int64_t		 first_eseq;	/* author seqs of its events; */
	int64_t		 last_eseq;	/* 0 when it has none */
	int		 eseq_sorted;	/* its events are in author order */
};

/* The newest channel head a trusted final receipt names. */
struct audit_head {
	int64_t		 seq;		/* 0: no receipt */
	char		 digest[65];
	const char	*file;		/* the receipt */
};

struct audit;

/* A new audit against the trust store (borrowed).  Free with audit_free. */
struct audit	*audit_new(const struct trust *);
void		 audit_free(struct audit *);	/* NULL is fine */
/*
 * Read one document (batch or standalone receipt, told by its root) and
 * run the checks that need no trusted time: size, form, schema.  A refusal
 * becomes a finding.  `name` is how findings name it.  Returns 0 when kept.
 */
int		 audit_add_file(struct audit *, const char *path);
int		 audit_add_bytes(struct audit *, const char *name,
		    const uint8_t *, size_t);
/*
 * Judge everything added: signatures, channels, receipts, complaints.  The
 * findings do not depend on the order the documents were added in.
 */
void		 audit_run(struct audit *);

size_t		 audit_nfindings(const struct audit *);
const struct audit_finding *audit_finding(const struct audit *, size_t);
size_t		 audit_nchannels(const struct audit *);
const struct audit_channel *audit_channel(const struct audit *, size_t);
size_t		 audit_ndocuments(const struct audit *);
size_t		 audit_ncomplaints(const struct audit *);

/*
 * Judge one channel's copies (sorted by seq, any order within a seq) and
 * its newest receipt head, adding findings to the audit: seq gaps, broken
 * prev, reordering, missing tail, equivocation.  Sets *head to the newest
 * seq of the chain.  Pure but for the findings.
 */
void		 audit_chain(struct audit *, const char *from, const char *to,
		    const struct audit_copy *, size_t ncopies,
		    const struct audit_head *, int64_t *head);

const char	*audit_code_name(enum audit_code);

#endif
