/*
 * file_io.c — byte sources and sinks over memory and POSIX files. Sources read with pread
 * (random access, no shared file offset). The file sink is atomic: bytes go to PATH.tmp-XXXXXX
 * in PATH's directory (same file system, so rename(2) is atomic), through a 1 MiB buffer so
 * that the writer's many small writes cost a memcpy; commit flushes, fsyncs, renames over
 * PATH and fsyncs the directory so the new name survives a crash. Errors carry strerror text.
 */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- memory source ---------------------------------------------------------------------------- */

/* ctx is the idbpq_source itself, which the API requires to outlive its readers. */
static idbpq_status mem_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
    const idbpq_source *src = ctx;
    if (off > src->size || len > src->size - off) return IDBPQ_IO;
    if (len) memcpy(buf, src->memory + off, len);
    return IDBPQ_OK;
}

void idbpq_source_memory(idbpq_source *src, const void *bytes, size_t len, const char *name)
{
    src->ctx = src;
    src->size = len;
    src->read_at = mem_read_at;
    src->memory = bytes;
    src->name = name;
}

/* ---- file source ------------------------------------------------------------------------------ */

struct idbpq_file_source {
    int fd;
    uint64_t size;
    char *path; /* the source's name */
    void *map;  /* the whole file mapped read-only, or NULL */
};

static void set_err(char *errbuf, size_t errlen, const char *what, const char *path, int e)
{
    if (errbuf && errlen) snprintf(errbuf, errlen, "%s %s: %s", what, path, strerror(e));
}

static idbpq_status file_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct idbpq_file_source *f = ctx;
    /* Past the end is an error here, not a short read: the caller asked for exact bytes. */
    if (off > f->size || len > f->size - off) return IDBPQ_IO;
    uint8_t *p = buf;
    while (len) {
        size_t chunk = len > (1u << 30) ? (1u << 30) : len;
        ssize_t r = pread(f->fd, p, chunk, (off_t)off);
        if (r < 0) {
            if (errno == EINTR) continue;
            return IDBPQ_IO;
        }
        if (r == 0) return IDBPQ_IO; /* the file shrank under us */
        p += r;
        off += (uint64_t)r;
        len -= (size_t)r;
    }
    return IDBPQ_OK;
}

idbpq_status idbpq_file_source_open(idbpq_file_source **out, const char *path,
                                    idbpq_source *src, char *errbuf, size_t errlen)
{
    if (!out || !path || !src) {
        if (errbuf && errlen) snprintf(errbuf, errlen, "file source: NULL argument");
        return IDBPQ_INVALID_ARG;
    }
    *out = NULL;
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        set_err(errbuf, errlen, "open", path, errno);
        return IDBPQ_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        set_err(errbuf, errlen, "stat", path, errno);
        close(fd);
        return IDBPQ_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(errbuf, errlen, "open", path, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
        close(fd);
        return IDBPQ_IO;
    }
    struct idbpq_file_source *f = idbpq__malloc(NULL, sizeof *f);
    char *name = idbpq__strndup(NULL, path, SIZE_MAX);
    if (!f || !name) {
        idbpq__free(NULL, f, sizeof *f);
        idbpq__free(NULL, name, name ? strlen(name) + 1 : 0);
        close(fd);
        if (errbuf && errlen) snprintf(errbuf, errlen, "open %s: out of memory", path);
        return IDBPQ_NOMEM;
    }
    f->fd = fd;
    f->size = (uint64_t)st.st_size;
    f->path = name;
    f->map = NULL;
    /* Mapping the file lets readers decode pages in place: no read copies, no page buffers.
     * Where mapping fails (or the size does not fit the address space) pread is used. */
    if (f->size > 0 && f->size <= (uint64_t)SIZE_MAX) {
        void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) f->map = m;
    }
    src->ctx = f;
    src->size = f->size;
    src->read_at = file_read_at;
    src->memory = f->map;
    src->name = f->path;
    *out = f;
    return IDBPQ_OK;
}

void idbpq_file_source_close(idbpq_file_source *f)
{
    if (!f) return;
    if (f->map) munmap(f->map, (size_t)f->size);
    close(f->fd);
    idbpq__free(NULL, f->path, strlen(f->path) + 1);
    idbpq__free(NULL, f, sizeof *f);
}

/* ---- atomic file sink -------------------------------------------------------------------------- */

#define SINK_BUF (1u << 20)

