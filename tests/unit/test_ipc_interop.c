/*
 * test_ipc_interop.c — proves tarn's Arrow IPC against Arrow JS (the npm
 * package apache-arrow under peers/node_modules), both ways:
 *
 *   1. tarn writes the fixture batch (tests/ipc_fixture.h, the types Arrow JS
 *      reads) in the stream and file formats, uncompressed, LZ4_FRAME and
 *      ZSTD, plus a stream with a delta and a replaced dictionary;
 *      tests/interop/arrowjs_ipc.mjs reads each with Arrow JS and checks every
 *      value against the same row formulas, written in JavaScript.
 *   2. the script builds the same batches with Arrow JS and writes them in
 *      the same formats; tarn reads them and compares each column with the
 *      fixture (tn_array_equals). Uncompressed files must match exactly.
 *      Compressed files from Arrow JS 21.2.0 carry the compressed size in
 *      the buffer length prefix, where the format wants the uncompressed
 *      size; tarn (like Arrow C++) must refuse them as corrupt.
 *
 * Arrow JS has no LZ4 or ZSTD of its own; the script registers codecs that
 * run the lz4 and zstd command-line tools, so the frames on both sides are
 * made and read by the reference implementations.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/ipc/ipc.h"
#include "ipc_fixture.h"
#include "tn_test.h"

#define ROWS 29

static char dir[256];
static char script[1024];
static char modules[1024];

static const struct {
    const char *name;
    tn_ipc_write_options o;
} VARIANTS[] = {
    {"stream", {false, TN_IPC_UNCOMPRESSED, 0}}, {"file", {true, TN_IPC_UNCOMPRESSED, 0}},
    {"stream_lz4", {false, TN_IPC_LZ4_FRAME, 0}}, {"file_lz4", {true, TN_IPC_LZ4_FRAME, 0}},
    {"stream_zstd", {false, TN_IPC_ZSTD, 3}},    {"file_zstd", {true, TN_IPC_ZSTD, 3}},
};
#define N_VARIANTS (int)(sizeof VARIANTS / sizeof VARIANTS[0])

static int run_node(const char *mode)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "TARN_NODE_MODULES='%s' node '%s' %s '%s' %d", modules, script, mode, dir, ROWS);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* The fixture schema and its batch of ROWS rows in b[0]. */
static int fixture(tn_schema **s, tn_batch **b, tarn_error *err)
{
    *s = fx_schema();
    TN_TRY_ALLOC(*s, err, 64);
    TN_TRY(fx_batch(*s, ROWS, &b[0], err));
    return TARN_OK;
}

/* Dictionary stream: batches over ["a","b"], then ["a","b","c"] (a delta),
 * then ["z"] (a replacement). */
static int dict_stream(const char *path, tarn_error *err)
{
    tn_type *t = tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false);
    tn_schema *s = tn_schema_new(1);
    TN_TRY(tn_field_init(&s->fields[0], "d", t, true, err));
    static const char *vals[3][3] = {{"a", "b", NULL}, {"a", "b", "c"}, {"z", NULL, NULL}};
    static const int32_t ix[3][3] = {{1, 0, 1}, {2, 0, 1}, {0, 0, 0}};
    tn_batch *b[3] = {0};
    int rc = TARN_OK;
    for (int k = 0; k < 3 && rc == TARN_OK; k++) {
        tn_builder *vb = tn_builder_new(tn_type_get(TN_STRING));
        for (int j = 0; j < 3 && vals[k][j] && rc == TARN_OK; j++)
            rc = tn_builder_append_str(vb, vals[k][j], err);
        tn_array *d = NULL;
        if (rc == TARN_OK)
            rc = tn_builder_finish(vb, &d, err);
        tn_builder_free(vb);
        if (rc != TARN_OK)
            break;
        tn_array *a = tn_array_new(s->fields[0].type, 3, 2, 0);
        a->buffers[1] = tn_buffer_copy_of(ix[k], sizeof ix[k]);
        a->null_count = 0;
        a->dictionary = d;
        b[k] = tn_batch_new(s, 3);
        b[k]->columns[0] = a;
    }
    if (rc == TARN_OK) {
        tn_reader *r = tn_reader_from_batches(s, b, 3);
        tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
        rc = tn_ipc_write_file(path, r, &o, err);
        tn_reader_free(r);
    }
    for (int k = 0; k < 3; k++)
        tn_batch_unref(b[k]);
    tn_schema_unref(s);
    return rc;
}

