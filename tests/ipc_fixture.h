/*
 * ipc_fixture.h — a record batch with one column of every type tarn's IPC
 * code reads and writes, with nulls, built from row-number formulas so that
 * tests (and the interop script, which repeats the formulas in JavaScript)
 * know every value. Row i is null in nullable columns when i % 4 == 1.
 */
#ifndef TN_IPC_FIXTURE_H
#define TN_IPC_FIXTURE_H

#include <stdio.h>

#include "arrow/builder.h"
#include "core/alloc.h"

static tn_field *fx_field(const char *name, tn_type *t)
{
    return tn_field_new(name, t, true);
}

static tn_type *fx_list(tn_type_id id, tn_type *item)
{
    return tn_type_list(id, tn_field_new("item", item, true));
}

/* The fixture schema: every type, some nested, three dictionaries. */
static tn_schema *fx_schema(void)
{
    tn_field *f[64];
    int n = 0;
    f[n++] = fx_field("null", tn_type_get(TN_NA));
    f[n++] = fx_field("bool", tn_type_get(TN_BOOL));
    f[n++] = fx_field("i8", tn_type_get(TN_INT8));
    f[n++] = fx_field("i16", tn_type_get(TN_INT16));
    f[n++] = fx_field("i32", tn_type_get(TN_INT32));
    f[n++] = fx_field("i64", tn_type_get(TN_INT64));
    f[n++] = fx_field("u8", tn_type_get(TN_UINT8));
    f[n++] = fx_field("u16", tn_type_get(TN_UINT16));
    f[n++] = fx_field("u32", tn_type_get(TN_UINT32));
    f[n++] = fx_field("u64", tn_type_get(TN_UINT64));
    f[n++] = fx_field("f16", tn_type_get(TN_FLOAT16));
    f[n++] = fx_field("f32", tn_type_get(TN_FLOAT32));
    f[n++] = fx_field("f64", tn_type_get(TN_FLOAT64));
    f[n++] = fx_field("dec128", tn_type_decimal(128, 10, 2));
    f[n++] = fx_field("dec256", tn_type_decimal(256, 40, 5));
    f[n++] = fx_field("utf8", tn_type_get(TN_STRING));
    f[n++] = fx_field("large_utf8", tn_type_get(TN_LARGE_STRING));
    f[n++] = fx_field("binary", tn_type_get(TN_BINARY));
    f[n++] = fx_field("large_binary", tn_type_get(TN_LARGE_BINARY));
    f[n++] = fx_field("utf8_view", tn_type_get(TN_STRING_VIEW));
    f[n++] = fx_field("binary_view", tn_type_get(TN_BINARY_VIEW));
    f[n++] = fx_field("fixed3", tn_type_fixed_binary(3));
    f[n++] = fx_field("date32", tn_type_get(TN_DATE32));
    f[n++] = fx_field("date64", tn_type_get(TN_DATE64));
    f[n++] = fx_field("time32ms", tn_type_time(TN_TIME32, TN_MILLI));
    f[n++] = fx_field("time64ns", tn_type_time(TN_TIME64, TN_NANO));
    f[n++] = fx_field("ts_us_utc", tn_type_timestamp(TN_MICRO, "UTC"));
    f[n++] = fx_field("ts_s", tn_type_timestamp(TN_SECOND, NULL));
    f[n++] = fx_field("dur_ms", tn_type_duration(TN_MILLI));
    f[n++] = fx_field("iv_months", tn_type_get(TN_INTERVAL_MONTHS));
    f[n++] = fx_field("iv_daytime", tn_type_get(TN_INTERVAL_DAY_TIME));
    f[n++] = fx_field("iv_mdn", tn_type_get(TN_INTERVAL_MONTH_DAY_NANO));
    f[n++] = fx_field("list_i32", fx_list(TN_LIST, tn_type_get(TN_INT32)));
    f[n++] = fx_field("large_list_utf8", fx_list(TN_LARGE_LIST, tn_type_get(TN_STRING)));
    f[n++] = fx_field("fixed_list_i16",
                      tn_type_fixed_list(tn_field_new("item", tn_type_get(TN_INT16), true), 2));
    {
        tn_field *k[2] = {tn_field_new("a", tn_type_get(TN_INT32), true), tn_field_new("b", tn_type_get(TN_STRING), true)};
        f[n++] = fx_field("struct", tn_type_struct(2, k));
    }
    f[n++] = fx_field("map", tn_type_map(tn_field_new("key", tn_type_get(TN_STRING), false),
                                         tn_field_new("value", tn_type_get(TN_INT64), true), false));
    f[n++] = fx_field("dict", tn_type_dictionary(tn_type_get(TN_INT32), tn_type_get(TN_STRING), false));
    f[n++] = fx_field("list_dict", fx_list(TN_LIST, tn_type_dictionary(tn_type_get(TN_INT8), tn_type_get(TN_STRING), false)));
    {
        tn_field *k[1] = {tn_field_new("d", tn_type_dictionary(tn_type_get(TN_INT16), tn_type_get(TN_STRING), false), true)};
        f[n++] = fx_field("struct_dict", tn_type_struct(1, k));
    }
    for (int i = 0; i < n; i++)
        if (!f[i]) {
            for (int j = 0; j < n; j++)
                tn_field_free(f[j]);
            return NULL;
        }
    tn_schema *s = tn_schema_new(n);
    if (!s) {
        for (int j = 0; j < n; j++)
            tn_field_free(f[j]);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        s->fields[i] = *f[i];
        tn_free(f[i]);
    }
    return s;
}

