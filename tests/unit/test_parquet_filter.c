/*
 * test_parquet_filter.c — the Parquet reader's where filter (parser,
 * errors with positions, rows kept on a parquet-testing file with
 * statistics) and tarn_parquet_describe, both under allocation-failure
 * injection. The CLI tests (tests/cli/parquet_where.sh, parquet_meta.sh)
 * cover pruning counts, NULL semantics and DuckDB agreement.
 */
#include <limits.h>
#include <string.h>

#include "formats/parquet/filter.h"
#include "formats/parquet/parquet.h"
#include "tarn/parquet.h"
#include "tn_test.h"

static char data_dir[PATH_MAX];

TEST(parse)
{
    tarn_error err;
    tarn_error_init(&err);
    pq_filter *f = NULL;
    CHECK_OK(tn_pq_filter_parse(" a.b >= -1.5e2 and \"odd name\"<>'it''s' AND c<=7 ", &f, &err), &err);
    CHECK_EQ_INT(f->n, 3);
    CHECK_STR(f->terms[0].column, "a.b");
    CHECK_EQ_INT(f->terms[0].op, TN_CMP_GE);
    CHECK_EQ_INT(f->terms[0].lit_kind, PQF_NUMBER);
    CHECK_STR(f->terms[0].lit, "-1.5e2");
    CHECK_STR(f->terms[1].column, "odd name");
    CHECK_EQ_INT(f->terms[1].op, TN_CMP_NE);
    CHECK_EQ_INT(f->terms[1].lit_kind, PQF_STRING);
    CHECK_STR(f->terms[1].lit, "it's");
    CHECK_EQ_INT(f->terms[2].op, TN_CMP_LE);
    CHECK_EQ_INT(f->terms[2].col_pos, 44);
    tn_pq_filter_free(f);
}

TEST(parse_errors)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "expected a column name at position 1 (end of the filter)"},
        {"a", "expected a comparison operator (= != < <= > >=) at position 2"},
        {"a = ", "expected a number or a 'quoted string' at position 5"},
        {"a = 1 b = 2", "expected AND or the end of the filter at position 7 (near 'b = 2')"},
        {"a = 1 or b = 2", "OR is not supported (only AND) at position 7"},
        {"a = 'x", "unterminated string literal at position 7"},
        {"a = 12abc", "expected a number or a 'quoted string' at position 5"},
        {"a. = 1", "expected a column name at position 3"},
        {"\"a = 1", "unterminated quoted column name"},
        {"a = null", "NULL is not a literal here"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tarn_error err;
        tarn_error_init(&err);
        pq_filter *f = (pq_filter *)1;
        CHECK_EQ_INT(tn_pq_filter_parse(cases[i].text, &f, &err), TARN_EPARSE);
        CHECK(f == NULL);
        CHECK_MSG(&err, cases[i].msg);
    }
}

static int count_rows(const char *file, const char *filter, int64_t *rows, tarn_error *err)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    tn_parquet_read_options o = {.limit = -1, .filter = filter};
    tn_reader *r;
    TN_TRY(tn_parquet_open_file(path, &o, &r, err));
    int rc;
    *rows = 0;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, err)) || !b)
            break;
        *rows += b->length;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    return rc;
}

TEST(rows)
{
    /* the 14 strings of data_index_bloom_encoding_stats.parquet */
    static const struct {
        const char *filter;
        int64_t rows;
    } cases[] = {
        {"String = 'Hello'", 1}, {"String >= 'a'", 11}, {"String < 'Hello'", 0},
        {"String > 'today'", 0}, {"String != 'today' AND String != 'Hello'", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tarn_error err;
        tarn_error_init(&err);
        int64_t rows = -1;
        CHECK_OK(count_rows("data_index_bloom_encoding_stats.parquet", cases[i].filter, &rows, &err), &err);
        if (rows != cases[i].rows)
            fprintf(stderr, "  %s: %lld rows\n", cases[i].filter, (long long)rows);
        CHECK_EQ_INT(rows, cases[i].rows);
    }
    tarn_error err;
    tarn_error_init(&err);
    int64_t rows;
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "bool_col = 1", &rows, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "column \"bool_col\" of type bool cannot be compared (position 1)");
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "tinyint_col = 3000000000", &rows, &err), TARN_ETYPE);
    CHECK_MSG(&err, "3000000000 is not a value of column \"tinyint_col\" (int32)");
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "id >= 6 AND int_col = 0", &rows, &err), TARN_OK);
    CHECK_EQ_INT(rows, 1);
    /* INT96 timestamps (timestamp[us]) against ISO times */
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "timestamp_col >= '2009-03-01 00:00:00'", &rows, &err), TARN_OK);
    CHECK_EQ_INT(rows, 4);
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "timestamp_col = '2009-01-01T00:01:00.000000'", &rows, &err),
                 TARN_OK);
    CHECK_EQ_INT(rows, 1);
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "timestamp_col < '2009-02-01'", &rows, &err), TARN_OK);
    CHECK_EQ_INT(rows, 2);
    CHECK_EQ_INT(count_rows("alltypes_plain.parquet", "timestamp_col < '2009-02-01 00:00:00.0000001'", &rows, &err),
                 TARN_ETYPE);
    CHECK_MSG(&err, "is not a timestamp (YYYY-MM-DD HH:MM:SS[.fraction]) for column \"timestamp_col\" at position 17");
}

