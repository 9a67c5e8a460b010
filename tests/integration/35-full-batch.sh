#!/bin/sh
# 35-full-batch.sh: full batches (2,000 events, the default limit) both
# ways over sync and serve.  Demak pushes one: Tegal's signed final receipt
# (2,000 results, about 118 KB) is the POST's answer and owed nothing more.
# Demak pulls one of Tegal's: its receipt for it must ride back in Demak's
# next batch, but an item may be at most 64 KiB (DESIGN §4): the cutter
# splits it into parts under the limit, each with the receipt's header and
# some of its results.
. "${top_srcdir:-.}/tests/lib.sh"

: "${MKEVENTS:=$top_builddir/tests/tools/mkevents}"
pki 33.21 33.28
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mknode "$T/demak.db" 33.21 Demak || exit 1
mknode "$T/tegal.db" 33.28 Tegal || exit 1
D peer add 33.28 >/dev/null
G peer add 33.21 >/dev/null
ok "2,000 events queued at Demak for Tegal" "$MKEVENTS" "$T/demak.db" 2000 33.28
ok "Tegal serves" start_node tegal "$T/tegal.db"
D peer remove 33.28 >/dev/null
D peer add 33.28 "https://localhost:$tegal_port" >/dev/null

# ---- Demak pushes a full batch -------------------------------------------
run --db "$T/demak.db" sync
ok "the round succeeds" test "$(cat "$T/rc")" = 0
D status >"$T/status"
ok "Demak's one full batch is acknowledged" \
    grep -q '^33.28 .*: sent 1, acked 1, .*unacked 0,' "$T/status"
ok "Tegal applied the 2,000 events" test "$(sqlite3 "$T/tegal.db" \
    "SELECT count(*) FROM event WHERE author = '33.21'")" = 2000
ok "Tegal owes Demak nothing to pull" \
    grep -q '^33.28: sent 1 batch(es), .*received 0 batch(es)' "$T/out"

# ---- Demak pulls a full batch ----------------------------------------------
stop_node tegal
ok "2,000 events queued at Tegal for Demak" "$MKEVENTS" "$T/tegal.db" 2000 33.21
ok "Tegal serves again" start_node tegal "$T/tegal.db" "$tegal_port"
run --db "$T/demak.db" sync
ok "Demak applied Tegal's 2,000 events" test "$(sqlite3 "$T/demak.db" \
    "SELECT count(*) FROM event WHERE author = '33.28'")" = 2000
ok "the round succeeds" test "$(cat "$T/rc")" = 0
sqlite3 "$T/demak.db" "SELECT bytes FROM batch_out WHERE peer = '33.28'" |
    grep -o 'batch-from="33.28"[^>]*batch-seq="1"' >"$T/parts"
ok "Demak's receipt (2,000 results, over one item's 64 KiB) rode back in parts" \
    test "$(wc -l <"$T/parts")" -ge 2
run --db "$T/demak.db" sync
ok "the next round succeeds too" test "$(cat "$T/rc")" = 0
G status >"$T/tegal.status"
ok "Tegal got Demak's receipt back" \
    grep -q "^33.21 .*: sent 1, acked 1," "$T/tegal.status"
ok "and every result of it: nothing refused" \
    grep -q "^33.21 .*, refused 0" "$T/tegal.status"
stop_node tegal
ok "SIGTERM ends Tegal cleanly" test $? = 0
done_testing
