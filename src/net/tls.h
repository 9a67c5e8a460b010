/*
 * tls.h: OpenSSL contexts for mutual TLS, server and client side.  The
 * server gets a ready SSL object per connection; the client's SSL_CTX (made
 * by libcurl) is set up here so that it sends our certificate and accepts
 * only a server whose certificate chains to the federation CA and whose CN
 * is the node it meant to reach.
 */
#ifndef SIMPUL_TLS_H
#define SIMPUL_TLS_H

#include <stddef.h>
#include <stdint.h>

struct sp_err;
struct ssl_st;
struct tls_ctx;
struct trust_key;

/*
 * A context with our certificate (cert, a PEM chain), our key (borrowed
 * for the context's life), the federation CA and, if given, its CRL.
 * TLS 1.2 or newer only.  Free with tls_free().
 */
struct tls_ctx	*tls_server_new(const char *cert, const struct trust_key *,
		    const char *ca, const char *crl, struct sp_err *);
struct tls_ctx	*tls_client_new(const char *cert, const struct trust_key *,
		    const char *ca, const char *crl, struct sp_err *);
void		 tls_free(struct tls_ctx *);	/* NULL is fine */
/*
 * Read the CA and CRL files again for the handshakes to come (a CRL the
 * syncer installed).  A client context needs none: libcurl's contexts load
 * the files at every new connection (tls_client_setup).
 */
int		 tls_reload(struct tls_ctx *, struct sp_err *);
const char	*tls_ca_file(const struct tls_ctx *);

/*
 * A new server-side SSL for one connection; the caller owns it.  on_free(arg)
 * runs when the SSL is freed, whoever frees it: the server's close hook.
 */
struct ssl_st	*tls_server_ssl(struct tls_ctx *, void (*on_free)(void *),
		    void *arg);
/* Bytes read from the socket so far (TLS records included). */
unsigned long	 tls_bytes_read(struct ssl_st *);
/* The verified peer's CN into cn[len]; -1 if the peer has none verified. */
int		 tls_peer_cn(struct ssl_st *, char *cn, size_t len);
/* The verified peer's certificate as DER in *der (free it); -1 if none. */
int		 tls_peer_der(struct ssl_st *, uint8_t **der, size_t *len);

/*
 * Set up an SSL_CTX that libcurl made for one connection: our certificate
 * and key, the CA and CRL, TLS 1.2+, and a check that the server's CN is
 * expect_cn, so that nothing is sent to any other node.  0 or -1.
 */
int		 tls_client_setup(const struct tls_ctx *, void *ssl_ctx,
		    const char *expect_cn);

#endif
