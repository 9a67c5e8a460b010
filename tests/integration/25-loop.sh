#!/bin/sh
# 25-loop.sh: the sync loop inside serve.  Tegal serves with --listen;
# Demak runs `serve` without --listen (behind NAT: it only reaches out),
# one round a second.  Nobody runs `simpul sync`: a complaint forwarded at
# Demak reaches Tegal, Tegal's answer comes back, and while Tegal is down
# Demak backs off, records the error and when, and drains its backlog
# once Tegal is back.  SIGTERM ends both cleanly.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test 33.21 33.28
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mknode "$T/demak.db" 33.21 Demak || exit 1
mknode "$T/tegal.db" 33.28 Tegal || exit 1
G peer add 33.21 >/dev/null
D config set sync.interval_seconds 1 >/dev/null
status_of() {	# status_of NODE ID STATUS: the complaint is in STATUS there
	$1 complaint show "$2" --format json | grep -q "\"status\":\"$3\""
}
file() {	# file TITLE: a complaint at Demak, forwarded to Tegal
	D complaint forward "$(D complaint file --title "$1" \
	    --body "Laporan warga" --category INF.JLN)" --to 33.28
}

ok "Tegal serves on loopback" start_node tegal "$T/tegal.db"
port=$tegal_port
D peer add 33.28 "https://localhost:$port" >/dev/null
ok "Demak runs the loop without --listen" start_loop demak "$T/demak.db"
ok "and says it listens nowhere" sh -c "! grep -q 'listening' '$T/demak.log'"

C1=33.21-000001
ok "a complaint forwarded at Demak" file "Jalan rusak"
eventually "reaches Tegal without anyone running sync" 30 \
    G complaint show $C1
G complaint accept $C1 >/dev/null
ok "Tegal resolves" G complaint resolve $C1
eventually "Demak's loop pulls the resolution" 30 status_of D $C1 resolved

ok "Tegal stops" stop_node tegal
C2=33.21-000002
ok "a second complaint while Tegal is down" file "Lampu mati"
eventually "Demak backs off, saying when it tries next" 30 \
    grep -q "event=round peer=33.28 state=down next_s=[0-9]*" "$T/demak.log"
eventually "status shows the last error and when" 10 \
    sh -c "'$SIMPUL' --db '$T/demak.db' status | grep -q '^  last error at .*: 33.28: curl'"
ok "Tegal comes back on its port" start_node tegal "$T/tegal.db" "$port"
# The backoff is at most 2^k s after k failures: a few seconds here.
eventually "the backlog drains on its own" 60 G complaint show $C2
eventually "and the error clears" 30 \
    sh -c "! '$SIMPUL' --db '$T/demak.db' status | grep -q 'last error'"

ok "SIGTERM stops Demak's loop, exit 0" stop_node demak
ok "it says so" grep -q "stopped (signal 15)" "$T/demak.log"
ok "SIGTERM stops Tegal, exit 0" stop_node tegal
done_testing
