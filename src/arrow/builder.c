/*
 * builder.c — row-at-a-time construction of arrays of any type (builder.h).
 *
 * Each append first reserves every byte it will write (validity bit, value
 * bytes, offsets), then writes; so a refused allocation leaves the builder
 * as it was. The validity bitmap is created lazily at the first null.
 * Dictionary builders intern values through an open-addressing table that
 * maps a value's hash to its index in the dictionary being built.
 */
#include <math.h>
#include <string.h>

#include "arrow/builder.h"
#include "core/alloc.h"
#include "core/hash.h"

#define VIEW_BLOCK (1 << 20) /* bytes per data buffer of a view builder */

struct tn_builder {
    tn_type *type;
    int64_t length;
    int64_t null_count;
    tn_buffer *validity; /* NULL until the first null */
    tn_buffer *values;   /* values, bits, offsets or views; size = bytes used */
    tn_buffer *data;     /* utf8/binary bytes; views: the block being filled */
    tn_buffer **blocks;  /* views: finished data blocks */
    int32_t n_blocks, cap_blocks;
    int32_t n_children;
    tn_builder **children;
    tn_builder *dict;    /* dictionary: builder of the values */
    int64_t *slots;      /* dictionary: index per slot, -1 = empty */
    uint64_t *hashes;    /* dictionary: hash per slot */
    int64_t n_slots;     /* power of two */
};

static bool is_var(tn_type_id id)
{
    return id == TN_STRING || id == TN_BINARY || id == TN_LARGE_STRING || id == TN_LARGE_BINARY;
}

static bool is_large(tn_type_id id)
{
    return id == TN_LARGE_STRING || id == TN_LARGE_BINARY || id == TN_LARGE_LIST;
}

static bool has_offsets(tn_type_id id)
{
    return is_var(id) || id == TN_LIST || id == TN_LARGE_LIST || id == TN_MAP;
}

tn_builder *tn_builder_new(tn_type *type)
{
    if (!type)
        return NULL;
    tn_builder *b = tn_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->type = tn_type_ref(type);
    if (type->id == TN_DICTIONARY) {
        if (!(b->dict = tn_builder_new(type->value_type)))
            goto fail;
        return b;
    }
    if (type->n_children) {
        if (!(b->children = tn_calloc((size_t)type->n_children, sizeof(tn_builder *))))
            goto fail;
        b->n_children = type->n_children;
        for (int32_t i = 0; i < type->n_children; i++)
            if (!(b->children[i] = tn_builder_new(type->children[i].type)))
                goto fail;
    }
    return b;
fail:
    tn_builder_free(b);
    return NULL;
}

static void clear_state(tn_builder *b)
{
    tn_buffer_unref(b->validity);
    tn_buffer_unref(b->values);
    tn_buffer_unref(b->data);
    for (int32_t i = 0; i < b->n_blocks; i++)
        tn_buffer_unref(b->blocks[i]);
    tn_free(b->blocks);
    tn_free(b->slots);
    tn_free(b->hashes);
    b->validity = b->values = b->data = NULL;
    b->blocks = NULL;
    b->n_blocks = b->cap_blocks = 0;
    b->slots = NULL;
    b->hashes = NULL;
    b->n_slots = 0;
    b->length = 0;
    b->null_count = 0;
}

void tn_builder_free(tn_builder *b)
{
    if (!b)
        return;
    clear_state(b);
    for (int32_t i = 0; i < b->n_children; i++)
        tn_builder_free(b->children[i]);
    tn_free(b->children);
    tn_builder_free(b->dict);
    tn_type_unref(b->type);
    tn_free(b);
}

int64_t tn_builder_length(const tn_builder *b)
{
    return b->length;
}

tn_builder *tn_builder_child(tn_builder *b, int32_t i)
{
    return i >= 0 && i < b->n_children ? b->children[i] : NULL;
}

/* --- reservation ----------------------------------------------------------- */

/* Make room for `extra` more bytes in *pb (created on first use). */
static int reserve(tn_buffer **pb, int64_t extra, tarn_error *err)
{
    if (!*pb) {
        *pb = tn_buffer_new(0);
        TN_TRY_ALLOC(*pb, err, 64);
        (*pb)->size = 0;
    }
    tn_buffer *buf = *pb;
    if (buf->size + extra <= buf->capacity)
        return TARN_OK;
    return tn_buffer_reserve(buf, buf->size + extra, err);
}

