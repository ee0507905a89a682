/*
 * hash_join.c — the hash join operator: every join kind with at least one
 * equality key.
 *
 * Roles (operator.h): the sink of the build pipeline (the plan's right
 * child, children[1]); a transform of the probe pipeline (the left child,
 * children[0]); for RIGHT and FULL joins also the source of a last
 * pipeline that emits the build rows no probe row matched.
 *
 *   build:    sink tasks keep references to their batches (local chunks,
 *             memory reserved per batch) -> combine moves them to the
 *             global list -> finalize concatenates them into one array per
 *             column, evaluates the build keys and builds the table
 *             (join_table.c) in parallel.
 *   probe:    per batch: evaluate the probe keys, hash them, walk the chains
 *             in rounds (join_table.c), then join.c turns the pairs into
 *             output for the join kind, batch_rows rows at a time (*again
 *             asks the driver for another call with the same input).
 *   unmatched build rows: tn_join_unmatched_* (join.c).
 *
 * Memory: build batches are reserved as they arrive (tn_exec_reserve), the
 * table at finalize. A refused reservation is TARN_EMEMLIMIT naming the
 * operator; spilling (grace hash join: partition both sides by the high
 * hash bits to files under ctx->spill_dir and join partition by
 * partition) is designed in docs/internals/sql-join.md but not built yet.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/join.h"
#include "sql/exec/join_table.h"

typedef struct hash_join {
    tn_op base;
    tn_join_shape shape;
    const tn_plan *plan;
    tn_join_chunks chunks; /* combined build batches until finalize */
    tn_join_rows rows;     /* the build side */
    tn_join_table table;
    int64_t reserved;      /* bytes reserved from the budget */
    bool finalized;
    tn_type **key_types;   /* [nkeys] the type both sides of key k are cast to, or NULL:
                            * the binder gives both sides one type; this only guards */
} hash_join;

typedef struct probe_local {
    tn_join_probe probe;
    tn_join_cursor cursor;
} probe_local;

static const tn_op_vtable hash_join_vt;

static void free_key_types(tn_type **types, int32_t n)
{
    if (!types)
        return;
    for (int32_t k = 0; k < n; k++)
        tn_type_unref(types[k]);
    tn_free(types);
}

/* ---- build (sink) ---------------------------------------------------------- */

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
    hash_join *hj = (hash_join *)op;
    if (in->length == 0)
        return TARN_OK;
    int rc = tn_join_chunks_add(op, local, in, err);
    if (rc == TARN_OK)
        __atomic_fetch_add(&hj->reserved, tn_join_batch_bytes(in), __ATOMIC_RELAXED);
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
    hash_join *hj = (hash_join *)op;
    int rc = tn_join_chunks_move(&hj->chunks, local, err);
    sink_local_free(op, local);
    return rc;
}

/* Key k of one side over b, cast to the common type when the sides differ. */
static int eval_key(hash_join *hj, const tn_expr *e, int32_t k, tn_batch *b, tn_array **out, tarn_error *err)
{
    tn_array *a = NULL;
    TN_TRY(tn_join_eval(hj->base.ctx, e, b, &a, err));
    tn_type *t = hj->key_types[k];
    if (!t || tn_type_equals(a->type, t)) {
        *out = a;
        return TARN_OK;
    }
    int rc = tn_cast(a, tn_type_ref(t), TN_CAST_STRICT, out, err);
    tn_array_unref(a);
    return rc;
}

/* The build keys over the concatenated build rows. */
static int build_keys(hash_join *hj, tn_array **keys, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    tn_batch *b = tn_batch_new(hj->shape.right, hj->rows.n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    for (int32_t c = 0; c < hj->rows.ncols; c++)
        b->columns[c] = tn_array_ref(hj->rows.cols[c]);
    int rc = TARN_OK;
    for (int32_t k = 0; k < p->nkeys && rc == TARN_OK; k++)
        rc = eval_key(hj, p->right_keys[k], k, b, &keys[k], err);
    tn_batch_unref(b);
    return rc;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_rows_build(&hj->rows, hj->shape.right, &hj->chunks, tn_join_emits_build(hj->shape.kind), err));
    tn_join_chunks_reset(&hj->chunks); /* the rows hold what they need */
    tn_array **keys = tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = build_keys(hj, keys, err);
    if (rc == TARN_OK)
        rc = tn_join_table_build(&hj->table, keys, p->nkeys, p->null_equal, hj->rows.n, err);
    for (int32_t k = 0; k < p->nkeys; k++)
        tn_array_unref(keys[k]);
    tn_free(keys);
    if (rc == TARN_OK && !tn_exec_reserve(op, hj->table.bytes)) {
        rc = tn_error_set(err, TARN_EMEMLIMIT, "%s: the hash table of %lld build rows does not fit the memory limit",
                          op->vt->name, (long long)hj->rows.n);
        tn_join_table_reset(&hj->table);
    }
    if (rc == TARN_OK) {
        hj->reserved += hj->table.bytes;
        hj->finalized = true;
    }
    return rc;
}

