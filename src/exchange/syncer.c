/*
 * syncer.c: the sync loop.  It owns the per-channel state machine, the
 * retry policy and the order in which a channel's batches leave; the
 * bytes themselves are cut and stored by sync.c before anything is sent,
 * and what comes back goes through recv.c, so a crash anywhere leaves a
 * state the next round resumes from.
 *
 * One channel, one round, each step stored before the next:
 *
 *	IDLE --start--> on the hub's channel of a node: DIRECTORY, else CUT
 *	DIRECTORY ----> GET /v1/directory, checked and kept; then CRL
 *	CRL ----------> GET /v1/crl, installed over node.crl when the CA
 *	                signed it and it is newer; then CUT (neither one
 *	                stops the round: a refusal is logged, the batches
 *	                go on; no answer at all is DOWN as below)
 *	CUT ----------> the outbox into signed, stored batches
 *	CUT  ---------> PUSH: POST the next stored batch above the
 *	                receiver's head (seq order), one at a time
 *	PUSH --200----> record the final receipt (none for a batch of
 *	                receipts only), next batch; none left: PULL
 *	PUSH --409----> expected seq at or below the one sent: the receiver
 *	                is behind (a restored backup), resend the stored
 *	                bytes from there, once a round; above anything cut
 *	                here (or a receipt's head is): this node lost its
 *	                state, REFUSED, and the node marked recovering: no
 *	                write and no cut until simpul recover
 *	PULL --200----> the batch through recv_batch as import would, PULL
 *	                again after it; 204: FLUSH when anything came, else
 *	                DONE
 *	FLUSH --------> CUT and PUSH once more, so the final receipts owed
 *	                for what was pulled ride back at once; then DONE
 *	any --no answer, 5xx, 429--> DOWN: everything stays stored
 *	any --other 4xx, a refused receipt or batch--> REFUSED
 *
 * DONE, DOWN and REFUSED end the round: the channel's last error (and
 * when) is recorded or cleared, the report is called, and in a serving
 * node the next round is due an interval later after DONE, or after
 * 2^failures seconds (at most BACKOFF_MAX), halved-and-jittered, and never
 * before the server's Retry-After, after DOWN or REFUSED.  A refused
 * batch is retried too: the operator's recut or resume may have mended it.
 *
 * A stale CRL (its next update past) is logged as a warning every round
 * of the hub's channel until a fresh one comes; with it, every signature
 * is refused (trust.c), so it must not go unseen.  At the start of each
 * such round, peers added since (a forward to a node of the directory,
 * simpul peer add) get their channel through the hub.
 *
 * Transfers are started from a zero-delay timer, never from inside the
 * callback of the one before, so curl has put the connection back in its
 * pool and the next request reuses it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/batch.h"
#include "net/client.h"
#include "exchange/directory.h"
#include "core/err.h"
#include "core/log.h"
#include "net/loop.h"
#include "exchange/node.h"
#include "exchange/recv.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "exchange/sync.h"
#include "exchange/syncer.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

#define XFER_TIMEOUT	60L		/* seconds per transfer */
#define MAX_RESPONSE	(2 * 1024 * 1024)
#define BACKOFF_MAX	300		/* seconds */

enum phase { PH_PUSH, PH_PULL, PH_FLUSH };

struct chan {
	struct syncer		*s;
	char			 peer[16];
	char			 via[16];	/* the CN the server must have */
	int			 deliver;	/* the hub delivering relays */
	char			*url;		/* .../v1/batches */
	char			*pins;		/* curl's form, or NULL */
	struct syncer_round	 rd;
	struct timespec		 started;	/* this round's, monotonic */
	enum phase		 phase;
	int			 resent;	/* resent from a 409 this round */
	int			 resend;	/* sending accepted ones too */
	int64_t			 pos;		/* the last seq posted */
	int64_t			 cutseq;	/* the last seq cut */
	struct buf		 body;		/* the batch in flight */
	char			 digest[BATCH_DIGEST_LEN];
	int			 fails;		/* bad rounds in a row */
	long			 retry_after;	/* seconds, from the server */
	/* Delivering: the relayed batch in flight. */
	char			 author[16];
	char			*relay;		/* its relay receipt, hex */
};

