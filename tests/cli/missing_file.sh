# A file that does not exist: exit 1, "idbpq: FILE: reason".
"$IDBPQ" schema /nonexistent/dir/x.parquet
