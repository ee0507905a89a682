/*
 * bloom.h — Parquet's split-block bloom filters (parquet-format
 * BloomFilter.md): xxHash64 (seed 0) of a value's PLAIN bytes (a
 * BYTE_ARRAY without its length), blocks of eight 32-bit words, one bit set
 * per word. Written after a row group's column chunks, each as a
 * BloomFilterHeader (Thrift) followed by the bitset.
 */
#ifndef TN_PARQUET_BLOOM_H
#define TN_PARQUET_BLOOM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define TN_PQ_BLOOM_MIN_BYTES 32
#define TN_PQ_BLOOM_MAX_BYTES (128 << 20)
#define TN_PQ_BLOOM_DEFAULT_FPP 0.05

/* Bytes of a filter for ndv distinct values at false-positive rate fpp:
 * a power of two within [MIN, MAX]. */
int64_t tn_pq_bloom_bytes(int64_t ndv, double fpp);
uint64_t tn_pq_bloom_hash(const void *p, size_t n);
void tn_pq_bloom_insert(uint8_t *bits, int64_t n_bytes, uint64_t h);
/* false: the value is certainly absent. */
bool tn_pq_bloom_check(const uint8_t *bits, int64_t n_bytes, uint64_t h);

/* BloomFilterHeader{numBytes, SPLIT_BLOCK, XXHASH, UNCOMPRESSED}. */
int tn_pq_bloom_header_write(tn_buf *out, int32_t n_bytes, tarn_error *err) TN_MUST_USE;
/* Parse a header at p (n bytes available): *n_bytes of bitset follow
 * after *header_len bytes. TARN_EUNSUPPORTED for another algorithm, hash or
 * compression; TARN_ECORRUPT for bad bytes or a size out of bounds. */
int tn_pq_bloom_header_read(const uint8_t *p, size_t n, int32_t *n_bytes, size_t *header_len,
                            tarn_error *err) TN_MUST_USE;

#endif
