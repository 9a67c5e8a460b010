#!/bin/sh
# valgrind.sh ARGS...: simpul under valgrind's memcheck.  `make valgrind`
# runs the shell tests with SIMPUL set to this script, so that every
# simpul they start (serve included) runs under it.  An error, or a leak
# valgrind calls definite, makes simpul exit 99 (the test fails) and
# leaves its report in $top_builddir/valgrind/PID.log.  tests/valgrind.supp
# names what is the libraries' and why.
# Some tests run simpul as another user (nobody): the reports' directory
# is everyone's, like /tmp.
mkdir -p "$top_builddir/valgrind" 2>/dev/null
chmod 1777 "$top_builddir/valgrind" 2>/dev/null
exec valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --suppressions="$top_srcdir/tests/valgrind.supp" \
    --log-file="$top_builddir/valgrind/%p.log" \
    "$top_builddir/simpul" "$@"
