#!/usr/bin/env bash
# 60_value.sh — the `idbpq value` command and the value oracle, run from the repo root:
#   1. CLI behaviour: usage errors exit 2; malformed V8 bytes and malformed tagged JSON exit 1
#      with the byte offset (and line/column); Blink's envelope is detected; --hash prints 32
#      hex digits that do not depend on the string width or the input form.
#   2. tests/value/oracle.mjs: random JS values through Node's v8.Serializer, idbpq and back,
#      compared with an identity-aware deep equality (seed: IDBPQ_TEST_SEED, else random;
#      printed with every result).
# Prints one "ok - value NAME" / "not ok - value NAME: why" line per check.
set -u
cd "$(dirname "$0")/../.."
IDBPQ=${IDBPQ:-./idbpq}
COUNT=${IDBPQ_VALUE_ORACLE_COUNT:-400}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$IDBPQ" ] || ! "$IDBPQ" value --help >/dev/null 2>&1; then
    echo "# SKIPPED: value checks (no 'idbpq value' command in $IDBPQ: run make)"
    exit 0
fi
ok() { echo "ok - value $1"; }
notok() { echo "not ok - value $1: $2"; }

# expect NAME RC STDERR_REGEX -- ARGS... (stdin from $tmp/in)
expect() {
    local name=$1 want_rc=$2 re=$3
    shift 4
    "$IDBPQ" value "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" != "$want_rc" ]; then
        notok "$name" "exit $rc, expected $want_rc ($(head -c 200 "$tmp/err"))"
    elif [ -n "$re" ] && ! grep -Eq "$re" "$tmp/err"; then
        notok "$name" "stderr '$(head -c 200 "$tmp/err")' does not match /$re/"
    else
        ok "$name"
    fi
}

: >"$tmp/in"
expect "cli usage: bad --from" 2 "must be v8 or json" -- --from xml
expect "cli usage: unknown option" 2 "unknown option" -- --frobnicate
expect "cli usage: two inputs" 2 "one input" -- a b
expect "cli missing file" 1 "cannot open" -- "$tmp/nonexistent"

printf '{"a":[1,2,}' >"$tmp/in"
expect "cli malformed json: line, column, offset" 1 "line 1, column 11.*byte offset 10" -- --from json
printf '\xff\x0f\x6f\x22\x05ab' >"$tmp/in"
expect "cli truncated v8: byte offset" 1 "byte offset [0-9]+" -- --from v8
printf '\xff\x0f\x01' >"$tmp/in"
expect "cli invalid v8 tag: byte offset" 1 "byte offset [0-9]+" -- --from v8

# A Blink-wrapped value (Chrome 109's envelope: FF 15 FE <12 zero bytes> FF 0F ...) and the
# same value from tagged JSON: same text, same hash.
printf '\xff\x15\xfe\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\x0f\x6f\x22\x02\x69\x64\x49\x02\x7b\x01' >"$tmp/in"
if "$IDBPQ" value <"$tmp/in" >"$tmp/out" 2>"$tmp/err" && [ "$(cat "$tmp/out")" = '{"id":1}' ]; then
    ok "cli blink envelope detected"
else
    notok "cli blink envelope detected" "got '$(cat "$tmp/out")' $(head -c 200 "$tmp/err")"
fi
h1=$("$IDBPQ" value --hash <"$tmp/in" 2>&1)
h2=$(printf '{"id":1}' | "$IDBPQ" value --hash 2>&1)
h3=$(printf '{"\\u0069d":1}' | "$IDBPQ" value --hash 2>&1)
if [[ "$h1" =~ ^[0-9a-f]{32}$ ]] && [ "$h1" = "$h2" ] && [ "$h2" = "$h3" ]; then
    ok "cli --hash agrees across input forms"
else
    notok "cli --hash agrees across input forms" "'$h1' '$h2' '$h3'"
fi
# json -> v8 -> json is the identity on printed text
printf '{"$object":{"$a":[1,{"$number":"-0"},{"$ref":1}],"b":{"$map":[[{"$bigint":"-9"},{"$date":null}]]}}}' >"$tmp/in"
if "$IDBPQ" value --to v8 <"$tmp/in" >"$tmp/v8" 2>"$tmp/err" &&
    "$IDBPQ" value --from v8 <"$tmp/v8" >"$tmp/out" 2>>"$tmp/err" && cmp -s <(cat "$tmp/in"; echo) "$tmp/out"; then
    ok "cli json -> v8 -> json keeps the text"
else
    notok "cli json -> v8 -> json keeps the text" "got '$(head -c 300 "$tmp/out")' $(head -c 200 "$tmp/err")"
fi

if ! command -v node >/dev/null 2>&1; then
    echo "# SKIPPED: value oracle (node not installed)"
    exit 0
fi
seed=${IDBPQ_TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}
mkdir -p "$tmp/oracle"
if ! node tests/value/oracle.mjs "$IDBPQ" "$seed" "$COUNT" "$tmp/oracle" 2>"$tmp/oerr"; then
    notok "oracle (seed $seed)" "node failed: $(head -c 300 "$tmp/oerr")"
fi
