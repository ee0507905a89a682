/*
 * test_parquet_arrow.c — Arrow types through Parquet: the writer stores the
 * Arrow schema as "ARROW:schema" and the reader gives back exactly the
 * arrays it was given (list item names, time zones, large and view layouts,
 * dictionaries, date64, timestamp[s], durations), checked on the IPC test
 * fixture's every type Parquet can hold. Without the key the reader falls
 * back to the types the Parquet schema names.
 */
#include <limits.h>
#include <sys/stat.h>

#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "parquet_fixture.h"
#include "tn_test.h"

static char out_dir[PATH_MAX];

/* Read path and compare every batch with the same rows of want. */
static void check_read_back(const char *path, tn_batch *want)
{
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    if (!r)
        return;
    const tn_schema *s = r->schema;
    CHECK_EQ_INT(s->n_fields, want->schema->n_fields);
    for (int32_t c = 0; c < s->n_fields && c < want->schema->n_fields; c++) {
        CHECK_STR(s->fields[c].name, want->schema->fields[c].name);
        if (!tn_type_equals(s->fields[c].type, want->schema->fields[c].type))
            fprintf(stderr, "  column %s: type differs\n", s->fields[c].name);
        CHECK(tn_type_equals(s->fields[c].type, want->schema->fields[c].type));
    }
    int64_t at = 0;
    for (;;) {
        tn_batch *b = NULL;
        CHECK_OK(tn_reader_next(r, &b, &err), &err);
        if (!b)
            break;
        CHECK_OK(tn_batch_check(b, &err), &err);
        for (int32_t c = 0; c < s->n_fields && at + b->length <= want->length; c++) {
            tn_array *w = tn_array_slice(want->columns[c], at, b->length);
            bool same = tn_array_equals(b->columns[c], w);
            if (!same)
                fprintf(stderr, "  column %s rows %lld..: values differ\n", s->fields[c].name, (long long)at);
            CHECK(same);
            tn_array_unref(w);
        }
        at += b->length;
        tn_batch_unref(b);
    }
    CHECK_EQ_INT(at, want->length);
    tn_reader_free(r);
}

TEST(arrow_types_round_trip)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    CHECK(s != NULL);
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 61, &b, &err), &err);
    static const tn_parquet_write_options opts[] = {
        {.codec = PQ_SNAPPY, .dictionary = true},
        {.codec = PQ_ZSTD, .row_group_rows = 8, .page_bytes = 64, .page_version = 2},
        {.codec = PQ_GZIP, .row_group_rows = 20, .dictionary = true, .encoding = PQ_DELTA_BYTE_ARRAY},
    };
    char path[PATH_MAX * 2];
    for (size_t i = 0; b && i < sizeof opts / sizeof *opts; i++) {
        snprintf(path, sizeof path, "%s/arrow_types_%zu.parquet", out_dir, i);
        CHECK_OK(write_fixture(path, b, &opts[i], &err), &err);
        check_read_back(path, b);
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
}

static const tn_type *read_type(const char *path, const char *column)
{
    static tn_type *t;
    tn_type_unref(t);
    t = NULL;
    tarn_error err;
    tn_reader *r;
    if (tn_parquet_open_file(path, NULL, &r, &err) != 0)
        return NULL;
    for (int32_t i = 0; i < r->schema->n_fields; i++)
        if (strcmp(r->schema->fields[i].name, column) == 0)
            t = tn_type_ref(r->schema->fields[i].type);
    tn_reader_free(r);
    return t;
}

