/*
 * roundtrip.c — seeded property test of the record writer and reader (issue 4).
 *
 * For a seed, generates N records that look like an object store: plain objects drawing
 * properties from a pool of 30 names, each property with its own type biases (most fields
 * keep one type and become typed columns, some mix types and become VARIANT, some are
 * optional, null or undefined), nested objects, arrays, Maps, Sets, Dates, BigInts (int64,
 * 38 digits, huge), ArrayBuffers and Uint8Arrays, other typed arrays; and a fraction of
 * records with the exotic values of tests/unit/test_value_gen.h (cycles, shared references,
 * lone surrogates, holes, RegExp, boxed primitives, Errors, Blobs, host objects...).
 *
 * Each run writes the records with idbpq_record_writer (two passes: observe every record,
 * begin, write every record again — regenerated from the seed, never kept — or one pass over
 * a small sample) to a temporary file, reads them back with idbpq_record_reader and checks
 * every value with idbpq_value_equal_ex(..., IDBPQ_EQ_UNORDERED) and every key with
 * idbpq_value_equal, plus the file's store description, the writer's counts (records, the
 * sum of the reasons, no SCHEMA fallback in two passes) and that every record the generator
 * made unrepresentable on purpose (a cycle to the record, an object shared by two fields)
 * went to `_raw`.
 *
 *   roundtrip [--seed S] [--n N] [--runs a,b,...] [--exotic PERMILLE] [--dir TMPDIR] [--keep]
 *   roundtrip [--seed S] [--n N] --dump RUN          the records as `idbpq pack` input
 *   roundtrip [--seed S] [--n N] --dump-values RUN   the values only (`pack --values`)
 *
 * Runs: oob2 (out-of-line keys of every type, two passes; N records), oob1 (same, one pass
 * over a 1 MiB sample, small row groups; N/4), inline2 / inline1 (key path "id", the value
 * carries a unique id; N/4 each), json (integer keys, mixed fields as JSON text, zstd; N/10),
 * value (records that are not objects: a `_value` column; N/20). Default: all of them.
 * Prints one "ok - mapping-roundtrip ..." / "not ok - ..." line per run, and for a failing
 * run the first mismatch with both values as tagged JSON. Exit 1 on any failure.
 */
#include "idbpq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "value/value.h"

uint64_t idbpq_test_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#include "test_value_gen.h"

/* ----- the store-like record generator ---------------------------------------------------- */

enum kind {
    K_INT, K_DOUBLE, K_STRING, K_BOOL, K_DATE, K_BIGINT, K_OBJECT, K_ARRAY, K_MAP, K_SET,
    K_BINARY, K_TYPED, K_MIXED, K_NKINDS
};

/* What values a property (or array element, map value...) holds; derived from a hash of its
 * path so that every record agrees without a table. */
struct prof {
    uint8_t kind;
    int8_t alt;             /* a second kind, -1 none */
    uint8_t alt_pct;        /* percent of present values that take the second kind */
    uint8_t present_pct;    /* object property: percent of records that have it */
    uint8_t null_pct, undef_pct;
    uint8_t sub;            /* BIGINT: 0 int64, 1 up to 38 digits, 2 any size; BINARY: 0
                               ArrayBuffer 1 Uint8Array; TYPED: view kind; MAP: 0 string keys,
                               1 integer keys; STRING: 0 ascii 1 unicode */
    uint8_t edge;           /* sometimes edge values (2^53, NaN, -0...) */
};

static uint64_t mix64(uint64_t x)
{
    uint64_t s = x;
    return idbpq_test_rand(&s);
}

static const char *const NAMES[30] = {
    "name", "email", "age", "score", "active", "createdAt", "updatedAt", "tags", "profile",
    "address", "meta", "count", "price", "ratio", "title", "body", "flags", "attachments",
    "avatar", "coords", "history", "settings", "lastLogin", "balance", "uid", "status", "note",
    "extra", "vec", "lookup"};
static const char *const SUBNAMES[10] = {"street", "city", "zip", "lat", "lng", "label", "n",
                                         "items", "when", "$type"};

