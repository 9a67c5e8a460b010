#!/bin/sh
# user.sh: `simpul user` keeps the web desk's accounts: add with each
# role, a liaison with its unit, passwd, disable, list; the password is
# read from standard input, kept only as an Argon2id hash, and checked
# against the policy; every bad argument is refused with what and why and
# changes nothing.
. "${top_srcdir:-.}/tests/lib.sh"

pki 33.21
DB=$T/demak.db
"$SIMPUL" --db "$DB" init --node 33.21 --name Demak --cert "$T/pki/33.21.pem" \
    --key "$T/pki/33.21.key" --ca "$T/pki/ca.pem" >/dev/null
PW=rahasia-sekali-2026

# add_user ARGS...: user add with the password $PW on standard input.
add_user() { echo "$PW" | "$SIMPUL" --db "$DB" user add "$@"; }

eq "an officer is added" "added user siti (officer)" \
    "$(add_user siti --name 'Siti Rahayu' --role officer)"
eq "a liaison officer with the unit it answers for" \
    "added user budi (liaison, Dinas PU)" \
    "$(add_user budi --name 'Budi Santoso' --role liaison --unit 'Dinas PU')"
eq "an admin" "added user admin (admin)" \
    "$(add_user admin --name Admin --role admin)"
eq "an auditor" "added user bpk.audit (auditor)" \
    "$(add_user bpk.audit --name 'Auditor BPK' --role auditor)"
hash=$(sqlite3 "$DB" "SELECT hash FROM web_user WHERE login = 'siti'")
ok "the password is kept as an Argon2id hash" sh -c \
    "echo '$hash' | grep -Eq '^\\\$argon2id\\\$v=19\\\$m=65536,t=2,p=1\\\$'"
ok "and nowhere in clear" sh -c "! grep -qa '$PW' '$DB' '$DB-wal'"

dump "$DB" >"$T/before.sql"
# refuse DESCRIPTION STDERR-LINE ARGS...: user add exits 1 with that line.
refuse() {
	d=$1 want=$2
	shift 2
	tap_n=$((tap_n + 1))
	echo "$PW" | "$SIMPUL" --db "$DB" user add "$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$T/err")" = "$want" ]; then
		echo "ok $tap_n - $d"
	else
		echo "not ok $tap_n - $d"
		echo "#   exit $rc, stderr: $(cat "$T/err")"
		tap_failed=1
	fi
}
refuse "a login taken" "simpul: user: user siti already exists" \
    siti --name Siti --role officer
refuse "a login with capitals" \
    "simpul: user: login 'Siti': give 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter" \
    Siti --name Siti --role officer
refuse "a login starting with a digit" \
    "simpul: user: login '1siti': give 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter" \
    1siti --name Siti --role officer
refuse "a login of 33 characters" \
    "simpul: user: login 'abcdefghijklmnopqrstuvwxyzabcdefg': give 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter" \
    abcdefghijklmnopqrstuvwxyzabcdefg --name X --role officer
refuse "an unknown role" \
    "simpul: user: role 'root' is not admin, officer, liaison or auditor" \
    ani --name Ani --role root
refuse "a liaison without a unit" \
    "simpul: user: a liaison officer answers for a unit: give --unit" \
    ani --name Ani --role liaison
refuse "an empty name" \
    "simpul: user: --name: give 1 to 200 bytes of UTF-8 on one line" \
    ani --name '' --role officer
expect "add without --role is a usage error" 2 \
    "simpul: user: add needs LOGIN, --name and --role (see: simpul help user)" \
    --db "$DB" user add ani --name Ani
expect "an option without its value too" 2 \
    "simpul: user: unknown or incomplete option '--unit' (see: simpul help user)" \
    --db "$DB" user add ani --name Ani --role officer --unit
expect "a password on the command line is not an option" 2 \
    "simpul: user: unknown or incomplete option '--password' (see: simpul help user)" \
    --db "$DB" user add ani --name Ani --role officer --password x
expect "an unknown subcommand" 2 \
    "simpul: user: expected add, passwd, disable or list (see: simpul help user)" \
    --db "$DB" user remove siti

# pw DESCRIPTION LOGIN STDERR-LINE: user add LOGIN with standard input as
# the password.
pw() {
	tap_n=$((tap_n + 1))
	"$SIMPUL" --db "$DB" user add "$2" --name Ani --role officer \
	    >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc = 1 ] && [ "$(cat "$T/err")" = "$3" ]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   exit $rc, stderr: $(cat "$T/err")"
		tap_failed=1
	fi
}
NOPW="simpul: user: no password on standard input (one line of at most 128 bytes)"
# (Each password from a file: a function on the right of a pipe would run
# in a subshell, and its count would be lost.)
echo abcdefghijk >"$T/pw"
pw "a password of 11 bytes" ani \
    "simpul: user: the password must be 12 to 128 bytes long (it is 11)" <"$T/pw"
printf '%0129d\n' 0 >"$T/pw"
pw "one of 129 bytes" ani \
    "simpul: user: the password must be 12 to 128 bytes long (it is 129)" <"$T/pw"
printf '%0300d\n' 0 >"$T/pw"
pw "a line too long to be one" ani "$NOPW" <"$T/pw"
echo ani.rahmawati >"$T/pw"
pw "the login as the password" ani.rahmawati \
    "simpul: user: the password must not be the login" <"$T/pw"
printf 'abcdefghijk\377\n' >"$T/pw"
pw "a password that is not UTF-8" ani \
    "simpul: user: the password must be UTF-8 on one line" <"$T/pw"
pw "no password at all" ani "$NOPW" </dev/null
dump "$DB" >"$T/after.sql"
ok "nothing refused changed the database" cmp "$T/before.sql" "$T/after.sql"

eq "passwd changes the password" "changed the password of siti" \
    "$(echo 'sandi-baru-yang-panjang' | "$SIMPUL" --db "$DB" user passwd siti)"
ok "to another hash" test "$hash" != \
    "$(sqlite3 "$DB" "SELECT hash FROM web_user WHERE login = 'siti'")"
expect "passwd of nobody" 1 "simpul: user: no user nobody" \
    --db "$DB" user passwd nobody
eq "disable" "disabled user budi: it can no longer log in" \
    "$("$SIMPUL" --db "$DB" user disable budi)"
expect "disable of nobody" 1 "simpul: user: no user nobody" \
    --db "$DB" user disable nobody
run --db "$DB" user list
cat >"$T/list.want" <<'END'
LOGIN            ROLE     UNIT             STATE    NAME
admin            admin    -                active   Admin
bpk.audit        auditor  -                active   Auditor BPK
budi             liaison  Dinas PU         disabled Budi Santoso
siti             officer  -                active   Siti Rahayu
END
ok "list shows each account, its role, unit and state" \
    cmp "$T/list.want" "$T/out"
done_testing
