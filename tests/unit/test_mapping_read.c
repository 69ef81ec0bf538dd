/*
 * test_mapping_read.c — the record reader on files idbpq did not write: small files built
 * with the public writer for every physical/logical type and shape, read back as records
 * (checked as tagged JSON), with each reader option; keys from a column or generated; and
 * files whose key column cannot be a key. Own-format rows are in test_mapping_read_own.c.
 */
#include <math.h>
#include <stdlib.h>

#include "mapping/mapping.h"
#include "test.h"
#include "test_writer_util.h"

/* ---- building files ------------------------------------------------------------------------ */

static idbpq_logical L(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}
static idbpq_logical L_int(int bits, int is_signed)
{
    idbpq_logical l = L(IDBPQ_LT_INTEGER);
    l.bit_width = (int8_t)bits;
    l.is_signed = (int8_t)is_signed;
    return l;
}
static idbpq_logical L_dec(int precision, int scale)
{
    idbpq_logical l = L(IDBPQ_LT_DECIMAL);
    l.precision = precision;
    l.scale = scale;
    return l;
}
static idbpq_logical L_time(idbpq_logical_kind k, idbpq_time_unit u, int utc)
{
    idbpq_logical l = L(k);
    l.unit = u;
    l.utc = (int8_t)utc;
    return l;
}

static int32_t add(idbpq_schema *s, int32_t parent, const char *name, idbpq_repetition rep,
                   idbpq_type t, int32_t len, idbpq_logical lg)
{
    int32_t n = -1;
    if (idbpq_schema_add(s, parent, name, rep, t, len, lg.kind ? &lg : NULL, &n) != IDBPQ_OK)
        fprintf(stderr, "schema_add %s: %s\n", name, idbpq_schema_errmsg(s));
    return n;
}

/* Datums over a static pool (tests only). */
static idbpq_datum pool[4096];
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
static idbpq_datum D_i96(int64_t nanos, int32_t julian)
{
    idbpq_datum d = D_null();
    d.kind = IDBPQ_DATUM_INT96;
    memcpy(d.u.i96, &nanos, 8);
    memcpy(d.u.i96 + 8, &julian, 4);
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
#define NARGS(...) (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum))
#define LIST(...) D_items(IDBPQ_DATUM_LIST, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define MAP(...) D_items(IDBPQ_DATUM_MAP, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define GROUP(...) D_items(IDBPQ_DATUM_GROUP, NARGS(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
static idbpq_datum D_empty(int kind) { return D_items(kind, 0, NULL); }

/* A file in memory, opened for records. */
struct rfile {
    struct tw_mem mem;
    idbpq_source src;
    idbpq_reader *rd;
    idbpq_record_reader *rr;
    idbpq_vbatch *b;
};

static void rfile_free(struct rfile *f)
{
    idbpq_record_reader_free(f->rr);
    idbpq_reader_free(f->rd);
    idbpq_vbatch_free(f->b);
    tw_mem_free(&f->mem);
    memset(f, 0, sizeof *f);
}

/* Writes the rows with schema s (which it frees) and opens the file. */
static int rfile_write(struct rfile *f, idbpq_schema *s, const idbpq_datum *rows, int n)
{
    memset(f, 0, sizeof *f);
    idbpq_sink sink;
    tw_mem_init(&f->mem, &sink);
    idbpq_writer *w = NULL;
    int rc = 0;
    if (idbpq_schema_finish(s) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "schema: %s", idbpq_schema_errmsg(s));
        rc = 1;
    } else if (idbpq_writer_open(&w, s, &sink, NULL, NULL) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "writer: %s", idbpq_writer_errmsg(NULL));
        rc = 1;
    }
    for (int i = 0; i < n && !rc; i++)
        if (idbpq_writer_write_row(w, &rows[i]) != IDBPQ_OK) {
            idbpq_test_fail(__FILE__, __LINE__, "row %d: %s", i, idbpq_writer_errmsg(w));
            rc = 1;
        }
    if (!rc && idbpq_writer_finish(w) != IDBPQ_OK) rc = 1;
    idbpq_writer_free(w);
    idbpq_schema_free(s);
    if (rc) return rc;
    idbpq_source_memory(&f->src, f->mem.b.p, f->mem.b.len, "t.parquet");
    char err[256];
    if (idbpq_reader_open(&f->rd, &f->src, NULL, NULL, err, sizeof err) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "reader: %s", err);
        return 1;
    }
    return idbpq_vbatch_create(&f->b, NULL) != IDBPQ_OK;
}

