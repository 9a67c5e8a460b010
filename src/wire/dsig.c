/*
 * dsig.c: XMLDSig with xmlsec (xmlsec1-openssl), restricted to the one
 * shape of DESIGN §4.  It owns:
 *
 *  - signing a document (dsig_sign) with the node's key, which it borrows
 *    from trust.c for the call;
 *  - verifying one (dsig_verify), in this order, each step refusing on its
 *    own (notes §3.3-3.5):
 *      1. exactly one ds:Signature in the whole document, and it is the
 *         root's last element child (signature wrapping, second signature);
 *      2. the exact shape, checked by our own walk before xmlsec sees it:
 *         SignedInfo = exc-c14n, RSA-SHA256 or ECDSA-SHA256, one Reference
 *         URI="" with exactly enveloped + exc-c14n and SHA-256; KeyInfo =
 *         one X509Data with one X509Certificate; nothing else (no Object,
 *         Manifest, KeyValue, RetrievalMethod, InclusiveNamespaces);
 *      3. the certificate judged by trust.c at the trusted time (chain,
 *         validity, CRL by date, CN = signer);
 *      4. xmlsec with the same restrictions (URI types, transform
 *         allow-lists, X509 key data only, the CA as the only trusted
 *         certificate, verification time): rc AND status;
 *      5. the bytes xmlsec digested equal our own exc-c14n of the document
 *         without its Signature, and the key xmlsec used is the
 *         certificate of step 3.  With comments and PIs refused by
 *         batch_parse(), the tree the accessors read is then exactly what
 *         was signed.
 *
 * It does not parse documents (batch.c), nor read keys or judge
 * certificates (trust.c): it calls trust.c, which never calls it.
 * Never copied from xmlsec's examples: the global
 * xmlSubstituteEntitiesDefault(1) / xmlLoadExtDtdDefaultValue lines.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/errors.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "wire/batch.h"
#include "wire/dsig.h"
#include "wire/trust.h"

#define DS_NS		"http://www.w3.org/2000/09/xmldsig#"
#define ALG_EXC_C14N	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define ALG_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_RSA_SHA256	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
#define ALG_EC_SHA256	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define CERT_MAX	(64 * 1024)

static int	 initialised;
static char	 sec_msg[200];		/* first xmlsec message */

/*
 * The keys manager for verification, kept for the CA it was made for:
 * making one costs more than verifying a 1 MiB batch, because xmlsec's
 * OpenSSL store loads the system's default trust paths
 * (X509_STORE_set_default_paths).  Those system CAs are why step 3 judges
 * the KeyInfo certificate against the federation CA alone, and step 5
 * checks that xmlsec used that very certificate.
 */
static xmlSecKeysMngrPtr	 mngr_cache;
static uint8_t			*mngr_ca;	/* the CA PEM it trusts */
static size_t			 mngr_calen;

/* Keep xmlsec's first message of an operation; never print. */
static void
keep_sec_error(const char *file, int line, const char *func,
    const char *obj, const char *subj, int reason, const char *msg)
{
	(void)file; (void)line; (void)obj; (void)reason;
	if (sec_msg[0] != '\0')
		return;
	snprintf(sec_msg, sizeof(sec_msg), "%s: %s%s%s", func ? func : "?",
	    subj ? subj : "", subj ? ": " : "", msg ? msg : "");
}

static const char *
take_sec_msg(void)
{
	static char	 msg[sizeof(sec_msg)];

	snprintf(msg, sizeof(msg), "%s", sec_msg[0] ? sec_msg : "no detail");
	sec_msg[0] = '\0';
	return msg;
}

int
dsig_init(struct sp_err *err)
{
	if (initialised)
		return 0;
	if (batch_init(err) == -1)
		return -1;
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
	    xmlSecOpenSSLAppInit(NULL) < 0 || xmlSecOpenSSLInit() < 0)
		return sp_errf(err, SPE_INTERNAL, "xmlsec cannot start");
	xmlSecErrorsSetCallback(keep_sec_error);
	initialised = 1;
	return 0;
}

void
dsig_shutdown(void)
{
	if (!initialised)
		return;
	if (mngr_cache != NULL)
		xmlSecKeysMngrDestroy(mngr_cache);
	free(mngr_ca);
	mngr_cache = NULL;
	mngr_ca = NULL;
	mngr_calen = 0;
	xmlSecOpenSSLShutdown();
	xmlSecOpenSSLAppShutdown();
	xmlSecShutdown();
	initialised = 0;
}

