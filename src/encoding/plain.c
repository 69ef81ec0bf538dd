/*
 * plain.c — the PLAIN encoding (Encodings.md "Plain"): fixed-width values little-endian back
 * to back (INT96 12 bytes, FIXED_LEN_BYTE_ARRAY type_length bytes), BOOLEAN bit-packed one
 * bit per value LSB first, BYTE_ARRAY as a 4-byte little-endian length then the bytes.
 * Decoded byte arrays point into the input, so decoding them copies nothing.
 */
#include "encoding/encoding.h"

static idbpq_status plain_short(struct idbpq__err *err, const char *what, size_t n,
                                size_t need, size_t have)
{
    return idbpq__fail(err, IDBPQ_CORRUPT,
                       "PLAIN %s at offset %zu: %zu values need %zu bytes, only %zu present",
                       what, have, n, need, have);
}

static idbpq_status plain_byte_arrays(const uint8_t *p, size_t nbytes, size_t n,
                                      idbpq_bytes *out, size_t *consumed,
                                      struct idbpq__err *err)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (IDBPQ__UNLIKELY(nbytes - pos < 4))
            return idbpq__fail(err, IDBPQ_CORRUPT,
                               "PLAIN BYTE_ARRAY value %zu at offset %zu: length truncated "
                               "(%zu bytes left)", i, pos, nbytes - pos);
        uint32_t len = idbpq__le32(p + pos);
        pos += 4;
        if (IDBPQ__UNLIKELY(len > nbytes - pos))
            return idbpq__fail(err, IDBPQ_CORRUPT,
                               "PLAIN BYTE_ARRAY value %zu at offset %zu: length %u exceeds "
                               "the %zu bytes left", i, pos - 4, len, nbytes - pos);
        out[i].ptr = p + pos;
        out[i].len = len;
        pos += len;
    }
    *consumed = pos;
    return IDBPQ_OK;
}

idbpq_status idbpq__plain_decode(int type, int32_t type_length, const uint8_t *p, size_t nbytes,
                                 size_t n, void *out, size_t *consumed, struct idbpq__err *err)
{
    if (type == IDBPQ_BYTE_ARRAY) return plain_byte_arrays(p, nbytes, n, out, consumed, err);
    if (type == IDBPQ_BOOLEAN) {
        size_t need = n / 8 + (n % 8 != 0);
        if (need > nbytes) return plain_short(err, "BOOLEAN", n, need, nbytes);
        uint8_t *o = out;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            unsigned b = p[i / 8];
            o[i + 0] = b & 1; o[i + 1] = (b >> 1) & 1; o[i + 2] = (b >> 2) & 1;
            o[i + 3] = (b >> 3) & 1; o[i + 4] = (b >> 4) & 1; o[i + 5] = (b >> 5) & 1;
            o[i + 6] = (b >> 6) & 1; o[i + 7] = (b >> 7) & 1;
        }
        for (; i < n; i++) o[i] = (p[i / 8] >> (i % 8)) & 1;
        *consumed = need;
        return IDBPQ_OK;
    }
    size_t w = idbpq__value_width(type, type_length);
    if (w == 0)
        return idbpq__fail(err, IDBPQ_CORRUPT, "PLAIN: type %d with type_length %d has no width",
                           type, (int)type_length);
    if (n > nbytes / w) return plain_short(err, "values", n, n > SIZE_MAX / w ? SIZE_MAX : n * w,
                                           nbytes);
    memcpy(out, p, n * w);
    *consumed = n * w;
    return IDBPQ_OK;
}

idbpq_status idbpq__plain_encode(int type, int32_t type_length, const void *values, size_t n,
                                 struct idbpq__buf *out)
{
    if (type == IDBPQ_BYTE_ARRAY) {
        const idbpq_bytes *v = values;
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i].len > SIZE_MAX - 4 - total) return IDBPQ_NOMEM;
            total += 4 + (size_t)v[i].len;
        }
        IDBPQ__TRY(idbpq__buf_reserve(out, total));
        uint8_t *o = out->p + out->len;
        for (size_t i = 0; i < n; i++) {
            idbpq__st_le32(o, v[i].len);
            if (v[i].len) memcpy(o + 4, v[i].ptr, v[i].len);
            o += 4 + (size_t)v[i].len;
        }
        out->len += total;
        return IDBPQ_OK;
    }
    if (type == IDBPQ_BOOLEAN) {
        const uint8_t *v = values;
        size_t need = n / 8 + (n % 8 != 0);
        IDBPQ__TRY(idbpq__buf_reserve(out, need));
        uint8_t *o = out->p + out->len;
        size_t i = 0;
        for (; i + 8 <= n; i += 8)
            o[i / 8] = (uint8_t)((v[i] != 0) | (v[i + 1] != 0) << 1 | (v[i + 2] != 0) << 2 |
                                 (v[i + 3] != 0) << 3 | (v[i + 4] != 0) << 4 |
                                 (v[i + 5] != 0) << 5 | (v[i + 6] != 0) << 6 |
                                 (v[i + 7] != 0) << 7);
        if (i < n) {
            uint8_t b = 0;
            for (size_t j = i; j < n; j++) b |= (uint8_t)((v[j] != 0) << (j - i));
            o[i / 8] = b;
        }
        out->len += need;
        return IDBPQ_OK;
    }
    size_t w = idbpq__value_width(type, type_length);
    if (w == 0) return IDBPQ_INVALID_ARG;
    if (n > SIZE_MAX / w) return IDBPQ_NOMEM;
    return idbpq__buf_append(out, values, n * w);
}
