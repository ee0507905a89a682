/*
 * bench_c_data.c — the cost of crossing the C Data Interface: export and
 * import of a batch of int64, utf8 and list<int32> columns (zero-copy, so
 * independent of the data size) and import validation at each level (FULL
 * reads every offset and every string).
 *
 *   bench_c_data [rows]      default 2,000,000
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arrow/builder.h"
#include "arrow/c_data.h"
#include "core/alloc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static tn_batch *make(int64_t rows)
{
    tarn_error err;
    tn_schema *s = tn_schema_new(3);
    if (tn_field_init(&s->fields[0], "id", tn_type_get(TN_INT64), false, &err) ||
        tn_field_init(&s->fields[1], "name", tn_type_get(TN_STRING), true, &err) ||
        tn_field_init(&s->fields[2], "tags",
                      tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true)), true, &err))
        return NULL;
    tn_batch *b = tn_batch_new(s, rows);
    tn_schema_unref(s);
    tn_builder *bi = tn_builder_new(s->fields[0].type), *bs = tn_builder_new(s->fields[1].type),
               *bl = tn_builder_new(s->fields[2].type);
    char txt[48];
    int rc = 0;
    for (int64_t i = 0; i < rows && !rc; i++) {
        int n = snprintf(txt, sizeof txt, "customer-%lld-héllo", (long long)i);
        rc = tn_builder_append_int(bi, i, &err) || tn_builder_append_bytes(bs, txt, n, &err);
        for (int k = 0; k < 3 && !rc; k++)
            rc = tn_builder_append_int(tn_builder_child(bl, 0), k, &err);
        rc = rc || tn_builder_append_list(bl, &err);
    }
    rc = rc || tn_builder_finish(bi, &b->columns[0], &err) || tn_builder_finish(bs, &b->columns[1], &err) ||
         tn_builder_finish(bl, &b->columns[2], &err);
    tn_builder_free(bi);
    tn_builder_free(bs);
    tn_builder_free(bl);
    if (rc) {
        fprintf(stderr, "build: %s\n", err.message);
        tn_batch_unref(b);
        return NULL;
    }
    return b;
}

int main(int argc, char **argv)
{
    int64_t rows = argc > 1 ? atoll(argv[1]) : 2000000;
    tn_batch *b = make(rows);
    if (!b)
        return 1;
    tarn_error err;
    const int reps = 2000;
    double t0 = now();
    for (int i = 0; i < reps; i++) {
        struct ArrowArray a;
        if (tn_export_batch(b, &a, &err))
            return 1;
        a.release(&a);
    }
    printf("export + release of a batch of %lld rows: %.2f us\n", (long long)rows, (now() - t0) / reps * 1e6);
    for (int i = 0; i < reps; i++) { /* warm up */
        struct ArrowArray a;
        tn_batch *back = NULL;
        if (tn_export_batch(b, &a, &err) || tn_import_batch(&a, b->schema, TARN_VALIDATE_NONE, &back, &err))
            return 1;
        tn_batch_unref(back);
    }
    static const char *names[] = {"NONE", "MINIMAL", "DEFAULT", "FULL"};
    for (int level = TARN_VALIDATE_NONE; level <= TARN_VALIDATE_FULL; level++) {
        int n = level == TARN_VALIDATE_FULL ? 5 : reps;
        double t = 0;
        for (int i = 0; i < n; i++) {
            struct ArrowArray a;
            if (tn_export_batch(b, &a, &err))
                return 1;
            double s = now();
            tn_batch *back = NULL;
            if (tn_import_batch(&a, b->schema, (tarn_validate_level)level, &back, &err)) {
                fprintf(stderr, "import: %s\n", err.message);
                return 1;
            }
            t += now() - s;
            tn_batch_unref(back);
        }
        printf("import at %-7s: %10.2f us", names[level], t / n * 1e6);
        if (level == TARN_VALIDATE_FULL)
            printf("  (%.0f M rows/s)", (double)rows / (t / n) / 1e6);
        printf("\n");
    }
    tn_batch_unref(b);
    return 0;
}
