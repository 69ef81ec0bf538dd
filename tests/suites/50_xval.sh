#!/usr/bin/env bash
# 50_xval.sh — cross-validation of the idbpq writer: DuckDB writes input tables (every type
# it writes, nested shapes, seeded random nested schemas), `idbpq convert` rewrites them
# under a matrix of codecs / page versions / dictionary / forced encodings / tiny pages and
# row groups, and DuckDB, hyparquet and parquet-wasm (arrow-rs) must read the same values
# back. See tests/oracle/xval.mjs. XVAL_SEED=N reproduces a run (the seed is printed);
# XVAL_RANDOM=K sets the number of random tables (default 3).
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
if [ ! -x "$IDBPQ" ]; then
    echo "not ok - xval binary $IDBPQ missing (run make)"
    exit 0
fi
if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: xval (node is not installed; run make deps)"
    exit 0
fi
if [ ! -d tests/oracle/node_modules/@duckdb/node-api ]; then
    echo "# SKIPPED: xval (no tests/oracle/node_modules; run make deps)"
    exit 0
fi
IDBPQ="$IDBPQ" node tests/oracle/xval.mjs
rc=$?
[ "$rc" = 0 ] || echo "not ok - xval xval.mjs exited $rc"
exit 0
