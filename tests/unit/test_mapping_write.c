/*
 * test_mapping_write.c — the record writer's decisions, checked on the file it writes (schema
 * read back by the Parquet reader, metadata document parsed as JSON): inference per kind,
 * INT64 vs DOUBLE, VARIANT and its shredding, absences and their sibling column, fallback
 * reasons, key order and sorting_columns, the key generator, one pass vs two passes.
 */
#include <math.h>
#include <stdlib.h>

#include "mapping/mapping.h"
#include "test.h"
#include "test_writer_util.h"

struct wfile {
    struct tw_mem mem;
    idbpq_reader *rd;
    idbpq_source src;
    idbpq_record_stats stats;
    idbpq_vbatch *b;
    char doc[65536];
};

/* Writes records given as tagged JSON lines {"key":..,"value":..} (key may be absent with a
 * key path). two_pass: observe first. Returns 0 on success. */
static int write_lines(struct wfile *f, const idbpq_store_desc *st,
                       const idbpq_record_writer_opts *o, const char *const *lines, int n,
                       int two_pass)
{
    memset(f, 0, sizeof *f);
    idbpq_sink sink;
    tw_mem_init(&f->mem, &sink);
    if (idbpq_vbatch_create(&f->b, NULL) != IDBPQ_OK) return 1;
    idbpq_record_writer *w;
    if (idbpq_record_writer_create(&w, st, o, NULL) != IDBPQ_OK) return 1;
    idbpq_value **keys = calloc((size_t)n, sizeof *keys), **vals = calloc((size_t)n, sizeof *vals);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        idbpq_value *v;
        idbpq_error e;
        if (idbpq_tjson_parse(f->b, lines[i], strlen(lines[i]), &v, &e) != IDBPQ_OK) {
            idbpq_test_fail(__FILE__, __LINE__, "bad test line %d: %s", i, e.msg);
            rc = 1;
            break;
        }
        for (uint32_t k = 0; k < v->u.object.n; k++) {
            const idbpq_str *s = &v->u.object.props[k].key->u.str;
            if (s->len == 3) keys[i] = v->u.object.props[k].value;
            else vals[i] = v->u.object.props[k].value;
        }
    }
    for (int i = 0; two_pass && i < n && !rc; i++)
        if (idbpq_record_writer_observe(w, keys[i], vals[i]) != IDBPQ_OK) rc = 2;
    if (!rc && idbpq_record_writer_begin(w, &sink) != IDBPQ_OK) rc = 3;
    for (int i = 0; i < n && !rc; i++)
        if (idbpq_record_writer_write(w, keys[i], vals[i]) != IDBPQ_OK) rc = 4;
    if (!rc && idbpq_record_writer_finish(w, &f->stats) != IDBPQ_OK) rc = 5;
    if (rc) idbpq_test_fail(__FILE__, __LINE__, "writer step %d: %s", rc, idbpq_record_writer_errmsg(w));
    idbpq_record_writer_free(w);
    free(keys);
    free(vals);
    if (rc) return rc;
    idbpq_source_memory(&f->src, f->mem.b.p, f->mem.b.len, "mem");
    char err[256];
    if (idbpq_reader_open(&f->rd, &f->src, NULL, NULL, err, sizeof err) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "read back: %s", err);
        return 6;
    }
    const idbpq_file_meta *m = idbpq_reader_meta(f->rd);
    for (int32_t i = 0; i < m->num_kv; i++)
        if (m->kv[i].key.len == 5 && memcmp(m->kv[i].key.ptr, "idbpq", 5) == 0 &&
            m->kv[i].value.len < sizeof f->doc) {
            memcpy(f->doc, m->kv[i].value.ptr, m->kv[i].value.len);
            f->doc[m->kv[i].value.len] = 0;
        }
    return 0;
}

static void wfile_free(struct wfile *f)
{
    idbpq_reader_free(f->rd);
    tw_mem_free(&f->mem);
    idbpq_vbatch_free(f->b);
}

static const idbpq_schema_node *col(struct wfile *f, const char *path)
{
    const idbpq_schema *s = idbpq_reader_schema(f->rd);
    int32_t c = idbpq_schema_find_column(s, path);
    return c < 0 ? NULL : idbpq_schema_column(s, c);
}

static const idbpq_schema_node *node(struct wfile *f, const char *name)
{
    const idbpq_schema *s = idbpq_reader_schema(f->rd);
    for (int32_t i = 0; i < idbpq_schema_num_nodes(s); i++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, i);
        if (n->path && strcmp(n->path, name) == 0) return n;
    }
    return NULL;
}

