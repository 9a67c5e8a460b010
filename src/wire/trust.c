/*
 * trust.c: the node's credentials and certificates against the federation
 * CA.  It owns:
 *
 *  - the node's own key: trust_key_load() is the only reader of private-key
 *    bytes in simpul, and wipes them once OpenSSL has parsed them; the
 *    EVP_PKEY it holds is lent to dsig.c (signing) and tls.c;
 *  - chain building, validity at a trusted time, revocation by the CRL
 *    (compared by date ourselves: OpenSSL would refuse a certificate
 *    revoked after the trusted time, DESIGN §2), CN = node code;
 *  - judging a CRL the hub distributes (issuer, signature, newer than ours)
 *    before the syncer installs it.
 *
 * It does not sign or verify documents (dsig.c): dsig.c hands it the
 * signer's certificate and it judges it.  It calls nothing outside core/,
 * so that dsig.c and tls.c depend on it and never the other way round.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "wire/trust.h"

#define PEM_MAX		(256 * 1024)
#define KEY_MAX		(64 * 1024)

/* The first queued OpenSSL error as text, and clear the queue. */
static const char *
ossl_msg(void)
{
	static char	 msg[160];
	unsigned long	 e = ERR_peek_last_error();

	if (e == 0)
		return "no detail";
	ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return msg;
}

static BIO *
file_bio(const char *path, const char *what, struct buf *b,
    struct sp_err *err)
{
	BIO	*bio;

	if (util_read_file(path, PEM_MAX, b, err) == -1)
		return NULL;
	if ((bio = BIO_new_mem_buf(b->data, (int)b->len)) == NULL) {
		buf_clear(b);
		sp_errf(err, SPE_INTERNAL, "%s: %s", what, ossl_msg());
	}
	return bio;
}

static X509 *
cert_load(const char *path, struct sp_err *err)
{
	struct buf	 b;
	BIO		*bio;
	X509		*x;

	if ((bio = file_bio(path, "certificate", &b, err)) == NULL)
		return NULL;
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		sp_errf(err, SPE_CERT, "%s: not a PEM certificate (%s)", path,
		    ossl_msg());
	BIO_free(bio);
	buf_clear(&b);
	return x;
}

static X509_CRL *
crl_load(const char *path, struct sp_err *err)
{
	struct buf	 b;
	BIO		*bio;
	X509_CRL	*crl;

	if ((bio = file_bio(path, "CRL", &b, err)) == NULL)
		return NULL;
	if ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) == NULL)
		sp_errf(err, SPE_CERT, "%s: not a PEM CRL (%s)", path,
		    ossl_msg());
	BIO_free(bio);
	buf_clear(&b);
	return crl;
}

