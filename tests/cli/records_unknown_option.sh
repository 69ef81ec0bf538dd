# An unknown option is a usage error.
"$IDBPQ" records x.parquet --bigint
