/*
 * catalog.h — the named things a SQL session knows: tables (in memory, over
 * files, caller-provided) and views; and the table interface scans go
 * through.
 *
 * A table is reference counted: the catalog holds one reference, and every
 * plan that reads it holds another, so DROP TABLE during a running query is
 * safe. Names are matched case-insensitively unless the lookup asks for an
 * exact (quoted) match.
 *
 * Scans: the physical planner asks a table for its partitions (units of
 * parallel work: files, row groups, batches) and opens a reader per
 * partition, handing down the columns wanted, the filter conjuncts (bound
 * expressions over the scanned columns, sql/plan.h) and a limit hint. A
 * table may apply filters (exactly, or only to prune); the engine filters
 * again unless the table reports a conjunct as exact.
 */
#ifndef TN_SQL_CATALOG_H
#define TN_SQL_CATALOG_H

#include "arrow/array.h"
#include "core/arena.h"
#include "formats/options.h"

typedef struct tn_expr tn_expr;
typedef struct tn_table tn_table;
typedef struct tn_join_filter tn_join_filter;
typedef struct tn_parquet_term tn_parquet_term;

typedef struct tn_scan_request {
    const int32_t *columns; /* indexes into the table's schema, in output order */
    int32_t ncolumns;
    tn_expr *const *filters; /* conjuncts over the output columns (may be ignored) */
    int32_t nfilters;
    int64_t limit;           /* < 0: none; rows after the filters */
    /* dynamic join filters (sql/exec/join_filter.h), ready when the scan
     * begins: join_columns[i] (an output column) only holds keys that
     * join_filters[i] may match; a table may skip row groups with them */
    const tn_join_filter *const *join_filters;
    const int32_t *join_columns;
    int32_t njoin_filters;
    void *state;             /* the table's per-scan state (scan_begin), or NULL */
    bool in_order;           /* a LIMIT above wants the first rows: no finer partitions than files */
} tn_scan_request;

/* What a scan of a table over files has read and skipped (EXPLAIN ANALYZE). */
typedef struct tn_scan_stats {
    int64_t files;               /* files the scan covers */
    int64_t row_groups;          /* Parquet row groups in them */
    int64_t rg_by_stats;         /* skipped by the pushed filters and the statistics */
    int64_t rg_by_join;          /* skipped by dynamic join filters and the statistics */
    int64_t rg_by_bloom;         /* skipped by bloom filters of the files */
    int64_t rg_read;             /* decoded */
    int64_t pages_read, pages_pruned; /* data pages decoded, skipped by the page index */
    int64_t bytes_read;          /* from the files */
} tn_scan_stats;

typedef enum tn_table_kind {
    TN_TABLE_MEMORY, /* batches held in memory (CREATE TABLE, INSERT, registered streams) */
    TN_TABLE_FILES,  /* one or more files or objects read through a format */
    TN_TABLE_CUSTOM  /* a caller's provider (tarn/sql.h tarn_table_vtable) */
} tn_table_kind;

typedef struct tn_table_ops {
    /* Number of partitions a scan of req has (>= 1; 1 when not splittable). */
    int (*partitions)(tn_table *t, const tn_scan_request *req, int64_t *n, tarn_error *err);
    /* A reader of partition `part` with req's columns; exact[i] (when not
     * NULL, nfilters entries, initialized false) is set for every filter the
     * reader applied exactly. Called from any thread. */
    int (*open)(tn_table *t, const tn_scan_request *req, int64_t part, tn_reader **out, bool *exact,
                tarn_error *err);
    /* Append a batch of the table's schema (NULL: read-only table). */
    int (*append)(tn_table *t, tn_batch *b, tarn_error *err);
    void (*destroy)(tn_table *t); /* free the concrete table's state */
    /* Optional: prepare a scan of req once, before partitions and open
     * (which then see req->state): a table over files reads each Parquet
     * footer here, skips row groups by statistics and splits files into
     * row-group partitions. Without it, partitions are one per file. */
    int (*scan_begin)(tn_table *t, tn_scan_request *req, tarn_error *err);
    void (*scan_end)(tn_table *t, tn_scan_request *req); /* frees req->state (NULL is fine) */
    /* What the scan of req has read so far (after its readers were freed). */
    void (*scan_stats)(tn_table *t, const tn_scan_request *req, tn_scan_stats *out);
} tn_table_ops;

