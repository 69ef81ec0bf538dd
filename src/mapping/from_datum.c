/*
 * from_datum.c — one datum row (as idbpq_row_reader assembles it) back into a record's key and
 * value, following the file's type map (mapping.h lists each jsnode kind and its Parquet
 * form). The type map comes from the file's metadata and may lie: every datum is checked
 * against what its jsnode expects and every node index against the schema, so a bad file is
 * IDBPQ_CORRUPT naming the column, never a crash.
 */
#include "mapping/read_util.h"
#include "mapping/variant.h"

#include <math.h>
#include <stdio.h>

static idbpq_status put(struct idbpq__rd *c, idbpq_value *v, idbpq_value **out)
{
    if (!v) return idbpq__rd_nomem(c);
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status bad_map(struct idbpq__rd *c, const struct idbpq__jsnode *j, const char *why)
{
    return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: type map: %s",
                       idbpq__rd_path(c->s, j->node), why);
}

/* Position of `child` among the children of schema node `group` (children are numbered in
 * depth-first order, so each children array is ascending); -1 when it is not one. */
static int32_t child_index(const idbpq_schema *s, int32_t group, int32_t child)
{
    const idbpq_schema_node *g = idbpq_schema_node_at(s, group);
    if (!g) return -1;
    int32_t lo = 0, hi = g->num_children - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2, v = g->children[mid];
        if (v == child) return mid;
        if (v < child) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* What a null at a node with this absence is; *out = NULL for "missing". */
static idbpq_status absence(struct idbpq__rd *c, int absent, idbpq_value **out)
{
    *out = NULL;
    if (absent == IDBPQ__ABS_MISSING) return IDBPQ_OK;
    return put(c, idbpq_value_new(c->b, absent == IDBPQ__ABS_NULL ? IDBPQ_V_NULL : IDBPQ_V_UNDEFINED),
               out);
}

/* An element's absence: there are no holes in the arrays idbpq writes typed. */
static idbpq_status elem_absence(struct idbpq__rd *c, int absent, idbpq_value **out)
{
    return put(c, idbpq_value_new(c->b, absent == IDBPQ__ABS_UNDEFINED ? IDBPQ_V_UNDEFINED : IDBPQ_V_NULL),
               out);
}

static idbpq_status conv(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                         int depth, idbpq_value **out);

/* Converts a non-null element; a null one becomes its absence. */
static idbpq_status element(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                            int depth, idbpq_value **out)
{
    if (d->kind == IDBPQ_DATUM_NULL) return elem_absence(c, j->absent, out);
    IDBPQ__TRY(conv(c, j, d, depth, out));
    return *out ? IDBPQ_OK : elem_absence(c, j->absent, out);
}

/* ---- typed arrays --------------------------------------------------------------------------- */

/* The float16 bits of f when f is exactly a float16 value; -1 otherwise. */
static int32_t float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, m = x & 0x7fffff;
    int e = (int)((x >> 23) & 0xff);
    if (e == 255) { /* Inf, or NaN whose payload survives the 13-bit shift */
        if (m & 0x1fff) return -1;
        if (m && !(m >> 13)) return -1;
        return (int32_t)(sign | 0x7c00 | (m >> 13));
    }
    if (e == 0) return m ? -1 : (int32_t)sign;
    e -= 127;
    if (e >= -14 && e <= 15) {
        if (m & 0x1fff) return -1;
        return (int32_t)(sign | (uint32_t)(e + 15) << 10 | m >> 13);
    }
    if (e >= -24 && e < -14) { /* a float16 subnormal */
        uint32_t full = m | 0x800000;
        int shift = 13 + (-14 - e);
        if (full & ((1u << shift) - 1)) return -1;
        return (int32_t)(sign | full >> shift);
    }
    return -1;
}

