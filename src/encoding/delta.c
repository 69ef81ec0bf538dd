/*
 * delta.c — DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (Encodings.md).
 *
 * DELTA_BINARY_PACKED: header <block size> <miniblocks per block> <total count> <zigzag first
 * value>, then blocks of <zigzag min delta> <one bit-width byte per miniblock> <miniblocks>,
 * each miniblock holding (delta - min delta) bit-packed LSB first. A streaming decoder below
 * produces values 32 at a time (miniblocks are multiples of 32 values, so a group of 32 is
 * always byte aligned), so no allocation ever depends on the header's counts. Arithmetic
 * wraps (PARQUET-2215): sums are done in uint64 and truncated for INT32, which gives the same
 * low 32 bits as int32 wrapping. In the last block, miniblocks after the last value carry a
 * width byte but no body; readers must not require them (Encodings.md), nor trust their width.
 */
#include "encoding/encoding.h"

/* Cap on the decoded size of one DELTA_BYTE_ARRAY call: prefixes let a few input bytes
 * describe very long values, so the output needs a bound of its own. */
#define DBA_MAX_BYTES ((uint64_t)1 << 30)

struct dbp_stream {
    const uint8_t *p;
    uint64_t len, pos;        /* offsets relative to p */
    uint64_t mb_count, mini;  /* miniblocks per block, values per miniblock */
    uint64_t left;            /* values not yet decoded (excluding buffered ones) */
    uint64_t last, min_delta;
    uint64_t widths_pos, mb_idx, mini_left;
    uint64_t mb_start, mb_end, end_pos;
    int is64, first_pending, bw;
    unsigned buf_pos, buf_len;
    uint64_t buf[32];
};

static idbpq_status dbp_bad(struct idbpq__err *err, uint64_t off, const char *what)
{
    return idbpq__fail(err, IDBPQ_CORRUPT, "DELTA_BINARY_PACKED at offset %llu: %s",
                       (unsigned long long)off, what);
}

static idbpq_status dbp_init(struct dbp_stream *s, const uint8_t *p, size_t nbytes, int is64,
                             struct idbpq__err *err)
{
    const uint8_t *q = p, *end = p + nbytes;
    uint64_t block, mbs, total, first;
    memset(s, 0, offsetof(struct dbp_stream, buf));
    if (idbpq__read_uleb(&q, end, &block) || idbpq__read_uleb(&q, end, &mbs) ||
        idbpq__read_uleb(&q, end, &total) || idbpq__read_uleb(&q, end, &first))
        return dbp_bad(err, (uint64_t)(q - p), "truncated header");
    if (block == 0 || block % 128 != 0 || block > ((uint64_t)1 << 31))
        return dbp_bad(err, 0, "block size is not a positive multiple of 128");
    if (mbs == 0 || block % mbs != 0 || (block / mbs) % 32 != 0)
        return dbp_bad(err, 0, "miniblock count does not split the block into multiples of 32");
    s->p = p;
    s->len = nbytes;
    s->pos = s->end_pos = (uint64_t)(q - p);
    s->mb_count = mbs;
    s->mini = block / mbs;
    s->mb_idx = mbs; /* no block loaded */
    s->is64 = is64;
    s->last = (uint64_t)idbpq__zigzag_dec(first);
    s->first_pending = total > 0;
    s->left = total ? total - 1 : 0;
    return IDBPQ_OK;
}

static uint64_t dbp_total(const struct dbp_stream *s)
{
    return s->left + (uint64_t)s->first_pending + (s->buf_len - s->buf_pos);
}

/* Moves to the next miniblock, reading a block header when the block is used up. */
static idbpq_status dbp_next_miniblock(struct dbp_stream *s, struct idbpq__err *err)
{
    if (s->mb_idx >= s->mb_count) {
        const uint8_t *q = s->p + s->pos, *end = s->p + s->len;
        uint64_t md;
        if (idbpq__read_uleb(&q, end, &md)) return dbp_bad(err, s->pos, "truncated min delta");
        s->min_delta = (uint64_t)idbpq__zigzag_dec(md);
        s->pos = (uint64_t)(q - s->p);
        if (s->len - s->pos < s->mb_count)
            return dbp_bad(err, s->pos, "truncated miniblock bit widths");
        s->widths_pos = s->pos;
        s->pos += s->mb_count;
        s->mb_idx = 0;
    }
    s->bw = s->p[s->widths_pos + s->mb_idx];
    if (s->bw > (s->is64 ? 64 : 32))
        return dbp_bad(err, s->widths_pos + s->mb_idx, "miniblock bit width too large");
    s->mb_idx++;
    s->mini_left = s->mini;
    s->mb_start = s->pos;
    s->mb_end = s->pos + s->mini / 8 * (uint64_t)s->bw;
    return IDBPQ_OK;
}

