/*
 * cmd_schema.c — `idbpq schema FILE [--columns]`: the schema as parquet-mr prints it
 * (MessageType.toString: "message schema { optional int32 id (INTEGER(32,true)) = 1; }"),
 * so it can be compared with parquet-cli / parquet-tools output line by line. With
 * --columns, one line per leaf column: path, physical type, max definition and repetition
 * level — the numbers one needs to reason about Dremel levels.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq schema FILE [--columns]\n"
    "\n"
    "Print the schema of a Parquet file in parquet-mr's message syntax:\n"
    "repetition, physical type, name, (logical type), = field id.\n"
    "\n"
    "  --columns   list the leaf columns instead: path, physical type, max_def, max_rep\n";

static const char *rep_name(idbpq_repetition r)
{
    switch (r) {
    case IDBPQ_REQUIRED: return "required";
    case IDBPQ_OPTIONAL: return "optional";
    case IDBPQ_REPEATED: return "repeated";
    }
    return "?";
}

static void print_node(jw *w, const idbpq_schema *s, int32_t i, int indent)
{
    const idbpq_schema_node *n = idbpq_schema_node_at(s, i);
    char ann[256];
    int32_t k;
    if (!n) return;
    idbpq_schema_node_annotation(n, ann, sizeof ann);
    for (k = 0; k < indent; k++) jw_putc(w, ' ');
    jw_puts(w, rep_name(n->repetition));
    if (n->type == IDBPQ_GROUP) {
        jw_puts(w, " group ");
    } else {
        /* parquet-mr spells the physical type in lower case, BYTE_ARRAY as "binary". */
        const char *tn = n->type == IDBPQ_BYTE_ARRAY ? "binary" : idbpq_type_name(n->type);
        jw_putc(w, ' ');
        for (const char *c = tn ? tn : "?"; *c; c++)
            jw_putc(w, (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c);
        if (n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY) jw_printf(w, "(%d)", (int)n->type_length);
        jw_putc(w, ' ');
    }
    jw_puts(w, n->name ? n->name : "");
    if (ann[0]) jw_printf(w, " (%s)", ann);
    if (n->field_id >= 0) jw_printf(w, " = %d", (int)n->field_id);
    if (n->type == IDBPQ_GROUP) {
        jw_puts(w, " {\n");
        for (k = 0; k < n->num_children; k++) print_node(w, s, n->children[k], indent + 2);
        for (k = 0; k < indent; k++) jw_putc(w, ' ');
        jw_puts(w, "}\n");
    } else {
        jw_puts(w, ";\n");
    }
}

int cmd_schema(int argc, char **argv)
{
    const char *path = NULL;
    int columns = 0, i, rc;
    cli_file f;
    jw *w;
    static jw out;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--columns") == 0) {
            columns = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("schema", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("schema", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) return cli_usage("schema", "missing FILE");
    if ((rc = cli_open(&f, path)) != CLI_OK) return rc;
    w = &out;
    jw_init(w, stdout);
    {
        const idbpq_schema *s = idbpq_reader_schema(f.rd);
        if (columns) {
            int32_t c, nc = idbpq_schema_num_columns(s);
            jw_puts(w, "path\ttype\tmax_def\tmax_rep\n");
            for (c = 0; c < nc; c++) {
                const idbpq_schema_node *n = idbpq_schema_column(s, c);
                const char *tn = n ? idbpq_type_name(n->type) : NULL;
                if (!n) continue;
                jw_puts(w, n->path ? n->path : "");
                jw_putc(w, '\t');
                jw_puts(w, tn ? tn : "?");
                if (n->type == IDBPQ_FIXED_LEN_BYTE_ARRAY)
                    jw_printf(w, "(%d)", (int)n->type_length);
                jw_printf(w, "\t%d\t%d\n", (int)n->max_def, (int)n->max_rep);
            }
        } else {
            const idbpq_schema_node *root = idbpq_schema_node_at(s, 0);
            int32_t k;
            jw_printf(w, "message %s {\n", root && root->name ? root->name : "schema");
            for (k = 0; root && k < root->num_children; k++)
                print_node(w, s, root->children[k], 2);
            jw_puts(w, "}\n");
        }
    }
    cli_close(&f);
    if (jw_finish(w) != 0) {
        cli_err("stdout", "write error");
        return CLI_FAIL;
    }
    return CLI_OK;
}