static idbpq_status typed(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                          idbpq_value **out)
{
    static const uint8_t size[] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8};
    int kind = j->view;
    if (kind < 0 || kind >= (int)sizeof size) return bad_map(c, j, "typed array of no known kind");
    if (d->kind != IDBPQ_DATUM_LIST) return idbpq__rd_mismatch(c, j->node, "a list", d);
    uint8_t want = kind == IDBPQ_VIEW_UINT32 || kind >= IDBPQ_VIEW_BIGINT64 ? IDBPQ_DATUM_INT64
                   : kind == IDBPQ_VIEW_FLOAT16 || kind == IDBPQ_VIEW_FLOAT32 ? IDBPQ_DATUM_FLOAT
                   : kind == IDBPQ_VIEW_FLOAT64 ? IDBPQ_DATUM_DOUBLE : IDBPQ_DATUM_INT32;
    size_t n = (size_t)d->len * size[kind];
    uint8_t *bytes = idbpq_vbatch_alloc(c->b, n);
    if (!bytes) return idbpq__rd_nomem(c);
    for (uint32_t i = 0; i < d->len; i++) {
        const idbpq_datum *e = &d->u.items[i];
        uint8_t *p = bytes + (size_t)i * size[kind];
        if (e->kind != want) {
            static const char *const names[] = {[IDBPQ_DATUM_INT32] = "INT32 elements",
                                                [IDBPQ_DATUM_INT64] = "INT64 elements",
                                                [IDBPQ_DATUM_FLOAT] = "FLOAT elements",
                                                [IDBPQ_DATUM_DOUBLE] = "DOUBLE elements"};
            return idbpq__rd_mismatch(c, j->node, names[want], e);
        }
        int64_t v = want == IDBPQ_DATUM_INT64 ? e->u.i64 : e->u.i32;
        int ok = 1;
        switch ((idbpq_view_kind)kind) {
        case IDBPQ_VIEW_INT8: ok = v >= -128 && v <= 127; p[0] = (uint8_t)v; break;
        case IDBPQ_VIEW_UINT8:
        case IDBPQ_VIEW_UINT8_CLAMPED: ok = v >= 0 && v <= 255; p[0] = (uint8_t)v; break;
        case IDBPQ_VIEW_INT16:
        case IDBPQ_VIEW_UINT16:
            ok = kind == IDBPQ_VIEW_INT16 ? v >= -32768 && v <= 32767 : v >= 0 && v <= 65535;
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(v >> 8);
            break;
        case IDBPQ_VIEW_INT32: idbpq__st_le32(p, (uint32_t)v); break;
        case IDBPQ_VIEW_UINT32: ok = v >= 0 && v <= 0xffffffffll; idbpq__st_le32(p, (uint32_t)v); break;
        case IDBPQ_VIEW_FLOAT16: {
            int32_t h = float_to_half(e->u.f32);
            ok = h >= 0;
            p[0] = (uint8_t)h;
            p[1] = (uint8_t)(h >> 8);
            break;
        }
        case IDBPQ_VIEW_FLOAT32: memcpy(p, &e->u.f32, 4); break;
        case IDBPQ_VIEW_FLOAT64: memcpy(p, &e->u.f64, 8); break;
        case IDBPQ_VIEW_BIGINT64:
        case IDBPQ_VIEW_BIGUINT64: idbpq__st_le64(p, (uint64_t)e->u.i64); break;
        case IDBPQ_VIEW_DATAVIEW: ok = 0; break;
        }
        if (!ok)
            return idbpq__fail(c->err, IDBPQ_CORRUPT,
                               "column %s: element %u does not fit the typed array's type",
                               idbpq__rd_path(c->s, j->node), i);
    }
    return idbpq__rd_binary(c, j->node, bytes, (uint32_t)n, kind, out);
}

/* ---- objects and collections ------------------------------------------------------------------ */

static idbpq_status prop_key(struct idbpq__rd *c, const struct idbpq__jsnode *j, idbpq_value **out)
{
    if (!j->prop || j->prop->type != IDBPQ_V_STRING) return bad_map(c, j, "property without a name");
    if (!j->key_number) return put(c, idbpq__rd_str_copy(c->b, j->prop), out);
    uint32_t index;
    if (!idbpq__name_index(&j->prop->u.str, &index)) return bad_map(c, j, "numeric key that is not an index");
    return put(c, idbpq_value_number(c->b, index), out);
}

