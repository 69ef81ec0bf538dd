/* test_meta_roundtrip.c — encode→decode→encode of synthetic parquet.thrift structures with
 * every field set (seeded random numbers), byte-exact re-encoding, page headers against
 * bytes worked out by hand from the compact protocol spec, and malformed page headers and
 * page indexes. */
#include "test.h"

#include "parquet/meta.h"
#include "thrift/compact.h"

#include <stdlib.h>

static int64_t rnd(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(idbpq_test_rand(s) % (uint64_t)(hi - lo + 1));
}

static const void *find_bytes(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(h + i, n, nn) == 0) return h + i;
    return NULL;
}

static idbpq_bytes B(const char *s)
{
    idbpq_bytes b = {(const uint8_t *)s, (uint32_t)strlen(s)};
    return b;
}

static struct idbpq__schema_element elem(const char *name, int32_t type, int32_t rep,
                                         int32_t nchild)
{
    struct idbpq__schema_element e;
    memset(&e, 0, sizeof e);
    e.name = name;
    e.type = type;
    e.repetition = rep;
    e.num_children = nchild;
    e.type_length = e.converted_type = e.scale = e.precision = e.field_id = -1;
    return e;
}

static void random_stats(uint64_t *s, idbpq_statistics *st, int legacy)
{
    static const char *vals[] = {"", "a", "zz", "\x00\x01\x02", "hello world"};
    memset(st, 0, sizeof *st);
    st->has_min = 1;
    st->has_max = (int)rnd(s, 0, 1);
    st->min = B(vals[rnd(s, 0, 4)]);
    if (st->has_max) st->max = B(vals[rnd(s, 0, 4)]);
    st->legacy_minmax = legacy;
    st->has_null_count = 1;
    st->null_count = rnd(s, 0, 1000000);
    st->has_distinct_count = (int)rnd(s, 0, 1);
    st->distinct_count = st->has_distinct_count ? rnd(s, 0, 1 << 30) : 0;
    st->has_nan_count = (int)rnd(s, 0, 1);
    st->nan_count = st->has_nan_count ? rnd(s, 0, 77) : 0;
    st->min_exact = (int32_t)rnd(s, -1, 1);
    st->max_exact = (int32_t)rnd(s, -1, 1);
}

static void check_stats(const idbpq_statistics *a, const idbpq_statistics *b)
{
    CHECK_EQ_INT(a->has_min, b->has_min);
    CHECK_EQ_INT(a->has_max, b->has_max);
    CHECK_EQ_INT(a->legacy_minmax, b->legacy_minmax);
    if (a->has_min && b->has_min) {
        CHECK_EQ_INT(a->min.len, b->min.len);
        if (a->min.len == b->min.len) CHECK_EQ_MEM(a->min.ptr, b->min.ptr, a->min.len);
    }
    if (a->has_max && b->has_max) {
        CHECK_EQ_INT(a->max.len, b->max.len);
        if (a->max.len == b->max.len) CHECK_EQ_MEM(a->max.ptr, b->max.ptr, a->max.len);
    }
    CHECK_EQ_INT(a->has_null_count, b->has_null_count);
    CHECK_EQ_INT(a->null_count, b->null_count);
    CHECK_EQ_INT(a->has_distinct_count, b->has_distinct_count);
    CHECK_EQ_INT(a->distinct_count, b->distinct_count);
    CHECK_EQ_INT(a->has_nan_count, b->has_nan_count);
    CHECK_EQ_INT(a->nan_count, b->nan_count);
    CHECK_EQ_INT(a->min_exact, b->min_exact);
    CHECK_EQ_INT(a->max_exact, b->max_exact);
}

static int32_t col_types[5] = {IDBPQ_INT32, IDBPQ_INT64, IDBPQ_FIXED_LEN_BYTE_ARRAY,
                               IDBPQ_BYTE_ARRAY, IDBPQ_FIXED_LEN_BYTE_ARRAY};
static const char *col_paths[5] = {"a", "g.x.ts", "g.x.d", "geo", "u"};

