/*
 * test_delta_write.c — the Delta writer's pure parts: Parquet schema -> schemaString for each
 * type, per-file stats from known footers (string truncation and tie-breakers, timestamps,
 * NaN, all-null, list nulls), and the shape of a commit written to a directory table.
 */
#include "test.h"
#include "test_writer_util.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "mapping/mapping.h"
#include "sync/delta_write.h"

/* ---- schema strings ---------------------------------------------------------------------- */

static idbpq_logical lt(idbpq_logical_kind k)
{
    idbpq_logical l;
    memset(&l, 0, sizeof l);
    l.kind = k;
    return l;
}

static int32_t leaf(idbpq_schema *s, int32_t p, const char *name, idbpq_repetition rep,
                    idbpq_type type, int32_t len, const idbpq_logical *l)
{
    int32_t n = -1;
    idbpq_schema_add(s, p, name, rep, type, len, l, &n);
    return n;
}

/* The schemaString of a schema with one column built by add (NULL: whole string). */
static char *one(idbpq_schema *s, int *var, int *cm, idbpq_status *st)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    *st = idbpq_schema_finish(s);
    if (*st == IDBPQ_OK) *st = idbpq__delta_schema_string(s, NULL, &b, var, cm, &err);
    idbpq__buf_push(&b, 0);
    char *out = strdup(*st == IDBPQ_OK ? (const char *)b.p : err.msg);
    idbpq__buf_free(&b);
    return out;
}

#define FIELD(name, type, nullable) \
    "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":" nullable ",\"metadata\":{}}"

TEST(delta_schema_primitives)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical l = lt(IDBPQ_LT_INTEGER);
    leaf(s, 0, "a", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL);
    leaf(s, 0, "b", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, NULL);
    idbpq_logical u = lt(IDBPQ_LT_NULL);
    leaf(s, 0, "c", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &u);
    l.bit_width = 16, l.is_signed = 1;
    leaf(s, 0, "d", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l);
    l.bit_width = 8;
    leaf(s, 0, "e", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l);
    l.is_signed = 0;
    leaf(s, 0, "f", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l);
    l.bit_width = 16;
    leaf(s, 0, "g", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l);
    l.bit_width = 32;
    leaf(s, 0, "h", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &l);
    l.bit_width = 64;
    leaf(s, 0, "i", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &l);
    leaf(s, 0, "j", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL);
    leaf(s, 0, "k", IDBPQ_OPTIONAL, IDBPQ_FLOAT, 0, NULL);
    idbpq_logical h = lt(IDBPQ_LT_FLOAT16);
    leaf(s, 0, "l", IDBPQ_OPTIONAL, IDBPQ_FIXED_LEN_BYTE_ARRAY, 2, &h);
    leaf(s, 0, "m", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, 0, NULL);
    idbpq_logical str = lt(IDBPQ_LT_STRING);
    leaf(s, 0, "n", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &str);
    leaf(s, 0, "o", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, NULL);
    idbpq_logical dt = lt(IDBPQ_LT_DATE);
    leaf(s, 0, "p", IDBPQ_OPTIONAL, IDBPQ_INT32, 0, &dt);
    idbpq_logical ts = lt(IDBPQ_LT_TIMESTAMP);
    ts.utc = 1, ts.unit = IDBPQ_MILLIS;
    leaf(s, 0, "q", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &ts);
    idbpq_logical dec = lt(IDBPQ_LT_DECIMAL);
    dec.precision = 38, dec.scale = 0;
    leaf(s, 0, "r", IDBPQ_OPTIONAL, IDBPQ_FIXED_LEN_BYTE_ARRAY, 16, &dec);
    int var = -1, cm = -1;
    idbpq_status st;
    char *got = one(s, &var, &cm, &st);
    CHECK_EQ_INT(st, IDBPQ_OK);
    CHECK_EQ_STR(got, "{\"type\":\"struct\",\"fields\":[" FIELD("a", "\"long\"", "false") ","
                      FIELD("b", "\"integer\"", "true") "," FIELD("c", "\"integer\"", "true") ","
                      FIELD("d", "\"short\"", "true") "," FIELD("e", "\"byte\"", "true") ","
                      FIELD("f", "\"short\"", "true") "," FIELD("g", "\"integer\"", "true") ","
                      FIELD("h", "\"long\"", "true") "," FIELD("i", "\"decimal(20,0)\"", "true") ","
                      FIELD("j", "\"double\"", "true") "," FIELD("k", "\"float\"", "true") ","
                      FIELD("l", "\"float\"", "true") "," FIELD("m", "\"boolean\"", "true") ","
                      FIELD("n", "\"string\"", "true") "," FIELD("o", "\"binary\"", "true") ","
                      FIELD("p", "\"date\"", "true") "," FIELD("q", "\"timestamp\"", "true") ","
                      FIELD("r", "\"decimal(38,0)\"", "true") "]}");
    CHECK_EQ_INT(var, 0);
    CHECK_EQ_INT(cm, 0);
    free(got);
    idbpq_schema_free(s);
}

