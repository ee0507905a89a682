/*
 * assemble.h — building Arrow arrays for schema nodes from the decoded
 * levels and values of their leaf columns (one row group at a time).
 */
#ifndef TN_PARQUET_ASSEMBLE_H
#define TN_PARQUET_ASSEMBLE_H

#include "arrow/array.h"
#include "formats/parquet/column.h"

/* The bytes of strings one array with 32-bit offsets may hold: INT32_MAX
 * (tests lower it). Past it assembly fails with TARN_EUNSUPPORTED and
 * sets the leaf chunk's `refused`; the reader then reads the row group in
 * parts. */
extern int64_t tn_pq_string_limit;

/* The array of node from chunks[] (indexed by leaf). Dense values may be
 * moved into the array's buffers (the chunk data is left reset-able). */
int tn_pq_assemble(const pq_node *node, pq_chunk_data *chunks, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
