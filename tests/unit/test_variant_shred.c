/* test_variant_shred.c — idbpq__variant_from_datum on hand-built schemas and datums: every
 * typed_value type parquet-testing does not cover (MILLIS timestamps, FLBA decimals wider than
 * 16 bytes, UUID, TIME, numeric field names, ...), shredded objects merged with their residual
 * `value`, arrays with missing elements, "missing" at the top, and each way the data can break
 * the spec (CORRUPT naming the column) or use a type that cannot be read (UNSUPPORTED, even
 * where every row is null). */
#include "test.h"

#include "mapping/variant.h"

#include <stdarg.h>
#include <stdlib.h>

static idbpq_logical lt(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}

/* A shredded VARIANT column `v` whose typed_value is an object with one field of each kind. */
enum { F_TS, F_DEC, F_UUID, F_TIME, F_SEVEN, F_ARR, F_STR, F_BIN, F_BOOL, F_FLOAT, F_DATE, F_DEC4,
       F_DEC8, F_NS, N_FIELDS };

static int32_t field(idbpq_schema *s, int32_t obj, const char *name, int with_value,
                     idbpq_type t, int32_t len, const idbpq_logical *l)
{
    int32_t g, n;
    idbpq_schema_add(s, obj, name, IDBPQ_REQUIRED, IDBPQ_GROUP, 0, NULL, &g);
    if (with_value) idbpq_schema_add(s, g, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, g, "typed_value", IDBPQ_OPTIONAL, t, len, l, &n);
    return n;
}

static idbpq_schema *shredded_schema(int32_t *var)
{
    idbpq_schema *s;
    int32_t n, obj, arr, list, el;
    if (idbpq_schema_create(&s, NULL)) return NULL;
    idbpq_logical V = lt(IDBPQ_LT_VARIANT), L = lt(IDBPQ_LT_LIST), S = lt(IDBPQ_LT_STRING);
    idbpq_logical ts = lt(IDBPQ_LT_TIMESTAMP), ns = lt(IDBPQ_LT_TIMESTAMP), tm = lt(IDBPQ_LT_TIME);
    idbpq_logical d38 = lt(IDBPQ_LT_DECIMAL), d9 = lt(IDBPQ_LT_DECIMAL), d18 = lt(IDBPQ_LT_DECIMAL);
    idbpq_logical U = lt(IDBPQ_LT_UUID), D = lt(IDBPQ_LT_DATE), I8 = lt(IDBPQ_LT_INTEGER);
    ts.unit = IDBPQ_MILLIS, ts.utc = 1;
    ns.unit = IDBPQ_NANOS;
    tm.unit = IDBPQ_MICROS;
    d38.precision = 38, d38.scale = 2;
    d9.precision = 9, d9.scale = 2;
    d18.precision = 18, d18.scale = 3;
    I8.bit_width = 8, I8.is_signed = 1;
    idbpq_schema_add(s, 0, "id", IDBPQ_REQUIRED, IDBPQ_INT32, 0, NULL, &n);
    idbpq_schema_add(s, 0, "v", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &V, var);
    idbpq_schema_add(s, *var, "metadata", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, *var, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, *var, "typed_value", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL, &obj);
    field(s, obj, "ts", 1, IDBPQ_INT64, 0, &ts);
    field(s, obj, "d", 0, IDBPQ_FIXED_LEN_BYTE_ARRAY, 20, &d38);
    field(s, obj, "u", 0, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, &U);
    field(s, obj, "t", 0, IDBPQ_INT64, 0, &tm);
    field(s, obj, "7", 0, IDBPQ_DOUBLE, 0, NULL);
    idbpq_schema_add(s, obj, "arr", IDBPQ_REQUIRED, IDBPQ_GROUP, 0, NULL, &arr);
    idbpq_schema_add(s, arr, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, arr, "typed_value", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &L, &list);
    idbpq_schema_add(s, list, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &n);
    idbpq_schema_add(s, n, "element", IDBPQ_REQUIRED, IDBPQ_GROUP, 0, NULL, &el);
    idbpq_schema_add(s, el, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, el, "typed_value", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &I8, &n);
    field(s, obj, "s", 1, IDBPQ_BYTE_ARRAY, 0, &S);
    field(s, obj, "bin", 0, IDBPQ_BYTE_ARRAY, 0, NULL);
    field(s, obj, "b", 0, IDBPQ_BOOLEAN, 0, NULL);
    field(s, obj, "f", 0, IDBPQ_FLOAT, 0, NULL);
    field(s, obj, "dt", 0, IDBPQ_INT32, 0, &D);
    field(s, obj, "dec4", 0, IDBPQ_INT32, 0, &d9);
    field(s, obj, "dec8", 0, IDBPQ_INT64, 0, &d18);
    field(s, obj, "ns", 0, IDBPQ_INT64, 0, &ns);
    if (idbpq_schema_finish(s)) {
        printf("#   schema: %s\n", idbpq_schema_errmsg(s));
        idbpq_schema_free(s);
        return NULL;
    }
    return s;
}

