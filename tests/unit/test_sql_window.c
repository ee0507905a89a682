/*
 * test_sql_window.c — the WINDOW operator and the window functions, driven
 * through the operator vtable (tests/unit/sql_agg_helpers.h) with
 * hand-built WINDOW nodes: several tasks sink, combine, finalize, every
 * source partition is read.
 *
 * Expected rows come from DuckDB (the npm peer @duckdb/node-api) for the
 * same table and the same window calls:
 *
 *   create table w as select i::bigint id,
 *     case when i % 10 = 9 then null else (i % 3)::int end p,
 *     case when i % 8 = 5 then null else ((i * 7) % 5)::int end o,
 *     case when i % 6 = 4 then null else ((i * 11) % 13 - 3)::int end v,
 *     's' || (i % 4)::varchar s,
 *     ((i * 11) % 13 - 3 > 0) pos
 *   from range(30) r(i);
 *
 * plus constant columns 3::bigint, 2::bigint and -1::int that stand for
 * the literal arguments (ntile(3), lead(v, 2, -1), nth_value(v, 2)).
 */
#include "tn_test.h"

#include "sql/functions/window_func.h"
#include "sql_agg_helpers.h"

enum { W_ID, W_P, W_O, W_V, W_S, W_POS, W_C3, W_C2, W_CM1, W_NCOLS };

static tn_schema *w_schema(void)
{
    const char *names[] = {"id", "p", "o", "v", "s", "pos", "c3", "c2", "cm1"};
    tn_type *types[] = {tn_type_get(TN_INT64), tn_type_get(TN_INT32), tn_type_get(TN_INT32),
                        tn_type_get(TN_INT32), tn_type_get(TN_STRING), tn_type_get(TN_BOOL),
                        tn_type_get(TN_INT64), tn_type_get(TN_INT64), tn_type_get(TN_INT32)};
    return make_schema(W_NCOLS, names, types);
}

static tn_batch *w_batch(tn_schema *schema, int64_t from, int64_t to)
{
    tarn_error err;
    tn_builder *b[W_NCOLS];
    for (int c = 0; c < W_NCOLS; c++)
        b[c] = tn_builder_new(schema->fields[c].type);
    for (int64_t i = from; i < to; i++) {
        char s[16];
        snprintf(s, sizeof s, "s%lld", (long long)(i % 4));
        int64_t v = (i * 11) % 13 - 3;
        if (tn_builder_append_int(b[W_ID], i, &err) ||
            (i % 10 == 9 ? tn_builder_append_null(b[W_P], &err) : tn_builder_append_int(b[W_P], i % 3, &err)) ||
            (i % 8 == 5 ? tn_builder_append_null(b[W_O], &err)
                        : tn_builder_append_int(b[W_O], (i * 7) % 5, &err)) ||
            (i % 6 == 4 ? tn_builder_append_null(b[W_V], &err) : tn_builder_append_int(b[W_V], v, &err)) ||
            tn_builder_append_str(b[W_S], s, &err) || tn_builder_append_bool(b[W_POS], v > 0, &err) ||
            tn_builder_append_int(b[W_C3], 3, &err) || tn_builder_append_int(b[W_C2], 2, &err) ||
            tn_builder_append_int(b[W_CM1], -1, &err))
            abort();
    }
    tn_batch *batch = tn_batch_new(schema, to - from);
    for (int c = 0; c < W_NCOLS; c++) {
        if (tn_builder_finish(b[c], &batch->columns[c], &err))
            abort();
        tn_builder_free(b[c]);
    }
    return batch;
}

/* w in batches of 7 rows (the last one shorter). */
static int64_t w_batches(tn_schema *schema, tn_batch **out)
{
    int64_t n = 0;
    for (int64_t from = 0; from < 30; from += 7)
        out[n++] = w_batch(schema, from, from + 7 < 30 ? from + 7 : 30);
    return n;
}

/* ---- building WINDOW nodes ----------------------------------------------------------- */

typedef struct win_builder {
    tn_plan_ctx c;
    tn_schema *in;
    tn_window_call calls[16];
    int32_t ncalls;
} win_builder;

