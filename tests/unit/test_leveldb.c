/*
 * test_leveldb.c — the LevelDB reader (src/stores/ldbr_*.c) on hand-built files: CRC-32C
 * vectors; logs with records across 32 KiB blocks, a bad checksum (reported where the record
 * starts, the next blocks still read), a truncated tail, a lying length; write batches; blocks
 * with restart points and prefix-compressed keys (seeks); tables plain and snappy, a bad
 * footer, a damaged block, lying handles and lengths (damage, never a crash or an allocation
 * the input cannot account for); a whole directory (MANIFEST edits, deleted files, logs over
 * tables, deletions, the comparator name).
 */
#include "stores/ldbr_int.h"
#include "test.h"

#include <fcntl.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- builders ------------------------------------------------------------------------------ */

struct bb { uint8_t *p; size_t n, cap; };
static void put(struct bb *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}
static void put8(struct bb *b, uint8_t v) { put(b, &v, 1); }
static void put32(struct bb *b, uint32_t v) { put(b, &v, 4); }
static void put64(struct bb *b, uint64_t v) { put(b, &v, 8); }
static void putv(struct bb *b, uint64_t v)
{
    while (v >= 0x80) put8(b, (uint8_t)(v | 0x80)), v >>= 7;
    put8(b, (uint8_t)v);
}
static void putslice(struct bb *b, const void *p, size_t n) { putv(b, n); put(b, p, n); }
static uint32_t mask(uint32_t c) { return ((c >> 15) | (c << 17)) + 0xa282ead8u; }

/* One physical log record at the end of b (the caller keeps block boundaries). */
static void log_phys(struct bb *b, uint8_t type, const uint8_t *d, size_t n)
{
    uint8_t t = type;
    uint32_t c = idbpq__crc32c(idbpq__crc32c(0, &t, 1), d, n);
    put32(b, mask(c));
    uint16_t len = (uint16_t)n;
    put(b, &len, 2);
    put8(b, type);
    put(b, d, n);
}

/* A logical record, fragmented as LevelDB's writer does; returns its offset. */
static size_t log_rec(struct bb *b, const uint8_t *d, size_t n)
{
    int first = 1;
    size_t start = 0;
    do {
        size_t left = 32768 - b->n % 32768;
        if (left < 7) {
            static const uint8_t z[7];
            put(b, z, left);
            left = 32768;
        }
        if (first) start = b->n;
        size_t avail = left - 7, frag = n < avail ? n : avail;
        int end = frag == n;
        uint8_t type = first && end ? 1 : first ? 2 : end ? 4 : 3;
        log_phys(b, type, d, frag);
        d += frag;
        n -= frag;
        first = 0;
    } while (n > 0);
    return start;
}

struct kv { uint8_t k[48]; size_t kn; const uint8_t *v; size_t vn; };

/* A block of entries with prefix compression and a restart point every `interval`. */
static void block_build(struct bb *b, const struct kv *e, size_t n, int interval)
{
    uint32_t rest[4096];
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        size_t shared = 0;
        if (i % (size_t)interval == 0) {
            rest[nr++] = (uint32_t)b->n;
        } else {
            while (shared < e[i].kn && shared < e[i - 1].kn && e[i].k[shared] == e[i - 1].k[shared]) shared++;
        }
        putv(b, shared);
        putv(b, e[i].kn - shared);
        putv(b, e[i].vn);
        put(b, e[i].k + shared, e[i].kn - shared);
        put(b, e[i].v, e[i].vn);
    }
    if (nr == 0) rest[nr++] = 0;
    for (size_t i = 0; i < nr; i++) put32(b, rest[i]);
    put32(b, (uint32_t)nr);
}

/* Writes a block with its trailer; returns its handle. */
static void block_write(struct bb *f, const struct bb *blk, int compress, uint64_t *off,
                        uint64_t *size)
{
    *off = f->n;
    uint8_t type = 0;
    if (compress) {
        size_t cn = snappy_max_compressed_length(blk->n);
        char *c = malloc(cn);
        snappy_compress((const char *)blk->p, blk->n, c, &cn);
        put(f, c, cn);
        free(c);
        type = 1;
    } else {
        put(f, blk->p, blk->n);
    }
    *size = f->n - *off;
    uint32_t c = idbpq__crc32c(idbpq__crc32c(0, f->p + *off, (size_t)*size), &type, 1);
    put8(f, type);
    put32(f, mask(c));
}

