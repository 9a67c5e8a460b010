#!/bin/sh
# demo.sh: the quick start.  Installs what is missing, builds simpul, makes
# a development PKI, and runs the federation on this machine's loopback:
# the national hub serves HTTPS; Kabupaten Demak (33.21) and Kabupaten
# Tegal (33.28) sit "behind NAT": each runs `simpul serve` without
# --listen, reaches only the hub, and neither knows the other's address.
# Demak records complaints from several channels and forwards one about a
# Tegal road; it travels through the hub's relay; Tegal accepts, follows
# up and resolves it; Demak sees the result; the hub holds every stream;
# an auditor checks the archives with nothing but the CA.  Then both
# regencies sign their figures, the hub recomputes and ranks them, and a
# Demak database edited to claim a faster follow-up is caught by the hub
# and by the auditor.  The three nodes keep running afterwards: the
# summary says how to stop them.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
echo "== building simpul (build/release)"
sh "$top/scripts/build.sh" release
simpul=$top/build/release/simpul
demo=$top/demo
export SIMPUL_ACTOR=demo

# A demo from an earlier run may still be running.
for f in "$demo"/*.pid; do
	[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
done
sleep 1
rm -rf "$demo"
mkdir -p "$demo/archive"

echo "== a development federation PKI (demo/pki): CA, hub, Demak, Tegal"
"$top/certs/mkcerts.sh" -d "$demo/pki" hub 33.21 33.28 >/dev/null

H() { "$simpul" --db "$demo/hub.db" "$@"; }
D() { "$simpul" --db "$demo/demak.db" "$@"; }
G() { "$simpul" --db "$demo/tegal.db" "$@"; }
node() {	# node DB CODE NAME [init options]
	db=$1 code=$2 name=$3
	shift 3
	"$simpul" --db "$db" init --node "$code" --name "$name" \
	    --cert "$demo/pki/$code.pem" --key "$demo/pki/$code.key" \
	    --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" --zone WIB "$@" |
	    sed -n '1p'
	"$simpul" --db "$db" calendar load "$top/data/holidays-2026.txt" >/dev/null
	"$simpul" --db "$db" category load "$top/data/topics.tsv" >/dev/null
	# A round every second, for the demo (the default is a minute).
	"$simpul" --db "$db" config set sync.interval_seconds 1 >/dev/null
}
start() {	# start NAME [serve options]: a node in the background
	name=$1
	shift
	"$simpul" --db "$demo/$name.db" serve "$@" >"$demo/$name.log" 2>&1 &
	echo $! >"$demo/$name.pid"
}
# wait_for WHAT COMMAND...: poll until COMMAND succeeds (60 s at most).
wait_for() {
	what=$1
	shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 300 ]; then
			echo "demo: gave up waiting for $what (see $demo/*.log)" >&2
			exit 1
		fi
		sleep 0.2
	done
	echo "   ($what after $((i / 5)) s)"
}
status_is() {	# status_is NODE ID STATUS
	$1 complaint show "$2" --format json | grep -q "\"status\":\"$3\""
}

echo "== the national hub, serving HTTPS on loopback"
node "$demo/hub.db" hub "Hub SP4N-LAPOR! nasional" --role hub
start hub --listen 127.0.0.1:0
port=
for i in $(seq 1 50); do
	port=$(sed -n 's/.* listening on port \([0-9]*\),.*/\1/p' "$demo/hub.log")
	[ -n "$port" ] && break
	sleep 0.2
done
[ -n "$port" ] || { cat "$demo/hub.log" >&2; exit 1; }
hub=https://localhost:$port
echo "   $hub"

echo "== two regency nodes behind NAT: they reach only the hub"
node "$demo/demak.db" 33.21 "Kabupaten Demak" --hub "$hub"
node "$demo/tegal.db" 33.28 "Kabupaten Tegal" --hub "$hub"
D config set target.hours 24
start tegal
start demak

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
# One filed 30 hours ago (SIMPUL_NOW sets the clock of one command) and
# followed up only now: the 24-hour follow-up missed.
SIMPUL_NOW=$(date -u -d '-30 hours' +%Y-%m-%dT%H:%M:%S+00:00) \
    D complaint file --channel web --category LH.SAMPAH \
    --title "Saluran air tersumbat" --body "Banjir kecil setiap hujan"
D complaint verify 33.21-000005 >/dev/null
D complaint dispatch 33.21-000005 --unit "DPU Demak" >/dev/null
D complaint follow-up 33.21-000005 --text "Saluran dibersihkan" >/dev/null