static const char *const fx_words[] = {"alpha", "beta", "gamma", "a rather long string value", ""};

/* Append row i of a column of type t to builder b. */
static int fx_value(tn_builder *b, const tn_type *t, int64_t i, int depth, tarn_error *err)
{
    const tn_type *vt = t->id == TN_DICTIONARY ? t->value_type : t;
    if (i % 4 == 1 && depth == 0)
        return tn_builder_append_null(b, err);
    char s[64];
    switch (vt->id) {
    case TN_NA: return tn_builder_append_null(b, err);
    case TN_BOOL: return tn_builder_append_bool(b, i % 3 == 0, err);
    case TN_INT8: case TN_INT16: case TN_INT32: case TN_INT64:
        return tn_builder_append_int(b, (i * 37 % 101) - 50, err);
    case TN_UINT8: case TN_UINT16: case TN_UINT32: case TN_UINT64:
        return tn_builder_append_uint(b, (uint64_t)(i * 37 % 101), err);
    case TN_FLOAT16: case TN_FLOAT32: case TN_FLOAT64:
        return tn_builder_append_double(b, (double)i * 0.5 - 3.25, err);
    case TN_DECIMAL128: case TN_DECIMAL256:
        return tn_builder_append_int(b, i * 12345 - 6789, err);
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW:
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW:
        snprintf(s, sizeof s, "%s-%lld", fx_words[i % 5], (long long)i);
        return tn_builder_append_str(b, s, err);
    case TN_FIXED_BINARY: {
        uint8_t v[3] = {(uint8_t)i, (uint8_t)(i * 7), (uint8_t)(255 - i)};
        return tn_builder_append_bytes(b, v, 3, err);
    }
    case TN_DATE32: return tn_builder_append_int(b, 19000 + i, err);
    case TN_DATE64: return tn_builder_append_int(b, (19000 + i) * 86400000LL, err);
    case TN_TIME32: return tn_builder_append_int(b, i * 1000 + 7, err);
    case TN_TIME64: return tn_builder_append_int(b, i * 1000000007LL, err);
    case TN_TIMESTAMP: return tn_builder_append_int(b, 1700000000LL + i * 3600, err);
    case TN_DURATION: return tn_builder_append_int(b, i * 1500 - 200, err);
    case TN_INTERVAL_MONTHS: return tn_builder_append_int(b, i - 3, err);
    case TN_INTERVAL_DAY_TIME: {
        int32_t v[2] = {(int32_t)i, (int32_t)(i * 1000)};
        return tn_builder_append_raw(b, v, err);
    }
    case TN_INTERVAL_MONTH_DAY_NANO: {
        uint8_t v[16];
        int32_t m = (int32_t)i, d = (int32_t)(i * 2);
        int64_t ns = i * 999;
        memcpy(v, &m, 4);
        memcpy(v + 4, &d, 4);
        memcpy(v + 8, &ns, 8);
        return tn_builder_append_raw(b, v, err);
    }
    case TN_LIST: case TN_LARGE_LIST: {
        tn_builder *c = tn_builder_child(b, 0);
        for (int64_t k = 0; k < i % 3; k++)
            TN_TRY(fx_value(c, vt->children[0].type, i + k, depth + 1, err));
        return tn_builder_append_list(b, err);
    }
    case TN_FIXED_LIST: {
        tn_builder *c = tn_builder_child(b, 0);
        for (int64_t k = 0; k < vt->list_size; k++)
            TN_TRY(fx_value(c, vt->children[0].type, i + k, depth + 1, err));
        return tn_builder_append_list(b, err);
    }
    case TN_STRUCT:
        for (int32_t k = 0; k < vt->n_children; k++)
            TN_TRY(fx_value(tn_builder_child(b, k), vt->children[k].type, i + k, depth + 1, err));
        return tn_builder_append_struct(b, err);
    case TN_MAP: {
        tn_builder *e = tn_builder_child(b, 0);
        for (int64_t k = 0; k < i % 3; k++) {
            snprintf(s, sizeof s, "k%lld", (long long)k);
            TN_TRY(tn_builder_append_str(tn_builder_child(e, 0), s, err));
            TN_TRY(tn_builder_append_int(tn_builder_child(e, 1), i * 10 + k, err));
            TN_TRY(tn_builder_append_struct(e, err));
        }
        return tn_builder_append_list(b, err);
    }
    default:
        return tn_error_set(err, TARN_EINTERNAL, "fixture has no values for %s", tn_type_id_name(vt->id));
    }
}

/* A batch of n rows of the fixture schema (a reference to s is taken). */
static int fx_batch(tn_schema *s, int64_t n, tn_batch **out, tarn_error *err)
{
    *out = NULL;
    tn_batch *b = tn_batch_new(s, n);
    TN_TRY_ALLOC(b, err, sizeof *b);
    int rc = TARN_OK;
    for (int32_t c = 0; c < s->n_fields && rc == TARN_OK; c++) {
        tn_builder *bl = tn_builder_new(s->fields[c].type);
        if (!bl) {
            rc = tn_error_oom(err, 64);
            break;
        }
        for (int64_t i = 0; i < n && rc == TARN_OK; i++)
            rc = fx_value(bl, s->fields[c].type, i + c, 0, err);
        if (rc == TARN_OK)
            rc = tn_builder_finish(bl, &b->columns[c], err);
        tn_builder_free(bl);
    }
    if (rc != TARN_OK) {
        tn_batch_unref(b);
        return rc;
    }
    *out = b;
    return TARN_OK;
}

#endif
