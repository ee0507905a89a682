/*
 * codec.h — page decompression for every Parquet codec tarn reads.
 */
#ifndef TN_PARQUET_CODEC_H
#define TN_PARQUET_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Decompress n bytes at src with codec (meta.h PQ_*) into exactly dst_n
 * bytes at dst. Output of another size is corrupt input. */
int tn_pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_n, tarn_error *err) TN_MUST_USE;
/* Compress n bytes at src, appending to out; level 0 = the codec's default.
 * LZ4 is written as LZ4_RAW; LZO is not supported. */
int tn_pq_compress(int codec, int level, const uint8_t *src, size_t n, tn_buf *out, tarn_error *err) TN_MUST_USE;
/* The codec's name ("SNAPPY"), for messages. */
const char *tn_pq_codec_name(int codec);

#endif
