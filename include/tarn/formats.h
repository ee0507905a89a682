/*
 * tarn/formats.h — read and write files in any format tarn knows, with one
 * set of calls: the format comes from the file's extension or the "format"
 * option, and every reader and writer option is a key/value pair in a
 * tarn_options bag (the same keys the CLI takes as --key value flags and SQL
 * takes in COPY ... (key value)).
 *
 * Formats known: Arrow IPC file "ipc" (.arrow, .feather, .ipc) and stream
 * "ipc_stream" (.arrows), read and written; "csv" (.csv) and "jsonl" (.jsonl,
 * .ndjson, .json: JSON lines or one top-level array), read and written.
 *
 * Option keys ignore case and treat '-' and '_' alike. Options of every
 * reader: format, columns (projection "a,b" — an unknown name fails with
 * TARN_ENOTFOUND naming the closest column), limit (rows), batch_size (rows
 * per batch at most). Writers: format; ipc and ipc_stream: compression
 * (zstd|lz4|none, optionally ":LEVEL"); csv: delimiter, header.
 * Reader options of csv and jsonl: see docs/internals/csv-json.md.
 */
#ifndef TARN_FORMATS_H
#define TARN_FORMATS_H

#include "tarn/arrow.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An ordered bag of string options. Keys are case-insensitive; setting a key
 * again replaces its value. A reader or writer that is given a key it does
 * not know fails with TARN_EINVAL naming the key. */
typedef struct tarn_options tarn_options;

TARN_API tarn_options *tarn_options_create(void);
TARN_API void tarn_options_free(tarn_options *opts);
TARN_API int tarn_options_set(tarn_options *opts, const char *key, const char *value, tarn_error *err);
/* The value of key, or NULL. The pointer lives until the key is set again. */
TARN_API const char *tarn_options_get(const tarn_options *opts, const char *key);

/* The key and value of the i-th option (in the order set), or NULL past the
 * last. */
TARN_API const char *tarn_options_key_at(const tarn_options *opts, int i);
TARN_API const char *tarn_options_value_at(const tarn_options *opts, int i);

/* Whether a format takes an option key when reading (writing = 0) or
 * writing (writing = 1). `format` is a format name or a path whose extension
 * names one. 1 yes, 0 no, -1 when the format is unknown. */
TARN_API int tarn_format_takes(const char *format, const char *key, int writing);

/* Open a file as a stream of record batches. opts may be NULL.
 * Common reader options: format, columns (comma separated), limit, batch_size. */
TARN_API int tarn_read(const char *path, const tarn_options *opts, struct ArrowArrayStream *out,
                       tarn_error *err);

/* Write a stream to a file atomically (the file appears complete or not at
 * all). The stream is consumed (released) whether or not the call succeeds. */
TARN_API int tarn_write(const char *path, struct ArrowArrayStream *in, const tarn_options *opts,
                        tarn_error *err);

/* Print a stream. Options: format (table|csv|jsonl; default table),
 * max_rows (table: rows shown before eliding the middle, default 40; 0 = all),
 * max_width (table: total width; default the terminal's width when out is a
 * terminal, else no limit; 0 = no limit), max_col_width (table: default 32),
 * delimiter and header (csv). The stream is consumed. */
TARN_API int tarn_print(FILE *out, struct ArrowArrayStream *in, const tarn_options *opts,
                        tarn_error *err);

/* How a CSV or JSON file is written and what it holds, as text for
 * `tarn sniff`: "format: csv", delimiter, quote, header and rows sampled (or
 * the JSON layout and what inference widened), then "columns: N" and one
 * "  name: type" line per column. Takes the reader options of the format.
 * Free *report with tarn_free. */
TARN_API int tarn_sniff(const char *path, const tarn_options *opts, char **report, tarn_error *err);

/* The format name for a path from its extension ("ipc", "ipc_stream", ...),
 * or NULL when the extension is not recognized. */
TARN_API const char *tarn_format_from_path(const char *path);

/* The name of the i-th known format (i = 0, 1, ...), NULL past the last. */
TARN_API const char *tarn_format_name(int i);

/* A small built-in dataset of many types (integers, decimals, strings,
 * dates, UTC timestamps, lists, structs, booleans, NULLs) as a stream, for
 * demos, documentation and tests. */
TARN_API int tarn_example(struct ArrowArrayStream *out, tarn_error *err);

#ifdef __cplusplus
}
#endif
#endif
