#!/bin/sh
# funclen.sh [DIR]: function lengths of the C sources under DIR (default
# src), from universal-ctags (Debian: universal-ctags): the count, the
# median and 90th percentile in lines, and the ten longest.
set -eu
ctags --fields=+ne --c-kinds=f -o - -R "${1:-src}" |
    awk -F '\t' '{ l = e = 0
	for (i = 4; i <= NF; i++) {
		if ($i ~ /^line:/) l = substr($i, 6)
		if ($i ~ /^end:/) e = substr($i, 5)
	}
	if (l && e) print e - l + 1, $2 ":" l, $1 }' | sort -n |
    awk '{ n[NR] = $1; row[NR] = $0 } END {
	printf "%d functions, median %d lines, p90 %d, longest %d\n",
	    NR, n[int((NR + 1) / 2)], n[int(NR * 0.9 + 0.5)], n[NR]
	for (i = NR; i > NR - 10 && i > 0; i--) print row[i] }'
