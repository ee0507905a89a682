/*
 * buf.c — growable byte buffer with a cap (see buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"

void tn_buf_init(tn_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

void tn_buf_reset(tn_buf *b)
{
    tn_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int tn_buf_reserve(tn_buf *b, size_t extra, tarn_error *err)
{
    if (extra > b->max || b->len > b->max - extra)
        return tn_error_set(err, TARN_EOVERFLOW, "buffer would exceed its limit of %zu bytes", b->max);
    size_t need = b->len + extra + 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return TARN_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < SIZE_MAX / 2 ? cap * 2 : need;
    uint8_t *d = tn_realloc(b->data, cap);
    TN_TRY_ALLOC(d, err, cap);
    b->data = d;
    b->cap = cap;
    return TARN_OK;
}

int tn_buf_append(tn_buf *b, const void *p, size_t n, tarn_error *err)
{
    TN_TRY(tn_buf_reserve(b, n, err));
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TARN_OK;
}

int tn_buf_append_str(tn_buf *b, const char *s, tarn_error *err)
{
    return tn_buf_append(b, s, strlen(s), err);
}

int tn_buf_append_byte(tn_buf *b, uint8_t c, tarn_error *err)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return TARN_OK;
    }
    return tn_buf_append(b, &c, 1, err);
}

int tn_buf_printf(tn_buf *b, tarn_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return tn_error_set(err, TARN_EINTERNAL, "bad format string");
    TN_TRY(tn_buf_reserve(b, (size_t)n, err));
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return TARN_OK;
}

char *tn_buf_take(tn_buf *b)
{
    char *s = (char *)b->data;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}
