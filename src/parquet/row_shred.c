/*
 * row_shred.c — turns rows in the generic representation (idbpq_datum) into per-column
 * repetition/definition levels and values: Dremel "record shredding" (README.md "Nested
 * Encoding"; parquet-notes §2). The schema's node shapes already apply LogicalTypes.md's
 * backward-compatibility rules, so a walk only meets structs, LISTs (3-level or legacy
 * 2-level), MAPs, unannotated repeated fields and leaves. A null or empty container writes
 * one level entry, at the definition level where it stopped, to every leaf below it.
 * Rows are staged per column and handed to the column writers in batches.
 */
#include "parquet/writer.h"

#include "encoding/encoding.h"

idbpq_status idbpq__shred_init(struct idbpq__shredder *sh, const idbpq_schema *s,
                               const idbpq_allocator *alc, struct idbpq__err *err)
{
    memset(sh, 0, sizeof *sh);
    sh->schema = s;
    sh->alc = alc;
    sh->err = err;
    sh->n_cols = idbpq_schema_num_columns(s);
    sh->n_nodes = idbpq_schema_num_nodes(s);
    idbpq__buf_init(&sh->views, alc);
    sh->cols = idbpq__calloc(alc, sizeof *sh->cols * (size_t)sh->n_cols);
    sh->first_col = idbpq__malloc(alc, sizeof(int32_t) * (size_t)sh->n_nodes);
    sh->end_col = idbpq__malloc(alc, sizeof(int32_t) * (size_t)sh->n_nodes);
    sh->mark = idbpq__malloc(alc, sizeof(size_t) * 4 * (size_t)sh->n_cols);
    if (!sh->cols || !sh->first_col || !sh->end_col || !sh->mark) return IDBPQ_NOMEM;
    for (int32_t c = 0; c < sh->n_cols; c++) {
        idbpq__buf_init(&sh->cols[c].def, alc);
        idbpq__buf_init(&sh->cols[c].rep, alc);
        idbpq__buf_init(&sh->cols[c].vals, alc);
        idbpq__buf_init(&sh->cols[c].lens, alc);
    }
    /* Depth-first numbering: a node's leaves are a contiguous run of columns. Walking the
     * nodes backwards sees every child before its parent. */
    for (int32_t i = sh->n_nodes - 1; i >= 0; i--) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, i);
        if (n->type != IDBPQ_GROUP) {
            sh->first_col[i] = n->column;
            sh->end_col[i] = n->column + 1;
        } else if (n->num_children == 0) {
            sh->first_col[i] = sh->end_col[i] = 0;
        } else {
            sh->first_col[i] = sh->first_col[n->children[0]];
            sh->end_col[i] = sh->end_col[n->children[n->num_children - 1]];
        }
    }
    return IDBPQ_OK;
}

void idbpq__shred_free(struct idbpq__shredder *sh)
{
    if (sh->cols) {
        for (int32_t c = 0; c < sh->n_cols; c++) {
            idbpq__buf_free(&sh->cols[c].def);
            idbpq__buf_free(&sh->cols[c].rep);
            idbpq__buf_free(&sh->cols[c].vals);
            idbpq__buf_free(&sh->cols[c].lens);
        }
    }
    idbpq__free(sh->alc, sh->cols, sizeof *sh->cols * (size_t)sh->n_cols);
    idbpq__free(sh->alc, sh->first_col, sizeof(int32_t) * (size_t)sh->n_nodes);
    idbpq__free(sh->alc, sh->end_col, sizeof(int32_t) * (size_t)sh->n_nodes);
    idbpq__free(sh->alc, sh->mark, sizeof(size_t) * 4 * (size_t)sh->n_cols);
    idbpq__buf_free(&sh->views);
    sh->cols = NULL;
}

void idbpq__shred_reset(struct idbpq__shredder *sh)
{
    for (int32_t c = 0; c < sh->n_cols; c++) {
        struct idbpq__stage_col *sc = &sh->cols[c];
        sc->def.len = sc->rep.len = sc->vals.len = sc->lens.len = 0;
        sc->n_levels = sc->n_values = 0;
    }
    sh->n_rows = 0;
    sh->bytes = 0;
}

/* ---- the walk ----------------------------------------------------------------------------- */

static const char *kind_name(int k)
{
    static const char *const names[] = {"null",   "boolean", "int32", "int64",
                                        "int96",  "float",   "double", "bytes",
                                        "group",  "list",    "map"};
    return k >= 0 && k <= IDBPQ_DATUM_MAP ? names[k] : "unknown";
}