/* Append n bytes to a buffer whose room was reserved. */
static void put(tn_buffer *buf, const void *p, int64_t n)
{
    memcpy(buf->data + buf->size, p, (size_t)n);
    buf->size += n;
}

/* Reserve the validity bit of the next element; a null needs the bitmap. */
static int reserve_validity(tn_builder *b, bool valid, tarn_error *err)
{
    int64_t need = tn_bitmap_bytes(b->length + 1);
    if (!b->validity) {
        if (valid)
            return TARN_OK;
        tn_buffer *v = tn_buffer_new(need < 64 ? 64 : need * 2);
        TN_TRY_ALLOC(v, err, (size_t)need);
        tn_bitmap_fill(v->data, 0, b->length, true);
        v->size = need;
        b->validity = v;
        return TARN_OK;
    }
    if (need > b->validity->capacity)
        TN_TRY(tn_buffer_reserve(b->validity, need, err));
    return TARN_OK;
}

static void mark(tn_builder *b, bool valid)
{
    if (b->validity) {
        b->validity->size = tn_bitmap_bytes(b->length + 1);
        tn_bit_put(b->validity->data, b->length, valid);
    }
    if (!valid)
        b->null_count++;
    b->length++;
}

/* Offsets start with a 0 entry, written when the buffer is first made. */
static int reserve_offset(tn_builder *b, tarn_error *err)
{
    int64_t w = is_large(b->type->id) ? 8 : 4;
    bool fresh = !b->values;
    TN_TRY(reserve(&b->values, 2 * w, err));
    if (fresh) {
        int64_t zero = 0;
        put(b->values, &zero, w);
    }
    return TARN_OK;
}

static int64_t last_offset(const tn_builder *b)
{
    if (is_large(b->type->id))
        return ((const int64_t *)b->values->data)[b->length];
    return ((const int32_t *)b->values->data)[b->length];
}

static void put_offset(tn_builder *b, int64_t off)
{
    if (is_large(b->type->id)) {
        put(b->values, &off, 8);
    } else {
        int32_t o = (int32_t)off;
        put(b->values, &o, 4);
    }
}

/* --- nulls ----------------------------------------------------------------- */

int tn_builder_append_null(tn_builder *b, tarn_error *err)
{
    tn_type_id id = b->type->id;
    if (id == TN_NA) {
        b->length++;
        b->null_count++;
        return TARN_OK;
    }
    TN_TRY(reserve_validity(b, false, err));
    switch (id) {
    case TN_BOOL:
        TN_TRY(reserve(&b->values, 1, err));
        b->values->size = tn_bitmap_bytes(b->length + 1);
        tn_bit_clear(b->values->data, b->length);
        break;
    case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY:
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP:
        TN_TRY(reserve_offset(b, err));
        put_offset(b, last_offset(b));
        break;
    case TN_STRING_VIEW: case TN_BINARY_VIEW: {
        TN_TRY(reserve(&b->values, 16, err));
        tn_view v = {0};
        put(b->values, &v, 16);
        break;
    }
    case TN_FIXED_LIST:
        for (int32_t k = 0; k < b->type->list_size; k++)
            TN_TRY(tn_builder_append_null(b->children[0], err));
        break;
    case TN_STRUCT:
        for (int32_t i = 0; i < b->n_children; i++)
            TN_TRY(tn_builder_append_null(b->children[i], err));
        break;
    default: { /* fixed width, dictionary indices */
        int64_t w = b->type->byte_width;
        TN_TRY(reserve(&b->values, w, err));
        memset(b->values->data + b->values->size, 0, (size_t)w);
        b->values->size += w;
        break;
    }
    }
    mark(b, false);
    return TARN_OK;
}

int tn_builder_append_nulls(tn_builder *b, int64_t n, tarn_error *err)
{
    for (int64_t i = 0; i < n; i++)
        TN_TRY(tn_builder_append_null(b, err));
    return TARN_OK;
}

/* --- fixed-width values ---------------------------------------------------- */

