/*
 * fuzz_records.c — the record reader on hostile input: the input is an in-memory Parquet file.
 * It is opened and read as records twice: with the default options, then with every option
 * on and the first top-level column as the key. A file carrying idbpq's metadata has its type
 * map checked against the schema and its rows against the type map; any other file maps by
 * its logical types. Both must fail cleanly, never crash.
 *
 * Properties of every record read: key and value are set; the key is a valid IndexedDB key
 * (idbpq_key_from_value accepts it); the value prints as tagged JSON and parses back equal.
 * A failed call leaves a message. Work is bounded (tight reader limits, a record budget).
 *
 * Inputs that start with "IDBQ" are an idbpq metadata document instead (the rest of the
 * input): it is attached to a fixed file whose schema has a column of every form idbpq writes
 * and whose rows hold values, nulls and a `_raw` record, so the fuzzer can make type maps lie
 * about real datums without having to build a Parquet file that parses.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_RECORDS 2000u
#define MAX_ERRORS 8u
#define MAX_BATCH_BYTES (16u << 20)

static volatile size_t g_sink;
static int g_verbose = -1; /* FUZZ_RECORDS_VERBOSE=1: print records and errors (seed checks) */

static void touch_msg(const char *m)
{
    CHECK(m != NULL);
    g_sink += strlen(m);
}

/* The value's tagged JSON parses back to an equal value. */
static void check_text(idbpq_vbatch *b, const idbpq_value *v)
{
    idbpq_buffer t;
    idbpq_buffer_init(&t, NULL);
    idbpq_status st = idbpq_tjson_write(v, &t);
    if (st == IDBPQ_NOMEM) {
        idbpq_buffer_free(&t);
        return;
    }
    CHECK(st == IDBPQ_OK);
    idbpq_value *back = NULL;
    idbpq_error e;
    st = idbpq_tjson_parse(b, (const char *)t.data, t.len, &back, &e);
    if (st != IDBPQ_OK && st != IDBPQ_NOMEM && st != IDBPQ_LIMIT)
        fprintf(stderr, "tagged JSON does not parse back: %s: %.*s\n", e.msg,
                (int)(t.len < 400 ? t.len : 400), (const char *)t.data);
    CHECK(st == IDBPQ_OK || st == IDBPQ_NOMEM || st == IDBPQ_LIMIT);
    if (st == IDBPQ_OK) CHECK(idbpq_value_equal(v, back));
    idbpq_buffer_free(&t);
}

static void read_records(idbpq_reader *r, const idbpq_record_reader_opts *o)
{
    idbpq_record_reader *rr = NULL;
    idbpq_status st = idbpq_record_reader_open(&rr, r, o, NULL);
    if (st != IDBPQ_OK) {
        CHECK(rr == NULL);
        touch_msg(idbpq_reader_errmsg(r));
        if (g_verbose) fprintf(stderr, "open: %s\n", idbpq_reader_errmsg(r));
        return;
    }
    const idbpq_store_desc *store = idbpq_record_reader_store(rr);
    CHECK(store != NULL);
    if (store->name) g_sink += strlen(store->name);
    for (uint32_t i = 0; i < store->key_path.n && store->key_path.type; i++)
        g_sink += strlen(store->key_path.paths[i]);
    idbpq_vbatch *b = NULL;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) {
        idbpq_record_reader_free(rr);
        return;
    }
    unsigned errors = 0;
    for (unsigned n = 0; n < MAX_RECORDS && errors < MAX_ERRORS; n++) {
        idbpq_value *key = NULL, *value = NULL;
        if (idbpq_vbatch_size(b) > MAX_BATCH_BYTES) idbpq_vbatch_reset(b);
        st = idbpq_record_reader_next(rr, b, &key, &value);
        if (st == IDBPQ_END) {
            CHECK(idbpq_record_reader_next(rr, b, &key, &value) == IDBPQ_END);
            break;
        }
        if (st != IDBPQ_OK) {
            CHECK(key == NULL && value == NULL);
            const char *m = idbpq_record_reader_errmsg(rr);
            if (g_verbose) fprintf(stderr, "record %u: %s\n", n, m);
            touch_msg(m);
            CHECK(m[0] != 0);
            errors++;
            continue;
        }
        CHECK(key != NULL && value != NULL);
        if (g_verbose) {
            idbpq_buffer t;
            idbpq_buffer_init(&t, NULL);
            idbpq_tjson_write(key, &t);
            idbpq_tjson_write(value, &t);
            fprintf(stderr, "record %u (native %d): %.*s\n", n, idbpq_record_reader_native(rr),
                    (int)t.len, (const char *)t.data);
            idbpq_buffer_free(&t);
        }
        idbpq_key *k = NULL;
        idbpq_error e;
        st = idbpq_key_from_value(b, key, &k, &e);
        CHECK(st == IDBPQ_OK || st == IDBPQ_NOMEM);
        check_text(b, key);
        check_text(b, value);
    }
    idbpq_vbatch_free(b);
    idbpq_record_reader_free(rr);
}

