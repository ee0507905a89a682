/*
 * test_parquet_write.c — the Parquet writer: every parquet-testing file
 * tarn reads is written back (cycling through the codecs, small row groups
 * and pages so files have many of each) and read again with the same
 * values; batches built in the test (nested lists, maps, structs, nulls);
 * atomic writes (no file and no temporary left on failure); unsupported
 * types; allocation-failure injection. DuckDB reading tarn's files is in
 * test_parquet_duckdb.c.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/builder.h"
#include "arrow/compute/compute.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "parquet_render.h"
#include "tn_test.h"

static char data_dir[PATH_MAX], out_dir[PATH_MAX];

static int render_file(const char *path, char **text, int64_t *rows, tarn_error *err)
{
    tn_reader *r;
    *text = NULL;
    *rows = 0;
    TN_TRY(tn_parquet_open_file(path, NULL, &r, err));
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    int rc;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, err)) || !b)
            break;
        rj_batch(f, b);
        *rows += b->length;
        tn_batch_unref(b);
    }
    fclose(f);
    tn_reader_free(r);
    return rc;
}

static int rewrite(const char *in, const char *out, const tn_parquet_write_options *o, tarn_error *err)
{
    tn_reader *r;
    TN_TRY(tn_parquet_open_file(in, NULL, &r, err));
    int rc = tn_parquet_write_file(out, r, o, err);
    tn_reader_free(r);
    return rc;
}

TEST(round_trip_data_files)
{
    static const int codecs[] = {PQ_UNCOMPRESSED, PQ_SNAPPY, PQ_GZIP, PQ_BROTLI, PQ_ZSTD, PQ_LZ4_RAW, PQ_LZ4};
    static const int encodings[] = {0, PQ_DELTA_BINARY_PACKED, PQ_DELTA_LENGTH_BYTE_ARRAY, PQ_DELTA_BYTE_ARRAY,
                                    PQ_BYTE_STREAM_SPLIT};
    DIR *d = opendir(data_dir);
    CHECK(d != NULL);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 9 || strcmp(e->d_name + l - 8, ".parquet") != 0)
            continue;
        if (strcmp(e->d_name, "large_string_map.brotli.parquet") == 0) /* 2 GiB of strings: test_parquet */
            continue;
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", data_dir, e->d_name);
        snprintf(out, sizeof out, "%s/%s", out_dir, e->d_name);
        /* Dictionary encoding on two files in three, with a small limit on
         * some so that chunks fall back to PLAIN. */
        tn_parquet_write_options o = {.codec = codecs[n % 7], .row_group_rows = 700 + n, .page_bytes = 1000,
                                      .dictionary = n % 3 != 0, .dictionary_bytes = n % 3 == 2 ? 200 : 0,
                                      .page_version = n % 2 ? 2 : 1, .encoding = encodings[n % 5]};
        tarn_error err;
        tarn_error_init(&err);
        char *want = NULL, *got = NULL;
        int64_t wrows = 0, grows = -1;
        CHECK_OK(render_file(in, &want, &wrows, &err), &err);
        CHECK_OK(rewrite(in, out, &o, &err), &err);
        CHECK_OK(render_file(out, &got, &grows, &err), &err);
        CHECK_EQ_INT(grows, wrows);
        if (!want || !got || strcmp(want, got) != 0) {
            fprintf(stderr, "  %s: values differ after the round trip\n", e->d_name);
            tn_test_failures++;
        }
        free(want);
        free(got);
        n++;
    }
    if (d)
        closedir(d);
    CHECK(n >= 60);
}

/* A batch with nested and null-heavy columns built in memory. */
static tn_batch *nested_batch(int64_t rows, tarn_error *err)
{
    tn_field *fs[3];
    fs[0] = tn_field_new("ll", tn_type_list(TN_LIST, tn_field_new("item", tn_type_list(TN_LIST,
                                            tn_field_new("item", tn_type_get(TN_INT64), true)), true)), true);
    tn_field *sf[2] = {tn_field_new("s", tn_type_get(TN_STRING), true), tn_field_new("d", tn_type_decimal(128, 30, 4), true)};
    fs[1] = tn_field_new("st", tn_type_struct(2, sf), true);
    fs[2] = tn_field_new("m", tn_type_map(tn_field_new("k", tn_type_get(TN_STRING), false),
                                          tn_field_new("v", tn_type_get(TN_BOOL), true), false), true);
    tn_schema *s = tn_schema_new(3);
    if (!s)
        return NULL;
    for (int i = 0; i < 3; i++) {
        s->fields[i] = *fs[i];
        tn_free(fs[i]);
    }
    tn_batch *b = tn_batch_new(s, rows);
    for (int c = 0; c < 3; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int64_t r = 0; r < rows; r++) {
            int rc = 0;
            if (r % 7 == 3) {
                rc = tn_builder_append_null(bl, err);
            } else if (c == 0) {
                tn_builder *inner = tn_builder_child(bl, 0), *vals = tn_builder_child(inner, 0);
                for (int64_t k = 0; k < r % 4; k++) {
                    if (k == 2) {
                        rc |= tn_builder_append_null(inner, err);
                        continue;
                    }
                    for (int64_t x = 0; x < (r + k) % 3; x++)
                        rc |= (x == 1 && r % 2) ? tn_builder_append_null(vals, err)
                                                : tn_builder_append_int(vals, r * 100 + k * 10 + x, err);
                    rc |= tn_builder_append_list(inner, err);
                }
                rc |= tn_builder_append_list(bl, err);
            } else if (c == 1) {
                char txt[32];
                snprintf(txt, sizeof txt, "row %lld", (long long)r);
                rc |= r % 5 == 1 ? tn_builder_append_null(tn_builder_child(bl, 0), err)
                                 : tn_builder_append_str(tn_builder_child(bl, 0), txt, err);
                rc |= tn_builder_append_int(tn_builder_child(bl, 1), (r - 40) * 123456789, err);
                rc |= tn_builder_append_struct(bl, err);
            } else {
                tn_builder *ent = tn_builder_child(bl, 0);
                for (int64_t k = 0; k < r % 3; k++) {
                    char key[16];
                    snprintf(key, sizeof key, "k%lld", (long long)k);
                    rc |= tn_builder_append_str(tn_builder_child(ent, 0), key, err);
                    rc |= k == 1 ? tn_builder_append_null(tn_builder_child(ent, 1), err)
                                 : tn_builder_append_bool(tn_builder_child(ent, 1), r % 2, err);
                    rc |= tn_builder_append_struct(ent, err);
                }
                rc |= tn_builder_append_list(bl, err);
            }
            if (rc)
                fprintf(stderr, "builder: %s\n", err->message);
        }
        tn_array *a = NULL;
        if (tn_builder_finish(bl, &a, err) != 0)
            fprintf(stderr, "finish: %s\n", err->message);
        tn_builder_free(bl);
        b->columns[c] = a;
    }
    tn_schema_unref(s);
    return b;
}

