#!/bin/sh
# exchange.sh: Demak (33.21), Tegal (33.28) and Brebes (33.29) exchange
# signed batches as files only (DESIGN §5): a cross-jurisdiction story that
# converges on both sides with every receipt back at its author, a return,
# a recall, a two-hop forward with backfill arriving out of order, the
# transport refusals (each with its exact line and the database unchanged),
# item refusals, equivocation, a re-cut that puts a refused batch right, and
# a crash in the middle of an import.  Identity never leaves Demak.
. "$(dirname "$0")/../lib.sh"

pki --test 33.21 33.28 33.29 hub 33.22
P=$T/pki
# Demak's certificate lives at a path of its own, so a test can renew it.
cp "$P/33.21.pem" "$T/demak.pem"
cp "$P/33.21.key" "$T/demak.key"
# Signatures are checked at "now": after the certificates were made.
SIMPUL_NOW=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S+00:00)
export SIMPUL_NOW

D() { "$SIMPUL" --db "$T/demak.db" "$@"; }
G() { "$SIMPUL" --db "$T/tegal.db" "$@"; }
B() { "$SIMPUL" --db "$T/brebes.db" "$@"; }
mk() {		# mk DB CODE NAME CERT KEY
	"$SIMPUL" --db "$1" init --node "$2" --name "$3" --cert "$4" \
	    --key "$5" --ca "$P/ca.pem" --crl "$P/crl.pem" >/dev/null || exit 1
	"$SIMPUL" --db "$1" category load "$top_srcdir/data/topics.tsv" \
	    >/dev/null || exit 1
}
mk "$T/demak.db" 33.21 Demak "$T/demak.pem" "$T/demak.key"
mk "$T/tegal.db" 33.28 Tegal "$P/33.28.pem" "$P/33.28.key"
mk "$T/brebes.db" 33.29 Brebes "$P/33.29.pem" "$P/33.29.key"
for p in 33.28 33.29; do D peer add $p >/dev/null; done
for p in 33.21 33.29; do G peer add $p >/dev/null; done
for p in 33.21 33.28; do B peer add $p >/dev/null; done
E="simpul: import:"
R=$T/r
mkdir -p "$R"
n=0

# xfer SRC DST-CODE DST: export from SRC to DST-CODE into a fresh directory,
# import there with --receipts; $X holds the directory, $T/xfer the output.
xfer() {
	n=$((n + 1))
	X=$T/x$n
	mkdir -p "$X"
	$1 export --to "$2" --out "$X" >/dev/null || return 1
	set -- "$3" "$X"/batch-*.xml
	[ -e "$2" ] || return 0
	d=$1
	shift
	$d import --receipts "$R" "$@" >"$T/xfer" 2>&1
}
# back SRC SRC-CODE DST-CODE: SRC imports the receipt files DST wrote for
# its batches (a repeat is recorded again, harmlessly).
back() { $1 import "$R"/receipt-"$3"-"$2"-"$3"-*.xml >/dev/null; }
# last DIR: the batch file with the highest seq in DIR.
last() { echo "$1/$(cd "$1" && ls batch-*.xml | sort -t- -k4 -n | tail -1)"; }

# The one-line JSON of show without the reporter, which is local.
nolocal() { sed 's/"reporter":"[^"]*",//'; }
# same DESC ID: complaint ID shows the same on Demak and Tegal, but for
# the reporter line, which is local to the origin.
same() {
	tap_n=$((tap_n + 1))
	D complaint show "$2" --format json | nolocal >"$T/a"
	$3 complaint show "$2" --format json | nolocal >"$T/b"
	if cmp -s "$T/a" "$T/b"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		diff "$T/a" "$T/b" | sed 's/^/# /'
		tap_failed=1
	fi
}

# refuse DESC STATUS STDERR DB ARGS...: as expect, and DB's dump unchanged.
refuse() {
	desc=$1 st=$2 line=$3 db=$4
	shift 4
	dump "$db" >"$T/before"
	expect "$desc" "$st" "$line" --db "$db" "$@"
	tap_n=$((tap_n + 1))
	dump "$db" >"$T/after"
	if cmp -s "$T/before" "$T/after"; then
		echo "ok $tap_n - $desc: database unchanged"
	else
		echo "not ok $tap_n - $desc: database unchanged"
		diff "$T/before" "$T/after" | sed 's/^/# /' | head -20
		tap_failed=1
	fi
}

