/*
 * type.c — construction, reference counting, comparison and rendering of
 * Arrow types, fields and schemas (see type.h for the ownership rules).
 */
#include <string.h>

#include "arrow/type.h"
#include "core/alloc.h"

/* Fixed-width bytes per value, 0 where not fixed or sub-byte. */
static int32_t fixed_bytes(tn_type_id id)
{
    switch (id) {
    case TN_INT8: case TN_UINT8: return 1;
    case TN_INT16: case TN_UINT16: case TN_FLOAT16: return 2;
    case TN_INT32: case TN_UINT32: case TN_FLOAT32: case TN_DATE32: case TN_TIME32:
    case TN_INTERVAL_MONTHS: return 4;
    case TN_INT64: case TN_UINT64: case TN_FLOAT64: case TN_DATE64: case TN_TIME64:
    case TN_TIMESTAMP: case TN_DURATION: case TN_INTERVAL_DAY_TIME: return 8;
    case TN_DECIMAL128: case TN_INTERVAL_MONTH_DAY_NANO: return 16;
    case TN_DECIMAL256: return 32;
    default: return 0;
    }
}

static tn_type singletons[TN_TYPE_COUNT];
static _Atomic int singletons_ready;

static void init_singletons(void)
{
    static const tn_type_id ids[] = {TN_NA, TN_BOOL, TN_INT8, TN_INT16, TN_INT32, TN_INT64, TN_UINT8,
                                     TN_UINT16, TN_UINT32, TN_UINT64, TN_FLOAT16, TN_FLOAT32, TN_FLOAT64,
                                     TN_STRING, TN_LARGE_STRING, TN_STRING_VIEW, TN_BINARY,
                                     TN_LARGE_BINARY, TN_BINARY_VIEW, TN_DATE32, TN_DATE64,
                                     TN_INTERVAL_MONTHS, TN_INTERVAL_DAY_TIME,
                                     TN_INTERVAL_MONTH_DAY_NANO};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        tn_type *t = &singletons[ids[i]];
        t->refcount = -1;
        t->id = ids[i];
        t->byte_width = fixed_bytes(ids[i]);
        if (ids[i] == TN_DATE64)
            t->unit = TN_MILLI;
    }
}

tn_type *tn_type_get(tn_type_id id)
{
    if (!atomic_load_explicit(&singletons_ready, memory_order_acquire)) {
        /* idempotent: concurrent first calls write the same values */
        init_singletons();
        atomic_store_explicit(&singletons_ready, 1, memory_order_release);
    }
    if ((unsigned)id >= TN_TYPE_COUNT || singletons[id].refcount != -1)
        return NULL;
    return &singletons[id];
}

static tn_type *alloc_type(tn_type_id id)
{
    tn_type *t = tn_calloc(1, sizeof *t);
    if (t) {
        t->refcount = 1;
        t->id = id;
        t->byte_width = fixed_bytes(id);
    }
    return t;
}

tn_type *tn_type_decimal(int32_t bits, int32_t precision, int32_t scale)
{
    if ((bits != 128 && bits != 256) || precision < 1 || precision > (bits == 128 ? 38 : 76) ||
        scale > precision)
        return NULL;
    tn_type *t = alloc_type(bits == 128 ? TN_DECIMAL128 : TN_DECIMAL256);
    if (t) {
        t->precision = precision;
        t->scale = scale;
    }
    return t;
}

tn_type *tn_type_fixed_binary(int32_t byte_width)
{
    if (byte_width < 0)
        return NULL;
    tn_type *t = alloc_type(TN_FIXED_BINARY);
    if (t)
        t->byte_width = byte_width;
    return t;
}

tn_type *tn_type_time(tn_type_id id, tn_time_unit unit)
{
    if (!((id == TN_TIME32 && (unit == TN_SECOND || unit == TN_MILLI)) ||
          (id == TN_TIME64 && (unit == TN_MICRO || unit == TN_NANO))))
        return NULL;
    tn_type *t = alloc_type(id);
    if (t)
        t->unit = unit;
    return t;
}

