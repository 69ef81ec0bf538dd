/*
 * sync_state_file.c — the sync state in one file: what the store held at the last sync, as
 * key -> 16-byte content digest in key order, plus a JSON header (table id, replica id, the
 * table version synced). The CLI keeps it beside nothing the user owns (profiles are never
 * written). Layout, all integers little-endian:
 *
 *   "IDBPQST1"  u32 header_len  header JSON
 *   entries:    u32 key_len (>= 1)  key (sortable key encoding)  digest[16]   ... in key order
 *   trailer:    u32 0  u64 entry count  u32 CRC-32 of every byte before the CRC
 *
 * The file is read as a stream (a buffered FILE), so memory does not grow with the store. A
 * save merges the old file with the updates into a temporary file that is fsynced and renamed
 * over the old one (idbpq_file_sink): a crash leaves the previous state whole. The CRC and the
 * trailer's count catch a truncated or damaged file, which is refused with its offset rather
 * than read as a smaller store (that would make every record look new, or deleted).
 */
#include "idb/idb.h"       /* idbpq__kbuf_append */
#include "sync/delta.h"   /* idbpq__dkey_cmp */
#include "value/value.h"  /* idbpq__verr */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define MAGIC "IDBPQST1"
#define MAX_HEADER (1u << 20)
#define MAX_KEY (1u << 24)

#define RBUF (256u << 10)

struct state_file {
    const idbpq_allocator *alc;
    char *path;
    FILE *f;                   /* open for the entry stream, NULL otherwise */
    uint64_t off;              /* bytes consumed from f */
    uint32_t crc;              /* over the consumed bytes before rb[crc_pos] */
    /* Read through our own buffer: entries are a few bytes each, and a call into stdio and
     * into the CRC per field costs more than the bytes (it was a tenth of a sync). */
    uint8_t *rb;
    size_t rpos, rlen, crc_pos;
    uint64_t count;            /* entries read */
    uint8_t *key;              /* the last key read (entries point here) */
    size_t key_cap;
    uint8_t *prev;             /* the key before it: entries must be in key order */
    size_t prev_cap, prev_len, prev_len_next;
    int ended;
};

/* The CRC of every byte consumed so far. */
static uint32_t crc_now(struct state_file *s)
{
    s->crc = idbpq__crc32(s->crc, s->rb + s->crc_pos, s->rpos - s->crc_pos);
    s->crc_pos = s->rpos;
    return s->crc;
}

/* Reads exactly n bytes (n <= RBUF) and returns them (valid until the next call). */
static idbpq_status take(struct state_file *s, size_t n, const uint8_t **out, idbpq_error *err)
{
    if (s->rlen - s->rpos < n) {
        crc_now(s);
        memmove(s->rb, s->rb + s->rpos, s->rlen - s->rpos);
        s->rlen -= s->rpos;
        s->rpos = s->crc_pos = 0;
        s->rlen += fread(s->rb + s->rlen, 1, RBUF - s->rlen, s->f);
        if (s->rlen < n)
            return idbpq__verr(err, IDBPQ_CORRUPT, s->off + s->rlen, "%s: sync state truncated",
                        s->path);
    }
    *out = s->rb + s->rpos;
    s->rpos += n;
    s->off += n;
    return IDBPQ_OK;
}

/* Reads exactly n bytes into p, in pieces (a key may be longer than the buffer). */
static idbpq_status rd(struct state_file *s, void *p, size_t n, idbpq_error *err)
{
    uint8_t *q = p;
    while (n) {
        size_t k = n < RBUF ? n : RBUF;
        const uint8_t *src;
        IDBPQ__TRY(take(s, k, &src, err));
        memcpy(q, src, k);
        q += k;
        n -= k;
    }
    return IDBPQ_OK;
}

static void close_stream(struct state_file *s)
{
    if (s->f) fclose(s->f);
    s->f = NULL;
}

