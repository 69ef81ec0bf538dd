# needs: corpus
# Flat Impala types: unannotated binary as base64, INT96 timestamps, floats.
"$IDBPQ" cat "$DATA/alltypes_plain.parquet"
