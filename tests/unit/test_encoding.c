/* test_encoding.c — bit packing, the RLE/bit-packed hybrid, legacy BIT_PACKED, PLAIN and
 * BYTE_STREAM_SPLIT: Encodings.md examples, naive reference implementations written here for
 * cross-checking, seeded random round trips, and truncated / hostile inputs. */
#include "test.h"

#include "encoding/encoding.h"

#include <stdlib.h>

/* ---- naive references ---------------------------------------------------------------------- */

static uint64_t ref_get_bits(const uint8_t *in, size_t bit, int bw)
{
    uint64_t v = 0;
    for (int b = 0; b < bw; b++, bit++)
        v |= (uint64_t)((in[bit / 8] >> (bit % 8)) & 1) << b;
    return v;
}

static void ref_put_bits(uint8_t *out, size_t bit, int bw, uint64_t v)
{
    for (int b = 0; b < bw; b++, bit++)
        if ((v >> b) & 1) out[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static uint64_t rnd_bits(uint64_t *s, int bw)
{
    uint64_t r = idbpq_test_rand(s);
    return bw >= 64 ? r : bw == 0 ? 0 : r & (((uint64_t)1 << bw) - 1);
}

/* Bytes in an exactly sized heap block, so AddressSanitizer sees any over-read. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (n) memcpy(q, p, n);
    return q;
}

TEST(encoding_unpack32_matches_naive_all_widths)
{
    uint64_t s = idbpq_test_seed();
    static const size_t sizes[] = {0, 1, 5, 8, 31, 32, 33, 64, 100, 777};
    int bad = 0;
    for (int bw = 0; bw <= 32; bw++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t n = sizes[k], nb = (n * (size_t)bw + 7) / 8;
            uint8_t *in = malloc(nb ? nb : 1);
            for (size_t i = 0; i < nb; i++) in[i] = (uint8_t)idbpq_test_rand(&s);
            uint32_t *out = malloc((n ? n : 1) * 4);
            idbpq__unpack32(in, bw, out, n);
            for (size_t i = 0; i < n; i++)
                bad += out[i] != (uint32_t)ref_get_bits(in, i * (size_t)bw, bw);
            free(in);
            free(out);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(encoding_unpack64_matches_naive_all_widths)
{
    uint64_t s = idbpq_test_seed() + 1;
    static const size_t sizes[] = {0, 1, 7, 32, 33, 95, 300};
    int bad = 0;
    for (int bw = 0; bw <= 64; bw++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            size_t n = sizes[k], nb = (n * (size_t)bw + 7) / 8;
            uint8_t *in = malloc(nb ? nb : 1);
            for (size_t i = 0; i < nb; i++) in[i] = (uint8_t)idbpq_test_rand(&s);
            uint64_t *out = malloc((n ? n : 1) * 8);
            idbpq__unpack64(in, bw, out, n);
            for (size_t i = 0; i < n; i++) bad += out[i] != ref_get_bits(in, i * (size_t)bw, bw);
            free(in);
            free(out);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(encoding_pack_matches_naive_all_widths)
{
    uint64_t s = idbpq_test_seed() + 2;
    int bad = 0;
    for (int bw = 0; bw <= 64; bw++) {
        for (size_t n = 0; n <= 80; n += 8) {
            uint64_t v64[80];
            uint32_t v32[80];
            uint8_t got[80 * 8 + 1], want[80 * 8 + 1];
            for (size_t i = 0; i < n; i++) v32[i] = (uint32_t)(v64[i] = rnd_bits(&s, bw));
            memset(want, 0, sizeof want);
            for (size_t i = 0; i < n; i++) ref_put_bits(want, i * (size_t)bw, bw, v64[i]);
            size_t nb = n * (size_t)bw / 8;
            memset(got, 0xAB, sizeof got);
            idbpq__pack64(got, bw, v64, n);
            bad += memcmp(got, want, nb) != 0 || got[nb] != 0xAB;
            if (bw <= 32) {
                memset(got, 0xAB, sizeof got);
                idbpq__pack32(got, bw, v32, n);
                bad += memcmp(got, want, nb) != 0 || got[nb] != 0xAB;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- RLE / bit-packed hybrid ---------------------------------------------------------------- */

/* A deliberately simple decoder following Encodings.md word for word. Returns the number of
 * values decoded (up to max), or -1 if malformed. */
static long ref_rle_decode(const uint8_t *p, size_t n, int bw, uint32_t *out, size_t max)
{
    size_t pos = 0, got = 0;
    while (got < max && pos < n) {
        uint64_t h = 0;
        int shift = 0;
        for (;;) {
            if (pos >= n || shift > 63) return -1;
            uint8_t c = p[pos++];
            h |= (uint64_t)(c & 0x7f) << shift;
            shift += 7;
            if (!(c & 0x80)) break;
        }
        if (h & 1) {
            uint64_t cnt = (h >> 1) * 8;
            for (uint64_t i = 0; i < cnt && got < max; i++) {
                if ((i + 1) * (uint64_t)bw > (n - pos) * 8) return (long)got; /* truncated */
                out[got++] = (uint32_t)ref_get_bits(p + pos, (size_t)i * (size_t)bw, bw);
            }
            uint64_t bytes = (h >> 1) * (uint64_t)bw;
            pos = bytes > n - pos ? n : pos + bytes;
        } else {
            size_t vb = ((size_t)bw + 7) / 8;
            if (n - pos < vb) return -1;
            uint32_t v = 0;
            for (size_t i = 0; i < vb; i++) v |= (uint32_t)p[pos + i] << (8 * i);
            pos += vb;
            for (uint64_t i = 0; i < (h >> 1) && got < max; i++) out[got++] = v;
        }
    }
    return (long)got;
}

TEST(encoding_rle_spec_examples)
{
    /* Encodings.md: 0..7 with bit width 3 bit-packed is 10001000 11000110 11111010. */
    static const uint8_t bp[] = {0x03, 0x88, 0xC6, 0xFA};
    struct idbpq__rle_dec d;
    uint32_t out[16];
    idbpq__rle_dec_init(&d, bp, sizeof bp, 3);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 16), 8);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(out[i], i);
    /* An RLE run: five 3s, then a run of 300 (two-byte header) 2-byte values 0x1234. */
    static const uint8_t rl[] = {0x0A, 0x03, 0xD8, 0x04, 0x34, 0x12};
    idbpq__rle_dec_init(&d, rl, 2, 3);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 16), 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(out[i], 3);
    uint16_t o16[400];
    idbpq__rle_dec_init(&d, rl + 2, 4, 13);
    CHECK_EQ_INT(idbpq__rle_dec_u16(&d, o16, 400), 300);
    CHECK_EQ_INT(o16[0], 0x1234);
    CHECK_EQ_INT(o16[299], 0x1234);
    /* The encoder gives the same bytes for 0..7 and a 1000-long RLE run. */
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    uint32_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    REQUIRE_OK(idbpq__rle_encode_u32(seq, 8, 3, &b));
    CHECK_EQ_INT(b.len, 4);
    CHECK_EQ_MEM(b.p, bp, 4);
    idbpq__buf_reset(&b);
    uint16_t ones[1000];
    for (int i = 0; i < 1000; i++) ones[i] = 1;
    REQUIRE_OK(idbpq__rle_encode_u16(ones, 1000, 1, &b));
    static const uint8_t want[] = {0xD0, 0x0F, 0x01};
    CHECK_EQ_INT(b.len, 3);
    CHECK_EQ_MEM(b.p, want, 3);
    idbpq__buf_free(&b);
}