struct syncer {
	struct syncer_config	 cfg;
	struct chan		**chans;	/* stable: callbacks hold them */
	int			 n;
	char			*hub;		/* the hub's URL, or NULL */
	char			*hub_pins;
	int			 forever;
	int			 only;		/* one channel was asked for */
	int			 busy;		/* rounds running (once) */
	int			 failed;
	struct sp_err		 fatal;		/* the first local failure */
};

static void	 cut_push(struct chan *);
static void	 on_crl(void *, const struct client_result *);
static void	 deliver_next(void *);
static void	 push_next(void *);
static void	 pull_next(void *);
static void	 round_start(void *);
static void	 waiting(struct chan *, const char *);

/* ---- the channels ---------------------------------------------------- */

char *
syncer_curl_pins(const char *pins)
{
	const char	*q;
	char		*out, *w;

	if (pins == NULL || *pins == '\0')
		return NULL;
	w = out = xmalloc(strlen(pins) * 10 + 16);
	for (q = pins; *q != '\0'; ) {
		while (*q == ' ')
			q++;
		if (*q == '\0')
			break;
		if (w != out)
			*w++ = ';';
		memcpy(w, "sha256//", 8);
		w += 8;
		while (*q != '\0' && *q != ' ')
			*w++ = *q++;
	}
	*w = '\0';
	return out;
}

static struct chan *
chan_add(struct syncer *s, const char *peer, const char *via,
    const char *base, const char *pins)
{
	struct chan	*c = xcalloc(1, sizeof(*c));
	size_t		 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	s->chans = xreallocarray(s->chans, s->n + 1, sizeof(*s->chans));
	s->chans[s->n++] = c;
	c->s = s;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	snprintf(c->via, sizeof(c->via), "%s", via);
	c->url = xasprintf("%.*s/v1/batches", (int)n, base);
	c->pins = syncer_curl_pins(pins);
	buf_init(&c->body, s->cfg.ctx->limits.max_bytes);
	return c;
}

static struct chan *
chan_find(struct syncer *s, const char *peer)
{
	int	 i;

	for (i = 0; i < s->n; i++)
		if (!s->chans[i]->deliver && strcmp(s->chans[i]->peer,
		    peer) == 0)
			return s->chans[i];
	return NULL;
}

struct peers {
	struct syncer	*s;
	const char	*only;
};

static int
hub_pins(void *arg, const struct store_peer *p, const char *pins)
{
	struct syncer	*s = arg;

	if (strcmp(p->code, "hub") == 0 && pins != NULL && *pins != '\0')
		s->hub_pins = xstrdup(pins);
	return 0;
}

static int
add_peer(void *arg, const struct store_peer *p, const char *pins)
{
	struct peers	*ps = arg;
	struct syncer	*s = ps->s;

	if (strcmp(p->code, "hub") == 0 ||
	    (ps->only != NULL && strcmp(ps->only, p->code) != 0))
		return 0;
	if (p->url != NULL) {
		chan_add(s, p->code, p->code, p->url, pins);
		/* The hub delivers what it relays to nodes with an address. */
		if (s->cfg.node->is_hub)
			chan_add(s, p->code, p->code, p->url, pins)->deliver =
			    1;
	} else if (s->hub != NULL)
		chan_add(s, p->code, "hub", s->hub, s->hub_pins);
	return 0;
}

struct syncer *
syncer_new(const struct syncer_config *cfg, const char *only,
    struct sp_err *err)
{
	struct syncer	*s = xcalloc(1, sizeof(*s));
	struct peers	 ps = { s, only };

	s->cfg = *cfg;
	s->only = only != NULL;
	if (cfg->node->hub != NULL && !cfg->node->is_hub)
		s->hub = xstrdup(cfg->node->hub);
	if (store_peer_each(cfg->store, hub_pins, s, err) == -1 ||
	    store_peer_each(cfg->store, add_peer, &ps, err) == -1) {
		syncer_free(s);
		return NULL;
	}
	if (s->hub != NULL && (only == NULL || strcmp(only, "hub") == 0))
		chan_add(s, "hub", "hub", s->hub, s->hub_pins);
	return s;
}

void
syncer_free(struct syncer *s)
{
	int	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->chans[i]->url);
		free(s->chans[i]->pins);
		free(s->chans[i]->relay);
		buf_clear(&s->chans[i]->body);
		free(s->chans[i]);
	}
	free(s->chans);
	free(s->hub);
	free(s->hub_pins);
	sp_err_clear(&s->fatal);
	free(s);
}

