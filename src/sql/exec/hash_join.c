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
#include "sql/exec/join_filter.h"
#include "sql/exec/join_table.h"
#include "sql/binder/expr_util.h"

typedef struct hash_join {
    tn_op base;
    tn_join_shape shape;
    const tn_plan *plan;
    tn_join_chunks chunks; /* combined build batches until finalize */
    tn_join_rows rows;     /* the build side */
    tn_join_table table;
    int64_t reserved;      /* bytes reserved from the budget */
    bool finalized;
    /* MARK joins with correlation keys (null_equal) besides `=` keys: the
     * build rows by correlation group, all of them and those with a NULL
     * `=` key, to give IN its NULL per group */
    bool grouped_mark;
    int32_t *corr;         /* indexes of the correlation keys */
    int32_t ncorr;
    bool *corr_equal;      /* [ncorr] all true */
    tn_join_table groups, null_groups;
    tn_type **key_types;   /* [nkeys] the type both sides of key k are cast to, or NULL:
                            * the binder gives both sides one type; this only guards */
    /* A SEMI/ANTI join whose left side is much smaller than its right runs
     * the other way round: the left rows build, the right rows probe and
     * only mark the build rows they match, and the source role emits the
     * build rows matched (SEMI) or not (ANTI). */
    bool swapped;
    tn_expr **bkeys, **pkeys; /* [nkeys] key expressions over the build / probe side */
    tn_plan_ctx pc;        /* swapped: the residual condition over right ++ left */
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

/* ---- MARK joins with correlation keys ------------------------------------------
 * A decorrelated `x IN (SELECT y FROM t WHERE t.c = outer.c)` is a MARK
 * join on x = y and c IS NOT DISTINCT FROM c. Without a match, its mark is
 * NULL when x is NULL and the group of c is not empty, or when the group
 * holds a NULL y; else false. Two tables over the correlation keys answer
 * "is the group non-empty" and "does the group hold a NULL `=` key". */

static bool is_grouped_mark(const tn_plan *p)
{
    int32_t corr = 0;
    for (int32_t k = 0; k < p->nkeys; k++)
        corr += p->null_equal && p->null_equal[k];
    return p->join == TN_JOIN_MARK && corr > 0 && corr < p->nkeys;
}

/* The correlation keys of keys (references), optionally only at rows sel. */
static int corr_keys(hash_join *hj, tn_array **keys, const tn_selection *sel, tn_array **out, tarn_error *err)
{
    for (int32_t c = 0; c < hj->ncorr; c++) {
        tn_array *k = keys[hj->corr[c]];
        int rc = sel ? tn_filter_sel(k, sel, &out[c], err) : ((out[c] = tn_array_ref(k)), TARN_OK);
        if (rc) {
            for (int32_t d = 0; d < c; d++)
                tn_array_unref(out[d]);
            return rc;
        }
    }
    return TARN_OK;
}

static int build_groups(hash_join *hj, tn_array **keys, tarn_error *err)
{
    const tn_plan *p = hj->plan;
    hj->corr = tn_calloc((size_t)p->nkeys, sizeof *hj->corr);
    hj->corr_equal = tn_calloc((size_t)p->nkeys, sizeof *hj->corr_equal);
    int32_t *nulls = tn_malloc((size_t)(hj->rows.n ? hj->rows.n : 1) * 4);
    tn_array **ck = tn_calloc((size_t)p->nkeys, sizeof *ck);
    int rc = TARN_OK;
    if (!hj->corr || !hj->corr_equal || !nulls || !ck) {
        rc = tn_error_oom(err, (size_t)hj->rows.n * 4);
        goto done;
    }
    for (int32_t k = 0; k < p->nkeys; k++)
        if (p->null_equal[k])
            hj->corr_equal[hj->ncorr] = true, hj->corr[hj->ncorr++] = k;
    int64_t nn = 0;
    for (int64_t r = 0; r < hj->rows.n; r++) {
        bool null_key = false;
        for (int32_t k = 0; k < p->nkeys; k++)
            null_key |= !p->null_equal[k] && !tn_array_is_valid(keys[k], r);
        nulls[nn] = (int32_t)r;
        nn += null_key;
    }
    rc = corr_keys(hj, keys, NULL, ck, err);
    if (rc)
        goto done;
    rc = tn_join_table_build(&hj->groups, ck, hj->ncorr, hj->corr_equal, hj->rows.n, err);
    for (int32_t c = 0; c < hj->ncorr; c++)
        tn_array_unref(ck[c]);
    if (rc)
        goto done;
    tn_selection sel = {nulls, nn};
    rc = corr_keys(hj, keys, &sel, ck, err);
    if (rc)
        goto done;
    rc = tn_join_table_build(&hj->null_groups, ck, hj->ncorr, hj->corr_equal, nn, err);
    for (int32_t c = 0; c < hj->ncorr; c++)
        tn_array_unref(ck[c]);
done:
    tn_free(nulls);
    tn_free(ck);
    return rc;
}

/* in[i] = whether probe row i's correlation keys (references, consumed)
 * have a row in table t. */
static int probe_groups(const tn_join_table *t, tn_array **ck, int64_t n, uint8_t *in, tarn_error *err)
{
    enum { ROOM = 1024 };
    memset(in, 0, (size_t)n);
    tn_join_cursor c;
    tn_join_cursor_init(&c);
    int32_t *pl = tn_malloc(ROOM * 4), *pr = tn_malloc(ROOM * 4);
    int rc = pl && pr ? tn_join_cursor_start(&c, t, ck, n, ROOM, err) : tn_error_oom(err, ROOM * 4);
    if (!pl || !pr)
        for (int32_t k = 0; k < t->nkeys; k++)
            tn_array_unref(ck[k]);
    for (bool done = false; rc == TARN_OK && !done;) {
        int64_t got = 0;
        tn_join_cursor_step(&c, t, ROOM, in, pl, pr, &got, &done);
        for (int64_t k = 0; k < got; k++)
            in[pl[k]] = 1;
    }
    tn_join_cursor_reset(&c);
    tn_free(pl);
    tn_free(pr);
    return rc;
}

static int grouped_mark_nulls(hash_join *hj, probe_local *l, tarn_error *err)
{
    int64_t n = l->probe.n;
    uint8_t *in_group = tn_malloc((size_t)(n ? n : 1));
    TN_TRY_ALLOC(in_group, err, (size_t)n);
    tn_array *ck[64];
    int rc = hj->ncorr <= 64 ? corr_keys(hj, l->cursor.keys, NULL, ck, err)
                             : tn_error_set(err, TARN_EUNSUPPORTED, "more than 64 correlation keys");
    if (rc == TARN_OK)
        rc = probe_groups(&hj->groups, ck, n, in_group, err);
    for (int64_t i = 0; rc == TARN_OK && i < n; i++)
        l->probe.mark_null[i] = l->cursor.key_null[i] && in_group[i];
    if (rc == TARN_OK)
        rc = corr_keys(hj, l->cursor.keys, NULL, ck, err);
    if (rc == TARN_OK)
        rc = probe_groups(&hj->null_groups, ck, n, in_group, err);
    for (int64_t i = 0; rc == TARN_OK && i < n; i++)
        l->probe.mark_null[i] |= !l->cursor.key_null[i] && in_group[i];
    tn_free(in_group);
    return rc;
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
        rc = eval_key(hj, hj->bkeys[k], k, b, &keys[k], err);
    tn_batch_unref(b);
    return rc;
}

static int sink_finalize(tn_op *op, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_rows_build(&hj->rows, hj->shape.right, &hj->chunks,
                              tn_join_emits_build(hj->shape.kind) || hj->swapped, err));
    tn_join_chunks_reset(&hj->chunks); /* the rows hold what they need */
    tn_array **keys = tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = build_keys(hj, keys, err);
    if (rc == TARN_OK)
        rc = tn_join_table_build(&hj->table, keys, p->nkeys, p->null_equal, hj->rows.n, err);
    if (rc == TARN_OK && hj->grouped_mark)
        rc = build_groups(hj, keys, err);
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
static int mark_nulls(hash_join *hj, probe_local *l, tarn_error *err)
{
    if (hj->rows.n == 0)
        return TARN_OK;
    if (hj->grouped_mark)
        return grouped_mark_nulls(hj, l, err);
    bool build_null = hj->table.null_rows > 0;
    for (int64_t i = 0; i < l->probe.n; i++)
        l->probe.mark_null[i] = build_null || l->cursor.key_null[i];
    return TARN_OK;
}

static int start_batch(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = local;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_join_probe_start(&l->probe, &hj->shape, in, err));
    tn_array *stack[16];
    tn_array **keys = p->nkeys <= 16 ? stack : tn_calloc((size_t)p->nkeys, sizeof *keys);
    TN_TRY_ALLOC(keys, err, (size_t)p->nkeys * sizeof *keys);
    int rc = TARN_OK;
    int32_t made = 0;
    for (; made < p->nkeys && rc == TARN_OK; made++)
        rc = eval_key(hj, hj->pkeys[made], made, in, &keys[made], err);
    if (rc == TARN_OK)
        rc = tn_join_cursor_start(&l->cursor, &hj->table, keys, in->length, l->probe.cap, err);
    else
        for (int32_t k = 0; k < made - 1; k++)
            tn_array_unref(keys[k]);
    if (keys != stack)
        tn_free(keys);
    if (rc == TARN_OK && hj->shape.kind == TN_JOIN_MARK)
        rc = mark_nulls(hj, l, err);
    return rc;
}

