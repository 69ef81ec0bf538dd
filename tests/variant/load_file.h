/*
 * load_file.h — a whole file into malloc'd memory through the library's file source, for the
 * VARIANT tests (tests/unit/test_variant.c and tests/variant/shredded_cases.c).
 */
#ifndef IDBPQ_TEST_LOAD_FILE_H
#define IDBPQ_TEST_LOAD_FILE_H

#include "idbpq.h"

#include <stdlib.h>

/* The bytes of path (free them), or NULL when it cannot be read. */
static inline uint8_t *load_file(const char *path, size_t *len)
{
    idbpq_file_source *f;
    idbpq_source src;
    if (idbpq_file_source_open(&f, path, &src, NULL, 0) != IDBPQ_OK) return NULL;
    uint8_t *p = malloc(src.size ? (size_t)src.size : 1);
    if (p && src.size && src.read_at(src.ctx, 0, p, (size_t)src.size) != IDBPQ_OK) {
        free(p);
        p = NULL;
    }
    *len = (size_t)src.size;
    idbpq_file_source_close(f);
    return p;
}

#endif
