/*
 * test_delta_read.c — the reading half of the Delta layer: the JSON parser and writer, commit
 * parsing, percent-decoding, protocol refusals, Z85 and RoaringBitmap decoding of deletion
 * vectors. Tables on disk are covered by tests/suites/75_delta_read.sh.
 */
#include "sync/delta_read.h"
#include "test.h"

static struct idbpq__dj *parse(struct idbpq__arena *a, const char *s, idbpq_status *st)
{
    struct idbpq__dj *v = NULL;
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    *st = idbpq__dj_parse(a, s, strlen(s), &v, &err);
    return v;
}

TEST(delta_json_values)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    idbpq_status st;
    struct idbpq__dj *v = parse(&a, " {\"a\":[1,-2.50e+3,true,false,null],\"b\":\"x\\u00e9\","
                                    "\"big\":12345678901234567890, \"n\":-9223372036854775808}\n",
                                &st);
    REQUIRE_OK(st);
    REQUIRE(v->kind == IDBPQ__DJ_OBJ);
    const struct idbpq__dj *arr = idbpq__dj_get(v, "a");
    REQUIRE(arr && arr->kind == IDBPQ__DJ_ARR && arr->n == 5);
    CHECK_EQ_STR(arr->items[1].str, "-2.50e+3"); /* numbers keep their text */
    CHECK(arr->items[2].kind == IDBPQ__DJ_BOOL && arr->items[2].b == 1);
    CHECK(arr->items[4].kind == IDBPQ__DJ_NULL);
    CHECK_EQ_STR(idbpq__dj_str(v, "b"), "x\xc3\xa9");
    int64_t i;
    CHECK(!idbpq__dj_int(v, "big", &i)); /* beyond int64 */
    CHECK_EQ_STR(idbpq__dj_get(v, "big")->str, "12345678901234567890");
    CHECK(idbpq__dj_int(v, "n", &i) && i == INT64_MIN);
    CHECK(idbpq__dj_str(v, "missing") == NULL);
    CHECK_EQ_INT(idbpq__dj_bool(v, "missing", 7), 7);
    /* Surrogate pairs become one code point; a lone surrogate U+FFFD. */
    v = parse(&a, "\"\\ud83d\\ude00|\\ud800|\\udc00\"", &st);
    REQUIRE_OK(st);
    CHECK_EQ_STR(v->str, "\xf0\x9f\x98\x80|\xef\xbf\xbd|\xef\xbf\xbd");
    /* An escaped NUL stays in the string (len counts it). */
    v = parse(&a, "\"a\\u0000b\"", &st);
    REQUIRE_OK(st);
    CHECK_EQ_INT(v->len, 3);
    /* Duplicate keys: the last wins. */
    v = parse(&a, "{\"k\":1,\"k\":2}", &st);
    REQUIRE_OK(st);
    CHECK(idbpq__dj_int(v, "k", &i) && i == 2);
    idbpq__arena_free(&a);
}

TEST(delta_json_errors)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    const char *bad[] = { "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "1e", "\"\x01\"",
                          "\"\\x\"", "\"\\u12\"", "tru", "nul", "{} x", "\"\xc0\x80\"",
                          "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "[\"a\"", "{\"a\":}",
                          "\"abc", "+1", "NaN", "'a'" };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        struct idbpq__dj *v;
        struct idbpq__err err;
        memset(&err, 0, sizeof err);
        idbpq_status st = idbpq__dj_parse(&a, bad[k], strlen(bad[k]), &v, &err);
        if (st != IDBPQ_CORRUPT) idbpq_test_fail(__FILE__, __LINE__, "accepted %s", bad[k]);
        CHECK(strstr(err.msg, "at byte") != NULL);
    }
    /* Depth: 1000 levels parse, 1001 are LIMIT. */
    char deep[2100];
    for (int d = 1000; d <= 1001; d++) {
        memset(deep, '[', (size_t)d);
        memset(deep + d, ']', (size_t)d);
        struct idbpq__dj *v;
        struct idbpq__err err;
        idbpq_status st = idbpq__dj_parse(&a, deep, (size_t)d * 2, &v, &err);
        CHECK_EQ_INT(st, d == 1000 ? IDBPQ_OK : IDBPQ_LIMIT);
    }
    idbpq__arena_free(&a);
}

