/*
 * read_leveldb.c — the C side of 63_chromium_values.sh (Chromium's own profile against idbpq).
 *
 *   read_leveldb values LEVELDB_DIR BLOB_DIR DBNAME
 *       Opens LEVELDB_DIR (a copy: LevelDB writes on open) with the leveldb C API and a
 *       comparator named "idb_cmp1" that is idbpq_idb_cmp1, finds database DBNAME (global
 *       metadata 201), and prints every record of its object stores as one line
 *       {"store":<object store id>,"key":<tagged key>,"value":<tagged value>}: the key decoded
 *       with idbpq_key_decode_leveldb, the value (VarInt version stripped) with idbpq_v8_decode
 *       (IDBPQ_V8_AUTO). Blobs, Files and blob-wrapped large values are resolved through the
 *       record's external-object entry (index id 3): the blob file under BLOB_DIR gives the
 *       bytes, the entry gives type, name and lastModified. For autoIncrement stores with a key
 *       path the primary key is injected at the key path, as Blink does on read.
 *   read_leveldb keypaths < CASES
 *       Each line: s|a TAB count TAB path... TAB <tagged value> TAB key:<tagged>|error:<name>
 *       (what Chromium did). Parses the value with idbpq_tjson_parse, runs idbpq_key_extract
 *       and compares: a key must be the same key, "no key" and "invalid key" must be
 *       Chromium's DataError. Prints "# mismatch ..." lines (first 20) and
 *       "# keypaths: N cases, M mismatches"; exit 1 on a mismatch.
 */
#include "idbpq.h"

#include <leveldb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "read_leveldb: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* ---- LevelDB coding helpers (indexeddb-on-disk.md §1.3, §1.4) ------------------------------ */

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t c = *(*p)++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) { *v = r; return 1; }
    }
    return 0;
}