TEST(encoding_rle_bit_width_zero_reads_nothing)
{
    struct idbpq__rle_dec d;
    uint32_t out[100];
    memset(out, 0xff, sizeof out);
    idbpq__rle_dec_init(&d, NULL, 0, 0);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 100), 100);
    int bad = 0;
    for (int i = 0; i < 100; i++) bad += out[i] != 0;
    CHECK_EQ_INT(bad, 0);
}

/* Data with runs of every length mixed with noise, so both run kinds and the greedy
 * boundaries are exercised. */
static void gen_runs(uint64_t *s, uint32_t *v, size_t n, int bw)
{
    size_t i = 0;
    while (i < n) {
        uint64_t r = idbpq_test_rand(s);
        size_t len = (size_t)(r % 4 == 0 ? 1 + r % 40 : 1 + r % 3);
        uint32_t x = (uint32_t)rnd_bits(s, bw);
        for (size_t j = 0; j < len && i < n; j++) v[i++] = x;
    }
}

TEST(encoding_rle_round_trip_all_widths)
{
    uint64_t s = idbpq_test_seed() + 3;
    int bad = 0;
    for (int bw = 0; bw <= 32; bw++) {
        for (int rep = 0; rep < 6; rep++) {
            size_t n = (size_t)(idbpq_test_rand(&s) % 3000);
            uint32_t *v = malloc((n + 1) * 4), *out = malloc((n + 64) * 4), *ref = malloc((n + 64) * 4);
            gen_runs(&s, v, n, bw);
            struct idbpq__buf b;
            idbpq__buf_init(&b, NULL);
            REQUIRE_OK(idbpq__rle_encode_u32(v, n, bw, &b));
            uint8_t *enc = exact_copy(b.p, b.len);
            /* decode in random chunk sizes */
            struct idbpq__rle_dec d;
            idbpq__rle_dec_init(&d, enc, b.len, bw);
            size_t got = 0;
            while (got < n) {
                size_t k = 1 + (size_t)(idbpq_test_rand(&s) % 100);
                if (k > n - got) k = n - got;
                ptrdiff_t r = idbpq__rle_dec_u32(&d, out + got, k);
                if (r != (ptrdiff_t)k) { bad++; break; }
                got += k;
            }
            bad += memcmp(out, v, n * 4) != 0;
            /* The reference decoder agrees on the encoder's bytes. */
            if (bw > 0) bad += ref_rle_decode(enc, b.len, bw, ref, n) != (long)n ||
                               memcmp(ref, v, n * 4) != 0;
            if (bw <= 16) {
                uint16_t *v16 = malloc((n + 1) * 2), *o16 = malloc((n + 1) * 2);
                for (size_t i = 0; i < n; i++) v16[i] = (uint16_t)v[i];
                idbpq__buf_reset(&b);
                REQUIRE_OK(idbpq__rle_encode_u16(v16, n, bw, &b));
                idbpq__rle_dec_init(&d, b.p, b.len, bw);
                bad += idbpq__rle_dec_u16(&d, o16, n) != (ptrdiff_t)n;
                bad += memcmp(o16, v16, n * 2) != 0;
                free(v16);
                free(o16);
            }
            free(enc);
            idbpq__buf_free(&b);
            free(v);
            free(out);
            free(ref);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* Random well-formed streams built by hand (any group count per header, empty runs, a
 * truncated final bit-packed run) decoded by both decoders. */
TEST(encoding_rle_decoder_matches_reference_on_random_streams)
{
    uint64_t s = idbpq_test_seed() + 4;
    int bad = 0;
    for (int iter = 0; iter < 400; iter++) {
        int bw = 1 + (int)(idbpq_test_rand(&s) % 32);
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        int runs = (int)(idbpq_test_rand(&s) % 12);
        for (int r = 0; r < runs; r++) {
            if (idbpq_test_rand(&s) & 1) {
                size_t groups = (size_t)(idbpq_test_rand(&s) % 20);
                REQUIRE_OK(idbpq__buf_uleb(&b, (groups << 1) | 1));
                for (size_t i = 0; i < groups * (size_t)bw; i++)
                    REQUIRE_OK(idbpq__buf_push(&b, (uint8_t)idbpq_test_rand(&s)));
            } else {
                size_t cnt = (size_t)(idbpq_test_rand(&s) % 70);
                REQUIRE_OK(idbpq__buf_uleb(&b, cnt << 1));
                uint32_t x = (uint32_t)rnd_bits(&s, bw);
                for (int i = 0; i < (bw + 7) / 8; i++) REQUIRE_OK(idbpq__buf_push(&b, (uint8_t)(x >> (8 * i))));
            }
        }
        if (idbpq_test_rand(&s) & 1) { /* a bit-packed run cut short */
            REQUIRE_OK(idbpq__buf_uleb(&b, (5 << 1) | 1));
            size_t have = (size_t)(idbpq_test_rand(&s) % (5 * (size_t)bw));
            for (size_t i = 0; i < have; i++) REQUIRE_OK(idbpq__buf_push(&b, (uint8_t)idbpq_test_rand(&s)));
        }
        uint8_t *enc = exact_copy(b.p, b.len);
        size_t max = 3000;
        uint32_t *ref = malloc(max * 4), *out = malloc(max * 4);
        long want = ref_rle_decode(enc, b.len, bw, ref, max);
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, enc, b.len, bw);
        size_t got = 0;
        for (;;) {
            size_t k = 1 + (size_t)(idbpq_test_rand(&s) % 70);
            if (k > max - got) k = max - got;
            ptrdiff_t r = idbpq__rle_dec_u32(&d, out + got, k);
            if (r < 0) { got = (size_t)-1; break; }
            got += (size_t)r;
            if ((size_t)r < k || got == max) break;
        }
        bad += (long)got != want;
        if (want > 0 && (long)got == want) bad += memcmp(out, ref, (size_t)want * 4) != 0;
        free(enc);
        free(ref);
        free(out);
        idbpq__buf_free(&b);
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(encoding_rle_truncated_at_every_length)
{
    uint64_t s = idbpq_test_seed() + 5;
    uint32_t v[500], out[600];
    gen_runs(&s, v, 500, 7);
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__rle_encode_u32(v, 500, 7, &b));
    int bad = 0;
    for (size_t len = 0; len <= b.len; len++) {
        uint8_t *enc = exact_copy(b.p, len);
        struct idbpq__rle_dec d;
        idbpq__rle_dec_init(&d, enc, len, 7);
        ptrdiff_t r = idbpq__rle_dec_u32(&d, out, 600);
        /* Either malformed, or a prefix of the true values (500 + up to 7 of padding). */
        if (r > 507) bad++;
        if (r > 0 && memcmp(out, v, (size_t)(r < 500 ? r : 500) * 4) != 0) bad++;
        if (len == b.len && r < 500) bad++;
        free(enc);
    }
    CHECK_EQ_INT(bad, 0);
    idbpq__buf_free(&b);
}

TEST(encoding_rle_hostile_headers)
{
    struct idbpq__rle_dec d;
    uint32_t out[64];
    /* RLE run of 2^40 values: more than a run may hold. */
    static const uint8_t huge[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x01};
    idbpq__rle_dec_init(&d, huge, sizeof huge, 8);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), -1);
    CHECK(d.corrupt);
    /* Bit-packed run of 2^40 groups. */
    static const uint8_t hugebp[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x40};
    idbpq__rle_dec_init(&d, hugebp, sizeof hugebp, 8);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), -1);
    /* Header varint cut short. */
    static const uint8_t cut[] = {0x80};
    idbpq__rle_dec_init(&d, cut, 1, 8);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), -1);
    CHECK_EQ_INT(idbpq__rle_dec_offset(&d), 0);
    /* RLE value cut short. */
    static const uint8_t cutv[] = {0x10, 0x01};
    idbpq__rle_dec_init(&d, cutv, 2, 9);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), -1);
    /* Thousands of empty runs end (they are allowed, and consume their headers). */
    uint8_t empties[4000];
    for (size_t i = 0; i < sizeof empties; i += 2) { empties[i] = 0x00; empties[i + 1] = 0x05; }
    idbpq__rle_dec_init(&d, empties, sizeof empties, 3);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), 0);
    static const uint8_t ebp[] = {0x01, 0x01, 0x01, 0x02, 0x07};
    idbpq__rle_dec_init(&d, ebp, sizeof ebp, 3);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), 1);
    CHECK_EQ_INT(out[0], 7);
    /* Bit width out of range. */
    idbpq__rle_dec_init(&d, ebp, sizeof ebp, 33);
    CHECK_EQ_INT(idbpq__rle_dec_u32(&d, out, 64), -1);
}

