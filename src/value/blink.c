/*
 * blink.c — what Chromium adds around and inside V8's format: IndexedDB's large-value markers
 * (FF 11 02 snappy, FF 11 01 moved into a blob; idb_value_wrapping.cc), Blink's version
 * envelope with the trailer locator (v8_script_value_deserializer.cc ReadVersionEnvelope,
 * trailer_reader.cc), and Blink's host objects after V8's '\' tag (serialization_tag.h):
 * Blob/File/FileList become values of their own, every other tag whose payload can be sized
 * is kept as opaque bytes (IDBPQ_V_HOST), and the rest fail as UNSUPPORTED.
 * Layout facts: indexeddb-on-disk.md §2.1, §2.4, §3.
 */
#include "codec/codec.h"
#include "value/v8.h"

#include <stdio.h>

void idbpq_v8_opts_init(idbpq_v8_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = (uint32_t)sizeof *o;
    o->flags = IDBPQ_V8_AUTO;
    o->max_depth = 1000;
    o->max_bytes = (uint64_t)1 << 30;
    o->v8_version = IDBPQ__V8_DEFAULT_WRITE;
    o->blink_version = IDBPQ__BLINK_LATEST;
}

/* ---- host objects: reading ---------------------------------------------------------------- */

#define FAIL(at, ...) idbpq__v8r_fail(r, IDBPQ_CORRUPT, (at), __VA_ARGS__)
#define STATUS() (r->err ? r->err->status : IDBPQ_NOMEM)

static int need(struct idbpq__v8r *r, uint64_t n) { return n <= (uint64_t)(r->end - r->p); }

/* Blink's WebCoreString: varint byte length + UTF-8. */
static idbpq_status host_utf8(struct idbpq__v8r *r, const uint8_t *at, idbpq_value **out,
                              char tag)
{
    uint32_t n;
    if (!idbpq__v8_varint32(r, &n) || !need(r, n))
        return FAIL(at, "truncated string in host object '%c'", tag);
    const uint8_t *s = r->p;
    r->p += n;
    if (!out) return IDBPQ_OK;
    if (!(*out = idbpq__v8r_utf8(r, s, n))) return STATUS();
    return IDBPQ_OK;
}

static idbpq_status empty_string(struct idbpq__v8r *r, idbpq_value **out)
{
    if (!(*out = idbpq__v8r_utf8(r, (const uint8_t *)"", 0))) return STATUS();
    return IDBPQ_OK;
}

static void resolve(struct idbpq__v8r *r, idbpq_value *v)
{
    const uint8_t *bytes = NULL;
    uint64_t len = 0;
    if (r->o->resolve_blob &&
        r->o->resolve_blob(r->o->resolve_ctx, v->u.blob.index, &bytes, &len) == IDBPQ_OK &&
        bytes) {
        v->u.blob.bytes = bytes;
        v->u.blob.size = len;
    }
}

/* An IndexedDB File/Blob by index: name, type and size live in the record's external-object
 * list, not here; the resolver may supply the contents. */
static idbpq_status read_indexed(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v,
                                 idbpq_vtype type, char tag)
{
    uint32_t index;
    if (!idbpq__v8_varint32(r, &index)) return FAIL(at, "truncated host object '%c'", tag);
    v->type = (uint8_t)type;
    v->u.blob.index = index;
    v->u.blob.last_modified = 0.0 / 0.0;
    IDBPQ__TRY(empty_string(r, &v->u.blob.mime));
    if (type == IDBPQ_V_FILE) IDBPQ__TRY(empty_string(r, &v->u.blob.name));
    resolve(r, v);
    return IDBPQ_OK;
}

/* ReadFile: path, name (v4+), relative path (v4+), uuid, type, has_snapshot (v4+),
 * [size, lastModified], is_user_visible (v7+). Before v8 lastModified was in seconds. */
