/*
 * meta_decode.c — decodes the Parquet footer (parquet.thrift FileMetaData, compact protocol)
 * into idbpq__file_metadata: the schema elements and the public idbpq_file_meta views.
 * Everything is copied into the caller's arena, so the footer bytes can be freed after.
 * Input is untrusted: list counts are checked against the bytes left (with a per-struct
 * minimum wire size) before anything is allocated, required fields are enforced, negative
 * sizes, counts and offsets are CORRUPT, and unknown fields are skipped.
 * Field ids: apache/parquet-format src/main/thrift/parquet.thrift.
 */
#include "parquet/meta_priv.h"

#include <inttypes.h>

#define NOMEM(r) idbpq__fail((r)->err, IDBPQ_NOMEM, "%s: out of memory", (r)->what)

static idbpq_status rd_string(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                              const char **out, uint32_t *len_out)
{
    const uint8_t *p;
    uint32_t len;
    IDBPQ__TRY(idbpq__thrift_binary(r, &p, &len));
    uint8_t *d = idbpq__meta_dup(r, arena, p, len);
    if (!d) return IDBPQ_NOMEM;
    *out = (const char *)d;
    if (len_out) *len_out = len;
    return IDBPQ_OK;
}

/* Allocates n elements of size sz (at least one, so empty lists get a valid pointer). */
static void *alloc_n(struct idbpq__arena *arena, uint32_t n, size_t sz)
{
    return idbpq__arena_alloc(arena, (size_t)(n ? n : 1) * sz);
}

/* ---- KeyValue ---------------------------------------------------------------------------- */

static idbpq_status rd_kv(struct idbpq__thrift_reader *r, struct idbpq__arena *arena, idbpq_kv *kv)
{
    int seen = 0;
    const char *s;
    uint32_t len;
    IDBPQ__FIELDS_BEGIN(r)
    case 1:
        IDBPQ__F_TYPE(IDBPQ__T_BINARY);
        IDBPQ__TRY(rd_string(r, arena, &s, &len));
        kv->key.ptr = (const uint8_t *)s;
        kv->key.len = len;
        seen = 1;
        break;
    case 2:
        IDBPQ__F_TYPE(IDBPQ__T_BINARY);
        IDBPQ__TRY(rd_string(r, arena, &s, &len));
        kv->value.ptr = (const uint8_t *)s;
        kv->value.len = len;
        kv->has_value = 1;
        break;
    IDBPQ__FIELDS_END(r);
    if (!seen) return idbpq__meta_missing(r, "KeyValue", "key", sbeg_);
    return IDBPQ_OK;
}

static idbpq_status rd_kv_list(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                               int32_t *n_out, const idbpq_kv **out)
{
    uint32_t n;
    IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 3, &n));
    idbpq_kv *kv = alloc_n(arena, n, sizeof *kv);
    if (!kv) return NOMEM(r);
    memset(kv, 0, (size_t)n * sizeof *kv);
    for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_kv(r, arena, &kv[i]));
    *n_out = (int32_t)n;
    *out = kv;
    return IDBPQ_OK;
}

/* ---- LogicalType ------------------------------------------------------------------------ */

/* TimeUnit union: MILLIS 1, MICROS 2, NANOS 3 (empty structs). *known = 0 for other ids. */
static idbpq_status rd_time_unit(struct idbpq__thrift_reader *r, idbpq_time_unit *u, int *known)
{
    *known = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: case 2: case 3:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__thrift_skip(r, type));
        *u = (idbpq_time_unit)(id - 1);
        *known = 1;
        break;
    IDBPQ__FIELDS_END(r);
    return IDBPQ_OK;
}

