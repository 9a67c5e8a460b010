/*
 * fault.c: fault injection for the tests (built only with
 * --enable-fault-injection; see fault.h).  SIMPUL_FAULT=KIND:N makes the
 * Nth operation of KIND in this process fail, once, the way the real one
 * fails: store (a SQLite step or exec returns SQLITE_IOERR without
 * running), write (write(2) fails with EIO), net (the HTTP exchange ran
 * but its answer is lost, as when the connection drops).  ROLLBACK is
 * never failed: it is how every other failure recovers.
 * SIMPUL_FAULT_COUNT=FILE appends "store N write N net N" to FILE at exit,
 * so that a test knows how many operations a run has and can fail each.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"

static const char *const names[FAULT_MAX] = { "store", "write", "net" };
static long	 seen[FAULT_MAX];
static long	 fail_at[FAULT_MAX];
static int	 ready;

static void
report(void)
{
	const char	*path = getenv("SIMPUL_FAULT_COUNT");
	FILE		*f;

	if ((f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "store %ld write %ld net %ld\n", seen[FAULT_STORE],
	    seen[FAULT_WRITE], seen[FAULT_NET]);
	fclose(f);
}

/* A test harness that asks for a fault it cannot have must not run on. */
static void
setup(void)
{
	const char	*e = getenv("SIMPUL_FAULT");
	const char	*colon = NULL;
	char		*end;
	long		 n;
	int		 k;

	ready = 1;
	if (getenv("SIMPUL_FAULT_COUNT") != NULL)
		atexit(report);
	if (e == NULL || *e == '\0')
		return;
	for (k = 0; k < FAULT_MAX; k++)
		if ((colon = strchr(e, ':')) != NULL &&
		    (size_t)(colon - e) == strlen(names[k]) &&
		    strncmp(e, names[k], strlen(names[k])) == 0)
			break;
	if (k == FAULT_MAX || (n = strtol(colon + 1, &end, 10)) < 1 ||
	    *end != '\0') {
		fprintf(stderr, "simpul: SIMPUL_FAULT: '%s' is not "
		    "store:N, write:N or net:N\n", e);
		exit(2);
	}
	fail_at[k] = n;
}

int
fault_hit(enum fault_kind k)
{
	if (!ready)
		setup();
	return ++seen[k] == fail_at[k];
}
