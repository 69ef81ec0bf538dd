/* test_writer_rows.c — write_row shredding (LIST, MAP, structs, unannotated repeated fields,
 * nulls vs empty lists) checked against hand-derived Dremel levels; statistics and the
 * column index; error reporting and writer states. */
#include "test.h"
#include "test_writer_util.h"

#include <math.h>

#include "parquet/meta.h"

static idbpq_logical lt(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}

/*
 * root
 *   id   required int64                                                        col 0
 *   tags optional group (LIST) { repeated group list { optional binary element } } col 1
 *   m    optional group (MAP) { repeated group key_value { required binary key;   col 2
 *                                                          optional int32 value } } col 3
 *   s    optional group { required int32 a; optional group b { optional double c } } 4, 5
 *   ll   required group (LIST) { repeated group list { required group element (LIST)
 *            { repeated group list { required int32 element } } } }           col 6
 *   rep  repeated int32                                                        col 7
 */
static idbpq_schema *nested_schema(void)
{
    idbpq_schema *s;
    int32_t n, g, kv, e, b;
    idbpq_logical L = lt(IDBPQ_LT_LIST), M = lt(IDBPQ_LT_MAP), S = lt(IDBPQ_LT_STRING);
    if (idbpq_schema_create(&s, NULL)) return NULL;
    idbpq_schema_add(s, 0, "id", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL, &n);
    idbpq_schema_add(s, 0, "tags", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &L, &g);
    idbpq_schema_add(s, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &n);
    idbpq_schema_add(s, n, "element", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &S, &n);
    idbpq_schema_add(s, 0, "m", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &M, &g);
    idbpq_schema_add(s, g, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &kv);
    idbpq_schema_add(s, kv, "key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &S, &n);
    idbpq_schema_add(s, kv, "value", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, NULL, &n);
    idbpq_schema_add(s, 0, "s", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL, &g);
    idbpq_schema_add(s, g, "a", IDBPQ_REQUIRED, IDBPQ_INT32, 0, NULL, &n);
    idbpq_schema_add(s, g, "b", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL, &b);
    idbpq_schema_add(s, b, "c", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL, &n);
    idbpq_schema_add(s, 0, "ll", IDBPQ_REQUIRED, IDBPQ_GROUP, 0, &L, &g);
    idbpq_schema_add(s, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &n);
    idbpq_schema_add(s, n, "element", IDBPQ_REQUIRED, IDBPQ_GROUP, 0, &L, &e);
    idbpq_schema_add(s, e, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &n);
    idbpq_schema_add(s, n, "element", IDBPQ_REQUIRED, IDBPQ_INT32, 0, NULL, &n);
    idbpq_schema_add(s, 0, "rep", IDBPQ_REPEATED, IDBPQ_INT32, 0, NULL, &n);
    if (idbpq_schema_finish(s)) {
        fprintf(stderr, "schema: %s\n", idbpq_schema_errmsg(s));
        idbpq_schema_free(s);
        return NULL;
    }
    return s;
}

/* Datum builders over a static pool (tests only). */
static idbpq_datum pool[512];
static int pool_n;
static idbpq_datum D_null(void) { idbpq_datum d; memset(&d, 0, sizeof d); return d; }
static idbpq_datum D_i64(int64_t v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_INT64; d.u.i64 = v; return d; }
static idbpq_datum D_i32(int32_t v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_INT32; d.u.i32 = v; return d; }
static idbpq_datum D_f64(double v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_DOUBLE; d.u.f64 = v; return d; }
static idbpq_datum D_str(const char *s)
{
    idbpq_datum d = D_null();
    d.kind = IDBPQ_DATUM_BYTES;
    d.len = (uint32_t)strlen(s);
    d.u.bytes = (const uint8_t *)s;
    return d;
}
static idbpq_datum D_items(int kind, int n, const idbpq_datum *it)
{
    idbpq_datum d = D_null();
    d.kind = (uint8_t)kind;
    d.len = (uint32_t)(kind == IDBPQ_DATUM_MAP ? n / 2 : n);
    d.u.items = &pool[pool_n];
    for (int i = 0; i < n; i++) pool[pool_n++] = it[i];
    return d;
}
#define LIST(...) D_items(IDBPQ_DATUM_LIST, (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum)), (idbpq_datum[]){__VA_ARGS__})
#define MAP(...) D_items(IDBPQ_DATUM_MAP, (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum)), (idbpq_datum[]){__VA_ARGS__})
#define GROUP(...) D_items(IDBPQ_DATUM_GROUP, (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum)), (idbpq_datum[]){__VA_ARGS__})
static idbpq_datum D_empty(int kind) { return D_items(kind, 0, NULL); }

static void make_rows(idbpq_datum rows[4])
{
    pool_n = 0;
    rows[0] = GROUP(D_i64(1), LIST(D_str("a"), D_null(), D_str("b")),
                    MAP(D_str("k1"), D_i32(1), D_str("k2"), D_null()),
                    GROUP(D_i32(1), GROUP(D_f64(2.5))),
                    LIST(LIST(D_i32(1), D_i32(2)), LIST(D_i32(3))), LIST(D_i32(7), D_i32(8)));
    rows[1] = GROUP(D_i64(2), D_null(), D_null(), D_null(), D_empty(IDBPQ_DATUM_LIST),
                    D_empty(IDBPQ_DATUM_LIST));
    rows[2] = GROUP(D_i64(3), D_empty(IDBPQ_DATUM_LIST), D_empty(IDBPQ_DATUM_MAP),
                    GROUP(D_i32(2), D_null()),
                    LIST(D_empty(IDBPQ_DATUM_LIST), LIST(D_i32(4))), LIST(D_i32(9)));
    rows[3] = GROUP(D_i64(4), LIST(D_null()), MAP(D_str("k3"), D_i32(5)),
                    GROUP(D_i32(3), GROUP(D_null())), LIST(LIST(D_i32(5))), D_null());
}

struct expect {
    int max_def, max_rep, type;
    int n;
    uint16_t def[8], rep[8];
    const char *vals; /* values as text, space separated */
};

static const struct expect want[8] = {
    {0, 0, IDBPQ_INT64, 4, {0, 0, 0, 0}, {0, 0, 0, 0}, "1 2 3 4"},
    {3, 1, IDBPQ_BYTE_ARRAY, 6, {3, 2, 3, 0, 1, 2}, {0, 1, 1, 0, 0, 0}, "a b"},
    {2, 1, IDBPQ_BYTE_ARRAY, 5, {2, 2, 0, 1, 2}, {0, 1, 0, 0, 0}, "k1 k2 k3"},
    {3, 1, IDBPQ_INT32, 5, {3, 2, 0, 1, 3}, {0, 1, 0, 0, 0}, "1 5"},
    {1, 0, IDBPQ_INT32, 4, {1, 0, 1, 1}, {0, 0, 0, 0}, "1 2 3"},
    {3, 0, IDBPQ_DOUBLE, 4, {3, 0, 1, 2}, {0, 0, 0, 0}, "2.5"},
    {2, 2, IDBPQ_INT32, 7, {2, 2, 2, 0, 1, 2, 2}, {0, 2, 1, 0, 0, 1, 0}, "1 2 3 4 5"},
    {1, 1, IDBPQ_INT32, 5, {1, 1, 0, 1, 0}, {0, 1, 0, 0, 0}, "7 8 9"},
};

static void value_text(int type, const uint8_t *p, size_t i, char *out, size_t n)
{
    switch (type) {
    case IDBPQ_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); snprintf(out, n, "%lld", (long long)v); break; }
    case IDBPQ_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); snprintf(out, n, "%d", v); break; }
    case IDBPQ_DOUBLE: { double v; memcpy(&v, p + 8 * i, 8); snprintf(out, n, "%g", v); break; }
    default: {
        idbpq_bytes b;
        memcpy(&b, p + i * sizeof b, sizeof b);
        snprintf(out, n, "%.*s", (int)b.len, (const char *)b.ptr);
    }
    }
}