static idbpq_status put_level(struct idbpq__stage_col *sc, uint16_t def, uint16_t rep)
{
    if (idbpq__buf_reserve(&sc->def, 2) || idbpq__buf_reserve(&sc->rep, 2)) return IDBPQ_NOMEM;
    memcpy(sc->def.p + sc->def.len, &def, 2);
    memcpy(sc->rep.p + sc->rep.len, &rep, 2);
    sc->def.len += 2;
    sc->rep.len += 2;
    sc->n_levels++;
    return IDBPQ_OK;
}

/* Every leaf under node gets one entry (def, rep) and no value. */
static idbpq_status put_nulls(struct idbpq__shredder *sh, int32_t node, int def, int rep)
{
    for (int32_t c = sh->first_col[node]; c < sh->end_col[node]; c++)
        if (put_level(&sh->cols[c], (uint16_t)def, (uint16_t)rep)) return IDBPQ_NOMEM;
    return IDBPQ_OK;
}

static idbpq_status put_value(struct idbpq__shredder *sh, const idbpq_schema_node *n,
                              const idbpq_datum *d, int rep)
{
    int want;
    switch (n->type) {
    case IDBPQ_BOOLEAN: want = IDBPQ_DATUM_BOOLEAN; break;
    case IDBPQ_INT32: want = IDBPQ_DATUM_INT32; break;
    case IDBPQ_INT64: want = IDBPQ_DATUM_INT64; break;
    case IDBPQ_INT96: want = IDBPQ_DATUM_INT96; break;
    case IDBPQ_FLOAT: want = IDBPQ_DATUM_FLOAT; break;
    case IDBPQ_DOUBLE: want = IDBPQ_DATUM_DOUBLE; break;
    case IDBPQ_BYTE_ARRAY:
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: want = IDBPQ_DATUM_BYTES; break;
    case IDBPQ_GROUP:
    default: want = -1; break;
    }
    if (d->kind != want)
        return idbpq__fail(sh->err, IDBPQ_SCHEMA, "field %s: expected a %s value, got %s",
                           n->path, kind_name(want), kind_name(d->kind));
    if (n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY && (int64_t)d->len != n->type_length)
        return idbpq__fail(sh->err, IDBPQ_SCHEMA,
                           "field %s: FIXED_LEN_BYTE_ARRAY(%d) given %u bytes", n->path,
                           (int)n->type_length, (unsigned)d->len);
    struct idbpq__stage_col *sc = &sh->cols[n->column];
    if (put_level(sc, (uint16_t)n->max_def, (uint16_t)rep)) return IDBPQ_NOMEM;
    idbpq_status st = IDBPQ_OK;
    uint8_t b;
    switch (n->type) {
    case IDBPQ_BOOLEAN:
        b = d->u.boolean != 0;
        st = idbpq__buf_append(&sc->vals, &b, 1);
        break;
    case IDBPQ_INT32: st = idbpq__buf_append(&sc->vals, &d->u.i32, 4); break;
    case IDBPQ_FLOAT: st = idbpq__buf_append(&sc->vals, &d->u.f32, 4); break;
    case IDBPQ_INT64: st = idbpq__buf_append(&sc->vals, &d->u.i64, 8); break;
    case IDBPQ_DOUBLE: st = idbpq__buf_append(&sc->vals, &d->u.f64, 8); break;
    case IDBPQ_INT96: st = idbpq__buf_append(&sc->vals, d->u.i96, 12); break;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        st = idbpq__buf_append(&sc->vals, d->u.bytes, d->len);
        break;
    case IDBPQ_BYTE_ARRAY:
        if (d->len && !d->u.bytes)
            return idbpq__fail(sh->err, IDBPQ_INVALID_ARG, "field %s: NULL bytes", n->path);
        st = idbpq__buf_append(&sc->vals, d->u.bytes, d->len);
        if (st == IDBPQ_OK) st = idbpq__buf_append(&sc->lens, &d->len, 4);
        sh->bytes += 4;
        break;
    case IDBPQ_GROUP:
    default: break;
    }
    sc->n_values++;
    sh->bytes += 4 + (n->type == IDBPQ_BYTE_ARRAY || n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY
                          ? d->len
                          : 8);
    return st;
}

static idbpq_status put_field(struct idbpq__shredder *sh, int32_t node, const idbpq_datum *d,
                              int rep);

