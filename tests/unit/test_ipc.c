/*
 * test_ipc.c — the Arrow IPC reader and writer: the flatbuffer codec, round
 * trips of every type in both formats and with every codec (nulls, slices,
 * empty batches, metadata), dictionaries (delta, replacement, nested),
 * legacy framing, hostile input (truncation at every length, flipped bytes,
 * absurd lengths, bad offsets, big-endian, unsupported types), atomic file
 * writes and allocation-failure injection.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/ipc/ipc_int.h"
#include "ipc_fixture.h"
#include "tn_test.h"

/* --- helpers ------------------------------------------------------------------ */

static const tn_ipc_write_options FORMATS[] = {
    {false, TN_IPC_UNCOMPRESSED, 0}, {true, TN_IPC_UNCOMPRESSED, 0}, {false, TN_IPC_LZ4_FRAME, 0},
    {true, TN_IPC_LZ4_FRAME, 9},     {false, TN_IPC_ZSTD, 0},         {true, TN_IPC_ZSTD, 5},
};
#define N_FORMATS (int)(sizeof FORMATS / sizeof FORMATS[0])

static int write_batches(tn_schema *s, tn_batch **b, int n, const tn_ipc_write_options *o, tn_buffer **out,
                         tarn_error *err)
{
    tn_reader *r = tn_reader_from_batches(s, b, n);
    TN_TRY_ALLOC(r, err, 64);
    int rc = tn_ipc_write_buffer(r, o, out, err);
    tn_reader_free(r);
    return rc;
}

/* Read every batch; returns the status and the batches in *out (n_out). */
static int read_all(tn_buffer *data, tn_schema **schema, tn_batch **out, int max, int *n_out, tarn_error *err)
{
    tn_reader *r = NULL;
    *n_out = 0;
    TN_TRY(tn_ipc_open_buffer(data, "test.arrow", &r, err));
    int rc = TARN_OK;
    for (;;) {
        tn_batch *b = NULL;
        if ((rc = tn_reader_next(r, &b, err)) != TARN_OK || !b)
            break;
        if (*n_out < max)
            out[(*n_out)++] = b;
        else
            tn_batch_unref(b);
    }
    if (schema && rc == TARN_OK)
        *schema = tn_schema_ref(r->schema);
    tn_reader_free(r);
    if (rc != TARN_OK) {
        for (int i = 0; i < *n_out; i++)
            tn_batch_unref(out[i]);
        *n_out = 0;
    }
    return rc;
}

static void check_batches_equal(tn_batch *a, tn_batch *b)
{
    CHECK_EQ_INT(a->length, b->length);
    CHECK(tn_schema_equals(a->schema, b->schema));
    for (int32_t c = 0; c < a->schema->n_fields && c < b->schema->n_fields; c++) {
        if (!tn_array_equals(a->columns[c], b->columns[c])) {
            fprintf(stderr, "  column '%s' differs\n", a->schema->fields[c].name);
            CHECK(false);
        }
    }
}

static tn_buffer *buf_of(const void *p, int64_t n)
{
    return tn_buffer_copy_of(p, n);
}

/* Open and drain bytes; the status (0 when everything read). */
static int drain(const uint8_t *p, int64_t n, tarn_error *err)
{
    tn_buffer *b = buf_of(p, n);
    tn_batch *got[4];
    int k = 0;
    int rc = read_all(b, NULL, got, 4, &k, err);
    for (int i = 0; i < k; i++)
        tn_batch_unref(got[i]);
    tn_buffer_unref(b);
    return rc;
}

/* Walk the encapsulated messages of a stream: their header types and, for
 * dictionary batches, the delta flag (types[i] = -2 for a delta). */
static int message_types(const tn_buffer *data, int64_t start, int *types, int max)
{
    int n = 0;
    int64_t at = start;
    while (at + 8 <= data->size && n < max) {
        int32_t len = tn_fb_le32(data->data + at + 4);
        if (len == 0)
            break;
        tn_fb fb;
        tn_fbt root, hdr;
        tn_fb_init(&fb, data->data + at + 8, (size_t)len);
        tn_fb_root(&fb, &root);
        int type = (int)tn_fb_int(&fb, &root, MSG_HEADER_TYPE, 1, false, 0);
        tn_fb_table(&fb, &root, MSG_HEADER, &hdr);
        if (type == HDR_DICTIONARY && tn_fb_bool(&fb, &hdr, DB_DELTA, false))
            type = -2;
        types[n++] = type;
        at += 8 + len + tn_fb_int(&fb, &root, MSG_BODY_LENGTH, 8, true, 0);
    }
    return n;
}

/* --- flatbuffers ---------------------------------------------------------------- */

