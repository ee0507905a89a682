/*
 * pipeline.c — the driver: cuts an operator tree into pipelines at its
 * breakers and runs them in dependency order, each pipeline's source
 * partitions as morsels on the thread pool.
 *
 * Cutting (build): walking down from the root sink,
 *  - a UNION ALL continues every child's pipeline into the same chain;
 *  - a transform (filter, project, limit, a join's probe side) joins the
 *    chain; if it is also a sink (a hash join), its children[1] first gets
 *    pipelines of its own that sink into it, and if it is also a source
 *    (RIGHT/FULL join's unmatched rows) a pipeline from it follows the probe;
 *  - a sink+source (aggregate, sort) ends the chain as its source, after
 *    the pipelines that fill it;
 *  - anything else is a plain source.
 * The list comes out children first, so running it in order respects every
 * dependency. A sink is finalized after the last pipeline into it.
 *
 * Running one pipeline: tn_parallel_for over the source's partitions; a
 * morsel (a range of partitions) is one task with its own local states for
 * every transform and the sink. Local sink states are combined after all
 * tasks, in partition order, so that the collected result keeps the order
 * of the source (a sort emits one ordered partition; a table scan its
 * batches in table order). The first error stops every task; cancellation
 * (ctx->cancel) is checked between batches; a transform reporting
 * `finished` (a LIMIT that has its rows) stops the pipeline early.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"
#include "sql/exec/join.h"
#include "sql/parser/parser.h"

/* ---- operator helpers ---------------------------------------------------------- */

void *tn_op_alloc(size_t size, const tn_op_vtable *vt, tn_exec_ctx *ctx, const tn_plan *plan, tn_schema *out)
{
    tn_op *op = tn_calloc(1, size);
    if (!op)
        return NULL;
    op->vt = vt;
    op->ctx = ctx;
    op->plan = plan;
    op->out = tn_schema_ref(out);
    return op;
}

int tn_op_set_children(tn_op *op, tn_op **children, int32_t n, tarn_error *err)
{
    if (n == 0)
        return TARN_OK;
    op->children = tn_calloc((size_t)n, sizeof(tn_op *));
    TN_TRY_ALLOC(op->children, err, (size_t)n * sizeof(tn_op *));
    memcpy(op->children, children, (size_t)n * sizeof(tn_op *));
    op->nchildren = n;
    return TARN_OK;
}

void tn_op_free(tn_op *op)
{
    if (!op)
        return;
    for (int32_t i = 0; i < op->nchildren; i++)
        tn_op_free(op->children[i]);
    tn_free(op->children);
    tn_schema *s = op->out;
    if (op->vt && op->vt->destroy)
        op->vt->destroy(op);
    else
        tn_free(op);
    tn_schema_unref(s);
}

bool tn_exec_reserve(tn_op *op, int64_t bytes)
{
    if (bytes <= 0)
        return true;
    if (!tn_mem_reserve(bytes))
        return false;
    int64_t held = atomic_fetch_add(&op->metrics.held_bytes, bytes) + bytes;
    int64_t peak = atomic_load(&op->metrics.peak_bytes);
    while (held > peak && !atomic_compare_exchange_weak(&op->metrics.peak_bytes, &peak, held))
        ;
    return true;
}

void tn_exec_release(tn_op *op, int64_t bytes)
{
    if (bytes <= 0)
        return;
    atomic_fetch_sub(&op->metrics.held_bytes, bytes);
    tn_mem_unreserve(bytes);
}

int tn_exec_batch_of(tn_schema *s, int64_t length, tn_array **columns, tn_batch **out, tarn_error *err)
{
    tn_batch *b = tn_batch_new(s, length);
    TN_TRY_ALLOC(b, err, sizeof(tn_batch));
    for (int32_t i = 0; i < s->n_fields; i++)
        b->columns[i] = tn_array_ref(columns[i]);
    *out = b;
    return TARN_OK;
}

int tn_exec_batch_select(tn_batch *b, tn_schema *s, const int32_t *rows, int64_t n, tn_batch **out, tarn_error *err)
{
    tn_batch *r = tn_batch_new(s, n);
    TN_TRY_ALLOC(r, err, sizeof(tn_batch));
    tn_selection sel = {rows, n};
    for (int32_t i = 0; i < s->n_fields; i++) {
        int rc = tn_filter_sel(b->columns[i], &sel, &r->columns[i], err);
        if (rc) {
            tn_batch_unref(r);
            return rc;
        }
    }
    *out = r;
    return TARN_OK;
}

