/* test_variant.c — the VARIANT codec (src/mapping/variant*.c): encode -> decode round trips of
 * every class and its boundaries, the bytes chosen (narrowest ints and decimals, short and
 * long strings, sorted dictionary, field ids in name order, values in property order), what
 * cannot be held (with the path in the message), the reading conventions for types idbpq
 * never writes, seeded random values, and the 29 files of parquet-testing/variant with their
 * truncated and garbled versions. */
#include "test.h"
#include "test_value_gen.h"

#include "mapping/variant.h"
#include "../variant/load_file.h"

#include <stdlib.h>

static const char *shared_dir(void)
{
    const char *s = getenv("IDBPQ_SHARED");
    return s ? s : "../shared";
}

static idbpq_value *tj(idbpq_vbatch *b, const char *text)
{
    idbpq_value *v = NULL;
    idbpq_error e;
    if (idbpq_tjson_parse(b, text, strlen(text), &v, &e) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, __LINE__, "bad tagged JSON in the test: %s: %s", text, e.msg);
        return NULL;
    }
    return v;
}

/* Tagged JSON of v, for messages (a static buffer: one at a time). */
static const char *show(const idbpq_value *v)
{
    static char text[600];
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    if (!v) snprintf(text, sizeof text, "(none)");
    else if (idbpq_tjson_write(v, &out) != IDBPQ_OK) snprintf(text, sizeof text, "(unprintable)");
    else snprintf(text, sizeof text, "%.*s", (int)(out.len > 590 ? 590 : out.len), (const char *)out.data);
    idbpq_buffer_free(&out);
    return text;
}

struct enc {
    struct idbpq__buf meta, val;
    struct idbpq__err err;
};

static void enc_init(struct enc *e)
{
    idbpq__buf_init(&e->meta, NULL);
    idbpq__buf_init(&e->val, NULL);
    memset(&e->err, 0, sizeof e->err);
}

static void enc_free(struct enc *e)
{
    idbpq__buf_free(&e->meta);
    idbpq__buf_free(&e->val);
}

static idbpq_status encode(struct enc *e, const idbpq_value *v, uint32_t flags)
{
    e->meta.len = e->val.len = 0;
    return idbpq__variant_encode(v, flags, 0, &e->meta, &e->val, &e->err);
}

static idbpq_status decode(idbpq_vbatch *b, const struct enc *e, uint32_t flags, idbpq_value **out,
                           struct idbpq__err *err)
{
    return idbpq__variant_decode(b, e->meta.p, e->meta.len, e->val.p, e->val.len, flags, out, err);
}

/* Encodes v, decodes it with dflags and checks the result equals want (v when NULL). Returns
 * the first value byte (the type), or -1. */
static int round_trip_at(int line, idbpq_vbatch *b, const idbpq_value *v, uint32_t eflags,
                         uint32_t dflags, const idbpq_value *want)
{
    struct enc e;
    enc_init(&e);
    int type = -1;
    idbpq_value *got = NULL;
    struct idbpq__err err;
    if (encode(&e, v, eflags) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, line, "encode %s: %s", show(v), e.err.msg);
    } else if (decode(b, &e, dflags, &got, &err) != IDBPQ_OK) {
        idbpq_test_fail(__FILE__, line, "decode of %s: %s", show(v), err.msg);
    } else {
        if (!idbpq_value_equal(got, want ? want : v)) {
            char a[600];
            snprintf(a, sizeof a, "%s", show(want ? want : v));
            idbpq_test_fail(__FILE__, line, "round trip: want %s, got %s", a, show(got));
        }
        type = e.val.p[0];
    }
    enc_free(&e);
    return type;
}
#define ROUND_TRIP(b, v, ef, df, want) round_trip_at(__LINE__, (b), (v), (ef), (df), (want))

/* v encoded with ef and decoded with df (NULL, with a failure recorded, when either fails). */
static idbpq_value *through_at(int line, idbpq_vbatch *b, const idbpq_value *v, uint32_t ef,
                               uint32_t df)
{
    struct enc e;
    enc_init(&e);
    idbpq_value *got = NULL;
    struct idbpq__err err;
    if (encode(&e, v, ef) != IDBPQ_OK) idbpq_test_fail(__FILE__, line, "encode: %s", e.err.msg);
    else if (decode(b, &e, df, &got, &err) != IDBPQ_OK) idbpq_test_fail(__FILE__, line, "decode: %s", err.msg);
    enc_free(&e);
    return got;
}
#define THROUGH(b, v, ef, df) through_at(__LINE__, (b), (v), (ef), (df))

/* Expects encoding to be refused with st and a message containing `part`. */
static void refused_at(int line, const idbpq_value *v, uint32_t flags, idbpq_status st,
                       const char *part)
{
    struct enc e;
    enc_init(&e);
    /* Bytes already in the buffers must be left as they were. */
    idbpq__buf_append(&e.meta, "MM", 2);
    idbpq__buf_append(&e.val, "VVV", 3);
    idbpq_status got = idbpq__variant_encode(v, flags, 0, &e.meta, &e.val, &e.err);
    if (got != st) idbpq_test_fail(__FILE__, line, "encode %s: status %d, want %d", show(v), got, st);
    else if (!strstr(e.err.msg, part))
        idbpq_test_fail(__FILE__, line, "message \"%s\" does not say \"%s\"", e.err.msg, part);
    if (e.meta.len != 2 || e.val.len != 3)
        idbpq_test_fail(__FILE__, line, "buffers not restored: %zu, %zu", e.meta.len, e.val.len);
    if (st == IDBPQ_UNSUPPORTED && idbpq__variant_class(v, flags) != IDBPQ__VC_NONE &&
        v->type != IDBPQ_V_OBJECT && v->type != IDBPQ_V_ARRAY)
        idbpq_test_fail(__FILE__, line, "class of %s is not NONE", show(v));
    enc_free(&e);
}
#define REFUSED(v, flags, st, part) refused_at(__LINE__, (v), (flags), (st), (part))

/* Decodes raw bytes; returns the status. */
static idbpq_status raw_decode(idbpq_vbatch *b, const uint8_t *m, size_t mn, const uint8_t *v,
                               size_t vn, uint32_t flags, idbpq_value **out, struct idbpq__err *err)
{
    /* Exact-size copies, so that a read past the end meets ASan's redzone. */
    uint8_t *mc = malloc(mn ? mn : 1), *vc = malloc(vn ? vn : 1);
    if (mn) memcpy(mc, m, mn);
    if (vn) memcpy(vc, v, vn);
    idbpq_status st = idbpq__variant_decode(b, mc, mn, vc, vn, flags, out, err);
    free(mc);
    free(vc);
    return st;
}

