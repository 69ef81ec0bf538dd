/*
 * test_mapping_read_rt.c — records written by the record writer read back through the public
 * record reader: equal keys and values (property order aside), `_raw` fallbacks, key paths,
 * key generators, `_value` stores, and key_column on a file idbpq wrote.
 */
#include <stdlib.h>

#include "mapping/mapping.h"
#include "test.h"
#include "test_writer_util.h"

/* Writes the records (tagged JSON {"key":K,"value":V} lines; no "key" with a key path) into
 * mem; keys[] and vals[] get the parsed records (in b). Returns the fallback count, -1 on
 * failure. */
static int write_records(const idbpq_store_desc *store, const char *const *lines, int n,
                         idbpq_vbatch *b, idbpq_value **keys, idbpq_value **vals,
                         struct tw_mem *mem)
{
    for (int i = 0; i < n; i++) {
        idbpq_value *v;
        idbpq_error e;
        if (idbpq_tjson_parse(b, lines[i], strlen(lines[i]), &v, &e) != IDBPQ_OK) {
            idbpq_test_fail(__FILE__, __LINE__, "line %d: %s", i, e.msg);
            return -1;
        }
        keys[i] = vals[i] = NULL;
        for (uint32_t k = 0; k < v->u.object.n; k++) {
            if (v->u.object.props[k].key->u.str.len == 3) keys[i] = v->u.object.props[k].value;
            else vals[i] = v->u.object.props[k].value;
        }
    }
    idbpq_sink sink;
    tw_mem_init(mem, &sink);
    idbpq_record_writer *w;
    idbpq_record_stats stats;
    int rc = idbpq_record_writer_create(&w, store, NULL, NULL) != IDBPQ_OK;
    for (int i = 0; i < n && !rc; i++) rc = idbpq_record_writer_observe(w, keys[i], vals[i]) != IDBPQ_OK;
    if (!rc) rc = idbpq_record_writer_begin(w, &sink) != IDBPQ_OK;
    for (int i = 0; i < n && !rc; i++) rc = idbpq_record_writer_write(w, keys[i], vals[i]) != IDBPQ_OK;
    if (!rc) rc = idbpq_record_writer_finish(w, &stats) != IDBPQ_OK;
    if (rc) idbpq_test_fail(__FILE__, __LINE__, "writer: %s", idbpq_record_writer_errmsg(w));
    idbpq_record_writer_free(w);
    return rc ? -1 : (int)stats.fallbacks;
}

/* Writes the records, reads them back with the public reader, and checks each key and value
 * (property order aside). */
static void roundtrip(const idbpq_store_desc *store, const char *const *lines, int n,
                      int want_native_fallbacks)
{
    idbpq_vbatch *b, *rb;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    REQUIRE_OK(idbpq_vbatch_create(&rb, NULL));
    idbpq_value *keys[16] = {0}, *vals[16] = {0};
    REQUIRE(n <= 16);
    struct tw_mem mem;
    CHECK_EQ_INT(write_records(store, lines, n, b, keys, vals, &mem), want_native_fallbacks);
    idbpq_source src;
    idbpq_source_memory(&src, mem.b.p, mem.b.len, "rt.parquet");
    idbpq_reader *rd;
    char errbuf[256];
    REQUIRE_OK(idbpq_reader_open(&rd, &src, NULL, NULL, errbuf, sizeof errbuf));
    idbpq_record_reader *rr;
    REQUIRE_OK(idbpq_record_reader_open(&rr, rd, NULL, NULL));
    CHECK_EQ_INT(idbpq_record_reader_native(rr), 1);
    const idbpq_store_desc *st = idbpq_record_reader_store(rr);
    if (store) {
        CHECK_EQ_INT(st->key_path.type, store->key_path.type);
        CHECK_EQ_INT(st->auto_increment, store->auto_increment);
        if (store->name) CHECK_EQ_STR(st->name, store->name);
    }
    for (int i = 0; i < n; i++) {
        idbpq_value *k, *v;
        idbpq_status s2 = idbpq_record_reader_next(rr, rb, &k, &v);
        if (s2 != IDBPQ_OK) {
            idbpq_test_fail(__FILE__, __LINE__, "record %d: %s", i, idbpq_record_reader_errmsg(rr));
            break;
        }
        idbpq_buffer t;
        idbpq_buffer_init(&t, NULL);
        idbpq_tjson_write(k, &t);
        idbpq_tjson_write(v, &t);
        if (keys[i] && !idbpq_value_equal(k, keys[i]))
            idbpq_test_fail(__FILE__, __LINE__, "record %d key differs: %.*s", i, (int)t.len,
                            (const char *)t.data);
        if (!idbpq_value_equal_ex(v, vals[i], IDBPQ_EQ_UNORDERED))
            idbpq_test_fail(__FILE__, __LINE__, "record %d value differs: %.*s (line %s)", i,
                            (int)t.len, (const char *)t.data, lines[i]);
        idbpq_buffer_free(&t);
    }
    idbpq_value *k, *v;
    CHECK_EQ_INT(idbpq_record_reader_next(rr, rb, &k, &v), IDBPQ_END);
    idbpq_record_reader_free(rr);
    idbpq_reader_free(rd);
    tw_mem_free(&mem);
    idbpq_vbatch_free(b);
    idbpq_vbatch_free(rb);
}

