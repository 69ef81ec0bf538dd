/*
 * test_idb_ldb.c — Chromium's LevelDB key coding layer (src/idb/ldb_coding.h): primitives,
 * key paths, prefixes, whole keys and values against bytes worked out by hand from
 * indexeddb-on-disk.md §1.3–§1.11; seeded random keys of every kind through build → parse →
 * rebuild; idb_cmp1 against the natural order of the built keys' parts; every truncation and
 * random garbling of keys and values (CORRUPT or a consistent parse, never a crash).
 */
#include "idb/ldb_coding.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *h = hex; h[0] && h[1];) {
        if (*h == ' ' || *h == '|') { h++; continue; }
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* Whether buf holds exactly the bytes of hex (spaces and '|' ignored); prints both if not. */
static int same(const idbpq_buffer *b, const char *hex)
{
    uint8_t want[512];
    size_t n = unhex(hex, want);
    int ok = b->len == n && memcmp(b->data, want, n) == 0;
    if (!ok) {
        printf("#   got ");
        for (size_t i = 0; i < b->len; i++) printf("%02x", b->data[i]);
        printf(", want %s\n", hex);
    }
    return ok;
}

static idbpq_str ustr(const char *ascii)
{
    idbpq_str s = {ascii, (uint32_t)strlen(ascii), 0};
    return s;
}

/* Whether a UTF-16BE body spells the ASCII string. */
static int body_is(struct idbpq__ldb_bytes b, const char *ascii)
{
    size_t n = strlen(ascii);
    if (b.n != 2 * n) return 0;
    for (size_t i = 0; i < n; i++)
        if (b.p[2 * i] != 0 || b.p[2 * i + 1] != (uint8_t)ascii[i]) return 0;
    return 1;
}

static idbpq_key knum(double d) { idbpq_key k = {IDBPQ_KEY_NUMBER, {.number = d}}; return k; }

/* ---- primitives ---------------------------------------------------------------------------- */

TEST(ldb_primitives_bytes)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    CHECK_OK(idbpq__ldb_put_int(&b, 0));
    CHECK_OK(idbpq__ldb_put_int(&b, 0x1e));
    CHECK_OK(idbpq__ldb_put_int(&b, 256));
    CHECK_OK(idbpq__ldb_put_int(&b, INT64_MAX));
    CHECK(same(&b, "00 1e 0001 ffffffffffffff7f"));
    CHECK_EQ_INT(idbpq__ldb_put_int(&b, -1), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, 12);
    b.len = 0;
    CHECK_OK(idbpq__ldb_put_varint(&b, 0));
    CHECK_OK(idbpq__ldb_put_varint(&b, 127));
    CHECK_OK(idbpq__ldb_put_varint(&b, 300));
    CHECK_OK(idbpq__ldb_put_varint(&b, INT64_MAX));
    CHECK(same(&b, "00 7f ac02 ffffffffffffffff7f"));
    CHECK_EQ_INT(idbpq__ldb_put_varint(&b, -5), IDBPQ_INVALID_ARG);
    b.len = 0;
    idbpq_str id = ustr("id");
    CHECK_OK(idbpq__ldb_put_double(&b, 1.0));
    CHECK_OK(idbpq__ldb_put_string(&b, &id));
    CHECK_OK(idbpq__ldb_put_string_with_length(&b, &id));
    CHECK_OK(idbpq__ldb_put_binary(&b, (const uint8_t *)"\x01\xff", 2));
    CHECK_OK(idbpq__ldb_put_bool(&b, 7));
    CHECK_OK(idbpq__ldb_put_byte(&b, 0xc9));
    CHECK(same(&b, "000000000000f03f 00690064 0200690064 0201ff 01 c9"));
    idbpq_buffer_free(&b);
}