static const uint8_t empty_meta[3] = {1, 0, 0};

/* Decodes a value with the empty dictionary and compares with tagged JSON. */
static void decodes_to_at(int line, idbpq_vbatch *b, const uint8_t *v, size_t n, uint32_t flags,
                          const char *want)
{
    idbpq_value *got = NULL, *w = tj(b, want);
    struct idbpq__err err;
    if (!w) return;
    if (raw_decode(b, empty_meta, 3, v, n, flags, &got, &err) != IDBPQ_OK)
        idbpq_test_fail(__FILE__, line, "decode (want %s): %s", want, err.msg);
    else if (!idbpq_value_equal(got, w))
        idbpq_test_fail(__FILE__, line, "want %s, got %s", want, show(got));
}
#define DECODES_TO(b, flags, want, ...)                                                        \
    do {                                                                                       \
        const uint8_t bytes_[] = {__VA_ARGS__};                                                \
        decodes_to_at(__LINE__, (b), bytes_, sizeof bytes_, (flags), (want));                  \
    } while (0)

/* ---- classes and round trips ----------------------------------------------------------------- */

TEST(variant_numbers_pick_the_narrowest_int)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    static const struct { double d; int type; } cases[] = {
        {0, 3}, {1, 3}, {-1, 3}, {127, 3}, {-128, 3}, {128, 4}, {-129, 4}, {32767, 4},
        {-32768, 4}, {32768, 5}, {-32769, 5}, {2147483647.0, 5}, {-2147483648.0, 5},
        {2147483648.0, 6}, {-2147483649.0, 6}, {9007199254740992.0, 6}, {-9007199254740992.0, 6},
        {9007199254740994.0, 7}, {-9007199254740994.0, 7}, {0.5, 7}, {-1e300, 7}, {1e-300, 7},
        {4.9e-324, 7},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idbpq_value *v = idbpq_value_number(b, cases[i].d);
        int type = ROUND_TRIP(b, v, 0, 0, NULL);
        if (type >= 0 && type != cases[i].type << 2)
            idbpq_test_fail(__FILE__, __LINE__, "%.17g: header 0x%02x, want type %d", cases[i].d,
                            type, cases[i].type);
        CHECK_EQ_INT(idbpq__variant_class(v, 0), cases[i].type == 7 ? IDBPQ__VC_DOUBLE : IDBPQ__VC_INT);
    }
    /* -0, NaN and the infinities are doubles, kept bit for bit. */
    const char *special[] = {"{\"$number\":\"-0\"}", "{\"$number\":\"NaN\"}",
                             "{\"$number\":\"Infinity\"}", "{\"$number\":\"-Infinity\"}"};
    for (size_t i = 0; i < 4; i++) {
        idbpq_value *v = tj(b, special[i]);
        REQUIRE(v);
        CHECK_EQ_INT(ROUND_TRIP(b, v, 0, 0, NULL), 7 << 2);
        CHECK_EQ_INT(idbpq__variant_class(v, 0), IDBPQ__VC_DOUBLE);
    }
    idbpq_value *got = THROUGH(b, tj(b, "{\"$number\":\"-0\"}"), 0, 0);
    CHECK(got && !idbpq_value_equal(got, idbpq_value_number(b, 0)));
    idbpq_vbatch_free(b);
}

/* BigInt from decimal text through tagged JSON. */
static idbpq_value *big(idbpq_vbatch *b, const char *digits)
{
    char t[128];
    snprintf(t, sizeof t, "{\"$bigint\":\"%s\"}", digits);
    return tj(b, t);
}

TEST(variant_bigints_are_decimals_of_scale_0)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    static const struct { const char *n; int type; } cases[] = {
        {"0", 8}, {"1", 8}, {"-1", 8}, {"999999999", 8}, {"-999999999", 8}, {"1000000000", 9},
        {"2147483648", 9}, {"-2147483648", 9}, {"999999999999999999", 9},
        {"1000000000000000000", 10}, {"9223372036854775808", 10}, {"-9223372036854775808", 10},
        {"9223372036854775807", 10}, {"18446744073709551616", 10},
        {"99999999999999999999999999999999999999", 10},
        {"-99999999999999999999999999999999999999", 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idbpq_value *v = big(b, cases[i].n);
        REQUIRE(v);
        CHECK_EQ_INT(idbpq__variant_class(v, 0), IDBPQ__VC_DECIMAL);
        int type = ROUND_TRIP(b, v, 0, IDBPQ__VAR_DECIMAL_BIGINT, NULL);
        if (type != cases[i].type << 2)
            idbpq_test_fail(__FILE__, __LINE__, "%s: header 0x%02x, want type %d", cases[i].n, type,
                            cases[i].type);
    }
    /* Without the flag a scale-0 decimal is a Number when exact, else its digits. */
    ROUND_TRIP(b, big(b, "-2147483648"), 0, 0, idbpq_value_number(b, -2147483648.0));
    ROUND_TRIP(b, big(b, "9007199254740992"), 0, 0, idbpq_value_number(b, 9007199254740992.0));
    ROUND_TRIP(b, big(b, "9007199254740993"), 0, 0, tj(b, "\"9007199254740993\""));
    ROUND_TRIP(b, big(b, "-9223372036854775808"), 0, 0, tj(b, "\"-9223372036854775808\""));
    ROUND_TRIP(b, big(b, "12"), 0, IDBPQ__VAR_DECIMAL_STRING, tj(b, "\"12\""));
    ROUND_TRIP(b, big(b, "12"), 0, IDBPQ__VAR_DECIMAL_STRING | IDBPQ__VAR_DECIMAL_BIGINT, big(b, "12"));
    /* 39 digits do not fit decimal16's precision. */
    idbpq_value *v39 = big(b, "100000000000000000000000000000000000000");
    CHECK_EQ_INT(idbpq__variant_class(v39, 0), IDBPQ__VC_NONE);
    REFUSED(v39, 0, IDBPQ_UNSUPPORTED, "BigInt of more than 38 digits");
    REFUSED(big(b, "-340282366920938463463374607431768211456"), 0, IDBPQ_UNSUPPORTED, "38 digits");
    idbpq_vbatch_free(b);
}

