/*
 * leveldb.h — a read-only reader of LevelDB directories: the file formats (CURRENT, MANIFEST,
 * write-ahead logs, sorted tables), not the library. It gives the live view of a database —
 * the newest entry of every user key, deletions hidden, only the files the current MANIFEST
 * names plus the logs it has not yet flushed — in the order of a caller's comparator.
 *
 * Why our own reader and not Debian's libleveldb (docs/internals/profiles.md):
 *   - libleveldb opens a database for writing: it takes the LOCK (which a running browser
 *     holds), replays the log into a new table and writes a new MANIFEST. Using it on a user's
 *     profile would need a full private copy of the directory first.
 *   - it stops at the first corruption (paranoid checks) or skips silently; a profile export
 *     must read everything readable and say where each damaged piece is.
 * This reader only opens files read-only and never writes or locks anything.
 *
 * Snapshot: open() reads CURRENT, the MANIFEST, opens every live table file and reads the
 * logs into memory. A compaction by a running browser may delete files after that; open
 * descriptors keep them readable, so the view stays the one of the moment of open(). If a
 * file named by the MANIFEST is gone when open() looks for it (a compaction in between),
 * open() starts again from CURRENT (a few times).
 *
 * Damage: a bad checksum, a truncated record, a block that does not decompress... is reported
 * through the damage callback with the file name and the byte offset, the damaged piece (a
 * log record, a table block, a whole table whose footer or index is bad) is skipped, and
 * reading goes on. Only an unreadable CURRENT/MANIFEST, a comparator name that differs, or an
 * I/O error fail the open or the iteration.
 *
 * Memory: the logs' live contents (LevelDB flushes a log into a table once it passes the
 * write buffer size, a few MiB), per table its index block while it is being read, and one
 * data block per table being read; never a whole table. (A scan reads ahead: per table being
 * read, a window of 128 KiB rather than one block.)
 *
 * Descriptors: one per live table, from open() to close().
 */
#ifndef IDBPQ_STORES_LEVELDB_H
#define IDBPQ_STORES_LEVELDB_H

#include "common/common.h"

