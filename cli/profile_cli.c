/*
 * profile_cli.c — what `idbpq ls` and `idbpq export` share: opening a browser profile with
 * damage reported on stderr (and kept for export.json), and file-safe names.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "profile_cli.h"

static void on_damage(void *ctx, const idbpq_damage *d)
{
    cli_profile *p = ctx;
    pthread_mutex_lock(&p->mu);
    /* The same damaged block is met by every pass that reads it (counting, then exporting):
     * report it once. */
    for (size_t i = p->n_damage; i-- > 0;)
        if (p->damage[i].offset == d->offset && !strcmp(p->damage[i].file, d->file) &&
            !strcmp(p->damage[i].what, d->what)) {
            pthread_mutex_unlock(&p->mu);
            return;
        }
    if (p->progress_line) { /* clear the progress bar before printing a line */
        fputs("\r\033[K", stderr);
        p->progress_line = 0;
    }
    cli_err(d->file, "at byte %llu: %s", (unsigned long long)d->offset, d->what);
    if (p->n_damage == p->cap_damage) {
        size_t nc = p->cap_damage ? 2 * p->cap_damage : 16;
        cli_damage *g = realloc(p->damage, nc * sizeof *g);
        if (!g) {
            pthread_mutex_unlock(&p->mu);
            return;
        }
        p->damage = g;
        p->cap_damage = nc;
    }
    cli_damage *x = &p->damage[p->n_damage];
    x->file = strdup(d->file);
    x->what = strdup(d->what);
    x->offset = d->offset;
    if (x->file && x->what) p->n_damage++;
    pthread_mutex_unlock(&p->mu);
}

int cli_profile_open(cli_profile *p, const char *path)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    /* The LevelDB reader keeps one descriptor per live table of every origin (a snapshot that
     * a running browser's compactions cannot change): allow as many as the system does. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    idbpq_profile_opts o;
    idbpq_profile_opts_init(&o);
    o.on_damage = on_damage;
    o.damage_ctx = p;
    idbpq_error e;
    memset(&e, 0, sizeof e);
    idbpq_status st = idbpq_profile_open(&p->prof, path, &o, NULL, &e);
    if (st != IDBPQ_OK) {
        fflush(stdout);
        fprintf(stderr, "idbpq: %s\n", e.msg[0] ? e.msg : idbpq_status_str(st));
        pthread_mutex_destroy(&p->mu);
        return CLI_FAIL;
    }
    return CLI_OK;
}

void cli_profile_close(cli_profile *p)
{
    idbpq_profile_free(p->prof);
    for (size_t i = 0; i < p->n_damage; i++) {
        free(p->damage[i].file);
        free(p->damage[i].what);
    }
    free(p->damage);
    pthread_mutex_destroy(&p->mu);
    memset(p, 0, sizeof *p);
}

/* Bytes kept: A-Z a-z 0-9 _ -, non-ASCII (UTF-8 names stay readable), '.' but not first;
 * the rest as %XX, so that distinct names stay distinct and nothing can climb out of the
 * output directory ("..", "/"). The empty name is "%". */
void cli_safe_name(const char *name, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    if (!*name && cap > 1) out[n++] = '%';
    for (const unsigned char *c = (const unsigned char *)name; *c && n + 4 < cap; c++) {
        int keep = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                   (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c >= 0x80 ||
                   (*c == '.' && c != (const unsigned char *)name);
        if (keep) {
            out[n++] = (char)*c;
        } else {
            out[n++] = '%';
            out[n++] = hex[*c >> 4];
            out[n++] = hex[*c & 15];
        }
    }
    out[n] = 0;
}

void cli_json_keypath(jw *w, const idbpq_keypath *kp)
{
    if (kp->type == 0) {
        jw_puts(w, "null");
    } else if (kp->type == 1) {
        jw_cstr(w, kp->paths[0]);
    } else {
        jw_putc(w, '[');
        for (uint32_t i = 0; i < kp->n; i++) {
            if (i) jw_putc(w, ',');
            jw_cstr(w, kp->paths[i]);
        }
        jw_putc(w, ']');
    }
}
