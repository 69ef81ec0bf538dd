/*
 * cmd_convert.c — `idbpq convert IN OUT [options]`: rewrites a Parquet file with other
 * writer settings (codec, level, page and row-group sizes, page version, dictionary,
 * per-column encodings, statistics, page index, CRCs). Data moves column-wise: cursors on
 * IN feed idbpq_writer_write_columns without assembling rows. The output goes through an
 * atomic file sink, committed only when everything succeeded, so a failed or killed
 * convert never leaves a partial OUT behind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

static const char help_text[] =
    "Usage: idbpq convert IN.parquet OUT.parquet [OPTIONS]\n"
    "\n"
    "Rewrite a Parquet file. Schema and file key/value metadata are kept; OUT appears only\n"
    "when the whole conversion succeeded.\n"
    "\n"
    "  --codec C              uncompressed, snappy, gzip, brotli, lz4, lz4_raw, zstd\n"
    "                         (default snappy)\n"
    "  --level N              codec level (default: the codec's own)\n"
    "  --row-group-bytes N    close row groups past N buffered bytes (K/M/G suffixes)\n"
    "  --page-bytes N         target uncompressed page size (K/M/G suffixes)\n"
    "  --page-version 1|2     data page header version (default 1)\n"
    "  --dictionary on|off    dictionary encoding (default on)\n"
    "  --encoding COL=ENC     encoding for column COL (dotted path), e.g.\n"
    "                         --encoding a.b=DELTA_BINARY_PACKED; may be repeated\n"
    "  --no-statistics        do not write column statistics\n"
    "  --no-page-index        do not write column and offset indexes\n"
    "  --crc                  write page CRC32 checksums\n";

/* Rows per step: large enough to amortize the per-call cost, small enough that a step of
 * every column (copied only when rows straddle pages) stays in cache-friendly sizes. */
#define STEP_ROWS 65536

typedef struct conv {
    const char *in, *out;
    idbpq_writer *wr;
    int32_t nc;
    idbpq_column_cursor **cur;
    idbpq_column_batch *batches;
} conv;

/* Copies one row group, column-wise: every column advances by the same number of whole
 * rows (idbpq_column_cursor_read_rows), so nested columns stay row-aligned whatever their
 * level counts. */
static int convert_row_group(conv *cv, idbpq_reader *rd, int32_t g)
{
    int32_t c;
    int rc = 0;
    for (c = 0; c < cv->nc; c++) {
        idbpq_status st = idbpq_column_cursor_open(rd, g, c, &cv->cur[c]);
        if (st != IDBPQ_OK) {
            cli_lib_err(cv->in, st, idbpq_reader_errmsg(rd));
            rc = 1;
            goto out;
        }
    }
    for (;;) {
        size_t rows = 0;
        for (c = 0; c < cv->nc; c++) {
            idbpq_column_batch *b = &cv->batches[c];
            idbpq_status st = idbpq_column_cursor_read_rows(cv->cur[c], STEP_ROWS, b);
            if (st == IDBPQ_END) {
                memset(b, 0, sizeof *b);
            } else if (st != IDBPQ_OK) {
                cli_lib_err(cv->in, st, idbpq_column_cursor_errmsg(cv->cur[c]));
                rc = 1;
                goto out;
            }
            if (c == 0) {
                rows = b->n_rows;
            } else if (b->n_rows != rows) {
                const idbpq_schema_node *n0 = idbpq_schema_column(idbpq_reader_schema(rd), 0);
                const idbpq_schema_node *nc = idbpq_schema_column(idbpq_reader_schema(rd), c);
                cli_err(cv->in, "row group %d: column %s has %s rows than column %s", (int)g,
                        nc->path, b->n_rows < rows ? "fewer" : "more", n0->path);
                rc = 1;
                goto out;
            }
        }
        if (rows == 0) break;
        {
            idbpq_status st = idbpq_writer_write_columns(cv->wr, cv->batches, rows);
            if (st != IDBPQ_OK) {
                cli_lib_err(cv->out, st, idbpq_writer_errmsg(cv->wr));
                rc = 1;
                goto out;
            }
        }
    }
out:
    for (c = 0; c < cv->nc; c++) {
        idbpq_column_cursor_free(cv->cur[c]);
        cv->cur[c] = NULL;
    }
    return rc;
}

