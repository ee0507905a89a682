/*
 * test_sql_join_spill.c — the grace hash join through the whole engine:
 * TPC-H at SF 0.01 (generated here) loaded into memory tables, then the
 * join-heavy queries (bench/queries/tpch) run once without a memory limit
 * and again under a limit just above what the loaded tables take, so that
 * their hash joins must spill. Every answer must be the same, and EXPLAIN
 * ANALYZE must report spilled bytes for a HASH_JOIN.
 *
 * Memory tables keep the scans from allocating (their batches are shared),
 * so what the limit squeezes is the joins' build sides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "tarn/gen.h"
#include "tarn/sql.h"
#include "sql_session_helpers.h"
#include "tn_test.h"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = tn_malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        tn_free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

static const char *const TABLES[] = {"part", "supplier", "partsupp", "customer",
                                     "orders", "lineitem", "nation", "region"};

/* Queries whose build sides are the largest (Q9: part-lineitem-orders-
 * partsupp; Q21: EXISTS / NOT EXISTS over lineitem) and a few more. */
static const int QUERIES[] = {9, 21, 3, 5, 7, 8, 10};

TEST(tpch_joins_spill_under_a_memory_limit)
{
    char dir[] = "/tmp/tn_join_spill_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    tarn_error err;
    tarn_error_init(&err);
    tarn_gen_options go = {.format = "parquet"};
    CHECK_OK(tarn_gen_tpch(dir, 0.01, &go, &err), &err);
    tarn_session *s = NULL;
    CHECK_OK(tarn_session_open(&s, &err), &err);
    CHECK_OK(tarn_sql_exec(s, "SET threads = 1", &err), &err);
    for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++) {
        char *sql = tn_sprintf("CREATE TABLE %s AS SELECT * FROM '%s/%s.parquet'", TABLES[t], dir, TABLES[t]);
        CHECK_OK(tarn_sql_exec(s, sql, &err), &err);
        tn_free(sql);
    }
    int spilled_queries = 0;
    for (size_t i = 0; i < sizeof QUERIES / sizeof *QUERIES; i++) {
        char path[64];
        snprintf(path, sizeof path, "bench/queries/tpch/q%02d.sql", QUERIES[i]);
        char *text = read_text(path);
        CHECK(text != NULL);
        if (!text)
            continue;
        char *want = q(s, text);
        CHECK(strncmp(want, "error: ", 7) != 0);
        /* room for a few MB beyond the tables: less than the joins hold */
        int64_t used = tarn_memory_used();
        tarn_set_memory_limit(used + (6 << 20));
        char *explain = tn_sprintf("EXPLAIN ANALYZE %s", text);
        char *plan = q(s, explain);
        char *got = q(s, text);
        tarn_set_memory_limit(0);
        CHECK(strncmp(plan, "error: ", 7) != 0);
        bool spilled = strstr(plan, "spilled: ") != NULL;
        spilled_queries += spilled;
        if (QUERIES[i] == 9 || QUERIES[i] == 21)
            CHECK(spilled);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "  Q%d differs under a limit of %lld bytes:\n%s\n", QUERIES[i], (long long)(used + (6 << 20)), got);
        CHECK_STR(got, want);
        tn_free(plan);
        tn_free(explain);
        tn_free(got);
        tn_free(want);
        tn_free(text);
    }
    CHECK(spilled_queries >= 2);
    tarn_session_close(s);
    for (size_t t = 0; t < sizeof TABLES / sizeof *TABLES; t++) {
        char *f = tn_sprintf("%s/%s.parquet", dir, TABLES[t]);
        unlink(f);
        tn_free(f);
    }
    rmdir(dir);
}

int main(void)
{
    RUN(tpch_joins_spill_under_a_memory_limit);
    return tn_test_done();
}
