/*
 * merkle.c: RFC 9162 tree hashing and proofs (see merkle.h).  Generation
 * follows RFC 6962 §2.1.1-2.1.2 (PATH and SUBPROOF) by recursion on the
 * largest power of two below the size, so a proof costs O(log n) range
 * hashes; verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by
 * step.  Edge rules, as the transparency-dev vectors encode them: an
 * inclusion proof in an empty tree, a consistency proof from size 0 and
 * one from a larger to a smaller tree are refused; equal sizes need an
 * empty proof and equal roots.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "wire/merkle.h"
#include "core/err.h"

static void
sha256(const uint8_t *b, size_t len, uint8_t out[MERKLE_HASH])
{
	EVP_Digest(b, len, out, NULL, EVP_sha256(), NULL);
}

void
merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH])
{
	EVP_MD_CTX	*c = EVP_MD_CTX_new();
	static const uint8_t zero = 0x00;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, &zero, 1);
	EVP_DigestUpdate(c, data, len);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

/* Copies both inputs first, so out may alias either. */
void
merkle_node_hash(const uint8_t left[MERKLE_HASH],
    const uint8_t right[MERKLE_HASH], uint8_t out[MERKLE_HASH])
{
	uint8_t	 b[1 + 2 * MERKLE_HASH];

	b[0] = 0x01;
	memcpy(b + 1, left, MERKLE_HASH);
	memcpy(b + 1 + MERKLE_HASH, right, MERKLE_HASH);
	sha256(b, sizeof b, out);
}

