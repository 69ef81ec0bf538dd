/*
 * replay_main.c — a main() for fuzz targets without libFuzzer: feeds each file named on the
 * command line (directories are walked one level) to LLVMFuzzerTestOneInput once, printing
 * "ok - fuzz-replay TARGET FILE" per input. A crash or sanitizer report fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *target, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("not ok - fuzz-replay %s %s: cannot open\n", target, path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    printf("ok - fuzz-replay %s %s\n", target, path);
    return 0;
}

int main(int argc, char **argv)
{
    const char *target = argc > 1 ? argv[1] : "?";
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            char **names = NULL;
            size_t n = 0;
            while (d && (e = readdir(d))) {
                if (e->d_name[0] == '.') continue;
                names = realloc(names, (n + 1) * sizeof *names);
                size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
                names[n] = malloc(len);
                snprintf(names[n], len, "%s/%s", argv[i], e->d_name);
                n++;
            }
            if (d) closedir(d);
            for (size_t k = 0; k < n; k++) {
                bad |= run_file(target, names[k]);
                free(names[k]);
            }
            free(names);
        } else {
            bad |= run_file(target, argv[i]);
        }
    }
    return bad;
}
