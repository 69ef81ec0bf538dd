/*
 * fuzz_mapping.c — the record writer and reader round trip (docs/mapping.md): records in,
 * a Parquet file out, the same records back.
 *
 * Input: text lines. The first line is a header whose first bytes (low 6 bits of each, so
 * '@' = 0, 'A' = 1 ... '_' = 31, '`' = 32 ... '~' = 62) choose the options:
 *   h0 bit 0  in-line key path (else out-of-line keys, a `_key` column)
 *      bits 1-2  which key path: "id", "a.b", ["id","n"], "" (the value itself)
 *      bit 3  one pass (begin with no observe; sample_bytes from h3) instead of two passes
 *      bit 4  mixed_as_json
 *      bit 5  shred_variants off
 *   h1 bit 0  small max_columns (1 + h2 & 15)
 *      bit 1  small max_depth (1 + (h2 >> 4 & 3))
 *      bit 2  tiny row groups and pages (1 + h3 & 7 rows a group, 1 + (h3 >> 3 & 7) a page)
 *      bit 3  autoIncrement (with "id" or "a.b": records without the key are accepted)
 *      bit 4  page v2, no dictionary
 *      bit 5  uncompressed
 *   h3        one pass: sample_bytes = 1 + 256 * h3 (1: only the first record is the sample)
 * Every other line is a record {"key":K,"value":V} in tagged JSON (idbpq_tjson_parse_record;
 * lines that do not parse are skipped), at most MAX_RECORDS of them.
 *
 * Records whose value is no JavaScript value (an object with a property twice, a Set with an
 * item twice, a Map with a key twice: the text form can say it, JS cannot) are skipped. The
 * others go to the writer; those whose key is missing or invalid (out-of-line without a key
 * or with a value that is no key; in-line where the key path does not resolve, unless
 * autoIncrement (and then the key generator, replayed as the reader does, is not past 2^53),
 * or gives no valid key) must be refused with INVALID_ARG, in both passes,
 * without breaking the writer; every other call must succeed.
 *
 * Properties: the file reads back (idbpq_reader_open on the bytes, idbpq_record_reader) as
 * idbpq's own (native) file with the store's key path; it has as many records as were
 * accepted, in order; each key equals the written one as IndexedDB sees it (idbpq_key_to_value
 * of idbpq_key_from_value / idbpq_key_extract on the original; generated keys are numbers);
 * each value equals the original up to property order (IDBPQ_EQ_UNORDERED). Stats: records
 * is the number accepted, fallbacks <= records, the reasons sum to fallbacks, no SCHEMA
 * fallback in two passes, and `sorted` only when the keys really are strictly increasing.
 */
#include "idbpq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value/value.h"

#include "fuzz.h"

#define MAX_RECORDS 64u
#define MAX_INPUT (64u << 10)

/* ---- a growable memory sink ---------------------------------------------------------------- */

struct mem {
    uint8_t *p;
    size_t n, cap;
};

static idbpq_status mem_write(void *ctx, const void *buf, size_t len)
{
    struct mem *m = ctx;
    if (len > m->cap - m->n) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap - m->n < len) cap *= 2;
        uint8_t *p = realloc(m->p, cap);
        if (!p) return IDBPQ_NOMEM;
        m->p = p;
        m->cap = cap;
    }
    if (len) memcpy(m->p + m->n, buf, len);
    m->n += len;
    return IDBPQ_OK;
}

/* ---- values JavaScript can have: no repeated property, Set item or Map key ------------------ */

struct names {
    uint32_t *slot; /* index + 1, 0 = empty */
    uint32_t cap;
};

/* SameValueZero for primitives; objects by identity. */
static int svz_same(const idbpq_value *a, const idbpq_value *b)
{
    if (a == b) return 1;
    if (a->type != b->type || idbpq__is_object(a->type)) return 0;
    switch (a->type) {
    case IDBPQ_V_UNDEFINED:
    case IDBPQ_V_NULL: return 1;
    case IDBPQ_V_BOOLEAN: return (a->u.boolean != 0) == (b->u.boolean != 0);
    case IDBPQ_V_NUMBER:
        return a->u.number == b->u.number || (isnan(a->u.number) && isnan(b->u.number));
    case IDBPQ_V_STRING: return idbpq__str_equal(&a->u.str, &b->u.str);
    case IDBPQ_V_BIGINT:
        return a->u.bigint.negative == b->u.bigint.negative &&
               a->u.bigint.len == b->u.bigint.len &&
               (!a->u.bigint.len || !memcmp(a->u.bigint.digits, b->u.bigint.digits, a->u.bigint.len));
    default: return 0;
    }
}

