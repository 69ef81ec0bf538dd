/*
 * test_writer_util.h — helpers for the writer tests: a memory sink, and a small independent
 * parse-back of a written file (footer, pages, page indexes) built on the internal decoders
 * only, so writer bugs are not hidden by the reader.
 */
#ifndef IDBPQ_TEST_WRITER_UTIL_H
#define IDBPQ_TEST_WRITER_UTIL_H

#include "common/common.h"
#include "parquet/meta.h"

struct tw_mem {
    struct idbpq__buf b;
    int fail_after;   /* > 0: the nth write fails */
    int n_writes;
};
void tw_mem_init(struct tw_mem *m, idbpq_sink *sink);
void tw_mem_free(struct tw_mem *m);

/* A parsed file: footer in md, everything in arena. */
struct tw_file {
    const uint8_t *p;
    size_t n;
    struct idbpq__arena arena;
    struct idbpq__file_metadata md;
    char err[512];
};
int tw_parse(struct tw_file *f, const uint8_t *p, size_t n); /* 0 ok; f->err says why */
void tw_file_free(struct tw_file *f);

/* One column decoded across row groups. values: values-array layout (BYTE_ARRAY:
 * idbpq_bytes into the file's arena). */
struct tw_col {
    size_t n_levels, n_values, n_rows;
    struct idbpq__buf def, rep, vals;
    int n_pages, n_dict_pages;
    uint32_t page_encodings;     /* 1 << encoding of data pages seen */
    int page_versions;           /* 1 << version */
    int64_t null_count;          /* from the page index / headers: levels - values */
};
void tw_col_init(struct tw_col *c);
void tw_col_free(struct tw_col *c);
/* Decodes column col of every row group into c, checking page-index consistency on the way.
 * 0 ok; else f->err. */
int tw_read_column(struct tw_file *f, int32_t col, int max_def, int max_rep, int type,
                   int32_t type_length, struct tw_col *c);

#endif
