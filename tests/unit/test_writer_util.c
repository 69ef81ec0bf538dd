/*
 * test_writer_util.c — a memory sink and an independent parse-back of written files for the
 * writer tests: the footer through idbpq__meta_decode_file, pages walked from the chunk
 * offsets with idbpq__page_header_decode, values through the encoding decoders. While walking
 * it checks what the spec asks of the layout: the dictionary page first, v1/v2 level rules,
 * page CRCs when present, and that every OffsetIndex entry points at the data page header it
 * names, with first_row_index counting the rows before it.
 */
#include "test_writer_util.h"

#include <stdarg.h>
#include <stdio.h>

#include "codec/codec.h"
#include "encoding/encoding.h"

static idbpq_status mem_write(void *ctx, const void *p, size_t n)
{
    struct tw_mem *m = ctx;
    if (m->fail_after > 0 && ++m->n_writes >= m->fail_after) return IDBPQ_IO;
    return idbpq__buf_append(&m->b, p, n);
}

void tw_mem_init(struct tw_mem *m, idbpq_sink *sink)
{
    memset(m, 0, sizeof *m);
    idbpq__buf_init(&m->b, NULL);
    sink->ctx = m;
    sink->write = mem_write;
    sink->name = "memory";
}

void tw_mem_free(struct tw_mem *m) { idbpq__buf_free(&m->b); }

static int twfail(struct tw_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int twfail(struct tw_file *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof f->err, fmt, ap);
    va_end(ap);
    return -1;
}
#define FAIL(...) twfail(f, __VA_ARGS__)

int tw_parse(struct tw_file *f, const uint8_t *p, size_t n)
{
    memset(f, 0, sizeof *f);
    idbpq__arena_init(&f->arena, NULL);
    f->p = p;
    f->n = n;
    if (n < 12 || memcmp(p, "PAR1", 4) || memcmp(p + n - 4, "PAR1", 4)) return FAIL("bad magic");
    uint32_t flen = idbpq__le32(p + n - 8);
    if (flen > n - 12) return FAIL("bad footer length %u", flen);
    struct idbpq__err err;
    idbpq__err_clear(&err);
    if (idbpq__meta_decode_file(p + n - 8 - flen, flen, n - 8 - flen, &f->arena, &f->md, &err))
        return FAIL("footer: %s", err.msg);
    return 0;
}

void tw_file_free(struct tw_file *f) { idbpq__arena_free(&f->arena); }

void tw_col_init(struct tw_col *c)
{
    memset(c, 0, sizeof *c);
    idbpq__buf_init(&c->def, NULL);
    idbpq__buf_init(&c->rep, NULL);
    idbpq__buf_init(&c->vals, NULL);
}

void tw_col_free(struct tw_col *c)
{
    idbpq__buf_free(&c->def);
    idbpq__buf_free(&c->rep);
    idbpq__buf_free(&c->vals);
}

static int levels(struct tw_file *f, const uint8_t *p, size_t n, int max, size_t count,
                  struct idbpq__buf *out)
{
    if (idbpq__buf_reserve(out, count * 2)) return FAIL("nomem");
    uint16_t *o = (uint16_t *)(void *)(out->p + out->len);
    if (max == 0) {
        for (size_t i = 0; i < count; i++) o[i] = 0;
    } else {
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, p, n, idbpq__bit_width((uint64_t)max));
        if (idbpq__rle_dec_u16(&d, o, count) != (ptrdiff_t)count) return FAIL("short levels");
        for (size_t i = 0; i < count; i++)
            if (o[i] > max) return FAIL("level %u > max %d", o[i], max);
    }
    out->len += count * 2;
    return 0;
}