/* The value of property child `cj` whose item is null; *out = NULL when it is missing. */
static idbpq_status null_prop(struct idbpq__rd *c, int32_t group, const struct idbpq__jsnode *cj,
                              const idbpq_datum *gd, idbpq_value **out)
{
    if (cj->js == IDBPQ__JS_FOREIGN) {
        *out = NULL;
        return c->o->nulls_omit ? IDBPQ_OK : put(c, idbpq_value_new(c->b, IDBPQ_V_NULL), out);
    }
    if (cj->absent_node < 0) {
        if (cj->absent > IDBPQ__ABS_UNDEFINED) return bad_map(c, cj, "unknown absence kind");
        return absence(c, cj->absent, out);
    }
    int32_t ka = child_index(c->s, group, cj->absent_node);
    if (ka < 0) return bad_map(c, cj, "absence column is not a sibling");
    const idbpq_datum *a = &gd->u.items[ka];
    if (a->kind == IDBPQ_DATUM_NULL) return absence(c, IDBPQ__ABS_MISSING, out);
    if (a->kind != IDBPQ_DATUM_INT32 || (a->u.i32 != 1 && a->u.i32 != 2))
        return idbpq__fail(c->err, IDBPQ_CORRUPT,
                           "column %s: expected 1 (null) or 2 (undefined) in %s",
                           idbpq__rd_path(c->s, cj->node), idbpq__rd_path(c->s, cj->absent_node));
    return absence(c, a->u.i32 == 1 ? IDBPQ__ABS_NULL : IDBPQ__ABS_UNDEFINED, out);
}

/* An object over schema group `group` whose datum is d. */
static idbpq_status object(struct idbpq__rd *c, const struct idbpq__jsnode *j, int32_t group,
                           const idbpq_datum *d, int depth, idbpq_value **out)
{
    const idbpq_schema_node *g = idbpq_schema_node_at(c->s, group);
    if (!g || g->type != IDBPQ_GROUP) return bad_map(c, j, "object on a node that is not a group");
    if (d->kind != IDBPQ_DATUM_GROUP || d->len != (uint32_t)g->num_children)
        return idbpq__rd_mismatch(c, group, "a group of its fields", d);
    idbpq_value *o = idbpq_value_new(c->b, IDBPQ_V_OBJECT);
    idbpq_prop *props = idbpq_vbatch_alloc(c->b, sizeof *props * (j->n_children ? j->n_children : 1));
    if (!o || !props) return idbpq__rd_nomem(c);
    uint32_t np = 0;
    for (uint32_t k = 0; k < j->n_children; k++) {
        const struct idbpq__jsnode *cj = &j->children[k];
        int32_t at = child_index(c->s, group, cj->node);
        if (at < 0) return bad_map(c, cj, "property column is not a field of its object's group");
        const idbpq_datum *it = &d->u.items[at];
        idbpq_value *v;
        if (it->kind == IDBPQ_DATUM_NULL) IDBPQ__TRY(null_prop(c, group, cj, d, &v));
        else IDBPQ__TRY(conv(c, cj, it, depth + 1, &v));
        if (!v) continue;
        IDBPQ__TRY(prop_key(c, cj, &props[np].key));
        props[np++].value = v;
    }
    if (idbpq__rd_dedupe_props(c->b, props, &np) != IDBPQ_OK) return idbpq__rd_nomem(c);
    o->u.object.props = props;
    o->u.object.n = np;
    *out = o;
    return IDBPQ_OK;
}

