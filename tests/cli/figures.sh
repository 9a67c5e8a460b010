#!/bin/sh
# figures.sh: figures that can be trusted (issue 9) on a small March 2026
# worked out by hand.  Demak (33.21) and Tegal (33.28) work through the
# month (SIMPUL_NOW steps through it; certificates are backdated so that
# batches are judged at those times) and exchange their batches as files
# with each other and with the hub.  Each signs its March figures; the hub
# recomputes them from the same inputs and ranks; a Demak database altered
# to claim more follow-ups within 24 h is caught by the hub and by the
# auditor.
. "$(dirname "$0")/../lib.sh"

pki --since 20260101000000Z 33.21 33.28 hub
P=$T/pki
D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
at() { SIMPUL_NOW=$1; export SIMPUL_NOW; }
sim() {
	"$@" >/dev/null 2>"$T/simerr" ||
	    { echo "# failed: $*"; sed 's/^/# /' "$T/simerr"; }
}
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
# csv DESC FILE LINE...: FILE holds every line.
csv() {
	c_desc=$1 c_file=$2
	shift 2
	for c_line in "$@"; do
		has "$c_desc: $c_line" "$c_file" "$c_line"
	done
}
mk() {		# mk DB CODE NAME [ROLE]
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --role "${4:-regency}" \
	    --cert "$P/$2.pem" --key "$P/$2.key" --ca "$P/ca.pem" \
	    --hub https://hub.example >/dev/null || exit 1
}
# xfer SRC DST-CODE DST: SRC exports its batches for DST-CODE, DST imports
# them and writes standalone receipts, which SRC imports.
n=0
xfer() {
	n=$((n + 1))
	mkdir -p "$T/x$n" "$T/r$n"
	$1 export --to "$2" --out "$T/x$n" >/dev/null || return 1
	set -- "$1" "$3" "$T/x$n"/batch-*.xml
	[ -e "$3" ] || return 0
	x_src=$1 x_dst=$2
	shift 2
	$x_dst import --receipts "$T/r$n" "$@" >"$T/xfer" 2>&1 || return 1
	grep 'accepted batch' "$T/xfer" | grep -v ' 0 held, 0 refused' |
	    sed 's/^/# /'
	set -- "$T/r$n"/receipt-*.xml
	[ -e "$1" ] || return 0
	$x_src import "$@" >/dev/null
}
# sync [hub]: Demak and Tegal exchange and Tegal sends to the hub; with
# hub, Demak sends to the hub too.
sync() {
	xfer D 33.28 G || echo "# D -> G failed"
	xfer G 33.21 D || echo "# G -> D failed"
	if [ "${1:-}" = hub ]; then
		xfer D hub H || echo "# D -> hub failed"
	fi
	xfer G hub H || echo "# G -> hub failed"
}

at 2026-03-01T08:00:00+07:00
mk "$T/demak.db" 33.21 Demak
mk "$T/tegal.db" 33.28 Tegal
mk "$T/hub.db" hub Hub hub
for x in D G; do
	sim $x calendar load "$top_srcdir/data/holidays-2026.txt"
	sim $x category load "$top_srcdir/data/topics.tsv"
done
sim D peer add 33.28
sim G peer add 33.21
sync hub

# ---- the month ---------------------------------------------------------
# 000001 (Mon 2 Mar): filed 09:00, verified 10:00, followed up 11:00,
# resolved Tue 09:00, replied and rated 4 stars, reopened Wed 09:00,
# followed up Thu 10:00, resolved again 12:00; a reopened complaint keeps
# its first times.  Its reply window closes it Thu 26 Mar 10:00.
# 000002 (Mon 2 Mar): an information request, walk-in: filed 13:00,
# verified 14:00, extended Mon 9 Mar, answered Wed 25 Mar 10:00.  10
# working days end Mon 16 Mar 14:00; 17 (extended) end Wed 1 Apr 14:00
# with Nyepi and Idul Fitri (18-24 Mar) off: met.
at 2026-03-02T09:00:00+07:00
sim D complaint file --channel web --category ADM.KTP --title KTP --body Rusak
at 2026-03-02T10:00:00+07:00
sim D complaint verify 33.21-000001
at 2026-03-02T11:00:00+07:00
sim D complaint follow-up 33.21-000001 --text Dicetak
at 2026-03-02T13:00:00+07:00
sim D complaint file --channel walk_in --type information_request \
    --category KOM --title APBDes --body Salinan
