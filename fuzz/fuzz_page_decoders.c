/*
 * fuzz_page_decoders.c — every value and level decoder of src/encoding on hostile input.
 *
 * Input layout: the first bytes choose the decoder and its parameters (bit width, value
 * count, physical type, type_length, chunking), the rest is the encoded stream. Output arrays
 * are allocated at exactly the size the contract promises to fill, so AddressSanitizer sees
 * any write past it. Where an encoder exists, values that decoded cleanly are re-encoded and
 * decoded again and must come back bit for bit (the round-trip property); for PLAIN and
 * BYTE_STREAM_SPLIT the re-encoded bytes must equal the consumed input.
 *
 * Decoders (selector byte % N_DECODERS):
 *   0 RLE hybrid u16   1 RLE hybrid u32   2 legacy BIT_PACKED   3 PLAIN (every type)
 *   4 DELTA_BINARY_PACKED (32/64)   5 DELTA_LENGTH_BYTE_ARRAY   6 DELTA_BYTE_ARRAY (+fixed)
 *   7 BYTE_STREAM_SPLIT   8 bit unpack/pack 32/64   9 dictionary builder (writer side)
 */
#include "common/common.h"
#include "encoding/encoding.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#define MAX_VALUES 4096u

/* ---- data producer: parameters from the front of the input ------------------------------- */

struct fdp {
    const uint8_t *p;
    size_t n;
};

static unsigned fdp_u8(struct fdp *f)
{
    if (!f->n) return 0;
    f->n--;
    return *f->p++;
}

static unsigned fdp_u16(struct fdp *f)
{
    unsigned lo = fdp_u8(f);
    return lo | fdp_u8(f) << 8;
}

/* A value count in [0, MAX_VALUES]. */
static size_t fdp_count(struct fdp *f) { return fdp_u16(f) % (MAX_VALUES + 1); }

/* Every allocation is at least one byte so a count of 0 still gives a distinct pointer. */
/* A buffer's bytes, never NULL: an empty idbpq__buf has p == NULL, and decoders are not
 * promised a NULL input even for zero bytes. */
static const uint8_t *bytes_of(const struct idbpq__buf *b)
{
    static const uint8_t none[1];
    return b->p ? b->p : none;
}

static void touch_err(const struct idbpq__err *err)
{
    /* The message must be a NUL-terminated string inside the buffer. */
    CHECK(memchr(err->msg, 0, sizeof err->msg) != NULL);
}

/* ---- RLE / bit-packed hybrid ------------------------------------------------------------- */

static void fuzz_rle(struct fdp *f, int wide)
{
    int bw = (int)(fdp_u8(f) % (wide ? 33 : 17));
    size_t count = fdp_count(f);
    size_t chunk = 1 + fdp_u8(f) % 97;
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    size_t width = wide ? 4 : 2;
    void *out = xmalloc(count * width);
    struct idbpq__rle_dec d;
    idbpq__rle_dec_init(&d, data, nbytes, bw);
    size_t got = 0;
    int corrupt = 0;
    while (got < count) {
        size_t want = count - got < chunk ? count - got : chunk;
        ptrdiff_t k = wide ? idbpq__rle_dec_u32(&d, (uint32_t *)out + got, want)
                           : idbpq__rle_dec_u16(&d, (uint16_t *)out + got, want);
        if (k < 0) {
            CHECK(d.corrupt);
            corrupt = 1;
            break;
        }
        CHECK((size_t)k <= want);
        got += (size_t)k;
        if ((size_t)k < want) break; /* end of input */
    }
    CHECK(idbpq__rle_dec_offset(&d) <= nbytes);
    if (bw == 0 && !corrupt) CHECK(got == count);
    /* Every value fits in bw bits (an RLE run's value is stored in ceil(bw/8) bytes, whose
     * extra high bits must not leak out: RLE booleans would read as 2..255). Building with
     * -DFUZZ_SKIP_RLE_WIDTH looks past this property to find others. */
    uint64_t limit = bw == 32 ? UINT64_C(0xffffffff) : ((UINT64_C(1) << bw) - 1);
    int fits = 1;
    for (size_t i = 0; i < got; i++) {
        uint64_t v = wide ? ((uint32_t *)out)[i] : ((uint16_t *)out)[i];
#ifndef FUZZ_SKIP_RLE_WIDTH
        CHECK(v <= limit);
#endif
        if (v > limit) fits = 0;
    }
    if (!corrupt && got > 0 && fits) {
        struct idbpq__buf enc;
        idbpq__buf_init(&enc, NULL);
        idbpq_status st = wide ? idbpq__rle_encode_u32(out, got, bw, &enc)
                               : idbpq__rle_encode_u16(out, got, bw, &enc);
        CHECK(st == IDBPQ_OK);
        void *back = xmalloc(got * width);
        struct idbpq__rle_dec d2;
        idbpq__rle_dec_init(&d2, bytes_of(&enc), enc.len, bw);
        ptrdiff_t k = wide ? idbpq__rle_dec_u32(&d2, back, got) : idbpq__rle_dec_u16(&d2, back, got);
        CHECK(k == (ptrdiff_t)got);
        CHECK(memcmp(back, out, got * width) == 0);
        free(back);
        idbpq__buf_free(&enc);
    }
    free(out);
}

