/* test_encoding_delta.c — DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY:
 * the Encodings.md examples byte for byte, a simple reference encoder (any block layout)
 * cross-checked against the decoder, seeded round trips, and hostile headers / truncations. */
#include "test.h"

#include "encoding/encoding.h"

#include <stdlib.h>

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (n) memcpy(q, p, n);
    return q;
}

/* Reference encoder: any block size / miniblock count, bits written one at a time, unused
 * miniblocks of the last block given width `junk_width` and no body (as the spec allows). */
static void ref_dbp_encode(const int64_t *v, size_t n, int is64, uint64_t block, uint64_t mbs,
                           uint8_t junk_width, struct idbpq__buf *out)
{
    uint64_t mini = block / mbs;
    idbpq__buf_uleb(out, block);
    idbpq__buf_uleb(out, mbs);
    idbpq__buf_uleb(out, n);
    idbpq__buf_uleb(out, idbpq__zigzag_enc(n ? v[0] : 0));
    for (size_t i = 1; i < n; i += block) {
        size_t cnt = n - i < block ? n - i : block;
        int64_t *d = calloc(block, sizeof *d);
        int64_t mn = INT64_MAX;
        for (size_t j = 0; j < cnt; j++) {
            uint64_t diff = (uint64_t)v[i + j] - (uint64_t)v[i + j - 1];
            d[j] = is64 ? (int64_t)diff : (int64_t)(int32_t)(uint32_t)diff;
            if (d[j] < mn) mn = d[j];
        }
        idbpq__buf_uleb(out, idbpq__zigzag_enc(mn));
        size_t wpos = out->len;
        for (uint64_t m = 0; m < mbs; m++) idbpq__buf_push(out, junk_width);
        for (uint64_t m = 0; m * mini < cnt; m++) {
            uint64_t mx = 0;
            for (uint64_t j = m * mini; j < (m + 1) * mini && j < cnt; j++)
                mx |= (uint64_t)d[j] - (uint64_t)mn;
            int bw = idbpq__bit_width(mx);
            out->p[wpos + m] = (uint8_t)bw;
            size_t base = out->len, nb = mini * (uint64_t)bw / 8;
            for (size_t k = 0; k < nb; k++) idbpq__buf_push(out, 0);
            for (uint64_t j = 0; j < mini; j++) {
                uint64_t u = m * mini + j < cnt ? (uint64_t)d[m * mini + j] - (uint64_t)mn : 0;
                for (int b = 0; b < bw; b++) {
                    size_t bit = (size_t)(j * (uint64_t)bw) + (size_t)b;
                    if ((u >> b) & 1) out->p[base + bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
            }
        }
        free(d);
    }
}

TEST(encoding_dbp_spec_examples)
{
    /* Encodings.md example 1: 1 2 3 4 5, deltas all 1, bit width 0. */
    int32_t v1[] = {1, 2, 3, 4, 5};
    static const uint8_t e1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
    struct idbpq__buf b;
    struct idbpq__err err;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__dbp_encode(v1, 0, 5, &b));
    CHECK_EQ_INT(b.len, sizeof e1);
    CHECK_EQ_MEM(b.p, e1, sizeof e1);
    int32_t o[8];
    size_t used = 0;
    REQUIRE_OK(idbpq__dbp_decode(e1, sizeof e1, 0, o, 5, &used, &err));
    CHECK_EQ_INT(used, sizeof e1);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(o[i], i + 1);
    /* Example 2: 7 5 3 1 2 3 4 5: min delta -2, relative deltas 0 0 0 3 3 3 3, width 2. */
    int64_t v2[] = {7, 5, 3, 1, 2, 3, 4, 5};
    static const uint8_t e2[] = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00,
                                 0xC0, 0x3F, 0, 0, 0, 0, 0, 0};
    idbpq__buf_reset(&b);
    REQUIRE_OK(idbpq__dbp_encode(v2, 1, 8, &b));
    CHECK_EQ_INT(b.len, sizeof e2);
    CHECK_EQ_MEM(b.p, e2, sizeof e2);
    int64_t o2[8];
    REQUIRE_OK(idbpq__dbp_decode(e2, sizeof e2, 1, o2, 8, &used, &err));
    CHECK_EQ_INT(used, sizeof e2);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(o2[i], v2[i]);
    uint64_t cnt = 0;
    REQUIRE_OK(idbpq__dbp_count(e2, sizeof e2, &cnt, &err));
    CHECK_EQ_INT(cnt, 8);
    idbpq__buf_free(&b);
}

