# Every command has --help on stdout, exit 0.
for c in schema meta cat convert scan; do "$IDBPQ" $c --help | head -1 || exit 1; done
