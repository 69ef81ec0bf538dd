/*
 * hash.c — the stable 128-bit content hash of a value: SipHash-2-4 with 128-bit output
 * (Aumasson & Bernstein's reference, key 00 01 .. 0f) over a canonical byte stream that
 * docs/value-model.md specifies byte for byte, so other implementations can reproduce it.
 * The stream follows the same walk as idbpq_value_equal: equal values give equal streams
 * (strings as UTF-16 code units, every NaN alike, arrays as JavaScript sees them, objects
 * revisited as back-references to their first-visit number).
 */
#include "value/value.h"

#include <math.h>

/* ---- SipHash-2-4-128, incremental ---------------------------------------------------------- */

struct sip {
    uint64_t v0, v1, v2, v3;
    uint8_t tail[8];
    size_t ntail;
    uint64_t total;
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(s)                                                                  \
    do {                                                                             \
        s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0; s->v0 = ROTL(s->v0, 32); \
        s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;                     \
        s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;                     \
        s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2; s->v2 = ROTL(s->v2, 32); \
    } while (0)

static void sip_init(struct sip *s)
{
    const uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    s->v0 = 0x736f6d6570736575ull ^ k0;
    s->v1 = 0x646f72616e646f6dull ^ k1 ^ 0xee; /* 0xee: the 128-bit output variant */
    s->v2 = 0x6c7967656e657261ull ^ k0;
    s->v3 = 0x7465646279746573ull ^ k1;
    s->ntail = 0;
    s->total = 0;
}

static void sip_block(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    SIPROUND(s);
    SIPROUND(s);
    s->v0 ^= m;
}

static void sip_add(struct sip *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->total += n;
    if (s->ntail) {
        while (n && s->ntail < 8) { s->tail[s->ntail++] = *p++; n--; }
        if (s->ntail < 8) return;
        sip_block(s, idbpq__le64(s->tail));
        s->ntail = 0;
    }
    for (; n >= 8; p += 8, n -= 8) sip_block(s, idbpq__le64(p));
    memcpy(s->tail, p, n);
    s->ntail = n;
}

static void sip_final(struct sip *s, uint8_t out[16])
{
    uint64_t b = s->total << 56;
    for (size_t i = 0; i < s->ntail; i++) b |= (uint64_t)s->tail[i] << (8 * i);
    sip_block(s, b);
    s->v2 ^= 0xee;
    for (int i = 0; i < 4; i++) SIPROUND(s);
    idbpq__st_le64(out, s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
    s->v1 ^= 0xdd;
    for (int i = 0; i < 4; i++) SIPROUND(s);
    idbpq__st_le64(out + 8, s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
}

/* Exposed for the unit test of the reference vectors. */
void idbpq__siphash128(const void *p, size_t n, uint8_t out[16]);
void idbpq__siphash128(const void *p, size_t n, uint8_t out[16])
{
    struct sip s;
    sip_init(&s);
    sip_add(&s, p, n);
    sip_final(&s, out);
}

/* ---- the canonical stream ------------------------------------------------------------------ */

struct hs {
    struct sip sip;
    struct idbpq__pmap seen;   /* object -> first-visit number */
    uint32_t next;
    int oom;
};

static void tag(struct hs *h, char t) { uint8_t c = (uint8_t)t; sip_add(&h->sip, &c, 1); }
static void u8_(struct hs *h, uint32_t v) { uint8_t c = (uint8_t)v; sip_add(&h->sip, &c, 1); }
static void u32_(struct hs *h, uint32_t v)
{
    uint8_t b[4];
    idbpq__st_le32(b, v);
    sip_add(&h->sip, b, 4);
}
static void u64_(struct hs *h, uint64_t v)
{
    uint8_t b[8];
    idbpq__st_le64(b, v);
    sip_add(&h->sip, b, 8);
}
static void f64_(struct hs *h, double d)
{
    uint64_t bits;
    if (isnan(d)) bits = 0x7ff8000000000000ull;
    else memcpy(&bits, &d, 8);
    u64_(h, bits);
}

/* 'S', u32 length in code units, the units as u16 little-endian. */
static void str_(struct hs *h, const idbpq_str *s)
{
    uint8_t buf[256];
    size_t k = 0;
    tag(h, 'S');
    u32_(h, s->len);
    for (uint32_t i = 0; i < s->len; i++) {
        uint16_t u = idbpq__str_unit(s, i);
        buf[k++] = (uint8_t)u;
        buf[k++] = (uint8_t)(u >> 8);
        if (k == sizeof buf) { sip_add(&h->sip, buf, k); k = 0; }
    }
    sip_add(&h->sip, buf, k);
}

static void opt_str(struct hs *h, const idbpq_value *v)
{
    static const idbpq_str empty = {"", 0, 0};
    str_(h, v && v->type == IDBPQ_V_STRING ? &v->u.str : &empty);
}

static void key_(struct hs *h, const idbpq_value *k)
{
    char tmp[32];
    idbpq_str s = {"", 0, 0};
    if (k) s = idbpq__key_name(k, tmp);
    str_(h, &s);
}

static void hv(struct hs *h, const idbpq_value *v);

static void props_(struct hs *h, const idbpq_prop *const *pp, const idbpq_prop *props, uint32_t n)
{
    u32_(h, n);
    for (uint32_t i = 0; i < n; i++) {
        const idbpq_prop *p = pp ? pp[i] : &props[i];
        key_(h, p->key);
        hv(h, p->value);
    }
}

static void array_(struct hs *h, const idbpq_value *v)
{
    struct idbpq__asplit sp;
    const idbpq_allocator *alc = idbpq__alc(NULL);
    if (idbpq__array_split(v, alc, &sp) != IDBPQ_OK) { h->oom = 1; return; }
    u32_(h, v->u.array.length);
    u32_(h, sp.n_elems);
    for (uint32_t i = 0; i < sp.n_elems; i++) {
        u32_(h, sp.elems[i].index);
        hv(h, sp.elems[i].value);
    }
    props_(h, sp.extras, NULL, sp.n_extras);
    idbpq__array_split_free(&sp, alc);
}

static void object_(struct hs *h, const idbpq_value *v)
{
    uint32_t i;
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_OBJECT: tag(h, 'O'); props_(h, NULL, v->u.object.props, v->u.object.n); break;
    case IDBPQ_V_ARRAY: tag(h, 'A'); array_(h, v); break;
    case IDBPQ_V_DATE: tag(h, 'D'); f64_(h, v->u.number); break;
    case IDBPQ_V_REGEXP:
        tag(h, 'R');
        opt_str(h, v->u.regexp.source);
        u32_(h, v->u.regexp.flags);
        break;
    case IDBPQ_V_BOXED: tag(h, 'B'); hv(h, v->u.boxed); break;
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET: {
        int map = v->type == IDBPQ_V_MAP;
        tag(h, map ? 'M' : 'T');
        u32_(h, v->u.coll.n);
        for (i = 0; i < v->u.coll.n * (map ? 2u : 1u); i++) hv(h, v->u.coll.items[i]);
        break;
    }
    case IDBPQ_V_ARRAY_BUFFER:
        tag(h, 'K');
        u64_(h, v->u.buffer.len);
        if (v->u.buffer.len) sip_add(&h->sip, v->u.buffer.bytes, (size_t)v->u.buffer.len);
        u8_(h, v->u.buffer.resizable ? 1 : 0);
        u64_(h, v->u.buffer.resizable ? v->u.buffer.max_len : 0);
        break;
    case IDBPQ_V_VIEW:
        tag(h, 'V');
        u8_(h, (uint32_t)v->u.view.kind);
        u64_(h, v->u.view.offset);
        u64_(h, v->u.view.length);
        u32_(h, v->u.view.flags);
        hv(h, v->u.view.buffer);
        break;
    case IDBPQ_V_ERROR:
        tag(h, 'E');
        u8_(h, (uint32_t)v->u.error.kind);
        u8_(h, (v->u.error.message ? 1u : 0u) | (v->u.error.stack ? 2u : 0u) |
                   (v->u.error.cause ? 4u : 0u));
        if (v->u.error.message) opt_str(h, v->u.error.message);
        if (v->u.error.stack) opt_str(h, v->u.error.stack);
        if (v->u.error.cause) hv(h, v->u.error.cause);
        break;
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
        tag(h, v->type == IDBPQ_V_FILE ? 'F' : 'b');
        opt_str(h, v->u.blob.mime);
        u64_(h, v->u.blob.size);
        u8_(h, v->u.blob.bytes ? 1 : 0);
        if (v->u.blob.bytes && v->u.blob.size)
            sip_add(&h->sip, v->u.blob.bytes, (size_t)v->u.blob.size);
        if (v->type == IDBPQ_V_FILE) {
            opt_str(h, v->u.blob.name);
            f64_(h, v->u.blob.last_modified);
        }
        break;
    case IDBPQ_V_FILE_LIST:
        tag(h, 'L');
        u32_(h, v->u.files.n);
        for (i = 0; i < v->u.files.n; i++) hv(h, v->u.files.files[i]);
        break;
    case IDBPQ_V_HOST:
        tag(h, 'H');
        u8_(h, v->u.host.tag);
        u32_(h, v->u.host.len);
        if (v->u.host.len) sip_add(&h->sip, v->u.host.bytes, v->u.host.len);
        break;
    case IDBPQ_V_UNDEFINED: case IDBPQ_V_NULL: case IDBPQ_V_BOOLEAN: case IDBPQ_V_NUMBER:
    case IDBPQ_V_BIGINT: case IDBPQ_V_STRING: case IDBPQ_V_HOLE:
    default: break;
    }
}

static void hv(struct hs *h, const idbpq_value *v)
{
    if (h->oom) return;
    if (!v) { tag(h, '0'); return; } /* a missing pointer: not a value, but hash it stably */
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_UNDEFINED: tag(h, 'u'); return;
    case IDBPQ_V_NULL: tag(h, 'n'); return;
    case IDBPQ_V_HOLE: tag(h, '-'); return;
    case IDBPQ_V_BOOLEAN: tag(h, v->u.boolean ? 't' : 'f'); return;
    case IDBPQ_V_NUMBER: tag(h, 'N'); f64_(h, v->u.number); return;
    case IDBPQ_V_BIGINT: {
        uint32_t len = v->u.bigint.len;
        while (len && v->u.bigint.digits[len - 1] == 0) len--;
        tag(h, 'Z');
        u8_(h, len && v->u.bigint.negative ? 1 : 0);
        u32_(h, len);
        if (len) sip_add(&h->sip, v->u.bigint.digits, len);
        return;
    }
    case IDBPQ_V_STRING: str_(h, &v->u.str); return;
    case IDBPQ_V_OBJECT: case IDBPQ_V_ARRAY: case IDBPQ_V_DATE: case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED: case IDBPQ_V_MAP: case IDBPQ_V_SET: case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW: case IDBPQ_V_ERROR: case IDBPQ_V_BLOB: case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST: case IDBPQ_V_HOST: break;
    default: tag(h, '?'); u8_(h, v->type); return;
    }
    uint32_t *seen = idbpq__pmap_get(&h->seen, v);
    if (seen) {
        tag(h, 'r');
        u32_(h, *seen);
        return;
    }
    if (idbpq__pmap_put(&h->seen, v, h->next++) != IDBPQ_OK) { h->oom = 1; return; }
    object_(h, v);
}

void idbpq_value_hash(const idbpq_value *v, uint8_t out[16])
{
    struct hs h;
    sip_init(&h.sip);
    idbpq__pmap_init(&h.seen, NULL);
    h.next = 0;
    h.oom = 0;
    hv(&h, v);
    idbpq__pmap_free(&h.seen);
    sip_final(&h.sip, out);
    /* Out of memory cannot be reported through this signature: return a hash no value
     * stream produces (all ones), so such a result never matches a real one by accident. */
    if (h.oom) memset(out, 0xff, 16);
}
