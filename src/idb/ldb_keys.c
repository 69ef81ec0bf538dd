/*
 * ldb_keys.c — whole keys of Chromium's IndexedDB LevelDB: the key prefix (indexeddb-on-disk.md
 * §1.4), parsing any key into struct idbpq__ldb_key, and a builder for each kind (§1.7–§1.11;
 * Chromium indexed_db_leveldb_coding.cc KeyPrefix, *MetaDataKey, ObjectStoreDataKey,
 * ExistsEntryKey, BlobEntryKey, IndexDataKey).
 *
 * The parser accepts exactly the keys idb_cmp1 (idb_cmp1.c) calls well-formed, so anything the
 * comparator orders can be looked at here, and refuses the rest with CORRUPT and an offset.
 */
#include "idb/ldb_coding.h"

/* ==== prefix ================================================================================ */

idbpq_status idbpq__ldb_put_prefix(idbpq_buffer *out, int64_t db, int64_t os, int64_t index)
{
    if (db < 0 || os < 0 || index < 0 || index > IDBPQ__LDB_MAX_INDEX_ID) return IDBPQ_INVALID_ARG;
    unsigned dn = idbpq__ldb_int_size((uint64_t)db), on = idbpq__ldb_int_size((uint64_t)os),
             in = idbpq__ldb_int_size((uint64_t)index);
    uint8_t b[1 + 8 + 8 + 4];
    size_t k = 0;
    b[k++] = (uint8_t)((dn - 1) << 5 | (on - 1) << 2 | (in - 1));
    for (unsigned i = 0; i < dn; i++) b[k++] = (uint8_t)((uint64_t)db >> (8 * i));
    for (unsigned i = 0; i < on; i++) b[k++] = (uint8_t)((uint64_t)os >> (8 * i));
    for (unsigned i = 0; i < in; i++) b[k++] = (uint8_t)((uint64_t)index >> (8 * i));
    return idbpq__kbuf_append(out, b, k);
}

idbpq_status idbpq__ldb_get_prefix_slow(struct idbpq__ldb_rd *r, struct idbpq__ldb_prefix *pf)
{
    const uint8_t *at = r->p;
    if (r->p >= r->end) return idbpq__ldb_corrupt(r, at, "empty key");
    uint8_t first = *r->p;
    unsigned dn = ((first >> 5) & 7) + 1, on = ((first >> 2) & 7) + 1, in = (first & 3) + 1;
    if (idbpq__ldb_rd_left(r) - 1 < dn + on + in)
        return idbpq__ldb_corrupt(r, at, "truncated key prefix");
    r->p++;
    idbpq_status st;
    if ((st = idbpq__ldb_get_int_n(r, dn, &pf->db)) != IDBPQ_OK ||
        (st = idbpq__ldb_get_int_n(r, on, &pf->os)) != IDBPQ_OK ||
        (st = idbpq__ldb_get_int_n(r, in, &pf->index)) != IDBPQ_OK) {
        r->p = at;
        return st;
    }
    return IDBPQ_OK;
}

/* ==== parsing =============================================================================== */

static idbpq_status parse_global(struct idbpq__ldb_rd *r, struct idbpq__ldb_key *k)
{
    IDBPQ__TRY(idbpq__ldb_get_byte(r, &k->type));
    switch (k->type) {
    case IDBPQ__LDB_G_SCOPES:
        k->kind = IDBPQ__LDB_SCOPES;
        break;
    case IDBPQ__LDB_G_DB_FREE_LIST:
        k->kind = IDBPQ__LDB_DB_FREE_LIST;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->db_id));
        break;
    case IDBPQ__LDB_G_DB_NAME:
        k->kind = IDBPQ__LDB_DATABASE_NAME;
        IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &k->origin));
        IDBPQ__TRY(idbpq__ldb_get_swl_raw(r, &k->name));
        break;
    default:
        k->kind = k->type < IDBPQ__LDB_G_SINGLETON_END && r->p == r->end ? IDBPQ__LDB_GLOBAL_META
                                                                        : IDBPQ__LDB_UNKNOWN;
    }
    if (k->kind == IDBPQ__LDB_SCOPES || k->kind == IDBPQ__LDB_UNKNOWN) {
        k->rest.p = r->p;
        k->rest.n = idbpq__ldb_rd_left(r);
        r->p = r->end;
    }
    return IDBPQ_OK;
}

