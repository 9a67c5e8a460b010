/*
 * main.c: the global options (--db, --actor, -v), the lookup of the
 * subcommand in cli.c's table, and the one place that turns an sp_err into
 * a line on stderr and an exit status.
 */
#include "config.h"

#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "log.h"

static const char *
login_name(void)
{
	const char	*s;
	struct passwd	*pw;

	if ((s = getenv("SIMPUL_ACTOR")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("USER")) != NULL && *s != '\0')
		return s;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return "unknown";
}

static int
report(const char *cmd, const struct sp_err *err)
{
	fprintf(stderr, "simpul: %s%s%s\n", cmd ? cmd : "", cmd ? ": " : "",
	    err->msg);
	return sp_code_exit(err->code);
}

/* Global options stand before the subcommand; returns its index. */
static int
global_options(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	int	 i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			cli->db = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			cli->db = argv[i] + 5;
		else if (strcmp(argv[i], "--actor") == 0 && i + 1 < argc)
			cli->actor = argv[++i];
		else if (strncmp(argv[i], "--actor=", 8) == 0)
			cli->actor = argv[i] + 8;
		else if (strcmp(argv[i], "-v") == 0)
			cli->verbose = 1;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_usage(stdout);
			exit(0);
		} else if (strcmp(argv[i], "--version") == 0) {
			puts(PACKAGE_STRING);
			exit(0);
		} else if (strcmp(argv[i], "--man") == 0) {
			cli_man(stdout);
			exit(0);
		} else
			return sp_errf(err, SPE_USAGE,
			    "unknown or incomplete option '%s' "
			    "(see: simpul --help)", argv[i]);
	}
	if (i == argc)
		return sp_errf(err, SPE_USAGE,
		    "no command given (see: simpul --help)");
	return i;
}

static int
help(int argc, char **argv)
{
	const struct cli_cmd	*c;

	if (argc < 2) {
		cli_usage(stdout);
		return 0;
	}
	if ((c = cli_find(argv[1])) == NULL) {
		fprintf(stderr, "simpul: help: unknown command '%s'\n",
		    argv[1]);
		return 2;
	}
	cli_cmd_usage(stdout, c);
	if (c->description != NULL)
		printf("\n%s\n", c->description);
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli		 cli = { 0 };
	struct sp_err		 err = { 0 };
	const struct cli_cmd	*c;
	int			 first, rc;

	signal(SIGPIPE, SIG_IGN);
	cli.db = getenv("SIMPUL_DB");
	if ((first = global_options(&cli, argc, argv, &err)) == -1)
		return report(NULL, &err);
	if (cli.actor == NULL)
		cli.actor = login_name();
	log_init(0, cli.verbose);
	if (strcmp(argv[first], "help") == 0)
		return help(argc - first, argv + first);
	if ((c = cli_find(argv[first])) == NULL) {
		sp_errf(&err, SPE_USAGE,
		    "unknown command '%s' (see: simpul --help)", argv[first]);
		return report(NULL, &err);
	}
	if (c->run == NULL) {
		sp_errf(&err, SPE_NOT_BUILT, "not built yet in this version");
		return report(c->name, &err);
	}
	cli_getopt_reset();
	rc = c->run(&cli, argc - first, argv + first, &err);
	cli_close(&cli);
	if (rc == -1)
		return report(c->name, &err);
	return 0;
}
