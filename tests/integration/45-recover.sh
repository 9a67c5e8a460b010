#!/bin/sh
# 45-recover.sh: a node rebuilt from what it sent (DESIGN §2).  The hub
# serves, and so does Brebes (33.29), which Demak (33.21) reaches
# directly; Tegal (33.28) only through the hub.  Demak files complaints
# and forwards them to Tegal and Brebes, then loses its database: init
# again with the same certificate and `recover` pulls its own batches
# back from the hub and from Brebes.  Writes are refused while it
# recovers, numbering goes on where it stopped, every node refuses the
# new instance until its operator re-enrols it, and then the federation
# converges again.  Last, Demak restores an old backup and syncs before
# recovering: Brebes holds a seq above it, so Demak stops writing until
# it recovers.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test hub 33.21 33.28 33.29
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
B() { "$SIMPUL" --db "$T/brebes.db" "$@"; }
mk() {		# mk DB CODE NAME [init options]
	db=$1 code=$2 name=$3
	shift 3
	"$SIMPUL" --db "$db" init --node "$code" --name "$name" \
	    --cert "$P/$code.pem" --key "$P/$code.key" --ca "$P/ca.pem" \
	    --crl "$P/crl.pem" "$@" >/dev/null || exit 1
	"$SIMPUL" --db "$db" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
}
has() {		# has DESC FILE PATTERN
	tap_n=$((tap_n + 1))
	if grep -Eq -- "$3" "$2"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   no line matching: $3"
		sed 's/^/# /' "$2"
		tap_failed=1
	fi
}
file() {	# file TITLE: filed at Demak, prints its id
	D complaint file --title "$1" --body "Laporan warga" \
	    --channel sms1708 --category INF.JLN --reporter-name "Siti Aminah" \
	    --reporter-nik 3321014101900001
}
demak() {	# demak: Demak's peers, as its operator adds them again
	D peer add 33.28 >/dev/null && D peer add 33.29 "$burl" >/dev/null
}
round() {	# round: Demak, Tegal, Demak sync once each
	D sync >/dev/null; G sync >/dev/null; D sync >/dev/null
}
list() { D complaint list --format json; }
WRITE_REFUSED="simpul: complaint: this node is recovering (simpul recover has not finished): writes are refused until simpul recover is done"

mk "$T/hub.db" hub "Hub SP4N-LAPOR!" --role hub
ok "the hub serves" start_node hub "$T/hub.db"
hp=$hub_port
mk "$T/brebes.db" 33.29 Brebes
B peer add 33.21 >/dev/null
ok "Brebes serves" start_node brebes "$T/brebes.db"
burl=https://localhost:$brebes_port
mk "$T/demak.db" 33.21 Demak --hub "https://localhost:$hp"
mk "$T/tegal.db" 33.28 Tegal --hub "https://localhost:$hp"
demak
ok "the hub enrols Tegal at its first contact" G sync

# ---- Demak's work before the loss --------------------------------------
C1=$(file "Jalan rusak")
D complaint forward "$C1" --to 33.28 >/dev/null
round
G complaint accept "$C1" >/dev/null
G complaint follow-up "$C1" --text "Perbaikan dijadwalkan" >/dev/null
round
D complaint show "$C1" --format json > "$T/c1.json"
ok "Tegal's work on the first complaint reached Demak" \
    grep -q "Perbaikan dijadwalkan" "$T/c1.json"
C2=$(file "Lampu mati")
D complaint forward "$C2" --to 33.28 >/dev/null
C3=$(file "Saluran tersumbat")
D complaint forward "$C3" --to 33.29 >/dev/null
C4=$(file "Pohon tumbang")
D complaint note "$C4" --text "Petugas diberi tahu" >/dev/null
round
B complaint accept "$C3" >/dev/null
round
ok "four complaints filed at Demak" test "$C4" = 33.21-000004
list > "$T/before.json"
ok "Brebes's acceptance reached Demak" grep -q '"owner":"33.29"' \
    "$T/before.json"

# ---- the database lost: init again, recover -----------------------------
rm -f "$T/demak.db" "$T/demak.db-wal" "$T/demak.db-shm"
mk "$T/demak.db" 33.21 Demak --hub "https://localhost:$hp"
demak
ok "the hub stops" stop_node hub
run --db "$T/demak.db" recover
ok "recover with the hub down fails, to be run again (exit 3)" \
    test "$(cat "$T/rc")" = 3
has "it says so" "$T/err" "this node stays recovering: run simpul recover again"
expect "a write while recovering exits 3" 3 "$WRITE_REFUSED" \
    --db "$T/demak.db" complaint file --title "Banjir" --body "Air naik"
expect "an import too" 3 \
    "simpul: import: this node is recovering (simpul recover has not finished): writes are refused until simpul recover is done" \
    --db "$T/demak.db" import "$T/before.json"
