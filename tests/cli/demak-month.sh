#!/bin/sh
# demak-month.sh: a month of work at Kabupaten Demak (March 2026, with the
# Nyepi and Idul Fitri holidays and cuti bersama) stepping SIMPUL_NOW:
# complaints from every intake channel through verify, dispatch, follow-up,
# reply or auto-close, a forward to a peer, archive and reopen.  The whole
# transcript is compared with tests/data/demak-month.out, and on five days
# `complaint list --overdue` must name exactly the complaints and clocks
# worked out by hand below.  SIMPUL_GOLDEN_UPDATE=1 rewrites the golden file.
. "$(dirname "$0")/../lib.sh"


DB=$T/demak.db
OUT=$T/transcript
GOLDEN=$top_srcdir/tests/data/demak-month.out
: >"$OUT"

pki 33.21
"$SIMPUL" --db "$DB" init --node 33.21 --name "Kabupaten Demak" \
    --cert "$T/pki/33.21.pem" --key "$T/pki/33.21.key" \
    --ca "$T/pki/ca.pem" >/dev/null || exit 1

at() { SIMPUL_NOW=$1; export SIMPUL_NOW; echo "## $1" >>"$OUT"; }

# sim ARGS...: run simpul, keep the command and what it printed.
sim() {
	echo "\$ simpul $*" >>"$OUT"
	"$SIMPUL" --db "$DB" "$@" >>"$OUT" 2>&1
	rc=$?
	[ $rc -eq 0 ] || echo "[exit $rc]" >>"$OUT"
}

# overdue WANT: `list --overdue` now names exactly these "id:clocks".
overdue() {
	sim complaint list --overdue
	got=$("$SIMPUL" --db "$DB" complaint list --overdue |
	    awk 'NR > 1 { printf "%s%s:%s", sep, $1, $7; sep = " " }')
	tap_n=$((tap_n + 1))
	if [ "$got" = "$1" ]; then
		echo "ok $tap_n - overdue at $SIMPUL_NOW"
	else
		echo "not ok $tap_n - overdue at $SIMPUL_NOW"
		echo "#   want: $1"
		echo "#   got:  $got"
		tap_failed=1
	fi
}

at 2026-03-01T20:00:00+07:00
sim calendar load "$top_srcdir/data/holidays-2026.txt"
sim category load "$top_srcdir/data/topics.tsv"
sim config set target.hours 24
sim peer add 33.28 https://simpul.tegalkab.go.id

# C1 (web): the happy path, closed by the desk after the reporter's reply.
at 2026-03-02T08:00:00+07:00
sim --actor agus complaint file --channel web --category INF.JLN \
    --title "Jalan Sidomulyo berlubang" --body "Lubang besar di depan SD" \
    --location "Desa Sidomulyo, Kec. Dempet" --reporter-name "Siti Aminah" \
    --reporter-contact 081234567890
at 2026-03-02T09:00:00+07:00
sim --actor agus complaint verify 33.21-000001
at 2026-03-02T09:30:00+07:00
sim --actor agus complaint dispatch 33.21-000001 --unit DPUPR \
    --officer "Bambang (penghubung)"
# C2 (SMS 1708): e-KTP; followed up late, then the reply window ends.
at 2026-03-02T10:00:00+07:00
sim --actor agus complaint file --channel sms1708 --category ADM.KTP \
    --title "KTP belum jadi" --body "Sudah 3 bulan KTP elektronik belum jadi"
at 2026-03-02T15:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000001 \
    --text "Lubang ditambal besok pagi oleh UPT Jalan"
# C3 (app): a health centre; verified late, followed up late, reopened.
at 2026-03-03T07:30:00+07:00
sim --actor agus complaint file --channel app --category KES.PUSK \
    --title "Antrian puskesmas" --body "Antrian Puskesmas Dempet sampai siang"
at 2026-03-03T09:00:00+07:00
sim --actor agus complaint verify 33.21-000002
sim --actor agus complaint dispatch 33.21-000002 --unit Disdukcapil
at 2026-03-04T09:00:00+07:00
# C4 (WhatsApp): a flood in Tegal's territory, forwarded there.
sim --actor rina complaint file --channel whatsapp --category INF.AIR \
    --title "Banjir di perbatasan" --body "Saluran tersumbat di Desa Kedungwungu"
