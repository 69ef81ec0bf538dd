/*
 * column_cursor.c — reading one column chunk page by page: page headers, CRC checks,
 * decompression, the dictionary page, levels (RLE hybrid or legacy BIT_PACKED; v1 with a
 * length prefix inside the compressed body, v2 uncompressed before it), and values in every
 * encoding. Batches are served from the decoded page without copying when the requested rows
 * lie in it; rows that straddle pages (v1 pages may start mid-row) are gathered by copying.
 */
#include "encoding/encoding.h"
#include "parquet/reader.h"

#include <stdio.h>

/* One decoded data page. */
struct page {
    uint16_t *def, *rep;
    size_t levels_cap;
    uint8_t *values;                /* values-array layout */
    size_t values_cap;              /* bytes */
    size_t n_levels, n_values;
    size_t lpos, vpos;              /* what has been handed out */
    int row_aligned;                /* the page ends at a row boundary (v2, page index) */
};

struct idbpq_column_cursor {
    idbpq_reader *r;
    int32_t rg, col;
    const idbpq_schema_node *leaf;
    const idbpq_column_chunk_meta *cm;
    int type;
    int32_t type_length;
    size_t width;                   /* bytes per value in values arrays */
    uint64_t pos, end;              /* the chunk's unread byte range */
    int32_t page_no;                /* data pages seen (for messages) */
    int in_dict;                    /* the page being read is the dictionary page */
    uint64_t page_off;              /* offset of the page being decoded */
    int done;
    struct idbpq__buf hdr;          /* page header bytes (non-memory sources) */
    struct idbpq__buf raw;          /* compressed page bytes (non-memory sources) */
    struct idbpq__buf plain;        /* decompressed page bytes */
    struct idbpq__buf dba_store;    /* DELTA_BYTE_ARRAY rebuilt values */
    struct idbpq__buf dict_page;    /* the dictionary page, decompressed (kept per chunk) */
    uint8_t *dict_values;
    size_t dict_values_cap;
    uint32_t dict_count;
    int has_dict;
    uint32_t *indices;
    size_t indices_cap;
    struct page pg;
    /* gathered batches (rows straddling pages) */
    uint16_t *odef, *orep;
    size_t olevels_cap;
    uint8_t *ovalues;
    size_t ovalues_cap;
    struct idbpq__arena obytes;     /* copies of byte arrays of gathered batches */
    struct idbpq__err err;
};

const char *idbpq_column_cursor_errmsg(const idbpq_column_cursor *c)
{
    return c ? c->err.msg : "no cursor";
}

static idbpq_status failf(idbpq_column_cursor *c, idbpq_status st, const char *fmt, ...)
    IDBPQ__PRINTF(3, 4);

