/*
 * test_sql_exec.c — the executor on hand-built plans: scans of memory
 * tables split in many batches (parallel partitions) with filters and
 * projections, ORDER BY (stable, DESC, NULLS), top-N, LIMIT/OFFSET that
 * stops the scan early, UNION ALL, VALUES, CTAS / INSERT / COPY TO, a
 * CTE read twice, a recursive CTE, uncorrelated scalar / IN / EXISTS
 * subqueries, EXPLAIN [ANALYZE], run-time errors and allocation failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/print.h"
#include "core/alloc.h"
#include "formats/parquet/parquet.h"
#include "sql/exec/exec.h"
#include "sql_expr_helpers.h"
#include "tn_test.h"

/* A memory table "t" with columns id int64 (0..n-1), grp int64 (id % 7),
 * name utf8 ("n<id>") in batches of `per` rows. */
static tn_table *make_table(int64_t n, int64_t per)
{
    tn_schema *s = must(tn_schema_new(3));
    if (tn_field_init(&s->fields[0], "id", tn_type_ref(T(TN_INT64)), true, NULL) ||
        tn_field_init(&s->fields[1], "grp", tn_type_ref(T(TN_INT64)), true, NULL) ||
        tn_field_init(&s->fields[2], "name", tn_type_ref(T(TN_STRING)), true, NULL))
        exit(2);
    tn_table *t;
    if (tn_table_memory_new("t", s, &t, NULL))
        exit(2);
    for (int64_t at = 0; at < n; at += per) {
        int64_t k = n - at < per ? n - at : per;
        int64_t *ids = must(tn_calloc((size_t)k, sizeof(int64_t)));
        int64_t *grp = must(tn_calloc((size_t)k, sizeof(int64_t)));
        char **names = must(tn_calloc((size_t)k, sizeof(char *)));
        for (int64_t i = 0; i < k; i++) {
            ids[i] = at + i;
            grp[i] = (at + i) % 7;
            names[i] = must(tn_sprintf("n%lld", (long long)(at + i)));
        }
        tn_batch *b = must(tn_batch_new(s, k));
        b->columns[0] = mk_int(T(TN_INT64), (int)k, ids);
        b->columns[1] = mk_int(T(TN_INT64), (int)k, grp);
        b->columns[2] = mk_str(T(TN_STRING), (int)k, (const char *const *)names);
        if (t->ops->append(t, b, NULL))
            exit(2);
        tn_batch_unref(b);
        for (int64_t i = 0; i < k; i++)
            tn_free(names[i]);
        tn_free(names);
        tn_free(ids);
        tn_free(grp);
    }
    tn_schema_unref(s);
    return t;
}

static tn_schema *schema_of(int n, const char *const *names, tn_type *const *types)
{
    tn_schema *s = must(tn_schema_new(n));
    for (int i = 0; i < n; i++)
        if (tn_field_init(&s->fields[i], names[i], tn_type_ref(types[i]), true, NULL))
            exit(2);
    return must(tn_plan_keep_schema(&P, s));
}

static tn_plan *scan_of(tn_table *t, int ncols, const int32_t *cols)
{
    tn_plan *p = must(tn_plan_new(&P, TN_PLAN_SCAN, 0));
    p->table = must(tn_plan_keep_table(&P, tn_table_ref(t)));
    p->columns = must(tn_arena_calloc(&P.arena, sizeof(int32_t) * (size_t)ncols));
    memcpy(p->columns, cols, sizeof(int32_t) * (size_t)ncols);
    p->ncolumns = ncols;
    const char *names[8];
    tn_type *types[8];
    for (int i = 0; i < ncols; i++) {
        names[i] = t->schema->fields[cols[i]].name;
        types[i] = t->schema->fields[cols[i]].type;
    }
    p->out = schema_of(ncols, names, types);
    return p;
}

static tn_plan *unary_plan(tn_plan_kind k, tn_plan *child)
{
    tn_plan *p = must(tn_plan_new(&P, k, 1));
    p->children[0] = child;
    p->out = child->out;
    return p;
}

static tn_plan *filter_of(tn_plan *child, tn_expr *pred)
{
    tn_plan *p = unary_plan(TN_PLAN_FILTER, child);
    p->predicate = pred;
    return p;
}

