/*
 * scrape.h: the plain-HTTP listener of `serve --metrics`, GET /metrics
 * only, for a Prometheus on the same host (see scrape.c).
 */
#ifndef SIMPUL_SCRAPE_H
#define SIMPUL_SCRAPE_H

#include <stddef.h>

struct buf;
struct loop;
struct scrape;
struct sp_err;

/* Fill page (initialised by the callee, cleared by the listener). */
typedef int	 scrape_page(void *, struct buf *page, struct sp_err *);

/* "PORT" (on 127.0.0.1), "ADDR:PORT" or "[ADDR6]:PORT"; SPE_USAGE if not. */
int		 scrape_parse(const char *, char *host, size_t, int *port,
		    int *loopback, struct sp_err *);
/* Listen on addr; free with scrape_free(). */
struct scrape	*scrape_new(struct loop *, const char *addr, scrape_page *,
		    void *, struct sp_err *);
void		 scrape_free(struct scrape *);	/* NULL is fine */
int		 scrape_port(const struct scrape *);
/* 1 when it listens on a loopback address only. */
int		 scrape_loopback(const struct scrape *);

#endif
