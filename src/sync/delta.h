/*
 * delta.h — the sync layer's internals shared between its files: a JSON reader and writer for
 * the Delta log, parsed commits, the transaction that writes one, and the data files it adds.
 * The public side (idbpq_table_*, idbpq_sync*) is in include/idbpq.h; docs/delta.md says
 * which parts of the Delta protocol are implemented and which are refused.
 *
 * Who builds what on top of whom:
 *   json.c, json_write.c         JSON DOM (numbers kept as text) and JSON text output
 *   delta_log.c                  list the log, parse one commit (actions)
 *   delta_snapshot.c, _ckpt.c    idbpq_table_open: checkpoint + commits reconciled
 *   delta_dv.c                   deletion vectors (Z85, RoaringBitmap portable format)
 *   delta_scan.c, _changes.c     rows of a snapshot; the Change Data Feed
 *   delta_schema.c, _stats.c     Parquet schema -> schemaString; footer -> per-file stats
 *   delta_file.c                 data / change-data files written with the table's schema
 *   delta_txn.c                  a commit: actions, put-if-absent, conflict check, retry,
 *                                checkpoints; vacuum
 *   io_dir.c                     idbpq_table_io over a directory
 *   sync.c, sync_state.c, ...    the sync engine (push, pull, conflicts) and its state
 */
#ifndef IDBPQ_SYNC_DELTA_H
#define IDBPQ_SYNC_DELTA_H

#include "common/common.h"

/* ---- JSON (json.c, json_write.c) ----------------------------------------------------------- */

enum idbpq__dj_kind { IDBPQ__DJ_NULL, IDBPQ__DJ_BOOL, IDBPQ__DJ_NUM, IDBPQ__DJ_STR,
                      IDBPQ__DJ_ARR, IDBPQ__DJ_OBJ };

/* A parsed JSON value; everything lives in the arena given to the parser. Strings are
 * unescaped UTF-8, NUL-terminated (len excludes the NUL); numbers keep their source text in
 * str (so int64 beyond 2^53 and decimals with their scale survive). */
struct idbpq__dj {
    enum idbpq__dj_kind kind;
    int32_t b;                           /* BOOL */
    const char *str;                     /* STR, NUM */
    size_t len;
    uint32_t n;                          /* ARR items, OBJ members */
    struct idbpq__dj *items;             /* ARR */
    const char **keys;                   /* OBJ: unescaped, NUL-terminated */
    struct idbpq__dj *vals;              /* OBJ */
};

/* Parses text[0..n) (one JSON value, whitespace around it). CORRUPT with "at byte N" in the
 * message on bad input; LIMIT past 1000 levels of nesting. */
idbpq_status idbpq__dj_parse(struct idbpq__arena *a, const char *text, size_t n,
                             struct idbpq__dj **out, struct idbpq__err *err);
/* The member named key of an object (NULL when v is not an object or lacks it). */
const struct idbpq__dj *idbpq__dj_get(const struct idbpq__dj *v, const char *key);
/* A string member's text, NULL when absent, null or not a string. */
const char *idbpq__dj_str(const struct idbpq__dj *v, const char *key);
/* An integer member: 1 and *out when present and an integer in int64, else 0. */
int idbpq__dj_int(const struct idbpq__dj *v, const char *key, int64_t *out);
/* A boolean member: its value, or dflt when absent or not a boolean. */
int idbpq__dj_bool(const struct idbpq__dj *v, const char *key, int dflt);

/* JSON text output into a growable buffer. */
idbpq_status idbpq__jw_str(struct idbpq__buf *b, const char *s, size_t n);   /* "escaped" */
idbpq_status idbpq__jw_raw(struct idbpq__buf *b, const char *s);             /* as is */
idbpq_status idbpq__jw_int(struct idbpq__buf *b, int64_t v);
idbpq_status idbpq__jw_key(struct idbpq__buf *b, const char *k, int first);  /* [,]"k": */

/* Random bytes for UUIDs (file names, txn ids, sync replica ids): /dev/urandom natively; the
 * wasm build supplies its own (crypto.getRandomValues). */
void idbpq__random_bytes(void *out, size_t n);

/* ---- shared helpers ------------------------------------------------------------------------ */

/* err into a public error (may be NULL; the message cut to its size). Returns err->status. */
idbpq_status idbpq__derr_out(idbpq_error *out, const struct idbpq__err *err);
/* The value of key in kv (NUL-terminated values), NULL when absent or null
 * (idbpq__kv_get's entry). */