static struct prof prof_of(uint64_t schema_seed, uint64_t path, int depth)
{
    uint64_t s = schema_seed ^ mix64(path);
    struct prof p;
    memset(&p, 0, sizeof p);
    /* weights per kind; containers only near the top */
    static const uint8_t w[K_NKINDS] = {14, 10, 18, 6, 6, 4, 10, 8, 4, 3, 4, 4, 6};
    uint32_t total = 0, r;
    int k;
    for (k = 0; k < K_NKINDS; k++) total += w[k];
    do {
        r = (uint32_t)(idbpq_test_rand(&s) % total);
        for (k = 0; k < K_NKINDS && r >= w[k]; k++) r -= w[k];
    } while (depth >= 3 && (k == K_OBJECT || k == K_ARRAY || k == K_MAP || k == K_SET ||
                            k == K_MIXED));
    p.kind = (uint8_t)k;
    r = (uint32_t)(idbpq_test_rand(&s) % 100);
    p.alt = -1;
    if (r >= 70 && p.kind != K_MIXED) {
        int a;
        /* second kinds a VARIANT cannot hold (Map, Set, typed arrays) are rarer */
        do a = (int)(idbpq_test_rand(&s) % K_NKINDS);
        while (a == p.kind || a == K_MIXED ||
               (depth >= 3 && (a == K_OBJECT || a == K_ARRAY || a == K_MAP || a == K_SET)) ||
               ((a == K_MAP || a == K_SET || a == K_TYPED) && idbpq_test_rand(&s) % 5));
        p.alt = (int8_t)a;
        p.alt_pct = (uint8_t)(r < 90 ? 1 + idbpq_test_rand(&s) % 10 : 20 + idbpq_test_rand(&s) % 31);
    }
    r = (uint32_t)(idbpq_test_rand(&s) % 100);
    p.present_pct = (uint8_t)(r < 40 ? 100 : r < 80 ? 60 + idbpq_test_rand(&s) % 40 : 5 + idbpq_test_rand(&s) % 50);
    r = (uint32_t)(idbpq_test_rand(&s) % 100);
    p.null_pct = (uint8_t)(r < 65 ? 0 : 2 + idbpq_test_rand(&s) % 20);
    r = (uint32_t)(idbpq_test_rand(&s) % 100);
    p.undef_pct = (uint8_t)(r < 85 ? 0 : 1 + idbpq_test_rand(&s) % 8);
    /* undefined cannot be in a VARIANT (the record falls back): rarer in mixed fields */
    if ((p.kind == K_MIXED || p.alt >= 0) && idbpq_test_rand(&s) % 5) p.undef_pct = 0;
    r = (uint32_t)idbpq_test_rand(&s);
    switch (p.kind) {
    case K_BIGINT: p.sub = (uint8_t)(r % 100 < 70 ? 0 : r % 100 < 90 ? 1 : 2); break;
    case K_BINARY: p.sub = (uint8_t)(r % 2); break;
    case K_TYPED: {
        static const uint8_t views[] = {IDBPQ_VIEW_INT8, IDBPQ_VIEW_UINT8_CLAMPED,
                                        IDBPQ_VIEW_INT16, IDBPQ_VIEW_UINT16, IDBPQ_VIEW_INT32,
                                        IDBPQ_VIEW_UINT32, IDBPQ_VIEW_FLOAT32,
                                        IDBPQ_VIEW_FLOAT64, IDBPQ_VIEW_BIGINT64,
                                        IDBPQ_VIEW_BIGUINT64, IDBPQ_VIEW_FLOAT32,
                                        IDBPQ_VIEW_FLOAT64, IDBPQ_VIEW_FLOAT16};
        p.sub = views[r % sizeof views];
        break;
    }
    case K_MAP: p.sub = (uint8_t)(r % 2); break;
    case K_STRING: p.sub = (uint8_t)(r % 4 == 0); break;
    default: break;
    }
    p.edge = (uint8_t)((r >> 8) % 5 == 0);
    return p;
}

struct rgen {
    struct gen g;            /* test_value_gen.h's state: rs, batch, pool */
    uint64_t schema_seed;
    int exotic;              /* this record gets exotic values */
    int must_fallback;       /* the generator made it unrepresentable in columns for sure */
    int vsafe;               /* inside a mixed field (a VARIANT): mostly kinds it can hold */
};

static uint32_t R(struct rgen *r, uint32_t n) { return g_rand(&r->g, n); }
static int pct(struct rgen *r, uint32_t p) { return R(r, 100) < p; }

static idbpq_value *v_str(struct rgen *r, const char *s) { return idbpq_value_string_utf8(r->g.b, s, strlen(s)); }
static idbpq_value *v_num(struct rgen *r, double d) { return idbpq_value_number(r->g.b, d); }
static idbpq_value *v_type(struct rgen *r, idbpq_vtype t) { return idbpq_value_new(r->g.b, t); }

static idbpq_value *v_obj(struct rgen *r, uint32_t cap)
{
    idbpq_value *o = v_type(r, IDBPQ_V_OBJECT);
    o->u.object.props = idbpq_vbatch_alloc(r->g.b, (cap + 1) * sizeof(idbpq_prop));
    return o;
}

static void v_set(struct rgen *r, idbpq_value *o, const char *name, idbpq_value *v)
{
    idbpq_prop *p = &o->u.object.props[o->u.object.n++];
    p->key = v_str(r, name);
    p->value = v;
}

static idbpq_value *v_bigint_bytes(struct rgen *r, const uint8_t *mag, uint32_t n, int neg)
{
    while (n && mag[n - 1] == 0) n--;
    uint8_t *d = idbpq_vbatch_alloc(r->g.b, n + 1);
    memcpy(d, mag, n);
    idbpq_value *v = v_type(r, IDBPQ_V_BIGINT);
    v->u.bigint.digits = d;
    v->u.bigint.len = n;
    v->u.bigint.negative = n ? neg : 0;
    return v;
}

static idbpq_value *v_bigint64(struct rgen *r, int64_t x)
{
    uint64_t m = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(m >> (8 * i));
    return v_bigint_bytes(r, b, 8, x < 0);
}

static idbpq_value *v_date(struct rgen *r, double ms)
{
    idbpq_value *v = v_type(r, IDBPQ_V_DATE);
    v->u.number = ms;
    return v;
}

static idbpq_value *v_buffer(struct rgen *r, uint32_t len)
{
    idbpq_value *v = v_type(r, IDBPQ_V_ARRAY_BUFFER);
    uint8_t *d = idbpq_vbatch_alloc(r->g.b, len + 1);
    for (uint32_t i = 0; i < len; i++) d[i] = (uint8_t)R(r, 256);
    v->u.buffer.bytes = d;
    v->u.buffer.len = len;
    return v;
}

static idbpq_value *v_view(struct rgen *r, idbpq_view_kind kind, uint32_t len)
{
    idbpq_value *v = v_type(r, IDBPQ_V_VIEW);
    v->u.view.buffer = v_buffer(r, len);
    v->u.view.kind = kind;
    v->u.view.offset = 0;
    v->u.view.length = len;
    return v;
}

static int64_t rand_int(struct rgen *r, int edge)
{
    const int64_t two53 = (int64_t)1 << 53;
    if (edge && pct(r, 5)) {
        static const int64_t e[] = {0, 1, -1, (int64_t)1 << 53, -((int64_t)1 << 53),
                                    ((int64_t)1 << 53) - 1, 2147483647, -2147483648LL};
        return e[R(r, 8)];
    }
    switch (R(r, 4)) {
    case 0: return (int64_t)R(r, 100);
    case 1: return (int64_t)R(r, 100000) - 50000;
    case 2: return (int64_t)(idbpq_test_rand(&r->g.rs) % (uint64_t)two53) * (R(r, 2) ? 1 : -1);
    default: return (int64_t)R(r, 1u << 31);
    }
}