/* A table of sorted entries (internal keys) in blocks of `per` entries. */
static void table_build(struct bb *f, const struct kv *e, size_t n, size_t per, int compress)
{
    struct kv idx[512];
    uint8_t handles[512][20];
    size_t ni = 0;
    for (size_t s = 0; s < n; s += per) {
        size_t m = n - s < per ? n - s : per;
        struct bb blk = {0};
        block_build(&blk, e + s, m, 4);
        uint64_t off, size;
        block_write(f, &blk, compress, &off, &size);
        free(blk.p);
        struct bb h = {0};
        putv(&h, off);
        putv(&h, size);
        memcpy(handles[ni], h.p, h.n);
        idx[ni] = e[s + m - 1];
        idx[ni].v = handles[ni];
        idx[ni].vn = h.n;
        free(h.p);
        ni++;
    }
    struct bb meta = {0}, ib = {0};
    block_build(&meta, NULL, 0, 1);
    block_build(&ib, idx, ni, 1);
    uint64_t mo, ms, io, is;
    block_write(f, &meta, 0, &mo, &ms);
    block_write(f, &ib, compress, &io, &is);
    free(meta.p);
    free(ib.p);
    struct bb foot = {0};
    putv(&foot, mo);
    putv(&foot, ms);
    putv(&foot, io);
    putv(&foot, is);
    while (foot.n < 40) put8(&foot, 0);
    put64(&foot, LDBR_MAGIC);
    put(f, foot.p, foot.n);
    free(foot.p);
}

static void ikey(struct kv *e, const char *uk, uint64_t seq, int type, const char *v)
{
    e->kn = strlen(uk);
    memcpy(e->k, uk, e->kn);
    uint64_t tag = seq << 8 | (uint64_t)type;
    memcpy(e->k + e->kn, &tag, 8);
    e->kn += 8;
    e->v = (const uint8_t *)v;
    e->vn = strlen(v);
}

/* ---- callbacks ----------------------------------------------------------------------------- */

struct seen {
    size_t nrec, ndmg;
    uint64_t rec_off[64], rec_len[64], dmg_off[16];
    int rec_id[64];
    char dmg_what[16][80];
    uint8_t *last;
};
static void on_dmg(void *ctx, const char *file, uint64_t off, const char *what)
{
    struct seen *s = ctx;
    (void)file;
    if (s->ndmg < 16) {
        s->dmg_off[s->ndmg] = off;
        snprintf(s->dmg_what[s->ndmg], 80, "%s", what);
    }
    s->ndmg++;
}
static idbpq_status on_rec(void *ctx, const uint8_t *d, size_t n, uint64_t off)
{
    struct seen *s = ctx;
    if (s->nrec < 64) {
        s->rec_off[s->nrec] = off;
        s->rec_len[s->nrec] = n;
        s->rec_id[s->nrec] = n ? d[0] : -1; /* test records are filled with their number */
        for (size_t j = 0; j < n; j++)
            if (d[j] != d[0]) return IDBPQ_CORRUPT;
    }
    s->nrec++;
    return IDBPQ_OK;
}

static uint8_t *filled(size_t n, int byte)
{
    uint8_t *p = malloc(n ? n : 1);
    memset(p, byte, n);
    return p;
}

/* ---- CRC-32C ------------------------------------------------------------------------------- */

static uint32_t crc_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return ~c;
}

TEST(leveldb_crc32c)
{
    CHECK_EQ_INT(idbpq__crc32c(0, "123456789", 9), 0xe3069283u);
    uint8_t z[32] = {0}, buf[300];
    CHECK_EQ_INT(idbpq__crc32c(0, z, 32), 0x8a9136aau);
    uint64_t s = idbpq_test_seed();
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)idbpq_test_rand(&s);
    for (size_t off = 0; off < 9; off++)
        for (size_t n = 0; n + off <= sizeof buf; n += 7) {
            CHECK_EQ_INT(idbpq__crc32c(0, buf + off, n), crc_ref(buf + off, n));
            /* extending = one pass */
            uint32_t a = idbpq__crc32c(idbpq__crc32c(0, buf + off, n / 3), buf + off + n / 3, n - n / 3);
            CHECK_EQ_INT(a, crc_ref(buf + off, n));
        }
    CHECK_EQ_INT(idbpq__crc32c_unmask(mask(0x12345678u)), 0x12345678u);
}

/* ---- logs ---------------------------------------------------------------------------------- */

