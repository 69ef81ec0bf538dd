# needs: corpus
# A key column whose values are not IndexedDB keys (booleans): exit 1, naming row and column,
# after the records before it.
"$IDBPQ" records "$DATA/alltypes_plain.parquet" --key-column bool_col
