/* test_meta_page.c — PageHeader, ColumnIndex and OffsetIndex: known bytes worked out from the
 * compact protocol spec, round trips of every page type with statistics and CRC, truncation
 * (MORE for page headers, CORRUPT for page indexes) and malformed input. */
#include "test.h"

#include "parquet/meta.h"
#include "thrift/compact.h"

static struct idbpq__page_header v1_header(void)
{
    struct idbpq__page_header h;
    memset(&h, 0, sizeof h);
    h.type = IDBPQ__PAGE_DATA;
    h.uncompressed_size = 100;
    h.compressed_size = 50;
    h.num_values = 10;
    h.encoding = IDBPQ_ENC_PLAIN;
    h.def_encoding = IDBPQ_ENC_RLE;
    h.rep_encoding = IDBPQ_ENC_RLE;
    h.statistics.min_exact = h.statistics.max_exact = -1;
    return h;
}

TEST(meta_page_header_v1_known_bytes)
{
    /* type=0, uncompressed=100 (zigzag 200), compressed=50 (zigzag 100), then field 5
     * (delta 2, struct) {num_values 10, PLAIN, RLE, RLE}, stop, stop. */
    static const uint8_t want[] = {0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x64, 0x2c, 0x15, 0x14,
                                   0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    struct idbpq__page_header h = v1_header();
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__page_header_encode(&h, &b));
    REQUIRE_EQ_INT(b.len, sizeof want);
    CHECK_EQ_MEM(b.p, want, sizeof want);
    struct idbpq__page_header d;
    size_t used = 0;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__page_header_decode(want, sizeof want, 0, &d, &used, &err));
    CHECK_EQ_INT(used, sizeof want);
    CHECK_EQ_INT(d.type, 0);
    CHECK_EQ_INT(d.uncompressed_size, 100);
    CHECK_EQ_INT(d.compressed_size, 50);
    CHECK_EQ_INT(d.num_values, 10);
    CHECK_EQ_INT(d.def_encoding, IDBPQ_ENC_RLE);
    CHECK_EQ_INT(d.has_crc, 0);
    CHECK_EQ_INT(d.has_statistics, 0);
    CHECK_EQ_INT(d.is_compressed, 1);
    idbpq__buf_free(&b);
}

static void check_same_header(const struct idbpq__page_header *a, const struct idbpq__page_header *b)
{
    CHECK_EQ_INT(a->type, b->type);
    CHECK_EQ_INT(a->uncompressed_size, b->uncompressed_size);
    CHECK_EQ_INT(a->compressed_size, b->compressed_size);
    CHECK_EQ_INT(a->has_crc, b->has_crc);
    CHECK(a->crc == b->crc);
    CHECK_EQ_INT(a->num_values, b->num_values);
    CHECK_EQ_INT(a->encoding, b->encoding);
    CHECK_EQ_INT(a->def_encoding, b->def_encoding);
    CHECK_EQ_INT(a->rep_encoding, b->rep_encoding);
    CHECK_EQ_INT(a->num_nulls, b->num_nulls);
    CHECK_EQ_INT(a->num_rows, b->num_rows);
    CHECK_EQ_INT(a->def_len, b->def_len);
    CHECK_EQ_INT(a->rep_len, b->rep_len);
    CHECK_EQ_INT(a->is_compressed, b->is_compressed);
    CHECK_EQ_INT(a->dict_num_values, b->dict_num_values);
    CHECK_EQ_INT(a->dict_encoding, b->dict_encoding);
    CHECK_EQ_INT(a->dict_is_sorted, b->dict_is_sorted);
    CHECK_EQ_INT(a->has_statistics, b->has_statistics);
    const idbpq_statistics *x = &a->statistics, *y = &b->statistics;
    CHECK_EQ_INT(x->has_min, y->has_min);
    CHECK_EQ_INT(x->has_max, y->has_max);
    CHECK_EQ_INT(x->legacy_minmax, y->legacy_minmax);
    CHECK_EQ_INT(x->min.len, y->min.len);
    CHECK_EQ_INT(x->max.len, y->max.len);
    if (x->min.len == y->min.len && x->min.len) CHECK_EQ_MEM(x->min.ptr, y->min.ptr, x->min.len);
    if (x->max.len == y->max.len && x->max.len) CHECK_EQ_MEM(x->max.ptr, y->max.ptr, x->max.len);
    CHECK_EQ_INT(x->null_count, y->null_count);
    CHECK_EQ_INT(x->has_null_count, y->has_null_count);
    CHECK_EQ_INT(x->distinct_count, y->distinct_count);
    CHECK_EQ_INT(x->nan_count, y->nan_count);
    CHECK_EQ_INT(x->has_nan_count, y->has_nan_count);
    CHECK_EQ_INT(x->min_exact, y->min_exact);
    CHECK_EQ_INT(x->max_exact, y->max_exact);
}

