#!/bin/sh
# 36-directory.sh: the hub's directory, re-enrolment and CRL distribution
# (DESIGN §2).  Every node has a CRL file of its own, so that a new CRL
# reaches it only through the hub.  Demak (33.21) learns of Tegal (33.28)
# from the signed directory and forwards to it; Demak comes back as a new
# database and the hub refuses it until the operator re-enrols it; then
# Tegal's certificate is revoked at the CA, the hub is given the new CRL,
# and Demak picks it up within a few rounds and refuses Tegal; last, a CRL
# past its next update shows in status and in the log.  The directory
# names each node as it names itself (X-Simpul-Name, UTF-8 percent-encoded).
. "${top_srcdir:-.}/tests/lib.sh"

pki hub 33.21 33.28
P=$T/pki

H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
D2() { "$SIMPUL" --db "$T/demak2.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
mk() {		# mk DB CODE NAME CRL [init options]
	db=$1 code=$2 name=$3 crl=$4
	shift 4
	cp "$P/crl.pem" "$crl"
	"$SIMPUL" --db "$db" init --node "$code" --name "$name" \
	    --cert "$P/$code.pem" --key "$P/$code.key" --ca "$P/ca.pem" \
	    --crl "$crl" "$@" >/dev/null || exit 1
	"$SIMPUL" --db "$db" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
	"$SIMPUL" --db "$db" config set sync.interval_seconds 1 >/dev/null
}
instance() { sqlite3 "$1" "SELECT value FROM setting WHERE key = 'node.instance'"; }
in_dir() {	# in_DIR DB CODE: CODE is in the directory DB holds
	sqlite3 "$1" "SELECT code FROM directory" | grep -qx "$2"
}
dir_says() {	# dir_says WHO PATTERN: the hub's directory, fetched by WHO
	[ "$(https "$1" "$hp" /v1/directory)" = 200 ] &&
	    grep -Eq -- "$2" "$T/body"
}
tls_refused() {	# tls_refused WHO PORT: the handshake fails
	[ "$(https "$1" "$2" /v1/status)" = 000 ]
}
answers() {	# answers WHO PORT [PATH [STATUS]]: the node answers WHO so
	[ "$(https "$1" "$2" "${3:-/v1/status}")" = "${4:-200}" ]
}

mk "$T/hub.db" hub "Hub SP4N-LAPOR!" "$T/hub.crl" --role hub
ok "the hub serves on loopback" start_node hub "$T/hub.db"
hp=$hub_port
DN="Kabupaten Demak – Kota Wali"
mk "$T/demak.db" 33.21 "$DN" "$T/demak.crl" --hub "https://localhost:$hp"
mk "$T/tegal.db" 33.28 Tegal "$T/tegal.crl" --hub "https://localhost:$hp"
hub_name() { sqlite3 "$T/hub.db" "SELECT name FROM peer WHERE code = '$1'"; }

# ---- the directory ----------------------------------------------------------
ok "Tegal syncs once: the hub enrols it" G sync
ok "Demak syncs once and fetches the directory" D sync
ok "Demak holds the directory, Tegal in it" in_dir "$T/demak.db" 33.28
ok "the hub is not in its own directory" sh -c \
    "! sqlite3 '$T/demak.db' \"SELECT code FROM directory\" | grep -qx hub"
ok "GET /v1/directory answers an enrolled node" dir_says 33.21 '<directory '
ok "the directory is a signed document simpul verify accepts" \
    "$SIMPUL" verify --ca "$P/ca.pem" --crl "$P/crl.pem" "$T/body"
der=$(openssl x509 -in "$P/33.28.pem" -outform DER | base64 -w0)
ok "it carries the certificate Tegal enrolled with" \
    grep -q "code=\"33.28\"[^>]*>$der<" "$T/body"
ok "and the federation's limits and wire version" grep -Eq \
    'version="1" max-batch-bytes="1048576" max-batch-items="2000" max-item-bytes="65536"' \
    "$T/body"
ok "it names each node as the node names itself" sh -c \
    "grep -q 'code=\"33.28\" name=\"Tegal\"' '$T/body' &&
    grep -q 'code=\"33.21\" name=\"$DN\"' '$T/body'"
eq "Demak holds Tegal's name" Tegal \
    "$(sqlite3 "$T/demak.db" "SELECT name FROM directory WHERE code = '33.28'")"
G config set node.name "Kabupaten Tegal" >/dev/null
ok "Tegal renames itself and syncs" G sync
ok "the directory follows" dir_says 33.21 'code="33.28" name="Kabupaten Tegal"'
long=$(printf '%0201d' 0)
for bad in 'a%0Ab' 'a%00b' '%FF' "$long"; do
	eq "a name that is no name ('$(echo "$bad" | cut -c1-8)') is refused" 400 \
	    "$(https 33.28 "$hp" /v1/status -H "X-Simpul-Name: $bad")"
	tap_n=$((tap_n + 1))
	if grep -qx 'invalid: X-Simpul-Name: give 1 to 200 bytes of UTF-8 on one line' \
	    "$T/body" && [ "$(hub_name 33.28)" = "Kabupaten Tegal" ]; then
		echo "ok $tap_n - and the name stays"
	else
		echo "not ok $tap_n - and the name stays"
		tap_failed=1
	fi
done
C1=$(D complaint file --title "Jalan rusak" --body "Laporan warga" \
    --channel web --category INF.JLN)
ok "a forward to a node of the directory is accepted" \
    D complaint forward "$C1" --to 33.28
ok "which makes it a peer reached through the hub" sh -c \
    "sqlite3 '$T/demak.db' \"SELECT code FROM peer WHERE url IS NULL\" | grep -qx 33.28"
# When the directory was last refreshed, in Demak's zone (WIB).
issued=$(sqlite3 "$T/demak.db" "SELECT issued FROM directory_doc")
when=$(date -u -d "@$((issued + 7 * 3600))" +%Y-%m-%dT%H:%M:%S+07:00)
expect "a forward to a node in neither is refused, saying when the directory was refreshed" 1 \
    "simpul: complaint: 33.99 is not a peer nor in the hub's directory (last refreshed $when; simpul sync refreshes it, or add it with simpul peer add)" \
    --db "$T/demak.db" complaint forward "$C1" --to 33.99

# ---- re-enrolment ------------------------------------------------------------
I1=$(instance "$T/demak.db")
ok "Demak's batch for Tegal goes to the hub's relay" D sync --peer 33.28
ok "the directory shows Demak's instance" dir_says 33.28 \
    "code=\"33.21\"[^>]*instance=\"$I1\""
# A lost database: init again, recover (45-recover.sh tests it in full),
# which takes a new instance id the hub refuses until its operator agrees.
mk "$T/demak2.db" 33.21 Demak "$T/demak.crl" --hub "https://localhost:$hp"
ok "Demak recovers from the hub into a new database" D2 recover
I2=$(instance "$T/demak2.db")
D2 complaint file --title "Lampu mati" --body "Laporan warga" \
    --channel web --category INF.JLN >/dev/null
run --db "$T/demak2.db" sync --peer hub
ok "Demak back as a new database is refused by the hub" \
    grep -q "refused until an operator runs simpul peer reenrol 33.21" "$T/out"
ok "the hub logged why" grep -q "33.21 came back as instance" "$T/hub.log"
ok "the directory still shows the old instance" dir_says 33.28 \
    "code=\"33.21\"[^>]*instance=\"$I1\""
ok "the hub's operator re-enrols Demak" H peer reenrol 33.21
ok "then the hub accepts it" D2 sync --peer hub
ok "and the directory shows the new instance" dir_says 33.28 \
    "code=\"33.21\"[^>]*instance=\"$I2\""

# ---- CRL distribution ---------------------------------------------------------
ok "Demak serves with its loop" start_node demak "$T/demak2.db"
dp=$demak_port
ok "Demak answers Tegal, a node of the directory" answers 33.28 "$dp"
ok "a regency node serves no directory" answers 33.28 "$dp" /v1/directory 404
n0=$(openssl crl -in "$T/demak.crl" -noout -crlnumber)
ok "the CA revokes Tegal's certificate and issues a new CRL" \
    "$top_srcdir/certs/mkcerts.sh" -d "$P" --revoke 33.28
ok "the hub is given the new CRL" cp "$P/crl.pem" "$T/hub.crl"
eventually "Demak installs it from the hub within a few rounds" 30 \
    cmp -s "$T/hub.crl" "$T/demak.crl"
ok "its number went up" sh -c \
    "[ \"\$(openssl crl -in '$T/demak.crl' -noout -crlnumber)\" != '$n0' ]"
eventually "and puts it in force" 10 grep -q "is in force" "$T/demak.log"
ok "Demak now refuses Tegal at the handshake" tls_refused 33.28 "$dp"
ok "so does the hub" tls_refused 33.28 "$hp"
ok "while Demak still answers the hub" answers hub "$dp"
D2 status >"$T/status.out"
n1=$(($(openssl crl -in "$T/demak.crl" -noout -crlnumber | sed 's/.*=//')))
ok "simpul status names the CRL in force" grep -q \
    "^crl $T/demak.crl: number $n1, issued " "$T/status.out"
ok "Demak stops" stop_node demak

# ---- a stale CRL ---------------------------------------------------------------
late=$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%S+00:00)
SIMPUL_NOW=$late D2 status >"$T/status.out"
ok "past its next update, simpul status says STALE" grep -q '^crl .*: STALE' \
    "$T/status.out"
SIMPUL_NOW=$late start_node demak "$T/demak2.db"
ok "Demak serves with its clock past the CRL's next update" [ -n "$demak_port" ]
eventually "its log warns of the stale CRL every round" 30 sh -c \
    "[ \$(grep -c 'is stale: its next update was due' '$T/demak.log') -ge 2 ]"
ok "GET /v1/status answers" answers hub "$demak_port"
ok "and says the CRL is stale" grep -q '"stale":true' "$T/body"

ok "Demak stops" stop_node demak
ok "the hub stops" stop_node hub
done_testing
