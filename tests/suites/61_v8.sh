#!/usr/bin/env bash
# 61_v8.sh — V8 itself as the oracle for the V8 ValueSerializer codec (tests/value/
# v8_oracle.mjs): seeded random JS values serialized by Node's v8.Serializer go through
# idbpq decode → encode (tests/value/v8_roundtrip.c, built here against build/libidbpq.a and
# under ASan/UBSan when build-asan exists); Node's v8.Deserializer must read idbpq's bytes as
# the value V8 reads from its own, and the bytes must be V8's (up to V8's I/N number choice).
# V8_BUILDS lists build directories (default: build build-asan). V8_SEED=N reproduces a
# run (the seed is printed); V8_COUNT=K values per run (default 4000, a quarter under ASan).
set -u
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: v8 oracle (node is not installed; run make deps)"
    exit 0
fi
LIBS="-lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm"
SEED=${V8_SEED:-$(date +%s)}
COUNT=${V8_COUNT:-4000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for build in ${V8_BUILDS:-build build-asan}; do
    lib=$build/libidbpq.a
    [ -f "$lib" ] || continue
    san=""
    # A sanitizer-built library needs the driver linked the same way.
    if nm "$lib" 2>/dev/null | grep -q __asan_; then
        san="-fsanitize=address,undefined -fno-sanitize-recover=all"
    fi
    # shellcheck disable=SC2086
    if ! ${CC:-cc} -std=c11 -O1 -g $san -Iinclude -o "$tmp/rt_${build//\//_}" tests/value/v8_roundtrip.c \
        "$lib" $LIBS 2>"$tmp/cc.err"; then
        echo "not ok - v8 oracle ($build): driver does not build"
        sed 's/^/#   /' "$tmp/cc.err" | head -5
        continue
    fi
    n=$COUNT
    [ -n "$san" ] && n=$((COUNT / 4))
    node tests/value/v8_oracle.mjs "$tmp/rt_${build//\//_}" "$n" "$SEED" 2>/dev/null | sed "s|v8 oracle:|v8 oracle ($build):|"
    [ "${PIPESTATUS[0]}" = 0 ] || true
done
exit 0
