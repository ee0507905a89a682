/*
 * test_arrow.c — types, builders, arrays, slicing, equality and validation.
 */
#include "arrow/builder.h"
#include "arrow/c_data.h"
#include "arrow/utf8.h"
#include "tn_test.h"

static char *fmt_type(const tn_type *t)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    if (tn_type_format(t, &b, NULL) != 0)
        return NULL;
    return tn_buf_take(&b);
}

#define CHECK_TYPE_STR(t, want)        \
    do {                               \
        char *s_ = fmt_type(t);        \
        CHECK_STR(s_, want);           \
        tn_free(s_);                   \
    } while (0)

TEST(type_format)
{
    CHECK_TYPE_STR(tn_type_get(TN_INT32), "int32");
    tn_type *d = tn_type_decimal(128, 15, 2);
    CHECK_TYPE_STR(d, "decimal128(15, 2)");
    tn_type *ts = tn_type_timestamp(TN_MICRO, "UTC");
    CHECK_TYPE_STR(ts, "timestamp[us, tz=UTC]");
    tn_type *l = tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_STRING), true));
    CHECK_TYPE_STR(l, "list<item: utf8>");
    tn_field *f[2] = {tn_field_new("a", tn_type_get(TN_INT64), false), tn_field_new("b", tn_type_ref(l), true)};
    tn_type *s = tn_type_struct(2, f);
    CHECK_TYPE_STR(s, "struct<a: int64 not null, b: list<item: utf8>>");
    tn_type *m = tn_type_map(tn_field_new("key", tn_type_get(TN_STRING), false),
                             tn_field_new("value", tn_type_get(TN_FLOAT64), true), false);
    CHECK_TYPE_STR(m, "map<utf8, double>");
    tn_type *dict = tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false);
    CHECK_TYPE_STR(dict, "dictionary<values=utf8, indices=int8>");
    CHECK(tn_type_equals(s, s));
    CHECK(!tn_type_equals(d, ts));
    tn_type *d2 = tn_type_decimal(128, 15, 2);
    CHECK(tn_type_equals(d, d2));
    CHECK(tn_type_decimal(128, 40, 2) == NULL);
    /* constructors consume their arguments even on failure */
    CHECK(tn_type_list(TN_STRUCT, tn_field_new("x", tn_type_ref(d), true)) == NULL);
    tn_type_unref(d);
    tn_type_unref(d2);
    tn_type_unref(ts);
    tn_type_unref(l);
    tn_type_unref(s);
    tn_type_unref(m);
    tn_type_unref(dict);
}

TEST(build_ints)
{
    tarn_error err;
    tn_builder *b = tn_builder_new(tn_type_get(TN_INT16));
    CHECK_OK(tn_builder_append_int(b, 5, &err), &err);
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    CHECK_OK(tn_builder_append_int(b, -32768, &err), &err);
    CHECK_EQ_INT(tn_builder_append_int(b, 40000, &err), TARN_EOVERFLOW);
    CHECK_MSG(&err, "out of range for int16");
    CHECK_EQ_INT(tn_builder_append_str(b, "x", &err), TARN_ETYPE);
    tn_array *a;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    CHECK_EQ_INT(a->length, 3);
    CHECK_EQ_INT(tn_array_null_count(a), 1);
    CHECK_EQ_INT(TN_VALUES(a, int16_t)[0], 5);
    CHECK(!tn_array_is_valid(a, 1));
    CHECK_EQ_INT(TN_VALUES(a, int16_t)[2], -32768);
    CHECK_OK(tn_array_validate(a, TARN_VALIDATE_FULL, &err), &err);
    tn_array *s = tn_array_slice(a, 1, 2);
    CHECK(s && s->length == 2 && !tn_array_is_valid(s, 0) && TN_VALUES(s, int16_t)[1] == -32768);
    CHECK(tn_array_element_equals(s, 1, a, 2));
    CHECK(!tn_array_equals(s, a));
    CHECK(tn_array_slice(a, 2, 5) == NULL);
    tn_array_unref(s);
    tn_array_unref(a);
    tn_builder_free(b);
}

TEST(build_strings)
{
    tarn_error err;
    tn_type_id ids[] = {TN_STRING, TN_LARGE_STRING, TN_STRING_VIEW};
    tn_array *arrs[3];
    for (int k = 0; k < 3; k++) {
        tn_builder *b = tn_builder_new(tn_type_get(ids[k]));
        CHECK_OK(tn_builder_append_str(b, "short", &err), &err);
        CHECK_OK(tn_builder_append_null(b, &err), &err);
        CHECK_OK(tn_builder_append_str(b, "a value longer than twelve bytes", &err), &err);
        CHECK_OK(tn_builder_append_str(b, "", &err), &err);
        CHECK_OK(tn_builder_finish(b, &arrs[k], &err), &err);
        CHECK_OK(tn_array_validate(arrs[k], TARN_VALIDATE_FULL, &err), &err);
        int64_t n;
        const uint8_t *p = tn_array_bytes(arrs[k], 2, &n);
        CHECK(n == 32 && memcmp(p, "a value longer than twelve bytes", 32) == 0);
        tn_builder_free(b);
    }
    /* equality is logical, across layouts only when types match */
    CHECK(!tn_array_equals(arrs[0], arrs[1]));
    tn_array *again;
    tn_builder *b = tn_builder_new(tn_type_get(TN_STRING_VIEW));
    CHECK_OK(tn_builder_append_str(b, "short", &err), &err);
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    CHECK_OK(tn_builder_append_str(b, "a value longer than twelve bytes", &err), &err);
    CHECK_OK(tn_builder_append_str(b, "", &err), &err);
    CHECK_OK(tn_builder_finish(b, &again, &err), &err);
    CHECK(tn_array_equals(arrs[2], again));
    tn_builder_free(b);
    tn_array_unref(again);
    for (int k = 0; k < 3; k++)
        tn_array_unref(arrs[k]);
}

