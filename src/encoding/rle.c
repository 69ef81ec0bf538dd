/*
 * rle.c — the RLE/bit-packed hybrid (Encodings.md "Run Length Encoding / Bit-Packing Hybrid"),
 * used for levels, dictionary indices and RLE booleans. Each run starts with a ULEB128 header
 * h: (h & 1) = bit-packed run of (h >> 1) groups of 8 values, (h >> 1) * bw bytes; otherwise an
 * RLE run of (h >> 1) copies of one value stored in ceil(bw/8) little-endian bytes.
 *
 * Decoding streams: bit-packed groups are unpacked straight into the caller's array when they
 * fit, RLE runs are filled in place. A bit-packed run cut short by the end of the data ends
 * the stream after its last complete value (writers pad the final group, some truncate it).
 */
#include "encoding/encoding.h"

void idbpq__rle_dec_init(struct idbpq__rle_dec *d, const uint8_t *p, size_t n, int bw)
{
    memset(d, 0, offsetof(struct idbpq__rle_dec, buf));
    d->corrupt = 0; /* declared after buf, which needs no clearing */
    d->base = d->p = p;
    d->end = n ? p + n : p; /* p may be NULL when n is 0 */
    d->bw = bw;
}

/* Reads the next run header. Returns 1 if a run was set up, 0 at the end of the data, -1 if
 * malformed. Every header consumes at least one byte, so empty runs cannot loop forever. */
static int rle_next_run(struct idbpq__rle_dec *d)
{
    if (d->p >= d->end) return 0;
    uint64_t h;
    const uint8_t *p = d->p;
    if (idbpq__read_uleb(&p, d->end, &h) != 0) goto bad;
    if (h & 1) {
        uint64_t groups = h >> 1;
        if (groups > UINT32_MAX / 8) goto bad;
        d->bp_left = (uint32_t)(groups * 8);
    } else {
        uint64_t count = h >> 1;
        size_t vb = ((size_t)d->bw + 7) / 8;
        if (count > UINT32_MAX || (size_t)(d->end - p) < vb) goto bad;
        uint32_t v = 0;
        for (size_t i = 0; i < vb; i++) v |= (uint32_t)p[i] << (8 * i);
        /* The value is stored in whole bytes, but must fit the bit width: otherwise RLE
         * booleans would read as 2..255 (found by fuzz_file_read). */
        if (d->bw < 32 && (v >> d->bw) != 0) goto bad;
        p += vb;
        d->rle_value = v;
        d->rle_left = (uint32_t)count;
    }
    d->p = p;
    return 1;
bad:
    d->corrupt = 1;
    return -1;
}

/* Unpacks what remains of the current bit-packed run into d->buf, up to 64 values. A run
 * truncated by the end of the data yields its complete values and then ends the stream. */
static void rle_fill_buf(struct idbpq__rle_dec *d)
{
    size_t avail = (size_t)(d->end - d->p), bw = (size_t)d->bw;
    size_t groups = d->bp_left / 8;
    if (groups > 8) groups = 8;
    if (groups > avail / bw) groups = avail / bw;
    size_t cnt;
    if (groups) {
        cnt = groups * 8;
        idbpq__unpack32(d->p, d->bw, d->buf, cnt);
        d->p += groups * bw;
        d->bp_left -= (uint32_t)cnt;
    } else {
        cnt = avail * 8 / bw; /* < 8: a partial last group */
        if (cnt) idbpq__unpack32(d->p, d->bw, d->buf, cnt);
        d->p = d->end;
        d->bp_left = 0;
    }
    d->buf_pos = 0;
    d->buf_len = (uint32_t)cnt;
}

/* One body for both output widths; `wide` is a constant at each call site so the element
 * type is resolved at compile time. */