static idbpq_status rfile_open(struct rfile *f, const idbpq_record_reader_opts *o)
{
    idbpq_record_reader_free(f->rr);
    f->rr = NULL;
    return idbpq_record_reader_open(&f->rr, f->rd, o, NULL);
}

/* The next record as {"key":K,"value":V}; NULL at the end or on error (*st says which).
 * The text lives until the next call. */
static const char *next_text(struct rfile *f, idbpq_status *st)
{
    idbpq_value *k, *v;
    idbpq_vbatch_reset(f->b);
    *st = idbpq_record_reader_next(f->rr, f->b, &k, &v);
    if (*st != IDBPQ_OK) return NULL;
    idbpq_buffer kb, vb;
    idbpq_buffer_init(&kb, NULL);
    idbpq_buffer_init(&vb, NULL);
    if (idbpq_tjson_write(k, &kb) != IDBPQ_OK || idbpq_tjson_write(v, &vb) != IDBPQ_OK) {
        *st = IDBPQ_NOMEM;
        idbpq_buffer_free(&kb);
        idbpq_buffer_free(&vb);
        return NULL;
    }
    static char text[65536];
    snprintf(text, sizeof text, "{\"key\":%.*s,\"value\":%.*s}", (int)kb.len,
             (const char *)kb.data, (int)vb.len, (const char *)vb.data);
    idbpq_buffer_free(&kb);
    idbpq_buffer_free(&vb);
    return text;
}

#define CHECK_RECORD(f, want)                                                               \
    do {                                                                                    \
        idbpq_status st_;                                                                   \
        const char *got_ = next_text((f), &st_);                                            \
        if (!got_)                                                                          \
            idbpq_test_fail(__FILE__, __LINE__, "no record (status %d): %s", (int)st_,     \
                            idbpq_record_reader_errmsg((f)->rr));                           \
        else                                                                                \
            CHECK_EQ_STR(got_, (want));                                                     \
    } while (0)

#define CHECK_END(f)                                                                        \
    do {                                                                                    \
        idbpq_status st_;                                                                   \
        CHECK(next_text((f), &st_) == NULL);                                                \
        CHECK_EQ_INT(st_, IDBPQ_END);                                                       \
    } while (0)

/* ---- leaves: every physical and logical type ------------------------------------------------ */