/* Errors in terms parsed by the caller name the term by its number. */
TEST(term_errors)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/alltypes_plain.parquet", data_dir);
    static const struct {
        tn_parquet_term t[2];
        int rc;
        const char *msg;
    } cases[] = {
        {{{.column = "id", .op = TN_CMP_GE, .literal = "1", .literal_len = 1},
          {.column = "nope", .op = TN_CMP_EQ, .literal = "1", .literal_len = 1}},
         TARN_ENOTFOUND, "no column named \"nope\" (term 2)"},
        {{{.column = "bool_col", .op = TN_CMP_EQ, .literal = "1", .literal_len = 1},
          {.column = "id", .op = TN_CMP_EQ, .literal = "1", .literal_len = 1}},
         TARN_EUNSUPPORTED, "column \"bool_col\" of type bool cannot be compared (term 1)"},
        {{{.column = "id", .op = TN_CMP_GE, .literal = "1", .literal_len = 1},
          {.column = "tinyint_col", .op = TN_CMP_LT, .literal = "3000000000", .literal_len = 10}},
         TARN_ETYPE, "3000000000 is not a value of column \"tinyint_col\" (int32) in term 2"},
        {{{.column = "id", .op = TN_CMP_GE, .is_string = true, .literal = "x", .literal_len = 1},
          {.column = "id", .op = TN_CMP_EQ, .literal = "1", .literal_len = 1}},
         TARN_ETYPE, "column \"id\" is int32, compared with a string in term 1; expected a number"},
        {{{.column = "timestamp_col", .op = TN_CMP_GE, .is_string = true, .literal = "x", .literal_len = 1},
          {.column = "id", .op = TN_CMP_EQ, .literal = "1", .literal_len = 1}},
         TARN_ETYPE, "for column \"timestamp_col\" in term 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tn_parquet_read_options o = {.limit = -1, .terms = cases[i].t, .n_terms = 2};
        tarn_error err;
        tarn_error_init(&err);
        tn_reader *r = NULL;
        CHECK_EQ_INT(tn_parquet_open_file(path, &o, &r, &err), cases[i].rc);
        CHECK(r == NULL);
        CHECK_MSG(&err, cases[i].msg);
        CHECK(strstr(err.message, "position") == NULL);
    }
}

/* No output columns: the batches still count the matching rows. */
TEST(no_columns)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/data_index_bloom_encoding_stats.parquet", data_dir);
    const char *none[1] = {NULL};
    tn_parquet_read_options o = {.limit = -1, .filter = "String >= 'a'", .columns = none, .n_columns = 0};
    tarn_error err;
    tarn_error_init(&err);
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, &o, &r, &err), &err);
    int64_t rows = 0;
    tn_batch *b;
    while (tn_reader_next(r, &b, &err) == 0 && b) {
        rows += b->length;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(rows, 11);
}

/* Every batch of path read with filter, with or without late
 * materialization; NULL (and a message) when the read fails. */
static tn_batch **read_all(const char *path, const char *filter, bool late, int *n, tn_parquet_scan_stats *st)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_parquet_read_options o = {.limit = -1, .filter = filter, .no_late_materialization = !late, .batch_size = 7};
    tn_reader *r;
    *n = 0;
    if (tn_parquet_open_file(path, &o, &r, &err) != 0) {
        fprintf(stderr, "  %s: %s: %s\n", path, filter, err.message);
        return NULL;
    }
    tn_batch **out = calloc(1 << 16, sizeof *out);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "  %s: %s: %s\n", path, filter, err.message);
            for (int i = 0; i < *n; i++)
                tn_batch_unref(out[i]);
            free(out);
            out = NULL;
            break;
        }
        if (!b || *n == 1 << 16)
            break;
        if (tn_batch_check(b, &err) != 0)
            fprintf(stderr, "  %s: %s: %s\n", path, filter, err.message);
        out[(*n)++] = b;
    }
    tn_parquet_reader_scan_stats(r, st);
    tn_reader_free(r);
    return out;
}

/* Whether two reads hold the same rows, in order, across their batches. */
static bool same_rows(tn_batch **a, int na, tn_batch **b, int nb)
{
    int64_t ra = 0, rb = 0;
    for (int i = 0; i < na; i++)
        ra += a[i]->length;
    for (int i = 0; i < nb; i++)
        rb += b[i]->length;
    if (ra != rb) {
        fprintf(stderr, "  %lld rows against %lld\n", (long long)ra, (long long)rb);
        return false;
    }
    for (int i = 0, j = 0, x = 0, y = 0; i < na && j < nb;) {
        if (a[i]->length == 0) {
            i++;
            continue;
        }
        if (b[j]->length == 0) {
            j++;
            continue;
        }
        for (int32_t c = 0; c < a[i]->schema->n_fields; c++)
            if (!tn_array_element_equals(a[i]->columns[c], x, b[j]->columns[c], y)) {
                fprintf(stderr, "  column %s differs\n", a[i]->schema->fields[c].name);
                return false;
            }
        if (++x == a[i]->length) {
            i++;
            x = 0;
        }
        if (++y == b[j]->length) {
            j++;
            y = 0;
        }
    }
    return true;
}

