/*
 * test_parquet_proof.c — Parquet interop with the peers where the other
 * Parquet tests leave gaps (see docs/testing.md for the whole map):
 *
 *  - files DuckDB writes (tests/interop/parquet_proof_duckdb.mjs: every
 *    DuckDB type with a Parquet form, nested and null at every level, in
 *    every codec DuckDB writes, PARQUET_VERSION V1 and V2, three row
 *    groups, and an empty file) read by tarn with DuckDB's values;
 *  - files tarn writes from the fixture of every type (parquet_fixture.h)
 *    in every codec, v1 and v2 pages, dictionaries on, off and falling back
 *    to plain, the non-default encodings, small pages (so several entries in
 *    the page index), bloom filters on every column, empty batches between
 *    full ones and an empty file, read by DuckDB with tarn's values;
 *  - the footers and page headers of those files: codecs, row groups,
 *    dictionary pages, encodings, bloom filters, and data page v1 or v2 as
 *    asked (a writer ignoring an option would otherwise pass every value
 *    comparison);
 *  - arrow-rs's files (tests/interop/parquet_arrowrs.mjs) hold the pages
 *    and page index asked for, and tarn skips pages by that index;
 *  - a file with an empty row group between two others (built by hand:
 *    no writer at hand makes one) read alike by tarn, DuckDB and arrow-rs;
 *  - every bad_data and encrypted file fails with one line that begins
 *    with the file's path;
 *  - every Parquet writer flag of `tarn convert` reaching the file's
 *    footer and pages (codec, page version, dictionary and its limit, row
 *    group size in rows and bytes, page size, encoding, bloom filters,
 *    ARROW:schema) with the values unchanged;
 *  - the parquet-testing files test_parquet_duckdb.c leaves out because
 *    DuckDB cannot read all of them: data/geospatial (DuckDB's GEOMETRY
 *    given back as WKB) and the DuckDB-readable columns of
 *    byte_stream_split_extended.gzip; map_no_value (which DuckDB cannot
 *    open) checked against itself: the same keys as a map, a map without
 *    values and a list.
 *
 * Values are compared as JSON lines (tests/parquet_render.h) by
 * tests/interop/parquet_duckdb.mjs, which prints the first difference.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/ipc/ipc.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/thrift.h"
#include "parquet_fixture.h"
#include "parquet_render.h"
#include "tn_test.h"

static char src_dir[PATH_MAX], dir[PATH_MAX], json_dir[PATH_MAX + 16];

/* Render every row of the Parquet file at path as JSON lines into
 * json_dir/<name>.jsonl; the number of rows, or -1 on an error. */
static int64_t render(const char *path, const char *name)
{
    tarn_error err;
    tn_reader *r;
    if (tn_parquet_open_file(path, NULL, &r, &err) != 0) {
        fprintf(stderr, "  %s: %s\n", path, err.message);
        return -1;
    }
    char out[PATH_MAX * 2];
    snprintf(out, sizeof out, "%s/%s.jsonl", json_dir, name);
    FILE *f = fopen(out, "w");
    int64_t rows = 0;
    for (int rc = f ? 0 : -1; rc == 0;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, &err)) != 0) {
            fprintf(stderr, "  %s: %s\n", path, err.message);
            rows = -1;
        } else if (!b) {
            break;
        } else {
            rj_batch(f, b);
            rows += b->length;
            tn_batch_unref(b);
        }
    }
    if (f)
        fclose(f);
    tn_reader_free(r);
    return f ? rows : -1;
}

/* node tests/interop/parquet_duckdb.mjs json_dir ARGS...: 0 when DuckDB
 * reads every file with the values rendered. */
static int compare_with_duckdb(char **args, int n)
{
    size_t cap = 1 << 16, len = 0;
    char *cmd = malloc(cap);
    len += (size_t)snprintf(cmd, cap, "cd '%s' && node tests/interop/parquet_duckdb.mjs '%s'", src_dir, json_dir);
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(cmd + len, cap - len, " '%s'", args[i]);
    CHECK(len < cap);
    int rc = len < cap ? system(cmd) : -1;
    free(cmd);
    return rc;
}

/* What a file's footer and page headers hold. */
typedef struct census {
    int row_groups, chunks, v1, v2, dict, blooms, page_indexes; /* page_indexes: chunks with both */
    uint32_t encodings, codecs; /* bit e: encoding e / codec e used by some chunk */
    bool arrow_schema;
} census;

