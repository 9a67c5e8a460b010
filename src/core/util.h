/*
 * util.h: small helpers with no module dependencies: time in RFC 3339 with
 * the node's offset, bounded integer parsing, hex and base64, node codes,
 * whole-file reads and atomic writes, and making output folders.
 */
#ifndef SIMPUL_UTIL_H
#define SIMPUL_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct sp_err;

#define UTIL_TIME_LEN	32	/* "2026-11-28T09:00:00+07:00" and NUL */

/* Seconds since the epoch: SIMPUL_NOW (RFC 3339) if set, else the clock. */
int64_t	 util_now(void);
/*
 * Parse RFC 3339 with a mandatory offset ("Z" or +hh:mm); fractional
 * seconds are refused.  *offset gets the offset in minutes (may be NULL).
 */
int	 util_time_parse(const char *, int64_t *t, int *offset,
	    struct sp_err *);
/* Format t at the given offset in minutes into out[UTIL_TIME_LEN]. */
void	 util_time_format(int64_t t, int offset, char *out);
/* Parse YYYY-MM-DD into a day number (days since 1970-01-01). */
int	 util_date_parse(const char *, int64_t *day, struct sp_err *);
void	 util_date_format(int64_t day, char *out);	/* out[11] */
int64_t	 util_days_from_civil(int64_t y, unsigned m, unsigned d);
void	 util_civil_from_days(int64_t, int64_t *y, unsigned *m, unsigned *d);

/* Base-10 integer in [min, max]; what names the value in the message. */
int	 util_parse_int(const char *, long long min, long long max,
	    long long *out, const char *what, struct sp_err *);
/* Lower-case hex of n bytes into out[2n + 1]. */
void	 util_hex(const uint8_t *, size_t n, char *out);
/* Lower-case hex back into bytes, appended to out (within its limit). */
int	 util_unhex(const char *, struct buf *out, struct sp_err *);
/* Base64 (RFC 4648, padded) of n bytes into out[4 * ((n + 2) / 3) + 1]. */
void	 util_b64(const uint8_t *, size_t n, char *out);
/* Base64 back into bytes, appended to out; white space is skipped. */
int	 util_unb64(const char *, struct buf *out, struct sp_err *);

/* "hub", or two digits and up to three ".dd" groups (DESIGN §2). */
int	 util_node_code_valid(const char *);
/* Every byte is valid UTF-8 and no control character but \t \n \r. */
int	 util_utf8_valid(const char *, size_t);

/* Read a whole file of at most max bytes into b (initialised here). */
int	 util_read_file(const char *path, size_t max, struct buf *b,
	    struct sp_err *);
/* Write a file through a temporary name, fsync and rename. */
int	 util_write_file(const char *path, const void *, size_t,
	    struct sp_err *);
/*
 * Make the folder dir and any missing parent (mkdir -p), mode 0755 less
 * the umask; a folder already there is fine.  On failure the message is
 * "cannot create the folder DIR: reason", with SPE_INVALID when the path
 * cannot name a folder (under a file, a file itself, too long, a loop) and
 * SPE_IO when the file system refuses (permission, read-only, full).
 */
int	 util_mkdir_p(const char *dir, struct sp_err *);

#endif
