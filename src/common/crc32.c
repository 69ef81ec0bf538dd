/*
 * crc32.c — the CRC-32 Parquet uses for page checksums. zlib already ships a fast,
 * well-tested implementation (and zlib is a dependency for GZIP), so we use it.
 */
#include "common/common.h"

#include <zlib.h>

uint32_t idbpq__crc32(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = (uint32_t)crc32(crc, b, chunk);
        b += chunk;
        n -= chunk;
    }
    return crc;
}
