/*
 * record_reader.c — the public record reader: any Parquet file back into IndexedDB records.
 * A file idbpq wrote carries its type map and store in the "idbpq" key_value_metadata entry
 * and comes back exactly; any other file gets a type map derived from its schema (foreign.c).
 * Keys come from the map's key column, else from the store's key path, else from a key
 * generator (1, 2, 3...), as IndexedDB itself would assign them.
 */
#include "mapping/read_util.h"
#include "parquet/reader.h"

#include <stdio.h>

struct idbpq_record_reader {
    idbpq_reader *r;
    const idbpq_allocator *alc;
    idbpq_row_reader *rows;
    idbpq_vbatch *meta;               /* type map, store description and their strings */
    struct idbpq__typemap tm;
    idbpq_store_desc store;
    idbpq_record_reader_opts opts;
    int native;
    const char *key_prop;             /* native file, key_column given: the key is this
                                         property, taken out of each value */
    const idbpq_value *key_name;      /* key_prop as a string value */
    uint64_t row;                     /* rows read so far */
    int32_t extra_pos;                /* idbpq__record_reader_extra_column: the column's
                                         position among the root's children, -1 none */
    const idbpq_datum *extra;         /* its datum in the current row */
    idbpq_keygen gen;
    struct idbpq__err err;
};

void idbpq_record_reader_opts_init(idbpq_record_reader_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = (uint32_t)sizeof *o;
}

const idbpq_store_desc *idbpq_record_reader_store(const idbpq_record_reader *rr)
{
    return rr ? &rr->store : NULL;
}

int idbpq_record_reader_native(const idbpq_record_reader *rr) { return rr ? rr->native : 0; }

const char *idbpq_record_reader_errmsg(const idbpq_record_reader *rr)
{
    return rr ? rr->err.msg : "no record reader";
}

void idbpq_record_reader_free(idbpq_record_reader *rr)
{
    if (!rr) return;
    idbpq_row_reader_free(rr->rows);
    idbpq_vbatch_free(rr->meta);
    idbpq__free(rr->alc, rr, sizeof *rr);
}

/* The "idbpq" entry of the file's key_value_metadata, or NULL. */
static const idbpq_kv *find_meta(const idbpq_file_meta *m)
{
    size_t n = m->num_kv > 0 ? (size_t)m->num_kv : 0;
    const idbpq_kv *kv = idbpq__kv_get(m->kv, n, IDBPQ__META_KEY);
    return kv && kv->has_value ? kv : NULL;
}

static int is_top_level(const idbpq_schema *s, const char *name, int32_t *node)
{
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    for (int32_t k = 0; root && k < root->num_children; k++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, root->children[k]);
        if (n && n->name && strcmp(n->name, name) == 0) {
            *node = root->children[k];
            return 1;
        }
    }
    return 0;
}

static idbpq_status open_native(idbpq_record_reader *rr, const idbpq_kv *kv)
{
    const idbpq_schema *s = idbpq_reader_schema(rr->r);
    idbpq_status st = idbpq__typemap_decode(rr->meta, s, (const char *)kv->value.ptr,
                                            kv->value.len, &rr->tm, &rr->store, &rr->err);
    if (st != IDBPQ_OK) return st; /* the message says "idbpq metadata: ..." */
    rr->native = 1;
    const char *kc = rr->opts.key_column;
    if (!kc) return IDBPQ_OK;
    int32_t node;
    if (!is_top_level(s, kc, &node))
        return idbpq__fail(&rr->err, IDBPQ_INVALID_ARG, "no column %s", kc);
    if (rr->tm.has_key && rr->tm.key.node == node) return IDBPQ_OK; /* the file's own key */
    /* Another column as the key: values are read whole (also from `_raw`), then the
     * property is taken out, so the key comes from the same place whatever the row's form. */
    rr->key_prop = kc;
    rr->key_name = idbpq_value_string_utf8(rr->meta, kc, strlen(kc));
    if (!rr->key_name) return idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory");
    rr->tm.has_key = 0;
    memset(&rr->store.key_path, 0, sizeof rr->store.key_path);
    rr->store.auto_increment = 0;
    return IDBPQ_OK;
}