typedef struct spec {
    int32_t part;      /* partition column or -1 */
    int32_t order[2];  /* order columns, -1 for none */
    bool desc;
    tn_frame_unit unit;
    tn_frame_bound_kind start, end;
    int64_t start_off, end_off;
} spec;

static tn_expr *int_literal(tn_plan_ctx *c, int64_t v)
{
    return tn_expr_literal(c, tn_scalar_int(tn_type_get(TN_INT64), v));
}

static void apply_spec(win_builder *wb, tn_window_call *wc, const spec *sp)
{
    tn_plan_ctx *c = &wb->c;
    if (sp->part >= 0) {
        wc->partition = tn_arena_calloc(&c->arena, sizeof(tn_expr *));
        wc->partition[0] = col(c, wb->in, sp->part);
        wc->npartition = 1;
    }
    wc->order = tn_arena_calloc(&c->arena, sizeof(tn_sort_spec) * 2);
    for (int i = 0; i < 2 && sp->order[i] >= 0; i++) {
        wc->order[i].expr = col(c, wb->in, sp->order[i]);
        wc->order[i].descending = sp->desc;
        wc->order[i].nulls_first = false;
        wc->norder++;
    }
    wc->unit = sp->unit;
    wc->start.kind = sp->start;
    wc->end.kind = sp->end;
    if (sp->start == TN_BOUND_PRECEDING || sp->start == TN_BOUND_FOLLOWING)
        wc->start.offset = int_literal(c, sp->start_off);
    if (sp->end == TN_BOUND_PRECEDING || sp->end == TN_BOUND_FOLLOWING)
        wc->end.offset = int_literal(c, sp->end_off);
}

static tn_window_call *wb_func(win_builder *wb, const char *name, int32_t nargs, const int32_t *cols,
                               const spec *sp)
{
    tarn_error err;
    tn_expr *args[3];
    for (int32_t i = 0; i < nargs; i++)
        args[i] = col(&wb->c, wb->in, cols[i]);
    tn_window_call *wc = &wb->calls[wb->ncalls++];
    memset(wc, 0, sizeof *wc);
    if (tn_window_func_resolve(&wb->c, name, args, nargs, wc, &err)) {
        fprintf(stderr, "resolving %s: %s\n", name, err.message);
        abort();
    }
    apply_spec(wb, wc, sp);
    return wc;
}

static tn_window_call *wb_agg(win_builder *wb, const char *name, int32_t nargs, const int32_t *cols, bool star,
                              const spec *sp)
{
    tarn_error err;
    tn_expr *args[3];
    for (int32_t i = 0; i < nargs; i++)
        args[i] = col(&wb->c, wb->in, cols[i]);
    tn_window_call *wc = &wb->calls[wb->ncalls++];
    memset(wc, 0, sizeof *wc);
    if (tn_agg_func_resolve(&wb->c, name, args, nargs, star, &wc->agg, &err)) {
        fprintf(stderr, "resolving %s: %s\n", name, err.message);
        abort();
    }
    apply_spec(wb, wc, sp);
    return wc;
}

static tn_plan *wb_finish(win_builder *wb)
{
    tn_plan *p = tn_plan_new(&wb->c, TN_PLAN_WINDOW, 0);
    p->nwindows = wb->ncalls;
    p->windows = tn_arena_calloc(&wb->c.arena, sizeof(tn_window_call) * 16);
    memcpy(p->windows, wb->calls, sizeof(tn_window_call) * (size_t)wb->ncalls);
    int32_t n = wb->in->n_fields + wb->ncalls;
    const char *names[32];
    tn_type *types[32];
    char buf[32][16];
    for (int32_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "c%d", i);
        names[i] = i < wb->in->n_fields ? wb->in->fields[i].name : buf[i];
        types[i] = tn_type_ref(i < wb->in->n_fields ? wb->in->fields[i].type : wb->calls[i - wb->in->n_fields].agg.type);
    }
    p->out = tn_plan_keep_schema(&wb->c, make_schema(n, names, types));
    return p;
}

