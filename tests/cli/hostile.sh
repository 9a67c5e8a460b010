#!/bin/sh
# hostile.sh: every class of the hostile-input catalogue (notes §5) that
# applies to a document, each asserted through `simpul verify` with its
# exact refusal line and exit 1, in bounded time (10 s) and memory (96 MB
# peak RSS, measured by mkdoc run with wait4: ulimit -v cannot work under
# ASan).  Parser cases are static files in tests/data/batch/bad/ (NAME.xml
# and the expected line in NAME.err) or are generated here when they are
# big; signature, key and certificate cases are made from a freshly signed
# batch with the test tool mkdoc.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MKDOC:=$top_builddir/tests/tools/mkdoc}"
: "${SIMPUL_SCHEMAS:=$top_srcdir/schemas}"
export SIMPUL_SCHEMAS

BAD=$top_srcdir/tests/data/batch/bad

pki --test 33.21 33.28
mkdir -p "$T/rsa"
"$top_srcdir/certs/mkcerts.sh" -d "$T/rsa" --rsa 33.21 >/dev/null
CA="--ca $T/pki/ca.pem --crl $T/pki/crl.pem"
# MB and seconds.  Under make valgrind they would measure valgrind: there
# only its own checks hold (make check holds these).
BOUNDS="96 10"
[ -n "${SIMPUL_VALGRIND:-}" ] && BOUNDS="4096 600"

# refused DESCRIPTION FILE EXPECTED-LINE [--at TIME]: verify FILE (relative
# to the current directory) in bounds; it must exit 1 with exactly the line.
refused() {
	desc=$1 file=$2 want=$3
	shift 3
	"$MKDOC" run $BOUNDS "$SIMPUL" verify $CA "$@" "$file" \
	    >"$T/out" 2>"$T/err"
	got_rc=$?
	got=$(cat "$T/err")
	tap_n=$((tap_n + 1))
	if [ "$got_rc" = 1 ] && [ "$got" = "$want" ] && [ ! -s "$T/out" ]; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		echo "#   want exit 1: $want"
		echo "#   got  exit $got_rc: $got"
		tap_failed=1
	fi
}

# ---- parser classes, static (P1, P3-P6, P9, P11-P13, comments, PIs, schema)
cd "$BAD" || exit 1
for f in *.xml; do
	refused "static $f" "$f" "$(cat "${f%.xml}.err")"
done

# ---- parser classes, generated (P6, P7, P8, item limits) -----------------
cd "$T" || exit 1
H='<batch xmlns="urn:simpul:1" from="33.21" to="hub" seq="1" prev="0000000000000000000000000000000000000000000000000000000000000000" instance="0123456789abcdef0123456789abcdef" created="2026-11-28T09:00:00+07:00">'
E='<event id="33.21:1" kind="note" complaint="33.21-000001" v="0" actor="a" at="2026-11-28T09:00:00+07:00" recorded="2026-11-28T09:00:00+07:00"><text>x</text></event>'

{ printf '%s' "$H"; yes '<event>' | head -n 100000 | tr -d '\n'; } > deep.xml
refused "P6 100000 nested elements" deep.xml \
    "simpul: verify: deep.xml: too-large: elements nested deeper than 10"

{ printf '%s<event><text>' "$H"; head -c 11000000 /dev/zero | tr '\0' a
  printf '</text></event></batch>'; } > hugetext.xml
refused "P7 11 MB text node, refused before parsing" hugetext.xml \
    "simpul: verify: hugetext.xml: too-large: document is over 1048576 bytes"

{ printf '%s<event actor="' "$H"; head -c 1048576 /dev/zero | tr '\0' a
  printf '"/></batch>'; } > hugeattr.xml
refused "P7 1 MB attribute" hugeattr.xml \
    "simpul: verify: hugeattr.xml: too-large: document is over 1048576 bytes"

head -c 1048577 /dev/zero | tr '\0' ' ' > oversized.xml
refused "P8 body one byte over 1 MiB" oversized.xml \
    "simpul: verify: oversized.xml: too-large: document is over 1048576 bytes"

{ printf '%s' "$H"; yes "$E" | head -n 2001 | tr -d '\n'
  printf '</batch>'; } > items.xml
refused "2001 items" items.xml \
    "simpul: verify: items.xml: too-large: more than 2000 items"

{ printf '%s<event><text>' "$H"; head -c 70000 /dev/zero | tr '\0' a
  printf '</text></event></batch>'; } > bigitem.xml
refused "one item over 64 KiB" bigitem.xml \
    "simpul: verify: bigitem.xml: too-large: item 1 is over 65536 bytes"

# ---- signature classes (S1-S9), from a freshly signed batch -----------------
K="--key $T/pki/33.21.key --cert $T/pki/33.21.pem"
"$MKDOC" batch $K --receipt good.xml
ok "a freshly signed batch verifies" "$SIMPUL" verify $CA good.xml