at 2026-03-04T10:00:00+07:00
sim --actor rina complaint reply 33.21-000001 --text "Terima kasih, sudah ditambal"
sim --actor rina complaint verify 33.21-000004
at 2026-03-04T11:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000002 \
    --text "KTP dicetak, dapat diambil di kecamatan"
sim --actor rina complaint forward 33.21-000004 --to 33.28 \
    --reason "lokasi di wilayah Kabupaten Tegal"
sim --actor rina complaint verify 33.21-000004
at 2026-03-05T09:00:00+07:00
sim --actor agus complaint resolve 33.21-000001
sim --actor agus complaint rate 33.21-000001 --stars 5
sim --actor agus complaint close 33.21-000001
# C5 (social media): archived as a duplicate, reopened on Monday.
at 2026-03-05T14:00:00+07:00
sim --actor rina complaint file --channel social --category SOS.BANSOS \
    --title "BLT tidak diterima" --body "Nama terdaftar tetapi BLT belum cair"
at 2026-03-05T15:00:00+07:00
sim --actor rina complaint archive 33.21-000005 --reason duplicate
# C6 (agent): village funds; postponed for detail, then verified.
at 2026-03-06T16:00:00+07:00
sim --actor "agen.wonosalam" complaint file --channel agent --category DD.PENGG \
    --title "Dana desa untuk pagar kantor" --body "Laporan agen SP4N-LAPOR"
at 2026-03-06T17:00:00+07:00
# C2 was followed up late but is not overdue; C3 waits for verification
# (due 6 March 07:30); C4's 24 h passed; C6 was filed an hour ago.
overdue "33.21-000003:verification,24h,target 33.21-000004:24h,target"

at 2026-03-09T08:00:00+07:00
sim --actor agus complaint verify 33.21-000003
sim --actor agus complaint postpone 33.21-000006 --reason "menunggu nama desa"
sim --actor agus complaint reopen 33.21-000005 --reason "bukan duplikat"
sim --actor agus complaint dispatch 33.21-000005 --unit Dinsos
sim --actor agus complaint dispatch 33.21-000003 --unit Dinkes
# C8 (walk-in): an information request, extended once.
at 2026-03-09T09:00:00+07:00
sim --actor agus complaint file --channel walk_in --type information_request \
    --category KOM --title "Data APBDes" --body "Minta salinan APBDes 2026"
at 2026-03-09T10:00:00+07:00
sim --actor agus complaint verify 33.21-000007
# C9 (web): anonymous and confidential from the start.
at 2026-03-10T08:00:00+07:00
sim --actor rina complaint file --channel web --category DD.PENGG --anonymous \
    --confidential --title "Pungutan liar" --body "Pungli di kantor desa" \
    --reporter-name "Warga X" --reporter-contact 085700000000
sim --actor rina complaint verify 33.21-000008
sim --actor rina complaint dispatch 33.21-000008 --unit Inspektorat
at 2026-03-10T10:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000005 --text "BLT cair minggu ini"
at 2026-03-11T09:00:00+07:00
sim --actor agus complaint verify 33.21-000006
sim --actor agus complaint dispatch 33.21-000006 --unit Inspektorat
sim --actor rina complaint reply 33.21-000005 --text "Sudah cair, terima kasih"
sim --actor rina complaint recall 33.21-000004 --reason "Tegal belum menjawab"
at 2026-03-11T12:00:00+07:00
# C3 waits for a follow-up (tier 5, due 16 March); Tegal's verification of C4
# was due 9 March 11:00; C5 was reopened and met its clocks late; C6 was
# verified in time; the information request (000007) is still running.
overdue "33.21-000003:24h,target 33.21-000004:verification,24h,target 33.21-000006:24h,target 33.21-000007:24h,target 33.21-000008:24h,target"

at 2026-03-12T09:00:00+07:00
sim --actor agus complaint close 33.21-000005
at 2026-03-12T10:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000003 \
    --text "Loket tambahan dibuka mulai pekan depan"