TEST(leveldb_log_fragments)
{
    /* sizes around the block edges: a record ending 6 bytes before a block end leaves a
     * trailer; 32761 fills a block exactly; 100000 spans four blocks */
    size_t sizes[] = {10, 32768 - 7 - 10 - 7 - 6 - 7 + 0, 5, 32761, 100000, 0, 40000, 1};
    size_t nr = sizeof sizes / sizeof sizes[0];
    struct bb b = {0};
    uint64_t offs[16];
    for (size_t i = 0; i < nr; i++) {
        uint8_t *d = filled(sizes[i], (int)i);
        offs[i] = log_rec(&b, d, sizes[i]);
        free(d);
    }
    struct seen s = {0};
    REQUIRE_OK(idbpq__ldbr_log_parse(b.p, b.n, "x.log", on_rec, &s, on_dmg, &s, NULL));
    CHECK_EQ_INT(s.ndmg, 0);
    REQUIRE_EQ_INT(s.nrec, nr);
    for (size_t i = 0; i < nr; i++) {
        CHECK_EQ_INT(s.rec_len[i], sizes[i]);
        CHECK_EQ_INT(s.rec_off[i], offs[i]);
        if (sizes[i]) CHECK_EQ_INT(s.rec_id[i], (int)i);
    }
    free(b.p);
}

TEST(leveldb_log_bad_crc)
{
    struct bb b = {0};
    uint64_t offs[8];
    for (int i = 0; i < 6; i++) {
        uint8_t *d = filled(i == 3 ? 20000 : 9000, i); /* 0,1,2 in block 0; 3 spans 0-1 */
        offs[i] = log_rec(&b, d, i == 3 ? 20000 : 9000);
        free(d);
    }
    b.p[offs[1] + 7 + 100] ^= 1; /* record 1's data */
    struct seen s = {0};
    REQUIRE_OK(idbpq__ldbr_log_parse(b.p, b.n, "x.log", on_rec, &s, on_dmg, &s, NULL));
    /* record 1 reported where it starts; 2 and 3 (FIRST in block 0) lost with the rest of the
     * block; 3's tail in block 1 is a fragment without a start; 4 and 5 are read */
    REQUIRE(s.ndmg >= 1);
    CHECK_EQ_INT(s.dmg_off[0], offs[1]);
    CHECK(strstr(s.dmg_what[0], "checksum") != NULL);
    REQUIRE_EQ_INT(s.nrec, 3);
    CHECK_EQ_INT(s.rec_id[0], 0);
    CHECK_EQ_INT(s.rec_id[1], 4);
    CHECK_EQ_INT(s.rec_id[2], 5);
    CHECK_EQ_INT(s.rec_off[1], offs[4]);
    free(b.p);
}

TEST(leveldb_log_truncated)
{
    struct bb b = {0};
    uint64_t offs[4];
    for (int i = 0; i < 3; i++) {
        uint8_t *d = filled(100, i);
        offs[i] = log_rec(&b, d, 100);
        free(d);
    }
    size_t cuts[] = {b.n - 1, offs[2] + 3, offs[2] + 7};
    for (int c = 0; c < 3; c++) {
        struct seen s = {0};
        REQUIRE_OK(idbpq__ldbr_log_parse(b.p, cuts[c], "x.log", on_rec, &s, on_dmg, &s, NULL));
        CHECK_EQ_INT(s.nrec, 2);
        REQUIRE_EQ_INT(s.ndmg, 1);
        CHECK_EQ_INT(s.dmg_off[0], offs[2]);
        CHECK(strstr(s.dmg_what[0], "truncated") != NULL);
    }
    /* a lying length: the rest of the block is skipped, the next block is read */
    struct bb l = {0};
    uint8_t *d = filled(30000, 0);
    log_rec(&l, d, 30000);
    free(d);
    size_t at = l.n;
    d = filled(50, 1);
    log_rec(&l, d, 50);
    while (l.n % 32768) put8(&l, 0);
    d[0] = 2;
    memset(d, 2, 50);
    log_rec(&l, d, 50);
    free(d);
    l.p[at + 4] = 0xff, l.p[at + 5] = 0xff;
    struct seen s = {0};
    REQUIRE_OK(idbpq__ldbr_log_parse(l.p, l.n, "x.log", on_rec, &s, on_dmg, &s, NULL));
    REQUIRE_EQ_INT(s.nrec, 2);
    CHECK_EQ_INT(s.rec_id[1], 2);
    REQUIRE_EQ_INT(s.ndmg, 1);
    CHECK_EQ_INT(s.dmg_off[0], at);
    free(l.p);
    free(b.p);
}