const char *idbpq__kv_find(const idbpq_kv *kv, uint32_t n, const char *key);
/* Order of sortable key codings (memcmp, then the shorter first): IndexedDB key order. */
int idbpq__dkey_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/* A key range [lo, hi] in the sortable key coding; lo NULL: unbounded. */
struct idbpq__drange {
    const uint8_t *lo, *hi;
    size_t lo_n, hi_n;
};
/* The range of a file's idbpq.minKey/maxKey tags (copied into a); unbounded without both. */
struct idbpq__drange idbpq__drange_of_tags(struct idbpq__arena *a, const idbpq_kv *tags,
                                           uint32_t n);

/* ---- the log (delta_log.c) ----------------------------------------------------------------- */

#define IDBPQ__DELTA_LOG "_delta_log"

/* A file action: add, remove or cdc, as in the log. */
struct idbpq__delta_file {
    const char *path;                    /* as written (URI-encoded) */
    const char *file;                    /* percent-decoded */
    int64_t size;                        /* -1 absent (remove) */
    int64_t modification_time, deletion_timestamp;   /* -1 absent */
    int32_t data_change;
    int32_t extended;                    /* remove.extendedFileMetadata */
    const char *stats;                   /* JSON text or NULL */
    idbpq_kv *partition_values; uint32_t n_partition_values;
    idbpq_kv *tags; uint32_t n_tags;
    idbpq_table_dv *dv;                  /* NULL: none */
};

struct idbpq__delta_protocol {
    int32_t min_reader, min_writer;
    const char **reader_features; uint32_t n_reader_features;  /* NULL when absent */
    const char **writer_features; uint32_t n_writer_features;
};

struct idbpq__delta_metadata {
    const char *id, *name, *description, *schema_string;
    const char **partition_columns; uint32_t n_partition_columns;
    idbpq_kv *configuration; uint32_t n_configuration;
    int64_t created_time;
    const struct idbpq__dj *schema;      /* schema_string parsed; NULL when absent */
};

struct idbpq__delta_txn_action {
    const char *app_id;
    int64_t version, last_updated;
};

/* One commit (version) parsed; everything in the arena given to idbpq__delta_commit_read. */
struct idbpq__delta_commit {
    int64_t version;
    int64_t file_mtime;                  /* ms, -1 unknown */
    int64_t timestamp;                   /* ICT, else commitInfo.timestamp, else file_mtime */
    const struct idbpq__delta_protocol *protocol;   /* NULL: unchanged */
    const struct idbpq__delta_metadata *metadata;   /* NULL: unchanged */
    struct idbpq__delta_file *adds, *removes, *cdcs;
    uint32_t n_adds, n_removes, n_cdcs;
    struct idbpq__delta_txn_action *txns; uint32_t n_txns;
    const char **domains; uint32_t n_domains;        /* domainMetadata domains touched */
    const struct idbpq__dj *commit_info;             /* NULL when absent */
    const char *operation;                           /* commitInfo.operation or NULL */
};

/* Reads and parses _delta_log/<version 20 digits>.json. IDBPQ_END when it does not exist;
 * CORRUPT naming the file and line. Unknown actions and fields are ignored. */
idbpq_status idbpq__delta_commit_read(const idbpq_table_io *io, int64_t version,
                                      struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                      struct idbpq__err *err);
/* Parses a commit's text (no I/O); name is for messages. */
idbpq_status idbpq__delta_commit_parse(const char *text, size_t n, const char *name,
                                       struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                       struct idbpq__err *err);
/* The newest version with a commit file (or checkpoint) in the log; -1 when there is none. */
idbpq_status idbpq__delta_latest_version(const idbpq_table_io *io, int64_t *version,
                                         struct idbpq__err *err);
/* "_delta_log/00000000000000000042.json" into out (at least 48 bytes). */
void idbpq__delta_commit_name(int64_t version, char *out, size_t cap);

/* The table's reader and writer protocol checks: OK, or UNSUPPORTED naming the feature (and
 * for writing, the table property or field metadata that makes us refuse). */
idbpq_status idbpq__delta_check_read(const struct idbpq__delta_protocol *p,
                                     struct idbpq__err *err);
idbpq_status idbpq__delta_check_write(const struct idbpq__delta_protocol *p,
                                      const struct idbpq__delta_metadata *m,
                                      struct idbpq__err *err);