/* ---- datums, from a bump allocator freed per test --------------------------------------------- */

static idbpq_datum pool[512];
static int n_pool;

static idbpq_datum dnull(void) { return (idbpq_datum){IDBPQ_DATUM_NULL, 0, {0}}; }

static idbpq_datum dbytes(const void *p, uint32_t n)
{
    idbpq_datum d = {IDBPQ_DATUM_BYTES, n, {0}};
    d.u.bytes = p;
    return d;
}

static idbpq_datum di32(int32_t x)
{
    idbpq_datum d = {IDBPQ_DATUM_INT32, 0, {0}};
    d.u.i32 = x;
    return d;
}

static idbpq_datum di64(int64_t x)
{
    idbpq_datum d = {IDBPQ_DATUM_INT64, 0, {0}};
    d.u.i64 = x;
    return d;
}

static idbpq_datum dcont(uint8_t kind, int n, ...)
{
    idbpq_datum d = {kind, (uint32_t)n, {0}};
    d.u.items = &pool[n_pool];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && n_pool < 512; i++) pool[n_pool++] = va_arg(ap, idbpq_datum);
    va_end(ap);
    return d;
}
#define GROUP(...) dcont(IDBPQ_DATUM_GROUP, __VA_ARGS__)
#define LIST(...) dcont(IDBPQ_DATUM_LIST, __VA_ARGS__)

struct fx {
    idbpq_schema *s;
    int32_t var;
    idbpq_vbatch *b;
    struct idbpq__buf meta, val;   /* the residual object {"zz": 1, "k": "x"} */
    uint8_t nul[1], str_x[2];      /* variant null, short string "x" */
    idbpq_datum fields[N_FIELDS];
};