TEST(mapping_infer_types)
{
    static const char *const lines[] = {
        ("{\"key\":1,\"value\":{\"i\":1,\"d\":1,\"s\":\"a\",\"b\":true,\"t\":{\"$date\":0},"
        "\"big\":{\"$bigint\":\"5\"},\"dec\":{\"$bigint\":\"99999999999999999999\"},"
        "\"txt\":{\"$bigint\":\"1\"},\"bin\":{\"$binary\":\"AQ==\",\"$type\":\"ArrayBuffer\"},"
        "\"f\":{\"$binary\":\"AACAPw==\",\"$type\":\"Float32Array\"},\"o\":{\"x\":1},\"a\":[1],"
        "\"set\":{\"$set\":[\"x\"]},\"map\":{\"$map\":[[1,\"v\"]]}}}"),
        ("{\"key\":2,\"value\":{\"i\":-9007199254740992,\"d\":0.5,\"txt\":{\"$bigint\":"
        "\"1234567890123456789012345678901234567890\"}}}"),
        "{\"key\":3,\"value\":{\"d\":{\"$number\":\"-0\"}}}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 3, 1) == 0);
    const idbpq_schema_node *n;
    REQUIRE((n = col(&f, "_key")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_INT64);
    REQUIRE((n = col(&f, "i")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_INT64);
    REQUIRE((n = col(&f, "d")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_DOUBLE);
    REQUIRE((n = col(&f, "s")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING);
    REQUIRE((n = col(&f, "b")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_BOOLEAN);
    REQUIRE((n = col(&f, "t")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_TIMESTAMP);
    CHECK_EQ_INT(n->logical.unit, IDBPQ_MILLIS);
    CHECK_EQ_INT(n->logical.utc, 1);
    REQUIRE((n = col(&f, "big")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_INT64);
    REQUIRE((n = col(&f, "dec")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_DECIMAL);
    CHECK_EQ_INT(n->type_length, 16);
    REQUIRE((n = col(&f, "txt")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING);
    REQUIRE((n = col(&f, "bin")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_BYTE_ARRAY);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_NONE);
    REQUIRE((n = col(&f, "f.list.element")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_FLOAT);
    REQUIRE((n = col(&f, "o.x")) != NULL);
    CHECK_EQ_INT(n->type, IDBPQ_INT64);
    REQUIRE((n = col(&f, "a.list.element")) != NULL);
    REQUIRE((n = col(&f, "set.list.element")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING);
    REQUIRE((n = node(&f, "map")) != NULL);
    CHECK_EQ_INT(n->shape, IDBPQ_SHAPE_MAP);
    REQUIRE((n = col(&f, "_raw")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING); /* not JSON: lone surrogate escapes */
    CHECK_EQ_INT(f.stats.fallbacks, 0);
    CHECK_EQ_INT(f.stats.records, 3);
    CHECK(strstr(f.doc, "\"js\":\"bigint:text\"") != NULL);
    CHECK(strstr(f.doc, "\"view\":\"Float32Array\"") != NULL);
    CHECK(strstr(f.doc, "\"view\":\"ArrayBuffer\"") != NULL);
    wfile_free(&f);
}

TEST(mapping_variant_and_shredding)
{
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"v\":\"a\",\"w\":1}}", "{\"key\":2,\"value\":{\"v\":\"b\",\"w\":\"x\"}}",
        "{\"key\":3,\"value\":{\"v\":3,\"w\":{\"a\":1}}}", "{\"key\":4,\"value\":{\"v\":\"d\",\"w\":[1]}}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 4, 1) == 0);
    const idbpq_schema_node *n;
    REQUIRE((n = node(&f, "v")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_VARIANT);
    REQUIRE((n = col(&f, "v.typed_value")) != NULL); /* strings are 3 of 4: shredded */
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING);
    REQUIRE((n = node(&f, "w")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_VARIANT);
    CHECK(col(&f, "w.typed_value") == NULL); /* no kind is half: not shredded */
    CHECK_EQ_INT(f.stats.variant_fields, 2);
    wfile_free(&f);
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    o.mixed_as_json = 1;
    REQUIRE(write_lines(&f, NULL, &o, lines, 4, 1) == 0);
    REQUIRE((n = col(&f, "v")) != NULL);
    CHECK_EQ_INT(n->logical.kind, IDBPQ_LT_STRING);
    CHECK(strstr(f.doc, "\"js\":\"json\",\"column\":\"v\"") != NULL);
    wfile_free(&f);
}

TEST(mapping_absences)
{
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"a\":1,\"b\":null,\"c\":1,\"e\":[1,null]}}",
        "{\"key\":2,\"value\":{\"a\":null,\"b\":null,\"c\":{\"$undefined\":true},\"e\":[]}}",
        "{\"key\":3,\"value\":{\"b\":2,\"e\":[{\"$undefined\":true}]}}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 3, 1) == 0);
    /* a: null and missing -> sibling; b: only null -> none; c: undefined and missing. */
    CHECK(col(&f, "a__absent") != NULL);
    CHECK(col(&f, "b__absent") == NULL);
    CHECK(col(&f, "c__absent") != NULL);
    /* e's elements: null once, undefined once: the record with the minority falls back. */
    CHECK_EQ_INT(f.stats.fallbacks, 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_ABSENT], 1);
    wfile_free(&f);
}

TEST(mapping_fallback_reasons)
{
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"s\":\"ok\",\"x\":1}}",
        "{\"key\":2,\"value\":{\"s\":\"\\ud800\",\"x\":2}}",
        "{\"key\":3,\"value\":{\"s\":\"a\",\"x\":{\"$regexp\":\"a\",\"$flags\":\"\"}}}",
        "{\"key\":4,\"value\":{\"s\":\"b\",\"arr\":{\"$array\":{\"length\":3,\"items\":{\"0\":1}}}}}",
        "{\"key\":5,\"value\":{\"s\":\"c\",\"d\":{\"$date\":null}}}",
        "{\"key\":6,\"value\":{\"s\":\"d\",\"g\":{\"p\":{}, \"q\":{\"$ref\":2}}}}",
        "{\"key\":7,\"value\":\"not an object\"}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 7, 1) == 0);
    CHECK_EQ_INT(f.stats.records, 7);
    CHECK_EQ_INT(f.stats.fallbacks, 6);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_STRING], 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_TYPE], 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_ARRAY], 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_NUMBER], 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_GRAPH], 1);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_ROOT], 1);
    CHECK(strstr(f.doc, "\"fallbacks\":6") != NULL);
    CHECK_EQ_INT(f.stats.sorted, 1); /* `_key` is written for fallback records too */
    wfile_free(&f);
}

TEST(mapping_key_order_and_generator)
{
    static const char *const sorted[] = {
        "{\"value\":{\"id\":1,\"v\":\"a\"}}", "{\"value\":{\"id\":5,\"v\":\"b\"}}",
        "{\"value\":{\"id\":40.5,\"v\":\"c\"}}",
    };
    idbpq_store_desc st;
    memset(&st, 0, sizeof st);
    const char *kp[] = {"id"};
    st.key_path.type = 1;
    st.key_path.n = 1;
    st.key_path.paths = kp;
    st.auto_increment = 1;
    st.key_generator = 3;
    st.name = "things";
    struct wfile f;
    REQUIRE(write_lines(&f, &st, NULL, sorted, 3, 1) == 0);
    CHECK_EQ_INT(f.stats.sorted, 1);
    CHECK(col(&f, "_key") == NULL);
    const idbpq_file_meta *m = idbpq_reader_meta(f.rd);
    REQUIRE(m->num_row_groups >= 1);
    REQUIRE(m->row_groups[0].num_sorting_columns == 1);
    CHECK_EQ_INT(m->row_groups[0].sorting_columns[0].column,
                 idbpq_schema_find_column(idbpq_reader_schema(f.rd), "id"));
    CHECK(strstr(f.doc, "\"keyGenerator\":41") != NULL);
    CHECK(strstr(f.doc, "\"keyPath\":\"id\"") != NULL);
    CHECK(strstr(f.doc, "\"name\":\"things\"") != NULL);
    wfile_free(&f);

    static const char *const unsorted[] = {
        "{\"key\":\"b\",\"value\":1}", "{\"key\":\"a\",\"value\":2}",
    };
    REQUIRE(write_lines(&f, NULL, NULL, unsorted, 2, 1) == 0);
    CHECK_EQ_INT(f.stats.sorted, 0);
    CHECK_EQ_INT(idbpq_reader_meta(f.rd)->row_groups[0].num_sorting_columns, 0);
    CHECK(col(&f, "_value") != NULL);
    wfile_free(&f);
}

TEST(mapping_one_pass_late_field)
{
    /* A sample of one record: the second record's new field and new kind fall back. */
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"a\":1}}", "{\"key\":2,\"value\":{\"a\":2,\"late\":true}}",
        "{\"key\":3,\"value\":{\"a\":\"str\"}}", "{\"key\":4,\"value\":{\"a\":4}}",
    };
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    o.sample_bytes = 1;
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, &o, lines, 4, 0) == 0);
    CHECK(col(&f, "late") == NULL);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_SCHEMA], 2);
    wfile_free(&f);
    /* Two passes see everything: no fallback. */
    REQUIRE(write_lines(&f, NULL, NULL, lines, 4, 1) == 0);
    CHECK(col(&f, "late") != NULL);
    CHECK_EQ_INT(f.stats.fallbacks, 0);
    wfile_free(&f);
}

