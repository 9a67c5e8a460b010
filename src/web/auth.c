/*
 * auth.c: Argon2id password hashing through libsodium (auth.h).
 *
 * The limits are libsodium's INTERACTIVE ones (64 MiB, 2 passes; about
 * 0.1 s on the development VM's core): the desk hashes at a login, on a
 * server that also runs the federation, so the memory cost has to stay
 * a few tens of MiB per attempt; the login throttle, not a slower hash,
 * stops guessing online.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "web/auth.h"

_Static_assert(AUTH_HASH_MAX == crypto_pwhash_STRBYTES,
    "AUTH_HASH_MAX is libsodium's string size");

int
auth_init(struct sp_err *err)
{
	if (sodium_init() < 0)
		return sp_errf(err, SPE_INTERNAL, "libsodium cannot start");
	return 0;
}

int
auth_hash(const char *password, char out[AUTH_HASH_MAX], struct sp_err *err)
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return sp_errf(err, SPE_INTERNAL, "no memory to hash the "
		    "password (Argon2id needs %zu MiB)",
		    (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20));
	return 0;
}

int
auth_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void
auth_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
