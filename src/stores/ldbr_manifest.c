/*
 * ldbr_manifest.c — the MANIFEST: a log whose records are VersionEdits. Replaying them in
 * order gives the current version: the comparator name, the log numbers (logs below
 * log_number are already in tables), and the live table files per level.
 *
 * A VersionEdit is a sequence of (varint32 tag, fields): 1 comparator (length-prefixed), 2 log
 * number, 3 next file number, 4 last sequence, 9 prev log number (varint64 each), 5 compact
 * pointer (level, internal key), 6 deleted file (level, number), 7 new file (level, number,
 * size, smallest and largest internal keys). Within one edit LevelDB applies the deletions
 * before the additions; so the state of a (level, file) is the one of its last operation,
 * with an edit's deletions ordered before its additions.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

#include <stdlib.h>

#define LEVELS 7

struct op {
    uint64_t number, size, ord; /* ord: edit * 2 + (1 for an addition), then record order */
    uint32_t level, add;
    const uint8_t *smallest, *largest;
    size_t sn, ln;
};

struct rep {
    struct idbpq__ldbr_version *v;
    const char *name;
    struct op *ops;
    size_t nops, cap;
    uint64_t edits;
    const idbpq_allocator *alc;
    idbpq__ldbr_damage_fn damage;
    void *damage_ctx;
    uint64_t bad_off;
    const char *bad_what;
    idbpq_error *err;
};

static void on_damage(void *ctx, const char *file, uint64_t off, const char *what)
{
    struct rep *r = ctx;
    if (r->damage) r->damage(r->damage_ctx, file, off, what);
    if (!r->bad_what && strcmp(what, "log record truncated at end of file") != 0) {
        r->bad_what = what;
        r->bad_off = off;
    }
}

static idbpq_status push(struct rep *r, const struct op *o)
{
    if (r->nops == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        struct op *n = idbpq__realloc(r->alc, r->ops, r->cap * sizeof *n, nc * sizeof *n);
        if (!n) return IDBPQ_NOMEM;
        r->ops = n;
        r->cap = nc;
    }
    r->ops[r->nops++] = *o;
    return IDBPQ_OK;
}

/* A length-prefixed slice copied into the version's arena. */
static int slice(struct rep *r, const uint8_t **p, const uint8_t *end, const uint8_t **out,
                 size_t *n)
{
    uint32_t len;
    if (ldbr_v32(p, end, &len) || len > (size_t)(end - *p)) return -1;
    uint8_t *c = idbpq__arena_alloc(&r->v->arena, len + 1);
    if (!c) return -2;
    memcpy(c, *p, len);
    c[len] = 0;
    *p += len;
    *out = c;
    *n = len;
    return 0;
}

static idbpq_status edit(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
    struct rep *r = ctx;
    struct idbpq__ldbr_version *v = r->v;
    const uint8_t *q = p, *end = p + n;
    uint64_t e = r->edits++;
    while (q < end) {
        uint32_t tag, level;
        uint64_t x;
        const uint8_t *s;
        size_t sn;
        struct op o;
        int bad = 0;
        if (ldbr_v32(&q, end, &tag)) goto malformed;
        switch (tag) {
        case 1:
            bad = slice(r, &q, end, &s, &sn);
            if (!bad) v->comparator = (char *)s;
            break;
        case 2: case 3: case 4: case 9:
            if (idbpq__read_uleb(&q, end, &x)) goto malformed;
            if (tag == 2) v->log_number = x;
            else if (tag == 3) v->next_file = x;
            else if (tag == 4) v->last_sequence = x;
            else v->prev_log_number = x;
            break;
        case 5:
            if (ldbr_v32(&q, end, &level) || level >= LEVELS) goto malformed;
            if (ldbr_v32(&q, end, &level) || level > (size_t)(end - q)) goto malformed;
            q += level; /* compact pointers only steer compactions */
            break;
        case 6:
        case 7:
            memset(&o, 0, sizeof o);
            if (ldbr_v32(&q, end, &o.level) || o.level >= LEVELS ||
                idbpq__read_uleb(&q, end, &o.number))
                goto malformed;
            o.add = tag == 7;
            o.ord = ((e * 2 + o.add) << 20) + (r->nops & 0xfffff);
            if (o.add) {
                if (idbpq__read_uleb(&q, end, &o.size)) goto malformed;
                bad = slice(r, &q, end, &o.smallest, &o.sn);
                if (!bad) bad = slice(r, &q, end, &o.largest, &o.ln);
                if (!bad && (o.sn < 8 || o.ln < 8)) bad = -1;
            }
            if (!bad && push(r, &o) != IDBPQ_OK) bad = -2;
            break;
        default:
            goto malformed;
        }
        if (bad == -2) return idbpq__verr(r->err, IDBPQ_NOMEM, off, "%s: out of memory", r->name);
        if (bad) goto malformed;
    }
    return IDBPQ_OK;
malformed:
    return idbpq__verr(r->err, IDBPQ_CORRUPT, off, "%s: malformed VersionEdit at offset %llu",
                       r->name, (unsigned long long)off);
}

