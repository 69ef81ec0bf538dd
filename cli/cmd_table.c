/*
 * cmd_table.c — `idbpq table show|log|changes|vacuum DIR`: a Delta Lake table in a directory
 * (docs/delta.md). show prints the snapshot (protocol, schema, configuration, counts) and
 * optionally one line per live file or one tagged-JSON record per row, as `idbpq records`
 * prints them; log one JSON line per commit; changes one JSON line per change of the Change
 * Data Feed; vacuum removes files no version refers to any more.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help_text[] =
    "Usage: idbpq table show DIR [--version V] [--files] [--rows] [--key-column C]\n"
    "       idbpq table log DIR [--from V] [--to V]\n"
    "       idbpq table changes DIR --from V [--to V] [--key-column C]\n"
    "       idbpq table vacuum DIR [--retain-hours H] [--dry-run]\n"
    "\n"
    "A Delta Lake table in directory DIR (docs/delta.md).\n"
    "  show     protocol, features, schema, configuration and counts of the snapshot at\n"
    "           --version (default: the latest); --files: one line per live file;\n"
    "           --rows: one {\"key\":K,\"value\":V} line per row (tagged JSON)\n"
    "  log      one JSON line per commit from --from to --to (inclusive)\n"
    "  changes  the Change Data Feed of versions (FROM, TO]: one JSON line per change\n"
    "           {\"version\":N,\"type\":\"insert\",\"key\":K,\"value\":V}\n"
    "  vacuum   remove data files no live version refers to, older than --retain-hours\n"
    "           (default: the table's delta.deletedFileRetentionDuration)\n";

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s) return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0) return -1;
    *out = v;
    return 0;
}

static int fail(const char *dir, idbpq_status st, const idbpq_error *e)
{
    const char *msg = e->msg[0] ? e->msg : NULL;
    size_t n = strlen(dir);
    /* The library names the table ("table DIR: ..."); cli_lib_err names DIR already. */
    if (msg && !strncmp(msg, "table ", 6) && !strncmp(msg + 6, dir, n) && msg[6 + n] == ':')
        msg += 6 + n + 2;
    fflush(stdout);
    cli_lib_err(dir, st, msg);
    return CLI_FAIL;
}

static void print_kvs(const char *label, const idbpq_kv *kv, uint32_t n)
{
    printf("%s:%s", label, n ? "\n" : " (none)\n");
    for (uint32_t i = 0; i < n; i++)
        printf("  %.*s = %s%.*s\n", (int)kv[i].key.len, (const char *)kv[i].key.ptr,
               kv[i].has_value ? "" : "null", kv[i].has_value ? (int)kv[i].value.len : 0,
               kv[i].has_value ? (const char *)kv[i].value.ptr : "");
}

static void print_list(const char *label, const char *const *v, uint32_t n)
{
    printf("%s:", label);
    for (uint32_t i = 0; i < n; i++) printf(" %s", v[i]);
    printf("%s\n", n ? "" : " (none)");
}

/* {"key":K,"value":V} with K and V each numbered alone for $ref, as `idbpq records`. */
static idbpq_status print_record(idbpq_buffer *line, const char *prefix, const idbpq_value *key,
                                 const idbpq_value *value)
{
    fputs(prefix, stdout);
    fputs("\"key\":", stdout);
    line->len = 0;
    idbpq_status st = idbpq_tjson_write(key, line);
    if (st != IDBPQ_OK) return st;
    fwrite(line->data, 1, line->len, stdout);
    fputs(",\"value\":", stdout);
    line->len = 0;
    st = idbpq_tjson_write(value, line);
    if (st != IDBPQ_OK) return st;
    fwrite(line->data, 1, line->len, stdout);
    fputs("}\n", stdout);
    return IDBPQ_OK;
}