tn_type *tn_type_timestamp(tn_time_unit unit, const char *tz)
{
    tn_type *t = alloc_type(TN_TIMESTAMP);
    if (!t)
        return NULL;
    t->unit = unit;
    if (tz && *tz) {
        t->tz = tn_strdup(tz);
        if (!t->tz) {
            tn_free(t);
            return NULL;
        }
    }
    return t;
}

tn_type *tn_type_duration(tn_time_unit unit)
{
    tn_type *t = alloc_type(TN_DURATION);
    if (t)
        t->unit = unit;
    return t;
}

/* Move a heap field into an embedded slot. */
static void adopt_field(tn_field *slot, tn_field *f)
{
    *slot = *f;
    tn_free(f);
}

tn_type *tn_type_list(tn_type_id id, tn_field *item)
{
    if (!item || (id != TN_LIST && id != TN_LARGE_LIST)) {
        tn_field_free(item);
        return NULL;
    }
    tn_type *t = alloc_type(id);
    tn_field *slot = t ? tn_calloc(1, sizeof *slot) : NULL;
    if (!slot) {
        tn_free(t);
        tn_field_free(item);
        return NULL;
    }
    adopt_field(slot, item);
    t->n_children = 1;
    t->children = slot;
    return t;
}

tn_type *tn_type_fixed_list(tn_field *item, int32_t list_size)
{
    if (list_size < 0) {
        tn_field_free(item);
        return NULL;
    }
    tn_type *t = tn_type_list(TN_LIST, item);
    if (t) {
        t->id = TN_FIXED_LIST;
        t->list_size = list_size;
    }
    return t;
}

tn_type *tn_type_struct(int32_t n, tn_field **fields)
{
    bool ok = n >= 0;
    for (int32_t i = 0; i < n; i++)
        ok = ok && fields[i] != NULL;
    tn_type *t = ok ? alloc_type(TN_STRUCT) : NULL;
    tn_field *slots = t && n > 0 ? tn_calloc((size_t)n, sizeof *slots) : NULL;
    if (!t || (n > 0 && !slots)) {
        for (int32_t i = 0; i < n; i++)
            tn_field_free(fields[i]);
        tn_free(t);
        return NULL;
    }
    for (int32_t i = 0; i < n; i++)
        adopt_field(&slots[i], fields[i]);
    t->n_children = n;
    t->children = slots;
    return t;
}

tn_type *tn_type_map(tn_field *key, tn_field *value, bool keys_sorted)
{
    if (key)
        key->nullable = false;
    tn_field *kv[2] = {key, value};
    if (!key || !value) {
        tn_field_free(key);
        tn_field_free(value);
        return NULL;
    }
    tn_type *entries = tn_type_struct(2, kv);
    tn_type *t = tn_type_list(TN_LIST, tn_field_new("entries", entries, false));
    if (t) {
        t->id = TN_MAP;
        t->keys_sorted = keys_sorted;
    }
    return t;
}

tn_type *tn_type_dictionary(tn_type *index_type, tn_type *value_type, bool ordered)
{
    if (!index_type || !value_type || !tn_type_is_int(index_type->id)) {
        tn_type_unref(index_type);
        tn_type_unref(value_type);
        return NULL;
    }
    tn_type *t = alloc_type(TN_DICTIONARY);
    if (!t) {
        tn_type_unref(index_type);
        tn_type_unref(value_type);
        return NULL;
    }
    t->index_type = index_type;
    t->value_type = value_type;
    t->ordered = ordered;
    t->byte_width = index_type->byte_width;
    return t;
}

tn_type *tn_type_ref(tn_type *t)
{
    if (t && atomic_load_explicit(&t->refcount, memory_order_relaxed) >= 0)
        atomic_fetch_add_explicit(&t->refcount, 1, memory_order_relaxed);
    return t;
}

void tn_type_unref(tn_type *t)
{
    if (!t || atomic_load_explicit(&t->refcount, memory_order_relaxed) < 0)
        return;
    if (atomic_fetch_sub_explicit(&t->refcount, 1, memory_order_acq_rel) != 1)
        return;
    for (int32_t i = 0; i < t->n_children; i++)
        tn_field_reset(&t->children[i]);
    tn_free(t->children);
    tn_free(t->tz);
    tn_type_unref(t->index_type);
    tn_type_unref(t->value_type);
    tn_free(t);
}