TEST(fb_roundtrip)
{
    tn_fbb b;
    tn_fbb_init(&b);
    tn_fb_ref s = tn_fbb_string(&b, "hello", 5);
    tn_fbb_table_start(&b);
    tn_fbb_add_int(&b, 0, -7, 4);
    tn_fb_ref child = tn_fbb_table_end(&b);
    tn_fb_ref kids = tn_fbb_ref_vector(&b, (tn_fb_ref[]){child, child}, 2);
    tn_fbb_table_start(&b);
    tn_fbb_add_int(&b, 0, 1234567890123LL, 8);
    tn_fbb_add_ref(&b, 1, s);
    tn_fbb_add_int(&b, 2, 1, 1);
    tn_fbb_add_ref(&b, 4, kids);
    size_t n = 0;
    const uint8_t *p = tn_fbb_finish(&b, tn_fbb_table_end(&b), &n);
    CHECK(p != NULL);
    CHECK_EQ_INT(n % 8, 0);
    tn_fb fb;
    tn_fbt root, c;
    tn_fbv v;
    uint32_t len;
    tn_fb_init(&fb, p, n);
    CHECK(tn_fb_root(&fb, &root));
    CHECK_EQ_INT(tn_fb_int(&fb, &root, 0, 8, true, 0), 1234567890123LL);
    const char *str = tn_fb_string(&fb, &root, 1, &len);
    CHECK(str && len == 5 && memcmp(str, "hello", 5) == 0);
    CHECK(tn_fb_bool(&fb, &root, 2, false));
    CHECK_EQ_INT(tn_fb_int(&fb, &root, 3, 4, true, 99), 99); /* absent: default */
    CHECK(tn_fb_vector(&fb, &root, 4, 4, &v));
    CHECK_EQ_INT(v.n, 2);
    CHECK(tn_fb_vec_table(&fb, &v, 1, &c));
    CHECK_EQ_INT(tn_fb_int(&fb, &c, 0, 4, true, 0), -7);
    CHECK(fb.bad == NULL);
    /* every truncation of it is refused or reads within bounds */
    for (size_t k = 0; k < n; k++) {
        uint8_t *q = malloc(k ? k : 1);
        memcpy(q, p, k);
        tn_fb_init(&fb, q, k);
        if (tn_fb_root(&fb, &root)) {
            tn_fb_string(&fb, &root, 1, &len);
            tn_fb_vector(&fb, &root, 4, 4, &v);
            tn_fb_vec_table(&fb, &v, 1, &c);
            tn_fb_int(&fb, &c, 0, 4, true, 0);
        }
        free(q);
    }
    /* a root offset pointing past the end */
    uint8_t bad[8] = {0xF0, 0, 0, 0, 0, 0, 0, 0};
    tn_fb_init(&fb, bad, sizeof bad);
    CHECK(!tn_fb_root(&fb, &root));
    CHECK(fb.bad != NULL);
    tn_fbb_reset(&b);
}

/* --- round trips ---------------------------------------------------------------- */

static tn_schema *fixture_with_metadata(void)
{
    tn_schema *s = fx_schema();
    if (!s)
        return NULL;
    if (tn_kv_add(&s->metadata, "origin", "tarn test", NULL) || tn_kv_add(&s->metadata, "empty", "", NULL) ||
        tn_kv_add(&s->fields[1].metadata, "unit", "furlong", NULL)) {
        tn_schema_unref(s);
        return NULL;
    }
    return s;
}

TEST(roundtrip_every_type)
{
    tarn_error err;
    tn_schema *s = fixture_with_metadata();
    CHECK(s != NULL);
    tn_batch *full = NULL, *empty = NULL;
    CHECK_OK(fx_batch(s, 37, &full, &err), &err);
    CHECK_OK(fx_batch(s, 0, &empty, &err), &err);
    tn_batch *sliced = tn_batch_slice(full, 3, 21);  /* bit offset not a multiple of 8 */
    tn_batch *tail = tn_batch_slice(full, 16, 21);   /* byte-aligned bitmaps, rebased offsets */
    tn_batch *in[4] = {full, sliced, empty, tail};
    for (int f = 0; f < N_FORMATS; f++) {
        tn_buffer *data = NULL;
        CHECK_OK(write_batches(s, in, 4, &FORMATS[f], &data, &err), &err);
        if (!data)
            continue;
        tn_schema *rs = NULL;
        tn_batch *got[4];
        int n = 0;
        CHECK_OK(read_all(data, &rs, got, 4, &n, &err), &err);
        CHECK_EQ_INT(n, 4);
        if (rs) {
            CHECK(tn_schema_equals(rs, s));
            CHECK_STR(tn_kv_get(&rs->metadata, "origin"), "tarn test");
            CHECK_STR(tn_kv_get(&rs->metadata, "empty"), "");
            CHECK_STR(tn_kv_get(&rs->fields[1].metadata, "unit"), "furlong");
            CHECK(tn_kv_get(&rs->fields[2].metadata, "unit") == NULL);
        }
        if (n > 0 && FORMATS[f].codec == TN_IPC_UNCOMPRESSED) {
            /* zero copy: the values of int32 column "i32" are a slice of the input */
            int32_t c = tn_schema_find(s, "i32");
            tn_buffer *v = got[0]->columns[c]->buffers[1];
            CHECK(v->parent == data && v->data >= data->data && v->data < data->data + data->size);
        }
        for (int i = 0; i < n; i++) {
            check_batches_equal(got[i], in[i]);
            tn_batch_unref(got[i]);
        }
        CHECK(data->size % 8 == 2 || !FORMATS[f].file_format); /* ... "ARROW1" after an i32 */
        tn_schema_unref(rs);
        tn_buffer_unref(data);
    }
    tn_batch_unref(full);
    tn_batch_unref(empty);
    tn_batch_unref(sliced);
    tn_batch_unref(tail);
    tn_schema_unref(s);
}

