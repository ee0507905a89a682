/*
 * test_sql_sort_spill.c — ORDER BY past the memory budget, through the
 * public API: with a memory_limit that the sort's data does not fit, the
 * sort writes sorted runs to spill files and merges them; the answer is
 * the same, row for row, as without the limit (several keys, DESC, NULLS
 * FIRST/LAST, strings, doubles; ties keep input order), EXPLAIN ANALYZE
 * shows the spilled bytes, top-N stays in memory, SET temp_directory
 * chooses where (created when missing, left empty) and an unusable one is
 * a clear error. A TPC-H lineitem sort at SF 0.01 does the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "tarn/gen.h"
#include "tarn/sql.h"
#include "sql_session_helpers.h"
#include "tn_test.h"

static void exec(tarn_session *s, const char *sql)
{
    tarn_error e;
    tarn_error_init(&e);
    CHECK_OK(tarn_sql_exec(s, sql, &e), &e);
}

static char tmp_root[256];

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* The bytes ORDER_BY spilled, from EXPLAIN ANALYZE (-1 when it says none). */
static long long spilled(tarn_session *s, const char *query)
{
    char *sql = tn_sprintf("EXPLAIN ANALYZE %s", query);
    char *plan = q(s, sql);
    tn_free(sql);
    long long n = -1;
    const char *at = plan ? strstr(plan, "ORDER_BY") : NULL;
    const char *eol = at ? strchr(at, '\n') : NULL;
    const char *sp = at ? strstr(at, "spilled: ") : NULL;
    if (sp && (!eol || sp < eol))
        n = atoll(sp + 9);
    if (!at)
        fprintf(stderr, "no ORDER_BY in: %s\n", plan ? plan : "(null)");
    tn_free(plan);
    return n;
}

/* 200k rows: id (table order), g with many ties, strings and doubles with NULLs. */
static const char *make_t =
    "CREATE TABLE t AS SELECT range AS id, range % 13 AS g, "
    "CASE WHEN range % 11 = 0 THEN NULL ELSE 'name-' || ((range * 7919) % 5003) END AS s, "
    "CASE WHEN range % 17 = 0 THEN NULL ELSE ((range * 31) % 1009) / 8.0 END AS d "
    "FROM range(200000)";

static const char *const queries[] = {
    "SELECT id, g, s, d FROM t ORDER BY s NULLS FIRST, d DESC NULLS LAST, id",
    "SELECT id, g, s, d FROM t ORDER BY g DESC, s DESC NULLS LAST", /* ties on (g, s): input order */
    "SELECT s, id FROM t ORDER BY s NULLS LAST",
    "SELECT d, g, id FROM t ORDER BY d NULLS FIRST, g",
};

TEST(sort_spills_with_the_same_answer)
{
    tarn_session *s = NULL;
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_open(&s, &err), &err);
    if (!s)
        return;
    exec(s, make_t);
    char *set = tn_sprintf("SET temp_directory = '%s/spill'", tmp_root);
    exec(s, set);
    tn_free(set);
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        char *want = q(s, queries[i]);
        CHECK(strncmp(want, "error", 5) != 0);
        CHECK_EQ_INT(spilled(s, queries[i]), -1);
        exec(s, "SET memory_limit = '40MB'");
        char *got = q(s, queries[i]);
        long long bytes = spilled(s, queries[i]);
        exec(s, "RESET memory_limit");
        if (strcmp(got, want) != 0)
            fprintf(stderr, "query %zu differs under the limit (%.200s)\n", i, got);
        CHECK(strcmp(got, want) == 0);
        CHECK(bytes > 1000000);
        tn_free(got);
        tn_free(want);
    }
    /* ties keep input order: within each g, ids ascend */
    exec(s, "SET memory_limit = '40MB'");
    char *r = q(s, "SELECT g, id FROM t ORDER BY g");
    exec(s, "RESET memory_limit");
    long long pg = -1, pid = -1, rows = 0;
    bool ordered = true;
    for (const char *line = strchr(r, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        long long g, id;
        if (sscanf(line + 1, "%lld,%lld", &g, &id) != 2) {
            ordered = false;
            break;
        }
        ordered &= g > pg || (g == pg && id > pid);
        pg = g;
        pid = id;
        rows++;
    }
    CHECK(ordered);
    CHECK_EQ_INT(rows, 200000);
    tn_free(r);
    /* the spill directory was made, and nothing is left in it */
    char *dir = tn_sprintf("%s/spill", tmp_root);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_EQ_INT(dir_entries(dir), 0);
    rmdir(dir);
    tn_free(dir);
    tarn_session_close(s);
}

