/*
 * fault.h: fault injection for the tests.  Only a build configured with
 * --enable-fault-injection (scripts/build.sh check) has it; elsewhere
 * fault_hit() is the constant 0 and the compiler drops every hook.
 */
#ifndef SIMPUL_FAULT_H
#define SIMPUL_FAULT_H

enum fault_kind {
	FAULT_STORE,	/* a sqlite3_step or sqlite3_exec of store.c */
	FAULT_WRITE,	/* a file written by util_write_file */
	FAULT_NET,	/* an HTTP exchange of client.c that went well */
	FAULT_MAX
};

#ifdef SIMPUL_FAULT_INJECTION
/* Count one operation of the kind; 1 if SIMPUL_FAULT says it fails. */
int	 fault_hit(enum fault_kind);
#else
static inline int
fault_hit(enum fault_kind k)
{
	(void)k;
	return 0;
}
#endif

#endif