static int run_window(const tn_plan *plan, tn_batch **batches, int64_t nb, int32_t ntasks, int64_t batch_rows,
                      char **text, tarn_error *err)
{
    tn_exec_ctx ctx = {0};
    ctx.batch_rows = batch_rows;
    tn_op *op;
    TN_TRY(tn_op_window_new(&ctx, plan, NULL, &op, err));
    int rc = drive_op(op, batches, nb, ntasks, text, err);
    tn_op_free(op);
    return rc;
}

#define PART_P_ORDER_O_ID {W_P, {W_O, W_ID}, false, TN_FRAME_RANGE, TN_BOUND_UNBOUNDED_PRECEDING, TN_BOUND_CURRENT_ROW, 0, 0}
#define PART_P_ORDER_O {W_P, {W_O, -1}, false, TN_FRAME_RANGE, TN_BOUND_UNBOUNDED_PRECEDING, TN_BOUND_CURRENT_ROW, 0, 0}

/* DuckDB: select id, p, o, v, s, pos, 3, 2, -1,
 *   row_number() over (partition by p order by o, id), rank() over (partition by p order by o),
 *   dense_rank() ..., percent_rank() ..., cume_dist() ... (partition by p order by o),
 *   ntile(3) over (partition by p order by o, id), lag(v) over (...o, id), lead(v, 2, -1) over (...o, id),
 *   first_value(v) over (...o, id),
 *   last_value(v) over (partition by p order by o, id rows between 1 preceding and 1 following),
 *   nth_value(v, 2) over (partition by p order by o, id)
 * from w */
static const char *want_functions =
    "0|0|0|-3|s0|false|3|2|-1|1|1|1|0|0.222222222222|1|NULL|4|-3|6|NULL\n"
    "1|1|2|8|s1|true|3|2|-1|4|4|3|0.375|0.555555555556|2|NULL|NULL|NULL|NULL|-1\n"
    "2|2|4|6|s2|true|3|2|-1|7|7|5|0.75|0.888888888889|3|8|0|9|2|7\n"
    "3|0|1|4|s3|true|3|2|-1|3|3|2|0.25|0.444444444444|1|6|-2|-3|0|6\n"
    "4|1|3|NULL|s0|true|3|2|-1|6|6|4|0.625|0.666666666667|2|NULL|NULL|NULL|9|-1\n"
    "5|2|NULL|0|s1|false|3|2|-1|9|9|6|1|1|3|2|-1|9|0|7\n"
    "6|0|2|-2|s2|false|3|2|-1|5|5|3|0.5|0.555555555556|2|0|-1|-3|1|6\n"
    "7|1|4|9|s3|true|3|2|-1|7|7|5|0.75|0.888888888889|3|NULL|-3|NULL|NULL|-1\n"
    "8|2|1|7|s0|true|3|2|-1|2|2|2|0.125|0.333333333333|1|9|1|9|3|7\n"
    "9|NULL|3|5|s1|true|3|2|-1|1|1|1|0|0.666666666667|1|NULL|4|5|-2|NULL\n"
    "10|1|0|NULL|s2|true|3|2|-1|1|1|1|0|0.222222222222|1|NULL|NULL|NULL|-1|NULL\n"
    "11|2|2|1|s3|true|3|2|-1|4|4|3|0.375|0.555555555556|2|3|8|9|-3|7\n"
    "12|0|4|-1|s0|false|3|2|-1|7|7|5|0.75|0.888888888889|3|1|7|-3|8|6\n"
    "13|1|NULL|-3|s1|false|3|2|-1|9|9|6|1|1|3|NULL|-1|NULL|-3|-1\n"
    "14|2|3|8|s2|true|3|2|-1|6|6|4|0.625|0.666666666667|2|-3|2|9|6|7\n"
    "15|0|0|6|s3|true|3|2|-1|2|1|1|0|0.222222222222|1|-3|0|-3|4|6\n"
    "16|1|2|NULL|s0|true|3|2|-1|5|4|3|0.375|0.555555555556|2|8|9|NULL|NULL|-1\n"
    "17|2|4|2|s1|true|3|2|-1|8|7|5|0.75|0.888888888889|3|6|-1|9|0|7\n"
    "18|0|1|0|s2|false|3|2|-1|4|3|2|0.25|0.444444444444|2|4|1|-3|-2|6\n"
    "19|NULL|3|-2|s3|false|3|2|-1|2|1|1|0|0.666666666667|2|5|-1|5|4|-2\n"
    "20|2|0|9|s0|true|3|2|-1|1|1|1|0|0.111111111111|1|NULL|3|9|7|NULL\n"
    "21|0|NULL|7|s1|true|3|2|-1|9|9|6|1|1|3|8|-1|-3|7|6\n"
    "22|1|4|NULL|s2|true|3|2|-1|8|7|5|0.75|0.888888888889|3|9|-1|NULL|-3|-1\n"
    "23|2|1|3|s3|true|3|2|-1|3|2|2|0.125|0.333333333333|1|7|-3|9|1|7\n"
    "24|0|3|1|s0|true|3|2|-1|6|6|4|0.625|0.666666666667|2|-2|8|-3|-1|6\n"
    "25|1|0|-1|s1|false|3|2|-1|2|1|1|0|0.222222222222|1|NULL|8|NULL|NULL|-1\n"
    "26|2|2|-3|s2|false|3|2|-1|5|4|3|0.375|0.555555555556|2|1|6|9|8|7\n"
    "27|0|4|8|s3|true|3|2|-1|8|7|5|0.75|0.888888888889|3|-1|-1|-3|7|6\n"
    "28|1|1|NULL|s0|true|3|2|-1|3|3|2|0.25|0.333333333333|1|-1|NULL|NULL|8|-1\n"
    "29|NULL|NULL|4|s1|true|3|2|-1|3|3|2|1|1|3|-2|-1|5|4|-2\n";