static double rand_double(struct rgen *r, int edge)
{
    if (edge && pct(r, 8)) {
        static const double e[] = {0.0, -0.0, INFINITY, -INFINITY, 5e-324, 1.7976931348623157e308, 0.1};
        if (R(r, 8) == 0) return NAN;
        return e[R(r, 7)];
    }
    switch (R(r, 4)) {
    case 0: return (double)R(r, 10000) / 100.0;
    case 1: return ((double)idbpq_test_rand(&r->g.rs) / 18446744073709551616.0 - 0.5) * 1e6;
    case 2: return (double)(int32_t)R(r, 1000) + 0.5;
    default: {
        uint64_t bits = idbpq_test_rand(&r->g.rs);
        double d;
        memcpy(&d, &bits, 8);
        return isnan(d) ? 1.25 : d;
    }
    }
}

static idbpq_value *rand_string(struct rgen *r, int unicode, int edge)
{
    static const char *const words[] = {"alpha", "bravo", "charlie", "delta", "echo", "fox",
                                        "golf", "", "a b", "x\"y", "back\\slash", "new\nline",
                                        "$dollar", "tab\there"};
    if (!unicode) {
        char buf[64];
        const char *w = words[R(r, 14)];
        if (edge || R(r, 3) == 0) return v_str(r, w);
        snprintf(buf, sizeof buf, "%s-%u", w, R(r, 100000));
        return v_str(r, buf);
    }
    uint16_t u[24];
    uint32_t n = R(r, 12), i = 0;
    while (i < n) {
        uint32_t c = R(r, 10);
        if (c < 4) u[i++] = (uint16_t)(0x20 + R(r, 0x5f));
        else if (c < 6) u[i++] = (uint16_t)(0xa0 + R(r, 0x60));
        else if (c < 8) u[i++] = (uint16_t)(0x4e00 + R(r, 0x5000));
        else if (c < 9) u[i++] = (uint16_t)(R(r, 2) ? 0 : 0xfffe + R(r, 2)); /* NUL, U+FFFE/F */
        else if (i + 1 < 24) {                                             /* a valid pair */
            u[i++] = (uint16_t)(0xd800 + R(r, 0x400));
            u[i++] = (uint16_t)(0xdc00 + R(r, 0x400));
        }
    }
    return idbpq__value_units(r->g.b, u, i);
}

static idbpq_value *gen_of(struct rgen *r, struct prof p, uint64_t path, int depth);
static idbpq_value *gen_present(struct rgen *r, struct prof p, uint64_t path, int depth, int strict);
static idbpq_value *gen_kind(struct rgen *r, int kind, struct prof p, uint64_t path, int depth);

static idbpq_value *gen_object(struct rgen *r, uint64_t path, int depth, const char *const *names,
                               uint32_t n_names)
{
    idbpq_value *o = v_obj(r, n_names + 4);
    if (r->exotic) g_pool(&r->g, o);
    uint32_t start = R(r, 4) == 0 ? R(r, n_names) : 0; /* property order varies sometimes */
    for (uint32_t j = 0; j < n_names; j++) {
        uint32_t f = (start + j) % n_names;
        uint64_t fpath = path * 1315423911u + f + 1;
        struct prof fp = prof_of(r->schema_seed, fpath, depth + 1);
        if (!pct(r, fp.present_pct)) continue;
        v_set(r, o, names[f], gen_of(r, fp, fpath, depth + 1));
    }
    return o;
}