/* The parameters of one LogicalType member (struct `id` of the union). */
static idbpq_status rd_logical_member(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                      int16_t lid, idbpq_logical *lt)
{
    int seen = 0, unit_known = 1;
    int8_t i8 = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1:
        if (lid == IDBPQ_LT_DECIMAL) { IDBPQ__F_I32(r, lt->scale); seen |= 1; }
        else if (lid == IDBPQ_LT_TIME || lid == IDBPQ_LT_TIMESTAMP) { IDBPQ__F_BOOL(lt->utc); seen |= 1; }
        else if (lid == IDBPQ_LT_INTEGER) { IDBPQ__F_TYPE(IDBPQ__T_BYTE); IDBPQ__TRY(idbpq__thrift_byte(r, &i8)); lt->bit_width = i8; seen |= 1; }
        else if (lid == IDBPQ_LT_VARIANT) { IDBPQ__F_TYPE(IDBPQ__T_BYTE); IDBPQ__TRY(idbpq__thrift_byte(r, &i8)); lt->variant_version = i8; }
        else if (lid == IDBPQ_LT_GEOMETRY || lid == IDBPQ_LT_GEOGRAPHY) { IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_string(r, arena, &lt->crs, NULL)); }
        else goto skip_;
        break;
    case 2:
        if (lid == IDBPQ_LT_DECIMAL) { IDBPQ__F_I32(r, lt->precision); seen |= 2; }
        else if (lid == IDBPQ_LT_TIME || lid == IDBPQ_LT_TIMESTAMP) {
            IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
            IDBPQ__TRY(rd_time_unit(r, &lt->unit, &unit_known));
            seen |= 2;
        }
        else if (lid == IDBPQ_LT_INTEGER) { IDBPQ__F_BOOL(lt->is_signed); seen |= 2; }
        else if (lid == IDBPQ_LT_GEOGRAPHY) { IDBPQ__F_I32(r, lt->algorithm); }
        else goto skip_;
        break;
    IDBPQ__FIELDS_END(r);
    int need = (lid == IDBPQ_LT_DECIMAL || lid == IDBPQ_LT_TIME || lid == IDBPQ_LT_TIMESTAMP ||
                lid == IDBPQ_LT_INTEGER) ? 3 : 0;
    if ((seen & need) != need) return idbpq__meta_missing(r, "LogicalType", "parameter", sbeg_);
    /* A unit we do not know makes the annotation unusable, not the file corrupt
     * (parquet-notes §1.4): read the column as unannotated. */
    if (!unit_known) lt->kind = IDBPQ_LT_UNKNOWN_ID;
    return IDBPQ_OK;
}

static idbpq_status rd_logical(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                               idbpq_logical *lt, int32_t *has)
{
    memset(lt, 0, sizeof *lt);
    lt->kind = IDBPQ_LT_NONE;
    *has = 0;
    IDBPQ__TRY(idbpq__thrift_struct_begin(r));
    for (int16_t last = 0;;) {
        int type;
        int16_t id;
        IDBPQ__TRY(idbpq__thrift_field(r, &last, &type, &id));
        if (type == IDBPQ__T_STOP) break;
        memset(lt, 0, sizeof *lt);
        *has = 1;
        if (type == IDBPQ__T_STRUCT && id >= IDBPQ_LT_STRING && id <= IDBPQ_LT_GEOGRAPHY &&
            id != 9 /* reserved for INTERVAL */) {
            lt->kind = (idbpq_logical_kind)id; /* the kinds are numbered as the union ids */
            IDBPQ__TRY(rd_logical_member(r, arena, id, lt));
        } else {
            /* An id from a newer spec (e.g. VECTOR 19): skip it, read as unannotated. */
            IDBPQ__TRY(idbpq__thrift_skip(r, type));
            lt->kind = IDBPQ_LT_UNKNOWN_ID;
        }
    }
    idbpq__thrift_struct_end(r);
    return IDBPQ_OK;
}

/* ---- SchemaElement ---------------------------------------------------------------------- */

static idbpq_status rd_schema_element(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                      struct idbpq__schema_element *e)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1:
        IDBPQ__F_I32(r, e->type);
        if (e->type < IDBPQ_BOOLEAN || e->type > IDBPQ_FIXED_LEN_BYTE_ARRAY)
            return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: unknown physical type %d at offset %" PRIu64,
                               r->what, e->type, fpos);
        break;
    case 2: IDBPQ__F_I32(r, e->type_length); IDBPQ__TRY(idbpq__meta_nonneg(r, e->type_length, "type_length", fpos)); break;
    case 3: IDBPQ__F_I32(r, e->repetition); IDBPQ__TRY(idbpq__meta_nonneg(r, e->repetition, "repetition_type", fpos)); break;
    case 4: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_string(r, arena, &e->name, NULL)); seen = 1; break;
    case 5: IDBPQ__F_I32(r, e->num_children); IDBPQ__TRY(idbpq__meta_nonneg(r, e->num_children, "num_children", fpos)); break;
    case 6: IDBPQ__F_I32(r, e->converted_type); IDBPQ__TRY(idbpq__meta_nonneg(r, e->converted_type, "converted_type", fpos)); break;
    case 7: IDBPQ__F_I32(r, e->scale); break;
    case 8: IDBPQ__F_I32(r, e->precision); break;
    case 9: IDBPQ__F_I32(r, e->field_id); break;
    case 10: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_logical(r, arena, &e->logical, &e->has_logical)); break;
    IDBPQ__FIELDS_END(r);
    if (!seen) return idbpq__meta_missing(r, "SchemaElement", "name", sbeg_);
    return IDBPQ_OK;
}

