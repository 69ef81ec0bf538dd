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

/* Where a column chunk starts: at its first page, the dictionary page when one is declared.
 * Offsets below 4 point into the magic: dict-page-offset-zero.parquet writes 0 for "none".
 * The column cursor reads from here; the WebAssembly glue loads a row group's bytes from the
 * lowest of its chunks' starts. */
IDBPQ__INLINE int64_t idbpq__chunk_start(const idbpq_column_chunk_meta *cm)
{
    int64_t start = cm->data_page_offset;
    if (cm->dictionary_page_offset >= 4 && cm->dictionary_page_offset < start)
        start = cm->dictionary_page_offset;
    return start;
}

/* "FILE: " prefix for messages: the source's name, or nothing. */
const char *idbpq__reader_name(const struct idbpq_reader *r);

#endif
