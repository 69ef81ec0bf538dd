/*
 * fuzz_variant.c — the VARIANT decoder (src/mapping/variant_decode.c) on hostile input, and the
 * encoder on whatever it decodes.
 *
 * Byte 0: the reading flags (bits 0-3, IDBPQ__VAR_*). Bytes 1-2: the metadata's length n
 * (little-endian, cut to what is left). Then n bytes of metadata; the rest is the value.
 * Properties:
 *   1. decoding never crashes, leaks or reads out of bounds; a failure leaves no value and
 *      sets a message, with CORRUPT, UNSUPPORTED or LIMIT;
 *   2. a decoded value either encodes, or is refused as UNSUPPORTED (an invalid Date: a
 *      timestamp outside JavaScript's range) — and the buffers are left as they were;
 *   3. what encodes decodes again (binary in the same mode, decimals of scale 0 as BigInt) to
 *      an equal value (idbpq_value_equal), which encodes to the same bytes.
 */
#include "idbpq.h"
#include "mapping/variant.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    const uint32_t flags = data[0] & 15;
    size_t mlen = (size_t)data[1] | (size_t)data[2] << 8;
    if (mlen > size - 3) mlen = size - 3;
    const uint8_t *meta = data + 3, *val = meta + mlen;
    const size_t vlen = size - 3 - mlen;
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 0;
    idbpq_value *v = NULL, *v2 = NULL;
    struct idbpq__err err;
    memset(&err, 0, sizeof err);
    idbpq_status st = idbpq__variant_decode(b, meta, mlen, val, vlen, flags, &v, &err);
    if (st != IDBPQ_OK) {
        CHECK(v == NULL);
        CHECK(st == IDBPQ_CORRUPT || st == IDBPQ_UNSUPPORTED || st == IDBPQ_LIMIT);
        CHECK(err.status == st && err.msg[0]);
        idbpq_vbatch_free(b);
        return 0;
    }
    CHECK(v != NULL);
    const uint32_t eflags = flags & IDBPQ__VAR_UINT8ARRAY;
    struct idbpq__buf m1, v1, m2, w2;
    idbpq__buf_init(&m1, NULL);
    idbpq__buf_init(&v1, NULL);
    idbpq__buf_init(&m2, NULL);
    idbpq__buf_init(&w2, NULL);
    st = idbpq__variant_encode(v, eflags, 0, &m1, &v1, &err);
    if (st != IDBPQ_OK) {
        if (st != IDBPQ_UNSUPPORTED || !strstr(err.msg, "an invalid Date"))
            fprintf(stderr, "encode: %s\n", err.msg);
        CHECK(st == IDBPQ_UNSUPPORTED && strstr(err.msg, "an invalid Date"));
        CHECK(m1.len == 0 && v1.len == 0);
    } else {
        st = idbpq__variant_decode(b, m1.p, m1.len, v1.p, v1.len,
                                   eflags | IDBPQ__VAR_DECIMAL_BIGINT, &v2, &err);
        if (st != IDBPQ_OK) fprintf(stderr, "decode again: %s\n", err.msg);
        CHECK(st == IDBPQ_OK);
        CHECK(idbpq_value_equal(v, v2));
        CHECK(idbpq__variant_encode(v2, eflags, 0, &m2, &w2, &err) == IDBPQ_OK);
        CHECK(m1.len == m2.len && memcmp(m1.p, m2.p, m1.len) == 0);
        CHECK(v1.len == w2.len && memcmp(v1.p, w2.p, v1.len) == 0);
    }
    idbpq__buf_free(&m1);
    idbpq__buf_free(&v1);
    idbpq__buf_free(&m2);
    idbpq__buf_free(&w2);
    idbpq_vbatch_free(b);
    return 0;
}