static idbpq_value *gen_kind(struct rgen *r, int kind, struct prof p, uint64_t path, int depth)
{
    idbpq_value *v;
    uint32_t n, i;
    struct prof ep;
    switch ((enum kind)kind) {
    case K_INT: return v_num(r, (double)rand_int(r, p.edge));
    case K_DOUBLE: return v_num(r, rand_double(r, p.edge));
    case K_STRING: return rand_string(r, p.sub, p.edge);
    case K_BOOL:
        v = v_type(r, IDBPQ_V_BOOLEAN);
        v->u.boolean = (int32_t)R(r, 2);
        return v;
    case K_DATE: {
        double ms = 1.7e12 + (double)((int64_t)R(r, 2000000000) - 1000000000) * 10.0 + R(r, 1000);
        if (p.edge && pct(r, 5)) {
            static const double e[] = {0, -1, 8.64e15, -8.64e15, -62135596800000.0, 253402300799999.0};
            ms = e[R(r, 6)];
        }
        return v_date(r, ms);
    }
    case K_BIGINT: {
        uint32_t c = R(r, 100);
        if (p.sub == 0 || c < 60) {
            int64_t x = (int64_t)idbpq_test_rand(&r->g.rs);
            if (R(r, 2)) x >>= R(r, 60);
            if (p.edge && pct(r, 10)) x = R(r, 2) ? INT64_MIN : INT64_MAX;
            return v_bigint64(r, x);
        }
        uint8_t mag[40];
        uint32_t len = p.sub == 1 || c < 85 ? 9 + R(r, 7) : 17 + R(r, 23); /* <= 2^126 or more */
        for (i = 0; i < len; i++) mag[i] = (uint8_t)R(r, 256);
        mag[len - 1] |= 1;
        return v_bigint_bytes(r, mag, len, (int)R(r, 2));
    }
    case K_OBJECT: return gen_object(r, path, depth, SUBNAMES, 10);
    case K_ARRAY:
        n = R(r, 7);
        v = v_type(r, IDBPQ_V_ARRAY);
        if (r->exotic) g_pool(&r->g, v);
        v->u.array.items = idbpq_vbatch_alloc(r->g.b, (n + 1) * sizeof(idbpq_value *));
        v->u.array.length = n;
        ep = prof_of(r->schema_seed, path * 31 + 7, depth + 1);
        for (i = 0; i < n; i++) v->u.array.items[i] = gen_of(r, ep, path * 31 + 7, depth + 1);
        return v;
    case K_SET:
        n = R(r, 5);
        v = v_type(r, IDBPQ_V_SET);
        if (r->exotic) g_pool(&r->g, v);
        v->u.coll.items = idbpq_vbatch_alloc(r->g.b, (n + 1) * sizeof(idbpq_value *));
        v->u.coll.n = n;
        for (i = 0; i < n; i++) {
            char t[32];
            snprintf(t, sizeof t, "s%u-%u", i, R(r, 1000)); /* distinct by i */
            v->u.coll.items[i] = p.sub ? v_num(r, (double)(i * 1000 + R(r, 1000))) : v_str(r, t);
        }
        return v;
    case K_MAP:
        n = R(r, 5);
        v = v_type(r, IDBPQ_V_MAP);
        if (r->exotic) g_pool(&r->g, v);
        v->u.coll.items = idbpq_vbatch_alloc(r->g.b, (2 * n + 1) * sizeof(idbpq_value *));
        v->u.coll.n = n;
        ep = prof_of(r->schema_seed, path * 31 + 11, depth + 1);
        for (i = 0; i < n; i++) {
            char t[32];
            snprintf(t, sizeof t, "k%u", i * 7 + R(r, 7));
            v->u.coll.items[2 * i] = p.sub ? v_num(r, (double)(i * 10 + R(r, 10))) : v_str(r, t);
            v->u.coll.items[2 * i + 1] = gen_of(r, ep, path * 31 + 11, depth + 1);
        }
        return v;
    case K_BINARY:
        n = R(r, 33);
        return p.sub ? v_view(r, IDBPQ_VIEW_UINT8, n) : v_buffer(r, n);
    case K_TYPED: {
        static const uint8_t es[] = {1, 1, 1, 2, 2, 4, 4, 2, 4, 8, 8, 8, 1};
        n = R(r, 9);
        return v_view(r, (idbpq_view_kind)p.sub, n * es[p.sub]);
    }
    case K_MIXED: {
        static const uint8_t ks[] = {K_INT, K_DOUBLE, K_STRING, K_BOOL, K_DATE, K_BIGINT,
                                     K_OBJECT, K_ARRAY, K_BINARY, K_STRING, K_INT};
        int k = ks[R(r, sizeof ks)];
        struct prof q = p;
        q.sub = 0;
        if (depth >= 3 && (k == K_OBJECT || k == K_ARRAY)) k = K_STRING;
        return gen_kind(r, k, q, path * 7 + (uint64_t)k, depth);
    }
    case K_NKINDS: break;
    }
    return v_type(r, IDBPQ_V_NULL);
}

static idbpq_value *gen_of(struct rgen *r, struct prof p, uint64_t path, int depth)
{
    int saved = r->vsafe;
    if (p.alt >= 0 || p.kind == K_MIXED) r->vsafe = 1;
    /* in a VARIANT, Maps, Sets, typed arrays, undefined and huge BigInts make the record
     * fall back: let 0.3 % of them through */
    int strict = r->vsafe && R(r, 1000) >= 3;
    uint32_t c = R(r, 100);
    idbpq_value *v;
    if (c < p.null_pct) v = v_type(r, IDBPQ_V_NULL);
    else if (c < (uint32_t)p.null_pct + p.undef_pct) v = v_type(r, strict ? IDBPQ_V_NULL : IDBPQ_V_UNDEFINED);
    else v = gen_present(r, p, path, depth, strict);
    r->vsafe = saved;
    return v;
}

static idbpq_value *gen_present(struct rgen *r, struct prof p, uint64_t path, int depth, int strict)
{
    int kind = p.kind;
    if (p.alt >= 0 && pct(r, p.alt_pct)) kind = p.alt;
    struct prof q = p;
    if (kind != p.kind) { /* the second kind's own parameters */
        q = prof_of(r->schema_seed, path * 17 + 3, depth);
        q.kind = (uint8_t)kind;
        if (kind == K_TYPED && p.kind != K_TYPED) q.sub = IDBPQ_VIEW_FLOAT64;
        if (kind == K_BIGINT) q.sub = 0;
        if (kind == K_BINARY) q.sub = (uint8_t)(path & 1);
        if (kind == K_MAP || kind == K_STRING) q.sub = 0;
    }
    if (strict && (kind == K_MAP || kind == K_SET || kind == K_TYPED)) kind = K_STRING;
    if (strict && kind == K_BIGINT) q.sub = 0;
    /* a VARIANT holds one of ArrayBuffer / Uint8Array (the column's), the other falls back */
    if (strict && kind == K_BINARY) q.sub = 0;
    return gen_kind(r, kind, q, path, depth);
}

/* ----- exotic values ------------------------------------------------------------------------ */

static idbpq_value *lone_surrogate(struct rgen *r)
{
    uint16_t u[4] = {'a', (uint16_t)(R(r, 2) ? 0xd800 + R(r, 0x400) : 0xdc00 + R(r, 0x400)), 'b', 'c'};
    return idbpq__value_utf16(r->g.b, u, 1 + R(r, 4));
}

