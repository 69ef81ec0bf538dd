/*
 * cmd_pack.c — `idbpq pack IN.jsonl OUT.parquet`: tagged JSON records (one per line, as
 * `idbpq records` prints them) to Parquet, through the record writer that every adapter
 * uses. A regular file is read twice (infer, then write: the exact schema with memory for
 * the schema statistics only); standard input or --one-pass reads once and infers from a
 * sample. OUT appears only when everything succeeded (atomic file sink).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq pack IN.jsonl OUT.parquet [OPTIONS]\n"
    "\n"
    "Write IndexedDB records given as tagged JSON lines {\"key\":K,\"value\":V} (the form\n"
    "`idbpq records` prints; IN may be - for standard input) to a Parquet file, inferring\n"
    "typed, nested columns (docs/mapping.md).\n"
    "\n"
    "  --key-path P           the store's key path (dotted); repeat for a compound key path.\n"
    "                         Keys are then taken from the values; a line's \"key\" may be left out\n"
    "  --key-column           out-of-line keys in a `_key` column (the default without --key-path)\n"
    "  --auto-increment       the store has a key generator\n"
    "  --values               each line is a bare value; keys are 1, 2, 3... (or from --key-path)\n"
    "  --one-pass             read the input once, inferring from a sample\n"
    "  --json-mixed           fields of mixed types as JSON text instead of VARIANT\n"
    "  --no-shred             do not shred VARIANT columns\n"
    "  --store NAME           store name kept in the file's metadata\n"
    "  --db NAME              database name kept in the file's metadata\n"
    "  --db-version N         database version kept in the file's metadata\n"
    "  --index NAME=PATH[,unique][,multiEntry]\n"
    "                         an index of the store (kept in the metadata); may be repeated\n"
    "  --codec C              uncompressed, snappy, gzip, brotli, lz4_raw, zstd (default snappy)\n"
    "  --row-group-bytes N    row-group budget (K/M/G suffixes; default 128M)\n"
    "  --quiet                no summary on standard error\n";

#define MAX_PATHS 64

typedef struct pack {
    const char *in, *out;
    FILE *f;
    int values, one_pass;
    uint64_t line_no;
    uint64_t next_key;
    idbpq_vbatch *b;
    char *line;
    size_t cap;
} pack;

/* The next record of the input: IDBPQ_END at the end. Reports errors itself. */
static int next_record(pack *p, const idbpq_store_desc *st, idbpq_value **key, idbpq_value **value)
{
    for (;;) {
        ssize_t n = getline(&p->line, &p->cap, p->f);
        if (n < 0) return IDBPQ_END;
        p->line_no++;
        while (n > 0 && (p->line[n - 1] == '\n' || p->line[n - 1] == '\r')) n--;
        if (n == 0) continue;
        idbpq_vbatch_reset(p->b);
        idbpq_value *v, *k = NULL;
        idbpq_error e;
        idbpq_status s = p->values ? idbpq_tjson_parse(p->b, p->line, (size_t)n, &v, &e)
                                   : idbpq_tjson_parse_record(p->b, p->line, (size_t)n, &k, &v, &e);
        if (s != IDBPQ_OK) {
            cli_err(p->in, "line %llu, column %u: %s%s", (unsigned long long)p->line_no,
                    e.column, e.msg,
                    p->values ? "" : " (a line is a record {\"key\":K,\"value\":V})");
            return -1;
        }
        *key = NULL;
        *value = v;
        if (p->values) {
            if (st->key_path.type == 0) *key = idbpq_value_number(p->b, (double)++p->next_key);
            return IDBPQ_OK;
        }
        if (!k && st->key_path.type == 0) {
            cli_err(p->in, "line %llu: the record has no \"key\" (needed without --key-path)",
                    (unsigned long long)p->line_no);
            return -1;
        }
        idbpq_value *val = v;
        *key = st->key_path.type ? NULL : k;
        *value = val;
        return IDBPQ_OK;
    }
}

