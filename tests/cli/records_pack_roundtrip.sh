# Records packed by idbpq come back exactly: store metadata, absences, `_raw` fallbacks,
# typed arrays, Maps, Sets, Dates, BigInts; an in-line key path gives the keys back.
in=$TMPDIR/in.jsonl
cat >"$in" <<'JSONL'
{"key":1,"value":{"name":"a","n":1,"at":{"$date":1700000000000},"tags":["x","y"],"m":{"$map":[["k",1.5]]}}}
{"key":2,"value":{"name":null,"n":{"$bigint":"123456789012345678901234567890"},"f":{"$binary":"AACAPw==","$type":"Float32Array"},"s":{"$set":[1,2]}}}
{"key":3,"value":{"n":2.5,"re":{"$regexp":"a+","$flags":"g"}}}
JSONL
"$IDBPQ" pack "$in" "$TMPDIR/out.parquet" --quiet || exit 1
"$IDBPQ" records "$TMPDIR/out.parquet" || exit 1
printf '%s\n' '{"value":{"id":"u1","v":[1]}}' '{"value":{"id":"u2","v":[]}}' >"$in"
"$IDBPQ" pack "$in" "$TMPDIR/kp.parquet" --key-path id --quiet || exit 1
"$IDBPQ" records "$TMPDIR/kp.parquet"
