/*
 * test_print.c — the value formatter and the three renderings of a stream
 * (table, CSV, JSON Lines), checked against exact expected text: every type,
 * escaping, truncation, elision of rows and columns, wide characters,
 * nested values, NULLs, empty results, zero columns, allocation failures.
 */
#include <math.h>

#include "arrow/builder.h"
#include "arrow/cell.h"
#include "arrow/print.h"
#include "tn_test.h"

/* --- building streams ----------------------------------------------------- */

#define MAXC 8

typedef struct cols {
    int n;
    const char *names[MAXC];
    tn_array *arrays[MAXC];
} cols;

/* Finish builder b as column `name` of c (the builder is freed). */
static void add(cols *c, const char *name, tn_builder *b)
{
    tarn_error err;
    tn_array *a = NULL;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    c->names[c->n] = name;
    c->arrays[c->n++] = a;
}

/* A reader over the columns, split into batches of `chunk` rows (0: one
 * batch). The arrays are consumed. */
static tn_reader *reader_of(cols *c, int64_t chunk)
{
    tn_schema *s = tn_schema_new(c->n);
    int64_t len = c->n ? c->arrays[0]->length : 0;
    for (int j = 0; j < c->n; j++)
        CHECK_OK(tn_field_init(&s->fields[j], c->names[j], tn_type_ref(c->arrays[j]->type), true, NULL), &(tarn_error){0});
    tn_batch *whole = tn_batch_new(s, len);
    for (int j = 0; j < c->n; j++)
        whole->columns[j] = c->arrays[j];
    tn_batch *parts[64];
    int64_t np = 0;
    if (chunk <= 0 || len == 0) {
        parts[np++] = tn_batch_ref(whole);
    } else {
        for (int64_t at = 0; at < len; at += chunk)
            parts[np++] = tn_batch_slice(whole, at, at + chunk <= len ? chunk : len - at);
    }
    tn_reader *r = tn_reader_from_batches(s, parts, np);
    for (int64_t k = 0; k < np; k++)
        tn_batch_unref(parts[k]);
    tn_batch_unref(whole);
    tn_schema_unref(s);
    return r;
}

static char *render(tn_reader *r, tn_print_format f, int64_t max_rows, int64_t max_width)
{
    tn_print_options o;
    tn_print_options_init(&o);
    o.format = f;
    o.max_rows = max_rows;
    o.max_width = max_width;
    tn_buf b;
    tn_buf_init(&b, 0);
    tarn_error err;
    int rc = tn_print_buf(&b, r, &o, &err);
    if (rc != 0) {
        fprintf(stderr, "print failed: %s\n", err.message);
        tn_buf_reset(&b);
        return NULL;
    }
    tn_reader_free(r);
    return b.data ? tn_buf_take(&b) : tn_strdup("");
}

#define CHECK_RENDER(c, chunk, fmt, rows, width, want) \
    do {                                               \
        char *got_ = render(reader_of(c, chunk), fmt, rows, width); \
        CHECK_STR(got_, want);                         \
        tn_free(got_);                                 \
    } while (0)

static tn_builder *bld(tn_type *t)
{
    tn_builder *b = tn_builder_new(t);
    tn_type_unref(t);
    return b;
}

static void ints(tn_builder *b, int n, const int64_t *v, const bool *null)
{
    for (int k = 0; k < n; k++) {
        if (null && null[k])
            CHECK_OK(tn_builder_append_null(b, NULL), &(tarn_error){0});
        else
            CHECK_OK(tn_builder_append_int(b, v[k], NULL), &(tarn_error){0});
    }
}

static void strs(tn_builder *b, int n, const char *const *v)
{
    for (int k = 0; k < n; k++) {
        if (!v[k])
            CHECK_OK(tn_builder_append_null(b, NULL), &(tarn_error){0});
        else
            CHECK_OK(tn_builder_append_str(b, v[k], NULL), &(tarn_error){0});
    }
}

/* One value of a one-row column in a style. */
static char *cell_of(tn_builder *b, tn_cell_style style)
{
    tn_array *a = NULL;
    tarn_error err;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    tn_builder_free(b);
    tn_buf out;
    tn_buf_init(&out, 0);
    CHECK_OK(tn_cell_format(&out, a, 0, style, &err), &err);
    tn_array_unref(a);
    return out.data ? tn_buf_take(&out) : tn_strdup("");
}

#define CHECK_CELL(builder_expr, style, want) \
    do {                                      \
        char *got_ = cell_of(builder_expr, style); \
        CHECK_STR(got_, want);                \
        tn_free(got_);                        \
    } while (0)