field() {	# field NODE ID KEY: a top-level string of show's JSON
	$1 complaint show "$2" --format json |
	    sed "s/.*\"$3\":\"\([^\"]*\)\".*/\1/"
}
nevents() { $1 complaint show "$2" --format json | grep -o '"kind":' | wc -l; }

# ---- 1. the whole story, Demak -> Tegal and back ---------------------
C1=33.21-000001
ok "filed at Demak, with identity" D complaint file --title "Jalan rusak" \
    --body "Jalan Desa Bandungrejo berlubang" --channel sms1708 \
    --category INF.JLN --reporter-name "Siti Aminah" \
    --reporter-contact 081234567890 --reporter-nik 3321014101900001
D complaint verify $C1 >/dev/null
ok "forwarded to Tegal" D complaint forward $C1 --to 33.28 \
    --reason "jalan kabupaten Tegal"
ok "Demak -> Tegal: exported and imported" xfer D 33.28 G
has "Tegal applied the three events" "$T/xfer" \
    "accepted batch 33.21->33.28 seq 1: 3 applied, 0 duplicate, 0 held, 0 refused"
eq "Tegal owns it" 33.28 "$(field G $C1 owner)"
G complaint accept $C1 >/dev/null
G complaint dispatch $C1 --unit "Dinas PUPR" >/dev/null
G complaint follow-up $C1 --text "Perbaikan dijadwalkan" >/dev/null
ok "Tegal resolves" G complaint resolve $C1
ok "Tegal -> Demak, with the receipt for Demak's batch" xfer G 33.21 D
has "Demak applied Tegal's four events and the receipt" "$T/xfer" \
    "seq 1: 5 applied, 0 duplicate, 0 held, 0 refused"
ok "the reporter replies at Demak" D complaint reply $C1 --text "Terima kasih"
ok "Demak -> Tegal" xfer D 33.28 G
ok "Tegal closes" G complaint close $C1
ok "Tegal -> Demak" xfer G 33.21 D
ok "Demak records the standalone receipts" back D 33.21 33.28
ok "Tegal records the standalone receipts" back G 33.28 33.21
same "the story converged on Demak and Tegal" $C1 G
eq "closed on both" "closed closed" \
    "$(field D $C1 status) $(field G $C1 status)"
D channel list >"$T/out"
has "every Demak batch to Tegal acknowledged" "$T/out" \
    "^out 33.28: seq ([0-9]+), acked \\1, receiver's head \\1, 0 queued"
G channel list >"$T/out"
has "every Tegal batch to Demak acknowledged" "$T/out" \
    "^out 33.21: seq ([0-9]+), acked \\1, receiver's head \\1, 0 queued"
ok "Demak sends the receipt it owes Tegal" xfer D 33.28 G
has "a batch of receipts only" "$T/xfer" "1 applied, 0 duplicate, 0 held"
ok "earns no receipt" sh -c "! grep -q receipt- '$T/xfer'"

# ---- 1b. an auditor with only the CA: the two archives agree -------------
mkdir -p "$T/audit"
ok "Demak archives every batch and receipt" D archive --out "$T/audit/demak"
ok "Tegal archives every batch and receipt" G archive --out "$T/audit/tegal"
ok "archiving twice writes the same files" D archive --out "$T/audit/demak"
ok "the audit of both archives is clean" "$SIMPUL" audit --ca "$P/ca.pem" \
    --crl "$P/crl.pem" "$T/audit"
"$SIMPUL" audit --ca "$P/ca.pem" --crl "$P/crl.pem" "$T/audit" >"$T/out"
has "the auditor sees Demak's channel complete" "$T/out" \
    "^channel 33.21->33.28: [0-9]+ batches, [0-9]+ events, [0-9]+ receipts, head #[0-9]+, clean$"
has "and Tegal's" "$T/out" \
    "^channel 33.28->33.21: [0-9]+ batches, [0-9]+ events, [0-9]+ receipts, head #[0-9]+, clean$"
