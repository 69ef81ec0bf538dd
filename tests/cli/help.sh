# idbpq --help prints the command list on stdout and exits 0.
"$IDBPQ" --help