TEST(variant_strings_short_long_latin1_two_byte)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    char s63[80], s64[80], t[200];
    memset(s63, 'x', 63);
    s63[63] = 0;
    memset(s64, 'y', 64);
    s64[64] = 0;
    snprintf(t, sizeof t, "\"%s\"", s63);
    CHECK_EQ_INT(ROUND_TRIP(b, tj(b, t), 0, 0, NULL), 63 << 2 | 1);
    snprintf(t, sizeof t, "\"%s\"", s64);
    CHECK_EQ_INT(ROUND_TRIP(b, tj(b, t), 0, 0, NULL), 16 << 2);
    CHECK_EQ_INT(ROUND_TRIP(b, tj(b, "\"\""), 0, 0, NULL), 1);
    /* 32 Latin-1 letters are 64 UTF-8 bytes: a long string. */
    char lat[200] = "\"";
    for (int i = 0; i < 32; i++) strcat(lat, "\\u00e9");
    strcat(lat, "\"");
    CHECK_EQ_INT(ROUND_TRIP(b, tj(b, lat), 0, 0, NULL), 16 << 2);
    /* Latin-1 comes back one-byte, anything wider two-byte (the narrowest form). */
    const char *texts[] = {"\"caf\\u00e9 \\u00ff\\u0000\"", "\"\\u65e5\\u672c\"",
                           "\"\\ud83d\\ude00 and \\u2665\\ufe0f\"", "\"\\uffff\\u0800\\u07ff\""};
    for (size_t i = 0; i < 4; i++) {
        idbpq_value *v = tj(b, texts[i]);
        REQUIRE(v);
        CHECK_EQ_INT(idbpq__variant_class(v, 0), IDBPQ__VC_STRING);
        idbpq_value *got = THROUGH(b, v, 0, 0);
        REQUIRE(got);
        CHECK(idbpq_value_equal(got, v));
        CHECK_EQ_INT(got->u.str.two_byte, i == 0 ? 0 : 1);
    }
    /* A two-byte string whose units all fit Latin-1 comes back one-byte, and equal. */
    const uint16_t units[3] = {'a', 0xe9, 'z'};
    idbpq_value *w = idbpq__value_utf16(b, units, 3);
    ROUND_TRIP(b, w, 0, 0, NULL);
    /* Lone surrogates cannot be UTF-8. */
    idbpq_value *lone = tj(b, "{\"k\":[\"ok\",\"a\\ud800\"]}");
    REFUSED(lone, 0, IDBPQ_UNSUPPORTED, "k[1]: a string with a lone surrogate");
    REFUSED(tj(b, "\"\\udc00\""), 0, IDBPQ_UNSUPPORTED, "value: a string with a lone surrogate");
    REFUSED(tj(b, "{\"\\ud800x\":1}"), 0, IDBPQ_UNSUPPORTED, "property name with a lone surrogate");
    idbpq_vbatch_free(b);
}

TEST(variant_dates_are_utc_microseconds)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    const char *ok[] = {"{\"$date\":0}", "{\"$date\":-1}", "{\"$date\":1700000000123}",
                        "{\"$date\":8640000000000000}", "{\"$date\":-8640000000000000}",
                        "{\"$date\":-62135596800001}"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        idbpq_value *v = tj(b, ok[i]);
        REQUIRE(v);
        CHECK_EQ_INT(idbpq__variant_class(v, 0), IDBPQ__VC_TIMESTAMP);
        CHECK_EQ_INT(ROUND_TRIP(b, v, 0, 0, NULL), 12 << 2);
    }
    struct enc e;
    enc_init(&e);
    REQUIRE_OK(encode(&e, tj(b, "{\"$date\":-1}"), 0));
    REQUIRE_EQ_INT(e.val.len, 9);
    CHECK_EQ_INT((int64_t)idbpq__le64(e.val.p + 1), -1000);
    enc_free(&e);
    REFUSED(tj(b, "{\"$date\":null}"), 0, IDBPQ_UNSUPPORTED, "an invalid Date");
    idbpq_value *frac = idbpq_value_new(b, IDBPQ_V_DATE);
    frac->u.number = 1.5;
    REFUSED(frac, 0, IDBPQ_UNSUPPORTED, "an invalid Date");
    idbpq_value *far = idbpq_value_new(b, IDBPQ_V_DATE);
    far->u.number = 8.64e15 + 1;
    REFUSED(far, 0, IDBPQ_UNSUPPORTED, "an invalid Date");
    idbpq_vbatch_free(b);
}

TEST(variant_binary_in_both_flag_modes)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_value *ab = tj(b, "{\"$binary\":\"AQID/w==\",\"$type\":\"ArrayBuffer\"}");
    idbpq_value *u8 = tj(b, "{\"$binary\":\"AQID/w==\",\"$type\":\"Uint8Array\"}");
    idbpq_value *empty = tj(b, "{\"$binary\":\"\",\"$type\":\"ArrayBuffer\"}");
    REQUIRE(ab && u8 && empty);
    CHECK_EQ_INT(idbpq__variant_class(ab, 0), IDBPQ__VC_BINARY);
    CHECK_EQ_INT(idbpq__variant_class(u8, IDBPQ__VAR_UINT8ARRAY), IDBPQ__VC_BINARY);
    CHECK_EQ_INT(ROUND_TRIP(b, ab, 0, 0, NULL), 15 << 2);
    CHECK_EQ_INT(ROUND_TRIP(b, empty, 0, 0, NULL), 15 << 2);
    CHECK_EQ_INT(ROUND_TRIP(b, u8, IDBPQ__VAR_UINT8ARRAY, IDBPQ__VAR_UINT8ARRAY, NULL), 15 << 2);
    /* The same bytes read in the other mode. */
    ROUND_TRIP(b, ab, 0, IDBPQ__VAR_UINT8ARRAY, u8);
    ROUND_TRIP(b, u8, IDBPQ__VAR_UINT8ARRAY, 0, ab);
    REFUSED(ab, IDBPQ__VAR_UINT8ARRAY, IDBPQ_UNSUPPORTED, "this column holds Uint8Arrays");
    REFUSED(u8, 0, IDBPQ_UNSUPPORTED, "this column holds ArrayBuffers");
    REFUSED(tj(b, "{\"$binary\":\"AAAAAA==\",\"$type\":\"Int16Array\"}"), IDBPQ__VAR_UINT8ARRAY,
            IDBPQ_UNSUPPORTED, "other than Uint8Array");
    idbpq_value *part = idbpq_value_new(b, IDBPQ_V_VIEW);
    part->u.view.buffer = ab;
    part->u.view.kind = IDBPQ_VIEW_UINT8;
    part->u.view.offset = 1;
    part->u.view.length = 2;
    REFUSED(part, IDBPQ__VAR_UINT8ARRAY, IDBPQ_UNSUPPORTED, "not its whole buffer");
    idbpq_value *rab = tj(b, "{\"$binary\":\"AQ==\",\"$type\":\"ArrayBuffer\",\"$maxByteLength\":8}");
    REQUIRE(rab);
    REFUSED(rab, 0, IDBPQ_UNSUPPORTED, "resizable ArrayBuffer");
    /* Two views of one buffer are a shared reference. */
    idbpq_value *two = tj(b, "[{\"$binary\":\"AQ==\",\"$type\":\"Uint8Array\"},1]");
    REQUIRE(two);
    idbpq_value *v2 = idbpq_value_new(b, IDBPQ_V_VIEW);
    *v2 = *two->u.array.items[0];
    two->u.array.items[1] = v2;
    REFUSED(two, IDBPQ__VAR_UINT8ARRAY, IDBPQ_UNSUPPORTED, "[1]: a shared or cyclic reference");
    idbpq_vbatch_free(b);
}

