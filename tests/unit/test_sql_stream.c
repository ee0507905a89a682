/*
 * test_sql_stream.c — query results stream to the caller (tarn_sql_query's
 * ArrowArrayStream) through a bounded queue: a result several times larger
 * than the memory limit comes through whole and in order (table order, or
 * ORDER BY's), and so does a COPY TO a file; releasing the stream early stops the query with nothing
 * leaked; the stream outlives its session; the next statement on the
 * session lets a live stream finish first; an error met after the first
 * rows arrives through get_next; tarn_session_interrupt stops a streaming
 * query without cancelling the next one; progress reports (the rows
 * scanned of the table's, one last report when the query stops).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "tarn/sql.h"
#include "tn_test.h"

#define ROWS 6000000LL

static tarn_session *open_with_table(void)
{
    tarn_session *s = NULL;
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_open(&s, &err), &err);
    if (s)
        CHECK_OK(tarn_sql_exec(s, "CREATE TABLE t AS SELECT range AS id FROM range(6000000)", &err), &err);
    return s;
}

/* Pull up to max batches (all when max < 0); checks the first column is
 * id values following on from *next, stepping by step. Returns the rows
 * read, or -1 when get_next failed (its message in msg). */
static long long pull(struct ArrowArrayStream *st, int max, long long *next, long long step, char *msg, size_t cap)
{
    long long rows = 0;
    for (int k = 0; max < 0 || k < max; k++) {
        struct ArrowArray a = {0};
        if (st->get_next(st, &a) != 0) {
            const char *m = st->get_last_error(st);
            snprintf(msg, cap, "%s", m ? m : "");
            return -1;
        }
        if (!a.release)
            break;
        const struct ArrowArray *c = a.children[0];
        const int64_t *v = (const int64_t *)c->buffers[1] + c->offset;
        bool in_order = true;
        for (int64_t i = 0; i < c->length; i++) {
            in_order &= v[i] == *next;
            *next += step;
        }
        CHECK(in_order);
        rows += a.length;
        a.release(&a);
    }
    return rows;
}

TEST(result_larger_than_the_memory_limit)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    /* the result (3 x 8 bytes x 6M rows = 144 MB) is far above the limit */
    char set[64];
    snprintf(set, sizeof set, "SET memory_limit = '%lld'", (long long)tarn_memory_used() + (64LL << 20));
    CHECK_OK(tarn_sql_exec(s, set, &err), &err);
    struct ArrowArrayStream st;
    CHECK_OK(tarn_sql_query(s, "SELECT id, id * 2 AS twice, id + 1 AS next FROM t", &st, &err), &err);
    long long next = 0;
    char msg[256] = "";
    CHECK_EQ_INT(pull(&st, -1, &next, 1, msg, sizeof msg), ROWS);
    if (msg[0])
        fprintf(stderr, "stream: %s\n", msg);
    st.release(&st);
    /* and in ORDER BY's order */
    CHECK_OK(tarn_sql_exec(s, "RESET memory_limit", &err), &err);
    CHECK_OK(tarn_sql_query(s, "SELECT id FROM t ORDER BY id DESC", &st, &err), &err);
    next = ROWS - 1;
    CHECK_EQ_INT(pull(&st, -1, &next, -1, msg, sizeof msg), ROWS);
    st.release(&st);
    tarn_session_close(s);
}

TEST(copy_larger_than_the_memory_limit)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    char path[256];
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/tarn-stream-copy-%d.arrow", t && *t ? t : "/tmp", (int)getpid());
    char set[64];
    snprintf(set, sizeof set, "SET memory_limit = '%lld'", (long long)tarn_memory_used() + (64LL << 20));
    CHECK_OK(tarn_sql_exec(s, set, &err), &err);
    char *copy = tn_sprintf("COPY (SELECT id, id * 2 AS twice, id + 1 AS next FROM t) TO '%s' (FORMAT ipc)", path);
    struct ArrowArrayStream st;
    CHECK_OK(tarn_sql_query(s, copy, &st, &err), &err);
    struct ArrowArray a = {0};
    if (st.release) {
        CHECK(st.get_next(&st, &a) == 0 && a.release);
        if (a.release) {
            CHECK_EQ_INT(((const int64_t *)a.children[0]->buffers[1])[0], ROWS);
            a.release(&a);
        }
        st.release(&st);
    }
    CHECK_OK(tarn_sql_exec(s, "RESET memory_limit", &err), &err);
    char *check = tn_sprintf("SELECT count(*), sum(twice - 2 * id), min(next - id) FROM '%s'", path);
    CHECK_OK(tarn_sql_query(s, check, &st, &err), &err);
    if (st.release) {
        CHECK(st.get_next(&st, &a) == 0 && a.release);
        if (a.release) {
            CHECK_EQ_INT(((const int64_t *)a.children[0]->buffers[1])[0], ROWS);
            CHECK_EQ_INT(((const int64_t *)a.children[1]->buffers[1])[0], 0);
            CHECK_EQ_INT(((const int64_t *)a.children[2]->buffers[1])[0], 1);
            a.release(&a);
        }
        st.release(&st);
    }
    unlink(path);
    tn_free(check);
    tn_free(copy);
    tarn_session_close(s);
}

