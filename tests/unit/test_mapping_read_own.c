/*
 * test_mapping_read_own.c — reading idbpq's own format: datum rows built by hand and read
 * with a hand-written type map (every jsnode kind, absences, `_raw`), then the same with
 * datums and type maps that lie (each must be an error naming the column, never a crash).
 * Round trips through the record writer are in test_mapping_read_rt.c.
 */
#include <math.h>
#include <stdlib.h>

#include "mapping/mapping.h"
#include "test.h"
#include "test_writer_util.h"

static int32_t add(idbpq_schema *s, int32_t parent, const char *name, idbpq_repetition rep,
                   idbpq_type t, int32_t len, idbpq_logical_kind k)
{
    idbpq_logical lg;
    memset(&lg, 0, sizeof lg);
    lg.kind = k;
    if (k == IDBPQ_LT_DECIMAL) lg.precision = 38;
    if (k == IDBPQ_LT_TIMESTAMP) lg.utc = 1;
    int32_t n = -1;
    idbpq_schema_add(s, parent, name, rep, t, len, k ? &lg : NULL, &n);
    return n;
}

static int32_t add_list(idbpq_schema *s, const char *name, idbpq_type t, idbpq_repetition er,
                        idbpq_logical_kind k)
{
    int32_t g = add(s, 0, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, IDBPQ_LT_LIST);
    int32_t r = add(s, g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, 0);
    add(s, r, "element", er, t, 0, k);
    return g;
}

/* Schema nodes of the test file, by name. */
static struct {
    int32_t key, b, n, d, bi, bd, bt, s, t, buf, dv, f16, i16, o, ox, oxa, oy, arr, set, m, blob,
        file, js, nul, seven, u32, raw;
} N;

