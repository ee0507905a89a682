/*
 * sort.c — ORDER BY and top-N (ORDER BY + LIMIT).
 *
 * ORDER BY is a sink: each task keeps the batches it receives; finalize
 * puts them end to end, evaluates the keys once over the whole input,
 * sorts with tn_sort_indices (stable, so equal keys keep input order) and
 * gathers every column. As a source it emits the sorted rows as ONE
 * partition of batch_rows slices, so the order survives the rest of the
 * plan.
 *
 * Top-N keeps at most `keep` rows per task: when a task holds more than
 * max(2 * keep, 4096) rows it sorts them and cuts to the first `keep` —
 * a bounded heap, kept vectorized; combine and finalize do the same over
 * the tasks' survivors.
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"

typedef struct sort_op {
    tn_op base;
    const tn_sort_spec *keys; /* borrowed from the plan */
    int32_t nkeys;
    int64_t keep;             /* < 0: sort everything */
    tn_batch **items;         /* combined input */
    size_t n, cap;
    tn_batch *sorted;         /* after finalize */
    int64_t chunk;
} sort_op;

typedef struct sort_local {
    tn_batch **items;
    size_t n, cap;
    int64_t rows;
} sort_local;

/* Sort every batch of items[0..n) into one batch, keeping the first
 * `keep` rows (all when keep < 0). Consumes the batches. */
static int sort_batches(sort_op *s, tn_batch **items, size_t n, int64_t keep, tn_batch **out, tarn_error *err)
{
    tn_batch *all = NULL;
    int rc = tn_exec_concat(s->base.out, items, n, &all, err);
    for (size_t i = 0; i < n; i++)
        tn_batch_unref(items[i]);
    TN_TRY(rc);
    if (all->length == 0) {
        *out = all;
        return TARN_OK;
    }
    tn_sort_key *keys = tn_calloc((size_t)s->nkeys, sizeof *keys);
    if (!keys) {
        tn_batch_unref(all);
        return tn_error_oom(err, (size_t)s->nkeys * sizeof *keys);
    }
    for (int32_t k = 0; rc == TARN_OK && k < s->nkeys; k++) {
        keys[k].descending = s->keys[k].descending;
        keys[k].nulls_first = s->keys[k].nulls_first;
        rc = tn_exec_eval(s->base.ctx, s->keys[k].expr, all, &keys[k].array, err);
    }
    tn_array *idx = NULL;
    if (rc == TARN_OK)
        rc = tn_sort_indices(keys, s->nkeys, &idx, err);
    for (int32_t k = 0; k < s->nkeys; k++)
        if (keys[k].array)
            tn_array_unref(keys[k].array);
    tn_free(keys);
    if (rc == TARN_OK && keep >= 0 && keep < idx->length) {
        tn_array *cut = tn_array_slice(idx, 0, keep);
        tn_array_unref(idx);
        idx = cut;
        if (!idx)
            rc = tn_error_oom(err, sizeof(tn_array));
    }
    tn_batch *r = NULL;
    if (rc == TARN_OK) {
        r = tn_batch_new(s->base.out, idx->length);
        if (!r)
            rc = tn_error_oom(err, sizeof *r);
    }
    for (int32_t c = 0; rc == TARN_OK && c < s->base.out->n_fields; c++)
        rc = tn_take(all->columns[c], idx, &r->columns[c], err);
    if (idx)
        tn_array_unref(idx);
    tn_batch_unref(all);
    if (rc) {
        if (r)
            tn_batch_unref(r);
        return rc;
    }
    *out = r;
    return TARN_OK;
}

static int sort_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(sort_local));
    TN_TRY_ALLOC(*local, err, sizeof(sort_local));
    return TARN_OK;
}

static void sort_local_free(tn_op *op, void *local)
{
    (void)op;
    sort_local *l = local;
    tn_exec_free_batches(l->items, l->n);
    tn_free(l);
}

static int64_t topn_bound(const sort_op *s)
{
    return s->keep * 2 > 4096 ? s->keep * 2 : 4096;
}

/* Cut a top-N list down to its first keep rows. */
static int shrink(sort_op *s, tn_batch ***items, size_t *n, size_t *cap, int64_t *rows, tarn_error *err)
{
    tn_batch *b = NULL;
    int rc = sort_batches(s, *items, *n, s->keep, &b, err);
    *n = 0;
    if (rc)
        return rc;
    *rows = b->length;
    return tn_batch_push(items, n, cap, b, err);
}

