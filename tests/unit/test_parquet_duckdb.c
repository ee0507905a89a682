/*
 * test_parquet_duckdb.c — tarn reads every parquet-testing file that DuckDB
 * reads, and both see the same values: tarn renders each file as JSON lines
 * (tests/parquet_render.h) into the build tree, then
 * tests/interop/parquet_duckdb.mjs reads the same files with DuckDB
 * (@duckdb/node-api from peers/node_modules) and compares row by row.
 * Files DuckDB cannot read are checked in test_parquet.c against siblings.
 * The second test writes every file back with tarn's writer (cycling
 * through the codecs) and checks that DuckDB reads tarn's files with the
 * values tarn read from the originals.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "parquet_render.h"
#include "tn_test.h"

static const char *skip[] = {
    "byte_stream_split_extended.gzip.parquet", /* DuckDB: BSS only for FLOAT/DOUBLE */
    "hadoop_lz4_compressed.parquet",           /* DuckDB: no LZ4 (Hadoop) codec */
    "hadoop_lz4_compressed_larger.parquet",
    "non_hadoop_lz4_compressed.parquet",
    "large_string_map.brotli.parquet",         /* 2 GiB of strings: read by test_parquet large_strings */
    "map_no_value.parquet",                    /* DuckDB: MAP_KEY_VALUE needs two children */
};

static bool skipped(const char *name)
{
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcmp(skip[i], name) == 0)
            return true;
    return false;
}

static int render(const char *path, const char *out_path)
{
    tarn_error err;
    tn_reader *r;
    int rc = tn_parquet_open_file(path, NULL, &r, &err);
    if (rc) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return rc;
    }
    FILE *f = fopen(out_path, "w");
    if (!f) {
        tn_reader_free(r);
        return TARN_EIO;
    }
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, &err)) || !b)
            break;
        rj_batch(f, b);
        tn_batch_unref(b);
    }
    if (rc)
        fprintf(stderr, "%s: %s\n", path, err.message);
    fclose(f);
    tn_reader_free(r);
    return rc;
}

static char src_dir[PATH_MAX], json_dir[PATH_MAX], data_dir[PATH_MAX + 64], rt_dir[PATH_MAX];
static const char *names[128];
static int n_names;

static void list_files(void)
{
    DIR *d = opendir(data_dir);
    CHECK(d != NULL);
    for (struct dirent *e; d && (e = readdir(d)) && n_names < 120;) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".parquet") == 0 &&
            strcmp(e->d_name, "large_string_map.brotli.parquet") != 0)
            names[n_names++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
}

static int run_node(char **paths, int n)
{
    size_t cap = 1 << 16, len = 0;
    char *cmd = malloc(cap);
    len += (size_t)snprintf(cmd, cap, "cd '%s' && node tests/interop/parquet_duckdb.mjs '%s'", src_dir, json_dir);
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(cmd + len, cap - len, " '%s'", paths[i]);
    CHECK(len < cap);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

TEST(same_as_duckdb)
{
    char *paths[130];
    int n = 0;
    for (int i = 0; i < n_names; i++) {
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", data_dir, names[i]);
        snprintf(out, sizeof out, "%s/%s.jsonl", json_dir, names[i]);
        CHECK_EQ_INT(render(in, out), 0);
        if (!skipped(names[i]))
            paths[n++] = strdup(in);
    }
    /* The bad_data reproducer that is a valid file. */
    char in[PATH_MAX * 2], out[PATH_MAX * 2];
    snprintf(in, sizeof in, "%s/../shared/parquet-testing/bad_data/ARROW-GH-43605.parquet", src_dir);
    snprintf(out, sizeof out, "%s/ARROW-GH-43605.parquet.jsonl", json_dir);
    CHECK_EQ_INT(render(in, out), 0);
    paths[n++] = strdup(in);
    CHECK(n >= 55);
    CHECK_EQ_INT(run_node(paths, n), 0);
    for (int i = 0; i < n; i++)
        free(paths[i]);
}

TEST(duckdb_reads_tarn_files)
{
    static const int codecs[] = {PQ_UNCOMPRESSED, PQ_SNAPPY, PQ_GZIP, PQ_BROTLI, PQ_ZSTD, PQ_LZ4_RAW};
    static const int encodings[] = {0, PQ_DELTA_BINARY_PACKED, PQ_DELTA_LENGTH_BYTE_ARRAY, PQ_DELTA_BYTE_ARRAY,
                                    PQ_BYTE_STREAM_SPLIT};
    char *paths[130];
    int n = 0;
    for (int i = 0; i < n_names; i++) {
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", data_dir, names[i]);
        snprintf(out, sizeof out, "%s/%s", rt_dir, names[i]);
        tarn_error err;
        tn_reader *r;
        CHECK_OK(tn_parquet_open_file(in, NULL, &r, &err), &err);
        if (!r)
            continue;
        tn_parquet_write_options o = {.codec = codecs[i % 6], .row_group_rows = 900, .page_bytes = 2000,
                                      .dictionary = i % 2 == 0, .dictionary_bytes = i % 4 == 2 ? 300 : 0,
                                      .page_version = i % 3 == 1 ? 2 : 1, .encoding = encodings[i % 5]};
        CHECK_OK(tn_parquet_write_file(out, r, &o, &err), &err);
        tn_reader_free(r);
        paths[n++] = strdup(out);
    }
    CHECK(n >= 60);
    CHECK_EQ_INT(run_node(paths, n), 0);
    for (int i = 0; i < n; i++)
        free(paths[i]);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *build = getenv("TARN_BUILD_DIR");
    snprintf(src_dir, sizeof src_dir, "%s", src ? src : ".");
    snprintf(data_dir, sizeof data_dir, "%s/../shared/parquet-testing/data", src_dir);
    snprintf(json_dir, sizeof json_dir, "%s/parquet_json", build ? build : "build");
    snprintf(rt_dir, sizeof rt_dir, "%s/parquet_duckdb_rt", build ? build : "build");
    mkdir(json_dir, 0777);
    mkdir(rt_dir, 0777);
    list_files();
    RUN(same_as_duckdb);
    RUN(duckdb_reads_tarn_files);
    for (int i = 0; i < n_names; i++)
        free((void *)names[i]);
    return tn_test_done();
}