TEST(meta_footer_round_trip_every_field)
{
    uint64_t s = idbpq_test_seed();
    struct idbpq__schema_element sch[8];
    sch[0] = elem("schema", -1, -1, 4);
    sch[1] = elem("a", IDBPQ_INT32, IDBPQ_REQUIRED, -1);
    sch[1].converted_type = IDBPQ_CT_INT_8;
    sch[1].field_id = 7;
    sch[1].has_logical = 1;
    sch[1].logical.kind = IDBPQ_LT_INTEGER;
    sch[1].logical.bit_width = 8;
    sch[1].logical.is_signed = 1;
    sch[2] = elem("g.x", -1, IDBPQ_OPTIONAL, 2); /* a name with a dot */
    sch[3] = elem("ts", IDBPQ_INT64, IDBPQ_OPTIONAL, -1);
    sch[3].has_logical = 1;
    sch[3].logical.kind = IDBPQ_LT_TIMESTAMP;
    sch[3].logical.utc = 1;
    sch[3].logical.unit = IDBPQ_NANOS;
    sch[4] = elem("d", IDBPQ_FIXED_LEN_BYTE_ARRAY, IDBPQ_REPEATED, -1);
    sch[4].type_length = 13;
    sch[4].converted_type = IDBPQ_CT_DECIMAL;
    sch[4].scale = 2;
    sch[4].precision = 30;
    sch[4].has_logical = 1;
    sch[4].logical.kind = IDBPQ_LT_DECIMAL;
    sch[4].logical.scale = 2;
    sch[4].logical.precision = 30;
    sch[5] = elem("geo", IDBPQ_BYTE_ARRAY, IDBPQ_OPTIONAL, -1);
    sch[5].has_logical = 1;
    sch[5].logical.kind = IDBPQ_LT_GEOGRAPHY;
    sch[5].logical.crs = "EPSG:4326";
    sch[5].logical.algorithm = 2;
    sch[6] = elem("u", IDBPQ_FIXED_LEN_BYTE_ARRAY, IDBPQ_OPTIONAL, -1);
    sch[6].type_length = 16;
    sch[6].has_logical = 1;
    sch[6].logical.kind = IDBPQ_LT_UUID;

    idbpq_encoding encs[3] = {IDBPQ_ENC_PLAIN, IDBPQ_ENC_RLE, IDBPQ_ENC_RLE_DICTIONARY};
    idbpq_kv ckv[2] = {{B("k1"), B("v1"), 1}, {B("novalue"), {0}, 0}};
    idbpq_kv fkv[3] = {{B("ARROW:schema"), B("xyz"), 1}, {B("empty"), B(""), 1}, {B("x"), {0}, 0}};
    idbpq_sorting_column sc[2] = {{1, 1, 0}, {0, 0, 1}};
    idbpq_column_chunk_meta cols[2][5];
    idbpq_row_group_meta rgs[2];
    int32_t orders[5] = {1, 1, 2, 1, 1};
    for (int g = 0; g < 2; g++) {
        for (int c = 0; c < 5; c++) {
            idbpq_column_chunk_meta *cc = &cols[g][c];
            memset(cc, 0, sizeof *cc);
            cc->path = col_paths[c];
            cc->type = (idbpq_type)col_types[c];
            cc->num_encodings = (int32_t)rnd(&s, 0, 3);
            cc->encodings = encs;
            cc->codec = (idbpq_codec)rnd(&s, 0, 7);
            cc->num_values = rnd(&s, 0, INT64_MAX / 2);
            cc->total_uncompressed_size = rnd(&s, 0, 1ll << 40);
            cc->total_compressed_size = rnd(&s, 0, 1ll << 40);
            cc->data_page_offset = rnd(&s, 4, 1ll << 40);
            cc->dictionary_page_offset = rnd(&s, -1, 1) < 0 ? -1 : rnd(&s, 4, 1 << 30);
            cc->index_page_offset = rnd(&s, -1, 1) < 0 ? -1 : rnd(&s, 4, 1 << 30);
            cc->bloom_filter_offset = rnd(&s, -1, 1 << 20);
            cc->bloom_filter_length = (int32_t)rnd(&s, -1, 4096);
            cc->offset_index_offset = rnd(&s, 0, 1 << 20);
            cc->offset_index_length = (int32_t)rnd(&s, 0, 4096);
            cc->column_index_offset = rnd(&s, 0, 1) ? -1 : rnd(&s, 0, 1 << 20);
            cc->column_index_length = cc->column_index_offset < 0 ? -1 : (int32_t)rnd(&s, 0, 99);
            cc->has_statistics = (int)rnd(&s, 0, 1);
            if (cc->has_statistics) random_stats(&s, &cc->statistics, (int)rnd(&s, 0, 1));
            else cc->statistics.min_exact = cc->statistics.max_exact = -1;
            cc->num_kv = (int32_t)rnd(&s, 0, 2);
            cc->kv = ckv;
            cc->file_path = rnd(&s, 0, 3) ? NULL : "other.parquet";
            cc->unencoded_byte_array_bytes = rnd(&s, -1, 1 << 20);
        }
        memset(&rgs[g], 0, sizeof rgs[g]);
        rgs[g].num_rows = rnd(&s, 0, 1 << 30);
        rgs[g].total_byte_size = rnd(&s, 0, 1ll << 40);
        rgs[g].total_compressed_size = g ? -1 : rnd(&s, 0, 1ll << 40);
        rgs[g].file_offset = g ? rnd(&s, 4, 99999) : -1;
        rgs[g].ordinal = g ? g : -1;
        rgs[g].num_columns = 5;
        rgs[g].columns = cols[g];
        rgs[g].num_sorting_columns = g ? 2 : 0;
        rgs[g].sorting_columns = sc;
    }
    struct idbpq__file_metadata md;
    memset(&md, 0, sizeof md);
    md.n_schema = 7;
    md.schema = sch;
    md.pub.version = 2;
    md.pub.num_rows = rgs[0].num_rows + rgs[1].num_rows;
    md.pub.created_by = "idbpq version 0.1.0";
    md.pub.num_row_groups = 2;
    md.pub.row_groups = rgs;
    md.pub.num_kv = 3;
    md.pub.kv = fkv;
    md.pub.num_column_orders = 5;
    md.pub.column_orders = orders;

    struct idbpq__buf b1, b2;
    idbpq__buf_init(&b1, NULL);
    idbpq__buf_init(&b2, NULL);
    REQUIRE_OK(idbpq__meta_encode_file(&md, &b1));
    /* path_in_schema of g.x.ts comes from the schema: ["g.x", "ts"], not split at dots. */
    static const uint8_t path_bytes[] = {0x28, 3, 'g', '.', 'x', 2, 't', 's'};
    CHECK(find_bytes(b1.p, b1.len, path_bytes, sizeof path_bytes) != NULL);

    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata d;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__meta_decode_file(b1.p, b1.len, 1000, &a, &d, &err));
    CHECK_EQ_INT(d.pub.version, 2);
    CHECK_EQ_INT(d.pub.num_rows, md.pub.num_rows);
    CHECK_EQ_STR(d.pub.created_by, md.pub.created_by);
    CHECK_EQ_INT(d.pub.footer_length, b1.len);
    REQUIRE_EQ_INT(d.pub.num_kv, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(d.pub.kv[i].has_value, fkv[i].has_value);
        CHECK_EQ_INT(d.pub.kv[i].key.len, fkv[i].key.len);
        CHECK_EQ_MEM(d.pub.kv[i].key.ptr, fkv[i].key.ptr, fkv[i].key.len);
        CHECK_EQ_INT(d.pub.kv[i].value.len, fkv[i].value.len);
    }
    REQUIRE_EQ_INT(d.pub.num_column_orders, 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(d.pub.column_orders[i], orders[i]);
    REQUIRE_EQ_INT(d.n_schema, 7);
    for (int i = 0; i < 7; i++) {
        const struct idbpq__schema_element *x = &sch[i], *y = &d.schema[i];
        CHECK_EQ_STR(y->name, x->name);
        CHECK_EQ_INT(y->type, x->type);
        CHECK_EQ_INT(y->type_length, x->type_length);
        CHECK_EQ_INT(y->repetition, x->repetition);
        CHECK_EQ_INT(y->num_children, x->num_children);
        CHECK_EQ_INT(y->converted_type, x->converted_type);
        CHECK_EQ_INT(y->scale, x->scale);
        CHECK_EQ_INT(y->precision, x->precision);
        CHECK_EQ_INT(y->field_id, x->field_id);
        CHECK_EQ_INT(y->has_logical, x->has_logical);
        CHECK_EQ_INT(y->logical.kind, x->logical.kind);
        CHECK_EQ_INT(y->logical.scale, x->logical.scale);
        CHECK_EQ_INT(y->logical.precision, x->logical.precision);
        CHECK_EQ_INT(y->logical.bit_width, x->logical.bit_width);
        CHECK_EQ_INT(y->logical.is_signed, x->logical.is_signed);
        CHECK_EQ_INT(y->logical.utc, x->logical.utc);
        CHECK_EQ_INT(y->logical.unit, x->logical.unit);
        CHECK_EQ_INT(y->logical.algorithm, x->logical.algorithm);
        if (x->logical.crs) CHECK_EQ_STR(y->logical.crs, x->logical.crs);
        else CHECK(y->logical.crs == NULL);
    }
    REQUIRE_EQ_INT(d.pub.num_row_groups, 2);
    for (int g = 0; g < 2; g++) {
        const idbpq_row_group_meta *x = &rgs[g], *y = &d.pub.row_groups[g];
        CHECK_EQ_INT(y->num_rows, x->num_rows);
        CHECK_EQ_INT(y->total_byte_size, x->total_byte_size);
        CHECK_EQ_INT(y->total_compressed_size, x->total_compressed_size);
        CHECK_EQ_INT(y->file_offset, x->file_offset);
        CHECK_EQ_INT(y->ordinal, x->ordinal);
        REQUIRE_EQ_INT(y->num_sorting_columns, x->num_sorting_columns);
        for (int i = 0; i < y->num_sorting_columns; i++) {
            CHECK_EQ_INT(y->sorting_columns[i].column, sc[i].column);
            CHECK_EQ_INT(y->sorting_columns[i].descending, sc[i].descending);
            CHECK_EQ_INT(y->sorting_columns[i].nulls_first, sc[i].nulls_first);
        }
        REQUIRE_EQ_INT(y->num_columns, 5);
        for (int c = 0; c < 5; c++) {
            const idbpq_column_chunk_meta *p = &x->columns[c], *q = &y->columns[c];
            CHECK_EQ_STR(q->path, p->path);
            CHECK_EQ_INT(q->type, p->type);
            REQUIRE_EQ_INT(q->num_encodings, p->num_encodings);
            for (int e = 0; e < q->num_encodings; e++) CHECK_EQ_INT(q->encodings[e], encs[e]);
            CHECK_EQ_INT(q->codec, p->codec);
            CHECK_EQ_INT(q->num_values, p->num_values);
            CHECK_EQ_INT(q->total_uncompressed_size, p->total_uncompressed_size);
            CHECK_EQ_INT(q->total_compressed_size, p->total_compressed_size);
            CHECK_EQ_INT(q->data_page_offset, p->data_page_offset);
            CHECK_EQ_INT(q->dictionary_page_offset, p->dictionary_page_offset);
            CHECK_EQ_INT(q->index_page_offset, p->index_page_offset);
            CHECK_EQ_INT(q->bloom_filter_offset, p->bloom_filter_offset);
            CHECK_EQ_INT(q->bloom_filter_length, p->bloom_filter_length);
            CHECK_EQ_INT(q->offset_index_offset, p->offset_index_offset);
            CHECK_EQ_INT(q->offset_index_length, p->offset_index_length);
            CHECK_EQ_INT(q->column_index_offset, p->column_index_offset);
            CHECK_EQ_INT(q->column_index_length, p->column_index_length);
            CHECK_EQ_INT(q->has_statistics, p->has_statistics);
            check_stats(&q->statistics, &p->statistics);
            REQUIRE_EQ_INT(q->num_kv, p->num_kv);
            for (int k = 0; k < q->num_kv; k++) {
                CHECK_EQ_INT(q->kv[k].has_value, ckv[k].has_value);
                CHECK_EQ_INT(q->kv[k].key.len, ckv[k].key.len);
            }
            if (p->file_path) CHECK_EQ_STR(q->file_path, p->file_path);
            else CHECK(q->file_path == NULL);
            CHECK_EQ_INT(q->unencoded_byte_array_bytes, p->unencoded_byte_array_bytes);
            CHECK_EQ_INT(q->encrypted, 0);
        }
    }
    /* What we decoded encodes to the same bytes. */
    REQUIRE_OK(idbpq__meta_encode_file(&d, &b2));
    CHECK_EQ_INT(b2.len, b1.len);
    if (b1.len == b2.len) CHECK_EQ_MEM(b1.p, b2.p, b1.len);
    idbpq__arena_free(&a);
    idbpq__buf_free(&b1);
    idbpq__buf_free(&b2);
}