static void check_nested(const struct tw_mem *mem, int copies)
{
    struct tw_file f;
    if (tw_parse(&f, mem->b.p, mem->b.len)) {
        idbpq_test_fail(__FILE__, __LINE__, "parse: %s", f.err);
        tw_file_free(&f);
        return;
    }
    CHECK_EQ_INT(f.md.pub.num_rows, 4 * copies);
    for (int c = 0; c < 8; c++) {
        const struct expect *e = &want[c];
        struct tw_col col;
        tw_col_init(&col);
        if (tw_read_column(&f, c, e->max_def, e->max_rep, e->type, 0, &col)) {
            idbpq_test_fail(__FILE__, __LINE__, "column %d: %s", c, f.err);
            tw_col_free(&col);
            continue;
        }
        CHECK_EQ_INT(col.n_levels, (size_t)e->n * (size_t)copies);
        CHECK_EQ_INT(col.n_rows, 4 * copies);
        const uint16_t *d = (const uint16_t *)(const void *)col.def.p;
        const uint16_t *r = (const uint16_t *)(const void *)col.rep.p;
        int bad = 0;
        for (size_t i = 0; i < col.n_levels && i < (size_t)e->n * (size_t)copies; i++) {
            bad += d[i] != e->def[i % (size_t)e->n];
            bad += r[i] != e->rep[i % (size_t)e->n];
        }
        if (bad) idbpq_test_fail(__FILE__, __LINE__, "column %d: %d level mismatches", c, bad);
        char text[256] = "";
        size_t tl = 0;
        size_t per = col.n_values / (size_t)copies;
        for (size_t i = 0; i < per; i++) {
            char one[64];
            value_text(e->type, col.vals.p, i, one, sizeof one);
            tl += (size_t)snprintf(text + tl, sizeof text - tl, "%s%s", i ? " " : "", one);
        }
        CHECK_EQ_STR(text, e->vals);
        tw_col_free(&col);
    }
    tw_file_free(&f);
}

