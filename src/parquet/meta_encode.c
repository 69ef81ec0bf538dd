/*
 * meta_encode.c — encodes parquet.thrift structures with the compact protocol as parquet-mr
 * and Arrow do: fields in id order, required fields always, optional ones only when set
 * (-1 offsets and has_* = 0 are omitted). FileMetaData (footer), PageHeader, ColumnIndex and
 * OffsetIndex. path_in_schema is rebuilt from the schema elements so that names containing
 * '.' survive; the dotted path is split only if the schema does not match the columns.
 */
#include "parquet/meta.h"
#include "thrift/compact.h"

#define W struct idbpq__thrift_writer *w

static void w_str_field(W, int16_t id, const char *s)
{
    idbpq__thrift_w_binary_field(w, id, s, (uint32_t)strlen(s));
}

static void w_kv_list(W, int16_t id, int32_t n, const idbpq_kv *kv)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)n);
    for (int32_t i = 0; i < n; i++) {
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_binary_field(w, 1, kv[i].key.ptr, kv[i].key.len);
        if (kv[i].has_value) idbpq__thrift_w_binary_field(w, 2, kv[i].value.ptr, kv[i].value.len);
        idbpq__thrift_w_struct_end(w);
    }
}

static void w_statistics(W, int16_t id, const idbpq_statistics *s)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w);
    /* Legacy signed-order values go to max/min (1, 2), the rest to max_value/min_value. */
    if (s->legacy_minmax) {
        if (s->has_max) idbpq__thrift_w_binary_field(w, 1, s->max.ptr, s->max.len);
        if (s->has_min) idbpq__thrift_w_binary_field(w, 2, s->min.ptr, s->min.len);
    }
    if (s->has_null_count) idbpq__thrift_w_i64_field(w, 3, s->null_count);
    if (s->has_distinct_count) idbpq__thrift_w_i64_field(w, 4, s->distinct_count);
    if (!s->legacy_minmax) {
        if (s->has_max) idbpq__thrift_w_binary_field(w, 5, s->max.ptr, s->max.len);
        if (s->has_min) idbpq__thrift_w_binary_field(w, 6, s->min.ptr, s->min.len);
    }
    if (s->max_exact >= 0) idbpq__thrift_w_bool_field(w, 7, s->max_exact);
    if (s->min_exact >= 0) idbpq__thrift_w_bool_field(w, 8, s->min_exact);
    if (s->has_nan_count) idbpq__thrift_w_i64_field(w, 9, s->nan_count);
    idbpq__thrift_w_struct_end(w);
}

/* An empty-struct member `member` of a union in field `id` (TimeUnit, ColumnOrder...). */
static void w_union_empty(W, int16_t id, int16_t member)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_field(w, member, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_struct_end(w);
    idbpq__thrift_w_struct_end(w);
}

/* ---- schema ----------------------------------------------------------------------------- */

static int logical_writable(idbpq_logical_kind k)
{
    switch (k) {
    case IDBPQ_LT_STRING: case IDBPQ_LT_MAP: case IDBPQ_LT_LIST: case IDBPQ_LT_ENUM:
    case IDBPQ_LT_DECIMAL: case IDBPQ_LT_DATE: case IDBPQ_LT_TIME: case IDBPQ_LT_TIMESTAMP:
    case IDBPQ_LT_INTEGER: case IDBPQ_LT_NULL: case IDBPQ_LT_JSON: case IDBPQ_LT_BSON:
    case IDBPQ_LT_UUID: case IDBPQ_LT_FLOAT16: case IDBPQ_LT_VARIANT: case IDBPQ_LT_GEOMETRY:
    case IDBPQ_LT_GEOGRAPHY:
        return 1;
    case IDBPQ_LT_NONE: case IDBPQ_LT_INTERVAL: case IDBPQ_LT_UNKNOWN_ID:
        return 0;
    }
    return 0;
}