TEST(mapping_read_roundtrip_typed)
{
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"i\":1,\"d\":0.5,\"s\":\"a\\u00e9\\u65e5\",\"b\":true,"
        "\"t\":{\"$date\":-1},\"big\":{\"$bigint\":\"-5\"},"
        "\"dec\":{\"$bigint\":\"99999999999999999999\"},\"txt\":{\"$bigint\":\"1\"},"
        "\"bin\":{\"$binary\":\"AQ==\",\"$type\":\"ArrayBuffer\"},"
        "\"f\":{\"$binary\":\"AACAPw==\",\"$type\":\"Float32Array\"},"
        "\"h\":{\"$binary\":\"ADw=\",\"$type\":\"Float16Array\"},\"o\":{\"x\":1,\"7\":2},"
        "\"a\":[1,2],\"set\":{\"$set\":[\"x\"]},\"map\":{\"$map\":[[1,\"v\"]]},"
        "\"blob\":{\"$blob\":{\"type\":\"text/plain\",\"size\":2,\"data\":\"aGk=\"}},"
        "\"file\":{\"$file\":{\"name\":\"f\",\"type\":\"\",\"size\":0,\"lastModified\":5,"
        "\"data\":\"\"}}}}",
        "{\"key\":2,\"value\":{\"i\":-9007199254740992,\"d\":{\"$number\":\"-0\"},"
        "\"txt\":{\"$bigint\":\"1234567890123456789012345678901234567890\"},\"o\":{\"x\":null},"
        "\"a\":[],\"u\":{\"$undefined\":true}}}",
        "{\"key\":3,\"value\":{\"d\":{\"$number\":\"NaN\"},\"o\":{},\"s\":null}}",
        "{\"key\":4,\"value\":{\"s\":\"lone \\ud800\"}}",          /* `_raw`: STRING */
        "{\"key\":5,\"value\":{\"i\":1,\"self\":{\"$ref\":1}}}",  /* `_raw`: GRAPH */
    };
    roundtrip(NULL, lines, 5, 2);
}

TEST(mapping_read_roundtrip_keys)
{
    /* An in-line key path: the key comes back by evaluating it on the value. */
    static const char *const p[] = {"id"};
    idbpq_store_desc st;
    memset(&st, 0, sizeof st);
    st.name = "users";
    st.key_path.type = 1;
    st.key_path.n = 1;
    st.key_path.paths = p;
    static const char *const inline_lines[] = {
        "{\"key\":\"w\",\"value\":{\"id\":\"w\",\"name\":\"a\"}}",
        "{\"key\":\"x\",\"value\":{\"id\":\"x\",\"name\":\"b\"}}",
    };
    roundtrip(&st, inline_lines, 2, 0);
    /* Out-of-line string keys; values that are not objects (a `_value` column). */
    static const char *const values[] = {
        "{\"key\":\"a\",\"value\":\"one\"}",
        "{\"key\":\"b\",\"value\":\"two\"}",
        "{\"key\":\"c\",\"value\":\"three\"}",
    };
    roundtrip(NULL, values, 3, 0);
    /* autoIncrement with a key path: keys are in the values. */
    st.auto_increment = 1;
    st.name = NULL;
    static const char *const gen[] = {
        "{\"key\":1,\"value\":{\"id\":1}}",
        "{\"key\":5,\"value\":{\"id\":5,\"x\":[true]}}",
    };
    roundtrip(&st, gen, 2, 0);
}

