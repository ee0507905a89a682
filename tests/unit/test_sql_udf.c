/*
 * test_sql_udf.c — user-defined functions through the public API
 * (tarn/sql.h) and SQL: scalar UDFs in SELECT, WHERE, GROUP BY and ORDER
 * BY, NULL handling (default and TARN_UDF_NULLS), variadic and ANY
 * arguments, implicit casts and refused types, a failing UDF whose error
 * names the function, the expression and the row, replacing and
 * unregistering, shadowing a built-in; aggregate UDFs with GROUP BY on two
 * threads (partial states combined across tasks) compared with the
 * built-in equivalent, with states that own memory, FILTER, DISTINCT and
 * as window functions. The UDFs below are written against the C Data
 * Interface only, as a caller of the library would write them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "core/pool.h"
#include "tarn/sql.h"
#include "sql_session_helpers.h"
#include "tn_test.h"

/* ---- results as text -------------------------------------------------------------------- */

/* ---- building result arrays with malloc, as a caller would ---------------------------------- */

typedef struct owned {
    void *bufs[3];
    const void *ptrs[3];
} owned;

static void release_owned(struct ArrowArray *a)
{
    owned *o = a->private_data;
    for (int i = 0; i < 3; i++)
        free(o->bufs[i]);
    free(o);
    a->release = NULL;
}

/* An array of n rows over malloc'ed buffers (taken); validity may be NULL. */
static int fill_array(struct ArrowArray *out, int64_t n, int nbuf, void *validity, void *b1, void *b2,
                      tarn_error *err)
{
    owned *o = calloc(1, sizeof *o);
    if (!o) {
        free(validity), free(b1), free(b2);
        err->code = TARN_ENOMEM;
        snprintf(err->message, sizeof err->message, "no memory");
        return TARN_ENOMEM;
    }
    o->bufs[0] = validity, o->bufs[1] = b1, o->bufs[2] = b2;
    for (int i = 0; i < 3; i++)
        o->ptrs[i] = o->bufs[i];
    memset(out, 0, sizeof *out);
    out->length = n;
    out->null_count = validity ? -1 : 0;
    out->n_buffers = nbuf;
    out->buffers = o->ptrs;
    out->release = release_owned;
    out->private_data = o;
    return 0;
}

static int fail(tarn_error *err, int code, const char *msg)
{
    err->code = code;
    snprintf(err->message, sizeof err->message, "%s", msg);
    return code;
}

static bool valid_at(const struct ArrowArray *a, int64_t i)
{
    const uint8_t *v = a->buffers[0];
    int64_t k = a->offset + i;
    return !v || (v[k >> 3] >> (k & 7)) & 1;
}

static const int64_t *i64s(const struct ArrowArray *a)
{
    return (const int64_t *)a->buffers[1] + a->offset;
}

/* ---- scalar UDFs --------------------------------------------------------------------------- */

static int calls_plus;

/* plus(BIGINT, BIGINT) -> BIGINT: x + y + *ctx (NULL rows computed as garbage;
 * the engine masks them) */
static int plus_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                    struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    __atomic_add_fetch(&calls_plus, 1, __ATOMIC_RELAXED);
    if (nargs != 2 || strcmp(types[0]->format, "l") != 0 || strcmp(types[1]->format, "l") != 0)
        return fail(err, TARN_ETYPE, "plus wants two int64");
    int64_t add = *(const int64_t *)ctx;
    int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    const int64_t *a = i64s(args[0]), *b = i64s(args[1]);
    for (int64_t i = 0; i < n; i++)
        v[i] = a[i] + b[i] + add;
    return fill_array(out, n, 2, NULL, v, NULL, err);
}

/* wrap(VARCHAR) -> VARCHAR: '<' || s || '>' */
static int wrap_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                    struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs;
    if (strcmp(types[0]->format, "u") != 0)
        return fail(err, TARN_ETYPE, "wrap wants utf8");
    const struct ArrowArray *s = args[0];
    const int32_t *off = (const int32_t *)s->buffers[1] + s->offset;
    const char *data = s->buffers[2];
    int64_t total = off[n] - off[0] + 2 * n;
    int32_t *ooff = malloc((size_t)(n + 1) * sizeof *ooff);
    char *odata = malloc((size_t)(total ? total : 1));
    int64_t k = 0;
    ooff[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        odata[k++] = '<';
        memcpy(odata + k, data + off[i], (size_t)(off[i + 1] - off[i]));
        k += off[i + 1] - off[i];
        odata[k++] = '>';
        ooff[i + 1] = (int32_t)k;
    }
    return fill_array(out, n, 3, NULL, ooff, odata, err);
}

