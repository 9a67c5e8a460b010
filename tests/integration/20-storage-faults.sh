#!/bin/sh
# 20-storage-faults.sh: the storage faults of issue 10 item 5, each a
# one-line refusal with exit 3 that loses nothing and writes nothing half:
# a full disk (a real tmpfs), a read-only file, directory and file system,
# a damaged file (bytes overwritten, truncated, not SQLite at all), a
# database locked by another writer, and a second serve on one database.
# Mounting needs root; without it those points are skipped.
. "${top_srcdir:-.}/tests/lib.sh"

pki 33.21
P=$T/pki
DB=$T/demak.db
"$SIMPUL" --db "$DB" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
    --key "$P/33.21.key" --ca "$P/ca.pem" >/dev/null
"$SIMPUL" --db "$DB" calendar load "$top_srcdir/data/holidays-2026.txt" \
    >/dev/null
"$SIMPUL" --db "$DB" complaint file --title "Jalan rusak" \
    --body "Jalan desa berlubang" --reporter-name Siti >/dev/null
"$SIMPUL" --db "$DB" complaint file --title "Lampu mati" \
    --body "Lampu jalan mati" >/dev/null
dump "$DB" > "$T/demak.sql"

# Three years of holidays with long names: more than 48 KiB to write.
awk 'BEGIN { for (y = 2027; y <= 2029; y++) for (m = 1; m <= 12; m++) {
	n = (m == 2) ? ((y % 4 == 0) ? 29 : 28) : \
	    ((m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31)
	for (d = 1; d <= n; d++)
		printf "%04d-%02d-%02d hari libur dengan nama yang panjang " \
		    "untuk mengisi halaman %d%02d%02d\n", y, m, d, y, m, d } }' \
    > "$T/years.txt"

# same DESCRIPTION FILE SQL: FILE still holds exactly what SQL holds.  On a
# read-only file system, where no -wal can be, it is read as immutable.
same() {
	if touch "$2.probe" 2>/dev/null; then
		rm -f "$2.probe"
		dump "$2" > "$T/now.sql" 2>&1
	else
		sqlite3 "file:$2?immutable=1" .dump > "$T/now.sql" 2>&1
	fi
	ok "$1" cmp "$3" "$T/now.sql"
}

is_root=0
[ "$(id -u)" = 0 ] && is_root=1

# ---- a full disk ------------------------------------------------------------
# 1 MiB: room for the policy version that three years of holidays make.
if [ $is_root = 1 ] && mount_tmpfs "$T/full" 1m; then
	F=$T/full/demak.db
	cp "$DB" "$F"
	full="the disk is full, nothing was written: free some space and try again"
	# not a byte left: not even SQLite's WAL index fits
	dd if=/dev/zero of="$T/full/fill" bs=4k 2>/dev/null
	expect "full disk: complaint file refused" 3 \
	    "simpul: complaint: $F: $full" \
	    --db "$F" complaint file --title a --body b
	expect "full disk: config set refused" 3 "simpul: config: $F: $full" \
	    --db "$F" config set target.hours 48
	N=$T/full/new.db
	expect "full disk: init refused" 3 "simpul: init: $N: $full" \
	    --db "$N" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
	    --key "$P/33.21.key" --ca "$P/ca.pem"
	ok "... and leaves no file behind" test ! -e "$N" -a ! -e "$N-wal"
	# 48 KiB left: the WAL index fits, three years of holidays do not
	truncate -s -48K "$T/full/fill"
	expect "nearly full disk: calendar load refused" 3 \
	    "simpul: calendar: $F: $full" --db "$F" calendar load "$T/years.txt"
	expect "nearly full disk: the reads still work" 0 "" \
	    --db "$F" complaint list
	ok "the list is whole" test "$(grep -c '^33.21-' "$T/out")" = 2
	rm -f "$T/full/fill"
	same "full disk: the database holds what it held" "$F" "$T/demak.sql"
	ok "no half-written WAL is left behind" test ! -s "$F-wal"
	expect "space freed: calendar load succeeds" 0 "" \
	    --db "$F" calendar load "$T/years.txt"
	ok "all the days are there" test \
	    "$("$SIMPUL" --db "$F" calendar list 2028 | grep -c libur)" = 366
	expect "space freed: complaint file succeeds" 0 "" \
	    --db "$F" complaint file --title a --body b
	expect "space freed: init succeeds" 0 "" \
	    --db "$N" init --node 33.21 --name Demak --cert "$P/33.21.pem" \
	    --key "$P/33.21.key" --ca "$P/ca.pem"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
		skip "full disk point $i" "needs root to mount a tmpfs"
	done