/* ---- ColumnChunk ------------------------------------------------------------------------ */

/* list<string> path_in_schema, joined with '.' into one arena string. Read twice (sizes,
 * then copy) so no temporary array is needed. */
static idbpq_status rd_path(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                            const char **out)
{
    uint32_t n;
    IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_BINARY, 1, &n));
    struct idbpq__thrift_reader again = *r;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        uint32_t len;
        IDBPQ__TRY(idbpq__thrift_binary(r, &p, &len));
        total += (size_t)len + 1;
    }
    char *d = idbpq__arena_alloc(arena, total + 1);
    if (!d) return NOMEM(r);
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p;
        uint32_t len;
        IDBPQ__TRY(idbpq__thrift_binary(&again, &p, &len));
        if (i) d[at++] = '.';
        memcpy(d + at, p, len);
        at += len;
    }
    d[at] = 0;
    *out = d;
    return IDBPQ_OK;
}

static idbpq_status rd_size_statistics(struct idbpq__thrift_reader *r, int64_t *unencoded)
{
    IDBPQ__FIELDS_BEGIN(r)
    case 1:
        IDBPQ__F_I64(r, *unencoded);
        IDBPQ__TRY(idbpq__meta_nonneg(r, *unencoded, "unencoded_byte_array_data_bytes", fpos));
        break;
    IDBPQ__FIELDS_END(r);
    return IDBPQ_OK;
}

static idbpq_status rd_column_meta(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                   idbpq_column_chunk_meta *c)
{
    int seen = 0;
    int32_t v32;
    IDBPQ__FIELDS_BEGIN(r)
    case 1:
        IDBPQ__F_I32(r, v32);
        if (v32 < IDBPQ_BOOLEAN || v32 > IDBPQ_FIXED_LEN_BYTE_ARRAY)
            return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: unknown physical type %d at offset %" PRIu64,
                               r->what, v32, fpos);
        c->type = (idbpq_type)v32;
        seen |= 1;
        break;
    case 2: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_I32, 1, &n));
        idbpq_encoding *enc = alloc_n(arena, n, sizeof *enc);
        if (!enc) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) {
            IDBPQ__TRY(idbpq__thrift_i32(r, &v32));
            enc[i] = (idbpq_encoding)v32;
        }
        c->encodings = enc;
        c->num_encodings = (int32_t)n;
        seen |= 2;
        break;
    }
    case 3: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_path(r, arena, &c->path)); seen |= 4; break;
    case 4: IDBPQ__F_I32(r, v32); c->codec = (idbpq_codec)v32; seen |= 8; break;
    case 5: IDBPQ__F_I64(r, c->num_values); IDBPQ__TRY(idbpq__meta_nonneg(r, c->num_values, "num_values", fpos)); seen |= 16; break;
    case 6: IDBPQ__F_I64(r, c->total_uncompressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, c->total_uncompressed_size, "total_uncompressed_size", fpos)); seen |= 32; break;
    case 7: IDBPQ__F_I64(r, c->total_compressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, c->total_compressed_size, "total_compressed_size", fpos)); seen |= 64; break;
    case 8: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_kv_list(r, arena, &c->num_kv, &c->kv)); break;
    case 9: IDBPQ__F_I64(r, c->data_page_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->data_page_offset, "data_page_offset", fpos)); seen |= 128; break;
    case 10: IDBPQ__F_I64(r, c->index_page_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->index_page_offset, "index_page_offset", fpos)); break;
    case 11: IDBPQ__F_I64(r, c->dictionary_page_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->dictionary_page_offset, "dictionary_page_offset", fpos)); break;
    case 12:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__meta_statistics(r, arena, &c->statistics));
        c->has_statistics = 1;
        break;
    case 14: IDBPQ__F_I64(r, c->bloom_filter_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->bloom_filter_offset, "bloom_filter_offset", fpos)); break;
    case 15: IDBPQ__F_I32(r, c->bloom_filter_length); IDBPQ__TRY(idbpq__meta_nonneg(r, c->bloom_filter_length, "bloom_filter_length", fpos)); break;
    case 16: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_size_statistics(r, &c->unencoded_byte_array_bytes)); break;
    IDBPQ__FIELDS_END(r);
    if (seen != 255)
        return idbpq__meta_missing(r, "ColumnMetaData", "type/encodings/path_in_schema/codec/num_values/sizes/data_page_offset", sbeg_);
    return IDBPQ_OK;
}

/* ColumnCryptoMetaData: only ENCRYPTION_WITH_COLUMN_KEY's path is of use (to name the
 * column when its metadata is encrypted). */
