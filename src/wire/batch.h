/*
 * batch.h: the wire vocabulary (DESIGN §4), from structs to bytes and from
 * bytes to structs.  A struct batch is one document, a batch or a
 * standalone receipt, holding its exact bytes and their parsed tree; it is
 * opaque, so no libxml2 type leaks out.  The hub's signed directory
 * (directory.xsd) goes through the same steps.  The receiver pipeline calls the
 * steps in DESIGN §5's order, each returning 0 or -1 with one code:
 *
 *	batch_check_size()	SPE_TOO_LARGE			before parsing
 *	batch_parse()		SPE_TOO_LARGE, SPE_MALFORMED, SPE_DOCTYPE,
 *				SPE_ENCODING			while parsing
 *	batch_validate()	SPE_SCHEMA (schema and payloads)
 *	dsig_verify()		SPE_SIGNATURE, SPE_SIGNER	(dsig.h)
 *	batch_check_authorship() SPE_AUTHORSHIP
 *
 * Emission goes the same way: batch_new_batch() or batch_new_receipt()
 * serialize, then parse and validate their own output; dsig_sign() signs
 * it and returns the signed document, parsed again from the exact signed
 * bytes, which are what is stored and sent and never re-serialized.
 */
#ifndef SIMPUL_BATCH_H
#define SIMPUL_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "rules/event.h"

struct sp_err;
struct batch;

#define BATCH_NS		"urn:simpul:1"
#define BATCH_MAX_BYTES		(1024 * 1024)
#define BATCH_MAX_ITEMS		2000
#define BATCH_MAX_ITEM_BYTES	(64 * 1024)
#define BATCH_MAX_DEPTH		10
#define BATCH_DIGEST_LEN	65	/* 64 hex digits and NUL */

/* Federation-wide limits (DESIGN §4); batch_limits_default() fills them. */
struct batch_limits {
	size_t	 max_bytes;
	size_t	 max_items;
	size_t	 max_item_bytes;
	int	 max_depth;		/* the root is depth 1 */
};

enum batch_kind {
	BATCH_KIND_NONE,		/* not validated yet */
	BATCH_KIND_BATCH,		/* <batch> */
	BATCH_KIND_RECEIPT,		/* standalone <receipt> */
	BATCH_KIND_DIRECTORY		/* the hub's <directory> */
};

enum batch_item {
	BATCH_ITEM_EVENT,
	BATCH_ITEM_RECEIPT,
	BATCH_ITEM_POLICY,		/* <policy>: a policy version */
	BATCH_ITEM_METRICS		/* <metrics>: a signed figure set */
};

/*
 * One <policy> or <metrics> item, as a part of the canonical text that
 * policy.c or figures.c owns: the item's header attributes and children,
 * one line each ("zone WIB", "holiday 2026-03-19"; "period A B", "input
 * 33.21 7", "figure PATH V").  Part 1 holds the header lines; the parts
 * in order, concatenated, are the whole text.
 */
struct batch_part {
	enum batch_item	 kind;
	int64_t		 n;		/* policy version, figure set */
	int64_t		 at;		/* effective, signed */
	int		 at_offset;
	int		 part, parts;
	char		*body;
};

struct batch_header {
	char	 from[16];
	char	 to[16];
	int64_t	 seq;
	char	 prev[BATCH_DIGEST_LEN];	/* 64 zeros for seq 1 */
	char	 instance[33];
	int64_t	 created;
	int	 created_offset;		/* minutes east of UTC */
	char	 replaces[BATCH_DIGEST_LEN];	/* "" unless a re-cut */
};

enum receipt_kind { RECEIPT_RELAY, RECEIPT_FINAL, RECEIPT_MAX };
enum item_outcome {
	OUTCOME_APPLIED, OUTCOME_DUPLICATE, OUTCOME_HELD, OUTCOME_REFUSED,
	OUTCOME_MAX
};

struct receipt_result {
	int64_t			 item;		/* 1-based position */
	char			 event[40];	/* "" for a non-event item */
	enum item_outcome	 outcome;
	char			 reason[64];	/* error code name or "" */
	char			*detail;	/* one line or NULL */
};

/* DESIGN §4: what a receiver did with one batch. */
struct receipt {
	enum receipt_kind	 kind;
	char			 signer[16];
	char			 batch_from[16];
	char			 batch_to[16];
	int64_t			 batch_seq;
	char			 batch_digest[BATCH_DIGEST_LEN];
	char			 instance[33];		/* the receiver's */
	int64_t			 received_at;
	int			 received_offset;
	int64_t			 head_seq;	/* receiver's channel head */
	char			 head_digest[BATCH_DIGEST_LEN];
	struct receipt_result	*results;
	size_t			 nresults;
};

/* One enrolled node in the hub's directory (DESIGN §2). */
struct directory_node {
	char		 code[16];
	char		*name;		/* "" when unknown */
	char		*url;		/* NULL when none */
	char		 instance[33];	/* "" before its first batch */
	uint8_t		*cert;		/* DER, seen at enrolment */
	size_t		 cert_len;
};

/* The directory document: its nodes and the federation-wide limits. */
struct directory {
	char			 from[16];	/* the signer: the hub */
	int64_t			 issued;
	int			 issued_offset;
	int			 version;	/* the wire version */
	struct batch_limits	 limits;
	struct directory_node	*nodes;
	size_t			 n;
};

#define BATCH_VERSION		1	/* the wire version of BATCH_NS */