TEST(round_trip_nested)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_batch *b = nested_batch(300, &err);
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK_OK(tn_batch_check(b, &err), &err);
    char *want = NULL;
    size_t wl = 0;
    FILE *f = open_memstream(&want, &wl);
    rj_batch(f, b);
    fclose(f);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/nested_written.parquet", out_dir);
    tn_reader *in = tn_reader_from_batches(b->schema, &b, 1);
    tn_parquet_write_options o = {.codec = PQ_ZSTD, .row_group_rows = 64, .page_bytes = 100, .dictionary = true,
                                  .page_version = 2};
    CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
    tn_reader_free(in);
    char *got;
    int64_t rows;
    CHECK_OK(render_file(path, &got, &rows, &err), &err);
    CHECK_EQ_INT(rows, 300);
    CHECK(got && strcmp(want, got) == 0);
    /* The schema comes back with the same types, item names too (ARROW:schema). */
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    if (r) {
        tn_buf s1, s2;
        tn_buf_init(&s1, 0);
        tn_buf_init(&s2, 0);
        CHECK_OK(tn_schema_format(r->schema, &s1, &err), &err);
        CHECK_OK(tn_schema_format(b->schema, &s2, &err), &err);
        CHECK_STR((char *)s1.data, "ll: list<item: list<item: int64>>\n"
                                   "st: struct<s: utf8, d: decimal128(30, 4)>\n"
                                   "m: map<utf8, bool>\n");
        tn_buf_reset(&s1);
        tn_buf_reset(&s2);
        tn_reader_free(r);
    }
    free(want);
    free(got);
    tn_batch_unref(b);
}

static int count_temps(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

typedef struct fail_reader {
    tn_reader base;
    tn_batch *b;
    int calls;
} fail_reader;

static int fail_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    fail_reader *r = (fail_reader *)base;
    *out = NULL;
    if (r->calls++ < 3) {
        *out = tn_batch_ref(r->b);
        return 0;
    }
    return tn_error_set(err, TARN_EIO, "source failed");
}

static void fail_destroy(tn_reader *base) { (void)base; }

