/*
 * main.c — runs the registered unit tests (all, or those whose name contains argv[1]) and
 * prints one TAP-like line per test ("ok - name" / "not ok - name") and a summary.
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

struct test { const char *name, *file; void (*fn)(void); };
static struct test tests[4096];
static int n_tests, cur_failed;
static uint64_t seed;

void idbpq_test_register(const char *name, void (*fn)(void), const char *file)
{
    if (n_tests < (int)(sizeof tests / sizeof tests[0]))
        tests[n_tests++] = (struct test){name, file, fn};
}

void idbpq_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (cur_failed < 20) {
        fprintf(stdout, "#   %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fprintf(stdout, "\n");
    }
    cur_failed++;
}

uint64_t idbpq_test_seed(void) { return seed; }

uint64_t idbpq_test_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int by_name(const void *a, const void *b)
{
    const struct test *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
    const char *env = getenv("IDBPQ_TEST_SEED");
    seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
    qsort(tests, (size_t)n_tests, sizeof tests[0], by_name);
    int passed = 0, failed = 0;
    for (int i = 0; i < n_tests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1])) continue;
        cur_failed = 0;
        tests[i].fn();
        if (cur_failed) {
            printf("not ok - unit %s (seed %llu: rerun with IDBPQ_TEST_SEED=%llu)\n",
                   tests[i].name, (unsigned long long)seed, (unsigned long long)seed);
            failed++;
        } else {
            printf("ok - unit %s\n", tests[i].name);
            passed++;
        }
        fflush(stdout);
    }
    printf("# unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
