/*
 * fuzz_http.h: between the HTTP fuzz target and its client (fuzz_http_io.c).
 */
#ifndef SIMPUL_FUZZ_HTTP_H
#define SIMPUL_FUZZ_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct loop;

/* Send data to 127.0.0.1:port as one connection; run the loop till done. */
void	 fuzz_http_send(struct loop *, int port, const uint8_t *, size_t);

#endif
