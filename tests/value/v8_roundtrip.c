/*
 * v8_roundtrip.c — the C side of the V8 oracle (tests/value/v8_oracle.mjs): reads records
 * ([u32 LE length][V8 bytes])* from argv[1], decodes each with idbpq_v8_decode, encodes the
 * value again with idbpq_v8_encode, decodes that too and compares the two values with
 * idbpq_value_equal. Writes per record to argv[2]: [u8 status][u8 equal][u32 LE length][bytes]
 * (the re-encoding, or the error message when status is not 0). argv[3], if given, is "blink"
 * to decode and encode with IDBPQ_V8_BLINK.
 */
#include "idbpq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: v8_roundtrip IN OUT [blink]\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    if (!in || !out) {
        perror("open");
        return 2;
    }
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.flags = argc > 3 && !strcmp(argv[3], "blink") ? IDBPQ_V8_BLINK : 0;
    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 2;
    uint8_t hdr[4];
    uint8_t *buf = NULL;
    size_t cap = 0;
    unsigned long n = 0;
    while (fread(hdr, 1, 4, in) == 4) {
        uint32_t len = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint32_t)hdr[3] << 24;
        if (len > cap) {
            cap = len * 2 + 16;
            buf = realloc(buf, cap);
            if (!buf) return 2;
        }
        if (fread(buf, 1, len, in) != len) return 2;
        idbpq_vbatch_reset(b);
        idbpq_value *v = NULL, *v2 = NULL;
        idbpq_error err;
        idbpq_buffer enc;
        idbpq_buffer_init(&enc, NULL);
        idbpq_status st = idbpq_v8_decode(b, buf, len, &o, &v, &err);
        if (st == IDBPQ_OK) st = idbpq_v8_encode(v, &o, &enc, &err);
        int eq = 0;
        if (st == IDBPQ_OK) {
            idbpq_error e2;
            if (idbpq_v8_decode(b, enc.data, enc.len, &o, &v2, &e2) == IDBPQ_OK)
                eq = idbpq_value_equal(v, v2);
        }
        fputc(st, out);
        fputc(eq, out);
        if (st == IDBPQ_OK) {
            put32(out, (uint32_t)enc.len);
            fwrite(enc.data, 1, enc.len, out);
        } else {
            char msg[400];
            int m = snprintf(msg, sizeof msg, "%s at offset %llu: %s", idbpq_status_name(st),
                             (unsigned long long)err.offset, err.msg);
            put32(out, (uint32_t)m);
            fwrite(msg, 1, (size_t)m, out);
        }
        idbpq_buffer_free(&enc);
        n++;
    }
    free(buf);
    idbpq_vbatch_free(b);
    fclose(in);
    fclose(out);
    fprintf(stderr, "# v8_roundtrip: %lu records\n", n);
    return 0;
}
