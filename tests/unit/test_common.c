/* test_common.c — status table, buffers, arenas, varints. */
#include "test.h"

#include "common/common.h"

TEST(status_table_names_and_messages)
{
    CHECK_EQ_STR(idbpq_status_name(IDBPQ_CORRUPT), "IDBPQ_CORRUPT");
    CHECK_EQ_STR(idbpq_status_str(IDBPQ_ENCRYPTED), "encrypted: not supported");
    CHECK_EQ_STR(idbpq_status_name((idbpq_status)9999), "IDBPQ_UNKNOWN");
    CHECK_EQ_INT(idbpq_version_number(), IDBPQ_VERSION_NUMBER);
}

TEST(buf_grows_and_keeps_bytes)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    for (int i = 0; i < 100000; i++) REQUIRE_OK(idbpq__buf_push(&b, (uint8_t)i));
    CHECK_EQ_INT(b.len, 100000);
    int bad = 0;
    for (int i = 0; i < 100000; i++) bad += b.p[i] != (uint8_t)i;
    CHECK_EQ_INT(bad, 0);
    idbpq__buf_free(&b);
}

TEST(uleb_round_trip_and_truncation)
{
    uint64_t vals[] = {0, 1, 127, 128, 300, 1ull << 35, UINT64_MAX};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        REQUIRE_OK(idbpq__buf_uleb(&b, vals[i]));
        const uint8_t *p = b.p;
        uint64_t v = 0;
        CHECK_EQ_INT(idbpq__read_uleb(&p, b.p + b.len, &v), 0);
        CHECK(v == vals[i]);
        CHECK(p == b.p + b.len);
        p = b.p;
        if (b.len > 1) CHECK_EQ_INT(idbpq__read_uleb(&p, b.p + b.len - 1, &v), -1);
        idbpq__buf_free(&b);
    }
    uint8_t eleven[11];
    memset(eleven, 0x80, sizeof eleven);
    const uint8_t *p = eleven;
    uint64_t v;
    CHECK_EQ_INT(idbpq__read_uleb(&p, eleven + 11, &v), -1);
}

TEST(zigzag_round_trip)
{
    int64_t vals[] = {0, -1, 1, INT64_MIN, INT64_MAX, -123456789};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        CHECK(idbpq__zigzag_dec(idbpq__zigzag_enc(vals[i])) == vals[i]);
    CHECK_EQ_INT(idbpq__zigzag_enc(-1), 1);
    CHECK_EQ_INT(idbpq__zigzag_enc(1), 2);
}

TEST(arena_alignment_and_reset)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    for (int i = 1; i < 5000; i++) {
        uint8_t *p = idbpq__arena_alloc(&a, (size_t)(i % 97) + 1);
        REQUIRE(p);
        CHECK_EQ_INT((uintptr_t)p % 8, 0);
        memset(p, 0xab, (size_t)(i % 97) + 1);
    }
    idbpq__arena_reset(&a);
    CHECK_EQ_INT(a.total, 0);
    CHECK(idbpq__arena_alloc(&a, 3000000) != NULL);
    idbpq__arena_free(&a);
}

TEST(crc32_known_vector)
{
    /* CRC-32 of "123456789" is 0xCBF43926. */
    CHECK_EQ_INT(idbpq__crc32(0, "123456789", 9), 0xCBF43926u);
}