/* Decodes the next min(32, left) deltas of the current miniblock into absolute values:
 * straight into out (out32 or out64) when dst is non-NULL, else into s->buf. */
static idbpq_status dbp_group(struct dbp_stream *s, void *dst, struct idbpq__err *err)
{
    if (s->mini_left == 0) IDBPQ__TRY(dbp_next_miniblock(s, err));
    unsigned cnt = s->left < 32 ? (unsigned)s->left : 32;
    uint64_t full = 4 * (uint64_t)s->bw, avail = s->len - s->pos;
    const uint8_t *in = s->p + s->pos;
    uint8_t pad[4 * 64];
    if (avail < full) {
        /* Only the bits of the values still needed must be present. */
        uint64_t need = ((uint64_t)cnt * (uint64_t)s->bw + 7) / 8;
        if (avail < need) return dbp_bad(err, s->pos, "truncated miniblock");
        memcpy(pad, in, (size_t)avail);
        memset(pad + avail, 0, sizeof pad - (size_t)avail);
        in = pad;
        s->pos = s->len;
    } else {
        s->pos += full;
    }
    s->mini_left -= 32;
    s->left -= cnt;
    s->end_pos = s->mb_end < s->len ? s->mb_end : s->len;
    if (!s->is64) {
        uint32_t d[32], *o = dst ? dst : NULL;
        idbpq__unpack32(in, s->bw, d, 32);
        uint32_t last = (uint32_t)s->last, md = (uint32_t)s->min_delta;
        if (o) {
            for (unsigned i = 0; i < cnt; i++) o[i] = last += md + d[i];
        } else {
            for (unsigned i = 0; i < cnt; i++) s->buf[i] = last += md + d[i];
        }
        s->last = last;
    } else {
        uint64_t d[32], *o = dst ? dst : s->buf;
        idbpq__unpack64(in, s->bw, d, 32);
        uint64_t last = s->last, md = s->min_delta;
        for (unsigned i = 0; i < cnt; i++) o[i] = last += md + d[i];
        s->last = last;
    }
    if (!dst) {
        s->buf_pos = 0;
        s->buf_len = cnt;
    }
    return IDBPQ_OK;
}

/* Decodes exactly n values (n <= values remaining) into out (int32_t or int64_t). */
static idbpq_status dbp_read(struct dbp_stream *s, void *out, size_t n, struct idbpq__err *err)
{
    int32_t *o32 = out;
    int64_t *o64 = out;
    size_t done = 0;
    while (done < n) {
        if (s->first_pending) {
            if (s->is64) o64[done] = (int64_t)s->last; else o32[done] = (int32_t)(uint32_t)s->last;
            s->first_pending = 0;
            done++;
            continue;
        }
        if (s->buf_pos < s->buf_len) {
            size_t k = s->buf_len - s->buf_pos;
            if (k > n - done) k = n - done;
            for (size_t i = 0; i < k; i++) {
                if (s->is64) o64[done + i] = (int64_t)s->buf[s->buf_pos + i];
                else o32[done + i] = (int32_t)(uint32_t)s->buf[s->buf_pos + i];
            }
            s->buf_pos += (unsigned)k;
            done += k;
            continue;
        }
        if (s->left == 0) return dbp_bad(err, s->pos, "fewer values than expected");
        if (n - done >= 32 && s->left >= 32) {
            IDBPQ__TRY(dbp_group(s, s->is64 ? (void *)(o64 + done) : (void *)(o32 + done), err));
            done += 32;
        } else {
            IDBPQ__TRY(dbp_group(s, NULL, err));
        }
    }
    return IDBPQ_OK;
}

/* Skips every value not yet read, checking that their bits are present, and leaves
 * s->end_pos at the end of the last miniblock holding values. Whole miniblocks are skipped
 * by arithmetic: each step consumes a block header or one of its width bytes, so the work is
 * bounded by the input size whatever the header's counts say. */
