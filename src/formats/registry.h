/*
 * registry.h — the table of file formats behind tarn_read / tarn_write
 * (tarn/formats.h). A format is a name, its file extensions, the option keys
 * it takes and an open and/or write function; adding a format is one entry
 * in registry.c plus its own file.
 *
 * Protocol for open and write functions: take your options from `o`
 * (tn_opts_str/int/bool), then call tn_format_check_options before touching
 * any file, so that an unknown option fails without side effects.
 */
#ifndef TN_FORMATS_REGISTRY_H
#define TN_FORMATS_REGISTRY_H

#include <stdio.h>

#include "arrow/array.h"
#include "formats/options.h"

typedef struct tn_format tn_format;
struct tn_format {
    const char *name;                /* "ipc" */
    const char *const *extensions;   /* {".arrow", ".feather", NULL} */
    const char *const *read_keys;    /* options beyond the common reader ones */
    const char *const *write_keys;   /* options beyond "format" */
    /* Open path as a stream of batches; NULL when the format cannot be read. */
    int (*open)(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err);
    /* Write every batch of in (not freed) to path atomically; NULL when the
     * format cannot be written. */
    int (*write)(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err);
    const char *summary; /* one line for help texts */
};

const tn_format *tn_format_by_name(const char *name);
/* By extension; a text format's extension may be followed by a compression
 * suffix (data.csv.gz, events.ndjson.zst). */
const tn_format *tn_format_by_path(const char *path);
/* The path ends in .gz, .gzip, .zst or .zstd. */
bool tn_path_is_compressed(const char *path);
const tn_format *tn_format_at(int i); /* NULL past the last */

/* Fail on an option that neither the common keys nor the format's own
 * (reader or writer side) consume. */
int tn_format_check_options(const tn_format *f, const tn_opts *o, bool writing, tarn_error *err) TN_MUST_USE;

/* The internal forms of tarn_read / tarn_write / tarn_print. */
int tn_format_open(const char *path, const tarn_options *opts, tn_reader **out, tarn_error *err) TN_MUST_USE;
int tn_format_write(const char *path, tn_reader *in, const tarn_options *opts, tarn_error *err) TN_MUST_USE;
int tn_format_print(FILE *f, tn_reader *in, const tarn_options *opts, tarn_error *err) TN_MUST_USE;

/* Format entry points (one file each). */
int tn_ipc_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err);
int tn_ipc_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err);
/* The built-in example dataset (example.c). */
int tn_example_reader(tn_reader **out, tarn_error *err) TN_MUST_USE;

/* CSV and JSON readers (csv/csv_format.c). */
int tn_csv_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err);
int tn_json_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err);

int tn_parquet_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err);
int tn_parquet_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err);
int tn_text_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err);

#endif
