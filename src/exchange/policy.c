/*
 * policy.c: a node's policy and its history (DESIGN §6).  It owns the
 * canonical text of a policy version (policy.h), how the current policy
 * is read from the settings, calendar and topics, and when a new version
 * is recorded: at the end of every write transaction of the CLI
 * (cli_commit) and at init, with the time of that command as its
 * effective time, so a change takes effect when it is made and never
 * earlier.  It does not own SQL (store.c) nor the wire form (batch.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "exchange/policy.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

static const char *
zone_name(int offset)
{
	return offset == 480 ? "WITA" : offset == 540 ? "WIT" : "WIB";
}

static int
add_holiday(void *arg, int64_t day, const char *name)
{
	struct policy	*p = arg;

	(void)name;
	p->holidays = xreallocarray(p->holidays, p->nholidays + 1,
	    sizeof(*p->holidays));
	p->holidays[p->nholidays++] = day;
	return 0;
}

static int
add_tier(void *arg, const struct store_category *c)
{
	struct policy	*p = arg;

	p->tiers = xreallocarray(p->tiers, p->ntiers + 1, sizeof(*p->tiers));
	p->tiers[p->ntiers].code = xstrdup(c->code);
	p->tiers[p->ntiers++].tier = c->tier;
	return 0;
}

static int
cmp_tier(const void *a, const void *b)
{
	return strcmp(((const struct metrics_tier *)a)->code,
	    ((const struct metrics_tier *)b)->code);
}

int
policy_current(struct store *s, struct policy *p, struct sp_err *err)
{
	char		*zone = NULL;
	long long	 hours;
	int		 rc = -1;

	memset(p, 0, sizeof(*p));
	if (settings_get(s, "node.zone", &zone, err) == -1 ||
	    settings_get_int(s, "target.hours", &hours, err) == -1)
		goto out;
	if ((p->offset = settings_zone_offset(zone)) == -1)
		p->offset = 7 * 60;
	p->target_hours = (int)hours;
	/* The holiday table's key orders it. */
	if (store_holiday_each(s, INT64_MIN / 2, INT64_MAX / 2, add_holiday,
	    p, err) == -1 ||
	    store_category_each(s, add_tier, p, err) == -1)
		goto out;
	if (p->ntiers > 0)
		qsort(p->tiers, p->ntiers, sizeof(*p->tiers), cmp_tier);
	rc = 0;
out:
	free(zone);
	if (rc == -1)
		policy_clear(p);
	return rc;
}

char *
policy_format(const struct policy *p)
{
	struct buf	 b;
	char		 d[11];
	size_t		 i;

	buf_init(&b, SIZE_MAX);
	buf_printf(&b, NULL, "zone %s\ntarget %d\n", zone_name(p->offset),
	    p->target_hours);
	for (i = 0; i < p->nholidays; i++) {
		util_date_format(p->holidays[i], d);
		buf_printf(&b, NULL, "holiday %s\n", d);
	}
	for (i = 0; i < p->ntiers; i++)
		buf_printf(&b, NULL, "tier %s %d\n", p->tiers[i].code,
		    p->tiers[i].tier);
	return (char *)buf_release(&b, NULL);
}

static int
topic_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= 32 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* One line of the canonical text into p; -1 if it is not one. */
static int
parse_line(char *line, struct policy *p, int *stage)
{
	char		*arg = strchr(line, ' '), *sp;
	long long	 n;
	int64_t		 day;
	struct sp_err	 e = { 0 };

	if (arg == NULL)
		return -1;
	*arg++ = '\0';
	if (strcmp(line, "zone") == 0 && *stage == 0) {
		*stage = 1;
		return (p->offset = settings_zone_offset(arg)) == -1 ? -1 : 0;
	}
	if (strcmp(line, "target") == 0 && *stage == 1) {
		*stage = 2;
		if (util_parse_int(arg, 1, 720, &n, "target", &e) == -1)
			return -1;
		p->target_hours = (int)n;
		return 0;
	}
	if (strcmp(line, "holiday") == 0 && *stage == 2) {
		if (strlen(arg) != 10 || util_date_parse(arg, &day, &e) == -1)
			return -1;
		if (p->nholidays > 0 && p->holidays[p->nholidays - 1] >= day)
			return -1;
		return add_holiday(p, day, NULL);
	}
	if (strcmp(line, "tier") == 0 && *stage >= 2) {
		*stage = 3;
		if ((sp = strchr(arg, ' ')) == NULL)
			return -1;
		*sp++ = '\0';
		if (!topic_valid(arg) || (strcmp(sp, "2") != 0 &&
		    strcmp(sp, "5") != 0 && strcmp(sp, "14") != 0 &&
		    strcmp(sp, "60") != 0))
			return -1;
		if (p->ntiers > 0 &&
		    strcmp(p->tiers[p->ntiers - 1].code, arg) >= 0)
			return -1;
		p->tiers = xreallocarray(p->tiers, p->ntiers + 1,
		    sizeof(*p->tiers));
		p->tiers[p->ntiers].code = xstrdup(arg);
		p->tiers[p->ntiers++].tier = atoi(sp);
		return 0;
	}
	return -1;
}

