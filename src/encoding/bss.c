/*
 * bss.c — BYTE_STREAM_SPLIT (Encodings.md "Byte Stream Split"): for K-byte values, byte k of
 * every value goes to stream k, and the K streams are concatenated. It groups similar bytes
 * (exponents, high bytes) for the compressor. FLOAT/INT32 (K = 4) and DOUBLE/INT64 (K = 8)
 * have unrolled paths; any other width (FLOAT16, FIXED_LEN_BYTE_ARRAY) uses the generic loop.
 */
#include "encoding/encoding.h"

idbpq_status idbpq__bss_decode(const uint8_t *p, size_t nbytes, size_t width, void *out, size_t n,
                               struct idbpq__err *err)
{
    if (width == 0)
        return idbpq__fail(err, IDBPQ_CORRUPT, "BYTE_STREAM_SPLIT: value width 0");
    if (n > SIZE_MAX / width || n * width != nbytes)
        return idbpq__fail(err, IDBPQ_CORRUPT,
                           "BYTE_STREAM_SPLIT at offset 0: %zu bytes are not %zu values of "
                           "%zu bytes", nbytes, n, width);
    uint8_t *o = out;
    if (width == 4) {
        const uint8_t *s0 = p, *s1 = p + n, *s2 = p + 2 * n, *s3 = p + 3 * n;
        for (size_t i = 0; i < n; i++) {
            uint32_t v = (uint32_t)s0[i] | (uint32_t)s1[i] << 8 | (uint32_t)s2[i] << 16 |
                         (uint32_t)s3[i] << 24;
            idbpq__st_le32(o + 4 * i, v);
        }
    } else if (width == 8) {
        const uint8_t *s0 = p, *s1 = p + n, *s2 = p + 2 * n, *s3 = p + 3 * n;
        const uint8_t *s4 = p + 4 * n, *s5 = p + 5 * n, *s6 = p + 6 * n, *s7 = p + 7 * n;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = (uint64_t)s0[i] | (uint64_t)s1[i] << 8 | (uint64_t)s2[i] << 16 |
                         (uint64_t)s3[i] << 24 | (uint64_t)s4[i] << 32 |
                         (uint64_t)s5[i] << 40 | (uint64_t)s6[i] << 48 |
                         (uint64_t)s7[i] << 56;
            idbpq__st_le64(o + 8 * i, v);
        }
    } else {
        for (size_t k = 0; k < width; k++) {
            const uint8_t *s = p + k * n;
            uint8_t *d = o + k;
            for (size_t i = 0; i < n; i++) d[i * width] = s[i];
        }
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__bss_encode(const void *values, size_t width, size_t n, struct idbpq__buf *out)
{
    if (width == 0) return IDBPQ_INVALID_ARG;
    if (n > SIZE_MAX / width) return IDBPQ_NOMEM;
    IDBPQ__TRY(idbpq__buf_reserve(out, n * width));
    const uint8_t *v = values;
    uint8_t *p = out->p + out->len;
    if (width == 4) {
        uint8_t *s0 = p, *s1 = p + n, *s2 = p + 2 * n, *s3 = p + 3 * n;
        for (size_t i = 0; i < n; i++) {
            uint32_t x = idbpq__le32(v + 4 * i);
            s0[i] = (uint8_t)x; s1[i] = (uint8_t)(x >> 8);
            s2[i] = (uint8_t)(x >> 16); s3[i] = (uint8_t)(x >> 24);
        }
    } else if (width == 8) {
        uint8_t *s0 = p, *s1 = p + n, *s2 = p + 2 * n, *s3 = p + 3 * n;
        uint8_t *s4 = p + 4 * n, *s5 = p + 5 * n, *s6 = p + 6 * n, *s7 = p + 7 * n;
        for (size_t i = 0; i < n; i++) {
            uint64_t x = idbpq__le64(v + 8 * i);
            s0[i] = (uint8_t)x; s1[i] = (uint8_t)(x >> 8);
            s2[i] = (uint8_t)(x >> 16); s3[i] = (uint8_t)(x >> 24);
            s4[i] = (uint8_t)(x >> 32); s5[i] = (uint8_t)(x >> 40);
            s6[i] = (uint8_t)(x >> 48); s7[i] = (uint8_t)(x >> 56);
        }
    } else {
        for (size_t k = 0; k < width; k++) {
            uint8_t *s = p + k * n;
            const uint8_t *src = v + k;
            for (size_t i = 0; i < n; i++) s[i] = src[i * width];
        }
    }
    out->len += n * width;
    return IDBPQ_OK;
}