static tn_plan *sort_of(tn_plan *child, tn_expr *key, bool desc)
{
    tn_plan *p = unary_plan(TN_PLAN_SORT, child);
    p->sort = must(tn_arena_calloc(&P.arena, sizeof(tn_sort_spec)));
    p->sort[0].expr = key;
    p->sort[0].descending = desc;
    p->nsort = 1;
    return p;
}

static tn_plan *limit_of(tn_plan *child, int64_t limit, int64_t offset)
{
    tn_plan *p = unary_plan(TN_PLAN_LIMIT, child);
    p->limit = limit;
    p->offset = offset;
    return p;
}

static tn_plan *project_of(tn_plan *child, int n, tn_expr **exprs, const char *const *names)
{
    tn_plan *p = unary_plan(TN_PLAN_PROJECT, child);
    p->exprs = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *) * (size_t)n));
    tn_type *types[8];
    for (int i = 0; i < n; i++) {
        p->exprs[i] = exprs[i];
        types[i] = exprs[i]->type;
    }
    p->nexprs = n;
    p->out = schema_of(n, names, types);
    return p;
}

/* Run a plan; the result as CSV (or "error: ..."). A new string. */
static char *run_csv(const tn_plan *p, tn_catalog *cat)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_query *q = NULL;
    tn_reader *r = NULL;
    tn_exec_ctx base = {0};
    base.batch_rows = 1000;
    int rc = tn_query_new(p, &base, cat, &q, &err);
    if (rc == 0)
        rc = tn_query_run(q, &r, &err);
    tn_buf out;
    tn_buf_init(&out, 0);
    if (rc == 0) {
        tn_print_options o;
        tn_print_options_init(&o);
        o.format = TN_PRINT_CSV;
        rc = tn_print_buf(&out, r, &o, &err);
    }
    tn_reader_free(r);
    tn_query_free(q);
    if (rc) {
        tn_buf_reset(&out);
        return tn_sprintf("error: %s", err.message);
    }
    if (!out.data)
        return tn_sprintf("%s", "");
    return tn_buf_take(&out);
}

#define CHECK_RUN(plan, cat, want)              \
    do {                                        \
        char *got_ = run_csv((plan), (cat));    \
        CHECK_STR(got_, want);                  \
        tn_free(got_);                          \
    } while (0)

static const int32_t ALL3[] = {0, 1, 2};

TEST(scan_filter_sort_limit)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(100000, 997);
    /* WHERE id % 1000 = 5 -> ids 5, 1005, ..., 99005 (100 rows); ORDER BY id DESC LIMIT 3 OFFSET 1 */
    tn_plan *scan = scan_of(t, 3, ALL3);
    tn_expr *pred = cmp(TN_CMP_EQ, arith(TN_MOD, col(0, T(TN_INT64)), lit_i64(1000)), lit_i64(5));
    tn_plan *p = limit_of(sort_of(filter_of(scan, pred), col(0, T(TN_INT64)), true), 3, 1);
    CHECK_RUN(p, NULL, "id,grp,name\n98005,5,n98005\n97005,6,n97005\n96005,0,n96005\n");
    /* the same filter pushed into the scan, then a projection */
    tn_plan *scan2 = scan_of(t, 3, ALL3);
    scan2->filters = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *)));
    scan2->filters[0] = cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(3));
    scan2->nfilters = 1;
    tn_expr *exprs[] = {col(2, T(TN_STRING)), arith(TN_MUL, col(0, T(TN_INT64)), lit_i64(10))};
    const char *names[] = {"name", "x"};
    CHECK_RUN(project_of(scan2, 2, exprs, names), NULL, "name,x\nn0,0\nn1,10\nn2,20\n");
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

TEST(full_scan_keeps_table_order)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(5000, 7);
    const int32_t id[] = {0};
    char *got = run_csv(scan_of(t, 1, id), NULL);
    tn_buf want;
    tn_buf_init(&want, 0);
    CHECK_OK(tn_buf_append_str(&want, "id\n", NULL), (tarn_error *)NULL);
    for (int i = 0; i < 5000; i++)
        CHECK(tn_buf_printf(&want, NULL, "%d\n", i) == 0);
    CHECK_STR(got, (const char *)want.data);
    tn_free(got);
    tn_buf_reset(&want);
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

