/*
 * settings.c: the table of settings.  Each key has a default (NULL: set by
 * init), a flag saying whether `config set` may change it, and a check.  It
 * owns validation of the identity given to init; it does not touch
 * certificates (trust.c) or SQL (store.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "core/util.h"
#include "core/xmalloc.h"

static int	 check_zone(const char *, const char *, struct sp_err *);
static int	 check_url(const char *, const char *, struct sp_err *);
static int	 check_int(const char *, const char *, struct sp_err *);

static const struct {
	const char	*key;
	const char	*def;		/* NULL: written by init */
	int		 settable;
	long long	 min, max;	/* for check_int */
	int		(*check)(const char *, const char *, struct sp_err *);
	const char	*help;
} keys[] = {
	{ "node.code", NULL, 0, 0, 0, NULL,
	  "Kemendagri region code, or hub" },
	{ "node.name", NULL, 1, 0, 0, settings_check_name,
	  "the regency's name" },
	{ "node.role", NULL, 0, 0, 0, NULL, "regency or hub" },
	{ "node.instance", NULL, 0, 0, 0, NULL,
	  "this database's instance id, made at init" },
	{ "node.cert", NULL, 0, 0, 0, NULL, "certificate (path)" },
	{ "node.key", NULL, 0, 0, 0, NULL, "private key (path; never stored)" },
	{ "node.ca", NULL, 0, 0, 0, NULL, "federation CA (path)" },
	{ "node.crl", "", 0, 0, 0, NULL, "federation CRL (path), if any" },
	{ "node.hub", "", 1, 0, 0, check_url, "the hub's URL, if any" },
	{ "node.zone", "WIB", 1, 0, 0, check_zone,
	  "time zone of the working-day clocks: WIB, WITA or WIT" },
	{ "target.hours", "24", 1, 1, 720, check_int,
	  "local follow-up target in hours (Demak: 24)" },
	{ "metrics.late_hours", "48", 1, 1, 720, check_int,
	  "hub: an event received this much after its time counts at receipt "
	  "when ranking" },
	{ "limit.batch_bytes", "1048576", 1, 65536, 1048576, check_int,
	  "largest batch this node cuts, in bytes" },
	{ "limit.batch_items", "2000", 1, 1, 2000, check_int,
	  "most items in a batch this node cuts" },
	{ "retention.identity_days", "0", 1, 0, 36500, check_int,
	  "days after closing to keep reporter identity; 0 keeps it" },
	{ "sync.interval_seconds", "60", 1, 1, 86400, check_int,
	  "seconds between sync rounds of serve" },
	{ "serve.max_connections", "1024", 1, 8, 65536, check_int,
	  "connections serve --listen holds open at once" },
	{ "metrics.overdue_seconds", "60", 1, 0, 86400, check_int,
	  "serve --metrics: seconds a count of overdue clocks is reused" },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static int
find(const char *key)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

int
settings_zone_offset(const char *zone)
{
	if (strcmp(zone, "WIB") == 0)
		return 7 * 60;
	if (strcmp(zone, "WITA") == 0)
		return 8 * 60;
	if (strcmp(zone, "WIT") == 0)
		return 9 * 60;
	return -1;
}

static int
check_zone(const char *key, const char *v, struct sp_err *err)
{
	if (settings_zone_offset(v) == -1)
		return sp_errf(err, SPE_INVALID,
		    "%s: '%s' is not WIB, WITA or WIT", key, v);
	return 0;
}

int
settings_check_name(const char *key, const char *v, struct sp_err *err)
{
	size_t	 n = strlen(v);

	if (n == 0 || n > 200 || !util_utf8_valid(v, n) ||
	    strpbrk(v, "\t\r\n") != NULL)
		return sp_errf(err, SPE_INVALID,
		    "%s: give 1 to 200 bytes of UTF-8 on one line", key);
	return 0;
}

static int
check_url(const char *key, const char *v, struct sp_err *err)
{
	size_t	 n = strlen(v);

	if (n == 0)
		return 0;
	if (strncmp(v, "https://", 8) != 0 || n == 8 || n > 512 ||
	    strpbrk(v, " \t\r\n\"<>\\") != NULL)
		return sp_errf(err, SPE_INVALID,
		    "%s: '%s' is not an https:// URL", key, v);
	return 0;
}

static int
check_int(const char *key, const char *v, struct sp_err *err)
{
	long long	 n;
	int		 i = find(key);

	return util_parse_int(v, keys[i].min, keys[i].max, &n, key, err);
}

int
settings_identity_check(const struct settings_identity *id, struct sp_err *err)
{
	if (!util_node_code_valid(id->code))
		return sp_errf(err, SPE_INVALID, "node code '%s' is not hub "
		    "or a region code such as 33.21", id->code);
	if (strcmp(id->role, "regency") != 0 && strcmp(id->role, "hub") != 0)
		return sp_errf(err, SPE_INVALID,
		    "role '%s' is not regency or hub", id->role);
	if ((strcmp(id->role, "hub") == 0) != (strcmp(id->code, "hub") == 0))
		return sp_errf(err, SPE_INVALID,
		    "the hub's code is hub and only the hub has role hub");
	if (settings_check_name("name", id->name, err) == -1 ||
	    check_zone("zone", id->zone, err) == -1)
		return -1;
	if (id->hub != NULL && check_url("hub", id->hub, err) == -1)
		return -1;
	return 0;
}

int
settings_init(struct store *s, const struct settings_identity *id,
    struct sp_err *err)
{
	size_t	 i;
	const struct {
		const char	*key;
		const char	*value;
	} set[] = {
		{ "node.code", id->code }, { "node.name", id->name },
		{ "node.role", id->role }, { "node.instance", id->instance },
		{ "node.cert", id->cert }, { "node.key", id->key },
		{ "node.ca", id->ca }, { "node.crl", id->crl },
		{ "node.hub", id->hub }, { "node.zone", id->zone },
	};

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i].value != NULL &&
		    store_setting_set(s, set[i].key, set[i].value, err) == -1)
			return -1;
	return 0;
}

