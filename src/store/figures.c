/*
 * figures.c: the store's figure tables (migration 6): every version of a
 * node's policy, the signed figure sets, the items that carry them to a
 * peer (item_out) and the parts of a split item received so far
 * (item_part), and the hub's check of a figure set against its own
 * recomputation (figure_check, figure_diff).  Bodies are kept as the
 * canonical lines exchange/policy.c and exchange/figures.c made them; this
 * file neither makes nor reads them.
 */
#include "config.h"

#include <stdint.h>

#include "core/xmalloc.h"
#include "store/store.h"
#include "store/store_int.h"

static struct store_figure_set *figure_set_row(const struct store_q *,
		    struct store_figure_set *);

int
store_policy_add(struct store *s, const char *node, int64_t version,
    int64_t effective, const char *body, int hub, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO policy (node, "
	    "version, effective, body, hub) VALUES (?, ?, ?, ?, ?)";

	return store_run(s, sql, "policy", ARGS(ARG_TEXT(node),
	    ARG_INT(version), ARG_INT(effective), ARG_TEXT(body),
	    ARG_INT(hub)), err);
}

int
store_policy_each(struct store *s, const char *node,
    int (*fn)(void *, int64_t, int64_t, const char *, int), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT version, effective, body, hub "
	    "FROM policy WHERE node = ? ORDER BY version";
	struct store_q		 q;

	store_q_start(s, &q, sql, "policy", ARGS(ARG_TEXT(node)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, store_col_int(&q, 0),
		    store_col_int(&q, 1), store_col_text(&q, 2),
		    store_col_int(&q, 3)));
	return store_q_end(&q);
}

int
store_policy_queue_hub(struct store *s, const char *node, const char *hub,
    struct sp_err *err)
{
	static const char	*ins = "INSERT OR IGNORE INTO item_out "
	    "(peer, kind, n) SELECT ?, 'policy', version FROM policy "
	    "WHERE node = ? AND hub = 0";
	static const char	*upd = "UPDATE policy SET hub = 1 "
	    "WHERE node = ? AND hub = 0";

	if (store_run(s, ins, "item_out", ARGS(ARG_TEXT(hub),
	    ARG_TEXT(node)), err) == -1)
		return -1;
	return store_run(s, upd, "policy", ARGS(ARG_TEXT(node)), err);
}

int
store_figure_set_add(struct store *s, const char *node, int64_t n,
    int64_t first, int64_t last, int64_t signed_at, const char *body,
    struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_set "
	    "(node, n, first, last, signed, body) VALUES (?, ?, ?, ?, ?, ?)";

	return store_run(s, sql, "figure_set", ARGS(ARG_TEXT(node),
	    ARG_INT(n), ARG_INT(first), ARG_INT(last), ARG_INT(signed_at),
	    ARG_TEXT(body)), err);
}

int64_t
store_figure_set_next(struct store *s, const char *node, struct sp_err *err)
{
	static const char	*sql = "SELECT coalesce(max(n), 0) + 1 FROM "
	    "figure_set WHERE node = ?";

	return store_int(s, sql, "count", ARGS(ARG_TEXT(node)), 0, err);
}

static struct store_figure_set *
figure_set_row(const struct store_q *q, struct store_figure_set *f)
{
	f->node = store_col_text(q, 0);
	f->n = store_col_int(q, 1);
	f->first = store_col_int(q, 2);
	f->last = store_col_int(q, 3);
	f->signed_at = store_col_int(q, 4);
	f->body = store_col_text(q, 5);
	return f;
}

int
store_figure_set_each(struct store *s, const char *node, int64_t n,
    int (*fn)(void *, const struct store_figure_set *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT node, n, first, last, signed, "
	    "body FROM figure_set WHERE (?1 IS NULL OR node = ?1) AND "
	    "(?2 = 0 OR n = ?2) ORDER BY node, n";
	struct store_figure_set	 f;
	struct store_q		 q;

	store_q_start(s, &q, sql, "figure_set",
	    ARGS(ARG_TEXT(node), ARG_INT(n)), err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, figure_set_row(&q, &f)));
	return store_q_end(&q);
}

int
store_item_out_add(struct store *s, const char *peer, const char *kind,
    int64_t n, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO item_out "
	    "(peer, kind, n) VALUES (?, ?, ?)";

	return store_run(s, sql, "item_out", ARGS(ARG_TEXT(peer),
	    ARG_TEXT(kind), ARG_INT(n)), err);
}

/* An item whose policy or figure set is not (yet) held is skipped. */
int
store_item_out_each(struct store *s, const char *peer, const char *self,
    int (*fn)(void *, const char *kind, int64_t n, int64_t at,
    const char *body), void *arg, struct sp_err *err)
{
	static const char	*sql = "SELECT o.kind, o.n, "
	    "coalesce(p.effective, f.signed), coalesce(p.body, f.body) "
	    "FROM item_out o "
	    "LEFT JOIN policy p ON o.kind = 'policy' AND p.node = ?2 AND "
	    "  p.version = o.n "
	    "LEFT JOIN figure_set f ON o.kind = 'metrics' AND f.node = ?2 "
	    "  AND f.n = o.n "
	    "WHERE o.peer = ?1 ORDER BY o.kind DESC, o.n";
	struct store_q		 q;

	store_q_start(s, &q, sql, "item_out",
	    ARGS(ARG_TEXT(peer), ARG_TEXT(self)), err);
	while (store_q_next(&q))
		if (!store_col_null(&q, 3))
			store_q_check(&q, fn(arg, store_col_text(&q, 0),
			    store_col_int(&q, 1), store_col_int(&q, 2),
			    store_col_text(&q, 3)));
	return store_q_end(&q);
}

int
store_item_out_remove(struct store *s, const char *peer, const char *kind,
    int64_t n, struct sp_err *err)
{
	static const char	*sql = "DELETE FROM item_out WHERE peer = ? "
	    "AND kind = ? AND n = ?";

	return store_run(s, sql, "item_out", ARGS(ARG_TEXT(peer),
	    ARG_TEXT(kind), ARG_INT(n)), err);
}

int
store_item_part_add(struct store *s, const char *node, const char *kind,
    int64_t n, int part, int parts, int64_t at, const char *body,
    char **whole, struct sp_err *err)
{
	static const char	*ins = "INSERT OR IGNORE INTO item_part (node, "
	    "kind, n, part, parts, at, body) VALUES (?, ?, ?, ?, ?, ?, ?)";
	static const char	*sel = "SELECT body FROM item_part WHERE "
	    "node = ? AND kind = ? AND n = ? AND parts = ? AND at = ? "
	    "ORDER BY part";
	struct store_q		 q;
	struct buf		 b;
	int			 got = 0;

	*whole = NULL;
	if (store_run(s, ins, "item_part", ARGS(ARG_TEXT(node),
	    ARG_TEXT(kind), ARG_INT(n), ARG_INT(part), ARG_INT(parts),
	    ARG_INT(at), ARG_TEXT(body)), err) == -1)
		return -1;
	buf_init(&b, SIZE_MAX);
	store_q_start(s, &q, sel, "item_part", ARGS(ARG_TEXT(node),
	    ARG_TEXT(kind), ARG_INT(n), ARG_INT(parts), ARG_INT(at)), err);
	while (store_q_next(&q)) {
		buf_addstr(&b, store_col_text(&q, 0), NULL);
		got++;
	}
	if (store_q_end(&q) == -1) {
		buf_clear(&b);
		return -1;
	}
	if (got == parts)
		*whole = (char *)buf_release(&b, NULL);
	else
		buf_clear(&b);
	return 0;
}

int
store_figure_check_get(struct store *s, const char *node, int64_t n,
    int64_t *differences, struct sp_err *err)
{
	static const char	*sql = "SELECT differences FROM figure_check "
	    "WHERE node = ? AND n = ?";
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "figure_check",
	    ARGS(ARG_TEXT(node), ARG_INT(n)), err)) == 1) {
		*differences = store_col_int(&q, 0);
		store_q_end(&q);
	}
	return rc;
}

int
store_figure_check_add(struct store *s, const char *node, int64_t n,
    int64_t checked, int64_t differences, struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_check "
	    "(node, n, checked, differences) VALUES (?, ?, ?, ?)";

	return store_run(s, sql, "figure_check", ARGS(ARG_TEXT(node),
	    ARG_INT(n), ARG_INT(checked), ARG_INT(differences)), err);
}

int
store_figure_diff_add(struct store *s, const char *node, int64_t n,
    const char *path, int64_t signed_value, int64_t recomputed,
    struct sp_err *err)
{
	static const char	*sql = "INSERT OR IGNORE INTO figure_diff "
	    "(node, n, path, signed, recomputed) VALUES (?, ?, ?, ?, ?)";

	return store_run(s, sql, "figure_diff", ARGS(ARG_TEXT(node),
	    ARG_INT(n), ARG_TEXT(path), ARG_INT(signed_value),
	    ARG_INT(recomputed)), err);
}
