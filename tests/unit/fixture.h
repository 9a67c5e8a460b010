/*
 * fixture.h: what the unit tests share, so that no test carries its own
 * copy: one scratch folder per test program, development PKIs made in it
 * by certs/mkcerts.sh, node databases on such a PKI, and the keys, trust
 * stores and signatures they give.  A helper that cannot do its job fails
 * the running test (cmocka's fail_msg); the ones meant for a group setup
 * return -1 instead, as cmocka's setup functions do.
 */
#ifndef SIMPUL_FIXTURE_H
#define SIMPUL_FIXTURE_H

struct batch;
struct store;
struct trust;
struct trust_key;

/*
 * Make the scratch folder $TMPDIR/simpul-NAME.XXXXXX (/tmp without
 * TMPDIR).  0, or -1 when it cannot be made.
 */
int		 fixture_open(const char *name);
/*
 * Remove the folder and everything in it, and shut down what signing and
 * verifying started (xmlsec, the schemas).  0, or -1 when the folder could
 * not be removed.
 */
int		 fixture_close(void);
/* The folder, borrowed until fixture_close(). */
const char	*fixture_dir(void);
/* The folder joined with the formatted name; the caller frees it. */
char		*fixture_path(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));

/*
 * A development PKI in the folder's subfolder pki: certs/mkcerts.sh (from
 * $top_srcdir) with args, e.g. "--test 33.21 33.28".  0 or -1.
 */
int		 fixture_pki(const char *pki, const char *args);
/*
 * A new node database in the folder for code, a regency in WIB, set up
 * with pki's files for code (NULL: /dev/null for each: a node that never
 * signs).  *path (if not NULL) gets its file name; the caller frees it and
 * closes the store.
 */
struct store	*fixture_node(const char *pki, const char *code, char **path);

/* pki's key and certificate for code; free with trust_key_free(). */
struct trust_key *fixture_key(const char *pki, const char *code);
/* pki's CA and, with_crl, its CRL; free with trust_free(). */
struct trust	*fixture_trust(const char *pki, int with_crl);
/* b signed with pki's key for code; free with batch_free(). */
struct batch	*fixture_sign(const struct batch *b, const char *pki,
		    const char *code);

#endif
