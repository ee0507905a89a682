/*
 * test_sql_join.c — the hash join and the nested-loop join, driven
 * directly through their tn_op_vtable as the pipeline driver would: the
 * build side sunk from several tasks' local states, combined, finalized;
 * probe batches pushed through `transform` from several tasks (looping on
 * *again); then the unmatched build rows read as a source.
 *
 * Plans are hand-built JOIN nodes (plan.h constructors), data hand-built
 * batches. The expected rows of the small cases were printed by DuckDB on
 * the same data (tests/interop/sql_join_duckdb.mjs); large cases check
 * counts and sums computed independently here.
 */
#include "tn_test.h"

#include "arrow/builder.h"
#include "arrow/cell.h"
#include "core/datetime.h"
#include "sql/exec/join.h"
#include "sql/exec/join_filter.h"
#include "sql/exec/operator.h"
#include "sql/expr/eval.h"

/* ---- the memory budget the operators reserve from ------------------------
 * The pipeline driver provides tn_exec_reserve; these weak definitions
 * let the test run the operators alone and refuse reservations at will. */
static int64_t budget_left = -1; /* -1: unlimited */
static int64_t reserved_now;

__attribute__((weak)) bool tn_exec_reserve(tn_op *op, int64_t bytes)
{
    (void)op;
    if (budget_left >= 0 && bytes > budget_left)
        return false;
    if (budget_left >= 0)
        budget_left -= bytes;
    reserved_now += bytes;
    return true;
}

__attribute__((weak)) void tn_exec_release(tn_op *op, int64_t bytes)
{
    (void)op;
    if (budget_left >= 0)
        budget_left += bytes;
    reserved_now -= bytes;
}


/* ---- building data -------------------------------------------------------- */

/* A column of type t (reference taken) from comma-separated values, "N"
 * for NULL; dates as YYYY-MM-DD, decimals as text with their scale. */
static tn_array *col(tn_type *t, const char *vals)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_builder *b = tn_builder_new(t);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", vals);
    for (char *save = NULL, *v = *buf ? strtok_r(buf, ",", &save) : NULL; v; v = strtok_r(NULL, ",", &save)) {
        int rc;
        if (strcmp(v, "N") == 0) {
            rc = tn_builder_append_null(b, &err);
        } else if (t->id == TN_STRING) {
            rc = tn_builder_append_str(b, v, &err);
        } else if (t->id == TN_DATE32) {
            int y, m, d;
            sscanf(v, "%d-%d-%d", &y, &m, &d);
            rc = tn_builder_append_int(b, tn_days_from_civil(y, m, d), &err);
        } else if (t->id == TN_DECIMAL128) {
            char digits[64];
            size_t n = 0;
            for (const char *p = v; *p && n < sizeof digits - 1; p++)
                if (*p != '.')
                    digits[n++] = *p;
            digits[n] = 0;
            rc = tn_builder_append_int(b, strtoll(digits, NULL, 10), &err);
        } else {
            rc = tn_builder_append_int(b, strtoll(v, NULL, 10), &err);
        }
        CHECK_OK(rc, &err);
    }
    tn_array *a = NULL;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    return a;
}

static tn_schema *schema_of(int n, const char *const *names, tn_type *const *types)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_schema *s = tn_schema_new(n);
    for (int i = 0; i < n; i++)
        CHECK_OK(tn_field_init(&s->fields[i], names[i], tn_type_ref(types[i]), true, &err), &err);
    return s;
}

/* A batch of schema s from columns (references taken). */
static tn_batch *batch_of(tn_schema *s, tn_array **cols)
{
    tn_batch *b = tn_batch_new(s, s->n_fields ? cols[0]->length : 0);
    for (int i = 0; i < s->n_fields; i++)
        b->columns[i] = cols[i];
    return b;
}

/* ---- building plans ----------------------------------------------------------- */

static tn_schema *join_out(tn_join_kind kind, const tn_schema *l, const tn_schema *r)
{
    tarn_error err;
    tarn_error_init(&err);
    bool pairs = !(kind == TN_JOIN_SEMI || kind == TN_JOIN_ANTI || kind == TN_JOIN_MARK);
    int n = l->n_fields + (pairs ? r->n_fields : kind == TN_JOIN_MARK);
    tn_schema *s = tn_schema_new(n);
    for (int i = 0; i < l->n_fields; i++)
        CHECK_OK(tn_field_copy(&s->fields[i], &l->fields[i], &err), &err);
    if (pairs)
        for (int i = 0; i < r->n_fields; i++)
            CHECK_OK(tn_field_copy(&s->fields[l->n_fields + i], &r->fields[i], &err), &err);
    else if (kind == TN_JOIN_MARK)
        CHECK_OK(tn_field_init(&s->fields[n - 1], "mark", tn_type_get(TN_BOOL), true, &err), &err);
    return s;
}

static tn_plan *leaf(tn_plan_ctx *pc, tn_schema *s)
{
    tn_plan *p = tn_plan_new(pc, TN_PLAN_VALUES, 0);
    p->out = tn_plan_keep_schema(pc, tn_schema_ref(s));
    return p;
}

/* A JOIN node of kind over l and r with keys l[lk[i]] = r[rk[i]]. */
static tn_plan *join_plan(tn_plan_ctx *pc, tn_join_kind kind, tn_schema *l, tn_schema *r, int nkeys, const int *lk,
                          const int *rk, const bool *null_equal)
{
    tn_plan *j = tn_plan_new(pc, TN_PLAN_JOIN, 2);
    j->join = kind;
    j->children[0] = leaf(pc, l);
    j->children[1] = leaf(pc, r);
    j->out = tn_plan_keep_schema(pc, join_out(kind, l, r));
    j->nkeys = nkeys;
    j->left_keys = tn_arena_calloc(&pc->arena, sizeof(tn_expr *) * (size_t)(nkeys + 1));
    j->right_keys = tn_arena_calloc(&pc->arena, sizeof(tn_expr *) * (size_t)(nkeys + 1));
    j->null_equal = tn_arena_calloc(&pc->arena, sizeof(bool) * (size_t)(nkeys + 1));
    for (int k = 0; k < nkeys; k++) {
        j->left_keys[k] = tn_expr_column(pc, lk[k], tn_type_ref(l->fields[lk[k]].type));
        j->right_keys[k] = tn_expr_column(pc, rk[k], tn_type_ref(r->fields[rk[k]].type));
        j->null_equal[k] = null_equal && null_equal[k];
    }
    return j;
}

