/* test_thrift.c — the compact protocol against byte sequences worked out from
 * thrift-compact-protocol.md: field headers (short and long form), zigzag varints, binary,
 * lists (short and long size), bools, maps, skip of nested unknown fields, the depth limit,
 * truncation (MORE, no message) and malformed values (CORRUPT with an offset). */
#include "test.h"

#include "thrift/compact.h"

static void rd(struct idbpq__thrift_reader *r, const uint8_t *p, size_t n, struct idbpq__err *err)
{
    memset(err, 0, sizeof *err);
    idbpq__thrift_reader_init(r, p, n, 100, "test", err);
}

TEST(thrift_field_headers_short_and_long)
{
    /* field 1 i32 150 (zigzag 300 = ac 02); field 20 (delta 19 > 15: long form, zigzag 40)
     * i64 -1 (zigzag 1); field 3 (backwards: long form, zigzag 6) bool true; stop. */
    static const uint8_t in[] = {0x15, 0xac, 0x02, 0x06, 0x28, 0x01, 0x01, 0x06, 0x00};
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    rd(&r, in, sizeof in, &err);
    int16_t last = 0, id;
    int type;
    int32_t v32;
    int64_t v64;
    REQUIRE_OK(idbpq__thrift_field(&r, &last, &type, &id));
    CHECK_EQ_INT(type, IDBPQ__T_I32);
    CHECK_EQ_INT(id, 1);
    REQUIRE_OK(idbpq__thrift_i32(&r, &v32));
    CHECK_EQ_INT(v32, 150);
    REQUIRE_OK(idbpq__thrift_field(&r, &last, &type, &id));
    CHECK_EQ_INT(type, IDBPQ__T_I64);
    CHECK_EQ_INT(id, 20);
    REQUIRE_OK(idbpq__thrift_i64(&r, &v64));
    CHECK_EQ_INT(v64, -1);
    REQUIRE_OK(idbpq__thrift_field(&r, &last, &type, &id));
    CHECK_EQ_INT(type, IDBPQ__T_TRUE);
    CHECK_EQ_INT(id, 3);
    REQUIRE_OK(idbpq__thrift_field(&r, &last, &type, &id));
    CHECK_EQ_INT(type, IDBPQ__T_STOP);
    CHECK(r.p == in + sizeof in);

    /* The writer produces exactly these bytes. */
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 150);
    idbpq__thrift_w_i64_field(&w, 20, -1);
    idbpq__thrift_w_bool_field(&w, 3, 1);
    idbpq__thrift_w_struct_end(&w);
    REQUIRE_OK(w.st);
    CHECK_EQ_INT(b.len, sizeof in);
    if (b.len == sizeof in) CHECK_EQ_MEM(b.p, in, sizeof in);
    idbpq__buf_free(&b);
}

TEST(thrift_varint_extremes_and_errors)
{
    int64_t vals[] = {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        struct idbpq__thrift_writer w;
        idbpq__thrift_writer_init(&w, &b);
        idbpq__thrift_w_i64(&w, vals[i]);
        struct idbpq__thrift_reader r;
        struct idbpq__err err;
        rd(&r, b.p, b.len, &err);
        int64_t v;
        REQUIRE_OK(idbpq__thrift_i64(&r, &v));
        CHECK(v == vals[i]);
        /* as i32: in range only for 32-bit values */
        rd(&r, b.p, b.len, &err);
        int32_t v32;
        idbpq_status st = idbpq__thrift_i32(&r, &v32);
        if (vals[i] >= INT32_MIN && vals[i] <= INT32_MAX) {
            CHECK_EQ_INT(st, IDBPQ_OK);
            CHECK_EQ_INT(v32, vals[i]);
        } else {
            CHECK_EQ_INT(st, IDBPQ_CORRUPT);
            CHECK(strstr(err.msg, "offset 100") != NULL);
        }
        /* truncated: MORE, nothing recorded */
        rd(&r, b.p, b.len - 1, &err);
        if (b.len > 1) {
            CHECK_EQ_INT(idbpq__thrift_i64(&r, &v), IDBPQ_MORE);
            CHECK_EQ_INT(err.msg[0], 0);
        }
        idbpq__buf_free(&b);
    }
    /* 11-byte varint and a 10th byte that overflows 64 bits: CORRUPT */
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    int64_t v;
    rd(&r, eleven, sizeof eleven, &err);
    CHECK_EQ_INT(idbpq__thrift_i64(&r, &v), IDBPQ_CORRUPT);
    rd(&r, over, sizeof over, &err);
    CHECK_EQ_INT(idbpq__thrift_i64(&r, &v), IDBPQ_CORRUPT);
    /* 5-byte zigzag above 2^32: not an i32 */
    static const uint8_t big[] = {0x80, 0x80, 0x80, 0x80, 0x10};
    int32_t v32;
    rd(&r, big, sizeof big, &err);
    CHECK_EQ_INT(idbpq__thrift_i32(&r, &v32), IDBPQ_CORRUPT);
}