TEST(delta_json_write)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    REQUIRE_OK(idbpq__buf_push(&b, '{'));
    REQUIRE_OK(idbpq__jw_key(&b, "s", 1));
    REQUIRE_OK(idbpq__jw_str(&b, "a\"b\\c\n\x01\xc3\xa9", 9));
    REQUIRE_OK(idbpq__jw_key(&b, "i", 0));
    REQUIRE_OK(idbpq__jw_int(&b, INT64_MIN));
    REQUIRE_OK(idbpq__jw_raw(&b, "}"));
    REQUIRE_OK(idbpq__buf_push(&b, 0));
    CHECK_EQ_STR((const char *)b.p,
                 "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"i\":-9223372036854775808}");
    /* What we write parses back to the same string. */
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    idbpq_status st;
    struct idbpq__dj *v = parse(&a, (const char *)b.p, &st);
    REQUIRE_OK(st);
    CHECK_EQ_STR(idbpq__dj_str(v, "s"), "a\"b\\c\n\x01\xc3\xa9");
    /* And the DOM writer gives text that parses to the same DOM. */
    idbpq__buf_reset(&b);
    REQUIRE_OK(idbpq__dj_write(&b, v));
    REQUIRE_OK(idbpq__buf_push(&b, 0));
    CHECK_EQ_STR((const char *)b.p,
                 "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",\"i\":-9223372036854775808}");
    idbpq__arena_free(&a);
    idbpq__buf_free(&b);
}

TEST(delta_percent_decode)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    CHECK_EQ_STR(idbpq__percent_decode(&a, "test%25file%25prefix-part.parquet"),
                 "test%file%prefix-part.parquet");
    CHECK_EQ_STR(idbpq__percent_decode(&a, "x=A%252FA/p"), "x=A%2FA/p"); /* only once */
    CHECK_EQ_STR(idbpq__percent_decode(&a, "a%20b%2"), "a b%2");
    CHECK_EQ_STR(idbpq__percent_decode(&a, "%zz%C3%A9"), "%zz\xc3\xa9");
    CHECK(idbpq__percent_decode(&a, "a%00b") == NULL);
    idbpq__arena_free(&a);
}