TEST(variant_nested_containers_keep_property_order)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    const char *texts[] = {
        "{}", "[]", "[[]]", "[{}]", "{\"a\":{}}",
        "{\"zeta\":1,\"alpha\":\"x\",\"mid\":{\"y\":[1,2,{\"q\":null,\"b\":true}],\"b\":false},\"\":0}",
        "[1,\"two\",3.5,null,true,[false,[{\"$date\":5}]],{\"k\":{\"$bigint\":\"-7\"}}]",
        "{\"b\":{\"b\":{\"b\":{\"a\":1,\"b\":2}}},\"a\":[{\"b\":1,\"a\":2},{\"a\":3,\"b\":4}]}",
        "{\"\\u00e9\":1,\"e\":2,\"\\u65e5\":3,\"\\ud83d\\ude00\":4,\"E\":5}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        idbpq_value *v = tj(b, texts[i]);
        REQUIRE(v);
        ROUND_TRIP(b, v, 0, IDBPQ__VAR_DECIMAL_BIGINT, NULL);
    }
    /* Dictionary sorted by bytes; field ids in name order; values in property order. */
    struct enc e;
    enc_init(&e);
    REQUIRE_OK(encode(&e, tj(b, "{\"c\":1,\"a\":2,\"b\":3}"), 0));
    static const uint8_t meta[] = {0x11, 3, 0, 1, 2, 3, 'a', 'b', 'c'};
    static const uint8_t val[] = {0x02, 3, 0, 1, 2, 2, 4, 0, 6, 0x0c, 1, 0x0c, 2, 0x0c, 3};
    REQUIRE_EQ_INT(e.meta.len, sizeof meta);
    CHECK_EQ_MEM(e.meta.p, meta, sizeof meta);
    REQUIRE_EQ_INT(e.val.len, sizeof val);
    CHECK_EQ_MEM(e.val.p, val, sizeof val);
    /* More than 255 fields and wide offsets: is_large, 2-byte ids and offsets. */
    idbpq_value *wide = idbpq_value_new(b, IDBPQ_V_OBJECT);
    wide->u.object.n = 300;
    wide->u.object.props = idbpq_vbatch_alloc(b, 300 * sizeof(idbpq_prop));
    for (uint32_t i = 0; i < 300; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03u", 299 - i);
        wide->u.object.props[i].key = idbpq_value_string_utf8(b, k, strlen(k));
        wide->u.object.props[i].value = tj(b, "\"a string of more than a few bytes\"");
    }
    int type = ROUND_TRIP(b, wide, 0, 0, NULL);
    CHECK_EQ_INT(type, 2 | (1 << 4 | 1 << 2 | 1) << 2);
    enc_free(&e);
    idbpq_vbatch_free(b);
}

TEST(variant_numeric_keys_come_back_as_numbers)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    idbpq_value *v = tj(b, "{\"1\":\"a\",\"b\":2,\"10\":3,\"01\":4,\"4294967295\":5,\"4294967294\":6}");
    REQUIRE(v);
    v->u.object.props[0].key = idbpq_value_number(b, 1);
    v->u.object.props[2].key = idbpq_value_number(b, 10);
    idbpq_value *got = THROUGH(b, v, 0, 0);
    REQUIRE(got);
    CHECK(idbpq_value_equal(got, v));
    REQUIRE_EQ_INT(got->u.object.n, 6);
    /* Names that are array indices are NUMBER keys, as V8 has them; others strings. */
    static const int is_number[6] = {1, 0, 1, 0, 0, 1};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(got->u.object.props[i].key->type, is_number[i] ? IDBPQ_V_NUMBER : IDBPQ_V_STRING);
    CHECK(got->u.object.props[5].key->u.number == 4294967294.0);
    /* A NUMBER key and a STRING key of one name are the same property. */
    idbpq_value *dup = tj(b, "{\"1\":1,\"x\":{\"2\":2,\"y\":3}}");
    dup->u.object.props[1].value->u.object.props[1].key = idbpq_value_number(b, 2);
    REFUSED(dup, 0, IDBPQ_UNSUPPORTED, "x: an object with two properties of one name");
    idbpq_vbatch_free(b);
}

