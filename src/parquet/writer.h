/*
 * writer.h — internals of the Parquet writer, shared by its three files:
 *   column_writer.c  one leaf column: page buffers, dictionary with fallback, page encoding
 *                    and compression, page/chunk statistics, the page index entries;
 *   row_shred.c      idbpq_datum rows → per-column levels and values (Dremel shredding);
 *   file_writer.c    the public idbpq_writer_* API: options, row groups, page indexes, footer.
 * Not a contract for other modules.
 */
#ifndef IDBPQ_PARQUET_WRITER_H
#define IDBPQ_PARQUET_WRITER_H

#include "codec/codec.h"
#include "encoding/encoding.h"
#include "parquet/meta.h"
#include "parquet/stats.h"

/* ---- settings and scratch shared by every column of one writer ----------------------------- */

struct idbpq__wshared {
    const idbpq_allocator *alc;
    struct idbpq__err *err;          /* the writer's error record */
    int codec, level, page_version, page_crc, page_index;
    uint64_t page_bytes, dictionary_bytes;
    uint32_t page_rows, max_stat_bytes;
    struct idbpq__codec_ctx *codec_ctx;
    struct idbpq__buf body;          /* a page's uncompressed bytes (v1: levels + values) */
    struct idbpq__buf comp;          /* a page's compressed bytes */
    struct idbpq__buf hdr;           /* a page header */
    struct idbpq__buf enc;           /* v2 values before compression; fallback re-encodes */
    struct idbpq__buf tmp;           /* idbpq_bytes views for DLBA/DBA */
};

/* ---- a column chunk's encoded pages --------------------------------------------------------- */

/* Bytes appended in order into blocks that never move (a row group's chunk can be tens of
 * MiB: growing one buffer would copy it again at every doubling). Blocks grow from 64 KiB to
 * 4 MiB; reset keeps them for the next row group. */
struct idbpq__wblock {
    struct idbpq__wblock *next;
    size_t len, cap;
    /* cap bytes follow */
};

struct idbpq__wchunk {
    struct idbpq__wblock *head, *tail; /* blocks in use, in order */
    struct idbpq__wblock *spare;       /* kept from earlier row groups */
    uint64_t len;                      /* bytes appended since the last reset */
    const idbpq_allocator *alc;
};

static inline uint8_t *idbpq__wblock_data(struct idbpq__wblock *b)
{
    return (uint8_t *)(b + 1);
}
void idbpq__wchunk_init(struct idbpq__wchunk *ch, const idbpq_allocator *alc);
void idbpq__wchunk_free(struct idbpq__wchunk *ch);
void idbpq__wchunk_reset(struct idbpq__wchunk *ch);
idbpq_status idbpq__wchunk_append(struct idbpq__wchunk *ch, const void *p, size_t n);

/* ---- levels ------------------------------------------------------------------------------- */

/* How many of n levels equal v, and (through *top, may be NULL) the largest. Blocks of 16
 * with a small counter let compilers vectorize at -O2. */
static inline size_t idbpq__levels_count(const uint16_t *l, size_t n, uint16_t v, uint16_t *top)
{
    size_t cnt = 0, i = 0;
    uint16_t mx = 0;
    for (; i + 16 <= n; i += 16) {
        unsigned c = 0;
        for (size_t j = 0; j < 16; j++) {
            c += l[i + j] == v;
            mx = l[i + j] > mx ? l[i + j] : mx;
        }
        cnt += c;
    }
    for (; i < n; i++) {
        cnt += l[i] == v;
        mx = l[i] > mx ? l[i] : mx;
    }
    if (top) *top = mx;
    return cnt;
}

/* ---- one column ---------------------------------------------------------------------------- */

/* Resolved per-column settings (options matched by path, validated). */
struct idbpq__colw_cfg {
    int32_t col;
    const idbpq_schema_node *leaf;
    int type;
    int32_t type_length;
    size_t width;                    /* values-array width; 0 for BYTE_ARRAY */
    int16_t max_def, max_rep;
    int dictionary;                  /* try RLE_DICTIONARY first */
    int fallback;                    /* idbpq_encoding of non-dictionary pages */
    int statistics;
    enum idbpq__order order;
    int32_t num_kv;
    const idbpq_kv *kv;
};

/* One data page of the current chunk, for the offset and column indexes. */
struct idbpq__wpage {
    uint64_t offset;                 /* in the chunk buffer (data pages only) */
    int32_t size;                    /* header + compressed body */
    int64_t first_row;               /* in the row group */
    int64_t null_count, nan_count;
    int32_t null_page, has_minmax;
    idbpq_bytes min, max;            /* in the column's page arena */
};