static idbpq_status parse_dbmeta(struct idbpq__ldb_rd *r, struct idbpq__ldb_key *k)
{
    IDBPQ__TRY(idbpq__ldb_get_byte(r, &k->type));
    switch (k->type) {
    case IDBPQ__LDB_D_OS_META:
        k->kind = IDBPQ__LDB_OBJECT_STORE_META;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->os_id));
        return idbpq__ldb_get_byte(r, &k->meta_type);
    case IDBPQ__LDB_D_INDEX_META:
        k->kind = IDBPQ__LDB_INDEX_META;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->os_id));
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->index_id));
        return idbpq__ldb_get_byte(r, &k->meta_type);
    case IDBPQ__LDB_D_OS_FREE_LIST:
        k->kind = IDBPQ__LDB_OS_FREE_LIST;
        return idbpq__ldb_get_varint(r, &k->os_id);
    case IDBPQ__LDB_D_INDEX_FREE_LIST:
        k->kind = IDBPQ__LDB_INDEX_FREE_LIST;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->os_id));
        return idbpq__ldb_get_varint(r, &k->index_id);
    case IDBPQ__LDB_D_OS_NAME:
        k->kind = IDBPQ__LDB_OBJECT_STORE_NAME;
        return idbpq__ldb_get_swl_raw(r, &k->name);
    case IDBPQ__LDB_D_INDEX_NAME:
        k->kind = IDBPQ__LDB_INDEX_NAME;
        IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->os_id));
        return idbpq__ldb_get_swl_raw(r, &k->name);
    default:
        if (k->type < IDBPQ__LDB_D_SINGLETON_END && r->p == r->end) {
            k->kind = IDBPQ__LDB_DB_META;
        } else {
            k->kind = IDBPQ__LDB_UNKNOWN;
            k->rest.p = r->p;
            k->rest.n = idbpq__ldb_rd_left(r);
            r->p = r->end;
        }
        return IDBPQ_OK;
    }
}

static idbpq_status parse_data(struct idbpq__ldb_rd *r, struct idbpq__ldb_key *k)
{
    /* An empty suffix is a seek bound (Chromium orders it first). */
    k->key.p = k->primary.p = r->p;
    if (r->p == r->end) return IDBPQ_OK;
    IDBPQ__TRY(idbpq__ldb_get_idbkey_raw(r, 1, &k->key));
    if (k->kind != IDBPQ__LDB_INDEX_DATA || r->p == r->end) return IDBPQ_OK;
    k->has_sequence = 1;
    IDBPQ__TRY(idbpq__ldb_get_varint(r, &k->sequence));
    k->primary.p = r->p;
    if (r->p == r->end) return IDBPQ_OK;
    return idbpq__ldb_get_idbkey_raw(r, 1, &k->primary);
}

