/*
 * test_c_data_duckdb.c — the C Data Interface against a real peer: DuckDB's
 * C library (the libduckdb.so shipped by the @duckdb/node-api test peer,
 * loaded with dlopen). DuckDB produces query results as ArrowSchema and
 * ArrowArray structs that tarn imports at FULL validation; tarn exports an
 * ArrowArrayStream that DuckDB scans as a table and aggregates; and an error
 * in tarn's stream reaches DuckDB's error message through get_last_error.
 *
 * The library is found at $TARN_SOURCE_DIR/peers/node_modules/@duckdb/
 * node-bindings-linux-x64/libduckdb.so, or at $TARN_DUCKDB_LIB when set;
 * without it the test fails.
 */
#include <dlfcn.h>

#include "arrow/builder.h"
#include "arrow/c_data.h"
#include "tn_test.h"

/* The few entry points of DuckDB's C API used here (duckdb.h). */
typedef void *duck_handle; /* duckdb_database, _connection, _arrow: pointers to opaque structs */
static int (*duck_open)(const char *path, duck_handle *out);
static void (*duck_close)(duck_handle *db);
static int (*duck_connect)(duck_handle db, duck_handle *out);
static void (*duck_disconnect)(duck_handle *conn);
static int (*duck_query_arrow)(duck_handle conn, const char *sql, duck_handle *out);
static int (*duck_query_arrow_schema)(duck_handle result, struct ArrowSchema **out);
static int (*duck_query_arrow_array)(duck_handle result, struct ArrowArray **out);
static const char *(*duck_query_arrow_error)(duck_handle result);
static void (*duck_destroy_arrow)(duck_handle *result);
static int (*duck_arrow_scan)(duck_handle conn, const char *table, struct ArrowArrayStream *stream);

static void *lib;
static duck_handle db, conn;

static bool load_duckdb(void)
{
    const char *src = getenv("TARN_SOURCE_DIR"), *lib_path = getenv("TARN_DUCKDB_LIB");
    char path[4096];
    snprintf(path, sizeof path, "%s/peers/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so",
             src ? src : ".");
    if (lib_path && *lib_path)
        snprintf(path, sizeof path, "%s", lib_path);
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "cannot load DuckDB (the @duckdb/node-api peer): %s\n", dlerror());
        return false;
    }
#define SYM(var, name)                                    \
    do {                                                  \
        *(void **)&var = dlsym(lib, name);                \
        if (!var) {                                       \
            fprintf(stderr, "libduckdb lacks %s\n", name); \
            return false;                                 \
        }                                                 \
    } while (0)
    SYM(duck_open, "duckdb_open");
    SYM(duck_close, "duckdb_close");
    SYM(duck_connect, "duckdb_connect");
    SYM(duck_disconnect, "duckdb_disconnect");
    SYM(duck_query_arrow, "duckdb_query_arrow");
    SYM(duck_query_arrow_schema, "duckdb_query_arrow_schema");
    SYM(duck_query_arrow_array, "duckdb_query_arrow_array");
    SYM(duck_query_arrow_error, "duckdb_query_arrow_error");
    SYM(duck_destroy_arrow, "duckdb_destroy_arrow");
    SYM(duck_arrow_scan, "duckdb_arrow_scan");
#undef SYM
    return duck_open(NULL, &db) == 0 && duck_connect(db, &conn) == 0;
}

/* Run sql in DuckDB and import its whole result into tarn (FULL validation).
 * Returns the batches through *out (n in *n), or NULL and DuckDB's error. */
static tn_batch **query(const char *sql, int *n, tn_schema **schema_out, char *error, size_t cap)
{
    tarn_error err;
    duck_handle res = NULL;
    *n = 0;
    *schema_out = NULL;
    if (duck_query_arrow(conn, sql, &res) != 0) {
        snprintf(error, cap, "%s", duck_query_arrow_error(res));
        duck_destroy_arrow(&res);
        return NULL;
    }
    struct ArrowSchema s;
    memset(&s, 0, sizeof s);
    struct ArrowSchema *sp = &s;
    CHECK_EQ_INT(duck_query_arrow_schema(res, &sp), 0);
    tn_schema *schema = NULL;
    CHECK_OK(tn_import_schema(&s, &schema, &err), &err);
    if (s.release)
        s.release(&s);
    tn_batch **batches = NULL;
    for (;;) {
        struct ArrowArray a;
        memset(&a, 0, sizeof a);
        struct ArrowArray *ap = &a;
        CHECK_EQ_INT(duck_query_arrow_array(res, &ap), 0);
        if (!a.release)
            break;
        tn_batch *b = NULL;
        int rc = tn_import_batch(&a, schema, TARN_VALIDATE_FULL, &b, &err);
        CHECK_OK(rc, &err);
        if (rc) {
            a.release(&a);
            break;
        }
        CHECK(a.release == NULL);
        batches = realloc(batches, sizeof *batches * (size_t)(*n + 1));
        batches[(*n)++] = b;
    }
    duck_destroy_arrow(&res);
    *schema_out = schema;
    return batches;
}