/* Walk every page header of every column chunk of the file at path. */
static int take_census(const char *path, census *c)
{
    memset(c, 0, sizeof *c);
    tarn_error err;
    tn_reader *r;
    if (tn_parquet_open_file(path, NULL, &r, &err) != 0) {
        fprintf(stderr, "  %s: %s\n", path, err.message);
        return -1;
    }
    const pq_file_meta *m = tn_parquet_reader_meta(r);
    int fd = open(path, O_RDONLY), rc = fd < 0 ? -1 : 0;
    static uint8_t buf[1 << 16];
    c->row_groups = m->n_row_groups;
    for (int32_t k = 0; k < m->n_kv; k++)
        c->arrow_schema |= strcmp(m->kv_keys[k], "ARROW:schema") == 0;
    for (int32_t g = 0; g < m->n_row_groups && rc == 0; g++)
        for (int32_t k = 0; k < m->row_groups[g].n_columns && rc == 0; k++) {
            const pq_column_meta *cm = &m->row_groups[g].columns[k].meta;
            c->chunks++;
            c->encodings |= cm->encodings;
            c->codecs |= 1u << cm->codec;
            c->blooms += cm->bloom_filter_offset >= 0;
            c->page_indexes += m->row_groups[g].columns[k].column_index_offset >= 0 &&
                               m->row_groups[g].columns[k].offset_index_offset >= 0;
            int64_t pos = cm->dictionary_page_offset > 0 ? cm->dictionary_page_offset : cm->data_page_offset;
            for (int64_t end = pos + cm->total_compressed_size; pos < end && rc == 0;) {
                ssize_t got = pread(fd, buf, sizeof buf, pos);
                pq_page_header h;
                size_t used;
                if (got <= 0 || tn_pq_page_header_decode(buf, (size_t)got, &h, &used, &err) != 0) {
                    fprintf(stderr, "  %s: no page header at %lld\n", path, (long long)pos);
                    rc = -1;
                    break;
                }
                c->v1 += h.type == PQ_DATA_PAGE;
                c->v2 += h.type == PQ_DATA_PAGE_V2;
                c->dict += h.type == PQ_DICTIONARY_PAGE;
                pos += (int64_t)used + h.compressed_size;
            }
        }
    if (fd >= 0)
        close(fd);
    tn_reader_free(r);
    return rc;
}

TEST(tarn_reads_duckdb_files)
{
    char cmd[PATH_MAX * 3], sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/duck", dir);
    mkdir(sub, 0777);
    snprintf(cmd, sizeof cmd, "cd '%s' && node tests/interop/parquet_proof_duckdb.mjs '%s'", src_dir, sub);
    CHECK_EQ_INT(system(cmd), 0);
    char *paths[64];
    int n = 0;
    DIR *d = opendir(sub);
    CHECK(d != NULL);
    for (struct dirent *e; d && (e = readdir(d)) && n < 64;) {
        if (strncmp(e->d_name, "duck_", 5) != 0)
            continue;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
        int64_t rows = render(path, e->d_name);
        if (rows != (strcmp(e->d_name, "duck_empty.parquet") ? 5000 : 0))
            fprintf(stderr, "  %s: %lld rows\n", e->d_name, (long long)rows);
        CHECK_EQ_INT(rows, strcmp(e->d_name, "duck_empty.parquet") ? 5000 : 0);
        /* compressed with the codec named, in three row groups with
         * dictionary pages. DuckDB's PARQUET_VERSION V2 changes the
         * encodings (DELTA_*), not the pages: data pages v1 in both (tarn
         * reads arrow-rs's v2 pages in test_parquet_arrowrs.c). */
        census c;
        CHECK_EQ_INT(take_census(path, &c), 0);
        static const char *codecs[] = {"uncompressed", "snappy", "gzip", "", "brotli", "", "zstd", "lz4_raw"};
        for (int k = 0; k < 8 && strcmp(e->d_name, "duck_empty.parquet"); k++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "duck_%s_v", codecs[k]);
            if (*codecs[k] && strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
                bool v2 = e->d_name[strlen(prefix)] == '2';
                bool delta = c.encodings & (1u << PQ_DELTA_BINARY_PACKED | 1u << PQ_DELTA_LENGTH_BYTE_ARRAY |
                                            1u << PQ_DELTA_BYTE_ARRAY);
                bool ok = c.codecs == 1u << k && c.row_groups == 3 && c.dict > 0 && c.v1 > 0 && c.v2 == 0 &&
                          delta == v2;
                if (!ok)
                    fprintf(stderr, "  %s: codecs %#x, %d row groups, %d v1, %d v2, %d dictionary pages, "
                            "encodings %#x\n", e->d_name, c.codecs, c.row_groups, c.v1, c.v2, c.dict, c.encodings);
                CHECK(ok);
            }
        }
        paths[n++] = strdup(path);
    }
    if (d)
        closedir(d);
    CHECK_EQ_INT(n, 13); /* 6 codecs x 2 page versions, and the empty file */
    CHECK_EQ_INT(compare_with_duckdb(paths, n), 0);
    for (int i = 0; i < n; i++)
        free(paths[i]);
}

/* Bloom filters on every top-level column of the fixture (the writer takes
 * the leaves of nested ones). */
static tn_parquet_column_options bloom_all[64];

