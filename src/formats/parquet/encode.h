/*
 * encode.h — value encoders for the writer beyond PLAIN and dictionaries:
 * DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
 * BYTE_STREAM_SPLIT, each appending to a tn_buf. Inputs are PLAIN-encoded
 * values (what the writer buffers), so the encoders sit between the
 * shredded column and the page.
 */
#ifndef TN_PARQUET_ENCODE_H
#define TN_PARQUET_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

/* n PLAIN INT32 (width 4) or INT64 (width 8) values. */
int tn_pq_encode_dbp(const uint8_t *plain, int64_t n, int width, tn_buf *out, tarn_error *err) TN_MUST_USE;
/* n PLAIN byte arrays (u32 length + bytes) in len bytes. */
int tn_pq_encode_dlba(const uint8_t *plain, size_t len, int64_t n, tn_buf *out, tarn_error *err) TN_MUST_USE;
int tn_pq_encode_dba(const uint8_t *plain, size_t len, int64_t n, tn_buf *out, tarn_error *err) TN_MUST_USE;
/* n fixed-width values of width bytes. */
int tn_pq_encode_bss(const uint8_t *plain, int64_t n, int width, tn_buf *out, tarn_error *err) TN_MUST_USE;

#endif