TEST(delta_schema_nested_variant_mapping)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical str = lt(IDBPQ_LT_STRING), list = lt(IDBPQ_LT_LIST), map = lt(IDBPQ_LT_MAP);
    int32_t g = leaf(s, 0, "my obj", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL);
    leaf(s, g, "x", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL);
    int32_t l = leaf(s, 0, "tags", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &list);
    int32_t r = leaf(s, l, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL);
    leaf(s, r, "element", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &str);
    int32_t m = leaf(s, 0, "m", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &map);
    int32_t kv = leaf(s, m, "key_value", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL);
    leaf(s, kv, "key", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, &str);
    leaf(s, kv, "value", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL);
    idbpq_logical v = lt(IDBPQ_LT_VARIANT);
    v.variant_version = 1;
    int32_t vg = leaf(s, 0, "v", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &v);
    leaf(s, vg, "metadata", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL);
    leaf(s, vg, "value", IDBPQ_REQUIRED, IDBPQ_BYTE_ARRAY, 0, NULL);
    int var = -1, cm = -1;
    idbpq_status st;
    char *got = one(s, &var, &cm, &st);
    CHECK_EQ_INT(st, IDBPQ_OK);
#define CMF(name, type, id) \
    "{\"name\":\"" name "\",\"type\":" type ",\"nullable\":true,\"metadata\":{" \
    "\"delta.columnMapping.id\":" id ",\"delta.columnMapping.physicalName\":\"" name "\"}}"
    CHECK_EQ_STR(got, "{\"type\":\"struct\",\"fields\":["
                      CMF("my obj", "{\"type\":\"struct\",\"fields\":[" CMF("x", "\"long\"", "2") "]}", "1") ","
                      CMF("tags", "{\"type\":\"array\",\"elementType\":\"string\",\"containsNull\":false}", "3") ","
                      CMF("m", "{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"double\","
                               "\"valueContainsNull\":true}", "4") ","
                      CMF("v", "\"variant\"", "5") "]}");
    CHECK_EQ_INT(var, 1);
    CHECK_EQ_INT(cm, 1);
    free(got);
    idbpq_schema_free(s);
}

TEST(delta_schema_refusals)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    leaf(s, 0, "Name", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL);
    leaf(s, 0, "name", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL);
    int var, cm;
    idbpq_status st;
    char *got = one(s, &var, &cm, &st);
    CHECK_EQ_INT(st, IDBPQ_UNSUPPORTED);
    CHECK(strstr(got, "differ only in case") != NULL);
    free(got);
    idbpq_schema_free(s);
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical ts = lt(IDBPQ_LT_TIMESTAMP);
    ts.unit = IDBPQ_MICROS; /* not UTC: timestamp_ntz, which we do not write */
    leaf(s, 0, "t", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &ts);
    got = one(s, &var, &cm, &st);
    CHECK_EQ_INT(st, IDBPQ_UNSUPPORTED);
    CHECK(strstr(got, "column t") != NULL);
    free(got);
    idbpq_schema_free(s);
}

/* ---- stats ----------------------------------------------------------------------------------- */