TEST(writer_rows_nested_levels)
{
    idbpq_schema *s = nested_schema();
    REQUIRE(s);
    const idbpq_schema_node *leaf = idbpq_schema_column(s, 6);
    REQUIRE(leaf);
    CHECK_EQ_INT(leaf->max_def, 2);
    CHECK_EQ_INT(leaf->max_rep, 2);
    idbpq_datum rows[4];
    make_rows(rows);
    for (int pv = 1; pv <= 2; pv++) {
        idbpq_writer_opts o;
        idbpq_writer_opts_init(&o);
        o.page_version = pv;
        o.page_rows = 3; /* several pages, each starting a row */
        struct tw_mem mem;
        idbpq_sink sink;
        tw_mem_init(&mem, &sink);
        idbpq_writer *w;
        REQUIRE_OK(idbpq_writer_open(&w, s, &sink, &o, NULL));
        int copies = 5;
        for (int k = 0; k < copies; k++)
            for (int i = 0; i < 4; i++) CHECK_OK(idbpq_writer_write_row(w, &rows[i]));
        REQUIRE_OK(idbpq_writer_finish(w));
        CHECK_EQ_INT(idbpq_writer_bytes_written(w), mem.b.len);
        idbpq_writer_free(w);
        check_nested(&mem, copies);
        tw_mem_free(&mem);
    }
    idbpq_schema_free(s);
}

