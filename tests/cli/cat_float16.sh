# needs: corpus
# FLOAT16 with NaN, -0.0 and null.
"$IDBPQ" cat "$DATA/float16_nonzeros_and_nans.parquet"
