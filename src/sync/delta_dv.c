/*
 * delta_dv.c — deletion vectors (PROTOCOL.md "Deletion Vectors", "Deletion Vector Format";
 * notes §4.7). A descriptor names the vector: 'u' a file beside the data whose UUID is Z85
 * text, 'p' an absolute path, 'i' the bytes inline as Z85. A DV file is a version byte 1,
 * then per vector a big-endian u32 size, the payload and its big-endian CRC-32. The payload
 * is a little-endian magic 1681511377 and a RoaringBitmap in the portable 64-bit layout:
 * buckets of (high 32 bits, 32-bit Roaring bitmap with array, bitmap and run containers).
 * Every size is checked against the bytes at hand; rows come back as ranges, so a run
 * container claiming 65536 rows costs 16 bytes, not 512 KiB.
 */
#include "sync/delta_read.h"

#include <stdio.h>

#define DV_MAGIC 1681511377u
#define MAX_DV_BYTES ((size_t)256 << 20)

static const char Z85[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int idbpq__z85_decode(const char *s, size_t n, uint8_t *out)
{
    static int8_t dec[256];
    static int ready;
    if (!ready) { /* idempotent: racing threads write the same bytes */
        memset(dec, -1, sizeof dec);
        for (int i = 0; i < 85; i++) dec[(unsigned char)Z85[i]] = (int8_t)i;
        ready = 1;
    }
    if (n % 5) return -1;
    for (size_t i = 0; i < n; i += 5) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++) {
            int d = dec[(unsigned char)s[i + (size_t)k]];
            if (d < 0) return -1;
            v = v * 85 + (uint64_t)d;
        }
        if (v > 0xFFFFFFFFu) return -1;
        uint8_t *o = out + i / 5 * 4;
        o[0] = (uint8_t)(v >> 24); o[1] = (uint8_t)(v >> 16);
        o[2] = (uint8_t)(v >> 8); o[3] = (uint8_t)v;
    }
    return 0;
}

/* ---- RoaringBitmap portable format ------------------------------------------------------- */

struct rd {
    const uint8_t *p, *start, *end;
    const char *name;
    uint64_t base;                /* offset of start in the named file, for messages */
    struct idbpq__err *err;
    struct idbpq__arena *a;
    uint64_t *r;                  /* ranges, growing */
    uint64_t n, cap, card;
};

static idbpq_status rbad(struct rd *d, const char *what)
{
    return idbpq__fail(d->err, IDBPQ_CORRUPT, "%s: deletion vector at offset %llu: %s", d->name,
                       (unsigned long long)(d->base + (uint64_t)(d->p - d->start)), what);
}

static int need(struct rd *d, uint64_t n) { return (uint64_t)(d->end - d->p) >= n; }

/* Appends [lo, hi) after the last range (merging when adjacent); ranges must ascend. */
static idbpq_status add_range(struct rd *d, uint64_t lo, uint64_t hi)
{
    if (d->n && lo < d->r[2 * d->n - 1]) return rbad(d, "rows out of order");
    d->card += hi - lo;
    if (d->n && lo == d->r[2 * d->n - 1]) { d->r[2 * d->n - 1] = hi; return IDBPQ_OK; }
    if (d->n == d->cap) {
        uint64_t nc = d->cap ? d->cap * 2 : 64;
        uint64_t *nr = nc < ((uint64_t)1 << 40) ? idbpq__arena_alloc(d->a, (size_t)nc * 16) : NULL;
        if (!nr) return idbpq__fail(d->err, IDBPQ_NOMEM, "%s: deletion vector: out of memory",
                                    d->name);
        if (d->n) memcpy(nr, d->r, (size_t)d->n * 16);
        d->r = nr;
        d->cap = nc;
    }
    d->r[2 * d->n] = lo;
    d->r[2 * d->n + 1] = hi;
    d->n++;
    return IDBPQ_OK;
}