int tn_exec_concat(tn_schema *s, tn_batch *const *batches, size_t n, tn_batch **out, tarn_error *err)
{
    if (n == 1) {
        *out = tn_batch_ref(batches[0]);
        return TARN_OK;
    }
    int64_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += batches[i]->length;
    tn_batch *r = tn_batch_new(s, rows);
    TN_TRY_ALLOC(r, err, sizeof(tn_batch));
    tn_array **cols = n ? tn_calloc(n, sizeof(tn_array *)) : NULL;
    if (n && !cols) {
        tn_batch_unref(r);
        return tn_error_oom(err, n * sizeof(tn_array *));
    }
    int rc = TARN_OK;
    for (int32_t c = 0; rc == TARN_OK && c < s->n_fields; c++) {
        if (n == 0) {
            r->columns[c] = tn_array_new_empty(s->fields[c].type);
            if (!r->columns[c])
                rc = tn_error_oom(err, sizeof(tn_array));
            continue;
        }
        for (size_t i = 0; i < n; i++)
            cols[i] = batches[i]->columns[c];
        rc = tn_concatenate(cols, (int32_t)n, &r->columns[c], err);
    }
    tn_free(cols);
    if (rc) {
        tn_batch_unref(r);
        return rc;
    }
    *out = r;
    return TARN_OK;
}

void tn_exec_free_batches(tn_batch **batches, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tn_batch_unref(batches[i]);
    tn_free(batches);
}

int tn_exec_eval(const tn_exec_ctx *ctx, const tn_expr *e, tn_batch *in, tn_array **out, tarn_error *err)
{
    if (e->kind == TN_EXPR_COLUMN && in && e->index >= 0 && e->index < in->schema->n_fields &&
        tn_type_equals(in->columns[e->index]->type, e->type)) {
        *out = tn_array_ref(in->columns[e->index]);
        return TARN_OK;
    }
    return tn_expr_eval(&ctx->eval, e, in, NULL, out, err);
}

/* ---- the collecting sink --------------------------------------------------------- */

typedef struct collect_op {
    tn_op base;
    tn_batch **items;
    size_t n, cap;
} collect_op;

typedef struct collect_local {
    tn_batch **items;
    size_t n, cap;
} collect_local;

static int collect_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(collect_local));
    TN_TRY_ALLOC(*local, err, sizeof(collect_local));
    return TARN_OK;
}

static int collect_sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    (void)op;
    collect_local *l = local;
    if (in->length == 0)
        return TARN_OK;
    return tn_batch_push(&l->items, &l->n, &l->cap, tn_batch_ref(in), err);
}

static void collect_local_free(tn_op *op, void *local)
{
    (void)op;
    collect_local *l = local;
    tn_exec_free_batches(l->items, l->n);
    tn_free(l);
}

static int collect_combine(tn_op *op, void *local, tarn_error *err)
{
    collect_op *c = (collect_op *)op;
    collect_local *l = local;
    int rc = TARN_OK;
    size_t i = 0;
    for (; rc == TARN_OK && i < l->n; i++)
        rc = tn_batch_push(&c->items, &c->n, &c->cap, l->items[i], err);
    for (; i < l->n; i++)
        tn_batch_unref(l->items[i]);
    tn_free(l->items);
    tn_free(l);
    return rc;
}

static void collect_destroy(tn_op *op)
{
    collect_op *c = (collect_op *)op;
    tn_exec_free_batches(c->items, c->n);
    tn_free(c);
}

static const tn_op_vtable collect_vtable = {
    .name = "COLLECT",
    .sink_local_init = collect_local_init,
    .sink = collect_sink,
    .sink_combine = collect_combine,
    .sink_local_free = collect_local_free,
    .destroy = collect_destroy,
};

int tn_op_collect_new(tn_exec_ctx *ctx, tn_op *child, tn_op **out, tarn_error *err)
{
    collect_op *c = tn_op_alloc(sizeof *c, &collect_vtable, ctx, NULL, child->out);
    TN_TRY_ALLOC(c, err, sizeof *c);
    int rc = tn_op_set_children(&c->base, &child, 1, err);
    if (rc) {
        tn_op_free(&c->base);
        return rc;
    }
    *out = &c->base;
    return TARN_OK;
}

void tn_op_collect_take(tn_op *collect, tn_batch ***out, size_t *n)
{
    collect_op *c = (collect_op *)collect;
    *out = c->items;
    *n = c->n;
    c->items = NULL;
    c->n = c->cap = 0;
}

/* ---- cutting the tree into pipelines --------------------------------------------- */

typedef struct pipeline {
    tn_op *source;
    tn_op **chain; /* transforms, bottom-up */
    int32_t nchain;
    tn_op *sink;
} pipeline;

typedef struct plan_list {
    pipeline *items;
    size_t n, cap;
    tn_op **stack; /* the chain being built, top-down */
    int32_t depth, capdepth;
} plan_list;

