/*
 * meta_decode_page.c — decoders for the parquet.thrift structures read next to the data:
 * PageHeader (with DataPageHeader, DataPageHeaderV2, DictionaryPageHeader and Statistics),
 * OffsetIndex and ColumnIndex (PageIndex.md), plus the helpers the footer decoder shares.
 * Field ids follow apache/parquet-format src/main/thrift/parquet.thrift. A page header may
 * be cut short by the caller's read window: it returns IDBPQ_MORE so the caller can retry
 * with more bytes; page indexes have a known length, so running out there is CORRUPT.
 */
#include "parquet/meta_priv.h"

#include <inttypes.h>

idbpq_status idbpq__meta_nonneg(struct idbpq__thrift_reader *r, int64_t v, const char *field,
                                uint64_t pos)
{
    if (v >= 0) return IDBPQ_OK;
    return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: %s is negative (%" PRId64 ") at offset %" PRIu64,
                       r->what, field, v, pos);
}

idbpq_status idbpq__meta_missing(struct idbpq__thrift_reader *r, const char *strct,
                                 const char *field, uint64_t pos)
{
    return idbpq__fail(r->err, IDBPQ_CORRUPT,
                       "%s: %s lacks required field %s (struct at offset %" PRIu64 ")", r->what,
                       strct, field, pos);
}

idbpq_status idbpq__meta_list(struct idbpq__thrift_reader *r, int want, size_t min_bytes,
                              uint32_t *n)
{
    uint64_t pos = idbpq__thrift_pos(r);
    int et;
    IDBPQ__TRY(idbpq__thrift_list(r, &et, n));
    if (*n == 0) return IDBPQ_OK;
    int ok = et == want ||
             (want == IDBPQ__T_TRUE && et == IDBPQ__T_FALSE) ||
             (want == IDBPQ__T_SET && et == IDBPQ__T_LIST);
    if (!ok)
        return idbpq__fail(r->err, IDBPQ_CORRUPT,
                           "%s: list of type %d where %d was expected at offset %" PRIu64, r->what,
                           et, want, pos);
    /* Every element needs min_bytes on the wire: a count that cannot fit is never allocated. */
    if (*n > (size_t)(r->end - r->p) / (min_bytes ? min_bytes : 1)) return IDBPQ_MORE;
    return IDBPQ_OK;
}

uint8_t *idbpq__meta_dup(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                         const uint8_t *p, size_t n)
{
    uint8_t *d = idbpq__arena_alloc(arena, n + 1);
    if (!d) {
        idbpq__fail(r->err, IDBPQ_NOMEM, "%s: out of memory", r->what);
        return NULL;
    }
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

idbpq_status idbpq__meta_no_more(struct idbpq__thrift_reader *r, idbpq_status st)
{
    if (st != IDBPQ_MORE) return st;
    return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s truncated at offset %" PRIu64, r->what,
                       idbpq__thrift_pos(r));
}

static idbpq_status rd_stat_bytes(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                  idbpq_bytes *b)
{
    const uint8_t *p;
    uint32_t len;
    IDBPQ__TRY(idbpq__thrift_binary(r, &p, &len));
    if (arena) {
        p = idbpq__meta_dup(r, arena, p, len);
        if (!p) return IDBPQ_NOMEM;
    }
    b->ptr = p;
    b->len = len;
    return IDBPQ_OK;
}

idbpq_status idbpq__meta_statistics(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                    idbpq_statistics *s)
{
    idbpq_bytes lmin = {0}, lmax = {0}, vmin = {0}, vmax = {0};
    int has_lmin = 0, has_lmax = 0, has_vmin = 0, has_vmax = 0, bmax = -1, bmin = -1;
    int64_t nulls = 0, distinct = 0, nans = 0;
    int has_nulls = 0, has_distinct = 0, has_nans = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_stat_bytes(r, arena, &lmax)); has_lmax = 1; break;
    case 2: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_stat_bytes(r, arena, &lmin)); has_lmin = 1; break;
    case 3: IDBPQ__F_I64(r, nulls); has_nulls = 1; break;
    case 4: IDBPQ__F_I64(r, distinct); has_distinct = 1; break;
    case 5: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_stat_bytes(r, arena, &vmax)); has_vmax = 1; break;
    case 6: IDBPQ__F_TYPE(IDBPQ__T_BINARY); IDBPQ__TRY(rd_stat_bytes(r, arena, &vmin)); has_vmin = 1; break;
    case 7: IDBPQ__F_BOOL(bmax); break;
    case 8: IDBPQ__F_BOOL(bmin); break;
    case 9: IDBPQ__F_I64(r, nans); has_nans = 1; break;
    IDBPQ__FIELDS_END(r);
    memset(s, 0, sizeof *s);
    /* min_value/max_value follow the column order; the deprecated min/max are signed-order
     * only (parquet.thrift Statistics), so they are flagged for the caller to vet. */
    if (has_vmin || has_vmax) {
        s->has_min = has_vmin;
        s->has_max = has_vmax;
        s->min = vmin;
        s->max = vmax;
    } else if (has_lmin || has_lmax) {
        s->has_min = has_lmin;
        s->has_max = has_lmax;
        s->min = lmin;
        s->max = lmax;
        s->legacy_minmax = 1;
    }
    /* Counts are hints; a negative one (seen from buggy writers) is treated as absent rather
     * than failing the whole file. */
    s->has_null_count = has_nulls && nulls >= 0;
    s->null_count = s->has_null_count ? nulls : 0;
    s->has_distinct_count = has_distinct && distinct >= 0;
    s->distinct_count = s->has_distinct_count ? distinct : 0;
    s->has_nan_count = has_nans && nans >= 0;
    s->nan_count = s->has_nan_count ? nans : 0;
    s->min_exact = bmin;
    s->max_exact = bmax;
    return IDBPQ_OK;
}