/* #a cmp #b (column indexes over left ++ right), typed bool. */
static tn_expr *cmp_cols(tn_plan_ctx *pc, tn_cmp_op op, int a, tn_type *ta, int b, tn_type *tb, const char *text)
{
    tn_expr *e = tn_expr_new(pc, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    e->cmp = op;
    e->args[0] = tn_expr_column(pc, a, tn_type_ref(ta));
    e->args[1] = tn_expr_column(pc, b, tn_type_ref(tb));
    e->text = text;
    return e;
}

/* #a cmp literal v. */
static tn_expr *cmp_lit(tn_plan_ctx *pc, tn_cmp_op op, int a, tn_type *ta, int64_t v, const char *text)
{
    tn_expr *e = tn_expr_new(pc, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    e->cmp = op;
    e->args[0] = tn_expr_column(pc, a, tn_type_ref(ta));
    e->args[1] = tn_expr_literal(pc, tn_scalar_int(tn_type_ref(ta), v));
    e->text = text;
    return e;
}

/* ---- running an operator as the driver does ------------------------------------ */

typedef struct run_result {
    tn_batch **out;
    size_t n, cap;
    int64_t rows, max_batch;
    int64_t spilled; /* the operator's metrics.spilled_bytes */
} run_result;

static void result_reset(run_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        tn_batch_unref(r->out[i]);
    tn_free(r->out);
    memset(r, 0, sizeof *r);
}

static int keep_output(run_result *res, tn_batch *b, tarn_error *err)
{
    if (!b)
        return TARN_OK;
    res->rows += b->length;
    if (b->length > res->max_batch)
        res->max_batch = b->length;
    int rc = tn_batch_check(b, err);
    if (rc) {
        tn_batch_unref(b);
        return rc;
    }
    return tn_batch_push(&res->out, &res->n, &res->cap, b, err) ? TARN_ENOMEM : TARN_OK;
}

#define MAX_TASKS 8

/* Build from `tasks` sink states (batch i goes to task i % tasks). */
static int run_build(tn_op *op, tn_batch **right, int nr, int tasks, tarn_error *err)
{
    void *loc[MAX_TASKS] = {0};
    int rc = TARN_OK, made = 0;
    for (; made < tasks && rc == TARN_OK; made++)
        rc = op->vt->sink_local_init(op, &loc[made], err);
    if (rc)
        made--;
    for (int i = 0; i < nr && rc == TARN_OK; i++)
        rc = op->vt->sink(op, loc[i % tasks], right[i], err);
    for (int t = 0; t < made; t++) {
        if (rc == TARN_OK)
            rc = op->vt->sink_combine(op, loc[t], err);
        else
            op->vt->sink_local_free(op, loc[t]);
    }
    if (rc == TARN_OK)
        rc = op->vt->sink_finalize(op, err);
    return rc;
}

/* Probe from `tasks` transform states, then read the unmatched build rows. */
static int run_probe(tn_op *op, tn_batch **left, int nl, int tasks, run_result *res, tarn_error *err)
{
    void *loc[MAX_TASKS] = {0};
    int rc = TARN_OK, made = 0;
    for (; made < tasks && rc == TARN_OK; made++)
        rc = op->vt->local_init(op, &loc[made], err);
    if (rc)
        made--;
    for (int i = 0; i < nl && rc == TARN_OK; i++) {
        bool again = false;
        int calls = 0;
        do {
            tn_batch *o = NULL;
            rc = op->vt->transform(op, loc[i % tasks], left[i], &o, &again, err);
            if (rc == TARN_OK)
                rc = keep_output(res, o, err);
            calls++;
        } while (rc == TARN_OK && again && calls < 1000000);
    }
    for (int t = 0; t < made; t++)
        op->vt->local_free(op, loc[t]);
    int64_t parts = 0;
    if (rc == TARN_OK)
        rc = op->vt->source_partitions(op, &parts, err);
    for (int64_t p = 0; p < parts && rc == TARN_OK; p++) {
        void *state = NULL;
        for (;;) {
            tn_batch *o = NULL;
            rc = op->vt->source_next(op, p, &state, &o, err);
            if (rc || !o)
                break;
            rc = keep_output(res, o, err);
            if (rc)
                break;
        }
        op->vt->source_done(op, state);
    }
    return rc;
}

typedef enum { HASH, NESTED } join_algo;

/* What tn_op_free does for an operator without children: destroy, then
 * the children array and the output schema. */
static void op_free(tn_op *op)
{
    tn_free(op->children);
    tn_schema *s = op->out;
    op->vt->destroy(op);
    tn_schema_unref(s);
}

static int run_join(tn_exec_ctx *ctx, join_algo algo, const tn_plan *plan, tn_batch **left, int nl, tn_batch **right,
                    int nr, int tasks, run_result *res, tarn_error *err)
{
    tn_op *op = NULL;
    int rc = algo == HASH ? tn_op_hash_join_new(ctx, plan, NULL, NULL, &op, err)
                          : tn_op_nested_loop_join_new(ctx, plan, NULL, NULL, &op, err);
    if (rc)
        return rc;
    bool swap = algo == HASH && tn_hash_join_builds_left(op); /* the left side builds */
    rc = run_build(op, swap ? left : right, swap ? nl : nr, tasks, err);
    if (rc == TARN_OK)
        rc = run_probe(op, swap ? right : left, swap ? nr : nl, tasks, res, err);
    res->spilled = op->metrics.spilled_bytes;
    op_free(op);
    return rc;
}

/* ---- rendering results as sorted lines (as the DuckDB script prints them) ---------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows of res as sorted "v1|v2|..." lines (a new string). */
static char *render(const run_result *res)
{
    tarn_error err;
    tarn_error_init(&err);
    char **lines = tn_calloc((size_t)res->rows + 1, sizeof *lines);
    size_t n = 0;
    for (size_t b = 0; b < res->n; b++) {
        tn_batch *bt = res->out[b];
        for (int64_t r = 0; r < bt->length; r++) {
            tn_buf line;
            tn_buf_init(&line, 0);
            for (int32_t c = 0; c < bt->schema->n_fields; c++) {
                if (c)
                    CHECK_OK(tn_buf_append_byte(&line, '|', &err), &err);
                if (tn_cell_is_null(bt->columns[c], r))
                    CHECK_OK(tn_buf_append_str(&line, "NULL", &err), &err);
                else
                    CHECK_OK(tn_cell_format(&line, bt->columns[c], r, TN_CELL_CSV, &err), &err);
            }
            lines[n++] = tn_strdup(line.data ? (char *)line.data : "");
            tn_buf_reset(&line);
        }
    }
    qsort(lines, n, sizeof *lines, cmp_str);
    tn_buf all;
    tn_buf_init(&all, 0);
    for (size_t i = 0; i < n; i++) {
        CHECK_OK(tn_buf_append_str(&all, lines[i], &err), &err);
        CHECK_OK(tn_buf_append_byte(&all, '\n', &err), &err);
        tn_free(lines[i]);
    }
    tn_free(lines);
    char *s = tn_strdup(all.data ? (char *)all.data : "");
    tn_buf_reset(&all);
    return s;
}

#include "test_sql_join_expected.inc"

static const char *expected(const char *name)
{
    for (size_t i = 0; i < sizeof duck / sizeof *duck; i++)
        if (strcmp(duck[i].name, name) == 0)
            return duck[i].rows;
    return "(no such expectation)";
}

/* ---- the small tables (same rows as the DuckDB script) ----------------------------- */

typedef struct fixture {
    tn_plan_ctx pc;
    tn_exec_ctx ctx;
    tn_schema *ls, *rs;
    tn_batch *left[3], *right[3];
    int nl, nr;
} fixture;

/* l(a int, s varchar) and r(b int, v bigint) in two or three batches each;
 * r_rows selects r's rows: "all", "nonull" or "unique". */
static void fixture_init(fixture *f, const char *r_rows)
{
    memset(f, 0, sizeof *f);
    tn_plan_ctx_init(&f->pc);
    f->ctx.batch_rows = 4;
    tn_type *i32 = tn_type_get(TN_INT32), *i64 = tn_type_get(TN_INT64), *str = tn_type_get(TN_STRING);
    f->ls = schema_of(2, (const char *[]){"a", "s"}, (tn_type *[]){i32, str});
    f->rs = schema_of(2, (const char *[]){"b", "v"}, (tn_type *[]){i32, i64});
    f->left[0] = batch_of(f->ls, (tn_array *[]){col(i32, "1,2,2"), col(str, "x,y,y2")});
    f->left[1] = batch_of(f->ls, (tn_array *[]){col(i32, "3,N"), col(str, "z,n")});
    f->left[2] = batch_of(f->ls, (tn_array *[]){col(i32, "5"), col(str, "w")});
    f->nl = 3;
    if (strcmp(r_rows, "all") == 0) {
        f->right[0] = batch_of(f->rs, (tn_array *[]){col(i32, "2,2,3"), col(i64, "20,21,30")});
        f->right[1] = batch_of(f->rs, (tn_array *[]){col(i32, "4,N,6"), col(i64, "40,99,60")});
        f->nr = 2;
    } else if (strcmp(r_rows, "nonull") == 0) {
        f->right[0] = batch_of(f->rs, (tn_array *[]){col(i32, "2,2"), col(i64, "20,21")});
        f->right[1] = batch_of(f->rs, (tn_array *[]){col(i32, "3,4"), col(i64, "30,40")});
        f->right[2] = batch_of(f->rs, (tn_array *[]){col(i32, "6"), col(i64, "60")});
        f->nr = 3;
    } else {
        f->right[0] = batch_of(f->rs, (tn_array *[]){col(i32, "3,4"), col(i64, "30,40")});
        f->right[1] = batch_of(f->rs, (tn_array *[]){col(i32, "N,6"), col(i64, "99,60")});
        f->nr = 2;
    }
}

static void fixture_free(fixture *f)
{
    for (int i = 0; i < 3; i++) {
        tn_batch_unref(f->left[i]);
        tn_batch_unref(f->right[i]);
    }
    tn_schema_unref(f->ls);
    tn_schema_unref(f->rs);
    tn_plan_ctx_free(&f->pc);
}

/* Run plan on the fixture with 1, 2 and 3 tasks; every run must give want. */
static void check_join(fixture *f, join_algo algo, tn_plan *plan, const char *want)
{
    for (int tasks = 1; tasks <= 3; tasks++) {
        tarn_error err;
        tarn_error_init(&err);
        run_result res = {0};
        CHECK_OK(run_join(&f->ctx, algo, plan, f->left, f->nl, f->right, f->nr, tasks, &res, &err), &err);
        char *got = render(&res);
        CHECK_STR(got, want);
        CHECK(res.max_batch <= f->ctx.batch_rows);
        tn_free(got);
        result_reset(&res);
    }
    CHECK_EQ_INT(reserved_now, 0);
}

static void check_hash_kind(tn_join_kind kind, const char *r_rows, const char *name)
{
    fixture f;
    fixture_init(&f, r_rows);
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    check_join(&f, HASH, p, expected(name));
    fixture_free(&f);
}

TEST(hash_inner) { check_hash_kind(TN_JOIN_INNER, "all", "inner"); }
TEST(hash_left) { check_hash_kind(TN_JOIN_LEFT, "all", "left"); }
TEST(hash_right) { check_hash_kind(TN_JOIN_RIGHT, "all", "right"); }
TEST(hash_full) { check_hash_kind(TN_JOIN_FULL, "all", "full"); }
TEST(hash_semi) { check_hash_kind(TN_JOIN_SEMI, "all", "semi"); }
TEST(hash_anti) { check_hash_kind(TN_JOIN_ANTI, "all", "anti"); }
TEST(hash_mark_with_null_build_key) { check_hash_kind(TN_JOIN_MARK, "all", "mark"); }
TEST(hash_mark) { check_hash_kind(TN_JOIN_MARK, "nonull", "mark_nonull"); }
TEST(hash_single) { check_hash_kind(TN_JOIN_SINGLE, "unique", "single"); }

/* A scalar subquery that returns two rows for a left row is an error. */
TEST(hash_single_two_matches)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_SINGLE, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    tarn_error err;
    tarn_error_init(&err);
    run_result res = {0};
    CHECK(run_join(&f.ctx, HASH, p, f.left, f.nl, f.right, f.nr, 1, &res, &err) == TARN_EINVAL);
    CHECK_MSG(&err, "more than one row returned by a subquery used as an expression");
    result_reset(&res);
    fixture_free(&f);
}

static void check_hash_cond(tn_join_kind kind, const char *name)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    p->condition = cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20");
    check_join(&f, HASH, p, expected(name));
    fixture_free(&f);
}

