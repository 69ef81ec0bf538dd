/*
 * ldbr_int.h — what the files of the LevelDB reader (src/stores/ldbr_*.c) share: key order,
 * block decoding and iteration, table iterators, the memtable built from the logs. Not API.
 *
 * Order: an entry is (user key, tag) with tag = sequence << 8 | type; entries sort by the user
 * comparator, then by tag descending, so the newest entry of a user key comes first.
 */
#ifndef IDBPQ_STORES_LDBR_INT_H
#define IDBPQ_STORES_LDBR_INT_H

#include "stores/leveldb.h"

#define LDBR_MAX_SEQ ((UINT64_C(1) << 56) - 1)
/* Sorts before every entry of a user key: a seek target. */
#define LDBR_SEEK_TAG ((LDBR_MAX_SEQ << 8) | 1)
#define LDBR_FOOTER 48
#define LDBR_TRAILER 5
#define LDBR_MAGIC UINT64_C(0xdb4775248b80fb57)
/* Largest block (after decompression) we accept: far above any LevelDB writes (a block holds
 * one value at most past its 4 KiB target), and bounds every allocation a block can ask for. */
#define LDBR_MAX_BLOCK (UINT32_C(1) << 30)

/* ---- order --------------------------------------------------------------------------------- */

IDBPQ__INLINE int ldbr_ucmp(idbpq__ldbr_cmp_fn cmp, const uint8_t *a, size_t an,
                            const uint8_t *b, size_t bn)
{
    if (cmp) return cmp(a, an, b, bn);
    size_t m = an < bn ? an : bn;
    int r = m ? memcmp(a, b, m) : 0;
    if (r) return r;
    return an < bn ? -1 : an > bn;
}

IDBPQ__INLINE int ldbr_icmp(idbpq__ldbr_cmp_fn cmp, const uint8_t *a, size_t an, uint64_t at,
                            const uint8_t *b, size_t bn, uint64_t bt)
{
    int r = ldbr_ucmp(cmp, a, an, b, bn);
    if (r) return r;
    return at > bt ? -1 : at < bt;
}

/* Reads a varint of at most 32 bits (LevelDB's varint32) with the one-byte case inline. */
IDBPQ__INLINE int ldbr_v32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    if (IDBPQ__LIKELY(*p < end && **p < 0x80)) {
        *out = *(*p)++;
        return 0;
    }
    uint64_t v;
    if (idbpq__read_uleb(p, end, &v) != 0 || v > UINT32_MAX) return -1;
    *out = (uint32_t)v;
    return 0;
}

/* ---- what a reader needs around it --------------------------------------------------------- */

struct ldbr_env {
    idbpq__ldbr_cmp_fn cmp;
    const idbpq_allocator *alc;
    idbpq__ldbr_damage_fn damage;
    void *damage_ctx;
    uint64_t *bytes_read; /* NULL: not counted */
    /* A user-key range [lo, hi] whose newest entries may have been lost with a damaged block:
     * older sources must not show their entries there. NULL: not tracked. */
    idbpq_status (*hole)(void *ctx, int rank, const uint8_t *lo, size_t lon, const uint8_t *hi,
                         size_t hin);
    void *hole_ctx;
};

IDBPQ__INLINE void ldbr_damage(const struct ldbr_env *e, const char *file, uint64_t off,
                               const char *what)
{
    if (e->damage) e->damage(e->damage_ctx, file, off, what);
}

/* ---- blocks -------------------------------------------------------------------------------- */

/* A file or a memory image of one. */
struct ldbr_src {
    const uint8_t *mem; /* non-NULL: the whole file is here */
    int fd;
    uint64_t size;
    const char *name;
};

/* Reusable buffers for reading blocks: a read-ahead window of the file and the decompressed
 * block. */
struct ldbr_rbuf {
    struct idbpq__buf win, unz;
    uint64_t win_off;
    size_t readahead; /* bytes to read at once (0: just the block) */
};
void ldbr_rbuf_init(struct ldbr_rbuf *rb, const idbpq_allocator *alc, size_t readahead);
void ldbr_rbuf_free(struct ldbr_rbuf *rb);

/* Reads the block (off, size) and its trailer, checks the checksum and decompresses it.
 * OK: *out and *n (valid until the next read with rb). CORRUPT: damage, *what says which (nothing
 * reported yet). IO (err set), NOMEM. */
idbpq_status ldbr_block_read(const struct ldbr_src *s, const struct ldbr_env *e, uint64_t off,
                             uint64_t size, struct ldbr_rbuf *rb, const uint8_t **out,
                             size_t *n, const char **what, idbpq_error *err);

/* An iterator over one block's entries (internal keys; index blocks too). */
struct ldbr_bit {
    const uint8_t *data;
    uint32_t limit;   /* where the restart array starts */
    uint32_t nrest;
    uint32_t cur;     /* offset of the current entry */
    uint32_t nxt;     /* offset of the next one */
    struct idbpq__buf key;
    const uint8_t *val;
    uint32_t vn;
    int valid;
};
void ldbr_bit_init(struct ldbr_bit *it, const idbpq_allocator *alc);
void ldbr_bit_free(struct ldbr_bit *it);
/* Sets the block; -1 when its restart array does not fit. */
int ldbr_bit_set(struct ldbr_bit *it, const uint8_t *p, size_t n);
/* Each returns 0 (valid says whether there is an entry), -1 malformed entry, -2 NOMEM. */
int ldbr_bit_first(struct ldbr_bit *it);
int ldbr_bit_next(struct ldbr_bit *it);
int ldbr_bit_seek(struct ldbr_bit *it, idbpq__ldbr_cmp_fn cmp, const uint8_t *uk, size_t n,
                  uint64_t tag);