IDBPQ__INLINE ptrdiff_t rle_decode(struct idbpq__rle_dec *d, void *outv, size_t n,
                                   const int wide)
{
    uint16_t *o16 = (uint16_t *)outv;
    uint32_t *o32 = (uint32_t *)outv;
    if (d->corrupt) return -1;
    if (IDBPQ__UNLIKELY(d->bw < 0 || d->bw > 32)) {
        d->corrupt = 1;
        return -1;
    }
    if (d->bw == 0) {
        /* Every value is 0 and no input is read (Encodings.md: bit width 0). */
        if (wide) memset(o32, 0, n * 4); else memset(o16, 0, n * 2);
        return (ptrdiff_t)n;
    }
    size_t done = 0;
    while (done < n) {
        size_t want = n - done;
        if (d->rle_left) {
            size_t k = d->rle_left < want ? d->rle_left : want;
            uint32_t v = d->rle_value;
            /* Filled 8 bytes a store (levels without nulls are one long run). */
            uint8_t *o = wide ? (uint8_t *)(o32 + done) : (uint8_t *)(o16 + done);
            size_t bytes = k * (wide ? 4 : 2), i = 0;
            uint64_t pat = wide ? (uint64_t)v * 0x0000000100000001ull
                                : (uint64_t)(uint16_t)v * 0x0001000100010001ull;
            for (; i + 8 <= bytes; i += 8) memcpy(o + i, &pat, 8);
            for (; i < bytes; i += wide ? 4 : 2) memcpy(o + i, &pat, wide ? 4 : 2);
            d->rle_left -= (uint32_t)k;
            done += k;
            continue;
        }
        if (d->buf_pos < d->buf_len) {
            size_t k = d->buf_len - d->buf_pos;
            if (k > want) k = want;
            const uint32_t *b = d->buf + d->buf_pos;
            if (wide) memcpy(o32 + done, b, k * 4);
            else for (size_t i = 0; i < k; i++) o16[done + i] = (uint16_t)b[i];
            d->buf_pos += (uint32_t)k;
            done += k;
            continue;
        }
        if (d->bp_left) {
            if (wide) {
                /* Whole groups that the caller wants and the input holds: unpack in place. */
                size_t bw = (size_t)d->bw, avail = (size_t)(d->end - d->p);
                size_t g = (want < d->bp_left ? want : d->bp_left) / 8;
                if (g > avail / bw) g = avail / bw;
                if (g) {
                    idbpq__unpack32(d->p, d->bw, o32 + done, g * 8);
                    d->p += g * bw;
                    d->bp_left -= (uint32_t)(g * 8);
                    done += g * 8;
                    continue;
                }
            }
            rle_fill_buf(d);
            if (d->buf_len == 0) break; /* truncated before a whole value: end of data */
            continue;
        }
        int r = rle_next_run(d);
        if (r < 0) return -1;
        if (r == 0) break;
    }
    return (ptrdiff_t)done;
}

ptrdiff_t idbpq__rle_dec_u16(struct idbpq__rle_dec *d, uint16_t *out, size_t n)
{
    return rle_decode(d, out, n, 0);
}

ptrdiff_t idbpq__rle_dec_u32(struct idbpq__rle_dec *d, uint32_t *out, size_t n)
{
    return rle_decode(d, out, n, 1);
}

/* ---- encoder -------------------------------------------------------------------------------- */

IDBPQ__INLINE uint32_t val_at(const void *v, size_t i, const int wide)
{
    return wide ? ((const uint32_t *)v)[i] : ((const uint16_t *)v)[i];
}

/* Values [from, to) as bit-packed groups under one header; the last group is padded with 0
 * (readers stop at their value count). */
