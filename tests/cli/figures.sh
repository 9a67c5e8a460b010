#!/bin/sh
# figures.sh: figures that can be trusted (issue 9) on small datasets
# worked out by hand.  Demak (33.21) and Tegal (33.28) work through March
# 2026 (SIMPUL_NOW steps through it; certificates are backdated so that
# batches are judged at those times), exchange their batches as files with
# each other and with the hub, and the hub recomputes what they sign.
. "$(dirname "$0")/../lib.sh"

pki --since 20260101000000Z 33.21 33.28 hub
P=$T/pki
D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
at() { SIMPUL_NOW=$1; export SIMPUL_NOW; }
sim() { "$@" >/dev/null 2>"$T/simerr" || { echo "# failed: $*"; sed 's/^/# /' "$T/simerr"; }; }
# has DESC FILE LINE: FILE holds exactly the line LINE.
has() {
	tap_n=$((tap_n + 1))
	if grep -qxF -- "$3" "$2"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   no line: $3"
		grep -F -- "${3%[ ,]*}" "$2" | sed 's/^/#   got: /'
		tap_failed=1
	fi
}
mk() {		# mk DB CODE NAME [ROLE]
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --role "${4:-regency}" \
	    --cert "$P/$2.pem" --key "$P/$2.key" --ca "$P/ca.pem" \
	    --hub https://hub.example >/dev/null || exit 1
}
at 2026-03-01T08:00:00+07:00
mk "$T/demak.db" 33.21 Demak
mk "$T/tegal.db" 33.28 Tegal
mk "$T/hub.db" hub Hub hub
for n in D G; do
	sim $n calendar load "$top_srcdir/data/holidays-2026.txt"
	sim $n category load "$top_srcdir/data/topics.tsv"
done
sim D peer add 33.28
sim G peer add 33.21

# ---- 1. policy history: the target in force when a clock starts ------
# Demak's target is 24 h until 16 March 09:00, then 4 h.  000001 (filed
# 10 Mar 08:00, followed up 14:00: 6 h) meets the 24 h target; 000002
# (filed 17 Mar 08:00, followed up 14:00: 6 h) misses the 4 h one.
at 2026-03-10T08:00:00+07:00
sim D complaint file --channel web --category INF.JLN --title Jalan --body Lubang
sim D complaint verify 33.21-000001
at 2026-03-10T14:00:00+07:00
sim D complaint follow-up 33.21-000001 --text Ditambal
at 2026-03-16T09:00:00+07:00
sim D config set target.hours 4
at 2026-03-17T08:00:00+07:00
sim D complaint file --channel web --category INF.JLN --title Jalan --body Retak
sim D complaint verify 33.21-000002
at 2026-03-17T14:00:00+07:00
sim D complaint follow-up 33.21-000002 --text Ditambal
at 2026-03-18T08:00:00+07:00
run --db "$T/demak.db" metrics --period 2026-03 --format csv
has "24 h target before 16 March: met" "$T/out" "clocks.target.met,1"
has "4 h target from 16 March: met late" "$T/out" "clocks.target.met_late,1"
sqlite3 "$T/demak.db" "SELECT version, datetime(effective, 'unixepoch', '+7 hours') FROM policy WHERE node = '33.21' ORDER BY version" >"$T/out"
has "the target's version took effect when it was set" "$T/out" \
    "4|2026-03-16 09:00:00"


# ---- 2. policy and figures on the wire, to the hub -------------------
# xfer SRC CODE DST: SRC exports its batches for CODE, DST imports them
# (--receipts: the standalone receipts go back to SRC).
n=0
xfer() {
	n=$((n + 1))
	mkdir -p "$T/x$n" "$T/r$n"
	$1 export --to "$2" --out "$T/x$n" >/dev/null || return 1
	set -- "$3" "$T/x$n"/batch-*.xml
	[ -e "$2" ] || return 0
	d=$1
	shift
	$d import --receipts "$T/r$n" "$@" >"$T/xfer" 2>&1
}
at 2026-04-01T08:00:00+07:00
expect "an open period is not signed" 2 \
    "simpul: metrics: the period is not over: only a closed period's figures are signed (see: simpul help metrics)" \
    --db "$T/demak.db" metrics --period 2026-04 --sign
ok "Demak signs March" D metrics --period 2026-03 --sign
ok "Demak -> hub" xfer D hub H
H metrics --national --period 2026-03 | sed 's/^/# /'

done_testing