TEST(thrift_binary_double_byte)
{
    static const uint8_t in[] = {0x03, 'a', 'b', 'c', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
                                 0xfe};
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    rd(&r, in, sizeof in, &err);
    const uint8_t *p;
    uint32_t len;
    double d;
    int8_t b8;
    REQUIRE_OK(idbpq__thrift_binary(&r, &p, &len));
    CHECK_EQ_INT(len, 3);
    CHECK(p == in + 1);
    REQUIRE_OK(idbpq__thrift_double(&r, &d));
    CHECK(d == 1.0);
    REQUIRE_OK(idbpq__thrift_byte(&r, &b8));
    CHECK_EQ_INT(b8, -2);
    CHECK_EQ_INT(idbpq__thrift_byte(&r, &b8), IDBPQ_MORE);
    /* a length past the end is MORE (a stream may have more), and does not advance */
    static const uint8_t shortbin[] = {0x05, 'a', 'b'};
    rd(&r, shortbin, sizeof shortbin, &err);
    CHECK_EQ_INT(idbpq__thrift_binary(&r, &p, &len), IDBPQ_MORE);
    CHECK(r.p == shortbin);
    CHECK_EQ_INT(err.msg[0], 0);
}

TEST(thrift_lists_short_long_and_bool)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, &b);
    idbpq__thrift_w_list(&w, IDBPQ__T_I32, 3);
    for (int i = 0; i < 3; i++) idbpq__thrift_w_i32(&w, i - 1);
    idbpq__thrift_w_list(&w, IDBPQ__T_TRUE, 20);
    for (int i = 0; i < 20; i++) idbpq__thrift_w_list_bool(&w, i % 3 == 0);
    REQUIRE_OK(w.st);
    /* short form: size 3 in the high nibble; long form: 0xF then varint 20 */
    CHECK_EQ_INT(b.p[0], 0x35);
    CHECK_EQ_INT(b.p[4], 0xf1);
    CHECK_EQ_INT(b.p[5], 20);
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    rd(&r, b.p, b.len, &err);
    int et, v;
    uint32_t n;
    int32_t x;
    REQUIRE_OK(idbpq__thrift_list(&r, &et, &n));
    CHECK_EQ_INT(et, IDBPQ__T_I32);
    CHECK_EQ_INT(n, 3);
    for (int i = 0; i < 3; i++) {
        REQUIRE_OK(idbpq__thrift_i32(&r, &x));
        CHECK_EQ_INT(x, i - 1);
    }
    REQUIRE_OK(idbpq__thrift_list(&r, &et, &n));
    CHECK_EQ_INT(n, 20);
    for (int i = 0; i < 20; i++) {
        REQUIRE_OK(idbpq__thrift_list_bool(&r, &v));
        CHECK_EQ_INT(v, i % 3 == 0);
    }
    CHECK(r.p == r.end);
    /* the spec's 1/0 bool encoding reads the same (0 is false) */
    static const uint8_t zero_false[] = {0x21, 0x01, 0x00};
    rd(&r, zero_false, sizeof zero_false, &err);
    REQUIRE_OK(idbpq__thrift_list(&r, &et, &n));
    REQUIRE_OK(idbpq__thrift_list_bool(&r, &v));
    CHECK_EQ_INT(v, 1);
    REQUIRE_OK(idbpq__thrift_list_bool(&r, &v));
    CHECK_EQ_INT(v, 0);
    /* a count that cannot fit in what is left is never trusted */
    static const uint8_t lie[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00};
    rd(&r, lie, sizeof lie, &err);
    CHECK_EQ_INT(idbpq__thrift_list(&r, &et, &n), IDBPQ_MORE);
    static const uint8_t doubles[] = {0x27, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    rd(&r, doubles, sizeof doubles, &err);
    CHECK_EQ_INT(idbpq__thrift_list(&r, &et, &n), IDBPQ_MORE); /* 2 doubles need 16 bytes */
    static const uint8_t badtype[] = {0x1d, 0x00};
    rd(&r, badtype, sizeof badtype, &err);
    CHECK_EQ_INT(idbpq__thrift_list(&r, &et, &n), IDBPQ_CORRUPT);
    idbpq__buf_free(&b);
}

