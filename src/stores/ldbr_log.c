/*
 * ldbr_log.c — LevelDB's log format (write-ahead logs and MANIFESTs) and write batches.
 *
 * A log is a sequence of 32 KiB blocks; a block holds records of a 7-byte header (masked
 * CRC-32C of type + data, u16 length, u8 type) and data; fewer than 7 bytes left at the end of
 * a block are padding. A logical record is one FULL record or FIRST, MIDDLE..., LAST.
 * Damage handling follows LevelDB's reader: a record whose checksum or length is wrong makes
 * the rest of its block untrustworthy (the length itself may be the damaged part), so the
 * reader reports it and resynchronises at the next block; a fragment sequence that is broken
 * off is reported and dropped.
 */
#include "stores/ldbr_int.h"
#include "value/value.h" /* idbpq__verr */

#define BLOCK 32768u
#define HDR 7u

enum { T_ZERO = 0, T_FULL = 1, T_FIRST = 2, T_MIDDLE = 3, T_LAST = 4 };

idbpq_status idbpq__ldbr_log_parse(const uint8_t *p, size_t n, const char *name,
                                   idbpq_status (*rec)(void *ctx, const uint8_t *data,
                                                       size_t len, uint64_t offset),
                                   void *ctx, idbpq__ldbr_damage_fn damage, void *damage_ctx,
                                   const idbpq_allocator *alc)
{
    struct idbpq__buf frag; /* the fragments of the record being joined */
    idbpq__buf_init(&frag, alc);
    int in_frag = 0;
    uint64_t frag_off = 0;
    idbpq_status st = IDBPQ_OK;
#define DAMAGE(off, what) do { if (damage) damage(damage_ctx, name, (off), (what)); } while (0)
    size_t pos = 0;
    while (pos < n) {
        size_t left_in_block = BLOCK - pos % BLOCK;
        if (left_in_block < HDR) { /* trailer padding */
            pos += left_in_block;
            continue;
        }
        if (n - pos < HDR) {
            /* A header cut short at the end: a writer stopped mid-record (or zero padding). */
            int zeros = 1;
            for (size_t i = pos; i < n; i++) zeros &= p[i] == 0;
            if (!zeros) DAMAGE(pos, "log record truncated at end of file");
            break;
        }
        const uint8_t *h = p + pos;
        uint32_t len = idbpq__le16(h + 4);
        uint8_t type = h[6];
        if (type == T_ZERO && len == 0) {
            /* Preallocated space (mmap writers) or padding: nothing more in this block. */
            pos += left_in_block;
            continue;
        }
        if (HDR + len > left_in_block) {
            if (pos + HDR + len > n && n - pos <= left_in_block)
                DAMAGE(pos, "log record truncated at end of file");
            else
                DAMAGE(pos, "bad log record length (rest of 32 KiB block skipped)");
            pos += left_in_block;
            if (in_frag) DAMAGE(frag_off, "log record fragments without an end");
            in_frag = 0;
            continue;
        }
        if (HDR + len > n - pos) {
            DAMAGE(pos, "log record truncated at end of file");
            break;
        }
        uint32_t want = idbpq__crc32c_unmask(idbpq__le32(h));
        if (idbpq__crc32c(0, h + 6, 1 + (size_t)len) != want) {
            DAMAGE(pos, "bad log record checksum (rest of 32 KiB block skipped)");
            if (in_frag) DAMAGE(frag_off, "log record fragments without an end");
            in_frag = 0;
            pos += left_in_block;
            continue;
        }
        const uint8_t *d = h + HDR;
        uint64_t off = pos;
        pos += HDR + len;
        switch (type) {
        case T_FULL:
            if (in_frag) DAMAGE(frag_off, "log record fragments without an end");
            in_frag = 0;
            st = rec(ctx, d, len, off);
            break;
        case T_FIRST:
            if (in_frag) DAMAGE(frag_off, "log record fragments without an end");
            idbpq__buf_reset(&frag);
            st = idbpq__buf_append(&frag, d, len);
            in_frag = 1;
            frag_off = off;
            break;
        case T_MIDDLE:
        case T_LAST:
            if (!in_frag) {
                DAMAGE(off, "log record fragment without a start");
                break;
            }
            st = idbpq__buf_append(&frag, d, len);
            if (st == IDBPQ_OK && type == T_LAST) {
                in_frag = 0;
                st = rec(ctx, frag.p ? frag.p : d, frag.len, frag_off); /* never NULL */
            }
            break;
        default:
            DAMAGE(off, "unknown log record type");
            if (in_frag) DAMAGE(frag_off, "log record fragments without an end");
            in_frag = 0;
            break;
        }
        if (st != IDBPQ_OK) break;
    }
    if (st == IDBPQ_OK && in_frag) DAMAGE(frag_off, "log record fragments without an end");
#undef DAMAGE
    idbpq__buf_free(&frag);
    return st;
}

idbpq_status idbpq__ldbr_batch_parse(const uint8_t *p, size_t n,
                                     idbpq_status (*put)(void *ctx, uint64_t seq, int type,
                                                         const uint8_t *k, size_t kn,
                                                         const uint8_t *v, size_t vn),
                                     void *ctx, idbpq_error *err)
{
    if (n < 12) return idbpq__verr(err, IDBPQ_CORRUPT, 0, "write batch of %zu bytes", n);
    uint64_t seq = idbpq__le64(p);
    uint32_t count = idbpq__le32(p + 8);
    const uint8_t *q = p + 12, *end = p + n;
    uint32_t found = 0;
    while (q < end) {
        const uint8_t *at = q;
        int type = *q++;
        uint32_t kn, vn = 0;
        const uint8_t *k, *v = NULL;
        if (type != 0 && type != 1)
            return idbpq__verr(err, IDBPQ_CORRUPT, (uint64_t)(at - p),
                               "write batch entry of unknown type %d", type);
        if (ldbr_v32(&q, end, &kn) || kn > (size_t)(end - q))
            return idbpq__verr(err, IDBPQ_CORRUPT, (uint64_t)(at - p), "bad write batch key");
        k = q;
        q += kn;
        if (type == 1) {
            if (ldbr_v32(&q, end, &vn) || vn > (size_t)(end - q))
                return idbpq__verr(err, IDBPQ_CORRUPT, (uint64_t)(at - p),
                                   "bad write batch value");
            v = q;
            q += vn;
        }
        if (found == count || seq + found > LDBR_MAX_SEQ)
            return idbpq__verr(err, IDBPQ_CORRUPT, (uint64_t)(at - p),
                               "write batch holds more than its count %u", count);
        idbpq_status st = put(ctx, seq + found, type, k, kn, v, vn);
        if (st != IDBPQ_OK) return st;
        found++;
    }
    if (found != count)
        return idbpq__verr(err, IDBPQ_CORRUPT, n, "write batch holds %u entries, not %u", found,
                           count);
    return IDBPQ_OK;
}
