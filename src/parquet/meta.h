/*
 * meta.h — Parquet's thrift structures (parquet.thrift) as C structs, decoded from and
 * encoded to the compact protocol: FileMetaData, PageHeader, ColumnIndex, OffsetIndex.
 * Decoding checks every count and length against the input and the limits; unknown fields
 * are skipped; everything decoded lives in the caller's arena.
 */
#ifndef IDBPQ_PARQUET_META_H
#define IDBPQ_PARQUET_META_H

#include "common/common.h"

/* SchemaElement. type/repetition/converted_type are -1 when absent. */
struct idbpq__schema_element {
    const char *name;           /* NUL-terminated copy */
    int32_t type;               /* idbpq_type, or -1 (group) */
    int32_t type_length;        /* -1 if absent */
    int32_t repetition;         /* idbpq_repetition, or -1 if absent (root) */
    int32_t num_children;       /* -1 if absent (leaf) */
    int32_t converted_type;     /* IDBPQ_CT_*, or -1 */
    int32_t scale, precision;   /* -1 if absent */
    int32_t field_id;           /* -1 if absent */
    int32_t has_logical;
    idbpq_logical logical;      /* IDBPQ_LT_UNKNOWN_ID for an id we do not know */
};

/* The whole footer. pub's arrays point into the arena. */
struct idbpq__file_metadata {
    idbpq_file_meta pub;
    int32_t n_schema;
    struct idbpq__schema_element *schema;
    int32_t has_encryption_algorithm; /* field 8: the file is encrypted (plaintext footer) */
};

/* Decodes a FileMetaData footer of n bytes (base_offset = its offset in the file). Arrays and
 * strings are allocated in arena. Errors: CORRUPT (with offset), LIMIT, NOMEM. Not IDBPQ_MORE:
 * a truncated footer is CORRUPT. */
idbpq_status idbpq__meta_decode_file(const uint8_t *p, size_t n, uint64_t base_offset,
                                     struct idbpq__arena *arena, struct idbpq__file_metadata *md,
                                     struct idbpq__err *err);

/* Encodes a footer. md->schema/n_schema and md->pub (row groups with their column chunks,
 * kv, created_by, column_orders, version, num_rows) are written; absent optional values
 * (-1 offsets, has_* = 0) are omitted. */
idbpq_status idbpq__meta_encode_file(const struct idbpq__file_metadata *md, struct idbpq__buf *out);

enum {
    IDBPQ__PAGE_DATA = 0,
    IDBPQ__PAGE_INDEX = 1,
    IDBPQ__PAGE_DICTIONARY = 2,
    IDBPQ__PAGE_DATA_V2 = 3
};

struct idbpq__page_header {
    int32_t type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    int32_t has_crc;
    uint32_t crc;
    /* DATA_PAGE (v1) and DATA_PAGE_V2 */
    int32_t num_values;
    int32_t encoding;
    int32_t def_encoding, rep_encoding; /* v1 only */
    int32_t num_nulls, num_rows;        /* v2 only */
    int32_t def_len, rep_len;           /* v2: level byte lengths */
    int32_t is_compressed;              /* v2: default 1 */
    /* DICTIONARY_PAGE */
    int32_t dict_num_values;
    int32_t dict_encoding;
    int32_t dict_is_sorted;
    /* statistics in the data page header (v1 or v2), optional */
    int32_t has_statistics;
    idbpq_statistics statistics;       /* byte pointers point into the input */
};

/* Decodes a PageHeader from [p, p+n). *consumed gets its size. IDBPQ_MORE (no message) if the
 * input ends before the header does; CORRUPT on malformed input (message with the offset);
 * a missing required field (type, sizes, the sub-header of a data/dictionary page) is
 * CORRUPT. Sizes are checked to be >= 0. */
idbpq_status idbpq__page_header_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                       struct idbpq__page_header *h, size_t *consumed,
                                       struct idbpq__err *err);
/* Encodes a page header (statistics included when has_statistics). */
idbpq_status idbpq__page_header_encode(const struct idbpq__page_header *h, struct idbpq__buf *out);

/* OffsetIndex. */
struct idbpq__page_location {
    int64_t offset;
    int32_t compressed_size;
    int64_t first_row_index;
};
struct idbpq__offset_index {
    int32_t n;
    struct idbpq__page_location *locs;
    int64_t *unencoded_bytes;  /* NULL if absent, else n entries */
};

/* ColumnIndex. */
struct idbpq__column_index {
    int32_t n;
    uint8_t *null_pages;       /* n booleans */
    idbpq_bytes *min, *max;    /* n each */
    int32_t boundary_order;    /* 0 UNORDERED, 1 ASCENDING, 2 DESCENDING */
    int64_t *null_counts;      /* NULL if absent */
    int64_t *nan_counts;       /* NULL if absent */
};

idbpq_status idbpq__offset_index_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                        struct idbpq__arena *arena, struct idbpq__offset_index *oi,
                                        struct idbpq__err *err);
idbpq_status idbpq__offset_index_encode(const struct idbpq__offset_index *oi, struct idbpq__buf *out);
idbpq_status idbpq__column_index_decode(const uint8_t *p, size_t n, uint64_t base_offset,
                                        struct idbpq__arena *arena, struct idbpq__column_index *ci,
                                        struct idbpq__err *err);
idbpq_status idbpq__column_index_encode(const struct idbpq__column_index *ci, struct idbpq__buf *out);

#endif
