# An unknown option of a command is a usage error naming it.
"$IDBPQ" schema --frob x.parquet
