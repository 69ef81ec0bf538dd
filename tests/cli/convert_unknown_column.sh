# needs: corpus
# --encoding naming an unknown column is a usage error.
"$IDBPQ" convert "$DATA/alltypes_plain.parquet" "$TMPDIR/o.parquet" --encoding nope=PLAIN
