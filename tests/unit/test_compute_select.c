/*
 * test_compute_select.c — filter, take and concatenate over every type,
 * nested ones, views and dictionaries included: hand-written expectations
 * for the flat types, and for every type a row-by-row check against the
 * source (tn_array_element_equals), on whole arrays and on slices.
 */
#include "compute_helpers.h"

#define ROWS 7

static void ok(int rc)
{
    if (rc) {
        fprintf(stderr, "builder failed\n");
        exit(2);
    }
}

static tn_array *finish(tn_builder *b)
{
    tn_array *a = NULL;
    ok(tn_builder_finish(b, &a, NULL));
    tn_builder_free(b);
    return a;
}

static tn_builder *builder(tn_type *t)
{
    tn_builder *b = tn_builder_new(t);
    tn_type_unref(t);
    return b;
}

/* Seven rows of the given kind, with nulls at rows 1 and 4. */
static tn_array *sample(int kind)
{
    static const char *const words[] = {"alpha", "b", "a rather long string value", "", "d", "epsilon-epsilon-e", "f"};
    tn_builder *b = NULL;
    switch (kind) {
    case 0: b = builder(tn_type_get(TN_INT32)); break;
    case 1: b = builder(tn_type_get(TN_BOOL)); break;
    case 2: b = builder(tn_type_get(TN_FLOAT64)); break;
    case 3: b = builder(tn_type_decimal(128, 12, 3)); break;
    case 4: b = builder(tn_type_decimal(256, 50, 3)); break;
    case 5: b = builder(tn_type_get(TN_STRING)); break;
    case 6: b = builder(tn_type_get(TN_LARGE_STRING)); break;
    case 7: b = builder(tn_type_get(TN_STRING_VIEW)); break;
    case 8: b = builder(tn_type_get(TN_BINARY_VIEW)); break;
    case 9: b = builder(tn_type_fixed_binary(3)); break;
    case 10: b = builder(tn_type_timestamp(TN_MICRO, "UTC")); break;
    case 11: b = builder(tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true))); break;
    case 12: b = builder(tn_type_list(TN_LARGE_LIST, tn_field_new("item", tn_type_get(TN_STRING), true))); break;
    case 13: b = builder(tn_type_fixed_list(tn_field_new("item", tn_type_get(TN_INT16), true), 2)); break;
    case 14: {
        tn_field *f[2] = {tn_field_new("a", tn_type_get(TN_INT32), true), tn_field_new("b", tn_type_get(TN_STRING), true)};
        b = builder(tn_type_struct(2, f));
        break;
    }
    case 15:
        b = builder(tn_type_map(tn_field_new("key", tn_type_get(TN_STRING), false),
                                tn_field_new("value", tn_type_get(TN_INT32), true), false));
        break;
    case 16: b = builder(tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false)); break;
    case 17: return tn_array_new_nulls(tn_type_get(TN_NA), ROWS);
    case 18: { /* list<struct<x: int32>>: nesting two deep */
        tn_field *f[1] = {tn_field_new("x", tn_type_get(TN_INT32), true)};
        b = builder(tn_type_list(TN_LIST, tn_field_new("item", tn_type_struct(1, f), true)));
        break;
    }
    default: return NULL;
    }
    for (int i = 0; i < ROWS; i++) {
        if (i == 1 || i == 4) {
            ok(tn_builder_append_null(b, NULL));
            continue;
        }
        switch (kind) {
        case 0: case 10: ok(tn_builder_append_int(b, i * 10 - 20, NULL)); break;
        case 1: ok(tn_builder_append_bool(b, i % 3 == 0, NULL)); break;
        case 2: ok(tn_builder_append_double(b, i * 1.5, NULL)); break;
        case 3: case 4: ok(tn_builder_append_int(b, i * 1000 + 7, NULL)); break;
        case 5: case 6: case 7: case 8: case 16: ok(tn_builder_append_str(b, words[i], NULL)); break;
        case 9: {
            char fb[3] = {(char)('a' + i), 'b', (char)('0' + i % 2)};
            ok(tn_builder_append_bytes(b, fb, 3, NULL));
            break;
        }
        case 11:
            for (int k = 0; k < i % 3; k++)
                ok(tn_builder_append_int(tn_builder_child(b, 0), i * 100 + k, NULL));
            ok(tn_builder_append_list(b, NULL));
            break;
        case 12:
            for (int k = 0; k < (i % 2) + 1; k++)
                ok(k == 1 ? tn_builder_append_null(tn_builder_child(b, 0), NULL)
                          : tn_builder_append_str(tn_builder_child(b, 0), words[(i + k) % ROWS], NULL));
            ok(tn_builder_append_list(b, NULL));
            break;
        case 13:
            ok(tn_builder_append_int(tn_builder_child(b, 0), i, NULL));
            ok(tn_builder_append_int(tn_builder_child(b, 0), -i, NULL));
            ok(tn_builder_append_list(b, NULL));
            break;
        case 14:
            ok(i == 3 ? tn_builder_append_null(tn_builder_child(b, 0), NULL)
                      : tn_builder_append_int(tn_builder_child(b, 0), i, NULL));
            ok(tn_builder_append_str(tn_builder_child(b, 1), words[i], NULL));
            ok(tn_builder_append_struct(b, NULL));
            break;
        case 15: {
            tn_builder *e = tn_builder_child(b, 0);
            for (int k = 0; k < i % 3; k++) {
                ok(tn_builder_append_str(tn_builder_child(e, 0), words[k], NULL));
                ok(tn_builder_append_int(tn_builder_child(e, 1), i + k, NULL));
                ok(tn_builder_append_struct(e, NULL));
            }
            ok(tn_builder_append_list(b, NULL));
            break;
        }
        case 18: {
            tn_builder *s = tn_builder_child(b, 0);
            for (int k = 0; k < 2; k++) {
                ok(tn_builder_append_int(tn_builder_child(s, 0), i * 7 + k, NULL));
                ok(tn_builder_append_struct(s, NULL));
            }
            ok(tn_builder_append_list(b, NULL));
            break;
        }
        }
    }
    return finish(b);
}

