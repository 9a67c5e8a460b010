/*
 * test_dsig.c: dsig.c and the trust store: sign and verify with ECDSA and
 * RSA keys (batch and standalone receipt); each verification step refusing
 * on its own, including the placement checks that the schema would
 * otherwise catch first (wrapping, second signature); the key loader.
 * Its PKIs, EC and RSA, are the shared fixture's (fixture.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/util.h"
#include "core/xmalloc.h"
#include "wire/batch.h"
#include "wire/dsig.h"
#include "wire/trust.h"

#include "fixture.h"

#define T0	1795831200	/* 2026-11-28T09:00:00+07:00 */

static int
setup(void **state)
{
	struct sp_err	 err = { 0 };

	(void)state;
	if (fixture_open("dsig") == -1 ||
	    fixture_pki("ec", "--test 33.21 33.28") == -1 ||
	    fixture_pki("rsa", "--rsa 33.21") == -1)
		return -1;
	return dsig_init(&err);
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_close();
}

static struct batch *
unsigned_batch(const char *from)
{
	struct batch_header	 h;
	struct event		 e;
	struct batch		*b;
	struct sp_err		 err = { 0 };

	memset(&h, 0, sizeof(h));
	strcpy(h.from, from);
	strcpy(h.to, "hub");
	h.seq = 1;
	memset(h.prev, '0', 64);
	strcpy(h.instance, "0123456789abcdef0123456789abcdef");
	h.created = T0;
	memset(&e, 0, sizeof(e));
	strcpy(e.author, from);
	e.seq = 1;
	strcpy(e.complaint, "33.21-000001");
	e.kind = EV_NOTE;
	e.actor = xstrdup("a");
	e.at = e.recorded = T0;
	e.text = xstrdup("Alice");
	assert_int_equal(batch_new_batch(&h, &e, 1, NULL, 0, &b, &err), 0);
	event_clear(&e);
	return b;
}

static struct batch *
signed_batch(const char *pki, const char *code, const char *from)
{
	struct batch	*b, *s;

	b = unsigned_batch(from);
	s = fixture_sign(b, pki, code);
	batch_free(b);
	return s;
}

/* Parse (and validate if asked) edited bytes, then verify. */
static enum sp_code
verify_bytes(const char *text, struct trust *t, int validate, char *msg)
{
	struct batch_limits	 lim;
	struct batch		*b = NULL;
	struct sp_err		 err = { 0 };

	batch_limits_default(&lim);
	if (batch_parse((const uint8_t *)text, strlen(text), &lim, &b,
	    &err) == 0 && (!validate || batch_validate(b, &err) == 0))
		(void)dsig_verify(b, t, util_now(), NULL, &err);
	if (msg != NULL)
		snprintf(msg, 256, "%s", err.msg);
	batch_free(b);
	return err.code;
}

/* The signed text with the first `old` replaced by `new`. */
static char *
edit(const struct batch *b, const char *old, const char *new)
{
	size_t		 n;
	const char	*s = (const char *)batch_bytes(b, &n), *p;

	p = strstr(s, old);
	assert_non_null(p);
	return xasprintf("%.*s%s%s", (int)(p - s), s, new, p + strlen(old));
}

static void
test_sign_verify_ec_rsa(void **state)
{
	static const char *const pkis[] = { "ec", "rsa" };
	static const char *const types[] = { "EC-P-256", "RSA-2048" };
	struct trust_certinfo	 ci;
	struct sp_err		 err = { 0 };
	struct batch		*s;
	struct trust		*t;
	size_t			 i, n;

	(void)state;
	for (i = 0; i < 2; i++) {
		s = signed_batch(pkis[i], "33.21", "33.21");
		t = fixture_trust(pkis[i], 1);
		assert_int_equal(dsig_verify(s, t, util_now(), &ci, &err), 0);
		assert_string_equal(ci.cn, "33.21");
		assert_string_equal(ci.key_type, types[i]);
		/* the signed bytes are exactly what batch_bytes holds */
		assert_int_equal(verify_bytes((const char *)batch_bytes(s, &n),
		    t, 1, NULL), SPE_OK);
		trust_free(t);
		batch_free(s);
	}
}

