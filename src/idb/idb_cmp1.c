/*
 * idb_cmp1.c — the order of whole keys in Chromium's IndexedDB LevelDB ("idb_cmp1"), which
 * any reader merging tables or any writer inserting keys must reproduce exactly.
 * indexeddb-on-disk.md §1.4 (prefix), §1.7–§1.11 (key kinds), §1.12 (the rules); Chromium
 * content/browser/indexed_db/indexed_db_leveldb_coding.cc Compare / CompareSuffix<> /
 * CompareEncodedIDBKeys.
 *
 * Chromium gives up (returns 0, "not ok") on keys it cannot decode, which is no order at all.
 * Here every key is first parsed in full; keys that do not parse (bad prefix, truncated or
 * garbled parts, bytes left over) are "malformed" and sort after every well-formed key, among
 * themselves by bytes. So the order is total, and equals Chromium's wherever Chromium's is
 * defined. Metadata type bytes Chromium does not know (yet) order by type byte, then by the
 * rest of the bytes, so a future singleton lands where Chromium would put it.
 * The parts (prefix, VarInt, StringWithLength, IDBKey) are read and checked by ldb_coding.h's
 * decoders, the same ones the profile reader uses, so both agree on what is well-formed.
 */
#include "idb/ldb_coding.h"

enum ptype { P_GLOBAL, P_DBMETA, P_DATA, P_EXISTS, P_BLOB, P_INDEX };

/* Global metadata type bytes (kSchemaVersionTypeByte... ) and database metadata ones. */
enum { G_SIMPLE_END = 7, G_SCOPES = 50, G_DB_FREE = 100, G_DB_NAME = 201 };
enum { D_SIMPLE_END = 6, D_OS_META = 50, D_INDEX_META = 100, D_OS_FREE = 150, D_INDEX_FREE = 151,
       D_OS_NAMES = 200, D_INDEX_NAMES = 201 };

struct sl {
    const uint8_t *p, *end;
};

struct parsed {
    int64_t db, os, idx;
    enum ptype type;
    uint8_t tb;                    /* metadata type byte */
    uint64_t n1, n2;               /* metadata ids (object store, index) */
    uint8_t meta;                  /* object store / index metadata type */
    struct sl s1, s2;              /* StringWithLength bodies (UTF-16BE); opaque rests */
    struct sl k1, k2;              /* record key / index key, and index primary key */
    int has_seq;
    uint64_t seq;
    size_t rest;                   /* bytes left after the index key and sequence number */
};

/* ---- reading parts: the checks are ldb_coding.h's (err NULL: no message is formatted) ---- */

static void set_sl(struct sl *out, struct idbpq__ldb_bytes b)
{
    out->p = b.p;
    out->end = b.p + b.n;
}

/* Chromium's VarInt, as an int64: larger values come out negative there and are refused. */
static int varint(struct idbpq__ldb_rd *r, uint64_t *v)
{
    int64_t x;
    if (idbpq__ldb_get_varint(r, &x) != IDBPQ_OK) return -1;
    *v = (uint64_t)x;
    return 0;
}

static int str_with_length(struct idbpq__ldb_rd *r, struct sl *body)
{
    struct idbpq__ldb_bytes b;
    if (idbpq__ldb_get_swl_raw(r, &b) != IDBPQ_OK) return -1;
    set_sl(body, b);
    return 0;
}

/* One IDBKey as stored or as a range bound: the sentinels Null (0, "max key") and MinKey (5)
 * are one byte and allowed here, unlike in idbpq_key_decode_leveldb. NaN doubles would make
 * Chromium's number order non-transitive, so they are malformed. */
static int idbkey(struct idbpq__ldb_rd *r, struct sl *key)
{
    struct idbpq__ldb_bytes b;
    if (idbpq__ldb_get_idbkey_raw(r, 1, &b) != IDBPQ_OK) return -1;
    set_sl(key, b);
    return 0;
}

/* A VarInt inside an IDBKey that parse() has already checked. */
static uint64_t checked_varint(struct sl *s)
{
    uint64_t v = 0;
    idbpq__read_uleb(&s->p, s->end, &v);
    return v;
}

/* ---- comparisons on parsed parts ------------------------------------------------------------ */

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }
static int cmp_size(size_t a, size_t b) { return a < b ? -1 : a > b; }

/* Bytewise, then the shorter first (std::string_view::compare; UTF-16BE strings compared so
 * are in code-unit order). */
static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return cmp_size(an, bn);
}
static int cmp_sl(const struct sl *a, const struct sl *b)
{
    return cmp_bytes(a->p, (size_t)(a->end - a->p), b->p, (size_t)(b->end - b->p));
}

/* Ascending: Min < Number < Date < String < Binary < Array < Null (max). Chromium maps the
 * type byte to blink::mojom::IDBKeyType and returns enum(b) - enum(a). */