static int append_fixed(tn_builder *b, const void *p, int64_t w, tarn_error *err)
{
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve(&b->values, w, err));
    put(b->values, p, w);
    mark(b, true);
    return TARN_OK;
}

static int dict_append(tn_builder *b, const void *p, int64_t n, tarn_error *err);

int tn_builder_append_bool(tn_builder *b, bool v, tarn_error *err)
{
    if (b->type->id != TN_BOOL)
        return tn_error_set(err, TARN_ETYPE, "cannot append a bool to %s", tn_type_id_name(b->type->id));
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve(&b->values, 1, err));
    b->values->size = tn_bitmap_bytes(b->length + 1);
    tn_bit_put(b->values->data, b->length, v);
    mark(b, true);
    return TARN_OK;
}

static int out_of_range(tarn_error *err, const tn_type *t, long long v)
{
    return tn_error_set(err, TARN_EOVERFLOW, "value %lld is out of range for %s", v, tn_type_id_name(t->id));
}

/* Encode v as the little-endian value of a fixed-width integer-like type. */
static int encode_int(const tn_type *t, int64_t v, uint8_t out[32], int64_t *w, tarn_error *err)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    switch (t->id) {
    case TN_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case TN_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case TN_INT32: case TN_DATE32: case TN_TIME32: case TN_INTERVAL_MONTHS:
        lo = INT32_MIN;
        hi = INT32_MAX;
        break;
    case TN_UINT8: lo = 0; hi = UINT8_MAX; break;
    case TN_UINT16: lo = 0; hi = UINT16_MAX; break;
    case TN_UINT32: lo = 0; hi = UINT32_MAX; break;
    case TN_UINT64: lo = 0; break;
    case TN_INT64: case TN_DATE64: case TN_TIME64: case TN_TIMESTAMP: case TN_DURATION: break;
    case TN_DECIMAL128: case TN_DECIMAL256:
        memset(out, v < 0 ? 0xff : 0, 32);
        memcpy(out, &v, 8);
        *w = t->byte_width;
        return TARN_OK;
    default:
        return tn_error_set(err, TARN_ETYPE, "cannot append an integer to %s", tn_type_id_name(t->id));
    }
    if (v < lo || v > hi)
        return out_of_range(err, t, v);
    *w = t->byte_width;
    memcpy(out, &v, (size_t)*w); /* little-endian truncation */
    return TARN_OK;
}

int tn_builder_append_int(tn_builder *b, int64_t v, tarn_error *err)
{
    const tn_type *t = b->type->id == TN_DICTIONARY ? b->type->value_type : b->type;
    uint8_t raw[32];
    int64_t w = 0;
    TN_TRY(encode_int(t, v, raw, &w, err));
    if (b->type->id == TN_DICTIONARY)
        return dict_append(b, raw, w, err);
    return append_fixed(b, raw, w, err);
}

int tn_builder_append_uint(tn_builder *b, uint64_t v, tarn_error *err)
{
    const tn_type *t = b->type->id == TN_DICTIONARY ? b->type->value_type : b->type;
    if (t->id == TN_UINT64) {
        if (b->type->id == TN_DICTIONARY)
            return dict_append(b, &v, 8, err);
        return append_fixed(b, &v, 8, err);
    }
    if (v > (uint64_t)INT64_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "value %llu is out of range for %s", (unsigned long long)v,
                            tn_type_id_name(t->id));
    return tn_builder_append_int(b, (int64_t)v, err);
}

/* IEEE binary16 from a double, rounding to nearest even. */
static uint16_t to_half(double d)
{
    float f = (float)d;
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffff;
    if (((x >> 23) & 0xff) == 0xff) /* inf or nan */
        return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t h = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++; /* may carry into the exponent, which is the right result */
    return (uint16_t)h;
}

int tn_builder_append_double(tn_builder *b, double v, tarn_error *err)
{
    const tn_type *t = b->type->id == TN_DICTIONARY ? b->type->value_type : b->type;
    uint8_t raw[8];
    int64_t w;
    switch (t->id) {
    case TN_FLOAT16: { uint16_t h = to_half(v); memcpy(raw, &h, 2); w = 2; break; }
    case TN_FLOAT32: { float f = (float)v; memcpy(raw, &f, 4); w = 4; break; }
    case TN_FLOAT64: memcpy(raw, &v, 8); w = 8; break;
    default:
        return tn_error_set(err, TARN_ETYPE, "cannot append a floating-point value to %s",
                            tn_type_id_name(t->id));
    }
    if (b->type->id == TN_DICTIONARY)
        return dict_append(b, raw, w, err);
    return append_fixed(b, raw, w, err);
}