/* Records an error that names the file, row group, column, page and offset. */
static idbpq_status failf(idbpq_column_cursor *c, idbpq_status st, const char *fmt, ...)
{
    char what[IDBPQ__ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char page[64];
    if (c->in_dict) snprintf(page, sizeof page, "dictionary page");
    else if (c->page_no < 0) snprintf(page, sizeof page, "column chunk");
    else snprintf(page, sizeof page, "page %d", c->page_no);
    idbpq__fail(&c->err, st, "%s (row group %d, column %s, %s at offset %llu)", what, c->rg,
                c->leaf->path, page, (unsigned long long)c->page_off);
    c->done = 1;
    return st;
}

/* Grows an array to hold n elements of size sz (contents discarded). */
static int ensure(const idbpq_allocator *alc, void **p, size_t *cap_bytes, size_t n, size_t sz)
{
    if (n > SIZE_MAX / (sz ? sz : 1)) return 0;
    size_t need = n * sz;
    if (need <= *cap_bytes && *p) return 1;
    size_t cap = *cap_bytes ? *cap_bytes : 1024;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    void *np = idbpq__malloc(alc, cap);
    if (!np) return 0;
    idbpq__free(alc, *p, *cap_bytes);
    *p = np;
    *cap_bytes = cap;
    return 1;
}

/* Same, but keeps the first `keep` bytes. */
static int ensure_keep(const idbpq_allocator *alc, void **p, size_t *cap_bytes, size_t need,
                       size_t keep)
{
    if (need <= *cap_bytes && *p) return 1;
    size_t cap = *cap_bytes ? *cap_bytes : 1024;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    void *np = idbpq__realloc(alc, *p, *cap_bytes, cap);
    if (!np) return 0;
    (void)keep;
    *p = np;
    *cap_bytes = cap;
    return 1;
}

void idbpq_column_cursor_free(idbpq_column_cursor *c)
{
    if (!c) return;
    const idbpq_allocator *alc = c->r->alc;
    idbpq__buf_free(&c->hdr);
    idbpq__buf_free(&c->raw);
    idbpq__buf_free(&c->plain);
    idbpq__buf_free(&c->dba_store);
    idbpq__buf_free(&c->dict_page);
    idbpq__free(alc, c->dict_values, c->dict_values_cap);
    idbpq__free(alc, c->indices, c->indices_cap);
    idbpq__free(alc, c->pg.def, c->pg.levels_cap);
    idbpq__free(alc, c->pg.rep, c->pg.levels_cap);
    idbpq__free(alc, c->pg.values, c->pg.values_cap);
    idbpq__free(alc, c->odef, c->olevels_cap);
    idbpq__free(alc, c->orep, c->olevels_cap);
    idbpq__free(alc, c->ovalues, c->ovalues_cap);
    idbpq__arena_free(&c->obytes);
    idbpq__free(alc, c, sizeof *c);
}

idbpq_status idbpq_column_cursor_open(idbpq_reader *r, int32_t rg, int32_t col,
                                      idbpq_column_cursor **out)
{
    if (!r || !out) return IDBPQ_INVALID_ARG;
    *out = NULL;
    const idbpq_file_meta *m = &r->md.pub;
    if (rg < 0 || rg >= m->num_row_groups || col < 0 || col >= idbpq_schema_num_columns(r->schema))
        return idbpq__fail(&r->err, IDBPQ_INVALID_ARG, "no row group %d / column %d", rg, col);
    idbpq_column_cursor *c = idbpq__calloc(r->alc, sizeof *c);
    if (!c) return idbpq__fail(&r->err, IDBPQ_NOMEM, "out of memory");
    c->r = r;
    c->rg = rg;
    c->col = col;
    c->leaf = idbpq_schema_column(r->schema, col);
    c->cm = &m->row_groups[rg].columns[col];
    c->type = c->leaf->type;
    c->type_length = c->leaf->type_length;
    c->width = c->type == IDBPQ_BYTE_ARRAY ? sizeof(idbpq_bytes)
                                           : idbpq__value_width(c->type, c->type_length);
    idbpq__buf_init(&c->hdr, r->alc);
    idbpq__buf_init(&c->raw, r->alc);
    idbpq__buf_init(&c->plain, r->alc);
    idbpq__buf_init(&c->dba_store, r->alc);
    idbpq__buf_init(&c->dict_page, r->alc);
    idbpq__arena_init(&c->obytes, r->alc);
    c->page_no = -1;
    if (c->cm->num_values == 0 && m->row_groups[rg].num_rows == 0) {
        /* An empty chunk: some writers leave its offsets at 0 (column_chunk_key_value_
         * metadata.parquet). Nothing to read. */
        c->done = 1;
        *out = c;
        return IDBPQ_OK;
    }
    int64_t start = idbpq__chunk_start(c->cm);
    c->page_off = (uint64_t)(start > 0 ? start : 0);
    int64_t len = c->cm->total_compressed_size;
    if (start < 4 || len < 0 || (uint64_t)start > r->data_end ||
        (uint64_t)len > r->data_end - (uint64_t)start) {
        idbpq_status st = failf(c, IDBPQ_CORRUPT,
                                "column chunk at offset %lld of %lld bytes lies outside the "
                                "file's data (which ends at offset %llu)",
                                (long long)start, (long long)len,
                                (unsigned long long)r->data_end);
        memcpy(&r->err, &c->err, sizeof r->err);
        idbpq_column_cursor_free(c);
        return st;
    }
    c->pos = (uint64_t)start;
    c->end = (uint64_t)start + (uint64_t)len;
    /* Pages end at row boundaries when the chunk has an offset index (PageIndex.md). */
    c->pg.row_aligned = c->cm->offset_index_offset >= 0;
    *out = c;
    return IDBPQ_OK;
}

/* ---- page I/O --------------------------------------------------------------------------- */

/* Points *p at n bytes at file offset off: into the source's memory, or read into buf. */
static idbpq_status fetch(idbpq_column_cursor *c, uint64_t off, size_t n, struct idbpq__buf *buf,
                          const uint8_t **p)
{
    const idbpq_source *src = &c->r->src;
    if (src->memory) {
        *p = src->memory + off;
        return IDBPQ_OK;
    }
    buf->len = 0;
    if (idbpq__buf_reserve(buf, n ? n : 1) != IDBPQ_OK)
        return failf(c, IDBPQ_NOMEM, "out of memory reading %zu bytes", n);
    if (n && src->read_at(src->ctx, off, buf->p, n) != IDBPQ_OK)
        return failf(c, IDBPQ_IO, "read of %zu bytes at offset %llu failed", n,
                     (unsigned long long)off);
    buf->len = n;
    *p = buf->p;
    return IDBPQ_OK;
}

static idbpq_status read_header(idbpq_column_cursor *c, struct idbpq__page_header *h,
                                size_t *hlen)
{
    uint64_t avail = c->end - c->pos;
    size_t want = avail < 256 ? (size_t)avail : 256;
    for (;;) {
        const uint8_t *p;
        IDBPQ__TRY(fetch(c, c->pos, want, &c->hdr, &p));
        struct idbpq__err e;
        idbpq__err_clear(&e);
        idbpq_status st = idbpq__page_header_decode(p, want, c->pos, h, hlen, &e);
        if (st == IDBPQ_OK) return IDBPQ_OK;
        if (st != IDBPQ_MORE)
            return failf(c, st, "bad page header: %s", e.msg[0] ? e.msg : idbpq_status_str(st));
        if (want == avail)
            return failf(c, IDBPQ_CORRUPT,
                         "page header truncated by the end of the column chunk at offset "
                         "%llu", (unsigned long long)c->end);
        if (want >= (64u << 20))
            return failf(c, IDBPQ_LIMIT, "page header larger than 64 MiB");
        want = avail < (uint64_t)want * 8 ? (size_t)avail : want * 8;
    }
}

/* Decompresses a page section, or points at it when it is stored uncompressed. */
static idbpq_status inflate(idbpq_column_cursor *c, int codec, const uint8_t *src, size_t n,
                            size_t out_len, const uint8_t **out)
{
    if (codec == IDBPQ_CODEC_UNCOMPRESSED) {
        if (n != out_len)
            return failf(c, IDBPQ_CORRUPT,
                         "uncompressed page section of %zu bytes declares %zu", n, out_len);
        *out = src;
        return IDBPQ_OK;
    }
    const idbpq_limits *lim = &c->r->opts.limits;
    if (out_len > lim->max_page_bytes)
        return failf(c, IDBPQ_LIMIT, "page of %zu bytes exceeds the limit of %llu", out_len, (unsigned long long)lim->max_page_bytes);
    if (n > 0 && out_len / n > lim->max_decompression_ratio && out_len > (1u << 20))
        return failf(c, IDBPQ_LIMIT,
                     "page declares %zu bytes from %zu compressed (ratio limit %u)", out_len, n, lim->max_decompression_ratio);
    c->plain.len = 0;
    if (idbpq__buf_reserve(&c->plain, out_len + 8) != IDBPQ_OK)
        return failf(c, IDBPQ_NOMEM, "out of memory for a page of %zu bytes", out_len);
    struct idbpq__err e;
    idbpq__err_clear(&e);
    idbpq_status st = idbpq__decompress_ctx(c->r->codec, codec, src, n, c->plain.p, out_len, &e);
    if (st != IDBPQ_OK)
        return failf(c, st, "%s", e.msg[0] ? e.msg : idbpq_status_str(st));
    c->plain.len = out_len;
    *out = c->plain.p;
    return IDBPQ_OK;
}

/* ---- levels ----------------------------------------------------------------------------- */

/* How many of n levels equal v; blocks of 16 with a small counter vectorize at -O2. */
static size_t count_eq(const uint16_t *l, size_t n, uint16_t v)
{
    size_t cnt = 0, i = 0;
    for (; i + 16 <= n; i += 16) {
        unsigned c = 0;
        for (size_t j = 0; j < 16; j++) c += l[i + j] == v;
        cnt += c;
    }
    for (; i < n; i++) cnt += l[i] == v;
    return cnt;
}

/* Whether any of n levels exceeds max. */
static int any_above(const uint16_t *l, size_t n, int max)
{
    uint16_t acc = 0, m = (uint16_t)max;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++) acc |= (uint16_t)(l[i + j] > m);
    for (; i < n; i++) acc |= (uint16_t)(l[i] > m);
    return acc != 0;
}

