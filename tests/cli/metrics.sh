#!/bin/sh
# metrics.sh: `simpul metrics` over a scripted March 2026 at Kabupaten
# Demak (SIMPUL_NOW steps through it; the Nyepi and Idul Fitri holidays
# fall in it).  The March figures are compared with golden files in every
# format (table, csv, json, xml); a few are also checked against the
# numbers worked out by hand below, and the usage errors are pinned.
# SIMPUL_GOLDEN_UPDATE=1 rewrites the golden files.
. "$(dirname "$0")/../lib.sh"

DB=$T/demak.db
GOLDEN=$top_srcdir/tests/data/metrics

pki 33.21
"$SIMPUL" --db "$DB" init --node 33.21 --name "Kabupaten Demak" \
    --cert "$T/pki/33.21.pem" --key "$T/pki/33.21.key" \
    --ca "$T/pki/ca.pem" >/dev/null || exit 1
"$SIMPUL" --db "$T/bare.db" init --node 33.21 --name Demak \
    --cert "$T/pki/33.21.pem" --key "$T/pki/33.21.key" \
    --ca "$T/pki/ca.pem" >/dev/null || exit 1

at() { SIMPUL_NOW=$1; export SIMPUL_NOW; }
sim() { "$SIMPUL" --db "$DB" "$@" >/dev/null || echo "# failed: $*"; }

at 2026-03-01T20:00:00+07:00
sim calendar load "$top_srcdir/data/holidays-2026.txt"
sim category load "$top_srcdir/data/topics.tsv"
sim config set target.hours 24
sim peer add 33.28 https://simpul.tegalkab.go.id

# 000001 (web): verified, followed up in 7 h, replied, resolved, rated, closed.
at 2026-03-02T08:00:00+07:00
sim complaint file --channel web --category INF.JLN --title "Jalan" --body "Lubang"
at 2026-03-02T09:00:00+07:00
sim complaint verify 33.21-000001
at 2026-03-02T15:00:00+07:00
sim complaint follow-up 33.21-000001 --text "Ditambal besok"
# 000002 (sms1708): followed up 25 h after filing: the 24 h is met late.
at 2026-03-02T10:00:00+07:00
sim complaint file --channel sms1708 --category ADM.KTP --title "KTP" --body "Belum jadi"
at 2026-03-03T09:00:00+07:00
sim complaint verify 33.21-000002
at 2026-03-03T11:00:00+07:00
sim complaint follow-up 33.21-000002 --text "KTP dicetak"
# 000003 (whatsapp): verified and forwarded to Tegal.
at 2026-03-04T09:00:00+07:00
sim complaint file --channel whatsapp --category INF.AIR --title "Banjir" --body "Saluran"
at 2026-03-04T10:00:00+07:00
sim complaint reply 33.21-000001 --text "Terima kasih"
sim complaint verify 33.21-000003
at 2026-03-04T11:00:00+07:00
sim complaint forward 33.21-000003 --to 33.28 --reason "wilayah Tegal"
at 2026-03-05T09:00:00+07:00
sim complaint resolve 33.21-000001
sim complaint rate 33.21-000001 --stars 5
sim complaint close 33.21-000001
# 000004 (social, anonymous): archived as a duplicate, reopened, followed up.
at 2026-03-05T14:00:00+07:00
sim complaint file --channel social --category SOS.BANSOS --anonymous --title "BLT" --body "Belum cair"
at 2026-03-05T15:00:00+07:00
sim complaint archive 33.21-000004 --reason duplicate
at 2026-03-09T08:00:00+07:00
sim complaint reopen 33.21-000004 --reason "bukan duplikat"
# 000005 (walk_in): an information request, extended, answered in April.
at 2026-03-09T09:00:00+07:00
sim complaint file --channel walk_in --type information_request --category KOM --title "APBDes" --body "Salinan"
at 2026-03-09T10:00:00+07:00
sim complaint verify 33.21-000005
at 2026-03-10T10:00:00+07:00
sim complaint follow-up 33.21-000004 --text "BLT cair"
# 000006 (village_visit): filed before the holidays, verified after them.
at 2026-03-17T10:00:00+07:00
sim complaint file --channel village_visit --category INF.PJU --title "PJU" --body "Mati"
at 2026-03-25T08:00:00+07:00
sim complaint verify 33.21-000006
at 2026-03-26T09:00:00+07:00
sim complaint file --channel sms1708 --category LAIN --title "Promo" --body "Pulsa"
sim complaint archive 33.21-000007 --reason spam
at 2026-03-26T10:00:00+07:00
sim complaint follow-up 33.21-000006 --text "Lampu diganti"
at 2026-03-27T09:00:00+07:00
sim complaint extend 33.21-000005 --reason "data di desa"
# 000008 at 23:30 on the last day counts in March; 000009 does not.
at 2026-03-31T23:30:00+07:00
sim complaint file --channel app --title "Antrian" --body "Panjang"
at 2026-04-01T00:30:00+07:00
sim complaint file --channel app --title "Antrian" --body "Lagi"
at 2026-04-07T10:00:00+07:00
sim complaint follow-up 33.21-000005 --text "Dikirim lewat surel"

