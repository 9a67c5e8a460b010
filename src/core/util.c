/*
 * util.c: small pure helpers shared by every module.  Calendar arithmetic
 * uses Howard Hinnant's days-from-civil algorithm so that no libc time zone
 * state (TZ, localtime) ever influences a figure or a deadline: a time is
 * always seconds since the epoch plus an explicit offset.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/fault.h"
#include "core/util.h"
#include "core/xmalloc.h"

int64_t
util_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
util_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		 era;
	unsigned	 doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, unsigned m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* Parse exactly n digits at s. */
static int
digits(const char *s, int n, int *out)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
parse_ymd(const char *s, int *y, int *mo, int *d)
{
	if (digits(s, 4, y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, d) == -1)
		return -1;
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo))
		return -1;
	return 0;
}

int
util_date_parse(const char *s, int64_t *day, struct sp_err *err)
{
	int	 y, mo, d;

	if (strlen(s) != 10 || parse_ymd(s, &y, &mo, &d) == -1)
		return sp_errf(err, SPE_INVALID,
		    "'%s' is not a date (YYYY-MM-DD)", s);
	*day = util_days_from_civil(y, (unsigned)mo, (unsigned)d);
	return 0;
}

/* Years past 9999 do not fit the fixed-width forms: cut, never overflow. */
static void
copy_trunc(char *out, size_t size, const char *s)
{
	size_t	 n = strnlen(s, size - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

void
util_date_format(int64_t day, char *out)
{
	int64_t		 y;
	unsigned	 m, d;
	char		 tmp[64];

	util_civil_from_days(day, &y, &m, &d);
	snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02u", (long long)y, m, d);
	copy_trunc(out, 11, tmp);
}

int
util_time_parse(const char *s, int64_t *t, int *offset, struct sp_err *err)
{
	int	 y, mo, d, h, mi, sec, oh, om, off;
	size_t	 len = strlen(s);

	if (len < 20 || parse_ymd(s, &y, &mo, &d) == -1 ||
	    (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) == -1 || h > 23 || mi > 59 || sec > 59)
		goto bad;
	if (len == 20 && (s[19] == 'Z' || s[19] == 'z'))
		off = 0;
	else if (len == 25 && (s[19] == '+' || s[19] == '-') &&
	    digits(s + 20, 2, &oh) == 0 && s[22] == ':' &&
	    digits(s + 23, 2, &om) == 0 && oh <= 14 && om <= 59)
		off = (s[19] == '-' ? -1 : 1) * (oh * 60 + om);
	else
		goto bad;
	*t = util_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec - off * 60;
	if (offset != NULL)
		*offset = off;
	return 0;
bad:
	return sp_errf(err, SPE_INVALID,
	    "'%s' is not an RFC 3339 time with offset", s);
}

void
util_time_format(int64_t t, int offset, char *out)
{
	int64_t		 local = t + (int64_t)offset * 60, day, sod, y;
	unsigned	 m, d;
	int		 a = offset < 0 ? -offset : offset;
	char		 zone[8], tmp[64];

	day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	sod = local - day * 86400;
	util_civil_from_days(day, &y, &m, &d);
	if (offset == 0)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02d:%02d",
		    offset < 0 ? '-' : '+', a / 60 % 100, a % 60);
	snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02uT%02d:%02d:%02d%s",
	    (long long)y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
	    (int)(sod % 60), zone);
	copy_trunc(out, UTIL_TIME_LEN, tmp);
}

int64_t
util_now(void)
{
	const char	*s;
	int64_t		 t;
	struct sp_err	 err = { 0 };

	if ((s = getenv("SIMPUL_NOW")) != NULL && *s != '\0') {
		if (util_time_parse(s, &t, NULL, &err) == 0)
			return t;
		/* A test harness that sets a bad time must not run on. */
		fprintf(stderr, "simpul: SIMPUL_NOW: %s\n", err.msg);
		exit(2);
	}
	return (int64_t)time(NULL);
}

int
util_parse_int(const char *s, long long min, long long max, long long *out,
    const char *what, struct sp_err *err)
{
	char		*end;
	long long	 v;

	errno = 0;
	if (*s == '\0' || isspace((unsigned char)*s))
		return sp_errf(err, SPE_INVALID, "%s: '%s' is not a number",
		    what, s);
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return sp_errf(err, SPE_INVALID, "%s: '%s' is not a number",
		    what, s);
	if (errno == ERANGE || v < min || v > max)
		return sp_errf(err, SPE_INVALID,
		    "%s: %s is out of range %lld..%lld", what, s, min, max);
	*out = v;
	return 0;
}