#define KINDS 19

/* out row k equals src row idx[k] (idx < 0: out row is null). */
static int rows_match(const tn_array *out, const tn_array *src, const int64_t *idx, int64_t n)
{
    if (!out || out->length != n)
        return 0;
    for (int64_t k = 0; k < n; k++) {
        if (idx[k] < 0 ? tn_array_is_valid(out, k) : !tn_array_element_equals(out, k, src, idx[k]))
            return 0;
    }
    return 1;
}

TEST(flat_expectations)
{
    tarn_error err;
    int64_t v[] = {10, NUL_I, 30, 40, 50};
    tn_array *a = mk_int(tn_type_get(TN_INT64), 5, v), *o = NULL;
    int64_t ix[] = {4, 0, NUL_I, 1, 4};
    tn_array *idx = mk_int(tn_type_get(TN_UINT16), 5, ix);
    CHECK_OK(tn_take(a, idx, &o, &err), &err);
    CHECK_FMT(o, "[50, 10, null, null, 50]");
    int m[] = {1, 1, -1, 0, 1};
    tn_array *mask = mk_bool(5, m);
    CHECK_OK(tn_filter(a, mask, &o, &err), &err);
    CHECK_FMT(o, "[10, null, 50]");
    const char *s[] = {"x", NULL, "a longer string than twelve", "", "q"};
    tn_array *sa = mk_str(tn_type_get(TN_STRING), 5, s);
    CHECK_OK(tn_filter(sa, mask, &o, &err), &err);
    const char *want[] = {"x", NULL, "q"};
    CHECK_ARR(o, mk_str(tn_type_get(TN_STRING), 3, want));
    int32_t rows[] = {2, 2, 0};
    tn_selection sel = {rows, 3};
    CHECK_OK(tn_filter_sel(sa, &sel, &o, &err), &err);
    const char *want2[] = {"a longer string than twelve", "a longer string than twelve", "x"};
    CHECK_ARR(o, mk_str(tn_type_get(TN_STRING), 3, want2));
    tn_array *parts[3] = {tn_array_slice(a, 3, 2), a, tn_array_slice(a, 0, 0)};
    CHECK_OK(tn_concatenate(parts, 3, &o, &err), &err);
    CHECK_FMT(o, "[40, 50, 10, null, 30, 40, 50]");
    tn_array_unref(parts[0]);
    tn_array_unref(parts[2]);
    tn_array_unref(sa);
    tn_array_unref(mask);
    tn_array_unref(idx);
    tn_array_unref(a);
}