TEST(ranking_and_value_functions)
{
    tn_schema *s = w_schema();
    tn_batch *batches[8];
    int64_t nb = w_batches(s, batches);
    win_builder wb;
    memset(&wb, 0, sizeof wb);
    tn_plan_ctx_init(&wb.c);
    wb.in = s;
    spec by_id = PART_P_ORDER_O_ID, by_o = PART_P_ORDER_O;
    spec rows_around = by_id;
    rows_around.unit = TN_FRAME_ROWS;
    rows_around.start = TN_BOUND_PRECEDING;
    rows_around.start_off = 1;
    rows_around.end = TN_BOUND_FOLLOWING;
    rows_around.end_off = 1;
    wb_func(&wb, "row_number", 0, NULL, &by_id);
    wb_func(&wb, "rank", 0, NULL, &by_o);
    wb_func(&wb, "dense_rank", 0, NULL, &by_o);
    wb_func(&wb, "percent_rank", 0, NULL, &by_o);
    wb_func(&wb, "cume_dist", 0, NULL, &by_o);
    wb_func(&wb, "ntile", 1, (int32_t[]){W_C3}, &by_id);
    wb_func(&wb, "lag", 1, (int32_t[]){W_V}, &by_id);
    wb_func(&wb, "lead", 3, (int32_t[]){W_V, W_C2, W_CM1}, &by_id);
    wb_func(&wb, "first_value", 1, (int32_t[]){W_V}, &by_id);
    wb_func(&wb, "last_value", 1, (int32_t[]){W_V}, &rows_around);
    wb_func(&wb, "nth_value", 2, (int32_t[]){W_V, W_C2}, &by_id);
    tn_plan *p = wb_finish(&wb);
    for (int32_t tasks = 1; tasks <= 3; tasks++) {
        tarn_error err;
        char *got = NULL;
        CHECK_OK(run_window(p, batches, nb, tasks, tasks * 4, &got, &err), &err);
        CHECK_ROWS(got, want_functions);
        tn_free(got);
    }
    tn_plan_ctx_free(&wb.c);
    for (int64_t i = 0; i < nb; i++)
        tn_batch_unref(batches[i]);
    tn_schema_unref(s);
}

/* DuckDB: select id, p, o, v, s, pos, 3, 2, -1,
 *   sum(v) over (partition by p order by o), count(*) over (partition by p),
 *   avg(v) over (partition by p order by o, id rows between 2 preceding and current row),
 *   min(v) over (partition by p order by o, id rows between 1 following and 3 following),
 *   max(v) over (order by o range between 1 preceding and 1 following),
 *   sum(v) over (partition by p order by o groups between 1 preceding and current row),
 *   string_agg(s, ',') over (partition by p order by o, id rows between unbounded preceding and current row),
 *   count(v) over (partition by p order by o desc range between 2 preceding and current row),
 *   sum(v) filter (where pos) over (partition by p order by o, id rows between 1 preceding and 1 following)
 * from w */