bool tn_type_equals(const tn_type *a, const tn_type *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->id != b->id)
        return false;
    switch (a->id) {
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        return a->precision == b->precision && a->scale == b->scale;
    case TN_FIXED_BINARY:
        return a->byte_width == b->byte_width;
    case TN_TIME32:
    case TN_TIME64:
    case TN_DURATION:
        return a->unit == b->unit;
    case TN_TIMESTAMP:
        if (a->unit != b->unit || (!a->tz) != (!b->tz))
            return false;
        return !a->tz || strcmp(a->tz, b->tz) == 0;
    case TN_DICTIONARY:
        return a->ordered == b->ordered && tn_type_equals(a->index_type, b->index_type) &&
               tn_type_equals(a->value_type, b->value_type);
    default:
        break;
    }
    if (a->n_children != b->n_children || a->list_size != b->list_size || a->keys_sorted != b->keys_sorted)
        return false;
    for (int32_t i = 0; i < a->n_children; i++) {
        const tn_field *fa = &a->children[i], *fb = &b->children[i];
        if (fa->nullable != fb->nullable || strcmp(fa->name, fb->name) != 0 ||
            !tn_type_equals(fa->type, fb->type))
            return false;
    }
    return true;
}

int32_t tn_type_bit_width(const tn_type *t)
{
    if (t->id == TN_BOOL)
        return 1;
    if (t->id == TN_FIXED_BINARY)
        return t->byte_width * 8;
    if (t->id == TN_DICTIONARY)
        return t->index_type->byte_width * 8;
    return fixed_bytes(t->id) * 8;
}

int32_t tn_type_n_buffers(const tn_type *t)
{
    switch (t->id) {
    case TN_NA: return 0;
    case TN_STRING: case TN_LARGE_STRING: case TN_BINARY: case TN_LARGE_BINARY: return 3;
    case TN_STRING_VIEW: case TN_BINARY_VIEW: return 2;
    case TN_FIXED_LIST: case TN_STRUCT: return 1;
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP: return 2;
    default: return 2;
    }
}

const char *tn_type_id_name(tn_type_id id)
{
    static const char *names[TN_TYPE_COUNT] = {
        [TN_NA] = "null", [TN_BOOL] = "bool", [TN_INT8] = "int8", [TN_INT16] = "int16",
        [TN_INT32] = "int32", [TN_INT64] = "int64", [TN_UINT8] = "uint8", [TN_UINT16] = "uint16",
        [TN_UINT32] = "uint32", [TN_UINT64] = "uint64", [TN_FLOAT16] = "float16",
        [TN_FLOAT32] = "float", [TN_FLOAT64] = "double", [TN_DECIMAL128] = "decimal128",
        [TN_DECIMAL256] = "decimal256", [TN_STRING] = "utf8", [TN_LARGE_STRING] = "large_utf8",
        [TN_STRING_VIEW] = "utf8_view", [TN_BINARY] = "binary", [TN_LARGE_BINARY] = "large_binary",
        [TN_BINARY_VIEW] = "binary_view", [TN_FIXED_BINARY] = "fixed_size_binary",
        [TN_DATE32] = "date32", [TN_DATE64] = "date64", [TN_TIME32] = "time32",
        [TN_TIME64] = "time64", [TN_TIMESTAMP] = "timestamp", [TN_DURATION] = "duration",
        [TN_INTERVAL_MONTHS] = "interval_months", [TN_INTERVAL_DAY_TIME] = "interval_day_time",
        [TN_INTERVAL_MONTH_DAY_NANO] = "interval_month_day_nano", [TN_LIST] = "list",
        [TN_LARGE_LIST] = "large_list", [TN_FIXED_LIST] = "fixed_size_list", [TN_STRUCT] = "struct",
        [TN_MAP] = "map", [TN_DICTIONARY] = "dictionary",
    };
    return (unsigned)id < TN_TYPE_COUNT ? names[id] : "unknown";
}