/* Writes rows (datums) with schema s to memory and returns the stats JSON (malloc'd). */
static char *stats_of(idbpq_schema *s, const idbpq_datum *rows, size_t n, const int64_t *node_nulls)
{
    struct tw_mem m;
    idbpq_sink sink;
    tw_mem_init(&m, &sink);
    idbpq_writer *w;
    idbpq_writer_opts o;
    idbpq_writer_opts_init(&o);
    o.max_stat_bytes = 260;
    o.max_row_group_rows = 2; /* several row groups: their bounds are merged */
    if (idbpq_writer_open(&w, s, &sink, &o, NULL) != IDBPQ_OK) return strdup("open failed");
    for (size_t i = 0; i < n; i++) idbpq_writer_write_row(w, &rows[i]);
    idbpq_writer_finish(w);
    idbpq_writer_free(w);
    idbpq_source src;
    idbpq_source_memory(&src, m.b.p, m.b.len, "mem");
    idbpq_reader *r;
    char msg[256];
    char *out;
    if (idbpq_reader_open(&r, &src, NULL, NULL, msg, sizeof msg) != IDBPQ_OK) {
        out = strdup(msg);
    } else {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        idbpq__delta_stats(idbpq_reader_schema(r), idbpq_reader_meta(r), node_nulls, NULL, 0, &b);
        idbpq__buf_push(&b, 0);
        out = strdup((const char *)b.p);
        idbpq__buf_free(&b);
        idbpq_reader_free(r);
    }
    tw_mem_free(&m);
    return out;
}

static void s_(idbpq_datum *d, const char *s)
{
    d->kind = IDBPQ_DATUM_BYTES;
    d->len = (uint32_t)strlen(s);
    d->u.bytes = (const uint8_t *)s;
}

TEST(delta_stats_footer)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical str = lt(IDBPQ_LT_STRING), ts = lt(IDBPQ_LT_TIMESTAMP), list = lt(IDBPQ_LT_LIST);
    ts.utc = 1, ts.unit = IDBPQ_MICROS;
    leaf(s, 0, "id", IDBPQ_REQUIRED, IDBPQ_INT64, 0, NULL);
    leaf(s, 0, "s", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &str);
    leaf(s, 0, "t", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, &ts);
    leaf(s, 0, "d", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL);
    leaf(s, 0, "nan", IDBPQ_OPTIONAL, IDBPQ_DOUBLE, 0, NULL);
    leaf(s, 0, "none", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL);
    int32_t g = leaf(s, 0, "g", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, NULL);
    leaf(s, g, "b", IDBPQ_OPTIONAL, IDBPQ_BOOLEAN, 0, NULL);
    leaf(s, g, "u", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &str);
    int32_t l = leaf(s, 0, "l", IDBPQ_OPTIONAL, IDBPQ_GROUP, 0, &list);
    int32_t r = leaf(s, l, "list", IDBPQ_REPEATED, IDBPQ_GROUP, 0, NULL);
    leaf(s, r, "element", IDBPQ_OPTIONAL, IDBPQ_INT64, 0, NULL);
    REQUIRE_OK(idbpq_schema_finish(s));
    enum { N = 3, C = 8 };
    idbpq_datum rows[N], items[N][C], g_items[N][2], el[2];
    memset(items, 0, sizeof items);
    memset(g_items, 0, sizeof g_items);
    memset(el, 0, sizeof el);
    /* 40 ASCII characters: the min is cut to 32, the max gets U+007F after 32. */
    const char *long_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *long_z = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\xc3\xa9";
    int64_t t[N] = {1767225600123456, -1, 1767312000000999};
    double d[N] = {-0.5, 2.25, 1e300};
    for (int i = 0; i < N; i++) {
        rows[i].kind = IDBPQ_DATUM_GROUP;
        rows[i].len = C;
        rows[i].u.items = items[i];
        items[i][0].kind = IDBPQ_DATUM_INT64;
        items[i][0].u.i64 = 10 + i;
        if (i == 0) s_(&items[i][1], long_z);
        if (i == 2) s_(&items[i][1], long_a);
        if (t[i] >= 0) items[i][2].kind = IDBPQ_DATUM_INT64, items[i][2].u.i64 = t[i];
        items[i][3].kind = IDBPQ_DATUM_DOUBLE, items[i][3].u.f64 = d[i];
        items[i][4].kind = IDBPQ_DATUM_DOUBLE, items[i][4].u.f64 = i == 1 ? NAN : 1.0;
        if (i != 1) { /* g: null in row 1 */
            items[i][6].kind = IDBPQ_DATUM_GROUP;
            items[i][6].len = 2;
            items[i][6].u.items = g_items[i];
            g_items[i][0].kind = IDBPQ_DATUM_BOOLEAN;
            s_(&g_items[i][1], i ? "\xf4\x8f\xbf\xbf" : "x");
        }
    }
    items[0][7].kind = IDBPQ_DATUM_LIST; /* l: [5, null] in row 0, [] in row 1, null in row 2 */
    items[0][7].len = 2;
    items[0][7].u.items = el;
    el[0].kind = IDBPQ_DATUM_INT64;
    el[0].u.i64 = 5;
    items[1][7].kind = IDBPQ_DATUM_LIST;
    int64_t nulls[32];
    for (int i = 0; i < 32; i++) nulls[i] = -1;
    nulls[l] = 1;
    char *got = stats_of(s, rows, N, nulls);
    CHECK_EQ_STR(got, "{\"numRecords\":3,"
                      "\"minValues\":{\"id\":10,\"s\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                      "\"t\":\"2026-01-01T00:00:00.123Z\",\"d\":-0.5,\"g\":{\"u\":\"x\"}},"
                      "\"maxValues\":{\"id\":12,\"s\":\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\x7f\","
                      "\"t\":\"2026-01-02T00:00:00.000Z\",\"d\":1e+300,"
                      "\"g\":{\"u\":\"\xf4\x8f\xbf\xbf\"}},"
                      "\"nullCount\":{\"id\":0,\"s\":1,\"t\":1,\"d\":0,\"nan\":0,\"none\":3,"
                      "\"g\":{\"b\":1,\"u\":1},\"l\":1}}");
    free(got);
    /* Unknown list nulls: no nullCount for l rather than a guess. */
    got = stats_of(s, rows, N, NULL);
    CHECK(strstr(got, "\"l\":") == NULL);
    free(got);
    idbpq_schema_free(s);
}

