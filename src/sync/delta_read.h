/*
 * delta_read.h — what the reading half of the Delta layer shares between its own files
 * (delta_log.c, delta_snapshot.c, delta_ckpt_read.c, delta_dv.c, delta_scan.c,
 * delta_changes.c): the listing of _delta_log/, error conversion between the public
 * idbpq_error and the internal struct idbpq__err, percent-decoding, deletion vectors.
 * The contracts the rest of the sync layer builds on stay in delta.h.
 */
#ifndef IDBPQ_SYNC_DELTA_READ_H
#define IDBPQ_SYNC_DELTA_READ_H

#include "sync/delta.h"

/* ---- errors ------------------------------------------------------------------------------- */

/* e (from an io callback) into err with status st when e has none. Returns the status. */
idbpq_status idbpq__derr_in(struct idbpq__err *err, const idbpq_error *e, idbpq_status st);

/* ---- the listing of _delta_log/ ------------------------------------------------------------ */

enum idbpq__dlog_kind {
    IDBPQ__DLOG_COMMIT = 0,      /* <v>.json */
    IDBPQ__DLOG_CKPT = 1,        /* <v>.checkpoint.parquet */
    IDBPQ__DLOG_CKPT_PART = 2,   /* <v>.checkpoint.<o>.<p>.parquet */
    IDBPQ__DLOG_CKPT_UUID = 3    /* <v>.checkpoint.<uuid>.{json,parquet} (V2) */
};

struct idbpq__dlog_entry {
    int64_t version;
    enum idbpq__dlog_kind kind;
    uint32_t part, parts;        /* CKPT_PART: 1-based part o of p */
    int64_t mtime;               /* ms, -1 unknown */
    uint64_t size;
    const char *path;            /* relative to the table root */
};

/* Every file of _delta_log/ whose name is a commit or a checkpoint (names starting with
 * exactly 20 digits; .crc, compacted, temporary and hidden files are skipped), sorted by
 * (version, kind, part). In arena a. */
idbpq_status idbpq__dlog_list(const idbpq_table_io *io, struct idbpq__arena *a,
                              struct idbpq__dlog_entry **out, uint32_t *n,
                              struct idbpq__err *err);

/* Reads a classic checkpoint (its parts in order) into out as if it were one commit: adds,
 * removes, txns, protocol, metadata (delta_ckpt_read.c). */
idbpq_status idbpq__delta_ckpt_read(const idbpq_table_io *io,
                                    const struct idbpq__dlog_entry *parts, uint32_t n_parts,
                                    struct idbpq__arena *a, struct idbpq__delta_commit *out,
                                    struct idbpq__err *err);

/* Reads a whole file of the table into memory from the arena (at most max bytes: LIMIT).
 * IDBPQ_END when it does not exist. *name: the source's name (for messages), in a. */
idbpq_status idbpq__dio_read_all(const idbpq_table_io *io, const char *path, size_t max,
                                 struct idbpq__arena *a, char **out, size_t *n,
                                 const char **name, struct idbpq__err *err);

/* Percent-decodes s once ("%25" -> "%"); a '%' not followed by two hex digits stays as is.
 * NULL when out of memory or when the result would hold a NUL byte. */
char *idbpq__percent_decode(struct idbpq__arena *a, const char *s);

/* The JSON text of a DOM value (for commitInfo and rebuilt stats). */
idbpq_status idbpq__dj_write(struct idbpq__buf *b, const struct idbpq__dj *v);

/* Sets c->timestamp from commitInfo (inCommitTimestamp, else timestamp), else mtime. */
void idbpq__delta_commit_time(struct idbpq__delta_commit *c, int64_t mtime);

/* The table's name for messages (its directory, or "table"), its allocator. */
const char *idbpq__table_where(const idbpq_table *t);
const idbpq_allocator *idbpq__table_alc(const idbpq_table *t);

/* ---- deletion vectors (delta_dv.c) -------------------------------------------------------- */

/* Z85 (ZeroMQ RFC 32) of n bytes (n a multiple of 5) into out (n / 5 * 4 bytes). -1 when a
 * character is outside the alphabet or the value overflows. */
int idbpq__z85_decode(const char *s, size_t n, uint8_t *out);

/* The rows a deletion vector deletes, as sorted, disjoint, non-adjacent ranges
 * [r[2i], r[2i+1]) of row indexes: memory grows with the input, not with the row count a
 * run container can claim. From the arena. */
struct idbpq__dv_rows {
    uint64_t *r;
    uint64_t n_ranges;
    uint64_t cardinality;
};
/* Decodes the RoaringBitmap portable 64-bit serialization after the 4-byte magic: data is
 * the whole DV payload (magic included). name names the source in messages. */
idbpq_status idbpq__dv_decode(const uint8_t *data, size_t n, const char *name, uint64_t base,
                              struct idbpq__arena *a, struct idbpq__dv_rows *out,
                              struct idbpq__err *err);
/* Loads a file's deletion vector (storage u, p or i); the cardinality is checked. */
idbpq_status idbpq__dv_load(const idbpq_table_io *io, const idbpq_table_dv *dv,
                            struct idbpq__arena *a, struct idbpq__dv_rows *out,
                            struct idbpq__err *err);
/* The DV's unique id ("u<path>@<offset>") for reconciliation; NULL dv: "". */
const char *idbpq__dv_id(struct idbpq__arena *a, const idbpq_table_dv *dv);

/* ---- rows of data files (delta_scan.c) ------------------------------------------------------ */

/* The schema's top-level fields with their physical names (column mapping) and types. */
struct dl_field {
    const char *name;                    /* the schema's name */
    const char *physical;                /* the name in files (and partitionValues) */
    int64_t id;                          /* delta.columnMapping.id, -1 none */
    const struct idbpq__dj *type;
    idbpq_value *key;                    /* name as a property key (in the layout's batch) */
    int partition;
};

struct idbpq__dlayout {
    struct dl_field *f;
    uint32_t n;
    int mapping;                         /* 0 none, 1 name, 2 id */
    idbpq_vbatch *names;
};
struct idbpq__dfr;
idbpq_status idbpq__dlayout_build(struct idbpq__dlayout *l, struct idbpq__arena *a,
                                  const struct idbpq__delta_metadata *md, const char *mapping,
                                  const idbpq_allocator *alc, struct idbpq__err *err);
void idbpq__dlayout_free(struct idbpq__dlayout *l);
/* One data or change-data file: rows its deletion vector deletes skipped; change_col: read
 * `_change_type` next to each row. */
idbpq_status idbpq__dfr_open(struct idbpq__dfr **out, const idbpq_table_io *io,
                             const struct idbpq__dlayout *l, const char *file,
                             const idbpq_kv *pv, uint32_t n_pv, const idbpq_table_dv *dv,
                             const idbpq_record_reader_opts *opts, int change_col,
                             struct idbpq__err *err);
/* Native files: their (key, value); others: the logical row, *key NULL. */
idbpq_status idbpq__dfr_next(struct idbpq__dfr *f, idbpq_vbatch *b, idbpq_value **key,
                             idbpq_value **value, const char **change, size_t *change_len,
                             struct idbpq__err *err);
idbpq_status idbpq__dfr_take_key(struct idbpq__dfr *f, idbpq_vbatch *b, const char *key_column,
                                 idbpq_value *value, idbpq_value **key, struct idbpq__err *err);
void idbpq__dfr_free(struct idbpq__dfr *f);
/* Rows read from the file so far (deleted ones included): the last row's index + 1. */
uint64_t idbpq__dfr_row(const struct idbpq__dfr *f);

#endif