static idbpq_status decode_levels(idbpq_column_cursor *c, const char *which, int encoding,
                                  const uint8_t *p, size_t n_bytes, size_t n, int max,
                                  uint16_t *out)
{
    int bw = idbpq__bit_width((uint64_t)max);
    if (encoding == IDBPQ_ENC_BIT_PACKED) {
        struct idbpq__err e;
        idbpq__err_clear(&e);
        if (idbpq__bitpacked_legacy_decode(p, n_bytes, bw, out, n, &e) != IDBPQ_OK)
            return failf(c, IDBPQ_CORRUPT, "%s levels: %s", which,
                         e.msg);
    } else if (encoding == IDBPQ_ENC_RLE) {
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, p, n_bytes, bw);
        ptrdiff_t got = idbpq__rle_dec_u16(&d, out, n);
        if (got < 0)
            return failf(c, IDBPQ_CORRUPT, "%s levels malformed at byte %zu of %zu", which, idbpq__rle_dec_offset(&d), n_bytes);
        if ((size_t)got < n)
            return failf(c, IDBPQ_CORRUPT, "%s levels end after %zu of %zu values", which, (size_t)got, n);
    } else {
        return failf(c, IDBPQ_UNSUPPORTED, "%s levels in encoding %d", which, encoding);
    }
    /* A bit width holds values up to 2^bw-1, which may exceed max. */
    if (any_above(out, n, max))
        return failf(c, IDBPQ_CORRUPT, "%s level above the column's maximum %d", which, max);
    return IDBPQ_OK;
}

/* v1 levels: a 4-byte length then RLE data, or legacy BIT_PACKED of a computed size. */
static idbpq_status v1_levels(idbpq_column_cursor *c, const char *which, int encoding,
                              const uint8_t **p, size_t *left, size_t n, int max, uint16_t *out)
{
    size_t len;
    if (encoding == IDBPQ_ENC_BIT_PACKED) {
        int bw = idbpq__bit_width((uint64_t)max);
        len = (n * (size_t)bw + 7) / 8;
        if (len > *left)
            return failf(c, IDBPQ_CORRUPT, "%s levels need %zu bytes, page has %zu", which, len, *left);
        IDBPQ__TRY(decode_levels(c, which, encoding, *p, len, n, max, out));
    } else {
        if (*left < 4)
            return failf(c, IDBPQ_CORRUPT, "page too short for %s levels", which);
        len = idbpq__le32(*p);
        *p += 4;
        *left -= 4;
        if (len > *left)
            return failf(c, IDBPQ_CORRUPT, "%s levels of %zu bytes exceed the page's %zu", which, len, *left);
        IDBPQ__TRY(decode_levels(c, which, encoding, *p, len, n, max, out));
    }
    *p += len;
    *left -= len;
    return IDBPQ_OK;
}