static uint64_t get_int(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static size_t int_len(uint64_t v)
{
    size_t n = 1;
    while (v >>= 8) n++;
    return n;
}

/* Key prefix: lengths byte, then database, object store and index ids, minimal LE. */
static size_t put_prefix(uint8_t *o, uint64_t db, uint64_t os, uint64_t idx)
{
    size_t dl = int_len(db), ol = int_len(os), il = int_len(idx), n = 1;
    o[0] = (uint8_t)((dl - 1) << 5 | (ol - 1) << 2 | (il - 1));
    for (size_t i = 0; i < dl; i++) o[n++] = (uint8_t)(db >> (8 * i));
    for (size_t i = 0; i < ol; i++) o[n++] = (uint8_t)(os >> (8 * i));
    for (size_t i = 0; i < il; i++) o[n++] = (uint8_t)(idx >> (8 * i));
    return n;
}

static int get_prefix(const uint8_t *k, size_t n, uint64_t *db, uint64_t *os, uint64_t *idx,
                      size_t *used)
{
    if (n < 1) return 0;
    size_t dl = (size_t)(k[0] >> 5) + 1, ol = (size_t)((k[0] >> 2) & 7) + 1, il = (size_t)(k[0] & 3) + 1;
    if (n < 1 + dl + ol + il) return 0;
    *db = get_int(k + 1, dl);
    *os = get_int(k + 1 + dl, ol);
    *idx = get_int(k + 1 + dl + ol, il);
    *used = 1 + dl + ol + il;
    return 1;
}

/* StringWithLength: VarInt code units, then UTF-16BE. */
static int get_string(const uint8_t **p, const uint8_t *end, const uint8_t **units, uint64_t *n)
{
    if (!get_varint(p, end, n) || *n > (uint64_t)(end - *p) / 2) return 0;
    *units = *p;
    *p += *n * 2;
    return 1;
}

static idbpq_value *string_value(idbpq_vbatch *b, const uint8_t *be, uint64_t n)
{
    idbpq_value *v = idbpq_value_new(b, IDBPQ_V_STRING);
    uint16_t *u = idbpq_vbatch_alloc(b, (size_t)n * 2 + 2);
    if (!v || !u) die("out of memory", NULL);
    for (uint64_t i = 0; i < n; i++) u[i] = (uint16_t)(be[2 * i] << 8 | be[2 * i + 1]);
    v->u.str = (idbpq_str){u, (uint32_t)n, 1};
    return v;
}

/* ---- LevelDB -------------------------------------------------------------------------------- */

static int cmp(void *state, const char *a, size_t an, const char *b, size_t bn)
{
    (void)state;
    return idbpq_idb_cmp1((const uint8_t *)a, an, (const uint8_t *)b, bn);
}
static const char *cmp_name(void *state) { (void)state; return "idb_cmp1"; }
static void cmp_destroy(void *state) { (void)state; } /* leveldb calls it unconditionally */

static leveldb_t *db;
static leveldb_readoptions_t *ropt;

static char *get(const uint8_t *key, size_t n, size_t *vlen)
{
    char *err = NULL;
    char *v = leveldb_get(db, ropt, (const char *)key, n, vlen, &err);
    if (err) die("leveldb_get", err);
    return v;
}

/* ---- the external objects of one record (§1.11) ------------------------------------------- */

struct xobj {
    int type;                  /* 0 Blob, 1 File, 2 FSA handle */
    uint64_t number, size, last_modified_us;
    const uint8_t *mime, *name;
    uint64_t mime_n, name_n;
};

struct record_ctx {
    struct xobj obj[64];
    int n;
    const char *blob_dir;
    uint64_t db_id;
    idbpq_vbatch *b;
};

static void parse_xobjs(struct record_ctx *c, const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n;
    c->n = 0;
    if (getenv("READ_LEVELDB_DUMP")) {
        fputs("# external objects:", stderr);
        for (size_t i = 0; i < n; i++) fprintf(stderr, " %02x", p[i]);
        fputc('\n', stderr);
    }
    while (p < end) {
        if (c->n == 64) die("more than 64 external objects in a record", NULL);
        struct xobj *x = &c->obj[c->n++];
        memset(x, 0, sizeof *x);
        x->type = *p++;
        if (x->type == 2) {
            uint64_t len;
            if (!get_varint(&p, end, &len) || len > (uint64_t)(end - p)) die("bad FSA handle entry", NULL);
            p += len;
            continue;
        }
        if (x->type > 1 || !get_varint(&p, end, &x->number) || !get_string(&p, end, &x->mime, &x->mime_n) ||
            !get_varint(&p, end, &x->size))
            die("bad external-object entry", NULL);
        if (x->type == 1 && (!get_string(&p, end, &x->name, &x->name_n) ||
                             !get_varint(&p, end, &x->last_modified_us)))
            die("bad external-object entry (File)", NULL);
    }
}

/* Diagnostics only (READ_LEVELDB_V8_16_AS_15=1): relabel V8 format version 16 as 15 after
 * Blink's envelope, to see what else differs while the decoder stops at version 15. */
static int as15;

static void relabel16(uint8_t *p, size_t n)
{
    if (!as15 || n < 17) return;
    if (p[0] == 0xff && p[1] == 0x15 && p[2] == 0xfe && p[15] == 0xff && p[16] == 0x10) {
        p[16] = 0x0f;
        return;
    }
    if (p[0] != 0xff || p[1] != 0x11 || p[2] != 2) return;
    /* Snappy (FF 11 02): find uncompressed byte 16 in a literal and relabel it there. */
    const uint8_t *end = p + n;
    uint8_t *q = p + 3;
    uint64_t ulen, out = 0;
    if (!get_varint((const uint8_t **)&q, end, &ulen)) return;
    while (q < end && out <= 16) {
        uint8_t tag = *q++;
        uint64_t len;
        switch (tag & 3) {
        case 0:
            len = (uint64_t)(tag >> 2) + 1;
            if (len > 60) {
                size_t extra = (size_t)(len - 60);
                if ((size_t)(end - q) < extra) return;
                len = 0;
                for (size_t i = 0; i < extra; i++) len |= (uint64_t)q[i] << (8 * i);
                len++;
                q += extra;
            }
            if ((uint64_t)(end - q) < len) return;
            if (out <= 16 && 16 < out + len && q[16 - out] == 0x10) q[16 - out] = 0x0f;
            q += len;
            break;
        case 1: len = (uint64_t)((tag >> 2) & 7) + 4; q += 1; break;
        case 2: len = (uint64_t)(tag >> 2) + 1; q += 2; break;
        default: len = (uint64_t)(tag >> 2) + 1; q += 4; break;
        }
        out += len;
    }
}

static idbpq_status resolve(void *ctx, int64_t index, const uint8_t **bytes, uint64_t *len)
{
    struct record_ctx *c = ctx;
    if (index < 0 || index >= c->n || c->obj[index].type > 1) return IDBPQ_CORRUPT;
    const struct xobj *x = &c->obj[index];
    if (x->size == 0) { /* empty blobs have no file */
        *bytes = (const uint8_t *)"";
        *len = 0;
        return IDBPQ_OK;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%llx/%02llx/%llx", c->blob_dir, (unsigned long long)c->db_id,
             (unsigned long long)((x->number & 0xff00) >> 8), (unsigned long long)x->number);
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "read_leveldb: cannot open %s\n", path); return IDBPQ_IO; }
    uint8_t *buf = idbpq_vbatch_alloc(c->b, (size_t)x->size);
    size_t got = buf ? fread(buf, 1, (size_t)x->size, f) : 0;
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (!buf) return IDBPQ_NOMEM;
    if (got != x->size || extra) {
        fprintf(stderr, "read_leveldb: %s: size differs from the entry's %llu\n", path,
                (unsigned long long)x->size);
        return IDBPQ_CORRUPT;
    }
    relabel16(buf, (size_t)x->size);
    *bytes = buf;
    *len = x->size;
    return IDBPQ_OK;
}