TEST(writer_rows_errors_leave_nothing_behind)
{
    idbpq_schema *s = nested_schema();
    REQUIRE(s);
    idbpq_datum rows[4];
    make_rows(rows);
    struct tw_mem mem;
    idbpq_sink sink;
    tw_mem_init(&mem, &sink);
    idbpq_writer *w;
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, NULL, NULL));
    CHECK_OK(idbpq_writer_write_row(w, &rows[0]));
    CHECK_OK(idbpq_writer_write_row(w, &rows[1]));
    /* A null for required field id, after the row's other fields were staged. */
    idbpq_datum bad = rows[2];
    idbpq_datum items[6];
    memcpy(items, bad.u.items, sizeof items);
    bad.u.items = items;
    items[0] = D_null();
    CHECK_EQ_INT(idbpq_writer_write_row(w, &bad), IDBPQ_SCHEMA);
    CHECK(strstr(idbpq_writer_errmsg(w), "id") != NULL);
    /* A null in the last field: the earlier fields' levels must be rolled back. */
    items[0] = D_i64(3);
    items[4] = D_null();
    CHECK_EQ_INT(idbpq_writer_write_row(w, &bad), IDBPQ_SCHEMA);
    CHECK(strstr(idbpq_writer_errmsg(w), "ll") != NULL);
    /* Wrong kind for a leaf. */
    items[4] = rows[2].u.items[4];
    items[3] = D_i32(5);
    CHECK_EQ_INT(idbpq_writer_write_row(w, &bad), IDBPQ_SCHEMA);
    CHECK(strstr(idbpq_writer_errmsg(w), "field s") != NULL);
    CHECK_OK(idbpq_writer_write_row(w, &rows[2]));
    CHECK_OK(idbpq_writer_write_row(w, &rows[3]));
    REQUIRE_OK(idbpq_writer_finish(w));
    CHECK_EQ_INT(idbpq_writer_write_row(w, &rows[0]), IDBPQ_STATE);
    CHECK_EQ_INT(idbpq_writer_finish(w), IDBPQ_STATE);
    idbpq_writer_free(w);
    check_nested(&mem, 1);
    tw_mem_free(&mem);
    idbpq_schema_free(s);
}

TEST(writer_columns_validation)
{
    idbpq_schema *s = nested_schema();
    REQUIRE(s);
    struct tw_mem mem;
    idbpq_sink sink;
    tw_mem_init(&mem, &sink);
    idbpq_writer *w;
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, NULL, NULL));
    /* Two rows, good batches for every column, then break one thing at a time. */
    int64_t ids[2] = {1, 2};
    idbpq_bytes strs[2] = {{(const uint8_t *)"x", 1}, {(const uint8_t *)"y", 1}};
    int32_t i32[4] = {1, 2, 3, 4};
    double dd[1] = {1.5};
    uint16_t def_tags[2] = {3, 0}, rep0[4] = {0, 0, 0, 0};
    uint16_t def_k[2] = {2, 0}, def_v[2] = {3, 0}, def_a[2] = {1, 1}, def_c[2] = {3, 1};
    uint16_t def_ll[3] = {2, 2, 0}, rep_ll[3] = {0, 2, 0}, def_rep[2] = {1, 0};
    idbpq_column_batch b[8] = {
        {2, 2, 2, NULL, NULL, ids, IDBPQ_INT64, 0},
        {2, 1, 2, def_tags, rep0, strs, IDBPQ_BYTE_ARRAY, 0},
        {2, 1, 2, def_k, rep0, strs, IDBPQ_BYTE_ARRAY, 0},
        {2, 1, 2, def_v, rep0, i32, IDBPQ_INT32, 0},
        {2, 2, 2, def_a, NULL, i32, IDBPQ_INT32, 0},
        {2, 1, 2, def_c, NULL, dd, IDBPQ_DOUBLE, 0},
        {3, 2, 2, def_ll, rep_ll, i32, IDBPQ_INT32, 0},
        {2, 1, 2, def_rep, rep0, i32, IDBPQ_INT32, 0},
    };
    CHECK_OK(idbpq_writer_write_columns(w, b, 2));
    uint16_t bad_def[3] = {2, 3, 0};
    b[6].def = bad_def;
    CHECK_EQ_INT(idbpq_writer_write_columns(w, b, 2), IDBPQ_SCHEMA);
    CHECK(strstr(idbpq_writer_errmsg(w), "ll.list.element.list.element") != NULL);
    b[6].def = def_ll;
    uint16_t bad_rep[3] = {1, 2, 0};
    b[6].rep = bad_rep;
    CHECK_EQ_INT(idbpq_writer_write_columns(w, b, 2), IDBPQ_SCHEMA);
    b[6].rep = rep_ll;
    b[4].n_values = 1;
    CHECK_EQ_INT(idbpq_writer_write_columns(w, b, 2), IDBPQ_INVALID_ARG);
    b[4].n_values = 2;
    b[0].type = IDBPQ_INT32;
    CHECK_EQ_INT(idbpq_writer_write_columns(w, b, 2), IDBPQ_INVALID_ARG);
    b[0].type = IDBPQ_INT64;
    CHECK_EQ_INT(idbpq_writer_write_columns(w, b, 3), IDBPQ_INVALID_ARG);
    CHECK_OK(idbpq_writer_write_columns(w, b, 2));
    REQUIRE_OK(idbpq_writer_finish(w));
    idbpq_writer_free(w);
    struct tw_file f;
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    CHECK_EQ_INT(f.md.pub.num_rows, 4);
    struct tw_col col;
    tw_col_init(&col);
    CHECK_OK(tw_read_column(&f, 6, 2, 2, IDBPQ_INT32, 0, &col));
    CHECK_EQ_INT(col.n_levels, 6);
    tw_col_free(&col);
    tw_file_free(&f);
    tw_mem_free(&mem);
    idbpq_schema_free(s);
}

