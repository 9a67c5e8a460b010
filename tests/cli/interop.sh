#!/bin/sh
# interop.sh: every kind of document simpul signs (batch with every event
# kind and a receipt item, standalone receipt; ECDSA P-256 and RSA-2048
# keys) verifies with the xmlsec1 command-line tool and with a small
# verifier on the JDK's javax.xml.crypto.dsig (tests/interop/Verify.java,
# compiled here into the build directory), and both refuse a changed byte,
# so neither check can pass by accident.  No network.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MKDOC:=$top_builddir/tests/tools/mkdoc}"
: "${SIMPUL_SCHEMAS:=$top_srcdir/schemas}"
export SIMPUL_SCHEMAS


JDIR=$top_builddir/tests/interop
mkdir -p "$JDIR"
ok "javac compiles the JDK verifier" \
    javac -d "$JDIR" "$top_srcdir/tests/interop/Verify.java"

pki 33.21
mkdir -p "$T/rsa"
"$top_srcdir/certs/mkcerts.sh" -d "$T/rsa" --rsa 33.21 >/dev/null

xmlsec_verify() {	# xmlsec_verify CA FILE
	xmlsec1 --verify --trusted-pem "$1" --enabled-reference-uris empty \
	    --enabled-key-data x509 "$2"
}
jdk_verify() {		# jdk_verify CA FILE
	java -cp "$JDIR" Verify "$1" "$2"
}
refuses() {		# refuses COMMAND...: passes when COMMAND fails
	! "$@"
}

cd "$T" || exit 1
for alg in pki rsa; do
	K="--key $T/$alg/33.21.key --cert $T/$alg/33.21.pem"
	"$MKDOC" batch $K --receipt "$alg-batch.xml"
	"$MKDOC" receipt $K "$alg-receipt.xml"
	for doc in batch receipt; do
		f=$alg-$doc.xml
		ok "simpul verifies $f" "$SIMPUL" verify --ca "$T/$alg/ca.pem" "$f"
		ok "xmlsec1 verifies $f" xmlsec_verify "$T/$alg/ca.pem" "$f"
		ok "the JDK verifies $f" jdk_verify "$T/$alg/ca.pem" "$f"
	done
	"$MKDOC" replace "$alg-batch.xml" "$alg-bad.xml" 'Jalan desa' 'Jalan desb'
	ok "xmlsec1 refuses a changed byte ($alg)" \
	    refuses xmlsec_verify "$T/$alg/ca.pem" "$alg-bad.xml"
	ok "the JDK refuses a changed byte ($alg)" \
	    refuses jdk_verify "$T/$alg/ca.pem" "$alg-bad.xml"
done
# The certificate must chain to the CA for both independent verifiers.
ok "xmlsec1 refuses another CA" refuses xmlsec_verify "$T/rsa/ca.pem" pki-batch.xml
ok "the JDK refuses another CA" refuses jdk_verify "$T/rsa/ca.pem" pki-batch.xml
ok "the signature is ECDSA-SHA256 with an EC key" \
    grep -q 'xmldsig-more#ecdsa-sha256' pki-batch.xml
ok "the signature is RSA-SHA256 with an RSA key" \
    grep -q 'xmldsig-more#rsa-sha256' rsa-batch.xml

done_testing