TEST(variant_unholdable_values_name_their_path)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    static const struct { const char *text, *part; } cases[] = {
        {"{\"$undefined\":true}", "value: undefined"},
        {"{\"a\":{\"b\":[0,0,0,{\"$undefined\":true}]}}", "a.b[3]: undefined"},
        {"{\"m\":{\"$map\":[[1,2]]}}", "m: a Map"},
        {"[{\"$set\":[1]}]", "[0]: a Set"},
        {"{\"x y\":[{\"$regexp\":\"a\",\"$flags\":\"g\"}]}", "[\"x y\"][0]: a RegExp"},
        {"{\"h\":{\"$array\":{\"length\":3,\"items\":{\"0\":1,\"2\":3}}}}", "h: a"},
        {"{\"p\":{\"$array\":{\"length\":1,\"items\":{\"0\":1},\"props\":{\"n\":1}}}}",
         "p: an array with extra properties"},
        {"{\"a\":{},\"b\":{\"$ref\":1}}", "b: a shared or cyclic reference"},
        {"{\"a\":[{\"$ref\":0}]}", "a[0]: a shared or cyclic reference"},
        {"{\"d\":{\"$date\":1},\"e\":{\"$ref\":1}}", "e: a shared or cyclic reference"},
        {"{\"e\":{\"$error\":{\"name\":\"Error\",\"message\":\"m\"}}}", "e: an Error"},
        {"{\"n\":{\"$boxed\":1}}", "n: a boxed primitive"},
        {"{\"f\":{\"$binary\":\"AAAAAAAAAAA=\",\"$type\":\"Float64Array\"}}", "f: a typed array"},
        {"{\"b\":{\"$blob\":{\"type\":\"\",\"size\":0}}}", "b: a Blob"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idbpq_value *v = tj(b, cases[i].text);
        REQUIRE(v);
        REFUSED(v, 0, IDBPQ_UNSUPPORTED, cases[i].part);
    }
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "{\"$undefined\":true}"), 0), IDBPQ__VC_NONE);
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "{\"$map\":[]}"), 0), IDBPQ__VC_NONE);
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "[1,{\"$undefined\":true}]"), 0), IDBPQ__VC_ARRAY);
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "{\"a\":{\"$undefined\":true}}"), 0), IDBPQ__VC_OBJECT);
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "null"), 0), IDBPQ__VC_NULL);
    CHECK_EQ_INT(idbpq__variant_class(tj(b, "false"), 0), IDBPQ__VC_BOOLEAN);
    idbpq_vbatch_free(b);
}

static idbpq_value *nest(idbpq_vbatch *b, uint32_t depth)
{
    idbpq_value *v = idbpq_value_number(b, 1);
    for (uint32_t i = 0; i < depth; i++) {
        idbpq_value *a = idbpq_value_new(b, IDBPQ_V_ARRAY);
        a->u.array.items = idbpq_vbatch_alloc(b, sizeof(idbpq_value *));
        a->u.array.items[0] = v;
        a->u.array.length = 1;
        v = a;
    }
    return v;
}

TEST(variant_depth_limits)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    ROUND_TRIP(b, nest(b, 1000), 0, 0, NULL);
    REFUSED(nest(b, 1001), 0, IDBPQ_LIMIT, "nesting deeper than 1000");
    struct enc e;
    enc_init(&e);
    CHECK_OK(idbpq__variant_encode(nest(b, 3), 0, 3, &e.meta, &e.val, &e.err));
    e.meta.len = e.val.len = 0;
    CHECK_EQ_INT(idbpq__variant_encode(nest(b, 4), 0, 3, &e.meta, &e.val, &e.err), IDBPQ_LIMIT);
    CHECK(strstr(e.err.msg, "[0][0][0]: nesting deeper than 3") != NULL);
    /* Arrays of one element nested by hand (4-byte offsets): 1000 levels read, 1001 do not. */
    for (int levels = 1000; levels <= 1001; levels++) {
        size_t n = 10 * (size_t)levels + 1;
        uint8_t *deep = malloc(n);
        for (int i = 0; i < levels; i++) {
            uint8_t *p = deep + 10 * i;
            p[0] = 0x03 | 3 << 2;
            p[1] = 1;
            idbpq__st_le32(p + 2, 0);
            idbpq__st_le32(p + 6, (uint32_t)(n - 10 * (size_t)i - 10));
        }
        deep[n - 1] = 0;
        idbpq_value *got;
        struct idbpq__err err;
        CHECK_EQ_INT(raw_decode(b, empty_meta, 3, deep, n, 0, &got, &err),
                     levels == 1000 ? IDBPQ_OK : IDBPQ_LIMIT);
        if (levels == 1000) CHECK(got && got->type == IDBPQ_V_ARRAY);
        free(deep);
    }
    enc_free(&e);
    idbpq_vbatch_free(b);
}

/* ---- reading what idbpq never writes ---------------------------------------------------------- */