/* Changes a record (an object) so that it carries something unusual. */
static void make_exotic(struct rgen *r, idbpq_value *o)
{
    uint32_t what = R(r, 12);
    char name[16];
    idbpq_value *v;
    snprintf(name, sizeof name, "%s", NAMES[R(r, 30)]);
    /* replace the property if present, else add it */
    idbpq_value **slot = NULL;
    for (uint32_t i = 0; i < o->u.object.n; i++) {
        idbpq_str s = o->u.object.props[i].key->u.str;
        if (o->u.object.props[i].key->type == IDBPQ_V_STRING && !s.two_byte &&
            s.len == strlen(name) && !memcmp(s.data, name, s.len))
            slot = &o->u.object.props[i].value;
    }
    switch (what) {
    case 0: /* a cycle back to the record */
        v = o;
        r->must_fallback = 1;
        break;
    case 1: { /* one object under two properties (names outside the pool: never taken) */
        idbpq_value *shared = v_obj(r, 1);
        v_set(r, shared, "x", v_num(r, (double)R(r, 100)));
        v_set(r, o, "shared1", shared);
        v_set(r, o, "shared2", shared);
        r->must_fallback = 1;
        return;
    }
    case 2: v = lone_surrogate(r); break;
    case 3: { /* an array with a hole, or with an extra property */
        v = v_type(r, IDBPQ_V_ARRAY);
        v->u.array.length = 3;
        v->u.array.items = idbpq_vbatch_alloc(r->g.b, 4 * sizeof(idbpq_value *));
        v->u.array.items[0] = v_num(r, 1);
        v->u.array.items[1] = R(r, 2) ? v_type(r, IDBPQ_V_HOLE) : v_num(r, 2);
        v->u.array.items[2] = v_num(r, 3);
        if (v->u.array.items[1]->type != IDBPQ_V_HOLE) {
            v->u.array.props = idbpq_vbatch_alloc(r->g.b, sizeof(idbpq_prop));
            v->u.array.props[0].key = v_str(r, "label");
            v->u.array.props[0].value = v_str(r, "x");
            v->u.array.n_props = 1;
        }
        break;
    }
    case 4: /* an invalid Date, -0, a NaN Date */
        v = R(r, 2) ? v_date(r, NAN) : v_num(r, -0.0);
        break;
    case 5: { /* a view that is not its whole buffer, a resizable buffer, a DataView */
        uint32_t k = R(r, 3);
        if (k == 0) {
            v = v_view(r, IDBPQ_VIEW_UINT8, 16);
            v->u.view.offset = 4;
            v->u.view.length = 8;
        } else if (k == 1) {
            v = v_buffer(r, 8);
            v->u.buffer.resizable = 1;
            v->u.buffer.max_len = 64;
        } else {
            v = v_view(r, IDBPQ_VIEW_DATAVIEW, 8);
        }
        break;
    }
    default: /* anything test_value_gen.h makes (RegExp, boxed, Error, Blob, host...) */
        v = g_value(&r->g, 1);
        break;
    }
    if (slot) *slot = v;
    else v_set(r, o, name, v);
}

/* ----- keys --------------------------------------------------------------------------------- */

/* A unique key for record i (unique by construction within each key type). types: 0 integer
 * keys only, 1 every key type. */
static idbpq_value *gen_key(struct rgen *r, uint64_t i, int types, int depth)
{
    if (types == 0) return v_num(r, (double)(i + 1));
    char t[48];
    idbpq_value *v;
    switch (R(r, depth ? 4 : 6)) {
    case 0: return v_num(r, R(r, 2) ? (double)i * 1.5 - 1e6 : -(double)i - 0.25);
    case 1: return v_date(r, 1.6e12 + (double)i * 3);
    case 2:
        if (R(r, 8) == 0) { /* unicode, with a pair */
            uint16_t u[16];
            int n = snprintf(t, sizeof t, "%llu", (unsigned long long)i);
            for (int j = 0; j < n; j++) u[j] = (uint16_t)t[j];
            u[n] = 0xd83d; u[n + 1] = 0xde00; u[n + 2] = 0xe9;
            return idbpq__value_units(r->g.b, u, (uint32_t)n + 3);
        }
        snprintf(t, sizeof t, "user:%llu", (unsigned long long)i);
        return v_str(r, t);
    case 3: {
        v = v_buffer(r, 8 + R(r, 4));
        uint8_t *d = (uint8_t *)v->u.buffer.bytes;
        for (int j = 0; j < 8; j++) d[j] = (uint8_t)(i >> (56 - 8 * j));
        return v;
    }
    default: {
        v = v_type(r, IDBPQ_V_ARRAY);
        uint32_t n = 2;
        v->u.array.items = idbpq_vbatch_alloc(r->g.b, 3 * sizeof(idbpq_value *));
        v->u.array.length = n;
        v->u.array.items[0] = gen_key(r, i, 1, depth + 1);
        v->u.array.items[1] = R(r, 2) ? v_str(r, "x") : v_num(r, (double)R(r, 10));
        return v;
    }
    }
}

/* ----- runs --------------------------------------------------------------------------------- */

enum run_kind { RUN_OOB, RUN_INLINE, RUN_VALUE };

struct run {
    const char *name;
    enum run_kind kind;
    int one_pass;
    int key_types;           /* 0 integers, 1 all */
    int json;                /* mixed_as_json */
    int codec;               /* -1 default */
    uint64_t row_group_bytes; /* 0 default */
    uint64_t sample_bytes;   /* one pass: 0 default */
    uint32_t n_div;          /* N / n_div records */
};

static const struct run RUNS[] = {
    {"oob2", RUN_OOB, 0, 1, 0, -1, 0, 0, 1},
    {"oob1", RUN_OOB, 1, 1, 0, -1, 4u << 20, 1u << 20, 4},
    {"inline2", RUN_INLINE, 0, 1, 0, -1, 8u << 20, 0, 4},
    {"inline1", RUN_INLINE, 1, 1, 0, IDBPQ_CODEC_UNCOMPRESSED, 0, 1u << 20, 4},
    {"json", RUN_OOB, 0, 0, 1, IDBPQ_CODEC_ZSTD, 0, 0, 10},
    {"value", RUN_VALUE, 0, 0, 0, -1, 0, 0, 20},
};

struct cfg {
    uint64_t seed;
    uint64_t n;
    uint32_t exotic_permille;
    const char *dir;
    int keep;                /* leave the Parquet files (their paths are printed) */
};