/* ---- values ----------------------------------------------------------------------------- */

static void gather(const uint8_t *dict, const uint32_t *idx, size_t n, size_t width, uint8_t *out)
{
    switch (width) {
    case 1:
        for (size_t i = 0; i < n; i++) out[i] = dict[idx[i]];
        break;
    case 4: {
        const uint32_t *d = (const uint32_t *)(const void *)dict;
        uint32_t *o = (uint32_t *)(void *)out;
        for (size_t i = 0; i < n; i++) o[i] = d[idx[i]];
        break;
    }
    case 8: {
        const uint64_t *d = (const uint64_t *)(const void *)dict;
        uint64_t *o = (uint64_t *)(void *)out;
        for (size_t i = 0; i < n; i++) o[i] = d[idx[i]];
        break;
    }
    case sizeof(idbpq_bytes) == 8 ? 0 : sizeof(idbpq_bytes):
        /* idbpq_bytes is 16 bytes on 64-bit hosts (8 on wasm32, handled by case 8). */
        {
            const idbpq_bytes *d = (const idbpq_bytes *)(const void *)dict;
            idbpq_bytes *o = (idbpq_bytes *)(void *)out;
            for (size_t i = 0; i < n; i++) o[i] = d[idx[i]];
        }
        break;
    default:
        for (size_t i = 0; i < n; i++) memcpy(out + i * width, dict + (size_t)idx[i] * width, width);
        break;
    }
}

static idbpq_status decode_dict_indices(idbpq_column_cursor *c, const uint8_t *p, size_t n_bytes,
                                        size_t nv, uint8_t *out)
{
    if (!c->has_dict)
        return failf(c, IDBPQ_CORRUPT, "dictionary-encoded page without a dictionary page");
    if (nv == 0) return IDBPQ_OK;
    if (n_bytes < 1)
        return failf(c, IDBPQ_CORRUPT, "dictionary indices missing");
    int bw = p[0];
    if (bw > 32)
        return failf(c, IDBPQ_CORRUPT, "dictionary index bit width %d", bw);
    if (!ensure(c->r->alc, (void **)&c->indices, &c->indices_cap, nv, sizeof(uint32_t)))
        return failf(c, IDBPQ_NOMEM, "out of memory");
    struct idbpq__rle_dec d;
    idbpq__rle_dec_init(&d, p + 1, n_bytes - 1, bw);
    ptrdiff_t got = idbpq__rle_dec_u32(&d, c->indices, nv);
    if (got < 0 || (size_t)got < nv)
        return failf(c, IDBPQ_CORRUPT, "dictionary indices %s after %td of %zu values", got < 0 ? "malformed" : "end", got < 0 ? 0 : got,
                     nv);
    uint32_t max = 0;
    const uint32_t *ix = c->indices;
    size_t i = 0;
    for (; i + 16 <= nv; i += 16) /* a fixed trip count vectorizes at -O2 */
        for (size_t j = 0; j < 16; j++) max = ix[i + j] > max ? ix[i + j] : max;
    for (; i < nv; i++) max = ix[i] > max ? ix[i] : max;
    if (max >= c->dict_count)
        return failf(c, IDBPQ_CORRUPT, "dictionary index %u out of range (dictionary has %u)", max, c->dict_count);
    gather(c->dict_values, c->indices, nv, c->width, out);
    return IDBPQ_OK;
}