static idbpq_schema *own_schema(void)
{
    idbpq_schema *s;
    if (idbpq_schema_create(&s, NULL) != IDBPQ_OK) return NULL;
    const idbpq_repetition O = IDBPQ_OPTIONAL, Q = IDBPQ_REQUIRED;
    N.key = add(s, 0, "_key", Q, IDBPQ_INT64, 0, 0);
    N.b = add(s, 0, "b", O, IDBPQ_BOOLEAN, 0, 0);
    N.n = add(s, 0, "n", O, IDBPQ_INT64, 0, 0);
    N.d = add(s, 0, "d", O, IDBPQ_DOUBLE, 0, 0);
    N.bi = add(s, 0, "bi", O, IDBPQ_INT64, 0, 0);
    N.bd = add(s, 0, "bd", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, IDBPQ_LT_DECIMAL);
    N.bt = add(s, 0, "bt", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    N.s = add(s, 0, "s", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    N.t = add(s, 0, "t", O, IDBPQ_INT64, 0, IDBPQ_LT_TIMESTAMP);
    N.buf = add(s, 0, "buf", O, IDBPQ_BYTE_ARRAY, 0, 0);
    N.dv = add(s, 0, "dv", O, IDBPQ_BYTE_ARRAY, 0, 0);
    N.f16 = add_list(s, "f16", IDBPQ_FLOAT, Q, 0);
    N.i16 = add_list(s, "i16", IDBPQ_INT32, Q, 0);
    N.o = add(s, 0, "o", O, IDBPQ_GROUP, 0, 0);
    N.ox = add(s, N.o, "x", O, IDBPQ_INT64, 0, 0);
    N.oxa = add(s, N.o, "x__absent", O, IDBPQ_INT32, 0, 0);
    N.oy = add(s, N.o, "y", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    N.arr = add_list(s, "arr", IDBPQ_BYTE_ARRAY, O, IDBPQ_LT_STRING);
    N.set = add_list(s, "set", IDBPQ_INT64, O, 0);
    N.m = add(s, 0, "m", O, IDBPQ_GROUP, 0, IDBPQ_LT_MAP);
    int32_t kv = add(s, N.m, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, 0);
    add(s, kv, "key", Q, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    add(s, kv, "value", O, IDBPQ_DOUBLE, 0, 0);
    N.blob = add(s, 0, "blob", O, IDBPQ_GROUP, 0, 0);
    add(s, N.blob, "type", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    add(s, N.blob, "size", O, IDBPQ_INT64, 0, 0);
    add(s, N.blob, "data", O, IDBPQ_BYTE_ARRAY, 0, 0);
    N.file = add(s, 0, "file", O, IDBPQ_GROUP, 0, 0);
    add(s, N.file, "name", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    add(s, N.file, "type", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_STRING);
    add(s, N.file, "size", O, IDBPQ_INT64, 0, 0);
    add(s, N.file, "lastModified", O, IDBPQ_INT64, 0, IDBPQ_LT_TIMESTAMP);
    add(s, N.file, "data", O, IDBPQ_BYTE_ARRAY, 0, 0);
    N.js = add(s, 0, "js", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_JSON);
    N.nul = add(s, 0, "nul", O, IDBPQ_INT32, 0, IDBPQ_LT_NULL);
    N.seven = add(s, 0, "7", O, IDBPQ_INT64, 0, 0);
    N.u32 = add_list(s, "u32", IDBPQ_INT64, Q, 0);
    N.raw = add(s, 0, "_raw", O, IDBPQ_BYTE_ARRAY, 0, IDBPQ_LT_JSON);
    if (idbpq_schema_finish(s) != IDBPQ_OK) {
        fprintf(stderr, "own schema: %s\n", idbpq_schema_errmsg(s));
        idbpq_schema_free(s);
        return NULL;
    }
    return s;
}

/* ---- the type map ------------------------------------------------------------------------------ */

static idbpq_vbatch *names;                  /* property names */
static struct idbpq__jsnode kids[32], okids[2], elems[4];

static struct idbpq__jsnode J(int js, int32_t node, int absent, const char *prop)
{
    struct idbpq__jsnode j;
    memset(&j, 0, sizeof j);
    j.js = (uint8_t)js;
    j.node = node;
    j.absent = (uint8_t)absent;
    j.absent_node = -1;
    if (prop) j.prop = idbpq_value_string_utf8(names, prop, strlen(prop));
    return j;
}

static int32_t elem_of(const idbpq_schema *s, int32_t list)
{
    return idbpq_schema_node_at(s, list)->element;
}

static void own_typemap(const idbpq_schema *s, struct idbpq__typemap *tm)
{
    enum { M = IDBPQ__ABS_MISSING, NU = IDBPQ__ABS_NULL, U = IDBPQ__ABS_UNDEFINED };
    if (!names) idbpq_vbatch_create(&names, NULL);
    memset(tm, 0, sizeof *tm);
    int k = 0;
    kids[k++] = J(IDBPQ__JS_BOOLEAN, N.b, M, "b");
    kids[k++] = J(IDBPQ__JS_INT, N.n, NU, "n");
    kids[k++] = J(IDBPQ__JS_DOUBLE, N.d, U, "d");
    kids[k++] = J(IDBPQ__JS_BIGINT, N.bi, M, "bi");
    kids[k++] = J(IDBPQ__JS_BIGINT_DEC, N.bd, M, "bd");
    kids[k++] = J(IDBPQ__JS_BIGINT_TEXT, N.bt, M, "bt");
    kids[k++] = J(IDBPQ__JS_STRING, N.s, M, "s");
    kids[k++] = J(IDBPQ__JS_DATE, N.t, M, "t");
    kids[k] = J(IDBPQ__JS_BINARY, N.buf, M, "buf");
    kids[k++].view = IDBPQ__VIEW_BUFFER;
    kids[k] = J(IDBPQ__JS_BINARY, N.dv, M, "dv");
    kids[k++].view = IDBPQ_VIEW_DATAVIEW;
    kids[k] = J(IDBPQ__JS_TYPED, N.f16, M, "f16");
    kids[k++].view = IDBPQ_VIEW_FLOAT16;
    kids[k] = J(IDBPQ__JS_TYPED, N.i16, M, "i16");
    kids[k++].view = IDBPQ_VIEW_INT16;
    okids[0] = J(IDBPQ__JS_INT, N.ox, M, "x");
    okids[0].absent_node = N.oxa;
    okids[1] = J(IDBPQ__JS_STRING, N.oy, M, "y");
    kids[k] = J(IDBPQ__JS_OBJECT, N.o, M, "o");
    kids[k].children = okids;
    kids[k++].n_children = 2;
    elems[0] = J(IDBPQ__JS_STRING, elem_of(s, N.arr), NU, NULL);
    kids[k] = J(IDBPQ__JS_ARRAY, N.arr, M, "arr");
    kids[k].children = &elems[0];
    kids[k++].n_children = 1;
    elems[1] = J(IDBPQ__JS_INT, elem_of(s, N.set), U, NULL);
    kids[k] = J(IDBPQ__JS_SET, N.set, M, "set");
    kids[k].children = &elems[1];
    kids[k++].n_children = 1;
    const idbpq_schema_node *mn = idbpq_schema_node_at(s, N.m);
    elems[2] = J(IDBPQ__JS_STRING, mn->element, M, NULL);
    elems[3] = J(IDBPQ__JS_DOUBLE, mn->map_value, NU, NULL);
    kids[k] = J(IDBPQ__JS_MAP, N.m, M, "m");
    kids[k].children = &elems[2];
    kids[k++].n_children = 2;
    kids[k++] = J(IDBPQ__JS_BLOB, N.blob, M, "blob");
    kids[k++] = J(IDBPQ__JS_FILE, N.file, M, "file");
    kids[k++] = J(IDBPQ__JS_JSON, N.js, M, "js");
    kids[k++] = J(IDBPQ__JS_NULL, N.nul, NU, "nul");
    kids[k] = J(IDBPQ__JS_INT, N.seven, M, "7");
    kids[k++].key_number = 1;
    kids[k] = J(IDBPQ__JS_TYPED, N.u32, M, "u32");
    kids[k++].view = IDBPQ_VIEW_UINT32;
    tm->value = J(IDBPQ__JS_OBJECT, 0, M, NULL);
    tm->value.children = kids;
    tm->value.n_children = (uint32_t)k;
    tm->value_is_root = 1;
    tm->has_key = 1;
    tm->key = J(IDBPQ__JS_INT, N.key, M, NULL);
    tm->raw_node = N.raw;
    tm->raw_key_node = -1;
}

/* ---- rows ------------------------------------------------------------------------------------- */

static idbpq_datum pool[1024];
static int pool_n;
static idbpq_datum D_null(void) { idbpq_datum d; memset(&d, 0, sizeof d); return d; }
static idbpq_datum D_bool(int v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_BOOLEAN; d.u.boolean = v; return d; }
static idbpq_datum D_i32(int32_t v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_INT32; d.u.i32 = v; return d; }
static idbpq_datum D_i64(int64_t v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_INT64; d.u.i64 = v; return d; }
static idbpq_datum D_f32(float v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_FLOAT; d.u.f32 = v; return d; }
static idbpq_datum D_f64(double v) { idbpq_datum d = D_null(); d.kind = IDBPQ_DATUM_DOUBLE; d.u.f64 = v; return d; }
static idbpq_datum D_bytes(const void *p, uint32_t n)
{
    idbpq_datum d = D_null();
    d.kind = IDBPQ_DATUM_BYTES;
    d.len = n;
    d.u.bytes = p;
    return d;
}
static idbpq_datum D_str(const char *s) { return D_bytes(s, (uint32_t)strlen(s)); }
static idbpq_datum D_items(int kind, int n, const idbpq_datum *it)
{
    idbpq_datum d = D_null();
    d.kind = (uint8_t)kind;
    d.len = (uint32_t)(kind == IDBPQ_DATUM_MAP ? n / 2 : n);
    d.u.items = &pool[pool_n];
    for (int i = 0; i < n; i++) pool[pool_n++] = it[i];
    return d;
}
#define NARGS(...) (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum))
#define LIST(...) D_items(IDBPQ_DATUM_LIST, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define MAP(...) D_items(IDBPQ_DATUM_MAP, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define GROUP(...) D_items(IDBPQ_DATUM_GROUP, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})

static const uint8_t minus_2_64[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Row A: every column present. */
static idbpq_datum row_a(void)
{
    pool_n = 0;
    return GROUP(D_i64(1), D_bool(1), D_i64(42), D_f64(-0.0), D_i64(-5), D_bytes(minus_2_64, 16),
                 D_str("123456789012345678901234567890"), D_str("ab"), D_i64(1700000000000LL),
                 D_bytes("\x01\x02", 2), D_bytes("\x01\x02\x03", 3),
                 LIST(D_f32(1.0f), D_f32(65504.0f), D_f32(5.9604644775390625e-8f), D_f32(-0.0f)),
                 LIST(D_i32(-32768), D_i32(1)), GROUP(D_i64(1), D_null(), D_str("z")),
                 LIST(D_str("p"), D_null()), LIST(D_i64(1), D_null(), D_i64(1)),
                 MAP(D_str("k"), D_f64(2.5)),
                 GROUP(D_str("text/plain"), D_i64(2), D_bytes("hi", 2)),
                 GROUP(D_str("a.txt"), D_str(""), D_i64(0), D_i64(1700000000000LL), D_bytes("", 0)),
                 D_str("{\"$date\":5}"), D_null(), D_i64(9), LIST(D_i64(4294967295LL)), D_null());
}

static const char want_a[] =
    "1 {\"b\":true,\"n\":42,\"d\":{\"$number\":\"-0\"},\"bi\":{\"$bigint\":\"-5\"},"
    "\"bd\":{\"$bigint\":\"-18446744073709551616\"},"
    "\"bt\":{\"$bigint\":\"123456789012345678901234567890\"},\"s\":\"ab\","
    "\"t\":{\"$date\":1700000000000},\"buf\":{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"},"
    "\"dv\":{\"$binary\":\"AQID\",\"$type\":\"DataView\"},"
    "\"f16\":{\"$binary\":\"ADz/ewEAAIA=\",\"$type\":\"Float16Array\"},"
    "\"i16\":{\"$binary\":\"AIABAA==\",\"$type\":\"Int16Array\"},\"o\":{\"x\":1,\"y\":\"z\"},"
    "\"arr\":[\"p\",null],\"set\":{\"$set\":[1,{\"$undefined\":true}]},"
    "\"m\":{\"$map\":[[\"k\",2.5]]},"
    "\"blob\":{\"$blob\":{\"type\":\"text/plain\",\"size\":2,\"data\":\"aGk=\"}},"
    "\"file\":{\"$file\":{\"name\":\"a.txt\",\"type\":\"\",\"size\":0,"
    "\"lastModified\":1700000000000,\"data\":\"\"}},\"js\":{\"$date\":5},\"nul\":null,\"7\":9,"
    "\"u32\":{\"$binary\":\"/////w==\",\"$type\":\"Uint32Array\"}}";

/* Runs the conversion; on success *text is "KEY VALUE" in tagged JSON. */
static idbpq_status convert(const idbpq_schema *s, const struct idbpq__typemap *tm,
                            const idbpq_datum *row, char *text, size_t cap,
                            struct idbpq__err *err)
{
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    idbpq_value *k, *v;
    idbpq__err_clear(err);
    idbpq_status st = idbpq__fromdatum_row(b, s, tm, NULL, row, &k, &v, err);
    text[0] = 0;
    if (st == IDBPQ_OK) {
        idbpq_buffer kb, vb;
        idbpq_buffer_init(&kb, NULL);
        idbpq_buffer_init(&vb, NULL);
        if (k) idbpq_tjson_write(k, &kb);
        idbpq_tjson_write(v, &vb);
        snprintf(text, cap, "%.*s %.*s", (int)kb.len, kb.data ? (const char *)kb.data : "",
                 (int)vb.len, (const char *)vb.data);
        idbpq_buffer_free(&kb);
        idbpq_buffer_free(&vb);
    }
    idbpq_vbatch_free(b);
    return st;
}

TEST(mapping_read_own_kinds)
{
    idbpq_schema *s = own_schema();
    REQUIRE(s != NULL);
    struct idbpq__typemap tm;
    own_typemap(s, &tm);
    struct idbpq__err err;
    static char text[8192];
    idbpq_datum row = row_a();
    CHECK_OK(convert(s, &tm, &row, text, sizeof text, &err));
    CHECK_EQ_STR(text, want_a);

    /* Row B: absences. b missing, n null, d undefined; o.x by its sibling (2: undefined),
     * o.y missing; the others missing. */
    pool_n = 0;
    idbpq_datum items[24];
    for (int i = 0; i < 24; i++) items[i] = D_null();
    items[0] = D_i64(2);
    items[13] = GROUP(D_null(), D_i32(2), D_null());
    row = D_items(IDBPQ_DATUM_GROUP, 24, items);
    CHECK_OK(convert(s, &tm, &row, text, sizeof text, &err));
    CHECK_EQ_STR(text, "2 {\"n\":null,\"d\":{\"$undefined\":true},\"o\":{\"x\":{\"$undefined\":true}},"
                       "\"nul\":null}");
    /* Sibling 1: null; sibling null: missing. */
    items[13] = GROUP(D_null(), D_i32(1), D_null());
    row = D_items(IDBPQ_DATUM_GROUP, 24, items);
    CHECK_OK(convert(s, &tm, &row, text, sizeof text, &err));
    CHECK(strstr(text, "\"o\":{\"x\":null}") != NULL);
    items[13] = GROUP(D_null(), D_null(), D_null());
    row = D_items(IDBPQ_DATUM_GROUP, 24, items);
    CHECK_OK(convert(s, &tm, &row, text, sizeof text, &err));
    CHECK(strstr(text, "\"o\":{}") != NULL);

    /* Row C: `_raw` wins; the typed columns are not even looked at (b has a wrong kind). */
    items[1] = D_i32(77);
    items[23] = D_str("{\"only\":[1,{\"$bigint\":\"2\"}]}");
    row = D_items(IDBPQ_DATUM_GROUP, 24, items);
    CHECK_OK(convert(s, &tm, &row, text, sizeof text, &err));
    CHECK_EQ_STR(text, "2 {\"only\":[1,{\"$bigint\":\"2\"}]}");

    /* A `_value` column instead of an object at the root: its absence is undefined. */
    struct idbpq__typemap tv = tm;
    tv.value_is_root = 0;
    tv.value = J(IDBPQ__JS_STRING, N.s, IDBPQ__ABS_MISSING, NULL);
    tv.raw_node = -1;
    tv.raw_key_node = -1;
    row = row_a();
    CHECK_OK(convert(s, &tv, &row, text, sizeof text, &err));
    CHECK_EQ_STR(text, "1 \"ab\"");
    items[1] = D_null();
    row = D_items(IDBPQ_DATUM_GROUP, 24, items);
    CHECK_OK(convert(s, &tv, &row, text, sizeof text, &err));
    CHECK_EQ_STR(text, "2 {\"$undefined\":true}");
    idbpq_schema_free(s);
}

/* ---- lies ------------------------------------------------------------------------------------ */

#define EXPECT_FAIL(tm_, row_, st_, sub_)                                                    \
    do {                                                                                     \
        idbpq_status got_ = convert(s, (tm_), (row_), text, sizeof text, &err);              \
        CHECK_EQ_INT(got_, (st_));                                                           \
        if (!strstr(err.msg, (sub_)))                                                        \
            idbpq_test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", err.msg, (sub_)); \
    } while (0)

/* Row A with root item i replaced. */
static idbpq_datum row_a_with(int i, idbpq_datum d)
{
    idbpq_datum r = row_a();
    r.u.items[i] = d;
    return r;
}

TEST(mapping_read_own_lies)
{
    idbpq_schema *s = own_schema();
    REQUIRE(s != NULL);
    struct idbpq__typemap tm;
    own_typemap(s, &tm);
    struct idbpq__err err;
    static char text[8192];
    idbpq_datum row;
    const idbpq_status C = IDBPQ_CORRUPT;

    /* Datums of the wrong kind or content. */
    row = row_a_with(7, D_i64(3));
    EXPECT_FAIL(&tm, &row, C, "column s: expected a string, found INT64");
    row = row_a_with(7, D_str("a\xff"));
    EXPECT_FAIL(&tm, &row, C, "column s: invalid UTF-8 at byte 1");
    row = row_a_with(7, D_str("\xed\xa0\x80")); /* an encoded surrogate */
    EXPECT_FAIL(&tm, &row, C, "invalid UTF-8");
    row = row_a_with(7, D_str("\xc0\xaf")); /* overlong */
    EXPECT_FAIL(&tm, &row, C, "invalid UTF-8");
    row = row_a_with(1, D_i32(1));
    EXPECT_FAIL(&tm, &row, C, "column b: expected BOOLEAN, found INT32");
    row = row_a_with(6, D_str("12x"));
    EXPECT_FAIL(&tm, &row, C, "column bt: BigInt text has a non-digit");
    row = row_a_with(6, D_str("-"));
    EXPECT_FAIL(&tm, &row, C, "empty BigInt");
    row = row_a_with(5, D_bytes(minus_2_64, 0));
    EXPECT_FAIL(&tm, &row, C, "column bd: expected a 16-byte DECIMAL");
    row = row_a_with(12, LIST(D_i32(70000)));
    EXPECT_FAIL(&tm, &row, C, "column i16: element 0 does not fit");
    row = row_a_with(12, LIST(D_i32(1), D_null()));
    EXPECT_FAIL(&tm, &row, C, "column i16: expected INT32 elements, found null");
    row = row_a_with(11, LIST(D_f32(0.1f)));
    EXPECT_FAIL(&tm, &row, C, "column f16: element 0 does not fit");
    row = row_a_with(11, LIST(D_f32(1e6f)));
    EXPECT_FAIL(&tm, &row, C, "does not fit");
    row = row_a_with(22, LIST(D_i64(-1)));
    EXPECT_FAIL(&tm, &row, C, "column u32: element 0");
    row = row_a_with(12, D_i32(1));
    EXPECT_FAIL(&tm, &row, C, "column i16: expected a list, found INT32");
    row = row_a_with(13, GROUP(D_null(), D_i32(7), D_null()));
    EXPECT_FAIL(&tm, &row, C, "expected 1 (null) or 2 (undefined) in o.x__absent");
    row = row_a_with(13, GROUP(D_i64(1), D_null()));
    EXPECT_FAIL(&tm, &row, C, "column o: expected a group of its fields, found group");
    row = row_a_with(16, LIST(D_str("k")));
    EXPECT_FAIL(&tm, &row, C, "column m: expected a map, found list");
    row = row_a_with(17, GROUP(D_str("t"), D_i64(3), D_bytes("hi", 2)));
    EXPECT_FAIL(&tm, &row, C, "column blob: 2 bytes of data for a size of 3");
    row = row_a_with(17, GROUP(D_str("t"), D_i64(-3), D_null()));
    EXPECT_FAIL(&tm, &row, C, "column blob: expected a non-negative INT64 size");
    row = row_a_with(18, GROUP(D_null(), D_str(""), D_i64(0), D_i64(0), D_null()));
    EXPECT_FAIL(&tm, &row, C, "column file: expected a File name, found null");
    row = row_a_with(19, D_str("{\"$nope\":1}"));
    EXPECT_FAIL(&tm, &row, C, "column js: tagged JSON, line 1");
    row = row_a_with(20, D_i32(4));
    EXPECT_FAIL(&tm, &row, C, "column nul: expected null, found INT32");
    row = row_a_with(0, D_null());
    EXPECT_FAIL(&tm, &row, C, "column _key: no key");
    row = row_a_with(23, D_str("[1,"));
    EXPECT_FAIL(&tm, &row, C, "column _raw: tagged JSON");
    row = row_a();
    row.len = 3;
    EXPECT_FAIL(&tm, &row, C, "expected a row of every top-level column, found group");

    /* Type maps that lie. */
    row = row_a();
    struct idbpq__typemap bad = tm;
    struct idbpq__jsnode k2[32];
    memcpy(k2, kids, sizeof k2);
    bad.value.children = k2;
    k2[0].node = N.ox; /* not a top-level field */
    EXPECT_FAIL(&bad, &row, C, "type map: property column is not a field");
    memcpy(k2, kids, sizeof k2);
    k2[0].node = 100000;
    EXPECT_FAIL(&bad, &row, C, "column ?: type map: property column is not a field");
    memcpy(k2, kids, sizeof k2);
    k2[12].children = &elems[0]; /* an object child whose node is under another group */
    EXPECT_FAIL(&bad, &row, C, "type map: property column is not a field of its object's group");
    row = row_a();
    memcpy(k2, kids, sizeof k2);
    struct idbpq__jsnode far = J(IDBPQ__JS_INT, 100000, IDBPQ__ABS_NULL, "far");
    k2[12].children = &far;
    k2[12].n_children = 1;
    EXPECT_FAIL(&bad, &row, C, "property column is not a field");
    memcpy(k2, kids, sizeof k2);
    bad.key.node = 100000;
    EXPECT_FAIL(&bad, &row, C, "the key column (node 100000) is not top-level");
    bad.key = tm.key;
    bad.key.js = IDBPQ__JS_STRING;
    EXPECT_FAIL(&bad, &row, C, "column _key: expected a string, found INT64");
    bad.key = tm.key;
    memcpy(k2, kids, sizeof k2);
    k2[0].js = 200;
    EXPECT_FAIL(&bad, &row, C, "column b: type map: unknown node kind");
    memcpy(k2, kids, sizeof k2);
    k2[6].js = IDBPQ__JS_OBJECT; /* an object over a leaf */
    EXPECT_FAIL(&bad, &row, C, "object on a node that is not a group");
    memcpy(k2, kids, sizeof k2);
    k2[9].view = IDBPQ_VIEW_INT32; /* 3 bytes */
    EXPECT_FAIL(&bad, &row, C, "column dv: 3 bytes are not a whole number of 4-byte elements");
    memcpy(k2, kids, sizeof k2);
    k2[9].view = 99;
    EXPECT_FAIL(&bad, &row, C, "unknown view kind 99");
    memcpy(k2, kids, sizeof k2);
    k2[11].view = IDBPQ_VIEW_DATAVIEW;
    EXPECT_FAIL(&bad, &row, C, "typed array of no known kind");
    memcpy(k2, kids, sizeof k2);
    k2[1].absent = 9;
    row = row_a_with(2, D_null());
    EXPECT_FAIL(&bad, &row, C, "unknown absence kind");
    row = row_a();
    memcpy(k2, kids, sizeof k2);
    k2[1].prop = NULL;
    EXPECT_FAIL(&bad, &row, C, "property without a name");
    memcpy(k2, kids, sizeof k2);
    k2[20].prop = idbpq_value_string_utf8(names, "x7", 2); /* numeric key that is not one */
    EXPECT_FAIL(&bad, &row, C, "numeric key that is not an index");
    memcpy(k2, kids, sizeof k2);
    k2[14].n_children = 0;
    EXPECT_FAIL(&bad, &row, C, "array without an element");
    memcpy(k2, kids, sizeof k2);
    k2[15].n_children = 1;
    EXPECT_FAIL(&bad, &row, C, "Map without key and value");
    memcpy(k2, kids, sizeof k2);
    struct idbpq__jsnode ok2[2] = {okids[0], okids[1]};
    ok2[0].absent_node = N.b; /* not a sibling */
    k2[12].children = ok2;
    row = row_a_with(13, GROUP(D_null(), D_null(), D_null()));
    EXPECT_FAIL(&bad, &row, C, "absence column is not a sibling");
    bad = tm;
    bad.raw_node = N.ox;
    row = row_a();
    EXPECT_FAIL(&bad, &row, C, "the _raw column");
    bad = tm;
    bad.value_is_root = 1;
    bad.value.js = IDBPQ__JS_ARRAY;
    EXPECT_FAIL(&bad, &row, C, "root value that is not an object");

    /* A cycle in the type map (an array whose element is itself) over deeply nested lists:
     * recursion stops at the depth limit. */
    struct idbpq__jsnode self = J(IDBPQ__JS_ARRAY, N.arr, IDBPQ__ABS_NULL, "arr");
    self.children = &self;
    self.n_children = 1;
    memcpy(k2, kids, sizeof k2);
    k2[13] = self;
    bad = tm;
    bad.value.children = k2;
    static idbpq_datum deep[2000];
    for (int i = 0; i < 2000; i++) {
        memset(&deep[i], 0, sizeof deep[i]);
        deep[i].kind = IDBPQ_DATUM_LIST;
        deep[i].len = i + 1 < 2000 ? 1 : 0;
        deep[i].u.items = i + 1 < 2000 ? &deep[i + 1] : NULL;
    }
    row = row_a_with(14, deep[0]);
    EXPECT_FAIL(&bad, &row, IDBPQ_LIMIT, "nested too deep");
    idbpq_schema_free(s);
}
