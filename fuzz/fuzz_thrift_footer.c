/*
 * fuzz_thrift_footer.c — the thrift compact decoders of src/parquet/meta.h on hostile input:
 * the whole input is decoded as a FileMetaData footer, a PageHeader, a ColumnIndex and an
 * OffsetIndex. Whatever decodes is walked completely (every string, byte range and array the
 * result points to is read, so AddressSanitizer checks the pointers and counts), and then
 * re-encoded: encode(decode(encode(x))) must equal encode(x) — once a structure has been
 * through the encoder it is canonical, so a second round trip may not change a byte.
 */
#include "common/common.h"
#include "parquet/meta.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

/* A sink for reads, so the walks below are not optimised away. */
static volatile uint64_t g_sum;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t s = 0;
    if (n) CHECK(b != NULL);
    for (size_t i = 0; i < n; i++) s += b[i];
    g_sum += s;
}

static void touch_str(const char *s)
{
    if (s) touch(s, strlen(s) + 1);
}

static void touch_err(const struct idbpq__err *err)
{
    CHECK(memchr(err->msg, 0, sizeof err->msg) != NULL);
}

static void touch_stats(const idbpq_statistics *s)
{
    if (s->has_min) touch(s->min.ptr, s->min.len);
    if (s->has_max) touch(s->max.ptr, s->max.len);
}

static void touch_kv(const idbpq_kv *kv, int32_t n)
{
    CHECK(n >= 0);
    for (int32_t i = 0; i < n; i++) {
        touch(kv[i].key.ptr, kv[i].key.len);
        if (kv[i].has_value) touch(kv[i].value.ptr, kv[i].value.len);
    }
}

static void walk_file(const struct idbpq__file_metadata *md)
{
    const idbpq_file_meta *m = &md->pub;
    CHECK(md->n_schema >= 0);
    for (int32_t i = 0; i < md->n_schema; i++) touch_str(md->schema[i].name);
    touch_str(m->created_by);
    touch_kv(m->kv, m->num_kv);
    CHECK(m->num_column_orders >= 0);
    touch(m->column_orders, (size_t)m->num_column_orders * sizeof *m->column_orders);
    CHECK(m->num_row_groups >= 0);
    for (int32_t g = 0; g < m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &m->row_groups[g];
        CHECK(rg->num_columns >= 0 && rg->num_sorting_columns >= 0);
        touch(rg->sorting_columns, (size_t)rg->num_sorting_columns * sizeof *rg->sorting_columns);
        for (int32_t c = 0; c < rg->num_columns; c++) {
            const idbpq_column_chunk_meta *cc = &rg->columns[c];
            touch_str(cc->path);
            touch_str(cc->file_path);
            CHECK(cc->num_encodings >= 0);
            touch(cc->encodings, (size_t)cc->num_encodings * sizeof *cc->encodings);
            if (cc->has_statistics) touch_stats(&cc->statistics);
            touch_kv(cc->kv, cc->num_kv);
        }
    }
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    struct idbpq__arena arena, arena2;
    idbpq__arena_init(&arena, NULL);
    idbpq__arena_init(&arena2, NULL);
    struct idbpq__file_metadata md, md2;
    struct idbpq__err err = {0};
    memset(&md, 0, sizeof md);
    idbpq_status st = idbpq__meta_decode_file(data, size, 0, &arena, &md, &err);
    if (st != IDBPQ_OK) {
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_LIMIT || st == IDBPQ_NOMEM ||
              st == IDBPQ_UNSUPPORTED);
        touch_err(&err);
        goto out;
    }
    walk_file(&md);
    struct idbpq__buf e1, e2;
    idbpq__buf_init(&e1, NULL);
    idbpq__buf_init(&e2, NULL);
    /* The encoder may refuse a footer it cannot write faithfully; it must not crash. */
    if (idbpq__meta_encode_file(&md, &e1) == IDBPQ_OK) {
        memset(&md2, 0, sizeof md2);
        st = idbpq__meta_decode_file(e1.p, e1.len, 0, &arena2, &md2, &err);
        if (st != IDBPQ_OK) fprintf(stderr, "re-decode of the encoded footer: %s\n", err.msg);
        CHECK(st == IDBPQ_OK);
        walk_file(&md2);
        CHECK(md2.n_schema == md.n_schema);
        CHECK(md2.pub.num_rows == md.pub.num_rows);
        CHECK(md2.pub.num_row_groups == md.pub.num_row_groups);
        CHECK(idbpq__meta_encode_file(&md2, &e2) == IDBPQ_OK);
        CHECK(e1.len == e2.len && memcmp(e1.p, e2.p, e1.len) == 0);
    }
    idbpq__buf_free(&e1);
    idbpq__buf_free(&e2);
out:
    idbpq__arena_free(&arena);
    idbpq__arena_free(&arena2);
}

