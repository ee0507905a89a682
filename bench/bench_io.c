/*
 * bench_io.c — tarn's side of the file benchmarks in bench/run, through the
 * public API only (what a program embedding libtarn would do):
 *
 *   bench_io read FILE [key=value...]        decode every batch of FILE
 *   bench_io write IN OUT [key=value...]     read IN, write OUT (timed together)
 *   bench_io load-write IN OUT [key=value...]
 *                                            read IN whole into memory (not
 *                                            timed), then time writing OUT
 *                                            from those batches alone
 *
 * Options are reader options for read (e.g. delimiter=| header=false) and
 * writer options for the writes (e.g. compression=snappy); there, an option
 * prefixed "r." goes to the reader of IN instead (r.format=csv
 * r.delimiter=|). Prints one JSON line,
 * {"rows": N, "op_s": seconds}, the contract of bench/engine.mjs;
 * the writes add "peak_mb", the most memory tarn's allocator held at once
 * (10^6 bytes; reading the output back comes after it is taken), and
 * load-write "load_s", the untimed loading. load-write is what the
 * peers' write benchmarks time (DuckDB COPY of a table, Polars writeParquet
 * of a DataFrame): the input is in memory before the clock starts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A stream over record batches held in memory: the batches of a drained
 * source stream, handed out in order (moved out, so the consumer frees
 * each one when it is done with it), and the source's schema. */
typedef struct mem_stream {
    struct ArrowArrayStream src; /* drained; answers get_schema */
    struct ArrowArray *arrays;
    size_t n, cap, next;
} mem_stream;

static int mem_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    mem_stream *m = s->private_data;
    return m->src.get_schema(&m->src, out);
}

static int mem_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    mem_stream *m = s->private_data;
    if (m->next == m->n) {
        memset(out, 0, sizeof *out); /* end of stream: release NULL */
        return 0;
    }
    *out = m->arrays[m->next];
    m->arrays[m->next++].release = NULL;
    return 0;
}

static const char *mem_last_error(struct ArrowArrayStream *s)
{
    (void)s;
    return NULL;
}

static void mem_release(struct ArrowArrayStream *s)
{
    mem_stream *m = s->private_data;
    for (size_t i = m->next; i < m->n; i++)
        m->arrays[i].release(&m->arrays[i]);
    m->src.release(&m->src);
    free(m->arrays);
    free(m);
    s->release = NULL;
}

/* Read every batch of src into memory and make *out a stream over them;
 * src moves into it. Returns 0, or 1 after printing the error. */
static int load(struct ArrowArrayStream *src, struct ArrowArrayStream *out)
{
    mem_stream *m = calloc(1, sizeof *m);
    if (!m) {
        fprintf(stderr, "bench_io: out of memory\n");
        return 1;
    }
    m->src = *src;
    src->release = NULL;
    *out = (struct ArrowArrayStream){.get_schema = mem_get_schema, .get_next = mem_get_next,
                                     .get_last_error = mem_last_error, .release = mem_release, .private_data = m};
    for (;;) {
        struct ArrowArray a;
        int e = m->src.get_next(&m->src, &a);
        if (e) {
            fprintf(stderr, "bench_io: %s\n", m->src.get_last_error(&m->src));
            out->release(out);
            return 1;
        }
        if (!a.release)
            return 0;
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 256;
            struct ArrowArray *p = realloc(m->arrays, cap * sizeof *p);
            if (!p) {
                a.release(&a);
                out->release(out);
                fprintf(stderr, "bench_io: out of memory\n");
                return 1;
            }
            m->arrays = p;
            m->cap = cap;
        }
        m->arrays[m->n++] = a;
    }
}

int main(int argc, char **argv)
{
    bool writing = argc > 1 && (!strcmp(argv[1], "write") || !strcmp(argv[1], "load-write"));
    if (argc < 3 || (strcmp(argv[1], "read") && !writing) || (writing && argc < 4)) {
        fprintf(stderr, "usage: bench_io read FILE [key=value...] | bench_io write|load-write IN OUT [[r.]key=value...]\n");
        return 2;
    }
    bool loaded = !strcmp(argv[1], "load-write");
    tarn_error err;
    tarn_options *ro = tarn_options_create(), *wo = tarn_options_create();
    int rc = options(writing ? wo : ro, writing ? ro : NULL, argc - (writing ? 4 : 3), argv + (writing ? 4 : 3), &err);
    if (rc)
        return rc;
    double t0 = now(), load_s = -1;
    struct ArrowArrayStream s;
    if (tarn_read(argv[2], ro, &s, &err) != TARN_OK)
        return fail(&err);
    if (loaded) {
        struct ArrowArrayStream m;
        if (load(&s, &m))
            return 1;
        s = m;
        double t = now();
        load_s = t - t0;
        t0 = t;
    }
    long long rows = 0;
    if (writing) {
        if (tarn_write(argv[3], &s, wo, &err) != TARN_OK)
            return fail(&err);
        double t1 = now();
        /* the most tarn's allocator held at once, loading included */
        double peak_mb = (double)tarn_memory_peak() / 1e6;
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
        if (loaded)
            printf("{\"rows\": %lld, \"op_s\": %.6f, \"load_s\": %.6f, \"peak_mb\": %.1f}\n", rows, t1 - t0, load_s,
                   peak_mb);
        else
            printf("{\"rows\": %lld, \"op_s\": %.6f, \"peak_mb\": %.1f}\n", rows, t1 - t0, peak_mb);
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
