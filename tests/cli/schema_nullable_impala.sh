# needs: corpus
# Deep nesting, legacy MAP_KEY_VALUE, lists of maps (checked against parquet_schema() in DuckDB).
"$IDBPQ" schema "$DATA/nullable.impala.parquet"