static int fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    n_pool = 0;
    f->s = shredded_schema(&f->var);
    if (!f->s || idbpq_vbatch_create(&f->b, NULL)) return 0;
    idbpq__buf_init(&f->meta, NULL);
    idbpq__buf_init(&f->val, NULL);
    idbpq_value *rest;
    idbpq_error e;
    struct idbpq__err err;
    const char *t = "{\"zz\":1,\"k\":\"x\"}";
    if (idbpq_tjson_parse(f->b, t, strlen(t), &rest, &e) ||
        idbpq__variant_encode(rest, 0, 0, &f->meta, &f->val, &err))
        return 0;
    f->str_x[0] = 1 << 2 | 1;
    f->str_x[1] = 'x';
    /* Every field present and typed. */
    static const uint8_t dec20[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf9, 0xe9, 0xc1, 0x99,
                                      0xa4, 0x14, 0x83, 0x59, 0x5d, 0x1e, 0x59, 0xbd, 0xbb, 0x36};
    static const uint8_t uuid[16] = {0xf2, 0x4f, 0x9b, 0x64, 0x81, 0xfa, 0x49, 0xd1,
                                     0xb7, 0x4e, 0x8c, 0x09, 0xa6, 0xe3, 0x1c, 0x56};
    idbpq_datum d;
    f->fields[F_TS] = GROUP(2, dnull(), di64(1700000000123));
    f->fields[F_DEC] = GROUP(1, dbytes(dec20, 20));
    f->fields[F_UUID] = GROUP(1, dbytes(uuid, 16));
    f->fields[F_TIME] = GROUP(1, di64(1500));
    d = (idbpq_datum){IDBPQ_DATUM_DOUBLE, 0, {0}};
    d.u.f64 = 2.5;
    f->fields[F_SEVEN] = GROUP(1, d);
    f->fields[F_ARR] = GROUP(2, dnull(),
                             LIST(4, GROUP(2, dnull(), di32(-3)), GROUP(2, dbytes(f->nul, 1), dnull()),
                                  GROUP(2, dbytes(f->str_x, 2), dnull()), GROUP(2, dnull(), dnull())));
    f->fields[F_STR] = GROUP(2, dnull(), dbytes("h\xc3\xa9llo", 6));
    f->fields[F_BIN] = GROUP(1, dbytes("\x00\x01", 2));
    d = (idbpq_datum){IDBPQ_DATUM_BOOLEAN, 0, {0}};
    d.u.boolean = 1;
    f->fields[F_BOOL] = GROUP(1, d);
    d = (idbpq_datum){IDBPQ_DATUM_FLOAT, 0, {0}};
    d.u.f32 = 0.5f;
    f->fields[F_FLOAT] = GROUP(1, d);
    f->fields[F_DATE] = GROUP(1, di32(-1));
    f->fields[F_DEC4] = GROUP(1, di32(125));
    f->fields[F_DEC8] = GROUP(1, di64(-1));
    f->fields[F_NS] = GROUP(1, di64(-1));
    return 1;
}

static void fx_free(struct fx *f)
{
    idbpq__buf_free(&f->meta);
    idbpq__buf_free(&f->val);
    idbpq_vbatch_free(f->b);
    idbpq_schema_free(f->s);
}

/* The VARIANT group's datum: metadata, value, typed_value (the fields). */
static idbpq_datum var_datum(struct fx *f, idbpq_datum value, int typed)
{
    idbpq_datum t = dnull();
    if (typed) {
        t = (idbpq_datum){IDBPQ_DATUM_GROUP, N_FIELDS, {0}};
        t.u.items = f->fields;
    }
    return GROUP(3, dbytes(f->meta.p, (uint32_t)f->meta.len), value, t);
}

static idbpq_status rebuild(struct fx *f, const idbpq_datum *d, uint32_t flags, idbpq_value **out,
                            struct idbpq__err *err)
{
    memset(err, 0, sizeof *err);
    return idbpq__variant_from_datum(f->b, f->s, f->var, d, flags, out, err);
}

static void check_value_at(int line, idbpq_vbatch *b, const idbpq_value *got, const char *want)
{
    idbpq_value *w;
    idbpq_error e;
    if (idbpq_tjson_parse(b, want, strlen(want), &w, &e)) {
        idbpq_test_fail(__FILE__, line, "bad tagged JSON in the test: %s", e.msg);
        return;
    }
    if (got && idbpq_value_equal(got, w)) return;
    idbpq_buffer t;
    idbpq_buffer_init(&t, NULL);
    if (got) idbpq_tjson_write(got, &t);
    idbpq_test_fail(__FILE__, line, "want %s\n#     got %.*s", want, (int)t.len, t.data ? (const char *)t.data : "(missing)");
    idbpq_buffer_free(&t);
}
#define CHECK_VALUE(b, got, want) check_value_at(__LINE__, (b), (got), (want))