static int push_pipeline(plan_list *l, tn_op *source, tn_op *sink, tarn_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        pipeline *p = tn_realloc(l->items, cap * sizeof *p);
        TN_TRY_ALLOC(p, err, cap * sizeof *p);
        l->items = p;
        l->cap = cap;
    }
    pipeline *p = &l->items[l->n];
    memset(p, 0, sizeof *p);
    p->source = source;
    p->sink = sink;
    if (l->depth) {
        p->chain = tn_calloc((size_t)l->depth, sizeof(tn_op *));
        TN_TRY_ALLOC(p->chain, err, (size_t)l->depth * sizeof(tn_op *));
        for (int32_t i = 0; i < l->depth; i++)
            p->chain[i] = l->stack[l->depth - 1 - i];
        p->nchain = l->depth;
    }
    l->n++;
    return TARN_OK;
}

static int push_chain(plan_list *l, tn_op *op, tarn_error *err)
{
    if (l->depth == l->capdepth) {
        int32_t cap = l->capdepth ? l->capdepth * 2 : 8;
        tn_op **s = tn_realloc(l->stack, (size_t)cap * sizeof *s);
        TN_TRY_ALLOC(s, err, (size_t)cap * sizeof *s);
        l->stack = s;
        l->capdepth = cap;
    }
    l->stack[l->depth++] = op;
    return TARN_OK;
}

static int cut(plan_list *l, tn_op *op, tn_op *sink, tarn_error *err)
{
    const tn_op_vtable *vt = op->vt;
    if (vt == &tn_union_vtable) {
        for (int32_t i = 0; i < op->nchildren; i++)
            TN_TRY(cut(l, op->children[i], sink, err));
        return TARN_OK;
    }
    if (vt->transform) {
        if (vt->sink) {
            /* the build side first, into a fresh chain */
            int32_t saved = l->depth;
            l->depth = 0;
            tn_op **stack = l->stack;
            int32_t cap = l->capdepth;
            l->stack = NULL;
            l->capdepth = 0;
            int rc = cut(l, op->children[1], op, err);
            tn_free(l->stack);
            l->stack = stack;
            l->capdepth = cap;
            l->depth = saved;
            TN_TRY(rc);
        }
        TN_TRY(push_chain(l, op, err));
        int rc = cut(l, op->children[0], sink, err);
        l->depth--;
        TN_TRY(rc);
        if (vt->source_next)
            TN_TRY(push_pipeline(l, op, sink, err));
        return TARN_OK;
    }
    if (vt->sink) {
        int32_t saved = l->depth;
        tn_op **stack = l->stack;
        int32_t cap = l->capdepth;
        l->stack = NULL;
        l->capdepth = 0;
        l->depth = 0;
        int rc = op->nchildren > 0 ? cut(l, op->children[0], op, err) : TARN_OK;
        tn_free(l->stack);
        l->stack = stack;
        l->capdepth = cap;
        l->depth = saved;
        TN_TRY(rc);
        if (vt->source_next)
            TN_TRY(push_pipeline(l, op, sink, err));
        return TARN_OK;
    }
    if (!vt->source_next)
        return tn_error_set(err, TARN_EINTERNAL, "operator %s has no role in a pipeline", vt->name);
    return push_pipeline(l, op, sink, err);
}

/* ---- running one pipeline ---------------------------------------------------------- */

typedef struct run_state {
    pipeline *p;
    int64_t nparts;
    void **sink_locals;        /* by first partition of the morsel */
    _Atomic int stop;          /* a limit finished */
    tn_exec_ctx *ctx;
} run_state;

typedef struct task {
    run_state *rs;
    void **locals; /* per chain operator */
} task;

static int64_t now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool should_stop(task *t)
{
    if (atomic_load(&t->rs->stop))
        return true;
    pipeline *p = t->rs->p;
    for (int32_t i = p->nchain - 1; i >= 0; i--)
        if (p->chain[i]->vt->finished && p->chain[i]->vt->finished(p->chain[i])) {
            atomic_store(&t->rs->stop, 1);
            return true;
        }
    return false;
}

static int push(task *t, int32_t level, tn_batch *in, void *sink_local, tarn_error *err);

static void count_out(tn_op *op, tn_batch *b)
{
    atomic_fetch_add(&op->metrics.rows_out, b->length);
    atomic_fetch_add(&op->metrics.batches_out, 1);
}

