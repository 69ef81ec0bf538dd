/*
 * sync.c — one sync between a store and a table (docs/sync.md).
 *
 *   1. Load the state: the table version synced last, and key -> digest of the store then.
 *   2. Read the table's changes since that version (sync_changes.c), sorted by key.
 *   3. Walk three key-ordered streams at once — the store, the state, the table's changes —
 *      and decide per key: the store changed it (push), the table changed it (pull), both
 *      (a conflict, resolved by the policy and logged), or both to the same content (no
 *      conflict: only the state moves).
 *   4. Apply the pulled changes to the store in batches, then save the state at the table's
 *      version. A crash before the save re-pulls the same changes next time: applying them
 *      again is a no-op, and a key the store already holds in the table's form is not a
 *      conflict.
 *   5. Push (sync_push.c) with a txn action; then save the pushed digests. A crash between
 *      the commit and that save is harmless too: the next sync pulls its own commit, equal to
 *      the store. A lost race that conflicts starts over at 1, up to max_attempts.
 *
 * The store may be read-only (a browser profile): then nothing is applied to it, and a key
 * the table changed keeps the store's digest in the state, so the store's version is not
 * pushed back over the table's unless the store changes it again.
 */
#include "sync/sync_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define APPLY_BATCH 512
#define STATE_FORMAT 1

void idbpq_sync_opts_init(idbpq_sync_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->policy = IDBPQ_SYNC_PREFER_TABLE;
    o->push = 1;
    o->pull = 1;
    idbpq_record_writer_opts_init(&o->writer);
    o->target_file_bytes = 8u << 20;
    o->checkpoint_interval = 10;
    o->max_attempts = 20;
}

/* ---- the state header ---------------------------------------------------------------------- */

struct header {
    char app_id[64];
    char table_id[128];
    int64_t version;                     /* -1: never synced */
    int64_t seq;                         /* txn version of our last push */
    int64_t own[8];                      /* versions we committed past `version` */
    uint32_t n_own;
    int32_t stamps;                      /* the entries are stamp + content (else content) */
};

static idbpq_status header_parse(struct header *h, const idbpq_buffer *text,
                                 const idbpq_allocator *alc, idbpq_error *err)
{
    struct idbpq__arena a;
    idbpq__arena_init(&a, alc);
    struct idbpq__dj *doc = NULL;
    struct idbpq__err e = {0};
    idbpq_status st = idbpq__dj_parse(&a, (const char *)text->data, text->len, &doc, &e);
    int64_t fmt = 0;
    if (st == IDBPQ_OK && (!idbpq__dj_int(doc, "format", &fmt) || fmt != STATE_FORMAT))
        st = idbpq__fail(&e, IDBPQ_UNSUPPORTED, "sync state format %lld is not %d",
                         (long long)fmt, STATE_FORMAT);
    if (st == IDBPQ_OK) {
        const char *app = idbpq__dj_str(doc, "appId"), *tid = idbpq__dj_str(doc, "tableId");
        snprintf(h->app_id, sizeof h->app_id, "%s", app ? app : "");
        snprintf(h->table_id, sizeof h->table_id, "%s", tid ? tid : "");
        if (!idbpq__dj_int(doc, "version", &h->version)) h->version = -1;
        if (!idbpq__dj_int(doc, "seq", &h->seq)) h->seq = 0;
        const char *dg = idbpq__dj_str(doc, "digest");
        h->stamps = dg && !strcmp(dg, "stamp");
        const struct idbpq__dj *own = idbpq__dj_get(doc, "own");
        h->n_own = 0;
        for (uint32_t i = 0; own && own->kind == IDBPQ__DJ_ARR && i < own->n && i < 8; i++)
            h->own[h->n_own++] = strtoll(own->items[i].str ? own->items[i].str : "-1", NULL, 10);
        if (!app) st = idbpq__fail(&e, IDBPQ_CORRUPT, "sync state header has no appId");
    }
    if (st != IDBPQ_OK) {
        idbpq__err_prefix(&e, "sync state header: ");
        idbpq__derr_out(err, &e);
    }
    idbpq__arena_free(&a);
    return st;
}

static idbpq_status header_text(const struct header *h, idbpq_buffer *out)
{
    struct idbpq__buf b;
    idbpq__buf_init(&b, out->alc);
    char num[64];
    idbpq_status st = idbpq__jw_raw(&b, "{\"format\":1,\"appId\":");
    if (st == IDBPQ_OK) st = idbpq__jw_str(&b, h->app_id, strlen(h->app_id));
    if (st == IDBPQ_OK) st = idbpq__jw_raw(&b, ",\"tableId\":");
    if (st == IDBPQ_OK) st = idbpq__jw_str(&b, h->table_id, strlen(h->table_id));
    snprintf(num, sizeof num, ",\"digest\":\"%s\",\"version\":%lld,\"seq\":%lld,\"own\":[",
             h->stamps ? "stamp" : "content", (long long)h->version, (long long)h->seq);
    if (st == IDBPQ_OK) st = idbpq__jw_raw(&b, num);
    for (uint32_t i = 0; st == IDBPQ_OK && i < h->n_own; i++) {
        snprintf(num, sizeof num, "%s%lld", i ? "," : "", (long long)h->own[i]);
        st = idbpq__jw_raw(&b, num);
    }
    if (st == IDBPQ_OK) st = idbpq__jw_raw(&b, "]}");
    if (st == IDBPQ_OK) st = idbpq__buf_push(&b, 0);
    if (st == IDBPQ_OK) {
        idbpq_buffer_free(out);
        out->data = b.p;
        out->len = b.len - 1;
        out->cap = b.cap;
        return IDBPQ_OK;
    }
    idbpq__buf_free(&b);
    return st;
}

