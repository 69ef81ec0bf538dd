/*
 * column_writer.c — one leaf column of the Parquet writer. Levels and values are buffered
 * into the open page; a page is cut at a row boundary (rep == 0) once its estimated size
 * passes page_bytes or it holds page_rows rows, then encoded, compressed and appended to the
 * chunk buffer (README.md "Data Pages"; parquet.thrift DataPageHeader / DataPageHeaderV2).
 * Values go through a dictionary first (Encodings.md "Dictionary Encoding", RLE_DICTIONARY
 * data pages, PLAIN dictionary page); the column falls back to its plain encoding when the
 * dictionary grows past dictionary_bytes or, after the first page, when it does not pay
 * (parquet-mr's rule: dictionary + indices must be smaller than the plain values).
 * Page statistics feed the ColumnIndex and merge into the chunk's Statistics (PageIndex.md).
 */
#include "parquet/writer.h"

/* Levels handled between page-budget checks: small enough to cut pages close to the budget,
 * large enough that the per-chunk bookkeeping does not show. */
#define CHUNK_LEVELS 4096
/* Values seen before deciding whether the dictionary pays (parquet-mr decides at the first
 * page; a fixed count does not depend on how small pages are). */
#define DICT_JUDGE 10000

static const char *cpath(const struct idbpq__colw *c) { return c->cfg.leaf->path; }

/* ---- chunk blocks --------------------------------------------------------------------------- */

#define WBLOCK_MIN (64u << 10)
#define WBLOCK_MAX (4u << 20)

void idbpq__wchunk_init(struct idbpq__wchunk *ch, const idbpq_allocator *alc)
{
    memset(ch, 0, sizeof *ch);
    ch->alc = idbpq__alc(alc);
}

static void free_blocks(const idbpq_allocator *alc, struct idbpq__wblock *b)
{
    while (b) {
        struct idbpq__wblock *next = b->next;
        idbpq__free(alc, b, sizeof *b + b->cap);
        b = next;
    }
}

void idbpq__wchunk_free(struct idbpq__wchunk *ch)
{
    free_blocks(ch->alc, ch->head);
    free_blocks(ch->alc, ch->spare);
    ch->head = ch->tail = ch->spare = NULL;
    ch->len = 0;
}

void idbpq__wchunk_reset(struct idbpq__wchunk *ch)
{
    if (ch->tail) {
        ch->tail->next = ch->spare;
        ch->spare = ch->head;
    }
    ch->head = ch->tail = NULL;
    ch->len = 0;
}

idbpq_status idbpq__wchunk_append(struct idbpq__wchunk *ch, const void *p, size_t n)
{
    const uint8_t *src = p;
    while (n > 0) {
        struct idbpq__wblock *b = ch->tail;
        if (!b || b->len == b->cap) {
            b = ch->spare;
            if (b) {
                ch->spare = b->next;
            } else {
                size_t cap = ch->len < WBLOCK_MIN ? WBLOCK_MIN
                             : ch->len < WBLOCK_MAX ? (size_t)ch->len : WBLOCK_MAX;
                b = idbpq__malloc(ch->alc, sizeof *b + cap);
                if (!b) return IDBPQ_NOMEM;
                b->cap = cap;
            }
            b->next = NULL;
            b->len = 0;
            if (ch->tail) ch->tail->next = b;
            else ch->head = b;
            ch->tail = b;
        }
        size_t k = b->cap - b->len < n ? b->cap - b->len : n;
        memcpy(idbpq__wblock_data(b) + b->len, src, k);
        b->len += k;
        ch->len += k;
        src += k;
        n -= k;
    }
    return IDBPQ_OK;
}

static idbpq_status nomem(struct idbpq__colw *c)
{
    return idbpq__fail(c->sh->err, IDBPQ_NOMEM, "column %s: out of memory", cpath(c));
}