TEST(limit_without_order_stops_early)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(200000, 100);
    const int32_t grp[] = {1};
    tn_plan *p = limit_of(scan_of(t, 1, grp), 5, 0);
    tarn_error err;
    tarn_error_init(&err);
    tn_query *q = NULL;
    tn_reader *r = NULL;
    CHECK_OK(tn_query_new(p, NULL, NULL, &q, &err), &err);
    if (q) {
        CHECK_OK(tn_query_run(q, &r, &err), &err);
        int64_t rows = 0;
        tn_batch *b;
        while (r && tn_reader_next(r, &b, &err) == 0 && b) {
            rows += b->length;
            tn_batch_unref(b);
        }
        CHECK_EQ_INT(rows, 5);
        /* the scan stopped long before its 2000 partitions were read */
        CHECK(atomic_load(&q->root->children[0]->metrics.rows_out) < 200000);
        tn_reader_free(r);
        tn_query_free(q);
    }
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

TEST(top_n_matches_full_sort)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(30000, 1000);
    /* ORDER BY grp DESC (stable: ids ascending within grp) LIMIT 4 OFFSET 2 */
    tn_plan *p = limit_of(sort_of(scan_of(t, 3, ALL3), col(1, T(TN_INT64)), true), 4, 2);
    CHECK_RUN(p, NULL, "id,grp,name\n20,6,n20\n27,6,n27\n34,6,n34\n41,6,n41\n");
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

static tn_plan *values_of(int nrows, int ncols, tn_expr **cells, const char *const *names)
{
    tn_plan *p = must(tn_plan_new(&P, TN_PLAN_VALUES, 0));
    p->rows = must(tn_arena_calloc(&P.arena, sizeof(tn_expr **) * (size_t)nrows));
    for (int r = 0; r < nrows; r++)
        p->rows[r] = cells + r * ncols;
    p->nrows = nrows;
    tn_type *types[8];
    for (int c = 0; c < ncols; c++)
        types[c] = cells[c]->type;
    p->out = schema_of(ncols, names, types);
    return p;
}

TEST(values_union_all)
{
    tn_plan_ctx_init(&P);
    tn_expr **a = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *) * 4));
    a[0] = lit_i64(1), a[1] = lit_str("one"), a[2] = lit_i64(2), a[3] = lit_null(T(TN_STRING));
    tn_expr **b = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *) * 2));
    b[0] = arith(TN_ADD, lit_i64(1), lit_i64(2)), b[1] = lit_str("three");
    const char *names[] = {"k", "v"};
    const char *names2[] = {"x", "y"};
    tn_plan *u = must(tn_plan_new(&P, TN_PLAN_SETOP, 2));
    u->setop = TN_SETOP_UNION;
    u->all = true;
    u->children[0] = values_of(2, 2, a, names);
    u->children[1] = values_of(1, 2, b, names2);
    u->out = u->children[0]->out;
    CHECK_RUN(sort_of(u, col(0, T(TN_INT64)), true), NULL, "k,v\n3,three\n2,\n1,one\n");
    tn_plan_ctx_free(&P);
}

static tn_plan *count_plan(tn_plan_kind k, tn_plan *child)
{
    tn_plan *p = must(tn_plan_new(&P, k, 1));
    p->children[0] = child;
    const char *n[] = {"Count"};
    tn_type *ty[] = {T(TN_INT64)};
    p->out = schema_of(1, n, ty);
    return p;
}

