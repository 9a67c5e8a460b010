/*
 * cmd_user.c: `simpul user add LOGIN --name N --role R [--unit U] |
 * passwd LOGIN | disable LOGIN | list`: the web desk's accounts.  A
 * password is read from the terminal without echo, twice, or as one line
 * from standard input when that is not a terminal; never from the
 * command line, where ps and the shell's history would keep it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "core/util.h"
#include "store/store.h"
#include "web/auth.h"
#include "web/users.h"

#define LINE_MAX_PW	(USERS_PASSWORD_MAX + 2)	/* and "\r\n" */

/* One line from f into buf, without its line end; -1 if none or long. */
static int
read_line(FILE *f, char buf[LINE_MAX_PW + 1])
{
	size_t	 n;

	if (fgets(buf, LINE_MAX_PW + 1, f) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n' && !feof(f))
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* A prompt on the terminal with echo off. */
static int
ask(const char *prompt, char buf[LINE_MAX_PW + 1])
{
	struct termios	 old, quiet;
	int		 rc;

	fputs(prompt, stderr);
	if (tcgetattr(STDIN_FILENO, &old) == -1)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = read_line(stdin, buf);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The new password of login, hashed into hash. */
static int
new_password(const char *login, char hash[AUTH_HASH_MAX], struct sp_err *err)
{
	char	 pw[LINE_MAX_PW + 1], again[LINE_MAX_PW + 1];
	int	 rc = -1;

	memset(again, 0, sizeof(again));
	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, pw) == -1)
			sp_errf(err, SPE_INVALID, "no password on standard "
			    "input (one line of at most %d bytes)",
			    USERS_PASSWORD_MAX);
		else
			rc = users_password(login, pw, hash, err);
	} else if (ask("New password: ", pw) == -1 ||
	    ask("Again: ", again) == -1)
		sp_errf(err, SPE_INVALID, "no password given");
	else if (strcmp(pw, again) != 0)
		sp_errf(err, SPE_INVALID, "the two passwords differ");
	else
		rc = users_password(login, pw, hash, err);
	auth_wipe(pw, sizeof(pw));
	auth_wipe(again, sizeof(again));
	return rc;
}

static int
add(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	struct users_new	 u = { 0 };
	char			 hash[AUTH_HASH_MAX];
	const char		**opt;
	int			 i;

	for (i = 2; i < argc; i++) {
		opt = strcmp(argv[i], "--name") == 0 ? &u.name :
		    strcmp(argv[i], "--role") == 0 ? &u.role :
		    strcmp(argv[i], "--unit") == 0 ? &u.unit : NULL;
		if (opt != NULL && i + 1 < argc)
			*opt = argv[++i];
		else if (argv[i][0] == '-')
			return cli_usage_err("user", err, "unknown or "
			    "incomplete option '%s'", argv[i]);
		else if (u.login == NULL)
			u.login = argv[i];
		else
			return cli_usage_err("user", err, "unexpected argument "
			    "'%s'", argv[i]);
	}
	if (u.login == NULL || u.name == NULL || u.role == NULL)
		return cli_usage_err("user", err, "add needs LOGIN, --name and "
		    "--role");
	if (users_check(&u, err) == -1 || cli_store(cli, CLI_WRITE, err) == -1 ||
	    auth_init(err) == -1 || new_password(u.login, hash, err) == -1 ||
	    cli_begin_local(cli, err) == -1 ||
	    users_add(cli->store, &u, hash, util_now(), err) == -1 ||
	    cli_commit(cli, err) == -1)
		return -1;
	printf("added user %s (%s%s%s)\n", u.login, u.role,
	    u.unit != NULL ? ", " : "", u.unit != NULL ? u.unit : "");
	return 0;
}

static int
passwd(struct cli *cli, const char *login, struct sp_err *err)
{
	struct store_user	 u;
	char			 hash[AUTH_HASH_MAX];
	int			 rc;

	if (cli_store(cli, CLI_WRITE, err) == -1 ||
	    (rc = store_user_get(cli->store, login, &u, err)) == -1)
		return -1;
	if (rc == 0)
		return sp_errf(err, SPE_NOT_FOUND, "no user %s", login);
	if (auth_init(err) == -1 || new_password(login, hash, err) == -1 ||
	    cli_begin_local(cli, err) == -1 ||
	    store_user_set_hash(cli->store, login, hash, util_now(),
	    err) == -1 || cli_commit(cli, err) == -1)
		return -1;
	printf("changed the password of %s\n", login);
	return 0;
}

static int
print_user(void *arg, const struct store_user *u)
{
	(void)arg;
	printf("%-16s %-8s %-16s %-8s %s\n", u->login, u->role,
	    u->unit != NULL ? u->unit : "-", u->disabled ? "disabled" :
	    "active", u->name);
	return 0;
}

int
cmd_user(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return add(cli, argc, argv, err);
	if (argc == 3 && strcmp(argv[1], "passwd") == 0)
		return passwd(cli, argv[2], err);
	if (argc == 3 && strcmp(argv[1], "disable") == 0) {
		if (cli_begin_local(cli, err) == -1 ||
		    store_user_disable(cli->store, argv[2], util_now(),
		    err) == -1 || cli_commit(cli, err) == -1)
			return -1;
		printf("disabled user %s: it can no longer log in\n", argv[2]);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		printf("%-16s %-8s %-16s %-8s %s\n", "LOGIN", "ROLE", "UNIT",
		    "STATE", "NAME");
		return store_user_each(cli->store, print_user, NULL, err);
	}
	return cli_usage_err("user", err, "expected add, passwd, disable or "
	    "list");
}