fi

# ---- a read-only database ------------------------------------------------------
ro="the database is read-only, nothing was written"
# readonly_cases WHAT DB: reads work, writes refused, nothing changed.
readonly_cases() {
	expect "$1: config get works" 0 "" --db "$2" config get target.hours
	ok "$1: config get prints the value" test "$(cat "$T/out")" = 24
	expect "$1: complaint list works" 0 "" --db "$2" complaint list
	ok "$1: the list is whole" test "$(grep -c '^33.21-' "$T/out")" = 2
	expect "$1: complaint show works" 0 "" \
	    --db "$2" complaint show 33.21-000001
	expect "$1: config set refused" 3 "simpul: config: $2: $ro" \
	    --db "$2" config set target.hours 48
	expect "$1: complaint file refused" 3 "simpul: complaint: $2: $ro" \
	    --db "$2" complaint file --title a --body b
	expect "$1: a reveal, which is logged, refused" 3 \
	    "simpul: complaint: $2: $ro" \
	    --db "$2" complaint show 33.21-000001 --reveal
	expect "$1: calendar load refused" 3 "simpul: calendar: $2: $ro" \
	    --db "$2" calendar load "$T/years.txt"
	same "$1: nothing changed" "$2" "$T/demak.sql"
}

# Permissions do not stop root: the file and directory cases run as nobody.
real=$SIMPUL
if [ $is_root = 1 ]; then
	printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 ' \
	    > "$T/nobody"
	printf -- '--clear-groups -- "%s" "$@"\n' "$real" >> "$T/nobody"
	chmod 0755 "$T/nobody"
	chmod 0755 "$T"
fi
mkdir -p "$T/rw" "$T/ro"
chmod 0777 "$T/rw"
cp "$DB" "$T/rw/file.db"
chmod 0444 "$T/rw/file.db"
cp "$DB" "$T/ro/dir.db"
chmod 0666 "$T/ro/dir.db"
chmod 0555 "$T/ro"
[ $is_root = 1 ] && SIMPUL=$T/nobody
readonly_cases "file mode 0444" "$T/rw/file.db"
readonly_cases "read-only directory" "$T/ro/dir.db"
SIMPUL=$real
if [ $is_root = 1 ] && mount_tmpfs "$T/rofs" 1m; then
	cp "$DB" "$T/rofs/fs.db"
	mount -o remount,ro "$T/rofs"
	readonly_cases "read-only file system" "$T/rofs/fs.db"
	expect "read-only file system: serve refused" 3 \
	    "simpul: serve: $T/rofs/fs.db: $ro" \
	    --db "$T/rofs/fs.db" serve --listen 127.0.0.1:0
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		skip "read-only file system point $i" "needs root to mount"
	done
fi

# ---- a damaged database ----------------------------------------------------------
bad="the database is damaged: restore the latest simpul backup"
# damaged_cases WHAT DB: every write and serve refused, nothing changed.
damaged_cases() {
	cp "$2" "$T/damaged.copy"
	expect "$1: complaint list refused" 3 "simpul: complaint: $2: $bad" \
	    --db "$2" complaint list
	expect "$1: config set refused" 3 "simpul: config: $2: $bad" \
	    --db "$2" config set target.hours 48
	expect "$1: complaint file refused" 3 "simpul: complaint: $2: $bad" \
	    --db "$2" complaint file --title a --body b
	expect "$1: backup refused" 3 "simpul: backup: $2: $bad" \
	    --db "$2" backup "$2.backup"
	expect "$1: serve refused" 3 "simpul: serve: $2: $bad" \
	    --db "$2" serve --listen 127.0.0.1:0
	ok "$1: the file is untouched" cmp "$2" "$T/damaged.copy"
}

