/*
 * bench_io.c — tarn's side of the file benchmarks in bench/run, through the
 * public API only (what a program embedding libtarn would do):
 *
 *   bench_io read FILE [key=value...]        decode every batch of FILE
 *   bench_io write IN OUT [key=value...]     read IN, write OUT
 *
 * Options are reader options for read (e.g. delimiter=| header=false) and
 * writer options for write (e.g. compression=snappy); in write, an option
 * prefixed "r." goes to the reader of IN instead (r.format=csv
 * r.delimiter=|). Prints one JSON line,
 * {"rows": N, "op_s": seconds}, the contract of bench/engine.mjs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tarn/tarn.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const tarn_error *err)
{
    fprintf(stderr, "bench_io: %s\n", err->message);
    return 1;
}

/* key=value arguments into o; with ro, "r.key=value" ones go there. */
static int options(tarn_options *o, tarn_options *ro, int argc, char **argv, tarn_error *err)
{
    for (int i = 0; i < argc; i++) {
        char key[128];
        const char *arg = argv[i];
        tarn_options *to = o;
        if (ro && !strncmp(arg, "r.", 2)) {
            arg += 2;
            to = ro;
        }
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key) {
            fprintf(stderr, "bench_io: expected key=value, got '%s'\n", argv[i]);
            return 2;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
        if (tarn_options_set(to, key, eq + 1, err) != TARN_OK)
            return fail(err);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "read") && strcmp(argv[1], "write")) || (!strcmp(argv[1], "write") && argc < 4)) {
        fprintf(stderr, "usage: bench_io read FILE [key=value...] | bench_io write IN OUT [[r.]key=value...]\n");
        return 2;
    }
    bool writing = !strcmp(argv[1], "write");
    tarn_error err;
    tarn_options *ro = tarn_options_create(), *wo = tarn_options_create();
    int rc = options(writing ? wo : ro, writing ? ro : NULL, argc - (writing ? 4 : 3), argv + (writing ? 4 : 3), &err);
    if (rc)
        return rc;
    double t0 = now();
    struct ArrowArrayStream s;
    if (tarn_read(argv[2], ro, &s, &err) != TARN_OK)
        return fail(&err);
    long long rows = 0;
    if (writing) {
        if (tarn_write(argv[3], &s, wo, &err) != TARN_OK)
            return fail(&err);
        double t1 = now();
        /* the rows written, counted outside the timed part from the output */
        struct ArrowArrayStream back;
        if (tarn_read(argv[3], NULL, &back, &err) != TARN_OK)
            return fail(&err);
        struct ArrowArray a;
        while (back.get_next(&back, &a) == 0 && a.release) {
            rows += a.length;
            a.release(&a);
        }
        back.release(&back);
        printf("{\"rows\": %lld, \"op_s\": %.6f}\n", rows, t1 - t0);
    } else {
        struct ArrowArray a;
        int e;
        while ((e = s.get_next(&s, &a)) == 0 && a.release) {
            rows += a.length;
            a.release(&a);
        }
        if (e) {
            fprintf(stderr, "bench_io: %s\n", s.get_last_error(&s));
            return 1;
        }
        s.release(&s);
        printf("{\"rows\": %lld, \"op_s\": %.6f}\n", rows, now() - t0);
    }
    tarn_options_free(ro);
    tarn_options_free(wo);
    return 0;
}
