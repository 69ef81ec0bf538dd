#!/usr/bin/env bash
# bench/sync/run.sh — incremental sync against a full re-export, side by side in one run, on
# the chat.messages store (962,500 records) of the 1,000,000-record Chromium profile that
# bench/profile generates. Never asserted: prints Markdown and writes bench/sync/results.md.
#
#   bash bench/sync/run.sh [--runs R]
#
# Cases, each from the same starting point:
#   full export      `idbpq export` of the store to one Parquet file
#   first sync       `idbpq sync` into an empty directory: the whole store as a Delta table
#   sync, 1 % recent the app edited and appended its most recent messages (0.6 % updated,
#                    0.2 % deleted, 0.2 % new at the end), bench/sync/mutate.mjs in Chromium
#   sync, 1 % random the same counts spread uniformly over the store
# Each sync after a change starts from a copy of the table and state the first sync left, and
# reports time, peak RSS, bytes written and files rewritten. Environment: IDBPQ (default
# ./idbpq), BENCH_PROFILE_OUT (bench/profile/out), BENCH_SYNC_OUT (bench/sync/out).
set -euo pipefail
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
PROFILES=${BENCH_PROFILE_OUT:-bench/profile/out}
OUT=${BENCH_SYNC_OUT:-bench/sync/out}
say() { echo "bench/sync: $*" >&2; }
[ -x "$IDBPQ" ] || { say "$IDBPQ is missing: run make"; exit 1; }
if [ ! -x /usr/bin/time ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq time >/dev/null
fi
VERSION=$(sed -n 's/^export const GEN_VERSION = \([0-9]*\).*/\1/p' bench/profile/gen_profile.mjs)
BASE=$PROFILES/leveldb-1000000-v$VERSION
if [ ! -f "$BASE/gen.json" ]; then
    say "generating $BASE with headless Chromium (minutes)"
    node bench/profile/gen_profile.mjs "$BASE" --backend leveldb --records 1000000
fi
PORT=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).origin.split("_").pop())' "$BASE/gen.json")
mkdir -p "$OUT"
for mode in recent random; do
    if [ ! -f "$OUT/mut-$mode/mutate.json" ]; then
        say "changing 1 % of chat.messages ($mode) in a copy of the profile"
        node bench/sync/mutate.mjs "$BASE/profile" "$OUT/mut-$mode" --origin-port "$PORT" --mode "$mode"
    fi
done
cp "$IDBPQ" "$OUT/idbpq.tmp" && mv -f "$OUT/idbpq.tmp" "$OUT/idbpq"
exec node bench/sync/bench.mjs --base "$BASE" --out "$OUT" --idbpq "$OUT/idbpq" "$@"
