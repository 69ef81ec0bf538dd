/* test_value_tjson.c — tagged JSON: parse(write(v)) equals v for seeded random values of
 * every type (cycles and sharing included), printing is deterministic, golden texts round
 * trip byte for byte, numbers print as JavaScript does, and every class of malformed input
 * fails with a status, a line and a column. */
#include "test.h"
#include "test_value_gen.h"

#include <stdlib.h>

static int write_text(const idbpq_value *v, idbpq_buffer *out)
{
    out->len = 0;
    return idbpq_tjson_write(v, out);
}

TEST(tjson_random_round_trips)
{
    idbpq_vbatch *b, *b2;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    REQUIRE_OK(idbpq_vbatch_create(&b2, NULL));
    idbpq_buffer t1, t2;
    idbpq_buffer_init(&t1, NULL);
    idbpq_buffer_init(&t2, NULL);
    uint64_t seed = idbpq_test_seed();
    int bad = 0;
    for (int i = 0; i < 5000 && bad < 5; i++) {
        idbpq_vbatch_reset(b);
        idbpq_vbatch_reset(b2);
        idbpq_value *v = gen_value(b, seed * 7919u + (uint64_t)i), *w = NULL;
        REQUIRE(v);
        REQUIRE_OK(write_text(v, &t1));
        idbpq_error err;
        int st = idbpq_tjson_parse(b2, (const char *)t1.data, t1.len, &w, &err);
        if (st != 0) {
            idbpq_test_fail(__FILE__, __LINE__, "value %d: parse failed: %s\n  text: %.*s", i,
                            err.msg, (int)(t1.len > 400 ? 400 : t1.len), (const char *)t1.data);
            bad++;
            continue;
        }
        if (!idbpq_value_equal(v, w)) {
            idbpq_test_fail(__FILE__, __LINE__, "value %d differs after a round trip: %.*s", i,
                            (int)(t1.len > 400 ? 400 : t1.len), (const char *)t1.data);
            bad++;
        }
        REQUIRE_OK(write_text(w, &t2));
        if (t1.len != t2.len || memcmp(t1.data, t2.data, t1.len)) {
            idbpq_test_fail(__FILE__, __LINE__, "value %d prints differently the second time", i);
            bad++;
        }
        uint8_t h1[16], h2[16];
        idbpq_value_hash(v, h1);
        idbpq_value_hash(w, h2);
        if (memcmp(h1, h2, 16)) {
            idbpq_test_fail(__FILE__, __LINE__, "value %d: hash changed across a round trip", i);
            bad++;
        }
    }
    idbpq_buffer_free(&t1);
    idbpq_buffer_free(&t2);
    idbpq_vbatch_free(b);
    idbpq_vbatch_free(b2);
}

