/*
 * bench_parquet.c — Parquet read and write throughput on a lineitem-shaped
 * table generated in memory: 16 columns (int64 keys, decimal(15,2)
 * amounts, dates, low-cardinality strings, a free-text comment).
 *
 *   bench_parquet [rows] [file]     default 3,000,000 rows, /tmp/tarn_lineitem.parquet
 *
 * Writes the file with tarn (snappy, dictionary), then reads it back three
 * times and prints the best wall time of each step. A file given that
 * already exists is only read (e.g. one written by DuckDB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "arrow/builder.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *names[] = {"l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity",
                              "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus",
                              "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct", "l_shipmode",
                              "l_comment"};

static tn_type *type_of(int c)
{
    if (c < 4)
        return tn_type_get(TN_INT64);
    if (c < 8)
        return tn_type_decimal(128, 15, 2);
    if (c >= 10 && c < 13)
        return tn_type_get(TN_DATE32);
    return tn_type_get(TN_STRING);
}

static int append(tn_builder *b, int c, int64_t i, tarn_error *err)
{
    static const char *instr[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
    static const char *modes[] = {"AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB", "REG AIR"};
    static const char *flags[] = {"A", "N", "R"};
    char txt[64];
    switch (c) {
    case 0: return tn_builder_append_int(b, i, err);
    case 1: return tn_builder_append_int(b, (i * 7919) % 200000, err);
    case 2: return tn_builder_append_int(b, (i * 31) % 10000, err);
    case 3: return tn_builder_append_int(b, i % 7 + 1, err);
    case 4: return tn_builder_append_int(b, (i % 50 + 1) * 100, err);
    case 5: return tn_builder_append_int(b, (i * 13) % 10000000, err);
    case 6: return tn_builder_append_int(b, i % 11, err);
    case 7: return tn_builder_append_int(b, i % 9, err);
    case 8: return tn_builder_append_str(b, flags[i % 3], err);
    case 9: return tn_builder_append_str(b, i % 2 ? "F" : "O", err);
    case 10: return tn_builder_append_int(b, 8035 + i % 2500, err);
    case 11: return tn_builder_append_int(b, 8035 + (i * 3) % 2500, err);
    case 12: return tn_builder_append_int(b, 8035 + (i * 5) % 2500, err);
    case 13: return tn_builder_append_str(b, instr[i % 4], err);
    case 14: return tn_builder_append_str(b, modes[i % 7], err);
    default: {
        uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
        int n = 10 + (int)(i % 30);
        for (int k = 0; k < n; k++) {
            txt[k] = (char)('a' + (x % 26));
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
        txt[n] = 0;
        return tn_builder_append_str(b, txt, err);
    }
    }
}

static int generate(const char *path, int64_t rows, tarn_error *err)
{
    tn_schema *s = tn_schema_new(16);
    for (int c = 0; c < 16; c++)
        TN_TRY(tn_field_init(&s->fields[c], names[c], type_of(c), false, err));
    int64_t per = 122880, n = (rows + per - 1) / per;
    tn_batch **bs = calloc((size_t)n, sizeof *bs);
    for (int64_t k = 0; k < n; k++) {
        int64_t len = rows - k * per < per ? rows - k * per : per;
        bs[k] = tn_batch_new(s, len);
        for (int c = 0; c < 16; c++) {
            tn_builder *b = tn_builder_new(s->fields[c].type);
            for (int64_t i = 0; i < len; i++)
                TN_TRY(append(b, c, k * per + i, err));
            TN_TRY(tn_builder_finish(b, &bs[k]->columns[c], err));
            tn_builder_free(b);
        }
    }
    tn_reader *in = tn_reader_from_batches(s, bs, n);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true};
    double t = now();
    int rc = tn_parquet_write_file(path, in, &o, err);
    printf("write %lld rows: %.3f s\n", (long long)rows, now() - t);
    tn_reader_free(in);
    for (int64_t k = 0; k < n; k++)
        tn_batch_unref(bs[k]);
    free(bs);
    tn_schema_unref(s);
    return rc;
}

int main(int argc, char **argv)
{
    int64_t rows = argc > 1 ? atoll(argv[1]) : 3000000;
    const char *path = argc > 2 ? argv[2] : "/tmp/tarn_lineitem.parquet";
    tarn_error err;
    struct stat st;
    if ((argc <= 2 || stat(path, &st) != 0) && generate(path, rows, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double best = 1e9;
    int64_t total = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t = now();
        tn_reader *r;
        if (tn_parquet_open_file(path, NULL, &r, &err) != 0) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        total = 0;
        for (;;) {
            tn_batch *b;
            if (tn_reader_next(r, &b, &err) != 0) {
                fprintf(stderr, "%s\n", err.message);
                return 1;
            }
            if (!b)
                break;
            total += b->length;
            tn_batch_unref(b);
        }
        tn_reader_free(r);
        if (now() - t < best)
            best = now() - t;
    }
    printf("read %lld rows: %.3f s (best of 3, 1 thread)\n", (long long)total, best);
    return 0;
}
