# needs: corpus
# A DECIMAL given only as ConvertedType shows as DECIMAL(precision,scale).
"$IDBPQ" schema "$DATA/fixed_length_decimal_legacy.parquet"
