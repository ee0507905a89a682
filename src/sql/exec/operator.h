/*
 * operator.h — physical operators and the pipelines that run them.
 *
 * Execution is push-based and morsel-driven (as in DuckDB and HyPer): the
 * physical plan is cut into pipelines at pipeline breakers (hash-join
 * build, aggregation, sort, window, materialized CTEs). A pipeline is
 *
 *     source  ->  transform  ->  transform ...  ->  sink
 *
 * The driver (pipeline.c) asks the source for its partitions (morsels: a
 * file, a row group, a batch range, a hash partition) and runs them as
 * tasks on the thread pool; each task pulls batches from its partition,
 * pushes each through the transforms and into the sink, using per-task
 * *local* state so that the hot path takes no lock. When every task is
 * done, each local state is combined into the operator's global state and
 * the sink is finalized; then the pipelines that read from it (the
 * operator as a source, or a hash join's probe side) may start.
 *
 * An operator can play several roles: a hash join is the sink of its build
 * pipeline, a transform in its probe pipeline and (for RIGHT/FULL joins) the
 * source of a last pipeline emitting unmatched build rows; an aggregate is
 * the sink of one pipeline and the source of the next.
 *
 * Children: an operator that streams one input and sinks another (a hash
 * join) has the streamed input (probe: the plan's left side) as
 * children[0] and the sunk one (build: the plan's right side) as
 * children[1]; a sink+source operator (aggregate, sort, window) sinks
 * children[0]; a pure transform (filter, project, limit) streams children[0].
 *
 * Memory: operators that hold data (hash tables, sort runs) reserve it
 * (tn_exec_reserve) and spill to files under ctx->spill_dir when refused.
 * Every callback may be called from any worker thread, but never
 * concurrently with the same local state.
 */
#ifndef TN_SQL_OPERATOR_H
#define TN_SQL_OPERATOR_H

#include "core/buf.h"
#include "core/pool.h"
#include "sql/expr/eval.h"
#include "sql/plan.h"

/* Per-operator counters for EXPLAIN ANALYZE (atomics: updated from workers). */
typedef struct tn_op_metrics {
    _Atomic int64_t rows_in, rows_out, batches_out;
    _Atomic int64_t nanos;          /* time spent in the operator's callbacks */
    _Atomic int64_t peak_bytes;     /* largest reservation held */
    _Atomic int64_t held_bytes;     /* reserved now (tn_exec_reserve - tn_exec_release) */
    _Atomic int64_t spilled_bytes;
    /* scans */
    _Atomic int64_t bytes_read, files, files_pruned, row_groups, row_groups_pruned, pages_pruned;
} tn_op_metrics;

/* What every operator of one query shares. */
typedef struct tn_exec_ctx {
    tn_eval_ctx eval;
    tn_cancel_token *cancel;   /* fired by Ctrl-C / tarn_session_interrupt */
    const char *sql;           /* the statement text, for error positions */
    const char *spill_dir;     /* where operators spill (created on first use) */
    int64_t batch_rows;        /* target rows per batch (default 2048..65536) */
    bool analyze;              /* collect metrics (EXPLAIN ANALYZE) */
    bool no_dynamic_filters;   /* SET dynamic_filters = false: hash joins do not filter probe scans */
} tn_exec_ctx;

typedef struct tn_op tn_op;

typedef struct tn_op_vtable {
    const char *name; /* "HASH_JOIN", "HASH_AGGREGATE", ... for EXPLAIN */

    /* ---- as a source ---- */
    /* The number of partitions to run in parallel (called after the
     * operator's sink side, if any, is finalized). */
    int (*source_partitions)(tn_op *op, int64_t *n, tarn_error *err);
    /* The next batch of partition `part` in *out (NULL when it is done).
     * *state starts NULL for each partition and is the operator's to use;
     * source_done releases it (also after an error). */
    int (*source_next)(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err);
    void (*source_done)(tn_op *op, void *state);

    /* ---- as a transform (streaming, one batch in, zero or more out) ---- */
    int (*local_init)(tn_op *op, void **local, tarn_error *err); /* per task; may be NULL */
    void (*local_free)(tn_op *op, void *local);
    /* Process `in` (borrowed). Produce a batch in *out (or NULL for none);
     * set *again when the same input must be passed again to produce more
     * output (a join with many matches); the driver then calls again with
     * the same in until *again is false. */
    int (*transform)(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err);
    /* Called once per task after its input ended: emit remaining output
     * (e.g. a limit's nothing, a streaming window's tail). May be NULL. */
    int (*transform_flush)(tn_op *op, void *local, tn_batch **out, bool *again, tarn_error *err);

    /* ---- as a sink ---- */
    int (*sink_local_init)(tn_op *op, void **local, tarn_error *err);
    /* Consume `in` (borrowed; take a reference to keep it). */
    int (*sink)(tn_op *op, void *local, tn_batch *in, tarn_error *err);
    /* Fold a task's local state into the global one (called under the
     * operator's lock, once per task) and free the local state. */
    int (*sink_combine)(tn_op *op, void *local, tarn_error *err);
    void (*sink_local_free)(tn_op *op, void *local); /* after an error, instead of combine */
    /* After every task combined: build the final structure (may run
     * parallel work itself with tn_parallel_for). */
    int (*sink_finalize)(tn_op *op, tarn_error *err);

    /* Whether the pipeline can stop early (a LIMIT that has its rows). */
    bool (*finished)(tn_op *op);

    /* One line for EXPLAIN after the name: "keys: #0 = #3, type: inner". */
    int (*explain)(tn_op *op, tn_buf *out, tarn_error *err);
    void (*destroy)(tn_op *op); /* free the concrete operator (not children) */
} tn_op_vtable;

struct tn_op {
    const tn_op_vtable *vt;
    tn_exec_ctx *ctx;
    tn_schema *out;            /* output schema (owned reference) */
    tn_op **children;          /* physical inputs (owned) */
    int32_t nchildren;
    const tn_plan *plan;       /* the logical node it came from (may be NULL) */
    tn_op_metrics metrics;
};

/* Reserve / release bytes from the memory budget for an operator (counted
 * in its metrics). false when the budget refuses: spill, or fail with
 * TARN_EMEMLIMIT naming the operator. */
bool tn_exec_reserve(tn_op *op, int64_t bytes);
void tn_exec_release(tn_op *op, int64_t bytes);

/* Operator constructors (one file each), from a logical node whose
 * children were already turned into `children`. On success the new
 * operator owns the children; on failure they stay the caller's (who
 * frees them). */
int tn_op_hash_join_new(tn_exec_ctx *ctx, const tn_plan *join, tn_op *build, tn_op *probe, tn_op **out,
                        tarn_error *err) TN_MUST_USE;
int tn_op_nested_loop_join_new(tn_exec_ctx *ctx, const tn_plan *join, tn_op *left, tn_op *right, tn_op **out,
                               tarn_error *err) TN_MUST_USE;
int tn_op_hash_aggregate_new(tn_exec_ctx *ctx, const tn_plan *agg, tn_op *child, tn_op **out,
                             tarn_error *err) TN_MUST_USE;
int tn_op_window_new(tn_exec_ctx *ctx, const tn_plan *win, tn_op *child, tn_op **out, tarn_error *err) TN_MUST_USE;

/* Free an operator tree. */
void tn_op_free(tn_op *op);

#endif
