^idbpq: .*/not.parquet: .+