/* ---- legacy BIT_PACKED --------------------------------------------------------------------- */

TEST(encoding_bitpacked_legacy_spec_and_random)
{
    /* Encodings.md: 0..7 with bit width 3, MSB first: 00000101 00111001 01110111. */
    static const uint8_t ex[] = {0x05, 0x39, 0x77};
    uint16_t out[300];
    struct idbpq__err err;
    REQUIRE_OK(idbpq__bitpacked_legacy_decode(ex, 3, 3, out, 8, &err));
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(out[i], i);
    CHECK_EQ_INT(idbpq__bitpacked_legacy_decode(ex, 3, 3, out, 9, &err), IDBPQ_CORRUPT);
    uint64_t s = idbpq_test_seed() + 6;
    int bad = 0;
    for (int bw = 0; bw <= 16; bw++) {
        uint16_t v[300];
        uint8_t buf[600];
        size_t n = 1 + (size_t)(idbpq_test_rand(&s) % 299);
        memset(buf, 0, sizeof buf);
        for (size_t i = 0; i < n; i++) {
            v[i] = (uint16_t)rnd_bits(&s, bw);
            for (int b = 0; b < bw; b++) { /* MSB first */
                size_t bit = i * (size_t)bw + (size_t)b;
                if ((v[i] >> (bw - 1 - b)) & 1) buf[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
            }
        }
        uint8_t *enc = exact_copy(buf, (n * (size_t)bw + 7) / 8);
        REQUIRE_OK(idbpq__bitpacked_legacy_decode(enc, (n * (size_t)bw + 7) / 8, bw, out, n, &err));
        bad += memcmp(out, v, n * 2) != 0;
        free(enc);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(idbpq__bitpacked_legacy_decode(ex, 3, 17, out, 1, &err), IDBPQ_CORRUPT);
}

/* ---- PLAIN ---------------------------------------------------------------------------------- */

TEST(encoding_plain_round_trip_all_types)
{
    uint64_t s = idbpq_test_seed() + 7;
    static const int types[] = {IDBPQ_BOOLEAN, IDBPQ_INT32, IDBPQ_INT64, IDBPQ_INT96,
                                IDBPQ_FLOAT, IDBPQ_DOUBLE, IDBPQ_FIXED_LEN_BYTE_ARRAY};
    struct idbpq__err err;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        size_t n = 1 + (size_t)(idbpq_test_rand(&s) % 100);
        size_t w = idbpq__value_width(types[t], 5);
        uint8_t vals[100 * 12], got[100 * 12];
        for (size_t i = 0; i < n * w; i++) vals[i] = (uint8_t)idbpq_test_rand(&s);
        if (types[t] == IDBPQ_BOOLEAN) for (size_t i = 0; i < n; i++) vals[i] &= 1;
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        REQUIRE_OK(idbpq__plain_encode(types[t], 5, vals, n, &b));
        CHECK_EQ_INT(b.len, types[t] == IDBPQ_BOOLEAN ? (n + 7) / 8 : n * w);
        uint8_t *enc = exact_copy(b.p, b.len);
        size_t used = 0;
        REQUIRE_OK(idbpq__plain_decode(types[t], 5, enc, b.len, n, got, &used, &err));
        CHECK_EQ_INT(used, b.len);
        CHECK_EQ_MEM(got, vals, n * w);
        CHECK_EQ_INT(idbpq__plain_decode(types[t], 5, enc, b.len - 1, n, got, &used, &err),
                     IDBPQ_CORRUPT);
        free(enc);
        idbpq__buf_free(&b);
    }
    /* Booleans: LSB first, Encodings.md. */
    uint8_t bits[] = {1, 0, 1, 1, 0, 0, 0, 0, 1};
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__plain_encode(IDBPQ_BOOLEAN, 0, bits, 9, &b));
    CHECK_EQ_INT(b.len, 2);
    CHECK_EQ_INT(b.p[0], 0x0D);
    CHECK_EQ_INT(b.p[1], 0x01);
    idbpq__buf_free(&b);
}