/* A block handle (two varint64) from [p, end): 0, or -1. */
int ldbr_handle(const uint8_t **p, const uint8_t *end, uint64_t *off, uint64_t *size);
/* The footer's index handle; NULL when usable, else what is wrong. */
const char *ldbr_footer(const uint8_t *f, uint64_t file_size, uint64_t *ioff, uint64_t *isize);

/* ---- tables -------------------------------------------------------------------------------- */

struct ldbr_table {
    char *path;
    int fd;              /* -1: missing */
    int level;
    uint64_t number, size;
    uint8_t *smallest, *largest; /* internal keys, from the MANIFEST */
    size_t sn, ln;
    uint64_t ioff, isize;        /* index block */
    int bad;                     /* footer or index unusable: reported once */
};

/* One table's entries: the index block and the current data block. */
struct ldbr_tabit {
    struct ldbr_table *t;
    struct ldbr_src src;
    const struct ldbr_env *e;
    int rank;
    struct ldbr_rbuf rb;
    struct idbpq__buf ibuf;      /* the index block */
    struct ldbr_bit ix, dt;
    struct idbpq__buf prev;      /* the index key before the current block */
    int have_prev, loaded, valid;
    uint64_t blk_off;
    /* current entry */
    const uint8_t *uk;
    size_t ukn;
    uint64_t tag;
};
void ldbr_tabit_init(struct ldbr_tabit *ti, const struct ldbr_env *e, size_t readahead);
void ldbr_tabit_free(struct ldbr_tabit *ti);
/* Points ti at t (buffers kept). */
void ldbr_tabit_reset(struct ldbr_tabit *ti, struct ldbr_table *t, const struct ldbr_src *src,
                      int rank);
/* uk NULL: the first entry. OK with ti->valid set or clear; IO / NOMEM. */
idbpq_status ldbr_tabit_seek(struct ldbr_tabit *ti, const uint8_t *uk, size_t n, uint64_t tag,
                             idbpq_error *err);
idbpq_status ldbr_tabit_next(struct ldbr_tabit *ti, idbpq_error *err);
/* The offset of the block that would hold (uk, tag), for approximate sizes. */
idbpq_status ldbr_tabit_offset(struct ldbr_tabit *ti, const uint8_t *uk, size_t n,
                               uint64_t *off, idbpq_error *err);

/* ---- the logs' entries --------------------------------------------------------------------- */

struct ldbr_ment {
    const uint8_t *k, *v;
    uint32_t kn, vn;
    uint64_t tag;
    uint64_t off;   /* of the log record */
    uint32_t file;  /* index in ldbr_mem.files */
};

struct ldbr_mem {
    struct ldbr_ment *e;
    size_t n, cap;
    struct idbpq__arena arena;    /* fragmented records' copies */
    uint8_t **logs;               /* the logs' bytes */
    size_t *log_sizes;
    char **files;
    size_t nfiles;
    const idbpq_allocator *alc;
};
void ldbr_mem_init(struct ldbr_mem *m, const idbpq_allocator *alc);
void ldbr_mem_free(struct ldbr_mem *m);
/* Takes the log's bytes (allocated with m->alc, size n) and path; adds its entries. */
idbpq_status ldbr_mem_add_log(struct ldbr_mem *m, uint8_t *p, size_t n, const char *path,
                              const struct ldbr_env *e, idbpq_error *err);
/* Sorts the entries in internal-key order (stable: equal keys keep log order). */
idbpq_status ldbr_mem_sort(struct ldbr_mem *m, idbpq__ldbr_cmp_fn cmp);
/* The first entry >= (uk, tag). */
size_t ldbr_mem_seek(const struct ldbr_mem *m, idbpq__ldbr_cmp_fn cmp, const uint8_t *uk,
                     size_t n, uint64_t tag);

/* ---- the database -------------------------------------------------------------------------- */

struct idbpq__ldbr {
    struct idbpq__ldbr_opts o;
    const idbpq_allocator *alc;
    char *dir;
    struct ldbr_env env;          /* without holes: iterators copy it */
    struct ldbr_table *tabs;      /* level 0 newest first, then levels 1.. by smallest key */
    size_t ntabs;
    size_t lvl_start[8], lvl_n[8];
    struct ldbr_mem mem;
    uint64_t bytes_read;
    idbpq__ldbr_iter *get_it;     /* kept for get(): its index blocks stay loaded */
    int last_try;                 /* open(): a missing file is damage now, not a retry */
};

/* Reads a whole file (open fd) into memory allocated with alc. */
idbpq_status ldbr_read_all(int fd, const char *path, const idbpq_allocator *alc, uint8_t **out,
                           size_t *n, idbpq_error *err);

#endif
