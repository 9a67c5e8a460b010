#!/bin/sh
# demo.sh: the quick start.  Installs what is missing, builds simpul, makes
# a development PKI, and runs a small federation on this machine:
# Kabupaten Demak (33.21) and Kabupaten Tegal (33.28) record complaints and
# exchange signed batches; a complaint filed in Demak about a Tegal road is
# forwarded, accepted, followed up and resolved in Tegal, and Demak sees
# the result.  The batches travel as files here (`simpul sync` carries the
# same batches over HTTPS: tests/integration/20-sync.sh); Demak's HTTPS
# endpoint answers Tegal on loopback,
# and an auditor checks both nodes' archives with nothing but the CA.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
echo "== building simpul (build/release)"
sh "$top/scripts/build.sh" release
simpul=$top/build/release/simpul
demo=$top/demo
# The binary runs from the build tree, not installed: point it at the schemas.
export SIMPUL_SCHEMAS="$top/schemas"
export SIMPUL_ACTOR=demo
rm -rf "$demo"
mkdir -p "$demo/files" "$demo/receipts" "$demo/archive"

echo "== a development federation PKI (demo/pki): CA, hub, Demak, Tegal"
"$top/certs/mkcerts.sh" -d "$demo/pki" hub 33.21 33.28 >/dev/null

D() { "$simpul" --db "$demo/demak.db" "$@"; }
G() { "$simpul" --db "$demo/tegal.db" "$@"; }
node() {	# node DB CODE NAME
	"$simpul" --db "$1" init --node "$2" --name "$3" \
	    --cert "$demo/pki/$2.pem" --key "$demo/pki/$2.key" \
	    --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" --zone WIB |
	    sed -n '1p;/^  key/p;/^  valid/p'
	"$simpul" --db "$1" calendar load "$top/data/holidays-2026.txt" >/dev/null
	"$simpul" --db "$1" category load "$top/data/topics.tsv" >/dev/null
}
# xfer SRC DST DST-CODE: SRC's batches for DST-CODE travel as files.
xfer() {
	rm -f "$demo/files"/*
	"$simpul" --db "$demo/$1.db" export --to "$3" --out "$demo/files"
	"$simpul" --db "$demo/$2.db" import --receipts "$demo/receipts" \
	    "$demo/files"/batch-*.xml
}

echo "== two regency nodes"
node "$demo/demak.db" 33.21 "Kabupaten Demak"
node "$demo/tegal.db" 33.28 "Kabupaten Tegal"
D peer add 33.28 >/dev/null
G peer add 33.21 >/dev/null
D config set target.hours 24

echo "== Demak records complaints from its channels"
D complaint file --channel sms1708 --category INF.JLN \
    --title "Jalan rusak di Jalan Raya Slawi" \
    --body "Jalan berlubang di perbatasan, masuk wilayah Kabupaten Tegal" \
    --reporter-name "Siti Aminah" --reporter-contact 081234567890
D complaint file --channel whatsapp --category ADM.KTP \
    --title "KTP elektronik belum jadi" --body "Sudah tiga bulan menunggu"
D complaint file --channel village_visit --category LH.SAMPAH \
    --title "Sampah menumpuk di pasar" --body "Pasar Bintoro belum diangkut"
D complaint file --channel agent --category KES.PUSK --anonymous \
    --title "Antrean puskesmas" --body "Pelayanan pagi lambat"
D complaint verify 33.21-000002 >/dev/null
D complaint dispatch 33.21-000002 --unit "Disdukcapil" >/dev/null
D complaint follow-up 33.21-000002 --text "KTP dicetak minggu ini" >/dev/null

echo "== Demak forwards the road complaint to Tegal (bukan wewenang Demak)"
D complaint verify 33.21-000001 >/dev/null
D complaint forward 33.21-000001 --to 33.28 --reason "jalan kabupaten Tegal"
xfer demak tegal 33.28

echo "== Tegal accepts, follows up and resolves it"
G complaint accept 33.21-000001
G complaint dispatch 33.21-000001 --unit "Dinas PUPR Tegal"
G complaint follow-up 33.21-000001 --text "Penambalan dijadwalkan Senin"
G complaint resolve 33.21-000001
xfer tegal demak 33.21
D import "$demo/receipts"/receipt-33.28-*.xml >/dev/null

echo "== Demak sees Tegal's work on its citizen's complaint"
D complaint show 33.21-000001
echo
D complaint list

echo "== Demak's HTTPS endpoint answers Tegal on loopback (mutual TLS)"
D serve --listen 127.0.0.1:0 2>"$demo/demak-serve.log" &
pid=$!
port=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	port=$(sed -n 's/.* listening on port \([0-9]*\)$/\1/p' \
	    "$demo/demak-serve.log")
	[ -n "$port" ] && break
	sleep 0.25
done
curl -s --max-time 10 --cacert "$demo/pki/ca.pem" \
    --cert "$demo/pki/33.28.pem" --key "$demo/pki/33.28.key" \
    "https://localhost:$port/v1/status"
echo
kill -TERM "$pid"
wait "$pid" 2>/dev/null || true

echo "== an auditor checks both nodes' archives with only the CA"
D archive --out "$demo/archive/demak"
G archive --out "$demo/archive/tegal"
"$simpul" audit --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" \
    "$demo/archive"

cat <<EOT

The federation ran: Demak's complaint 33.21-000001 was handled by Tegal,
and both nodes and the auditor agree on its signed history.  Nothing keeps
running.  Look further with:
  export SIMPUL_SCHEMAS=$top/schemas
  $simpul --db $demo/demak.db complaint show 33.21-000001 --format json
  $simpul --db $demo/tegal.db complaint list
  $simpul --db $demo/demak.db channel list
  $simpul --db $demo/demak.db metrics
  $simpul verify --ca $demo/pki/ca.pem $demo/files/*.xml
  $simpul --help
EOT
