#!/bin/sh
# load.sh: load and hostile clients against a real hub on loopback
# (make bench-load; not part of make check).
#
#   load.sh [-n NODES] [-t SECONDS] [-a SECONDS] [-c PER_SECOND] [-k SLOW]
#           [-K]
#
# A hub serves on 127.0.0.1; NODES regency nodes (33.01, 33.02, …), each
# its own database and `simpul serve` loop without --listen (a round a
# second), reach only it (-n 50).  Phase 1 (-t, 60 s): bench_load gen
# files -c (40) complaints a second at every node (filed, verified, every
# fifth forwarded to the next node through the hub) while a probe node (34.01)
# runs `simpul sync` rounds back to back, one complaint each, timed.
# Phase 2 (-a, 30 s): the same, plus bench_load attack (-k, 200 slow
# connections and the hostile requests, see bench_load.c).  Then the
# generator stops, the loops drain, and every event each node authored
# must be in the hub's event table exactly once.  Prints the hub's
# events/s, the probe's and the hub's request latencies per phase, the
# hub's peak RSS and what the attack met.  Every process it starts is
# stopped at exit; its files are in a temporary directory, removed then
# (kept, for a look at the databases and logs, with -K).
set -u

: "${SIMPUL:?}" "${BENCH_LOAD:?}" "${top_srcdir:?}"
nodes=50 load=60 att=30 per=40 slow=200 keep=
while getopts n:t:a:c:k:K o; do
	case $o in
	n) nodes=$OPTARG ;;
	t) load=$OPTARG ;;
	a) att=$OPTARG ;;
	c) per=$OPTARG ;;
	k) slow=$OPTARG ;;
	K) keep=1 ;;
	*) echo "usage: load.sh [-n NODES] [-t S] [-a S] [-c N] [-k N] [-K]" >&2
	   exit 1 ;;
	esac
done
export SIMPUL_ACTOR=bench
W=$(mktemp -d "${TMPDIR:-/tmp}/simpul-load.XXXXXX")
: >"$W/pids"

stop_all() {
	while read -r p; do kill -TERM "$p" 2>/dev/null; done <"$W/pids"
	i=0
	while [ $i -lt 50 ]; do
		alive=0
		while read -r p; do
			kill -0 "$p" 2>/dev/null && alive=1
		done <"$W/pids"
		[ $alive = 0 ] && break
		sleep 0.2
		i=$((i + 1))
	done
	while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$W/pids"
	: >"$W/pids"
}
cleanup() {
	stop_all
	if [ -n "$keep" ]; then
		echo "kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM

bg() {		# bg LOG COMMAND...: in the background, stopped at exit
	bg_log=$1
	shift
	"$@" >"$bg_log" 2>&1 &
	echo $! >>"$W/pids"
	bg_pid=$!
}
now_ms() { date +%s%3N; }
q() { sqlite3 -cmd '.timeout 10000' "$@"; }
# pct P FILE: the P-th percentile of the numbers in FILE, one a line.
pct() {
	sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 }
	    END { if (NR == 0) { print "-"; exit }
	    i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; print v[i] }'
}

codes=
i=1
while [ $i -le "$nodes" ]; do
	codes="$codes $(printf '33.%02d' $i)"
	i=$((i + 1))
done
echo "== $nodes nodes, $load s of load, then $att s with $slow slow" \
    "connections and hostile requests ($(nproc) cores; $(uptime))"
t0=$(now_ms)
"$top_srcdir/certs/mkcerts.sh" -d "$W/pki" hub 34.01 35.01 $codes \
    >/dev/null || exit 1
mk() {		# mk CODE [init options]
	mk_db=$W/$1.db
	mk_code=$1
	shift
	"$SIMPUL" --db "$mk_db" init --node "$mk_code" --name "Node $mk_code" \
	    --cert "$W/pki/$mk_code.pem" --key "$W/pki/$mk_code.key" \
	    --ca "$W/pki/ca.pem" --crl "$W/pki/crl.pem" "$@" >/dev/null &&
	"$SIMPUL" --db "$mk_db" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null &&
	"$SIMPUL" --db "$mk_db" config set sync.interval_seconds 1 >/dev/null ||
	    exit 1
}
mk hub --role hub
# The attack is meant to meet the cap: 256, not the default 1,024.
"$SIMPUL" --db "$W/hub.db" config set serve.max_connections 256 >/dev/null ||
    exit 1