static idbpq_status dbp_skip_rest(struct dbp_stream *s, struct idbpq__err *err)
{
    s->first_pending = 0;
    s->buf_pos = s->buf_len = 0;
    while (s->left) {
        if (s->mini_left == 0) IDBPQ__TRY(dbp_next_miniblock(s, err));
        uint64_t k = s->left < s->mini_left ? s->left : s->mini_left;
        uint64_t used = s->mini - s->mini_left; /* values already taken from this miniblock */
        uint64_t need_end = s->mb_start + ((used + k) * (uint64_t)s->bw + 7) / 8;
        if (need_end > s->len) return dbp_bad(err, s->pos, "truncated miniblock");
        s->pos = s->mb_end < s->len ? s->mb_end : s->len;
        s->end_pos = s->pos;
        s->left -= k;
        s->mini_left = 0;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dbp_decode(const uint8_t *p, size_t nbytes, int is64, void *out, size_t n,
                               size_t *consumed, struct idbpq__err *err)
{
    struct dbp_stream s;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, is64, err));
    if (dbp_total(&s) < n)
        return dbp_bad(err, 0, "header counts fewer values than the page holds");
    IDBPQ__TRY(dbp_read(&s, out, n, err));
    *consumed = (size_t)s.end_pos;
    return IDBPQ_OK;
}

idbpq_status idbpq__dbp_count(const uint8_t *p, size_t nbytes, uint64_t *count,
                              struct idbpq__err *err)
{
    struct dbp_stream s;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, 0, err));
    *count = dbp_total(&s);
    return IDBPQ_OK;
}

/* ---- DELTA_LENGTH_BYTE_ARRAY --------------------------------------------------------------- */

/* Lengths as DELTA_BINARY_PACKED INT32, then all the bytes concatenated. */
idbpq_status idbpq__dlba_decode(const uint8_t *p, size_t nbytes, idbpq_bytes *out, size_t n,
                                size_t *consumed, struct idbpq__err *err)
{
    struct dbp_stream s;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, 0, err));
    if (dbp_total(&s) < n)
        return dbp_bad(err, 0, "DELTA_LENGTH_BYTE_ARRAY: fewer lengths than values");
    uint64_t sum = 0;
    int32_t tmp[256];
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        IDBPQ__TRY(dbp_read(&s, tmp, k, err));
        for (size_t j = 0; j < k; j++) {
            if (tmp[j] < 0)
                return idbpq__fail(err, IDBPQ_CORRUPT,
                                   "DELTA_LENGTH_BYTE_ARRAY at offset %llu: value %zu has "
                                   "negative length %d", (unsigned long long)s.end_pos, i + j,
                                   (int)tmp[j]);
            out[i + j].len = (uint32_t)tmp[j];
            sum += (uint32_t)tmp[j];
        }
    }
    IDBPQ__TRY(dbp_skip_rest(&s, err));
    size_t data = (size_t)s.end_pos;
    if (sum > nbytes - data)
        return idbpq__fail(err, IDBPQ_CORRUPT,
                           "DELTA_LENGTH_BYTE_ARRAY at offset %zu: lengths add up to %llu "
                           "bytes, only %zu present", data, (unsigned long long)sum,
                           nbytes - data);
    const uint8_t *q = p + data;
    for (size_t i = 0; i < n; i++) {
        out[i].ptr = q;
        q += out[i].len;
    }
    *consumed = data + (size_t)sum;
    return IDBPQ_OK;
}

/* ---- DELTA_BYTE_ARRAY ---------------------------------------------------------------------- */

/* Prefix lengths as DELTA_BINARY_PACKED, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
 * Passes over the (cheap) prefix stream: find its end, then validate and size the output,
 * then build every value once into `store`, grown a single time so pointers stay valid. */
