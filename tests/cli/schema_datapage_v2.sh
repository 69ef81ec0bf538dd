# needs: corpus
# STRING, a required LIST of required int32.
"$IDBPQ" schema "$DATA/datapage_v2.snappy.parquet"