TEST(ldb_primitives_decode)
{
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    uint8_t in[64];
    struct idbpq__ldb_rd r;
    idbpq_error err;
    int64_t v;
    /* data format version (§1.7): Int 15 00 00 00 0f = (15 << 32) | 21 */
    size_t n = unhex("1500 0000 0f", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_OK(idbpq__ldb_get_int(&r, &v));
    CHECK_EQ_INT(v, (INT64_C(15) << 32) | 21);
    CHECK_EQ_INT(idbpq__ldb_rd_left(&r), 0);
    idbpq__ldb_rd_init(&r, in, 0, &err);
    CHECK_EQ_INT(idbpq__ldb_get_int(&r, &v), IDBPQ_CORRUPT);
    n = unhex("000000000000000000", in); /* 9 bytes */
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_EQ_INT(idbpq__ldb_get_int(&r, &v), IDBPQ_CORRUPT);
    n = unhex("ffffffffffffffff", in); /* negative */
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_EQ_INT(idbpq__ldb_get_int(&r, &v), IDBPQ_CORRUPT);
    /* VarInt: non-minimal accepted (Chromium does), > INT64_MAX refused with the offset */
    n = unhex("ac02 8000 ffffffffffffffffff01", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_OK(idbpq__ldb_get_varint(&r, &v));
    CHECK_EQ_INT(v, 300);
    CHECK_OK(idbpq__ldb_get_varint(&r, &v));
    CHECK_EQ_INT(v, 0);
    CHECK_EQ_INT(idbpq__ldb_get_varint(&r, &v), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 4);
    /* String / StringWithLength */
    idbpq_str s;
    n = unhex("0200690064 d83d", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_OK(idbpq__ldb_get_string_with_length(&r, vb, &s));
    CHECK(s.len == 2 && s.two_byte && idbpq__str_unit(&s, 0) == 'i' && idbpq__str_unit(&s, 1) == 'd');
    CHECK_OK(idbpq__ldb_get_string(&r, vb, &s));
    CHECK(s.len == 1 && idbpq__str_unit(&s, 0) == 0xd83d); /* lone surrogate kept */
    n = unhex("0300690064", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_EQ_INT(idbpq__ldb_get_string_with_length(&r, vb, &s), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 0);
    CHECK(r.p == in); /* nothing consumed on failure */
    idbpq__ldb_rd_init(&r, in, 3, &err);
    CHECK_EQ_INT(idbpq__ldb_get_string(&r, vb, &s), IDBPQ_CORRUPT);
    /* Binary, Double, Bool */
    struct idbpq__ldb_bytes bin;
    double d;
    int bo;
    n = unhex("0201ff 000000000000f03f 05", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_OK(idbpq__ldb_get_binary(&r, &bin));
    CHECK(bin.n == 2 && bin.p == in + 1);
    CHECK_OK(idbpq__ldb_get_double(&r, &d));
    CHECK(d == 1.0);
    CHECK_OK(idbpq__ldb_get_bool(&r, &bo));
    CHECK_EQ_INT(bo, 1);
    CHECK_EQ_INT(idbpq__ldb_get_bool(&r, &bo), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 12);
    n = unhex("05 0102", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_EQ_INT(idbpq__ldb_get_binary(&r, &bin), IDBPQ_CORRUPT);
    idbpq__ldb_rd_init(&r, in, 7, &err);
    CHECK_EQ_INT(idbpq__ldb_get_double(&r, &d), IDBPQ_CORRUPT);
    idbpq_vbatch_free(vb);
}

/* ---- key paths ----------------------------------------------------------------------------- */

static int kp_roundtrip(idbpq_vbatch *vb, const idbpq_keypath *kp, const char *hex)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    int ok = idbpq__ldb_put_keypath(&b, kp) == IDBPQ_OK && same(&b, hex);
    struct idbpq__ldb_rd r;
    idbpq_keypath back;
    idbpq__ldb_rd_init(&r, b.data, b.len, NULL);
    ok = ok && idbpq__ldb_get_keypath(&r, vb, &back) == IDBPQ_OK && back.type == kp->type &&
         back.n == kp->n;
    for (uint32_t i = 0; ok && kp->type && i < kp->n; i++)
        ok = strcmp(back.paths[i], kp->paths[i]) == 0;
    idbpq_buffer_free(&b);
    return ok;
}

TEST(ldb_keypath)
{
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    const char *one[] = {"id"};
    const char *two[] = {"a", "b.c"};
    const char *uni[] = {"\xc3\xa9t\xc3\xa9.\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    idbpq_keypath kp = {1, 1, one};
    CHECK(kp_roundtrip(vb, &kp, "000001 02 0069 0064")); /* §1.6 example */
    kp = (idbpq_keypath){2, 2, two};
    CHECK(kp_roundtrip(vb, &kp, "000002 02 01 0061 03 0062 002e 0063"));
    kp = (idbpq_keypath){0, 0, NULL};
    CHECK(kp_roundtrip(vb, &kp, "000000"));
    kp = (idbpq_keypath){2, 0, NULL};
    CHECK(kp_roundtrip(vb, &kp, "000002 00"));
    kp = (idbpq_keypath){2, 2, uni};
    CHECK(kp_roundtrip(vb, &kp, "000002 02 05 00e9 0074 00e9 002e 20ac 02 d83d de00"));
    /* invalid UTF-8 and bad types are refused, nothing written */
    const char *bad[] = {"\xed\xa0\x80"}; /* an encoded surrogate */
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    kp = (idbpq_keypath){1, 1, bad};
    CHECK_EQ_INT(idbpq__ldb_put_keypath(&b, &kp), IDBPQ_INVALID_ARG);
    kp = (idbpq_keypath){3, 0, NULL};
    CHECK_EQ_INT(idbpq__ldb_put_keypath(&b, &kp), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, 0);
    idbpq_buffer_free(&b);

    /* legacy: a bare String (also the empty value and 2-byte values starting 00 00) */
    uint8_t in[64];
    struct idbpq__ldb_rd r;
    idbpq_error err;
    idbpq_keypath got;
    size_t n = unhex("0069 0064", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    REQUIRE_OK(idbpq__ldb_get_keypath(&r, vb, &got));
    CHECK(got.type == 1 && got.n == 1);
    CHECK_EQ_STR(got.paths[0], "id");
    idbpq__ldb_rd_init(&r, in, 0, &err);
    REQUIRE_OK(idbpq__ldb_get_keypath(&r, vb, &got));
    CHECK(got.type == 1 && got.n == 1);
    CHECK_EQ_STR(got.paths[0], "");
    n = unhex("0000", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    REQUIRE_OK(idbpq__ldb_get_keypath(&r, vb, &got));
    CHECK(got.type == 1 && got.paths[0][0] == 0 && got.paths[0][1] == 0 && strlen(got.paths[0]) == 0);
    /* refused: lone surrogates, odd legacy bytes, unknown type, trailing bytes, counts */
    static const char *const corrupt[] = {
        "0061 d800", "dc00", "006100", "000003", "000001 01 0061 00", "000000 00",
        "000002 05 01 0061", "000001 02 0061", "000002 ffffffffffffffffff01"};
    for (size_t i = 0; i < sizeof corrupt / sizeof corrupt[0]; i++) {
        n = unhex(corrupt[i], in);
        idbpq__ldb_rd_init(&r, in, n, &err);
        if (idbpq__ldb_get_keypath(&r, vb, &got) != IDBPQ_CORRUPT)
            idbpq_test_fail(__FILE__, __LINE__, "key path %s not refused", corrupt[i]);
    }
    n = unhex("0061 d800", in);
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_EQ_INT(idbpq__ldb_get_keypath(&r, vb, &got), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 2);
    idbpq_vbatch_free(vb);
}

/* ---- prefix and worked examples ----------------------------------------------------------- */

TEST(ldb_prefix)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    CHECK_OK(idbpq__ldb_put_prefix(&b, 0, 0, 0));
    CHECK(same(&b, "00000000"));
    b.len = 0;
    CHECK_OK(idbpq__ldb_put_prefix(&b, 1, 1, 1));
    CHECK(same(&b, "00010101"));
    b.len = 0;
    CHECK_OK(idbpq__ldb_put_prefix(&b, 256, 0x10000, 30));
    CHECK(same(&b, "28 0001 000001 1e")); /* (2-1)<<5 | (3-1)<<2 | 0 */
    b.len = 0;
    CHECK_OK(idbpq__ldb_put_prefix(&b, INT64_MAX, INT64_MAX, IDBPQ__LDB_MAX_INDEX_ID));
    CHECK(same(&b, "ff ffffffffffffff7f ffffffffffffff7f ffffff7f"));
    b.len = 0;
    CHECK_EQ_INT(idbpq__ldb_put_prefix(&b, 1, 1, (int64_t)INT32_MAX + 1), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_put_prefix(&b, -1, 1, 1), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, 0);
    idbpq_buffer_free(&b);

    /* non-minimal widths are read (Chromium's KeyPrefix::Decode does) */
    uint8_t in[32];
    size_t n = unhex("24 0100 0100 01", in); /* widths 2, 2, 1 */
    struct idbpq__ldb_rd r;
    struct idbpq__ldb_prefix pf;
    idbpq_error err;
    idbpq__ldb_rd_init(&r, in, n, &err);
    CHECK_OK(idbpq__ldb_get_prefix(&r, &pf));
    CHECK(pf.db == 1 && pf.os == 1 && pf.index == 1);
    idbpq__ldb_rd_init(&r, in, n - 1, &err);
    CHECK_EQ_INT(idbpq__ldb_get_prefix(&r, &pf), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 0);
}

static int parse_hex(const char *hex, struct idbpq__ldb_key *k, uint8_t *buf, size_t *n)
{
    *n = unhex(hex, buf);
    idbpq_error err;
    return idbpq__ldb_parse_key(buf, *n, k, &err);
}

/* Rebuilding a parsed key gives its bytes back. */
static int rebuilds(const struct idbpq__ldb_key *k, const uint8_t *p, size_t n)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    int ok = idbpq__ldb_build_key(k, &b) == IDBPQ_OK && b.len == n && memcmp(b.data, p, n) == 0;
    idbpq_buffer_free(&b);
    return ok;
}

TEST(ldb_keys_worked_examples)
{
    uint8_t buf[256];
    size_t n;
    struct idbpq__ldb_key k;
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);

    /* §1.11: record, exists and index 31 of db 1 / store 1, primary key 1.0 */
    idbpq_key one = knum(1.0), date = {IDBPQ_KEY_DATE, {.number = 1e12}};
    CHECK_OK(idbpq__ldb_record_key(1, 1, &one, &b));
    CHECK(same(&b, "00010101 | 03 000000000000f03f"));
    REQUIRE_OK(idbpq__ldb_parse_key(b.data, b.len, &k, NULL));
    CHECK(k.kind == IDBPQ__LDB_RECORD && k.db_id == 1 && k.os_id == 1 && k.index_id == 1);
    CHECK(k.key.n == 9 && k.key.p == b.data + 4);
    b.len = 0;
    CHECK_OK(idbpq__ldb_exists_key(1, 1, &one, &b));
    CHECK(same(&b, "00010102 | 03 000000000000f03f"));
    b.len = 0;
    CHECK_OK(idbpq__ldb_blob_entry_key(1, 1, &one, &b));
    CHECK(same(&b, "00010103 | 03 000000000000f03f"));
    b.len = 0;
    CHECK_OK(idbpq__ldb_index_data_key(1, 1, 31, &date, 0, &one, &b));
    CHECK(same(&b, "0001011f | 02 000000a2941a6d42 | 00 | 03 000000000000f03f"));
    REQUIRE_OK(idbpq__ldb_parse_key(b.data, b.len, &k, NULL));
    CHECK(k.kind == IDBPQ__LDB_INDEX_DATA && k.index_id == 31 && k.has_sequence &&
          k.sequence == 0 && k.key.n == 9 && k.primary.n == 9 && k.primary.p == b.data + 14);
    CHECK_EQ_INT(idbpq__ldb_index_data_key(1, 1, 29, &date, 0, &one, &b), IDBPQ_INVALID_ARG);

    /* §1.7: database name key 00 00 00 00 C9 + origin + name */
    b.len = 0;
    idbpq_str origin = ustr("file__0@1"), name = ustr("db");
    CHECK_OK(idbpq__ldb_db_name_key(&origin, &name, &b));
    CHECK(same(&b, "00000000 c9 09 0066 0069 006c 0065 005f 005f 0030 0040 0031 02 0064 0062"));
    REQUIRE_OK(idbpq__ldb_parse_key(b.data, b.len, &k, NULL));
    CHECK(k.kind == IDBPQ__LDB_DATABASE_NAME && body_is(k.origin, "file__0@1") &&
          body_is(k.name, "db"));
    CHECK(rebuilds(&k, b.data, b.len));

    /* global singletons, the free list, scopes */
    REQUIRE_OK(parse_hex("00000000 00", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_GLOBAL_META && k.type == IDBPQ__LDB_G_SCHEMA_VERSION);
    REQUIRE_OK(parse_hex("00000000 64 05", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_DB_FREE_LIST && k.db_id == 5);
    CHECK(rebuilds(&k, buf, n));
    REQUIRE_OK(parse_hex("00000000 32 02 07 00 0000000000000003", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_SCOPES && k.rest.n == 11);
    CHECK(rebuilds(&k, buf, n));
    REQUIRE_OK(parse_hex("00000000 07", &k, buf, &n)); /* unknown global type */
    CHECK(k.kind == IDBPQ__LDB_UNKNOWN && k.type == 7 && k.rest.n == 0);
    CHECK(rebuilds(&k, buf, n));
    REQUIRE_OK(parse_hex("00000000 00 01", &k, buf, &n)); /* singleton + bytes */
    CHECK(k.kind == IDBPQ__LDB_UNKNOWN && k.type == 0 && k.rest.n == 1);

    /* database metadata */
    REQUIRE_OK(parse_hex("00010000 04", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_DB_META && k.db_id == 1 && k.type == IDBPQ__LDB_D_USER_VERSION);
    CHECK(rebuilds(&k, buf, n));
    REQUIRE_OK(parse_hex("00010000 32 01 00", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_OBJECT_STORE_META && k.os_id == 1 && k.meta_type == 0);
    b.len = 0;
    CHECK_OK(idbpq__ldb_os_meta_key(1, 1, 0, &b));
    CHECK(b.len == n && memcmp(b.data, buf, n) == 0);
    REQUIRE_OK(parse_hex("00010000 64 01 1e 02", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_INDEX_META && k.os_id == 1 && k.index_id == 30 &&
          k.meta_type == IDBPQ__LDB_IX_KEY_PATH);
    b.len = 0;
    CHECK_OK(idbpq__ldb_index_meta_key(1, 1, 30, 2, &b));
    CHECK(b.len == n && memcmp(b.data, buf, n) == 0);
    REQUIRE_OK(parse_hex("00010000 96 03", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_OS_FREE_LIST && k.os_id == 3);
    REQUIRE_OK(parse_hex("00010000 97 03 1f", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_INDEX_FREE_LIST && k.os_id == 3 && k.index_id == 31);
    REQUIRE_OK(parse_hex("00010000 c8 01 0073", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_OBJECT_STORE_NAME && body_is(k.name, "s"));
    REQUIRE_OK(parse_hex("00010000 c9 01 01 0069", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_INDEX_NAME && k.os_id == 1 && body_is(k.name, "i"));
    CHECK(rebuilds(&k, buf, n));

    /* seek bounds: a bare data prefix, an index key without the rest */
    REQUIRE_OK(parse_hex("00010101", &k, buf, &n));
    CHECK(k.kind == IDBPQ__LDB_RECORD && k.key.n == 0);
    CHECK(rebuilds(&k, buf, n));
    REQUIRE_OK(parse_hex("0001011e 05", &k, buf, &n)); /* min key sentinel */
    CHECK(k.kind == IDBPQ__LDB_INDEX_DATA && k.key.n == 1 && !k.has_sequence);
    CHECK(rebuilds(&k, buf, n));

    /* malformed: CORRUPT with the offset */
    idbpq_error err;
    static const struct { const char *hex; uint64_t off; } bad[] = {
        {"", 0}, {"000101", 0}, {"00010104 0300", 0}, {"00010101 07", 4},
        {"00010101 03 0000", 5}, {"00010101 03 000000000000f03f 00", 13},
        {"00010000 32 01", 6}, {"00000000 c9 02 0061", 5}, {"00000000 64", 5},
        {"0001011e 03 000000000000f03f 80", 13}, {"00010101 03 000000000000f87f", 4}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = unhex(bad[i].hex, buf);
        idbpq_status st = idbpq__ldb_parse_key(buf, n, &k, &err);
        if (st != IDBPQ_CORRUPT || err.offset != bad[i].off)
            idbpq_test_fail(__FILE__, __LINE__, "key %s: status %d offset %llu, want CORRUPT at %llu",
                            bad[i].hex, st, (unsigned long long)err.offset,
                            (unsigned long long)bad[i].off);
        /* idb_cmp1 agrees: malformed keys sort after a well-formed one */
        static const uint8_t good[] = {0, 0, 0, 0, 0};
        CHECK(idbpq_idb_cmp1(good, 5, buf, n) < 0);
    }
    idbpq_buffer_free(&b);
}

/* ---- values -------------------------------------------------------------------------------- */

static const char WRAPPER_MIME[] = "application/vnd.blink-idb-value-wrapper";

TEST(ldb_values)
{
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    uint8_t in[256];
    idbpq_error err;
    int64_t version;
    struct idbpq__ldb_bytes ssv, prim;
    size_t n = unhex("02 ff15fe00", in);
    REQUIRE_OK(idbpq__ldb_record_value(in, n, &version, &ssv, &err));
    CHECK(version == 2 && ssv.p == in + 1 && ssv.n == 4);
    CHECK_EQ_INT(idbpq__ldb_record_value(in, 0, &version, &ssv, &err), IDBPQ_CORRUPT);
    REQUIRE_OK(idbpq__ldb_exists_value(in, 1, &version, &err));
    CHECK_EQ_INT(version, 2);
    CHECK_EQ_INT(idbpq__ldb_exists_value(in, 0, &version, &err), IDBPQ_CORRUPT);
    n = unhex("02 03 000000000000f03f", in);
    REQUIRE_OK(idbpq__ldb_index_value(in, n, &version, &prim, &err));
    CHECK(version == 2 && prim.n == 9);
    CHECK_EQ_INT(idbpq__ldb_index_value(in, n - 1, &version, &prim, &err), IDBPQ_CORRUPT);

    /* §1.11: the wrapped value's list: one Blob, number 2, the wrapper MIME type, 102480 B */
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    struct idbpq__ldb_xobj x[3];
    memset(x, 0, sizeof x);
    x[0].type = IDBPQ__LDB_XO_BLOB;
    x[0].blob_number = 2;
    x[0].mime = ustr(WRAPPER_MIME);
    x[0].size = 102480;
    REQUIRE_OK(idbpq__ldb_xobjs_encode(x, 1, &b));
    char hex[512];
    size_t k = (size_t)sprintf(hex, "00 02 27 ");
    for (const char *c = WRAPPER_MIME; *c; c++) k += (size_t)sprintf(hex + k, "00%02x", *c);
    sprintf(hex + k, " d0a006");
    CHECK(same(&b, hex));
    /* a File (lastModified 2024-01-01T00:00:00Z) and an FSA handle after it */
    x[1].type = IDBPQ__LDB_XO_FILE;
    x[1].blob_number = 0x1234;
    x[1].mime = ustr("text/plain");
    x[1].size = 5;
    x[1].name = ustr("a.txt");
    x[1].last_modified_us = INT64_C(1704067200000) * 1000 + IDBPQ__LDB_WINDOWS_EPOCH_DELTA_US;
    x[2].type = IDBPQ__LDB_XO_FSA;
    x[2].token = (struct idbpq__ldb_bytes){(const uint8_t *)"tok", 3};
    b.len = 0;
    REQUIRE_OK(idbpq__ldb_xobjs_encode(x, 3, &b));
    struct idbpq__ldb_xobj *got;
    size_t count;
    REQUIRE_OK(idbpq__ldb_xobjs_decode(vb, b.data, b.len, &got, &count, &err));
    REQUIRE_EQ_INT(count, 3);
    CHECK(got[0].type == 0 && got[0].blob_number == 2 && got[0].size == 102480 &&
          got[0].mime.len == sizeof WRAPPER_MIME - 1 && idbpq__str_equal(&got[0].mime, &x[0].mime));
    CHECK(got[1].type == 1 && got[1].blob_number == 0x1234 && got[1].size == 5 &&
          idbpq__str_equal(&got[1].name, &x[1].name) && idbpq__str_equal(&got[1].mime, &x[1].mime));
    CHECK(got[1].last_modified_ms == 1704067200000.0);
    CHECK(got[2].type == 2 && got[2].token.n == 3 && memcmp(got[2].token.p, "tok", 3) == 0);
    CHECK(got[2].token.p < b.data || got[2].token.p >= b.data + b.len); /* copied */
    /* re-encoding gives the same bytes */
    idbpq_buffer again;
    idbpq_buffer_init(&again, NULL);
    REQUIRE_OK(idbpq__ldb_xobjs_encode(got, count, &again));
    CHECK(again.len == b.len && memcmp(again.data, b.data, b.len) == 0);
    idbpq_buffer_free(&again);
    /* every truncation: CORRUPT, or OK at an entry boundary with fewer entries */
    for (size_t cut = 0; cut < b.len; cut++) {
        idbpq_status st = idbpq__ldb_xobjs_decode(vb, b.data, cut, &got, &count, &err);
        if (st == IDBPQ_OK) CHECK(count < 3);
        else CHECK_EQ_INT(st, IDBPQ_CORRUPT);
        if (st == IDBPQ_CORRUPT) CHECK(err.offset <= cut);
    }
    /* refused: unknown type, blob number below 2; and the encoder refuses them too */
    n = unhex("03 02", in);
    CHECK_EQ_INT(idbpq__ldb_xobjs_decode(vb, in, n, &got, &count, &err), IDBPQ_CORRUPT);
    n = unhex("00 01 00 00", in);
    CHECK_EQ_INT(idbpq__ldb_xobjs_decode(vb, in, n, &got, &count, &err), IDBPQ_CORRUPT);
    CHECK_EQ_INT(err.offset, 1);
    REQUIRE_OK(idbpq__ldb_xobjs_decode(vb, in, 0, &got, &count, &err));
    CHECK(count == 0 && got == NULL);
    x[0].blob_number = 1;
    size_t len0 = b.len;
    CHECK_EQ_INT(idbpq__ldb_xobjs_encode(x, 3, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, len0);
    idbpq_buffer_free(&b);

    /* blob journal */
    struct idbpq__ldb_journal_entry *j;
    n = unhex("01 01 02 ac02", in);
    REQUIRE_OK(idbpq__ldb_journal_decode(vb, in, n, &j, &count, &err));
    CHECK(count == 2 && j[0].db_id == 1 && j[0].blob_number == 1 && j[1].db_id == 2 &&
          j[1].blob_number == 300);
    CHECK_EQ_INT(idbpq__ldb_journal_decode(vb, in, 3, &j, &count, &err), IDBPQ_CORRUPT);
    n = unhex("00 02", in);
    CHECK_EQ_INT(idbpq__ldb_journal_decode(vb, in, n, &j, &count, &err), IDBPQ_CORRUPT);
    idbpq_vbatch_free(vb);
}

TEST(ldb_blob_path)
{
    char p[IDBPQ__LDB_BLOB_PATH_MAX];
    CHECK_OK(idbpq__ldb_blob_path(1, 2, p, sizeof p));
    CHECK_EQ_STR(p, "1/00/2"); /* the test profile's file__0.indexeddb.blob/1/00/2 */
    CHECK_OK(idbpq__ldb_blob_path(0x1f, 0x1234, p, sizeof p));
    CHECK_EQ_STR(p, "1f/12/1234");
    CHECK_OK(idbpq__ldb_blob_path(3, 0x12345, p, sizeof p)); /* & 0xff00, not >> 8 */
    CHECK_EQ_STR(p, "3/23/12345");
    CHECK_OK(idbpq__ldb_blob_path(INT64_MAX, INT64_MAX, p, sizeof p));
    CHECK_EQ_STR(p, "7fffffffffffffff/ff/7fffffffffffffff");
    CHECK_EQ_INT(idbpq__ldb_blob_path(0, 2, p, sizeof p), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_blob_path(1, 2, p, 8), IDBPQ_INVALID_ARG);
}
