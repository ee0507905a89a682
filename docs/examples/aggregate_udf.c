/*
 * aggregate_udf.c — an aggregate function written in C: the geometric
 * mean, used with GROUP BY on two threads.
 *
 * An aggregate keeps one opaque state per group, of a size it declares. The
 * engine runs it inside its parallel hash aggregate: each task folds its
 * rows into states of its own (update: row r goes to states[r]), then the
 * states of one group built by different tasks are folded together
 * (combine), and finalize writes one result per state. Rows whose argument
 * is NULL never reach update (as sum and avg skip NULLs).
 *
 * Expected output: aggregate_udf.out
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tarn/tarn.h>

typedef struct geo_state {
    double log_sum; /* sum of ln(x) */
    int64_t n;
} geo_state;

static void geo_init(void *ctx, void *state)
{
    (void)ctx;
    memset(state, 0, sizeof(geo_state));
}

static int geo_update(void *ctx, void *const *states, int64_t n, int nargs, struct ArrowArray *const *args,
                      struct ArrowSchema *const *types, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types;
    const double *x = (const double *)args[0]->buffers[1] + args[0]->offset;
    for (int64_t i = 0; i < n; i++) {
        if (x[i] <= 0) {
            err->code = TARN_EINVAL;
            snprintf(err->message, sizeof err->message, "geomean of a value <= 0 (%g)", x[i]);
            return TARN_EINVAL;
        }
        geo_state *st = states[i];
        st->log_sum += log(x[i]);
        st->n++;
    }
    return TARN_OK;
}

static int geo_combine(void *ctx, void *into, void *from, tarn_error *err)
{
    (void)ctx, (void)err;
    geo_state *a = into;
    const geo_state *b = from;
    a->log_sum += b->log_sum;
    a->n += b->n;
    return TARN_OK;
}

static void release_result(struct ArrowArray *a)
{
    free((void *)a->buffers[0]);
    free((void *)a->buffers[1]);
    free(a->buffers);
    a->release = NULL;
}

static int geo_finalize(void *ctx, void *const *states, int64_t n, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx;
    const void **bufs = malloc(2 * sizeof *bufs);
    uint8_t *valid = calloc((size_t)(n / 8 + 1), 1);
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!bufs || !valid || !v) {
        free(bufs), free(valid), free(v);
        err->code = TARN_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return TARN_ENOMEM;
    }
    for (int64_t i = 0; i < n; i++) {
        const geo_state *st = states[i];
        v[i] = st->n ? exp(st->log_sum / (double)st->n) : 0;
        if (st->n) /* a group without rows gives NULL */
            valid[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    bufs[0] = valid;
    bufs[1] = v;
    *out = (struct ArrowArray){.length = n, .null_count = -1, .n_buffers = 2, .buffers = bufs,
                               .release = release_result};
    return TARN_OK;
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return 1;
    const char *const args[] = {"DOUBLE"};
    tarn_aggregate_udf geo = {sizeof(geo_state), geo_init, geo_update, geo_combine, geo_finalize, NULL};
    if (tarn_session_register_aggregate(s, "geomean", 1, args, "DOUBLE", 0, &geo, NULL, &err))
        goto fail;
    /* a million rows in several partitions, aggregated on two threads */
    if (tarn_session_set(s, "threads", "2", &err) ||
        tarn_sql_exec(s, "CREATE TABLE growth AS SELECT i % 4 AS fund, "
                         "CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + (i % 4) / 100 + (i % 7) / 1000 END AS factor "
                         "FROM range(1000000) t(i)", &err))
        goto fail;

    tarn_options *csv = tarn_options_create();
    tarn_options_set(csv, "format", "csv", &err);
    struct ArrowArrayStream out;
    if (tarn_sql_query(s, "SELECT fund, round(geomean(factor), 6) AS g, round(exp(avg(ln(factor))), 6) AS check_g, "
                          "count(factor) AS n FROM growth GROUP BY fund ORDER BY fund", &out, &err) ||
        tarn_print(stdout, &out, csv, &err))
        goto fail_opts;
    if (tarn_sql_query(s, "SELECT geomean(x) FROM (VALUES (2.0), (-1.0)) v(x)", &out, &err) == 0)
        out.release(&out);
    else
        printf("error %s: %s\n", tarn_status_name(err.code), err.message);
    tarn_options_free(csv);
    tarn_session_close(s);
    return 0;
fail_opts:
    tarn_options_free(csv);
fail:
    fprintf(stderr, "error: %s\n", err.message);
    tarn_session_close(s);
    return 1;
}