static int is_own(const struct header *h, int64_t v)
{
    for (uint32_t i = 0; i < h->n_own; i++)
        if (h->own[i] == v) return 1;
    return 0;
}

/* ---- the engine's working set -------------------------------------------------------------- */

struct pull_op {
    const idbpq_value *key, *value;      /* value NULL: delete */
};

struct upd {                             /* a state update, held until it may be saved */
    uint8_t *sk;
    uint32_t skn;
    uint8_t hash[16];
    int32_t deleted;
    int32_t after_push;                  /* saved only once the push committed */
};

struct run {
    const idbpq_sync_local *local;
    idbpq_sync_state *state;
    const idbpq_table_io *io;
    const idbpq_sync_opts *o;
    idbpq_sync_result *res;
    const idbpq_allocator *alc;
    idbpq_error *err;
    struct header hdr;
    idbpq_table *table;                  /* NULL: no table yet */
    struct idbpq__chgset tc;             /* the table's changes */
    int tc_complete;
    struct idbpq__chgset push;           /* the store's changes to push */
    struct pull_op *pulls; size_t n_pulls, cap_pulls;
    struct upd *upds; size_t n_upds, cap_upds;
    struct idbpq__arena mem;             /* upd keys */
    struct idbpq__bulk *bulk;            /* a table without files: pushes stream into it */
    struct idbpq__push_in push_in;
    struct idbpq__push_out push_out;
    idbpq_vbatch *lb;                    /* the current store record */
    idbpq_vbatch *scratch;
    idbpq_buffer sk, hdr_text;
    /* the current store record */
    int l_has; idbpq_value *l_key, *l_value; uint8_t l_hash[16]; int l_hash_ok;
    int l_given_hash;                    /* the store gave a digest, not the value */
    idbpq_buffer l_sk, l_prev;
    int l_seen;
    /* the current state entry */
    int ignore_state;
    int s_has; uint8_t s_hash[16]; idbpq_buffer s_sk;
};

static int aborted(const struct run *r)
{
    return r->o->should_abort && r->o->should_abort(r->o->abort_ctx);
}

static void progress(const struct run *r, const char *phase, uint64_t done, uint64_t total)
{
    if (!r->o->progress) return;
    idbpq_sync_progress p = {phase, done, total};
    r->o->progress(r->o->progress_ctx, &p);
}

static idbpq_status buf_set(idbpq_buffer *b, const uint8_t *p, size_t n)
{
    b->len = 0;
    return idbpq__kbuf_append(b, p, n);
}

static idbpq_status add_upd(struct run *r, const uint8_t *sk, size_t skn, const uint8_t *hash,
                            int after_push)
{
    if (r->n_upds == r->cap_upds) {
        size_t nc = r->cap_upds ? r->cap_upds * 2 : 256;
        struct upd *u = idbpq__realloc(r->alc, r->upds, r->cap_upds * sizeof *u, nc * sizeof *u);
        if (!u) return IDBPQ_NOMEM;
        r->upds = u;
        r->cap_upds = nc;
    }
    struct upd *u = &r->upds[r->n_upds];
    u->sk = idbpq__arena_alloc(&r->mem, skn ? skn : 1);
    if (!u->sk) return IDBPQ_NOMEM;
    if (skn) memcpy(u->sk, sk, skn);
    u->skn = (uint32_t)skn;
    u->deleted = hash == NULL;
    if (hash) memcpy(u->hash, hash, 16);
    u->after_push = after_push;
    r->n_upds++;
    return IDBPQ_OK;
}

static idbpq_status add_pull(struct run *r, const idbpq_value *key, const idbpq_value *value)
{
    if (r->n_pulls == r->cap_pulls) {
        size_t nc = r->cap_pulls ? r->cap_pulls * 2 : 256;
        struct pull_op *p = idbpq__realloc(r->alc, r->pulls, r->cap_pulls * sizeof *p,
                                           nc * sizeof *p);
        if (!p) return IDBPQ_NOMEM;
        r->pulls = p;
        r->cap_pulls = nc;
    }
    r->pulls[r->n_pulls].key = key;
    r->pulls[r->n_pulls].value = value;
    r->n_pulls++;
    return IDBPQ_OK;
}

/* ---- the streams ---------------------------------------------------------------------------- */