/* Fill type, name and lastModified of indexed Blobs/Files from the entry; drop the index (the
 * page cannot see it). A plain walk over the value graph with a visited list. */
struct seen { const idbpq_value **v; size_t n, cap; };

static int visit(struct seen *s, const idbpq_value *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == v) return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) die("out of memory", NULL);
    }
    s->v[s->n++] = v;
    return 1;
}

static void fill_blobs(struct record_ctx *c, struct seen *s, idbpq_value *v)
{
    uint32_t i;
    if (!v || v->type <= IDBPQ_V_STRING || v->type == IDBPQ_V_HOLE || !visit(s, v)) return;
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_OBJECT:
        for (i = 0; i < v->u.object.n; i++) fill_blobs(c, s, v->u.object.props[i].value);
        break;
    case IDBPQ_V_ARRAY:
        if (v->u.array.items)
            for (i = 0; i < v->u.array.length; i++) fill_blobs(c, s, v->u.array.items[i]);
        for (i = 0; i < v->u.array.n_props; i++) fill_blobs(c, s, v->u.array.props[i].value);
        break;
    case IDBPQ_V_MAP:
        for (i = 0; i < 2 * v->u.coll.n; i++) fill_blobs(c, s, v->u.coll.items[i]);
        break;
    case IDBPQ_V_SET:
        for (i = 0; i < v->u.coll.n; i++) fill_blobs(c, s, v->u.coll.items[i]);
        break;
    case IDBPQ_V_ERROR: fill_blobs(c, s, v->u.error.cause); break;
    case IDBPQ_V_FILE_LIST:
        for (i = 0; i < v->u.files.n; i++) fill_blobs(c, s, v->u.files.files[i]);
        break;
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE: {
        int64_t ix = v->u.blob.index;
        if (ix < 0) break;
        if (ix >= c->n) die("blob index beyond the external-object list", NULL);
        const struct xobj *x = &c->obj[ix];
        v->u.blob.mime = string_value(c->b, x->mime, x->mime_n);
        if (!v->u.blob.bytes) v->u.blob.size = x->size;
        if (v->type == IDBPQ_V_FILE) {
            v->u.blob.name = string_value(c->b, x->name, x->name_n);
            /* microseconds since 1601-01-01 -> milliseconds since 1970-01-01 */
            v->u.blob.last_modified = (double)x->last_modified_us / 1000.0 - 11644473600000.0;
        }
        v->u.blob.index = -1;
        break;
    }
    default: break;
    }
}

/* Blink's key injection (autoIncrement store with a key path): set the property at the path,
 * creating plain objects on the way. */