/* One 32-bit Roaring bitmap (format spec: RoaringFormatSpec, "Standard 32-bit"). */
static idbpq_status read_bitmap32(struct rd *d, uint64_t high)
{
    if (!need(d, 4)) return rbad(d, "truncated bitmap header");
    uint32_t cookie = idbpq__le32(d->p), n;
    const uint8_t *runs = NULL;
    d->p += 4;
    if ((cookie & 0xFFFF) == 12347) {
        n = (cookie >> 16) + 1;
        if (!need(d, (n + 7) / 8)) return rbad(d, "truncated run flags");
        runs = d->p;
        d->p += (n + 7) / 8;
    } else if (cookie == 12346) {
        if (!need(d, 4)) return rbad(d, "truncated container count");
        n = idbpq__le32(d->p);
        d->p += 4;
    } else {
        d->p -= 4;
        return rbad(d, "not a Roaring bitmap (bad cookie)");
    }
    if (n > 65536 || !need(d, (uint64_t)n * 4)) return rbad(d, "container count past the end");
    const uint8_t *hdr = d->p;
    d->p += (size_t)n * 4;
    if (!runs || n >= 4) { /* offsets: skipped, containers follow each other */
        if (!need(d, (uint64_t)n * 4)) return rbad(d, "truncated container offsets");
        d->p += (size_t)n * 4;
    }
    int32_t prev_key = -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = idbpq__le16(hdr + 4 * i), card = (uint32_t)idbpq__le16(hdr + 4 * i + 2) + 1;
        if ((int32_t)key <= prev_key) return rbad(d, "container keys out of order");
        prev_key = (int32_t)key;
        uint64_t base = (high << 32) | ((uint64_t)key << 16);
        uint64_t before = d->card;
        if (runs && (runs[i / 8] >> (i % 8) & 1)) {
            if (!need(d, 2)) return rbad(d, "truncated run container");
            uint32_t nr = idbpq__le16(d->p);
            d->p += 2;
            if (!need(d, (uint64_t)nr * 4)) return rbad(d, "run container past the end");
            for (uint32_t k = 0; k < nr; k++) {
                uint32_t s = idbpq__le16(d->p), l = idbpq__le16(d->p + 2);
                d->p += 4;
                if (s + l > 0xFFFF) return rbad(d, "run past the container");
                IDBPQ__TRY(add_range(d, base + s, base + s + l + 1));
            }
        } else if (card > 4096) {
            if (!need(d, 8192)) return rbad(d, "truncated bitmap container");
            for (uint32_t w = 0; w < 1024; w++) {
                uint64_t word = idbpq__le64(d->p + 8 * w);
                while (word) {
                    /* One range per run of set bits. */
                    int lo = __builtin_ctzll(word);
                    uint64_t rest = ~(word >> lo);
                    int len = rest ? __builtin_ctzll(rest) : 64 - lo;
                    uint64_t at = base + 64u * w + (uint64_t)lo;
                    IDBPQ__TRY(add_range(d, at, at + (uint64_t)len));
                    word = len + lo >= 64 ? 0 : word & (~(uint64_t)0 << (lo + len));
                }
            }
            d->p += 8192;
        } else {
            if (!need(d, (uint64_t)card * 2)) return rbad(d, "truncated array container");
            for (uint32_t k = 0; k < card; k++) {
                uint64_t v = base + idbpq__le16(d->p + 2 * k);
                if (k && v <= base + idbpq__le16(d->p + 2 * k - 2))
                    return rbad(d, "array container out of order");
                IDBPQ__TRY(add_range(d, v, v + 1));
            }
            d->p += (size_t)card * 2;
        }
        if (d->card - before != card) return rbad(d, "container cardinality does not match");
    }
    return IDBPQ_OK;
}

