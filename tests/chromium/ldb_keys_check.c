/*
 * ldb_keys_check.c — the C side of 64_ldb_keys.sh: src/idb/ldb_coding.h against every key and
 * value of a LevelDB that real Chromium wrote.
 *
 *   ldb_keys_check LEVELDB_DIR [BLOB_DIR]
 *       Opens LEVELDB_DIR (a copy: LevelDB writes on open) with the leveldb C API and a
 *       comparator named "idb_cmp1" that is idbpq_idb_cmp1, walks every key and checks that
 *         - idbpq__ldb_parse_key parses it, to a known kind (only the LevelDB Scopes area is
 *           skipped), and idbpq__ldb_build_key rebuilds the same bytes;
 *         - its IDBKeys decode (idbpq_key_decode_leveldb) and rebuilding the key with the
 *           kind's own builder from the decoded parts gives the same bytes again;
 *         - its value decodes as its kind says: Ints, VarInts, Strings, key paths (the object
 *           store and index KEY_PATH metadata), record values, exists values (and each record's
 *           exists entry, looked up by a built key, holds the record's version), index values
 *           (whose primary key has a record, or is counted stale), external-object lists (whose non-empty blobs
 *           have a file at idbpq__ldb_blob_path under BLOB_DIR).
 *       Prints "# problem ..." lines (first 20) and a summary "# ldb_keys: ..."; exit 1 on a
 *       problem, 2 when the database cannot be opened.
 */
#include "idb/ldb_coding.h"

#include <leveldb/c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static long problems;
static leveldb_t *db;
static leveldb_readoptions_t *ropt;

