#!/bin/sh
# replay.sh TARGET: replay fuzz/corpus/TARGET through the plain build of
# that fuzz target (make check).  Every file must run without a crash, a
# sanitizer report or a leak.
set -u
target=$1
dir=${top_srcdir:-.}/fuzz/corpus/$target
exec "${top_builddir:-.}/fuzz/replay-$target" "$dir"/*