static int parse_index(const char *spec, idbpq_index_desc *ix, const char **path_store)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) return -1;
    memset(ix, 0, sizeof *ix);
    char *copy = strdup(spec);
    if (!copy) return -1;
    copy[eq - spec] = 0;
    ix->name = copy;
    char *rest = copy + (eq - spec) + 1;
    char *comma = strchr(rest, ',');
    if (comma) *comma = 0;
    *path_store = rest;
    ix->key_path.type = 1;
    ix->key_path.n = 1;
    ix->key_path.paths = path_store;
    for (char *o = comma ? comma + 1 : NULL; o && *o;) {
        char *c2 = strchr(o, ',');
        if (c2) *c2 = 0;
        if (strcmp(o, "unique") == 0) ix->unique = 1;
        else if (strcmp(o, "multiEntry") == 0) ix->multi_entry = 1;
        else return -1;
        o = c2 ? c2 + 1 : NULL;
    }
    return 0;
}

static void summary(const pack *p, const idbpq_record_stats *s)
{
    fprintf(stderr, "idbpq pack: %s -> %s: %llu records, %u columns (%u VARIANT/JSON), %llu bytes%s\n",
            p->in, p->out, (unsigned long long)s->records, s->columns, s->variant_fields,
            (unsigned long long)s->bytes_out, s->sorted ? ", sorted by key" : "");
    if (!s->fallbacks) return;
    fprintf(stderr, "idbpq pack: %llu records kept exactly in _raw:\n",
            (unsigned long long)s->fallbacks);
    for (int r = 0; r < IDBPQ_FALLBACK_COUNT; r++)
        if (s->by_reason[r])
            fprintf(stderr, "  %10llu  %s (%s)\n", (unsigned long long)s->by_reason[r],
                    idbpq_fallback_name((idbpq_fallback)r), idbpq_fallback_str((idbpq_fallback)r));
}

/* Feeds every record to fn (observe or write). 0 on success. */
static int pass(pack *p, idbpq_record_writer *w, const idbpq_store_desc *st,
                idbpq_status (*fn)(idbpq_record_writer *, const idbpq_value *, const idbpq_value *))
{
    p->line_no = 0;
    p->next_key = 0;
    for (;;) {
        idbpq_value *k, *v;
        int r = next_record(p, st, &k, &v);
        if (r == IDBPQ_END) return 0;
        if (r != IDBPQ_OK) return 1;
        idbpq_status s = fn(w, k, v);
        if (s != IDBPQ_OK) {
            cli_err(p->in, "line %llu: %s", (unsigned long long)p->line_no,
                    idbpq_record_writer_errmsg(w));
            return 1;
        }
    }
}