static uint32_t svz_hash(const idbpq_value *v)
{
    switch (v->type) {
    case IDBPQ_V_BOOLEAN: return 3u + (v->u.boolean != 0);
    case IDBPQ_V_NUMBER: {
        double d = v->u.number;
        if (isnan(d)) return 7;
        if (d == 0) d = 0;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return (uint32_t)(bits ^ (bits >> 32)) * 2654435761u;
    }
    case IDBPQ_V_STRING: return idbpq__str_hash(&v->u.str);
    case IDBPQ_V_BIGINT: {
        idbpq_str s = {v->u.bigint.digits, v->u.bigint.len, 0};
        return idbpq__str_hash(&s) ^ (uint32_t)v->u.bigint.negative;
    }
    default: return (uint32_t)v->type * 2654435761u ^ (uint32_t)((uintptr_t)v >> 4);
    }
}

/* Whether n keys (key(i)) are all distinct: 1 yes, 0 no, -1 out of memory. */
static int distinct(uint32_t n, const idbpq_value *(*key)(const void *, uint32_t), const void *ctx,
                    int props)
{
    if (n < 2) return 1;
    uint32_t cap = 16;
    while (cap < n * 2) cap *= 2;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    int ok = 1;
    for (uint32_t i = 0; i < n && ok; i++) {
        const idbpq_value *k = key(ctx, i);
        char tmp[32];
        idbpq_str name;
        uint32_t h;
        if (props) {
            name = idbpq__key_name(k, tmp);
            h = idbpq__str_hash(&name);
        } else {
            h = svz_hash(k);
        }
        for (h &= cap - 1; slot[h]; h = (h + 1) & (cap - 1)) {
            const idbpq_value *o = key(ctx, slot[h] - 1);
            if (props) {
                char t2[32];
                idbpq_str on = idbpq__key_name(o, t2);
                if (idbpq__str_equal(&on, &name)) ok = 0;
            } else if (svz_same(o, k)) {
                ok = 0;
            }
            if (!ok) break;
        }
        if (ok) slot[h] = i + 1;
    }
    free(slot);
    return ok;
}

static const idbpq_value *prop_key(const void *ctx, uint32_t i)
{
    return ((const idbpq_prop *)ctx)[i].key;
}
static const idbpq_value *set_key(const void *ctx, uint32_t i)
{
    return ((idbpq_value *const *)ctx)[i];
}
static const idbpq_value *map_key(const void *ctx, uint32_t i)
{
    return ((idbpq_value *const *)ctx)[2 * (size_t)i];
}

/* 1: v is a JS value; 0: it repeats a name or key somewhere; -1: out of memory. */
static int js_value(struct idbpq__pmap *seen, const idbpq_value *v, int depth)
{
    if (!v || !idbpq__is_object(v->type)) return 1;
    if (depth > 2000) return 0;
    if (idbpq__pmap_get(seen, v)) return 1;
    if (idbpq__pmap_put(seen, v, 1) != IDBPQ_OK) return -1;
    int ok = 1;
    switch (v->type) {
    case IDBPQ_V_OBJECT:
        ok = distinct(v->u.object.n, prop_key, v->u.object.props, 1);
        for (uint32_t i = 0; ok == 1 && i < v->u.object.n; i++)
            ok = js_value(seen, v->u.object.props[i].value, depth + 1);
        return ok;
    case IDBPQ_V_ARRAY:
        ok = distinct(v->u.array.n_props, prop_key, v->u.array.props, 1);
        if (!v->u.array.sparse && v->u.array.items)
            for (uint32_t i = 0; ok == 1 && i < v->u.array.length; i++)
                ok = js_value(seen, v->u.array.items[i], depth + 1);
        for (uint32_t i = 0; ok == 1 && i < v->u.array.n_props; i++)
            ok = js_value(seen, v->u.array.props[i].value, depth + 1);
        return ok;
    case IDBPQ_V_SET:
    case IDBPQ_V_MAP: {
        int m = v->type == IDBPQ_V_MAP;
        ok = distinct(v->u.coll.n, m ? map_key : set_key, v->u.coll.items, 0);
        for (uint32_t i = 0; ok == 1 && i < v->u.coll.n * (m ? 2u : 1u); i++)
            ok = js_value(seen, v->u.coll.items[i], depth + 1);
        return ok;
    }
    case IDBPQ_V_BOXED: return js_value(seen, v->u.boxed, depth + 1);
    case IDBPQ_V_ERROR: return js_value(seen, v->u.error.cause, depth + 1);
    default: return 1;
    }
}

