^idbpq: /nonexistent/dir/x.parquet: .+
