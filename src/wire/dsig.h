/*
 * dsig.h: XMLDSig signing and strict verification of the one accepted
 * shape (DESIGN §4).  The key it signs with and the certificates it judges
 * are trust.h's.  Neither xmlsec, libxml2 nor OpenSSL types appear here.
 */
#ifndef SIMPUL_DSIG_H
#define SIMPUL_DSIG_H

#include <stdint.h>

struct batch;
struct sp_err;
struct trust;
struct trust_certinfo;
struct trust_key;

/*
 * Initialise xmlsec once per process (after batch_init(), which it calls).
 * Returns -1 with SPE_INTERNAL if the libraries do not fit.
 */
int		 dsig_init(struct sp_err *);
void		 dsig_shutdown(void);

/*
 * Sign an unsigned document (from batch_new_batch/receipt): one enveloped
 * ds:Signature as the root's last child, Reference URI="", transforms
 * enveloped + exc-c14n, SHA-256, RSA-SHA256 or ECDSA-P256-SHA256 by the
 * key's type, KeyInfo/X509Data with the certificate loaded with the key
 * (SPE_CERT when it was loaded without one).  *out is the signed document
 * parsed and validated again from its exact bytes; free it with
 * batch_free().  The input is not changed.
 */
int		 dsig_sign(const struct batch *, const struct trust_key *,
		    struct batch **out, struct sp_err *);

/*
 * Verify a parsed and validated document at the trusted time `at`:
 *   SPE_SIGNATURE  not exactly one ds:Signature, not the root's last child,
 *                  any other shape than dsig_sign()'s, a value or digest
 *                  that does not match, or signed bytes that differ from
 *                  the document's own canonical form;
 *   SPE_SIGNER     the certificate in KeyInfo does not chain to the CA, is
 *                  not valid or is revoked at `at`, or its CN is not the
 *                  document's signer (batch_signer()).
 * Fills *signer (if not NULL) on success.  The tree is changed for a
 * moment (the Signature is taken out for our own canonical form) and
 * restored before it returns: one thread per batch.
 */
int		 dsig_verify(const struct batch *, const struct trust *,
		    int64_t at, struct trust_certinfo *signer,
		    struct sp_err *);

/*
 * Test-only: sign with a deliberately wrong shape, so that the hostile-
 * input suite can prove that policy, not cryptography, refuses it.
 */
struct dsig_variant {
	const char	*digest;	/* NULL: sha256; "sha1" */
	const char	*method; /* NULL: by key; "rsa-sha1", "ecdsa-sha1" */
	int		 nrefs;		/* 0 or 1: one Reference; 2: two */
	const char	*transform;	/* NULL; "c14n-comments", "xpath" */
};
int		 dsig_sign_variant(const struct batch *,
		    const struct trust_key *, const struct dsig_variant *,
		    struct batch **out, struct sp_err *);

#endif
