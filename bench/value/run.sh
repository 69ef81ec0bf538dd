#!/usr/bin/env bash
# bench/value/run.sh — idbpq's V8 codec vs Node's native v8.deserialize / v8.serialize on the
# same app-shaped records (bench/value/bench.mjs). Builds bench/value/v8_bench.c against
# $BUILD/libidbpq.a (default build; run `make` first) and prints a table with ratios.
#   bash bench/value/run.sh [RECORDS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
command -v node >/dev/null || { echo "bench/value: node is needed" >&2; exit 1; }
[ -f "$BUILD/libidbpq.a" ] || { echo "bench/value: $BUILD/libidbpq.a missing: run make" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -std=c11 -O2 -Iinclude -o "$tmp/v8_bench" bench/value/v8_bench.c "$BUILD/libidbpq.a" \
    -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm
node bench/value/bench.mjs "$tmp/v8_bench" "${1:-20000}" "${2:-2}"
