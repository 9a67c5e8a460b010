/*
 * status.h: what a node says about itself and its channels, the one source
 * of GET /v1/status and `simpul status`.  Per peer: the last seq cut
 * (sent), acknowledged and received, the backlog (events queued and
 * batches not yet acknowledged), items held from it and items of ours it
 * refused, and the last error on either channel.  And the CRL in force:
 * its number and dates, and loudly when it is stale.
 */
#ifndef SIMPUL_STATUS_H
#define SIMPUL_STATUS_H

#include <stdint.h>

struct fmt;
struct node;
struct sp_err;
struct store;

struct status_chan {
	char		 peer[16];
	char		*url;		/* NULL: no direct address */
	int64_t		 sent;		/* out: last seq cut and stored */
	int64_t		 acked;		/* out: highest seq acknowledged */
	int64_t		 head;		/* out: receiver's last known head */
	int64_t		 received;	/* in: last seq accepted */
	int64_t		 queued;	/* events waiting to be cut */
	int64_t		 unacked;	/* stored batches not acknowledged */
	int64_t		 held;		/* its items held here */
	int64_t		 refused;	/* our items it refused */
	int		 halted;	/* in channel halted (equivocation) */
	char		*error;		/* last error, or NULL */
	int64_t		 error_at;	/* when, 0 if not known */
	int64_t		 ok_at;		/* last good round (to the minute) */
};

/* The CRL file this node checks against (DESIGN §2). */
struct status_crl {
	const char	*path;		/* NULL: no CRL configured */
	int		 ok;		/* it could be read */
	char		 number[48];	/* "" when it has none */
	int64_t		 last;		/* lastUpdate */
	int64_t		 next;		/* nextUpdate, 0 when none */
	int		 stale;		/* next is past at now */
	char		 error[256];	/* why not ok */
};
void	 status_crl(const struct node *, int64_t now, struct status_crl *);

/*
 * Every peer this node knows, in code order, and the hub's channel last
 * when hub (its URL) is given; free with status_free.
 */
int	 status_collect(struct store *, const char *hub,
	    struct status_chan **, int *n, struct sp_err *);
void	 status_free(struct status_chan *, int n);
/* The status document: node, time, CRL, channels (JSON or XML). */
void	 status_write(struct fmt *, const struct node *, int64_t now,
	    const struct status_chan *, int n);

#endif
