#!/bin/sh
# bench_sync.sh: end-to-end sync over loopback HTTPS against the same
# batches exchanged by files, in the same run.
#
#   bench_sync.sh SIMPUL MKEVENTS SRCDIR [EVENTS]	(default 100,000)
#
# Setup (not timed): a development PKI; Demak (33.21) gets EVENTS events
# bound for Tegal (33.28) from tests/tools/mkevents (EVENTS / 5 complaints
# filed, verified, dispatched, followed up and forwarded), and a copy of
# its database is taken with `simpul backup`; two fresh Tegals.
# Timed, sync: Tegal runs `simpul serve` on 127.0.0.1; Demak runs one
# `simpul sync`: cut and sign, POST each batch over mutual TLS, Tegal's
# receiver (verify, judge, apply, signed receipt), the receipt recorded,
# then the pull of what Tegal owes back.
# Timed, files: `simpul export` on Demak's copy (cut and sign, write the
# files), then `simpul import` of every file into the other Tegal (the
# same receiver).  Ratio: the files' time over sync's (100 % when the
# network costs nothing), in wall-clock time and in CPU time (sync's
# process and serve's, against export's and import's): on a loaded
# machine the wall-clock ratio also pays for the two processes of sync
# waiting for each other's CPU.
set -eu

[ $# -ge 3 ] || {
	echo "usage: bench_sync.sh SIMPUL MKEVENTS SRCDIR [EVENTS]" >&2
	exit 2
}
S=$1 MK=$2 SRC=$3 N=${4:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-sync.XXXXXX")
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 129' HUP INT TERM

now() { date +%s.%N; }
# cpu: the user + system seconds of this shell's waited-for children so
# far.  Call it as `cpu >FILE`: times(1) must run in this shell, not in a
# subshell of $(...) or of a pipe, which has children of its own.
cpu() {
	times >"$T/times"
	awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/)
	    printf "%.2f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$T/times"
}
# cpu_of PID: user + system seconds of a running process.
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' \
	    "/proc/$1/stat"
}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f\n", b - a }'; }
node() {	# node DB CODE
	"$S" --db "$1" init --node "$2" --name "Node $2" \
	    --cert "$T/pki/$2.pem" --key "$T/pki/$2.key" \
	    --ca "$T/pki/ca.pem" --crl "$T/pki/crl.pem" >/dev/null
	"$S" --db "$1" category load "$SRC/data/topics.tsv" \
	    >/dev/null
}
count() {	# count DB: events Demak authored in DB
	sqlite3 "$1" "SELECT count(*) FROM event WHERE author = '33.21'"
}

t0=$(now)
"$SRC/certs/mkcerts.sh" -d "$T/pki" 33.21 33.28 >/dev/null
node "$T/demak.db" 33.21
node "$T/tegal.db" 33.28
node "$T/tegal2.db" 33.28
"$S" --db "$T/tegal.db" peer add 33.21 >/dev/null
"$S" --db "$T/tegal2.db" peer add 33.21 >/dev/null
"$MK" "$T/demak.db" "$N" 33.28 >/dev/null
N=$(count "$T/demak.db")
"$S" --db "$T/tegal.db" serve --listen 127.0.0.1:0 >"$T/tegal.log" 2>&1 &
spid=$!
port=
while [ -z "$port" ]; do
	sleep 0.1
	port=$(sed -n 's/.* listening on port \([0-9]*\),.*/\1/p' "$T/tegal.log")
done
"$S" --db "$T/demak.db" peer add 33.28 "https://localhost:$port" >/dev/null
"$S" --db "$T/demak.db" backup "$T/demak2.db" >/dev/null
echo "setup: $N events at Demak in $(since "$t0") s"

cpu >"$T/c0"
t0=$(now)
"$S" --db "$T/demak.db" sync >"$T/sync.out" || {
	cat "$T/sync.out" "$T/tegal.log" >&2
	exit 1
}
ts=$(since "$t0")
cpu >"$T/c1"
cs=$(awk -v a="$(cat "$T/c0")" -v b="$(cat "$T/c1")" \
    'BEGIN { printf "%.2f\n", b - a }')
cv=$(cpu_of "$spid")
kill "$spid"
wait "$spid" || true
spid=
mkdir "$T/files"
cpu >"$T/c0"
t0=$(now)
"$S" --db "$T/demak2.db" export --to 33.28 --out "$T/files" >/dev/null
te=$(since "$t0")
# In seq order: batch-33.21-33.28-SEQ.xml
files=$(cd "$T/files" && ls | sort -t- -k4n | sed "s|^|$T/files/|")
t0=$(now)
# shellcheck disable=SC2086
"$S" --db "$T/tegal2.db" import $files >/dev/null
ti=$(since "$t0")
cpu >"$T/c1"
cf=$(awk -v a="$(cat "$T/c0")" -v b="$(cat "$T/c1")" \
    'BEGIN { printf "%.2f\n", b - a }')

for db in tegal tegal2; do
	got=$(count "$T/$db.db")
	[ "$got" = "$N" ] || {
		echo "bench_sync: $db holds $got of $N events" >&2
		exit 1
	}
done
awk -v n="$N" -v ts="$ts" -v te="$te" -v ti="$ti" -v cs="$cs" \
    -v cv="$cv" -v cf="$cf" -v nb="$(ls "$T/files" | wc -l)" 'BEGIN {
	printf "%d events in %d batches, all applied at both Tegals\n", n, nb
	printf "simpul sync     %8.2f s %9.0f events/s  CPU %.2f s (sync " \
	    "%.2f, serve %.2f)\n", ts, n / ts, cs + cv, cs, cv
	printf "export + import %8.2f s %9.0f events/s  CPU %.2f s (wall: " \
	    "export %.2f s, import %.2f s)\n", te + ti, n / (te + ti), cf,
	    te, ti
	printf "ratio           %8.1f %%  (target >= 70 %%); CPU %.1f %%\n",
	    100 * (te + ti) / ts, 100 * cf / (cs + cv)
}'
