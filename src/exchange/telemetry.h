/*
 * telemetry.h: what `serve --metrics` tells Prometheus about the running
 * node (operations, not the complaint figures of rules/metrics.c): the
 * requests and sync rounds it saw since it started, and a look at the
 * store at each scrape (channels, overdue clocks, database, CRL,
 * directory).  The exposition text format; the families are listed in
 * telemetry.c and the README.
 */
#ifndef SIMPUL_TELEMETRY_H
#define SIMPUL_TELEMETRY_H

#include <stdint.h>

struct buf;
struct node;
struct sp_err;
struct store;
struct syncer_round;

struct telemetry;

/*
 * db is the database's path (borrowed); a count of the overdue clocks is
 * reused for overdue_ttl seconds.  Free with telemetry_free().
 */
struct telemetry *telemetry_new(const char *db, int64_t started,
		    int64_t overdue_ttl);
void		 telemetry_free(struct telemetry *);	/* NULL is fine */
/* A server_config observe hook: one answered request. */
void		 telemetry_request(void *, const char *path, int status,
		    double seconds);
/* A syncer_config report hook: one channel's round as it ended. */
void		 telemetry_round(void *, const struct syncer_round *);
/*
 * The exposition text at now into out (initialised here, the caller
 * clears it): the counters kept so far and the store's state.
 */
int		 telemetry_write(struct telemetry *, struct store *,
		    const struct node *, int64_t now, struct buf *out,
		    struct sp_err *);

#endif