TEST(compression_helps_and_raw_fallback)
{
    /* a column of repeated values compresses; random bytes fall back to -1 */
    tarn_error err;
    tn_field *f[2] = {tn_field_new("zeros", tn_type_get(TN_INT64), false),
                      tn_field_new("noise", tn_type_get(TN_BINARY), false)};
    tn_schema *s = tn_schema_new(2);
    s->fields[0] = *f[0];
    s->fields[1] = *f[1];
    tn_free(f[0]);
    tn_free(f[1]);
    tn_builder *z = tn_builder_new(s->fields[0].type), *x = tn_builder_new(s->fields[1].type);
    uint32_t seed = 12345;
    for (int i = 0; i < 4000; i++) {
        uint8_t rnd[16];
        for (int k = 0; k < 16; k++)
            rnd[k] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 24);
        CHECK_OK(tn_builder_append_int(z, 42, &err), &err);
        CHECK_OK(tn_builder_append_bytes(x, rnd, 16, &err), &err);
    }
    tn_batch *b = tn_batch_new(s, 4000);
    CHECK_OK(tn_builder_finish(z, &b->columns[0], &err), &err);
    CHECK_OK(tn_builder_finish(x, &b->columns[1], &err), &err);
    tn_builder_free(z);
    tn_builder_free(x);
    tn_buffer *plain = NULL, *zstd = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    CHECK_OK(write_batches(s, &b, 1, &o, &plain, &err), &err);
    o.codec = TN_IPC_ZSTD;
    CHECK_OK(write_batches(s, &b, 1, &o, &zstd, &err), &err);
    /* 32 KB of 42s shrink to almost nothing; the 64 KB of noise stays */
    CHECK(zstd->size < plain->size - 30000);
    CHECK(zstd->size > 64000);
    tn_batch *got[1];
    int n = 0;
    CHECK_OK(read_all(zstd, NULL, got, 1, &n, &err), &err);
    CHECK_EQ_INT(n, 1);
    if (n) {
        check_batches_equal(got[0], b);
        tn_batch_unref(got[0]);
    }
    tn_buffer_unref(plain);
    tn_buffer_unref(zstd);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* Rewrite a continuation-framed stream in the legacy framing (i32 length). */
static tn_buffer *to_legacy(const tn_buffer *in)
{
    tn_buffer *out = tn_buffer_new(in->size);
    int64_t at = 0, o = 0;
    while (at + 8 <= in->size) {
        int32_t len = tn_fb_le32(in->data + at + 4);
        memcpy(out->data + o, in->data + at + 4, 4);
        o += 4;
        if (len == 0)
            break;
        tn_fb fb;
        tn_fbt root;
        tn_fb_init(&fb, in->data + at + 8, (size_t)len);
        tn_fb_root(&fb, &root);
        int64_t body = tn_fb_int(&fb, &root, MSG_BODY_LENGTH, 8, true, 0);
        memcpy(out->data + o, in->data + at + 8, (size_t)(len + body));
        o += len + body;
        at += 8 + len + body;
    }
    out->size = o;
    return out;
}

TEST(legacy_framing_and_missing_eos)
{
    tarn_error err;
    tn_schema *s = fx_schema();
    tn_batch *b = NULL;
    CHECK_OK(fx_batch(s, 10, &b, &err), &err);
    tn_buffer *data = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    CHECK_OK(write_batches(s, &b, 1, &o, &data, &err), &err);
    tn_buffer *legacy = to_legacy(data);
    tn_batch *got[2];
    int n = 0;
    /* legacy bodies sit 4 bytes off 8-byte alignment: buffers get copied */
    CHECK_OK(read_all(legacy, NULL, got, 2, &n, &err), &err);
    CHECK_EQ_INT(n, 1);
    if (n) {
        check_batches_equal(got[0], b);
        tn_batch_unref(got[0]);
    }
    /* a stream that just stops after its last message is complete */
    tn_buffer *noeos = tn_buffer_slice(data, 0, data->size - 8);
    CHECK_OK(read_all(noeos, NULL, got, 2, &n, &err), &err);
    CHECK_EQ_INT(n, 1);
    if (n)
        tn_batch_unref(got[0]);
    tn_buffer_unref(noeos);
    tn_buffer_unref(legacy);
    tn_buffer_unref(data);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

/* --- dictionaries ------------------------------------------------------------- */

static tn_array *strings(const char *const *v, int n)
{
    tn_builder *b = tn_builder_new(tn_type_get(TN_STRING));
    tn_array *a = NULL;
    for (int i = 0; i < n; i++)
        if (tn_builder_append_str(b, v[i], NULL))
            return NULL;
    if (tn_builder_finish(b, &a, NULL))
        a = NULL;
    tn_builder_free(b);
    return a;
}

/* A dictionary<int32, utf8> array of the given indices over dict. */
static tn_array *dict_array(tn_type *t, tn_array *dict, const int32_t *ix, int n)
{
    tn_array *a = tn_array_new(t, n, 2, 0);
    a->buffers[1] = tn_buffer_copy_of(ix, 4 * n);
    a->null_count = 0;
    a->dictionary = tn_array_ref(dict);
    return a;
}

static void dict_batches(tn_schema **s_out, tn_batch **b)
{
    tn_type *t = tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false);
    tn_schema *s = tn_schema_new(1);
    CHECK_OK(tn_field_init(&s->fields[0], "d", tn_type_ref(t), true, NULL), (&(tarn_error){0}));
    const char *v1[] = {"A", "B", "C"}, *v2[] = {"A", "B", "C", "D", "E"}, *v3[] = {"X", "Y"};
    tn_array *d1 = strings(v1, 3), *d2 = strings(v2, 5), *d3 = strings(v3, 2);
    int32_t i1[] = {0, 1, 2, 1}, i2[] = {3, 2, 4, 0}, i3[] = {1, 0, 1};
    tn_array *cols[4] = {dict_array(t, d1, i1, 4), dict_array(t, d2, i2, 4), dict_array(t, d3, i3, 3),
                         dict_array(t, d1, i1, 2)};
    for (int k = 0; k < 4; k++) {
        b[k] = tn_batch_new(s, cols[k]->length);
        b[k]->columns[0] = cols[k];
    }
    tn_array_unref(d1);
    tn_array_unref(d2);
    tn_array_unref(d3);
    tn_type_unref(t);
    *s_out = s;
}