has "and the complaint's history" "$T/out" "^audit: [0-9]+ documents, 1 complaints, 0 findings$"
ok "Demak's archive alone is clean too" "$SIMPUL" audit --ca "$P/ca.pem" \
    "$T/audit/demak"

# ---- 2. a return and a recall --------------------------------------------
C2=33.21-000002
C3=33.21-000003
D complaint file --title "Lampu jalan" --body "Lampu mati" >/dev/null
D complaint forward $C2 --to 33.28 >/dev/null
D complaint file --title "Sampah" --body "Sampah menumpuk" >/dev/null
D complaint forward $C3 --to 33.28 >/dev/null
xfer D 33.28 G
ok "Tegal returns one: not its authority" G complaint return $C2 \
    --reason "bukan wewenang Tegal"
ok "Demak asks to recall the other" D complaint recall $C3
xfer D 33.28 G
has "the recall request reached Tegal" "$T/xfer" "1 applied"
ok "Tegal answers the recall before accepting" G complaint recall $C3
xfer G 33.21 D
eq "the returned complaint is Demak's again" 33.21 "$(field D $C2 owner)"
eq "the recalled complaint is Demak's again" 33.21 "$(field D $C3 owner)"
same "returned: same on both" $C2 G
same "recalled: same on both" $C3 G
ok "Demak forwards the returned one again" D complaint forward $C2 --to 33.28
xfer D 33.28 G
has "no backfill twice: Tegal had the history" "$T/xfer" \
    "seq [0-9]+: [0-9]+ applied, 0 duplicate, 0 held, 0 refused"

# ---- 3. two hops: Demak -> Tegal -> Brebes, backfill out of order -------
C4=33.21-000004
D complaint file --title "Banjir" --body "Banjir di perbatasan" >/dev/null
D complaint forward $C4 --to 33.28 >/dev/null
xfer D 33.28 G
G complaint accept $C4 >/dev/null
ok "Tegal forwards on to Brebes" G complaint forward $C4 --to 33.29
ok "Tegal -> Brebes first" xfer G 33.29 B
has "Brebes holds Tegal's events: no history yet" "$T/xfer" \
    "0 applied, 0 duplicate, 2 held, 0 refused"
has "each held item is named" "$T/xfer" "item 2 33.28:[0-9]+: held"
xfer G 33.21 D
ok "Demak backfills Brebes" xfer D 33.29 B
has "Demak's history applied" "$T/xfer" "2 applied"
has "held items' later outcome in a later receipt" "$T/xfer" \
    "1 later receipt"
eq "Brebes owns it with the whole history" "33.29 4" \
    "$(field B $C4 owner) $(nevents B $C4)"
B channel list >"$T/out"
has "nothing held at Brebes any more" "$T/out" "^in 33.28: seq 1, 0 held"
ok "Brebes: arrived" B complaint arrived $C4
ok "Brebes -> Tegal: the later receipt rides along" xfer B 33.28 G
has "Tegal recorded it" "$T/xfer" "seq 1: [0-9]+ applied, 0 duplicate"
xfer B 33.21 D
same "Brebes and Demak agree" $C4 B

