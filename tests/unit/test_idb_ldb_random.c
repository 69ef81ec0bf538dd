/*
 * test_idb_ldb_random.c — seeded random keys of every kind (src/idb/ldb_coding.h): built →
 * parsed (each part comes back) → rebuilt (the same bytes); idbpq_idb_cmp1 on the built keys
 * agrees with the natural order of their parts (prefix ids, type bytes, ids, names by code
 * unit, IDBKeys by idbpq_key_cmp); every truncation and random garbling parses to CORRUPT or
 * to a key idb_cmp1 also calls well-formed, never crashing; value decoders likewise.
 */
#include "idb/ldb_coding.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>

/* ---- random parts -------------------------------------------------------------------------- */

static uint64_t rnd(uint64_t *s) { return idbpq_test_rand(s); }

/* Small ids often (so keys share prefixes and collide), every width sometimes. */
static int64_t rand_id(uint64_t *s, int64_t min, int64_t max)
{
    uint64_t r = rnd(s);
    int64_t v;
    if (r % 3) v = min + (int64_t)((r >> 8) % 3);
    else v = (int64_t)((rnd(s) >> 1) >> ((r >> 8) % 63));
    if (v < min) v = min;
    if (v > max) v = max;
    return v;
}

static idbpq_str rand_str(idbpq_vbatch *vb, uint64_t *s)
{
    uint32_t n = (uint32_t)(rnd(s) % 4);
    uint16_t *u = idbpq_vbatch_alloc(vb, n * 2 + 2);
    static const uint16_t pick[] = {0x61, 0x62, 0, 0xe9, 0x100, 0xd800, 0xdc00, 0xffff};
    for (uint32_t i = 0; i < n; i++) u[i] = pick[rnd(s) % 8];
    idbpq_str r = {u, n, 1};
    return r;
}

static void rand_key(idbpq_vbatch *vb, uint64_t *s, idbpq_key *k, int depth)
{
    uint64_t r = rnd(s);
    switch (r % (depth < 2 ? 5 : 4)) {
    case 0:
    case 1: {
        static const double nums[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e300, -1e-300, INFINITY,
                                      -INFINITY};
        k->type = r & 256 ? IDBPQ_KEY_DATE : IDBPQ_KEY_NUMBER;
        k->u.number = nums[(r >> 9) % 10];
        return;
    }
    case 2:
        k->type = IDBPQ_KEY_STRING;
        k->u.str = rand_str(vb, s);
        return;
    case 3: {
        uint32_t n = (uint32_t)((r >> 8) % 3);
        uint8_t *d = idbpq_vbatch_alloc(vb, n + 1);
        for (uint32_t i = 0; i < n; i++) d[i] = "\x00\x7f\xff"[rnd(s) % 3];
        k->type = IDBPQ_KEY_BINARY;
        k->u.binary.bytes = d;
        k->u.binary.len = n;
        return;
    }
    default: {
        uint32_t n = (uint32_t)((r >> 8) % 3);
        idbpq_key *items = idbpq_vbatch_alloc(vb, (n + 1) * sizeof *items);
        for (uint32_t i = 0; i < n; i++) rand_key(vb, s, &items[i], depth + 1);
        k->type = IDBPQ_KEY_ARRAY;
        k->u.array.items = items;
        k->u.array.n = n;
    }
    }
}

/* What a key is made of, independent of its bytes. */
struct spec {
    enum idbpq__ldb_kind kind;
    int64_t db, os, ix, seq;
    uint8_t type, meta;
    idbpq_str origin, name;
    idbpq_key key, primary;
};

static const enum idbpq__ldb_kind kinds[] = {
    IDBPQ__LDB_GLOBAL_META, IDBPQ__LDB_DB_FREE_LIST, IDBPQ__LDB_DATABASE_NAME,
    IDBPQ__LDB_DB_META, IDBPQ__LDB_OBJECT_STORE_META, IDBPQ__LDB_INDEX_META,
    IDBPQ__LDB_OS_FREE_LIST, IDBPQ__LDB_INDEX_FREE_LIST, IDBPQ__LDB_OBJECT_STORE_NAME,
    IDBPQ__LDB_INDEX_NAME, IDBPQ__LDB_RECORD, IDBPQ__LDB_EXISTS, IDBPQ__LDB_BLOB_ENTRY,
    IDBPQ__LDB_INDEX_DATA};