"$MKDOC" replace good.xml s1.xml 'Jalan desa' 'Jalan desb'
refused "S1 one changed byte in a text" s1.xml \
    "simpul: verify: s1.xml: signature: the signature does not match the document"
"$MKDOC" replace good.xml s1b.xml 'seq="1"' 'seq="2"'
refused "S1 changed seq attribute" s1b.xml \
    "simpul: verify: s1b.xml: signature: the signature does not match the document"
"$MKDOC" replace good.xml s1c.xml '<ds:DigestValue>' '<ds:DigestValue>AAAA'
refused "S1 changed digest value" s1c.xml \
    "simpul: verify: s1c.xml: signature: the signature does not match the document"
"$MKDOC" replace good.xml comment.xml 'Jalan desa' 'Ja<!--x-->lan desa'
refused "comment slipped into a text after signing" comment.xml \
    "simpul: verify: comment.xml: doctype: a comment is not allowed (comments are not signed)"
"$MKDOC" replace good.xml pi.xml 'Jalan desa' 'Ja<?x y?>lan desa'
refused "PI slipped into a text after signing" pi.xml \
    "simpul: verify: pi.xml: doctype: a processing instruction is not allowed"
"$MKDOC" wrap good.xml wrap.xml
refused "S2 XSW: forged root wrapping the signed batch" wrap.xml \
    "simpul: verify: wrap.xml: schema: line 1: Element '{urn:simpul:1}batch': This element is not expected. Expected is ( {http://www.w3.org/2000/09/xmldsig#}* )."
"$MKDOC" dupsig good.xml dupsig.xml
refused "S4 second signature" dupsig.xml \
    "simpul: verify: dupsig.xml: schema: line 59: Element '{http://www.w3.org/2000/09/xmldsig#}Signature': This element is not expected."
"$MKDOC" movesig good.xml movesig.xml
refused "S4 signature moved into an event" movesig.xml \
    "simpul: verify: movesig.xml: schema: line 3: Element '{http://www.w3.org/2000/09/xmldsig#}Signature': This element is not expected. Expected is one of ( {urn:simpul:1}filed, {urn:simpul:1}reason, {urn:simpul:1}unit, {urn:simpul:1}office"
"$MKDOC" batch $K --variant two-refs tworefs.xml
refused "S5 second reference, validly signed" tworefs.xml \
    "simpul: verify: tworefs.xml: signature: ds:SignedInfo holds <Reference> where nothing is expected"
"$MKDOC" replace good.xml object.xml '</ds:KeyInfo>' '</ds:KeyInfo><ds:Object><ds:Manifest/></ds:Object>'
refused "S5 Object/Manifest added" object.xml \
    "simpul: verify: object.xml: signature: ds:Signature holds <Object> where nothing is expected"
"$MKDOC" batch $K --variant xpath xpath.xml
refused "S6 XPath transform, validly signed" xpath.xml \
    "simpul: verify: xpath.xml: signature: ds:Transforms holds <Transform> where nothing is expected"
"$MKDOC" batch $K --variant c14n-comments withcomments.xml
refused "S6 exc-c14n WithComments, validly signed" withcomments.xml \
    "simpul: verify: withcomments.xml: signature: ds:Transform Algorithm http://www.w3.org/2001/10/xml-exc-c14n#WithComments is not allowed"
"$MKDOC" replace good.xml uri.xml 'URI=""' 'URI="#b1"'
refused "S3 Reference to an id" uri.xml \
    "simpul: verify: uri.xml: signature: the ds:Reference URI is not \"\""
"$MKDOC" batch $K --variant sha1 sha1.xml
refused "S7 SHA-1 digest, validly signed" sha1.xml \
    "simpul: verify: sha1.xml: signature: ds:DigestMethod Algorithm http://www.w3.org/2000/09/xmldsig#sha1 is not allowed"
"$MKDOC" batch $K --variant ecdsa-sha1 ecsha1.xml
refused "S7 ECDSA-SHA1, validly signed" ecsha1.xml \
    "simpul: verify: ecsha1.xml: signature: ds:SignatureMethod Algorithm http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1 is not allowed"
"$MKDOC" batch --key "$T/rsa/33.21.key" --cert "$T/rsa/33.21.pem" \
    --variant rsa-sha1 rsasha1.xml
CA="--ca $T/rsa/ca.pem"
refused "S7 RSA-SHA1, validly signed" rsasha1.xml \
    "simpul: verify: rsasha1.xml: signature: ds:SignatureMethod Algorithm http://www.w3.org/2000/09/xmldsig#rsa-sha1 is not allowed"
CA="--ca $T/pki/ca.pem --crl $T/pki/crl.pem"
"$MKDOC" replace good.xml hmac.xml 'xmldsig-more#ecdsa-sha256' 'xmldsig#hmac-sha1'
refused "S7 HMAC-SHA1 method" hmac.xml \
    "simpul: verify: hmac.xml: signature: ds:SignatureMethod Algorithm http://www.w3.org/2001/04/xmldsig#hmac-sha1 is not allowed"
