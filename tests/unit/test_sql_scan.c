/*
 * test_sql_scan.c — scans of tables over Parquet files: a file of many row
 * groups splits into row-group partitions that give the same rows as one
 * reader of the file; filters pushed to the reader as parsed terms skip
 * row groups (counts read back from EXPLAIN ANALYZE) and give the answer
 * of the same query over an in-memory copy (no pushdown), for every
 * comparison type; a hash join's dynamic filter skips the probe scan's row
 * groups and rows, with the answer of SET dynamic_filters = false.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "formats/parquet/parquet.h"
#include "sql/catalog.h"
#include "store/store.h"
#include "tarn/sql.h"
#include "tn_test.h"

/* Render a reader as CSV (frees it); NULL on failure. */
static char *render_reader(tn_reader *r, tarn_error *err)
{
    tn_buf out;
    tn_buf_init(&out, 0);
    tn_print_options o;
    tn_print_options_init(&o);
    o.format = TN_PRINT_CSV;
    int rc = tn_print_buf(&out, r, &o, err);
    tn_reader_free(r);
    if (rc) {
        tn_buf_reset(&out);
        return NULL;
    }
    return out.data ? tn_buf_take(&out) : tn_strdup("");
}

/* The result of sql as CSV, or "error: <message>". A new string. */
static char *q(tarn_session *s, const char *sql)
{
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream st;
    if (tarn_sql_query(s, sql, &st, &err) != 0)
        return tn_sprintf("error: %s", err.message);
    tn_reader *r;
    if (tn_import_stream(&st, &r, &err) != 0) {
        if (st.release)
            st.release(&st);
        return tn_sprintf("error: %s", err.message);
    }
    char *text = render_reader(r, &err);
    return text ? text : tn_sprintf("error: %s", err.message);
}

/* q of tmpl with its first "%s" replaced by a, its second by b, "%%" by "%". */
static char *qf(tarn_session *s, const char *tmpl, const char *a, const char *b)
{
    tn_buf sql;
    tn_buf_init(&sql, 0);
    tarn_error e;
    tarn_error_init(&e);
    const char *args[2] = {a, b};
    int k = 0;
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '%' && p[1] == 's' && k < 2) {
            CHECK_OK(tn_buf_append_str(&sql, args[k++], &e), &e);
            p++;
        } else {
            CHECK_OK(tn_buf_append_byte(&sql, (uint8_t)*p, &e), &e);
            p += p[0] == '%' && p[1] == '%';
        }
    }
    CHECK_OK(tn_buf_append_byte(&sql, 0, &e), &e);
    char *r = q(s, (const char *)sql.data);
    tn_buf_reset(&sql);
    return r;
}

#define EXEC(s, sql)                                   \
    do {                                               \
        tarn_error e_;                                 \
        tarn_error_init(&e_);                          \
        CHECK_OK(tarn_sql_exec((s), (sql), &e_), &e_); \
    } while (0)

/* The number written just before `label` in text ("..., 8 pruned by
 * statistics"), 0 when the label is absent, -1 when no number precedes it. */
