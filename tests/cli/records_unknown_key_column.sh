# needs: corpus
# --key-column must name a top-level column: a usage error that names it.
"$IDBPQ" records "$DATA/alltypes_plain.parquet" --key-column nope