static idbpq_status read_file(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v)
{
    uint32_t bv = r->blink_version, snap = 0, visible;
    uint64_t size = 0;
    double lm = 0.0 / 0.0;
    v->type = IDBPQ_V_FILE;
    v->u.blob.index = -1;
    IDBPQ__TRY(host_utf8(r, at, bv >= 4 ? NULL : &v->u.blob.name, 'f')); /* path */
    if (bv >= 4) {
        IDBPQ__TRY(host_utf8(r, at, &v->u.blob.name, 'f'));
        IDBPQ__TRY(host_utf8(r, at, NULL, 'f')); /* relative path */
    }
    IDBPQ__TRY(host_utf8(r, at, NULL, 'f'));      /* uuid */
    IDBPQ__TRY(host_utf8(r, at, &v->u.blob.mime, 'f'));
    if (bv >= 4 && !idbpq__v8_varint32(r, &snap)) return FAIL(at, "truncated File ('f')");
    if (snap) {
        if (!idbpq__v8_varint64(r, &size) || !need(r, 8)) return FAIL(at, "truncated File ('f')");
        memcpy(&lm, r->p, 8);
        r->p += 8;
        if (bv < 8) lm *= 1000.0;
    }
    if (bv >= 7 && !idbpq__v8_varint32(r, &visible)) return FAIL(at, "truncated File ('f')");
    v->u.blob.size = size;
    v->u.blob.last_modified = lm;
    return IDBPQ_OK;
}

static idbpq_status read_file_list(struct idbpq__v8r *r, const uint8_t *at, idbpq_value *v,
                                   int indexed)
{
    uint32_t n;
    if (!idbpq__v8_varint32(r, &n)) return FAIL(at, "truncated FileList");
    if (!need(r, n)) return FAIL(at, "FileList of %u files in %zu bytes", n,
                                 (size_t)(r->end - r->p));
    v->type = IDBPQ_V_FILE_LIST;
    v->u.files.n = n;
    if (!n) return IDBPQ_OK;
    if (!(v->u.files.files = idbpq__v8r_alloc(r, (size_t)n * sizeof(idbpq_value *))))
        return STATUS();
    for (uint32_t i = 0; i < n; i++) {
        idbpq_value *f = idbpq__v8r_new(r, IDBPQ_V_FILE);
        if (!f) return STATUS();
        if (indexed) IDBPQ__TRY(read_indexed(r, at, f, IDBPQ_V_FILE, 'L'));
        else IDBPQ__TRY(read_file(r, at, f));
        v->u.files.files[i] = f;
    }
    return IDBPQ_OK;
}

static int skip_varints(struct idbpq__v8r *r, int n)
{
    uint64_t x;
    while (n-- > 0)
        if (!idbpq__v8_varint64(r, &x)) return 0;
    return 1;
}

static int skip_bytes(struct idbpq__v8r *r, uint64_t n)
{
    if (!need(r, n)) return 0;
    r->p += n;
    return 1;
}

/* ImageData / ImageBitmap settings (Blink v18+): (tag, value) pairs up to tag 0; the
 * parametric color space (7) carries 7 doubles, every other tag one varint. */
static int skip_image_tags(struct idbpq__v8r *r)
{
    for (int guard = 0; guard < 64; guard++) {
        uint32_t t;
        if (!idbpq__v8_varint32(r, &t)) return 0;
        if (t == 0) return 1;
        if (t == 7 ? !skip_bytes(r, 56) : !skip_varints(r, 1)) return 0;
    }
    return 0;
}

