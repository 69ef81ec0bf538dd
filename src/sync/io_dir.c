/*
 * io_dir.c — idbpq_table_io over a directory of the local file system. Reads go through the
 * file source (mmap or pread). Commits must be created atomically and only if absent, which
 * rename(2) cannot do (it replaces): the bytes go to a temporary file in the same directory,
 * fsynced, then link(2) gives them the final name or fails with EEXIST (notes §5.1; the Rust
 * object_store local backend does the same). Other files use the atomic file sink.
 */
#include "sync/delta_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct dir_io {
    char *root;
    size_t root_len;
};

static idbpq_status perr(idbpq_error *err, idbpq_status st, const char *what, const char *path,
                         int e)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->status = st;
        snprintf(err->msg, sizeof err->msg, "%s %s: %s", what, path, strerror(e));
    }
    return st;
}

/* root + "/" + rel into a new string, after checking rel: relative, no "..", no empty
 * components that would climb out. NULL with err set. */
static char *full_path(struct dir_io *d, const char *rel, idbpq_error *err)
{
    if (!rel || rel[0] == '/') {
        perr(err, IDBPQ_INVALID_ARG, "path", rel ? rel : "(null)", EINVAL);
        return NULL;
    }
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            perr(err, IDBPQ_INVALID_ARG, "path with \"..\"", rel, EINVAL);
            return NULL;
        }
        p += n + (e ? 1 : 0);
    }
    size_t rn = strlen(rel), n = d->root_len + 1 + rn + 1;
    char *s = idbpq__malloc(NULL, n);
    if (!s) {
        perr(err, IDBPQ_NOMEM, "path", rel, ENOMEM);
        return NULL;
    }
    snprintf(s, n, "%s%s%s", d->root, rn ? "/" : "", rel);
    return s;
}

static void free_path(char *s)
{
    if (s) idbpq__free(NULL, s, strlen(s) + 1);
}

static idbpq_status dir_list(void *ctx, const char *dir, idbpq_table_file_fn fn, void *fn_ctx,
                             idbpq_error *err)
{
    struct dir_io *d = ctx;
    char *path = full_path(d, dir, err);
    if (!path) return err ? err->status : IDBPQ_INVALID_ARG;
    DIR *dh = opendir(path);
    if (!dh) {
        int e = errno;
        idbpq_status st = e == ENOENT || e == ENOTDIR ? IDBPQ_OK
                                                      : perr(err, IDBPQ_IO, "opendir", path, e);
        free_path(path);
        return st;
    }
    idbpq_status st = IDBPQ_OK;
    struct dirent *de;
    size_t dl = strlen(dir);
    while (st == IDBPQ_OK && (de = readdir(dh)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        size_t fl = strlen(path) + 1 + strlen(de->d_name) + 1;
        size_t rl = dl + 1 + strlen(de->d_name) + 1;
        char *fp = idbpq__malloc(NULL, fl), *rp = idbpq__malloc(NULL, rl);
        if (!fp || !rp) {
            st = perr(err, IDBPQ_NOMEM, "listing", path, ENOMEM);
        } else {
            snprintf(fp, fl, "%s/%s", path, de->d_name);
            snprintf(rp, rl, "%s%s%s", dir, dl ? "/" : "", de->d_name);
            struct stat sb;
            /* Only regular files: subdirectories (_change_data/, partitions) are listed by
             * asking for them. */
            if (stat(fp, &sb) == 0 && S_ISREG(sb.st_mode)) {
                idbpq_table_file f = { rp, (uint64_t)sb.st_size,
                                       (int64_t)sb.st_mtim.tv_sec * 1000 +
                                           sb.st_mtim.tv_nsec / 1000000 };
                st = fn(fn_ctx, &f);
            }
        }
        idbpq__free(NULL, fp, fp ? fl : 0);
        idbpq__free(NULL, rp, rp ? rl : 0);
    }
    closedir(dh);
    free_path(path);
    return st;
}

static idbpq_status dir_open(void *ctx, const char *rel, idbpq_source *src, idbpq_error *err)
{
    struct dir_io *d = ctx;
    char *path = full_path(d, rel, err);
    if (!path) return err ? err->status : IDBPQ_INVALID_ARG;
    idbpq_file_source *f;
    char msg[256];
    msg[0] = 0;
    struct stat sb;
    idbpq_status st;
    if (stat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
        st = perr(err, IDBPQ_END, "open", path, errno);
    } else {
        st = idbpq_file_source_open(&f, path, src, msg, sizeof msg);
        if (st != IDBPQ_OK && err) {
            memset(err, 0, sizeof *err);
            err->status = st;
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
    }
    free_path(path);
    return st;
}

static void dir_close(void *ctx, idbpq_source *src)
{
    (void)ctx;
    /* The file source makes itself the source's ctx (file_io.c). */
    if (src && src->ctx) idbpq_file_source_close(src->ctx);
    if (src) src->ctx = NULL;
}

/* Creates the missing directories of path's parent (as mkdir -p). */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int r = mkdir(path, 0777);
        int e = errno;
        *p = '/';
        if (r != 0 && e != EEXIST) return -1;
    }
    return 0;
}