idbpq_status idbpq__ldb_parse_key(const uint8_t *p, size_t n, struct idbpq__ldb_key *k,
                                  idbpq_error *err)
{
    struct idbpq__ldb_rd r;
    struct idbpq__ldb_prefix pf;
    if (!k || (!p && n)) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    memset(k, 0, sizeof *k);
    idbpq__ldb_rd_init(&r, p, n, err);
    IDBPQ__TRY(idbpq__ldb_get_prefix(&r, &pf));
    const uint8_t *body = r.p;
    /* KeyPrefix::type(): the database id decides first, then the object store id. */
    if (pf.db == 0 || pf.os == 0) {
        if (pf.os != 0 || pf.index != 0) {
            /* Chromium files these under metadata too, but no writer makes them. The
             * comparator still needs the body to parse as metadata for them to be ordered. */
            struct idbpq__ldb_key tmp;
            memset(&tmp, 0, sizeof tmp);
            IDBPQ__TRY(pf.db == 0 ? parse_global(&r, &tmp) : parse_dbmeta(&r, &tmp));
            if (r.p != r.end) return idbpq__ldb_corrupt(&r, r.p, "bytes after the key");
            k->kind = IDBPQ__LDB_UNKNOWN;
            k->db_id = pf.db;
            k->os_id = pf.os;
            k->index_id = pf.index;
            k->rest.p = body;
            k->rest.n = (size_t)(r.end - body);
            r.p = r.end;
        } else {
            k->db_id = pf.db;
            IDBPQ__TRY(pf.db == 0 ? parse_global(&r, k) : parse_dbmeta(&r, k));
        }
    } else {
        k->db_id = pf.db;
        k->os_id = pf.os;
        k->index_id = pf.index;
        if (pf.index == 1) k->kind = IDBPQ__LDB_RECORD;
        else if (pf.index == 2) k->kind = IDBPQ__LDB_EXISTS;
        else if (pf.index == 3) k->kind = IDBPQ__LDB_BLOB_ENTRY;
        else if (pf.index >= IDBPQ__LDB_MIN_INDEX_ID) k->kind = IDBPQ__LDB_INDEX_DATA;
        else return idbpq__ldb_corrupt(&r, p, "index id 0 or 4..29 under an object store");
        IDBPQ__TRY(parse_data(&r, k));
    }
    if (r.p != r.end) return idbpq__ldb_corrupt(&r, r.p, "bytes after the key");
    return IDBPQ_OK;
}

/* ==== builders ============================================================================== */

static int db_ok(int64_t db) { return db >= 1; }
static int os_ok(int64_t os) { return os >= 1; }
static int ix_ok(int64_t ix) { return ix >= IDBPQ__LDB_MIN_INDEX_ID && ix <= IDBPQ__LDB_MAX_INDEX_ID; }

/* Every builder goes through here: on failure the buffer is restored. */
#define BUILD(out, body)                                        \
    do {                                                        \
        if (!(out)) return IDBPQ_INVALID_ARG;                   \
        size_t mark_ = (out)->len;                              \
        idbpq_status st_ = (body);                              \
        if (st_ != IDBPQ_OK) (out)->len = mark_;                \
        return st_;                                             \
    } while (0)

static idbpq_status global_head(uint8_t type, idbpq_buffer *out)
{
    IDBPQ__TRY(idbpq__ldb_put_prefix(out, 0, 0, 0));
    return idbpq__ldb_put_byte(out, type);
}

static idbpq_status db_head(int64_t db, uint8_t type, idbpq_buffer *out)
{
    if (!db_ok(db)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_prefix(out, db, 0, 0));
    return idbpq__ldb_put_byte(out, type);
}

idbpq_status idbpq__ldb_global_meta_key(uint8_t type, idbpq_buffer *out)
{
    BUILD(out, global_head(type, out));
}

static idbpq_status db_free_list(int64_t db, idbpq_buffer *out)
{
    if (!db_ok(db)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(global_head(IDBPQ__LDB_G_DB_FREE_LIST, out));
    return idbpq__ldb_put_varint(out, db);
}
idbpq_status idbpq__ldb_db_free_list_key(int64_t db, idbpq_buffer *out)
{
    BUILD(out, db_free_list(db, out));
}

static idbpq_status db_name(const idbpq_str *origin, const idbpq_str *name, idbpq_buffer *out)
{
    if (!origin || !name) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(global_head(IDBPQ__LDB_G_DB_NAME, out));
    IDBPQ__TRY(idbpq__ldb_put_string_with_length(out, origin));
    return idbpq__ldb_put_string_with_length(out, name);
}
idbpq_status idbpq__ldb_db_name_key(const idbpq_str *origin, const idbpq_str *name,
                                    idbpq_buffer *out)
{
    BUILD(out, db_name(origin, name, out));
}

idbpq_status idbpq__ldb_db_meta_key(int64_t db, uint8_t type, idbpq_buffer *out)
{
    BUILD(out, db_head(db, type, out));
}

static idbpq_status os_meta(int64_t db, int64_t os, uint8_t meta, idbpq_buffer *out)
{
    if (!os_ok(os)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_OS_META, out));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, os));
    return idbpq__ldb_put_byte(out, meta);
}
idbpq_status idbpq__ldb_os_meta_key(int64_t db, int64_t os, uint8_t meta, idbpq_buffer *out)
{
    BUILD(out, os_meta(db, os, meta, out));
}