at 2026-03-13T09:00:00+07:00
sim --actor agus complaint resolve 33.21-000003
at 2026-03-16T08:00:00+07:00
sim --actor agus complaint reply 33.21-000003 --text "Antrian masih panjang"
sim --actor agus complaint reopen 33.21-000003 --reason "pelapor belum puas"
# C7 (village visit, jemput bola): filed just before the long holidays.
at 2026-03-17T10:00:00+07:00
sim --actor "tim.jemput.bola" complaint file --channel village_visit \
    --category INF.PJU --title "Lampu jalan mati" \
    --body "PJU di Desa Bonang mati sejak sebulan" \
    --location "Desa Bonang, Kec. Bonang"
sim --actor bambang complaint follow-up 33.21-000003 \
    --text "Dua loket tambahan sudah dibuka"
# After the holidays: C2's reply window ended on 25 March 11:00.
at 2026-03-25T08:00:00+07:00
sim --actor agus complaint verify 33.21-000009
sim --actor agus complaint dispatch 33.21-000009 --unit DPUPR
at 2026-03-25T12:00:00+07:00
# C2 closed itself at 11:00; C9 (000009) was verified in time after the
# holidays but its 24 h passed on 18 March, a holiday.
overdue "33.21-000004:verification,24h,target 33.21-000006:24h,target 33.21-000007:24h,target 33.21-000008:24h,target 33.21-000009:24h,target"
sim complaint show 33.21-000002

# C10 (SMS 1708): spam, archived the same day.
at 2026-03-26T09:00:00+07:00
sim --actor rina complaint file --channel sms1708 --category LAIN \
    --title "Promo pulsa" --body "Dapatkan pulsa gratis"
sim --actor rina complaint archive 33.21-000010 --reason spam
# A reply after the auto-close is recorded; C2 stays closed.
sim --actor rina complaint reply 33.21-000002 --text "KTP sudah saya ambil"
at 2026-03-26T10:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000009 --text "Lampu diganti"
at 2026-03-27T09:00:00+07:00
sim --actor agus complaint extend 33.21-000007 --reason "data di desa"
sim --actor agus complaint reply 33.21-000009 --text "Sudah menyala"
at 2026-03-30T09:00:00+07:00
sim --actor agus complaint resolve 33.21-000009
at 2026-03-31T09:00:00+07:00
sim --actor agus complaint close 33.21-000009
at 2026-03-31T17:00:00+07:00
# C4's tier-14 follow-up was due 31 March 10:00; 000007 was extended to
# 9 April; 000009 is closed.
overdue "33.21-000004:verification,follow_up,24h,target 33.21-000006:24h,target 33.21-000007:24h,target 33.21-000008:24h,target"

# C3's second reply window ends on 8 April 10:00 (Good Friday is off).
at 2026-04-07T10:00:00+07:00
sim --actor bambang complaint follow-up 33.21-000007 \
    --text "Salinan APBDes dikirim lewat surel"
at 2026-04-09T12:00:00+07:00
# C3 closed itself on 8 April 10:00; 000007 was answered in time.
overdue "33.21-000004:verification,follow_up,24h,target 33.21-000006:24h,target 33.21-000008:24h,target"
sim complaint show 33.21-000002
sim complaint show 33.21-000003
sim complaint show 33.21-000004
sim complaint show 33.21-000008 --reveal
sim complaint list
sim complaint list --status closed --format json
sim complaint list --channel village_visit --format xml
sim complaint list --category DD --owner 33.21
sim complaint show 33.21-000007 --format json

# The source tree's place differs between checkouts: name it.
sed "s|$top_srcdir|\$top_srcdir|g" "$OUT" >"$T/out"
if [ "${SIMPUL_GOLDEN_UPDATE:-}" = 1 ]; then
	cp "$T/out" "$GOLDEN"
fi
golden "the month's transcript" "$GOLDEN"
tap_n=$((tap_n + 1))
if grep -v "^\$ simpul" "$OUT" | grep -q "Siti Aminah"; then
	echo "not ok $tap_n - identity never shown without --reveal"
	tap_failed=1
else
	echo "ok $tap_n - identity never shown without --reveal"
fi
done_testing