static void free_batches(tn_batch **b, int n, tn_schema *s)
{
    for (int i = 0; i < n; i++)
        tn_batch_unref(b[i]);
    free(b);
    tn_schema_unref(s);
}

static bool str_is(const tn_array *a, int64_t i, const char *want)
{
    int64_t n;
    const uint8_t *p = tn_array_bytes(a, i, &n);
    return n == (int64_t)strlen(want) && memcmp(p, want, (size_t)n) == 0;
}

TEST(import_from_duckdb)
{
    const char *sql =
        "SELECT i::INTEGER AS i, 'row ' || i AS s, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 0.5 END AS d, "
        "[i, i + 1] AS l, {'a': i, 'b': 'x' || i} AS st, DATE '2024-01-01' + i::INTEGER AS dt, "
        "(i * 1.25)::DECIMAL(10, 2) AS dec, MAP {'k': i} AS m, i % 2 = 0 AS b, "
        "CASE WHEN i % 4 = 0 THEN 'even' ELSE 'odd' END::ENUM('even', 'odd') AS e "
        "FROM range(5000) t(i) ORDER BY i";
    char error[512] = "";
    int n = 0;
    tn_schema *schema = NULL;
    tn_batch **b = query(sql, &n, &schema, error, sizeof error);
    CHECK(b != NULL);
    if (!b) {
        fprintf(stderr, "duckdb: %s\n", error);
        return;
    }
    CHECK(n >= 2); /* more rows than one DuckDB vector */
    CHECK_EQ_INT(schema->n_fields, 10);
    CHECK_STR(schema->fields[3].name, "l");
    CHECK(schema->fields[3].type->id == TN_LIST);
    CHECK(schema->fields[4].type->id == TN_STRUCT);
    CHECK(schema->fields[6].type->id == TN_DECIMAL128 && schema->fields[6].type->scale == 2);
    CHECK(schema->fields[7].type->id == TN_MAP);
    CHECK(schema->fields[9].type->id == TN_DICTIONARY);
    int64_t row = 0, bad = 0;
    for (int k = 0; k < n; k++) {
        const tn_batch *bt = b[k];
        for (int64_t r = 0; r < bt->length; r++, row++) {
            char want[64];
            const tn_array *c;
            bad += TN_VALUES(bt->columns[0], int32_t)[r] != row;
            snprintf(want, sizeof want, "row %lld", (long long)row);
            bad += !str_is(bt->columns[1], r, want);
            c = bt->columns[2];
            bad += tn_array_is_valid(c, r) != (row % 3 != 0);
            c = bt->columns[3];
            const tn_array *item = c->children[0];
            int32_t o = TN_OFFSETS32(c)[r];
            bad += TN_OFFSETS32(c)[r + 1] - o != 2 || TN_VALUES(item, int64_t)[o + 1] != row + 1;
            c = bt->columns[4];
            snprintf(want, sizeof want, "x%lld", (long long)row);
            bad += !str_is(c->children[1], c->offset + r, want);
            bad += TN_VALUES(bt->columns[5], int32_t)[r] != 19723 + row; /* days from 1970 to 2024-01-01 */
            int64_t dec;
            memcpy(&dec, bt->columns[6]->buffers[1]->data + (bt->columns[6]->offset + r) * 16, 8);
            bad += dec != row * 125;
            bad += tn_bit_get(bt->columns[8]->buffers[1]->data, bt->columns[8]->offset + r) != (row % 2 == 0);
            c = bt->columns[9];
            int64_t ix = tn_array_dict_index(c, r);
            bad += !str_is(c->dictionary, ix, row % 4 == 0 ? "even" : "odd");
        }
    }
    CHECK_EQ_INT(row, 5000);
    CHECK_EQ_INT(bad, 0);
    free_batches(b, n, schema);
}

/*
 * DuckDB's C API takes the schema from get_schema and then drops its release
 * callback instead of calling it (FactoryGetSchema and duckdb_arrow_scan in
 * DuckDB's src/main/capi/arrow-c.cpp treat the schema as the stream's), so
 * every schema it asks for would stay allocated. So that the allocator's
 * leak check still means something, the stream is wrapped: each schema handed
 * out is remembered and released at the end unless DuckDB released it.
 */
