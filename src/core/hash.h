/*
 * hash.h — hashing for hash tables, row hashing and bloom filters: xxHash
 * (XXH3 for tables, XXH64 where a file format fixes it, as Parquet's bloom
 * filters do), from Debian's libxxhash.
 */
#ifndef TN_CORE_HASH_H
#define TN_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xxhash.h>

static inline uint64_t tn_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

static inline uint64_t tn_hash_xxh64(const void *p, size_t n, uint64_t seed)
{
    return XXH64(p, n, seed);
}

/* A fast, well-mixed hash of one 64-bit value (the murmur3 finalizer). */
static inline uint64_t tn_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Combine a running hash with the hash of the next value (row hashing). */
static inline uint64_t tn_hash_combine(uint64_t h, uint64_t v)
{
    return tn_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* A hash of a byte string for in-memory tables (group keys, dictionary
 * values): keys of at most 16 bytes take two overlapping loads and a
 * multiply-xorshift mix instead of XXH3. It only has to agree with itself,
 * so it never goes into a file. */
static inline uint64_t tn_hash_short_bytes(const uint8_t *p, size_t len)
{
    uint64_t lo, hi;
    if (len > 16)
        return tn_hash_bytes(p, len, 0);
    if (len >= 8) {
        memcpy(&lo, p, 8);
        memcpy(&hi, p + len - 8, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        lo = a;
        hi = b;
    } else if (len > 0) {
        lo = (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
        hi = 0;
    } else {
        return 0;
    }
    uint64_t h = (lo ^ UINT64_C(0x9e3779b97f4a7c15)) * UINT64_C(0xbf58476d1ce4e5b9);
    h ^= (hi + (uint64_t)len) * UINT64_C(0x94d049bb133111eb);
    return tn_hash_u64(h);
}

/* Whether the len bytes at a and b are equal; keys of at most 16 bytes
 * compare with two overlapping loads, without a call. */
static inline bool tn_bytes_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len > 16)
        return memcmp(a, b, len) == 0;
    if (len >= 8) {
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + len - 8, 8);
        memcpy(&y1, b + len - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (len >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + len - 4, 4);
        memcpy(&y1, b + len - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    for (size_t i = 0; i < len; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

#endif