static idbpq_schema *scalar_schema(void)
{
    idbpq_schema *s;
    if (idbpq_schema_create(&s, NULL) != IDBPQ_OK) return NULL;
    const idbpq_repetition O = IDBPQ_OPTIONAL;
    add(s, 0, "b", IDBPQ_REQUIRED, IDBPQ_BOOLEAN, 0, L(0));
    add(s, 0, "i32", O, IDBPQ_INT32, 0, L(0));
    add(s, 0, "i8", O, IDBPQ_INT32, 0, L_int(8, 1));
    add(s, 0, "u32", O, IDBPQ_INT32, 0, L_int(32, 0));
    add(s, 0, "i64", O, IDBPQ_INT64, 0, L(0));
    add(s, 0, "u64", O, IDBPQ_INT64, 0, L_int(64, 0));
    add(s, 0, "f", O, IDBPQ_FLOAT, 0, L(0));
    add(s, 0, "d", O, IDBPQ_DOUBLE, 0, L(0));
    add(s, 0, "h", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, L(IDBPQ_LT_FLOAT16));
    add(s, 0, "dec2", O, IDBPQ_INT32, 0, L_dec(9, 2));
    add(s, 0, "dec3", O, IDBPQ_INT64, 0, L_dec(18, 3));
    add(s, 0, "decf", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, L_dec(38, 10));
    add(s, 0, "decb", O, IDBPQ_BYTE_ARRAY, 0, L_dec(20, 1));
    add(s, 0, "date", O, IDBPQ_INT32, 0, L(IDBPQ_LT_DATE));
    add(s, 0, "tms", O, IDBPQ_INT64, 0, L_time(IDBPQ_LT_TIMESTAMP, IDBPQ_MILLIS, 1));
    add(s, 0, "tus", O, IDBPQ_INT64, 0, L_time(IDBPQ_LT_TIMESTAMP, IDBPQ_MICROS, 0));
    add(s, 0, "tns", O, IDBPQ_INT64, 0, L_time(IDBPQ_LT_TIMESTAMP, IDBPQ_NANOS, 1));
    add(s, 0, "i96", O, IDBPQ_INT96, 0, L(0));
    add(s, 0, "timems", O, IDBPQ_INT32, 0, L_time(IDBPQ_LT_TIME, IDBPQ_MILLIS, 1));
    add(s, 0, "timeus", O, IDBPQ_INT64, 0, L_time(IDBPQ_LT_TIME, IDBPQ_MICROS, 1));
    add(s, 0, "s", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_STRING));
    add(s, 0, "e", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_ENUM));
    add(s, 0, "j", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_JSON));
    add(s, 0, "u", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, L(IDBPQ_LT_UUID));
    add(s, 0, "bs", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_BSON));
    add(s, 0, "raw", O, IDBPQ_BYTE_ARRAY, 0, L(0));
    add(s, 0, "fl", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 3, L(0));
    add(s, 0, "iv", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 12, L(IDBPQ_LT_INTERVAL));
    add(s, 0, "nul", O, IDBPQ_INT32, 0, L(IDBPQ_LT_NULL));
    add(s, 0, "0", O, IDBPQ_INT32, 0, L(0));
    return s;
}

