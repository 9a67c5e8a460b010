#!/bin/sh
# 20-sync.sh: Demak (33.21) and Tegal (33.28), directly peered, converge
# over mutual-TLS HTTPS with real processes on loopback: Tegal serves,
# Demak runs `simpul sync` (push its outbox, pull its inbox).  The
# cross-jurisdiction story; Tegal down then back, the backlog drained;
# Tegal restored from a backup, behind Demak (409, resend from there);
# Brebes's certificate pushing Demak's batch (403); a server presenting
# the wrong node's certificate, to which the client sends nothing.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test 33.21 33.28 33.29
P=$T/pki
# Signatures are checked at "now": after the certificates were made.
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mknode "$T/demak.db" 33.21 Demak || exit 1
mknode "$T/tegal.db" 33.28 Tegal || exit 1
G peer add 33.21 >/dev/null
G peer add 33.29 >/dev/null

field() {	# field NODE ID KEY: a top-level string of show's JSON
	$1 complaint show "$2" --format json |
	    sed "s/.*\"$3\":\"\([^\"]*\)\".*/\1/"
}
nolocal() { sed 's/"reporter":"[^"]*",//'; }
same() {	# same DESC ID: show is the same on both but for the reporter
	D complaint show "$2" --format json | nolocal >"$T/a"
	G complaint show "$2" --format json | nolocal >"$T/b"
	ok "$1" cmp "$T/a" "$T/b"
}
# dsync: Demak syncs; output in $T/out, stderr in $T/err, status in $T/rc.
dsync() { run --db "$T/demak.db" sync "$@"; }
requests() { grep -c 'event=request .*path=/v1/' "$T/tegal.log"; }

ok "Tegal serves on loopback" start_node tegal "$T/tegal.db"
D peer add 33.28 "https://localhost:$tegal_port" >/dev/null

# ---- 1. the story, by sync and serve -------------------------------------
C1=33.21-000001
dsync
eq "a round with nothing to send" 0 "$(cat "$T/rc")"
has "says so per peer" "$T/out" "^33.28: sent 0 batch\(es\), acknowledged to seq 0; received 0 batch\(es\), in seq 0: 0 applied"
D complaint file --title "Jalan rusak" --body "Jalan Desa Bandungrejo berlubang" \
    --channel sms1708 --category INF.JLN --reporter-name "Siti Aminah" \
    --reporter-contact 081234567890 --reporter-nik 3321014101900001 >/dev/null
ok "forwarded to Tegal" D complaint forward $C1 --to 33.28 \
    --reason "jalan kabupaten Tegal"
dsync
eq "Demak pushes" 0 "$(cat "$T/rc")"
has "one batch, acknowledged by the receipt in Tegal's answer, and nothing owed back" \
    "$T/out" "^33.28: sent 1 batch\(es\), acknowledged to seq 1; received 0 batch\(es\), in seq 0: 0 applied, 0 duplicate, 0 held, 0 refused$"
has "Tegal logged the POST" "$T/tegal.log" "peer=33.21 method=POST path=/v1/batches status=200"
eq "Tegal owns it" 33.28 "$(field G $C1 owner)"
G complaint accept $C1 >/dev/null
G complaint dispatch $C1 --unit "Dinas PUPR" >/dev/null
G complaint follow-up $C1 --text "Perbaikan dijadwalkan" >/dev/null
ok "Tegal resolves (while serving)" G complaint resolve $C1
dsync
eq "Demak pulls" 0 "$(cat "$T/rc")"
has "Tegal's four events, then Demak's receipt back" \
    "$T/out" "^33.28: sent 1 batch\(es\), .*received 1 batch\(es\), in seq 1: 4 applied, 0 duplicate, 0 held, 0 refused$"
has "the pull is logged" "$T/tegal.log" "peer=33.21 method=GET path=/v1/batches status=200"
has "and its end" "$T/tegal.log" "peer=33.21 method=GET path=/v1/batches status=204"
ok "the reporter replies at Demak" D complaint reply $C1 --text "Terima kasih"
dsync
eq "Demak pushes the reply" 0 "$(cat "$T/rc")"
ok "Tegal closes" G complaint close $C1
dsync
eq "Demak pulls the close" 0 "$(cat "$T/rc")"
same "the story converged on Demak and Tegal" $C1
eq "closed on both" "closed closed" "$(field D $C1 status) $(field G $C1 status)"
D status >"$T/out"
has "Demak's status: every batch to Tegal sent and acknowledged" "$T/out" \
    "^33.28 https://localhost:$tegal_port: sent [0-9]+, acked [0-9]+, received [0-9]+, queued 0, unacked 0, held 0, refused 0$"
ok "no last error" sh -c "! grep -q 'last error' '$T/out'"
ok "Demak's status as JSON" D status --format json
eq "Tegal's status says what it received and that all it sent is acknowledged" 200 \
    "$(https 33.21 "$tegal_port" /v1/status)"
has "received over the wire" "$T/body" '"received": *[1-9]'
has "acked = sent toward Demak" "$T/body" '"sent": *([0-9]+), *"acked": *\1,'
dsync
has "a second round sends nothing new" "$T/out" "^33.28: sent 0 batch\(es\)"