TEST(hash_inner_condition) { check_hash_cond(TN_JOIN_INNER, "inner_cond"); }
TEST(hash_left_condition) { check_hash_cond(TN_JOIN_LEFT, "left_cond"); }
TEST(hash_full_condition) { check_hash_cond(TN_JOIN_FULL, "full_cond"); }
TEST(hash_semi_condition) { check_hash_cond(TN_JOIN_SEMI, "semi_cond"); }
TEST(hash_anti_condition) { check_hash_cond(TN_JOIN_ANTI, "anti_cond"); }

/* SEMI/ANTI joins whose right side is estimated much larger build on the
 * left side; the rows are the same. */
static void check_swapped(tn_join_kind kind, bool cond, const char *name)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    if (cond)
        p->condition = cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20");
    p->children[0]->est_rows = 10;
    p->children[1]->est_rows = 1000;
    tarn_error err;
    tarn_error_init(&err);
    tn_op *op = NULL;
    CHECK_OK(tn_op_hash_join_new(&f.ctx, p, NULL, NULL, &op, &err), &err);
    CHECK(tn_hash_join_builds_left(op));
    op_free(op);
    check_join(&f, HASH, p, expected(name));
    fixture_free(&f);
}

TEST(hash_semi_left_builds) { check_swapped(TN_JOIN_SEMI, false, "semi"); }
TEST(hash_anti_left_builds) { check_swapped(TN_JOIN_ANTI, false, "anti"); }
TEST(hash_semi_condition_left_builds) { check_swapped(TN_JOIN_SEMI, true, "semi_cond"); }
TEST(hash_anti_condition_left_builds) { check_swapped(TN_JOIN_ANTI, true, "anti_cond"); }



/* x IN (SELECT y FROM i WHERE i.c IS NOT DISTINCT FROM o.c), decorrelated
 * into a MARK join on x = y and c IS NOT DISTINCT FROM c: NULL marks are
 * decided per correlation group. */
TEST(hash_mark_correlated)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 4};
    tn_type *i32 = tn_type_get(TN_INT32);
    tn_schema *os = schema_of(2, (const char *[]){"c", "x"}, (tn_type *[]){i32, i32});
    tn_schema *is = schema_of(2, (const char *[]){"c", "y"}, (tn_type *[]){i32, i32});
    tn_batch *o[2], *in[2];
    o[0] = batch_of(os, (tn_array *[]){col(i32, "1,1,1,2,2"), col(i32, "1,N,5,1,N")});
    o[1] = batch_of(os, (tn_array *[]){col(i32, "3,3,N,N"), col(i32, "1,N,1,7")});
    in[0] = batch_of(is, (tn_array *[]){col(i32, "1,1,2"), col(i32, "1,2,N")});
    in[1] = batch_of(is, (tn_array *[]){col(i32, "2,4,N"), col(i32, "3,1,1")});
    tn_plan *p = join_plan(&pc, TN_JOIN_MARK, os, is, 2, (int[]){1, 0}, (int[]){1, 0}, (bool[]){false, true});
    for (int tasks = 1; tasks <= 2; tasks++) {
        tarn_error err;
        tarn_error_init(&err);
        run_result res = {0};
        CHECK_OK(run_join(&ctx, HASH, p, o, 2, in, 2, tasks, &res, &err), &err);
        char *got = render(&res);
        CHECK_STR(got, expected("mark_corr"));
        tn_free(got);
        result_reset(&res);
    }
    for (int b = 0; b < 2; b++) {
        tn_batch_unref(o[b]);
        tn_batch_unref(in[b]);
    }
    tn_schema_unref(os);
    tn_schema_unref(is);
    tn_plan_ctx_free(&pc);
}

/* ---- computed keys (through the evaluator) ----------------------------------------- */

/* ON a * 2 = b: the left key is an expression, the right one a column
 * (cast to the product's type when the binder would). */
static void check_computed_key(tn_join_kind kind, const char *name)
{
    fixture f;
    fixture_init(&f, "all");
    tarn_error err;
    tarn_error_init(&err);
    tn_type *i32 = tn_type_get(TN_INT32), *prod = NULL;
    CHECK_OK(tn_arith_result_type(TN_MUL, i32, i32, &prod, &err), &err);
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    tn_expr *mul = tn_expr_new(&f.pc, TN_EXPR_ARITH, tn_type_ref(prod), 2);
    mul->arith = TN_MUL;
    mul->args[0] = tn_expr_column(&f.pc, 0, tn_type_ref(i32));
    mul->args[1] = tn_expr_literal(&f.pc, tn_scalar_int(tn_type_ref(i32), 2));
    mul->text = "a * 2";
    p->left_keys[0] = mul;
    if (!tn_type_equals(prod, i32)) {
        tn_expr *cast = tn_expr_new(&f.pc, TN_EXPR_CAST, tn_type_ref(prod), 1);
        cast->args[0] = p->right_keys[0];
        p->right_keys[0] = cast;
    }
    check_join(&f, HASH, p, expected(name));
    tn_type_unref(prod);
    fixture_free(&f);
}

TEST(hash_computed_key) { check_computed_key(TN_JOIN_INNER, "computed_key"); }
TEST(hash_computed_key_left) { check_computed_key(TN_JOIN_LEFT, "computed_key_left"); }


/* Keys of different types (the binder should have cast them) are cast to
 * their common type; types without one are refused, naming the key. */
TEST(hash_key_types_differ)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 16};
    tn_type *i32 = tn_type_get(TN_INT32), *i64 = tn_type_get(TN_INT64), *str = tn_type_get(TN_STRING);
    tn_schema *ls = schema_of(1, (const char *[]){"a"}, (tn_type *[]){i32});
    tn_schema *rs = schema_of(2, (const char *[]){"b", "s"}, (tn_type *[]){i64, str});
    tn_batch *l = batch_of(ls, (tn_array *[]){col(i32, "1,2,3,N")});
    tn_batch *r = batch_of(rs, (tn_array *[]){col(i64, "2,3,3,4,N"), col(str, "p,q,r,s,t")});
    tn_plan *p = join_plan(&pc, TN_JOIN_INNER, ls, rs, 1, (int[]){0}, (int[]){0}, NULL);
    tarn_error err;
    tarn_error_init(&err);
    run_result res = {0};
    CHECK_OK(run_join(&ctx, HASH, p, &l, 1, &r, 1, 1, &res, &err), &err);
    char *got = render(&res);
    CHECK_STR(got, "2|2|p\n3|3|q\n3|3|r\n");
    tn_free(got);
    result_reset(&res);
    tn_plan *bad = join_plan(&pc, TN_JOIN_INNER, ls, rs, 1, (int[]){0}, (int[]){1}, NULL);
    bad->left_keys[0]->text = "a";
    bad->right_keys[0]->text = "s";
    tn_op *op = NULL;
    CHECK(tn_op_hash_join_new(&ctx, bad, NULL, NULL, &op, &err) != TARN_OK);
    CHECK_MSG(&err, "hash join key 0 (a = s)");
    tn_batch_unref(l);
    tn_batch_unref(r);
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_plan_ctx_free(&pc);
}

/* ---- tasks on real threads ---------------------------------------------------------- */

typedef struct thread_task {
    tn_op *op;
    tn_batch **batches;
    int n, stride, first;
    void *local;
    run_result res;
} thread_task;

