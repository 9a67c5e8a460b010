/*
 * fuzz_document.c: libFuzzer target for decoding and verifying one signed
 * document, batch or standalone receipt, through exactly the steps the
 * receiver runs: size, parse, schema, signature and signer (against the
 * committed fixture CA, at a fixed trusted time), authorship, and every
 * item read back into structs.  Built twice: with clang's libFuzzer
 * (`make fuzz`) and with replay.c as a plain program that replays the
 * corpus in `make check`.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "wire/batch.h"
#include "wire/dsig.h"
#include "core/err.h"
#include "rules/event.h"
#include "wire/trust.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_AT	1811894400	/* 2027-06-01T00:00:00Z, inside the fixture */

static struct trust	*trust;

static void
fuzz_init(void)
{
	struct sp_err	 err = { 0 };

	if (dsig_init(&err) == -1 ||
	    (trust = trust_load(FUZZ_DIR "/ca.pem", NULL, &err)) == NULL)
		abort();
}

static void
read_items(const struct batch *b)
{
	struct sp_err	 err = { 0 };
	struct event	 e;
	struct receipt	 r;
	size_t		 i;

	for (i = 0; i < batch_nitems(b); i++) {
		sp_err_clear(&err);
		if (batch_item_kind(b, i) == BATCH_ITEM_EVENT) {
			if (batch_item_event(b, i, &e, &err) == 0)
				event_clear(&e);
		} else if (batch_item_receipt(b, i, &r, &err) == 0)
			receipt_clear(&r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct batch_limits	 lim;
	struct sp_err		 err = { 0 };
	struct batch		*b = NULL;
	struct receipt		 r;

	if (trust == NULL)
		fuzz_init();
	batch_limits_default(&lim);
	if (batch_check_size(len, &lim, &err) == -1 ||
	    batch_parse(data, len, &lim, &b, &err) == -1 ||
	    batch_validate(b, &err) == -1)
		goto out;
	(void)dsig_verify(b, trust, FUZZ_AT, NULL, &err);
	sp_err_clear(&err);
	if (batch_kind(b) == BATCH_KIND_RECEIPT) {
		if (batch_receipt(b, &r, &err) == 0)
			receipt_clear(&r);
	} else {
		(void)batch_check_authorship(b, &err);
		read_items(b);
	}
out:
	batch_free(b);
	return 0;
}
