^idbpq: .*/nope.parquet: 
