/*
 * ldbr_crc32c.c — CRC-32C (Castagnoli), which LevelDB stores (masked) for every log record and
 * table block. Every block the reader uses is checked, so this sits on the hot path of a full
 * scan: the SSE4.2 crc32 instruction when the CPU has it (chosen once, at load time), else a
 * slicing-by-8 table (eight bytes per step instead of one).
 */
#include "stores/leveldb.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define LDBR_HW_CRC 1
#endif

#define POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t tab[8][256];

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n && ((uintptr_t)p & 7)) {
        c = tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        n--;
    }
    while (n >= 8) {
        uint32_t lo = c ^ idbpq__le32(p), hi = idbpq__le32(p + 4);
        c = tab[7][lo & 0xff] ^ tab[6][(lo >> 8) & 0xff] ^ tab[5][(lo >> 16) & 0xff] ^
            tab[4][lo >> 24] ^ tab[3][hi & 0xff] ^ tab[2][(hi >> 8) & 0xff] ^
            tab[1][(hi >> 16) & 0xff] ^ tab[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

#ifdef LDBR_HW_CRC
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n && ((uintptr_t)p & 7)) {
        c = _mm_crc32_u8(c, *p++);
        n--;
    }
    uint64_t c64 = c;
    while (n >= 8) {
        c64 = _mm_crc32_u64(c64, idbpq__le64(p));
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

static uint32_t (*crc_fn)(uint32_t, const uint8_t *, size_t) = crc_sw;

/* Runs when the object is linked in, before main: no lazy initialisation to race on. */
__attribute__((constructor)) static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (POLY & (0u - (c & 1)));
        tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int s = 1; s < 8; s++) tab[s][i] = (tab[s - 1][i] >> 8) ^ tab[0][tab[s - 1][i] & 0xff];
#ifdef LDBR_HW_CRC
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) crc_fn = crc_hw;
#endif
}

uint32_t idbpq__crc32c(uint32_t crc, const void *p, size_t n)
{
    return ~crc_fn(~crc, (const uint8_t *)p, n);
}