static void problem(const uint8_t *k, size_t kn, const char *fmt, ...)
{
    if (++problems > 20) return;
    va_list ap;
    printf("# problem: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" [key ");
    for (size_t i = 0; i < kn && i < 48; i++) printf("%02x", k[i]);
    printf("%s]\n", kn > 48 ? "..." : "");
}

static int cmp(void *state, const char *a, size_t an, const char *b, size_t bn)
{
    (void)state;
    return idbpq_idb_cmp1((const uint8_t *)a, an, (const uint8_t *)b, bn);
}
static const char *cmp_name(void *state) { (void)state; return "idb_cmp1"; }
static void cmp_destroy(void *state) { (void)state; }

/* The value of a key, or NULL (free with leveldb_free). */
static char *get(const uint8_t *key, size_t n, size_t *vlen)
{
    char *err = NULL;
    char *v = leveldb_get(db, ropt, (const char *)key, n, vlen, &err);
    if (err) {
        leveldb_free(err);
        return NULL;
    }
    return v;
}

static int same(const idbpq_buffer *b, const uint8_t *p, size_t n)
{
    return b->len == n && memcmp(b->data, p, n) == 0;
}

static idbpq_key *decode_key(idbpq_vbatch *vb, struct idbpq__ldb_bytes sl, const uint8_t *k,
                             size_t kn, const char *what)
{
    idbpq_key *key;
    size_t used;
    idbpq_error err;
    if (idbpq_key_decode_leveldb(vb, sl.p, sl.n, &key, &used, &err) != IDBPQ_OK || used != sl.n) {
        problem(k, kn, "%s does not decode: %s", what, err.msg);
        return NULL;
    }
    return key;
}

static long n_kind[IDBPQ__LDB_INDEX_DATA + 1], n_values, n_blob_files, n_keypaths, n_exists_ok,
    n_index_ok, n_index_stale;

/* The kind's own builder from decoded parts gives the key's bytes. */
static void check_builder(idbpq_vbatch *vb, const struct idbpq__ldb_key *pk, const uint8_t *k,
                          size_t kn)
{
    idbpq_buffer b;
    idbpq_buffer_init(&b, NULL);
    idbpq_status st = IDBPQ_OK;
    idbpq_key *key = NULL, *prim = NULL;
    idbpq_str s1, s2;
    switch ((int)pk->kind) {
    case IDBPQ__LDB_GLOBAL_META: st = idbpq__ldb_global_meta_key(pk->type, &b); break;
    case IDBPQ__LDB_DB_FREE_LIST: st = idbpq__ldb_db_free_list_key(pk->db_id, &b); break;
    case IDBPQ__LDB_DATABASE_NAME:
        if (idbpq__ldb_utf16be_to_str(vb, pk->origin, &s1) || idbpq__ldb_utf16be_to_str(vb, pk->name, &s2))
            st = IDBPQ_NOMEM;
        else st = idbpq__ldb_db_name_key(&s1, &s2, &b);
        break;
    case IDBPQ__LDB_DB_META: st = idbpq__ldb_db_meta_key(pk->db_id, pk->type, &b); break;
    case IDBPQ__LDB_OBJECT_STORE_META:
        st = idbpq__ldb_os_meta_key(pk->db_id, pk->os_id, pk->meta_type, &b);
        break;
    case IDBPQ__LDB_INDEX_META:
        st = idbpq__ldb_index_meta_key(pk->db_id, pk->os_id, pk->index_id, pk->meta_type, &b);
        break;
    case IDBPQ__LDB_OS_FREE_LIST: st = idbpq__ldb_os_free_list_key(pk->db_id, pk->os_id, &b); break;
    case IDBPQ__LDB_INDEX_FREE_LIST:
        st = idbpq__ldb_index_free_list_key(pk->db_id, pk->os_id, pk->index_id, &b);
        break;
    case IDBPQ__LDB_OBJECT_STORE_NAME:
        if (idbpq__ldb_utf16be_to_str(vb, pk->name, &s1)) st = IDBPQ_NOMEM;
        else st = idbpq__ldb_os_name_key(pk->db_id, &s1, &b);
        break;
    case IDBPQ__LDB_INDEX_NAME:
        if (idbpq__ldb_utf16be_to_str(vb, pk->name, &s1)) st = IDBPQ_NOMEM;
        else st = idbpq__ldb_index_name_key(pk->db_id, pk->os_id, &s1, &b);
        break;
    case IDBPQ__LDB_RECORD:
    case IDBPQ__LDB_EXISTS:
    case IDBPQ__LDB_BLOB_ENTRY:
        if (!(key = decode_key(vb, pk->key, k, kn, "primary key"))) goto out;
        st = pk->kind == IDBPQ__LDB_RECORD   ? idbpq__ldb_record_key(pk->db_id, pk->os_id, key, &b)
             : pk->kind == IDBPQ__LDB_EXISTS ? idbpq__ldb_exists_key(pk->db_id, pk->os_id, key, &b)
                                             : idbpq__ldb_blob_entry_key(pk->db_id, pk->os_id, key, &b);
        break;
    case IDBPQ__LDB_INDEX_DATA:
        if (!pk->has_sequence) {
            problem(k, kn, "index data key without sequence number and primary key");
            goto out;
        }
        if (!(key = decode_key(vb, pk->key, k, kn, "index key"))) goto out;
        if (!(prim = decode_key(vb, pk->primary, k, kn, "primary key"))) goto out;
        st = idbpq__ldb_index_data_key(pk->db_id, pk->os_id, pk->index_id, key, pk->sequence,
                                       prim, &b);
        break;
    default:
        goto out;
    }
    if (st != IDBPQ_OK) problem(k, kn, "builder for kind %d failed: %d", pk->kind, st);
    else if (!same(&b, k, kn)) problem(k, kn, "builder for kind %d gives other bytes", pk->kind);
out:
    idbpq_buffer_free(&b);
}

static void check_value(idbpq_vbatch *vb, const struct idbpq__ldb_key *pk, const uint8_t *k,
                        size_t kn, const uint8_t *v, size_t vn, const char *blob_dir)
{
    struct idbpq__ldb_rd r;
    idbpq_error err;
    int64_t i64;
    idbpq_str s;
    idbpq_keypath kp;
    struct idbpq__ldb_bytes sl;
    idbpq_status st = IDBPQ_OK;
    idbpq__ldb_rd_init(&r, v, vn, &err);
    err.msg[0] = 0;
    switch ((int)pk->kind) {
    case IDBPQ__LDB_GLOBAL_META:
        if (pk->type == IDBPQ__LDB_G_RECOVERY_JOURNAL || pk->type == IDBPQ__LDB_G_ACTIVE_JOURNAL) {
            struct idbpq__ldb_journal_entry *j;
            size_t n;
            st = idbpq__ldb_journal_decode(vb, v, vn, &j, &n, &err);
        } else {
            st = idbpq__ldb_get_int(&r, &i64);
        }
        break;
    case IDBPQ__LDB_DATABASE_NAME:
    case IDBPQ__LDB_OBJECT_STORE_NAME:
    case IDBPQ__LDB_INDEX_NAME:
        st = idbpq__ldb_get_int(&r, &i64);
        break;
    case IDBPQ__LDB_DB_META:
        if (pk->type == IDBPQ__LDB_D_USER_VERSION || pk->type == IDBPQ__LDB_D_BLOB_NUMBER)
            st = idbpq__ldb_get_varint(&r, &i64);
        else if (pk->type == IDBPQ__LDB_D_MAX_OBJECT_STORE_ID)
            st = idbpq__ldb_get_int(&r, &i64);
        else
            st = idbpq__ldb_get_string(&r, vb, &s);
        break;
    case IDBPQ__LDB_OBJECT_STORE_META:
        if (pk->meta_type == IDBPQ__LDB_OS_NAME_T) st = idbpq__ldb_get_string(&r, vb, &s);
        else if (pk->meta_type == IDBPQ__LDB_OS_KEY_PATH) {
            st = idbpq__ldb_get_keypath(&r, vb, &kp);
            if (st == IDBPQ_OK) {
                n_keypaths++;
                idbpq_buffer b;
                idbpq_buffer_init(&b, NULL);
                if (idbpq__ldb_put_keypath(&b, &kp) != IDBPQ_OK || !same(&b, v, vn))
                    problem(k, kn, "key path does not re-encode to its bytes");
                idbpq_buffer_free(&b);
            }
        } else if (pk->meta_type == IDBPQ__LDB_OS_AUTO_INCREMENT ||
                   pk->meta_type == IDBPQ__LDB_OS_HAS_KEY_PATH) {
            int bo;
            st = idbpq__ldb_get_bool(&r, &bo);
        } else {
            st = idbpq__ldb_get_int(&r, &i64);
        }
        break;
    case IDBPQ__LDB_INDEX_META:
        if (pk->meta_type == IDBPQ__LDB_IX_NAME) st = idbpq__ldb_get_string(&r, vb, &s);
        else if (pk->meta_type == IDBPQ__LDB_IX_KEY_PATH) {
            st = idbpq__ldb_get_keypath(&r, vb, &kp);
            if (st == IDBPQ_OK) n_keypaths++;
        } else {
            int bo;
            st = idbpq__ldb_get_bool(&r, &bo);
        }
        break;
    case IDBPQ__LDB_RECORD: {
        st = idbpq__ldb_record_value(v, vn, &i64, &sl, &err);
        if (st != IDBPQ_OK) break;
        /* its exists entry, found by a key this library builds, holds the same version */
        idbpq_key *key = decode_key(vb, pk->key, k, kn, "primary key");
        if (!key) return;
        idbpq_buffer b;
        idbpq_buffer_init(&b, NULL);
        size_t en;
        char *ev = idbpq__ldb_exists_key(pk->db_id, pk->os_id, key, &b) == IDBPQ_OK
                       ? get(b.data, b.len, &en) : NULL;
        int64_t ever = -1;
        if (!ev || idbpq__ldb_exists_value((const uint8_t *)ev, en, &ever, NULL) != IDBPQ_OK ||
            ever != i64)
            problem(k, kn, "record version %lld, exists entry %s (version %lld)", (long long)i64,
                    ev ? "differs" : "missing", (long long)ever);
        else
            n_exists_ok++;
        leveldb_free(ev);
        idbpq_buffer_free(&b);
        break;
    }
    case IDBPQ__LDB_EXISTS:
        st = idbpq__ldb_exists_value(v, vn, &i64, &err);
        break;
    case IDBPQ__LDB_INDEX_DATA: {
        st = idbpq__ldb_index_value(v, vn, &i64, &sl, &err);
        if (st != IDBPQ_OK) break;
        if (sl.n != pk->primary.n || memcmp(sl.p, pk->primary.p, sl.n) != 0)
            problem(k, kn, "index value's primary key differs from the key's");
        /* the record it points to exists */
        idbpq_buffer b;
        idbpq_buffer_init(&b, NULL);
        size_t rn;
        char *rv = NULL;
        if (idbpq__ldb_put_prefix(&b, pk->db_id, pk->os_id, 1) == IDBPQ_OK &&
            idbpq__kbuf_append(&b, sl.p, sl.n) == IDBPQ_OK)
            rv = get(b.data, b.len, &rn);
        /* Chromium deletes stale index entries lazily: a missing record is counted, not
         * a problem. */
        if (!rv) n_index_stale++;
        else n_index_ok++;
        leveldb_free(rv);
        idbpq_buffer_free(&b);
        break;
    }
    case IDBPQ__LDB_BLOB_ENTRY: {
        struct idbpq__ldb_xobj *xo;
        size_t n;
        st = idbpq__ldb_xobjs_decode(vb, v, vn, &xo, &n, &err);
        if (st != IDBPQ_OK) break;
        idbpq_buffer b;
        idbpq_buffer_init(&b, NULL);
        if (idbpq__ldb_xobjs_encode(xo, n, &b) != IDBPQ_OK || !same(&b, v, vn))
            problem(k, kn, "external-object list does not re-encode to its bytes");
        idbpq_buffer_free(&b);
        for (size_t i = 0; blob_dir && i < n; i++) {
            if (xo[i].type == IDBPQ__LDB_XO_FSA || xo[i].size == 0) continue;
            char rel[IDBPQ__LDB_BLOB_PATH_MAX], path[4096];
            struct stat sb;
            idbpq__ldb_blob_path(pk->db_id, xo[i].blob_number, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/%s", blob_dir, rel);
            if (stat(path, &sb) != 0 || (int64_t)sb.st_size != xo[i].size)
                problem(k, kn, "blob %s: %s", rel, stat(path, &sb) ? "no such file" : "size differs");
            else
                n_blob_files++;
        }
        break;
    }
    default:
        return;
    }
    if (st != IDBPQ_OK) problem(k, kn, "value of kind %d does not decode: %s", pk->kind, err.msg);
    else if (r.p != v && r.p != r.end) /* decoders that read through r */
        problem(k, kn, "bytes left after the value of kind %d", pk->kind);
    n_values++;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ldb_keys_check LEVELDB_DIR [BLOB_DIR]\n");
        return 2;
    }
    const char *blob_dir = argc > 2 ? argv[2] : NULL;
    char *err = NULL;
    leveldb_comparator_t *cmpr = leveldb_comparator_create(NULL, cmp_destroy, cmp, cmp_name);
    leveldb_options_t *opt = leveldb_options_create();
    leveldb_options_set_comparator(opt, cmpr);
    leveldb_options_set_create_if_missing(opt, 0);
    db = leveldb_open(opt, argv[1], &err);
    if (err) {
        fprintf(stderr, "ldb_keys_check: leveldb_open: %s\n", err);
        return 2;
    }
    ropt = leveldb_readoptions_create();
    idbpq_vbatch *vb;
    if (idbpq_vbatch_create(&vb, NULL) != IDBPQ_OK) return 2;
    long n_keys = 0, n_scopes = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(db, ropt);
    for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kn, vn;
        const uint8_t *k = (const uint8_t *)leveldb_iter_key(it, &kn);
        const uint8_t *v = (const uint8_t *)leveldb_iter_value(it, &vn);
        struct idbpq__ldb_key pk;
        idbpq_error e;
        n_keys++;
        if (idbpq__ldb_parse_key(k, kn, &pk, &e) != IDBPQ_OK) {
            problem(k, kn, "does not parse: %s (offset %llu)", e.msg, (unsigned long long)e.offset);
            continue;
        }
        if (pk.kind == IDBPQ__LDB_SCOPES) {
            n_scopes++;
            continue;
        }
        if (pk.kind == IDBPQ__LDB_UNKNOWN) {
            problem(k, kn, "unknown kind (type byte %u)", pk.type);
            continue;
        }
        n_kind[pk.kind]++;
        idbpq_buffer b;
        idbpq_buffer_init(&b, NULL);
        if (idbpq__ldb_build_key(&pk, &b) != IDBPQ_OK || !same(&b, k, kn))
            problem(k, kn, "rebuilt from its parsed form, kind %d gives other bytes", pk.kind);
        idbpq_buffer_free(&b);
        check_builder(vb, &pk, k, kn);
        check_value(vb, &pk, k, kn, v, vn, blob_dir);
        idbpq_vbatch_reset(vb);
    }
    leveldb_iter_destroy(it);
    static const char *const names[] = {"unknown", "global", "scopes", "db-free", "db-name",
                                        "db-meta", "os-meta", "index-meta", "os-free",
                                        "index-free", "os-name", "index-name", "record",
                                        "exists", "blob-entry", "index-data"};
    printf("# ldb_keys: %ld keys (%ld scopes skipped):", n_keys, n_scopes);
    for (int i = 1; i <= IDBPQ__LDB_INDEX_DATA; i++)
        if (n_kind[i]) printf(" %s %ld", names[i], n_kind[i]);
    printf("; %ld values, %ld key paths, %ld records' exists entries, %ld index entries' "
           "records (%ld stale), %ld blob files; %ld problems\n",
           n_values, n_keypaths, n_exists_ok, n_index_ok, n_index_stale, n_blob_files, problems);
    idbpq_vbatch_free(vb);
    leveldb_readoptions_destroy(ropt);
    leveldb_close(db);
    leveldb_options_destroy(opt);
    leveldb_comparator_destroy(cmpr);
    return problems ? 1 : 0;
}
