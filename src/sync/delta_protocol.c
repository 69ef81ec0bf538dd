/*
 * delta_protocol.c — whether idbpq may read or write a table, from its protocol action and
 * metadata (PROTOCOL.md "Table Features", "Protocol Evolution"; docs/delta.md lists every
 * feature and what idbpq does with it). Reading: reader versions 1–3, every reader feature
 * must be one we implement, since a reader feature changes how the files must be read.
 * Writing: an allowlist, with the legacy versions expanded into the features they imply, and
 * features we only "support" by refusing tables that actually use them.
 */
#include "sync/delta.h"

static int has(const char *const *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i] && strcmp(v[i], name) == 0) return 1;
    return 0;
}

/* Reader features that change nothing for a reader that ignores them, or that idbpq
 * implements: column mapping (delta_scan.c), deletion vectors (delta_dv.c), timestamp_ntz
 * (read as a wall-clock Date), VARIANT unshredded (the record reader), vacuumProtocolCheck
 * (only asks vacuum to check the protocol). Writer-only names are tolerated in the reader
 * list: they say nothing about how files are read. */
static const char *const READ_OK[] = {
    "columnMapping", "deletionVectors", "timestampNtz", "timestampWithoutTimezone",
    "variantType", "variantType-preview", "vacuumProtocolCheck", "domainMetadata",
    "appendOnly", "invariants", "checkConstraints", "changeDataFeed", "generatedColumns",
    "identityColumns", "inCommitTimestamp", "allowColumnDefaults", "rowTracking",
    "clustering", "icebergCompatV1", "icebergCompatV2", "icebergCompatV3",
    "checkpointProtection",
};

/* Reader features refused by design, with the reason for the message. */
static const char *refusal(const char *f)
{
    if (!strcmp(f, "v2Checkpoint"))
        return "V2 checkpoints and sidecar files are not implemented";
    if (!strcmp(f, "catalogManaged") || !strcmp(f, "catalogOwned-preview"))
        return "the table is managed by a catalog; its commits cannot be read from storage";
    if (!strcmp(f, "typeWidening") || !strcmp(f, "typeWidening-preview"))
        return "files written before a type change would need upcasting";
    if (!strcmp(f, "variantShredding") || !strcmp(f, "variantShredding-preview"))
        return "shredded VARIANT columns are not reassembled";
    return NULL;
}

idbpq_status idbpq__delta_check_read(const struct idbpq__delta_protocol *p,
                                     struct idbpq__err *err)
{
    if (!p) return idbpq__fail(err, IDBPQ_CORRUPT, "the log has no protocol action");
    /* Features first, so that a table with an unknown one is refused by its name whatever
     * its version claims (reader feature lists exist from version 3 on). */
    for (uint32_t i = 0; i < p->n_reader_features; i++) {
        const char *f = p->reader_features[i];
        const char *why = refusal(f);
        if (why)
            return idbpq__fail(err, IDBPQ_UNSUPPORTED, "reader feature %s: %s", f, why);
        if (!has(READ_OK, sizeof READ_OK / sizeof *READ_OK, f))
            return idbpq__fail(err, IDBPQ_UNSUPPORTED, "unknown reader feature %s (reader "
                               "version %d)", f, (int)p->min_reader);
    }
    if (p->min_reader > 3 || p->min_reader < 1)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "reader version %d is not supported (idbpq reads 1 to 3)",
                           (int)p->min_reader);
    return IDBPQ_OK;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* A field metadata key that makes us refuse a write, anywhere in the schema (nested structs,
 * array elements, map values): prefix match. */
static const char *schema_has(const struct idbpq__dj *t, const char *prefix, int depth)
{
    if (!t || depth > 64) return NULL;
    if (t->kind != IDBPQ__DJ_OBJ) return NULL;
    const struct idbpq__dj *fields = idbpq__dj_get(t, "fields");
    if (fields && fields->kind == IDBPQ__DJ_ARR) {
        for (uint32_t i = 0; i < fields->n; i++) {
            const struct idbpq__dj *f = &fields->items[i];
            const struct idbpq__dj *md = idbpq__dj_get(f, "metadata");
            if (md && md->kind == IDBPQ__DJ_OBJ)
                for (uint32_t k = 0; k < md->n; k++)
                    if (strncmp(md->keys[k], prefix, strlen(prefix)) == 0) {
                        const char *nm = idbpq__dj_str(f, "name");
                        return nm ? nm : "?";
                    }
            const char *r = schema_has(idbpq__dj_get(f, "type"), prefix, depth + 1);
            if (r) return r;
        }
    }
    const char *sub[] = { "elementType", "valueType", "keyType" };
    for (int i = 0; i < 3; i++) {
        const char *r = schema_has(idbpq__dj_get(t, sub[i]), prefix, depth + 1);
        if (r) return r;
    }
    return NULL;
}

