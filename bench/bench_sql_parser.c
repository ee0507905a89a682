/*
 * bench_sql_parser.c — SQL parse throughput on a large script: the 22 TPC-H
 * queries of bench/queries/tpch repeated (each copy after a numbered
 * comment) until there are 10,000 statements, parsed `iters` times into a
 * fresh arena. Under callgrind, the inclusive cost of tn_sql_parse divided
 * by the script's bytes gives instructions per byte.
 *
 *   build/bench_sql_parser [tpch-dir] [iters]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "sql/parser/parser.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "bench/queries/tpch";
    int iters = argc > 2 ? atoi(argv[2]) : 5;
    char *q[22];
    for (int i = 0; i < 22; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/q%02d.sql", dir, i + 1);
        if (!(q[i] = slurp(path))) {
            fprintf(stderr, "cannot read %s\n", path);
            return 1;
        }
        char *semi = strrchr(q[i], ';');
        if (semi)
            *semi = 0;
    }
    tn_buf script;
    tn_buf_init(&script, 0);
    for (int n = 0; n < 10000; n++) {
        if (tn_buf_printf(&script, NULL, "-- copy %d\n%s;\n", n, q[n % 22]) != 0)
            return 1;
    }
    size_t bytes = script.len;
    double best = 1e9;
    int nstmt = 0;
    for (int it = 0; it < iters; it++) {
        tn_arena a;
        tn_arena_init(&a, 1 << 20);
        tn_sql_script *s;
        tarn_error err;
        double t0 = now();
        if (tn_sql_parse((char *)script.data, bytes, &a, &s, &err) != 0) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
        nstmt = s->n;
        tn_arena_free(&a);
    }
    printf("%d statements, %zu bytes: best %.1f ms, %.1f MB/s, %.0f statements/s\n", nstmt, bytes, best * 1e3,
           (double)bytes / best / 1e6, nstmt / best);
    tn_buf_reset(&script);
    for (int i = 0; i < 22; i++)
        free(q[i]);
    return 0;
}