/* ---- deprecated BIT_PACKED levels ---------------------------------------------------------- */

static void fuzz_bitpacked_legacy(struct fdp *f)
{
    int bw = (int)(fdp_u8(f) % 18); /* 17 is out of range: must be refused */
    size_t count = fdp_count(f);
    uint16_t *out = xmalloc(count * sizeof *out);
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__bitpacked_legacy_decode(f->p, f->n, bw, out, count, &err);
    if (bw > 16) CHECK(st != IDBPQ_OK);
    if (st == IDBPQ_OK) {
        for (size_t i = 0; i < count; i++) CHECK(bw == 16 || out[i] < (1u << bw));
    } else {
        touch_err(&err);
    }
    free(out);
}

/* ---- PLAIN ----------------------------------------------------------------------------------- */

static size_t slot_width(int type, int32_t type_length)
{
    if (type == IDBPQ_BYTE_ARRAY) return sizeof(idbpq_bytes);
    return idbpq__value_width(type, type_length);
}

/* Values equal bit for bit (byte arrays by content). */
static int values_equal(int type, int32_t type_length, const void *a, const void *b, size_t n)
{
    if (type == IDBPQ_BYTE_ARRAY) {
        const idbpq_bytes *x = a, *y = b;
        for (size_t i = 0; i < n; i++) {
            if (x[i].len != y[i].len) return 0;
            if (x[i].len && memcmp(x[i].ptr, y[i].ptr, x[i].len) != 0) return 0;
        }
        return 1;
    }
    size_t w = idbpq__value_width(type, type_length);
    return n * w == 0 || memcmp(a, b, n * w) == 0;
}

static void fuzz_plain(struct fdp *f)
{
    int type = (int)(fdp_u8(f) % 8);
    int32_t type_length = (int32_t)(fdp_u8(f) % 17);
    size_t count = fdp_count(f);
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    size_t sw = slot_width(type, type_length);
    void *out = xmalloc(count * sw);
    size_t consumed = 0;
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__plain_decode(type, type_length, data, nbytes, count, out, &consumed,
                                          &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        free(out);
        return;
    }
    CHECK(consumed <= nbytes);
    if (type == IDBPQ_BYTE_ARRAY) {
        const idbpq_bytes *v = out;
        for (size_t i = 0; i < count; i++)
            CHECK(v[i].ptr >= data && v[i].len <= nbytes && v[i].ptr + v[i].len <= data + nbytes);
    }
    if (type == IDBPQ_BOOLEAN) {
        for (size_t i = 0; i < count; i++) CHECK(((uint8_t *)out)[i] <= 1);
    }
    struct idbpq__buf enc;
    idbpq__buf_init(&enc, NULL);
    CHECK(idbpq__plain_encode(type, type_length, out, count, &enc) == IDBPQ_OK);
    if (type != IDBPQ_BOOLEAN) {
        /* PLAIN is canonical except for BOOLEAN's padding bits. */
        CHECK(enc.len == consumed);
        CHECK(consumed == 0 || memcmp(enc.p, data, consumed) == 0);
    }
    void *back = xmalloc(count * sw);
    size_t c2 = 0;
    CHECK(idbpq__plain_decode(type, type_length, bytes_of(&enc), enc.len, count, back, &c2, &err) ==
          IDBPQ_OK);
    CHECK(c2 == enc.len);
    CHECK(values_equal(type, type_length, out, back, count));
    free(back);
    idbpq__buf_free(&enc);
    free(out);
}

