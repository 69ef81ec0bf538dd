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

#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The 1..7 bytes at p as one word (overlapping loads; n is folded in by the caller). */
static inline uint64_t ld_short(const uint8_t *p, size_t n)
{
    if (n >= 4) return ld32(p) | (ld32(p + n - 4) << 32);
    return (uint64_t)p[0] | ((uint64_t)p[n / 2] << 8) | ((uint64_t)p[n - 1] << 16);
}

/* Every byte of p[0..n) in four independent lanes (a serial multiply chain would bound the
 * scan at one multiply latency per 8 bytes), then the lanes into h. */
static uint64_t fold_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    uint64_t a = fold(h, n), b = h ^ MIX, c = h + MIX, d = ~h;
    while (n >= 32) {
        a = fold(a, ld64(p));
        b = fold(b, ld64(p + 8));
        c = fold(c, ld64(p + 16));
        d = fold(d, ld64(p + 24));
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        a = fold(a, ld64(p));
        p += 8;
        n -= 8;
    }
    if (n) b = fold(b, ld_short(p, n));
    return fold(fold(fold(fold(h, a), b), c), d);
}

/* One byte array on its own (length and bytes), so that consecutive values can overlap:
 * 16 bytes a step in two independent multiply chains, the last 1..16 bytes by overlapping
 * loads (the length is mixed in, so every byte counts once per length). */
static inline uint64_t value_hash(const uint8_t *p, size_t n)
{
    const uint64_t K = 0x9FB21C651E98DF25ULL;
    uint64_t a = n * MIX, b = ~a;
    while (n > 16) {
        a = (a ^ ld64(p)) * K;
        b = (b ^ ld64(p + 8)) * K;
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        a ^= ld64(p);
        b ^= ld64(p + n - 8);
    } else if (n) {
        a ^= ld_short(p, n);
    }
    return fold(a * K, b);
}

static uint64_t fold_byte_arrays(uint64_t h, const idbpq_bytes *v, size_t n)
{
    uint64_t a = h, b = h ^ MIX, c = h + MIX, d = ~h;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a = fold(a, value_hash(v[i].ptr, v[i].len));
        b = fold(b, value_hash(v[i + 1].ptr, v[i + 1].len));
        c = fold(c, value_hash(v[i + 2].ptr, v[i + 2].len));
        d = fold(d, value_hash(v[i + 3].ptr, v[i + 3].len));
    }
    for (; i < n; i++) a = fold(a, value_hash(v[i].ptr, v[i].len));
    return fold(fold(fold(fold(h, a), b), c), d);
}

static uint64_t fold_batch(uint64_t h, const idbpq_column_batch *b)
{
    size_t n = b->n_values;
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
    case IDBPQ_BYTE_ARRAY: h = fold_byte_arrays(h, b->values, n); break;
    case IDBPQ_GROUP: break;
    }
    return h;
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
    keep_freed_memory();
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