static void w_logical(W, const idbpq_logical *lt)
{
    idbpq__thrift_w_field(w, 10, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w); /* union LogicalType */
    idbpq__thrift_w_field(w, (int16_t)lt->kind, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w);
    switch (lt->kind) {
    case IDBPQ_LT_DECIMAL:
        idbpq__thrift_w_i32_field(w, 1, lt->scale);
        idbpq__thrift_w_i32_field(w, 2, lt->precision);
        break;
    case IDBPQ_LT_TIME:
    case IDBPQ_LT_TIMESTAMP:
        idbpq__thrift_w_bool_field(w, 1, lt->utc);
        w_union_empty(w, 2, (int16_t)(lt->unit + 1)); /* TimeUnit: MILLIS 1, MICROS 2, NANOS 3 */
        break;
    case IDBPQ_LT_INTEGER:
        idbpq__thrift_w_field(w, 1, IDBPQ__T_BYTE);
        idbpq__thrift_w_byte(w, lt->bit_width);
        idbpq__thrift_w_bool_field(w, 2, lt->is_signed);
        break;
    case IDBPQ_LT_VARIANT:
        if (lt->variant_version) {
            idbpq__thrift_w_field(w, 1, IDBPQ__T_BYTE);
            idbpq__thrift_w_byte(w, lt->variant_version);
        }
        break;
    case IDBPQ_LT_GEOMETRY:
    case IDBPQ_LT_GEOGRAPHY:
        if (lt->crs) w_str_field(w, 1, lt->crs);
        if (lt->kind == IDBPQ_LT_GEOGRAPHY && lt->algorithm) idbpq__thrift_w_i32_field(w, 2, lt->algorithm);
        break;
    case IDBPQ_LT_NONE: case IDBPQ_LT_STRING: case IDBPQ_LT_MAP: case IDBPQ_LT_LIST:
    case IDBPQ_LT_ENUM: case IDBPQ_LT_DATE: case IDBPQ_LT_NULL: case IDBPQ_LT_JSON:
    case IDBPQ_LT_BSON: case IDBPQ_LT_UUID: case IDBPQ_LT_FLOAT16: case IDBPQ_LT_INTERVAL:
    case IDBPQ_LT_UNKNOWN_ID:
        break; /* empty structs */
    }
    idbpq__thrift_w_struct_end(w);
    idbpq__thrift_w_struct_end(w);
}

static void w_schema_element(W, const struct idbpq__schema_element *e)
{
    idbpq__thrift_w_struct_begin(w);
    if (e->type >= 0) idbpq__thrift_w_i32_field(w, 1, e->type);
    if (e->type_length >= 0) idbpq__thrift_w_i32_field(w, 2, e->type_length);
    if (e->repetition >= 0) idbpq__thrift_w_i32_field(w, 3, e->repetition);
    w_str_field(w, 4, e->name ? e->name : "");
    if (e->num_children >= 0) idbpq__thrift_w_i32_field(w, 5, e->num_children);
    if (e->converted_type >= 0) idbpq__thrift_w_i32_field(w, 6, e->converted_type);
    if (e->scale >= 0) idbpq__thrift_w_i32_field(w, 7, e->scale);
    if (e->precision >= 0) idbpq__thrift_w_i32_field(w, 8, e->precision);
    if (e->field_id >= 0) idbpq__thrift_w_i32_field(w, 9, e->field_id);
    if (e->has_logical && logical_writable(e->logical.kind)) w_logical(w, &e->logical);
    idbpq__thrift_w_struct_end(w);
}

/* Leaf c's schema element (leaf[c]) and every element's parent, from the depth-first
 * num_children layout. Returns the number of leaves, or -1 if the tree is inconsistent. */
static int32_t schema_leaves(const struct idbpq__file_metadata *md, int32_t *parent,
                             int32_t *leaf, int32_t *stack_idx, int32_t *stack_left)
{
    int32_t n = md->n_schema, top = 0, nleaf = 0;
    if (n < 1 || md->schema[0].num_children < 0) return -1;
    stack_idx[0] = 0;
    stack_left[0] = md->schema[0].num_children;
    parent[0] = -1;
    for (int32_t i = 1; i < n; i++) {
        while (top >= 0 && stack_left[top] == 0) top--;
        if (top < 0) return -1;
        parent[i] = stack_idx[top];
        stack_left[top]--;
        if (md->schema[i].num_children >= 0) {
            top++;
            stack_idx[top] = i;
            stack_left[top] = md->schema[i].num_children;
        } else {
            leaf[nleaf++] = i;
        }
    }
    return nleaf;
}

/* path_in_schema of leaf element `e`: the names from the root's child down. */
static void w_path_from_schema(W, const struct idbpq__file_metadata *md, const int32_t *parent,
                               int32_t e, int32_t *chain)
{
    int32_t k = 0;
    for (int32_t i = e; i > 0; i = parent[i]) chain[k++] = i;
    idbpq__thrift_w_list(w, IDBPQ__T_BINARY, (uint32_t)k);
    while (k-- > 0) {
        const char *nm = md->schema[chain[k]].name ? md->schema[chain[k]].name : "";
        idbpq__thrift_w_binary(w, nm, (uint32_t)strlen(nm));
    }
}

