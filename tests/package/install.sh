#!/bin/sh
# install.sh: the package installed and purged on this machine as an
# administrator would, without systemd as PID 1 (none runs here or in
# CI, so `systemctl start` cannot be tested): dpkg -i makes the simpul
# user, /var/lib/simpul (0750) and /etc/simpul; the installed units pass
# `systemd-analyze verify`; the installed binary, run as simpul, makes a
# node and serves it until SIGTERM, saying READY=1 on a notify socket as
# Type=notify expects; purge keeps the database, and the user that owns
# it, and takes both once the database is gone.  It changes the machine, so it runs only as root, with
# SIMPUL_DEB_INSTALL=1 (CI sets it), and not where simpul is installed.
. "${top_srcdir:-.}/tests/lib.sh"

D=${SIMPUL_DEB_DIR:-$top_srcdir/build/deb}
deb=$(ls "$D"/simpul_*_*.deb 2>/dev/null | head -1)
why=
[ "${SIMPUL_DEB_INSTALL:-0}" = 1 ] || why="SIMPUL_DEB_INSTALL=1 not set"
[ -n "$why" ] || [ "$(id -u)" = 0 ] || why="not root"
[ -n "$why" ] || ! dpkg -s simpul >/dev/null 2>&1 || why="simpul is installed"
if [ -n "$why" ]; then
	skip "installing the package" "$why"
	done_testing
fi
ok "the package was built" test -f "$deb"
ok "dpkg -i installs it" sh -c "dpkg -i '$deb' >'$T/dpkg.log' 2>&1"
ok "postinst made the simpul system user" sh -c \
    "getent passwd simpul | grep -q ':/var/lib/simpul:/usr/sbin/nologin\$'"
eq "/var/lib/simpul is the user's, 0750" "simpul:simpul 750" \
    "$(stat -c '%U:%G %a' /var/lib/simpul)"
eq "/etc/simpul is readable by the group only" "root:simpul 750" \
    "$(stat -c '%U:%G %a' /etc/simpul)"
for u in simpul.service simpul-backup.service simpul-backup.timer; do
	ok "systemd-analyze verify passes on the installed $u" \
	    systemd-analyze verify --man=no "/lib/systemd/system/$u"
done

pki --test 33.21
install -o root -g simpul -m 0640 "$T/pki/33.21.key" /etc/simpul/33.21.key
install -o root -g simpul -m 0644 "$T/pki/33.21.pem" "$T/pki/ca.pem" \
    /etc/simpul/
install -o simpul -g simpul -m 0644 "$T/pki/crl.pem" /var/lib/simpul/crl.pem
DB=/var/lib/simpul/simpul.db
# as_simpul ARGS: the installed simpul as the simpul user.  (serve is
# started the same way below, but as one command, so that $! is simpul's
# own pid and its exit status simpul's.)
as_simpul() {
	SIMPUL_DB=$DB setpriv --reuid=simpul --regid=simpul --clear-groups \
	    /usr/bin/simpul "$@"
}
ok "the installed simpul makes a node as the simpul user" as_simpul init \
    --node 33.21 --name Demak --cert /etc/simpul/33.21.pem \
    --key /etc/simpul/33.21.key --ca /etc/simpul/ca.pem \
    --crl /var/lib/simpul/crl.pem
as_simpul doctor >"$T/doctor.out" 2>&1
has "doctor finds the installed key's mode right" "$T/doctor.out" \
    '^ok +key file: /etc/simpul/33.21.key is mode 0640$'
/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.settimeout(30)
print(s.recv(4096).decode(), flush=True)
' "$T/notify.sock" >"$T/notify.out" 2>&1 &
echo $! >> "$T/.pids"
eventually "a notify socket listens" 10 test -S "$T/notify.sock"
chmod 0755 "$T"
SIMPUL_DB=$DB NOTIFY_SOCKET="$T/notify.sock" setpriv --reuid=simpul \
    --regid=simpul --clear-groups /usr/bin/simpul serve \
    --listen 127.0.0.1:0 >"$T/serve.log" 2>&1 &
serve_pid=$!
echo $serve_pid >> "$T/.pids"
eventually "serve, as simpul, tells the notify socket it is ready" 20 \
    grep -q 'READY=1' "$T/notify.out"
kill -TERM $serve_pid
wait $serve_pid
eq "and stops cleanly on SIGTERM" 0 $?

ok "dpkg --purge removes the package" sh -c \
    "dpkg --purge simpul >>'$T/dpkg.log' 2>&1"
ok "the binary is gone" test ! -e /usr/bin/simpul
ok "the database is kept" test -s $DB
ok "and so is the user that owns it" getent passwd simpul

# Once the administrator has moved the database and keys away, a purge
# takes the rest: the directories and the user.
rm -f /var/lib/simpul/simpul.db* /var/lib/simpul/crl.pem /etc/simpul/*
ok "the package installs again over the kept user" sh -c \
    "dpkg -i '$deb' >>'$T/dpkg.log' 2>&1"
ok "and purges" sh -c "dpkg --purge simpul >>'$T/dpkg.log' 2>&1"
ok "now /var/lib/simpul is gone" test ! -e /var/lib/simpul
ok "and /etc/simpul" test ! -e /etc/simpul
ok "and the simpul user" sh -c "! getent passwd simpul"
done_testing
