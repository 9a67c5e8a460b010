/*
 * xmalloc.c: allocation wrappers that end the process on out-of-memory, and
 * the bounded buffer.  Every buffer is created with its maximum so that no
 * input can make simpul grow without bound (STYLE §2.6).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xmalloc.h"

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("malloc %zu", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size)) == NULL)
		fatal("calloc %zu x %zu", nmemb, size);
	return p;
}

void *
xreallocarray(void *old, size_t nmemb, size_t size)
{
	void	*p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		fatalx("reallocarray: %zu x %zu overflows", nmemb, size);
	if ((p = realloc(old, nmemb * size == 0 ? 1 : nmemb * size)) == NULL)
		fatal("realloc %zu x %zu", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("strndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("asprintf");
	return p;
}

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int
buf_add(struct buf *b, const void *p, size_t n, struct sp_err *err)
{
	size_t	 need;

	if (n > b->max || b->len > b->max - n) {
		buf_clear(b);
		return sp_errf(err, SPE_TOO_LARGE,
		    "more than %zu bytes", b->max);
	}
	need = b->len + n + 1;
	if (need > b->cap) {
		size_t	 cap = b->cap ? b->cap : 256;

		while (cap < need)
			cap *= 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_addstr(struct buf *b, const char *s, struct sp_err *err)
{
	return buf_add(b, s, strlen(s), err);
}

int
buf_printf(struct buf *b, struct sp_err *err, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n, rc;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	rc = buf_add(b, p, (size_t)n, err);
	free(p);
	return rc;
}

uint8_t *
buf_release(struct buf *b, size_t *len)
{
	uint8_t	*p = b->data;

	if (p == NULL)
		p = (uint8_t *)xstrdup("");
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_clear(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_clear(b);
}
