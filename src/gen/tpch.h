/*
 * tpch.h — the TPC-H data generator inside libtarn: each of the eight tables
 * as a stream of Arrow record batches, following the TPC-H specification's
 * population rules (clause 4.2). Values come from a counter-based random
 * function of (table, column, row), so any chunk of any table can be produced
 * on its own, in any order, on any thread, and the data is the same whatever
 * the chunking.
 */
#ifndef TN_GEN_TPCH_H
#define TN_GEN_TPCH_H

#include "arrow/array.h"

typedef enum tn_tpch_table {
    TN_TPCH_PART = 0,
    TN_TPCH_SUPPLIER,
    TN_TPCH_PARTSUPP,
    TN_TPCH_CUSTOMER,
    TN_TPCH_ORDERS,
    TN_TPCH_LINEITEM,
    TN_TPCH_NATION,
    TN_TPCH_REGION,
    TN_TPCH_TABLE_COUNT
} tn_tpch_table;

/* "part", "lineitem", ...; NULL for an unknown table. */
const char *tn_tpch_table_name(tn_tpch_table t);
/* The table of a name, or -1. */
int tn_tpch_table_from_name(const char *name);

/* Rows of the table's driving sequence at scale factor sf: the table's own
 * rows, except partsupp (driven by part, 4 rows each) and lineitem (driven by
 * orders, 1 to 7 rows each). Chunks divide this sequence. */
int64_t tn_tpch_driver_rows(tn_tpch_table t, double sf);
/* Exact rows of the table; for lineitem this sums the line counts of all
 * orders (cheap: one hash per order). */
int64_t tn_tpch_row_count(tn_tpch_table t, double sf);

/* The table's schema (a new reference), or NULL when memory is refused. */
tn_schema *tn_tpch_schema(tn_tpch_table t);

/* Open chunk `chunk` of `n_chunks` of the table as a reader of batches of
 * about batch_rows rows (0: a default). sf must be > 0 and small enough for
 * the keys to fit their types. */
int tn_tpch_open(tn_tpch_table t, double sf, int64_t chunk, int64_t n_chunks, int64_t batch_rows,
                 tn_reader **out, tarn_error *err) TN_MUST_USE;

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t tn_tpch_days(int y, int m, int d);

#endif