/* Push `in` through chain[level..] into the sink. */
static int push(task *t, int32_t level, tn_batch *in, void *sink_local, tarn_error *err)
{
    pipeline *p = t->rs->p;
    bool analyze = t->rs->ctx->analyze;
    if (level == p->nchain) {
        int64_t t0 = analyze ? now_nanos() : 0;
        atomic_fetch_add(&p->sink->metrics.rows_in, in->length);
        int rc = p->sink->vt->sink(p->sink, sink_local, in, err);
        if (analyze)
            atomic_fetch_add(&p->sink->metrics.nanos, now_nanos() - t0);
        return rc;
    }
    tn_op *op = p->chain[level];
    atomic_fetch_add(&op->metrics.rows_in, in->length);
    bool again;
    do {
        tn_batch *out = NULL;
        again = false;
        int64_t t0 = analyze ? now_nanos() : 0;
        int rc = op->vt->transform(op, t->locals[level], in, &out, &again, err);
        if (analyze)
            atomic_fetch_add(&op->metrics.nanos, now_nanos() - t0);
        TN_TRY(rc);
        if (out) {
            count_out(op, out);
            rc = out->length > 0 ? push(t, level + 1, out, sink_local, err) : TARN_OK;
            tn_batch_unref(out);
            TN_TRY(rc);
        }
        if (should_stop(t))
            return TARN_OK;
        /* a join emitting many batches for one input checks in between */
        if (again && t->rs->ctx->cancel && tn_cancel_fired(t->rs->ctx->cancel))
            return tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
    } while (again);
    return TARN_OK;
}

/* After the source ended: let each transform emit what it holds. */
static int flush(task *t, void *sink_local, tarn_error *err)
{
    pipeline *p = t->rs->p;
    for (int32_t level = 0; level < p->nchain; level++) {
        tn_op *op = p->chain[level];
        if (!op->vt->transform_flush)
            continue;
        bool again;
        do {
            tn_batch *out = NULL;
            again = false;
            TN_TRY(op->vt->transform_flush(op, t->locals[level], &out, &again, err));
            if (out) {
                count_out(op, out);
                int rc = out->length > 0 ? push(t, level + 1, out, sink_local, err) : TARN_OK;
                tn_batch_unref(out);
                TN_TRY(rc);
            }
        } while (again);
    }
    return TARN_OK;
}

static int run_partition(task *t, int64_t part, void *sink_local, tarn_error *err)
{
    tn_op *src = t->rs->p->source;
    tn_exec_ctx *ctx = t->rs->ctx;
    void *state = NULL;
    int rc = TARN_OK;
    while (rc == TARN_OK) {
        if (ctx->cancel && tn_cancel_fired(ctx->cancel)) {
            rc = tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
            break;
        }
        if (tn_parallel_for_stopping() || should_stop(t))
            break;
        tn_batch *b = NULL;
        int64_t t0 = ctx->analyze ? now_nanos() : 0;
        rc = src->vt->source_next(src, part, &state, &b, err);
        if (ctx->analyze)
            atomic_fetch_add(&src->metrics.nanos, now_nanos() - t0);
        if (rc || !b)
            break;
        count_out(src, b);
        if (b->length > 0)
            rc = push(t, 0, b, sink_local, err);
        tn_batch_unref(b);
    }
    if (src->vt->source_done)
        src->vt->source_done(src, state);
    return rc;
}

static const tn_op_vtable stream_vtable;
static void stream_local_start(tn_op *op, void *local, int64_t begin, int64_t end);
static int stream_local_finish(tn_op *op, void *local, bool ok, tarn_error *err);
static void stream_pipeline_begin(tn_op *op);

static int run_morsel(void *arg, int64_t begin, int64_t end, tarn_error *err)
{
    run_state *rs = arg;
    pipeline *p = rs->p;
    task t = {rs, NULL};
    void *sink_local = NULL;
    int rc = TARN_OK;
    if (p->nchain) {
        t.locals = tn_calloc((size_t)p->nchain, sizeof(void *));
        TN_TRY_ALLOC(t.locals, err, (size_t)p->nchain * sizeof(void *));
    }
    for (int32_t i = 0; rc == TARN_OK && i < p->nchain; i++)
        if (p->chain[i]->vt->local_init)
            rc = p->chain[i]->vt->local_init(p->chain[i], &t.locals[i], err);
    if (rc == TARN_OK && p->sink->vt->sink_local_init)
        rc = p->sink->vt->sink_local_init(p->sink, &sink_local, err);
    bool streamed = p->sink->vt == &stream_vtable && sink_local;
    if (rc == TARN_OK && streamed)
        stream_local_start(p->sink, sink_local, begin, end);
    for (int64_t part = begin; rc == TARN_OK && part < end; part++)
        rc = run_partition(&t, part, sink_local, err);
    if (rc == TARN_OK && !atomic_load(&rs->stop))
        rc = flush(&t, sink_local, err);
    if (streamed) {
        int frc = stream_local_finish(p->sink, sink_local, rc == TARN_OK, err);
        if (rc == TARN_OK)
            rc = frc;
    }
    for (int32_t i = 0; i < p->nchain; i++)
        if (t.locals[i] && p->chain[i]->vt->local_free)
            p->chain[i]->vt->local_free(p->chain[i], t.locals[i]);
    tn_free(t.locals);
    /* kept for the ordered combine (or freed by the caller on failure) */
    rs->sink_locals[begin] = sink_local;
    return rc;
}

