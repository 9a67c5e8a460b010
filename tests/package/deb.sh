#!/bin/sh
# deb.sh: the package scripts/deb.sh built (dpkg-buildpackage -us -uc -b
# from the release tarball): lintian reports no error, and it holds the
# binary, the man page, the data, the units, the defaults and the example
# alert rules.  CI builds it first and sets SIMPUL_DEB_DIR, and then a
# missing package fails; elsewhere the points are skipped without one.
. "${top_srcdir:-.}/tests/lib.sh"

D=${SIMPUL_DEB_DIR:-$top_srcdir/build/deb}
deb=$(ls "$D"/simpul_*_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ] && [ -z "${SIMPUL_DEB_DIR:-}" ]; then
	skip "the package" "not built here (sh scripts/deb.sh)"
	done_testing
fi
ok "the package was built" test -f "$deb"
ok "lintian ran on it" test -f "$D/lintian.txt"
ok "lintian reports no error" sh -c "! grep '^E:' '$D/lintian.txt'"
ok "nor any warning (README: none to justify)" \
    sh -c "! grep '^W:' '$D/lintian.txt'"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$T/files"
for f in /usr/bin/simpul /usr/share/man/man1/simpul.1.gz \
    /usr/share/simpul/topics.tsv /usr/share/simpul/holidays-2026.txt \
    /lib/systemd/system/simpul.service \
    /lib/systemd/system/simpul-backup.service \
    /lib/systemd/system/simpul-backup.timer /etc/default/simpul \
    /usr/share/doc/simpul/examples/simpul-alerts.yml; do
	ok "it installs $f" grep -qx "$f" "$T/files"
done
ok "it ships no database" sh -c "! grep -q '\\.db\$' '$T/files'"
dpkg-deb -e "$deb" "$T/ctl"
ok "postinst makes the simpul system user" grep -q \
    'adduser --system --group --home /var/lib/simpul' "$T/ctl/postinst"
ok "and enables the backup timer" grep -q 'simpul-backup.timer' \
    "$T/ctl/postinst"
ok "the schemas are in the binary, not beside it" sh -c \
    "! grep -q '\\.xsd\$' '$T/files'"

done_testing
