# needs: corpus
# An unknown --columns path is a usage error that names it.
"$IDBPQ" cat "$DATA/alltypes_plain.parquet" --columns id,nope