static idbpq_status rd_crypto_key(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                  const char **path)
{
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_path(r, arena, path)); break;
    IDBPQ__FIELDS_END(r);
    return IDBPQ_OK;
}

static idbpq_status rd_crypto_meta(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                   const char **path)
{
    IDBPQ__FIELDS_BEGIN(r)
    case 2: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_crypto_key(r, arena, path)); break;
    IDBPQ__FIELDS_END(r);
    return IDBPQ_OK;
}

static void column_defaults(idbpq_column_chunk_meta *c)
{
    memset(c, 0, sizeof *c);
    c->dictionary_page_offset = c->index_page_offset = c->bloom_filter_offset = -1;
    c->bloom_filter_length = -1;
    c->offset_index_offset = c->column_index_offset = -1;
    c->offset_index_length = c->column_index_length = -1;
    c->unencoded_byte_array_bytes = -1;
    c->statistics.min_exact = c->statistics.max_exact = -1;
}

static idbpq_status rd_column_chunk(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                    idbpq_column_chunk_meta *c)
{
    int have_meta = 0;
    int64_t file_offset;
    const char *crypto_path = NULL;
    column_defaults(c);
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_string(r, arena, &c->file_path, NULL)); break;
    case 2: IDBPQ__F_I64(r, file_offset); break; /* deprecated, unused */
    case 3: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_column_meta(r, arena, c)); have_meta = 1; break;
    case 4: IDBPQ__F_I64(r, c->offset_index_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->offset_index_offset, "offset_index_offset", fpos)); break;
    case 5: IDBPQ__F_I32(r, c->offset_index_length); IDBPQ__TRY(idbpq__meta_nonneg(r, c->offset_index_length, "offset_index_length", fpos)); break;
    case 6: IDBPQ__F_I64(r, c->column_index_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, c->column_index_offset, "column_index_offset", fpos)); break;
    case 7: IDBPQ__F_I32(r, c->column_index_length); IDBPQ__TRY(idbpq__meta_nonneg(r, c->column_index_length, "column_index_length", fpos)); break;
    case 8: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_crypto_meta(r, arena, &crypto_path)); c->encrypted = 1; break;
    case 9: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(idbpq__thrift_skip(r, type)); c->encrypted = 1; break;
    IDBPQ__FIELDS_END(r);
    (void)file_offset;
    /* meta_data is optional in the thrift file but every reader needs it; only an encrypted
     * column may lack it (its metadata is in encrypted_column_metadata). */
    if (!have_meta) {
        if (!c->encrypted) return idbpq__meta_missing(r, "ColumnChunk", "meta_data", sbeg_);
        c->path = crypto_path ? crypto_path : "";
    }
    return IDBPQ_OK;
}

/* ---- RowGroup --------------------------------------------------------------------------- */

static idbpq_status rd_sorting_column(struct idbpq__thrift_reader *r, idbpq_sorting_column *s)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, s->column); IDBPQ__TRY(idbpq__meta_nonneg(r, s->column, "column_idx", fpos)); seen |= 1; break;
    case 2: IDBPQ__F_BOOL(s->descending); seen |= 2; break;
    case 3: IDBPQ__F_BOOL(s->nulls_first); seen |= 4; break;
    IDBPQ__FIELDS_END(r);
    if (seen != 7) return idbpq__meta_missing(r, "SortingColumn", "column_idx/descending/nulls_first", sbeg_);
    return IDBPQ_OK;
}

static idbpq_status rd_row_group(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                 idbpq_row_group_meta *g)
{
    int seen = 0;
    int32_t ord;
    memset(g, 0, sizeof *g);
    g->total_compressed_size = g->file_offset = -1;
    g->ordinal = -1;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        /* Smallest ColumnChunk: encrypted_column_metadata with an empty value and a stop. */
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 3, &n));
        idbpq_column_chunk_meta *cols = alloc_n(arena, n, sizeof *cols);
        if (!cols) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_column_chunk(r, arena, &cols[i]));
        g->columns = cols;
        g->num_columns = (int32_t)n;
        seen |= 1;
        break;
    }
    case 2: IDBPQ__F_I64(r, g->total_byte_size); IDBPQ__TRY(idbpq__meta_nonneg(r, g->total_byte_size, "total_byte_size", fpos)); seen |= 2; break;
    case 3: IDBPQ__F_I64(r, g->num_rows); IDBPQ__TRY(idbpq__meta_nonneg(r, g->num_rows, "num_rows", fpos)); seen |= 4; break;
    case 4: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 5, &n));
        idbpq_sorting_column *sc = alloc_n(arena, n, sizeof *sc);
        if (!sc) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_sorting_column(r, &sc[i]));
        g->sorting_columns = sc;
        g->num_sorting_columns = (int32_t)n;
        break;
    }
    case 5: IDBPQ__F_I64(r, g->file_offset); IDBPQ__TRY(idbpq__meta_nonneg(r, g->file_offset, "file_offset", fpos)); break;
    case 6: IDBPQ__F_I64(r, g->total_compressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, g->total_compressed_size, "total_compressed_size", fpos)); break;
    case 7:
        /* i16 on the wire: the same zigzag varint as i32, with a narrower range. */
        IDBPQ__F_TYPE(IDBPQ__T_I16);
        IDBPQ__TRY(idbpq__thrift_i32(r, &ord));
        if (ord < 0 || ord > INT16_MAX)
            return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: row group ordinal %d out of range at offset %" PRIu64,
                               r->what, ord, fpos);
        g->ordinal = ord;
        break;
    IDBPQ__FIELDS_END(r);
    if (seen != 7) return idbpq__meta_missing(r, "RowGroup", "columns/total_byte_size/num_rows", sbeg_);
    return IDBPQ_OK;
}

