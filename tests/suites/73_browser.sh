#!/usr/bin/env bash
# 73_browser.sh — the browser module (web/idbpq.js + idbpq.wasm) in real Chromium: round trips
# of every store shape and value type, DuckDB's files, a large store, abort and corrupt files
# leaving stores unchanged, import modes, snapshots, and the browser's files read the same as
# `idbpq export`'s from the same profile (tests/web/browser_test.mjs says what each check is).
# Needs web/idbpq.wasm (make wasm), /usr/bin/chromium, tests/idb/node_modules and
# tests/oracle/node_modules (DuckDB); without them it prints "# SKIPPED: why".
# Seed: IDBPQ_BROWSER_SEED, else the date. IDBPQ_BROWSER_BIG: records of the large store
# (default 100000).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
name=browser
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium: apt-get install chromium)"; exit 0; fi
for d in tests/idb tests/oracle; do
    if [ ! -d "$d/node_modules" ]; then echo "# SKIPPED: $name (no $d/node_modules: npm ci in $d)"; exit 0; fi
done
if [ ! -f web/idbpq.wasm ]; then echo "not ok - $name: web/idbpq.wasm missing (make wasm)"; exit 0; fi
if [ ! -x "$BUILD/idbpq" ]; then echo "not ok - $name: $BUILD/idbpq missing (make)"; exit 0; fi
node tests/web/browser_test.mjs "$BUILD/idbpq" "$tmp" || echo "not ok - $name: the driver exited $?"
