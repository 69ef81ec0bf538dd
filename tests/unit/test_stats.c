/* test_stats.c — statistics: the order table, each order's min/max (unsigned ints, NaN and
 * signed zeros, half floats, decimals in byte arrays), page → chunk merges against a naive
 * oracle, truncation of long byte arrays, all-null columns. */
#include "test.h"

#include "parquet/stats.h"

#include <math.h>
#include <stdlib.h>

static idbpq_logical lt_of(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}

TEST(stats_column_order_table)
{
    idbpq_logical u32 = lt_of(IDBPQ_LT_INTEGER), s8 = lt_of(IDBPQ_LT_INTEGER);
    u32.bit_width = 32, u32.is_signed = 0;
    s8.bit_width = 8, s8.is_signed = 1;
    idbpq_logical str = lt_of(IDBPQ_LT_STRING), dec = lt_of(IDBPQ_LT_DECIMAL);
    idbpq_logical f16 = lt_of(IDBPQ_LT_FLOAT16), uuid = lt_of(IDBPQ_LT_UUID);
    idbpq_logical geo = lt_of(IDBPQ_LT_GEOMETRY), ts = lt_of(IDBPQ_LT_TIMESTAMP);
    idbpq_logical iv = lt_of(IDBPQ_LT_INTERVAL), var = lt_of(IDBPQ_LT_VARIANT);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT32, 0, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BOOLEAN, 0, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT64, 0, &u32, IDBPQ_CT_UINT_32), IDBPQ__ORDER_UNSIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT32, 0, &s8, IDBPQ_CT_INT_8), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT32, 0, NULL, IDBPQ_CT_UINT_16), IDBPQ__ORDER_UNSIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT64, 0, NULL, IDBPQ_CT_UINT_64), IDBPQ__ORDER_UNSIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT64, 0, &ts, IDBPQ_CT_TIMESTAMP_MICROS), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT96, 12, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_NONE);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FLOAT, 0, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_FLOAT);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_DOUBLE, 0, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_FLOAT);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, NULL, IDBPQ_CT_NONE), IDBPQ__ORDER_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, &str, IDBPQ_CT_UTF8), IDBPQ__ORDER_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, NULL, IDBPQ_CT_JSON), IDBPQ__ORDER_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, &var, IDBPQ_CT_NONE), IDBPQ__ORDER_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT32, 0, &dec, IDBPQ_CT_DECIMAL), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_INT64, 0, NULL, IDBPQ_CT_DECIMAL), IDBPQ__ORDER_SIGNED);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 9, &dec, IDBPQ_CT_DECIMAL),
                 IDBPQ__ORDER_DECIMAL_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, NULL, IDBPQ_CT_DECIMAL),
                 IDBPQ__ORDER_DECIMAL_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, &f16, IDBPQ_CT_NONE),
                 IDBPQ__ORDER_FLOAT16);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, &uuid, IDBPQ_CT_NONE),
                 IDBPQ__ORDER_BYTES);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 12, &iv, IDBPQ_CT_INTERVAL),
                 IDBPQ__ORDER_NONE);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 12, NULL, IDBPQ_CT_INTERVAL),
                 IDBPQ__ORDER_NONE);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_BYTE_ARRAY, 0, &geo, IDBPQ_CT_NONE), IDBPQ__ORDER_NONE);
    CHECK_EQ_INT(idbpq__column_order(IDBPQ_FIXED_LEN_BYTE_ARRAY, 4, NULL, IDBPQ_CT_NONE),
                 IDBPQ__ORDER_BYTES);
}

/* Runs values through a fresh record and exports it. */
struct run {
    struct idbpq__stats s;
    struct idbpq__arena arena;
    idbpq_statistics out;
};
static void run_stats(struct run *r, enum idbpq__order o, int type, int32_t tl, const void *v,
                      size_t n, uint32_t max_bytes)
{
    idbpq__stats_init(&r->s, o, type, tl, NULL);
    idbpq__arena_init(&r->arena, NULL);
    CHECK_OK(idbpq__stats_update(&r->s, v, n));
    CHECK_OK(idbpq__stats_export(&r->s, max_bytes, &r->arena, &r->out));
}
static void run_free(struct run *r)
{
    idbpq__stats_free(&r->s);
    idbpq__arena_free(&r->arena);
}