/* Walks the payload of a tag kept as bytes. 1: sized; 0: truncated; -1: cannot be sized. */
static int skip_host(struct idbpq__v8r *r, uint8_t tag)
{
    uint32_t n;
    switch (tag) {
    case 'Q': case 'W': case 'E': case 'R': return skip_bytes(r, 32); /* DOMPoint/Rect */
    case 'T': return skip_bytes(r, 128);                             /* DOMQuad */
    case 'I': case 'O': return skip_bytes(r, 48);                    /* DOMMatrix 2D */
    case 'Y': case 'U': return skip_bytes(r, 128);                   /* DOMMatrix */
    case 'x': return skip_host(r, 0) && skip_host(r, 0) && skip_host(r, 0); /* DOMException */
    case 'k': return skip_host(r, 0) && skip_host(r, 0);            /* RTCCertificate PEMs */
    case 'd': return skip_varints(r, 1) && skip_host(r, 0) && skip_host(r, 0); /* FileSystem */
    case 'n': case 'N': return skip_host(r, 0) && skip_varints(r, 1); /* FS access handles */
    case 0: /* a UTF-8 string */
        return idbpq__v8_varint32(r, &n) && skip_bytes(r, n);
    case '#': { /* ImageData */
        uint64_t len;
        if (r->blink_version >= 18 && !skip_image_tags(r)) return 0;
        return skip_varints(r, 2) && idbpq__v8_varint64(r, &len) && skip_bytes(r, len);
    }
    case 'g': /* ImageBitmap */
        if (r->blink_version >= 18 ? !skip_image_tags(r) : !skip_varints(r, 2)) return 0;
        return skip_varints(r, 2) && idbpq__v8_varint32(r, &n) && skip_bytes(r, n);
    case 'K': { /* CryptoKey (modules): algorithm sub-tag byte, params, usages, key data */
        if (!need(r, 1)) return 0;
        uint8_t sub = *r->p++;
        int ok;
        switch (sub) {
        case 1: case 2: ok = skip_varints(r, 2); break;       /* AES; HMAC */
        case 4: /* RSA-hashed: id, type, modulus bits, exponent (length + bytes), hash */
            ok = skip_varints(r, 3) && idbpq__v8_varint32(r, &n) && skip_bytes(r, n) &&
                 skip_varints(r, 1);
            break;
        case 5: ok = skip_varints(r, 3); break;               /* EC: id, type, curve */
        case 6: case 7: ok = skip_varints(r, 1); break;       /* no params; Ed25519 */
        default: return -1;
        }
        return ok && skip_varints(r, 1) && idbpq__v8_varint32(r, &n) && skip_bytes(r, n);
    }
    default: return -1;
    }
}

idbpq_status idbpq__blink_read_host(struct idbpq__v8r *r, idbpq_value *v)
{
    while (r->p < r->end && *r->p == 0) r->p++;
    const uint8_t *at = r->p;
    if (r->p >= r->end) return FAIL(at, "truncated host object: no Blink tag");
    uint8_t tag = *r->p++;
    switch (tag) {
    case 'i': return read_indexed(r, at, v, IDBPQ_V_BLOB, 'i');
    case 'e': return read_indexed(r, at, v, IDBPQ_V_FILE, 'e');
    case 'L': return read_file_list(r, at, v, 1);
    case 'l': return read_file_list(r, at, v, 0);
    case 'f': return read_file(r, at, v);
    case 'b': { /* uuid, type, size */
        v->type = IDBPQ_V_BLOB;
        v->u.blob.index = -1;
        v->u.blob.last_modified = 0.0 / 0.0;
        IDBPQ__TRY(host_utf8(r, at, NULL, 'b'));
        IDBPQ__TRY(host_utf8(r, at, &v->u.blob.mime, 'b'));
        if (!idbpq__v8_varint64(r, &v->u.blob.size)) return FAIL(at, "truncated Blob ('b')");
        return IDBPQ_OK;
    }
    default: break;
    }
    int ok = skip_host(r, tag);
    if (ok < 0) {
        char name[8];
        if (tag >= 0x20 && tag < 0x7f) snprintf(name, sizeof name, "'%c'", tag);
        else snprintf(name, sizeof name, "0x%02x", tag);
        return idbpq__v8r_fail(r, IDBPQ_UNSUPPORTED, at, "unsupported host object %s", name);
    }
    if (!ok) return FAIL(at, "truncated host object '%c'", tag);
    size_t len = (size_t)(r->p - at - 1);
    if (len > UINT32_MAX - 16) return FAIL(at, "host object '%c' too large", tag);
    /* Kept bytes are in today's layout, so that they mean the same in the envelope the
     * encoder writes: before Blink v18 ImageData had no settings list and ImageBitmap two
     * bare varints (origin-clean, premultiplied) that are now tags 4 and 5. */
    uint8_t pre[24];
    size_t npre = 0, skip = 0;
    if (r->blink_version < 18 && (tag == '#' || tag == 'g')) {
        if (tag == 'g') {
            const uint8_t *q = at + 1;
            for (int k = 0; k < 2; k++) { /* spans as idbpq__v8_varint64 read them */
                pre[npre++] = (uint8_t)(4 + k);
                int m = 0;
                while (m < 9 && (q[m] & 0x80)) m++;
                memcpy(pre + npre, q, (size_t)m + 1);
                npre += (size_t)m + 1;
                q += m + 1;
            }
            skip = (size_t)(q - (at + 1));
        }
        pre[npre++] = 0;
    }
    v->type = IDBPQ_V_HOST;
    v->u.host.tag = tag;
    v->u.host.len = (uint32_t)(len - skip + npre);
    if (v->u.host.len) {
        uint8_t *c = idbpq__v8r_alloc(r, v->u.host.len);
        if (!c) return STATUS();
        memcpy(c, pre, npre);
        memcpy(c + npre, at + 1 + skip, len - skip);
        v->u.host.bytes = c;
    }
    return IDBPQ_OK;
}

