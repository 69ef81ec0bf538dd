/*
 * v8_encode.c — writes idbpq values in V8's ValueSerializer format (versions 13-16, default
 * 15), optionally inside Blink's envelope, byte for byte as V8 writes them where V8 is
 * canonical (v8/src/objects/value-serializer.cc, ValueSerializer::Write*).
 *
 * The one choice V8 does not make for us: it writes 'I' for Smis and 'N' for heap numbers
 * (WriteSmi / WriteHeapNumber), a distinction JavaScript cannot observe. We write 'I' for the
 * integers of the 31-bit Smi range [-2^30, 2^30 - 1] except -0, 'N' for every other number:
 * Chrome (pointer compression) and Node (checked: 2^30 comes out as 'N') have 31-bit Smis,
 * so this is what V8 writes for integers held as Smis. V8 still writes 'N' for integral
 * values it holds as doubles (double arrays, double fields); those bytes differ, the value
 * does not.
 */
#include "value/v8.h"

/* ---- output ------------------------------------------------------------------------------- */

idbpq_status idbpq__v8w_reserve(struct idbpq__v8w *w, size_t n)
{
    idbpq_buffer *b = w->out;
    if (IDBPQ__LIKELY(b->cap - b->len >= n)) return IDBPQ_OK;
    if (n > SIZE_MAX / 2 - b->len) goto nomem;
    size_t nc = b->cap ? b->cap : 256;
    while (nc - b->len < n) nc *= 2;
    uint8_t *d = idbpq__realloc(b->alc, b->data, b->cap, nc);
    if (!d) goto nomem;
    b->data = d;
    b->cap = nc;
    return IDBPQ_OK;
nomem:
    w->nomem = 1;
    return idbpq__verr(w->err, IDBPQ_NOMEM, b->len, "out of memory");
}

idbpq_status idbpq__v8w_bytes(struct idbpq__v8w *w, const void *p, size_t n)
{
    IDBPQ__TRY(idbpq__v8w_reserve(w, n));
    if (n) memcpy(w->out->data + w->out->len, p, n);
    w->out->len += n;
    return IDBPQ_OK;
}

