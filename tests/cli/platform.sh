#!/bin/sh
# platform.sh: the CLI frame, init's checks, settings, calendar, topics,
# peers and backup, with golden output and exact error lines; every refused
# command leaves the database content unchanged.
. "${top_srcdir:-.}/tests/lib.sh"
G=$top_srcdir/tests/data/cli

pki --test 33.21 33.28
P=$T/pki
DB=$T/demak.db

# --- the frame -----------------------------------------------------------
run --help
golden "--help lists every subcommand" "$G/help.out"
expect "recover takes no argument" 2 \
    "simpul: recover: unexpected argument 'x' (see: simpul help recover)" \
    --db "$DB" recover x
expect "archive needs --out" 2 \
    "simpul: archive: expected --out DIR (see: simpul help archive)" \
    --db "$DB" archive
expect "no command" 2 "simpul: no command given (see: simpul --help)"
expect "unknown command" 2 \
    "simpul: unknown command 'frobnicate' (see: simpul --help)" frobnicate
expect "unknown global option" 2 \
    "simpul: unknown or incomplete option '--dbx' (see: simpul --help)" \
    --dbx x config get
expect "no database named" 2 \
    "simpul: config: no database: give --db FILE or set SIMPUL_DB" config get
expect "database missing" 3 \
    "simpul: config: $T/none.db: No such file or directory (create it with simpul init)" \
    --db "$T/none.db" config get
run --man
ok "the man page names every subcommand" grep -q '^\.B verify$' "$T/out"

# --- init refuses what does not fit, and creates nothing -------------------
expect "init: key of another certificate" 1 \
    "simpul: init: $P/33.28.key is not the key of $P/33.21.pem" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
    --key "$P/33.28.key" --ca "$P/ca.pem"
expect "init: certificate from another CA" 1 \
    "simpul: init: certificate does not chain to the CA: unable to get local issuer certificate" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/rogue-33.21.pem" \
    --key "$P/rogue-33.21.key" --ca "$P/ca.pem"
expect "init: CN is not the node code" 1 \
    "simpul: init: certificate CN is '33.21', not the node code 33.28" \
    --db "$DB" init --node 33.28 --name Tegal --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem"
expect "init: expired certificate" 1 \
    "simpul: init: certificate does not chain to the CA: certificate has expired" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/expired-33.21.pem" \
    --key "$P/expired-33.21.key" --ca "$P/ca.pem"
expect "init: revoked certificate" 1 \
    "simpul: init: certificate is revoked by the CRL" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/revoked-33.21.pem" \
    --key "$P/revoked-33.21.key" --ca "$P/ca.pem" --crl "$P/crl.pem"
expect "init: bad node code" 1 \
    "simpul: init: node code '33.2x' is not hub or a region code such as 33.21" \
    --db "$DB" init --node 33.2x --name Demak --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem"
expect "init: bad zone" 1 "simpul: init: zone: 'UTC' is not WIB, WITA or WIT" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem" --zone UTC
expect "init: missing option" 2 \
    "simpul: init: --node, --name, --cert, --key and --ca are required (see: simpul help init)" \
    --db "$DB" init --node 33.21
ok "refused inits leave no database" test ! -e "$DB"

# --- init, and the settings it shows ---------------------------------------
run --db "$DB" init --node 33.21 --name "Kabupaten Demak" --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem" --crl "$P/crl.pem"
ok "init succeeds" test "$(cat "$T/rc")" = 0
ok "init shows the certificate" grep -q '^certificate  O=SP4N-LAPOR! federation (development),CN=33.21$' "$T/out"
ok "init shows the key type" grep -q '^  key        EC-P-256$' "$T/out"
ok "the database holds no private key" sh -c "! grep -q 'PRIVATE KEY' '$DB'"
expect "init twice" 1 "simpul: init: $DB already exists" \
    --db "$DB" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem"
run --db "$DB" config get
sed -e "s|$P|PKI|g" -e 's/[0-9a-f]\{32\}/INSTANCE/' "$T/out" > "$T/out.f"
mv "$T/out.f" "$T/out"
golden "config get shows every setting" "$G/config.out"

# --- settings: valid and refused values -----------------------------------
expect "set target hours" 0 "" --db "$DB" config set target.hours 12
run --db "$DB" config get target.hours
ok "target hours read back" test "$(cat "$T/out")" = 12
dump "$DB" > "$T/before"
expect "refuse zero target" 1 \
    "simpul: config: target.hours: 0 is out of range 1..720" \
    --db "$DB" config set target.hours 0
