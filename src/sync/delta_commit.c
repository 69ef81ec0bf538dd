/*
 * delta_commit.c — a commit's text and its landing: commitInfo, the protocol and metaData a
 * new table or a changed schema needs, then put-if-absent of _delta_log/<v>.json with the
 * conflict check and retry of notes §5.2 (see delta_txn.c's header).
 *
 * Protocol (notes §0, §2, §5.8, §5.9): the oldest that carries what is used — (1,4) with
 * Change Data Feed; (2,5) when column mapping is needed; (3,7) when a VARIANT is, listing
 * exactly the features used (variantType in both lists, changeDataFeed, columnMapping).
 * An existing table is never downgraded: its features (the legacy versions' implied ones
 * spelled out when going to (3,7)) are kept, and the protocol is only written when it
 * changes. The metaData keeps the table's id, name, description, creation time and other
 * configuration, and carries idbpq.store (the store's description) and idbpq.typemap (the
 * first data file's type map document) so a table is a store again for idbpq.
 */
#include "sync/delta_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mapping/mapping.h"
#include "sync/delta_read.h"

/* ---- protocol ------------------------------------------------------------------------------- */

#define MAX_FEATURES 40

struct proto {
    int32_t r, w;
    const char *rf[MAX_FEATURES], *wf[MAX_FEATURES];
    uint32_t nrf, nwf;
};

static void feat(const char **v, uint32_t *n, const char *f)
{
    for (uint32_t i = 0; i < *n; i++)
        if (!strcmp(v[i], f)) return;
    if (*n < MAX_FEATURES) v[(*n)++] = f;
}

/* The protocol x's commit needs given the table's p (NULL: new); *changed when it differs. */
static void need_protocol(const struct idbpq__dtx *x, const struct idbpq__delta_protocol *p,
                          struct proto *o, int *changed)
{
    memset(o, 0, sizeof *o);
    int32_t r0 = p ? p->min_reader : 0, w0 = p ? p->min_writer : 0;
    int features = x->needs_variant || (p && (r0 == 3 || w0 == 7));
    if (!features) {
        o->r = x->needs_cm ? 2 : 1;
        o->w = x->needs_cm ? 5 : 4;
        if (o->r < r0) o->r = r0;
        if (o->w < w0) o->w = w0;
        *changed = !p || o->r != r0 || o->w != w0;
        return;
    }
    o->r = r0 == 3 || x->needs_variant ? 3 : (x->needs_cm && r0 < 2 ? 2 : (r0 ? r0 : 1));
    o->w = 7;
    if (p && r0 == 3)
        for (uint32_t i = 0; i < p->n_reader_features; i++) feat(o->rf, &o->nrf, p->reader_features[i]);
    if (p && w0 == 7)
        for (uint32_t i = 0; i < p->n_writer_features; i++) feat(o->wf, &o->nwf, p->writer_features[i]);
    if (p && w0 < 7) { /* legacy writer versions imply features cumulatively (notes §2.1) */
        static const char *const implied[] = {"appendOnly", "invariants", "checkConstraints",
                                              "changeDataFeed", "generatedColumns",
                                              "columnMapping", "identityColumns"};
        static const int8_t since[] = {2, 2, 3, 4, 4, 5, 6};
        for (int i = 0; i < 7; i++)
            if (w0 >= since[i]) feat(o->wf, &o->nwf, implied[i]);
    }
    if (p && r0 == 2 && o->r == 3) feat(o->rf, &o->nrf, "columnMapping");
    feat(o->wf, &o->nwf, "changeDataFeed");
    if (x->needs_variant) {
        feat(o->rf, &o->nrf, "variantType");
        feat(o->wf, &o->nwf, "variantType");
    }
    if (x->needs_cm) {
        if (o->r == 3) feat(o->rf, &o->nrf, "columnMapping");
        feat(o->wf, &o->nwf, "columnMapping");
    }
    *changed = !p || o->r != r0 || o->w != w0 ||
               (o->r == 3 && o->nrf != p->n_reader_features) || o->nwf != p->n_writer_features;
}

