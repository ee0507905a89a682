/*
 * parquet.h — the Parquet reader and writer inside libtarn.
 *
 * tn_parquet_open_file streams a file's rows as Arrow record batches through
 * a tn_reader (arrow/array.h). The registry behind tarn_read/tarn_write
 * (tarn/formats.h) maps its string options onto these structs.
 */
#ifndef TN_PARQUET_H
#define TN_PARQUET_H

#include "arrow/array.h"

/* One comparison `column op literal` already parsed by the caller (the SQL
 * engine's pushdown); see formats/parquet/filter.h for the rules. */
typedef struct tn_parquet_term {
    const char *column;         /* a top-level column or a dotted path into structs */
    int op;                     /* tn_cmp_op: TN_CMP_EQ, NE, LT, LE, GT, GE */
    bool is_string;             /* the literal is a string (else the text of a number) */
    const char *literal;        /* number text ("5", "-1.25e3") or the string's bytes, unquoted */
    size_t literal_len;
    int32_t n_in;               /* > 0: `column IN (in_literals...)` (op and literal unused) */
    const char *const *in_literals;
    const size_t *in_lens;
} tn_parquet_term;

typedef struct tn_parquet_read_options {
    const char *const *columns; /* columns to read, in output order; NULL: all. A name is a
                                   top-level column or a dotted path to a field inside
                                   structs ("a.b"), output as a column of that name */
    int32_t n_columns;
    int64_t batch_size;         /* rows per batch; 0: 65536 */
    int64_t limit;              /* at most this many rows; < 0: all */
    int64_t offset;             /* rows to skip first */
    bool verify_crc;            /* check page CRCs where the writer stored them */
    const char *filter;         /* where: "a >= 5 AND b = 'x'" (filter.h); row groups whose statistics
                                   exclude a match are skipped, the others are filtered row by row */
    const tn_parquet_term *terms; /* comparisons ANDed with `filter`, n_terms of them */
    int32_t n_terms;
    bool explain;               /* print the row groups and pages read and skipped (by statistics,
                                   bloom filters, the page index) to stderr when the reader is freed */
    bool no_late_materialization; /* with a filter, decode every output column over the candidate rows
                                   and filter them afterwards (default: the filter's columns first, the
                                   others only for the matching rows) */
    bool serial;                /* decode on the calling thread only. Otherwise a plain scan (no filter,
                                   limit or offset) decodes a row group's columns as tasks on the pool
                                   (core/pool.h) and the next row group ahead while the caller takes
                                   the current one's batches (at most two row groups in memory); the
                                   batches are the same either way. For callers that already run
                                   readers in parallel; implied by row_groups */
    const int32_t *row_groups;  /* read only these row groups (ascending indexes into the file's),
                                   n_row_groups of them; NULL: every one. Offset and limit count
                                   the rows of these */
    int32_t n_row_groups;
} tn_parquet_read_options;

/* Open path for reading. opts may be NULL. Encrypted files fail with
 * TARN_EUNSUPPORTED ("encrypted Parquet is not supported"); malformed ones
 * with TARN_ECORRUPT naming the cause. Free with tn_reader_free. */
int tn_parquet_open_file(const char *path, const tn_parquet_read_options *opts, tn_reader **out, tarn_error *err)
    TN_MUST_USE;

/* The same over n bytes in memory, which must outlive the reader (fuzzing,
 * objects already fetched). `name` names the input in messages. */
int tn_parquet_open_memory(const uint8_t *data, size_t n, const char *name, const tn_parquet_read_options *opts,
                           tn_reader **out, tarn_error *err) TN_MUST_USE;

/* A file read by position from elsewhere than the local disk (an object
 * store: formats/remote.h). read_at fills dst with n bytes at off;
 * prefetch, if set, is told the byte ranges of the column chunks about to
 * be read (the selected columns of one row group), so that they can be
 * fetched together; close frees ctx when the reader is freed. */
typedef struct tn_parquet_source {
    void *ctx;
    int64_t size;
    int (*read_at)(void *ctx, int64_t off, size_t n, uint8_t *dst, tarn_error *err);
    int (*prefetch)(void *ctx, const int64_t *offsets, const int64_t *lengths, int n, tarn_error *err);
    void (*close)(void *ctx);
    /* A context of its own for a reader of tn_parquet_open_shared (which
     * may run on another thread), closed with close; NULL: not shared. */
    int (*clone)(void *ctx, void **out, tarn_error *err);
} tn_parquet_source;

/* Open a source (taken: closed on failure too). `name` names the input in
 * messages. tn_parquet_open_file opens store URLs (s3://...) this way. */
int tn_parquet_open_source(const tn_parquet_source *src, const char *name, const tn_parquet_read_options *opts,
                           tn_reader **out, tarn_error *err) TN_MUST_USE;

