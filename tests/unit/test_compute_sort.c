/*
 * test_compute_sort.c — sort indices (single and multi-key, directions,
 * null placement, NaN order, stability, radix and comparison paths) and
 * row hashing (null-aware, layout- and slice-independent).
 */
#include "compute_helpers.h"

static char *perm(tn_array *o)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    for (int64_t i = 0; o && i < o->length; i++)
        if (tn_buf_printf(&b, NULL, "%s%lld", i ? " " : "", (long long)TN_VALUES(o, int64_t)[i]) != 0)
            break;
    tn_array_unref(o);
    return b.data ? tn_buf_take(&b) : tn_strdup("");
}

static tn_array *sorted(tn_sort_key *k, int n)
{
    tn_array *o = NULL;
    tarn_error err;
    if (tn_sort_indices(k, n, &o, &err) != 0) {
        fprintf(stderr, "sort failed: %s\n", err.message);
        return NULL;
    }
    return o;
}

#define CHECK_PERM(keys, nk, want)          \
    do {                                    \
        char *p_ = perm(sorted(keys, nk));  \
        CHECK_STR(p_, want);                \
        tn_free(p_);                        \
    } while (0)

TEST(single_key)
{
    int64_t v[] = {3, NUL_I, -1, 3, 7, NUL_I, -1};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 7, v);
    tn_sort_key k = {a, false, false};
    CHECK_PERM(&k, 1, "2 6 0 3 4 1 5");
    k.nulls_first = true;
    CHECK_PERM(&k, 1, "1 5 2 6 0 3 4");
    k.descending = true;
    CHECK_PERM(&k, 1, "1 5 4 0 3 2 6"); /* stable: ties keep input order */
    k.nulls_first = false;
    CHECK_PERM(&k, 1, "4 0 3 2 6 1 5");
    tn_array *s = tn_array_slice(a, 2, 4); /* -1 3 7 null */
    tn_sort_key ks = {s, true, false};
    CHECK_PERM(&ks, 1, "2 1 0 3");
    tn_array_unref(s);
    tn_array_unref(a);
    /* unsigned and 64-bit extremes */
    tn_builder *b = tn_builder_new(tn_type_get(TN_UINT64));
    uint64_t u[] = {UINT64_MAX, 0, 1ULL << 63, 5};
    for (int i = 0; i < 4; i++)
        CHECK_OK(tn_builder_append_uint(b, u[i], NULL), &(tarn_error){0});
    tn_array *ua = NULL;
    CHECK(tn_builder_finish(b, &ua, NULL) == 0);
    tn_builder_free(b);
    tn_sort_key ku = {ua, false, false};
    CHECK_PERM(&ku, 1, "1 3 2 0");
    tn_array_unref(ua);
    int64_t e[] = {INT64_MAX, INT64_MIN + 1, 0, -1};
    a = mk_int(tn_type_get(TN_INT64), 4, e);
    tn_sort_key ke = {a, false, false};
    CHECK_PERM(&ke, 1, "1 3 2 0");
    tn_array_unref(a);
}

TEST(floats_nan)
{
    double v[] = {NAN, 1.5, -INFINITY, 0.0, -0.0, INFINITY, -2, NAN, 0};
    tn_array *a = mk_dbl(tn_type_get(TN_FLOAT64), 9, v, "111111101");
    tn_sort_key k = {a, false, false};
    /* -inf -2 0 -0 0 (ties in input order) 1.5 inf NaN, then the null */
    CHECK_PERM(&k, 1, "2 6 3 4 8 1 5 0 7");
    k.descending = true;
    CHECK_PERM(&k, 1, "0 5 1 3 4 8 6 2 7");
    tn_array_unref(a);
    double f[] = {2, NAN, -1};
    a = mk_dbl(tn_type_get(TN_FLOAT32), 3, f, NULL);
    tn_sort_key kf = {a, false, true};
    CHECK_PERM(&kf, 1, "2 0 1");
    tn_array_unref(a);
}