static idbpq_status decode_values(idbpq_column_cursor *c, int encoding, const uint8_t *p,
                                  size_t n_bytes, size_t nv, uint8_t *out)
{
    struct idbpq__err e;
    idbpq__err_clear(&e);
    idbpq_status st = IDBPQ_OK;
    size_t used = 0;
    int t = c->type;
    switch (encoding) {
    case IDBPQ_ENC_PLAIN:
        if (nv == 0) break;
        st = idbpq__plain_decode(t, c->type_length, p, n_bytes, nv, out, &used, &e);
        break;
    case IDBPQ_ENC_PLAIN_DICTIONARY:
    case IDBPQ_ENC_RLE_DICTIONARY:
        return decode_dict_indices(c, p, n_bytes, nv, out);
    case IDBPQ_ENC_RLE:
        if (t != IDBPQ_BOOLEAN) goto bad_type;
        if (nv == 0) break;
        {
            /* Booleans in RLE carry a 4-byte length prefix (Encodings.md). */
            if (n_bytes < 4) return failf(c, IDBPQ_CORRUPT, "RLE booleans: no length");
            size_t len = idbpq__le32(p);
            if (len > n_bytes - 4)
                return failf(c, IDBPQ_CORRUPT, "RLE booleans: length %zu exceeds page", len);
            if (!ensure(c->r->alc, (void **)&c->indices, &c->indices_cap, nv, sizeof(uint32_t)))
                return failf(c, IDBPQ_NOMEM, "out of memory");
            struct idbpq__rle_dec d;
            idbpq__rle_dec_init(&d, p + 4, len, 1);
            ptrdiff_t got = idbpq__rle_dec_u32(&d, c->indices, nv);
            if (got < 0 || (size_t)got < nv)
                return failf(c, IDBPQ_CORRUPT, "RLE booleans end early");
            for (size_t i = 0; i < nv; i++) out[i] = (uint8_t)c->indices[i];
        }
        break;
    case IDBPQ_ENC_DELTA_BINARY_PACKED:
        if (t != IDBPQ_INT32 && t != IDBPQ_INT64) goto bad_type;
        if (nv == 0) break;
        st = idbpq__dbp_decode(p, n_bytes, t == IDBPQ_INT64, out, nv, &used, &e);
        break;
    case IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (t != IDBPQ_BYTE_ARRAY) goto bad_type;
        if (nv == 0) break;
        st = idbpq__dlba_decode(p, n_bytes, (idbpq_bytes *)(void *)out, nv, &used, &e);
        break;
    case IDBPQ_ENC_DELTA_BYTE_ARRAY:
        if (t != IDBPQ_BYTE_ARRAY && t != IDBPQ_FIXED_LEN_BYTE_ARRAY) goto bad_type;
        if (nv == 0) break;
        if (t == IDBPQ_BYTE_ARRAY) {
            st = idbpq__dba_decode(p, n_bytes, (idbpq_bytes *)(void *)out, nv, 0, &c->dba_store,
                                   &used, &e);
        } else {
            /* Rebuild into idbpq_bytes first, then pack the fixed-width values. */
            if (!ensure(c->r->alc, (void **)&c->indices, &c->indices_cap, nv,
                        sizeof(idbpq_bytes)))
                return failf(c, IDBPQ_NOMEM, "out of memory");
            idbpq_bytes *tmp = (idbpq_bytes *)(void *)c->indices;
            st = idbpq__dba_decode(p, n_bytes, tmp, nv, c->type_length, &c->dba_store, &used, &e);
            if (st == IDBPQ_OK)
                for (size_t i = 0; i < nv; i++)
                    memcpy(out + i * c->width, tmp[i].ptr, c->width);
        }
        break;
    case IDBPQ_ENC_BYTE_STREAM_SPLIT:
        if (t == IDBPQ_BOOLEAN || t == IDBPQ_BYTE_ARRAY || t == IDBPQ_INT96) goto bad_type;
        if (nv == 0 && n_bytes == 0) break;
        st = idbpq__bss_decode(p, n_bytes, c->width, out, nv, &e);
        break;
    default:
        return failf(c, IDBPQ_UNSUPPORTED, "value encoding %s (%d) is not supported", idbpq_encoding_name((idbpq_encoding)encoding)
                         ? idbpq_encoding_name((idbpq_encoding)encoding) : "unknown",
                     encoding);
    }
    if (st != IDBPQ_OK)
        return failf(c, st, "%s values: %s", idbpq_encoding_name((idbpq_encoding)encoding), e.msg[0] ? e.msg : "malformed");
    return IDBPQ_OK;
bad_type:
    return failf(c, IDBPQ_CORRUPT, "encoding %s cannot hold %s values", idbpq_encoding_name((idbpq_encoding)encoding),
                 idbpq_type_name((idbpq_type)t));
}

/* ---- pages ------------------------------------------------------------------------------ */

static idbpq_status load_dictionary(idbpq_column_cursor *c, const struct idbpq__page_header *h,
                                    const uint8_t *body)
{
    const idbpq_limits *lim = &c->r->opts.limits;
    if (h->dict_num_values < 0)
        return failf(c, IDBPQ_CORRUPT, "dictionary page with %d values", h->dict_num_values);
    if (h->dict_encoding != IDBPQ_ENC_PLAIN && h->dict_encoding != IDBPQ_ENC_PLAIN_DICTIONARY)
        return failf(c, IDBPQ_UNSUPPORTED, "dictionary page in encoding %d", h->dict_encoding);
    size_t n = (size_t)h->dict_num_values;
    if ((uint64_t)n * c->width > lim->max_dictionary_bytes ||
        (size_t)h->uncompressed_size > lim->max_dictionary_bytes)
        return failf(c, IDBPQ_LIMIT, "dictionary of %zu values exceeds the limit of %llu bytes", n, (unsigned long long)lim->max_dictionary_bytes);
    const uint8_t *data;
    IDBPQ__TRY(inflate(c, c->cm->codec, body, (size_t)h->compressed_size,
                       (size_t)h->uncompressed_size, &data));
    /* The dictionary outlives later pages: keep its own copy of the bytes. */
    c->dict_page.len = 0;
    if (idbpq__buf_append(&c->dict_page, data, (size_t)h->uncompressed_size) != IDBPQ_OK ||
        !ensure(c->r->alc, (void **)&c->dict_values, &c->dict_values_cap, n ? n : 1, c->width))
        return failf(c, IDBPQ_NOMEM, "out of memory for the dictionary");
    struct idbpq__err e;
    idbpq__err_clear(&e);
    size_t used;
    if (n > 0 && idbpq__plain_decode(c->type, c->type_length, c->dict_page.p, c->dict_page.len, n,
                            c->dict_values, &used, &e) != IDBPQ_OK)
        return failf(c, IDBPQ_CORRUPT, "dictionary page: %s", e.msg);
    c->dict_count = (uint32_t)n;
    c->has_dict = 1;
    return IDBPQ_OK;
}

