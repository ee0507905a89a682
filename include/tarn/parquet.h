/*
 * tarn/parquet.h — inspecting Parquet files: the footer's layout and the
 * column chunk statistics, as text for people (`tarn parquet meta|stats`).
 * The output is line oriented and meant to be read, not parsed.
 */
#ifndef TARN_PARQUET_H
#define TARN_PARQUET_H

#include <stdio.h>

#include "tarn/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    TARN_PARQUET_META = 1,  /* rows, row groups, created_by, key/value keys, each column chunk's
                               types, codec, encodings, sizes, dictionary page, page index, bloom filter */
    TARN_PARQUET_STATS = 2, /* per column and row group: null count, min and max as values of the
                               column's type */
};

/* Write the description `what` (TARN_PARQUET_META or TARN_PARQUET_STATS) of
 * the Parquet file at path to out. Malformed files fail with TARN_ECORRUPT,
 * encrypted ones with TARN_EUNSUPPORTED, as when reading them. */
TARN_API int tarn_parquet_describe(const char *path, FILE *out, int what, tarn_error *err);

#ifdef __cplusplus
}
#endif

#endif
