/*
 * join.h — what the hash join and the nested-loop join share (private to
 * sql/exec/): the materialized build side, the probe-side state machine
 * that turns candidate (probe row, build row) pairs into output batches
 * for every join kind, and the emission of unmatched build rows.
 *
 * The two operators differ only in how they find candidate pairs (hash
 * chains vs. the cross product); everything after that is here:
 *
 *   candidates --(residual condition)--> matches --+--> pair batches (INNER, LEFT, RIGHT, FULL, SINGLE)
 *                                                  +--> found[] per probe row --> tail batch
 *                                                  |      (LEFT/FULL/SINGLE unmatched, SEMI, ANTI, MARK)
 *                                                  +--> matched[] per build row --> source (RIGHT, FULL)
 */
#ifndef TN_SQL_EXEC_JOIN_H
#define TN_SQL_EXEC_JOIN_H

#include "sql/exec/operator.h"

#define TN_JOIN_DEFAULT_BATCH 2048

/* The build side once every task combined: one array per column. */
typedef struct tn_join_rows {
    int32_t ncols;
    tn_array **cols;  /* [ncols], each of n rows */
    int64_t n;
    uint8_t *matched; /* [n] RIGHT/FULL: set (atomically) when a build row matched */
} tn_join_rows;

/* Batches a sink task collected (references), with their total size. */
typedef struct tn_join_chunks {
    tn_batch **batches;
    size_t n, cap;
    int64_t rows;
    int64_t bytes;
} tn_join_chunks;

/* The shape of a join, fixed at construction. */
typedef struct tn_join_shape {
    tn_join_kind kind;
    int32_t nleft, nright;   /* columns of the probe (left) and build (right) side */
    tn_schema *left, *right; /* the sides' schemas (references) */
    tn_schema *pair;         /* left ++ right, for the residual condition */
    tn_schema *out;          /* the join's output (reference) */
    const tn_expr *condition; /* residual condition over left ++ right, or NULL */
    bool *cond_cols;         /* [nleft + nright] the columns the condition reads */
    int64_t batch_rows;      /* output batch bound */
    bool matches_only;       /* the probe only records matched[] per build row and
                              * emits nothing (a SEMI/ANTI join built on its left
                              * side: the build rows are the output) */
} tn_join_shape;

/* Probe-side state of one task, reused across probe batches. */
typedef enum { TN_JP_IDLE, TN_JP_MATCH, TN_JP_TAIL } tn_join_phase;

typedef struct tn_join_probe {
    tn_join_phase phase;
    tn_batch *in;       /* the probe batch being joined (borrowed from the driver) */
    int64_t n, room;    /* rows of in; allocated room of the per-row arrays */
    uint8_t *found;     /* [n] matches seen for each probe row (saturates at 2) */
    uint8_t *mark_null; /* [n] MARK: no match may still be NULL */
    int32_t *pl, *pr;   /* candidate pairs: probe row, build row */
    int64_t npairs, cap;
    int32_t *sel;       /* [cap] scratch for the residual condition */
    int32_t *kl, *kr;   /* [cap] the pairs the condition kept */
    tn_batch *tail;     /* the tail rows not emitted yet */
    int64_t tail_pos;   /* rows of tail already emitted */
    bool tail_built;
} tn_join_probe;

/* ---- shape -------------------------------------------------------------- */

int tn_join_shape_init(tn_join_shape *s, tn_exec_ctx *ctx, const tn_plan *join, tarn_error *err) TN_MUST_USE;
/* The shape of a SEMI/ANTI join run the other way round: its right side
 * probes, its left side builds; `condition` is the residual condition
 * over right ++ left (or NULL). Output: the left side's columns. */
int tn_join_shape_init_swapped(tn_join_shape *s, tn_exec_ctx *ctx, const tn_plan *join, const tn_expr *condition,
                               tarn_error *err) TN_MUST_USE;
void tn_join_shape_reset(tn_join_shape *s);

/* Whether matched pairs are output as left ++ right rows. */
bool tn_join_emits_pairs(tn_join_kind k);
/* Whether a probe row can stop looking once it has one match. */
bool tn_join_stops_at_first(tn_join_kind k);
/* Whether unmatched build rows are emitted (RIGHT, FULL). */
bool tn_join_emits_build(tn_join_kind k);

/* ---- the build side ------------------------------------------------------ */

/* The bytes a batch's buffers hold (an estimate for reservations). */
int64_t tn_join_batch_bytes(const tn_batch *b);
/* Keep a reference to b in c, reserving its memory from op's budget. */
int tn_join_chunks_add(tn_op *op, tn_join_chunks *c, tn_batch *b, tarn_error *err) TN_MUST_USE;
/* Move every batch of src to the end of dst. */
int tn_join_chunks_move(tn_join_chunks *dst, tn_join_chunks *src, tarn_error *err) TN_MUST_USE;
void tn_join_chunks_reset(tn_join_chunks *c);

