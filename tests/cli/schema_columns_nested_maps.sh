# needs: corpus
# --columns: leaf paths with physical type and max levels (Dremel levels by hand:
# a.key_value.value.key_value.key: a optional, key_value repeated, value optional,
# key_value repeated -> def 4, rep 2).
"$IDBPQ" schema --columns "$DATA/nested_maps.snappy.parquet"
