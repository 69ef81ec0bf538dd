# needs: corpus
# DECIMAL on INT32, INT64, BYTE_ARRAY and legacy FLBA: exactly `scale` fraction digits.
for f in int32_decimal int64_decimal byte_array_decimal fixed_length_decimal_legacy; do
    "$IDBPQ" cat "$DATA/$f.parquet" --limit 3 || exit 1
done