TEST(every_type_take_filter)
{
    tarn_error err;
    int64_t ix[] = {6, 0, NUL_I, 1, 3, 3, 2, 5};
    int64_t want_idx[] = {6, 0, -1, 1, 3, 3, 2, 5};
    tn_array *idx = mk_int(tn_type_get(TN_INT32), 8, ix);
    int m[] = {1, -1, 0, 1, 1, 0, 1};
    tn_array *mask = mk_bool(ROWS, m);
    int64_t fidx[] = {0, 3, 4, 6};
    for (int kind = 0; kind < KINDS; kind++) {
        tn_array *a = sample(kind), *o = NULL;
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_OK(tn_take(a, idx, &o, &err), &err);
        if (!rows_match(o, a, want_idx, 8)) {
            fprintf(stderr, "take mismatch for %s\n", tn_type_id_name(a->type->id));
            tn_test_failures++;
        }
        tn_array_unref(o);
        CHECK_OK(tn_filter(a, mask, &o, &err), &err);
        if (!rows_match(o, a, fidx, 4)) {
            fprintf(stderr, "filter mismatch for %s\n", tn_type_id_name(a->type->id));
            tn_test_failures++;
        }
        tn_array_unref(o);
        /* on a slice: rows 2..6 of a */
        tn_array *s = tn_array_slice(a, 2, 5);
        int64_t sx[] = {4, 0, 2};
        tn_array *si = mk_int(tn_type_get(TN_INT64), 3, sx);
        CHECK_OK(tn_take(s, si, &o, &err), &err);
        int64_t sw[] = {6, 2, 4};
        if (!rows_match(o, a, sw, 3)) {
            fprintf(stderr, "sliced take mismatch for %s\n", tn_type_id_name(a->type->id));
            tn_test_failures++;
        }
        tn_array_unref(o);
        /* taking nothing */
        tn_array *none = tn_array_slice(si, 0, 0);
        CHECK_OK(tn_take(s, none, &o, &err), &err);
        CHECK(o && o->length == 0 && tn_type_equals(o->type, a->type));
        tn_array_unref(o);
        tn_array_unref(none);
        tn_array_unref(si);
        tn_array_unref(s);
        tn_array_unref(a);
    }
    tn_array_unref(idx);
    tn_array_unref(mask);
}

TEST(every_type_concatenate)
{
    tarn_error err;
    for (int kind = 0; kind < KINDS; kind++) {
        tn_array *a = sample(kind), *o = NULL;
        if (!a)
            continue;
        tn_array *parts[3] = {tn_array_slice(a, 0, 3), tn_array_slice(a, 3, 0), tn_array_slice(a, 3, 4)};
        CHECK_OK(tn_concatenate(parts, 3, &o, &err), &err);
        if (!o || !tn_array_equals(o, a)) {
            fprintf(stderr, "concatenate mismatch for %s\n", tn_type_id_name(a->type->id));
            tn_test_failures++;
        }
        tn_array_unref(o);
        tn_array *twice[2] = {parts[2], parts[0]};
        CHECK_OK(tn_concatenate(twice, 2, &o, &err), &err);
        int64_t w[] = {3, 4, 5, 6, 0, 1, 2};
        if (!rows_match(o, a, w, 7)) {
            fprintf(stderr, "reordered concatenate mismatch for %s\n", tn_type_id_name(a->type->id));
            tn_test_failures++;
        }
        tn_array_unref(o);
        for (int i = 0; i < 3; i++)
            tn_array_unref(parts[i]);
        tn_array_unref(a);
    }
}

