/*
 * cmd_cat.c — `idbpq cat FILE [--columns a,b.c] [--limit N] [--offset N]`: rows as JSON
 * lines, one object per row, assembled by idbpq_row_reader. The JSON mapping (docs/cli.md)
 * is the contract the DuckDB comparison tests rely on, so it lives in values.c and is
 * changed only together with that document. Nested shapes follow the schema node's shape:
 * structs become objects, lists and unannotated repeated fields arrays, maps objects (string
 * keys) or arrays of {"key","value"}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq cat FILE [--columns LIST] [--limit N] [--offset N]\n"
    "\n"
    "Print the rows of a Parquet file as JSON lines (one object per row).\n"
    "\n"
    "  --columns LIST   comma-separated dotted column paths; a group path selects all\n"
    "                   of its leaves (default: every column)\n"
    "  --limit N        print at most N rows\n"
    "  --offset N       skip the first N rows\n"
    "\n"
    "See docs/cli.md for how each Parquet type is written as JSON.\n";

typedef struct cat_ctx {
    jw *w;
    const idbpq_schema *s;
    const idbpq_row_reader *rr;
} cat_ctx;

static void emit(cat_ctx *c, int32_t ni, const idbpq_datum *d, int elem_mode);

static void emit_leaf(cat_ctx *c, const idbpq_schema_node *n, const idbpq_datum *d)
{
    cli_value v;
    v.type = n->type;
    v.i = 0;
    v.d = 0;
    v.p = NULL;
    v.len = 0;
    switch ((idbpq_datum_kind)d->kind) {
    case IDBPQ_DATUM_BOOLEAN: v.type = IDBPQ_BOOLEAN; v.i = d->u.boolean != 0; break;
    case IDBPQ_DATUM_INT32: v.i = d->u.i32; break;
    case IDBPQ_DATUM_INT64: v.i = d->u.i64; break;
    case IDBPQ_DATUM_INT96: v.p = d->u.i96; v.len = 12; break;
    case IDBPQ_DATUM_FLOAT: v.d = d->u.f32; break;
    case IDBPQ_DATUM_DOUBLE: v.d = d->u.f64; break;
    case IDBPQ_DATUM_BYTES: v.p = d->u.bytes; v.len = d->len; break;
    case IDBPQ_DATUM_NULL:
    case IDBPQ_DATUM_GROUP:
    case IDBPQ_DATUM_LIST:
    case IDBPQ_DATUM_MAP:
        jw_write(c->w, "null", 4);
        return;
    }
    cli_write_value(c->w, n, &v, 0);
}

/* A struct: the present children in schema order. The row reader may give one item per
 * child, or only the projected children; both are handled. */
static void emit_group(cat_ctx *c, const idbpq_schema_node *n, const idbpq_datum *d)
{
    int32_t k;
    uint32_t it = 0;
    int first = 1, full = d->len == (uint32_t)n->num_children;
    jw_putc(c->w, '{');
    for (k = 0; k < n->num_children; k++) {
        int32_t ci = n->children[k];
        const idbpq_schema_node *cn;
        const idbpq_datum *item;
        if (!idbpq_row_reader_node_present(c->rr, ci)) {
            if (full) it++;
            continue;
        }
        if (it >= d->len) break;
        item = &d->u.items[it++];
        cn = idbpq_schema_node_at(c->s, ci);
        if (!first) jw_putc(c->w, ',');
        first = 0;
        jw_cstr(c->w, cn ? cn->name : "");
        jw_putc(c->w, ':');
        emit(c, ci, item, 0);
    }
    jw_putc(c->w, '}');
}

/* elem_mode: the node is read as a required element of its own repetition (the items of
 * an unannotated repeated field, or a legacy list whose element is the repeated node). */
