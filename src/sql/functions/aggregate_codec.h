/*
 * aggregate_codec.h — a compact byte encoding of single values, used where
 * aggregation must keep values of any type outside Arrow arrays: group keys
 * in the group hash table, DISTINCT tuples, the values array_agg and the
 * quantiles collect.
 *
 * Layout of one encoded value:
 *
 *   fixed-width types     [valid: 1 byte][value: byte_width bytes]  (bool: 1 byte)
 *   strings and binaries  [valid: 1 byte][length: u32][bytes]
 *   null type             [valid: 1 byte = 0]
 *
 * A null writes its flag and zeroed value bytes (length 0 for strings), so
 * the encoding of a row of fixed-width columns has a constant size and two
 * encodings are equal exactly when the values are equal with NULL = NULL
 * (floats are normalized: -0.0 as 0.0, every NaN as one NaN), which is what
 * GROUP BY and DISTINCT want. Encodings are in native byte order and never
 * leave the process.
 */
#ifndef TN_SQL_AGGREGATE_CODEC_H
#define TN_SQL_AGGREGATE_CODEC_H

#include "arrow/array.h"

/* Whether values of type t can be encoded (scalars: no nested or
 * dictionary types). */
bool tn_codec_supports(const tn_type *t);
/* The constant encoded size of a value of t, or -1 when it varies. */
int32_t tn_codec_fixed_size(const tn_type *t);
/* Add the encoded size of row r of a to sizes[r], for r < n. */
void tn_codec_sizes(const tn_array *a, int64_t n, int64_t *sizes);
/* Encode row r of a at dst[r] and advance dst[r] past it, for r < n. */
void tn_codec_encode(const tn_array *a, int64_t n, uint8_t **dst);
/* The encoded size of the value at p (of type t). */
int64_t tn_codec_size_at(const tn_type *t, const uint8_t *p);
/* Decode one value of type t from each src[r] (r < n) into a new array of
 * type t in *out, advancing src[r] past it. */
int tn_codec_decode(tn_type *t, const uint8_t **src, int64_t n, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
