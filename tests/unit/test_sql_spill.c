/*
 * test_sql_spill.c — spill files (sql/exec/spill.h): batches of every Arrow
 * type (nested, dictionary, views with several data buffers), sliced at
 * every bit offset, with nulls, come back equal; many batches; cursors
 * read at once (interleaved and on threads); dictionaries shared by
 * consecutive batches stay shared; bytes land in the operator's metrics;
 * the file leaves nothing in its directory, which is created on first use;
 * an unusable directory and failing allocations give clean errors.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "sql/exec/spill.h"
#include "tn_test.h"

static void *must(void *p)
{
    if (!p) {
        fprintf(stderr, "out of memory in test setup\n");
        exit(2);
    }
    return p;
}

static void ok(int rc, tarn_error *err)
{
    if (rc) {
        fprintf(stderr, "setup failed: %s\n", err->message);
        exit(2);
    }
}

/* ---- an operator to spill for --------------------------------------------------------- */

static const tn_op_vtable sort_vt = {.name = "ORDER_BY"};

typedef struct fake_op {
    tn_op op;
    tn_exec_ctx ctx;
} fake_op;

static void fake_init(fake_op *f, const char *dir)
{
    memset(f, 0, sizeof *f);
    f->ctx.spill_dir = dir;
    f->op.vt = &sort_vt;
    f->op.ctx = &f->ctx;
}

static char tmp_root[256];

static void make_tmp_root(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp_root, sizeof tmp_root, "%s/tarn-spill-test-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        exit(2);
    }
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* ---- a batch of every type ------------------------------------------------------------ */

static tn_type *field_type(const char *name, tn_type *t, bool nullable, tn_field **out)
{
    *out = must(tn_field_new(name, t, nullable));
    return t;
}

static tn_schema *all_types_schema(void)
{
    tn_field *f;
    tn_type *types[64];
    const char *names[64];
    int n = 0;
#define ADD(nm, t) (names[n] = (nm), types[n++] = must(t))
    ADD("null", tn_type_get(TN_NA));
    ADD("bool", tn_type_get(TN_BOOL));
    ADD("i8", tn_type_get(TN_INT8));
    ADD("i16", tn_type_get(TN_INT16));
    ADD("i32", tn_type_get(TN_INT32));
    ADD("i64", tn_type_get(TN_INT64));
    ADD("u8", tn_type_get(TN_UINT8));
    ADD("u16", tn_type_get(TN_UINT16));
    ADD("u32", tn_type_get(TN_UINT32));
    ADD("u64", tn_type_get(TN_UINT64));
    ADD("f16", tn_type_get(TN_FLOAT16));
    ADD("f32", tn_type_get(TN_FLOAT32));
    ADD("f64", tn_type_get(TN_FLOAT64));
    ADD("d128", tn_type_decimal(128, 15, 2));
    ADD("d256", tn_type_decimal(256, 40, 3));
    ADD("utf8", tn_type_get(TN_STRING));
    ADD("lutf8", tn_type_get(TN_LARGE_STRING));
    ADD("vutf8", tn_type_get(TN_STRING_VIEW));
    ADD("bin", tn_type_get(TN_BINARY));
    ADD("lbin", tn_type_get(TN_LARGE_BINARY));
    ADD("vbin", tn_type_get(TN_BINARY_VIEW));
    ADD("fbin", tn_type_fixed_binary(5));
    ADD("date32", tn_type_get(TN_DATE32));
    ADD("date64", tn_type_get(TN_DATE64));
    ADD("time32", tn_type_time(TN_TIME32, TN_MILLI));
    ADD("time64", tn_type_time(TN_TIME64, TN_NANO));
    ADD("ts", tn_type_timestamp(TN_MICRO, "UTC"));
    ADD("dur", tn_type_duration(TN_SECOND));
    ADD("ivm", tn_type_get(TN_INTERVAL_MONTHS));
    ADD("ivdt", tn_type_get(TN_INTERVAL_DAY_TIME));
    ADD("ivmdn", tn_type_get(TN_INTERVAL_MONTH_DAY_NANO));
    ADD("list", tn_type_list(TN_LIST, must(tn_field_new("item", tn_type_get(TN_INT32), true))));
    ADD("llist", tn_type_list(TN_LARGE_LIST, must(tn_field_new("item", tn_type_get(TN_STRING), true))));
    ADD("flist", tn_type_fixed_list(must(tn_field_new("item", tn_type_get(TN_INT16), true)), 3));
    {
        tn_field *fs[2];
        field_type("a", tn_type_get(TN_INT32), true, &fs[0]);
        field_type("b", tn_type_get(TN_STRING_VIEW), true, &fs[1]);
        ADD("struct", tn_type_struct(2, fs));
    }
    ADD("map", tn_type_map(must(tn_field_new("key", tn_type_get(TN_STRING), false)),
                           must(tn_field_new("value", tn_type_get(TN_INT64), true)), false));
    ADD("dict", tn_type_dictionary(tn_type_get(TN_INT16), tn_type_get(TN_STRING), false));
    /* a list of structs holding a dictionary: nesting all the way down */
    {
        tn_field *fs[2];
        field_type("k", tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false), true, &fs[0]);
        field_type("l", tn_type_list(TN_LIST, must(tn_field_new("item", tn_type_get(TN_BOOL), true))), true,
                   &fs[1]);
        ADD("deep", tn_type_list(TN_LIST, must(tn_field_new("item", must(tn_type_struct(2, fs)), true))));
    }