/* The snapshot's parsed protocol and metadata (delta_snapshot.c). */
const struct idbpq__delta_protocol *idbpq__table_protocol(const idbpq_table *t);
const struct idbpq__delta_metadata *idbpq__table_metadata(const idbpq_table *t);
const idbpq_table_io *idbpq__table_io(const idbpq_table *t);

/* ---- data files (delta_file.c) ------------------------------------------------------------- */

/* What a written file became: for its add (or cdc) action. Strings live until
 * idbpq__dfile_free. */
struct idbpq__dfile_info {
    const char *path;                    /* relative to the table root, e.g.
                                            "part-00000-<uuid>-c000.zstd.parquet" */
    uint64_t size;
    uint64_t rows;
    const char *stats;                   /* Delta stats JSON (numRecords, min/max, nullCount) */
    const uint8_t *min_key, *max_key;    /* sortable key encoding of the first and last key
                                            written (the file's key range, for tags) */
    size_t min_key_len, max_key_len;
    const char *typemap;                 /* data files: the footer's "idbpq" document (the
                                            table metadata's idbpq.typemap) */
};

/* Tags on our adds: the file's key range as hex of the sortable key encoding. */
#define IDBPQ__TAG_MIN_KEY "idbpq.minKey"
#define IDBPQ__TAG_MAX_KEY "idbpq.maxKey"

struct idbpq__dfile;

/* The schema every data file of a table shares: taken from a live file's footer (its
 * Parquet schema and idbpq type map), or NULL to infer it from the records observed
 * (idbpq__dfile_observe) before the first write. */
struct idbpq__dtemplate;
idbpq_status idbpq__dtemplate_load(struct idbpq__dtemplate **out, idbpq_table *t,
                                   uint64_t file_index, const idbpq_allocator *alc,
                                   struct idbpq__err *err);
void idbpq__dtemplate_free(struct idbpq__dtemplate *tm);
/* The template of a file just closed (keep 1): the schema later files of the same commit
 * share when the first one inferred it (sync_push.c splits a large push into files). */
idbpq_status idbpq__dtemplate_from_dfile(struct idbpq__dtemplate **out,
                                         const struct idbpq__dfile *f,
                                         const idbpq_allocator *alc, struct idbpq__err *err);

/* Opens a new data file (change_data 0; under the root) or change-data file (change_data 1;
 * under _change_data/, with a `_change_type` STRING column). Records must come in key order
 * for data files. */
idbpq_status idbpq__dfile_open(struct idbpq__dfile **out, const idbpq_table_io *io,
                               const idbpq_store_desc *store,
                               const struct idbpq__dtemplate *tmpl, int change_data,
                               const idbpq_record_writer_opts *opts,
                               const idbpq_allocator *alc, struct idbpq__err *err);
/* Without a template: every record before the first write (two passes). */
idbpq_status idbpq__dfile_observe(struct idbpq__dfile *f, const idbpq_value *key,
                                  const idbpq_value *value, struct idbpq__err *err);
/* change: 0 for data files, an idbpq_change_type for change-data files. */
idbpq_status idbpq__dfile_write(struct idbpq__dfile *f, const idbpq_value *key,
                                const idbpq_value *value, int change,
                                struct idbpq__err *err);
/* Bytes written so far (to close a file near the target size). */
uint64_t idbpq__dfile_bytes(const struct idbpq__dfile *f);
/* Finishes the file (keep 1) and fills info; keep 0 discards it. */
idbpq_status idbpq__dfile_close(struct idbpq__dfile *f, int keep,
                                struct idbpq__dfile_info *info, struct idbpq__err *err);
/* The Parquet schema the file was written with, as a Delta schemaString (valid after
 * close); *needs_variant / *needs_column_mapping say which protocol it needs. */
idbpq_status idbpq__dfile_schema_string(const struct idbpq__dfile *f, idbpq_buffer *out,
                                        int *needs_variant, int *needs_column_mapping,
                                        struct idbpq__err *err);
/* After a kept close: frees what writing needed (the record writer and its column buffers),
 * keeping the info for the file's action — a push of many files holds one writer at a time.
 * idbpq__dfile_schema_string no longer works after it. */
void idbpq__dfile_release(struct idbpq__dfile *f);
void idbpq__dfile_free(struct idbpq__dfile *f);

