/*
 * test_merkle.c: merkle.c against the Certificate Transparency reference
 * vectors (the 8 leaves of transparency-dev/merkle testonly/constants.go,
 * their roots for sizes 0-8 and the published audit path of leaf 0 in the
 * tree of 8), every inclusion and consistency proof of trees up to 8
 * leaves round-tripped, and each corrupted or impossible proof refused.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wire/merkle.h"
#include "core/err.h"

static const char *LEAVES[8] = { "", "00", "10", "2021", "3031",
    "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" };

static const char *ROOTS[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* The audit path of leaf 0 in the tree of 8 (CT's inclusionProofs). */
static const char *PATH0[3] = {
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
};

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t	 n = strlen(s) / 2, i;

	for (i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
	return n;
}

static int
leaf_at(void *ctx, uint64_t i, uint8_t out[MERKLE_HASH], struct sp_err *err)
{
	uint8_t	 b[16];
	size_t	 n;

	(void)ctx;
	if (i >= 8)
		return sp_errf(err, SPE_NOT_FOUND, "no leaf %llu",
		    (unsigned long long)i);
	n = unhex(LEAVES[i], b);
	merkle_leaf_hash(b, n, out);
	return 0;
}

static void
root_of(uint64_t size, uint8_t out[MERKLE_HASH])
{
	struct sp_err	 err = { 0 };

	assert_int_equal(merkle_root(leaf_at, NULL, 0, size, out, &err), 0);
}

static void
test_roots(void **state)
{
	uint8_t		 r[MERKLE_HASH], want[MERKLE_HASH];
	uint64_t	 size;

	(void)state;
	for (size = 0; size <= 8; size++) {
		root_of(size, r);
		unhex(ROOTS[size], want);
		assert_memory_equal(r, want, MERKLE_HASH);
	}
}

static void
test_reference_path(void **state)
{
	uint8_t		 path[MERKLE_MAXPROOF][MERKLE_HASH], want[MERKLE_HASH];
	uint8_t		 leaf[MERKLE_HASH], root[MERKLE_HASH];
	struct sp_err	 err = { 0 };
	size_t		 n, i;

	(void)state;
	assert_int_equal(merkle_inclusion(leaf_at, NULL, 0, 8, path, &n,
	    &err), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		unhex(PATH0[i], want);
		assert_memory_equal(path[i], want, MERKLE_HASH);
	}
	leaf_at(NULL, 0, leaf, &err);
	root_of(8, root);
	assert_int_equal(merkle_inclusion_verify(0, 8, leaf, path, n, root,
	    &err), 0);
}

/* Every leaf of every size proves; each tampering is refused. */
static void
test_inclusion_all(void **state)
{
	uint8_t		 path[MERKLE_MAXPROOF][MERKLE_HASH];
	uint8_t		 leaf[MERKLE_HASH], root[MERKLE_HASH];
	struct sp_err	 err = { 0 };
	uint64_t	 size, m;
	size_t		 n;

	(void)state;
	for (size = 1; size <= 8; size++) {
		root_of(size, root);
		for (m = 0; m < size; m++) {
			assert_int_equal(merkle_inclusion(leaf_at, NULL, m,
			    size, path, &n, &err), 0);
			leaf_at(NULL, m, leaf, &err);
			assert_int_equal(merkle_inclusion_verify(m, size,
			    leaf, path, n, root, &err), 0);
			assert_int_equal(merkle_inclusion_verify(m ^ 1, size,
			    leaf, path, n, root, &err), -1);
			if (n > 0) {
				assert_int_equal(merkle_inclusion_verify(m,
				    size, leaf, path, n - 1, root, &err), -1);
				path[0][5] ^= 0x10;
				assert_int_equal(merkle_inclusion_verify(m,
				    size, leaf, path, n, root, &err), -1);
				path[0][5] ^= 0x10;
			}
			memcpy(path[n], leaf, MERKLE_HASH);
			assert_int_equal(merkle_inclusion_verify(m, size,
			    leaf, path, n + 1, root, &err), -1);
		}
	}
	assert_int_equal(err.code, SPE_INVALID);
}