static int type_rank(uint8_t t)
{
    static const int8_t rank[7] = {6, 3, 2, 1, 5, 0, 4};
    return rank[t];
}

/* Two validated IDBKeys (Chromium CompareEncodedIDBKeys); advances both slices. */
static int idbkey_cmp(struct sl *a, struct sl *b)
{
    uint8_t ta = *a->p++, tb = *b->p++;
    if (ta != tb) return type_rank(ta) < type_rank(tb) ? -1 : 1;
    uint64_t na, nb;
    switch (ta) {
    case 2:
    case 3: {
        double x, y;
        memcpy(&x, a->p, 8);
        memcpy(&y, b->p, 8);
        a->p += 8;
        b->p += 8;
        return x < y ? -1 : x > y; /* -0 == +0, as Chromium's `<` / `>` */
    }
    case 1:
    case 6: {
        unsigned w = ta == 1 ? 2 : 1;
        na = checked_varint(a);
        nb = checked_varint(b);
        const uint8_t *pa = a->p, *pb = b->p;
        a->p += w * na;
        b->p += w * nb;
        return cmp_bytes(pa, (size_t)(w * na), pb, (size_t)(w * nb));
    }
    case 4:
        na = checked_varint(a);
        nb = checked_varint(b);
        for (uint64_t i = 0; i < na && i < nb; i++) {
            int c = idbkey_cmp(a, b);
            if (c) return c;
        }
        return cmp_u64(na, nb);
    default: /* the sentinels: no payload */
        return 0;
    }
}

static int idbkey_cmp_sl(const struct sl *a, const struct sl *b)
{
    struct sl x = *a, y = *b;
    return idbkey_cmp(&x, &y);
}

/* ---- parsing a whole key ------------------------------------------------------------------- */

static int parse_global(struct idbpq__ldb_rd *s, struct parsed *k)
{
    if (s->p >= s->end) return -1;
    k->tb = *s->p++;
    if (k->tb == G_DB_FREE) {
        if (varint(s, &k->n1) != 0) return -1;
    } else if (k->tb == G_DB_NAME) {
        if (str_with_length(s, &k->s1) != 0 || str_with_length(s, &k->s2) != 0) return -1;
    } else {
        /* Singletons, the scopes area (compared bytewise after the type byte) and unknown
         * types: the rest is opaque. */
        k->s1.p = s->p;
        k->s1.end = s->end;
        s->p = s->end;
    }
    return s->p == s->end ? 0 : -1;
}

static int parse_dbmeta(struct idbpq__ldb_rd *s, struct parsed *k)
{
    if (s->p >= s->end) return -1;
    k->tb = *s->p++;
    switch (k->tb) {
    case D_OS_META:
        if (varint(s, &k->n1) != 0 || s->p >= s->end) return -1;
        k->meta = *s->p++;
        break;
    case D_INDEX_META:
        if (varint(s, &k->n1) != 0 || varint(s, &k->n2) != 0 || s->p >= s->end) return -1;
        k->meta = *s->p++;
        break;
    case D_OS_FREE:
        if (varint(s, &k->n1) != 0) return -1;
        break;
    case D_INDEX_FREE:
        if (varint(s, &k->n1) != 0 || varint(s, &k->n2) != 0) return -1;
        break;
    case D_OS_NAMES:
        if (str_with_length(s, &k->s1) != 0) return -1;
        break;
    case D_INDEX_NAMES:
        if (varint(s, &k->n1) != 0 || str_with_length(s, &k->s1) != 0) return -1;
        break;
    default:
        k->s1.p = s->p;
        k->s1.end = s->end;
        s->p = s->end;
    }
    return s->p == s->end ? 0 : -1;
}

static int parse(const uint8_t *p, size_t n, struct parsed *k)
{
    struct idbpq__ldb_rd s;
    struct idbpq__ldb_prefix pf;
    idbpq__ldb_rd_init(&s, p, n, NULL);
    if (idbpq__ldb_get_prefix(&s, &pf) != IDBPQ_OK) return -1;
    k->db = pf.db;
    k->os = pf.os;
    k->idx = pf.index;
    /* KeyPrefix::type(): the database id decides first, then the object store id. */
    if (k->db == 0) {
        k->type = P_GLOBAL;
        return parse_global(&s, k);
    }
    if (k->os == 0) {
        k->type = P_DBMETA;
        return parse_dbmeta(&s, k);
    }
    if (k->idx == 1 || k->idx == 2 || k->idx == 3) {
        k->type = k->idx == 1 ? P_DATA : k->idx == 2 ? P_EXISTS : P_BLOB;
        /* An empty suffix is ordered first (Chromium: "stable ordering for invalid data"). */
        k->k1.p = k->k1.end = s.p;
        if (s.p == s.end) return 0;
        return idbkey(&s, &k->k1) == 0 && s.p == s.end ? 0 : -1;
    }
    if (k->idx < 30) return -1; /* kMinimumIndexId */
    k->type = P_INDEX;
    k->k1.p = k->k1.end = s.p;
    if (s.p == s.end) return 0;
    if (idbkey(&s, &k->k1) != 0) return -1;
    if (s.p < s.end) {
        k->has_seq = 1;
        if (varint(&s, &k->seq) != 0) return -1;
    }
    k->rest = (size_t)(s.end - s.p);
    k->k2.p = k->k2.end = s.p;
    if (s.p == s.end) return 0;
    return idbkey(&s, &k->k2) == 0 && s.p == s.end ? 0 : -1;
}

