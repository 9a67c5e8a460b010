/*
 * node.h: this node at run time: its identity from the settings, and, when
 * it will sign or verify, its key and the federation's trust store, loaded
 * once.  The commands that talk to other nodes (serve, sync) share it.
 */
#ifndef SIMPUL_NODE_H
#define SIMPUL_NODE_H

struct sp_err;
struct store;
struct trust;
struct trust_key;

struct node {
	char		 code[16];
	char		*name;
	int		 is_hub;
	char		*instance;
	char		*cert;		/* paths */
	char		*key;
	char		*ca;
	char		*crl;		/* NULL when none */
	char		*hub;		/* the hub's URL, NULL when none */
	int		 offset;	/* the zone, minutes east of UTC */
	char		*recovering;	/* why writes are refused, or NULL */
	struct trust_key *keys;		/* with NODE_KEYS */
	struct trust	*trust;		/* with NODE_KEYS */
};

#define NODE_IDENTITY	0
#define NODE_KEYS	1	/* also load the key and the trust store */

/* Fill n from the store; free what it holds with node_clear(). */
int	 node_load(struct store *, int what, struct node *, struct sp_err *);
void	 node_clear(struct node *);
/*
 * Is code a node this one exchanges with?  1: a peer, or the hub when one
 * is configured; 2: not a peer but enrolled, in the hub's directory held
 * here; 0: none.
 */
int	 node_knows(struct store *, const char *code, struct sp_err *);

#endif
