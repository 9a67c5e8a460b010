/*
 * users.h: the web desk's accounts: who may log in, and as what.  It
 * checks a login, name, role and unit and the password policy, hashes the
 * password (auth.c) and stores the account (store/users.c).  `simpul
 * user` calls exactly these, and so will the desk's admin pages.
 */
#ifndef SIMPUL_USERS_H
#define SIMPUL_USERS_H

#include <stdint.h>

#include "web/auth.h"

struct sp_err;
struct store;

#define USERS_PASSWORD_MIN	12	/* bytes */
#define USERS_PASSWORD_MAX	128

struct users_new {
	const char	*login;
	const char	*name;
	const char	*role;		/* admin, officer, liaison, auditor */
	const char	*unit;		/* NULL; a liaison must have one */
};

/* The account's fields, or SPE_INVALID saying which and why. */
int	 users_check(const struct users_new *, struct sp_err *);
/*
 * The password's hash into hash, after the policy: 12 to 128 bytes of
 * UTF-8 on one line, not the login.  Slow on purpose (Argon2id): call it
 * before the transaction.
 */
int	 users_password(const char *login, const char *password,
	    char hash[AUTH_HASH_MAX], struct sp_err *);
/* In a transaction: a checked account with the hash of users_password. */
int	 users_add(struct store *, const struct users_new *, const char *hash,
	    int64_t now, struct sp_err *);

#endif
