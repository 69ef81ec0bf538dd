/*
 * fuzz_v8.c — the V8 ValueSerializer decoder (src/value/v8_decode.c, blink.c) on hostile input.
 *
 * Byte 0 chooses the options: bits 0-1 the flags (0 bare V8 as Node writes it, 1
 * IDBPQ_V8_BLINK, 2 IDBPQ_V8_AUTO), bit 2 a small max_depth (20), bit 3 a small max_bytes
 * (4 KiB). The rest is the serialized value. Properties:
 *   1. decoding never crashes, leaks or reads out of bounds, and a failure sets a message;
 *   2. when decoding succeeds, encoding succeeds (with the same envelope choice; the one
 *      exception: kept ImageData/ImageBitmap bytes outside a Blink v18+ envelope) and
 *      decoding that gives a value equal to the first (idbpq_value_equal);
 *   3. encoding is deterministic: the second decode encodes to the same bytes.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.flags = data[0] & 3;
    if (o.flags == 3) o.flags = IDBPQ_V8_AUTO;
    if (data[0] & 4) o.max_depth = 20;
    if (data[0] & 8) o.max_bytes = 4096;
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 0;
    idbpq_value *v = NULL, *v2 = NULL, *v3 = NULL;
    idbpq_error err;
    idbpq_status st = idbpq_v8_decode(b, data + 1, size - 1, &o, &v, &err);
    if (st != IDBPQ_OK) {
        CHECK(v == NULL);
        CHECK(err.status == st);
        CHECK(memchr(err.msg, 0, sizeof err.msg) && err.msg[0]);
        CHECK(err.offset <= size);
        idbpq_vbatch_free(b);
        return 0;
    }
    CHECK(v != NULL);
    /* Re-encoding may be deeper than a small max_depth allows only if decoding was. */
    idbpq_v8_opts eo = o;
    eo.flags = o.flags & IDBPQ_V8_BLINK;
    eo.max_bytes = 0;
    idbpq_v8_opts dopts = eo;
    idbpq_buffer e1, e2;
    idbpq_buffer_init(&e1, NULL);
    idbpq_buffer_init(&e2, NULL);
    st = idbpq_v8_encode(v, &eo, &e1, &err);
    if (st == IDBPQ_INVALID_ARG && strstr(err.msg, "needs Blink's envelope")) {
        /* Documented: kept ImageData/ImageBitmap bytes need a v18+ Blink envelope. */
        idbpq_buffer_free(&e1);
        idbpq_vbatch_free(b);
        return 0;
    }
    if (st != IDBPQ_OK) fprintf(stderr, "encode: %s\n", err.msg);
    CHECK(st == IDBPQ_OK);
    st = idbpq_v8_decode(b, e1.data, e1.len, &dopts, &v2, &err);
    if (st != IDBPQ_OK) fprintf(stderr, "decode again: %s at %llu\n", err.msg,
                                (unsigned long long)err.offset);
    CHECK(st == IDBPQ_OK);
    CHECK(idbpq_value_equal(v, v2));
    CHECK(idbpq_v8_encode(v2, &eo, &e2, &err) == IDBPQ_OK);
    CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
    CHECK(idbpq_v8_decode(b, e2.data, e2.len, &dopts, &v3, &err) == IDBPQ_OK);
    idbpq_buffer_free(&e1);
    idbpq_buffer_free(&e2);
    idbpq_vbatch_free(b);
    return 0;
}
