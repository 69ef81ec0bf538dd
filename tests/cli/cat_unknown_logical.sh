# needs: corpus
# An unknown logical type reads as unannotated binary (base64).
"$IDBPQ" cat "$DATA/unknown-logical-type.parquet"