/* ---- host objects: writing ---------------------------------------------------------------- */

static idbpq_status w_str(struct idbpq__v8w *w, const idbpq_value *s)
{
    static const idbpq_str empty = {"", 0, 0};
    return idbpq__v8w_utf8(w, s && s->type == IDBPQ_V_STRING ? &s->u.str : &empty);
}

/* The non-IndexedDB File form ('f', Blink v7+ layout): no path, uuid or relative path is
 * known, so they are written empty; has_snapshot 1 carries size and lastModified. */
static idbpq_status w_file(struct idbpq__v8w *w, const idbpq_value *f)
{
    static const idbpq_str empty = {"", 0, 0};
    IDBPQ__TRY(idbpq__v8w_utf8(w, &empty));
    IDBPQ__TRY(w_str(w, f->u.blob.name));
    IDBPQ__TRY(idbpq__v8w_utf8(w, &empty));
    IDBPQ__TRY(idbpq__v8w_utf8(w, &empty));
    IDBPQ__TRY(w_str(w, f->u.blob.mime));
    IDBPQ__TRY(idbpq__v8w_varint(w, 1));
    IDBPQ__TRY(idbpq__v8w_varint(w, f->u.blob.size));
    IDBPQ__TRY(idbpq__v8w_double(w, f->u.blob.last_modified));
    return idbpq__v8w_varint(w, 1);
}

idbpq_status idbpq__blink_write_host(struct idbpq__v8w *w, const idbpq_value *v)
{
    uint8_t tag;
    switch (v->type) {
    case IDBPQ_V_BLOB:
        if (v->u.blob.index >= 0) {
            tag = 'i';
            IDBPQ__TRY(idbpq__v8w_bytes(w, &tag, 1));
            return idbpq__v8w_varint(w, (uint64_t)v->u.blob.index);
        }
        tag = 'b';
        IDBPQ__TRY(idbpq__v8w_bytes(w, &tag, 1));
        IDBPQ__TRY(w_str(w, NULL)); /* uuid: unknown */
        IDBPQ__TRY(w_str(w, v->u.blob.mime));
        return idbpq__v8w_varint(w, v->u.blob.size);
    case IDBPQ_V_FILE:
        tag = v->u.blob.index >= 0 ? 'e' : 'f';
        IDBPQ__TRY(idbpq__v8w_bytes(w, &tag, 1));
        if (tag == 'e') return idbpq__v8w_varint(w, (uint64_t)v->u.blob.index);
        return w_file(w, v);
    case IDBPQ_V_FILE_LIST: {
        int indexed = 1;
        for (uint32_t i = 0; i < v->u.files.n; i++)
            if (!v->u.files.files[i] || v->u.files.files[i]->type != IDBPQ_V_FILE ||
                v->u.files.files[i]->u.blob.index < 0)
                indexed = 0;
        tag = indexed ? 'L' : 'l';
        IDBPQ__TRY(idbpq__v8w_bytes(w, &tag, 1));
        IDBPQ__TRY(idbpq__v8w_varint(w, v->u.files.n));
        for (uint32_t i = 0; i < v->u.files.n; i++) {
            const idbpq_value *f = v->u.files.files[i];
            if (!f || f->type != IDBPQ_V_FILE)
                return idbpq__verr(w->err, IDBPQ_INVALID_ARG, w->out->len,
                                   "FileList item %u is not a File", i);
            if (indexed) IDBPQ__TRY(idbpq__v8w_varint(w, (uint64_t)f->u.blob.index));
            else IDBPQ__TRY(w_file(w, f));
        }
        return IDBPQ_OK;
    }
    case IDBPQ_V_HOST:
        /* Kept ImageData / ImageBitmap bytes are in the v18+ layout (see the reader). */
        if ((v->u.host.tag == '#' || v->u.host.tag == 'g') && w->blink_version < 18)
            return idbpq__verr(w->err, IDBPQ_INVALID_ARG, w->out->len, "host object '%c' "
                               "needs Blink's envelope v18 or later (IDBPQ_V8_BLINK)",
                               v->u.host.tag);
        IDBPQ__TRY(idbpq__v8w_bytes(w, &v->u.host.tag, 1));
        return idbpq__v8w_bytes(w, v->u.host.bytes, v->u.host.len);
    default:
        return idbpq__verr(w->err, IDBPQ_INVALID_ARG, w->out->len, "not a host object");
    }
}