#undef ADD
    (void)f;
    tn_schema *s = must(tn_schema_new(n));
    for (int i = 0; i < n; i++)
        if (tn_field_init(&s->fields[i], names[i], types[i], true, NULL))
            exit(2);
    return s;
}

static const char *text_of(int64_t i, char *buf)
{
    if (i % 4 == 0)
        snprintf(buf, 64, "s%lld", (long long)i); /* short: inline in a view */
    else
        snprintf(buf, 64, "a longer string number %lld, past twelve bytes", (long long)i);
    return buf;
}

/* Append the value of row i to a builder of type t. */
static void append_value(tn_builder *b, const tn_type *t, int64_t i)
{
    tarn_error err;
    tarn_error_init(&err);
    char buf[64];
    int rc = TARN_OK;
    if (t->id != TN_NA && i % 5 == 3) {
        ok(tn_builder_append_null(b, &err), &err);
        return;
    }
    switch (t->id) {
    case TN_NA: rc = tn_builder_append_null(b, &err); break;
    case TN_BOOL: rc = tn_builder_append_bool(b, i % 3 == 1, &err); break;
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_INT64:
    case TN_DATE32: case TN_DATE64: case TN_TIME32: case TN_TIME64: case TN_TIMESTAMP: case TN_DURATION:
    case TN_INTERVAL_MONTHS:
        rc = tn_builder_append_int(b, (i * 37) % 101 - 50, &err);
        break;
    case TN_UINT8: case TN_UINT16: case TN_UINT32: case TN_UINT64:
        rc = tn_builder_append_uint(b, (uint64_t)(i * 13 % 200), &err);
        break;
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64:
        rc = tn_builder_append_double(b, (double)i / 4.0, &err);
        break;
    case TN_DECIMAL128: case TN_DECIMAL256:
        rc = tn_builder_append_int(b, i * 1000003 - 77, &err);
        break;
    case TN_INTERVAL_DAY_TIME: {
        int32_t v[2] = {(int32_t)i, (int32_t)(i * 1000)};
        rc = tn_builder_append_raw(b, v, &err);
        break;
    }
    case TN_INTERVAL_MONTH_DAY_NANO: {
        uint8_t v[16];
        int32_t m = (int32_t)i, d = (int32_t)-i;
        int64_t ns = i * 1000000007LL;
        memcpy(v, &m, 4);
        memcpy(v + 4, &d, 4);
        memcpy(v + 8, &ns, 8);
        rc = tn_builder_append_raw(b, v, &err);
        break;
    }
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW:
        rc = tn_builder_append_str(b, text_of(i, buf), &err);
        break;
    case TN_FIXED_BINARY: {
        uint8_t v[5] = {(uint8_t)i, (uint8_t)(i >> 8), 1, 2, (uint8_t)(i * 7)};
        rc = tn_builder_append_bytes(b, v, 5, &err);
        break;
    }
    case TN_DICTIONARY:
        snprintf(buf, sizeof buf, "word%lld", (long long)(i % 9));
        rc = tn_builder_append_str(b, buf, &err);
        break;
    case TN_LIST: case TN_LARGE_LIST:
        for (int64_t k = 0; k < i % 4; k++)
            append_value(tn_builder_child(b, 0), t->children[0].type, i * 3 + k);
        rc = tn_builder_append_list(b, &err);
        break;
    case TN_FIXED_LIST:
        for (int64_t k = 0; k < t->list_size; k++)
            append_value(tn_builder_child(b, 0), t->children[0].type, i + k);
        rc = tn_builder_append_list(b, &err);
        break;
    case TN_STRUCT:
        for (int32_t k = 0; k < t->n_children; k++)
            append_value(tn_builder_child(b, k), t->children[k].type, i + k);
        rc = tn_builder_append_struct(b, &err);
        break;
    case TN_MAP: {
        tn_builder *entries = tn_builder_child(b, 0);
        for (int64_t k = 0; k < i % 3; k++) {
            snprintf(buf, sizeof buf, "key%lld", (long long)k);
            ok(tn_builder_append_str(tn_builder_child(entries, 0), buf, &err), &err);
            if (k == 1)
                ok(tn_builder_append_null(tn_builder_child(entries, 1), &err), &err);
            else
                ok(tn_builder_append_int(tn_builder_child(entries, 1), i * 10 + k, &err), &err);
            ok(tn_builder_append_struct(entries, &err), &err);
        }
        rc = tn_builder_append_list(b, &err);
        break;
    }
    default:
        fprintf(stderr, "no test value for %s\n", tn_type_id_name(t->id));
        exit(2);
    }
    ok(rc, &err);
}