static void w_path_split(W, const char *path)
{
    uint32_t k = 1;
    for (const char *s = path; *s; s++) k += *s == '.';
    idbpq__thrift_w_list(w, IDBPQ__T_BINARY, k);
    for (const char *s = path;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        idbpq__thrift_w_binary(w, s, (uint32_t)len);
        if (!dot) break;
        s = dot + 1;
    }
}

/* ---- row groups ------------------------------------------------------------------------- */

struct path_ctx {
    const struct idbpq__file_metadata *md;
    const int32_t *parent, *leaf;
    int32_t nleaf;
    int32_t *chain;
};

/* Whether leaf element e's names joined with '.' equal path (NULL path: trust the schema). */
static int leaf_matches(const struct path_ctx *pc, int32_t e, const char *path)
{
    if (!path) return 1;
    size_t end = strlen(path);
    for (int32_t i = e; i > 0; i = pc->parent[i]) {
        const char *nm = pc->md->schema[i].name ? pc->md->schema[i].name : "";
        size_t len = strlen(nm);
        if (len > end || memcmp(path + end - len, nm, len) != 0) return 0;
        end -= len;
        if (pc->parent[i] > 0) {
            if (end == 0 || path[end - 1] != '.') return 0;
            end--;
        }
    }
    return end == 0;
}

static void w_column_chunk(W, const idbpq_column_chunk_meta *c, int32_t col,
                           const struct path_ctx *pc)
{
    idbpq__thrift_w_struct_begin(w);
    if (c->file_path) w_str_field(w, 1, c->file_path);
    /* file_offset: required, deprecated. parquet-mr writes the chunk's first page offset
     * and older readers (split planning) use it as the row group start, so do the same. */
    idbpq__thrift_w_i64_field(w, 2, c->dictionary_page_offset >= 0 ? c->dictionary_page_offset
                                                                    : c->data_page_offset);

    idbpq__thrift_w_field(w, 3, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(w); /* ColumnMetaData */
    idbpq__thrift_w_i32_field(w, 1, c->type);
    idbpq__thrift_w_field(w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_I32, (uint32_t)c->num_encodings);
    for (int32_t i = 0; i < c->num_encodings; i++) idbpq__thrift_w_i32(w, c->encodings[i]);
    idbpq__thrift_w_field(w, 3, IDBPQ__T_LIST);
    if (col < pc->nleaf && leaf_matches(pc, pc->leaf[col], c->path))
        w_path_from_schema(w, pc->md, pc->parent, pc->leaf[col], pc->chain);
    else
        w_path_split(w, c->path ? c->path : "");
    idbpq__thrift_w_i32_field(w, 4, c->codec);
    idbpq__thrift_w_i64_field(w, 5, c->num_values);
    idbpq__thrift_w_i64_field(w, 6, c->total_uncompressed_size);
    idbpq__thrift_w_i64_field(w, 7, c->total_compressed_size);
    if (c->num_kv > 0) w_kv_list(w, 8, c->num_kv, c->kv);
    idbpq__thrift_w_i64_field(w, 9, c->data_page_offset);
    if (c->index_page_offset >= 0) idbpq__thrift_w_i64_field(w, 10, c->index_page_offset);
    if (c->dictionary_page_offset >= 0) idbpq__thrift_w_i64_field(w, 11, c->dictionary_page_offset);
    if (c->has_statistics) w_statistics(w, 12, &c->statistics);
    if (c->bloom_filter_offset >= 0) idbpq__thrift_w_i64_field(w, 14, c->bloom_filter_offset);
    if (c->bloom_filter_length >= 0) idbpq__thrift_w_i32_field(w, 15, c->bloom_filter_length);
    if (c->unencoded_byte_array_bytes >= 0) {
        idbpq__thrift_w_field(w, 16, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(w); /* SizeStatistics */
        idbpq__thrift_w_i64_field(w, 1, c->unencoded_byte_array_bytes);
        idbpq__thrift_w_struct_end(w);
    }
    idbpq__thrift_w_struct_end(w);

    if (c->offset_index_offset >= 0) {
        idbpq__thrift_w_i64_field(w, 4, c->offset_index_offset);
        if (c->offset_index_length >= 0) idbpq__thrift_w_i32_field(w, 5, c->offset_index_length);
    }
    if (c->column_index_offset >= 0) {
        idbpq__thrift_w_i64_field(w, 6, c->column_index_offset);
        if (c->column_index_length >= 0) idbpq__thrift_w_i32_field(w, 7, c->column_index_length);
    }
    idbpq__thrift_w_struct_end(w);
}

static void w_row_group(W, const idbpq_row_group_meta *g, const struct path_ctx *pc)
{
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_field(w, 1, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)g->num_columns);
    for (int32_t i = 0; i < g->num_columns; i++) w_column_chunk(w, &g->columns[i], i, pc);
    idbpq__thrift_w_i64_field(w, 2, g->total_byte_size);
    idbpq__thrift_w_i64_field(w, 3, g->num_rows);
    if (g->num_sorting_columns > 0) {
        idbpq__thrift_w_field(w, 4, IDBPQ__T_LIST);
        idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)g->num_sorting_columns);
        for (int32_t i = 0; i < g->num_sorting_columns; i++) {
            const idbpq_sorting_column *s = &g->sorting_columns[i];
            idbpq__thrift_w_struct_begin(w);
            idbpq__thrift_w_i32_field(w, 1, s->column);
            idbpq__thrift_w_bool_field(w, 2, s->descending);
            idbpq__thrift_w_bool_field(w, 3, s->nulls_first);
            idbpq__thrift_w_struct_end(w);
        }
    }
    if (g->file_offset >= 0) idbpq__thrift_w_i64_field(w, 5, g->file_offset);
    if (g->total_compressed_size >= 0) idbpq__thrift_w_i64_field(w, 6, g->total_compressed_size);
    if (g->ordinal >= 0) {
        idbpq__thrift_w_field(w, 7, IDBPQ__T_I16);
        idbpq__thrift_w_i32(w, (int16_t)g->ordinal);
    }
    idbpq__thrift_w_struct_end(w);
}