static tn_builder *one_int(tn_type *t, int64_t v)
{
    tn_builder *b = bld(t);
    CHECK_OK(tn_builder_append_int(b, v, NULL), &(tarn_error){0});
    return b;
}

static tn_builder *one_double(tn_type *t, double v)
{
    tn_builder *b = bld(t);
    CHECK_OK(tn_builder_append_double(b, v, NULL), &(tarn_error){0});
    return b;
}

static tn_builder *one_bytes(tn_type *t, const char *p, int64_t n)
{
    tn_builder *b = bld(t);
    CHECK_OK(tn_builder_append_bytes(b, p, n, NULL), &(tarn_error){0});
    return b;
}

static tn_builder *one_raw(tn_type *t, const void *raw)
{
    tn_builder *b = bld(t);
    CHECK_OK(tn_builder_append_raw(b, raw, NULL), &(tarn_error){0});
    return b;
}

/* --- values --------------------------------------------------------------- */

TEST(cell_numbers)
{
    CHECK_CELL(one_int(tn_type_get(TN_INT8), -128), TN_CELL_JSON, "-128");
    CHECK_CELL(one_int(tn_type_get(TN_INT64), INT64_MIN), TN_CELL_TABLE, "-9223372036854775808");
    tn_builder *u = bld(tn_type_get(TN_UINT64));
    CHECK_OK(tn_builder_append_uint(u, UINT64_MAX, NULL), &(tarn_error){0});
    CHECK_CELL(u, TN_CELL_JSON, "18446744073709551615");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), 0.1), TN_CELL_JSON, "0.1");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), 3), TN_CELL_TABLE, "3.0");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), -0.0), TN_CELL_TABLE, "-0.0");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), 1e300), TN_CELL_JSON, "1e+300");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), 1.0 / 3), TN_CELL_JSON, "0.3333333333333333");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT32), 0.1), TN_CELL_JSON, "0.1");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT32), 16777216.0), TN_CELL_JSON, "16777216.0");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT16), 0.1), TN_CELL_JSON, "0.1");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT16), 65504), TN_CELL_JSON, "65500.0"); /* shortest text that reads back as 65504 */
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT16), 1.5), TN_CELL_TABLE, "1.5");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), NAN), TN_CELL_JSON, "\"NaN\"");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT64), INFINITY), TN_CELL_JSON, "\"Infinity\"");
    CHECK_CELL(one_double(tn_type_get(TN_FLOAT32), -INFINITY), TN_CELL_TABLE, "-Infinity");
    tn_builder *bo = bld(tn_type_get(TN_BOOL));
    CHECK_OK(tn_builder_append_bool(bo, true, NULL), &(tarn_error){0});
    CHECK_CELL(bo, TN_CELL_JSON, "true");
}

TEST(cell_decimals)
{
    CHECK_CELL(one_int(tn_type_decimal(128, 10, 2), 1230), TN_CELL_JSON, "12.30");
    CHECK_CELL(one_int(tn_type_decimal(128, 10, 2), -5), TN_CELL_JSON, "-0.05");
    CHECK_CELL(one_int(tn_type_decimal(128, 10, 2), 0), TN_CELL_TABLE, "0.00");
    CHECK_CELL(one_int(tn_type_decimal(128, 10, 0), 42), TN_CELL_TABLE, "42");
    CHECK_CELL(one_int(tn_type_decimal(128, 10, -3), 42), TN_CELL_TABLE, "42000");
    CHECK_CELL(one_int(tn_type_decimal(256, 40, 4), -123456789), TN_CELL_JSON, "-12345.6789");
    /* 10^38 - 1, the largest decimal128(38) */
    uint8_t raw[16] = {0xff, 0xff, 0xff, 0xff, 0x3f, 0x22, 0x8a, 0x09,
                       0x7a, 0xc4, 0x86, 0x5a, 0xa8, 0x4c, 0x3b, 0x4b};
    CHECK_CELL(one_raw(tn_type_decimal(128, 38, 10), raw), TN_CELL_JSON,
               "9999999999999999999999999999.9999999999");
    uint8_t neg[32];
    memset(neg, 0xff, sizeof neg); /* -1 */
    CHECK_CELL(one_raw(tn_type_decimal(256, 76, 3), neg), TN_CELL_TABLE, "-0.001");
}