static idbpq_status index_meta(int64_t db, int64_t os, int64_t ix, uint8_t meta,
                               idbpq_buffer *out)
{
    if (!os_ok(os) || !ix_ok(ix)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_INDEX_META, out));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, os));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, ix));
    return idbpq__ldb_put_byte(out, meta);
}
idbpq_status idbpq__ldb_index_meta_key(int64_t db, int64_t os, int64_t index, uint8_t meta,
                                       idbpq_buffer *out)
{
    BUILD(out, index_meta(db, os, index, meta, out));
}

static idbpq_status os_free(int64_t db, int64_t os, idbpq_buffer *out)
{
    if (!os_ok(os)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_OS_FREE_LIST, out));
    return idbpq__ldb_put_varint(out, os);
}
idbpq_status idbpq__ldb_os_free_list_key(int64_t db, int64_t os, idbpq_buffer *out)
{
    BUILD(out, os_free(db, os, out));
}

static idbpq_status index_free(int64_t db, int64_t os, int64_t ix, idbpq_buffer *out)
{
    if (!os_ok(os) || !ix_ok(ix)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_INDEX_FREE_LIST, out));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, os));
    return idbpq__ldb_put_varint(out, ix);
}
idbpq_status idbpq__ldb_index_free_list_key(int64_t db, int64_t os, int64_t index,
                                            idbpq_buffer *out)
{
    BUILD(out, index_free(db, os, index, out));
}

static idbpq_status os_name(int64_t db, const idbpq_str *name, idbpq_buffer *out)
{
    if (!name) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_OS_NAME, out));
    return idbpq__ldb_put_string_with_length(out, name);
}
idbpq_status idbpq__ldb_os_name_key(int64_t db, const idbpq_str *name, idbpq_buffer *out)
{
    BUILD(out, os_name(db, name, out));
}

static idbpq_status index_name(int64_t db, int64_t os, const idbpq_str *name, idbpq_buffer *out)
{
    if (!name || !os_ok(os)) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(db_head(db, IDBPQ__LDB_D_INDEX_NAME, out));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, os));
    return idbpq__ldb_put_string_with_length(out, name);
}
idbpq_status idbpq__ldb_index_name_key(int64_t db, int64_t os, const idbpq_str *name,
                                       idbpq_buffer *out)
{
    BUILD(out, index_name(db, os, name, out));
}

static idbpq_status data_key(int64_t db, int64_t os, int64_t ix, const idbpq_key *key,
                             idbpq_buffer *out)
{
    if (!db_ok(db) || !os_ok(os) || !key) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_prefix(out, db, os, ix));
    return idbpq_key_encode_leveldb(key, out);
}
idbpq_status idbpq__ldb_record_key(int64_t db, int64_t os, const idbpq_key *key,
                                   idbpq_buffer *out)
{
    BUILD(out, data_key(db, os, 1, key, out));
}
idbpq_status idbpq__ldb_exists_key(int64_t db, int64_t os, const idbpq_key *key,
                                   idbpq_buffer *out)
{
    BUILD(out, data_key(db, os, 2, key, out));
}
idbpq_status idbpq__ldb_blob_entry_key(int64_t db, int64_t os, const idbpq_key *key,
                                       idbpq_buffer *out)
{
    BUILD(out, data_key(db, os, 3, key, out));
}

static idbpq_status index_data(int64_t db, int64_t os, int64_t ix, const idbpq_key *ikey,
                               int64_t seq, const idbpq_key *primary, idbpq_buffer *out)
{
    if (!ix_ok(ix) || !primary) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(data_key(db, os, ix, ikey, out));
    IDBPQ__TRY(idbpq__ldb_put_varint(out, seq));
    return idbpq_key_encode_leveldb(primary, out);
}
idbpq_status idbpq__ldb_index_data_key(int64_t db, int64_t os, int64_t index,
                                       const idbpq_key *index_key, int64_t sequence,
                                       const idbpq_key *primary, idbpq_buffer *out)
{
    BUILD(out, index_data(db, os, index, index_key, sequence, primary, out));
}

/* ---- rebuilding a parsed key -------------------------------------------------------------- */