expect "refuse a connection cap below 8" 1 \
    "simpul: config: serve.max_connections: 4 is out of range 8..65536" \
    --db "$DB" config set serve.max_connections 4
expect "refuse unknown zone" 1 \
    "simpul: config: node.zone: 'CET' is not WIB, WITA or WIT" \
    --db "$DB" config set node.zone CET
expect "refuse changing the node code" 1 \
    "simpul: config: node.code is fixed at init" \
    --db "$DB" config set node.code 33.28
expect "refuse an unknown key" 1 \
    "simpul: config: no setting 'colour' (see: simpul config get)" \
    --db "$DB" config set colour blue
expect "refuse a plain-http hub" 1 \
    "simpul: config: node.hub: 'http://hub' is not an https:// URL" \
    --db "$DB" config set node.hub http://hub
expect "config usage" 2 \
    "simpul: config: expected get [KEY] or set KEY VALUE (see: simpul help config)" \
    --db "$DB" config set target.hours
dump "$DB" > "$T/after"
ok "refused settings change nothing" cmp -s "$T/before" "$T/after"

# --- calendar ---------------------------------------------------------------
expect "load the 2026 calendar" 0 "" --db "$DB" calendar load \
    "$top_srcdir/data/holidays-2026.txt"
run --db "$DB" calendar list 2026
golden "calendar list 2026" "$G/calendar-2026.out"
dump "$DB" > "$T/before"
printf '2026-01-01 Tahun Baru\n2026-02-30 Tidak ada\n' > "$T/bad.txt"
expect "refuse an impossible date" 1 \
    "simpul: calendar: $T/bad.txt:2: '2026-02-30' is not a date (YYYY-MM-DD)" \
    --db "$DB" calendar load "$T/bad.txt"
printf '2026-01-01 Tahun Baru\n2026-01-01 Lagi\n' > "$T/dup.txt"
expect "refuse a day listed twice" 1 \
    "simpul: calendar: $T/dup.txt:2: 2026-01-01 is listed twice" \
    --db "$DB" calendar load "$T/dup.txt"
printf '2026-01-01\n' > "$T/noname.txt"
expect "refuse a day without a name" 1 \
    "simpul: calendar: $T/noname.txt:1: expected 'YYYY-MM-DD name'" \
    --db "$DB" calendar load "$T/noname.txt"
expect "refuse a missing file" 1 \
    "simpul: calendar: $T/nope.txt: No such file or directory" \
    --db "$DB" calendar load "$T/nope.txt"
expect "calendar list takes a year" 2 \
    "simpul: calendar: year: 'next' is not a number" \
    --db "$DB" calendar list next
dump "$DB" > "$T/after"
ok "refused calendars change nothing" cmp -s "$T/before" "$T/after"

# --- topics -----------------------------------------------------------------
expect "load the national topics" 0 "" --db "$DB" category load \
    "$top_srcdir/data/topics.tsv"
printf 'INF.JLN.DESA\tINF.JLN\t2\tJalan desa rusak\n' > "$T/local.tsv"
expect "load local subtopics" 0 "" --db "$DB" category load --local "$T/local.tsv"
run --db "$DB" category list
golden "category list" "$G/topics.out"
dump "$DB" > "$T/before"
printf 'X\t-\t3\tTiga hari\n' > "$T/tier.tsv"
expect "refuse a tier that is not 2, 5, 14 or 60" 1 \
    "simpul: category: $T/tier.tsv:1: tier '3' is not 2, 5, 14 or 60 working days" \
    --db "$DB" category load "$T/tier.tsv"
printf 'X\tNOPE\t5\tYatim\n' > "$T/orphan.tsv"
expect "refuse a topic without its parent" 1 \
    "simpul: category: $T/orphan.tsv:1: parent NOPE is not listed before X" \
    --db "$DB" category load --local "$T/orphan.tsv"
printf 'KES\t-\t5\tKesehatan\n' > "$T/small.tsv"
expect "refuse a national list that drops a local topic's parent" 1 \
    "simpul: category: $T/small.tsv: topic INF.JLN.DESA hangs under INF.JLN, which is not in the list; nothing loaded" \
    --db "$DB" category load "$T/small.tsv"