int tn_builder_append_raw(tn_builder *b, const void *value, tarn_error *err)
{
    const tn_type *t = b->type->id == TN_DICTIONARY ? b->type->value_type : b->type;
    if (t->byte_width <= 0 || t->id == TN_BOOL || tn_type_is_nested(t->id))
        return tn_error_set(err, TARN_ETYPE, "cannot append raw bytes to %s", tn_type_id_name(t->id));
    if (b->type->id == TN_DICTIONARY)
        return dict_append(b, value, t->byte_width, err);
    return append_fixed(b, value, t->byte_width, err);
}

/* --- variable-width values ------------------------------------------------- */

static int append_view(tn_builder *b, const uint8_t *p, int64_t n, tarn_error *err)
{
    if (n > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "a value of %lld bytes is too long for a view",
                            (long long)n);
    tn_view v;
    memset(&v, 0, sizeof v);
    v.inl.size = (int32_t)n;
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve(&b->values, 16, err));
    if (n <= 12) {
        memcpy(v.inl.data, p, (size_t)n);
    } else {
        if (!b->data || b->data->size + n > b->data->capacity) {
            if (b->n_blocks == b->cap_blocks) {
                int32_t cap = b->cap_blocks ? b->cap_blocks * 2 : 4;
                tn_buffer **nb = tn_realloc(b->blocks, sizeof(tn_buffer *) * (size_t)cap);
                TN_TRY_ALLOC(nb, err, sizeof(tn_buffer *) * (size_t)cap);
                b->blocks = nb;
                b->cap_blocks = cap;
            }
            tn_buffer *blk = tn_buffer_new(n > VIEW_BLOCK ? n : VIEW_BLOCK);
            TN_TRY_ALLOC(blk, err, VIEW_BLOCK);
            blk->size = 0;
            if (b->data)
                b->blocks[b->n_blocks++] = b->data;
            b->data = blk;
        }
        memcpy(v.ref.prefix, p, 4);
        v.ref.buffer_index = b->n_blocks;
        v.ref.offset = (int32_t)b->data->size;
        put(b->data, p, n);
    }
    put(b->values, &v, 16);
    mark(b, true);
    return TARN_OK;
}

static int append_var(tn_builder *b, const void *p, int64_t n, tarn_error *err)
{
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve_offset(b, err));
    int64_t end = last_offset(b) + n;
    if (!is_large(b->type->id) && end > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "%s data would exceed 2 GiB in one array; use large_%s",
                            tn_type_id_name(b->type->id), tn_type_id_name(b->type->id));
    TN_TRY(reserve(&b->data, n, err));
    put(b->data, p, n);
    put_offset(b, end);
    mark(b, true);
    return TARN_OK;
}

int tn_builder_append_bytes(tn_builder *b, const void *p, int64_t n, tarn_error *err)
{
    tn_type_id id = b->type->id;
    if (n < 0)
        return tn_error_set(err, TARN_EINVAL, "negative length");
    if (id == TN_DICTIONARY)
        return dict_append(b, p, n, err);
    if (is_var(id))
        return append_var(b, p, n, err);
    if (tn_type_is_view(id))
        return append_view(b, p, n, err);
    if (id == TN_FIXED_BINARY) {
        if (n != b->type->byte_width)
            return tn_error_set(err, TARN_EINVAL, "value of %lld bytes for fixed_size_binary[%d]",
                                (long long)n, b->type->byte_width);
        return append_fixed(b, p, n, err);
    }
    return tn_error_set(err, TARN_ETYPE, "cannot append bytes to %s", tn_type_id_name(id));
}

/* --- nested ---------------------------------------------------------------- */

