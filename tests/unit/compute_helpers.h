/*
 * compute_helpers.h — building small arrays from literals and comparing
 * kernel results, for the tests of src/arrow/compute/.
 *
 * Null markers: ints use NUL_I (a value no test uses), doubles NAN_NULL
 * through a separate mask string, strings NULL.
 */
#ifndef TN_COMPUTE_HELPERS_H
#define TN_COMPUTE_HELPERS_H

#include <math.h>

#include "arrow/builder.h"
#include "arrow/compute/compute.h"
#include "arrow/compute/kernel.h"
#include "tn_test.h"

#define NUL_I INT64_MIN
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Ints of any integer-like type (decimal: unscaled); NUL_I marks nulls.
 * Takes a reference to t and releases it. */
static inline tn_array *mk_int(tn_type *t, int n, const int64_t *v)
{
    tn_builder *b = tn_builder_new(t);
    tn_type_unref(t);
    for (int i = 0; i < n; i++) {
        int rc = v[i] == NUL_I ? tn_builder_append_null(b, NULL) : tn_builder_append_int(b, v[i], NULL);
        if (rc) {
            fprintf(stderr, "mk_int: append %d failed\n", i);
            exit(2);
        }
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

/* Floats; valid is a string of '1'/'0' per row or NULL for all valid. */
static inline tn_array *mk_dbl(tn_type *t, int n, const double *v, const char *valid)
{
    tn_builder *b = tn_builder_new(t);
    tn_type_unref(t);
    for (int i = 0; i < n; i++) {
        int rc = valid && valid[i] == '0' ? tn_builder_append_null(b, NULL) : tn_builder_append_double(b, v[i], NULL);
        if (rc)
            exit(2);
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

/* Text of any string/binary layout; NULL entries are nulls. */
static inline tn_array *mk_str(tn_type *t, int n, const char *const *v)
{
    tn_builder *b = tn_builder_new(t);
    tn_type_unref(t);
    for (int i = 0; i < n; i++) {
        int rc = v[i] ? tn_builder_append_str(b, v[i], NULL) : tn_builder_append_null(b, NULL);
        if (rc)
            exit(2);
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

/* Bools: 1, 0, or -1 for null. */
static inline tn_array *mk_bool(int n, const int *v)
{
    tn_builder *b = tn_builder_new(tn_type_get(TN_BOOL));
    for (int i = 0; i < n; i++) {
        int rc = v[i] < 0 ? tn_builder_append_null(b, NULL) : tn_builder_append_bool(b, v[i] != 0, NULL);
        if (rc)
            exit(2);
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL))
        exit(2);
    tn_builder_free(b);
    return a;
}

/* "[1, null, 3]" through a cast to text (nested types not supported). */
static inline char *fmt_arr(tn_array *a)
{
    tn_buf out;
    tn_buf_init(&out, 0);
    if (!a)
        return tn_strdup("(null array)");
    tn_array *s = NULL;
    if (tn_cast(a, tn_type_get(TN_STRING), TN_CAST_TRY, &s, NULL) != 0) {
        char *r = tn_sprintf("(%s array of %lld)", tn_type_id_name(a->type->id), (long long)a->length);
        return r;
    }
    int rc = tn_buf_append_str(&out, "[", NULL);
    for (int64_t i = 0; i < s->length; i++) {
        if (i)
            rc |= tn_buf_append_str(&out, ", ", NULL);
        if (!tn_array_is_valid(s, i)) {
            rc |= tn_buf_append_str(&out, "null", NULL);
            continue;
        }
        int64_t len;
        const uint8_t *p = tn_array_bytes(s, i, &len);
        rc |= tn_buf_append(&out, p, (size_t)len, NULL);
    }
    rc |= tn_buf_append_str(&out, "]", NULL);
    tn_array_unref(s);
    if (rc) {
        tn_buf_reset(&out);
        return tn_strdup("(no memory)");
    }
    return tn_buf_take(&out);
}

/* got equals want (consumes both). */
#define CHECK_ARR(got, want)                                                                  \
    do {                                                                                      \
        tn_array *g_ = (got), *w_ = (want);                                                   \
        if (!g_ || !tn_array_equals(g_, w_)) {                                                \
            char *gs_ = fmt_arr(g_), *ws_ = fmt_arr(w_);                                      \
            fprintf(stderr, "%s:%d: %s: arrays differ\n  got:  %s\n  want: %s\n", __FILE__,    \
                    __LINE__, tn_test_current, gs_, ws_);                                     \
            tn_free(gs_);                                                                     \
            tn_free(ws_);                                                                     \
            tn_test_failures++;                                                               \
        }                                                                                     \
        tn_array_unref(g_);                                                                   \
        tn_array_unref(w_);                                                                   \
    } while (0)

/* The array rendered as text equals want. Consumes got. */
#define CHECK_FMT(got, want)             \
    do {                                 \
        tn_array *g2_ = (got);           \
        char *s2_ = fmt_arr(g2_);        \
        CHECK_STR(s2_, want);            \
        tn_free(s2_);                    \
        tn_array_unref(g2_);             \
    } while (0)

static inline tn_datum A(tn_array *a)
{
    return tn_datum_of_array(a);
}

static inline tn_datum S(const tn_scalar *s)
{
    return tn_datum_of_scalar(s);
}

#endif