static void fuzz_page_header(const uint8_t *data, size_t size)
{
    struct idbpq__page_header h, h2;
    struct idbpq__err err = {0};
    size_t consumed = 0;
    idbpq_status st = idbpq__page_header_decode(data, size, 0, &h, &consumed, &err);
    if (st != IDBPQ_OK) {
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_MORE || st == IDBPQ_LIMIT);
        touch_err(&err);
        return;
    }
    CHECK(consumed > 0 && consumed <= size);
    CHECK(h.uncompressed_size >= 0 && h.compressed_size >= 0);
    if (h.has_statistics) {
        /* Statistics bytes point into the input. */
        if (h.statistics.has_min && h.statistics.min.len)
            CHECK(h.statistics.min.ptr >= data &&
                  h.statistics.min.ptr + h.statistics.min.len <= data + size);
        if (h.statistics.has_max && h.statistics.max.len)
            CHECK(h.statistics.max.ptr >= data &&
                  h.statistics.max.ptr + h.statistics.max.len <= data + size);
        touch_stats(&h.statistics);
    }
    /* A header is self-delimiting: decoding exactly its bytes gives the same result, and one
     * byte less is IDBPQ_MORE (or CORRUPT), never success with the same size. */
    size_t c1 = 0;
    CHECK(idbpq__page_header_decode(data, consumed, 0, &h2, &c1, &err) == IDBPQ_OK &&
          c1 == consumed);
    CHECK(idbpq__page_header_decode(data, consumed - 1, 0, &h2, &c1, &err) != IDBPQ_OK);
    struct idbpq__buf e1, e2;
    idbpq__buf_init(&e1, NULL);
    idbpq__buf_init(&e2, NULL);
    if (idbpq__page_header_encode(&h, &e1) == IDBPQ_OK) {
        size_t c2 = 0;
        st = idbpq__page_header_decode(e1.p, e1.len, 0, &h2, &c2, &err);
        if (st != IDBPQ_OK) fprintf(stderr, "re-decode of the encoded header: %s\n", err.msg);
        CHECK(st == IDBPQ_OK && c2 == e1.len);
        CHECK(h2.type == h.type && h2.uncompressed_size == h.uncompressed_size &&
              h2.compressed_size == h.compressed_size && h2.has_crc == h.has_crc);
        CHECK(idbpq__page_header_encode(&h2, &e2) == IDBPQ_OK);
        CHECK(e1.len == e2.len && memcmp(e1.p, e2.p, e1.len) == 0);
    }
    idbpq__buf_free(&e1);
    idbpq__buf_free(&e2);
}

static void fuzz_column_index(const uint8_t *data, size_t size)
{
    struct idbpq__arena arena;
    idbpq__arena_init(&arena, NULL);
    struct idbpq__column_index ci, ci2;
    struct idbpq__err err = {0};
    memset(&ci, 0, sizeof ci);
    idbpq_status st = idbpq__column_index_decode(data, size, 0, &arena, &ci, &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        idbpq__arena_free(&arena);
        return;
    }
    CHECK(ci.n >= 0);
    size_t n = (size_t)ci.n;
    touch(ci.null_pages, n);
    for (size_t i = 0; i < n; i++) {
        touch(ci.min[i].ptr, ci.min[i].len);
        touch(ci.max[i].ptr, ci.max[i].len);
    }
    if (ci.null_counts) touch(ci.null_counts, n * sizeof *ci.null_counts);
    if (ci.nan_counts) touch(ci.nan_counts, n * sizeof *ci.nan_counts);
    struct idbpq__buf e1, e2;
    idbpq__buf_init(&e1, NULL);
    idbpq__buf_init(&e2, NULL);
    if (idbpq__column_index_encode(&ci, &e1) == IDBPQ_OK) {
        memset(&ci2, 0, sizeof ci2);
        st = idbpq__column_index_decode(e1.p, e1.len, 0, &arena, &ci2, &err);
        if (st != IDBPQ_OK) fprintf(stderr, "re-decode of the column index: %s\n", err.msg);
        CHECK(st == IDBPQ_OK && ci2.n == ci.n);
        CHECK(idbpq__column_index_encode(&ci2, &e2) == IDBPQ_OK);
        CHECK(e1.len == e2.len && memcmp(e1.p, e2.p, e1.len) == 0);
    }
    idbpq__buf_free(&e1);
    idbpq__buf_free(&e2);
    idbpq__arena_free(&arena);
}

static void fuzz_offset_index(const uint8_t *data, size_t size)
{
    struct idbpq__arena arena;
    idbpq__arena_init(&arena, NULL);
    struct idbpq__offset_index oi, oi2;
    struct idbpq__err err = {0};
    memset(&oi, 0, sizeof oi);
    idbpq_status st = idbpq__offset_index_decode(data, size, 0, &arena, &oi, &err);
    if (st != IDBPQ_OK) {
        touch_err(&err);
        idbpq__arena_free(&arena);
        return;
    }
    CHECK(oi.n >= 0);
    touch(oi.locs, (size_t)oi.n * sizeof *oi.locs);
    if (oi.unencoded_bytes) touch(oi.unencoded_bytes, (size_t)oi.n * sizeof *oi.unencoded_bytes);
    struct idbpq__buf e1, e2;
    idbpq__buf_init(&e1, NULL);
    idbpq__buf_init(&e2, NULL);
    if (idbpq__offset_index_encode(&oi, &e1) == IDBPQ_OK) {
        memset(&oi2, 0, sizeof oi2);
        st = idbpq__offset_index_decode(e1.p, e1.len, 0, &arena, &oi2, &err);
        if (st != IDBPQ_OK) fprintf(stderr, "re-decode of the offset index: %s\n", err.msg);
        CHECK(st == IDBPQ_OK && oi2.n == oi.n);
        for (int32_t i = 0; i < oi.n; i++)
            CHECK(oi2.locs[i].offset == oi.locs[i].offset &&
                  oi2.locs[i].compressed_size == oi.locs[i].compressed_size &&
                  oi2.locs[i].first_row_index == oi.locs[i].first_row_index);
        CHECK(idbpq__offset_index_encode(&oi2, &e2) == IDBPQ_OK);
        CHECK(e1.len == e2.len && memcmp(e1.p, e2.p, e1.len) == 0);
    }
    idbpq__buf_free(&e1);
    idbpq__buf_free(&e2);
    idbpq__arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file(data, size);
    fuzz_page_header(data, size);
    fuzz_column_index(data, size);
    fuzz_offset_index(data, size);
    return 0;
}