TEST(encoding_plain_byte_array)
{
    static const uint8_t enc[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 2, 0, 0, 0, 'x', 'y', 9};
    idbpq_bytes out[3];
    size_t used;
    struct idbpq__err err;
    REQUIRE_OK(idbpq__plain_decode(IDBPQ_BYTE_ARRAY, 0, enc, sizeof enc, 3, out, &used, &err));
    CHECK_EQ_INT(used, 17);
    CHECK_EQ_INT(out[0].len, 3);
    CHECK(out[0].ptr == enc + 4);
    CHECK_EQ_INT(out[1].len, 0);
    CHECK_EQ_INT(out[2].len, 2);
    CHECK_EQ_MEM(out[2].ptr, "xy", 2);
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__plain_encode(IDBPQ_BYTE_ARRAY, 0, out, 3, &b));
    CHECK_EQ_INT(b.len, 17);
    CHECK_EQ_MEM(b.p, enc, 17);
    idbpq__buf_free(&b);
    /* Every truncation is CORRUPT, and a length past the end too. */
    for (size_t len = 0; len < 17; len++) {
        uint8_t *c = exact_copy(enc, len);
        CHECK_EQ_INT(idbpq__plain_decode(IDBPQ_BYTE_ARRAY, 0, c, len, 3, out, &used, &err),
                     IDBPQ_CORRUPT);
        free(c);
    }
    static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 1, 2};
    CHECK_EQ_INT(idbpq__plain_decode(IDBPQ_BYTE_ARRAY, 0, big, sizeof big, 1, out, &used, &err),
                 IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "offset 0") != NULL);
    /* A huge count against a short buffer. */
    int32_t i32[1];
    CHECK_EQ_INT(idbpq__plain_decode(IDBPQ_INT64, 0, big, sizeof big, SIZE_MAX / 2, i32, &used,
                                     &err), IDBPQ_CORRUPT);
}

