/*
 * test.h — a tiny unit-test harness: TEST(name) registers a test, CHECK* record failures
 * with both operands printed, REQUIRE* also end the test. Tests may use idbpq internals.
 */
#ifndef IDBPQ_TEST_H
#define IDBPQ_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void idbpq_test_register(const char *name, void (*fn)(void), const char *file);
void idbpq_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A seed for randomized tests: IDBPQ_TEST_SEED from the environment, else time-based; the
 * harness prints it with any failure. */
uint64_t idbpq_test_seed(void);
uint64_t idbpq_test_rand(uint64_t *state); /* splitmix64 */

#define TEST(name)                                                                      \
    static void name(void);                                                             \
    __attribute__((constructor)) static void idbpq_test_reg_##name(void)                \
    {                                                                                   \
        idbpq_test_register(#name, name, __FILE__);                                     \
    }                                                                                   \
    static void name(void)

#define CHECK(c) \
    do { if (!(c)) idbpq_test_fail(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)
#define REQUIRE(c) \
    do { if (!(c)) { idbpq_test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #c); return; } } while (0)
#define CHECK_EQ_INT(a, b)                                                              \
    do {                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                             \
        if (a_ != b_)                                                                   \
            idbpq_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
    } while (0)
#define REQUIRE_EQ_INT(a, b)                                                            \
    do {                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                             \
        if (a_ != b_) {                                                                 \
            idbpq_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
            return;                                                                     \
        }                                                                               \
    } while (0)
#define CHECK_EQ_STR(a, b)                                                              \
    do {                                                                                \
        const char *a_ = (a), *b_ = (b);                                                \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                          \
            idbpq_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,   \
                            a_ ? a_ : "(null)", b_ ? b_ : "(null)");                    \
    } while (0)
#define CHECK_EQ_MEM(a, b, n)                                                           \
    do {                                                                                \
        if (memcmp((a), (b), (n)) != 0)                                                 \
            idbpq_test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0", #a, #b, #n); \
    } while (0)
#define CHECK_OK(expr)                                                                  \
    do {                                                                                \
        int st_ = (int)(expr);                                                          \
        if (st_ != 0) idbpq_test_fail(__FILE__, __LINE__, "%s: status %d", #expr, st_); \
    } while (0)
#define REQUIRE_OK(expr)                                                                \
    do {                                                                                \
        int st_ = (int)(expr);                                                          \
        if (st_ != 0) {                                                                 \
            idbpq_test_fail(__FILE__, __LINE__, "%s: status %d", #expr, st_);           \
            return;                                                                     \
        }                                                                               \
    } while (0)

#endif