struct bs { int n, dels; uint64_t seq[8]; };
static idbpq_status on_put(void *ctx, uint64_t seq, int type, const uint8_t *k, size_t kn,
                           const uint8_t *v, size_t vn)
{
    struct bs *b = ctx;
    (void)k, (void)kn, (void)v, (void)vn;
    if (b->n < 8) b->seq[b->n] = seq;
    b->n++;
    b->dels += type == 0;
    return IDBPQ_OK;
}

TEST(leveldb_batch)
{
    struct bb b = {0};
    put64(&b, 100);
    put32(&b, 3);
    put8(&b, 1), putslice(&b, "a", 1), putslice(&b, "va", 2);
    put8(&b, 0), putslice(&b, "b", 1);
    put8(&b, 1), putslice(&b, "c", 1), putslice(&b, "", 0);
    struct bs r = {0};
    idbpq_error err;
    REQUIRE_OK(idbpq__ldbr_batch_parse(b.p, b.n, on_put, &r, &err));
    CHECK_EQ_INT(r.n, 3);
    CHECK_EQ_INT(r.dels, 1);
    CHECK_EQ_INT(r.seq[2], 102);
    /* count that lies, truncation, huge lengths, unknown tag */
    b.p[8] = 4;
    CHECK_EQ_INT(idbpq__ldbr_batch_parse(b.p, b.n, on_put, &r, &err), IDBPQ_CORRUPT);
    b.p[8] = 2;
    CHECK_EQ_INT(idbpq__ldbr_batch_parse(b.p, b.n, on_put, &r, &err), IDBPQ_CORRUPT);
    b.p[8] = 3;
    for (size_t cut = 0; cut < b.n; cut++)
        CHECK_EQ_INT(idbpq__ldbr_batch_parse(b.p, cut, on_put, &r, &err), IDBPQ_CORRUPT);
    struct bb h = {0};
    put64(&h, 1), put32(&h, 1), put8(&h, 1);
    putv(&h, 0xfffffff0u);
    put(&h, "abc", 3);
    CHECK_EQ_INT(idbpq__ldbr_batch_parse(h.p, h.n, on_put, &r, &err), IDBPQ_CORRUPT);
    h.n = 12;
    put8(&h, 7);
    CHECK_EQ_INT(idbpq__ldbr_batch_parse(h.p, h.n, on_put, &r, &err), IDBPQ_CORRUPT);
    free(h.p);
    free(b.p);
}

/* ---- blocks and tables --------------------------------------------------------------------- */

static const char *vals[] = {"", "v", "value", "a longer value of some bytes"};

/* n entries "key%05d" (prefix-compressible), seq 1000 - i. */
static struct kv *entries(size_t n)
{
    struct kv *e = calloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "key%05zu", i * 3);
        ikey(&e[i], k, 1000 - i, 1, vals[i % 4]);
    }
    return e;
}

struct walk { size_t n, bad; const struct kv *want; size_t skip_from, skip_to; };
static idbpq_status on_entry(void *ctx, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    struct walk *w = ctx;
    if (w->n == w->skip_from) w->n = w->skip_to;
    const struct kv *e = &w->want[w->n++];
    if (e->kn != kn || memcmp(e->k, k, kn) || e->vn != vn || memcmp(e->v, v, vn)) w->bad++;
    return IDBPQ_OK;
}

TEST(leveldb_block_seek)
{
    struct kv *e = entries(50);
    struct bb b = {0};
    block_build(&b, e, 50, 3);
    struct ldbr_bit it;
    ldbr_bit_init(&it, NULL);
    REQUIRE_EQ_INT(ldbr_bit_set(&it, b.p, b.n), 0);
    CHECK_EQ_INT(it.nrest, 17);
    for (size_t i = 0; i < 50; i++) {
        for (int between = 0; between < 2; between++) {
            char k[32];
            snprintf(k, sizeof k, between ? "key%05zu" : "key%05zu", i * 3 + (size_t)between);
            REQUIRE_EQ_INT(ldbr_bit_seek(&it, NULL, (const uint8_t *)k, strlen(k), LDBR_SEEK_TAG), 0);
            size_t want = i + (size_t)between;
            if (want == 50) {
                CHECK(!it.valid);
                continue;
            }
            REQUIRE(it.valid);
            CHECK_EQ_INT(it.key.len, e[want].kn);
            CHECK_EQ_MEM(it.key.p, e[want].k, e[want].kn);
        }
    }
    /* the whole block in order */
    size_t n = 0;
    for (int r = ldbr_bit_first(&it); r == 0 && it.valid; r = ldbr_bit_next(&it), n++)
        CHECK_EQ_MEM(it.key.p, e[n].k, e[n].kn);
    CHECK_EQ_INT(n, 50);
    /* a restart count that does not fit, a shared length past the previous key */
    uint8_t bad[8] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f};
    CHECK_EQ_INT(ldbr_bit_set(&it, bad, sizeof bad), -1);
    b.p[0] = 5; /* first entry claims 5 shared bytes */
    REQUIRE_EQ_INT(ldbr_bit_set(&it, b.p, b.n), 0);
    CHECK_EQ_INT(ldbr_bit_first(&it), -1);
    ldbr_bit_free(&it);
    free(b.p);
    free(e);
}