TEST(cell_strings)
{
    const char nasty[] = "a\"b\\c\n\t\x01\x7f\xff\xc3\xa9";
    CHECK_CELL(one_bytes(tn_type_get(TN_STRING), nasty, sizeof nasty - 1), TN_CELL_JSON,
               "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xef\xbf\xbd\xc3\xa9\"");
    CHECK_CELL(one_bytes(tn_type_get(TN_STRING_VIEW), "a longer string than twelve", 27), TN_CELL_TABLE,
               "a longer string than twelve");
    CHECK_CELL(one_bytes(tn_type_get(TN_BINARY), "\x00\xab\x10", 3), TN_CELL_JSON, "\"00ab10\"");
    CHECK_CELL(one_bytes(tn_type_fixed_binary(2), "\xfe\x01", 2), TN_CELL_TABLE, "fe01");
    CHECK_CELL(one_bytes(tn_type_get(TN_LARGE_STRING), "", 0), TN_CELL_JSON, "\"\"");
    /* a surrogate, an overlong and a truncated sequence are each replaced */
    CHECK_CELL(one_bytes(tn_type_get(TN_BINARY), "x", 1), TN_CELL_TABLE, "78");
    tarn_error err;
    tn_buf b;
    tn_buf_init(&b, 0);
    CHECK_OK(tn_json_string(&b, (const uint8_t *)"\xed\xa0\x80|\xc0\xaf|\xe2\x82", 9, &err), &err);
    CHECK_STR((char *)b.data, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\"");
    tn_buf_reset(&b);
}

TEST(cell_temporal)
{
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), 0), TN_CELL_JSON, "\"1970-01-01\"");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), 19723), TN_CELL_TABLE, "2024-01-01");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), -1), TN_CELL_TABLE, "1969-12-31");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), 11016), TN_CELL_TABLE, "2000-02-29");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), -719528), TN_CELL_TABLE, "0000-01-01");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), -719529), TN_CELL_TABLE, "-0001-12-31");
    CHECK_CELL(one_int(tn_type_get(TN_DATE64), -1), TN_CELL_TABLE, "1969-12-31");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), 2932897), TN_CELL_TABLE, "+10000-01-01");
    CHECK_CELL(one_int(tn_type_get(TN_DATE32), INT32_MIN), TN_CELL_TABLE, "-5877641-06-23");
    /* the extremes of int64 seconds: far-away years, no overflow */
    CHECK_CELL(one_int(tn_type_timestamp(TN_SECOND, NULL), INT64_MIN), TN_CELL_CSV,
               "-292277022657-01-27T08:29:52");
    CHECK_CELL(one_int(tn_type_timestamp(TN_SECOND, NULL), INT64_MAX), TN_CELL_CSV,
               "+292277026596-12-04T15:30:07");
    CHECK_CELL(one_int(tn_type_timestamp(TN_NANO, "UTC"), INT64_MIN), TN_CELL_JSON,
               "\"1677-09-21T00:12:43.145224192Z\"");
    CHECK_CELL(one_int(tn_type_duration(TN_NANO), INT64_MIN), TN_CELL_TABLE, "PT-2562047H-47M-16.854775808S");
    CHECK_CELL(one_int(tn_type_time(TN_TIME64, TN_MICRO), -1), TN_CELL_TABLE, "-00:00:00.000001");
    CHECK_CELL(one_int(tn_type_time(TN_TIME32, TN_SECOND), 45296), TN_CELL_JSON, "\"12:34:56\"");
    CHECK_CELL(one_int(tn_type_time(TN_TIME32, TN_MILLI), 45296500), TN_CELL_TABLE, "12:34:56.500");
    CHECK_CELL(one_int(tn_type_time(TN_TIME64, TN_NANO), 1000), TN_CELL_TABLE, "00:00:00.000001");
    CHECK_CELL(one_int(tn_type_time(TN_TIME64, TN_NANO), 1), TN_CELL_TABLE, "00:00:00.000000001");
    /* CSV and JSON keep every digit of the unit, the table trims */
    CHECK_CELL(one_int(tn_type_time(TN_TIME64, TN_NANO), 1000), TN_CELL_JSON, "\"00:00:00.000001000\"");
    CHECK_CELL(one_int(tn_type_timestamp(TN_MICRO, "UTC"), 1704103200000000LL), TN_CELL_CSV,
               "2024-01-01T10:00:00.000000Z");
    CHECK_CELL(one_int(tn_type_timestamp(TN_MICRO, "UTC"), 1704103200500000LL), TN_CELL_TABLE, "2024-01-01 10:00:00.500Z");
    int64_t us = 1704067200000000LL + 3723456789LL; /* 2024-01-01 01:02:03.456789 */
    CHECK_CELL(one_int(tn_type_timestamp(TN_MICRO, NULL), us), TN_CELL_TABLE, "2024-01-01 01:02:03.456789");
    CHECK_CELL(one_int(tn_type_timestamp(TN_MICRO, NULL), us), TN_CELL_CSV, "2024-01-01T01:02:03.456789");
    CHECK_CELL(one_int(tn_type_timestamp(TN_MICRO, "Europe/Paris"), us), TN_CELL_JSON,
               "\"2024-01-01T01:02:03.456789Z\"");
    CHECK_CELL(one_int(tn_type_timestamp(TN_SECOND, "+05:00"), -1), TN_CELL_TABLE, "1969-12-31 23:59:59Z");
    CHECK_CELL(one_int(tn_type_timestamp(TN_NANO, NULL), -1), TN_CELL_JSON, "\"1969-12-31T23:59:59.999999999\"");
    CHECK_CELL(one_int(tn_type_duration(TN_SECOND), 5400), TN_CELL_JSON, "\"PT1H30M\"");
    CHECK_CELL(one_int(tn_type_duration(TN_MILLI), -90500), TN_CELL_TABLE, "PT-1M-30.500S");
    CHECK_CELL(one_int(tn_type_duration(TN_NANO), 0), TN_CELL_TABLE, "PT0S");
    CHECK_CELL(one_int(tn_type_duration(TN_SECOND), 90061), TN_CELL_TABLE, "PT25H1M1S");
    CHECK_CELL(one_int(tn_type_get(TN_INTERVAL_MONTHS), 14), TN_CELL_JSON, "\"P1Y2M\"");
    CHECK_CELL(one_int(tn_type_get(TN_INTERVAL_MONTHS), -1), TN_CELL_TABLE, "P-1M");
    int32_t dt[2] = {3, 4500};
    CHECK_CELL(one_raw(tn_type_get(TN_INTERVAL_DAY_TIME), dt), TN_CELL_TABLE, "P3DT4.500S");
    uint8_t mdn[16];
    int32_t m = 13, d = -2;
    int64_t ns = 1;
    memcpy(mdn, &m, 4), memcpy(mdn + 4, &d, 4), memcpy(mdn + 8, &ns, 8);
    CHECK_CELL(one_raw(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), mdn), TN_CELL_JSON, "\"P1Y1M-2DT0.000000001S\"");
    memset(mdn, 0, sizeof mdn);
    CHECK_CELL(one_raw(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), mdn), TN_CELL_TABLE, "PT0S");
}

