/*
 * figures.h: a node's figure set computed from the events a store holds,
 * with its inputs (DESIGN §6), and the canonical text of a signed figure
 * set.  The node, the hub and the auditor all go through figures_compute(),
 * so a recomputation takes exactly the events the signer counted:
 *
 *	period 2026-03-01 2026-03-31	the period's first and last day
 *	input 33.21 120			per author, the highest seq counted
 *	figure clocks.first_24h.met 3	every figure, sorted by path
 *
 * each line ending in a newline, in this order.
 */
#ifndef SIMPUL_FIGURES_H
#define SIMPUL_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "rules/metrics.h"
#include "exchange/policy.h"

struct sp_err;
struct store;

/* Per author, the highest author seq counted. */
struct figures_input {
	char		 author[16];
	int64_t		 seq;
};

/* A signed figure set as its text says it. */
struct figures_signed {
	struct metrics_period	 period;
	struct figures_input	*in;
	size_t			 nin;
	struct metrics_item	*fig;
	size_t			 nfig;
};

/* Receipt times of events, for the late rule (DESIGN §6). */
struct figures_late {
	int64_t		 tolerance;	/* seconds */
	struct store	*s;		/* event_in of the hub */
};

/*
 * The figure set of node over period as of now, from the events of s of
 * the complaints node is involved in.  in NULL: every event s holds, and
 * *used (if not NULL) gets the inputs counted; else only the events
 * within in[] (authors not listed: none).  late not NULL: an event
 * claimed more than the tolerance before its receipt counts at its
 * receipt (ratings and replies excepted) and fig->late says how many.
 */
int	 figures_compute(struct store *, const char *node,
	    const struct policy *, size_t npol, const struct metrics_period *,
	    int64_t now, const struct figures_input *in, size_t nin,
	    const struct figures_late *late, struct metrics_figures *fig,
	    struct figures_input **used, size_t *nused, struct sp_err *);
/*
 * The same from any source of events: scan calls fn once per complaint
 * with its events (any order), as store_event_scan() does.  The auditor
 * passes the events of the batches it verified.
 */
typedef int	 figures_scan(void *src, int (*fn)(void *, const struct event *,
		    size_t), void *arg, struct sp_err *);
int	 figures_compute_from(figures_scan *, void *src, const char *node,
	    const struct policy *, size_t npol, const struct metrics_period *,
	    int64_t now, const struct figures_input *in, size_t nin,
	    const struct figures_late *late, struct metrics_figures *fig,
	    struct figures_input **used, size_t *nused, struct sp_err *);
/* The canonical text of a figure set and its inputs; caller frees. */
char	*figures_format(const struct metrics_figures *,
	    const struct metrics_period *, const struct figures_input *,
	    size_t nin);
/* Strict parse of that text: SPE_INVALID unless canonical. */
int	 figures_parse(const char *, struct figures_signed *,
	    struct sp_err *);
void	 figures_signed_clear(struct figures_signed *);

#endif
