/*
 * users.c: the store's table of the web desk's accounts (migration 9):
 * login, name, role, unit, the password hash and whether the account is
 * disabled.  It keeps what it is given; what a valid login, role or
 * password is, and the hashing, are web/users.c's and web/auth.c's.
 */
#include "config.h"

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"
#include "store/store_int.h"

#define USER_COLUMNS	"login, name, role, unit, hash, disabled, created, " \
	"changed"

static struct store_user *
user_row(const struct store_q *q, struct store_user *u)
{
	u->login = store_col_text(q, 0);
	u->name = store_col_text(q, 1);
	u->role = store_col_text(q, 2);
	u->unit = store_col_text(q, 3);
	u->hash = store_col_text(q, 4);
	u->disabled = (int)store_col_int(q, 5);
	u->created = store_col_int(q, 6);
	u->changed = store_col_int(q, 7);
	return u;
}

int
store_user_add(struct store *s, const struct store_user *u,
    struct sp_err *err)
{
	static const char	*sql = "INSERT INTO web_user (" USER_COLUMNS
	    ") VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (login) DO NOTHING";
	int			 n;

	if ((n = store_run_changes(s, sql, "web_user", ARGS(ARG_TEXT(u->login),
	    ARG_TEXT(u->name), ARG_TEXT(u->role), ARG_TEXT(u->unit),
	    ARG_TEXT(u->hash), ARG_INT(u->created), ARG_INT(u->created)),
	    err)) == -1)
		return -1;
	if (n == 0)
		return sp_errf(err, SPE_EXISTS, "user %s already exists",
		    u->login);
	return 0;
}

int
store_user_get(struct store *s, const char *login, struct store_user *u,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " USER_COLUMNS " FROM web_user "
	    "WHERE login = ?";
	struct store_q		 q;
	int			 rc;

	if ((rc = store_q_row(s, &q, sql, "web_user", ARGS(ARG_TEXT(login)),
	    err)) == 1)
		user_row(&q, u);
	return rc;
}

/* One change to an existing account: 1, or SPE_NOT_FOUND. */
static int
user_change(struct store *s, const char *login, const char *sql,
    const struct store_arg *args, struct sp_err *err)
{
	int	 n;

	if ((n = store_run_changes(s, sql, "web_user", args, err)) == -1)
		return -1;
	if (n == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no user %s", login);
	return 0;
}

int
store_user_set_hash(struct store *s, const char *login, const char *hash,
    int64_t at, struct sp_err *err)
{
	return user_change(s, login, "UPDATE web_user SET hash = ?, "
	    "changed = ? WHERE login = ?", ARGS(ARG_TEXT(hash), ARG_INT(at),
	    ARG_TEXT(login)), err);
}

int
store_user_disable(struct store *s, const char *login, int64_t at,
    struct sp_err *err)
{
	return user_change(s, login, "UPDATE web_user SET disabled = 1, "
	    "changed = ? WHERE login = ?", ARGS(ARG_INT(at), ARG_TEXT(login)),
	    err);
}

int
store_user_each(struct store *s,
    int (*fn)(void *, const struct store_user *), void *arg,
    struct sp_err *err)
{
	static const char	*sql = "SELECT " USER_COLUMNS " FROM web_user "
	    "ORDER BY login";
	struct store_user	 u;
	struct store_q		 q;

	store_q_start(s, &q, sql, "web_user", NULL, err);
	while (store_q_next(&q))
		store_q_check(&q, fn(arg, user_row(&q, &u)));
	return store_q_end(&q);
}