static int run_pipeline(pipeline *p, tn_exec_ctx *ctx, tarn_error *err)
{
    run_state rs = {.p = p, .ctx = ctx};
    TN_TRY(p->source->vt->source_partitions(p->source, &rs.nparts, err));
    if (rs.nparts <= 0)
        return TARN_OK;
    rs.sink_locals = tn_calloc((size_t)rs.nparts, sizeof(void *));
    TN_TRY_ALLOC(rs.sink_locals, err, (size_t)rs.nparts * sizeof(void *));
    if (p->sink->vt == &stream_vtable)
        stream_pipeline_begin(p->sink);
    int rc = tn_parallel_for(rs.nparts, 0, run_morsel, &rs, err);
    tn_op *sink = p->sink;
    for (int64_t i = 0; i < rs.nparts; i++) {
        void *l = rs.sink_locals[i];
        if (!l)
            continue;
        if (rc == TARN_OK)
            rc = sink->vt->sink_combine(sink, l, err);
        else if (sink->vt->sink_local_free)
            sink->vt->sink_local_free(sink, l);
    }
    tn_free(rs.sink_locals);
    return rc;
}

/* How many pipelines sink into each sink after index i (to finalize after the last). */
static bool last_into(const plan_list *l, size_t i)
{
    for (size_t j = i + 1; j < l->n; j++)
        if (l->items[j].sink == l->items[i].sink)
            return false;
    return true;
}

static int run_all(tn_op *root_sink, tn_exec_ctx *ctx, tarn_error *err)
{
    plan_list l = {0};
    int rc = root_sink->nchildren ? cut(&l, root_sink->children[0], root_sink, err) : TARN_OK;
    for (size_t i = 0; rc == TARN_OK && i < l.n; i++) {
        rc = run_pipeline(&l.items[i], ctx, err);
        tn_op *sink = l.items[i].sink;
        if (rc == TARN_OK && last_into(&l, i) && sink->vt->sink_finalize) {
            int64_t t0 = ctx->analyze ? now_nanos() : 0;
            rc = sink->vt->sink_finalize(sink, err);
            if (ctx->analyze)
                atomic_fetch_add(&sink->metrics.nanos, now_nanos() - t0);
        }
    }
    for (size_t i = 0; i < l.n; i++)
        tn_free(l.items[i].chain);
    tn_free(l.items);
    tn_free(l.stack);
    if (rc == TARN_OK && ctx->cancel && tn_cancel_fired(ctx->cancel))
        rc = tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
    return rc;
}

int tn_exec_collect(tn_op *root, tn_batch ***out, size_t *n, tarn_error *err)
{
    *out = NULL;
    *n = 0;
    tn_op *c = NULL;
    TN_TRY(tn_op_collect_new(root->ctx, root, &c, err));
    int rc = run_all(c, root->ctx, err);
    if (rc == TARN_OK)
        tn_op_collect_take(c, out, n);
    /* the tree stays the caller's */
    c->nchildren = 0;
    tn_op_free(c);
    return rc;
}

/* ---- streaming results ------------------------------------------------------------ */

/*
 * The root sink of a streamed query: batches go to a queue the reader pulls
 * from, in the order the collecting sink would give them. Within a
 * pipeline, the morsel holding the lowest partition not yet delivered (the
 * head) puts its batches straight in the queue; the others keep theirs
 * until they are the head, and wait while they hold a queue's worth
 * between them (morsels are claimed in order, so the head is always running
 * and nothing waits for a morsel that has not started). A producer waits
 * while the queue holds cap_bytes; so memory is bounded by twice the queue
 * and the batches in flight, whatever the result size.
 */
typedef struct stream_local {
    int64_t begin, end;     /* the morsel's partitions */
    tn_batch **buf;         /* held until it is the head */
    size_t n, cap;
    int64_t bytes;
    bool finished;
    struct stream_local *next; /* in the sink's list, by begin */
} stream_local;

typedef struct stream_op {
    tn_op base;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* queue, head, or state changed */
    tn_batch **q;           /* the queue: q[qhead .. qhead + qn) */
    size_t qhead, qn, qcap;
    int64_t qbytes, cap_bytes;
    int64_t held;           /* bytes the morsels that are not the head hold */
    int64_t next_part;      /* first partition of this pipeline not yet delivered */
    stream_local *locals;
    bool unbounded;         /* detached: nobody waits for the reader any more */
    bool cancelled;         /* the reader is gone */
    bool failed;            /* a morsel failed: the others stop waiting */
    tarn_error first;       /* ... and its error, which the query reports */
    bool done;              /* the query thread has finished */
    int rc;
    tarn_error err;
    pthread_t thread;
    tn_exec_ctx *ctx;       /* the query's (valid until done) */
    void (*free_owner)(void *);
    void *owner;
} stream_op;

