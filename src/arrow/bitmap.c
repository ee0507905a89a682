/*
 * bitmap.c — counting and copying runs of bits (see bitmap.h).
 */
#include "arrow/bitmap.h"

int64_t tn_bitmap_count(const uint8_t *bits, int64_t offset, int64_t length)
{
    int64_t n = 0, i = offset, end = offset + length;
    while (i < end && (i & 63)) {
        n += tn_bit_get(bits, i);
        i++;
    }
    for (; i + 64 <= end; i += 64) {
        uint64_t w;
        memcpy(&w, bits + (i >> 3), 8);
        n += __builtin_popcountll(w);
    }
    for (; i < end; i++)
        n += tn_bit_get(bits, i);
    return n;
}

void tn_bitmap_copy(uint8_t *dst, int64_t dst_off, const uint8_t *src, int64_t src_off, int64_t length)
{
    if (((dst_off | src_off) & 7) == 0) {
        int64_t whole = length >> 3;
        memmove(dst + (dst_off >> 3), src + (src_off >> 3), (size_t)whole);
        for (int64_t i = whole << 3; i < length; i++)
            tn_bit_put(dst, dst_off + i, tn_bit_get(src, src_off + i));
        return;
    }
    for (int64_t i = 0; i < length; i++)
        tn_bit_put(dst, dst_off + i, tn_bit_get(src, src_off + i));
}

void tn_bitmap_fill(uint8_t *bits, int64_t offset, int64_t length, bool v)
{
    int64_t i = offset, end = offset + length;
    while (i < end && (i & 7))
        tn_bit_put(bits, i++, v);
    int64_t bytes = (end - i) >> 3;
    memset(bits + (i >> 3), v ? 0xff : 0, (size_t)bytes);
    i += bytes << 3;
    while (i < end)
        tn_bit_put(bits, i++, v);
}
