/*
 * report.h: the figures as people and programs read them: one node's
 * figure set, and the hub's national table (DESIGN §6), as a table, CSV,
 * JSON or XML.  Shared by `simpul metrics` and GET /v1/metrics.
 */
#ifndef SIMPUL_REPORT_H
#define SIMPUL_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "exchange/figures.h"
#include "rules/metrics.h"

struct sp_err;
struct store;

enum report_fmt { RF_TABLE, RF_CSV, RF_JSON, RF_XML };

/* The figures whose rules are the same everywhere, the ones ranked. */
enum report_rank { RR_FOLLOW_UP, RR_24H, RR_MAX };

enum national_status {
	NS_OK,			/* the recomputation equals the signed set */
	NS_DIFFERS,		/* it does not: flagged */
	NS_INCOMPLETE,		/* the hub lacks events within the inputs */
	NS_NO_POLICY,		/* the hub has no policy of the node */
	NS_MAX
};

struct national_diff {
	char		*path;
	int64_t		 signed_value;
	int64_t		 recomputed;
};

/* One node's latest signed figure set for the period. */
struct national_row {
	char			 node[16];
	int64_t			 set;
	int64_t			 signed_at;
	enum national_status	 status;
	struct figures_signed	 sig;
	struct metrics_item	*re;		/* the recomputation */
	size_t			 nre;
	struct national_diff	*diff;
	size_t			 ndiff;
	int64_t			 value[RR_MAX];	/* met_bp, late rule */
	int64_t			 rank[RR_MAX];	/* 1 is best; ties share */
	int64_t			 late;		/* events counted at receipt */
};

struct national {
	struct metrics_period	 period;
	int64_t			 now;
	int			 offset;	/* the hub's zone, minutes */
	int64_t			 tolerance;	/* seconds */
	struct national_row	*row;		/* by node code */
	size_t			 n;
};

int	 report_format(const char *, enum report_fmt *);
void	 report_figures(const struct metrics_figures *, enum report_fmt,
	    FILE *);
/*
 * The hub's national table for the period as of now.  With record set
 * (a write transaction is open), every check not recorded yet is
 * recorded with its differences.
 */
int	 national_compute(struct store *, const struct metrics_period *,
	    int64_t now, int offset, int record, struct national *,
	    struct sp_err *);
void	 national_print(const struct national *, enum report_fmt, FILE *);
void	 national_free(struct national *);
/*
 * The hub's check of node's figure set n: recompute it from the same
 * inputs and, when the hub holds every event within them, record the
 * check and each difference.  For the receiver, when a set arrives.
 */
int	 national_check(struct store *, const char *node, int64_t n,
	    int64_t now, struct sp_err *);

/*
 * GET /v1/metrics?period=P&format=F: the national table at the hub, the
 * node's own figures elsewhere (default: this month, JSON).  *body is
 * the caller's to free; *type its media type.  Reads only.
 */
int	 report_http(struct store *, const char *self, int offset,
	    const char *period, const char *format, int64_t now, char **body,
	    size_t *len, const char **type, struct sp_err *);

#endif