TEST(ctas_insert_copy)
{
    tn_plan_ctx_init(&P);
    tarn_error err;
    tarn_error_init(&err);
    tn_catalog *cat;
    CHECK_OK(tn_catalog_new(&cat, &err), &err);
    tn_table *t = make_table(100, 9);
    /* CREATE TABLE small AS SELECT * FROM t WHERE id < 4 */
    tn_plan *ctas = count_plan(TN_PLAN_CREATE_TABLE_AS, filter_of(scan_of(t, 3, ALL3),
                                                                  cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(4))));
    ctas->name = "small";
    CHECK_RUN(ctas, cat, "Count\n4\n");
    const tn_catalog_entry *e = tn_catalog_find(cat, "SMALL", false);
    CHECK(e && e->kind == TN_ENTRY_TABLE);
    if (e) {
        /* INSERT INTO small SELECT * FROM small: doubles it */
        tn_plan *ins = count_plan(TN_PLAN_INSERT, scan_of(e->table, 3, ALL3));
        ins->table = e->table;
        CHECK_RUN(ins, cat, "Count\n4\n");
        CHECK_RUN(sort_of(scan_of(e->table, 3, ALL3), col(0, T(TN_INT64)), false), cat,
                  "id,grp,name\n0,0,n0\n0,0,n0\n1,1,n1\n1,1,n1\n2,2,n2\n2,2,n2\n3,3,n3\n3,3,n3\n");
        /* CTAS again: exists */
        CHECK_RUN(ctas, cat, "error: table \"small\" already exists");
        /* COPY (SELECT * FROM small) TO 'x.csv' */
        char path[] = "/tmp/tn_exec_copy_XXXXXX.csv";
        int fd = mkstemps(path, 4);
        CHECK(fd >= 0);
        close(fd);
        tn_plan *copy = count_plan(TN_PLAN_COPY_TO, scan_of(e->table, 3, ALL3));
        copy->path = path;
        CHECK_RUN(copy, cat, "Count\n8\n");
        tn_table *f;
        CHECK_OK(tn_table_files_new(path, NULL, &f, &err), &err);
        if (f) {
            tn_plan *back = filter_of(scan_of(f, 3, ALL3), cmp(TN_CMP_EQ, col(0, T(TN_INT64)), lit_i64(3)));
            CHECK_RUN(back, cat, "id,grp,name\n3,3,n3\n3,3,n3\n");
            tn_table_unref(f);
        }
        unlink(path);
    }
    tn_table_unref(t);
    tn_catalog_free(cat);
    tn_plan_ctx_free(&P);
}

static tn_expr *subquery(tn_subquery_kind k, tn_plan *plan, tn_type *type)
{
    tn_expr *e = node(TN_EXPR_SUBQUERY, type, k == TN_SUBQUERY_IN ? 1 : 0);
    e->subquery_kind = k;
    e->subquery = plan;
    e->text = "(subquery)";
    return e;
}

TEST(uncorrelated_subqueries)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(50, 8);
    const int32_t id[] = {0};
    /* WHERE id > (SELECT id FROM t ORDER BY id DESC LIMIT 1) - 3 */
    tn_plan *maxid = limit_of(sort_of(scan_of(t, 1, id), col(0, T(TN_INT64)), true), 1, 0);
    tn_expr *pred = cmp(TN_CMP_GT, col(0, T(TN_INT64)),
                        arith(TN_SUB, subquery(TN_SUBQUERY_SCALAR, maxid, T(TN_INT64)), lit_i64(3)));
    CHECK_RUN(filter_of(scan_of(t, 1, id), pred), NULL, "id\n47\n48\n49\n");
    /* WHERE id IN (SELECT id FROM t WHERE id % 20 = 0) AND EXISTS (SELECT id FROM t) */
    tn_plan *tens = filter_of(scan_of(t, 1, id),
                              cmp(TN_CMP_EQ, arith(TN_MOD, col(0, T(TN_INT64)), lit_i64(20)), lit_i64(0)));
    tn_expr *in = subquery(TN_SUBQUERY_IN, tens, T(TN_BOOL));
    in->args[0] = col(0, T(TN_INT64));
    tn_expr *both = logic2(TN_EXPR_AND, in, subquery(TN_SUBQUERY_EXISTS, scan_of(t, 1, id), T(TN_BOOL)));
    CHECK_RUN(filter_of(scan_of(t, 1, id), both), NULL, "id\n0\n20\n40\n");
    /* a scalar subquery of two rows is an error */
    tn_expr *two = cmp(TN_CMP_EQ, col(0, T(TN_INT64)), subquery(TN_SUBQUERY_SCALAR, limit_of(scan_of(t, 1, id), 2, 0),
                                                                 T(TN_INT64)));
    CHECK_RUN(filter_of(scan_of(t, 1, id), two), NULL,
              "error: more than one row returned by a subquery used as an expression: (subquery)");
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

