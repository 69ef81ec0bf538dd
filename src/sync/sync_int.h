/*
 * sync_int.h — the sync engine's own pieces (sync.c orchestrates; sync_changes.c holds change
 * sets and reads the table's changes; sync_push.c writes the store's changes to the table).
 *
 * Every stream the engine merges is in IndexedDB key order, compared as the sortable key
 * encoding (idbpq_key_encode_sortable: memcmp order is key order): the store's records, the
 * state's entries, the table's changes (sorted once read) and the table's data files (idbpq
 * writes each file sorted, and files' key ranges never overlap).
 */
#ifndef IDBPQ_SYNC_INT_H
#define IDBPQ_SYNC_INT_H

#include "sync/delta.h"
#include "idb/idb.h"     /* idbpq__kbuf_append */
#include "value/value.h" /* idbpq__verr */

/* One change of one key. */
struct idbpq__chg {
    uint8_t *sk;                         /* sortable key encoding */
    uint32_t skn;
    uint32_t seq;                        /* arrival order: ties keep it */
    idbpq_value *key;
    idbpq_value *value;                  /* NULL: delete */
    int64_t version;                     /* table changes: the version that made it */
    int32_t kind;                        /* push: IDBPQ_CHANGE_INSERT / UPDATE_POSTIMAGE /
                                            DELETE */
};

/* A set of changes; values and keys are copies owned by the set. */
struct idbpq__chgset {
    struct idbpq__chg *v;
    size_t n, cap;
    idbpq_vbatch *b;                     /* the values */
    struct idbpq__arena keys;            /* the sortable keys */
    const idbpq_allocator *alc;
};

idbpq_status idbpq__chgset_init(struct idbpq__chgset *s, const idbpq_allocator *alc);
void idbpq__chgset_free(struct idbpq__chgset *s);
/* Appends a change, copying key, value and sk. */
idbpq_status idbpq__chgset_add(struct idbpq__chgset *s, const uint8_t *sk, size_t skn,
                               const idbpq_value *key, const idbpq_value *value,
                               int64_t version, int32_t kind);
/* Sorts by key; for a key changed more than once keeps the last (by version, then by
 * arrival — except that within one version an upsert beats a delete, since a rewritten
 * file is a remove and an add of the same rows). */
void idbpq__chgset_settle(struct idbpq__chgset *s);
/* Binary search; NULL when absent. */
const struct idbpq__chg *idbpq__chgset_find(const struct idbpq__chgset *s, const uint8_t *sk,
                                            size_t skn);

/* The sortable encoding of a key value into out (reset first). */
idbpq_status idbpq__sk_of(const idbpq_value *key, idbpq_vbatch *scratch, idbpq_buffer *out,
                          idbpq_error *err);

/* The table's changes in (from, to]: from the Change Data Feed, and when from < 0 (no
 * state yet) or the feed cannot be read (commits cleaned up), every live row as an upsert
 * with *complete = 1: keys absent from the set were then deleted by the table. */
idbpq_status idbpq__sync_table_changes(idbpq_table *t, int64_t from,
                                       const idbpq_record_reader_opts *ro,
                                       struct idbpq__chgset *out, int *complete,
                                       const idbpq_allocator *alc, idbpq_error *err);

/* What sync_push.c reports back. */
struct idbpq__push_out {
    int64_t version;                     /* committed; -1 none */
    uint32_t attempts;
    uint64_t files_added, files_removed, cdc_files, bytes_written;
};

struct idbpq__push_in {
    const idbpq_table_io *io;
    idbpq_table *table;                  /* the snapshot read (NULL: no table yet) */
    const idbpq_store_desc *store;
    const struct idbpq__chgset *changes; /* sorted: the store's inserts, updates, deletes */
    const idbpq_sync_opts *opts;
    const char *app_id;
    int64_t txn_version;
    const idbpq_allocator *alc;
};

/* Writes the changes as data and change-data files (copy-on-write of the files whose key
 * ranges hold changed keys) and commits them. CONFLICT when a concurrent commit conflicts. */
idbpq_status idbpq__sync_push(const struct idbpq__push_in *in, struct idbpq__push_out *out,
                              idbpq_error *err);

/* A push of the whole store into a table without data files, streamed in key order while
 * the walk reads the store (the store is not held): open, write each record, commit. */
struct idbpq__bulk;
idbpq_status idbpq__bulk_open(struct idbpq__bulk **out, const struct idbpq__push_in *in,
                              struct idbpq__push_out *res, idbpq_error *err);
idbpq_status idbpq__bulk_write(struct idbpq__bulk *b, const idbpq_value *key,
                               const idbpq_value *value);
idbpq_status idbpq__bulk_commit(struct idbpq__bulk *b);
void idbpq__bulk_free(struct idbpq__bulk *b);


#endif
