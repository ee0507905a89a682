/*
 * column.h — decoding one column chunk: its pages, decompressed, into the
 * leaf's repetition and definition levels and its dense non-null values.
 */
#ifndef TN_PARQUET_COLUMN_H
#define TN_PARQUET_COLUMN_H

#include "formats/parquet/decode.h"
#include "formats/parquet/schema.h"

typedef struct pq_chunk_data {
    int64_t n_levels;   /* one per value slot including nulls */
    uint16_t *def;      /* NULL when the leaf's max definition level is 0 */
    uint16_t *rep;      /* NULL when the leaf's max repetition level is 0 */
    int64_t cap;
    pq_dense values;    /* the non-null values, physical form */
    int64_t refused;    /* set by assembly: bytes of strings more than a 32-bit-offset
                           array holds (tn_pq_string_limit); kept by reset */
} pq_chunk_data;

void tn_pq_chunk_data_reset(pq_chunk_data *c);

/* Decode the chunk whose bytes (from its first page to its end) are the n
 * bytes at p. `name` names the column in messages. With verify_crc, pages
 * that carry a CRC-32 of their (compressed) bytes are checked against it.
 * With max_rows >= 0, decoding stops after the page that completes that
 * many records and the data is cut to exactly them (limit pushdown). */
int tn_pq_read_chunk(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                     bool verify_crc, int64_t max_rows, pq_chunk_data *out, tarn_error *err) TN_MUST_USE;

/* Rows of a chunk to keep: sorted, disjoint intervals [iv[2k], iv[2k+1])
 * of row numbers counted from the chunk's first row. */
typedef struct pq_rows_sel {
    const int64_t *iv;
    int32_t n;
} pq_rows_sel;

/* What a selective read left out. */
typedef struct pq_skip_stats {
    int64_t pages;  /* data pages holding no selected row, not decompressed */
    int64_t values; /* rows of the chunk not materialized (in skipped pages or between selected rows) */
} pq_skip_stats;

/* tn_pq_read_chunk for the rows of sel only, of a leaf without repetition
 * (one level per row): out holds their levels and values, in order. Pages
 * without a selected row are skipped undecoded; inside a page, values
 * between selected rows are skipped without being copied. st (may be NULL)
 * is added to. */
int tn_pq_read_chunk_rows(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                          bool verify_crc, const pq_rows_sel *sel, pq_skip_stats *st, pq_chunk_data *out,
                          tarn_error *err) TN_MUST_USE;

#endif