TEST(meta_page_header_round_trips_all_types)
{
    uint64_t s = idbpq_test_seed();
    static const uint8_t minv[] = {1, 2, 3, 4}, maxv[] = {0xff, 0xfe, 0, 0x7f, 9, 9, 9, 9};
    for (int it = 0; it < 400; it++) {
        struct idbpq__page_header h;
        memset(&h, 0, sizeof h);
        static const int32_t types[] = {IDBPQ__PAGE_DATA, IDBPQ__PAGE_INDEX,
                                        IDBPQ__PAGE_DICTIONARY, IDBPQ__PAGE_DATA_V2};
        h.type = types[idbpq_test_rand(&s) % 4];
        h.uncompressed_size = (int32_t)(idbpq_test_rand(&s) % INT32_MAX);
        h.compressed_size = (int32_t)(idbpq_test_rand(&s) % 1000);
        h.has_crc = (int32_t)(idbpq_test_rand(&s) % 2);
        h.crc = h.has_crc ? (uint32_t)idbpq_test_rand(&s) : 0; /* incl. values >= 2^31 */
        h.is_compressed = 1;
        h.statistics.min_exact = h.statistics.max_exact = -1;
        if (h.type == IDBPQ__PAGE_DATA || h.type == IDBPQ__PAGE_DATA_V2) {
            h.num_values = (int32_t)(idbpq_test_rand(&s) % 100000);
            h.encoding = (int32_t)(idbpq_test_rand(&s) % 10);
            if (h.type == IDBPQ__PAGE_DATA) {
                h.def_encoding = IDBPQ_ENC_RLE;
                h.rep_encoding = IDBPQ_ENC_BIT_PACKED;
            } else {
                h.num_nulls = (int32_t)(idbpq_test_rand(&s) % 100);
                h.num_rows = (int32_t)(idbpq_test_rand(&s) % 100);
                h.def_len = (int32_t)(idbpq_test_rand(&s) % 100);
                h.rep_len = (int32_t)(idbpq_test_rand(&s) % 100);
                h.is_compressed = (int32_t)(idbpq_test_rand(&s) % 2);
            }
            h.has_statistics = (int32_t)(idbpq_test_rand(&s) % 2);
            if (h.has_statistics) {
                idbpq_statistics *st = &h.statistics;
                st->has_min = 1;
                st->min.ptr = minv;
                st->min.len = (uint32_t)(idbpq_test_rand(&s) % 5);
                st->has_max = (int32_t)(idbpq_test_rand(&s) % 2);
                if (st->has_max) {
                    st->max.ptr = maxv;
                    st->max.len = 8;
                }
                st->legacy_minmax = (int32_t)(idbpq_test_rand(&s) % 2);
                st->has_null_count = 1;
                st->null_count = (int64_t)(idbpq_test_rand(&s) % 1000);
                st->has_nan_count = (int32_t)(idbpq_test_rand(&s) % 2);
                st->nan_count = st->has_nan_count ? 3 : 0;
                st->min_exact = (int32_t)(idbpq_test_rand(&s) % 3) - 1;
                st->max_exact = (int32_t)(idbpq_test_rand(&s) % 3) - 1;
            }
        } else if (h.type == IDBPQ__PAGE_DICTIONARY) {
            h.dict_num_values = (int32_t)(idbpq_test_rand(&s) % 5000);
            h.dict_encoding = (int32_t)(idbpq_test_rand(&s) % 2 ? IDBPQ_ENC_PLAIN : IDBPQ_ENC_PLAIN_DICTIONARY);
            h.dict_is_sorted = (int32_t)(idbpq_test_rand(&s) % 2);
        }
        struct idbpq__buf b, b2;
        idbpq__buf_init(&b, NULL);
        idbpq__buf_init(&b2, NULL);
        REQUIRE_OK(idbpq__page_header_encode(&h, &b));
        /* trailing page bytes must not be consumed */
        REQUIRE_OK(idbpq__buf_append(&b, "DATA", 4));
        struct idbpq__page_header d;
        size_t used = 0;
        struct idbpq__err err = {0};
        REQUIRE_OK(idbpq__page_header_decode(b.p, b.len, 4, &d, &used, &err));
        CHECK_EQ_INT(used, b.len - 4);
        check_same_header(&h, &d);
        if (d.has_statistics && d.statistics.min.len)
            CHECK(d.statistics.min.ptr >= b.p && d.statistics.min.ptr < b.p + b.len); /* in input */
        REQUIRE_OK(idbpq__page_header_encode(&d, &b2));
        CHECK_EQ_INT(b2.len, used);
        if (b2.len == used) CHECK_EQ_MEM(b2.p, b.p, used);
        /* every strict prefix: MORE, and no message */
        int wrong = 0;
        for (size_t k = 0; k < used; k++) {
            struct idbpq__err e2 = {0};
            if (idbpq__page_header_decode(b.p, k, 4, &d, &used, &e2) != IDBPQ_MORE || e2.msg[0])
                wrong++;
        }
        CHECK_EQ_INT(wrong, 0);
        idbpq__buf_free(&b);
        idbpq__buf_free(&b2);
    }
}