TEST(mapping_typemap_roundtrip_and_lies)
{
    static const char *const lines[] = {
        "{\"key\":[1,\"a\"],\"value\":{\"o\":{\"\\ud800x\":1,\"5\":2},\"m\":{\"$map\":[[\"k\",[1]]]}}}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 1, 1) == 0);
    const idbpq_schema *s = idbpq_reader_schema(f.rd);
    struct idbpq__typemap tm;
    idbpq_store_desc st;
    struct idbpq__err err;
    idbpq_vbatch *b;
    REQUIRE(idbpq_vbatch_create(&b, NULL) == IDBPQ_OK);
    CHECK_EQ_INT(idbpq__typemap_decode(b, s, f.doc, strlen(f.doc), &tm, &st, &err), IDBPQ_OK);
    CHECK_EQ_INT(tm.has_key, 1);
    CHECK_EQ_INT(tm.key.js, IDBPQ__JS_ARRAY);
    CHECK_EQ_INT(tm.value_is_root, 1);
    /* A document that lies about a column's form, names a missing column, or is newer. */
    char bad[65536];
    const char *p = strstr(f.doc, "\"js\":\"Map\"");
    REQUIRE(p != NULL);
    snprintf(bad, sizeof bad, "%.*s\"js\":\"Date\"%s", (int)(p - f.doc), f.doc, p + 10);
    CHECK_EQ_INT(idbpq__typemap_decode(b, s, bad, strlen(bad), &tm, &st, &err), IDBPQ_CORRUPT);
    p = strstr(f.doc, "\"column\":\"m\"");
    REQUIRE(p != NULL);
    snprintf(bad, sizeof bad, "%.*s\"column\":\"zz\"%s", (int)(p - f.doc), f.doc, p + 12);
    CHECK_EQ_INT(idbpq__typemap_decode(b, s, bad, strlen(bad), &tm, &st, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "names no child") != NULL);
    snprintf(bad, sizeof bad, "{\"format\":2%s", f.doc + 11);
    CHECK_EQ_INT(idbpq__typemap_decode(b, s, bad, strlen(bad), &tm, &st, &err), IDBPQ_UNSUPPORTED);
    CHECK_EQ_INT(idbpq__typemap_decode(b, s, "{", 1, &tm, &st, &err), IDBPQ_CORRUPT);
    idbpq_vbatch_free(b);
    wfile_free(&f);
}

/* Reads the records of f back; keys[i] gets record i's key as tagged JSON (up to n). */
static int read_keys(struct wfile *f, char keys[][64], int n)
{
    idbpq_record_reader *rr;
    if (idbpq_record_reader_open(&rr, f->rd, NULL, NULL) != IDBPQ_OK) return -1;
    int i = 0;
    idbpq_value *k, *v;
    idbpq_status st;
    while ((st = idbpq_record_reader_next(rr, f->b, &k, &v)) == IDBPQ_OK && i < n) {
        idbpq_buffer t;
        idbpq_buffer_init(&t, NULL);
        idbpq_tjson_write(k, &t);
        snprintf(keys[i++], 64, "%.*s", (int)t.len, (const char *)t.data);
        idbpq_buffer_free(&t);
    }
    if (st != IDBPQ_END) idbpq_test_fail(__FILE__, __LINE__, "%s", idbpq_record_reader_errmsg(rr));
    idbpq_record_reader_free(rr);
    return st == IDBPQ_END ? i : -1;
}

TEST(mapping_keys_are_keys)
{
    /* Out-of-line keys are written as keys (idbpq_key_to_value of the key), not as the
     * values given. An ArrayBuffer and a Uint8Array are the same kind of key, but as values
     * they do not fit one column: a BYTE_ARRAY column, or the binary of a `_key` VARIANT,
     * held one of the two and refused the other; an array key that repeats a Date is a shared
     * reference, which a VARIANT refuses. Each failed the whole write ("the record's key does
     * not fit the `_key` column"). Found by fuzz_mapping. */
    static const char *const sets[][4] = {
        {"{\"key\":{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"},\"value\":1}",
         "{\"key\":{\"$binary\":\"AQM=\",\"$type\":\"Uint8Array\"},\"value\":2}",
         "{\"key\":{\"$binary\":\"AQQ=\",\"$type\":\"Uint8Array\"},\"value\":3}",
         "{\"key\":{\"$binary\":\"AQU=\",\"$type\":\"Uint8Array\"},\"value\":4}"},
        {"{\"key\":-1.5,\"value\":1}",
         "{\"key\":{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"},\"value\":2}",
         "{\"key\":{\"$binary\":\"AQM=\",\"$type\":\"Uint8Array\"},\"value\":3}",
         "{\"key\":[{\"$date\":5},{\"$ref\":2}],\"value\":4}"}, /* refs count the line */
    };
    static const char *const want[][4] = {
        {"{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"}",
         "{\"$binary\":\"AQM=\",\"$type\":\"ArrayBuffer\"}",
         "{\"$binary\":\"AQQ=\",\"$type\":\"ArrayBuffer\"}",
         "{\"$binary\":\"AQU=\",\"$type\":\"ArrayBuffer\"}"},
        {"-1.5", "{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"}",
         "{\"$binary\":\"AQM=\",\"$type\":\"ArrayBuffer\"}", "[{\"$date\":5},{\"$date\":5}]"},
    };
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    o.sample_bytes = 1;
    for (int one_pass = 0; one_pass < 2; one_pass++)
        for (int set = 0; set < 2; set++) {
            struct wfile f;
            REQUIRE(write_lines(&f, NULL, &o, sets[set], 4, !one_pass) == 0);
            CHECK_EQ_INT(f.stats.records, 4);
            CHECK_EQ_INT(f.stats.fallbacks, 0);
            char keys[4][64];
            CHECK_EQ_INT(read_keys(&f, keys, 4), 4);
            for (int i = 0; i < 4; i++) CHECK_EQ_STR(keys[i], want[set][i]);
            wfile_free(&f);
        }
}

