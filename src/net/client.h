/*
 * client.h: the HTTPS client on libcurl's multi interface, driven by the
 * same event loop as the server.  One call, one transfer, one callback.
 * It speaks only to the node it meant (CN checked in tls.c, optional key
 * pins), trusts only the federation CA, and bounds every response.
 */
#ifndef SIMPUL_CLIENT_H
#define SIMPUL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct client;
struct loop;
struct tls_ctx;

struct client_call {
	const char	*method;	/* "GET" or "POST" */
	const char	*url;
	const char	*peer;		/* the CN the server must have */
	const char	*pins;		/* "sha256//b64;sha256//b64" or NULL */
	const void	*body;		/* POST only; borrowed until done */
	size_t		 len;
	size_t		 max_response;	/* bytes */
	long		 timeout;	/* seconds for the whole transfer */
	const char	*relay;		/* hex relay receipt to send, or NULL */
	const char	*name;		/* this node's name, told to the hub */
};

struct client_result {
	int		 status;	/* HTTP status; 0 when none came */
	const uint8_t	*body;		/* valid during the callback only */
	size_t		 len;
	long		 retry_after;	/* seconds, 0 when not given */
	long		 expected_seq;	/* X-Simpul-Expected-Seq, or -1 */
	const char	*relay;		/* X-Simpul-Relay-Receipt (hex), or NULL */
	const char	*waiting;	/* X-Simpul-Waiting, or NULL */
	int64_t		 date;		/* the answer's Date (UTC), 0 if none */
	struct sp_err	 err;		/* SPE_NET etc. when status is 0 */
};

typedef void	 client_done(void *, const struct client_result *);

/* tls (borrowed) carries our certificate and the federation CA. */
struct client	*client_new(struct loop *, struct tls_ctx *, struct sp_err *);
/* Pending transfers are abandoned without their callbacks. */
void		 client_free(struct client *);		/* NULL is fine */
/* libcurl's process-wide state: once before the first client, and after
 * the last one is freed. */
void		 client_global_init(void);
void		 client_global_cleanup(void);
int		 client_start(struct client *, const struct client_call *,
		    client_done *, void *, struct sp_err *);
int		 client_pending(const struct client *);

#endif