static idbpq_status str_list(struct idbpq__buf *b, const char *const *v, uint32_t n)
{
    IDBPQ__TRY(idbpq__jw_raw(b, "["));
    for (uint32_t i = 0; i < n; i++) {
        if (i) IDBPQ__TRY(idbpq__jw_raw(b, ","));
        IDBPQ__TRY(idbpq__jw_str(b, v[i], strlen(v[i])));
    }
    return idbpq__jw_raw(b, "]");
}

static idbpq_status protocol_line(struct idbpq__buf *b, const struct proto *o)
{
    IDBPQ__TRY(idbpq__jw_raw(b, "{\"protocol\":{\"minReaderVersion\":"));
    IDBPQ__TRY(idbpq__jw_int(b, o->r));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"minWriterVersion\":"));
    IDBPQ__TRY(idbpq__jw_int(b, o->w));
    if (o->r == 3) {
        IDBPQ__TRY(idbpq__jw_raw(b, ",\"readerFeatures\":"));
        IDBPQ__TRY(str_list(b, o->rf, o->nrf));
    }
    if (o->w == 7) {
        IDBPQ__TRY(idbpq__jw_raw(b, ",\"writerFeatures\":"));
        IDBPQ__TRY(str_list(b, o->wf, o->nwf));
    }
    return idbpq__jw_raw(b, "}}\n");
}

/* ---- metaData -------------------------------------------------------------------------------- */

struct conf {
    const char *k[256], *v[256];
    size_t kn[256], vn[256];
    uint32_t n;
};

/* Sets k (replacing an earlier value); 0 when the table has more properties than we hold. */
static int conf_set(struct conf *c, const char *k, size_t kn, const char *v, size_t vn)
{
    uint32_t i = 0;
    while (i < c->n && !(c->kn[i] == kn && !memcmp(c->k[i], k, kn))) i++;
    if (i == c->n) {
        if (c->n == 256) return 0;
        c->n++;
    }
    c->k[i] = k, c->kn[i] = kn, c->v[i] = v, c->vn[i] = vn;
    return 1;
}

/* The largest delta.columnMapping.id in a schema JSON DOM. */
static int64_t max_column_id(const struct idbpq__dj *v)
{
    int64_t m = 0, id;
    if (!v) return 0;
    if (v->kind == IDBPQ__DJ_OBJ) {
        if (idbpq__dj_int(v, "delta.columnMapping.id", &id) && id > m) m = id;
        for (uint32_t i = 0; i < v->n; i++) {
            int64_t c = max_column_id(&v->vals[i]);
            if (c > m) m = c;
        }
    } else if (v->kind == IDBPQ__DJ_ARR) {
        for (uint32_t i = 0; i < v->n; i++) {
            int64_t c = max_column_id(&v->items[i]);
            if (c > m) m = c;
        }
    }
    return m;
}

