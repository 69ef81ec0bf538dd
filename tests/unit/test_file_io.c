/* test_file_io.c — memory and file sources (bounds, exact reads), the atomic file sink
 * (write/commit/read back, abort leaves nothing, commit replaces atomically, errors). */
#include "test.h"

#include "common/common.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh private directory under /tmp for each test. */
static void tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/idbpq_fio_XXXXXX");
    if (!mkdtemp(dir)) dir[0] = 0;
}

/* Number of entries in dir besides . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

TEST(file_io_memory_source_bounds)
{
    uint8_t bytes[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, out[10];
    idbpq_source src;
    idbpq_source_memory(&src, bytes, 10, "mem");
    CHECK_EQ_INT(src.size, 10);
    CHECK(src.memory == bytes);
    CHECK_EQ_STR(src.name, "mem");
    CHECK_OK(src.read_at(src.ctx, 3, out, 4));
    CHECK_EQ_MEM(out, bytes + 3, 4);
    CHECK_OK(src.read_at(src.ctx, 10, out, 0));
    CHECK_EQ_INT(src.read_at(src.ctx, 7, out, 4), IDBPQ_IO);
    CHECK_EQ_INT(src.read_at(src.ctx, 11, out, 0), IDBPQ_IO);
    CHECK_EQ_INT(src.read_at(src.ctx, UINT64_MAX, out, 2), IDBPQ_IO);
}

TEST(file_io_sink_write_commit_read_back)
{
    char dir[64], path[128], err[256];
    tmpdir(dir, sizeof dir);
    REQUIRE(dir[0]);
    snprintf(path, sizeof path, "%s/out.parquet", dir);
    uint64_t rs = idbpq_test_seed() ^ 0xf11e;
    size_t total = 3u << 20;
    uint8_t *data = malloc(total);
    for (size_t i = 0; i < total; i++) data[i] = (uint8_t)idbpq_test_rand(&rs);
    idbpq_file_sink *fs;
    idbpq_sink sink;
    REQUIRE_OK(idbpq_file_sink_open(&fs, path, &sink, err, sizeof err));
    CHECK_EQ_STR(sink.name, path);
    /* a mix of tiny writes, a write straddling the buffer, and one bigger than the buffer */
    size_t off = 0;
    while (off < total) {
        size_t r = idbpq_test_rand(&rs) % 10;
        size_t n = r < 7 ? 1 + idbpq_test_rand(&rs) % 100 : r < 9 ? 70000 : (1u << 20) + 17;
        if (n > total - off) n = total - off;
        REQUIRE_OK(sink.write(sink.ctx, data + off, n));
        off += n;
    }
    CHECK_OK(sink.write(sink.ctx, data, 0));
    CHECK(access(path, F_OK) != 0); /* nothing under PATH before commit */
    CHECK_EQ_INT(count_entries(dir), 1);
    REQUIRE_OK(idbpq_file_sink_commit(fs, err, sizeof err));
    CHECK_EQ_INT(idbpq_file_sink_commit(fs, err, sizeof err), IDBPQ_STATE);
    idbpq_file_sink_abort(fs); /* after commit: only frees */
    CHECK_EQ_INT(count_entries(dir), 1);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_size, total);
    CHECK((st.st_mode & 0777) == 0644);

    idbpq_file_source *f;
    idbpq_source src;
    REQUIRE_OK(idbpq_file_source_open(&f, path, &src, err, sizeof err));
    CHECK_EQ_INT(src.size, total);
    /* The file is mapped: its bytes are visible in place, identical to what read_at gives. */
    REQUIRE(src.memory != NULL);
    CHECK_EQ_MEM(src.memory, data, total);
    CHECK_EQ_STR(src.name, path);
    uint8_t *back = malloc(total);
    CHECK_OK(src.read_at(src.ctx, 0, back, total));
    CHECK_EQ_MEM(back, data, total);
    CHECK_OK(src.read_at(src.ctx, total - 5, back, 5));
    CHECK_EQ_MEM(back, data + total - 5, 5);
    CHECK_OK(src.read_at(src.ctx, total, back, 0));
    CHECK_EQ_INT(src.read_at(src.ctx, total - 5, back, 6), IDBPQ_IO);
    CHECK_EQ_INT(src.read_at(src.ctx, total + 1, back, 0), IDBPQ_IO);
    CHECK_EQ_INT(src.read_at(src.ctx, UINT64_MAX - 2, back, 4), IDBPQ_IO);
    idbpq_file_source_close(f);
    idbpq_file_source_close(NULL);
    free(back);
    free(data);
    rm_dir(dir);
}

