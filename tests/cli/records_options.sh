# needs: corpus
# The reader options: --map-object, --nulls-omit, --key-column with --offset/--limit,
# --int64-bigint, --decimal-string.
"$IDBPQ" records "$DATA/nested_maps.snappy.parquet" --map-object --limit 2 || exit 1
"$IDBPQ" records "$DATA/nullable.impala.parquet" --nulls-omit --offset 2 --limit 2 || exit 1
"$IDBPQ" records "$DATA/alltypes_plain.parquet" --key-column id --offset 2 --limit 2 \
    --int64-bigint || exit 1
"$IDBPQ" records "$DATA/fixed_length_decimal_legacy.parquet" --decimal-string --limit 2