static idbpq_status put_bytes(idbpq_buffer *out, struct idbpq__ldb_bytes b)
{
    return idbpq__kbuf_append(out, b.p, b.n);
}

/* A StringWithLength from a raw UTF-16BE body. */
static idbpq_status put_swl_raw(idbpq_buffer *out, struct idbpq__ldb_bytes be)
{
    if (be.n & 1) return IDBPQ_INVALID_ARG;
    IDBPQ__TRY(idbpq__ldb_put_varint(out, (int64_t)(be.n / 2)));
    return put_bytes(out, be);
}

static idbpq_status build(const struct idbpq__ldb_key *k, idbpq_buffer *out)
{
    switch (k->kind) {
    case IDBPQ__LDB_GLOBAL_META:
        return global_head(k->type, out);
    case IDBPQ__LDB_SCOPES:
        IDBPQ__TRY(global_head(IDBPQ__LDB_G_SCOPES, out));
        return put_bytes(out, k->rest);
    case IDBPQ__LDB_DB_FREE_LIST:
        return db_free_list(k->db_id, out);
    case IDBPQ__LDB_DATABASE_NAME:
        IDBPQ__TRY(global_head(IDBPQ__LDB_G_DB_NAME, out));
        IDBPQ__TRY(put_swl_raw(out, k->origin));
        return put_swl_raw(out, k->name);
    case IDBPQ__LDB_DB_META:
        return db_head(k->db_id, k->type, out);
    case IDBPQ__LDB_OBJECT_STORE_META:
        return os_meta(k->db_id, k->os_id, k->meta_type, out);
    case IDBPQ__LDB_INDEX_META:
        /* Parsed ids may be anything a VarInt holds: write them as they came. */
        IDBPQ__TRY(db_head(k->db_id, IDBPQ__LDB_D_INDEX_META, out));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->os_id));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->index_id));
        return idbpq__ldb_put_byte(out, k->meta_type);
    case IDBPQ__LDB_OS_FREE_LIST:
        IDBPQ__TRY(db_head(k->db_id, IDBPQ__LDB_D_OS_FREE_LIST, out));
        return idbpq__ldb_put_varint(out, k->os_id);
    case IDBPQ__LDB_INDEX_FREE_LIST:
        IDBPQ__TRY(db_head(k->db_id, IDBPQ__LDB_D_INDEX_FREE_LIST, out));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->os_id));
        return idbpq__ldb_put_varint(out, k->index_id);
    case IDBPQ__LDB_OBJECT_STORE_NAME:
        IDBPQ__TRY(db_head(k->db_id, IDBPQ__LDB_D_OS_NAME, out));
        return put_swl_raw(out, k->name);
    case IDBPQ__LDB_INDEX_NAME:
        IDBPQ__TRY(db_head(k->db_id, IDBPQ__LDB_D_INDEX_NAME, out));
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->os_id));
        return put_swl_raw(out, k->name);
    case IDBPQ__LDB_RECORD:
    case IDBPQ__LDB_EXISTS:
    case IDBPQ__LDB_BLOB_ENTRY:
    case IDBPQ__LDB_INDEX_DATA:
        IDBPQ__TRY(idbpq__ldb_put_prefix(out, k->db_id, k->os_id, k->index_id));
        IDBPQ__TRY(put_bytes(out, k->key));
        if (k->kind != IDBPQ__LDB_INDEX_DATA || !k->has_sequence) return IDBPQ_OK;
        IDBPQ__TRY(idbpq__ldb_put_varint(out, k->sequence));
        return put_bytes(out, k->primary);
    case IDBPQ__LDB_UNKNOWN:
        if (k->os_id != 0 || k->index_id != 0) return IDBPQ_INVALID_ARG;
        IDBPQ__TRY(k->db_id ? db_head(k->db_id, k->type, out) : global_head(k->type, out));
        return put_bytes(out, k->rest);
    }
    return IDBPQ_INVALID_ARG;
}

idbpq_status idbpq__ldb_build_key(const struct idbpq__ldb_key *k, idbpq_buffer *out)
{
    if (!k) return IDBPQ_INVALID_ARG;
    BUILD(out, build(k, out));
}