/* ---- the signing key ---------------------------------------------------- */

/*
 * An xmlsec key for one signature: the node's EVP_PKEY (one more
 * reference) with its certificate, which goes into KeyInfo.  Made for each
 * signature, as the xmlSecKeyDuplicate() that a kept key would need costs
 * the same.  Destroy with xmlSecKeyDestroy().
 */
static xmlSecKeyPtr
sign_key(const struct trust_key *key, struct sp_err *err)
{
	EVP_PKEY		*pkey = trust_key_pkey(key);
	xmlSecKeyDataPtr	 data;
	xmlSecKeyPtr		 k;
	const uint8_t		*der;
	size_t			 len;

	if ((der = trust_key_cert(key, &len)) == NULL) {
		sp_errf(err, SPE_CERT, "no certificate with the key");
		return NULL;
	}
	if (EVP_PKEY_up_ref(pkey) != 1) {
		sp_errf(err, SPE_INTERNAL, "cannot reference the key");
		return NULL;
	}
	if ((data = xmlSecOpenSSLEvpKeyAdopt(pkey)) == NULL) {
		EVP_PKEY_free(pkey);
		sp_errf(err, SPE_INTERNAL, "xmlsec: %s", take_sec_msg());
		return NULL;
	}
	if ((k = xmlSecKeyCreate()) == NULL ||
	    xmlSecKeySetValue(k, data) < 0) {
		xmlSecKeyDataDestroy(data);
		if (k != NULL)
			xmlSecKeyDestroy(k);
		sp_errf(err, SPE_INTERNAL, "xmlsec: %s", take_sec_msg());
		return NULL;
	}
	if (xmlSecOpenSSLAppKeyCertLoadMemory(k, der, len,
	    xmlSecKeyDataFormatDer) < 0) {
		xmlSecKeyDestroy(k);
		sp_errf(err, SPE_CERT, "the key's certificate: %s",
		    take_sec_msg());
		return NULL;
	}
	return k;
}

/* ---- signing ------------------------------------------------------------ */

/* The signature method for a key: RSA-SHA256 or ECDSA-P256-SHA256 only. */
static xmlSecTransformId
method_for(EVP_PKEY *pkey, struct sp_err *err)
{
	char	 group[32];
	size_t	 glen;

	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		return xmlSecTransformRsaSha256Id;
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(pkey, "group", group,
	    sizeof(group), &glen) == 1 && strcmp(group, "prime256v1") == 0)
		return xmlSecTransformEcdsaSha256Id;
	sp_errf(err, SPE_CERT, "the key is neither RSA nor EC P-256");
	return xmlSecTransformIdUnknown;
}

static xmlNodePtr
add_template(xmlDocPtr doc, xmlSecTransformId method,
    const struct dsig_variant *v)
{
	xmlNodePtr		 sig, ref, t;
	xmlSecTransformId	 digest = xmlSecTransformSha256Id;
	int			 i, nrefs;

	if (v != NULL && v->digest != NULL && strcmp(v->digest, "sha1") == 0)
		digest = xmlSecTransformSha1Id;
	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformExclC14NId,
	    method, NULL, (const xmlChar *)"ds");
	if (sig == NULL)
		return NULL;
	xmlAddChild(xmlDocGetRootElement(doc), sig);
	nrefs = (v != NULL && v->nrefs > 1) ? v->nrefs : 1;
	for (i = 0; i < nrefs; i++) {
		ref = xmlSecTmplSignatureAddReference(sig, digest, NULL,
		    (const xmlChar *)"", NULL);
		if (ref == NULL ||
		    xmlSecTmplReferenceAddTransform(ref,
		    xmlSecTransformEnvelopedId) == NULL)
			return NULL;
		if (v != NULL && v->transform != NULL &&
		    strcmp(v->transform, "c14n-comments") == 0)
			t = xmlSecTmplReferenceAddTransform(ref,
			    xmlSecTransformExclC14NWithCommentsId);
		else if (v != NULL && v->transform != NULL &&
		    strcmp(v->transform, "xpath") == 0) {
			t = xmlSecTmplReferenceAddTransform(ref,
			    xmlSecTransformXPathId);
			if (t != NULL && xmlSecTmplTransformAddXPath(t,
			    (const xmlChar *)"true()", NULL) < 0)
				return NULL;
			t = xmlSecTmplReferenceAddTransform(ref,
			    xmlSecTransformExclC14NId);
		} else
			t = xmlSecTmplReferenceAddTransform(ref,
			    xmlSecTransformExclC14NId);
		if (t == NULL)
			return NULL;
	}
	t = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	if (t == NULL || (t = xmlSecTmplKeyInfoAddX509Data(t)) == NULL ||
	    xmlSecTmplX509DataAddCertificate(t) == NULL)
		return NULL;
	return sig;
}

