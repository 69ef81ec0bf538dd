/*
 * stats.h — min/max statistics with the ordering each type needs (parquet.thrift
 * ColumnOrder, LogicalTypes.md): signed ints, unsigned ints (UINT_*), IEEE floats with the NaN
 * and ±0 rules, FLOAT16, DECIMAL on every physical type (signed, big-endian for byte
 * arrays), unsigned bytewise for strings and binary, no order for INT96, INTERVAL and the
 * nested/geo types. Used by the column writer for pages (column index) and chunks.
 */
#ifndef IDBPQ_PARQUET_STATS_H
#define IDBPQ_PARQUET_STATS_H

#include "common/common.h"

/* How a column's values are ordered. */
enum idbpq__order {
    IDBPQ__ORDER_NONE = 0,        /* undefined: write no min/max */
    IDBPQ__ORDER_SIGNED,          /* INT32/INT64 as signed; BOOLEAN false < true */
    IDBPQ__ORDER_UNSIGNED,        /* INT32/INT64 as unsigned (UINT_8..UINT_64) */
    IDBPQ__ORDER_FLOAT,           /* FLOAT/DOUBLE, NaN excluded */
    IDBPQ__ORDER_FLOAT16,         /* FLBA(2) half floats, NaN excluded */
    IDBPQ__ORDER_BYTES,           /* unsigned lexicographic */
    IDBPQ__ORDER_DECIMAL_BYTES    /* big-endian two's complement, sign-extended compare */
};

/* The order for a leaf of physical `type` with this logical / converted annotation. */
enum idbpq__order idbpq__column_order(int type, int32_t type_length, const idbpq_logical *lt,
                                      int32_t converted_type);

/* Running min/max/null/nan counts for one page or chunk. */
struct idbpq__stats {
    enum idbpq__order order;
    int type;
    int32_t type_length;
    int has_minmax;
    int64_t null_count, nan_count;
    /* fixed-width min/max (up to 16 bytes), or copies of byte arrays */
    uint8_t min_fixed[16], max_fixed[16];
    struct idbpq__buf min_bytes, max_bytes;
};

void idbpq__stats_init(struct idbpq__stats *s, enum idbpq__order order, int type,
                       int32_t type_length, const idbpq_allocator *alc);
void idbpq__stats_reset(struct idbpq__stats *s);
void idbpq__stats_free(struct idbpq__stats *s);
/* Folds n values (values-array layout) into s. */
idbpq_status idbpq__stats_update(struct idbpq__stats *s, const void *values, size_t n);
/* Folds another statistics record of the same column (page → chunk). */
idbpq_status idbpq__stats_merge(struct idbpq__stats *s, const struct idbpq__stats *other);
/* Exports min/max in Statistics encoding (PLAIN, no length prefix for byte arrays; a zero
 * float min is written as -0.0 and a zero max as +0.0). Byte arrays longer than max_bytes are
 * truncated: min to a prefix (exact = 0), max to a prefix incremented at its last byte that
 * is not 0xff (exact = 0; if none, the max is kept whole). The bytes are copied into arena.
 * With no min/max (all null, all NaN, or order NONE) has_min = has_max = 0. */
idbpq_status idbpq__stats_export(const struct idbpq__stats *s, uint32_t max_bytes,
                                 struct idbpq__arena *arena, idbpq_statistics *out);

#endif
