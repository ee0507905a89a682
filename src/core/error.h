/*
 * error.h — status propagation inside libtarn.
 *
 * Every fallible internal function returns an int status (tarn_status) and
 * takes a `tarn_error *err` that may be NULL. The message names the cause:
 * the file, object, column, line/column or byte offset where it was found.
 */
#ifndef TN_CORE_ERROR_H
#define TN_CORE_ERROR_H

#include <stdarg.h>
#include "tarn/common.h"

#define TN_MUST_USE __attribute__((warn_unused_result))
#define TN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TN_LIKELY(x) __builtin_expect(!!(x), 1)
#define TN_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Record code and message in err (if not NULL); returns code so that call
 * sites can write `return tn_error_set(err, TARN_EINVAL, "...")`. */
int tn_error_set(tarn_error *err, int code, const char *fmt, ...) TN_PRINTF(3, 4);
int tn_error_setv(tarn_error *err, int code, const char *fmt, va_list ap) TN_PRINTF(3, 0);

/* Prefix an existing message with context ("reading x.arrow: " + old). */
int tn_error_prefix(tarn_error *err, const char *fmt, ...) TN_PRINTF(2, 3);

/* The error for a failed allocation of `size` bytes: TARN_EMEMLIMIT when the
 * budget refused it, TARN_ENOMEM otherwise, with a message saying which. */
int tn_error_oom(tarn_error *err, size_t size);

/* Every decoder reports malformed input through this one function, so that a
 * single breakpoint catches every bad file (like SQLite's CORRUPT_BKPT).
 * Use the TN_CORRUPT macro, which records where it was detected. */
int tn_error_corrupt(tarn_error *err, const char *src_file, int src_line, const char *fmt, ...)
    TN_PRINTF(4, 5);
#define TN_CORRUPT(err, ...) tn_error_corrupt((err), __FILE__, __LINE__, __VA_ARGS__)

/* Propagate a non-zero status. */
#define TN_TRY(expr)                       \
    do {                                   \
        int tn_try_rc_ = (expr);           \
        if (TN_UNLIKELY(tn_try_rc_ != 0))  \
            return tn_try_rc_;             \
    } while (0)

/* Propagate a failed allocation (NULL) as a clean out-of-memory error. */
#define TN_TRY_ALLOC(ptr, err, size)                 \
    do {                                             \
        if (TN_UNLIKELY((ptr) == NULL))              \
            return tn_error_oom((err), (size));      \
    } while (0)

#endif