TEST(leveldb_table_walk)
{
    struct kv *e = entries(400);
    for (int compress = 0; compress < 2; compress++) {
        struct bb f = {0};
        table_build(&f, e, 400, 16, compress);
        struct walk w = {0, 0, e, SIZE_MAX, 0};
        struct seen s = {0};
        idbpq_error err;
        REQUIRE_OK(idbpq__ldbr_table_walk(f.p, f.n, "t.ldb", on_entry, &w, on_dmg, &s, NULL, &err));
        CHECK_EQ_INT(w.n, 400);
        CHECK_EQ_INT(w.bad, 0);
        CHECK_EQ_INT(s.ndmg, 0);
        free(f.p);
    }
    free(e);
}

TEST(leveldb_table_damage)
{
    struct kv *e = entries(400);
    struct bb f = {0};
    table_build(&f, e, 400, 16, 1);
    idbpq_error err;
    /* a byte flipped inside the second data block: reported at the block, the rest read */
    struct ldbr_bit ix;
    ldbr_bit_init(&ix, NULL);
    {
        uint64_t io, is;
        REQUIRE(ldbr_footer(f.p + f.n - 48, f.n, &io, &is) == NULL);
        /* the index is snappy-compressed: decompress to find block 1's handle */
        size_t un;
        REQUIRE(snappy_uncompressed_length((const char *)f.p + io, is, &un) == SNAPPY_OK);
        char *u = malloc(un);
        snappy_uncompress((const char *)f.p + io, is, u, &un);
        REQUIRE_EQ_INT(ldbr_bit_set(&ix, (const uint8_t *)u, un), 0);
        ldbr_bit_first(&ix);
        ldbr_bit_next(&ix);
        const uint8_t *q = ix.val;
        uint64_t bo, bsz;
        REQUIRE_EQ_INT(ldbr_handle(&q, q + ix.vn, &bo, &bsz), 0);
        free(u);
        struct bb g = {0};
        put(&g, f.p, f.n);
        g.p[bo + bsz / 2] ^= 0x10;
        struct walk w = {0, 0, e, 16, 32};
        struct seen s = {0};
        REQUIRE_OK(idbpq__ldbr_table_walk(g.p, g.n, "t.ldb", on_entry, &w, on_dmg, &s, NULL, &err));
        CHECK_EQ_INT(w.n, 400);
        CHECK_EQ_INT(w.bad, 0);
        REQUIRE_EQ_INT(s.ndmg, 1);
        CHECK_EQ_INT(s.dmg_off[0], bo);
        /* the same block with a valid checksum but an unknown compression byte */
        memcpy(g.p, f.p, f.n);
        g.p[bo + bsz] = 9;
        uint8_t t = 9;
        uint32_t c = mask(idbpq__crc32c(idbpq__crc32c(0, g.p + bo, bsz), &t, 1));
        memcpy(g.p + bo + bsz + 1, &c, 4);
        memset(&s, 0, sizeof s);
        w.n = 0;
        REQUIRE_OK(idbpq__ldbr_table_walk(g.p, g.n, "t.ldb", on_entry, &w, on_dmg, &s, NULL, &err));
        REQUIRE_EQ_INT(s.ndmg, 1);
        CHECK(strstr(s.dmg_what[0], "compression") != NULL);
        free(g.p);
    }
    ldbr_bit_free(&ix);
    /* bad magic, too short, index handle past the end */
    struct bb g = {0};
    put(&g, f.p, f.n);
    g.p[g.n - 1] ^= 1;
    CHECK_EQ_INT(idbpq__ldbr_table_walk(g.p, g.n, "t.ldb", on_entry, NULL, NULL, NULL, NULL, &err),
                 IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "t.ldb") && strstr(err.msg, "magic"));
    CHECK_EQ_INT(idbpq__ldbr_table_walk(g.p, 47, "t.ldb", on_entry, NULL, NULL, NULL, NULL, &err),
                 IDBPQ_CORRUPT);
    memcpy(g.p, f.p, f.n);
    uint8_t lie[40] = {0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10};
    memcpy(g.p + g.n - 48, lie, 40);
    CHECK_EQ_INT(idbpq__ldbr_table_walk(g.p, g.n, "t.ldb", on_entry, NULL, NULL, NULL, NULL, &err),
                 IDBPQ_CORRUPT);
    free(g.p);
    free(f.p);
    free(e);
}

