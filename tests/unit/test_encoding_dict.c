/* test_encoding_dict.c — the writer's dictionary builder against a naive linear-search
 * reference: first-seen indices, exact-bit equality for floats, stable byte-array storage
 * across table growth, PLAIN output and sizes, reset and reuse. */
#include "test.h"

#include "encoding/encoding.h"

#include <stdlib.h>

/* Naive reference: index of v among the distinct values seen so far (linear search). */
static uint32_t ref_index(uint8_t *seen, size_t *nseen, const uint8_t *v, size_t w)
{
    for (size_t i = 0; i < *nseen; i++)
        if (memcmp(seen + i * w, v, w) == 0) return (uint32_t)i;
    memcpy(seen + *nseen * w, v, w);
    return (uint32_t)(*nseen)++;
}

TEST(encoding_dict_fixed_width_matches_reference)
{
    uint64_t s = idbpq_test_seed() + 21;
    static const int types[] = {IDBPQ_INT32, IDBPQ_INT64, IDBPQ_INT96, IDBPQ_DOUBLE,
                                IDBPQ_FIXED_LEN_BYTE_ARRAY, IDBPQ_BOOLEAN};
    int bad = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        size_t w = idbpq__value_width(types[t], 3), n = 5000;
        uint8_t *vals = malloc(n * w), *seen = malloc(n * w);
        uint32_t *idx = malloc(n * 4);
        /* Values drawn from a small pool so duplicates are common. */
        for (size_t i = 0; i < n; i++) {
            uint64_t pick = idbpq_test_rand(&s) % 700;
            for (size_t j = 0; j < w; j++) vals[i * w + j] = (uint8_t)((pick * 2654435761u) >> (j % 4 * 8));
            if (types[t] == IDBPQ_BOOLEAN) vals[i] &= 1;
        }
        struct idbpq__dict *d;
        REQUIRE_OK(idbpq__dict_create(&d, types[t], 3, NULL));
        for (int round = 0; round < 2; round++) {
            size_t nseen = 0;
            /* insert in uneven batches */
            for (size_t i = 0; i < n;) {
                size_t k = 1 + (size_t)(idbpq_test_rand(&s) % 300);
                if (k > n - i) k = n - i;
                REQUIRE_OK(idbpq__dict_insert(d, vals + i * w, k, idx + i));
                i += k;
            }
            for (size_t i = 0; i < n; i++) bad += idx[i] != ref_index(seen, &nseen, vals + i * w, w);
            CHECK_EQ_INT(idbpq__dict_count(d), nseen);
            for (uint32_t i = 0; i < nseen; i++)
                bad += memcmp(idbpq__dict_value(d, i), seen + i * w, w) != 0;
            CHECK(idbpq__dict_value(d, (uint32_t)nseen) == NULL);
            struct idbpq__buf b;
            idbpq__buf_init(&b, NULL);
            REQUIRE_OK(idbpq__dict_encode_plain(d, &b));
            CHECK_EQ_INT(b.len, idbpq__dict_plain_bytes(d));
            uint8_t *dec = malloc(nseen * w + 1);
            size_t used;
            struct idbpq__err err;
            REQUIRE_OK(idbpq__plain_decode(types[t], 3, b.p, b.len, nseen, dec, &used, &err));
            bad += memcmp(dec, seen, nseen * w) != 0;
            free(dec);
            idbpq__buf_free(&b);
            idbpq__dict_reset(d);
            CHECK_EQ_INT(idbpq__dict_count(d), 0);
        }
        idbpq__dict_free(d);
        free(vals);
        free(seen);
        free(idx);
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(encoding_dict_floats_compare_by_bits)
{
    double v[6];
    uint64_t nan1 = 0x7ff8000000000001ull, nan2 = 0x7ff8000000000002ull;
    v[0] = 0.0;
    v[1] = -0.0;
    memcpy(&v[2], &nan1, 8);
    memcpy(&v[3], &nan2, 8);
    memcpy(&v[4], &nan1, 8);
    v[5] = 0.0;
    uint32_t idx[6];
    struct idbpq__dict *d;
    REQUIRE_OK(idbpq__dict_create(&d, IDBPQ_DOUBLE, 0, NULL));
    REQUIRE_OK(idbpq__dict_insert(d, v, 6, idx));
    CHECK_EQ_INT(idbpq__dict_count(d), 4);
    CHECK_EQ_INT(idx[0], 0);
    CHECK_EQ_INT(idx[1], 1);
    CHECK_EQ_INT(idx[2], 2);
    CHECK_EQ_INT(idx[3], 3);
    CHECK_EQ_INT(idx[4], 2);
    CHECK_EQ_INT(idx[5], 0);
    idbpq__dict_free(d);
    idbpq__dict_free(NULL);
}

TEST(encoding_dict_byte_arrays_stable_and_exact)
{
    uint64_t s = idbpq_test_seed() + 22;
    size_t n = 200000;
    idbpq_bytes *v = malloc(n * sizeof *v);
    uint32_t *idx = malloc(n * 4);
    uint8_t *pool = malloc(n * 12);
    /* ~30000 distinct strings of 0..11 bytes, each occurrence in its own (reused) memory. */
    for (size_t i = 0; i < n; i++) {
        uint64_t k = idbpq_test_rand(&s) % 30000;
        size_t len = (size_t)(k % 12);
        for (size_t j = 0; j < len; j++) pool[i * 12 + j] = (uint8_t)(k >> (j % 3 * 5));
        v[i].ptr = pool + i * 12;
        v[i].len = (uint32_t)len;
    }
    struct idbpq__dict *d;
    REQUIRE_OK(idbpq__dict_create(&d, IDBPQ_BYTE_ARRAY, 0, NULL));
    REQUIRE_OK(idbpq__dict_insert(d, v, n / 2, idx));
    const idbpq_bytes first = *(const idbpq_bytes *)idbpq__dict_value(d, 0);
    REQUIRE_OK(idbpq__dict_insert(d, v + n / 2, n - n / 2, idx + n / 2));
    /* The first entry's bytes did not move while the table grew. */
    CHECK(((const idbpq_bytes *)idbpq__dict_value(d, 0))->ptr == first.ptr);
    int bad = 0;
    size_t plain = 0;
    uint32_t next = 0;
    for (size_t i = 0; i < n; i++) {
        const idbpq_bytes *e = idbpq__dict_value(d, idx[i]);
        bad += e == NULL || e->len != v[i].len || (e->len && memcmp(e->ptr, v[i].ptr, e->len));
        bad += e && e->ptr == v[i].ptr; /* copied, not borrowed */
        if (idx[i] == next) { /* first sightings come in order */
            plain += 4 + v[i].len;
            next++;
        } else {
            bad += idx[i] > next;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(idbpq__dict_count(d), next);
    CHECK_EQ_INT(idbpq__dict_plain_bytes(d), plain);
    /* Distinct values really are distinct (no two entries equal). */
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__dict_encode_plain(d, &b));
    CHECK_EQ_INT(b.len, plain);
    idbpq_bytes *dec = malloc(next * sizeof *dec + 1);
    size_t used;
    struct idbpq__err err;
    REQUIRE_OK(idbpq__plain_decode(IDBPQ_BYTE_ARRAY, 0, b.p, b.len, next, dec, &used, &err));
    uint32_t *again = malloc(next * 4 + 4);
    struct idbpq__dict *d2;
    REQUIRE_OK(idbpq__dict_create(&d2, IDBPQ_BYTE_ARRAY, 0, NULL));
    REQUIRE_OK(idbpq__dict_insert(d2, dec, next, again));
    CHECK_EQ_INT(idbpq__dict_count(d2), next);
    idbpq__dict_free(d2);
    free(again);
    free(dec);
    idbpq__buf_free(&b);
    /* Reset and reuse. */
    idbpq__dict_reset(d);
    REQUIRE_OK(idbpq__dict_insert(d, v + 5, 1, idx));
    CHECK_EQ_INT(idx[0], 0);
    CHECK_EQ_INT(idbpq__dict_plain_bytes(d), 4 + v[5].len);
    idbpq__dict_free(d);
    free(v);
    free(idx);
    free(pool);
}

/* Values that share bytes (as read from a dictionary page): the same pointer with other
 * lengths are other values, equal bytes at other pointers are the same value. */
TEST(encoding_dict_byte_arrays_sharing_pointers)
{
    static const uint8_t pool[] = "abcdefghij" "abcdefghij";
    uint64_t s = idbpq_test_seed() ^ 0xd1c7;
    enum { N = 5000 };
    idbpq_bytes *v = malloc(N * sizeof *v);
    uint32_t *idx = malloc(N * sizeof *idx);
    for (size_t i = 0; i < N; i++) {
        size_t off = (size_t)(idbpq_test_rand(&s) % 20), len = (size_t)(idbpq_test_rand(&s) % 8);
        if (off + len > 20) len = 20 - off;
        v[i].ptr = pool + off;
        v[i].len = (uint32_t)len;
    }
    struct idbpq__dict *d;
    REQUIRE_OK(idbpq__dict_create(&d, IDBPQ_BYTE_ARRAY, 0, NULL));
    for (size_t i = 0; i < N; i += 700) {
        size_t k = N - i < 700 ? N - i : 700;
        REQUIRE_OK(idbpq__dict_insert(d, v + i, k, idx + i));
    }
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        const idbpq_bytes *e = idbpq__dict_value(d, idx[i]);
        bad += !e || e->len != v[i].len || (e->len && memcmp(e->ptr, v[i].ptr, e->len) != 0);
    }
    /* distinct values get distinct indices */
    uint32_t n = idbpq__dict_count(d);
    for (uint32_t a = 0; a < n; a++)
        for (uint32_t b = a + 1; b < n; b++) {
            const idbpq_bytes *x = idbpq__dict_value(d, a), *y = idbpq__dict_value(d, b);
            bad += x->len == y->len && (x->len == 0 || memcmp(x->ptr, y->ptr, x->len) == 0);
        }
    CHECK_EQ_INT(bad, 0);
    idbpq__dict_free(d);
    free(v);
    free(idx);
}
