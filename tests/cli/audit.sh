#!/bin/sh
# audit.sh: golden audits (tests/data/audit/NAME.out) of directories built
# here with mkdoc and a fresh development PKI: a clean exchange between
# Demak (33.21) and Tegal (33.28) archived by both, and each kind of
# damage.  Every document has fixed times and paths are relative, so the
# output is byte for byte stable.  AUDIT_REGEN=1 rewrites the golden files.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MKDOC:=$top_builddir/tests/tools/mkdoc}"
: "${SIMPUL_SCHEMAS:=$top_srcdir/schemas}"
export SIMPUL_SCHEMAS
G=$top_srcdir/tests/data/audit

# Node certificates valid since 2020, so that documents dated in 2020 and
# 2026 can be judged at their receipts' times.
pki --test --since 20200101000000Z 33.21 33.28 hub
P=$T/pki
# The revoked certificate's revocation date, fixed: 2026-11-29T00:00:00Z.
sed 's/^R\t\([0-9]*Z\)\t[0-9]*Z\t/R\t\1\t261129000000Z\t/' \
    "$P/ca/index.txt" > "$P/ca/index.new" && \
    mv "$P/ca/index.new" "$P/ca/index.txt"
openssl ca -batch -config "$P/ca/openssl.cnf" -gencrl -out "$P/crl.pem" \
    2>/dev/null
cd "$T" || exit 1
CA="--ca pki/ca.pem --crl pki/crl.pem"
K21="--key $P/33.21.key --cert $P/33.21.pem"
K28="--key $P/33.28.key --cert $P/33.28.pem"
D1=2026-11-28T09:00:00+07:00
D2=2026-11-28T13:00:00+07:00

digest() { sha256sum "$1" | cut -c1-64; }

