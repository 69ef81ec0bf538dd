#!/usr/bin/env bash
# 20_fuzz_replay.sh — the fuzz targets without libFuzzer, under ASan + UBSan:
#   1. for every fuzz/fuzz_NAME.c, build-asan/replay_fuzz_NAME runs over fuzz/corpus/fuzz_NAME
#      and fuzz/regress/fuzz_NAME (seeds, and the inputs that once crashed): one line
#      "ok - fuzz-replay fuzz_NAME N inputs" per target, or "not ok" naming the failing input
#      and the first lines of the sanitizer report;
#   2. build-asan/idbpq cat on every file of parquet-testing/bad_data: exit status 0 or 1,
#      no sanitizer report, within 20 s. One line per file.
# Built by `make asan` (build-asan/fuzz_replay); `make test` builds it first.
set -u
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_REPLAY_BUILD:-build-asan}
SHARED=${IDBPQ_SHARED:-../shared}
BAD=$SHARED/parquet-testing/bad_data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
SANRE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer|property violated'

have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
run_limited() { # seconds cmd...
    local s=$1; shift
    if [ "$have_timeout" = 1 ]; then timeout -k 5 "$s" "$@"; else "$@"; fi
}

# Prints the input and the first lines of the report from a replay's stderr.
explain() { # stderr-file
    local last
    last=$(grep '^# replay ' "$1" | tail -1 | cut -d' ' -f4-)
    echo "#   failing input: ${last:-?}"
    grep -m1 -E "$SANRE|deadly signal|Segmentation|Aborted" "$1" | sed 's/^/#   /'
    grep -m3 -E '^ +#[0-9]+ 0x' "$1" | sed 's/^/#   /'
}

# ----- 1. fuzz targets over their corpora ----------------------------------------------------
for src in fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    t=$(basename "$src" .c)
    bin=$BUILD/replay_$t
    if [ ! -x "$bin" ]; then
        echo "not ok - fuzz-replay $t: $bin missing (run make asan)"
        continue
    fi
    dirs=()
    [ -d "fuzz/corpus/$t" ] && dirs+=("fuzz/corpus/$t")
    [ -d "fuzz/regress/$t" ] && dirs+=("fuzz/regress/$t")
    if [ ${#dirs[@]} = 0 ]; then
        echo "ok - fuzz-replay $t 0 inputs # no corpus"
        continue
    fi
    run_limited 300 "$bin" "$t" "${dirs[@]}" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    n=$(sed -n "s/^# $t: \([0-9]*\) inputs$/\1/p" "$tmp/out")
    if [ "$rc" = 0 ] && [ -n "$n" ] && ! grep -Eq "$SANRE" "$tmp/err"; then
        echo "ok - fuzz-replay $t $n inputs"
    else
        echo "not ok - fuzz-replay $t (exit $rc)"
        grep '^not ok' "$tmp/out" | sed 's/^/#   /'
        explain "$tmp/err"
        # Go on with the inputs after the failing one, so that every failure is listed.
        failed=$(grep '^# replay ' "$tmp/err" | tail -1 | cut -d' ' -f4-)
        if [ -n "$failed" ]; then
            rest=()
            for d in "${dirs[@]}"; do
                for f in "$d"/*; do [ -f "$f" ] && rest+=("$f"); done
            done
            seen=0
            for f in "${rest[@]}"; do
                if [ "$seen" = 0 ]; then [ "$f" = "$failed" ] && seen=1; continue; fi
                run_limited 60 "$bin" "$t" "$f" >/dev/null 2>"$tmp/err1"
                rc1=$?
                if [ "$rc1" != 0 ] || grep -Eq "$SANRE" "$tmp/err1"; then
                    echo "#   also fails (exit $rc1): $f"
                fi
            done
        fi
    fi
done

# ----- 2. the CLI over malformed files --------------------------------------------------------
if [ ! -d "$BAD" ]; then
    echo "# SKIPPED: fuzz-replay bad_data (no $BAD)"
    exit 0
fi
if [ ! -x "$BUILD/idbpq" ]; then
    echo "not ok - fuzz-replay bad_data: $BUILD/idbpq missing (run make asan)"
    exit 0
fi
for f in "$BAD"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    run_limited 20 "$BUILD/idbpq" cat "$f" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "not ok - fuzz-replay bad_data $name: no result within 20 s"
    elif grep -Eq "$SANRE" "$tmp/err"; then
        echo "not ok - fuzz-replay bad_data $name: sanitizer report (exit $rc)"
        grep -m1 -E "$SANRE" "$tmp/err" | sed 's/^/#   /'
        grep -m3 -E '^ +#[0-9]+ 0x' "$tmp/err" | sed 's/^/#   /'
    elif [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
        echo "not ok - fuzz-replay bad_data $name: exit $rc, expected 0 or 1"
        head -c 300 "$tmp/err" | sed 's/^/#   /'
    else
        echo "ok - fuzz-replay bad_data $name (exit $rc)"
    fi
done
exit 0