static int sink_task(void *arg, tarn_error *err)
{
    thread_task *t = arg;
    for (int i = t->first; i < t->n; i += t->stride)
        TN_TRY(t->op->vt->sink(t->op, t->local, t->batches[i], err));
    return TARN_OK;
}

static int probe_task(void *arg, tarn_error *err)
{
    thread_task *t = arg;
    for (int i = t->first; i < t->n; i += t->stride) {
        bool again;
        do {
            tn_batch *o = NULL;
            TN_TRY(t->op->vt->transform(t->op, t->local, t->batches[i], &o, &again, err));
            TN_TRY(keep_output(&t->res, o, err));
        } while (again);
    }
    return TARN_OK;
}

/* A FULL join of 200K x 200K rows with sink and probe tasks running at once
 * on the pool: matched build rows are flagged from several threads. Left
 * keys 0..N-1, right keys N/2..3N/2-1 (each once). */
TEST(full_join_on_threads)
{
    enum { N = 200000, NB = 20, T = 4 };
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 1000};
    tn_type *i64 = tn_type_get(TN_INT64);
    tn_schema *ls = schema_of(1, (const char *[]){"a"}, (tn_type *[]){i64});
    tn_schema *rs = schema_of(1, (const char *[]){"b"}, (tn_type *[]){i64});
    tarn_error err;
    tarn_error_init(&err);
    tn_batch *l[NB], *r[NB];
    for (int b = 0; b < NB; b++) {
        tn_builder *x = tn_builder_new(i64), *y = tn_builder_new(i64);
        for (int64_t i = b * (N / NB); i < (b + 1) * (N / NB); i++) {
            CHECK_OK(tn_builder_append_int(x, i, &err), &err);
            CHECK_OK(tn_builder_append_int(y, i + N / 2, &err), &err);
        }
        tn_array *xa = NULL, *ya = NULL;
        CHECK_OK(tn_builder_finish(x, &xa, &err), &err);
        CHECK_OK(tn_builder_finish(y, &ya, &err), &err);
        tn_builder_free(x);
        tn_builder_free(y);
        l[b] = batch_of(ls, (tn_array *[]){xa});
        r[b] = batch_of(rs, (tn_array *[]){ya});
    }
    tn_plan *p = join_plan(&pc, TN_JOIN_FULL, ls, rs, 1, (int[]){0}, (int[]){0}, NULL);
    tn_op *op = NULL;
    CHECK_OK(tn_op_hash_join_new(&ctx, p, NULL, NULL, &op, &err), &err);
    thread_task tasks[T];
    memset(tasks, 0, sizeof tasks);
    tn_taskgroup *g = tn_taskgroup_new();
    for (int t = 0; t < T; t++) {
        tasks[t] = (thread_task){.op = op, .batches = r, .n = NB, .stride = T, .first = t};
        CHECK_OK(op->vt->sink_local_init(op, &tasks[t].local, &err), &err);
        CHECK_OK(tn_taskgroup_spawn(g, sink_task, &tasks[t]), &err);
    }
    CHECK_OK(tn_taskgroup_wait(g, &err), &err);
    for (int t = 0; t < T; t++)
        CHECK_OK(op->vt->sink_combine(op, tasks[t].local, &err), &err);
    CHECK_OK(op->vt->sink_finalize(op, &err), &err);
    for (int t = 0; t < T; t++) {
        tasks[t] = (thread_task){.op = op, .batches = l, .n = NB, .stride = T, .first = t};
        CHECK_OK(op->vt->local_init(op, &tasks[t].local, &err), &err);
        CHECK_OK(tn_taskgroup_spawn(g, probe_task, &tasks[t]), &err);
    }
    CHECK_OK(tn_taskgroup_wait(g, &err), &err);
    tn_taskgroup_free(g);
    run_result all = {0};
    int64_t both = 0, left_only = 0, right_only = 0;
    for (int t = 0; t < T; t++) {
        op->vt->local_free(op, tasks[t].local);
        for (size_t b = 0; b < tasks[t].res.n; b++)
            CHECK_OK(keep_output(&all, tn_batch_ref(tasks[t].res.out[b]), &err), &err);
        result_reset(&tasks[t].res);
    }
    int64_t parts = 0;
    CHECK_OK(op->vt->source_partitions(op, &parts, &err), &err);
    for (int64_t part = 0; part < parts; part++) {
        void *state = NULL;
        tn_batch *o = NULL;
        do {
            CHECK_OK(op->vt->source_next(op, part, &state, &o, &err), &err);
            CHECK_OK(keep_output(&all, o, &err), &err);
        } while (o);
        op->vt->source_done(op, state);
    }
    for (size_t b = 0; b < all.n; b++) {
        tn_batch *o = all.out[b];
        for (int64_t i = 0; i < o->length; i++) {
            bool lv = tn_array_is_valid(o->columns[0], i), rv = tn_array_is_valid(o->columns[1], i);
            both += lv && rv && TN_VALUES(o->columns[0], int64_t)[i] == TN_VALUES(o->columns[1], int64_t)[i];
            left_only += lv && !rv;
            right_only += !lv && rv;
        }
    }
    CHECK_EQ_INT(both, N / 2);
    CHECK_EQ_INT(left_only, N / 2);
    CHECK_EQ_INT(right_only, N / 2);
    CHECK_EQ_INT(all.rows, 3 * N / 2);
    CHECK(all.max_batch <= 1000);
    result_reset(&all);
    op_free(op);
    for (int b = 0; b < NB; b++) {
        tn_batch_unref(l[b]);
        tn_batch_unref(r[b]);
    }
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_plan_ctx_free(&pc);
}

/* ---- nested-loop join ------------------------------------------------------------ */

static void check_nested(tn_join_kind kind, const char *name)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 0, NULL, NULL, NULL);
    p->condition = cmp_cols(&f.pc, TN_CMP_LT, 0, tn_type_get(TN_INT32), 2, tn_type_get(TN_INT32), "a < b");
    check_join(&f, NESTED, p, expected(name));
    fixture_free(&f);
}

TEST(nested_inner) { check_nested(TN_JOIN_INNER, "nl_inner"); }
TEST(nested_left) { check_nested(TN_JOIN_LEFT, "nl_left"); }
TEST(nested_right) { check_nested(TN_JOIN_RIGHT, "nl_right"); }
TEST(nested_full) { check_nested(TN_JOIN_FULL, "nl_full"); }
TEST(nested_semi) { check_nested(TN_JOIN_SEMI, "nl_semi"); }
TEST(nested_anti) { check_nested(TN_JOIN_ANTI, "nl_anti"); }
TEST(nested_mark) { check_nested(TN_JOIN_MARK, "nl_mark"); }

/* ON a < b AND v < 50 AND s <> 'y2': an n-ary AND through tn_expr_select. */
TEST(nested_left_and_condition)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_LEFT, f.ls, f.rs, 0, NULL, NULL, NULL);
    tn_expr *ne = tn_expr_new(&f.pc, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2);
    ne->cmp = TN_CMP_NE;
    ne->args[0] = tn_expr_column(&f.pc, 1, tn_type_get(TN_STRING));
    ne->args[1] = tn_expr_literal(&f.pc, tn_scalar_bytes(tn_type_get(TN_STRING), "y2", 2));
    tn_expr *and = tn_expr_new(&f.pc, TN_EXPR_AND, tn_type_get(TN_BOOL), 3);
    and->args[0] = cmp_cols(&f.pc, TN_CMP_LT, 0, tn_type_get(TN_INT32), 2, tn_type_get(TN_INT32), "a < b");
    and->args[1] = cmp_lit(&f.pc, TN_CMP_LT, 3, tn_type_get(TN_INT64), 50, "v < 50");
    and->args[2] = ne;
    p->condition = and;
    check_join(&f, NESTED, p, expected("nl_left_and"));
    fixture_free(&f);
}

TEST(nested_cross)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_CROSS, f.ls, f.rs, 0, NULL, NULL, NULL);
    tarn_error err;
    tarn_error_init(&err);
    run_result res = {0};
    CHECK_OK(run_join(&f.ctx, NESTED, p, f.left, f.nl, f.right, f.nr, 2, &res, &err), &err);
    CHECK_EQ_INT(res.rows, 36); /* DuckDB: nl_cross_count */
    CHECK(strstr(expected("nl_cross_count"), "36") != NULL);
    CHECK(res.max_batch <= f.ctx.batch_rows);
    result_reset(&res);
    fixture_free(&f);
}

/* Equality keys in a nested-loop join (a plan the physical planner may
 * give it) are checked on each block like the hash join does. */
TEST(nested_with_keys_matches_hash)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_FULL, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    p->condition = cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20");
    check_join(&f, NESTED, p, expected("full_cond"));
    fixture_free(&f);
}

/* ---- multi-column keys of mixed types ------------------------------------------------ */