static const char COMMIT[] =
    "{\"commitInfo\":{\"timestamp\":1700,\"operation\":\"WRITE\",\"x\":{\"y\":[1]}}}\n"
    "\n"
    "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
    "\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[\"deletionVectors\"]}}\r\n"
    "{\"metaData\":{\"id\":\"t\",\"name\":null,\"format\":{\"provider\":\"parquet\"},"
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\","
    "\"partitionColumns\":[\"p\"],\"configuration\":{\"delta.enableChangeDataFeed\":\"true\"},"
    "\"createdTime\":5}}\n"
    "{\"add\":{\"path\":\"p=a%20b/f%25.parquet\",\"partitionValues\":{\"p\":\"a b\",\"q\":null},"
    "\"size\":10,\"modificationTime\":3,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":2}\","
    "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"vBn[lx{q8@P<9BNH/isA\","
    "\"offset\":1,\"sizeInBytes\":36,\"cardinality\":2,\"maxRowIndex\":9}}}\n"
    "{\"remove\":{\"path\":\"old.parquet\",\"deletionTimestamp\":9,\"dataChange\":false}}\n"
    "{\"txn\":{\"appId\":\"app\",\"version\":4,\"lastUpdated\":1}}\n"
    "{\"futureAction\":{\"anything\":1}}\n"
    "{\"domainMetadata\":{\"domain\":\"delta.x\",\"configuration\":\"{}\",\"removed\":false}}";

TEST(delta_commit_parse)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__delta_commit c;
    struct idbpq__err err;
    memset(&c, 0, sizeof c);
    c.version = 3;
    REQUIRE_OK(idbpq__delta_commit_parse(COMMIT, strlen(COMMIT), "x.json", &a, &c, &err));
    CHECK_EQ_INT(c.version, 3);
    CHECK_EQ_INT(c.timestamp, 1700);
    CHECK_EQ_STR(c.operation, "WRITE");
    REQUIRE(c.protocol && c.metadata);
    CHECK_EQ_INT(c.protocol->min_reader, 3);
    CHECK_EQ_INT(c.protocol->n_reader_features, 1);
    CHECK_EQ_STR(c.metadata->id, "t");
    CHECK(c.metadata->name == NULL);
    CHECK(c.metadata->schema && c.metadata->schema->kind == IDBPQ__DJ_OBJ);
    CHECK_EQ_INT(c.metadata->n_partition_columns, 1);
    CHECK_EQ_INT(c.metadata->n_configuration, 1);
    CHECK_EQ_INT(c.metadata->created_time, 5);
    REQUIRE_EQ_INT(c.n_adds, 1);
    CHECK_EQ_STR(c.adds[0].file, "p=a b/f%.parquet");
    CHECK_EQ_INT(c.adds[0].size, 10);
    CHECK_EQ_INT(c.adds[0].n_partition_values, 2);
    CHECK_EQ_INT(c.adds[0].partition_values[1].has_value, 0);
    CHECK_EQ_STR(c.adds[0].stats, "{\"numRecords\":2}");
    REQUIRE(c.adds[0].dv);
    CHECK_EQ_INT(c.adds[0].dv->offset, 1);
    CHECK_EQ_INT(c.adds[0].dv->cardinality, 2);
    REQUIRE_EQ_INT(c.n_removes, 1);
    CHECK_EQ_INT(c.removes[0].data_change, 0);
    CHECK_EQ_INT(c.removes[0].size, -1);
    REQUIRE_EQ_INT(c.n_txns, 1);
    CHECK_EQ_INT(c.txns[0].version, 4);
    REQUIRE_EQ_INT(c.n_domains, 1);
    CHECK_EQ_STR(c.domains[0], "delta.x");
    CHECK_EQ_INT(c.n_cdcs, 0);
    idbpq__arena_free(&a);
}

TEST(delta_commit_errors)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct {
        const char *text, *msg;
    } cases[] = {
        { "{\"add\":{\"path\":\"a\"}}\n{\"add\":{\"path\":", "c.json line 2 (offset 21)" },
        { "not json", "c.json line 1" },
        { "\n\n[1]", "c.json line 3: an action is not a JSON object" },
        { "{\"add\":{\"size\":1}}", "c.json line 1: a file action has no path" },
        { "{\"protocol\":{\"minReaderVersion\":1}}", "minWriterVersion" },
        { "{\"metaData\":{\"schemaString\":\"{\"}}", "c.json line 1: schemaString" },
        { "{\"add\":{\"path\":\"a\",\"deletionVector\":{\"storageType\":\"u\"}}}",
          "deletionVector lacks" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct idbpq__delta_commit c;
        struct idbpq__err err;
        memset(&c, 0, sizeof c);
        memset(&err, 0, sizeof err);
        idbpq_status st = idbpq__delta_commit_parse(cases[k].text, strlen(cases[k].text),
                                                    "c.json", &a, &c, &err);
        CHECK_EQ_INT(st, IDBPQ_CORRUPT);
        if (!strstr(err.msg, cases[k].msg))
            idbpq_test_fail(__FILE__, __LINE__, "case %zu: message \"%s\" lacks \"%s\"", k,
                            err.msg, cases[k].msg);
    }
    /* Empty commit and whitespace lines are fine. */
    struct idbpq__delta_commit c;
    struct idbpq__err err;
    memset(&c, 0, sizeof c);
    CHECK_OK(idbpq__delta_commit_parse(" \n\r\n", 4, "c.json", &a, &c, &err));
    char name[64];
    idbpq__delta_commit_name(42, name, sizeof name);
    CHECK_EQ_STR(name, "_delta_log/00000000000000000042.json");
    idbpq__arena_free(&a);
}

static idbpq_status check_proto(int r, int w, const char **rf, uint32_t nr, const char **wf,
                                uint32_t nw, const char *config_key, int write, char *msg)
{
    struct idbpq__delta_protocol p = { r, w, rf, nr, wf, nw };
    struct idbpq__delta_metadata m;
    idbpq_kv kv;
    memset(&m, 0, sizeof m);
    memset(&kv, 0, sizeof kv);
    if (config_key) {
        kv.key.ptr = (const uint8_t *)config_key;
        kv.key.len = strlen(config_key);
        kv.value.ptr = (const uint8_t *)"true";
        kv.value.len = 4;
        kv.has_value = 1;
        m.configuration = &kv;
        m.n_configuration = 1;
    }
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    idbpq_status st = write ? idbpq__delta_check_write(&p, &m, &err)
                            : idbpq__delta_check_read(&p, &err);
    strcpy(msg, err.msg);
    return st;
}

TEST(delta_protocol_checks)
{
    char msg[IDBPQ__ERRMSG_SIZE];
    const char *ok[] = { "columnMapping", "deletionVectors", "timestampNtz", "variantType-preview",
                         "vacuumProtocolCheck", "timestampWithoutTimezone" };
    CHECK_OK(check_proto(3, 7, ok, 6, ok, 6, NULL, 0, msg));
    CHECK_OK(check_proto(1, 2, NULL, 0, NULL, 0, NULL, 0, msg));
    CHECK_OK(check_proto(2, 5, NULL, 0, NULL, 0, NULL, 0, msg));
    CHECK_EQ_INT(check_proto(5, 7, NULL, 0, NULL, 0, NULL, 0, msg), IDBPQ_UNSUPPORTED);
    CHECK(strstr(msg, "reader version 5") != NULL);
    const char *refused[] = { "v2Checkpoint", "catalogManaged", "catalogOwned-preview",
                              "typeWidening", "typeWidening-preview", "variantShredding",
                              "variantShredding-preview", "blahabl" };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        CHECK_EQ_INT(check_proto(3, 7, &refused[i], 1, &refused[i], 1, NULL, 0, msg),
                     IDBPQ_UNSUPPORTED);
        if (!strstr(msg, refused[i]))
            idbpq_test_fail(__FILE__, __LINE__, "message \"%s\" lacks %s", msg, refused[i]);
    }
    /* Writing: allowlist, legacy expansion, features refused only when in use. */
    const char *cdf[] = { "changeDataFeed", "appendOnly" };
    CHECK_OK(check_proto(1, 7, NULL, 0, cdf, 2, NULL, 1, msg));
    CHECK_OK(check_proto(1, 4, NULL, 0, NULL, 0, NULL, 1, msg));
    const char *bad_w[] = { "rowTracking", "clustering", "icebergCompatV2", "liquid" };
    for (size_t i = 0; i < 4; i++) {
        CHECK_EQ_INT(check_proto(1, 7, NULL, 0, &bad_w[i], 1, NULL, 1, msg), IDBPQ_UNSUPPORTED);
        CHECK(strstr(msg, bad_w[i]) != NULL);
    }
    CHECK_EQ_INT(check_proto(1, 3, NULL, 0, NULL, 0, "delta.constraints.pos", 1, msg),
                 IDBPQ_UNSUPPORTED);
    CHECK(strstr(msg, "delta.constraints.pos") != NULL);
    /* The same property without the feature (writer 2) has no meaning. */
    CHECK_OK(check_proto(1, 2, NULL, 0, NULL, 0, "delta.constraints.pos", 1, msg));
    const char *dv[] = { "deletionVectors" };
    CHECK_OK(check_proto(3, 7, dv, 1, dv, 1, NULL, 1, msg));
    CHECK_EQ_INT(check_proto(3, 7, dv, 1, dv, 1, "delta.enableDeletionVectors", 1, msg),
                 IDBPQ_UNSUPPORTED);
    CHECK_EQ_INT(check_proto(1, 8, NULL, 0, NULL, 0, NULL, 1, msg), IDBPQ_UNSUPPORTED);
}