TEST(without_arrow_schema)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 10, &b, &err), &err);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/no_arrow_schema.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .no_arrow_schema = true};
    CHECK_OK(write_fixture(path, b, &o, &err), &err);
    const tn_type *t = read_type(path, "list_i32");
    CHECK(t && t->id == TN_LIST && strcmp(t->children[0].name, "element") == 0);
    t = read_type(path, "large_utf8");
    CHECK(t && t->id == TN_STRING);
    t = read_type(path, "dict");
    CHECK(t && t->id == TN_STRING);
    t = read_type(path, "ts_s"); /* written as milliseconds */
    CHECK(t && t->id == TN_TIMESTAMP && t->unit == TN_MILLI);
    t = read_type(path, "dur_ms");
    CHECK(t && t->id == TN_INT64);
    /* with the key, the same columns come back as written */
    snprintf(path, sizeof path, "%s/arrow_schema.parquet", out_dir);
    o.no_arrow_schema = false;
    CHECK_OK(write_fixture(path, b, &o, &err), &err);
    t = read_type(path, "list_i32");
    CHECK(t && strcmp(t->children[0].name, "item") == 0);
    t = read_type(path, "dict");
    CHECK(t && t->id == TN_DICTIONARY);
    t = read_type(path, "ts_s");
    CHECK(t && t->unit == TN_SECOND);
    read_type(path, "none"); /* drops the last reference */
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* A projection by top-level name keeps the Arrow type; a path into a
 * struct reads the Parquet type of the field. */
TEST(projection_keeps_arrow_types)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 12, &b, &err), &err);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/arrow_projection.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true};
    CHECK_OK(write_fixture(path, b, &o, &err), &err);
    const char *cols[] = {"struct_dict", "ts_us_utc", "struct_dict.d"};
    tn_parquet_read_options ro = {.columns = cols, .n_columns = 3, .limit = -1};
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, &ro, &r, &err), &err);
    if (r) {
        CHECK(r->schema->fields[0].type->id == TN_STRUCT && r->schema->fields[0].type->children[0].type->id == TN_DICTIONARY);
        CHECK(r->schema->fields[2].type->id == TN_STRING);
        tn_batch *got = NULL;
        CHECK_OK(tn_reader_next(r, &got, &err), &err);
        if (got) {
            CHECK_OK(tn_batch_check(got, &err), &err);
            int32_t sd = -1, ts = -1;
            for (int32_t i = 0; i < b->schema->n_fields; i++) {
                sd = strcmp(b->schema->fields[i].name, "struct_dict") == 0 ? i : sd;
                ts = strcmp(b->schema->fields[i].name, "ts_us_utc") == 0 ? i : ts;
            }
            CHECK(tn_array_equals(got->columns[0], b->columns[sd]));
            CHECK(tn_array_equals(got->columns[1], b->columns[ts]));
            tn_batch_unref(got);
        }
        tn_reader_free(r);
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
}

static tn_batch **read_where_late(const char *path, const char *where, bool late, int *n, tn_parquet_scan_stats *st);

/* Every batch of path read with filter text `where`; *n batches. */
static tn_batch **read_where(const char *path, const char *where, int *n, tn_parquet_scan_stats *st)
{
    return read_where_late(path, where, true, n, st);
}

static tn_batch **read_where_late(const char *path, const char *where, bool late, int *n, tn_parquet_scan_stats *st)
{
    tarn_error err;
    tn_parquet_read_options ro = {.limit = -1, .filter = where, .no_late_materialization = !late};
    tn_reader *r;
    *n = 0;
    if (tn_parquet_open_file(path, &ro, &r, &err) != 0) {
        fprintf(stderr, "  %s: %s\n", where, err.message);
        return NULL;
    }
    tn_batch **out = calloc(4096, sizeof *out);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "  %s: %s\n", where, err.message);
            break;
        }
        if (!b || *n == 4096)
            break;
        out[(*n)++] = b;
    }
    tn_parquet_reader_scan_stats(r, st);
    tn_reader_free(r);
    return out;
}

/* The page index: a file of tiny pages must give, for every filter, the
 * same rows of every column (lists, maps, structs, dictionaries included)
 * as the same data in one page per chunk, where no page can be skipped
 * that its row group's statistics would not already skip. */
