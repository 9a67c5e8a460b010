/*
 * telemetry.c: the Prometheus exposition of a running node (`serve
 * --metrics`).  It owns two things: the counters only the process sees
 * (requests by endpoint and status with their latency, sync rounds by
 * outcome with their duration), kept in memory from serve's start; and,
 * at each scrape, a read of what the store already knows (status.c's
 * channels with their last good round, the clocks of the complaints
 * this node owns, the CRL, the directory held, the database's size).  It
 * does not listen (net/scrape.c) and never loads a key.
 *
 * Families, all prefixed simpul_:
 *	build_info, start_time_seconds
 *	http_request_duration_seconds{endpoint,status}	histogram
 *	sync_round_duration_seconds{state}		histogram
 *	channel_queued_events, channel_unacked_batches, channel_held_items,
 *	channel_refused_items, channel_equivocations, channel_halted,
 *	channel_last_success_timestamp_seconds		{channel}
 *	clocks_overdue{clock}, clocks_overdue_timestamp_seconds
 *	database_bytes, crl_last_update_timestamp_seconds,
 *	crl_next_update_timestamp_seconds, crl_age_seconds,
 *	directory_age_seconds
 * A label value never holds more than a node code, a route or a clock
 * name: no identity, nothing a reporter wrote.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "exchange/desk.h"
#include "exchange/node.h"
#include "exchange/status.h"
#include "exchange/syncer.h"
#include "exchange/telemetry.h"
#include "rules/clock.h"
#include "rules/complaint.h"
#include "store/store.h"
#include "core/util.h"

#define MAX_SERIES	128		/* (endpoint, status) pairs kept */
#define OUT_MAX		(8 * 1024 * 1024)
/*
 * The overdue clocks are counted by rebuilding every open complaint this
 * node owns from its events, about 17 us each (README, Metrics): 1.7 s at
 * 100,000 open complaints, with the loop blocked.  A scrape reuses the
 * count for metrics.overdue_seconds (a minute), so a Prometheus scraping
 * every 15 s costs one such pass a minute, and the page says how old the
 * count is.
 */

static const double req_bounds[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define NREQ	(sizeof(req_bounds) / sizeof(req_bounds[0]))
static const double round_bounds[] = {
	0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300
};
#define NROUND	(sizeof(round_bounds) / sizeof(round_bounds[0]))

struct hist {
	uint64_t	 bucket[NREQ > NROUND ? NREQ : NROUND];
	uint64_t	 count;
	double		 sum;
};

struct req_series {
	char		 endpoint[32];
	int		 status;
	struct hist	 h;
};

struct telemetry {
	const char	*db;
	int64_t		 started;
	int64_t		 overdue_ttl;	/* seconds a count is reused */
	struct req_series req[MAX_SERIES];
	int		 nreq;
	struct hist	 rounds[3];	/* by enum syncer_state */
	int64_t		 overdue[CLK_MAX];	/* the last count, */
	int64_t		 overdue_at;		/* made then (0: never) */
};

static const char *const round_states[] = { "ok", "refused", "down" };

struct telemetry *
telemetry_new(const char *db, int64_t started, int64_t overdue_ttl)
{
	struct telemetry	*t = xcalloc(1, sizeof(*t));

	t->db = db;
	t->started = started;
	t->overdue_ttl = overdue_ttl;
	return t;
}

void
telemetry_free(struct telemetry *t)
{
	free(t);
}

static void
observe(struct hist *h, const double *bounds, size_t n, double v)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v <= bounds[i])
			h->bucket[i]++;
	h->count++;
	h->sum += v;
}

void
telemetry_request(void *arg, const char *path, int status, double seconds)
{
	struct telemetry	*t = arg;
	const char		*ep = path != NULL ? path : "other";
	int			 i;

	for (i = 0; i < t->nreq; i++)
		if (t->req[i].status == status &&
		    strcmp(t->req[i].endpoint, ep) == 0)
			break;
	if (i == t->nreq) {
		if (t->nreq == MAX_SERIES)
			return;		/* routes x statuses never get here */
		snprintf(t->req[i].endpoint, sizeof(t->req[i].endpoint), "%s",
		    ep);
		t->req[i].status = status;
		t->nreq++;
	}
	observe(&t->req[i].h, req_bounds, NREQ, seconds);
}