TEST(delta_stats_string_tiebreak)
{
    idbpq_schema *s;
    REQUIRE_OK(idbpq_schema_create(&s, NULL));
    idbpq_logical str = lt(IDBPQ_LT_STRING);
    leaf(s, 0, "s", IDBPQ_OPTIONAL, IDBPQ_BYTE_ARRAY, 0, &str);
    REQUIRE_OK(idbpq_schema_finish(s));
    /* 32 'b', then U+10FFFF (skipped: nothing is above it), then U+00E9: the cut moves past
     * U+10FFFF and the tie-breaker is U+10FFFF (above U+00E9). */
    char v[64];
    memset(v, 'b', 32);
    memcpy(v + 32, "\xf4\x8f\xbf\xbf\xc3\xa9zz", 9);
    idbpq_datum row, item;
    row.kind = IDBPQ_DATUM_GROUP;
    row.len = 1;
    row.u.items = &item;
    s_(&item, v);
    char *got = stats_of(s, &row, 1, NULL);
    CHECK_EQ_STR(got, "{\"numRecords\":1,\"minValues\":{\"s\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},"
                      "\"maxValues\":{\"s\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\xf4\x8f\xbf\xbf"
                      "\xf4\x8f\xbf\xbf\"},\"nullCount\":{\"s\":0}}");
    free(got);
    idbpq_schema_free(s);
}

/* ---- a commit ----------------------------------------------------------------------------------- */

