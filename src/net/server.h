/*
 * server.h: the HTTPS server: mutual TLS on evhttp, limits before reading,
 * a connection cap, a minimum rate, one log line per request.  Handlers get
 * a request whose peer is a verified certificate's CN and whose body is
 * complete and within the limit; what they do with it is theirs.
 */
#ifndef SIMPUL_SERVER_H
#define SIMPUL_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct server;
struct server_req;
struct sp_err;
struct tls_ctx;

struct server_config {
	const char	*listen;	/* "ADDR:PORT"; port 0 picks one */
	size_t		 max_body;	/* bytes, refused with 413 beyond */
	size_t		 max_headers;	/* bytes */
	int		 max_conns;	/* open connections at most */
	int		 idle_timeout;	/* seconds without a byte */
	int		 grace;		/* seconds before min_rate applies */
	int		 min_rate;	/* bytes/s a connection must average */
	int		 max_age;	/* seconds a connection may live */
	/* Each answered request: its route (NULL: none matched), status
	 * and seconds from dispatch to reply; for the metrics, or NULL. */
	void		(*observe)(void *, const char *path, int status,
			    double seconds);
	void		*observe_arg;
};

#define SERVER_GET	0x1
#define SERVER_POST	0x2

typedef void	 server_handler(struct server_req *, void *);

/*
 * Listen with tls (borrowed), the open-file limit raised to fit the cap.
 * Free with server_free().
 */
struct server	*server_new(struct loop *, struct tls_ctx *,
		    const struct server_config *, struct sp_err *);
void		 server_free(struct server *);	/* NULL is fine */
int		 server_route(struct server *, int methods, const char *path,
		    server_handler *, void *);
int		 server_port(const struct server *);
int		 server_connections(const struct server *);
/* The cap in force: max_conns, or less under a low open-file limit. */
int		 server_max_connections(const struct server *);
/* Stop accepting; connections in flight finish (graceful shutdown). */
void		 server_drain(struct server *);

/* A request; valid until its reply. */
const char	*server_req_peer(const struct server_req *);	/* the CN */
/* The client's verified certificate, DER in *der (free it); -1 if none. */
int		 server_req_peer_der(const struct server_req *,
		    uint8_t **der, size_t *len);
const char	*server_req_path(const struct server_req *);
int		 server_req_method(const struct server_req *);
/* A query parameter, or NULL. */
const char	*server_req_query(const struct server_req *, const char *);
/* The complete body (NUL-terminated, not counted in len). */
const uint8_t	*server_req_body(struct server_req *, size_t *len);
/* A request header, or NULL. */
const char	*server_req_get_header(const struct server_req *, const char *);
/*
 * A percent-encoded header, decoded into *out (the caller frees): 1, 0
 * when absent, -1 when it decodes to a NUL byte.
 */
int		 server_req_get_text(const struct server_req *, const char *,
		    char **out);
/* Add a header to the reply. */
void		 server_req_header(struct server_req *, const char *,
		    const char *);
/* Reply once; the request is gone afterwards. */
void		 server_reply(struct server_req *, int status,
		    const char *ctype, const void *, size_t);
/* Reply with the error table's HTTP status and "code-name: msg". */
void		 server_reply_err(struct server_req *, const struct sp_err *);

#endif