/* A view array of n strings spread over two data buffers (the builder
 * makes one). */
static tn_array *views_two_buffers(tn_type *t, int64_t n)
{
    tn_array *a = must(tn_array_new(t, n, 4, 0));
    a->buffers[0] = must(tn_buffer_new_zeroed((n + 7) / 8));
    a->buffers[1] = must(tn_buffer_new_zeroed(16 * n));
    a->buffers[2] = must(tn_buffer_new_zeroed(64 * n));
    a->buffers[3] = must(tn_buffer_new_zeroed(64 * n));
    int64_t at[2] = {0, 0};
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) {
        tn_view *v = (tn_view *)a->buffers[1]->data + i;
        if (i % 5 == 3) {
            nulls++;
            /* garbage in a null view must not matter */
            v->ref.size = 1000;
            v->ref.buffer_index = 7;
            continue;
        }
        tn_bit_set(a->buffers[0]->data, i);
        char buf[64];
        const char *s = text_of(i, buf);
        int32_t len = (int32_t)strlen(s);
        v->inl.size = len;
        if (len <= 12) {
            memcpy(v->inl.data, s, (size_t)len);
        } else {
            int bi = (int)(i % 2);
            memcpy(v->ref.prefix, s, 4);
            v->ref.buffer_index = bi;
            v->ref.offset = (int32_t)at[bi];
            memcpy(a->buffers[2 + bi]->data + at[bi], s, (size_t)len);
            at[bi] += len;
        }
    }
    a->null_count = nulls;
    return a;
}

static tn_batch *all_types_batch(tn_schema *s, int64_t n)
{
    tn_batch *b = must(tn_batch_new(s, n));
    for (int32_t c = 0; c < s->n_fields; c++) {
        tn_type *t = s->fields[c].type;
        if (t->id == TN_BINARY_VIEW) {
            b->columns[c] = views_two_buffers(t, n);
            continue;
        }
        tn_builder *bl = must(tn_builder_new(t));
        for (int64_t i = 0; i < n; i++)
            append_value(bl, t, i);
        tarn_error err;
        tarn_error_init(&err);
        ok(tn_builder_finish(bl, &b->columns[c], &err), &err);
        tn_builder_free(bl);
    }
    tarn_error err;
    tarn_error_init(&err);
    ok(tn_batch_check(b, &err), &err);
    return b;
}