/* ---- DELTA_BINARY_PACKED ------------------------------------------------------------------- */

static void fuzz_dbp(struct fdp *f)
{
    int is64 = (int)(fdp_u8(f) & 1);
    size_t count = fdp_count(f);
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    size_t w = is64 ? 8 : 4;
    void *out = xmalloc(count * w);
    size_t consumed = 0;
    struct idbpq__err err = {0};
    uint64_t total = 0;
    idbpq_status cst = idbpq__dbp_count(data, nbytes, &total, &err);
    idbpq_status st = idbpq__dbp_decode(data, nbytes, is64, out, count, &consumed, &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        free(out);
        return;
    }
    CHECK(cst == IDBPQ_OK && total >= count);
    CHECK(consumed <= nbytes);
    struct idbpq__buf enc;
    idbpq__buf_init(&enc, NULL);
    CHECK(idbpq__dbp_encode(out, is64, count, &enc) == IDBPQ_OK);
    void *back = xmalloc(count * w);
    size_t c2 = 0;
    st = idbpq__dbp_decode(bytes_of(&enc), enc.len, is64, back, count, &c2, &err);
    if (st != IDBPQ_OK) fprintf(stderr, "re-decode: %s\n", err.msg);
    CHECK(st == IDBPQ_OK);
    CHECK(c2 <= enc.len);
    CHECK(count == 0 || memcmp(out, back, count * w) == 0);
    uint64_t total2 = 0;
    CHECK(idbpq__dbp_count(bytes_of(&enc), enc.len, &total2, &err) == IDBPQ_OK && total2 == count);
    free(back);
    idbpq__buf_free(&enc);
    free(out);
}

/* ---- DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY ------------------------------------------------ */

static void check_inside(const idbpq_bytes *v, size_t n, const uint8_t *lo, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].len == 0) continue;
        CHECK(v[i].ptr >= lo && v[i].len <= len && v[i].ptr + v[i].len <= lo + len);
    }
}

static void fuzz_dlba(struct fdp *f)
{
    size_t count = fdp_count(f);
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    idbpq_bytes *out = xmalloc(count * sizeof *out);
    size_t consumed = 0;
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__dlba_decode(data, nbytes, out, count, &consumed, &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        free(out);
        return;
    }
    CHECK(consumed <= nbytes);
    check_inside(out, count, data, nbytes);
    struct idbpq__buf enc;
    idbpq__buf_init(&enc, NULL);
    CHECK(idbpq__dlba_encode(out, count, &enc) == IDBPQ_OK);
    idbpq_bytes *back = xmalloc(count * sizeof *back);
    size_t c2 = 0;
    CHECK(idbpq__dlba_decode(bytes_of(&enc), enc.len, back, count, &c2, &err) == IDBPQ_OK);
    CHECK(c2 <= enc.len);
    CHECK(values_equal(IDBPQ_BYTE_ARRAY, 0, out, back, count));
    free(back);
    idbpq__buf_free(&enc);
    free(out);
}