static inline void put_varint(struct idbpq__v8w *w, uint64_t v)
{
    uint8_t *d = w->out->data + w->out->len;
    while (v >= 0x80) {
        *d++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *d++ = (uint8_t)v;
    w->out->len = (size_t)(d - w->out->data);
}

idbpq_status idbpq__v8w_varint(struct idbpq__v8w *w, uint64_t v)
{
    IDBPQ__TRY(idbpq__v8w_reserve(w, 10));
    put_varint(w, v);
    return IDBPQ_OK;
}

idbpq_status idbpq__v8w_double(struct idbpq__v8w *w, double d)
{
    return idbpq__v8w_bytes(w, &d, 8);
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

idbpq_status idbpq__v8w_utf8(struct idbpq__v8w *w, const idbpq_str *s)
{
    /* Blink's UTF-8 (StringUTF8Adaptor, lenient): lone surrogates become U+FFFD. */
    size_t n = 0;
    for (uint32_t i = 0; i < s->len; i++) {
        uint32_t c = s->two_byte ? ((const uint16_t *)s->data)[i] : ((const uint8_t *)s->data)[i];
        if (c < 0x80) n += 1;
        else if (c < 0x800) n += 2;
        else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s->len &&
                 ((const uint16_t *)s->data)[i + 1] >= 0xdc00 &&
                 ((const uint16_t *)s->data)[i + 1] < 0xe000) { n += 4; i++; }
        else n += 3;
    }
    IDBPQ__TRY(idbpq__v8w_varint(w, n));
    IDBPQ__TRY(idbpq__v8w_reserve(w, n));
    /* The same conversion as idbpq__str_to_utf8, which writes exactly the n counted above. */
    w->out->len += idbpq__str_to_utf8(s, w->out->data + w->out->len, NULL);
    return IDBPQ_OK;
}

static idbpq_status bad(struct idbpq__v8w *w, const char *what)
{
    return idbpq__verr(w->err, IDBPQ_INVALID_ARG, w->out->len, "cannot encode: %s", what);
}

/* ---- values ------------------------------------------------------------------------------- */

/* WriteString: one-byte as '"'; two-byte as 'c' after a pad byte when needed so that the
 * characters start at an even offset of the serializer's buffer. */
static idbpq_status w_string(struct idbpq__v8w *w, const idbpq_str *s)
{
    if (!s->two_byte) {
        IDBPQ__TRY(idbpq__v8w_reserve(w, 11 + (size_t)s->len));
        idbpq__v8w_byte_unchecked(w, '"');
        put_varint(w, s->len);
        if (s->len) memcpy(w->out->data + w->out->len, s->data, s->len);
        w->out->len += s->len;
        return IDBPQ_OK;
    }
    size_t bytes = (size_t)s->len * 2;
    IDBPQ__TRY(idbpq__v8w_reserve(w, 12 + bytes));
    if ((w->out->len - w->start + 1 + varint_len(bytes)) & 1) idbpq__v8w_byte_unchecked(w, 0);
    idbpq__v8w_byte_unchecked(w, 'c');
    put_varint(w, bytes);
    if (bytes) memcpy(w->out->data + w->out->len, s->data, bytes);
    w->out->len += bytes;
    return IDBPQ_OK;
}

static idbpq_status w_number(struct idbpq__v8w *w, double d)
{
    IDBPQ__TRY(idbpq__v8w_reserve(w, 11));
    if (d >= -1073741824.0 && d <= 1073741823.0 && d == (double)(int32_t)d &&
        !(d == 0 && 1 / d < 0)) {
        int32_t i = (int32_t)d;
        idbpq__v8w_byte_unchecked(w, 'I');
        put_varint(w, ((uint32_t)i << 1) ^ (uint32_t)(i >> 31));
    } else {
        idbpq__v8w_byte_unchecked(w, 'N');
        memcpy(w->out->data + w->out->len, &d, 8);
        w->out->len += 8;
    }
    return IDBPQ_OK;
}

/* WriteBigIntContents: bitfield (sign, byte length), then digits. A 64-bit V8 writes whole
 * 8-byte digits, so the magnitude is padded to a multiple of 8. */
static idbpq_status w_bigint(struct idbpq__v8w *w, uint8_t tag, const idbpq_value *v)
{
    uint32_t n = v->u.bigint.len;
    while (n && v->u.bigint.digits[n - 1] == 0) n--;
    size_t padded = ((size_t)n + 7) & ~(size_t)7;
    if (padded > (1u << 27)) return bad(w, "BigInt too large for V8");
    IDBPQ__TRY(idbpq__v8w_reserve(w, 6 + padded));
    idbpq__v8w_byte_unchecked(w, tag);
    put_varint(w, (uint32_t)(padded << 1) | (n && v->u.bigint.negative ? 1u : 0u));
    if (n) memcpy(w->out->data + w->out->len, v->u.bigint.digits, n);
    memset(w->out->data + w->out->len + n, 0, padded - n);
    w->out->len += padded;
    return IDBPQ_OK;
}

static idbpq_status w_value(struct idbpq__v8w *w, const idbpq_value *v);

static idbpq_status w_key(struct idbpq__v8w *w, const idbpq_value *k)
{
    if (!k) return bad(w, "NULL property key");
    if (k->type == IDBPQ_V_STRING) return w_string(w, &k->u.str);
    if (k->type == IDBPQ_V_NUMBER) return w_number(w, k->u.number);
    return bad(w, "property key is not a string or number");
}

static idbpq_status w_props(struct idbpq__v8w *w, const idbpq_prop *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        IDBPQ__TRY(w_key(w, p[i].key));
        IDBPQ__TRY(w_value(w, p[i].value));
    }
    return IDBPQ_OK;
}

static idbpq_status tag_varint(struct idbpq__v8w *w, uint8_t tag, uint64_t a)
{
    IDBPQ__TRY(idbpq__v8w_reserve(w, 11));
    idbpq__v8w_byte_unchecked(w, tag);
    put_varint(w, a);
    return IDBPQ_OK;
}