/* Record i of a run: key (NULL for in-line keys) and value, in batch b. */
static void gen_record(const struct cfg *c, const struct run *run, idbpq_vbatch *b, uint64_t i,
                       idbpq_value **key, idbpq_value **value, int *must_fallback)
{
    struct rgen r;
    memset(&r, 0, sizeof r);
    r.g.b = b;
    r.g.rs = mix64(c->seed * 0x100000001b3ull + i) ^ (uint64_t)run->kind << 60;
    r.schema_seed = mix64(c->seed ^ 0x5ca1ab1e);
    r.exotic = R(&r, 1000) < c->exotic_permille;
    idbpq_value *v;
    if (run->kind == RUN_VALUE) {
        struct prof p = prof_of(r.schema_seed, 424242, 0);
        p.kind = K_MIXED;
        p.null_pct = 3;
        p.undef_pct = 1;
        v = gen_of(&r, p, 424242, 0);
        if (r.exotic) v = gen_value(b, idbpq_test_rand(&r.g.rs)); /* an independent graph */
        *key = gen_key(&r, i, run->key_types, 0);
    } else {
        v = gen_object(&r, 1, 0, NAMES, 30);
        if (r.exotic) make_exotic(&r, v);
        if (run->kind == RUN_INLINE) {
            /* the unique id first, as an app would put it */
            idbpq_value *id = gen_key(&r, i, run->key_types, 0);
            idbpq_prop *props = idbpq_vbatch_alloc(b, (v->u.object.n + 1) * sizeof(idbpq_prop));
            props[0].key = v_str(&r, "id");
            props[0].value = id;
            memcpy(props + 1, v->u.object.props, v->u.object.n * sizeof(idbpq_prop));
            v->u.object.props = props;
            v->u.object.n++;
            *key = NULL;
        } else {
            *key = gen_key(&r, i, run->key_types, 0);
            if (r.exotic && R(&r, 10) == 0) { /* a record that is not an object */
                v = R(&r, 2) ? v_str(&r, "just a string") : g_value(&r.g, 0);
            }
        }
    }
    *value = v;
    if (must_fallback) *must_fallback = r.must_fallback;
}

static void print_tjson(const char *label, const idbpq_value *v)
{
    idbpq_buffer buf;
    idbpq_buffer_init(&buf, NULL);
    if (!v) printf("#   %s: (none)\n", label);
    else if (idbpq_tjson_write(v, &buf) != IDBPQ_OK) printf("#   %s: (tjson_write failed)\n", label);
    else printf("#   %s: %.*s\n", label, (int)(buf.len > 4000 ? 4000 : buf.len), (const char *)buf.data);
    idbpq_buffer_free(&buf);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs one configuration; returns 0 when everything matched. */
static int do_run(const struct cfg *c, const struct run *run)
{
    uint64_t n = c->n / run->n_div;
    if (n == 0) n = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/idbpq-roundtrip-%d-%s-%llu.parquet", c->dir, (int)getpid(),
             run->name, (unsigned long long)c->seed);
    char head[256];
    snprintf(head, sizeof head, "mapping-roundtrip seed %llu %s n=%llu",
             (unsigned long long)c->seed, run->name, (unsigned long long)n);
    double t0 = now();

    const char *kp_paths[1] = {"id"};
    const char *ix_paths[1] = {"name"};
    idbpq_index_desc ix = {"by_name", {1, 1, ix_paths}, 0, 0};
    idbpq_store_desc store;
    memset(&store, 0, sizeof store);
    store.origin = "https://example.com";
    store.database = "app";
    store.db_version = 7;
    store.name = "things";
    if (run->kind == RUN_INLINE) {
        store.key_path.type = 1;
        store.key_path.n = 1;
        store.key_path.paths = kp_paths;
    }
    store.n_indexes = 1;
    store.indexes = &ix;

    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    if (run->json) o.mixed_as_json = 1;
    if (run->codec >= 0) o.parquet.codec = (idbpq_codec)run->codec;
    if (run->row_group_bytes) o.parquet.row_group_bytes = run->row_group_bytes;
    if (run->sample_bytes) o.sample_bytes = run->sample_bytes;

    idbpq_vbatch *b = NULL;
    idbpq_record_writer *w = NULL;
    idbpq_file_sink *fs = NULL;
    idbpq_sink sink;
    idbpq_record_stats stats;
    memset(&stats, 0, sizeof stats);
    char err[512] = "";
    idbpq_status st;
    uint64_t must = 0, i;
    int failed = 0;

    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) return 1;
    st = idbpq_record_writer_create(&w, &store, &o, NULL);
    if (st != IDBPQ_OK) {
        printf("not ok - %s: record_writer_create: %s\n", head, idbpq_status_name(st));
        idbpq_vbatch_free(b);
        return 1;
    }
