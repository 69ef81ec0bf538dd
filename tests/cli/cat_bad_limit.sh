# --limit must be a non-negative integer.
"$IDBPQ" cat x.parquet --limit -3