static const char *want_aggregates =
    "0|0|0|-3|s0|false|3|2|-1|3|9|-3|0|9|3|s0|5|6\n"
    "1|1|2|8|s1|true|3|2|-1|7|9|3.5|9|8|8|s2,s1,s0,s1|2|8\n"
    "2|2|4|6|s2|true|3|2|-1|33|9|3.66666666667|0|9|16|s0,s0,s3,s3,s2,s2,s2|2|16\n"
    "3|0|1|4|s3|true|3|2|-1|7|9|2.33333333333|-2|9|7|s0,s3,s3|4|10\n"
    "4|1|3|NULL|s0|true|3|2|-1|7|9|8|-3|9|8|s2,s1,s0,s1,s0,s0|1|9\n"
    "5|2|NULL|0|s1|false|3|2|-1|33|9|2.66666666667|NULL|7|8|s0,s0,s3,s3,s2,s2,s2,s1,s1|1|2\n"
    "6|0|2|-2|s2|false|3|2|-1|5|9|0.666666666667|-1|8|2|s0,s3,s3,s2,s2|4|1\n"
    "7|1|4|9|s3|true|3|2|-1|16|9|9|-3|9|9|s2,s1,s0,s1,s0,s0,s3|1|9\n"
    "8|2|1|7|s0|true|3|2|-1|19|9|8|-3|9|19|s0,s0|5|19\n"
    "9|NULL|3|5|s1|true|3|2|-1|3|3|5|-2|9|3|s1|2|5\n"
    "10|1|0|NULL|s2|true|3|2|-1|-1|9|NULL|-1|9|-1|s2|2|NULL\n"
    "11|2|2|1|s3|true|3|2|-1|17|9|3.66666666667|-3|8|8|s0,s0,s3,s3|5|4\n"
    "12|0|4|-1|s0|false|3|2|-1|13|9|-0.666666666667|7|9|8|s0,s3,s3,s2,s2,s0,s0|2|9\n"
    "13|1|NULL|-3|s1|false|3|2|-1|13|9|3|NULL|7|6|s2,s1,s0,s1,s0,s0,s3,s2,s1|1|NULL\n"
    "14|2|3|8|s2|true|3|2|-1|25|9|2|0|9|6|s0,s0,s3,s3,s2,s2|3|14\n"
    "15|0|0|6|s3|true|3|2|-1|3|9|1.5|-2|9|3|s0,s3|5|10\n"
    "16|1|2|NULL|s0|true|3|2|-1|7|9|8|9|8|8|s2,s1,s0,s1,s0|2|8\n"
    "17|2|4|2|s1|true|3|2|-1|33|9|5.33333333333|0|9|16|s0,s0,s3,s3,s2,s2,s2,s1|2|8\n"
    "18|0|1|0|s2|false|3|2|-1|7|9|3.33333333333|-2|9|7|s0,s3,s3,s2|4|4\n"
    "19|NULL|3|-2|s3|false|3|2|-1|3|3|1.5|4|9|3|s1,s3|2|9\n"
    "20|2|0|9|s0|true|3|2|-1|9|9|9|1|9|9|s0|5|16\n"
    "21|0|NULL|7|s1|true|3|2|-1|20|9|4.66666666667|NULL|7|14|s0,s3,s3,s2,s2,s0,s0,s3,s1|1|15\n"
    "22|1|4|NULL|s2|true|3|2|-1|16|9|9|-3|9|9|s2,s1,s0,s1,s0,s0,s3,s2|1|9\n"
    "23|2|1|3|s3|true|3|2|-1|19|9|6.33333333333|-3|9|19|s0,s0,s3|5|11\n"
    "24|0|3|1|s0|true|3|2|-1|6|9|-0.333333333333|-1|9|-1|s0,s3,s3,s2,s2,s0|3|1\n"
    "25|1|0|-1|s1|false|3|2|-1|-1|9|-1|8|9|-1|s2,s1|2|NULL\n"
    "26|2|2|-3|s2|false|3|2|-1|17|9|0.333333333333|2|8|8|s0,s0,s3,s3,s2|5|9\n"
    "27|0|4|8|s3|true|3|2|-1|13|9|2.66666666667|7|9|8|s0,s3,s3,s2,s2,s0,s0,s3|2|15\n"
    "28|1|1|NULL|s0|true|3|2|-1|-1|9|-1|8|9|-1|s2,s1,s0|1|8\n"
    "29|NULL|NULL|4|s1|true|3|2|-1|7|3|2.33333333333|NULL|7|7|s1,s3,s1|1|4\n";

