/*
 * tarn/gen.h — generate benchmark data sets. Today: the eight TPC-H tables
 * (part, supplier, partsupp, customer, orders, lineitem, nation, region),
 * populated following the TPC-H specification's rules, deterministic for a
 * scale factor and the same whatever the thread count or file split.
 */
#ifndef TARN_GEN_H
#define TARN_GEN_H

#include "tarn/formats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tarn_gen_options {
    /* "tbl" (pipe-delimited text as TPC-H loaders expect, no header), or a
     * format tarn writes: "ipc" (.arrow), "ipc_stream" (.arrows), "csv"
     * (comma-separated with a header), "jsonl"; NULL means "ipc".
     * "parquet" fails with TARN_EUNSUPPORTED until the Parquet writer exists. */
    const char *format;
    /* 0 or 1: DIR/<table>.<ext>; K > 1: DIR/<table>/part-<i>.<ext>, K files
     * per table (nation and region: part-0 only). */
    int files_per_table;
    /* Options for the format's writer (e.g. compression for ipc); may be
     * NULL. Not used by tbl. Threads come from tarn_set_threads(). */
    const tarn_options *write_options;
    /* Rows per batch handed to the writer; 0 means a default. */
    int64_t batch_rows;
    /* Print a progress line on stderr when it is a terminal. */
    int progress;
} tarn_gen_options;

/* Write all TPC-H tables at scale factor sf (> 0, e.g. 0.01, 1, 10) into
 * directory dir, created if missing. opts may be NULL for the defaults.
 * Each file is written atomically. */
TARN_API int tarn_gen_tpch(const char *dir, double sf, const tarn_gen_options *opts, tarn_error *err);

#ifdef __cplusplus
}
#endif
#endif
