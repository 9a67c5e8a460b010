/*
 * endpoints.h: the routes a node serves (DESIGN §5) and their limits.
 */
#ifndef SIMPUL_ENDPOINTS_H
#define SIMPUL_ENDPOINTS_H

#include "net/server.h"

struct node;
struct recv_ctx;
struct store;
struct sync_conf;

/* What the handlers answer from; all borrowed for the server's life. */
struct endpoints {
	struct store		*store;
	const struct node	*node;
	const struct sync_conf	*conf;	/* the cutter's: key, zone, limits */
	const struct recv_ctx	*ctx;	/* the receiver's, trust current */
	void			(*before)(void *);	/* first, per request */
	void			*arg;
};

/* The limits serve listens with (max_conns: serve.max_connections). */
extern const struct server_config endpoints_limits;

void	 endpoints_route(struct server *, struct endpoints *);

#endif