idbpq_status idbpq__dv_decode(const uint8_t *data, size_t n, const char *name, uint64_t base,
                              struct idbpq__arena *a, struct idbpq__dv_rows *out,
                              struct idbpq__err *err)
{
    struct rd d = { data, data, data + n, name ? name : "deletion vector", base, err, a,
                    NULL, 0, 0, 0 };
    memset(out, 0, sizeof *out);
    if (!need(&d, 12)) return rbad(&d, "shorter than its header");
    uint32_t magic = idbpq__le32(d.p);
    if (magic != DV_MAGIC) {
        /* 1681511376 big-endian is the native RoaringBitmapArray format (notes §4.7). */
        return rbad(&d, magic == 0xD0D33964u ? "native RoaringBitmapArray format (unsupported)"
                                             : "bad magic");
    }
    d.p += 4;
    uint64_t buckets = idbpq__le64(d.p);
    d.p += 8;
    if (buckets > (uint64_t)(d.end - d.p) / 8) return rbad(&d, "bucket count past the end");
    int64_t prev = -1;
    for (uint64_t i = 0; i < buckets; i++) {
        if (!need(&d, 4)) return rbad(&d, "truncated bucket");
        uint32_t key = idbpq__le32(d.p);
        if ((int64_t)key <= prev) return rbad(&d, "bucket keys out of order");
        prev = key;
        d.p += 4;
        IDBPQ__TRY(read_bitmap32(&d, key));
    }
    if (d.p != d.end) return rbad(&d, "trailing bytes");
    out->r = d.r;
    out->n_ranges = d.n;
    out->cardinality = d.card;
    return IDBPQ_OK;
}

/* ---- descriptors and files ---------------------------------------------------------------- */

const char *idbpq__dv_id(struct idbpq__arena *a, const idbpq_table_dv *dv)
{
    if (!dv) return "";
    size_t n = strlen(dv->path_or_inline) + 16;
    char *s = idbpq__arena_alloc(a, n);
    if (!s) return NULL;
    if (dv->offset >= 0) snprintf(s, n, "%c%s@%d", dv->storage_type, dv->path_or_inline, (int)dv->offset);
    else snprintf(s, n, "%c%s", dv->storage_type, dv->path_or_inline);
    return s;
}