static idbpq_status tag_2varints(struct idbpq__v8w *w, uint8_t tag, uint64_t a, uint64_t b)
{
    IDBPQ__TRY(idbpq__v8w_reserve(w, 21));
    idbpq__v8w_byte_unchecked(w, tag);
    put_varint(w, a);
    put_varint(w, b);
    return IDBPQ_OK;
}

static uint8_t view_subtag(idbpq_view_kind k)
{
    static const char tags[] = "bBCwWdDhfFqQ?";
    return (unsigned)k < sizeof tags - 1 ? (uint8_t)tags[k] : 0;
}

/* WriteJSReceiver: a reference if the object was written before, else a new id. Returns 1
 * when the object must be written now. */
static int first_time(struct idbpq__v8w *w, const idbpq_value *v, idbpq_status *st)
{
    uint32_t *id = idbpq__pmap_get(&w->ids, v);
    if (id) {
        *st = tag_varint(w, '^', *id);
        return 0;
    }
    *st = idbpq__pmap_put(&w->ids, v, w->next_id++);
    if (*st != IDBPQ_OK) *st = idbpq__verr(w->err, *st, w->out->len, "out of memory");
    return *st == IDBPQ_OK;
}

static idbpq_status w_receiver(struct idbpq__v8w *w, const idbpq_value *v)
{
    switch (v->type) {
    case IDBPQ_V_OBJECT:
        IDBPQ__TRY(idbpq__v8w_bytes(w, "o", 1));
        IDBPQ__TRY(w_props(w, v->u.object.props, v->u.object.n));
        return tag_varint(w, '{', v->u.object.n);
    case IDBPQ_V_ARRAY:
        if (!v->u.array.sparse && v->u.array.length && !v->u.array.items)
            return bad(w, "dense array without items");
        if (v->u.array.sparse) {
            IDBPQ__TRY(tag_varint(w, 'a', v->u.array.length));
            IDBPQ__TRY(w_props(w, v->u.array.props, v->u.array.n_props));
            return tag_2varints(w, '@', v->u.array.n_props, v->u.array.length);
        }
        IDBPQ__TRY(tag_varint(w, 'A', v->u.array.length));
        for (uint32_t i = 0; i < v->u.array.length; i++) {
            const idbpq_value *e = v->u.array.items[i];
            if (!e || e->type == IDBPQ_V_HOLE) IDBPQ__TRY(idbpq__v8w_bytes(w, "-", 1));
            else IDBPQ__TRY(w_value(w, e));
        }
        IDBPQ__TRY(w_props(w, v->u.array.props, v->u.array.n_props));
        return tag_2varints(w, '$', v->u.array.n_props, v->u.array.length);
    case IDBPQ_V_DATE:
        IDBPQ__TRY(idbpq__v8w_bytes(w, "D", 1));
        return idbpq__v8w_double(w, v->u.number);
    case IDBPQ_V_REGEXP:
        if (!v->u.regexp.source || v->u.regexp.source->type != IDBPQ_V_STRING)
            return bad(w, "RegExp source is not a string");
        IDBPQ__TRY(idbpq__v8w_bytes(w, "R", 1));
        IDBPQ__TRY(w_string(w, &v->u.regexp.source->u.str));
        return idbpq__v8w_varint(w, v->u.regexp.flags);
    case IDBPQ_V_BOXED: {
        const idbpq_value *in = v->u.boxed;
        if (!in) return bad(w, "empty boxed primitive");
        switch (in->type) {
        case IDBPQ_V_BOOLEAN: return idbpq__v8w_bytes(w, in->u.boolean ? "y" : "x", 1);
        case IDBPQ_V_NUMBER:
            IDBPQ__TRY(idbpq__v8w_bytes(w, "n", 1));
            return idbpq__v8w_double(w, in->u.number);
        case IDBPQ_V_BIGINT: return w_bigint(w, 'z', in);
        case IDBPQ_V_STRING:
            IDBPQ__TRY(idbpq__v8w_bytes(w, "s", 1));
            return w_string(w, &in->u.str);
        default: return bad(w, "boxed value is not a boolean, number, BigInt or string");
        }
    }
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET: {
        int map = v->type == IDBPQ_V_MAP;
        uint64_t n = (uint64_t)v->u.coll.n * (map ? 2 : 1);
        if (n > UINT32_MAX) return bad(w, "Map too large");
        IDBPQ__TRY(idbpq__v8w_bytes(w, map ? ";" : "'", 1));
        for (uint64_t i = 0; i < n; i++) IDBPQ__TRY(w_value(w, v->u.coll.items[i]));
        return tag_varint(w, map ? ':' : ',', n);
    }
    case IDBPQ_V_ARRAY_BUFFER:
        if (v->u.buffer.resizable && v->u.buffer.max_len < v->u.buffer.len)
            return bad(w, "ArrayBuffer length above its maximum");
        if (w->version < 16 &&
            (v->u.buffer.len > UINT32_MAX || (v->u.buffer.resizable &&
                                              v->u.buffer.max_len > UINT32_MAX)))
            return bad(w, "ArrayBuffer length over 2^32-1 (needs V8 format 16)");
        if (v->u.buffer.resizable)
            IDBPQ__TRY(tag_2varints(w, '~', v->u.buffer.len, v->u.buffer.max_len));
        else
            IDBPQ__TRY(tag_varint(w, 'B', v->u.buffer.len));
        return idbpq__v8w_bytes(w, v->u.buffer.bytes, (size_t)v->u.buffer.len);
    case IDBPQ_V_VIEW: {
        uint8_t sub = view_subtag(v->u.view.kind);
        if (!sub) return bad(w, "unknown view kind");
        if (w->version < 16 && (v->u.view.offset > UINT32_MAX || v->u.view.length > UINT32_MAX))
            return bad(w, "view offset or length over 2^32-1 (needs V8 format 16)");
        IDBPQ__TRY(idbpq__v8w_reserve(w, 32));
        idbpq__v8w_byte_unchecked(w, 'V');
        put_varint(w, sub);
        put_varint(w, v->u.view.offset);
        put_varint(w, v->u.view.length);
        if (w->version >= 14) put_varint(w, v->u.view.flags & 3);
        return IDBPQ_OK;
    }
    case IDBPQ_V_ERROR: {
        static const char protos[] = {0, 'E', 'R', 'F', 'S', 'T', 'U'};
        IDBPQ__TRY(idbpq__v8w_bytes(w, "r", 1));
        if ((unsigned)v->u.error.kind < sizeof protos && protos[v->u.error.kind])
            IDBPQ__TRY(idbpq__v8w_bytes(w, &protos[v->u.error.kind], 1));
        if (v->u.error.message) {
            if (v->u.error.message->type != IDBPQ_V_STRING) return bad(w, "Error message");
            IDBPQ__TRY(idbpq__v8w_bytes(w, "m", 1));
            IDBPQ__TRY(w_string(w, &v->u.error.message->u.str));
        }
        if (v->u.error.cause) {
            IDBPQ__TRY(idbpq__v8w_bytes(w, "c", 1));
            IDBPQ__TRY(w_value(w, v->u.error.cause));
        }
        if (v->u.error.stack) {
            if (v->u.error.stack->type != IDBPQ_V_STRING) return bad(w, "Error stack");
            IDBPQ__TRY(idbpq__v8w_bytes(w, "s", 1));
            IDBPQ__TRY(w_string(w, &v->u.error.stack->u.str));
        }
        return idbpq__v8w_bytes(w, ".", 1);
    }
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST:
    case IDBPQ_V_HOST:
        IDBPQ__TRY(idbpq__v8w_bytes(w, "\\", 1));
        return idbpq__blink_write_host(w, v);
    default: return bad(w, "not an object");
    }
}