/* ---- the fixed file for metadata inputs -------------------------------------------------- */

static idbpq_schema *g_schema;
static idbpq_datum g_rows[3];
static idbpq_datum g_pool[256];
static int g_pool_n;

static int32_t add(int32_t parent, const char *name, idbpq_repetition rep, idbpq_type t,
                   int32_t len, idbpq_logical_kind k)
{
    idbpq_logical lg;
    memset(&lg, 0, sizeof lg);
    lg.kind = k;
    lg.precision = k == IDBPQ_LT_DECIMAL ? 38 : 0;
    lg.utc = 1;
    lg.variant_version = 1;
    int32_t n = -1;
    CHECK(idbpq_schema_add(g_schema, parent, name, rep, t, len, k ? &lg : NULL, &n) == IDBPQ_OK);
    return n;
}

static void add_list(const char *name, idbpq_type t, idbpq_repetition er, idbpq_logical_kind k)
{
    int32_t g = add(0, name, IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, IDBPQ_LT_LIST);
    int32_t r = add(g, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, 0);
    add(r, "element", er, t, 0, k);
}

static idbpq_datum D(int kind, int64_t v)
{
    idbpq_datum d;
    memset(&d, 0, sizeof d);
    d.kind = (uint8_t)kind;
    if (kind == IDBPQ_DATUM_INT32 || kind == IDBPQ_DATUM_BOOLEAN) d.u.i32 = (int32_t)v;
    if (kind == IDBPQ_DATUM_INT64) d.u.i64 = v;
    if (kind == IDBPQ_DATUM_DOUBLE) d.u.f64 = (double)v / 4;
    if (kind == IDBPQ_DATUM_FLOAT) d.u.f32 = (float)v / 4;
    return d;
}
static idbpq_datum B(const void *p, size_t n)
{
    idbpq_datum d = D(IDBPQ_DATUM_BYTES, 0);
    d.len = (uint32_t)n;
    d.u.bytes = p;
    return d;
}
#define S(lit) B(lit, sizeof lit - 1)
static idbpq_datum Items(int kind, int n, const idbpq_datum *it)
{
    idbpq_datum d = D(kind, 0);
    d.len = (uint32_t)(kind == IDBPQ_DATUM_MAP ? n / 2 : n);
    d.u.items = &g_pool[g_pool_n];
    for (int i = 0; i < n; i++) g_pool[g_pool_n++] = it[i];
    return d;
}
#define NI(...) (int)(sizeof((idbpq_datum[]){__VA_ARGS__}) / sizeof(idbpq_datum))
#define LST(...) Items(IDBPQ_DATUM_LIST, NI(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define GRP(...) Items(IDBPQ_DATUM_GROUP, NI(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})
#define MAP(...) Items(IDBPQ_DATUM_MAP, NI(__VA_ARGS__), (idbpq_datum[]){__VA_ARGS__})