TEST(page_index_pruning)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 120, &b, &err), &err);
    char tiny[PATH_MAX * 2], whole[PATH_MAX * 2];
    snprintf(tiny, sizeof tiny, "%s/page_index_tiny.parquet", out_dir);
    snprintf(whole, sizeof whole, "%s/page_index_whole.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 50, .page_bytes = 40};
    CHECK_OK(write_fixture(tiny, b, &o, &err), &err);
    o.page_bytes = 1 << 30;
    o.page_version = 2;
    CHECK_OK(write_fixture(whole, b, &o, &err), &err);
    static const char *filters[] = {
        "i32 >= 10 AND i32 < 14",
        "i64 = -21",
        "utf8 = 'gamma-42'",
        "utf8 >= 'beta' AND utf8 < 'beta-2'",
        "date32 > '2022-01-30' AND date32 <= '2022-02-03'",
        "ts_us_utc >= '2023-11-15 00:00:00' AND ts_us_utc < '2023-11-16 00:00:00'",
        "dec128 = -67.89",
        "struct.a < -40",
        "i32 != 0 AND u8 > 90",
        "f64 < -2",
        "i32 = 1000",
    };
    int64_t skipped = 0;
    for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
        int na, nb;
        tn_parquet_scan_stats sa, sb;
        tn_batch **a = read_where(tiny, filters[f], &na, &sa), **w = read_where(whole, filters[f], &nb, &sb);
        int64_t ra = 0, rb = 0;
        for (int i = 0; i < na; i++)
            ra += a[i]->length;
        for (int i = 0; i < nb; i++)
            rb += w[i]->length;
        if (ra != rb)
            fprintf(stderr, "  %s: %lld rows with the page index, %lld without\n", filters[f], (long long)ra, (long long)rb);
        CHECK_EQ_INT(ra, rb);
        /* same rows in the same order: compare row by row across batches */
        for (int i = 0, j = 0, x = 0, y = 0; a && w && i < na && j < nb;) {
            for (int32_t c = 0; c < s->n_fields; c++)
                CHECK(tn_array_element_equals(a[i]->columns[c], x, w[j]->columns[c], y));
            CHECK_OK(tn_batch_check(a[i], &err), &err);
            if (++x == a[i]->length) {
                i++;
                x = 0;
            }
            if (++y == w[j]->length) {
                j++;
                y = 0;
            }
        }
        skipped += sa.pages_by_index;
        CHECK_EQ_INT(sb.pages_by_index, 0);
        for (int i = 0; i < na; i++)
            tn_batch_unref(a[i]);
        for (int i = 0; i < nb; i++)
            tn_batch_unref(w[i]);
        free(a);
        free(w);
    }
    CHECK(skipped > 50); /* the tiny pages were really skipped */
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* Same rows, in order, across the batches of two reads. */
static void check_same_rows(tn_batch **a, int na, tn_batch **w, int nb, const tn_schema *s, const char *what)
{
    tarn_error err;
    int64_t ra = 0, rb = 0;
    for (int i = 0; i < na; i++)
        ra += a[i]->length;
    for (int i = 0; i < nb; i++)
        rb += w[i]->length;
    if (ra != rb)
        fprintf(stderr, "  %s: %lld rows against %lld\n", what, (long long)ra, (long long)rb);
    CHECK_EQ_INT(ra, rb);
    for (int i = 0, j = 0, x = 0, y = 0; a && w && i < na && j < nb;) {
        if (a[i]->length == 0 || w[j]->length == 0) {
            i += a[i]->length == 0;
            j += w[j]->length == 0;
            continue;
        }
        for (int32_t c = 0; c < s->n_fields; c++)
            if (!tn_array_element_equals(a[i]->columns[c], x, w[j]->columns[c], y)) {
                fprintf(stderr, "  %s: column %s differs\n", what, s->fields[c].name);
                CHECK(false);
            }
        CHECK_OK(tn_batch_check(a[i], &err), &err);
        if (++x == a[i]->length) {
            i++;
            x = 0;
        }
        if (++y == w[j]->length) {
            j++;
            y = 0;
        }
    }
}