/* Texts in the exact form the printer produces: parse then print gives them back. */
static const char *const golden[] = {
    "null", "true", "false", "0", "-1.5", "1e+21", "1e-7", "0.000001", "123456789012345680000",
    "5e-324", "1.7976931348623157e+308", "0.1", "\"\"", "\"a\\\"\\\\\\n\\u0001\\ud800x\\udc00\"",
    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
    "{\"$number\":\"-0\"}", "{\"$number\":\"NaN\"}", "{\"$number\":\"Infinity\"}",
    "{\"$number\":\"-Infinity\"}", "{\"$undefined\":true}",
    "{\"$bigint\":\"0\"}", "{\"$bigint\":\"-123456789012345678901234567890\"}",
    "{\"$bigint\":\"18446744073709551616\"}",
    "{\"$date\":1700000000000}", "{\"$date\":null}", "{\"$date\":{\"$number\":\"-0\"}}",
    "{\"$regexp\":\"a+b\",\"$flags\":\"dgilmsuvy\"}", "{\"$regexp\":\"\",\"$flags\":\"\"}",
    "{\"$binary\":\"AQID\",\"$type\":\"ArrayBuffer\"}",
    "{\"$binary\":\"\",\"$type\":\"ArrayBuffer\",\"$maxByteLength\":16}",
    "{\"$binary\":\"AAAAAAAA8D8=\",\"$type\":\"Float64Array\"}",
    "{\"$binary\":\"AQI=\",\"$type\":\"DataView\"}",
    "[{\"$binary\":\"AQIDBA==\",\"$type\":\"ArrayBuffer\"},{\"$view\":\"Uint16Array\",\"$buffer\":{\"$ref\":1},\"$offset\":2,\"$length\":2}]",
    "{\"$view\":\"Uint8Array\",\"$buffer\":{\"$binary\":\"AQIDBA==\",\"$type\":\"ArrayBuffer\",\"$maxByteLength\":8},\"$offset\":0,\"$length\":4,\"$flags\":3}",
    "{\"$map\":[[1,{}],[\"k\",{\"$ref\":0}]]}", "{\"$set\":[]}", "{\"$set\":[1,\"a\",{\"$boxed\":true}]}",
    "{\"$boxed\":{\"$bigint\":\"5\"}}", "{\"$boxed\":\"s\"}",
    "{\"$error\":{\"name\":\"TypeError\",\"message\":\"m\",\"stack\":\"s\",\"cause\":{\"$ref\":0}}}",
    "{\"$error\":{\"name\":\"Error\"}}",
    "{\"$blob\":{\"type\":\"text/plain\",\"size\":3,\"data\":\"YWJj\"}}",
    "{\"$blob\":{\"type\":\"\",\"size\":9,\"index\":2}}",
    "{\"$file\":{\"name\":\"a.txt\",\"type\":\"text/plain\",\"size\":1,\"lastModified\":1700000000000,\"data\":\"eA==\"}}",
    "{\"$filelist\":[{\"$file\":{\"name\":\"\",\"type\":\"\",\"size\":0,\"lastModified\":{\"$number\":\"NaN\"}}},{\"$ref\":1}]}",
    "{\"$host\":{\"tag\":\"K\",\"data\":\"AQI=\"}}", "{\"$host\":{\"tag\":0,\"data\":\"\"}}",
    "{}", "[]", "{\"a\":1,\"b\":[1,2,[]]}", "{\"$object\":{\"$a\":1,\"b\":{\"$ref\":0}}}",
    "{\"$array\":{\"length\":3,\"items\":{\"0\":1,\"2\":3}}}",
    "{\"$array\":{\"length\":4294967295,\"items\":{\"4294967294\":1}}}",
    "{\"$array\":{\"length\":1,\"items\":{\"0\":{\"$ref\":0}},\"props\":{\"name\":\"x\",\"$y\":null}}}",
    "{\"$array\":{\"length\":0,\"items\":{},\"props\":{\"-1\":1}}}",
};

TEST(tjson_golden_texts_round_trip)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        idbpq_value *v;
        idbpq_error err;
        int st = idbpq_tjson_parse(b, golden[i], strlen(golden[i]), &v, &err);
        if (st) {
            idbpq_test_fail(__FILE__, __LINE__, "%s: %s", golden[i], err.msg);
            continue;
        }
        CHECK_OK(write_text(v, &out));
        CHECK(out.len == strlen(golden[i]) && !memcmp(out.data, golden[i], out.len));
        if (out.len != strlen(golden[i]) || memcmp(out.data, golden[i], out.len))
            idbpq_test_fail(__FILE__, __LINE__, "printed %.*s for %s", (int)out.len,
                            (const char *)out.data, golden[i]);
    }
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
}

TEST(tjson_cycles_and_sharing_are_graphs)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_value *v;
    idbpq_error err;
    const char *t = "{\"a\":{\"x\":1},\"b\":{\"$ref\":1},\"self\":{\"$ref\":0}}";
    REQUIRE_OK(idbpq_tjson_parse(b, t, strlen(t), &v, &err));
    REQUIRE(v->type == IDBPQ_V_OBJECT && v->u.object.n == 3);
    CHECK(v->u.object.props[0].value == v->u.object.props[1].value);
    CHECK(v->u.object.props[2].value == v);
    /* a huge sparse length allocates nothing like the length */
    size_t before = idbpq_vbatch_size(b);
    t = "{\"$array\":{\"length\":4294967295,\"items\":{\"5\":1}}}";
    REQUIRE_OK(idbpq_tjson_parse(b, t, strlen(t), &v, &err));
    CHECK(v->u.array.sparse && v->u.array.length == 4294967295u);
    CHECK(idbpq_vbatch_size(b) - before < 4096);
    idbpq_vbatch_free(b);
}