TEST(variant_decode_conventions)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    /* int64: Number up to 2^53, else BigInt; always BigInt with the flag. */
    DECODES_TO(b, 0, "9007199254740992", 0x18, 0, 0, 0, 0, 0, 0, 0x20, 0);
    DECODES_TO(b, 0, "{\"$bigint\":\"9007199254740993\"}", 0x18, 1, 0, 0, 0, 0, 0, 0x20, 0);
    DECODES_TO(b, 0, "{\"$bigint\":\"-9223372036854775808\"}", 0x18, 0, 0, 0, 0, 0, 0, 0, 0x80);
    DECODES_TO(b, IDBPQ__VAR_INT64_BIGINT, "{\"$bigint\":\"-5\"}", 0x18, 0xfb, 0xff, 0xff, 0xff,
               0xff, 0xff, 0xff, 0xff);
    DECODES_TO(b, IDBPQ__VAR_INT64_BIGINT, "-5", 0x0c, 0xfb); /* int8 stays a Number */
    /* decimals: Number when JS prints the same decimal, else the digits. */
    DECODES_TO(b, 0, "123.45", 0x20, 2, 0x39, 0x30, 0, 0);
    DECODES_TO(b, 0, "-0.05", 0x20, 2, 0xfb, 0xff, 0xff, 0xff);
    DECODES_TO(b, 0, "0", 0x20, 5, 0, 0, 0, 0);
    DECODES_TO(b, IDBPQ__VAR_DECIMAL_STRING, "\"-123.45\"", 0x20, 2, 0xc7, 0xcf, 0xff, 0xff);
    DECODES_TO(b, IDBPQ__VAR_DECIMAL_STRING, "\"0.0012\"", 0x20, 4, 12, 0, 0, 0);
    DECODES_TO(b, IDBPQ__VAR_DECIMAL_STRING, "\"0.00\"", 0x20, 2, 0, 0, 0, 0);
    DECODES_TO(b, IDBPQ__VAR_DECIMAL_BIGINT, "1.5", 0x20, 1, 15, 0, 0, 0);
    DECODES_TO(b, 0, "1e-7", 0x20, 7, 1, 0, 0, 0);
    DECODES_TO(b, 0, "1e-22", 0x20, 22, 1, 0, 0, 0);
    DECODES_TO(b, 0, "\"0.00000000000000000000001\"", 0x20, 23, 1, 0, 0, 0);
    /* 16 digits that a double does not keep: the string form. */
    DECODES_TO(b, 0, "\"90071992547409.91\"", 0x24, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0);
    DECODES_TO(b, 0, "\"-89999999999.99999\"", 0x24, 5, 0x01, 0x80, 0x05, 0x35, 0x8c, 0x06, 0xe0, 0xff);
    DECODES_TO(b, 0, "\"9007199254.740991\"", 0x24, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0);
    DECODES_TO(b, 0, "\"-999999999999999999999999999999999999.99\"", 0x28, 2, 0x01, 0x00, 0x00,
               0x00, 0xc0, 0xdd, 0x75, 0xf6, 0x85, 0x3b, 0x79, 0xa5, 0x57, 0xb3, 0xc4, 0xb4);
    /* 10^38 - 1 at scale 38 */
    DECODES_TO(b, 0, "\"0.99999999999999999999999999999999999999\"", 0x28, 38, 0xff, 0xff, 0xff,
               0xff, 0x3f, 0x22, 0x8a, 0x09, 0x7a, 0xc4, 0x86, 0x5a, 0xa8, 0x4c, 0x3b, 0x4b);
    /* dates, timestamps (floor to ms), times, floats, uuids */
    DECODES_TO(b, 0, "{\"$date\":-86400000}", 0x2c, 0xff, 0xff, 0xff, 0xff);
    DECODES_TO(b, 0, "{\"$date\":-1}", 0x34, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    DECODES_TO(b, 0, "{\"$date\":-1}", 0x4c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    DECODES_TO(b, 0, "{\"$date\":1}", 0x48, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0);
    DECODES_TO(b, 0, "{\"$date\":null}", 0x2c, 0xff, 0xff, 0xff, 0x7f);
    DECODES_TO(b, 0, "1.5", 0x44, 0xdc, 0x05, 0, 0, 0, 0, 0, 0);
    DECODES_TO(b, 0, "0.5", 0x38, 0, 0, 0, 0x3f);
    DECODES_TO(b, 0, "\"00112233-4455-6677-8899-aabbccddeeff\"", 0x50, 0x00, 0x11, 0x22, 0x33,
               0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff);
    DECODES_TO(b, 0, "\"\\u00e9\"", 0x40, 2, 0, 0, 0, 0xc3, 0xa9);
    DECODES_TO(b, 0, "\"\\ud83d\\ude00\"", 0x11, 0xf0, 0x9f, 0x98, 0x80);
    DECODES_TO(b, 0, "true", 0x04);
    /* Objects whose values are not in name order come out in value order. */
    static const uint8_t meta2[] = {0x01, 2, 0, 1, 2, 'a', 'b'};
    static const uint8_t obj[] = {0x02, 2, 0, 1, 2, 0, 4, 0x0c, 2, 0x0c, 1};
    idbpq_value *got;
    struct idbpq__err err;
    REQUIRE_OK(raw_decode(b, meta2, sizeof meta2, obj, sizeof obj, 0, &got, &err));
    CHECK(idbpq_value_equal(got, tj(b, "{\"b\":2,\"a\":1}")));
    idbpq_vbatch_free(b);
}

TEST(variant_decode_refuses_bad_bytes)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    static const uint8_t meta_ab[] = {0x01, 2, 0, 1, 2, 'a', 'b'};
    static const struct { const uint8_t m[12], v[20]; uint8_t mn, vn; int st; const char *part; } cases[] = {
        {{1, 0, 0}, {0x40, 1, 0, 0, 0, 0xff}, 3, 6, IDBPQ_CORRUPT, "not UTF-8"},
        {{1, 0, 0}, {0x0d, 0xed, 0xa0, 0x80}, 3, 4, IDBPQ_CORRUPT, "not UTF-8"},      /* surrogate */
        {{1, 0, 0}, {0x09, 0xc0, 0x80}, 3, 3, IDBPQ_CORRUPT, "not UTF-8"},            /* overlong */
        {{1, 0, 0}, {0x11, 0xf4, 0x90, 0x80, 0x80}, 3, 5, IDBPQ_CORRUPT, "not UTF-8"}, /* > 10FFFF */
        {{1, 0, 0}, {0x7c}, 3, 1, IDBPQ_UNSUPPORTED, "primitive type 31"},
        {{1, 0, 0}, {0x00, 0x00}, 3, 2, IDBPQ_CORRUPT, "left over"},
        {{1, 0, 0}, {0}, 3, 0, IDBPQ_CORRUPT, "missing"},
        {{2, 0, 0}, {0}, 3, 1, IDBPQ_UNSUPPORTED, "version 2"},
        {{0, 0, 0}, {0}, 3, 1, IDBPQ_CORRUPT, "version 0"},
        {{1, 0, 1}, {0}, 3, 1, IDBPQ_CORRUPT, "first offset"},
        {{1, 1, 0, 1, 'a', 'b'}, {0}, 6, 1, IDBPQ_CORRUPT, "left over"},
        {{1, 1, 0, 3, 'a', 'b'}, {0}, 6, 1, IDBPQ_CORRUPT, "past the end"},
        {{1, 2, 0, 2, 1, 'a'}, {0x02, 1, 0, 0, 1, 0}, 6, 6, IDBPQ_CORRUPT, "out of order"},
        {{1, 1, 0, 1, 0xff}, {0x02, 1, 0, 0, 1, 0}, 5, 6, IDBPQ_CORRUPT, "dictionary string is not UTF-8"},
        {{1, 0, 0}, {0x02, 1, 0, 0, 1, 0}, 3, 6, IDBPQ_CORRUPT, "field id 0 is not in the dictionary"},
        {{1, 2, 0, 1, 2, 'a', 'a'}, {0x02, 2, 0, 1, 0, 1, 2, 0, 0}, 7, 9, IDBPQ_CORRUPT, "two fields of one name"},
        {{1, 2, 0, 1, 2, 'b', 'a'}, {0x02, 2, 0, 1, 0, 1, 2, 0, 0}, 7, 9, IDBPQ_CORRUPT, "not in sorted order"},
        {{1, 0, 0}, {0x03, 2, 0, 1, 3, 0, 0}, 3, 7, IDBPQ_CORRUPT, "run past the end"},
        {{1, 0, 0}, {0x03, 2, 0, 2, 2, 0, 0}, 3, 7, IDBPQ_CORRUPT, "offset 2 is past the values"},
        {{1, 0, 0}, {0x03, 1, 0, 1, 0x0c}, 3, 5, IDBPQ_CORRUPT, "primitive type 3 runs past the end"},
        {{1, 0, 0}, {0x03, 3, 0, 0, 0, 1, 0}, 3, 7, IDBPQ_CORRUPT, "overlap"},
        {{1, 0, 0}, {0x20, 39, 0, 0, 0, 0}, 3, 6, IDBPQ_CORRUPT, "scale 39"},
        {{1, 0, 0}, {0x28, 0, 0, 0, 0, 0, 0x40, 0x22, 0x8a, 0x09, 0x7a, 0xc4, 0x86, 0x5a, 0xa8, 0x4c, 0x3b, 0x4b},
         3, 18, IDBPQ_CORRUPT, "more than 38 digits"},  /* 10^38 */
        {{1, 0, 0}, {0x28, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}, 3, 18, IDBPQ_CORRUPT,
         "more than 38 digits"},  /* -2^127 */
        {{1, 0, 0}, {0x3c, 5, 0, 0, 0, 1}, 3, 6, IDBPQ_CORRUPT, "binary of 5 bytes"},
        {{1, 0, 0}, {0x0d, 'a'}, 3, 2, IDBPQ_CORRUPT, "short string of 3 bytes"},
    };
    (void)meta_ab;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        idbpq_value *got = (idbpq_value *)&got;
        struct idbpq__err err;
        memset(&err, 0, sizeof err);
        idbpq_status st = raw_decode(b, cases[i].m, cases[i].mn, cases[i].v, cases[i].vn, 0, &got, &err);
        if ((int)st != cases[i].st || !strstr(err.msg, cases[i].part))
            idbpq_test_fail(__FILE__, __LINE__, "case %zu: status %d \"%s\", want %d \"%s\"", i,
                            st, err.msg, cases[i].st, cases[i].part);
        CHECK(got == NULL);
    }
    idbpq_vbatch_free(b);
}