static idbpq_status array_or_set(struct idbpq__rd *c, const struct idbpq__jsnode *j,
                                 const idbpq_datum *d, int depth, idbpq_value **out)
{
    if (j->n_children < 1 || !j->children) return bad_map(c, j, "array without an element");
    if (d->kind != IDBPQ_DATUM_LIST) return idbpq__rd_mismatch(c, j->node, "a list", d);
    idbpq_value **items = idbpq_vbatch_alloc(c->b, sizeof *items * (d->len ? d->len : 1));
    idbpq_value *v = idbpq_value_new(c->b, j->js == IDBPQ__JS_SET ? IDBPQ_V_SET : IDBPQ_V_ARRAY);
    if (!items || !v) return idbpq__rd_nomem(c);
    for (uint32_t i = 0; i < d->len; i++)
        IDBPQ__TRY(element(c, &j->children[0], &d->u.items[i], depth + 1, &items[i]));
    if (j->js == IDBPQ__JS_SET) {
        uint32_t n = d->len;
        if (idbpq__rd_dedupe_coll(c->b, items, &n, 1) != IDBPQ_OK) return idbpq__rd_nomem(c);
        v->u.coll.items = items;
        v->u.coll.n = n;
    } else {
        v->u.array.items = items;
        v->u.array.length = d->len;
    }
    *out = v;
    return IDBPQ_OK;
}

static idbpq_status map(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                        int depth, idbpq_value **out)
{
    if (j->n_children < 2 || !j->children) return bad_map(c, j, "Map without key and value");
    if (d->kind != IDBPQ_DATUM_MAP) return idbpq__rd_mismatch(c, j->node, "a map", d);
    if (d->len > UINT32_MAX / 2) return idbpq__rd_nomem(c);
    uint32_t n = d->len;
    idbpq_value **items = idbpq_vbatch_alloc(c->b, sizeof *items * 2 * (n ? n : 1));
    idbpq_value *v = idbpq_value_new(c->b, IDBPQ_V_MAP);
    if (!items || !v) return idbpq__rd_nomem(c);
    for (uint32_t i = 0; i < 2 * n; i++)
        IDBPQ__TRY(element(c, &j->children[i & 1], &d->u.items[i], depth + 1, &items[i]));
    if (idbpq__rd_dedupe_coll(c->b, items, &n, 2) != IDBPQ_OK) return idbpq__rd_nomem(c);
    v->u.coll.items = items;
    v->u.coll.n = n;
    *out = v;
    return IDBPQ_OK;
}

/* ---- Blob and File -------------------------------------------------------------------------- */

static const idbpq_datum *field(struct idbpq__rd *c, const struct idbpq__jsnode *j,
                                const idbpq_datum *d, const char *name)
{
    const idbpq_schema_node *g = idbpq_schema_node_at(c->s, j->node);
    for (int32_t k = 0; g && k < g->num_children && (uint32_t)k < d->len; k++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(c->s, g->children[k]);
        if (n && n->name && strcmp(n->name, name) == 0) return &d->u.items[k];
    }
    return NULL;
}