/* Opens the file and reads the header; *header gets it when not NULL. END: no file. */
static idbpq_status open_stream(struct state_file *s, idbpq_buffer *header, idbpq_error *err)
{
    close_stream(s);
    s->off = 0;
    s->crc = 0;
    s->count = 0;
    s->ended = 0;
    s->rpos = s->rlen = s->crc_pos = 0;
    if (!s->rb && !(s->rb = idbpq__malloc(s->alc, RBUF))) return IDBPQ_NOMEM;
    s->f = fopen(s->path, "rb");
    if (!s->f) {
        if (errno == ENOENT) return IDBPQ_END;
        return idbpq__verr(err, IDBPQ_IO, 0, "%s: %s", s->path, strerror(errno));
    }
    char magic[8];
    uint8_t l4[4];
    IDBPQ__TRY(rd(s, magic, 8, err));
    if (memcmp(magic, MAGIC, 8))
        return idbpq__verr(err, IDBPQ_CORRUPT, 0, "%s: not an idbpq sync state file", s->path);
    IDBPQ__TRY(rd(s, l4, 4, err));
    uint32_t hl = idbpq__le32(l4);
    if (hl > MAX_HEADER)
        return idbpq__verr(err, IDBPQ_CORRUPT, 8, "%s: sync state header length absurd at byte 8",
                    s->path);
    /* Straight from the read buffer into the caller's (skipped when not wanted). */
    if (header) header->len = 0;
    for (size_t left = hl; left;) {
        size_t k = left < RBUF ? left : RBUF;
        const uint8_t *src;
        IDBPQ__TRY(take(s, k, &src, err));
        if (header) IDBPQ__TRY(idbpq__kbuf_append(header, src, k));
        left -= k;
    }
    if (!header) return IDBPQ_OK;
    IDBPQ__TRY(idbpq__kbuf_append(header, "", 1)); /* NUL-terminated, not counted */
    header->len--;
    return IDBPQ_OK;
}

static idbpq_status st_load(void *ctx, idbpq_buffer *header, idbpq_error *err)
{
    struct state_file *s = ctx;
    idbpq_status st = open_stream(s, header, err);
    close_stream(s);
    return st;
}

static idbpq_status st_rewind(void *ctx, idbpq_error *err)
{
    struct state_file *s = ctx;
    idbpq_status st = open_stream(s, NULL, err);
    if (st == IDBPQ_END) {
        s->ended = 1;  /* no state yet: no entries */
        return IDBPQ_OK;
    }
    return st;
}

static idbpq_status st_next(void *ctx, idbpq_sync_state_entry *e, idbpq_error *err)
{
    struct state_file *s = ctx;
    if (s->ended || !s->f) return IDBPQ_END;
    const uint8_t *l4;
    IDBPQ__TRY(take(s, 4, &l4, err));
    uint32_t kl = idbpq__le32(l4);
    if (kl == 0) {  /* the trailer */
        const uint8_t *t, *c4;
        uint64_t at = s->off;
        IDBPQ__TRY(take(s, 8, &t, err));
        uint64_t count = idbpq__le64(t);
        uint32_t want = crc_now(s);
        IDBPQ__TRY(take(s, 4, &c4, err));
        if (count != s->count || idbpq__le32(c4) != want)
            return idbpq__verr(err, IDBPQ_CHECKSUM, at,
                        "%s: sync state damaged (count or CRC-32 mismatch in the trailer)",
                        s->path);
        s->ended = 1;
        close_stream(s);
        return IDBPQ_END;
    }
    if (kl > MAX_KEY)
        return idbpq__verr(err, IDBPQ_CORRUPT, s->off - 4, "%s: sync state key length absurd",
                    s->path);
    /* The key before becomes prev (swap the buffers), then the new key is read. */
    uint8_t *tp = s->prev;
    size_t tc = s->prev_cap;
    s->prev = s->key;
    s->prev_cap = s->key_cap;
    s->prev_len = s->count ? s->prev_len_next : 0;
    s->key = tp;
    s->key_cap = tc;
    if (kl > s->key_cap) {
        uint8_t *p = idbpq__realloc(s->alc, s->key, s->key_cap, kl);
        if (!p) return IDBPQ_NOMEM;
        s->key = p;
        s->key_cap = kl;
    }
    uint64_t at = s->off;
    IDBPQ__TRY(rd(s, s->key, kl, err));
    IDBPQ__TRY(rd(s, e->hash, 16, err));
    /* The walk merges the state with the store by key: an entry out of order would pair
     * digests with the wrong records without a word. */
    if (s->count && idbpq__dkey_cmp(s->prev, s->prev_len, s->key, kl) >= 0)
        return idbpq__verr(err, IDBPQ_CORRUPT, at, "%s: sync state keys out of order", s->path);
    s->prev_len_next = kl;
    e->key = s->key;
    e->key_len = kl;
    e->deleted = 0;
    s->count++;
    return IDBPQ_OK;
}