static const struct {
    const char *name;
    tn_parquet_write_options o;
} tarn_files[] = {
    {"none_v1_dict", {.codec = PQ_UNCOMPRESSED, .dictionary = true, .row_group_rows = 30}},
    {"snappy_v2_plain", {.codec = PQ_SNAPPY, .page_version = 2, .page_bytes = 64}},
    {"gzip_v1_fallback", {.codec = PQ_GZIP, .level = 9, .dictionary = true, .dictionary_bytes = 100}},
    {"zstd_v2_dict", {.codec = PQ_ZSTD, .level = 3, .dictionary = true, .page_version = 2, .row_group_rows = 45}},
    {"lz4raw_v1_plain", {.codec = PQ_LZ4_RAW, .row_group_rows = 7, .page_bytes = 40}},
    {"brotli_v2_dict", {.codec = PQ_BROTLI, .dictionary = true, .page_version = 2, .page_bytes = 128}},
    {"delta_v1", {.codec = PQ_SNAPPY, .encoding = PQ_DELTA_BINARY_PACKED, .page_bytes = 100}},
    {"dlba_v2", {.codec = PQ_ZSTD, .page_version = 2, .encoding = PQ_DELTA_LENGTH_BYTE_ARRAY}},
    {"dba_v1", {.codec = PQ_GZIP, .encoding = PQ_DELTA_BYTE_ARRAY, .row_group_rows = 33}},
    {"bss_v2", {.codec = PQ_UNCOMPRESSED, .page_version = 2, .encoding = PQ_BYTE_STREAM_SPLIT}},
    {"bloom_v1", {.codec = PQ_SNAPPY, .dictionary = true, .row_group_rows = 25, .page_bytes = 64}},
};

TEST(duckdb_reads_tarn_files)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL, *empty = NULL;
    CHECK_OK(fx_batch(s, 100, &b, &err), &err);
    CHECK_OK(fx_batch(s, 0, &empty, &err), &err);
    if (!b || !empty)
        return;
    for (int32_t c = 0; c < s->n_fields && c < 64; c++)
        bloom_all[c] = (tn_parquet_column_options){.column = s->fields[c].name, .codec = -1, .encoding = -1,
                                                   .dictionary = -1,
                                                   .bloom = s->fields[c].type->id != TN_NA &&
                                                            s->fields[c].type->id != TN_BOOL};
    char *paths[64];
    int n = 0;
    char path[PATH_MAX * 2];
    for (size_t i = 0; i < sizeof tarn_files / sizeof *tarn_files; i++) {
        tn_parquet_write_options o = tarn_files[i].o;
        if (strncmp(tarn_files[i].name, "bloom", 5) == 0) {
            o.columns = bloom_all;
            o.n_columns = s->n_fields;
        }
        snprintf(path, sizeof path, "%s/tarn_%s.parquet", dir, tarn_files[i].name);
        CHECK_OK(write_fixture(path, b, &o, &err), &err);
        paths[n++] = strdup(path);
    }
    /* an empty file, and empty batches between full ones */
    snprintf(path, sizeof path, "%s/tarn_empty.parquet", dir);
    tn_parquet_write_options eo = {.codec = PQ_SNAPPY};
    CHECK_OK(write_fixture(path, empty, &eo, &err), &err);
    paths[n++] = strdup(path);
    {
        tn_batch *bs[] = {empty, b, empty, empty, b, empty};
        tn_reader *in = tn_reader_from_batches(s, bs, 6);
        snprintf(path, sizeof path, "%s/tarn_empty_batches.parquet", dir);
        tn_parquet_write_options o = {.codec = PQ_ZSTD, .row_group_rows = 100};
        CHECK_OK(tn_parquet_write_file(path, in, &o, &err), &err);
        tn_reader_free(in);
        paths[n++] = strdup(path);
    }
    for (int i = 0; i < n; i++) {
        const char *name = strrchr(paths[i], '/') + 1;
        int64_t want = strstr(name, "empty_batches") ? 200 : strstr(name, "empty") ? 0 : 100;
        CHECK_EQ_INT(render(paths[i], name), want);
    }
    /* the footers and pages hold what was asked for */
    for (size_t i = 0; i < sizeof tarn_files / sizeof *tarn_files; i++) {
        const tn_parquet_write_options *o = &tarn_files[i].o;
        census c;
        CHECK_EQ_INT(take_census(paths[i], &c), 0);
        int groups = o->row_group_rows ? (int)((100 + o->row_group_rows - 1) / o->row_group_rows) : 1;
        bool fallback = o->dictionary_bytes > 0;
        bool ok = c.codecs == 1u << o->codec && c.row_groups == groups &&
                  (o->page_version == 2 ? c.v1 == 0 && c.v2 > 0 : c.v2 == 0 && c.v1 > 0) &&
                  (o->dictionary ? c.dict > 0 && (fallback ? c.dict < c.chunks / 2 : c.dict > c.chunks / 2)
                                 : c.dict == 0) &&
                  (!o->page_bytes || c.v1 + c.v2 > c.chunks) &&
                  (!o->encoding || (c.encodings & 1u << o->encoding)) &&
                  (strncmp(tarn_files[i].name, "bloom", 5) ? c.blooms == 0 : c.blooms > c.chunks / 2);
        if (!ok)
            fprintf(stderr, "  %s: codecs %#x, %d row groups, %d chunks, %d v1, %d v2, %d dictionary pages, "
                    "encodings %#x, %d bloom filters\n", tarn_files[i].name, c.codecs, c.row_groups, c.chunks,
                    c.v1, c.v2, c.dict, c.encodings, c.blooms);
        CHECK(ok);
    }
    census ec;
    CHECK_EQ_INT(take_census(paths[n - 1], &ec), 0);
    CHECK_EQ_INT(ec.row_groups, 2); /* empty batches make no row group */
    /* DuckDB has no decimal over 38 digits: it reads dec256 (precision 40,
     * a 17-byte FIXED_LEN_BYTE_ARRAY) as DOUBLE with wrong values. arrow-rs
     * reads it right (test_parquet_arrowrs.c); here it is left out. */
    char *args[64];
    for (int i = 0; i < n; i++) {
        size_t l = strlen(paths[i]) + 16;
        args[i] = malloc(l);
        snprintf(args[i], l, "%s::-dec256", paths[i]);
    }
    CHECK_EQ_INT(compare_with_duckdb(args, n), 0);
    for (int i = 0; i < n; i++) {
        free(paths[i]);
        free(args[i]);
    }
    tn_batch_unref(b);
    tn_batch_unref(empty);
    tn_schema_unref(s);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