TEST(mapping_read_roundtrip_variant)
{
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"v\":1,\"w\":\"x\"}}",
        "{\"key\":2,\"value\":{\"v\":\"s\",\"w\":{\"a\":[1,true,null]}}}",
        "{\"key\":3,\"value\":{\"v\":{\"$date\":7},\"w\":2.5}}",
        "{\"key\":4,\"value\":{\"v\":null,\"w\":{\"$bigint\":\"12\"}}}",
    };
    roundtrip(NULL, lines, 4, 0);
    /* Keys of several types: the `_key` column is a VARIANT too. */
    static const char *const keys[] = {
        "{\"key\":1,\"value\":{\"a\":1}}",
        "{\"key\":\"x\",\"value\":{\"a\":2}}",
        "{\"key\":{\"$date\":3},\"value\":{\"a\":3}}",
        "{\"key\":[1,\"c\"],\"value\":{\"a\":4}}",
    };
    roundtrip(NULL, keys, 4, 0);
}

/* key_column on a file idbpq wrote: that property becomes the key and leaves the value, from
 * typed rows and `_raw` rows alike; the store then has out-of-line keys. */
TEST(mapping_read_own_key_column)
{
    static const char *const p[] = {"id"};
    idbpq_store_desc st;
    memset(&st, 0, sizeof st);
    st.key_path.type = 1;
    st.key_path.n = 1;
    st.key_path.paths = p;
    static const char *const lines[] = {
        "{\"key\":1,\"value\":{\"id\":1,\"name\":\"a\"}}",
        "{\"key\":2,\"value\":{\"id\":2,\"name\":\"lone \\ud800\"}}",
        "{\"key\":3,\"value\":{\"id\":3}}",
    };
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_value *keys[3], *vals[3];
    struct tw_mem mem;
    CHECK_EQ_INT(write_records(&st, lines, 3, b, keys, vals, &mem), 1);
    idbpq_source src;
    idbpq_source_memory(&src, mem.b.p, mem.b.len, "kc.parquet");
    idbpq_reader *rd;
    REQUIRE_OK(idbpq_reader_open(&rd, &src, NULL, NULL, NULL, 0));
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    o.key_column = "nope";
    idbpq_record_reader *rr;
    CHECK_EQ_INT(idbpq_record_reader_open(&rr, rd, &o, NULL), IDBPQ_INVALID_ARG);
    o.key_column = "name";
    REQUIRE_OK(idbpq_record_reader_open(&rr, rd, &o, NULL));
    CHECK_EQ_INT(idbpq_record_reader_store(rr)->key_path.type, 0);
    static const char *const want[] = {"\"a\" {\"id\":1}", "\"lone \\ud800\" {\"id\":2}"};
    for (int i = 0; i < 2; i++) {
        idbpq_value *k, *v;
        REQUIRE_OK(idbpq_record_reader_next(rr, b, &k, &v));
        idbpq_buffer kt, vt;
        idbpq_buffer_init(&kt, NULL);
        idbpq_buffer_init(&vt, NULL);
        idbpq_tjson_write(k, &kt);
        idbpq_tjson_write(v, &vt);
        char got[128];
        snprintf(got, sizeof got, "%.*s %.*s", (int)kt.len, (const char *)kt.data, (int)vt.len,
                 (const char *)vt.data);
        CHECK_EQ_STR(got, want[i]);
        idbpq_buffer_free(&kt);
        idbpq_buffer_free(&vt);
    }
    idbpq_value *k, *v;
    CHECK_EQ_INT(idbpq_record_reader_next(rr, b, &k, &v), IDBPQ_SCHEMA); /* no name */
    CHECK(strstr(idbpq_record_reader_errmsg(rr), "kc.parquet: row 2, column name: no key") != NULL);
    CHECK_EQ_INT(idbpq_record_reader_next(rr, b, &k, &v), IDBPQ_END);
    idbpq_record_reader_free(rr);
    idbpq_reader_free(rd);
    tw_mem_free(&mem);
    idbpq_vbatch_free(b);
}