static idbpq_status open_foreign(idbpq_record_reader *rr)
{
    const idbpq_schema *s = idbpq_reader_schema(rr->r);
    IDBPQ__TRY(idbpq__typemap_foreign(rr->meta, s, rr->opts.key_column, &rr->tm, &rr->err));
    memset(&rr->store, 0, sizeof rr->store);
    rr->store.auto_increment = !rr->tm.has_key;
    int64_t n = idbpq_reader_meta(rr->r)->num_rows;
    if (n < 0) n = 0;
    /* After generating keys 1..n, the generator's next number is n + 1. */
    rr->store.key_generator = rr->store.auto_increment ? (double)n + 1 : 1;
    return IDBPQ_OK;
}

idbpq_status idbpq_record_reader_open(idbpq_record_reader **out, idbpq_reader *r,
                                      const idbpq_record_reader_opts *opts,
                                      const idbpq_allocator *alc)
{
    if (out) *out = NULL;
    if (!out || !r) return IDBPQ_INVALID_ARG;
    if (opts && opts->struct_size != sizeof *opts)
        return idbpq__fail(&r->err, IDBPQ_INVALID_ARG,
                           "options: struct_size %u (use idbpq_record_reader_opts_init)",
                           (unsigned)opts->struct_size);
    idbpq_record_reader *rr = idbpq__calloc(alc, sizeof *rr);
    if (!rr) return idbpq__fail(&r->err, IDBPQ_NOMEM, "out of memory");
    rr->r = r;
    rr->alc = idbpq__alc(alc);
    rr->extra_pos = -1;
    if (opts) rr->opts = *opts;
    else idbpq_record_reader_opts_init(&rr->opts);
    idbpq_keygen_init(&rr->gen);
    idbpq_status st = idbpq_vbatch_create(&rr->meta, alc);
    if (st == IDBPQ_OK && rr->opts.key_column) {
        size_t n = strlen(rr->opts.key_column);
        char *copy = idbpq_vbatch_alloc(rr->meta, n + 1);
        if (copy) memcpy(copy, rr->opts.key_column, n + 1);
        else st = idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory");
        rr->opts.key_column = copy;
    }
    if (st == IDBPQ_OK) {
        const idbpq_kv *kv = find_meta(idbpq_reader_meta(r));
        st = kv ? open_native(rr, kv) : open_foreign(rr);
    }
    if (st == IDBPQ_OK) {
        st = idbpq_row_reader_open(r, NULL, 0, &rr->rows);
        if (st != IDBPQ_OK) idbpq__fail(&rr->err, st, "%s", r->err.msg);
    }
    if (st != IDBPQ_OK) {
        if (!rr->err.msg[0]) idbpq__fail(&rr->err, st, "%s", idbpq_status_str(st));
        idbpq__fail(&r->err, st, "%s: %s", idbpq__reader_name(r), rr->err.msg);
        idbpq_record_reader_free(rr);
        return st;
    }
    *out = rr;
    return IDBPQ_OK;
}

/* The key of a value whose store has a key path, or a generated one. */
static idbpq_status path_or_generated(idbpq_record_reader *rr, idbpq_vbatch *b,
                                      const idbpq_value *value, idbpq_value **key)
{
    if (rr->store.key_path.type != 0) {
        idbpq_key *k = NULL;
        idbpq_error e;
        idbpq_status st = idbpq_key_extract(b, value, &rr->store.key_path, &k, &e);
        if (st == IDBPQ_OK) {
            idbpq_keygen_update(&rr->gen, k);
            *key = idbpq_key_to_value(b, k);
            return *key ? IDBPQ_OK : idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory");
        }
        if (st == IDBPQ_NOMEM) return idbpq__fail(&rr->err, st, "out of memory");
        /* autoIncrement stores put the generated key into the value; only they may lack it */
        if (st != IDBPQ_END || !rr->store.auto_increment)
            return idbpq__fail(&rr->err, IDBPQ_CORRUPT, "the key path gives no valid key%s%s",
                               st == IDBPQ_END ? "" : ": ", st == IDBPQ_END ? "" : e.msg);
    }
    double g;
    if (idbpq_keygen_next(&rr->gen, &g) != IDBPQ_OK)
        return idbpq__fail(&rr->err, IDBPQ_LIMIT, "the key generator passed 2^53");
    *key = idbpq_value_number(b, g);
    return *key ? IDBPQ_OK : idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory");
}