int
dsig_sign_variant(const struct batch *in, const struct trust_key *key,
    const struct dsig_variant *v, struct batch **out, struct sp_err *err)
{
	struct batch_limits	 lim;
	xmlDocPtr		 doc = NULL;
	xmlNodePtr		 sig;
	xmlSecDSigCtxPtr	 ctx = NULL;
	xmlSecKeyPtr		 skey;
	xmlSecTransformId	 method;
	xmlChar			*mem = NULL;
	int			 len = 0, rc = -1;

	*out = NULL;
	if (dsig_init(err) == -1)
		return -1;
	sec_msg[0] = '\0';
	if ((skey = sign_key(key, err)) == NULL)
		return -1;
	if ((method = method_for(trust_key_pkey(key), err)) ==
	    xmlSecTransformIdUnknown)
		goto out;
	if (v != NULL && v->method != NULL)
		method = strcmp(v->method, "rsa-sha1") == 0 ?
		    xmlSecTransformRsaSha1Id : xmlSecTransformEcdsaSha1Id;
	if ((doc = xmlCopyDoc(batch_xml(in), 1)) == NULL ||
	    (sig = add_template(doc, method, v)) == NULL ||
	    (ctx = xmlSecDSigCtxCreate(NULL)) == NULL) {
		sp_errf(err, SPE_INTERNAL, "cannot sign: %s", take_sec_msg());
		goto out;
	}
	ctx->signKey = skey;		/* the context destroys it */
	skey = NULL;
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		sp_errf(err, SPE_INTERNAL, "cannot sign: %s", take_sec_msg());
		goto out;
	}
	xmlDocDumpMemoryEnc(doc, &mem, &len, "UTF-8");
	if (mem == NULL || len <= 0) {
		sp_errf(err, SPE_INTERNAL, "libxml2: cannot serialize");
		goto out;
	}
	batch_limits_default(&lim);
	if (batch_parse(mem, (size_t)len, &lim, out, err) == -1 ||
	    batch_validate(*out, err) == -1) {
		batch_free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	xmlFree(mem);
	if (skey != NULL)
		xmlSecKeyDestroy(skey);
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	xmlFreeDoc(doc);
	return rc;
}

int
dsig_sign(const struct batch *in, const struct trust_key *key,
    struct batch **out, struct sp_err *err)
{
	return dsig_sign_variant(in, key, NULL, out, err);
}

/* ---- verification: step 1, placement ----------------------------------- */

static int
is_ds(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, DS_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

static size_t
count_signatures(xmlNodePtr n)
{
	size_t		 c = 0;
	xmlNodePtr	 k;

	for (k = n; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is_ds(k, "Signature"))
			c++;
		c += count_signatures(k->children);
	}
	return c;
}

static xmlNodePtr
find_signature(xmlDocPtr doc, struct sp_err *err)
{
	xmlNodePtr	 root = xmlDocGetRootElement(doc), last = NULL, k;
	size_t		 n;

	if ((n = count_signatures(root)) != 1)
		return sp_errf(err, SPE_SIGNATURE, "the document has %zu "
		    "ds:Signature elements, not one", n), NULL;
	for (k = root->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			last = k;
	if (last == NULL || !is_ds(last, "Signature"))
		return sp_errf(err, SPE_SIGNATURE, "the ds:Signature is not "
		    "the last child of the root"), NULL;
	return last;
}

/* ---- step 2, shape ------------------------------------------------------ */

static int
blank(const xmlChar *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/*
 * The element children of n are exactly names[0..n-1] in the ds namespace,
 * with only blank text between them.  Fills kids[].
 */
static int
expect(xmlNodePtr n, const char *const *names, size_t nnames,
    xmlNodePtr *kids, struct sp_err *err)
{
	xmlNodePtr	 k;
	size_t		 i = 0;

	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_TEXT_NODE && blank(k->content))
			continue;
		if (k->type != XML_ELEMENT_NODE)
			return sp_errf(err, SPE_SIGNATURE, "unexpected content "
			    "in ds:%s", (const char *)n->name);
		if (i == nnames || !is_ds(k, names[i]))
			return sp_errf(err, SPE_SIGNATURE, "ds:%s holds "
			    "<%.40s> where %s%s is expected",
			    (const char *)n->name, (const char *)k->name,
			    i == nnames ? "nothing" : "ds:",
			    i == nnames ? "" : names[i]);
		kids[i++] = k;
	}
	if (i != nnames)
		return sp_errf(err, SPE_SIGNATURE, "ds:%s lacks ds:%s",
		    (const char *)n->name, names[i]);
	return 0;
}

