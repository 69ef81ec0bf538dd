# needs: corpus
# MAP<STRING, MAP<INT32,BOOLEAN>>: outer map as object, inner as key/value array.
"$IDBPQ" cat "$DATA/nested_maps.snappy.parquet"
