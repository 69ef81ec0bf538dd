# An unknown command is a usage error.
"$IDBPQ" frobnicate x.parquet
