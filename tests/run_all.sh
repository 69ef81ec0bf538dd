#!/usr/bin/env bash
# run_all.sh — runs every test suite and prints one closing line "N passed, N failed".
# Each suite prints "ok - ..." / "not ok - ..." lines; this script counts them. A suite that
# cannot run (no ../shared corpus, say) prints "# SKIPPED: why" and the summary repeats it.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for suite in tests/suites/*.sh; do
    echo "# suite $(basename "$suite" .sh)"
    if ! bash "$suite" 2>&1 | tee -a "$log"; then :; fi
    rc=${PIPESTATUS[0]}
    if [ "$rc" != 0 ] && ! grep -q "^not ok" "$log"; then
        echo "not ok - suite $(basename "$suite") exited $rc" | tee -a "$log"
    fi
done
passed=$(grep -c "^ok " "$log" || true)
failed=$(grep -c "^not ok " "$log" || true)
if grep -q "^# SKIPPED" "$log"; then
    echo "# Not run:"
    grep "^# SKIPPED" "$log" | sed 's/^# SKIPPED/#  /'
fi
[ "$failed" = 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