/* Concatenate the collected batches into rows (one array per column of
 * schema). */
int tn_join_rows_build(tn_join_rows *r, const tn_schema *schema, tn_join_chunks *c, bool track_matched,
                       tarn_error *err) TN_MUST_USE;
void tn_join_rows_reset(tn_join_rows *r);

/* The value of a key expression on b: a plain column is shared, anything
 * else evaluated. */
int tn_join_eval(tn_exec_ctx *ctx, const tn_expr *e, tn_batch *b, tn_array **out, tarn_error *err) TN_MUST_USE;

/* ---- the probe side ------------------------------------------------------- */

void tn_join_probe_init(tn_join_probe *p);
void tn_join_probe_reset(tn_join_probe *p);
/* Start joining probe batch in: size the per-row arrays, clear found. */
int tn_join_probe_start(tn_join_probe *p, const tn_join_shape *s, tn_batch *in, tarn_error *err) TN_MUST_USE;
/* Apply the residual condition to the pending pairs, record matches
 * (found, matched) and, for kinds that emit pairs, produce their rows in
 * *out (NULL when none survive). Clears the pending pairs. */
int tn_join_probe_flush(tn_join_probe *p, const tn_join_shape *s, tn_exec_ctx *ctx, tn_join_rows *rows,
                        tn_batch **out, tarn_error *err) TN_MUST_USE;
/* Record a match of probe row i found without a residual condition
 * (SEMI/ANTI/MARK/SINGLE fast path); fails for SINGLE's second match. */
int tn_join_probe_found(tn_join_probe *p, const tn_join_shape *s, int32_t i, tarn_error *err) TN_MUST_USE;
/* After every pair: the rows a kind emits per probe row (LEFT/FULL/SINGLE
 * unmatched rows, SEMI, ANTI, MARK), at most batch_rows per call, in *out
 * (NULL when none); *more when another call has more. */
int tn_join_probe_tail(tn_join_probe *p, const tn_join_shape *s, const tn_join_rows *rows, tn_batch **out,
                       bool *more, tarn_error *err) TN_MUST_USE;
/* Forget the probe batch in progress (after an error). */
void tn_join_probe_abort(tn_join_probe *p);

/* How a join finds candidate pairs: `start` takes a new probe batch (and
 * moves the probe to TN_JP_MATCH), `collect` gathers the next block of
 * pairs into the probe's pending pairs and sets *done after the last. The
 * operator's task-local state begins with its tn_join_probe. */
typedef struct tn_join_finder {
    int (*start)(tn_op *op, void *local, tn_batch *in, tarn_error *err);
    int (*collect)(tn_op *op, void *local, bool *done, tarn_error *err);
} tn_join_finder;

/* The transform role (operator.h) of both joins: start a probe batch,
 * turn blocks of candidate pairs into output batches (checking
 * cancellation between blocks), then emit the tail rows; *again while the
 * same input has more output. */
int tn_join_transform(tn_op *op, const tn_join_finder *f, const tn_join_shape *s, tn_join_rows *rows, void *local,
                      tn_batch *in, tn_batch **out, bool *again, tarn_error *err) TN_MUST_USE;

/* ---- unmatched build rows (RIGHT, FULL) ----------------------------------- */

int64_t tn_join_unmatched_partitions(const tn_join_shape *s, const tn_join_rows *rows);
int tn_join_unmatched_next(const tn_join_shape *s, const tn_join_rows *rows, int64_t part, void **state,
                           tn_batch **out, tarn_error *err) TN_MUST_USE;
/* Swapped SEMI/ANTI (matches_only): the build rows whose matched flag is
 * `want` (SEMI: 1, ANTI: 0), in batches of batch_rows build rows. */
int64_t tn_join_build_partitions(const tn_join_shape *s, const tn_join_rows *rows);
int tn_join_build_next(const tn_join_shape *s, const tn_join_rows *rows, bool want, int64_t part, void **state,
                       tn_batch **out, tarn_error *err) TN_MUST_USE;

/* Whether a hash join builds on its plan's left side (a SEMI/ANTI join
 * whose right side is estimated much larger): its sink then takes the
 * left rows and its transform the right rows. */
bool tn_hash_join_builds_left(const tn_op *op);

/* The build side of a join must fit 2^31 rows (row numbers are int32). */
#define TN_JOIN_MAX_BUILD_ROWS INT32_MAX

#endif