/* ---- probe (transform) ------------------------------------------------------- */

static int local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    probe_local *l = tn_calloc(1, sizeof *l);
    TN_TRY_ALLOC(l, err, sizeof *l);
    tn_join_probe_init(&l->probe);
    tn_join_cursor_init(&l->cursor);
    *local = l;
    return TARN_OK;
}

static void local_free(tn_op *op, void *local)
{
    (void)op;
    probe_local *l = local;
    if (!l)
        return;
    tn_join_probe_reset(&l->probe);
    tn_join_cursor_reset(&l->cursor);
    tn_free(l);
}

/* MARK: a probe row without a match is NULL rather than false when its key
 * is NULL, or when the build side has a row with a NULL key (x IN (..,
 * NULL) is NULL unless x matches). Neither applies to an empty build. */
static void mark_nulls(hash_join *hj, probe_local *l)
{
    if (hj->rows.n == 0)
        return;
    bool build_null = hj->table.null_rows > 0;
    for (int64_t i = 0; i < l->probe.n; i++)
        l->probe.mark_null[i] = build_null || l->cursor.key_null[i];
}

static int start_batch(hash_join *hj, probe_local *l, tn_batch *in, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_probe_start(&l->probe, &hj->shape, in, err));
    tn_array *stack[16];
    tn_array **keys = p->nkeys <= 16 ? stack : tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = TARN_OK;
    int32_t made = 0;
    for (; made < p->nkeys && rc == TARN_OK; made++)
        rc = eval_key(hj, p->left_keys[made], made, in, &keys[made], err);
    if (rc == TARN_OK)
        rc = tn_join_cursor_start(&l->cursor, &hj->table, keys, in->length, l->probe.cap, err);
    else
        for (int32_t k = 0; k < made - 1; k++)
            tn_array_unref(keys[k]);
    if (keys != stack)
        tn_free(keys);
    if (rc == TARN_OK && hj->shape.kind == TN_JOIN_MARK)
        mark_nulls(hj, l);
    return rc;
}

/* Fill the pending pairs from the chains; without a residual condition the
 * kinds that do not emit pairs record their matches right away. */
static int collect_pairs(hash_join *hj, probe_local *l, bool *done, tarn_error *err)
{
    tn_join_probe *p = &l->probe;
    tn_join_kind kind = hj->shape.kind;
    bool direct = !hj->shape.condition && !tn_join_emits_pairs(kind);
    const uint8_t *skip = tn_join_stops_at_first(kind) ? p->found : NULL;
    *done = false;
    while (!*done && p->npairs < p->cap) {
        int64_t got = 0;
        tn_join_cursor_step(&l->cursor, &hj->table, p->cap - p->npairs, skip, p->pl + p->npairs, p->pr + p->npairs,
                            &got, done);
        if (direct) {
            for (int64_t k = 0; k < got; k++)
                TN_TRY(tn_join_probe_found(p, &hj->shape, p->pl[p->npairs + k], err));
        } else {
            p->npairs += got;
        }
    }
    return TARN_OK;
}

static int transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = local;
    tn_join_probe *p = &l->probe;
    *out = NULL;
    *again = false;
    int rc = TARN_OK;
    if (p->phase == TN_JP_IDLE)
        rc = start_batch(hj, l, in, err);
    while (rc == TARN_OK && p->phase == TN_JP_MATCH && !*out) {
        bool done = false;
        rc = collect_pairs(hj, l, &done, err);
        if (rc == TARN_OK)
            rc = tn_join_probe_flush(p, &hj->shape, op->ctx, &hj->rows, out, err);
        if (done)
            p->phase = TN_JP_TAIL;
    }
    if (rc == TARN_OK && p->phase == TN_JP_TAIL && !*out) {
        bool more = false;
        rc = tn_join_probe_tail(p, &hj->shape, &hj->rows, out, &more, err);
        if (!more)
            p->phase = TN_JP_IDLE;
    }
    if (rc) {
        tn_join_probe_abort(p);
        return rc;
    }
    *again = p->phase != TN_JP_IDLE;
    return TARN_OK;
}

/* ---- unmatched build rows (source) ---------------------------------------------- */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    hash_join *hj = (hash_join *)op;
    *n = tn_join_unmatched_partitions(&hj->shape, &hj->rows);
    return TARN_OK;
}

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    int rc = tn_join_unmatched_next(&hj->shape, &hj->rows, part, state, out, err);
    return rc;
}