/* Late materialization over every type of the fixture (nulls at every
 * level, dictionaries, structs leaf by leaf, lists and maps decoded whole)
 * in five layouts: the rows equal those of a read that decodes every
 * column and filters afterwards. */
TEST(late_materialization)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 120, &b, &err), &err);
    static const tn_parquet_write_options layouts[] = {
        {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 50, .page_bytes = 40},
        {.codec = PQ_ZSTD, .dictionary = false, .row_group_rows = 70, .page_bytes = 90, .page_version = 2},
        {.codec = PQ_UNCOMPRESSED, .dictionary = false, .row_group_rows = 1000, .page_bytes = 1 << 20},
        {.codec = PQ_GZIP, .dictionary = true, .row_group_rows = 1000, .page_bytes = 1 << 20, .page_version = 2},
        {.codec = PQ_SNAPPY, .dictionary = false, .row_group_rows = 60, .page_bytes = 64,
         .encoding = PQ_DELTA_BINARY_PACKED},
        {.codec = PQ_SNAPPY, .dictionary = false, .row_group_rows = 60, .page_bytes = 64,
         .encoding = PQ_DELTA_BYTE_ARRAY},
        {.codec = PQ_SNAPPY, .dictionary = false, .row_group_rows = 60, .page_bytes = 64,
         .encoding = PQ_BYTE_STREAM_SPLIT},
    };
    static const char *filters[] = {
        "i32 >= 10 AND i32 < 14",
        "i64 = -21",
        "i32 > 5",
        "i16 < 0",
        "utf8 = 'gamma-42'",
        "utf8 >= 'beta'",
        "date32 > '2022-01-30' AND date32 <= '2022-02-03'",
        "ts_us_utc >= '2023-11-15 00:00:00'",
        "dec128 < 0",
        "struct.a < -40",
        "i32 != 0 AND u8 > 90",
        "f64 < -2",
        "f32 >= 0 AND i8 != 3",
        "u64 > 100",
        "i32 = 1000",
    };
    int64_t late_values = 0, late_pages = 0;
    for (size_t k = 0; k < sizeof layouts / sizeof *layouts; k++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/late_%zu.parquet", out_dir, k);
        CHECK_OK(write_fixture(path, b, &layouts[k], &err), &err);
        for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
            int na, nb;
            tn_parquet_scan_stats sa, sb;
            tn_batch **a = read_where_late(path, filters[f], true, &na, &sa);
            tn_batch **w = read_where_late(path, filters[f], false, &nb, &sb);
            char what[256];
            snprintf(what, sizeof what, "layout %zu, %s", k, filters[f]);
            CHECK(a && w);
            check_same_rows(a, na, w, nb, s, what);
            CHECK_EQ_INT(sa.rows_filtered, sb.rows_filtered);
            CHECK_EQ_INT(sb.values_late, 0);
            late_values += sa.values_late;
            late_pages += sa.pages_late;
            for (int i = 0; i < na; i++)
                tn_batch_unref(a[i]);
            for (int i = 0; i < nb; i++)
                tn_batch_unref(w[i]);
            free(a);
            free(w);
        }
    }
    CHECK(late_values > 5000);
    CHECK(late_pages > 100);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* The counts of late materialization on known data: 1000 rows, a filter
 * keeping 10 of them; each other output leaf skips the other 990 rows,
 * and with small pages whole pages of them are never decompressed. */
