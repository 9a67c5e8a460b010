/*
 * settings.c: the store's tables of what a node is set up with (migrations
 * 1 and 5): the settings, the calendar of holidays, the topics, the peers
 * with their pins, and the hub's last verified directory.  It keeps the
 * values; which keys exist, their defaults and checks are
 * exchange/settings.c's, and the directory's signature is checked by
 * exchange/directory.c before it is stored here.
 */
#include "config.h"

#include <stdint.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

#define PEER_COLUMNS	"code, url, instance, added_at, cert, name"

static struct store_category *category_row(const struct store_q *,
		    struct store_category *);
static struct store_peer *peer_row(const struct store_q *,
		    struct store_peer *);
static int	 peer_change(struct store *, const char *, const char *,
		    struct sp_err *);

int
store_setting_get(struct store *s, const char *key, char **value,
    struct sp_err *err)
{
	static const char	*sql =
	    "SELECT value FROM setting WHERE key = ?";
	struct store_q		 q;
	int			 rc;

	*value = NULL;
	if ((rc = store_q_row(s, &q, sql, "setting", ARGS(ARG_TEXT(key)),
	    err)) == 1) {
		*value = xstrdup(store_col_text(&q, 0));
		store_q_end(&q);
	}
	return rc == -1 ? -1 : 0;
}

int
store_setting_set(struct store *s, const char *key, const char *value,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO setting (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value";

	return store_run(s, sql, "setting",
	    ARGS(ARG_TEXT(key), ARG_TEXT(value)), err);
}

/* ---- the calendar ----------------------------------------------------- */

int
store_holiday_clear_year(struct store *s, int year, struct sp_err *err)
{
	static const char	*sql =
	    "DELETE FROM holiday WHERE day >= ? AND day < ?";

	return store_run(s, sql, "calendar",
	    ARGS(ARG_INT(util_days_from_civil(year, 1, 1)),
	    ARG_INT(util_days_from_civil(year + 1, 1, 1))), err);
}

int
store_holiday_add(struct store *s, int64_t day, const char *name,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT INTO holiday (day, name) VALUES (?, ?)";

	return store_run(s, sql, "calendar",
	    ARGS(ARG_INT(day), ARG_TEXT(name)), err);
}

int
store_holiday_each(struct store *s, int64_t from, int64_t to,
    int (*fn)(void *, int64_t, const char *), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT day, name FROM holiday "
	    "WHERE day >= ? AND day < ? ORDER BY day";
	struct store_q		 q;

	store_q_start(s, &q, sql, "calendar", ARGS(ARG_INT(from), ARG_INT(to)),
	    err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_int(&q, 0),
		    store_col_text(&q, 1)));
	return store_q_end(&q);
}

/* ---- topics ----------------------------------------------------------- */

int
store_category_clear(struct store *s, int local, struct sp_err *err)
{
	static const char	*sql_local =
	    "DELETE FROM category WHERE local = 1";
	static const char	*sql_national =
	    "DELETE FROM category WHERE local = 0";

	/*
	 * Local subtopics hang under national topics: while the national list
	 * is replaced, their parents are checked at commit, not at delete.
	 */
	if (!local && store_exec(s, "PRAGMA defer_foreign_keys = ON",
	    err) == -1)
		return -1;
	return store_run(s, local ? sql_local : sql_national, "category",
	    NULL, err);
}

int
store_category_add(struct store *s, const struct store_category *c,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO category "
	    "(code, parent, name, tier, local) VALUES (?, ?, ?, ?, ?)";

	return store_run(s, sql, "category", ARGS(ARG_TEXT(c->code),
	    ARG_TEXT(c->parent), ARG_TEXT(c->name), ARG_INT(c->tier),
	    ARG_INT(c->local)), err);
}

static struct store_category *
category_row(const struct store_q *q, struct store_category *c)
{
	c->code = store_col_text(q, 0);
	c->parent = store_col_text(q, 1);
	c->name = store_col_text(q, 2);
	c->tier = store_col_int(q, 3);
	c->local = store_col_int(q, 4);
	return c;
}

int
store_category_get(struct store *s, const char *code,
    struct store_category *c, struct sp_err *err)
{
	static const char	*sql = "SELECT code, parent, name, tier, local "
	    "FROM category WHERE code = ?";
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "category", ARGS(ARG_TEXT(code)),
	    err)) == 1)
		category_row(&q, c);	/* readable until the next call */
	return rc;
}

int
store_category_each(struct store *s,
    int (*fn)(void *, const struct store_category *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT code, parent, name, tier, local "
	    "FROM category ORDER BY code";
	struct store_category	 c;
	struct store_q		 q;

	store_q_start(s, &q, sql, "category", NULL, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, category_row(&q, &c)));
	return store_q_end(&q);
}

/* ---- peers ------------------------------------------------------------ */

int
store_peer_add(struct store *s, const char *code, const char *url,
    int64_t now, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO peer (code, url, added_at) "
	    "VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING";
	int			 n;

	if ((n = store_run_changes(s, sql, "peer", ARGS(ARG_TEXT(code),
	    ARG_TEXT(url), ARG_INT(now)), err)) == -1)
		return -1;
	if (n == 0)
		return sp_errf(err, SPE_EXISTS, "peer %s is already added",
		    code);
	return 0;
}

