# needs: corpus
# INT96 timestamps: 9 fraction digits, no Z.
"$IDBPQ" cat "$DATA/int96_from_spark.parquet" --limit 5
