/*
 * err.c: the table of error codes.  It owns every code's stable name (what
 * peers and auditors parse), its exit status (DESIGN §8: 1 refused, 2 usage,
 * 3 environment) and its HTTP status.  It does not print: the layer that
 * decides reports the error once.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

static const struct {
	const char	*name;
	int		 exit;
	int		 http;
} codes[SPE_MAX] = {
	[SPE_OK] =		{ "ok",			0, 200 },
	[SPE_USAGE] =		{ "usage",		2, 400 },
	[SPE_INVALID] =		{ "invalid",		1, 400 },
	[SPE_NOT_FOUND] =	{ "not-found",		1, 404 },
	[SPE_EXISTS] =		{ "exists",		1, 409 },
	[SPE_CERT] =		{ "certificate",	1, 403 },
	[SPE_TOO_LARGE] =	{ "too-large",		1, 413 },
	[SPE_MALFORMED] =	{ "malformed",		1, 400 },
	[SPE_DOCTYPE] =		{ "doctype",		1, 400 },
	[SPE_ENCODING] =	{ "encoding",		1, 400 },
	[SPE_SCHEMA] =		{ "schema",		1, 400 },
	[SPE_SIGNATURE] =	{ "signature",		1, 401 },
	[SPE_SIGNER] =		{ "signer",		1, 403 },
	[SPE_AUTHORSHIP] =	{ "authorship",		1, 403 },
	[SPE_WRONG_NODE] =	{ "wrong-node",		1, 421 },
	[SPE_SEQ_GAP] =		{ "seq-gap",		1, 409 },
	[SPE_PREV] =		{ "prev-mismatch",	1, 409 },
	[SPE_EQUIVOCATION] =	{ "equivocation",	1, 409 },
	[SPE_HALTED] =		{ "halted",		1, 409 },
	[SPE_OWNERSHIP] =	{ "ownership",		1, 409 },
	[SPE_TRANSITION] =	{ "transition",		1, 409 },
	[SPE_PERMISSION] =	{ "permission",		1, 403 },
	[SPE_INSTANCE] =	{ "instance",		1, 403 },
	[SPE_IO] =		{ "io",			3, 500 },
	[SPE_STORE] =		{ "store",		3, 500 },
	[SPE_LOCKED] =		{ "locked",		3, 503 },
	[SPE_FULL] =		{ "disk-full",		3, 507 },
	[SPE_READONLY] =	{ "read-only",		3, 503 },
	[SPE_DAMAGED] =		{ "damaged",		3, 500 },
	[SPE_NO_DB] =		{ "no-database",	3, 500 },
	[SPE_RECOVERING] =	{ "recovering",		3, 503 },
	[SPE_NET] =		{ "network",		3, 502 },
	[SPE_INTERNAL] =	{ "internal",		3, 500 },
};

int
sp_errf(struct sp_err *err, enum sp_code code, const char *fmt, ...)
{
	va_list	 ap;
	char	*nl;

	if (err == NULL || err->code != SPE_OK)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line: a library message may end in a newline. */
	while ((nl = strpbrk(err->msg, "\r\n")) != NULL)
		*nl = (nl[1] == '\0') ? '\0' : ' ';
	return -1;
}

void
sp_err_clear(struct sp_err *err)
{
	err->code = SPE_OK;
	err->msg[0] = '\0';
}

const char *
sp_code_name(enum sp_code code)
{
	if (code >= SPE_MAX)
		return "internal";
	return codes[code].name;
}

enum sp_code
sp_code_by_name(const char *name)
{
	int	 i;

	for (i = 0; i < SPE_MAX; i++)
		if (strcmp(codes[i].name, name) == 0)
			return (enum sp_code)i;
	return SPE_MAX;
}

int
sp_code_exit(enum sp_code code)
{
	return code < SPE_MAX ? codes[code].exit : 3;
}

int
sp_code_http(enum sp_code code)
{
	return code < SPE_MAX ? codes[code].http : 500;
}
