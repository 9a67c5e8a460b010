/*
 * settings.h: the node's settings: which keys exist, their defaults, which
 * may be changed after init, and what values they accept.  The values live
 * in the store; this module decides what is valid.
 */
#ifndef SIMPUL_SETTINGS_H
#define SIMPUL_SETTINGS_H

struct sp_err;
struct store;

/* The identity written once by init. */
struct settings_identity {
	const char	*code;
	const char	*name;
	const char	*role;		/* "regency" or "hub" */
	const char	*cert;		/* absolute paths */
	const char	*key;
	const char	*ca;
	const char	*crl;		/* may be NULL */
	const char	*hub;		/* hub URL, may be NULL */
	const char	*zone;		/* WIB, WITA or WIT */
	const char	*instance;	/* 32 hex digits */
};

/* Check an identity before anything is created. */
int	 settings_identity_check(const struct settings_identity *,
	    struct sp_err *);
/* Write the identity and the defaults; inside a transaction. */
int	 settings_init(struct store *, const struct settings_identity *,
	    struct sp_err *);
/* The value of key, or its default; the caller frees *value. */
int	 settings_get(struct store *, const char *key, char **value,
	    struct sp_err *);
int	 settings_get_int(struct store *, const char *key, long long *,
	    struct sp_err *);
/* Check and store; inside a transaction.  Read-only keys are refused. */
int	 settings_set(struct store *, const char *key, const char *value,
	    struct sp_err *);
/* Calls fn for every key in table order with its current value. */
int	 settings_each(struct store *,
	    int (*fn)(void *, const char *key, const char *value,
	    const char *help), void *, struct sp_err *);
/*
 * The recovering mark (DESIGN §2): set by simpul recover until it is done,
 * or by the sync loop when a receiver is ahead of this node; while set,
 * every write is refused (SPE_RECOVERING).  Not a setting config shows or
 * changes.  settings_recovering: 1 with *why (the caller frees) when set.
 */
int	 settings_recovering(struct store *, char **why, struct sp_err *);
/* Set the mark with why, or clear it (NULL); inside a transaction. */
int	 settings_mark_recovering(struct store *, const char *why,
	    struct sp_err *);
/* A node's name: 1 to 200 bytes of UTF-8 on one line; what names it. */
int	 settings_check_name(const char *what, const char *,
	    struct sp_err *);
/* Minutes east of UTC for WIB, WITA, WIT; -1 for anything else. */
int	 settings_zone_offset(const char *);

#endif