static void inject(idbpq_vbatch *b, idbpq_value *v, const char *path, idbpq_value *key)
{
    for (;;) {
        if (!v || v->type != IDBPQ_V_OBJECT) return;
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        idbpq_value *name = idbpq_value_string_utf8(b, path, n), *slot = NULL;
        uint32_t i;
        for (i = 0; i < v->u.object.n; i++) {
            const idbpq_value *k = v->u.object.props[i].key;
            if (k->type == IDBPQ_V_STRING && idbpq_value_equal(k, name)) { slot = v->u.object.props[i].value; break; }
        }
        idbpq_value *val = dot ? (slot ? slot : idbpq_value_new(b, IDBPQ_V_OBJECT)) : key;
        if (i == v->u.object.n) {
            idbpq_prop *props = idbpq_vbatch_alloc(b, (v->u.object.n + 1) * sizeof *props);
            if (!props) die("out of memory", NULL);
            memcpy(props, v->u.object.props, v->u.object.n * sizeof *props);
            props[v->u.object.n] = (idbpq_prop){name, val};
            v->u.object.props = props;
            v->u.object.n++;
        } else {
            v->u.object.props[i].value = val;
        }
        if (!dot) return;
        v = val;
        path = dot + 1;
    }
}

static int cmd_values(const char *dir, const char *blob_dir, const char *dbname)
{
    char *err = NULL;
    leveldb_comparator_t *cmpr = leveldb_comparator_create(NULL, cmp_destroy, cmp, cmp_name);
    leveldb_options_t *opt = leveldb_options_create();
    leveldb_options_set_comparator(opt, cmpr);
    leveldb_options_set_create_if_missing(opt, 0);
    db = leveldb_open(opt, dir, &err);
    if (err) die("leveldb_open", err);
    ropt = leveldb_readoptions_create();

    /* Database name -> id: global metadata 201 + origin + name. */
    uint64_t db_id = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(db, ropt);
    static const uint8_t names[] = {0, 0, 0, 0, 0xc9};
    /* (a bare 5-byte prefix is not a well-formed key: idb_cmp1 sorts it last, so no seek) */
    for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kn, vn;
        const uint8_t *k = (const uint8_t *)leveldb_iter_key(it, &kn);
        if (kn < 4 || memcmp(k, names, 4)) break;
        if (kn < 5 || k[4] != names[4]) continue;
        const uint8_t *p = k + 5, *end = k + kn, *origin, *name;
        uint64_t on, nn;
        if (!get_string(&p, end, &origin, &on) || !get_string(&p, end, &name, &nn)) continue;
        int same = nn == strlen(dbname);
        for (uint64_t i = 0; same && i < nn; i++)
            same = name[2 * i] == 0 && name[2 * i + 1] == (uint8_t)dbname[i];
        if (same) {
            const uint8_t *v = (const uint8_t *)leveldb_iter_value(it, &vn);
            db_id = get_int(v, vn);
        }
    }
    if (!db_id) {
        if (getenv("READ_LEVELDB_DUMP"))
            for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it); leveldb_iter_next(it)) {
                size_t kn;
                const uint8_t *k = (const uint8_t *)leveldb_iter_key(it, &kn);
                for (size_t i = 0; i < kn && i < 90; i++) fprintf(stderr, "%02x", k[i]);
                fputc('\n', stderr);
            }
        die("database not found", dbname);
    }

    idbpq_vbatch *b;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) die("out of memory", NULL);
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    struct record_ctx rc = {.blob_dir = blob_dir, .db_id = db_id, .b = b};
    struct seen seen = {0};
    uint64_t cur_os = 0;
    int auto_inc = 0;
    char keypath[256] = "";
    long records = 0, failures = 0, snappy = 0, wrapped = 0, blobs = 0;
    uint8_t start[32];
    size_t sn = put_prefix(start, db_id, 1, 1); /* records of store 1, empty key: first */
    for (leveldb_iter_seek(it, (const char *)start, sn); leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t kn, vn, used;
        const uint8_t *k = (const uint8_t *)leveldb_iter_key(it, &kn);
        uint64_t kdb, os, idx;
        if (!get_prefix(k, kn, &kdb, &os, &idx, &used) || kdb != db_id) break;
        if (idx != 1) continue;
        if (os != cur_os) { /* object store metadata: key path (1) and autoIncrement (2) */
            uint8_t mk[40];
            size_t mn = put_prefix(mk, db_id, 0, 0), vlen;
            mk[mn++] = 50;
            for (uint64_t x = os;; x >>= 7) { /* VarInt object store id */
                mk[mn++] = (uint8_t)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
                if (x <= 0x7f) break;
            }
            mk[mn] = 2;
            char *ai = get(mk, mn + 1, &vlen);
            auto_inc = ai && vlen && ai[0];
            leveldb_free(ai);
            mk[mn] = 1;
            char *kp = get(mk, mn + 1, &vlen);
            keypath[0] = 0;
            if (kp && vlen >= 3 && kp[0] == 0 && kp[1] == 0 && kp[2] == 1) {
                const uint8_t *p = (const uint8_t *)kp + 3, *units;
                uint64_t n;
                if (get_string(&p, (const uint8_t *)kp + vlen, &units, &n) && n < sizeof keypath) {
                    for (uint64_t i = 0; i < n; i++) keypath[i] = (char)units[2 * i + 1];
                    keypath[n] = 0;
                }
            }
            leveldb_free(kp);
            cur_os = os;
        }
        idbpq_vbatch_reset(b);
        out.len = 0;
        records++;
        idbpq_key *key;
        idbpq_error e;
        size_t kused;
        if (idbpq_key_decode_leveldb(b, k + used, kn - used, &key, &kused, &e) != IDBPQ_OK) {
            printf("# record %ld of store %llu: key: %s\n", records, (unsigned long long)os, e.msg);
            failures++;
            continue;
        }
        /* the external-object entry: same key with index id 3 */
        uint8_t *k3 = malloc(kn + 8);
        size_t p3 = put_prefix(k3, db_id, os, 3), x3;
        memcpy(k3 + p3, k + used, kn - used);
        char *xv = get(k3, p3 + kn - used, &x3);
        free(k3);
        rc.n = 0;
        if (xv) { /* into the batch: the entries point into it until the record is printed */
            uint8_t *copy = idbpq_vbatch_alloc(b, x3 + 1);
            if (!copy) die("out of memory", NULL);
            memcpy(copy, xv, x3);
            parse_xobjs(&rc, copy, x3);
        }
        leveldb_free(xv);

        const uint8_t *v = (const uint8_t *)leveldb_iter_value(it, &vn), *p = v;
        uint64_t version;
        if (!get_varint(&p, v + vn, &version)) die("record without a version", NULL);
        if (v + vn - p >= 3 && p[0] == 0xff && p[1] == 0x11 && (p[2] == 1 || p[2] == 2))
            *(p[2] == 1 ? &wrapped : &snappy) += 1;
        blobs += rc.n;
        idbpq_v8_opts o;
        idbpq_v8_opts_init(&o);
        o.flags = IDBPQ_V8_AUTO;
        o.resolve_blob = resolve;
        o.resolve_ctx = &rc;
        idbpq_value *val;
        size_t sn2 = (size_t)(v + vn - p);
        if (as15) { /* diagnostics: relabel a writable copy */
            uint8_t *c = idbpq_vbatch_alloc(b, sn2 + 1);
            if (!c) die("out of memory", NULL);
            memcpy(c, p, sn2);
            relabel16(c, sn2);
            p = c;
        }
        idbpq_status st = idbpq_v8_decode(b, p, sn2, &o, &val, &e);
        idbpq_value *kv = idbpq_key_to_value(b, key);
        printf("{\"store\":%llu,\"key\":", (unsigned long long)os);
        if (idbpq_tjson_write(kv, &out) != IDBPQ_OK) die("tjson_write of a key", NULL);
        fwrite(out.data, 1, out.len, stdout);
        out.len = 0;
        if (st != IDBPQ_OK) {
            /* the message may hold quotes or backslashes: keep the line JSON-ish */
            for (char *m = e.msg; *m; m++)
                if (*m == '"' || *m == '\\') *m = '\'';
            printf(",\"error\":\"%s at byte %llu: %s; bytes:", idbpq_status_name(st),
                   (unsigned long long)e.offset, e.msg);
            for (const uint8_t *q = p; q < p + sn2 && q < p + 48; q++) printf(" %02x", *q);
            puts("\"}");
            failures++;
            continue;
        }
        seen.n = 0;
        fill_blobs(&rc, &seen, val);
        if (auto_inc && keypath[0]) inject(b, val, keypath, kv);
        st = idbpq_tjson_write(val, &out);
        if (st != IDBPQ_OK) {
            printf(",\"error\":\"tjson_write: %s\"}\n", idbpq_status_name(st));
            failures++;
            continue;
        }
        fputs(",\"value\":", stdout);
        fwrite(out.data, 1, out.len, stdout);
        fputs("}\n", stdout);
    }
    leveldb_iter_destroy(it);
    free(seen.v);
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
    leveldb_readoptions_destroy(ropt);
    leveldb_close(db);
    leveldb_options_destroy(opt);
    leveldb_comparator_destroy(cmpr);
    fprintf(stderr, "# read_leveldb: %ld records (%ld snappy-compressed, %ld moved into a blob file, "
            "%ld external objects), %ld failures\n", records, snappy, wrapped, blobs, failures);
    return failures ? 1 : 0;
}

