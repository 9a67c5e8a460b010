/*
 * directory.h: the hub's directory of enrolled nodes and the CRL it
 * distributes (DESIGN §2).  The hub makes the signed directory from its
 * peers; every node checks the one it fetched (signed by the hub, valid
 * against the CA, not older than the one held) and keeps it, and checks
 * and installs the hub's CRL over its own CRL file.
 */
#ifndef SIMPUL_DIRECTORY_H
#define SIMPUL_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

struct batch_limits;
struct buf;
struct sp_err;
struct store;
struct trust;
struct trust_crlinfo;
struct trust_key;

/* The hub: its signed directory, exact bytes into out (initialised here). */
int	 directory_make(struct store *, const struct trust_key *,
	    const struct batch_limits *, int64_t now, int offset,
	    struct buf *out, struct sp_err *);
/*
 * A node: check the directory the hub served at the trusted time now and
 * keep it (in a transaction of its own).  1 kept, 0 not newer than the
 * one held; -1 refused: over the limits, malformed, not the schema's, not
 * signed by the hub (SPE_SIGNATURE, SPE_SIGNER, SPE_AUTHORSHIP).
 */
int	 directory_accept(struct store *, const struct trust *,
	    const struct batch_limits *, const uint8_t *, size_t,
	    int64_t now, struct sp_err *);
/*
 * A node: the CRL the hub served, installed at crl (write to a temporary
 * file and rename) when it is issued and signed by the CA at ca and newer
 * than the one there.  1 installed, 0 not newer, -1 refused or not
 * written.  info gets the served CRL's dates.
 */
int	 directory_crl_install(const char *ca, const char *crl,
	    const uint8_t *, size_t, struct trust_crlinfo *, struct sp_err *);

#endif
