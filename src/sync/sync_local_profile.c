/*
 * sync_local_profile.c — the store side of sync over a browser profile's store: records in
 * key order from idbpq_store_cursor, read-only (a profile is never written: sync pushes).
 * With Chromium's LevelDB backend it gives write stamps instead of values, and values only
 * for the records whose stamp moved (idbpq_store_cursor_next_stamp).
 * A damaged record is skipped by the cursor and reported through the profile's on_damage;
 * sync goes on, and that key then looks deleted to the walk — so a damaged record would be
 * pushed as a delete. It is safer to stop: the first damaged record fails the sync, naming it.
 */
#include "sync/sync_int.h"

#include <stdio.h>
#include <stdlib.h>

struct local_profile {
    idbpq_profile *p;
    int stamps;                  /* the LevelDB backend: write stamps, values on demand */
    uint32_t origin, db, store;
    idbpq_store_cursor *cur;
};

static idbpq_status lp_rewind(void *ctx, idbpq_error *err)
{
    struct local_profile *l = ctx;
    idbpq_store_cursor_free(l->cur);
    l->cur = NULL;
    return idbpq_store_cursor_open(&l->cur, l->p, l->origin, l->db, l->store, err);
}

static idbpq_status lp_next(void *ctx, idbpq_vbatch *b, idbpq_value **key, idbpq_value **value,
                            uint8_t hash[16], int *has_hash, idbpq_error *err)
{
    struct local_profile *l = ctx;
    *has_hash = 0;
    if (!l->cur) return IDBPQ_STATE;
    idbpq_status st;
    if (l->stamps) {
        uint64_t stamp = 0;
        *value = NULL;
        st = idbpq_store_cursor_next_stamp(l->cur, b, key, &stamp, err);
        if (st == IDBPQ_OK) {
            memset(hash, 0, 16);
            for (int i = 0; i < 8; i++) hash[i] = (uint8_t)(stamp >> (8 * i));
            *has_hash = 1;
        }
    } else {
        st = idbpq_store_cursor_next(l->cur, b, key, value, err);
    }
    if (st == IDBPQ_CORRUPT && err) {
        /* Say why a damaged record stops the sync (when the message has room). */
        static const char why[] = " (sync stops rather than push it as deleted)";
        size_t n = strlen(err->msg);
        if (n + sizeof why <= sizeof err->msg) memcpy(err->msg + n, why, sizeof why);
    }
    return st;
}

static idbpq_status lp_value(void *ctx, idbpq_vbatch *b, idbpq_value **value, idbpq_error *err)
{
    struct local_profile *l = ctx;
    return idbpq_store_cursor_value(l->cur, b, value, err);
}

idbpq_status idbpq_sync_local_profile(idbpq_sync_local *out, idbpq_profile *p, uint32_t origin,
                                      uint32_t db, uint32_t store, idbpq_error *err)
{
    if (!out || !p || origin >= idbpq_profile_origin_count(p)) return IDBPQ_INVALID_ARG;
    const idbpq_profile_origin *o = idbpq_profile_origin_at(p, origin);
    if (db >= o->n_databases || store >= o->databases[db].n_stores) return IDBPQ_INVALID_ARG;
    memset(out, 0, sizeof *out);
    struct local_profile *l = calloc(1, sizeof *l);
    if (!l) return IDBPQ_NOMEM;
    (void)err;
    l->p = p;
    l->origin = origin;
    l->db = db;
    l->store = store;
    out->ctx = l;
    out->desc = &o->databases[db].stores[store];
    out->rewind = lp_rewind;
    out->next = lp_next;
    /* Chromium's LevelDB keeps a write stamp per record (see idbpq_store_cursor_next_stamp):
     * a sync then reads the values of the records written since, not of the whole store. */
    l->stamps = !strcmp(o->backend, "leveldb");
    out->stamps = l->stamps;
    out->value = l->stamps ? lp_value : NULL;
    return IDBPQ_OK;
}

void idbpq_sync_local_profile_free(idbpq_sync_local *l)
{
    if (!l || !l->ctx) return;
    struct local_profile *lp = l->ctx;
    idbpq_store_cursor_free(lp->cur);
    free(lp);
    l->ctx = NULL;
}