IDBPQ__INLINE idbpq_status rle_put_literals(const void *v, size_t from, size_t to, int bw,
                                            struct idbpq__buf *out, const int wide)
{
    if (from >= to) return IDBPQ_OK;
    size_t cnt = to - from, groups = (cnt + 7) / 8;
    IDBPQ__TRY(idbpq__buf_uleb(out, ((uint64_t)groups << 1) | 1));
    IDBPQ__TRY(idbpq__buf_reserve(out, groups * (size_t)bw));
    uint32_t tmp[256];
    for (size_t i = 0; i < cnt; i += 256) {
        size_t k = cnt - i < 256 ? cnt - i : 256;
        for (size_t j = 0; j < k; j++) tmp[j] = val_at(v, from + i + j, wide);
        size_t kp = (k + 7) & ~(size_t)7;
        for (size_t j = k; j < kp; j++) tmp[j] = 0;
        idbpq__pack32(out->p + out->len, bw, tmp, kp);
        out->len += kp / 8 * (size_t)bw;
    }
    return IDBPQ_OK;
}

/* The length of the run of x starting at i (at least `have`, known equal), capped. Compares
 * a 64-bit word at a time: long runs (levels without nulls) are the common case. */
IDBPQ__INLINE size_t run_length(const void *v, size_t i, size_t n, size_t have, uint32_t x,
                                const int wide)
{
    const size_t cap = (size_t)1 << 30; /* runs stay well below the 2^31 Encodings.md allows */
    size_t r = have;
    const size_t per = wide ? 2 : 4;
    const uint64_t pat = wide ? (uint64_t)x * 0x0000000100000001ull
                              : (uint64_t)x * 0x0001000100010001ull;
    const uint8_t *b = (const uint8_t *)v;
    const size_t w = wide ? 4 : 2;
    while (i + r + per <= n && r + per <= cap && idbpq__le64(b + (i + r) * w) == pat) r += per;
    while (i + r < n && r < cap && val_at(v, i + r, wide) == x) r++;
    return r;
}

/* Greedy, as parquet-mr and Arrow do: a value repeated >= 8 times becomes an RLE run, after
 * topping up the pending literals to a whole group of 8 (bit-packed groups cannot be
 * partial except at the very end); everything else is bit-packed. */
IDBPQ__INLINE idbpq_status rle_encode(const void *v, size_t n, int bw, struct idbpq__buf *out,
                                      const int wide)
{
    if (bw < 0 || bw > 32) return IDBPQ_INVALID_ARG;
    size_t vb = ((size_t)bw + 7) / 8;
    size_t lit = 0, pos = 0;
    while (pos < n) {
        /* The next run of 8 or more: shorter runs before it stay literals. pos starts a run,
         * so the count of equal neighbours reaches 7 exactly 7 values into such a run. */
        size_t i = pos + 1, eq = 0;
        for (; i < n; i++) {
            eq = val_at(v, i, wide) == val_at(v, i - 1, wide) ? eq + 1 : 0;
            if (eq == 7) break;
        }
        if (i >= n) break;
        pos = i - 7;
        uint32_t x = val_at(v, pos, wide);
        size_t r = run_length(v, pos, n, 8, x, wide);
        size_t pend = (pos - lit) % 8;
        if (pend) {
            size_t borrow = 8 - pend;
            if (r - borrow < 8) {
                pos += r;
                continue;
            }
            pos += borrow;
            r -= borrow;
        }
        IDBPQ__TRY(rle_put_literals(v, lit, pos, bw, out, wide));
        IDBPQ__TRY(idbpq__buf_uleb(out, (uint64_t)r << 1));
        IDBPQ__TRY(idbpq__buf_reserve(out, vb));
        for (size_t k = 0; k < vb; k++) out->p[out->len++] = (uint8_t)(x >> (8 * k));
        pos += r;
        lit = pos;
    }
    return rle_put_literals(v, lit, n, bw, out, wide);
}

idbpq_status idbpq__rle_encode_u16(const uint16_t *v, size_t n, int bw, struct idbpq__buf *out)
{
    return rle_encode(v, n, bw, out, 0);
}

idbpq_status idbpq__rle_encode_u32(const uint32_t *v, size_t n, int bw, struct idbpq__buf *out)
{
    return rle_encode(v, n, bw, out, 1);
}
