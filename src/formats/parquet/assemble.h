/*
 * assemble.h — building Arrow arrays for schema nodes from the decoded
 * levels and values of their leaf columns (one row group at a time).
 */
#ifndef TN_PARQUET_ASSEMBLE_H
#define TN_PARQUET_ASSEMBLE_H

#include "arrow/array.h"
#include "formats/parquet/column.h"

/* The array of node from chunks[] (indexed by leaf). Dense values may be
 * moved into the array's buffers (the chunk data is left reset-able). */
int tn_pq_assemble(const pq_node *node, pq_chunk_data *chunks, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
