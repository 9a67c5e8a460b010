/*
 * merkle.h: RFC 9162 (= RFC 6962) Merkle tree hashing for the hub's
 * transparency log: leaf and node hashes (0x00 / 0x01 prefixes), the tree
 * hash of a range of leaves, inclusion and consistency proofs, generated
 * from a caller's leaf reader and verified from hashes alone.  Pure: no
 * store, no I/O; SHA-256 through OpenSSL.
 */
#ifndef SIMPUL_MERKLE_H
#define SIMPUL_MERKLE_H

#include <stddef.h>
#include <stdint.h>

struct sp_err;

#define MERKLE_HASH	32
#define MERKLE_MAXPROOF	64	/* hashes in a proof of a 2^63-leaf tree */

/* Reads leaf hash i into out; -1 with err set when it cannot. */
typedef int (*merkle_leaf_fn)(void *ctx, uint64_t i, uint8_t out[MERKLE_HASH],
    struct sp_err *err);

void	merkle_leaf_hash(const void *data, size_t len,
	    uint8_t out[MERKLE_HASH]);
void	merkle_node_hash(const uint8_t left[MERKLE_HASH],
	    const uint8_t right[MERKLE_HASH], uint8_t out[MERKLE_HASH]);

/* MTH(D[lo:hi]); the empty range is SHA-256 of nothing. */
int	merkle_root(merkle_leaf_fn, void *ctx, uint64_t lo, uint64_t hi,
	    uint8_t out[MERKLE_HASH], struct sp_err *err);

/* Audit path of leaf index in a tree of size leaves; *n gets its length. */
int	merkle_inclusion(merkle_leaf_fn, void *ctx, uint64_t index,
	    uint64_t size, uint8_t path[][MERKLE_HASH], size_t *n,
	    struct sp_err *err);
int	merkle_inclusion_verify(uint64_t index, uint64_t size,
	    const uint8_t leaf[MERKLE_HASH], const uint8_t path[][MERKLE_HASH],
	    size_t n, const uint8_t root[MERKLE_HASH], struct sp_err *err);

/* Proof that the tree of size1 leaves is a prefix of the one of size2. */
int	merkle_consistency(merkle_leaf_fn, void *ctx, uint64_t size1,
	    uint64_t size2, uint8_t path[][MERKLE_HASH], size_t *n,
	    struct sp_err *err);
int	merkle_consistency_verify(uint64_t size1, uint64_t size2,
	    const uint8_t root1[MERKLE_HASH], const uint8_t root2[MERKLE_HASH],
	    const uint8_t path[][MERKLE_HASH], size_t n, struct sp_err *err);

#endif
