/*
 * sql_session_helpers.h — what the tests of the public SQL API (tarn/sql.h)
 * share: a result stream rendered as CSV, a query's result or error as one
 * string, and the CHECK_Q / CHECK_QERR / EXEC assertions over them.
 * Included by one test file each (static functions).
 */
#ifndef TN_TEST_SQL_SESSION_HELPERS_H
#define TN_TEST_SQL_SESSION_HELPERS_H

#include <string.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "tarn/sql.h"
#include "tn_test.h"

/* Render a result stream as CSV (consumes it); NULL on failure. */
static inline char *render(struct ArrowArrayStream *s, tarn_error *err)
{
    tn_reader *r;
    if (tn_import_stream(s, &r, err) != 0) {
        if (s->release)
            s->release(s);
        return NULL;
    }
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

/* The result of sql as CSV, or "error: <message>" (with_status: "error:
 * <STATUS>: <message>", the status as tarn_status_name gives it). A new
 * string. */
static inline char *q_with(tarn_session *s, const char *sql, bool with_status)
{
    tarn_error err;
    tarn_error_init(&err);
    struct ArrowArrayStream st;
    if (tarn_sql_query(s, sql, &st, &err) != 0)
        return with_status ? tn_sprintf("error: %s: %s", tarn_status_name(err.code), err.message)
                           : tn_sprintf("error: %s", err.message);
    char *r = render(&st, &err);
    return r ? r : tn_sprintf("error: %s", err.message);
}

static inline char *q(tarn_session *s, const char *sql)
{
    return q_with(s, sql, false);
}

#define CHECK_Q(s, sql, want)       \
    do {                            \
        char *got_ = q((s), (sql)); \
        CHECK_STR(got_, want);      \
        tn_free(got_);              \
    } while (0)

/* The query fails and its message ("STATUS: message") contains want. */
#define CHECK_QERR(s, sql, want)                                \
    do {                                                        \
        char *got_ = q_with((s), (sql), true);                  \
        CHECK(got_ && strncmp(got_, "error: ", 7) == 0);        \
        CHECK(got_ && strstr(got_, want));                      \
        if (got_ && !strstr(got_, want))                        \
            fprintf(stderr, "  got: %s\n", got_);               \
        tn_free(got_);                                          \
    } while (0)

#define EXEC(s, sql)                                   \
    do {                                               \
        tarn_error e_;                                 \
        tarn_error_init(&e_);                          \
        CHECK_OK(tarn_sql_exec((s), (sql), &e_), &e_); \
    } while (0)

static inline tarn_session *open_session(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s = NULL;
    CHECK_OK(tarn_session_open(&s, &err), &err);
    return s;
}

#endif