static idbpq_status blob(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                         idbpq_value **out)
{
    int file = j->js == IDBPQ__JS_FILE;
    const idbpq_schema_node *g = idbpq_schema_node_at(c->s, j->node);
    if (!g || d->kind != IDBPQ_DATUM_GROUP || d->len != (uint32_t)g->num_children)
        return idbpq__rd_mismatch(c, j->node, file ? "a File group" : "a Blob group", d);
    const idbpq_datum *type = field(c, j, d, "type"), *size = field(c, j, d, "size"),
                      *data = field(c, j, d, "data"), *name = NULL, *lm = NULL;
    if (file) {
        name = field(c, j, d, "name");
        lm = field(c, j, d, "lastModified");
        if (!name || name->kind != IDBPQ_DATUM_BYTES)
            return idbpq__rd_mismatch(c, j->node, "a File name", name);
        if (!lm || lm->kind != IDBPQ_DATUM_INT64)
            return idbpq__rd_mismatch(c, j->node, "an INT64 lastModified", lm);
    }
    if (!type || type->kind != IDBPQ_DATUM_BYTES)
        return idbpq__rd_mismatch(c, j->node, "a type string", type);
    if (!size || size->kind != IDBPQ_DATUM_INT64 || size->u.i64 < 0 ||
        (double)size->u.i64 > 9007199254740992.0)
        return idbpq__rd_mismatch(c, j->node, "a non-negative INT64 size", size);
    if (!data || (data->kind != IDBPQ_DATUM_NULL && data->kind != IDBPQ_DATUM_BYTES))
        return idbpq__rd_mismatch(c, j->node, "the data bytes or null", data);
    if (data->kind == IDBPQ_DATUM_BYTES && (uint64_t)data->len != (uint64_t)size->u.i64)
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "column %s: %u bytes of data for a size of %lld",
                           idbpq__rd_path(c->s, j->node), data->len, (long long)size->u.i64);
    idbpq_value *v = idbpq_value_new(c->b, file ? IDBPQ_V_FILE : IDBPQ_V_BLOB);
    if (!v) return idbpq__rd_nomem(c);
    IDBPQ__TRY(idbpq__rd_string(c, j->node, type->u.bytes, type->len, &v->u.blob.mime));
    v->u.blob.size = (uint64_t)size->u.i64;
    v->u.blob.index = -1;
    if (data->kind == IDBPQ_DATUM_BYTES) {
        uint8_t *copy = idbpq_vbatch_alloc(c->b, data->len);
        if (!copy) return idbpq__rd_nomem(c);
        if (data->len) memcpy(copy, data->u.bytes, data->len);
        v->u.blob.bytes = copy;
    }
    if (file) {
        IDBPQ__TRY(idbpq__rd_string(c, j->node, name->u.bytes, name->len, &v->u.blob.name));
        v->u.blob.last_modified = (double)lm->u.i64;
    }
    *out = v;
    return IDBPQ_OK;
}

/* ---- one node ------------------------------------------------------------------------------- */

static idbpq_status tagged_json(struct idbpq__rd *c, int32_t node, const idbpq_datum *d,
                                idbpq_value **out)
{
    if (d->kind != IDBPQ_DATUM_BYTES) return idbpq__rd_mismatch(c, node, "tagged JSON text", d);
    idbpq_error e;
    idbpq_status st = idbpq_tjson_parse(c->b, (const char *)d->u.bytes, d->len, out, &e);
    if (st == IDBPQ_NOMEM) return idbpq__rd_nomem(c);
    if (st != IDBPQ_OK)
        return idbpq__fail(c->err, st == IDBPQ_LIMIT ? IDBPQ_LIMIT : IDBPQ_CORRUPT,
                           "column %s: tagged JSON, line %u column %u: %s",
                           idbpq__rd_path(c->s, node), e.line, e.column, e.msg);
    return IDBPQ_OK;
}

static idbpq_status variant(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                            idbpq_value **out)
{
    uint32_t flags = IDBPQ__VAR_DECIMAL_BIGINT | (j->view ? IDBPQ__VAR_UINT8ARRAY : 0);
    idbpq_value *v = NULL;
    IDBPQ__TRY(idbpq__variant_from_datum(c->b, c->s, j->node, d, flags, &v, c->err));
    return put(c, v ? v : idbpq_value_new(c->b, IDBPQ_V_NULL), out);
}