/* A footer whose schema does not describe the columns still encodes, splitting paths. */
TEST(meta_encode_path_fallback_split)
{
    struct idbpq__schema_element sch[1];
    sch[0] = elem("root", -1, -1, 0);
    idbpq_column_chunk_meta cc;
    memset(&cc, 0, sizeof cc);
    cc.path = "p.q";
    cc.dictionary_page_offset = cc.index_page_offset = cc.bloom_filter_offset = -1;
    cc.bloom_filter_length = -1;
    cc.offset_index_offset = cc.column_index_offset = -1;
    cc.unencoded_byte_array_bytes = -1;
    idbpq_row_group_meta rg;
    memset(&rg, 0, sizeof rg);
    rg.num_columns = 1;
    rg.columns = &cc;
    rg.file_offset = rg.total_compressed_size = -1;
    rg.ordinal = -1;
    struct idbpq__file_metadata md;
    memset(&md, 0, sizeof md);
    md.n_schema = 1;
    md.schema = sch;
    md.pub.version = 1;
    md.pub.num_row_groups = 1;
    md.pub.row_groups = &rg;
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__meta_encode_file(&md, &b));
    static const uint8_t path_bytes[] = {0x19, 0x28, 1, 'p', 1, 'q'};
    CHECK(find_bytes(b.p, b.len, path_bytes, sizeof path_bytes) != NULL);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata d;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__meta_decode_file(b.p, b.len, 0, &a, &d, &err));
    CHECK_EQ_STR(d.pub.row_groups[0].columns[0].path, "p.q");
    CHECK(d.pub.created_by == NULL);
    CHECK_EQ_INT(d.pub.num_kv, 0);
    CHECK_EQ_INT(d.pub.num_column_orders, 0);
    idbpq__arena_free(&a);
    idbpq__buf_free(&b);
}