/* ---- FileMetaData ----------------------------------------------------------------------- */

/* ColumnOrder union: 1 TYPE_ORDER, 2 IEEE_754_TOTAL_ORDER; anything else is 0 (unknown,
 * e.g. 3 INT96_TIMESTAMP_ORDER: statistics under it are then ignored). */
static idbpq_status rd_column_order(struct idbpq__thrift_reader *r, int32_t *order)
{
    *order = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: case 2:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__thrift_skip(r, type));
        *order = id;
        break;
    IDBPQ__FIELDS_END(r);
    return IDBPQ_OK;
}

static void schema_defaults(struct idbpq__schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->type = e->type_length = e->repetition = e->num_children = e->converted_type = -1;
    e->scale = e->precision = e->field_id = -1;
    e->logical.kind = IDBPQ_LT_NONE;
}

static idbpq_status rd_file_meta(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                 struct idbpq__file_metadata *md)
{
    idbpq_file_meta *m = &md->pub;
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, m->version); seen |= 1; break;
    case 2: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        /* Smallest SchemaElement: a name field with an empty string, and a stop. */
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 3, &n));
        struct idbpq__schema_element *s = alloc_n(arena, n, sizeof *s);
        if (!s) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) {
            schema_defaults(&s[i]);
            IDBPQ__TRY(rd_schema_element(r, arena, &s[i]));
        }
        md->schema = s;
        md->n_schema = (int32_t)n;
        seen |= 2;
        break;
    }
    case 3: IDBPQ__F_I64(r, m->num_rows); IDBPQ__TRY(idbpq__meta_nonneg(r, m->num_rows, "num_rows", fpos)); seen |= 4; break;
    case 4: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        /* Smallest RowGroup: an empty columns list, two i64 fields and a stop. */
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 7, &n));
        idbpq_row_group_meta *g = alloc_n(arena, n, sizeof *g);
        if (!g) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_row_group(r, arena, &g[i]));
        m->row_groups = g;
        m->num_row_groups = (int32_t)n;
        seen |= 8;
        break;
    }
    case 5: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_kv_list(r, arena, &m->num_kv, &m->kv)); break;
    case 6: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_string(r, arena, &m->created_by, NULL)); break;
    case 7: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 1, &n));
        int32_t *o = alloc_n(arena, n, sizeof *o);
        if (!o) return NOMEM(r);
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_column_order(r, &o[i]));
        m->column_orders = o;
        m->num_column_orders = (int32_t)n;
        break;
    }
    case 8:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__thrift_skip(r, type));
        md->has_encryption_algorithm = 1;
        break;
    IDBPQ__FIELDS_END(r);
    if (seen != 15) return idbpq__meta_missing(r, "FileMetaData", "version/schema/num_rows/row_groups", sbeg_);
    return IDBPQ_OK;
}

idbpq_status idbpq__meta_decode_file(const uint8_t *p, size_t n, uint64_t base_offset,
                                     struct idbpq__arena *arena, struct idbpq__file_metadata *md,
                                     struct idbpq__err *err)
{
    struct idbpq__thrift_reader r;
    idbpq__thrift_reader_init(&r, p, n, base_offset, "footer", err);
    memset(md, 0, sizeof *md);
    if (n > UINT32_MAX)
        return idbpq__fail(err, IDBPQ_LIMIT, "footer: %zu bytes is too large", n);
    md->pub.footer_length = (uint32_t)n;
    return idbpq__meta_no_more(&r, rd_file_meta(&r, arena, md));
}
