/*
 * test_value_gen.h — a seeded generator of random JavaScript values for the value tests:
 * every type of the model, dense/holey/sparse arrays, extra properties, $-keys, numeric
 * keys, strings with lone surrogates, views sharing buffers, and shared and cyclic
 * references (containers join the pool before their children are made).
 */
#ifndef TEST_VALUE_GEN_H
#define TEST_VALUE_GEN_H

#include <math.h>

#include "test.h"
#include "value/value.h"

struct gen {
    uint64_t rs;
    idbpq_vbatch *b;
    idbpq_value *pool[64];    /* objects made so far: candidates for sharing and cycles */
    int n_pool;
    idbpq_value *buffers[16];
    int n_buffers;
};

static uint32_t g_rand(struct gen *g, uint32_t n) { return n ? (uint32_t)(idbpq_test_rand(&g->rs) % n) : 0; }

static void g_pool(struct gen *g, idbpq_value *v)
{
    if (g->n_pool < 64) g->pool[g->n_pool++] = v;
    else g->pool[g_rand(g, 64)] = v;
}

static idbpq_value *g_string(struct gen *g)
{
    uint32_t n = g_rand(g, 8);
    uint16_t u[8];
    int kind = (int)g_rand(g, 3);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = g_rand(g, 10);
        if (kind == 0 || r < 5) u[i] = (uint16_t)(0x20 + g_rand(g, 0x5f));
        else if (r < 7) u[i] = (uint16_t)g_rand(g, 0x100);
        else if (r < 8) u[i] = (uint16_t)(0xd800 + g_rand(g, 0x800)); /* surrogates, paired or not */
        else u[i] = (uint16_t)g_rand(g, 0x10000);
    }
    if (kind == 2) return idbpq__value_utf16(g->b, u, n);
    return idbpq__value_units(g->b, u, n);
}

static double g_double(struct gen *g)
{
    switch (g_rand(g, 10)) {
    case 0: return -0.0;
    case 1: return NAN;
    case 2: return g_rand(g, 2) ? INFINITY : -INFINITY;
    case 3: return (double)(int32_t)idbpq_test_rand(&g->rs);
    case 4: return 5e-324 * (double)g_rand(g, 5);
    default: {
        uint64_t bits = idbpq_test_rand(&g->rs);
        double d;
        memcpy(&d, &bits, 8);
        return isnan(d) ? 0.5 : d;
    }
    }
}

static idbpq_value *g_key(struct gen *g, uint32_t i)
{
    char t[16];
    switch (g_rand(g, 6)) {
    case 0: return idbpq_value_number(g->b, (double)(i * 7));
    case 1: snprintf(t, sizeof t, "$k%u", i); break;
    case 2: snprintf(t, sizeof t, "%u", i * 3); break;
    default: snprintf(t, sizeof t, "k%u", i); break;
    }
    return idbpq_value_string_utf8(g->b, t, strlen(t));
}

static idbpq_value *g_value(struct gen *g, int depth);

static idbpq_value *g_primitive(struct gen *g)
{
    idbpq_value *v;
    switch (g_rand(g, 6)) {
    case 0: return idbpq_value_new(g->b, g_rand(g, 2) ? IDBPQ_V_UNDEFINED : IDBPQ_V_NULL);
    case 1:
        v = idbpq_value_new(g->b, IDBPQ_V_BOOLEAN);
        v->u.boolean = (int32_t)g_rand(g, 2);
        return v;
    case 2: case 3: return idbpq_value_number(g->b, g_double(g));
    case 4: {
        uint32_t n = g_rand(g, 20);
        uint8_t *d = idbpq_vbatch_alloc(g->b, n + 1);
        for (uint32_t i = 0; i < n; i++) d[i] = (uint8_t)g_rand(g, 256);
        if (n) d[n - 1] |= 1; /* no leading zeros */
        v = idbpq_value_new(g->b, IDBPQ_V_BIGINT);
        v->u.bigint.digits = d;
        v->u.bigint.len = n;
        v->u.bigint.negative = n ? (int32_t)g_rand(g, 2) : 0;
        return v;
    }
    default: return g_string(g);
    }
}