/* The value of jsnode j for datum d; a null datum is j's absence (*out = NULL: missing). */
static idbpq_status conv(struct idbpq__rd *c, const struct idbpq__jsnode *j, const idbpq_datum *d,
                         int depth, idbpq_value **out)
{
    *out = NULL;
    if (depth > IDBPQ__RD_MAX_DEPTH)
        return idbpq__fail(c->err, IDBPQ_LIMIT, "column %s: type map nested too deep",
                           idbpq__rd_path(c->s, j->node));
    if (!idbpq_schema_node_at(c->s, j->node))
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "type map: schema node %d out of range", j->node);
    if (j->js == IDBPQ__JS_FOREIGN) return idbpq__foreign_field(c, j->node, d, depth, out);
    if (d->kind == IDBPQ_DATUM_NULL) {
        if (j->absent > IDBPQ__ABS_UNDEFINED) return bad_map(c, j, "unknown absence kind");
        return absence(c, j->absent, out);
    }
    switch ((idbpq__js)j->js) {
    case IDBPQ__JS_NULL:
        return idbpq__rd_mismatch(c, j->node, "null", d);
    case IDBPQ__JS_BOOLEAN:
        if (d->kind != IDBPQ_DATUM_BOOLEAN) return idbpq__rd_mismatch(c, j->node, "BOOLEAN", d);
        return put(c, idbpq__rd_bool(c->b, d->u.boolean), out);
    case IDBPQ__JS_INT:
        if (d->kind != IDBPQ_DATUM_INT64) return idbpq__rd_mismatch(c, j->node, "INT64", d);
        return put(c, idbpq_value_number(c->b, (double)d->u.i64), out);
    case IDBPQ__JS_DOUBLE:
        if (d->kind != IDBPQ_DATUM_DOUBLE) return idbpq__rd_mismatch(c, j->node, "DOUBLE", d);
        return put(c, idbpq_value_number(c->b, d->u.f64), out);
    case IDBPQ__JS_BIGINT:
        if (d->kind != IDBPQ_DATUM_INT64) return idbpq__rd_mismatch(c, j->node, "INT64", d);
        return put(c, idbpq__rd_bigint_i64(c->b, d->u.i64), out);
    case IDBPQ__JS_BIGINT_DEC:
        if (d->kind != IDBPQ_DATUM_BYTES || d->len == 0 || d->len > 16)
            return idbpq__rd_mismatch(c, j->node, "a 16-byte DECIMAL", d);
        return put(c, idbpq__rd_bigint_be(c->b, d->u.bytes, d->len, 1), out);
    case IDBPQ__JS_BIGINT_TEXT:
        if (d->kind != IDBPQ_DATUM_BYTES) return idbpq__rd_mismatch(c, j->node, "BigInt text", d);
        return idbpq__rd_bigint_text(c, j->node, d->u.bytes, d->len, out);
    case IDBPQ__JS_STRING:
        if (d->kind != IDBPQ_DATUM_BYTES) return idbpq__rd_mismatch(c, j->node, "a string", d);
        return idbpq__rd_string(c, j->node, d->u.bytes, d->len, out);
    case IDBPQ__JS_DATE:
        if (d->kind != IDBPQ_DATUM_INT64) return idbpq__rd_mismatch(c, j->node, "INT64", d);
        return put(c, idbpq__rd_date(c->b, (double)d->u.i64), out);
    case IDBPQ__JS_BINARY:
        if (d->kind != IDBPQ_DATUM_BYTES) return idbpq__rd_mismatch(c, j->node, "bytes", d);
        return idbpq__rd_binary(c, j->node, d->u.bytes, d->len, j->view, out);
    case IDBPQ__JS_TYPED:
        return typed(c, j, d, out);
    case IDBPQ__JS_OBJECT:
        return object(c, j, j->node, d, depth, out);
    case IDBPQ__JS_ARRAY:
    case IDBPQ__JS_SET:
        return array_or_set(c, j, d, depth, out);
    case IDBPQ__JS_MAP:
        return map(c, j, d, depth, out);
    case IDBPQ__JS_BLOB:
    case IDBPQ__JS_FILE:
        return blob(c, j, d, out);
    case IDBPQ__JS_VARIANT:
        return variant(c, j, d, out);
    case IDBPQ__JS_JSON:
        return tagged_json(c, j->node, d, out);
    case IDBPQ__JS_FOREIGN:
    case IDBPQ__JS_COUNT:
        break;
    }
    return bad_map(c, j, "unknown node kind");
}

/* ---- a row ---------------------------------------------------------------------------------- */