TEST(multi_key)
{
    int64_t g[] = {2, 1, 2, 1, NUL_I, 1};
    const char *s[] = {"b", "z", "a", NULL, "q", "z"};
    double d[] = {1, 2, 3, 4, 5, 0};
    tn_array *ga = mk_int(tn_type_get(TN_INT8), 6, g), *sa = mk_str(tn_type_get(TN_STRING), 6, s),
             *da = mk_dbl(tn_type_get(TN_FLOAT64), 6, d, NULL);
    /* radix path: int then float desc */
    tn_sort_key k1[2] = {{ga, false, false}, {da, true, false}};
    CHECK_PERM(k1, 2, "3 1 5 2 0 4");
    /* comparison path: int asc, string desc nulls first */
    tn_sort_key k2[2] = {{ga, false, false}, {sa, true, true}};
    CHECK_PERM(k2, 2, "3 1 5 0 2 4");
    /* string first, then the float: stable among equal strings */
    tn_sort_key k3[2] = {{sa, false, false}, {da, false, false}};
    CHECK_PERM(k3, 2, "2 0 4 5 1 3");
    /* views and large strings sort the same */
    tn_array *va = mk_str(tn_type_get(TN_STRING_VIEW), 6, s);
    tn_sort_key k4 = {va, false, false};
    tn_sort_key k5 = {sa, false, false};
    char *p1 = perm(sorted(&k4, 1)), *p2 = perm(sorted(&k5, 1));
    CHECK_STR(p1, p2);
    tn_free(p1);
    tn_free(p2);
    tn_array_unref(va);
    tn_array_unref(ga);
    tn_array_unref(sa);
    tn_array_unref(da);
}

TEST(single_text_key)
{
    /* prefixes of 8+ equal bytes, a prefix of another, the empty string */
    const char *s[] = {"abcdefghZ", "abcdefgh", NULL, "abcdefghA", "", "b", "abcdefghA", "abc"};
    tn_array *a = mk_str(tn_type_get(TN_STRING), 8, s);
    tn_sort_key k = {a, false, false};
    CHECK_PERM(&k, 1, "4 7 1 3 6 0 5 2");
    k.descending = true;
    k.nulls_first = true;
    CHECK_PERM(&k, 1, "2 5 0 3 6 1 7 4");
    tn_array *sl = tn_array_slice(a, 3, 4); /* abcdefghA, "", b, abcdefghA */
    tn_sort_key ks = {sl, false, false};
    CHECK_PERM(&ks, 1, "1 0 3 2");
    tn_array_unref(sl);
    tn_array_unref(a);
    /* binary with a zero byte sorts after its prefix */
    tn_builder *b = tn_builder_new(tn_type_get(TN_BINARY));
    CHECK(tn_builder_append_bytes(b, "ab\0", 3, NULL) == 0);
    CHECK(tn_builder_append_bytes(b, "ab", 2, NULL) == 0);
    CHECK(tn_builder_append_bytes(b, "a", 1, NULL) == 0);
    tn_array *bin = NULL;
    CHECK(tn_builder_finish(b, &bin, NULL) == 0);
    tn_builder_free(b);
    tn_sort_key kb = {bin, false, false};
    CHECK_PERM(&kb, 1, "2 1 0");
    tn_array_unref(bin);
}

TEST(decimals_and_bool)
{
    int64_t v[] = {-5, 100000000000LL, NUL_I, -6, 0};
    tn_array *a = mk_int(tn_type_decimal(128, 20, 2), 5, v), *w = mk_int(tn_type_decimal(256, 40, 2), 5, v);
    tn_sort_key k = {a, false, false}, kw = {w, false, false};
    CHECK_PERM(&k, 1, "3 0 4 1 2");
    CHECK_PERM(&kw, 1, "3 0 4 1 2");
    k.descending = true;
    CHECK_PERM(&k, 1, "1 4 0 3 2");
    int bv[] = {1, 0, -1, 1, 0};
    tn_array *b = mk_bool(5, bv);
    tn_sort_key kb[2] = {{b, true, false}, {a, false, false}};
    CHECK_PERM(kb, 2, "3 0 4 1 2");
    tn_array_unref(b);
    tn_array_unref(a);
    tn_array_unref(w);
}