/* An allocator that records the largest single request. */
static size_t biggest;
static void *cm(void *c, size_t n) { (void)c; if (n > biggest) biggest = n; return malloc(n); }
static void *cr(void *c, void *p, size_t o, size_t n) { (void)c, (void)o; if (n > biggest) biggest = n; return realloc(p, n); }
static void cf(void *c, void *p, size_t n) { (void)c, (void)n; free(p); }

TEST(leveldb_table_lying_lengths)
{
    /* a snappy block whose header claims 2^32 - 1 bytes, with a correct checksum: damage,
     * and no allocation beyond what 64 bytes of input can expand to */
    struct bb f = {0};
    struct bb blk = {0};
    putv(&blk, 0xffffffffu);
    put(&blk, "\x00\x61", 2);
    uint64_t bo = 0, bs = blk.n;
    put(&f, blk.p, blk.n);
    uint8_t t = 1;
    put8(&f, t);
    put32(&f, mask(idbpq__crc32c(idbpq__crc32c(0, blk.p, blk.n), &t, 1)));
    /* an index block pointing at it, then a footer */
    struct kv ie;
    ikey(&ie, "zzz", 1, 1, "");
    uint8_t h[20];
    struct bb hb = {0};
    putv(&hb, bo);
    putv(&hb, bs);
    memcpy(h, hb.p, hb.n);
    ie.v = h;
    ie.vn = hb.n;
    struct bb ib = {0};
    block_build(&ib, &ie, 1, 1);
    uint64_t io, is;
    block_write(&f, &ib, 0, &io, &is);
    struct bb foot = {0};
    putv(&foot, 0), putv(&foot, 0), putv(&foot, io), putv(&foot, is);
    while (foot.n < 40) put8(&foot, 0);
    put64(&foot, LDBR_MAGIC);
    put(&f, foot.p, foot.n);
    idbpq_allocator a = {cm, cr, cf, NULL};
    struct seen s = {0};
    idbpq_error err;
    biggest = 0;
    struct walk w = {0, 0, NULL, SIZE_MAX, 0};
    REQUIRE_OK(idbpq__ldbr_table_walk(f.p, f.n, "t.ldb", on_entry, &w, on_dmg, &s, &a, &err));
    CHECK_EQ_INT(w.n, 0);
    REQUIRE_EQ_INT(s.ndmg, 1);
    CHECK(strstr(s.dmg_what[0], "snappy") != NULL);
    CHECK(biggest < 64 * 1024);
    /* entries whose lengths run past the block */
    struct bb g = {0};
    struct bb eb = {0};
    putv(&eb, 0), putv(&eb, 0x7fffffff), putv(&eb, 3);
    put(&eb, "abcdefghij", 10);
    put32(&eb, 0), put32(&eb, 1);
    uint64_t do_, ds;
    block_write(&g, &eb, 0, &do_, &ds);
    hb.n = 0;
    putv(&hb, do_), putv(&hb, ds);
    memcpy(h, hb.p, hb.n);
    ie.vn = hb.n;
    ib.n = 0;
    block_build(&ib, &ie, 1, 1);
    block_write(&g, &ib, 0, &io, &is);
    foot.n = 0;
    putv(&foot, 0), putv(&foot, 0), putv(&foot, io), putv(&foot, is);
    while (foot.n < 40) put8(&foot, 0);
    put64(&foot, LDBR_MAGIC);
    put(&g, foot.p, foot.n);
    memset(&s, 0, sizeof s);
    REQUIRE_OK(idbpq__ldbr_table_walk(g.p, g.n, "t.ldb", on_entry, &w, on_dmg, &s, &a, &err));
    CHECK_EQ_INT(s.ndmg, 1);
    CHECK(biggest < 64 * 1024);
    free(f.p), free(g.p), free(blk.p), free(hb.p), free(ib.p), free(foot.p), free(eb.p);
}