idbpq_status idbpq__colw_init(struct idbpq__colw *c, const struct idbpq__colw_cfg *cfg,
                              struct idbpq__wshared *sh)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->sh = sh;
    c->row_bytes = cfg->width ? cfg->width : 8;
    idbpq__buf_init(&c->def, sh->alc);
    idbpq__buf_init(&c->rep, sh->alc);
    idbpq__buf_init(&c->vals, sh->alc);
    idbpq__wchunk_init(&c->chunk, sh->alc);
    idbpq__buf_init(&c->dictpage, sh->alc);
    idbpq__buf_init(&c->pages, sh->alc);
    idbpq__arena_init(&c->page_arena, sh->alc);
    idbpq__stats_init(&c->page_stats, cfg->order, cfg->type, cfg->type_length, sh->alc);
    idbpq__stats_init(&c->chunk_stats, cfg->order, cfg->type, cfg->type_length, sh->alc);
    if (cfg->dictionary) {
        if (idbpq__dict_create(&c->dict, cfg->type, cfg->type_length, sh->alc) != IDBPQ_OK)
            return nomem(c);
        c->dict_mode = 1;
    }
    return IDBPQ_OK;
}

void idbpq__colw_free(struct idbpq__colw *c)
{
    if (!c->sh) return;
    idbpq__buf_free(&c->def);
    idbpq__buf_free(&c->rep);
    idbpq__buf_free(&c->vals);
    idbpq__wchunk_free(&c->chunk);
    idbpq__buf_free(&c->dictpage);
    idbpq__buf_free(&c->pages);
    idbpq__arena_free(&c->page_arena);
    idbpq__stats_free(&c->page_stats);
    idbpq__stats_free(&c->chunk_stats);
    if (c->dict) idbpq__dict_free(c->dict);
    c->dict = NULL;
}

/* ---- buffering ------------------------------------------------------------------------------ */

static uint64_t page_estimate(const struct idbpq__colw *c)
{
    uint64_t lv = (uint64_t)c->page_levels *
                  (uint64_t)(idbpq__bit_width((uint64_t)c->cfg.max_def) +
                             idbpq__bit_width((uint64_t)c->cfg.max_rep)) / 8;
    if (c->dict_mode)
        return lv + (uint64_t)c->page_values *
                        (uint64_t)idbpq__bit_width(idbpq__dict_count(c->dict)) / 8;
    if (c->cfg.type == IDBPQ_BOOLEAN) return lv + c->page_values / 8;
    return lv + c->vals.len;
}

uint64_t idbpq__colw_buffered(const struct idbpq__colw *c)
{
    /* What the row group holds in memory, not only what it will write: the encoded pages,
     * the open page's buffers as allocated, and the dictionary with its hash table. The
     * row-group budget is a memory bound (docs/mapping.md); an estimate of the encoded size
     * alone let wide nested tables pass it. */
    uint64_t page = c->def.cap + c->rep.cap + c->vals.cap;
    uint64_t est = page_estimate(c);
    uint64_t n = c->chunk.len + (page > est ? page : est);
    if (c->dict) n += idbpq__dict_memory(c->dict);
    return n;
}

/* Appends n values (values-array layout at v) to the open page. */
static idbpq_status add_values(struct idbpq__colw *c, const void *v, size_t n)
{
    if (n == 0) return IDBPQ_OK;
    if (c->cfg.statistics && c->cfg.order != IDBPQ__ORDER_NONE) {
        idbpq_status st = idbpq__stats_update(&c->page_stats, v, n);
        if (st != IDBPQ_OK) return idbpq__fail(c->sh->err, st, "column %s: statistics", cpath(c));
    }
    uint64_t plain;
    if (c->cfg.type == IDBPQ_BYTE_ARRAY) {
        const idbpq_bytes *b = v;
        uint64_t total = 0;
        for (size_t i = 0; i < n; i++) total += b[i].len;
        plain = total + 4 * (uint64_t)n;
    } else {
        plain = (uint64_t)n * c->cfg.width;
    }
    c->page_plain += plain;
    if (c->dict_mode) {
        if (idbpq__buf_reserve(&c->vals, n * sizeof(uint32_t))) return nomem(c);
        idbpq_status st = idbpq__dict_insert(c->dict, v, n, (uint32_t *)(void *)(c->vals.p + c->vals.len));
        if (st != IDBPQ_OK) return idbpq__fail(c->sh->err, st, "column %s: dictionary", cpath(c));
        c->vals.len += n * sizeof(uint32_t);
        return IDBPQ_OK;
    }
    if (c->cfg.type == IDBPQ_BYTE_ARRAY) {
        if (idbpq__buf_reserve(&c->vals, (size_t)plain)) return nomem(c);
        const idbpq_bytes *b = v;
        uint8_t *o = c->vals.p + c->vals.len;
        for (size_t i = 0; i < n; i++) {
            idbpq__st_le32(o, b[i].len);
            if (b[i].len) memcpy(o + 4, b[i].ptr, b[i].len);
            o += 4 + (size_t)b[i].len;
        }
        c->vals.len += (size_t)plain;
        return IDBPQ_OK;
    }
    if (idbpq__buf_append(&c->vals, v, (size_t)plain)) return nomem(c);
    return IDBPQ_OK;
}