bg "$W/hub.log" "$SIMPUL" --db "$W/hub.db" serve --listen 127.0.0.1:0
hub_pid=$bg_pid
port=
for i in $(seq 1 100); do
	port=$(sed -n 's/.* listening on port \([0-9]*\),.*/\1/p' "$W/hub.log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$W/hub.log"; exit 1; }
set -- $codes
first=$1
prev=
mk 34.01 --hub "https://localhost:$port"
for c in $codes; do
	mk "$c" --hub "https://localhost:$port"
	# Each forwards to the next, a peer reached through the hub.
	[ -n "$prev" ] && "$SIMPUL" --db "$W/$prev.db" peer add "$c" >/dev/null
	prev=$c
done
"$SIMPUL" --db "$W/$prev.db" peer add "$first" >/dev/null
dbs=
for c in $codes; do
	bg "$W/$c.log" "$SIMPUL" --db "$W/$c.db" serve
	dbs="$dbs $W/$c.db"
done
i=0
until [ "$(q "$W/hub.db" "SELECT count(*) FROM peer")" -ge "$nodes" ]; do
	i=$((i + 1))
	[ $i -ge 300 ] && { echo "load: nodes did not enrol" >&2; exit 1; }
	sleep 0.2
done
echo "   set up in $((($(now_ms) - t0) / 1000)) s: the hub on port $port," \
    "$nodes loops running"

# The probe: sync rounds back to back, each pushing one complaint.
probe() {
	while [ ! -f "$W/stop" ]; do
		"$SIMPUL" --db "$W/34.01.db" complaint file --title Probe \
		    --body "Probe" --channel web --category INF.JLN >/dev/null
		p0=$(now_ms)
		"$SIMPUL" --db "$W/34.01.db" sync >/dev/null 2>&1
		echo "$? $(($(now_ms) - p0))" >>"$W/probe.$(cat "$W/phase")"
	done
}
# Every second: the connections open to the hub's port and its accept
# queue (the listening socket's Recv-Q: connections the kernel holds
# while the hub, at its connection cap, does not accept).
sockets() {
	while [ ! -f "$W/stop" ]; do
		echo "$(cat "$W/phase") $(ss -Htn state established \
		    "( sport = :$port )" | wc -l) $(ss -Hltn \
		    "( sport = :$port )" | awk '{ print $2 }')" >>"$W/sockets"
		sleep 1
	done
}
hub_events() { q "$W/hub.db" "SELECT count(*) FROM event"; }
lines() { wc -l <"$W/hub.log"; }

echo 1 >"$W/phase"
: >"$W/probe.1"
: >"$W/probe.2"
bg "$W/probe.log" probe
bg /dev/null sockets
bg "$W/gen.log" "$BENCH_LOAD" gen $((load + att)) "$per" $dbs
h1=$(lines) e1=$(hub_events) s1=$(now_ms)
sleep "$load"
h2=$(lines) e2=$(hub_events) s2=$(now_ms)
echo 2 >"$W/phase"
bg "$W/attack.log" "$BENCH_LOAD" attack "$port" "$W/pki/35.01.pem" \
    "$W/pki/35.01.key" "$att" "$slow"
attack_pid=$bg_pid
sleep "$att"
h3=$(lines) e3=$(hub_events) s3=$(now_ms)
echo 3 >"$W/phase"
up=$(uptime)
conns=$(grep -c 'connection cut' "$W/hub.log")
i=0
while kill -0 "$attack_pid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done