static idbpq_status page_arrays(idbpq_column_cursor *c, size_t n)
{
    const idbpq_allocator *alc = c->r->alc;
    struct page *pg = &c->pg;
    if (n * sizeof(uint16_t) > pg->levels_cap) {
        size_t cap = pg->levels_cap;
        uint16_t *d = pg->def, *r = pg->rep;
        pg->def = pg->rep = NULL;
        idbpq__free(alc, d, cap);
        idbpq__free(alc, r, cap);
        pg->levels_cap = 0;
        size_t want = n * sizeof(uint16_t);
        pg->def = idbpq__malloc(alc, want);
        pg->rep = idbpq__malloc(alc, want);
        if (!pg->def || !pg->rep) {
            idbpq__free(alc, pg->def, want);
            idbpq__free(alc, pg->rep, want);
            pg->def = pg->rep = NULL;
            return failf(c, IDBPQ_NOMEM, "out of memory for %zu levels", n);
        }
        pg->levels_cap = want;
    }
    if (!ensure(alc, (void **)&pg->values, &pg->values_cap, n ? n : 1, c->width))
        return failf(c, IDBPQ_NOMEM, "out of memory for %zu values", n);
    return IDBPQ_OK;
}

static idbpq_status load_data_page(idbpq_column_cursor *c, const struct idbpq__page_header *h,
                                   const uint8_t *body)
{
    const idbpq_schema_node *leaf = c->leaf;
    struct page *pg = &c->pg;
    if (h->num_values < 0)
        return failf(c, IDBPQ_CORRUPT, "page declares %d values", h->num_values);
    size_t n = (size_t)h->num_values;
    if (n > c->r->opts.limits.max_page_values)
        return failf(c, IDBPQ_LIMIT, "page of %zu values exceeds the limit of %llu", n,
                     (unsigned long long)c->r->opts.limits.max_page_values);
    IDBPQ__TRY(page_arrays(c, n));
    const uint8_t *p;
    size_t left;
    if (h->type == IDBPQ__PAGE_DATA) {
        IDBPQ__TRY(inflate(c, c->cm->codec, body, (size_t)h->compressed_size,
                           (size_t)h->uncompressed_size, &p));
        left = (size_t)h->uncompressed_size;
        if (leaf->max_rep > 0)
            IDBPQ__TRY(v1_levels(c, "repetition", h->rep_encoding, &p, &left, n, leaf->max_rep,
                                 pg->rep));
        if (leaf->max_def > 0)
            IDBPQ__TRY(v1_levels(c, "definition", h->def_encoding, &p, &left, n, leaf->max_def,
                                 pg->def));
    } else {
        if (h->rep_len < 0 || h->def_len < 0 ||
            (int64_t)h->rep_len + h->def_len > h->compressed_size)
            return failf(c, IDBPQ_CORRUPT,
                         "v2 page level lengths %d + %d exceed the page's %d bytes", h->rep_len, h->def_len, h->compressed_size);
        const uint8_t *lv = body;
        if (leaf->max_rep > 0)
            IDBPQ__TRY(decode_levels(c, "repetition", IDBPQ_ENC_RLE, lv, (size_t)h->rep_len, n,
                                     leaf->max_rep, pg->rep));
        lv += h->rep_len;
        if (leaf->max_def > 0)
            IDBPQ__TRY(decode_levels(c, "definition", IDBPQ_ENC_RLE, lv, (size_t)h->def_len, n,
                                     leaf->max_def, pg->def));
        lv += h->def_len;
        size_t csize = (size_t)h->compressed_size - (size_t)h->rep_len - (size_t)h->def_len;
        if ((int64_t)h->uncompressed_size < (int64_t)h->rep_len + h->def_len)
            return failf(c, IDBPQ_CORRUPT, "v2 page uncompressed size %d below its levels", h->uncompressed_size);
        size_t usize = (size_t)h->uncompressed_size - (size_t)h->rep_len - (size_t)h->def_len;
        /* An empty values section is not handed to the codec: an empty input is not a valid
         * stream for most of them (arrow-rs #7388). */
        if (csize == 0 && usize == 0) p = lv;
        else IDBPQ__TRY(inflate(c, h->is_compressed ? c->cm->codec : IDBPQ_CODEC_UNCOMPRESSED,
                                lv, csize, usize, &p));
        left = usize;
        pg->row_aligned = 1; /* v2 pages start and end at row boundaries */
    }
    size_t nv = n;
    if (leaf->max_def > 0) {
        nv = count_eq(pg->def, n, (uint16_t)leaf->max_def);
    }
    if (leaf->max_rep > 0 && n > 0 && pg->rep[0] != 0 && c->page_no == 0)
        return failf(c, IDBPQ_CORRUPT, "the column chunk's first repetition level is %u, not 0", pg->rep[0]);
    IDBPQ__TRY(decode_values(c, h->encoding, p, left, nv, pg->values));
    pg->n_levels = n;
    pg->n_values = nv;
    pg->lpos = pg->vpos = 0;
    return IDBPQ_OK;
}