/* ---- save: merge the old entries with the updates ----------------------------------------- */

/* Updates sorted by key, equal keys in the order given (the later one wins): qsort is not
 * stable, so each carries its position. */
struct upd {
    idbpq_sync_state_entry e;
    size_t pos;
};

static int upd_cmp(const void *x, const void *y)
{
    const struct upd *a = x, *b = y;
    int c = idbpq__dkey_cmp(a->e.key, a->e.key_len, b->e.key, b->e.key_len);
    if (c) return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int same_key(const struct upd *a, const struct upd *b)
{
    return !idbpq__dkey_cmp(a->e.key, a->e.key_len, b->e.key, b->e.key_len);
}

/* The new file, written through a buffer that is CRC'd and handed to the sink whole. */
struct writer {
    idbpq_sink sink;
    uint32_t crc;
    uint64_t count;
    idbpq_status st;
    uint8_t *buf;
    size_t n;
};

static void w_flush(struct writer *w)
{
    if (w->st != IDBPQ_OK || !w->n) return;
    w->crc = idbpq__crc32(w->crc, w->buf, w->n);
    w->st = w->sink.write(w->sink.ctx, w->buf, w->n);
    w->n = 0;
}

static void w_bytes(struct writer *w, const void *p, size_t n)
{
    const uint8_t *q = p;
    while (w->st == IDBPQ_OK && n) {
        if (w->n == RBUF) w_flush(w);
        size_t k = RBUF - w->n < n ? RBUF - w->n : n;
        memcpy(w->buf + w->n, q, k);
        w->n += k;
        q += k;
        n -= k;
    }
}

static void w_u32(struct writer *w, uint32_t v)
{
    uint8_t b[4];
    idbpq__st_le32(b, v);
    w_bytes(w, b, 4);
}

static void w_entry(struct writer *w, const uint8_t *k, size_t kn, const uint8_t h[16])
{
    w_u32(w, (uint32_t)kn);
    w_bytes(w, k, kn);
    w_bytes(w, h, 16);
    w->count++;
}

static idbpq_status st_save(void *ctx, const char *header, const idbpq_sync_state_entry *e,
                            size_t n, idbpq_error *err)
{
    struct state_file *s = ctx;
    size_t hl = header ? strlen(header) : 0;
    if (hl > MAX_HEADER) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "%s: header too long",
                                     s->path);
    for (size_t i = 0; i < n; i++)
        if (!e[i].key_len || e[i].key_len > MAX_KEY)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "%s: a state key is empty or too long",
                        s->path);
    struct upd *u = NULL;
    if (n) {
        u = idbpq__malloc(s->alc, n * sizeof *u);
        if (!u) return IDBPQ_NOMEM;
        for (size_t i = 0; i < n; i++) {
            u[i].e = e[i];
            u[i].pos = i;
        }
        qsort(u, n, sizeof *u, upd_cmp);
    }
    idbpq_file_sink *fs = NULL;
    struct writer w = {0};
    if (!(w.buf = idbpq__malloc(s->alc, RBUF))) {
        idbpq__free(s->alc, u, n * sizeof *u);
        return IDBPQ_NOMEM;
    }
    char eb[256] = "";
    idbpq_status st = idbpq_file_sink_open(&fs, s->path, &w.sink, eb, sizeof eb);
    if (st != IDBPQ_OK) {
        idbpq__free(s->alc, u, n * sizeof *u);
        return idbpq__verr(err, st, 0, "%s", eb);
    }
    w_bytes(&w, MAGIC, 8);
    w_u32(&w, (uint32_t)hl);
    w_bytes(&w, header, hl);
    /* Merge: the old stream and the sorted updates; for equal keys the last update wins. */
    idbpq_sync_state_entry old;
    st = st_rewind(s, err);
    idbpq_status ost = st == IDBPQ_OK ? st_next(s, &old, err) : st;
    size_t i = 0;
    while (st == IDBPQ_OK && w.st == IDBPQ_OK && (ost == IDBPQ_OK || i < n)) {
        while (i + 1 < n && same_key(&u[i], &u[i + 1])) i++;  /* the last of equal keys */
        int c = ost != IDBPQ_OK ? 1
              : i >= n          ? -1
                                : idbpq__dkey_cmp(old.key, old.key_len, u[i].e.key, u[i].e.key_len);
        if (c < 0) {
            w_entry(&w, old.key, old.key_len, old.hash);
            ost = st_next(s, &old, err);
        } else {
            if (!u[i].e.deleted) w_entry(&w, u[i].e.key, u[i].e.key_len, u[i].e.hash);
            if (c == 0) ost = st_next(s, &old, err);
            i++;
        }
        if (ost != IDBPQ_OK && ost != IDBPQ_END) st = ost;
    }
    close_stream(s);
    if (st == IDBPQ_OK && w.st == IDBPQ_OK) {
        uint8_t t[8];
        w_u32(&w, 0);
        idbpq__st_le64(t, w.count);
        w_bytes(&w, t, 8);
        w_flush(&w);
        uint8_t c4[4];
        idbpq__st_le32(c4, w.crc);
        if (w.st == IDBPQ_OK) w.st = w.sink.write(w.sink.ctx, c4, 4);
    }
    if (st == IDBPQ_OK && w.st != IDBPQ_OK)
        st = idbpq__verr(err, w.st, 0, "%s: writing the sync state failed", s->path);
    if (st == IDBPQ_OK) {
        st = idbpq_file_sink_commit(fs, eb, sizeof eb);
        if (st != IDBPQ_OK) idbpq__verr(err, st, 0, "%s", eb);
    }
    idbpq_file_sink_abort(fs);
    idbpq__free(s->alc, u, n * sizeof *u);
    idbpq__free(s->alc, w.buf, RBUF);
    return st;
}