static idbpq_status next_local(struct run *r)
{
    idbpq_vbatch_reset(r->lb);
    r->l_has = 0;
    r->l_key = r->l_value = NULL;
    r->l_hash_ok = 0;
    int has_hash = 0;
    idbpq_status st = r->local->next(r->local->ctx, r->lb, &r->l_key, &r->l_value, r->l_hash,
                                     &has_hash, r->err);
    if (st == IDBPQ_END) return IDBPQ_OK;
    if (st != IDBPQ_OK) return st;
    if (!r->l_key)
        return idbpq__verr(r->err, IDBPQ_INVALID_ARG, 0, "the store gave a record without a key");
    r->l_given_hash = has_hash;
    r->l_hash_ok = 0;
    if (has_hash && !r->local->stamps)
        return idbpq__verr(r->err, IDBPQ_INVALID_ARG, 0,
                           "the store gave a stamp without saying it has stamps");
    if (!has_hash && !r->l_value)
        return idbpq__verr(r->err, IDBPQ_INVALID_ARG, 0,
                           "the store gave neither a value nor a digest");
    /* The walk needs key order: check it rather than silently mis-merge. */
    IDBPQ__TRY(buf_set(&r->l_prev, r->l_sk.data, r->l_sk.len));
    int had = r->l_seen;
    IDBPQ__TRY(idbpq__sk_of(r->l_key, r->lb, &r->l_sk, r->err));
    if (had && idbpq__dkey_cmp(r->l_prev.data, r->l_prev.len, r->l_sk.data, r->l_sk.len) >= 0)
        return idbpq__verr(r->err, IDBPQ_INVALID_ARG, 0,
                           "the store's records are not in key order");
    r->l_seen = 1;
    r->l_has = 1;
    r->res->scanned++;
    return IDBPQ_OK;
}

static idbpq_status next_state(struct run *r)
{
    r->s_has = 0;
    if (r->ignore_state) return IDBPQ_OK;
    idbpq_sync_state_entry e;
    idbpq_status st = r->state->next(r->state->ctx, &e, r->err);
    if (st == IDBPQ_END) return IDBPQ_OK;
    if (st != IDBPQ_OK) return st;
    IDBPQ__TRY(buf_set(&r->s_sk, e.key, e.key_len));
    memcpy(r->s_hash, e.hash, 16);
    r->s_has = 1;
    return IDBPQ_OK;
}

static idbpq_status local_value(struct run *r)
{
    if (r->l_value) return IDBPQ_OK;
    if (!r->local->value)
        return idbpq__verr(r->err, IDBPQ_INVALID_ARG, 0,
                           "the store gave a digest but cannot give values");
    return r->local->value(r->local->ctx, r->lb, &r->l_value, r->err);
}

/* The state entry for the store's current record: the content digest (16 bytes), or with
 * stamps the stamp (8) and the first half of the content digest (8) — the stamp tells
 * cheaply that nothing was written; the content half tells a rewrite of the same content. */
static idbpq_status local_hash(struct run *r)
{
    if (r->l_hash_ok) return IDBPQ_OK;
    IDBPQ__TRY(local_value(r));
    uint8_t h[16];
    idbpq_value_hash(r->l_value, h);
    if (r->local->stamps) memcpy(r->l_hash + 8, h, 8);
    else memcpy(r->l_hash, h, 16);
    r->l_hash_ok = 1;
    return IDBPQ_OK;
}

/* Whether a content digest equals the content part of the current state entry. */
static int state_content_is(const struct run *r, const uint8_t h[16])
{
    return r->local->stamps ? !memcmp(h, r->s_hash + 8, 8) : !memcmp(h, r->s_hash, 16);
}

/* ---- conflicts ------------------------------------------------------------------------------ */

static const char *policy_name(idbpq_sync_policy p)
{
    switch (p) {
    case IDBPQ_SYNC_PREFER_LOCAL: return "prefer-local";
    case IDBPQ_SYNC_PREFER_TABLE: return "prefer-table";
    case IDBPQ_SYNC_NEWEST: return "newest";
    case IDBPQ_SYNC_CALLBACK: return "callback";
    }
    return "?";
}

/* The value at a dotted path of plain objects; NULL when absent. */
static const idbpq_value *field_at(const idbpq_value *v, const char *path)
{
    while (v && *path) {
        if (v->type != IDBPQ_V_OBJECT) return NULL;
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        const idbpq_value *next = NULL;
        for (uint32_t i = 0; i < v->u.object.n; i++) {
            const idbpq_value *k = v->u.object.props[i].key;
            if (k->type != IDBPQ_V_STRING || k->u.str.len != n || k->u.str.two_byte) continue;
            if (!memcmp(k->u.str.data, path, n)) {
                next = v->u.object.props[i].value;
                break;
            }
        }
        v = next;
        path = dot ? dot + 1 : path + n;
    }
    return v;
}

/* Orders two field values: Dates and numbers by value, strings by code unit (ISO-8601 text
 * orders by time); anything else is not comparable (-2). */
static int field_cmp(const idbpq_value *a, const idbpq_value *b)
{
    if ((a->type == IDBPQ_V_DATE || a->type == IDBPQ_V_NUMBER) &&
        (b->type == IDBPQ_V_DATE || b->type == IDBPQ_V_NUMBER)) {
        double x = a->u.number, y = b->u.number;
        if (isnan(x) || isnan(y)) return isnan(x) && isnan(y) ? 0 : isnan(x) ? -1 : 1;
        return x < y ? -1 : x > y;
    }
    if (a->type == IDBPQ_V_STRING && b->type == IDBPQ_V_STRING)
        return idbpq__kstr_cmp(&a->u.str, &b->u.str);
    return -2;
}