TEST(stats_signed_and_unsigned_ints)
{
    struct run r;
    int32_t v[] = {5, -7, 0, 1000, -1};
    run_stats(&r, IDBPQ__ORDER_SIGNED, IDBPQ_INT32, 0, v, 5, 64);
    REQUIRE(r.out.has_min && r.out.has_max);
    CHECK_EQ_INT(r.out.min.len, 4);
    CHECK_EQ_INT((int32_t)idbpq__le32(r.out.min.ptr), -7);
    CHECK_EQ_INT((int32_t)idbpq__le32(r.out.max.ptr), 1000);
    CHECK_EQ_INT(r.out.has_nan_count, 0);
    run_free(&r);
    /* as UINT_32, -1 is 4294967295: the max; 0 is the min */
    run_stats(&r, IDBPQ__ORDER_UNSIGNED, IDBPQ_INT32, 0, v, 5, 64);
    CHECK_EQ_INT(idbpq__le32(r.out.min.ptr), 0);
    CHECK_EQ_INT(idbpq__le32(r.out.max.ptr), 0xffffffffu);
    run_free(&r);
    int64_t w[] = {INT64_MIN, 3, INT64_MAX, -2};
    run_stats(&r, IDBPQ__ORDER_SIGNED, IDBPQ_INT64, 0, w, 4, 64);
    CHECK(idbpq__le64(r.out.min.ptr) == (uint64_t)INT64_MIN);
    CHECK(idbpq__le64(r.out.max.ptr) == (uint64_t)INT64_MAX);
    run_free(&r);
    run_stats(&r, IDBPQ__ORDER_UNSIGNED, IDBPQ_INT64, 0, w, 4, 64);
    CHECK(idbpq__le64(r.out.min.ptr) == 3);
    CHECK(idbpq__le64(r.out.max.ptr) == (uint64_t)-2);
    run_free(&r);
}

TEST(stats_boolean_false_before_true)
{
    struct run r;
    uint8_t t[] = {1, 1, 1}, ft[] = {1, 0, 1};
    run_stats(&r, IDBPQ__ORDER_SIGNED, IDBPQ_BOOLEAN, 0, t, 3, 64);
    CHECK_EQ_INT(r.out.min.len, 1);
    CHECK_EQ_INT(r.out.min.ptr[0], 1);
    CHECK_EQ_INT(r.out.max.ptr[0], 1);
    CHECK_OK(idbpq__stats_update(&r.s, ft, 3));
    CHECK_OK(idbpq__stats_export(&r.s, 64, &r.arena, &r.out));
    CHECK_EQ_INT(r.out.min.ptr[0], 0);
    CHECK_EQ_INT(r.out.max.ptr[0], 1);
    run_free(&r);
}

static float f32_of(idbpq_bytes b) { float f; memcpy(&f, b.ptr, 4); return f; }
static double f64_of(idbpq_bytes b) { double f; memcpy(&f, b.ptr, 8); return f; }

