/*
 * fuzz.h — what every fuzz target shares: CHECK (a property that must hold: print where and
 * abort, so libFuzzer and the replay runner both report it), an allocation that cannot fail
 * quietly, and the entry point's prototype. Included by fuzz/fuzz_*.c only.
 */
#ifndef IDBPQ_FUZZ_H
#define IDBPQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* malloc that aborts instead of returning NULL (never asked for 0 bytes). */
static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
