/*
 * nested_loop_join.c — joins without equality keys: CROSS joins and
 * inequality or range conditions (t1.a < t2.b, BETWEEN, arbitrary
 * predicates), in every kind the hash join has.
 *
 * The right side is sunk and concatenated (as the hash join's build side);
 * each left batch is streamed through `transform`, which walks its cross
 * product with the right rows in blocks of batch_rows pairs: a block is
 * gathered into one batch (left ++ right) and the condition evaluated on
 * it once (join.c), so the per-pair work is vectorized. SEMI/ANTI/MARK
 * skip the rest of a left row's pairs once it matched. Keys, when the plan
 * has some, are checked on each block before the condition.
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/join.h"
#include "sql/exec/join_table.h"

typedef struct nl_join {
    tn_op base;
    tn_join_shape shape;
    const tn_plan *plan;
    tn_join_chunks chunks;
    tn_join_rows rows;
    tn_array **right_keys; /* [plan->nkeys] over rows */
    int64_t reserved;
} nl_join;

typedef struct nl_local {
    tn_join_probe probe;
    int64_t i, j;          /* next pair: left row i, right row j */
    tn_array **left_keys;  /* [plan->nkeys] over the current left batch */
} nl_local;

/* ---- right side (sink) ----------------------------------------------------------- */

static int sink_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    tn_join_chunks *c = tn_calloc(1, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    *local = c;
    return TARN_OK;
}

static int sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    if (in->length == 0)
        return TARN_OK;
    int rc = tn_join_chunks_add(op, local, in, err);
    if (rc == TARN_OK)
        __atomic_fetch_add(&j->reserved, tn_join_batch_bytes(in), __ATOMIC_RELAXED);
    return rc;
}

static void sink_local_free(tn_op *op, void *local)
{
    (void)op;
    tn_join_chunks *c = local;
    if (!c)
        return;
    tn_join_chunks_reset(c);
    tn_free(c);
}

static int sink_combine(tn_op *op, void *local, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    int rc = tn_join_chunks_move(&j->chunks, local, err);
    sink_local_free(op, local);
    return rc;
}

static void free_keys(tn_array **keys, int32_t n)
{
    if (!keys)
        return;
    for (int32_t k = 0; k < n; k++)
        tn_array_unref(keys[k]);
    tn_free(keys);
}

/* The values of exprs over batch b (an array each). */
static int eval_keys(tn_exec_ctx *ctx, tn_expr **exprs, int32_t n, tn_batch *b, tn_array ***out, tarn_error *err)
{
    tn_array **keys = tn_calloc((size_t)n, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)n * sizeof *keys);
    for (int32_t k = 0; k < n; k++) {
        int rc = tn_join_eval(ctx, exprs[k], b, &keys[k], err);
        if (rc) {
            free_keys(keys, n);
            return rc;
        }
    }
    *out = keys;
    return TARN_OK;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    TN_TRY(tn_join_rows_build(&j->rows, j->shape.right, &j->chunks, tn_join_emits_build(j->shape.kind), err));
    tn_join_chunks_reset(&j->chunks);
    if (j->plan->nkeys == 0)
        return TARN_OK;
    tn_batch *b = tn_batch_new(j->shape.right, j->rows.n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < j->rows.ncols; c++)
        b->columns[c] = tn_array_ref(j->rows.cols[c]);
    int rc = eval_keys(op->ctx, j->plan->right_keys, j->plan->nkeys, b, &j->right_keys, err);
    tn_batch_unref(b);
    return rc;
}

/* ---- left side (transform) --------------------------------------------------------- */

static int local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    nl_local *l = tn_calloc(1, sizeof *l);
    TN_TRY_ALLOC(l, err, sizeof *l);
    tn_join_probe_init(&l->probe);
    *local = l;
    return TARN_OK;
}

static void local_free(tn_op *op, void *local)
{
    nl_local *l = local;
    if (!l)
        return;
    tn_join_probe_reset(&l->probe);
    free_keys(l->left_keys, ((nl_join *)op)->plan->nkeys);
    tn_free(l);
}

static int start_batch(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    nl_local *l = local;
    TN_TRY(tn_join_probe_start(&l->probe, &j->shape, in, err));
    l->i = l->j = 0;
    free_keys(l->left_keys, j->plan->nkeys);
    l->left_keys = NULL;
    if (j->plan->nkeys)
        TN_TRY(eval_keys(j->base.ctx, j->plan->left_keys, j->plan->nkeys, in, &l->left_keys, err));
    return TARN_OK;
}

/* Keep the pending pairs from `from` on whose keys are equal. */
static void filter_keys(nl_join *j, nl_local *l, int64_t from)
{
    tn_join_probe *p = &l->probe;
    int64_t m = p->npairs - from;
    for (int32_t k = 0; k < j->plan->nkeys && m > 0; k++)
        m = tn_join_keep_equal(l->left_keys[k], j->right_keys[k], j->plan->null_equal && j->plan->null_equal[k],
                               p->pl + from, p->pr + from, m);
    p->npairs = from + m;
}