TEST(dictionary_delta_and_replacement)
{
    tarn_error err;
    tn_schema *s;
    tn_batch *b[4];
    dict_batches(&s, b);
    tn_buffer *data = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    CHECK_OK(write_batches(s, b, 4, &o, &data, &err), &err);
    /* schema, dict, batch, delta (D, E), batch, replacement, batch, new
     * replacement for the old dictionary (A..C no longer a prefix), batch */
    int types[16];
    int n = data ? message_types(data, 0, types, 16) : 0;
    int want[] = {HDR_SCHEMA, HDR_DICTIONARY, HDR_RECORD_BATCH, -2, HDR_RECORD_BATCH, HDR_DICTIONARY,
                  HDR_RECORD_BATCH, HDR_DICTIONARY, HDR_RECORD_BATCH};
    CHECK_EQ_INT(n, 9);
    for (int i = 0; i < n && i < 9; i++)
        CHECK_EQ_INT(types[i], want[i]);
    tn_batch *got[4];
    int k = 0;
    CHECK_OK(read_all(data, NULL, got, 4, &k, &err), &err);
    CHECK_EQ_INT(k, 4);
    if (k == 4) /* the delta made the reader's dictionary A..E */
        CHECK_EQ_INT(got[1]->columns[0]->dictionary->length, 5);
    for (int i = 0; i < k; i++) {
        check_batches_equal(got[i], b[i]);
        tn_batch_unref(got[i]);
    }
    /* the file format takes the delta but refuses the replacement */
    tn_buffer *file = NULL;
    o.file_format = true;
    CHECK_OK(write_batches(s, b, 2, &o, &file, &err), &err);
    CHECK_OK(read_all(file, NULL, got, 4, &k, &err), &err);
    CHECK_EQ_INT(k, 2);
    for (int i = 0; i < k; i++) {
        check_batches_equal(got[i], b[i]);
        tn_batch_unref(got[i]);
    }
    tn_buffer *bad = NULL;
    CHECK_EQ_INT(write_batches(s, b, 3, &o, &bad, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "cannot replace dictionary");
    CHECK(bad == NULL);
    tn_buffer_unref(file);
    tn_buffer_unref(data);
    for (int i = 0; i < 4; i++)
        tn_batch_unref(b[i]);
    tn_schema_unref(s);
}

/* --- files on disk --------------------------------------------------------------- */

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tarn_ipc_test.XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

TEST(files_atomic)
{
    tarn_error err;
    make_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/t.arrow", tmpdir);
    tn_schema *s;
    tn_batch *b[4];
    dict_batches(&s, b);
    tn_ipc_write_options o = {true, TN_IPC_LZ4_FRAME, 0};
    tn_reader *in = tn_reader_from_batches(s, b, 2);
    CHECK_OK(tn_ipc_write_file(path, in, &o, &err), &err);
    tn_reader_free(in);
    tn_reader *r = NULL;
    CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
    int k = 0;
    for (tn_batch *got = NULL; r && tn_reader_next(r, &got, &err) == 0 && got; k++) {
        check_batches_equal(got, b[k]);
        tn_batch_unref(got);
    }
    CHECK_EQ_INT(k, 2);
    tn_reader_free(r);
    /* a failing write (replacement in a file) leaves the old file alone and no temporary */
    in = tn_reader_from_batches(s, b, 3);
    CHECK_EQ_INT(tn_ipc_write_file(path, in, &o, &err), TARN_EUNSUPPORTED);
    tn_reader_free(in);
    CHECK_EQ_INT(dir_entries(tmpdir), 1);
    CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
    tn_reader_free(r);
    unlink(path);
    in = tn_reader_from_batches(s, b, 3);
    CHECK_EQ_INT(tn_ipc_write_file(path, in, &o, &err), TARN_EUNSUPPORTED);
    tn_reader_free(in);
    CHECK_EQ_INT(dir_entries(tmpdir), 0);
    {
        /* a buffer larger than the writer's staging area goes straight to the file */
        tn_schema *big = tn_schema_new(1);
        CHECK_OK(tn_field_init(&big->fields[0], "v", tn_type_get(TN_INT64), false, &err), &err);
        tn_builder *bl = tn_builder_new(big->fields[0].type);
        for (int64_t i = 0; i < 300000; i++)
            CHECK_OK(tn_builder_append_int(bl, i * 3 - 7, &err), &err);
        tn_batch *bb = tn_batch_new(big, 300000);
        CHECK_OK(tn_builder_finish(bl, &bb->columns[0], &err), &err);
        tn_builder_free(bl);
        tn_ipc_write_options plain = {true, TN_IPC_UNCOMPRESSED, 0};
        in = tn_reader_from_batches(big, &bb, 1);
        CHECK_OK(tn_ipc_write_file(path, in, &plain, &err), &err);
        tn_reader_free(in);
        CHECK_OK(tn_ipc_open_file(path, &r, &err), &err);
        tn_batch *got = NULL;
        if (r)
            CHECK_OK(tn_reader_next(r, &got, &err), &err);
        CHECK(got != NULL);
        if (got) {
            check_batches_equal(got, bb);
            tn_batch_unref(got);
        }
        tn_reader_free(r);
        unlink(path);
        tn_batch_unref(bb);
        tn_schema_unref(big);
    }
    {
        /* a pipe cannot be mapped: it is read into memory */
        tn_buffer *data = NULL;
        tn_ipc_write_options st = {false, TN_IPC_UNCOMPRESSED, 0};
        CHECK_OK(write_batches(s, b, 2, &st, &data, &err), &err);
        int fds[2];
        CHECK(pipe(fds) == 0);
        CHECK(data && data->size < 60000 && write(fds[1], data->data, (size_t)data->size) == data->size);
        close(fds[1]);
        char pp[64];
        snprintf(pp, sizeof pp, "/proc/self/fd/%d", fds[0]);
        CHECK_OK(tn_ipc_open_file(pp, &r, &err), &err);
        int k2 = 0;
        for (tn_batch *got = NULL; r && tn_reader_next(r, &got, &err) == 0 && got; k2++) {
            check_batches_equal(got, b[k2]);
            tn_batch_unref(got);
        }
        CHECK_EQ_INT(k2, 2);
        tn_reader_free(r);
        close(fds[0]);
        tn_buffer_unref(data);
    }
    /* errors name the path */
    snprintf(path, sizeof path, "%s/missing/t.arrow", tmpdir);
    in = tn_reader_from_batches(s, b, 1);
    CHECK_EQ_INT(tn_ipc_write_file(path, in, &o, &err), TARN_EIO);
    CHECK_MSG(&err, "missing/t.arrow");
    tn_reader_free(in);
    CHECK_EQ_INT(tn_ipc_open_file(path, &r, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "missing/t.arrow");
    snprintf(path, sizeof path, "%s/empty.arrow", tmpdir);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    CHECK_EQ_INT(tn_ipc_open_file(path, &r, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "empty.arrow");
    unlink(path);
    rmdir(tmpdir);
    for (int i = 0; i < 4; i++)
        tn_batch_unref(b[i]);
    tn_schema_unref(s);
}

/* --- hostile input ------------------------------------------------------------ */

static tn_buffer *small_file(bool file_format, tn_ipc_codec codec)
{
    tarn_error err;
    tn_schema *s = fx_schema();
    tn_batch *b = NULL;
    tn_buffer *data = NULL;
    if (fx_batch(s, 6, &b, &err) == 0) {
        tn_ipc_write_options o = {file_format, codec, 0};
        if (write_batches(s, &b, 1, &o, &data, &err) != 0)
            data = NULL;
    }
    tn_batch_unref(b);
    tn_schema_unref(s);
    return data;
}

TEST(truncated_at_every_length)
{
    for (int ff = 0; ff < 2; ff++) {
        tn_buffer *data = small_file(ff, ff ? TN_IPC_ZSTD : TN_IPC_UNCOMPRESSED);
        CHECK(data != NULL);
        if (!data)
            continue;
        int ok = 0;
        for (int64_t n = 0; n < data->size; n++) {
            tarn_error err;
            tarn_error_init(&err);
            int rc = drain(data->data, n, &err);
            if (rc == 0)
                ok++;
            else
                CHECK(err.message[0] != 0 && strstr(err.message, "test.arrow") != NULL);
        }
        tarn_error err;
        CHECK_OK(drain(data->data, data->size, &err), &err);
        /* a file is never complete before its last byte; a stream cut at a
         * message boundary is a shorter valid stream */
        int types[16];
        int boundaries = ff ? 0 : message_types(data, 0, types, 16);
        CHECK_EQ_INT(ok, boundaries);
        CHECK(ff || boundaries == 5); /* schema, 3 dictionaries, 1 batch */
        tn_buffer_unref(data);
    }
}

TEST(flipped_bytes)
{
    for (int ff = 0; ff < 2; ff++) {
        tn_buffer *data = small_file(ff, ff ? TN_IPC_LZ4_FRAME : TN_IPC_UNCOMPRESSED);
        if (!data)
            continue;
        uint8_t *copy = malloc((size_t)data->size);
        int failed = 0;
        for (int64_t i = 0; i < data->size; i++) {
            for (int pat = 0; pat < (i % 4 == 0 ? 3 : 1); pat++) { /* keep the run short */
                static const uint8_t xors[3] = {0xFF, 0x01, 0x80};
                memcpy(copy, data->data, (size_t)data->size);
                copy[i] ^= xors[pat];
                tarn_error err;
                tarn_error_init(&err);
                if (drain(copy, data->size, &err) != 0) {
                    failed++;
                    CHECK(err.message[0] != 0);
                }
            }
        }
        CHECK(failed > 0);
        free(copy);
        tn_buffer_unref(data);
    }
}

/* A stream: the schema message of a valid stream, then `msg` (a finished
 * Message flatbuffer) with a body of body_len zero bytes. */
static tn_buffer *stream_with(const tn_buffer *valid, const uint8_t *msg, size_t n, int64_t body_len)
{
    int32_t len0 = tn_fb_le32(valid->data + 4);
    int64_t first = 8 + len0; /* the schema message has no body */
    tn_buffer *out = tn_buffer_new_zeroed(first + 8 + (int64_t)n + body_len + 8);
    memcpy(out->data, valid->data, (size_t)first);
    uint8_t *p = out->data + first;
    memcpy(p, "\xff\xff\xff\xff", 4);
    int32_t ln = (int32_t)n;
    memcpy(p + 4, &ln, 4);
    memcpy(p + 8, msg, n);
    memcpy(p + 8 + n + body_len, "\xff\xff\xff\xff\0\0\0\0", 8);
    return out;
}

/* A RecordBatch message for one int32 column: node (len, nulls), two
 * buffers (off, len) each. */
static const uint8_t *rb_message(tn_fbb *b, int64_t len, int64_t nulls, const int64_t *bufs, int n_bufs,
                                 int64_t body_len, size_t *size)
{
    tn_fbb_init(b);
    int64_t node[2] = {len, nulls};
    tn_fbb_vec_start(b, 16, 1, 8);
    tn_fbb_push_bytes(b, node, 16);
    tn_fb_ref nodes = tn_fbb_vec_end(b, 1);
    tn_fbb_vec_start(b, 16, (size_t)n_bufs, 8);
    for (int i = n_bufs; i-- > 0;)
        tn_fbb_push_bytes(b, bufs + 2 * i, 16);
    tn_fb_ref bv = tn_fbb_vec_end(b, (size_t)n_bufs);
    tn_fbb_table_start(b);
    tn_fbb_add_int(b, RB_LENGTH, len, 8);
    tn_fbb_add_ref(b, RB_NODES, nodes);
    tn_fbb_add_ref(b, RB_BUFFERS, bv);
    tn_fb_ref rb = tn_fbb_table_end(b);
    tn_fbb_table_start(b);
    tn_fbb_add_int(b, MSG_VERSION, IPC_V5, 2);
    tn_fbb_add_int(b, MSG_HEADER_TYPE, HDR_RECORD_BATCH, 1);
    tn_fbb_add_ref(b, MSG_HEADER, rb);
    tn_fbb_add_int(b, MSG_BODY_LENGTH, body_len, 8);
    return tn_fbb_finish(b, tn_fbb_table_end(b), size);
}

static tn_buffer *int32_stream(void)
{
    tn_schema *s = tn_schema_new(1);
    if (tn_field_init(&s->fields[0], "x", tn_type_get(TN_INT32), true, NULL))
        return NULL;
    tn_buffer *data = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    if (write_batches(s, NULL, 0, &o, &data, NULL))
        data = NULL;
    tn_schema_unref(s);
    return data;
}

static int crafted(const tn_buffer *valid, int64_t len, int64_t nulls, const int64_t *bufs, int n_bufs,
                   int64_t declared_body, int64_t real_body, tarn_error *err)
{
    tn_fbb b;
    size_t n = 0;
    const uint8_t *m = rb_message(&b, len, nulls, bufs, n_bufs, declared_body, &n);
    tn_buffer *s = stream_with(valid, m, n, real_body);
    tn_fbb_reset(&b);
    int rc = drain(s->data, s->size, err);
    tn_buffer_unref(s);
    return rc;
}

TEST(absurd_lengths_and_counts)
{
    tarn_error err;
    tn_buffer *valid = int32_stream();
    CHECK(valid != NULL);
    if (!valid)
        return;
    /* sanity: a well-formed crafted batch reads */
    int64_t ok_bufs[4] = {0, 0, 0, 16};
    CHECK_OK(crafted(valid, 4, 0, ok_bufs, 2, 16, 16, &err), &err);
    /* a length far beyond the buffers */
    CHECK_EQ_INT(crafted(valid, 1000000, 0, ok_bufs, 2, 16, 16, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "byte offset");
    /* an absurd node length */
    CHECK_EQ_INT(crafted(valid, INT64_MAX, 0, ok_bufs, 2, 16, 16, &err), TARN_ECORRUPT);
    CHECK_EQ_INT(crafted(valid, -1, 0, ok_bufs, 2, 16, 16, &err), TARN_ECORRUPT);
    /* more nulls than values */
    CHECK_EQ_INT(crafted(valid, 4, 5, ok_bufs, 2, 16, 16, &err), TARN_ECORRUPT);
    /* a buffer past the body, and one at an offset that overflows */
    int64_t far[4] = {0, 0, 8, 1 << 30};
    CHECK_EQ_INT(crafted(valid, 4, 0, far, 2, 16, 16, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "outside the 16-byte body");
    int64_t wrap[4] = {0, 0, INT64_MAX, INT64_MAX};
    CHECK_EQ_INT(crafted(valid, 4, 0, wrap, 2, 16, 16, &err), TARN_ECORRUPT);
    /* too few buffers */
    CHECK_EQ_INT(crafted(valid, 4, 0, ok_bufs, 1, 16, 16, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "fewer buffers");
    /* a body longer than the input */
    CHECK_EQ_INT(crafted(valid, 4, 0, ok_bufs, 2, 1LL << 40, 16, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "body length");
    /* a metadata length longer than the input */
    tn_buffer *b = tn_buffer_copy_of(valid->data, valid->size);
    b->data[4] = 0xFF;
    b->data[5] = 0xFF;
    b->data[6] = 0xFF;
    b->data[7] = 0x7F;
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "metadata length 2147483647 exceeds");
    /* a root offset out of bounds */
    memcpy(b->data, valid->data, (size_t)valid->size);
    b->data[8] = 0xF0;
    b->data[9] = 0xFF;
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "malformed flatbuffer");
    tn_buffer_unref(b);
    tn_buffer_unref(valid);
}

/* A schema message built by hand: one field with the given type tag and an
 * empty type table, and the given endianness. */
static tn_buffer *schema_stream(int tag, int endianness)
{
    tn_fbb b;
    tn_fbb_init(&b);
    tn_fb_ref name = tn_fbb_string(&b, "u", 1);
    tn_fbb_table_start(&b);
    tn_fb_ref type = tn_fbb_table_end(&b);
    tn_fbb_table_start(&b);
    tn_fbb_add_ref(&b, FLD_NAME, name);
    tn_fbb_add_int(&b, FLD_TYPE_TYPE, tag, 1);
    tn_fbb_add_ref(&b, FLD_TYPE, type);
    tn_fb_ref field = tn_fbb_table_end(&b);
    tn_fb_ref fields = tn_fbb_ref_vector(&b, &field, 1);
    tn_fbb_table_start(&b);
    tn_fbb_add_int(&b, SCH_ENDIANNESS, endianness, 2);
    tn_fbb_add_ref(&b, SCH_FIELDS, fields);
    tn_fb_ref sch = tn_fbb_table_end(&b);
    tn_fbb_table_start(&b);
    tn_fbb_add_int(&b, MSG_VERSION, IPC_V5, 2);
    tn_fbb_add_int(&b, MSG_HEADER_TYPE, HDR_SCHEMA, 1);
    tn_fbb_add_ref(&b, MSG_HEADER, sch);
    size_t n = 0;
    const uint8_t *m = tn_fbb_finish(&b, tn_fbb_table_end(&b), &n);
    tn_buffer *out = tn_buffer_new_zeroed(8 + (int64_t)n + 8);
    memcpy(out->data, "\xff\xff\xff\xff", 4);
    int32_t ln = (int32_t)n;
    memcpy(out->data + 4, &ln, 4);
    memcpy(out->data + 8, m, n);
    memcpy(out->data + 8 + n, "\xff\xff\xff\xff", 4);
    tn_fbb_reset(&b);
    return out;
}

TEST(big_endian_and_unsupported_types)
{
    tarn_error err;
    tn_buffer *b = schema_stream(FT_INT, 1);
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "big-endian Arrow IPC is not supported");
    tn_buffer_unref(b);
    b = schema_stream(FT_UNION, 0);
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "field 'u': type union is not supported");
    tn_buffer_unref(b);
    b = schema_stream(FT_RUN_END, 0);
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "field 'u': type run_end_encoded is not supported");
    tn_buffer_unref(b);
    b = schema_stream(99, 0);
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "unknown type tag 99");
    tn_buffer_unref(b);
    /* an Int with a bit width of 0 */
    b = schema_stream(FT_INT, 0);
    CHECK_EQ_INT(drain(b->data, b->size, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "integer bit width 0");
    tn_buffer_unref(b);
    /* bytes that are no IPC at all */
    CHECK_EQ_INT(drain((const uint8_t *)"hello, world", 12, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "test.arrow");
}

TEST(deep_nesting_refused)
{
    /* list<list<...<int32>>> 100 deep is written? no: refused on write */
    tn_type *t = tn_type_get(TN_INT32);
    for (int i = 0; i < 100; i++)
        t = tn_type_list(TN_LIST, tn_field_new("item", t, true));
    tn_schema *s = tn_schema_new(1);
    tarn_error err;
    CHECK_OK(tn_field_init(&s->fields[0], "deep", t, true, &err), &err);
    tn_buffer *data = NULL;
    tn_ipc_write_options o = {false, TN_IPC_UNCOMPRESSED, 0};
    CHECK_EQ_INT(write_batches(s, NULL, 0, &o, &data, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "nested deeper");
    tn_schema_unref(s);
}

TEST(writer_input_checks)
{
    /* empty arrays without buffers are valid and written with one zero offset */
    tarn_error err;
    tn_schema *s = tn_schema_new(3);
    CHECK_OK(tn_field_init(&s->fields[0], "s", tn_type_get(TN_STRING), true, &err), &err);
    CHECK_OK(tn_field_init(&s->fields[1], "i", tn_type_get(TN_INT32), true, &err), &err);
    CHECK_OK(tn_field_init(&s->fields[2], "l", fx_list(TN_LIST, tn_type_get(TN_INT64)), true, &err), &err);
    tn_batch *b = tn_batch_new(s, 0);
    for (int c = 0; c < 3; c++) {
        tn_type *t = s->fields[c].type;
        b->columns[c] = tn_array_new(t, 0, tn_type_n_buffers(t), t->n_children);
        b->columns[c]->null_count = 0;
    }
    b->columns[2]->children[0] = tn_array_new(s->fields[2].type->children[0].type, 0, 2, 0);
    tn_ipc_write_options o = {true, TN_IPC_UNCOMPRESSED, 0};
    tn_buffer *data = NULL;
    CHECK_OK(write_batches(s, &b, 1, &o, &data, &err), &err);
    tn_batch *got[1];
    int n = 0;
    if (data)
        CHECK_OK(read_all(data, NULL, got, 1, &n, &err), &err);
    CHECK_EQ_INT(n, 1);
    if (n) {
        check_batches_equal(got[0], b);
        tn_batch_unref(got[0]);
    }
    tn_buffer_unref(data);
    data = NULL;
    /* a broken input array is refused, not written */
    tn_array *bad = tn_array_new(s->fields[1].type, 0, 2, 0);
    bad->length = 0;
    tn_array_unref(b->columns[1]);
    b->columns[1] = bad;
    b->length = 0;
    bad->length = 5;
    b->columns[0]->length = 5; /* lengths agree, buffers are missing */
    b->columns[2]->length = 5;
    b->length = 5;
    CHECK(write_batches(s, &b, 1, &o, &data, &err) != TARN_OK);
    CHECK_MSG(&err, "column 's'");
    CHECK(data == NULL);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

TEST(reader_stops_after_an_error)
{
    tarn_error err;
    tn_buffer *data = small_file(false, TN_IPC_UNCOMPRESSED);
    /* break the record batch: its body length claims more than is left */
    tn_buffer *b = tn_buffer_copy_of(data->data, data->size - 8); /* no EOS */
    tn_reader *r = NULL;
    CHECK_OK(tn_ipc_open_buffer(b, "cut.arrows", &r, &err), &err);
    tn_buffer *cut = tn_buffer_slice(b, 0, b->size - 3);
    tn_reader *r2 = NULL;
    CHECK_OK(tn_ipc_open_buffer(cut, "cut.arrows", &r2, &err), &err);
    tn_batch *x = NULL;
    int rc = r2 ? tn_reader_next(r2, &x, &err) : -1;
    CHECK_EQ_INT(rc, TARN_ECORRUPT);
    CHECK_MSG(&err, "cut.arrows: message at byte offset");
    CHECK_EQ_INT(r2 ? tn_reader_next(r2, &x, &err) : -1, TARN_EINVAL);
    CHECK_MSG(&err, "earlier error");
    CHECK(x == NULL);
    tn_reader_free(r2);
    tn_reader_free(r);
    tn_buffer_unref(cut);
    tn_buffer_unref(b);
    tn_buffer_unref(data);
}

/* --- allocation failures ---------------------------------------------------------- */

typedef struct alloc_ctx {
    tn_schema *s;
    tn_batch *b[3];
    tn_buffer *data;
    tn_ipc_write_options o;
} alloc_ctx;

static int alloc_write(void *p, tarn_error *err)
{
    alloc_ctx *c = p;
    tn_buffer *out = NULL;
    int rc = write_batches(c->s, c->b, 3, &c->o, &out, err);
    tn_buffer_unref(out);
    return rc;
}

static int alloc_read(void *p, tarn_error *err)
{
    alloc_ctx *c = p;
    tn_batch *got[3];
    int n = 0;
    int rc = read_all(c->data, NULL, got, 3, &n, err);
    for (int i = 0; i < n; i++)
        tn_batch_unref(got[i]);
    return rc;
}

TEST(allocation_failures)
{
    tarn_error err;
    alloc_ctx c;
    memset(&c, 0, sizeof c);
    c.s = fx_schema();
    CHECK_OK(fx_batch(c.s, 9, &c.b[0], &err), &err);
    c.b[1] = tn_batch_slice(c.b[0], 1, 7);
    /* a delta: a second batch over the first rows plus new dictionary values */
    CHECK_OK(fx_batch(c.s, 12, &c.b[2], &err), &err);
    for (int f = 0; f < N_FORMATS; f++) {
        if (f == 1 || f == 3) /* stream/file and every codec appear in the others */
            continue;
        c.o = FORMATS[f];
        CHECK(tn_test_alloc_failures("ipc write", alloc_write, &c) > 10);
        CHECK_OK(write_batches(c.s, c.b, 3, &c.o, &c.data, &err), &err);
        CHECK(tn_test_alloc_failures("ipc read", alloc_read, &c) > 10);
        tn_buffer_unref(c.data);
        c.data = NULL;
    }
    for (int i = 0; i < 3; i++)
        tn_batch_unref(c.b[i]);
    tn_schema_unref(c.s);
}

typedef struct file_ctx {
    tn_schema *s;
    tn_batch *b[2];
    char path[512];
} file_ctx;

/* Write a file and read it back; on failure nothing may be left behind. */
static int alloc_file(void *p, tarn_error *err)
{
    file_ctx *c = p;
    tn_reader *in = tn_reader_from_batches(c->s, c->b, 2);
    TN_TRY_ALLOC(in, err, 64);
    tn_ipc_write_options o = {true, TN_IPC_ZSTD, 0};
    int rc = tn_ipc_write_file(c->path, in, &o, err);
    tn_reader_free(in);
    if (rc != TARN_OK) {
        CHECK_EQ_INT(dir_entries(tmpdir), 0);
        return rc;
    }
    tn_reader *r = NULL;
    rc = tn_ipc_open_file(c->path, &r, err);
    for (tn_batch *b = NULL; rc == TARN_OK && (rc = tn_reader_next(r, &b, err)) == TARN_OK && b;)
        tn_batch_unref(b);
    tn_reader_free(r);
    unlink(c->path);
    return rc;
}

TEST(allocation_failures_files)
{
    tarn_error err;
    file_ctx c;
    make_tmpdir();
    snprintf(c.path, sizeof c.path, "%s/alloc.arrow", tmpdir);
    c.s = fx_schema();
    CHECK_OK(fx_batch(c.s, 5, &c.b[0], &err), &err);
    CHECK_OK(fx_batch(c.s, 7, &c.b[1], &err), &err);
    CHECK(tn_test_alloc_failures("ipc files", alloc_file, &c) > 10);
    CHECK_EQ_INT(dir_entries(tmpdir), 0);
    rmdir(tmpdir);
    tn_batch_unref(c.b[0]);
    tn_batch_unref(c.b[1]);
    tn_schema_unref(c.s);
}

int main(void)
{
    RUN(fb_roundtrip);
    RUN(roundtrip_every_type);
    RUN(compression_helps_and_raw_fallback);
    RUN(legacy_framing_and_missing_eos);
    RUN(dictionary_delta_and_replacement);
    RUN(files_atomic);
    RUN(truncated_at_every_length);
    RUN(flipped_bytes);
    RUN(absurd_lengths_and_counts);
    RUN(big_endian_and_unsupported_types);
    RUN(deep_nesting_refused);
    RUN(writer_input_checks);
    RUN(reader_stops_after_an_error);
    RUN(allocation_failures);
    RUN(allocation_failures_files);
    return tn_test_done();
}