static void check_same(const tn_batch *got, const tn_batch *want, const char *what)
{
    CHECK(got != NULL);
    if (!got)
        return;
    CHECK_EQ_INT(got->length, want->length);
    tarn_error err;
    tarn_error_init(&err);
    CHECK_OK(tn_batch_check(got, &err), &err);
    for (int32_t c = 0; c < want->schema->n_fields; c++) {
        bool eq = tn_array_equals(got->columns[c], want->columns[c]);
        if (!eq)
            fprintf(stderr, "%s: column %s differs\n", what, want->schema->fields[c].name);
        CHECK(eq);
        CHECK_EQ_INT(tn_array_null_count(got->columns[c]), tn_array_null_count(want->columns[c]));
    }
}

/* ---- tests ----------------------------------------------------------------------------- */

TEST(round_trip_every_type_and_offset)
{
    tn_schema *s = all_types_schema();
    tn_batch *full = all_types_batch(s, 300);
    fake_op op;
    fake_init(&op, tmp_root);
    tarn_error err;
    tarn_error_init(&err);
    tn_spill_file *f = NULL;
    CHECK_OK(tn_spill_create(&op.op, s, &f, &err), &err);
    if (!f)
        return;
    /* the batch, then slices starting at every bit position, empty and one-row slices */
    tn_batch *want[64];
    int n = 0;
    want[n++] = tn_batch_ref(full);
    for (int64_t off = 1; off <= 17; off++)
        want[n++] = must(tn_batch_slice(full, off, 100 + off));
    want[n++] = must(tn_batch_slice(full, 299, 1));
    want[n++] = must(tn_batch_slice(full, 150, 0));
    want[n++] = must(tn_batch_slice(full, 0, 0));
    /* a slice of a slice */
    tn_batch *mid = must(tn_batch_slice(full, 33, 200));
    want[n++] = must(tn_batch_slice(mid, 5, 77));
    tn_batch_unref(mid);
    int64_t rows = 0;
    for (int i = 0; i < n; i++) {
        CHECK_OK(tn_spill_write(f, want[i], &err), &err);
        rows += want[i]->length;
    }
    CHECK_EQ_INT(tn_spill_batches(f), n);
    CHECK_EQ_INT(tn_spill_rows(f), rows);
    CHECK(tn_spill_bytes(f) > 0);
    CHECK_EQ_INT(op.op.metrics.spilled_bytes, tn_spill_bytes(f));
    /* a slice writes its rows, not the whole buffers behind it */
    int64_t before = tn_spill_bytes(f);
    CHECK_OK(tn_spill_write(f, want[n - 4], &err), &err); /* the one-row slice */
    CHECK(tn_spill_bytes(f) - before < 16 * 1024);

    tn_spill_cursor *c = NULL;
    CHECK_OK(tn_spill_cursor_open(f, &c, &err), &err);
    for (int i = 0; c && i <= n; i++) {
        tn_batch *b = NULL;
        CHECK_OK(tn_spill_next(c, &b, &err), &err);
        char what[32];
        snprintf(what, sizeof what, "batch %d", i);
        check_same(b, want[i < n ? i : n - 4], what);
        tn_batch_unref(b);
    }
    tn_batch *end = (tn_batch *)1;
    CHECK_OK(tn_spill_next(c, &end, &err), &err);
    CHECK(end == NULL);
    tn_spill_cursor_free(c);
    /* nothing is left in the directory, even while the file is open */
    CHECK_EQ_INT(dir_entries(tmp_root), 0);
    tn_spill_free(f);
    for (int i = 0; i < n; i++)
        tn_batch_unref(want[i]);
    tn_batch_unref(full);
    tn_schema_unref(s);
}

