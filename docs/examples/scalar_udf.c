/*
 * scalar_udf.c — a scalar function written in C, called from SQL.
 *
 * haversine(lat1, lon1, lat2, lon2) -> DOUBLE: the great-circle distance in
 * km. The function is vectorized: it receives whole columns (Arrow arrays
 * of n rows, constants repeated) and returns a column. By default a NULL in
 * any argument gives NULL, so the loop below need not look at validity: it
 * computes something for every row and the engine clears the NULL rows.
 *
 * A second function, checked_sqrt, shows how an error travels: the message
 * it returns is reported with the function's name, the SQL expression and
 * the row.
 *
 * Expected output: scalar_udf.out
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tarn/tarn.h>

static void release_values(struct ArrowArray *a)
{
    free((void *)a->buffers[1]);
    free(a->buffers);
    a->release = NULL;
}

/* A float64 array of n rows taking `values` (malloc'ed), no nulls. */
static int doubles(struct ArrowArray *out, int64_t n, double *values, tarn_error *err)
{
    const void **bufs = malloc(2 * sizeof *bufs);
    if (!bufs || !values) {
        free(bufs);
        free(values);
        err->code = TARN_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return TARN_ENOMEM;
    }
    bufs[0] = NULL;
    bufs[1] = values;
    *out = (struct ArrowArray){.length = n, .n_buffers = 2, .buffers = bufs, .release = release_values};
    return TARN_OK;
}

static const double *column(const struct ArrowArray *a)
{
    return (const double *)a->buffers[1] + a->offset;
}

static int haversine(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                     struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)nargs, (void)types; /* declared (DOUBLE, DOUBLE, DOUBLE, DOUBLE): the engine casts */
    const double radius = *(const double *)ctx, rad = M_PI / 180;
    const double *lat1 = column(args[0]), *lon1 = column(args[1]), *lat2 = column(args[2]),
                 *lon2 = column(args[3]);
    double *d = malloc((size_t)(n ? n : 1) * sizeof *d);
    for (int64_t i = 0; d && i < n; i++) {
        double a = pow(sin((lat2[i] - lat1[i]) * rad / 2), 2) +
                   cos(lat1[i] * rad) * cos(lat2[i] * rad) * pow(sin((lon2[i] - lon1[i]) * rad / 2), 2);
        d[i] = 2 * radius * asin(sqrt(a));
    }
    return doubles(out, n, d, err);
}

static int checked_sqrt(void *ctx, int64_t n, int nargs, struct ArrowArray *const *args,
                        struct ArrowSchema *const *types, struct ArrowArray *out, tarn_error *err)
{
    (void)ctx, (void)nargs, (void)types;
    const double *x = column(args[0]);
    const uint8_t *valid = args[0]->buffers[0];
    for (int64_t i = 0; i < n; i++) {
        int64_t k = args[0]->offset + i;
        if ((!valid || ((valid[k >> 3] >> (k & 7)) & 1)) && x[i] < 0) {
            err->code = TARN_EINVAL;
            /* " at row K" (K counting this call's rows) is mapped to the batch's row */
            snprintf(err->message, sizeof err->message, "negative argument %g at row %lld", x[i], (long long)i);
            return TARN_EINVAL;
        }
    }
    double *r = malloc((size_t)(n ? n : 1) * sizeof *r);
    for (int64_t i = 0; r && i < n; i++)
        r[i] = sqrt(x[i]);
    return doubles(out, n, r, err);
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return 1;
    static const double earth_km = 6371.0;
    const char *const four[] = {"DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE"};
    const char *const one[] = {"DOUBLE"};
    if (tarn_session_register_scalar(s, "haversine", 4, four, "DOUBLE", 0, haversine, (void *)&earth_km, &err) ||
        tarn_session_register_scalar(s, "checked_sqrt", 1, one, "DOUBLE", 0, checked_sqrt, NULL, &err))
        goto fail;
    if (tarn_sql_exec(s, "CREATE TABLE cities (name VARCHAR, lat DOUBLE, lon DOUBLE);"
                         "INSERT INTO cities VALUES ('Oslo', 59.91, 10.75), ('Paris', 48.86, 2.35),"
                         " ('Lisbon', 38.72, -9.14), ('Nowhere', NULL, NULL)", &err))
        goto fail;

    tarn_options *csv = tarn_options_create();
    tarn_options_set(csv, "format", "csv", &err);
    struct ArrowArrayStream out;
    /* in the select list, in WHERE and in ORDER BY; integer literals are cast to DOUBLE */
    if (tarn_sql_query(s, "SELECT a.name AS src, b.name AS dst, round(haversine(a.lat, a.lon, b.lat, b.lon)) AS km "
                          "FROM cities a, cities b WHERE a.name < b.name AND haversine(a.lat, a.lon, b.lat, b.lon) "
                          "> 0 ORDER BY km", &out, &err) ||
        tarn_print(stdout, &out, csv, &err))
        goto fail_opts;
    if (tarn_sql_query(s, "SELECT name, round(haversine(lat, lon, 0, 0)) AS from_null_island FROM cities "
                          "ORDER BY name", &out, &err) ||
        tarn_print(stdout, &out, csv, &err))
        goto fail_opts;
    if (tarn_sql_query(s, "SELECT checked_sqrt(lat - 40) FROM cities", &out, &err) == 0) {
        out.release(&out);
        printf("unexpected success\n");
    } else {
        printf("error %s: %s\n", tarn_status_name(err.code), err.message);
    }
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
