# lib.sh: shared by the shell tests.  Each test script prints TAP through
# the ok/expect/golden helpers and ends with done_testing, which prints the
# plan; a script that dies early prints none, and the TAP driver reports it.  $SIMPUL, $top_srcdir and $top_builddir come from make check.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SIMPUL:=$top_builddir/simpul}"
export SIMPUL_NOW="${SIMPUL_NOW:-}"
export SIMPUL_ACTOR=tester
unset SIMPUL_DB

tap_n=0
tap_failed=0

# A private scratch directory, removed at exit with every node still
# running (see start_node).
T=$(mktemp -d "${TMPDIR:-/tmp}/simpul-test.XXXXXX")
done_testing() {
	echo "1..$tap_n"
	exit $tap_failed
}

ok() {		# ok DESCRIPTION COMMAND...: passes when COMMAND succeeds
	desc=$1; shift
	tap_n=$((tap_n + 1))
	if "$@" >"$T/.out" 2>&1; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		sed 's/^/# /' "$T/.out"
		tap_failed=1
	fi
}

# run [EXPECTED-STATUS] ARGS...: run simpul; stdout to $T/out, stderr to
# $T/err, status to $T/rc.
run() {
	"$SIMPUL" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
}

# expect DESCRIPTION STATUS STDERR-LINE ARGS...: simpul exits with STATUS
# and prints exactly STDERR-LINE on stderr ("" for nothing).
expect() {
	desc=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	tap_n=$((tap_n + 1))
	got_rc=$(cat "$T/rc")
	got_err=$(cat "$T/err")
	if [ "$got_rc" = "$want_rc" ] && [ "$got_err" = "$want_err" ]; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		echo "#   want exit $want_rc, stderr: $want_err"
		echo "#   got  exit $got_rc, stderr: $got_err"
		tap_failed=1
	fi
}

# has DESCRIPTION FILE PATTERN: FILE has a line matching PATTERN (grep -E).
has() {
	tap_n=$((tap_n + 1))
	if grep -Eq -- "$3" "$2"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   no line matching: $3"
		sed 's/^/# /' "$2"
		tap_failed=1
	fi
}