static void rand_spec(idbpq_vbatch *vb, uint64_t *s, struct spec *x)
{
    memset(x, 0, sizeof *x);
    /* data keys more often: they carry the interesting order */
    uint64_t r = rnd(s) % 24;
    x->kind = r < 14 ? kinds[r] : kinds[10 + r % 4];
    x->db = rand_id(s, 1, INT64_MAX);
    x->os = rand_id(s, 1, INT64_MAX);
    x->ix = rand_id(s, IDBPQ__LDB_MIN_INDEX_ID, IDBPQ__LDB_MAX_INDEX_ID);
    x->seq = rnd(s) % 4 ? 0 : rand_id(s, 0, INT64_MAX);
    x->type = (uint8_t)(rnd(s) % (x->kind == IDBPQ__LDB_GLOBAL_META ? 7 : 6));
    x->meta = (uint8_t)(rnd(s) % 9);
    x->origin = rand_str(vb, s);
    x->name = rand_str(vb, s);
    rand_key(vb, s, &x->key, 0);
    rand_key(vb, s, &x->primary, 0);
}

static idbpq_status build(const struct spec *x, idbpq_buffer *b)
{
    switch (x->kind) {
    case IDBPQ__LDB_GLOBAL_META: return idbpq__ldb_global_meta_key(x->type, b);
    case IDBPQ__LDB_DB_FREE_LIST: return idbpq__ldb_db_free_list_key(x->db, b);
    case IDBPQ__LDB_DATABASE_NAME: return idbpq__ldb_db_name_key(&x->origin, &x->name, b);
    case IDBPQ__LDB_DB_META: return idbpq__ldb_db_meta_key(x->db, x->type, b);
    case IDBPQ__LDB_OBJECT_STORE_META: return idbpq__ldb_os_meta_key(x->db, x->os, x->meta, b);
    case IDBPQ__LDB_INDEX_META:
        return idbpq__ldb_index_meta_key(x->db, x->os, x->ix, x->meta, b);
    case IDBPQ__LDB_OS_FREE_LIST: return idbpq__ldb_os_free_list_key(x->db, x->os, b);
    case IDBPQ__LDB_INDEX_FREE_LIST: return idbpq__ldb_index_free_list_key(x->db, x->os, x->ix, b);
    case IDBPQ__LDB_OBJECT_STORE_NAME: return idbpq__ldb_os_name_key(x->db, &x->name, b);
    case IDBPQ__LDB_INDEX_NAME: return idbpq__ldb_index_name_key(x->db, x->os, &x->name, b);
    case IDBPQ__LDB_RECORD: return idbpq__ldb_record_key(x->db, x->os, &x->key, b);
    case IDBPQ__LDB_EXISTS: return idbpq__ldb_exists_key(x->db, x->os, &x->key, b);
    case IDBPQ__LDB_BLOB_ENTRY: return idbpq__ldb_blob_entry_key(x->db, x->os, &x->key, b);
    case IDBPQ__LDB_INDEX_DATA:
        return idbpq__ldb_index_data_key(x->db, x->os, x->ix, &x->key, x->seq, &x->primary, b);
    case IDBPQ__LDB_UNKNOWN:
    case IDBPQ__LDB_SCOPES:
        break;
    }
    return IDBPQ_INVALID_ARG;
}

static int is_data(enum idbpq__ldb_kind k) { return k >= IDBPQ__LDB_RECORD; }
static int is_global(enum idbpq__ldb_kind k) { return k <= IDBPQ__LDB_DATABASE_NAME; }

/* Global / database metadata type byte of a kind. */
static uint8_t type_byte(const struct spec *x)
{
    switch ((int)x->kind) {
    case IDBPQ__LDB_DB_FREE_LIST: return IDBPQ__LDB_G_DB_FREE_LIST;
    case IDBPQ__LDB_DATABASE_NAME: return IDBPQ__LDB_G_DB_NAME;
    case IDBPQ__LDB_OBJECT_STORE_META: return IDBPQ__LDB_D_OS_META;
    case IDBPQ__LDB_INDEX_META: return IDBPQ__LDB_D_INDEX_META;
    case IDBPQ__LDB_OS_FREE_LIST: return IDBPQ__LDB_D_OS_FREE_LIST;
    case IDBPQ__LDB_INDEX_FREE_LIST: return IDBPQ__LDB_D_INDEX_FREE_LIST;
    case IDBPQ__LDB_OBJECT_STORE_NAME: return IDBPQ__LDB_D_OS_NAME;
    case IDBPQ__LDB_INDEX_NAME: return IDBPQ__LDB_D_INDEX_NAME;
    default: return x->type;
    }
}

