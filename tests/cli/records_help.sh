# records --help: usage on stdout, exit 0.
"$IDBPQ" records --help | head -1