static int64_t queue_bytes(const tn_batch *b)
{
    return tn_join_batch_bytes(b) + 64;
}

static bool stream_stopped(const stream_op *s)
{
    return s->cancelled || s->failed;
}

/* Put b (consumed) at the end of the queue, waiting for room; lock held. */
static int enqueue(stream_op *s, tn_batch *b, tarn_error *err)
{
    while (!s->unbounded && !stream_stopped(s) && s->qn > 0 && s->qbytes >= s->cap_bytes)
        pthread_cond_wait(&s->changed, &s->lock);
    if (stream_stopped(s)) {
        tn_batch_unref(b);
        return tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
    }
    if (s->qhead + s->qn == s->qcap) {
        if (s->qhead > 0) {
            memmove(s->q, s->q + s->qhead, s->qn * sizeof *s->q);
            s->qhead = 0;
        } else {
            size_t cap = s->qcap ? s->qcap * 2 : 16;
            tn_batch **q = tn_realloc(s->q, cap * sizeof *q);
            if (!q) {
                tn_batch_unref(b);
                return tn_error_oom(err, cap * sizeof *q);
            }
            s->q = q;
            s->qcap = cap;
        }
    }
    s->q[s->qhead + s->qn++] = b;
    s->qbytes += queue_bytes(b);
    pthread_cond_broadcast(&s->changed);
    return TARN_OK;
}

/* Move a local's held batches to the queue; lock held. */
static int deliver_held(stream_op *s, stream_local *l, tarn_error *err)
{
    int rc = TARN_OK;
    size_t i = 0;
    for (; rc == TARN_OK && i < l->n; i++)
        rc = enqueue(s, l->buf[i], err);
    for (; i < l->n; i++)
        tn_batch_unref(l->buf[i]);
    l->n = 0;
    s->held -= l->bytes;
    l->bytes = 0;
    pthread_cond_broadcast(&s->changed);
    return rc;
}

static void unlink_local(stream_op *s, stream_local *l)
{
    for (stream_local **p = &s->locals; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            return;
        }
}

/* The head finished: deliver the finished morsels that follow it, up to
 * one still running (which is woken to deliver its own); lock held. */
static int advance(stream_op *s, tarn_error *err)
{
    for (;;) {
        stream_local *l = s->locals;
        while (l && l->begin != s->next_part)
            l = l->next;
        if (!l || !l->finished) {
            pthread_cond_broadcast(&s->changed);
            return TARN_OK;
        }
        TN_TRY(deliver_held(s, l, err));
        s->next_part = l->end;
        unlink_local(s, l);
    }
}

static int stream_local_init(tn_op *op, void **local, tarn_error *err)
{
    (void)op;
    *local = tn_calloc(1, sizeof(stream_local));
    TN_TRY_ALLOC(*local, err, sizeof(stream_local));
    return TARN_OK;
}

/* The morsel of a local (run_morsel tells it before the first batch). */
static void stream_local_start(tn_op *op, void *local, int64_t begin, int64_t end)
{
    stream_op *s = (stream_op *)op;
    stream_local *l = local;
    l->begin = begin;
    l->end = end;
    pthread_mutex_lock(&s->lock);
    stream_local **p = &s->locals;
    while (*p && (*p)->begin < begin)
        p = &(*p)->next;
    l->next = *p;
    *p = l;
    pthread_mutex_unlock(&s->lock);
}

