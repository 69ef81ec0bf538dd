#!/usr/bin/env bash
# bench/mapping/run.sh — records ⇄ Parquet: idbpq (CLI and API) against hyparquet-writer /
# hyparquet and DuckDB (1 thread and default) on the same app-shaped records (flat, nested,
# heterogeneous; bench/mapping/gen.mjs), side by side in one run. Never asserted: prints a
# Markdown table (records/s, MB/s, file size, CPU, peak RSS, ratios) and writes
# bench/out/mapping/results.md and results.json. `make bench` runs it after bench/run.sh.
#
#   bash bench/mapping/run.sh [--records N] [--data flat,nested,hetero] [--runs R] [--timeout S]
#
# Environment: BENCH_MAPPING_RECORDS (default 1000000), BENCH_OUT (default bench/out), BUILD
# (default build), IDBPQ (default ./idbpq).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-bench/out}/mapping
IDBPQ=${IDBPQ:-./idbpq}
if [ ! -x /usr/bin/time ]; then
    echo "bench/mapping: installing GNU time (/usr/bin/time)" >&2
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq time >/dev/null
fi
command -v node >/dev/null || { echo "bench/mapping: node is needed (make deps)" >&2; exit 1; }
[ -x "$IDBPQ" ] || { echo "bench/mapping: $IDBPQ is missing: run make" >&2; exit 1; }
[ -f "$BUILD/libidbpq.a" ] || { echo "bench/mapping: $BUILD/libidbpq.a is missing: run make" >&2; exit 1; }
if [ ! -d bench/node_modules/hyparquet-writer ] || [ ! -d bench/node_modules/@duckdb/node-api ] \
   || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    echo "bench/mapping: npm ci in bench/" >&2
    (cd bench && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
mkdir -p "$OUT"
# Private copies: a rebuild during the run changes neither binary under test.
cp "$IDBPQ" "$OUT/idbpq.tmp" && mv -f "$OUT/idbpq.tmp" "$OUT/idbpq"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Iinclude \
    -o "$OUT/bench_records.tmp" bench/mapping/bench_records.c "$BUILD/libidbpq.a" \
    -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm
mv -f "$OUT/bench_records.tmp" "$OUT/bench_records"
# node resolves the peers from bench/node_modules (the scripts live under bench/)
exec node bench/mapping/bench.mjs --out "$OUT" --idbpq "$OUT/idbpq" --api "$OUT/bench_records" \
    --records "${BENCH_MAPPING_RECORDS:-1000000}" "$@"
