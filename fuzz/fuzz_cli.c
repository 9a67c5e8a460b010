/*
 * fuzz_cli.c: libFuzzer target for command-line parsing: the input is an
 * argument vector (NUL- or newline-separated) run through cli_main(), the
 * function the binary runs.  No argument may name a database: commands
 * then stop at "no database" or earlier, so the fuzzer never writes files.
 * Nor may one be backup or schemas, which write files without one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_ARGS	24

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 quiet;
	char		*copy, *p, *argv[FUZZ_MAX_ARGS + 2];
	int		 argc = 0;
	size_t		 i;

	if (!quiet) {
		/*
		 * The commands print; the fuzzer needs none of it.  stderr
		 * stays: libFuzzer reports there (make fuzz passes
		 * -close_fd_mask=2, which keeps libFuzzer's own copy).
		 */
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
		unsetenv("SIMPUL_DB");
		unsetenv("SIMPUL_NOW");
		quiet = 1;
	}
	if (len > 4096)
		return 0;
	copy = malloc(len + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	copy[len] = '\0';
	for (i = 0; i < len; i++)
		if (copy[i] == '\n')
			copy[i] = '\0';
	argv[argc++] = (char *)"simpul";
	for (p = copy; p <= copy + len && argc <= FUZZ_MAX_ARGS;
	    p += strlen(p) + 1) {
		if (strncmp(p, "--db", 4) == 0 || strcmp(p, "backup") == 0 ||
		    strcmp(p, "schemas") == 0)
			goto out;
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	(void)cli_main(argc, argv);
out:
	free(copy);
	return 0;
}