/* A user-key comparator: <0, 0, >0. NULL in the options means bytewise (memcmp, then length). */
typedef int (*idbpq__ldbr_cmp_fn)(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/* Called once per damaged piece that was skipped: file is the path of the file, offset the
 * byte offset in it where the damaged piece starts, what a short description ("bad block
 * checksum", "log record truncated", "snappy block does not decompress"...). */
typedef void (*idbpq__ldbr_damage_fn)(void *ctx, const char *file, uint64_t offset,
                                      const char *what);

struct idbpq__ldbr_opts {
    idbpq__ldbr_cmp_fn cmp;          /* NULL: bytewise */
    const char *cmp_name;            /* the comparator name the MANIFEST must record ("idb_cmp1"
                                        for Chromium's IndexedDB); NULL: not checked */
    const idbpq_allocator *alc;      /* NULL: libc */
    idbpq__ldbr_damage_fn damage;    /* NULL: damage is skipped silently */
    void *damage_ctx;
};

typedef struct idbpq__ldbr idbpq__ldbr;
typedef struct idbpq__ldbr_iter idbpq__ldbr_iter;

/* Opens the LevelDB in directory dir (read-only). Errors (err->msg names the file and the
 * offset): IDBPQ_IO (cannot read), IDBPQ_CORRUPT (CURRENT/MANIFEST unusable), IDBPQ_INVALID_ARG
 * (comparator name differs: "MANIFEST-000012: comparator is leveldb.BytewiseComparator, not
 * idb_cmp1"), IDBPQ_NOMEM. */
idbpq_status idbpq__ldbr_open(idbpq__ldbr **out, const char *dir,
                              const struct idbpq__ldbr_opts *o, idbpq_error *err);
void idbpq__ldbr_close(idbpq__ldbr *db);

/* Bytes of table and log files read so far by all iterators of db (compressed, as on disk):
 * progress reporting. */
uint64_t idbpq__ldbr_bytes_read(const idbpq__ldbr *db);
/* Approximate bytes on disk of the user keys in [lo, hi) (as LevelDB's GetApproximateSizes:
 * from the tables' index blocks, plus the logs' share); hi NULL: to the end. */
idbpq_status idbpq__ldbr_approx_size(idbpq__ldbr *db, const uint8_t *lo, size_t lon,
                                     const uint8_t *hi, size_t hin, uint64_t *bytes,
                                     idbpq_error *err);

/* An iterator over the live view. Several may be open at once on one db. */
idbpq_status idbpq__ldbr_iter_create(idbpq__ldbr *db, idbpq__ldbr_iter **out, idbpq_error *err);
void idbpq__ldbr_iter_free(idbpq__ldbr_iter *it);
/* Positions at the first live entry whose user key is >= key in the comparator's order
 * (key NULL: the first entry). IDBPQ_OK positioned, IDBPQ_END nothing there, or an error. */
idbpq_status idbpq__ldbr_iter_seek(idbpq__ldbr_iter *it, const uint8_t *key, size_t n,
                                   idbpq_error *err);
/* Moves to the next live entry: IDBPQ_OK, IDBPQ_END, or an error. */
idbpq_status idbpq__ldbr_iter_next(idbpq__ldbr_iter *it, idbpq_error *err);
/* The current entry (after OK from seek/next); valid until the next seek/next/free. */
const uint8_t *idbpq__ldbr_iter_key(const idbpq__ldbr_iter *it, size_t *n);
const uint8_t *idbpq__ldbr_iter_value(const idbpq__ldbr_iter *it, size_t *n);
/* Where the current entry's value lies: file path and byte offset of its block or log record
 * (for messages about a value that does not decode). */
void idbpq__ldbr_iter_where(const idbpq__ldbr_iter *it, const char **file, uint64_t *offset);

/* Point lookup: the live value of key copied into out (appended), IDBPQ_END when absent.
 * It reuses an iterator kept in db (so index blocks stay loaded between lookups): one get at
 * a time per db. */
idbpq_status idbpq__ldbr_get(idbpq__ldbr *db, const uint8_t *key, size_t n, idbpq_buffer *out,
                             idbpq_error *err);

/* ---- the two file formats alone, on memory (the fuzz target and unit tests use these) ---- */

/* Parses a log file's bytes: calls rec(ctx, data, n, offset) for every logical record (the
 * fragments of FIRST/MIDDLE/LAST joined), damage(...) for each skipped piece (file = name).
 * Returns IDBPQ_OK or IDBPQ_NOMEM (or what rec returns when it is not OK). */
idbpq_status idbpq__ldbr_log_parse(const uint8_t *p, size_t n, const char *name,
                                   idbpq_status (*rec)(void *ctx, const uint8_t *data,
                                                       size_t len, uint64_t offset),
                                   void *ctx, idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                   const idbpq_allocator *alc);
/* Parses a write batch (a log record of a database log): calls put(ctx, seq, type, key, kn,
 * value, vn) per entry (type 1 put, 0 deletion: value NULL). CORRUPT for a malformed batch. */
idbpq_status idbpq__ldbr_batch_parse(const uint8_t *p, size_t n,
                                     idbpq_status (*put)(void *ctx, uint64_t seq, int type,
                                                         const uint8_t *k, size_t kn,
                                                         const uint8_t *v, size_t vn),
                                     void *ctx, idbpq_error *err);
/* Walks every entry of a whole table file held in memory, in file order: entry(ctx, internal
 * key, kn, value, vn) — internal keys are user key + 8 bytes (sequence << 8 | type). Damage
 * as above (name for messages). IDBPQ_CORRUPT when the footer or index is unusable. */
idbpq_status idbpq__ldbr_table_walk(const uint8_t *p, size_t n, const char *name,
                                    idbpq_status (*entry)(void *ctx, const uint8_t *k,
                                                          size_t kn, const uint8_t *v,
                                                          size_t vn),
                                    void *ctx, idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                    const idbpq_allocator *alc, idbpq_error *err);

/* ---- MANIFEST replay (open() uses it; exposed for the fuzz target and tests) ---- */

/* A table file of the current version. Keys are internal keys (user key + 8-byte tag). */
struct idbpq__ldbr_file {
    int level;                   /* 0..6 */
    uint64_t number, size;
    const uint8_t *smallest, *largest;
    size_t sn, ln;
};

/* The state the VersionEdits of a MANIFEST add up to. */
struct idbpq__ldbr_version {
    char *comparator;            /* NULL when no edit names one */
    uint64_t log_number, prev_log_number, next_file, last_sequence;
    struct idbpq__ldbr_file *files; /* live files: by level, then file number */
    size_t nfiles;
    struct idbpq__arena arena;   /* the keys and the comparator name */
};

/* Replays the MANIFEST's bytes into v (initialised here; free with idbpq__ldbr_version_free
 * whatever the result). A last record cut short (a writer mid-append) is reported to damage
 * and ignored; any other damage, or a malformed VersionEdit, is IDBPQ_CORRUPT (the live file
 * set would be wrong). */
idbpq_status idbpq__ldbr_manifest_replay(const uint8_t *p, size_t n, const char *name,
                                         struct idbpq__ldbr_version *v,
                                         idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                         const idbpq_allocator *alc, idbpq_error *err);
void idbpq__ldbr_version_free(struct idbpq__ldbr_version *v);

/* CRC-32C (Castagnoli) as LevelDB uses it, and its mask for stored checksums. */
uint32_t idbpq__crc32c(uint32_t crc, const void *p, size_t n);
static inline uint32_t idbpq__crc32c_unmask(uint32_t m)
{
    uint32_t rot = m - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

#endif