idbpq_status idbpq__meta_encode_file(const struct idbpq__file_metadata *md, struct idbpq__buf *out)
{
    const idbpq_file_meta *m = &md->pub;
    struct idbpq__thrift_writer wr, *w = &wr;
    struct path_ctx pc = {md, NULL, NULL, -1, NULL};
    size_t n = md->n_schema > 0 ? (size_t)md->n_schema : 1;
    int32_t *tmp = idbpq__malloc(out->alc, 5 * n * sizeof *tmp);
    if (!tmp) return IDBPQ_NOMEM;
    pc.parent = tmp;
    pc.leaf = tmp + n;
    pc.chain = tmp + 2 * n;
    pc.nleaf = schema_leaves(md, tmp, tmp + n, tmp + 3 * n, tmp + 4 * n);

    idbpq__thrift_writer_init(w, out);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_i32_field(w, 1, m->version);
    idbpq__thrift_w_field(w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)md->n_schema);
    for (int32_t i = 0; i < md->n_schema; i++) w_schema_element(w, &md->schema[i]);
    idbpq__thrift_w_i64_field(w, 3, m->num_rows);
    idbpq__thrift_w_field(w, 4, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)m->num_row_groups);
    for (int32_t i = 0; i < m->num_row_groups; i++) w_row_group(w, &m->row_groups[i], &pc);
    if (m->num_kv > 0) w_kv_list(w, 5, m->num_kv, m->kv);
    if (m->created_by) w_str_field(w, 6, m->created_by);
    if (m->num_column_orders > 0) {
        idbpq__thrift_w_field(w, 7, IDBPQ__T_LIST);
        idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)m->num_column_orders);
        for (int32_t i = 0; i < m->num_column_orders; i++) {
            int32_t o = m->column_orders[i];
            /* ColumnOrder union: one empty struct, TYPE_ORDER when we know no better. */
            idbpq__thrift_w_struct_begin(w);
            idbpq__thrift_w_field(w, (int16_t)(o == 2 ? 2 : 1), IDBPQ__T_STRUCT);
            idbpq__thrift_w_struct_begin(w);
            idbpq__thrift_w_struct_end(w);
            idbpq__thrift_w_struct_end(w);
        }
    }
    idbpq__thrift_w_struct_end(w);
    idbpq__free(out->alc, tmp, 5 * n * sizeof *tmp);
    return w->st;
}

/* ---- pages and page indexes ---------------------------------------------------------------- */

