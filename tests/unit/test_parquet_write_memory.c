/*
 * test_parquet_write_memory.c — the Parquet writer's memory is bounded by
 * about one row group, not by the file: a source that makes its batches
 * as they are asked for (so only the writer can hold them) is written in
 * many row groups under a tarn memory budget several times smaller than
 * its data, and read back whole; the same file with 1, 2 and 4 threads;
 * and a budget too small for one row group fails cleanly with nothing
 * left behind.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/builder.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "tn_test.h"

static char out_dir[PATH_MAX];

#define ROWS 8192     /* rows per batch */
#define BATCHES 240   /* 2 M rows, 126 MB of values, 4 batches a row group */
/* Enough for the source's batch, a row group filling and one encoding,
 * their encoded chunks, and a set of encoding buffers per thread (for a
 * row group of 2 MB, about 6 MB: values, levels, dictionary, pages, each
 * grown by doubling); measured peaks 13, 21 and 28 MB with 1, 2, 3 threads. */
#define BUDGET(threads) ((10 << 20) + (threads) * (8 << 20))

/* The batches of gen_reader: key k, a 40-byte text, and a struct of a
 * double and a nullable int32 (two leaves under one top-level column). */
static tn_schema *gen_schema(void)
{
    tn_field *sf[2] = {tn_field_new("x", tn_type_get(TN_FLOAT64), false), tn_field_new("y", tn_type_get(TN_INT32), true)};
    tn_field *fs[3] = {tn_field_new("k", tn_type_get(TN_INT64), false), tn_field_new("text", tn_type_get(TN_STRING), true),
                       tn_field_new("st", tn_type_struct(2, sf), false)};
    tn_schema *s = tn_schema_new(3);
    for (int i = 0; i < 3; i++) {
        s->fields[i] = *fs[i];
        tn_free(fs[i]);
    }
    return s;
}

typedef struct gen_reader {
    tn_reader base;
    int64_t made;          /* batches made so far */
} gen_reader;

static int gen_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    gen_reader *g = (gen_reader *)base;
    *out = NULL;
    if (g->made == BATCHES)
        return 0;
    int64_t k0 = g->made++ * ROWS;
    tn_batch *b = tn_batch_new(base->schema, ROWS);
    TN_TRY_ALLOC(b, err, sizeof *b);
    int rc = 0;
    for (int c = 0; c < 3 && !rc; c++) {
        tn_builder *bl = tn_builder_new(base->schema->fields[c].type);
        if (!bl) {
            rc = tn_error_oom(err, 64);
            break;
        }
        for (int64_t k = k0; k < k0 + ROWS && !rc; k++) {
            if (c == 0) {
                rc = tn_builder_append_int(bl, k, err);
            } else if (c == 1) {
                char txt[48];
                snprintf(txt, sizeof txt, "text of row %020lld ......", (long long)k);
                rc = k % 11 == 0 ? tn_builder_append_null(bl, err) : tn_builder_append_str(bl, txt, err);
            } else {
                rc = tn_builder_append_double(tn_builder_child(bl, 0), (double)k / 4, err);
                if (!rc)
                    rc = k % 7 == 0 ? tn_builder_append_null(tn_builder_child(bl, 1), err)
                                    : tn_builder_append_int(tn_builder_child(bl, 1), k % 1000, err);
                if (!rc)
                    rc = tn_builder_append_struct(bl, err);
            }
        }
        if (!rc)
            rc = tn_builder_finish(bl, &b->columns[c], err);
        tn_builder_free(bl);
    }
    if (rc) {
        tn_batch_unref(b);
        return rc;
    }
    *out = b;
    return 0;
}

static void gen_destroy(tn_reader *base) { (void)base; }

/* Write the generated rows to path in row groups of about 2 MB. */
static int write_generated(const char *path, tarn_error *err)
{
    gen_reader g = {.base = {.schema = gen_schema(), .next = gen_next, .destroy = gen_destroy}};
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_bytes = 2 << 20,
                                  .page_bytes = 256 << 10};
    int rc = tn_parquet_write_file(path, &g.base, &o, err);
    tn_schema_unref(g.base.schema);
    return rc;
}

/* Every row of the file is the one the source made: count, keys in
 * order, texts, and the struct's fields and nulls. */