static const char *every_field =
    "{\"ts\":{\"$date\":1700000000123},\"d\":\"-1234567890123456789012345678901.22\","
    "\"u\":\"f24f9b64-81fa-49d1-b74e-8c09a6e31c56\",\"t\":1.5,\"7\":2.5,\"arr\":[-3,null,\"x\",null],"
    "\"s\":\"h\\u00e9llo\",\"bin\":{\"$binary\":\"AAE=\",\"$type\":\"ArrayBuffer\"},\"b\":true,\"f\":0.5,"
    "\"dt\":{\"$date\":-86400000},\"dec4\":1.25,\"dec8\":-0.001,\"ns\":{\"$date\":-1}";

TEST(variant_shred_every_typed_value)
{
    struct fx f;
    REQUIRE(fx_init(&f));
    idbpq_value *v;
    struct idbpq__err err;
    idbpq_datum d = var_datum(&f, dnull(), 1);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    char want[1200];
    snprintf(want, sizeof want, "%s}", every_field);
    CHECK_VALUE(f.b, v, want);
    /* "7" is an array index: a NUMBER key, as V8 has it. */
    REQUIRE(v && v->type == IDBPQ_V_OBJECT && v->u.object.n == N_FIELDS);
    CHECK_EQ_INT(v->u.object.props[F_SEVEN].key->type, IDBPQ_V_NUMBER);
    /* Flags apply to shredded values as to variant bytes. */
    REQUIRE_OK(rebuild(&f, &d, IDBPQ__VAR_UINT8ARRAY | IDBPQ__VAR_DECIMAL_STRING, &v, &err));
    CHECK_EQ_INT(v->u.object.props[F_BIN].value->type, IDBPQ_V_VIEW);
    CHECK_VALUE(f.b, v->u.object.props[F_DEC4].value, "\"1.25\"");
    /* Partially shredded: the residual fields follow the shredded ones. */
    d = var_datum(&f, dbytes(f.val.p, (uint32_t)f.val.len), 1);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    snprintf(want, sizeof want, "%s,\"zz\":1,\"k\":\"x\"}", every_field);
    CHECK_VALUE(f.b, v, want);
    fx_free(&f);
}

TEST(variant_shred_missing_and_null)
{
    struct fx f;
    REQUIRE(fx_init(&f));
    idbpq_value *v = (idbpq_value *)&v;
    struct idbpq__err err;
    /* A null group, and value and typed_value both null: no value at all. */
    idbpq_datum n = dnull();
    REQUIRE_OK(rebuild(&f, &n, 0, &v, &err));
    CHECK(v == NULL);
    v = (idbpq_value *)&v;
    REQUIRE_OK(idbpq__variant_from_datum(f.b, f.s, f.var, NULL, 0, &v, &err));
    CHECK(v == NULL);
    idbpq_datum d = var_datum(&f, dnull(), 0);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    CHECK(v == NULL);
    /* A variant null in value is null, not missing. */
    d = var_datum(&f, dbytes(f.nul, 1), 0);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    CHECK_VALUE(f.b, v, "null");
    /* Missing fields are left out; an object with every field missing is {}. */
    for (int i = 0; i < N_FIELDS; i++)
        for (uint32_t k = 0; k < f.fields[i].len; k++) f.fields[i].u.items[k] = dnull();
    d = var_datum(&f, dnull(), 1);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    CHECK_VALUE(f.b, v, "{}");
    f.fields[F_STR].u.items[0] = dbytes(f.nul, 1);
    REQUIRE_OK(rebuild(&f, &d, 0, &v, &err));
    CHECK_VALUE(f.b, v, "{\"s\":null}");
    fx_free(&f);
}

/* Expects from_datum to fail with st and a message containing part. */
static void fails_at(int line, struct fx *f, const idbpq_datum *d, idbpq_status st, const char *part)
{
    idbpq_value *v = (idbpq_value *)f;
    struct idbpq__err err;
    idbpq_status got = rebuild(f, d, 0, &v, &err);
    if (got != st || !strstr(err.msg, part))
        idbpq_test_fail(__FILE__, line, "status %d \"%s\", want %d \"%s\"", got, err.msg, st, part);
    if (v) idbpq_test_fail(__FILE__, line, "a value after a failure");
}
#define FAILS(f, d, st, part) fails_at(__LINE__, (f), (d), (st), (part))