static void multi_check(tn_join_kind kind, bool k2_null_equal, const char *name, join_algo algo)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 3};
    tn_type *i64 = tn_type_get(TN_INT64), *str = tn_type_get(TN_STRING), *date = tn_type_get(TN_DATE32);
    tn_type *dec = tn_type_decimal(128, 10, 2), *i32 = tn_type_get(TN_INT32);
    tn_schema *ls = schema_of(5, (const char *[]){"k1", "k2", "k3", "k4", "p"}, (tn_type *[]){i64, str, date, dec, i32});
    tn_schema *rs = schema_of(5, (const char *[]){"k1", "k2", "k3", "k4", "q"}, (tn_type *[]){i64, str, date, dec, i32});
    tn_batch *l[2], *r[2];
    l[0] = batch_of(ls, (tn_array *[]){col(i64, "1,1,2,2"), col(str, "a,a,N,b"),
                                       col(date, "2024-01-01,2024-01-02,2024-02-01,2024-02-01"),
                                       col(dec, "1.50,1.50,2.00,2.00"), col(i32, "10,11,12,13")});
    l[1] = batch_of(ls, (tn_array *[]){col(i64, "3,3,N"), col(str, "c,c,d"), col(date, "2024-03-01,2024-03-01,2024-04-01"),
                                       col(dec, "3.25,3.25,4.00"), col(i32, "14,15,16")});
    r[0] = batch_of(rs, (tn_array *[]){col(i64, "1,1,2"), col(str, "a,a,N"), col(date, "2024-01-01,2024-01-01,2024-02-01"),
                                       col(dec, "1.50,1.51,2.00"), col(i32, "100,101,102")});
    r[1] = batch_of(rs, (tn_array *[]){col(i64, "3,3,N,2"), col(str, "c,c,d,b"),
                                       col(date, "2024-03-01,2024-03-01,2024-04-01,2024-02-01"),
                                       col(dec, "3.25,3.25,4.00,2.00"), col(i32, "103,104,105,106")});
    tn_plan *p = join_plan(&pc, kind, ls, rs, 4, (int[]){0, 1, 2, 3}, (int[]){0, 1, 2, 3},
                           (bool[]){false, k2_null_equal, false, false});
    for (int tasks = 1; tasks <= 2; tasks++) {
        tarn_error err;
        tarn_error_init(&err);
        run_result res = {0};
        CHECK_OK(run_join(&ctx, algo, p, l, 2, r, 2, tasks, &res, &err), &err);
        char *got = render(&res);
        CHECK_STR(got, expected(name));
        tn_free(got);
        result_reset(&res);
    }
    for (int i = 0; i < 2; i++) {
        tn_batch_unref(l[i]);
        tn_batch_unref(r[i]);
    }
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_type_unref(dec);
    tn_plan_ctx_free(&pc);
}

TEST(hash_multi_key_null_equal) { multi_check(TN_JOIN_INNER, true, "multi_inner", HASH); }
TEST(hash_multi_key_left) { multi_check(TN_JOIN_LEFT, false, "multi_left", HASH); }
TEST(nested_multi_key_left) { multi_check(TN_JOIN_LEFT, false, "multi_left", NESTED); }

/* ---- empty sides ------------------------------------------------------------------- */

TEST(empty_build_side)
{
    fixture f;
    fixture_init(&f, "all");
    const struct {
        tn_join_kind kind;
        int64_t rows;
    } cases[] = {{TN_JOIN_INNER, 0}, {TN_JOIN_LEFT, 6}, {TN_JOIN_RIGHT, 0}, {TN_JOIN_FULL, 6},
                 {TN_JOIN_SEMI, 0},  {TN_JOIN_ANTI, 6}, {TN_JOIN_MARK, 6},  {TN_JOIN_SINGLE, 6}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        tn_plan *p = join_plan(&f.pc, cases[c].kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
        for (int algo = HASH; algo <= NESTED; algo++) {
            tarn_error err;
            tarn_error_init(&err);
            run_result res = {0};
            CHECK_OK(run_join(&f.ctx, (join_algo)algo, p, f.left, f.nl, NULL, 0, 2, &res, &err), &err);
            CHECK_EQ_INT(res.rows, cases[c].rows);
            if (cases[c].kind == TN_JOIN_MARK) {
                /* x IN (empty) is false, even for a NULL x */
                char *got = render(&res);
                CHECK_STR(got, "1|x|false\n2|y2|false\n2|y|false\n3|z|false\n5|w|false\nNULL|n|false\n");
                tn_free(got);
            }
            result_reset(&res);
        }
    }
    fixture_free(&f);
}

TEST(empty_probe_side)
{
    fixture f;
    fixture_init(&f, "all");
    const struct {
        tn_join_kind kind;
        int64_t rows;
    } cases[] = {{TN_JOIN_INNER, 0}, {TN_JOIN_LEFT, 0}, {TN_JOIN_RIGHT, 6}, {TN_JOIN_FULL, 6}, {TN_JOIN_ANTI, 0}};
    /* an empty probe batch goes through too */
    tn_batch *empty = tn_batch_slice(f.left[0], 0, 0);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        tn_plan *p = join_plan(&f.pc, cases[c].kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
        for (int algo = HASH; algo <= NESTED; algo++) {
            tarn_error err;
            tarn_error_init(&err);
            run_result res = {0};
            CHECK_OK(run_join(&f.ctx, (join_algo)algo, p, &empty, 1, f.right, f.nr, 2, &res, &err), &err);
            CHECK_EQ_INT(res.rows, cases[c].rows);
            result_reset(&res);
        }
    }
    tn_batch_unref(empty);
    fixture_free(&f);
}

/* ---- more matches than one output batch holds ------------------------------------------ */

/* One probe row matching 1000 build rows, with batches of 64 rows: the
 * operator asks to be called again until every match is out. */
TEST(matches_exceed_one_batch)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 64};
    tn_type *i64 = tn_type_get(TN_INT64);
    tn_schema *ls = schema_of(1, (const char *[]){"a"}, (tn_type *[]){i64});
    tn_schema *rs = schema_of(2, (const char *[]){"b", "v"}, (tn_type *[]){i64, i64});
    tarn_error err;
    tarn_error_init(&err);
    tn_builder *bk = tn_builder_new(i64), *bv = tn_builder_new(i64);
    int64_t want_sum = 0;
    for (int64_t i = 0; i < 1000; i++) {
        CHECK_OK(tn_builder_append_int(bk, i % 10 == 9 ? 8 : 7, &err), &err);
        CHECK_OK(tn_builder_append_int(bv, i, &err), &err);
        want_sum += i % 10 == 9 ? 0 : 3 * i; /* key 7 is probed three times */
    }
    tn_array *k = NULL, *v = NULL;
    CHECK_OK(tn_builder_finish(bk, &k, &err), &err);
    CHECK_OK(tn_builder_finish(bv, &v, &err), &err);
    tn_builder_free(bk);
    tn_builder_free(bv);
    tn_batch *r = batch_of(rs, (tn_array *[]){k, v});
    tn_batch *l = batch_of(ls, (tn_array *[]){col(i64, "7,1,7,7")});
    const tn_join_kind kinds[] = {TN_JOIN_INNER, TN_JOIN_LEFT, TN_JOIN_RIGHT, TN_JOIN_FULL};
    for (size_t c = 0; c < 4; c++) {
        tn_plan *p = join_plan(&pc, kinds[c], ls, rs, 1, (int[]){0}, (int[]){0}, NULL);
        run_result res = {0};
        CHECK_OK(run_join(&ctx, HASH, p, &l, 1, &r, 1, 1, &res, &err), &err);
        int64_t matched = 0, sum = 0, unmatched_left = 0, unmatched_right = 0;
        for (size_t b = 0; b < res.n; b++) {
            tn_batch *o = res.out[b];
            for (int64_t i = 0; i < o->length; i++) {
                bool lv = tn_array_is_valid(o->columns[0], i), rv = tn_array_is_valid(o->columns[1], i);
                matched += lv && rv;
                unmatched_left += lv && !rv;
                unmatched_right += !lv && rv;
                if (lv && rv)
                    sum += TN_VALUES(o->columns[2], int64_t)[i];
            }
        }
        CHECK_EQ_INT(matched, 2700);
        CHECK_EQ_INT(sum, want_sum);
        CHECK_EQ_INT(unmatched_left, kinds[c] == TN_JOIN_LEFT || kinds[c] == TN_JOIN_FULL ? 1 : 0);
        CHECK_EQ_INT(unmatched_right, kinds[c] == TN_JOIN_RIGHT || kinds[c] == TN_JOIN_FULL ? 100 : 0);
        CHECK(res.max_batch <= 64);
        CHECK(res.n >= 2700 / 64);
        result_reset(&res);
    }
    tn_batch_unref(l);
    tn_batch_unref(r);
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_plan_ctx_free(&pc);
}