struct idbpq__colw {
    struct idbpq__colw_cfg cfg;
    struct idbpq__wshared *sh;
    /* the page being filled */
    struct idbpq__buf def, rep;      /* uint16_t levels (only when max_def / max_rep > 0) */
    struct idbpq__buf vals;          /* dictionary mode: uint32_t indices; else PLAIN bytes
                                        (BOOLEAN: uint8_t 0/1, packed at encode time) */
    size_t page_levels, page_values, page_rows;
    uint64_t page_plain;             /* PLAIN size of the page's values */
    uint64_t row_bytes;              /* estimated page bytes per row (from the last page) */
    struct idbpq__stats page_stats, chunk_stats;
    /* dictionary */
    struct idbpq__dict *dict;        /* NULL if the column never uses one */
    int dict_mode;                   /* values currently go into the dictionary */
    int dict_pages;                  /* data pages written with RLE_DICTIONARY this chunk */
    int dict_judged, dict_give_up;   /* whether the dictionary pays was decided / it does not */
    uint64_t judge_plain, judge_idx, judge_values; /* sums over the dictionary pages so far */
    /* the chunk being built */
    struct idbpq__wchunk chunk;      /* data pages, headers included */
    struct idbpq__buf dictpage;      /* the dictionary page (header + body), built at close */
    uint64_t dict_uncompressed;      /* dictionary page header + uncompressed body */
    struct idbpq__buf pages;         /* struct idbpq__wpage[] */
    struct idbpq__arena page_arena;  /* page min/max copies */
    int64_t chunk_rows, chunk_levels;
    uint64_t chunk_uncompressed;     /* data pages, headers + uncompressed bodies */
    uint32_t enc_mask;               /* 1 << encoding of every data page written */
    int no_column_index;             /* a non-null page had no min/max, or stats are off */
};

idbpq_status idbpq__colw_init(struct idbpq__colw *c, const struct idbpq__colw_cfg *cfg,
                              struct idbpq__wshared *sh);
void idbpq__colw_free(struct idbpq__colw *c);
/* Appends n_levels levels (def/rep NULL when max_def/max_rep is 0) and the n_values values
 * they define (values-array layout). Levels must be valid and start at a row boundary. Pages
 * are cut at row boundaries when the page budget is reached. */
idbpq_status idbpq__colw_write(struct idbpq__colw *c, const uint16_t *def, const uint16_t *rep,
                               size_t n_levels, const void *values, size_t n_values);
/* Bytes the column holds in memory for the current row group: encoded pages, the open page's
 * buffers, the dictionary and its hash table. */
uint64_t idbpq__colw_buffered(const struct idbpq__colw *c);
/* Ends the chunk: flushes the open page, builds the dictionary page. Then the chunk is
 * dictpage followed by chunk. */
idbpq_status idbpq__colw_close(struct idbpq__colw *c);
/* Column chunk metadata for the closed chunk written at file offset `at`; strings, stats and
 * arrays are allocated in arena. */
idbpq_status idbpq__colw_meta(struct idbpq__colw *c, uint64_t at, struct idbpq__arena *arena,
                              idbpq_column_chunk_meta *m);
/* Appends the chunk's ColumnIndex to ci (sets *ci_len, 0 when the chunk gets none) and
 * OffsetIndex to oi (*oi_len). */
idbpq_status idbpq__colw_page_index(struct idbpq__colw *c, uint64_t at, struct idbpq__buf *ci,
                                    int32_t *ci_len, struct idbpq__buf *oi, int32_t *oi_len);
/* Forgets the closed chunk; buffers are kept for the next row group. */
void idbpq__colw_reset(struct idbpq__colw *c);

/* ---- row shredding ------------------------------------------------------------------------- */

/* One column's staged levels and values (BYTE_ARRAY: bytes concatenated, lengths apart). */
struct idbpq__stage_col {
    struct idbpq__buf def, rep, vals, lens;
    size_t n_levels, n_values;
};

struct idbpq__shredder {
    const idbpq_schema *schema;
    const idbpq_allocator *alc;
    struct idbpq__err *err;
    int32_t n_cols, n_nodes;
    struct idbpq__stage_col *cols;
    int32_t *first_col, *end_col;    /* per node: its leaves are columns [first, end) */
    size_t *mark;                    /* per column, 4 entries: rollback point of a row */
    size_t n_rows;
    uint64_t bytes;                  /* staged bytes (estimate) */
    struct idbpq__buf views;         /* idbpq_bytes for BYTE_ARRAY batches */
};

idbpq_status idbpq__shred_init(struct idbpq__shredder *sh, const idbpq_schema *s,
                               const idbpq_allocator *alc, struct idbpq__err *err);
void idbpq__shred_free(struct idbpq__shredder *sh);
/* Stages one row. All or nothing: on error (SCHEMA, naming the field) nothing is staged. */
idbpq_status idbpq__shred_row(struct idbpq__shredder *sh, const idbpq_datum *row);
/* Fills batches[n_cols] with views of the staged data (valid until the next reset). */
idbpq_status idbpq__shred_batches(struct idbpq__shredder *sh, idbpq_column_batch *batches);
void idbpq__shred_reset(struct idbpq__shredder *sh);

#endif
