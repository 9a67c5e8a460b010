/*
 * trust.h: the node's credentials and the federation's trust store: the
 * node's own key (the one reader of key bytes), the CA and CRL, chain,
 * validity and revocation at a given trusted time, and CN = node code.
 * OpenSSL types stay inside trust.c; EVP_PKEY appears only as the opaque
 * handle lent to signing and TLS setup.
 */
#ifndef SIMPUL_TRUST_H
#define SIMPUL_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

struct evp_pkey_st;
struct sp_err;
struct trust_key;

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
 * The one function in simpul that reads private-key bytes: an unencrypted
 * PEM key, and the node's certificate beside it if cert is not NULL (what
 * dsig_sign() needs).  The key bytes are wiped as soon as they are parsed.
 * Free with trust_key_free().  SPE_NOT_FOUND, SPE_IO or SPE_CERT on
 * failure.
 */
struct trust_key *trust_key_load(const char *key, const char *cert,
		    struct sp_err *);
void		 trust_key_free(struct trust_key *);	/* NULL is fine */
/* The loaded key, borrowed for the trust_key's life (signing, TLS). */
struct evp_pkey_st *trust_key_pkey(const struct trust_key *);
/*
 * The certificate loaded with the key, as DER, borrowed for the
 * trust_key's life; NULL when it was loaded without one.
 */
const uint8_t	*trust_key_cert(const struct trust_key *, size_t *len);

/*
 * Check a node's own files before init trusts them: cert chains to the CA
 * and is valid at `at`, is not revoked by the CRL (if given, and signed by
 * the CA), its CN is `code`, and the key is the certificate's.  Fills info
 * on success.  Refusals are SPE_CERT with the reason.
 */
int	 trust_check_node(const char *cert, const char *key, const char *ca,
	    const char *crl, const char *code, int64_t at,
	    struct trust_certinfo *info, struct sp_err *);

/*
 * The trust store for signed documents: the federation CA and, if given,
 * its CRL (which must be signed by the CA).  Free with trust_free().
 * SPE_CERT or SPE_IO when the files do not fit.
 */
struct trust;
struct trust	*trust_load(const char *ca, const char *crl, struct sp_err *);
void		 trust_free(struct trust *);	/* NULL is fine */
/* The CA as PEM bytes, borrowed for the store's life. */
const uint8_t	*trust_ca_pem(const struct trust *, size_t *len);
/*
 * Judge a signer's certificate (DER) at the trusted time `at`: it chains to
 * the CA and is valid at `at`; the CRL, if any, is not stale at `at` and
 * does not list it as revoked at or before `at` (a later revocation is
 * fine: compared by date here, DESIGN §2); it is an end entity that may
 * sign, with an RSA >= 2048 or EC P-256 key; its CN is `code`.  Fills
 * info.  Refusals are SPE_SIGNER.
 */
int		 trust_check_signer(const struct trust *, const uint8_t *der,
		    size_t len, const char *code, int64_t at,
		    struct trust_certinfo *info, struct sp_err *);

/*
 * CRL distribution (DESIGN §2): a CRL's dates and number, and whether the
 * PEM bytes the hub served are a CRL issued and signed by the CA that is
 * newer than the one at cur (by CRL number when both have one, else by
 * lastUpdate): 1 newer (install it), 0 not newer, -1 refused (SPE_CERT).
 * cur may be missing: then any valid CRL is newer.
 */
struct trust_crlinfo {
	int64_t	 last;		/* lastUpdate */
	int64_t	 next;		/* nextUpdate, 0 when none */
	char	 number[48];	/* the CRL number in decimal, "" when none */
};
int		 trust_crl_info(const char *path, struct trust_crlinfo *,
		    struct sp_err *);
int		 trust_crl_newer(const char *ca, const char *cur,
		    const uint8_t *pem, size_t len, struct trust_crlinfo *,
		    struct sp_err *);

#endif
