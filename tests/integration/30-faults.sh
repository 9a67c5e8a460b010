#!/bin/sh
# 30-faults.sh: fault injection (issue 10 item 3).  For every N up to the
# number of such operations in the run (src/fault.c counts them), an
# export, an import and a `simpul sync` round against a real serve on
# loopback run with the Nth store step, file write or HTTP exchange
# failing, and the round with serve's own Nth store step failing.  Each
# must end in a clean error (exit 3, one line on stderr; a sanitizer
# report or a leak is more than one line), leave a database that passes
# PRAGMA integrity_check and holds the state before or after the
# operation (sync: each database before or after its own part, no event
# half-applied), and a run without the fault must then complete the
# operation.  make check tries at most $FAULT_SAMPLE (12) points per kind,
# evenly spread; SIMPUL_FAULT_ALL=1 (make fault-all) tries every N.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -f "$top_builddir/config.h" ] ||
    ! grep -q '^#define SIMPUL_FAULT_INJECTION 1' "$top_builddir/config.h"
then
	echo "1..0 # SKIP configure --enable-fault-injection (build.sh check)"
	exit 0
fi

pki 33.21 33.28
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW
SAMPLE=${FAULT_SAMPLE:-12}
ALL=${SIMPUL_FAULT_ALL:-0}

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mk() {		# mk DB CODE NAME
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --cert "$P/$2.pem" \
	    --key "$P/$2.key" --ca "$P/ca.pem" --crl "$P/crl.pem" \
	    >/dev/null || exit 1
	"$SIMPUL" --db "$1" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
}

# state DB: what an operation may change, without what differs from run to
# run (signature bytes and the digests over them).
state() {
	sqlite3 "$1" "
	SELECT 'setting', * FROM setting ORDER BY key;
	SELECT 'peer', code, instance FROM peer ORDER BY code;
	SELECT 'counter', * FROM counter ORDER BY name;
	SELECT 'complaint', * FROM complaint ORDER BY id;
	SELECT 'event', * FROM event ORDER BY author, seq;
	SELECT 'reporter', * FROM reporter ORDER BY complaint;
	SELECT 'channel', peer, dir, seq, acked, head, halted, error
	    FROM channel ORDER BY peer, dir;
	SELECT 'outbox', * FROM outbox ORDER BY peer, seq;
	SELECT 'batch_out', peer, seq, state, receipt IS NOT NULL, refused,
	    created FROM batch_out ORDER BY peer, seq, state;
	SELECT 'batch_in', peer, seq, state, received, receipt IS NOT NULL
	    FROM batch_in ORDER BY peer, seq, state;
	SELECT 'receipt_out', peer, seq, owed, late FROM receipt_out
	    ORDER BY peer, seq;
	SELECT 'held', author, seq, complaint, v, peer, batch_seq, item
	    FROM held ORDER BY author, seq;"
}
# events DB: the complaints and their events only (a sync's data).
events() {
	sqlite3 "$1" "SELECT * FROM complaint ORDER BY id;
	    SELECT * FROM event ORDER BY author, seq;
	    SELECT author, seq FROM held ORDER BY author, seq;"
}

# points TOTAL [N...]: the N to try: all, or $SAMPLE spread from 1 to
# TOTAL and the N given (where a fault was found once).
points() {
	pt=$1
	shift
	if [ "$ALL" = 1 ] || [ "$pt" -le "$SAMPLE" ]; then
		seq 1 "$pt"
	else
		{ awk -v t="$pt" -v k="$SAMPLE" 'BEGIN { for (i = 0; i < k;
		    i++) print 1 + int(i * (t - 1) / (k - 1)) }'
		  for pn in "$@"; do [ "$pn" -le "$pt" ] && echo "$pn"; done
		} | sort -n | uniq
	fi
}

# count KIND FILE: the operations of KIND in the counted run.
count() {
	ct=$(sed -n "s/.*$1 \([0-9]*\).*/\1/p" "$2" | head -n 1)
	[ -n "$ct" ] && [ "$ct" -gt 0 ] ||
	    echo "no $1 operation counted" >> "$bad"
	echo "${ct:-0}"
}

