/*
 * fuzz_sql_eval.c — the expression evaluator and the scalar function
 * library against arbitrary SQL expressions.
 *
 * The input is one SQL expression over a fixed 8-row batch (columns i
 * integer, b bigint, s varchar with multi-byte text, d double, dt date, ts
 * timestamp, dec decimal(10,2), f boolean, all with NULLs). It is parsed
 * and bound by the real parser and binder as `SELECT <input> FROM t`
 * (tests/unit/sql_expr_bind.h; tables over files refused), kept when the
 * plan is a single expression over t, and evaluated on every row, under a
 * selection with repeats, as a predicate (when boolean) and as a constant
 * (when it is one). Any status is fine except TARN_EINTERNAL; a crash, UB,
 * a leak through tarn's allocator, a result of the wrong length or type,
 * or a malformed message is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/sql_expr_bind.h"
#include "arrow/builder.h"
#include "sql/expr/eval.h"

/* The builder takes its own reference to t. */
static tn_array *column(tn_type *t, int kind)
{
    static const char *const strs[] = {"abc", "héllo wörld", "", NULL, "a%b_c", "日本語", "  pad  ", "x,y,z"};
    static const int64_t ints[] = {1, -2, 0, 2147483647, -2147483647, 7, 42, 100};
    tn_builder *bld = tn_builder_new(t);
    if (!bld)
        return NULL;
    int rc = 0;
    for (int r = 0; r < 8 && !rc; r++) {
        if (r == 5 && kind != 2) {
            rc = tn_builder_append_null(bld, NULL);
            continue;
        }
        switch (kind) {
        case 0: rc = tn_builder_append_int(bld, ints[r], NULL); break;                    /* ints */
        case 1: rc = tn_builder_append_double(bld, (double)ints[r] / 3.0, NULL); break; /* double */
        case 2:
            rc = strs[r] ? tn_builder_append_str(bld, strs[r], NULL) : tn_builder_append_null(bld, NULL);
            break;
        case 3: rc = tn_builder_append_int(bld, 19000 + ints[r] % 5000, NULL); break;                /* date */
        case 4: rc = tn_builder_append_int(bld, 1700000000000000LL + ints[r] * 3600000000LL, NULL); break; /* ts */
        case 5: rc = tn_builder_append_int(bld, ints[r] * 125, NULL); break;                       /* decimal */
        default: rc = tn_builder_append_bool(bld, ints[r] % 2 != 0, NULL); break;
        }
    }
    tn_array *a = NULL;
    if (!rc && tn_builder_finish(bld, &a, NULL) != 0)
        a = NULL;
    tn_builder_free(bld);
    return a;
}

static tn_batch *make_batch(void)
{
    static const char *const names[] = {"i", "b", "s", "d", "dt", "ts", "dec", "f"};
    tn_type *types[8] = {tn_type_get(TN_INT32), tn_type_get(TN_INT64), tn_type_get(TN_STRING),
                         tn_type_get(TN_FLOAT64), tn_type_get(TN_DATE32), tn_type_timestamp(TN_MICRO, NULL),
                         tn_type_decimal(128, 10, 2), tn_type_get(TN_BOOL)};
    static const int kinds[8] = {0, 0, 2, 1, 3, 4, 5, 6};
    tn_schema *s = tn_schema_new(8);
    if (!s)
        abort();
    for (int i = 0; i < 8; i++)
        if (tn_field_init(&s->fields[i], names[i], types[i], true, NULL) != 0)
            abort();
    tn_batch *b = tn_batch_new(s, 8);
    tn_schema_unref(s);
    if (!b)
        abort();
    for (int i = 0; i < 8; i++) {
        b->columns[i] = column(b->schema->fields[i].type, kinds[i]);
        if (!b->columns[i])
            abort();
    }
    return b;
}

static void check_status(int rc, const tarn_error *err)
{
    if (rc == TARN_EINTERNAL || (rc && (!err->message[0] || strchr(err->message, '\n')))) {
        fprintf(stderr, "bad status %d: \"%s\"\n", rc, err->message);
        abort();
    }
}

static void check_result(const tn_expr *e, const tn_array *a, int64_t rows)
{
    if (a->length != rows || (e->type && e->type->id != TN_NA && !tn_type_equals(a->type, e->type))) {
        fprintf(stderr, "result of %lld rows, type %s, for %lld rows\n", (long long)a->length,
                tn_type_id_name(a->type->id), (long long)rows);
        abort();
    }
}

/* A catalog holding one empty table t of the batch's schema (made once). */
static tn_catalog *catalog_of(const tn_schema *s)
{
    static tn_catalog *cat;
    if (cat)
        return cat;
    tn_table *t = NULL;
    if (tn_catalog_new(&cat, NULL) != 0 || tn_table_memory_new("t", (tn_schema *)s, &t, NULL) != 0 ||
        tn_catalog_add_table(cat, "t", t, false, false, NULL) != 0)
        abort();
    tn_table_unref(t);
    return cat;
}

static void run(tn_batch *b, const char *text)
{
    tn_plan_ctx c;
    tn_plan_ctx_init(&c);
    tarn_error err;
    tarn_error_init(&err);
    tn_expr *e = NULL;
    tn_bind_options o = {0};
    o.no_files = true;
    int rc = bind_select_expr_with(catalog_of(b->schema), &o, "t", text, strlen(text), &c, &e, &err);
    check_status(rc, &err);
    if (rc == 0 && e) {
        tn_array *out = NULL;
        rc = tn_expr_eval(NULL, e, b, NULL, &out, &err);
        check_status(rc, &err);
        if (!rc)
            check_result(e, out, 8);
        tn_array_unref(out);
        int32_t rows[] = {7, 0, 3, 3, 5, 1};
        tn_selection sel = {rows, 6};
        rc = tn_expr_eval(NULL, e, b, &sel, &out, &err);
        check_status(rc, &err);
        if (!rc)
            check_result(e, out, 6);
        tn_array_unref(out);
        if (e->type && e->type->id == TN_BOOL) {
            int32_t keep[8];
            int64_t n = 0;
            rc = tn_expr_select(NULL, e, b, NULL, keep, &n, &err);
            check_status(rc, &err);
            if (!rc && (n < 0 || n > 8))
                abort();
        }
        if (tn_expr_is_constant(e)) {
            tn_scalar *s = NULL;
            rc = tn_expr_eval_constant(NULL, e, &s, &err);
            check_status(rc, &err);
            tn_scalar_free(s);
        }
    }
    tn_plan_ctx_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, 0, size))
        return 0;
    tarn_set_memory_limit(256 << 20);
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static tn_batch *first;
    if (!first) { /* the catalog lives for the process: made before counting */
        first = make_batch();
        catalog_of(first->schema);
    }
    int64_t before = tarn_memory_used();
    tn_batch *b = make_batch();
    run(b, text);
    tn_batch_unref(b);
    if (tarn_memory_used() != before) {
        fprintf(stderr, "leaked %lld bytes through tarn's allocator\n", (long long)(tarn_memory_used() - before));
        abort();
    }
    free(text);
    return 0;
}
