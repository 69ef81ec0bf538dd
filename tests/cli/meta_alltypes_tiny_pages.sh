# needs: corpus
# Text meta with page index locations and decoded statistics (offsets, sizes and
# min/max checked against DuckDB parquet_metadata()).
"$IDBPQ" meta "$DATA/alltypes_tiny_pages.parquet"