idbpq_status idbpq__dba_decode(const uint8_t *p, size_t nbytes, idbpq_bytes *out, size_t n,
                               int32_t fixed_len, struct idbpq__buf *store, size_t *consumed,
                               struct idbpq__err *err)
{
    struct dbp_stream s;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, 0, err));
    if (dbp_total(&s) < n)
        return dbp_bad(err, 0, "DELTA_BYTE_ARRAY: fewer prefix lengths than values");
    IDBPQ__TRY(dbp_skip_rest(&s, err));
    size_t pre_end = (size_t)s.end_pos, c2 = 0;
    idbpq_status st = idbpq__dlba_decode(p + pre_end, nbytes - pre_end, out, n, &c2, err);
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(err, "DELTA_BYTE_ARRAY suffixes at offset %zu: ", pre_end);
        return st;
    }
    int32_t tmp[256];
    uint64_t total = 0, prev_len = 0;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, 0, err));
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        IDBPQ__TRY(dbp_read(&s, tmp, k, err));
        for (size_t j = 0; j < k; j++) {
            if (tmp[j] < 0 || (uint64_t)tmp[j] > prev_len)
                return idbpq__fail(err, IDBPQ_CORRUPT,
                                   "DELTA_BYTE_ARRAY at offset 0: value %zu has prefix length "
                                   "%d but the previous value has %llu bytes", i + j,
                                   (int)tmp[j], (unsigned long long)prev_len);
            uint64_t len = (uint64_t)tmp[j] + out[i + j].len;
            if (len > UINT32_MAX || (fixed_len > 0 && len != (uint64_t)fixed_len))
                return idbpq__fail(err, IDBPQ_CORRUPT,
                                   "DELTA_BYTE_ARRAY at offset 0: value %zu has length %llu%s",
                                   i + j, (unsigned long long)len,
                                   fixed_len > 0 ? ", not the column's fixed length" : "");
            total += len;
            if (total > DBA_MAX_BYTES)
                return idbpq__fail(err, IDBPQ_LIMIT,
                                   "DELTA_BYTE_ARRAY at offset 0: decoded values exceed %llu "
                                   "bytes", (unsigned long long)DBA_MAX_BYTES);
            prev_len = len;
        }
    }
    idbpq__buf_reset(store);
    if (idbpq__buf_reserve(store, (size_t)total) != IDBPQ_OK)
        return idbpq__fail(err, IDBPQ_NOMEM, "DELTA_BYTE_ARRAY: out of memory");
    static const uint8_t empty[1];
    uint8_t *dst = store->p;
    const uint8_t *prev = NULL;
    IDBPQ__TRY(dbp_init(&s, p, nbytes, 0, err));
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        IDBPQ__TRY(dbp_read(&s, tmp, k, err));
        for (size_t j = 0; j < k; j++) {
            size_t pl = (size_t)tmp[j], sl = out[i + j].len;
            if (pl) memcpy(dst, prev, pl);
            if (sl) memcpy(dst + pl, out[i + j].ptr, sl);
            out[i + j].ptr = dst ? dst : empty;
            out[i + j].len = (uint32_t)(pl + sl);
            prev = dst;
            if (dst) dst += pl + sl;
        }
    }
    store->len = (size_t)total;
    *consumed = pre_end + c2;
    return IDBPQ_OK;
}

/* ---- encoders ------------------------------------------------------------------------------ */

enum dbp_src_kind { SRC_I32, SRC_I64, SRC_BYTES_LEN, SRC_U32, SRC_SUFFIX_LEN };

struct dbp_src {
    enum dbp_src_kind kind;
    const void *v;
    const uint32_t *prefix; /* SRC_SUFFIX_LEN */
};

/* Loads values [from, from+cnt) as int64; one switch per block, not per value. */
static void dbp_load(const struct dbp_src *src, size_t from, size_t cnt, int64_t *dst)
{
    switch (src->kind) {
    case SRC_I32:
        for (size_t j = 0; j < cnt; j++) dst[j] = ((const int32_t *)src->v)[from + j];
        break;
    case SRC_I64:
        for (size_t j = 0; j < cnt; j++) dst[j] = ((const int64_t *)src->v)[from + j];
        break;
    case SRC_BYTES_LEN:
        for (size_t j = 0; j < cnt; j++) dst[j] = ((const idbpq_bytes *)src->v)[from + j].len;
        break;
    case SRC_U32:
        for (size_t j = 0; j < cnt; j++) dst[j] = ((const uint32_t *)src->v)[from + j];
        break;
    case SRC_SUFFIX_LEN:
        for (size_t j = 0; j < cnt; j++)
            dst[j] = (int64_t)((const idbpq_bytes *)src->v)[from + j].len -
                     (int64_t)src->prefix[from + j];
        break;
    }
}

/* Blocks of 128 values in 4 miniblocks of 32 (parquet-mr's defaults). Lengths are encoded
 * as INT32 (is64 = 0): deltas wrap in 32 bits, so every miniblock width is <= 32. */