const char *tn_time_unit_name(tn_time_unit u)
{
    static const char *names[] = {"s", "ms", "us", "ns"};
    return (unsigned)u < 4 ? names[u] : "?";
}

int tn_type_format(const tn_type *t, tn_buf *out, tarn_error *err)
{
    const char *name = tn_type_id_name(t->id);
    switch (t->id) {
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        return tn_buf_printf(out, err, "%s(%d, %d)", name, t->precision, t->scale);
    case TN_FIXED_BINARY:
        return tn_buf_printf(out, err, "%s[%d]", name, t->byte_width);
    case TN_TIME32:
    case TN_TIME64:
    case TN_DURATION:
        return tn_buf_printf(out, err, "%s[%s]", name, tn_time_unit_name(t->unit));
    case TN_TIMESTAMP:
        if (t->tz)
            return tn_buf_printf(out, err, "timestamp[%s, tz=%s]", tn_time_unit_name(t->unit), t->tz);
        return tn_buf_printf(out, err, "timestamp[%s]", tn_time_unit_name(t->unit));
    case TN_DICTIONARY:
        TN_TRY(tn_buf_append_str(out, "dictionary<values=", err));
        TN_TRY(tn_type_format(t->value_type, out, err));
        TN_TRY(tn_buf_append_str(out, ", indices=", err));
        TN_TRY(tn_type_format(t->index_type, out, err));
        return tn_buf_append_str(out, t->ordered ? ", ordered>" : ">", err);
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_FIXED_LIST:
    case TN_STRUCT:
    case TN_MAP: {
        const tn_field *kids = t->children;
        int32_t n = t->n_children;
        if (t->id == TN_MAP) { /* show map<key, value> rather than the entries struct */
            kids = t->children[0].type->children;
            n = t->children[0].type->n_children;
        }
        TN_TRY(tn_buf_printf(out, err, "%s<", name));
        for (int32_t i = 0; i < n; i++) {
            if (i)
                TN_TRY(tn_buf_append_str(out, ", ", err));
            if (t->id != TN_MAP)
                TN_TRY(tn_buf_printf(out, err, "%s: ", kids[i].name));
            TN_TRY(tn_type_format(kids[i].type, out, err));
            if (!kids[i].nullable && t->id != TN_MAP)
                TN_TRY(tn_buf_append_str(out, " not null", err));
        }
        if (t->id == TN_FIXED_LIST)
            TN_TRY(tn_buf_printf(out, err, ">[%d]", t->list_size));
        else
            TN_TRY(tn_buf_append_str(out, ">", err));
        return TARN_OK;
    }
    default:
        return tn_buf_append_str(out, name, err);
    }
}

/* --- fields -------------------------------------------------------------- */

int tn_field_init(tn_field *f, const char *name, tn_type *type, bool nullable, tarn_error *err)
{
    memset(f, 0, sizeof *f);
    if (!type)
        return tn_error_oom(err, sizeof(tn_type));
    f->name = tn_strdup(name ? name : "");
    if (!f->name) {
        tn_type_unref(type);
        return tn_error_oom(err, strlen(name ? name : "") + 1);
    }
    f->type = type;
    f->nullable = nullable;
    return TARN_OK;
}

tn_field *tn_field_new(const char *name, tn_type *type, bool nullable)
{
    tn_field *f = tn_malloc(sizeof *f);
    if (!f) {
        tn_type_unref(type);
        return NULL;
    }
    if (tn_field_init(f, name, type, nullable, NULL) != TARN_OK) {
        tn_free(f);
        return NULL;
    }
    return f;
}

void tn_field_reset(tn_field *f)
{
    if (!f)
        return;
    tn_free(f->name);
    tn_type_unref(f->type);
    tn_kv_reset(&f->metadata);
    memset(f, 0, sizeof *f);
}

void tn_field_free(tn_field *f)
{
    if (f) {
        tn_field_reset(f);
        tn_free(f);
    }
}

int tn_field_copy(tn_field *dst, const tn_field *src, tarn_error *err)
{
    TN_TRY(tn_field_init(dst, src->name, tn_type_ref(src->type), src->nullable, err));
    int rc = tn_kv_copy(&dst->metadata, &src->metadata, err);
    if (rc)
        tn_field_reset(dst);
    return rc;
}