static void fuzz_dba(struct fdp *f)
{
    unsigned flags = fdp_u8(f);
    int32_t fixed_len = (flags & 1) ? (int32_t)(1 + (flags >> 1) % 16) : 0;
    size_t count = fdp_count(f);
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    idbpq_bytes *out = xmalloc(count * sizeof *out);
    struct idbpq__buf store;
    idbpq__buf_init(&store, NULL);
    size_t consumed = 0;
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__dba_decode(data, nbytes, out, count, fixed_len, &store, &consumed,
                                        &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        idbpq__buf_free(&store);
        free(out);
        return;
    }
    CHECK(consumed <= nbytes);
    check_inside(out, count, store.p, store.len);
    if (fixed_len > 0)
        for (size_t i = 0; i < count; i++) CHECK(out[i].len == (uint32_t)fixed_len);
    struct idbpq__buf enc, store2;
    idbpq__buf_init(&enc, NULL);
    idbpq__buf_init(&store2, NULL);
    CHECK(idbpq__dba_encode(out, count, &enc) == IDBPQ_OK);
    idbpq_bytes *back = xmalloc(count * sizeof *back);
    size_t c2 = 0;
    st = idbpq__dba_decode(bytes_of(&enc), enc.len, back, count, fixed_len, &store2, &c2, &err);
    if (st != IDBPQ_OK) fprintf(stderr, "re-decode: %s\n", err.msg);
    CHECK(st == IDBPQ_OK);
    CHECK(c2 <= enc.len);
    CHECK(values_equal(IDBPQ_BYTE_ARRAY, 0, out, back, count));
    free(back);
    idbpq__buf_free(&store2);
    idbpq__buf_free(&enc);
    idbpq__buf_free(&store);
    free(out);
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------------ */

static void fuzz_bss(struct fdp *f)
{
    unsigned sel = fdp_u8(f);
    size_t width = (sel & 3) == 0 ? 4 : (sel & 3) == 1 ? 8 : (size_t)((sel >> 2) % 17);
    int exact = (sel & 0x80) != 0;
    size_t count = fdp_count(f);
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    if (exact && width) {
        count = nbytes / width;
        if (count > MAX_VALUES) count = MAX_VALUES;
        nbytes = count * width;
    }
    uint8_t *out = xmalloc(count * width);
    struct idbpq__err err = {0};
    idbpq_status st = idbpq__bss_decode(data, nbytes, width, out, count, &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        free(out);
        return;
    }
    CHECK(width > 0 && count * width == nbytes);
    struct idbpq__buf enc;
    idbpq__buf_init(&enc, NULL);
    CHECK(idbpq__bss_encode(out, width, count, &enc) == IDBPQ_OK);
    CHECK(enc.len == nbytes && (nbytes == 0 || memcmp(enc.p, data, nbytes) == 0));
    idbpq__buf_free(&enc);
    free(out);
}

/* ---- bit unpacking / packing ------------------------------------------------------------------ */

static void fuzz_pack(struct fdp *f)
{
    unsigned sel = fdp_u8(f);
    int wide = sel & 1;
    int bw = (int)((sel >> 1) % (wide ? 65 : 33));
    size_t count = fdp_count(f) & ~(size_t)7;
    const uint8_t *data = f->p;
    size_t nbytes = f->n;
    if (bw > 0) {
        size_t fit = (nbytes * 8 / (size_t)bw) & ~(size_t)7;
        if (count > fit) count = fit;
    }
    size_t need = count * (size_t)bw / 8;
    /* Copy the packed bytes so reads past `need` are caught. */
    uint8_t *in = xmalloc(need);
    if (need) memcpy(in, data, need);
    uint8_t *re = xmalloc(need);
    if (wide) {
        uint64_t *v = xmalloc(count * 8);
        idbpq__unpack64(in, bw, v, count);
        for (size_t i = 0; i < count; i++) CHECK(bw == 64 || v[i] < (UINT64_C(1) << bw));
        idbpq__pack64(re, bw, v, count);
        free(v);
    } else {
        uint32_t *v = xmalloc(count * 4);
        idbpq__unpack32(in, bw, v, count);
        for (size_t i = 0; i < count; i++) CHECK(bw == 32 || v[i] < (UINT32_C(1) << bw));
        idbpq__pack32(re, bw, v, count);
        free(v);
    }
    CHECK(need == 0 || memcmp(re, in, need) == 0);
    free(re);
    free(in);
}

/* ---- dictionary builder ------------------------------------------------------------------------ */

static void fuzz_dict(struct fdp *f)
{
    int type = (int)(fdp_u8(f) % 8);
    int32_t type_length = (int32_t)(1 + fdp_u8(f) % 16);
    size_t count = fdp_count(f);
    size_t sw = slot_width(type, type_length);
    void *vals = xmalloc(count * sw);
    size_t consumed = 0;
    struct idbpq__err err = {0};
    if (idbpq__plain_decode(type, type_length, f->p, f->n, count, vals, &consumed, &err) !=
        IDBPQ_OK) {
        free(vals);
        return;
    }
    struct idbpq__dict *d = NULL;
    CHECK(idbpq__dict_create(&d, type, type_length, NULL) == IDBPQ_OK);
    uint32_t *idx = xmalloc(count * sizeof *idx);
    /* Insert in two halves to exercise lookups of values already present. */
    size_t half = count / 2;
    CHECK(idbpq__dict_insert(d, vals, half, idx) == IDBPQ_OK);
    CHECK(idbpq__dict_insert(d, (const uint8_t *)vals + half * sw, count - half, idx + half) ==
          IDBPQ_OK);
    uint32_t nd = idbpq__dict_count(d);
    CHECK(nd <= count);
    for (size_t i = 0; i < count; i++) CHECK(idx[i] < nd);
    struct idbpq__buf enc;
    idbpq__buf_init(&enc, NULL);
    CHECK(idbpq__dict_encode_plain(d, &enc) == IDBPQ_OK);
    CHECK(enc.len == idbpq__dict_plain_bytes(d));
    void *dv = xmalloc((size_t)nd * sw);
    size_t c2 = 0;
    CHECK(idbpq__plain_decode(type, type_length, bytes_of(&enc), enc.len, nd, dv, &c2, &err) == IDBPQ_OK);
    for (size_t i = 0; i < count; i++) {
        const uint8_t *want = (const uint8_t *)vals + i * sw;
        const uint8_t *have = (const uint8_t *)dv + (size_t)idx[i] * sw;
        /* Bit-exact: -0.0 and 0.0, or two NaN payloads, must not share an entry. */
        CHECK(values_equal(type, type_length, want, have, 1));
        CHECK(values_equal(type, type_length, want, idbpq__dict_value(d, idx[i]), 1));
    }
    /* Distinct entries are distinct values. */
    for (uint32_t a = 0; a + 1 < nd && a < 64; a++)
        CHECK(!values_equal(type, type_length, (const uint8_t *)dv + (size_t)a * sw,
                            (const uint8_t *)dv + (size_t)(a + 1) * sw, 1));
    idbpq__dict_reset(d);
    CHECK(idbpq__dict_count(d) == 0);
    free(dv);
    idbpq__buf_free(&enc);
    free(idx);
    idbpq__dict_free(d);
    free(vals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct fdp f = {data, size};
    switch (fdp_u8(&f) % 10) {
    case 0: fuzz_rle(&f, 0); break;
    case 1: fuzz_rle(&f, 1); break;
    case 2: fuzz_bitpacked_legacy(&f); break;
    case 3: fuzz_plain(&f); break;
    case 4: fuzz_dbp(&f); break;
    case 5: fuzz_dlba(&f); break;
    case 6: fuzz_dba(&f); break;
    case 7: fuzz_bss(&f); break;
    case 8: fuzz_pack(&f); break;
    default: fuzz_dict(&f); break;
    }
    return 0;
}