static const uint8_t half_one[2] = {0x00, 0x3c};
static const uint8_t dec_minus_one[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t dec_two70[16] = {0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t be256[2] = {0x01, 0x00}, be_m1[1] = {0xff};
static const uint8_t uuid[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t two[2] = {1, 2}, three[3] = {0xff, 0, 1};
static const uint8_t iv[12] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};

static int scalar_file(struct rfile *f)
{
    idbpq_datum rows[2];
    pool_n = 0;
    rows[0] = GROUP(D_bool(1), D_i32(-7), D_i32(-128), D_i32(-1), D_i64(9007199254740993LL),
                    D_i64(-1), D_f32(1.5f), D_f64(0.1), D_bytes(half_one, 2), D_i32(150),
                    D_i64(-1234567), D_bytes(dec_minus_one, 16), D_bytes(be256, 2), D_i32(19782),
                    D_i64(1700000000123LL), D_i64(-1), D_i64(1500000), D_i96(1500000, 2440588),
                    D_i32(45296789), D_i64(1500), D_str("h\xc3\xa9llo \xe6\x97\xa5\xf0\x9f\x98\x80"),
                    D_str("RED"), D_str("{\"a\":[1,2]}"), D_bytes(uuid, 16), D_bytes(two, 2),
                    D_bytes("", 0), D_bytes(three, 3), D_bytes(iv, 12), D_null(), D_i32(5));
    rows[1] = GROUP(D_bool(0), D_null(), D_i32(127), D_i32(7), D_i64(-9007199254740992LL),
                    D_null(), D_null(), D_null(), D_null(), D_i32(7), D_i64(2500),
                    D_bytes(dec_two70, 16), D_bytes(be_m1, 1), D_i32(-1), D_null(), D_null(),
                    D_i64(-1500000), D_i96(-1, 2440588), D_null(), D_null(), D_str("\xc3\xa9"),
                    D_null(), D_str("[1,{\"b\":null}]"), D_null(), D_null(), D_null(), D_null(),
                    D_null(), D_null(), D_null());
    return rfile_write(f, scalar_schema(), rows, 2);
}

TEST(mapping_read_foreign_scalars)
{
    struct rfile f;
    REQUIRE(scalar_file(&f) == 0);
    REQUIRE_OK(rfile_open(&f, NULL));
    CHECK_EQ_INT(idbpq_record_reader_native(f.rr), 0);
    CHECK_RECORD(&f, "{\"key\":1,\"value\":{\"b\":true,\"i32\":-7,\"i8\":-128,\"u32\":4294967295,"
                     "\"i64\":{\"$bigint\":\"9007199254740993\"},"
                     "\"u64\":{\"$bigint\":\"18446744073709551615\"},\"f\":1.5,\"d\":0.1,\"h\":1,"
                     "\"dec2\":1.5,\"dec3\":\"-1234.567\",\"decf\":\"-0.0000000001\","
                     "\"decb\":\"25.6\",\"date\":{\"$date\":1709164800000},"
                     "\"tms\":{\"$date\":1700000000123},\"tus\":{\"$date\":-1},"
                     "\"tns\":{\"$date\":1},\"i96\":{\"$date\":1},\"timems\":45296789,"
                     "\"timeus\":1.5,\"s\":\"h\xc3\xa9llo \xe6\x97\xa5\xf0\x9f\x98\x80\","
                     "\"e\":\"RED\",\"j\":\"{\\\"a\\\":[1,2]}\","
                     "\"u\":\"00010203-0405-0607-0809-0a0b0c0d0e0f\","
                     "\"bs\":{\"$binary\":\"AQI=\",\"$type\":\"Uint8Array\"},"
                     "\"raw\":{\"$binary\":\"\",\"$type\":\"Uint8Array\"},"
                     "\"fl\":{\"$binary\":\"/wAB\",\"$type\":\"Uint8Array\"},"
                     "\"iv\":{\"months\":1,\"days\":2,\"milliseconds\":3},\"nul\":null,\"0\":5}}");
    CHECK_RECORD(&f, "{\"key\":2,\"value\":{\"b\":false,\"i32\":null,\"i8\":127,\"u32\":7,"
                     "\"i64\":-9007199254740992,\"u64\":null,\"f\":null,\"d\":null,\"h\":null,"
                     "\"dec2\":\"0.07\",\"dec3\":2.5,\"decf\":\"118059162071.7411303424\","
                     "\"decb\":\"-0.1\",\"date\":{\"$date\":-86400000},\"tms\":null,\"tus\":null,"
                     "\"tns\":{\"$date\":-2},\"i96\":{\"$date\":-1},\"timems\":null,"
                     "\"timeus\":null,\"s\":\"\xc3\xa9\",\"e\":null,\"j\":\"[1,{\\\"b\\\":null}]\","
                     "\"u\":null,\"bs\":null,\"raw\":null,\"fl\":null,\"iv\":null,\"nul\":null,"
                     "\"0\":null}}");
    CHECK_END(&f);
    CHECK_END(&f); /* the end stays the end */
    /* The store: nothing known, keys generated (the next one would be 3). */
    const idbpq_store_desc *st = idbpq_record_reader_store(f.rr);
    REQUIRE(st != NULL);
    CHECK(st->name == NULL);
    CHECK_EQ_INT(st->key_path.type, 0);
    CHECK_EQ_INT(st->auto_increment, 1);
    CHECK(st->key_generator == 3);
    rfile_free(&f);
}

TEST(mapping_read_foreign_options)
{
    struct rfile f;
    REQUIRE(scalar_file(&f) == 0);
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    o.int64_bigint = o.decimal_string = o.json_parse = o.nulls_omit = 1;
    REQUIRE_OK(rfile_open(&f, &o));
    idbpq_status st;
    const char *t = next_text(&f, &st);
    REQUIRE(t != NULL);
    CHECK(strstr(t, "\"i64\":{\"$bigint\":\"9007199254740993\"}") != NULL);
    CHECK(strstr(t, "\"dec2\":\"1.50\",") != NULL);
    CHECK(strstr(t, "\"j\":{\"a\":[1,2]},") != NULL);
    t = next_text(&f, &st);
    REQUIRE(t != NULL);
    CHECK_EQ_STR(t, "{\"key\":2,\"value\":{\"b\":false,\"i8\":127,\"u32\":7,"
                    "\"i64\":{\"$bigint\":\"-9007199254740992\"},\"dec2\":\"0.07\","
                    "\"dec3\":\"2.500\",\"decf\":\"118059162071.7411303424\","
                    "\"decb\":\"-0.1\",\"date\":{\"$date\":-86400000},\"tns\":{\"$date\":-2},"
                    "\"i96\":{\"$date\":-1},\"s\":\"\xc3\xa9\",\"j\":[1,{\"b\":null}]}}");
    rfile_free(&f);
}

/* DECIMAL -> Number exactly when the decimal is a double, whatever its size. */
TEST(mapping_read_foreign_decimals)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    add(s, 0, "big", IDBPQ_OPTIONAL, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, L_dec(38, 0));
    add(s, 0, "cents", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, L_dec(10, 2));
    static const uint8_t two70[16] = {0, 0, 0, 0, 0, 0, 0, 0x40}, two53p1[16] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 1};
    static const uint8_t m_two100[16] = {0xff, 0xff, 0xff, 0xf0}; /* -(2^100) */
    idbpq_datum rows[4];
    pool_n = 0;
    rows[0] = GROUP(D_bytes(two70, 16), D_i64(-50));
    rows[1] = GROUP(D_bytes(two53p1, 16), D_i64(25));
    rows[2] = GROUP(D_bytes(m_two100, 16), D_i64(1));
    rows[3] = GROUP(D_bytes(dec_minus_one + 0, 16), D_i64(0));
    struct rfile f;
    REQUIRE(rfile_write(&f, s, rows, 4) == 0);
    REQUIRE_OK(rfile_open(&f, NULL));
    CHECK_RECORD(&f, "{\"key\":1,\"value\":{\"big\":1.1805916207174113e+21,\"cents\":-0.5}}");
    CHECK_RECORD(&f, "{\"key\":2,\"value\":{\"big\":\"9007199254740993\",\"cents\":0.25}}");
    CHECK_RECORD(&f, "{\"key\":3,\"value\":{\"big\":-1.2676506002282294e+30,\"cents\":\"0.01\"}}");
    CHECK_RECORD(&f, "{\"key\":4,\"value\":{\"big\":-1,\"cents\":0}}");
    CHECK_END(&f);
    rfile_free(&f);
}