int
syncer_channels(const struct syncer *s)
{
	return s->n;
}

/* ---- the end of a round ---------------------------------------------- */

static void
strip_newlines(char *msg)
{
	size_t	 n = strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
}

static void
set_state(struct chan *c, enum syncer_state st, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
set_state(struct chan *c, enum syncer_state st, const char *fmt, ...)
{
	va_list	 ap;

	c->rd.state = st;
	va_start(ap, fmt);
	vsnprintf(c->rd.msg, sizeof(c->rd.msg), fmt, ap);
	va_end(ap);
	strip_newlines(c->rd.msg);
}

/* A local failure: the round ends DOWN; syncer_once returns it. */
static void
local_failure(struct chan *c, struct sp_err *err)
{
	struct syncer	*s = c->s;

	set_state(c, SYNCER_DOWN, "%s: %s", sp_code_name(err->code),
	    err->msg);
	c->rd.local = 1;
	/*
	 * SPE_RECOVERING: a channel of this round found a receiver ahead and
	 * marked the node; its refusal says why, this is only its echo.
	 */
	if (!s->failed && err->code != SPE_RECOVERING) {
		s->failed = 1;
		sp_errf(&s->fatal, err->code, "%s", err->msg);
	}
	sp_err_clear(err);
}

long
syncer_backoff(int fails, long retry_after)
{
	long	 d = 1L << (fails < 9 ? (fails > 0 ? fails : 0) : 9);

	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	d = d / 2 + (long)arc4random_uniform((uint32_t)(d / 2 + 1));
	if (d < retry_after)
		d = retry_after;
	return d;
}

static void
schedule(struct chan *c, long ms, void (*fn)(void *))
{
	struct sp_err	 err = { 0 };

	if (loop_after(c->s->cfg.loop, ms, fn, c, &err) == -1)
		fatal("%s", err.msg);
}

/* The channel's last error and when, or none after a good round. */
static int
note(struct chan *c, struct sp_err *err)
{
	struct store	*st = c->s->cfg.store;

	if (store_begin(st, err) == -1)
		return -1;
	if (store_channel_note(st, c->peer, c->rd.state == SYNCER_OK ? NULL :
	    c->rd.msg, util_now(), err) == -1 ||
	    store_commit(st, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

static void
round_end(struct chan *c)
{
	struct syncer	*s = c->s;
	struct sp_err	 err = { 0 };
	struct timespec	 now;
	long		 next;

	buf_clear(&c->body);
	if (note(c, &err) == -1)
		local_failure(c, &err);
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->rd.seconds = (double)(now.tv_sec - c->started.tv_sec) +
	    (double)(now.tv_nsec - c->started.tv_nsec) / 1e9;
	if (s->cfg.report != NULL)
		s->cfg.report(s->cfg.report_arg, &c->rd);
	if (!s->forever) {
		if (--s->busy == 0)
			loop_stop(s->cfg.loop);
		return;
	}
	if (c->rd.state == SYNCER_OK) {
		c->fails = 0;
		next = s->cfg.interval;
	} else {
		c->fails++;
		next = syncer_backoff(c->fails, c->retry_after);
		log_event(LL_WARN, "round", c->rd.msg,
		    "peer=%s state=%s next_s=%ld", c->peer,
		    c->rd.state == SYNCER_DOWN ? "down" : "refused", next);
	}
	if (c->rd.sent > 0 || c->rd.pulled > 0)
		log_event(LL_INFO, "round", NULL, "peer=%s state=%s sent=%d "
		    "acked=%lld pulled=%d received=%lld seconds=%.3f", c->peer,
		    c->rd.state == SYNCER_OK ? "ok" : c->rd.state ==
		    SYNCER_DOWN ? "down" : "refused", c->rd.sent,
		    (long long)c->rd.acked, c->rd.pulled,
		    (long long)c->rd.received, c->rd.seconds);
	schedule(c, next * 1000, round_start);
}

/* A transfer that failed: down (retry later) or refused (someone acts). */
static void
judge(struct chan *c, const struct client_result *r)
{
	int	 n = r->len > 200 ? 200 : (int)r->len;

	c->retry_after = r->retry_after;
	if (r->status == 0)
		set_state(c, SYNCER_DOWN, "%s", r->err.msg);
	else
		set_state(c, r->status >= 500 || r->status == 429 ?
		    SYNCER_DOWN : SYNCER_REFUSED, "%s answered %d: %.*s",
		    c->via, r->status, n, r->body ? (const char *)r->body :
		    "");
}

static int
start(struct chan *c, const char *method, const char *url,
    client_done *done)
{
	struct client_call	 call;
	struct sp_err		 err = { 0 };

	memset(&call, 0, sizeof(call));
	call.method = method;
	call.url = url;
	call.peer = c->via;
	call.pins = c->pins;
	if (strcmp(method, "POST") == 0) {
		call.body = c->body.data;
		call.len = c->body.len;
	}
	call.max_response = MAX_RESPONSE;
	call.timeout = XFER_TIMEOUT;
	call.relay = c->deliver ? c->relay : NULL;
	if (strcmp(c->via, "hub") == 0)
		call.name = c->s->cfg.node->name;
	if (client_start(c->s->cfg.client, &call, done, c, &err) == -1) {
		local_failure(c, &err);
		return -1;
	}
	return 0;
}

/* ---- cut and push ---------------------------------------------------- */

static int
cut(struct chan *c, struct sp_err *err)
{
	struct syncer		*s = c->s;
	struct store_channel	 ch;
	int64_t			 relayed;
	char			*why;
	int			 n;

	/* Nothing leaves a node that is recovering: it may reuse a seq. */
	if ((n = settings_recovering(s->cfg.store, &why, err)) != 0) {
		if (n == 1)
			sp_errf(err, SPE_RECOVERING, "this node is recovering "
			    "(%s): run simpul recover", why);
		free(why);
		return -1;
	}
	if ((s->cfg.begin != NULL ? s->cfg.begin(s->cfg.begin_arg, err) :
	    store_begin(s->cfg.store, err)) == -1)
		return -1;
	if (sync_cut(s->cfg.store, s->cfg.conf, c->peer, util_now(), &n,
	    err) == -1 || store_commit(s->cfg.store, err) == -1) {
		store_rollback(s->cfg.store);
		return -1;
	}
	if (store_channel_get(s->cfg.store, c->peer, 1, &ch, err) == -1)
		return -1;
	c->cutseq = ch.seq;
	c->pos = ch.head;
	c->resend = 0;
	/* Through the hub: what it relayed is on its way. */
	if (strcmp(c->via, "hub") == 0 && strcmp(c->peer, "hub") != 0) {
		if ((relayed = store_channel_relayed(s->cfg.store, c->peer,
		    err)) == -1)
			return -1;
		if (relayed > c->pos)
			c->pos = relayed;
	}
	if (ch.acked > c->rd.acked)
		c->rd.acked = ch.acked;
	return 0;
}

/* ---- the hub's directory and CRL ------------------------------------- */

/* GET what (directory, crl) from the hub, the channel's server. */
static void
fetch(struct chan *c, const char *what, client_done *done)
{
	size_t	 n = strlen(c->url) - strlen("/v1/batches");
	char	*url = xasprintf("%.*s/v1/%s", (int)n, c->url, what);

	if (start(c, "GET", url, done) == -1)
		round_end(c);
	free(url);
}

/* 0: go on with the round; -1: the hub did not answer (state set). */
static int
fetched(struct chan *c, const struct client_result *r, const char *what)
{
	int	 n = r->len > 200 ? 200 : (int)r->len;

	if (r->status == 0 || r->status >= 500 || r->status == 429) {
		judge(c, r);
		round_end(c);
		return -1;
	}
	if (r->status != 200)
		log_warnx("the hub's %s: it answered %d: %.*s", what,
		    r->status, n, r->body != NULL ? (const char *)r->body : "");
	return 0;
}

static void
on_directory(void *arg, const struct client_result *r)
{
	struct chan	*c = arg;
	struct syncer	*s = c->s;
	struct sp_err	 err = { 0 };
	int		 rc;

	if (fetched(c, r, "directory") == -1)
		return;
	if (r->status == 200) {
		rc = directory_accept(s->cfg.store, s->cfg.ctx->trust,
		    &s->cfg.ctx->limits, r->body, r->len, util_now(), &err);
		if (rc == -1)
			log_warnx("the hub's directory is refused: %s: %s",
			    sp_code_name(err.code), err.msg);
		sp_err_clear(&err);
	}
	if (s->cfg.node->crl == NULL)
		cut_push(c);
	else
		fetch(c, "crl", on_crl);
}

/* Loud, every round, while the CRL held is past its next update. */
static void
crl_stale(const char *path)
{
	struct trust_crlinfo	 ci;
	struct sp_err		 err = { 0 };
	char			 when[UTIL_TIME_LEN];

	if (trust_crl_info(path, &ci, &err) == -1) {
		log_warnx("the CRL %s: %s", path, err.msg);
		sp_err_clear(&err);
		return;
	}
	if (ci.next != 0 && ci.next < util_now()) {
		util_time_format(ci.next, 0, when);
		log_warnx("the CRL %s is stale: its next update was due %s; "
		    "every signature is refused until a fresh one is "
		    "installed", path, when);
	}
}

static void
on_crl(void *arg, const struct client_result *r)
{
	struct chan		*c = arg;
	struct syncer		*s = c->s;
	const struct node	*nd = s->cfg.node;
	struct trust_crlinfo	 ci;
	struct sp_err		 err = { 0 };
	int			 rc;

	if (fetched(c, r, "CRL") == -1)
		return;
	if (r->status == 200) {
		rc = directory_crl_install(nd->ca, nd->crl, r->body, r->len,
		    &ci, &err);
		if (rc == -1)
			log_warnx("the hub's CRL is refused: %s", err.msg);
		else if (rc == 1) {
			log_info("the hub's CRL (number %s) installed at %s",
			    ci.number[0] != '\0' ? ci.number : "none",
			    nd->crl);
			if (s->cfg.trust_changed != NULL)
				s->cfg.trust_changed(s->cfg.trust_arg);
		}
		sp_err_clear(&err);
	}
	crl_stale(nd->crl);
	cut_push(c);
}

/* Peers without a channel yet (added since) get one through the hub. */
static int
new_peer(void *arg, const struct store_peer *p, const char *pins)
{
	struct syncer	*s = arg;
	struct chan	*n;

	(void)pins;
	if (p->url != NULL || strcmp(p->code, "hub") == 0 ||
	    chan_find(s, p->code) != NULL)
		return 0;
	n = chan_add(s, p->code, "hub", s->hub, s->hub_pins);
	log_info("%s: a channel through the hub", p->code);
	if (!s->forever)
		s->busy++;
	schedule(n, 0, round_start);
	return 0;
}

static void
new_peers(struct syncer *s)
{
	struct sp_err	 err = { 0 };

	if (!s->only && store_peer_each(s->cfg.store, new_peer, s,
	    &err) == -1) {
		log_warnx("the peers: %s", err.msg);
		sp_err_clear(&err);
	}
}

static void
round_start(void *arg)
{
	struct chan	*c = arg;

	memset(&c->rd, 0, sizeof(c->rd));
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->rd.peer = c->peer;
	c->rd.via = c->via;
	c->phase = PH_PUSH;
	c->resent = 0;
	c->retry_after = 0;
	if (c->deliver) {
		deliver_next(c);
		return;
	}
	if (strcmp(c->peer, "hub") == 0 && c->s->hub != NULL) {
		new_peers(c->s);
		fetch(c, "directory", on_directory);
		return;
	}
	cut_push(c);
}

static void
cut_push(struct chan *c)
{
	struct sp_err	 err = { 0 };

	if (cut(c, &err) == -1) {
		local_failure(c, &err);
		round_end(c);
		return;
	}
	push_next(c);
}

/*
 * The receiver holds a seq above anything cut here: this node lost its
 * state (an old backup, a new database).  Writing on would reuse numbers
 * and channel positions, so it stops writing until simpul recover.
 */
static void
ahead(struct chan *c, long long seq)
{
	struct store	*st = c->s->cfg.store;
	struct sp_err	 err = { 0 };
	char		 why[200];

	snprintf(why, sizeof(why), "%s holds seq %lld but this node cut only "
	    "up to %lld", c->peer, seq, (long long)c->cutseq);
	set_state(c, SYNCER_REFUSED, "%s: it lost its state (run simpul "
	    "recover)", why);
	if (store_begin(st, &err) == -1)
		goto bad;
	if (settings_mark_recovering(st, why, &err) == -1 ||
	    store_commit(st, &err) == -1) {
		store_rollback(st);
		goto bad;
	}
	log_warnx("%s: writes are refused until simpul recover is done", why);
	return;
bad:
	local_failure(c, &err);
}

/* A batch of receipts only: the receiver's 200 is all it earns. */
static int
ack_bare(struct chan *c, struct sp_err *err)
{
	struct store	*st = c->s->cfg.store;

	if (store_begin(st, err) == -1)
		return -1;
	if (store_batch_out_ack(st, c->peer, c->pos, c->digest, NULL, 0, NULL,
	    0, err) == -1 || store_commit(st, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* 0: go on with the next batch; -1: the round ended (state set). */
static int
posted(struct chan *c, const struct client_result *r)
{
	struct syncer	*s = c->s;
	struct receipt	 rc;
	struct sp_err	 err = { 0 };

	if (r->len == 0)
		return ack_bare(c, &err) == -1 ? (local_failure(c, &err), -1) :
		    0;
	if (recv_receipt(s->cfg.store, s->cfg.ctx, r->body, r->len,
	    util_now(), &rc, &err) == -1) {
		receipt_clear(&rc);
		if (sp_code_exit(err.code) == 3)
			local_failure(c, &err);
		else
			set_state(c, SYNCER_REFUSED, "the receipt for seq "
			    "%lld: %s: %s", (long long)c->pos,
			    sp_code_name(err.code), err.msg);
		sp_err_clear(&err);
		return -1;
	}
	if (rc.kind == RECEIPT_FINAL && rc.batch_seq > c->rd.acked)
		c->rd.acked = rc.batch_seq;
	if (rc.kind == RECEIPT_FINAL && rc.head_seq > c->cutseq) {
		ahead(c, (long long)rc.head_seq);
		receipt_clear(&rc);
		return -1;
	}
	receipt_clear(&rc);
	return 0;
}

static void
on_post(void *arg, const struct client_result *r)
{
	struct chan	*c = arg;
	long		 want = r->expected_seq;

	waiting(c, r->waiting);
	if (r->status == 200) {
		if (posted(c, r) == -1) {
			round_end(c);
			return;
		}
		c->rd.sent++;
		schedule(c, 0, push_next);
		return;
	}
	if (r->status == 409 && want > c->cutseq + 1) {
		ahead(c, want - 1);
		round_end(c);
		return;
	}
	if (r->status == 409 && want >= 1 && want <= c->pos && !c->resent) {
		log_info("%s expects seq %ld: resending from there", c->peer,
		    want);
		c->resent = c->resend = 1;
		c->pos = want - 1;
		schedule(c, 0, push_next);
		return;
	}
	judge(c, r);
	round_end(c);
}

static void
push_next(void *arg)
{
	struct chan	*c = arg;
	struct sp_err	 err = { 0 };
	int64_t		 seq;
	int		 rc;

	buf_clear(&c->body);
	rc = store_batch_out_next(c->s->cfg.store, c->peer, c->pos,
	    !c->resend, &seq, c->digest, &c->body, &err);
	if (rc == -1) {
		local_failure(c, &err);
		round_end(c);
		return;
	}
	if (rc == 1) {
		c->pos = seq;
		if (start(c, "POST", c->url, on_post) == -1)
			round_end(c);
		return;
	}
	if (c->phase == PH_FLUSH)
		round_end(c);
	else {
		c->phase = PH_PULL;
		pull_next(c);
	}
}

/* ---- pull ------------------------------------------------------------ */

/* A pulled batch: straight from its author, or relayed with its receipt. */
static int
receive(struct chan *c, const struct recv_ctx *ctx,
    const struct client_result *r, struct recv_outcome *o,
    struct sp_err *err)
{
	struct buf	 relay;
	int		 rc;

	memset(o, 0, sizeof(*o));
	if (r->relay == NULL)
		return recv_batch(c->s->cfg.store, ctx, r->body, r->len,
		    util_now(), o, err);
	buf_init(&relay, ctx->limits.max_bytes);
	rc = util_unhex(r->relay, &relay, err);
	if (rc == 0)
		rc = recv_relayed(c->s->cfg.store, ctx, r->body, r->len,
		    relay.data, relay.len, util_now(), o, err);
	buf_clear(&relay);
	return rc;
}

static int
pulled(struct chan *c, const struct client_result *r, int64_t at)
{
	struct syncer		*s = c->s;
	struct store_channel	 ch;
	struct recv_outcome	 o;
	struct recv_ctx		 ctx = *s->cfg.ctx;
	struct sp_err		 err = { 0 };
	int			 i;

	ctx.pusher = c->peer;
	if (receive(c, &ctx, r, &o, &err) == -1) {
		/* Exit 3 (environment): this node's store failed, not the
		 * batch; the peer keeps it for the next round. */
		if (sp_code_exit(err.code) == 3)
			local_failure(c, &err);
		else
			set_state(c, SYNCER_REFUSED, "batch after seq %lld "
			    "from %s: %s: %s", (long long)at, c->peer,
			    sp_code_name(err.code), err.msg);
		recv_outcome_clear(&o);
		sp_err_clear(&err);
		return -1;
	}
	for (i = 0; i < OUTCOME_MAX; i++)
		c->rd.n[i] += o.n[i];
	recv_outcome_clear(&o);
	c->rd.pulled++;
	if (store_channel_get(s->cfg.store, c->peer, 0, &ch, &err) == -1) {
		local_failure(c, &err);
		return -1;
	}
	if (ch.seq <= at) {
		set_state(c, SYNCER_REFUSED, "%s answered after seq %lld with "
		    "a batch already held", c->via, (long long)at);
		return -1;
	}
	c->rd.received = ch.seq;
	return 0;
}

/* What was pulled earned final receipts: cut them and push at once. */
static void
flush(void *arg)
{
	struct chan	*c = arg;
	struct sp_err	 err = { 0 };

	c->phase = PH_FLUSH;
	if (cut(c, &err) == -1) {
		local_failure(c, &err);
		round_end(c);
		return;
	}
	push_next(c);
}

/*
 * The hub names the authors with batches waiting for this node: each one
 * without a channel here gets one (through the hub), and a round now.
 */
static void
waiting(struct chan *c, const char *list)
{
	struct syncer	*s = c->s;
	struct chan	*n;
	char		 code[16];
	const char	*p = list;
	size_t		 len;

	if (list == NULL || strcmp(c->via, "hub") != 0 || s->hub == NULL)
		return;
	while (*p != '\0') {
		len = strcspn(p, ": ");
		if (len > 0 && len < sizeof(code)) {
			memcpy(code, p, len);
			code[len] = '\0';
			if (util_node_code_valid(code) &&
			    chan_find(s, code) == NULL) {
				n = chan_add(s, code, "hub", s->hub,
				    s->hub_pins);
				log_info("%s has batches for this node at the "
				    "hub", code);
				if (!s->forever)
					s->busy++;
				schedule(n, 0, round_start);
			}
		}
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
}

static void
on_get(void *arg, const struct client_result *r)
{
	struct chan	*c = arg;

	waiting(c, r->waiting);
	if (r->status == 200) {
		if (pulled(c, r, c->rd.received) == -1)
			round_end(c);
		else
			schedule(c, 0, pull_next);
		return;
	}
	if (r->status != 204) {
		judge(c, r);
		round_end(c);
		return;
	}
	if (c->rd.pulled == 0)
		round_end(c);
	else
		schedule(c, 0, flush);
}

static void
pull_next(void *arg)
{
	struct chan		*c = arg;
	struct store_channel	 ch;
	struct sp_err		 err = { 0 };
	char			*url;
	int			 rc;

	if (store_channel_get(c->s->cfg.store, c->peer, 0, &ch, &err) == -1) {
		local_failure(c, &err);
		round_end(c);
		return;
	}
	c->rd.received = ch.seq;
	url = xasprintf("%s?from=%s&to=%s&after=%lld", c->url, c->peer,
	    c->s->cfg.node->code, (long long)ch.seq);
	rc = start(c, "GET", url, on_get);
	free(url);
	if (rc == -1)
		round_end(c);
}

/* ---- the hub delivering ---------------------------------------------- */

/* One change to the relay's bookkeeping, in a transaction of its own. */
static int
relay_note(struct chan *c, const char *state, const char *why,
    int64_t held, int64_t redo, struct sp_err *err)
{
	struct store	*st = c->s->cfg.store;

	if (store_begin(st, err) == -1)
		return -1;
	if ((state != NULL && store_relay_mark(st, c->digest, state, why,
	    err) == -1) ||
	    (held > 0 && store_relay_held(st, c->author, c->peer, held,
	    err) == -1) ||
	    (redo > 0 && store_relay_redo(st, c->author, c->peer, redo,
	    err) == -1) ||
	    store_commit(st, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

static int
pick(void *arg, const struct store_relay *r)
{
	struct chan	*c = arg;

	snprintf(c->author, sizeof(c->author), "%s", r->author);
	snprintf(c->digest, sizeof(c->digest), "%s", r->digest);
	c->pos = r->seq;
	buf_clear(&c->body);
	free(c->relay);
	c->relay = xmalloc(r->receipt_len * 2 + 1);
	util_hex(r->receipt, r->receipt_len, c->relay);
	return buf_add(&c->body, r->bytes, r->len, NULL);
}

static int
has_seq(void *arg, const struct store_relay *r)
{
	(void)arg;
	(void)r;
	return 0;
}

/*
 * What the destination said to a relayed batch: taken (200), behind (a
 * 409 naming an earlier seq the hub holds: deliver again from there),
 * ahead (it has this one already), or refused: recorded, for the author
 * to read at GET /v1/receipts, and delivery goes on with the next.
 */
static void
on_deliver(void *arg, const struct client_result *r)
{
	struct chan	*c = arg;
	struct sp_err	 err = { 0 };
	long		 want = r->expected_seq;
	int		 rc = 0, n;
	char		 why[300];

	if (r->status == 200) {
		c->rd.sent++;
		rc = relay_note(c, "delivered", NULL, c->pos, 0, &err);
	} else if (r->status == 409 && want > c->pos)
		rc = relay_note(c, NULL, NULL, want - 1, 0, &err);
	else if (r->status == 409 && want >= 1 && want < c->pos &&
	    (rc = store_relay_at(
	    c->s->cfg.store, c->author, c->peer, want, has_seq, NULL,
	    &err)) == 1)
		rc = relay_note(c, NULL, NULL, 0, want, &err);
	else if (rc != -1 && r->status != 0 && r->status < 500 &&
	    r->status != 429) {
		n = r->len > 200 ? 200 : (int)r->len;
		snprintf(why, sizeof(why), "%s answered %d: %.*s", c->peer,
		    r->status, n, r->body ? (const char *)r->body : "");
		strip_newlines(why);
		rc = relay_note(c, "refused", why, 0, 0, &err);
		log_warnx("relayed batch %s->%s seq %lld refused: %s",
		    c->author, c->peer, (long long)c->pos, why);
	} else if (rc != -1) {
		judge(c, r);
		round_end(c);
		return;
	}
	if (rc == -1) {
		local_failure(c, &err);
		round_end(c);
		return;
	}
	schedule(c, 0, deliver_next);
}

static void
deliver_next(void *arg)
{
	struct chan	*c = arg;
	struct sp_err	 err = { 0 };
	int		 rc;

	rc = store_relay_undelivered(c->s->cfg.store, c->peer, pick, c, &err);
	if (rc == -1) {
		local_failure(c, &err);
		round_end(c);
	} else if (rc == 0)
		round_end(c);
	else if (start(c, "POST", c->url, on_deliver) == -1)
		round_end(c);
}

/* ---- running --------------------------------------------------------- */

int
syncer_once(struct syncer *s, struct sp_err *err)
{
	int	 i;

	s->forever = 0;
	if (s->n == 0)
		return 0;
	s->busy = s->n;
	for (i = 0; i < s->n; i++)
		schedule(s->chans[i], 0, round_start);
	if (loop_run(s->cfg.loop) != 0)
		return sp_errf(err, SPE_NET, "interrupted by a signal: "
		    "everything stays stored");
	if (s->failed)
		return sp_errf(err, s->fatal.code, "%s", s->fatal.msg);
	return 0;
}

void
syncer_start(struct syncer *s)
{
	int	 i;

	s->forever = 1;
	for (i = 0; i < s->n; i++)
		schedule(s->chans[i], 0, round_start);
}