TEST(delta_commit_shape)
{
    char dir[] = "/tmp/idbpq_delta_write_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    idbpq_table_io io;
    idbpq_error e;
    REQUIRE_OK(idbpq_table_io_dir(&io, dir, 1, &e));
    idbpq_store_desc sd;
    memset(&sd, 0, sizeof sd);
    const char *kp[1] = {"id"};
    sd.key_path = (idbpq_keypath){1, 1, kp};
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    struct idbpq__dfile *f;
    REQUIRE_OK(idbpq__dfile_open(&f, &io, &sd, NULL, 0, NULL, NULL, &err));
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    static const char *const recs[] = {"{\"id\":1,\"n\":\"a\"}", "{\"id\":2,\"n\":\"b b\"}"};
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 2; i++) {
            idbpq_value *v;
            REQUIRE_OK(idbpq_tjson_parse(b, recs[i], strlen(recs[i]), &v, &e));
            if (!pass) CHECK_OK(idbpq__dfile_observe(f, NULL, v, &err));
            else CHECK_OK(idbpq__dfile_write(f, NULL, v, 0, &err));
        }
    struct idbpq__dfile_info info;
    REQUIRE_OK(idbpq__dfile_close(f, 1, &info, &err));
    CHECK(!strncmp(info.path, "part-00000-", 11) && strstr(info.path, "-c000.snappy.parquet"));
    CHECK_EQ_INT(info.rows, 2);
    CHECK(info.min_key && info.max_key && info.typemap);
    idbpq_buffer ss;
    idbpq_buffer_init(&ss, NULL);
    int var, cm;
    REQUIRE_OK(idbpq__dfile_schema_string(f, &ss, &var, &cm, &err));
    struct idbpq__dtx *x;
    REQUIRE_OK(idbpq__dtx_begin(&x, &io, NULL, NULL, &err));
    REQUIRE_OK(idbpq__dtx_set_metadata(x, (const char *)ss.data, var, cm, &sd, NULL, 0, &err));
    REQUIRE_OK(idbpq__dtx_add(x, &info, 1, &err));
    REQUIRE_OK(idbpq__dtx_app(x, "idbpq:t", 7, &err));
    int64_t v = -1;
    uint32_t att = 0;
    uint64_t bytes = 0;
    CHECK_OK(idbpq__dtx_commit(x, 3, 10, &v, &att, &bytes, &err));
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(att, 1);
    idbpq__dtx_free(x);
    /* The same commit again at version 0: the winner created the table (protocol, metaData). */
    REQUIRE_OK(idbpq__dtx_begin(&x, &io, NULL, NULL, &err));
    REQUIRE_OK(idbpq__dtx_set_metadata(x, (const char *)ss.data, var, cm, &sd, NULL, 0, &err));
    CHECK_EQ_INT(idbpq__dtx_commit(x, 3, 10, &v, &att, &bytes, &err), IDBPQ_CONFLICT);
    CHECK(strstr(err.msg, "version 0 changed the protocol") != NULL);
    idbpq__dtx_free(x);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__delta_commit c;
    REQUIRE_OK(idbpq__delta_commit_read(&io, 0, &a, &c, &err));
    CHECK(c.commit_info != NULL);
    CHECK_EQ_STR(c.operation, "CREATE TABLE");
    CHECK(c.protocol && c.protocol->min_reader == 1 && c.protocol->min_writer == 4);
    CHECK(c.metadata && c.metadata->n_partition_columns == 0);
    CHECK_EQ_STR(idbpq__kv_find(c.metadata->configuration, c.metadata->n_configuration,
                                "delta.enableChangeDataFeed"), "true");
    CHECK(idbpq__kv_find(c.metadata->configuration, c.metadata->n_configuration, "idbpq.store"));
    CHECK(idbpq__kv_find(c.metadata->configuration, c.metadata->n_configuration, "idbpq.typemap"));
    CHECK_EQ_INT(c.n_adds, 1);
    CHECK_EQ_INT(c.n_txns, 1);
    if (c.n_adds == 1) {
        CHECK_EQ_STR(c.adds[0].path, info.path);
        CHECK(c.adds[0].stats && strstr(c.adds[0].stats, "\"numRecords\":2"));
        CHECK(idbpq__kv_find(c.adds[0].tags, c.adds[0].n_tags, IDBPQ__TAG_MIN_KEY) != NULL);
    }
    const struct idbpq__dj *bl = idbpq__dj_get(c.commit_info, "isBlindAppend");
    CHECK(bl && bl->kind == IDBPQ__DJ_BOOL && bl->b == 1);
    CHECK(idbpq__dj_get(c.commit_info, "readVersion") == NULL);
    CHECK_EQ_STR(idbpq__dj_str(c.commit_info, "engineInfo"), "idbpq/" IDBPQ_VERSION_STRING);
    idbpq__arena_free(&a);
    idbpq_buffer_free(&ss);
    idbpq__dfile_free(f);
    idbpq_vbatch_free(b);
    idbpq_table_io_dir_free(&io);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