static const char *const WRITE_OK[] = {
    "appendOnly", "invariants", "checkConstraints", "changeDataFeed", "generatedColumns",
    "columnMapping", "identityColumns", "deletionVectors", "timestampNtz",
    "timestampWithoutTimezone", "domainMetadata", "vacuumProtocolCheck", "variantType",
    "variantType-preview", "allowColumnDefaults", "inCommitTimestamp",
};

idbpq_status idbpq__delta_check_write(const struct idbpq__delta_protocol *p,
                                      const struct idbpq__delta_metadata *m,
                                      struct idbpq__err *err)
{
    IDBPQ__TRY(idbpq__delta_check_read(p, err));
    if (p->min_writer > 7 || p->min_writer < 1)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "writer version %d is not supported (idbpq writes 1 to 7)",
                           (int)p->min_writer);
    const char *const *wf = p->writer_features;
    uint32_t nw = p->min_writer == 7 ? p->n_writer_features : 0;
    for (uint32_t i = 0; i < nw; i++) {
        if (refusal(wf[i]))
            return idbpq__fail(err, IDBPQ_UNSUPPORTED, "writer feature %s: %s", wf[i],
                               refusal(wf[i]));
        if (!has(WRITE_OK, sizeof WRITE_OK / sizeof *WRITE_OK, wf[i]))
            return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                               "writer feature %s is not one idbpq can honour", wf[i]);
    }
    /* Legacy writer versions imply their features cumulatively (notes §2.1). */
    int w = p->min_writer, v7 = w == 7;
#define SUPPORTED(name, legacy) ((v7 && has(wf, nw, name)) || (!v7 && w >= (legacy)))
    const struct idbpq__dj *schema = m ? m->schema : NULL;
    const char *col;
    if (SUPPORTED("invariants", 2) && (col = schema_has(schema, "delta.invariants", 0)))
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "column %s has delta.invariants (a SQL check idbpq cannot evaluate)",
                           col);
    if (SUPPORTED("checkConstraints", 3) && m)
        for (uint32_t i = 0; i < m->n_configuration; i++)
            if (m->configuration[i].key.len > 17 &&
                memcmp(m->configuration[i].key.ptr, "delta.constraints.", 18) == 0)
                return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                                   "table property %.*s is a CHECK constraint idbpq cannot "
                                   "evaluate", (int)m->configuration[i].key.len,
                                   (const char *)m->configuration[i].key.ptr);
    if (SUPPORTED("generatedColumns", 4) &&
        (col = schema_has(schema, "delta.generationExpression", 0)))
        return idbpq__fail(err, IDBPQ_UNSUPPORTED, "column %s is a generated column", col);
    if (SUPPORTED("identityColumns", 6) && (col = schema_has(schema, "delta.identity.", 0)))
        return idbpq__fail(err, IDBPQ_UNSUPPORTED, "column %s is an identity column", col);
    if (SUPPORTED("allowColumnDefaults", 8) && (col = schema_has(schema, "CURRENT_DEFAULT", 0)))
        return idbpq__fail(err, IDBPQ_UNSUPPORTED, "column %s has a default value", col);
#undef SUPPORTED
    /* Deletion vectors: we never create them, but another writer of a table that enables
     * them may add some at any time, and rewriting a file must then honour its vector. */
    const char *dv = m ? idbpq__kv_find(m->configuration, m->n_configuration,
                                "delta.enableDeletionVectors") : NULL;
    if (v7 && has(wf, nw, "deletionVectors") && dv && strcmp(dv, "true") == 0)
        return idbpq__fail(err, IDBPQ_UNSUPPORTED,
                           "deletion vectors are in use (delta.enableDeletionVectors=true)");
    return IDBPQ_OK;
}