/* ---- a whole directory --------------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const struct bb *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(b->p, 1, b->n, f);
    fclose(f);
}

static void table_file(const char *dir, const char *name, struct kv *e, size_t n)
{
    struct bb f = {0};
    table_build(&f, e, n, 2, 1);
    write_file(dir, name, &f);
    free(f.p);
}

static void new_file(struct bb *ed, int level, uint64_t num, const struct kv *lo, const struct kv *hi)
{
    putv(ed, 7), putv(ed, (uint64_t)level), putv(ed, num), putv(ed, 1000);
    putslice(ed, lo->k, lo->kn);
    putslice(ed, hi->k, hi->kn);
}

static void batch_op(struct bb *b, int type, const char *k, const char *v)
{
    put8(b, (uint8_t)type);
    putslice(b, k, strlen(k));
    if (type == 1) putslice(b, v, strlen(v));
}

TEST(leveldb_directory)
{
    char dir[] = "/tmp/idbpq_ldbr_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL);
    struct kv t5[4], t6[1], t7[2];
    ikey(&t5[0], "apple", 10, 1, "A1");
    ikey(&t5[1], "banana", 11, 1, "B1");
    ikey(&t5[2], "cherry", 12, 1, "C1");
    ikey(&t5[3], "date", 13, 1, "D1");
    ikey(&t6[0], "zebra", 5, 1, "Z");
    ikey(&t7[0], "banana", 20, 0, "");
    ikey(&t7[1], "cherry", 21, 1, "C2");
    table_file(dir, "000005.sst", t5, 4);
    table_file(dir, "000006.ldb", t6, 1);
    table_file(dir, "000007.ldb", t7, 2);
    /* MANIFEST: two edits */
    struct bb e1 = {0}, e2 = {0}, man = {0};
    putv(&e1, 1), putslice(&e1, "leveldb.BytewiseComparator", 26);
    putv(&e1, 2), putv(&e1, 3), putv(&e1, 3), putv(&e1, 10), putv(&e1, 4), putv(&e1, 25);
    new_file(&e1, 1, 5, &t5[0], &t5[3]);
    new_file(&e1, 1, 6, &t6[0], &t6[0]);
    new_file(&e1, 0, 8, &t7[0], &t7[1]);
    putv(&e2, 6), putv(&e2, 1), putv(&e2, 6);
    putv(&e2, 6), putv(&e2, 0), putv(&e2, 8);
    new_file(&e2, 0, 7, &t7[0], &t7[1]);
    putv(&e2, 2), putv(&e2, 9);
    log_rec(&man, e1.p, e1.n);
    log_rec(&man, e2.p, e2.n);
    write_file(dir, "MANIFEST-000002", &man);
    struct bb cur = {0};
    put(&cur, "MANIFEST-000002\n", 16);
    write_file(dir, "CURRENT", &cur);
    /* log 9 (live) and log 4 (already in tables) */
    struct bb b9 = {0}, l9 = {0}, b4 = {0}, l4 = {0};
    put64(&b9, 30), put32(&b9, 3);
    batch_op(&b9, 1, "date", "D3");
    batch_op(&b9, 0, "apple", NULL);
    batch_op(&b9, 1, "egg", "E3");
    log_rec(&l9, b9.p, b9.n);
    write_file(dir, "000009.log", &l9);
    put64(&b4, 2), put32(&b4, 1);
    batch_op(&b4, 1, "fig", "F");
    log_rec(&l4, b4.p, b4.n);
    write_file(dir, "000004.log", &l4);

    struct idbpq__ldbr_opts o;
    memset(&o, 0, sizeof o);
    struct seen s = {0};
    o.damage = on_dmg;
    o.damage_ctx = &s;
    o.cmp_name = "leveldb.BytewiseComparator";
    idbpq__ldbr *db;
    idbpq_error err;
    REQUIRE_OK(idbpq__ldbr_open(&db, dir, &o, &err));
    idbpq__ldbr_iter *it;
    REQUIRE_OK(idbpq__ldbr_iter_create(db, &it, &err));
    const char *want[][2] = {{"cherry", "C2"}, {"date", "D3"}, {"egg", "E3"}};
    size_t n = 0;
    idbpq_status st;
    for (st = idbpq__ldbr_iter_seek(it, NULL, 0, &err); st == IDBPQ_OK;
         st = idbpq__ldbr_iter_next(it, &err), n++) {
        size_t kn, vn;
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn), *v = idbpq__ldbr_iter_value(it, &vn);
        REQUIRE(n < 3);
        CHECK(kn == strlen(want[n][0]) && memcmp(k, want[n][0], kn) == 0);
        CHECK(vn == 2 && memcmp(v, want[n][1], 2) == 0);
        const char *file;
        uint64_t off;
        idbpq__ldbr_iter_where(it, &file, &off);
        CHECK(strstr(file, n == 0 ? "000007.ldb" : "000009.log") != NULL);
    }
    CHECK_EQ_INT(st, IDBPQ_END);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(s.ndmg, 0);
    REQUIRE_OK(idbpq__ldbr_iter_seek(it, (const uint8_t *)"c", 1, &err));
    size_t kn;
    CHECK(memcmp(idbpq__ldbr_iter_key(it, &kn), "cherry", 6) == 0);
    CHECK_EQ_INT(idbpq__ldbr_iter_seek(it, (const uint8_t *)"egh", 3, &err), IDBPQ_END);
    idbpq__ldbr_iter_free(it);
    idbpq_buffer out;
    idbpq_buffer_init(&out, NULL);
    CHECK_EQ_INT(idbpq__ldbr_get(db, (const uint8_t *)"banana", 6, &out, &err), IDBPQ_END);
    CHECK_EQ_INT(idbpq__ldbr_get(db, (const uint8_t *)"zebra", 5, &out, &err), IDBPQ_END);
    CHECK_EQ_INT(idbpq__ldbr_get(db, (const uint8_t *)"fig", 3, &out, &err), IDBPQ_END);
    REQUIRE_OK(idbpq__ldbr_get(db, (const uint8_t *)"date", 4, &out, &err));
    CHECK(out.len == 2 && memcmp(out.data, "D3", 2) == 0);
    idbpq_buffer_free(&out);
    uint64_t bytes;
    REQUIRE_OK(idbpq__ldbr_approx_size(db, NULL, 0, NULL, 0, &bytes, &err));
    CHECK(bytes > 0);
    CHECK(idbpq__ldbr_bytes_read(db) > 0);
    idbpq__ldbr_close(db);

    /* a table the MANIFEST names is gone (after the retries): reported, and its key range
     * [banana, cherry] is a hole, so table 5's older banana and cherry do not show through */
    char gone[600];
    snprintf(gone, sizeof gone, "%s/000007.ldb", dir);
    REQUIRE_EQ_INT(unlink(gone), 0);
    memset(&s, 0, sizeof s);
    REQUIRE_OK(idbpq__ldbr_open(&db, dir, &o, &err));
    CHECK_EQ_INT(s.ndmg, 1);
    CHECK(strstr(s.dmg_what[0], "missing") != NULL);
    REQUIRE_OK(idbpq__ldbr_iter_create(db, &it, &err));
    n = 0;
    for (st = idbpq__ldbr_iter_seek(it, NULL, 0, &err); st == IDBPQ_OK;
         st = idbpq__ldbr_iter_next(it, &err), n++) {
        const uint8_t *k = idbpq__ldbr_iter_key(it, &kn);
        CHECK((kn == 4 && memcmp(k, "date", 4) == 0) || (kn == 3 && memcmp(k, "egg", 3) == 0));
    }
    CHECK_EQ_INT(n, 2);
    idbpq__ldbr_iter_free(it);
    idbpq__ldbr_close(db);

    /* another comparator name */
    o.cmp_name = "idb_cmp1";
    CHECK_EQ_INT(idbpq__ldbr_open(&db, dir, &o, &err), IDBPQ_INVALID_ARG);
    CHECK(strstr(err.msg, "MANIFEST-000002") && strstr(err.msg, "leveldb.BytewiseComparator"));
    /* a broken MANIFEST record in the middle: the open fails, naming file and offset */
    man.p[9] ^= 1;
    write_file(dir, "MANIFEST-000002", &man);
    o.cmp_name = NULL;
    CHECK_EQ_INT(idbpq__ldbr_open(&db, dir, &o, &err), IDBPQ_CORRUPT);
    CHECK(strstr(err.msg, "MANIFEST-000002") != NULL);
    /* CURRENT naming something else */
    cur.n = 0;
    put(&cur, "garbage\n", 8);
    write_file(dir, "CURRENT", &cur);
    CHECK_EQ_INT(idbpq__ldbr_open(&db, dir, &o, &err), IDBPQ_CORRUPT);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(cmd), 0);
    free(e1.p), free(e2.p), free(man.p), free(cur.p), free(b9.p), free(l9.p), free(b4.p), free(l4.p);
}