static int c64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }
static int sgn(int v) { return (v > 0) - (v < 0); }

/* The order idb_cmp1 must give, from the parts (indexeddb-on-disk.md §1.12). */
static int natural_cmp(const struct spec *a, const struct spec *b)
{
    int64_t pa[3] = {0, 0, 0}, pb[3] = {0, 0, 0};
    if (!is_global(a->kind)) pa[0] = a->db;
    if (!is_global(b->kind)) pb[0] = b->db;
    if (is_data(a->kind)) {
        pa[1] = a->os;
        pa[2] = a->kind == IDBPQ__LDB_INDEX_DATA ? a->ix : a->kind - IDBPQ__LDB_RECORD + 1;
    }
    if (is_data(b->kind)) {
        pb[1] = b->os;
        pb[2] = b->kind == IDBPQ__LDB_INDEX_DATA ? b->ix : b->kind - IDBPQ__LDB_RECORD + 1;
    }
    int c;
    for (int i = 0; i < 3; i++)
        if ((c = c64(pa[i], pb[i]))) return c;
    if (is_data(a->kind)) {
        if ((c = idbpq_key_cmp(&a->key, &b->key))) return c;
        if (a->kind != IDBPQ__LDB_INDEX_DATA) return 0;
        if ((c = idbpq_key_cmp(&a->primary, &b->primary))) return c;
        return c64(a->seq, b->seq);
    }
    if ((c = c64(type_byte(a), type_byte(b)))) return c;
    switch ((int)a->kind) {
    case IDBPQ__LDB_DB_FREE_LIST:
        return c64(a->db, b->db);
    case IDBPQ__LDB_DATABASE_NAME:
        if ((c = idbpq__kstr_cmp(&a->origin, &b->origin))) return c;
        return idbpq__kstr_cmp(&a->name, &b->name);
    case IDBPQ__LDB_OBJECT_STORE_META:
        if ((c = c64(a->os, b->os))) return c;
        return c64(a->meta, b->meta);
    case IDBPQ__LDB_INDEX_META:
        if ((c = c64(a->os, b->os)) || (c = c64(a->ix, b->ix))) return c;
        return c64(a->meta, b->meta);
    case IDBPQ__LDB_OS_FREE_LIST:
        return c64(a->os, b->os);
    case IDBPQ__LDB_INDEX_FREE_LIST:
        if ((c = c64(a->os, b->os))) return c;
        return c64(a->ix, b->ix);
    case IDBPQ__LDB_OBJECT_STORE_NAME:
        return idbpq__kstr_cmp(&a->name, &b->name);
    case IDBPQ__LDB_INDEX_NAME:
        if ((c = c64(a->os, b->os))) return c;
        return idbpq__kstr_cmp(&a->name, &b->name);
    default:
        return 0; /* singletons */
    }
}

/* An encoded IDBKey slice holds exactly key k. */
static int slice_is_key(idbpq_vbatch *vb, struct idbpq__ldb_bytes sl, const idbpq_key *k)
{
    idbpq_key *got;
    size_t used;
    if (idbpq_key_decode_leveldb(vb, sl.p, sl.n, &got, &used, NULL) != IDBPQ_OK) return 0;
    return used == sl.n && idbpq_key_cmp(got, k) == 0;
}

static int body_is_str(idbpq_vbatch *vb, struct idbpq__ldb_bytes be, const idbpq_str *s)
{
    idbpq_str got;
    return idbpq__ldb_utf16be_to_str(vb, be, &got) == IDBPQ_OK && idbpq__str_equal(&got, s);
}

