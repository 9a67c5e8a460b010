/*
 * route.c: the routing rules of DESIGN §5, pure.  Every author sends its
 * own events of a complaint to every node involved in it (its origin and
 * every node that has owned it) and to the hub; a node that becomes
 * involved gets every earlier author's events of that complaint by
 * backfill.  It never decides what a field may carry (privacy: no identity
 * is in struct event at all) nor how a batch travels (direct or relayed).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "rules/event.h"
#include "rules/route.h"

void
route_set_init(struct route_set *s)
{
	s->n = 0;
}

int
route_set_has(const struct route_set *s, const char *code)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->node[i], code) == 0)
			return 1;
	return 0;
}

int
route_set_add(struct route_set *s, const char *code, struct sp_err *err)
{
	if (route_set_has(s, code))
		return 0;
	if (s->n == ROUTE_MAX)
		return sp_errf(err, SPE_INVALID, "a complaint involves at most "
		    "%d nodes", ROUTE_MAX);
	snprintf(s->node[s->n++], ROUTE_CODE, "%s", code);
	return 1;
}

int
route_involve(struct route_set *s, const struct event *e,
    const char **newcomer, struct sp_err *err)
{
	const char	*code;
	int		 rc;

	*newcomer = NULL;
	if (e->kind == EV_FILED)
		code = e->author;
	else if (e->kind == EV_FORWARDED)
		code = e->to;
	else
		return 0;
	if ((rc = route_set_add(s, code, err)) == 1)
		*newcomer = code;
	return rc;
}

void
route_destinations(const struct route_set *involved, const char *self,
    const char *hub, struct route_set *out)
{
	size_t	 i;

	route_set_init(out);
	for (i = 0; i < involved->n; i++)
		if (strcmp(involved->node[i], self) != 0)
			(void)route_set_add(out, involved->node[i], NULL);
	/* involved->n <= ROUTE_MAX, so the spare slot always fits the hub. */
	if (hub != NULL && strcmp(hub, self) != 0 && !route_set_has(out, hub))
		snprintf(out->node[out->n++], ROUTE_CODE, "%s", hub);
}

int
route_backfill(const char *newcomer, const char *self, const char *hub)
{
	if (strcmp(newcomer, self) == 0)
		return 0;
	return hub == NULL || strcmp(newcomer, hub) != 0;
}
