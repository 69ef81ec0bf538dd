/*
 * async_sink.c — a sink that hands the bytes to a thread of its own, which writes them to
 * the real sink. Writing a file costs the kernel a copy per byte (and page-cache work); done
 * on the thread that encodes and compresses, it would add to the longest stage of an export.
 * Bytes go into ASYNC_BUFS buffers of ASYNC_BUF_BYTES, written in order.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "async_sink.h"

#define ASYNC_BUFS 4
#define ASYNC_BUF_BYTES ((size_t)4 << 20)

struct abuf {
    uint8_t *p;
    size_t len;
};

struct cli_async_sink {
    idbpq_sink target;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct abuf bufs[ASYNC_BUFS];
    uint64_t queued, written;      /* buffers handed to the thread / written by it */
    int closing;
    idbpq_status status;           /* the first failure of the target */
};

static void *writer(void *arg)
{
    cli_async_sink *a = arg;
    for (;;) {
        pthread_mutex_lock(&a->mu);
        while (a->written == a->queued && !a->closing) pthread_cond_wait(&a->cv, &a->mu);
        if (a->written == a->queued) { /* closing and nothing left */
            pthread_mutex_unlock(&a->mu);
            return NULL;
        }
        struct abuf *b = &a->bufs[a->written % ASYNC_BUFS];
        int failed = a->status != IDBPQ_OK;
        pthread_mutex_unlock(&a->mu);
        idbpq_status st = failed ? IDBPQ_OK : a->target.write(a->target.ctx, b->p, b->len);
        pthread_mutex_lock(&a->mu);
        if (st != IDBPQ_OK && a->status == IDBPQ_OK) a->status = st;
        a->written++;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
}

/* Hands the current buffer over and waits for a free one. */
static idbpq_status rotate(cli_async_sink *a)
{
    pthread_mutex_lock(&a->mu);
    a->queued++;
    pthread_cond_broadcast(&a->cv);
    while (a->queued - a->written >= ASYNC_BUFS) pthread_cond_wait(&a->cv, &a->mu);
    struct abuf *b = &a->bufs[a->queued % ASYNC_BUFS];
    b->len = 0;
    idbpq_status st = a->status;
    pthread_mutex_unlock(&a->mu);
    return st;
}

static idbpq_status async_write(void *ctx, const void *buf, size_t len)
{
    cli_async_sink *a = ctx;
    const uint8_t *p = buf;
    while (len) {
        struct abuf *b = &a->bufs[a->queued % ASYNC_BUFS]; /* only this thread moves queued */
        size_t room = ASYNC_BUF_BYTES - b->len, n = len < room ? len : room;
        memcpy(b->p + b->len, p, n);
        b->len += n;
        p += n;
        len -= n;
        if (b->len == ASYNC_BUF_BYTES) {
            idbpq_status st = rotate(a);
            if (st != IDBPQ_OK) return st;
        }
    }
    return IDBPQ_OK;
}

int cli_async_sink_open(cli_async_sink **out, const idbpq_sink *target, idbpq_sink *sink)
{
    cli_async_sink *a = calloc(1, sizeof *a);
    if (!a) return -1;
    a->target = *target;
    for (int i = 0; i < ASYNC_BUFS; i++)
        if (!(a->bufs[i].p = malloc(ASYNC_BUF_BYTES))) {
            for (int j = 0; j < i; j++) free(a->bufs[j].p);
            free(a);
            return -1;
        }
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->thread, NULL, writer, a) != 0) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->cv);
        for (int i = 0; i < ASYNC_BUFS; i++) free(a->bufs[i].p);
        free(a);
        return -1;
    }
    sink->ctx = a;
    sink->write = async_write;
    sink->name = target->name;
    *out = a;
    return 0;
}

idbpq_status cli_async_sink_close(cli_async_sink *a)
{
    if (!a) return IDBPQ_OK;
    pthread_mutex_lock(&a->mu);
    if (a->bufs[a->queued % ASYNC_BUFS].len) a->queued++; /* the partly filled last one */
    a->closing = 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    idbpq_status st = a->status;
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    for (int i = 0; i < ASYNC_BUFS; i++) free(a->bufs[i].p);
    free(a);
    return st;
}
