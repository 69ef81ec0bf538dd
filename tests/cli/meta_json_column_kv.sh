# needs: corpus
# --json: column chunk key/value metadata, a key without value (null), 0 rows.
"$IDBPQ" meta --json "$DATA/column_chunk_key_value_metadata.parquet"
