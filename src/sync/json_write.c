/*
 * json_write.c — JSON text output for the Delta log (commits, checkpoint pointers, stats) and
 * for the CLI's table commands. Strings are escaped per RFC 8259 §7: the quote, the backslash
 * and control characters; everything else (UTF-8 included) is written as is, which every JSON
 * reader accepts and keeps log lines short.
 */
#include "sync/delta_read.h"

#include <inttypes.h>
#include <stdio.h>

idbpq_status idbpq__jw_str(struct idbpq__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    IDBPQ__TRY(idbpq__buf_push(b, '"'));
    size_t run = 0; /* bytes copied as a block since the last escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') { run++; continue; }
        if (run) IDBPQ__TRY(idbpq__buf_append(b, s + i - run, run));
        run = 0;
        char esc[6] = { '\\', 0, 0, 0, 0, 0 };
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            k = 6;
        }
        IDBPQ__TRY(idbpq__buf_append(b, esc, k));
    }
    if (run) IDBPQ__TRY(idbpq__buf_append(b, s + n - run, run));
    return idbpq__buf_push(b, '"');
}

idbpq_status idbpq__jw_raw(struct idbpq__buf *b, const char *s)
{
    return idbpq__buf_append(b, s, strlen(s));
}

idbpq_status idbpq__jw_int(struct idbpq__buf *b, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return idbpq__buf_append(b, tmp, (size_t)n);
}

idbpq_status idbpq__jw_key(struct idbpq__buf *b, const char *k, int first)
{
    if (!first) IDBPQ__TRY(idbpq__buf_push(b, ','));
    IDBPQ__TRY(idbpq__jw_str(b, k, strlen(k)));
    return idbpq__buf_push(b, ':');
}

/* A DOM back to text: numbers as they were written, strings re-escaped. Depth is bounded by
 * the parser's limit. */
idbpq_status idbpq__dj_write(struct idbpq__buf *b, const struct idbpq__dj *v)
{
    switch (v->kind) {
    case IDBPQ__DJ_NULL: return idbpq__jw_raw(b, "null");
    case IDBPQ__DJ_BOOL: return idbpq__jw_raw(b, v->b ? "true" : "false");
    case IDBPQ__DJ_NUM: return idbpq__buf_append(b, v->str, v->len);
    case IDBPQ__DJ_STR: return idbpq__jw_str(b, v->str, v->len);
    case IDBPQ__DJ_ARR:
        IDBPQ__TRY(idbpq__buf_push(b, '['));
        for (uint32_t i = 0; i < v->n; i++) {
            if (i) IDBPQ__TRY(idbpq__buf_push(b, ','));
            IDBPQ__TRY(idbpq__dj_write(b, &v->items[i]));
        }
        return idbpq__buf_push(b, ']');
    case IDBPQ__DJ_OBJ:
        IDBPQ__TRY(idbpq__buf_push(b, '{'));
        for (uint32_t i = 0; i < v->n; i++) {
            IDBPQ__TRY(idbpq__jw_key(b, v->keys[i], i == 0));
            IDBPQ__TRY(idbpq__dj_write(b, &v->vals[i]));
        }
        return idbpq__buf_push(b, '}');
    }
    return IDBPQ_OK;
}