/* Fill the pending pairs from the chains; without a residual condition the
 * kinds that do not emit pairs record their matches right away. */
static int collect_pairs(tn_op *op, void *local, bool *done, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    probe_local *l = local;
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

static const tn_join_finder finder = {start_batch, collect_pairs};

static int transform(tn_op *op, void *local, tn_batch *in, tn_batch **out, bool *again, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    return tn_join_transform(op, &finder, &hj->shape, &hj->rows, local, in, out, again, err);
}

/* ---- unmatched build rows (source) ---------------------------------------------- */

static int source_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    hash_join *hj = (hash_join *)op;
    *n = hj->swapped ? tn_join_build_partitions(&hj->shape, &hj->rows)
                     : tn_join_unmatched_partitions(&hj->shape, &hj->rows);
    return TARN_OK;
}

static int source_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    if (hj->swapped)
        return tn_join_build_next(&hj->shape, &hj->rows, hj->plan->join == TN_JOIN_SEMI, part, state, out, err);
    return tn_join_unmatched_next(&hj->shape, &hj->rows, part, state, out, err);
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
    return e->text ? tn_buf_printf(out, err, "%s", e->text) : tn_expr_format(e, out, err);
}

static int explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    TN_TRY(tn_buf_printf(out, err, "type: %s%s, keys: ", kind_name(p->join),
                         hj->swapped ? " (left side builds)" : ""));
    for (int32_t k = 0; k < p->nkeys; k++) {
        TN_TRY(tn_buf_printf(out, err, "%s", k ? ", " : ""));
        TN_TRY(explain_expr(p->left_keys[k], 0, out, err));
        TN_TRY(tn_buf_printf(out, err, " %s ", p->null_equal && p->null_equal[k] ? "IS NOT DISTINCT FROM" : "="));
        TN_TRY(explain_expr(p->right_keys[k], p->children[0]->out->n_fields, out, err));
    }
    if (p->condition) {
        TN_TRY(tn_buf_printf(out, err, ", condition: "));
        TN_TRY(explain_expr(p->condition, 0, out, err));
    }
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
    tn_join_table_reset(&hj->groups);
    tn_join_table_reset(&hj->null_groups);
    tn_free(hj->corr);
    tn_free(hj->corr_equal);
    tn_free(hj->bkeys);
    tn_free(hj->pkeys);
    tn_plan_ctx_free(&hj->pc);
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