/* Decides a conflict: IDBPQ_SIDE_LOCAL, IDBPQ_SIDE_TABLE, or 0 with *merged. */
static int decide(struct run *r, const idbpq_sync_conflict *c, const idbpq_value **merged,
                  const char **why)
{
    const idbpq_sync_opts *o = r->o;
    *merged = NULL;
    switch (o->policy) {
    case IDBPQ_SYNC_PREFER_LOCAL: *why = "policy"; return IDBPQ_SIDE_LOCAL;
    case IDBPQ_SYNC_PREFER_TABLE: *why = "policy"; return IDBPQ_SIDE_TABLE;
    case IDBPQ_SYNC_NEWEST: {
        const char *f = o->newest_field ? o->newest_field : "";
        const idbpq_value *a = c->local ? field_at(c->local, f) : NULL;
        const idbpq_value *b = c->table ? field_at(c->table, f) : NULL;
        if (a && !b) { *why = "only the store's version has the field"; return IDBPQ_SIDE_LOCAL; }
        if (!a) { *why = b ? "only the table's version has the field" : "neither has the field"; return IDBPQ_SIDE_TABLE; }
        int k = field_cmp(a, b);
        if (k == -2) { *why = "the field's values do not compare; the table wins"; return IDBPQ_SIDE_TABLE; }
        *why = k > 0 ? "the store's is newer" : k < 0 ? "the table's is newer" : "a tie goes to the table";
        return k > 0 ? IDBPQ_SIDE_LOCAL : IDBPQ_SIDE_TABLE;
    }
    case IDBPQ_SYNC_CALLBACK: {
        if (!o->resolve) { *why = "no callback; the table wins"; return IDBPQ_SIDE_TABLE; }
        int w = o->resolve(o->resolve_ctx, c, r->push.b, merged);
        *why = "callback";
        if (w == IDBPQ_SIDE_LOCAL || w == IDBPQ_SIDE_TABLE) return w;
        if (w == 0 && *merged) return 0;
        *why = "the callback decided nothing; the table wins";
        *merged = NULL;
        return IDBPQ_SIDE_TABLE;
    }
    }
    *why = "policy";
    return IDBPQ_SIDE_TABLE;
}

static void log_conflict(struct run *r, const idbpq_sync_conflict *c, int winner,
                         const char *why, const idbpq_value *merged)
{
    if (!r->o->log) return;
    idbpq_buffer line, v;
    idbpq_buffer_init(&line, r->alc);
    idbpq_buffer_init(&v, r->alc);
    struct idbpq__buf b;
    idbpq__buf_init(&b, r->alc);
    char head[160];
    snprintf(head, sizeof head, "{\"tableVersion\":%lld,\"policy\":\"%s\",\"winner\":\"%s\",\"key\":",
             (long long)c->table_version, policy_name(r->o->policy),
             winner == IDBPQ_SIDE_LOCAL ? "local" : winner == IDBPQ_SIDE_TABLE ? "table" : "merged");
    idbpq_status st = idbpq__jw_raw(&b, head);
    const idbpq_value *vals[4] = {c->key, c->local, c->table, merged};
    const char *names[4] = {NULL, ",\"local\":", ",\"table\":", ",\"merged\":"};
    for (int i = 0; i < 4 && st == IDBPQ_OK; i++) {
        if (i == 3 && winner != 0) break;
        if (names[i]) st = idbpq__jw_raw(&b, names[i]);
        if (st != IDBPQ_OK) break;
        if (!vals[i]) { st = idbpq__jw_raw(&b, "null"); continue; }
        v.len = 0;
        st = idbpq_tjson_write(vals[i], &v);
        if (st == IDBPQ_OK) st = idbpq__buf_append(&b, v.data, v.len);
    }
    if (st == IDBPQ_OK) st = idbpq__jw_raw(&b, ",\"reason\":");
    if (st == IDBPQ_OK) st = idbpq__jw_str(&b, why, strlen(why));
    if (st == IDBPQ_OK) st = idbpq__jw_raw(&b, "}");
    if (st == IDBPQ_OK) st = idbpq__buf_push(&b, 0);
    if (st == IDBPQ_OK) r->o->log(r->o->log_ctx, c, winner, (const char *)b.p);
    idbpq__buf_free(&b);
    idbpq_buffer_free(&v);
    idbpq_buffer_free(&line);
}

/* ---- deciding one key ----------------------------------------------------------------------- */

/* The store's change to push: kind from whether the table holds the key now. */
static idbpq_status push_change(struct run *r, const uint8_t *sk, size_t skn,
                                const idbpq_value *key, const idbpq_value *value,
                                int table_has)
{
    if (!value && !table_has) return IDBPQ_OK;  /* deleting what the table lacks */
    if (!r->o->push) return IDBPQ_OK;          /* pull only: it waits for a later push */
    if (r->bulk) {
        /* The table has no rows: every change is an insert, written as the walk goes. */
        if (!value) return IDBPQ_OK;
        r->res->pushed_inserts++;
        return idbpq__bulk_write(r->bulk, key, value);
    }
    int32_t kind = !value ? IDBPQ_CHANGE_DELETE
                 : table_has ? IDBPQ_CHANGE_UPDATE_POSTIMAGE : IDBPQ_CHANGE_INSERT;
    if (kind == IDBPQ_CHANGE_DELETE) r->res->pushed_deletes++;
    else if (kind == IDBPQ_CHANGE_INSERT) r->res->pushed_inserts++;
    else r->res->pushed_updates++;
    return idbpq__chgset_add(&r->push, sk, skn, key, value, -1, kind);
}

/* th: the content digest of t->value (when it has one). */
static idbpq_status pull_change(struct run *r, const struct idbpq__chg *t, const uint8_t th[16])
{
    if (!r->local->apply || !r->o->pull) return IDBPQ_OK;
    if (t->value) r->res->pulled_upserts++;
    else r->res->pulled_deletes++;
    IDBPQ__TRY(add_upd(r, t->sk, t->skn, t->value ? th : NULL, 0));
    return add_pull(r, t->key, t->value);
}