TEST(late_materialization_counts)
{
    tarn_error err;
    tn_field *f[3] = {tn_field_new("k", tn_type_get(TN_INT32), false), tn_field_new("v", tn_type_get(TN_INT64), true),
                      tn_field_new("s", tn_type_get(TN_STRING), true)};
    tn_schema *s = tn_schema_new(3);
    for (int i = 0; i < 3; i++) {
        CHECK_OK(tn_field_copy(&s->fields[i], f[i], &err), &err);
        tn_field_free(f[i]);
    }
    tn_buffer *kb = tn_buffer_new(4000), *vb = tn_buffer_new(8000), *valid = tn_buffer_new_zeroed(125);
    tn_buffer *ob = tn_buffer_new(4004), *db = tn_buffer_new(1000 * 24);
    int32_t *ks = (int32_t *)kb->data, *os = (int32_t *)ob->data;
    int64_t *vs = (int64_t *)vb->data;
    os[0] = 0;
    for (int i = 0; i < 1000; i++) {
        ks[i] = i;
        vs[i] = (int64_t)i * 3;
        if (i % 7)
            tn_bit_set(valid->data, i);
        int len = snprintf((char *)db->data + os[i], 24, "value number %d", i * 37 % 1000);
        os[i + 1] = os[i] + len;
    }
    tn_batch *b = tn_batch_new(s, 1000);
    b->columns[0] = tn_array_new(s->fields[0].type, 1000, 2, 0);
    b->columns[0]->buffers[1] = kb;
    b->columns[0]->null_count = 0;
    b->columns[1] = tn_array_new(s->fields[1].type, 1000, 2, 0);
    b->columns[1]->buffers[0] = valid;
    b->columns[1]->buffers[1] = vb;
    b->columns[2] = tn_array_new(s->fields[2].type, 1000, 3, 0);
    b->columns[2]->buffers[1] = ob;
    b->columns[2]->buffers[2] = db;
    b->columns[2]->null_count = 0;
    CHECK_OK(tn_batch_check(b, &err), &err);
    for (int small = 0; small < 2; small++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/late_counts_%d.parquet", out_dir, small);
        tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = small == 0, .page_bytes = small ? 300 : 1 << 20};
        CHECK_OK(write_fixture(path, b, &o, &err), &err);
        /* "k % 100 < 10" cannot be written; k's pages are all candidates with "v >= 0" */
        int na, nb;
        tn_parquet_scan_stats sa, sb;
        tn_batch **a = read_where_late(path, "k >= 500 AND k < 510", true, &na, &sa);
        tn_batch **w = read_where_late(path, "k >= 500 AND k < 510", false, &nb, &sb);
        CHECK(a && w);
        check_same_rows(a, na, w, nb, s, "counts");
        int64_t rows = 0;
        for (int i = 0; i < na; i++)
            rows += a[i]->length;
        CHECK_EQ_INT(rows, 10);
        /* the page index leaves the candidates of k's pages holding 500..509 */
        CHECK_EQ_INT(sa.rows_filtered, sb.rows_filtered);
        CHECK_EQ_INT(sa.values_late, 2 * 990);
        if (small)
            CHECK(sa.pages_late > 0);
        else
            CHECK_EQ_INT(sa.pages_late, 0);
        CHECK_EQ_INT(sb.values_late, 0);
        for (int i = 0; i < na; i++)
            tn_batch_unref(a[i]);
        for (int i = 0; i < nb; i++)
            tn_batch_unref(w[i]);
        free(a);
        free(w);
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* All batches of a read with options o. */
static tn_batch **read_opts(const char *path, const tn_parquet_read_options *o, int *n)
{
    tarn_error err;
    tn_reader *r;
    *n = 0;
    if (tn_parquet_open_file(path, o, &r, &err) != 0) {
        fprintf(stderr, "  %s\n", err.message);
        return NULL;
    }
    tn_batch **out = calloc(4096, sizeof *out);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "  %s\n", err.message);
            break;
        }
        if (!b || *n == 4096)
            break;
        out[(*n)++] = b;
    }
    tn_reader_free(r);
    return out;
}

/* Row groups decoded ahead and columns decoded as tasks on the pool give
 * the batches of a serial read, in the same order, with 1 to 4 threads;
 * also when two selected columns share leaves (decoded one by one) and
 * when the reader is freed before its end. */