static idbpq_status flush_page(struct idbpq__colw *c);

idbpq_status idbpq__colw_write(struct idbpq__colw *c, const uint16_t *def, const uint16_t *rep,
                               size_t nl, const void *values, size_t nv)
{
    const uint16_t md = (uint16_t)c->cfg.max_def;
    if (c->cfg.max_def == 0) def = NULL;
    if (c->cfg.max_rep == 0) rep = NULL;
    size_t pos = 0, vpos = 0;
    while (pos < nl) {
        size_t want = c->sh->page_rows > c->page_rows ? c->sh->page_rows - c->page_rows : 1;
        if (want > CHUNK_LEVELS) want = CHUNK_LEVELS;
        /* Rows that fit in the page's byte budget, at the last page's bytes per row. */
        uint64_t est = page_estimate(c);
        uint64_t fit = est < c->sh->page_bytes ? (c->sh->page_bytes - est) / c->row_bytes + 1 : 1;
        if (fit < want) want = (size_t)fit;
        size_t end, rows;
        if (!rep) {
            end = nl - pos > want ? pos + want : nl;
            rows = end - pos;
        } else {
            /* Extend to the next row start past the budget: pages never split a row. */
            rows = 1;
            end = pos + 1;
            for (; end < nl; end++) {
                if (rep[end] != 0) continue;
                if (rows >= want || end - pos >= CHUNK_LEVELS) break;
                rows++;
            }
        }
        size_t cnt = end - pos;
        if (def) {
            cnt = idbpq__levels_count(def + pos, end - pos, md, NULL);
            if (idbpq__buf_append(&c->def, def + pos, (end - pos) * sizeof *def)) return nomem(c);
        }
        if (rep && idbpq__buf_append(&c->rep, rep + pos, (end - pos) * sizeof *rep))
            return nomem(c);
        if (vpos + cnt > nv)
            return idbpq__fail(c->sh->err, IDBPQ_INVALID_ARG,
                               "column %s: levels define more values than given", cpath(c));
        /* No values (all null) may come with values == NULL: no pointer arithmetic then. */
        const void *vp = !values ? NULL
                         : c->cfg.type == IDBPQ_BYTE_ARRAY
                             ? (const void *)((const idbpq_bytes *)values + vpos)
                             : (const void *)((const uint8_t *)values + vpos * c->cfg.width);
        IDBPQ__TRY(add_values(c, vp, cnt));
        c->page_levels += end - pos;
        c->page_values += cnt;
        c->page_rows += rows;
        pos = end;
        vpos += cnt;
        if (c->page_rows >= c->sh->page_rows || page_estimate(c) >= c->sh->page_bytes ||
            (c->dict_mode && idbpq__dict_plain_bytes(c->dict) > c->sh->dictionary_bytes))
            IDBPQ__TRY(flush_page(c));
    }
    return IDBPQ_OK;
}

/* ---- page encoding -------------------------------------------------------------------------- */

/* Rewrites the open page's dictionary indices as plain values (the dictionary is abandoned). */
static idbpq_status undo_dictionary(struct idbpq__colw *c)
{
    struct idbpq__buf *tmp = &c->sh->tmp;
    tmp->len = 0;
    if (idbpq__buf_append(tmp, c->vals.p, c->vals.len)) return nomem(c);
    const uint32_t *idx = (const uint32_t *)(const void *)tmp->p;
    size_t n = c->page_values;
    c->vals.len = 0;
    if (idbpq__buf_reserve(&c->vals, (size_t)c->page_plain)) return nomem(c);
    for (size_t i = 0; i < n; i++) {
        const void *v = idbpq__dict_value(c->dict, idx[i]);
        if (c->cfg.type == IDBPQ_BYTE_ARRAY) {
            const idbpq_bytes *b = v;
            idbpq__st_le32(c->vals.p + c->vals.len, b->len);
            if (b->len) memcpy(c->vals.p + c->vals.len + 4, b->ptr, b->len);
            c->vals.len += 4 + (size_t)b->len;
        } else {
            memcpy(c->vals.p + c->vals.len, v, c->cfg.width);
            c->vals.len += c->cfg.width;
        }
    }
    idbpq__dict_reset(c->dict);
    c->dict_mode = 0;
    return IDBPQ_OK;
}

