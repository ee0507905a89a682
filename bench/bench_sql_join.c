/*
 * bench_sql_join.c — hash join throughput, driving the operator through its
 * vtable on one thread as the pipeline driver would: build (sink, combine,
 * finalize) from batches of 64K rows, then probe batches of 2048 rows.
 * Keys are int64 (the fast path) or text (hashed rows, byte comparison);
 * every probe key matches exactly one build row (a foreign-key join, like
 * TPC-H lineitem -> orders).
 *
 *   bench_sql_join [build_rows] [probe_rows] [int|text]
 *   default 1,500,000 and 6,000,000 rows, both key kinds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "sql/exec/operator.h"

/* Without the pipeline driver linked in: an unlimited budget. */
__attribute__((weak)) bool tn_exec_reserve(tn_op *op, int64_t bytes)
{
    (void)op;
    (void)bytes;
    return true;
}
__attribute__((weak)) void tn_exec_release(tn_op *op, int64_t bytes)
{
    (void)op;
    (void)bytes;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, tarn_error *err)
{
    fprintf(stderr, "bench_sql_join: %s: %s\n", what, err->message);
    exit(1);
}

static tn_schema *schema(int n, tn_type *key)
{
    tarn_error err;
    tn_schema *s = tn_schema_new(n);
    if (tn_field_init(&s->fields[0], "k", tn_type_ref(key), true, &err) ||
        (n > 1 && tn_field_init(&s->fields[1], "v", tn_type_get(TN_INT64), true, &err)))
        die("schema", &err);
    return s;
}

/* Batches of `per` rows, n in all, with keys (i * mul) % range and payload i. */
static tn_batch **batches(tn_schema *s, bool text, int64_t n, int64_t range, int64_t per, uint64_t mul,
                          int64_t *count)
{
    tarn_error err;
    int64_t nb = (n + per - 1) / per;
    tn_batch **out = calloc((size_t)nb, sizeof *out);
    char buf[32];
    for (int64_t b = 0; b < nb; b++) {
        tn_builder *k = tn_builder_new(s->fields[0].type), *v = tn_builder_new(tn_type_get(TN_INT64));
        int64_t end = (b + 1) * per < n ? (b + 1) * per : n;
        for (int64_t i = b * per; i < end; i++) {
            int64_t key = (int64_t)(((uint64_t)i * mul) % (uint64_t)range);
            int rc;
            if (text) {
                snprintf(buf, sizeof buf, "order#%lld", (long long)key);
                rc = tn_builder_append_str(k, buf, &err);
            } else {
                rc = tn_builder_append_int(k, key, &err);
            }
            if (rc || tn_builder_append_int(v, i, &err))
                die("append", &err);
        }
        tn_batch *bt = tn_batch_new(s, end - b * per);
        if (tn_builder_finish(k, &bt->columns[0], &err))
            die("finish", &err);
        if (s->n_fields > 1 && tn_builder_finish(v, &bt->columns[1], &err))
            die("finish", &err);
        tn_builder_free(k);
        tn_builder_free(v);
        out[b] = bt;
    }
    *count = nb;
    return out;
}

static void run(bool text, int64_t nbuild, int64_t nprobe)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_type *kt = tn_type_get(text ? TN_STRING : TN_INT64);
    tn_schema *ls = schema(1, kt), *rs = schema(2, kt);
    int64_t nbb, npb;
    tn_batch **build = batches(rs, text, nbuild, nbuild, 65536, 1, &nbb);
    tn_batch **probe = batches(ls, text, nprobe, nbuild, 2048, 2654435761u, &npb);
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_plan *j = tn_plan_new(&pc, TN_PLAN_JOIN, 2);
    j->join = TN_JOIN_INNER;
    for (int c = 0; c < 2; c++) {
        j->children[c] = tn_plan_new(&pc, TN_PLAN_VALUES, 0);
        j->children[c]->out = tn_plan_keep_schema(&pc, tn_schema_ref(c ? rs : ls));
    }
    tn_schema *out = tn_schema_new(3);
    if (tn_field_copy(&out->fields[0], &ls->fields[0], &err) || tn_field_copy(&out->fields[1], &rs->fields[0], &err) ||
        tn_field_copy(&out->fields[2], &rs->fields[1], &err))
        die("schema", &err);
    j->out = tn_plan_keep_schema(&pc, out);
    tn_expr *lk = tn_expr_column(&pc, 0, tn_type_ref(kt)), *rk = tn_expr_column(&pc, 0, tn_type_ref(kt));
    j->left_keys = &lk;
    j->right_keys = &rk;
    j->nkeys = 1;
    tn_exec_ctx ctx = {.batch_rows = 2048};
    tn_op *op = NULL;
    if (tn_op_hash_join_new(&ctx, j, NULL, NULL, &op, &err))
        die("new", &err);
    double t0 = now();
    void *local = NULL;
    if (op->vt->sink_local_init(op, &local, &err))
        die("sink init", &err);
    for (int64_t b = 0; b < nbb; b++)
        if (op->vt->sink(op, local, build[b], &err))
            die("sink", &err);
    if (op->vt->sink_combine(op, local, &err) || op->vt->sink_finalize(op, &err))
        die("finalize", &err);
    double t1 = now();
    if (op->vt->local_init(op, &local, &err))
        die("local init", &err);
    int64_t rows = 0;
    for (int64_t b = 0; b < npb; b++) {
        bool again;
        do {
            tn_batch *o = NULL;
            if (op->vt->transform(op, local, probe[b], &o, &again, &err))
                die("probe", &err);
            if (o) {
                rows += o->length;
                tn_batch_unref(o);
            }
        } while (again);
    }
    op->vt->local_free(op, local);
    double t2 = now();
    printf("%-6s keys: build %lld rows %.3f s (%.1f M rows/s), probe %lld rows %.3f s (%.1f M rows/s), %lld matches\n",
           text ? "text" : "int64", (long long)nbuild, t1 - t0, nbuild / (t1 - t0) / 1e6, (long long)nprobe, t2 - t1,
           nprobe / (t2 - t1) / 1e6, (long long)rows);
    tn_free(op->children);
    tn_schema *os = op->out;
    op->vt->destroy(op);
    tn_schema_unref(os);
    for (int64_t b = 0; b < nbb; b++)
        tn_batch_unref(build[b]);
    for (int64_t b = 0; b < npb; b++)
        tn_batch_unref(probe[b]);
    free(build);
    free(probe);
    tn_schema_unref(out);
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_plan_ctx_free(&pc);
}

int main(int argc, char **argv)
{
    int64_t nbuild = argc > 1 ? atoll(argv[1]) : 1500000;
    int64_t nprobe = argc > 2 ? atoll(argv[2]) : 6000000;
    const char *only = argc > 3 ? argv[3] : "";
    if (strcmp(only, "text") != 0)
        run(false, nbuild, nprobe);
    if (strcmp(only, "int") != 0)
        run(true, nbuild, nprobe);
    return 0;
}