/* A reader of the file another reader (of tn_parquet_open_file or _memory)
 * reads, with opts, reusing that reader's parsed footer, schema and open
 * file instead of reading them again: the readers of the parts of one file
 * (opts->row_groups) decode its footer once. `file` must outlive the new
 * reader and is not read from; readers sharing it may run on different
 * threads. */
int tn_parquet_open_shared(tn_reader *file, const tn_parquet_read_options *opts, tn_reader **out, tarn_error *err)
    TN_MUST_USE;

/* excluded[g] (one entry per row group of file, a reader as above) set for
 * the row groups whose chunk statistics prove that no row matches every
 * term; the terms bind as the `terms` option does (a term that does not
 * bind to the file is an error). */
int tn_parquet_prune_row_groups(tn_reader *file, const tn_parquet_term *terms, int32_t n, bool *excluded,
                                tarn_error *err) TN_MUST_USE;

/* Number of rows and row groups the footer declares, for tools and tests. */
int tn_parquet_file_info(const char *path, int64_t *num_rows, int32_t *n_row_groups, tarn_error *err) TN_MUST_USE;

/* The footer of a reader opened by tn_parquet_open_file/memory (meta.h),
 * owned by the reader. Opening has checked that each row group has one
 * chunk with metadata per leaf column, in schema order. */
struct pq_file_meta;
const struct pq_file_meta *tn_parquet_reader_meta(tn_reader *rd);

/* What a reader's filter has skipped so far (what `explain` prints). */
typedef struct tn_parquet_scan_stats {
    int32_t row_groups_read, row_groups_by_stats, row_groups_by_bloom;
    int64_t pages_read, pages_by_index; /* data pages of the filter's and output columns */
    int64_t rows_filtered;  /* rows of the row groups read that the filter's terms dropped */
    int64_t pages_late;     /* late materialization: data pages of the other output columns holding
                               no matching row, not decompressed */
    int64_t values_late;    /* late materialization: rows of the other output columns' leaves not
                               decoded (in those pages or between matching rows), summed over leaves */
    int64_t bytes_read;                 /* from the file, since the reader was opened */
} tn_parquet_scan_stats;
void tn_parquet_reader_scan_stats(tn_reader *rd, tn_parquet_scan_stats *out);

/* Settings for some columns, overriding the file-wide ones. `column` names
 * a top-level column (every leaf under it) or one leaf by its dotted
 * Parquet path ("s.a", "tags.list.element"); a name that matches nothing is
 * an error. */
typedef struct tn_parquet_column_options {
    const char *column;
    int codec;              /* PQ_* codec; -1: the file's */
    int level;              /* with codec */
    int encoding;           /* PQ_* value encoding; -1: the file's. Must suit the column's type */
    int dictionary;         /* 1 on, 0 off, -1: the file's */
    bool bloom;             /* write a split-block bloom filter per column chunk */
    int64_t bloom_ndv;      /* distinct values to size it for; 0: the chunk's (its dictionary's
                               size, else its number of values) */
    double bloom_fpp;       /* false-positive rate; 0: 0.05 */
} tn_parquet_column_options;

typedef struct tn_parquet_write_options {
    int codec;              /* PQ_* codec of meta.h: 0 uncompressed, 1 snappy, 2 gzip,
                               4 brotli, 6 zstd, 7 lz4_raw (5, LZ4, is written as 7) */
    int level;              /* codec level; 0: the codec's default */
    int64_t row_group_rows; /* rows per row group; 0: 1 Mi */
    int64_t row_group_bytes; /* a row group closes once its batches hold this many Arrow bytes; 0: 128 MiB */
    int64_t page_bytes;     /* target bytes of values per data page; 0: 1 MiB */
    bool dictionary;        /* dictionary-encode (all types but boolean) */
    int page_version;       /* 1 (default) or 2: data page v2 */
    int encoding;           /* values encoding (meta.h PQ_*) for the columns whose type has it:
                               DELTA_BINARY_PACKED (INT32/INT64), DELTA_LENGTH_BYTE_ARRAY and
                               DELTA_BYTE_ARRAY (BYTE_ARRAY), BYTE_STREAM_SPLIT (FLOAT/DOUBLE);
                               others, and 0, use PLAIN or the dictionary */
    int64_t dictionary_bytes; /* a chunk whose dictionary passes this is written PLAIN; 0: 1 MiB */
    const tn_parquet_column_options *columns; /* per-column overrides, n_columns of them */
    int32_t n_columns;
    bool no_arrow_schema;   /* leave out the ARROW:schema key-value metadata (the Arrow schema,
                               so that readers get back the Arrow types the Parquet schema loses) */
} tn_parquet_write_options;

/* Write every batch of `in` to path atomically (a temporary file renamed
 * into place; nothing is left behind on failure). The reader is read to its
 * end but not freed. opts may be NULL. */
int tn_parquet_write_file(const char *path, tn_reader *in, const tn_parquet_write_options *opts, tarn_error *err)
    TN_MUST_USE;

#endif
