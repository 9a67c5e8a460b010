/*
 * tls.c: the OpenSSL side of mutual TLS.  It owns the protocol floor (TLS
 * 1.2), the trust anchors (the federation CA only, plus its CRL), the
 * session id context that client-certificate resumption needs
 * (notes/libraries.md §1.2.4), and the client's check that the server is the
 * node it meant (CN = the peer's code).  It does not decide which nodes are
 * enrolled (the server's handlers do) and never reads key bytes (trust.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/err.h"
#include "net/tls.h"
#include "wire/trust.h"
#include "core/xmalloc.h"

struct tls_ctx {
	SSL_CTX			*ctx;
	X509			*cert;		/* ours, for client contexts */
	STACK_OF(X509)		*chain;		/* its intermediates */
	const struct trust_key	*key;
	char			*ca;
	char			*crl;
};

/* SSL_CTX ex_data slot holding the CN a client context expects. */
static int	 expect_idx = -1;
/* SSL ex_data slot holding a connection's close hook. */
static int	 hook_idx = -1;

struct close_hook {
	void	(*fn)(void *);
	void	*arg;
};

static int
ossl_fail(struct sp_err *err, const char *what)
{
	unsigned long	 e = ERR_peek_last_error();
	char		 msg[160] = "no detail";

	if (e != 0)
		ERR_error_string_n(e, msg, sizeof(msg));
	ERR_clear_error();
	return sp_errf(err, SPE_CERT, "%s: %s", what, msg);
}

static void
expect_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	free(ptr);
}

static void
hook_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct close_hook	*h = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (h == NULL)
		return;
	h->fn(h->arg);
	free(h);
}

/* The CA and, if given, the CRL, checked on every handshake. */
static int
load_trust(SSL_CTX *ctx, const char *ca, const char *crl, struct sp_err *err)
{
	X509_STORE	*st = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP	*lu;

	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		return ossl_fail(err, ca);
	if (crl != NULL && *crl != '\0') {
		if ((lu = X509_STORE_add_lookup(st, X509_LOOKUP_file())) ==
		    NULL || X509_load_crl_file(lu, crl, X509_FILETYPE_PEM) < 1)
			return ossl_fail(err, crl);
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	return 0;
}

/*
 * The CA and CRL files again, into a fresh store: a CRL the syncer
 * installed is checked from the next handshake on.  Connections already
 * up keep the store they were verified with.
 */
int
tls_reload(struct tls_ctx *t, struct sp_err *err)
{
	X509_STORE	*st;
	X509_LOOKUP	*lu;

	if ((st = X509_STORE_new()) == NULL ||
	    X509_STORE_load_file(st, t->ca) != 1) {
		X509_STORE_free(st);
		return ossl_fail(err, t->ca);
	}
	if (t->crl != NULL && *t->crl != '\0') {
		if ((lu = X509_STORE_add_lookup(st, X509_LOOKUP_file())) ==
		    NULL || X509_load_crl_file(lu, t->crl, X509_FILETYPE_PEM) <
		    1) {
			X509_STORE_free(st);
			return ossl_fail(err, t->crl);
		}
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	SSL_CTX_set_cert_store(t->ctx, st);	/* frees the old one */
	return 0;
}

static struct tls_ctx *
ctx_new(const SSL_METHOD *method, const char *cert,
    const struct trust_key *key, const char *ca, const char *crl,
    struct sp_err *err)
{
	struct tls_ctx	*t = xcalloc(1, sizeof(*t));
	BIO		*bio = NULL;
	X509		*x;

	t->key = key;
	t->ca = xstrdup(ca);
	t->crl = crl != NULL ? xstrdup(crl) : NULL;
	if ((t->ctx = SSL_CTX_new(method)) == NULL) {
		ossl_fail(err, "SSL_CTX_new");
		goto bad;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(t->ctx, trust_key_pkey(key)) != 1 ||
	    SSL_CTX_check_private_key(t->ctx) != 1) {
		ossl_fail(err, cert);
		goto bad;
	}
	if (load_trust(t->ctx, ca, crl, err) == -1)
		goto bad;
	/* Keep our certificate chain for the contexts libcurl makes. */
	if ((bio = BIO_new_file(cert, "r")) == NULL ||
	    (t->cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		ossl_fail(err, cert);
		goto bad;
	}
	t->chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(t->chain, x);
	ERR_clear_error();
	BIO_free(bio);
	return t;
bad:
	BIO_free(bio);
	tls_free(t);
	return NULL;
}

struct tls_ctx *
tls_server_new(const char *cert, const struct trust_key *key, const char *ca,
    const char *crl, struct sp_err *err)
{
	static const unsigned char	 sid[] = "simpul";
	struct tls_ctx			*t;
	STACK_OF(X509_NAME)		*names;

	if (hook_idx == -1)
		hook_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    hook_free);
	if ((t = ctx_new(TLS_server_method(), cert, key, ca, crl, err)) ==
	    NULL)
		return NULL;
	if ((names = SSL_load_client_CA_file(ca)) != NULL)
		SSL_CTX_set_client_CA_list(t->ctx, names);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(t->ctx, 4);
	SSL_CTX_set_session_id_context(t->ctx, sid, sizeof(sid) - 1);
	return t;
}

struct tls_ctx *
tls_client_new(const char *cert, const struct trust_key *key, const char *ca,
    const char *crl, struct sp_err *err)
{
	if (expect_idx == -1)
		expect_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    expect_free);
	return ctx_new(TLS_client_method(), cert, key, ca, crl, err);
}

void
tls_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	X509_free(t->cert);
	sk_X509_pop_free(t->chain, X509_free);
	free(t->ca);
	free(t->crl);
	free(t);
}

