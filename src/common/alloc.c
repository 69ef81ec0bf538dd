/*
 * alloc.c — allocation through the caller's hooks (libc when none), buffers and arenas.
 * The only file in src/ that calls malloc/realloc/free directly.
 */
#include "common/common.h"

#include <stdlib.h>

static void *libc_malloc(void *ctx, size_t n) { (void)ctx; return malloc(n ? n : 1); }
static void *libc_realloc(void *ctx, void *p, size_t o, size_t n)
{
    (void)ctx;
    (void)o;
    return realloc(p, n ? n : 1);
}
static void libc_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}
static const idbpq_allocator libc_alc = {libc_malloc, libc_realloc, libc_free, NULL};

const idbpq_allocator *idbpq__alc(const idbpq_allocator *alc) { return alc ? alc : &libc_alc; }

void *idbpq__malloc(const idbpq_allocator *alc, size_t n)
{
    alc = idbpq__alc(alc);
    return alc->malloc(alc->ctx, n);
}

void *idbpq__calloc(const idbpq_allocator *alc, size_t n)
{
    void *p = idbpq__malloc(alc, n);
    if (p) memset(p, 0, n);
    return p;
}

void *idbpq__realloc(const idbpq_allocator *alc, void *p, size_t old_n, size_t new_n)
{
    alc = idbpq__alc(alc);
    if (!p) return alc->malloc(alc->ctx, new_n);
    return alc->realloc(alc->ctx, p, old_n, new_n);
}

void idbpq__free(const idbpq_allocator *alc, void *p, size_t n)
{
    if (!p) return;
    alc = idbpq__alc(alc);
    alc->free(alc->ctx, p, n);
}

char *idbpq__strndup(const idbpq_allocator *alc, const char *s, size_t n)
{
    if (n == SIZE_MAX) n = strlen(s);
    char *d = idbpq__malloc(alc, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- buffers ---- */

void idbpq__buf_init(struct idbpq__buf *b, const idbpq_allocator *alc)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->alc = idbpq__alc(alc);
}

void idbpq__buf_free(struct idbpq__buf *b)
{
    idbpq__free(b->alc, b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

idbpq_status idbpq__buf_reserve(struct idbpq__buf *b, size_t extra)
{
    /* Even a reservation of 0 allocates, so that b->p + b->len is never NULL + 0. */
    if (extra <= b->cap - b->len && b->p) return IDBPQ_OK;
    if (extra > SIZE_MAX / 2 - b->len) return IDBPQ_NOMEM;
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want) cap *= 2;
    uint8_t *p = idbpq__realloc(b->alc, b->p, b->cap, cap);
    if (!p) return IDBPQ_NOMEM;
    b->p = p;
    b->cap = cap;
    return IDBPQ_OK;
}

idbpq_status idbpq__buf_append(struct idbpq__buf *b, const void *p, size_t n)
{
    if (!n) return IDBPQ_OK;
    IDBPQ__TRY(idbpq__buf_reserve(b, n));
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return IDBPQ_OK;
}

idbpq_status idbpq__buf_push(struct idbpq__buf *b, uint8_t byte)
{
    IDBPQ__TRY(idbpq__buf_reserve(b, 1));
    b->p[b->len++] = byte;
    return IDBPQ_OK;
}

idbpq_status idbpq__buf_uleb(struct idbpq__buf *b, uint64_t v)
{
    IDBPQ__TRY(idbpq__buf_reserve(b, 10));
    while (v >= 0x80) {
        b->p[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (uint8_t)v;
    return IDBPQ_OK;
}

int idbpq__read_uleb(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end) return -1;
        uint8_t c = *p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *pp = p;
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* ---- arenas ---- */

struct idbpq__arena_block {
    struct idbpq__arena_block *next;
    size_t size; /* usable bytes after the header */
};

#define ARENA_HDR ((sizeof(struct idbpq__arena_block) + 15) & ~(size_t)15)

void idbpq__arena_init(struct idbpq__arena *a, const idbpq_allocator *alc)
{
    a->head = NULL;
    a->used_in_head = 0;
    a->total = 0;
    a->alc = idbpq__alc(alc);
}

void *idbpq__arena_alloc(struct idbpq__arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->size - a->used_in_head < n) {
        size_t size = a->head ? a->head->size * 2 : 4096;
        if (size > (1u << 20)) size = 1u << 20;
        if (size < n) size = n;
        if (size > SIZE_MAX - ARENA_HDR) return NULL;
        struct idbpq__arena_block *blk = idbpq__malloc(a->alc, ARENA_HDR + size);
        if (!blk) return NULL;
        blk->next = a->head;
        blk->size = size;
        a->head = blk;
        a->used_in_head = 0;
    }
    void *p = (uint8_t *)a->head + ARENA_HDR + a->used_in_head;
    a->used_in_head += n;
    a->total += n;
    return p;
}

void idbpq__arena_reset(struct idbpq__arena *a)
{
    /* Keep the largest (most recent) block; it is the one sized for the workload. */
    if (a->head) {
        struct idbpq__arena_block *b = a->head->next;
        while (b) {
            struct idbpq__arena_block *n = b->next;
            idbpq__free(a->alc, b, ARENA_HDR + b->size);
            b = n;
        }
        a->head->next = NULL;
    }
    a->used_in_head = 0;
    a->total = 0;
}

void idbpq__arena_free(struct idbpq__arena *a)
{
    struct idbpq__arena_block *b = a->head;
    while (b) {
        struct idbpq__arena_block *n = b->next;
        idbpq__free(a->alc, b, ARENA_HDR + b->size);
        b = n;
    }
    a->head = NULL;
    a->used_in_head = 0;
    a->total = 0;
}

char *idbpq__arena_strndup(struct idbpq__arena *a, const char *s, size_t n)
{
    char *d = idbpq__arena_alloc(a, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}
