/*
 * cmd_config.c: `simpul config get [KEY] | set KEY VALUE`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "exchange/settings.h"

static int
print_setting(void *arg, const char *key, const char *value, const char *help)
{
	(void)arg;
	printf("%-24s %-20s # %s\n", key, value[0] ? value : "-", help);
	return 0;
}

int
cmd_config(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	char	*v;

	if (argc == 2 && strcmp(argv[1], "get") == 0) {
		if (cli_store(cli, CLI_READ, err) == -1)
			return -1;
		return settings_each(cli->store, print_setting, NULL, err);
	}
	if (argc == 3 && strcmp(argv[1], "get") == 0) {
		if (cli_store(cli, CLI_READ, err) == -1 ||
		    settings_get(cli->store, argv[2], &v, err) == -1)
			return -1;
		printf("%s\n", v);
		free(v);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "set") == 0) {
		if (cli_begin_local(cli, err) == -1 ||
		    settings_set(cli->store, argv[2], argv[3], err) == -1)
			return -1;
		return cli_commit(cli, err);
	}
	return cli_usage_err("config", err, "expected get [KEY] or set KEY "
	    "VALUE");
}