TEST(aggregates_over_frames)
{
    tn_schema *s = w_schema();
    tn_batch *batches[8];
    int64_t nb = w_batches(s, batches);
    win_builder wb;
    memset(&wb, 0, sizeof wb);
    tn_plan_ctx_init(&wb.c);
    wb.in = s;
    spec by_o = PART_P_ORDER_O, by_id = PART_P_ORDER_O_ID;
    spec whole = {W_P, {-1, -1}, false, TN_FRAME_RANGE, TN_BOUND_UNBOUNDED_PRECEDING, TN_BOUND_UNBOUNDED_FOLLOWING, 0, 0};
    spec last3 = by_id, next3 = by_id, range1 = {-1, {W_O, -1}, false, TN_FRAME_RANGE, TN_BOUND_PRECEDING,
                                                 TN_BOUND_FOLLOWING, 1, 1};
    last3.unit = TN_FRAME_ROWS;
    last3.start = TN_BOUND_PRECEDING;
    last3.start_off = 2;
    next3.unit = TN_FRAME_ROWS;
    next3.start = TN_BOUND_FOLLOWING;
    next3.start_off = 1;
    next3.end = TN_BOUND_FOLLOWING;
    next3.end_off = 3;
    spec groups1 = by_o;
    groups1.unit = TN_FRAME_GROUPS;
    groups1.start = TN_BOUND_PRECEDING;
    groups1.start_off = 1;
    spec running_rows = by_id;
    running_rows.unit = TN_FRAME_ROWS;
    spec desc_range = by_o;
    desc_range.desc = true;
    desc_range.start = TN_BOUND_PRECEDING;
    desc_range.start_off = 2;
    spec around = by_id;
    around.unit = TN_FRAME_ROWS;
    around.start = TN_BOUND_PRECEDING;
    around.start_off = 1;
    around.end = TN_BOUND_FOLLOWING;
    around.end_off = 1;
    wb_agg(&wb, "sum", 1, (int32_t[]){W_V}, false, &by_o);
    wb_agg(&wb, "count", 0, NULL, true, &whole);
    wb_agg(&wb, "avg", 1, (int32_t[]){W_V}, false, &last3);
    wb_agg(&wb, "min", 1, (int32_t[]){W_V}, false, &next3);
    wb_agg(&wb, "max", 1, (int32_t[]){W_V}, false, &range1);
    wb_agg(&wb, "sum", 1, (int32_t[]){W_V}, false, &groups1);
    wb_agg(&wb, "string_agg", 1, (int32_t[]){W_S}, false, &running_rows);
    wb_agg(&wb, "count", 1, (int32_t[]){W_V}, false, &desc_range);
    wb_agg(&wb, "sum", 1, (int32_t[]){W_V}, false, &around)->agg.filter = col(&wb.c, s, W_POS);
    tn_plan *p = wb_finish(&wb);
    for (int32_t tasks = 1; tasks <= 3; tasks++) {
        tarn_error err;
        char *got = NULL;
        CHECK_OK(run_window(p, batches, nb, tasks, 9, &got, &err), &err);
        CHECK_ROWS(got, want_aggregates);
        tn_free(got);
    }
    tn_plan_ctx_free(&wb.c);
    for (int64_t i = 0; i < nb; i++)
        tn_batch_unref(batches[i]);
    tn_schema_unref(s);
}

