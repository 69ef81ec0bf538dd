#!/usr/bin/env bash
# 40_conformance.sh — idbpq reads the parquet-testing corpus like independent readers do.
#   1. tests/oracle/conformance.mjs: every data/**/*.parquet through `idbpq cat`, compared
#      value by value with DuckDB (or, for the files in tests/oracle/exceptions.json, the
#      check described there); encrypted files refused; *_expect.csv; shredded_variant/
#      at the Parquet level against parquet-wasm and the expected .variant.bin bytes.
#   2. bad_data/*.parquet through ./idbpq cat and ./build-asan/idbpq cat (when built): exit
#      0 or 1 only — no signal, no sanitizer report, no hang (20 s).
# Needs ${IDBPQ_SHARED:-../shared}/parquet-testing and tests/oracle/node_modules (make deps);
# prints "# SKIPPED: ..." for what cannot run. FILTER=substring limits part 1 to some files.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
SHARED=${IDBPQ_SHARED:-../shared}
PT=$SHARED/parquet-testing
if [ ! -x "$IDBPQ" ]; then
    echo "not ok - conformance binary $IDBPQ missing (run make)"
    exit 0
fi
if [ ! -d "$PT/data" ]; then
    echo "# SKIPPED: conformance (no corpus at $PT)"
    exit 0
fi

# ----- 1. oracle comparison -------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: conformance oracle comparison (node is not installed; run make deps)"
elif [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: conformance oracle comparison (no tests/oracle/node_modules; run make deps)"
else
    IDBPQ="$IDBPQ" IDBPQ_SHARED="$SHARED" node tests/oracle/conformance.mjs "${FILTER:-}"
    rc=$?
    [ "$rc" = 0 ] || echo "not ok - conformance conformance.mjs exited $rc"
fi

# ----- 2. bad_data: clean failure or lenient read, never a crash or a hang --------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bins="$IDBPQ"
if [ -x build-asan/idbpq ]; then
    bins="$bins build-asan/idbpq"
else
    echo "# SKIPPED: bad_data under AddressSanitizer (build-asan/idbpq not built; make asan)"
fi
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1"
for f in "$PT"/bad_data/*.parquet; do
    [ -e "$f" ] || continue
    for bin in $bins; do
        name="bad_data/$(basename "$f")"
        [ "$bin" = "$IDBPQ" ] || name="$name (asan)"
        timeout -k 5 20 "$bin" cat "$f" >/dev/null 2>"$tmp/err"
        rc=$?
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            echo "not ok - conformance $name: hangs (killed after 20 s)"
        elif [ "$rc" -gt 1 ] || grep -q 'Sanitizer' "$tmp/err"; then
            echo "not ok - conformance $name: exit $rc: $(grep -m3 -E 'Sanitizer|runtime error|ERROR|idbpq' "$tmp/err" | tr '\n' '|' | head -c 400)"
        else
            echo "ok - conformance $name (exit $rc$( [ "$rc" = 1 ] && printf ': %s' "$(head -c 150 "$tmp/err" | tr '\n' ' ')"))"
        fi
    done
done
exit 0