/* A one-column int64 batch of values start .. start + n - 1. */
static tn_batch *ints(tn_schema *s, int64_t start, int64_t n)
{
    tn_batch *b = must(tn_batch_new(s, n));
    tn_array *a = must(tn_array_new(s->fields[0].type, n, 2, 0));
    a->buffers[1] = must(tn_buffer_new(8 * n));
    for (int64_t i = 0; i < n; i++)
        ((int64_t *)a->buffers[1]->data)[i] = start + i;
    a->null_count = 0;
    b->columns[0] = a;
    return b;
}

static tn_schema *int_schema(void)
{
    tn_schema *s = must(tn_schema_new(1));
    if (tn_field_init(&s->fields[0], "v", tn_type_get(TN_INT64), true, NULL))
        exit(2);
    return s;
}

/* Read every batch of a cursor, checking the values run on from `start`. */
static int64_t drain(tn_spill_cursor *c, int64_t start)
{
    int64_t next = start;
    tarn_error err;
    tarn_error_init(&err);
    for (;;) {
        tn_batch *b = NULL;
        if (tn_spill_next(c, &b, &err) != TARN_OK) {
            fprintf(stderr, "drain: %s\n", err.message);
            return -1;
        }
        if (!b)
            return next;
        const int64_t *v = TN_VALUES(b->columns[0], int64_t);
        for (int64_t i = 0; i < b->length; i++)
            if (v[i] != next++) {
                tn_batch_unref(b);
                return -1;
            }
        tn_batch_unref(b);
    }
}

typedef struct reader_arg {
    tn_spill_file *f;
    int64_t got;
} reader_arg;

static void *reader_thread(void *p)
{
    reader_arg *a = p;
    tarn_error err;
    tarn_error_init(&err);
    tn_spill_cursor *c = NULL;
    if (tn_spill_cursor_open(a->f, &c, &err)) {
        a->got = -1;
        return NULL;
    }
    a->got = drain(c, 0);
    tn_spill_cursor_free(c);
    return NULL;
}

TEST(many_batches_and_concurrent_cursors)
{
    tn_schema *s = int_schema();
    fake_op op;
    fake_init(&op, tmp_root);
    tarn_error err;
    tarn_error_init(&err);
    tn_spill_file *f = NULL;
    CHECK_OK(tn_spill_create(&op.op, s, &f, &err), &err);
    if (!f)
        return;
    /* batches of varying size, small ones through the write buffer and
     * large ones past it */
    int64_t at = 0;
    for (int i = 0; i < 3000; i++) {
        int64_t n = i % 100 == 99 ? 20000 : i % 7 + 1;
        tn_batch *b = ints(s, at, n);
        CHECK_OK(tn_spill_write(f, b, &err), &err);
        tn_batch_unref(b);
        at += n;
    }
    CHECK_EQ_INT(tn_spill_rows(f), at);
    CHECK_EQ_INT(tn_spill_batches(f), 3000);

    /* two cursors interleaved */
    tn_spill_cursor *c1 = NULL, *c2 = NULL;
    CHECK_OK(tn_spill_cursor_open(f, &c1, &err), &err);
    CHECK_OK(tn_spill_cursor_open(f, &c2, &err), &err);
    int64_t n1 = 0, n2 = 0;
    bool done1 = false, done2 = false, in_order = true;
    while (c1 && c2 && !(done1 && done2)) {
        for (int k = 0; k < 3 && !done1; k++) {
            tn_batch *b = NULL;
            CHECK_OK(tn_spill_next(c1, &b, &err), &err);
            if (!b) {
                done1 = true;
                break;
            }
            for (int64_t i = 0; i < b->length; i++)
                in_order &= TN_VALUES(b->columns[0], int64_t)[i] == n1++;
            tn_batch_unref(b);
        }
        if (!done2) {
            tn_batch *b = NULL;
            CHECK_OK(tn_spill_next(c2, &b, &err), &err);
            if (!b) {
                done2 = true;
                continue;
            }
            for (int64_t i = 0; i < b->length; i++)
                in_order &= TN_VALUES(b->columns[0], int64_t)[i] == n2++;
            tn_batch_unref(b);
        }
    }
    CHECK(in_order);
    CHECK_EQ_INT(n1, at);
    CHECK_EQ_INT(n2, at);
    tn_spill_cursor_free(c1);
    tn_spill_cursor_free(c2);

    /* four threads at once */
    pthread_t th[4];
    reader_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (reader_arg){f, 0};
        pthread_create(&th[i], NULL, reader_thread, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(args[i].got, at);
    }

    /* the file may grow again once its cursors are closed */
    tn_batch *b = ints(s, at, 10);
    CHECK_OK(tn_spill_write(f, b, &err), &err);
    tn_batch_unref(b);
    tn_spill_cursor *c = NULL;
    CHECK_OK(tn_spill_cursor_open(f, &c, &err), &err);
    CHECK_EQ_INT(drain(c, 0), at + 10);
    tn_spill_cursor_free(c);
    tn_spill_free(f);
    tn_schema_unref(s);
}