# eq DESCRIPTION WANT GOT: the two strings are equal.
eq() {
	tap_n=$((tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		echo "#   want '$2', got '$3'"
		tap_failed=1
	fi
}

# mknode DB CODE NAME [init options]: a node from the test PKI ($T/pki)
# with the topic list, ready to exchange.
mknode() {
	mn_db=$1 mn_code=$2 mn_name=$3
	shift 3
	"$SIMPUL" --db "$mn_db" init --node "$mn_code" --name "$mn_name" \
	    --cert "$T/pki/$mn_code.pem" --key "$T/pki/$mn_code.key" \
	    --ca "$T/pki/ca.pem" --crl "$T/pki/crl.pem" "$@" >/dev/null &&
	    "$SIMPUL" --db "$mn_db" category load \
	    "$top_srcdir/data/topics.tsv" >/dev/null
}

# golden DESCRIPTION FILE: $T/out equals the golden file byte for byte.
golden() {
	tap_n=$((tap_n + 1))
	if cmp -s "$T/out" "$2"; then
		echo "ok $tap_n - $1"
	else
		echo "not ok $tap_n - $1"
		diff -u "$2" "$T/out" | sed 's/^/# /'
		tap_failed=1
	fi
}

# A development PKI for the test, made once per script.
pki() {
	"$top_srcdir/certs/mkcerts.sh" -d "$T/pki" "$@" >/dev/null
}

# dump DB: the database's content as SQL, for before/after comparisons.
dump() { sqlite3 "$1" .dump; }

# ---- real nodes on loopback ------------------------------------------------
# start_node NAME DB [PORT [SERVE-OPTIONS...]]: `simpul serve --listen
# 127.0.0.1:PORT` (0 by default: any) in the background, its log in $T/NAME.log (an earlier one
# moved to NAME.log.old); sets
# NAME_pid and NAME_port once it listens (10 s at most).  Every node still
# running is killed at exit.
start_node() {
	sn_name=$1 sn_db=$2 sn_port=${3:-0}
	shift 2
	[ $# -gt 0 ] && shift
	[ -f "$T/$sn_name.log" ] && mv "$T/$sn_name.log" "$T/$sn_name.log.old"
	"$SIMPUL" --db "$sn_db" serve --listen "127.0.0.1:$sn_port" "$@" \
	    >"$T/$sn_name.log" 2>&1 &
	eval "${sn_name}_pid=$!"
	echo $! >> "$T/.pids"
	sn_i=0
	while [ $sn_i -lt 100 ]; do
		sn_port=$(sed -n 's/.* listening on port \([0-9]*\),.*/\1/p' \
		    "$T/$sn_name.log" 2>/dev/null)	# maybe not opened yet
		if [ -n "$sn_port" ]; then
			eval "${sn_name}_port=$sn_port"
			return 0
		fi
		# ended before it listened (a refusal to start)
		eval "kill -0 \$${sn_name}_pid" 2>/dev/null || return 1
		sleep 0.1
		sn_i=$((sn_i + 1))
	done
	return 1
}

# start_loop NAME DB: `simpul serve` without --listen (a node behind NAT
# that only reaches out), like start_node; waits for its first log line.
start_loop() {
	sl_name=$1
	[ -f "$T/$sl_name.log" ] && mv "$T/$sl_name.log" "$T/$sl_name.log.old"
	"$SIMPUL" --db "$2" serve >"$T/$sl_name.log" 2>&1 &
	eval "${sl_name}_pid=$!"
	echo $! >> "$T/.pids"
	sl_i=0
	while [ $sl_i -lt 100 ]; do
		grep -q " syncing with " "$T/$sl_name.log" && return 0
		sleep 0.1
		sl_i=$((sl_i + 1))
	done
	return 1
}

# eventually DESCRIPTION SECONDS COMMAND...: a TAP point that passes as
# soon as COMMAND succeeds, polled every 0.2 s for at most SECONDS.
eventually() {
	ev_desc=$1 ev_max=$(($2 * 5)) ev_i=0
	shift 2
	while ! "$@" >"$T/.out" 2>&1; do
		ev_i=$((ev_i + 1))
		if [ $ev_i -ge $ev_max ]; then
			ok "$ev_desc" "$@"
			return
		fi
		sleep 0.2
	done
	ok "$ev_desc" true
}

# stop_node NAME: SIGTERM, then wait at most 10 s; returns its exit status
# (137 when it had to be killed).
stop_node() {
	eval "sp_pid=\$${1}_pid"
	kill -TERM "$sp_pid" 2>/dev/null
	sp_i=0
	while kill -0 "$sp_pid" 2>/dev/null && [ $sp_i -lt 100 ]; do
		sleep 0.1
		sp_i=$((sp_i + 1))
	done
	if kill -0 "$sp_pid" 2>/dev/null; then
		kill -KILL "$sp_pid"
		wait "$sp_pid" 2>/dev/null
		return 137
	fi
	wait "$sp_pid"
}

# https WHO PORT PATH [curl options]: a request with WHO's certificate;
# prints the HTTP status and leaves the body in $T/body.
https() {
	hw=$1 hp=$2 hpath=$3
	shift 3
	curl -s -o "$T/body" -w '%{http_code}' --max-time 10 \
	    --cacert "$T/pki/ca.pem" --cert "$T/pki/$hw.pem" \
	    --key "$T/pki/$hw.key" "$@" "https://localhost:$hp$hpath"
}

# skip DESCRIPTION REASON: a TAP point that could not run here.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# mount_tmpfs DIR SIZE: a small file system of its own (root only), so a
# test can fill it or make it read-only; unmounted at exit.
mount_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" &&
	    echo "$1" >> "$T/.mounts"
}

kill_nodes() {
	[ -f "$T/.pids" ] && xargs kill -KILL < "$T/.pids" 2>/dev/null
	if [ -f "$T/.mounts" ]; then
		while read -r km; do
			umount "$km" 2>/dev/null || umount -l "$km"
		done < "$T/.mounts"
	fi
	chmod -R u+w "$T" 2>/dev/null	# a test's read-only directories
	rm -rf "$T"
}
trap kill_nodes EXIT
trap 'exit 129' HUP INT TERM	# so that the EXIT trap runs then too