/* Estimated rows of a plan (< 0 unknown): a projection has its input's
 * rows (its own estimate may predate filter pushdown), a join keeping
 * only left rows at most its left side's. */
static double plan_rows(const tn_plan *p)
{
    for (int d = 0; p && d < 64; d++) {
        bool left_only = p->kind == TN_PLAN_JOIN &&
                         (p->join == TN_JOIN_SEMI || p->join == TN_JOIN_ANTI || p->join == TN_JOIN_MARK ||
                          p->join == TN_JOIN_SINGLE || p->join == TN_JOIN_LEFT);
        if (p->kind == TN_PLAN_PROJECT || left_only) {
            p = p->children[0];
            continue;
        }
        if (p->est_rows >= 0)
            return p->est_rows;
        if (p->nchildren != 1)
            return -1;
        p = p->children[0];
    }
    return -1;
}

/* Whether a SEMI/ANTI join should build on its left side: the right side
 * is estimated several times larger. */
static bool should_swap(const tn_plan *join)
{
    if (join->join != TN_JOIN_SEMI && join->join != TN_JOIN_ANTI)
        return false;
    double l = plan_rows(join->children[0]), r = plan_rows(join->children[1]);
    return l >= 0 && r >= 0 && l * 4 < r;
}

/* The residual condition over right ++ left (in hj->pc), for a swapped join. */
static int swapped_condition(hash_join *hj, const tn_plan *join, tn_expr **out, tarn_error *err)
{
    *out = NULL;
    if (!join->condition)
        return TARN_OK;
    int32_t nl = join->children[0]->out->n_fields, nr = join->children[1]->out->n_fields;
    int32_t *map = tn_malloc((size_t)(nl + nr) * sizeof *map);
    TN_TRY_ALLOC(map, err, (size_t)(nl + nr) * sizeof *map);
    for (int32_t i = 0; i < nl; i++)
        map[i] = nr + i;
    for (int32_t j = 0; j < nr; j++)
        map[nl + j] = j;
    tn_expr *c = tn_expr_copy(&hj->pc, join->condition);
    if (c)
        tn_expr_remap(c, map);
    tn_free(map);
    if (!c)
        return tn_error_oom(err, sizeof *c);
    *out = c;
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
    tn_plan_ctx_init(&hj->pc);
    hj->key_types = types;
    hj->grouped_mark = is_grouped_mark(join);
    hj->swapped = should_swap(join);
    hj->bkeys = tn_calloc((size_t)join->nkeys, sizeof *hj->bkeys);
    hj->pkeys = tn_calloc((size_t)join->nkeys, sizeof *hj->pkeys);
    int rc = hj->bkeys && hj->pkeys ? TARN_OK : tn_error_oom(err, (size_t)join->nkeys * sizeof(void *));
    for (int32_t k = 0; rc == TARN_OK && k < join->nkeys; k++) {
        hj->bkeys[k] = hj->swapped ? join->left_keys[k] : join->right_keys[k];
        hj->pkeys[k] = hj->swapped ? join->right_keys[k] : join->left_keys[k];
    }
    tn_expr *cond = NULL;
    if (rc == TARN_OK && hj->swapped)
        rc = swapped_condition(hj, join, &cond, err);
    if (rc == TARN_OK)
        rc = hj->swapped ? tn_join_shape_init_swapped(&hj->shape, ctx, join, cond, err)
                         : tn_join_shape_init(&hj->shape, ctx, join, err);
    if (rc) {
        free_key_types(types, join->nkeys);
        tn_free(hj->bkeys);
        tn_free(hj->pkeys);
        tn_plan_ctx_free(&hj->pc);
        tn_free(hj);
        return rc;
    }
    hj->base.children = tn_calloc(2, sizeof *hj->base.children);
    if (!hj->base.children) {
        tn_join_shape_reset(&hj->shape);
        free_key_types(types, join->nkeys);
        tn_free(hj->bkeys);
        tn_free(hj->pkeys);
        tn_plan_ctx_free(&hj->pc);
        tn_free(hj);
        return tn_error_oom(err, 2 * sizeof(tn_op *));
    }
    hj->base.vt = &hash_join_vt;
    hj->base.ctx = ctx;
    hj->base.out = tn_schema_ref(join->out);
    hj->base.children[0] = hj->swapped ? build : probe;
    hj->base.children[1] = hj->swapped ? probe : build;
    hj->base.nchildren = 2;
    hj->base.plan = join;
    hj->plan = join;
    *out = &hj->base;
    return TARN_OK;
}

const tn_join_filter *tn_hash_join_filter(tn_op *op, int32_t k)
{
    if (!op || op->vt != &hash_join_vt)
        return NULL;
    hash_join *hj = (hash_join *)op;
    const tn_plan *p = hj->plan;
    tn_join_kind kind = hj->shape.kind;
    bool drops_unmatched = kind == TN_JOIN_INNER || kind == TN_JOIN_SEMI || kind == TN_JOIN_RIGHT;
    if (hj->swapped || !drops_unmatched || p->nkeys != 1 || k != 0 || hj->key_types[0] || (p->null_equal && p->null_equal[0]) ||
        !tn_join_int_key_type(p->left_keys[0]->type))
        return NULL;
    return &hj->table.filter;
}

bool tn_hash_join_builds_left(const tn_op *op)
{
    return op && op->vt == &hash_join_vt && ((const hash_join *)op)->swapped;
}