static int decode_values(struct tw_file *f, int enc, int type, int32_t tl, const uint8_t *p,
                         size_t n, size_t nv, const uint8_t *dict, uint32_t dict_n,
                         struct idbpq__buf *out)
{
    size_t w = type == IDBPQ_BYTE_ARRAY ? sizeof(idbpq_bytes) : idbpq__value_width(type, tl);
    if (idbpq__buf_reserve(out, nv * w + 1)) return FAIL("nomem");
    void *o = out->p + out->len;
    struct idbpq__err err;
    size_t used = 0;
    idbpq_status st = IDBPQ_OK;
    switch (enc) {
    case IDBPQ_ENC_PLAIN:
        st = idbpq__plain_decode(type, tl, p, n, nv, o, &used, &err);
        break;
    case IDBPQ_ENC_RLE: {
        if (type != IDBPQ_BOOLEAN || n < 4) return FAIL("RLE values on non-boolean");
        uint32_t len = idbpq__le32(p);
        if (len > n - 4) return FAIL("RLE boolean length");
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, p + 4, len, 1);
        uint16_t tmp[256];
        for (size_t i = 0; i < nv;) {
            size_t k = nv - i > 256 ? 256 : nv - i;
            if (idbpq__rle_dec_u16(&d, tmp, k) != (ptrdiff_t)k) return FAIL("short RLE bools");
            for (size_t j = 0; j < k; j++) ((uint8_t *)o)[i + j] = (uint8_t)tmp[j];
            i += k;
        }
        break;
    }
    case IDBPQ_ENC_DELTA_BINARY_PACKED:
        st = idbpq__dbp_decode(p, n, type == IDBPQ_INT64, o, nv, &used, &err);
        break;
    case IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        st = idbpq__dlba_decode(p, n, o, nv, &used, &err);
        break;
    case IDBPQ_ENC_DELTA_BYTE_ARRAY: {
        struct idbpq__buf *store = idbpq__arena_alloc(&f->arena, sizeof *store);
        idbpq__buf_init(store, NULL);
        idbpq_bytes *views = type == IDBPQ_BYTE_ARRAY ? o : idbpq__arena_alloc(&f->arena, nv * sizeof *views + 1);
        st = idbpq__dba_decode(p, n, views, nv, type == IDBPQ_FIXED_LEN_BYTE_ARRAY ? tl : 0,
                               store, &used, &err);
        /* Keep the rebuilt values: copy them into the arena, the buffer is freed. */
        uint8_t *keep = idbpq__arena_alloc(&f->arena, store->len + 1);
        if (store->len) memcpy(keep, store->p, store->len);
        for (size_t i = 0; i < nv && st == IDBPQ_OK; i++) {
            views[i].ptr = keep + (views[i].ptr - store->p);
            if (type == IDBPQ_FIXED_LEN_BYTE_ARRAY) memcpy((uint8_t *)o + i * w, views[i].ptr, w);
        }
        idbpq__buf_free(store);
        break;
    }
    case IDBPQ_ENC_BYTE_STREAM_SPLIT:
        st = idbpq__bss_decode(p, n, w, o, nv, &err);
        break;
    case IDBPQ_ENC_RLE_DICTIONARY:
    case IDBPQ_ENC_PLAIN_DICTIONARY: {
        if (!dict) return FAIL("dictionary-encoded page without a dictionary page");
        if (n < 1) return FAIL("no bit width");
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, p + 1, n - 1, p[0]);
        for (size_t i = 0; i < nv; i++) {
            uint32_t ix;
            if (idbpq__rle_dec_u32(&d, &ix, 1) != 1) return FAIL("short indices");
            if (ix >= dict_n) return FAIL("index %u >= %u", ix, dict_n);
            memcpy((uint8_t *)o + i * w, dict + (size_t)ix * w, w);
        }
        break;
    }
    default: return FAIL("unexpected encoding %d", enc);
    }
    if (st != IDBPQ_OK) return FAIL("decode enc %d: %s", enc, err.msg);
    out->len += nv * w;
    return 0;
}

/* Body bytes of a page, decompressed when needed (kept in the arena: values point in). */
static const uint8_t *inflate(struct tw_file *f, int codec, const uint8_t *p, size_t n,
                              size_t raw)
{
    if (codec == IDBPQ_CODEC_UNCOMPRESSED) return p;
    uint8_t *o = idbpq__arena_alloc(&f->arena, raw + 1);
    struct idbpq__err err;
    if (idbpq__decompress(codec, p, n, o, raw, &err)) {
        FAIL("decompress: %s", err.msg);
        return NULL;
    }
    return o;
}