/* ---- BYTE_STREAM_SPLIT ---------------------------------------------------------------------- */

TEST(encoding_bss_example_and_round_trip)
{
    /* Two 4-byte values AA BB CC DD and 00 11 22 33 split into streams. */
    static const uint8_t vals[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33};
    static const uint8_t want[] = {0xAA, 0x00, 0xBB, 0x11, 0xCC, 0x22, 0xDD, 0x33};
    struct idbpq__buf b;
    struct idbpq__err err;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__bss_encode(vals, 4, 2, &b));
    CHECK_EQ_MEM(b.p, want, 8);
    idbpq__buf_free(&b);
    uint64_t s = idbpq_test_seed() + 8;
    static const size_t widths[] = {1, 2, 3, 4, 5, 8, 12, 16};
    int bad = 0;
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        size_t w = widths[k], n = (size_t)(idbpq_test_rand(&s) % 200);
        uint8_t *v = malloc(n * w + 1), *o = malloc(n * w + 1);
        for (size_t i = 0; i < n * w; i++) v[i] = (uint8_t)idbpq_test_rand(&s);
        idbpq__buf_init(&b, NULL);
        REQUIRE_OK(idbpq__bss_encode(v, w, n, &b));
        /* Reference: byte j of value i is at stream j, position i. */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < w; j++) bad += b.p[j * n + i] != v[i * w + j];
        REQUIRE_OK(idbpq__bss_decode(b.p, b.len, w, o, n, &err));
        bad += n && memcmp(o, v, n * w) != 0;
        if (n) CHECK_EQ_INT(idbpq__bss_decode(b.p, b.len - 1, w, o, n, &err), IDBPQ_CORRUPT);
        idbpq__buf_free(&b);
        free(v);
        free(o);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(idbpq__bss_decode(want, 8, 0, NULL, 0, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(idbpq__bss_decode(want, 8, 4, NULL, SIZE_MAX / 2, &err), IDBPQ_CORRUPT);
}

/* Long constant runs (levels without nulls) become one RLE run each, whatever the width and
 * alignment: literals before them are topped up to a whole group of 8. */
TEST(encoding_rle_long_runs_are_single_runs)
{
    enum { N = 100003 };
    uint16_t *v16 = malloc(N * 2);
    uint32_t *v32 = malloc(N * 4);
    for (size_t lead = 0; lead <= 8; lead++) {
        for (size_t i = 0; i < N; i++) v16[i] = (uint16_t)(v32[i] = i < lead ? (uint32_t)(i % 2) + 2 : 1);
        struct idbpq__buf a, b;
        idbpq__buf_init(&a, NULL);
        idbpq__buf_init(&b, NULL);
        REQUIRE_OK(idbpq__rle_encode_u16(v16, N, 2, &a));
        REQUIRE_OK(idbpq__rle_encode_u32(v32, N, 2, &b));
        CHECK_EQ_INT(a.len, b.len);
        CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
        /* lead literals padded to 8 by borrowing from the run: one bit-packed group (header
         * + 2 bytes), then the rest of the run (3-byte header + 1 byte value). */
        size_t run = lead ? N - 8 : N;
        CHECK_EQ_INT(a.len, (lead ? 3u : 0u) + 3u + 1u);
        const uint8_t *p = a.p + (lead ? 3 : 0), *end = a.p + a.len;
        uint64_t h;
        REQUIRE(idbpq__read_uleb(&p, end, &h) == 0);
        CHECK_EQ_INT(h, (uint64_t)run << 1);
        CHECK(p < end && *p == 1);
        idbpq__buf_free(&a);
        idbpq__buf_free(&b);
    }
    free(v16);
    free(v32);
}
