^idbpq: .*/alltypes_plain.parquet: row 0, column bool_col: not a valid key