/* ---- a 1M-row build ------------------------------------------------------------------------ */

/* Build keys 0..N-1 (payload 3*key) in 16 batches over 4 tasks; probe keys
 * 0, 7, 14, ... up to 2N: exactly the probe keys below N match once. */
static void big_join(bool string_keys, int64_t n)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 8192};
    /* probe batches of ~18K rows: tails come out in slices of batch_rows */
    tn_type *kt = tn_type_get(string_keys ? TN_STRING : TN_INT64), *i64 = tn_type_get(TN_INT64);
    tn_schema *rs = schema_of(2, (const char *[]){"k", "v"}, (tn_type *[]){kt, i64});
    tn_schema *ls = schema_of(1, (const char *[]){"k"}, (tn_type *[]){kt});
    tarn_error err;
    tarn_error_init(&err);
    enum { NB = 16 };
    tn_batch *r[NB], *l[NB];
    int64_t per = n / NB, probe_n = 2 * n / 7 + 1, probe_per = probe_n / NB + 1;
    int64_t want_rows = 0, want_sum = 0;
    char text[32];
    for (int b = 0; b < NB; b++) {
        tn_builder *bk = tn_builder_new(kt), *bv = tn_builder_new(i64), *pk = tn_builder_new(kt);
        for (int64_t i = b * per; i < (b + 1) * per; i++) {
            if (string_keys) {
                snprintf(text, sizeof text, "key-%lld", (long long)i);
                CHECK_OK(tn_builder_append_str(bk, text, &err), &err);
            } else {
                CHECK_OK(tn_builder_append_int(bk, i, &err), &err);
            }
            CHECK_OK(tn_builder_append_int(bv, 3 * i, &err), &err);
        }
        for (int64_t j = b * probe_per; j < (b + 1) * probe_per && j < probe_n; j++) {
            int64_t key = 7 * j;
            if (string_keys) {
                snprintf(text, sizeof text, "key-%lld", (long long)key);
                CHECK_OK(tn_builder_append_str(pk, text, &err), &err);
            } else {
                CHECK_OK(tn_builder_append_int(pk, key, &err), &err);
            }
            if (key < n) {
                want_rows++;
                want_sum += 3 * key;
            }
        }
        tn_array *a = NULL, *v = NULL, *p = NULL;
        CHECK_OK(tn_builder_finish(bk, &a, &err), &err);
        CHECK_OK(tn_builder_finish(bv, &v, &err), &err);
        CHECK_OK(tn_builder_finish(pk, &p, &err), &err);
        tn_builder_free(bk);
        tn_builder_free(bv);
        tn_builder_free(pk);
        r[b] = batch_of(rs, (tn_array *[]){a, v});
        l[b] = batch_of(ls, (tn_array *[]){p});
    }
    const tn_join_kind kinds[] = {TN_JOIN_INNER, TN_JOIN_SEMI, TN_JOIN_ANTI};
    for (size_t c = 0; c < 3; c++) {
        tn_plan *p = join_plan(&pc, kinds[c], ls, rs, 1, (int[]){0}, (int[]){0}, NULL);
        run_result res = {0};
        CHECK_OK(run_join(&ctx, HASH, p, l, NB, r, NB, 4, &res, &err), &err);
        if (kinds[c] == TN_JOIN_INNER) {
            CHECK_EQ_INT(res.rows, want_rows);
            int64_t sum = 0;
            for (size_t b = 0; b < res.n; b++)
                for (int64_t i = 0; i < res.out[b]->length; i++)
                    sum += TN_VALUES(res.out[b]->columns[2], int64_t)[i];
            CHECK_EQ_INT(sum, want_sum);
        } else {
            CHECK_EQ_INT(res.rows, kinds[c] == TN_JOIN_SEMI ? want_rows : probe_n - want_rows);
        }
        CHECK(res.max_batch <= 8192);
        result_reset(&res);
    }
    for (int b = 0; b < NB; b++) {
        tn_batch_unref(r[b]);
        tn_batch_unref(l[b]);
    }
    tn_schema_unref(ls);
    tn_schema_unref(rs);
    tn_plan_ctx_free(&pc);
}

TEST(million_row_build_int_key) { big_join(false, 1 << 20); }
TEST(million_row_build_string_key) { big_join(true, 1 << 20); }


/* ---- dynamic join filters ---------------------------------------------------------- */

/* Build keys 0, 2, 4, ..., 19998 (and a NULL): after finalize the filter
 * holds their range; every build key passes it (no false negatives), keys
 * outside the range never do, and most odd keys inside are dropped. */
TEST(join_filter_from_build_keys)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 1024};
    tn_type *i32 = tn_type_get(TN_INT32);
    tn_schema *s = schema_of(1, (const char *[]){"k"}, (tn_type *[]){i32});
    tarn_error err;
    tarn_error_init(&err);
    tn_builder *b = tn_builder_new(i32), *pb = tn_builder_new(i32);
    for (int i = 0; i < 10000; i++)
        CHECK_OK(tn_builder_append_int(b, 2 * i, &err), &err);
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    for (int i = -5000; i < 25000; i++)
        CHECK_OK(tn_builder_append_int(pb, i, &err), &err);
    CHECK_OK(tn_builder_append_null(pb, &err), &err);
    tn_array *ba = NULL, *pa = NULL;
    CHECK_OK(tn_builder_finish(b, &ba, &err), &err);
    CHECK_OK(tn_builder_finish(pb, &pa, &err), &err);
    tn_builder_free(b);
    tn_builder_free(pb);
    tn_batch *build = batch_of(s, (tn_array *[]){ba});
    tn_plan *left = join_plan(&pc, TN_JOIN_LEFT, s, s, 1, (int[]){0}, (int[]){0}, NULL);
    tn_plan *inner = join_plan(&pc, TN_JOIN_INNER, s, s, 1, (int[]){0}, (int[]){0}, NULL);
    tn_op *op = NULL;
    CHECK_OK(tn_op_hash_join_new(&ctx, left, NULL, NULL, &op, &err), &err);
    CHECK(tn_hash_join_filter(op, 0) == NULL); /* LEFT keeps unmatched probe rows */
    op_free(op);
    CHECK_OK(tn_op_hash_join_new(&ctx, inner, NULL, NULL, &op, &err), &err);
    const tn_join_filter *f = tn_hash_join_filter(op, 0);
    CHECK(f != NULL);
    CHECK(!f->ready);
    CHECK_OK(run_build(op, &build, 1, 1, &err), &err);
    CHECK(f->ready);
    CHECK_EQ_INT(f->count, 10000);
    CHECK_EQ_INT(f->min, 0);
    CHECK_EQ_INT(f->max, 19998);
    int32_t *rows = tn_malloc((size_t)pa->length * 4);
    int64_t n = 0;
    CHECK_OK(tn_join_filter_select(f, pa, NULL, rows, &n, &err), &err);
    int64_t even = 0, odd = 0, outside = 0;
    for (int64_t k = 0; k < n; k++) {
        int32_t v = TN_VALUES(pa, int32_t)[rows[k]];
        CHECK(tn_array_is_valid(pa, rows[k]));
        outside += v < 0 || v > 19998;
        even += v % 2 == 0 && v >= 0 && v <= 19998;
        odd += v % 2 != 0;
    }
    CHECK_EQ_INT(even, 10000);
    CHECK_EQ_INT(outside, 0);
    CHECK(odd < 10000 / 5);
    CHECK(tn_join_filter_may_match_range(f, -10, 0));
    CHECK(!tn_join_filter_may_match_range(f, 19999, 30000));
    /* the probe agrees with the filter: only the even keys in range join */
    run_result res = {0};
    tn_batch *probe = batch_of(s, (tn_array *[]){pa});
    CHECK_OK(run_probe(op, &probe, 1, 1, &res, &err), &err);
    CHECK_EQ_INT(res.rows, 10000);
    result_reset(&res);
    tn_free(rows);
    op_free(op);
    tn_batch_unref(build);
    tn_batch_unref(probe);
    tn_schema_unref(s);
    tn_plan_ctx_free(&pc);
}

/* ---- memory limit and allocation failures ------------------------------------------------- */

TEST(build_refused_by_memory_limit)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_INNER, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    budget_left = 10; /* less than one batch */
    tarn_error err;
    tarn_error_init(&err);
    run_result res = {0};
    CHECK(run_join(&f.ctx, HASH, p, f.left, f.nl, f.right, f.nr, 2, &res, &err) == TARN_EMEMLIMIT);
    CHECK_MSG(&err, "HASH_JOIN");
    CHECK_MSG(&err, "memory limit");
    budget_left = -1;
    CHECK_EQ_INT(reserved_now, 0);
    result_reset(&res);
    fixture_free(&f);
}

