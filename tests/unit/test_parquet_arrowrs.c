/*
 * test_parquet_arrowrs.c — Parquet interop with arrow-rs (npm parquet-wasm,
 * run by tests/interop/parquet_arrowrs.mjs), both ways, on the fixture's
 * every type Parquet holds (nested lists, maps, structs, dictionaries,
 * nulls at every level):
 *
 *  - files tarn writes in every codec, data page v1 and v2, with and
 *    without dictionaries, small pages and row groups, bloom filters, and
 *    an empty file, are read by arrow-rs, which hands them back as Arrow
 *    IPC; tarn checks the types and every value against what it wrote;
 *  - files arrow-rs writes from the same data (every codec, v1 and v2,
 *    dictionaries on and off, the DELTA_* and BYTE_STREAM_SPLIT encodings)
 *    are read by tarn with the same types and values.
 *
 * Where arrow-rs returns another type than the one written (listed in
 * `known`), the values are compared after casting what was written to it.
 * arrow-rs also names list items and map entries as the Parquet schema
 * does ("element", "key_value": tarn writes the format's names, as Arrow
 * C++ does) rather than as ARROW:schema says; such name-only differences
 * are allowed, and the values compared under arrow-rs's names.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "arrow/compute/compute.h"
#include "arrow/ipc/ipc.h"
#include "formats/parquet/arrow_schema.h"
#include "formats/parquet/meta.h"
#include "parquet_fixture.h"
#include "tn_test.h"

static char dir[PATH_MAX], src_dir[PATH_MAX];

/* Columns arrow-rs (parquet-wasm 0.8.0) gives back with another type, and that type. */
static const struct {
    const char *column, *type;
} known[] = {
    {"utf8_view", "utf8"},      /* reads views as the plain layout */
    {"binary_view", "binary"},
    {"ts_s", "timestamp[ms]"},  /* keeps the stored milliseconds */
};

static bool known_difference(const char *column, const tn_type *got)
{
    char name[128];
    tn_buf b;
    tn_buf_init(&b, 0);
    tarn_error err;
    tn_field f = {.name = (char *)column, .type = (tn_type *)got, .nullable = true};
    tn_schema s = {.n_fields = 1, .fields = &f};
    if (tn_schema_format(&s, &b, &err) != 0)
        return false;
    snprintf(name, sizeof name, "%.*s", (int)b.len, (const char *)b.data);
    tn_buf_reset(&b);
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        char want[128];
        snprintf(want, sizeof want, "%s: %s\n", known[i].column, known[i].type);
        if (!strcmp(known[i].column, column) && !strcmp(want, name))
            return true;
    }
    return false;
}

/* The same type but for the names of nested fields. */
static bool same_but_names(const tn_type *a, const tn_type *b)
{
    if (a->id != b->id || a->n_children != b->n_children)
        return false;
    if (a->n_children == 0)
        return tn_type_equals(a, b);
    for (int32_t i = 0; i < a->n_children; i++)
        if (!same_but_names(a->children[i].type, b->children[i].type))
            return false;
    return a->id != TN_DICTIONARY || tn_type_equals(a, b);
}

/* Every batch of reader r, each column concatenated; NULL columns on failure. */
static tn_array **read_all(tn_reader *r, int64_t *rows)
{
    tarn_error err;
    int32_t nf = r->schema->n_fields;
    tn_batch *bs[256];
    int nb = 0;
    *rows = 0;
    for (;;) {
        tn_batch *b = NULL;
        if (tn_reader_next(r, &b, &err) != 0) {
            fprintf(stderr, "  %s\n", err.message);
            break;
        }
        if (!b || nb == 256)
            break;
        CHECK_OK(tn_batch_check(b, &err), &err);
        bs[nb++] = b;
        *rows += b->length;
    }
    tn_array **cols = calloc((size_t)nf + 1, sizeof *cols);
    for (int32_t c = 0; c < nf && nb > 0; c++) {
        tn_array *parts[256];
        for (int i = 0; i < nb; i++)
            parts[i] = bs[i]->columns[c];
        CHECK_OK(tn_concatenate(parts, nb, &cols[c], &err), &err);
    }
    for (int i = 0; i < nb; i++)
        tn_batch_unref(bs[i]);
    return cols;
}

/* The reader's schema and values equal the fixture's (want), up to the
 * known differences. */
static void check_equal(const char *what, tn_reader *r, tn_batch *want)
{
    tarn_error err;
    const tn_schema *s = r->schema;
    CHECK_EQ_INT(s->n_fields, want->schema->n_fields);
    int64_t rows;
    tn_array **cols = read_all(r, &rows);
    CHECK_EQ_INT(rows, want->length);
    for (int32_t c = 0; c < s->n_fields && c < want->schema->n_fields; c++) {
        const char *name = want->schema->fields[c].name;
        CHECK_STR(s->fields[c].name, name);
        tn_array *w = tn_array_ref(want->columns[c]);
        if (!tn_type_equals(s->fields[c].type, w->type) && same_but_names(s->fields[c].type, w->type)) {
            tn_array *renamed = NULL;
            CHECK_OK(tn_pq_arrow_restore(w, s->fields[c].type, &renamed, &err), &err);
            if (renamed) {
                tn_array_unref(w);
                w = renamed;
            }
        }
        if (!tn_type_equals(s->fields[c].type, w->type)) {
            bool ok = known_difference(name, s->fields[c].type);
            if (!ok)
                fprintf(stderr, "  %s: column %s: unexpected type\n", what, name);
            CHECK(ok);
            tn_array *cast = NULL;
            if (ok && tn_cast(w, s->fields[c].type, TN_CAST_STRICT, &cast, &err) == 0) {
                tn_array_unref(w);
                w = cast;
            }
        }
        if (rows == want->length && cols[c]) {
            bool same = tn_array_equals(cols[c], w);
            if (!same)
                fprintf(stderr, "  %s: column %s: values differ\n", what, name);
            CHECK(same);
        }
        tn_array_unref(w);
        tn_array_unref(cols[c]);
    }
    free(cols);
}