bad=$T/bad
# clean OP N: the faulted run of simpul OP ended cleanly (exit 3 and one
# line "simpul: OP: ..." on stderr); else a line in $bad.
clean() {
	if [ "$(cat "$T/rc")" != 3 ] || [ "$(wc -l < "$T/err")" != 1 ] ||
	    ! grep -q "^simpul: $1: " "$T/err"; then
		echo "$1 $2: exit $(cat "$T/rc"): $(head -c 600 "$T/err")" \
		    >> "$bad"
	fi
	# this node's own failure is not the peer's refusal
	if [ "$1" = sync ] && grep -q ': refused: ' "$T/out"; then
		echo "$1 $2: reported as refused: $(cat "$T/out")" >> "$bad"
	fi
}
# consistent WHAT DB: PRAGMA integrity_check passes.
consistent() {
	ic=$(sqlite3 "$2" "PRAGMA integrity_check" 2>&1)
	[ "$ic" = ok ] || echo "$1: integrity_check: $ic" >> "$bad"
}
# either WHAT GOT BEFORE AFTER: GOT is the file BEFORE or AFTER.
either() {
	cmp -s "$2" "$3" || cmp -s "$2" "$4" || {
		echo "$1: neither the state before nor after:" >> "$bad"
		diff "$4" "$2" | head -n 20 >> "$bad"
	}
}
# same WHAT GOT WANT
same() {
	cmp -s "$2" "$3" || {
		echo "$1: not the state of a run without faults:" >> "$bad"
		diff "$3" "$2" | head -n 20 >> "$bad"
	}
}
# verdict DESCRIPTION: one TAP point for a loop of faulted runs.
verdict() {
	tap_n=$((tap_n + 1))
	if [ -s "$bad" ]; then
		echo "not ok $tap_n - $1"
		sed 's/^/# /' "$bad"
		tap_failed=1
	else
		echo "ok $tap_n - $1"
	fi
	rm -f "$bad"
}
# tried KIND TOTAL [N...]: "N of TOTAL" for the TAP line, and the tally
tried() {
	tr_k=$1
	shift
	tr_n=$(points "$@" | wc -l)
	echo "$tr_k $1 $tr_n" >> "$T/tally"
	echo "$tr_n of $1"
}

# ---- the nodes: Demak forwards a complaint to Tegal ------------------------
mk "$T/demak.db" 33.21 Demak
mk "$T/tegal.db" 33.28 Tegal
G peer add 33.21 >/dev/null
# Tegal's port: the one a first serve got, used by every later one.
ok "Tegal serves" start_node tegal "$T/tegal.db"
port=$tegal_port
stop_node tegal
D peer add 33.28 "https://localhost:$port" >/dev/null
C1=33.21-000001
D complaint file --title "Jalan rusak" --body "Jalan desa berlubang" \
    --category INF.JLN --reporter-name Siti >/dev/null
D complaint forward $C1 --to 33.28 --reason "jalan kabupaten" >/dev/null
cp "$T/demak.db" "$T/demak0.db"
cp "$T/tegal.db" "$T/tegal0.db"

# ---- opening: the schema version unread (found by this test) -------------
# A write command's steps begin: pragmas (1), the version at open (2),
# quick_check (3), BEGIN (4), the version again in migrate (5).
cp "$T/demak.db" "$T/f.db"
SIMPUL_FAULT=store:2 expect "the version unread at open: exit 3" 3 \
    "simpul: complaint: $T/f.db: cannot read the schema version" \
    --db "$T/f.db" complaint list
SIMPUL_FAULT=store:5 expect "the version unread in migrate: exit 3" 3 \
    "simpul: complaint: $T/f.db: cannot read the schema version" \
    --db "$T/f.db" complaint file --title a --body b
state "$T/demak.db" > "$T/before"
state "$T/f.db" > "$T/now"
ok "... nothing written" cmp "$T/before" "$T/now"

# ---- export: Demak cuts and writes its batch for Tegal ---------------------
# run_export DB: export from DB into a fresh $T/xout.
run_export() {
	rm -rf "$T/xout" && mkdir "$T/xout"
	run --db "$1" export --to 33.28 --out "$T/xout"
}
cp "$T/demak0.db" "$T/ref.db"
rm -f "$T/count"
SIMPUL_FAULT_COUNT=$T/count run_export "$T/ref.db"
ok "export without a fault" test "$(cat "$T/rc")" = 0
cp "$T/ref.db" "$T/demak.db"
ls "$T/xout" > "$T/export.files"
cp "$T/xout"/batch-*.xml "$T/batch.xml"
state "$T/demak0.db" > "$T/before"
state "$T/ref.db" > "$T/after"
for kind in store write; do
	total=$(count $kind "$T/count")
	for n in $(points "$total"); do
		cp "$T/demak0.db" "$T/f.db"
		SIMPUL_FAULT=$kind:$n run_export "$T/f.db"
		clean export "$kind:$n"
		consistent "export $kind:$n" "$T/f.db"
		state "$T/f.db" > "$T/now"
		either "export $kind:$n" "$T/now" "$T/before" "$T/after"
		ls "$T/xout" | grep '\.tmp\.' |
		    sed "s/^/export $kind:$n: left behind: /" >> "$bad"
		run_export "$T/f.db"
		[ "$(cat "$T/rc")" = 0 ] ||
		    echo "export $kind:$n: the rerun failed: $(cat "$T/err")" \
		    >> "$bad"
		state "$T/f.db" > "$T/now"
		same "export $kind:$n, then again" "$T/now" "$T/after"
		ls "$T/xout" | cmp -s - "$T/export.files" ||
		    echo "export $kind:$n: the rerun wrote other files" \
		    >> "$bad"
	done
	verdict "export, $kind fault at N ($(tried "export-$kind" \
	    "$total")): clean error, consistent, completes later"
