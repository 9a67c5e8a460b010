/*
 * users.c: the web desk's accounts (users.h).  What a valid account is:
 * the login's alphabet, the four roles and the unit a liaison officer
 * answers for; the password policy.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "web/auth.h"
#include "web/users.h"

#define LOGIN_MAX	32
#define UNIT_MAX	64

static const char *const roles[] = { "admin", "officer", "liaison",
	"auditor" };

/* A login goes into cookies, logs and URLs: a letter, then [a-z0-9._-]. */
static int
login_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > LOGIN_MAX || !islower((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return 0;
	return 1;
}

static int
role_ok(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(s, roles[i]) == 0)
			return 1;
	return 0;
}

int
users_check(const struct users_new *u, struct sp_err *err)
{
	if (!login_ok(u->login))
		return sp_errf(err, SPE_INVALID, "login '%s': give 1 to %d of "
		    "a-z, 0-9, '.', '_' and '-', starting with a letter",
		    u->login, LOGIN_MAX);
	if (settings_check_name("--name", u->name, err) == -1)
		return -1;
	if (!role_ok(u->role))
		return sp_errf(err, SPE_INVALID, "role '%s' is not admin, "
		    "officer, liaison or auditor", u->role);
	if (u->unit == NULL && strcmp(u->role, "liaison") == 0)
		return sp_errf(err, SPE_INVALID, "a liaison officer answers "
		    "for a unit: give --unit");
	if (u->unit != NULL && (*u->unit == '\0' ||
	    strlen(u->unit) > UNIT_MAX || !util_utf8_valid(u->unit,
	    strlen(u->unit)) || strpbrk(u->unit, "\t\r\n") != NULL))
		return sp_errf(err, SPE_INVALID, "--unit: give 1 to %d bytes "
		    "of UTF-8 on one line", UNIT_MAX);
	return 0;
}

int
users_password(const char *login, const char *password,
    char hash[AUTH_HASH_MAX], struct sp_err *err)
{
	size_t	 n = strlen(password);

	if (n < USERS_PASSWORD_MIN || n > USERS_PASSWORD_MAX)
		return sp_errf(err, SPE_INVALID, "the password must be %d to "
		    "%d bytes long (it is %zu)", USERS_PASSWORD_MIN,
		    USERS_PASSWORD_MAX, n);
	if (!util_utf8_valid(password, n) || strpbrk(password, "\r\n"))
		return sp_errf(err, SPE_INVALID, "the password must be UTF-8 "
		    "on one line");
	if (strcmp(password, login) == 0)
		return sp_errf(err, SPE_INVALID, "the password must not be "
		    "the login");
	return auth_hash(password, hash, err);
}

int
users_add(struct store *st, const struct users_new *u, const char *hash,
    int64_t now, struct sp_err *err)
{
	struct store_user	 r = { .login = u->login, .name = u->name,
	    .role = u->role, .unit = u->unit, .hash = hash, .created = now };

	if (users_check(u, err) == -1)
		return -1;
	return store_user_add(st, &r, err);
}