const char *
tls_ca_file(const struct tls_ctx *t)
{
	return t->ca;
}

SSL *
tls_server_ssl(struct tls_ctx *t, void (*on_free)(void *), void *arg)
{
	struct close_hook	*h;
	SSL			*ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->fn = on_free;
	h->arg = arg;
	if (SSL_set_ex_data(ssl, hook_idx, h) != 1) {
		free(h);
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

unsigned long
tls_bytes_read(SSL *ssl)
{
	BIO	*rbio = SSL_get_rbio(ssl);

	return rbio != NULL ? (unsigned long)BIO_number_read(rbio) : 0;
}

int
tls_peer_cn(SSL *ssl, char *cn, size_t len)
{
	X509	*peer;

	cn[0] = '\0';
	if (ssl == NULL || (peer = SSL_get0_peer_certificate(ssl)) == NULL ||
	    SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(peer),
	    NID_commonName, cn, (int)len) <= 0)
		return -1;
	return 0;
}

int
tls_peer_der(SSL *ssl, uint8_t **der, size_t *len)
{
	X509		*peer;
	unsigned char	*p = NULL;
	int		 n;

	*der = NULL;
	*len = 0;
	if (ssl == NULL || (peer = SSL_get0_peer_certificate(ssl)) == NULL ||
	    SSL_get_verify_result(ssl) != X509_V_OK ||
	    (n = i2d_X509(peer, &p)) <= 0)
		return -1;
	*der = xmalloc((size_t)n);
	memcpy(*der, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	return 0;
}

/* At depth 0 the server's CN must be the node we meant to reach. */
static int
verify_server(int ok, X509_STORE_CTX *xs)
{
	SSL		*ssl;
	const char	*want;
	char		 cn[64];

	if (!ok || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	want = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), expect_idx);
	if (want == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(
	    X509_STORE_CTX_get_current_cert(xs)), NID_commonName, cn,
	    sizeof(cn)) <= 0 || strcmp(cn, want) != 0) {
		X509_STORE_CTX_set_error(xs,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

int
tls_client_setup(const struct tls_ctx *t, void *sslctx, const char *expect_cn)
{
	SSL_CTX	*ctx = sslctx;
	int	 i;

	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate(ctx, t->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, trust_key_pkey(t->key)) != 1)
		return -1;
	for (i = 0; i < sk_X509_num(t->chain); i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(t->chain, i))
		    != 1)
			return -1;
	if (load_trust(ctx, t->ca, t->crl, NULL) == -1)
		return -1;
	if (SSL_CTX_set_ex_data(ctx, expect_idx, xstrdup(expect_cn)) != 1)
		return -1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_server);
	return 0;
}