int tn_builder_append_list(tn_builder *b, tarn_error *err)
{
    tn_type_id id = b->type->id;
    if (id == TN_FIXED_LIST) {
        int64_t want = (b->length + 1) * b->type->list_size;
        if (b->children[0]->length != want)
            return tn_error_set(err, TARN_EINVAL, "fixed_size_list element has %lld values, expected %d",
                                (long long)(b->children[0]->length - b->length * b->type->list_size),
                                b->type->list_size);
        TN_TRY(reserve_validity(b, true, err));
        mark(b, true);
        return TARN_OK;
    }
    if (id != TN_LIST && id != TN_LARGE_LIST && id != TN_MAP)
        return tn_error_set(err, TARN_ETYPE, "cannot close a list on %s", tn_type_id_name(id));
    int64_t end = b->children[0]->length;
    if (!is_large(id) && end > INT32_MAX)
        return tn_error_set(err, TARN_EOVERFLOW, "list child exceeds 2^31 values; use large_list");
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve_offset(b, err));
    put_offset(b, end);
    mark(b, true);
    return TARN_OK;
}

int tn_builder_append_struct(tn_builder *b, tarn_error *err)
{
    if (b->type->id != TN_STRUCT)
        return tn_error_set(err, TARN_ETYPE, "cannot close a struct on %s", tn_type_id_name(b->type->id));
    for (int32_t i = 0; i < b->n_children; i++)
        if (b->children[i]->length != b->length + 1)
            return tn_error_set(err, TARN_EINVAL, "struct field '%s' has %lld values, expected %lld",
                                b->type->children[i].name, (long long)b->children[i]->length,
                                (long long)(b->length + 1));
    TN_TRY(reserve_validity(b, true, err));
    mark(b, true);
    return TARN_OK;
}

/* --- dictionaries ---------------------------------------------------------- */

/* Bytes of dictionary entry i in the value builder. */
static const uint8_t *dict_entry(const tn_builder *d, int64_t i, int64_t *n)
{
    if (is_var(d->type->id)) {
        int64_t a, e;
        if (is_large(d->type->id)) {
            a = ((const int64_t *)d->values->data)[i];
            e = ((const int64_t *)d->values->data)[i + 1];
        } else {
            a = ((const int32_t *)d->values->data)[i];
            e = ((const int32_t *)d->values->data)[i + 1];
        }
        *n = e - a;
        return d->data ? d->data->data + a : (const uint8_t *)"";
    }
    *n = d->type->byte_width;
    return d->values->data + i * d->type->byte_width;
}

static int index_max_check(const tn_type *it, int64_t idx, tarn_error *err)
{
    int64_t max;
    switch (it->id) {
    case TN_INT8: max = INT8_MAX; break;
    case TN_UINT8: max = UINT8_MAX; break;
    case TN_INT16: max = INT16_MAX; break;
    case TN_UINT16: max = UINT16_MAX; break;
    case TN_INT32: max = INT32_MAX; break;
    case TN_UINT32: max = UINT32_MAX; break;
    default: max = INT64_MAX; break;
    }
    if (idx > max)
        return tn_error_set(err, TARN_EOVERFLOW, "dictionary has more than %lld values for %s indices",
                            (long long)max, tn_type_id_name(it->id));
    return TARN_OK;
}

static int grow_slots(tn_builder *b, tarn_error *err)
{
    int64_t n = b->n_slots ? b->n_slots * 2 : 64;
    int64_t *slots = tn_malloc(sizeof(int64_t) * (size_t)n);
    uint64_t *hashes = tn_malloc(sizeof(uint64_t) * (size_t)n);
    if (!slots || !hashes) {
        tn_free(slots);
        tn_free(hashes);
        return tn_error_oom(err, sizeof(int64_t) * (size_t)n);
    }
    for (int64_t i = 0; i < n; i++)
        slots[i] = -1;
    for (int64_t i = 0; i < b->n_slots; i++) {
        if (b->slots[i] < 0)
            continue;
        int64_t j = (int64_t)(b->hashes[i] & (uint64_t)(n - 1));
        while (slots[j] >= 0)
            j = (j + 1) & (n - 1);
        slots[j] = b->slots[i];
        hashes[j] = b->hashes[i];
    }
    tn_free(b->slots);
    tn_free(b->hashes);
    b->slots = slots;
    b->hashes = hashes;
    b->n_slots = n;
    return TARN_OK;
}