/* ---- PageHeader ---------------------------------------------------------------------- */

static idbpq_status rd_data_page_v1(struct idbpq__thrift_reader *r, struct idbpq__page_header *h)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, h->num_values); IDBPQ__TRY(idbpq__meta_nonneg(r, h->num_values, "num_values", fpos)); seen |= 1; break;
    case 2: IDBPQ__F_I32(r, h->encoding); seen |= 2; break;
    case 3: IDBPQ__F_I32(r, h->def_encoding); seen |= 4; break;
    case 4: IDBPQ__F_I32(r, h->rep_encoding); seen |= 8; break;
    case 5:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__meta_statistics(r, NULL, &h->statistics));
        h->has_statistics = 1;
        break;
    IDBPQ__FIELDS_END(r);
    if (seen != 15) return idbpq__meta_missing(r, "DataPageHeader", "num_values/encoding", sbeg_);
    return IDBPQ_OK;
}

static idbpq_status rd_data_page_v2(struct idbpq__thrift_reader *r, struct idbpq__page_header *h)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, h->num_values); IDBPQ__TRY(idbpq__meta_nonneg(r, h->num_values, "num_values", fpos)); seen |= 1; break;
    case 2: IDBPQ__F_I32(r, h->num_nulls); IDBPQ__TRY(idbpq__meta_nonneg(r, h->num_nulls, "num_nulls", fpos)); seen |= 2; break;
    case 3: IDBPQ__F_I32(r, h->num_rows); IDBPQ__TRY(idbpq__meta_nonneg(r, h->num_rows, "num_rows", fpos)); seen |= 4; break;
    case 4: IDBPQ__F_I32(r, h->encoding); seen |= 8; break;
    case 5: IDBPQ__F_I32(r, h->def_len); IDBPQ__TRY(idbpq__meta_nonneg(r, h->def_len, "definition_levels_byte_length", fpos)); seen |= 16; break;
    case 6: IDBPQ__F_I32(r, h->rep_len); IDBPQ__TRY(idbpq__meta_nonneg(r, h->rep_len, "repetition_levels_byte_length", fpos)); seen |= 32; break;
    case 7: IDBPQ__F_BOOL(h->is_compressed); break;
    case 8:
        IDBPQ__F_TYPE(IDBPQ__T_STRUCT);
        IDBPQ__TRY(idbpq__meta_statistics(r, NULL, &h->statistics));
        h->has_statistics = 1;
        break;
    IDBPQ__FIELDS_END(r);
    if (seen != 63) return idbpq__meta_missing(r, "DataPageHeaderV2", "num_values..repetition_levels_byte_length", sbeg_);
    return IDBPQ_OK;
}

static idbpq_status rd_dict_page(struct idbpq__thrift_reader *r, struct idbpq__page_header *h)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, h->dict_num_values); IDBPQ__TRY(idbpq__meta_nonneg(r, h->dict_num_values, "num_values", fpos)); seen |= 1; break;
    case 2: IDBPQ__F_I32(r, h->dict_encoding); seen |= 2; break;
    case 3: IDBPQ__F_BOOL(h->dict_is_sorted); break;
    IDBPQ__FIELDS_END(r);
    if (seen != 3) return idbpq__meta_missing(r, "DictionaryPageHeader", "num_values/encoding", sbeg_);
    return IDBPQ_OK;
}