/* A struct {1: i32 7, 20: <unknown>, 21: i32 9} where field 20 is a struct holding a list
 * of structs, a map<string, list<i64>>, a double, a set of bools and a binary. Skipping
 * field 20 must land exactly on field 21. */
static void nested_unknown(struct idbpq__buf *b, int unknown_type)
{
    struct idbpq__thrift_writer w;
    idbpq__thrift_writer_init(&w, b);
    idbpq__thrift_w_struct_begin(&w);
    idbpq__thrift_w_i32_field(&w, 1, 7);
    if (unknown_type != IDBPQ__T_TRUE) idbpq__thrift_w_field(&w, 20, unknown_type);
    if (unknown_type == IDBPQ__T_STRUCT) {
        idbpq__thrift_w_struct_begin(&w);
        idbpq__thrift_w_field(&w, 1, IDBPQ__T_LIST);
        idbpq__thrift_w_list(&w, IDBPQ__T_STRUCT, 2);
        for (int i = 0; i < 2; i++) {
            idbpq__thrift_w_struct_begin(&w);
            idbpq__thrift_w_binary_field(&w, 3, "xyz", 3);
            idbpq__thrift_w_bool_field(&w, 4, i);
            idbpq__thrift_w_struct_end(&w);
        }
        /* map<binary, list<i64>> with 2 entries, written by hand: size, kv types byte */
        idbpq__thrift_w_field(&w, 2, IDBPQ__T_MAP);
        idbpq__buf_uleb(b, 2);
        idbpq__buf_push(b, IDBPQ__T_BINARY << 4 | IDBPQ__T_LIST);
        for (int i = 0; i < 2; i++) {
            idbpq__thrift_w_binary(&w, "k", 1);
            idbpq__thrift_w_list(&w, IDBPQ__T_I64, 2);
            idbpq__thrift_w_i64(&w, -5);
            idbpq__thrift_w_i64(&w, 1ll << 50);
        }
        idbpq__thrift_w_field(&w, 3, IDBPQ__T_MAP);
        idbpq__buf_uleb(b, 0); /* empty map: no types byte */
        idbpq__thrift_w_field(&w, 4, IDBPQ__T_DOUBLE);
        idbpq__buf_append(b, "\0\0\0\0\0\0\xf0\x3f", 8);
        idbpq__thrift_w_field(&w, 5, IDBPQ__T_SET);
        idbpq__thrift_w_list(&w, IDBPQ__T_TRUE, 3);
        for (int i = 0; i < 3; i++) idbpq__thrift_w_list_bool(&w, i & 1);
        idbpq__thrift_w_field(&w, 6, IDBPQ__T_BYTE);
        idbpq__thrift_w_byte(&w, 9);
        idbpq__thrift_w_field(&w, 7, IDBPQ__T_I16);
        idbpq__thrift_w_i32(&w, -300);
        idbpq__thrift_w_struct_end(&w);
    } else if (unknown_type == IDBPQ__T_LIST) {
        idbpq__thrift_w_list(&w, IDBPQ__T_LIST, 2);
        idbpq__thrift_w_list(&w, IDBPQ__T_DOUBLE, 1);
        idbpq__buf_append(b, "12345678", 8);
        idbpq__thrift_w_list(&w, IDBPQ__T_BINARY, 1);
        idbpq__thrift_w_binary(&w, "", 0);
    } else {
        idbpq__thrift_w_bool_field(&w, 20, 1);
    }
    idbpq__thrift_w_i32_field(&w, 21, 9);
    idbpq__thrift_w_struct_end(&w);
}

static void read_around_unknown(const uint8_t *p, size_t n, int *ok)
{
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    rd(&r, p, n, &err);
    int16_t last = 0, id;
    int type;
    int32_t a = 0, c = 0;
    *ok = 0;
    if (idbpq__thrift_struct_begin(&r)) return;
    for (;;) {
        if (idbpq__thrift_field(&r, &last, &type, &id)) return;
        if (type == IDBPQ__T_STOP) break;
        if (id == 1 && type == IDBPQ__T_I32) { if (idbpq__thrift_i32(&r, &a)) return; }
        else if (id == 21 && type == IDBPQ__T_I32) { if (idbpq__thrift_i32(&r, &c)) return; }
        else if (idbpq__thrift_skip(&r, type)) return;
    }
    idbpq__thrift_struct_end(&r);
    *ok = a == 7 && c == 9 && r.p == r.end && r.depth == 0;
}

