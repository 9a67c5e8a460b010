/*
 * main.c: the process around cli_main(): signals that must be ignored
 * before anything runs.  Everything else is in cli.c, so that tests and the
 * CLI fuzzer run exactly what the binary runs.
 */
#include "config.h"

#include <signal.h>

#include "cmd/cli.h"

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	return cli_main(argc, argv);
}
