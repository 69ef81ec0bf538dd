/*
 * delta_schema.c — a Parquet schema as a Delta schemaString (PROTOCOL.md "Schema Serialization
 * Format"; notes §3.1.1): the StructType JSON every engine reads the table's columns from.
 *
 * Types follow what Spark's Parquet reader makes of each annotation, so that the data files
 * and the schema agree for every engine: our JS Dates (TIMESTAMP MILLIS, UTC) are
 * `timestamp`, unsigned integers are widened (UINT8/16 -> short/integer, UINT32 -> long,
 * UINT64 -> decimal(20,0)), FLOAT16 is `float`, the null-only INT32 (logical UNKNOWN) is
 * `integer` (never `void`, which may not be stored in files), and an unshredded VARIANT group
 * is `variant`. Names Spark refuses without column mapping (` ,;{}()\n\t=`) switch the table
 * to column mapping `name` mode, every field then carrying an id and its Parquet name as the
 * physical name. Names that differ only in case are refused: the protocol wants names unique
 * ignoring case, and column mapping renames nothing a reader sees.
 */
#include "sync/delta.h"

#include <stdio.h>
#include <strings.h>

struct sctx {
    const idbpq_schema *s;
    struct idbpq__buf *out;
    struct idbpq__err *err;
    int mapping;                 /* write column mapping metadata */
    int64_t next_id;             /* column mapping ids, 1-based, depth-first */
    int variant;                 /* a variant column was seen */
};

static int needs_mapping_name(const char *n)
{
    for (; *n; n++)
        if (strchr(" ,;{}()\n\t=", *n)) return 1;
    return 0;
}

/* Whether any struct field under node g (recursively) needs column mapping; UNSUPPORTED for
 * case-insensitive duplicates among the fields of one struct. */
static idbpq_status scan_names(struct sctx *c, int32_t g, const char *skip, int *mapping)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, g);
    for (int32_t i = 0; i < n->num_children; i++) {
        const idbpq_schema_node *a = idbpq_schema_node_at(c->s, n->children[i]);
        if (g == 0 && skip && strcmp(a->name, skip) == 0) continue;
        if (needs_mapping_name(a->name)) *mapping = 1;
        for (int32_t j = 0; j < i; j++) {
            const idbpq_schema_node *b = idbpq_schema_node_at(c->s, n->children[j]);
            if (!strcasecmp(a->name, b->name))
                return idbpq__fail(c->err, IDBPQ_UNSUPPORTED,
                                   "columns \"%s\" and \"%s\"%s%s differ only in case: Delta "
                                   "needs column names unique ignoring case (column mapping "
                                   "cannot express that)",
                                   b->name, a->name, g ? " in " : "", g ? n->path : "");
        }
        if (a->type == IDBPQ_GROUP) IDBPQ__TRY(scan_names(c, n->children[i], NULL, mapping));
    }
    return IDBPQ_OK;
}

static idbpq_status raw(struct sctx *c, const char *s) { return idbpq__jw_raw(c->out, s); }

static idbpq_status unsupported(struct sctx *c, const idbpq_schema_node *n, const char *what)
{
    return idbpq__fail(c->err, IDBPQ_UNSUPPORTED, "column %s: %s has no Delta type",
                       n->path ? n->path : n->name, what);
}

static idbpq_status decimal(struct sctx *c, int32_t p, int32_t s)
{
    char t[40];
    snprintf(t, sizeof t, "\"decimal(%d,%d)\"", (int)p, (int)s);
    return raw(c, t);
}

static idbpq_status type_of(struct sctx *c, int32_t node, int as_element);