static int show(const char *dir, idbpq_table_io *io, int64_t version, int files, int rows,
                const idbpq_record_reader_opts *o)
{
    idbpq_error e;
    idbpq_table *t = NULL;
    memset(&e, 0, sizeof e);
    idbpq_status st = idbpq_table_open(&t, io, version, NULL, &e);
    if (st != IDBPQ_OK) return fail(dir, st, &e);
    const idbpq_table_meta *m = idbpq_table_get_meta(t);
    int rc = CLI_OK;
    if (!rows) {
        printf("version: %" PRId64 "\n", m->version);
        if (m->checkpoint_version >= 0) printf("checkpoint: %" PRId64 "\n", m->checkpoint_version);
        printf("protocol: reader %d, writer %d\n", (int)m->min_reader_version,
               (int)m->min_writer_version);
        print_list("reader features", m->reader_features, m->n_reader_features);
        print_list("writer features", m->writer_features, m->n_writer_features);
        printf("id: %s\n", m->id ? m->id : "(none)");
        if (m->name) printf("name: %s\n", m->name);
        if (m->description) printf("description: %s\n", m->description);
        printf("schema: %s\n", m->schema_string ? m->schema_string : "(none)");
        print_list("partition columns", m->partition_columns, m->n_partition_columns);
        print_kvs("configuration", m->configuration, m->n_configuration);
        printf("change data feed: %s\n", m->change_data_feed ? "on" : "off");
        printf("column mapping: %s\n", m->column_mapping);
        if (m->store) printf("store: %s\n", m->store->name ? m->store->name : "(unnamed)");
        printf("files: %" PRIu64 "\nbytes: %" PRIu64 "\n", m->n_files, m->bytes);
        if (m->records >= 0) printf("records: %" PRId64 "\n", m->records);
        else printf("records: unknown\n");
    }
    if (files && !rows) {
        for (uint64_t i = 0; i < idbpq_table_file_count(t); i++) {
            const idbpq_table_add *a = idbpq_table_file_at(t, i);
            printf("file: %s size=%" PRIu64 " records=%" PRId64, a->path, a->size,
                   a->num_records);
            if (a->dv) printf(" deleted=%" PRId64, a->dv->cardinality);
            for (uint32_t k = 0; k < a->n_partition_values; k++)
                printf(" %.*s=%s%.*s", (int)a->partition_values[k].key.len,
                       (const char *)a->partition_values[k].key.ptr,
                       a->partition_values[k].has_value ? "" : "null",
                       (int)a->partition_values[k].value.len,
                       a->partition_values[k].has_value
                           ? (const char *)a->partition_values[k].value.ptr : "");
            printf("\n");
        }
    }
    if (rows) {
        idbpq_table_scan *s = NULL;
        idbpq_vbatch *b = NULL;
        idbpq_buffer line;
        idbpq_buffer_init(&line, NULL);
        st = idbpq_table_scan_open(&s, t, o, &e);
        if (st == IDBPQ_OK) st = idbpq_vbatch_create(&b, NULL);
        while (st == IDBPQ_OK) {
            idbpq_value *key, *value;
            idbpq_vbatch_reset(b);
            st = idbpq_table_scan_next(s, b, &key, &value, &e);
            if (st == IDBPQ_OK) st = print_record(&line, "{", key, value);
        }
        if (st != IDBPQ_END) rc = fail(dir, st, &e);
        idbpq_buffer_free(&line);
        idbpq_vbatch_free(b);
        idbpq_table_scan_free(s);
    }
    idbpq_table_free(t);
    return rc;
}

static idbpq_status log_line(void *ctx, const idbpq_table_commit *c)
{
    (void)ctx;
    printf("{\"version\":%" PRId64 ",\"timestamp\":%" PRId64 ",\"operation\":", c->version,
           c->timestamp);
    if (c->operation) printf("\"%s\"", c->operation);
    else printf("null");
    printf(",\"adds\":%" PRIu64 ",\"removes\":%" PRIu64 ",\"cdcs\":%" PRIu64
           ",\"protocol\":%s,\"metadata\":%s,\"txns\":{",
           c->adds, c->removes, c->cdcs, c->protocol ? "true" : "false",
           c->metadata ? "true" : "false");
    for (uint32_t i = 0; i < c->n_txns; i++)
        printf("%s\"%s\":%" PRId64, i ? "," : "", c->txn_apps[i], c->txn_versions[i]);
    printf("},\"commitInfo\":%s}\n", c->commit_info ? c->commit_info : "null");
    return ferror(stdout) ? IDBPQ_IO : IDBPQ_OK;
}