static uint8_t *g_bytes(struct gen *g, uint64_t n)
{
    uint8_t *d = idbpq_vbatch_alloc(g->b, (size_t)n);
    for (uint64_t i = 0; i < n; i++) d[i] = (uint8_t)g_rand(g, 256);
    return d;
}

static idbpq_value *g_buffer(struct gen *g)
{
    idbpq_value *v = idbpq_value_new(g->b, IDBPQ_V_ARRAY_BUFFER);
    v->u.buffer.len = g_rand(g, 5) * 8;
    v->u.buffer.bytes = g_bytes(g, v->u.buffer.len);
    if (!g_rand(g, 5)) {
        v->u.buffer.resizable = 1;
        v->u.buffer.max_len = v->u.buffer.len + g_rand(g, 100);
    }
    if (g->n_buffers < 16) g->buffers[g->n_buffers++] = v;
    return v;
}

static idbpq_value *g_file(struct gen *g, int file)
{
    idbpq_value *v = idbpq_value_new(g->b, file ? IDBPQ_V_FILE : IDBPQ_V_BLOB);
    v->u.blob.mime = g_string(g);
    v->u.blob.size = g_rand(g, 10);
    v->u.blob.bytes = g_rand(g, 2) ? g_bytes(g, v->u.blob.size) : NULL;
    v->u.blob.index = g_rand(g, 2) ? (int64_t)g_rand(g, 10) : -1;
    if (file) {
        v->u.blob.name = g_string(g);
        v->u.blob.last_modified = g_rand(g, 4) ? (double)g_rand(g, 1000000) : NAN;
    }
    return v;
}