TEST(top_n_stays_in_memory)
{
    tarn_session *s = NULL;
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_open(&s, &err), &err);
    if (!s)
        return;
    exec(s, make_t);
    const char *sql = "SELECT id, s FROM t ORDER BY s DESC NULLS LAST, id LIMIT 3";
    char *want = q(s, sql);
    exec(s, "SET memory_limit = '40MB'");
    char *got = q(s, sql);
    char *plan = q(s, "EXPLAIN ANALYZE SELECT id, s FROM t ORDER BY s DESC NULLS LAST, id LIMIT 3");
    exec(s, "RESET memory_limit");
    CHECK_STR(got, want);
    CHECK_STR(want, "id,s\n3382,name-999\n8385,name-999\n13388,name-999\n");
    CHECK(strstr(plan, "TOP_N") != NULL);
    CHECK(strstr(plan, "spilled") == NULL);
    tn_free(plan);
    tn_free(got);
    tn_free(want);
    tarn_session_close(s);
}

TEST(unusable_temp_directory)
{
    tarn_session *s = NULL;
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_open(&s, &err), &err);
    if (!s)
        return;
    exec(s, make_t);
    char *file = tn_sprintf("%s/plain", tmp_root);
    FILE *fp = fopen(file, "w");
    if (fp)
        fclose(fp);
    char *set = tn_sprintf("SET temp_directory = '%s/sub'", file);
    exec(s, set);
    exec(s, "SET memory_limit = '40MB'");
    char *got = q(s, queries[0]);
    exec(s, "RESET memory_limit");
    char *want = tn_sprintf("error: ORDER_BY: spill to %s/sub: Not a directory", file);
    CHECK_STR(got, want);
    /* RESET temp_directory: the default again ($TMPDIR, set to tmp_root) */
    exec(s, "RESET temp_directory");
    exec(s, "SET memory_limit = '40MB'");
    CHECK(spilled(s, queries[0]) > 0);
    exec(s, "RESET memory_limit");
    unlink(file);
    tn_free(want);
    tn_free(got);
    tn_free(set);
    tn_free(file);
    tarn_session_close(s);
}

TEST(tpch_lineitem_sort_spills)
{
    tarn_error err;
    tarn_error_init(&err);
    char *dir = tn_sprintf("%s/tpch", tmp_root);
    tarn_gen_options o = {.format = "ipc"};
    CHECK_OK(tarn_gen_tpch(dir, 0.01, &o, &err), &err);
    tarn_session *s = NULL;
    CHECK_OK(tarn_session_open(&s, &err), &err);
    if (!s)
        return;
    char *view = tn_sprintf("CREATE VIEW lineitem AS SELECT * FROM '%s/lineitem.arrow'", dir);
    exec(s, view);
    const char *sql = "SELECT l_orderkey, l_linenumber, l_shipdate, l_extendedprice, l_comment FROM lineitem "
                      "ORDER BY l_shipdate DESC, l_extendedprice, l_comment";
    char *want = q(s, sql);
    CHECK(strncmp(want, "error", 5) != 0);
    exec(s, "SET memory_limit = '20MB'");
    char *got = q(s, sql);
    long long bytes = spilled(s, sql);
    exec(s, "RESET memory_limit");
    CHECK(strcmp(got, want) == 0);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "lineitem under 20MB: %.300s\n", got);
    CHECK(bytes > 1000000);
    tn_free(got);
    tn_free(want);
    tn_free(view);
    tarn_session_close(s);
    const char *tables[] = {"part", "supplier", "partsupp", "customer", "orders", "lineitem", "nation", "region"};
    for (size_t i = 0; i < 8; i++) {
        char *f = tn_sprintf("%s/%s.arrow", dir, tables[i]);
        unlink(f);
        tn_free(f);
    }
    rmdir(dir);
    tn_free(dir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp_root, sizeof tmp_root, "%s/tarn-sort-spill-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 2;
    }
    setenv("TMPDIR", tmp_root, 1);
    tarn_error err;
    tarn_error_init(&err);
    if (tarn_set_threads(2, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    RUN(sort_spills_with_the_same_answer);
    RUN(top_n_stays_in_memory);
    RUN(unusable_temp_directory);
    RUN(tpch_lineitem_sort_spills);
    CHECK_EQ_INT(dir_entries(tmp_root), 0);
    rmdir(tmp_root);
    tn_pool_shutdown();
    return tn_test_done();
}