TEST(variant_shred_spec_violations_are_corrupt)
{
    struct fx f;
    REQUIRE(fx_init(&f));
    idbpq_datum d;
    /* value and typed_value both set for a primitive, for an array, for an element */
    f.fields[F_TS].u.items[0] = dbytes(f.nul, 1);
    d = var_datum(&f, dnull(), 1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.typed_value.ts: conflicting value and typed_value");
    f.fields[F_TS].u.items[0] = dnull();
    f.fields[F_ARR].u.items[0] = dbytes(f.nul, 1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.typed_value.arr: conflicting");
    f.fields[F_ARR].u.items[0] = dnull();
    f.fields[F_ARR].u.items[1].u.items[0].u.items[0] = dbytes(f.nul, 1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "v.typed_value.arr.typed_value.list.element: conflicting");
    f.fields[F_ARR].u.items[1].u.items[0].u.items[0] = dnull();
    /* a residual that is not an object, or repeats a shredded field */
    d = var_datum(&f, dbytes(f.nul, 1), 1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.value: the value of a shredded object is not an object");
    static const uint8_t meta_s[] = {0x11, 1, 0, 1, 's'};
    static const uint8_t obj_s[] = {0x02, 1, 0, 0, 1, 0};
    d = GROUP(3, dbytes(meta_s, 5), dbytes(obj_s, 6), d.u.items[2]);
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.value: a field of a partially shredded object is also in its value");
    /* bad bytes: metadata, a value, a typed string */
    static const uint8_t bad_meta[] = {0x01, 1, 0};
    d = GROUP(3, dbytes(bad_meta, 3), dnull(), dnull());
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.metadata: VARIANT metadata");
    d = GROUP(3, dbytes(f.meta.p, (uint32_t)f.meta.len), dbytes(f.str_x, 1), dnull());
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.value: VARIANT value, byte 0: a short string");
    f.fields[F_STR].u.items[1] = dbytes("\xff", 1);
    d = var_datum(&f, dnull(), 1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.typed_value.s.typed_value: VARIANT value");
    f.fields[F_STR].u.items[1] = dbytes("x", 1);
    /* a decimal wider than decimal16, data that does not fit the schema */
    static const uint8_t wide[20] = {0, 0, 0, 1};
    f.fields[F_DEC].u.items[0] = dbytes(wide, 20);
    FAILS(&f, &d, IDBPQ_CORRUPT, "v.typed_value.d.typed_value: a decimal of more than 16 bytes");
    static const uint8_t neg_ok[20] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x80};
    f.fields[F_DEC].u.items[0] = dbytes(neg_ok, 20);
    idbpq_value *v;
    struct idbpq__err err;
    CHECK_OK(rebuild(&f, &d, 0, &v, &err));
    f.fields[F_DEC].u.items[0] = di32(1);
    FAILS(&f, &d, IDBPQ_CORRUPT, "v.typed_value.d.typed_value: a value that does not match its type");
    f.fields[F_DEC].len = 2;
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.typed_value.d: the group's data does not match");
    d = GROUP(2, dbytes(f.meta.p, (uint32_t)f.meta.len), dnull());
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v: the group's data does not match");
    d = GROUP(3, dnull(), dnull(), dnull());
    FAILS(&f, &d, IDBPQ_CORRUPT, "column v.metadata: the metadata is missing");
    fx_free(&f);
}

/* A one-column schema: v { metadata, value, typed_value (type, logical) }. */
static idbpq_schema *one_typed(idbpq_type t, int32_t len, const idbpq_logical *l, int32_t *var)
{
    idbpq_schema *s;
    int32_t n;
    idbpq_logical V = lt(IDBPQ_LT_VARIANT);
    if (idbpq_schema_create(&s, NULL)) return NULL;
    idbpq_schema_add(s, 0, "v", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &V, var);
    idbpq_schema_add(s, *var, "metadata", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, *var, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    idbpq_schema_add(s, *var, "typed_value", IDBPQ_OPTIONAL, t, len, l, &n);
    if (t == IDBPQ_GROUP && l && l->kind == IDBPQ_LT_MAP) {
        int32_t kv;
        idbpq_logical S = lt(IDBPQ_LT_STRING);
        idbpq_schema_add(s, n, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL, &kv);
        idbpq_schema_add(s, kv, "key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &S, &n);
        idbpq_schema_add(s, kv, "value", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL, &n);
    } else if (t == IDBPQ_GROUP) {
        idbpq_schema_add(s, n, "x", IDBPQ_REQUIRED, IDBPQ_INT32, 0, NULL, &n);
    }
    if (idbpq_schema_finish(s)) {
        idbpq_schema_free(s);
        return NULL;
    }
    return s;
}

TEST(variant_shred_unreadable_types_are_unsupported)
{
    idbpq_logical u32 = lt(IDBPQ_LT_INTEGER), u64 = lt(IDBPQ_LT_INTEGER), tms = lt(IDBPQ_LT_TIME),
                  tns = lt(IDBPQ_LT_TIME), js = lt(IDBPQ_LT_JSON), f16 = lt(IDBPQ_LT_FLOAT16),
                  map = lt(IDBPQ_LT_MAP), d40 = lt(IDBPQ_LT_DECIMAL), none = lt(IDBPQ_LT_NONE);
    u32.bit_width = 32;
    u64.bit_width = 64;
    tms.unit = IDBPQ_MILLIS;
    tns.unit = IDBPQ_NANOS;
    d40.precision = 40;
    d40.scale = 2;
    const struct { idbpq_type t; int32_t len; const idbpq_logical *l; const char *part; } cases[] = {
        {IDBPQ_INT32, 0, &u32, "type INT32 INTEGER(32,false)"},
        {IDBPQ_INT64, 0, &u64, "type INT64 INTEGER(64,false)"},
        {IDBPQ_INT32, 0, &tms, "type INT32 with logical type 7"},
        {IDBPQ_INT64, 0, &tns, "type INT64 with logical type 7"},
        {IDBPQ_BYTE_ARRAY, 0, &js, "type BYTE_ARRAY with logical type 12"},
        {IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, &f16, "FIXED_LEN_BYTE_ARRAY with logical type 15"},
        {IDBPQ_FIXED_LEN_BYTE_ARRAY, 17, &d40, "DECIMAL(40,2)"},
        {IDBPQ_FIXED_LEN_BYTE_ARRAY, 4, NULL, "type FIXED_LEN_BYTE_ARRAY is not"},
        {IDBPQ_INT96, 0, NULL, "type INT96"},
        {IDBPQ_GROUP, 0, &map, "type group with logical type 2"},
        {IDBPQ_GROUP, 0, &none, "column v.typed_value.x: a shredded object's field is not a group"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t var;
        idbpq_schema *s = one_typed(cases[i].t, cases[i].len, cases[i].l, &var);
        REQUIRE(s);
        idbpq_vbatch *b;
        REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
        /* Every row null: the type is refused all the same. */
        idbpq_datum d = {IDBPQ_DATUM_NULL, 0, {0}};
        idbpq_value *v;
        struct idbpq__err err;
        memset(&err, 0, sizeof err);
        idbpq_status st = idbpq__variant_from_datum(b, s, var, &d, 0, &v, &err);
        idbpq_status want = strstr(cases[i].part, "not a group") ? IDBPQ_CORRUPT : IDBPQ_UNSUPPORTED;
        if (st != want || !strstr(err.msg, cases[i].part))
            idbpq_test_fail(__FILE__, __LINE__, "case %zu: status %d \"%s\", want \"%s\"", i, st,
                            err.msg, cases[i].part);
        idbpq_vbatch_free(b);
        idbpq_schema_free(s);
    }
}