static int stream_sink(tn_op *op, void *local, tn_batch *in, tarn_error *err)
{
    stream_op *s = (stream_op *)op;
    stream_local *l = local;
    if (in->length == 0)
        return TARN_OK;
    tn_batch *b = NULL;
    if (in->schema == op->out)
        b = tn_batch_ref(in);
    else /* the root's names on every batch (a union's children carry their own) */
        TN_TRY(tn_exec_batch_of(op->out, in->length, in->columns, &b, err));
    pthread_mutex_lock(&s->lock);
    int rc = TARN_OK;
    /* not the head: hold it, waiting while the morsels that are not the head
     * hold a queue's worth between them */
    while (l->begin != s->next_part && !s->unbounded && !stream_stopped(s) && s->held >= s->cap_bytes)
        pthread_cond_wait(&s->changed, &s->lock);
    if (stream_stopped(s)) {
        rc = tn_error_set(err, TARN_ECANCELLED, "the query was cancelled");
        tn_batch_unref(b);
    } else if (l->begin != s->next_part) {
        rc = tn_batch_push(&l->buf, &l->n, &l->cap, b, err);
        if (rc == TARN_OK) {
            l->bytes += queue_bytes(b);
            s->held += queue_bytes(b);
        }
    } else {
        rc = deliver_held(s, l, err);
        if (rc == TARN_OK)
            rc = enqueue(s, b, err);
        else
            tn_batch_unref(b);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* A morsel ended (ok: without error). */
static int stream_local_finish(tn_op *op, void *local, bool ok, tarn_error *err)
{
    stream_op *s = (stream_op *)op;
    stream_local *l = local;
    pthread_mutex_lock(&s->lock);
    int rc = TARN_OK;
    l->finished = true;
    if (!ok) {
        if (!s->failed && err) /* the others stop with "cancelled": this is the cause */
            s->first = *err;
        s->failed = true;
        pthread_cond_broadcast(&s->changed);
    } else if (l->begin == s->next_part) {
        rc = advance(s, err);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void stream_local_free(tn_op *op, void *local)
{
    stream_op *s = (stream_op *)op;
    stream_local *l = local;
    pthread_mutex_lock(&s->lock);
    unlink_local(s, l);
    s->held -= l->bytes;
    pthread_mutex_unlock(&s->lock);
    tn_exec_free_batches(l->buf, l->n);
    tn_free(l);
}

static int stream_combine(tn_op *op, void *local, tarn_error *err)
{
    (void)err;
    stream_local_free(op, local);
    return TARN_OK;
}

static void stream_destroy(tn_op *op)
{
    stream_op *s = (stream_op *)op;
    for (size_t i = 0; i < s->qn; i++)
        tn_batch_unref(s->q[s->qhead + i]);
    tn_free(s->q);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->changed);
    tn_free(s);
}

static const tn_op_vtable stream_vtable = {
    .name = "STREAM",
    .sink_local_init = stream_local_init,
    .sink = stream_sink,
    .sink_combine = stream_combine,
    .sink_local_free = stream_local_free,
    .destroy = stream_destroy,
};

/* A new pipeline into the sink: its partitions count from 0 again. */
static void stream_pipeline_begin(tn_op *op)
{
    stream_op *s = (stream_op *)op;
    pthread_mutex_lock(&s->lock);
    s->next_part = 0;
    pthread_mutex_unlock(&s->lock);
}

static void *stream_thread(void *arg)
{
    stream_op *s = arg;
    tarn_error e;
    tarn_error_init(&e);
    int rc = run_all(&s->base, s->ctx, &e);
    /* the tree is the owner's; nothing refers to it after this */
    s->base.nchildren = 0;
    tn_free(s->base.children);
    s->base.children = NULL;
    if (s->free_owner)
        s->free_owner(s->owner);
    pthread_mutex_lock(&s->lock);
    if (rc && s->failed && s->first.code) {
        rc = s->first.code;
        e = s->first;
    }
    s->rc = rc;
    if (rc)
        s->err = e;
    s->done = true;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

typedef struct stream_reader {
    tn_reader base;
    stream_op *s;
    bool failed; /* an error was returned: the stream ends there */
} stream_reader;

static int stream_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    stream_reader *sr = (stream_reader *)r;
    stream_op *s = sr->s;
    *out = NULL;
    if (sr->failed)
        return tn_error_set(err, TARN_EINVAL, "the result stream failed before");
    pthread_mutex_lock(&s->lock);
    while (s->qn == 0 && !s->done)
        pthread_cond_wait(&s->changed, &s->lock);
    int rc = TARN_OK;
    if (s->done && s->rc) {
        rc = s->rc;
        if (err) {
            *err = s->err;
            err->code = rc;
        }
        sr->failed = true;
    } else if (s->qn > 0) {
        tn_batch *b = s->q[s->qhead++];
        s->qn--;
        s->qbytes -= queue_bytes(b);
        if (s->qn == 0)
            s->qhead = 0;
        *out = b;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void stream_reader_destroy(tn_reader *r)
{
    stream_reader *sr = (stream_reader *)r;
    stream_op *s = sr->s;
    pthread_mutex_lock(&s->lock);
    s->cancelled = true;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    tn_op_free(&s->base);
    tn_free(sr);
}

int tn_exec_stream(tn_op *root, int64_t cap_bytes, void (*free_owner)(void *), void *owner, tn_reader **out,
                   tarn_error *err)
{
    *out = NULL;
    stream_op *s = tn_op_alloc(sizeof *s, &stream_vtable, root->ctx, NULL, root->out);
    if (!s) {
        if (free_owner)
            free_owner(owner);
        return tn_error_oom(err, sizeof *s);
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->cap_bytes = cap_bytes > 0 ? cap_bytes : 1;
    s->ctx = root->ctx;
    stream_reader *sr = tn_calloc(1, sizeof *sr);
    int rc = sr ? tn_op_set_children(&s->base, &root, 1, err) : tn_error_oom(err, sizeof *sr);
    if (rc) {
        tn_free(sr);
        s->base.nchildren = 0;
        tn_op_free(&s->base);
        if (free_owner)
            free_owner(owner);
        return rc;
    }
    sr->base.schema = tn_schema_ref(root->out);
    sr->base.next = stream_next;
    sr->base.destroy = stream_reader_destroy;
    sr->s = s;
    s->free_owner = free_owner;
    s->owner = owner;
    if (pthread_create(&s->thread, NULL, stream_thread, s) != 0) {
        s->base.nchildren = 0; /* the tree is the owner's */
        tn_schema_unref(sr->base.schema);
        tn_free(sr);
        tn_op_free(&s->base);
        if (free_owner)
            free_owner(owner);
        return tn_error_set(err, TARN_ENOMEM, "cannot start the query's thread");
    }
    /* wait for the first queue's worth, or the end */
    pthread_mutex_lock(&s->lock);
    while (!s->done && !(s->qn > 0 && s->qbytes >= s->cap_bytes))
        pthread_cond_wait(&s->changed, &s->lock);
    rc = s->done ? s->rc : TARN_OK;
    if (rc && err) {
        *err = s->err;
        err->code = rc;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc) {
        tn_reader_free(&sr->base);
        return rc;
    }
    *out = &sr->base;
    return TARN_OK;
}

void tn_exec_stream_detach(tn_reader *r)
{
    stream_op *s = ((stream_reader *)r)->s;
    pthread_mutex_lock(&s->lock);
    s->unbounded = true;
    pthread_cond_broadcast(&s->changed);
    while (!s->done)
        pthread_cond_wait(&s->changed, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

/* ---- progress ---------------------------------------------------------------------- */

struct tn_exec_ticker {
    const tn_op *root;
    tarn_query_progress_fn fn;
    void *user;
    int interval_ms;
    int64_t start;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    int64_t total; /* rows of the scanned tables (-1 unknown), counted at the start */
};

/* Rows read by the tree's table scans, and (with totals; not while the
 * query runs, since an INSERT may grow a memory table) the rows of their
 * tables. */
static void scan_progress(const tn_op *op, int64_t *rows, int64_t *total, bool *unknown, bool totals)
{
    const tn_plan *p = op->plan;
    if (p && p->kind == TN_PLAN_SCAN && p->table && op->vt->source_next) {
        *rows += atomic_load(&op->metrics.rows_in);
        tn_table *t = p->table;
        if (!totals) {
        } else if (t->kind == TN_TABLE_MEMORY) {
            tn_batch *const *b;
            int64_t n;
            tn_table_memory_batches(t, &b, &n);
            for (int64_t i = 0; i < n; i++)
                *total += b[i]->length;
        } else if (t->est_rows >= 0) {
            *total += (int64_t)t->est_rows;
        } else {
            *unknown = true;
        }
    }
    for (int32_t i = 0; i < op->nchildren; i++)
        scan_progress(op->children[i], rows, total, unknown, totals);
}

static void report(tn_exec_ticker *t, bool done)
{
    tarn_query_progress p = {0};
    bool unknown = false;
    int64_t total = 0;
    scan_progress(t->root, &p.rows_scanned, &total, &unknown, false);
    p.rows_total = t->total;
    p.elapsed = (double)(now_nanos() - t->start) / 1e9;
    p.done = done;
    t->fn(t->user, &p);
}

static void *ticker_main(void *arg)
{
    tn_exec_ticker *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)t->interval_ms * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&t->wake, &t->lock, &ts);
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->lock);
        report(t, false);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int tn_exec_ticker_start(const tn_op *root, tarn_query_progress_fn fn, void *user, int interval_ms,
                         tn_exec_ticker **out, tarn_error *err)
{
    *out = NULL;
    tn_exec_ticker *t = tn_calloc(1, sizeof *t);
    TN_TRY_ALLOC(t, err, sizeof *t);
    t->root = root;
    t->fn = fn;
    t->user = user;
    t->interval_ms = interval_ms > 0 ? interval_ms : 100;
    t->start = now_nanos();
    int64_t rows = 0;
    bool unknown = false;
    scan_progress(root, &rows, &t->total, &unknown, true);
    if (unknown)
        t->total = -1;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        tn_free(t);
        return tn_error_set(err, TARN_ENOMEM, "cannot start the progress thread");
    }
    *out = t;
    return TARN_OK;
}

void tn_exec_ticker_stop(tn_exec_ticker *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    report(t, true);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    tn_free(t);
}
