# A file that does not exist: exit 1, the message names it.
"$IDBPQ" records "$TMPDIR/nope.parquet"
