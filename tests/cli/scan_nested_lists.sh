# needs: corpus
# scan counts: rows, non-null values, null/empty level slots.
"$IDBPQ" scan "$DATA/nested_lists.snappy.parquet" | cut -d" " -f1-3
