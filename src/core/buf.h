/*
 * buf.h — a growable byte buffer with a size cap, for building strings,
 * messages and encoded output. A buffer that would pass its cap fails with
 * TARN_EOVERFLOW instead of growing, so hostile input cannot make it eat all
 * memory (curl's dynbuf does the same).
 */
#ifndef TN_CORE_BUF_H
#define TN_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct tn_buf {
    uint8_t *data; /* NULL until the first append; NUL-terminated after appends */
    size_t len;    /* bytes in use */
    size_t cap;    /* bytes allocated */
    size_t max;    /* hard cap on len; 0 = SIZE_MAX/2 */
} tn_buf;

void tn_buf_init(tn_buf *b, size_t max);
void tn_buf_reset(tn_buf *b); /* frees the memory; the buffer can be reused */
/* Make room for `extra` more bytes. */
int tn_buf_reserve(tn_buf *b, size_t extra, tarn_error *err) TN_MUST_USE;
int tn_buf_append(tn_buf *b, const void *p, size_t n, tarn_error *err) TN_MUST_USE;
int tn_buf_append_str(tn_buf *b, const char *s, tarn_error *err) TN_MUST_USE;
int tn_buf_append_byte(tn_buf *b, uint8_t c, tarn_error *err) TN_MUST_USE;
int tn_buf_printf(tn_buf *b, tarn_error *err, const char *fmt, ...) TN_PRINTF(3, 4) TN_MUST_USE;
/* Hand the bytes to the caller (free with tn_free); the buffer is emptied. */
char *tn_buf_take(tn_buf *b);

#endif
