/*
 * buffer.c — the public growable byte buffer (idbpq_buffer) that stateless encoders append
 * to. It has the same shape as the internal struct idbpq__buf, so internal code may borrow
 * the idbpq__buf helpers by copying the four fields in and out.
 */
#include "common/common.h"

void idbpq_buffer_init(idbpq_buffer *b, const idbpq_allocator *alc)
{
    if (!b) return;
    b->data = NULL;
    b->len = b->cap = 0;
    b->alc = alc;
}

void idbpq_buffer_free(idbpq_buffer *b)
{
    if (!b) return;
    idbpq__free(b->alc, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

const idbpq_kv *idbpq__kv_get(const idbpq_kv *kv, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = n; i-- > 0;)
        if (kv[i].key.len == kl && (!kl || memcmp(kv[i].key.ptr, key, kl) == 0)) return &kv[i];
    return NULL;
}
