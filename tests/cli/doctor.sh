#!/bin/sh
# doctor.sh: simpul doctor says ok for a healthy node (exit 0), and for
# each problem what it found and what to do (exit 1): a key others can
# read, a certificate that expired, one about to, a stale CRL, a damaged
# database; a stray argument is a usage error.
. "${top_srcdir:-.}/tests/lib.sh"

pki --test 33.21
P=$T/pki
DB=$T/demak.db
cp "$P/33.21.pem" "$T/node.pem"
cp "$P/33.21.key" "$T/node.key"
chmod 0600 "$T/node.key"
"$SIMPUL" --db "$DB" init --node 33.21 --name Demak --cert "$T/node.pem" \
    --key "$T/node.key" --ca "$P/ca.pem" --crl "$P/crl.pem" >/dev/null

run --db "$DB" doctor
eq "a healthy node: exit 0" 0 "$(cat "$T/rc")"
eq "seven checks, all ok" 7 "$(grep -c '^ok  ' "$T/out")"
has "without a hub the clock is not compared" "$T/out" \
    '^ok +clock: not compared: no hub configured$'
has "the database was checked" "$T/out" '^ok +database: quick_check ok'
has "the key matches the certificate" "$T/out" "^ok +key: $T/node.key is the key of $T/node.pem$"
expect "a stray argument is a usage error" 2 \
    "simpul: doctor: unexpected argument 'now' (see: simpul help doctor)" \
    --db "$DB" doctor now

chmod 0644 "$T/node.key"
expect "a key others can read: exit 1" 1 \
    "simpul: doctor: 1 problem(s), each with what to do above" --db "$DB" doctor
has "says so, and what to do" "$T/out" \
    "^PROBLEM +key file: $T/node.key is mode 0644: others may read or write it; do: chmod 0640"
chmod 0600 "$T/node.key"

SIMPUL_NOW=2027-02-01T00:00:00+07:00 run --db "$DB" doctor
eq "a month on, the CRL is stale: exit 1" 1 "$(cat "$T/rc")"
has "the CRL line says since when and what to do" "$T/out" \
    "^PROBLEM +CRL: $P/crl.pem is stale since .*; do: check that serve reaches the hub"

na=$(openssl x509 -in "$T/node.pem" -noout -enddate | sed 's/notAfter=//')
soon=$(date -u -d "$na -10 days" +%Y-%m-%dT%H:%M:%S+00:00)
SIMPUL_NOW=$soon run --db "$DB" doctor
has "ten days before it expires, the certificate is a problem" "$T/out" \
    "^PROBLEM +certificate: $T/node.pem expires .*, in [0-9]+ day\\(s\\); do: ask the CA operator"

cp "$P/expired-33.21.pem" "$T/node.pem"
cp "$P/expired-33.21.key" "$T/node.key"
run --db "$DB" doctor
eq "an expired certificate: exit 1" 1 "$(cat "$T/rc")"
has "the certificate and key line says why" "$T/out" \
    '^PROBLEM +certificate and key: .*; do: put the node.s own certificate'
cp "$P/33.21.pem" "$T/node.pem"
cp "$P/33.21.key" "$T/node.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/other.key" 2>/dev/null
cp "$T/other.key" "$T/node.key"
chmod 0600 "$T/node.key"
run --db "$DB" doctor
has "a key that is not the certificate's is a problem" "$T/out" \
    "^PROBLEM +certificate and key: $T/node.key is not the key of $T/node.pem"
cp "$P/33.21.key" "$T/node.key"

cp "$DB" "$T/bad.db"
size=$(stat -c %s "$T/bad.db")
dd if=/dev/urandom of="$T/bad.db" bs=1024 seek=8 count=$(( size / 1024 - 10 )) \
    conv=notrunc 2>/dev/null
run --db "$T/bad.db" doctor
ok "a damaged database is not ok" test "$(cat "$T/rc")" != 0
ok "and the database is named as what is wrong" grep -Eq \
    'PROBLEM +database:|damaged|malformed|not a database' "$T/out" "$T/err"

done_testing