done

# ---- import: Tegal receives the batch and writes its receipt --------------
# run_import DB: import the batch into DB, the receipt into a fresh $T/rc.d
run_import() {
	rm -rf "$T/rc.d" && mkdir "$T/rc.d"
	run --db "$1" import --receipts "$T/rc.d" "$T/batch.xml"
}
cp "$T/tegal0.db" "$T/ref.db"
rm -f "$T/count"
SIMPUL_FAULT_COUNT=$T/count run_import "$T/ref.db"
ok "import without a fault" test "$(cat "$T/rc")" = 0
ls "$T/rc.d" > "$T/import.files"
ok "... writes one receipt" test "$(wc -l < "$T/import.files")" = 1
state "$T/tegal0.db" > "$T/before"
state "$T/ref.db" > "$T/after"
for kind in store write; do
	total=$(count $kind "$T/count")
	for n in $(points "$total"); do
		cp "$T/tegal0.db" "$T/f.db"
		SIMPUL_FAULT=$kind:$n run_import "$T/f.db"
		clean import "$kind:$n"
		consistent "import $kind:$n" "$T/f.db"
		state "$T/f.db" > "$T/now"
		either "import $kind:$n" "$T/now" "$T/before" "$T/after"
		ls "$T/rc.d" | grep '\.tmp\.' |
		    sed "s/^/import $kind:$n: left behind: /" >> "$bad"
		run_import "$T/f.db"
		[ "$(cat "$T/rc")" = 0 ] ||
		    echo "import $kind:$n: the rerun failed: $(cat "$T/err")" \
		    >> "$bad"
		state "$T/f.db" > "$T/now"
		same "import $kind:$n, then again" "$T/now" "$T/after"
		ls "$T/rc.d" | cmp -s - "$T/import.files" ||
		    echo "import $kind:$n: the rerun wrote no receipt" >> "$bad"
	done
	verdict "import, $kind fault at N ($(tried "import-$kind" \
	    "$total")): clean error, consistent, completes later"
done

# ---- sync: Demak pushes its batches to Tegal's serve and pulls Tegal's -----
# Tegal imported Demak's exported batch (Demak has no receipt for it yet)
# and followed C1 up; Demak forwarded C2: batches both ways.
G import "$T/batch.xml" >/dev/null || exit 1
G complaint accept $C1 >/dev/null
G complaint follow-up $C1 --text "Dijadwalkan" >/dev/null
C2=33.21-000002
D complaint file --title "Lampu mati" --body "Lampu jalan mati" \
    --category INF.JLN >/dev/null