/* An Algorithm attribute equal to one of the allowed, and no children. */
static int
algorithm(xmlNodePtr n, const char *a, const char *b, struct sp_err *err)
{
	xmlChar	*v;
	int	 ok;

	v = xmlGetNoNsProp(n, (const xmlChar *)"Algorithm");
	ok = v != NULL && (strcmp((const char *)v, a) == 0 ||
	    (b != NULL && strcmp((const char *)v, b) == 0));
	if (!ok)
		sp_errf(err, SPE_SIGNATURE, "ds:%s Algorithm %.80s is not "
		    "allowed", (const char *)n->name,
		    v ? (const char *)v : "(none)");
	xmlFree(v);
	if (!ok)
		return -1;
	if (xmlFirstElementChild(n) != NULL)
		return sp_errf(err, SPE_SIGNATURE, "ds:%s has parameters",
		    (const char *)n->name);
	return 0;
}

static const char *const sig_kids[] =
    { "SignedInfo", "SignatureValue", "KeyInfo" };
static const char *const si_kids[] =
    { "CanonicalizationMethod", "SignatureMethod", "Reference" };
static const char *const ref_kids[] =
    { "Transforms", "DigestMethod", "DigestValue" };
static const char *const tr_kids[] = { "Transform", "Transform" };
static const char *const ki_kids[] = { "X509Data" };
static const char *const xd_kids[] = { "X509Certificate" };

/*
 * The exact shape.  On success *method is the SignatureMethod URI
 * (xmlFree it) and *certnode the X509Certificate element.
 */
static int
check_shape(xmlNodePtr sig, xmlChar **method, xmlNodePtr *certnode,
    struct sp_err *err)
{
	xmlNodePtr	 s[3], si[3], ref[3], tr[2], ki[1], xd[1];
	xmlChar		*uri;
	int		 ok;

	if (expect(sig, sig_kids, 3, s, err) == -1 ||
	    expect(s[0], si_kids, 3, si, err) == -1 ||
	    algorithm(si[0], ALG_EXC_C14N, NULL, err) == -1 ||
	    algorithm(si[1], ALG_RSA_SHA256, ALG_EC_SHA256, err) == -1 ||
	    expect(si[2], ref_kids, 3, ref, err) == -1 ||
	    expect(ref[0], tr_kids, 2, tr, err) == -1 ||
	    algorithm(tr[0], ALG_ENVELOPED, NULL, err) == -1 ||
	    algorithm(tr[1], ALG_EXC_C14N, NULL, err) == -1 ||
	    algorithm(ref[1], ALG_SHA256, NULL, err) == -1 ||
	    expect(s[2], ki_kids, 1, ki, err) == -1 ||
	    expect(ki[0], xd_kids, 1, xd, err) == -1)
		return -1;
	uri = xmlGetNoNsProp(si[2], (const xmlChar *)"URI");
	ok = uri != NULL && uri[0] == '\0';
	xmlFree(uri);
	if (!ok)
		return sp_errf(err, SPE_SIGNATURE, "the ds:Reference URI is "
		    "not \"\"");
	*method = xmlGetNoNsProp(si[1], (const xmlChar *)"Algorithm");
	*certnode = xd[0];
	return 0;
}

/* ---- step 3, the certificate ------------------------------------------- */