/* Arrays that point all their elements at one child would expand exponentially. */
TEST(variant_decode_refuses_shared_value_bytes)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    /* 30 levels of [x, x] with both offsets at 0: 2^30 leaves from ~150 bytes. */
    uint8_t v[200];
    size_t n = 0;
    for (int i = 0; i < 30; i++) {
        v[n++] = 0x03;
        v[n++] = 2;
        v[n++] = 0;
        v[n++] = 0;
        v[n++] = (uint8_t)(5 * (29 - i) + 1);
    }
    v[n++] = 0;
    idbpq_value *got;
    struct idbpq__err err;
    CHECK_EQ_INT(raw_decode(b, empty_meta, 3, v, n, 0, &got, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "overlap") != NULL);
    CHECK(idbpq_vbatch_size(b) < 100000);
    idbpq_vbatch_free(b);
}

/* ---- seeded random values ---------------------------------------------------------------------- */

TEST(variant_random_values_round_trip_or_are_refused)
{
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    uint64_t seed = idbpq_test_seed();
    int held = 0, refused = 0, bad = 0;
    for (int i = 0; i < 4000 && bad < 5; i++) {
        idbpq_vbatch_reset(b);
        idbpq_value *v = gen_value(b, seed * 104729u + (uint64_t)i);
        REQUIRE(v);
        uint32_t flags = (i & 1) ? IDBPQ__VAR_UINT8ARRAY : 0;
        struct enc e;
        enc_init(&e);
        idbpq_status st = encode(&e, v, flags);
        if (st == IDBPQ_OK) {
            held++;
            idbpq_value *got;
            struct idbpq__err err;
            if (decode(b, &e, flags | IDBPQ__VAR_DECIMAL_BIGINT, &got, &err) != IDBPQ_OK) {
                idbpq_test_fail(__FILE__, __LINE__, "value %d: %s: %s", i, show(v), err.msg);
                bad++;
            } else if (!idbpq_value_equal(got, v)) {
                idbpq_test_fail(__FILE__, __LINE__, "value %d differs: %s", i, show(v));
                bad++;
            }
            CHECK(idbpq__variant_class(v, flags) != IDBPQ__VC_NONE);
        } else {
            refused++;
            if (st != IDBPQ_UNSUPPORTED || !e.err.msg[0] || e.meta.len || e.val.len) {
                idbpq_test_fail(__FILE__, __LINE__, "value %d: status %d \"%s\"", i, st, e.err.msg);
                bad++;
            }
        }
        enc_free(&e);
    }
    CHECK(held > 200);
    CHECK(refused > 200);
    idbpq_vbatch_free(b);
}

/* ---- parquet-testing/variant ---------------------------------------------------------------------- */

/* Whether ../shared has the directory; prints the harness's SKIPPED note when not. */
static int have_variant_dir(const char *test)
{
    char path[1024];
    size_t n;
    snprintf(path, sizeof path, "%s/parquet-testing/variant/primitive_null.value", shared_dir());
    uint8_t *p = load_file(path, &n);
    if (!p) printf("# SKIPPED %s: %s absent\n", test, path);
    free(p);
    return p != NULL;
}

/* Expected values by file name (VariantEncoding's types read by variant.h's conventions;
 * checked against the directory's data_dictionary.json). Timestamps in ms: 2025-04-16
 * 12:34:56.78-04:00 is 1744821296780; 2024-11-07T12:33:54.123456789 is 1730982834123. */
static const struct { const char *name, *want; } golden[] = {
    {"array_empty", "[]"},
    {"array_nested", "[{\"id\":1,\"thing\":{\"names\":[\"Contrarian\",\"Spider\"]}},null,"
                     "{\"id\":2,\"type\":\"if\",\"names\":[\"Apple\",\"Ray\",null]}]"},
    {"array_primitive", "[2,1,5,9]"},
    {"long_string", "\"This string is for sure and certainly longer than 64 bytes and it also "
                    "includes several non ascii characters such as \\ud83d\\udc22, \\ud83d\\udc96, "
                    "\\u2665\\ufe0f, \\ud83c\\udfa3 and \\ud83e\\udd26!!\""},
    {"object_empty", "{}"},
    {"object_nested", "{\"id\":1,\"species\":{\"name\":\"lava monster\",\"population\":6789},"
                      "\"observation\":{\"time\":\"12:34:56\",\"location\":\"In the Volcano\","
                      "\"value\":{\"temperature\":123,\"humidity\":456}}}"},
    {"object_primitive", NULL},
    {"primitive_binary", "{\"$binary\":\"AxM33q2+78r+\",\"$type\":\"ArrayBuffer\"}"},
    {"primitive_boolean_false", "false"},
    {"primitive_boolean_true", "true"},
    {"primitive_date", "{\"$date\":1744761600000}"},
    {"primitive_decimal16", "\"12345678912345678.90\""},
    {"primitive_decimal4", "12.34"},
    {"primitive_decimal8", "12345678.9"},
    {"primitive_double", "1234567890.1234"},
    {"primitive_float", "1234567936"},
    {"primitive_int16", "1234"},
    {"primitive_int32", "123456"},
    {"primitive_int64", "{\"$bigint\":\"1234567890123456789\"}"},
    {"primitive_int8", "42"},
    {"primitive_null", "null"},
    {"primitive_string", "\"This string is longer than 64 bytes and therefore does not fit in a "
                         "short_string and it also includes several non ascii characters such as "
                         "\\ud83d\\udc22, \\ud83d\\udc96, \\u2665\\ufe0f, \\ud83c\\udfa3 and "
                         "\\ud83e\\udd26!!\""},
    {"primitive_time", "45234123.456"},
    {"primitive_timestamp", "{\"$date\":1744821296780}"},
    {"primitive_timestamp_nanos", "{\"$date\":1730982834123}"},
    {"primitive_timestampntz", "{\"$date\":1744806896780}"},
    {"primitive_timestampntz_nanos", "{\"$date\":1730982834123}"},
    {"primitive_uuid", "\"f24f9b64-81fa-49d1-b74e-8c09a6e31c56\""},
    {"short_string", "\"Less than 64 bytes (\\u2764\\ufe0f with utf8)\""},
};

