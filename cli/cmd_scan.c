/*
 * cmd_scan.c — `idbpq scan FILE [--columns LIST]`: the decode benchmark. Reads every value
 * of every projected column chunk through column cursors (no row assembly, no formatting)
 * and prints "rows=N values=N nulls=N checksum=HEX". The checksum folds every value and
 * level, so an optimizer cannot drop the decoding work, and two decoders (or two builds)
 * can be compared for identical results.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq scan FILE [--columns LIST]\n"
    "\n"
    "Decode every value of every (projected) column chunk with column cursors and print\n"
    "rows=N values=N nulls=N checksum=HEX. rows counts rows of the first projected column,\n"
    "values the non-null values of all columns, nulls the level slots below max_def\n"
    "(nulls and empty lists). Used for benchmarks; nothing else is printed.\n"
    "\n"
    "  --columns LIST   comma-separated dotted column paths (default: every column)\n";

#define MIX 0x9E3779B97F4A7C15ULL

static inline uint64_t fold(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

static uint64_t fold_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    uint64_t v;
    h = fold(h, n);
    while (n >= 8) {
        memcpy(&v, p, 8);
        h = fold(h, v);
        p += 8;
        n -= 8;
    }
    if (n) {
        v = 0;
        memcpy(&v, p, n);
        h = fold(h, v);
    }
    return h;
}

static uint64_t fold_batch(uint64_t h, const idbpq_column_batch *b)
{
    size_t i, n = b->n_values;
    if (b->def) h = fold_bytes(h, (const uint8_t *)b->def, b->n_levels * sizeof *b->def);
    if (b->rep) h = fold_bytes(h, (const uint8_t *)b->rep, b->n_levels * sizeof *b->rep);
    switch (b->type) {
    case IDBPQ_BOOLEAN: h = fold_bytes(h, b->values, n); break;
    case IDBPQ_INT32:
    case IDBPQ_FLOAT: h = fold_bytes(h, b->values, n * 4); break;
    case IDBPQ_INT64:
    case IDBPQ_DOUBLE: h = fold_bytes(h, b->values, n * 8); break;
    case IDBPQ_INT96: h = fold_bytes(h, b->values, n * 12); break;
    case IDBPQ_FIXED_LEN_BYTE_ARRAY:
        h = fold_bytes(h, b->values, n * (size_t)(b->type_length > 0 ? b->type_length : 0));
        break;
    case IDBPQ_BYTE_ARRAY: {
        const idbpq_bytes *v = b->values;
        for (i = 0; i < n; i++) h = fold_bytes(h, v[i].ptr, v[i].len);
        break;
    }
    case IDBPQ_GROUP: break;
    }
    return h;
}

int cmd_scan(int argc, char **argv)
{
    const char *path = NULL, *colspec = NULL, *val;
    int i, r, rc;
    int32_t *cols = NULL, ncols = 0, g, k;
    uint64_t rows = 0, values = 0, nulls = 0, h = MIX;
    cli_file f;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--columns", &val)) != 0) {
            if (r < 0) return cli_usage("scan", "--columns needs a value");
            colspec = val;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("scan", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("scan", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) return cli_usage("scan", "missing FILE");
    if ((rc = cli_open(&f, path)) != CLI_OK) return rc;
    rc = cli_project("scan", idbpq_reader_schema(f.rd), colspec, &cols, &ncols);
    if (rc != CLI_OK) goto done;
    {
        const idbpq_file_meta *m = idbpq_reader_meta(f.rd);
        for (g = 0; g < m->num_row_groups && rc == CLI_OK; g++) {
            for (k = 0; k < ncols && rc == CLI_OK; k++) {
                idbpq_column_cursor *cur = NULL;
                idbpq_column_batch b;
                idbpq_status st = idbpq_column_cursor_open(f.rd, g, cols[k], &cur);
                if (st != IDBPQ_OK) {
                    cli_lib_err(path, st, idbpq_reader_errmsg(f.rd));
                    rc = CLI_FAIL;
                    break;
                }
                h = fold(h, ((uint64_t)(uint32_t)g << 32) | (uint32_t)cols[k]);
                for (;;) {
                    st = idbpq_column_cursor_read(cur, 65536, &b);
                    if (st == IDBPQ_END) break;
                    if (st != IDBPQ_OK) {
                        cli_lib_err(path, st, idbpq_column_cursor_errmsg(cur));
                        rc = CLI_FAIL;
                        break;
                    }
                    if (k == 0) rows += b.n_rows;
                    values += b.n_values;
                    nulls += b.n_levels - b.n_values;
                    h = fold_batch(h, &b);
                }
                idbpq_column_cursor_free(cur);
            }
        }
    }
    if (rc == CLI_OK)
        printf("rows=%llu values=%llu nulls=%llu checksum=%016llx\n", (unsigned long long)rows,
               (unsigned long long)values, (unsigned long long)nulls, (unsigned long long)h);
done:
    free(cols);
    cli_close(&f);
    return rc;
}