TEST(shared_dictionaries_stay_shared)
{
    tn_schema *s = must(tn_schema_new(1));
    if (tn_field_init(&s->fields[0], "d", tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false),
                      true, NULL))
        exit(2);
    tarn_error err;
    tarn_error_init(&err);
    /* two dictionary arrays, each sliced in batches */
    tn_array *d[2];
    for (int k = 0; k < 2; k++) {
        tn_builder *bl = must(tn_builder_new(s->fields[0].type));
        for (int64_t i = 0; i < 100; i++)
            append_value(bl, s->fields[0].type, i + k * 1000);
        ok(tn_builder_finish(bl, &d[k], &err), &err);
        tn_builder_free(bl);
    }
    fake_op op;
    fake_init(&op, tmp_root);
    tn_spill_file *f = NULL;
    CHECK_OK(tn_spill_create(&op.op, s, &f, &err), &err);
    tn_batch *want[6];
    const int which[6] = {0, 0, 0, 1, 1, 0};
    for (int i = 0; f && i < 6; i++) {
        tn_batch *b = must(tn_batch_new(s, 100));
        b->columns[0] = tn_array_ref(d[which[i]]);
        want[i] = must(tn_batch_slice(b, i * 10, 20));
        tn_batch_unref(b);
        CHECK_OK(tn_spill_write(f, want[i], &err), &err);
    }
    tn_spill_cursor *c = NULL;
    CHECK_OK(tn_spill_cursor_open(f, &c, &err), &err);
    tn_batch *got[6] = {0};
    for (int i = 0; c && i < 6; i++) {
        CHECK_OK(tn_spill_next(c, &got[i], &err), &err);
        check_same(got[i], want[i], "dictionary batch");
    }
    if (got[0] && got[1] && got[2] && got[3] && got[4] && got[5]) {
        CHECK(got[0]->columns[0]->dictionary == got[1]->columns[0]->dictionary);
        CHECK(got[1]->columns[0]->dictionary == got[2]->columns[0]->dictionary);
        CHECK(got[2]->columns[0]->dictionary != got[3]->columns[0]->dictionary);
        CHECK(got[3]->columns[0]->dictionary == got[4]->columns[0]->dictionary);
        CHECK(got[4]->columns[0]->dictionary != got[5]->columns[0]->dictionary);
        CHECK(tn_array_equals(got[5]->columns[0]->dictionary, d[0]->dictionary));
    }
    for (int i = 0; i < 6; i++) {
        tn_batch_unref(got[i]);
        tn_batch_unref(want[i]);
    }
    tn_spill_cursor_free(c);
    tn_spill_free(f);
    tn_array_unref(d[0]);
    tn_array_unref(d[1]);
    tn_schema_unref(s);
}