static void
test_sign_verify_receipt(void **state)
{
	struct receipt	 r;
	struct batch	*b, *s;
	struct trust	*t;
	struct sp_err	 err = { 0 };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = RECEIPT_FINAL;
	strcpy(r.signer, "33.28");
	strcpy(r.batch_from, "33.21");
	strcpy(r.batch_to, "33.28");
	r.batch_seq = 1;
	memset(r.batch_digest, 'a', 64);
	strcpy(r.instance, "0123456789abcdef0123456789abcdef");
	r.received_at = T0;
	memset(r.head_digest, 'a', 64);
	r.head_seq = 1;
	assert_int_equal(batch_new_receipt(&r, &b, &err), 0);
	s = fixture_sign(b, "ec", "33.28");
	t = fixture_trust("ec", 1);
	assert_int_equal(dsig_verify(s, t, util_now(), NULL, &err), 0);
	trust_free(t);
	batch_free(s);
	batch_free(b);
}

/* The hub's directory: signed by the hub, read back as it was made. */
static void
test_sign_verify_directory(void **state)
{
	struct directory	 d, back;
	struct directory_node	 n;
	struct batch		*b, *s;
	struct trust		*t;
	struct sp_err		 err = { 0 };
	uint8_t			 der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	char			 name[] = "";
	char			 url[] = "https://demak.example:8443";

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&n, 0, sizeof(n));
	strcpy(d.from, "33.28");
	d.issued = T0;
	d.version = BATCH_VERSION;
	batch_limits_default(&d.limits);
	strcpy(n.code, "33.21");
	n.name = name;
	n.url = url;
	strcpy(n.instance, "0123456789abcdef0123456789abcdef");
	n.cert = der;
	n.cert_len = sizeof(der);
	d.nodes = &n;
	d.n = 1;
	assert_int_equal(batch_new_directory(&d, &b, &err), 0);
	s = fixture_sign(b, "ec", "33.28");
	assert_int_equal(batch_kind(s), BATCH_KIND_DIRECTORY);
	assert_string_equal(batch_signer(s), "33.28");
	t = fixture_trust("ec", 1);
	assert_int_equal(dsig_verify(s, t, util_now(), NULL, &err), 0);
	assert_int_equal(batch_directory(s, &back, &err), 0);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.issued, T0);
	assert_int_equal(back.limits.max_items, BATCH_MAX_ITEMS);
	assert_string_equal(back.nodes[0].code, "33.21");
	assert_string_equal(back.nodes[0].url, url);
	assert_string_equal(back.nodes[0].instance, n.instance);
	assert_int_equal(back.nodes[0].cert_len, sizeof(der));
	assert_memory_equal(back.nodes[0].cert, der, sizeof(der));
	directory_clear(&back);
	trust_free(t);
	batch_free(s);
	batch_free(b);
}