static idbpq_status w_value(struct idbpq__v8w *w, const idbpq_value *v)
{
    if (!v) return bad(w, "NULL value");
    switch (v->type) {
    case IDBPQ_V_UNDEFINED: return idbpq__v8w_bytes(w, "_", 1);
    case IDBPQ_V_NULL: return idbpq__v8w_bytes(w, "0", 1);
    case IDBPQ_V_BOOLEAN: return idbpq__v8w_bytes(w, v->u.boolean ? "T" : "F", 1);
    case IDBPQ_V_NUMBER: return w_number(w, v->u.number);
    case IDBPQ_V_BIGINT: return w_bigint(w, 'Z', v);
    case IDBPQ_V_STRING: return w_string(w, &v->u.str);
    case IDBPQ_V_HOLE: return bad(w, "a hole outside a dense array");
    case IDBPQ_V_OBJECT:
    case IDBPQ_V_ARRAY:
    case IDBPQ_V_DATE:
    case IDBPQ_V_REGEXP:
    case IDBPQ_V_BOXED:
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET:
    case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW:
    case IDBPQ_V_ERROR:
    case IDBPQ_V_BLOB:
    case IDBPQ_V_FILE:
    case IDBPQ_V_FILE_LIST:
    case IDBPQ_V_HOST: break;
    default: return bad(w, "unknown value type");
    }
    if (++w->depth > w->max_depth)
        return idbpq__verr(w->err, IDBPQ_LIMIT, w->out->len, "nesting deeper than max_depth (%u)",
                           w->max_depth);
    idbpq_status st = IDBPQ_OK;
    /* A view's buffer goes first, unless the view itself was written already (WriteObject). */
    if (v->type == IDBPQ_V_VIEW && !idbpq__pmap_get(&w->ids, v)) {
        const idbpq_value *buf = v->u.view.buffer;
        if (!buf || buf->type != IDBPQ_V_ARRAY_BUFFER) {
            st = bad(w, "view without an ArrayBuffer");
        } else if (v->u.view.offset > buf->u.buffer.len ||
                   v->u.view.length > buf->u.buffer.len - v->u.view.offset) {
            st = bad(w, "view outside its buffer");
        } else if (first_time(w, buf, &st)) {
            st = w_receiver(w, buf);
        }
    }
    if (st == IDBPQ_OK && first_time(w, v, &st)) st = w_receiver(w, v);
    w->depth--;
    return st;
}

