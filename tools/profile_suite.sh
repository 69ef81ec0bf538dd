# profile_suite.sh — sourced by tests/suites/66_profile_export.sh and 67_profile_damage.sh
# (from the repo root, with $name, $tmp, $IDBPQ and $BUILD set): checks what they need (node,
# the idbpq binary, build/libidbpq.a), builds tests/mapping/cmp_records.c into $tmp, and
# defines cmpn. Exits the suite with "# SKIPPED" or "not ok" when something is missing.
CHECK="node tools/profile_check.mjs"
if ! command -v node >/dev/null 2>&1; then echo "# SKIPPED: $name (node is not installed)"; exit 0; fi
if [ ! -x "$IDBPQ" ]; then echo "not ok - $name: $IDBPQ missing (make)"; exit 0; fi
if [ ! -f "$BUILD/libidbpq.a" ]; then echo "not ok - $name: $BUILD/libidbpq.a missing (make)"; exit 0; fi
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Iinclude -o "$tmp/cmp_records" \
        tests/mapping/cmp_records.c "$BUILD/libidbpq.a" -lzstd -lz -llz4 -lsnappy -lbrotlienc -lbrotlidec -lm \
        2>"$tmp/cc.err"; then
    echo "not ok - $name: tests/mapping/cmp_records.c does not build"; sed 's/^/#   /' "$tmp/cc.err" | head; exit 0
fi

# cmpn WANT GOT: prints how many records differ (missing, extra or unequal; cmp_records, which
# needs records on both sides), its diagnostics in $tmp/cmp.out.
cmpn() {
    local nw ng
    nw=$(grep -c . "$1"); ng=$(grep -c . "$2")
    : >"$tmp/cmp.out"
    if [ "$nw" = 0 ] || [ "$ng" = 0 ]; then echo $((nw + ng)); return; fi
    "$tmp/cmp_records" "$1" "$2" >"$tmp/cmp.out" 2>&1
    sed -n 's/^# records: [0-9]*, \([0-9]*\) mismatches$/\1/p' "$tmp/cmp.out" | grep . || echo "$((nw + ng))"
}