TEST(parallel_decode)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 120, &b, &err), &err);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/parallel.parquet", out_dir);
    tn_parquet_write_options wo = {.codec = PQ_ZSTD, .dictionary = true, .row_group_rows = 13, .page_bytes = 100};
    CHECK_OK(write_fixture(path, b, &wo, &err), &err);
    const char *cols[] = {"struct", "i32", "struct.a", "utf8", "map"};
    for (int threads = 1; threads <= 4; threads++) {
        CHECK_OK(tarn_set_threads(threads, &err), &err);
        for (int proj = 0; proj < 2; proj++) {
            tn_parquet_read_options po = {.limit = -1, .batch_size = 5}, so = po;
            so.serial = true;
            if (proj) {
                po.columns = so.columns = cols;
                po.n_columns = so.n_columns = 5;
            }
            int np, ns;
            tn_batch **p = read_opts(path, &po, &np), **q = read_opts(path, &so, &ns);
            CHECK(p && q);
            CHECK_EQ_INT(np, ns);
            for (int i = 0; p && q && i < np && i < ns; i++) {
                CHECK_EQ_INT(p[i]->length, q[i]->length);
                for (int32_t c = 0; c < p[i]->schema->n_fields; c++)
                    CHECK(tn_array_equals(p[i]->columns[c], q[i]->columns[c]));
            }
            int64_t rows = 0;
            for (int i = 0; p && i < np; i++) {
                rows += p[i]->length;
                tn_batch_unref(p[i]);
            }
            for (int i = 0; q && i < ns; i++)
                tn_batch_unref(q[i]);
            free(p);
            free(q);
            CHECK_EQ_INT(rows, 120);
        }
        /* freed while a row group is being decoded ahead */
        tn_reader *r;
        CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
        tn_batch *x = NULL;
        CHECK_OK(tn_reader_next(r, &x, &err), &err);
        CHECK(x != NULL);
        tn_batch_unref(x);
        tn_reader_free(r);
    }
    CHECK_OK(tarn_set_threads(0, &err), &err);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* All batches of a read with options o and its scan counts. */
static tn_batch **read_counted(const char *path, const tn_parquet_read_options *o, int *n, tn_parquet_scan_stats *st)
{
    tarn_error err;
    tn_reader *r;
    *n = 0;
    if (tn_parquet_open_file(path, o, &r, &err) != 0) {
        fprintf(stderr, "  %s\n", err.message);
        return NULL;
    }
    tn_batch **out = calloc(4096, sizeof *out);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "  %s\n", err.message);
            CHECK(false);
            break;
        }
        if (!b || *n == 4096)
            break;
        out[(*n)++] = b;
    }
    tn_parquet_reader_scan_stats(r, st);
    tn_reader_free(r);
    return out;
}

static void free_batches(tn_batch **b, int n)
{
    for (int i = 0; b && i < n; i++)
        tn_batch_unref(b[i]);
    free(b);
}

/* Filtered scans read row groups ahead and decode output columns as tasks
 * on the pool: with 1 to 4 threads they give the batches of a serial read
 * in the same order and exactly its counts (row groups, pages, rows
 * filtered, late pages and values, bytes), on 20000 rows in 7 row groups
 * of small pages with a page index. Their rows equal a read without late
 * materialization; a first term keeping 0.5% of rows (h = 5: h is the
 * row number modulo 97, plus 10000 on odd rows, so every page's bounds
 * hold 5) makes the next filter columns decode only those rows, so fewer
 * of their pages are read. */
