# needs: corpus
# MAP without a value field: array of {"key","value":null}.
"$IDBPQ" cat "$DATA/map_no_value.parquet"