static int sort_sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    sort_local *l = local;
    /* the plan's schema on the batch (a union's children name columns their way) */
    tn_batch *b;
    TN_TRY(tn_exec_batch_of(op->out, in->length, in->columns, &b, err));
    TN_TRY(tn_batch_push(&l->items, &l->n, &l->cap, b, err));
    l->rows += in->length;
    if (s->keep >= 0 && l->rows > topn_bound(s))
        return shrink(s, &l->items, &l->n, &l->cap, &l->rows, err);
    return TARN_OK;
}

static int sort_combine(tn_op *op, void *local, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    sort_local *l = local;
    int rc = TARN_OK;
    size_t i = 0;
    for (; rc == TARN_OK && i < l->n; i++)
        rc = tn_batch_push(&s->items, &s->n, &s->cap, l->items[i], err);
    for (; i < l->n; i++)
        tn_batch_unref(l->items[i]);
    tn_free(l->items);
    tn_free(l);
    return rc;
}

static int sort_finalize(tn_op *op, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    int rc = sort_batches(s, s->items, s->n, s->keep, &s->sorted, err);
    tn_free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
    return rc;
}

static int sort_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)op;
    (void)err;
    *n = 1;
    return TARN_OK;
}

typedef struct sort_cursor {
    int64_t pos;
} sort_cursor;

static int sort_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    (void)part;
    sort_op *s = (sort_op *)op;
    *out = NULL;
    if (!s->sorted)
        return TARN_OK;
    if (!*state) {
        *state = tn_calloc(1, sizeof(sort_cursor));
        TN_TRY_ALLOC(*state, err, sizeof(sort_cursor));
    }
    sort_cursor *c = *state;
    if (c->pos >= s->sorted->length)
        return TARN_OK;
    int64_t n = s->sorted->length - c->pos < s->chunk ? s->sorted->length - c->pos : s->chunk;
    if (c->pos == 0 && n == s->sorted->length)
        *out = tn_batch_ref(s->sorted);
    else
        *out = tn_batch_slice(s->sorted, c->pos, n);
    TN_TRY_ALLOC(*out, err, sizeof(tn_batch));
    c->pos += n;
    return TARN_OK;
}

static void sort_done(tn_op *op, void *state)
{
    (void)op;
    tn_free(state);
}

static int sort_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    sort_op *s = (sort_op *)op;
    for (int32_t k = 0; k < s->nkeys; k++) {
        const tn_expr *e = s->keys[k].expr;
        if (e->text)
            TN_TRY(tn_buf_printf(out, err, "%s%s", k ? ", " : "", e->text));
        else
            TN_TRY(tn_buf_printf(out, err, "%s#%d", k ? ", " : "", e->index));
        TN_TRY(tn_buf_printf(out, err, "%s", s->keys[k].descending ? " DESC" : " ASC"));
    }
    if (s->keep >= 0)
        TN_TRY(tn_buf_printf(out, err, ", top: %lld", (long long)s->keep));
    return TARN_OK;
}

static void sort_destroy(tn_op *op)
{
    sort_op *s = (sort_op *)op;
    tn_exec_free_batches(s->items, s->n);
    if (s->sorted)
        tn_batch_unref(s->sorted);
    tn_free(s);
}

static const tn_op_vtable sort_vtable = {
    .name = "ORDER_BY",
    .source_partitions = sort_partitions,
    .source_next = sort_next,
    .source_done = sort_done,
    .sink_local_init = sort_local_init,
    .sink = sort_sink,
    .sink_combine = sort_combine,
    .sink_local_free = sort_local_free,
    .sink_finalize = sort_finalize,
    .explain = sort_explain,
    .destroy = sort_destroy,
};

static const tn_op_vtable topn_vtable = {
    .name = "TOP_N",
    .source_partitions = sort_partitions,
    .source_next = sort_next,
    .source_done = sort_done,
    .sink_local_init = sort_local_init,
    .sink = sort_sink,
    .sink_combine = sort_combine,
    .sink_local_free = sort_local_free,
    .sink_finalize = sort_finalize,
    .explain = sort_explain,
    .destroy = sort_destroy,
};

int tn_op_sort_new(tn_exec_ctx *ctx, const tn_plan *plan, const tn_sort_spec *keys, int32_t nkeys, int64_t keep,
                   tn_op *child, tn_op **out, tarn_error *err)
{
    sort_op *s = tn_op_alloc(sizeof *s, keep >= 0 ? &topn_vtable : &sort_vtable, ctx, plan, child->out);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->keys = keys;
    s->nkeys = nkeys;
    s->keep = keep;
    s->chunk = ctx->batch_rows > 0 ? ctx->batch_rows : 8192;
    int rc = tn_op_set_children(&s->base, &child, 1, err);
    if (rc) {
        tn_op_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return TARN_OK;
}