int
policy_parse(const char *text, struct policy *p, struct sp_err *err)
{
	char	*copy, *rest, *line;
	size_t	 len = strlen(text), lineno = 0;
	int	 stage = 0;

	memset(p, 0, sizeof(*p));
	if (len == 0 || text[len - 1] != '\n')
		return sp_errf(err, SPE_INVALID, "policy: not canonical text");
	copy = xstrdup(text);
	copy[len - 1] = '\0';
	rest = copy;
	while ((line = strsep(&rest, "\n")) != NULL) {
		lineno++;
		if (parse_line(line, p, &stage) == -1) {
			free(copy);
			policy_clear(p);
			return sp_errf(err, SPE_INVALID, "policy: line %zu is "
			    "not canonical", lineno);
		}
	}
	free(copy);
	if (stage < 2) {
		policy_clear(p);
		return sp_errf(err, SPE_INVALID, "policy: no zone or target");
	}
	return 0;
}

void
policy_clear(struct policy *p)
{
	size_t	 i;

	for (i = 0; i < p->ntiers; i++)
		free((char *)p->tiers[i].code);
	free(p->tiers);
	free(p->holidays);
	memset(p, 0, sizeof(*p));
}

/* The last recorded version: its number, effective time and text. */
struct last {
	int64_t		 version;
	int64_t		 effective;
	char		*body;
};

static int
keep_last(void *arg, int64_t version, int64_t effective, const char *body,
    int hub)
{
	struct last	*l = arg;

	(void)hub;
	free(l->body);
	l->version = version;
	l->effective = effective;
	l->body = xstrdup(body);
	return 0;
}

int
policy_note(struct store *s, const char *node, const char *hub,
    int64_t now, int first, struct sp_err *err)
{
	struct policy	 p;
	struct last	 l = { 0, 0, NULL };
	char		*body = NULL;
	int		 rc = -1;

	if (store_policy_each(s, node, keep_last, &l, err) == -1)
		goto out;
	if (first && l.body != NULL) {
		rc = 0;
		goto out;
	}
	if (policy_current(s, &p, err) == -1)
		goto out;
	body = policy_format(&p);
	policy_clear(&p);
	/* Versions never go back in time, whatever the clock did. */
	if ((l.body == NULL || strcmp(l.body, body) != 0) &&
	    store_policy_add(s, node, l.version + 1, now > l.effective ? now :
	    l.effective, body, 0, err) == -1)
		goto out;
	if (hub != NULL && store_policy_queue_hub(s, node, hub, err) == -1)
		goto out;
	rc = 0;
out:
	free(l.body);
	free(body);
	return rc;
}

struct history {
	struct policy	*p;
	size_t		 n;
	struct sp_err	*err;
};

static int
add_version(void *arg, int64_t version, int64_t effective, const char *body,
    int hub)
{
	struct history	*h = arg;
	struct policy	 p;

	(void)hub;
	if (policy_parse(body, &p, h->err) == -1)
		return -1;
	p.version = version;
	p.effective = effective;
	h->p = xreallocarray(h->p, h->n + 1, sizeof(*h->p));
	h->p[h->n++] = p;
	return 0;
}

int
policy_history(struct store *s, const char *node, struct policy **out,
    size_t *n, struct sp_err *err)
{
	struct history	 h = { NULL, 0, err };

	*out = NULL;
	*n = 0;
	if (store_policy_each(s, node, add_version, &h, err) == -1) {
		policy_history_free(h.p, h.n);
		return -1;
	}
	*out = h.p;
	*n = h.n;
	return 0;
}

void
policy_history_free(struct policy *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		policy_clear(&p[i]);
	free(p);
}

void
policy_metrics(const struct policy *p, size_t n, struct metrics_policy *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].effective = p[i].effective;
		out[i].cal.offset = p[i].offset;
		out[i].cal.holidays = p[i].holidays;
		out[i].cal.nholidays = p[i].nholidays;
		out[i].target_hours = p[i].target_hours;
		out[i].tiers = p[i].tiers;
		out[i].ntiers = p[i].ntiers;
	}
}
