/*
 * print.h — render a stream of record batches as a boxed table (like
 * DuckDB's shell), as CSV (RFC 4180) or as JSON Lines. Values are formatted
 * by cell.h, so all three outputs agree on how a value looks.
 */
#ifndef TN_ARROW_PRINT_H
#define TN_ARROW_PRINT_H

#include <stdio.h>

#include "arrow/array.h"

typedef enum tn_print_format { TN_PRINT_TABLE = 0, TN_PRINT_CSV = 1, TN_PRINT_JSONL = 2 } tn_print_format;

#define TN_PRINT_MAX_ROWS 40      /* table rows shown before the middle is elided */
#define TN_PRINT_MAX_COL_WIDTH 32 /* table: longer values end in "…" */

typedef struct tn_print_options {
    tn_print_format format;
    int64_t max_rows;      /* table: 0 = show every row */
    int64_t max_width;     /* table: total columns of text; 0 = no limit */
    int32_t max_col_width; /* table: width of one column, at least 3 */
    bool header;           /* csv: write the header row */
    char delimiter;        /* csv: field separator */
} tn_print_options;

/* Defaults: table, 40 rows, no width limit, 32 per column, header, ','. */
void tn_print_options_init(tn_print_options *o);

/* Read every batch of r and write the rendering to f, or append it to out.
 * The reader is not freed. Output errors on f are TARN_EIO. */
int tn_print_file(FILE *f, tn_reader *r, const tn_print_options *o, tarn_error *err) TN_MUST_USE;
int tn_print_buf(tn_buf *out, tn_reader *r, const tn_print_options *o, tarn_error *err) TN_MUST_USE;

/* Name of a format ("table", "csv", "jsonl") and back (-1 if unknown). */
const char *tn_print_format_name(tn_print_format f);
int tn_print_format_parse(const char *name);

#endif
