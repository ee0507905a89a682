/*
 * tarn/common.h — what every part of the public API shares: the export macro,
 * status codes, the error struct, version and process-wide settings.
 *
 * Conventions of the whole API:
 *  - functions return an int status: TARN_OK (0) or one of the TARN_E* codes;
 *  - they take an optional caller-owned `tarn_error *` (may be NULL) that
 *    receives a one-line message naming the cause;
 *  - data crosses the API only as Arrow C Data Interface structs (tarn/arrow.h);
 *  - handles are opaque, created by the _create or _open calls and released by _free,
 *    and every _free accepts NULL.
 */
#ifndef TARN_COMMON_H
#define TARN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TARN_STATIC_DEFINE)
#define TARN_API
#else
#define TARN_API __attribute__((visibility("default")))
#endif

#define TARN_VERSION_MAJOR 0
#define TARN_VERSION_MINOR 1
#define TARN_VERSION_PATCH 0
#define TARN_VERSION_STRING "0.1.0"

/* Status codes. The values are pinned: never renumber, only append. */
typedef enum tarn_status {
    TARN_OK = 0,
    TARN_EINVAL = 1,        /* invalid argument or option */
    TARN_ENOMEM = 2,        /* the system refused an allocation */
    TARN_EMEMLIMIT = 3,     /* the memory budget refused an allocation */
    TARN_EIO = 4,           /* an operating-system I/O call failed */
    TARN_ECORRUPT = 5,      /* input bytes are malformed or truncated */
    TARN_EUNSUPPORTED = 6,  /* valid input that tarn does not handle (yet) */
    TARN_EOVERFLOW = 7,     /* arithmetic overflow or value out of range */
    TARN_EPARSE = 8,        /* text that does not parse as the wanted type */
    TARN_ETYPE = 9,         /* a type mismatch */
    TARN_ENOTFOUND = 10,    /* a file, object, column or name does not exist */
    TARN_ECANCELLED = 11,   /* the operation was cancelled */
    TARN_ECONFLICT = 12,    /* a conditional write lost a race */
    TARN_EDIVZERO = 13,     /* division by zero */
    TARN_ENETWORK = 14,     /* connection, timeout or service error */
    TARN_EPERM = 15,        /* access denied */
    TARN_EINTERNAL = 99     /* a bug in tarn */
} tarn_status;

#define TARN_ERROR_MAX 1024

/* A caller-owned error: a status code and a formatted one-line message. */
typedef struct tarn_error {
    int code;
    char message[TARN_ERROR_MAX];
} tarn_error;

/* Reset an error to TARN_OK with an empty message. */
TARN_API void tarn_error_init(tarn_error *err);

/* A short stable name for a status code ("ECORRUPT"), or "E?" if unknown. */
TARN_API const char *tarn_status_name(int code);

/* The library version, e.g. "0.1.0". */
TARN_API const char *tarn_version(void);

/* Process-wide memory budget in bytes for tarn's allocations; 0 means none.
 * Allocations that would exceed it fail cleanly with TARN_EMEMLIMIT. */
TARN_API void tarn_set_memory_limit(int64_t bytes);
TARN_API int64_t tarn_memory_limit(void);
/* Bytes currently allocated through tarn's allocator, and the peak. */
TARN_API int64_t tarn_memory_used(void);
TARN_API int64_t tarn_memory_peak(void);

/* Parse a size such as "512MB", "1.5GiB", "1M", "4096" into bytes. */
TARN_API int tarn_parse_size(const char *text, int64_t *out, tarn_error *err);

/* Worker threads of the shared pool. 0 means the number of cores, or the
 * TARN_THREADS environment variable when set. Takes effect for work started
 * after the call. */
TARN_API int tarn_set_threads(int n, tarn_error *err);
TARN_API int tarn_threads(void);

/* Free memory that tarn allocated and handed to the caller (strings). */
TARN_API void tarn_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