/* Reads f's records back and checks each value against lines[i]'s "value" (property order
 * aside). Returns the number that matched. */
static int values_back(struct wfile *f, const char *const *lines, int n)
{
    idbpq_record_reader *rr;
    if (idbpq_record_reader_open(&rr, f->rd, NULL, NULL) != IDBPQ_OK) return -1;
    int same = 0;
    for (int i = 0; i < n; i++) {
        idbpq_value *k, *v, *line;
        idbpq_error e;
        if (idbpq_record_reader_next(rr, f->b, &k, &v) != IDBPQ_OK ||
            idbpq_tjson_parse(f->b, lines[i], strlen(lines[i]), &line, &e) != IDBPQ_OK)
            break;
        const idbpq_value *want = line->u.object.props[line->u.object.n - 1].value;
        if (idbpq_value_equal_ex(v, want, IDBPQ_EQ_UNORDERED)) same++;
        else idbpq_test_fail(__FILE__, __LINE__, "record %d does not read back equal", i);
    }
    idbpq_record_reader_free(rr);
    return same;
}

TEST(mapping_date_minus_zero)
{
    /* A Date holding -0 (not creatable in JS, but V8 bytes and tagged JSON hold it) and a
     * File whose lastModified is -0 read back +0 from an INT64 column, and from a VARIANT
     * timestamp: they cannot be held exactly, so the record falls back (NUMBER in a typed
     * column, VARIANT in a VARIANT). Found by fuzz_mapping. */
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"d\":{\"$date\":{\"$number\":\"-0\"}},\"m\":\"s\"}}",
        ("{\"key\":2,\"value\":{\"d\":{\"$date\":0},\"m\":\"s\",\"f\":{\"$file\":{\"name\":\"a\","
         "\"type\":\"\",\"size\":0,\"lastModified\":{\"$number\":\"-0\"}}}}}"),
        "{\"key\":3,\"value\":{\"m\":{\"$date\":{\"$number\":\"-0\"}}}}",
        "{\"key\":4,\"value\":{\"m\":\"s\"}}", "{\"key\":5,\"value\":{\"m\":\"s\"}}",
        "{\"key\":6,\"value\":{\"m\":\"s\"}}", "{\"key\":7,\"value\":{\"m\":\"s\"}}",
        "{\"key\":8,\"value\":{\"m\":\"s\"}}", "{\"key\":9,\"value\":{\"m\":\"s\"}}",
        "{\"key\":10,\"value\":{\"m\":\"s\"}}", "{\"key\":11,\"value\":{\"m\":\"s\"}}",
    };
    struct wfile f;
    REQUIRE(write_lines(&f, NULL, NULL, lines, 11, 1) == 0);
    REQUIRE(node(&f, "m") != NULL);
    CHECK_EQ_INT(node(&f, "m")->logical.kind, IDBPQ_LT_VARIANT);
    CHECK_EQ_INT(f.stats.fallbacks, 3);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_NUMBER], 2);
    CHECK_EQ_INT(f.stats.by_reason[IDBPQ_FALLBACK_VARIANT], 1);
    CHECK_EQ_INT(values_back(&f, lines, 11), 11);
    wfile_free(&f);
}