TEST(ctes)
{
    tn_plan_ctx_init(&P);
    /* WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n * 2 FROM r WHERE n < 100) SELECT * FROM r */
    tn_expr **one = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *)));
    one[0] = lit_i64(1);
    const char *n[] = {"n"};
    tn_plan *anchor = values_of(1, 1, one, n);
    tn_plan *rec = must(tn_plan_new(&P, TN_PLAN_RECURSIVE_CTE, 2));
    rec->all = true;
    rec->out = anchor->out;
    tn_plan *ref = must(tn_plan_new(&P, TN_PLAN_CTE_SCAN, 0));
    ref->out = anchor->out;
    ref->recursive_ref = rec;
    tn_expr *twice[] = {arith(TN_MUL, col(0, T(TN_INT64)), lit_i64(2))};
    tn_plan *step = project_of(filter_of(ref, cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(100))), 1, twice, n);
    rec->children[0] = anchor;
    rec->children[1] = step;
    CHECK_RUN(rec, NULL, "n\n1\n2\n4\n8\n16\n32\n64\n128\n");
    /* a CTE read twice is run once: UNION ALL of two scans of it */
    tn_plan *c1 = must(tn_plan_new(&P, TN_PLAN_CTE_SCAN, 0));
    c1->cte = rec;
    c1->out = rec->out;
    tn_plan *c2 = must(tn_plan_new(&P, TN_PLAN_CTE_SCAN, 0));
    *c2 = *c1;
    tn_plan *u = must(tn_plan_new(&P, TN_PLAN_SETOP, 2));
    u->setop = TN_SETOP_UNION;
    u->all = true;
    u->children[0] = filter_of(c1, cmp(TN_CMP_GT, col(0, T(TN_INT64)), lit_i64(60)));
    u->children[1] = filter_of(c2, cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(3)));
    u->out = rec->out;
    tarn_error err;
    tarn_error_init(&err);
    tn_query *q = NULL;
    CHECK_OK(tn_query_new(u, NULL, NULL, &q, &err), &err);
    if (q) {
        CHECK_EQ_INT(q->ncte, 1);
        tn_query_free(q);
    }
    CHECK_RUN(u, NULL, "n\n64\n128\n1\n2\n");
    tn_plan_ctx_free(&P);
}

TEST(explain_and_analyze)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(1000, 100);
    const int32_t id[] = {0};
    tn_plan *inner = limit_of(sort_of(filter_of(scan_of(t, 1, id), named(cmp(TN_CMP_LT, col(0, T(TN_INT64)),
                                                                             lit_i64(10)), "id < 10")),
                                      named(col(0, T(TN_INT64)), "id"), false),
                              2, 0);
    tn_plan *ex = must(tn_plan_new(&P, TN_PLAN_EXPLAIN, 1));
    ex->children[0] = inner;
    const char *n[] = {"explain"};
    tn_type *ty[] = {T(TN_STRING)};
    ex->out = schema_of(1, n, ty);
    char *got = run_csv(ex, NULL);
    CHECK(got && strstr(got, "LIMIT limit: 2\n  TOP_N id ASC, top: 2\n    FILTER id < 10\n      TABLE_SCAN t\n"));
    tn_free(got);
    ex->analyze = true;
    got = run_csv(ex, NULL);
    CHECK(got && strstr(got, "FILTER id < 10  [rows: 10,"));
    CHECK(got && strstr(got, "TABLE_SCAN t  [rows: 1000,"));
    tn_free(got);
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

TEST(runtime_error_names_expression)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(3000, 100);
    const int32_t id[] = {0};
    /* 1 / (id - 2500): division by zero on one row of one partition */
    tn_expr *div = named(arith(TN_DIV, lit_i64(1), arith(TN_SUB, col(0, T(TN_INT64)), lit_i64(2500))),
                         "1 / (id - 2500)");
    const char *n[] = {"x"};
    char *got = run_csv(project_of(scan_of(t, 1, id), 1, &div, n), NULL);
    CHECK(got && strstr(got, "error: ") && strstr(got, "1 / (id - 2500)"));
    tn_free(got);
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}