static int load_pair(const char *name, uint8_t **m, size_t *mn, uint8_t **v, size_t *vn)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/parquet-testing/variant/%s.metadata", shared_dir(), name);
    *m = load_file(path, mn);
    snprintf(path, sizeof path, "%s/parquet-testing/variant/%s.value", shared_dir(), name);
    *v = load_file(path, vn);
    if (*m && *v) return 1;
    free(*m);
    free(*v);
    return 0;
}

TEST(variant_parquet_testing_files_decode)
{
    if (!have_variant_dir("variant_parquet_testing_files_decode")) return;
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    int n = 0;
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        uint8_t *m, *v;
        size_t mn, vn;
        if (!load_pair(golden[i].name, &m, &mn, &v, &vn)) {
            idbpq_test_fail(__FILE__, __LINE__, "%s: cannot read the pair", golden[i].name);
            continue;
        }
        idbpq_value *got = NULL;
        struct idbpq__err err;
        if (raw_decode(b, m, mn, v, vn, 0, &got, &err) != IDBPQ_OK) {
            idbpq_test_fail(__FILE__, __LINE__, "%s: %s", golden[i].name, err.msg);
        } else if (golden[i].want) {
            idbpq_value *want = tj(b, golden[i].want);
            if (want && !idbpq_value_equal(got, want))
                idbpq_test_fail(__FILE__, __LINE__, "%s: got %s", golden[i].name, show(got));
            n++;
        } else {
            /* object_primitive: the timestamp_field is a string, the int a Number. */
            idbpq_value *want = tj(b, "{\"int_field\":1,\"double_field\":1.23456789,"
                                      "\"boolean_true_field\":true,\"boolean_false_field\":false,"
                                      "\"string_field\":\"Apache Parquet\",\"null_field\":null,"
                                      "\"timestamp_field\":\"2025-04-16T12:34:56.78\"}");
            if (want && !idbpq_value_equal(got, want))
                idbpq_test_fail(__FILE__, __LINE__, "%s: got %s", golden[i].name, show(got));
            n++;
        }
        free(m);
        free(v);
    }
    CHECK_EQ_INT(n, 29);
    idbpq_vbatch_free(b);
}

/* Every proper prefix of a metadata or value, and either with a byte appended, is CORRUPT;
 * every single-byte change decodes or fails with a status (ASan checks the rest). */
TEST(variant_parquet_testing_files_garbled)
{
    if (!have_variant_dir("variant_parquet_testing_files_garbled")) return;
    idbpq_vbatch *b;
    REQUIRE_OK(idbpq_vbatch_create(&b, NULL));
    static const uint8_t flips[] = {0x01, 0x80, 0xff, 0x10};
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        uint8_t *m, *v;
        size_t mn, vn;
        if (!load_pair(golden[i].name, &m, &mn, &v, &vn)) continue;
        idbpq_value *got;
        struct idbpq__err err;
        int bad = 0;
        for (size_t k = 0; k < mn && bad < 3; k++) {
            idbpq_vbatch_reset(b);
            if (raw_decode(b, m, k, v, vn, 0, &got, &err) != IDBPQ_CORRUPT) {
                idbpq_test_fail(__FILE__, __LINE__, "%s: metadata cut to %zu bytes: not CORRUPT",
                                golden[i].name, k);
                bad++;
            }
        }
        for (size_t k = 0; k < vn && bad < 3; k++) {
            idbpq_vbatch_reset(b);
            if (raw_decode(b, m, mn, v, k, 0, &got, &err) != IDBPQ_CORRUPT) {
                idbpq_test_fail(__FILE__, __LINE__, "%s: value cut to %zu bytes: not CORRUPT",
                                golden[i].name, k);
                bad++;
            }
        }
        uint8_t *m2 = malloc(mn + 1), *v2 = malloc(vn + 1);
        memcpy(m2, m, mn);
        memcpy(v2, v, vn);
        m2[mn] = v2[vn] = 0;
        CHECK_EQ_INT(raw_decode(b, m2, mn + 1, v, vn, 0, &got, &err), IDBPQ_CORRUPT);
        CHECK_EQ_INT(raw_decode(b, m, mn, v2, vn + 1, 0, &got, &err), IDBPQ_CORRUPT);
        for (size_t k = 0; k < mn + vn; k++) {
            for (size_t f = 0; f < sizeof flips; f++) {
                idbpq_vbatch_reset(b);
                uint8_t *p = k < mn ? m2 + k : v2 + (k - mn);
                *p ^= flips[f];
                err.msg[0] = 0;
                idbpq_status st = raw_decode(b, m2, mn, v2, vn, 0, &got, &err);
                *p ^= flips[f];
                if (st != IDBPQ_OK && st != IDBPQ_CORRUPT && st != IDBPQ_UNSUPPORTED && st != IDBPQ_LIMIT)
                    idbpq_test_fail(__FILE__, __LINE__, "%s byte %zu ^ %02x: status %d", golden[i].name,
                                    k, flips[f], st);
                if (st != IDBPQ_OK && !err.msg[0])
                    idbpq_test_fail(__FILE__, __LINE__, "%s byte %zu: no message", golden[i].name, k);
            }
        }
        free(m2);
        free(v2);
        free(m);
        free(v);
    }
    idbpq_vbatch_free(b);
}