TEST(atomic_write)
{
    tarn_error err;
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/atomic.parquet", out_dir);
    unlink(path);
    tn_batch *b = nested_batch(50, &err);
    fail_reader fr = {.base = {.schema = tn_schema_ref(b->schema), .next = fail_next, .destroy = fail_destroy}, .b = b};
    tn_parquet_write_options o = {.row_group_rows = 60};
    CHECK_EQ_INT(tn_parquet_write_file(path, &fr.base, &o, &err), TARN_EIO);
    CHECK_MSG(&err, "source failed");
    struct stat st;
    CHECK(stat(path, &st) != 0);
    CHECK_EQ_INT(count_temps(out_dir, ".atomic.parquet.tmp"), 0);
    tn_schema_unref(fr.base.schema);
    /* A directory that does not exist. */
    tn_reader *in = tn_reader_from_batches(b->schema, &b, 1);
    CHECK_EQ_INT(tn_parquet_write_file("/nonexistent/dir/x.parquet", in, NULL, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "/nonexistent/dir/x.parquet");
    tn_reader_free(in);
    tn_batch_unref(b);
}

TEST(unsupported_type)
{
    tarn_error err;
    tn_schema *s = tn_schema_new(1);
    CHECK_OK(tn_field_init(&s->fields[0], "iv", tn_type_get(TN_INTERVAL_MONTHS), true, &err), &err);
    tn_reader *in = tn_reader_from_batches(s, NULL, 0);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/unsupported.parquet", out_dir);
    CHECK_EQ_INT(tn_parquet_write_file(path, in, NULL, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "column \"iv\" of type");
    CHECK_EQ_INT(count_temps(out_dir, ".unsupported.parquet") + count_temps(out_dir, "unsupported.parquet"), 0);
    tn_reader_free(in);
    tn_schema_unref(s);
}

/* The footer of a file, decoded. */
static int slurp(const char *path, uint8_t **data, size_t *n);

static pq_file_meta *footer_of(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, -8, SEEK_END);
    uint8_t tail[8];
    pq_file_meta *m = NULL;
    if (fread(tail, 1, 8, f) == 8) {
        uint32_t len;
        memcpy(&len, tail, 4);
        uint8_t *footer = tn_malloc(len + 1);
        fseek(f, -8 - (long)len, SEEK_END);
        tarn_error err;
        if (footer && fread(footer, 1, len, f) == len) {
            if (tn_pq_meta_decode(footer, len, &m, &err) != 0)
                m = NULL;
        } else {
            tn_free(footer);
        }
    }
    fclose(f);
    return m;
}

static const pq_stats *stats_of(const pq_file_meta *m, int col)
{
    const pq_column_chunk *c = &m->row_groups[0].columns[col];
    return c->meta.has_stats ? &c->meta.stats : NULL;
}

TEST(statistics)
{
    tarn_error err;
    tn_field *fs[5] = {
        tn_field_new("i", tn_type_get(TN_INT32), true),
        tn_field_new("u", tn_type_get(TN_UINT32), true),
        tn_field_new("d", tn_type_get(TN_FLOAT64), true),
        tn_field_new("s", tn_type_get(TN_STRING), true),
        tn_field_new("dec", tn_type_decimal(128, 25, 2), true),
    };
    tn_schema *s = tn_schema_new(5);
    for (int i = 0; i < 5; i++) {
        s->fields[i] = *fs[i];
        tn_free(fs[i]);
    }
    tn_batch *b = tn_batch_new(s, 6);
    char longs[100];
    memset(longs, 'z', sizeof longs - 1);
    longs[99] = 0;
    for (int c = 0; c < 5; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int r = 0; r < 6; r++) {
            int rc;
            if (r == 2)
                rc = tn_builder_append_null(bl, &err);
            else if (c == 0)
                rc = tn_builder_append_int(bl, (r - 3) * 1000, &err);
            else if (c == 1)
                rc = tn_builder_append_uint(bl, r == 4 ? 4000000000u : (uint64_t)r, &err);
            else if (c == 2)
                rc = tn_builder_append_double(bl, r == 0 ? NAN : r == 1 ? -0.0 : r == 3 ? 0.0 : r, &err);
            else if (c == 3)
                rc = tn_builder_append_str(bl, r == 5 ? longs : r == 0 ? "abc" : "abd", &err);
            else
                rc = tn_builder_append_int(bl, (r - 4) * 100000, &err);
            CHECK_OK(rc, &err);
        }
        CHECK_OK(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/stats.parquet", out_dir);
    tn_reader *in = tn_reader_from_batches(s, &b, 1);
    CHECK_OK(tn_parquet_write_file(path, in, NULL, &err), &err);
    tn_reader_free(in);
    pq_file_meta *m = footer_of(path);
    CHECK(m != NULL);
    if (m) {
        int32_t i32;
        const pq_stats *st = stats_of(m, 0);
        CHECK(st && st->null_count == 1 && st->min.n == 4 && st->max.n == 4);
        memcpy(&i32, st->min.p, 4);
        CHECK_EQ_INT(i32, -3000);
        memcpy(&i32, st->max.p, 4);
        CHECK_EQ_INT(i32, 2000);
        st = stats_of(m, 1); /* unsigned order */
        uint32_t u32;
        memcpy(&u32, st->max.p, 4);
        CHECK(u32 == 4000000000u);
        memcpy(&u32, st->min.p, 4);
        CHECK_EQ_INT(u32, 0);
        st = stats_of(m, 2); /* NaN left out; -0.0 as the minimum of zeros */
        double dv;
        memcpy(&dv, st->max.p, 8);
        CHECK(dv == 5.0);
        memcpy(&dv, st->min.p, 8);
        CHECK(dv == 0.0 && signbit(dv));
        st = stats_of(m, 3); /* the 99-byte max is truncated to 64 bytes and bumped */
        CHECK(st->min.n == 3 && memcmp(st->min.p, "abc", 3) == 0);
        CHECK(st->max.n == 64 && memcmp(st->max.p, longs, 63) == 0 && st->max.p[63] == 'z' + 1);
        st = stats_of(m, 4); /* decimal: signed big-endian */
        CHECK(st->min.n == 11 && st->min.p[0] == 0xff && st->max.p[0] == 0);
        tn_pq_meta_free(m);
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
}

TEST(dictionary_encoding)
{
    /* 20000 rows of 8 distinct strings: dictionary pages, a much smaller file,
     * the same values; with a tiny limit the chunk falls back to PLAIN. */
    tarn_error err;
    tn_schema *s = tn_schema_new(1);
    CHECK_OK(tn_field_init(&s->fields[0], "s", tn_type_get(TN_STRING), true, &err), &err);
    tn_builder *bl = tn_builder_new(s->fields[0].type);
    for (int r = 0; r < 20000; r++) {
        char txt[64];
        snprintf(txt, sizeof txt, "a fairly long repeated value number %d", r % 8);
        CHECK_OK(r % 11 == 0 ? tn_builder_append_null(bl, &err) : tn_builder_append_str(bl, txt, &err), &err);
    }
    tn_batch *b = tn_batch_new(s, 20000);
    CHECK_OK(tn_builder_finish(bl, &b->columns[0], &err), &err);
    tn_builder_free(bl);
    char want_text[1 << 10];
    snprintf(want_text, sizeof want_text, "{\"s\":\"a fairly long repeated value number %d\"}", 19999 % 8);
    int64_t sizes[2];
    for (int k = 0; k < 2; k++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/dict%d.parquet", out_dir, k);
        tn_reader *in = tn_reader_from_batches(s, &b, 1);
        tn_parquet_write_options o = {.dictionary = true, .dictionary_bytes = k ? 100 : 0, .page_bytes = 20000};
        CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
        tn_reader_free(in);
        struct stat st;
        CHECK(stat(path, &st) == 0);
        sizes[k] = st.st_size;
        char *got;
        int64_t rows;
        CHECK_OK(render_file(path, &got, &rows, &err), &err);
        CHECK_EQ_INT(rows, 20000);
        CHECK(got && strstr(got, want_text) != NULL && strncmp(got, "{\"s\":null}", 10) == 0);
        free(got);
        pq_file_meta *m = footer_of(path);
        CHECK(m != NULL);
        if (m) {
            const pq_column_meta *cm = &m->row_groups[0].columns[0].meta;
            CHECK(k ? cm->dictionary_page_offset < 0 : cm->dictionary_page_offset == 4);
            CHECK(k ? !(cm->encodings & (1u << PQ_RLE_DICTIONARY)) : (cm->encodings & (1u << PQ_RLE_DICTIONARY)) != 0);
            tn_pq_meta_free(m);
        }
    }
    CHECK(sizes[0] * 5 < sizes[1]);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* b written as batches of `step` rows (the whole batch when step is 0)
 * with the given options; the file's bytes in *data. */
static int write_batched(tn_batch *b, int64_t step, const tn_parquet_write_options *o, const char *path, uint8_t **data,
                         size_t *n, tarn_error *err)
{
    int64_t k = step > 0 ? (b->length + step - 1) / step : 1;
    tn_batch **parts = calloc((size_t)k, sizeof *parts);
    for (int64_t i = 0; i < k; i++) {
        int64_t at = i * step;
        parts[i] = step > 0 ? tn_batch_slice(b, at, at + step <= b->length ? step : b->length - at) : tn_batch_ref(b);
    }
    tn_reader *in = tn_reader_from_batches(b->schema, parts, (int32_t)k);
    int rc = tn_parquet_write_file(path, in, o, err);
    tn_reader_free(in);
    for (int64_t i = 0; i < k; i++)
        tn_batch_unref(parts[i]);
    free(parts);
    return rc ? rc : slurp(path, data, n);
}

/* Row groups close at the row where their rows' bytes reach row_group_bytes,
 * wherever the input batches end: the same rows in batches of 1, 1000,
 * 7777 or one make the same file. */
TEST(row_groups_by_bytes)
{
    tarn_error err;
    tn_schema *s = tn_schema_new(2);
    CHECK_OK(tn_field_init(&s->fields[0], "s", tn_type_get(TN_STRING), true, &err), &err);
    CHECK_OK(tn_field_init(&s->fields[1], "i", tn_type_get(TN_INT32), false, &err), &err);
    tn_builder *bs = tn_builder_new(s->fields[0].type), *bi = tn_builder_new(s->fields[1].type);
    /* Each row holds 4 + 4 + the string's bytes: a group closes at the first
     * row that takes the sum to the limit. */
    const int64_t limit = 50000, rows = 20000;
    int64_t want_groups = 0, sum = 0;
    for (int64_t r = 0; r < rows; r++) {
        char txt[64];
        int len = snprintf(txt, sizeof txt, "value %lld %.*s", (long long)r, (int)(r % 23), "abcdefghijklmnopqrstuvwxyz");
        bool null = r % 13 == 0;
        CHECK_OK(null ? tn_builder_append_null(bs, &err) : tn_builder_append_str(bs, txt, &err), &err);
        CHECK_OK(tn_builder_append_int(bi, r, &err), &err);
        sum += 8 + (null ? 0 : len);
        if (sum >= limit || r == rows - 1) {
            want_groups++;
            sum = 0;
        }
    }
    tn_batch *b = tn_batch_new(s, rows);
    CHECK_OK(tn_builder_finish(bs, &b->columns[0], &err), &err);
    CHECK_OK(tn_builder_finish(bi, &b->columns[1], &err), &err);
    tn_builder_free(bs);
    tn_builder_free(bi);
    CHECK(want_groups > 5);
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/rg_bytes.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_bytes = limit};
    static const int64_t steps[] = {0, 1000, 7777, 1};
    uint8_t *first = NULL;
    size_t first_n = 0;
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        uint8_t *data = NULL;
        size_t n = 0;
        CHECK_OK(write_batched(b, steps[k], &o, path, &data, &n, &err), &err);
        if (k == 0) {
            pq_file_meta *m = footer_of(path);
            CHECK(m && m->n_row_groups == want_groups && m->num_rows == rows);
            tn_pq_meta_free(m);
            first = data;
            first_n = n;
            continue;
        }
        CHECK(n == first_n && memcmp(data, first, n) == 0);
        free(data);
    }
    free(first);
    tn_batch_unref(b);
    /* Nested columns (lists of lists, a struct, a map) count their children's rows. */
    b = nested_batch(3000, &err);
    CHECK(b != NULL);
    o.row_group_bytes = 20000;
    static const int64_t nsteps[] = {0, 1, 333};
    first = NULL;
    for (size_t k = 0; k < sizeof nsteps / sizeof *nsteps; k++) {
        uint8_t *data = NULL;
        size_t n = 0;
        CHECK_OK(write_batched(b, nsteps[k], &o, path, &data, &n, &err), &err);
        if (k == 0) {
            pq_file_meta *m = footer_of(path);
            CHECK(m && m->n_row_groups > 3 && m->num_rows == 3000);
            tn_pq_meta_free(m);
            first = data;
            first_n = n;
            continue;
        }
        CHECK(n == first_n && memcmp(data, first, n) == 0);
        free(data);
    }
    free(first);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* Each encoding on values that stress it: int32/int64 extremes (deltas
 * that wrap), strings sharing prefixes, floats; read back equal. */
TEST(value_encodings)
{
    tarn_error err;
    tn_field *fs[4] = {tn_field_new("i32", tn_type_get(TN_INT32), true), tn_field_new("i64", tn_type_get(TN_INT64), false),
                       tn_field_new("s", tn_type_get(TN_STRING), true), tn_field_new("f", tn_type_get(TN_FLOAT64), true)};
    tn_schema *s = tn_schema_new(4);
    for (int i = 0; i < 4; i++) {
        s->fields[i] = *fs[i];
        tn_free(fs[i]);
    }
    int64_t rows = 1000;
    tn_batch *b = tn_batch_new(s, rows);
    for (int c = 0; c < 4; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int64_t r = 0; r < rows; r++) {
            int rc;
            char txt[64];
            if (c != 1 && r % 13 == 5)
                rc = tn_builder_append_null(bl, &err);
            else if (c == 0)
                rc = tn_builder_append_int(bl, r % 3 == 0 ? INT32_MIN : r % 3 == 1 ? INT32_MAX : (int32_t)(r * 7919), &err);
            else if (c == 1)
                rc = tn_builder_append_int(bl, r % 2 ? INT64_MIN + r : INT64_MAX - r * r, &err);
            else if (c == 2) {
                snprintf(txt, sizeof txt, "prefix/%03lld/%s", (long long)(r / 10), r % 4 ? "tail" : "");
                rc = tn_builder_append_str(bl, txt, &err);
            } else
                rc = tn_builder_append_double(bl, r * 0.25 - 100, &err);
            CHECK_OK(rc, &err);
        }
        CHECK_OK(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    char *want = NULL;
    size_t wl = 0;
    FILE *f = open_memstream(&want, &wl);
    rj_batch(f, b);
    fclose(f);
    const int encs[] = {PQ_DELTA_BINARY_PACKED, PQ_DELTA_LENGTH_BYTE_ARRAY, PQ_DELTA_BYTE_ARRAY, PQ_BYTE_STREAM_SPLIT};
    for (int e = 0; e < 4; e++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/enc%d.parquet", out_dir, e);
        tn_reader *in = tn_reader_from_batches(s, &b, 1);
        tn_parquet_write_options o = {.encoding = encs[e], .page_bytes = 700, .page_version = 1 + e % 2};
        CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
        tn_reader_free(in);
        char *got;
        int64_t n;
        CHECK_OK(render_file(path, &got, &n, &err), &err);
        CHECK_EQ_INT(n, rows);
        CHECK(got && strcmp(got, want) == 0);
        free(got);
        pq_file_meta *m = footer_of(path);
        CHECK(m != NULL);
        if (m) { /* the encoding is recorded on the columns it applies to */
            int col = encs[e] == PQ_DELTA_BINARY_PACKED ? 0 : encs[e] == PQ_BYTE_STREAM_SPLIT ? 3 : 2;
            CHECK(m->row_groups[0].columns[col].meta.has_stats);
            CHECK(m->row_groups[0].columns[col].meta.encodings & (1u << encs[e]));
            CHECK(!(m->row_groups[0].columns[col == 3 ? 0 : 3].meta.encodings & (1u << encs[e])));
            tn_pq_meta_free(m);
        }
    }
    free(want);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* The whole file at path in *data (malloc'd); its size in *n. */
static int slurp(const char *path, uint8_t **data, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)len + 1);
    *n = fread(*data, 1, (size_t)len, f);
    fclose(f);
    return *n == (size_t)len ? 0 : -1;
}

/* Column chunks are encoded in parallel, a row group on the pool while the
 * next one is read: the bytes must not depend on the number of threads. */
TEST(deterministic_across_threads)
{
    static const char *files[] = {"alltypes_plain.parquet", "nested_maps.snappy.parquet", "nested_lists.snappy.parquet",
                                  "delta_byte_array.parquet", "data_index_bloom_encoding_stats.parquet",
                                  "lz4_raw_compressed_larger.parquet", "nulls.snappy.parquet"};
    static const int threads[] = {1, 2, 3, 8};
    tarn_error err;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", data_dir, files[f]);
        snprintf(out, sizeof out, "%s/threads.parquet", out_dir);
        uint8_t *first = NULL;
        size_t first_n = 0;
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            CHECK_OK(tarn_set_threads(threads[t], &err), &err);
            tn_parquet_write_options o = {.codec = PQ_SNAPPY, .row_group_rows = 97, .page_bytes = 700,
                                          .dictionary = true};
            CHECK_OK(rewrite(in, out, &o, &err), &err);
            uint8_t *bytes = NULL;
            size_t n = 0;
            CHECK(slurp(out, &bytes, &n) == 0);
            if (!first) {
                first = bytes;
                first_n = n;
                continue;
            }
            if (n != first_n || memcmp(bytes, first, n) != 0)
                fprintf(stderr, "  %s: %zu bytes with %d threads, %zu with 1\n", files[f], n, threads[t], first_n);
            CHECK(n == first_n && memcmp(bytes, first, n) == 0);
            free(bytes);
        }
        free(first);
    }
    CHECK_OK(tarn_set_threads(0, &err), &err);
}

/* The bits of row r of a column in exact_dictionaries: NaNs with payloads
 * and signs, both zeros, infinities, a denormal; integer extremes. */
static uint64_t exact_bits(int c, int64_t r)
{
    static const uint64_t f64[] = {0x7ff8000000000000u, 0x7ff8000000000123u, 0xfff8000000000000u, 0x8000000000000000u, 0,
                                   0x3ff8000000000000u, 0xfff0000000000000u, 0x7ff0000000000000u, 1};
    static const uint32_t f32[] = {0x7fc00000u, 0x7fc00abcu, 0xffc00000u, 0x80000000u, 0,
                                   0x3fc00000u, 0xff800000u, 0x7f800000u, 1};
    static const int32_t i32[] = {INT32_MIN, -1, 0, 1, INT32_MAX};
    static const uint64_t u64[] = {0, 1, UINT64_MAX, UINT64_C(1) << 63};
    switch (c) {
    case 0: return f64[r % 9];
    case 1: return f32[(r * 7) % 9];
    case 2: return (uint32_t)i32[r % 5];
    default: return u64[(r / 3) % 4];
    }
}

/* Fixed-width dictionaries compare values by their bits: every NaN, -0.0
 * and +0.0 keeps its own entry and comes back with its exact bits; the
 * statistics still order the values (NaN left out, unsigned order). */
TEST(exact_dictionaries)
{
    tarn_error err;
    tn_field *fs[4] = {tn_field_new("f64", tn_type_get(TN_FLOAT64), true), tn_field_new("f32", tn_type_get(TN_FLOAT32), true),
                       tn_field_new("i32", tn_type_get(TN_INT32), false), tn_field_new("u64", tn_type_get(TN_UINT64), true)};
    tn_schema *s = tn_schema_new(4);
    for (int i = 0; i < 4; i++) {
        s->fields[i] = *fs[i];
        tn_free(fs[i]);
    }
    int64_t rows = 5000;
    tn_batch *b = tn_batch_new(s, rows);
    for (int c = 0; c < 4; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int64_t r = 0; r < rows; r++) {
            uint64_t x = exact_bits(c, r);
            uint32_t x32 = (uint32_t)x;
            CHECK_OK(c != 2 && r % 11 == 3 ? tn_builder_append_null(bl, &err)
                                           : tn_builder_append_raw(bl, c == 1 || c == 2 ? (void *)&x32 : (void *)&x, &err),
                     &err);
        }
        CHECK_OK(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/exact.parquet", out_dir);
    tn_reader *in = tn_reader_from_batches(s, &b, 1);
    tn_parquet_write_options o = {.dictionary = true, .page_bytes = 4000};
    CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
    tn_reader_free(in);
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    int64_t at = 0, bad = 0;
    for (;;) {
        tn_batch *got;
        CHECK_OK(tn_reader_next(r, &got, &err), &err);
        if (!got)
            break;
        for (int c = 0; c < 4; c++) {
            const tn_array *a = got->columns[c];
            int w = c == 1 || c == 2 ? 4 : 8;
            for (int64_t i = 0; i < got->length; i++) {
                int64_t row = at + i;
                bool null = c != 2 && row % 11 == 3;
                uint64_t x = 0;
                if (tn_array_is_valid(a, i))
                    memcpy(&x, a->buffers[1]->data + (a->offset + i) * w, (size_t)w);
                bad += null ? tn_array_is_valid(a, i) : !tn_array_is_valid(a, i) || x != exact_bits(c, row);
            }
        }
        at += got->length;
        tn_batch_unref(got);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(at, rows);
    CHECK_EQ_INT(bad, 0);
    pq_file_meta *m = footer_of(path);
    CHECK(m != NULL);
    if (m) {
        for (int c = 0; c < 4; c++)
            CHECK((m->row_groups[0].columns[c].meta.encodings & (1u << PQ_RLE_DICTIONARY)) != 0);
        double dv;
        const pq_stats *st = stats_of(m, 0);
        memcpy(&dv, st->min.p, 8);
        CHECK(isinf(dv) && dv < 0);
        memcpy(&dv, st->max.p, 8);
        CHECK(isinf(dv) && dv > 0);
        int32_t i32;
        st = stats_of(m, 2);
        memcpy(&i32, st->min.p, 4);
        CHECK(i32 == INT32_MIN);
        memcpy(&i32, st->max.p, 4);
        CHECK(i32 == INT32_MAX);
        uint64_t u;
        st = stats_of(m, 3);
        memcpy(&u, st->min.p, 8);
        CHECK(u == 0);
        memcpy(&u, st->max.p, 8);
        CHECK(u == UINT64_MAX);
        tn_pq_meta_free(m);
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* Row r of column c in dictionary_forecast. */
static int64_t forecast_value(int c, int64_t r)
{
    uint64_t z = (uint64_t)r * 0x9E3779B97F4A7C15u + 0x9E3779B97F4A7C15u; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    switch (c) {
    case 0: return r * 3 + 1;               /* all distinct: 4.8 MB of entries */
    case 1: return r / 4;                   /* sorted, 150000 distinct: 1.2 MB */
    case 2: return (r * 7919) % 200000;     /* int32, a cycle of 200000: 0.8 MB */
    case 3: return r / 8;                   /* sorted, 75000 distinct: 0.6 MB */
    case 4: return (int64_t)(z % 120000);   /* 119200 of 120000 drawn at random: 0.95 MB */
    default: return r % 50000;              /* strings: 50000 distinct, 0.6 MB */
    }
}

/* A dictionary whose growth over its first values shows it will pass the
 * byte limit is given up early: the chunk is PLAIN and reads back equal.
 * Those that fit, even close to the limit, keep their dictionary. The bytes
 * do not depend on the number of threads. */
TEST(dictionary_forecast)
{
    tarn_error err;
    const char *names[6] = {"unique", "sorted_over", "cycle_fits", "sorted_fits", "random_fits", "strings"};
    tn_schema *s = tn_schema_new(6);
    for (int i = 0; i < 6; i++) {
        tn_field *f = tn_field_new(names[i], tn_type_get(i == 5 ? TN_STRING : i == 2 ? TN_INT32 : TN_INT64), false);
        s->fields[i] = *f;
        tn_free(f);
    }
    int64_t rows = 600000;
    tn_batch *b = tn_batch_new(s, rows);
    for (int c = 0; c < 6; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int64_t r = 0; r < rows; r++) {
            char txt[32];
            snprintf(txt, sizeof txt, "v%07lld", (long long)forecast_value(c, r));
            CHECK_OK(c == 5 ? tn_builder_append_str(bl, txt, &err) : tn_builder_append_int(bl, forecast_value(c, r), &err),
                     &err);
        }
        CHECK_OK(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/forecast.parquet", out_dir);
    uint8_t *first = NULL;
    size_t first_n = 0;
    static const int threads[] = {1, 3};
    for (int t = 0; t < 2; t++) {
        CHECK_OK(tarn_set_threads(threads[t], &err), &err);
        tn_reader *in = tn_reader_from_batches(s, &b, 1);
        tn_parquet_write_options o = {.dictionary = true, .codec = PQ_SNAPPY};
        CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
        tn_reader_free(in);
        uint8_t *bytes = NULL;
        size_t n = 0;
        CHECK(slurp(path, &bytes, &n) == 0);
        if (!first) {
            first = bytes;
            first_n = n;
        } else {
            CHECK(n == first_n && memcmp(bytes, first, n) == 0);
            free(bytes);
        }
    }
    free(first);
    CHECK_OK(tarn_set_threads(0, &err), &err);
    pq_file_meta *m = footer_of(path);
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ_INT(m->n_row_groups, 1);
        static const bool dict[6] = {false, false, true, true, true, true};
        for (int c = 0; c < 6; c++) {
            const pq_column_meta *cm = &m->row_groups[0].columns[c].meta;
            if (((cm->encodings & (1u << PQ_RLE_DICTIONARY)) != 0) != dict[c])
                fprintf(stderr, "  column %s: dictionary %s\n", names[c], dict[c] ? "given up" : "kept");
            CHECK(((cm->encodings & (1u << PQ_RLE_DICTIONARY)) != 0) == dict[c]);
            CHECK(dict[c] ? cm->dictionary_page_offset > 0 : cm->dictionary_page_offset < 0);
        }
        tn_pq_meta_free(m);
    }
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    int64_t at = 0, bad = 0;
    for (;;) {
        tn_batch *got;
        CHECK_OK(tn_reader_next(r, &got, &err), &err);
        if (!got)
            break;
        for (int c = 0; c < 6; c++) {
            const tn_array *a = got->columns[c];
            for (int64_t i = 0; i < got->length; i++) {
                int64_t want = forecast_value(c, at + i);
                if (c == 5) {
                    char txt[32];
                    int64_t len;
                    const uint8_t *p = tn_array_bytes(a, i, &len);
                    int wl = snprintf(txt, sizeof txt, "v%07lld", (long long)want);
                    bad += len != wl || memcmp(p, txt, (size_t)wl) != 0;
                } else if (c == 2) {
                    int32_t x;
                    memcpy(&x, a->buffers[1]->data + (a->offset + i) * 4, 4);
                    bad += x != want;
                } else {
                    int64_t x;
                    memcpy(&x, a->buffers[1]->data + (a->offset + i) * 8, 8);
                    bad += x != want;
                }
            }
        }
        at += got->length;
        tn_batch_unref(got);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(at, rows);
    CHECK_EQ_INT(bad, 0);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* YYYY-MM-DD of a day number (days since 1970-01-01). */
static void civil(int64_t z, char *out, size_t n)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, n, "%04lld-%02lld-%02lld", (long long)(y + (m <= 2)), (long long)m, (long long)d);
}

/* Rows of path matching one term (given as already-parsed terms), and the
 * reader's scan statistics. */
static int64_t count_where(const char *path, const tn_parquet_term *t, tn_parquet_scan_stats *st)
{
    tarn_error err;
    tn_parquet_read_options ro = {.limit = -1, .terms = t, .n_terms = 1};
    tn_reader *r;
    memset(st, 0, sizeof *st);
    if (tn_parquet_open_file(path, &ro, &r, &err) != 0) {
        fprintf(stderr, "  %s\n", err.message);
        return -1;
    }
    int64_t n = 0;
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0 || !b)
            break;
        n += b->length;
        tn_batch_unref(b);
    }
    tn_parquet_reader_scan_stats(r, st);
    tn_reader_free(r);
    return n;
}

/* Bloom filters on every kind of column, probed through the reader's
 * already-parsed terms: a present value is found in its row group (a wrong
 * PLAIN encoding of the literal would hash elsewhere and lose the row), an
 * absent one inside every group's min/max skips all four groups. */
TEST(bloom_filters_and_terms)
{
    tarn_error err;
    enum { ROWS = 400, NCOL = 7 };
    const char *names[NCOL] = {"i", "s", "d", "f", "u", "dt", "ts"};
    tn_type *types[NCOL] = {tn_type_get(TN_INT32), tn_type_get(TN_STRING), tn_type_decimal(128, 20, 2),
                            tn_type_get(TN_FLOAT64), tn_type_get(TN_UINT32), tn_type_get(TN_DATE32),
                            tn_type_timestamp(TN_MICRO, NULL)};
    tn_schema *s = tn_schema_new(NCOL);
    for (int c = 0; c < NCOL; c++)
        CHECK_OK(tn_field_init(&s->fields[c], names[c], types[c], true, &err), &err);
    tn_batch *b = tn_batch_new(s, ROWS);
    for (int c = 0; c < NCOL; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        for (int64_t r = 0; r < ROWS; r++) {
            int64_t v = r * 7919 % 400 * 4; /* the multiples of 4 below 1600, spread over the groups */
            char text[32];
            int rc;
            switch (c) {
            case 1: snprintf(text, sizeof text, "s%lld", (long long)v); rc = tn_builder_append_str(bl, text, &err); break;
            case 3: rc = tn_builder_append_double(bl, (double)v + 0.5, &err); break;
            case 4: rc = tn_builder_append_uint(bl, 3000000000u + (uint64_t)v, &err); break;
            case 5: rc = tn_builder_append_int(bl, 10000 + v, &err); break;
            case 6: rc = tn_builder_append_int(bl, v * 1000000, &err); break;
            default: rc = tn_builder_append_int(bl, v, &err); break;
            }
            CHECK_OK(rc, &err);
        }
        CHECK_OK(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/bloom.parquet", out_dir);
    tn_parquet_column_options co[NCOL];
    for (int c = 0; c < NCOL; c++)
        co[c] = (tn_parquet_column_options){.column = names[c], .codec = -1, .encoding = -1, .dictionary = -1,
                                            .bloom = true, .bloom_fpp = 0.001};
    co[0].dictionary = 0; /* PLAIN chunks and dictionary chunks both hash their values */
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 100,
                                  .columns = co, .n_columns = NCOL};
    tn_reader *in = tn_reader_from_batches(s, &b, 1);
    CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
    tn_reader_free(in);
    for (int c = 0; c < NCOL; c++) {
        for (int pass = 0; pass < 2; pass++) {
            int64_t v = pass == 0 ? 1236 : 1235; /* present once; absent */
            char lit[64];
            switch (c) {
            case 1: snprintf(lit, sizeof lit, "s%lld", (long long)v); break;
            case 2: snprintf(lit, sizeof lit, "%lld.%02lld", (long long)(v / 100), (long long)(v % 100)); break;
            case 3: snprintf(lit, sizeof lit, "%lld.5", (long long)v); break;
            case 4: snprintf(lit, sizeof lit, "%llu", 3000000000ull + (unsigned long long)v); break;
            case 5: civil(10000 + v, lit, sizeof lit); break;
            case 6: snprintf(lit, sizeof lit, "1970-01-01 00:%02lld:%02lld", (long long)(v / 60), (long long)(v % 60)); break;
            default: snprintf(lit, sizeof lit, "%lld", (long long)v); break;
            }
            tn_parquet_term t = {.column = names[c], .op = TN_CMP_EQ, .is_string = c == 1 || c >= 5, .literal = lit,
                                 .literal_len = strlen(lit)};
            tn_parquet_scan_stats st;
            int64_t n = count_where(path, &t, &st);
            if (n != (pass == 0 ? 1 : 0) || (pass == 1 && st.row_groups_by_bloom != 4))
                fprintf(stderr, "  %s = %s: %lld rows, %d groups read, %d by stats, %d by bloom\n", names[c], lit,
                        (long long)n, st.row_groups_read, st.row_groups_by_stats, st.row_groups_by_bloom);
            CHECK_EQ_INT(n, pass == 0 ? 1 : 0);
            CHECK_EQ_INT(st.row_groups_by_stats, 0);
            CHECK_EQ_INT(st.row_groups_by_bloom, pass == 0 ? 3 : 4);
        }
    }
    /* IN through the terms API: found when one literal is present, all
     * groups skipped by bloom filter when none is */
    static const char *const present[] = {"1235", "1236", "99999"}, *const absent[] = {"1235", "3", "1597"};
    static const size_t lens3[] = {4, 4, 5}, lensa[] = {4, 1, 4};
    tn_parquet_term in1 = {.column = "i", .n_in = 3, .in_literals = present, .in_lens = lens3};
    tn_parquet_term in2 = {.column = "i", .n_in = 3, .in_literals = absent, .in_lens = lensa};
    tn_parquet_scan_stats st;
    CHECK_EQ_INT(count_where(path, &in1, &st), 1);
    CHECK_EQ_INT(st.row_groups_by_bloom, 3);
    CHECK_EQ_INT(count_where(path, &in2, &st), 0);
    CHECK_EQ_INT(st.row_groups_by_bloom, 4);
    /* a bad term is an error naming it */
    tn_parquet_term bad = {.column = "i", .op = 99, .literal = "1", .literal_len = 1};
    tn_parquet_read_options ro = {.limit = -1, .terms = &bad, .n_terms = 1};
    tn_reader *r = NULL;
    CHECK_EQ_INT(tn_parquet_open_file(path, &ro, &r, &err), TARN_EINVAL);
    CHECK_MSG(&err, "term 1");
    tn_batch_unref(b);
    tn_schema_unref(s);
}

static int write_small(void *ctx, tarn_error *err)
{
    char in[PATH_MAX * 2], out[PATH_MAX * 2];
    snprintf(in, sizeof in, "%s/%s", data_dir, (const char *)ctx);
    snprintf(out, sizeof out, "%s/alloc.parquet", out_dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY, .row_group_rows = 2, .dictionary = true};
    return rewrite(in, out, &o, err);
}

TEST(alloc_failures)
{
    CHECK(tn_test_alloc_failures("write alltypes_plain", write_small, "alltypes_plain.parquet") > 10);
    CHECK(tn_test_alloc_failures("write nested_maps", write_small, "nested_maps.snappy.parquet") > 10);
    CHECK_EQ_INT(count_temps(out_dir, ".alloc.parquet.tmp"), 0);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *build = getenv("TARN_BUILD_DIR");
    snprintf(data_dir, sizeof data_dir, "%s/../shared/parquet-testing/data", src ? src : ".");
    snprintf(out_dir, sizeof out_dir, "%s/parquet_written", build ? build : "build");
    mkdir(out_dir, 0777);
    RUN(round_trip_data_files);
    RUN(round_trip_nested);
    RUN(statistics);
    RUN(dictionary_encoding);
    RUN(row_groups_by_bytes);
    RUN(value_encodings);
    RUN(atomic_write);
    RUN(unsupported_type);
    RUN(deterministic_across_threads);
    RUN(exact_dictionaries);
    RUN(dictionary_forecast);
    RUN(bloom_filters_and_terms);
    RUN(alloc_failures);
    return tn_test_done();
}
