#!/bin/sh
# 35-hub.sh: the federation through the hub (DESIGN §5).  The hub serves;
# Demak (33.21) and Tegal (33.28) sit behind NAT: each runs `serve`
# without --listen and reaches only the hub, and neither has the other's
# address, nor adds the other as a peer: Demak learns of Tegal from the
# hub's signed directory.  A complaint forwarded at Demak reaches Tegal
# through the hub's relay; Tegal's answer comes back the same way; the hub
# holds every stream.  Then Tegal is stopped a while and started again, and the
# hub is restarted in the middle of a relay: nothing is lost.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test hub 33.21 33.28 33.29
P=$T/pki
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mk() {		# mk DB CODE NAME [init options]: a node, a round a second
	mknode "$@" || exit 1
	"$SIMPUL" --db "$1" config set sync.interval_seconds 1 >/dev/null
}
status_of() {	# status_of NODE ID STATUS
	$1 complaint show "$2" --format json | grep -q "\"status\":\"$3\""
}
file() {	# file TITLE: filed at Demak by SMS, forwarded to Tegal
	D complaint forward "$(D complaint file --title "$1" \
	    --body "Laporan warga" --channel sms1708 --category INF.JLN \
	    --reporter-name "Siti Aminah" --reporter-nik 3321014101900001)" \
	    --to 33.28
}

mk "$T/hub.db" hub "Hub SP4N-LAPOR!" --role hub
ok "the hub serves on loopback" start_node hub "$T/hub.db"
hp=$hub_port
mk "$T/demak.db" 33.21 Demak --hub "https://localhost:$hp"
mk "$T/tegal.db" 33.28 Tegal --hub "https://localhost:$hp"

ok "Tegal runs its loop, reaching only the hub" start_loop tegal "$T/tegal.db"
eventually "the hub enrols Tegal at its first contact" 20 \
    grep -q "33.28 enrolled at its first contact" "$T/hub.log"
ok "Demak runs its loop" start_loop demak "$T/demak.db"
eventually "Demak holds the hub's directory, Tegal in it" 30 sh -c \
    "sqlite3 '$T/demak.db' \"SELECT code FROM directory\" | grep -qx 33.28"

C1=33.21-000001
ok "a complaint filed at Demak, forwarded to Tegal" file "Jalan rusak"
eventually "the hub relays it to Tegal, which pulls it" 40 G complaint show $C1
has "Tegal learnt from the hub that Demak had batches for it" \
    "$T/tegal.log" "33.21 has batches for this node at the hub"
has "the hub logged the pull with the relay" "$T/hub.log" \
    "peer=33.28 method=GET path=/v1/batches status=200"
G complaint accept $C1 >/dev/null
G complaint follow-up $C1 --text "Perbaikan dijadwalkan" >/dev/null
ok "Tegal resolves" G complaint resolve $C1
eventually "Demak sees the resolution, back through the hub" 40 \
    status_of D $C1 resolved
eventually "the hub holds both streams: it sees it resolved too" 40 \
    status_of H $C1 resolved
ok "Demak's batch to Tegal carries the hub's relay receipt" \
    sh -c "sqlite3 '$T/demak.db' \"SELECT count(*) FROM batch_out WHERE peer = '33.28' AND relay IS NOT NULL\" | grep -qv '^0$'"
ok "Tegal kept the relay receipt with what it received" \
    sh -c "sqlite3 '$T/tegal.db' \"SELECT count(*) FROM batch_in WHERE peer = '33.21' AND relay IS NOT NULL\" | grep -qv '^0$'"
ok "no reporter identity at the hub" \
    sh -c "! sqlite3 '$T/hub.db' .dump | grep -Eq 'Siti Aminah|3321014101900001'"
ok "none at Tegal either" \
    sh -c "! sqlite3 '$T/tegal.db' .dump | grep -Eq 'Siti Aminah|3321014101900001'"

# ---- Tegal stopped a while, then back: nothing lost ------------------------
ok "Tegal stops" stop_node tegal
C2=33.21-000002
ok "a second complaint forwarded while Tegal is down" file "Lampu mati"
eventually "the hub holds it for Tegal" 40 sh -c \
    "sqlite3 '$T/hub.db' \"SELECT count(*) FROM relay WHERE author = '33.21' AND dest = '33.28' AND state = 'waiting'\" | grep -qv '^0$'"
ok "Tegal comes back" start_loop tegal "$T/tegal.db"
eventually "and pulls what waited for it" 40 G complaint show $C2

# ---- the hub restarted in the middle of a relay -----------------------------
ok "the hub stops" stop_node hub
C3=33.21-000003
ok "a third complaint while the hub is down" file "Saluran tersumbat"
eventually "Demak says the hub is unreachable and backs off" 30 \
    grep -q "event=round .*state=down next_s=" "$T/demak.log"
ok "the hub starts again on its port" start_node hub "$T/hub.db" "$hp"
eventually "the third complaint reaches Tegal" 60 G complaint show $C3
G complaint accept $C3 >/dev/null
ok "Tegal resolves it" G complaint resolve $C3
eventually "and Demak sees it" 60 status_of D $C3 resolved

# ---- privacy on the wire (DESIGN §7) ---------------------------------------
# Every batch a node sends is stored before it leaves, exact bytes, and the
# hub keeps every batch it relays: the archives and the hub's relay table
# are everything that went over the wire.
C4=33.21-000004
D complaint file --title "Pungli di kantor desa" --body "Rahasia" \
    --channel whatsapp --category INF.JLN --confidential \
    --reporter-name "Budi Santoso" --reporter-contact 081298765432 \
    --reporter-nik 3321011203850002 >/dev/null
ok "a confidential complaint forwarded to Tegal" D complaint forward $C4 --to 33.28
eventually "reaches Tegal" 60 G complaint show $C4
mkdir -p "$T/wire"
for n in demak tegal hub; do
	"$SIMPUL" --db "$T/$n.db" archive --out "$T/wire/$n" >/dev/null
done
sqlite3 "$T/hub.db" "SELECT writefile('$T/wire/relay-' || rowid || '.xml', bytes) FROM relay" >/dev/null
ok "the capture holds every node's batches and the relayed ones" \
    test "$(find "$T/wire" -name '*.xml' | wc -l)" -gt 10
ok "(the origin's own database does hold the identity)" sh -c \
    "sqlite3 '$T/demak.db' .dump | grep -q 'Budi Santoso'"
ok "no reporter name, contact or NIK in anything that left a node" \
    sh -c "! grep -rEl 'Siti Aminah|3321014101900001|Budi Santoso|081298765432|3321011203850002' '$T/wire'"
ok "the confidential complaint is marked so on the wire" sh -c \
    "grep -rhoE 'complaint=\"$C4\"[^>]*><filed [^>]*>' '$T/wire' | grep -q 'confidential=\"true\"'"

# ---- refusals ---------------------------------------------------------------
# When the directory was last refreshed, in Demak's zone (WIB).
issued=$(sqlite3 "$T/demak.db" "SELECT issued FROM directory_doc")
when=$(date -u -d "@$((issued + 7 * 3600))" +%Y-%m-%dT%H:%M:%S+07:00)
expect "a forward to a node this one does not know is refused" 1 \
    "simpul: complaint: 33.99 is not a peer nor in the hub's directory (last refreshed $when; simpul sync refreshes it, or add it with simpul peer add)" \
    --db "$T/demak.db" complaint forward $C1 --to 33.99

ok "the loops and the hub stop on SIGTERM" stop_node demak
ok "Tegal too" stop_node tegal
ok "the hub too" stop_node hub
done_testing