/* idbpq_bytes views over the page's values (PLAIN byte arrays, or packed FLBA) in sh->tmp. */
static idbpq_status byte_views(struct idbpq__colw *c, const idbpq_bytes **out)
{
    struct idbpq__buf *tmp = &c->sh->tmp;
    size_t n = c->page_values;
    tmp->len = 0;
    if (idbpq__buf_reserve(tmp, n * sizeof(idbpq_bytes) + 1)) return nomem(c);
    idbpq_bytes *v = (idbpq_bytes *)(void *)tmp->p;
    const uint8_t *p = c->vals.p;
    for (size_t i = 0; i < n; i++) {
        if (c->cfg.type == IDBPQ_BYTE_ARRAY) {
            v[i].len = idbpq__le32(p);
            v[i].ptr = p + 4;
            p += 4 + (size_t)v[i].len;
        } else {
            v[i].len = (uint32_t)c->cfg.width;
            v[i].ptr = p;
            p += c->cfg.width;
        }
    }
    *out = v;
    return IDBPQ_OK;
}

/* Encodes the open page's values with encoding `enc` into (vp, vn). */
static idbpq_status encode_values(struct idbpq__colw *c, int enc, const uint8_t **vp, size_t *vn)
{
    struct idbpq__buf *e = &c->sh->enc;
    size_t n = c->page_values;
    const idbpq_bytes *views;
    idbpq_status st = IDBPQ_OK;
    e->len = 0;
    if (enc == IDBPQ_ENC_PLAIN && c->cfg.type != IDBPQ_BOOLEAN) {
        *vp = c->vals.p;
        *vn = c->vals.len;
        return IDBPQ_OK;
    }
    switch (enc) {
    case IDBPQ_ENC_PLAIN: /* BOOLEAN: bit-packed */
        st = idbpq__plain_encode(IDBPQ_BOOLEAN, 0, c->vals.p, n, e);
        break;
    case IDBPQ_ENC_RLE: { /* BOOLEAN, bit width 1, with a 4-byte length (Encodings.md) */
        struct idbpq__buf *tmp = &c->sh->tmp;
        tmp->len = 0;
        if (idbpq__buf_reserve(tmp, n * 2 + 2)) return nomem(c);
        uint16_t *u = (uint16_t *)(void *)tmp->p;
        for (size_t i = 0; i < n; i++) u[i] = c->vals.p[i];
        if (idbpq__buf_reserve(e, 4)) return nomem(c);
        e->len = 4;
        st = idbpq__rle_encode_u16(u, n, 1, e);
        if (st == IDBPQ_OK) idbpq__st_le32(e->p, (uint32_t)(e->len - 4));
        break;
    }
    case IDBPQ_ENC_DELTA_BINARY_PACKED:
        st = idbpq__dbp_encode(c->vals.p, c->cfg.type == IDBPQ_INT64, n, e);
        break;
    case IDBPQ_ENC_BYTE_STREAM_SPLIT:
        st = idbpq__bss_encode(c->vals.p, c->cfg.width, n, e);
        break;
    case IDBPQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        IDBPQ__TRY(byte_views(c, &views));
        st = idbpq__dlba_encode(views, n, e);
        break;
    case IDBPQ_ENC_DELTA_BYTE_ARRAY:
        IDBPQ__TRY(byte_views(c, &views));
        st = idbpq__dba_encode(views, n, e);
        break;
    default:
        return idbpq__fail(c->sh->err, IDBPQ_INVALID_ARG, "column %s: cannot write encoding %s",
                           cpath(c), idbpq_encoding_name((idbpq_encoding)enc));
    }
    if (st != IDBPQ_OK)
        return idbpq__fail(c->sh->err, st, "column %s: %s encoding failed", cpath(c),
                           idbpq_encoding_name((idbpq_encoding)enc));
    *vp = e->p;
    *vn = e->len;
    return IDBPQ_OK;
}

