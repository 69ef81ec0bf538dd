/*
 * test_idb_shim.h — weak stand-ins for the value batch and idbpq_buffer (src/value/vbatch.c,
 * src/common/buffer.c) so the key tests link while those land; the library's own
 * definitions override these whenever they are linked. Remove once both are committed.
 */
#ifndef IDBPQ_TEST_IDB_SHIM_H
#define IDBPQ_TEST_IDB_SHIM_H

#include <stdlib.h>
#include <string.h>

#define IDBPQ_SHIM_ __attribute__((weak))

struct idbpq_shim_blk { struct idbpq_shim_blk *next; max_align_t pad[]; };
struct idbpq_vbatch_shim_ { struct idbpq_shim_blk *head; };

IDBPQ_SHIM_ idbpq_status idbpq_vbatch_create(idbpq_vbatch **out, const idbpq_allocator *alc)
{
    (void)alc;
    *out = calloc(1, sizeof(struct idbpq_vbatch_shim_));
    return *out ? IDBPQ_OK : IDBPQ_NOMEM;
}
IDBPQ_SHIM_ void idbpq_vbatch_free(idbpq_vbatch *b)
{
    struct idbpq_vbatch_shim_ *s = (struct idbpq_vbatch_shim_ *)b;
    if (!s) return;
    while (s->head) { struct idbpq_shim_blk *n = s->head->next; free(s->head); s->head = n; }
    free(s);
}
IDBPQ_SHIM_ void *idbpq_vbatch_alloc(idbpq_vbatch *b, size_t n)
{
    struct idbpq_vbatch_shim_ *s = (struct idbpq_vbatch_shim_ *)b;
    struct idbpq_shim_blk *k = calloc(1, sizeof *k + n);
    if (!k) return NULL;
    k->next = s->head;
    s->head = k;
    return k->pad;
}
IDBPQ_SHIM_ idbpq_value *idbpq_value_new(idbpq_vbatch *b, idbpq_vtype type)
{
    idbpq_value *v = idbpq_vbatch_alloc(b, sizeof *v);
    if (v) v->type = (uint8_t)type;
    return v;
}
IDBPQ_SHIM_ idbpq_value *idbpq_value_number(idbpq_vbatch *b, double d)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_NUMBER);
    if (v) v->u.number = d;
    return v;
}
/* ASCII only in the shim. */
IDBPQ_SHIM_ idbpq_value *idbpq_value_string_utf8(idbpq_vbatch *b, const char *s, size_t n)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    char *d = idbpq_vbatch_alloc(b, n + 1);
    if (!v || !d) return NULL;
    memcpy(d, s, n);
    v->u.str.data = d;
    v->u.str.len = (uint32_t)n;
    return v;
}
IDBPQ_SHIM_ void idbpq_buffer_init(idbpq_buffer *b, const idbpq_allocator *alc)
{
    memset(b, 0, sizeof *b);
    b->alc = alc;
}
IDBPQ_SHIM_ void idbpq_buffer_free(idbpq_buffer *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

#endif
