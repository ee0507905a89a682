/*
 * fuzz_parquet_file.c — libFuzzer target for a whole Parquet file in
 * memory: footer, schema tree, every column chunk, and the assembly of
 * nested arrays, through the public reader (tn_parquet_open_memory), once
 * whole, once with an offset and a limit that cut inside row groups, and
 * with `=` and `<` terms on the first column (a number, then a string
 * literal, whichever binds), which run the file's statistics, bloom
 * filters and page index (page selection and the cut to candidate rows),
 * each filtered read done twice — with late materialization and without —
 * which must give the same batches when both succeed (a corrupt page may
 * fail only the read that decodes it).
 */
#include "core/alloc.h"
#include "arrow/compute/compute.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The name of the first column, or NULL. */
static char *first_column(const uint8_t *data, size_t size)
{
    tarn_error err;
    tn_reader *r;
    tn_parquet_read_options o = {.limit = -1};
    if (tn_parquet_open_memory(data, size, "fuzz", &o, &r, &err) != 0)
        return NULL;
    char *name = r->schema->n_fields > 0 ? tn_strdup(r->schema->fields[0].name) : NULL;
    tn_reader_free(r);
    return name;
}

static void read_all(const uint8_t *data, size_t size, const tn_parquet_read_options *o)
{
    tarn_error err;
    tn_reader *r;
    if (tn_parquet_open_memory(data, size, "fuzz", o, &r, &err) != 0)
        return;
    for (;;) {
        tn_batch *b;
        if (tn_reader_next(r, &b, &err) != 0 || !b)
            break;
        if (tn_batch_check(b, &err) != 0)
            __builtin_trap(); /* the reader made an inconsistent batch */
        tn_batch_unref(b);
    }
    tn_reader_free(r);
}

/* Read with and without late materialization; the same rows or a trap. */
static void read_both(const uint8_t *data, size_t size, tn_parquet_read_options o)
{
    enum { MAX = 256 };
    tn_batch *got[2][MAX];
    int n[2] = {0, 0}, rc[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        o.no_late_materialization = k == 1;
        tarn_error err;
        tn_reader *r;
        if ((rc[k] = tn_parquet_open_memory(data, size, "fuzz", &o, &r, &err)) != 0)
            continue;
        for (;;) {
            tn_batch *b;
            if ((rc[k] = tn_reader_next(r, &b, &err)) != 0 || !b)
                break;
            if (tn_batch_check(b, &err) != 0)
                __builtin_trap();
            if (n[k] == MAX) {
                tn_batch_unref(b);
                rc[k] = -1; /* too many to compare */
                break;
            }
            got[k][n[k]++] = b;
        }
        tn_reader_free(r);
    }
    if (rc[0] == 0 && rc[1] == 0) {
        if (n[0] != n[1])
            __builtin_trap();
        for (int i = 0; i < n[0]; i++) {
            if (got[0][i]->length != got[1][i]->length)
                __builtin_trap();
            for (int32_t c = 0; c < got[0][i]->schema->n_fields; c++)
                if (!tn_array_equals(got[0][i]->columns[c], got[1][i]->columns[c]))
                    __builtin_trap();
        }
    }
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < n[k]; i++)
            tn_batch_unref(got[k][i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    tn_parquet_read_options all = {.batch_size = 3, .limit = -1};
    read_all(data, size, &all);
    /* offset and limit cut inside row groups */
    tn_parquet_read_options some = {.batch_size = 2, .offset = 1, .limit = 2};
    read_all(data, size, &some);
    char *col = first_column(data, size);
    if (col) {
        static const char *lits[] = {"1", "7", "a"};
        for (int i = 0; i < 3; i++) {
            tn_parquet_term t[2] = {{.column = col, .op = TN_CMP_EQ, .is_string = i == 2, .literal = lits[i], .literal_len = 1},
                                    {.column = col, .op = TN_CMP_LT, .is_string = i == 2, .literal = lits[i], .literal_len = 1}};
            tn_parquet_read_options eq = {.batch_size = 5, .limit = -1, .terms = t, .n_terms = 1};
            read_both(data, size, eq);
            tn_parquet_read_options lt = {.batch_size = 5, .limit = -1, .terms = t + 1, .n_terms = 1};
            read_both(data, size, lt);
        }
        tn_free(col);
    }
    return 0;
}
