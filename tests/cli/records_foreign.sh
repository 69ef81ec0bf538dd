# needs: corpus
# Files idbpq did not write: every top-level column a property, converted by its logical type
# (docs/mapping.md, "Reading files idbpq did not write"); keys generated 1, 2, 3...
for f in alltypes_plain int96_from_spark fixed_length_decimal_legacy float16_nonzeros_and_nans \
         datapage_v2.snappy unknown-logical-type nested_lists.snappy nested_maps.snappy \
         nullable.impala map_no_value repeated_no_annotation; do
    "$IDBPQ" records "$DATA/$f.parquet" --limit 4 || exit 1
done
