#!/bin/sh
# complaint.sh: refused complaint commands exit 1 with their exact reason
# and leave the database content unchanged; bad arguments exit 2; reporter
# identity stays hidden unless revealed (and the reveal is logged), and
# erase-reporter removes it for good without touching any event.
. "$(dirname "$0")/../lib.sh"


DB=$T/demak.db
S() { "$SIMPUL" --db "$DB" "$@"; }
E="simpul: complaint:"

pki 33.21
S init --node 33.21 --name Demak --cert "$T/pki/33.21.pem" \
    --key "$T/pki/33.21.key" --ca "$T/pki/ca.pem" >/dev/null || exit 1
HDB=$T/hubbed.db	# the same node, with a hub
"$SIMPUL" --db "$HDB" init --node 33.21 --name Demak \
    --cert "$T/pki/33.21.pem" --key "$T/pki/33.21.key" \
    --ca "$T/pki/ca.pem" --hub https://localhost:9 >/dev/null || exit 1
export SIMPUL_NOW=2026-03-02T08:00:00+07:00
S calendar load "$top_srcdir/data/holidays-2026.txt" >/dev/null
S category load "$top_srcdir/data/topics.tsv" >/dev/null
S peer add 33.28 >/dev/null

# refuse DESC STATUS STDERR ARGS...: as expect, and the dump is unchanged.
refuse() {
	dump "$DB" >"$T/before"
	expect "$@"
	tap_n=$((tap_n + 1))
	dump "$DB" >"$T/after"
	if cmp -s "$T/before" "$T/after"; then
		echo "ok $tap_n - $1: database unchanged"
	else
		echo "not ok $tap_n - $1: database unchanged"
		diff "$T/before" "$T/after" | sed 's/^/# /'
		tap_failed=1
	fi
}

ok "file with identity" S complaint file --title "Jalan rusak" \
    --body "Jalan desa Sidomulyo berlubang" --channel web \
    --category INF.JLN --reporter-name "Siti Aminah" \
    --reporter-contact 081234567890 --reporter-nik 3321014101900001
S complaint file --title "Spam" --body "iklan" --channel sms1708 >/dev/null
S complaint archive 33.21-000002 --reason spam >/dev/null
S complaint file --title "Info anggaran" --body "Berapa anggaran desa?" \
    --type information_request --channel whatsapp >/dev/null

refuse "follow-up on an archived complaint" 1 \
    "$E 33.21-000002 is archived: followed_up is not allowed" \
    --db "$DB" complaint follow-up 33.21-000002 --text "sudah"
refuse "unknown category" 1 \
    "$E unknown category 'XYZ' (see: simpul category list)" \
    --db "$DB" complaint file --title T --body B --category XYZ
big=$(head -c 8193 /dev/zero | tr '\0' x)
refuse "text over 8 KiB" 1 "$E text is 8193 bytes, limit 8192" \
    --db "$DB" complaint note 33.21-000001 --text "$big"
refuse "body over 8 KiB" 1 "$E body is 8193 bytes, limit 8192" \
    --db "$DB" complaint file --title T --body "$big"
long=$(head -c 301 /dev/zero | tr '\0' j)
refuse "title over 300 bytes" 1 "$E title is 301 bytes, limit 300" \
    --db "$DB" complaint file --title "$long" --body B
refuse "forward to the node itself" 1 "$E 33.21 is this node itself" \
    --db "$DB" complaint forward 33.21-000001 --to 33.21
refuse "forward to a non-peer, without a hub" 1 \
    "$E 33.29 is not a peer (add it with simpul peer add)" \
    --db "$DB" complaint forward 33.21-000001 --to 33.29
# With a hub but no directory fetched yet (36-directory.sh: with one).
"$SIMPUL" --db "$HDB" complaint file --title T --body B >/dev/null
expect "forward to a node in no directory yet" 1 \
    "$E 33.29 is not a peer nor in the hub's directory (last refreshed never; simpul sync refreshes it, or add it with simpul peer add)" \
    --db "$HDB" complaint forward 33.21-000001 --to 33.29
refuse "no such complaint" 1 "$E no complaint 33.21-000099" \
    --db "$DB" complaint verify 33.21-000099
S complaint verify 33.21-000001 >/dev/null
refuse "extend a complaint that is no information request" 1 \
    "$E 33.21-000001 is not an information request: only those are extended" \
    --db "$DB" complaint extend 33.21-000001
refuse "rate before any follow-up" 1 \
    "$E 33.21-000001 is verified: rating is not allowed" \
    --db "$DB" complaint rate 33.21-000001 --stars 5
refuse "bad archive reason" 1 \
    "$E archive reason 'rusak' is not misaddressed, too_general, not_public_service, duplicate, spam or other" \
    --db "$DB" complaint archive 33.21-000001 --reason rusak
refuse "bad NIK" 1 "$E NIK must be 16 digits" \
    --db "$DB" complaint file --title T --body B --reporter-nik 123

# Forwarding hands ownership over at once: the forwarder may change no more.
S complaint verify 33.21-000003 >/dev/null
ok "forward to a peer" S complaint forward 33.21-000003 --to 33.28 \
    --reason "urusan kabupaten Tegal"