static const struct bad { const char *text; uint32_t line, col; int status; } bad_inputs[] = {
    {"", 1, 1, IDBPQ_CORRUPT},
    {"nul", 1, 1, IDBPQ_CORRUPT},
    {"[1,]", 1, 4, IDBPQ_CORRUPT},
    {"[1 2]", 1, 4, IDBPQ_CORRUPT},
    {"{\"a\" 1}", 1, 6, IDBPQ_CORRUPT},
    {"{\"a\":1,}", 1, 8, IDBPQ_CORRUPT},
    {"{\n  \"a\": 01\n}", 2, 9, IDBPQ_CORRUPT},
    {"1.", 1, 3, IDBPQ_CORRUPT},
    {"1e", 1, 3, IDBPQ_CORRUPT},
    {"-0", 1, 3, IDBPQ_CORRUPT},
    {"1e999", 1, 1, IDBPQ_CORRUPT},
    {"\"abc", 1, 5, IDBPQ_CORRUPT},
    {"\"a\tb\"", 1, 3, IDBPQ_CORRUPT},
    {"\"\\x\"", 1, 3, IDBPQ_CORRUPT},
    {"\"\\u12g4\"", 1, 4, IDBPQ_CORRUPT},
    {"\"\xc3\"", 1, 2, IDBPQ_CORRUPT},
    {"\"\xed\xa0\x80\"", 1, 2, IDBPQ_CORRUPT},
    {"\"\xc0\xaf\"", 1, 2, IDBPQ_CORRUPT},
    {"1 2", 1, 3, IDBPQ_CORRUPT},
    {"{\"a\":1,\"$b\":2}", 1, 8, IDBPQ_CORRUPT},
    {"{\"$nope\":1}", 1, 2, IDBPQ_CORRUPT},
    {"{\"$ref\":0}", 1, 9, IDBPQ_CORRUPT},
    {"[{\"$ref\":1}]", 1, 10, IDBPQ_CORRUPT},
    {"{\"$ref\":-1}", 1, 9, IDBPQ_CORRUPT},
    {"{\"$number\":\"nan\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$undefined\":false}", 1, 15, IDBPQ_CORRUPT},
    {"{\"$bigint\":\"01\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$bigint\":\"-0\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$bigint\":12}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$date\":\"x\"}", 1, 10, IDBPQ_CORRUPT},
    {"{\"$date\":{\"$number\":\"NaN\"}}", 1, 10, IDBPQ_CORRUPT},
    {"{\"$regexp\":\"a\",\"$flags\":\"gg\"}", 1, 25, IDBPQ_CORRUPT},
    {"{\"$regexp\":\"a\",\"$flags\":\"x\"}", 1, 25, IDBPQ_CORRUPT},
    {"{\"$regexp\":\"a\"}", 1, 15, IDBPQ_CORRUPT},
    {"{\"$binary\":\"AQI\",\"$type\":\"ArrayBuffer\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$binary\":\"AQ*=\",\"$type\":\"ArrayBuffer\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$binary\":\"AR==\",\"$type\":\"ArrayBuffer\"}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$binary\":\"AQI=\",\"$type\":\"Uint32Array\"}", 1, 27, IDBPQ_CORRUPT},
    {"{\"$binary\":\"AQI=\",\"$type\":\"Blob\"}", 1, 27, IDBPQ_CORRUPT},
    {"{\"$binary\":\"\",\"$type\":\"ArrayBuffer\",\"$maxByteLength\":-1}", 1, 54, IDBPQ_CORRUPT},
    {"{\"$view\":\"Uint8Array\",\"$buffer\":{},\"$offset\":0,\"$length\":0}", 1, 33, IDBPQ_CORRUPT},
    {"{\"$view\":\"Uint8Array\",\"$buffer\":{\"$binary\":\"AQI=\",\"$type\":\"ArrayBuffer\"},\"$offset\":1,\"$length\":2}", 1, 33, IDBPQ_CORRUPT},
    {"{\"$map\":[[1]]}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$map\":[1]}", 1, 10, IDBPQ_CORRUPT},
    {"{\"$set\":{}}", 1, 9, IDBPQ_CORRUPT},
    {"{\"$boxed\":null}", 1, 11, IDBPQ_CORRUPT},
    {"{\"$boxed\":{}}", 1, 11, IDBPQ_CORRUPT},
    {"{\"$error\":{\"name\":\"OopsError\"}}", 1, 19, IDBPQ_CORRUPT},
    {"{\"$error\":{\"message\":\"m\"}}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$blob\":{\"type\":\"\",\"size\":2,\"data\":\"YQ==\"}}", 1, 37, IDBPQ_CORRUPT},
    {"{\"$blob\":{\"type\":\"\",\"size\":1.5}}", 1, 28, IDBPQ_CORRUPT},
    {"{\"$file\":{\"type\":\"\",\"size\":0}}", 1, 11, IDBPQ_CORRUPT},
    {"{\"$filelist\":[1]}", 1, 14, IDBPQ_CORRUPT},
    {"{\"$host\":{\"tag\":\"KK\",\"data\":\"\"}}", 1, 17, IDBPQ_CORRUPT},
    {"{\"$host\":{\"tag\":256,\"data\":\"\"}}", 1, 17, IDBPQ_CORRUPT},
    {"{\"$array\":{\"length\":2,\"items\":{\"2\":1}}}", 1, 32, IDBPQ_CORRUPT},
    {"{\"$array\":{\"length\":5,\"items\":{\"3\":1,\"1\":2}}}", 1, 38, IDBPQ_CORRUPT},
    {"{\"$array\":{\"length\":5,\"items\":{\"01\":1}}}", 1, 32, IDBPQ_CORRUPT},
    {"{\"$array\":{\"length\":5,\"items\":{},\"props\":{\"1\":1}}}", 1, 43, IDBPQ_CORRUPT},
    {"{\"$array\":{\"length\":4294967296,\"items\":{}}}", 1, 21, IDBPQ_CORRUPT},
    {"{\"$array\":{\"items\":{}}}", 1, 12, IDBPQ_CORRUPT},
    {"{\"$object\":[]}", 1, 12, IDBPQ_CORRUPT},
};