/* `tarn convert` with each Parquet writer flag: the footer and the pages
 * show the flag took effect, and the values read back are the fixture's. */
static const struct {
    const char *flags;
    int codec;        /* -1: any */
    int version;      /* 0: any */
    int dict;         /* -1: any; 0 none; 1 most chunks; 2 some but fewer than half (the limit) */
    int row_groups;   /* 0: any; -N: at least N */
    int encoding;     /* 0: any, else must be among the encodings */
    int blooms;       /* -1: any, else exactly */
    bool arrow_schema;
    bool many_pages;
} flag_cases[] = {
    {"--compression none", PQ_UNCOMPRESSED, 1, 1, 1, 0, 0, true, false},
    {"--compression snappy", PQ_SNAPPY, 1, 1, 1, 0, 0, true, false},
    {"--compression gzip:9", PQ_GZIP, 1, 1, 1, 0, 0, true, false},
    {"--compression brotli:5", PQ_BROTLI, 1, 1, 1, 0, 0, true, false},
    {"--compression zstd:19", PQ_ZSTD, 1, 1, 1, 0, 0, true, false},
    {"--compression lz4", PQ_LZ4_RAW, 1, 1, 1, 0, 0, true, false},
    {"--data-page-version 2", PQ_SNAPPY, 2, 1, 1, 0, 0, true, false},
    {"--data-page-v2 --compression zstd:3", PQ_ZSTD, 2, 1, 1, 0, 0, true, false},
    {"--data-page-version 1 --compression zstd", PQ_ZSTD, 1, 1, 1, 0, 0, true, false},
    {"--dictionary false", -1, 1, 0, 1, 0, 0, true, false},
    {"--dictionary true --dictionary-size 40", -1, 1, 2, 1, 0, 0, true, false},
    {"--row-group-size 30", -1, 1, 1, 4, 0, 0, true, false},
    {"--in-batch-size 10 --row-group-size 8KB", -1, 1, -1, 4, 0, 0, true, false},
    {"--page-size 100", -1, 1, -1, 1, 0, 0, true, true},
    {"--encoding delta --dictionary false", -1, 1, 0, 1, PQ_DELTA_BINARY_PACKED, 0, true, false},
    {"--encoding delta_length_byte_array --dictionary false", -1, 1, 0, 1, PQ_DELTA_LENGTH_BYTE_ARRAY, 0, true,
     false},
    {"--encoding delta_byte_array --dictionary false", -1, 1, 0, 1, PQ_DELTA_BYTE_ARRAY, 0, true, false},
    {"--encoding byte_stream_split --dictionary false", -1, 1, 0, 1, PQ_BYTE_STREAM_SPLIT, 0, true, false},
    {"--bloom-filter i32 --bloom-filter utf8:1000:0.01 --row-group-size 50", -1, 1, -1, 2, 0, 4, true, false},
    {"--arrow-schema false", -1, 1, -1, 1, 0, 0, false, false},
};

