# needs: corpus
# Nested lists, maps with string keys (objects), structs, nulls at every level; equal to
# DuckDB to_json() of every row.
"$IDBPQ" cat "$DATA/nullable.impala.parquet"