TEST(parallel_filtered)
{
    tarn_error err;
    enum { N = 20000 };
    const char *names[] = {"k", "h", "v", "s"};
    tn_type_id ids[] = {TN_INT32, TN_INT32, TN_INT64, TN_STRING};
    tn_schema *s = tn_schema_new(4);
    for (int i = 0; i < 4; i++)
        CHECK_OK(tn_field_init(&s->fields[i], names[i], tn_type_get(ids[i]), i >= 2, &err), &err);
    tn_buffer *kb = tn_buffer_new(4 * N), *hb = tn_buffer_new(4 * N), *vb = tn_buffer_new(8 * N);
    tn_buffer *valid = tn_buffer_new_zeroed(tn_bitmap_bytes(N)), *ob = tn_buffer_new(4 * (N + 1)),
              *db = tn_buffer_new(N * 24);
    int32_t *ks = (int32_t *)kb->data, *hs = (int32_t *)hb->data, *os = (int32_t *)ob->data;
    int64_t *vs = (int64_t *)vb->data;
    os[0] = 0;
    for (int i = 0; i < N; i++) {
        ks[i] = i;
        hs[i] = (i % 2 ? 10000 : 0) + i % 97;
        vs[i] = (int64_t)i * 3;
        if (i % 7)
            tn_bit_set(valid->data, i);
        os[i + 1] = os[i] + snprintf((char *)db->data + os[i], 24, "value %d", i * 37 % 1000);
    }
    tn_batch *b = tn_batch_new(s, N);
    tn_buffer *bufs[4] = {kb, hb, vb, NULL};
    for (int c = 0; c < 3; c++) {
        b->columns[c] = tn_array_new(s->fields[c].type, N, 2, 0);
        b->columns[c]->buffers[1] = bufs[c];
        b->columns[c]->null_count = 0;
    }
    b->columns[2]->buffers[0] = valid;
    b->columns[2]->null_count = -1;
    b->columns[3] = tn_array_new(s->fields[3].type, N, 3, 0);
    b->columns[3]->buffers[1] = ob;
    b->columns[3]->buffers[2] = db;
    b->columns[3]->null_count = 0;
    CHECK_OK(tn_batch_check(b, &err), &err);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/parallel_filtered.parquet", out_dir);
    tn_parquet_write_options wo = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 3000, .page_bytes = 200};
    CHECK_OK(write_fixture(path, b, &wo, &err), &err);
    static const char *filters[] = {
        "h = 5 AND s >= 'value 1'",     /* narrowed: s and v decode the rows left */
        "h = 5 AND v > 30000",
        "h < 1 AND h >= 0",             /* the same column again, cut to the rows left */
        "h = 5 AND k > 100000",         /* nothing left after the second term */
        "h < 40 AND s >= 'value 5'",    /* 20% left: s decoded over every candidate */
        "h IN (1, 2, 3, 500) AND k < 15000",
        "k >= 5000 AND k < 5100",       /* page index: a few pages of one row group */
        "k > 100000 AND h < 5",         /* statistics skip every row group */
        "v >= 0 AND s = 'value 37'",    /* nulls in v; a dictionary string */
        "h = 77",
    };
    const char *cols[] = {"s", "k", "v", "h"};
    for (size_t f = 0; f < sizeof filters / sizeof *filters; f++) {
        for (int proj = 0; proj < 2; proj++) {
            tn_parquet_read_options so = {.limit = -1, .filter = filters[f], .serial = true, .batch_size = 700};
            if (proj) {
                so.columns = cols;
                so.n_columns = 3;
            }
            tn_parquet_read_options eo = so;
            eo.no_late_materialization = true;
            int ns, ne;
            tn_parquet_scan_stats ss, es;
            CHECK_OK(tarn_set_threads(1, &err), &err);
            tn_batch **q = read_counted(path, &so, &ns, &ss), **e = read_counted(path, &eo, &ne, &es);
            CHECK(q && e);
            char what[256];
            snprintf(what, sizeof what, "%s (projection %d), without late materialization", filters[f], proj);
            check_same_rows(q, ns, e, ne, q[0] ? q[0]->schema : s, what);
            CHECK_EQ_INT(ss.rows_filtered, es.rows_filtered);
            for (int threads = 1; threads <= 4; threads++) {
                CHECK_OK(tarn_set_threads(threads, &err), &err);
                tn_parquet_read_options po = so;
                po.serial = false;
                int np;
                tn_parquet_scan_stats ps;
                tn_batch **p = read_counted(path, &po, &np, &ps);
                CHECK(p != NULL);
                CHECK_EQ_INT(np, ns);
                for (int i = 0; p && q && i < np && i < ns; i++) {
                    CHECK_EQ_INT(p[i]->length, q[i]->length);
                    for (int32_t c = 0; c < p[i]->schema->n_fields; c++)
                        CHECK(tn_array_equals(p[i]->columns[c], q[i]->columns[c]));
                }
                CHECK_EQ_INT(ps.row_groups_read, ss.row_groups_read);
                CHECK_EQ_INT(ps.row_groups_by_stats, ss.row_groups_by_stats);
                CHECK_EQ_INT(ps.row_groups_by_bloom, ss.row_groups_by_bloom);
                CHECK_EQ_INT(ps.pages_read, ss.pages_read);
                CHECK_EQ_INT(ps.pages_by_index, ss.pages_by_index);
                CHECK_EQ_INT(ps.rows_filtered, ss.rows_filtered);
                CHECK_EQ_INT(ps.pages_late, ss.pages_late);
                CHECK_EQ_INT(ps.values_late, ss.values_late);
                CHECK_EQ_INT(ps.bytes_read, ss.bytes_read);
                free_batches(p, np);
            }
            free_batches(q, ns);
            free_batches(e, ne);
        }
    }
    /* the order of the terms: with h first, s is decoded for the rows
     * h = 5 keeps, a page in six at most; with s first, over every row */
    static const char *orders[2] = {"h = 5 AND s >= 'value 1'", "s >= 'value 1' AND h = 5"};
    tn_parquet_scan_stats ost[2];
    int64_t rows[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        tn_parquet_read_options so = {.limit = -1, .filter = orders[k], .serial = true};
        int n;
        tn_batch **q = read_counted(path, &so, &n, &ost[k]);
        for (int i = 0; q && i < n; i++)
            rows[k] += q[i]->length;
        free_batches(q, n);
    }
    CHECK_EQ_INT(rows[0], rows[1]);
    CHECK(rows[0] > 20);
    CHECK_EQ_INT(ost[0].rows_filtered, ost[1].rows_filtered);
    CHECK(ost[0].pages_read + 400 < ost[1].pages_read);
    /* freed while filtered row groups are read ahead */
    tn_parquet_read_options po = {.limit = -1, .filter = filters[0], .batch_size = 1};
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, &po, &r, &err), &err);
    tn_batch *x = NULL;
    CHECK_OK(tn_reader_next(r, &x, &err), &err);
    CHECK(x != NULL);
    tn_batch_unref(x);
    tn_reader_free(r);
    CHECK_OK(tarn_set_threads(0, &err), &err);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

