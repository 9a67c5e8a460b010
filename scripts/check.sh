#!/bin/sh
# check.sh: the test command.  Installs what is missing, builds with ASan
# and UBSan in build/check, runs every test (make check) and ends with one
# line "N passed, N failed[, N skipped]" counted from the test results.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh" check
cd "$top/build/check"
rc=0
make -j"$(nproc)" check VERBOSE=1 || rc=$?
[ -f test-suite.log ] || { echo "0 passed, 1 failed"; exit 1; }
awk '/^# PASS:/ { p = $3 } /^# (FAIL|XPASS|ERROR):/ { f += $3 }
    /^# SKIP:/ { s = $3 }
    END { printf "%d passed, %d failed", p, f
        if (s > 0) printf ", %d skipped", s
        printf "\n" }' test-suite.log
exit $rc