/* Base64 text of the X509Certificate into DER; caller frees *der. */
static int
cert_der(xmlNodePtr n, uint8_t **der, size_t *len, struct sp_err *err)
{
	xmlChar		*text;
	char		*clean;
	size_t		 i, j, pad = 0;
	int		 n64;

	*der = NULL;
	if ((text = xmlNodeGetContent(n)) == NULL)
		return sp_errf(err, SPE_SIGNATURE, "empty X509Certificate");
	clean = xmalloc(strlen((const char *)text) + 1);
	for (i = j = 0; text[i] != '\0'; i++)
		if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' &&
		    text[i] != '\t')
			clean[j++] = (char)text[i];
	clean[j] = '\0';
	xmlFree(text);
	if (j == 0 || j % 4 != 0 || j > CERT_MAX) {
		free(clean);
		return sp_errf(err, SPE_SIGNATURE, "X509Certificate is not "
		    "base64 of a certificate");
	}
	pad = (clean[j - 1] == '=') + (j > 1 && clean[j - 2] == '=');
	*der = xmalloc(j / 4 * 3);
	n64 = EVP_DecodeBlock(*der, (unsigned char *)clean, (int)j);
	free(clean);
	if (n64 < 0 || (size_t)n64 < pad) {
		free(*der);
		*der = NULL;
		return sp_errf(err, SPE_SIGNATURE, "X509Certificate is not "
		    "base64");
	}
	*len = (size_t)n64 - pad;
	return 0;
}

/* SignatureMethod agrees with the certificate's key type. */
static int
method_fits(const xmlChar *method, const struct trust_certinfo *ci,
    struct sp_err *err)
{
	int	 rsa = strncmp(ci->key_type, "RSA-", 4) == 0;
	int	 ec = strcmp(ci->key_type, "EC-P-256") == 0;

	if ((rsa && strcmp((const char *)method, ALG_RSA_SHA256) == 0) ||
	    (ec && strcmp((const char *)method, ALG_EC_SHA256) == 0))
		return 0;
	return sp_errf(err, SPE_SIGNATURE, "SignatureMethod %s does not fit "
	    "the %s key", (const char *)method, ci->key_type);
}

/* ---- steps 4 and 5, xmlsec and the signed bytes ---------------------- */