int
store_peer_pin_add(struct store *s, const char *code, const char *pin,
    struct sp_err *err)
{
	static const char	*sql =
	    "INSERT OR IGNORE INTO peer_pin (code, pin) VALUES (?, ?)";

	return store_run(s, sql, "peer", ARGS(ARG_TEXT(code), ARG_TEXT(pin)),
	    err);
}

/* Run a one-row UPDATE or DELETE keyed by peer code; none: not found. */
static int
peer_change(struct store *s, const char *sql, const char *code,
    struct sp_err *err)
{
	int	 n;

	if ((n = store_run_changes(s, sql, "peer", ARGS(ARG_TEXT(code)),
	    err)) == -1)
		return -1;
	if (n == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no peer %s", code);
	return 0;
}

int
store_peer_remove(struct store *s, const char *code, struct sp_err *err)
{
	return peer_change(s, "DELETE FROM peer WHERE code = ?", code, err);
}

int
store_peer_reenrol(struct store *s, const char *code, struct sp_err *err)
{
	return peer_change(s, "UPDATE peer SET instance = NULL WHERE code = ?",
	    code, err);
}

/* A peer from a row of PEER_COLUMNS. */
static struct store_peer *
peer_row(const struct store_q *q, struct store_peer *p)
{
	p->code = store_col_text(q, 0);
	p->url = store_col_text(q, 1);
	p->instance = store_col_text(q, 2);
	p->added_at = store_col_int(q, 3);
	p->cert = store_col_blob(q, 4, &p->cert_len);
	p->name = store_col_text(q, 5);
	return p;
}

int
store_peer_get(struct store *s, const char *code, struct store_peer *p,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " PEER_COLUMNS " FROM peer "
	    "WHERE code = ?";
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "peer", ARGS(ARG_TEXT(code)),
	    err)) != 1)
		return rc;
	if (p != NULL)
		peer_row(&q, p);
	else
		store_q_end(&q);
	return 1;
}

int
store_peer_each(struct store *s,
    int (*fn)(void *, const struct store_peer *, const char *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " PEER_COLUMNS ", "
	    "(SELECT group_concat(pin, ' ') FROM (SELECT pin FROM peer_pin "
	    "WHERE code = peer.code ORDER BY pin)) FROM peer ORDER BY code";
	struct store_peer	 p;
	struct store_q		 q;

	store_q_start(s, &q, sql, "peer", NULL, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, peer_row(&q, &p),
		    store_col_text(&q, 6)));
	return store_q_end(&q);
}

int
store_peer_cert(struct store *s, const char *code, const uint8_t *der,
    size_t len, struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE peer SET cert = ? WHERE code = ?";

	return store_run(s, sql, "peer",
	    ARGS(ARG_BLOB(der, len), ARG_TEXT(code)), err);
}

int
store_peer_name(struct store *s, const char *code, const char *name,
    struct sp_err *err)
{
	static const char	*sql =
	    "UPDATE peer SET name = ? WHERE code = ?";

	return store_run(s, sql, "peer",
	    ARGS(ARG_TEXT(name), ARG_TEXT(code)), err);
}

int
store_peer_set_instance(struct store *s, const char *code,
    const char *instance, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO peer (code, instance, "
	    "added_at) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
	    "instance = excluded.instance";

	return store_run(s, sql, "peer", ARGS(ARG_TEXT(code),
	    ARG_TEXT(instance), ARG_INT(util_now())), err);
}

/* ---- the directory (migration 5) -------------------------------------- */

int
store_directory_set(struct store *s, const struct store_directory *d,
    const uint8_t *bytes, size_t len, int64_t now, struct sp_err *err)
{
	static const char	*doc = "INSERT OR REPLACE INTO directory_doc "
	    "(id, issued, version, max_bytes, max_items, max_item_bytes, "
	    "fetched, bytes) VALUES (1, ?, ?, ?, ?, ?, ?, ?)";

	if (store_run(s, "DELETE FROM directory", "directory", NULL,
	    err) == -1)
		return -1;
	return store_run(s, doc, "directory", ARGS(ARG_INT(d->issued),
	    ARG_INT(d->version), ARG_INT((int64_t)d->max_bytes),
	    ARG_INT((int64_t)d->max_items),
	    ARG_INT((int64_t)d->max_item_bytes), ARG_INT(now),
	    ARG_BLOB(bytes, len)), err);
}

int
store_directory_add(struct store *s, const char *code, const char *name,
    const char *url, const char *instance, const uint8_t *cert,
    size_t cert_len, struct sp_err *err)
{
	static const char	*sql = "INSERT INTO directory (code, name, "
	    "url, instance, cert) VALUES (?, ?, ?, ?, ?)";

	return store_run(s, sql, "directory", ARGS(ARG_TEXT(code),
	    ARG_TEXT(name != NULL ? name : ""), ARG_TEXT(url),
	    ARG_TEXT(instance), ARG_BLOB(cert, cert_len)), err);
}

int64_t
store_directory_issued(struct store *s, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(issued), 0) FROM "
	    "directory_doc";

	return store_int(s, sql, "directory", NULL, 0, err);
}

int
store_directory_has(struct store *s, const char *code, struct sp_err *err)
{
	static const char	*sql =
	    "SELECT 1 FROM directory WHERE code = ?";

	return store_exists(s, sql, "directory", ARGS(ARG_TEXT(code)), err);
}
