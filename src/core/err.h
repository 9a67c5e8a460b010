/*
 * err.h: the one error convention.  A failing function returns -1 (or NULL)
 * and fills the caller's struct sp_err; the first failure wins.  Each code's
 * stable name, message, exit status and HTTP status live in one table in
 * err.c, so the CLI, the server and the auditor tell a failure apart the same
 * way.
 */
#ifndef SIMPUL_ERR_H
#define SIMPUL_ERR_H

enum sp_code {
	SPE_OK = 0,
	/* usage (exit 2) */
	SPE_USAGE,		/* bad command line */
	/* refused input or failed check (exit 1) */
	SPE_INVALID,		/* a value is not acceptable */
	SPE_NOT_FOUND,		/* no such complaint, peer, key, ... */
	SPE_EXISTS,		/* already there (init twice, peer twice) */
	SPE_CERT,		/* certificate, key or CA do not fit */
	SPE_TOO_LARGE,		/* over a byte or item limit */
	SPE_MALFORMED,		/* not well-formed XML, truncated */
	SPE_DOCTYPE,		/* DTD, entity, comment or PI present */
	SPE_ENCODING,		/* not UTF-8 */
	SPE_SCHEMA,		/* not valid against the schema */
	SPE_SIGNATURE,		/* not the one accepted XMLDSig shape, or bad value */
	SPE_SIGNER,		/* chain, validity, revocation, or CN != from */
	SPE_AUTHORSHIP,		/* an event not authored by the batch's from */
	SPE_WRONG_NODE,		/* batch not addressed to this node */
	SPE_SEQ_GAP,		/* seq != last + 1 */
	SPE_PREV,		/* prev != digest of the last batch */
	SPE_EQUIVOCATION,	/* same seq, other digest */
	SPE_HALTED,		/* channel halted after equivocation */
	SPE_OWNERSHIP,		/* chain event from a non-owner */
	SPE_TRANSITION,		/* event not allowed in the current status */
	SPE_PERMISSION,		/* the actor or node may not do this */
	SPE_INSTANCE,		/* a known node came back with a new instance */
	/* environment (exit 3): try again later */
	SPE_IO,			/* file system */
	SPE_STORE,		/* SQLite failed */
	SPE_LOCKED,		/* database busy or locked */
	SPE_FULL,		/* the disk holding the database is full */
	SPE_READONLY,		/* the database may not be written */
	SPE_DAMAGED,		/* the database file is corrupt or not one */
	SPE_NO_DB,		/* no database, or not initialised */
	SPE_RECOVERING,		/* writes refused until recover is done */
	SPE_NET,		/* transport failed */
	SPE_INTERNAL,		/* a library failed for no input reason */
	SPE_MAX
};

struct sp_err {
	enum sp_code	 code;		/* first failure; SPE_OK if none */
	char		 msg[256];	/* one line, no trailing newline */
};

/* Record the first failure only.  Always returns -1. */
int		 sp_errf(struct sp_err *, enum sp_code, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
void		 sp_err_clear(struct sp_err *);
const char	*sp_code_name(enum sp_code);
enum sp_code	 sp_code_by_name(const char *);
int		 sp_code_exit(enum sp_code);
int		 sp_code_http(enum sp_code);

#endif