TEST(cli_writer_flags)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 100, &b, &err), &err);
    if (!b)
        return;
    char base[PATH_MAX * 2], tarn[PATH_MAX * 2], path[PATH_MAX * 2], cmd[PATH_MAX * 8];
    snprintf(base, sizeof base, "%s/cli_base.parquet", dir);
    tn_parquet_write_options o = {.codec = PQ_SNAPPY};
    CHECK_OK(write_fixture(base, b, &o, &err), &err);
    CHECK_EQ_INT(render(base, "cli_base.parquet"), 100);
    const char *build = getenv("TARN_BUILD_DIR");
    snprintf(tarn, sizeof tarn, "%s/tarn", build ? build : "build");
    snprintf(path, sizeof path, "%s/cli_base.parquet.jsonl", json_dir);
    char *want = slurp(path);
    CHECK(want != NULL);
    for (size_t i = 0; i < sizeof flag_cases / sizeof *flag_cases; i++) {
        snprintf(path, sizeof path, "%s/cli_%zu.parquet", dir, i);
        snprintf(cmd, sizeof cmd, "'%s' convert '%s' '%s' %s", tarn, base, path, flag_cases[i].flags);
        int rc = system(cmd);
        if (rc != 0)
            fprintf(stderr, "  %s: exit %d\n", cmd, rc);
        CHECK_EQ_INT(rc, 0);
        census c;
        CHECK_EQ_INT(take_census(path, &c), 0);
        int rg = flag_cases[i].row_groups, dict = flag_cases[i].dict;
        bool ok = (flag_cases[i].codec < 0 || c.codecs == 1u << flag_cases[i].codec) &&
                  (flag_cases[i].version == 2 ? c.v1 == 0 && c.v2 > 0 : c.v2 == 0 && c.v1 > 0) &&
                  (dict < 0 || (dict == 0 ? c.dict == 0 : dict == 1 ? c.dict > c.chunks / 2
                                                                     : c.dict > 0 && c.dict < c.chunks / 2)) &&
                  (rg > 0 ? c.row_groups == rg : c.row_groups >= -rg) &&
                  (!flag_cases[i].encoding || (c.encodings & 1u << flag_cases[i].encoding)) &&
                  (flag_cases[i].blooms < 0 || c.blooms == flag_cases[i].blooms) &&
                  c.arrow_schema == flag_cases[i].arrow_schema &&
                  (!flag_cases[i].many_pages || c.v1 + c.v2 > 2 * c.chunks);
        if (!ok)
            fprintf(stderr, "  %s: codecs %#x, %d row groups, %d chunks, %d v1, %d v2, %d dictionary pages, "
                    "encodings %#x, %d bloom filters, ARROW:schema %d\n", flag_cases[i].flags, c.codecs,
                    c.row_groups, c.chunks, c.v1, c.v2, c.dict, c.encodings, c.blooms, c.arrow_schema);
        CHECK(ok);
        if (!flag_cases[i].arrow_schema)
            continue; /* without ARROW:schema some types come back as their Parquet forms */
        const char *name = strrchr(path, '/') + 1;
        CHECK_EQ_INT(render(path, name), 100);
        char jp[PATH_MAX * 3];
        snprintf(jp, sizeof jp, "%s/%s.jsonl", json_dir, name);
        char *got = slurp(jp);
        bool same = got && want && strcmp(got, want) == 0;
        if (!same)
            fprintf(stderr, "  %s: values differ from the fixture's\n", flag_cases[i].flags);
        CHECK(same);
        free(got);
    }
    free(want);
    tn_batch_unref(b);
    tn_schema_unref(s);
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

/* The files arrow-rs writes (their values are checked in
 * test_parquet_arrowrs.c): the codec and data page version named, a page
 * index on every chunk, and that index used by tarn to skip pages. */
TEST(arrowrs_pages)
{
    tarn_error err;
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 100, &b, &err), &err);
    if (!b)
        return;
    char sub[PATH_MAX + 16], path[PATH_MAX * 2], cmd[PATH_MAX * 3];
    snprintf(sub, sizeof sub, "%s/rs", dir);
    mkdir(sub, 0777);
    snprintf(path, sizeof path, "%s/fixture.arrows", sub);
    CHECK_OK(write_ipc_stream(path, b, &err), &err);
    snprintf(cmd, sizeof cmd, "cd '%s' && node tests/interop/parquet_arrowrs.mjs '%s'", src_dir, sub);
    CHECK_EQ_INT(system(cmd), 0);
    static const struct {
        const char *name;
        int codec, version;
        bool plain; /* no dictionary: pages of 64 bytes, several per chunk */
    } rs[] = {{"snappy_v1", PQ_SNAPPY, 1, false},  {"gzip_v2", PQ_GZIP, 2, false},
              {"zstd_v1_plain", PQ_ZSTD, 1, true}, {"lz4raw_v2", PQ_LZ4_RAW, 2, true},
              {"brotli_v1", PQ_BROTLI, 1, false},  {"none_v2", PQ_UNCOMPRESSED, 2, false},
              {"encodings_v2", PQ_ZSTD, 2, true}};
    for (size_t i = 0; i < sizeof rs / sizeof *rs; i++) {
        snprintf(path, sizeof path, "%s/rs_%s.parquet", sub, rs[i].name);
        census c;
        CHECK_EQ_INT(take_census(path, &c), 0);
        bool ok = c.codecs == 1u << rs[i].codec && c.row_groups == 3 && c.page_indexes == c.chunks &&
                  (!rs[i].plain || c.v1 + c.v2 > c.chunks) &&
                  (rs[i].version == 2 ? c.v1 == 0 && c.v2 > 0 : c.v2 == 0 && c.v1 > 0);
        if (!ok)
            fprintf(stderr, "  rs_%s: codecs %#x, %d row groups, %d chunks, %d v1, %d v2, %d page indexes\n",
                    rs[i].name, c.codecs, c.row_groups, c.chunks, c.v1, c.v2, c.page_indexes);
        CHECK(ok);
    }
    /* f64 rises with the row: f64 < 5 holds on a few rows of the first
     * row group's first page; statistics rule out the other row groups
     * (floats prune <, not >=: filter.c), the page index the other pages */
    int64_t want = 0;
    int32_t f64 = tn_schema_find(s, "f64");
    CHECK(f64 >= 0);
    for (int64_t k = 0; f64 >= 0 && k < b->length; k++)
        want += tn_array_is_valid(b->columns[f64], k) && TN_VALUES(b->columns[f64], double)[k] < 5;
    CHECK(want > 0 && want < 8);
    snprintf(path, sizeof path, "%s/rs_zstd_v1_plain.parquet", sub);
    const char *cols[] = {"i32", "f64"};
    tn_parquet_read_options o = {.columns = cols, .n_columns = 2, .limit = -1, .filter = "f64 < 5"};
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, &o, &r, &err), &err);
    int64_t rows = 0;
    for (tn_batch *got; r && tn_reader_next(r, &got, &err) == 0 && got;) {
        for (int64_t k = 0; k < got->length; k++)
            CHECK(TN_VALUES(got->columns[1], double)[k] < 5);
        rows += got->length;
        tn_batch_unref(got);
    }
    tn_parquet_scan_stats st = {0};
    if (r)
        tn_parquet_reader_scan_stats(r, &st);
    tn_reader_free(r);
    CHECK_EQ_INT(rows, want);
    CHECK_EQ_INT(st.row_groups_by_stats, 2);
    if (st.pages_by_index == 0)
        fprintf(stderr, "  rs_zstd_v1_plain: %lld pages read, none skipped by the page index\n",
                (long long)st.pages_read);
    CHECK(st.pages_by_index > 0);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* The parquet-testing files DuckDB reads only in part. */