static void
test_each_step_refuses(void **state)
{
	struct batch	*s, *u;
	struct trust	*t;
	struct sp_err	 err = { 0 };
	char		*d, *root, msg[256];
	size_t		 n;

	(void)state;
	s = signed_batch("ec", "33.21", "33.21");
	t = fixture_trust("ec", 1);

	/* 0: unsigned */
	u = unsigned_batch("33.21");
	assert_int_equal(dsig_verify(u, t, util_now(), NULL, &err), -1);
	assert_int_equal(err.code, SPE_SIGNATURE);
	batch_free(u);

	/* 1: placement, below the schema: a second signature ... */
	d = edit(s, "</batch>", strstr((const char *)batch_bytes(s, &n),
	    "<ds:Signature"));
	assert_int_equal(verify_bytes(d, t, 0, msg), SPE_SIGNATURE);
	assert_string_equal(msg, "the document has 2 ds:Signature elements, "
	    "not one");
	free(d);
	/* ... and the genuine batch wrapped in a forged root (XSW) */
	root = strstr((const char *)batch_bytes(s, &n), "<batch");
	d = xasprintf("<batch xmlns=\"urn:simpul:1\" from=\"33.21\"><event>"
	    "FORGED</event>%s</batch>", root);
	assert_int_equal(verify_bytes(d, t, 0, msg), SPE_SIGNATURE);
	assert_string_equal(msg, "the ds:Signature is not the last child of "
	    "the root");
	free(d);

	/* 2: shape */
	d = edit(s, "URI=\"\"", "URI=\"#x\"");
	assert_int_equal(verify_bytes(d, t, 1, NULL), SPE_SIGNATURE);
	free(d);
	d = edit(s, "<ds:X509Data>", "<ds:KeyName>k</ds:KeyName><ds:X509Data>");
	assert_int_equal(verify_bytes(d, t, 1, NULL), SPE_SIGNATURE);
	free(d);

	/* 3: signer: a valid certificate of another node */
	batch_free(s);
	s = signed_batch("ec", "33.28", "33.21");
	assert_int_equal(verify_bytes((const char *)batch_bytes(s, &n), t, 1,
	    msg), SPE_SIGNER);
	assert_string_equal(msg, "signed by 33.28, not by 33.21");
	batch_free(s);

	/* 4: value */
	s = signed_batch("ec", "33.21", "33.21");
	d = edit(s, "Alice", "Alicf");
	assert_int_equal(verify_bytes(d, t, 1, msg), SPE_SIGNATURE);
	assert_string_equal(msg, "the signature does not match the document");
	free(d);
	/* whitespace between items is signed too */
	d = edit(s, "\n<event", "\n <event");
	assert_int_equal(verify_bytes(d, t, 1, NULL), SPE_SIGNATURE);
	free(d);
	/* at a time outside the certificate's validity */
	assert_int_equal(dsig_verify(s, t, 1577836800, NULL, &err), -1);
	batch_free(s);
	trust_free(t);
}

static void
test_revocation_by_date(void **state)
{
	struct batch	*s;
	struct trust	*t, *t0;
	struct sp_err	 err = { 0 };

	(void)state;
	s = signed_batch("ec", "revoked-33.21", "33.21");
	t = fixture_trust("ec", 1);
	t0 = fixture_trust("ec", 0);
	/* revoked when made: before tomorrow; without the CRL it is good */
	assert_int_equal(dsig_verify(s, t, util_now() + 86400, NULL, &err),
	    -1);
	assert_int_equal(err.code, SPE_SIGNER);
	sp_err_clear(&err);
	assert_int_equal(dsig_verify(s, t0, util_now() + 86400, NULL, &err),
	    0);
	trust_free(t);
	trust_free(t0);
	batch_free(s);
}

static void
test_key_loader(void **state)
{
	struct sp_err		 err = { 0 };
	struct trust_key	*k;
	struct batch		*b, *s = NULL;
	char			*cert = fixture_path("ec/33.21.pem");
	char			*key = fixture_path("ec/33.21.key");
	size_t			 len;

	(void)state;
	assert_null(trust_key_load(cert, NULL, &err));	/* not a key */
	assert_int_equal(err.code, SPE_CERT);
	sp_err_clear(&err);
	assert_null(trust_key_load("/nonexistent", NULL, &err));
	assert_int_equal(err.code, SPE_NOT_FOUND);
	sp_err_clear(&err);
	assert_null(trust_key_load(key, "/nonexistent", &err));
	assert_int_equal(err.code, SPE_NOT_FOUND);
	sp_err_clear(&err);
	k = trust_key_load(key, cert, &err);		/* with its certificate */
	assert_non_null(k);
	assert_non_null(trust_key_cert(k, &len));
	assert_true(len > 0);
	trust_key_free(k);
	k = trust_key_load(key, NULL, &err);		/* no certificate */
	assert_non_null(k);
	assert_non_null(trust_key_pkey(k));
	assert_null(trust_key_cert(k, &len));
	b = unsigned_batch("33.21");
	assert_int_equal(dsig_sign(b, k, &s, &err), -1);
	assert_int_equal(err.code, SPE_CERT);
	assert_null(s);
	batch_free(b);
	trust_key_free(k);
	trust_key_free(NULL);
	free(cert);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify_ec_rsa),
		cmocka_unit_test(test_sign_verify_receipt),
		cmocka_unit_test(test_sign_verify_directory),
		cmocka_unit_test(test_each_step_refuses),
		cmocka_unit_test(test_revocation_by_date),
		cmocka_unit_test(test_key_loader),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
