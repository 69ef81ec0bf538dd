# No command: usage on stderr, exit 2.
"$IDBPQ"