TEST(stats_floats_nan_and_signed_zero)
{
    struct run r;
    float v[] = {NAN, 0.5f, -3.0f, NAN, 2.25f};
    run_stats(&r, IDBPQ__ORDER_FLOAT, IDBPQ_FLOAT, 0, v, 5, 64);
    CHECK(r.out.has_nan_count);
    CHECK_EQ_INT(r.out.nan_count, 2);
    CHECK(f32_of(r.out.min) == -3.0f);
    CHECK(f32_of(r.out.max) == 2.25f);
    run_free(&r);
    /* zeros: min written as -0.0, max as +0.0, whatever zeros were seen */
    float z[] = {+0.0f, +0.0f};
    run_stats(&r, IDBPQ__ORDER_FLOAT, IDBPQ_FLOAT, 0, z, 2, 64);
    CHECK(f32_of(r.out.min) == 0 && signbit(f32_of(r.out.min)));
    CHECK(f32_of(r.out.max) == 0 && !signbit(f32_of(r.out.max)));
    run_free(&r);
    double d[] = {-0.0, -1.0, -0.0};
    run_stats(&r, IDBPQ__ORDER_FLOAT, IDBPQ_DOUBLE, 0, d, 3, 64);
    CHECK(f64_of(r.out.min) == -1.0);
    CHECK(f64_of(r.out.max) == 0 && !signbit(f64_of(r.out.max)));
    run_free(&r);
    /* all NaN: counted, no min/max */
    double nn[] = {NAN, NAN, NAN};
    run_stats(&r, IDBPQ__ORDER_FLOAT, IDBPQ_DOUBLE, 0, nn, 3, 64);
    CHECK(!r.out.has_min && !r.out.has_max);
    CHECK_EQ_INT(r.out.nan_count, 3);
    double inf[] = {INFINITY, -INFINITY};
    CHECK_OK(idbpq__stats_update(&r.s, inf, 2));
    CHECK_OK(idbpq__stats_export(&r.s, 64, &r.arena, &r.out));
    CHECK(f64_of(r.out.min) == -INFINITY && f64_of(r.out.max) == INFINITY);
    run_free(&r);
}

TEST(stats_float16_nan_and_zeros)
{
    struct run r;
    /* 1.0, -2.0, NaN, -0, +0, 0.5, -inf is not here; 65504 (max finite) */
    uint16_t h[] = {0x3c00, 0xc000, 0x7e00, 0x8000, 0x0000, 0x3800, 0x7bff, 0xfe01};
    run_stats(&r, IDBPQ__ORDER_FLOAT16, IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, h, 8, 64);
    CHECK_EQ_INT(r.out.nan_count, 2);
    CHECK_EQ_INT(r.out.min.len, 2);
    CHECK_EQ_INT(idbpq__le16(r.out.min.ptr), 0xc000);
    CHECK_EQ_INT(idbpq__le16(r.out.max.ptr), 0x7bff);
    run_free(&r);
    uint16_t z[] = {0x0000, 0x8000, 0x0000};
    run_stats(&r, IDBPQ__ORDER_FLOAT16, IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, z, 3, 64);
    CHECK_EQ_INT(idbpq__le16(r.out.min.ptr), 0x8000);
    CHECK_EQ_INT(idbpq__le16(r.out.max.ptr), 0x0000);
    run_free(&r);
    uint16_t neg[] = {0xbc00, 0xc400, 0xb800}; /* -1, -4, -0.5 */
    run_stats(&r, IDBPQ__ORDER_FLOAT16, IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, neg, 3, 64);
    CHECK_EQ_INT(idbpq__le16(r.out.min.ptr), 0xc400);
    CHECK_EQ_INT(idbpq__le16(r.out.max.ptr), 0xb800);
    run_free(&r);
}

TEST(stats_bytes_unsigned_lexicographic)
{
    struct run r;
    idbpq_bytes v[] = {{(const uint8_t *)"apple", 5},  {(const uint8_t *)"\xff", 1},
                       {(const uint8_t *)"app", 3},    {(const uint8_t *)"", 0},
                       {(const uint8_t *)"banana", 6}, {(const uint8_t *)"\x7f\xff", 2}};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, v, 6, 64);
    CHECK_EQ_INT(r.out.min.len, 0); /* the empty string sorts first */
    CHECK_EQ_INT(r.out.max.len, 1);
    CHECK_EQ_INT(r.out.max.ptr[0], 0xff); /* unsigned: 0xff > 'b' */
    CHECK_EQ_INT(r.out.min_exact, 1);
    run_free(&r);
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, v, 2, 64);
    CHECK_EQ_INT(r.out.min.len, 5); /* "apple" < "\xff" */
    CHECK_EQ_MEM(r.out.min.ptr, "apple", 5);
    idbpq_bytes more[] = {{(const uint8_t *)"app", 3}};
    CHECK_OK(idbpq__stats_update(&r.s, more, 1));
    CHECK_OK(idbpq__stats_export(&r.s, 64, &r.arena, &r.out));
    CHECK_EQ_INT(r.out.min.len, 3); /* prefix sorts first */
    run_free(&r);
}

