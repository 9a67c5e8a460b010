#!/bin/sh
# 40-crash.sh: exactly-once delivery across crashes.  Demak (33.21) has
# CRASH_EVENTS events queued for Tegal (33.28), directly peered; Tegal
# serves.  Each of CRASH_RUNS runs starts from the same two databases and
# kills with SIGKILL, at a random moment: Demak's `simpul sync` in the
# middle of a round (the sender crashes), then Tegal's `serve` while
# Demak syncs (the receiver crashes; it is restarted on its port).  Then
# Demak syncs until a round moves nothing, and the run asserts that
# Tegal holds exactly the events Demak authored (the same ids, the same
# content hash, once each), that every complaint arrived, that the
# channel heads agree both ways, and that nothing waits, is held or was
# refused.  make check runs 3 runs of 300 events; `make crash-loop` runs
# 20 of 10,000.
. "${top_srcdir:-.}/tests/lib.sh"

RUNS=${CRASH_RUNS:-3}
EVENTS=${CRASH_EVENTS:-300}
: "${MKEVENTS:=$top_builddir/tests/tools/mkevents}"
EVENTS=$((EVENTS / 5 * 5))	# five events per complaint

pki 33.21 33.28
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mk() {		# mk DB CODE NAME
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --cert "$P/$2.pem" \
	    --key "$P/$2.key" --ca "$P/ca.pem" --crl "$P/crl.pem" \
	    >/dev/null || exit 1
	"$SIMPUL" --db "$1" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
	# Small batches: more moments between two batches to crash in.
	"$SIMPUL" --db "$1" config set limit.batch_items 100 >/dev/null ||
	    exit 1
}
eq() {		# eq DESC WANT GOT
	tap_n=$((tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   want '$2', got '$3'"
		tap_failed=1
	fi
}
# delay MAX: a random number of seconds in [0, MAX], three decimals.
delay() {
	awk -v r="$(od -An -N2 -tu2 /dev/urandom)" -v m="$1" \
	    'BEGIN { printf "%.3f\n", m * r / 65535 }'
}
# The events Demak authored, as "author seq hash-of-content" lines.
events() {
	sqlite3 "$1" "SELECT author, seq, hex(sha3(quote(complaint) || quote(kind)
	    || quote(v) || quote(actor) || quote(at) || quote(at_offset) ||
	    quote(recorded) || quote(reason) || quote(text) || quote(unit) ||
	    quote(officer) || quote(target) || quote(stars))) FROM event
	    WHERE author = '33.21' ORDER BY seq"
}
head_of() {	# head_of DB PEER DIR: the channel's seq and digest
	sqlite3 "$1" "SELECT seq, digest FROM channel WHERE peer = '$2' AND
	    dir = '$3'"
}

# ---- the two databases every run starts from -----------------------------
mk "$T/demak0.db" 33.21 Demak
mk "$T/tegal0.db" 33.28 Tegal
"$SIMPUL" --db "$T/tegal0.db" peer add 33.21 >/dev/null
cp "$T/tegal0.db" "$T/tegal.db"
ok "Tegal serves" start_node tegal "$T/tegal.db"
stop_node tegal
PORT=$tegal_port
"$SIMPUL" --db "$T/demak0.db" peer add 33.28 "https://localhost:$PORT" \
    >/dev/null
ok "$EVENTS events queued at Demak for Tegal" \
    "$MKEVENTS" "$T/demak0.db" "$EVENTS" 33.28
NC=$((EVENTS / 5))
ALL0='queued 0, unacked 0, held 0, refused 0$'
# A window that covers most of a round (a sync of these events under
# ASan takes about a second per thousand events on the development VM).
WINDOW=$(awk -v n="$EVENTS" 'BEGIN { printf "%.1f\n", 0.5 + n / 1000 }')

r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	rm -f "$T"/demak.db* "$T"/tegal.db*
	cp "$T/demak0.db" "$T/demak.db"
	cp "$T/tegal0.db" "$T/tegal.db"
	start_node tegal "$T/tegal.db" "$PORT" || {
		echo "Bail out! Tegal did not restart on port $PORT"
		exit 1
	}

	# The sender crashes mid-round.
	d=$(delay "$WINDOW")
	D sync >/dev/null 2>&1 &
	spid=$!
	sleep "$d"
	kill -KILL "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	s1=$(head_of "$T/tegal.db" 33.21 in)
	echo "# run $r: sync killed after ${d}s; Tegal at ${s1:-0|}"

	# The receiver crashes while Demak syncs.
	d=$(delay "$WINDOW")
	D sync >/dev/null 2>&1 &
	spid=$!
	sleep "$d"
	kill -KILL "$tegal_pid"
	wait "$tegal_pid" 2>/dev/null
	wait "$spid"
	src=$?
	s2=$(head_of "$T/tegal.db" 33.21 in)
	echo "# run $r: serve killed after ${d}s; sync exited $src; Tegal at ${s2:-0|}"
	start_node tegal "$T/tegal.db" "$PORT" || {
		echo "Bail out! Tegal did not restart on port $PORT"
		exit 1
	}

	# Sync until a round moves nothing.
	i=0 moved=yes
	while [ $i -lt 30 ] && [ $moved = yes ]; do
		i=$((i + 1))
		run --db "$T/demak.db" sync
		if [ "$(cat "$T/rc")" = 0 ] && grep -q \
		    '^33.28: sent 0 batch(es), .*received 0 batch(es)' "$T/out"
		then
			moved=no
		fi
	done
	eq "run $r: converged (a round that moves nothing, after $i)" no $moved
	[ $moved = no ] || sed 's/^/# /' "$T/out" "$T/err"

	events "$T/demak.db" >"$T/sent"
	events "$T/tegal.db" >"$T/got"
	eq "run $r: Demak authored $EVENTS events" "$EVENTS" \
	    "$(wc -l <"$T/sent")"
	ok "run $r: Tegal holds exactly them, same ids and content" \
	    cmp "$T/sent" "$T/got"
	eq "run $r: each once, every complaint, all owned by Tegal" \
	    "$EVENTS $NC $NC" "$(sqlite3 -separator " " "$T/tegal.db" "SELECT
	    (SELECT count(*) FROM event WHERE author = '33.21'),
	    (SELECT count(*) FROM complaint),
	    (SELECT count(*) FROM complaint WHERE owner = '33.28')")"
	eq "run $r: channel Demak to Tegal: the same head on both" \
	    "$(head_of "$T/demak.db" 33.28 out)" \
	    "$(head_of "$T/tegal.db" 33.21 in)"
	eq "run $r: channel Tegal to Demak: the same head on both" \
	    "$(head_of "$T/tegal.db" 33.21 out)" \
	    "$(head_of "$T/demak.db" 33.28 in)"
	D status >"$T/out"
	ok "run $r: Demak: every batch acknowledged, nothing waits" \
	    grep -Eq "^33.28 [^ ]+: sent ([0-9]+), acked \\1, received [0-9]+, $ALL0" \
	    "$T/out"
	G status >"$T/out"
	ok "run $r: Tegal: nothing held or refused, nothing halted" \
	    grep -Eq "^33.21 .*, held 0, refused 0$" "$T/out"
	stop_node tegal
done
done_testing