#define SHIM_MAX 32

typedef struct shim {
    struct ArrowArrayStream inner;
    struct ArrowSchema given[SHIM_MAX]; /* copies of the schemas handed out */
    bool live[SHIM_MAX];
    int n;
} shim;

static shim the_shim;

static void shim_schema_release(struct ArrowSchema *s)
{
    for (int i = 0; i < the_shim.n; i++) {
        if (the_shim.live[i] && the_shim.given[i].private_data == s->private_data) {
            the_shim.live[i] = false;
            s->release = the_shim.given[i].release;
            s->release(s);
            return;
        }
    }
    CHECK(false);
}

static int shim_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
    shim *sh = st->private_data;
    int rc = sh->inner.get_schema(&sh->inner, out);
    if (rc == 0 && sh->n < SHIM_MAX) {
        sh->given[sh->n] = *out;
        sh->live[sh->n++] = true;
        out->release = shim_schema_release;
    }
    return rc;
}

static int shim_get_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
    shim *sh = st->private_data;
    return sh->inner.get_next(&sh->inner, out);
}

static const char *shim_last_error(struct ArrowArrayStream *st)
{
    shim *sh = st->private_data;
    return sh->inner.get_last_error(&sh->inner);
}

static void shim_release(struct ArrowArrayStream *st)
{
    shim *sh = st->private_data;
    for (int i = 0; i < sh->n; i++)
        if (sh->live[i])
            sh->given[i].release(&sh->given[i]);
    sh->n = 0;
    sh->inner.release(&sh->inner);
    st->release = NULL;
}

/* Wrap a tarn stream (moved into the shim) for DuckDB. */
static void shim_wrap(struct ArrowArrayStream *tarn_stream, struct ArrowArrayStream *out)
{
    memset(&the_shim, 0, sizeof the_shim);
    tarn_stream_move(tarn_stream, &the_shim.inner);
    *out = (struct ArrowArrayStream){shim_get_schema, shim_get_next, shim_last_error, shim_release, &the_shim};
}

static tn_batch *make_batch(tn_schema *s, int64_t base, int64_t rows)
{
    tarn_error err;
    tn_batch *b = tn_batch_new(s, rows);
    tn_builder *bn = tn_builder_new(s->fields[0].type), *bs = tn_builder_new(s->fields[1].type),
               *bl = tn_builder_new(s->fields[2].type);
    for (int64_t i = base; i < base + rows; i++) {
        char txt[32];
        snprintf(txt, sizeof txt, "name %lld", (long long)i);
        CHECK_OK(tn_builder_append_int(bn, i, &err), &err);
        CHECK_OK(i % 5 == 0 ? tn_builder_append_null(bs, &err) : tn_builder_append_str(bs, txt, &err), &err);
        for (int64_t k = 0; k < i % 3; k++)
            CHECK_OK(tn_builder_append_int(tn_builder_child(bl, 0), k, &err), &err);
        CHECK_OK(tn_builder_append_list(bl, &err), &err);
    }
    CHECK_OK(tn_builder_finish(bn, &b->columns[0], &err), &err);
    CHECK_OK(tn_builder_finish(bs, &b->columns[1], &err), &err);
    CHECK_OK(tn_builder_finish(bl, &b->columns[2], &err), &err);
    tn_builder_free(bn);
    tn_builder_free(bs);
    tn_builder_free(bl);
    return b;
}

static tn_schema *scan_schema(void)
{
    tarn_error err;
    tn_schema *s = tn_schema_new(3);
    CHECK_OK(tn_field_init(&s->fields[0], "n", tn_type_get(TN_INT32), false, &err), &err);
    CHECK_OK(tn_field_init(&s->fields[1], "s", tn_type_get(TN_STRING_VIEW), true, &err), &err);
    CHECK_OK(tn_field_init(&s->fields[2], "l",
                           tn_type_list(TN_LARGE_LIST, tn_field_new("item", tn_type_get(TN_INT64), true)), true,
                           &err),
             &err);
    return s;
}