TEST(file_io_sink_abort_leaves_nothing)
{
    char dir[64], path[128], err[256];
    tmpdir(dir, sizeof dir);
    REQUIRE(dir[0]);
    snprintf(path, sizeof path, "%s/x.parquet", dir);
    idbpq_file_sink *fs;
    idbpq_sink sink;
    REQUIRE_OK(idbpq_file_sink_open(&fs, path, &sink, err, sizeof err));
    uint8_t big[5000] = {1};
    for (int i = 0; i < 500; i++) CHECK_OK(sink.write(sink.ctx, big, sizeof big));
    CHECK_EQ_INT(count_entries(dir), 1); /* the temp file */
    idbpq_file_sink_abort(fs);
    CHECK_EQ_INT(count_entries(dir), 0);
    idbpq_file_sink_abort(NULL);
    rm_dir(dir);
}

TEST(file_io_commit_replaces_existing_file)
{
    char dir[64], path[128], err[256];
    tmpdir(dir, sizeof dir);
    REQUIRE(dir[0]);
    snprintf(path, sizeof path, "%s/y.parquet", dir);
    FILE *old = fopen(path, "wb");
    REQUIRE(old);
    fputs("old contents that are longer than the new ones", old);
    fclose(old);
    chmod(path, 0640);
    idbpq_file_sink *fs;
    idbpq_sink sink;
    REQUIRE_OK(idbpq_file_sink_open(&fs, path, &sink, err, sizeof err));
    CHECK_OK(sink.write(sink.ctx, "new", 3));
    /* until commit, readers still see the old file whole */
    idbpq_file_source *f;
    idbpq_source src;
    REQUIRE_OK(idbpq_file_source_open(&f, path, &src, err, sizeof err));
    CHECK_EQ_INT(src.size, 46);
    REQUIRE_OK(idbpq_file_sink_commit(fs, err, sizeof err));
    idbpq_file_sink_abort(fs);
    /* an already-open reader keeps the old inode */
    char buf[8];
    CHECK_OK(src.read_at(src.ctx, 0, buf, 3));
    CHECK_EQ_MEM(buf, "old", 3);
    idbpq_file_source_close(f);
    REQUIRE_OK(idbpq_file_source_open(&f, path, &src, err, sizeof err));
    CHECK_EQ_INT(src.size, 3);
    CHECK_OK(src.read_at(src.ctx, 0, buf, 3));
    CHECK_EQ_MEM(buf, "new", 3);
    idbpq_file_source_close(f);
    struct stat st;
    REQUIRE(stat(path, &st) == 0);
    CHECK((st.st_mode & 0777) == 0640); /* the replaced file's mode is kept */
    CHECK_EQ_INT(count_entries(dir), 1);
    rm_dir(dir);
}

TEST(file_io_open_errors_name_the_path)
{
    char err[256] = "";
    idbpq_file_source *f = (idbpq_file_source *)1;
    idbpq_source src;
    CHECK_EQ_INT(idbpq_file_source_open(&f, "/nonexistent/idbpq/zz.parquet", &src, err, sizeof err),
                 IDBPQ_IO);
    CHECK(f == NULL);
    CHECK(strstr(err, "/nonexistent/idbpq/zz.parquet") != NULL);
    CHECK(strstr(err, "No such file") != NULL);
    CHECK_EQ_INT(idbpq_file_source_open(&f, "/tmp", &src, err, sizeof err), IDBPQ_IO);
    CHECK(strstr(err, "directory") != NULL);
    idbpq_file_sink *fs;
    idbpq_sink sink;
    err[0] = 0;
    CHECK_EQ_INT(idbpq_file_sink_open(&fs, "/nonexistent/idbpq/out.parquet", &sink, err, sizeof err),
                 IDBPQ_IO);
    CHECK(strstr(err, "/nonexistent/idbpq/out.parquet.tmp-") != NULL);
    CHECK_EQ_INT(idbpq_file_source_open(&f, NULL, &src, err, sizeof err), IDBPQ_INVALID_ARG);
}

TEST(file_io_write_errors_surface_at_commit)
{
    /* The temp file and its directory vanish before commit: the rename fails, and commit
     * must say so and leave nothing under PATH. */
    char dir[64], path[128], err[256];
    tmpdir(dir, sizeof dir);
    REQUIRE(dir[0]);
    snprintf(path, sizeof path, "%s/z.parquet", dir);
    idbpq_file_sink *fs;
    idbpq_sink sink;
    REQUIRE_OK(idbpq_file_sink_open(&fs, path, &sink, err, sizeof err));
    CHECK_OK(sink.write(sink.ctx, "abc", 3));
    char tmp[512];
    DIR *d = opendir(dir);
    struct dirent *e;
    tmp[0] = 0;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "z.parquet.tmp-", 14) == 0) snprintf(tmp, sizeof tmp, "%s/%s", dir, e->d_name);
    if (d) closedir(d);
    REQUIRE(tmp[0]);
    unlink(tmp);
    rmdir(dir);
    err[0] = 0;
    CHECK_EQ_INT(idbpq_file_sink_commit(fs, err, sizeof err), IDBPQ_IO);
    CHECK(strstr(err, "rename") != NULL);
    idbpq_file_sink_abort(fs);
    CHECK(access(path, F_OK) != 0);
}
