# A command without its FILE is a usage error.
"$IDBPQ" cat
