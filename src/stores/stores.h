/*
 * stores.h — the stores layer: IndexedDB where it lives on disk. A profile (profile.c) finds
 * the origins under a path and gives each to a backend: Chromium's LevelDB (chromium_ldb.c,
 * over the LevelDB reader of leveldb.h) or Chromium's SQLite (chromium_sqlite.c). Backends
 * load the metadata (databases, stores, indexes) into the profile's arena and give records
 * in key order through a cursor; idb_value.c turns a stored value into a JS value (Blink's
 * envelope, Chromium's compression and blob wrapping, Blob/File contents, key injection).
 * docs/internals/profiles.md.
 */
#ifndef IDBPQ_STORES_H
#define IDBPQ_STORES_H

#include "common/common.h"
#include "idb/ldb_coding.h"

struct idbpq__origin;

/* A backend's operations on one origin (or bucket). */
struct idbpq__backend_ops {
    const char *name;                            /* "leveldb", "sqlite" */
    /* Loads the metadata: sets o->databases / o->n_databases (arrays and strings in
     * o->profile's arena) and o->state. */
    idbpq_status (*open)(struct idbpq__origin *o, idbpq_error *err);
    /* Records of one store (cheap: LevelDB counts the small "exists" entries). */
    idbpq_status (*count)(struct idbpq__origin *o, uint32_t db, uint32_t store, uint64_t *n,
                          idbpq_error *err);
    idbpq_status (*cursor_open)(struct idbpq__origin *o, uint32_t db, uint32_t store,
                                void **cur, idbpq_error *err);
    /* OK (a record in b), END, CORRUPT (a damaged record, skipped and reported: call again),
     * or a fatal status. */
    idbpq_status (*cursor_next)(void *cur, idbpq_vbatch *b, idbpq_value **key,
                                idbpq_value **value, idbpq_error *err);
    uint64_t (*cursor_bytes)(void *cur);
    void (*cursor_free)(void *cur);
    void (*close)(struct idbpq__origin *o);
    /* Optional (NULL: the backend keeps no write stamps): the next key with its write stamp,
     * read without the value; then the value of that record. */
    idbpq_status (*cursor_next_stamp)(void *cur, idbpq_vbatch *b, idbpq_value **key,
                                      uint64_t *stamp, idbpq_error *err);
    idbpq_status (*cursor_value)(void *cur, idbpq_vbatch *b, idbpq_value **value,
                                 idbpq_error *err);
};

extern const struct idbpq__backend_ops idbpq__chromium_ldb_ops;
extern const struct idbpq__backend_ops idbpq__chromium_sqlite_ops;

/* Per-store facts the backends keep beside the public description. */
struct idbpq__store_ext {
    int64_t db_id, os_id;                        /* backend ids */
};

struct idbpq__origin {
    idbpq_profile_origin pub;                    /* what idbpq_profile_origin_at() shows */
    idbpq_profile *profile;
    const struct idbpq__backend_ops *ops;
    char *blob_dir;                              /* LevelDB: the .indexeddb.blob directory */
    void *state;                                 /* the backend's */
};

struct idbpq_profile {
    const idbpq_allocator *alc;
    struct idbpq__arena arena;                   /* names, descriptions: live as the profile */
    idbpq_profile_opts opts;
    struct idbpq__origin *origins;
    uint32_t n_origins, cap_origins;
    char *tmp_dir;                               /* private snapshot copies (SQLite WAL) */
};

/* Reports damage through the profile's callback (no-op without one). */
void idbpq__profile_damage(idbpq_profile *p, const char *file, uint64_t offset,
                           const char *fmt, ...) IDBPQ__PRINTF(4, 5);
/* A damaged record of a store: reports "store S, key K<where>: what" (K as tagged JSON, at
 * most 200 bytes of it; where e.g. " (records row 7)") at file/offset through the damage
 * callback and returns CORRUPT with err saying "<file>[ at byte <offset>]: <the same>" (the
 * byte position only when offset_is_byte). scratch holds the key's text. */
idbpq_status idbpq__record_damage(idbpq_profile *p, const char *file, uint64_t offset,
                                  int offset_is_byte, const char *store,
                                  const idbpq_value *key, const char *where, const char *what,
                                  idbpq_buffer *scratch, idbpq_error *err);
/* A copy of s in the profile's arena (NULL: no memory). */
char *idbpq__profile_strdup(idbpq_profile *p, const char *s, size_t n);
/* UTF-8 of UTF-16 units (big- or little-endian bytes), lone surrogates as U+FFFD, in the
 * profile's arena. */
char *idbpq__profile_utf16(idbpq_profile *p, const uint8_t *units, size_t n_units, int big);
/* snprintf for paths: 1 when the result fit in cap, 0 when it was cut (callers skip such
 * paths: a cut path names another file). */
int idbpq__pathf(char *out, size_t cap, const char *fmt, ...) IDBPQ__PRINTF(3, 4);
/* A private directory for snapshot copies, made on first use and removed with the profile. */
idbpq_status idbpq__profile_tmpdir(idbpq_profile *p, const char **dir, idbpq_error *err);

/* ---- stored values (idb_value.c) ----------------------------------------------------------- */

/* Loads the bytes of external object `index` of the current record into b. */
typedef idbpq_status (*idbpq__xobj_load_fn)(void *ctx, size_t index, idbpq_vbatch *b,
                                            const uint8_t **bytes, uint64_t *len,
                                            idbpq_error *err);

struct idbpq__stored_value {
    const uint8_t *ssv;                          /* Blink's serialized value (maybe FF 11 ..) */
    size_t n;
    const struct idbpq__ldb_xobj *xobjs;         /* the record's external objects */
    size_t n_xobjs;
    idbpq__xobj_load_fn load;
    void *load_ctx;
};

/* Decodes a stored value as Blink does on read (a failure's message says what did not decode
 * and where, for a damage report): Chromium's snappy and blob-wrapping markers,
 * Blob/File contents and metadata from the external-object list, and for an autoIncrement
 * store with a key path the primary key injected at the path. A Blob whose contents cannot be
 * loaded makes the record CORRUPT (err says which blob and why): a record is never exported
 * with a part missing. */
idbpq_status idbpq__idb_value_decode(idbpq_vbatch *b, const struct idbpq__stored_value *sv,
                                     const idbpq_store_desc *store, const idbpq_value *key,
                                     idbpq_value **out, idbpq_error *err);

#endif
