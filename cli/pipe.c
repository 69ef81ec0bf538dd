/*
 * pipe.c — a store's records read in a second thread while the calling thread writes them:
 * reading (LevelDB/SQLite, decompression, V8 decoding, Blob files) and writing (mapping,
 * encoding, compression, the output file) each take about half of an export, and machines
 * have more than one core. The reader fills batches of records (each its own value batch);
 * the writer takes them in order. Memory: PIPE_SLOTS batches of at most PIPE_BATCH_BYTES
 * (plus the one record that crosses the limit).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pipe.h"

#define PIPE_SLOTS 3
#define PIPE_BATCH_RECORDS 512 /* at most; IDBPQ_EXPORT_BATCH (tests) makes batches smaller */
#define PIPE_BATCH_BYTES ((size_t)4 << 20)

struct slot {
    idbpq_vbatch *b;
    idbpq_value **keys, **values;
    uint32_t n;
    int last;                      /* the reader stopped after this batch */
    idbpq_status status;           /* with last: END or the fatal status */
    char msg[256];
};

struct cli_pipe {
    idbpq_store_cursor *c;
    uint32_t batch;                /* records per batch */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot slots[PIPE_SLOTS];
    uint32_t filled;               /* slots handed to the writer so far */
    uint32_t taken;                /* slots the writer has finished with */
    int stop;                      /* the writer gave up: the reader stops */
    int started;                   /* the thread runs (mu and cv are initialised) */
    uint64_t damaged, bytes;       /* under mu */
    /* the writer's position */
    struct slot *cur;
    uint32_t pos;
    int done;
};

static void *reader(void *arg)
{
    cli_pipe *p = arg;
    for (uint32_t k = 0;; k++) {
        struct slot *s = &p->slots[k % PIPE_SLOTS];
        pthread_mutex_lock(&p->mu);
        while (!p->stop && k - p->taken >= PIPE_SLOTS) pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) return NULL;
        idbpq_vbatch_reset(s->b);
        s->n = 0;
        s->last = 0;
        s->status = IDBPQ_OK;
        s->msg[0] = 0;
        uint64_t damaged = 0;
        while (s->n < p->batch && idbpq_vbatch_size(s->b) < PIPE_BATCH_BYTES) {
            idbpq_error e;
            e.msg[0] = 0;
            idbpq_status st = idbpq_store_cursor_next(p->c, s->b, &s->keys[s->n],
                                                      &s->values[s->n], &e);
            if (st == IDBPQ_OK) {
                s->n++;
            } else if (st == IDBPQ_CORRUPT) {
                damaged++; /* reported by the damage callback; the cursor goes on */
            } else {
                s->last = 1;
                s->status = st;
                if (st != IDBPQ_END) snprintf(s->msg, sizeof s->msg, "%s", e.msg);
                break;
            }
        }
        pthread_mutex_lock(&p->mu);
        p->damaged += damaged;
        p->bytes = idbpq_store_cursor_bytes(p->c);
        p->filled = k + 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (s->last) return NULL;
    }
}

int cli_pipe_start(cli_pipe **out, idbpq_store_cursor *c)
{
    cli_pipe *p = calloc(1, sizeof *p);
    if (!p) return -1;
    p->c = c;
    p->batch = PIPE_BATCH_RECORDS;
    const char *env = getenv("IDBPQ_EXPORT_BATCH"); /* many hand-overs: tests of this file */
    if (env && atoi(env) > 0 && atoi(env) < PIPE_BATCH_RECORDS) p->batch = (uint32_t)atoi(env);
    for (int i = 0; i < PIPE_SLOTS; i++) {
        struct slot *s = &p->slots[i];
        s->keys = malloc(PIPE_BATCH_RECORDS * sizeof *s->keys);
        s->values = malloc(PIPE_BATCH_RECORDS * sizeof *s->values);
        if (!s->keys || !s->values || idbpq_vbatch_create(&s->b, NULL) != IDBPQ_OK) {
            cli_pipe_free(p); /* nothing started yet: frees what exists */
            return -1;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, reader, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        cli_pipe_free(p);
        return -1;
    }
    p->started = 1;
    *out = p;
    return 0;
}

idbpq_status cli_pipe_next(cli_pipe *p, idbpq_value **key, idbpq_value **value, char *msg,
                           size_t msg_len)
{
    for (;;) {
        if (p->done) return IDBPQ_END;
        if (p->cur && p->pos < p->cur->n) {
            *key = p->cur->keys[p->pos];
            *value = p->cur->values[p->pos];
            p->pos++;
            return IDBPQ_OK;
        }
        if (p->cur) { /* this batch is used up: hand the slot back */
            /* Read what the slot says before giving it back: the reader may refill it at
             * once (and mark its next batch the last one). */
            struct slot *s = p->cur;
            int last = s->last;
            idbpq_status status = s->status;
            if (last && status != IDBPQ_END) snprintf(msg, msg_len, "%s", s->msg);
            p->cur = NULL;
            pthread_mutex_lock(&p->mu);
            p->taken++;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            if (last) {
                p->done = 1;
                return status;
            }
        }
        pthread_mutex_lock(&p->mu);
        while (p->filled == p->taken) pthread_cond_wait(&p->cv, &p->mu);
        p->cur = &p->slots[p->taken % PIPE_SLOTS];
        pthread_mutex_unlock(&p->mu);
        p->pos = 0;
    }
}

uint64_t cli_pipe_damaged(cli_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    uint64_t d = p->damaged;
    pthread_mutex_unlock(&p->mu);
    return d;
}

uint64_t cli_pipe_bytes(cli_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    uint64_t b = p->bytes;
    pthread_mutex_unlock(&p->mu);
    return b;
}

void cli_pipe_free(cli_pipe *p)
{
    if (!p) return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
    }
    for (int i = 0; i < PIPE_SLOTS; i++) {
        idbpq_vbatch_free(p->slots[i].b);
        free(p->slots[i].keys);
        free(p->slots[i].values);
    }
    free(p);
}