static void emit(cat_ctx *c, int32_t ni, const idbpq_datum *d, int elem_mode)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(c->s, ni);
    jw *w = c->w;
    uint32_t k;
    if (!n || d->kind == IDBPQ_DATUM_NULL) {
        jw_write(w, "null", 4);
        return;
    }
    if (!elem_mode && n->shape == IDBPQ_SHAPE_REPEATED) {
        if (d->kind != IDBPQ_DATUM_LIST) {
            jw_write(w, "null", 4);
            return;
        }
        jw_putc(w, '[');
        for (k = 0; k < d->len; k++) {
            if (k) jw_putc(w, ',');
            emit(c, ni, &d->u.items[k], 1);
        }
        jw_putc(w, ']');
        return;
    }
    if (elem_mode || n->shape == IDBPQ_SHAPE_PRIMITIVE || n->shape == IDBPQ_SHAPE_STRUCT) {
        if (n->type == IDBPQ_GROUP) {
            if (d->kind == IDBPQ_DATUM_GROUP)
                emit_group(c, n, d);
            else
                jw_write(w, "null", 4);
        } else {
            emit_leaf(c, n, d);
        }
        return;
    }
    if (n->shape == IDBPQ_SHAPE_LIST) {
        const idbpq_schema_node *en = idbpq_schema_node_at(c->s, n->element);
        int em = en && en->repetition == IDBPQ_REPEATED;
        if (d->kind != IDBPQ_DATUM_LIST) {
            jw_write(w, "null", 4);
            return;
        }
        jw_putc(w, '[');
        for (k = 0; k < d->len; k++) {
            if (k) jw_putc(w, ',');
            emit(c, n->element, &d->u.items[k], em);
        }
        jw_putc(w, ']');
        return;
    }
    if (n->shape == IDBPQ_SHAPE_MAP) {
        const idbpq_schema_node *kn = idbpq_schema_node_at(c->s, n->element);
        int as_obj = kn && kn->type != IDBPQ_GROUP && cli_is_string_node(kn);
        int has_val = n->map_value >= 0 && idbpq_row_reader_node_present(c->rr, n->map_value);
        if (d->kind != IDBPQ_DATUM_MAP) {
            jw_write(w, "null", 4);
            return;
        }
        jw_putc(w, as_obj ? '{' : '[');
        for (k = 0; k < d->len; k++) {
            const idbpq_datum *kd = &d->u.items[2 * k], *vd = &d->u.items[2 * k + 1];
            if (k) jw_putc(w, ',');
            if (as_obj) {
                /* A null key cannot be an object key; print it as the empty name rather
                 * than producing invalid JSON (keys are required by the spec anyway). */
                if (kd->kind == IDBPQ_DATUM_BYTES)
                    jw_str(w, kd->u.bytes, kd->len);
                else
                    jw_write(w, "\"\"", 2);
                jw_putc(w, ':');
            } else {
                jw_puts(w, "{\"key\":");
                emit(c, n->element, kd, 0);
                jw_puts(w, ",\"value\":");
            }
            if (has_val)
                emit(c, n->map_value, vd, 0);
            else
                jw_write(w, "null", 4);
            if (!as_obj) jw_putc(w, '}');
        }
        jw_putc(w, as_obj ? '}' : ']');
        return;
    }
    jw_write(w, "null", 4);
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

int cmd_cat(int argc, char **argv)
{
    const char *path = NULL, *colspec = NULL, *val;
    uint64_t limit = UINT64_MAX, offset = 0, printed = 0;
    int i, rc, r;
    int32_t *cols = NULL, ncols = 0;
    idbpq_row_reader *rr = NULL;
    idbpq_status st;
    cli_file f;
    cat_ctx cx;
    static jw out;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--columns", &val)) != 0) {
            if (r < 0) return cli_usage("cat", "--columns needs a value");
            colspec = val;
        } else if ((r = cli_opt_value(argc, argv, &i, "--limit", &val)) != 0) {
            if (r < 0 || parse_count(val, &limit) != 0)
                return cli_usage("cat", "--limit needs a non-negative integer");
        } else if ((r = cli_opt_value(argc, argv, &i, "--offset", &val)) != 0) {
            if (r < 0 || parse_count(val, &offset) != 0)
                return cli_usage("cat", "--offset needs a non-negative integer");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("cat", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("cat", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) return cli_usage("cat", "missing FILE");
    if ((rc = cli_open(&f, path)) != CLI_OK) return rc;
    if (colspec) {
        rc = cli_project("cat", idbpq_reader_schema(f.rd), colspec, &cols, &ncols);
        if (rc != CLI_OK) goto done;
    }
    st = idbpq_row_reader_open(f.rd, cols, ncols, &rr);
    if (st != IDBPQ_OK) {
        cli_lib_err(path, st, idbpq_reader_errmsg(f.rd));
        rc = CLI_FAIL;
        goto done;
    }
    if (offset) {
        st = idbpq_row_reader_skip(rr, offset);
        if (st != IDBPQ_OK && st != IDBPQ_END) {
            cli_lib_err(path, st, idbpq_row_reader_errmsg(rr));
            rc = CLI_FAIL;
            goto done;
        }
        if (st == IDBPQ_END) limit = 0;
    }
    jw_init(&out, stdout);
    cx.w = &out;
    cx.s = idbpq_reader_schema(f.rd);
    cx.rr = rr;
    while (printed < limit && !out.err) {
        const idbpq_datum *row;
        st = idbpq_row_reader_next(rr, &row);
        if (st == IDBPQ_END) break;
        if (st != IDBPQ_OK) {
            jw_finish(&out);
            cli_lib_err(path, st, idbpq_row_reader_errmsg(rr));
            rc = CLI_FAIL;
            goto done;
        }
        emit_group(&cx, idbpq_schema_node_at(cx.s, 0), row);
        jw_putc(&out, '\n');
        printed++;
    }
    if (jw_finish(&out) != 0) {
        /* A closed pipe (idbpq cat f | head) is not worth a message, but is not success. */
        if (errno != EPIPE) cli_err("stdout", "write error");
        rc = CLI_FAIL;
    }
done:
    idbpq_row_reader_free(rr);
    free(cols);
    cli_close(&f);
    return rc;
}