void
telemetry_round(void *arg, const struct syncer_round *rd)
{
	struct telemetry	*t = arg;

	if ((unsigned)rd->state < 3)
		observe(&t->rounds[rd->state], round_bounds, NROUND,
		    rd->seconds);
}

/* ---- the text --------------------------------------------------------- */

static int
family(struct buf *b, const char *name, const char *type, const char *help,
    struct sp_err *err)
{
	return buf_printf(b, err, "# HELP simpul_%s %s\n# TYPE simpul_%s %s\n",
	    name, help, name, type);
}

/* A label value in the format's escaping: \\, \" and \n. */
static int
label(struct buf *b, const char *v, struct sp_err *err)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"') {
			if (buf_printf(b, err, "\\%c", *v) == -1)
				return -1;
		} else if (*v == '\n') {
			if (buf_addstr(b, "\\n", err) == -1)
				return -1;
		} else if (buf_add(b, v, 1, err) == -1)
			return -1;
	}
	return 0;
}

/* labels: "k=\"v\",..." without braces; the buckets add le. */
static int
hist_write(struct buf *b, const char *name, const char *labels,
    const struct hist *h, const double *bounds, size_t n, struct sp_err *err)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (buf_printf(b, err, "simpul_%s_bucket{%s,le=\"%g\"} %llu\n",
		    name, labels, bounds[i],
		    (unsigned long long)h->bucket[i]) == -1)
			return -1;
	return buf_printf(b, err, "simpul_%s_bucket{%s,le=\"+Inf\"} %llu\n"
	    "simpul_%s_sum{%s} %.6f\nsimpul_%s_count{%s} %llu\n", name, labels,
	    (unsigned long long)h->count, name, labels, h->sum, name, labels,
	    (unsigned long long)h->count);
}

static int
requests_write(const struct telemetry *t, struct buf *b, struct sp_err *err)
{
	char	 labels[96];
	int	 i;

	if (family(b, "http_request_duration_seconds", "histogram",
	    "Requests answered, by endpoint and status, and their latency.",
	    err) == -1)
		return -1;
	for (i = 0; i < t->nreq; i++) {
		snprintf(labels, sizeof(labels), "endpoint=\"%s\",status=\"%d\"",
		    t->req[i].endpoint, t->req[i].status);
		if (hist_write(b, "http_request_duration_seconds", labels,
		    &t->req[i].h, req_bounds, NREQ, err) == -1)
			return -1;
	}
	if (family(b, "sync_round_duration_seconds", "histogram",
	    "Sync rounds of a channel, by how they ended, and their length.",
	    err) == -1)
		return -1;
	for (i = 0; i < 3; i++) {
		snprintf(labels, sizeof(labels), "state=\"%s\"",
		    round_states[i]);
		if (hist_write(b, "sync_round_duration_seconds", labels,
		    &t->rounds[i], round_bounds, NROUND, err) == -1)
			return -1;
	}
	return 0;
}

static int
count_evidence(void *arg, const char *digest, int64_t seq, int evidence,
    int64_t received)
{
	(void)digest;
	(void)seq;
	(void)received;
	*(int64_t *)arg += evidence;
	return 0;
}

/* One gauge per channel; which picks the value from c (and the rest). */
enum chan_value { CV_QUEUED, CV_UNACKED, CV_HELD, CV_REFUSED, CV_EQUIV,
	CV_HALTED, CV_LAST_OK, CV_MAX };

