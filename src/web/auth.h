/*
 * auth.h: the passwords of the web desk's accounts.  The only module that
 * calls libsodium: Argon2id hashes in libsodium's string form, which
 * carries the salt and the limits (so hashes made under older limits
 * still verify), and their verification in constant time.
 */
#ifndef SIMPUL_AUTH_H
#define SIMPUL_AUTH_H

#include <stddef.h>

struct sp_err;

#define AUTH_HASH_MAX	128	/* crypto_pwhash_STRBYTES, with its NUL */

/* Once per process, before any other call. */
int	 auth_init(struct sp_err *);
/* The Argon2id string of password into out. */
int	 auth_hash(const char *password, char out[AUTH_HASH_MAX],
	    struct sp_err *);
/* 1 when password is the one hash was made of, else 0. */
int	 auth_verify(const char *hash, const char *password);
/* Zero a secret before its memory is given back. */
void	 auth_wipe(void *, size_t);

#endif
