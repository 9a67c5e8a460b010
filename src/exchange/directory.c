/*
 * directory.c: the directory and the CRL as the hub hands them out
 * (DESIGN §2).  It owns what goes into the directory (every enrolled node
 * but the hub itself: code, name, URL, instance id, the certificate it
 * enrolled with; the federation's limits and wire version), the checks a
 * node makes before keeping one, and the install of a distributed CRL.
 * The document is made and read by batch.c, signed and verified by
 * dsig.c; the CRL is judged by trust.c.  It does not fetch anything (the
 * syncer does) nor reload the trust store (the process that holds it).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/batch.h"
#include "exchange/directory.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "store/store.h"
#include "wire/trust.h"
#include "core/util.h"
#include "core/xmalloc.h"

static int
add_node(void *arg, const struct store_peer *p, const char *pins)
{
	struct directory	*d = arg;
	struct directory_node	*n;

	(void)pins;
	if (strcmp(p->code, "hub") == 0)
		return 0;
	d->nodes = xreallocarray(d->nodes, d->n + 1, sizeof(*d->nodes));
	n = &d->nodes[d->n++];
	memset(n, 0, sizeof(*n));
	snprintf(n->code, sizeof(n->code), "%s", p->code);
	n->name = xstrdup(p->name != NULL ? p->name : "");
	n->url = p->url != NULL ? xstrdup(p->url) : NULL;
	snprintf(n->instance, sizeof(n->instance), "%s",
	    p->instance != NULL ? p->instance : "");
	if (p->cert_len > 0) {
		n->cert = xmalloc(p->cert_len);
		memcpy(n->cert, p->cert, p->cert_len);
		n->cert_len = p->cert_len;
	}
	return 0;
}

int
directory_make(struct store *s, const struct trust_key *key,
    const struct batch_limits *lim, int64_t now, int offset,
    struct buf *out, struct sp_err *err)
{
	struct directory	 d;
	struct batch		*doc = NULL, *sig = NULL;
	const uint8_t		*bytes;
	size_t			 len;
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	buf_init(out, lim->max_bytes);
	snprintf(d.from, sizeof(d.from), "hub");
	d.issued = now;
	d.issued_offset = offset;
	d.version = BATCH_VERSION;
	d.limits = *lim;
	if (store_peer_each(s, add_node, &d, err) == -1 ||
	    batch_new_directory(&d, &doc, err) == -1 ||
	    dsig_sign(doc, key, &sig, err) == -1)
		goto out;
	bytes = batch_bytes(sig, &len);
	rc = buf_add(out, bytes, len, err);
out:
	batch_free(sig);
	batch_free(doc);
	directory_clear(&d);
	return rc;
}

/* Parse, validate and verify: a directory signed by the hub. */
static int
directory_check(const struct trust *trust, const struct batch_limits *lim,
    const uint8_t *bytes, size_t len, int64_t now, struct batch **b,
    struct sp_err *err)
{
	if (batch_parse(bytes, len, lim, b, err) == -1 ||
	    batch_validate(*b, err) == -1)
		return -1;
	if (batch_kind(*b) != BATCH_KIND_DIRECTORY)
		return sp_errf(err, SPE_SCHEMA, "the hub answered with another "
		    "document than a directory");
	if (strcmp(batch_signer(*b), "hub") != 0)
		return sp_errf(err, SPE_AUTHORSHIP, "a directory from %s: only "
		    "the hub publishes one", batch_signer(*b));
	return dsig_verify(*b, trust, now, NULL, err);
}

/* Replace the directory held with d, inside the caller's transaction. */
static int
directory_keep(struct store *s, const struct directory *d,
    const uint8_t *bytes, size_t len, int64_t now, struct sp_err *err)
{
	struct store_directory		 sd;
	const struct directory_node	*n;
	size_t				 i;

	sd.issued = d->issued;
	sd.version = d->version;
	sd.max_bytes = d->limits.max_bytes;
	sd.max_items = d->limits.max_items;
	sd.max_item_bytes = d->limits.max_item_bytes;
	if (store_directory_set(s, &sd, bytes, len, now, err) == -1)
		return -1;
	for (i = 0; i < d->n; i++) {
		n = &d->nodes[i];
		if (store_directory_add(s, n->code, n->name, n->url,
		    n->instance, n->cert, n->cert_len, err) == -1)
			return -1;
	}
	return 0;
}

int
directory_accept(struct store *s, const struct trust *trust,
    const struct batch_limits *lim, const uint8_t *bytes, size_t len,
    int64_t now, struct sp_err *err)
{
	struct directory	 d;
	struct batch		*b = NULL;
	int64_t			 held;
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	if (directory_check(trust, lim, bytes, len, now, &b, err) == -1 ||
	    batch_directory(b, &d, err) == -1 ||
	    (held = store_directory_issued(s, err)) == -1)
		goto out;
	if (d.issued < held) {
		rc = 0;
		goto out;
	}
	if (store_begin(s, err) == -1)
		goto out;
	if (directory_keep(s, &d, bytes, len, now, err) == -1 ||
	    store_commit(s, err) == -1) {
		store_rollback(s);
		goto out;
	}
	rc = 1;
out:
	directory_clear(&d);
	batch_free(b);
	return rc;
}

int
directory_crl_install(const char *ca, const char *crl, const uint8_t *pem,
    size_t len, struct trust_crlinfo *info, struct sp_err *err)
{
	int	 rc;

	if ((rc = trust_crl_newer(ca, crl, pem, len, info, err)) != 1)
		return rc;
	if (util_write_file(crl, pem, len, err) == -1)
		return -1;
	return 1;
}
