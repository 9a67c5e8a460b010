/*
 * node.c: this node's run-time identity, read from the settings, and its
 * key and trust store.  It owns the rule for which nodes this one talks to
 * (node_knows); it does not read key bytes itself (trust.c does).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "exchange/node.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "wire/trust.h"
#include "core/xmalloc.h"

static int
get(struct store *s, const char *key, char **out, struct sp_err *err)
{
	return settings_get(s, key, out, err);
}

int
node_load(struct store *s, int what, struct node *n, struct sp_err *err)
{
	char	*code = NULL, *role = NULL, *zone = NULL;
	int	 rc = -1;

	memset(n, 0, sizeof(*n));
	if (get(s, "node.code", &code, err) == -1 ||
	    get(s, "node.role", &role, err) == -1 ||
	    get(s, "node.zone", &zone, err) == -1 ||
	    get(s, "node.name", &n->name, err) == -1 ||
	    get(s, "node.instance", &n->instance, err) == -1 ||
	    get(s, "node.cert", &n->cert, err) == -1 ||
	    get(s, "node.key", &n->key, err) == -1 ||
	    get(s, "node.ca", &n->ca, err) == -1 ||
	    get(s, "node.crl", &n->crl, err) == -1 ||
	    get(s, "node.hub", &n->hub, err) == -1 ||
	    settings_recovering(s, &n->recovering, err) == -1)
		goto out;
	snprintf(n->code, sizeof(n->code), "%s", code);
	n->is_hub = strcmp(role, "hub") == 0;
	n->offset = settings_zone_offset(zone);
	if (n->crl[0] == '\0') {
		free(n->crl);
		n->crl = NULL;
	}
	if (n->hub[0] == '\0') {
		free(n->hub);
		n->hub = NULL;
	}
	if (what == NODE_KEYS &&
	    ((n->trust = trust_load(n->ca, n->crl, err)) == NULL ||
	    (n->keys = trust_key_load(n->key, n->cert, err)) == NULL))
		goto out;
	rc = 0;
out:
	free(code);
	free(role);
	free(zone);
	if (rc == -1)
		node_clear(n);
	return rc;
}

void
node_clear(struct node *n)
{
	trust_key_free(n->keys);
	trust_free(n->trust);
	free(n->name);
	free(n->instance);
	free(n->cert);
	free(n->key);
	free(n->ca);
	free(n->crl);
	free(n->hub);
	free(n->recovering);
	memset(n, 0, sizeof(*n));
}

int
node_knows(struct store *s, const char *code, struct sp_err *err)
{
	char	*hub;
	int	 rc;

	/* The hub this node is configured with, peer or not. */
	if (strcmp(code, "hub") == 0) {
		if (settings_get(s, "node.hub", &hub, err) == -1)
			return -1;
		rc = hub[0] != '\0';
		free(hub);
		if (rc)
			return 1;
	}
	if ((rc = store_peer_get(s, code, NULL, err)) != 0 ||
	    (rc = store_directory_has(s, code, err)) != 1)
		return rc;
	return 2;
}