static int64_t gen_value(uint64_t *s, int kind, int64_t prev, int is64)
{
    uint64_t r = idbpq_test_rand(s);
    int64_t x;
    switch (kind) {
    case 0: x = prev + (int64_t)(r % 7) - 3; break;            /* small deltas */
    case 1: x = (int64_t)r; break;                               /* anything */
    case 2: x = (r & 1) ? INT64_MAX : INT64_MIN; break;          /* extreme wraps */
    default: x = prev + 1000; break;                             /* constant delta */
    }
    return is64 ? x : (int64_t)(int32_t)(uint32_t)(uint64_t)x;
}

TEST(encoding_dbp_round_trip_and_reference_layouts)
{
    uint64_t s = idbpq_test_seed() + 11;
    static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 1000, 4097};
    static const uint64_t layouts[][2] = {{128, 4}, {128, 1}, {256, 8}, {512, 2}, {1024, 32}};
    struct idbpq__err err;
    int bad = 0;
    for (int is64 = 0; is64 <= 1; is64++)
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            for (int kind = 0; kind < 4; kind++) {
                size_t n = sizes[k];
                int64_t *v = malloc((n + 1) * 8), *o64 = malloc((n + 1) * 8);
                int32_t *v32 = malloc((n + 1) * 4), *o32 = malloc((n + 1) * 4);
                int64_t prev = 0;
                for (size_t i = 0; i < n; i++) v32[i] = (int32_t)(prev = v[i] = gen_value(&s, kind, prev, is64));
                struct idbpq__buf b;
                idbpq__buf_init(&b, NULL);
                REQUIRE_OK(idbpq__dbp_encode(is64 ? (void *)v : (void *)v32, is64, n, &b));
                REQUIRE_OK(idbpq__buf_append(&b, "TAIL", 4)); /* data after the stream */
                uint8_t *enc = dup_exact(b.p, b.len);
                size_t used = 0;
                if (idbpq__dbp_decode(enc, b.len, is64, is64 ? (void *)o64 : (void *)o32, n,
                                      &used, &err) != IDBPQ_OK) { bad++; goto next; }
                bad += used != b.len - 4;
                bad += n && (is64 ? memcmp(o64, v, n * 8) : memcmp(o32, v32, n * 4)) != 0;
                /* The reference encoder's layouts decode to the same values. */
                for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
                    struct idbpq__buf r;
                    idbpq__buf_init(&r, NULL);
                    ref_dbp_encode(v, n, is64, layouts[l][0], layouts[l][1], (uint8_t)(200 + l), &r);
                    uint8_t *renc = dup_exact(r.p, r.len);
                    if (idbpq__dbp_decode(renc, r.len, is64, is64 ? (void *)o64 : (void *)o32, n,
                                          &used, &err) != IDBPQ_OK) bad++;
                    else {
                        bad += used != r.len;
                        bad += n && (is64 ? memcmp(o64, v, n * 8) : memcmp(o32, v32, n * 4)) != 0;
                    }
                    free(renc);
                    idbpq__buf_free(&r);
                }
            next:
                free(enc);
                idbpq__buf_free(&b);
                free(v); free(o64); free(v32); free(o32);
            }
    CHECK_EQ_INT(bad, 0);
}

