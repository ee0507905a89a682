/*
 * json.h — the JSON reader: newline-delimited JSON (one object per row, any
 * whitespace between rows) or one top-level array of objects, to Arrow
 * record batches. Types are inferred from a sample (objects become structs,
 * arrays lists, numbers int64 or double, true/false bool, text utf8) and
 * widened when rows disagree: int64 with double is double, anything else
 * mixed is utf8 holding the JSON text. tn_json_widened reports what widened.
 */
#ifndef TN_FORMATS_JSON_H
#define TN_FORMATS_JSON_H

#include "arrow/array.h"
#include "formats/csv/csv.h" /* tn_on_error, tn_compression */

typedef enum tn_json_format {
    TN_JSON_AUTO = 0, /* an array when the first byte is '[' */
    TN_JSON_LINES,
    TN_JSON_ARRAY,
} tn_json_format;

typedef struct tn_json_options {
    tn_json_format format;
    tn_on_error on_error;     /* null: mismatched values become null; rows that
                                 are not JSON are dropped and counted */
    const char *reject_path;  /* skip/null: "where: why<TAB>row" lines */
    tn_schema *schema;        /* explicit schema (borrowed); no inference */
    const char *column_types; /* "a int, b date": override top-level columns */
    tn_compression compression;
    int64_t batch_size;       /* rows per batch; 0: 16384 */
    int64_t sample_rows;      /* rows inferred from; 0: 20480 */
    int64_t block_size;       /* bytes read at a time; 0: 4 MiB */
    int64_t max_row_bytes;    /* longest row; 0: 512 MiB */
    int32_t max_depth;        /* deepest nesting; 0: 512 */
    int32_t threads;          /* parse on this many threads; 0: the pool's
                                 size, 1: the caller's thread only */
    int64_t parallel_min_chunk; /* smallest piece a buffer is cut into for
                                   threads; 0: 1 MiB (tests and fuzzing cut tiny) */
    const char *name;         /* name in messages; NULL: the path */
    bool decimal_inference;   /* numbers with a fraction, all exact in a
                                 decimal128(38, s): decimal, not double.
                                 Off by default, as DuckDB's read_json. */
    bool strict_decimals;     /* decimal columns of `schema` refuse extra
                                 fraction digits instead of rounding (the
                                 files of one stream share sniffed types) */
} tn_json_options;

void tn_json_options_init(tn_json_options *o);

int tn_json_open(const char *path, const tn_json_options *opts, tn_reader **out, tarn_error *err) TN_MUST_USE;
int tn_json_open_memory(const void *data, int64_t size, const tn_json_options *opts, tn_reader **out,
                        tarn_error *err) TN_MUST_USE;

/* "a: int64 -> double; b.c: bool -> utf8" for the columns inference had to
 * widen, or "" (owned by the reader). */
const char *tn_json_widened(const tn_reader *r);
int64_t tn_json_rejected_rows(const tn_reader *r);
/* Whether the input is one top-level array (else JSON lines). */
bool tn_json_is_array(const tn_reader *r);
/* Chunks parsed on the pool and kept so far (0: all on one thread). */
int64_t tn_json_parallel_chunks(const tn_reader *r);

#endif