TEST(duckdb_scans_tarn)
{
    tarn_error err;
    tn_schema *s = scan_schema();
    tn_batch *parts[3] = {make_batch(s, 0, 1000), make_batch(s, 1000, 0), make_batch(s, 1000, 2500)};
    /* a slice: rows 1000..3499 become 1500..3499 */
    tn_batch *sliced = tn_batch_slice(parts[2], 500, 2000);
    tn_batch_unref(parts[2]);
    parts[2] = sliced;
    tn_reader *r = tn_reader_from_batches(s, parts, 3);
    for (int i = 0; i < 3; i++)
        tn_batch_unref(parts[i]);
    struct ArrowArrayStream ts, st;
    CHECK_OK(tn_export_reader(r, &ts, &err), &err);
    shim_wrap(&ts, &st);
    CHECK_EQ_INT(duck_arrow_scan(conn, "tarn_scan", &st), 0);
    char error[512] = "";
    int n = 0;
    tn_schema *rs = NULL;
    tn_batch **b = query("SELECT count(*)::BIGINT, sum(n)::BIGINT, count(s)::BIGINT, sum(len(l))::BIGINT, "
                         "min(s), max(n)::BIGINT FROM tarn_scan",
                         &n, &rs, error, sizeof error);
    CHECK(b != NULL);
    if (b) {
        CHECK_EQ_INT(n, 1);
        tn_batch *res = b[0];
        CHECK_EQ_INT(res->length, 1);
        /* rows 0..999 and 1500..3499 */
        int64_t count = 0, sum = 0, named = 0, items = 0;
        for (int64_t i = 0; i < 3500; i++) {
            if (i >= 1000 && i < 1500)
                continue;
            count++;
            sum += i;
            named += i % 5 != 0;
            items += i % 3;
        }
        CHECK_EQ_INT(TN_VALUES(res->columns[0], int64_t)[0], count);
        CHECK_EQ_INT(TN_VALUES(res->columns[1], int64_t)[0], sum);
        CHECK_EQ_INT(TN_VALUES(res->columns[2], int64_t)[0], named);
        CHECK_EQ_INT(TN_VALUES(res->columns[3], int64_t)[0], items);
        CHECK(str_is(res->columns[4], 0, "name 1"));
        CHECK_EQ_INT(TN_VALUES(res->columns[5], int64_t)[0], 3499);
        free_batches(b, n, rs);
    } else {
        fprintf(stderr, "duckdb: %s\n", error);
    }
    st.release(&st);
    tn_schema_unref(s);
}

/* A reader whose second batch fails. */
typedef struct bad_reader {
    tn_reader base;
    int calls;
} bad_reader;

static int bad_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    bad_reader *br = (bad_reader *)r;
    *out = NULL;
    if (br->calls++ == 0) {
        *out = make_batch(r->schema, 0, 10);
        return TARN_OK;
    }
    return TN_CORRUPT(err, "part-3.parquet: page 9 is truncated");
}

static void bad_destroy(tn_reader *r)
{
    tn_free(r);
}

TEST(duckdb_sees_tarn_errors)
{
    tarn_error err;
    tn_schema *s = scan_schema();
    bad_reader *br = tn_calloc(1, sizeof *br);
    br->base.schema = tn_schema_ref(s);
    br->base.next = bad_next;
    br->base.destroy = bad_destroy;
    struct ArrowArrayStream ts, st;
    CHECK_OK(tn_export_reader(&br->base, &ts, &err), &err);
    shim_wrap(&ts, &st);
    CHECK_EQ_INT(duck_arrow_scan(conn, "tarn_bad", &st), 0);
    char error[512] = "";
    int n = 0;
    tn_schema *rs = NULL;
    tn_batch **b = query("SELECT sum(n) FROM tarn_bad", &n, &rs, error, sizeof error);
    CHECK(b == NULL);
    if (strstr(error, "part-3.parquet: page 9 is truncated") == NULL) {
        fprintf(stderr, "duckdb's error lacks tarn's message: %s\n", error);
        CHECK(false);
    }
    free_batches(b, n, rs);
    st.release(&st);
    tn_schema_unref(s);
}

/* DuckDB → tarn → DuckDB: every column of a wide query goes through tarn's
 * import (FULL validation) and export and must come back unchanged. */
static void round_trip_with(const char *setting);

TEST(duckdb_round_trip)
{
    round_trip_with(NULL);
    /* 64-bit offsets: large_utf8, large_binary, large_list */
    round_trip_with("SET arrow_large_buffer_size = true");
}

static void set(const char *sql)
{
    char error[512] = "";
    int n = 0;
    tn_schema *s = NULL;
    tn_batch **b = query(sql, &n, &s, error, sizeof error);
    if (!b && error[0]) {
        fprintf(stderr, "duckdb: %s: %s\n", sql, error);
        CHECK(false);
    }
    free_batches(b, n, s);
}