/* delta_schema.c: schema s as a Delta schemaString (appended to out), without the root
 * column `skip` (NULL: none). A name Spark refuses without column mapping sets
 * *needs_column_mapping and the fields then carry delta.columnMapping.id (1, 2... depth
 * first) and delta.columnMapping.physicalName (the Parquet name); a VARIANT sets
 * *needs_variant. UNSUPPORTED (naming the column) for names equal ignoring case, shredded
 * VARIANTs, TIMESTAMPs not adjusted to UTC and types Delta lacks. */
idbpq_status idbpq__delta_schema_string(const idbpq_schema *s, const char *skip,
                                        struct idbpq__buf *out, int *needs_variant,
                                        int *needs_column_mapping, struct idbpq__err *err);
/* delta_stats.c: an add's stats JSON (appended to out) from the written file's footer m.
 * node_nulls (per schema node, -1 unknown; NULL: none known): rows whose LIST, MAP or
 * VARIANT column (reached through structs only) is null, counted while writing. The root
 * column skip is left out; max_indexed columns are indexed (0: 32). */
idbpq_status idbpq__delta_stats(const idbpq_schema *s, const idbpq_file_meta *m,
                                const int64_t *node_nulls, const char *skip,
                                uint32_t max_indexed, struct idbpq__buf *out);
/* A random (version 4) UUID as 36 characters and a NUL into out (idbpq__random_bytes;
 * delta_file.c). Always OK: the status is for callers that may later need a failure. */
idbpq_status idbpq__uuid4(char out[37]);

/* ---- a commit (delta_txn.c) ---------------------------------------------------------------- */

struct idbpq__dtx;

/* A transaction reading snapshot t (NULL: the table does not exist; the commit creates it at
 * version 0 and needs idbpq__dtx_set_metadata). Refuses (UNSUPPORTED) tables we cannot
 * write (idbpq__delta_check_write). */
idbpq_status idbpq__dtx_begin(struct idbpq__dtx **out, const idbpq_table_io *io,
                              idbpq_table *t, const idbpq_allocator *alc,
                              struct idbpq__err *err);
/* A new metaData (creating, or the schema changed): schemaString, configuration entries to
 * set (the table's others are kept; idbpq.store, delta.enableChangeDataFeed=true are added),
 * and the protocol these need. */
idbpq_status idbpq__dtx_set_metadata(struct idbpq__dtx *x, const char *schema_string,
                                     int needs_variant, int needs_column_mapping,
                                     const idbpq_store_desc *store,
                                     const idbpq_kv *config, uint32_t n_config,
                                     struct idbpq__err *err);
idbpq_status idbpq__dtx_add(struct idbpq__dtx *x, const struct idbpq__dfile_info *f,
                            int data_change, struct idbpq__err *err);
idbpq_status idbpq__dtx_remove(struct idbpq__dtx *x, const idbpq_table_add *f,
                               int data_change, struct idbpq__err *err);
idbpq_status idbpq__dtx_cdc(struct idbpq__dtx *x, const struct idbpq__dfile_info *f,
                            struct idbpq__err *err);
/* The txn action (appId, version) that makes the commit idempotent. */
idbpq_status idbpq__dtx_app(struct idbpq__dtx *x, const char *app_id, int64_t version,
                            struct idbpq__err *err);
/* commitInfo: operation ("WRITE", "MERGE", "CREATE TABLE"...), metrics as a JSON object of
 * strings ({"numTargetRowsInserted":"3",...}) or NULL. */
idbpq_status idbpq__dtx_operation(struct idbpq__dtx *x, const char *operation,
                                  const char *metrics_json, struct idbpq__err *err);
/* Commits at the snapshot's version + 1 by put-if-absent. On IDBPQ_EXISTS reads the
 * winning commits and fails with CONFLICT if one changed the protocol or metadata, wrote a
 * txn for our appId, removed a file we remove, or added a file whose key range
 * (idbpq.minKey/maxKey tags; no tags: any file) meets the key range of what we remove or
 * add; otherwise retries at the next version, up to max_attempts. Afterwards writes a
 * checkpoint when version % checkpoint_interval == 0 (and _last_checkpoint). *version: the
 * committed version. */
idbpq_status idbpq__dtx_commit(struct idbpq__dtx *x, uint32_t max_attempts,
                               uint32_t checkpoint_interval, int64_t *version,
                               uint32_t *attempts, uint64_t *log_bytes,
                               struct idbpq__err *err);
void idbpq__dtx_free(struct idbpq__dtx *x);

/* Writes the checkpoint of snapshot t (its version) and _last_checkpoint. */
idbpq_status idbpq__delta_checkpoint_write(idbpq_table *t, struct idbpq__err *err);

#endif
