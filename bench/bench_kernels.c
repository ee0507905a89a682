/*
 * bench_kernels.c — runs one compute kernel (or all) over generated data,
 * for wall-clock timing and for instruction counts under callgrind:
 *
 *   build/bench_kernels [kernel|all] [rows]
 *   valgrind --tool=callgrind --toggle-collect=tn_arith build/bench_kernels add
 *
 * The data is made before the kernel runs (buffers written directly), so
 * --toggle-collect on the kernel's entry point counts the kernel alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/compute/compute.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* An int64 array of n rows: values in [0, range), every `null_every`th
 * row null (0 = no validity buffer). */
static tn_array *ints(int64_t n, uint64_t range, int null_every)
{
    tn_array *a = tn_array_new(tn_type_get(TN_INT64), n, 2, 0);
    a->buffers[1] = tn_buffer_new(n * 8);
    int64_t *v = (int64_t *)a->buffers[1]->data;
    for (int64_t i = 0; i < n; i++)
        v[i] = (int64_t)(next() % range);
    a->null_count = 0;
    if (null_every) {
        a->buffers[0] = tn_buffer_new((n + 7) / 8);
        memset(a->buffers[0]->data, 0xff, (size_t)(n + 7) / 8);
        for (int64_t i = 0; i < n; i += null_every)
            tn_bit_clear(a->buffers[0]->data, i);
        a->null_count = -1;
    }
    return a;
}

/* decimal128(18, scale) values below 10^12 in magnitude. */
static tn_array *decimals(int64_t n, int scale)
{
    tn_type *t = tn_type_decimal(128, 18, scale);
    tn_array *a = tn_array_new(t, n, 2, 0);
    tn_type_unref(t);
    a->buffers[1] = tn_buffer_new(n * 16);
    __int128 *v = (__int128 *)a->buffers[1]->data;
    for (int64_t i = 0; i < n; i++)
        v[i] = (__int128)(int64_t)(next() % 2000000000000ULL) - 1000000000000LL;
    a->null_count = 0;
    return a;
}

/* utf8 strings of 4..19 random lowercase letters. */
static tn_array *strings(int64_t n)
{
    tn_array *a = tn_array_new(tn_type_get(TN_STRING), n, 3, 0);
    a->buffers[1] = tn_buffer_new((n + 1) * 4);
    a->buffers[2] = tn_buffer_new(n * 20);
    int32_t *o = (int32_t *)a->buffers[1]->data;
    uint8_t *d = a->buffers[2]->data;
    o[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        int len = 4 + (int)(next() % 16);
        for (int k = 0; k < len; k++)
            d[o[i] + k] = (uint8_t)('a' + next() % 26);
        o[i + 1] = o[i] + len;
    }
    a->buffers[2]->size = o[n];
    a->null_count = 0;
    return a;
}

static tn_array *mask(int64_t n)
{
    tn_array *a = tn_array_new(tn_type_get(TN_BOOL), n, 2, 0);
    a->buffers[1] = tn_buffer_new((n + 7) / 8);
    for (int64_t i = 0; i < (n + 7) / 8; i++)
        a->buffers[1]->data[i] = (uint8_t)next();
    a->null_count = 0;
    return a;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check(int rc, const tarn_error *err, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s failed: %s\n", what, err->message);
        exit(1);
    }
}

static void run(const char *k, int64_t n)
{
    tarn_error err;
    tn_array *a = ints(n, 1000000, 0), *b = ints(n, 1000000, 0), *o = NULL;
    tn_array *an = ints(n, 1000000, 10);
    tn_array *m = mask(n), *idx = ints(n, (uint64_t)n, 0);
    tn_scalar *s = tn_scalar_int(tn_type_get(TN_INT64), 500000);
    tn_array *d1 = decimals(n, 2), *d2 = decimals(n, 4), *st = strings(n);
    double t0 = now();
    int rc = 0;
    if (!strcmp(k, "add"))
        rc = tn_arith(TN_ADD, tn_datum_of_array(a), tn_datum_of_array(b), NULL, &o, &err);
    else if (!strcmp(k, "add_nulls"))
        rc = tn_arith(TN_ADD, tn_datum_of_array(an), tn_datum_of_array(b), NULL, &o, &err);
    else if (!strcmp(k, "mul_scalar"))
        rc = tn_arith(TN_MUL, tn_datum_of_array(a), tn_datum_of_scalar(s), NULL, &o, &err);
    else if (!strcmp(k, "compare"))
        rc = tn_compare(TN_CMP_LT, tn_datum_of_array(an), tn_datum_of_scalar(s), NULL, &o, &err);
    else if (!strcmp(k, "filter"))
        rc = tn_filter(an, m, &o, &err);
    else if (!strcmp(k, "take"))
        rc = tn_take(an, idx, &o, &err);
    else if (!strcmp(k, "sort"))
        rc = tn_sort_indices(&(tn_sort_key){an, false, false}, 1, &o, &err);
    else if (!strcmp(k, "sort_str"))
        rc = tn_sort_indices(&(tn_sort_key){st, false, false}, 1, &o, &err);
    else if (!strcmp(k, "cast_str"))
        rc = tn_cast(an, tn_type_get(TN_STRING), TN_CAST_STRICT, &o, &err);
    else if (!strcmp(k, "cast_f2s")) {
        tn_array *f = NULL;
        check(tn_cast(a, tn_type_get(TN_FLOAT64), TN_CAST_STRICT, &f, &err), &err, "setup");
        tn_array *q = NULL;
        tn_scalar *third = tn_scalar_double(tn_type_get(TN_FLOAT64), 3.0);
        check(tn_arith(TN_DIV, tn_datum_of_array(f), tn_datum_of_scalar(third), NULL, &q, &err), &err, "setup");
        t0 = now();
        rc = tn_cast(q, tn_type_get(TN_STRING), TN_CAST_STRICT, &o, &err);
        tn_scalar_free(third);
        tn_array_unref(f);
        tn_array_unref(q);
    } else if (!strcmp(k, "cast_i32"))
        rc = tn_cast(an, tn_type_get(TN_INT32), TN_CAST_STRICT, &o, &err);
    else if (!strcmp(k, "dec_add"))
        rc = tn_arith(TN_ADD, tn_datum_of_array(d1), tn_datum_of_array(d2), NULL, &o, &err);
    else if (!strcmp(k, "hash"))
        rc = tn_hash_rows(&an, 1, 0, &o, &err);
    else {
        fprintf(stderr, "unknown kernel %s\n", k);
        exit(2);
    }
    check(rc, &err, k);
    double t = now() - t0;
    printf("%-10s %8lld rows %8.2f ms %6.2f ns/row\n", k, (long long)n, t * 1e3, t * 1e9 / (double)n);
    tn_array_unref(o);
    tn_scalar_free(s);
    tn_array *all[] = {a, b, an, m, idx, d1, d2, st};
    for (int i = 0; i < 8; i++)
        tn_array_unref(all[i]);
}

int main(int argc, char **argv)
{
    const char *k = argc > 1 ? argv[1] : "all";
    int64_t n = argc > 2 ? atoll(argv[2]) : 1000000;
    static const char *const kernels[] = {"add", "add_nulls", "mul_scalar", "compare", "filter",
                                          "take", "sort", "sort_str", "cast_str", "cast_f2s", "cast_i32", "dec_add", "hash"};
    if (strcmp(k, "all") != 0) {
        run(k, n);
        return 0;
    }
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        run(kernels[i], n);
    return 0;
}