at 2026-03-02T14:00:00+07:00
sim D complaint verify 33.21-000002
sync hub
at 2026-03-03T09:00:00+07:00
sim D complaint resolve 33.21-000001
at 2026-03-03T10:00:00+07:00
sim D complaint reply 33.21-000001 --text "Belum sesuai"
sim D complaint rate 33.21-000001 --stars 4
sync hub
# 000003 (Wed 4 Mar 09:00): anonymous, social media, archived as spam.
at 2026-03-04T09:00:00+07:00
sim D complaint reopen 33.21-000001 --reason "nama salah"
sim D complaint file --channel social --anonymous --title Promo --body Pulsa
at 2026-03-04T10:00:00+07:00
sim D complaint archive 33.21-000003 --reason spam
sync hub
at 2026-03-05T10:00:00+07:00
sim D complaint follow-up 33.21-000001 --text "Dicetak ulang"
at 2026-03-05T12:00:00+07:00
sim D complaint resolve 33.21-000001
sync hub
# 000004 (Fri 6 Mar 16:00): over the weekend: verified Mon 9 Mar 09:00
# (3 working days end Wed 11 Mar 16:00), followed up Fri 13 Mar 10:00:
# the 5 working days end Mon 16 Mar 09:00 (met); the 24 h met late.
# Demak sends that follow-up to the hub only on Mon 16 Mar 12:00, 74 h
# after its time: for the ranking it counts then, 3 h late.
at 2026-03-06T16:00:00+07:00
sim D complaint file --channel sms1708 --category INF.JLN --title Jalan \
    --body Longsor
sync hub
# Tegal: 33.28-000001 followed up in 23 h, 33.28-000002 in 4 h.
at 2026-03-09T08:00:00+07:00
sim G complaint file --channel web --category INF.AIR --title Air --body Keruh
at 2026-03-09T09:00:00+07:00
sim D complaint verify 33.21-000004
sim G complaint verify 33.28-000001
at 2026-03-09T10:00:00+07:00
sim D complaint extend 33.21-000002 --reason "data di desa"
sync hub
at 2026-03-10T07:00:00+07:00
sim G complaint follow-up 33.28-000001 --text Dikuras
at 2026-03-10T08:00:00+07:00
sim G complaint file --channel app --category INF.AIR --title Air --body Mati
# 000005 (Tue 10 Mar 08:00): followed up in 6 h: meets the 24 h target.
sim D complaint file --channel web --category INF.JLN --title Jalan --body Lubang
sim D complaint verify 33.21-000005
at 2026-03-10T08:30:00+07:00
sim G complaint verify 33.28-000002
at 2026-03-10T12:00:00+07:00
sim G complaint follow-up 33.28-000002 --text Dialirkan
at 2026-03-10T14:00:00+07:00
sim D complaint follow-up 33.21-000005 --text Ditambal
sync hub
# 000006 (Wed 11 Mar): forwarded to Tegal twice: filed 09:00, verified
# 10:00, forwarded 11:00; Tegal returns it Thu 09:00 (bukan wewenang);
# Demak forwards it again 13:00; Tegal accepts Fri 08:00, follows up
# 10:00, resolves it Mon 16 Mar 09:00.  The follow-up and 24 h clocks
# (the 24 h met late) are Tegal's: it owned the complaint when they were
# met.  Tegal's intake: the first forward.
at 2026-03-11T09:00:00+07:00
sim D complaint file --channel web --category INF.AIR --title Sungai \
    --body Tercemar
at 2026-03-11T10:00:00+07:00
sim D complaint verify 33.21-000006
at 2026-03-11T11:00:00+07:00
sim D complaint forward 33.21-000006 --to 33.28 --reason "wilayah Tegal"
sync hub
at 2026-03-12T09:00:00+07:00
sim G complaint return 33.21-000006 --reason "bukan wewenang"
sync hub
at 2026-03-12T13:00:00+07:00
sim D complaint forward 33.21-000006 --to 33.28 --reason "hulu di Tegal"
sync hub
at 2026-03-13T08:00:00+07:00
sim G complaint accept 33.21-000006
at 2026-03-13T10:00:00+07:00
sim G complaint follow-up 33.21-000006 --text Diperiksa
sim D complaint follow-up 33.21-000004 --text Dibersihkan
sync
# Demak lowers its target to 4 h from Mon 16 Mar 09:00.
at 2026-03-16T09:00:00+07:00
sim G complaint resolve 33.21-000006
sim D config set target.hours 4
at 2026-03-16T12:00:00+07:00
sync hub
# 000007 (Tue 17 Mar 08:00): followed up in 6 h: misses the 4 h target.
# 000008 (Tue 17 Mar 10:00): before the holidays, verified Wed 25 Mar
# 09:00: 3 working days end Fri 27 Mar 10:00 with 18-24 Mar off: met.
at 2026-03-17T08:00:00+07:00
sim D complaint file --channel web --category INF.JLN --title Jalan --body Retak
sim D complaint verify 33.21-000007
at 2026-03-17T10:00:00+07:00
sim D complaint file --channel village_visit --category INF.PJU --title PJU \
    --body Mati