/* Loads the next data page with at least one level. IDBPQ_END at the end of the chunk. */
static idbpq_status next_page(idbpq_column_cursor *c)
{
    for (;;) {
        if (c->done) return c->err.status != IDBPQ_OK ? c->err.status : IDBPQ_END;
        if (c->pos >= c->end) {
            c->done = 1;
            return IDBPQ_END;
        }
        c->page_off = c->pos;
        struct idbpq__page_header h;
        size_t hlen;
        c->in_dict = 0;
        IDBPQ__TRY(read_header(c, &h, &hlen));
        if (h.compressed_size < 0 || h.uncompressed_size < 0)
            return failf(c, IDBPQ_CORRUPT, "negative page size");
        uint64_t body_off = c->pos + hlen;
        if ((uint64_t)h.compressed_size > c->end - body_off)
            return failf(c, IDBPQ_CORRUPT,
                         "page of %d bytes runs past the end of the column chunk at offset "
                         "%llu", h.compressed_size,
                         (unsigned long long)c->end);
        if ((uint64_t)h.compressed_size > c->r->opts.limits.max_page_bytes)
            return failf(c, IDBPQ_LIMIT, "page of %d bytes exceeds the limit", h.compressed_size);
        c->pos = body_off + (uint64_t)h.compressed_size;
        int is_data = h.type == IDBPQ__PAGE_DATA || h.type == IDBPQ__PAGE_DATA_V2;
        if (!is_data && h.type != IDBPQ__PAGE_DICTIONARY) continue; /* index or unknown pages */
        if (is_data) c->page_no++;
        c->in_dict = !is_data;
        const uint8_t *body;
        IDBPQ__TRY(fetch(c, body_off, (size_t)h.compressed_size, &c->raw, &body));
        if (h.has_crc && c->r->opts.verify_crc) {
            uint32_t crc = idbpq__crc32(0, body, (size_t)h.compressed_size);
            if (crc != h.crc)
                return failf(c, IDBPQ_CHECKSUM,
                             "page CRC mismatch (stored 0x%08x, computed 0x%08x)", h.crc, crc);
        }
        if (h.type == IDBPQ__PAGE_DICTIONARY) {
            IDBPQ__TRY(load_dictionary(c, &h, body));
            continue;
        }
        IDBPQ__TRY(load_data_page(c, &h, body));
        /* The chunk's last page ends its last row. */
        if (c->pos >= c->end) c->pg.row_aligned = 1;
        if (c->pg.n_levels > 0) return IDBPQ_OK;
    }
}

/* ---- batches ---------------------------------------------------------------------------- */

/* Counts the values (def == max) among n levels starting at def (NULL: all are values). */
static size_t count_values(const uint16_t *def, size_t n, uint16_t max)
{
    if (!def) return n;
    return count_eq(def, n, max);
}

/* Within the current page from lpos, the end (exclusive) of the first k rows, and how many
 * whole rows that is; a trailing row that might continue in the next page is excluded unless
 * the page is known to end at a row boundary. */
static size_t page_rows_end(const struct page *pg, const idbpq_schema_node *leaf, size_t k,
                            size_t *rows)
{
    size_t n = pg->n_levels, i = pg->lpos;
    if (leaf->max_rep == 0) {
        size_t take = n - i < k ? n - i : k;
        *rows = take;
        return i + take;
    }
    size_t r = 0, last_start = i;
    for (; i < n; i++) {
        if (pg->rep[i] == 0) {
            if (r == k) {
                *rows = r;
                return i;
            }
            r++;
            last_start = i;
        }
    }
    if (pg->row_aligned) {
        *rows = r;
        return n;
    }
    /* The last row may continue in the next page. */
    *rows = r ? r - 1 : 0;
    return r ? last_start : pg->lpos;
}

static void fill_batch(idbpq_column_cursor *c, idbpq_column_batch *b, const uint16_t *def,
                       const uint16_t *rep, const void *values, size_t n_levels, size_t n_values,
                       size_t n_rows)
{
    b->n_levels = n_levels;
    b->n_values = n_values;
    b->n_rows = n_rows;
    b->def = c->leaf->max_def > 0 ? def : NULL;
    b->rep = c->leaf->max_rep > 0 ? rep : NULL;
    b->values = values;
    b->type = (idbpq_type)c->type;
    b->type_length = c->type_length;
}