/* The parsed key has the spec's parts. */
static int parts_match(idbpq_vbatch *vb, const struct idbpq__ldb_key *k, const struct spec *x)
{
    if (k->kind != x->kind) return 0;
    switch (x->kind) {
    case IDBPQ__LDB_GLOBAL_META: return k->type == x->type;
    case IDBPQ__LDB_DB_FREE_LIST: return k->db_id == x->db;
    case IDBPQ__LDB_DATABASE_NAME:
        return body_is_str(vb, k->origin, &x->origin) && body_is_str(vb, k->name, &x->name);
    case IDBPQ__LDB_DB_META: return k->db_id == x->db && k->type == x->type;
    case IDBPQ__LDB_OBJECT_STORE_META:
        return k->db_id == x->db && k->os_id == x->os && k->meta_type == x->meta;
    case IDBPQ__LDB_INDEX_META:
        return k->db_id == x->db && k->os_id == x->os && k->index_id == x->ix &&
               k->meta_type == x->meta;
    case IDBPQ__LDB_OS_FREE_LIST: return k->db_id == x->db && k->os_id == x->os;
    case IDBPQ__LDB_INDEX_FREE_LIST:
        return k->db_id == x->db && k->os_id == x->os && k->index_id == x->ix;
    case IDBPQ__LDB_OBJECT_STORE_NAME:
        return k->db_id == x->db && body_is_str(vb, k->name, &x->name);
    case IDBPQ__LDB_INDEX_NAME:
        return k->db_id == x->db && k->os_id == x->os && body_is_str(vb, k->name, &x->name);
    case IDBPQ__LDB_RECORD:
    case IDBPQ__LDB_EXISTS:
    case IDBPQ__LDB_BLOB_ENTRY:
        return k->db_id == x->db && k->os_id == x->os && slice_is_key(vb, k->key, &x->key);
    case IDBPQ__LDB_INDEX_DATA:
        return k->db_id == x->db && k->os_id == x->os && k->index_id == x->ix &&
               k->has_sequence && k->sequence == x->seq && slice_is_key(vb, k->key, &x->key) &&
               slice_is_key(vb, k->primary, &x->primary);
    case IDBPQ__LDB_UNKNOWN:
    case IDBPQ__LDB_SCOPES:
        break;
    }
    return 0;
}

/* idb_cmp1 calls p well-formed: it sorts before the empty key, which is malformed and, as
 * malformed keys order bytewise among themselves, before every other malformed key. */
static int cmp1_wellformed(const uint8_t *p, size_t n)
{
    static const uint8_t empty[1] = {0};
    return idbpq_idb_cmp1(p, n, empty, 0) < 0;
}

/* Parses p[0..n): CORRUPT or OK, and OK exactly when idb_cmp1 calls it well-formed. When
 * canonical is set (a cut of a built key), an OK parse must rebuild to the same bytes. */
static int parse_consistent(const uint8_t *p, size_t n, int canonical)
{
    struct idbpq__ldb_key k;
    idbpq_error err;
    idbpq_status st = idbpq__ldb_parse_key(p, n, &k, &err);
    if (st != IDBPQ_OK && st != IDBPQ_CORRUPT) return 0;
    if (st == IDBPQ_CORRUPT && err.offset > n) return 0;
    if ((st == IDBPQ_OK) != cmp1_wellformed(p, n)) return 0;
    if (st != IDBPQ_OK || !canonical) return 1;
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    int ok = idbpq__ldb_build_key(&k, &b) == IDBPQ_OK && b.len == n &&
             (n == 0 || memcmp(b.data, p, n) == 0);
    idbpq_buffer_free(&b);
    return ok;
}

/* ---- tests --------------------------------------------------------------------------------- */

TEST(ldb_random_keys_roundtrip_order_truncation)
{
    uint64_t s = idbpq_test_seed() ^ 0x6c646221;
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    enum { N = 300 };
    static struct spec x[N];
    static idbpq_buffer b[N];
    int seen[IDBPQ__LDB_INDEX_DATA + 1] = {0};
    for (int i = 0; i < N; i++) {
        rand_spec(vb, &s, &x[i]);
        idbpq_buffer_init(&b[i], NULL);
        REQUIRE_OK(build(&x[i], &b[i]));
        seen[x[i].kind]++;
        struct idbpq__ldb_key k;
        idbpq_error err;
        REQUIRE_OK(idbpq__ldb_parse_key(b[i].data, b[i].len, &k, &err));
        if (!parts_match(vb, &k, &x[i]))
            idbpq_test_fail(__FILE__, __LINE__, "key %d (kind %d): parts differ", i, x[i].kind);
        idbpq_buffer again;
        idbpq_buffer_init(&again, NULL);
        CHECK_OK(idbpq__ldb_build_key(&k, &again));
        CHECK(again.len == b[i].len && memcmp(again.data, b[i].data, again.len) == 0);
        idbpq_buffer_free(&again);
        for (size_t cut = 0; cut < b[i].len; cut++)
            if (!parse_consistent(b[i].data, cut, 1))
                idbpq_test_fail(__FILE__, __LINE__, "key %d (kind %d) cut at %zu", i,
                                x[i].kind, cut);
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) CHECK(seen[kinds[i]] > 0);
    long bad = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int want = sgn(natural_cmp(&x[i], &x[j]));
            int got = sgn(idbpq_idb_cmp1(b[i].data, b[i].len, b[j].data, b[j].len));
            if (want != got && bad++ < 5)
                idbpq_test_fail(__FILE__, __LINE__, "keys %d (kind %d) and %d (kind %d): "
                                "idb_cmp1 %d, natural %d", i, x[i].kind, j, x[j].kind, got, want);
        }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < N; i++) idbpq_buffer_free(&b[i]);
    idbpq_vbatch_free(vb);
}

