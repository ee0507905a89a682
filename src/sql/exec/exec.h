/*
 * exec.h — the inside of sql/exec/: a planned query (tn_query), the
 * physical planner that turns a tn_plan into operators, the pipeline driver
 * that runs them, and the constructors of the operators this folder owns.
 *
 * A query is planned once (tn_query_new) and run once (tn_query_run). While
 * planning, uncorrelated subqueries and materialized CTEs run first and
 * their rows become literals / in-memory sources, so that the operators of
 * the main tree never wait on another tree.
 */
#ifndef TN_SQL_EXEC_H
#define TN_SQL_EXEC_H

#include <pthread.h>

#include "core/buf.h"
#include "sql/catalog.h"
#include "sql/exec/operator.h"
#include "tarn/sql.h"

/* A planned statement with everything its operators point into. */
typedef struct tn_query {
    tn_exec_ctx ctx;
    tn_plan_ctx pc;       /* nodes and expressions the planner makes (rewritten
                           * subqueries, DISTINCT as an aggregate) */
    tn_catalog *catalog;  /* CREATE TABLE AS adds its table here (may be NULL) */
    tn_op *root;
    /* materialized CTEs: plan node -> rows */
    const tn_plan **cte_plans;
    tn_batch ***cte_rows;
    size_t *cte_nrows;
    tn_schema **cte_schemas;
    size_t ncte, capcte;
    /* recursive CTE iteration: the rows the step reads (set while it runs) */
    const tn_plan *rec_ref;
    tn_batch **rec_rows;
    size_t rec_n;
} tn_query;

/* Plan `plan` (borrowed; must outlive the query) with the settings of
 * `base` (params, cancel token, sql text, batch rows, analyze). */
int tn_query_new(const tn_plan *plan, const tn_exec_ctx *base, tn_catalog *catalog, tn_query **out,
                 tarn_error *err) TN_MUST_USE;
/* Run the query; its result rows as a reader (in order). */
int tn_query_run(tn_query *q, tn_reader **out, tarn_error *err) TN_MUST_USE;
void tn_query_free(tn_query *q);

/* ---- planner (planner.c) ---------------------------------------------------- */

int tn_exec_plan_op(tn_query *q, const tn_plan *p, tn_op **out, tarn_error *err) TN_MUST_USE;
/* Run a finished operator tree and collect the root's batches (new
 * references in a tn_alloc'ed array). The tree is not freed. */
int tn_exec_collect(tn_op *root, tn_batch ***out, size_t *n, tarn_error *err) TN_MUST_USE;
/* Run a finished operator tree on a thread of its own; its batches come
 * out of *out in the order tn_exec_collect would give them, through a
 * queue of about cap_bytes that the query waits on when it is full (so a
 * big result takes bounded memory). Returns once the queue is full or the
 * query ended; an error the query met by then is returned instead of a
 * reader, later ones by the reader. When the query thread is done it calls
 * free_owner(owner), which frees the tree and what it was planned from
 * (freed on failure too). Freeing the reader early cancels the query and
 * waits for its thread. */
int tn_exec_stream(tn_op *root, int64_t cap_bytes, void (*free_owner)(void *), void *owner, tn_reader **out,
                   tarn_error *err) TN_MUST_USE;
/* Let a streamed query run to its end without waiting for the reader (the
 * rest of the result is buffered) and wait for it: afterwards nothing
 * refers to what the query was planned from, only its batches remain. */
void tn_exec_stream_detach(tn_reader *r);
/* Progress reports while a tree runs: a thread calls fn(user, p) every
 * interval_ms with the rows its table scans have read (and the estimated
 * total), then once more with done = 1 when stopped (from the stopping
 * thread). The tree must outlive the ticker. */
typedef struct tn_exec_ticker tn_exec_ticker;
int tn_exec_ticker_start(const tn_op *root, tarn_query_progress_fn fn, void *user, int interval_ms,
                         tn_exec_ticker **out, tarn_error *err) TN_MUST_USE;
void tn_exec_ticker_stop(tn_exec_ticker *t); /* NULL is fine */
/* EXPLAIN text of an operator tree (with metrics when analyze). */
int tn_exec_explain(const tn_op *root, bool analyze, tn_buf *out, tarn_error *err) TN_MUST_USE;

/* ---- operator helpers ------------------------------------------------------- */

/* A zeroed operator of `size` bytes (a struct starting with tn_op) with its
 * vtable, context, plan and output schema (a reference is taken). */