static void free_batches(tn_batch **b, int n)
{
    for (int i = 0; b && i < n; i++)
        tn_batch_unref(b[i]);
    free(b);
}

/* Late materialization (the filter's columns first, the others only for
 * the matching rows) gives exactly the rows of a read that decodes every
 * column and filters afterwards: files with and without a page index,
 * PLAIN, dictionary, DELTA_*, BYTE_STREAM_SPLIT values, v1 and v2 pages,
 * nulls, structs (decoded leaf by leaf) and lists (decoded whole). */
TEST(late_materialization)
{
    static const struct {
        const char *file, *filter;
    } cases[] = {
        {"alltypes_plain.parquet", "id >= 2 AND id != 5"},
        {"alltypes_plain.parquet", "int_col = 0"},
        {"alltypes_dictionary.parquet", "id > 0"},
        {"alltypes_tiny_pages_plain.parquet", "tinyint_col > 7"},
        {"alltypes_tiny_pages_plain.parquet", "id >= 1000 AND id < 1010"},
        {"alltypes_tiny_pages_plain.parquet", "int_col = 3 AND id < 5000"},
        {"alltypes_tiny_pages.parquet", "smallint_col = 2 AND bigint_col >= 10"},
        {"alltypes_tiny_pages.parquet", "id = 7000"},
        {"byte_stream_split.zstd.parquet", "f32 < 0"},
        {"delta_binary_packed.parquet", "bitwidth3 > 4"},
        {"delta_byte_array.parquet", "c_salutation = 'Mr.'"},
        {"delta_encoding_optional_column.parquet", "c_birth_month = 5"},
        {"delta_encoding_required_column.parquet", "\"c_birth_month:\" <= 2"},
        {"datapage_v2.snappy.parquet", "b > 2"},
        {"nullable.impala.parquet", "id > 2"},
        {"nested_structs.rust.parquet", "roll_num.min > 0"},
        {"nulls.snappy.parquet", "b_struct.b_c_int > 0"},
        {"int32_with_null_pages.parquet", "int32_field > 0"},
        {"data_index_bloom_encoding_stats.parquet", "String > 'H'"},
        {"plain-dict-uncompressed-checksum.parquet", "long_field > 0"},
    };
    int64_t late_values = 0, filtered = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, cases[i].file);
        tn_parquet_scan_stats sl, se;
        int nl, ne;
        tn_batch **l = read_all(path, cases[i].filter, true, &nl, &sl);
        tn_batch **e = read_all(path, cases[i].filter, false, &ne, &se);
        CHECK(l != NULL);
        CHECK(e != NULL);
        if (l && e && !same_rows(l, nl, e, ne)) {
            fprintf(stderr, "  %s: %s\n", cases[i].file, cases[i].filter);
            CHECK(false);
        }
        CHECK_EQ_INT(sl.rows_filtered, se.rows_filtered);
        CHECK_EQ_INT(se.values_late, 0);
        CHECK_EQ_INT(se.pages_late, 0);
        late_values += sl.values_late;
        filtered += sl.rows_filtered;
        free_batches(l, nl);
        free_batches(e, ne);
    }
    CHECK(filtered > 1000);
    CHECK(late_values > 10000);
}

static int parse_one(void *ctx, tarn_error *err)
{
    pq_filter *f;
    TN_TRY(tn_pq_filter_parse((const char *)ctx, &f, err));
    tn_pq_filter_free(f);
    return 0;
}

static int filtered(void *ctx, tarn_error *err)
{
    int64_t rows;
    return count_rows("data_index_bloom_encoding_stats.parquet", (const char *)ctx, &rows, err);
}

static int describe(void *ctx, tarn_error *err)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", data_dir, (const char *)ctx);
    FILE *f = fopen("/dev/null", "w");
    int rc = tarn_parquet_describe(path, f, TARN_PARQUET_META, err);
    if (!rc)
        rc = tarn_parquet_describe(path, f, TARN_PARQUET_STATS, err);
    fclose(f);
    return rc;
}

TEST(alloc_failures)
{
    CHECK(tn_test_alloc_failures("parse", parse_one, "a >= 1 AND b.c = 'x' AND d < 2 AND e > 3 AND f != 4") >= 3);
    CHECK(tn_test_alloc_failures("filter", filtered, "String != 'today' AND String >= 'a'") > 10);
    CHECK(tn_test_alloc_failures("describe", describe, "data_index_bloom_encoding_stats.parquet") > 5);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR");
    snprintf(data_dir, sizeof data_dir, "%s/../shared/parquet-testing/data", src ? src : ".");
    RUN(parse);
    RUN(parse_errors);
    RUN(rows);
    RUN(no_columns);
    RUN(term_errors);
    RUN(late_materialization);
    RUN(alloc_failures);
    return tn_test_done();
}