static int parse_int(const char *s, long lo, long hi, int32_t *out)
{
    char *end;
    long v;
    if (!s || !*s) return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = (int32_t)v;
    return 0;
}

/* Column chunks come and go: a cursor per chunk allocates page-sized buffers (often MiBs) and
 * frees them. glibc would return such blocks to the system (mmap/trim) and page-fault them in
 * again for the next chunk; keep them in the heap for reuse instead. */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int cmd_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *val;
    const char **enc_specs = NULL;
    int n_enc = 0, i, r, rc = CLI_OK;
    idbpq_writer_opts o;
    idbpq_column_opts *copts = NULL;
    cli_file f;
    idbpq_file_sink *fsink = NULL;
    idbpq_sink sink;
    conv cv;
    char err[512];
    idbpq_status st;
    int32_t c, g;

    memset(&cv, 0, sizeof cv);
    idbpq_writer_opts_init(&o);
    enc_specs = malloc(sizeof *enc_specs * (size_t)(argc + 1));
    if (!enc_specs) {
        cli_err("convert", "out of memory");
        return CLI_FAIL;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help_text, stdout);
            free(enc_specs);
            return CLI_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--codec", &val)) != 0) {
            int cdc = r > 0 ? idbpq_codec_from_name(val) : -1;
            if (cdc < 0) {
                rc = cli_usage("convert", "unknown codec '%s'", r > 0 ? val : "");
                goto out;
            }
            o.codec = (idbpq_codec)cdc;
        } else if ((r = cli_opt_value(argc, argv, &i, "--level", &val)) != 0) {
            if (r < 0 || parse_int(val, -1000000, 1000000, &o.level)) {
                rc = cli_usage("convert", "--level needs an integer");
                goto out;
            }
        } else if ((r = cli_opt_value(argc, argv, &i, "--row-group-bytes", &val)) != 0) {
            if (r < 0 || cli_parse_size(val, &o.row_group_bytes) || !o.row_group_bytes) {
                rc = cli_usage("convert", "--row-group-bytes needs a size like 64M");
                goto out;
            }
        } else if ((r = cli_opt_value(argc, argv, &i, "--page-bytes", &val)) != 0) {
            if (r < 0 || cli_parse_size(val, &o.page_bytes) || !o.page_bytes) {
                rc = cli_usage("convert", "--page-bytes needs a size like 1M");
                goto out;
            }
        } else if ((r = cli_opt_value(argc, argv, &i, "--page-version", &val)) != 0) {
            if (r < 0 || parse_int(val, 1, 2, &o.page_version)) {
                rc = cli_usage("convert", "--page-version must be 1 or 2");
                goto out;
            }
        } else if ((r = cli_opt_value(argc, argv, &i, "--dictionary", &val)) != 0) {
            if (r > 0 && strcmp(val, "on") == 0) o.dictionary = 1;
            else if (r > 0 && strcmp(val, "off") == 0) o.dictionary = 0;
            else {
                rc = cli_usage("convert", "--dictionary must be on or off");
                goto out;
            }
        } else if ((r = cli_opt_value(argc, argv, &i, "--encoding", &val)) != 0) {
            const char *eq = r > 0 ? strrchr(val, '=') : NULL;
            if (!eq || eq == val || idbpq_encoding_from_name(eq + 1) < 0) {
                rc = cli_usage("convert", "--encoding needs COL=ENCODING with a known encoding"
                                          " (got '%s')", r > 0 ? val : "");
                goto out;
            }
            enc_specs[n_enc++] = val;
        } else if (strcmp(a, "--no-statistics") == 0) {
            o.statistics = 0;
        } else if (strcmp(a, "--no-page-index") == 0) {
            o.page_index = 0;
        } else if (strcmp(a, "--crc") == 0) {
            o.page_crc = 1;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage("convert", "unknown option '%s'", a);
            goto out;
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            rc = cli_usage("convert", "unexpected argument '%s'", a);
            goto out;
        }
    }
    if (!in || !out) {
        rc = cli_usage("convert", "needs IN and OUT files");
        goto out;
    }
    if (!idbpq_codec_can_write(o.codec)) {
        const char *cn = idbpq_codec_name(o.codec);
        cli_err("convert", "codec %s cannot be written by this build", cn ? cn : "?");
        rc = CLI_FAIL;
        goto out;
    }
    keep_freed_memory();
    if ((rc = cli_open(&f, in)) != CLI_OK) goto out;
    {
        const idbpq_schema *s = idbpq_reader_schema(f.rd);
        const idbpq_file_meta *m = idbpq_reader_meta(f.rd);
        cv.in = in;
        cv.out = out;
        cv.nc = idbpq_schema_num_columns(s);
        o.num_kv = m->num_kv;
        o.kv = m->kv;
        /* Column options: --encoding overrides, plus each column's key/value metadata
         * (taken from the first row group: the writer applies one set to every chunk). */
        copts = calloc((size_t)cv.nc + 1, sizeof *copts);
        cv.cur = calloc((size_t)cv.nc + 1, sizeof *cv.cur);
        cv.batches = calloc((size_t)cv.nc + 1, sizeof *cv.batches);
        if (!copts || !cv.cur || !cv.batches) {
            cli_err(in, "out of memory");
            rc = CLI_FAIL;
            goto close_in;
        }
        for (c = 0; c < cv.nc; c++) {
            const idbpq_schema_node *n = idbpq_schema_column(s, c);
            copts[c].path = n->path;
            copts[c].encoding = IDBPQ_ENC_AUTO;
            copts[c].dictionary = -1;
            copts[c].statistics = -1;
            if (m->num_row_groups > 0 && m->row_groups[0].num_columns == cv.nc) {
                copts[c].num_kv = m->row_groups[0].columns[c].num_kv;
                copts[c].kv = m->row_groups[0].columns[c].kv;
            }
        }
        for (i = 0; i < n_enc; i++) {
            const char *eq = strrchr(enc_specs[i], '=');
            char path[1024];
            size_t pl = (size_t)(eq - enc_specs[i]);
            int32_t col;
            if (pl >= sizeof path) pl = sizeof path - 1;
            memcpy(path, enc_specs[i], pl);
            path[pl] = '\0';
            col = idbpq_schema_find_column(s, path);
            if (col < 0) {
                rc = cli_usage("convert", "unknown column '%s' in --encoding", path);
                goto close_in;
            }
            copts[col].encoding = (idbpq_encoding)idbpq_encoding_from_name(eq + 1);
        }
        o.num_column_opts = cv.nc;
        o.column_opts = copts;

        err[0] = '\0';
        st = idbpq_file_sink_open(&fsink, out, &sink, err, sizeof err);
        if (st != IDBPQ_OK) {
            cli_lib_err(out, st, err);
            fsink = NULL;
            rc = CLI_FAIL;
            goto close_in;
        }
        st = idbpq_writer_open(&cv.wr, s, &sink, &o, NULL);
        if (st != IDBPQ_OK) {
            cli_lib_err(out, st, "");
            cv.wr = NULL;
            rc = CLI_FAIL;
            goto abort;
        }
        for (g = 0; g < m->num_row_groups; g++) {
            /* A row group the footer declares empty holds no pages to copy; some writers
             * leave its offsets at 0, which a cursor would rightly reject. */
            const idbpq_row_group_meta *rg = &m->row_groups[g];
            int32_t k, empty = rg->num_rows == 0;
            for (k = 0; empty && k < rg->num_columns; k++)
                empty = rg->columns[k].num_values == 0;
            if (empty) continue;
            if (cv.nc > 0 && convert_row_group(&cv, f.rd, g)) {
                rc = CLI_FAIL;
                goto abort;
            }
        }
        st = idbpq_writer_finish(cv.wr);
        if (st != IDBPQ_OK) {
            cli_lib_err(out, st, idbpq_writer_errmsg(cv.wr));
            rc = CLI_FAIL;
            goto abort;
        }
        idbpq_writer_free(cv.wr);
        cv.wr = NULL;
        err[0] = '\0';
        st = idbpq_file_sink_commit(fsink, err, sizeof err);
        if (st != IDBPQ_OK) {
            cli_lib_err(out, st, err);
            rc = CLI_FAIL;
        }
    abort:
        idbpq_writer_free(cv.wr);
        idbpq_file_sink_abort(fsink); /* after a commit: only frees */
    }
close_in:
    free(cv.cur);
    free(cv.batches);
    free(copts);
    cli_close(&f);
out:
    free(enc_specs);
    return rc;
}