static void check_file(const char *path)
{
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    if (!r)
        return;
    int64_t k = 0, bad = 0;
    for (;;) {
        tn_batch *b = NULL;
        CHECK_OK(tn_reader_next(r, &b, &err), &err);
        if (!b)
            break;
        const tn_array *key = b->columns[0], *text = b->columns[1], *st = b->columns[2];
        const tn_array *x = st->children[0], *y = st->children[1];
        for (int64_t i = 0; i < b->length; i++, k++) {
            char want[48];
            snprintf(want, sizeof want, "text of row %020lld ......", (long long)k);
            int64_t len = 0;
            const uint8_t *p = tn_array_is_valid(text, i) ? tn_array_bytes(text, i, &len) : NULL;
            bad += ((const int64_t *)key->buffers[1]->data)[key->offset + i] != k;
            bad += k % 11 == 0 ? p != NULL : !p || len != (int64_t)strlen(want) || memcmp(p, want, (size_t)len) != 0;
            bad += ((const double *)x->buffers[1]->data)[x->offset + st->offset + i] != (double)k / 4;
            int64_t j = st->offset + i;
            bad += k % 7 == 0 ? tn_array_is_valid(y, j)
                              : !tn_array_is_valid(y, j) || ((const int32_t *)y->buffers[1]->data)[y->offset + j] != k % 1000;
        }
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(k, (int64_t)BATCHES * ROWS);
    CHECK_EQ_INT(bad, 0);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n ? *n : 1);
    if (p && fread(p, 1, *n, f) != *n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

/* 126 MB of values in row groups of 2 MB under a budget of 18 to 34 MB
 * above what is in use: a writer holding the file, or many row groups of
 * it, runs out of budget. The bytes are the same with 1, 2 and 3 threads
 * (the caller encodes leaves itself when its batches reach a row group). */
TEST(bounded_by_row_group)
{
    tarn_error err;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/bounded.parquet", out_dir);
    static const int threads[] = {2, 1, 3};
    uint8_t *first = NULL;
    size_t first_n = 0;
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        CHECK_OK(tarn_set_threads(threads[t], &err), &err);
        tarn_set_memory_limit(tarn_memory_used() + BUDGET(threads[t]));
        int rc = write_generated(path, &err);
        tarn_set_memory_limit(0);
        CHECK_OK(rc, &err);
        if (rc)
            break;
        int64_t rows = 0;
        int32_t groups = 0;
        CHECK_OK(tn_parquet_file_info(path, &rows, &groups, &err), &err);
        CHECK_EQ_INT(rows, (int64_t)BATCHES * ROWS);
        CHECK(groups >= 20); /* many row groups, each far smaller than the file */
        size_t n = 0;
        uint8_t *bytes = slurp(path, &n);
        CHECK(bytes != NULL);
        if (!first) {
            first = bytes;
            first_n = n;
            check_file(path);
            continue;
        }
        CHECK(n == first_n && memcmp(bytes, first, n) == 0);
        free(bytes);
    }
    free(first);
    CHECK_OK(tarn_set_threads(0, &err), &err);
}

static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Budgets too small for the writer (or, the smallest, for the source): a
 * clean TARN_EMEMLIMIT, no file, no temporary and no memory left, whatever
 * the thread count and wherever the refusal comes (the caller's reading or
 * encoding, or a task's encoding). */
TEST(budget_too_small)
{
    tarn_error err;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/toosmall.parquet", out_dir);
    unlink(path);
    static const int threads[] = {1, 2, 4};
    static const int64_t budgets[] = {1 << 20, 4 << 20, 6 << 20, 8 << 20}; /* the source's batch fits from 4 MB */
    for (size_t t = 0; t < sizeof threads / sizeof *threads * 4; t++) {
        CHECK_OK(tarn_set_threads(threads[t / 4], &err), &err);
        int64_t before = tarn_memory_used();
        tarn_set_memory_limit(before + budgets[t % 4]);
        int rc = write_generated(path, &err);
        tarn_set_memory_limit(0);
        CHECK_EQ_INT(rc, TARN_EMEMLIMIT);
        CHECK_MSG(&err, "memory limit exceeded");
        CHECK_EQ_INT(count_entries(out_dir, "toosmall.parquet") + count_entries(out_dir, ".toosmall.parquet"), 0);
        CHECK_EQ_INT(tarn_memory_used(), before);
    }
    CHECK_OK(tarn_set_threads(0, &err), &err);
}

int main(void)
{
    const char *build = getenv("TARN_BUILD_DIR");
    snprintf(out_dir, sizeof out_dir, "%s/parquet_written", build ? build : "build");
    mkdir(out_dir, 0777);
    RUN(bounded_by_row_group);
    RUN(budget_too_small);
    return tn_test_done();
}