/* A primitive leaf's type. */
static idbpq_status leaf_type(struct sctx *c, const idbpq_schema_node *n)
{
    const idbpq_logical *l = &n->logical;
    if (l->kind == IDBPQ_LT_DECIMAL) {
        if (l->precision < 1 || l->precision > 38 || l->scale < 0 || l->scale > l->precision)
            return unsupported(c, n, "a DECIMAL beyond precision 38");
        return decimal(c, l->precision, l->scale);
    }
    switch (n->type) {
    case IDBPQ_BOOLEAN: return raw(c, "\"boolean\"");
    case IDBPQ_INT32:
        if (l->kind == IDBPQ_LT_DATE) return raw(c, "\"date\"");
        if (l->kind == IDBPQ_LT_INTEGER) {
            if (l->is_signed)
                return raw(c, l->bit_width == 8 ? "\"byte\"" : l->bit_width == 16 ? "\"short\""
                                                                                 : "\"integer\"");
            return raw(c, l->bit_width == 8 ? "\"short\"" : l->bit_width == 16 ? "\"integer\""
                                                                               : "\"long\"");
        }
        if (l->kind == IDBPQ_LT_NONE || l->kind == IDBPQ_LT_NULL) return raw(c, "\"integer\"");
        return unsupported(c, n, "this INT32 annotation");
    case IDBPQ_INT64:
        if (l->kind == IDBPQ_LT_TIMESTAMP) {
            /* timestamp_ntz would need the timestampNtz feature; we never write it. */
            if (!l->utc) return unsupported(c, n, "a TIMESTAMP not adjusted to UTC");
            return raw(c, "\"timestamp\"");
        }
        if (l->kind == IDBPQ_LT_INTEGER && !l->is_signed) return decimal(c, 20, 0);
        if (l->kind == IDBPQ_LT_NONE || l->kind == IDBPQ_LT_INTEGER) return raw(c, "\"long\"");
        return unsupported(c, n, "this INT64 annotation");
    case IDBPQ_INT96: return raw(c, "\"timestamp\"");
    case IDBPQ_FLOAT: return raw(c, "\"float\"");
    case IDBPQ_DOUBLE: return raw(c, "\"double\"");
    case IDBPQ_BYTE_ARRAY:
        if (l->kind == IDBPQ_LT_STRING || l->kind == IDBPQ_LT_JSON || l->kind == IDBPQ_LT_ENUM)
            return raw(c, "\"string\"");
        return raw(c, "\"binary\"");
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        if (l->kind == IDBPQ_LT_FLOAT16) return raw(c, "\"float\"");
        return raw(c, "\"binary\"");
    case IDBPQ_GROUP:
    default: return unsupported(c, n, "this type");
    }
}

/* A StructField for node i. */
static idbpq_status field(struct sctx *c, int32_t i, int first)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, i);
    if (!first) IDBPQ__TRY(raw(c, ","));
    IDBPQ__TRY(raw(c, "{\"name\":"));
    IDBPQ__TRY(idbpq__jw_str(c->out, n->name, strlen(n->name)));
    IDBPQ__TRY(raw(c, ",\"type\":"));
    int64_t id = ++c->next_id;
    IDBPQ__TRY(type_of(c, i, 0));
    IDBPQ__TRY(raw(c, n->repetition == IDBPQ_REQUIRED ? ",\"nullable\":false"
                                                      : ",\"nullable\":true"));
    IDBPQ__TRY(raw(c, ",\"metadata\":{"));
    if (c->mapping) {
        IDBPQ__TRY(idbpq__jw_key(c->out, "delta.columnMapping.id", 1));
        IDBPQ__TRY(idbpq__jw_int(c->out, id));
        IDBPQ__TRY(idbpq__jw_key(c->out, "delta.columnMapping.physicalName", 0));
        IDBPQ__TRY(idbpq__jw_str(c->out, n->name, strlen(n->name)));
    }
    return raw(c, "}}");
}

static idbpq_status struct_of(struct sctx *c, int32_t g, const char *skip)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, g);
    IDBPQ__TRY(raw(c, "{\"type\":\"struct\",\"fields\":["));
    int first = 1;
    for (int32_t i = 0; i < n->num_children; i++) {
        const idbpq_schema_node *ch = idbpq_schema_node_at(c->s, n->children[i]);
        if (g == 0 && skip && strcmp(ch->name, skip) == 0) continue;
        IDBPQ__TRY(field(c, n->children[i], first));
        first = 0;
    }
    return raw(c, "]}");
}