static int is_null(const idbpq_datum *d) { return !d || d->kind == IDBPQ_DATUM_NULL; }

/* Writes the content of a present node (its own definition level counted). An unannotated
 * repeated node here is one of its elements: a leaf value or a struct. */
static idbpq_status put_present(struct idbpq__shredder *sh, int32_t node, const idbpq_datum *d,
                                int rep)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(sh->schema, node);
    idbpq_shape shape = n->shape;
    if (shape == IDBPQ_SHAPE_REPEATED)
        shape = n->type == IDBPQ_GROUP ? IDBPQ_SHAPE_STRUCT : IDBPQ_SHAPE_PRIMITIVE;
    switch (shape) {
    case IDBPQ_SHAPE_PRIMITIVE: return put_value(sh, n, d, rep);
    case IDBPQ_SHAPE_STRUCT:
        if (d->kind != IDBPQ_DATUM_GROUP || (int64_t)d->len != n->num_children)
            return idbpq__fail(sh->err, IDBPQ_SCHEMA,
                               "field %s: expected a group of %d fields, got %s of %u",
                               n->path[0] ? n->path : "(root)", (int)n->num_children,
                               kind_name(d->kind), (unsigned)d->len);
        for (int32_t i = 0; i < n->num_children; i++)
            IDBPQ__TRY(put_field(sh, n->children[i], &d->u.items[i], rep));
        return IDBPQ_OK;
    case IDBPQ_SHAPE_LIST: {
        if (d->kind != IDBPQ_DATUM_LIST)
            return idbpq__fail(sh->err, IDBPQ_SCHEMA, "field %s: expected a list, got %s",
                               n->path, kind_name(d->kind));
        /* The repeated node sits between the list and its element (or is the element). */
        int32_t r = n->children[0];
        const idbpq_schema_node *rn = idbpq_schema_node_at(sh->schema, r);
        if (d->len == 0) return put_nulls(sh, node, rn->max_def - 1, rep);
        for (uint32_t i = 0; i < d->len; i++) {
            int irep = i == 0 ? rep : rn->max_rep;
            const idbpq_datum *it = &d->u.items[i];
            if (n->element == r) {
                if (is_null(it))
                    return idbpq__fail(sh->err, IDBPQ_SCHEMA,
                                       "field %s: list element %u is null but elements are "
                                       "required", n->path, (unsigned)i);
                IDBPQ__TRY(put_present(sh, r, it, irep));
            } else {
                IDBPQ__TRY(put_field(sh, n->element, it, irep));
            }
        }
        return IDBPQ_OK;
    }
    case IDBPQ_SHAPE_MAP: {
        if (d->kind != IDBPQ_DATUM_MAP)
            return idbpq__fail(sh->err, IDBPQ_SCHEMA, "field %s: expected a map, got %s",
                               n->path, kind_name(d->kind));
        int32_t r = n->repetition == IDBPQ_REPEATED ? node : n->children[0];
        const idbpq_schema_node *rn = idbpq_schema_node_at(sh->schema, r);
        if (d->len == 0) return put_nulls(sh, node, rn->max_def - 1, rep);
        for (uint32_t i = 0; i < d->len; i++) {
            int irep = i == 0 ? rep : rn->max_rep;
            IDBPQ__TRY(put_field(sh, n->element, &d->u.items[2 * i], irep));
            if (n->map_value >= 0)
                IDBPQ__TRY(put_field(sh, n->map_value, &d->u.items[2 * i + 1], irep));
        }
        return IDBPQ_OK;
    }
    case IDBPQ_SHAPE_REPEATED: break;
    }
    return idbpq__fail(sh->err, IDBPQ_SCHEMA, "field %s: unknown shape", n->path);
}