/* inv(BIGINT) -> DOUBLE: 1 / x, an error at a zero */
static int inv_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                   struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types;
    const int64_t *a = i64s(args[0]);
    for (int64_t i = 0; i < n; i++)
        if (valid_at(args[0], i) && a[i] == 0) {
            err->code = TARN_EDIVZERO;
            snprintf(err->message, sizeof err->message, "cannot invert zero at row %lld", (long long)i);
            return TARN_EDIVZERO;
        }
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = valid_at(args[0], i) ? 1.0 / (double)a[i] : 0;
    return fill_array(out, n, 2, NULL, v, NULL, err);
}

/* nvl0(BIGINT) -> BIGINT with TARN_UDF_NULLS: NULL -> 0 */
static int nvl0_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                    struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types;
    int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    const int64_t *a = i64s(args[0]);
    for (int64_t i = 0; i < n; i++)
        v[i] = valid_at(args[0], i) ? a[i] : 0;
    return fill_array(out, n, 2, NULL, v, NULL, err);
}

/* total(BIGINT...) -> BIGINT: the sum of any number of arguments */
static int total_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                     struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)types;
    int64_t *v = calloc((size_t)(n ? n : 1), sizeof *v);
    for (int k = 0; k < nargs; k++)
        for (int64_t i = 0; i < n; i++)
            v[i] += i64s(args[k])[i];
    return fill_array(out, n, 2, NULL, v, NULL, err);
}

/* fmt(ANY) -> VARCHAR: the argument's Arrow format string */
static int fmt_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                   struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)args;
    size_t len = strlen(types[0]->format);
    int32_t *off = malloc((size_t)(n + 1) * sizeof *off);
    char *data = malloc(len * (size_t)n + 1);
    off[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        memcpy(data + (size_t)i * len, types[0]->format, len);
        off[i + 1] = (int32_t)((size_t)(i + 1) * len);
    }
    return fill_array(out, n, 3, NULL, off, data, err);
}

/* short(BIGINT) -> BIGINT returning one row too few */
static int short_udf(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                     struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)args, (void)types;
    int64_t *v = calloc((size_t)(n + 1), sizeof *v);
    return fill_array(out, n > 0 ? n - 1 : 0, 2, NULL, v, NULL, err);
}

static void reg_scalar(tarn_session *s, const char *name, int nargs, const char *const *types, const char *result,
                       unsigned flags, tarn_scalar_udf fn, void *ctx)
{
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_register_scalar(s, name, nargs, types, result, flags, fn, ctx, &err), &err);
}

