/*
 * values.c — sources over batches already in memory: VALUES lists (their
 * constant expressions evaluated once at planning), the rows of
 * materialized CTEs and subqueries, and the working table a recursive CTE's
 * step reads. One batch is one partition.
 */
#include <string.h>

#include "core/alloc.h"
#include "sql/exec/exec.h"

typedef struct batches_op {
    tn_op base;
    tn_batch **batches; /* owned references */
    size_t n;
    tn_query *rec;      /* recursive scan: read rec->rec_rows instead */
} batches_op;

static int batches_partitions(tn_op *op, int64_t *n, tarn_error *err)
{
    (void)err;
    batches_op *b = (batches_op *)op;
    *n = b->rec ? (int64_t)b->rec->rec_n : (int64_t)b->n;
    return TARN_OK;
}

static int batches_next(tn_op *op, int64_t part, void **state, tn_batch **out, tarn_error *err)
{
    batches_op *b = (batches_op *)op;
    *out = NULL;
    if (*state)
        return TARN_OK;
    *state = op; /* marks the partition as emitted */
    tn_batch *src = b->rec ? b->rec->rec_rows[part] : b->batches[part];
    /* the plan's names on the batch */
    if (src->schema == op->out) {
        *out = tn_batch_ref(src);
        return TARN_OK;
    }
    return tn_exec_batch_of(op->out, src->length, src->columns, out, err);
}

static void batches_done(tn_op *op, void *state)
{
    (void)op;
    (void)state;
}

static int batches_explain(tn_op *op, tn_buf *out, tarn_error *err)
{
    batches_op *b = (batches_op *)op;
    if (b->rec)
        return tn_buf_printf(out, err, "recursive working table");
    int64_t rows = 0;
    for (size_t i = 0; i < b->n; i++)
        rows += b->batches[i]->length;
    return tn_buf_printf(out, err, "%lld rows", (long long)rows);
}

static void batches_destroy(tn_op *op)
{
    batches_op *b = (batches_op *)op;
    tn_exec_free_batches(b->batches, b->n);
    tn_free(b);
}

static const tn_op_vtable batches_vtable = {
    .name = "COLUMN_DATA_SCAN",
    .source_partitions = batches_partitions,
    .source_next = batches_next,
    .source_done = batches_done,
    .explain = batches_explain,
    .destroy = batches_destroy,
};

int tn_op_batches_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_schema *schema, tn_batch *const *batches, size_t n,
                      tn_op **out, tarn_error *err)
{
    batches_op *b = tn_op_alloc(sizeof *b, &batches_vtable, ctx, plan, schema);
    TN_TRY_ALLOC(b, err, sizeof *b);
    if (n) {
        b->batches = tn_calloc(n, sizeof(tn_batch *));
        if (!b->batches) {
            tn_op_free(&b->base);
            return tn_error_oom(err, n * sizeof(tn_batch *));
        }
        for (size_t i = 0; i < n; i++)
            b->batches[i] = tn_batch_ref(batches[i]);
        b->n = n;
    }
    *out = &b->base;
    return TARN_OK;
}

int tn_op_recursive_scan_new(tn_exec_ctx *ctx, const tn_plan *plan, tn_query *q, tn_op **out, tarn_error *err)
{
    batches_op *b = tn_op_alloc(sizeof *b, &batches_vtable, ctx, plan, plan->out);
    TN_TRY_ALLOC(b, err, sizeof *b);
    b->rec = q;
    *out = &b->base;
    return TARN_OK;
}