static int64_t
asn1_time(const ASN1_TIME *t)
{
	struct tm	 tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return util_days_from_civil(tm.tm_year + 1900,
	    (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static void
name_text(const X509_NAME *name, char *out, size_t len)
{
	BIO	*mem;
	int	 n;

	out[0] = '\0';
	if ((mem = BIO_new(BIO_s_mem())) == NULL)
		return;
	X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253);
	n = BIO_read(mem, out, (int)len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(mem);
}

static void
san_text(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES	*gens;
	int		 i;

	out[0] = '\0';
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		char			*v = NULL;
		size_t			 used = strlen(out);

		if (g->type == GEN_DNS)
			v = xasprintf("DNS:%s", (const char *)
			    ASN1_STRING_get0_data(g->d.dNSName));
		else if (g->type == GEN_IPADD && g->d.iPAddress->length == 4) {
			const unsigned char *a = g->d.iPAddress->data;

			v = xasprintf("IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		}
		if (v != NULL)
			snprintf(out + used, len - used, "%s%s",
			    used ? ", " : "", v);
		free(v);
	}
	GENERAL_NAMES_free(gens);
}

static void
key_text(EVP_PKEY *k, char *out, size_t len)
{
	char	 group[28];
	size_t	 glen;

	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
		snprintf(out, len, "RSA-%d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group),
	    &glen) == 1)
		snprintf(out, len, "EC-%s", strcmp(group, "prime256v1") == 0 ?
		    "P-256" : group);
	else
		snprintf(out, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
}

static void
cert_info(X509 *x, struct trust_certinfo *info)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int	 mdlen;
	int		 derlen;
	BIGNUM		*bn;
	char		*hex;

	memset(info, 0, sizeof(*info));
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
	    info->cn, sizeof(info->cn));
	name_text(X509_get_subject_name(x), info->subject,
	    sizeof(info->subject));
	name_text(X509_get_issuer_name(x), info->issuer,
	    sizeof(info->issuer));
	san_text(x, info->san, sizeof(info->san));
	key_text(X509_get0_pubkey(x), info->key_type, sizeof(info->key_type));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		util_hex(md, mdlen, info->fingerprint);
	if ((derlen = i2d_PUBKEY(X509_get0_pubkey(x), &der)) > 0 &&
	    EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(),
	    NULL) == 1)
		EVP_EncodeBlock((unsigned char *)info->spki_pin, md,
		    (int)mdlen);
	OPENSSL_free(der);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL))
	    != NULL && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(info->serial, sizeof(info->serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	util_time_format(asn1_time(X509_get0_notBefore(x)), 0,
	    info->not_before);
	util_time_format(asn1_time(X509_get0_notAfter(x)), 0,
	    info->not_after);
}

/* Chain and validity at `at`; revocation is checked apart (revoked()). */
static int
chain_ok(X509 *x, X509 *ca, int64_t at, enum sp_code code,
    struct sp_err *err)
{
	X509_STORE	*st;
	X509_STORE_CTX	*ctx = NULL;
	int		 ok = 0, e = X509_V_ERR_UNSPECIFIED;

	if ((st = X509_STORE_new()) != NULL &&
	    (ctx = X509_STORE_CTX_new()) != NULL &&
	    X509_STORE_add_cert(st, ca) == 1 &&
	    X509_STORE_CTX_init(ctx, st, x, NULL) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
		ok = X509_verify_cert(ctx);
		e = X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	if (ok != 1)
		return sp_errf(err, code, "certificate does not chain to "
		    "the CA: %s", X509_verify_cert_error_string(e));
	return 0;
}

/* 1 if the CRL names x as revoked at or before `at`, 0 if not, -1 on error. */
static int
revoked(X509 *x, X509 *ca, X509_CRL *crl, int64_t at, struct sp_err *err)
{
	X509_REVOKED	*r = NULL;

	if (X509_CRL_verify(crl, X509_get0_pubkey(ca)) != 1) {
		ERR_clear_error();
		return sp_errf(err, SPE_CERT, "the CRL is not signed by the "
		    "CA");
	}
	if (X509_CRL_get0_by_cert(crl, &r, x) != 1 || r == NULL)
		return 0;
	return asn1_time(X509_REVOKED_get0_revocationDate(r)) <= at;
}

/* ---- the node's own key ------------------------------------------------ */

struct trust_key {
	EVP_PKEY	*pkey;
	uint8_t		*cert;		/* DER; NULL: loaded without one */
	size_t		 certlen;
};

/* The first certificate of a PEM file as DER in *der (free it). */
static int
cert_der_load(const char *path, uint8_t **der, size_t *len,
    struct sp_err *err)
{
	X509		*x;
	unsigned char	*p = NULL;
	int		 n;

	if ((x = cert_load(path, err)) == NULL)
		return -1;
	n = i2d_X509(x, &p);
	X509_free(x);
	if (n <= 0)
		return sp_errf(err, SPE_CERT, "%s: cannot encode the "
		    "certificate (%s)", path, ossl_msg());
	*der = xmalloc((size_t)n);
	memcpy(*der, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	return 0;
}

struct trust_key *
trust_key_load(const char *key, const char *cert, struct sp_err *err)
{
	struct trust_key	*k;
	struct buf		 b;
	BIO			*bio;
	EVP_PKEY		*pkey = NULL;

	if (util_read_file(key, KEY_MAX, &b, err) == -1)
		return NULL;
	if ((bio = BIO_new_mem_buf(b.data, (int)b.len)) != NULL) {
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
		BIO_free(bio);
	}
	buf_wipe(&b);		/* the only copy of the key bytes */
	if (pkey == NULL) {
		sp_errf(err, SPE_CERT, "%s: not an unencrypted PEM private key "
		    "(%s)", key, ossl_msg());
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	if (cert != NULL &&
	    cert_der_load(cert, &k->cert, &k->certlen, err) == -1) {
		trust_key_free(k);
		return NULL;
	}
	return k;
}

void
trust_key_free(struct trust_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->cert);
	free(k);
}

struct evp_pkey_st *
trust_key_pkey(const struct trust_key *k)
{
	return k->pkey;
}

const uint8_t *
trust_key_cert(const struct trust_key *k, size_t *len)
{
	*len = k->certlen;
	return k->cert;
}

/* ---- the node's own files ------------------------------------------------ */

int
trust_check_node(const char *cert, const char *key, const char *ca,
    const char *crl, const char *code, int64_t at,
    struct trust_certinfo *info, struct sp_err *err)
{
	X509		*x = NULL, *cax = NULL;
	X509_CRL	*c = NULL;
	struct trust_key *k = NULL;
	int		 rc = -1, rev;

	if ((x = cert_load(cert, err)) == NULL ||
	    (cax = cert_load(ca, err)) == NULL ||
	    (crl != NULL && (c = crl_load(crl, err)) == NULL) ||
	    (k = trust_key_load(key, NULL, err)) == NULL)
		goto out;
	if (chain_ok(x, cax, at, SPE_CERT, err) == -1)
		goto out;
	if (c != NULL && (rev = revoked(x, cax, c, at, err)) != 0) {
		if (rev == 1)
			sp_errf(err, SPE_CERT, "certificate is revoked by the "
			    "CRL");
		goto out;
	}
	cert_info(x, info);
	if (strcmp(info->cn, code) != 0) {
		sp_errf(err, SPE_CERT, "certificate CN is '%s', not the node "
		    "code %s", info->cn, code);
		goto out;
	}
	if (X509_check_private_key(x, k->pkey) != 1) {
		ERR_clear_error();
		sp_errf(err, SPE_CERT, "%s is not the key of %s", key, cert);
		goto out;
	}
	rc = 0;
out:
	trust_key_free(k);
	X509_CRL_free(c);
	X509_free(cax);
	X509_free(x);
	return rc;
}

/* ---- the trust store for signed documents ------------------------------ */

struct trust {
	X509		*ca;
	X509_CRL	*crl;		/* NULL: no revocation list given */
	uint8_t		*ca_pem;	/* for dsig.c's xmlsec keys manager */
	size_t		 ca_len;
};

struct trust *
trust_load(const char *ca, const char *crl, struct sp_err *err)
{
	struct trust	*t;
	struct buf	 b;

	t = xcalloc(1, sizeof(*t));
	if ((t->ca = cert_load(ca, err)) == NULL ||
	    (crl != NULL && (t->crl = crl_load(crl, err)) == NULL))
		goto fail;
	if (t->crl != NULL &&
	    X509_CRL_verify(t->crl, X509_get0_pubkey(t->ca)) != 1) {
		ERR_clear_error();
		sp_errf(err, SPE_CERT, "%s is not signed by the CA %s", crl,
		    ca);
		goto fail;
	}
	if (util_read_file(ca, PEM_MAX, &b, err) == -1)
		goto fail;
	t->ca_pem = buf_release(&b, &t->ca_len);
	return t;
fail:
	trust_free(t);
	return NULL;
}

void
trust_free(struct trust *t)
{
	if (t == NULL)
		return;
	X509_free(t->ca);
	X509_CRL_free(t->crl);
	free(t->ca_pem);
	free(t);
}

const uint8_t *
trust_ca_pem(const struct trust *t, size_t *len)
{
	*len = t->ca_len;
	return t->ca_pem;
}

/*
 * What a node's signing certificate must be beyond its chain (notes §5,
 * S14): an end entity (CA:FALSE), allowed to sign (digitalSignature when
 * keyUsage is present), with an RSA key of at least 2048 bits or an EC
 * P-256 key.
 */
static int
signer_profile(X509 *x, const struct trust_certinfo *info,
    struct sp_err *err)
{
	EVP_PKEY	*k = X509_get0_pubkey(x);

	if (X509_check_ca(x) != 0)
		return sp_errf(err, SPE_SIGNER, "the signer certificate is a "
		    "CA certificate");
	if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE))
		return sp_errf(err, SPE_SIGNER, "the signer certificate may "
		    "not sign (no digitalSignature key usage)");
	if (k == NULL || !((EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA &&
	    EVP_PKEY_get_bits(k) >= 2048) ||
	    strcmp(info->key_type, "EC-P-256") == 0))
		return sp_errf(err, SPE_SIGNER, "the signer key is %s: RSA of "
		    "2048 bits or more, or EC P-256 only", info->key_type);
	return 0;
}

/* A CRL past its next update is stale: refuse rather than trust it. */
static int
crl_fresh(X509_CRL *crl, int64_t at, struct sp_err *err)
{
	const ASN1_TIME	*next = X509_CRL_get0_nextUpdate(crl);
	char		 when[UTIL_TIME_LEN];

	if (next == NULL || asn1_time(next) >= at)
		return 0;
	util_time_format(asn1_time(next), 0, when);
	return sp_errf(err, SPE_SIGNER, "the CRL is stale (next update was "
	    "due %s): get a fresh one", when);
}

int
trust_check_signer(const struct trust *t, const uint8_t *der, size_t len,
    const char *code, int64_t at, struct trust_certinfo *info,
    struct sp_err *err)
{
	const unsigned char	*p = der;
	X509			*x;
	int			 rc = -1, rev;
	char			 when[UTIL_TIME_LEN];

	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		ERR_clear_error();
		sp_errf(err, SPE_SIGNER, "the signer certificate is not DER");
		goto out;
	}
	if (chain_ok(x, t->ca, at, SPE_SIGNER, err) == -1)
		goto out;
	if (t->crl != NULL && crl_fresh(t->crl, at, err) == -1)
		goto out;
	if (t->crl != NULL &&
	    (rev = revoked(x, t->ca, t->crl, at, err)) != 0) {
		if (rev == 1) {
			util_time_format(at, 0, when);
			sp_errf(err, SPE_SIGNER, "the signer certificate is "
			    "revoked by the CRL as of %s", when);
		}
		goto out;
	}
	cert_info(x, info);
	if (signer_profile(x, info, err) == -1)
		goto out;
	if (strcmp(info->cn, code) != 0) {
		sp_errf(err, SPE_SIGNER, "signed by %s, not by %s",
		    info->cn, code);
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	return rc;
}

/* ---- CRL distribution ---------------------------------------------------- */

static void
crl_info(X509_CRL *crl, struct trust_crlinfo *info)
{
	ASN1_INTEGER	*num;
	BIGNUM		*bn;
	char		*dec;

	memset(info, 0, sizeof(*info));
	info->last = asn1_time(X509_CRL_get0_lastUpdate(crl));
	if (X509_CRL_get0_nextUpdate(crl) != NULL)
		info->next = asn1_time(X509_CRL_get0_nextUpdate(crl));
	if ((num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL)) ==
	    NULL)
		return;
	if ((bn = ASN1_INTEGER_to_BN(num, NULL)) != NULL &&
	    (dec = BN_bn2dec(bn)) != NULL) {
		snprintf(info->number, sizeof(info->number), "%s", dec);
		OPENSSL_free(dec);
	}
	BN_free(bn);
	ASN1_INTEGER_free(num);
}

