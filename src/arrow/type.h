/*
 * type.h — the Arrow type system inside libtarn: types, fields and schemas.
 *
 * Types are immutable and reference counted. Parameter-free types (int32,
 * utf8, ...) are static singletons whose ref/unref do nothing. Constructors
 * that take types or fields *consume* them, even when they fail (then they
 * release what they were given and return NULL), so nested types can be
 * built in one expression and a failure anywhere yields NULL:
 *
 *     tn_type *t = tn_type_list(TN_LIST, tn_field_new("item", tn_type_get(TN_INT32), true));
 *
 * Layouts follow the Arrow columnar format; see array.h for buffers.
 */
#ifndef TN_ARROW_TYPE_H
#define TN_ARROW_TYPE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

typedef enum tn_type_id {
    TN_NA = 0,
    TN_BOOL,
    TN_INT8,
    TN_INT16,
    TN_INT32,
    TN_INT64,
    TN_UINT8,
    TN_UINT16,
    TN_UINT32,
    TN_UINT64,
    TN_FLOAT16,
    TN_FLOAT32,
    TN_FLOAT64,
    TN_DECIMAL128,
    TN_DECIMAL256,
    TN_STRING,       /* utf8, int32 offsets */
    TN_LARGE_STRING, /* utf8, int64 offsets */
    TN_STRING_VIEW,  /* utf8, 16-byte views + variadic data buffers */
    TN_BINARY,
    TN_LARGE_BINARY,
    TN_BINARY_VIEW,
    TN_FIXED_BINARY, /* byte_width */
    TN_DATE32,       /* days since 1970-01-01 */
    TN_DATE64,       /* milliseconds since 1970-01-01 */
    TN_TIME32,       /* unit s or ms */
    TN_TIME64,       /* unit us or ns */
    TN_TIMESTAMP,    /* unit, optional tz */
    TN_DURATION,     /* unit */
    TN_INTERVAL_MONTHS,
    TN_INTERVAL_DAY_TIME,       /* int32 days, int32 ms */
    TN_INTERVAL_MONTH_DAY_NANO, /* int32 months, int32 days, int64 ns */
    TN_LIST,
    TN_LARGE_LIST,
    TN_FIXED_LIST, /* list_size */
    TN_STRUCT,
    TN_MAP,        /* one child "entries": struct<key not null, value> */
    TN_DICTIONARY, /* index_type + value_type; the array carries the dictionary */
    TN_TYPE_COUNT
} tn_type_id;

typedef enum tn_time_unit { TN_SECOND = 0, TN_MILLI = 1, TN_MICRO = 2, TN_NANO = 3 } tn_time_unit;

/* Key/value metadata (schemas, fields). Keys and values are owned strings. */
typedef struct tn_kv {
    int32_t n;
    char **keys;
    char **values;
} tn_kv;

typedef struct tn_type tn_type;

typedef struct tn_field {
    char *name;     /* owned; never NULL once initialized ("" allowed) */
    tn_type *type;  /* owned reference */
    bool nullable;
    tn_kv metadata;
} tn_field;

struct tn_type {
    _Atomic int32_t refcount; /* < 0: static singleton */
    tn_type_id id;
    int32_t byte_width;  /* bytes per value for fixed-width types (0 for bool/variable) */
    int32_t precision;   /* decimal */
    int32_t scale;       /* decimal */
    tn_time_unit unit;   /* time32/64, timestamp, duration */
    char *tz;            /* timestamp: time zone name or offset, or NULL */
    int32_t list_size;   /* fixed-size list */
    bool keys_sorted;    /* map */
    bool ordered;        /* dictionary */
    int32_t n_children;
    tn_field *children;  /* list kinds: 1 ("item"); struct: n; map: 1 ("entries") */
    tn_type *index_type; /* dictionary: a signed or unsigned integer type */
    tn_type *value_type; /* dictionary */
};

typedef struct tn_schema {
    _Atomic int32_t refcount;
    int32_t n_fields;
    tn_field *fields;
    tn_kv metadata;
} tn_schema;

/* --- types --------------------------------------------------------------- */

/* The singleton of a parameter-free type (null, bool, ints, floats, strings,
 * binaries, date32/64, intervals). Returns NULL for parameterized ids. */
tn_type *tn_type_get(tn_type_id id);
tn_type *tn_type_decimal(int32_t bits, int32_t precision, int32_t scale); /* bits 128|256 */
tn_type *tn_type_fixed_binary(int32_t byte_width);
tn_type *tn_type_time(tn_type_id id, tn_time_unit unit); /* TN_TIME32|TN_TIME64 */
tn_type *tn_type_timestamp(tn_time_unit unit, const char *tz);
tn_type *tn_type_duration(tn_time_unit unit);
/* TN_LIST or TN_LARGE_LIST; consumes item (a field made by tn_field_new). */
tn_type *tn_type_list(tn_type_id id, tn_field *item);
tn_type *tn_type_fixed_list(tn_field *item, int32_t list_size);
/* Consumes the n fields of the array (the array itself is the caller's). */
tn_type *tn_type_struct(int32_t n, tn_field **fields);
/* Consumes key and value; builds the "entries" struct. */
tn_type *tn_type_map(tn_field *key, tn_field *value, bool keys_sorted);
tn_type *tn_type_dictionary(tn_type *index_type, tn_type *value_type, bool ordered);