at 2026-03-17T14:00:00+07:00
sim D complaint follow-up 33.21-000007 --text Ditambal
sync hub

# ---- 1. policy history: the target in force when a clock starts ------
at 2026-03-18T08:00:00+07:00
run --db "$T/demak.db" metrics --period 2026-03 --format csv
has "24 h target before 16 March: met (000001, 000005)" "$T/out" \
    "clocks.target.met,2"
has "late: 000004 (24 h) and 000007 (4 h from 16 March)" "$T/out" \
    "clocks.target.met_late,2"
sqlite3 "$T/demak.db" "SELECT version, datetime(effective, 'unixepoch', \
    '+7 hours') FROM policy WHERE node = '33.21' ORDER BY version" >"$T/out"
has "the target's version took effect when it was set" "$T/out" \
    "4|2026-03-16 09:00:00"

at 2026-03-25T09:00:00+07:00
sim D complaint verify 33.21-000008
at 2026-03-25T10:00:00+07:00
sim D complaint follow-up 33.21-000002 --text "Dikirim lewat surel"
sync hub
at 2026-03-26T09:00:00+07:00
sim D complaint follow-up 33.21-000008 --text Diganti
sync hub
# Demak's desk notices 000001's reply window closed (26 Mar 10:00).
at 2026-03-27T09:00:00+07:00
sim D complaint list
sync hub

# ---- 2. each signs March; the hub recomputes and ranks ---------------
at 2026-04-01T08:00:00+07:00
expect "an open period is not signed" 2 \
    "simpul: metrics: the period is not over: only a closed period's figures are signed (see: simpul help metrics)" \
    --db "$T/demak.db" metrics --period 2026-04 --sign
ok "Demak signs March" D metrics --period 2026-03 --sign
ok "Tegal signs March" G metrics --period 2026-03 --sign
sync hub

# Demak by hand.  Cohort 000001-000008.  At the cutoff: 000001 closed
# (26 Mar), 000005 closed by its window (31 Mar 14:00), 000003 archived,
# 000006 resolved at Tegal, 000002, 000004, 000007, 000008 in progress.
# Verification: 8 stints, all met (000004 over the weekend, 000008 over
# the holidays).  Follow-up (fixed 5 working days): 000001, 000004,
# 000005, 000007, 000008, all met (000006 is Tegal's).  24 h: met by
# 000001, 000005, 000007; late 000002, 000004, 000008; 000003 stopped.
D metrics --period 2026-03 --format csv >"$T/demak.csv"
csv "Demak" "$T/demak.csv" received.total,8 received.anonymous,1 \
    received.reopened,1 received.owned_elsewhere,1 \
    received.status.closed,2 received.status.archived,1 \
    received.status.resolved,1 received.status.in_progress,4 \
    received.archived_reason.spam,1 clocks.verification.met,8 \
    clocks.verification.met_late,0 clocks.follow_up.started,5 \
    clocks.follow_up.met,5 clocks.information_request.met,1 \
    clocks.information_request.met_late,0 clocks.first_24h.started,7 \
    clocks.first_24h.met,3 clocks.first_24h.met_late,3 \
    clocks.first_24h.stopped,1 clocks.first_24h.met_bp,5000 \
    clocks.resolution.time.median,86400 exchange.forwarded_out,2 \
    exchange.returned_in,1 reporter.replies,1 reporter.ratings,1 \
    reporter.rating_mean_c,400
# Tegal: 33.28-000001, 000002 and the forwarded 33.21-000006; its two
# verification stints of 000006 met by the return and the accept.
G metrics --period 2026-03 --format csv >"$T/tegal.csv"
csv "Tegal" "$T/tegal.csv" received.total,3 exchange.forwarded_in,2 \
    exchange.returned_out,1 clocks.verification.started,4 \
    clocks.verification.met,4 clocks.follow_up.met,3 \
    clocks.first_24h.met,2 clocks.first_24h.met_late,1 \
    clocks.first_24h.met_bp,6667

# The hub: both recomputed equal; ranked on its own events with 000004's
# follow-up at its receipt (met late): Demak 8000, Tegal 10000.
H metrics --national --period 2026-03 --format csv >"$T/national.csv"
csv "national" "$T/national.csv" \
    "33.21,1,ok,ranking.follow_up.met_bp,,8000" \
    "33.21,1,ok,ranking.follow_up.rank,,2" \
    "33.21,1,ok,ranking.first_24h.met_bp,,5000" \
    "33.21,1,ok,ranking.first_24h.rank,,2" \
    "33.21,1,ok,ranking.late,,1" \
    "33.28,1,ok,ranking.follow_up.met_bp,,10000" \
    "33.28,1,ok,ranking.follow_up.rank,,1" \
    "33.28,1,ok,ranking.first_24h.rank,,1" \
    "33.28,1,ok,ranking.late,,0" \
    "33.21,1,ok,clocks.first_24h.met,3,3" \
    "33.28,1,ok,clocks.first_24h.met,2,2"