TEST(stats_decimals_in_byte_arrays)
{
    struct run r;
    /* FLBA(4) big-endian two's complement: -1, -300, 5, 0, -2147483648 */
    uint8_t f[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xd4, 0, 0, 0, 5,
                   0,    0,    0,    0,    0x80, 0,    0,    0};
    run_stats(&r, IDBPQ__ORDER_DECIMAL_BYTES, IDBPQ_FIXED_LEN_BYTE_ARRAY, 4, f, 5, 64);
    CHECK_EQ_INT(r.out.min.len, 4);
    CHECK_EQ_MEM(r.out.min.ptr, f + 16, 4);
    CHECK_EQ_MEM(r.out.max.ptr, f + 8, 4);
    run_free(&r);
    /* BYTE_ARRAY of varying widths: -1 (ff), 128 (00 80), -128 (80), 0 (empty), -129 (ff 7f) */
    idbpq_bytes v[] = {{(const uint8_t *)"\xff", 1}, {(const uint8_t *)"\x00\x80", 2},
                       {(const uint8_t *)"\x80", 1}, {(const uint8_t *)"", 0},
                       {(const uint8_t *)"\xff\x7f", 2}};
    run_stats(&r, IDBPQ__ORDER_DECIMAL_BYTES, IDBPQ_BYTE_ARRAY, 0, v, 5, 1);
    CHECK_EQ_INT(r.out.min.len, 2);
    CHECK_EQ_MEM(r.out.min.ptr, "\xff\x7f", 2);
    CHECK_EQ_INT(r.out.max.len, 2); /* never truncated, even past max_bytes */
    CHECK_EQ_MEM(r.out.max.ptr, "\x00\x80", 2);
    CHECK_EQ_INT(r.out.max_exact, 1);
    run_free(&r);
}

TEST(stats_truncation_of_long_byte_arrays)
{
    struct run r;
    idbpq_bytes v[] = {{(const uint8_t *)"abcdefgh", 8}, {(const uint8_t *)"abzzzzzz", 8}};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, v, 2, 4);
    CHECK_EQ_INT(r.out.min.len, 4);
    CHECK_EQ_MEM(r.out.min.ptr, "abcd", 4);
    CHECK_EQ_INT(r.out.min_exact, 0);
    CHECK_EQ_INT(r.out.max.len, 4);
    CHECK_EQ_MEM(r.out.max.ptr, "abz{", 4);
    CHECK_EQ_INT(r.out.max_exact, 0);
    run_free(&r);
    /* 0xff tail: drop it and bump the byte before */
    idbpq_bytes f[] = {{(const uint8_t *)"ab\xff\xff\xff\xff", 6}};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, f, 1, 4);
    CHECK_EQ_INT(r.out.max.len, 2);
    CHECK_EQ_MEM(r.out.max.ptr, "ac", 2);
    CHECK_EQ_INT(r.out.max_exact, 0);
    run_free(&r);
    /* nothing to bump: the max stays whole and exact */
    idbpq_bytes all[] = {{(const uint8_t *)"\xff\xff\xff\xff\xff\xff", 6}};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, all, 1, 4);
    CHECK_EQ_INT(r.out.max.len, 6);
    CHECK_EQ_INT(r.out.max_exact, 1);
    CHECK_EQ_INT(r.out.min.len, 4);
    run_free(&r);
    /* UTF-8: "ab€x" (€ = e2 82 ac) cut at 3 or 4 bytes falls back to "ab" */
    idbpq_bytes u[] = {{(const uint8_t *)"ab\xe2\x82\xacx", 6}};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, u, 1, 4);
    CHECK_EQ_INT(r.out.min.len, 2);
    CHECK_EQ_INT(r.out.max.len, 2);
    CHECK_EQ_MEM(r.out.max.ptr, "ac", 2);
    run_free(&r);
    /* short values untouched, exact */
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, v, 2, 8);
    CHECK_EQ_INT(r.out.min_exact, 1);
    CHECK_EQ_INT(r.out.max_exact, 1);
    CHECK_EQ_INT(r.out.max.len, 8);
    run_free(&r);
}