static xmlSecDSigCtxPtr
verify_ctx(xmlSecKeysMngrPtr mngr, int64_t at)
{
	xmlSecDSigCtxPtr	 ctx;

	if ((ctx = xmlSecDSigCtxCreate(mngr)) == NULL)
		return NULL;
	ctx->flags |= XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES |
	    XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
	ctx->keyInfoReadCtx.certsVerificationTime = (time_t)at;
	if (xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformEcdsaSha256Id) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx,
	    xmlSecTransformRsaSha256Id) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformEnvelopedId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformExclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx,
	    xmlSecTransformSha256Id) < 0 ||
	    xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
	    (xmlSecPtr)xmlSecOpenSSLKeyDataX509Id) < 0) {
		xmlSecDSigCtxDestroy(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * Our own exc-c14n of the document without its Signature: take the
 * Signature out, canonicalize, and put it back where it was (cheaper than
 * copying a 1 MiB tree).
 */
static int
own_c14n(xmlDocPtr doc, xmlNodePtr sig, xmlChar **out, int *len)
{
	xmlNodePtr	 parent = sig->parent, prev = sig->prev, next = sig->next;

	xmlUnlinkNode(sig);
	*len = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL,
	    0, out);
	if (next != NULL)
		xmlAddPrevSibling(next, sig);
	else if (prev != NULL)
		xmlAddNextSibling(prev, sig);
	else
		xmlAddChild(parent, sig);
	return *len < 0 ? -1 : 0;
}

static int
check_signed_bytes(xmlSecDSigCtxPtr ctx, xmlDocPtr doc, xmlNodePtr sig,
    const uint8_t *der, size_t derlen, struct sp_err *err)
{
	xmlSecDSigReferenceCtxPtr	 ref;
	xmlSecBufferPtr			 pre;
	xmlSecKeyDataPtr		 x509;
	X509				*used;
	unsigned char			*udr = NULL;
	xmlChar				*mine = NULL;
	int				 mlen = 0, ulen, same;

	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
		return sp_errf(err, SPE_SIGNATURE, "not exactly one reference "
		    "was verified");
	ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
	if (ref == NULL || (ref->uri != NULL && ref->uri[0] != '\0') ||
	    (pre = xmlSecDSigReferenceCtxGetPreDigestBuffer(ref)) == NULL)
		return sp_errf(err, SPE_SIGNATURE, "the verified reference "
		    "is not URI=\"\"");
	if (own_c14n(doc, sig, &mine, &mlen) == -1)
		return sp_errf(err, SPE_INTERNAL, "cannot canonicalize");
	same = (size_t)mlen == xmlSecBufferGetSize(pre) &&
	    memcmp(mine, xmlSecBufferGetData(pre), (size_t)mlen) == 0;
	xmlFree(mine);
	if (!same)
		return sp_errf(err, SPE_SIGNATURE, "the signed bytes are not "
		    "the document's canonical form");
	if (ctx->signKey == NULL || (x509 = xmlSecKeyGetData(ctx->signKey,
	    xmlSecOpenSSLKeyDataX509Id)) == NULL ||
	    (used = xmlSecOpenSSLKeyDataX509GetKeyCert(x509)) == NULL ||
	    (ulen = i2d_X509(used, &udr)) < 0)
		return sp_errf(err, SPE_SIGNATURE, "xmlsec used no "
		    "certificate");
	same = (size_t)ulen == derlen && memcmp(udr, der, derlen) == 0;
	OPENSSL_free(udr);
	if (!same)
		return sp_errf(err, SPE_SIGNATURE, "xmlsec used another key "
		    "than the KeyInfo certificate");
	return 0;
}

/* A keys manager trusting exactly the store's CA (cached, see above). */
static xmlSecKeysMngrPtr
verify_mngr(const struct trust *trust)
{
	xmlSecKeysMngrPtr	 mngr;
	const uint8_t		*ca;
	size_t			 calen;

	ca = trust_ca_pem(trust, &calen);
	if (mngr_cache != NULL && calen == mngr_calen &&
	    memcmp(ca, mngr_ca, calen) == 0)
		return mngr_cache;
	if ((mngr = xmlSecKeysMngrCreate()) == NULL)
		return NULL;
	if (xmlSecOpenSSLAppDefaultKeysMngrInit(mngr) < 0 ||
	    xmlSecOpenSSLAppKeysMngrCertLoadMemory(mngr, ca, calen,
	    xmlSecKeyDataFormatPem, xmlSecKeyDataTypeTrusted) < 0) {
		xmlSecKeysMngrDestroy(mngr);
		return NULL;
	}
	if (mngr_cache != NULL)
		xmlSecKeysMngrDestroy(mngr_cache);
	free(mngr_ca);
	mngr_cache = mngr;
	mngr_ca = xmalloc(calen);
	memcpy(mngr_ca, ca, calen);
	mngr_calen = calen;
	return mngr;
}

static int
run_xmlsec(xmlDocPtr doc, xmlNodePtr sig, const struct trust *trust,
    int64_t at, const uint8_t *der, size_t derlen, struct sp_err *err)
{
	xmlSecKeysMngrPtr	 mngr;
	xmlSecDSigCtxPtr	 ctx = NULL;
	int			 rc = -1;

	sec_msg[0] = '\0';
	if ((mngr = verify_mngr(trust)) == NULL ||
	    (ctx = verify_ctx(mngr, at)) == NULL) {
		sp_errf(err, SPE_INTERNAL, "xmlsec: %s", take_sec_msg());
		goto out;
	}
	if (xmlSecDSigCtxVerify(ctx, sig) < 0) {
		sp_errf(err, SPE_SIGNATURE, "refused by xmlsec: %s",
		    take_sec_msg());
		goto out;
	}
	if (ctx->status != xmlSecDSigStatusSucceeded) {
		sp_errf(err, SPE_SIGNATURE, "the signature does not match the "
		    "document");
		goto out;
	}
	rc = check_signed_bytes(ctx, doc, sig, der, derlen, err);
out:
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	sec_msg[0] = '\0';
	return rc;
}

int
dsig_verify(const struct batch *b, const struct trust *trust, int64_t at,
    struct trust_certinfo *signer, struct sp_err *err)
{
	xmlDocPtr		 doc = batch_xml(b);
	xmlNodePtr		 sig, certnode = NULL;
	xmlChar			*method = NULL;
	struct trust_certinfo	 ci;
	uint8_t			*der = NULL;
	size_t			 derlen = 0;
	int			 rc = -1;

	if (dsig_init(err) == -1)
		return -1;
	if ((sig = find_signature(doc, err)) == NULL ||
	    check_shape(sig, &method, &certnode, err) == -1 ||
	    cert_der(certnode, &der, &derlen, err) == -1 ||
	    trust_check_signer(trust, der, derlen, batch_signer(b), at, &ci,
	    err) == -1 ||
	    method_fits(method, &ci, err) == -1 ||
	    run_xmlsec(doc, sig, trust, at, der, derlen, err) == -1)
		goto out;
	if (signer != NULL)
		*signer = ci;
	rc = 0;
out:
	xmlFree(method);
	free(der);
	return rc;
}