static idbpq_status rd_page_header(struct idbpq__thrift_reader *r, struct idbpq__page_header *h)
{
    int seen = 0, sub = 0;
    int32_t crc = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I32(r, h->type); seen |= 1; break;
    case 2: IDBPQ__F_I32(r, h->uncompressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, h->uncompressed_size, "uncompressed_page_size", fpos)); seen |= 2; break;
    case 3: IDBPQ__F_I32(r, h->compressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, h->compressed_size, "compressed_page_size", fpos)); seen |= 4; break;
    case 4: IDBPQ__F_I32(r, crc); h->crc = (uint32_t)crc; h->has_crc = 1; break;
    case 5: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_data_page_v1(r, h)); sub |= 1 << IDBPQ__PAGE_DATA; break;
    case 7: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_dict_page(r, h)); sub |= 1 << IDBPQ__PAGE_DICTIONARY; break;
    case 8: IDBPQ__F_TYPE(IDBPQ__T_STRUCT); IDBPQ__TRY(rd_data_page_v2(r, h)); sub |= 1 << IDBPQ__PAGE_DATA_V2; break;
    IDBPQ__FIELDS_END(r);
    if (seen != 7) return idbpq__meta_missing(r, "PageHeader", "type/page sizes", sbeg_);
    /* The sub-header that the page type names must be there (INDEX_PAGE has nothing we
     * read; unknown page types are the caller's to skip). */
    if ((h->type == IDBPQ__PAGE_DATA || h->type == IDBPQ__PAGE_DICTIONARY ||
         h->type == IDBPQ__PAGE_DATA_V2) &&
        !(sub & (1 << h->type)))
        return idbpq__meta_missing(r, "PageHeader", "data/dictionary page header", sbeg_);
    return IDBPQ_OK;
}

idbpq_status idbpq__page_header_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                       struct idbpq__page_header *h, size_t *consumed,
                                       struct idbpq__err *err)
{
    struct idbpq__thrift_reader r;
    idbpq__thrift_reader_init(&r, p, n, base_offset, "page header", err);
    memset(h, 0, sizeof *h);
    h->is_compressed = 1; /* parquet.thrift: is_compressed = true by default */
    h->statistics.min_exact = h->statistics.max_exact = -1;
    IDBPQ__TRY(rd_page_header(&r, h));
    *consumed = (size_t)(r.p - p);
    return IDBPQ_OK;
}

/* ---- OffsetIndex ------------------------------------------------------------------------ */

static idbpq_status rd_page_location(struct idbpq__thrift_reader *r, struct idbpq__page_location *l)
{
    int seen = 0;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: IDBPQ__F_I64(r, l->offset); IDBPQ__TRY(idbpq__meta_nonneg(r, l->offset, "page offset", fpos)); seen |= 1; break;
    case 2: IDBPQ__F_I32(r, l->compressed_size); IDBPQ__TRY(idbpq__meta_nonneg(r, l->compressed_size, "compressed_page_size", fpos)); seen |= 2; break;
    case 3: IDBPQ__F_I64(r, l->first_row_index); IDBPQ__TRY(idbpq__meta_nonneg(r, l->first_row_index, "first_row_index", fpos)); seen |= 4; break;
    IDBPQ__FIELDS_END(r);
    if (seen != 7) return idbpq__meta_missing(r, "PageLocation", "offset/compressed_page_size/first_row_index", sbeg_);
    return IDBPQ_OK;
}

/* A list<i64> of exactly `want` entries (want < 0: any count, returned in *n). */
static idbpq_status rd_i64_list(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                int32_t want, const char *field, int64_t **out, int32_t *n_out)
{
    uint64_t pos = idbpq__thrift_pos(r);
    uint32_t n;
    IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_I64, 1, &n));
    if (want >= 0 && n != (uint32_t)want)
        return idbpq__fail(r->err, IDBPQ_CORRUPT, "%s: %s has %u entries, %d pages at offset %" PRIu64,
                           r->what, field, n, want, pos);
    int64_t *v = idbpq__arena_alloc(arena, (size_t)(n ? n : 1) * sizeof *v);
    if (!v) return idbpq__fail(r->err, IDBPQ_NOMEM, "%s: out of memory", r->what);
    for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(idbpq__thrift_i64(r, &v[i]));
    *out = v;
    if (n_out) *n_out = (int32_t)n;
    return IDBPQ_OK;
}