# receipts DIR: a final receipt from the destination for every batch in DIR
# (not below it) that has none, received five minutes after its created.
receipts() {
	for f in "$1"/*[0-9].xml; do
		[ -f "${f%.xml}.receipt.xml" ] && continue
		to=$(basename "$f" | cut -d- -f2)
		"$MKDOC" rcpt --key "$P/$to.key" --cert "$P/$to.pem" \
		    "$f" "${f%.xml}.receipt.xml"
	done
}

# base DIR: Demak files, verifies, notes and forwards; Tegal accepts,
# dispatches, follows up and resolves.  Three batches each way.
base() {
	mkdir -p "$1"
	"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 "$1" \
	    filed,verified note forwarded
	"$MKDOC" chan $K28 --from 33.28 --to 33.21 --created $D2 --v 4 "$1" \
	    accepted,dispatched followed_up resolved
	receipts "$1"
}

# Digests change with every fresh PKI: the golden files name them <digest>.
undigest() {
	sed -E 's/[0-9a-f]{64}/<digest>/g; s/[0-9a-f]{12}\.\.\./<digest>.../g' \
	    "$T/out" > "$T/out.d" && mv "$T/out.d" "$T/out"
}

# audit NAME WANT-STATUS ARGS...: the audit's stdout equals NAME.out.
audit() {
	name=$1 want=$2
	shift 2
	run audit $CA "$@"
	undigest
	if [ -n "${AUDIT_REGEN:-}" ]; then
		cp "$T/out" "$G/$name.out"
	fi
	ok "$name: exit $want" test "$(cat "$T/rc")" = "$want"
	golden "$name: the findings and the summary" "$G/$name.out"
}

# ---- clean: both nodes' archives, identical copies in two directories ------
base all
mkdir -p clean
cp -r all clean/demak
cp -r all clean/tegal
audit clean 0 clean/demak clean/tegal
ok "clean: nothing on stderr" test ! -s "$T/err"
run audit $CA --format json clean/demak clean/tegal
undigest
[ -n "${AUDIT_REGEN:-}" ] && cp "$T/out" "$G/clean.json"
golden "clean: the JSON report" "$G/clean.json"

# ---- a removed batch; a missing tail ---------------------------------------
cp -r all removed
rm removed/33.28-33.21-000002.xml
audit removed 1 removed
cp -r all tail
rm tail/33.28-33.21-000003.xml
audit tail 1 tail
run audit $CA --format json tail
undigest
[ -n "${AUDIT_REGEN:-}" ] && cp "$T/out" "$G/tail.json"
golden "tail: the JSON report" "$G/tail.json"
expect "a finding says so on stderr" 1 "simpul: audit: 1 finding" \
    audit $CA tail

# ---- a swapped pair: Demak's 2nd and 3rd batches carry each other's events -
mkdir -p swapped
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 --swap 2 swapped \
    filed,verified note forwarded
receipts swapped
audit swapped 1 swapped

# ---- a changed byte ----------------------------------------------------------
cp -r all byte
"$MKDOC" replace all/33.21-33.28-000002.xml byte/33.21-33.28-000002.xml \
    'Sudah ditinjau' 'Sudah ditinjaU'
audit byte 1 byte

# ---- revoked on 2026-11-29: received before passes, after is refused -------
KR="--key $P/revoked-33.21.key --cert $P/revoked-33.21.pem"
mkdir -p revoked-before revoked-after
"$MKDOC" chan $KR --from 33.21 --to 33.28 --created $D1 revoked-before \
    filed,verified
receipts revoked-before
audit revoked-before 0 revoked-before
"$MKDOC" chan $KR --from 33.21 --to 33.28 \
    --created 2026-11-29T09:00:00+07:00 revoked-after filed,verified
receipts revoked-after
audit revoked-after 1 revoked-after

# ---- relayed: the hub's relay receipt is the trusted time, before the
# revocation, though the final receipt came after it --------------------------
mkdir -p relay
"$MKDOC" chan $KR --from 33.21 --to 33.28 --created $D1 relay filed,verified
"$MKDOC" rcpt --key "$P/hub.key" --cert "$P/hub.pem" --relay \
    relay/33.21-33.28-000001.xml relay/33.21-33.28-000001.relay.xml
"$MKDOC" rcpt $K28 --received 2026-11-30T09:00:00+07:00 \
    relay/33.21-33.28-000001.xml relay/33.21-33.28-000001.receipt.xml
audit relay 0 relay
rm relay/33.21-33.28-000001.relay.xml
audit relay-final 1 relay

# ---- hostile and foreign files: refused documents are findings, files
# that are not *.xml are not read ---------------------------------------------
mkdir -p hostile/sub
cp "$top_srcdir/tests/data/batch/bad/xxe.xml" hostile/sub/
cp "$top_srcdir/tests/data/batch/bad/comment.xml" hostile/
echo "not a document" > hostile/notes.txt
cp all/33.21-33.28-000001.xml all/33.21-33.28-000001.receipt.xml hostile/
audit hostile 1 hostile

# ---- expired since 2021: signed and received in 2020 passes; without a
# receipt it is judged at its own created time and says so ------------------
KE="--key $P/expired-33.21.key --cert $P/expired-33.21.pem"
mkdir -p expired expired-norcpt
"$MKDOC" chan $KE --from 33.21 --to 33.28 \
    --created 2020-06-01T09:00:00+07:00 expired filed,verified
cp expired/*.xml expired-norcpt/
receipts expired
audit expired 0 expired
audit expired-norcpt 1 expired-norcpt

# ---- two accepted copies of seq 3 that differ -------------------------------
mkdir -p eq/demak
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 eq/demak \
    filed,verified note
receipts eq/demak
cp -r eq/demak eq/tegal
D=$(digest eq/demak/33.21-33.28-000002.xml)
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D2 --seq 3 \
    --prev "$D" --eseq 4 --v 3 eq/demak forwarded
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D2 --seq 3 \
    --prev "$D" --eseq 4 --v 3 eq/tegal postponed
receipts eq/demak
receipts eq/tegal
audit equivocation 1 eq/demak eq/tegal

# ---- a receipt that names another digest -------------------------------------
cp -r all mismatch
"$MKDOC" rcpt $K28 --digest "$(digest all/33.21-33.28-000001.xml)" \
    all/33.21-33.28-000002.xml mismatch/33.21-33.28-000002.receipt.xml
audit mismatch 1 mismatch
# The right digest under another seq: the receipt names #3, there is no #4.
cp -r all mismatch-seq
"$MKDOC" rcpt $K28 --seq 4 all/33.21-33.28-000003.xml \
    mismatch-seq/33.21-33.28-000003.receipt.xml
audit mismatch-seq 1 mismatch-seq

# ---- a clean re-cut: the first copy of #3 was never accepted ----------------
mkdir -p recut/refused
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 recut \
    filed,verified note
D=$(digest recut/33.21-33.28-000002.xml)
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D2 --seq 3 \
    --prev "$D" --eseq 4 --v 3 recut/refused forwarded
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D2 --seq 3 \
    --prev "$D" --eseq 4 --v 3 \
    --replaces "$(digest recut/refused/33.21-33.28-000003.xml)" \
    recut forwarded
receipts recut
audit recut 0 recut
# The same re-cut of a copy that a receipt accepted is equivocation.
receipts recut/refused
audit recut-accepted 1 recut

# ---- final receipts as items: Demak's first batch acknowledges Tegal's --
mkdir -p items
"$MKDOC" chan $K28 --from 33.28 --to 33.21 --created $D1 \
    --complaint 33.28-000001 items filed,verified note
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D2 \
    --carry items/33.28-33.21-000001.xml \
    --carry items/33.28-33.21-000002.xml items filed
receipts items 2>/dev/null
rm items/33.28-33.21-00000[12].receipt.xml
audit items 0 items
run audit $CA items/33.28-33.21-000001.xml items/33.28-33.21-000002.xml
ok "items: without the carrying batch, Tegal's are judged at created" \
    test "$(grep -c ': time-unverified: ' "$T/out")" = 2

# ---- the order of the documents does not matter: Demak's batches, and a
# batch of Tegal's that only carries their final receipts, in two folders
# (either first) or one (where Demak's sort first) ----------------------------
mkdir -p order/d2t order/t2d order/both
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 order/d2t \
    filed,verified note forwarded
"$MKDOC" chan $K28 --from 33.28 --to 33.21 --created $D2 \
    --carry order/d2t/33.21-33.28-000001.xml \
    --carry order/d2t/33.21-33.28-000002.xml \
    --carry order/d2t/33.21-33.28-000003.xml order/t2d -
cp order/d2t/*.xml order/t2d/*.xml order/both/
audit order 0 order/d2t order/t2d
cp "$T/out" "$T/order.d2t"
audit order 0 order/t2d order/d2t
ok "order: the same report either way" cmp "$T/order.d2t" "$T/out"
audit order 0 order/both
ok "order: one folder gives the same report" cmp "$T/order.d2t" "$T/out"
# ---- events that break the lifecycle and ownership ---------------------------
mkdir -p lifecycle
"$MKDOC" chan $K21 --from 33.21 --to 33.28 --created $D1 lifecycle \
    filed,resolved
"$MKDOC" chan $K28 --from 33.28 --to 33.21 --created $D2 --v 2 lifecycle \
    verified
receipts lifecycle
audit lifecycle 1 lifecycle
# A complaint known only by a note: its filed is missing.
mkdir -p orphan
"$MKDOC" chan $K28 --from 33.28 --to 33.21 --created $D2 \
    --complaint 33.21-000009 orphan note
receipts orphan
audit orphan 1 orphan

# Two sets with one event id of different content, in either order: the
# same findings in the same order (the first copy is the first by name).
run audit $CA lifecycle orphan
cp "$T/out" "$T/order.findings"
run audit $CA orphan lifecycle
ok "order: the same findings either way" cmp "$T/order.findings" "$T/out"

# ---- usage ---------------------------------------------------------------
expect "--ca is required" 2 \
    "simpul: audit: --ca PEM is required (see: simpul help audit)" \
    audit all
expect "a FILE or DIR is required" 2 \
    "simpul: audit: no FILE or DIR given (see: simpul help audit)" \
    audit $CA
expect "--format is text or json" 2 "simpul: audit: --format must be text \
or json, not 'xml' (see: simpul help audit)" \
    audit $CA --format xml all
expect "a missing path is a finding" 1 "simpul: audit: 1 finding" \
    audit $CA nothing.xml
[ -n "${AUDIT_REGEN:-}" ] && cp "$T/out" "$G/missing.out"
golden "its line" "$G/missing.out"

done_testing