/* ---- fixed schemas in the record writer --------------------------------------------------------- */

/* A key the `_key` column cannot hold goes to `_raw_key` (one pass, or a template) and reads
 * back exactly, also when the value's properties are the top-level columns (their row
 * layout once overwrote the `_raw_key` slot). */
TEST(mapping_raw_key_with_root_object)
{
    for (int mode = 0; mode < 2; mode++) {
        struct tw_mem m;
        idbpq_sink sink;
        tw_mem_init(&m, &sink);
        idbpq_record_writer_opts o;
        idbpq_record_writer_opts_init(&o);
        o.sample_bytes = 1; /* the first record alone fixes the schema */
        idbpq_record_writer *w;
        REQUIRE_OK(idbpq_record_writer_create(&w, NULL, &o, NULL));
        if (mode) { /* as a Delta table's first file: inferred, with names Delta accepts */
            struct idbpq__rw_fixed fx;
            memset(&fx, 0, sizeof fx);
            fx.extra = "_change_type";
            REQUIRE_OK(idbpq__record_writer_fix(w, &fx));
        }
        REQUIRE_OK(idbpq_record_writer_begin(w, &sink));
        idbpq_vbatch *b;
        idbpq_vbatch_create(&b, NULL);
        static const char *const lines[] = {"{\"key\":1,\"value\":{\"x\":1,\"X\":2}}",
                                            "{\"key\":\"str\",\"value\":{\"x\":3,\"X\":4}}"};
        for (int i = 0; i < 2; i++) {
            idbpq_value *k, *v;
            idbpq_error e;
            REQUIRE_OK(idbpq_tjson_parse_record(b, lines[i], strlen(lines[i]), &k, &v, &e));
            CHECK_OK(mode ? idbpq__record_writer_write_extra(w, k, v, "insert", 6)
                          : idbpq_record_writer_write(w, k, v));
        }
        CHECK_OK(idbpq_record_writer_finish(w, NULL));
        const idbpq_schema *ws = idbpq__record_writer_schema(w);
        REQUIRE(ws != NULL);
        int32_t n = idbpq_schema_num_columns(ws);
        CHECK_EQ_STR(idbpq_schema_column(ws, n - 1)->name, mode ? "_change_type" : "_raw");
        CHECK(idbpq_schema_find_column(ws, mode ? "X~2" : "X") >= 0);
        idbpq_record_writer_free(w);
        idbpq_source src;
        idbpq_source_memory(&src, m.b.p, m.b.len, "mem");
        idbpq_reader *r;
        char msg[256];
        REQUIRE_OK(idbpq_reader_open(&r, &src, NULL, NULL, msg, sizeof msg));
        idbpq_record_reader *rr;
        REQUIRE_OK(idbpq_record_reader_open(&rr, r, NULL, NULL));
        idbpq_value *k, *v;
        idbpq_buffer t;
        idbpq_buffer_init(&t, NULL);
        for (int i = 0; i < 2; i++) {
            REQUIRE_OK(idbpq_record_reader_next(rr, b, &k, &v));
            t.len = 0;
            idbpq_tjson_write(k, &t);
            CHECK_EQ_INT(t.len, i ? 5 : 1);
            CHECK(!memcmp(t.data, i ? "\"str\"" : "1", t.len));
        }
        idbpq_buffer_free(&t);
        idbpq_record_reader_free(rr);
        idbpq_reader_free(r);
        idbpq_vbatch_free(b);
        tw_mem_free(&m);
    }
}
