/*
 * replay_main.c — a main() for fuzz targets without libFuzzer: feeds each file named on the
 * command line (directories are walked one level, in name order) to LLVMFuzzerTestOneInput
 * once. Usage: replay_fuzz_NAME TARGET PATH...
 *
 * Before each input it writes "# replay TARGET FILE" to stderr (flushed), so when a crash or
 * a sanitizer report ends the process, the last such line names the input. At the end it
 * prints "# TARGET: N inputs" to stdout. Exit status: 0 when every input ran, 1 if one could
 * not be read; a crash ends the process with the sanitizer's status. With -v it also prints
 * "ok - fuzz-replay TARGET FILE" per input.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verbose;
static unsigned long n_inputs;

static int run_file(const char *target, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok - fuzz-replay %s %s: cannot open\n", target, path);
        return 1;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                fclose(f);
                free(buf);
                printf("not ok - fuzz-replay %s %s: out of memory\n", target, path);
                return 1;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        printf("not ok - fuzz-replay %s %s: read error\n", target, path);
        return 1;
    }
    /* An exact-size copy, so that reads past the end of the input hit a redzone. */
    uint8_t *in = malloc(len ? len : 1);
    if (!in) {
        free(buf);
        return 1;
    }
    if (len) memcpy(in, buf, len);
    free(buf);
    fprintf(stderr, "# replay %s %s\n", target, path);
    fflush(stderr);
    LLVMFuzzerTestOneInput(in, len);
    free(in);
    n_inputs++;
    if (verbose) printf("ok - fuzz-replay %s %s\n", target, path);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *target, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("not ok - fuzz-replay %s %s: cannot open directory\n", target, dir);
        return 1;
    }
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    int bad = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (!nn) {
            bad = 1;
            break;
        }
        names = nn;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) {
            bad = 1;
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t k = 0; k < n; k++) {
        struct stat st;
        if (stat(names[k], &st) == 0 && S_ISREG(st.st_mode)) bad |= run_file(target, names[k]);
        free(names[k]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int i = 1;
    if (i < argc && strcmp(argv[i], "-v") == 0) {
        verbose = 1;
        i++;
    }
    const char *target = i < argc ? argv[i++] : "?";
    int bad = 0;
    for (; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            bad |= run_dir(target, argv[i]);
        else
            bad |= run_file(target, argv[i]);
    }
    printf("# %s: %lu inputs\n", target, n_inputs);
    return bad;
}