#define WFAIL(what, idx)                                                                     \
    do {                                                                                     \
        printf("not ok - %s: %s failed at record %llu: %s: %s\n", head, what,                \
               (unsigned long long)(idx), idbpq_status_name(st), idbpq_record_writer_errmsg(w)); \
        failed = 1;                                                                          \
        goto done;                                                                           \
    } while (0)
    if (!run->one_pass) {
        for (i = 0; i < n; i++) {
            idbpq_value *k, *v;
            if ((i & 1023) == 0) idbpq_vbatch_reset(b);
            gen_record(c, run, b, i, &k, &v, NULL);
            st = idbpq_record_writer_observe(w, k, v);
            if (st != IDBPQ_OK) WFAIL("observe", i);
        }
    }
    st = idbpq_file_sink_open(&fs, path, &sink, err, sizeof err);
    if (st != IDBPQ_OK) {
        printf("not ok - %s: cannot open %s: %s\n", head, path, err);
        failed = 1;
        goto done;
    }
    st = idbpq_record_writer_begin(w, &sink);
    if (st != IDBPQ_OK) WFAIL("begin", (uint64_t)0);
    for (i = 0; i < n; i++) {
        idbpq_value *k, *v;
        int mf = 0;
        idbpq_vbatch_reset(b); /* the writer keeps nothing of ours (it copies a sample) */
        gen_record(c, run, b, i, &k, &v, &mf);
        must += (uint64_t)mf;
        st = idbpq_record_writer_write(w, k, v);
        if (st != IDBPQ_OK) {
            WFAIL("write", i);
        }
    }
    st = idbpq_record_writer_finish(w, &stats);
    if (st != IDBPQ_OK) WFAIL("finish", n);
    st = idbpq_file_sink_commit(fs, err, sizeof err); /* the abort at `done` then only frees */
    if (st != IDBPQ_OK) {
        printf("not ok - %s: commit: %s\n", head, err);
        failed = 1;
        goto done;
    }
    double t_write = now() - t0;

    /* ---- read back ---- */
    {
        idbpq_file_source *fsrc = NULL;
        idbpq_source src;
        idbpq_reader *rd = NULL;
        idbpq_record_reader *rr = NULL;
        uint64_t mismatches = 0, key_mismatches = 0, got = 0;
        char why[1024] = "";
        st = idbpq_file_source_open(&fsrc, path, &src, err, sizeof err);
        if (st == IDBPQ_OK) st = idbpq_reader_open(&rd, &src, NULL, NULL, err, sizeof err);
        if (st != IDBPQ_OK) {
            printf("not ok - %s: cannot read the file back: %s\n", head, err);
            idbpq_file_source_close(fsrc);
            failed = 1;
            goto done;
        }
        idbpq_record_reader_opts ro;
        idbpq_record_reader_opts_init(&ro);
        st = idbpq_record_reader_open(&rr, rd, &ro, NULL);
        if (st != IDBPQ_OK) {
            printf("not ok - %s: record_reader_open: %s: %s\n", head, idbpq_status_name(st),
                   rr ? idbpq_record_reader_errmsg(rr) : idbpq_reader_errmsg(rd));
            failed = 1;
        } else {
            /* the store description comes back */
            const idbpq_store_desc *sd = idbpq_record_reader_store(rr);
            if (!idbpq_record_reader_native(rr)) snprintf(why, sizeof why, "file not recognised as idbpq's");
            else if (!sd) snprintf(why, sizeof why, "no store description");
            else if (!sd->name || strcmp(sd->name, "things") || !sd->database ||
                     strcmp(sd->database, "app") || !sd->origin ||
                     strcmp(sd->origin, "https://example.com") || sd->db_version != 7)
                snprintf(why, sizeof why, "store names differ: name %s database %s origin %s version %llu",
                         sd->name ? sd->name : "(null)", sd->database ? sd->database : "(null)",
                         sd->origin ? sd->origin : "(null)", (unsigned long long)sd->db_version);
            else if (sd->key_path.type != store.key_path.type ||
                     (store.key_path.type == 1 &&
                      (sd->key_path.n != 1 || !sd->key_path.paths || strcmp(sd->key_path.paths[0], "id"))))
                snprintf(why, sizeof why, "key path differs (type %d)", (int)sd->key_path.type);
            else if (sd->n_indexes != 1 || !sd->indexes[0].name || strcmp(sd->indexes[0].name, "by_name") ||
                     sd->indexes[0].key_path.type != 1 || sd->indexes[0].key_path.n != 1 ||
                     strcmp(sd->indexes[0].key_path.paths[0], "name") || sd->indexes[0].unique ||
                     sd->indexes[0].multi_entry)
                snprintf(why, sizeof why, "index description differs (%u indexes)", sd->n_indexes);
            if (why[0]) failed = 1;

            idbpq_vbatch *rb = NULL, *eb = NULL;
            idbpq_vbatch_create(&rb, NULL);
            idbpq_vbatch_create(&eb, NULL);
            for (i = 0;; i++) {
                idbpq_value *k = NULL, *v = NULL, *ek, *ev;
                idbpq_vbatch_reset(rb);
                idbpq_vbatch_reset(eb);
                st = idbpq_record_reader_next(rr, rb, &k, &v);
                if (st == IDBPQ_END) break;
                if (st != IDBPQ_OK) {
                    snprintf(why, sizeof why, "record_reader_next failed at record %llu: %s: %s",
                             (unsigned long long)i, idbpq_status_name(st), idbpq_record_reader_errmsg(rr));
                    failed = 1;
                    break;
                }
                got++;
                if (i >= n) continue;
                gen_record(c, run, eb, i, &ek, &ev, NULL);
                if (!ek) { /* in-line key: what the key path gives */
                    idbpq_key *key = NULL;
                    idbpq_error e;
                    idbpq_keypath kp = {1, 1, kp_paths};
                    if (idbpq_key_extract(eb, ev, &kp, &key, &e) == IDBPQ_OK)
                        ek = idbpq_key_to_value(eb, key);
                }
                int veq = v && idbpq_value_equal_ex(ev, v, IDBPQ_EQ_UNORDERED);
                int keq = k && ek && idbpq_value_equal(ek, k);
                if ((!veq || !keq) && !mismatches && !key_mismatches) {
                    printf("# %s: first mismatch at record %llu (%s)\n", head, (unsigned long long)i,
                           !veq ? "value" : "key");
                    print_tjson("written key  ", ek);
                    print_tjson("read key     ", k);
                    print_tjson("written value", ev);
                    print_tjson("read value   ", v);
                }
                if (!veq) mismatches++;
                if (!keq) key_mismatches++;
            }
            idbpq_vbatch_free(rb);
            idbpq_vbatch_free(eb);
            if (got != n) {
                if (why[0]) strncat(why, "; ", sizeof why - strlen(why) - 1);
                snprintf(why + strlen(why), sizeof why - strlen(why), "read %llu records, wrote %llu",
                         (unsigned long long)got, (unsigned long long)n);
                failed = 1;
            }
            if (mismatches || key_mismatches) {
                char w2[256];
                snprintf(w2, sizeof w2, "%s%llu values and %llu keys differ", why[0] ? "; " : "",
                         (unsigned long long)mismatches, (unsigned long long)key_mismatches);
                strncat(why, w2, sizeof why - strlen(why) - 1);
                failed = 1;
            }
        }
        idbpq_record_reader_free(rr);
        idbpq_reader_free(rd);
        idbpq_file_source_close(fsrc);

        /* the writer's counts */
        uint64_t sum = 0;
        for (int f = 0; f < IDBPQ_FALLBACK_COUNT; f++) sum += stats.by_reason[f];
        char cw[512] = "";
        if (stats.records != n)
            snprintf(cw, sizeof cw, "stats.records %llu != %llu", (unsigned long long)stats.records,
                     (unsigned long long)n);
        else if (sum != stats.fallbacks)
            snprintf(cw, sizeof cw, "fallbacks %llu but the reasons add up to %llu",
                     (unsigned long long)stats.fallbacks, (unsigned long long)sum);
        else if (!run->one_pass && stats.by_reason[IDBPQ_FALLBACK_SCHEMA])
            snprintf(cw, sizeof cw, "%llu SCHEMA fallbacks in two passes",
                     (unsigned long long)stats.by_reason[IDBPQ_FALLBACK_SCHEMA]);
        else if (stats.fallbacks < must)
            snprintf(cw, sizeof cw, "%llu fallbacks, but %llu records hold a cycle or a shared object",
                     (unsigned long long)stats.fallbacks, (unsigned long long)must);
        if (cw[0]) {
            snprintf(why + strlen(why), sizeof why - strlen(why), "%s%s", why[0] ? "; " : "", cw);
            failed = 1;
        }
        char reasons[512] = "";
        size_t rl = 0;
        for (int f = 0; f < IDBPQ_FALLBACK_COUNT; f++) {
            if (!stats.by_reason[f]) continue;
            rl += (size_t)snprintf(reasons + rl, sizeof reasons - rl, "%s%s %llu", rl ? ", " : "",
                                   idbpq_fallback_name((idbpq_fallback)f),
                                   (unsigned long long)stats.by_reason[f]);
            if (rl >= sizeof reasons) break;
        }
        double t_all = now() - t0;
        printf("%s - %s: %llu fallbacks (%s), %u columns, %u variant fields, %llu bytes; "
               "write %.2fs, total %.2fs%s%s\n",
               failed ? "not ok" : "ok", head, (unsigned long long)stats.fallbacks,
               rl ? reasons : "none", stats.columns, stats.variant_fields,
               (unsigned long long)stats.bytes_out, t_write, t_all, why[0] ? ": " : "", why);
    }