/* ---- key paths ------------------------------------------------------------------------------ */

static int cmd_keypaths(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long cases = 0, bad = 0, ln = 0;
    idbpq_vbatch *b;
    idbpq_buffer out;
    if (idbpq_vbatch_create(&b, NULL) != IDBPQ_OK) die("out of memory", NULL);
    idbpq_buffer_init(&out, NULL);
    while ((len = getline(&line, &cap, stdin)) > 0) {
        ln++;
        if (line[len - 1] == '\n') line[--len] = 0;
        if (!len) continue;
        char *f[40];
        int nf = 0;
        for (char *p = line;;) {
            if (nf == 40) die("too many fields", NULL);
            f[nf++] = p;
            char *t = strchr(p, '\t');
            if (!t) break;
            *t = 0;
            p = t + 1;
        }
        int count = nf >= 2 ? atoi(f[1]) : -1;
        if (count < 1 || nf != count + 4) die("malformed case line", f[0]);
        idbpq_vbatch_reset(b);
        cases++;
        const char *value_text = f[2 + count], *expect = f[3 + count];
        idbpq_keypath kp = {f[0][0] == 'a' ? 2 : 1, (uint32_t)count, (const char *const *)&f[2]};
        idbpq_value *v;
        idbpq_key *key;
        idbpq_error e;
        char got[512];
        if (idbpq_tjson_parse(b, value_text, strlen(value_text), &v, &e) != IDBPQ_OK) {
            snprintf(got, sizeof got, "parse error: %s", e.msg);
        } else {
            idbpq_status st = idbpq_key_extract(b, v, &kp, &key, &e);
            if (st == IDBPQ_OK) {
                out.len = 0;
                if (idbpq_tjson_write(idbpq_key_to_value(b, key), &out) != IDBPQ_OK) die("tjson_write", NULL);
                snprintf(got, sizeof got, "key:%.*s", (int)(out.len < 400 ? out.len : 400), (const char *)out.data);
            } else if (st == IDBPQ_END || st == IDBPQ_INVALID_ARG) {
                snprintf(got, sizeof got, "error:DataError");
            } else {
                snprintf(got, sizeof got, "status %s: %s", idbpq_status_name(st), e.msg);
            }
        }
        if (strcmp(got, expect) != 0) {
            if (++bad <= 20) {
                printf("# mismatch (case %ld): path", ln);
                for (int i = 0; i < count; i++) printf(" \"%s\"", f[2 + i]);
                printf(" on %.300s: chromium %.200s, idbpq %s\n", value_text, expect, got);
            }
        }
    }
    free(line);
    idbpq_buffer_free(&out);
    idbpq_vbatch_free(b);
    printf("# keypaths: %ld cases, %ld mismatches\n", cases, bad);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    as15 = getenv("READ_LEVELDB_V8_16_AS_15") != NULL;
    if (argc == 5 && !strcmp(argv[1], "values")) return cmd_values(argv[2], argv[3], argv[4]);
    if (argc == 2 && !strcmp(argv[1], "keypaths")) return cmd_keypaths();
    fprintf(stderr, "usage: read_leveldb values LEVELDB_DIR BLOB_DIR DBNAME\n"
                    "       read_leveldb keypaths < CASES\n");
    return 2;
}
