/*
 * keypath.c — key paths: validity ("valid key path", IndexedDB 3.0 §2.9) and extraction of
 * a key from a value ("evaluate a key path on a value", "extract a key from a value using a
 * key path", §7.2). A path is "", an identifier, or identifiers joined by '.' (identifier
 * characters as Chromium accepts them, keypath_unicode.c); an array key
 * path evaluates each of its strings and makes an array of the results. On the way, strings
 * and arrays answer "length", Blobs "size" and "type", Files also "name" and "lastModified"
 * (as the spec lists); everything else must be an own property of an object.
 */
#include "idb/idb.h"

#include <stdio.h>

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

/* Decodes one code point from s[*i..n) (strict: no overlongs, surrogates or values past
 * U+10FFFF); -1 when malformed. */
static int32_t utf8_next(const char *s, size_t n, size_t *i)
{
    const uint8_t *p = (const uint8_t *)s + *i;
    size_t left = n - *i;
    uint32_t c = p[0];
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        *i += 1;
        return (int32_t)c;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return -1;
    }
    if (left < len) return -1;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80) return -1;
        c = c << 6 | (p[k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return -1;
    *i += len;
    return (int32_t)c;
}

int idbpq__keypath_valid(const char *s, size_t n)
{
    if (!s) return 0;
    if (n == 0) return 1; /* the empty key path: the value itself */
    int at_start = 1;
    for (size_t i = 0; i < n;) {
        if (s[i] == '.') {
            if (at_start) return 0; /* empty identifier: ".a", "a..b" */
            at_start = 1;
            i++;
            continue;
        }
        int32_t c = utf8_next(s, n, &i);
        if (c < 0) return 0;
        if (at_start ? !idbpq__id_start((uint32_t)c) : !idbpq__id_part((uint32_t)c)) return 0;
        at_start = 0;
    }
    return !at_start; /* "a." is invalid */
}

/* Whether a property name (code units) equals identifier id[0..n) (UTF-8, valid). */
static int name_eq(const idbpq_str *s, const char *id, size_t n)
{
    uint32_t u = 0;
    for (size_t i = 0; i < n;) {
        int32_t c = utf8_next(id, n, &i);
        if (c < 0) return 0;
        if (c >= 0x10000) {
            uint32_t v = (uint32_t)c - 0x10000;
            if (u + 2 > s->len || idbpq__str_unit(s, u) != 0xd800 + (v >> 10) ||
                idbpq__str_unit(s, u + 1) != 0xdc00 + (v & 0x3ff))
                return 0;
            u += 2;
        } else {
            if (u >= s->len || idbpq__str_unit(s, u) != (uint32_t)c) return 0;
            u++;
        }
    }
    return u == s->len;
}

static int id_is(const char *id, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(id, lit, n) == 0;
}

/* The own property `id` among props, or NULL. Names only match STRING keys: an identifier
 * never looks like an array index, which is what NUMBER keys are. */
static const idbpq_value *own_prop(const idbpq_prop *props, uint32_t n, const char *id,
                                   size_t idn)
{
    if (!props) return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (props[i].key && props[i].key->type == IDBPQ_V_STRING &&
            name_eq(&props[i].key->u.str, id, idn))
            return props[i].value;
    return NULL;
}

/* ---- evaluate a key path on a value ------------------------------------------------------- */

static idbpq_value *num(idbpq_vbatch *b, double d) { return idbpq_value_number(b, d); }

/* One step: value.identifier. *out = NULL means "failure" (the property does not exist);
 * returns NOMEM only when a synthesized number could not be made. */
static idbpq_status step(idbpq_vbatch *b, const idbpq_value *v, const char *id, size_t n,
                         const idbpq_value **out)
{
    *out = NULL;
    const idbpq_value *r = NULL;
    int made = 0; /* r is a number we had to make */
    switch ((idbpq_vtype)v->type) {
    case IDBPQ_V_STRING:
        if (id_is(id, n, "length")) r = num(b, v->u.str.len), made = 1;
        break;
    case IDBPQ_V_ARRAY:
        if (id_is(id, n, "length")) r = num(b, v->u.array.length), made = 1;
        else r = own_prop(v->u.array.props, v->u.array.n_props, id, n);
        break;
    case IDBPQ_V_OBJECT:
        r = own_prop(v->u.object.props, v->u.object.n, id, n);
        break;
    case IDBPQ_V_FILE:
        if (id_is(id, n, "name")) {
            r = v->u.blob.name ? v->u.blob.name : idbpq_value_string_utf8(b, "", 0);
            made = !v->u.blob.name;
            break;
        }
        if (id_is(id, n, "lastModified")) {
            r = num(b, v->u.blob.last_modified), made = 1;
            break;
        }
        /* a File is a Blob too */
        /* fall through */
    case IDBPQ_V_BLOB:
        if (id_is(id, n, "size")) r = num(b, (double)v->u.blob.size), made = 1;
        else if (id_is(id, n, "type")) {
            r = v->u.blob.mime ? v->u.blob.mime : idbpq_value_string_utf8(b, "", 0);
            made = !v->u.blob.mime;
        }
        break;
    case IDBPQ_V_BOXED:
        /* String objects have an own "length" (ECMAScript String exotic objects). */
        if (v->u.boxed && v->u.boxed->type == IDBPQ_V_STRING && id_is(id, n, "length"))
            r = num(b, v->u.boxed->u.str.len), made = 1;
        break;
    case IDBPQ_V_REGEXP:
        /* lastIndex is an own data property of every RegExp; a clone's is 0. */
        if (id_is(id, n, "lastIndex")) r = num(b, 0), made = 1;
        break;
    case IDBPQ_V_ERROR:
        /* A clone of an Error has own message / stack / cause when the original had them. */
        if (id_is(id, n, "message")) r = v->u.error.message;
        else if (id_is(id, n, "stack")) r = v->u.error.stack;
        else if (id_is(id, n, "cause")) r = v->u.error.cause;
        break;
    case IDBPQ_V_UNDEFINED:
    case IDBPQ_V_NULL:
    case IDBPQ_V_BOOLEAN:
    case IDBPQ_V_NUMBER:
    case IDBPQ_V_BIGINT:
    case IDBPQ_V_DATE:
    case IDBPQ_V_MAP:
    case IDBPQ_V_SET:
    case IDBPQ_V_ARRAY_BUFFER:
    case IDBPQ_V_VIEW:
    case IDBPQ_V_FILE_LIST:
    case IDBPQ_V_HOST:
    case IDBPQ_V_HOLE:
        break; /* primitives have no properties; these objects no own ones by that name */
    }
    if (made && !r) return IDBPQ_NOMEM;
    *out = r;
    return IDBPQ_OK;
}

/* Evaluates one string key path; *out = NULL when it does not resolve. */
static idbpq_status evaluate(idbpq_vbatch *b, const idbpq_value *v, const char *path,
                             const idbpq_value **out, idbpq_error *err)
{
    size_t n = strlen(path);
    const idbpq_value *cur = v;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && path[j] != '.') j++;
        const idbpq_value *next = NULL;
        IDBPQ__TRY(step(b, cur, path + i, j - i, &next));
        if (!next) {
            *out = NULL;
            return idbpq__verr(err, IDBPQ_END, 0, "key path \"%s\": no property \"%.*s\"",
                                  path, (int)(j - i), path + i);
        }
        cur = next;
        i = j < n ? j + 1 : j;
    }
    *out = cur;
    return IDBPQ_OK;
}

