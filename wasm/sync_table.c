/*
 * sync_table.c — idbpq_sync.wasm's exports for inspectTable (web/sync.js): a table snapshot's
 * metadata and live files as JSON, and its rows framed as api.c frames records. The table is
 * reached through the same JSPI imports as a sync. Not a translation unit of its own:
 * sync_api.c includes it (the Makefile keeps wasm/sync_*.c out of idbpq.wasm).
 */

/* ---- a table snapshot: metadata, files, rows ------------------------------------------------ */

static idbpq_table *snap;
static idbpq_table_scan *scan;
static idbpq_vbatch *rows_b;

/* Opens the snapshot at version (-1: the latest). 0, 1 when there is no table, or -1. */
EXPORT(ipq_table_open) int ipq_table_open(double version)
{
    if (set_up(NULL, 0) < 0) return -1;
    idbpq_error err = {0};
    idbpq_status st = idbpq_table_open(&snap, &js_table, (int64_t)version, NULL, &err);
    if (st == IDBPQ_END) return 1;
    if (st != IDBPQ_OK) {
        set_err("%s", err.msg[0] ? err.msg : idbpq_status_str(st));
        return -1;
    }
    return 0;
}

static void put_strs(struct idbpq__buf *o, const char *key, const char *const *v, uint32_t n)
{
    idbpq__jw_key(o, key, 0);
    idbpq__jw_raw(o, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i) idbpq__jw_raw(o, ",");
        idbpq__jw_str(o, v[i], strlen(v[i]));
    }
    idbpq__jw_raw(o, "]");
}

static void put_opt_str(struct idbpq__buf *o, const char *key, const char *v)
{
    idbpq__jw_key(o, key, 0);
    if (v) idbpq__jw_str(o, v, strlen(v));
    else idbpq__jw_raw(o, "null");
}

static void put_kvs(struct idbpq__buf *o, const char *key, const idbpq_kv *kv, uint32_t n)
{
    idbpq__jw_key(o, key, 0);
    idbpq__jw_raw(o, "{");
    for (uint32_t i = 0; i < n; i++) {
        idbpq__jw_str(o, (const char *)kv[i].key.ptr, kv[i].key.len);
        idbpq__jw_raw(o, ":");
        if (kv[i].has_value) idbpq__jw_str(o, (const char *)kv[i].value.ptr, kv[i].value.len);
        else idbpq__jw_raw(o, "null");
        if (i + 1 < n) idbpq__jw_raw(o, ",");
    }
    idbpq__jw_raw(o, "}");
}

/* The snapshot as JSON: its metadata and every live file. Returns the length (ipq_out). */
EXPORT(ipq_table_info) int ipq_table_info(void)
{
    const idbpq_table_meta *m = idbpq_table_get_meta(snap);
    struct idbpq__buf *o = &g.out;
    o->len = 0;
    idbpq__jw_raw(o, "{");
    put_num(o, "version", (double)m->version, 1);
    put_num(o, "checkpointVersion", (double)m->checkpoint_version, 0);
    put_num(o, "minReaderVersion", m->min_reader_version, 0);
    put_num(o, "minWriterVersion", m->min_writer_version, 0);
    put_strs(o, "readerFeatures", m->reader_features, m->n_reader_features);
    put_strs(o, "writerFeatures", m->writer_features, m->n_writer_features);
    put_opt_str(o, "id", m->id);
    put_opt_str(o, "name", m->name);
    put_opt_str(o, "description", m->description);
    put_opt_str(o, "schemaString", m->schema_string);
    put_strs(o, "partitionColumns", m->partition_columns, m->n_partition_columns);
    put_kvs(o, "configuration", m->configuration, m->n_configuration);
    put_num(o, "createdTime", (double)m->created_time, 0);
    idbpq__jw_key(o, "changeDataFeed", 0);
    idbpq__jw_raw(o, m->change_data_feed ? "true" : "false");
    put_opt_str(o, "columnMapping", m->column_mapping);
    put_num(o, "numFiles", (double)m->n_files, 0);
    put_num(o, "bytes", (double)m->bytes, 0);
    put_num(o, "records", (double)m->records, 0);
    idbpq__jw_key(o, "store", 0);
    idbpq_buffer sj;
    idbpq_buffer_init(&sj, NULL);
    if (m->store && idbpq__store_json_write(m->store, &sj) == IDBPQ_OK)
        idbpq__buf_append(o, sj.data, sj.len);
    else
        idbpq__jw_raw(o, "null");
    idbpq_buffer_free(&sj);
    idbpq__jw_key(o, "files", 0);
    idbpq__jw_raw(o, "[");
    for (uint64_t i = 0; i < idbpq_table_file_count(snap); i++) {
        const idbpq_table_add *a = idbpq_table_file_at(snap, i);
        idbpq__jw_raw(o, i ? ",{" : "{");
        idbpq__jw_key(o, "path", 1);
        idbpq__jw_str(o, a->file, strlen(a->file));
        put_num(o, "size", (double)a->size, 0);
        put_num(o, "modificationTime", (double)a->modification_time, 0);
        put_num(o, "numRecords", (double)a->num_records, 0);
        put_kvs(o, "tags", a->tags, a->n_tags);
        idbpq__jw_key(o, "deletionVector", 0);
        idbpq__jw_raw(o, a->dv ? "true" : "false");
        put_opt_str(o, "stats", a->stats);
        idbpq__jw_raw(o, "}");
    }
    idbpq__jw_raw(o, "]}");
    return (int)o->len;
}

/* Up to max records of the snapshot's rows, framed with their keys into ipq_out. Returns how
 * many (0 after the last), or -1. */
EXPORT(ipq_table_rows) int ipq_table_rows(uint32_t max, const char *key_column)
{
    idbpq_error err = {0};
    idbpq_status st = IDBPQ_OK;
    if (!scan) {
        idbpq_record_reader_opts ro;
        idbpq_record_reader_opts_init(&ro);
        ro.key_column = key_column && key_column[0] ? key_column : NULL;
        st = idbpq_vbatch_create(&rows_b, NULL);
        if (st == IDBPQ_OK) st = idbpq_table_scan_open(&scan, snap, &ro, &err);
    }
    g.out.len = 0;
    uint32_t n = 0;
    while (st == IDBPQ_OK && n < max) {
        idbpq_value *key = NULL, *value = NULL;
        idbpq_vbatch_reset(rows_b);
        st = idbpq_table_scan_next(scan, rows_b, &key, &value, &err);
        if (st == IDBPQ_OK) st = write_record(&g.out, rows_b, &blob_scratch, key, value, &err);
        if (st == IDBPQ_OK) n++;
    }
    if (st != IDBPQ_OK && st != IDBPQ_END) {
        set_err("%s", err.msg[0] ? err.msg : idbpq_status_str(st));
        return -1;
    }
    return (int)n;
}