void
util_hex(const uint8_t *p, size_t n, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
util_unhex(const char *in, struct buf *out, struct sp_err *err)
{
	size_t	 n = strlen(in), i;
	uint8_t	 byte;
	int	 hi, lo;

	if (n % 2 != 0)
		return sp_errf(err, SPE_MALFORMED, "odd-length hex");
	for (i = 0; i < n; i += 2) {
		if ((hi = hexval(in[i])) == -1 || (lo = hexval(in[i + 1])) == -1)
			return sp_errf(err, SPE_MALFORMED, "not lower-case hex");
		byte = (uint8_t)(hi << 4 | lo);
		if (buf_add(out, &byte, 1, err) == -1)
			return -1;
	}
	return 0;
}

static const char	 b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
util_b64(const uint8_t *in, size_t n, char *out)
{
	uint32_t	 v;
	size_t		 i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = b64[(v >> 6) & 63];
		*out++ = b64[v & 63];
	}
	if (i < n) {
		v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] <<
		    8 : 0);
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

int
util_unb64(const char *in, struct buf *out, struct sp_err *err)
{
	const char	*p;
	uint32_t	 v = 0;
	uint8_t		 byte;
	int		 bits = 0, pad = 0;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '\n' || *in == '\r' || *in == '\t')
			continue;
		if (*in == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (p = strchr(b64, *in)) == NULL)
			return sp_errf(err, SPE_MALFORMED, "not base64");
		v = v << 6 | (uint32_t)(p - b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			byte = (uint8_t)(v >> bits);
			if (buf_add(out, &byte, 1, err) == -1)
				return -1;
		}
	}
	if (pad > 2 || bits >= 6)
		return sp_errf(err, SPE_MALFORMED, "not base64");
	return 0;
}

int
util_node_code_valid(const char *s)
{
	int	 groups = 0;

	if (strcmp(s, "hub") == 0)
		return 1;
	for (;;) {
		if (!isdigit((unsigned char)s[0]) ||
		    !isdigit((unsigned char)s[1]))
			return 0;
		s += 2;
		if (*s == '\0')
			return 1;
		if (*s != '.' || ++groups > 3)
			return 0;
		s++;
	}
}

int
util_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *e = p + n;
	unsigned		 c, need;
	uint32_t		 cp, min;

	while (p < e) {
		c = *p++;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7f)
				return 0;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return 0;
		if ((size_t)(e - p) < need)
			return 0;
		while (need-- > 0) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

int
util_read_file(const char *path, size_t max, struct buf *b,
    struct sp_err *err)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 rc = -1;

	buf_init(b, max);
	if ((f = fopen(path, "rb")) == NULL)
		return sp_errf(err, errno == ENOENT ? SPE_NOT_FOUND : SPE_IO,
		    "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(b, chunk, n, err) == -1) {
			sp_errf(err, SPE_TOO_LARGE, "%s: larger than %zu bytes",
			    path, max);
			goto out;
		}
	if (ferror(f)) {
		sp_errf(err, SPE_IO, "%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	if (rc == -1)
		buf_clear(b);
	return rc;
}

/* One write(2) of all n bytes, or -1 with errno (fault.c may fail it). */
static int
write_all(int fd, const void *p, size_t n)
{
	if (fault_hit(FAULT_WRITE)) {
		errno = EIO;
		return -1;
	}
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

int
util_write_file(const char *path, const void *p, size_t n,
    struct sp_err *err)
{
	char	*tmp;
	int	 fd, rc = -1;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		sp_errf(err, SPE_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((n > 0 && write_all(fd, p, n) == -1) || fsync(fd) == -1) {
		sp_errf(err, SPE_IO, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		sp_errf(err, SPE_IO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

int
util_mkdir_p(const char *dir, struct sp_err *err)
{
	struct stat	 st;
	char		*p, *s;
	int		 e = 0;

	p = xstrdup(dir);
	/* Each parent in turn; the leading / of an absolute path is none. */
	for (s = p; *s == '/'; s++)
		;
	for (; e == 0 && *s != '\0'; s++) {
		if (*s != '/' || s[1] == '/' || s[1] == '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			e = errno;
		*s = '/';
	}
	free(p);
	if (e == 0 && mkdir(dir, 0755) == -1 && errno != EEXIST)
		e = errno;
	if (e == 0 && stat(dir, &st) == -1)
		e = errno;
	else if (e == 0 && !S_ISDIR(st.st_mode))
		e = ENOTDIR;
	if (e == 0)
		return 0;
	/* A path that can never be a folder is the caller's, not the disk's. */
	return sp_errf(err, e == ENOTDIR || e == ENOENT || e == ELOOP ||
	    e == ENAMETOOLONG ? SPE_INVALID : SPE_IO,
	    "cannot create the folder %s: %s", dir, strerror(e));
}