static void
test_inclusion_refused(void **state)
{
	uint8_t		 path[MERKLE_MAXPROOF][MERKLE_HASH];
	uint8_t		 leaf[MERKLE_HASH], root[MERKLE_HASH];
	struct sp_err	 err = { 0 };
	size_t		 n;

	(void)state;
	assert_int_equal(merkle_inclusion(leaf_at, NULL, 8, 8, path, &n,
	    &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	assert_non_null(strstr(err.msg, "not in a tree of 8"));
	leaf_at(NULL, 0, leaf, &err);
	root_of(0, root);
	sp_err_clear(&err);
	assert_int_equal(merkle_inclusion_verify(0, 0, leaf, path, 0, root,
	    &err), -1);
	assert_int_equal(err.code, SPE_INVALID);
	/* A leaf the reader cannot give fails the proof with its error. */
	sp_err_clear(&err);
	assert_int_equal(merkle_inclusion(leaf_at, NULL, 0, 9, path, &n,
	    &err), -1);
	assert_int_equal(err.code, SPE_NOT_FOUND);
}

/* Every pair of sizes links; tampering and swapped roots are refused. */
static void
test_consistency_all(void **state)
{
	uint8_t		 path[MERKLE_MAXPROOF][MERKLE_HASH];
	uint8_t		 r1[MERKLE_HASH], r2[MERKLE_HASH];
	struct sp_err	 err = { 0 };
	uint64_t	 s1, s2;
	size_t		 n, i;

	(void)state;
	for (s2 = 1; s2 <= 8; s2++)
		for (s1 = 1; s1 <= s2; s1++) {
			root_of(s1, r1);
			root_of(s2, r2);
			assert_int_equal(merkle_consistency(leaf_at, NULL, s1,
			    s2, path, &n, &err), 0);
			assert_int_equal(merkle_consistency_verify(s1, s2, r1,
			    r2, path, n, &err), 0);
			if (s1 == s2)
				continue;
			assert_int_equal(merkle_consistency_verify(s1, s2, r2,
			    r1, path, n, &err), -1);
			for (i = 0; i < n; i++) {
				path[i][0] ^= 0x01;
				assert_int_equal(merkle_consistency_verify(s1,
				    s2, r1, r2, path, n, &err), -1);
				path[i][0] ^= 0x01;
			}
			assert_int_equal(merkle_consistency_verify(s1, s2, r1,
			    r2, path, n - 1, &err), -1);
		}
}

static void
test_consistency_refused(void **state)
{
	uint8_t		 path[MERKLE_MAXPROOF][MERKLE_HASH];
	uint8_t		 r1[MERKLE_HASH], r2[MERKLE_HASH];
	struct sp_err	 err = { 0 };
	size_t		 n;

	(void)state;
	root_of(0, r1);
	root_of(3, r2);
	assert_int_equal(merkle_consistency(leaf_at, NULL, 0, 3, path, &n,
	    &err), -1);
	assert_non_null(strstr(err.msg, "empty tree"));
	sp_err_clear(&err);
	assert_int_equal(merkle_consistency(leaf_at, NULL, 4, 3, path, &n,
	    &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	sp_err_clear(&err);
	assert_int_equal(merkle_consistency_verify(0, 0, r1, r1, path, 0,
	    &err), -1);
	sp_err_clear(&err);
	root_of(5, r1);
	assert_int_equal(merkle_consistency_verify(5, 5, r1, r2, path, 0,
	    &err), -1);
	assert_non_null(strstr(err.msg, "equal sizes"));
	sp_err_clear(&err);
	assert_int_equal(merkle_consistency_verify(3, 5, r2, r1, path, 0,
	    &err), -1);
	assert_non_null(strstr(err.msg, "0 hashes"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_reference_path),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_inclusion_refused),
		cmocka_unit_test(test_consistency_all),
		cmocka_unit_test(test_consistency_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
