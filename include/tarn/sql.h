/*
 * tarn/sql.h — SQL sessions: run queries over files, object-store URLs,
 * in-memory tables and caller-provided Arrow data; fetch results as Arrow
 * streams (the C Data Interface, tarn/arrow.h).
 *
 *     tarn_session *s;
 *     tarn_session_open(&s, &err);
 *     struct ArrowArrayStream out;
 *     tarn_sql_query(s, "SELECT l_returnflag, sum(l_quantity) "
 *                       "FROM 'lineitem.parquet' GROUP BY 1", &out, &err);
 *     ... out.get_next(&out, &batch) until batch.release == NULL ...
 *     out.release(&out);
 *     tarn_session_close(s);
 *
 * A session holds the catalog (tables, views, prepared statements) and the
 * settings (threads, memory_limit, reader options). One session is used by
 * one thread at a time; a query runs on the process thread pool. Errors
 * carry a message with the line and column of the SQL text where the
 * problem is (`line 1, column 8: column "l_quantty" not found; did you mean
 * "l_quantity"?`), or the expression that failed at run time.
 */
#ifndef TARN_SQL_H
#define TARN_SQL_H

#include "tarn/arrow.h"
#include "tarn/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tarn_session tarn_session;
typedef struct tarn_prepared tarn_prepared;

TARN_API int tarn_session_open(tarn_session **out, tarn_error *err);
TARN_API void tarn_session_close(tarn_session *s);

/* Run a script of one or more statements separated by ';'. The result of
 * the last statement is returned in *out (when out is not NULL): the rows
 * of a query, or a one-column table describing what a statement did
 * (e.g. `Count` for INSERT, `explain` for EXPLAIN). The stream stays
 * valid after later calls and after the session is closed. */
TARN_API int tarn_sql_query(tarn_session *s, const char *sql, struct ArrowArrayStream *out, tarn_error *err);
/* Run statements for their effect only. */
TARN_API int tarn_sql_exec(tarn_session *s, const char *sql, tarn_error *err);

/* The result of a query streams: rows are produced while the caller reads
 * them, through a bounded buffer, so a large result (or COPY TO a file)
 * takes bounded memory. A result that fits the buffer is complete when
 * tarn_sql_query returns; an error met later is returned by get_next.
 * Releasing the stream early stops the query. The next call on the session
 * first lets a stream still being produced run to its end. */

/* Progress of a running statement, for a progress bar. */
typedef struct tarn_query_progress {
    int64_t rows_scanned; /* rows the query's table scans have read so far */
    int64_t rows_total;   /* estimated rows in the tables they read, or -1 when unknown
                           * (filters and skipped row groups may keep the scans below it) */
    double elapsed;       /* seconds since the query started running */
    int done;             /* 1 on the last call, when the query has stopped */
} tarn_query_progress;
typedef void (*tarn_query_progress_fn)(void *user, const tarn_query_progress *p);

/* Call fn(user, progress) about ten times a second while a query of s runs,
 * and once more with done = 1 when it stops; NULL removes it. fn is called
 * from threads of tarn's (never two calls at once) and must be quick. */
TARN_API void tarn_session_set_progress(tarn_session *s, tarn_query_progress_fn fn, void *user);

/* Prepared statements with $1, $2, ... (or ?) parameters. Parameters are
 * bound from a one-row Arrow struct array / record batch: column i is $i+1. */
TARN_API int tarn_sql_prepare(tarn_session *s, const char *sql, tarn_prepared **out, tarn_error *err);
TARN_API int tarn_prepared_nparams(const tarn_prepared *p);
TARN_API int tarn_prepared_execute(tarn_prepared *p, struct ArrowArray *params, struct ArrowSchema *params_schema,
                                   struct ArrowArrayStream *out, tarn_error *err);
TARN_API void tarn_prepared_free(tarn_prepared *p);

/* Settings, as SET name = value does: threads, memory_limit,
 * temp_directory (where operators spill when memory_limit refuses them;
 * default $TMPDIR, else /tmp), and reader options (`SET csv.delimiter = '|'`). */
TARN_API int tarn_session_set(tarn_session *s, const char *name, const char *value, tarn_error *err);