static idbpq_status metadata_line(struct idbpq__dtx *x, struct idbpq__buf *b,
                                  struct idbpq__err *err)
{
    const struct idbpq__delta_metadata *m = x->t ? idbpq__table_metadata(x->t) : NULL;
    struct conf *c = idbpq__arena_alloc(&x->a, sizeof *c);
    if (!c) return IDBPQ_NOMEM;
    c->n = 0;
    int ok = 1;
    const char *mode = NULL;
    for (uint32_t i = 0; m && i < m->n_configuration; i++) {
        const idbpq_kv *kv = &m->configuration[i];
        if (!kv->has_value) continue;
        ok &= conf_set(c, (const char *)kv->key.ptr, kv->key.len, (const char *)kv->value.ptr,
                 kv->value.len);
        if (kv->key.len == 24 && !memcmp(kv->key.ptr, "delta.columnMapping.mode", 24))
            mode = (const char *)kv->value.ptr;
    }
    if (mode && strcmp(mode, "none") && !x->needs_cm)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "the table uses column mapping (%s mode) but the new schema carries "
                           "no physical names", mode);
    if (mode && !strcmp(mode, "id") && x->needs_cm)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "the table uses column mapping by id: idbpq writes name mode only");
    ok &= conf_set(c, "delta.enableChangeDataFeed", 26, "true", 4);
    if (x->store_json) ok &= conf_set(c, "idbpq.store", 11, x->store_json, strlen(x->store_json));
    if (x->typemap) ok &= conf_set(c, "idbpq.typemap", 13, x->typemap, strlen(x->typemap));
    char idbuf[24];
    if (x->needs_cm) {
        struct idbpq__dj *dom;
        IDBPQ__TRY(idbpq__dj_parse(&x->a, x->schema_string, strlen(x->schema_string), &dom, err));
        int64_t id = max_column_id(dom);
        const char *old = m ? idbpq__kv_find(m->configuration, m->n_configuration,
                                             "delta.columnMapping.maxColumnId") : NULL;
        if (old && atoll(old) > id) id = atoll(old);
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        ok &= conf_set(c, "delta.columnMapping.mode", 24, "name", 4);
        ok &= conf_set(c, "delta.columnMapping.maxColumnId", 31, idbuf, strlen(idbuf));
    }
    for (uint32_t i = 0; i < x->n_config; i++)
        if (x->config[i].has_value)
            ok &= conf_set(c, (const char *)x->config[i].key.ptr, x->config[i].key.len,
                     (const char *)x->config[i].value.ptr, x->config[i].value.len);
    if (!ok)
        return idbpq__fail(err, IDBPQ_LIMIT, "the table has more than 256 properties: idbpq "
                                             "would drop some rewriting its metaData");
    char uuid[37];
    const char *id = m && m->id ? m->id : uuid;
    if (id == uuid) IDBPQ__TRY(idbpq__uuid4(uuid));
    IDBPQ__TRY(idbpq__jw_raw(b, "{\"metaData\":{\"id\":"));
    IDBPQ__TRY(idbpq__jw_str(b, id, strlen(id)));
    if (m && m->name) {
        IDBPQ__TRY(idbpq__jw_key(b, "name", 0));
        IDBPQ__TRY(idbpq__jw_str(b, m->name, strlen(m->name)));
    }
    if (m && m->description) {
        IDBPQ__TRY(idbpq__jw_key(b, "description", 0));
        IDBPQ__TRY(idbpq__jw_str(b, m->description, strlen(m->description)));
    }
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"format\":{\"provider\":\"parquet\",\"options\":{}}"));
    IDBPQ__TRY(idbpq__jw_key(b, "schemaString", 0));
    IDBPQ__TRY(idbpq__jw_str(b, x->schema_string, strlen(x->schema_string)));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"partitionColumns\":[],\"configuration\":{"));
    for (uint32_t i = 0; i < c->n; i++) {
        if (i) IDBPQ__TRY(idbpq__jw_raw(b, ","));
        IDBPQ__TRY(idbpq__jw_str(b, c->k[i], c->kn[i]));
        IDBPQ__TRY(idbpq__jw_raw(b, ":"));
        IDBPQ__TRY(idbpq__jw_str(b, c->v[i], c->vn[i]));
    }
    IDBPQ__TRY(idbpq__jw_raw(b, "},\"createdTime\":"));
    IDBPQ__TRY(idbpq__jw_int(b, m && m->created_time >= 0 ? m->created_time : x->timestamp));
    return idbpq__jw_raw(b, "}}\n");
}

/* ---- commitInfo ---------------------------------------------------------------------------- */