# ---- 2. Tegal down, then back: the backlog is kept, then drained ---------
C2=33.21-000002
stop_node tegal
D complaint file --title "Lampu mati" --body "Lampu jalan mati" --channel web \
    --category INF.JLN --reporter-name Budi >/dev/null
D complaint forward $C2 --to 33.28 --reason "wilayah Tegal" >/dev/null
dsync
eq "sync with Tegal down exits 3" 3 "$(cat "$T/rc")"
eq "and says to retry" "simpul: sync: 1 channel(s) unreachable: everything stays stored, retry later" \
    "$(cat "$T/err")"
has "the peer's line says why" "$T/out" "^33.28: unreachable, retry later: 33.28: curl"
D status >"$T/out"
has "the batch waits, stored" "$T/out" "^33.28 .*queued 0, unacked 1,"
has "the last error is kept" "$T/out" "^  last error at [0-9T:+-]+: 33.28: curl"
ok "Tegal is back on its port" start_node tegal "$T/tegal.db" "$tegal_port"
dsync
eq "the next round drains the backlog" 0 "$(cat "$T/rc")"
has "the stored batch went" "$T/out" "^33.28: sent 1 batch\(es\)"
eq "Tegal has it" 33.28 "$(field G $C2 owner)"
D status >"$T/out"
has "nothing waits" "$T/out" "^33.28 .*queued 0, unacked 0,"
ok "the error is cleared" sh -c "! grep -q 'last error' '$T/out'"

# ---- 3. Tegal restored from a backup: behind Demak, 409, resent ----------
stop_node tegal
cp "$T/tegal.db" "$T/tegal-backup.db"
ok "Tegal is back" start_node tegal "$T/tegal.db" "$tegal_port"
C3=33.21-000003
D complaint file --title "Banjir" --body "Banjir di pasar" --channel web \
    --category INF.JLN --reporter-name Budi >/dev/null
D complaint forward $C3 --to 33.28 --reason "wilayah Tegal" >/dev/null
dsync
eq "C3 goes" 0 "$(cat "$T/rc")"
stop_node tegal
cp "$T/tegal-backup.db" "$T/tegal.db"
rm -f "$T/tegal.db-wal" "$T/tegal.db-shm"
ok "Tegal restarts from the backup" start_node tegal "$T/tegal.db" "$tegal_port"
C4=33.21-000004
D complaint file --title "Sampah" --body "Sampah menumpuk" --channel web \
    --category INF.JLN --reporter-name Budi >/dev/null
D complaint forward $C4 --to 33.28 --reason "wilayah Tegal" >/dev/null
dsync
eq "the round still succeeds" 0 "$(cat "$T/rc")"
has "Tegal said 409 with the seq it expects" "$T/tegal.log" "peer=33.21 method=POST path=/v1/batches status=409"
has "Demak resent its stored bytes from there" "$T/out" "^33.28: sent 2 batch\(es\)"
eq "Tegal has C3 again" 33.28 "$(field G $C3 owner)"
eq "and C4" 33.28 "$(field G $C4 owner)"

# ---- 4. identities --------------------------------------------------------
mkdir -p "$T/arch"
D archive --out "$T/arch" --to 33.28 >/dev/null
f=$(ls "$T"/arch/batch-33.21-33.28-1-*.xml | head -1)
eq "Brebes's certificate pushing Demak's batch: 403" 403 \
    "$(https 33.29 "$tegal_port" /v1/batches --data-binary @"$f" \
    -H 'Content-Type: application/xml')"
has "the refusal says why" "$T/body" \
    "^permission: 33.29 may not push a batch from 33.21$"
eq "Demak's own certificate gets the stored receipt again" 200 \
    "$(https 33.21 "$tegal_port" /v1/batches --data-binary @"$f" \
    -H 'Content-Type: application/xml')"
has "a receipt" "$T/body" "Receipt|receipt"
eq "Brebes may not pull Demak's inbox" 403 \
    "$(https 33.29 "$tegal_port" '/v1/batches?from=33.28&to=33.21&after=0')"
eq "its own inbox is empty" 204 \
    "$(https 33.29 "$tegal_port" '/v1/batches?after=0')"
eq "after is required" 400 "$(https 33.21 "$tegal_port" /v1/batches)"
# Demak is told 33.29 lives at Tegal's address: Tegal's certificate says
# 33.28, so Demak refuses the handshake and Tegal sees no request.
D peer add 33.29 "https://localhost:$tegal_port" >/dev/null
D complaint file --title "Pohon tumbang" --body "Pohon tumbang" --channel web \
    --category INF.JLN --reporter-name Budi >/dev/null
D complaint forward 33.21-000005 --to 33.29 --reason "wilayah Brebes" >/dev/null
before=$(requests)
dsync --peer 33.29
eq "a server with the wrong node's certificate: unreachable" 3 "$(cat "$T/rc")"
has "the client names the mismatch" "$T/out" "^33.29: unreachable, retry later: 33.29: curl"
eq "the server logged no request" "$before" "$(requests)"
D status >"$T/out"
has "the batch for Brebes stays stored" "$T/out" "^33.29 .*unacked 1,"
dsync --peer 33.28
eq "Tegal alone still syncs" 0 "$(cat "$T/rc")"

stop_node tegal
ok "SIGTERM ends Tegal cleanly" test $? = 0
done_testing
