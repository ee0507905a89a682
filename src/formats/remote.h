/*
 * remote.h — reading and writing files of any format in object stores by
 * spooling through a local temporary file (see remote.c).
 */
#ifndef TN_FORMATS_REMOTE_H
#define TN_FORMATS_REMOTE_H

#include <stdbool.h>

#include "arrow/array.h"

/* True for URLs served by an object store rather than the local disk. */
bool tn_remote_url(const char *path);
/* Download url into a new temporary file; *local is its path (tn_free). */
int tn_remote_fetch(const char *url, char **local, tarn_error *err) TN_MUST_USE;
/* A temporary path (not created) ending like url, for a writer's output. */
int tn_remote_spool(const char *url, char **local, tarn_error *err) TN_MUST_USE;
/* Upload local to url atomically, then delete local. */
int tn_remote_publish(const char *local, const char *url, tarn_error *err) TN_MUST_USE;
/* A reader over in that names url in its errors and deletes local (taken,
 * with in) when freed. */
int tn_remote_wrap(tn_reader *in, char *local, const char *url, tn_reader **out, tarn_error *err) TN_MUST_USE;
/* Formats that read remote objects by ranges themselves, without a spool
 * file (parquet). */
bool tn_remote_reads_ranges(const char *format);
/* Open a Parquet object of a store as a byte source for the Parquet
 * reader: the head and tail (footer) in one go, then for each row group
 * the chunks of the selected columns, coalesced and fetched in parallel. */
struct tn_parquet_read_options;
int tn_remote_parquet_open(const char *url, const struct tn_parquet_read_options *opts, tn_reader **out,
                           tarn_error *err) TN_MUST_USE;

/* Replace the first occurrence of from in err's message by to. */
void tn_error_replace(tarn_error *err, const char *from, const char *to);

#endif