/* Unknown fields anywhere (a nested struct with a list and a map in FileMetaData, the binary
 * extension id 32767 in a SchemaElement, an unknown LogicalType id) are skipped. */
TEST(meta_footer_skips_unknown_fields)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 1);
    idbpq__thrift_w_field(&w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 2);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_binary_field(&w, 4, "root", 4);
    idbpq__thrift_w_i32_field(&w, 5, 1);
    idbpq__thrift_w_binary_field(&w, 32767, "ext", 3);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, IDBPQ_BYTE_ARRAY);
    idbpq__thrift_w_i32_field(&w, 3, IDBPQ_OPTIONAL);
    idbpq__thrift_w_binary_field(&w, 4, "v", 1);
    idbpq__thrift_w_field(&w, 10, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_field(&w, 19, IDBPQ__T_STRUCT); /* VECTOR, unknown to us */
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 5);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_i32_field(&w, 11, 3);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_i64_field(&w, 3, 0);
    idbpq__thrift_w_field(&w, 4, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 0);
    idbpq__thrift_w_field(&w, 20, IDBPQ__T_STRUCT);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_field(&w, 1, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 1);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i64_field(&w, 2, -9);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_field(&w, 2, IDBPQ__T_MAP);
    idbpq__buf_uleb(&b, 1);
    idbpq__buf_push(&b, IDBPQ__T_I32 << 4 | IDBPQ__T_STRUCT);
    idbpq__thrift_w_i32(&w, 5);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_struct_end(&w);
    idbpq__thrift_w_binary_field(&w, 21, "tail", 4);
    idbpq__thrift_w_struct_end(&w);
    REQUIRE_OK(w.st);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata d;
    struct idbpq__err err = {0};
    REQUIRE_OK(idbpq__meta_decode_file(b.p, b.len, 0, &a, &d, &err));
    REQUIRE_EQ_INT(d.n_schema, 2);
    CHECK_EQ_STR(d.schema[0].name, "root");
    CHECK_EQ_INT(d.schema[0].num_children, 1);
    CHECK_EQ_STR(d.schema[1].name, "v");
    CHECK_EQ_INT(d.schema[1].has_logical, 1);
    CHECK_EQ_INT(d.schema[1].logical.kind, IDBPQ_LT_UNKNOWN_ID);
    CHECK_EQ_INT(d.pub.num_row_groups, 0);
    CHECK_EQ_INT(d.has_encryption_algorithm, 0);
    /* the same footer without its last byte (the outer stop) is CORRUPT */
    CHECK_EQ_INT(idbpq__meta_decode_file(b.p, b.len - 1, 0, &a, &d, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "footer truncated at offset") != NULL);
    idbpq__arena_free(&a);
    idbpq__buf_free(&b);
}

/* Required fields and negative sizes: a footer without row_groups, a column with a negative
 * num_values. */
TEST(meta_footer_required_and_negative)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 1);
    idbpq__thrift_w_field(&w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 0);
    idbpq__thrift_w_i64_field(&w, 3, 0);
    idbpq__thrift_w_struct_end(&w);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__file_metadata d;
    struct idbpq__err err = {0};
    CHECK_EQ_INT(idbpq__meta_decode_file(b.p, b.len, 0, &a, &d, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "row_groups") != NULL);

    idbpq__buf_reset(&b);
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 1);
    idbpq__thrift_w_field(&w, 2, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 0);
    idbpq__thrift_w_i64_field(&w, 3, -4);
    idbpq__thrift_w_field(&w, 4, IDBPQ__T_LIST);
    idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 0);
    idbpq__thrift_w_struct_end(&w);
    CHECK_EQ_INT(idbpq__meta_decode_file(b.p, b.len, 50, &a, &d, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "num_rows is negative") != NULL);
    CHECK(strstr(err.msg, "offset 5") != NULL);
    idbpq__arena_free(&a);
    idbpq__buf_free(&b);
}