TEST(dictionaries_unify)
{
    tarn_error err;
    tn_type *dt = tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false);
    tn_builder *b1 = tn_builder_new(dt), *b2 = tn_builder_new(dt);
    const char *w1[] = {"red", "green", "red"}, *w2[] = {"blue", "red", NULL};
    for (int i = 0; i < 3; i++) {
        ok(tn_builder_append_str(b1, w1[i], NULL));
        ok(w2[i] ? tn_builder_append_str(b2, w2[i], NULL) : tn_builder_append_null(b2, NULL));
    }
    tn_array *d1 = finish(b1), *d2 = finish(b2), *o = NULL;
    tn_array *parts[2] = {d1, d2};
    CHECK_OK(tn_concatenate(parts, 2, &o, &err), &err);
    CHECK(o && o->dictionary->length == 4); /* rebased: the two dictionaries end to end */
    CHECK_FMT(o, "[red, green, red, blue, red, null]");
    tn_type_unref(dt);
    tn_array_unref(d1);
    tn_array_unref(d2);
}

TEST(views_share_buffers)
{
    tarn_error err;
    const char *s[] = {"a string long enough to live in a data buffer", "tiny", NULL};
    tn_array *a = mk_str(tn_type_get(TN_STRING_VIEW), 3, s), *b = mk_str(tn_type_get(TN_STRING_VIEW), 3, s), *o = NULL;
    tn_array *parts[2] = {b, a};
    CHECK_OK(tn_concatenate(parts, 2, &o, &err), &err);
    CHECK(o && o->n_buffers == 2 + (a->n_buffers - 2) + (b->n_buffers - 2));
    const char *want[] = {s[0], s[1], s[2], s[0], s[1], s[2]};
    CHECK_ARR(o, mk_str(tn_type_get(TN_STRING_VIEW), 6, want));
    int64_t ix[] = {0};
    tn_array *idx = mk_int(tn_type_get(TN_INT8), 1, ix);
    CHECK_OK(tn_take(a, idx, &o, &err), &err);
    CHECK(o && o->buffers[2] == a->buffers[2]);
    tn_array_unref(o);
    tn_array_unref(idx);
    tn_array_unref(a);
    tn_array_unref(b);
}