# Drain: the generator has stopped; wait until the hub holds everything.
missing() {
	for c in $codes 34.01; do
		echo "ATTACH '$W/$c.db' AS n;
		    SELECT count(*) FROM n.event e WHERE e.author = '$c' AND
		    NOT EXISTS (SELECT 1 FROM main.event h WHERE
		    h.author = e.author AND h.seq = e.seq AND
		    h.complaint = e.complaint AND h.kind = e.kind AND
		    h.at = e.at AND h.v = e.v);
		    DETACH n;"
	done | q "$W/hub.db" | awk '{ s += $1 } END { print s + 0 }'
}
# forwards: how many each node made, and how many reached their targets.
forwards() {
	fwd=0 arrived=0
	for c in $codes; do
		fwd=$((fwd + $(q "$W/$c.db" "SELECT count(*) FROM event
		    WHERE author = '$c' AND kind = 'forwarded'")))
		arrived=$((arrived + $(q "$W/$c.db" "SELECT count(*) FROM event
		    WHERE author != '$c' AND kind = 'forwarded'")))
	done
}
drained() {
	forwards
	[ "$(missing)" = 0 ] && [ "$fwd" = "$arrived" ]
}
t0=$(now_ms)
i=0
while ! drained && [ $i -lt 150 ]; do
	sleep 2
	i=$((i + 1))
done
drain=$((($(now_ms) - t0) / 1000))
touch "$W/stop"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$hub_pid/status")
sleep 1
stop_all

# ---- the proof: every authored event at the hub, exactly once ------------
lost=$(missing)
authored=0 extra=0
for c in $codes 34.01; do
	a=$(q "$W/$c.db" "SELECT count(*) FROM event WHERE author = '$c'")
	h=$(q "$W/hub.db" "SELECT count(*), count(DISTINCT seq) FROM event
	    WHERE author = '$c'")
	authored=$((authored + a))
	[ "$h" = "$a|$a" ] || extra=$((extra + 1))
done
held=$(q "$W/hub.db" "SELECT count(*) FROM held")
forwards

# ---- figures --------------------------------------------------------------
sockstat() {	# sockstat PHASE
	awk -v p="$1" '$1 == p {
		n++; c += $2; q += $3
		if ($2 > cm) cm = $2
		if ($3 > qm) qm = $3
	}
	END { if (n) printf "%d, %d; %d, %d\n", c / n, cm, q / n, qm }' \
	    "$W/sockets"
}
ok_rounds() { awk -v f="$2" '$1 == 0 { print $2 > f }' "$1"; }
reqs() {	# reqs FROM TO FILE: the hub's ms per ordinary request
	sed -n "$(($1 + 1)),$2p" "$W/hub.log" |
	    sed -n 's/^simpul: 3[34]\.[0-9]* [A-Z]* \/v1\/[a-z]* [0-9]* .* \([0-9]*\) ms$/\1/p' \
	    >"$3"
}
ok_rounds "$W/probe.1" "$W/p1"
ok_rounds "$W/probe.2" "$W/p2"
reqs "$h1" "$h2" "$W/r1"
reqs "$h2" "$h3" "$W/r2"
cat <<EOT

== load: $nodes nodes pushing to one hub (gen: $(cat "$W/gen.log"))
events accepted by the hub: $((e2 - e1)) in $(((s2 - s1) / 1000)) s, \
$(((e2 - e1) * 1000 / (s2 - s1))) events/s without the attack; \
$((e3 - e2)) in $(((s3 - s2) / 1000)) s, \
$(((e3 - e2) * 1000 / (s3 - s2))) events/s during it
drained in $drain s after the generator stopped

== latency of ordinary syncs (ms)           p50     p99     max    n
EOT
for ph in 1 2; do
	[ $ph = 1 ] && name="probe sync round, no attack" ||
	    name="probe sync round, under attack"
	printf '%-40s %7s %7s %7s %5s (%s rounds failed)\n' "$name" \
	    "$(pct 50 "$W/p$ph")" "$(pct 99 "$W/p$ph")" "$(pct 100 "$W/p$ph")" \
	    "$(wc -l <"$W/p$ph")" \
	    "$(awk '$1 != 0' "$W/probe.$ph" | wc -l)"
	[ $ph = 1 ] && name="hub request, no attack" ||
	    name="hub request, under attack"
	printf '%-40s %7s %7s %7s %5s\n' "$name" "$(pct 50 "$W/r$ph")" \
	    "$(pct 99 "$W/r$ph")" "$(pct 100 "$W/r$ph")" "$(wc -l <"$W/r$ph")"
done
cat <<EOT

== the attack ($slow slow connections; the hub cut $conns)
connections open to the hub, mean and max; its accept queue, mean and max:
  no attack:    $(sockstat 1)
  under attack: $(sockstat 2)
$(cat "$W/attack.log")
the attacker (35.01) enrolled at the hub: \
$(q "$W/hub.db" "SELECT count(*) FROM peer WHERE code = '35.01'"); \
requests of its that reached a handler: $(grep -c '^simpul: 35\.01 ' "$W/hub.log")

== the hub's peak RSS: $hwm (target under 256 MiB)
== machine at the end of the attack: $up

== nothing lost, nothing applied twice
events authored by the $nodes nodes and the probe: $authored
missing at the hub: $lost
authors whose events at the hub differ in number or repeat a seq: $extra
held at the hub: $held
forwards made: $fwd; arrived at their targets: $arrived
EOT
[ "$lost" = 0 ] && [ "$extra" = 0 ] && [ "$fwd" = "$arrived" ]
