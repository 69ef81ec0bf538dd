# needs: corpus
# --json: bloom filter offset+length, file key/value metadata, string statistics.
"$IDBPQ" meta --json "$DATA/data_index_bloom_encoding_with_length.parquet"
