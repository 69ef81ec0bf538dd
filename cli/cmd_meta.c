/*
 * cmd_meta.c — `idbpq meta FILE [--json]`: everything the footer says, per file, row group
 * and column chunk (types, encodings, codec, sizes, page offsets, statistics, key/value
 * metadata). Statistics min/max are decoded by the column's type and shown exactly as
 * `cat` shows values, so a range can be checked against the data by eye. --json prints the
 * same information as one JSON document; 64-bit integers are plain JSON numbers, absent
 * optional fields are null.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq meta FILE [--json]\n"
    "\n"
    "Print the file metadata of a Parquet file: version, created_by, row count, key/value\n"
    "metadata, and per row group and column chunk: type, encodings, codec, value count,\n"
    "sizes, page offsets, statistics (min/max decoded by the column's type) and key/value\n"
    "metadata.\n"
    "\n"
    "  --json   one JSON document with the same information\n";

static const char *order_name(int32_t o)
{
    return o == 1 ? "TYPE_ORDER" : o == 2 ? "IEEE754_TOTAL_ORDER" : "UNKNOWN";
}

/* ----- JSON ------------------------------------------------------------------------------- */

static void j_key(jw *w, const char *k, int *first)
{
    if (!*first) jw_putc(w, ',');
    *first = 0;
    jw_putc(w, '"');
    jw_puts(w, k);
    jw_write(w, "\":", 2);
}

static void j_int(jw *w, const char *k, int64_t v, int *first)
{
    j_key(w, k, first);
    jw_i64(w, v);
}

/* An optional offset/length: the library marks absence with -1. */
static void j_opt(jw *w, const char *k, int64_t v, int *first)
{
    j_key(w, k, first);
    if (v < 0)
        jw_write(w, "null", 4);
    else
        jw_i64(w, v);
}

static void j_kv(jw *w, int32_t n, const idbpq_kv *kv)
{
    int32_t i;
    jw_putc(w, '[');
    for (i = 0; i < n; i++) {
        if (i) jw_putc(w, ',');
        jw_puts(w, "{\"key\":");
        jw_str(w, kv[i].key.ptr, kv[i].key.len);
        jw_puts(w, ",\"value\":");
        if (kv[i].has_value)
            jw_str(w, kv[i].value.ptr, kv[i].value.len);
        else
            jw_write(w, "null", 4);
        jw_putc(w, '}');
    }
    jw_putc(w, ']');
}

static void j_stat_value(jw *w, const idbpq_schema_node *n, idbpq_bytes b, int binary_hex)
{
    cli_value v;
    if (n && cli_value_from_plain(n, b, &v))
        cli_write_value(w, n, &v, binary_hex);
    else if (binary_hex) {
        jw_write(w, "0x", 2);
        jw_hex(w, b.ptr, b.len);
    } else
        jw_base64(w, b.ptr, b.len);
}

static void j_stats(jw *w, const idbpq_schema_node *n, const idbpq_statistics *st)
{
    int first = 1;
    jw_putc(w, '{');
    j_key(w, "null_count", &first);
    if (st->has_null_count) jw_i64(w, st->null_count); else jw_write(w, "null", 4);
    j_key(w, "distinct_count", &first);
    if (st->has_distinct_count) jw_i64(w, st->distinct_count); else jw_write(w, "null", 4);
    j_key(w, "nan_count", &first);
    if (st->has_nan_count) jw_i64(w, st->nan_count); else jw_write(w, "null", 4);
    j_key(w, "min", &first);
    if (st->has_min) j_stat_value(w, n, st->min, 0); else jw_write(w, "null", 4);
    j_key(w, "max", &first);
    if (st->has_max) j_stat_value(w, n, st->max, 0); else jw_write(w, "null", 4);
    j_key(w, "min_exact", &first);
    jw_puts(w, st->min_exact < 0 ? "null" : st->min_exact ? "true" : "false");
    j_key(w, "max_exact", &first);
    jw_puts(w, st->max_exact < 0 ? "null" : st->max_exact ? "true" : "false");
    j_key(w, "legacy_minmax", &first);
    jw_puts(w, st->legacy_minmax ? "true" : "false");
    jw_putc(w, '}');
}