tn_type *tn_type_ref(tn_type *t);
void tn_type_unref(tn_type *t);

/* Structural equality; field names and nullability count, metadata does not. */
bool tn_type_equals(const tn_type *a, const tn_type *b);
/* Bits per value of the fixed-width part (1 for bool, 128 for decimal128);
 * 0 for null and variable-width or nested types. */
int32_t tn_type_bit_width(const tn_type *t);
/* Number of buffers of this type's layout (validity included), as in the C
 * Data Interface, not counting variadic view buffers. */
int32_t tn_type_n_buffers(const tn_type *t);
const char *tn_type_id_name(tn_type_id id); /* "int32", "timestamp", ... */
const char *tn_time_unit_name(tn_time_unit u); /* "s", "ms", "us", "ns" */

static inline bool tn_type_is_signed_int(tn_type_id id) { return id >= TN_INT8 && id <= TN_INT64; }
static inline bool tn_type_is_unsigned_int(tn_type_id id) { return id >= TN_UINT8 && id <= TN_UINT64; }
static inline bool tn_type_is_int(tn_type_id id) { return id >= TN_INT8 && id <= TN_UINT64; }
static inline bool tn_type_is_float(tn_type_id id) { return id >= TN_FLOAT16 && id <= TN_FLOAT64; }
static inline bool tn_type_is_decimal(tn_type_id id) { return id == TN_DECIMAL128 || id == TN_DECIMAL256; }
static inline bool tn_type_is_numeric(tn_type_id id)
{
    return tn_type_is_int(id) || tn_type_is_float(id) || tn_type_is_decimal(id);
}
static inline bool tn_type_is_string(tn_type_id id)
{
    return id == TN_STRING || id == TN_LARGE_STRING || id == TN_STRING_VIEW;
}
static inline bool tn_type_is_binary(tn_type_id id)
{
    return id == TN_BINARY || id == TN_LARGE_BINARY || id == TN_BINARY_VIEW;
}
static inline bool tn_type_is_view(tn_type_id id) { return id == TN_STRING_VIEW || id == TN_BINARY_VIEW; }
static inline bool tn_type_is_temporal(tn_type_id id) { return id >= TN_DATE32 && id <= TN_INTERVAL_MONTH_DAY_NANO; }
static inline bool tn_type_is_nested(tn_type_id id) { return id >= TN_LIST && id <= TN_MAP; }

/* Render as DuckDB/Arrow-like text: "int32", "decimal128(15, 2)",
 * "timestamp[us, tz=UTC]", "list<item: int32>", "struct<a: int32, b: utf8>". */
int tn_type_format(const tn_type *t, tn_buf *out, tarn_error *err) TN_MUST_USE;

/* --- fields -------------------------------------------------------------- */

/* A heap field that owns name (copied) and type (consumed); NULL on failure.
 * Free with tn_field_free. */
tn_field *tn_field_new(const char *name, tn_type *type, bool nullable);
void tn_field_free(tn_field *f);
/* In-place variants for fields embedded in arrays of fields. */
int tn_field_init(tn_field *f, const char *name, tn_type *type, bool nullable, tarn_error *err) TN_MUST_USE;
int tn_field_copy(tn_field *dst, const tn_field *src, tarn_error *err) TN_MUST_USE;
void tn_field_reset(tn_field *f);

/* --- metadata ------------------------------------------------------------ */

int tn_kv_add(tn_kv *kv, const char *key, const char *value, tarn_error *err) TN_MUST_USE;
int tn_kv_copy(tn_kv *dst, const tn_kv *src, tarn_error *err) TN_MUST_USE;
const char *tn_kv_get(const tn_kv *kv, const char *key);
void tn_kv_reset(tn_kv *kv);

/* --- schemas ------------------------------------------------------------- */

/* A schema with n zeroed fields for the caller to initialize. */
tn_schema *tn_schema_new(int32_t n_fields);
tn_schema *tn_schema_ref(tn_schema *s);
void tn_schema_unref(tn_schema *s);
/* Index of the field named name (exact match), or -1. */
int32_t tn_schema_find(const tn_schema *s, const char *name);
bool tn_schema_equals(const tn_schema *a, const tn_schema *b);
/* One field per line: "name: type" plus " not null" where not nullable. */
int tn_schema_format(const tn_schema *s, tn_buf *out, tarn_error *err) TN_MUST_USE;

#endif
