/*
 * arrow_schema.c — "ARROW:schema": writing the Arrow schema into a Parquet
 * footer and turning the reader's arrays back into the types it names.
 *
 * The value is standard base64 (RFC 4648, padded) of one IPC schema message
 * (arrow/ipc/schema_message.c). On reading, a top-level column takes the
 * ARROW:schema type only when tn_pq_arrow_type_fits says its arrays convert
 * without loss; a schema that disagrees with the file is ignored column by
 * column, never an error.
 */
#include <stdio.h>
#include <string.h>

#include "arrow/compute/compute.h"
#include "arrow/ipc/ipc.h"
#include "core/alloc.h"
#include "core/hash.h"
#include "formats/parquet/arrow_schema.h"

/* --- base64 ------------------------------------------------------------------ */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *p, size_t n)
{
    char *out = tn_malloc((n + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *o++ = B64[v >> 18 & 63];
        *o++ = B64[v >> 12 & 63];
        *o++ = i + 1 < n ? B64[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? B64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static int b64_value(char c)
{
    const char *at = c ? strchr(B64, c) : NULL;
    return at ? (int)(at - B64) : -1;
}

/* Decode base64 text (padding optional, no other characters) into out;
 * false on a bad character. */
static bool base64_decode(const char *text, tn_buf *out, tarn_error *err, int *rc)
{
    size_t n = strlen(text);
    while (n && text[n - 1] == '=')
        n--;
    *rc = tn_buf_reserve(out, n / 4 * 3 + 3, err);
    if (*rc)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(text[i]);
        if (v < 0)
            return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out->data[out->len++] = (uint8_t)(acc >> bits);
        }
    }
    return true;
}

int tn_pq_arrow_schema_encode(const tn_schema *s, char **out, tarn_error *err)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = tn_ipc_schema_message(s, &b, err);
    if (!rc && !(*out = base64_encode(b.data, b.len)))
        rc = tn_error_oom(err, b.len * 2);
    tn_buf_reset(&b);
    return rc;
}

int tn_pq_arrow_schema_decode(const char *text, const char *where, tn_schema **out, tarn_error *err)
{
    *out = NULL;
    char w[512];
    snprintf(w, sizeof w, "%s: ARROW:schema", where);
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = 0;
    if (!base64_decode(text, &b, err, &rc) && !rc)
        rc = TN_CORRUPT(err, "%s: not base64", w);
    if (!rc)
        rc = tn_ipc_schema_from_message(b.data, b.len, w, out, err);
    tn_buf_reset(&b);
    return rc;
}

/* --- which types convert ----------------------------------------------------- */

static bool is_text(tn_type_id t) { return t == TN_STRING || t == TN_LARGE_STRING || t == TN_STRING_VIEW; }
static bool is_bin(tn_type_id t) { return t == TN_BINARY || t == TN_LARGE_BINARY || t == TN_BINARY_VIEW; }
static bool is_list(tn_type_id t) { return t == TN_LIST || t == TN_LARGE_LIST; }

/* Integers that another writer stored for a temporal type Parquet lacks
 * (arrow-rs: date64 and timestamp[s] as plain INT64): the same width. */
static bool int_as_temporal(const tn_type *from, const tn_type *to)
{
    tn_type_id t = to->id;
    if (from->id == TN_INT64)
        return t == TN_DATE64 || t == TN_TIMESTAMP || t == TN_TIME64 || t == TN_DURATION;
    if (from->id == TN_INT32)
        return t == TN_DATE32 || t == TN_TIME32;
    return false;
}

static bool leaf_fits(const tn_type *from, const tn_type *to)
{
    tn_type_id f = from->id, t = to->id;
    bool same_kind = (is_text(f) && is_text(t)) || (is_bin(f) && is_bin(t)) || (f == TN_TIMESTAMP && t == TN_TIMESTAMP) ||
                     (f == TN_DATE32 && t == TN_DATE64) || ((f == TN_TIME32 || f == TN_TIME64) && (t == TN_TIME32 || t == TN_TIME64)) ||
                     (f == TN_INT64 && t == TN_DURATION) || int_as_temporal(from, to);
    return same_kind && tn_cast_supported(from, to);
}

/* Value types a dictionary is rebuilt for: bytes that identify a value. */
static bool dict_values_ok(const tn_type *v)
{
    return is_text(v->id) || is_bin(v->id) || (v->byte_width > 0 && v->id != TN_BOOL);
}

bool tn_pq_arrow_type_fits(const tn_type *from, const tn_type *to)
{
    if (tn_type_equals(from, to))
        return true;
    switch (to->id) {
    case TN_DICTIONARY:
        return tn_type_is_int(to->index_type->id) && dict_values_ok(to->value_type) &&
               tn_pq_arrow_type_fits(from, to->value_type);
    case TN_LIST:
    case TN_LARGE_LIST:
        return is_list(from->id) && tn_pq_arrow_type_fits(from->children[0].type, to->children[0].type);
    case TN_MAP:
        return from->id == TN_MAP && tn_pq_arrow_type_fits(from->children[0].type, to->children[0].type);
    case TN_STRUCT:
        if (from->id != TN_STRUCT || from->n_children != to->n_children)
            return false;
        for (int32_t i = 0; i < to->n_children; i++)
            if (!tn_pq_arrow_type_fits(from->children[i].type, to->children[i].type))
                return false;
        return true;
    default:
        return from->n_children == 0 && to->n_children == 0 && leaf_fits(from, to);
    }
}

/* --- conversion -------------------------------------------------------------- */

static tn_buffer *buf_ref(tn_buffer *b) { return b ? tn_buffer_ref(b) : NULL; }

/* List offsets as 32- or 64-bit (to64), for elements [0, offset + length]. */
static int list_offsets(tn_array *in, bool to64, tn_buffer **out, tarn_error *err)
{
    bool from64 = in->type->id == TN_LARGE_LIST;
    if (from64 == to64) {
        *out = tn_buffer_ref(in->buffers[1]);
        return 0;
    }
    int64_t k = in->offset + in->length + 1;
    tn_buffer *b = tn_buffer_new(k * (to64 ? 8 : 4));
    TN_TRY_ALLOC(b, err, (size_t)k * 8);
    const uint8_t *src = in->buffers[1]->data;
    for (int64_t i = 0; i < k; i++) {
        if (to64) {
            int32_t x;
            memcpy(&x, src + i * 4, 4);
            int64_t y = x;
            memcpy(b->data + i * 8, &y, 8);
        } else {
            int64_t x;
            memcpy(&x, src + i * 8, 8);
            if (x > INT32_MAX) {
                tn_buffer_unref(b);
                return tn_error_set(err, TARN_EOVERFLOW, "ARROW:schema: a list of more than 2^31 elements as list");
            }
            int32_t y = (int32_t)x;
            memcpy(b->data + i * 4, &y, 4);
        }
    }
    *out = b;
    return 0;
}

/* A list, map or struct array as type `to`: the same validity and offsets
 * (widened or narrowed for list kinds), children converted. */
static int restore_nested(tn_array *in, tn_type *to, tn_array **out, tarn_error *err)
{
    bool st = to->id == TN_STRUCT;
    tn_array *a = tn_array_new(to, in->length, st ? 1 : 2, to->n_children);
    TN_TRY_ALLOC(a, err, sizeof *a);
    a->offset = in->offset;
    a->null_count = in->null_count;
    a->buffers[0] = buf_ref(in->buffers[0]);
    int rc = st ? 0 : list_offsets(in, to->id == TN_LARGE_LIST, &a->buffers[1], err);
    for (int32_t i = 0; !rc && i < to->n_children; i++)
        rc = tn_pq_arrow_restore(in->children[i], to->children[i].type, &a->children[i], err);
    if (rc) {
        tn_array_unref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static const uint8_t *element(const tn_array *v, int64_t i, int64_t *len)
{
    if (v->type->byte_width > 0 && v->type->id != TN_FIXED_BINARY) {
        *len = v->type->byte_width;
        return v->buffers[1]->data + (v->offset + i) * v->type->byte_width;
    }
    return tn_array_bytes(v, i, len);
}

static int64_t index_max(tn_type_id id)
{
    switch (id) {
    case TN_INT8: return INT8_MAX;
    case TN_UINT8: return UINT8_MAX;
    case TN_INT16: return INT16_MAX;
    case TN_UINT16: return UINT16_MAX;
    case TN_INT32: return INT32_MAX;
    case TN_UINT32: return UINT32_MAX;
    default: return INT64_MAX;
    }
}

static void put_index(uint8_t *p, int width, int64_t x)
{
    switch (width) {
    case 1: *p = (uint8_t)x; break;
    case 2: { uint16_t y = (uint16_t)x; memcpy(p, &y, 2); break; }
    case 4: { uint32_t y = (uint32_t)x; memcpy(p, &y, 4); break; }
    default: memcpy(p, &x, 8); break;
    }
}

/* Dictionary-encode v (of to's value type): the distinct values in order of
 * first appearance, and each row's index (null rows stay null). */
static int dict_encode(tn_array *v, tn_type *to, tn_array **out, tarn_error *err)
{
    int64_t n = v->length, cap = 16;
    while (cap < n * 2)
        cap *= 2;
    int width = to->index_type->byte_width;
    int64_t *slots = tn_calloc((size_t)cap, sizeof *slots);
    tn_array *pos = tn_array_new(tn_type_get(TN_INT64), 0, 2, 0);
    tn_array *a = tn_array_new(to, n, 2, 0);
    if (pos)
        pos->buffers[1] = tn_buffer_new(n * 8 + 8);
    if (a)
        a->buffers[1] = tn_buffer_new(n * width + 8);
    int rc = slots && pos && a && pos->buffers[1] && a->buffers[1] ? 0 : tn_error_oom(err, (size_t)n * 24);
    int64_t *uniq = pos && pos->buffers[1] ? (int64_t *)(void *)pos->buffers[1]->data : NULL;
    int64_t k = 0;
    for (int64_t i = 0; !rc && i < n; i++) {
        int64_t e = 0;
        if (tn_array_is_valid(v, i)) {
            int64_t len;
            const uint8_t *p = element(v, i, &len);
            uint64_t s = tn_hash_bytes(p, (size_t)len, 0) & (uint64_t)(cap - 1);
            for (;; s = (s + 1) & (uint64_t)(cap - 1)) {
                if (!slots[s]) {
                    if (k > index_max(to->index_type->id)) {
                        rc = tn_error_set(err, TARN_EOVERFLOW, "ARROW:schema: more distinct values than a %s index holds",
                                          tn_type_id_name(to->index_type->id));
                        break;
                    }
                    uniq[k] = i;
                    slots[s] = ++k;
                    break;
                }
                int64_t ol;
                const uint8_t *q = element(v, uniq[slots[s] - 1], &ol);
                if (ol == len && memcmp(p, q, (size_t)len) == 0)
                    break;
            }
            e = slots[s] - 1;
        }
        if (!rc)
            put_index(a->buffers[1]->data + i * width, width, e);
    }
    tn_free(slots);
    if (!rc) {
        pos->length = k;
        pos->null_count = 0;
        rc = tn_take(v, pos, &a->dictionary, err);
    }
    if (!rc && tn_array_null_count(v) > 0) {
        a->buffers[0] = tn_buffer_new(tn_bitmap_bytes(n));
        if (!a->buffers[0])
            rc = tn_error_oom(err, (size_t)tn_bitmap_bytes(n));
        else
            tn_bitmap_copy(a->buffers[0]->data, 0, v->buffers[0]->data, v->offset, n);
    }
    tn_array_unref(pos);
    if (rc) {
        tn_array_unref(a);
        return rc;
    }
    a->null_count = tn_array_null_count(v);
    *out = a;
    return 0;
}

int tn_pq_arrow_restore(tn_array *in, tn_type *to, tn_array **out, tarn_error *err)
{
    if (tn_type_equals(in->type, to)) {
        *out = tn_array_ref(in);
        return 0;
    }
    switch (to->id) {
    case TN_DICTIONARY: {
        tn_array *values;
        TN_TRY(tn_pq_arrow_restore(in, to->value_type, &values, err));
        int rc = dict_encode(values, to, out, err);
        tn_array_unref(values);
        return rc;
    }
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_MAP:
    case TN_STRUCT:
        return restore_nested(in, to, out, err);
    default:
        return tn_cast(in, to, TN_CAST_STRICT, out, err);
    }
}
