# A file that is not Parquet: exit 1 with the reader's message.
f=$TMPDIR/not.parquet
echo "hello, this is not a parquet file at all" >"$f"
"$IDBPQ" records "$f"