static idbpq_status rd_offset_index(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                    struct idbpq__offset_index *oi)
{
    int seen = 0;
    uint64_t unenc_pos = 0;
    int32_t n_unenc = -1;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        /* A PageLocation is at least 7 bytes: three fields of two and a stop. */
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_STRUCT, 7, &n));
        oi->locs = idbpq__arena_alloc(arena, (size_t)(n ? n : 1) * sizeof *oi->locs);
        if (!oi->locs) return idbpq__fail(r->err, IDBPQ_NOMEM, "%s: out of memory", r->what);
        for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_page_location(r, &oi->locs[i]));
        oi->n = (int32_t)n;
        seen = 1;
        break;
    }
    case 2:
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        unenc_pos = fpos;
        IDBPQ__TRY(rd_i64_list(r, arena, -1, "unencoded_byte_array_data_bytes", &oi->unencoded_bytes, &n_unenc));
        break;
    IDBPQ__FIELDS_END(r);
    if (!seen) return idbpq__meta_missing(r, "OffsetIndex", "page_locations", sbeg_);
    if (oi->unencoded_bytes && n_unenc != oi->n)
        return idbpq__fail(r->err, IDBPQ_CORRUPT,
                           "%s: unencoded_byte_array_data_bytes has %d entries for %d pages at offset %" PRIu64,
                           r->what, n_unenc, oi->n, unenc_pos);
    return IDBPQ_OK;
}

idbpq_status idbpq__offset_index_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                        struct idbpq__arena *arena, struct idbpq__offset_index *oi,
                                        struct idbpq__err *err)
{
    struct idbpq__thrift_reader r;
    idbpq__thrift_reader_init(&r, p, n, base_offset, "offset index", err);
    memset(oi, 0, sizeof *oi);
    return idbpq__meta_no_more(&r, rd_offset_index(&r, arena, oi));
}

/* ---- ColumnIndex ------------------------------------------------------------------------ */

static idbpq_status rd_bytes_list(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                  idbpq_bytes **out, int32_t *n_out)
{
    uint32_t n;
    IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_BINARY, 1, &n));
    idbpq_bytes *v = idbpq__arena_alloc(arena, (size_t)(n ? n : 1) * sizeof *v);
    if (!v) return idbpq__fail(r->err, IDBPQ_NOMEM, "%s: out of memory", r->what);
    for (uint32_t i = 0; i < n; i++) IDBPQ__TRY(rd_stat_bytes(r, arena, &v[i]));
    *out = v;
    *n_out = (int32_t)n;
    return IDBPQ_OK;
}

static idbpq_status rd_column_index(struct idbpq__thrift_reader *r, struct idbpq__arena *arena,
                                    struct idbpq__column_index *ci)
{
    int seen = 0;
    int32_t n_min = -1, n_max = -1, n_nulls = -1, n_nans = -1;
    IDBPQ__FIELDS_BEGIN(r)
    case 1: {
        IDBPQ__F_TYPE(IDBPQ__T_LIST);
        uint32_t n;
        IDBPQ__TRY(idbpq__meta_list(r, IDBPQ__T_TRUE, 1, &n));
        ci->null_pages = idbpq__arena_alloc(arena, n ? n : 1);
        if (!ci->null_pages) return idbpq__fail(r->err, IDBPQ_NOMEM, "%s: out of memory", r->what);
        for (uint32_t i = 0; i < n; i++) {
            int v;
            IDBPQ__TRY(idbpq__thrift_list_bool(r, &v));
            ci->null_pages[i] = (uint8_t)v;
        }
        ci->n = (int32_t)n;
        seen |= 1;
        break;
    }
    case 2: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_bytes_list(r, arena, &ci->min, &n_min)); seen |= 2; break;
    case 3: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_bytes_list(r, arena, &ci->max, &n_max)); seen |= 4; break;
    case 4: IDBPQ__F_I32(r, ci->boundary_order); seen |= 8; break;
    case 5: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_i64_list(r, arena, -1, "null_counts", &ci->null_counts, &n_nulls)); break;
    case 8: IDBPQ__F_TYPE(IDBPQ__T_LIST); IDBPQ__TRY(rd_i64_list(r, arena, -1, "nan_counts", &ci->nan_counts, &n_nans)); break;
    IDBPQ__FIELDS_END(r);
    if (seen != 15)
        return idbpq__meta_missing(r, "ColumnIndex", "null_pages/min_values/max_values/boundary_order", sbeg_);
    /* parquet.thrift: "all lists have the same length", one entry per page. */
    if (n_min != ci->n || n_max != ci->n || (ci->null_counts && n_nulls != ci->n) ||
        (ci->nan_counts && n_nans != ci->n))
        return idbpq__fail(r->err, IDBPQ_CORRUPT,
                           "%s: list lengths differ (%d null_pages, %d min, %d max) in struct at offset %" PRIu64,
                           r->what, ci->n, n_min, n_max, sbeg_);
    return IDBPQ_OK;
}

idbpq_status idbpq__column_index_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                        struct idbpq__arena *arena, struct idbpq__column_index *ci,
                                        struct idbpq__err *err)
{
    struct idbpq__thrift_reader r;
    idbpq__thrift_reader_init(&r, p, n, base_offset, "column index", err);
    memset(ci, 0, sizeof *ci);
    return idbpq__meta_no_more(&r, rd_column_index(&r, arena, ci));
}