printf 'LOKAL\t-\t5\tTanpa induk\n' > "$T/top.tsv"
expect "refuse a local topic at the top" 1 \
    "simpul: category: $T/top.tsv:1: a local subtopic hangs under a national topic: give its PARENT" \
    --db "$DB" category load --local "$T/top.tsv"
printf 'KES\tINF\t5\tKesehatan lagi\n' > "$T/clash.tsv"
expect "refuse a local topic that clashes with a national one" 1 \
    "simpul: category: $T/clash.tsv:1: topic KES is already in the list" \
    --db "$DB" category load --local "$T/clash.tsv"
dump "$DB" > "$T/after"
ok "refused topic lists change nothing" cmp -s "$T/before" "$T/after"

# --- peers ------------------------------------------------------------------
PIN=$(openssl x509 -in "$P/33.28.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
expect "add Tegal with a pin" 0 "" --db "$DB" peer add 33.28 \
    https://localhost:8443 --pin "sha256//$PIN"
expect "add the hub" 0 "" --db "$DB" peer add hub
dump "$DB" > "$T/before"
expect "refuse Tegal twice" 1 "simpul: peer: peer 33.28 is already added" \
    --db "$DB" peer add 33.28
expect "refuse the node itself" 1 "simpul: peer: 33.21 is this node itself" \
    --db "$DB" peer add 33.21
expect "refuse a bad code" 1 \
    "simpul: peer: 'tegal' is not hub or a region code such as 33.28" \
    --db "$DB" peer add tegal
expect "refuse a bad pin" 1 \
    "simpul: peer: pin 'abc' is not a base64 SHA-256 (44 characters)" \
    --db "$DB" peer add 33.29 --pin abc
expect "refuse removing an unknown peer" 1 "simpul: peer: no peer 33.99" \
    --db "$DB" peer remove 33.99
dump "$DB" > "$T/after"
ok "refused peer changes change nothing" cmp -s "$T/before" "$T/after"
run --db "$DB" peer list
printf '%-14s %-36s %s\n' CODE URL PINS 33.28 https://localhost:8443 "$PIN" \
    hub "(via hub)" - > "$T/peers.want"
golden "peer list" "$T/peers.want"

# --- backup -----------------------------------------------------------------
expect "backup" 0 "" --db "$DB" backup "$T/copy.db"
ok "the copy holds the same content" sh -c "sqlite3 '$DB' .dump | cmp -s - '$T/after' && sqlite3 '$T/copy.db' .dump | cmp -s - '$T/after'"
expect "refuse to overwrite a file" 1 "simpul: backup: $T/copy.db already exists" \
    --db "$DB" backup "$T/copy.db"
mkdir "$T/bk"
touch "$T/bk/simpul-notes.db" "$T/bk/other.txt"
for d in 01 02 03 04; do
	SIMPUL_NOW=2026-11-${d}T02:00:00+07:00 "$SIMPUL" --db "$DB" backup \
	    --dir "$T/bk" --keep 3 >"$T/out" 2>"$T/err"
done
ok "backup --dir names each copy by its UTC time" \
    test -s "$T/bk/simpul-20261103T190000Z.db"
eq "and keeps the newest 3 of its own copies, nothing else touched" \
    "other.txt simpul-20261101T190000Z.db simpul-20261102T190000Z.db simpul-20261103T190000Z.db simpul-notes.db" \
    "$(cd "$T/bk" && echo *)"
ok "it says what it removed" grep -qx \
    "removed $T/bk/simpul-20261031T190000Z.db" "$T/out"
ok "a kept copy holds the database" sh -c \
    "sqlite3 '$T/bk/simpul-20261102T190000Z.db' .dump | cmp -s - '$T/after'"
expect "--keep 0 is refused" 2 \
    "simpul: backup: --keep: 0 is out of range 1..10000 (see: simpul help backup)" \
    --db "$DB" backup --dir "$T/bk" --keep 0
expect "--keep without --dir is refused" 2 \
    "simpul: backup: --keep goes with --dir (see: simpul help backup)" \
    --db "$DB" backup --keep 3 "$T/x.db"
expect "a missing directory is an environment error" 3 \
    "simpul: backup: $T/nodir: No such file or directory" \
    --db "$DB" backup --dir "$T/nodir"

done_testing