/* Strings come out in V8's narrowest form: one byte per unit when every code point < 256. */
TEST(mapping_read_foreign_string_forms)
{
    struct rfile f;
    REQUIRE(scalar_file(&f) == 0);
    REQUIRE_OK(rfile_open(&f, NULL));
    for (int r = 0; r < 2; r++) {
        idbpq_value *k, *v;
        REQUIRE_OK(idbpq_record_reader_next(f.rr, f.b, &k, &v));
        REQUIRE(v->type == IDBPQ_V_OBJECT);
        const idbpq_value *s = NULL;
        for (uint32_t i = 0; i < v->u.object.n; i++) {
            const idbpq_str *name = &v->u.object.props[i].key->u.str;
            if (v->u.object.props[i].key->type == IDBPQ_V_STRING && name->len == 1 &&
                ((const uint8_t *)name->data)[0] == 's')
                s = v->u.object.props[i].value;
            if (v->u.object.props[i].key->type == IDBPQ_V_NUMBER)
                CHECK(v->u.object.props[i].key->u.number == 0); /* "0" is an index key */
        }
        REQUIRE(s != NULL && s->type == IDBPQ_V_STRING);
        CHECK_EQ_INT(s->u.str.two_byte, r == 0);
        CHECK_EQ_INT(s->u.str.len, r == 0 ? 9 : 1); /* "héllo 日" and a surrogate pair */
    }
    rfile_free(&f);
}