TEST(directory_created_and_errors_named)
{
    tn_schema *s = int_schema();
    tarn_error err;
    tarn_error_init(&err);
    /* a missing directory is created */
    char nested[512];
    snprintf(nested, sizeof nested, "%s/a/b/c", tmp_root);
    fake_op op;
    fake_init(&op, nested);
    tn_spill_file *f = NULL;
    CHECK_OK(tn_spill_create(&op.op, s, &f, &err), &err);
    struct stat st;
    CHECK(stat(nested, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_EQ_INT(dir_entries(nested), 0);
    tn_spill_free(f);

    /* a directory that cannot be: under a regular file */
    char file[512], bad[600];
    snprintf(file, sizeof file, "%s/plain", tmp_root);
    FILE *fp = fopen(file, "w");
    CHECK(fp != NULL);
    if (fp)
        fclose(fp);
    snprintf(bad, sizeof bad, "%s/spill", file);
    fake_init(&op, bad);
    f = (tn_spill_file *)1;
    int rc = tn_spill_create(&op.op, s, &f, &err);
    CHECK(rc != TARN_OK);
    CHECK(f == NULL);
    char want[700];
    snprintf(want, sizeof want, "ORDER_BY: spill to %s: Not a directory", bad);
    CHECK_STR(err.message, want);

    /* no directory set: $TMPDIR */
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", bad, 1);
    fake_init(&op, NULL);
    rc = tn_spill_create(&op.op, s, &f, &err);
    CHECK(rc != TARN_OK);
    CHECK_MSG(&err, bad);
    if (old) {
        setenv("TMPDIR", old, 1);
        free(old);
    } else {
        unsetenv("TMPDIR");
    }
    unlink(file);
    snprintf(nested, sizeof nested, "%s/a/b/c", tmp_root);
    rmdir(nested);
    snprintf(nested, sizeof nested, "%s/a/b", tmp_root);
    rmdir(nested);
    snprintf(nested, sizeof nested, "%s/a", tmp_root);
    rmdir(nested);
    tn_schema_unref(s);
}

/* Write three batches, read them back and compare; everything freed. */
typedef struct alloc_ctx {
    tn_schema *s;
    tn_batch *b[3];
} alloc_ctx;

static int spill_round(void *p, tarn_error *err)
{
    alloc_ctx *a = p;
    fake_op op;
    fake_init(&op, tmp_root);
    tn_spill_file *f = NULL;
    TN_TRY(tn_spill_create(&op.op, a->s, &f, err));
    int rc = TARN_OK;
    for (int i = 0; rc == TARN_OK && i < 3; i++)
        rc = tn_spill_write(f, a->b[i], err);
    tn_spill_cursor *c = NULL;
    if (rc == TARN_OK)
        rc = tn_spill_cursor_open(f, &c, err);
    for (int i = 0; rc == TARN_OK && i < 3; i++) {
        tn_batch *b = NULL;
        rc = tn_spill_next(c, &b, err);
        if (rc == TARN_OK) {
            bool same = b && b->length == a->b[i]->length;
            for (int32_t k = 0; same && k < a->s->n_fields; k++)
                same = tn_array_equals(b->columns[k], a->b[i]->columns[k]);
            if (!same)
                rc = tn_error_set(err, TARN_EINTERNAL, "batch %d differs", i);
        }
        tn_batch_unref(b);
    }
    tn_spill_cursor_free(c);
    tn_spill_free(f);
    return rc;
}

TEST(allocation_failures)
{
    alloc_ctx a;
    a.s = all_types_schema();
    tn_batch *full = all_types_batch(a.s, 120);
    a.b[0] = tn_batch_ref(full);
    a.b[1] = must(tn_batch_slice(full, 3, 50));
    a.b[2] = must(tn_batch_slice(full, 60, 60)); /* same dictionaries as the previous batch */
    int points = tn_test_alloc_failures("spill round trip", spill_round, &a);
    CHECK(points > 10);
    for (int i = 0; i < 3; i++)
        tn_batch_unref(a.b[i]);
    tn_batch_unref(full);
    tn_schema_unref(a.s);
}

int main(void)
{
    make_tmp_root();
    RUN(round_trip_every_type_and_offset);
    RUN(many_batches_and_concurrent_cursors);
    RUN(shared_dictionaries_stay_shared);
    RUN(directory_created_and_errors_named);
    RUN(allocation_failures);
    rmdir(tmp_root);
    return tn_test_done();
}