TEST(writer_statistics_and_column_index)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    int32_t n;
    idbpq_logical S = lt(IDBPQ_LT_STRING);
    REQUIRE_OK(idbpq_schema_add(s, 0, "i", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, NULL, &n));
    REQUIRE_OK(idbpq_schema_add(s, 0, "t", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &S, &n));
    REQUIRE_OK(idbpq_schema_add(s, 0, "d", IDBPQ_REQUIRED, IDBPQ_DOUBLE, 0, NULL, &n));
    REQUIRE_OK(idbpq_schema_finish(s));
    enum { N = 1000 };
    static int32_t iv[N];
    static idbpq_bytes tv[N];
    static double dv[N];
    static uint16_t idef[N], tdef[N];
    static char tb[N][48];
    size_t ni = 0, nt = 0;
    int32_t imin = INT32_MAX, imax = INT32_MIN;
    for (int r = 0; r < N; r++) {
        idef[r] = r % 10 != 0;
        if (idef[r]) {
            iv[ni] = (r * 37) % 1001 - 500;
            imin = iv[ni] < imin ? iv[ni] : imin;
            imax = iv[ni] > imax ? iv[ni] : imax;
            ni++;
        }
        tdef[r] = r < 400 || r >= 600; /* rows 400..599 null: a null page with page_rows 100 */
        if (tdef[r]) {
            tv[nt].len = (uint32_t)snprintf(tb[nt], 48, "%c-long-string-value-%04d", 'b' + r % 20, r);
            tv[nt].ptr = (const uint8_t *)tb[nt];
            nt++;
        }
        dv[r] = r == 5 ? NAN : (double)r - 0.5;
    }
    idbpq_writer_opts o;
    idbpq_writer_opts_init(&o);
    o.page_rows = 100;
    o.max_stat_bytes = 8;
    struct tw_mem mem;
    idbpq_sink sink;
    tw_mem_init(&mem, &sink);
    idbpq_writer *w;
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, &o, NULL));
    idbpq_column_batch b[3] = {
        {N, ni, N, idef, NULL, iv, IDBPQ_INT32, 0},
        {N, nt, N, tdef, NULL, tv, IDBPQ_BYTE_ARRAY, 0},
        {N, N, N, NULL, NULL, dv, IDBPQ_DOUBLE, 0},
    };
    REQUIRE_OK(idbpq_writer_write_columns(w, b, N));
    REQUIRE_OK(idbpq_writer_finish(w));
    idbpq_writer_free(w);
    struct tw_file f;
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    const idbpq_column_chunk_meta *m = f.md.pub.row_groups[0].columns;
    REQUIRE(m[0].has_statistics);
    CHECK_EQ_INT(m[0].statistics.null_count, N - (int64_t)ni);
    REQUIRE(m[0].statistics.has_min && m[0].statistics.min.len == 4);
    int32_t got;
    memcpy(&got, m[0].statistics.min.ptr, 4);
    CHECK_EQ_INT(got, imin);
    memcpy(&got, m[0].statistics.max.ptr, 4);
    CHECK_EQ_INT(got, imax);
    /* Truncated strings: min a prefix, max a prefix bumped at its last byte. */
    CHECK_EQ_INT(m[1].statistics.null_count, N - (int64_t)nt);
    CHECK_EQ_INT(m[1].statistics.min.len, 8);
    CHECK_EQ_MEM(m[1].statistics.min.ptr, "b-long-s", 8);
    CHECK_EQ_INT(m[1].statistics.max.len, 8);
    CHECK_EQ_MEM(m[1].statistics.max.ptr, "u-long-t", 8);
    CHECK_EQ_INT(m[1].statistics.min_exact, 0);
    /* NaN never becomes min or max. */
    double dmin, dmax;
    memcpy(&dmin, m[2].statistics.min.ptr, 8);
    memcpy(&dmax, m[2].statistics.max.ptr, 8);
    CHECK(dmin == -0.5 && dmax == 998.5);
    CHECK_EQ_INT(f.md.pub.num_column_orders, 3);
    CHECK_EQ_INT(f.md.pub.column_orders[0], 1);
    /* Column index of "t": 10 pages, pages 4 and 5 all null. */
    REQUIRE(m[1].column_index_offset > 0);
    struct idbpq__column_index ci;
    struct idbpq__err err;
    REQUIRE_OK(idbpq__column_index_decode(f.p + m[1].column_index_offset,
                                          (size_t)m[1].column_index_length,
                                          (uint64_t)m[1].column_index_offset, &f.arena, &ci,
                                          &err));
    CHECK_EQ_INT(ci.n, 10);
    if (ci.n == 10) {
        int64_t nulls = 0;
        for (int i = 0; i < 10; i++) {
            CHECK_EQ_INT(ci.null_pages[i], i == 4 || i == 5);
            nulls += ci.null_counts[i];
            if (!ci.null_pages[i]) CHECK(ci.min[i].len > 0 && ci.min[i].len <= 8);
        }
        CHECK_EQ_INT(nulls, N - (int64_t)nt);
    }
    /* The column index of "d" has NaN counts; page 0 holds the NaN. */
    REQUIRE(m[2].column_index_offset > 0);
    REQUIRE_OK(idbpq__column_index_decode(f.p + m[2].column_index_offset,
                                          (size_t)m[2].column_index_length,
                                          (uint64_t)m[2].column_index_offset, &f.arena, &ci,
                                          &err));
    if (ci.nan_counts) CHECK_EQ_INT(ci.nan_counts[0], 1);
    /* Page indexes sit after the last chunk and before the footer. */
    int64_t start = m[2].dictionary_page_offset >= 0 ? m[2].dictionary_page_offset
                                                    : m[2].data_page_offset;
    int64_t end_data = start + m[2].total_compressed_size;
    CHECK(m[0].column_index_offset >= end_data);
    CHECK(m[0].offset_index_offset > m[2].column_index_offset);
    tw_file_free(&f);
    tw_mem_free(&mem);
    idbpq_schema_free(s);
}