/* A Parquet file of many row groups; filters pushed as `where` terms give
 * the same rows as the engine's own filtering, whatever their shape. */
TEST(parquet_pushdown)
{
    tn_plan_ctx_init(&P);
    tarn_error err;
    tarn_error_init(&err);
    tn_table *t = make_table(20000, 20000);
    char path[] = "/tmp/tn_exec_pq_XXXXXX.parquet";
    int fd = mkstemps(path, 8);
    CHECK(fd >= 0);
    close(fd);
    tn_plan *copy = count_plan(TN_PLAN_COPY_TO, scan_of(t, 3, ALL3));
    copy->path = path;
    const char *keys[] = {"ROW_GROUP_SIZE"}, *vals[] = {"1000"};
    copy->option_keys = keys;
    copy->option_values = vals;
    copy->noptions = 1;
    CHECK_RUN(copy, NULL, "Count\n20000\n");
    tn_table *f = NULL;
    CHECK_OK(tn_table_files_new(path, NULL, &f, &err), &err);
    if (f) {
        /* the terms the reader gets: column-literal comparisons only, flipped when the literal is left */
        tn_expr *filters[] = {cmp(TN_CMP_GE, col(0, T(TN_INT64)), lit_i64(-5)),
                              cmp(TN_CMP_GT, lit_i64(15003), col(0, T(TN_INT64))),
                              cmp(TN_CMP_NE, col(1, T(TN_STRING)), lit_str("it's")),
                              cmp(TN_CMP_EQ, arith(TN_MOD, col(0, T(TN_INT64)), lit_i64(1000)), lit_i64(1))};
        const int32_t cols[] = {0, 2};
        tn_scan_request req = {.columns = cols, .ncolumns = 2, .filters = filters, .nfilters = 4, .limit = -1};
        tn_exec_pq_terms terms;
        CHECK_OK(tn_exec_parquet_terms(f->schema, &req, &terms, &err), &err);
        CHECK(terms.n == 3);
        if (terms.n == 3) {
            CHECK(!strcmp(terms.terms[0].column, "id") && terms.terms[0].op == TN_CMP_GE && !terms.terms[0].is_string &&
                  !strcmp(terms.terms[0].literal, "-5") && terms.conjunct[0] == 0);
            CHECK(!strcmp(terms.terms[1].column, "id") && terms.terms[1].op == TN_CMP_LT &&
                  !strcmp(terms.terms[1].literal, "15003") && terms.conjunct[1] == 1);
            CHECK(!strcmp(terms.terms[2].column, "name") && terms.terms[2].op == TN_CMP_NE && terms.terms[2].is_string &&
                  terms.terms[2].literal_len == 4 && !memcmp(terms.terms[2].literal, "it's", 4) &&
                  terms.conjunct[2] == 2);
        }
        tn_exec_parquet_terms_reset(&terms);
        /* scanning with them: the rows of id % 1000 = 1 below 15003 */
        tn_plan *scan = scan_of(f, 2, cols);
        scan->filters = must(tn_arena_calloc(&P.arena, sizeof filters));
        memcpy(scan->filters, filters, sizeof filters);
        scan->nfilters = 4;
        CHECK_RUN(scan, NULL, "id,name\n1,n1\n1001,n1001\n2001,n2001\n3001,n3001\n4001,n4001\n5001,n5001\n"
                              "6001,n6001\n7001,n7001\n8001,n8001\n9001,n9001\n10001,n10001\n11001,n11001\n"
                              "12001,n12001\n13001,n13001\n14001,n14001\n15001,n15001\n");
        tn_table_unref(f);
    }
    unlink(path);
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}


/* DISTINCT (an aggregate without aggregates), INTERSECT and EXCEPT (semi /
 * anti joins on every column), and a hash join chosen for equality keys. */