/* One key: l (the store has it), s (the state has it), t (the table's change, or NULL). */
static idbpq_status decide_key(struct run *r, int l, int s, const struct idbpq__chg *t,
                               const uint8_t *sk, size_t skn)
{
    const idbpq_value *key = l ? r->l_key : t ? t->key : NULL;
    int local_changed = l != s;
    if (l && s) {
        if (r->local->stamps && !memcmp(r->l_hash, r->s_hash, 8)) {
            local_changed = 0;                  /* not written since */
        } else if (r->local->stamps) {
            IDBPQ__TRY(local_hash(r));          /* written: the same content again? */
            local_changed = memcmp(r->l_hash + 8, r->s_hash + 8, 8) != 0;
            if (!local_changed) IDBPQ__TRY(add_upd(r, sk, skn, r->l_hash, 0));
        } else {
            IDBPQ__TRY(local_hash(r));
            local_changed = memcmp(r->l_hash, r->s_hash, 16) != 0;
        }
    }
    /* A table change we can show to be none: the state already holds its content. */
    uint8_t th[16];
    if (t && t->value) idbpq_value_hash(t->value, th);
    if (t && s && t->value && state_content_is(r, th)) t = NULL;
    if (t && !t->value && !s) t = NULL;  /* the table deleted what we never had */
    if (!local_changed && !t) return IDBPQ_OK;
    if (local_changed && !t) {
        if (l) IDBPQ__TRY(local_value(r));
        /* Does the table hold the key? Unless the table changed it, as the state says. */
        IDBPQ__TRY(push_change(r, sk, skn, key, l ? r->l_value : NULL, s));
        if (l) IDBPQ__TRY(local_hash(r));
        return add_upd(r, sk, skn, l ? r->l_hash : NULL, 1);
    }
    if (!local_changed) {
        if (!r->local->apply || !r->o->pull) return IDBPQ_OK;  /* keep the state: see top */
        return pull_change(r, t, th);
    }
    /* Both changed. The same content on both sides is no conflict. */
    if (l) IDBPQ__TRY(local_value(r));
    const idbpq_value *lv = l ? r->l_value : NULL;
    if ((!lv && !t->value) || (lv && t->value && idbpq_value_equal_ex(lv, t->value, IDBPQ_EQ_UNORDERED))) {
        if (lv) IDBPQ__TRY(local_hash(r));
        return add_upd(r, sk, skn, lv ? r->l_hash : NULL, 0);
    }
    idbpq_sync_conflict c = {key, lv, t->value, t->version};
    const idbpq_value *merged = NULL;
    const char *why = "";
    int w = decide(r, &c, &merged, &why);
    r->res->conflicts++;
    log_conflict(r, &c, w, why, merged);
    if (w == IDBPQ_SIDE_LOCAL) {
        r->res->conflicts_local++;
        IDBPQ__TRY(push_change(r, sk, skn, key, lv, t->value != NULL));
        if (lv) IDBPQ__TRY(local_hash(r));
        return add_upd(r, sk, skn, lv ? r->l_hash : NULL, 1);
    }
    if (w == IDBPQ_SIDE_TABLE) {
        r->res->conflicts_table++;
        if (r->local->apply && r->o->pull) return pull_change(r, t, th);
        if (lv) IDBPQ__TRY(local_hash(r));
        return add_upd(r, sk, skn, lv ? r->l_hash : NULL, 0);
    }
    r->res->conflicts_merged++;
    if (r->local->apply && r->o->pull) {
        IDBPQ__TRY(add_pull(r, t->key, merged));
        r->res->pulled_upserts++;
    }
    IDBPQ__TRY(push_change(r, sk, skn, key, merged, t->value != NULL));
    if (r->local->stamps) {
        /* A read-only store keeps its record: the state keeps its digest (see the top). */
        if (!lv) return add_upd(r, sk, skn, NULL, 1);
        IDBPQ__TRY(local_hash(r));
        return add_upd(r, sk, skn, r->l_hash, 1);
    }
    uint8_t h[16];
    idbpq_value_hash(merged, h);
    return add_upd(r, sk, skn, h, 1);
}

/* ---- the walk ------------------------------------------------------------------------------- */

/* Entries of another digest kind: each is removed (the walk then writes fresh ones). */
static idbpq_status drop_state(struct run *r)
{
    IDBPQ__TRY(r->state->rewind(r->state->ctx, r->err));
    for (;;) {
        idbpq_sync_state_entry e;
        idbpq_status st = r->state->next(r->state->ctx, &e, r->err);
        if (st == IDBPQ_END) return IDBPQ_OK;
        if (st != IDBPQ_OK) return st;
        IDBPQ__TRY(add_upd(r, e.key, e.key_len, NULL, 0));
    }
}