TEST(duckdb_partial_files)
{
    char data[PATH_MAX + 64], path[PATH_MAX * 2], *args[16];
    int n = 0;
    snprintf(data, sizeof data, "%s/../shared/parquet-testing/data", src_dir);
    static const char *geo[] = {"crs-arbitrary-value.parquet", "crs-default.parquet", "crs-geography.parquet",
                                "crs-projjson.parquet", "crs-srid.parquet", "geography-lines.parquet",
                                "geography-points.parquet", "geography-polygons.parquet",
                                "geospatial-with-nan.parquet", "geospatial.parquet"};
    for (size_t i = 0; i < sizeof geo / sizeof *geo; i++) {
        snprintf(path, sizeof path, "%s/geospatial/%s", data, geo[i]);
        CHECK(render(path, geo[i]) > 0);
        args[n++] = strdup(path);
    }
    /* DuckDB decodes BYTE_STREAM_SPLIT only for FLOAT and DOUBLE: the
     * other columns are compared in their PLAIN copies (test_parquet.c
     * checks each BYTE_STREAM_SPLIT copy equals its PLAIN one). */
    snprintf(path, sizeof path, "%s/byte_stream_split_extended.gzip.parquet", data);
    CHECK_EQ_INT(render(path, "byte_stream_split_extended.gzip.parquet"), 200);
    snprintf(path, sizeof path,
             "%s/byte_stream_split_extended.gzip.parquet::float16_plain,float_plain,float_byte_stream_split,"
             "double_plain,double_byte_stream_split,int32_plain,int64_plain,flba5_plain,decimal_plain",
             data);
    args[n++] = strdup(path);
    CHECK_EQ_INT(compare_with_duckdb(args, n), 0);
    for (int i = 0; i < n; i++)
        free(args[i]);
}

/* Every bad_data file but the valid reproducer, and every encrypted file,
 * fails to read with one line naming the file (test_parquet.c checks the
 * codes; this, that the message says which file). */
static void check_names_file(const char *path, int *n)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_reader *r = NULL;
    int rc = tn_parquet_open_file(path, NULL, &r, &err);
    for (tn_batch *b; rc == 0 && (rc = tn_reader_next(r, &b, &err)) == 0 && b;)
        tn_batch_unref(b);
    tn_reader_free(r);
    bool ok = rc != 0 && strncmp(err.message, path, strlen(path)) == 0 && err.message[strlen(path)] == ':' &&
              !strchr(err.message, '\n');
    if (!ok)
        fprintf(stderr, "  %s: %s\n", path, err.message);
    CHECK(ok);
    (*n)++;
}

TEST(bad_files_name_the_file)
{
    static const char *dirs[] = {"bad_data", "data", "data/aes256"};
    int n = 0;
    for (size_t k = 0; k < sizeof dirs / sizeof *dirs; k++) {
        char d[PATH_MAX + 64], path[PATH_MAX * 2];
        snprintf(d, sizeof d, "%s/../shared/parquet-testing/%s", src_dir, dirs[k]);
        DIR *dh = opendir(d);
        CHECK(dh != NULL);
        for (struct dirent *e; dh && (e = readdir(dh));) {
            size_t l = strlen(e->d_name);
            bool enc = l > 18 && strcmp(e->d_name + l - 18, ".parquet.encrypted") == 0;
            bool bad = k == 0 && l > 8 && strcmp(e->d_name + l - 8, ".parquet") == 0 &&
                       strcmp(e->d_name, "ARROW-GH-43605.parquet") != 0;
            if (!enc && !bad)
                continue;
            snprintf(path, sizeof path, "%s/%s", d, e->d_name);
            check_names_file(path, &n);
        }
        if (dh)
            closedir(dh);
    }
    CHECK_EQ_INT(n, 7 + 13);
}