/* ---- envelope and markers ----------------------------------------------------------------- */

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    return v;
}

static int read_u32v(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0; shift < 32; shift += 7) {
        if (*p >= end) return 0;
        uint8_t c = *(*p)++;
        v |= (uint32_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) break;
    }
    *out = v;
    return 1;
}

static idbpq_status decode_at(idbpq_vbatch *b, const uint8_t *p, size_t n, uint64_t base_off,
                              const char *where, const idbpq_v8_opts *o, idbpq_value **out,
                              idbpq_error *err, int level);

/* FF 11 02: raw snappy of the real bytes; FF 11 01: varint size, varint index of the blob
 * holding them (idb_value_wrapping.cc). Decoding starts over on what they give. */
static idbpq_status unwrap(idbpq_vbatch *b, const uint8_t *p, size_t n, uint64_t base_off,
                           const idbpq_v8_opts *o, idbpq_value **out, idbpq_error *err,
                           int level)
{
    if (level >= 2)
        return idbpq__verr(err, IDBPQ_CORRUPT, base_off, "large-value marker FF 11 %02X inside "
                           "an unwrapped value", p[2]);
    const uint8_t *q = p + 3, *end = p + n;
    if (p[2] == 2) {
        uint64_t ulen;
        if (idbpq__read_uleb(&q, end, &ulen) != 0)
            return idbpq__verr(err, IDBPQ_CORRUPT, base_off + 3,
                               "snappy-compressed value (FF 11 02): bad length preamble");
        uint64_t max = o->max_bytes ? o->max_bytes : ((uint64_t)1 << 30);
        if (ulen > max || ulen > SIZE_MAX / 2)
            return idbpq__verr(err, IDBPQ_LIMIT, base_off + 3, "snappy-compressed value (FF 11 "
                               "02) of %llu bytes exceeds max_bytes (%llu)",
                               (unsigned long long)ulen, (unsigned long long)max);
        uint8_t *dst = idbpq_vbatch_alloc(b, ulen ? (size_t)ulen : 1);
        if (!dst) return idbpq__verr(err, IDBPQ_NOMEM, base_off, "out of memory");
        struct idbpq__err e;
        e.msg[0] = 0;
        if (idbpq__decompress(IDBPQ_CODEC_SNAPPY, p + 3, n - 3, dst, (size_t)ulen, &e) !=
            IDBPQ_OK)
            return idbpq__verr(err, IDBPQ_CORRUPT, base_off + 3,
                               "snappy-compressed value (FF 11 02): %s", e.msg);
        return decode_at(b, dst, (size_t)ulen, 0, " (in the snappy-decompressed value)", o,
                         out, err, level + 1);
    }
    uint32_t size, index;
    if (!read_u32v(&q, end, &size) || !read_u32v(&q, end, &index))
        return idbpq__verr(err, IDBPQ_CORRUPT, base_off + 3,
                           "truncated blob-wrapped value marker (FF 11 01)");
    if (!o->resolve_blob)
        return idbpq__verr(err, IDBPQ_UNSUPPORTED, base_off, "value moved into blob #%u "
                           "(FF 11 01) and no resolve_blob callback", index);
    const uint8_t *bytes = NULL;
    uint64_t len = 0;
    idbpq_status st = o->resolve_blob(o->resolve_ctx, index, &bytes, &len);
    if (st != IDBPQ_OK)
        return idbpq__verr(err, st, base_off, "resolving blob #%u of a wrapped value: %s",
                           index, idbpq_status_str(st));
    if (!bytes && len) return idbpq__verr(err, IDBPQ_CORRUPT, base_off, "blob #%u: no bytes", index);
    if (len != size)
        return idbpq__verr(err, IDBPQ_CORRUPT, base_off, "blob #%u holds %llu bytes, the "
                           "marker says %u", index, (unsigned long long)len, size);
    return decode_at(b, bytes ? bytes : (const uint8_t *)"", (size_t)len, 0,
                     " (in the wrapped blob)", o, out, err, level + 1);
}