TEST(empty_input_and_errors)
{
    tn_schema *s = w_schema();
    win_builder wb;
    memset(&wb, 0, sizeof wb);
    tn_plan_ctx_init(&wb.c);
    wb.in = s;
    spec by_id = PART_P_ORDER_O_ID;
    wb_func(&wb, "row_number", 0, NULL, &by_id);
    tn_plan *p = wb_finish(&wb);
    tarn_error err;
    char *got = NULL;
    CHECK_OK(run_window(p, NULL, 0, 2, 100, &got, &err), &err);
    CHECK_STR(got, "");
    tn_free(got);

    tn_window_call wc;
    tn_expr *arg = col(&wb.c, s, W_S);
    CHECK_EQ_INT(tn_window_func_resolve(&wb.c, "ntile", &arg, 1, &wc, &err), TARN_ETYPE);
    CHECK_MSG(&err, "must be an integer");
    CHECK_EQ_INT(tn_window_func_resolve(&wb.c, "row_number", &arg, 1, &wc, &err), TARN_ETYPE);
    CHECK_EQ_INT(tn_window_func_resolve(&wb.c, "nosuch", NULL, 0, &wc, &err), TARN_ENOTFOUND);
    CHECK(tn_window_func_exists("DENSE_RANK"));
    CHECK(!tn_window_func_exists("sum"));
    bool lag = false;
    for (const char *const *n = tn_window_func_names(); *n; n++)
        lag |= strcmp(*n, "lag") == 0;
    CHECK(lag);

    /* ntile(0) fails naming the function */
    tn_batch *batches[8];
    int64_t nb = w_batches(s, batches);
    win_builder bad;
    memset(&bad, 0, sizeof bad);
    tn_plan_ctx_init(&bad.c);
    bad.in = s;
    wb_func(&bad, "ntile", 1, (int32_t[]){W_ID}, &by_id); /* id 0 is zero buckets */
    p = wb_finish(&bad);
    CHECK_EQ_INT(run_window(p, batches, nb, 2, 100, &got, &err), TARN_EINVAL);
    CHECK_MSG(&err, "ntile");
    tn_plan_ctx_free(&bad.c);
    tn_plan_ctx_free(&wb.c);
    for (int64_t i = 0; i < nb; i++)
        tn_batch_unref(batches[i]);
    tn_schema_unref(s);
}

typedef struct alloc_case {
    const tn_plan *plan;
    tn_batch **batches;
    int64_t nb;
} alloc_case;

static int run_alloc_case(void *vctx, tarn_error *err)
{
    alloc_case *ac = vctx;
    char *got = NULL;
    int rc = run_window(ac->plan, ac->batches, ac->nb, 2, 8, &got, err);
    tn_free(got);
    return rc;
}

TEST(allocation_failures)
{
    tn_schema *s = w_schema();
    tn_batch *batches[8];
    int64_t nb = w_batches(s, batches);
    win_builder wb;
    memset(&wb, 0, sizeof wb);
    tn_plan_ctx_init(&wb.c);
    wb.in = s;
    spec by_id = PART_P_ORDER_O_ID;
    spec around = by_id;
    around.unit = TN_FRAME_ROWS;
    around.start = TN_BOUND_PRECEDING;
    around.start_off = 1;
    around.end = TN_BOUND_FOLLOWING;
    around.end_off = 1;
    wb_func(&wb, "rank", 0, NULL, &by_id);
    wb_func(&wb, "lead", 3, (int32_t[]){W_V, W_C2, W_CM1}, &by_id);
    wb_agg(&wb, "sum", 1, (int32_t[]){W_V}, false, &by_id);
    wb_agg(&wb, "max", 1, (int32_t[]){W_S}, false, &around);
    tn_plan *p = wb_finish(&wb);
    alloc_case ac = {p, batches, nb};
    CHECK(tn_test_alloc_failures("window", run_alloc_case, &ac) > 10);
    tn_plan_ctx_free(&wb.c);
    for (int64_t i = 0; i < nb; i++)
        tn_batch_unref(batches[i]);
    tn_schema_unref(s);
}

int main(void)
{
    RUN(ranking_and_value_functions);
    RUN(aggregates_over_frames);
    RUN(empty_input_and_errors);
    RUN(allocation_failures);
    return tn_test_done();
}