"$MKDOC" replace good.xml method.xml 'xmldsig-more#ecdsa-sha256' 'xmldsig-more#rsa-sha256'
refused "SignatureMethod not fitting the key" method.xml \
    "simpul: verify: method.xml: signature: SignatureMethod http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 does not fit the EC-P-256 key"
"$MKDOC" swapcert good.xml swap.xml "$T/pki/revoked-33.21.pem"
CA="--ca $T/pki/ca.pem"		# no CRL: the certificate itself is good
refused "S9 KeyInfo certificate swapped (valid CN, other key)" swap.xml \
    "simpul: verify: swap.xml: signature: the signature does not match the document"
CA="--ca $T/pki/ca.pem --crl $T/pki/crl.pem"
"$MKDOC" replace good.xml keyvalue.xml '<ds:X509Data>' '<ds:KeyValue/><ds:X509Data>'
refused "S9 KeyValue added to KeyInfo" keyvalue.xml \
    "simpul: verify: keyvalue.xml: signature: ds:KeyInfo holds <KeyValue> where ds:X509Data is expected"

# ---- key and certificate classes (S10-S13), authorship ----------------------
"$MKDOC" batch --key "$T/pki/33.28.key" --cert "$T/pki/33.28.pem" \
    --from 33.21 other.xml
refused "S10 valid certificate of another node" other.xml \
    "simpul: verify: other.xml: signer: signed by 33.28, not by 33.21"
"$MKDOC" batch --key "$T/pki/rogue-33.21.key" \
    --cert "$T/pki/rogue-33.21.pem" rogue.xml
refused "S11 rogue CA" rogue.xml \
    "simpul: verify: rogue.xml: signer: certificate does not chain to the CA: unable to get local issuer certificate"
"$MKDOC" batch --key "$T/pki/expired-33.21.key" \
    --cert "$T/pki/expired-33.21.pem" expired.xml
refused "expired certificate" expired.xml \
    "simpul: verify: expired.xml: signer: certificate does not chain to the CA: certificate has expired"
"$MKDOC" batch --key "$T/pki/revoked-33.21.key" \
    --cert "$T/pki/revoked-33.21.pem" revoked.xml
SIMPUL_NOW=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ); export SIMPUL_NOW
refused "S13 revoked certificate" revoked.xml \
    "simpul: verify: revoked.xml: signer: the signer certificate is revoked by the CRL as of $SIMPUL_NOW"
next=$(openssl crl -in "$T/pki/crl.pem" -noout -nextupdate | cut -d= -f2)
SIMPUL_NOW=$(date -u -d "$next 1 day" +%Y-%m-%dT%H:%M:%SZ)
refused "S13 a stale CRL (past its next update) fails closed" good.xml \
    "simpul: verify: good.xml: signer: the CRL is stale (next update was due $(date -u -d "$next" +%Y-%m-%dT%H:%M:%SZ)): get a fresh one"
SIMPUL_NOW=; export SIMPUL_NOW

# S14: certificates from the real CA that must still not sign batches.
# issue NAME ALG EXTENSIONS: a CN=33.21 certificate with those extensions.
issue() {
	if [ "$2" = rsa1024 ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
		    -out "$T/$1.key" 2>/dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$T/$1.key" 2>/dev/null
	fi
	openssl req -new -key "$T/$1.key" -subj "/CN=33.21" -out "$T/$1.csr"
	printf '[x]\n%s\n' "$3" > "$T/$1.ext"
	openssl ca -batch -config "$T/pki/ca/openssl.cnf" -in "$T/$1.csr" \
	    -out "$T/$1.pem" -notext -extfile "$T/$1.ext" -extensions x \
	    2>/dev/null
	"$MKDOC" batch --key "$T/$1.key" --cert "$T/$1.pem" "$1.xml"
}
issue ca-leaf ec "basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyCertSign"
refused "S14 a CA:TRUE certificate as signer" ca-leaf.xml \
    "simpul: verify: ca-leaf.xml: signer: the signer certificate is a CA certificate"
issue no-sign ec "basicConstraints=critical,CA:FALSE
keyUsage=critical,keyEncipherment"
refused "S14 a certificate without digitalSignature" no-sign.xml \
    "simpul: verify: no-sign.xml: signer: the signer certificate may not sign (no digitalSignature key usage)"
issue rsa1024 rsa1024 "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature"
refused "S14 an RSA key of 1024 bits" rsa1024.xml \
    "simpul: verify: rsa1024.xml: signer: the signer key is RSA-1024: RSA of 2048 bits or more, or EC P-256 only"
"$MKDOC" batch $K --author 33.28 author.xml
refused "an event of another author" author.xml \
    "simpul: verify: author.xml: authorship: item 1: event 33.28:1 is not authored by 33.21"
"$MKDOC" receipt $K receipt.xml
"$MKDOC" replace receipt.xml receipt2.xml 'outcome="refused"' 'outcome="applied"'
refused "standalone receipt with a changed outcome" receipt2.xml \
    "simpul: verify: receipt2.xml: signature: the signature does not match the document"

done_testing