TEST(stats_all_null_and_no_order)
{
    struct run r;
    run_stats(&r, IDBPQ__ORDER_SIGNED, IDBPQ_INT32, 0, NULL, 0, 64);
    r.s.null_count = 42;
    CHECK_OK(idbpq__stats_export(&r.s, 64, &r.arena, &r.out));
    CHECK(!r.out.has_min && !r.out.has_max);
    CHECK(r.out.has_null_count);
    CHECK_EQ_INT(r.out.null_count, 42);
    run_free(&r);
    uint8_t i96[24] = {1, 2, 3};
    run_stats(&r, IDBPQ__ORDER_NONE, IDBPQ_INT96, 12, i96, 2, 64);
    CHECK(!r.out.has_min && !r.out.has_max);
    run_free(&r);
    /* an order that does not fit the physical type keeps no min/max */
    int32_t v[] = {1, 2};
    run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_INT32, 0, v, 2, 64);
    CHECK(!r.out.has_min);
    run_free(&r);
}

TEST(stats_merge_matches_one_pass)
{
    uint64_t rs = idbpq_test_seed() ^ 0x57a7;
    enum { N = 5000 };
    int64_t *v = malloc(N * sizeof *v);
    double *d = malloc(N * sizeof *d);
    idbpq_bytes *b = malloc(N * sizeof *b);
    uint8_t *pool = malloc(N * 8);
    for (int i = 0; i < N; i++) {
        v[i] = (int64_t)idbpq_test_rand(&rs) >> (idbpq_test_rand(&rs) % 64);
        uint64_t r = idbpq_test_rand(&rs);
        d[i] = (r % 50 == 0) ? NAN : ((double)(int64_t)r / 1e10);
        size_t len = idbpq_test_rand(&rs) % 8;
        for (size_t k = 0; k < len; k++) pool[i * 8 + k] = (uint8_t)(idbpq_test_rand(&rs) % 4 + 'a');
        b[i].ptr = pool + i * 8;
        b[i].len = (uint32_t)len;
    }
    /* naive oracle */
    int64_t smin = INT64_MAX, smax = INT64_MIN;
    uint64_t umin = UINT64_MAX, umax = 0;
    double dmin = INFINITY, dmax = -INFINITY;
    int64_t nans = 0;
    size_t bmin = 0, bmax = 0;
    for (int i = 0; i < N; i++) {
        if (v[i] < smin) smin = v[i];
        if (v[i] > smax) smax = v[i];
        if ((uint64_t)v[i] < umin) umin = (uint64_t)v[i];
        if ((uint64_t)v[i] > umax) umax = (uint64_t)v[i];
        if (isnan(d[i])) nans++;
        else {
            if (d[i] < dmin) dmin = d[i];
            if (d[i] > dmax) dmax = d[i];
        }
        size_t lm = b[bmin].len < b[i].len ? b[bmin].len : b[i].len;
        int c = memcmp(b[i].ptr, b[bmin].ptr, lm);
        if (c < 0 || (c == 0 && b[i].len < b[bmin].len)) bmin = i;
        lm = b[bmax].len < b[i].len ? b[bmax].len : b[i].len;
        c = memcmp(b[i].ptr, b[bmax].ptr, lm);
        if (c > 0 || (c == 0 && b[i].len > b[bmax].len)) bmax = i;
    }
    struct idbpq__stats cs, cu, cd, cb, page;
    idbpq__stats_init(&cs, IDBPQ__ORDER_SIGNED, IDBPQ_INT64, 0, NULL);
    idbpq__stats_init(&cu, IDBPQ__ORDER_UNSIGNED, IDBPQ_INT64, 0, NULL);
    idbpq__stats_init(&cd, IDBPQ__ORDER_FLOAT, IDBPQ_DOUBLE, 0, NULL);
    idbpq__stats_init(&cb, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, NULL);
    struct { struct idbpq__stats *chunk; enum idbpq__order o; int type; const void *vals; size_t w; } k[] = {
        {&cs, IDBPQ__ORDER_SIGNED, IDBPQ_INT64, v, 8},
        {&cu, IDBPQ__ORDER_UNSIGNED, IDBPQ_INT64, v, 8},
        {&cd, IDBPQ__ORDER_FLOAT, IDBPQ_DOUBLE, d, 8},
        {&cb, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, b, sizeof(idbpq_bytes)},
    };
    for (int t = 0; t < 4; t++) {
        idbpq__stats_init(&page, k[t].o, k[t].type, 0, NULL);
        size_t off = 0;
        while (off < N) {
            size_t len = 1 + idbpq_test_rand(&rs) % 700;
            if (len > N - off) len = N - off;
            idbpq__stats_reset(&page);
            page.null_count = 1;
            CHECK_OK(idbpq__stats_update(&page, (const uint8_t *)k[t].vals + off * k[t].w, len));
            CHECK_OK(idbpq__stats_merge(k[t].chunk, &page));
            off += len;
        }
        idbpq__stats_free(&page);
    }
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    idbpq_statistics o;
    CHECK_OK(idbpq__stats_export(&cs, 64, &a, &o));
    CHECK(idbpq__le64(o.min.ptr) == (uint64_t)smin && idbpq__le64(o.max.ptr) == (uint64_t)smax);
    CHECK(o.null_count > 7); /* one per page */
    CHECK_OK(idbpq__stats_export(&cu, 64, &a, &o));
    CHECK(idbpq__le64(o.min.ptr) == umin && idbpq__le64(o.max.ptr) == umax);
    CHECK_OK(idbpq__stats_export(&cd, 64, &a, &o));
    CHECK(f64_of(o.min) == dmin && f64_of(o.max) == dmax);
    CHECK_EQ_INT(o.nan_count, nans);
    CHECK_OK(idbpq__stats_export(&cb, 64, &a, &o));
    CHECK_EQ_INT(o.min.len, b[bmin].len);
    CHECK_EQ_MEM(o.min.ptr, b[bmin].ptr, b[bmin].len);
    CHECK_EQ_INT(o.max.len, b[bmax].len);
    CHECK_EQ_MEM(o.max.ptr, b[bmax].ptr, b[bmax].len);
    idbpq__arena_free(&a);
    idbpq__stats_free(&cs);
    idbpq__stats_free(&cu);
    idbpq__stats_free(&cd);
    idbpq__stats_free(&cb);
    free(v);
    free(d);
    free(b);
    free(pool);
}