static void j_column(jw *w, const idbpq_schema *s, int32_t ci, const idbpq_column_chunk_meta *c)
{
    int first = 1;
    int32_t e;
    const char *tn = idbpq_type_name(c->type), *cn = idbpq_codec_name(c->codec);
    jw_putc(w, '{');
    j_key(w, "path", &first);
    jw_cstr(w, c->path ? c->path : "");
    j_key(w, "type", &first);
    jw_cstr(w, tn ? tn : "UNKNOWN");
    j_key(w, "encodings", &first);
    jw_putc(w, '[');
    for (e = 0; e < c->num_encodings; e++) {
        const char *en = idbpq_encoding_name(c->encodings[e]);
        if (e) jw_putc(w, ',');
        jw_cstr(w, en ? en : "UNKNOWN");
    }
    jw_putc(w, ']');
    j_key(w, "codec", &first);
    jw_cstr(w, cn ? cn : "UNKNOWN");
    j_int(w, "num_values", c->num_values, &first);
    j_int(w, "total_compressed_size", c->total_compressed_size, &first);
    j_int(w, "total_uncompressed_size", c->total_uncompressed_size, &first);
    j_int(w, "data_page_offset", c->data_page_offset, &first);
    j_opt(w, "dictionary_page_offset", c->dictionary_page_offset, &first);
    j_opt(w, "index_page_offset", c->index_page_offset, &first);
    j_opt(w, "bloom_filter_offset", c->bloom_filter_offset, &first);
    j_opt(w, "bloom_filter_length", c->bloom_filter_length, &first);
    j_opt(w, "offset_index_offset", c->offset_index_offset, &first);
    j_opt(w, "offset_index_length", c->offset_index_offset < 0 ? -1 : c->offset_index_length,
          &first);
    j_opt(w, "column_index_offset", c->column_index_offset, &first);
    j_opt(w, "column_index_length", c->column_index_offset < 0 ? -1 : c->column_index_length,
          &first);
    j_opt(w, "unencoded_byte_array_bytes", c->unencoded_byte_array_bytes, &first);
    j_key(w, "statistics", &first);
    if (c->has_statistics)
        j_stats(w, idbpq_schema_column(s, ci), &c->statistics);
    else
        jw_write(w, "null", 4);
    j_key(w, "key_value_metadata", &first);
    j_kv(w, c->num_kv, c->kv);
    j_key(w, "file_path", &first);
    if (c->file_path) jw_cstr(w, c->file_path); else jw_write(w, "null", 4);
    j_key(w, "encrypted", &first);
    jw_puts(w, c->encrypted ? "true" : "false");
    jw_putc(w, '}');
}