static const struct {
	const char	*name;
	const char	*help;
} chan_families[CV_MAX] = {
	{ "channel_queued_events", "Events waiting to be cut for the channel." },
	{ "channel_unacked_batches", "Batches stored and not yet "
	    "acknowledged." },
	{ "channel_held_items", "Items from the peer held here until their "
	    "history arrives." },
	{ "channel_refused_items", "Items of this node the peer refused." },
	{ "channel_equivocations", "Second copies of an accepted seq from the "
	    "peer (equivocation evidence kept)." },
	{ "channel_halted", "1 when the channel from the peer is halted by an "
	    "equivocation." },
	{ "channel_last_success_timestamp_seconds", "When the channel's last "
	    "good sync round ended (to the minute, kept across restarts); 0 if "
	    "none yet." },
};

static int
channels_write(struct store *st, const struct node *nd, struct buf *b,
    struct sp_err *err)
{
	struct status_chan	*c;
	int64_t			*equiv, v = 0;
	int			 n, i, k, rc = -1;

	if (status_collect(st, nd->hub, &c, &n, err) == -1)
		return -1;
	equiv = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*equiv));
	for (i = 0; i < n; i++)
		if (store_batch_in_each(st, c[i].peer, count_evidence,
		    &equiv[i], err) == -1)
			goto out;
	for (k = 0; k < CV_MAX; k++) {
		if (family(b, chan_families[k].name, "gauge",
		    chan_families[k].help, err) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			switch (k) {
			case CV_QUEUED: v = c[i].queued; break;
			case CV_UNACKED: v = c[i].unacked; break;
			case CV_HELD: v = c[i].held; break;
			case CV_REFUSED: v = c[i].refused; break;
			case CV_EQUIV: v = equiv[i]; break;
			case CV_HALTED: v = c[i].halted; break;
			default: v = c[i].ok_at; break;
			}
			if (buf_printf(b, err, "simpul_%s{channel=\"",
			    chan_families[k].name) == -1 ||
			    label(b, c[i].peer, err) == -1 ||
			    buf_printf(b, err, "\"} %lld\n", (long long)v) == -1)
				goto out;
		}
	}
	rc = 0;
out:
	free(equiv);
	status_free(c, n);
	return rc;
}

struct overdue {
	struct desk	*d;
	int64_t		 n[CLK_MAX];
	struct sp_err	*err;
};