idbpq_status idbpq__v8_write(struct idbpq__v8w *w, const idbpq_value *v)
{
    IDBPQ__TRY(tag_varint(w, 0xff, w->version));
    return w_value(w, v);
}

idbpq_status idbpq_v8_encode(const idbpq_value *v, const idbpq_v8_opts *opts, idbpq_buffer *out,
                             idbpq_error *err)
{
    idbpq_v8_opts def;
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
    if (!v || !out) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "invalid argument");
    uint32_t version = opts->v8_version ? opts->v8_version : IDBPQ__V8_DEFAULT_WRITE;
    if (version < 13 || version > IDBPQ__V8_LATEST)
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "V8 format version %u: 13..16 are written",
                           version);
    struct idbpq__v8w w;
    memset(&w, 0, sizeof w);
    w.out = out;
    w.start = out->len;
    w.version = version;
    w.blink_version = version;
    w.err = err;
    w.max_depth = opts->max_depth ? opts->max_depth : 1000;
    if (w.max_depth > IDBPQ__V8_HARD_DEPTH) w.max_depth = IDBPQ__V8_HARD_DEPTH;
    idbpq__pmap_init(&w.ids, out->alc);
    idbpq_status st = IDBPQ_OK;
    if (opts->flags & IDBPQ_V8_BLINK) {
        uint32_t bv = opts->blink_version ? opts->blink_version : IDBPQ__BLINK_LATEST;
        if (bv < IDBPQ__BLINK_SEPARATE_MIN)
            st = idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "Blink version %u: 16 or later is "
                             "written", bv);
        if (st == IDBPQ_OK) st = tag_varint(&w, 0xff, bv);
        w.blink_version = bv;
        if (st == IDBPQ_OK && bv >= IDBPQ__BLINK_TRAILER_MIN) {
            static const uint8_t none[13] = {0xfe}; /* no trailer: offset 0, size 0 */
            st = idbpq__v8w_bytes(&w, none, sizeof none);
        }
    }
    if (st == IDBPQ_OK) st = idbpq__v8_write(&w, v);
    if (st != IDBPQ_OK) out->len = w.start;
    idbpq__pmap_free(&w.ids);
    return st;
}