static int op_cmp(const void *a, const void *b)
{
    const struct op *x = a, *y = b;
    if (x->level != y->level) return x->level < y->level ? -1 : 1;
    if (x->number != y->number) return x->number < y->number ? -1 : 1;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

idbpq_status idbpq__ldbr_manifest_replay(const uint8_t *p, size_t n, const char *name,
                                         struct idbpq__ldbr_version *v,
                                         idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                         const idbpq_allocator *alc, idbpq_error *err)
{
    memset(v, 0, sizeof *v);
    idbpq__arena_init(&v->arena, alc);
    struct rep r;
    memset(&r, 0, sizeof r);
    r.v = v;
    r.name = name;
    r.alc = idbpq__alc(alc);
    r.damage = damage;
    r.damage_ctx = damage_ctx;
    r.err = err;
    idbpq_status st = idbpq__ldbr_log_parse(p, n, name, edit, &r, on_damage, &r, alc);
    if (st == IDBPQ_NOMEM) idbpq__verr(err, st, 0, "%s: out of memory", name);
    if (st == IDBPQ_OK && r.bad_what)
        st = idbpq__verr(err, IDBPQ_CORRUPT, r.bad_off, "%s: %s at offset %llu", name,
                         r.bad_what, (unsigned long long)r.bad_off);
    if (st == IDBPQ_OK && r.edits == 0)
        st = idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: no VersionEdit", name);
    if (st == IDBPQ_OK && r.nops) {
        qsort(r.ops, r.nops, sizeof *r.ops, op_cmp);
        size_t live = 0;
        for (size_t i = 0; i < r.nops; i++) {
            int last = i + 1 == r.nops || r.ops[i + 1].level != r.ops[i].level ||
                       r.ops[i + 1].number != r.ops[i].number;
            if (last && r.ops[i].add) live++;
        }
        v->files = idbpq__arena_alloc(&v->arena, (live ? live : 1) * sizeof *v->files);
        if (!v->files) st = idbpq__verr(err, IDBPQ_NOMEM, 0, "%s: out of memory", name);
        for (size_t i = 0; st == IDBPQ_OK && i < r.nops; i++) {
            const struct op *o = &r.ops[i];
            int last = i + 1 == r.nops || r.ops[i + 1].level != o->level ||
                       r.ops[i + 1].number != o->number;
            if (!last || !o->add) continue;
            struct idbpq__ldbr_file *f = &v->files[v->nfiles++];
            f->level = (int)o->level;
            f->number = o->number;
            f->size = o->size;
            f->smallest = o->smallest;
            f->largest = o->largest;
            f->sn = o->sn;
            f->ln = o->ln;
        }
    }
    idbpq__free(r.alc, r.ops, r.cap * sizeof *r.ops);
    return st;
}

void idbpq__ldbr_version_free(struct idbpq__ldbr_version *v)
{
    if (!v) return;
    idbpq__arena_free(&v->arena);
    memset(v, 0, sizeof *v);
}