/* ---- shapes ----------------------------------------------------------------------------------- */

static int nested_file(struct rfile *f)
{
    idbpq_schema *s;
    if (idbpq_schema_create(&s, NULL) != IDBPQ_OK) return 1;
    const idbpq_repetition O = IDBPQ_OPTIONAL, R = IDBPQ_REPEATED, Q = IDBPQ_REQUIRED;
    int32_t g, r;
    add(s, 0, "id", Q, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "st", O, IDBPQ_GROUP, 0, L(0));
    add(s, g, "a", O, IDBPQ_INT32, 0, L(0));
    add(s, g, "b", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_STRING));
    add(s, g, "1", O, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "l", O, IDBPQ_GROUP, 0, L(IDBPQ_LT_LIST));
    r = add(s, g, "list", R, IDBPQ_GROUP, 0, L(0));
    add(s, r, "element", O, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "lv", O, IDBPQ_GROUP, 0, L(IDBPQ_LT_LIST));
    r = add(s, g, "list", R, IDBPQ_GROUP, 0, L(0));
    r = add(s, r, "element", Q, IDBPQ_GROUP, 0, L(0));
    add(s, r, "x", Q, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "m", O, IDBPQ_GROUP, 0, L(IDBPQ_LT_MAP));
    r = add(s, g, "key_value", R, IDBPQ_GROUP, 0, L(0));
    add(s, r, "key", Q, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_STRING));
    add(s, r, "value", O, IDBPQ_INT64, 0, L(0));
    g = add(s, 0, "mi", O, IDBPQ_GROUP, 0, L(IDBPQ_LT_MAP));
    r = add(s, g, "key_value", R, IDBPQ_GROUP, 0, L(0));
    add(s, r, "key", Q, IDBPQ_INT32, 0, L(0));
    add(s, r, "value", O, IDBPQ_BYTE_ARRAY, 0, L(IDBPQ_LT_STRING));
    add(s, 0, "rep", R, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "leg", O, IDBPQ_GROUP, 0, L(IDBPQ_LT_LIST));
    add(s, g, "array", R, IDBPQ_INT32, 0, L(0));
    g = add(s, 0, "repg", R, IDBPQ_GROUP, 0, L(0));
    add(s, g, "q", Q, IDBPQ_INT32, 0, L(0));
    idbpq_datum rows[4];
    pool_n = 0;
    rows[0] = GROUP(D_i32(1), GROUP(D_i32(1), D_str("x"), D_i32(2)),
                    LIST(D_i32(1), D_null(), D_i32(3)), LIST(GROUP(D_i32(1)), GROUP(D_i32(2))),
                    MAP(D_str("k1"), D_i64(10), D_str("k2"), D_null()),
                    MAP(D_i32(10), D_str("ten"), D_i32(-1), D_null()), LIST(D_i32(7), D_i32(8)),
                    LIST(D_i32(4), D_i32(5)), LIST(GROUP(D_i32(1))));
    rows[1] = GROUP(D_i32(2), GROUP(D_null(), D_null(), D_null()), D_empty(IDBPQ_DATUM_LIST),
                    D_empty(IDBPQ_DATUM_LIST), D_empty(IDBPQ_DATUM_MAP), D_empty(IDBPQ_DATUM_MAP),
                    D_empty(IDBPQ_DATUM_LIST), D_empty(IDBPQ_DATUM_LIST),
                    D_empty(IDBPQ_DATUM_LIST));
    rows[2] = GROUP(D_i32(3), D_null(), D_null(), D_null(), D_null(), D_null(),
                    D_empty(IDBPQ_DATUM_LIST), D_null(), D_empty(IDBPQ_DATUM_LIST));
    /* A key twice: a Map (or object) keeps one entry, at the first place, the later value. */
    rows[3] = GROUP(D_i32(4), D_null(), D_null(), D_null(),
                    MAP(D_str("a"), D_i64(1), D_str("b"), D_i64(2), D_str("a"), D_i64(3)),
                    D_null(), D_empty(IDBPQ_DATUM_LIST), D_null(), D_empty(IDBPQ_DATUM_LIST));
    return rfile_write(f, s, rows, 4);
}

