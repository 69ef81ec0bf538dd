/*
 * idb_value.c — a stored IndexedDB value as Blink gives it to a page: the V8 value inside
 * Blink's envelope (and Chromium's FF 11 markers, undone by the value layer), Blob and File
 * contents loaded from wherever the backend keeps them, their type / name / lastModified from
 * the record's external-object list, and the primary key injected at the key path of an
 * autoIncrement store (Blink's InjectV8KeyIntoV8Value: the key is not always in the stored
 * bytes). indexeddb-on-disk.md §1.11, §1.15 step 7, §3.
 */
#include "stores/stores.h"

#include "value/value.h"

struct load_ctx {
    const struct idbpq__stored_value *sv;
    idbpq_vbatch *b;
    idbpq_error failure;      /* the first blob that could not be loaded */
    int failed;
};

/* The value layer asks for external object `index` (a Blob/File tag, or the blob a wrapped
 * value moved into). */
static idbpq_status resolve(void *ctx, int64_t index, const uint8_t **bytes, uint64_t *len)
{
    struct load_ctx *c = ctx;
    const struct idbpq__stored_value *sv = c->sv;
    idbpq_error e;
    idbpq_status st;
    if (index < 0 || (uint64_t)index >= sv->n_xobjs || sv->xobjs[index].type > 1) {
        st = IDBPQ_CORRUPT;
        idbpq__verr(&e, st, 0, "blob index %lld is not a Blob/File of the record's %zu "
                    "external objects", (long long)index, sv->n_xobjs);
    } else if (sv->xobjs[index].size == 0) { /* Chromium writes no file for empty blobs */
        *bytes = (const uint8_t *)"";
        *len = 0;
        return IDBPQ_OK;
    } else {
        st = sv->load(sv->load_ctx, (size_t)index, c->b, bytes, len, &e);
        if (st == IDBPQ_OK && *len != (uint64_t)sv->xobjs[index].size) {
            st = IDBPQ_CORRUPT;
            idbpq__verr(&e, st, 0, "blob %lld holds %llu bytes, its entry says %lld",
                        (long long)index, (unsigned long long)*len,
                        (long long)sv->xobjs[index].size);
        }
    }
    if (st != IDBPQ_OK && !c->failed) {
        c->failed = 1;
        c->failure = e;
        c->failure.status = st;
    }
    return st;
}

/* A JS string from an idbpq_str the external-object list decoded (allocated in b). */
static idbpq_value *str_value(idbpq_vbatch *b, const idbpq_str *s)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    if (v) v->u.str = *s;
    return v;
}

struct fill_ctx {
    idbpq_vbatch *b;
    const struct idbpq__stored_value *sv;
    idbpq_error *err;
};

/* Fills one Blob/File's metadata from the record's external-object list. */
static idbpq_status fill_blob(void *ctx, idbpq_value *v)
{
    struct fill_ctx *c = ctx;
    const struct idbpq__stored_value *sv = c->sv;
    int64_t ix = v->u.blob.index;
    if (ix < 0) return IDBPQ_OK;
    if ((uint64_t)ix >= sv->n_xobjs || sv->xobjs[ix].type > 1)
        return idbpq__verr(c->err, IDBPQ_CORRUPT, 0, "Blob/File index %lld past the record's "
                           "%zu external objects", (long long)ix, sv->n_xobjs);
    const struct idbpq__ldb_xobj *x = &sv->xobjs[ix];
    if (v->type == IDBPQ_V_FILE && x->type != IDBPQ__LDB_XO_FILE)
        return idbpq__verr(c->err, IDBPQ_CORRUPT, 0, "File at index %lld is a Blob in the "
                           "external-object list", (long long)ix);
    if (!(v->u.blob.mime = str_value(c->b, &x->mime)) ||
        (v->type == IDBPQ_V_FILE && !(v->u.blob.name = str_value(c->b, &x->name))))
        return IDBPQ_NOMEM;
    if (!v->u.blob.bytes) v->u.blob.size = (uint64_t)x->size;
    if (v->type == IDBPQ_V_FILE) v->u.blob.last_modified = x->last_modified_ms;
    v->u.blob.index = -1; /* a page cannot see it; tagged JSON would print it */
    return IDBPQ_OK;
}