# ---- 4. transport refusals: nothing stored ---------------------------------
F1=$(ls "$T"/x1/batch-33.21-33.28-1.xml)
expect "replay: the stored receipt again" 0 "" --db "$T/tegal.db" import "$F1"
has "replay says so" "$T/out" "already accepted"
refuse "replay changes nothing" 0 "" "$T/tegal.db" import "$F1"
D complaint note $C1 --text "catatan satu" >/dev/null
mkdir -p "$T/g1" "$T/g2"
D export --to 33.28 --out "$T/g1" >/dev/null
D complaint note $C1 --text "catatan dua" >/dev/null
D export --to 33.28 --out "$T/g2" >/dev/null
S1=$(last "$T/g1")
S2=$(last "$T/g2")
s1=${S1##*-}; s1=${s1%.xml}
s2=${S2##*-}; s2=${s2%.xml}
refuse "gap: a later batch first" 1 \
    "$E $S2: seq-gap: seq $s2 from 33.21, expected $s1" "$T/tegal.db" \
    import "$S2"
ok "reorder: the earlier one, then the later" G import "$S1" "$S2"
cp "$S2" "$T/prev.xml"
D complaint note $C1 --text "catatan tiga" >/dev/null
mkdir -p "$T/g3"
D export --to 33.28 --out "$T/g3" >/dev/null
S3=$(last "$T/g3")
s3=${S3##*-}; s3=${s3%.xml}
prev=$(sed -n 's/.* prev="\([0-9a-f]*\)".*/\1/p' "$S3" | head -1)
"$MKDOC" replace "$S3" "$T/bad.xml" "prev=\"$prev\"" \
    "prev=\"$(echo "$prev" | tr 0-9a-f f-f0-9 | cut -c1-64)\"" || exit 1
"$MKDOC" resign "$T/bad.xml" "$T/badprev.xml" "$T/demak.key" \
    "$T/demak.pem" || exit 1
refuse "broken prev" 1 "$E $T/badprev.xml: prev-mismatch: seq $s3 from \
33.21: prev is not the digest of seq $s2, expected seq $s3" "$T/tegal.db" \
    import "$T/badprev.xml"
"$MKDOC" replace "$S3" "$T/other.xml" 'id="33.21:' 'id="33.29:' || exit 1
"$MKDOC" resign "$T/other.xml" "$T/other2.xml" "$T/demak.key" \
    "$T/demak.pem" || exit 1
refuse "an event authored by another node" 1 \
    "$E $T/other2.xml: authorship: item 1: event 33.29:$(sed -n \
    's/.*id="33.29:\([0-9]*\)".*/\1/p' "$T/other2.xml" | head -1) is not \
authored by 33.21" "$T/tegal.db" import "$T/other2.xml"
refuse "a batch for another node" 1 \
    "$E $S3: wrong-node: batch is addressed to 33.28, this node is 33.29" \
    "$T/brebes.db" import "$S3"
ok "the good one" G import "$S3"

# ---- 5. item refusal: a chain event from a node that does not own it ----
v=$(G complaint show $C1 --format json | grep -o '"v":[0-9]*' |
    cut -d: -f2 | sort -n | tail -1)
D complaint note $C1 --text "bukan pemilik" >/dev/null
mkdir -p "$T/g4"
D export --to 33.28 --out "$T/g4" >/dev/null
S4=$(last "$T/g4")
"$MKDOC" replace "$S4" "$T/own.xml" 'kind="note" complaint="33.21-000001" v="0"' \
    "kind=\"followed_up\" complaint=\"33.21-000001\" v=\"$((v + 1))\"" || exit 1
"$MKDOC" resign "$T/own.xml" "$T/own2.xml" "$T/demak.key" "$T/demak.pem" \
    || exit 1
# On a copy of Tegal: the forged batch takes seq $s4 there for good.
G backup "$T/tegal5.db" >/dev/null
expect "a non-owner's chain event: the batch is accepted" 0 "" \
    --db "$T/tegal5.db" import "$T/own2.xml"
has "the item is refused with its reason" "$T/out" \
    "item 1 33.21:[0-9]+: refused ownership: "
ok "the real batch, at the real Tegal" G import "$S4"

# ---- 6. a refused batch put right by a re-cut, nobody sees equivocation --
# Demak signs with a revoked certificate by mistake; Tegal refuses it.
xfer G 33.21 D
D complaint note $C1 --text "ditandatangani salah" >/dev/null
cp "$P/revoked-33.21.pem" "$T/demak.pem"
cp "$P/revoked-33.21.key" "$T/demak.key"
mkdir -p "$T/g5"
D export --to 33.28 --out "$T/g5" >/dev/null
S5=$(last "$T/g5")
s5=${S5##*-}; s5=${s5%.xml}
dump "$T/tegal.db" >"$T/before"
run --db "$T/tegal.db" import "$S5"
eq "a revoked signer is refused" "1" "$(cat "$T/rc")"
has "with its reason" "$T/err" "^$E $S5: signer: "
dump "$T/tegal.db" >"$T/after"
ok "nothing stored" cmp -s "$T/before" "$T/after"
# The certificate is renewed; the operator re-cuts the refused batch.
cp "$P/33.21.pem" "$T/demak.pem"
cp "$P/33.21.key" "$T/demak.key"
refuse "a batch the receiver accepted cannot be re-cut" 1 \
    "simpul: channel: batch 1 to 33.28 was accepted (receiver's head \
$((s5 - 1))): it cannot be re-cut" "$T/demak.db" channel recut 33.28 1
ok "channel recut" D channel recut 33.28 "$s5"
mkdir -p "$T/g6"
D export --to 33.28 --out "$T/g6" >"$T/out"
has "the re-cut file carries the digest" "$T/out" \
    "batch-33.21-33.28-$s5-[0-9a-f]{8}\\.xml$"
S6=$(ls "$T"/g6/batch-33.21-33.28-"$s5"-*.xml)
has "the re-cut names the copy it replaces" "$S6" "replaces=\"[0-9a-f]{64}\""
expect "Tegal accepts the re-cut" 0 "" --db "$T/tegal.db" import "$S6"
G channel list >"$T/out"
has "no equivocation seen" "$T/out" "^in 33.21: seq $s5, 0 held$"

# ---- 7. equivocation: another copy of an accepted seq --------------------
D backup "$T/rogue.db" >/dev/null
D complaint note $C1 --text "salinan asli" >/dev/null
mkdir -p "$T/g7" "$T/g8"
D export --to 33.28 --out "$T/g7" >/dev/null
S7=$(last "$T/g7")
s7=${S7##*-}; s7=${s7%.xml}
ok "the first copy is accepted" G import "$S7"
"$SIMPUL" --db "$T/rogue.db" complaint note $C1 --text "salinan lain" \
    >/dev/null
"$SIMPUL" --db "$T/rogue.db" export --to 33.28 --out "$T/g8" >/dev/null
S8=$(last "$T/g8")
expect "another copy of seq $s7: equivocation" 1 \
    "$E $S8: equivocation: seq $s7 from 33.21 was accepted with another \
digest; channel halted" --db "$T/tegal.db" import "$S8"
G channel show 33.21 >"$T/out"
has "both copies kept as evidence" "$T/out" \
    "in seq $s7 sha256 [0-9a-f]{8} EVIDENCE of equivocation"
has "the accepted copy stands" "$T/out" "in seq $s7 sha256 [0-9a-f]{8} accepted"
D complaint note $C1 --text "sesudahnya" >/dev/null
mkdir -p "$T/g9"
D export --to 33.28 --out "$T/g9" >/dev/null
S9=$(last "$T/g9")
refuse "the halted channel refuses the next batch" 1 \
    "$E $S9: halted: channel 33.21->33.28 is halted after an equivocation \
(simpul channel resume 33.21)" "$T/tegal.db" import "$S9"
ok "channel resume" G channel resume 33.21
ok "the next batch is accepted again" G import "$S9"

# ---- 8. identity never left Demak -----------------------------------------
tap_n=$((tap_n + 1))
if grep -rlE "Siti Aminah|081234567890|3321014101900001" "$T"/x* "$T"/g* \
    "$R" >"$T/leak"; then
	echo "not ok $tap_n - no identity in any exported file"
	sed 's/^/# /' "$T/leak"
	tap_failed=1
else
	echo "ok $tap_n - no identity in any exported file"
fi
for db in tegal brebes; do
	tap_n=$((tap_n + 1))
	if dump "$T/$db.db" | grep -qE "Siti Aminah|3321014101900001"; then
		echo "not ok $tap_n - no identity in $db's database"
		tap_failed=1
	else
		echo "ok $tap_n - no identity in $db's database"
	fi
done

# ---- 8b. with a hub configured, every event also goes to the hub --------
"$SIMPUL" --db "$T/kudus.db" init --node 33.22 --name Kudus \
    --cert "$P/33.22.pem" --key "$P/33.22.key" --ca "$P/ca.pem" \
    --crl "$P/crl.pem" --hub https://hub.lapor.example:8443 >/dev/null
"$SIMPUL" --db "$T/hub.db" init --node hub --name Hub --role hub \
    --cert "$P/hub.pem" --key "$P/hub.key" --ca "$P/ca.pem" \
    --crl "$P/crl.pem" >/dev/null
K() { "$SIMPUL" --db "$T/kudus.db" "$@"; }
H() { "$SIMPUL" --db "$T/hub.db" "$@"; }
K complaint file --title "Pasar" --body "Atap pasar bocor" \
    --reporter-name "Budi Santoso" --reporter-nik 3319010101800002 >/dev/null
K complaint verify 33.22-000001 >/dev/null
K channel list >"$T/out"
has "Kudus queues its events for the hub" "$T/out" \
    "^out hub: seq 0, acked 0, receiver's head 0, 2 queued"
ok "Kudus -> hub" xfer K hub H
# Two events and Kudus's policy (DESIGN §6: it goes to the hub too).
has "the hub applied the complaint's log and the policy" "$T/xfer" \
    "accepted batch 33.22->hub seq 1: 3 applied"
ok "no identity in the hub's batch" sh -c "! grep -rqE \
    'Budi Santoso|3319010101800002' '$X'"

# ---- 9. crash (kill -9) in the middle of an import, then again -----------
i=0
while [ $i -lt 300 ]; do
	D complaint note $C1 --text "catatan massal $i" >/dev/null
	i=$((i + 1))
done
mkdir -p "$T/g10"
D export --to 33.28 --out "$T/g10" >/dev/null
S10=$(last "$T/g10")
before=$(sqlite3 "$T/tegal.db" "SELECT count(*) FROM event")
"$SIMPUL" --db "$T/tegal.db" import "$S10" >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
mid=$(sqlite3 "$T/tegal.db" "SELECT count(*) FROM event")
tap_n=$((tap_n + 1))
if [ "$mid" = "$before" ] || [ "$mid" = "$((before + 300))" ]; then
	echo "ok $tap_n - after kill -9: all or nothing ($before -> $mid)"
else
	echo "not ok $tap_n - after kill -9: $before -> $mid events"
	tap_failed=1
fi
ok "re-import after the crash" G import "$S10"
ok "and once more (a replay)" G import "$S10"
eq "applied exactly once" "$((before + 300))" \
    "$(sqlite3 "$T/tegal.db" "SELECT count(*) FROM event")"

# ---- 10. output folders are made when missing, or refused by name -------
K complaint note 33.22-000001 --text "catatan folder" >/dev/null
O=$T/new/out/dir
ok "export makes a missing folder and its parents" \
    K export --to hub --out "$O"
ok "and writes the batches in it" test -f "$O/batch-33.22-hub-2.xml"
ok "the folder is mode 0755 or stricter" \
    test "$(( 0$(stat -c %a "$O") & 022 ))" = 0
touch "$T/plain"
K complaint note 33.22-000001 --text "tidak terpotong" >/dev/null
refuse "export under a regular file names the folder, cuts nothing" 1 \
    "simpul: export: cannot create the folder $T/plain/sub: Not a directory" \
    "$T/kudus.db" export --to hub --out "$T/plain/sub"
eq "nothing half-written beside the file" "$T/plain" "$(ls -d "$T"/plain*)"
ok "the next export into a folder cuts it" K export --to hub --out "$O"
ok "as batch 3" test -f "$O/batch-33.22-hub-3.xml"
expect "import --receipts makes a missing folder" 0 "" --db "$T/hub.db" \
    import --receipts "$T/rnew/x" "$O/batch-33.22-hub-2.xml"
ok "and writes the receipt in it" test -f "$T/rnew/x/receipt-hub-33.22-hub-2.xml"
refuse "import --receipts under a regular file imports nothing" 1 \
    "simpul: import: cannot create the folder $T/plain/sub: Not a directory" \
    "$T/hub.db" import --receipts "$T/plain/sub" "$O/batch-33.22-hub-3.xml"
ok "archive makes a missing folder" K archive --out "$T/arch/a/b"
ok "and archives in it" sh -c "ls '$T'/arch/a/b/batch-33.22-hub-1-*.xml"
expect "archive under a regular file names the folder" 1 \
    "simpul: archive: cannot create the folder $T/plain/sub: Not a directory" \
    --db "$T/kudus.db" archive --out "$T/plain/sub"

done_testing
