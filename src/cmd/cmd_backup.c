/*
 * cmd_backup.c: `simpul backup FILE`: a consistent copy of the live
 * database, taken inside one read transaction while nodes keep running.
 */
#include "config.h"

#include <stdio.h>

#include "cmd/cli.h"
#include "core/err.h"
#include "store/store.h"

int
cmd_backup(struct cli *cli, int argc, char **argv, struct sp_err *err)
{
	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_err("backup", err, "expected one FILE");
	if (cli_store(cli, CLI_READ, err) == -1 ||
	    store_backup(cli->store, argv[1], err) == -1)
		return -1;
	printf("backed up %s to %s\n", cli->db, argv[1]);
	return 0;
}
