#!/bin/sh
# run_libfuzzer.sh — `make fuzz`: builds every fuzz/fuzz_*.c target with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer (clang) into build-fuzz/, and runs each one
# for FUZZ_TIME seconds on a copy of its seed corpus (fuzz/corpus/TARGET, copied to
# build-fuzz/corpus/TARGET, which keeps growing across runs). Crashes, leaks, timeouts and out-of-memory inputs are saved to
# fuzz/regress/TARGET/ (crash-<sha1> ...), where the replay suite (tests/suites/20_fuzz_replay.sh)
# runs them on every `make test`; after one, the target is restarted for the time left.
#
# Usage: sh fuzz/run_libfuzzer.sh [TARGET...]      (default: every target)
# Environment:
#   FUZZ_TIME     seconds per target (default 60)
#   FUZZ_CC       clang to use (default: clang, else clang-14)
#   FUZZ_JOBS     parallel fuzzing processes per target (default 1)
#   FUZZ_ARGS     extra libFuzzer flags (e.g. "-max_len=65536")
#   FUZZ_CFLAGS   extra compiler flags for the library and the targets, e.g. to look past a
#                 known finding: "-fno-sanitize=pointer-overflow -DFUZZ_SKIP_RLE_WIDTH"
#   FUZZ_MERGE=1  afterwards, merge new coverage-increasing inputs into fuzz/corpus/TARGET
# Exit status: 0 if no target found anything, 1 otherwise (2 on a build error).
set -u
cd "$(dirname "$0")/.."

FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
FUZZ_ARGS=${FUZZ_ARGS:-}
BUILD=build-fuzz
if [ -z "${FUZZ_CC:-}" ]; then
    if command -v clang >/dev/null 2>&1; then FUZZ_CC=clang; else FUZZ_CC=clang-14; fi
fi
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
    echo "run_libfuzzer: $FUZZ_CC not found (libFuzzer needs clang)" >&2
    exit 2
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer ${FUZZ_CFLAGS:-}"
LIBS="-lsqlite3 -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm"

# The library, instrumented for coverage (fuzzer-no-link) and sanitizers, through the
# Makefile's own rules so the sources and flags stay in one place.
# Objects built with other flags (FUZZ_CFLAGS, another clang) are rebuilt.
mkdir -p $BUILD
if [ "$(cat $BUILD/.flags 2>/dev/null)" != "$FUZZ_CC $SAN" ]; then
    rm -rf $BUILD/obj $BUILD/libidbpq.a
    echo "$FUZZ_CC $SAN" >$BUILD/.flags
fi
echo "# building $BUILD/libidbpq.a with $FUZZ_CC"
# Two runs at once (one per target, say) share the library: the lock keeps their builds apart.
lock=""
command -v flock >/dev/null 2>&1 && lock="flock $BUILD/.lock"
if ! $lock make -s BUILD=$BUILD CC="$FUZZ_CC" WERROR= \
        OPT="-O1 -g -fsanitize=fuzzer-no-link $SAN" $BUILD/libidbpq.a; then
    echo "run_libfuzzer: library build failed" >&2
    exit 2
fi

if [ $# -gt 0 ]; then
    targets=$*
else
    targets=$(for f in fuzz/fuzz_*.c; do basename "$f" .c; done)
fi

for t in $targets; do
    [ -f "fuzz/$t.c" ] || { echo "run_libfuzzer: no fuzz/$t.c" >&2; exit 2; }
    echo "# building $BUILD/$t"
    if ! "$FUZZ_CC" -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
            -Wall -Wextra -Iinclude -Isrc -fsanitize=fuzzer $SAN \
            -o "$BUILD/$t" "fuzz/$t.c" "$BUILD/libidbpq.a" $LIBS; then
        echo "run_libfuzzer: build of $t failed" >&2
        exit 2
    fi
done

now() { date +%s; }
found=0
summary=""
for t in $targets; do
    work=$BUILD/corpus/$t
    regress=fuzz/regress/$t
    mkdir -p "$work" "$regress"
    # A copy of the seeds (the fuzzer writes new inputs into the first directory only).
    [ -d "fuzz/corpus/$t" ] && cp -f fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
    dict=""
    case $t in
        fuzz_thrift_footer|fuzz_file_read) [ -f fuzz/dict/parquet.dict ] && dict="-dict=fuzz/dict/parquet.dict" ;;
        fuzz_records) [ -f fuzz/dict/records.dict ] && dict="-dict=fuzz/dict/records.dict" ;;
        fuzz_mapping) [ -f fuzz/dict/mapping.dict ] && dict="-dict=fuzz/dict/mapping.dict" ;;
    esac
    before=$(ls "$regress" | wc -l)
    start=$(now)
    left=$FUZZ_TIME
    runs=0
    echo "# fuzzing $t for ${FUZZ_TIME}s"
    while [ "$left" -gt 0 ] && [ "$runs" -lt 20 ]; do
        runs=$((runs + 1))
        jobs=""
        [ "$FUZZ_JOBS" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"
        # shellcheck disable=SC2086
        ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$BUILD/$t" -max_total_time="$left" -timeout=20 -rss_limit_mb=2560 \
            -artifact_prefix="$regress/" -print_final_stats=1 $dict $jobs $FUZZ_ARGS \
            "$work" >"$BUILD/$t.log" 2>&1
        rc=$?
        grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)|^(==[0-9]+==ERROR|SUMMARY)' \
            "$BUILD/$t.log" | tail -4 | sed 's/^/#   /'
        [ "$rc" = 0 ] && break
        # A finding: keep its log next to the input, then go on for the time that is left.
        last=$(ls -t "$regress" | head -1)
        [ -n "$last" ] && cp "$BUILD/$t.log" "$BUILD/$t.$last.log"
        echo "# $t: finding (exit $rc): $regress/$last (log $BUILD/$t.$last.log)"
        grep -m1 -E 'runtime error|ERROR: (Address|Leak)Sanitizer|property violated|deadly signal|timeout|out-of-memory' \
            "$BUILD/$t.log" | sed 's/^/#   /'
        grep -m1 -E '^ +#[0-9]+ 0x[0-9a-f]+ in [a-z_]*idbpq|^ +#[0-9]+ 0x[0-9a-f]+ in fuzz_' \
            "$BUILD/$t.log" | sed 's/^/#   top frame: /'
        # If a corpus input itself triggers it, drop that copy so the next run can go on.
        sha=${last##*-}
        for f in "$work"/*; do
            [ -f "$f" ] || continue
            if [ "$(sha1sum <"$f" | cut -d' ' -f1)" = "$sha" ]; then rm -f "$f"; fi
        done
        left=$((FUZZ_TIME - ($(now) - start)))
    done
    after=$(ls "$regress" | wc -l)
    new=$((after - before))
    [ "$new" -gt 0 ] && found=1
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        mkdir -p "fuzz/corpus/$t"
        "$BUILD/$t" -merge=1 "fuzz/corpus/$t" "$work" >"$BUILD/$t.merge.log" 2>&1
    fi
    summary="$summary
#   $t: $(ls "$work" | wc -l) corpus inputs, $new new finding(s) in fuzz/regress/$t"
done
echo "# summary (${FUZZ_TIME}s each):$summary"
exit $found