/* Appends levels [from, to) of the current page and their values to the gather buffers. */
static idbpq_status gather_append(idbpq_column_cursor *c, size_t from, size_t to, size_t *nl,
                                  size_t *nv)
{
    struct page *pg = &c->pg;
    size_t n = to - from;
    size_t vals = count_values(c->leaf->max_def > 0 ? pg->def + from : NULL, n,
                               (uint16_t)c->leaf->max_def);
    const idbpq_allocator *alc = c->r->alc;
    size_t need_l = (*nl + n) * sizeof(uint16_t);
    if (need_l > c->olevels_cap) {
        size_t cap = c->olevels_cap, ncap = cap ? cap : 4096;
        while (ncap < need_l) ncap *= 2;
        uint16_t *d = idbpq__realloc(alc, c->odef, cap, ncap);
        if (d) c->odef = d;
        uint16_t *r = d ? idbpq__realloc(alc, c->orep, cap, ncap) : NULL;
        if (r) c->orep = r;
        if (!d || !r) return failf(c, IDBPQ_NOMEM, "out of memory gathering rows");
        c->olevels_cap = ncap;
    }
    if (!ensure_keep(alc, (void **)&c->ovalues, &c->ovalues_cap, (*nv + vals) * c->width,
                     *nv * c->width))
        return failf(c, IDBPQ_NOMEM, "out of memory gathering rows");
    if (c->leaf->max_def > 0) memcpy(c->odef + *nl, pg->def + from, n * sizeof(uint16_t));
    if (c->leaf->max_rep > 0) memcpy(c->orep + *nl, pg->rep + from, n * sizeof(uint16_t));
    uint8_t *dst = c->ovalues + *nv * c->width;
    memcpy(dst, pg->values + pg->vpos * c->width, vals * c->width);
    if (c->type == IDBPQ_BYTE_ARRAY) {
        /* The page buffer is reused by the next page: keep the bytes. */
        idbpq_bytes *bv = (idbpq_bytes *)(void *)dst;
        for (size_t i = 0; i < vals; i++) {
            if (!bv[i].len) continue;
            uint8_t *copy = idbpq__arena_alloc(&c->obytes, bv[i].len);
            if (!copy) return failf(c, IDBPQ_NOMEM, "out of memory gathering rows");
            memcpy(copy, bv[i].ptr, bv[i].len);
            bv[i].ptr = copy;
        }
    }
    pg->lpos = to;
    pg->vpos += vals;
    *nl += n;
    *nv += vals;
    return IDBPQ_OK;
}

static idbpq_status read_impl(idbpq_column_cursor *c, size_t k, int exact, idbpq_column_batch *b)
{
    memset(b, 0, sizeof *b);
    b->type = (idbpq_type)c->type;
    b->type_length = c->type_length;
    if (k == 0) return IDBPQ_OK;
    struct page *pg = &c->pg;
    if (pg->lpos >= pg->n_levels) IDBPQ__TRY(next_page(c));
    /* Fast path: the rows lie in the current page. */
    size_t rows;
    size_t end = page_rows_end(pg, c->leaf, k, &rows);
    /* Fewer rows than asked are all there is when they end the chunk's last page. */
    int last = end == pg->n_levels && c->pos >= c->end;
    if (rows > 0 && (!exact || rows == k || last)) {
        size_t n = end - pg->lpos;
        /* The rest of the page holds the rest of its values: no need to count them. */
        size_t nv = end == pg->n_levels
                        ? pg->n_values - pg->vpos
                        : count_values(c->leaf->max_def > 0 ? pg->def + pg->lpos : NULL, n,
                                       (uint16_t)c->leaf->max_def);
        fill_batch(c, b, pg->def + pg->lpos, pg->rep + pg->lpos, pg->values + pg->vpos * c->width,
                   n, nv, rows);
        pg->lpos = end;
        pg->vpos += nv;
        return IDBPQ_OK;
    }
    /* Gather rows across pages. A row is complete when the next row starts or the chunk
     * ends, so the loop stops only at a row start inside a loaded page, or at the end. */
    idbpq__arena_reset(&c->obytes);
    size_t nl = 0, nv = 0, started = 0;
    for (;;) {
        if (pg->lpos >= pg->n_levels) {
            idbpq_status st = next_page(c);
            if (st == IDBPQ_END) break;
            if (st != IDBPQ_OK) return st;
        }
        size_t i = pg->lpos, stop = pg->n_levels;
        if (c->leaf->max_rep == 0) {
            size_t want = k - started;
            if (stop - i > want) stop = i + want;
            started += stop - i;
        } else {
            for (; i < pg->n_levels; i++) {
                if (pg->rep[i] == 0) {
                    if (started == k) {
                        stop = i;
                        break;
                    }
                    started++;
                }
            }
        }
        IDBPQ__TRY(gather_append(c, pg->lpos, stop, &nl, &nv));
        if (stop < pg->n_levels || (c->leaf->max_rep == 0 && started == k)) break;
    }
    if (nl == 0) return IDBPQ_END;
    fill_batch(c, b, c->odef, c->orep, c->ovalues, nl, nv, started);
    return IDBPQ_OK;
}

idbpq_status idbpq_column_cursor_read(idbpq_column_cursor *c, size_t max_rows,
                                      idbpq_column_batch *batch)
{
    if (!c || !batch) return IDBPQ_INVALID_ARG;
    return read_impl(c, max_rows, 0, batch);
}

idbpq_status idbpq_column_cursor_read_rows(idbpq_column_cursor *c, size_t n_rows,
                                           idbpq_column_batch *batch)
{
    if (!c || !batch) return IDBPQ_INVALID_ARG;
    return read_impl(c, n_rows, 1, batch);
}
