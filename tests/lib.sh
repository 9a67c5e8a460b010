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

# A private scratch directory, removed at exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/simpul-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

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
