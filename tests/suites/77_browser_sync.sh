#!/usr/bin/env bash
# 77_browser_sync.sh — web/sync.js (+ idbpq_sync.wasm) in real Chromium: two clients, each with
# its own IndexedDB, sync through a Delta table behind tests/web/table_server.mjs (S3-style HTTP)
# and through OPFS; edits and deletes both ways, every conflict policy and the conflict log, a
# page closed while its commit is in flight, two concurrent writers, a pull killed midway,
# dryRun and abort, directions, checkpoints, a Worker; after each scenario the table is compared
# with the store by idbpq's own reader, `idbpq table show --rows` and DuckDB
# (tests/web/sync_test.mjs says what each check is). About a minute.
# Needs web/idbpq_sync.wasm (make wasm), /usr/bin/chromium, tests/idb/node_modules and
# tests/oracle/node_modules; without them it prints "# SKIPPED: why".
# IDBPQ_SYNC_ONLY=twoClients,opfs runs only those scenarios.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
name=browser-sync
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium: apt-get install chromium)"; exit 0; fi
for d in tests/idb tests/oracle; do
    if [ ! -d "$d/node_modules" ]; then echo "# SKIPPED: $name (no $d/node_modules: npm ci in $d)"; exit 0; fi
done
if [ ! -f web/idbpq_sync.wasm ]; then echo "not ok - $name: web/idbpq_sync.wasm missing (make wasm)"; exit 0; fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - $name: $IDBPQ missing (make)"; exit 0; fi
timeout 600 node tests/web/sync_test.mjs "$IDBPQ" "$tmp" || echo "not ok - $name: the driver exited $?"