TEST(tarn_writes_arrowjs_reads)
{
    tarn_error err;
    tn_schema *s = NULL;
    tn_batch *b[3] = {0};
    CHECK_OK(fixture(&s, b, &err), &err);
    if (!b[0])
        return;
    b[1] = tn_batch_slice(b[0], 5, ROWS - 5);
    CHECK_OK(fx_batch(s, 0, &b[2], &err), &err);
    for (int v = 0; v < N_VARIANTS; v++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tarn_%s.arrow", dir, VARIANTS[v].name);
        tn_reader *r = tn_reader_from_batches(s, b, 3);
        CHECK_OK(tn_ipc_write_file(path, r, &VARIANTS[v].o, &err), &err);
        tn_reader_free(r);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/tarn_dict_stream.arrow", dir);
    CHECK_OK(dict_stream(path, &err), &err);
    CHECK_EQ_INT(run_node("check-tarn"), 0);
    for (int k = 0; k < 3; k++)
        tn_batch_unref(b[k]);
    tn_schema_unref(s);
}

/* Read a file Arrow JS wrote and compare it with the fixture: two batches,
 * rows [0, 10) and [10, ROWS). Returns the first error status. */
static int read_js_file(const char *path, tn_schema *s, tn_batch *want)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_reader *r = NULL;
    int rc = tn_ipc_open_file(path, &r, &err);
    if (rc != TARN_OK) {
        fprintf(stderr, "  (expected for compressed files) %s\n", err.message);
        return rc;
    }
    if (!tn_schema_equals(r->schema, s)) {
        fprintf(stderr, "%s: schema differs from the fixture\n", path);
        for (int32_t c = 0; c < s->n_fields && c < r->schema->n_fields; c++)
            if (!tn_type_equals(s->fields[c].type, r->schema->fields[c].type) ||
                strcmp(s->fields[c].name, r->schema->fields[c].name) != 0)
                fprintf(stderr, "  field %d '%s' differs\n", c, s->fields[c].name);
        CHECK(false);
    }
    int n = 0;
    tn_batch *got = NULL;
    while ((rc = tn_reader_next(r, &got, &err)) == TARN_OK && got) {
        int64_t off = n == 0 ? 0 : 10;
        for (int32_t c = 0; c < s->n_fields && c < got->schema->n_fields; c++) {
            tn_array *w = tn_array_slice(want->columns[c], off, got->length);
            if (!w || !tn_array_equals(got->columns[c], w)) {
                fprintf(stderr, "%s: batch %d column '%s' differs\n", path, n, s->fields[c].name);
                CHECK(false);
            }
            tn_array_unref(w);
        }
        tn_batch_unref(got);
        n++;
    }
    if (rc != TARN_OK)
        fprintf(stderr, "  (expected for compressed files) %s\n", err.message);
    else
        CHECK_EQ_INT(n, 2);
    tn_reader_free(r);
    return rc;
}

TEST(arrowjs_writes_tarn_reads)
{
    tarn_error err;
    CHECK_EQ_INT(run_node("write-js"), 0);
    tn_schema *s = NULL;
    tn_batch *want[1] = {0};
    CHECK_OK(fixture(&s, want, &err), &err);
    if (!want[0])
        return;
    for (int v = 0; v < N_VARIANTS; v++) {
        char path[512];
        snprintf(path, sizeof path, "%s/js_%s.arrow", dir, VARIANTS[v].name);
        bool compressed = VARIANTS[v].o.codec != TN_IPC_UNCOMPRESSED;
        int rc = read_js_file(path, s, want[0]);
        if (!compressed)
            CHECK_EQ_INT(rc, 0);
        else /* Arrow JS prefixes compressed buffers with their compressed size */
            CHECK_EQ_INT(rc, TARN_ECORRUPT);
    }
    /* the JS dictionary stream: a delta, then a replacement */
    char path[512];
    snprintf(path, sizeof path, "%s/js_dict_stream.arrow", dir);
    tn_reader *r = NULL;
    CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
    static const char *expect[3][3] = {{"b", "a", "b"}, {"c", "a", "b"}, {"z", "z", "z"}};
    int n = 0;
    for (tn_batch *got = NULL; r && tn_reader_next(r, &got, &err) == 0 && got; n++) {
        tn_array *a = got->columns[0];
        for (int64_t i = 0; i < 3 && n < 3 && a->length == 3; i++) {
            int64_t len;
            const uint8_t *p = tn_array_bytes(a->dictionary, tn_array_dict_index(a, i), &len);
            CHECK(len == 1 && p[0] == (uint8_t)expect[n][i][0]);
        }
        if (n == 1)
            CHECK_EQ_INT(a->dictionary->length, 3); /* a..c after the delta */
        tn_batch_unref(got);
    }
    CHECK_EQ_INT(n, 3);
    tn_reader_free(r);
    tn_batch_unref(want[0]);
    tn_schema_unref(s);
}

int main(void)
{
    const char *src = getenv("TARN_SOURCE_DIR");
    if (!src)
        src = ".";
    snprintf(script, sizeof script, "%s/tests/interop/arrowjs_ipc.mjs", src);
    snprintf(modules, sizeof modules, "%s/peers/node_modules", src);
    snprintf(dir, sizeof dir, "/tmp/tarn_ipc_interop.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(tarn_writes_arrowjs_reads);
    RUN(arrowjs_writes_tarn_reads);
    if (getenv("TARN_KEEP_INTEROP")) {
        printf("files kept in %s\n", dir);
        return tn_test_done();
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return tn_test_done();
}