D complaint forward $C2 --to 33.28 --reason "wilayah Tegal" >/dev/null
cp "$T/demak.db" "$T/demak1.db"
cp "$T/tegal.db" "$T/tegal1.db"
# round SERVE-ENV CLIENT-ENV: fresh copies of both, Tegal serving (with
# SERVE-ENV, "-" for none), one sync round at Demak (with CLIENT-ENV),
# Tegal stopped: Demak's database is $T/d.db, Tegal's $T/g.db; the round's
# output in $T/out, $T/err, $T/rc, the serve's exit in $T/serve.rc (none
# when it did not start).
round() {
	cp "$T/demak1.db" "$T/d.db"
	cp "$T/tegal1.db" "$T/g.db"
	rm -f "$T/g.db-wal" "$T/g.db-shm" "$T/d.db-wal" "$T/d.db-shm" \
	    "$T/serve.rc"
	[ "$1" = - ] || export "${1%%=*}=${1#*=}"
	start_node tegal "$T/g.db" "$port"
	st=$?
	[ "$1" = - ] || unset "${1%%=*}"
	if [ $st != 0 ]; then
		wait "$tegal_pid"
		echo $? > "$T/serve.start"
		return
	fi
	[ "$2" = - ] && set -- "$1" SIMPUL_FAULT=
	env "$2" "$SIMPUL" --db "$T/d.db" sync >"$T/out" 2>"$T/err"
	echo $? > "$T/rc"
	stop_node tegal
	echo $? > "$T/serve.rc"
}
# again: a round without faults on the databases a faulted round left.
again() {
	start_node tegal "$T/g.db" "$port" || {
		echo "serve did not restart on $port" >> "$bad"
		return
	}
	"$SIMPUL" --db "$T/d.db" sync >"$T/out" 2>"$T/err"
	echo $? > "$T/rc"
	stop_node tegal
}
# settled WHAT: both databases consistent, each before or after its part
# of the round; then a round without faults ends where one always ends.
settled() {
	consistent "$1: Demak" "$T/d.db"
	consistent "$1: Tegal" "$T/g.db"
	events "$T/d.db" > "$T/now"
	either "$1: Demak" "$T/now" "$T/d.before" "$T/d.after"
	events "$T/g.db" > "$T/now"
	either "$1: Tegal" "$T/now" "$T/g.before" "$T/g.after"
	again
	[ "$(cat "$T/rc")" = 0 ] ||
	    echo "$1: the next round failed: $(cat "$T/out" "$T/err")" \
	    >> "$bad"
	state "$T/d.db" > "$T/now"
	same "$1, then again: Demak" "$T/now" "$T/d.final"
	state "$T/g.db" > "$T/now"
	same "$1, then again: Tegal" "$T/now" "$T/g.final"
}
rm -f "$T/count" "$T/serve.count"
round SIMPUL_FAULT_COUNT="$T/serve.count" SIMPUL_FAULT_COUNT="$T/count"
ok "a sync round without a fault" test "$(cat "$T/rc")" = 0
ok "... moves a batch each way" grep -q \
    "^33.28: sent [1-9].*received [1-9]" "$T/out"
events "$T/demak1.db" > "$T/d.before"
events "$T/tegal1.db" > "$T/g.before"
events "$T/d.db" > "$T/d.after"
events "$T/g.db" > "$T/g.after"
state "$T/d.db" > "$T/d.final"
state "$T/g.db" > "$T/g.final"
# store 36 and 107: a failed housekeeping step left the cut's transaction
# open (an assertion); 71: applying a pulled batch failed here and was
# reported as the peer's refusal (exit 1).
for kind in store net; do
	total=$(count $kind "$T/count")
	[ $kind = store ] && found="36 71 107" || found=
	for n in $(points "$total" $found); do
		round - SIMPUL_FAULT=$kind:$n
		clean sync "$kind:$n"
		settled "sync $kind:$n"
	done
	verdict "sync, $kind fault at N ($(tried "sync-$kind" \
	    "$total" $found)): clean error, consistent, completes later"
done

# ---- serve: Tegal's store fails while it serves Demak's round -------------
# A fault in serve's start ends it (exit 3, one line); one in a request is
# that request's 5xx (Demak's round exits 3) and serve goes on.
# 76: the GET handler's scan failing after it copied a batch leaked the copy
total=$(count store "$T/serve.count")
for n in $(points "$total" 76); do
	round SIMPUL_FAULT=store:$n -
	if [ -f "$T/serve.start" ]; then
		if [ "$(cat "$T/serve.start")" != 3 ] ||
		    [ "$(wc -l < "$T/tegal.log")" != 1 ] ||
		    ! grep -q '^simpul: serve: ' "$T/tegal.log"; then
			echo "serve store:$n: start: exit $(cat \
			    "$T/serve.start"): $(head -c 600 "$T/tegal.log")" \
			    >> "$bad"
		fi
		rm -f "$T/serve.start"
	else
		[ "$(cat "$T/rc")" = 0 ] || clean sync "serve store:$n"
		[ "$(cat "$T/serve.rc")" = 0 ] ||
		    echo "serve store:$n: serve exited $(cat "$T/serve.rc")" \
		    >> "$bad"
		! grep -q 'Sanitizer\|runtime error' "$T/tegal.log" ||
		    echo "serve store:$n: $(head -c 600 "$T/tegal.log")" \
		    >> "$bad"
	fi
	settled "serve store:$n"
done
verdict "serve, store fault at N ($(tried serve-store "$total" \
    76)): clean error, consistent, completes later"

sed 's/^/# faults: /' "$T/tally"

done_testing