static idbpq_status check_card(const idbpq_table_dv *dv, const struct idbpq__dv_rows *rows,
                               const char *name, struct idbpq__err *err)
{
    if (rows->cardinality != (uint64_t)dv->cardinality)
        return idbpq__fail(err, IDBPQ_CORRUPT,
                           "%s: deletion vector holds %llu rows, the log says cardinality %lld",
                           name, (unsigned long long)rows->cardinality,
                           (long long)dv->cardinality);
    return IDBPQ_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

idbpq_status idbpq__dv_load(const idbpq_table_io *io, const idbpq_table_dv *dv,
                            struct idbpq__arena *a, struct idbpq__dv_rows *out,
                            struct idbpq__err *err)
{
    const char *p = dv->path_or_inline;
    size_t pn = strlen(p);
    if (dv->storage_type == 'i') {
        /* Inline: Z85 of the payload, padded to a multiple of 4 bytes. */
        if (pn % 5 || (uint64_t)dv->size > pn / 5 * 4 || dv->size < 0)
            return idbpq__fail(err, IDBPQ_CORRUPT, "inline deletion vector: %zu characters "
                               "for %d bytes", pn, (int)dv->size);
        uint8_t *buf = idbpq__arena_alloc(a, pn / 5 * 4 + 1);
        if (!buf) return idbpq__fail(err, IDBPQ_NOMEM, "inline deletion vector: out of memory");
        if (idbpq__z85_decode(p, pn, buf))
            return idbpq__fail(err, IDBPQ_CORRUPT, "inline deletion vector: invalid Z85");
        IDBPQ__TRY(idbpq__dv_decode(buf, (size_t)dv->size, "inline deletion vector", 0, a, out,
                                    err));
        return check_card(dv, out, "inline deletion vector", err);
    }
    if (dv->storage_type != 'u')
        return idbpq__fail(err, IDBPQ_UNSUPPORTED, "deletion vector storage type '%c' (%s): "
                           "only files under the table root ('u') and inline vectors are read",
                           dv->storage_type, p);
    if (pn < 20) return idbpq__fail(err, IDBPQ_CORRUPT, "deletion vector path %s too short", p);
    uint8_t u[16];
    if (idbpq__z85_decode(p + pn - 20, 20, u))
        return idbpq__fail(err, IDBPQ_CORRUPT, "deletion vector %s: invalid Z85 UUID", p);
    char path[256];
    int pl = (int)(pn - 20);
    if (pl > 150) return idbpq__fail(err, IDBPQ_CORRUPT, "deletion vector prefix %s too long", p);
    snprintf(path, sizeof path,
             "%.*s%sdeletion_vector_%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x.bin", pl, p, pl ? "/" : "", u[0], u[1], u[2], u[3], u[4],
             u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
    idbpq_source src;
    idbpq_error e;
    memset(&src, 0, sizeof src);
    memset(&e, 0, sizeof e);
    idbpq_status st = io->open(io->ctx, path, &src, &e);
    if (st == IDBPQ_END)
        return idbpq__fail(err, IDBPQ_CORRUPT, "deletion vector file %s is missing", path);
    if (st != IDBPQ_OK) return idbpq__derr_in(err, &e, st);
    const char *name = src.name ? src.name : path;
    char *nm = idbpq__arena_strndup(a, name, strlen(name));
    name = nm ? nm : path;
    uint64_t off = dv->offset >= 0 ? (uint64_t)dv->offset : 1; /* Spark always writes it */
    uint64_t size = (uint64_t)dv->size;
    uint8_t hdr[4], ver;
    uint8_t *buf = NULL;
    if (src.size < 1 || (st = src.read_at(src.ctx, 0, &ver, 1)) != IDBPQ_OK || ver != 1) {
        st = idbpq__fail(err, IDBPQ_CORRUPT, "%s: offset 0: not a deletion vector file "
                         "(version byte)", name);
        goto out;
    }
    if (size > MAX_DV_BYTES || off > src.size || src.size - off < 8 || size > src.size - off - 8) {
        st = idbpq__fail(err, IDBPQ_CORRUPT, "%s: offset %llu: a vector of %llu bytes does not "
                         "fit the file's %llu bytes", name, (unsigned long long)off,
                         (unsigned long long)size, (unsigned long long)src.size);
        goto out;
    }
    if ((st = src.read_at(src.ctx, off, hdr, 4)) != IDBPQ_OK || be32(hdr) != size) {
        st = idbpq__fail(err, IDBPQ_CORRUPT, "%s: offset %llu: size field %u, the log says %llu",
                         name, (unsigned long long)off, st ? 0u : be32(hdr),
                         (unsigned long long)size);
        goto out;
    }
    buf = idbpq__arena_alloc(a, (size_t)size + 4);
    if (!buf) { st = idbpq__fail(err, IDBPQ_NOMEM, "%s: out of memory", name); goto out; }
    if ((st = src.read_at(src.ctx, off + 4, buf, (size_t)size + 4)) != IDBPQ_OK) {
        st = idbpq__fail(err, IDBPQ_IO, "%s: cannot read %llu bytes at offset %llu", name,
                         (unsigned long long)size + 4, (unsigned long long)off + 4);
        goto out;
    }
    uint32_t crc = idbpq__crc32(0, buf, (size_t)size);
    if (crc != be32(buf + size)) {
        st = idbpq__fail(err, IDBPQ_CORRUPT, "%s: offset %llu: CRC-32 %08x, stored %08x", name,
                         (unsigned long long)(off + 4 + size), crc, be32(buf + size));
        goto out;
    }
    st = idbpq__dv_decode(buf, (size_t)size, name, off + 4, a, out, err);
    if (st == IDBPQ_OK) st = check_card(dv, out, name, err);
out:
    io->close(io->ctx, &src);
    return st;
}