static idbpq_status walk(struct run *r)
{
    if (r->ignore_state) IDBPQ__TRY(drop_state(r));
    IDBPQ__TRY(r->local->rewind(r->local->ctx, r->err));
    IDBPQ__TRY(r->state->rewind(r->state->ctx, r->err));
    r->l_seen = 0; /* an attempt after a lost race walks the store again from its first key */
    IDBPQ__TRY(next_local(r));
    IDBPQ__TRY(next_state(r));
    size_t ti = 0;
    uint64_t n = 0;
    for (;;) {
        /* Drop table changes of our own commits: the state holds their content already. */
        while (ti < r->tc.n && is_own(&r->hdr, r->tc.v[ti].version)) ti++;
        const uint8_t *min = NULL;
        size_t minn = 0;
        if (r->l_has) { min = r->l_sk.data; minn = r->l_sk.len; }
        if (r->s_has && (!min || idbpq__dkey_cmp(r->s_sk.data, r->s_sk.len, min, minn) < 0)) {
            min = r->s_sk.data; minn = r->s_sk.len;
        }
        if (ti < r->tc.n && (!min || idbpq__dkey_cmp(r->tc.v[ti].sk, r->tc.v[ti].skn, min, minn) < 0)) {
            min = r->tc.v[ti].sk; minn = r->tc.v[ti].skn;
        }
        if (!min) break;
        if ((++n & 1023) == 0) {
            if (aborted(r)) return idbpq__verr(r->err, IDBPQ_ABORTED, 0, "sync aborted");
            progress(r, "scan", r->res->scanned, 0);
        }
        int l = r->l_has && !idbpq__dkey_cmp(r->l_sk.data, r->l_sk.len, min, minn);
        int s = r->s_has && !idbpq__dkey_cmp(r->s_sk.data, r->s_sk.len, min, minn);
        const struct idbpq__chg *t = NULL;
        if (ti < r->tc.n && !idbpq__dkey_cmp(r->tc.v[ti].sk, r->tc.v[ti].skn, min, minn))
            t = &r->tc.v[ti];
        /* A complete listing of the table: a synced key it lacks was deleted there. */
        struct idbpq__chg gone;
        if (!t && s && r->tc_complete) {
            memset(&gone, 0, sizeof gone);
            gone.sk = (uint8_t *)min;
            gone.skn = (uint32_t)minn;
            gone.version = r->table ? idbpq_table_get_meta(r->table)->version : -1;
            if (l) {
                gone.key = idbpq_value_copy(r->tc.b, r->l_key);
                if (!gone.key) return IDBPQ_NOMEM;
                gone.sk = idbpq__arena_alloc(&r->mem, minn);
                if (!gone.sk) return IDBPQ_NOMEM;
                memcpy(gone.sk, min, minn);
                t = &gone;
            } else {
                t = NULL;  /* gone on both sides: only the state entry goes */
                IDBPQ__TRY(add_upd(r, min, minn, NULL, 0));
            }
        }
        if (t && !t->key && l) {
            /* never: changes carry keys */
            return idbpq__verr(r->err, IDBPQ_STATE, 0, "a table change without a key");
        }
        IDBPQ__TRY(decide_key(r, l, s, t, min, minn));
        if (ti < r->tc.n && t == &r->tc.v[ti]) ti++;
        if (l) IDBPQ__TRY(next_local(r));
        if (s) IDBPQ__TRY(next_state(r));
    }
    return IDBPQ_OK;
}

/* A pull-only sync with point lookups on both sides: only the keys the table changed are
 * looked at, so its cost follows the change, not the store. (A sync that also pushes must read
 * the whole store: nothing else tells what the app changed.) */
static idbpq_status walk_changes(struct run *r)
{
    for (size_t ti = 0; ti < r->tc.n; ti++) {
        const struct idbpq__chg *t = &r->tc.v[ti];
        if (is_own(&r->hdr, t->version)) continue;
        if ((ti & 1023) == 1023 && aborted(r))
            return idbpq__verr(r->err, IDBPQ_ABORTED, 0, "sync aborted");
        idbpq_vbatch_reset(r->lb);
        r->l_has = 0;
        r->l_key = r->l_value = NULL;
        r->l_hash_ok = 0;
        int has_hash = 0;
        idbpq_status st = r->local->get(r->local->ctx, r->lb, t->key, &r->l_value, r->l_hash,
                                        &has_hash, r->err);
        if (st == IDBPQ_OK) {
            r->l_has = 1;
            r->l_key = t->key;
            r->l_given_hash = has_hash;
            r->res->scanned++;
        } else if (st != IDBPQ_END) {
            return st;
        }
        st = r->state->get(r->state->ctx, t->sk, t->skn, r->s_hash, r->err);
        if (st != IDBPQ_OK && st != IDBPQ_END) return st;
        r->s_has = st == IDBPQ_OK;
        IDBPQ__TRY(decide_key(r, r->l_has, r->s_has, t, t->sk, t->skn));
    }
    return IDBPQ_OK;
}

/* ---- applying and saving -------------------------------------------------------------------- */

static idbpq_status apply_pulls(struct run *r)
{
    if (!r->n_pulls || r->o->dry_run) return IDBPQ_OK;
    idbpq_sync_op ops[APPLY_BATCH];
    for (size_t i = 0; i < r->n_pulls;) {
        if (aborted(r)) return idbpq__verr(r->err, IDBPQ_ABORTED, 0, "sync aborted");
        size_t k = 0;
        for (; k < APPLY_BATCH && i < r->n_pulls; k++, i++) {
            ops[k].key = r->pulls[i].key;
            ops[k].value = r->pulls[i].value;
        }
        IDBPQ__TRY(r->local->apply(r->local->ctx, ops, k, r->err));
        progress(r, "pull", i, r->n_pulls);
    }
    return IDBPQ_OK;
}