static int dict_append(tn_builder *b, const void *p, int64_t n, tarn_error *err)
{
    tn_builder *d = b->dict;
    tn_type_id vid = d->type->id;
    if (!is_var(vid) && (d->type->byte_width <= 0 || vid == TN_BOOL || tn_type_is_nested(vid)))
        return tn_error_set(err, TARN_EUNSUPPORTED, "dictionary builder does not support %s values",
                            tn_type_id_name(vid));
    if (!is_var(vid) && n != d->type->byte_width)
        return tn_error_set(err, TARN_ETYPE, "value does not match dictionary type %s", tn_type_id_name(vid));
    if ((d->length + 1) * 2 > b->n_slots)
        TN_TRY(grow_slots(b, err));
    uint64_t h = tn_hash_bytes(p, (size_t)n, 0);
    int64_t j = (int64_t)(h & (uint64_t)(b->n_slots - 1));
    int64_t idx = -1;
    while (b->slots[j] >= 0) {
        if (b->hashes[j] == h) {
            int64_t en;
            const uint8_t *e = dict_entry(d, b->slots[j], &en);
            if (en == n && memcmp(e, p, (size_t)n) == 0) {
                idx = b->slots[j];
                break;
            }
        }
        j = (j + 1) & (b->n_slots - 1);
    }
    bool fresh = idx < 0;
    if (fresh) {
        idx = d->length;
        TN_TRY(index_max_check(b->type->index_type, idx, err));
    }
    uint8_t raw[32];
    int64_t w = 0;
    TN_TRY(encode_int(b->type->index_type, idx, raw, &w, err));
    TN_TRY(reserve_validity(b, true, err));
    TN_TRY(reserve(&b->values, w, err));
    if (fresh) {
        if (is_var(vid))
            TN_TRY(append_var(d, p, n, err));
        else
            TN_TRY(append_fixed(d, p, n, err));
        b->slots[j] = idx;
        b->hashes[j] = h;
    }
    put(b->values, raw, w);
    mark(b, true);
    return TARN_OK;
}

/* --- finishing ------------------------------------------------------------- */

int tn_builder_finish(tn_builder *b, tn_array **out, tarn_error *err)
{
    tn_type *t = b->type;
    tn_type_id id = t->id;
    *out = NULL;
    int32_t nb = tn_type_n_buffers(t) + (tn_type_is_view(id) ? b->n_blocks + (b->data ? 1 : 0) : 0);
    tn_array *a = tn_array_new(t, b->length, nb, b->n_children);
    TN_TRY_ALLOC(a, err, sizeof *a);
    int rc = TARN_OK;
    if (id == TN_NA) {
        a->null_count = b->length;
        b->length = b->null_count = 0;
        *out = a;
        return TARN_OK;
    }
    /* empty builders still need their value/offset buffers */
    if (has_offsets(id) && !b->values && (rc = reserve_offset(b, err)))
        goto fail;
    if (!has_offsets(id) && id != TN_FIXED_LIST && id != TN_STRUCT && !b->values &&
        (rc = reserve(&b->values, 0, err)))
        goto fail;
    if (is_var(id) && !b->data && (rc = reserve(&b->data, 0, err)))
        goto fail;
    if (id == TN_DICTIONARY) {
        if ((rc = tn_builder_finish(b->dict, &a->dictionary, err)))
            goto fail;
    }
    for (int32_t i = 0; i < b->n_children; i++)
        if ((rc = tn_builder_finish(b->children[i], &a->children[i], err)))
            goto fail;
    a->null_count = b->null_count;
    if (b->null_count)
        a->buffers[0] = b->validity, b->validity = NULL;
    if (nb > 1)
        a->buffers[1] = b->values, b->values = NULL;
    if (is_var(id)) {
        a->buffers[2] = b->data;
        b->data = NULL;
    } else if (tn_type_is_view(id)) {
        for (int32_t i = 0; i < b->n_blocks; i++)
            a->buffers[2 + i] = b->blocks[i], b->blocks[i] = NULL;
        if (b->data)
            a->buffers[2 + b->n_blocks] = b->data, b->data = NULL;
        b->n_blocks = 0;
    }
    clear_state(b);
    *out = a;
    return TARN_OK;
fail:
    tn_array_unref(a);
    return rc;
}
