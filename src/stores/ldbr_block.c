/*
 * ldbr_block.c — table blocks: reading one (checksum, decompression) and iterating over its
 * entries, with seeks by binary search over the restart points.
 *
 * A block is entries then a restart array (u32 offsets) and its count (u32). An entry is
 * varint32 shared, varint32 non_shared, varint32 value length, key delta, value: its key is
 * the first `shared` bytes of the previous key plus the delta. Restart entries have shared 0.
 * On disk a block is followed by a 5-byte trailer: compression type and the masked CRC-32C of
 * block + type.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

#include <errno.h>
#include <snappy-c.h>
#include <unistd.h>
#include <zstd.h>

void ldbr_rbuf_init(struct ldbr_rbuf *rb, const idbpq_allocator *alc, size_t readahead)
{
    idbpq__buf_init(&rb->win, alc);
    idbpq__buf_init(&rb->unz, alc);
    rb->win_off = 0;
    rb->readahead = readahead;
}

void ldbr_rbuf_free(struct ldbr_rbuf *rb)
{
    idbpq__buf_free(&rb->win);
    idbpq__buf_free(&rb->unz);
}

/* The bytes [off, off + len) of the file: from the window, or read into it (with read-ahead,
 * so that a scan makes one read per window rather than one per 4 KiB block). */
static idbpq_status fetch(const struct ldbr_src *s, const struct ldbr_env *e, uint64_t off,
                          size_t len, struct ldbr_rbuf *rb, const uint8_t **out,
                          idbpq_error *err)
{
    if (s->mem) {
        *out = s->mem + off;
        return IDBPQ_OK;
    }
    if (off >= rb->win_off && off + len <= rb->win_off + rb->win.len) {
        *out = rb->win.p + (off - rb->win_off);
        return IDBPQ_OK;
    }
    /* Read ahead only when reading on from where the last read ended (a scan); a seek or a
     * point lookup reads just its block. */
    size_t want = len;
    if (rb->win.len && off >= rb->win_off && off <= rb->win_off + rb->win.len &&
        len < rb->readahead)
        want = rb->readahead;
    if (want > s->size - off) want = (size_t)(s->size - off);
    rb->win.len = 0;
    IDBPQ__TRY(idbpq__buf_reserve(&rb->win, want));
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(s->fd, rb->win.p + got, want - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            return idbpq__verr(err, IDBPQ_IO, off + got, "%s: read at offset %llu: %s", s->name,
                               (unsigned long long)(off + got), strerror(errno));
        if (r == 0) break; /* the file shrank: the caller sees a short window */
        got += (size_t)r;
    }
    if (e->bytes_read) __atomic_fetch_add(e->bytes_read, got, __ATOMIC_RELAXED);
    rb->win.len = got;
    rb->win_off = off;
    if (got < len)
        return idbpq__verr(err, IDBPQ_IO, off, "%s: file ends before offset %llu", s->name,
                           (unsigned long long)(off + len));
    *out = rb->win.p;
    return IDBPQ_OK;
}

idbpq_status ldbr_block_read(const struct ldbr_src *s, const struct ldbr_env *e, uint64_t off,
                             uint64_t size, struct ldbr_rbuf *rb, const uint8_t **out,
                             size_t *n, const char **what, idbpq_error *err)
{
    if (off > s->size || size > s->size - off || LDBR_TRAILER > s->size - off - size ||
        size > LDBR_MAX_BLOCK) {
        *what = "block handle points past the end of the file";
        return IDBPQ_CORRUPT;
    }
    const uint8_t *p = NULL;
    IDBPQ__TRY(fetch(s, e, off, (size_t)size + LDBR_TRAILER, rb, &p, err));
    uint32_t want = idbpq__crc32c_unmask(idbpq__le32(p + size + 1));
    if (idbpq__crc32c(0, p, (size_t)size + 1) != want) {
        *what = "bad block checksum";
        return IDBPQ_CORRUPT;
    }
    switch (p[size]) {
    case 0:
        *out = p;
        *n = (size_t)size;
        return IDBPQ_OK;
    case 1: {
        size_t un;
        /* snappy expands at most ~21 times (a 3-byte copy of 64 bytes): a larger claim is
         * damage, not an allocation. */
        if (snappy_uncompressed_length((const char *)p, (size_t)size, &un) != SNAPPY_OK ||
            un > LDBR_MAX_BLOCK || un > 32 * (size_t)size + 64) {
            *what = "snappy block has a bad length";
            return IDBPQ_CORRUPT;
        }
        rb->unz.len = 0;
        IDBPQ__TRY(idbpq__buf_reserve(&rb->unz, un ? un : 1));
        size_t got = un;
        if (snappy_uncompress((const char *)p, (size_t)size, (char *)rb->unz.p, &got) !=
                SNAPPY_OK || got != un) {
            *what = "snappy block does not decompress";
            return IDBPQ_CORRUPT;
        }
        *out = rb->unz.p;
        *n = un;
        return IDBPQ_OK;
    }
    case 2: {
        /* zstd (upstream LevelDB's kZstdCompression): one frame that states its size. */
        unsigned long long un = ZSTD_getFrameContentSize(p, (size_t)size);
        if (un == ZSTD_CONTENTSIZE_UNKNOWN || un == ZSTD_CONTENTSIZE_ERROR ||
            un > LDBR_MAX_BLOCK || un > 4096 * size + 4096) {
            *what = "zstd block has a bad length";
            return IDBPQ_CORRUPT;
        }
        rb->unz.len = 0;
        IDBPQ__TRY(idbpq__buf_reserve(&rb->unz, un ? (size_t)un : 1));
        size_t got = ZSTD_decompress(rb->unz.p, (size_t)un, p, (size_t)size);
        if (ZSTD_isError(got) || got != un) {
            *what = "zstd block does not decompress";
            return IDBPQ_CORRUPT;
        }
        *out = rb->unz.p;
        *n = (size_t)un;
        return IDBPQ_OK;
    }
    default:
        *what = "block of unknown compression type";
        return IDBPQ_CORRUPT;
    }
}

