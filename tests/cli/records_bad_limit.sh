# --limit must be a non-negative integer.
"$IDBPQ" records x.parquet --limit -3