sqlite3 "$T/hub.db" "SELECT node, n, differences FROM figure_check \
    ORDER BY node, n" >"$T/out"
has "the hub recorded Demak's check" "$T/out" "33.21|1|0"
has "the hub recorded Tegal's check" "$T/out" "33.28|1|0"

# ---- 3. a Demak database altered to claim one more 24 h follow-up ------
# 000008's follow-up (26 Mar 09:00) is moved in Demak's database to
# 17 Mar 14:00, 4 h after filing, and Demak signs March again (set 2).
sqlite3 "$T/demak.db" "UPDATE event SET at = \
    CAST(strftime('%s', '2026-03-17 07:00:00') AS INTEGER) \
    WHERE author = '33.21' AND complaint = '33.21-000008' \
    AND kind = 'followed_up'"
at 2026-04-02T08:00:00+07:00
ok "Demak signs the altered March" D metrics --period 2026-03 --sign
D metrics --period 2026-03 --format csv >"$T/out"
has "Demak now claims four 24 h follow-ups" "$T/out" "clocks.first_24h.met,4"
sync hub
H metrics --national --period 2026-03 --format csv >"$T/national.csv"
csv "the hub flags set 2" "$T/national.csv" \
    "33.21,2,differs,clocks.first_24h.met,4,3" \
    "33.21,2,differs,clocks.first_24h.met_late,2,3" \
    "33.21,2,differs,ranking.first_24h.met_bp,,5000" \
    "33.28,1,ok,clocks.first_24h.met,2,2"
sqlite3 "$T/hub.db" "SELECT node, n, path, signed, recomputed FROM \
    figure_diff WHERE path LIKE 'clocks.first_24h.%' ORDER BY path" >"$T/out"
has "the hub recorded the difference" "$T/out" \
    "33.21|2|clocks.first_24h.met|4|3"
H metrics --national --period 2026-03 >"$T/out"
tap_n=$((tap_n + 1))
if grep -Eq '^33\.21 +2  DIFFERS \([0-9]+\)' "$T/out" &&
    grep -q 'clocks.first_24h.met  *signed 4, recomputed 3$' "$T/out"; then
	echo "ok $tap_n - the table shows the flag and the difference"
else
	echo "not ok $tap_n - the table shows the flag and the difference"
	sed 's/^/# /' "$T/out" | head -20
	tap_failed=1
fi
for f in json xml; do
	ok "the national table as $f" H metrics --national --period 2026-03 \
	    --format $f
done
H metrics --national --period 2026-03 --format json >"$T/out"
tap_n=$((tap_n + 1))
if grep -q '{"figure":"clocks.first_24h.met","signed":4,"recomputed":3}' \
    "$T/out"; then
	echo "ok $tap_n - JSON lists the difference"
else
	echo "not ok $tap_n - JSON lists the difference"
	tap_failed=1
fi

# The auditor, from Demak's archive alone (its batches hold the events).
ok "Demak's archive" D archive --out "$T/arch"
run audit --ca "$P/ca.pem" "$T/arch"
ok "the audit fails" test "$(cat "$T/rc")" = 1
grep ': figures: ' "$T/out" >"$T/figs"
tap_n=$((tap_n + 1))
if grep -q 'figure set 2 of 33.21: clocks.first_24h.met signed 4, recomputed 3$' \
    "$T/figs" && ! grep -q 'figure set 1 ' "$T/figs"; then
	echo "ok $tap_n - the auditor flags set 2 and only set 2"
else
	echo "not ok $tap_n - the auditor flags set 2 and only set 2"
	sed 's/^/# /' "$T/out" | head -30
	tap_failed=1
fi

# GET /v1/metrics: the same table over mutual TLS, to a node the hub knows.
sim H peer add 33.21
if start_node hub "$T/hub.db"; then
	ok "GET /v1/metrics at the hub" test "$(https 33.21 "$hub_port" \
	    '/v1/metrics?period=2026-03&format=csv')" = 200
	has "the national table over HTTPS" "$T/body" \
	    "33.21,2,differs,clocks.first_24h.met,4,3"
	ok "a bad format is a 400" test "$(https 33.21 "$hub_port" \
	    '/v1/metrics?format=yaml')" = 400
	ok "the hub stops" stop_node hub
else
	ok "the hub starts" false
fi

done_testing