struct idbpq_file_sink {
    int fd;              /* -1 once closed */
    int committed;
    idbpq_status failed; /* first write error, sticky */
    char *path, *tmp;    /* PATH and PATH.tmp-XXXXXX */
    uint8_t *buf;
    size_t len;          /* bytes buffered */
    char msg[256];       /* the first error, for commit */
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static idbpq_status sink_fail(struct idbpq_file_sink *f, const char *what, int e)
{
    if (!f->failed) {
        snprintf(f->msg, sizeof f->msg, "%s %s: %s", what, f->tmp, strerror(e));
        f->failed = IDBPQ_IO;
    }
    return f->failed;
}

static idbpq_status sink_flush(struct idbpq_file_sink *f)
{
    if (!f->len) return IDBPQ_OK;
    int e = write_all(f->fd, f->buf, f->len);
    f->len = 0;
    return e ? sink_fail(f, "write", e) : IDBPQ_OK;
}

static idbpq_status sink_write(void *ctx, const void *p, size_t n)
{
    struct idbpq_file_sink *f = ctx;
    if (IDBPQ__LIKELY(n <= SINK_BUF - f->len && !f->failed && f->fd >= 0)) {
        if (n) memcpy(f->buf + f->len, p, n);
        f->len += n;
        return IDBPQ_OK;
    }
    if (f->failed) return f->failed;
    if (f->fd < 0) return IDBPQ_STATE;
    IDBPQ__TRY(sink_flush(f));
    if (n >= SINK_BUF) { /* big blocks go straight through */
        int e = write_all(f->fd, p, n);
        return e ? sink_fail(f, "write", e) : IDBPQ_OK;
    }
    memcpy(f->buf, p, n);
    f->len = n;
    return IDBPQ_OK;
}

static void sink_free(struct idbpq_file_sink *f)
{
    idbpq__free(NULL, f->buf, SINK_BUF);
    idbpq__free(NULL, f->path, f->path ? strlen(f->path) + 1 : 0);
    idbpq__free(NULL, f->tmp, f->tmp ? strlen(f->tmp) + 1 : 0);
    idbpq__free(NULL, f, sizeof *f);
}

idbpq_status idbpq_file_sink_open(idbpq_file_sink **out, const char *path, idbpq_sink *sink,
                                  char *errbuf, size_t errlen)
{
    if (!out || !path || !sink || !*path) {
        if (errbuf && errlen) snprintf(errbuf, errlen, "file sink: missing argument");
        return IDBPQ_INVALID_ARG;
    }
    *out = NULL;
    struct idbpq_file_sink *f = idbpq__calloc(NULL, sizeof *f);
    if (!f) goto nomem;
    f->fd = -1;
    size_t pl = strlen(path);
    f->path = idbpq__strndup(NULL, path, pl);
    f->tmp = idbpq__malloc(NULL, pl + sizeof ".tmp-XXXXXX");
    f->buf = idbpq__malloc(NULL, SINK_BUF);
    if (!f->path || !f->tmp || !f->buf) goto nomem;
    memcpy(f->tmp, path, pl);
    memcpy(f->tmp + pl, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        set_err(errbuf, errlen, "create", f->tmp, errno);
        sink_free(f);
        return IDBPQ_IO;
    }
    (void)fcntl(f->fd, F_SETFD, FD_CLOEXEC);
    /* mkstemp makes the file 0600; give it the mode of the file it replaces, else 0644. */
    struct stat st;
    (void)fchmod(f->fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644);
    sink->ctx = f;
    sink->write = sink_write;
    sink->name = f->path;
    *out = f;
    return IDBPQ_OK;
nomem:
    if (f) sink_free(f);
    if (errbuf && errlen) snprintf(errbuf, errlen, "file sink %s: out of memory", path);
    return IDBPQ_NOMEM;
}

/* Best effort: make the rename durable (POSIX leaves directory fsync to the application). */
static void fsync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

idbpq_status idbpq_file_sink_commit(idbpq_file_sink *f, char *errbuf, size_t errlen)
{
    if (!f) return IDBPQ_INVALID_ARG;
    if (f->committed || f->fd < 0) {
        if (errbuf && errlen) snprintf(errbuf, errlen, "file sink %s: already closed", f->path);
        return IDBPQ_STATE;
    }
    idbpq_status st = sink_flush(f);
    if (!st && fsync(f->fd) != 0) st = sink_fail(f, "fsync", errno);
    if (close(f->fd) != 0 && !st) st = sink_fail(f, "close", errno);
    f->fd = -1;
    if (!st && f->failed) st = f->failed; /* an earlier write failed */
    if (!st && rename(f->tmp, f->path) != 0) {
        int e = errno;
        snprintf(f->msg, sizeof f->msg, "rename %s to %s: %s", f->tmp, f->path, strerror(e));
        st = IDBPQ_IO;
    }
    if (st) {
        unlink(f->tmp);
        if (errbuf && errlen) snprintf(errbuf, errlen, "%s", f->msg);
        return st;
    }
    f->committed = 1;
    fsync_dir(f->path);
    return IDBPQ_OK;
}

void idbpq_file_sink_abort(idbpq_file_sink *f)
{
    if (!f) return;
    if (f->fd >= 0) {
        close(f->fd);
        unlink(f->tmp);
    }
    sink_free(f);
}
