/*
 * bitpack.c — LSB-first bit packing and unpacking (Encodings.md, "Bit-packed" part of the
 * RLE/bit-packed hybrid, also used by DELTA_BINARY_PACKED miniblocks), the deprecated MSB-first
 * BIT_PACKED level encoding, and the value widths of the physical types.
 *
 * Unpacking is the hottest loop of dictionary-index and level decoding, so whole groups of 32
 * values (exactly 4*bw bytes, word aligned within the group) go through code specialised per
 * bit width: one always-inlined body, instantiated for every constant width by a switch.
 */
#include "encoding/encoding.h"

size_t idbpq__value_width(int type, int32_t type_length)
{
    switch (type) {
    case IDBPQ_BOOLEAN: return 1;
    case IDBPQ_INT32: return 4;
    case IDBPQ_FLOAT: return 4;
    case IDBPQ_INT64: return 8;
    case IDBPQ_DOUBLE: return 8;
    case IDBPQ_INT96: return 12;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY: return type_length > 0 ? (size_t)type_length : 0;
    default: return 0;
    }
}

/* ---- unpacking ------------------------------------------------------------------------------ */

/* 32 values of BW bits from 4*BW bytes. Value i starts at bit i*BW; it lies in 32-bit word
 * (i*BW)/32 and, when it crosses the word boundary, continues in the next one. With BW a
 * constant every branch below folds away once the loop is unrolled. */
IDBPQ__INLINE void unpack32_block(const uint8_t *in, uint32_t *out, const int bw)
{
    const uint32_t mask = bw == 32 ? 0xffffffffu : ((1u << bw) - 1u);
#pragma GCC unroll 32
    for (int i = 0; i < 32; i++) {
        const int bit = i * bw, w = bit >> 5, off = bit & 31;
        uint32_t v = idbpq__le32(in + 4 * w) >> off;
        if (off + bw > 32) v |= idbpq__le32(in + 4 * (w + 1)) << (32 - off);
        out[i] = v & mask;
    }
}

IDBPQ__INLINE void unpack64_block(const uint8_t *in, uint64_t *out, const int bw)
{
    const uint64_t mask = bw == 64 ? ~(uint64_t)0 : (((uint64_t)1 << bw) - 1u);
#pragma GCC unroll 32
    for (int i = 0; i < 32; i++) {
        const int bit = i * bw, w = bit >> 5, off = bit & 31;
        uint64_t v = idbpq__le32(in + 4 * w) >> off;
        if (off + bw > 32) v |= (uint64_t)idbpq__le32(in + 4 * (w + 1)) << (32 - off);
        if (off + bw > 64) v |= (uint64_t)idbpq__le32(in + 4 * (w + 2)) << (64 - off);
        out[i] = v & mask;
    }
}

#define CASE32(B)                                                              \
    case B:                                                                    \
        for (size_t g = 0; g < groups; g++) unpack32_block(in + g * 4 * B, out + g * 32, B); \
        break;
#define CASE64(B)                                                              \
    case B:                                                                    \
        for (size_t g = 0; g < groups; g++) unpack64_block(in + g * 4 * B, out + g * 32, B); \
        break;
#define CASES_1_32(C)                                                                     \
    C(1) C(2) C(3) C(4) C(5) C(6) C(7) C(8) C(9) C(10) C(11) C(12) C(13) C(14) C(15) C(16) \
    C(17) C(18) C(19) C(20) C(21) C(22) C(23) C(24) C(25) C(26) C(27) C(28) C(29) C(30)   \
    C(31) C(32)
#define CASES_33_64(C)                                                                    \
    C(33) C(34) C(35) C(36) C(37) C(38) C(39) C(40) C(41) C(42) C(43) C(44) C(45) C(46)   \
    C(47) C(48) C(49) C(50) C(51) C(52) C(53) C(54) C(55) C(56) C(57) C(58) C(59) C(60)   \
    C(61) C(62) C(63) C(64)

static void unpack32_groups(const uint8_t *in, int bw, uint32_t *out, size_t groups)
{
    switch (bw) {
    CASES_1_32(CASE32)
    default: break;
    }
}

static void unpack64_groups(const uint8_t *in, int bw, uint64_t *out, size_t groups)
{
    switch (bw) {
    CASES_1_32(CASE64)
    CASES_33_64(CASE64)
    default: break;
    }
}