done:
    if (fs) idbpq_file_sink_abort(fs);
    idbpq_record_writer_free(w);
    idbpq_vbatch_free(b);
    if (c->keep) printf("# kept %s\n", path);
    else remove(path);
    fflush(stdout);
    return failed;
}

int main(int argc, char **argv)
{
    struct cfg c;
    c.seed = 1;
    c.n = 100000;
    c.exotic_permille = 20;
    c.keep = 0;
    c.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    const char *runs = NULL;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--seed") && v) c.seed = strtoull(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--n") && v) c.n = strtoull(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--runs") && v) runs = v, a++;
        else if (!strcmp(argv[a], "--exotic") && v) c.exotic_permille = (uint32_t)strtoul(v, NULL, 10), a++;
        else if (!strcmp(argv[a], "--dir") && v) c.dir = v, a++;
        else if (!strcmp(argv[a], "--keep")) c.keep = 1;
        else if ((!strcmp(argv[a], "--dump") || !strcmp(argv[a], "--dump-values")) && v) {
            int values_only = !strcmp(argv[a], "--dump-values");
            /* prints the records of a run as `idbpq pack` input, for reproducing by hand */
            const struct run *run = NULL;
            for (size_t r = 0; r < sizeof RUNS / sizeof RUNS[0]; r++)
                if (!strcmp(RUNS[r].name, v)) run = &RUNS[r];
            if (!run) return 2;
            idbpq_vbatch *b;
            idbpq_vbatch_create(&b, NULL);
            for (uint64_t i = 0; i < c.n; i++) {
                idbpq_value *k, *val;
                idbpq_vbatch_reset(b);
                gen_record(&c, run, b, i, &k, &val, NULL);
                if (values_only) k = NULL;
                idbpq_buffer buf;
                idbpq_buffer_init(&buf, NULL);
                if (k) {
                    fputs("{\"key\":", stdout);
                    idbpq_tjson_write(k, &buf);
                    fwrite(buf.data, 1, buf.len, stdout);
                    fputs(",\"value\":", stdout);
                    buf.len = 0;
                }
                idbpq_tjson_write(val, &buf);
                fwrite(buf.data, 1, buf.len, stdout);
                fputs(k ? "}\n" : "\n", stdout);
                idbpq_buffer_free(&buf);
            }
            idbpq_vbatch_free(b);
            return 0;
        } else {
            fprintf(stderr, "usage: roundtrip [--seed S] [--n N] [--runs a,b] [--exotic PERMILLE] "
                            "[--dir D] [--keep] [--dump RUN | --dump-values RUN]\n");
            return 2;
        }
    }
    int bad = 0;
    for (size_t r = 0; r < sizeof RUNS / sizeof RUNS[0]; r++) {
        if (runs) {
            const char *p = strstr(runs, RUNS[r].name);
            size_t l = strlen(RUNS[r].name);
            int found = 0;
            while (p) {
                if ((p == runs || p[-1] == ',') && (p[l] == ',' || p[l] == 0)) found = 1;
                p = strstr(p + 1, RUNS[r].name);
            }
            if (!found) continue;
        }
        bad |= do_run(&c, &RUNS[r]);
    }
    return bad ? 1 : 0;
}
