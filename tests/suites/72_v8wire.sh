#!/usr/bin/env bash
# 72_v8wire.sh — web/v8wire.js, the JavaScript codec for V8's ValueSerializer wire format
# that the browser side uses to hand values to idbpq.wasm (docs/web-wire.md), checked by
# tests/web/v8wire_test.mjs against Node's own V8 (base v8.Serializer / v8.Deserializer) and
# against the C side (`idbpq value`, when ./idbpq is built): seeded random values both ways,
# the refusals structuredClone makes, the writer's framing and Blob indexes, and malformed
# input (every truncation, random byte changes, absurd lengths, deep nesting).
# IDBPQ_V8WIRE_SEED=N reproduces a run (the seed is printed; default: today's date);
# IDBPQ_V8WIRE_COUNT=K random values (default 1500); IDBPQ_V8WIRE_C_COUNT=K of them also go
# through idbpq (default 250).
set -u
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: v8wire (node is not installed; run make deps)"
    exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
    echo "# SKIPPED: v8wire (node $major: the tests need Node 20 or later for File and resizable ArrayBuffers)"
    exit 0
fi
bin=""
[ -x ./idbpq ] && bin=./idbpq
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# A hang is a failure too: the driver must finish well within this.
IDBPQ_BIN=$bin IDBPQ_V8WIRE_C_COUNT=${IDBPQ_V8WIRE_C_COUNT:-250} \
    timeout 900 node tests/web/v8wire_test.mjs "${IDBPQ_V8WIRE_COUNT:-1500}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 124 ]; then
    echo "not ok - v8wire: the test driver did not finish in 900 s (a hang?)"
elif [ "$rc" != 0 ] && ! grep -q "^not ok" "$out"; then
    echo "not ok - v8wire: the test driver exited $rc"
    tail -5 "$out" | sed 's/^/#   /'
fi
exit 0