at 2026-04-10T12:00:00+07:00
for f in table csv json xml; do
	run --db "$DB" metrics --period 2026-03 --format $f
	if [ "${SIMPUL_GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$T/out" "$GOLDEN/march.$f"
	fi
	golden "March figures as $f" "$GOLDEN/march.$f"
done

# Worked out by hand.  Cohort: 000001-000008 (000009 is April's).  At the
# cutoff (1 Apr 00:00 WIB): 000001 closed by the desk; 000002 closed by
# its reply window on 17 Mar 11:00 (10 wd after its follow-up on 3 Mar
# 11:00); 000004 by its window on 31 Mar 10:00 (10 wd after 10 Mar 10:00,
# 18-24 Mar off); 000003 (owned by Tegal), 000005 (extended) and 000006
# (its window ends 10 Apr 10:00, after the cutoff) in progress; 000007
# archived as spam; 000008 new.  The information request's clock runs
# 17 wd from 9 Mar 10:00 to 9 Apr 10:00: running at the cutoff.  000006's
# verification (filed 17 Mar 10:00, verified 25 Mar 08:00) is due 27 Mar
# 10:00 with the holidays: met, so no verification is met late.
run --db "$DB" metrics --period 2026-03 --format csv
want="received.total,8
received.anonymous,1
received.reopened,1
received.owned_elsewhere,1
received.status.new,1
received.status.in_progress,3
received.status.closed,3
received.status.archived,1
received.archived_reason.spam,1
clocks.verification.met_late,0
clocks.information_request.running,1
exchange.forwarded_out,1
reporter.replies,1
reporter.ratings,1
reporter.rating_mean_c,500"
for line in $want; do
	tap_n=$((tap_n + 1))
	if grep -qx "$line" "$T/out"; then
		echo "ok $tap_n - $line"
	else
		echo "not ok $tap_n - $line"
		grep "^${line%,*}," "$T/out" | sed 's/^/#   got: /'
		tap_failed=1
	fi
done

# The default period is the current month in the node's zone: 31 Mar
# 23:30 WIB is still March.
at 2026-03-31T23:30:00+07:00
run --db "$DB" metrics --format csv
tap_n=$((tap_n + 1))
if grep -qx "from,2026-03-01T00:00:00+07:00" "$T/out"; then
	echo "ok $tap_n - default period is this month"
else
	echo "not ok $tap_n - default period is this month"
	tap_failed=1
fi

expect "--national is the hub's" 2 \
    "simpul: metrics: --national is the hub's table; this node is 33.21 (see: simpul help metrics)" \
    --db "$DB" metrics --national
expect "--national and --sign" 2 \
    "simpul: metrics: --national and --sign do not go together (see: simpul help metrics)" \
    --db "$DB" metrics --national --sign
expect "a bad period" 2 \
    "simpul: metrics: period 'March' is not YYYY, YYYY-MM, YYYY-MM-DD or FROM..TO (see: simpul help metrics)" \
    --db "$DB" metrics --period March
expect "a month that does not exist" 2 \
    "simpul: metrics: month: 13 is out of range 1..12 (see: simpul help metrics)" \
    --db "$DB" metrics --period 2026-13

# A node with no topics loaded still has figures (no tier table).
ok "figures without topics" "$SIMPUL" --db "$T/bare.db" metrics --period 2026
expect "a bad format" 2 \
    "simpul: metrics: --format must be table, xml, json or csv (see: simpul help metrics)" \
    --db "$DB" metrics --format yaml
done_testing