/* The largest power of two strictly below n (n > 1). */
static uint64_t
split(uint64_t n)
{
	uint64_t	 k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

int
merkle_root(merkle_leaf_fn leaf, void *ctx, uint64_t lo, uint64_t hi,
    uint8_t out[MERKLE_HASH], struct sp_err *err)
{
	uint8_t		 l[MERKLE_HASH], r[MERKLE_HASH];
	uint64_t	 k;

	if (hi <= lo) {
		sha256(NULL, 0, out);
		return 0;
	}
	if (hi - lo == 1)
		return leaf(ctx, lo, out, err);
	k = split(hi - lo);
	if (merkle_root(leaf, ctx, lo, lo + k, l, err) == -1 ||
	    merkle_root(leaf, ctx, lo + k, hi, r, err) == -1)
		return -1;
	merkle_node_hash(l, r, out);
	return 0;
}

/* PATH(m, D[lo:hi]) appended to path at *n, innermost first. */
static int
path_of(merkle_leaf_fn leaf, void *ctx, uint64_t m, uint64_t lo, uint64_t hi,
    uint8_t path[][MERKLE_HASH], size_t *n, struct sp_err *err)
{
	uint64_t	 k;

	if (hi - lo <= 1)
		return 0;
	k = split(hi - lo);
	if (m < k) {
		if (path_of(leaf, ctx, m, lo, lo + k, path, n, err) == -1)
			return -1;
		return merkle_root(leaf, ctx, lo + k, hi, path[(*n)++], err);
	}
	if (path_of(leaf, ctx, m - k, lo + k, hi, path, n, err) == -1)
		return -1;
	return merkle_root(leaf, ctx, lo, lo + k, path[(*n)++], err);
}

int
merkle_inclusion(merkle_leaf_fn leaf, void *ctx, uint64_t index,
    uint64_t size, uint8_t path[][MERKLE_HASH], size_t *n,
    struct sp_err *err)
{
	*n = 0;
	if (index >= size)
		return sp_errf(err, SPE_INVALID, "inclusion proof: leaf %llu "
		    "is not in a tree of %llu leaves",
		    (unsigned long long)index, (unsigned long long)size);
	return path_of(leaf, ctx, index, 0, size, path, n, err);
}

/* Shift fn and sn right until fn is odd or zero (RFC 9162 "repeat"). */
static void
climb(uint64_t *fn, uint64_t *sn)
{
	while ((*fn & 1) == 0 && *fn != 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

int
merkle_inclusion_verify(uint64_t index, uint64_t size,
    const uint8_t leaf[MERKLE_HASH], const uint8_t path[][MERKLE_HASH],
    size_t n, const uint8_t root[MERKLE_HASH], struct sp_err *err)
{
	uint64_t	 fn = index, sn = size - 1;
	uint8_t		 r[MERKLE_HASH];
	size_t		 i;

	if (index >= size)
		return sp_errf(err, SPE_INVALID, "inclusion proof: leaf %llu "
		    "is not in a tree of %llu leaves",
		    (unsigned long long)index, (unsigned long long)size);
	memcpy(r, leaf, MERKLE_HASH);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return sp_errf(err, SPE_INVALID, "inclusion proof: "
			    "%zu hashes, more than the tree needs", n);
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(path[i], r, r);
			climb(&fn, &sn);
		} else
			merkle_node_hash(r, path[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return sp_errf(err, SPE_INVALID, "inclusion proof: %zu hashes, "
		    "fewer than the tree needs", n);
	if (CRYPTO_memcmp(r, root, MERKLE_HASH) != 0)
		return sp_errf(err, SPE_INVALID, "inclusion proof: leaf %llu "
		    "does not lead to the root of size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	return 0;
}

/* SUBPROOF(m, D[lo:hi], whole) appended to path at *n. */
static int
subproof(merkle_leaf_fn leaf, void *ctx, uint64_t m, uint64_t lo,
    uint64_t hi, int whole, uint8_t path[][MERKLE_HASH], size_t *n,
    struct sp_err *err)
{
	uint64_t	 k;

	if (m == hi - lo) {
		if (whole)
			return 0;
		return merkle_root(leaf, ctx, lo, hi, path[(*n)++], err);
	}
	k = split(hi - lo);
	if (m <= k) {
		if (subproof(leaf, ctx, m, lo, lo + k, whole, path, n,
		    err) == -1)
			return -1;
		return merkle_root(leaf, ctx, lo + k, hi, path[(*n)++], err);
	}
	if (subproof(leaf, ctx, m - k, lo + k, hi, 0, path, n, err) == -1)
		return -1;
	return merkle_root(leaf, ctx, lo, lo + k, path[(*n)++], err);
}

static int
sizes_ok(uint64_t size1, uint64_t size2, struct sp_err *err)
{
	if (size1 == 0)
		return sp_errf(err, SPE_INVALID, "consistency proof: from an "
		    "empty tree proves nothing");
	if (size1 > size2)
		return sp_errf(err, SPE_INVALID, "consistency proof: size "
		    "%llu is larger than %llu", (unsigned long long)size1,
		    (unsigned long long)size2);
	return 0;
}

int
merkle_consistency(merkle_leaf_fn leaf, void *ctx, uint64_t size1,
    uint64_t size2, uint8_t path[][MERKLE_HASH], size_t *n,
    struct sp_err *err)
{
	*n = 0;
	if (sizes_ok(size1, size2, err) == -1)
		return -1;
	return subproof(leaf, ctx, size1, 0, size2, 1, path, n, err);
}

/* RFC 9162 §2.1.4.2 steps 3-7 for size1 < size2 and a non-empty path. */
static int
consistency_walk(uint64_t size1, uint64_t size2,
    const uint8_t root1[MERKLE_HASH], const uint8_t root2[MERKLE_HASH],
    const uint8_t path[][MERKLE_HASH], size_t n)
{
	uint64_t	 fn = size1 - 1, sn = size2 - 1;
	uint8_t		 fr[MERKLE_HASH], sr[MERKLE_HASH];
	size_t		 i = 0;

	if ((size1 & (size1 - 1)) == 0)		/* step 2: root1 first */
		memcpy(fr, root1, MERKLE_HASH);
	else
		memcpy(fr, path[i++], MERKLE_HASH);
	memcpy(sr, fr, MERKLE_HASH);
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(path[i], fr, fr);
			merkle_node_hash(path[i], sr, sr);
			climb(&fn, &sn);
		} else
			merkle_node_hash(sr, path[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || CRYPTO_memcmp(fr, root1, MERKLE_HASH) != 0 ||
	    CRYPTO_memcmp(sr, root2, MERKLE_HASH) != 0)
		return -1;
	return 0;
}

int
merkle_consistency_verify(uint64_t size1, uint64_t size2,
    const uint8_t root1[MERKLE_HASH], const uint8_t root2[MERKLE_HASH],
    const uint8_t path[][MERKLE_HASH], size_t n, struct sp_err *err)
{
	if (sizes_ok(size1, size2, err) == -1)
		return -1;
	if (size1 == size2) {
		if (n != 0 || CRYPTO_memcmp(root1, root2, MERKLE_HASH) != 0)
			return sp_errf(err, SPE_INVALID, "consistency proof: "
			    "equal sizes need equal roots and no hashes");
		return 0;
	}
	if (n == 0 || (n == 1 && (size1 & (size1 - 1)) != 0))
		return sp_errf(err, SPE_INVALID, "consistency proof: %zu "
		    "hashes cannot link size %llu to %llu", n,
		    (unsigned long long)size1, (unsigned long long)size2);
	if (consistency_walk(size1, size2, root1, root2, path, n) == -1)
		return sp_errf(err, SPE_INVALID, "consistency proof: the tree "
		    "of size %llu is not a prefix of the one of size %llu",
		    (unsigned long long)size1, (unsigned long long)size2);
	return 0;
}
