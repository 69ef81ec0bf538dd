/*
 * delta_write.h — what the writing half of the Delta layer shares between its own files
 * (delta_txn.c builds a commit's actions, delta_commit.c puts it and checks conflicts,
 * delta_ckpt_write.c, delta_vacuum.c). The contracts others build on stay in delta.h.
 */
#ifndef IDBPQ_SYNC_DELTA_WRITE_H
#define IDBPQ_SYNC_DELTA_WRITE_H

#include "sync/delta.h"

struct idbpq__dtx {
    const idbpq_allocator *alc;
    const idbpq_table_io *io;
    idbpq_table *t;                /* the snapshot read; NULL when creating */
    int64_t read_version;          /* -1 when creating */
    struct idbpq__arena a;
    /* metaData, when set */
    int set_meta;
    const char *schema_string;
    int needs_variant, needs_cm;
    idbpq_kv *config;              /* what set_metadata asked for */
    uint32_t n_config;
    const char *store_json;
    const char *typemap;           /* from the first add (its footer's "idbpq" entry) */
    /* actions, as JSON lines */
    struct idbpq__buf txn, removes, adds, cdcs;
    uint64_t n_adds, n_removes, n_cdcs, add_rows, add_bytes, cdc_bytes;
    const char *app_id;
    const char **removed;          /* paths we remove */
    struct idbpq__drange *ranges;  /* key ranges we remove or add */
    uint32_t n_removed, n_ranges, cap_removed, cap_ranges;
    const char *operation, *metrics;
    int append_only;               /* delta.appendOnly=true */
    int64_t timestamp;             /* commitInfo.timestamp (first attempt) */
    char txn_id[37];               /* commitInfo.txnId */
};

int64_t idbpq__now_ms(void);
/* Whether two ranges share a key (an unbounded one meets everything). */
int idbpq__drange_meets(const struct idbpq__drange *a, const struct idbpq__drange *b);

/* A table property's duration ("interval 1 week", "7 days", "168 hours") in ms; dflt when
 * absent or not understood. */
int64_t idbpq__retention_ms(const char *s, int64_t dflt);

/* delta_ckpt_write.c: the log's removes, txns and cdcs from the snapshot's checkpoint and
 * the commits after it, each with its place (later wins) and its commit's timestamp. */
struct idbpq__ent {
    const void *p;               /* struct idbpq__delta_file / idbpq__delta_txn_action */
    size_t seq;
    int64_t ts;
};
struct idbpq__gather {
    struct idbpq__arena *a;      /* the parsed commits */
    const idbpq_allocator *alc;
    struct idbpq__buf rm, txn, cdc; /* struct idbpq__ent[] */
    size_t seq;
};
void idbpq__gather_init(struct idbpq__gather *g, struct idbpq__arena *a,
                        const idbpq_allocator *alc);
void idbpq__gather_free(struct idbpq__gather *g);
idbpq_status idbpq__gather(struct idbpq__gather *g, idbpq_table *t, struct idbpq__err *err);
/* Sorts v by cmp and keeps the last of each run same() calls equal; returns the count. */
size_t idbpq__latest(struct idbpq__ent *v, size_t n, int (*cmp)(const void *, const void *),
                     int (*same)(const struct idbpq__ent *, const struct idbpq__ent *));
int idbpq__by_path(const void *x, const void *y);       /* file actions: path, then seq */
int idbpq__same_path(const struct idbpq__ent *a, const struct idbpq__ent *b);
/* Whether path (as in the log) is a live file of t. */
int idbpq__live(idbpq_table *t, const char *path);

/* delta_commit.c: the commit file's text into b (commitInfo, protocol and metaData when set
 * or needed, then the actions). */
idbpq_status idbpq__dtx_text(struct idbpq__dtx *x, struct idbpq__buf *b, struct idbpq__err *err);

#endif