TEST(delta_z85)
{
    uint8_t u[16];
    REQUIRE_OK(idbpq__z85_decode("vBn[lx{q8@P<9BNH/isA", 20, u));
    static const uint8_t want[16] = { 0x61, 0xd1, 0x6c, 0x75, 0x69, 0x94, 0x46, 0xb7,
                                      0xa1, 0x5b, 0x8b, 0x53, 0x88, 0x52, 0xe5, 0x0e };
    CHECK_EQ_MEM(u, want, 16);
    CHECK(idbpq__z85_decode("vBn[l", 4, u) != 0);    /* not a multiple of 5 */
    CHECK(idbpq__z85_decode("vBn[\"", 5, u) != 0);   /* outside the alphabet */
    CHECK(idbpq__z85_decode("#####", 5, u) != 0);    /* above 2^32 */
}

/* A portable 64-bit RoaringBitmap: magic, bucket count, then per bucket a key and a 32-bit
 * bitmap; here built by hand with an array, a run and a bitmap container. */
static size_t roaring_sample(uint8_t *b)
{
    size_t n = 0;
#define U32(v) (idbpq__st_le32(b + n, (uint32_t)(v)), n += 4)
#define U16(v) (b[n] = (uint8_t)(v), b[n + 1] = (uint8_t)((v) >> 8), n += 2)
    U32(1681511377u);
    idbpq__st_le64(b + n, 2);
    n += 8;
    U32(0);                        /* bucket 0: cookie with runs, 2 containers */
    U32(12347u | (1u << 16));
    b[n++] = 0x02;                 /* container 1 is a run container */
    U16(0); U16(2 - 1);            /* key 0, cardinality 2 */
    U16(1); U16(5 - 1);            /* key 1, cardinality 5 */
    U16(0); U16(9);                /* array {0, 9} */
    U16(1); U16(3); U16(4);        /* one run: 3..7 */
    U32(1);                        /* bucket 1: no runs, 1 container */
    U32(12346u);
    U32(1);
    U16(0); U16(4097 - 1);         /* a bitmap container of 4097 rows: 0..4096 */
    U32(0);                        /* its offset (ignored) */
    memset(b + n, 0, 8192);
    for (int i = 0; i <= 4096; i++) b[n + i / 8] |= (uint8_t)(1u << (i % 8));
    n += 8192;
#undef U32
#undef U16
    return n;
}

