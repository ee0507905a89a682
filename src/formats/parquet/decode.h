/*
 * decode.h — Parquet encodings: the RLE/bit-packed hybrid (levels,
 * dictionary indices, booleans), legacy BIT_PACKED levels, PLAIN,
 * dictionary gathers, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Values of a column chunk are
 * appended to a pq_dense: the non-null values in physical form, dense.
 */
#ifndef TN_PARQUET_DECODE_H
#define TN_PARQUET_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Dense physical values. Fixed-width types (boolean as one byte per value,
 * INT96 as int64 microseconds since the epoch) live in `fixed`; BYTE_ARRAY
 * values in offs/data. */
typedef struct pq_dense {
    int ptype;      /* PQ_* physical type */
    int32_t width;  /* bytes per value in `fixed`; 0 for BYTE_ARRAY */
    int64_t n;      /* values held */
    uint8_t *fixed;
    int64_t fixed_cap;    /* values */
    int64_t *offs;        /* n + 1 entries once n > 0 */
    int64_t offs_cap;
    uint8_t *data;
    int64_t data_len, data_cap;
} pq_dense;

void tn_pq_dense_init(pq_dense *d, int ptype, int32_t type_length);
void tn_pq_dense_reset(pq_dense *d);
/* Room for n more values (and, for byte arrays, nbytes more data bytes). */
int tn_pq_dense_reserve(pq_dense *d, int64_t n, int64_t nbytes, tarn_error *err) TN_MUST_USE;

/* RLE/bit-packed hybrid: decode exactly n values of bit_width (0..32) from
 * len bytes into out. */
int tn_pq_rle_u16(const uint8_t *p, size_t len, int bit_width, uint16_t *out, int64_t n, tarn_error *err) TN_MUST_USE;
int tn_pq_rle_u32(const uint8_t *p, size_t len, int bit_width, uint32_t *out, int64_t n, tarn_error *err) TN_MUST_USE;
/* Legacy BIT_PACKED levels (MSB first); *used receives the bytes taken. */
int tn_pq_bitpacked_levels(const uint8_t *p, size_t len, int bit_width, uint16_t *out, int64_t n, size_t *used,
                           tarn_error *err) TN_MUST_USE;

/* Append n values of the page's values section (len bytes at p) in the
 * given encoding. dict is the decoded dictionary for dictionary encodings. */
int tn_pq_decode_values(pq_dense *d, int encoding, const uint8_t *p, size_t len, int64_t n, const pq_dense *dict,
                        tarn_error *err) TN_MUST_USE;


/* An RLE/bit-packed hybrid stream read in steps, with skips that cost no
 * unpacking (a bit-packed run is indexed, an RLE run counted down). */
typedef struct pq_rle {
    const uint8_t *p, *end; /* the next run header */
    int bw;
    int64_t need;           /* values the caller may still take */
    bool packed;            /* the current run is bit-packed */
    int64_t run_left;       /* values left in the current run */
    uint32_t value;         /* RLE run: its value */
    const uint8_t *run;     /* bit-packed run: its bytes, avail of them */
    size_t avail;
    uint64_t pos;           /* bit-packed run: the next value's index */
} pq_rle;

/* n: the values the stream is expected to hold (bounds short runs). */
int tn_pq_rle_init(pq_rle *r, const uint8_t *p, size_t len, int bw, int64_t n, tarn_error *err) TN_MUST_USE;
int tn_pq_rle_skip(pq_rle *r, int64_t n, tarn_error *err) TN_MUST_USE;
int tn_pq_rle_read(pq_rle *r, uint32_t *out, int64_t n, tarn_error *err) TN_MUST_USE;

/* The n values of a page's values section, taken in order with skips:
 * PLAIN fixed-width values are skipped by offset, PLAIN byte arrays by
 * their lengths, dictionary indices by their runs (tn_pq_rle_*); other
 * encodings are decoded whole at init and copied from. */
typedef struct pq_vreader {
    int encoding, ptype;
    int32_t width;          /* PLAIN bytes per value (12 for INT96) */
    const uint8_t *p, *end;
    int64_t left;           /* values not taken or skipped yet */
    int64_t pos;            /* PLAIN booleans: bit index; whole: next value */
    const pq_dense *dict;
    pq_rle rle;
    uint32_t *idx;          /* scratch for dictionary indices */
    int64_t idx_cap;
    bool whole;
    pq_dense all;           /* whole: every value of the page */
} pq_vreader;

/* `like` gives the physical type and width (the output's). */
int tn_pq_vreader_init(pq_vreader *v, const pq_dense *like, int encoding, const uint8_t *p, size_t len, int64_t n,
                       const pq_dense *dict, tarn_error *err) TN_MUST_USE;
int tn_pq_vreader_skip(pq_vreader *v, int64_t k, tarn_error *err) TN_MUST_USE;
/* Append the next k values to d. */
int tn_pq_vreader_read(pq_vreader *v, pq_dense *d, int64_t k, tarn_error *err) TN_MUST_USE;
void tn_pq_vreader_reset(pq_vreader *v);

/* Bits needed for values up to max (0 for max 0). */
static inline int tn_pq_bit_width(uint32_t max) { return max ? 32 - __builtin_clz(max) : 0; }

#endif