idbpq_status idbpq_sync_state_file(idbpq_sync_state *st, const char *path,
                                   const idbpq_allocator *alc, idbpq_error *err)
{
    if (!st || !path) return IDBPQ_INVALID_ARG;
    memset(st, 0, sizeof *st);
    alc = idbpq__alc(alc);
    struct state_file *s = idbpq__calloc(alc, sizeof *s);
    if (!s) return IDBPQ_NOMEM;
    s->alc = alc;
    s->path = idbpq__strndup(alc, path, SIZE_MAX);
    if (!s->path) {
        idbpq__free(alc, s, sizeof *s);
        return IDBPQ_NOMEM;
    }
    (void)err;
    st->ctx = s;
    st->load = st_load;
    st->rewind = st_rewind;
    st->next = st_next;
    st->save = st_save;
    return IDBPQ_OK;
}

void idbpq_sync_state_file_free(idbpq_sync_state *st)
{
    if (!st || !st->ctx) return;
    struct state_file *s = st->ctx;
    close_stream(s);
    idbpq__free(s->alc, s->rb, RBUF);
    idbpq__free(s->alc, s->key, s->key_cap);
    idbpq__free(s->alc, s->prev, s->prev_cap);
    idbpq__free(s->alc, s->path, strlen(s->path) + 1);
    idbpq__free(s->alc, s, sizeof *s);
    st->ctx = NULL;
}
