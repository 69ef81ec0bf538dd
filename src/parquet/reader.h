/*
 * reader.h — internal state shared by the file reader, column cursors and the row reader.
 */
#ifndef IDBPQ_PARQUET_READER_H
#define IDBPQ_PARQUET_READER_H

#include "codec/codec.h"
#include "parquet/meta.h"
#include "parquet/schema.h"

struct idbpq_reader {
    const idbpq_allocator *alc;
    idbpq_source src;
    idbpq_reader_opts opts;
    struct idbpq__arena meta_arena;   /* the decoded footer */
    struct idbpq__file_metadata md;
    idbpq_schema *schema;
    uint64_t data_end;                /* where the footer starts: no page may extend past it */
    struct idbpq__codec_ctx *codec;   /* decompression contexts, shared by the cursors */
    struct idbpq__err err;
};

/* "FILE: " prefix for messages: the source's name, or nothing. */
const char *idbpq__reader_name(const struct idbpq_reader *r);

#endif