TEST(errors)
{
    tarn_error err;
    int64_t v[] = {1, 2, 3};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 3, v), *o = NULL;
    int64_t bad[] = {0, NUL_I, 3};
    tn_array *idx = mk_int(tn_type_get(TN_INT64), 3, bad);
    CHECK(tn_take(a, idx, &o, &err) == TARN_EINVAL && o == NULL);
    CHECK_STR(err.message, "take: index 3 out of bounds for array of length 3 at row 2");
    tn_array_unref(idx);
    int64_t big[] = {1, 2, 1000};
    idx = mk_int(tn_type_get(TN_INT64), 3, big);
    CHECK(tn_take(a, idx, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "take: index 1000 out of bounds for array of length 3 at row 2");
    tn_array_unref(idx);
    int64_t neg[] = {-1};
    idx = mk_int(tn_type_get(TN_INT8), 1, neg);
    CHECK(tn_take(a, idx, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "take: index -1 out of bounds for array of length 3 at row 0");
    tn_array_unref(idx);
    const char *s[] = {"1"};
    tn_array *sa = mk_str(tn_type_get(TN_STRING), 1, s);
    CHECK(tn_take(a, sa, &o, &err) == TARN_ETYPE);
    CHECK_STR(err.message, "take indices must be integers, not utf8");
    tn_array *parts[2] = {a, sa};
    CHECK(tn_concatenate(parts, 2, &o, &err) == TARN_ETYPE);
    CHECK_STR(err.message, "concatenate: input 1 is utf8, not int32");
    CHECK(tn_filter(a, sa, &o, &err) == TARN_ETYPE);
    CHECK_STR(err.message, "a filter mask must be bool, not utf8");
    int m[] = {1, 0};
    tn_array *mask = mk_bool(2, m);
    CHECK(tn_filter(a, mask, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "filter mask has 2 rows, the array 3");
    int32_t rows[] = {0, 7};
    tn_selection sel = {rows, 2};
    CHECK(tn_filter_sel(a, &sel, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "selection row 7 out of bounds for 3 rows at position 1");
    CHECK(tn_concatenate(parts, 0, &o, &err) == TARN_EINVAL);
    tn_array_unref(mask);
    tn_array_unref(sa);
    tn_array_unref(a);
}

TEST(selection_from_mask)
{
    tarn_error err;
    int m[20];
    for (int i = 0; i < 20; i++)
        m[i] = i % 7 == 0 ? -1 : (i % 3 != 0);
    tn_array *mask = mk_bool(20, m);
    tn_array *s = tn_array_slice(mask, 3, 17);
    int32_t rows[20];
    int64_t n = 0;
    CHECK_OK(tn_selection_from_mask(s, NULL, rows, &n, &err), &err);
    int64_t want = 0, okc = 1;
    for (int i = 0; i < 17; i++) {
        int v = m[i + 3];
        if (v == 1) {
            okc &= want < n && rows[want] == i;
            want++;
        }
    }
    CHECK(okc);
    CHECK_EQ_INT(n, want);
    /* filter with the same sliced mask over a sliced array */
    int64_t vals[20];
    for (int i = 0; i < 20; i++)
        vals[i] = i * 3;
    tn_array *va = mk_int(tn_type_get(TN_INT64), 20, vals), *vs = tn_array_slice(va, 3, 17), *fo = NULL;
    CHECK_OK(tn_filter(vs, s, &fo, &err), &err);
    CHECK(fo && fo->length == n);
    for (int64_t k = 0; fo && k < n && k < fo->length; k++)
        CHECK_EQ_INT(TN_VALUES(fo, int64_t)[k], (rows[k] + 3) * 3);
    tn_array_unref(fo);
    tn_array_unref(vs);
    tn_array_unref(va);
    int32_t within[] = {16, 0, 1};
    tn_selection w = {within, 3};
    CHECK_OK(tn_selection_from_mask(s, &w, rows, &n, &err), &err);
    CHECK_EQ_INT(n, 2); /* rows 16 (m[19]=1) and 1 (m[4]=1); row 0 is m[3]=0 */
    CHECK(rows[0] == 16 && rows[1] == 1);
    tn_array_unref(s);
    tn_array_unref(mask);
}

static int alloc_take(void *ctx, tarn_error *err)
{
    tn_array **in = ctx, *o = NULL, *c = NULL;
    int rc = tn_take(in[0], in[1], &o, err);
    if (rc == 0) {
        tn_array *parts[2] = {o, in[0]};
        rc = tn_concatenate(parts, 2, &c, err);
    }
    tn_array_unref(o);
    tn_array_unref(c);
    return rc;
}

static int alloc_filter(void *ctx, tarn_error *err)
{
    tn_array **in = ctx, *o = NULL;
    int rc = tn_filter(in[0], in[2], &o, err);
    tn_array_unref(o);
    return rc;
}

TEST(alloc_failures)
{
    int64_t ix[] = {6, NUL_I, 0, 2};
    int m[] = {1, -1, 0, 1, 1, 0, 1};
    for (int kind = 11; kind <= 18; kind += 7) { /* list<int32> and list<struct> */
        tn_array *in[3] = {sample(kind), mk_int(tn_type_get(TN_INT64), 4, ix), mk_bool(ROWS, m)};
        CHECK(tn_test_alloc_failures("take+concatenate", alloc_take, in) > 3);
        CHECK(tn_test_alloc_failures("filter", alloc_filter, in) > 2);
        for (int i = 0; i < 3; i++)
            tn_array_unref(in[i]);
    }
    tn_array *in[3] = {sample(16), mk_int(tn_type_get(TN_INT64), 4, ix), mk_bool(ROWS, m)};
    CHECK(tn_test_alloc_failures("dictionary take", alloc_take, in) > 2);
    for (int i = 0; i < 3; i++)
        tn_array_unref(in[i]);
}

int main(void)
{
    RUN(flat_expectations);
    RUN(every_type_take_filter);
    RUN(every_type_concatenate);
    RUN(dictionaries_unify);
    RUN(views_share_buffers);
    RUN(errors);
    RUN(selection_from_mask);
    RUN(alloc_failures);
    return tn_test_done();
}