void *tn_op_alloc(size_t size, const tn_op_vtable *vt, tn_exec_ctx *ctx, const tn_plan *plan, tn_schema *out);
/* Give op its children (moved on success; on failure they stay the caller's). */
int tn_op_set_children(tn_op *op, tn_op **children, int32_t n, tarn_error *err) TN_MUST_USE;
/* The batch of `columns` (references taken) under schema s. */
int tn_exec_batch_of(tn_schema *s, int64_t length, tn_array **columns, tn_batch **out, tarn_error *err) TN_MUST_USE;
/* Keep rows[0..n) of b (a new batch). */
int tn_exec_batch_select(tn_batch *b, tn_schema *s, const int32_t *rows, int64_t n, tn_batch **out,
                         tarn_error *err) TN_MUST_USE;
/* One batch of every batch of a list end to end (a reference to the only
 * batch when there is one; an empty batch when none). */
int tn_exec_concat(tn_schema *s, tn_batch *const *batches, size_t n, tn_batch **out, tarn_error *err) TN_MUST_USE;
void tn_exec_free_batches(tn_batch **batches, size_t n);
/* tn_expr_eval over every row of `in`; a bare column reference of the same
 * type shares the input array instead. */
int tn_exec_eval(const tn_exec_ctx *ctx, const tn_expr *e, tn_batch *in, tn_array **out, tarn_error *err) TN_MUST_USE;

/* ---- the operators of this folder --------------------------------------------- */

int tn_op_scan_new(tn_exec_ctx *ctx, const tn_plan *scan, tn_expr *const *filters, tn_op **out,
                   tarn_error *err) TN_MUST_USE;
/* Give the scan under a new hash join's probe side (through filters,
 * projections of bare columns and other joins' probe sides) the dynamic
 * filter the join builds on its key, when the key is a plain column of
 * that scan and the join kind allows it (join_filter.h). */
void tn_exec_scan_join_filters(tn_op *join);
/* A LIMIT is put over op: the scan under it (through filters and
 * projections) keeps its rows in table order (no split of a file). */
void tn_exec_scan_in_order(tn_op *op);
/* A source over batches (references taken): VALUES, CTE rows, results. */
int tn_op_batches_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_schema *schema, tn_batch *const *batches, size_t n,
                      tn_op **out, tarn_error *err) TN_MUST_USE;
/* The source a recursive CTE's step reads: the rows of q->rec_rows at run time. */
int tn_op_recursive_scan_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_query *q, tn_op **out,
                             tarn_error *err) TN_MUST_USE;
int tn_op_filter_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_expr *predicate, tn_op *child, tn_op **out,
                     tarn_error *err) TN_MUST_USE;
int tn_op_project_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_expr *const *exprs, int32_t n, tn_op *child,
                      tn_op **out, tarn_error *err) TN_MUST_USE;
int tn_op_limit_new(tn_exec_ctx *ctx, const tn_plan *plan, int64_t limit, int64_t offset, tn_op *child, tn_op **out,
                    tarn_error *err) TN_MUST_USE;
/* ORDER BY; with keep >= 0 a top-N that keeps the first `keep` rows. */
int tn_op_sort_new(tn_exec_ctx *ctx, const tn_plan *plan, const tn_sort_spec *keys, int32_t nkeys, int64_t keep,
                   tn_op *child, tn_op **out, tarn_error *err) TN_MUST_USE;
/* UNION ALL: every child's rows (the driver runs one pipeline per child). */
int tn_op_union_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_op **children, int32_t n, tn_op **out,
                    tarn_error *err) TN_MUST_USE;
extern const tn_op_vtable tn_union_vtable;
/* Sinks reporting one "Count" row. */
int tn_op_insert_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_table *table, tn_op *child, tn_op **out,
                     tarn_error *err) TN_MUST_USE;
int tn_op_create_table_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_catalog *catalog, tn_op *child, tn_op **out,
                           tarn_error *err) TN_MUST_USE;
int tn_op_copy_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_op *child, tn_op **out, tarn_error *err) TN_MUST_USE;
/* The collecting sink at the root of a run (pipeline.c). */
int tn_op_collect_new(tn_exec_ctx *ctx, tn_op *child, tn_op **out, tarn_error *err) TN_MUST_USE;
void tn_op_collect_take(tn_op *collect, tn_batch ***out, size_t *n);

#endif
