/*
 * walk.c — visiting the Blob and File values inside a value graph. Both directions of the
 * IndexedDB boundary need it: a stored record's Blobs get their contents and metadata from
 * the record's external-object list (stores/idb_value.c), and the WebAssembly glue numbers
 * the Blobs of a record it hands to JavaScript. Values are graphs (shared, cyclic) and may
 * nest deeper than the C stack should go, hence an explicit stack and a visited set.
 */
#include "value/value.h"

idbpq_status idbpq__value_each_blob(idbpq_vbatch *b, idbpq_value *root,
                                    idbpq_status (*fn)(void *ctx, idbpq_value *blob),
                                    void *ctx)
{
    size_t cap = 64, n = 0;
    idbpq_value **stack = idbpq_vbatch_alloc(b, cap * sizeof *stack);
    if (!stack) return IDBPQ_NOMEM;
    struct idbpq__pmap seen;
    idbpq__pmap_init(&seen, NULL);
    idbpq_status st = IDBPQ_OK;
    stack[n++] = root;
    while (n && st == IDBPQ_OK) {
        idbpq_value *v = stack[--n];
        if (!v || !idbpq__is_object(v->type)) continue;
        if (idbpq__pmap_get(&seen, v)) continue;
        if ((st = idbpq__pmap_put(&seen, v, 1)) != IDBPQ_OK) break;
        idbpq_value **kids = NULL;
        idbpq_prop *props = NULL;
        uint32_t nk = 0, np = 0;
        idbpq_value *one[1] = {0};
        switch ((idbpq_vtype)v->type) {
        case IDBPQ_V_OBJECT: props = v->u.object.props; np = v->u.object.n; break;
        case IDBPQ_V_ARRAY:
            kids = v->u.array.items;
            nk = kids ? v->u.array.length : 0;
            props = v->u.array.props;
            np = v->u.array.n_props;
            break;
        case IDBPQ_V_MAP: kids = v->u.coll.items; nk = 2 * v->u.coll.n; break;
        case IDBPQ_V_SET: kids = v->u.coll.items; nk = v->u.coll.n; break;
        case IDBPQ_V_FILE_LIST: kids = v->u.files.files; nk = v->u.files.n; break;
        case IDBPQ_V_ERROR: one[0] = v->u.error.cause; kids = one; nk = 1; break;
        case IDBPQ_V_BLOB:
        case IDBPQ_V_FILE: st = fn(ctx, v); break;
        case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_BOOLEAN: case IDBPQ_V_NUMBER:
        case IDBPQ_V_BIGINT: case IDBPQ_V_STRING: case IDBPQ_V_DATE: case IDBPQ_V_REGEXP:
        case IDBPQ_V_BOXED: case IDBPQ_V_ARRAY_BUFFER: case IDBPQ_V_VIEW: case IDBPQ_V_HOST:
        case IDBPQ_V_HOLE: break; /* nothing that can hold a Blob */
        }
        if (n + nk + np > cap) {
            size_t ncap = 2 * (n + nk + np);
            idbpq_value **g = idbpq_vbatch_alloc(b, ncap * sizeof *g);
            if (!g) {
                st = IDBPQ_NOMEM;
                break;
            }
            memcpy(g, stack, n * sizeof *g);
            stack = g;
            cap = ncap;
        }
        /* Pushed in reverse so that Blobs are met in the order the value is written. */
        for (uint32_t i = np; i-- > 0;) stack[n++] = props[i].value;
        for (uint32_t i = nk; i-- > 0;) stack[n++] = kids[i];
    }
    idbpq__pmap_free(&seen);
    return st;
}