TEST(stability_large)
{
    /* 5000 rows, 7 distinct keys: the radix path must keep input order */
    enum { N = 5000 };
    int64_t *v = malloc(sizeof(int64_t) * N);
    for (int i = 0; i < N; i++)
        v[i] = (i * 7919) % 7 - 3;
    tn_array *a = mk_int(tn_type_get(TN_INT16), N, v);
    tn_sort_key k = {a, true, false};
    tn_array *o = sorted(&k, 1);
    int bad = 0;
    for (int i = 1; o && i < N; i++) {
        int64_t p = TN_VALUES(o, int64_t)[i - 1], q = TN_VALUES(o, int64_t)[i];
        bad += v[p] < v[q] || (v[p] == v[q] && p > q);
    }
    CHECK(o != NULL);
    CHECK_EQ_INT(bad, 0);
    tn_array_unref(o);
    tn_array_unref(a);
    free(v);
}

TEST(sort_errors)
{
    tarn_error err;
    int64_t v[] = {1, 2};
    tn_array *a = mk_int(tn_type_get(TN_INT32), 2, v), *b = tn_array_slice(a, 0, 1), *o = NULL;
    tn_sort_key k[2] = {{a, false, false}, {b, false, false}};
    CHECK(tn_sort_indices(k, 2, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "sort key 1 has 1 rows, key 0 has 2");
    CHECK(tn_sort_indices(k, 0, &o, &err) == TARN_EINVAL);
    tn_type *lt = tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true));
    tn_array *l = tn_array_new_nulls(lt, 2);
    tn_type_unref(lt);
    tn_sort_key kl = {l, false, false};
    CHECK(tn_sort_indices(&kl, 1, &o, &err) == TARN_EUNSUPPORTED);
    CHECK_STR(err.message, "cannot sort by a key of type list");
    tn_array_unref(l);
    tn_array *e = tn_array_slice(a, 0, 0);
    tn_sort_key ke = {e, false, false};
    CHECK_OK(tn_sort_indices(&ke, 1, &o, &err), &err);
    CHECK(o && o->length == 0);
    tn_array_unref(o);
    tn_array_unref(e);
    tn_array_unref(b);
    tn_array_unref(a);
}

static tn_array *hashes(tn_array **cols, int n)
{
    tn_array *o = NULL;
    tarn_error err;
    if (tn_hash_rows(cols, n, 42, &o, &err) != 0) {
        fprintf(stderr, "hash failed: %s\n", err.message);
        return NULL;
    }
    return o;
}