TEST(writer_options_and_sink_errors)
{
    idbpq_schema *s = nested_schema();
    REQUIRE(s);
    idbpq_sink sink;
    struct tw_mem mem;
    tw_mem_init(&mem, &sink);
    idbpq_writer *w = (idbpq_writer *)&mem;
    idbpq_writer_opts o;
    idbpq_writer_opts_init(&o);
    o.page_version = 3;
    CHECK_EQ_INT(idbpq_writer_open(&w, s, &sink, &o, NULL), IDBPQ_INVALID_ARG);
    CHECK(w == NULL);
    CHECK(strstr(idbpq_writer_errmsg(NULL), "page_version") != NULL);
    idbpq_writer_opts_init(&o);
    idbpq_column_opts co = {"nope", IDBPQ_ENC_PLAIN, -1, -1, 0, NULL};
    o.column_opts = &co;
    o.num_column_opts = 1;
    CHECK_EQ_INT(idbpq_writer_open(&w, s, &sink, &o, NULL), IDBPQ_INVALID_ARG);
    CHECK(strstr(idbpq_writer_errmsg(NULL), "nope") != NULL);
    co.path = "tags.list.element";
    co.encoding = IDBPQ_ENC_DELTA_BINARY_PACKED;
    CHECK_EQ_INT(idbpq_writer_open(&w, s, &sink, &o, NULL), IDBPQ_INVALID_ARG);
    CHECK(strstr(idbpq_writer_errmsg(NULL), "tags.list.element") != NULL);
    /* Column kv, file kv, created_by end up in the footer. */
    idbpq_kv kv = {{(const uint8_t *)"k", 1}, {(const uint8_t *)"v", 1}, 1};
    co.encoding = IDBPQ_ENC_AUTO;
    co.num_kv = 1;
    co.kv = &kv;
    o.kv = &kv;
    o.num_kv = 1;
    o.created_by = "tester";
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, &o, NULL));
    idbpq_datum rows[4];
    make_rows(rows);
    CHECK_OK(idbpq_writer_write_row(w, &rows[0]));
    CHECK_OK(idbpq_writer_flush_row_group(w));
    CHECK_OK(idbpq_writer_flush_row_group(w)); /* empty: nothing */
    CHECK_OK(idbpq_writer_write_row(w, &rows[1]));
    REQUIRE_OK(idbpq_writer_finish(w));
    idbpq_writer_free(w);
    struct tw_file f;
    REQUIRE_OK(tw_parse(&f, mem.b.p, mem.b.len));
    CHECK_EQ_INT(f.md.pub.num_row_groups, 2);
    CHECK_EQ_STR(f.md.pub.created_by, "tester");
    CHECK_EQ_INT(f.md.pub.num_kv, 1);
    CHECK_EQ_INT(f.md.pub.row_groups[0].columns[1].num_kv, 1);
    CHECK_EQ_INT(f.md.pub.row_groups[0].columns[0].num_kv, 0);
    tw_file_free(&f);
    tw_mem_free(&mem);
    /* A sink that fails: IO, then STATE. */
    tw_mem_init(&mem, &sink);
    mem.fail_after = 2;
    REQUIRE_OK(idbpq_writer_open(&w, s, &sink, NULL, NULL));
    CHECK_OK(idbpq_writer_write_row(w, &rows[0]));
    CHECK_EQ_INT(idbpq_writer_finish(w), IDBPQ_IO);
    CHECK(strstr(idbpq_writer_errmsg(w), "row group 0") != NULL);
    CHECK_EQ_INT(idbpq_writer_write_row(w, &rows[0]), IDBPQ_STATE);
    idbpq_writer_free(w);
    tw_mem_free(&mem);
    idbpq_writer_free(NULL);
    idbpq_schema_free(s);
}
