/*
 * fuzz_sql_bind.c — the binder and the optimizer against arbitrary SQL.
 *
 * The input is a script. Each statement is parsed, bound against a fixed
 * catalog (the eight TPC-H tables, tables of every common type including
 * structs and lists, a view) and, when it is a plan, optimized and
 * formatted; nothing is executed, and tables over files are refused
 * (tn_bind_options.no_files), so no input touches storage. Any status is
 * fine except TARN_EINTERNAL; a crash, UB, a hang, a leak through tarn's
 * allocator or a malformed message (empty, or more than one line) is a
 * bug. The catalog is built once, by the binder itself, from DDL text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "sql/binder/binder.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser/parser.h"

static const char *const SCHEMA =
    "CREATE TABLE region (r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR);"
    "CREATE TABLE nation (n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, n_comment VARCHAR);"
    "CREATE TABLE supplier (s_suppkey INTEGER, s_name VARCHAR, s_address VARCHAR, s_nationkey INTEGER,"
    " s_phone VARCHAR, s_acctbal DECIMAL(15,2), s_comment VARCHAR);"
    "CREATE TABLE customer (c_custkey INTEGER, c_name VARCHAR, c_address VARCHAR, c_nationkey INTEGER,"
    " c_phone VARCHAR, c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR);"
    "CREATE TABLE part (p_partkey INTEGER, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR,"
    " p_size INTEGER, p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR);"
    "CREATE TABLE partsupp (ps_partkey INTEGER, ps_suppkey INTEGER, ps_availqty INTEGER,"
    " ps_supplycost DECIMAL(15,2), ps_comment VARCHAR);"
    "CREATE TABLE orders (o_orderkey INTEGER, o_custkey INTEGER, o_orderstatus VARCHAR,"
    " o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR,"
    " o_shippriority INTEGER, o_comment VARCHAR);"
    "CREATE TABLE lineitem (l_orderkey INTEGER, l_partkey INTEGER, l_suppkey INTEGER, l_linenumber INTEGER,"
    " l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2),"
    " l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE,"
    " l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR);"
    "CREATE TABLE t (a INTEGER, b BIGINT, c VARCHAR, d DOUBLE, e DATE, f BOOLEAN, g DECIMAL(10,2),"
    " h TIMESTAMP, i SMALLINT, j TINYINT, k BLOB, l REAL, m HUGEINT, n TIME, o INTERVAL);"
    "CREATE TABLE t1 (a INTEGER, b INTEGER, c VARCHAR);"
    "CREATE TABLE t2 (a INTEGER, d DOUBLE, e DATE);"
    "CREATE TABLE nested (id INTEGER, s STRUCT(x INTEGER, y VARCHAR, z STRUCT(w DOUBLE)), l INTEGER[],"
    " ls VARCHAR[]);"
    "CREATE VIEW v1(p, q) AS SELECT a, c FROM t1 WHERE b > 1;";

static tn_catalog *catalog(void)
{
    static tn_catalog *cat;
    if (cat)
        return cat;
    tarn_error err;
    if (tn_catalog_new(&cat, &err) != 0)
        abort();
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s;
    if (tn_sql_parse(SCHEMA, strlen(SCHEMA), &a, &s, &err) != 0) {
        fprintf(stderr, "schema: %s\n", err.message);
        abort();
    }
    for (int i = 0; i < s->n; i++) {
        tn_plan_ctx ctx;
        tn_plan_ctx_init(&ctx);
        tn_bound_stmt st;
        int rc = tn_bind_statement(cat, NULL, SCHEMA, strlen(SCHEMA), s->stmts[i], &ctx, &st, &err);
        if (rc == 0 && st.kind == TN_BOUND_CREATE_TABLE) {
            tn_table *t;
            rc = tn_table_memory_new(st.name, st.schema, &t, &err);
            if (rc == 0) {
                rc = tn_catalog_add_table(cat, st.name, t, false, false, &err);
                tn_table_unref(t);
            }
        } else if (rc == 0 && st.kind == TN_BOUND_CREATE_VIEW) {
            rc = tn_catalog_add_view(cat, st.name, st.view_sql, (char *const *)st.view_columns, st.nview_columns,
                                     false, false, &err);
        }
        tn_plan_ctx_free(&ctx);
        if (rc) {
            fprintf(stderr, "schema: %s\n", err.message);
            abort();
        }
    }
    tn_arena_free(&a);
    return cat;
}

static void check_status(int rc, const tarn_error *err, const char *stage)
{
    if (rc == TARN_EINTERNAL || (rc && (!err->message[0] || strchr(err->message, '\n')))) {
        fprintf(stderr, "%s: status %d: %s\n", stage, rc, err->message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    tn_catalog *cat = catalog();
    tarn_set_memory_limit(256 << 20);
    int64_t before = tarn_memory_used();
    const char *sql = (const char *)data;
    tn_arena a;
    tn_arena_init(&a, 0);
    tn_sql_script *s = NULL;
    tarn_error err;
    tarn_error_init(&err);
    int rc = tn_sql_parse(sql, size, &a, &s, &err);
    check_status(rc, &err, "parse");
    tn_bind_options o = {0};
    o.no_files = true;
    for (int i = 0; rc == 0 && i < s->n && i < 8; i++) {
        tn_plan_ctx ctx;
        tn_plan_ctx_init(&ctx);
        tn_bound_stmt st;
        tarn_error_init(&err);
        int brc = tn_bind_statement(cat, &o, sql, size, s->stmts[i], &ctx, &st, &err);
        check_status(brc, &err, "bind");
        if (brc == 0 && st.kind == TN_BOUND_PLAN) {
            tn_plan *p = st.plan;
            tarn_error_init(&err);
            int orc = tn_optimize(&ctx, NULL, &p, &err);
            check_status(orc, &err, "optimize");
            if (orc == 0) {
                tn_buf b;
                tn_buf_init(&b, 0);
                tarn_error_init(&err);
                check_status(tn_plan_format(p, &b, &err), &err, "format");
                tn_buf_reset(&b);
            }
        }
        tn_plan_ctx_free(&ctx);
    }
    tn_arena_free(&a);
    if (tarn_memory_used() != before) {
        fprintf(stderr, "leaked %lld bytes through tarn's allocator\n", (long long)(tarn_memory_used() - before));
        abort();
    }
    return 0;
}