/* The row's item for top-level node `node`. */
static idbpq_status top_item(struct idbpq__rd *c, const idbpq_datum *row, int32_t node,
                             const char *what, const idbpq_datum **out)
{
    int32_t k = child_index(c->s, 0, node);
    if (k < 0)
        return idbpq__fail(c->err, IDBPQ_CORRUPT, "type map: the %s column (node %d) is not top-level",
                           what, node);
    *out = &row->u.items[k];
    return IDBPQ_OK;
}

static idbpq_status row_key(struct idbpq__rd *c, const struct idbpq__typemap *tm,
                            const idbpq_datum *row, idbpq_value **key)
{
    const idbpq_datum *it = NULL;
    idbpq_value *kv;
    if (tm->raw_key_node >= 0) {
        /* One-pass files: a key the `_key` column could not hold is here, exactly. */
        IDBPQ__TRY(top_item(c, row, tm->raw_key_node, "_raw_key", &it));
        if (it->kind != IDBPQ_DATUM_NULL) {
            IDBPQ__TRY(tagged_json(c, tm->raw_key_node, it, &kv));
            goto check;
        }
    }
    IDBPQ__TRY(top_item(c, row, tm->key.node, "key", &it));
    IDBPQ__TRY(conv(c, &tm->key, it, 1, &kv));
check:;
    idbpq_error e;
    idbpq_key *k = NULL;
    idbpq_status st = kv ? idbpq_key_from_value(c->b, kv, &k, &e) : IDBPQ_INVALID_ARG;
    if (st == IDBPQ_NOMEM) return idbpq__rd_nomem(c);
    if (st != IDBPQ_OK)
        return idbpq__fail(c->err, tm->key.js == IDBPQ__JS_FOREIGN ? IDBPQ_SCHEMA : IDBPQ_CORRUPT,
                           "column %s: %s", idbpq__rd_path(c->s, tm->key.node),
                           kv ? e.msg : "no key");
    return put(c, idbpq_key_to_value(c->b, k), key);
}

idbpq_status idbpq__fromdatum_row(idbpq_vbatch *b, const idbpq_schema *s,
                                  const struct idbpq__typemap *tm,
                                  const idbpq_record_reader_opts *o, const idbpq_datum *row,
                                  idbpq_value **key, idbpq_value **value,
                                  struct idbpq__err *err)
{
    if (key) *key = NULL;
    if (value) *value = NULL;
    if (!b || !s || !tm || !row || !key || !value) return IDBPQ_INVALID_ARG;
    idbpq_record_reader_opts defaults;
    if (!o) {
        idbpq_record_reader_opts_init(&defaults);
        o = &defaults;
    }
    struct idbpq__rd c = {b, s, o, err};
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    if (!root || row->kind != IDBPQ_DATUM_GROUP || row->len != (uint32_t)root->num_children)
        return idbpq__rd_mismatch(&c, 0, "a row of every top-level column", row);
    if (tm->has_key) IDBPQ__TRY(row_key(&c, tm, row, key));
    if (tm->raw_node >= 0) {
        const idbpq_datum *raw = NULL;
        IDBPQ__TRY(top_item(&c, row, tm->raw_node, "_raw", &raw));
        /* The exact form wins: typed columns of such a row hold only a projection. */
        if (raw->kind != IDBPQ_DATUM_NULL) return tagged_json(&c, tm->raw_node, raw, value);
    }
    if (tm->value_is_root) {
        if (tm->value.js != IDBPQ__JS_OBJECT) return bad_map(&c, &tm->value, "root value that is not an object");
        return object(&c, &tm->value, 0, row, 1, value);
    }
    const idbpq_datum *it = NULL;
    IDBPQ__TRY(top_item(&c, row, tm->value.node, "value", &it));
    IDBPQ__TRY(conv(&c, &tm->value, it, 1, value));
    /* A record always has a value: "missing" at the top can only mean undefined. */
    return *value ? IDBPQ_OK : put(&c, idbpq_value_new(b, IDBPQ_V_UNDEFINED), value);
}