static int write_ipc_stream(const char *path, tn_batch *b, tarn_error *err)
{
    tn_reader *in = tn_reader_from_batches(b->schema, &b, 1);
    TN_TRY_ALLOC(in, err, 64);
    tn_ipc_write_options o = {.file_format = false};
    int rc = tn_ipc_write_file(path, in, &o, err);
    tn_reader_free(in);
    return rc;
}

/* Bloom filters on a few columns: arrow-rs reads past them. */
static const tn_parquet_column_options bloom_cols[] = {
    {.column = "i32", .codec = -1, .encoding = -1, .dictionary = -1, .bloom = true},
    {.column = "utf8", .codec = -1, .encoding = -1, .dictionary = -1, .bloom = true, .bloom_ndv = 1000},
    {.column = "map", .codec = -1, .encoding = -1, .dictionary = -1, .bloom = true},
};

static const struct {
    const char *name;
    tn_parquet_write_options o;
} tarn_files[] = {
    {"snappy_v1_dict", {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 30, .page_bytes = 64}},
    {"gzip_v2_dict", {.codec = PQ_GZIP, .dictionary = true, .page_version = 2, .row_group_rows = 50}},
    {"zstd_v1_plain", {.codec = PQ_ZSTD, .level = 9, .page_bytes = 100}},
    {"brotli_v2_plain", {.codec = PQ_BROTLI, .page_version = 2}},
    {"lz4raw_v1_dict", {.codec = PQ_LZ4_RAW, .dictionary = true, .dictionary_bytes = 64}},
    {"none_v2_dict", {.codec = PQ_UNCOMPRESSED, .dictionary = true, .page_version = 2, .page_bytes = 40}},
    {"delta_v2", {.codec = PQ_SNAPPY, .page_version = 2, .encoding = PQ_DELTA_BINARY_PACKED}},
    {"dba_v1", {.codec = PQ_ZSTD, .encoding = PQ_DELTA_BYTE_ARRAY}},
    {"bss_v1", {.codec = PQ_ZSTD, .encoding = PQ_BYTE_STREAM_SPLIT}},
    {"bloom_v1", {.codec = PQ_SNAPPY, .row_group_rows = 30, .page_bytes = 64, .columns = bloom_cols, .n_columns = 3}},
};

TEST(both_ways)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL, *empty = NULL;
    CHECK_OK(fx_batch(s, 100, &b, &err), &err);
    CHECK_OK(fx_batch(s, 0, &empty, &err), &err);
    if (!b || !empty)
        return;
    char path[PATH_MAX * 2];
    for (size_t i = 0; i < sizeof tarn_files / sizeof *tarn_files; i++) {
        snprintf(path, sizeof path, "%s/tarn_%s.parquet", dir, tarn_files[i].name);
        CHECK_OK(write_fixture(path, b, &tarn_files[i].o, &err), &err);
    }
    snprintf(path, sizeof path, "%s/tarn_empty.parquet", dir);
    tn_parquet_write_options eo = {.codec = PQ_SNAPPY};
    CHECK_OK(write_fixture(path, empty, &eo, &err), &err);
    snprintf(path, sizeof path, "%s/fixture.arrows", dir);
    CHECK_OK(write_ipc_stream(path, b, &err), &err);

    char cmd[PATH_MAX * 3];
    snprintf(cmd, sizeof cmd, "cd '%s' && node tests/interop/parquet_arrowrs.mjs '%s'", src_dir, dir);
    CHECK_EQ_INT(system(cmd), 0);

    /* arrow-rs read tarn's files */
    for (size_t i = 0; i <= sizeof tarn_files / sizeof *tarn_files; i++) {
        const char *name = i < sizeof tarn_files / sizeof *tarn_files ? tarn_files[i].name : "empty";
        snprintf(path, sizeof path, "%s/tarn_%s.arrows", dir, name);
        tn_reader *r = NULL;
        CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
        if (r)
            check_equal(path, r, strcmp(name, "empty") ? b : empty);
        tn_reader_free(r);
    }
    /* tarn reads arrow-rs's files */
    static const char *rs_files[] = {"snappy_v1", "gzip_v2",  "zstd_v1_plain", "lz4raw_v2",
                                     "brotli_v1", "none_v2", "encodings_v2"};
    for (size_t i = 0; i < sizeof rs_files / sizeof *rs_files; i++) {
        snprintf(path, sizeof path, "%s/rs_%s.parquet", dir, rs_files[i]);
        tn_reader *r = NULL;
        CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
        if (r)
            check_equal(path, r, b);
        tn_reader_free(r);
    }
    tn_batch_unref(b);
    tn_batch_unref(empty);
    tn_schema_unref(s);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *build = getenv("TARN_BUILD_DIR");
    snprintf(src_dir, sizeof src_dir, "%s", src ? src : ".");
    snprintf(dir, sizeof dir, "%s/parquet_arrowrs", build ? build : "build");
    mkdir(dir, 0777);
    RUN(both_ways);
    return tn_test_done();
}
