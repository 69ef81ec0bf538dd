#!/usr/bin/env bash
# bench/browser/run.sh — idbpq's browser build (web/idbpq.js + web/idbpq.wasm) in real headless
# Chromium against its floors (bare IndexedDB reads and writes) and the browser Parquet peers
# (hyparquet/hyparquet-writer, apache-arrow + parquet-wasm, DuckDB-Wasm): export and import of the
# same seeded records, in one run. Never asserted: prints a table per record count and the
# targets, writes bench/out/browser.json. README.md describes the method.
#
#   bash bench/browser/run.sh
#
# Environment: BENCH_BROWSER_N (default 100000,1000000; e.g. 20000 for a quick run),
# BENCH_BROWSER_RUNS, BENCH_BROWSER_CASES, BENCH_BROWSER_TIMEOUT, BENCH_BROWSER_PORT,
# BENCH_OUT (default bench/out), CHROMIUM (default /usr/bin/chromium). The filled profiles are
# cached in $BENCH_OUT/browser/ (filling 1M records takes minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { echo "bench/browser: $*" >&2; }
command -v node >/dev/null || { say "node is needed (make deps)"; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { say "${CHROMIUM:-/usr/bin/chromium} is missing: apt-get install chromium"; exit 1; }

# The peers and playwright-core, pinned by bench/package-lock.json.
if [ ! -d bench/node_modules/@duckdb/duckdb-wasm ] || [ ! -d bench/node_modules/playwright-core ] \
   || [ ! -d bench/node_modules/apache-arrow ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
    say "npm ci in bench/"
    (cd bench && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
# idbpq itself: the rows say "not available" when the module does not load.
[ -f web/idbpq.js ] && [ -f web/idbpq.wasm ] || say "web/idbpq.js or web/idbpq.wasm is missing (make wasm): the idbpq rows will be 'not available'"

exec node bench/browser/bench.mjs "$@"