ok "list still shows what is there" D complaint list
D status > "$T/status.out"
has "status says the node is recovering" "$T/status.out" \
    "^RECOVERING: simpul recover has not finished; writes are refused"
ok "the hub starts again on its port" start_node hub "$T/hub.db" "$hp"
run --db "$T/demak.db" recover
ok "recover (exit 0)" test "$(cat "$T/rc")" = 0
cp "$T/out" "$T/recover.out"
has "it names what came back from the hub" "$T/recover.out" \
    "^hub: [1-9][0-9]* batch\(es\) back from hub"
has "and from Brebes" "$T/recover.out" \
    "^33.29: [1-9][0-9]* batch\(es\) back from 33.29"
has "and what the hub relayed to Tegal" "$T/recover.out" \
    "^33.28: [1-9][0-9]* batch\(es\) back from hub"
has "numbering goes on after the highest seen" "$T/recover.out" \
    "complaint number 4; this node numbers on after both$"
has "reporter identity is lost, and it says so" "$T/recover.out" \
    "^reporter identity is in no batch"
for n in hub 33.28 33.29; do
	has "it tells $n's operator to re-enrol it" "$T/recover.out" \
	    "^  on $n run: simpul peer reenrol 33.21$"
done
D status > "$T/status.out"
ok "writes are allowed again" sh -c "! grep -q RECOVERING '$T/status.out'"

# ---- every node refuses the new instance until re-enrolled ---------------
run --db "$T/demak.db" sync
ok "the first sync after recovery is refused (exit 1)" \
    test "$(cat "$T/rc")" = 1
has "the hub refuses the new instance until re-enrolled" "$T/out" \
    "refused until an operator runs simpul peer reenrol 33.21"
ok "the hub's operator re-enrols Demak" H peer reenrol 33.21
ok "Brebes's too" B peer reenrol 33.21
ok "Tegal's too" G peer reenrol 33.21
round
ok "Demak syncs again" D sync
list > "$T/after.json"
ok "every complaint Demak held is back as it was" \
    cmp "$T/before.json" "$T/after.json"
ok "the reporter's identity is not" sh -c \
    "! sqlite3 '$T/demak.db' .dump | grep -q 'Siti Aminah'"
C5=$(file "Banjir")
ok "the next complaint gets the next number, not a used one" \
    test "$C5" = 33.21-000005
D complaint forward "$C5" --to 33.28 >/dev/null
round
ok "a new forward reaches Tegal through the hub" G complaint show "$C5"
ok "and the hub holds it" H complaint show "$C5"

# ---- an old backup restored, synced before recovering --------------------
ok "a backup of Demak" D backup "$T/demak-old.db"
D complaint forward "$C4" --to 33.29 >/dev/null
round
ok "a new forward reaches Brebes directly" B complaint show "$C4"
B complaint accept "$C4" >/dev/null
round
list > "$T/before.json"
rm -f "$T/demak.db-wal" "$T/demak.db-shm"
cp "$T/demak-old.db" "$T/demak.db"
run --db "$T/demak.db" sync
ok "the restored node's sync is refused (exit 1)" test "$(cat "$T/rc")" = 1
AHEAD=$(sed -n 's/^33.29: refused: \(33.29 holds seq [0-9]* but this node cut only up to [0-9]*\): it lost its state (run simpul recover)$/\1/p' "$T/out")
ok "Brebes holds a seq above what it cut: it says to recover" \
    test -n "$AHEAD"
expect "and it refuses writes until it recovers" 3 \
    "simpul: complaint: this node is recovering ($AHEAD): writes are refused until simpul recover is done" \
    --db "$T/demak.db" complaint file --title "Banjir" --body "Air naik"
D status > "$T/status.out"
has "status says why" "$T/status.out" "^RECOVERING: $AHEAD; writes are refused"
run --db "$T/demak.db" recover
ok "recover from the backup (exit 0)" test "$(cat "$T/rc")" = 0
cp "$T/out" "$T/recover.out"
ok "the hub's operator re-enrols Demak again" H peer reenrol 33.21
ok "Tegal's" G peer reenrol 33.21
ok "Brebes's, and resumes the channel its equivocation halted" \
    sh -c "'$SIMPUL' --db '$T/brebes.db' peer reenrol 33.21 && '$SIMPUL' --db '$T/brebes.db' channel resume 33.21"
round
ok "Demak syncs again" D sync
list > "$T/after.json"
ok "every complaint is back as it was before the restore" \
    cmp "$T/before.json" "$T/after.json"
C6=$(file "Jembatan retak")
ok "the next number is new" test "$C6" = 33.21-000006
D complaint forward "$C6" --to 33.28 >/dev/null
round
ok "and a new forward reaches Tegal" G complaint show "$C6"

ok "Brebes stops on SIGTERM" stop_node brebes
ok "the hub too" stop_node hub
done_testing