static const uint8_t dec16[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
static const uint8_t vmeta[3] = {0x01, 0x00, 0x00}, vint8[2] = {0x0c, 0x2a};

static void fixed_file(void)
{
    if (g_schema) return;
    CHECK(idbpq_schema_create(&g_schema, NULL) == IDBPQ_OK);
    const idbpq_repetition O = IDBPQ_OPTIONAL, Q = IDBPQ_REQUIRED;
    const idbpq_type BA = IDBPQ_BYTE_ARRAY, I64 = IDBPQ_INT64;
    add(0, "_key", Q, I64, 0, 0);
    add(0, "b", O, IDBPQ_BOOLEAN, 0, 0);
    add(0, "n", O, I64, 0, 0);
    add(0, "d", O, IDBPQ_DOUBLE, 0, 0);
    add(0, "bd", O, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, IDBPQ_LT_DECIMAL);
    add(0, "bt", O, BA, 0, IDBPQ_LT_STRING);
    add(0, "s", O, BA, 0, IDBPQ_LT_STRING);
    add(0, "t", O, I64, 0, IDBPQ_LT_TIMESTAMP);
    add(0, "bin", O, BA, 0, 0);
    add_list("f32", IDBPQ_FLOAT, Q, 0);
    add_list("i32", IDBPQ_INT32, Q, 0);
    add_list("u64", I64, Q, 0);
    int32_t g = add(0, "o", O, IDBPQ_GROUP, 0, 0);
    add(g, "x", O, I64, 0, 0);
    add(g, "x__absent", O, IDBPQ_INT32, 0, 0);
    add(g, "y", O, BA, 0, IDBPQ_LT_STRING);
    add_list("arr", BA, O, IDBPQ_LT_STRING);
    g = add(0, "m", O, IDBPQ_GROUP, 0, IDBPQ_LT_MAP);
    g = add(g, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, 0);
    add(g, "key", Q, BA, 0, IDBPQ_LT_STRING);
    add(g, "value", O, IDBPQ_DOUBLE, 0, 0);
    g = add(0, "blob", O, IDBPQ_GROUP, 0, 0);
    add(g, "type", O, BA, 0, IDBPQ_LT_STRING);
    add(g, "size", O, I64, 0, 0);
    add(g, "data", O, BA, 0, 0);
    g = add(0, "file", O, IDBPQ_GROUP, 0, 0);
    add(g, "name", O, BA, 0, IDBPQ_LT_STRING);
    add(g, "type", O, BA, 0, IDBPQ_LT_STRING);
    add(g, "size", O, I64, 0, 0);
    add(g, "lastModified", O, I64, 0, IDBPQ_LT_TIMESTAMP);
    add(g, "data", O, BA, 0, 0);
    add(0, "js", O, BA, 0, IDBPQ_LT_JSON);
    add(0, "nul", O, IDBPQ_INT32, 0, IDBPQ_LT_NULL);
    g = add(0, "v", O, IDBPQ_GROUP, 0, IDBPQ_LT_VARIANT);
    add(g, "metadata", Q, BA, 0, 0);
    add(g, "value", O, BA, 0, 0);
    add(0, "_value", O, BA, 0, IDBPQ_LT_STRING);
    add(0, "_raw", O, BA, 0, IDBPQ_LT_JSON);
    CHECK(idbpq_schema_finish(g_schema) == IDBPQ_OK);
    const int N = IDBPQ_DATUM_NULL, I = IDBPQ_DATUM_INT64;
    g_rows[0] = GRP(D(I, 1), D(IDBPQ_DATUM_BOOLEAN, 1), D(I, 42), D(IDBPQ_DATUM_DOUBLE, -2),
                    B(dec16, 16), S("-123456789012345678901234567890"), S("h\xc3\xa9"),
                    D(I, 1700000000000LL), S("\x01\x02"),
                    LST(D(IDBPQ_DATUM_FLOAT, 6), D(IDBPQ_DATUM_FLOAT, 1)),
                    LST(D(IDBPQ_DATUM_INT32, -3), D(IDBPQ_DATUM_INT32, 4000)),
                    LST(D(I, -1)), GRP(D(I, 7), D(N, 0), S("z")), LST(S("p"), D(N, 0)),
                    MAP(S("k"), D(IDBPQ_DATUM_DOUBLE, 10), S("k"), D(N, 0)),
                    GRP(S("text/plain"), D(I, 2), S("hi")),
                    GRP(S("f"), S("t"), D(I, 1), D(I, 5), S("x")), S("{\"$date\":5}"), D(N, 0),
                    GRP(B(vmeta, 3), B(vint8, 2)), S("val"), D(N, 0));
    idbpq_datum nulls[22];
    for (int i = 0; i < 22; i++) nulls[i] = D(N, 0);
    nulls[0] = D(I, 2);
    nulls[12] = GRP(D(N, 0), D(IDBPQ_DATUM_INT32, 2), D(N, 0));
    g_rows[1] = Items(IDBPQ_DATUM_GROUP, 22, nulls);
    nulls[0] = D(I, 3);
    nulls[12] = D(N, 0);
    nulls[21] = S("{\"r\":[1,{\"$bigint\":\"2\"}]}");
    g_rows[2] = Items(IDBPQ_DATUM_GROUP, 22, nulls);
}

struct mem {
    uint8_t *p;
    size_t n, cap;
};
static idbpq_status mem_write(void *ctx, const void *buf, size_t len)
{
    struct mem *m = ctx;
    if (m->n + len > m->cap) {
        size_t cap = (m->n + len) * 2;
        uint8_t *p = realloc(m->p, cap);
        if (!p) return IDBPQ_NOMEM;
        m->p = p;
        m->cap = cap;
    }
    memcpy(m->p + m->n, buf, len);
    m->n += len;
    return IDBPQ_OK;
}

/* The fixed file with `doc` as its "idbpq" metadata; NULL when it cannot be written. */
static uint8_t *file_with_metadata(const uint8_t *doc, size_t len, size_t *size)
{
    fixed_file();
    struct mem m = {NULL, 0, 0};
    idbpq_sink sink = {&m, mem_write, "fuzz"};
    idbpq_kv kv;
    kv.key.ptr = (const uint8_t *)"idbpq";
    kv.key.len = 5;
    kv.value.ptr = doc;
    kv.value.len = (uint32_t)len;
    kv.has_value = 1;
    idbpq_writer_opts wo;
    idbpq_writer_opts_init(&wo);
    wo.codec = IDBPQ_CODEC_UNCOMPRESSED;
    wo.num_kv = 1;
    wo.kv = &kv;
    idbpq_writer *w = NULL;
    int ok = idbpq_writer_open(&w, g_schema, &sink, &wo, NULL) == IDBPQ_OK;
    for (int i = 0; ok && i < 3; i++) ok = idbpq_writer_write_row(w, &g_rows[i]) == IDBPQ_OK;
    ok = ok && idbpq_writer_finish(w) == IDBPQ_OK;
    idbpq_writer_free(w);
    if (!ok) {
        free(m.p);
        return NULL;
    }
    *size = m.n;
    return m.p;
}

/* ---- the target -------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *built = NULL;
    if (g_verbose < 0) g_verbose = getenv("FUZZ_RECORDS_VERBOSE") != NULL;
    if (size >= 4 && memcmp(data, "IDBQ", 4) == 0) {
        if (size - 4 > (1u << 16)) return 0;
        built = file_with_metadata(data + 4, size - 4, &size);
        if (!built) return 0;
        data = built;
    }
    idbpq_source src;
    idbpq_source_memory(&src, data, size, "fuzz");
    idbpq_reader_opts opts;
    idbpq_reader_opts_init(&opts);
    opts.limits.max_footer_bytes = 1u << 20;
    opts.limits.max_page_bytes = 4u << 20;
    opts.limits.max_dictionary_bytes = 4u << 20;
    opts.limits.max_nesting_depth = 64;
    opts.limits.max_decompression_ratio = 1000;
    opts.limits.max_row_bytes = 4u << 20;
    opts.limits.max_page_values = 1u << 20;
    char err[256];
    idbpq_reader *r = NULL;
    if (idbpq_reader_open(&r, &src, &opts, NULL, err, sizeof err) != IDBPQ_OK) {
        CHECK(r == NULL);
        free(built);
        return 0;
    }
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    read_records(r, &o);

    o.int64_bigint = o.decimal_string = o.map_object = o.json_parse = o.nulls_omit = 1;
    const idbpq_schema *s = idbpq_reader_schema(r);
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    if (root && root->num_children > 0) {
        const idbpq_schema_node *first = idbpq_schema_node_at(s, root->children[0]);
        o.key_column = first ? first->name : NULL;
    }
    read_records(r, &o);
    idbpq_reader_free(r);
    free(built);
    return 0;
}