/* RLE hybrid levels appended to out, with the 4-byte length prefix of v1 pages if asked. */
static idbpq_status put_levels(struct idbpq__colw *c, const struct idbpq__buf *lv, int max,
                               int prefix, struct idbpq__buf *out)
{
    size_t at = out->len;
    if (prefix) {
        if (idbpq__buf_reserve(out, 4)) return nomem(c);
        out->len += 4;
    }
    if (idbpq__rle_encode_u16((const uint16_t *)(const void *)lv->p, c->page_levels,
                              idbpq__bit_width((uint64_t)max), out) != IDBPQ_OK)
        return nomem(c);
    if (prefix) idbpq__st_le32(out->p + at, (uint32_t)(out->len - at - 4));
    return IDBPQ_OK;
}

static idbpq_status compress(struct idbpq__colw *c, const uint8_t *p, size_t n,
                             struct idbpq__buf *out)
{
    idbpq_status st = idbpq__compress_ctx(c->sh->codec_ctx, c->sh->codec, c->sh->level, p, n, out,
                                          c->sh->err);
    if (st != IDBPQ_OK) idbpq__err_prefix(c->sh->err, "column %s: ", cpath(c));
    return st;
}

/* Appends header + body to dst (NULL: the chunk), with the CRC if asked (CRC-32 of the body
 * as written). */
static idbpq_status emit_page(struct idbpq__colw *c, struct idbpq__page_header *h,
                              const uint8_t *body, size_t n, struct idbpq__buf *dst)
{
    struct idbpq__buf *hdr = &c->sh->hdr;
    if (c->sh->page_crc) {
        h->has_crc = 1;
        h->crc = idbpq__crc32(0, body, n);
    }
    hdr->len = 0;
    if (idbpq__page_header_encode(h, hdr) != IDBPQ_OK) return nomem(c);
    if (!dst) {
        if (idbpq__wchunk_append(&c->chunk, hdr->p, hdr->len) ||
            idbpq__wchunk_append(&c->chunk, body, n))
            return nomem(c);
        return IDBPQ_OK;
    }
    if (idbpq__buf_reserve(dst, hdr->len + n)) return nomem(c);
    memcpy(dst->p + dst->len, hdr->p, hdr->len);
    if (n) memcpy(dst->p + dst->len + hdr->len, body, n);
    dst->len += hdr->len + n;
    return IDBPQ_OK;
}

/* Records the page for the page index and folds its statistics into the chunk's. */
static idbpq_status note_page(struct idbpq__colw *c, uint64_t offset, size_t size)
{
    struct idbpq__wpage pg;
    memset(&pg, 0, sizeof pg);
    pg.offset = offset;
    pg.size = (int32_t)size;
    pg.first_row = c->chunk_rows;
    pg.null_count = (int64_t)(c->page_levels - c->page_values);
    pg.null_page = c->page_values == 0;
    if (c->cfg.statistics && c->cfg.order != IDBPQ__ORDER_NONE) {
        idbpq_statistics s;
        memset(&s, 0, sizeof s);
        c->page_stats.null_count = pg.null_count;
        if (idbpq__stats_export(&c->page_stats, c->sh->max_stat_bytes, &c->page_arena, &s))
            return nomem(c);
        pg.has_minmax = s.has_min && s.has_max;
        pg.min = s.min;
        pg.max = s.max;
        pg.nan_count = s.has_nan_count ? s.nan_count : c->page_stats.nan_count;
        if (idbpq__stats_merge(&c->chunk_stats, &c->page_stats)) return nomem(c);
        idbpq__stats_reset(&c->page_stats);
    }
    if (!pg.null_page && !pg.has_minmax) c->no_column_index = 1;
    if (idbpq__buf_append(&c->pages, &pg, sizeof pg)) return nomem(c);
    return IDBPQ_OK;
}