int
trust_crl_info(const char *path, struct trust_crlinfo *info,
    struct sp_err *err)
{
	X509_CRL	*crl;

	if ((crl = crl_load(path, err)) == NULL)
		return -1;
	crl_info(crl, info);
	X509_CRL_free(crl);
	return 0;
}

/* Compare two CRL numbers in decimal: longer is larger, then by bytes. */
static int
number_cmp(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

int
trust_crl_newer(const char *ca, const char *cur, const uint8_t *pem,
    size_t len, struct trust_crlinfo *info, struct sp_err *err)
{
	struct trust_crlinfo	 old;
	struct sp_err		 e2 = { 0 };
	X509			*cax = NULL;
	X509_CRL		*crl = NULL;
	BIO			*bio = NULL;
	int			 rc = -1;

	if ((cax = cert_load(ca, err)) == NULL)
		goto out;
	if (len > PEM_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) == NULL) {
		sp_errf(err, SPE_CERT, "the hub's CRL is not a PEM CRL (%s)",
		    ossl_msg());
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(cax)) != 0 ||
	    X509_CRL_verify(crl, X509_get0_pubkey(cax)) != 1) {
		ERR_clear_error();
		sp_errf(err, SPE_CERT, "the hub's CRL is not issued and signed "
		    "by the CA %s", ca);
		goto out;
	}
	crl_info(crl, info);
	if (cur == NULL || trust_crl_info(cur, &old, &e2) == -1)
		rc = 1;		/* none held or unreadable: take this one */
	else if (info->number[0] != '\0' && old.number[0] != '\0')
		rc = number_cmp(info->number, old.number) > 0;
	else
		rc = info->last > old.last;
	sp_err_clear(&e2);
out:
	BIO_free(bio);
	X509_CRL_free(crl);
	X509_free(cax);
	return rc;
}
