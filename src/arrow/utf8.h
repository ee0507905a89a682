/*
 * utf8.h — UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF), with an ASCII fast path.
 */
#ifndef TN_ARROW_UTF8_H
#define TN_ARROW_UTF8_H

#include <stdbool.h>
#include <stdint.h>

/* True when p[0..n) is valid UTF-8; otherwise *bad (if not NULL) receives the
 * byte offset of the first invalid sequence. */
bool tn_utf8_valid(const uint8_t *p, int64_t n, int64_t *bad);

#endif