static void source_done(tn_op *op, void *state)
{
    (void)op;
    (void)state;
}

/* ---- EXPLAIN and lifetime ----------------------------------------------------------- */

static const char *kind_name(tn_join_kind k)
{
    static const char *names[] = {"inner", "left", "right", "full", "cross", "semi", "anti", "mark", "single"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

static int explain_expr(const tn_expr *e, int32_t base, tn_buf *out, tarn_error *err)
{
    if (e->kind == TN_EXPR_COLUMN)
        return tn_buf_printf(out, err, "#%d", e->index + base);
    return tn_buf_printf(out, err, "%s", e->text ? e->text : "?");
}

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_buf_printf(out, err, "type: %s, keys: ", kind_name(hj->shape.kind)));
    for (int32_t k = 0; k < p->nkeys; k++) {
        TN_TRY(tn_buf_printf(out, err, "%s", k ? ", " : ""));
        TN_TRY(explain_expr(p->left_keys[k], 0, out, err));
        TN_TRY(tn_buf_printf(out, err, " %s ", p->null_equal && p->null_equal[k] ? "IS NOT DISTINCT FROM" : "="));
        TN_TRY(explain_expr(p->right_keys[k], hj->shape.nleft, out, err));
    }
    if (p->condition)
        TN_TRY(tn_buf_printf(out, err, ", condition: %s", p->condition->text ? p->condition->text : "?"));
    return TARN_OK;
}

static void destroy(tn_op *op)
{
    hash_join *hj = (hash_join *)op;
    tn_join_chunks_reset(&hj->chunks);
    tn_join_rows_reset(&hj->rows);
    tn_join_table_reset(&hj->table);
    if (hj->reserved)
        tn_exec_release(op, hj->reserved);
    tn_join_shape_reset(&hj->shape);
    free_key_types(hj->key_types, hj->plan->nkeys);
    tn_free(hj);
}

static const tn_op_vtable hash_join_vt = {
    .name = "HASH_JOIN",
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

/* The binder gives both sides of a key one type; should they differ
 * anyway, both are cast to their common type (text and binary layouts
 * need no cast: they compare by bytes). */
static int key_types(const tn_plan *join, tn_type ***out, tarn_error *err)
{
    if (join->nkeys <= 0)
        return tn_error_set(err, TARN_EINTERNAL, "hash join without equality keys (a nested-loop join is needed)");
    tn_type **types = tn_calloc((size_t)join->nkeys, sizeof *types);
    TN_TRY_ALLOC(types, err, (size_t)join->nkeys * sizeof *types);
    for (int32_t k = 0; k < join->nkeys; k++) {
        const tn_type *a = join->left_keys[k]->type, *b = join->right_keys[k]->type;
        bool bytes = (tn_type_is_string(a->id) || tn_type_is_binary(a->id)) &&
                     (tn_type_is_string(b->id) || tn_type_is_binary(b->id));
        if (bytes || tn_type_equals(a, b))
            continue;
        int rc = tn_common_type(a, b, &types[k], err);
        if (rc) {
            free_key_types(types, join->nkeys);
            return tn_error_prefix(err, "hash join key %d (%s = %s): ", k,
                                   join->left_keys[k]->text ? join->left_keys[k]->text : "?",
                                   join->right_keys[k]->text ? join->right_keys[k]->text : "?");
        }
    }
    *out = types;
    return TARN_OK;
}

int tn_op_hash_join_new(tn_exec_ctx *ctx, const tn_plan *join, tn_op *build, tn_op *probe, tn_op **out,
                        tarn_error *err)
{
    tn_type **types = NULL;
    TN_TRY(key_types(join, &types, err));
    hash_join *hj = tn_calloc(1, sizeof *hj);
    if (!hj) {
        free_key_types(types, join->nkeys);
        return tn_error_oom(err, sizeof *hj);
    }
    hj->key_types = types;
    int rc = tn_join_shape_init(&hj->shape, ctx, join, err);
    if (rc) {
        free_key_types(types, join->nkeys);
        tn_free(hj);
        return rc;
    }
    hj->base.children = tn_calloc(2, sizeof *hj->base.children);
    if (!hj->base.children) {
        tn_join_shape_reset(&hj->shape);
        free_key_types(types, join->nkeys);
        tn_free(hj);
        return tn_error_oom(err, 2 * sizeof(tn_op *));
    }
    hj->base.vt = &hash_join_vt;
    hj->base.ctx = ctx;
    hj->base.out = tn_schema_ref(join->out);
    hj->base.children[0] = probe;
    hj->base.children[1] = build;
    hj->base.nchildren = 2;
    hj->base.plan = join;
    hj->plan = join;
    *out = &hj->base;
    return TARN_OK;
}