/* Cancel the query running in s from any thread or a signal handler; it
 * stops with TARN_ECANCELLED. */
TARN_API void tarn_session_interrupt(tarn_session *s);

/* ---- caller data as tables ------------------------------------------------ */

/* Register an Arrow stream as a table named `name` (ownership of the stream
 * moves to the session; it can be scanned once unless `materialize` is set,
 * in which case it is read into memory now and can be queried many times). */
TARN_API int tarn_session_register_stream(tarn_session *s, const char *name, struct ArrowArrayStream *stream,
                                          int materialize, tarn_error *err);
TARN_API int tarn_session_drop(tarn_session *s, const char *name, tarn_error *err);

/* A comparison pushed down to a custom table: column <op> literal. The
 * literal is a one-row array. A provider may ignore filters (the engine
 * filters again unless the provider marks them `exact`). */
typedef enum tarn_filter_op {
    TARN_FILTER_EQ, TARN_FILTER_NE, TARN_FILTER_LT, TARN_FILTER_LE, TARN_FILTER_GT, TARN_FILTER_GE,
    TARN_FILTER_IS_NULL, TARN_FILTER_IS_NOT_NULL
} tarn_filter_op;

typedef struct tarn_filter {
    int column;                  /* index into the table's schema */
    tarn_filter_op op;
    struct ArrowArray *value;    /* one row; NULL for the null tests (borrowed) */
    struct ArrowSchema *value_type;
} tarn_filter;

typedef struct tarn_scan_request {
    const int *columns; /* the columns wanted, in the order of the output; */
    int ncolumns;       /* every column when columns == NULL */
    const tarn_filter *filters;
    int nfilters;
    int64_t limit;      /* < 0: no limit; a hint (rows after filtering) */
} tarn_scan_request;

/* A custom table: the engine calls these from the session's thread. */
typedef struct tarn_table_vtable {
    /* The table's schema (the engine takes ownership of *out). */
    int (*schema)(void *ctx, struct ArrowSchema *out, tarn_error *err);
    /* Estimated rows (< 0 when unknown), for join ordering. */
    int64_t (*estimated_rows)(void *ctx);
    /* Start a scan; the stream's schema has the requested columns. `exact`
     * receives, per filter, whether the provider applied it exactly. */
    int (*scan)(void *ctx, const tarn_scan_request *req, struct ArrowArrayStream *out, int *exact, tarn_error *err);
    void (*release)(void *ctx); /* when the table is dropped or the session closed */
} tarn_table_vtable;

TARN_API int tarn_session_register_table(tarn_session *s, const char *name, const tarn_table_vtable *vt, void *ctx,
                                         tarn_error *err);

/* ---- user-defined functions ----------------------------------------------- */

/*
 * Functions written in C, called from SQL like built-in ones. They belong to
 * the session that registers them and are looked up BEFORE the built-in
 * functions, so a UDF named like a built-in (`upper`) replaces it in that
 * session (as in DuckDB, where the main schema precedes the system catalog
 * in the search path). Names are case-insensitive. Registering a name
 * again replaces the earlier function (scalar or aggregate); a statement
 * already bound keeps the function it was bound with.
 *
 * Types are written in SQL: "BIGINT", "VARCHAR", "DOUBLE", "DECIMAL(10,2)",
 * "DATE", "TIMESTAMP", "INTEGER[]", ... and "ANY" (an argument of any type,
 * passed as it is). An argument of another type is cast implicitly to the
 * declared type when the cast is safe (integers to wider integers or to
 * DOUBLE/DECIMAL, a string literal to any type, NULL to any type); other
 * types are refused when the statement is bound ("no function f(varchar):
 * f takes (bigint)"). `nargs` < 0 declares a variadic function: any number
 * of arguments (zero included), each of type arg_types[0].
 *
 * Data crosses as Arrow C Data Interface arrays, without copies: each
 * argument is an array of exactly `n` rows (a constant argument is
 * repeated to n rows); the arrays and their schemas are borrowed for the
 * duration of the call (do not release them, do not keep pointers into
 * them). The function writes a new array of the declared result type and n
 * rows to *out, which the engine takes over (it calls out->release); the
 * engine validates it (structure, offsets) and refuses a wrong length or
 * type.
 *
 * Threads: a query runs on the process thread pool, so a function may be
 * called from several threads at once, each on its own batch: `ctx` must be
 * safe to share (read-only, or guarded by the function). `ctx` must stay
 * valid until the function is unregistered or replaced and every statement
 * bound with it has finished (at the latest: until the session is closed
 * and the result streams it returned are released).
 *
 * Errors: a function fails by returning a TARN_E* code (non-zero) with a
 * message in err; the query stops with that code and a message naming the
 * function and the expression: `function "checked_div": divisor is zero in
 * "checked_div(a, b)"`. A message ending in " at row K" (K counting the
 * rows of the call) is mapped to the row of the batch.
 */