static long long count_before(const char *text, const char *label)
{
    const char *at = text ? strstr(text, label) : NULL;
    if (!at)
        return 0;
    const char *p = at;
    while (p > text && p[-1] == ' ')
        p--;
    const char *end = p;
    while (p > text && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return p == end ? -1 : strtoll(p, NULL, 10);
}

static char path[64];

/* 200,000 rows in 10 row groups of 20,000, every column sorted by i, so
 * that each row group holds a known range, in pages of 8 KB with a page
 * index: i (int64), d (date: day i/1000
 * of 2000), m (decimal(12,2): i/100), s (utf8: 'k' and i in 6 digits), n
 * (int32 with NULLs: i % 100, NULL when i % 7 = 0), f (double: i/2). */
static void write_file(tarn_session *s)
{
    snprintf(path, sizeof path, "/tmp/tn_scan_%d.parquet", (int)getpid());
    char *sql = tn_sprintf("COPY (SELECT i, DATE '2000-01-01' + CAST((i - i %% 1000) / 1000 AS INTEGER) AS d, "
                           "CAST(CAST(i AS DECIMAL(12,2)) / 100 AS DECIMAL(12,2)) AS m, "
                           "'k' || lpad(CAST(i AS VARCHAR), 6, '0') AS s, "
                           "CASE WHEN i %% 7 = 0 THEN NULL ELSE CAST(i %% 100 AS INTEGER) END AS n, "
                           "CAST(i AS DOUBLE) / 2 AS f FROM range(0, 200000) t(i)) "
                           "TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 20000, PAGE_SIZE 8192)",
                           path);
    EXEC(s, sql);
    tn_free(sql);
}

static tarn_session *open_session(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s = NULL;
    CHECK_OK(tarn_session_open(&s, &err), &err);
    return s;
}

/* (a) One file of 10 row groups: several partitions, together the rows
 * (in order) of one reader of the whole file; the footer read once. */
TEST(row_group_partitions)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    write_file(s);
    tarn_error err;
    tarn_error_init(&err);
    tn_table *t = NULL;
    CHECK_OK(tn_table_files_new(path, NULL, &t, &err), &err);
    if (t) {
        tn_scan_request req = {.limit = -1};
        int64_t n = 0;
        CHECK_OK(t->ops->partitions(t, &req, &n, &err), &err);
        CHECK_EQ_INT(n, 1); /* without a scan state: one partition per file */
        CHECK_OK(t->ops->scan_begin(t, &req, &err), &err);
        CHECK_OK(t->ops->partitions(t, &req, &n, &err), &err);
        CHECK_EQ_INT(n, 4); /* partitions of ~60,000 rows: 3 + 3 + 3 + 1 row groups */
        tn_batch **all = NULL;
        size_t nb = 0, cap = 0;
        for (int64_t p = 0; p < n; p++) {
            tn_reader *r = NULL;
            CHECK_OK(t->ops->open(t, &req, p, &r, NULL, &err), &err);
            for (tn_batch *b = NULL; r && tn_reader_next(r, &b, &err) == TARN_OK && b;)
                CHECK_OK(tn_batch_push(&all, &nb, &cap, b, &err), &err);
            tn_reader_free(r);
        }
        tn_scan_stats st;
        t->ops->scan_stats(t, &req, &st);
        CHECK_EQ_INT(st.files, 1);
        CHECK_EQ_INT(st.row_groups, 10);
        CHECK_EQ_INT(st.rg_read, 10);
        CHECK(st.bytes_read > 0);
        t->ops->scan_end(t, &req);
        CHECK(req.state == NULL);
        char *split = render_reader(tn_reader_from_batches(t->schema, all, (int64_t)nb), &err);
        for (size_t i = 0; i < nb; i++)
            tn_batch_unref(all[i]);
        tn_free(all);
        tn_reader *whole = NULL;
        CHECK_OK(tn_parquet_open_file(path, NULL, &whole, &err), &err);
        char *one = whole ? render_reader(whole, &err) : NULL;
        CHECK(split && one && strlen(one) > 1000000);
        CHECK(split && one && strcmp(split, one) == 0);
        tn_free(split);
        tn_free(one);
        tn_table_unref(t);
    }
    /* through SQL on two threads: every row once, in file order */
    EXEC(s, "SET threads = 2");
    char *got = qf(s, "SELECT count(*) AS c, sum(i) AS si, count(n) AS cn, min(s) AS lo, max(d) AS hi FROM '%s'%s",
                   path, "");
    CHECK_STR(got, "c,si,cn,lo,hi\n200000,19999900000,171428,k000000,2000-07-18\n");
    tn_free(got);
    got = qf(s, "SELECT i FROM '%s' WHERE i %% 40000 = 39999%s", path, "");
    CHECK_STR(got, "i\n39999\n79999\n119999\n159999\n199999\n");
    tn_free(got);
    /* a limit over the scan reads the file's first rows (one partition per file) */
    got = qf(s, "SELECT i, s FROM '%s' LIMIT 3 OFFSET 19999%s", path, "");
    CHECK_STR(got, "i,s\n19999,k019999\n20000,k020000\n20001,k020001\n");
    tn_free(got);
    /* a limit above a filter: the first matching rows of the file */
    got = qf(s, "SELECT i FROM '%s' WHERE i %% 7 = 3 AND n IS NOT NULL LIMIT 3%s", path, "");
    CHECK_STR(got, "i\n3\n10\n17\n");
    tn_free(got);
    EXEC(s, "RESET threads");
    tarn_session_close(s);
    unlink(path);
}

/* (b) Pushed filters: the answer of the in-memory copy (nothing pushed),
 * and the row groups skipped by statistics. */