static idbpq_status decode_at(idbpq_vbatch *b, const uint8_t *p, size_t n, uint64_t base_off,
                              const char *where, const idbpq_v8_opts *o, idbpq_value **out,
                              idbpq_error *err, int level)
{
    int blinkish = (o->flags & (IDBPQ_V8_BLINK | IDBPQ_V8_AUTO)) != 0;
    if (blinkish && n >= 3 && p[0] == 0xff && p[1] == 0x11 && (p[2] == 1 || p[2] == 2))
        return unwrap(b, p, n, base_off, o, out, err, level);
    const uint8_t *q = p, *end = p + n;
    uint32_t version = 0, blink_version;
#define EFAIL(st, at, ...) idbpq__verr(err, st, base_off + (uint64_t)((at) - p), __VA_ARGS__)
    if (q < end && *q == 0xff) {
        q++;
        if (!read_u32v(&q, end, &version))
            return EFAIL(IDBPQ_CORRUPT, q, "truncated version header%s", where);
    } else if (o->flags & IDBPQ_V8_BLINK) {
        return EFAIL(IDBPQ_CORRUPT, p, "no version envelope (FF) at the start%s", where);
    }
    blink_version = version;
    if (blinkish && version >= IDBPQ__BLINK_SEPARATE_MIN) {
        if (version >= IDBPQ__BLINK_TRAILER_MIN) {
            /* FE, u64 BE offset, u32 BE size: where the trailer starts, when there is one. */
            if (end - q < 13 || *q != 0xfe)
                return EFAIL(IDBPQ_CORRUPT, q, "Blink envelope v%u: no trailer locator (FE)%s",
                             version, where);
            uint64_t toff = be(q + 1, 8), tsize = be(q + 9, 4);
            q += 13;
            if (tsize) {
                if (toff > n || toff < (uint64_t)(q - p) || tsize > n - toff)
                    return EFAIL(IDBPQ_CORRUPT, q - 12, "Blink trailer [%llu, +%llu) outside "
                                 "the %zu-byte value%s", (unsigned long long)toff,
                                 (unsigned long long)tsize, n, where);
                end = p + toff;
            }
        }
        while (q < end && *q == 0) q++;
        if (q >= end || *q != 0xff)
            return EFAIL(IDBPQ_CORRUPT, q, "Blink envelope v%u: no V8 version header (FF)%s",
                         blink_version, where);
        q++;
        if (!read_u32v(&q, end, &version))
            return EFAIL(IDBPQ_CORRUPT, q, "truncated V8 version header%s", where);
    }
    if (version > IDBPQ__V8_LATEST)
        return EFAIL(IDBPQ_UNSUPPORTED, p, "V8 format version %u (this reads up to %u)%s",
                     version, IDBPQ__V8_LATEST, where);
#undef EFAIL
    struct idbpq__v8r r;
    idbpq__v8r_init(&r, b, o, err);
    r.p = q;
    r.end = end;
    r.base = p;
    r.base_off = base_off;
    r.where = where;
    r.version = version;
    r.blink_version = blink_version;
    idbpq_status st = idbpq__v8_read(&r, out);
    idbpq__v8r_done(&r);
    return st;
}

idbpq_status idbpq_v8_decode(idbpq_vbatch *b, const uint8_t *p, size_t n,
                             const idbpq_v8_opts *opts, idbpq_value **out, idbpq_error *err)
{
    idbpq_v8_opts def;
    if (out) *out = NULL;
    if (!b || !out || (!p && n)) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "invalid argument");
    if (!opts) {
        idbpq_v8_opts_init(&def);
        opts = &def;
    }
    if (err) {
        err->status = IDBPQ_OK;
        err->offset = 0;
        err->line = err->column = 0;
        err->msg[0] = 0;
    }
    idbpq_value *v = NULL;
    idbpq_status st = decode_at(b, p ? p : (const uint8_t *)"", n, 0, "", opts, &v, err, 0);
    if (st == IDBPQ_OK) *out = v;
    return st;
}
