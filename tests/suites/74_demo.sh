#!/usr/bin/env bash
# 74_demo.sh — the demo page (web/demo/) in headless Chromium, served by tools/serve.mjs:
#   tests/web/demo_test.mjs fills the sample store (DEMO_N records, default 2000), exports it
#   through the page and downloads the file, checks it with `idbpq records` / `schema` / `meta`,
#   screenshots the page (build/demo-after-export.png; docs/demo.png is a copy of it), imports
#   the file into a new store through the file input and compares every record, and imports the
#   file with its footer cut (a visible error; no store created or changed). The serve check
#   covers MIME types and requests that try to leave web/.
# "ok"/"not ok" lines: demo serve, module, sample, export, export cli, screenshot, import,
# corrupt, page errors. Needs node, /usr/bin/chromium and tests/idb/node_modules (npm ci in
# tests/idb); without them it prints "# SKIPPED: why". Needs web/idbpq.js and web/idbpq.wasm
# (make wasm): without them "demo module" is "not ok" and the page checks are not run.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=demo

if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then echo "# SKIPPED: $name (no /usr/bin/chromium: apt-get install chromium)"; exit 0; fi
if [ ! -d tests/idb/node_modules/playwright-core ]; then
    echo "# SKIPPED: $name (no tests/idb/node_modules: npm ci in tests/idb)"; exit 0
fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - $name: $IDBPQ missing (make)"; exit 0; fi
for f in web/idbpq.js web/idbpq.wasm; do
    [ -f "$f" ] || echo "# $name: $f is missing (make wasm)"
done

mkdir -p "$BUILD"
IDBPQ=$(cd "$(dirname "$IDBPQ")" && pwd)/$(basename "$IDBPQ") \
    node tests/web/demo_test.mjs "$tmp" "$BUILD/demo-after-export.png" >"$tmp/node.out" 2>&1
rc=$?
if [ "$rc" = 3 ]; then grep '^# SKIPPED' "$tmp/node.out"; exit 0; fi
cat "$tmp/node.out"
if [ "$rc" != 0 ] && ! grep -q '^not ok' "$tmp/node.out"; then
    echo "not ok - $name: the driver exited $rc"
fi
