#!/bin/sh
# deb.sh: build the Debian package from the release tarball (so it also
# proves debian/ is in it) in build/deb, then run lintian on it.  Leaves
# build/deb/simpul_*.deb and build/deb/lintian.txt, which
# tests/package/deb.sh checks; exits 1 if the build fails or lintian
# reports an error.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/build.sh" release
cd "$top/build/release"
make -s dist >/dev/null
tarball=$(ls -t simpul-*.tar.gz | head -1)
rm -rf "$top/build/deb"
mkdir -p "$top/build/deb"
tar -xzf "$tarball" -C "$top/build/deb"
cd "$top/build/deb/${tarball%.tar.gz}"
dpkg-buildpackage -us -uc -b >../build.log 2>&1 || {
	tail -40 ../build.log
	exit 1
}
cd ..
lintian --info simpul_*.deb >lintian.txt 2>&1 || true
cat lintian.txt
! grep -q '^E:' lintian.txt
