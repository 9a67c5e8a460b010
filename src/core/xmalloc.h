/*
 * xmalloc.h: allocation that cannot fail (out-of-memory is fatal: crash
 * safety makes a restart lose nothing) and the bounded buffer every
 * growable byte string uses.
 */
#ifndef SIMPUL_XMALLOC_H
#define SIMPUL_XMALLOC_H

#include <stddef.h>
#include <stdint.h>

struct sp_err;

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((__format__ (printf, 1, 2)));

/*
 * A byte buffer that never grows past max.  data is always NUL-terminated
 * (not counted in len) so text can be used in place.
 */
struct buf {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
	size_t		 max;
};

void	 buf_init(struct buf *, size_t max);
/* Append n bytes.  Past max: returns -1 with SPE_TOO_LARGE, frees the data. */
int	 buf_add(struct buf *, const void *, size_t, struct sp_err *);
int	 buf_addstr(struct buf *, const char *, struct sp_err *);
int	 buf_printf(struct buf *, struct sp_err *, const char *, ...)
	    __attribute__((__format__ (printf, 3, 4)));
/* Hand the bytes over: the caller frees the result; the buffer is reset. */
uint8_t	*buf_release(struct buf *, size_t *len);
void	 buf_clear(struct buf *);
/* buf_clear() that first overwrites the bytes (keys, passphrases). */
void	 buf_wipe(struct buf *);

#endif