TEST(scalar_udfs)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "CREATE TABLE t (a BIGINT, b BIGINT, name VARCHAR);"
            "INSERT INTO t VALUES (1, 10, 'x'), (2, 20, 'y'), (3, NULL, NULL), (4, 40, 'x'), (5, 50, 'z')");
    static const int64_t zero = 0, hundred = 100;
    const char *const bb[] = {"BIGINT", "BIGINT"};
    const char *const v[] = {"VARCHAR"};
    const char *const b1[] = {"BIGINT"};
    const char *const any[] = {"ANY"};
    reg_scalar(s, "plus", 2, bb, "BIGINT", 0, plus_udf, (void *)&zero);
    reg_scalar(s, "wrap", 1, v, "VARCHAR", 0, wrap_udf, NULL);
    reg_scalar(s, "inv", 1, b1, "DOUBLE", 0, inv_udf, NULL);
    reg_scalar(s, "nvl0", 1, b1, "BIGINT", TARN_UDF_NULLS, nvl0_udf, NULL);
    reg_scalar(s, "total", -1, b1, "BIGINT", 0, total_udf, NULL);
    reg_scalar(s, "fmt", 1, any, "VARCHAR", 0, fmt_udf, NULL);
    reg_scalar(s, "short", 1, b1, "BIGINT", 0, short_udf, NULL);

    /* SELECT, with NULLs masked by default */
    CHECK_Q(s, "SELECT a, plus(a, b) AS p, wrap(name) AS w FROM t ORDER BY a",
            "a,p,w\n1,11,<x>\n2,22,<y>\n3,,\n4,44,<x>\n5,55,<z>\n");
    /* WHERE, GROUP BY (on the UDF's value) and ORDER BY */
    CHECK_Q(s, "SELECT a FROM t WHERE plus(a, b) > 30 ORDER BY a", "a\n4\n5\n");
    CHECK_Q(s, "SELECT wrap(name) AS g, count(*) AS n, sum(a) AS s FROM t GROUP BY wrap(name) ORDER BY g",
            "g,n,s\n<x>,2,5\n<y>,1,2\n<z>,1,5\n,1,3\n");
    CHECK_Q(s, "SELECT a FROM t ORDER BY plus(a, 0) DESC LIMIT 2", "a\n5\n4\n");
    /* constants (a literal repeated to the batch) and implicit casts: INTEGER literals widen */
    CHECK_Q(s, "SELECT plus(1, 2) AS c, plus(a, 1) AS d FROM t WHERE a = 1", "c,d\n3,2\n");
    CHECK_Q(s, "SELECT wrap('lit') AS w", "w\n<lit>\n");
    /* a NULL row next to a constant argument */
    CHECK_Q(s, "SELECT a, plus(b, 1) AS p, plus(2, b) AS q FROM t WHERE a >= 2 ORDER BY a LIMIT 2", "a,p,q\n2,21,22\n3,,\n");
    CHECK_Q(s, "SELECT plus(NULL, 1) AS n", "n\n\n");
    /* TARN_UDF_NULLS: the function decides */
    CHECK_Q(s, "SELECT a, nvl0(b) AS z FROM t WHERE a IN (2, 3) ORDER BY a", "a,z\n2,20\n3,0\n");
    /* variadic */
    CHECK_Q(s, "SELECT total() AS z, total(1) AS o, total(a, b, 100) AS t3 FROM t WHERE a = 2", "z,o,t3\n0,1,122\n");
    /* ANY passes the type as it is */
    CHECK_Q(s, "SELECT fmt(1) AS i, fmt(1.5::DOUBLE) AS d, fmt('s') AS s, fmt(DATE '2024-01-01') AS t", "i,d,s,t\ni,g,u,tdD\n");
    /* the context is the caller's: the same code with another ctx */
    reg_scalar(s, "plus100", 2, bb, "BIGINT", 0, plus_udf, (void *)&hundred);
    CHECK_Q(s, "SELECT plus100(a, b) AS p FROM t WHERE a = 1", "p\n111\n");

    /* errors at bind time: types, argument counts, aggregates-only syntax */
    CHECK_QERR(s, "SELECT plus(name, a) FROM t", "line 1, column 8: no function plus(varchar, bigint): plus takes (bigint, bigint)");
    CHECK_QERR(s, "SELECT plus(a) FROM t", "no function plus(bigint)");
    CHECK_QERR(s, "SELECT inv(1.5)", "no function inv(decimal(2,1))");
    CHECK_QERR(s, "SELECT plus(a, b) OVER () FROM t", "plus is a scalar function, not a window or aggregate function");
    /* errors at run time name the function, the expression and the row */
    CHECK_Q(s, "SELECT inv(a) AS i FROM t WHERE a = 4", "i\n0.25\n");
    CHECK_QERR(s, "SELECT inv(a - 3) FROM t", "EDIVZERO: function \"inv\": cannot invert zero in \"inv((a - 3))\" at row 2");
    CHECK_QERR(s, "SELECT short(a) FROM t", "function \"short\" returned 4 rows for 5");
    /* a CASE keeps rows away from the function */
    CHECK_Q(s, "SELECT a, CASE WHEN a <> 3 THEN inv(a - 3) END AS i FROM t WHERE a >= 3 ORDER BY a", "a,i\n3,\n4,1.0\n5,0.5\n");

    /* replace by name, shadow a built-in, unregister */
    reg_scalar(s, "WRAP", 1, b1, "BIGINT", TARN_UDF_NULLS, nvl0_udf, NULL); /* now wrap(varchar) is refused at bind */
    CHECK_QERR(s, "SELECT wrap(name) FROM t", "no function wrap(varchar): wrap takes (bigint)");
    reg_scalar(s, "upper", 1, v, "VARCHAR", 0, wrap_udf, NULL);
    CHECK_Q(s, "SELECT upper('a') AS u", "u\n<a>\n");
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tarn_session_unregister_function(s, "Upper", &err), &err);
    CHECK_Q(s, "SELECT upper('a') AS u", "u\nA\n");
    CHECK(tarn_session_unregister_function(s, "upper", &err) == TARN_ENOTFOUND);

    /* registration errors */
    CHECK(tarn_session_register_scalar(s, "bad", 1, b1, "NOSUCHTYPE", 0, plus_udf, NULL, &err) == TARN_ETYPE);
    CHECK(strstr(err.message, "NOSUCHTYPE") != NULL);
    CHECK(tarn_session_register_scalar(s, "1x", 1, b1, "BIGINT", 0, plus_udf, NULL, &err) == TARN_EINVAL);
    CHECK(tarn_session_register_scalar(s, "x", 1, b1, "BIGINT", 0, NULL, NULL, &err) == TARN_EINVAL);
    /* a prepared statement and a view see the session's functions */
    EXEC(s, "CREATE VIEW vw AS SELECT a, plus(a, a) AS d FROM t");
    CHECK_Q(s, "SELECT d FROM vw WHERE a = 5", "d\n10\n");
    tarn_session_close(s);
}