int tw_read_column(struct tw_file *f, int32_t col, int max_def, int max_rep, int type,
                   int32_t tl, struct tw_col *c)
{
    size_t w = type == IDBPQ_BYTE_ARRAY ? sizeof(idbpq_bytes) : idbpq__value_width(type, tl);
    for (int32_t g = 0; g < f->md.pub.num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &f->md.pub.row_groups[g];
        const idbpq_column_chunk_meta *m = &rg->columns[col];
        uint64_t pos = (uint64_t)(m->dictionary_page_offset >= 0 ? m->dictionary_page_offset
                                                                  : m->data_page_offset);
        uint64_t end = pos + (uint64_t)m->total_compressed_size;
        if (end > f->n) return FAIL("chunk past the end");
        const uint8_t *dict = NULL;
        uint32_t dict_n = 0;
        int64_t levels_seen = 0, rows_seen = 0;
        uint64_t uncompressed = 0;
        /* offset index, if any */
        struct idbpq__offset_index oi;
        memset(&oi, 0, sizeof oi);
        struct idbpq__err err;
        if (m->offset_index_offset >= 0) {
            if (idbpq__offset_index_decode(f->p + m->offset_index_offset,
                                           (size_t)m->offset_index_length,
                                           (uint64_t)m->offset_index_offset, &f->arena, &oi, &err))
                return FAIL("offset index: %s", err.msg);
        }
        int page_no = 0;
        while (pos < end) {
            struct idbpq__page_header h;
            size_t hl;
            if (idbpq__page_header_decode(f->p + pos, end - pos, pos, &h, &hl, &err))
                return FAIL("page header at %llu: %s", (unsigned long long)pos, err.msg);
            const uint8_t *body = f->p + pos + hl;
            size_t cn = (size_t)h.compressed_size, un = (size_t)h.uncompressed_size;
            if (pos + hl + cn > end) return FAIL("page past the chunk");
            uncompressed += hl + un;
            if (h.has_crc && h.crc != idbpq__crc32(0, body, cn)) return FAIL("crc mismatch");
            if (h.type == IDBPQ__PAGE_DICTIONARY) {
                if (page_no != 0 || dict) return FAIL("dictionary page not first");
                if ((int64_t)pos != m->dictionary_page_offset) return FAIL("dict offset");
                const uint8_t *raw = inflate(f, m->codec, body, cn, un);
                if (!raw) return -1;
                dict_n = (uint32_t)h.dict_num_values;
                struct idbpq__buf tmp;
                idbpq__buf_init(&tmp, NULL);
                if (decode_values(f, IDBPQ_ENC_PLAIN, type, tl, raw, un, dict_n, NULL, 0, &tmp))
                    return -1;
                uint8_t *keep = idbpq__arena_alloc(&f->arena, tmp.len + 1);
                memcpy(keep, tmp.p, tmp.len);
                idbpq__buf_free(&tmp);
                dict = keep;
                c->n_dict_pages++;
            } else {
                int di = page_no - (dict ? 1 : 0);
                if (di == 0 && (int64_t)pos != m->data_page_offset) return FAIL("data offset");
                if (m->offset_index_offset >= 0) {
                    if (di >= oi.n) return FAIL("more pages than the offset index");
                    if (oi.locs[di].offset != (int64_t)pos) return FAIL("oi offset %d", di);
                    if (oi.locs[di].compressed_size != (int32_t)(hl + cn))
                        return FAIL("oi size %d", di);
                    if (oi.locs[di].first_row_index != rows_seen)
                        return FAIL("oi first row %d: %lld != %lld", di,
                                    (long long)oi.locs[di].first_row_index, (long long)rows_seen);
                }
                size_t nl = (size_t)h.num_values;
                size_t d0 = c->def.len, r0 = c->rep.len;
                const uint8_t *vals;
                size_t vn;
                if (h.type == IDBPQ__PAGE_DATA) {
                    c->page_versions |= 2;
                    const uint8_t *raw = inflate(f, m->codec, body, cn, un);
                    if (!raw) return -1;
                    const uint8_t *q = raw, *qe = raw + un;
                    for (int k = 0; k < 2; k++) {
                        int mx = k == 0 ? max_rep : max_def;
                        struct idbpq__buf *lv = k == 0 ? &c->rep : &c->def;
                        if (mx == 0) {
                            if (levels(f, NULL, 0, 0, nl, lv)) return -1;
                            continue;
                        }
                        if (qe - q < 4) return FAIL("level length");
                        uint32_t ll = idbpq__le32(q);
                        if (ll > (size_t)(qe - q - 4)) return FAIL("level length too big");
                        if (levels(f, q + 4, ll, mx, nl, lv)) return -1;
                        q += 4 + ll;
                    }
                    vals = q;
                    vn = (size_t)(qe - q);
                } else if (h.type == IDBPQ__PAGE_DATA_V2) {
                    c->page_versions |= 4;
                    size_t rl = (size_t)h.rep_len, dl = (size_t)h.def_len;
                    if (rl + dl > cn) return FAIL("v2 level lengths");
                    if ((max_rep == 0 && rl) || (max_def == 0 && dl)) return FAIL("v2 stray levels");
                    if (levels(f, body, rl, max_rep, nl, &c->rep)) return -1;
                    if (levels(f, body + rl, dl, max_def, nl, &c->def)) return -1;
                    size_t vraw = un - rl - dl;
                    vals = body + rl + dl;
                    vn = cn - rl - dl;
                    if (h.is_compressed) {
                        vals = inflate(f, m->codec, vals, vn, vraw);
                        if (!vals) return -1;
                        vn = vraw;
                    } else if (vn != vraw) {
                        return FAIL("v2 uncompressed sizes");
                    }
                } else {
                    return FAIL("unexpected page type %d", h.type);
                }
                const uint16_t *dv = (const uint16_t *)(const void *)(c->def.p + d0);
                const uint16_t *rv = (const uint16_t *)(const void *)(c->rep.p + r0);
                size_t nv = 0, rows = 0;
                for (size_t i = 0; i < nl; i++) {
                    nv += dv[i] == max_def;
                    rows += rv[i] == 0;
                }
                if (nl && rv[0] != 0) return FAIL("page does not start a row");
                if (h.type == IDBPQ__PAGE_DATA_V2 &&
                    (h.num_rows != (int32_t)rows || h.num_nulls != (int32_t)(nl - nv)))
                    return FAIL("v2 num_rows/num_nulls");
                if (decode_values(f, h.encoding, type, tl, vals, vn, nv, dict, dict_n, &c->vals))
                    return -1;
                c->page_encodings |= 1u << h.encoding;
                c->n_levels += nl;
                c->n_values += nv;
                c->n_rows += rows;
                c->null_count += (int64_t)(nl - nv);
                levels_seen += (int64_t)nl;
                rows_seen += (int64_t)rows;
                c->n_pages++;
            }
            pos += hl + cn;
            page_no++;
        }
        if (pos != end) return FAIL("pages overrun the chunk");
        if (levels_seen != m->num_values) return FAIL("num_values %lld != %lld",
                                                      (long long)m->num_values,
                                                      (long long)levels_seen);
        if (rows_seen != rg->num_rows) return FAIL("rows %lld != %lld", (long long)rows_seen,
                                                   (long long)rg->num_rows);
        if ((int64_t)uncompressed != m->total_uncompressed_size)
            return FAIL("total_uncompressed_size %lld != %llu",
                        (long long)m->total_uncompressed_size, (unsigned long long)uncompressed);
        if (m->offset_index_offset >= 0 && oi.n != page_no - (dict ? 1 : 0))
            return FAIL("offset index has %d pages, found %d", oi.n, page_no - (dict ? 1 : 0));
    }
    (void)w;
    return 0;
}