/* Takes property rr->key_prop out of the value as the key. */
static idbpq_status take_key_prop(idbpq_record_reader *rr, idbpq_vbatch *b, idbpq_value *value,
                                  idbpq_value **key)
{
    uint32_t i = 0, n = value->type == IDBPQ_V_OBJECT ? value->u.object.n : 0;
    for (; i < n; i++) {
        char tmp[32];
        const idbpq_str name = idbpq__key_name(value->u.object.props[i].key, tmp);
        if (idbpq__str_equal(&name, &rr->key_name->u.str)) break;
    }
    if (i == n) return idbpq__fail(&rr->err, IDBPQ_SCHEMA, "column %s: no key", rr->key_prop);
    idbpq_key *k = NULL;
    idbpq_error e;
    idbpq_status st = idbpq_key_from_value(b, value->u.object.props[i].value, &k, &e);
    if (st == IDBPQ_NOMEM) return idbpq__fail(&rr->err, st, "out of memory");
    if (st != IDBPQ_OK) return idbpq__fail(&rr->err, IDBPQ_SCHEMA, "column %s: %s", rr->key_prop, e.msg);
    if (!(*key = idbpq_key_to_value(b, k))) return idbpq__fail(&rr->err, IDBPQ_NOMEM, "out of memory");
    memmove(&value->u.object.props[i], &value->u.object.props[i + 1],
            sizeof *value->u.object.props * (n - i - 1));
    value->u.object.n--;
    return IDBPQ_OK;
}

idbpq_status idbpq_record_reader_next(idbpq_record_reader *rr, idbpq_vbatch *b,
                                      idbpq_value **key, idbpq_value **value)
{
    if (key) *key = NULL;
    if (value) *value = NULL;
    if (!rr || !b || !key || !value) return IDBPQ_INVALID_ARG;
    idbpq__err_clear(&rr->err);
    const idbpq_datum *row;
    idbpq_status st = idbpq_row_reader_next(rr->rows, &row);
    if (st == IDBPQ_END) return st;
    if (st != IDBPQ_OK)
        return idbpq__fail(&rr->err, st, "%s: %s", idbpq__reader_name(rr->r),
                           idbpq_row_reader_errmsg(rr->rows));
    uint64_t at = rr->row++;
    rr->extra = rr->extra_pos >= 0 && row->kind == IDBPQ_DATUM_GROUP &&
                        (uint32_t)rr->extra_pos < row->len
                    ? &row->u.items[rr->extra_pos]
                    : NULL;
    idbpq_value *k = NULL, *v = NULL;
    st = idbpq__fromdatum_row(b, idbpq_reader_schema(rr->r), &rr->tm, &rr->opts, row, &k, &v,
                              &rr->err);
    if (st == IDBPQ_OK && !k) {
        st = rr->key_prop ? take_key_prop(rr, b, v, &k) : path_or_generated(rr, b, v, &k);
    }
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(&rr->err, "%s: row %llu, ", idbpq__reader_name(rr->r),
                          (unsigned long long)at);
        return st;
    }
    *key = k;
    *value = v;
    return IDBPQ_OK;
}

/* ---- an extra column next to the record (Delta change data: `_change_type`) ---------------- */

int idbpq__record_reader_extra_column(idbpq_record_reader *rr, const char *name)
{
    const idbpq_schema *s = idbpq_reader_schema(rr->r);
    const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
    rr->extra_pos = -1;
    for (int32_t k = 0; root && k < root->num_children; k++) {
        const idbpq_schema_node *n = idbpq_schema_node_at(s, root->children[k]);
        if (n && n->name && strcmp(n->name, name) == 0) rr->extra_pos = k;
    }
    return rr->extra_pos >= 0;
}

int idbpq__record_reader_extra_str(const idbpq_record_reader *rr, const char **s, size_t *n)
{
    const idbpq_datum *d = rr->extra;
    if (!d || d->kind != IDBPQ_DATUM_BYTES) return 0;
    *s = (const char *)d->u.bytes;
    *n = d->len;
    return 1;
}