static idbpq_status to_key(idbpq_vbatch *b, const idbpq_value *v, const char *what,
                           idbpq_key **out, idbpq_error *err)
{
    idbpq_status st = idbpq_key_from_value(b, v, out, err);
    if (st == IDBPQ_INVALID_ARG && err) {
        char reason[sizeof err->msg];
        memcpy(reason, err->msg, sizeof reason);
        snprintf(err->msg, sizeof err->msg, "key path %.100s: %.140s", what, reason);
    }
    return st;
}

idbpq_status idbpq_key_extract(idbpq_vbatch *b, const idbpq_value *v, const idbpq_keypath *kp,
                               idbpq_key **out, idbpq_error *err)
{
    if (out) *out = NULL;
    if (!b || !v || !kp || !out) return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "NULL argument");
    if (kp->type == 1 || kp->type == 2) {
        uint32_t n = kp->type == 1 ? 1 : kp->n;
        if (n == 0 || !kp->paths)
            return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "invalid key path: empty array");
        for (uint32_t i = 0; i < n; i++)
            if (!kp->paths[i] || !idbpq__keypath_valid(kp->paths[i], strlen(kp->paths[i])))
                return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "invalid key path \"%s\"",
                                      kp->paths[i] ? kp->paths[i] : "(null)");
    } else {
        return idbpq__verr(err, IDBPQ_INVALID_ARG, 0, "no key path");
    }

    if (kp->type == 1) {
        const idbpq_value *r;
        IDBPQ__TRY(evaluate(b, v, kp->paths[0], &r, err));
        char what[200];
        snprintf(what, sizeof what, "\"%s\"", kp->paths[0]);
        return to_key(b, r, what, out, err);
    }
    /* An array key path: evaluate each string (any failure: no key), collect the results
     * in a new array and convert that (spec "evaluate a key path", list case). */
    idbpq_value *arr = idbpq_value_new(b, IDBPQ_V_ARRAY);
    idbpq_value **items = arr ? idbpq__kalloc(b, (size_t)kp->n * sizeof *items) : NULL;
    if (!items) return idbpq__verr(err, IDBPQ_NOMEM, 0, "out of memory");
    for (uint32_t i = 0; i < kp->n; i++) {
        const idbpq_value *r;
        IDBPQ__TRY(evaluate(b, v, kp->paths[i], &r, err));
        items[i] = (idbpq_value *)r; /* the array is only read */
    }
    arr->u.array.items = items;
    arr->u.array.length = kp->n;
    return to_key(b, arr, "array", out, err);
}
