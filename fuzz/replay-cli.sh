#!/bin/sh
# Replays fuzz/corpus/cli through the plain build of its fuzz target.
exec sh "${top_srcdir:-.}/fuzz/replay.sh" cli
