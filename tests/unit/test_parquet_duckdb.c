/*
 * test_parquet_duckdb.c — tarn reads every parquet-testing file that DuckDB
 * reads, and both see the same values: tarn renders each file as JSON lines
 * (tests/parquet_render.h) into the build tree, then
 * tests/interop/parquet_duckdb.mjs reads the same files with DuckDB
 * (@duckdb/node-api from peers/node_modules) and compares row by row.
 * Files DuckDB cannot read are checked in test_parquet.c against siblings.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "formats/parquet/parquet.h"
#include "parquet_render.h"
#include "tn_test.h"

static const char *skip[] = {
    "byte_stream_split_extended.gzip.parquet", /* DuckDB: BSS only for FLOAT/DOUBLE */
    "hadoop_lz4_compressed.parquet",           /* DuckDB: no LZ4 (Hadoop) codec */
    "hadoop_lz4_compressed_larger.parquet",
    "non_hadoop_lz4_compressed.parquet",
    "large_string_map.brotli.parquet",         /* tarn: no large_string output yet */
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

TEST(same_as_duckdb)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *build = getenv("TARN_BUILD_DIR");
    if (!src)
        src = ".";
    if (!build)
        build = "build";
    char out_dir[PATH_MAX], data[PATH_MAX], cmd[1 << 16];
    snprintf(out_dir, sizeof out_dir, "%s/parquet_json", build);
    mkdir(out_dir, 0777);
    snprintf(data, sizeof data, "%s/../shared/parquet-testing/data", src);
    int len = snprintf(cmd, sizeof cmd, "cd '%s' && node tests/interop/parquet_duckdb.mjs '%s'", src, out_dir);
    const char *files[128];
    int n = 0;
    DIR *d = opendir(data);
    CHECK(d != NULL);
    for (struct dirent *e; d && (e = readdir(d)) && n < 120;) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".parquet") == 0 && !skipped(e->d_name))
            files[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    for (int i = 0; i < n; i++) {
        char in[PATH_MAX * 2], out[PATH_MAX * 2];
        snprintf(in, sizeof in, "%s/%s", data, files[i]);
        snprintf(out, sizeof out, "%s/%s.jsonl", out_dir, files[i]);
        CHECK_EQ_INT(render(in, out), 0);
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", in);
    }
    /* The bad_data reproducer that is a valid file. */
    char in[PATH_MAX * 2], out[PATH_MAX * 2];
    snprintf(in, sizeof in, "%s/../shared/parquet-testing/bad_data/ARROW-GH-43605.parquet", src);
    snprintf(out, sizeof out, "%s/ARROW-GH-43605.parquet.jsonl", out_dir);
    CHECK_EQ_INT(render(in, out), 0);
    len += snprintf(cmd + len, sizeof cmd - (size_t)len, " '%s'", in);
    CHECK(len < (int)sizeof cmd);
    CHECK(n >= 55);
    int rc = system(cmd);
    CHECK_EQ_INT(rc, 0);
    for (int i = 0; i < n; i++)
        free((void *)files[i]);
}

int main(void)
{
    RUN(same_as_duckdb);
    return tn_test_done();
}
