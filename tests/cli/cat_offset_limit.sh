# needs: corpus
# --offset/--limit and a projection in an order different from the schema.
"$IDBPQ" cat "$DATA/alltypes_plain.parquet" --columns string_col,id --offset 2 --limit 3