TEST(typed_pushdown)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    write_file(s);
    char *sql = tn_sprintf("CREATE TABLE mem AS SELECT * FROM '%s'", path);
    EXEC(s, sql);
    tn_free(sql);
    static const struct {
        const char *where;
        int pruned; /* row groups of 10 skipped by statistics */
    } cases[] = {
        {"i < 30000", 8},
        {"30000 > i", 8},
        {"i >= 190000", 9},
        {"i = 123456", 9},
        {"i <> 5", 0},
        {"i > 10 AND i <= 20", 9},
        {"d = DATE '2000-01-25'", 9},
        {"d < DATE '2000-01-01' + INTERVAL '10' DAY", 9},
        {"d BETWEEN DATE '2000-02-10' AND DATE '2000-02-11'", 9},
        {"m >= 1500.00", 7},
        {"m < 0.50", 9},
        {"s < 'k020000'", 9},
        {"s = 'k150001'", 9},
        {"s > 'k19'", 9},
        {"s >= 'l'", 10},
        {"f > 99999.5", 0}, /* a float's max does not bound NaN: never pruned by it */
        {"f < 0", 10},
        {"f <= 0.5", 9},
        {"n = 5", 0},
        {"n <> 5 AND i < 40", 9},
        {"n IS NULL AND i < 100", 9},
        {"n = NULL", 0},
        {"i IN (5, 150000, NULL)", 8},
        {"s IN ('k000003', 'k199999')", 8},
        {"d IN (DATE '2000-01-02', DATE '2000-07-18')", 8},
        {"i NOT IN (1, 2) AND i < 20", 9},
        {"n IN (NULL)", 0},
        {"i + 0 < 30000", 0},
        {"CAST(n AS BIGINT) = 5 AND i < 20000", 9},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *want = qf(s, "SELECT * FROM mem WHERE %s ORDER BY i%s", cases[c].where, "");
        char *got = qf(s, "SELECT * FROM '%s' WHERE %s ORDER BY i", path, cases[c].where);
        CHECK(want && strncmp(want, "error", 5) != 0);
        CHECK_STR(got, want);
        char *plan = qf(s, "EXPLAIN ANALYZE SELECT * FROM '%s' WHERE %s", path, cases[c].where);
        long long pruned = count_before(plan, "pruned by statistics");
        if (pruned != cases[c].pruned)
            fprintf(stderr, "  case %s: %s\n", cases[c].where, plan);
        CHECK_EQ_INT(pruned, cases[c].pruned);
        CHECK_EQ_INT(count_before(plan, "row groups ("), 10);
        /* a point in a row group read: its other pages skipped by the page index */
        if (strstr(cases[c].where, "i = 123456"))
            CHECK(count_before(plan, "pages pruned") >= 10);
        tn_free(want);
        tn_free(got);
        tn_free(plan);
    }
    tarn_session_close(s);
    unlink(path);
}

/* Terms given through the API name the term by its column, not by a
 * position in a text they never had. */
TEST(term_errors)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    write_file(s);
    tarn_error err;
    tarn_error_init(&err);
    const tn_parquet_term bad[] = {{.column = "nope", .op = 0, .literal = "1", .literal_len = 1},
                                   {.column = "d", .op = 0, .literal = "1", .literal_len = 1},
                                   {.column = "i", .op = 0, .literal = "x", .literal_len = 1, .is_string = true}};
    const char *want[] = {"no column named \"nope\"", "column \"d\" is date32, compared with a number",
                          "column \"i\" is int64, compared with a string"};
    for (int k = 0; k < 3; k++) {
        tn_parquet_read_options o = {.limit = -1, .terms = &bad[k], .n_terms = 1};
        tn_reader *r = NULL;
        CHECK(tn_parquet_open_file(path, &o, &r, &err) != TARN_OK);
        CHECK_MSG(&err, want[k]);
        CHECK(!strstr(err.message, "position"));
        tn_reader_free(r);
    }
    tarn_session_close(s);
    unlink(path);
}

/* (c) A join whose build side is small: the probe scan skips row groups
 * by the build keys' range and rows by their bloom filter; the answer is
 * the one without dynamic filters. */