TEST(encoding_dbp_hostile_headers)
{
    struct idbpq__err err;
    int64_t o[64];
    size_t used;
    /* block size 0; 100; miniblock count 0; 3 (128/3 not whole); 8 (16 per miniblock). */
    static const uint8_t h0[] = {0x00, 0x04, 0x01, 0x00};
    static const uint8_t h100[] = {0x64, 0x04, 0x01, 0x00};
    static const uint8_t m0[] = {0x80, 0x01, 0x00, 0x01, 0x00};
    static const uint8_t m3[] = {0x80, 0x01, 0x03, 0x01, 0x00};
    static const uint8_t m8[] = {0x80, 0x01, 0x08, 0x01, 0x00};
    CHECK_EQ_INT(idbpq__dbp_decode(h0, sizeof h0, 1, o, 1, &used, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(idbpq__dbp_decode(h100, sizeof h100, 1, o, 1, &used, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(idbpq__dbp_decode(m0, sizeof m0, 1, o, 1, &used, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(idbpq__dbp_decode(m3, sizeof m3, 1, o, 1, &used, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(idbpq__dbp_decode(m8, sizeof m8, 1, o, 1, &used, &err), IDBPQ_CORRUPT);
    /* Bit width 60 for INT32 is refused, the same stream is fine as INT64 (zero bits). */
    uint8_t w60[5 + 1 + 4 + 60 * 4] = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 60, 0, 0, 0};
    CHECK_EQ_INT(idbpq__dbp_decode(w60, sizeof w60, 0, o, 2, &used, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "offset 6") != NULL);
    REQUIRE_OK(idbpq__dbp_decode(w60, sizeof w60, 1, o, 2, &used, &err));
    CHECK_EQ_INT(used, sizeof w60);
    w60[6] = 65;
    CHECK_EQ_INT(idbpq__dbp_decode(w60, sizeof w60, 1, o, 2, &used, &err), IDBPQ_CORRUPT);
    /* Header says 2 values, page wants 3. */
    w60[6] = 0;
    CHECK_EQ_INT(idbpq__dbp_decode(w60, sizeof w60, 1, o, 3, &used, &err), IDBPQ_CORRUPT);
    /* A header with 2^62 values in a giant block of zero-width deltas: reading a few is fine,
     * skipping to the end (DLBA) fails quickly instead of looping. */
    static const uint8_t giant[] = {0x80, 0x80, 0x80, 0x80, 0x08, 0x01,
                                    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40,
                                    0x00, 0x00, 0x00};
    REQUIRE_OK(idbpq__dbp_decode(giant, sizeof giant, 1, o, 64, &used, &err));
    idbpq_bytes bo[4];
    CHECK_EQ_INT(idbpq__dlba_decode(giant, sizeof giant, bo, 4, &used, &err), IDBPQ_CORRUPT);
    /* Truncated at every length: CORRUPT (or exact values), never a crash. */
    int64_t v[300];
    for (int i = 0; i < 300; i++) v[i] = (int64_t)i * i * 7919 - 40000;
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__dbp_encode(v, 1, 300, &b));
    int64_t out[300];
    int bad = 0;
    for (size_t len = 0; len < b.len; len++) {
        uint8_t *c = dup_exact(b.p, len);
        /* Only the padding at the end of the last miniblock may be missing (lenient). */
        idbpq_status st = idbpq__dbp_decode(c, len, 1, out, 300, &used, &err);
        if (st == IDBPQ_OK) bad += len + 256 < b.len || memcmp(out, v, sizeof v) != 0 || used != len;
        else bad += st != IDBPQ_CORRUPT;
        free(c);
    }
    CHECK_EQ_INT(bad, 0);
    idbpq__buf_free(&b);
}

/* ---- DELTA_LENGTH_BYTE_ARRAY --------------------------------------------------------------- */

static size_t gen_strings(uint64_t *s, idbpq_bytes *v, size_t n, uint8_t *pool, int shared)
{
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = (size_t)(idbpq_test_rand(s) % 24);
        size_t keep = 0;
        if (shared && i) {
            keep = (size_t)(idbpq_test_rand(s) % (v[i - 1].len + 1));
            if (keep > len) len = keep;
        }
        uint8_t *p = pool + used;
        if (keep) memcpy(p, v[i - 1].ptr, keep);
        for (size_t j = keep; j < len; j++) p[j] = (uint8_t)('a' + idbpq_test_rand(s) % 4);
        v[i].ptr = p;
        v[i].len = (uint32_t)len;
        used += len;
    }
    return used;
}

TEST(encoding_dlba_spec_example_and_round_trip)
{
    /* Encodings.md: "Hello" "World" "Foobar" "ABCDEF" = DBP(5 5 6 6) + "HelloWorldFoobarABCDEF". */
    idbpq_bytes ex[4] = {{(const uint8_t *)"Hello", 5}, {(const uint8_t *)"World", 5},
                         {(const uint8_t *)"Foobar", 6}, {(const uint8_t *)"ABCDEF", 6}};
    int32_t lens[4] = {5, 5, 6, 6};
    struct idbpq__buf b, want;
    struct idbpq__err err;
    idbpq__buf_init(&b, NULL);
    idbpq__buf_init(&want, NULL);
    REQUIRE_OK(idbpq__dlba_encode(ex, 4, &b));
    REQUIRE_OK(idbpq__dbp_encode(lens, 0, 4, &want));
    REQUIRE_OK(idbpq__buf_append(&want, "HelloWorldFoobarABCDEF", 22));
    CHECK_EQ_INT(b.len, want.len);
    CHECK_EQ_MEM(b.p, want.p, want.len);
    idbpq_bytes o[4];
    size_t used;
    REQUIRE_OK(idbpq__dlba_decode(b.p, b.len, o, 4, &used, &err));
    CHECK_EQ_INT(used, b.len);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(o[i].len, ex[i].len);
        CHECK_EQ_MEM(o[i].ptr, ex[i].ptr, ex[i].len);
    }
    /* Random round trips, and every truncation is CORRUPT. */
    uint64_t s = idbpq_test_seed() + 12;
    static uint8_t pool[400 * 24];
    idbpq_bytes v[400], got[400];
    int bad = 0;
    for (int rep = 0; rep < 20; rep++) {
        size_t n = (size_t)(idbpq_test_rand(&s) % 400);
        gen_strings(&s, v, n, pool, 0);
        idbpq__buf_reset(&b);
        REQUIRE_OK(idbpq__dlba_encode(v, n, &b));
        uint8_t *c = dup_exact(b.p, b.len);
        if (idbpq__dlba_decode(c, b.len, got, n, &used, &err) != IDBPQ_OK) bad++;
        else {
            bad += used != b.len;
            for (size_t i = 0; i < n; i++)
                bad += got[i].len != v[i].len || (v[i].len && memcmp(got[i].ptr, v[i].ptr, v[i].len));
        }
        free(c);
        if (rep == 0 && n > 0)
            for (size_t len = 0; len < b.len; len++) {
                c = dup_exact(b.p, len);
                bad += idbpq__dlba_decode(c, len, got, n, &used, &err) != IDBPQ_CORRUPT;
                free(c);
            }
    }
    CHECK_EQ_INT(bad, 0);
    /* A negative length. */
    int32_t neg[2] = {3, -1};
    idbpq__buf_reset(&b);
    REQUIRE_OK(idbpq__dbp_encode(neg, 0, 2, &b));
    REQUIRE_OK(idbpq__buf_append(&b, "abcdef", 6));
    CHECK_EQ_INT(idbpq__dlba_decode(b.p, b.len, o, 2, &used, &err), IDBPQ_CORRUPT);
    idbpq__buf_free(&b);
    idbpq__buf_free(&want);
}

/* ---- DELTA_BYTE_ARRAY ---------------------------------------------------------------------- */

TEST(encoding_dba_spec_example_and_round_trip)
{
    /* Encodings.md: axis axle babble babyhood = prefixes 0 2 0 3, suffixes axis le babble yhood. */
    idbpq_bytes ex[4] = {{(const uint8_t *)"axis", 4}, {(const uint8_t *)"axle", 4},
                         {(const uint8_t *)"babble", 6}, {(const uint8_t *)"babyhood", 8}};
    idbpq_bytes suf[4] = {{(const uint8_t *)"axis", 4}, {(const uint8_t *)"le", 2},
                          {(const uint8_t *)"babble", 6}, {(const uint8_t *)"yhood", 5}};
    int32_t pre[4] = {0, 2, 0, 3};
    struct idbpq__buf b, want, store;
    struct idbpq__err err;
    idbpq__buf_init(&b, NULL);
    idbpq__buf_init(&want, NULL);
    idbpq__buf_init(&store, NULL);
    REQUIRE_OK(idbpq__dbp_encode(pre, 0, 4, &want));
    REQUIRE_OK(idbpq__dlba_encode(suf, 4, &want));
    REQUIRE_OK(idbpq__dba_encode(ex, 4, &b));
    CHECK_EQ_INT(b.len, want.len);
    CHECK_EQ_MEM(b.p, want.p, want.len);
    idbpq_bytes o[4];
    size_t used;
    REQUIRE_OK(idbpq__dba_decode(want.p, want.len, o, 4, 0, &store, &used, &err));
    CHECK_EQ_INT(used, want.len);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(o[i].len, ex[i].len);
        CHECK_EQ_MEM(o[i].ptr, ex[i].ptr, ex[i].len);
    }
    /* Fixed length 4 fits the first two values only. */
    CHECK_EQ_INT(idbpq__dba_decode(want.p, want.len, o, 4, 4, &store, &used, &err), IDBPQ_CORRUPT);
    REQUIRE_OK(idbpq__dba_decode(b.p, b.len, o, 2, 4, &store, &used, &err));
    /* A prefix longer than the previous value. */
    int32_t badpre[4] = {1, 2, 0, 3};
    idbpq__buf_reset(&b);
    REQUIRE_OK(idbpq__dbp_encode(badpre, 0, 4, &b));
    REQUIRE_OK(idbpq__dlba_encode(suf, 4, &b));
    CHECK_EQ_INT(idbpq__dba_decode(b.p, b.len, o, 4, 0, &store, &used, &err), IDBPQ_CORRUPT);
    /* Random round trips with shared prefixes; store reused across calls. */
    uint64_t s = idbpq_test_seed() + 13;
    static uint8_t pool[300 * 24];
    idbpq_bytes v[300], got[300];
    int bad = 0;
    for (int rep = 0; rep < 20; rep++) {
        size_t n = (size_t)(idbpq_test_rand(&s) % 300);
        gen_strings(&s, v, n, pool, 1);
        idbpq__buf_reset(&b);
        REQUIRE_OK(idbpq__dba_encode(v, n, &b));
        uint8_t *c = dup_exact(b.p, b.len);
        if (idbpq__dba_decode(c, b.len, got, n, 0, &store, &used, &err) != IDBPQ_OK) bad++;
        else {
            bad += used != b.len;
            for (size_t i = 0; i < n; i++)
                bad += got[i].len != v[i].len || (v[i].len && memcmp(got[i].ptr, v[i].ptr, v[i].len));
        }
        free(c);
        if (rep < 2 && n > 0)
            for (size_t len = 0; len < b.len; len++) {
                c = dup_exact(b.p, len);
                bad += idbpq__dba_decode(c, len, got, n, 0, &store, &used, &err) != IDBPQ_CORRUPT;
                free(c);
            }
    }
    CHECK_EQ_INT(bad, 0);
    idbpq__buf_free(&b);
    idbpq__buf_free(&want);
    idbpq__buf_free(&store);
}

TEST(encoding_dba_refuses_unbounded_output)
{
    /* One 1000-byte value, then 2^21 values each repeating it as prefix: a few bytes of input
     * describing 2 GB of output must hit the limit, not allocate. */
    size_t n = (size_t)1 << 21;
    int32_t *pre = calloc(n, 4);
    idbpq_bytes *suf = calloc(n, sizeof *suf), *o = calloc(n, sizeof *o);
    static uint8_t big[1000];
    for (size_t i = 1; i < n; i++) pre[i] = 1000;
    suf[0].ptr = big;
    suf[0].len = 1000;
    for (size_t i = 1; i < n; i++) suf[i].ptr = big;
    struct idbpq__buf b, store;
    struct idbpq__err err;
    idbpq__buf_init(&b, NULL);
    idbpq__buf_init(&store, NULL);
    REQUIRE_OK(idbpq__dbp_encode(pre, 0, n, &b));
    REQUIRE_OK(idbpq__dlba_encode(suf, n, &b));
    CHECK(b.len < 200000);
    size_t used;
    CHECK_EQ_INT(idbpq__dba_decode(b.p, b.len, o, n, 0, &store, &used, &err), IDBPQ_LIMIT);
    CHECK(store.cap < ((size_t)1 << 20));
    idbpq__buf_free(&b);
    idbpq__buf_free(&store);
    free(pre);
    free(suf);
    free(o);
}