/* A scan hands out slices of large batches: each slice reserves the bytes
 * of its own rows, not of the buffers it shares. Eight 10K-row slices of
 * one 80K-row batch fit a 4 MB budget (rows + table); counting the shared
 * buffers whole (8 x 640 KB) plus the table would not. */
TEST(build_slices_reserve_their_rows)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_exec_ctx ctx = {.batch_rows = 4096};
    tn_type *i64 = tn_type_get(TN_INT64);
    tn_schema *s = schema_of(1, (const char *[]){"k"}, (tn_type *[]){i64});
    tarn_error err;
    tarn_error_init(&err);
    tn_builder *b = tn_builder_new(i64);
    for (int i = 0; i < 80000; i++)
        CHECK_OK(tn_builder_append_int(b, i, &err), &err);
    tn_array *a = NULL;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    tn_batch *whole = batch_of(s, (tn_array *[]){a});
    tn_batch *slices[8];
    for (int i = 0; i < 8; i++)
        slices[i] = tn_batch_slice(whole, i * 10000, 10000);
    tn_plan *p = join_plan(&pc, TN_JOIN_INNER, s, s, 1, (int[]){0}, (int[]){0}, NULL);
    budget_left = 4 << 20;
    run_result res = {0};
    CHECK_OK(run_join(&ctx, HASH, p, slices, 8, slices, 8, 2, &res, &err), &err);
    CHECK_EQ_INT(res.rows, 80000);
    budget_left = -1;
    CHECK_EQ_INT(reserved_now, 0);
    result_reset(&res);
    for (int i = 0; i < 8; i++)
        tn_batch_unref(slices[i]);
    tn_batch_unref(whole);
    tn_schema_unref(s);
    tn_plan_ctx_free(&pc);
}

/* ---- spilling: the grace hash join ----------------------------------------------------
 * 20000 x 20000 rows with repeated keys and NULLs; a budget far below the
 * build side but above one of its 16 partitions makes the join partition
 * both sides to spill files and join them partition by partition. Every
 * kind must give the rows it gives in memory. */

/* A batch of l(a int32, s varchar) or r(b int32, v int64): `rows` rows
 * from `first`; keys cycle over `mod` values, every 97th NULL. */
static tn_batch *gen_batch(tn_schema *sch, bool left, int first, int rows, int mod)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_builder *k = tn_builder_new(tn_type_get(TN_INT32));
    tn_builder *v = tn_builder_new(left ? tn_type_get(TN_STRING) : tn_type_get(TN_INT64));
    for (int i = first; i < first + rows; i++) {
        if (i % 97 == 5)
            CHECK_OK(tn_builder_append_null(k, &err), &err);
        else
            CHECK_OK(tn_builder_append_int(k, mod ? (i * 7919) % mod : i, &err), &err);
        if (left) {
            char t[32];
            int n = snprintf(t, sizeof t, "s%d", i);
            CHECK_OK(tn_builder_append_bytes(v, t, n, &err), &err);
        } else {
            CHECK_OK(tn_builder_append_int(v, i % 50, &err), &err);
        }
    }
    tn_array *ka = NULL, *va = NULL;
    CHECK_OK(tn_builder_finish(k, &ka, &err), &err);
    CHECK_OK(tn_builder_finish(v, &va, &err), &err);
    tn_builder_free(k);
    tn_builder_free(v);
    return batch_of(sch, (tn_array *[]){ka, va});
}

typedef struct big_fixture {
    tn_plan_ctx pc;
    tn_exec_ctx ctx;
    tn_schema *ls, *rs;
    tn_batch *left[10], *right[10];
} big_fixture;

static void big_init(big_fixture *f, int right_mod)
{
    memset(f, 0, sizeof *f);
    tn_plan_ctx_init(&f->pc);
    f->ctx.batch_rows = 1024;
    tn_type *i32 = tn_type_get(TN_INT32), *i64 = tn_type_get(TN_INT64), *str = tn_type_get(TN_STRING);
    f->ls = schema_of(2, (const char *[]){"a", "s"}, (tn_type *[]){i32, str});
    f->rs = schema_of(2, (const char *[]){"b", "v"}, (tn_type *[]){i32, i64});
    for (int i = 0; i < 10; i++) {
        f->left[i] = gen_batch(f->ls, true, i * 2000, 2000, 6000);
        f->right[i] = gen_batch(f->rs, false, i * 2000, 2000, right_mod);
    }
}

static void big_free(big_fixture *f)
{
    for (int i = 0; i < 10; i++) {
        tn_batch_unref(f->left[i]);
        tn_batch_unref(f->right[i]);
    }
    tn_schema_unref(f->ls);
    tn_schema_unref(f->rs);
    tn_plan_ctx_free(&f->pc);
}

/* The plan's rows in memory, then under a budget that forces spilling:
 * the same rows, spilled bytes reported, every reservation given back. */
static void check_spill(big_fixture *f, tn_plan *plan, int64_t budget)
{
    tarn_error err;
    tarn_error_init(&err);
    run_result mem = {0};
    CHECK_OK(run_join(&f->ctx, HASH, plan, f->left, 10, f->right, 10, 2, &mem, &err), &err);
    CHECK_EQ_INT(mem.spilled, 0);
    char *want = render(&mem);
    for (int tasks = 1; tasks <= 3; tasks += 2) {
        run_result sp = {0};
        budget_left = budget;
        CHECK_OK(run_join(&f->ctx, HASH, plan, f->left, 10, f->right, 10, tasks, &sp, &err), &err);
        budget_left = -1;
        CHECK(sp.spilled > 0);
        CHECK_EQ_INT(sp.rows, mem.rows);
        CHECK(sp.max_batch <= f->ctx.batch_rows);
        char *got = render(&sp);
        CHECK(strcmp(got, want) == 0);
        tn_free(got);
        result_reset(&sp);
        CHECK_EQ_INT(reserved_now, 0);
    }
    CHECK(mem.rows > 0);
    tn_free(want);
    result_reset(&mem);
}

static void check_spill_kind(tn_join_kind kind, bool cond, bool null_equal, bool left_builds)
{
    big_fixture f;
    big_init(&f, kind == TN_JOIN_SINGLE ? 0 : 5000);
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, (bool[]){null_equal});
    if (cond)
        p->condition = cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20");
    if (left_builds) {
        p->children[0]->est_rows = 10;
        p->children[1]->est_rows = 1000;
    }
    check_spill(&f, p, 96 << 10);
    big_free(&f);
}

TEST(spill_inner) { check_spill_kind(TN_JOIN_INNER, false, false, false); }
TEST(spill_inner_condition) { check_spill_kind(TN_JOIN_INNER, true, false, false); }
TEST(spill_inner_null_equal) { check_spill_kind(TN_JOIN_INNER, false, true, false); }
TEST(spill_left) { check_spill_kind(TN_JOIN_LEFT, true, false, false); }
TEST(spill_right) { check_spill_kind(TN_JOIN_RIGHT, false, false, false); }
TEST(spill_full) { check_spill_kind(TN_JOIN_FULL, true, false, false); }
TEST(spill_full_null_equal) { check_spill_kind(TN_JOIN_FULL, false, true, false); }
TEST(spill_semi) { check_spill_kind(TN_JOIN_SEMI, true, false, false); }
TEST(spill_anti) { check_spill_kind(TN_JOIN_ANTI, false, false, false); }
TEST(spill_semi_left_builds) { check_spill_kind(TN_JOIN_SEMI, false, false, true); }
TEST(spill_anti_left_builds) { check_spill_kind(TN_JOIN_ANTI, true, false, true); }
TEST(spill_mark) { check_spill_kind(TN_JOIN_MARK, false, false, false); }
TEST(spill_single) { check_spill_kind(TN_JOIN_SINGLE, false, false, false); }

/* A correlated MARK join (x = y, c IS NOT DISTINCT FROM c) spills by the
 * correlation key, so each group's NULL rule stays exact. */
TEST(spill_mark_correlated)
{
    big_fixture f;
    big_init(&f, 5000);
    /* keys: l.a = r.b (=) and l.a % ... : reuse a = b as the correlation
     * key too, with the value columns compared by = (s vs v differ in type:
     * use the int columns both times) */
    tn_plan *p = join_plan(&f.pc, TN_JOIN_MARK, f.ls, f.rs, 2, (int[]){0, 0}, (int[]){0, 0}, (bool[]){false, true});
    check_spill(&f, p, 96 << 10);
    big_free(&f);
}

/* A budget below one partition of the first level: partitions are split
 * again by the next hash bits until they fit. */
