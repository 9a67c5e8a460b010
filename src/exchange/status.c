/*
 * status.c: a node's channels gathered from the store, for peers
 * (GET /v1/status) and people (simpul status).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/fmt.h"
#include "exchange/node.h"
#include "exchange/status.h"
#include "store/store.h"
#include "wire/trust.h"
#include "core/xmalloc.h"

struct collect {
	struct status_chan	*c;
	int			 n;
};

static int
add_peer(void *arg, const struct store_peer *p, const char *pins)
{
	struct collect		*x = arg;
	struct status_chan	*c;

	(void)pins;
	x->c = xreallocarray(x->c, x->n + 1, sizeof(*x->c));
	c = &x->c[x->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->peer, sizeof(c->peer), "%s", p->code);
	c->url = p->url ? xstrdup(p->url) : NULL;
	return 0;
}

static int
count_out(void *arg, const struct store_batch *b)
{
	struct status_chan	*c = arg;

	c->refused += b->refused;
	if (strcmp(b->state, "stored") == 0 && b->seq > c->head)
		c->unacked++;
	return 0;
}

static void
keep_error(struct status_chan *c, const struct store_channel *ch)
{
	if (ch->error == NULL || c->error != NULL)
		return;
	c->error = xstrdup(ch->error);
	c->error_at = ch->error_at;
}

int
status_collect(struct store *s, const char *hub, struct status_chan **out,
    int *n, struct sp_err *err)
{
	struct collect		 x = { NULL, 0 };
	struct store_channel	 ch;
	struct status_chan	*c;
	int			 i;

	*out = NULL;
	*n = 0;
	if (store_peer_each(s, add_peer, &x, err) == -1)
		goto bad;
	if (hub != NULL) {
		x.c = xreallocarray(x.c, x.n + 1, sizeof(*x.c));
		c = &x.c[x.n++];
		memset(c, 0, sizeof(*c));
		snprintf(c->peer, sizeof(c->peer), "hub");
		c->url = xstrdup(hub);
	}
	for (i = 0; i < x.n; i++) {
		c = &x.c[i];
		if (store_channel_get(s, c->peer, 1, &ch, err) == -1)
			goto bad;
		c->sent = ch.seq;
		c->acked = ch.acked;
		c->head = ch.head;
		c->ok_at = ch.ok_at;
		keep_error(c, &ch);
		if (store_channel_get(s, c->peer, 0, &ch, err) == -1)
			goto bad;
		c->received = ch.seq;
		c->halted = ch.halted;
		keep_error(c, &ch);
		if ((c->queued = store_outbox_count(s, c->peer, err)) == -1 ||
		    (c->held = store_held_count(s, c->peer, err)) == -1 ||
		    store_batch_out_each(s, c->peer, 1, count_out, c,
		    err) == -1)
			goto bad;
	}
	*out = x.c;
	*n = x.n;
	return 0;
bad:
	status_free(x.c, x.n);
	return -1;
}

void
status_free(struct status_chan *c, int n)
{
	int	 i;

	for (i = 0; i < n; i++) {
		free(c[i].url);
		free(c[i].error);
	}
	free(c);
}

void
status_crl(const struct node *nd, int64_t now, struct status_crl *out)
{
	struct trust_crlinfo	 ci;
	struct sp_err		 err = { 0 };

	memset(out, 0, sizeof(*out));
	if ((out->path = nd->crl) == NULL)
		return;
	if (trust_crl_info(nd->crl, &ci, &err) == -1) {
		snprintf(out->error, sizeof(out->error), "%s", err.msg);
		sp_err_clear(&err);
		return;
	}
	out->ok = 1;
	snprintf(out->number, sizeof(out->number), "%s", ci.number);
	out->last = ci.last;
	out->next = ci.next;
	out->stale = ci.next != 0 && ci.next < now;
}

static void
crl_write(struct fmt *w, const struct node *nd, int64_t now)
{
	struct status_crl	 crl;

	status_crl(nd, now, &crl);
	fmt_obj_field(w, "crl");
	fmt_str(w, "path", crl.path);
	if (crl.ok) {
		fmt_str(w, "number", crl.number);
		fmt_time(w, "last_update", crl.last, nd->offset);
		if (crl.next != 0)
			fmt_time(w, "next_update", crl.next, nd->offset);
		fmt_bool(w, "stale", crl.stale);
	} else if (crl.path != NULL)
		fmt_str(w, "error", crl.error);
	fmt_obj_end(w, "crl");
}

void
status_write(struct fmt *w, const struct node *nd, int64_t now,
    const struct status_chan *c, int n)
{
	int	 i;

	fmt_obj_begin(w, "status");
	fmt_str(w, "node", nd->code);
	fmt_str(w, "name", nd->name);
	fmt_str(w, "role", nd->is_hub ? "hub" : "regency");
	fmt_str(w, "instance", nd->instance);
	if (nd->recovering != NULL)
		fmt_str(w, "recovering", nd->recovering);
	fmt_time(w, "time", now, nd->offset);
	crl_write(w, nd, now);
	fmt_list_begin(w, "peers", "peer");
	for (i = 0; i < n; i++) {
		fmt_obj_begin(w, "peer");
		fmt_str(w, "code", c[i].peer);
		fmt_str(w, "url", c[i].url);
		fmt_int(w, "sent", c[i].sent);
		fmt_int(w, "acked", c[i].acked);
		fmt_int(w, "head", c[i].head);
		fmt_int(w, "received", c[i].received);
		fmt_int(w, "queued", c[i].queued);
		fmt_int(w, "unacked", c[i].unacked);
		fmt_int(w, "held", c[i].held);
		fmt_int(w, "refused", c[i].refused);
		fmt_bool(w, "halted", c[i].halted);
		fmt_str(w, "error", c[i].error);
		if (c[i].error != NULL && c[i].error_at != 0)
			fmt_time(w, "error_at", c[i].error_at, nd->offset);
		if (c[i].ok_at != 0)
			fmt_time(w, "ok_at", c[i].ok_at, nd->offset);
		fmt_obj_end(w, "peer");
	}
	fmt_list_end(w, "peers");
	fmt_obj_end(w, "status");
	fmt_end(w);
}
