/*
 * bench_ipc.c — throughput of the Arrow IPC writer and reader on one batch
 * of an int64, a float64 and a utf8 column (rows from argv[1], default 4M),
 * for each codec. Reading includes full validation (UTF-8, offsets).
 *
 *   build/bench_ipc [rows]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arrow/builder.h"
#include "arrow/ipc/ipc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static tn_batch *make(tn_schema *s, int64_t rows)
{
    tn_builder *b[3];
    for (int c = 0; c < 3; c++)
        b[c] = tn_builder_new(s->fields[c].type);
    char txt[32];
    for (int64_t i = 0; i < rows; i++) {
        snprintf(txt, sizeof txt, "customer-%lld", (long long)(i % 100000));
        if (tn_builder_append_int(b[0], i * 7, NULL) || tn_builder_append_double(b[1], (double)i * 0.25, NULL) ||
            tn_builder_append_str(b[2], txt, NULL))
            exit(1);
    }
    tn_batch *batch = tn_batch_new(s, rows);
    for (int c = 0; c < 3; c++) {
        if (tn_builder_finish(b[c], &batch->columns[c], NULL))
            exit(1);
        tn_builder_free(b[c]);
    }
    return batch;
}

int main(int argc, char **argv)
{
    int64_t rows = argc > 1 ? atoll(argv[1]) : 4000000;
    tn_schema *s = tn_schema_new(3);
    if (tn_field_init(&s->fields[0], "id", tn_type_get(TN_INT64), false, NULL) ||
        tn_field_init(&s->fields[1], "amount", tn_type_get(TN_FLOAT64), true, NULL) ||
        tn_field_init(&s->fields[2], "name", tn_type_get(TN_STRING), true, NULL))
        return 1;
    tn_batch *batch = make(s, rows);
    static const char *names[] = {"none", "lz4", "zstd"};
    double raw = 0; /* MB of the uncompressed stream: rates are in data bytes */
    for (int codec = 0; codec < 3; codec++) {
        tarn_error err;
        tn_ipc_write_options o = {false, (tn_ipc_codec)codec, 0};
        tn_reader *in = tn_reader_from_batches(s, &batch, 1);
        tn_buffer *out = NULL;
        double t0 = now();
        if (tn_ipc_write_buffer(in, &o, &out, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t1 = now();
        tn_reader *r = NULL;
        tn_batch *got = NULL;
        if (tn_ipc_open_buffer(out, "bench", &r, &err) || tn_reader_next(r, &got, &err) || !got) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t2 = now();
        if (codec == 0)
            raw = out->size / 1e6;
        printf("%-5s %lld rows, %6.1f MB of data in %6.1f MB: write %7.1f MB/s, read+validate %7.1f MB/s\n",
               names[codec], (long long)rows, raw, out->size / 1e6, raw / (t1 - t0), raw / (t2 - t1));
        tn_batch_unref(got);
        tn_reader_free(r);
        tn_reader_free(in);
        tn_buffer_unref(out);
    }
    tn_batch_unref(batch);
    tn_schema_unref(s);
    return 0;
}
