/*
 * utf8.c — UTF-8 validation (see utf8.h). Eight ASCII bytes are checked at a
 * time; multi-byte sequences follow the table of well-formed byte sequences
 * in the Unicode standard (D92).
 */
#include <string.h>

#include "arrow/utf8.h"

bool tn_utf8_valid(const uint8_t *p, int64_t n, int64_t *bad)
{
    int64_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int len;
        uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0)
                lo = 0xa0;
            else if (c == 0xed)
                hi = 0x9f; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0)
                lo = 0x90;
            else if (c == 0xf4)
                hi = 0x8f;
        } else
            goto invalid;
        if (i + len > n || p[i + 1] < lo || p[i + 1] > hi)
            goto invalid;
        for (int k = 2; k < len; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                goto invalid;
        i += len;
    }
    return true;
invalid:
    if (bad)
        *bad = i;
    return false;
}
