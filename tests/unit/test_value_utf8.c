/*
 * test_value_utf8.c — idbpq__str_to_utf8 (with its 8- and 4-unit ASCII fast paths) against
 * a plain unit-by-unit conversion written here, on seeded random one-byte and two-byte
 * strings: ASCII runs of every length around the word size, Latin-1, BMP, surrogate pairs
 * and lone surrogates.
 */
#include "test.h"

#include "value/value.h"

static size_t reference(const idbpq_str *s, uint8_t *out, int *lone)
{
    size_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        uint32_t c = s->two_byte ? ((const uint16_t *)s->data)[i] : ((const uint8_t *)s->data)[i];
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < s->len && s->two_byte) {
            uint32_t d = ((const uint16_t *)s->data)[i + 1];
            if (d >= 0xdc00 && d < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                i++;
            }
        }
        if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
            *lone = 1;
        }
        if (c < 0x80) {
            out[n++] = (uint8_t)c;
        } else if (c < 0x800) {
            out[n++] = (uint8_t)(0xc0 | c >> 6);
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        } else if (c < 0x10000) {
            out[n++] = (uint8_t)(0xe0 | c >> 12);
            out[n++] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        } else {
            out[n++] = (uint8_t)(0xf0 | c >> 18);
            out[n++] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
            out[n++] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
            out[n++] = (uint8_t)(0x80 | (c & 0x3f));
        }
    }
    return n;
}

TEST(value_str_to_utf8_fast_paths)
{
    uint64_t st = idbpq_test_seed() ^ 0x757466;
    static uint16_t u16[80];
    static uint8_t u8[80], a[80 * 3], b[80 * 3];
    for (int round = 0; round < 20000; round++) {
        uint32_t len = (uint32_t)(idbpq_test_rand(&st) % 40);
        int two = round & 1;
        for (uint32_t i = 0; i < len; i++) {
            uint64_t r = idbpq_test_rand(&st);
            uint32_t kind = (uint32_t)(r % 16), c;
            if (kind < 11) c = 0x20 + (uint32_t)(r >> 8) % 0x5f;           /* ASCII, mostly */
            else if (kind < 13) c = 0x80 + (uint32_t)(r >> 8) % 0x80;      /* Latin-1 */
            else if (kind == 13) c = 0x100 + (uint32_t)(r >> 8) % 0xd700;  /* BMP */
            else c = 0xd800 + (uint32_t)(r >> 8) % 0x800;                  /* surrogates */
            if (!two) c &= 0xff;
            u16[i] = (uint16_t)c;
            u8[i] = (uint8_t)c;
        }
        idbpq_str s = {two ? (const void *)u16 : (const void *)u8, len, (uint8_t)two};
        int la = 0, lb = 0;
        size_t na = idbpq__str_to_utf8(&s, a, &la), nb = reference(&s, b, &lb);
        if (na != nb || memcmp(a, b, na) || la != lb) {
            CHECK(na == nb);
            CHECK(la == lb);
            CHECK(memcmp(a, b, na < nb ? na : nb) == 0);
            return;
        }
    }
}
