#!/bin/sh
# units.sh: the systemd units in debian/ rate 2.0 or lower in
# `systemd-analyze security --offline=yes` (simpul.service) and keep what
# the README promises: Type=notify, Restart=on-failure, the daily timer.
. "${top_srcdir:-.}/tests/lib.sh"

U=$top_srcdir/debian
# score UNIT: the overall exposure systemd-analyze gives it, e.g. 1.2.
score() {
	systemd-analyze security --offline=yes "$U/$1" 2>/dev/null |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
if command -v systemd-analyze >/dev/null; then
	for u in simpul.service simpul-backup.service; do
		s=$(score $u)
		echo "# $u: $s"
		ok "$u rates 2.0 or lower ($s)" awk -v s="$s" \
		    'BEGIN { exit !(s != "" && s + 0 <= 2.0) }'
	done
	cp "$U/simpul.service" "$T/loose.service"
	sed -i '/^ProtectSystem=/d; /^SystemCallFilter=/d; /^CapabilityBoundingSet=/d;
	    /^PrivateUsers=/d; /^RestrictAddressFamilies=/d' "$T/loose.service"
	s=$(systemd-analyze security --offline=yes "$T/loose.service" \
	    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	ok "the rating is real: without its sandbox the unit rates worse ($s)" \
	    awk -v s="$s" 'BEGIN { exit !(s + 0 > 2.0) }'
else
	skip "simpul.service rates 2.0 or lower" "no systemd-analyze"
	skip "simpul-backup.service rates 2.0 or lower" "no systemd-analyze"
	skip "the rating is real" "no systemd-analyze"
fi
has "simpul.service tells systemd when it is ready" "$U/simpul.service" \
    '^Type=notify$'
has "and restarts on failure" "$U/simpul.service" '^Restart=on-failure$'
has "it runs as the simpul user" "$U/simpul.service" '^User=simpul$'
has "with its state in /var/lib/simpul" "$U/simpul.service" \
    '^StateDirectory=simpul$'
has "the backup keeps a number of copies" "$U/simpul-backup.service" \
    '^ExecStart=/usr/bin/simpul backup --dir /var/lib/simpul/backup --keep \$\{SIMPUL_BACKUP_KEEP\}$'
has "the timer runs daily" "$U/simpul-backup.timer" '^OnCalendar=\*-\*-\* 02:00:00$'
ok "purge never deletes the database: postrm removes only empty directories" \
    sh -c "! grep -E 'rm -[a-z]*r|rm -f|rm -rf|/simpul.db' '$U/simpul.postrm'"

done_testing