static void round_trip_with(const char *setting)
{
    set("RESET arrow_large_buffer_size");
    if (setting)
        set(setting);
    static const char *src =
        "SELECT i, (i % 100)::TINYINT AS ti, (i % 200)::UTINYINT AS uti, i::SMALLINT AS si, i::UINTEGER AS ui, "
        "i::UBIGINT * 3 AS ub, (i * 1.5)::FLOAT AS fl, i::HUGEINT * 1000000000000 AS hi, "
        "(i / 7)::DECIMAL(38, 10) AS d38, (i / 3)::DECIMAL(4, 1) AS d4, "
        "CASE WHEN i % 7 = 0 THEN NULL ELSE 'str ' || repeat('x', (i % 20)::INTEGER) END AS s, "
        "('blob' || i)::BLOB AS bl, TIME '01:02:03' + INTERVAL (i) SECOND AS tm, "
        "TIMESTAMP '2020-02-29 12:00:00' + INTERVAL (i) MINUTE AS ts, "
        "TIMESTAMPTZ '2021-01-01 00:00:00+00' + INTERVAL (i) HOUR AS tstz, "
        "INTERVAL (i) DAY + INTERVAL (i % 5) MONTH AS iv, "
        "CASE WHEN i % 11 = 0 THEN NULL ELSE [i, NULL, i * 2] END AS li, "
        "[{'k': i, 'v': 'v' || i}, NULL] AS los, {'x': [1, 2], 'y': {'z': i % 2 = 0}} AS nested, "
        "MAP {'a' || (i % 3): i} AS mp, [[i], [], NULL] AS lol "
        "FROM range(3000) t(i)";
    char sql[4096], error[512] = "";
    int n = 0;
    tn_schema *schema = NULL;
    snprintf(sql, sizeof sql, "%s ORDER BY i", src);
    tn_batch **b = query(sql, &n, &schema, error, sizeof error);
    CHECK(b != NULL);
    if (!b) {
        fprintf(stderr, "duckdb: %s\n", error);
        return;
    }
    tarn_error err;
    tn_reader *r = tn_reader_from_batches(schema, b, n);
    struct ArrowArrayStream ts, st;
    CHECK_OK(tn_export_reader(r, &ts, &err), &err);
    shim_wrap(&ts, &st);
    CHECK_EQ_INT(duck_arrow_scan(conn, "tarn_back", &st), 0);
    /* the stream can be read once: copy it into a table, then compare */
    int n2 = 0;
    tn_schema *s2 = NULL;
    tn_batch **done = query("CREATE OR REPLACE TEMP TABLE back_copy AS SELECT * FROM tarn_back", &n2, &s2, error,
                            sizeof error);
    CHECK(done != NULL);
    if (!done)
        fprintf(stderr, "duckdb: %s\n", error);
    free_batches(done, n2, s2);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM back_copy)::BIGINT AS n, (SELECT count(*) FROM ("
             "(SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (%s)) EXCEPT ALL "
             "(SELECT CAST(COLUMNS(*) AS VARCHAR) FROM back_copy)))::BIGINT AS missing",
             src);
    tn_batch **diff = query(sql, &n2, &s2, error, sizeof error);
    CHECK(diff != NULL);
    if (diff) {
        CHECK_EQ_INT(n2, 1);
        CHECK_EQ_INT(TN_VALUES(diff[0]->columns[0], int64_t)[0], 3000);
        CHECK_EQ_INT(TN_VALUES(diff[0]->columns[1], int64_t)[0], 0);
        free_batches(diff, n2, s2);
    } else {
        fprintf(stderr, "duckdb: %s\n", error);
    }
    /* and the formats DuckDB chose, as tarn sees them */
    char *text = NULL;
    struct ArrowSchema sch;
    CHECK_OK(tn_export_schema(schema, &sch, &err), &err);
    CHECK_OK(tarn_schema_format(&sch, &text, &err), &err);
    if (getenv("TARN_VERBOSE"))
        fprintf(stderr, "%s:\n%s", setting ? setting : "defaults", text);
    if (setting && strstr(setting, "large"))
        CHECK(text && strstr(text, "s: large_utf8"));
    CHECK(text && strstr(text, "d38: decimal128(38, 10)"));
    tarn_free(text);
    sch.release(&sch);
    st.release(&st);
    free_batches(b, n, schema);
}

int main(void)
{
    if (!load_duckdb()) {
        fprintf(stderr, "FAIL: DuckDB is needed for this test\n");
        return 1;
    }
    RUN(import_from_duckdb);
    RUN(duckdb_scans_tarn);
    RUN(duckdb_sees_tarn_errors);
    RUN(duckdb_round_trip);
    duck_disconnect(&conn);
    duck_close(&db);
    return tn_test_done();
}
