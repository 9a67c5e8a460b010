#!/bin/sh
# Replays fuzz/corpus/http through the plain build of its fuzz target.
exec sh "${top_srcdir:-.}/fuzz/replay.sh" http