/* Builds a PageHeader with the thrift writer directly, for malformed cases. */
static void raw_header(struct idbpq__buf *b, int32_t type, int32_t unc, int32_t comp, int sub)
{
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, type);
    idbpq__thrift_w_i32_field(&w, 2, unc);
    idbpq__thrift_w_i32_field(&w, 3, comp);
    if (sub) {
        idbpq__thrift_w_field(&w, 5, IDBPQ__T_STRUCT);
        idbpq__thrift_w_struct_begin(&w);
        idbpq__thrift_w_i32_field(&w, 1, sub < 0 ? -5 : 3);
        idbpq__thrift_w_i32_field(&w, 2, 0);
        idbpq__thrift_w_i32_field(&w, 3, 3);
        idbpq__thrift_w_i32_field(&w, 4, 3);
        idbpq__thrift_w_struct_end(&w);
    }
    idbpq__thrift_w_struct_end(&w);
}

TEST(meta_page_header_malformed_is_corrupt)
{
    struct {
        int32_t type, unc, comp;
        int sub;
        idbpq_status want;
    } cases[] = {
        {IDBPQ__PAGE_DATA, 10, 10, 1, IDBPQ_OK},
        {IDBPQ__PAGE_DATA, 10, 10, 0, IDBPQ_CORRUPT},  /* no data_page_header */
        {IDBPQ__PAGE_DATA, 10, -1, 1, IDBPQ_CORRUPT},  /* negative size */
        {IDBPQ__PAGE_DATA, -7, 10, 1, IDBPQ_CORRUPT},
        {IDBPQ__PAGE_DATA, 10, 10, -1, IDBPQ_CORRUPT}, /* negative num_values */
        {IDBPQ__PAGE_DICTIONARY, 1, 1, 0, IDBPQ_CORRUPT},
        {IDBPQ__PAGE_DATA_V2, 1, 1, 1, IDBPQ_CORRUPT}, /* v1 sub-header for a v2 page */
        {IDBPQ__PAGE_INDEX, 1, 1, 0, IDBPQ_OK},
        {42, 1, 1, 0, IDBPQ_OK},                       /* unknown page type: caller skips */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        raw_header(&b, cases[i].type, cases[i].unc, cases[i].comp, cases[i].sub);
        struct idbpq__page_header d;
        size_t used;
        struct idbpq__err err = {0};
        idbpq_status st = idbpq__page_header_decode(b.p, b.len, 777, &d, &used, &err);
        if (st != cases[i].want)
            idbpq_test_fail(__FILE__, __LINE__, "case %zu: status %d, want %d (%s)", i, st,
                            cases[i].want, err.msg);
        if (st == IDBPQ_CORRUPT) CHECK(strstr(err.msg, "offset 7") != NULL);
        idbpq__buf_free(&b);
    }
    /* a 2^31 binary length in a statistics field: CORRUPT, not an allocation or MORE */
    static const uint8_t huge[] = {0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x2c, 0x15, 0x02, 0x15,
                                   0x00, 0x15, 0x06, 0x15, 0x06, 0x1c, 0x18, 0x80, 0x80, 0x80,
                                   0x80, 0x08};
    struct idbpq__page_header d;
    size_t used;
    struct idbpq__err err = {0};
    CHECK_EQ_INT(idbpq__page_header_decode(huge, sizeof huge, 0, &d, &used, &err), IDBPQ_CORRUPT);
}

