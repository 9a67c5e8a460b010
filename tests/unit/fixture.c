/*
 * fixture.c: the unit tests' shared fixture (fixture.h).  It owns the
 * scratch folder of one test program and the files made in it; the tests
 * own what they open from those files.  It keeps no other state, so a
 * test program calls fixture_open() once, in its group setup.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/xmalloc.h"
#include "exchange/settings.h"
#include "store/store.h"
#include "wire/batch.h"
#include "wire/dsig.h"
#include "wire/trust.h"

#include "fixture.h"

static char	 dir[256];
static int	 ndb;		/* node databases made so far: their names */

int
fixture_open(const char *name)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/simpul-%s.XXXXXX",
	    tmp != NULL ? tmp : "/tmp", name);
	return mkdtemp(dir) == NULL ? -1 : 0;
}

int
fixture_close(void)
{
	char	*cmd;
	int	 rc;

	dsig_shutdown();
	batch_shutdown();
	cmd = xasprintf("rm -rf '%s'", dir);
	if ((rc = system(cmd)) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

const char *
fixture_dir(void)
{
	return dir;
}

char *
fixture_path(const char *fmt, ...)
{
	va_list	 ap;
	char	*name, *p;

	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) == -1)
		fail_msg("out of memory");
	va_end(ap);
	p = xasprintf("%s/%s", dir, name);
	free(name);
	return p;
}

int
fixture_pki(const char *pki, const char *args)
{
	const char	*src = getenv("top_srcdir");
	char		*cmd;
	int		 rc;

	cmd = xasprintf("'%s/certs/mkcerts.sh' -d '%s/%s' %s >/dev/null",
	    src != NULL ? src : ".", dir, pki, args);
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

struct store *
fixture_node(const char *pki, const char *code, char **path)
{
	struct sp_err		 err = { 0 };
	struct store		*s;
	char			*cert, *key, *ca, *db;
	struct settings_identity id = { .role = "regency", .zone = "WIB",
	    .instance = "0123456789abcdef0123456789abcdef" };

	if (pki != NULL) {
		cert = fixture_path("%s/%s.pem", pki, code);
		key = fixture_path("%s/%s.key", pki, code);
		ca = fixture_path("%s/ca.pem", pki);
	} else {
		cert = xstrdup("/dev/null");
		key = xstrdup("/dev/null");
		ca = xstrdup("/dev/null");
	}
	db = fixture_path("n%d.db", ndb++);
	id.code = code;
	id.name = "Node";
	id.cert = cert;
	id.key = key;
	id.ca = ca;
	if ((s = store_open(db, STORE_CREATE, &err)) == NULL ||
	    store_begin(s, &err) == -1 || settings_init(s, &id, &err) == -1 ||
	    store_commit(s, &err) == -1)
		fail_msg("node %s: %s", code, err.msg);
	free(cert);
	free(key);
	free(ca);
	if (path != NULL)
		*path = db;
	else
		free(db);
	return s;
}

struct trust_key *
fixture_key(const char *pki, const char *code)
{
	struct sp_err		 err = { 0 };
	struct trust_key	*k;
	char			*key, *cert;

	key = fixture_path("%s/%s.key", pki, code);
	cert = fixture_path("%s/%s.pem", pki, code);
	if ((k = trust_key_load(key, cert, &err)) == NULL)
		fail_msg("key %s/%s: %s", pki, code, err.msg);
	free(key);
	free(cert);
	return k;
}

struct trust *
fixture_trust(const char *pki, int with_crl)
{
	struct sp_err	 err = { 0 };
	struct trust	*t;
	char		*ca, *crl;

	ca = fixture_path("%s/ca.pem", pki);
	crl = fixture_path("%s/crl.pem", pki);
	if ((t = trust_load(ca, with_crl ? crl : NULL, &err)) == NULL)
		fail_msg("trust %s: %s", pki, err.msg);
	free(ca);
	free(crl);
	return t;
}

struct batch *
fixture_sign(const struct batch *b, const char *pki, const char *code)
{
	struct sp_err		 err = { 0 };
	struct trust_key	*k = fixture_key(pki, code);
	struct batch		*s;

	if (dsig_sign(b, k, &s, &err) == -1)
		fail_msg("sign as %s/%s: %s", pki, code, err.msg);
	trust_key_free(k);
	return s;
}
