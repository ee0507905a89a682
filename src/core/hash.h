/*
 * hash.h — hashing for hash tables, row hashing and bloom filters: xxHash
 * (XXH3 for tables, XXH64 where a file format fixes it, as Parquet's bloom
 * filters do), from Debian's libxxhash.
 */
#ifndef TN_CORE_HASH_H
#define TN_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
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

#endif