TEST(ldb_random_garbled_keys_and_values)
{
    uint64_t s = idbpq_test_seed() ^ 0x67617262;
    idbpq_vbatch *vb;
    REQUIRE_OK(idbpq_vbatch_create(&vb, NULL));
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    for (int i = 0; i < 3000; i++) {
        struct spec x;
        rand_spec(vb, &s, &x);
        b.len = 0;
        REQUIRE_OK(build(&x, &b));
        /* flip, insert or drop a few bytes */
        int edits = 1 + (int)(rnd(&s) % 3);
        for (int e = 0; e < edits && b.len; e++) {
            uint64_t r = rnd(&s);
            size_t at = (size_t)(r % b.len);
            static const uint8_t vals[] = {0x00, 0x01, 0x05, 0x7f, 0x80, 0xff, 0x1e, 0x32, 0x64,
                                           0xc9};
            uint8_t v = r & 0x100 ? vals[(r >> 9) % 10] : (uint8_t)(r >> 16);
            switch ((r >> 24) % 3) {
            case 0: b.data[at] = v; break;
            case 1: memmove(b.data + at, b.data + at + 1, b.len - at - 1); b.len--; break;
            default:
                REQUIRE_OK(idbpq__kbuf_append(&b, &v, 1));
                memmove(b.data + at + 1, b.data + at, b.len - at - 1);
                b.data[at] = v;
            }
        }
        if (!parse_consistent(b.data, b.len, 0)) {
            char hex[256] = "";
            for (size_t q = 0; q < b.len && q < 100; q++) sprintf(hex + 2 * q, "%02x", b.data[q]);
            idbpq_test_fail(__FILE__, __LINE__, "garbled key %d inconsistent: %s", i, hex);
        }
        /* the same bytes as values: no crash, only OK or CORRUPT */
        struct idbpq__ldb_xobj *xo;
        struct idbpq__ldb_journal_entry *je;
        struct idbpq__ldb_bytes sl;
        struct idbpq__ldb_rd r;
        idbpq_keypath kp;
        size_t cnt;
        int64_t v;
        idbpq_error err;
        idbpq_status st[6];
        st[0] = idbpq__ldb_xobjs_decode(vb, b.data, b.len, &xo, &cnt, &err);
        st[1] = idbpq__ldb_journal_decode(vb, b.data, b.len, &je, &cnt, &err);
        st[2] = idbpq__ldb_record_value(b.data, b.len, &v, &sl, &err);
        st[3] = idbpq__ldb_exists_value(b.data, b.len, &v, &err);
        st[4] = idbpq__ldb_index_value(b.data, b.len, &v, &sl, &err);
        idbpq__ldb_rd_init(&r, b.data, b.len, &err);
        st[5] = idbpq__ldb_get_keypath(&r, vb, &kp);
        for (int k = 0; k < 6; k++)
            if (st[k] != IDBPQ_OK && st[k] != IDBPQ_CORRUPT)
                idbpq_test_fail(__FILE__, __LINE__, "value decoder %d: status %d", k, st[k]);
        if (i % 256 == 255) idbpq_vbatch_reset(vb);
    }
    idbpq_buffer_free(&b);
    idbpq_vbatch_free(vb);
}

TEST(ldb_builders_refuse)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    idbpq_key nan = {IDBPQ_KEY_NUMBER, {.number = NAN}}, one = {IDBPQ_KEY_NUMBER, {.number = 1}};
    CHECK_EQ_INT(idbpq__ldb_record_key(1, 1, &nan, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_record_key(0, 1, &one, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_record_key(1, 0, &one, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_record_key(1, 1, NULL, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_index_data_key(1, 1, 30, &one, 0, &nan, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_index_data_key(1, 1, 30, &one, -1, &one, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_index_meta_key(1, 1, 3, 0, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_db_meta_key(0, 0, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_db_free_list_key(-3, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(idbpq__ldb_os_name_key(1, NULL, &b), IDBPQ_INVALID_ARG);
    CHECK_EQ_INT(b.len, 0); /* nothing half-written */
    CHECK_EQ_INT(idbpq__ldb_record_key(1, 1, &one, NULL), IDBPQ_INVALID_ARG);
    idbpq_buffer_free(&b);
}
