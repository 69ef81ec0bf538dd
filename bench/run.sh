#!/usr/bin/env bash
# bench/run.sh — idbpq against DuckDB (threads=1 and default) and parquet-wasm: rewrite and
# full scan of a lineitem-like and a nested table, SNAPPY and ZSTD. `make bench` builds, then
# runs this. Benchmarks are never asserted: this prints a table and writes
# bench/out/results.md and bench/out/results.json.
#
#   bash bench/run.sh [--data lineitem,events] [--codec snappy,zstd] [--workload rewrite,scan]
#                     [--tool idbpq,duckdb-t1,duckdb,parquet-wasm] [--runs N]
#
# Environment: BENCH_OUT (default bench/out), BENCH_LINEITEM_ROWS (2000000),
# BENCH_EVENTS_ROWS (500000), IDBPQ (default ./idbpq).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${BENCH_OUT:-bench/out}
IDBPQ=${IDBPQ:-./idbpq}

# /usr/bin/time -v gives the peak RSS of each measured process.
if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time (/usr/bin/time)" >&2
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq time >/dev/null
fi
command -v node >/dev/null || { echo "bench: node is needed (make deps installs it)" >&2; exit 1; }
[ -x "$IDBPQ" ] || { echo "bench: $IDBPQ is missing: run make first" >&2; exit 1; }

# The peers, pinned by bench/package-lock.json.
if [ ! -d bench/node_modules/@duckdb/node-api ] || [ ! -d bench/node_modules/parquet-wasm ] \
   || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    echo "bench: npm ci in bench/" >&2
    (cd bench && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# The data: generated once by DuckDB, cached in $OUT (regenerated when missing or when the
# generator's SQL changed).
node bench/gen.mjs "$OUT" --lineitem-rows "${BENCH_LINEITEM_ROWS:-2000000}" \
    --events-rows "${BENCH_EVENTS_ROWS:-500000}"

# Measure a private copy: a rebuild during the run then neither changes the binary under test
# nor fails on it ("Text file busy" from make's cp).
mkdir -p "$OUT"
cp "$IDBPQ" "$OUT/idbpq.bench.tmp" && mv -f "$OUT/idbpq.bench.tmp" "$OUT/idbpq"

exec node bench/bench.mjs --out "$OUT" --idbpq "$OUT/idbpq" "$@"
