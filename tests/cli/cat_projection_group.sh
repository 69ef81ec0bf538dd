# needs: corpus
# A group path selects all its leaves; other fields are omitted.
"$IDBPQ" cat "$DATA/nullable.impala.parquet" --columns nested_struct.C,int_map