static idbpq_status flush_page(struct idbpq__colw *c)
{
    if (c->page_levels == 0) return IDBPQ_OK;
    struct idbpq__wshared *sh = c->sh;
    int enc = c->cfg.fallback;
    const uint8_t *vp = NULL;
    size_t vn = 0;
    if (c->dict_mode && c->page_values > 0) {
        /* Dictionary indices: one byte of bit width, then the RLE hybrid (no length). */
        uint32_t cnt = idbpq__dict_count(c->dict);
        int bw = idbpq__bit_width(cnt > 1 ? cnt - 1 : 1);
        struct idbpq__buf *e = &sh->enc;
        e->len = 0;
        if (idbpq__buf_push(e, (uint8_t)bw) ||
            idbpq__rle_encode_u32((const uint32_t *)(const void *)c->vals.p, c->page_values, bw,
                                  e))
            return nomem(c);
        /* Does it pay? Judged once over the chunk's first DICT_JUDGE values (page by page:
         * small first pages of a low-cardinality column look all-distinct). */
        c->judge_plain += c->page_plain;
        c->judge_idx += e->len;
        c->judge_values += c->page_values;
        int judge = !c->dict_judged && (c->judge_values >= DICT_JUDGE ||
                                        idbpq__dict_plain_bytes(c->dict) > sh->dictionary_bytes);
        int pays = idbpq__dict_plain_bytes(c->dict) + c->judge_idx < c->judge_plain;
        if (judge) c->dict_judged = 1;
        if (judge && !pays && c->dict_pages == 0) {
            IDBPQ__TRY(undo_dictionary(c)); /* plain from the first page on */
        } else {
            if (judge && !pays) c->dict_give_up = 1; /* after this page */
            enc = IDBPQ_ENC_RLE_DICTIONARY;
            vp = e->p;
            vn = e->len;
            c->dict_pages++;
        }
    }
    if (enc != IDBPQ_ENC_RLE_DICTIONARY) IDBPQ__TRY(encode_values(c, enc, &vp, &vn));

    struct idbpq__page_header h;
    memset(&h, 0, sizeof h);
    h.num_values = (int32_t)c->page_levels;
    h.encoding = enc;
    struct idbpq__buf *body = &sh->body;
    body->len = 0;
    const uint8_t *out;
    size_t out_n, raw_n;
    if (sh->page_version == 2) {
        /* v2: levels without length prefixes, never compressed; only values are. */
        h.type = IDBPQ__PAGE_DATA_V2;
        if (c->cfg.max_rep > 0) IDBPQ__TRY(put_levels(c, &c->rep, c->cfg.max_rep, 0, body));
        h.rep_len = (int32_t)body->len;
        if (c->cfg.max_def > 0) IDBPQ__TRY(put_levels(c, &c->def, c->cfg.max_def, 0, body));
        h.def_len = (int32_t)body->len - h.rep_len;
        h.num_nulls = (int32_t)(c->page_levels - c->page_values);
        h.num_rows = (int32_t)c->page_rows;
        raw_n = body->len + vn;
        h.is_compressed = sh->codec != IDBPQ_CODEC_UNCOMPRESSED && vn > 0;
        if (h.is_compressed) {
            IDBPQ__TRY(compress(c, vp, vn, body));
        } else if (idbpq__buf_append(body, vp, vn)) {
            return nomem(c);
        }
        out = body->p;
        out_n = body->len;
    } else {
        h.type = IDBPQ__PAGE_DATA;
        h.def_encoding = IDBPQ_ENC_RLE;
        h.rep_encoding = IDBPQ_ENC_RLE;
        if (c->cfg.max_rep > 0) IDBPQ__TRY(put_levels(c, &c->rep, c->cfg.max_rep, 1, body));
        if (c->cfg.max_def > 0) IDBPQ__TRY(put_levels(c, &c->def, c->cfg.max_def, 1, body));
        if (idbpq__buf_append(body, vp, vn)) return nomem(c);
        raw_n = body->len;
        if (sh->codec != IDBPQ_CODEC_UNCOMPRESSED) {
            sh->comp.len = 0;
            IDBPQ__TRY(compress(c, body->p, body->len, &sh->comp));
            out = sh->comp.p;
            out_n = sh->comp.len;
        } else {
            out = body->p;
            out_n = body->len;
        }
    }
    if (raw_n > INT32_MAX || out_n > INT32_MAX)
        return idbpq__fail(sh->err, IDBPQ_LIMIT, "column %s: page of %zu bytes is too large",
                           cpath(c), raw_n);
    h.uncompressed_size = (int32_t)raw_n;
    h.compressed_size = (int32_t)out_n;
    uint64_t at = c->chunk.len;
    IDBPQ__TRY(emit_page(c, &h, out, out_n, NULL));
    c->chunk_uncompressed += (c->chunk.len - at - out_n) + raw_n;
    c->enc_mask |= 1u << enc;
    IDBPQ__TRY(note_page(c, at, c->chunk.len - at));

    /* Bytes per row of this page guide where the next one is cut (at least 1). */
    c->row_bytes = page_estimate(c) / c->page_rows + 1;
    c->chunk_rows += (int64_t)c->page_rows;
    c->chunk_levels += (int64_t)c->page_levels;
    c->page_levels = c->page_values = c->page_rows = 0;
    c->page_plain = 0;
    c->def.len = c->rep.len = c->vals.len = 0;
    /* Past the size limit the dictionary stops growing; later pages use the fallback. */
    if (c->dict_mode &&
        (c->dict_give_up || idbpq__dict_plain_bytes(c->dict) > sh->dictionary_bytes))
        c->dict_mode = 0;
    return IDBPQ_OK;
}