/* ---- the comparator ------------------------------------------------------------------------ */

static int cmp_global(const struct parsed *a, const struct parsed *b)
{
    if (a->tb != b->tb) return a->tb < b->tb ? -1 : 1;
    if (a->tb == G_DB_FREE) return cmp_u64(a->n1, b->n1);
    if (a->tb == G_DB_NAME) {
        int c = cmp_sl(&a->s1, &b->s1);
        return c ? c : cmp_sl(&a->s2, &b->s2);
    }
    return cmp_sl(&a->s1, &b->s1); /* singletons: both empty; scopes: bytes */
}

static int cmp_dbmeta(const struct parsed *a, const struct parsed *b)
{
    int c;
    if (a->tb != b->tb) return a->tb < b->tb ? -1 : 1;
    switch (a->tb) {
    case D_OS_META:
        if ((c = cmp_u64(a->n1, b->n1))) return c;
        return a->meta < b->meta ? -1 : a->meta > b->meta;
    case D_INDEX_META:
        if ((c = cmp_u64(a->n1, b->n1)) || (c = cmp_u64(a->n2, b->n2))) return c;
        return a->meta < b->meta ? -1 : a->meta > b->meta;
    case D_OS_FREE:
        return cmp_u64(a->n1, b->n1);
    case D_INDEX_FREE:
        if ((c = cmp_u64(a->n1, b->n1))) return c;
        return cmp_u64(a->n2, b->n2);
    case D_INDEX_NAMES:
        if ((c = cmp_u64(a->n1, b->n1))) return c;
        return cmp_sl(&a->s1, &b->s1);
    default: /* D_OS_NAMES: the name; singletons and unknown types: the rest */
        return cmp_sl(&a->s1, &b->s1);
    }
}

static int cmp_parsed(const struct parsed *a, const struct parsed *b)
{
    int c;
    if ((c = cmp_u64((uint64_t)a->db, (uint64_t)b->db)) ||
        (c = cmp_u64((uint64_t)a->os, (uint64_t)b->os)) ||
        (c = cmp_u64((uint64_t)a->idx, (uint64_t)b->idx)))
        return c;
    switch (a->type) {
    case P_GLOBAL:
        return cmp_global(a, b);
    case P_DBMETA:
        return cmp_dbmeta(a, b);
    case P_DATA:
    case P_EXISTS:
    case P_BLOB:
        if (a->k1.p == a->k1.end || b->k1.p == b->k1.end)
            return cmp_size((size_t)(a->k1.end - a->k1.p), (size_t)(b->k1.end - b->k1.p));
        return idbkey_cmp_sl(&a->k1, &b->k1);
    case P_INDEX:
        if (a->k1.p == a->k1.end || b->k1.p == b->k1.end)
            return cmp_size((size_t)(a->k1.end - a->k1.p), (size_t)(b->k1.end - b->k1.p));
        /* CompareSuffix<IndexDataKey>: index key; then, when either side has no primary key,
         * the sizes of what is left; else the primary key; then the sequence number. */
        if ((c = idbkey_cmp_sl(&a->k1, &b->k1))) return c;
        if (a->rest == 0 || b->rest == 0) return cmp_size(a->rest, b->rest);
        if ((c = idbkey_cmp_sl(&a->k2, &b->k2))) return c;
        return cmp_u64(a->seq, b->seq);
    }
    return 0;
}

int idbpq_idb_cmp1(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    struct parsed pa, pb;
    memset(&pa, 0, sizeof pa);
    memset(&pb, 0, sizeof pb);
    int va = (a || !an) && parse(a, an, &pa) == 0;
    int vb = (b || !bn) && parse(b, bn, &pb) == 0;
    if (va && vb) return cmp_parsed(&pa, &pb);
    if (va != vb) return va ? -1 : 1;
    if (!a || !b || !an || !bn) { /* an empty key is the empty key, NULL pointer or not */
        size_t x = a ? an : 0, y = b ? bn : 0;
        return x ? 1 : y ? -1 : 0;
    }
    return cmp_bytes(a, an, b, bn);
}