echo "== Demak forwards the road complaint to Tegal (bukan wewenang Demak)"
D complaint verify 33.21-000001 >/dev/null
# Demak knows Tegal only from the hub's signed directory, which its loop
# fetches every round: the forward is refused until Tegal is in it.
wait_for "the hub's directory names Tegal" D complaint forward 33.21-000001 \
    --to 33.28 --reason "jalan kabupaten Tegal"
wait_for "relayed by the hub and pulled by Tegal" \
    G complaint show 33.21-000001

echo "== Tegal accepts, follows up and resolves it"
G complaint accept 33.21-000001
G complaint dispatch 33.21-000001 --unit "Dinas PUPR Tegal"
G complaint follow-up 33.21-000001 --text "Penambalan dijadwalkan Senin"
G complaint resolve 33.21-000001
wait_for "back at Demak through the hub" \
    status_is D 33.21-000001 resolved
wait_for "the hub holds both streams" status_is H 33.21-000001 resolved

echo "== Demak sees Tegal's work on its citizen's complaint"
D complaint show 33.21-000001
echo
D complaint list

echo "== the hub: its channels, and every regency's complaints (no identity)"
H status
H complaint list

echo "== an auditor checks the three archives with only the CA"
D archive --out "$demo/archive/demak"
G archive --out "$demo/archive/tegal"
H archive --out "$demo/archive/hub"
"$simpul" audit --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" \
    "$demo/archive"

# Figures are signed for a period that is over: the demo's period is the
# last three days (WIB), signed as if it were already tomorrow.
today=$(date -u -d '+7 hours' +%F)
period=$(date -u -d "$today - 2 day" +%F)..$today
tomorrow=$(date -u -d "$today + 1 day" +%F)T00:30:00+07:00
national() { H metrics --national --period "$period" "$@"; }
echo "== Demak and Tegal sign their figures for $period; the hub recomputes"
SIMPUL_NOW=$tomorrow D metrics --period "$period" --sign >/dev/null
SIMPUL_NOW=$tomorrow G metrics --period "$period" --sign >/dev/null
wait_for "both figure sets checked by the hub" sh -c "$(cat <<EOC
"$simpul" --db "$demo/hub.db" metrics --national --period "$period" \
    --format csv >"$demo/national.csv" &&
grep -q '^33.21,1,ok,' "$demo/national.csv" &&
grep -q '^33.28,1,ok,' "$demo/national.csv"
EOC
)"
national | sed '/^figure (signed/q'
national | grep -E '^clocks\.first_24h\.(met|met_late) '

echo "== someone edits Demak's database: complaint 33.21-000005 followed up"
echo "   4 hours after filing; Demak signs its figures again"
sqlite3 -cmd ".timeout 5000" "$demo/demak.db" "UPDATE event SET at = \
    (SELECT f.at + 14400 FROM event f WHERE f.complaint = event.complaint \
    AND f.kind = 'filed') WHERE complaint = '33.21-000005' AND \
    kind = 'followed_up'"
SIMPUL_NOW=$tomorrow D metrics --period "$period" --sign >/dev/null
wait_for "the hub's check of set 2" sh -c "\"$simpul\" --db \
    \"$demo/hub.db\" metrics --national --period $period --format csv |
    grep -q '^33.21,2,differs,'"
national | sed -n '/^node /,/^$/p'
national | grep -E 'first_24h.*signed [0-9]+, recomputed [0-9]+$'
echo "== the auditor, from Demak's archive alone, flags set 2 too"
mkdir -p "$demo/archive2"
D archive --out "$demo/archive2/demak" >/dev/null
if "$simpul" audit --ca "$demo/pki/ca.pem" --crl "$demo/pki/crl.pem" \
    "$demo/archive2" >"$demo/audit2.out"; then
	echo "demo: the auditor missed the altered figures" >&2
	exit 1
fi
grep ': figures: .*first_24h' "$demo/audit2.out" | sed 's/^[^ ]* batch //'

cat <<EOT

The federation runs: Demak's complaint 33.21-000001 crossed to Tegal and
back through the hub, and the nodes and the auditor agree on its signed
history; the hub recomputed both regencies' figures from their events and
caught the edited ones, as did the auditor.  The hub, Demak and Tegal keep
running (logs in $demo/*.log).
Look further with:
  $simpul --db $demo/demak.db complaint show 33.21-000001 --format json
  $simpul --db $demo/tegal.db complaint list
  $simpul --db $demo/demak.db status
  $simpul --db $demo/hub.db status
  $simpul --db $demo/demak.db metrics
  $simpul --db $demo/hub.db metrics --national --period $period
  $simpul --help
File a complaint at Demak and forward it to 33.28: it reaches Tegal by
itself within seconds.  Stop the nodes with:
  kill \$(cat $demo/*.pid)
EOT