/* Many batches on two threads: each call sees one batch, all rows covered. */
TEST(scalar_udf_parallel)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    EXEC(s, "SET threads = 2; CREATE TABLE big AS SELECT i AS a, i % 7 AS b FROM range(300000) t(i)");
    static const int64_t zero = 0;
    const char *const bb[] = {"BIGINT", "BIGINT"};
    reg_scalar(s, "plus", 2, bb, "BIGINT", 0, plus_udf, (void *)&zero);
    calls_plus = 0;
    CHECK_Q(s, "SELECT sum(plus(a, b)) AS s, sum(a + b) AS t FROM big", "s,t\n45000749997,45000749997\n");
    CHECK(calls_plus > 1);
    CHECK_Q(s, "SELECT count(*) AS n FROM big WHERE plus(a, b) % 2 = 0", "n\n150003\n");
    EXEC(s, "RESET threads");
    tarn_session_close(s);
}

/* ---- aggregate UDFs ------------------------------------------------------------------------- */

/* my_sum(BIGINT) -> BIGINT, NULL for a group without rows (as sum) */
typedef struct sum_state {
    int64_t sum;
    int64_t n;
} sum_state;

static int combines;

static void sum_init(void *ctx, void *state)
{
    (void)ctx;
    memset(state, 0, sizeof(sum_state));
}

static int sum_update(void *ctx, void *const *states, int64_t n, int nargs, struct ArrowArray *const *args,
                      struct ArrowSchema *const *types, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types;
    const int64_t *v = i64s(args[0]);
    for (int64_t i = 0; i < n; i++) {
        if (!valid_at(args[0], i))
            return fail(err, TARN_EINTERNAL, "a NULL reached update");
        sum_state *st = states[i];
        st->sum += v[i];
        st->n++;
    }
    return 0;
}

static int sum_combine(void *ctx, void *into, void *from, tarn_error *err)
{
    (void)ctx, (void)err;
    __atomic_add_fetch(&combines, 1, __ATOMIC_RELAXED);
    sum_state *a = into;
    const sum_state *b = from;
    a->sum += b->sum;
    a->n += b->n;
    return 0;
}

static int sum_finalize(void *ctx, void *const *states, int64_t n, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx;
    int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    uint8_t *valid = calloc((size_t)(n / 8 + 1), 1);
    for (int64_t i = 0; i < n; i++) {
        const sum_state *st = states[i];
        v[i] = st->sum;
        if (st->n)
            valid[i >> 3] |= (uint8_t)(1 << (i & 7));
    }
    return fill_array(out, n, 2, valid, v, NULL, err);
}