/* --- metadata ------------------------------------------------------------ */

int tn_kv_add(tn_kv *kv, const char *key, const char *value, tarn_error *err)
{
    char **k = tn_realloc(kv->keys, sizeof(char *) * (size_t)(kv->n + 1));
    if (!k)
        return tn_error_oom(err, sizeof(char *) * (size_t)(kv->n + 1));
    kv->keys = k;
    char **v = tn_realloc(kv->values, sizeof(char *) * (size_t)(kv->n + 1));
    if (!v)
        return tn_error_oom(err, sizeof(char *) * (size_t)(kv->n + 1));
    kv->values = v;
    char *ks = tn_strdup(key), *vs = tn_strdup(value ? value : "");
    if (!ks || !vs) {
        tn_free(ks);
        tn_free(vs);
        return tn_error_oom(err, strlen(key) + 1);
    }
    kv->keys[kv->n] = ks;
    kv->values[kv->n] = vs;
    kv->n++;
    return TARN_OK;
}

int tn_kv_copy(tn_kv *dst, const tn_kv *src, tarn_error *err)
{
    for (int32_t i = 0; i < src->n; i++) {
        int rc = tn_kv_add(dst, src->keys[i], src->values[i], err);
        if (rc) {
            tn_kv_reset(dst);
            return rc;
        }
    }
    return TARN_OK;
}

const char *tn_kv_get(const tn_kv *kv, const char *key)
{
    for (int32_t i = 0; i < kv->n; i++)
        if (strcmp(kv->keys[i], key) == 0)
            return kv->values[i];
    return NULL;
}

void tn_kv_reset(tn_kv *kv)
{
    for (int32_t i = 0; i < kv->n; i++) {
        tn_free(kv->keys[i]);
        tn_free(kv->values[i]);
    }
    tn_free(kv->keys);
    tn_free(kv->values);
    memset(kv, 0, sizeof *kv);
}

/* --- schemas ------------------------------------------------------------- */

tn_schema *tn_schema_new(int32_t n_fields)
{
    if (n_fields < 0)
        return NULL;
    tn_schema *s = tn_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->refcount = 1;
    if (n_fields > 0) {
        s->fields = tn_calloc((size_t)n_fields, sizeof(tn_field));
        if (!s->fields) {
            tn_free(s);
            return NULL;
        }
    }
    s->n_fields = n_fields;
    return s;
}

tn_schema *tn_schema_ref(tn_schema *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refcount, 1, memory_order_relaxed);
    return s;
}

void tn_schema_unref(tn_schema *s)
{
    if (!s || atomic_fetch_sub_explicit(&s->refcount, 1, memory_order_acq_rel) != 1)
        return;
    for (int32_t i = 0; i < s->n_fields; i++)
        tn_field_reset(&s->fields[i]);
    tn_free(s->fields);
    tn_kv_reset(&s->metadata);
    tn_free(s);
}

int32_t tn_schema_find(const tn_schema *s, const char *name)
{
    for (int32_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0)
            return i;
    return -1;
}

bool tn_schema_equals(const tn_schema *a, const tn_schema *b)
{
    if (a->n_fields != b->n_fields)
        return false;
    for (int32_t i = 0; i < a->n_fields; i++) {
        const tn_field *fa = &a->fields[i], *fb = &b->fields[i];
        if (fa->nullable != fb->nullable || strcmp(fa->name, fb->name) != 0 ||
            !tn_type_equals(fa->type, fb->type))
            return false;
    }
    return true;
}

int tn_schema_format(const tn_schema *s, tn_buf *out, tarn_error *err)
{
    for (int32_t i = 0; i < s->n_fields; i++) {
        const tn_field *f = &s->fields[i];
        TN_TRY(tn_buf_printf(out, err, "%s: ", f->name));
        TN_TRY(tn_type_format(f->type, out, err));
        TN_TRY(tn_buf_append_str(out, f->nullable ? "\n" : " not null\n", err));
    }
    return TARN_OK;
}
