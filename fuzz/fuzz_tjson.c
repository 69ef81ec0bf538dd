/*
 * fuzz_tjson.c — the tagged JSON parser on hostile text.
 *
 * Parsing never crashes and fails with CORRUPT / LIMIT / NOMEM and a position inside the
 * input. When it succeeds, printing the value and parsing the text again gives an equal value
 * with the same content hash, and printing that gives the same text (the printer is
 * canonical); the V8 encoding of the value, where the format can hold it, decodes to an equal
 * value too.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) return 0;
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 0;
    idbpq_value *v = NULL;
    idbpq_error err;
    memset(&err, 0, sizeof err);
    /* The record form of the same bytes: each member on its own reference numbering. */
    idbpq_value *rk, *rv;
    idbpq_status rs = idbpq_tjson_parse_record(b, (const char *)data, size, &rk, &rv, &err);
    CHECK(rs == IDBPQ_OK ? rv != NULL : rs == IDBPQ_CORRUPT || rs == IDBPQ_LIMIT || rs == IDBPQ_NOMEM);
    CHECK(err.offset <= size || rs == IDBPQ_OK);
    memset(&err, 0, sizeof err);
    idbpq_status st = idbpq_tjson_parse(b, (const char *)data, size, &v, &err);
    if (st != IDBPQ_OK) {
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_LIMIT || st == IDBPQ_NOMEM);
        CHECK(err.offset <= size);
        CHECK(memchr(err.msg, 0, sizeof err.msg) != NULL);
        idbpq_vbatch_free(b);
        return 0;
    }
    CHECK(v != NULL);
    idbpq_buffer t1, t2;
    idbpq_buffer_init(&t1, NULL);
    idbpq_buffer_init(&t2, NULL);
    CHECK(idbpq_tjson_write(v, &t1) == IDBPQ_OK);
    idbpq_value *v2 = NULL;
    CHECK(idbpq_tjson_parse(b, (const char *)t1.data, t1.len, &v2, &err) == IDBPQ_OK);
    CHECK(idbpq_value_equal(v, v2));
    uint8_t h1[16], h2[16];
    idbpq_value_hash(v, h1);
    idbpq_value_hash(v2, h2);
    CHECK(memcmp(h1, h2, 16) == 0);
    CHECK(idbpq_tjson_write(v2, &t2) == IDBPQ_OK);
    CHECK(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0);
    /* Through V8's format, where it holds the value whole: Blob and File contents live outside
     * the serialized bytes, and other host objects depend on Blink's version. */
    int external = 0;
    static const char *const tags[] = {"\"$blob\"", "\"$file\"", "\"$filelist\"", "\"$host\""};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        for (size_t k = 0, n = strlen(tags[i]); k + n <= t1.len && !external; k++)
            external = memcmp(t1.data + k, tags[i], n) == 0;
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    idbpq_buffer wire;
    idbpq_buffer_init(&wire, NULL);
    if (!external && idbpq_v8_encode(v, &o, &wire, &err) == IDBPQ_OK) {
        idbpq_value *v3 = NULL;
        CHECK(idbpq_v8_decode(b, wire.data, wire.len, &o, &v3, &err) == IDBPQ_OK);
        CHECK(idbpq_value_equal(v, v3));
    }
    idbpq_buffer_free(&wire);
    idbpq_buffer_free(&t1);
    idbpq_buffer_free(&t2);
    idbpq_vbatch_free(b);
    return 0;
}
