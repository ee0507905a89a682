/*
 * bitmap.h — LSB-first bit operations on Arrow validity and boolean bitmaps.
 */
#ifndef TN_ARROW_BITMAP_H
#define TN_ARROW_BITMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline bool tn_bit_get(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}

static inline void tn_bit_set(uint8_t *bits, int64_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static inline void tn_bit_clear(uint8_t *bits, int64_t i)
{
    bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static inline void tn_bit_put(uint8_t *bits, int64_t i, bool v)
{
    bits[i >> 3] = (uint8_t)((bits[i >> 3] & ~(1u << (i & 7))) | ((unsigned)v << (i & 7)));
}

static inline int64_t tn_bitmap_bytes(int64_t nbits)
{
    return (nbits + 7) >> 3;
}

/* Number of set bits in [offset, offset+length). */
int64_t tn_bitmap_count(const uint8_t *bits, int64_t offset, int64_t length);
/* Copy length bits from src at src_off to dst at dst_off. */
void tn_bitmap_copy(uint8_t *dst, int64_t dst_off, const uint8_t *src, int64_t src_off, int64_t length);
/* Set length bits starting at offset to v. */
void tn_bitmap_fill(uint8_t *bits, int64_t offset, int64_t length, bool v);

#endif