TEST(build_nested)
{
    tarn_error err;
    /* list<struct<a: int32, b: utf8>> */
    tn_field *f[2] = {tn_field_new("a", tn_type_get(TN_INT32), true), tn_field_new("b", tn_type_get(TN_STRING), true)};
    tn_type *st = tn_type_struct(2, f);
    tn_type *lt = tn_type_list(TN_LIST, tn_field_new("item", st, true));
    tn_builder *b = tn_builder_new(lt);
    tn_builder *sb = tn_builder_child(b, 0);
    for (int i = 0; i < 3; i++) {
        CHECK_OK(tn_builder_append_int(tn_builder_child(sb, 0), i, &err), &err);
        CHECK_OK(tn_builder_append_str(tn_builder_child(sb, 1), "x", &err), &err);
        CHECK_OK(tn_builder_append_struct(sb, &err), &err);
    }
    CHECK_OK(tn_builder_append_list(b, &err), &err); /* [ {0,x}, {1,x}, {2,x} ] */
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    CHECK_OK(tn_builder_append_null(sb, &err), &err);
    CHECK_OK(tn_builder_append_list(b, &err), &err); /* [ null ] */
    CHECK_OK(tn_builder_append_list(b, &err), &err); /* [] */
    /* a struct whose children are out of step is refused */
    CHECK_OK(tn_builder_append_int(tn_builder_child(sb, 0), 9, &err), &err);
    CHECK_EQ_INT(tn_builder_append_struct(sb, &err), TARN_EINVAL);
    CHECK_MSG(&err, "struct field 'b'");
    CHECK_OK(tn_builder_append_str(tn_builder_child(sb, 1), "y", &err), &err);
    CHECK_OK(tn_builder_append_struct(sb, &err), &err);
    CHECK_OK(tn_builder_append_list(b, &err), &err); /* [ {9,y} ] */
    tn_array *a;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    CHECK_EQ_INT(a->length, 5);
    CHECK_EQ_INT(tn_array_null_count(a), 1);
    CHECK_EQ_INT(a->children[0]->length, 5);
    CHECK_EQ_INT(TN_OFFSETS32(a)[5], 5);
    CHECK_EQ_INT(TN_OFFSETS32(a)[3], 4);
    CHECK_OK(tn_array_validate(a, TARN_VALIDATE_FULL, &err), &err);
    tn_array *s = tn_array_slice(a, 2, 2);
    CHECK(tn_array_element_equals(s, 1, a, 3));
    tn_array_unref(s);
    tn_array_unref(a);
    tn_builder_free(b);
    tn_type_unref(lt);
}

TEST(build_dictionary)
{
    tarn_error err;
    tn_type *t = tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false);
    tn_builder *b = tn_builder_new(t);
    const char *vals[] = {"red", "green", "red", "blue", "green"};
    for (int i = 0; i < 5; i++)
        CHECK_OK(tn_builder_append_str(b, vals[i], &err), &err);
    CHECK_OK(tn_builder_append_null(b, &err), &err);
    tn_array *a;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    CHECK_EQ_INT(a->dictionary->length, 3);
    CHECK_EQ_INT(tn_array_dict_index(a, 2), 0);
    CHECK_EQ_INT(tn_array_dict_index(a, 4), 1);
    CHECK_OK(tn_array_validate(a, TARN_VALIDATE_FULL, &err), &err);
    /* 129 distinct values overflow int8 indices */
    for (int i = 0; i < 128; i++) {
        char s[16];
        snprintf(s, sizeof s, "v%d", i);
        CHECK_OK(tn_builder_append_str(b, s, &err), &err);
    }
    CHECK_EQ_INT(tn_builder_append_str(b, "one too many", &err), TARN_EOVERFLOW);
    tn_array_unref(a);
    tn_builder_free(b);
    tn_type_unref(t);
}

