/*
 * error.c — formatting of error messages and the names of status codes.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

void tarn_error_init(tarn_error *err)
{
    if (err) {
        err->code = TARN_OK;
        err->message[0] = '\0';
    }
}

int tn_error_setv(tarn_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

int tn_error_set(tarn_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int tn_error_prefix(tarn_error *err, const char *fmt, ...)
{
    if (!err)
        return TARN_OK;
    char prefix[TARN_ERROR_MAX], old[TARN_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    size_t n = strlen(prefix);
    memcpy(err->message, prefix, n + 1);
    if (n < sizeof err->message - 1) {
        size_t room = sizeof err->message - 1 - n;
        size_t m = strnlen(old, room);
        memcpy(err->message + n, old, m);
        err->message[n + m] = '\0';
    }
    return err->code;
}

int tn_error_oom(tarn_error *err, size_t size)
{
    int64_t limit = tarn_memory_limit();
    int64_t used = tarn_memory_used();
    if (tn_alloc_last_failure_was_budget()) {
        char a[32], b[32], c[32];
        tn_format_bytes(a, sizeof a, (int64_t)size);
        tn_format_bytes(b, sizeof b, used);
        tn_format_bytes(c, sizeof c, limit);
        return tn_error_set(err, TARN_EMEMLIMIT,
                            "memory limit exceeded: allocating %s with %s in use of a %s budget "
                            "(raise it with --memory-limit)",
                            a, b, c);
    }
    char a[32];
    tn_format_bytes(a, sizeof a, (int64_t)size);
    return tn_error_set(err, TARN_ENOMEM, "out of memory allocating %s", a);
}

int tn_error_corrupt(tarn_error *err, const char *src_file, int src_line, const char *fmt, ...)
{
    (void)src_file;
    (void)src_line; /* set a breakpoint here to catch every corrupt input */
    va_list ap;
    va_start(ap, fmt);
    tn_error_setv(err, TARN_ECORRUPT, fmt, ap);
    va_end(ap);
    return TARN_ECORRUPT;
}

const char *tarn_status_name(int code)
{
    switch (code) {
    case TARN_OK: return "OK";
    case TARN_EINVAL: return "EINVAL";
    case TARN_ENOMEM: return "ENOMEM";
    case TARN_EMEMLIMIT: return "EMEMLIMIT";
    case TARN_EIO: return "EIO";
    case TARN_ECORRUPT: return "ECORRUPT";
    case TARN_EUNSUPPORTED: return "EUNSUPPORTED";
    case TARN_EOVERFLOW: return "EOVERFLOW";
    case TARN_EPARSE: return "EPARSE";
    case TARN_ETYPE: return "ETYPE";
    case TARN_ENOTFOUND: return "ENOTFOUND";
    case TARN_ECANCELLED: return "ECANCELLED";
    case TARN_ECONFLICT: return "ECONFLICT";
    case TARN_EDIVZERO: return "EDIVZERO";
    case TARN_ENETWORK: return "ENETWORK";
    case TARN_EPERM: return "EPERM";
    case TARN_EINTERNAL: return "EINTERNAL";
    default: return "E?";
    }
}

const char *tarn_version(void)
{
    return TARN_VERSION_STRING;
}