static idbpq_status fill_blobs(idbpq_vbatch *b, const struct idbpq__stored_value *sv,
                               idbpq_value *root, idbpq_error *err)
{
    if (!sv->n_xobjs) return IDBPQ_OK;
    struct fill_ctx c = {b, sv, err};
    return idbpq__value_each_blob(b, root, fill_blob, &c);
}

/* Blink's key injection: set the property at the (string) key path, creating plain objects
 * on the way; stops quietly where a step is not a plain object (Blink's CanInjectIDBKey
 * refused such values at put() time). */
static idbpq_status inject(idbpq_vbatch *b, idbpq_value *v, const char *path,
                           const idbpq_value *key)
{
    for (;;) {
        if (!v || v->type != IDBPQ_V_OBJECT) return IDBPQ_OK;
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        idbpq_value *name = idbpq_value_string_utf8(b, path, n), *slot = NULL;
        if (!name) return IDBPQ_NOMEM;
        uint32_t i;
        for (i = 0; i < v->u.object.n; i++) {
            const idbpq_value *k = v->u.object.props[i].key;
            if (k->type == IDBPQ_V_STRING && idbpq_value_equal(k, name)) {
                slot = v->u.object.props[i].value;
                break;
            }
        }
        idbpq_value *val = dot ? (slot ? slot : idbpq_value_new(b, IDBPQ_V_OBJECT))
                               : (idbpq_value *)key;
        if (!val) return IDBPQ_NOMEM;
        if (i == v->u.object.n) {
            idbpq_prop *props = idbpq_vbatch_alloc(b, (v->u.object.n + 1) * sizeof *props);
            if (!props) return IDBPQ_NOMEM;
            if (v->u.object.n) memcpy(props, v->u.object.props, v->u.object.n * sizeof *props);
            props[v->u.object.n] = (idbpq_prop){name, val};
            v->u.object.props = props;
            v->u.object.n++;
        } else {
            v->u.object.props[i].value = val;
        }
        if (!dot) return IDBPQ_OK;
        v = val;
        path = dot + 1;
    }
}

idbpq_status idbpq__idb_value_decode(idbpq_vbatch *b, const struct idbpq__stored_value *sv,
                                     const idbpq_store_desc *store, const idbpq_value *key,
                                     idbpq_value **out, idbpq_error *err)
{
    struct load_ctx lc = {.sv = sv, .b = b};
    idbpq_v8_opts o;
    idbpq_v8_opts_init(&o);
    o.flags = IDBPQ_V8_AUTO;
    o.resolve_blob = resolve;
    o.resolve_ctx = &lc;
    idbpq_error e;
    idbpq_status st = idbpq_v8_decode(b, sv->ssv, sv->n, &o, out, &e);
    if (lc.failed) { /* a Blob the value layer tolerated as "contents not at hand" */
        if (err) *err = lc.failure;
        return lc.failure.status;
    }
    if (st == IDBPQ_NOMEM) return idbpq__verr(err, st, 0, "out of memory");
    if (st != IDBPQ_OK)
        return idbpq__verr(err, st, e.offset, "the value does not decode (%s at byte %llu of "
                           "the value): %s", idbpq_status_name(st),
                           (unsigned long long)e.offset, e.msg);
    IDBPQ__TRY(fill_blobs(b, sv, *out, err));
    if (store && store->auto_increment && store->key_path.type == 1 && key &&
        store->key_path.paths[0][0])
        return inject(b, *out, store->key_path.paths[0], key);
    return IDBPQ_OK;
}