/* map_no_value (DuckDB cannot read it) holds the same keys three ways: a
 * map, a map whose key_value group has no value, and a list. */
static void keys_of(const tn_array *list, int64_t row, const tn_array *keys, int32_t *out, int *n)
{
    const int32_t *o = TN_OFFSETS32(list) + row;
    *n = 0;
    for (int32_t k = o[0]; k < o[1] && *n < 16; k++)
        out[(*n)++] = TN_VALUES(keys, int32_t)[k];
}

TEST(map_no_value_keys)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/../shared/parquet-testing/data/map_no_value.parquet", src_dir);
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    if (!r)
        return;
    int64_t rows = 0;
    for (tn_batch *b; tn_reader_next(r, &b, &err) == 0 && b;) {
        const tn_array *map = b->columns[0], *nov = b->columns[1]->children[0], *list = b->columns[2];
        for (int64_t i = 0; i < b->length; i++) {
            int32_t a[16], c[16], l[16];
            int na, nc, nl;
            keys_of(map, i, map->children[0]->children[0], a, &na);
            keys_of(nov, i, nov->children[0]->children[0], c, &nc);
            keys_of(list, i, list->children[0], l, &nl);
            CHECK(na == 3 && nc == na && nl == na);
            for (int k = 0; k < na && k < nc && k < nl; k++) {
                CHECK_EQ_INT(a[k], (rows + i) * 3 + k + 1);
                CHECK(a[k] == c[k] && a[k] == l[k]);
            }
        }
        rows += b->length;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(rows, 3);
}

/* --- a file with an empty row group -------------------------------------- */

/* Neither tarn nor the peers write an empty row group, so one is built here
 * by hand: INT32 column x (required, PLAIN, uncompressed) in three row
 * groups of 3, 0 and 2 rows holding 1..5. */
#define TH(call) CHECK_OK(call, &err)

static void chunk_meta(tn_th_writer *w, tarn_error *e, int64_t offset, int32_t values, int64_t bytes)
{
    tarn_error err = *e;
    TH(tn_th_w_field(w, 3, TN_TH_STRUCT)); /* ColumnChunk.meta_data */
    TH(tn_th_w_struct_begin(w));
    TH(tn_th_w_i32(w, 1, PQ_INT32));
    TH(tn_th_w_list(w, 2, TN_TH_I32, 1));
    TH(tn_th_w_raw_i32(w, PQ_PLAIN));
    TH(tn_th_w_list(w, 3, TN_TH_BINARY, 1));
    TH(tn_th_w_raw_binary(w, "x", 1));
    TH(tn_th_w_i32(w, 4, PQ_UNCOMPRESSED));
    TH(tn_th_w_i64(w, 5, values));
    TH(tn_th_w_i64(w, 6, bytes));
    TH(tn_th_w_i64(w, 7, bytes));
    TH(tn_th_w_i64(w, 9, offset));
    TH(tn_th_w_struct_end(w));
}

static int64_t data_page(tn_buf *b, const int32_t *v, int32_t n)
{
    tarn_error err;
    tn_th_writer w;
    size_t start = b->len;
    tn_th_writer_init(&w, b, &err);
    TH(tn_th_w_struct_begin(&w));
    TH(tn_th_w_i32(&w, 1, PQ_DATA_PAGE));
    TH(tn_th_w_i32(&w, 2, n * 4));
    TH(tn_th_w_i32(&w, 3, n * 4));
    TH(tn_th_w_field(&w, 5, TN_TH_STRUCT));
    TH(tn_th_w_struct_begin(&w));
    TH(tn_th_w_i32(&w, 1, n));
    TH(tn_th_w_i32(&w, 2, PQ_PLAIN));
    TH(tn_th_w_i32(&w, 3, PQ_RLE));
    TH(tn_th_w_i32(&w, 4, PQ_RLE));
    TH(tn_th_w_struct_end(&w));
    TH(tn_th_w_struct_end(&w));
    TH(tn_buf_append(b, v, (size_t)n * 4, &err));
    return (int64_t)(b->len - start);
}

