/*
 * trust.h: the federation's trust store: CA, CRL, chain, validity and
 * revocation at a given trusted time, and CN = node code.  OpenSSL types
 * stay inside trust.c.
 */
#ifndef SIMPUL_TRUST_H
#define SIMPUL_TRUST_H

#include <stdint.h>

#include "util.h"

struct sp_err;

struct trust_certinfo {
	char	 cn[64];
	char	 subject[256];
	char	 issuer[256];
	char	 san[256];
	char	 key_type[32];		/* "RSA-2048", "EC-P-256" */
	char	 fingerprint[65];	/* SHA-256 of the DER, hex */
	char	 spki_pin[64];		/* base64 SHA-256 of the public key */
	char	 serial[64];
	char	 not_before[UTIL_TIME_LEN];
	char	 not_after[UTIL_TIME_LEN];
};

/*
 * A loaded private key.  Key bytes are read in trust_key_load() only and
 * wiped at once; others borrow the handle (tls.c as an EVP_PKEY).
 */
struct trust_key;
struct evp_pkey_st;

struct trust_key	*trust_key_load(const char *path, struct sp_err *);
void			 trust_key_free(struct trust_key *);	/* NULL is fine */
struct evp_pkey_st	*trust_key_pkey(const struct trust_key *);

/*
 * Check a node's own files before init trusts them: cert chains to the CA
 * and is valid at `at`, is not revoked by the CRL (if given, and signed by
 * the CA), its CN is `code`, and the key is the certificate's.  Fills info
 * on success.  Refusals are SPE_CERT with the reason.
 */
int	 trust_check_node(const char *cert, const char *key, const char *ca,
	    const char *crl, const char *code, int64_t at,
	    struct trust_certinfo *info, struct sp_err *);

#endif