static int
overdue_one(void *arg, const struct store_complaint *sc)
{
	struct overdue		*o = arg;
	struct complaint_state	 s;
	struct clock		 c[CLK_MAX];
	size_t			 n, i;

	/* Archived or closed: its clocks stopped.  (The row's ended_at is
	 * not read by store_complaint_each, so the status decides.) */
	if (strcmp(sc->status, "closed") == 0 ||
	    strcmp(sc->status, "archived") == 0)
		return 0;
	if (desk_load(o->d, sc->id, &s, o->err) == -1 ||
	    desk_clocks(o->d, &s, c, &n, o->err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (c[i].state == CLS_OVERDUE)
			o->n[c[i].name]++;
	return 0;
}

/*
 * The clocks overdue now on the complaints this node owns: one pass over
 * them, each rebuilt from its events as `complaint list --overdue` does.
 */
static int
overdue_count(struct telemetry *t, struct store *st, const struct node *nd,
    int64_t now, struct sp_err *err)
{
	struct desk		 d;
	struct store_filter	 f = { .owner = nd->code };
	struct overdue		 o = { .d = &d, .err = err };
	int			 rc;

	if (desk_init(&d, st, "metrics", now, err) == -1)
		return -1;
	rc = store_complaint_each(st, &f, overdue_one, &o, err);
	desk_clear(&d);
	if (rc == -1)
		return -1;
	memcpy(t->overdue, o.n, sizeof(t->overdue));
	t->overdue_at = now;
	return 0;
}

static int
clocks_write(struct telemetry *t, struct store *st, const struct node *nd,
    int64_t now, struct buf *b, struct sp_err *err)
{
	int	 i;

	if ((t->overdue_at == 0 || now - t->overdue_at >= t->overdue_ttl ||
	    now < t->overdue_at) && overdue_count(t, st, nd, now, err) == -1)
		return -1;
	if (family(b, "clocks_overdue", "gauge", "Clocks past their deadline "
	    "and unmet on open complaints this node owns, as counted at "
	    "simpul_clocks_overdue_timestamp_seconds.", err) == -1)
		return -1;
	for (i = 0; i < CLK_MAX; i++)
		if (buf_printf(b, err, "simpul_clocks_overdue{clock=\"%s\"} "
		    "%lld\n", clock_name_str(i), (long long)t->overdue[i]) == -1)
			return -1;
	if (family(b, "clocks_overdue_timestamp_seconds", "gauge", "When "
	    "simpul_clocks_overdue was counted (metrics.overdue_seconds).",
	    err) == -1)
		return -1;
	return buf_printf(b, err, "simpul_clocks_overdue_timestamp_seconds "
	    "%lld\n", (long long)t->overdue_at);
}

/* The database file and its WAL, which holds the recent commits. */
static long long
db_bytes(const char *db)
{
	struct stat	 st;
	char		*wal;
	long long	 n = 0;

	if (stat(db, &st) == 0)
		n += st.st_size;
	wal = xasprintf("%s-wal", db);
	if (stat(wal, &st) == 0)
		n += st.st_size;
	free(wal);
	return n;
}

static int
files_write(const struct telemetry *t, struct store *st,
    const struct node *nd, int64_t now, struct buf *b, struct sp_err *err)
{
	struct status_crl	 crl;
	int64_t			 issued;

	if (family(b, "database_bytes", "gauge", "Size of the database file "
	    "and its write-ahead log.", err) == -1 ||
	    buf_printf(b, err, "simpul_database_bytes %lld\n",
	    db_bytes(t->db)) == -1)
		return -1;
	status_crl(nd, now, &crl);
	if (crl.ok && (family(b, "crl_last_update_timestamp_seconds", "gauge",
	    "lastUpdate of the CRL in force.", err) == -1 ||
	    buf_printf(b, err, "simpul_crl_last_update_timestamp_seconds "
	    "%lld\n", (long long)crl.last) == -1 ||
	    family(b, "crl_age_seconds", "gauge", "Seconds since the CRL in "
	    "force was issued.", err) == -1 ||
	    buf_printf(b, err, "simpul_crl_age_seconds %lld\n",
	    (long long)(now - crl.last)) == -1))
		return -1;
	if (crl.ok && crl.next != 0 && (family(b,
	    "crl_next_update_timestamp_seconds", "gauge", "nextUpdate of the "
	    "CRL in force: it is stale after.", err) == -1 ||
	    buf_printf(b, err, "simpul_crl_next_update_timestamp_seconds "
	    "%lld\n", (long long)crl.next) == -1))
		return -1;
	if (nd->is_hub)
		return 0;		/* the hub makes it at each request */
	if ((issued = store_directory_issued(st, err)) == -1)
		return -1;
	if (issued != 0 && (family(b, "directory_age_seconds", "gauge",
	    "Seconds since the hub's directory held here was issued.",
	    err) == -1 || buf_printf(b, err, "simpul_directory_age_seconds "
	    "%lld\n", (long long)(now - issued)) == -1))
		return -1;
	return 0;
}

int
telemetry_write(struct telemetry *t, struct store *st, const struct node *nd,
    int64_t now, struct buf *out, struct sp_err *err)
{
	buf_init(out, OUT_MAX);
	if (family(out, "build_info", "gauge", "The running simpul; always 1.",
	    err) == -1 ||
	    buf_printf(out, err, "simpul_build_info{version=\"%s\",role=\"%s\"}"
	    " 1\n", PACKAGE_VERSION, nd->is_hub ? "hub" : "regency") == -1 ||
	    family(out, "start_time_seconds", "gauge", "When serve started.",
	    err) == -1 ||
	    buf_printf(out, err, "simpul_start_time_seconds %lld\n",
	    (long long)t->started) == -1 ||
	    requests_write(t, out, err) == -1 ||
	    channels_write(st, nd, out, err) == -1 ||
	    clocks_write(t, st, nd, now, out, err) == -1 ||
	    files_write(t, st, nd, now, out, err) == -1)
		return -1;
	return 0;
}
