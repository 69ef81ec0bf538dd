# An unknown codec name is a usage error; no output is created.
"$IDBPQ" convert in.parquet "$TMPDIR/out.parquet" --codec=nosuch
rc=$?
[ ! -e "$TMPDIR/out.parquet" ] || exit 99
exit $rc