TEST(mapping_key_generator_spent)
{
    /* An autoIncrement store with a key path accepts values without the key: the reader
     * generates it (1, 2, 3..., moved past explicit number keys), as IndexedDB would have.
     * After an explicit key above 2^53 IndexedDB cannot generate one (ConstraintError): the
     * writer refuses such a record (INVALID_ARG, the writer goes on) in both passes, instead
     * of writing a row the reader fails on ("the key generator passed 2^53"). Found by
     * fuzz_mapping. */
    static const char *const lines[] = {
        "{\"id\":1}", "{\"x\":1}", "{\"id\":9007199254749331}", "{\"x\":2}", "{\"id\":3}",
    };
    const char *kp[] = {"id"};
    idbpq_store_desc st;
    memset(&st, 0, sizeof st);
    st.key_path.type = 1;
    st.key_path.n = 1;
    st.key_path.paths = kp;
    st.auto_increment = 1;
    st.key_generator = 1;
    for (int one_pass = 0; one_pass < 2; one_pass++) {
        struct tw_mem mem;
        idbpq_sink sink;
        tw_mem_init(&mem, &sink);
        idbpq_vbatch *b;
        REQUIRE(idbpq_vbatch_create(&b, NULL) == IDBPQ_OK);
        idbpq_value *v[5];
        for (int i = 0; i < 5; i++) {
            idbpq_error e;
            REQUIRE(idbpq_tjson_parse(b, lines[i], strlen(lines[i]), &v[i], &e) == IDBPQ_OK);
        }
        idbpq_record_writer *w;
        REQUIRE(idbpq_record_writer_create(&w, &st, NULL, NULL) == IDBPQ_OK);
        for (int i = 0; !one_pass && i < 5; i++)
            CHECK_EQ_INT(idbpq_record_writer_observe(w, NULL, v[i]),
                         i == 3 ? IDBPQ_INVALID_ARG : IDBPQ_OK);
        REQUIRE(idbpq_record_writer_begin(w, &sink) == IDBPQ_OK);
        for (int i = 0; i < 5; i++)
            CHECK_EQ_INT(idbpq_record_writer_write(w, NULL, v[i]),
                         i == 3 ? IDBPQ_INVALID_ARG : IDBPQ_OK);
        idbpq_record_stats stats;
        REQUIRE(idbpq_record_writer_finish(w, &stats) == IDBPQ_OK);
        CHECK_EQ_INT(stats.records, 4);
        idbpq_record_writer_free(w);
        idbpq_source src;
        idbpq_source_memory(&src, mem.b.p, mem.b.len, "mem");
        idbpq_reader *rd;
        char err[256];
        REQUIRE(idbpq_reader_open(&rd, &src, NULL, NULL, err, sizeof err) == IDBPQ_OK);
        idbpq_record_reader *rr;
        REQUIRE(idbpq_record_reader_open(&rr, rd, NULL, NULL) == IDBPQ_OK);
        static const double want[] = {1, 2, 9007199254749331.0, 3};
        for (int i = 0; i < 4; i++) {
            idbpq_value *k, *val;
            CHECK_EQ_INT(idbpq_record_reader_next(rr, b, &k, &val), IDBPQ_OK);
            CHECK(k && k->type == IDBPQ_V_NUMBER && k->u.number == want[i]);
        }
        idbpq_value *k, *val;
        CHECK_EQ_INT(idbpq_record_reader_next(rr, b, &k, &val), IDBPQ_END);
        idbpq_record_reader_free(rr);
        idbpq_reader_free(rd);
        idbpq_vbatch_free(b);
        tw_mem_free(&mem);
    }
}