int cmd_pack(int argc, char **argv)
{
    pack p;
    memset(&p, 0, sizeof p);
    idbpq_record_writer_opts o;
    idbpq_record_writer_opts_init(&o);
    idbpq_store_desc st;
    memset(&st, 0, sizeof st);
    st.key_generator = 1;
    const char *paths[MAX_PATHS];
    const char *ix_paths[MAX_PATHS];
    idbpq_index_desc ixs[MAX_PATHS];
    uint32_t n_paths = 0, n_ix = 0;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        int r;
        if (cli_is_help(a)) {
            fputs(help_text, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--key-path", &val))) {
            if (r < 0 || n_paths == MAX_PATHS) return cli_usage("pack", "--key-path needs a path");
            paths[n_paths++] = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--store", &val))) {
            if (r < 0) return cli_usage("pack", "--store needs a name");
            st.name = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--db", &val))) {
            if (r < 0) return cli_usage("pack", "--db needs a name");
            st.database = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--db-version", &val))) {
            if (r < 0 || cli_parse_size(val, &st.db_version))
                return cli_usage("pack", "--db-version needs a number");
        } else if ((r = cli_opt_value(argc, argv, &i, "--index", &val))) {
            if (r < 0 || n_ix == MAX_PATHS || parse_index(val, &ixs[n_ix], &ix_paths[n_ix]))
                return cli_usage("pack", "--index needs NAME=PATH[,unique][,multiEntry]");
            n_ix++;
        } else if ((r = cli_opt_record_writer("pack", argc, argv, &i, &o))) {
            if (r != 1) return r;
        } else if (strcmp(a, "--key-column") == 0) {
            /* the default without --key-path */
        } else if (strcmp(a, "--auto-increment") == 0) {
            st.auto_increment = 1;
        } else if (strcmp(a, "--values") == 0) {
            p.values = 1;
        } else if (strcmp(a, "--one-pass") == 0) {
            p.one_pass = 1;
        } else if (strcmp(a, "--json-mixed") == 0) {
            o.mixed_as_json = 1;
        } else if (strcmp(a, "--no-shred") == 0) {
            o.shred_variants = 0;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("pack", "unknown option '%s'", a);
        } else if (!p.in) {
            p.in = a;
        } else if (!p.out) {
            p.out = a;
        } else {
            return cli_usage("pack", "too many arguments");
        }
    }
    if (!p.in || !p.out) return cli_usage("pack", "needs IN.jsonl and OUT.parquet");
    if (n_paths) {
        st.key_path.type = n_paths == 1 ? 1 : 2;
        st.key_path.n = n_paths;
        st.key_path.paths = paths;
    }
    st.indexes = ixs;
    st.n_indexes = n_ix;
    if (p.values && !n_paths) st.auto_increment = 1; /* keys 1, 2, 3... are generated */

    struct stat sb;
    int is_stdin = strcmp(p.in, "-") == 0;
    p.f = is_stdin ? stdin : fopen(p.in, "rb");
    if (!p.f) {
        cli_err(p.in, "cannot open: %s", strerror(errno));
        return CLI_FAIL;
    }
    if (is_stdin || fstat(fileno(p.f), &sb) != 0 || !S_ISREG(sb.st_mode)) p.one_pass = 1;

    int rc = CLI_FAIL;
    idbpq_record_writer *w = NULL;
    idbpq_file_sink *fs = NULL;
    idbpq_sink sink;
    char err[512];
    idbpq_record_stats stats;
    idbpq_status s = idbpq_vbatch_create(&p.b, NULL);
    if (s == IDBPQ_OK) s = idbpq_record_writer_create(&w, &st, &o, NULL);
    if (s != IDBPQ_OK) {
        cli_lib_err(p.in, s, NULL);
        goto done;
    }
    if (!p.one_pass) {
        if (pass(&p, w, &st, idbpq_record_writer_observe)) goto done;
        if (fseek(p.f, 0, SEEK_SET) != 0) {
            cli_err(p.in, "cannot read it again: %s", strerror(errno));
            goto done;
        }
    }
    s = idbpq_file_sink_open(&fs, p.out, &sink, err, sizeof err);
    if (s != IDBPQ_OK) {
        cli_err(p.out, "%s", err);
        goto done;
    }
    s = idbpq_record_writer_begin(w, &sink);
    if (s != IDBPQ_OK) {
        cli_lib_err(p.out, s, idbpq_record_writer_errmsg(w));
        goto done;
    }
    if (pass(&p, w, &st, idbpq_record_writer_write)) goto done;
    s = idbpq_record_writer_finish(w, &stats);
    if (s != IDBPQ_OK) {
        cli_lib_err(p.out, s, idbpq_record_writer_errmsg(w));
        goto done;
    }
    s = idbpq_file_sink_commit(fs, err, sizeof err); /* the abort below then only frees */
    if (s != IDBPQ_OK) {
        cli_err(p.out, "%s", err);
        goto done;
    }
    if (!quiet) summary(&p, &stats);
    rc = CLI_OK;
done:
    idbpq_file_sink_abort(fs);
    idbpq_record_writer_free(w);
    idbpq_vbatch_free(p.b);
    free(p.line);
    for (uint32_t i = 0; i < n_ix; i++) free((void *)ixs[i].name);
    if (p.f && !is_stdin) fclose(p.f);
    return rc;
}