TEST(row_hash)
{
    const char *s[] = {"a value longer than twelve bytes", NULL, "x", "a value longer than twelve bytes", "x"};
    int64_t v[] = {1, NUL_I, 2, 1, 2};
    tn_array *sa = mk_str(tn_type_get(TN_STRING), 5, s), *sv = mk_str(tn_type_get(TN_STRING_VIEW), 5, s),
             *ia = mk_int(tn_type_get(TN_INT64), 5, v);
    tn_array *c1[2] = {sa, ia}, *c2[2] = {sv, ia};
    tn_array *h1 = hashes(c1, 2), *h2 = hashes(c2, 2);
    CHECK(h1 && h2 && tn_array_equals(h1, h2)); /* layouts hash alike */
    const uint64_t *x = TN_VALUES(h1, uint64_t);
    CHECK(x[0] == x[3] && x[2] == x[4] && x[0] != x[2] && x[1] != x[0]);
    /* slices: row 3 of the whole equals row 0 of a slice starting there */
    tn_array *ss = tn_array_slice(sa, 3, 2), *is = tn_array_slice(ia, 3, 2);
    tn_array *c3[2] = {ss, is};
    tn_array *h3 = hashes(c3, 2);
    CHECK(h3 && TN_VALUES(h3, uint64_t)[0] == x[3] && TN_VALUES(h3, uint64_t)[1] == x[4]);
    /* the seed matters; a null differs from every value */
    tn_array *o = NULL;
    tarn_error err;
    CHECK_OK(tn_hash_rows(c1, 2, 43, &o, &err), &err);
    CHECK(o && TN_VALUES(o, uint64_t)[0] != x[0]);
    tn_array_unref(o);
    /* -0.0 and 0.0, and two NaNs, hash alike */
    double d[] = {0.0, -0.0, NAN, -NAN};
    tn_array *da = mk_dbl(tn_type_get(TN_FLOAT64), 4, d, NULL);
    tn_array *h4 = hashes(&da, 1);
    CHECK(h4 && TN_VALUES(h4, uint64_t)[0] == TN_VALUES(h4, uint64_t)[1] &&
          TN_VALUES(h4, uint64_t)[2] == TN_VALUES(h4, uint64_t)[3]);
    /* a dictionary hashes as its decoded values */
    tn_type *dt = tn_type_dictionary(tn_type_get(TN_INT16), tn_type_get(TN_STRING), false);
    tn_builder *b = tn_builder_new(dt);
    tn_type_unref(dt);
    for (int i = 0; i < 5; i++)
        CHECK(s[i] ? tn_builder_append_str(b, s[i], NULL) == 0 : tn_builder_append_null(b, NULL) == 0);
    tn_array *dict = NULL;
    CHECK(tn_builder_finish(b, &dict, NULL) == 0);
    tn_builder_free(b);
    tn_array *h5 = hashes(&dict, 1), *h6 = hashes(&sa, 1);
    CHECK(h5 && h6 && tn_array_equals(h5, h6));
    /* nested: list<int32> rows equal by content */
    tn_type *lt = tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true));
    b = tn_builder_new(lt);
    tn_type_unref(lt);
    int lists[3][2] = {{1, 2}, {3, 4}, {1, 2}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++)
            CHECK(tn_builder_append_int(tn_builder_child(b, 0), lists[i][j], NULL) == 0);
        CHECK(tn_builder_append_list(b, NULL) == 0);
    }
    tn_array *la = NULL;
    CHECK(tn_builder_finish(b, &la, NULL) == 0);
    tn_builder_free(b);
    tn_array *h7 = hashes(&la, 1);
    CHECK(h7 && TN_VALUES(h7, uint64_t)[0] == TN_VALUES(h7, uint64_t)[2] &&
          TN_VALUES(h7, uint64_t)[0] != TN_VALUES(h7, uint64_t)[1]);
    tn_array *c4[2] = {sa, ss};
    CHECK(tn_hash_rows(c4, 2, 0, &o, &err) == TARN_EINVAL);
    CHECK_STR(err.message, "hash column 1 has 2 rows, column 0 has 5");
    tn_array *all[] = {h1, h2, h3, h4, h5, h6, h7, ss, is, sa, sv, ia, da, dict, la};
    for (int i = 0; i < COUNT(all); i++)
        tn_array_unref(all[i]);
}

static int alloc_sort(void *ctx, tarn_error *err)
{
    tn_array **in = ctx, *o = NULL;
    tn_sort_key k[2] = {{in[0], false, true}, {in[1], true, false}};
    int rc = tn_sort_indices(k, 2, &o, err);
    tn_array_unref(o);
    if (rc)
        return rc;
    rc = tn_hash_rows(in, 2, 7, &o, err);
    tn_array_unref(o);
    return rc;
}

TEST(alloc_failures)
{
    int64_t v[] = {3, NUL_I, 1};
    const char *s[] = {"b", "a", NULL};
    tn_array *in[2] = {mk_int(tn_type_get(TN_INT32), 3, v), mk_str(tn_type_get(TN_STRING), 3, s)};
    CHECK(tn_test_alloc_failures("sort+hash", alloc_sort, in) > 3);
    tn_array *radix_in[2] = {in[0], in[0]};
    CHECK(tn_test_alloc_failures("radix sort", alloc_sort, radix_in) > 3);
    tn_array_unref(in[0]);
    tn_array_unref(in[1]);
}

int main(void)
{
    RUN(single_key);
    RUN(floats_nan);
    RUN(multi_key);
    RUN(single_text_key);
    RUN(decimals_and_bool);
    RUN(stability_large);
    RUN(sort_errors);
    RUN(row_hash);
    RUN(alloc_failures);
    return tn_test_done();
}
