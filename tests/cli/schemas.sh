#!/bin/sh
# schemas.sh: the wire schemas are built into simpul.  Without
# SIMPUL_SCHEMAS (make check sets it for the other tests) a signed batch
# verifies; `simpul schemas --out DIR` writes the built-in schemas, equal
# byte for byte to schemas/, and xmllint (when installed) validates a batch
# with them; what it must not do is refused.  SIMPUL_SCHEMAS, the
# development override, reads its folder and nothing outside it.
. "${top_srcdir:-.}/tests/lib.sh"
: "${MKDOC:=$top_builddir/tests/tools/mkdoc}"
unset SIMPUL_SCHEMAS

pki --test 33.21
cd "$T" || exit 1
CA=$T/pki/ca.pem
"$MKDOC" batch --key "$T/pki/33.21.key" --cert "$T/pki/33.21.pem" \
    --receipt batch.xml
NAMES="common.xsd batch.xsd receipt.xsd directory.xsd"

expect "a batch verifies with the built-in schemas" 0 "" \
    verify --ca "$CA" batch.xml
expect "schemas --out writes them into a new folder" 0 "" \
    schemas --out "$T/xsd"
eq "and prints each path" \
    "$(for n in $NAMES; do echo "$T/xsd/$n"; done)" "$(cat "$T/out")"
for n in $NAMES; do
	ok "$n is schemas/$n byte for byte" \
	    cmp "$top_srcdir/schemas/$n" "$T/xsd/$n"
done
eq "and nothing else" "batch.xsd common.xsd directory.xsd receipt.xsd" \
    "$(ls "$T/xsd" | tr '\n' ' ' | sed 's/ $//')"
if command -v xmllint >/dev/null 2>&1; then
	ok "xmllint validates the batch with them" \
	    xmllint --noout --schema "$T/xsd/batch.xsd" batch.xml
else
	skip "xmllint validates the batch with them" "no xmllint"
fi

mkdir "$T/empty"
expect "an empty folder that exists will do" 0 "" schemas --out "$T/empty"
mkdir "$T/old"
echo keep >"$T/old/receipt.xsd"
expect "a schema file in DIR already: refused" 1 \
    "simpul: schemas: $T/old/receipt.xsd exists already: nothing is overwritten" \
    schemas --out "$T/old"
ok "and nothing was written" test "$(ls "$T/old")" = receipt.xsd
ok "nor overwritten" grep -qx keep "$T/old/receipt.xsd"
expect "a DIR that is a file: refused" 1 \
    "simpul: schemas: $T/batch.xml exists and is not a directory" \
    schemas --out "$T/batch.xml"
expect "a DIR whose parent is missing: refused" 1 \
    "simpul: schemas: cannot make the directory $T/no/xsd: No such file or directory" \
    schemas --out "$T/no/xsd"
expect "no --out: usage" 2 \
    "simpul: schemas: expected --out DIR (see: simpul help schemas)" schemas
expect "an argument too many: usage" 2 \
    "simpul: schemas: expected --out DIR (see: simpul help schemas)" \
    schemas --out "$T/x" extra
expect "an unknown option: usage" 2 \
    "simpul: schemas: unknown or incomplete option '--force' (see: simpul help schemas)" \
    schemas --force --out "$T/x"

# The override: its files are used, and an include of anything else is
# refused, a local file or a URL alike.
cp -R "$T/xsd" "$T/dev"
SIMPUL_SCHEMAS=$T/dev; export SIMPUL_SCHEMAS
expect "SIMPUL_SCHEMAS reads its folder" 0 "" verify --ca "$CA" batch.xml
for inc in /etc/passwd http://127.0.0.1:9/common.xsd; do
	sed "s|schemaLocation=\"common.xsd\"|schemaLocation=\"$inc\"|" \
	    "$T/xsd/batch.xsd" >"$T/dev/batch.xsd"
	expect "an include of $inc is refused" 3 \
	    "simpul: verify: cannot load the schema $T/dev/batch.xsd: refused to load '$inc': not one of simpul's schemas (SIMPUL_SCHEMAS names its directory; unset it for the built-in schemas)" \
	    verify --ca "$CA" batch.xml
done

done_testing
