/*
 * schema.h — internal side of idbpq_schema: building it from a footer's flat SchemaElement
 * list (with the backward-compatibility rules for lists and maps), and turning a built schema
 * back into SchemaElements for the writer's footer.
 */
#ifndef IDBPQ_PARQUET_SCHEMA_H
#define IDBPQ_PARQUET_SCHEMA_H

#include "parquet/meta.h"

/* Builds a finished schema from the footer's elements. Checks the tree (child counts,
 * leaves have a type, names present, depth <= max_depth). Errors: CORRUPT, LIMIT, NOMEM,
 * message in err. */
idbpq_status idbpq__schema_from_elements(const struct idbpq__schema_element *el, int32_t n,
                                         uint32_t max_depth, const idbpq_allocator *alc,
                                         idbpq_schema **out, struct idbpq__err *err);
/* The schema's elements in footer order, allocated in arena (names point into the schema). */
idbpq_status idbpq__schema_to_elements(const idbpq_schema *s, struct idbpq__arena *arena,
                                       struct idbpq__schema_element **out, int32_t *n);
/* Path components of column c (path_in_schema): *n strings owned by the schema. */
const char *const *idbpq__schema_column_path(const idbpq_schema *s, int32_t c, int32_t *n);

#endif
