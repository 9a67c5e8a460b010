/*
 * mkevents.c: a test-only tool that queues many events for a peer in a
 * node's database quickly, through the desk (the code path of `simpul
 * complaint`), a thousand complaints per transaction instead of one
 * process per event.  The crash test and bench/bench_sync.sh use it.
 *
 *   mkevents DB EVENTS PEER
 *
 * DB is an initialised node with the national topics loaded.  EVENTS / 5
 * complaints are filed, verified, dispatched, followed up and forwarded
 * to PEER: five events each, every one bound for PEER (a forward
 * backfills the complaint's earlier events).  Prints the complaints'
 * first and last ids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/complaint.h"
#include "exchange/desk.h"
#include "core/err.h"
#include "rules/event.h"
#include "store/store.h"
#include "core/util.h"

#define PER_TX	1000	/* complaints per transaction */

static void
die(const char *what, const struct sp_err *err)
{
	fprintf(stderr, "mkevents: %s: %s: %s\n", what,
	    sp_code_name(err->code), err->msg);
	exit(1);
}

/* One complaint through its five events. */
static void
one(struct store *s, const char *peer, char id[40])
{
	static const enum event_kind kinds[] = { EV_VERIFIED, EV_DISPATCHED,
	    EV_FOLLOWED_UP, EV_FORWARDED };
	struct sp_err		 err = { 0 };
	struct desk		 d;
	struct complaint_state	 cs;
	struct complaint_fields	 f;
	struct event		 e;
	size_t			 k;

	memset(&f, 0, sizeof(f));
	f.title = (char *)"Jalan desa rusak";
	f.body = (char *)"Jalan di Desa Karangsari berlubang sejak musim "
	    "hujan, mohon segera diperbaiki.";
	f.category = (char *)"INF.JLN";
	if (desk_init(&d, s, "mkevents", util_now(), &err) == -1 ||
	    desk_file(&d, &f, NULL, id, &err) == -1 ||
	    desk_load(&d, id, &cs, &err) == -1)
		die("file", &err);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		memset(&e, 0, sizeof(e));
		e.kind = kinds[k];
		if (kinds[k] == EV_DISPATCHED)
			e.unit = (char *)"Dinas PUPR";
		if (kinds[k] == EV_FOLLOWED_UP)
			e.text = (char *)"Sudah ditinjau; perbaikan minggu "
			    "depan.";
		if (kinds[k] == EV_FORWARDED)
			snprintf(e.to, sizeof(e.to), "%s", peer);
		if (desk_record(&d, &cs, &e, &err) == -1)
			die(id, &err);
	}
	desk_clear(&d);
}

int
main(int argc, char **argv)
{
	struct sp_err	 err = { 0 };
	struct store	*s;
	char		 first[40] = "", id[40] = "";
	long		 n, i;

	if (argc != 4 || (n = strtol(argv[2], NULL, 10)) < 5) {
		fprintf(stderr, "usage: mkevents DB EVENTS PEER (EVENTS >= 5)\n");
		return 2;
	}
	if ((s = store_open(argv[1], STORE_WRITE, &err)) == NULL)
		die(argv[1], &err);
	for (i = 0; i < n / 5; i++) {
		if (i % PER_TX == 0 && store_begin(s, &err) == -1)
			die("begin", &err);
		one(s, argv[3], id);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", id);
		if ((i + 1) % PER_TX == 0 && store_commit(s, &err) == -1)
			die("commit", &err);
	}
	if (i % PER_TX != 0 && store_commit(s, &err) == -1)
		die("commit", &err);
	store_close(s);
	printf("%s %s\n", first, id);
	return 0;
}