# bytes overwritten in the middle: the complaint table's root page
cp "$DB" "$T/middle.db"
pgsz=$(sqlite3 "$DB" 'PRAGMA page_size')
root=$(sqlite3 "$DB" "SELECT rootpage FROM sqlite_schema WHERE name = 'complaint'")
head -c "$pgsz" /dev/zero | tr '\0' 'X' | dd of="$T/middle.db" \
    bs="$pgsz" seek=$((root - 1)) conv=notrunc 2>/dev/null
damaged_cases "bytes overwritten" "$T/middle.db"
# A read that never meets the damaged page is answered from healthy ones.
expect "bytes overwritten: a read of healthy pages works" 0 "" \
    --db "$T/middle.db" config get target.hours
ok "bytes overwritten: ... and is right" test "$(cat "$T/out")" = 24

cp "$DB" "$T/truncated.db"
truncate -s $(($(stat -c %s "$DB") / 2)) "$T/truncated.db"
damaged_cases "truncated" "$T/truncated.db"
expect "truncated: config get refused" 3 \
    "simpul: config: $T/truncated.db: $bad" \
    --db "$T/truncated.db" config get target.hours

awk 'BEGIN { for (i = 0; i < 300; i++) print "not a database at all" }' \
    > "$T/text.db"
damaged_cases "not SQLite" "$T/text.db"
expect "not SQLite: config get refused" 3 \
    "simpul: config: $T/text.db: $bad" --db "$T/text.db" config get

# ---- a locked database -----------------------------------------------------------
# Another process holds a write transaction until told to end it.
mkfifo "$T/holder"
sqlite3 "$DB" < "$T/holder" > /dev/null 2>&1 &
holder=$!
exec 3> "$T/holder"
# It waits for the probe below: without a timeout, a probe holding the lock
# at that moment made its BEGIN fail, and nothing held the lock at all.
printf '.timeout 60000\nBEGIN IMMEDIATE; %s\n' \
    'UPDATE setting SET value = value;' >&3
i=0
while sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' \
    >/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
export SIMPUL_BUSY_TIMEOUT_MS=300
locked="the database is locked, try again later"
expect "locked: config set refused" 3 "simpul: config: $DB: $locked" \
    --db "$DB" config set target.hours 48
expect "locked: complaint file refused" 3 \
    "simpul: complaint: $DB: $locked" \
    --db "$DB" complaint file --title a --body b
expect "locked: config get works" 0 "" --db "$DB" config get target.hours
expect "locked: complaint list shows what is there" 0 "" \
    --db "$DB" complaint list
ok "locked: the list is whole" test "$(grep -c '^33.21-' "$T/out")" = 2
SIMPUL_BUSY_TIMEOUT_MS=soon
expect "a bad busy timeout is refused" 1 \
    "simpul: config: SIMPUL_BUSY_TIMEOUT_MS: 'soon' is not a number" \
    --db "$DB" config get
SIMPUL_BUSY_TIMEOUT_MS=300
echo "ROLLBACK;" >&3
exec 3>&-
wait $holder
same "locked: nothing changed" "$DB" "$T/demak.sql"
expect "unlocked: config set succeeds" 0 "" \
    --db "$DB" config set target.hours 24
unset SIMPUL_BUSY_TIMEOUT_MS

# ---- a second serve ----------------------------------------------------------------
ok "the first serve starts" start_node first "$DB"
expect "a second serve is refused" 3 \
    "simpul: serve: another simpul serve is running on $DB (pid $first_pid)" \
    --db "$DB" serve --listen 127.0.0.1:0
ok "the first keeps running" kill -0 "$first_pid"
ok "... and answering" test "$(https 33.21 "$first_port" /v1/status)" = 403
expect "the CLI works alongside serve" 0 "" \
    --db "$DB" complaint file --title "Saat serve" --body b
expect "... and reads too" 0 "" --db "$DB" complaint list
ok "... all three" test "$(grep -c '^33.21-' "$T/out")" = 3
kill -KILL "$first_pid"
wait "$first_pid" 2>/dev/null
ok "after kill -9 a new serve starts" start_node second "$DB"
stop_node second
ok "... and stops cleanly" test $? = 0

done_testing