TEST(mapping_read_foreign_shapes)
{
    struct rfile f;
    REQUIRE(nested_file(&f) == 0);
    REQUIRE_OK(rfile_open(&f, NULL));
    CHECK_RECORD(&f, "{\"key\":1,\"value\":{\"id\":1,\"st\":{\"a\":1,\"b\":\"x\",\"1\":2},"
                     "\"l\":[1,null,3],\"lv\":[{\"x\":1},{\"x\":2}],"
                     "\"m\":{\"$map\":[[\"k1\",10],[\"k2\",null]]},"
                     "\"mi\":{\"$map\":[[10,\"ten\"],[-1,null]]},\"rep\":[7,8],\"leg\":[4,5],"
                     "\"repg\":[{\"q\":1}]}}");
    CHECK_RECORD(&f, "{\"key\":2,\"value\":{\"id\":2,\"st\":{\"a\":null,\"b\":null,\"1\":null},"
                     "\"l\":[],\"lv\":[],\"m\":{\"$map\":[]},\"mi\":{\"$map\":[]},\"rep\":[],"
                     "\"leg\":[],\"repg\":[]}}");
    CHECK_RECORD(&f, "{\"key\":3,\"value\":{\"id\":3,\"st\":null,\"l\":null,\"lv\":null,\"m\":null,"
                     "\"mi\":null,\"rep\":[],\"leg\":null,\"repg\":[]}}");
    CHECK_RECORD(&f, "{\"key\":4,\"value\":{\"id\":4,\"st\":null,\"l\":null,\"lv\":null,"
                     "\"m\":{\"$map\":[[\"a\",3],[\"b\",2]]},\"mi\":null,\"rep\":[],\"leg\":null,"
                     "\"repg\":[]}}");
    CHECK_END(&f);

    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    o.map_object = o.nulls_omit = 1;
    REQUIRE_OK(rfile_open(&f, &o));
    CHECK_RECORD(&f, "{\"key\":1,\"value\":{\"id\":1,\"st\":{\"a\":1,\"b\":\"x\",\"1\":2},"
                     "\"l\":[1,null,3],\"lv\":[{\"x\":1},{\"x\":2}],\"m\":{\"k1\":10,\"k2\":null},"
                     "\"mi\":{\"$map\":[[10,\"ten\"],[-1,null]]},\"rep\":[7,8],\"leg\":[4,5],"
                     "\"repg\":[{\"q\":1}]}}");
    /* Empty maps of string keys are objects too (the column decides), of numbers Maps. */
    CHECK_RECORD(&f, "{\"key\":2,\"value\":{\"id\":2,\"st\":{},\"l\":[],\"lv\":[],\"m\":{},"
                     "\"mi\":{\"$map\":[]},\"rep\":[],\"leg\":[],\"repg\":[]}}");
    CHECK_RECORD(&f, "{\"key\":3,\"value\":{\"id\":3,\"rep\":[],\"repg\":[]}}");
    CHECK_RECORD(&f, "{\"key\":4,\"value\":{\"id\":4,\"m\":{\"a\":3,\"b\":2},\"rep\":[],"
                     "\"repg\":[]}}");
    CHECK_END(&f);
    rfile_free(&f);
}

/* ---- keys ------------------------------------------------------------------------------------ */

