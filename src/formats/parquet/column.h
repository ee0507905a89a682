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
} pq_chunk_data;

void tn_pq_chunk_data_reset(pq_chunk_data *c);

/* Decode the chunk whose bytes (from its first page to its end) are the n
 * bytes at p. `name` names the column in messages. With verify_crc, pages
 * that carry a CRC-32 of their (compressed) bytes are checked against it.
 * With max_rows >= 0, decoding stops after the page that completes that
 * many records and the data is cut to exactly them (limit pushdown). */
int tn_pq_read_chunk(const pq_node *leaf, const pq_column_meta *m, const uint8_t *p, size_t n, const char *name,
                     bool verify_crc, int64_t max_rows, pq_chunk_data *out, tarn_error *err) TN_MUST_USE;

#endif