TEST(distinct_setops_joins)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(1000, 64);
    const int32_t grp[] = {1}, idgrp[] = {0, 1};
    tn_plan *d = unary_plan(TN_PLAN_DISTINCT, scan_of(t, 1, grp));
    CHECK_RUN(sort_of(d, col(0, T(TN_INT64)), false), NULL, "grp\n0\n1\n2\n3\n4\n5\n6\n");
    /* SELECT grp FROM t INTERSECT SELECT grp FROM t WHERE id < 3 -> 0, 1, 2; EXCEPT -> 3..6 */
    for (int k = 0; k < 2; k++) {
        tn_plan *so = must(tn_plan_new(&P, TN_PLAN_SETOP, 2));
        so->setop = k == 0 ? TN_SETOP_INTERSECT : TN_SETOP_EXCEPT;
        so->children[0] = scan_of(t, 1, grp);
        so->children[1] = project_of(filter_of(scan_of(t, 2, idgrp), cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(3))),
                                     1, (tn_expr *[]){col(1, T(TN_INT64))}, (const char *[]){"g"});
        so->out = so->children[0]->out;
        CHECK_RUN(sort_of(so, col(0, T(TN_INT64)), false), NULL,
                  k == 0 ? "grp\n0\n1\n2\n" : "grp\n3\n4\n5\n6\n");
    }
    /* t JOIN (ids 0..2) ON t.grp = r.id: rows of t with grp in 0..2 -> count via sort + limit */
    tn_plan *j = must(tn_plan_new(&P, TN_PLAN_JOIN, 2));
    j->join = TN_JOIN_INNER;
    j->children[0] = filter_of(scan_of(t, 2, idgrp), cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(10)));
    j->children[1] = project_of(filter_of(scan_of(t, 2, idgrp), cmp(TN_CMP_LT, col(0, T(TN_INT64)), lit_i64(3))), 1,
                                (tn_expr *[]){col(0, T(TN_INT64))}, (const char *[]){"rid"});
    j->nkeys = 1;
    j->left_keys = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *)));
    j->right_keys = must(tn_arena_calloc(&P.arena, sizeof(tn_expr *)));
    j->null_equal = must(tn_arena_calloc(&P.arena, sizeof(bool)));
    j->left_keys[0] = col(1, T(TN_INT64));
    j->right_keys[0] = col(0, T(TN_INT64));
    const char *jn[] = {"id", "grp", "rid"};
    tn_type *jt[] = {T(TN_INT64), T(TN_INT64), T(TN_INT64)};
    j->out = schema_of(3, jn, jt);
    CHECK_RUN(sort_of(j, col(0, T(TN_INT64)), false), NULL,
              "id,grp,rid\n0,0,0\n1,1,1\n2,2,2\n7,0,0\n8,1,1\n9,2,2\n");
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

typedef struct alloc_case {
    const tn_plan *plan;
} alloc_case;

static int run_alloc(void *arg, tarn_error *err)
{
    alloc_case *c = arg;
    tn_query *q = NULL;
    tn_reader *r = NULL;
    int rc = tn_query_new(c->plan, NULL, NULL, &q, err);
    if (rc == 0)
        rc = tn_query_run(q, &r, err);
    tn_reader_free(r);
    tn_query_free(q);
    return rc;
}

TEST(allocation_failures)
{
    tn_plan_ctx_init(&P);
    tn_table *t = make_table(300, 50);
    tn_plan *p = limit_of(sort_of(filter_of(scan_of(t, 3, ALL3), cmp(TN_CMP_GT, col(0, T(TN_INT64)), lit_i64(100))),
                                  col(1, T(TN_INT64)), false),
                          5, 1);
    alloc_case c = {p};
    CHECK(tn_test_alloc_failures("filter+top-n", run_alloc, &c) > 0);
    tn_table_unref(t);
    tn_plan_ctx_free(&P);
}

int main(void)
{
    RUN(scan_filter_sort_limit);
    RUN(full_scan_keeps_table_order);
    RUN(limit_without_order_stops_early);
    RUN(top_n_matches_full_sort);
    RUN(values_union_all);
    RUN(ctas_insert_copy);
    RUN(uncorrelated_subqueries);
    RUN(ctes);
    RUN(explain_and_analyze);
    RUN(runtime_error_names_expression);
    RUN(parquet_pushdown);
    RUN(distinct_setops_joins);
    RUN(allocation_failures);
    tn_pool_shutdown();
    return tn_test_done();
}