/* Saves the updates of one kind (before or after the push) and the header. */
static idbpq_status save_state(struct run *r, int after_push)
{
    if (r->o->dry_run) return IDBPQ_OK;
    size_t n = 0;
    for (size_t i = 0; i < r->n_upds; i++) n += r->upds[i].after_push == after_push;
    idbpq_sync_state_entry *e = n ? idbpq__malloc(r->alc, n * sizeof *e) : NULL;
    if (n && !e) return IDBPQ_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < r->n_upds; i++) {
        if (r->upds[i].after_push != after_push) continue;
        e[k].key = r->upds[i].sk;
        e[k].key_len = r->upds[i].skn;
        memcpy(e[k].hash, r->upds[i].hash, 16);
        e[k].deleted = r->upds[i].deleted;
        k++;
    }
    /* The header as loaded: a save that changes nothing is skipped (it rewrites the file). */
    idbpq_buffer old = r->hdr_text;
    idbpq_buffer_init(&r->hdr_text, r->alc);
    idbpq_status st = header_text(&r->hdr, &r->hdr_text);
    int same = st == IDBPQ_OK && !n && !r->ignore_state && old.len == r->hdr_text.len &&
               old.len && !memcmp(old.data, r->hdr_text.data, old.len);
    idbpq_buffer_free(&old);
    if (st == IDBPQ_OK && !same)
        st = r->state->save(r->state->ctx, (const char *)r->hdr_text.data, e, n, r->err);
    idbpq__free(r->alc, e, n * sizeof *e);
    return st;
}

static idbpq_status new_app_id(struct header *h)
{
    char u[37];
    IDBPQ__TRY(idbpq__uuid4(u));
    snprintf(h->app_id, sizeof h->app_id, "idbpq:%s", u);
    return IDBPQ_OK;
}

/* ---- one attempt ---------------------------------------------------------------------------- */

static void run_reset(struct run *r)
{
    idbpq__bulk_free(r->bulk);
    r->bulk = NULL;
    r->ignore_state = 0;
    idbpq_table_free(r->table);
    r->table = NULL;
    idbpq__chgset_free(&r->tc);
    idbpq__chgset_free(&r->push);
    r->n_pulls = r->n_upds = 0;
    idbpq__arena_reset(&r->mem);
}

static idbpq_status attempt(struct run *r, int *retry)
{
    *retry = 0;
    idbpq_sync_result keep = *r->res;
    IDBPQ__TRY(idbpq__chgset_init(&r->tc, r->alc));
    IDBPQ__TRY(idbpq__chgset_init(&r->push, r->alc));
    /* 1. The state. */
    idbpq_status st = r->state->load(r->state->ctx, &r->hdr_text, r->err);
    memset(&r->hdr, 0, sizeof r->hdr);
    if (st == IDBPQ_END) {
        IDBPQ__TRY(new_app_id(&r->hdr));
        r->hdr.version = -1;
    } else if (st != IDBPQ_OK) {
        return st;
    } else {
        IDBPQ__TRY(header_parse(&r->hdr, &r->hdr_text, r->alc, r->err));
        if (r->hdr.stamps != r->local->stamps) {
            /* Digests of another kind compare with nothing: as a first sync (the table's
             * rows are compared with the store's), and the old entries are skipped. */
            r->hdr.version = -1;
            r->hdr.n_own = 0;
            r->ignore_state = 1;
        }
    }
    r->hdr.stamps = r->local->stamps;
    /* 2. The table and its changes. */
    st = idbpq_table_open(&r->table, r->io, -1, r->alc, r->err);
    if (st == IDBPQ_END) {
        r->table = NULL;
        if (r->hdr.version >= 0) {
            /* The table is gone (removed, or a new directory): the state describes nothing
             * it holds, so the whole store is pushed again. */
            r->hdr.version = -1;
            r->hdr.n_own = 0;
            r->ignore_state = 1;
        }
    } else if (st != IDBPQ_OK) {
        return st;
    }
    const idbpq_table_meta *m = r->table ? idbpq_table_get_meta(r->table) : NULL;
    if (m && r->hdr.table_id[0] && strcmp(m->id, r->hdr.table_id)) {
        /* Another table under that name (recreated): what the state says of it is void. */
        r->hdr.version = -1;
        r->hdr.n_own = 0;
    }
    r->res->from_version = r->hdr.version;
    r->res->to_version = m ? m->version : -1;
    if (m) {
        idbpq_record_reader_opts ro;
        idbpq_record_reader_opts_init(&ro);
        ro.key_column = r->o->key_column;
        progress(r, "pull", 0, 0);
        IDBPQ__TRY(idbpq__sync_table_changes(r->table, r->hdr.version, &ro, &r->tc,
                                             &r->tc_complete, r->alc, r->err));
        if (r->tc_complete) r->hdr.n_own = 0;
    }
    /* 3. The walk; into a table without files the pushes stream straight into new files. */
    if (r->table) {
        int64_t tv = idbpq_table_txn_version(r->table, r->hdr.app_id);
        if (tv > r->hdr.seq) r->hdr.seq = tv;
    }
    struct idbpq__push_in in = {r->io, r->table, r->local->desc, &r->push, r->o,
                                r->hdr.app_id, r->hdr.seq + 1, r->alc};
    r->push_in = in;
    memset(&r->push_out, 0, sizeof r->push_out);
    r->push_out.version = -1;
    /* (A table idbpq did not write is refused below, once there is something to push.) */
    if (r->o->push && !r->o->dry_run && r->tc.n == 0 && (!m || m->store) &&
        (!r->table || idbpq_table_file_count(r->table) == 0))
        IDBPQ__TRY(idbpq__bulk_open(&r->bulk, &r->push_in, &r->push_out, r->err));
    if (!r->o->push && r->local->get && r->state->get && !r->tc_complete && !r->ignore_state)
        IDBPQ__TRY(walk_changes(r));
    else
        IDBPQ__TRY(walk(r));
    idbpq__chgset_settle(&r->push);
    /* 4. Pull: apply, then save the state at the table's version. */
    IDBPQ__TRY(apply_pulls(r));
    if (m) {
        snprintf(r->hdr.table_id, sizeof r->hdr.table_id, "%s", m->id);
        r->hdr.version = m->version;
        /* own versions at or below the synced version are no longer needed */
        uint32_t w = 0;
        for (uint32_t i = 0; i < r->hdr.n_own; i++)
            if (r->hdr.own[i] > m->version) r->hdr.own[w++] = r->hdr.own[i];
        r->hdr.n_own = w;
    }
    IDBPQ__TRY(save_state(r, 0));
    /* 5. Push. */
    if (!r->o->push || r->o->dry_run || (r->push.n == 0 && !r->bulk)) return IDBPQ_OK;
    if (m && !m->store)
        return idbpq__verr(r->err, IDBPQ_UNSUPPORTED, 0,
                           "the table was not written by idbpq (no idbpq.store in its "
                           "metadata): sync can pull from it but not push to it");
    progress(r, "write", 0, r->push.n);
    struct idbpq__push_out out = {-1, 0, 0, 0, 0, 0};
    if (r->bulk) {
        st = idbpq__bulk_commit(r->bulk);
        out = r->push_out;
    } else {
        st = idbpq__sync_push(&r->push_in, &out, r->err);
    }
    r->res->attempts += out.attempts;
    r->res->bytes_written += out.bytes_written;
    if (st == IDBPQ_CONFLICT) {
        /* Start over from the winners' state; counts are those of the last attempt. */
        uint32_t a = r->res->attempts;
        uint64_t b = r->res->bytes_written;
        *r->res = keep;
        r->res->attempts = a;
        r->res->bytes_written = b;
        *retry = 1;
        return IDBPQ_OK;
    }
    IDBPQ__TRY(st);
    if (out.version < 0) return save_state(r, 1);  /* nothing to commit after all */
    r->res->committed_version = out.version;
    r->res->files_added += out.files_added;
    r->res->files_removed += out.files_removed;
    r->res->cdc_files += out.cdc_files;
    r->hdr.seq++;
    if (out.version == r->hdr.version + 1) r->hdr.version = out.version;
    else if (r->hdr.n_own < 8) r->hdr.own[r->hdr.n_own++] = out.version;
    if (!r->table) {
        /* The table was created by this push: record its id. */
        idbpq_table *t2 = NULL;
        if (idbpq_table_open(&t2, r->io, out.version, r->alc, NULL) == IDBPQ_OK) {
            snprintf(r->hdr.table_id, sizeof r->hdr.table_id, "%s", idbpq_table_get_meta(t2)->id);
            idbpq_table_free(t2);
        }
    }
    r->res->to_version = out.version;
    return save_state(r, 1);
}