TEST(delta_roaring)
{
    static uint8_t b[9000];
    size_t n = roaring_sample(b);
    struct idbpq__arena a;
    idbpq__arena_init(&a, NULL);
    struct idbpq__dv_rows r;
    struct idbpq__err err;
    REQUIRE_OK(idbpq__dv_decode(b, n, "t", 0, &a, &r, &err));
    CHECK_EQ_INT(r.cardinality, 2 + 5 + 4097);
    REQUIRE_EQ_INT(r.n_ranges, 4);
    CHECK_EQ_INT(r.r[0], 0);
    CHECK_EQ_INT(r.r[1], 1);
    CHECK_EQ_INT(r.r[2], 9);
    CHECK_EQ_INT(r.r[4], 65536 + 3);
    CHECK_EQ_INT(r.r[5], 65536 + 8);
    CHECK_EQ_INT(r.r[6], (int64_t)1 << 32);
    CHECK_EQ_INT(r.r[7], ((int64_t)1 << 32) + 4097);
    /* Every truncation is CORRUPT with the offset, never a crash. */
    for (size_t k = 0; k < n; k += k < 64 ? 1 : 97) {
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(idbpq__dv_decode(b, k, "t", 0, &a, &r, &err), IDBPQ_CORRUPT);
        CHECK(strstr(err.msg, "offset") != NULL);
    }
    /* A lying cardinality in a container header. */
    b[4 + 8 + 4 + 4 + 1 + 2] = 7;
    CHECK_EQ_INT(idbpq__dv_decode(b, n, "t", 0, &a, &r, &err), IDBPQ_CORRUPT);
    /* The native format's magic is named. */
    idbpq__st_le32(b, 0xD0D33964u);
    CHECK_EQ_INT(idbpq__dv_decode(b, n, "t", 0, &a, &r, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "native") != NULL);
    idbpq__arena_free(&a);
}