idbpq_status idbpq__page_header_encode(const struct idbpq__page_header *h, struct idbpq__buf *out)
{
    struct idbpq__thrift_writer wr, *w = &wr;
    idbpq__thrift_writer_init(w, out);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_i32_field(w, 1, h->type);
    idbpq__thrift_w_i32_field(w, 2, h->uncompressed_size);
    idbpq__thrift_w_i32_field(w, 3, h->compressed_size);
    if (h->has_crc) idbpq__thrift_w_i32_field(w, 4, (int32_t)h->crc);
    switch (h->type) {
    case IDBPQ__PAGE_DATA:
        idbpq__thrift_w_field(w, 5, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_i32_field(w, 1, h->num_values);
        idbpq__thrift_w_i32_field(w, 2, h->encoding);
        idbpq__thrift_w_i32_field(w, 3, h->def_encoding);
        idbpq__thrift_w_i32_field(w, 4, h->rep_encoding);
        if (h->has_statistics) w_statistics(w, 5, &h->statistics);
        idbpq__thrift_w_struct_end(w);
        break;
    case IDBPQ__PAGE_INDEX:
        idbpq__thrift_w_field(w, 6, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_struct_end(w);
        break;
    case IDBPQ__PAGE_DICTIONARY:
        idbpq__thrift_w_field(w, 7, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_i32_field(w, 1, h->dict_num_values);
        idbpq__thrift_w_i32_field(w, 2, h->dict_encoding);
        idbpq__thrift_w_bool_field(w, 3, h->dict_is_sorted); /* Arrow writes it explicitly */
        idbpq__thrift_w_struct_end(w);
        break;
    case IDBPQ__PAGE_DATA_V2:
        idbpq__thrift_w_field(w, 8, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_i32_field(w, 1, h->num_values);
        idbpq__thrift_w_i32_field(w, 2, h->num_nulls);
        idbpq__thrift_w_i32_field(w, 3, h->num_rows);
        idbpq__thrift_w_i32_field(w, 4, h->encoding);
        idbpq__thrift_w_i32_field(w, 5, h->def_len);
        idbpq__thrift_w_i32_field(w, 6, h->rep_len);
        idbpq__thrift_w_bool_field(w, 7, h->is_compressed);
        if (h->has_statistics) w_statistics(w, 8, &h->statistics);
        idbpq__thrift_w_struct_end(w);
        break;
    default:
        break;
    }
    idbpq__thrift_w_struct_end(w);
    return w->st;
}

static void w_i64_list(W, int16_t id, int32_t n, const int64_t *v)
{
    idbpq__thrift_w_field(w, id, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_I64, (uint32_t)n);
    for (int32_t i = 0; i < n; i++) idbpq__thrift_w_i64(w, v[i]);
}

idbpq_status idbpq__offset_index_encode(const struct idbpq__offset_index *oi, struct idbpq__buf *out)
{
    struct idbpq__thrift_writer wr, *w = &wr;
    idbpq__thrift_writer_init(w, out);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_field(w, 1, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_STRUCT, (uint32_t)oi->n);
    for (int32_t i = 0; i < oi->n; i++) {
        idbpq__thrift_w_struct_begin(w);
        idbpq__thrift_w_i64_field(w, 1, oi->locs[i].offset);
        idbpq__thrift_w_i32_field(w, 2, oi->locs[i].compressed_size);
        idbpq__thrift_w_i64_field(w, 3, oi->locs[i].first_row_index);
        idbpq__thrift_w_struct_end(w);
    }
    if (oi->unencoded_bytes) w_i64_list(w, 2, oi->n, oi->unencoded_bytes);
    idbpq__thrift_w_struct_end(w);
    return w->st;
}

idbpq_status idbpq__column_index_encode(const struct idbpq__column_index *ci, struct idbpq__buf *out)
{
    struct idbpq__thrift_writer wr, *w = &wr;
    idbpq__thrift_writer_init(w, out);
    idbpq__thrift_w_struct_begin(w);
    idbpq__thrift_w_field(w, 1, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_TRUE, (uint32_t)ci->n);
    for (int32_t i = 0; i < ci->n; i++) idbpq__thrift_w_list_bool(w, ci->null_pages[i]);
    idbpq__thrift_w_field(w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_BINARY, (uint32_t)ci->n);
    for (int32_t i = 0; i < ci->n; i++) idbpq__thrift_w_binary(w, ci->min[i].ptr, ci->min[i].len);
    idbpq__thrift_w_field(w, 3, IDBPQ__T_LIST);
    idbpq__thrift_w_list(w, IDBPQ__T_BINARY, (uint32_t)ci->n);
    for (int32_t i = 0; i < ci->n; i++) idbpq__thrift_w_binary(w, ci->max[i].ptr, ci->max[i].len);
    idbpq__thrift_w_i32_field(w, 4, ci->boundary_order);
    if (ci->null_counts) w_i64_list(w, 5, ci->n, ci->null_counts);
    if (ci->nan_counts) w_i64_list(w, 8, ci->n, ci->nan_counts);
    idbpq__thrift_w_struct_end(w);
    return w->st;
}