static idbpq_status commit_info(struct idbpq__dtx *x, struct idbpq__buf *b)
{
    const char *op = x->operation ? x->operation : x->read_version < 0 ? "CREATE TABLE" : "WRITE";
    /* A blind append adds files and removes nothing (notes §3.6, §5.3). */
    int blind = x->n_removes == 0 && x->n_cdcs == 0;
    IDBPQ__TRY(idbpq__jw_raw(b, "{\"commitInfo\":{\"timestamp\":"));
    IDBPQ__TRY(idbpq__jw_int(b, x->timestamp));
    IDBPQ__TRY(idbpq__jw_key(b, "operation", 0));
    IDBPQ__TRY(idbpq__jw_str(b, op, strlen(op)));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"operationParameters\":{"));
    if (!strcmp(op, "WRITE") || !strcmp(op, "CREATE TABLE"))
        IDBPQ__TRY(idbpq__jw_raw(b, x->read_version < 0 ? "\"mode\":\"ErrorIfExists\","
                                                        : "\"mode\":\"Append\","));
    IDBPQ__TRY(idbpq__jw_raw(b, "\"partitionBy\":\"[]\"}"));
    if (x->read_version >= 0) {
        IDBPQ__TRY(idbpq__jw_raw(b, ",\"readVersion\":"));
        IDBPQ__TRY(idbpq__jw_int(b, x->read_version));
    }
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"isolationLevel\":\"Serializable\",\"isBlindAppend\":"));
    IDBPQ__TRY(idbpq__jw_raw(b, blind ? "true" : "false"));
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"operationMetrics\":"));
    if (x->metrics) {
        IDBPQ__TRY(idbpq__jw_raw(b, x->metrics));
    } else { /* Spark's names, string values; never the MERGE row counts we do not know */
        char t[200];
        snprintf(t, sizeof t, "{\"numFiles\":\"%llu\",\"numOutputRows\":\"%llu\",\"numOutputBytes\":"
                 "\"%llu\",\"numRemovedFiles\":\"%llu\",\"numAddedChangeFiles\":\"%llu\"}",
                 (unsigned long long)x->n_adds, (unsigned long long)x->add_rows,
                 (unsigned long long)x->add_bytes, (unsigned long long)x->n_removes,
                 (unsigned long long)x->n_cdcs);
        IDBPQ__TRY(idbpq__jw_raw(b, t));
    }
    IDBPQ__TRY(idbpq__jw_raw(b, ",\"engineInfo\":\"idbpq/" IDBPQ_VERSION_STRING "\",\"txnId\":"));
    IDBPQ__TRY(idbpq__jw_str(b, x->txn_id, strlen(x->txn_id)));
    return idbpq__jw_raw(b, "}}\n");
}

idbpq_status idbpq__dtx_text(struct idbpq__dtx *x, struct idbpq__buf *b, struct idbpq__err *err)
{
    if (!x->timestamp) {
        x->timestamp = idbpq__now_ms();
        IDBPQ__TRY(idbpq__uuid4(x->txn_id));
    }
    IDBPQ__TRY(commit_info(x, b));
    if (x->set_meta) {
        struct proto o;
        int changed;
        need_protocol(x, x->t ? idbpq__table_protocol(x->t) : NULL, &o, &changed);
        if (changed) IDBPQ__TRY(protocol_line(b, &o));
        IDBPQ__TRY(metadata_line(x, b, err));
    }
    IDBPQ__TRY(idbpq__buf_append(b, x->txn.p, x->txn.len));
    IDBPQ__TRY(idbpq__buf_append(b, x->removes.p, x->removes.len));
    IDBPQ__TRY(idbpq__buf_append(b, x->adds.p, x->adds.len));
    return idbpq__buf_append(b, x->cdcs.p, x->cdcs.len);
}

/* ---- landing it ------------------------------------------------------------------------------- */