idbpq_status idbpq_sync(const idbpq_sync_local *local, idbpq_sync_state *state,
                        const idbpq_table_io *table, const idbpq_sync_opts *opts,
                        idbpq_sync_result *res, const idbpq_allocator *alc, idbpq_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    if (!local || !local->next || !local->rewind || !state || !state->load || !state->next ||
        !state->rewind || !state->save || !table || !res)
        return IDBPQ_INVALID_ARG;
    idbpq_sync_opts dflt;
    if (!opts) {
        idbpq_sync_opts_init(&dflt);
        opts = &dflt;
    }
    memset(res, 0, sizeof *res);
    res->committed_version = -1;
    struct run r;
    memset(&r, 0, sizeof r);
    r.local = local;
    r.state = state;
    r.io = table;
    r.o = opts;
    r.res = res;
    r.alc = idbpq__alc(alc);
    r.err = err;
    idbpq__arena_init(&r.mem, r.alc);
    idbpq_buffer_init(&r.sk, r.alc);
    idbpq_buffer_init(&r.hdr_text, r.alc);
    idbpq_buffer_init(&r.l_sk, r.alc);
    idbpq_buffer_init(&r.l_prev, r.alc);
    idbpq_buffer_init(&r.s_sk, r.alc);
    idbpq_status st = idbpq_vbatch_create(&r.lb, r.alc);
    uint32_t max = opts->max_attempts ? opts->max_attempts : 20;
    for (uint32_t i = 0; st == IDBPQ_OK; i++) {
        int retry = 0;
        st = attempt(&r, &retry);
        run_reset(&r);
        if (st != IDBPQ_OK || !retry) break;
        if (i + 1 >= max) {
            st = idbpq__verr(r.err, IDBPQ_CONFLICT, 0,
                             "the table kept changing: gave up after %u attempts", max);
        }
    }
    idbpq_vbatch_free(r.lb);
    idbpq_buffer_free(&r.sk);
    idbpq_buffer_free(&r.hdr_text);
    idbpq_buffer_free(&r.l_sk);
    idbpq_buffer_free(&r.l_prev);
    idbpq_buffer_free(&r.s_sk);
    idbpq__free(r.alc, r.pulls, r.cap_pulls * sizeof *r.pulls);
    idbpq__free(r.alc, r.upds, r.cap_upds * sizeof *r.upds);
    idbpq__arena_free(&r.mem);
    return st;
}
