/*
 * csv_read.c — time reading a CSV or JSON file to record batches:
 *   csv_read FILE [csv|json]
 * prints rows, columns, seconds and MB/s. bench/csv_json.sh runs it next to
 * DuckDB and Polars on the same file.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "formats/csv/csv.h"
#include "formats/json/json.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_read FILE [csv|json]\n");
        return 2;
    }
    bool json = argc > 2 && strcmp(argv[2], "json") == 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tn_reader *r;
    tarn_error err;
    int rc;
    if (json) {
        tn_json_options o;
        tn_json_options_init(&o);
        rc = tn_json_open(argv[1], &o, &r, &err);
    } else {
        tn_csv_options o;
        tn_csv_options_init(&o);
        rc = tn_csv_open(argv[1], &o, &r, &err);
    }
    if (rc) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int64_t rows = 0;
    tn_batch *b;
    while ((rc = tn_reader_next(r, &b, &err)) == 0 && b) {
        rows += b->length;
        tn_batch_unref(b);
    }
    if (rc) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int cols = r->schema->n_fields;
    tn_reader_free(r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    FILE *f = fopen(argv[1], "rb");
    double mb = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        mb = (double)ftell(f) / 1e6;
        fclose(f);
    }
    printf("tarn: %lld rows, %d columns, %.3f s, %.0f MB/s\n", (long long)rows, cols, s, mb / s);
    return 0;
}