/* Fill the pending pairs with the next block of the cross product. */
static int collect_pairs(tn_op *op, void *local, bool *done, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    nl_local *l = local;
    tn_join_probe *p = &l->probe;
    tn_join_kind kind = j->shape.kind;
    bool first_only = tn_join_stops_at_first(kind);
    bool direct = !j->shape.condition && !tn_join_emits_pairs(kind);
    int64_t nr = j->rows.n;
    *done = false;
    while (p->npairs < p->cap) {
        if (l->i >= p->n || nr == 0) {
            *done = true;
            break;
        }
        if (first_only && p->found[l->i]) {
            l->i++;
            l->j = 0;
            continue;
        }
        int64_t take = nr - l->j, from = p->npairs;
        if (take > p->cap - p->npairs)
            take = p->cap - p->npairs;
        for (int64_t t = 0; t < take; t++) {
            p->pl[from + t] = (int32_t)l->i;
            p->pr[from + t] = (int32_t)(l->j + t);
        }
        p->npairs += take;
        l->j += take;
        if (j->plan->nkeys)
            filter_keys(j, l, from);
        if (direct) {
            if (p->npairs > from)
                TN_TRY(tn_join_probe_found(p, &j->shape, (int32_t)l->i, err));
            p->npairs = from;
        }
        if (l->j >= nr) {
            l->i++;
            l->j = 0;
        }
    }
    return TARN_OK;
}

static const tn_join_finder finder = {start_batch, collect_pairs};

static int transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    return tn_join_transform(op, &finder, &j->shape, &j->rows, local, in, out, again, err);
}

/* ---- unmatched right rows (source) --------------------------------------------------- */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    nl_join *j = (nl_join *)op;
    *n = tn_join_unmatched_partitions(&j->shape, &j->rows);
    return TARN_OK;
}

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    nl_join *j = (nl_join *)op;
    int rc = tn_join_unmatched_next(&j->shape, &j->rows, part, state, out, err);
    return rc;
}

static void source_done(tn_op *op, void *state)
{
    (void)op;
    (void)state;
}

/* ---- EXPLAIN and lifetime ------------------------------------------------------------- */

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    static const char *names[] = {"inner", "left", "right", "full", "cross", "semi", "anti", "mark", "single"};
    nl_join *j = (nl_join *)op;
    unsigned k = (unsigned)j->shape.kind;
    TN_TRY(tn_buf_printf(out, err, "type: %s", k < sizeof names / sizeof *names ? names[k] : "?"));
    const tn_expr *c = j->plan->condition;
    if (c && c->text)
        TN_TRY(tn_buf_printf(out, err, ", condition: %s", c->text));
    else if (c) {
        TN_TRY(tn_buf_printf(out, err, ", condition: "));
        TN_TRY(tn_expr_format(c, out, err));
    }
    return TARN_OK;
}

static void destroy(tn_op *op)
{
    nl_join *j = (nl_join *)op;
    tn_join_chunks_reset(&j->chunks);
    tn_join_rows_reset(&j->rows);
    free_keys(j->right_keys, j->plan->nkeys);
    if (j->reserved)
        tn_exec_release(op, j->reserved);
    tn_join_shape_reset(&j->shape);
    tn_free(j);
}

static const tn_op_vtable nl_join_vt = {
    .name = "NESTED_LOOP_JOIN",
    .source_partitions = source_partitions,
    .source_next = source_next,
    .source_done = source_done,
    .local_init = local_init,
    .local_free = local_free,
    .transform = transform,
    .sink_local_init = sink_local_init,
    .sink = sink,
    .sink_combine = sink_combine,
    .sink_local_free = sink_local_free,
    .sink_finalize = sink_finalize,
    .explain = explain,
    .destroy = destroy,
};

int tn_op_nested_loop_join_new(tn_exec_ctx *ctx, const tn_plan *join, tn_op *left, tn_op *right, tn_op **out,
                               tarn_error *err)
{
    nl_join *j = tn_calloc(1, sizeof *j);
    TN_TRY_ALLOC(j, err, sizeof *j);
    int rc = tn_join_shape_init(&j->shape, ctx, join, err);
    if (rc) {
        tn_free(j);
        return rc;
    }
    j->base.children = tn_calloc(2, sizeof *j->base.children);
    if (!j->base.children) {
        tn_join_shape_reset(&j->shape);
        tn_free(j);
        return tn_error_oom(err, 2 * sizeof(tn_op *));
    }
    j->base.vt = &nl_join_vt;
    j->base.ctx = ctx;
    j->base.out = tn_schema_ref(join->out);
    j->base.children[0] = left;
    j->base.children[1] = right;
    j->base.nchildren = 2;
    j->base.plan = join;
    j->plan = join;
    *out = &j->base;
    return TARN_OK;
}