TEST(dynamic_join_filters)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    write_file(s);
    EXEC(s, "CREATE TABLE keys AS SELECT i + 150000 AS k FROM range(0, 10) t(i)");
    EXEC(s, "CREATE TABLE days AS SELECT DATE '2000-03-01' + CAST(i AS INTEGER) AS day FROM range(0, 3) t(i)");
    static const struct {
        const char *sql;
        int pruned;         /* row groups skipped by the join filter */
        long long dropped;  /* at least this many rows dropped at the scan */
    } cases[] = {
        {"SELECT count(*) AS c, sum(p.m) AS sm FROM '%s' p JOIN keys ON p.i = keys.k", 9, 19000},
        {"SELECT p.s, p.n FROM '%s' p JOIN keys ON keys.k = p.i WHERE p.n IS NOT NULL ORDER BY p.s", 9, 15000},
        {"SELECT count(*) AS c, min(p.i) AS lo FROM '%s' p JOIN days ON p.d = days.day", 9, 15000},
        {"SELECT count(*) AS c FROM '%s' p WHERE p.i IN (SELECT k FROM keys)", 9, 19000},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        EXEC(s, "SET dynamic_filters = false");
        char *want = qf(s, cases[c].sql, path, "");
        char *plain = tn_sprintf("EXPLAIN ANALYZE %s", cases[c].sql);
        char *off = qf(s, plain, path, "");
        EXEC(s, "RESET dynamic_filters");
        char *got = qf(s, cases[c].sql, path, "");
        char *plan = qf(s, plain, path, "");
        CHECK(want && strncmp(want, "error", 5) != 0 && strchr(want, '\n') && strchr(want, '\n')[1]);
        CHECK_STR(got, want);
        CHECK_EQ_INT(count_before(off, "pruned by join filters"), 0);
        long long pruned = count_before(plan, "pruned by join filters");
        long long dropped = plan && strstr(plan, "rows dropped by join filters: ")
                                ? strtoll(strstr(plan, "rows dropped by join filters: ") + 30, NULL, 10)
                                : -1;
        if (pruned != cases[c].pruned || dropped < cases[c].dropped)
            fprintf(stderr, "  case %zu: %s\n", c, plan);
        CHECK_EQ_INT(pruned, cases[c].pruned);
        CHECK(dropped >= cases[c].dropped);
        tn_free(want);
        tn_free(got);
        tn_free(plain);
        tn_free(off);
        tn_free(plan);
    }
    /* a LEFT join keeps every probe row: no filter */
    char *plan = qf(s, "EXPLAIN ANALYZE SELECT count(*) FROM '%s' p LEFT JOIN keys ON p.i = keys.k%s", path, "");
    CHECK(plan && !strstr(plan, "join filters"));
    tn_free(plan);
    char *bad = q(s, "SET dynamic_filters = maybe");
    CHECK_STR(bad, "error: setting dynamic_filters: expected true or false, got \"maybe\"");
    tn_free(bad);
    tarn_session_close(s);
    unlink(path);
}

/* A remote Parquet object (an in-memory object store): read whole, with
 * the pushed filters, the same answer as the local file. */
TEST(remote_pushdown)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    write_file(s);
    tarn_error err;
    tarn_error_init(&err);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    uint8_t *bytes = tn_malloc(8 << 20);
    size_t n = fp && bytes ? fread(bytes, 1, 8 << 20, fp) : 0;
    if (fp)
        fclose(fp);
    CHECK(n > 0 && n < (8 << 20));
    tn_store *st = NULL;
    CHECK_OK(tn_store_memory_open("scan_test", &st, &err), &err);
    if (st)
        CHECK_OK(tn_store_put(st, "t/x.parquet", bytes, (int64_t)n, NULL, &err), &err);
    tn_free(bytes);
    const char *url = "memory://scan_test/t/x.parquet";
    char *want = qf(s, "SELECT i, s, d FROM '%s' WHERE i < 30000 AND d >= DATE '2000-01-05' ORDER BY i%s", path, "");
    char *got = qf(s, "SELECT i, s, d FROM '%s' WHERE i < 30000 AND d >= DATE '2000-01-05' ORDER BY i%s", url, "");
    CHECK(want && strncmp(want, "error", 5) != 0 && strlen(want) > 1000);
    CHECK_STR(got, want);
    char *plan = qf(s, "EXPLAIN ANALYZE SELECT i FROM '%s' WHERE i < 30000%s", url, "");
    CHECK_EQ_INT(count_before(plan, "row groups ("), 10);
    CHECK_EQ_INT(count_before(plan, "pruned by statistics"), 8);
    tn_free(want);
    tn_free(got);
    tn_free(plan);
    tn_store_free(st);
    tarn_session_close(s);
    unlink(path);
}

int main(void)
{
    RUN(row_group_partitions);
    RUN(typed_pushdown);
    RUN(term_errors);
    RUN(dynamic_join_filters);
    RUN(remote_pushdown);
    return tn_test_done();
}