/* ---- the target ------------------------------------------------------------------------------ */

struct rec {
    idbpq_value *key, *value;  /* as parsed (key NULL when the line had none) */
    int accepted;
    idbpq_value *want_key;     /* accepted: the key as IndexedDB sees it; NULL: generated */
    idbpq_key *k;
};

static void dump(const char *what, const idbpq_value *v)
{
    idbpq_buffer t;
    idbpq_buffer_init(&t, NULL);
    if (v && idbpq_tjson_write(v, &t) == IDBPQ_OK)
        fprintf(stderr, "%s: %.*s\n", what, (int)(t.len < 2000 ? t.len : 2000), (const char *)t.data);
    else
        fprintf(stderr, "%s: (none)\n", what);
    idbpq_buffer_free(&t);
}

static int g_verbose = -1; /* FUZZ_MAPPING_VERBOSE=1: a summary per input (seed checks) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (g_verbose < 0) g_verbose = getenv("FUZZ_MAPPING_VERBOSE") != NULL;
    if (size > MAX_INPUT) return 0;
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t hlen = nl ? (size_t)(nl - text) : size;
    uint8_t h[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < 4 && i < hlen; i++) h[i] = (uint8_t)(data[i] & 0x3f);

    const char *id_path[] = {"id"}, *ab_path[] = {"a.b"}, *arr_path[] = {"id", "n"},
               *empty_path[] = {""};
    idbpq_store_desc store;
    memset(&store, 0, sizeof store);
    store.name = "fuzz";
    store.database = "db";
    store.db_version = 1;
    if (h[0] & 1) {
        switch (h[0] >> 1 & 3) {
        case 0: store.key_path.type = 1, store.key_path.n = 1, store.key_path.paths = id_path; break;
        case 1: store.key_path.type = 1, store.key_path.n = 1, store.key_path.paths = ab_path; break;
        case 2: store.key_path.type = 2, store.key_path.n = 2, store.key_path.paths = arr_path; break;
        default: store.key_path.type = 1, store.key_path.n = 1, store.key_path.paths = empty_path;
        }
        /* IndexedDB allows autoIncrement only with a non-empty single key path. */
        if ((h[1] & 8) && store.key_path.type == 1 && store.key_path.paths[0][0]) {
            store.auto_increment = 1;
            store.key_generator = 1;
        }
    }
    const int inline_keys = store.key_path.type != 0;
    const int one_pass = (h[0] & 8) != 0;

    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    o.mixed_as_json = (h[0] & 16) != 0;
    o.shred_variants = !(h[0] & 32);
    if (h[1] & 1) o.max_columns = 1 + (h[2] & 15u);
    if (h[1] & 2) o.max_depth = 1 + (h[2] >> 4 & 3u);
    if (h[1] & 4) {
        o.parquet.max_row_group_rows = 1 + (h[3] & 7u);
        o.parquet.page_rows = 1 + (h[3] >> 3 & 7u);
    }
    if (h[1] & 16) {
        o.parquet.page_version = 2;
        o.parquet.dictionary = 0;
    }
    if (h[1] & 32) o.parquet.codec = IDBPQ_CODEC_UNCOMPRESSED;
    o.sample_bytes = 1 + 256u * h[3];

    idbpq_vbatch *b = NULL;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 0;
    struct idbpq__pmap seen;
    idbpq__pmap_init(&seen, NULL);
    struct rec recs[MAX_RECORDS];
    uint32_t n = 0, n_accepted = 0;
    int oom = 0;
    idbpq_keygen gen; /* autoIncrement: the reader's generator over the accepted records */
    idbpq_keygen_init(&gen);
    for (size_t at = nl ? hlen + 1 : size; at < size && n < MAX_RECORDS && !oom;) {
        const char *line = text + at;
        const char *end = memchr(line, '\n', size - at);
        size_t len = end ? (size_t)(end - line) : size - at;
        at += len + 1;
        idbpq_value *k = NULL, *v = NULL;
        idbpq_error e;
        idbpq_status st = idbpq_tjson_parse_record(b, line, len, &k, &v, &e);
        if (st == IDBPQ_NOMEM) oom = 1;
        if (st != IDBPQ_OK) continue;
        idbpq__pmap_clear(&seen);
        int js = js_value(&seen, v, 0);
        if (js == 1 && k) {
            idbpq__pmap_clear(&seen);
            js = js_value(&seen, k, 0);
        }
        if (js < 0) oom = 1;
        if (js != 1) continue;
        struct rec *r = &recs[n++];
        memset(r, 0, sizeof *r);
        r->key = k;
        r->value = v;
        if (!inline_keys) {
            st = k ? idbpq_key_from_value(b, k, &r->k, &e) : IDBPQ_INVALID_ARG;
        } else {
            st = idbpq_key_extract(b, v, &store.key_path, &r->k, &e);
            if (st == IDBPQ_OK) idbpq_keygen_update(&gen, r->k);
            if (st == IDBPQ_END && store.auto_increment) {
                /* the reader generates it, unless the generator is past 2^53 */
                double next;
                st = idbpq_keygen_next(&gen, &next) == IDBPQ_OK ? IDBPQ_OK : IDBPQ_INVALID_ARG;
                r->k = NULL;
            }
        }
        if (st == IDBPQ_NOMEM) oom = 1;
        r->accepted = st == IDBPQ_OK;
        if (r->accepted && r->k && !(r->want_key = idbpq_key_to_value(b, r->k))) oom = 1;
        n_accepted += (uint32_t)r->accepted;
    }
    idbpq__pmap_free(&seen);
    if (oom || n == 0) {
        idbpq_vbatch_free(b);
        return 0;
    }

    /* ---- write ---- */
    idbpq_record_writer *w = NULL;
    CHECK(idbpq_record_writer_create(&w, &store, &o, NULL) == IDBPQ_OK);
    struct mem m = {NULL, 0, 0};
    idbpq_sink sink = {&m, mem_write, "fuzz"};
    if (!one_pass) {
        for (uint32_t i = 0; i < n; i++) {
            idbpq_status st = idbpq_record_writer_observe(w, recs[i].key, recs[i].value);
            if (st != (recs[i].accepted ? IDBPQ_OK : IDBPQ_INVALID_ARG))
                fprintf(stderr, "observe %u: %s: %s\n", i, idbpq_status_str(st),
                        idbpq_record_writer_errmsg(w));
            CHECK(st == (recs[i].accepted ? IDBPQ_OK : IDBPQ_INVALID_ARG));
        }
    }
    idbpq_status st = idbpq_record_writer_begin(w, &sink);
    if (st != IDBPQ_OK) fprintf(stderr, "begin: %s\n", idbpq_record_writer_errmsg(w));
    CHECK(st == IDBPQ_OK);
    for (uint32_t i = 0; i < n; i++) {
        st = idbpq_record_writer_write(w, recs[i].key, recs[i].value);
        if (st != (recs[i].accepted ? IDBPQ_OK : IDBPQ_INVALID_ARG))
            fprintf(stderr, "write %u: %s: %s\n", i, idbpq_status_str(st),
                    idbpq_record_writer_errmsg(w));
        CHECK(st == (recs[i].accepted ? IDBPQ_OK : IDBPQ_INVALID_ARG));
    }
    idbpq_record_stats stats;
    memset(&stats, 0, sizeof stats);
    st = idbpq_record_writer_finish(w, &stats);
    if (st != IDBPQ_OK) fprintf(stderr, "finish: %s\n", idbpq_record_writer_errmsg(w));
    CHECK(st == IDBPQ_OK);
    idbpq_record_writer_free(w);

    if (g_verbose) {
        fprintf(stderr, "records %u, accepted %u, fallbacks %llu (", n, n_accepted,
                (unsigned long long)stats.fallbacks);
        for (int i = 0; i < IDBPQ_FALLBACK_COUNT; i++)
            if (stats.by_reason[i])
                fprintf(stderr, " %s %llu", idbpq_fallback_name((idbpq_fallback)i),
                        (unsigned long long)stats.by_reason[i]);
        fprintf(stderr, " ), columns %u, variant fields %u, sorted %d, %llu bytes\n",
                stats.columns, stats.variant_fields, stats.sorted,
                (unsigned long long)stats.bytes_out);
    }
    CHECK(stats.records == n_accepted);
    CHECK(stats.fallbacks <= stats.records);
    uint64_t sum = 0;
    for (int i = 0; i < IDBPQ_FALLBACK_COUNT; i++) sum += stats.by_reason[i];
    CHECK(sum == stats.fallbacks);
    if (!one_pass) CHECK(stats.by_reason[IDBPQ_FALLBACK_SCHEMA] == 0);
    CHECK(stats.bytes_out == m.n);
    if (stats.sorted) {
        const idbpq_key *prev = NULL;
        for (uint32_t i = 0; i < n; i++) {
            if (!recs[i].accepted) continue;
            CHECK(recs[i].k != NULL);
            if (prev) CHECK(idbpq_key_cmp(prev, recs[i].k) < 0);
            prev = recs[i].k;
        }
    }

    /* ---- read back ---- */
    idbpq_source src;
    idbpq_source_memory(&src, m.p, m.n, "fuzz");
    char err[256];
    idbpq_reader *r = NULL;
    st = idbpq_reader_open(&r, &src, NULL, NULL, err, sizeof err);
    if (st != IDBPQ_OK) fprintf(stderr, "reader: %s\n", err);
    CHECK(st == IDBPQ_OK);
    idbpq_record_reader *rr = NULL;
    st = idbpq_record_reader_open(&rr, r, NULL, NULL);
    if (st != IDBPQ_OK) fprintf(stderr, "record reader: %s\n", idbpq_reader_errmsg(r));
    CHECK(st == IDBPQ_OK);
    CHECK(idbpq_record_reader_native(rr) == 1);
    const idbpq_store_desc *sd = idbpq_record_reader_store(rr);
    CHECK(sd->key_path.type == store.key_path.type);
    CHECK(sd->key_path.n == store.key_path.n || !store.key_path.type);
    for (uint32_t i = 0; store.key_path.type && i < store.key_path.n; i++)
        CHECK(strcmp(sd->key_path.paths[i], store.key_path.paths[i]) == 0);
    CHECK(sd->auto_increment == store.auto_increment);
    idbpq_vbatch *rb = NULL;
    CHECK(idbpq_vbatch_create(&rb, NULL) == IDBPQ_OK);
    uint32_t row = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!recs[i].accepted) continue;
        idbpq_vbatch_reset(rb);
        idbpq_value *key = NULL, *value = NULL;
        st = idbpq_record_reader_next(rr, rb, &key, &value);
        if (st != IDBPQ_OK)
            fprintf(stderr, "record %u (line %u): %s: %s\n", row, i, idbpq_status_str(st),
                    idbpq_record_reader_errmsg(rr));
        CHECK(st == IDBPQ_OK);
        CHECK(key != NULL && value != NULL);
        int key_ok = recs[i].want_key ? idbpq_value_equal(key, recs[i].want_key)
                                      : key->type == IDBPQ_V_NUMBER;
        int value_ok = idbpq_value_equal_ex(value, recs[i].value, IDBPQ_EQ_UNORDERED);
        if (!key_ok || !value_ok) {
            fprintf(stderr, "record %u (line %u) differs:\n", row, i);
            dump("  written key", recs[i].want_key);
            dump("  read key   ", key);
            dump("  written    ", recs[i].value);
            dump("  read       ", value);
        }
        CHECK(key_ok);
        CHECK(value_ok);
        row++;
    }
    idbpq_value *key = NULL, *value = NULL;
    st = idbpq_record_reader_next(rr, rb, &key, &value);
    if (st != IDBPQ_END) fprintf(stderr, "after the last record: %s\n", idbpq_status_str(st));
    CHECK(st == IDBPQ_END);
    idbpq_vbatch_free(rb);
    idbpq_record_reader_free(rr);
    idbpq_reader_free(r);
    free(m.p);
    idbpq_vbatch_free(b);
    return 0;
}