TEST(meta_page_index_round_trip)
{
    uint64_t s = idbpq_test_seed();
    static const char *vals[] = {"", "a", "bb", "ccc", "\x01\x02\x03\x04\x05\x06\x07\x08"};
    for (int it = 0; it < 60; it++) {
        int32_t n = (int32_t)(idbpq_test_rand(&s) % 40);
        uint8_t nulls[40];
        idbpq_bytes mn[40], mx[40];
        int64_t nc[40], nan[40], unenc[40];
        struct idbpq__page_location locs[40];
        for (int32_t i = 0; i < n; i++) {
            nulls[i] = (uint8_t)(idbpq_test_rand(&s) % 2);
            const char *a = vals[idbpq_test_rand(&s) % 5], *z = vals[idbpq_test_rand(&s) % 5];
            mn[i] = (idbpq_bytes){(const uint8_t *)a, (uint32_t)strlen(a)};
            mx[i] = (idbpq_bytes){(const uint8_t *)z, (uint32_t)strlen(z)};
            nc[i] = (int64_t)(idbpq_test_rand(&s) % 100000);
            nan[i] = (int64_t)(idbpq_test_rand(&s) % 3);
            unenc[i] = (int64_t)(idbpq_test_rand(&s) % (1ull << 40));
            locs[i].offset = 4 + (int64_t)(idbpq_test_rand(&s) % (1ull << 40));
            locs[i].compressed_size = (int32_t)(idbpq_test_rand(&s) % 100000);
            locs[i].first_row_index = i * 1000;
        }
        struct idbpq__column_index ci = {n, nulls, mn, mx, (int32_t)(idbpq_test_rand(&s) % 3),
                                         idbpq_test_rand(&s) % 2 ? nc : NULL,
                                         idbpq_test_rand(&s) % 2 ? nan : NULL};
        struct idbpq__offset_index oi = {n, locs, idbpq_test_rand(&s) % 2 ? unenc : NULL};
        struct idbpq__buf b, b2;
        idbpq__buf_init(&b, NULL);
        idbpq__buf_init(&b2, NULL);
        struct idbpq__arena a;
        idbpq__arena_init(&a, NULL);
        struct idbpq__err err = {0};
        REQUIRE_OK(idbpq__column_index_encode(&ci, &b));
        struct idbpq__column_index dc;
        REQUIRE_OK(idbpq__column_index_decode(b.p, b.len, 0, &a, &dc, &err));
        REQUIRE_EQ_INT(dc.n, n);
        CHECK_EQ_INT(dc.boundary_order, ci.boundary_order);
        CHECK_EQ_INT(dc.null_counts != NULL, ci.null_counts != NULL);
        CHECK_EQ_INT(dc.nan_counts != NULL, ci.nan_counts != NULL);
        for (int32_t i = 0; i < n; i++) {
            CHECK_EQ_INT(dc.null_pages[i], nulls[i]);
            CHECK_EQ_INT(dc.min[i].len, mn[i].len);
            CHECK_EQ_INT(dc.max[i].len, mx[i].len);
            if (dc.null_counts && ci.null_counts) CHECK_EQ_INT(dc.null_counts[i], nc[i]);
            if (dc.nan_counts && ci.nan_counts) CHECK_EQ_INT(dc.nan_counts[i], nan[i]);
        }
        REQUIRE_OK(idbpq__column_index_encode(&dc, &b2));
        CHECK(b2.len == b.len && memcmp(b2.p, b.p, b.len) == 0);
        /* known size: every strict prefix is CORRUPT */
        int wrong = 0;
        for (size_t k = 0; k < b.len; k++)
            wrong += idbpq__column_index_decode(b.p, k, 0, &a, &dc, &err) != IDBPQ_CORRUPT;
        CHECK_EQ_INT(wrong, 0);

        idbpq__buf_reset(&b);
        idbpq__buf_reset(&b2);
        REQUIRE_OK(idbpq__offset_index_encode(&oi, &b));
        struct idbpq__offset_index doi;
        REQUIRE_OK(idbpq__offset_index_decode(b.p, b.len, 0, &a, &doi, &err));
        REQUIRE_EQ_INT(doi.n, n);
        CHECK_EQ_INT(doi.unencoded_bytes != NULL, oi.unencoded_bytes != NULL);
        for (int32_t i = 0; i < n; i++) {
            CHECK_EQ_INT(doi.locs[i].offset, locs[i].offset);
            CHECK_EQ_INT(doi.locs[i].compressed_size, locs[i].compressed_size);
            CHECK_EQ_INT(doi.locs[i].first_row_index, locs[i].first_row_index);
            if (doi.unencoded_bytes && oi.unencoded_bytes) CHECK_EQ_INT(doi.unencoded_bytes[i], unenc[i]);
        }
        REQUIRE_OK(idbpq__offset_index_encode(&doi, &b2));
        CHECK(b2.len == b.len && memcmp(b2.p, b.p, b.len) == 0);
        wrong = 0;
        for (size_t k = 0; k < b.len; k++)
            wrong += idbpq__offset_index_decode(b.p, k, 0, &a, &doi, &err) != IDBPQ_CORRUPT;
        CHECK_EQ_INT(wrong, 0);
        idbpq__arena_free(&a);
        idbpq__buf_free(&b);
        idbpq__buf_free(&b2);
    }
}

TEST(meta_column_index_length_mismatch)
{
    /* null_pages has 2 entries, min_values 1: parquet.thrift wants equal lengths. */
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_field(&w, 1, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_TRUE, 2);
    idbpq__thrift_w_list_bool(&w, 1);
    idbpq__thrift_w_list_bool(&w, 0);
    idbpq__thrift_w_field(&w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_BINARY, 1);
    idbpq__thrift_w_binary(&w, "x", 1);
    idbpq__thrift_w_field(&w, 3, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_BINARY, 2);
    idbpq__thrift_w_binary(&w, "x", 1);
    idbpq__thrift_w_binary(&w, "y", 1);
    idbpq__thrift_w_i32_field(&w, 4, 0);
    idbpq__thrift_w_struct_end(&w);
    REQUIRE_OK(w.st);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__column_index ci;
    struct idbpq__err err = {0};
    CHECK_EQ_INT(idbpq__column_index_decode(b.p, b.len, 0, &a, &ci, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "column index") != NULL);
    idbpq__arena_free(&a);
    idbpq__buf_free(&b);
}