TEST(mapping_read_foreign_key_column)
{
    struct rfile f;
    REQUIRE(nested_file(&f) == 0);
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    o.key_column = "id";
    REQUIRE_OK(rfile_open(&f, &o));
    const idbpq_store_desc *st = idbpq_record_reader_store(f.rr);
    CHECK_EQ_INT(st->auto_increment, 0);
    CHECK_EQ_INT(st->key_path.type, 0);
    CHECK_RECORD(&f, "{\"key\":1,\"value\":{\"st\":{\"a\":1,\"b\":\"x\",\"1\":2},"
                     "\"l\":[1,null,3],\"lv\":[{\"x\":1},{\"x\":2}],"
                     "\"m\":{\"$map\":[[\"k1\",10],[\"k2\",null]]},"
                     "\"mi\":{\"$map\":[[10,\"ten\"],[-1,null]]},\"rep\":[7,8],\"leg\":[4,5],"
                     "\"repg\":[{\"q\":1}]}}");
    CHECK_RECORD(&f, "{\"key\":2,\"value\":{\"st\":{\"a\":null,\"b\":null,\"1\":null},"
                     "\"l\":[],\"lv\":[],\"m\":{\"$map\":[]},\"mi\":{\"$map\":[]},\"rep\":[],"
                     "\"leg\":[],\"repg\":[]}}");

    /* An array key: fine while every element is a valid key. */
    o.key_column = "rep";
    REQUIRE_OK(rfile_open(&f, &o));
    idbpq_status s2;
    const char *t = next_text(&f, &s2);
    REQUIRE(t != NULL);
    CHECK(strncmp(t, "{\"key\":[7,8],\"value\":{\"id\":1,", 29) == 0);

    /* A column whose values are not keys: SCHEMA, naming the file, row and column; the
     * reader goes on with the next row. */
    o.key_column = "l";
    REQUIRE_OK(rfile_open(&f, &o));
    CHECK(next_text(&f, &s2) == NULL);
    CHECK_EQ_INT(s2, IDBPQ_SCHEMA);
    const char *msg = idbpq_record_reader_errmsg(f.rr);
    CHECK(strncmp(msg, "t.parquet: row 0, column l: ", 28) == 0);
    t = next_text(&f, &s2); /* [] is a valid key */
    REQUIRE(t != NULL);
    CHECK(strncmp(t, "{\"key\":[],", 10) == 0);
    CHECK(next_text(&f, &s2) == NULL); /* null */
    CHECK_EQ_INT(s2, IDBPQ_SCHEMA);
    CHECK(strstr(idbpq_record_reader_errmsg(f.rr), "row 2, column l:") != NULL);

    o.key_column = "st";
    REQUIRE_OK(rfile_open(&f, &o));
    CHECK(next_text(&f, &s2) == NULL);
    CHECK_EQ_INT(s2, IDBPQ_SCHEMA);

    /* Only a top-level column can be the key. */
    o.key_column = "st.a";
    CHECK_EQ_INT(rfile_open(&f, &o), IDBPQ_INVALID_ARG);
    CHECK(f.rr == NULL);
    CHECK_EQ_STR(idbpq_reader_errmsg(f.rd), "t.parquet: no column st.a");
    rfile_free(&f);
}

TEST(mapping_read_bad_args)
{
    struct rfile f;
    REQUIRE(nested_file(&f) == 0);
    idbpq_record_reader *rr = (idbpq_record_reader *)1;
    CHECK_EQ_INT(idbpq_record_reader_open(&rr, NULL, NULL, NULL), IDBPQ_INVALID_ARG);
    CHECK(rr == NULL);
    idbpq_record_reader_opts o;
    memset(&o, 0, sizeof o); /* struct_size not set */
    CHECK_EQ_INT(idbpq_record_reader_open(&rr, f.rd, &o, NULL), IDBPQ_INVALID_ARG);
    REQUIRE_OK(rfile_open(&f, NULL));
    idbpq_value *k = NULL, *v = NULL;
    CHECK_EQ_INT(idbpq_record_reader_next(f.rr, NULL, &k, &v), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq_record_reader_next(NULL, f.b, &k, &v), IDBPQ_INVALID_ARG);
    CHECK(idbpq_record_reader_store(NULL) == NULL);
    CHECK_EQ_INT(idbpq_record_reader_native(NULL), 0);
    idbpq_record_reader_free(NULL);
    rfile_free(&f);
}