struct tn_table {
    _Atomic int32_t refcount;
    tn_table_kind kind;
    const tn_table_ops *ops;
    tn_schema *schema; /* owned reference */
    double est_rows;   /* < 0 when unknown */
    double *col_ndv;   /* [schema->n_fields] estimated distinct values per column
                        * (< 0 unknown), or NULL; freed with the table */
    char *name;        /* for messages and EXPLAIN ("lineitem", "read_parquet('x.parquet')") */
};

tn_table *tn_table_ref(tn_table *t);
void tn_table_unref(tn_table *t);

/* An empty in-memory table with this schema (a reference is taken).
 * Appends are atomic per batch; each partition is one batch. */
int tn_table_memory_new(const char *name, tn_schema *schema, tn_table **out, tarn_error *err) TN_MUST_USE;
/* The batches of a memory table (borrowed; valid until the next append). */
void tn_table_memory_batches(tn_table *t, tn_batch *const **batches, int64_t *n);

/* A table over files: `location` is a path, URL or glob (expanded now;
 * no match is TARN_ENOTFOUND naming it), `opts` the reader options
 * (format=..., delimiter=..., copied). The schema is the first file's. */
int tn_table_files_new(const char *location, const tarn_options *opts, tn_table **out, tarn_error *err) TN_MUST_USE;

/* Row count and per-column distinct-value estimates of a table over
 * Parquet files, from the first file's footer (table_stats.c); leaves them
 * unknown on any failure. */
void tn_table_parquet_stats(tn_table *t, char *const *paths, int64_t npaths);

/* The scan's filter conjuncts a Parquet reader applies itself, as parsed
 * terms (sql/exec/pushdown.c): `column op value` and `column IN (values)`
 * over plain columns, the value of the column's type. The reader applies
 * them exactly (NULLs never match), so the engine need not filter again. */
typedef struct tn_exec_pq_terms {
    tn_parquet_term *terms;
    int32_t *conjunct;  /* per term: the index of the req->filters conjunct it is */
    bool *row_filter;   /* per term: worth giving the reader to filter rows with (else only
                         * to skip row groups: an IN list of strings costs the reader a full
                         * comparison per value and row, the engine a narrowed hash probe) */
    int32_t n, cap;
    tn_arena arena;     /* the literals */
} tn_exec_pq_terms;
int tn_exec_parquet_terms(const tn_schema *schema, const tn_scan_request *req, tn_exec_pq_terms *out,
                          tarn_error *err) TN_MUST_USE;
void tn_exec_parquet_terms_reset(tn_exec_pq_terms *t);

/* ---- the catalog ------------------------------------------------------------- */

typedef enum tn_entry_kind { TN_ENTRY_TABLE, TN_ENTRY_VIEW } tn_entry_kind;

typedef struct tn_catalog_entry {
    tn_entry_kind kind;
    char *name;
    bool temp;
    tn_table *table;        /* TABLE */
    char *view_sql;         /* VIEW: the query text */
    char **view_columns;    /* VIEW: column names given in CREATE VIEW v(a, b), or NULL */
    int32_t nview_columns;
} tn_catalog_entry;

typedef struct tn_catalog tn_catalog;

int tn_catalog_new(tn_catalog **out, tarn_error *err) TN_MUST_USE;
void tn_catalog_free(tn_catalog *c);

/* The entry named `name` (NULL when none): case-insensitive unless exact. */
const tn_catalog_entry *tn_catalog_find(const tn_catalog *c, const char *name, bool exact);
/* Add a table (a reference is taken) or view. An existing entry of that
 * name is TARN_EINVAL ("table \"t\" already exists") unless replace. */
int tn_catalog_add_table(tn_catalog *c, const char *name, tn_table *t, bool temp, bool replace,
                         tarn_error *err) TN_MUST_USE;
int tn_catalog_add_view(tn_catalog *c, const char *name, const char *sql, char *const *columns, int32_t ncolumns,
                        bool temp, bool replace, tarn_error *err) TN_MUST_USE;
/* Remove; TARN_ENOTFOUND when absent, or when the kind differs. */
int tn_catalog_drop(tn_catalog *c, const char *name, tn_entry_kind kind, tarn_error *err) TN_MUST_USE;
/* Entries in name order, for SHOW TABLES and completion (NULL past the end). */
const tn_catalog_entry *tn_catalog_at(const tn_catalog *c, int32_t i);
/* The closest name to `name` among the entries, for "did you mean" hints (or NULL). */
const char *tn_catalog_closest(const tn_catalog *c, const char *name);

#endif