/* Flags for the register calls. */
enum {
    /* NULL handling. By default a NULL in any argument gives NULL: for a
     * scalar function the engine clears the result's validity at those
     * rows after the call (the function still sees the rows and may
     * compute anything for them); an aggregate's update never sees a row
     * with a NULL argument (as sum() skips NULLs), and a group that saw no
     * row still gets init + finalize. With TARN_UDF_NULLS the function
     * sees and decides every row itself (e.g. a coalesce). */
    TARN_UDF_NULLS = 1,
    /* The result differs between calls with the same arguments (random,
     * clock): never computed once for constant arguments. */
    TARN_UDF_VOLATILE = 2
};

/* A vectorized scalar function over n rows (see above). */
typedef int (*tarn_scalar_udf)(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                               struct ArrowSchema *const *arg_types, struct ArrowArray *out, tarn_error *err);

/* Register name(arg_types...) -> result_type. */
TARN_API int tarn_session_register_scalar(tarn_session *s, const char *name, int nargs, const char *const *arg_types,
                                          const char *result_type, unsigned flags, tarn_scalar_udf fn, void *ctx,
                                          tarn_error *err);

/*
 * A vectorized aggregate over opaque states of `state_size` bytes (16-byte
 * aligned, owned by the engine; at most 64 KiB). It runs inside the
 * parallel hash aggregate: each task folds its rows into states of its own
 * with `update`, then the states of one group from different tasks are
 * folded together with `combine`, and `finalize` turns states into
 * results. A state may own memory (a pointer inside it): free it in
 * `destroy`, which the engine calls once for every initialized state
 * (after combine has consumed it, too).
 */
typedef struct tarn_aggregate_udf {
    size_t state_size;
    /* Set up a new state (of an empty group). */
    void (*init)(void *ctx, void *state);
    /* Fold n rows: row r of args goes into states[r] (rows of one group
     * share a state pointer). */
    int (*update)(void *ctx, void *const *states, int64_t n, int nargs, struct ArrowArray *const *args,
                  struct ArrowSchema *const *arg_types, tarn_error *err);
    /* Fold `from` into `into` (both initialized; `from` is destroyed after). */
    int (*combine)(void *ctx, void *into, void *from, tarn_error *err);
    /* Write n results, one per state in order, as a new array of the result
     * type (taken over by the engine). */
    int (*finalize)(void *ctx, void *const *states, int64_t n, struct ArrowArray *out, tarn_error *err);
    void (*destroy)(void *ctx, void *state); /* may be NULL */
} tarn_aggregate_udf;

/* Register the aggregate name(arg_types...) -> result_type; *fn is copied.
 * Usable with GROUP BY, DISTINCT and FILTER (WHERE ...) like a built-in. */
TARN_API int tarn_session_register_aggregate(tarn_session *s, const char *name, int nargs,
                                             const char *const *arg_types, const char *result_type, unsigned flags,
                                             const tarn_aggregate_udf *fn, void *ctx, tarn_error *err);

/* Forget the function `name` (scalar or aggregate): TARN_ENOTFOUND when the
 * session has none. The built-in of that name, if any, is visible again. */
TARN_API int tarn_session_unregister_function(tarn_session *s, const char *name, tarn_error *err);

#ifdef __cplusplus
}
#endif

#endif
