#!/bin/sh
# Builds fuzz/replay_main.c with every fuzz/fuzz_*.c target into one replay binary per
# target (BUILD/replay_fuzz_NAME), without libFuzzer; BUILD/fuzz_replay is a stamp.
# tests/suites/20_fuzz_replay.sh runs the build-asan ones over fuzz/corpus and fuzz/regress.
# Usage: build_replay.sh CC CFLAGS LDLIBS BUILD
set -e
CC=$1; CFLAGS=$2; LDLIBS=$3; BUILD=$4
for f in fuzz/fuzz_*.c; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .c)
    # shellcheck disable=SC2086
    $CC $CFLAGS -Wall -Wextra -o "$BUILD/replay_$name" "$f" fuzz/replay_main.c $LDLIBS
done
touch "$BUILD/fuzz_replay"
