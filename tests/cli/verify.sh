#!/bin/sh
# verify.sh: `simpul verify` on good documents (its OK lines), its
# arguments (exit 2), several files, the trust store (CRL signed by the CA,
# revocation compared by date at --at, validity at --at) and a missing
# schema directory.  The hostile inputs are in hostile.sh.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MKDOC:=$top_builddir/tests/tools/mkdoc}"
: "${SIMPUL_SCHEMAS:=$top_srcdir/schemas}"
export SIMPUL_SCHEMAS


pki --test 33.21 33.28
cd "$T" || exit 1
CA=$T/pki/ca.pem
CRL=$T/pki/crl.pem
K="--key $T/pki/33.21.key --cert $T/pki/33.21.pem"
"$MKDOC" batch $K --receipt batch.xml
"$MKDOC" receipt $K receipt.xml
"$MKDOC" batch $K --seq 2 --events 3 batch2.xml
"$MKDOC" replace batch.xml bad.xml 'Jalan desa' 'Jalan desb'
HEX='[0-9a-f]{64}'

# matches DESCRIPTION REGEX: $T/out is exactly one line matching REGEX.
matches() {
	tap_n=$((tap_n + 1))
	if [ "$(wc -l < "$T/out")" = 1 ] && grep -Eqx "$2" "$T/out"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		sed 's/^/#   got: /' "$T/out"
		tap_failed=1
	fi
}

expect "a batch verifies" 0 "" verify --ca "$CA" --crl "$CRL" batch.xml
matches "its OK line" \
    "batch.xml: ok: batch 33.21->hub seq 1, 21 items, signed by 33.21 \(EC-P-256\), sha256 $HEX"
expect "a standalone receipt verifies" 0 "" verify --ca "$CA" receipt.xml
matches "its OK line" \
    "receipt.xml: ok: receipt, signed by 33.21 \(EC-P-256\), sha256 $HEX"
"$SIMPUL" verify --ca "$CA" batch.xml > "$T/out.1"
ok "the printed digest is the SHA-256 of the exact bytes" \
    grep -q "sha256 $(sha256sum batch.xml | cut -d' ' -f1)\$" "$T/out.1"
expect "two files, two lines" 0 "" verify --ca "$CA" batch.xml batch2.xml
ok "one OK line per file" test "$(wc -l < "$T/out")" = 2
expect "the first refused file ends the run" 1 \
    "simpul: verify: bad.xml: signature: the signature does not match the document" \
    verify --ca "$CA" batch.xml bad.xml batch2.xml
ok "files before it were reported OK" test "$(wc -l < "$T/out")" = 1

# ---- arguments ---------------------------------------------------------------
expect "--ca is required" 2 \
    "simpul: verify: --ca PEM is required (see: simpul help verify)" \
    verify batch.xml
expect "a FILE is required" 2 \
    "simpul: verify: no FILE given (see: simpul help verify)" \
    verify --ca "$CA"
expect "--at must be RFC 3339 with offset" 2 \
    "simpul: verify: --at '2026-11-28 09:00' is not an RFC 3339 time (see: simpul help verify)" \
    verify --ca "$CA" --at "2026-11-28 09:00" batch.xml
expect "unknown option" 2 \
    "simpul: verify: unknown or incomplete option '--bogus' (see: simpul help verify)" \
    verify --bogus --ca "$CA" batch.xml
expect "a missing file" 1 \
    "simpul: verify: nofile.xml: not-found: nofile.xml: No such file or directory" \
    verify --ca "$CA" nofile.xml

# ---- trust store -------------------------------------------------------------
expect "a CRL must be signed by the CA" 1 \
    "simpul: verify: $CRL is not signed by the CA $T/pki/rogue-ca.pem" \
    verify --ca "$T/pki/rogue-ca.pem" --crl "$CRL" batch.xml
# A certificate revoked after the trusted time is fine (DESIGN §2):
# issue one, wait, revoke it, and verify at a time in between.
"$top_srcdir/certs/mkcerts.sh" -d "$T/pki" 33.22 >/dev/null
nb=$(openssl x509 -in "$T/pki/33.22.pem" -noout -startdate | cut -d= -f2)
at=$(date -u -d "$nb 1 second" +%Y-%m-%dT%H:%M:%SZ)
sleep 2
openssl ca -batch -config "$T/pki/ca/openssl.cnf" \
    -revoke "$T/pki/33.22.pem" 2>/dev/null
openssl ca -batch -config "$T/pki/ca/openssl.cnf" -gencrl \
    -out "$T/crl2.pem" 2>/dev/null
"$MKDOC" batch --key "$T/pki/33.22.key" --cert "$T/pki/33.22.pem" \
    --from 33.22 late.xml
expect "revoked after the trusted time: accepted" 0 "" \
    verify --ca "$CA" --crl "$T/crl2.pem" --at "$at" late.xml
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
expect "revoked before the trusted time: refused" 1 \
    "simpul: verify: late.xml: signer: the signer certificate is revoked by the CRL as of $now" \
    verify --ca "$CA" --crl "$T/crl2.pem" --at "$now" late.xml
expect "without a CRL nothing is revoked" 0 "" \
    verify --ca "$CA" --at "$now" late.xml
expect "validity is judged at --at" 1 \
    "simpul: verify: batch.xml: signer: certificate does not chain to the CA: certificate is not yet valid" \
    verify --ca "$CA" --at 2020-01-01T00:00:00Z batch.xml

SIMPUL_SCHEMAS=$T/none; export SIMPUL_SCHEMAS
run verify --ca "$CA" batch.xml
ok "no schemas: exit 3 (environment)" test "$(cat "$T/rc")" = 3
ok "no schemas: the message says where it looked" \
    grep -q "cannot load the schema $T/none/batch.xsd" "$T/err"

done_testing