/* ---- closing the chunk ---------------------------------------------------------------------- */

idbpq_status idbpq__colw_close(struct idbpq__colw *c)
{
    IDBPQ__TRY(flush_page(c));
    c->dictpage.len = 0;
    c->dict_uncompressed = 0;
    if (c->dict_pages == 0) return IDBPQ_OK;
    struct idbpq__wshared *sh = c->sh;
    struct idbpq__buf *body = &sh->body;
    body->len = 0;
    if (idbpq__dict_encode_plain(c->dict, body)) return nomem(c);
    const uint8_t *out = body->p;
    size_t out_n = body->len;
    if (sh->codec != IDBPQ_CODEC_UNCOMPRESSED) {
        sh->comp.len = 0;
        IDBPQ__TRY(compress(c, body->p, body->len, &sh->comp));
        out = sh->comp.p;
        out_n = sh->comp.len;
    }
    if (body->len > INT32_MAX || out_n > INT32_MAX)
        return idbpq__fail(sh->err, IDBPQ_LIMIT, "column %s: dictionary page too large",
                           cpath(c));
    struct idbpq__page_header h;
    memset(&h, 0, sizeof h);
    h.type = IDBPQ__PAGE_DICTIONARY;
    h.uncompressed_size = (int32_t)body->len;
    h.compressed_size = (int32_t)out_n;
    h.dict_num_values = (int32_t)idbpq__dict_count(c->dict);
    h.dict_encoding = IDBPQ_ENC_PLAIN;
    IDBPQ__TRY(emit_page(c, &h, out, out_n, &c->dictpage));
    c->dict_uncompressed = c->dictpage.len - out_n + body->len;
    return IDBPQ_OK;
}