/* Writes node as a field of a present parent, handling null and repetition. */
static idbpq_status put_field(struct idbpq__shredder *sh, int32_t node, const idbpq_datum *d,
                              int rep)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(sh->schema, node);
    if (n->repetition == IDBPQ_REPEATED && n->shape != IDBPQ_SHAPE_MAP &&
        n->shape != IDBPQ_SHAPE_LIST) {
        /* Unannotated repeated field: a list of required elements; null reads as empty. */
        if (is_null(d) || (d->kind == IDBPQ_DATUM_LIST && d->len == 0))
            return put_nulls(sh, node, n->max_def - 1, rep);
        if (d->kind != IDBPQ_DATUM_LIST)
            return idbpq__fail(sh->err, IDBPQ_SCHEMA,
                               "field %s: repeated field expects a list, got %s", n->path,
                               kind_name(d->kind));
        for (uint32_t i = 0; i < d->len; i++) {
            const idbpq_datum *it = &d->u.items[i];
            if (is_null(it))
                return idbpq__fail(sh->err, IDBPQ_SCHEMA,
                                   "field %s: element %u of a repeated field is null", n->path,
                                   (unsigned)i);
            IDBPQ__TRY(put_present(sh, node, it, i == 0 ? rep : n->max_rep));
        }
        return IDBPQ_OK;
    }
    if (is_null(d)) {
        if (n->repetition == IDBPQ_REQUIRED)
            return idbpq__fail(sh->err, IDBPQ_SCHEMA, "field %s: null for a required field",
                               n->path);
        /* Optional: absent at its parent's level. A repeated MAP/LIST: empty. */
        return put_nulls(sh, node, n->max_def - 1, rep);
    }
    return put_present(sh, node, d, rep);
}

idbpq_status idbpq__shred_row(struct idbpq__shredder *sh, const idbpq_datum *row)
{
    if (!row)
        return idbpq__fail(sh->err, IDBPQ_INVALID_ARG, "write_row: row is NULL");
    for (int32_t c = 0; c < sh->n_cols; c++) {
        struct idbpq__stage_col *sc = &sh->cols[c];
        sh->mark[4 * c] = sc->n_levels;
        sh->mark[4 * c + 1] = sc->n_values;
        sh->mark[4 * c + 2] = sc->vals.len;
        sh->mark[4 * c + 3] = sc->lens.len;
    }
    uint64_t bytes0 = sh->bytes;
    idbpq_status st = put_present(sh, 0, row, 0);
    if (st != IDBPQ_OK) {
        /* All or nothing: drop what the row staged. */
        for (int32_t c = 0; c < sh->n_cols; c++) {
            struct idbpq__stage_col *sc = &sh->cols[c];
            sc->n_levels = sh->mark[4 * c];
            sc->n_values = sh->mark[4 * c + 1];
            sc->vals.len = sh->mark[4 * c + 2];
            sc->lens.len = sh->mark[4 * c + 3];
            sc->def.len = sc->rep.len = sc->n_levels * 2;
        }
        sh->bytes = bytes0;
        if (st == IDBPQ_NOMEM) idbpq__fail(sh->err, st, "write_row: out of memory");
        return st;
    }
    sh->n_rows++;
    return IDBPQ_OK;
}

idbpq_status idbpq__shred_batches(struct idbpq__shredder *sh, idbpq_column_batch *batches)
{
    size_t n_views = 0;
    for (int32_t c = 0; c < sh->n_cols; c++)
        if (idbpq_schema_column(sh->schema, c)->type == IDBPQ_BYTE_ARRAY)
            n_views += sh->cols[c].n_values;
    sh->views.len = 0;
    if (idbpq__buf_reserve(&sh->views, n_views * sizeof(idbpq_bytes) + 1))
        return idbpq__fail(sh->err, IDBPQ_NOMEM, "write_row: out of memory");
    idbpq_bytes *v = (idbpq_bytes *)(void *)sh->views.p;
    for (int32_t c = 0; c < sh->n_cols; c++) {
        const idbpq_schema_node *n = idbpq_schema_column(sh->schema, c);
        struct idbpq__stage_col *sc = &sh->cols[c];
        idbpq_column_batch *b = &batches[c];
        b->n_levels = sc->n_levels;
        b->n_values = sc->n_values;
        b->n_rows = sh->n_rows;
        b->def = n->max_def > 0 ? (const uint16_t *)(const void *)sc->def.p : NULL;
        b->rep = n->max_rep > 0 ? (const uint16_t *)(const void *)sc->rep.p : NULL;
        b->type = n->type;
        b->type_length = n->type_length;
        b->values = sc->vals.p;
        if (n->type == IDBPQ_BYTE_ARRAY) {
            const uint32_t *lens = (const uint32_t *)(const void *)sc->lens.p;
            const uint8_t *p = sc->vals.p;
            b->values = v;
            for (size_t i = 0; i < sc->n_values; i++) {
                v[i].ptr = p;
                v[i].len = lens[i];
                if (p) p += lens[i]; /* NULL when every value so far is empty */
            }
            v += sc->n_values;
        }
    }
    return IDBPQ_OK;
}