static idbpq_value *g_object(struct gen *g, int depth)
{
    idbpq_value *v;
    uint32_t i, n;
    int t = (int)g_rand(g, 16);
    switch (t) {
    case 0: case 1: {
        v = idbpq_value_new(g->b, IDBPQ_V_OBJECT);
        g_pool(g, v);
        n = g_rand(g, 5);
        v->u.object.props = idbpq_vbatch_alloc(g->b, n * sizeof(idbpq_prop));
        for (i = 0; i < n; i++) {
            v->u.object.props[i].key = g_key(g, i);
            v->u.object.props[i].value = g_value(g, depth + 1);
        }
        v->u.object.n = n;
        return v;
    }
    case 2: case 3: {
        v = idbpq_value_new(g->b, IDBPQ_V_ARRAY);
        g_pool(g, v);
        n = g_rand(g, 6);
        v->u.array.length = n;
        int style = (int)g_rand(g, 4);
        if (style < 3) {
            v->u.array.items = idbpq_vbatch_alloc(g->b, (n + 1) * sizeof(idbpq_value *));
            for (i = 0; i < n; i++)
                v->u.array.items[i] = style == 1 && g_rand(g, 3) == 0
                                          ? idbpq_value_new(g->b, IDBPQ_V_HOLE)
                                          : g_value(g, depth + 1);
            if (style == 2) {
                v->u.array.props = idbpq_vbatch_alloc(g->b, sizeof(idbpq_prop));
                v->u.array.props[0].key = idbpq_value_string_utf8(g->b, "$x", 2);
                v->u.array.props[0].value = g_value(g, depth + 1);
                v->u.array.n_props = 1;
            }
        } else {
            /* sparse: a large length, a few elements (numeric keys), one extra property */
            v->u.array.sparse = 1;
            v->u.array.length = 1000 + g_rand(g, 1u << 30);
            v->u.array.props = idbpq_vbatch_alloc(g->b, (n + 1) * sizeof(idbpq_prop));
            for (i = 0; i < n; i++) {
                v->u.array.props[i].key = idbpq_value_number(g->b, (double)(i * 100 + g_rand(g, 100)));
                v->u.array.props[i].value = g_value(g, depth + 1);
            }
            v->u.array.props[n].key = idbpq_value_string_utf8(g->b, "name", 4);
            v->u.array.props[n].value = g_value(g, depth + 1);
            v->u.array.n_props = n + 1;
        }
        return v;
    }
    case 4:
        v = idbpq_value_new(g->b, IDBPQ_V_DATE);
        v->u.number = g_rand(g, 5) ? (double)(int64_t)(idbpq_test_rand(&g->rs) % 8640000000000000ull) : NAN;
        break;
    case 5:
        v = idbpq_value_new(g->b, IDBPQ_V_REGEXP);
        v->u.regexp.source = g_string(g);
        v->u.regexp.flags = g_rand(g, 512);
        break;
    case 6: {
        v = idbpq_value_new(g->b, IDBPQ_V_BOXED);
        idbpq_value *p;
        do p = g_primitive(g); while (p->type == IDBPQ_V_UNDEFINED || p->type == IDBPQ_V_NULL);
        v->u.boxed = p;
        break;
    }
    case 7: case 8: {
        int map = t == 7;
        v = idbpq_value_new(g->b, map ? IDBPQ_V_MAP : IDBPQ_V_SET);
        g_pool(g, v);
        n = g_rand(g, 4);
        v->u.coll.items = idbpq_vbatch_alloc(g->b, 2 * n * sizeof(idbpq_value *) + 1);
        for (i = 0; i < n * (map ? 2u : 1u); i++) v->u.coll.items[i] = g_value(g, depth + 1);
        v->u.coll.n = n;
        return v;
    }
    case 9: v = g_buffer(g); break;
    case 10: {
        static const uint8_t es[] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8, 1};
        v = idbpq_value_new(g->b, IDBPQ_V_VIEW);
        idbpq_value *buf = g->n_buffers && g_rand(g, 2) ? g->buffers[g_rand(g, (uint32_t)g->n_buffers)] : g_buffer(g);
        v->u.view.kind = (idbpq_view_kind)g_rand(g, 13);
        v->u.view.buffer = buf;
        uint64_t e = es[v->u.view.kind], units = buf->u.buffer.len / e;
        uint64_t off = units ? g_rand(g, (uint32_t)units + 1) : 0;
        v->u.view.offset = off * e;
        v->u.view.length = g_rand(g, (uint32_t)(units - off) + 1) * e;
        if (g_rand(g, 2)) { v->u.view.offset = 0; v->u.view.length = buf->u.buffer.len - buf->u.buffer.len % e; }
        v->u.view.flags = buf->u.buffer.resizable ? g_rand(g, 4) & 2 : 0;
        break;
    }
    case 11:
        v = idbpq_value_new(g->b, IDBPQ_V_ERROR);
        g_pool(g, v);
        v->u.error.kind = (idbpq_error_kind)g_rand(g, 7);
        v->u.error.message = g_rand(g, 2) ? g_string(g) : NULL;
        v->u.error.stack = g_rand(g, 2) ? g_string(g) : NULL;
        v->u.error.cause = g_rand(g, 2) ? g_value(g, depth + 1) : NULL;
        return v;
    case 12: v = g_file(g, (int)g_rand(g, 2)); break;
    case 13:
        v = idbpq_value_new(g->b, IDBPQ_V_FILE_LIST);
        n = g_rand(g, 3);
        v->u.files.files = idbpq_vbatch_alloc(g->b, (n + 1) * sizeof(idbpq_value *));
        for (i = 0; i < n; i++) v->u.files.files[i] = g_file(g, 1);
        v->u.files.n = n;
        break;
    case 14:
        v = idbpq_value_new(g->b, IDBPQ_V_HOST);
        v->u.host.tag = (uint8_t)g_rand(g, 256);
        v->u.host.len = g_rand(g, 12);
        v->u.host.bytes = g_bytes(g, v->u.host.len);
        break;
    default:
        if (g->n_pool) return g->pool[g_rand(g, (uint32_t)g->n_pool)]; /* shared or cyclic */
        return g_primitive(g);
    }
    g_pool(g, v);
    return v;
}

static idbpq_value *g_value(struct gen *g, int depth)
{
    if (depth > 5 || g_rand(g, 3) == 0) return g_primitive(g);
    return g_object(g, depth);
}

static idbpq_value *gen_value(idbpq_vbatch *b, uint64_t seed)
{
    struct gen g;
    memset(&g, 0, sizeof g);
    g.rs = seed;
    g.b = b;
    return g_value(&g, 0);
}

#endif
