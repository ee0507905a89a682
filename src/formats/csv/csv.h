/*
 * csv.h — the CSV reader: RFC 4180 text (and the usual deviations) to Arrow
 * record batches, with a dialect and schema sniffer.
 *
 *   tn_csv_options o;
 *   tn_csv_options_init(&o);
 *   o.on_error = TN_ON_ERROR_SKIP;
 *   tn_reader *r;
 *   if (tn_csv_open("x.csv", &o, &r, err) == 0) { ... tn_reader_next(r, &batch, err) ... }
 *
 * Options left at their defaults are sniffed from a sample of the input:
 * delimiter, header and the column types. See docs/internals/csv-json.md.
 */
#ifndef TN_FORMATS_CSV_H
#define TN_FORMATS_CSV_H

#include <stdbool.h>
#include <stdint.h>

#include "arrow/array.h"

/* What a reader does with a row it cannot convert (bad value, wrong number
 * of fields, invalid UTF-8). Shared with the JSON reader. */
typedef enum tn_on_error {
    TN_ON_ERROR_FAIL = 0, /* stop with file:line:column and the value */
    TN_ON_ERROR_SKIP = 1, /* drop the row; report it to reject_path */
    TN_ON_ERROR_NULL = 2, /* the bad value becomes null; short rows are padded
                             with nulls and extra fields dropped */
} tn_on_error;

typedef enum tn_compression {
    TN_COMPRESSION_AUTO = 0, /* from the extension (.gz, .zst) or magic bytes */
    TN_COMPRESSION_NONE,
    TN_COMPRESSION_GZIP,
    TN_COMPRESSION_ZSTD,
} tn_compression;

typedef struct tn_csv_options {
    char delimiter;          /* 0: sniff among , ; \t | */
    char quote;              /* 0: '"' */
    bool no_quote;           /* quotes are ordinary bytes */
    char escape;             /* 0: same as quote (a doubled quote) */
    int header;              /* -1: sniff, 0: no header, 1: header */
    const char *comment;     /* lines starting with this prefix are skipped; NULL: none */
    int64_t skip_rows;       /* physical lines skipped before the header */
    const char *const *null_values; /* unquoted fields equal to one of these are null */
    int32_t n_null_values;   /* 0 with null_values NULL: the empty field is null */
    bool trim;               /* strip spaces and tabs around unquoted fields */
    tn_on_error on_error;
    const char *reject_path; /* on_error skip: append "where: why: row" lines here */
    tn_schema *schema;       /* whole schema (names and types); borrowed */
    const char *column_types; /* "a int, b date": override the sniffed types by name */
    tn_compression compression;
    int64_t batch_size;      /* rows per batch; 0: about 64K fields, 1024..65536 rows */
    int64_t sample_rows;     /* rows sniffed for types; 0: 20480 */
    bool no_decimal_inference; /* plain decimal columns sniff as float64, not decimal128 */
    const char *date_format;      /* strptime-style ('%d/%m/%Y'): dates are
                                     inferred and read in it; NULL: the built-in layouts */
    const char *timestamp_format; /* the same for timestamps ('%d/%m/%Y %H:%M') */
    bool decimal_comma;      /* numbers are written 1,5 (and 1.5 is no number);
                                the delimiter cannot be ',' */
    bool strict_decimals;    /* decimal columns of schema reject extra fraction digits (else
                                rounded); sniffed decimal columns always do */
    int64_t block_size;      /* bytes read at a time; 0: 4 MiB */
    int64_t max_row_bytes;   /* longest row accepted; 0: 512 MiB */
    int32_t threads;         /* parse one file on this many threads; 0: the pool's
                                size, 1: on the caller's thread only */
    int64_t parallel_min_chunk; /* smallest piece a buffer is cut into for
                                   threads; 0: 1 MiB (tests and fuzzing cut tiny) */
    const char *name;        /* name used in messages; NULL: the path */
} tn_csv_options;

void tn_csv_options_init(tn_csv_options *o);

/* Open a file (plain, gzip or zstd) as a stream of record batches. */
int tn_csv_open(const char *path, const tn_csv_options *opts, tn_reader **out, tarn_error *err) TN_MUST_USE;
/* The same over bytes in memory; data must outlive the reader. */
int tn_csv_open_memory(const void *data, int64_t size, const tn_csv_options *opts, tn_reader **out,
                       tarn_error *err) TN_MUST_USE;

/* Rows a reader dropped under on_error skip, so far. */
int64_t tn_csv_rejected_rows(const tn_reader *r);
/* Chunks parsed on the pool and kept so far (0: all on one thread). */
int64_t tn_csv_parallel_chunks(const tn_reader *r);

/* What the sniffer found. */
typedef struct tn_csv_sniff_result {
    char delimiter;
    char quote;
    bool header;
    int64_t sample_rows; /* data rows looked at */
    tn_schema *schema;   /* owned reference */
    uint32_t *date_layouts; /* per column: TN_DATE_* bits used for date/timestamp columns */
} tn_csv_sniff_result;

int tn_csv_sniff(const char *path, const tn_csv_options *opts, tn_csv_sniff_result *out, tarn_error *err)
    TN_MUST_USE;
int tn_csv_sniff_memory(const void *data, int64_t size, const tn_csv_options *opts, tn_csv_sniff_result *out,
                        tarn_error *err) TN_MUST_USE;
void tn_csv_sniff_result_reset(tn_csv_sniff_result *r);

#endif