static int changes(const char *dir, idbpq_table_io *io, int64_t from, int64_t to,
                   const idbpq_record_reader_opts *o)
{
    idbpq_error e;
    idbpq_table_changes *c = NULL;
    idbpq_vbatch *b = NULL;
    idbpq_buffer line;
    memset(&e, 0, sizeof e);
    idbpq_buffer_init(&line, NULL);
    idbpq_status st = idbpq_table_changes_open(&c, io, from, to, o, NULL, &e);
    if (st == IDBPQ_OK) st = idbpq_vbatch_create(&b, NULL);
    while (st == IDBPQ_OK) {
        idbpq_value *key, *value;
        idbpq_change_type type;
        int64_t version;
        idbpq_vbatch_reset(b);
        st = idbpq_table_changes_next(c, b, &type, &version, &key, &value, &e);
        if (st != IDBPQ_OK) break;
        char prefix[96];
        snprintf(prefix, sizeof prefix, "{\"version\":%" PRId64 ",\"type\":\"%s\",", version,
                 idbpq_change_type_name(type));
        st = print_record(&line, prefix, key, value);
    }
    int rc = st == IDBPQ_END ? CLI_OK : fail(dir, st, &e);
    idbpq_buffer_free(&line);
    idbpq_vbatch_free(b);
    idbpq_table_changes_free(c);
    return rc;
}

int cmd_table(int argc, char **argv)
{
    const char *sub = NULL, *dir = NULL, *val;
    int64_t version = -1, from = -1, to = -1, retain_hours = -1;
    int files = 0, rows = 0, dry_run = 0, r;
    idbpq_record_reader_opts o;
    idbpq_record_reader_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help_text, stdout);
            return CLI_OK;
        } else if ((r = cli_opt_value(argc, argv, &i, "--version", &val)) != 0) {
            if (r < 0 || parse_i64(val, &version))
                return cli_usage("table", "--version needs a version number");
        } else if ((r = cli_opt_value(argc, argv, &i, "--from", &val)) != 0) {
            if (r < 0 || parse_i64(val, &from))
                return cli_usage("table", "--from needs a version number");
        } else if ((r = cli_opt_value(argc, argv, &i, "--to", &val)) != 0) {
            if (r < 0 || parse_i64(val, &to))
                return cli_usage("table", "--to needs a version number");
        } else if ((r = cli_opt_value(argc, argv, &i, "--retain-hours", &val)) != 0) {
            if (r < 0 || parse_i64(val, &retain_hours))
                return cli_usage("table", "--retain-hours needs a number of hours");
        } else if ((r = cli_opt_value(argc, argv, &i, "--key-column", &val)) != 0) {
            if (r < 0 || !*val) return cli_usage("table", "--key-column needs a column name");
            o.key_column = val;
        } else if (!strcmp(argv[i], "--files")) {
            files = 1;
        } else if (!strcmp(argv[i], "--rows")) {
            rows = 1;
        } else if (!strcmp(argv[i], "--dry-run")) {
            dry_run = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("table", "unknown option '%s'", argv[i]);
        } else if (!sub) {
            sub = argv[i];
        } else if (!dir) {
            dir = argv[i];
        } else {
            return cli_usage("table", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!sub) return cli_usage("table", "missing a subcommand (show, log, changes, vacuum)");
    if (strcmp(sub, "show") && strcmp(sub, "log") && strcmp(sub, "changes") &&
        strcmp(sub, "vacuum"))
        return cli_usage("table", "unknown subcommand '%s'", sub);
    if (!dir) return cli_usage("table", "missing DIR");
    if (!strcmp(sub, "changes") && from < 0) return cli_usage("table", "changes needs --from");
    idbpq_table_io io;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = idbpq_table_io_dir(&io, dir, 0, &e);
    if (st != IDBPQ_OK) return fail(dir, st, &e);
    int rc = CLI_OK;
    if (!strcmp(sub, "show")) {
        rc = show(dir, &io, version, files, rows, &o);
    } else if (!strcmp(sub, "log")) {
        st = idbpq_table_log(&io, from < 0 ? 0 : from, to, log_line, NULL, NULL, &e);
        if (st != IDBPQ_OK) rc = fail(dir, st, &e);
    } else if (!strcmp(sub, "changes")) {
        rc = changes(dir, &io, from, to, &o);
    } else {
        idbpq_vacuum_result res;
        memset(&res, 0, sizeof res);
        st = idbpq_table_vacuum(&io, retain_hours < 0 ? -1 : retain_hours * 3600000, dry_run,
                                &res, NULL, &e);
        if (st != IDBPQ_OK) rc = fail(dir, st, &e);
        else printf("%s %" PRIu64 " files, %" PRIu64 " bytes\n",
                    dry_run ? "would remove" : "removed", res.files, res.bytes);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE) cli_err("stdout", "write error");
        rc = CLI_FAIL;
    }
    idbpq_table_io_dir_free(&io);
    return rc;
}