int
settings_get(struct store *s, const char *key, char **value,
    struct sp_err *err)
{
	int	 i;

	if ((i = find(key)) == -1)
		return sp_errf(err, SPE_NOT_FOUND,
		    "no setting '%s' (see: simpul config get)", key);
	if (store_setting_get(s, key, value, err) == -1)
		return -1;
	if (*value == NULL)
		*value = xstrdup(keys[i].def ? keys[i].def : "");
	return 0;
}

int
settings_get_int(struct store *s, const char *key, long long *out,
    struct sp_err *err)
{
	char	*v;
	int	 rc;

	if (settings_get(s, key, &v, err) == -1)
		return -1;
	rc = util_parse_int(v, keys[find(key)].min, keys[find(key)].max,
	    out, key, err);
	free(v);
	return rc;
}

int
settings_set(struct store *s, const char *key, const char *value,
    struct sp_err *err)
{
	int	 i;

	if ((i = find(key)) == -1)
		return sp_errf(err, SPE_NOT_FOUND,
		    "no setting '%s' (see: simpul config get)", key);
	if (!keys[i].settable)
		return sp_errf(err, SPE_PERMISSION,
		    "%s is fixed at init", key);
	if (keys[i].check(key, value, err) == -1)
		return -1;
	return store_setting_set(s, key, value, err);
}

int
settings_each(struct store *s,
    int (*fn)(void *, const char *, const char *, const char *), void *arg,
    struct sp_err *err)
{
	size_t	 i;
	char	*v;
	int	 rc;

	for (i = 0; i < NKEYS; i++) {
		if (settings_get(s, keys[i].key, &v, err) == -1)
			return -1;
		rc = fn(arg, keys[i].key, v, keys[i].help);
		free(v);
		if (rc == -1)
			return -1;
	}
	return 0;
}

#define RECOVERING	"node.recovering"

int
settings_recovering(struct store *s, char **why, struct sp_err *err)
{
	*why = NULL;
	if (store_setting_get(s, RECOVERING, why, err) == -1)
		return -1;
	if (*why != NULL && **why != '\0')
		return 1;
	free(*why);
	*why = NULL;
	return 0;
}

int
settings_mark_recovering(struct store *s, const char *why, struct sp_err *err)
{
	return store_setting_set(s, RECOVERING, why != NULL ? why : "", err);
}
