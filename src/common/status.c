/*
 * status.c — the status table (names and one-line messages) and per-handle error records.
 */
#include "common/common.h"

#include <stdio.h>

unsigned idbpq_version_number(void) { return IDBPQ_VERSION_NUMBER; }
const char *idbpq_version_string(void) { return IDBPQ_VERSION_STRING; }

const char *idbpq_status_name(idbpq_status s)
{
    switch (s) {
#define IDBPQ_STATUS_NAME_(name, num, msg) \
    case IDBPQ_##name: return "IDBPQ_" #name;
        IDBPQ_STATUS_MAP(IDBPQ_STATUS_NAME_)
#undef IDBPQ_STATUS_NAME_
    }
    return "IDBPQ_UNKNOWN";
}

const char *idbpq_status_str(idbpq_status s)
{
    switch (s) {
#define IDBPQ_STATUS_STR_(name, num, msg) \
    case IDBPQ_##name: return msg;
        IDBPQ_STATUS_MAP(IDBPQ_STATUS_STR_)
#undef IDBPQ_STATUS_STR_
    }
    return "unknown status";
}

idbpq_status idbpq__fail(struct idbpq__err *err, idbpq_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = st;
    }
    return st;
}

void idbpq__err_prefix(struct idbpq__err *err, const char *fmt, ...)
{
    if (!err) return;
    char pre[IDBPQ__ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    size_t plen = (size_t)n < sizeof pre ? (size_t)n : sizeof pre - 1;
    size_t mlen = strlen(err->msg);
    if (plen + mlen >= sizeof err->msg) mlen = sizeof err->msg - 1 - plen;
    memmove(err->msg + plen, err->msg, mlen);
    memcpy(err->msg, pre, plen);
    err->msg[plen + mlen] = 0;
}

void idbpq__err_clear(struct idbpq__err *err)
{
    if (!err) return;
    err->status = IDBPQ_OK;
    err->msg[0] = 0;
}

void idbpq__err_copy(const struct idbpq__err *err, char *buf, size_t len)
{
    if (!buf || !len) return;
    snprintf(buf, len, "%s", err && err->msg[0] ? err->msg : "");
}
