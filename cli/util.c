/*
 * util.c — the plumbing every idbpq command shares: error and usage messages in one format
 * ("idbpq: FILE: what is wrong (where)"), option parsing helpers, opening a Parquet file
 * through the library's file source, and turning "--columns a,b.c" into column indices.
 * Keeping these here means each cmd_*.c file reads as the command's logic only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void cli_err(const char *what, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout); /* keep stdout and stderr in order when both go to a terminal */
    fprintf(stderr, "idbpq: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "idbpq: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'idbpq %s --help' for more information.\n", cmd);
    return CLI_USAGE;
}

void cli_lib_err(const char *file, idbpq_status st, const char *msg)
{
    if (msg && *msg)
        cli_err(file, "%s", msg);
    else
        cli_err(file, "%s", idbpq_status_str(st));
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) return -1;
    *val = argv[++*i];
    return 1;
}

int cli_opt_record_writer(const char *cmd, int argc, char **argv, int *i,
                          idbpq_record_writer_opts *o)
{
    const char *val;
    int r;
    if ((r = cli_opt_value(argc, argv, i, "--codec", &val))) {
        int c = r < 0 ? -1 : idbpq_codec_from_name(val);
        if (c < 0 || !idbpq_codec_can_write((idbpq_codec)c))
            return cli_usage(cmd, "unknown or unavailable codec '%s'", r < 0 ? "" : val);
        o->parquet.codec = (idbpq_codec)c;
        return 1;
    }
    if ((r = cli_opt_value(argc, argv, i, "--row-group-bytes", &val))) {
        if (r < 0 || cli_parse_size(val, &o->parquet.row_group_bytes) ||
            !o->parquet.row_group_bytes)
            return cli_usage(cmd, "--row-group-bytes needs a size");
        return 1;
    }
    return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mul = 1;
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s) return -1;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mul = 1024u; break;
        case 'm': case 'M': mul = 1024u * 1024u; break;
        case 'g': case 'G': mul = 1024u * 1024u * 1024u; break;
        default: return -1;
        }
        end++;
        if (*end == 'i' || *end == 'I') end++;  /* accept "KiB"/"MiB" spellings */
        if (*end == 'b' || *end == 'B') end++;
        if (*end) return -1;
    }
    if (v > UINT64_MAX / mul) return -1;
    *out = (uint64_t)v * mul;
    return 0;
}

int cli_open(cli_file *f, const char *path)
{
    char err[512];
    idbpq_status st;
    idbpq_reader_opts o;
    memset(f, 0, sizeof *f);
    f->path = path;
    err[0] = '\0';
    st = idbpq_file_source_open(&f->fs, path, &f->src, err, sizeof err);
    if (st != IDBPQ_OK) {
        cli_lib_err(path, st, err);
        f->fs = NULL;
        return CLI_FAIL;
    }
    idbpq_reader_opts_init(&o);
    err[0] = '\0';
    st = idbpq_reader_open(&f->rd, &f->src, &o, NULL, err, sizeof err);
    if (st != IDBPQ_OK) {
        cli_lib_err(path, st, err);
        f->rd = NULL;
        cli_close(f);
        return CLI_FAIL;
    }
    return CLI_OK;
}

void cli_close(cli_file *f)
{
    idbpq_reader_free(f->rd);
    idbpq_file_source_close(f->fs);
    f->rd = NULL;
    f->fs = NULL;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Adds every leaf under node `ni` (or the leaf itself) to cols. */
static void add_leaves(const idbpq_schema *s, int32_t ni, int32_t *cols, int32_t *n)
{
    const idbpq_schema_node *nd = idbpq_schema_node_at(s, ni);
    int32_t k;
    if (!nd) return;
    if (nd->type != IDBPQ_GROUP) {
        if (nd->column >= 0) cols[(*n)++] = nd->column;
        return;
    }
    for (k = 0; k < nd->num_children; k++) add_leaves(s, nd->children[k], cols, n);
}

/* The node whose dotted path is `path` (exactly), or -1. */
static int32_t find_node(const idbpq_schema *s, const char *path, size_t len)
{
    int32_t i, nn = idbpq_schema_num_nodes(s);
    for (i = 1; i < nn; i++) {
        const idbpq_schema_node *nd = idbpq_schema_node_at(s, i);
        if (nd && nd->path && strlen(nd->path) == len && memcmp(nd->path, path, len) == 0)
            return i;
    }
    return -1;
}

int cli_project(const char *cmd, const idbpq_schema *s, const char *spec, int32_t **cols,
                int32_t *n)
{
    int32_t nc = idbpq_schema_num_columns(s), cnt = 0, i, w;
    int32_t *out;
    const char *p = spec;
    *cols = NULL;
    *n = 0;
    /* Each named path adds at most every column once; duplicates are removed below. */
    size_t parts = 1;
    if (spec)
        for (const char *q = spec; *q; q++) parts += (*q == ',');
    out = malloc(sizeof *out * ((size_t)nc * parts + 1));
    if (!out) {
        cli_err(cmd, "out of memory");
        return CLI_FAIL;
    }
    if (!spec) {
        for (i = 0; i < nc; i++) out[i] = i;
        *cols = out;
        *n = nc;
        return CLI_OK;
    }
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int32_t ni = len ? find_node(s, p, len) : -1;
        if (ni < 0) {
            free(out);
            return cli_usage(cmd, "unknown column '%.*s'", (int)len, p);
        }
        add_leaves(s, ni, out, &cnt);
        if (!e) break;
        p = e + 1;
        if (!*p) {
            free(out);
            return cli_usage(cmd, "empty column name in --columns");
        }
    }
    qsort(out, (size_t)cnt, sizeof *out, cmp_i32);
    for (i = 0, w = 0; i < cnt; i++)
        if (w == 0 || out[w - 1] != out[i]) out[w++] = out[i];
    *cols = out;
    *n = w;
    return CLI_OK;
}

int cli_mkdirs(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof tmp) return -1;
    memcpy(tmp, path, n + 1);
    for (char *s = tmp + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}