TEST(tjson_malformed_inputs_report_line_and_column)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        const struct bad *t = &bad_inputs[i];
        idbpq_value *v = (idbpq_value *)1;
        idbpq_error err;
        int st = idbpq_tjson_parse(b, t->text, strlen(t->text), &v, &err);
        if (st != t->status || v != NULL || err.line != t->line || err.column != t->col ||
            (int)err.status != st || !err.msg[0])
            idbpq_test_fail(__FILE__, __LINE__, "%s: status %d, line %u column %u: %s", t->text,
                            st, err.line, err.column, err.msg);
    }
    idbpq_vbatch_free(b);
}

TEST(tjson_limits_depth_and_bigint)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    enum { D = 200000 };
    char *t = malloc(2 * D + 1);
    REQUIRE(t);
    memset(t, '[', D);
    memset(t + D, ']', D);
    idbpq_value *v;
    idbpq_error err;
    CHECK_EQ_INT(idbpq_tjson_parse(b, t, 2 * D, &v, &err), IDBPQ_LIMIT);
    CHECK(err.line == 1 && err.column > 1000);
    /* {"$boxed": nesting through tags counts too */
    size_t n = 0;
    for (int i = 0; i < 5000; i++) n += (size_t)sprintf(t + n, "{\"$set\":[");
    CHECK_EQ_INT(idbpq_tjson_parse(b, t, n, &v, &err), IDBPQ_LIMIT);
    /* at the limit: 1999 nested arrays parse */
    memset(t, '[', 1999);
    memset(t + 1999, ']', 1999);
    CHECK_OK(idbpq_tjson_parse(b, t, 2 * 1999, &v, &err));
    /* BigInt digit cap */
    n = (size_t)sprintf(t, "{\"$bigint\":\"");
    memset(t + n, '7', 150000);
    n += 150000;
    n += (size_t)sprintf(t + n, "\"}");
    CHECK_EQ_INT(idbpq_tjson_parse(b, t, n, &v, &err), IDBPQ_LIMIT);
    free(t);
    /* truncations of a valid text all fail cleanly */
    const char *full = "{\"a\":[1,{\"$map\":[[{\"$bigint\":\"12\"},{\"$binary\":\"AQI=\",\"$type\":\"Uint8Array\"}]]},\"\\u00e9\"]}";
    for (size_t k = 0; k < strlen(full); k++)
        CHECK(idbpq_tjson_parse(b, full, k, &v, &err) != IDBPQ_OK && err.line == 1);
    CHECK_OK(idbpq_tjson_parse(b, full, strlen(full), &v, &err));
    idbpq_vbatch_free(b);
}

TEST(tjson_writer_rejects_invalid_models)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    idbpq_value *h = idbpq_value_new(b, IDBPQ_V_HOLE);
    CHECK_EQ_INT(idbpq_tjson_write(h, &out), IDBPQ_INVALID_ARG);
    idbpq_value *bx = idbpq_value_new(b, IDBPQ_V_BOXED);
    bx->u.boxed = idbpq_value_new(b, IDBPQ_V_OBJECT);
    CHECK_EQ_INT(idbpq_tjson_write(bx, &out), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(out.len, 0);
    idbpq_value *vw = idbpq_value_new(b, IDBPQ_V_VIEW);
    vw->u.view.buffer = idbpq_value_new(b, IDBPQ_V_ARRAY_BUFFER);
    vw->u.view.length = 4;
    CHECK_EQ_INT(idbpq_tjson_write(vw, &out), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq_tjson_write(NULL, &out), IDBPQ_INVALID_ARG);
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
}