/* ---- block iterator ------------------------------------------------------------------------ */

void ldbr_bit_init(struct ldbr_bit *it, const idbpq_allocator *alc)
{
    memset(it, 0, sizeof *it);
    idbpq__buf_init(&it->key, alc);
}

void ldbr_bit_free(struct ldbr_bit *it) { idbpq__buf_free(&it->key); }

int ldbr_bit_set(struct ldbr_bit *it, const uint8_t *p, size_t n)
{
    it->valid = 0;
    it->data = p;
    it->limit = it->nrest = 0;
    if (n < 4 || n > LDBR_MAX_BLOCK) return -1;
    uint32_t nr = idbpq__le32(p + n - 4);
    if (nr > (n - 4) / 4) return -1;
    it->nrest = nr;
    it->limit = (uint32_t)(n - 4 - (size_t)nr * 4);
    return 0;
}

/* Decodes the entry at off with the key so far in it->key: 0, -1 malformed, -2 NOMEM. */
static inline int decode_at(struct ldbr_bit *it, uint32_t off)
{
    const uint8_t *p = it->data + off, *end = it->data + it->limit;
    uint32_t shared, ns, vn;
    if (IDBPQ__LIKELY(end - p >= 3 && (p[0] | p[1] | p[2]) < 0x80)) {
        shared = p[0];
        ns = p[1];
        vn = p[2];
        p += 3;
    } else if (ldbr_v32(&p, end, &shared) || ldbr_v32(&p, end, &ns) || ldbr_v32(&p, end, &vn)) {
        return -1;
    }
    if (shared > it->key.len || ns > (size_t)(end - p) || vn > (size_t)(end - p) - ns)
        return -1;
    it->key.len = shared;
    if (idbpq__buf_append(&it->key, p, ns) != IDBPQ_OK) return -2;
    it->val = p + ns;
    it->vn = vn;
    it->cur = off;
    it->nxt = (uint32_t)(p + ns + vn - it->data);
    it->valid = 1;
    return 0;
}

int ldbr_bit_first(struct ldbr_bit *it)
{
    it->valid = 0;
    it->key.len = 0;
    if (it->limit == 0) return 0;
    return decode_at(it, 0);
}

int ldbr_bit_next(struct ldbr_bit *it)
{
    if (!it->valid) return 0;
    it->valid = 0;
    if (it->nxt >= it->limit) return 0;
    return decode_at(it, it->nxt);
}

/* The key at restart point i (stored whole there) or -1. */
static int restart_key(const struct ldbr_bit *it, uint32_t i, const uint8_t **k, uint32_t *kn,
                       uint32_t *off)
{
    uint32_t o = idbpq__le32(it->data + it->limit + 4 * (size_t)i);
    if (o >= it->limit) return -1;
    const uint8_t *p = it->data + o, *end = it->data + it->limit;
    uint32_t shared, ns, vn;
    if (ldbr_v32(&p, end, &shared) || ldbr_v32(&p, end, &ns) || ldbr_v32(&p, end, &vn) ||
        shared != 0 || ns > (size_t)(end - p) || ns < 8)
        return -1;
    *k = p;
    *kn = ns;
    *off = o;
    return 0;
}

int ldbr_bit_seek(struct ldbr_bit *it, idbpq__ldbr_cmp_fn cmp, const uint8_t *uk, size_t n,
                  uint64_t tag)
{
    it->valid = 0;
    if (it->limit == 0 || it->nrest == 0) return ldbr_bit_first(it);
    /* The last restart point whose key is < target (or the first one). */
    uint32_t lo = 0, hi = it->nrest - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2, kn, off;
        const uint8_t *k;
        if (restart_key(it, mid, &k, &kn, &off)) return -1;
        if (ldbr_icmp(cmp, k, kn - 8, idbpq__le64(k + kn - 8), uk, n, tag) < 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    uint32_t off, kn;
    const uint8_t *k;
    if (restart_key(it, lo, &k, &kn, &off)) return -1;
    it->key.len = 0;
    int r = decode_at(it, off);
    while (r == 0 && it->valid) {
        if (it->key.len < 8) return -1;
        size_t ukn = it->key.len - 8;
        if (ldbr_icmp(cmp, it->key.p, ukn, idbpq__le64(it->key.p + ukn), uk, n, tag) >= 0) break;
        r = ldbr_bit_next(it);
    }
    return r;
}

int ldbr_handle(const uint8_t **p, const uint8_t *end, uint64_t *off, uint64_t *size)
{
    return idbpq__read_uleb(p, end, off) || idbpq__read_uleb(p, end, size) ? -1 : 0;
}

const char *ldbr_footer(const uint8_t *f, uint64_t file_size, uint64_t *ioff, uint64_t *isize)
{
    if (idbpq__le64(f + 40) != LDBR_MAGIC) return "bad table magic number";
    const uint8_t *p = f, *end = f + 40;
    uint64_t moff, msize;
    if (ldbr_handle(&p, end, &moff, &msize) || ldbr_handle(&p, end, ioff, isize))
        return "bad table footer";
    uint64_t room = file_size - LDBR_FOOTER;
    if (*ioff > room || *isize > room - *ioff || LDBR_TRAILER > room - *ioff - *isize)
        return "table index block lies past the end of the file";
    return NULL;
}