TEST(nulls_and_empty)
{
    tarn_error err;
    tn_type *m = tn_type_map(tn_field_new("k", tn_type_get(TN_STRING), false),
                             tn_field_new("v", tn_type_get(TN_INT64), true), false);
    tn_type *types[] = {tn_type_get(TN_BOOL), tn_type_get(TN_BINARY_VIEW), m, tn_type_get(TN_NA)};
    for (int i = 0; i < 4; i++) {
        tn_array *n = tn_array_new_nulls(types[i], 5), *e = tn_array_new_empty(types[i]);
        CHECK(n && e);
        CHECK_EQ_INT(tn_array_null_count(n), 5);
        CHECK_EQ_INT(e->length, 0);
        CHECK_OK(tn_array_validate(n, TARN_VALIDATE_FULL, &err), &err);
        CHECK_OK(tn_array_validate(e, TARN_VALIDATE_FULL, &err), &err);
        tn_array_unref(n);
        tn_array_unref(e);
    }
    tn_type_unref(m);
}

TEST(validate_rejects)
{
    tarn_error err;
    tn_builder *b = tn_builder_new(tn_type_get(TN_STRING));
    CHECK_OK(tn_builder_append_str(b, "abc", &err), &err);
    CHECK_OK(tn_builder_append_str(b, "de", &err), &err);
    tn_array *a;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    int32_t *off = (int32_t *)a->buffers[1]->data;
    off[1] = 9; /* past the data */
    CHECK_EQ_INT(tn_array_validate(a, TARN_VALIDATE_FULL, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "element 0");
    off[1] = 3;
    a->buffers[2]->data[0] = 0xff; /* invalid UTF-8 */
    CHECK_EQ_INT(tn_array_validate(a, TARN_VALIDATE_FULL, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "UTF-8");
    CHECK_OK(tn_array_validate(a, TARN_VALIDATE_DEFAULT, &err), &err);
    a->length = 5; /* more elements than offsets */
    CHECK_EQ_INT(tn_array_validate(a, TARN_VALIDATE_MINIMAL, &err), TARN_ECORRUPT);
    a->length = 2;
    tn_array_unref(a);
    tn_builder_free(b);
}

TEST(utf8)
{
    CHECK(tn_utf8_valid((const uint8_t *)"plain ascii text", 16, NULL));
    CHECK(tn_utf8_valid((const uint8_t *)"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80", 15, NULL));
    int64_t bad;
    CHECK(!tn_utf8_valid((const uint8_t *)"ab\xc0\xaf", 4, &bad)); /* overlong */
    CHECK_EQ_INT(bad, 2);
    CHECK(!tn_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3, NULL)); /* surrogate */
    CHECK(!tn_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
    CHECK(!tn_utf8_valid((const uint8_t *)"abcdefgh\xe2\x82", 10, NULL)); /* truncated */
}

TEST(float16)
{
    tarn_error err;
    tn_builder *b = tn_builder_new(tn_type_get(TN_FLOAT16));
    double vals[] = {1.0, -2.5, 65504.0, 1e9, 0.00006103515625, 5.960464477539063e-08};
    uint16_t want[] = {0x3c00, 0xc100, 0x7bff, 0x7c00, 0x0400, 0x0001};
    for (int i = 0; i < 6; i++)
        CHECK_OK(tn_builder_append_double(b, vals[i], &err), &err);
    tn_array *a;
    CHECK_OK(tn_builder_finish(b, &a, &err), &err);
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(TN_VALUES(a, uint16_t)[i], want[i]);
    tn_array_unref(a);
    tn_builder_free(b);
}

static int build_nested_once(void *ctx, tarn_error *err)
{
    (void)ctx;
    tn_type *t = tn_type_map(tn_field_new("k", tn_type_get(TN_STRING), false),
                             tn_field_new("v", tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false), true),
                             false);
    if (!t)
        return tn_error_oom(err, 64);
    tn_builder *b = tn_builder_new(t);
    int rc = TARN_OK;
    if (!b) {
        rc = tn_error_oom(err, 64);
        goto done;
    }
    tn_builder *entries = tn_builder_child(b, 0);
    for (int i = 0; i < 50 && !rc; i++) {
        char s[32];
        snprintf(s, sizeof s, "key number %d", i);
        if ((rc = tn_builder_append_str(tn_builder_child(entries, 0), s, err)))
            break;
        if ((rc = tn_builder_append_str(tn_builder_child(entries, 1), i % 3 ? "x" : "y", err)))
            break;
        if ((rc = tn_builder_append_struct(entries, err)))
            break;
        if (i % 5 == 4)
            rc = tn_builder_append_list(b, err);
    }
    tn_array *a = NULL;
    if (!rc)
        rc = tn_builder_finish(b, &a, err);
    if (!rc)
        rc = tn_array_validate(a, TARN_VALIDATE_FULL, err);
    tn_array_unref(a);
done:
    tn_builder_free(b);
    tn_type_unref(t);
    return rc;
}

TEST(alloc_failures)
{
    int points = tn_test_alloc_failures("build map<utf8, dictionary>", build_nested_once, NULL);
    CHECK(points > 10);
}

int main(void)
{
    RUN(type_format);
    RUN(build_ints);
    RUN(build_strings);
    RUN(build_nested);
    RUN(build_dictionary);
    RUN(nulls_and_empty);
    RUN(validate_rejects);
    RUN(utf8);
    RUN(float16);
    RUN(alloc_failures);
    return tn_test_done();
}