static void write_empty_row_group_file(const char *path)
{
    tarn_error err;
    tn_buf b, foot;
    tn_buf_init(&b, 0);
    tn_buf_init(&foot, 0);
    TH(tn_buf_append(&b, "PAR1", 4, &err));
    static const int32_t first[] = {1, 2, 3}, last[] = {4, 5};
    int64_t at0 = (int64_t)b.len, n0 = data_page(&b, first, 3);
    int64_t at2 = (int64_t)b.len, n2 = data_page(&b, last, 2);
    static const struct {
        int32_t rows;
        int rg;
    } groups[] = {{3, 0}, {0, 1}, {2, 2}};
    tn_th_writer w;
    tn_th_writer_init(&w, &foot, &err);
    TH(tn_th_w_struct_begin(&w));
    TH(tn_th_w_i32(&w, 1, 1));
    TH(tn_th_w_list(&w, 2, TN_TH_STRUCT, 2));
    TH(tn_th_w_struct_begin(&w)); /* the root */
    TH(tn_th_w_binary(&w, 4, "schema", 6));
    TH(tn_th_w_i32(&w, 5, 1));
    TH(tn_th_w_struct_end(&w));
    TH(tn_th_w_struct_begin(&w)); /* x */
    TH(tn_th_w_i32(&w, 1, PQ_INT32));
    TH(tn_th_w_i32(&w, 3, PQ_REQUIRED));
    TH(tn_th_w_binary(&w, 4, "x", 1));
    TH(tn_th_w_struct_end(&w));
    TH(tn_th_w_i64(&w, 3, 5));
    TH(tn_th_w_list(&w, 4, TN_TH_STRUCT, 3));
    for (int g = 0; g < 3; g++) {
        /* the empty group's chunk holds no page; it points where the next one starts */
        int64_t at = g == 0 ? at0 : at2, bytes = g == 0 ? n0 : g == 2 ? n2 : 0;
        TH(tn_th_w_struct_begin(&w));
        TH(tn_th_w_list(&w, 1, TN_TH_STRUCT, 1));
        TH(tn_th_w_struct_begin(&w));
        TH(tn_th_w_i64(&w, 2, at));
        chunk_meta(&w, &err, at, groups[g].rows, bytes);
        TH(tn_th_w_struct_end(&w));
        TH(tn_th_w_i64(&w, 2, bytes));
        TH(tn_th_w_i64(&w, 3, groups[g].rows));
        TH(tn_th_w_struct_end(&w));
    }
    TH(tn_th_w_struct_end(&w));
    uint32_t len = (uint32_t)foot.len;
    TH(tn_buf_append(&b, foot.data, foot.len, &err));
    TH(tn_buf_append(&b, &len, 4, &err));
    TH(tn_buf_append(&b, "PAR1", 4, &err));
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(b.data, 1, b.len, f) == b.len);
    if (f)
        fclose(f);
    tn_buf_reset(&b);
    tn_buf_reset(&foot);
}

/* tarn, DuckDB and arrow-rs read the file with an empty row group alike. */
TEST(empty_row_group)
{
    char sub[PATH_MAX + 16], path[PATH_MAX * 2], cmd[PATH_MAX * 3];
    snprintf(sub, sizeof sub, "%s/emptyrg", dir);
    mkdir(sub, 0777);
    snprintf(path, sizeof path, "%s/tarn_empty_row_group.parquet", sub);
    write_empty_row_group_file(path);
    tarn_error err;
    int64_t rows;
    int32_t groups;
    CHECK_OK(tn_parquet_file_info(path, &rows, &groups, &err), &err);
    CHECK(rows == 5 && groups == 3);
    CHECK_EQ_INT(render(path, "tarn_empty_row_group.parquet"), 5);
    snprintf(cmd, sizeof cmd, "%s/tarn_empty_row_group.parquet.jsonl", json_dir);
    char *got = slurp(cmd);
    CHECK(got && strcmp(got, "{\"x\":1}\n{\"x\":2}\n{\"x\":3}\n{\"x\":4}\n{\"x\":5}\n") == 0);
    free(got);
    char *args[] = {path};
    CHECK_EQ_INT(compare_with_duckdb(args, 1), 0);
    /* arrow-rs: parquet_arrowrs.mjs turns each tarn_*.parquet of the
     * directory into Arrow IPC (and writes its own files from fixture.arrows) */
    tn_schema *s = parquet_fixture();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 10, &b, &err), &err);
    snprintf(cmd, sizeof cmd, "%s/fixture.arrows", sub);
    if (b)
        CHECK_OK(write_ipc_stream(cmd, b, &err), &err);
    tn_batch_unref(b);
    tn_schema_unref(s);
    snprintf(cmd, sizeof cmd, "cd '%s' && node tests/interop/parquet_arrowrs.mjs '%s'", src_dir, sub);
    CHECK_EQ_INT(system(cmd), 0);
    snprintf(path, sizeof path, "%s/tarn_empty_row_group.arrows", sub);
    tn_reader *r = NULL;
    CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
    int64_t n = 0, sum = 0;
    for (tn_batch *x; r && tn_reader_next(r, &x, &err) == 0 && x;) {
        for (int64_t i = 0; i < x->length; i++)
            sum += (n + i + 1) * TN_VALUES(x->columns[0], int32_t)[i];
        n += x->length;
        tn_batch_unref(x);
    }
    tn_reader_free(r);
    CHECK(n == 5 && sum == 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *build = getenv("TARN_BUILD_DIR");
    snprintf(src_dir, sizeof src_dir, "%s", src ? src : ".");
    snprintf(dir, sizeof dir, "%s/parquet_proof", build ? build : "build");
    snprintf(json_dir, sizeof json_dir, "%s/json", dir);
    mkdir(dir, 0777);
    mkdir(json_dir, 0777);
    RUN(tarn_reads_duckdb_files);
    RUN(duckdb_reads_tarn_files);
    RUN(arrowrs_pages);
    RUN(duckdb_partial_files);
    RUN(cli_writer_flags);
    RUN(bad_files_name_the_file);
    RUN(map_no_value_keys);
    RUN(empty_row_group);
    return tn_test_done();
}