idbpq_status idbpq__colw_meta(struct idbpq__colw *c, uint64_t at, struct idbpq__arena *arena,
                              idbpq_column_chunk_meta *m)
{
    memset(m, 0, sizeof *m);
    uint32_t mask = c->enc_mask;
    if (c->dict_pages) mask |= 1u << IDBPQ_ENC_PLAIN; /* the dictionary page */
    if (c->cfg.max_def > 0 || c->cfg.max_rep > 0) mask |= 1u << IDBPQ_ENC_RLE;
    idbpq_encoding *encs = idbpq__arena_alloc(arena, sizeof *encs * 32);
    if (!encs) return nomem(c);
    int32_t ne = 0;
    for (int e = 0; e < 32; e++)
        if (mask & (1u << e)) encs[ne++] = (idbpq_encoding)e;
    m->path = c->cfg.leaf->path;
    m->type = (idbpq_type)c->cfg.type;
    m->num_encodings = ne;
    m->encodings = encs;
    m->codec = (idbpq_codec)c->sh->codec;
    m->num_values = c->chunk_levels;
    m->total_uncompressed_size = (int64_t)(c->dict_uncompressed + c->chunk_uncompressed);
    m->total_compressed_size = (int64_t)(c->dictpage.len + c->chunk.len);
    m->data_page_offset = (int64_t)(at + c->dictpage.len);
    m->dictionary_page_offset = c->dict_pages ? (int64_t)at : -1;
    m->index_page_offset = -1;
    m->bloom_filter_offset = -1;
    m->bloom_filter_length = -1;
    m->offset_index_offset = -1;
    m->column_index_offset = -1;
    m->unencoded_byte_array_bytes = -1;
    m->num_kv = c->cfg.num_kv;
    m->kv = c->cfg.kv;
    if (c->cfg.statistics) {
        int64_t nulls = 0;
        const struct idbpq__wpage *pg = (const struct idbpq__wpage *)(const void *)c->pages.p;
        size_t np = c->pages.len / sizeof *pg;
        for (size_t i = 0; i < np; i++) nulls += pg[i].null_count;
        m->has_statistics = 1;
        if (c->cfg.order != IDBPQ__ORDER_NONE &&
            idbpq__stats_export(&c->chunk_stats, c->sh->max_stat_bytes, arena, &m->statistics))
            return nomem(c);
        m->statistics.has_null_count = 1;
        m->statistics.null_count = nulls;
        m->statistics.legacy_minmax = 0;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__colw_page_index(struct idbpq__colw *c, uint64_t at, struct idbpq__buf *ci,
                                    int32_t *ci_len, struct idbpq__buf *oi, int32_t *oi_len)
{
    struct idbpq__wpage *pg = (struct idbpq__wpage *)(void *)c->pages.p;
    size_t np = c->pages.len / sizeof *pg;
    struct idbpq__arena *a = &c->page_arena;
    struct idbpq__offset_index o;
    memset(&o, 0, sizeof o);
    o.n = (int32_t)np;
    o.locs = idbpq__arena_alloc(a, sizeof *o.locs * (np + 1));
    if (!o.locs) return nomem(c);
    for (size_t i = 0; i < np; i++) {
        o.locs[i].offset = (int64_t)(at + c->dictpage.len + pg[i].offset);
        o.locs[i].compressed_size = pg[i].size;
        o.locs[i].first_row_index = pg[i].first_row;
    }
    size_t o0 = oi->len;
    if (idbpq__offset_index_encode(&o, oi)) return nomem(c);
    *oi_len = (int32_t)(oi->len - o0);
    *ci_len = 0;
    if (c->no_column_index || !c->cfg.statistics || c->cfg.order == IDBPQ__ORDER_NONE)
        return IDBPQ_OK;
    struct idbpq__column_index x;
    memset(&x, 0, sizeof x);
    x.n = (int32_t)np;
    x.null_pages = idbpq__arena_alloc(a, np + 1);
    x.min = idbpq__arena_alloc(a, sizeof *x.min * (np + 1));
    x.max = idbpq__arena_alloc(a, sizeof *x.max * (np + 1));
    x.null_counts = idbpq__arena_alloc(a, sizeof *x.null_counts * (np + 1));
    int floats = c->cfg.order == IDBPQ__ORDER_FLOAT || c->cfg.order == IDBPQ__ORDER_FLOAT16;
    if (floats) x.nan_counts = idbpq__arena_alloc(a, sizeof *x.nan_counts * (np + 1));
    if (!x.null_pages || !x.min || !x.max || !x.null_counts || (floats && !x.nan_counts))
        return nomem(c);
    for (size_t i = 0; i < np; i++) {
        x.null_pages[i] = (uint8_t)pg[i].null_page;
        x.min[i] = pg[i].null_page ? (idbpq_bytes){NULL, 0} : pg[i].min;
        x.max[i] = pg[i].null_page ? (idbpq_bytes){NULL, 0} : pg[i].max;
        x.null_counts[i] = pg[i].null_count;
        if (floats) x.nan_counts[i] = pg[i].nan_count;
    }
    x.boundary_order = 0; /* UNORDERED: always true, and readers only lose a shortcut */
    size_t c0 = ci->len;
    if (idbpq__column_index_encode(&x, ci)) return nomem(c);
    *ci_len = (int32_t)(ci->len - c0);
    return IDBPQ_OK;
}

void idbpq__colw_reset(struct idbpq__colw *c)
{
    idbpq__wchunk_reset(&c->chunk);
    c->dictpage.len = 0;
    c->pages.len = 0;
    c->dict_uncompressed = 0;
    c->chunk_rows = c->chunk_levels = 0;
    c->chunk_uncompressed = 0;
    c->enc_mask = 0;
    c->dict_pages = 0;
    c->dict_judged = c->dict_give_up = 0;
    c->judge_plain = c->judge_idx = c->judge_values = 0;
    c->no_column_index = 0;
    idbpq__arena_reset(&c->page_arena);
    idbpq__stats_reset(&c->chunk_stats);
    idbpq__stats_reset(&c->page_stats);
    if (c->dict) {
        idbpq__dict_reset(c->dict);
        c->dict_mode = 1;
    }
}