TEST(thrift_skip_nested_unknown_fields)
{
    int types[] = {IDBPQ__T_STRUCT, IDBPQ__T_LIST, IDBPQ__T_TRUE};
    for (size_t t = 0; t < 3; t++) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        nested_unknown(&b, types[t]);
        int ok;
        read_around_unknown(b.p, b.len, &ok);
        CHECK(ok);
        /* every prefix: the skip reports MORE, never reads past the end */
        int wrong = 0;
        for (size_t k = 0; k < b.len; k++) {
            struct idbpq__thrift_reader r;
            struct idbpq__err err;
            rd(&r, b.p, k, &err);
            int16_t last = 0, id;
            int type;
            idbpq_status st = IDBPQ_OK;
            idbpq__thrift_struct_begin(&r);
            while (st == IDBPQ_OK) {
                st = idbpq__thrift_field(&r, &last, &type, &id);
                if (st || type == IDBPQ__T_STOP) break;
                st = idbpq__thrift_skip(&r, type);
            }
            wrong += st != IDBPQ_MORE;
        }
        CHECK_EQ_INT(wrong, 0);
        idbpq__buf_free(&b);
    }
}

TEST(thrift_depth_limit)
{
    /* n nested structs: {field 1: {field 1: ... {} ...}} */
    for (int n = 62; n <= 66; n++) {
        struct idbpq__buf b;
        idbpq__buf_init(&b, NULL);
        for (int i = 0; i < n - 1; i++) idbpq__buf_push(&b, 0x1c);
        for (int i = 0; i < n; i++) idbpq__buf_push(&b, 0x00);
        struct idbpq__thrift_reader r;
        struct idbpq__err err;
        rd(&r, b.p, b.len, &err);
        idbpq_status st = idbpq__thrift_skip(&r, IDBPQ__T_STRUCT);
        CHECK_EQ_INT(st, n <= IDBPQ__THRIFT_MAX_DEPTH ? IDBPQ_OK : IDBPQ_CORRUPT);
        if (st == IDBPQ_CORRUPT) CHECK(strstr(err.msg, "nesting") != NULL);
        idbpq__buf_free(&b);
    }
    /* lists nest too: 100 levels of list<list<...>> */
    struct idbpq__buf b;
    idbpq__buf_init(&b, NULL);
    for (int i = 0; i < 100; i++) idbpq__buf_push(&b, 0x19);
    idbpq__buf_push(&b, 0x05);
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    rd(&r, b.p, b.len, &err);
    CHECK_EQ_INT(idbpq__thrift_skip(&r, IDBPQ__T_LIST), IDBPQ_CORRUPT);
    idbpq__buf_free(&b);
}

TEST(thrift_malformed_headers)
{
    struct idbpq__thrift_reader r;
    struct idbpq__err err;
    int16_t last = 0, id;
    int type;
    static const uint8_t badtype[] = {0x1d};       /* type 13 does not exist */
    static const uint8_t stop_delta[] = {0x10};    /* delta with type 0 */
    static const uint8_t longid[] = {0x05, 0xff, 0xff, 0x07}; /* zigzag id out of i16 */
    rd(&r, badtype, 1, &err);
    CHECK_EQ_INT(idbpq__thrift_field(&r, &last, &type, &id), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "test: bad field type at offset 100") != NULL);
    rd(&r, stop_delta, 1, &err);
    CHECK_EQ_INT(idbpq__thrift_field(&r, &last, &type, &id), IDBPQ_CORRUPT);
    rd(&r, longid, sizeof longid, &err);
    CHECK_EQ_INT(idbpq__thrift_field(&r, &last, &type, &id), IDBPQ_CORRUPT);
    rd(&r, longid, 2, &err);
    CHECK_EQ_INT(idbpq__thrift_field(&r, &last, &type, &id), IDBPQ_MORE);
    rd(&r, longid, 0, &err);
    CHECK_EQ_INT(idbpq__thrift_field(&r, &last, &type, &id), IDBPQ_MORE);
    static const uint8_t badmap[] = {0x01, 0x0d};
    rd(&r, badmap, sizeof badmap, &err);
    CHECK_EQ_INT(idbpq__thrift_skip(&r, IDBPQ__T_MAP), IDBPQ_CORRUPT);
}
