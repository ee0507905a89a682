/*
 * tn_test.h — the unit-test harness: checks that report file:line and keep
 * going, a runner that counts, and allocation-failure injection.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_STR(s, "x"); }
 *   int main(void) { RUN(name); return tn_test_done(); }
 *
 * Every test also checks that tarn's allocator holds no memory when the test
 * ends (a leak check independent of ASan).
 */
#ifndef TN_TEST_H
#define TN_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "tarn/common.h"

static int tn_test_failures;
static int tn_test_passed;
static int tn_test_failed;
static const char *tn_test_current;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,          \
                    tn_test_current, #cond);                                              \
            tn_test_failures++;                                                           \
        }                                                                                 \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                \
    do {                                                                                  \
        long long tn_a_ = (long long)(a), tn_b_ = (long long)(b);                         \
        if (tn_a_ != tn_b_) {                                                             \
            fprintf(stderr, "%s:%d: %s: %s == %s failed: %lld != %lld\n", __FILE__,       \
                    __LINE__, tn_test_current, #a, #b, tn_a_, tn_b_);                     \
            tn_test_failures++;                                                           \
        }                                                                                 \
    } while (0)

#define CHECK_STR(a, b)                                                                   \
    do {                                                                                  \
        const char *tn_a_ = (a), *tn_b_ = (b);                                            \
        if (!tn_a_ || !tn_b_ || strcmp(tn_a_, tn_b_) != 0) {                              \
            fprintf(stderr, "%s:%d: %s: %s == %s failed:\n  got:  \"%s\"\n  want: \"%s\"\n", \
                    __FILE__, __LINE__, tn_test_current, #a, #b, tn_a_ ? tn_a_ : "(null)", \
                    tn_b_ ? tn_b_ : "(null)");                                            \
            tn_test_failures++;                                                           \
        }                                                                                 \
    } while (0)

/* The error message contains the substring. */
#define CHECK_MSG(err, sub)                                                               \
    do {                                                                                  \
        if (!strstr((err)->message, (sub))) {                                             \
            fprintf(stderr, "%s:%d: %s: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
                    tn_test_current, (err)->message, (sub));                              \
            tn_test_failures++;                                                           \
        }                                                                                 \
    } while (0)

/* A status call succeeded; prints the error message if not. */
#define CHECK_OK(call, err)                                                               \
    do {                                                                                  \
        int tn_rc_ = (call);                                                              \
        if (tn_rc_ != 0) {                                                                \
            fprintf(stderr, "%s:%d: %s: %s returned %s: %s\n", __FILE__, __LINE__,        \
                    tn_test_current, #call, tarn_status_name(tn_rc_), (err)->message);    \
            tn_test_failures++;                                                           \
        }                                                                                 \
    } while (0)

#define RUN(name)                                                                         \
    do {                                                                                  \
        tn_test_current = #name;                                                          \
        int tn_before_ = tn_test_failures;                                                \
        int64_t tn_mem_ = tarn_memory_used();                                             \
        name();                                                                           \
        if (tarn_memory_used() != tn_mem_) {                                              \
            fprintf(stderr, "%s: leaked %lld bytes through tarn's allocator\n", #name,    \
                    (long long)(tarn_memory_used() - tn_mem_));                           \
            tn_test_failures++;                                                           \
        }                                                                                 \
        if (tn_test_failures == tn_before_) {                                             \
            tn_test_passed++;                                                             \
        } else {                                                                          \
            tn_test_failed++;                                                             \
            fprintf(stderr, "FAIL %s\n", #name);                                          \
        }                                                                                 \
    } while (0)

static inline int tn_test_done(void)
{
    printf("%d passed, %d failed\n", tn_test_passed, tn_test_failed);
    return tn_test_failed ? 1 : 0;
}

/*
 * Allocation-failure injection: run fn(ctx) with the 1st, 2nd, 3rd, ...
 * allocation failing, until a run completes without reaching the injected
 * failure. Each failing run must return TARN_ENOMEM (or pass `ok_codes`
 * check in fn) and leave no memory held. fn returns its status and must
 * release everything it made on every path. Returns the number of failure
 * points exercised, or -1 after reporting a violation.
 */
typedef int (*tn_test_alloc_fn)(void *ctx, tarn_error *err);

static inline int tn_test_alloc_failures(const char *what, tn_test_alloc_fn fn, void *ctx)
{
    for (int64_t n = 1; n < 1000000; n++) {
        int64_t before = tarn_memory_used();
        tarn_error err;
        tarn_error_init(&err);
        tn_alloc_fail_nth(n);
        int rc = fn(ctx, &err);
        int fired = tn_alloc_injection_fired();
        tn_alloc_fail_nth(0);
        if (tarn_memory_used() != before) {
            fprintf(stderr, "%s: allocation %" PRId64 " failing leaked %lld bytes (rc %s: %s)\n", what, n,
                    (long long)(tarn_memory_used() - before), tarn_status_name(rc), err.message);
            tn_test_failures++;
            return -1;
        }
        if (!fired) {
            if (rc != 0) {
                fprintf(stderr, "%s: failed without injection: %s\n", what, err.message);
                tn_test_failures++;
                return -1;
            }
            return (int)(n - 1);
        }
        if (rc != TARN_ENOMEM) {
            fprintf(stderr, "%s: allocation %" PRId64 " failing gave %s (%s), not ENOMEM\n", what, n,
                    tarn_status_name(rc), err.message);
            tn_test_failures++;
            return -1;
        }
    }
    return -1;
}

#endif
