#!/bin/sh
# layers.sh: the source tree keeps the shape the README's folder map gives
# (Development): each folder includes only the folders below it, modules
# include each other without a cycle, and each foreign library is called
# from the modules that own it.  Reads the sources only.
. "${top_srcdir:-.}/tests/lib.sh"
S=$top_srcdir/src

# FOLDER: the folders its files may include (the README's map).
allowed() {
	case $1 in
	core) echo "core" ;;
	rules) echo "core rules" ;;
	wire) echo "core rules wire" ;;
	store) echo "core rules store" ;;
	net) echo "core wire net" ;;
	exchange) echo "core rules store wire net exchange" ;;
	audit) echo "core rules wire audit exchange/policy exchange/figures" ;;
	web) echo "core rules store wire net exchange web" ;;
	cmd) echo "core rules store wire net exchange audit web cmd" ;;
	*) echo "" ;;
	esac
}

# Every local include as "FILE FOLDER/MODULE".
for f in "$S"/*/*.[ch]; do
	sed -n "s|^#include \"\([a-z]*/[a-z_]*\)\.h\".*|${f#"$S"/} \1|p" "$f"
done >"$T/includes"

# --- folders by layer ----------------------------------------------------
check_folders() {
	bad=0
	while read -r file inc; do
		dir=${file%%/*}
		ok=0
		for a in $(allowed "$dir"); do
			case $inc in "$a" | "$a"/*) ok=1 ;; esac
		done
		if [ $ok = 0 ]; then
			echo "$file includes $inc.h, outside what $dir/ may include"
			bad=1
		fi
	done <"$T/includes"
	return $bad
}
ok "each folder includes only the folders it may" check_folders

unknown_folders() {
	bad=0
	for d in "$S"/*/; do
		d=$(basename "$d")
		[ -n "$(allowed "$d")" ] ||
		    { echo "src/$d/ is not in the folder map"; bad=1; }
	done
	return $bad
}
ok "every folder under src/ is in the map" unknown_folders

# --- no include cycles between modules (a.c, a.h -> b.h) -------------------
check_cycles() {
	while read -r file inc; do
		from=$(basename "${file%.*}")
		to=$(basename "$inc")
		[ "$from" = "$to" ] || echo "$from $to"
	done <"$T/includes" | sort -u >"$T/edges"
	tsort "$T/edges" >/dev/null
}
ok "modules include each other without a cycle" check_cycles

# --- each foreign library from the modules that own it (STYLE.md §2.1) ----
# only LIBRARY PLACE...: only files at PLACE (a file, or a folder/*)
# include <LIBRARY...>, and at least one does.
only() {
	lib=$1; shift
	found=$(cd "$S" && grep -l "^#include <\($lib\)" */*.[ch])
	[ -n "$found" ] || { echo "nothing includes <$lib>"; return 1; }
	bad=0
	for f in $found; do
		mine=0
		for place in "$@"; do
			# shellcheck disable=SC2254
			case $f in $place) mine=1 ;; esac
		done
		[ $mine = 1 ] || { echo "$f includes <$lib...>"; bad=1; }
	done
	return $bad
}
ok "SQLite only in the store" only sqlite3 'store/*'
ok "libxml2 and xmlsec only in batch.c and dsig.c" \
    only 'libxml\|xmlsec' wire/batch.c wire/dsig.c
ok "OpenSSL only in wire/ and tls.c" only openssl 'wire/*' net/tls.c
ok "libcurl only in client.c" only curl net/client.c
ok "libevent only in net/" only event2 'net/*'
ok "libsodium only in auth.c" only sodium web/auth.c

# --- rules stay pure --------------------------------------------------------
io='fopen\|open\|read\|write\|printf\|fprintf\|puts\|getenv'
io="$io"'\|time\|clock_gettime'
pure_rules() {
	! grep -n "\(^\|[^a-z_]\)\($io\)(" "$S"/rules/*.c
}
ok "rules do no I/O" pure_rules

done_testing
