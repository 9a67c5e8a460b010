/*
 * replay.c: runs a fuzz target's LLVMFuzzerTestOneInput over the files
 * named on the command line, one TAP point each, so the corpora (crashers
 * found once included) are replayed by `make check` under gcc and the
 * sanitizers without libFuzzer.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	struct sp_err	 err = { 0 };
	struct buf	 b;
	FILE		*tap;
	int		 i;

	/* The CLI target silences stdout: keep a handle for TAP. */
	if ((tap = fdopen(dup(1), "w")) == NULL)
		return 1;
	setvbuf(tap, NULL, _IOLBF, 0);
	fprintf(tap, "1..%d\n", argc - 1);
	for (i = 1; i < argc; i++) {
		if (util_read_file(argv[i], 4 * 1024 * 1024, &b, &err) == -1) {
			fprintf(tap, "not ok %d - %s: %s\n", i, argv[i],
			    err.msg);
			return 1;
		}
		LLVMFuzzerTestOneInput(b.data, b.len);
		buf_clear(&b);
		fprintf(tap, "ok %d - %s\n", i, argv[i]);
	}
	return 0;
}
