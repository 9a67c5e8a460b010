/*
 * syncer.h: the sync loop (DESIGN §5): for every channel that has a way
 * to the network, rounds of cut, push, pull and flush on the event loop,
 * one transfer at a time per channel, all channels at once.  Each round
 * on the hub's channel first refreshes the hub's directory and CRL.  `simpul
 * sync` runs one round of each and stops; `simpul serve` runs rounds
 * forever, the next one an interval after a good round or after an
 * exponential backoff with jitter (and never before Retry-After) after a
 * bad one.  The state machine is described in syncer.c.
 */
#ifndef SIMPUL_SYNCER_H
#define SIMPUL_SYNCER_H

#include <stddef.h>
#include <stdint.h>

#include "wire/batch.h"

struct client;
struct loop;
struct node;
struct recv_ctx;
struct sp_err;
struct store;
struct sync_conf;

enum syncer_state { SYNCER_OK, SYNCER_REFUSED, SYNCER_DOWN };

/* One channel's round, as it ended. */
struct syncer_round {
	const char	*peer;		/* the channel's other end */
	const char	*via;		/* the server talked to: peer or hub */
	enum syncer_state state;
	char		 msg[320];	/* why, unless SYNCER_OK */
	int		 local;		/* DOWN by this node's own failure */
	int		 sent;		/* batches posted and answered */
	int64_t		 acked;		/* highest seq acknowledged */
	int		 pulled;	/* batches received */
	int64_t		 received;	/* channel head after the round */
	size_t		 n[OUTCOME_MAX];	/* their items by outcome */
	double		 seconds;	/* from its start to its end */
};

typedef void	 syncer_report(void *, const struct syncer_round *);

struct syncer_config {
	struct loop		*loop;
	struct client		*client;
	struct store		*store;
	const struct node	*node;
	const struct sync_conf	*conf;
	const struct recv_ctx	*ctx;	/* the receiver's context */
	/* Opens the write transaction of a cut (the CLI's, with its
	 * housekeeping); store_begin when NULL. */
	int			(*begin)(void *, struct sp_err *);
	void			*begin_arg;
	syncer_report		*report;	/* after each round, or NULL */
	void			*report_arg;
	/* A CRL from the hub was installed at node->crl: load it again. */
	void			(*trust_changed)(void *);
	void			*trust_arg;
	long			 interval;	/* seconds between good rounds */
};

/*
 * The channels of this node: every peer with a URL, and, when a hub is
 * configured, the hub's own channel and every peer without a URL (through
 * the hub).  only (a code, or NULL) keeps one.  Free with syncer_free().
 */
struct syncer	*syncer_new(const struct syncer_config *, const char *only,
		    struct sp_err *);
void		 syncer_free(struct syncer *);	/* NULL is fine */
/* "a b" (the store's pins) -> "sha256//a;sha256//b" (curl's), or NULL. */
char		*syncer_curl_pins(const char *);
int		 syncer_channels(const struct syncer *);
/*
 * Run one round of every channel, the loop running until all are done.
 * -1 on a local failure (the store), else 0: what each round did went to
 * the report.  Returns early, with SPE_NET, when a signal ends the loop.
 */
int		 syncer_once(struct syncer *, struct sp_err *);
/* Start rounds forever on the loop; the caller runs the loop. */
void		 syncer_start(struct syncer *);
/*
 * Seconds before the next round after fails bad rounds in a row: 2^fails
 * capped at BACKOFF_MAX (300), then a uniform pick in its upper half so
 * nodes that failed together do not retry together; never below the
 * server's Retry-After.
 */
long		 syncer_backoff(int fails, long retry_after);

#endif
