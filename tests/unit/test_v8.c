/*
 * test_v8.c — the V8 ValueSerializer codec on hand-written byte vectors: every tag, Blink's
 * envelope and trailer, host objects, Chromium's FF 11 01 / FF 11 02 markers, and every class
 * of malformed input (truncation at each length, bad tags, unknown ids, views without a
 * buffer, absurd lengths, depth bombs) with the status and byte offset expected.
 */
#include "codec/codec.h"
#include "test.h"
#include "value/v8.h"

#include <math.h>
#include <stdlib.h>

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (*h) {
        if (*h == ' ') { h++; continue; }
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

struct dec {
    idbpq_vbatch *b;
    idbpq_value *v;
    idbpq_error err;
    idbpq_status st;
    uint8_t *in; /* the shared input buffer below: tests run one at a time */
    size_t n;
};
static uint8_t g_in[1 << 18];

static idbpq_status dec_opts(struct dec *d, const char *hex, const idbpq_v8_opts *o)
{
    if (!d->b) idbpq_vbatch_create(&d->b, NULL);
    d->in = g_in;
    if (strlen(hex) / 2 > sizeof g_in) return d->st = IDBPQ_INVALID_ARG;
    d->n = unhex(hex, d->in);
    d->st = idbpq_v8_decode(d->b, d->in, d->n, o, &d->v, &d->err);
    return d->st;
}

static idbpq_status dec(struct dec *d, const char *hex, uint32_t flags)
{
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.flags = flags;
    return dec_opts(d, hex, &o);
}

/* decode(hex) then encode must give hex back (V8 is canonical on these). */
static int roundtrip_exact(const char *hex, uint32_t flags)
{
    struct dec d = {0};
    int ok = 0;
    if (dec(&d, hex, flags) == IDBPQ_OK) {
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        o.flags = flags & IDBPQ_V8_BLINK;
        idbpq_buffer out;
        idbpq_buffer_init(&out, NULL);
        idbpq_error err;
        if (idbpq_v8_encode(d.v, &o, &out, &err) == IDBPQ_OK)
            ok = out.len == d.n && memcmp(out.data, d.in, d.n) == 0;
        if (!ok) {
            printf("#   %s re-encodes as ", hex);
            for (size_t i = 0; i < out.len; i++) printf("%02x", out.data[i]);
            printf("\n");
        }
        idbpq_buffer_free(&out);
    } else {
        printf("#   %s: %s at %llu\n", hex, d.err.msg, (unsigned long long)d.err.offset);
    }
    idbpq_vbatch_free(d.b);
    return ok;
}

static int str_is(const idbpq_value *v, const char *s)
{
    return v && v->type == IDBPQ_V_STRING && !v->u.str.two_byte && v->u.str.len == strlen(s) &&
           memcmp(v->u.str.data, s, v->u.str.len) == 0;
}

TEST(v8_doc_example_blink_envelope)
{
    /* indexeddb-on-disk.md §2.3: Blink v21, empty trailer, V8 v15, {id: 1}. */
    struct dec d = {0};
    REQUIRE_OK(dec(&d, "ff15fe000000000000000000000000 ff0f 6f 2202 6964 4902 7b01",
                   IDBPQ_V8_BLINK));
    REQUIRE(d.v->type == IDBPQ_V_OBJECT && d.v->u.object.n == 1);
    CHECK(str_is(d.v->u.object.props[0].key, "id"));
    CHECK(d.v->u.object.props[0].value->u.number == 1);
    /* AUTO finds the envelope too; bare mode does not know version 21. */
    CHECK_OK(dec(&d, "ff15fe000000000000000000000000 ff0f 6f 2202 6964 4902 7b01", IDBPQ_V8_AUTO));
    CHECK_EQ_INT(dec(&d, "ff15fe000000000000000000000000 ff0f 6f 2202 6964 4902 7b01", 0),
                 IDBPQ_UNSUPPORTED);
    CHECK(roundtrip_exact("ff15fe000000000000000000000000ff0f6f220269644902 7b01", IDBPQ_V8_BLINK));
    idbpq_vbatch_free(d.b);
}

TEST(v8_trailer_bounds_the_value)
{
    /* Trailer at offset 22, size 6: the bytes from 22 on are not V8 data. */
    struct dec d = {0};
    REQUIRE_OK(dec(&d, "ff15fe 0000000000000016 00000006 ff0f 2203 616263 a0000000015c", IDBPQ_V8_BLINK));
    CHECK(str_is(d.v, "abc"));
    /* A trailer outside the value is corrupt, at the locator. */
    CHECK_EQ_INT(dec(&d, "ff15fe 00000000000000ff 00000006 ff0f 5f", IDBPQ_V8_BLINK), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 3);
    /* Older Blink (v19, no locator), padding before the V8 header. */
    CHECK_OK(dec(&d, "ff13 00 ff0d 2201 78", IDBPQ_V8_BLINK));
    CHECK(str_is(d.v, "x"));
    idbpq_vbatch_free(d.b);
}

TEST(v8_primitives)
{
    struct dec d = {0};
    const char *ok[] = {"ff0f5f", "ff0f30", "ff0f54", "ff0f46", "ff0f4903", "ff0f4e000000000000f87f",
                        "ff0f4e0000000000000080", "ff0f2200", "ff0f220568656c6c6f",
                        "ff0f5a10ffffffffffffffff", "ff0f5a11ffffffffffffffff", "ff0f5a00",
                        "ff0f4efeffffffffffdfc1", "ff0f44000000000000f87f"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) CHECK(roundtrip_exact(ok[i], 0));
    REQUIRE_OK(dec(&d, "ff0f4903", 0));
    CHECK(d.v->type == IDBPQ_V_NUMBER && d.v->u.number == -2);
    REQUIRE_OK(dec(&d, "ff0f55ffffffff0f", 0));
    CHECK(d.v->u.number == 4294967295.0);
    REQUIRE_OK(dec(&d, "ff0f4e0000000000000080", 0));
    CHECK(d.v->u.number == 0 && signbit(d.v->u.number));
    REQUIRE_OK(dec(&d, "ff0f5a11ff00000000000000", 0)); /* -255n, digits trimmed */
    CHECK(d.v->type == IDBPQ_V_BIGINT && d.v->u.bigint.len == 1 && d.v->u.bigint.negative);
    REQUIRE_OK(dec(&d, "ff0f 00 00 3f05 54", 0)); /* padding and the verify-count tag */
    CHECK(d.v->type == IDBPQ_V_BOOLEAN && d.v->u.boolean);
    idbpq_vbatch_free(d.b);
}

TEST(v8_strings)
{
    struct dec d = {0};
    /* Two-byte: the writer pads so the characters start at an even offset. */
    CHECK(roundtrip_exact("ff0f 6304 2d4e 8765", 0));             /* "中文": no pad */
    CHECK(roundtrip_exact("ff0f 6f 2200 00 6302 00d8 7b01", 0));  /* {"": "\ud800"}: pad */
    REQUIRE_OK(dec(&d, "ff0f 00 6304 2d4e 8765", 0));
    CHECK(d.v->u.str.two_byte && d.v->u.str.len == 2 &&
          ((const uint16_t *)d.v->u.str.data)[0] == 0x4e2d);
    /* Legacy UTF-8: Latin-1 when it fits, UTF-16 when not, U+FFFD for bad bytes. */
    REQUIRE_OK(dec(&d, "ff0f 5302 c3a9", 0));
    CHECK(!d.v->u.str.two_byte && d.v->u.str.len == 1 && ((const uint8_t *)d.v->u.str.data)[0] == 0xe9);
    REQUIRE_OK(dec(&d, "ff0f 5304 f09f9880", 0));
    CHECK(d.v->u.str.two_byte && d.v->u.str.len == 2);
    REQUIRE_OK(dec(&d, "ff0f 5302 ff41", 0));
    CHECK(d.v->u.str.two_byte && d.v->u.str.len == 2 &&
          ((const uint16_t *)d.v->u.str.data)[0] == 0xfffd);
    CHECK_EQ_INT(dec(&d, "ff0f 6303 414243", 0), IDBPQ_CORRUPT); /* odd byte length */
    CHECK_EQ_INT(d.err.offset, 2);
    idbpq_vbatch_free(d.b);
}

TEST(v8_objects_arrays_refs)
{
    struct dec d = {0};
    /* {a: 1, 3: "x"} with a numeric key, a dense array with a hole and an extra property,
     * a sparse array, a cycle and a shared reference. */
    CHECK(roundtrip_exact("ff0f 6f 220161 4902 4906 220178 7b02", 0));
    CHECK(roundtrip_exact("ff0f 41 03 4902 2d 5f 220178 54 24 01 03", 0));
    CHECK(roundtrip_exact("ff0f 61 64 4914 54 40 01 64", 0));
    CHECK(roundtrip_exact("ff0f 6f 220473656c66 5e00 7b01", 0));
    CHECK(roundtrip_exact("ff0f 41 02 6f7b00 5e01 24 00 02", 0));
    REQUIRE_OK(dec(&d, "ff0f 6f 220473656c66 5e00 7b01", 0));
    CHECK(d.v->u.object.props[0].value == d.v);
    REQUIRE_OK(dec(&d, "ff0f 41 03 4902 2d 5f 220178 54 24 01 03", 0));
    CHECK(d.v->u.array.items[1]->type == IDBPQ_V_HOLE && d.v->u.array.items[2]->type == IDBPQ_V_UNDEFINED);
    /* Before version 11 undefined in a dense array is the hole. */
    REQUIRE_OK(dec(&d, "ff0a 41 01 5f 24 00 01", 0));
    CHECK(d.v->u.array.items[0]->type == IDBPQ_V_HOLE);
    /* Wrong end counts. */
    CHECK_EQ_INT(dec(&d, "ff0f 6f 220161 4902 7b02", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 9); /* the count after '{' */
    CHECK_EQ_INT(dec(&d, "ff0f 41 01 54 24 00 02", 0), IDBPQ_CORRUPT);
    /* A key that is an object. */
    CHECK_EQ_INT(dec(&d, "ff0f 6f 6f7b00 54 7b01", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 3);
    idbpq_vbatch_free(d.b);
}

TEST(v8_dates_regexps_boxed_collections)
{
    struct dec d = {0};
    CHECK(roundtrip_exact("ff0f 44 0000000000000000", 0));
    CHECK(roundtrip_exact("ff0f 52 22026162 83 02", 0)); /* /ab/ flags g|d (0x81)... */
    CHECK(roundtrip_exact("ff0f 79", 0));
    CHECK(roundtrip_exact("ff0f 6e 0000000000000080", 0));
    CHECK(roundtrip_exact("ff0f 7a 10 0100000000000000", 0));
    CHECK(roundtrip_exact("ff0f 73 220178", 0));
    CHECK(roundtrip_exact("ff0f 3b 4902 220178 5e00 30 3a 04", 0));
    CHECK(roundtrip_exact("ff0f 27 54 5e00 2c 02", 0));
    REQUIRE_OK(dec(&d, "ff0f 52 22026162 83 02", 0));
    CHECK(d.v->type == IDBPQ_V_REGEXP && d.v->u.regexp.flags == 0x103 && str_is(d.v->u.regexp.source, "ab"));
    CHECK_EQ_INT(dec(&d, "ff0f 52 220161 8004", 0), IDBPQ_CORRUPT); /* flag bit 9 */
    /* Version 11: RegExp source is raw UTF-8. */
    REQUIRE_OK(dec(&d, "ff0b 52 0161 01", 0));
    CHECK(str_is(d.v->u.regexp.source, "a") && d.v->u.regexp.flags == 1);
    CHECK_EQ_INT(dec(&d, "ff0f 3b 54 3a 01", 0), IDBPQ_CORRUPT); /* odd map */
    idbpq_vbatch_free(d.b);
}

TEST(v8_buffers_views_errors)
{
    struct dec d = {0};
    CHECK(roundtrip_exact("ff0f 42 04 01020304", 0));
    CHECK(roundtrip_exact("ff0f 7e 02 08 0102 56 77 00 02 03", 0)); /* Int16Array over a RAB */
    CHECK(roundtrip_exact("ff0f 42 08 0001020304050607 56 64 04 04 00", 0));
    CHECK(roundtrip_exact("ff0f 41 02 42 04 00000000 56 42 00 04 00 5e01 56 3f 01 02 00 24 00 02", 0));
    REQUIRE_OK(dec(&d, "ff0f 41 02 42 04 00000000 56 42 00 04 00 5e01 56 3f 01 02 00 24 00 02", 0));
    const idbpq_value *a = d.v->u.array.items[0], *b = d.v->u.array.items[1];
    CHECK(a->type == IDBPQ_V_VIEW && b->type == IDBPQ_V_VIEW && a->u.view.buffer == b->u.view.buffer);
    CHECK(b->u.view.kind == IDBPQ_VIEW_DATAVIEW && b->u.view.offset == 1);
    /* Version 13 views have no flags; Float16 ('h'). */
    REQUIRE_OK(dec(&d, "ff0d 42 04 00000000 56 42 00 04", 0));
    CHECK(d.v->type == IDBPQ_V_VIEW);
    REQUIRE_OK(dec(&d, "ff0f 42 04 00000000 56 68 00 04 00", 0));
    CHECK(d.v->u.view.kind == IDBPQ_VIEW_FLOAT16);
    /* Views out of bounds, misaligned, flags over a fixed buffer, no buffer. */
    CHECK_EQ_INT(dec(&d, "ff0f 42 04 00000000 56 42 02 04 00", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 8);
    CHECK_EQ_INT(dec(&d, "ff0f 42 04 00000000 56 64 02 00 00", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 42 04 00000000 56 42 00 04 01", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 56 42 00 04 00", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 2);
    /* Errors: TypeError, message, cause, stack. */
    CHECK(roundtrip_exact("ff0f 72 54 6d 220162 63 4902 73 220173 2e", 0));
    REQUIRE_OK(dec(&d, "ff0f 72 54 6d 220162 63 4902 73 220173 2e", 0));
    CHECK(d.v->u.error.kind == IDBPQ_ERR_TYPE && str_is(d.v->u.error.message, "b") &&
          d.v->u.error.cause->u.number == 1 && str_is(d.v->u.error.stack, "s"));
    CHECK_EQ_INT(dec(&d, "ff0f 72 58 2e", 0), IDBPQ_CORRUPT);
    idbpq_vbatch_free(d.b);
}

struct blobs {
    const uint8_t *bytes[4];
    uint64_t len[4];
    int calls;
};

static idbpq_status resolver(void *ctx, int64_t index, const uint8_t **bytes, uint64_t *len)
{
    struct blobs *b = ctx;
    b->calls++;
    if (index < 0 || index > 3 || !b->bytes[index]) return IDBPQ_IO;
    *bytes = b->bytes[index];
    *len = b->len[index];
    return IDBPQ_OK;
}

TEST(v8_host_objects)
{
    struct dec d = {0};
    struct blobs bl = {{(const uint8_t *)"hello"}, {5}, 0};
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.resolve_blob = resolver;
    o.resolve_ctx = &bl;
    /* [Blob #0, File #0, FileList [#0], DOMPoint(32 bytes)] */
    REQUIRE_OK(dec_opts(&d, "ff15fe000000000000000000000000 ff0f 41 04 5c6900 5c6500 5c4c0100"
                            " 5c51 0000000000000000000000000000000000000000000000000000000000000000 24 00 04",
                        &o));
    const idbpq_value *const *it = (const idbpq_value *const *)d.v->u.array.items;
    CHECK(it[0]->type == IDBPQ_V_BLOB && it[0]->u.blob.index == 0 && it[0]->u.blob.size == 5 &&
          it[0]->u.blob.bytes && !memcmp(it[0]->u.blob.bytes, "hello", 5));
    CHECK(it[1]->type == IDBPQ_V_FILE && it[2]->type == IDBPQ_V_FILE_LIST && it[2]->u.files.n == 1);
    CHECK(it[3]->type == IDBPQ_V_HOST && it[3]->u.host.tag == 'Q' && it[3]->u.host.len == 32);
    CHECK(roundtrip_exact("ff15fe000000000000000000000000ff0f41045c69005c65005c4c01005c51"
                          "000000000000000000000000000000000000000000000000000000000000000024 0004",
                          IDBPQ_V8_BLINK));
    /* Non-IndexedDB forms: Blob(uuid "u", type "t", 9) and File v21. */
    REQUIRE_OK(dec(&d, "ff0f 5c 62 0175 0174 09", 0));
    CHECK(d.v->type == IDBPQ_V_BLOB && str_is(d.v->u.blob.mime, "t") && d.v->u.blob.size == 9 &&
          d.v->u.blob.index == -1);
    REQUIRE_OK(dec(&d, "ff0f 5c 66 00 0161 00 0174 0178 01 05 0000000000408f40 01", 0));
    CHECK(d.v->type == IDBPQ_V_FILE && str_is(d.v->u.blob.name, "a") && str_is(d.v->u.blob.mime, "x") &&
          d.v->u.blob.size == 5 && d.v->u.blob.last_modified == 1000);
    /* A CryptoKey (AES, 16 bytes) is kept as bytes; a MessagePort cannot be sized. */
    REQUIRE_OK(dec(&d, "ff0f 5c 4b 01 01 10 ff01 10 000102030405060708090a0b0c0d0e0f", 0));
    CHECK(d.v->type == IDBPQ_V_HOST && d.v->u.host.tag == 'K' && d.v->u.host.len == 22);
    CHECK_EQ_INT(dec(&d, "ff0f 6f 220161 5c 4d 00 7b01", 0), IDBPQ_UNSUPPORTED);
    CHECK(strstr(d.err.msg, "unsupported host object 'M'") != NULL);
    CHECK_EQ_INT(d.err.offset, 7);
    /* Before format 13 a Blink tag stands where a V8 tag would. */
    REQUIRE_OK(dec(&d, "ff0c 6900", 0));
    CHECK(d.v->type == IDBPQ_V_BLOB);
    idbpq_vbatch_free(d.b);
}

TEST(v8_large_value_markers)
{
    /* FF 11 02: snappy of a Blink-enveloped value. */
    uint8_t raw[64];
    size_t rn = unhex("ff15fe000000000000000000000000 ff0f 6f 2202 6964 4902 7b01", raw);
    struct idbpq__buf comp;
    idbpq__buf_init(&comp, NULL);
    const uint8_t marker[3] = {0xff, 0x11, 0x02};
    REQUIRE_OK(idbpq__buf_append(&comp, marker, 3));
    REQUIRE_OK(idbpq__compress(IDBPQ_CODEC_SNAPPY, 0, raw, rn, &comp, NULL));
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    idbpq_value *v;
    idbpq_error err;
    REQUIRE_OK(idbpq_v8_decode(b, comp.p, comp.len, &o, &v, &err));
    CHECK(v->type == IDBPQ_V_OBJECT && v->u.object.n == 1);
    /* Declared size past max_bytes: LIMIT before any allocation. */
    o.max_bytes = 8;
    CHECK_EQ_INT(idbpq_v8_decode(b, comp.p, comp.len, &o, &v, &err), IDBPQ_LIMIT);
    o.max_bytes = 0;
    /* Corrupt snappy data. */
    comp.p[comp.len - 1] ^= 0xff;
    comp.p[5] ^= 0x55;
    CHECK(idbpq_v8_decode(b, comp.p, comp.len, &o, &v, &err) != IDBPQ_OK);
    comp.p[5] ^= 0x55;
    comp.p[comp.len - 1] ^= 0xff;
    /* FF 11 01: size, index 2 → the resolver's bytes, themselves snappy-wrapped. */
    struct blobs bl = {{NULL, NULL, comp.p}, {0, 0, comp.len}, 0};
    uint8_t wrap[8] = {0xff, 0x11, 0x01, (uint8_t)comp.len, 0x02};
    CHECK_EQ_INT(idbpq_v8_decode(b, wrap, 5, &o, &v, &err), IDBPQ_UNSUPPORTED);
    o.resolve_blob = resolver;
    o.resolve_ctx = &bl;
    REQUIRE_OK(idbpq_v8_decode(b, wrap, 5, &o, &v, &err));
    CHECK(v->type == IDBPQ_V_OBJECT && bl.calls == 1);
    wrap[3]++; /* size mismatch */
    CHECK_EQ_INT(idbpq_v8_decode(b, wrap, 5, &o, &v, &err), IDBPQ_CORRUPT);
    wrap[4] = 3; /* unknown blob */
    CHECK_EQ_INT(idbpq_v8_decode(b, wrap, 5, &o, &v, &err), IDBPQ_IO);
    idbpq__buf_free(&comp);
    idbpq_vbatch_free(b);
}

TEST(v8_truncation_at_every_length)
{
    const char *hex = "ff15fe000000000000000000000000 ff0f 6f 2202 6964 4902 2201 61 41 03 4e0000000000"
                      "00f03f 2d 6304 2d4e 8765 24 00 03 2201 62 3b 42 04 01020304 56 42 01 02 00 5e02 3a"
                      " 02 2201 63 72 54 6d 220162 2e 7b 04";
    struct dec d = {0};
    REQUIRE_OK(dec(&d, hex, IDBPQ_V8_BLINK));
    size_t full = d.n;
    uint8_t copy[256];
    memcpy(copy, d.in, full);
    for (size_t n = 0; n < full; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, copy, n);
        idbpq_value *v = NULL;
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        o.flags = IDBPQ_V8_BLINK;
        idbpq_status st = idbpq_v8_decode(d.b, cut, n, &o, &v, &d.err);
        if (st != IDBPQ_CORRUPT || v || d.err.offset > n || !d.err.msg[0])
            idbpq_test_fail(__FILE__, __LINE__, "cut at %zu: status %d offset %llu", n, st,
                            (unsigned long long)d.err.offset);
        free(cut);
    }
    idbpq_vbatch_free(d.b);
}

TEST(v8_hostile_lengths_and_depth)
{
    struct dec d = {0};
    /* A dense array of 4e9 elements in 10 bytes, strings / buffers / BigInts past the end. */
    CHECK_EQ_INT(dec(&d, "ff0f 41 ffffffff0f 54", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 2);
    CHECK_EQ_INT(dec(&d, "ff0f 61 ffffffff0f 40 00 ffffffff0f", 0), IDBPQ_OK); /* sparse: fine */
    CHECK(d.v->u.array.length == 0xffffffffu);
    CHECK_EQ_INT(dec(&d, "ff0f 22 ffffffff0f 41", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 42 ffffffff0f 41", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 5a feffffff07 41", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 5c 4c ffffffff0f 00", 0), IDBPQ_CORRUPT);
    /* References: to an unknown id, and forward. */
    CHECK_EQ_INT(dec(&d, "ff0f 5e 00", 0), IDBPQ_CORRUPT);
    CHECK(strstr(d.err.msg, "id 0") != NULL);
    CHECK_EQ_INT(dec(&d, "ff0f 41 02 5e01 6f7b00 24 00 02", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(d.err.offset, 4);
    /* Unknown tags, stray end tags, transfer-only tags, versions. */
    CHECK_EQ_INT(dec(&d, "ff0f 47", 0), IDBPQ_CORRUPT);
    CHECK(strstr(d.err.msg, "unknown tag 'G'") != NULL);
    CHECK_EQ_INT(d.err.offset, 2);
    CHECK_EQ_INT(dec(&d, "ff0f 7b00", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff0f 7400", 0), IDBPQ_CORRUPT);
    CHECK_EQ_INT(dec(&d, "ff12 5f", 0), IDBPQ_UNSUPPORTED); /* 18: newer than we know */
    /* Version 16 (Chrome 150+): buffer and view sizes are 64-bit varints. A 2^32-byte view
     * length is representable, and must still fit its buffer. */
    CHECK_EQ_INT(dec(&d, "ff10 4204 01020304 5642 00 04 00", 0), IDBPQ_OK);
    CHECK_EQ_INT(dec(&d, "ff10 4204 01020304 5642 00 8080808010 00", 0), IDBPQ_CORRUPT);
    CHECK(strstr(d.err.msg, "4294967296") != NULL);
    /* Depth bomb: 100000 nested arrays → LIMIT, no stack overflow. */
    static char bomb[2 * 100000 * 2 + 8];
    strcpy(bomb, "ff0f");
    for (int i = 0; i < 100000; i++) strcat(bomb + 4 + i * 4, "4101");
    CHECK_EQ_INT(dec(&d, bomb, 0), IDBPQ_LIMIT);
    /* max_bytes. */
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.max_bytes = 100;
    CHECK_EQ_INT(dec_opts(&d, "ff0f 42 80 01 00000000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000000000000000"
                              "0000000000000000000000000000000000000000000000000000000000000000000000000000",
                         &o),
                 IDBPQ_LIMIT);
    idbpq_vbatch_free(d.b);
}

TEST(v8_encode_rules)
{
    idbpq_vbatch *b;
    idbpq_vbatch_create(&b, NULL);
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    idbpq_error err;
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    double nums[] = {1, -0.0, 1073741823.0, 1073741824.0, -1073741824.0, 0.5};
    const char *want[] = {"ff0f4902", "ff0f4e0000000000000080", "ff0f49feffffff07",
                          "ff0f4e000000000000d041", "ff0f49ffffffff07", "ff0f4e000000000000e03f"};
    for (int i = 0; i < 6; i++) {
        out.len = 0;
        REQUIRE_OK(idbpq_v8_encode(idbpq_value_number(b, nums[i]), &o, &out, &err));
        uint8_t w[32];
        size_t wn = unhex(want[i], w);
        CHECK(out.len == wn && !memcmp(out.data, w, wn));
    }
    /* A hole alone and a view without a buffer are refused. */
    CHECK_EQ_INT(idbpq_v8_encode(idbpq_value_new(b, IDBPQ_V_HOLE), &o, &out, &err), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq_v8_encode(idbpq_value_new(b, IDBPQ_V_VIEW), &o, &out, &err), IDBPQ_INVALID_ARG);
    o.v8_version = 12;
    CHECK_EQ_INT(idbpq_v8_encode(idbpq_value_number(b, 1), &o, &out, &err), IDBPQ_INVALID_ARG);
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
}