static int is_variant(const idbpq_schema *s, const idbpq_schema_node *n)
{
    if (n->type != IDBPQ_GROUP || n->shape != IDBPQ_SHAPE_STRUCT) return 0;
    if (n->logical.kind == IDBPQ_LT_VARIANT) return 1;
    /* Spark 4 writes unannotated {metadata, value} binary groups (notes §5.9). */
    if (n->num_children != 2) return 0;
    int m = 0, v = 0;
    for (int32_t i = 0; i < 2; i++) {
        const idbpq_schema_node *c = idbpq_schema_node_at(s, n->children[i]);
        if (c->type != IDBPQ_BYTE_ARRAY || c->repetition != IDBPQ_REQUIRED) return 0;
        m |= strcmp(c->name, "metadata") == 0;
        v |= strcmp(c->name, "value") == 0;
    }
    return m && v;
}

/* The Delta type of node i (the field's own repetition is the caller's business). A
 * REPEATED leaf or group outside a LIST is an array of it (legacy lists). */
static idbpq_status type_of(struct sctx *c, int32_t i, int as_element)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, i);
    if (n->shape == IDBPQ_SHAPE_REPEATED && !as_element) {
        IDBPQ__TRY(raw(c, "{\"type\":\"array\",\"elementType\":"));
        IDBPQ__TRY(type_of(c, i, 1));
        return raw(c, ",\"containsNull\":false}");
    }
    if (n->type != IDBPQ_GROUP) return leaf_type(c, n);
    if (n->logical.kind == IDBPQ_LT_VARIANT || is_variant(c->s, n)) {
        for (int32_t k = 0; k < n->num_children; k++)
            if (strcmp(idbpq_schema_node_at(c->s, n->children[k])->name, "typed_value") == 0)
                return unsupported(c, n, "a shredded VARIANT (variantShredding is not written)");
        c->variant = 1;
        return raw(c, "\"variant\"");
    }
    if (n->shape == IDBPQ_SHAPE_LIST) {
        const idbpq_schema_node *e = idbpq_schema_node_at(c->s, n->element);
        IDBPQ__TRY(raw(c, "{\"type\":\"array\",\"elementType\":"));
        IDBPQ__TRY(type_of(c, n->element, 1));
        return raw(c, e->repetition == IDBPQ_OPTIONAL ? ",\"containsNull\":true}"
                                                      : ",\"containsNull\":false}");
    }
    if (n->shape == IDBPQ_SHAPE_MAP) {
        if (n->map_value < 0) return unsupported(c, n, "a MAP without values");
        const idbpq_schema_node *v = idbpq_schema_node_at(c->s, n->map_value);
        IDBPQ__TRY(raw(c, "{\"type\":\"map\",\"keyType\":"));
        IDBPQ__TRY(type_of(c, n->element, 1));
        IDBPQ__TRY(raw(c, ",\"valueType\":"));
        IDBPQ__TRY(type_of(c, n->map_value, 1));
        return raw(c, v->repetition == IDBPQ_OPTIONAL ? ",\"valueContainsNull\":true}"
                                                      : ",\"valueContainsNull\":false}");
    }
    return struct_of(c, i, NULL);
}

idbpq_status idbpq__delta_schema_string(const idbpq_schema *s, const char *skip,
                                        struct idbpq__buf *out, int *needs_variant,
                                        int *needs_column_mapping, struct idbpq__err *err)
{
    struct sctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.out = out;
    c.err = err;
    IDBPQ__TRY(scan_names(&c, 0, skip, &c.mapping));
    size_t start = out->len;
    idbpq_status st = struct_of(&c, 0, skip);
    if (st != IDBPQ_OK) {
        out->len = start;
        return st;
    }
    if (needs_variant) *needs_variant = c.variant;
    if (needs_column_mapping) *needs_column_mapping = c.mapping;
    return IDBPQ_OK;
}