/* Byte-array min/max against a naive memcmp oracle, on values built to tie in their first
 * bytes: short and long, with zero bytes, prefixes of each other. */
static int naive_cmp(const idbpq_bytes *a, const idbpq_bytes *b)
{
    size_t m = a->len < b->len ? a->len : b->len;
    int c = m ? memcmp(a->ptr, b->ptr, m) : 0;
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

TEST(stats_bytes_prefix_ties_against_oracle)
{
    uint64_t rs = idbpq_test_seed() ^ 0xb17e;
    enum { N = 300, ROUNDS = 200 };
    static uint8_t pool[N * 20];
    idbpq_bytes v[N];
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1 + idbpq_test_rand(&rs) % N;
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = pool + i * 20;
            size_t len = idbpq_test_rand(&rs) % 20;
            for (size_t k = 0; k < len; k++) {
                uint64_t r = idbpq_test_rand(&rs) % 8;
                p[k] = r < 3 ? 0 : r < 6 ? 'a' : (uint8_t)(0xfe + r % 2);
            }
            v[i].ptr = p;
            v[i].len = (uint32_t)len;
        }
        size_t mn = 0, mx = 0;
        for (size_t i = 1; i < n; i++) {
            if (naive_cmp(&v[i], &v[mn]) < 0) mn = i;
            if (naive_cmp(&v[i], &v[mx]) > 0) mx = i;
        }
        struct run r;
        run_stats(&r, IDBPQ__ORDER_BYTES, IDBPQ_BYTE_ARRAY, 0, v, n, 64);
        REQUIRE(r.out.has_min && r.out.has_max);
        CHECK_EQ_INT(naive_cmp(&r.out.min, &v[mn]), 0);
        CHECK_EQ_INT(naive_cmp(&r.out.max, &v[mx]), 0);
        run_free(&r);
    }
}