/* longest(VARCHAR) -> VARCHAR: a state owning a malloc'ed copy */
typedef struct long_state {
    char *s;
    size_t len;
} long_state;

static _Atomic int live_states;

static void long_init(void *ctx, void *state)
{
    (void)ctx;
    memset(state, 0, sizeof(long_state));
    live_states++;
}

static void long_destroy(void *ctx, void *state)
{
    (void)ctx;
    long_state *st = state;
    free(st->s);
    st->s = NULL;
    live_states--;
}

static void long_keep(long_state *st, const char *p, size_t len)
{
    if (st->s && (len < st->len || (len == st->len && memcmp(p, st->s, len) >= 0)))
        return;
    free(st->s);
    st->s = malloc(len + 1);
    memcpy(st->s, p, len);
    st->s[len] = 0;
    st->len = len;
}

static int long_update(void *ctx, void *const *states, int64_t n, int nargs, struct ArrowArray *const *args,
                       struct ArrowSchema *const *types, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types, (void)err;
    const struct ArrowArray *a = args[0];
    const int32_t *off = (const int32_t *)a->buffers[1] + a->offset;
    const char *data = a->buffers[2];
    for (int64_t i = 0; i < n; i++)
        long_keep(states[i], data + off[i], (size_t)(off[i + 1] - off[i]));
    return 0;
}

static int long_combine(void *ctx, void *into, void *from, tarn_error *err)
{
    (void)ctx, (void)err;
    long_state *b = from;
    if (b->s)
        long_keep(into, b->s, b->len);
    return 0;
}

static int long_finalize(void *ctx, void *const *states, int64_t n, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx;
    size_t total = 0;
    for (int64_t i = 0; i < n; i++)
        total += ((long_state *)states[i])->len;
    int32_t *off = malloc((size_t)(n + 1) * sizeof *off);
    char *data = malloc(total + 1);
    uint8_t *valid = calloc((size_t)(n / 8 + 1), 1);
    off[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        const long_state *st = states[i];
        if (st->s) {
            memcpy(data + off[i], st->s, st->len);
            valid[i >> 3] |= (uint8_t)(1 << (i & 7));
        }
        off[i + 1] = off[i] + (int32_t)st->len;
    }
    return fill_array(out, n, 3, valid, off, data, err);
}

/* bad_final: finalize fails */
static int bad_finalize(void *ctx, void *const *states, int64_t n, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)states, (void)n, (void)out;
    return fail(err, TARN_EOVERFLOW, "the total does not fit");
}