/* Whether winning commit c conflicts with x (notes §5.2); why in err. */
static idbpq_status check_winner(struct idbpq__dtx *x, const struct idbpq__delta_commit *c,
                                 struct idbpq__arena *a, struct idbpq__err *err)
{
    long long v = (long long)c->version;
    if (c->protocol)
        return idbpq__fail(err, IDBPQ_CONFLICT, "version %lld changed the protocol", v);
    if (c->metadata)
        return idbpq__fail(err, IDBPQ_CONFLICT, "version %lld changed the table's metadata", v);
    for (uint32_t i = 0; x->app_id && i < c->n_txns; i++)
        if (!strcmp(c->txns[i].app_id, x->app_id))
            return idbpq__fail(err, IDBPQ_CONFLICT, "version %lld wrote a txn for %s too", v,
                               x->app_id);
    for (uint32_t i = 0; i < c->n_removes; i++)
        for (uint32_t k = 0; k < x->n_removed; k++)
            if (!strcmp(c->removes[i].path, x->removed[k]))
                return idbpq__fail(err, IDBPQ_CONFLICT, "version %lld removed %s as well", v,
                                   x->removed[k]);
    for (uint32_t i = 0; i < c->n_adds; i++) {
        struct idbpq__drange r = idbpq__drange_of_tags(a, c->adds[i].tags, c->adds[i].n_tags);
        for (uint32_t k = 0; k < x->n_ranges; k++)
            if (idbpq__drange_meets(&r, &x->ranges[k]))
                return idbpq__fail(err, IDBPQ_CONFLICT,
                                   "version %lld added %s, whose keys may meet this commit's",
                                   v, c->adds[i].path);
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dtx_commit(struct idbpq__dtx *x, uint32_t max_attempts,
                               uint32_t checkpoint_interval, int64_t *version,
                               uint32_t *attempts, uint64_t *log_bytes, struct idbpq__err *err)
{
    if (x->read_version < 0 && !x->set_meta)
        return idbpq__fail(err, IDBPQ_INVALID_ARG, "creating a table needs its metaData");
    if (!max_attempts) max_attempts = 20;
    struct idbpq__buf text;
    idbpq__buf_init(&text, x->alc);
    idbpq_status st = idbpq__dtx_text(x, &text, err);
    const char *crash = getenv("IDBPQ_TEST_CRASH_BEFORE_COMMIT");
    if (st == IDBPQ_OK && crash && !strcmp(crash, "1")) _exit(86);
    int64_t v = x->read_version + 1;
    uint32_t n = 0;
    while (st == IDBPQ_OK) {
        char name[64];
        idbpq__delta_commit_name(v, name, sizeof name);
        idbpq_error e;
        memset(&e, 0, sizeof e);
        n++;
        st = x->io->put(x->io->ctx, name, text.p, text.len, 1, &e);
        if (st == IDBPQ_OK) break;
        if (st != IDBPQ_EXISTS) {
            idbpq__fail(err, st, "committing %s: %s", name, e.msg[0] ? e.msg : idbpq_status_str(st));
            break;
        }
        if (n >= max_attempts) {
            st = idbpq__fail(err, IDBPQ_CONFLICT, "version %lld was taken; gave up after %u "
                             "attempts", (long long)v, n);
            break;
        }
        struct idbpq__arena a;
        idbpq__arena_init(&a, x->alc);
        struct idbpq__delta_commit c;
        st = idbpq__delta_commit_read(x->io, v, &a, &c, err);
        if (st == IDBPQ_END)
            st = idbpq__fail(err, IDBPQ_IO, "%s exists but cannot be read", name);
        if (st == IDBPQ_OK) st = check_winner(x, &c, &a, err);
        idbpq__arena_free(&a);
        v++;
    }
    if (st == IDBPQ_OK) {
        if (version) *version = v;
        if (log_bytes) *log_bytes = text.len;
    }
    if (attempts) *attempts = n;
    idbpq__buf_free(&text);
    if (st != IDBPQ_OK || !checkpoint_interval || v == 0 || v % checkpoint_interval) return st;
    /* A checkpoint only saves readers work: its failure leaves the commit standing. */
    idbpq_table *t = NULL;
    idbpq_error e;
    if (idbpq_table_open(&t, x->io, v, x->alc, &e) == IDBPQ_OK) {
        struct idbpq__err ignored;
        memset(&ignored, 0, sizeof ignored);
        idbpq__delta_checkpoint_write(t, &ignored);
    }
    idbpq_table_free(t);
    return IDBPQ_OK;
}