void idbpq__unpack32(const uint8_t *in, int bw, uint32_t *out, size_t n)
{
    if (bw <= 0 || bw > 32) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    size_t groups = n / 32, rest = n % 32;
    unpack32_groups(in, bw, out, groups);
    if (rest) {
        /* The tail holds ceil(rest*bw/8) bytes only: copy them into a zero-padded group so
         * the fixed-size code never reads past the caller's input. */
        uint8_t tmp[4 * 32];
        uint32_t vals[32];
        size_t have = (rest * (size_t)bw + 7) / 8;
        memcpy(tmp, in + groups * 4 * (size_t)bw, have);
        memset(tmp + have, 0, sizeof tmp - have);
        unpack32_groups(tmp, bw, vals, 1);
        memcpy(out + groups * 32, vals, rest * sizeof *out);
    }
}

void idbpq__unpack64(const uint8_t *in, int bw, uint64_t *out, size_t n)
{
    if (bw <= 0 || bw > 64) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    size_t groups = n / 32, rest = n % 32;
    unpack64_groups(in, bw, out, groups);
    if (rest) {
        uint8_t tmp[4 * 64];
        uint64_t vals[32];
        size_t have = (rest * (size_t)bw + 7) / 8;
        memcpy(tmp, in + groups * 4 * (size_t)bw, have);
        memset(tmp + have, 0, sizeof tmp - have);
        unpack64_groups(tmp, bw, vals, 1);
        memcpy(out + groups * 32, vals, rest * sizeof *out);
    }
}

/* ---- packing (writer side) -------------------------------------------------------------------- */

/* A 64-bit accumulator: whenever 64 bits are full they are stored; since n is a multiple of 8
 * the final remainder is a whole number of bytes and exactly n*bw/8 bytes are written. */
void idbpq__pack64(uint8_t *out, int bw, const uint64_t *in, size_t n)
{
    if (bw <= 0) return;
    const uint64_t mask = bw >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bw) - 1u);
    uint64_t acc = 0;
    int nb = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in[i] & mask;
        acc |= v << nb;
        if (nb + bw >= 64) {
            idbpq__st_le64(out, acc);
            out += 8;
            acc = nb ? v >> (64 - nb) : 0;
            nb = nb + bw - 64;
        } else {
            nb += bw;
        }
    }
    for (int i = 0; i < nb; i += 8) *out++ = (uint8_t)(acc >> i);
}

void idbpq__pack32(uint8_t *out, int bw, const uint32_t *in, size_t n)
{
    if (bw <= 0) return;
    const uint64_t mask = bw >= 32 ? 0xffffffffu : ((1u << bw) - 1u);
    uint64_t acc = 0;
    int nb = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in[i] & mask;
        acc |= v << nb;
        nb += bw;
        if (nb >= 32) {
            idbpq__st_le32(out, (uint32_t)acc);
            out += 4;
            acc >>= 32;
            nb -= 32;
        }
    }
    for (int i = 0; i < nb; i += 8) *out++ = (uint8_t)(acc >> i);
}

/* ---- deprecated BIT_PACKED levels ------------------------------------------------------------- */

/* Encodings.md "Bit-packed (Deprecated)": values packed from the most significant bit of the
 * first byte down, with no header; n values take ceil(n*bw/8) bytes. */
idbpq_status idbpq__bitpacked_legacy_decode(const uint8_t *p, size_t nbytes, int bw,
                                            uint16_t *out, size_t n, struct idbpq__err *err)
{
    if (bw < 0 || bw > 16)
        return idbpq__fail(err, IDBPQ_CORRUPT, "BIT_PACKED levels: bit width %d out of range",
                           bw);
    if (bw == 0) {
        memset(out, 0, n * sizeof *out);
        return IDBPQ_OK;
    }
    if (n > (SIZE_MAX - 7) / (size_t)bw || (n * (size_t)bw + 7) / 8 > nbytes)
        return idbpq__fail(err, IDBPQ_CORRUPT,
                           "BIT_PACKED levels at offset 0: %zu values of %d bits need more "
                           "than the %zu bytes present", n, bw, nbytes);
    const uint32_t mask = (1u << bw) - 1u;
    size_t bit = 0;
    for (size_t i = 0; i < n; i++, bit += (size_t)bw) {
        size_t byte = bit >> 3;
        int off = (int)(bit & 7);
        /* A value spans at most 3 bytes (off <= 7, bw <= 16); bytes past the end are 0. */
        uint32_t w = (uint32_t)p[byte] << 16;
        if (byte + 1 < nbytes) w |= (uint32_t)p[byte + 1] << 8;
        if (byte + 2 < nbytes) w |= p[byte + 2];
        out[i] = (uint16_t)((w >> (24 - off - bw)) & mask);
    }
    return IDBPQ_OK;
}