void		 batch_limits_default(struct batch_limits *);
/* Frees what the directory owns (not the struct); NULL is fine. */
void		 directory_clear(struct directory *);
const char	*receipt_kind_name(enum receipt_kind);
const char	*item_outcome_name(enum item_outcome);
/* Frees what the receipt owns (not the struct); NULL is fine. */
void		 receipt_clear(struct receipt *);
/*
 * A receipt with only results [from, from + n) of r, a deep copy
 * (receipt_clear): a receipt item too large for one item rides as
 * several.  -1 if the range is outside r.
 */
int		 receipt_slice(const struct receipt *, size_t from, size_t n,
		    struct receipt *out);

/* One wire schema as built into the binary from schemas/. */
struct batch_schema {
	const char	*name;		/* its file name: "batch.xsd" */
	const uint8_t	*bytes;		/* the file's exact bytes */
	size_t		 len;
};
/*
 * Every wire schema, built in at compile time (schemas.c, generated by
 * build-aux/xsd2c.sh), ending with a NULL name.  Static, never freed.
 */
extern const struct batch_schema batch_schemas[];

/*
 * Load the schemas once per process: the built-in ones, or for
 * development the files of the same names in $SIMPUL_SCHEMAS.  Returns -1
 * with SPE_INTERNAL if they cannot be loaded.  Every other function here
 * needs it done first.
 */
int		 batch_init(struct sp_err *);
void		 batch_shutdown(void);

/* Size limit, checked before a byte is parsed: SPE_TOO_LARGE. */
int		 batch_check_size(size_t len, const struct batch_limits *,
		    struct sp_err *);
/*
 * Parse the exact bytes of a document.  On success *out is a new batch
 * that owns a copy of buf and its tree; free it with batch_free().  Refused:
 * over the byte, item, item-size or depth limits (SPE_TOO_LARGE); a
 * DOCTYPE, entity declaration, comment or processing instruction
 * (SPE_DOCTYPE); a byte-order mark or a declared encoding other than UTF-8,
 * or invalid UTF-8 (SPE_ENCODING); anything else not well-formed
 * (SPE_MALFORMED).  No DTD, entity or network access is ever honoured.
 */
int		 batch_parse(const uint8_t *buf, size_t len,
		    const struct batch_limits *, struct batch **out,
		    struct sp_err *);
void		 batch_free(struct batch *);
/*
 * Validate against batch.xsd or receipt.xsd (chosen by the root) and check
 * what XSD 1.0 cannot: each event kind's payload, byte lengths of texts.
 * Fills the header and the item list.  SPE_SCHEMA on failure.
 */
int		 batch_validate(struct batch *, struct sp_err *);
/*
 * Every event is authored by the batch's from, and every receipt item is
 * signed by it (SPE_AUTHORSHIP): a node never signs another's records.
 */
int		 batch_check_authorship(const struct batch *, struct sp_err *);

/* Accessors: valid after batch_validate(); borrowed for the batch's life. */
enum batch_kind	 batch_kind(const struct batch *);
const struct batch_header *batch_header(const struct batch *);
/* The node that must have signed: a batch's from, a receipt's signer. */
const char	*batch_signer(const struct batch *);
size_t		 batch_nitems(const struct batch *);
enum batch_item	 batch_item_kind(const struct batch *, size_t);
/* Read item i into a struct the caller clears (event_clear, receipt_clear). */
int		 batch_item_event(const struct batch *, size_t, struct event *,
		    struct sp_err *);
int		 batch_item_receipt(const struct batch *, size_t,
		    struct receipt *, struct sp_err *);
/* A <policy> or <metrics> item; free body with free(). */
int		 batch_item_part(const struct batch *, size_t,
		    struct batch_part *, struct sp_err *);
/* A standalone receipt document's content. */
int		 batch_receipt(const struct batch *, struct receipt *,
		    struct sp_err *);
/* A directory document's content; clear it with directory_clear(). */
int		 batch_directory(const struct batch *, struct directory *,
		    struct sp_err *);
const uint8_t	*batch_bytes(const struct batch *, size_t *len);
/* SHA-256 of the exact bytes, lower-case hex, into out[BATCH_DIGEST_LEN]. */
void		 batch_digest(const struct batch *, char *out);
/* The same of bytes not (yet) parsed: a replay is known before parsing. */
void		 batch_digest_bytes(const uint8_t *, size_t, char *out);

/*
 * Build an unsigned document, parse and validate it, and return it in *out
 * (free with batch_free(); sign with dsig_sign()).  SPE_SCHEMA or
 * SPE_TOO_LARGE when the structs do not make a valid document.
 */
int		 batch_new_batch(const struct batch_header *,
		    const struct event *, size_t nevents,
		    const struct receipt *, size_t nreceipts,
		    struct batch **out, struct sp_err *);
/* The same, with policy and figure parts after the receipts. */
int		 batch_new_batch_parts(const struct batch_header *,
		    const struct event *, size_t nevents,
		    const struct receipt *, size_t nreceipts,
		    const struct batch_part *, size_t nparts,
		    struct batch **out, struct sp_err *);
int		 batch_new_receipt(const struct receipt *, struct batch **out,
		    struct sp_err *);
int		 batch_new_directory(const struct directory *,
		    struct batch **out, struct sp_err *);
/*
 * Split a whole canonical text into parts that each encode well under
 * the item limit (lines are never split).  *parts is an array of n
 * parts with their own bodies; free with batch_parts_free().
 */
size_t		 batch_split(enum batch_item, int64_t n, int64_t at,
		    int at_offset, const char *text, struct batch_part **);
void		 batch_parts_free(struct batch_part *, size_t);
/* Encoded size of one part, for the cutter. */
size_t		 batch_part_size(const struct batch_part *);
/* Encoded size of one event item, for a cutter that cuts by bytes. */
size_t		 batch_event_size(const struct event *);

/* For dsig.c only: the parsed tree (an xmlDocPtr). */
void		*batch_xml(const struct batch *);

#endif