refuse "a change by a non-owner" 1 \
    "$E 33.21-000003 is owned by 33.28: only the owner may record dispatched" \
    --db "$DB" complaint dispatch 33.21-000003 --unit DPUPR
refuse "accept by the forwarder" 1 \
    "$E 33.21-000003 is owned by 33.28: only the owner may record accepted" \
    --db "$DB" complaint accept 33.21-000003

# Bad arguments: exit 2, nothing written.
H="(see: simpul help complaint)"
refuse "follow-up without --text" 2 "$E follow-up needs --text $H" \
    --db "$DB" complaint follow-up 33.21-000001
refuse "an option the subcommand does not take" 2 \
    "$E verify does not take --text $H" \
    --db "$DB" complaint verify 33.21-000001 --text x
refuse "bad --format" 2 "$E --format must be table, json or xml $H" \
    --db "$DB" complaint list --format csv
refuse "unknown channel" 2 "$E --channel must be web, sms1708, app, whatsapp, social, agent, village_visit, walk_in or hub $H" \
    --db "$DB" complaint file --title T --body B --channel fax
refuse "unknown status" 2 "$E --status must be new, verified, postponed, in_progress, resolved, closed or archived $H" \
    --db "$DB" complaint list --status done
refuse "no ID" 2 "$E verify needs an ID $H" --db "$DB" complaint verify
refuse "unknown subcommand" 2 "$E unknown subcommand 'delete' $H" \
    --db "$DB" complaint delete 33.21-000001
refuse "stars out of range" 2 "$E --stars: 9 is out of range 1..5" \
    --db "$DB" complaint rate 33.21-000001 --stars 9

# Identity: hidden everywhere by default.
for f in table json xml; do
	run --db "$DB" complaint show 33.21-000001 --format $f
	ok "show --format $f hides the identity" \
	    sh -c "! grep -E 'Siti|0812|3321014101900001' '$T/out'"
done
run --db "$DB" complaint list --format json
ok "list hides the identity" sh -c "! grep -q Siti '$T/out'"
run --db "$DB" complaint show 33.21-000001
ok "show says the identity is hidden" \
    grep -q '^reporter  *hidden (show --reveal)$' "$T/out"

run --db "$DB" --actor pak.kepala complaint show 33.21-000001 --reveal
ok "show --reveal shows the identity" grep -q '^reporter_nik  *3321014101900001$' \
    "$T/out"
ok "the reveal is logged with actor and time" test \
    "$(sqlite3 "$DB" "SELECT actor || ' ' || at FROM reveal_log")" = \
    "pak.kepala 1772413200"

ok "mark anonymous" S complaint mark 33.21-000001 --anonymous
refuse "mark anonymous twice" 1 "$E 33.21-000001 is already anonymous" \
    --db "$DB" complaint mark 33.21-000001 --anonymous
ok "mark confidential" S complaint mark 33.21-000001 --confidential
refuse "confidential is never raised twice (nor lowered)" 1 \
    "$E 33.21-000001 is already confidential" \
    --db "$DB" complaint mark 33.21-000001 --confidential
run --db "$DB" complaint show 33.21-000001
ok "an anonymous complaint still hides identity" \
    grep -q '^reporter  *anonymous (hidden; show --reveal at this desk)$' \
    "$T/out"

sqlite3 "$DB" "SELECT * FROM event ORDER BY author, seq" >"$T/events.before"
ok "erase-reporter" S complaint erase-reporter 33.21-000001
sqlite3 "$DB" "SELECT * FROM event ORDER BY author, seq" >"$T/events.after"
ok "erasure touches no event" cmp -s "$T/events.before" "$T/events.after"
ok "the identity is gone from the database file" \
    sh -c "! grep -a -q -E 'Siti Aminah|3321014101900001' '$DB' '$DB-wal'"
refuse "erase twice" 1 \
    "$E 33.21-000001: the reporter's identity was already erased" \
    --db "$DB" complaint erase-reporter 33.21-000001

# Retention: identity of a complaint archived or closed more than
# retention.identity_days ago is erased by the next command that writes.
S config set retention.identity_days 30 >/dev/null
S complaint file --title "Dobel" --body "laporan ganda" \
    --reporter-name "Budi Santoso" --reporter-nik 3321010202900002 >/dev/null
S complaint archive 33.21-000004 --reason duplicate >/dev/null
SIMPUL_NOW=2026-03-31T09:00:00+07:00 S complaint list >/dev/null
run --db "$DB" complaint show 33.21-000004
ok "identity kept within the retention period" \
    grep -q '^reporter  *hidden (show --reveal)$' "$T/out"
SIMPUL_NOW=2026-04-01T08:00:00+07:00 S complaint list >/dev/null
run --db "$DB" complaint show 33.21-000004
ok "identity erased after the retention period" \
    grep -q '^reporter  *erased$' "$T/out"
ok "the erased identity is gone from the database file" \
    sh -c "! grep -a -q -E 'Budi Santoso|3321010202900002' '$DB' '$DB-wal'"

done_testing