TEST(aggregate_udfs)
{
    tarn_session *s = open_session();
    if (!s)
        return;
    tarn_error err;
    tarn_error_init(&err);
    const char *const b1[] = {"BIGINT"};
    const char *const v1[] = {"VARCHAR"};
    tarn_aggregate_udf sum = {sizeof(sum_state), sum_init, sum_update, sum_combine, sum_finalize, NULL};
    CHECK_OK(tarn_session_register_aggregate(s, "my_sum", 1, b1, "BIGINT", 0, &sum, NULL, &err), &err);
    tarn_aggregate_udf lng = {sizeof(long_state), long_init, long_update, long_combine, long_finalize, long_destroy};
    CHECK_OK(tarn_session_register_aggregate(s, "longest", 1, v1, "VARCHAR", 0, &lng, NULL, &err), &err);
    tarn_aggregate_udf bad = sum;
    bad.finalize = bad_finalize;
    CHECK_OK(tarn_session_register_aggregate(s, "bad_sum", 1, b1, "BIGINT", 0, &bad, NULL, &err), &err);

    /* two threads over several partitions: each task has states of its own,
     * combined at the end; the answer equals the built-in sum */
    EXEC(s, "SET threads = 2;"
            "CREATE TABLE big AS SELECT i % 97 AS k, CASE WHEN i % 11 = 0 THEN NULL ELSE i END AS v,"
            " 'w' || (i % 13)::VARCHAR || repeat('x', (i % 5)::INTEGER) AS w FROM range(400000) t(i)");
    combines = 0;
    CHECK_Q(s,
            "SELECT count(*) AS groups, sum(CASE WHEN a IS NOT DISTINCT FROM b THEN 1 ELSE 0 END) AS same FROM "
            "(SELECT k, my_sum(v) AS a, sum(v)::BIGINT AS b FROM big GROUP BY k)",
            "groups,same\n97,97\n");
    CHECK(combines > 0);
    CHECK_Q(s, "SELECT my_sum(v) = sum(v) AS eq, my_sum(v) AS s FROM big", "eq,s\ntrue,72727127274\n");
    /* every row NULL in a group: no update, the state says NULL (as sum) */
    CHECK_Q(s, "SELECT k, my_sum(v) AS s, sum(v) AS t FROM big WHERE v IS NULL AND k < 2 GROUP BY k ORDER BY k",
            "k,s,t\n0,,\n1,,\n");
    /* FILTER, DISTINCT, HAVING, ORDER BY on the aggregate */
    CHECK_Q(s, "SELECT k, my_sum(v) FILTER (WHERE v < 1000) AS f FROM big GROUP BY k ORDER BY k LIMIT 1", "k,f\n0,5335\n");
    CHECK_Q(s, "SELECT k, my_sum(DISTINCT v % 3) AS d FROM big GROUP BY k ORDER BY k LIMIT 1", "k,d\n0,3\n");
    CHECK_Q(s,
            "SELECT k, my_sum(v) FILTER (WHERE v < 1000) AS f, my_sum(DISTINCT v % 3) AS d, my_sum(v) AS s, sum(v) AS t "
            "FROM big GROUP BY k ORDER BY k LIMIT 1",
            "k,f,d,s,t\n0,5335,3,749834347,749834347\n");
    CHECK_Q(s, "SELECT k, my_sum(v) AS s FROM big GROUP BY k HAVING my_sum(v) > 0 ORDER BY my_sum(v) DESC, k LIMIT 2",
            "k,s\n64,750110625\n66,750081781\n");
    /* strings, states owning memory (destroyed once each, also after combine) */
    CHECK_Q(s, "SELECT k % 3 AS g, longest(w) AS l FROM big GROUP BY g ORDER BY g",
            "g,l\n0,w10xxxx\n1,w10xxxx\n2,w10xxxx\n");
    CHECK_Q(s, "SELECT longest(w) AS l FROM big WHERE v < 10", "l\nw4xxxx\n");
    CHECK(live_states == 0);
    /* a window: an aggregate UDF over a frame */
    CHECK_Q(s, "SELECT i, my_sum(i) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS w FROM range(4) t(i)",
            "i,w\n0,0\n1,1\n2,3\n3,5\n");
    /* errors */
    CHECK_QERR(s, "SELECT bad_sum(v) FROM big", "EOVERFLOW: function \"bad_sum\": the total does not fit");
    CHECK_QERR(s, "SELECT my_sum(w) FROM big", "no function my_sum(varchar): my_sum takes (bigint)");
    CHECK_QERR(s, "SELECT k FROM big WHERE my_sum(v) > 1", "aggregate function my_sum is not allowed in WHERE");
    tarn_aggregate_udf partial = sum;
    partial.combine = NULL;
    CHECK(tarn_session_register_aggregate(s, "p", 1, b1, "BIGINT", 0, &partial, NULL, &err) == TARN_EINVAL);
    /* replacing an aggregate by a scalar of the same name */
    CHECK_OK(tarn_session_register_scalar(s, "my_sum", 1, b1, "BIGINT", TARN_UDF_NULLS, nvl0_udf, NULL, &err), &err);
    CHECK_Q(s, "SELECT v, my_sum(v) AS z FROM big WHERE k = 0 ORDER BY v NULLS FIRST LIMIT 2", "v,z\n,0\n,0\n");
    CHECK_Q(s, "SELECT v, my_sum(v) AS z FROM big WHERE k = 0 AND v IS NOT NULL ORDER BY v LIMIT 1", "v,z\n97,97\n");
    EXEC(s, "RESET threads");
    tarn_session_close(s);
    CHECK(live_states == 0);
}

int main(void)
{
    RUN(scalar_udfs);
    RUN(scalar_udf_parallel);
    RUN(aggregate_udfs);
    tn_pool_shutdown();
    return tn_test_done();
}