static int fsync_parent(const char *path)
{
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n == 0 || n >= sizeof tmp) return 0;
    memcpy(tmp, path, n);
    tmp[n] = 0;
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static idbpq_status dir_put(void *ctx, const char *rel, const void *bytes, size_t n,
                            int if_absent, idbpq_error *err)
{
    struct dir_io *d = ctx;
    char *path = full_path(d, rel, err);
    if (!path) return err ? err->status : IDBPQ_INVALID_ARG;
    idbpq_status st = IDBPQ_OK;
    size_t tl = strlen(path) + 32;
    char *tmp = idbpq__malloc(NULL, tl);
    int fd = -1;
    if (!tmp) { st = perr(err, IDBPQ_NOMEM, "put", path, ENOMEM); goto out; }
    if (make_parents(path) != 0) { st = perr(err, IDBPQ_IO, "mkdir for", path, errno); goto out; }
    /* The temporary name starts with '.' so that readers listing the directory skip it. */
    {
        const char *slash = strrchr(path, '/');
        size_t dn = slash ? (size_t)(slash - path) + 1 : 0;
        snprintf(tmp, tl, "%.*s.%s.%ld.tmp", (int)dn, path, path + dn, (long)getpid());
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) { st = perr(err, IDBPQ_IO, "create", tmp, errno); goto out; }
    for (const uint8_t *p = bytes; n;) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { st = perr(err, IDBPQ_IO, "write", tmp, errno); goto out; }
        p += w;
        n -= (size_t)w;
    }
    if (fsync(fd) != 0) { st = perr(err, IDBPQ_IO, "fsync", tmp, errno); goto out; }
    close(fd);
    fd = -1;
    if (if_absent) {
        if (link(tmp, path) != 0) {
            int e = errno;
            st = perr(err, e == EEXIST ? IDBPQ_EXISTS : IDBPQ_IO, "link", path, e);
            goto out;
        }
    } else if (rename(tmp, path) != 0) {
        st = perr(err, IDBPQ_IO, "rename", path, errno);
        goto out;
    }
    if (fsync_parent(path) != 0) st = perr(err, IDBPQ_IO, "fsync directory of", path, errno);
out:
    if (fd >= 0) close(fd);
    if (tmp) {
        unlink(tmp); /* after link, the final name keeps the data; after rename, a no-op */
        idbpq__free(NULL, tmp, tl);
    }
    free_path(path);
    return st;
}

/* A sink we hand out: the file sink plus the forwarding sink the caller writes to. */
struct dir_sink {
    idbpq_file_sink *fs;
    idbpq_sink inner;
};

static idbpq_status dir_sink_write(void *ctx, const void *buf, size_t len)
{
    struct dir_sink *s = ctx;
    return s->inner.write(s->inner.ctx, buf, len);
}