static idbpq_status dbp_encode_src(const struct dbp_src *src, int is64, size_t n,
                                   struct idbpq__buf *out)
{
    int64_t first = 0, vals[128];
    if (n) dbp_load(src, 0, 1, &first);
    IDBPQ__TRY(idbpq__buf_uleb(out, 128));
    IDBPQ__TRY(idbpq__buf_uleb(out, 4));
    IDBPQ__TRY(idbpq__buf_uleb(out, n));
    IDBPQ__TRY(idbpq__buf_uleb(out, idbpq__zigzag_enc(first)));
    uint64_t prev = (uint64_t)first;
    for (size_t i = 1; i < n; i += 128) {
        size_t cnt = n - i < 128 ? n - i : 128;
        int64_t delta[128];
        uint64_t u[128];
        dbp_load(src, i, cnt, vals);
        int64_t mn = INT64_MAX;
        for (size_t j = 0; j < cnt; j++) {
            uint64_t d = (uint64_t)vals[j] - prev;
            delta[j] = is64 ? (int64_t)d : (int64_t)(int32_t)(uint32_t)d;
            prev = (uint64_t)vals[j];
            if (delta[j] < mn) mn = delta[j];
        }
        for (size_t j = 0; j < 128; j++) u[j] = j < cnt ? (uint64_t)delta[j] - (uint64_t)mn : 0;
        uint8_t widths[4] = {0, 0, 0, 0};
        size_t body = 0;
        for (size_t m = 0; m * 32 < cnt; m++) {
            uint64_t acc = 0;
            for (size_t j = 0; j < 32; j++) acc |= u[m * 32 + j];
            widths[m] = (uint8_t)idbpq__bit_width(acc);
            body += 4 * (size_t)widths[m];
        }
        IDBPQ__TRY(idbpq__buf_uleb(out, idbpq__zigzag_enc(mn)));
        IDBPQ__TRY(idbpq__buf_append(out, widths, 4));
        IDBPQ__TRY(idbpq__buf_reserve(out, body));
        for (size_t m = 0; m * 32 < cnt; m++) {
            idbpq__pack64(out->p + out->len, widths[m], u + m * 32, 32);
            out->len += 4 * (size_t)widths[m];
        }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dbp_encode(const void *values, int is64, size_t n, struct idbpq__buf *out)
{
    struct dbp_src src = {is64 ? SRC_I64 : SRC_I32, values, NULL};
    return dbp_encode_src(&src, is64, n, out);
}

static idbpq_status append_bytes(const idbpq_bytes *v, size_t n, const uint32_t *skip,
                                 struct idbpq__buf *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += v[i].len - (skip ? skip[i] : 0);
    IDBPQ__TRY(idbpq__buf_reserve(out, total));
    for (size_t i = 0; i < n; i++) {
        size_t off = skip ? skip[i] : 0, len = v[i].len - off;
        if (len) memcpy(out->p + out->len, v[i].ptr + off, len);
        out->len += len;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dlba_encode(const idbpq_bytes *values, size_t n, struct idbpq__buf *out)
{
    struct dbp_src src = {SRC_BYTES_LEN, values, NULL};
    IDBPQ__TRY(dbp_encode_src(&src, 0, n, out));
    return append_bytes(values, n, NULL, out);
}

idbpq_status idbpq__dba_encode(const idbpq_bytes *values, size_t n, struct idbpq__buf *out)
{
    if (n > SIZE_MAX / sizeof(uint32_t)) return IDBPQ_NOMEM;
    uint32_t *pre = idbpq__malloc(out->alc, n * sizeof *pre + 1);
    if (!pre) return IDBPQ_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = 0;
        if (i) {
            uint32_t lim = values[i].len < values[i - 1].len ? values[i].len : values[i - 1].len;
            const uint8_t *a = values[i].ptr, *b = values[i - 1].ptr;
            while (k + 8 <= lim && idbpq__le64(a + k) == idbpq__le64(b + k)) k += 8;
            while (k < lim && a[k] == b[k]) k++;
        }
        pre[i] = k;
    }
    struct dbp_src ps = {SRC_U32, pre, NULL}, ss = {SRC_SUFFIX_LEN, values, pre};
    idbpq_status st = dbp_encode_src(&ps, 0, n, out);
    if (st == IDBPQ_OK) st = dbp_encode_src(&ss, 0, n, out);
    if (st == IDBPQ_OK) st = append_bytes(values, n, pre, out);
    idbpq__free(out->alc, pre, n * sizeof *pre + 1);
    return st;
}