static void meta_json(jw *w, const idbpq_schema *s, const idbpq_file_meta *m)
{
    int first = 1;
    int32_t g, c;
    jw_putc(w, '{');
    j_int(w, "version", m->version, &first);
    j_key(w, "created_by", &first);
    if (m->created_by) jw_cstr(w, m->created_by); else jw_write(w, "null", 4);
    j_int(w, "num_rows", m->num_rows, &first);
    j_int(w, "num_row_groups", m->num_row_groups, &first);
    j_int(w, "num_columns", idbpq_schema_num_columns(s), &first);
    j_int(w, "footer_length", m->footer_length, &first);
    j_key(w, "key_value_metadata", &first);
    j_kv(w, m->num_kv, m->kv);
    j_key(w, "column_orders", &first);
    jw_putc(w, '[');
    for (c = 0; c < m->num_column_orders; c++) {
        if (c) jw_putc(w, ',');
        jw_cstr(w, order_name(m->column_orders[c]));
    }
    jw_putc(w, ']');
    j_key(w, "row_groups", &first);
    jw_putc(w, '[');
    for (g = 0; g < m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &m->row_groups[g];
        int f2 = 1;
        if (g) jw_putc(w, ',');
        jw_putc(w, '{');
        j_int(w, "num_rows", rg->num_rows, &f2);
        j_int(w, "total_byte_size", rg->total_byte_size, &f2);
        j_opt(w, "total_compressed_size", rg->total_compressed_size, &f2);
        j_opt(w, "file_offset", rg->file_offset, &f2);
        j_opt(w, "ordinal", rg->ordinal, &f2);
        j_key(w, "sorting_columns", &f2);
        jw_putc(w, '[');
        for (c = 0; c < rg->num_sorting_columns; c++) {
            const idbpq_sorting_column *sc = &rg->sorting_columns[c];
            if (c) jw_putc(w, ',');
            jw_printf(w, "{\"column\":%d,\"descending\":%s,\"nulls_first\":%s}", (int)sc->column,
                      sc->descending ? "true" : "false", sc->nulls_first ? "true" : "false");
        }
        jw_putc(w, ']');
        j_key(w, "columns", &f2);
        jw_putc(w, '[');
        for (c = 0; c < rg->num_columns; c++) {
            if (c) jw_putc(w, ',');
            j_column(w, s, c, &rg->columns[c]);
        }
        jw_write(w, "]}", 2);
    }
    jw_write(w, "]}\n", 3);
}

/* ----- text ------------------------------------------------------------------------------- */

static void t_kv(jw *w, const char *indent, int32_t n, const idbpq_kv *kv)
{
    int32_t i;
    for (i = 0; i < n; i++) {
        jw_puts(w, indent);
        jw_str(w, kv[i].key.ptr, kv[i].key.len);
        if (kv[i].has_value) {
            jw_write(w, ": ", 2);
            jw_str(w, kv[i].value.ptr, kv[i].value.len);
        }
        jw_putc(w, '\n');
    }
}

static void t_opt(jw *w, const char *name, int64_t v)
{
    jw_putc(w, ' ');
    jw_puts(w, name);
    jw_putc(w, '=');
    if (v < 0) jw_putc(w, '-'); else jw_i64(w, v);
}

static void t_column(jw *w, const idbpq_schema *s, int32_t ci, const idbpq_column_chunk_meta *c)
{
    const char *tn = idbpq_type_name(c->type), *cn = idbpq_codec_name(c->codec);
    int32_t e;
    jw_printf(w, "  column %d: %s\n", (int)ci, c->path ? c->path : "");
    jw_printf(w, "    type: %s  codec: %s  values: %lld\n", tn ? tn : "UNKNOWN",
              cn ? cn : "UNKNOWN", (long long)c->num_values);
    jw_puts(w, "    encodings:");
    for (e = 0; e < c->num_encodings; e++) {
        const char *en = idbpq_encoding_name(c->encodings[e]);
        jw_putc(w, ' ');
        jw_puts(w, en ? en : "UNKNOWN");
    }
    jw_printf(w, "\n    size: compressed=%lld uncompressed=%lld\n",
              (long long)c->total_compressed_size, (long long)c->total_uncompressed_size);
    jw_puts(w, "    offsets:");
    t_opt(w, "dictionary", c->dictionary_page_offset);
    t_opt(w, "data", c->data_page_offset);
    t_opt(w, "index", c->index_page_offset);
    jw_putc(w, '\n');
    if (c->column_index_offset >= 0 || c->offset_index_offset >= 0 ||
        c->bloom_filter_offset >= 0) {
        jw_puts(w, "    page index:");
        t_opt(w, "column_index", c->column_index_offset);
        if (c->column_index_offset >= 0) jw_printf(w, "+%d", (int)c->column_index_length);
        t_opt(w, "offset_index", c->offset_index_offset);
        if (c->offset_index_offset >= 0) jw_printf(w, "+%d", (int)c->offset_index_length);
        t_opt(w, "bloom_filter", c->bloom_filter_offset);
        if (c->bloom_filter_offset >= 0 && c->bloom_filter_length >= 0)
            jw_printf(w, "+%d", (int)c->bloom_filter_length);
        jw_putc(w, '\n');
    }
    if (c->has_statistics) {
        const idbpq_statistics *st = &c->statistics;
        const idbpq_schema_node *n = idbpq_schema_column(s, ci);
        jw_puts(w, "    statistics:");
        t_opt(w, "nulls", st->has_null_count ? st->null_count : -1);
        t_opt(w, "distinct", st->has_distinct_count ? st->distinct_count : -1);
        t_opt(w, "nans", st->has_nan_count ? st->nan_count : -1);
        jw_puts(w, " min=");
        if (st->has_min) j_stat_value(w, n, st->min, 1); else jw_putc(w, '-');
        if (st->min_exact == 0) jw_puts(w, " (inexact)");
        jw_puts(w, " max=");
        if (st->has_max) j_stat_value(w, n, st->max, 1); else jw_putc(w, '-');
        if (st->max_exact == 0) jw_puts(w, " (inexact)");
        if (st->legacy_minmax) jw_puts(w, " (legacy min/max)");
        jw_putc(w, '\n');
    }
    if (c->num_kv) {
        jw_puts(w, "    key_value_metadata:\n");
        t_kv(w, "      ", c->num_kv, c->kv);
    }
    if (c->file_path) jw_printf(w, "    file_path: %s\n", c->file_path);
    if (c->encrypted) jw_puts(w, "    encrypted: yes\n");
}