TEST(spill_repartitions)
{
    big_fixture f;
    big_init(&f, 5000);
    tn_plan *p = join_plan(&f.pc, TN_JOIN_FULL, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    check_spill(&f, p, 12 << 10);
    big_free(&f);
}

/* A partition that can never fit (one key repeated) fails cleanly after
 * the last level of repartitioning. */
TEST(spill_gives_up_on_one_key)
{
    big_fixture f;
    big_init(&f, 1);
    tn_plan *p = join_plan(&f.pc, TN_JOIN_INNER, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    tarn_error err;
    tarn_error_init(&err);
    run_result res = {0};
    budget_left = 64 << 10;
    CHECK(run_join(&f.ctx, HASH, p, f.left, 10, f.right, 10, 2, &res, &err) == TARN_EMEMLIMIT);
    budget_left = -1;
    CHECK_MSG(&err, "HASH_JOIN");
    CHECK_MSG(&err, "does not fit the memory limit");
    CHECK_EQ_INT(reserved_now, 0);
    result_reset(&res);
    big_free(&f);
}

typedef struct alloc_case {
    fixture *f;
    tn_plan *plan;
    join_algo algo;
} alloc_case;

static int alloc_run(void *ctx, tarn_error *err)
{
    alloc_case *c = ctx;
    run_result res = {0};
    int rc = run_join(&c->f->ctx, c->algo, c->plan, c->f->left, c->f->nl, c->f->right, c->f->nr, 2, &res, err);
    result_reset(&res);
    return rc;
}

static void check_alloc_failures(tn_join_kind kind, join_algo algo, bool condition)
{
    fixture f;
    fixture_init(&f, kind == TN_JOIN_SINGLE ? "unique" : "all");
    tn_plan *p = join_plan(&f.pc, kind, f.ls, f.rs, algo == HASH, (int[]){0}, (int[]){0}, NULL);
    if (condition)
        p->condition = algo == HASH ? cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20")
                                    : cmp_cols(&f.pc, TN_CMP_LT, 0, tn_type_get(TN_INT32), 2, tn_type_get(TN_INT32), "a < b");
    alloc_case c = {&f, p, algo};
    CHECK(tn_test_alloc_failures("join", alloc_run, &c) > 10);
    CHECK_EQ_INT(reserved_now, 0);
    fixture_free(&f);
}

TEST(alloc_failures_hash)
{
    check_alloc_failures(TN_JOIN_INNER, HASH, false);
    check_alloc_failures(TN_JOIN_FULL, HASH, true);
    check_alloc_failures(TN_JOIN_MARK, HASH, false);
    check_alloc_failures(TN_JOIN_SINGLE, HASH, false);
    check_alloc_failures(TN_JOIN_ANTI, HASH, true);
}

typedef struct mark_case {
    tn_exec_ctx ctx;
    tn_plan *plan;
    tn_batch *o, *in;
} mark_case;

static int alloc_mark_correlated(void *arg, tarn_error *err)
{
    mark_case *m = arg;
    run_result res = {0};
    int rc = run_join(&m->ctx, HASH, m->plan, &m->o, 1, &m->in, 1, 1, &res, err);
    result_reset(&res);
    return rc;
}

TEST(alloc_failures_mark_correlated)
{
    tn_plan_ctx pc;
    tn_plan_ctx_init(&pc);
    tn_type *i32 = tn_type_get(TN_INT32);
    tn_schema *os = schema_of(2, (const char *[]){"c", "x"}, (tn_type *[]){i32, i32});
    mark_case m = {.ctx = {.batch_rows = 4}};
    m.o = batch_of(os, (tn_array *[]){col(i32, "1,1,2,N"), col(i32, "1,N,1,7")});
    m.in = batch_of(os, (tn_array *[]){col(i32, "1,2,2,N"), col(i32, "1,N,3,1")});
    m.plan = join_plan(&pc, TN_JOIN_MARK, os, os, 2, (int[]){1, 0}, (int[]){1, 0}, (bool[]){false, true});
    CHECK(tn_test_alloc_failures("correlated mark join", alloc_mark_correlated, &m) > 10);
    tn_batch_unref(m.o);
    tn_batch_unref(m.in);
    tn_schema_unref(os);
    tn_plan_ctx_free(&pc);
}

TEST(alloc_failures_nested)
{
    check_alloc_failures(TN_JOIN_FULL, NESTED, true);
    check_alloc_failures(TN_JOIN_MARK, NESTED, true);
    check_alloc_failures(TN_JOIN_CROSS, NESTED, false);
}

/* A fired cancellation token stops a probe between blocks of pairs (one
 * probe batch of a large cross product can take long). */
TEST(cancel_between_blocks)
{
    for (int algo = HASH; algo <= NESTED; algo++) {
        fixture f;
        fixture_init(&f, "all");
        tn_cancel_token tok;
        atomic_init(&tok.fired, 0);
        tn_cancel_fire(&tok);
        f.ctx.cancel = &tok;
        tn_plan *p = join_plan(&f.pc, TN_JOIN_INNER, f.ls, f.rs, algo == HASH, (int[]){0}, (int[]){0}, NULL);
        tarn_error err;
        tarn_error_init(&err);
        run_result res = {0};
        CHECK(run_join(&f.ctx, (join_algo)algo, p, f.left, f.nl, f.right, f.nr, 1, &res, &err) == TARN_ECANCELLED);
        CHECK_MSG(&err, "cancelled");
        result_reset(&res);
        fixture_free(&f);
    }
}

TEST(explain_line)
{
    fixture f;
    fixture_init(&f, "all");
    tn_plan *p = join_plan(&f.pc, TN_JOIN_LEFT, f.ls, f.rs, 1, (int[]){0}, (int[]){0}, NULL);
    p->condition = cmp_lit(&f.pc, TN_CMP_GT, 3, tn_type_get(TN_INT64), 20, "v > 20");
    tarn_error err;
    tarn_error_init(&err);
    tn_op *op = NULL;
    CHECK_OK(tn_op_hash_join_new(&f.ctx, p, NULL, NULL, &op, &err), &err);
    tn_buf b;
    tn_buf_init(&b, 0);
    CHECK_OK(op->vt->explain(op, &b, &err), &err);
    CHECK_STR((char *)b.data, "type: left, keys: #0 = #2, condition: v > 20");
    CHECK_STR(op->vt->name, "HASH_JOIN");
    tn_buf_reset(&b);
    op_free(op);
    /* a hash join needs keys */
    tn_plan *nokeys = join_plan(&f.pc, TN_JOIN_INNER, f.ls, f.rs, 0, NULL, NULL, NULL);
    CHECK(tn_op_hash_join_new(&f.ctx, nokeys, NULL, NULL, &op, &err) == TARN_EINTERNAL);
    CHECK_MSG(&err, "nested-loop");
    fixture_free(&f);
}

int main(void)
{
    RUN(hash_inner);
    RUN(hash_left);
    RUN(hash_right);
    RUN(hash_full);
    RUN(hash_semi);
    RUN(hash_anti);
    RUN(spill_inner);
    RUN(spill_inner_condition);
    RUN(spill_inner_null_equal);
    RUN(spill_left);
    RUN(spill_right);
    RUN(spill_full);
    RUN(spill_full_null_equal);
    RUN(spill_semi);
    RUN(spill_anti);
    RUN(spill_semi_left_builds);
    RUN(spill_anti_left_builds);
    RUN(spill_mark);
    RUN(spill_single);
    RUN(spill_mark_correlated);
    RUN(spill_repartitions);
    RUN(spill_gives_up_on_one_key);
    RUN(hash_semi_left_builds);
    RUN(hash_anti_left_builds);
    RUN(hash_semi_condition_left_builds);
    RUN(hash_anti_condition_left_builds);
    RUN(hash_mark_with_null_build_key);
    RUN(hash_mark);
    RUN(hash_single);
    RUN(hash_mark_correlated);
    RUN(hash_single_two_matches);
    RUN(hash_inner_condition);
    RUN(hash_left_condition);
    RUN(hash_full_condition);
    RUN(hash_semi_condition);
    RUN(hash_anti_condition);
    RUN(hash_computed_key);
    RUN(hash_computed_key_left);
    RUN(hash_key_types_differ);
    RUN(full_join_on_threads);
    RUN(nested_inner);
    RUN(nested_left);
    RUN(nested_right);
    RUN(nested_full);
    RUN(nested_semi);
    RUN(nested_anti);
    RUN(nested_mark);
    RUN(nested_left_and_condition);
    RUN(nested_cross);
    RUN(nested_with_keys_matches_hash);
    RUN(hash_multi_key_null_equal);
    RUN(hash_multi_key_left);
    RUN(nested_multi_key_left);
    RUN(empty_build_side);
    RUN(empty_probe_side);
    RUN(matches_exceed_one_batch);
    RUN(million_row_build_int_key);
    RUN(million_row_build_string_key);
    RUN(join_filter_from_build_keys);
    RUN(build_refused_by_memory_limit);
    RUN(build_slices_reserve_their_rows);
    RUN(alloc_failures_hash);
    RUN(alloc_failures_mark_correlated);
    RUN(alloc_failures_nested);
    RUN(cancel_between_blocks);
    RUN(explain_line);
    return tn_test_done();
}