/* list<int32> [[1, NULL, 3], [], NULL] */
static tn_builder *int_lists(void)
{
    tn_builder *b = bld(tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true)));
    tn_builder *c = tn_builder_child(b, 0);
    CHECK_OK(tn_builder_append_int(c, 1, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_null(c, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_int(c, 3, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_list(b, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_list(b, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_null(b, NULL), &(tarn_error){0});
    return b;
}

/* struct<id: int64, tag: utf8> {1, "x\"y"}, NULL */
static tn_builder *structs(void)
{
    tn_field *f[2] = {tn_field_new("id", tn_type_get(TN_INT64), true), tn_field_new("tag", tn_type_get(TN_STRING), true)};
    tn_builder *b = bld(tn_type_struct(2, f));
    CHECK_OK(tn_builder_append_int(tn_builder_child(b, 0), 1, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_str(tn_builder_child(b, 1), "x\"y", NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_struct(b, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_null(b, NULL), &(tarn_error){0});
    return b;
}

static tn_builder *map_of(tn_type *key, bool string_keys)
{
    tn_builder *b = bld(tn_type_map(tn_field_new("key", key, false), tn_field_new("value", tn_type_get(TN_FLOAT64), true), false));
    tn_builder *e = tn_builder_child(b, 0);
    for (int k = 0; k < 2; k++) {
        if (string_keys)
            CHECK_OK(tn_builder_append_str(tn_builder_child(e, 0), k ? "b" : "a", NULL), &(tarn_error){0});
        else
            CHECK_OK(tn_builder_append_int(tn_builder_child(e, 0), k + 10, NULL), &(tarn_error){0});
        if (k)
            CHECK_OK(tn_builder_append_null(tn_builder_child(e, 1), NULL), &(tarn_error){0});
        else
            CHECK_OK(tn_builder_append_double(tn_builder_child(e, 1), 0.5, NULL), &(tarn_error){0});
        CHECK_OK(tn_builder_append_struct(e, NULL), &(tarn_error){0});
    }
    CHECK_OK(tn_builder_append_list(b, NULL), &(tarn_error){0});
    return b;
}

TEST(cell_nested)
{
    CHECK_CELL(int_lists(), TN_CELL_JSON, "[1,null,3]");
    CHECK_CELL(int_lists(), TN_CELL_TABLE, "[1, null, 3]");
    CHECK_CELL(structs(), TN_CELL_JSON, "{\"id\":1,\"tag\":\"x\\\"y\"}");
    CHECK_CELL(structs(), TN_CELL_CSV, "{\"id\": 1, \"tag\": \"x\\\"y\"}");
    CHECK_CELL(map_of(tn_type_get(TN_STRING), true), TN_CELL_JSON, "{\"a\":0.5,\"b\":null}");
    CHECK_CELL(map_of(tn_type_get(TN_INT16), false), TN_CELL_JSON,
               "[{\"key\":10,\"value\":0.5},{\"key\":11,\"value\":null}]");
    tn_builder *fl = bld(tn_type_fixed_list(tn_field_new("item", tn_type_get(TN_DATE32), true), 2));
    CHECK_OK(tn_builder_append_int(tn_builder_child(fl, 0), 0, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_null(tn_builder_child(fl, 0), NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_list(fl, NULL), &(tarn_error){0});
    CHECK_CELL(fl, TN_CELL_TABLE, "[\"1970-01-01\", null]");
    tn_builder *ll = bld(tn_type_list(TN_LARGE_LIST, tn_field_new("item", tn_type_get(TN_BINARY), true)));
    CHECK_OK(tn_builder_append_bytes(tn_builder_child(ll, 0), "\x01", 1, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_list(ll, NULL), &(tarn_error){0});
    CHECK_CELL(ll, TN_CELL_JSON, "[\"01\"]");
    tn_builder *dict = bld(tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false));
    CHECK_OK(tn_builder_append_str(dict, "red", NULL), &(tarn_error){0});
    CHECK_CELL(dict, TN_CELL_JSON, "\"red\"");
}

/* --- table ---------------------------------------------------------------- */

/* id int64, name utf8, price decimal(10,2), day date32 — with NULLs */
static void basic(cols *c)
{
    static const int64_t id[] = {1, 22, 333};
    static const bool no[] = {false, false, true};
    static const char *const names[] = {"apple", NULL, "日本語"};
    tn_builder *b = bld(tn_type_get(TN_INT64));
    ints(b, 3, id, no);
    add(c, "id", b);
    b = bld(tn_type_get(TN_STRING));
    strs(b, 3, names);
    add(c, "name", b);
    static const int64_t price[] = {1230, -5, 100000};
    b = bld(tn_type_decimal(128, 10, 2));
    ints(b, 3, price, NULL);
    add(c, "price", b);
}

TEST(table_basic)
{
    cols c = {0};
    basic(&c);
    CHECK_RENDER(&c, 0, TN_PRINT_TABLE, 40, 0,
                 "┌───────┬────────┬───────────────────┐\n"
                 "│  id   │  name  │       price       │\n"
                 "│ int64 │  utf8  │ decimal128(10, 2) │\n"
                 "├───────┼────────┼───────────────────┤\n"
                 "│     1 │ apple  │             12.30 │\n"
                 "│    22 │ NULL   │             -0.05 │\n"
                 "│  NULL │ 日本語 │           1000.00 │\n"
                 "└───────┴────────┴───────────────────┘\n");
}

TEST(csv_basic)
{
    cols c = {0};
    basic(&c);
    CHECK_RENDER(&c, 2, TN_PRINT_CSV, 40, 0, "id,name,price\n1,apple,12.30\n22,,-0.05\n,日本語,1000.00\n");
    cols d = {0};
    basic(&d);
    CHECK_RENDER(&d, 1, TN_PRINT_JSONL, 40, 0,
                 "{\"id\":1,\"name\":\"apple\",\"price\":12.30}\n"
                 "{\"id\":22,\"name\":null,\"price\":-0.05}\n"
                 "{\"id\":null,\"name\":\"日本語\",\"price\":1000.00}\n");
}


/* n rows: i int32 = 0..n-1, s utf8 = "row i" */
static void counting(cols *c, int n)
{
    tn_builder *a = bld(tn_type_get(TN_INT32)), *b = bld(tn_type_get(TN_STRING));
    for (int k = 0; k < n; k++) {
        char s[32];
        snprintf(s, sizeof s, "row %d", k);
        CHECK_OK(tn_builder_append_int(a, k, NULL), &(tarn_error){0});
        CHECK_OK(tn_builder_append_str(b, s, NULL), &(tarn_error){0});
    }
    add(c, "i", a);
    add(c, "s", b);
}

TEST(table_elide_rows)
{
    cols c = {0};
    counting(&c, 100); /* batches of 7: the tail spans a batch boundary */
    CHECK_RENDER(&c, 7, TN_PRINT_TABLE, 6, 0,
                 "┌───────┬────────────┐\n"
                 "│   i   │     s      │\n"
                 "│ int32 │    utf8    │\n"
                 "├───────┼────────────┤\n"
                 "│     0 │ row 0      │\n"
                 "│     1 │ row 1      │\n"
                 "│     2 │ row 2      │\n"
                 "│   ⋮   │     ⋮      │\n"
                 "│    97 │ row 97     │\n"
                 "│    98 │ row 98     │\n"
                 "│    99 │ row 99     │\n"
                 "├───────┴────────────┤\n"
                 "│ 100 rows (6 shown) │\n"
                 "└────────────────────┘\n");
    cols d = {0};
    counting(&d, 3);
    CHECK_RENDER(&d, 0, TN_PRINT_TABLE, 1, 0,
                 "┌───────┬──────────┐\n"
                 "│   i   │    s     │\n"
                 "│ int32 │   utf8   │\n"
                 "├───────┼──────────┤\n"
                 "│     0 │ row 0    │\n"
                 "│   ⋮   │    ⋮     │\n"
                 "├───────┴──────────┤\n"
                 "│ 3 rows (1 shown) │\n"
                 "└──────────────────┘\n");
    /* exactly max_rows rows, or no limit: everything, no footer */
    const char *three = "┌───────┬───────┐\n"
                        "│   i   │   s   │\n"
                        "│ int32 │ utf8  │\n"
                        "├───────┼───────┤\n"
                        "│     0 │ row 0 │\n"
                        "│     1 │ row 1 │\n"
                        "│     2 │ row 2 │\n"
                        "└───────┴───────┘\n";
    cols e = {0};
    counting(&e, 3);
    CHECK_RENDER(&e, 2, TN_PRINT_TABLE, 3, 0, three);
    cols f = {0};
    counting(&f, 3);
    CHECK_RENDER(&f, 1, TN_PRINT_TABLE, 0, 0, three);
}

TEST(table_empty_and_no_columns)
{
    cols c = {0};
    counting(&c, 0);
    CHECK_RENDER(&c, 0, TN_PRINT_TABLE, 40, 0,
                 "┌───────┬──────┐\n"
                 "│   i   │  s   │\n"
                 "│ int32 │ utf8 │\n"
                 "├───────┴──────┤\n"
                 "│ 0 rows       │\n"
                 "└──────────────┘\n");
    cols d = {0};
    CHECK_RENDER(&d, 0, TN_PRINT_TABLE, 40, 0,
                 "┌──────────────┐\n"
                 "│ (no columns) │\n"
                 "├──────────────┤\n"
                 "│ 0 rows       │\n"
                 "└──────────────┘\n");
    cols e = {0};
    counting(&e, 0);
    CHECK_RENDER(&e, 0, TN_PRINT_CSV, 40, 0, "i,s\n");
    cols f = {0};
    counting(&f, 0);
    CHECK_RENDER(&f, 0, TN_PRINT_JSONL, 40, 0, "");
    cols g = {0};
    CHECK_RENDER(&g, 0, TN_PRINT_CSV, 40, 0, "");
}

static const char *const awkward[] = {"tab\there\nnew", "a very long value that goes on and on past the limit",
                                      "宽字符宽字符宽字符宽字符宽字符宽字符宽字符", NULL};

TEST(table_truncate_escape_wide)
{
    cols c = {0};
    tn_builder *b = bld(tn_type_get(TN_STRING));
    strs(b, 4, awkward);
    add(&c, "text", b);
    CHECK_RENDER(&c, 0, TN_PRINT_TABLE, 40, 0,
                 "┌──────────────────────────────────┐\n"
                 "│               text               │\n"
                 "│               utf8               │\n"
                 "├──────────────────────────────────┤\n"
                 "│ tab\\there\\nnew                   │\n"
                 "│ a very long value that goes on … │\n"
                 "│ 宽字符宽字符宽字符宽字符宽字符…  │\n"
                 "│ NULL                             │\n"
                 "└──────────────────────────────────┘\n");
    /* a single column narrower than the terminal is cut again */
    cols d = {0};
    strs(b = bld(tn_type_get(TN_STRING)), 2, awkward + 1);
    add(&d, "text", b);
    CHECK_RENDER(&d, 0, TN_PRINT_TABLE, 40, 12,
                 "┌──────────┐\n"
                 "│   text   │\n"
                 "│   utf8   │\n"
                 "├──────────┤\n"
                 "│ a very … │\n"
                 "│ 宽字符…  │\n"
                 "└──────────┘\n");
}

/* 8 columns c0..c7 of int8, two rows */
static void wide(cols *c)
{
    static const char *const names[] = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    static const int64_t v[] = {1, -2};
    for (int k = 0; k < 8; k++) {
        tn_builder *b = bld(tn_type_get(TN_INT8));
        ints(b, 2, v, NULL);
        add(c, names[k], b);
    }
}

TEST(table_elide_columns)
{
    cols c = {0};
    wide(&c);
    CHECK_RENDER(&c, 0, TN_PRINT_TABLE, 40, 30,
                 "┌──────┬──────┬───┬──────┐\n"
                 "│  c0  │  c1  │ … │  c7  │\n"
                 "│ int8 │ int8 │ … │ int8 │\n"
                 "├──────┼──────┼───┼──────┤\n"
                 "│    1 │    1 │ … │    1 │\n"
                 "│   -2 │   -2 │ … │   -2 │\n"
                 "├──────┴──────┴───┴──────┤\n"
                 "│ 8 columns (3 shown)    │\n"
                 "└────────────────────────┘\n");
    cols d = {0};
    wide(&d);
    char *all = render(reader_of(&d, 0), TN_PRINT_TABLE, 40, 0);
    CHECK(all && strstr(all, "│  c3  │  c4  │") && !strstr(all, "columns"));
    tn_free(all);
    /* rows and columns left out: a footer line each when one line would not fit,
     * the last column widened to hold them */
    cols e = {0};
    counting(&e, 5);
    CHECK_RENDER(&e, 0, TN_PRINT_TABLE, 2, 16,
                 "┌───────┬─────────────┐\n"
                 "│   i   │      …      │\n"
                 "│ int32 │      …      │\n"
                 "├───────┼─────────────┤\n"
                 "│     0 │      …      │\n"
                 "│   ⋮   │      …      │\n"
                 "│     4 │      …      │\n"
                 "├───────┴─────────────┤\n"
                 "│ 5 rows (2 shown)    │\n"
                 "│ 2 columns (1 shown) │\n"
                 "└─────────────────────┘\n");
}

TEST(csv_quoting)
{
    cols c = {0};
    static const char *const q[] = {"plain", "", NULL, "a,b", "say \"hi\"", " lead", "trail\t", "line\nbreak", "cr\r"};
    tn_builder *b = bld(tn_type_get(TN_STRING));
    strs(b, 9, q);
    add(&c, "v,x", b);
    CHECK_RENDER(&c, 4, TN_PRINT_CSV, 40, 0,
                 "\"v,x\"\nplain\n\"\"\n\n\"a,b\"\n\"say \"\"hi\"\"\"\n\" lead\"\n\"trail\t\"\n\"line\nbreak\"\n\"cr\r\"\n");
    cols d = {0};
    tn_builder *bi = bld(tn_type_get(TN_BINARY));
    CHECK_OK(tn_builder_append_bytes(bi, "", 0, NULL), &(tarn_error){0});
    CHECK_OK(tn_builder_append_null(bi, NULL), &(tarn_error){0});
    add(&d, "", bi);
    CHECK_RENDER(&d, 0, TN_PRINT_CSV, 40, 0, "\"\"\n\"\"\n\n");
}

/* One row of many types, printed by each output. */
static void every_type(cols *c)
{
    tn_builder *b = bld(tn_type_get(TN_BOOL));
    CHECK_OK(tn_builder_append_bool(b, false, NULL), &(tarn_error){0});
    add(c, "flag", b);
    add(c, "x", one_double(tn_type_get(TN_FLOAT64), 2.5));
    add(c, "ts", one_int(tn_type_timestamp(TN_MILLI, "UTC"), 86400001));
    add(c, "list", int_lists());
    add(c, "rec", structs());
    add(c, "m", map_of(tn_type_get(TN_STRING), true));
    b = bld(tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false));
    CHECK_OK(tn_builder_append_str(b, "a b", NULL), &(tarn_error){0});
    add(c, "cat", b);
    add(c, "raw", one_bytes(tn_type_get(TN_BINARY), "\x0f", 1));
    for (int j = 0; j < c->n; j++) { /* one row each */
        tn_array *one = tn_array_slice(c->arrays[j], 0, 1);
        tn_array_unref(c->arrays[j]);
        c->arrays[j] = one;
    }
}

TEST(every_type_each_output)
{
    cols c = {0};
    every_type(&c);
    CHECK_RENDER(&c, 0, TN_PRINT_JSONL, 40, 0,
                 "{\"flag\":false,\"x\":2.5,\"ts\":\"1970-01-02T00:00:00.001Z\",\"list\":[1,null,3],"
                 "\"rec\":{\"id\":1,\"tag\":\"x\\\"y\"},\"m\":{\"a\":0.5,\"b\":null},\"cat\":\"a b\",\"raw\":\"0f\"}\n");
    cols d = {0};
    every_type(&d);
    CHECK_RENDER(&d, 0, TN_PRINT_CSV, 40, 0,
                 "flag,x,ts,list,rec,m,cat,raw\n"
                 "false,2.5,1970-01-02T00:00:00.001Z,\"[1, null, 3]\",\"{\"\"id\"\": 1, \"\"tag\"\": \"\"x\\\"\"y\"\"}\","
                 "\"{\"\"a\"\": 0.5, \"\"b\"\": null}\",a b,0f\n");
    cols e = {0};
    every_type(&e);
    CHECK_RENDER(&e, 0, TN_PRINT_TABLE, 40, 0,
                 "┌───────┬────────┬──────────────────────────┬──────────────┬──────────────────────────────┬───────────────────────┬──────┬────────┐\n"
                 "│ flag  │   x    │            ts            │     list     │             rec              │           m           │ cat  │  raw   │\n"
                 "│ bool  │ double │  timestamp[ms, tz=UTC]   │ list<int32>  │ struct<id: int64, tag: utf8> │   map<utf8, double>   │ utf8 │ binary │\n"
                 "├───────┼────────┼──────────────────────────┼──────────────┼──────────────────────────────┼───────────────────────┼──────┼────────┤\n"
                 "│ false │    2.5 │ 1970-01-02 00:00:00.001Z │ [1, null, 3] │ {\"id\": 1, \"tag\": \"x\\\"y\"}     │ {\"a\": 0.5, \"b\": null} │ a b  │ 0f     │\n"
                 "└───────┴────────┴──────────────────────────┴──────────────┴──────────────────────────────┴───────────────────────┴──────┴────────┘\n");
}

TEST(zero_columns_with_rows)
{
    tn_schema *s = tn_schema_new(0);
    tn_batch *b = tn_batch_new(s, 2);
    tn_reader *r = tn_reader_from_batches(s, &b, 1);
    char *got = render(r, TN_PRINT_JSONL, 40, 0);
    CHECK_STR(got, "{}\n{}\n");
    tn_free(got);
    r = tn_reader_from_batches(s, &b, 1);
    got = render(r, TN_PRINT_TABLE, 40, 0);
    CHECK_STR(got, "┌──────────────┐\n│ (no columns) │\n├──────────────┤\n│ 2 rows       │\n└──────────────┘\n");
    tn_free(got);
    tn_batch_unref(b);
    tn_schema_unref(s);
}

typedef struct fail_ctx {
    tn_batch *batches[8];
    int64_t n;
    tn_print_format format;
} fail_ctx;

static int print_all(void *p, tarn_error *err)
{
    fail_ctx *c = p;
    tn_reader *r = tn_reader_from_batches(c->batches[0]->schema, c->batches, c->n);
    TN_TRY_ALLOC(r, err, sizeof *r);
    tn_print_options o;
    tn_print_options_init(&o);
    o.format = c->format;
    o.max_rows = 4;
    o.max_width = 60;
    tn_buf out;
    tn_buf_init(&out, 0);
    int rc = tn_print_buf(&out, r, &o, err);
    tn_buf_reset(&out);
    tn_reader_free(r);
    return rc;
}

TEST(alloc_failures)
{
    cols c = {0};
    every_type(&c);
    tn_reader *r = reader_of(&c, 0);
    tn_batch *b = NULL;
    CHECK_OK(tn_reader_next(r, &b, &(tarn_error){0}), &(tarn_error){0});
    tn_reader_free(r);
    fail_ctx ctx = {.n = 3}; /* the same one-row batch three times: rows get elided */
    for (int k = 0; k < 3; k++)
        ctx.batches[k] = tn_batch_ref(b);
    tn_batch_unref(b);
    for (int f = 0; f < 3; f++) {
        ctx.format = (tn_print_format)f;
        CHECK(tn_test_alloc_failures(tn_print_format_name(ctx.format), print_all, &ctx) > 3);
    }
    for (int64_t k = 0; k < ctx.n; k++)
        tn_batch_unref(ctx.batches[k]);
}

int main(void)
{
    RUN(table_elide_rows);
    RUN(table_empty_and_no_columns);
    RUN(table_truncate_escape_wide);
    RUN(table_elide_columns);
    RUN(csv_quoting);
    RUN(every_type_each_output);
    RUN(zero_columns_with_rows);
    RUN(alloc_failures);
    RUN(cell_numbers);
    RUN(cell_decimals);
    RUN(cell_strings);
    RUN(cell_temporal);
    RUN(cell_nested);
    RUN(table_basic);
    RUN(csv_basic);
    return tn_test_done();
}