static void meta_text(jw *w, const idbpq_schema *s, const idbpq_file_meta *m)
{
    int32_t g, c;
    jw_printf(w, "version: %d\n", (int)m->version);
    jw_puts(w, "created_by: ");
    if (m->created_by) jw_puts(w, m->created_by); else jw_putc(w, '-');
    jw_printf(w, "\nnum_rows: %lld\nnum_row_groups: %d\nnum_columns: %d\nfooter_length: %u\n",
              (long long)m->num_rows, (int)m->num_row_groups,
              (int)idbpq_schema_num_columns(s), (unsigned)m->footer_length);
    if (m->num_kv) {
        jw_puts(w, "key_value_metadata:\n");
        t_kv(w, "  ", m->num_kv, m->kv);
    }
    for (g = 0; g < m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &m->row_groups[g];
        jw_printf(w, "row_group %d: rows=%lld total_byte_size=%lld", (int)g,
                  (long long)rg->num_rows, (long long)rg->total_byte_size);
        t_opt(w, "compressed", rg->total_compressed_size);
        t_opt(w, "file_offset", rg->file_offset);
        jw_putc(w, '\n');
        for (c = 0; c < rg->num_sorting_columns; c++) {
            const idbpq_sorting_column *sc = &rg->sorting_columns[c];
            jw_printf(w, "  sorted by column %d %s nulls %s\n", (int)sc->column,
                      sc->descending ? "descending" : "ascending",
                      sc->nulls_first ? "first" : "last");
        }
        for (c = 0; c < rg->num_columns; c++) t_column(w, s, c, &rg->columns[c]);
    }
}

int cmd_meta(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0, i, rc;
    cli_file f;
    static jw out;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("meta", "unknown option '%s'", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("meta", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) return cli_usage("meta", "missing FILE");
    if ((rc = cli_open(&f, path)) != CLI_OK) return rc;
    jw_init(&out, stdout);
    if (json)
        meta_json(&out, idbpq_reader_schema(f.rd), idbpq_reader_meta(f.rd));
    else
        meta_text(&out, idbpq_reader_schema(f.rd), idbpq_reader_meta(f.rd));
    cli_close(&f);
    if (jw_finish(&out) != 0) {
        cli_err("stdout", "write error");
        return CLI_FAIL;
    }
    return CLI_OK;
}
