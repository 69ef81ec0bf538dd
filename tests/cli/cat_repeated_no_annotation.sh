# needs: corpus
# Unannotated repeated group inside an optional struct -> array of objects.
"$IDBPQ" cat "$DATA/repeated_no_annotation.parquet"