static int write_and_read(void *ctx, tarn_error *err)
{
    tn_batch *b = ctx;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/arrow_alloc.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 5};
    TN_TRY(write_fixture(path, b, &o, err));
    tn_reader *r;
    TN_TRY(tn_parquet_open_file(path, NULL, &r, err));
    int rc = 0;
    for (;;) {
        tn_batch *x = NULL;
        if ((rc = tn_reader_next(r, &x, err)) || !x)
            break;
        tn_batch_unref(x);
    }
    tn_reader_free(r);
    return rc;
}

TEST(alloc_failures)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 9, &b, &err), &err);
    CHECK(tn_test_alloc_failures("arrow types through parquet", write_and_read, b) > 50);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

int main(void)
{
    const char *build = getenv("TARN_BUILD_DIR");
    snprintf(out_dir, sizeof out_dir, "%s/parquet_written", build ? build : "build");
    mkdir(out_dir, 0777);
    RUN(arrow_types_round_trip);
    RUN(without_arrow_schema);
    RUN(projection_keeps_arrow_types);
    RUN(page_index_pruning);
    RUN(late_materialization);
    RUN(late_materialization_counts);
    RUN(parallel_decode);
    RUN(parallel_filtered);
    RUN(alloc_failures);
    return tn_test_done();
}