TEST(early_release_stops_the_query)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    for (int round = 0; round < 3; round++) {
        struct ArrowArrayStream st;
        CHECK_OK(tarn_sql_query(s, "SELECT id, id * 3 AS x FROM t WHERE id % 2 = 0", &st, &err), &err);
        long long next = 0;
        char msg[256];
        CHECK(pull(&st, round, &next, 2, msg, sizeof msg) >= 0);
        st.release(&st); /* round 0: before reading anything */
    }
    /* the session goes on */
    struct ArrowArrayStream st;
    CHECK_OK(tarn_sql_query(s, "SELECT count(*) FROM t", &st, &err), &err);
    struct ArrowArray a = {0};
    CHECK(st.get_next(&st, &a) == 0 && a.release);
    if (a.release) {
        CHECK_EQ_INT(((const int64_t *)a.children[0]->buffers[1])[0], ROWS);
        a.release(&a);
    }
    st.release(&st);
    tarn_session_close(s);
}

TEST(stream_outlives_its_session)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream st, st2;
    CHECK_OK(tarn_sql_query(s, "SELECT id FROM t", &st, &err), &err);
    long long next = 0;
    char msg[256];
    long long got = pull(&st, 2, &next, 1, msg, sizeof msg);
    /* another statement first lets the live one run to its end */
    CHECK_OK(tarn_sql_query(s, "SELECT id FROM t WHERE id >= 1000", &st2, &err), &err);
    tarn_session_close(s);
    got += pull(&st, -1, &next, 1, msg, sizeof msg);
    CHECK_EQ_INT(got, ROWS);
    st.release(&st);
    next = 1000;
    CHECK_EQ_INT(pull(&st2, -1, &next, 1, msg, sizeof msg), ROWS - 1000);
    st2.release(&st2);
}

TEST(late_error_through_get_next)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream st;
    int rc = tarn_sql_query(s, "SELECT id, 10 // (5999999 - id) AS x FROM t", &st, &err);
    CHECK_EQ_INT(rc, TARN_OK); /* the first rows are fine */
    if (rc == TARN_OK) {
        long long next = 0;
        char msg[256] = "";
        CHECK_EQ_INT(pull(&st, -1, &next, 1, msg, sizeof msg), -1);
        CHECK(strstr(msg, "division by zero") != NULL);
        if (!strstr(msg, "division by zero"))
            fprintf(stderr, "got: %s\n", msg);
        st.release(&st);
    }
    tarn_session_close(s);
}

TEST(interrupt_stops_a_streaming_query)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream st;
    CHECK_OK(tarn_sql_query(s, "SELECT id, id * 2 AS x, id * 3 AS y FROM t", &st, &err), &err);
    long long next = 0;
    char msg[256] = "";
    CHECK_EQ_INT(pull(&st, 1, &next, 1, msg, sizeof msg) > 0, 1);
    tarn_session_interrupt(s);
    long long rest = pull(&st, -1, &next, 1, msg, sizeof msg);
    CHECK_EQ_INT(rest, -1);
    CHECK(strstr(msg, "cancelled") != NULL);
    st.release(&st);
    /* the next statement runs */
    CHECK_OK(tarn_sql_exec(s, "SELECT 1", &err), &err);
    tarn_session_close(s);
}

typedef struct progress_log {
    _Atomic int in_call; /* calls never overlap */
    bool overlapped;
    int calls, done_calls;
    long long last_rows, total;
    bool decreasing;
    double elapsed;
} progress_log;

static void on_progress(void *user, const tarn_query_progress *p)
{
    progress_log *l = user;
    if (atomic_fetch_add(&l->in_call, 1) != 0)
        l->overlapped = true;
    l->calls++;
    l->done_calls += p->done != 0;
    if (p->rows_scanned < l->last_rows)
        l->decreasing = true;
    l->last_rows = p->rows_scanned;
    l->total = p->rows_total;
    l->elapsed = p->elapsed;
    atomic_fetch_sub(&l->in_call, 1);
}

TEST(progress_reports)
{
    tarn_session *s = open_with_table();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    progress_log log;
    memset(&log, 0, sizeof log);
    tarn_session_set_progress(s, on_progress, &log);
    /* a collected result */
    CHECK_OK(tarn_sql_exec(s, "SELECT count(*) FROM t WHERE id % 3 = 0", &err), &err);
    CHECK_EQ_INT(log.done_calls, 1);
    CHECK_EQ_INT(log.last_rows, ROWS);
    CHECK_EQ_INT(log.total, ROWS);
    CHECK(log.elapsed >= 0);
    /* a streamed one: the last report comes when the query has stopped */
    memset(&log, 0, sizeof log);
    struct ArrowArrayStream st;
    CHECK_OK(tarn_sql_query(s, "SELECT id FROM t", &st, &err), &err);
    long long next = 0;
    char msg[256];
    CHECK_EQ_INT(pull(&st, -1, &next, 1, msg, sizeof msg), ROWS);
    st.release(&st);
    CHECK_EQ_INT(log.done_calls, 1);
    CHECK_EQ_INT(log.last_rows, ROWS);
    CHECK(!log.overlapped);
    CHECK(!log.decreasing);
    /* removed: no more calls */
    tarn_session_set_progress(s, NULL, NULL);
    int calls = log.calls;
    CHECK_OK(tarn_sql_exec(s, "SELECT count(*) FROM t", &err), &err);
    CHECK_EQ_INT(log.calls, calls);
    tarn_session_close(s);
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    if (tarn_set_threads(2, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    RUN(result_larger_than_the_memory_limit);
    RUN(copy_larger_than_the_memory_limit);
    RUN(early_release_stops_the_query);
    RUN(stream_outlives_its_session);
    RUN(late_error_through_get_next);
    RUN(interrupt_stops_a_streaming_query);
    RUN(progress_reports);
    tn_pool_shutdown();
    return tn_test_done();
}
