#!/bin/sh
# build.sh KIND: configure and build simpul out of tree in build/KIND.
#   release    -O2, for the demo and benchmarks
#   check      ASan + UBSan and fault injection (src/core/fault.c), for the tests
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case $kind in
release) flags="CFLAGS=-O2 -g" extra= ;;
check) flags="CFLAGS=-O1 -g" extra="--enable-sanitizers --enable-fault-injection" ;;
*) echo "build.sh: unknown kind $kind (release or check)" >&2; exit 2 ;;
esac

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }
fi
mkdir -p "build/$kind"
cd "build/$kind"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $extra "$flags"
fi
make -s -j"$(nproc)" >/dev/null