static idbpq_status dir_create(void *ctx, const char *rel, idbpq_sink *sink, idbpq_error *err)
{
    struct dir_io *d = ctx;
    char *path = full_path(d, rel, err);
    if (!path) return err ? err->status : IDBPQ_INVALID_ARG;
    idbpq_status st;
    struct dir_sink *s = idbpq__calloc(NULL, sizeof *s);
    if (!s) { st = perr(err, IDBPQ_NOMEM, "create", path, ENOMEM); goto out; }
    if (make_parents(path) != 0) {
        st = perr(err, IDBPQ_IO, "mkdir for", path, errno);
        goto out;
    }
    char msg[256];
    st = idbpq_file_sink_open(&s->fs, path, &s->inner, msg, sizeof msg);
    if (st != IDBPQ_OK) {
        if (err) {
            memset(err, 0, sizeof *err);
            err->status = st;
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
        goto out;
    }
    sink->ctx = s;
    sink->write = dir_sink_write;
    sink->name = s->inner.name;
    s = NULL;
out:
    if (s) idbpq__free(NULL, s, sizeof *s);
    free_path(path);
    return st;
}

static idbpq_status dir_finish(void *ctx, idbpq_sink *sink, int keep, idbpq_error *err)
{
    (void)ctx;
    struct dir_sink *s = sink ? sink->ctx : NULL;
    if (!s) return IDBPQ_INVALID_ARG;
    idbpq_status st = IDBPQ_OK;
    if (keep) {
        char msg[256];
        st = idbpq_file_sink_commit(s->fs, msg, sizeof msg);
        if (st != IDBPQ_OK && err) {
            memset(err, 0, sizeof *err);
            err->status = st;
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
    }
    idbpq_file_sink_abort(s->fs); /* after commit: only frees */
    idbpq__free(NULL, s, sizeof *s);
    sink->ctx = NULL;
    return st;
}

static idbpq_status dir_remove(void *ctx, const char *rel, idbpq_error *err)
{
    struct dir_io *d = ctx;
    char *path = full_path(d, rel, err);
    if (!path) return err ? err->status : IDBPQ_INVALID_ARG;
    idbpq_status st = IDBPQ_OK;
    if (unlink(path) != 0)
        st = perr(err, errno == ENOENT ? IDBPQ_END : IDBPQ_IO, "remove", path, errno);
    free_path(path);
    return st;
}

idbpq_status idbpq_table_io_dir(idbpq_table_io *io, const char *root, int create,
                                idbpq_error *err)
{
    if (!io || !root || !*root) return perr(err, IDBPQ_INVALID_ARG, "table", "(none)", EINVAL);
    memset(io, 0, sizeof *io);
    struct stat sb;
    if (stat(root, &sb) != 0) {
        if (errno != ENOENT || !create) return perr(err, IDBPQ_IO, "table", root, errno);
        if (mkdir(root, 0777) != 0 && errno != EEXIST)
            return perr(err, IDBPQ_IO, "create table directory", root, errno);
    } else if (!S_ISDIR(sb.st_mode)) {
        return perr(err, IDBPQ_INVALID_ARG, "table", root, ENOTDIR);
    }
    struct dir_io *d = idbpq__calloc(NULL, sizeof *d);
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--; /* "t/" and "t" name the same root */
    char *r = idbpq__strndup(NULL, root, n);
    if (!d || !r) {
        idbpq__free(NULL, d, sizeof *d);
        idbpq__free(NULL, r, r ? n + 1 : 0);
        return perr(err, IDBPQ_NOMEM, "table", root, ENOMEM);
    }
    d->root = r;
    d->root_len = n;
    io->ctx = d;
    io->list = dir_list;
    io->open = dir_open;
    io->close = dir_close;
    io->put = dir_put;
    io->create = dir_create;
    io->finish = dir_finish;
    io->remove = dir_remove;
    return IDBPQ_OK;
}

void idbpq_table_io_dir_free(idbpq_table_io *io)
{
    if (!io || !io->ctx) return;
    struct dir_io *d = io->ctx;
    idbpq__free(NULL, d->root, d->root_len + 1);
    idbpq__free(NULL, d, sizeof *d);
    io->ctx = NULL;
}
