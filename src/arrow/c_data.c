/*
 * c_data.c — the Arrow C Data Interface and C Stream Interface: conversion
 * between tarn's types, arrays, batches and readers and the ArrowSchema,
 * ArrowArray and ArrowArrayStream structs of the public API.
 *
 * Export is zero-copy. Every exported struct owns a private block that holds
 * references to tarn's objects (the array, its buffers through it, the
 * batch) plus the small arrays the struct points to (buffer pointers, child
 * pointers, format and name strings); its release callback releases the
 * children and the dictionary that are still owned (a consumer may have
 * moved some out), drops the references and marks the struct released.
 *
 * Import is zero-copy too. The foreign root struct is moved into one shared,
 * reference-counted owner; every tn_buffer of the imported tree (children
 * and dictionary included) wraps the foreign memory and holds a reference on
 * that owner, which calls the foreign release exactly once when the last
 * buffer goes. Children and dictionaries are never released on their own:
 * the spec makes them the parent's responsibility. The C interface carries
 * no buffer sizes, so sizes are derived from the layout and from values
 * already checked: (offset + length) elements for fixed-width buffers, the
 * last offset for the data of utf8/binary, the variadic sizes buffer for
 * views. Import checks the structure itself (buffer and child counts,
 * lengths, NULL buffers) and then runs tn_array_validate at the requested
 * level; on any failure the caller's struct is left as it was, unreleased.
 *
 * Metadata is the C interface's binary encoding (native-endian int32s):
 *
 *   int32 n                      number of pairs
 *   n times:
 *     int32 key_len, key bytes   (not NUL-terminated)
 *     int32 value_len, value bytes
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arrow/c_data.h"
#include "core/alloc.h"

#define MAX_DEPTH 64            /* nesting of types and arrays */
#define MAX_META_PAIRS (1 << 20) /* bounds on metadata read without a size */
#define MAX_META_BYTES (1 << 30)
#define MAX_ELEMENTS (INT64_MAX / 64) /* offset + length, so that byte sizes cannot overflow */

/* Non-NULL stand-in for the zero-sized buffers a producer may leave NULL,
 * and for the single zero offset of an empty array. */
static const int64_t zero_block[2];

/* --- moves --------------------------------------------------------------- */

void tarn_schema_move(struct ArrowSchema *src, struct ArrowSchema *dst)
{
    *dst = *src;
    src->release = NULL;
}

void tarn_array_move(struct ArrowArray *src, struct ArrowArray *dst)
{
    *dst = *src;
    src->release = NULL;
}

void tarn_stream_move(struct ArrowArrayStream *src, struct ArrowArrayStream *dst)
{
    *dst = *src;
    src->release = NULL;
}

/* --- field paths for messages ----------------------------------------- */

/* "a.b.item": where in a nested schema or array a problem was found. */
typedef struct path {
    char s[256];
    size_t n;
} path;

static size_t path_push(path *p, const char *name, int64_t index)
{
    size_t old = p->n;
    char part[96];
    if (name && *name)
        snprintf(part, sizeof part, "%s", name);
    else
        snprintf(part, sizeof part, "[%lld]", (long long)index);
    int w = snprintf(p->s + p->n, sizeof p->s - p->n, "%s%s", p->n ? "." : "", part);
    if (w > 0)
        p->n = p->n + (size_t)w < sizeof p->s ? p->n + (size_t)w : sizeof p->s - 1;
    return old;
}

static void path_pop(path *p, size_t old)
{
    p->n = old;
    p->s[old] = '\0';
}

static const char *path_str(const path *p)
{
    return p->n ? p->s : "<root>";
}

static int fail(tarn_error *err, int code, const path *p, const char *fmt, ...) TN_PRINTF(4, 5);
static int fail(tarn_error *err, int code, const path *p, const char *fmt, ...)
{
    char msg[TARN_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tn_error_set(err, code, "C data interface field '%s': %s", path_str(p), msg);
}

/* --- metadata ------------------------------------------------------------ */

static int encode_metadata(const tn_kv *kv, char **out, tarn_error *err)
{
    *out = NULL;
    if (kv->n == 0)
        return TARN_OK;
    size_t size = 4;
    for (int32_t i = 0; i < kv->n; i++) {
        size_t k = strlen(kv->keys[i]), v = strlen(kv->values[i]);
        if (k > INT32_MAX || v > INT32_MAX)
            return tn_error_set(err, TARN_EOVERFLOW, "metadata entry '%.40s' is too large to export",
                                kv->keys[i]);
        size += 8 + k + v;
    }
    char *buf = tn_malloc(size);
    TN_TRY_ALLOC(buf, err, size);
    char *p = buf;
    int32_t n = kv->n;
    memcpy(p, &n, 4);
    p += 4;
    for (int32_t i = 0; i < kv->n; i++) {
        const char *parts[2] = {kv->keys[i], kv->values[i]};
        for (int j = 0; j < 2; j++) {
            int32_t len = (int32_t)strlen(parts[j]);
            memcpy(p, &len, 4);
            memcpy(p + 4, parts[j], (size_t)len);
            p += 4 + len;
        }
    }
    *out = buf;
    return TARN_OK;
}

/* Append an owned key and value to kv (taken over even on failure). */
static int kv_push(tn_kv *kv, char *key, char *value, tarn_error *err)
{
    size_t n = (size_t)kv->n + 1;
    char **k = tn_realloc(kv->keys, n * sizeof(char *));
    if (k)
        kv->keys = k;
    char **v = k ? tn_realloc(kv->values, n * sizeof(char *)) : NULL;
    if (v)
        kv->values = v;
    if (!key || !value || !v) {
        tn_free(key);
        tn_free(value);
        return tn_error_oom(err, n * sizeof(char *));
    }
    kv->keys[kv->n] = key;
    kv->values[kv->n] = value;
    kv->n++;
    return TARN_OK;
}

/* The encoding carries no total size, so every count and length is bounded
 * before it is used; keys and values are copied (a NUL inside ends them). */
static int decode_metadata(const char *md, tn_kv *kv, const path *p, tarn_error *err)
{
    if (!md)
        return TARN_OK;
    int32_t n;
    memcpy(&n, md, 4);
    if (n < 0 || n > MAX_META_PAIRS)
        return fail(err, TARN_EINVAL, p, "metadata declares %d pairs", n);
    int64_t pos = 4;
    for (int32_t i = 0; i < n; i++) {
        char *parts[2] = {NULL, NULL};
        for (int j = 0; j < 2; j++) {
            int32_t len;
            memcpy(&len, md + pos, 4);
            if (len < 0 || len > MAX_META_BYTES - pos - 4) {
                tn_free(parts[0]);
                tn_kv_reset(kv);
                return fail(err, TARN_EINVAL, p, "metadata %s %d has length %d at byte %lld",
                            j ? "value" : "key", i, len, (long long)pos);
            }
            parts[j] = tn_strndup(md + pos + 4, (size_t)len);
            pos += 4 + len;
        }
        int rc = kv_push(kv, parts[0], parts[1], err);
        if (rc) {
            tn_kv_reset(kv);
            return rc;
        }
    }
    return TARN_OK;
}

/* --- schema export ------------------------------------------------------- */

typedef struct schema_priv {
    char *format, *name, *metadata;
    struct ArrowSchema **kids;       /* pointers into kid_structs */
    struct ArrowSchema *kid_structs;
    struct ArrowSchema *dict;
} schema_priv;

static void release_schema(struct ArrowSchema *s)
{
    schema_priv *p = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->release)
            s->children[i]->release(s->children[i]);
    if (p->dict && p->dict->release)
        p->dict->release(p->dict);
    tn_free(p->format);
    tn_free(p->name);
    tn_free(p->metadata);
    tn_free(p->kids);
    tn_free(p->kid_structs);
    tn_free(p->dict);
    tn_free(p);
    s->release = NULL;
}

static char unit_char(tn_time_unit u)
{
    return "smun"[u & 3];
}

static char *format_of(const tn_type *t)
{
    static const char *plain[TN_TYPE_COUNT] = {
        [TN_NA] = "n", [TN_BOOL] = "b", [TN_INT8] = "c", [TN_UINT8] = "C", [TN_INT16] = "s",
        [TN_UINT16] = "S", [TN_INT32] = "i", [TN_UINT32] = "I", [TN_INT64] = "l", [TN_UINT64] = "L",
        [TN_FLOAT16] = "e", [TN_FLOAT32] = "f", [TN_FLOAT64] = "g", [TN_STRING] = "u",
        [TN_LARGE_STRING] = "U", [TN_STRING_VIEW] = "vu", [TN_BINARY] = "z", [TN_LARGE_BINARY] = "Z",
        [TN_BINARY_VIEW] = "vz", [TN_DATE32] = "tdD", [TN_DATE64] = "tdm", [TN_INTERVAL_MONTHS] = "tiM",
        [TN_INTERVAL_DAY_TIME] = "tiD", [TN_INTERVAL_MONTH_DAY_NANO] = "tin", [TN_LIST] = "+l",
        [TN_LARGE_LIST] = "+L", [TN_STRUCT] = "+s", [TN_MAP] = "+m",
    };
    switch (t->id) {
    case TN_DECIMAL128: return tn_sprintf("d:%d,%d", t->precision, t->scale);
    case TN_DECIMAL256: return tn_sprintf("d:%d,%d,256", t->precision, t->scale);
    case TN_FIXED_BINARY: return tn_sprintf("w:%d", t->byte_width);
    case TN_TIME32:
    case TN_TIME64: return tn_sprintf("tt%c", unit_char(t->unit));
    case TN_TIMESTAMP: return tn_sprintf("ts%c:%s", unit_char(t->unit), t->tz ? t->tz : "");
    case TN_DURATION: return tn_sprintf("tD%c", unit_char(t->unit));
    case TN_FIXED_LIST: return tn_sprintf("+w:%d", t->list_size);
    default: return (unsigned)t->id < TN_TYPE_COUNT && plain[t->id] ? tn_strdup(plain[t->id]) : NULL;
    }
}

static int export_node_schema(const tn_type *t, const char *name, bool nullable, const tn_kv *md,
                              struct ArrowSchema *out, tarn_error *err);

static int fill_schema(schema_priv *p, const tn_type *t, const char *name, bool nullable, const tn_kv *md,
                       struct ArrowSchema *out, tarn_error *err)
{
    out->name = p->name = tn_strdup(name ? name : "");
    TN_TRY_ALLOC(p->name, err, strlen(name ? name : "") + 1);
    if (md) {
        TN_TRY(encode_metadata(md, &p->metadata, err));
        out->metadata = p->metadata;
    }
    out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
    const tn_type *layout = t;
    if (t->id == TN_DICTIONARY) {
        layout = t->index_type;
        if (t->ordered)
            out->flags |= ARROW_FLAG_DICTIONARY_ORDERED;
        p->dict = tn_calloc(1, sizeof *p->dict);
        TN_TRY_ALLOC(p->dict, err, sizeof *p->dict);
        TN_TRY(export_node_schema(t->value_type, "", true, NULL, p->dict, err));
        out->dictionary = p->dict;
    }
    if (t->id == TN_MAP && t->keys_sorted)
        out->flags |= ARROW_FLAG_MAP_KEYS_SORTED;
    out->format = p->format = format_of(layout);
    TN_TRY_ALLOC(p->format, err, 16);
    int32_t n = t->id == TN_DICTIONARY ? 0 : t->n_children;
    if (n == 0)
        return TARN_OK;
    p->kid_structs = tn_calloc((size_t)n, sizeof *p->kid_structs);
    p->kids = tn_calloc((size_t)n, sizeof *p->kids);
    TN_TRY_ALLOC(p->kid_structs && p->kids ? p->kids : NULL, err, (size_t)n * sizeof *p->kid_structs);
    for (int32_t i = 0; i < n; i++)
        p->kids[i] = &p->kid_structs[i];
    out->children = p->kids;
    out->n_children = n;
    for (int32_t i = 0; i < n; i++) {
        const tn_field *f = &t->children[i];
        TN_TRY(export_node_schema(f->type, f->name, f->nullable, &f->metadata, p->kids[i], err));
    }
    return TARN_OK;
}

/* Fill *out; on failure *out is released (release == NULL). */
static int export_node_schema(const tn_type *t, const char *name, bool nullable, const tn_kv *md,
                              struct ArrowSchema *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    schema_priv *p = tn_calloc(1, sizeof *p);
    TN_TRY_ALLOC(p, err, sizeof *p);
    out->private_data = p;
    out->release = release_schema;
    int rc = fill_schema(p, t, name, nullable, md, out, err);
    if (rc)
        release_schema(out);
    return rc;
}

int tn_export_type(const tn_field *field, struct ArrowSchema *out, tarn_error *err)
{
    return export_node_schema(field->type, field->name, field->nullable, &field->metadata, out, err);
}

/* A struct type whose fields are copies of the schema's (metadata included). */
static tn_type *schema_struct_type(const tn_schema *s, tarn_error *err)
{
    tn_field **fields = tn_calloc(s->n_fields ? (size_t)s->n_fields : 1, sizeof *fields);
    if (!fields) {
        tn_error_oom(err, sizeof *fields * (size_t)s->n_fields);
        return NULL;
    }
    bool ok = true;
    for (int32_t i = 0; i < s->n_fields && ok; i++) {
        fields[i] = tn_malloc(sizeof(tn_field));
        ok = fields[i] && tn_field_copy(fields[i], &s->fields[i], NULL) == TARN_OK;
        if (!ok) {
            tn_free(fields[i]);
            fields[i] = NULL;
        }
    }
    tn_type *t = ok ? tn_type_struct(s->n_fields, fields) : NULL;
    if (!ok)
        for (int32_t i = 0; i < s->n_fields; i++)
            tn_field_free(fields[i]);
    tn_free(fields);
    if (!t)
        tn_error_oom(err, sizeof(tn_type));
    return t;
}

int tn_export_schema(const tn_schema *schema, struct ArrowSchema *out, tarn_error *err)
{
    tn_type *t = schema_struct_type(schema, err);
    if (!t)
        return err ? err->code : TARN_ENOMEM;
    int rc = export_node_schema(t, "", false, &schema->metadata, out, err);
    tn_type_unref(t);
    return rc;
}

/* --- schema import ------------------------------------------------------- */

typedef struct schema_ctx {
    path p;
    int depth;
} schema_ctx;

static int import_field_rec(schema_ctx *c, const struct ArrowSchema *in, tn_field *out, tarn_error *err);

static bool parse_i32(const char **s, int32_t *out)
{
    const char *q = *s;
    bool neg = *q == '-';
    if (neg)
        q++;
    if (*q < '0' || *q > '9')
        return false;
    int64_t v = 0;
    while (*q >= '0' && *q <= '9') {
        v = v * 10 + (*q++ - '0');
        if (v > INT32_MAX)
            return false;
    }
    *out = (int32_t)(neg ? -v : v);
    *s = q;
    return true;
}

static int bad_format(schema_ctx *c, const char *f, tarn_error *err)
{
    return fail(err, TARN_EINVAL, &c->p, "malformed or unknown format '%.64s'", f);
}

static int unsupported(schema_ctx *c, const char *f, const char *what, tarn_error *err)
{
    return fail(err, TARN_EUNSUPPORTED, &c->p, "format '%.64s' (%s) is not supported", f, what);
}

static int want_children(schema_ctx *c, const struct ArrowSchema *in, int64_t n, tarn_error *err)
{
    if (in->n_children != n)
        return fail(err, TARN_EINVAL, &c->p, "format '%.64s' needs %lld children, the schema has %lld", in->format,
                    (long long)n, (long long)in->n_children);
    return TARN_OK;
}

static tn_type *alloc_fail(tn_type *t, int *rc, tarn_error *err)
{
    if (!t)
        *rc = tn_error_oom(err, sizeof(tn_type));
    return t;
}

/* Import child i of in into a heap field (for the type constructors). */
static int import_child(schema_ctx *c, const struct ArrowSchema *in, int64_t i, tn_field **out, tarn_error *err)
{
    const struct ArrowSchema *kid = in->children[i];
    size_t mark = path_push(&c->p, kid && kid->name ? kid->name : NULL, i);
    tn_field *f = tn_calloc(1, sizeof *f);
    int rc = f ? import_field_rec(c, kid, f, err) : tn_error_oom(err, sizeof *f);
    if (rc) {
        tn_free(f);
        f = NULL;
    }
    path_pop(&c->p, mark);
    *out = f;
    return rc;
}

static int import_nested(schema_ctx *c, const struct ArrowSchema *in, tn_type **out, tarn_error *err)
{
    const char *f = in->format;
    int rc = TARN_OK;
    int32_t size = 0;
    tn_field *item = NULL;
    if ((f[1] == 'l' || f[1] == 'L' || f[1] == 'm') && f[2] == '\0') {
        TN_TRY(want_children(c, in, 1, err));
        TN_TRY(import_child(c, in, 0, &item, err));
        if (f[1] != 'm') {
            *out = alloc_fail(tn_type_list(f[1] == 'l' ? TN_LIST : TN_LARGE_LIST, item), &rc, err);
            return rc;
        }
        if (item->type->id != TN_STRUCT || item->type->n_children != 2) {
            tn_field_free(item);
            return fail(err, TARN_EINVAL, &c->p, "map entries must be a struct of a key and a value");
        }
        tn_type *t = alloc_fail(tn_type_list(TN_LIST, item), &rc, err);
        if (t) {
            t->id = TN_MAP;
            t->keys_sorted = (in->flags & ARROW_FLAG_MAP_KEYS_SORTED) != 0;
        }
        *out = t;
        return rc;
    }
    if (f[1] == 'w' && f[2] == ':') {
        const char *q = f + 3;
        if (!parse_i32(&q, &size) || *q || size < 0)
            return bad_format(c, f, err);
        TN_TRY(want_children(c, in, 1, err));
        TN_TRY(import_child(c, in, 0, &item, err));
        *out = alloc_fail(tn_type_fixed_list(item, size), &rc, err);
        return rc;
    }
    if (f[1] == 's' && f[2] == '\0') {
        if (in->n_children > INT32_MAX)
            return fail(err, TARN_EINVAL, &c->p, "struct has %lld children", (long long)in->n_children);
        int32_t n = (int32_t)in->n_children;
        tn_field **kids = tn_calloc(n ? (size_t)n : 1, sizeof *kids);
        TN_TRY_ALLOC(kids, err, (size_t)n * sizeof *kids);
        for (int32_t i = 0; i < n && !rc; i++)
            rc = import_child(c, in, i, &kids[i], err);
        if (rc) {
            for (int32_t i = 0; i < n; i++)
                tn_field_free(kids[i]);
        } else {
            *out = alloc_fail(tn_type_struct(n, kids), &rc, err);
        }
        tn_free(kids);
        return rc;
    }
    if (f[1] == 'u')
        return unsupported(c, f, "union", err);
    if (f[1] == 'r' && f[2] == '\0')
        return unsupported(c, f, "run-end encoded", err);
    if (f[1] == 'v' && (f[2] == 'l' || f[2] == 'L') && f[3] == '\0')
        return unsupported(c, f, "list view", err);
    return bad_format(c, f, err);
}

static int time_unit(char ch, tn_time_unit *u)
{
    switch (ch) {
    case 's': *u = TN_SECOND; return 1;
    case 'm': *u = TN_MILLI; return 1;
    case 'u': *u = TN_MICRO; return 1;
    case 'n': *u = TN_NANO; return 1;
    default: return 0;
    }
}

static int import_temporal(schema_ctx *c, const char *f, tn_type **out, tarn_error *err)
{
    int rc = TARN_OK;
    tn_time_unit u;
    bool end3 = f[2] && f[3] == '\0';
    switch (f[1]) {
    case 'd':
        if (end3 && (f[2] == 'D' || f[2] == 'm')) {
            *out = tn_type_get(f[2] == 'D' ? TN_DATE32 : TN_DATE64);
            return TARN_OK;
        }
        break;
    case 't':
        if (end3 && time_unit(f[2], &u)) {
            *out = alloc_fail(tn_type_time(u <= TN_MILLI ? TN_TIME32 : TN_TIME64, u), &rc, err);
            return rc;
        }
        break;
    case 's':
        if (f[2] && time_unit(f[2], &u) && f[3] == ':') {
            *out = alloc_fail(tn_type_timestamp(u, f + 4), &rc, err);
            return rc;
        }
        break;
    case 'D':
        if (end3 && time_unit(f[2], &u)) {
            *out = alloc_fail(tn_type_duration(u), &rc, err);
            return rc;
        }
        break;
    case 'i':
        if (end3 && (f[2] == 'M' || f[2] == 'D' || f[2] == 'n')) {
            *out = tn_type_get(f[2] == 'M' ? TN_INTERVAL_MONTHS
                               : f[2] == 'D' ? TN_INTERVAL_DAY_TIME : TN_INTERVAL_MONTH_DAY_NANO);
            return TARN_OK;
        }
        break;
    default:
        break;
    }
    return bad_format(c, f, err);
}

static int import_decimal(schema_ctx *c, const char *f, tn_type **out, tarn_error *err)
{
    const char *q = f + 2;
    int32_t prec, scale, bits = 128;
    if (!parse_i32(&q, &prec) || *q++ != ',' || !parse_i32(&q, &scale))
        return bad_format(c, f, err);
    if (*q == ',') {
        q++;
        if (!parse_i32(&q, &bits))
            return bad_format(c, f, err);
    }
    if (*q)
        return bad_format(c, f, err);
    if (bits == 32 || bits == 64)
        return unsupported(c, f, "decimal32/decimal64", err);
    if (bits != 128 && bits != 256)
        return bad_format(c, f, err);
    tn_type *t = tn_type_decimal(bits, prec, scale);
    if (!t) {
        if (prec < 1 || prec > (bits == 128 ? 38 : 76) || scale > prec)
            return fail(err, TARN_EINVAL, &c->p, "invalid decimal precision/scale in '%.64s'", f);
        return tn_error_oom(err, sizeof(tn_type));
    }
    *out = t;
    return TARN_OK;
}

/* The type of `in` ignoring its dictionary (for dictionaries: the index type). */
static int import_layout(schema_ctx *c, const struct ArrowSchema *in, tn_type **out, tarn_error *err)
{
    static const struct { char ch; tn_type_id id; } plain[] = {
        {'n', TN_NA}, {'b', TN_BOOL}, {'c', TN_INT8}, {'C', TN_UINT8}, {'s', TN_INT16}, {'S', TN_UINT16},
        {'i', TN_INT32}, {'I', TN_UINT32}, {'l', TN_INT64}, {'L', TN_UINT64}, {'e', TN_FLOAT16},
        {'f', TN_FLOAT32}, {'g', TN_FLOAT64}, {'u', TN_STRING}, {'U', TN_LARGE_STRING}, {'z', TN_BINARY},
        {'Z', TN_LARGE_BINARY},
    };
    const char *f = in->format;
    if (f[0] == '+')
        return import_nested(c, in, out, err);
    TN_TRY(want_children(c, in, 0, err));
    if (f[0] && f[1] == '\0') {
        for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
            if (plain[i].ch == f[0]) {
                *out = tn_type_get(plain[i].id);
                return TARN_OK;
            }
        }
        return bad_format(c, f, err);
    }
    int rc = TARN_OK;
    int32_t w;
    const char *q = f + 2;
    switch (f[0]) {
    case 'v':
        if ((f[1] == 'u' || f[1] == 'z') && f[2] == '\0') {
            *out = tn_type_get(f[1] == 'u' ? TN_STRING_VIEW : TN_BINARY_VIEW);
            return TARN_OK;
        }
        break;
    case 'd':
        if (f[1] == ':')
            return import_decimal(c, f, out, err);
        break;
    case 'w':
        if (f[1] == ':' && parse_i32(&q, &w) && !*q && w >= 0) {
            *out = alloc_fail(tn_type_fixed_binary(w), &rc, err);
            return rc;
        }
        break;
    case 't':
        return import_temporal(c, f, out, err);
    default:
        break;
    }
    return bad_format(c, f, err);
}

static int check_schema_node(schema_ctx *c, const struct ArrowSchema *in, tarn_error *err)
{
    if (!in)
        return fail(err, TARN_EINVAL, &c->p, "NULL schema");
    if (!in->release)
        return fail(err, TARN_EINVAL, &c->p, "schema is already released (release is NULL)");
    if (!in->format)
        return fail(err, TARN_EINVAL, &c->p, "NULL format");
    if (in->n_children < 0)
        return fail(err, TARN_EINVAL, &c->p, "negative child count %lld", (long long)in->n_children);
    if (in->n_children > 0 && !in->children)
        return fail(err, TARN_EINVAL, &c->p, "%lld children but a NULL children array",
                    (long long)in->n_children);
    for (int64_t i = 0; i < in->n_children; i++)
        if (!in->children[i])
            return fail(err, TARN_EINVAL, &c->p, "child %lld is NULL", (long long)i);
    if (c->depth > MAX_DEPTH)
        return fail(err, TARN_EINVAL, &c->p, "types nested more than %d deep", MAX_DEPTH);
    return TARN_OK;
}

static int import_type_rec(schema_ctx *c, const struct ArrowSchema *in, tn_type **out, tarn_error *err)
{
    TN_TRY(check_schema_node(c, in, err));
    c->depth++;
    tn_type *layout = NULL;
    int rc = import_layout(c, in, &layout, err);
    if (!rc && in->dictionary) {
        tn_type *values = NULL;
        if (!tn_type_is_int(layout->id)) {
            rc = fail(err, TARN_EINVAL, &c->p, "dictionary index type '%.64s' is not an integer", in->format);
        } else {
            size_t mark = path_push(&c->p, "[dictionary]", 0);
            rc = import_type_rec(c, in->dictionary, &values, err);
            path_pop(&c->p, mark);
        }
        if (rc) {
            tn_type_unref(layout);
        } else {
            layout = tn_type_dictionary(layout, values, (in->flags & ARROW_FLAG_DICTIONARY_ORDERED) != 0);
            if (!layout)
                rc = tn_error_oom(err, sizeof(tn_type));
        }
    }
    c->depth--;
    *out = rc ? NULL : layout;
    return rc;
}

static int import_field_rec(schema_ctx *c, const struct ArrowSchema *in, tn_field *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    tn_type *t;
    TN_TRY(import_type_rec(c, in, &t, err));
    TN_TRY(tn_field_init(out, in->name, t, (in->flags & ARROW_FLAG_NULLABLE) != 0, err));
    int rc = decode_metadata(in->metadata, &out->metadata, &c->p, err);
    if (rc)
        tn_field_reset(out);
    return rc;
}

int tn_import_field(const struct ArrowSchema *in, tn_field *out, tarn_error *err)
{
    schema_ctx c = {.p = {.n = 0}};
    if (in && in->name && *in->name)
        path_push(&c.p, in->name, 0);
    return import_field_rec(&c, in, out, err);
}

int tn_import_schema(const struct ArrowSchema *in, tn_schema **out, tarn_error *err)
{
    tn_field root;
    TN_TRY(tn_import_field(in, &root, err));
    if (root.type->id != TN_STRUCT) {
        tn_field_reset(&root);
        return tn_error_set(err, TARN_EINVAL, "C data interface schema: the root must be a struct ('+s'), not '%.64s'",
                            in->format);
    }
    const tn_type *t = root.type;
    tn_schema *s = tn_schema_new(t->n_children);
    int rc = s ? TARN_OK : tn_error_oom(err, sizeof *s);
    for (int32_t i = 0; i < t->n_children && !rc; i++)
        rc = tn_field_copy(&s->fields[i], &t->children[i], err);
    if (!rc) {
        s->metadata = root.metadata; /* moved */
        memset(&root.metadata, 0, sizeof root.metadata);
        *out = s;
    } else {
        tn_schema_unref(s);
    }
    tn_field_reset(&root);
    return rc;
}

/* --- array export -------------------------------------------------------- */

typedef struct array_priv {
    tn_array *array; /* the exported array, or NULL for a batch */
    tn_batch *batch;
    const void **bufs;
    struct ArrowArray **kids; /* pointers into kid_structs */
    struct ArrowArray *kid_structs;
    struct ArrowArray *dict;
    int64_t *sizes; /* views: the variadic buffer sizes, exported as the last buffer */
} array_priv;

static void release_array(struct ArrowArray *a)
{
    array_priv *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++)
        if (a->children[i]->release)
            a->children[i]->release(a->children[i]);
    if (p->dict && p->dict->release)
        p->dict->release(p->dict);
    tn_array_unref(p->array);
    tn_batch_unref(p->batch);
    tn_free(p->bufs);
    tn_free(p->kids);
    tn_free(p->kid_structs);
    tn_free(p->dict);
    tn_free(p->sizes);
    tn_free(p);
    a->release = NULL;
}

static int export_node_array(tn_array *a, struct ArrowArray *out, tarn_error *err);

/* Allocate the child slots of out and export children[i] into them. */
static int export_children(array_priv *p, tn_array **children, int32_t n, struct ArrowArray *out,
                           tarn_error *err)
{
    if (n == 0)
        return TARN_OK;
    p->kid_structs = tn_calloc((size_t)n, sizeof *p->kid_structs);
    p->kids = tn_calloc((size_t)n, sizeof *p->kids);
    TN_TRY_ALLOC(p->kid_structs && p->kids ? p->kids : NULL, err, (size_t)n * sizeof *p->kid_structs);
    for (int32_t i = 0; i < n; i++)
        p->kids[i] = &p->kid_structs[i];
    out->children = p->kids;
    out->n_children = n;
    for (int32_t i = 0; i < n; i++) {
        if (!children[i])
            return tn_error_set(err, TARN_EINVAL, "C data interface export: child or column %d is missing", i);
        TN_TRY(export_node_array(children[i], p->kids[i], err));
    }
    return TARN_OK;
}

static int fill_array(array_priv *p, tn_array *a, struct ArrowArray *out, tarn_error *err)
{
    bool view = tn_type_is_view(a->type->id);
    int32_t n_data = view ? a->n_buffers - 2 : 0;
    int64_t nb = a->n_buffers + (view ? 1 : 0);
    out->length = a->length;
    out->offset = a->offset;
    out->null_count = a->type->id == TN_NA ? a->length : a->null_count;
    p->bufs = tn_calloc(nb ? (size_t)nb : 1, sizeof *p->bufs);
    TN_TRY_ALLOC(p->bufs, err, (size_t)nb * sizeof *p->bufs);
    for (int32_t i = 0; i < a->n_buffers; i++) {
        /* a missing data buffer is a zero-sized one; give old consumers a non-NULL pointer */
        const tn_buffer *b = a->buffers[i];
        p->bufs[i] = b ? b->data : i == 0 ? NULL : (const void *)zero_block;
    }
    if (view) {
        p->sizes = tn_calloc(n_data ? (size_t)n_data : 1, sizeof *p->sizes);
        TN_TRY_ALLOC(p->sizes, err, (size_t)n_data * sizeof *p->sizes);
        for (int32_t i = 0; i < n_data; i++)
            p->sizes[i] = a->buffers[2 + i] ? a->buffers[2 + i]->size : 0;
        p->bufs[nb - 1] = p->sizes;
    }
    out->buffers = p->bufs;
    out->n_buffers = nb;
    TN_TRY(export_children(p, a->children, a->n_children, out, err));
    if (a->dictionary) {
        p->dict = tn_calloc(1, sizeof *p->dict);
        TN_TRY_ALLOC(p->dict, err, sizeof *p->dict);
        TN_TRY(export_node_array(a->dictionary, p->dict, err));
        out->dictionary = p->dict;
    }
    return TARN_OK;
}

/* Fill *out; on failure *out is released (release == NULL). */
static int export_node_array(tn_array *a, struct ArrowArray *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    array_priv *p = tn_calloc(1, sizeof *p);
    TN_TRY_ALLOC(p, err, sizeof *p);
    p->array = tn_array_ref(a);
    out->private_data = p;
    out->release = release_array;
    int rc = fill_array(p, a, out, err);
    if (rc)
        release_array(out);
    return rc;
}

int tn_export_array(tn_array *a, struct ArrowArray *out, tarn_error *err)
{
    return export_node_array(a, out, err);
}

int tn_export_batch(tn_batch *b, struct ArrowArray *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    array_priv *p = tn_calloc(1, sizeof *p);
    TN_TRY_ALLOC(p, err, sizeof *p);
    p->batch = tn_batch_ref(b);
    out->private_data = p;
    out->release = release_array;
    out->length = b->length;
    out->null_count = 0;
    int rc = TARN_OK;
    p->bufs = tn_calloc(1, sizeof *p->bufs); /* the struct's validity: none */
    if (!p->bufs)
        rc = tn_error_oom(err, sizeof *p->bufs);
    out->buffers = p->bufs;
    out->n_buffers = 1;
    if (!rc)
        rc = export_children(p, b->columns, b->schema->n_fields, out, err);
    if (rc)
        release_array(out);
    return rc;
}

/* --- array import -------------------------------------------------------- */

/* The shared owner of an imported foreign struct. */
typedef struct owner {
    _Atomic int64_t refs;
    bool armed;              /* the foreign struct has been moved in and must be released */
    struct ArrowArray array; /* the moved foreign root */
} owner;

static void owner_unref(void *o)
{
    owner *w = o;
    if (atomic_fetch_sub_explicit(&w->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (w->armed && w->array.release)
        w->array.release(&w->array);
    tn_free(w);
}

typedef struct import_ctx {
    owner *own;
    tarn_validate_level level;
    path p;
    int depth;
} import_ctx;

static int import_begin(import_ctx *c, tarn_validate_level level, tarn_error *err)
{
    memset(c, 0, sizeof *c);
    c->own = tn_calloc(1, sizeof *c->own);
    TN_TRY_ALLOC(c->own, err, sizeof *c->own);
    c->own->refs = 1;
    c->level = level;
    return TARN_OK;
}

/* Finish an import: with `in`, move it into the owner (from now on its
 * release runs when the last imported buffer goes); with NULL, leave the
 * caller's struct alone. */
static void import_end(import_ctx *c, struct ArrowArray *in)
{
    if (in) {
        c->own->array = *in;
        c->own->armed = true;
        in->release = NULL;
    }
    owner_unref(c->own);
}

static const char *buffer_role(const tn_type *t, int64_t i)
{
    if (i == 0)
        return "validity";
    switch (t->id) {
    case TN_STRING: case TN_LARGE_STRING: case TN_BINARY: case TN_LARGE_BINARY:
        return i == 1 ? "offsets" : "data";
    case TN_STRING_VIEW: case TN_BINARY_VIEW:
        return i == 1 ? "views" : "variadic data";
    case TN_LIST: case TN_LARGE_LIST: case TN_MAP:
        return "offsets";
    case TN_DICTIONARY:
        return "indices";
    default:
        return "values";
    }
}

/* Buffer i of the foreign array, `size` bytes, as a tn_buffer in slot. */
static int wrap(import_ctx *c, const struct ArrowArray *in, const tn_type *t, int64_t i, int64_t size,
                tn_buffer **slot, tarn_error *err)
{
    const void *ptr = in->buffers[i];
    if (!ptr) {
        if (size > 0)
            return fail(err, TARN_EINVAL, &c->p, "buffer %lld (%s) is NULL but %lld bytes are needed", (long long)i,
                        buffer_role(t, i), (long long)size);
        *slot = tn_buffer_wrap(zero_block, 0, NULL, NULL);
        TN_TRY_ALLOC(*slot, err, sizeof(tn_buffer));
        return TARN_OK;
    }
    atomic_fetch_add_explicit(&c->own->refs, 1, memory_order_relaxed);
    *slot = tn_buffer_wrap(ptr, size, owner_unref, c->own);
    if (!*slot) {
        owner_unref(c->own); /* never the last: the import holds a reference */
        return tn_error_oom(err, sizeof(tn_buffer));
    }
    return TARN_OK;
}

/* Offsets of a utf8/binary/list layout; *last gets the offset at `end`. */
static int wrap_offsets(import_ctx *c, const struct ArrowArray *in, tn_array *a, int64_t w, int64_t *last,
                        tarn_error *err)
{
    int64_t end = a->offset + a->length;
    if (!in->buffers[1] && a->length == 0) {
        /* an empty array may come without offsets: supply its single zero */
        a->buffers[1] = tn_buffer_wrap(zero_block, w, NULL, NULL);
        TN_TRY_ALLOC(a->buffers[1], err, sizeof(tn_buffer));
    } else {
        TN_TRY(wrap(c, in, a->type, 1, (end + 1) * w, &a->buffers[1], err));
    }
    const uint8_t *o = a->buffers[1]->data;
    *last = w == 4 ? ((const int32_t *)o)[end] : ((const int64_t *)o)[end];
    return TARN_OK;
}

static int check_array_node(import_ctx *c, const struct ArrowArray *in, const tn_type *t, tarn_error *err)
{
    if (!in)
        return fail(err, TARN_EINVAL, &c->p, "NULL array");
    if (!in->release)
        return fail(err, TARN_EINVAL, &c->p, "array is already released (release is NULL)");
    if (c->depth > MAX_DEPTH)
        return fail(err, TARN_EINVAL, &c->p, "arrays nested more than %d deep", MAX_DEPTH);
    if (in->length < 0 || in->offset < 0 || in->offset > MAX_ELEMENTS - in->length)
        return fail(err, TARN_EINVAL, &c->p, "invalid length %lld at offset %lld", (long long)in->length,
                    (long long)in->offset);
    if (in->null_count < -1 || in->null_count > in->length)
        return fail(err, TARN_EINVAL, &c->p, "invalid null_count %lld for length %lld", (long long)in->null_count,
                    (long long)in->length);
    int64_t want = tn_type_n_buffers(t);
    if (tn_type_is_view(t->id) ? in->n_buffers < 3 || in->n_buffers > INT32_MAX : in->n_buffers != want)
        return fail(err, TARN_EINVAL, &c->p, "%s array has %lld buffers, expected %s%lld", tn_type_id_name(t->id),
                    (long long)in->n_buffers, tn_type_is_view(t->id) ? "at least " : "",
                    (long long)(tn_type_is_view(t->id) ? 3 : want));
    if (in->n_buffers > 0 && !in->buffers)
        return fail(err, TARN_EINVAL, &c->p, "%lld buffers but a NULL buffers array", (long long)in->n_buffers);
    int64_t kids = t->id == TN_DICTIONARY ? 0 : t->n_children;
    if (in->n_children != kids)
        return fail(err, TARN_EINVAL, &c->p, "%s array has %lld children, expected %lld", tn_type_id_name(t->id),
                    (long long)in->n_children, (long long)kids);
    if (kids > 0 && !in->children)
        return fail(err, TARN_EINVAL, &c->p, "%lld children but a NULL children array", (long long)kids);
    for (int64_t i = 0; i < kids; i++)
        if (!in->children[i])
            return fail(err, TARN_EINVAL, &c->p, "child %lld is NULL", (long long)i);
    if (t->id == TN_DICTIONARY && !in->dictionary)
        return fail(err, TARN_EINVAL, &c->p, "dictionary-encoded array without a dictionary");
    if (t->id != TN_DICTIONARY && in->dictionary)
        return fail(err, TARN_EINVAL, &c->p, "%s array carries a dictionary", tn_type_id_name(t->id));
    if (t->id != TN_NA && in->n_buffers > 0 && !in->buffers[0] && in->null_count > 0)
        return fail(err, TARN_EINVAL, &c->p, "null_count %lld without a validity buffer", (long long)in->null_count);
    return TARN_OK;
}

static int import_node(import_ctx *c, const struct ArrowArray *in, const tn_type *t, tn_array **out,
                       tarn_error *err);

static int import_views(import_ctx *c, const struct ArrowArray *in, tn_array *a, tarn_error *err)
{
    int64_t end = a->offset + a->length;
    TN_TRY(wrap(c, in, a->type, 1, end * 16, &a->buffers[1], err));
    int64_t n_data = in->n_buffers - 3;
    const int64_t *sizes = in->buffers[in->n_buffers - 1];
    if (n_data > 0 && !sizes)
        return fail(err, TARN_EINVAL, &c->p, "%lld variadic buffers but no buffer of their sizes", (long long)n_data);
    for (int64_t i = 0; i < n_data; i++) {
        if (sizes[i] < 0)
            return fail(err, TARN_EINVAL, &c->p, "variadic buffer %lld has size %lld", (long long)i,
                        (long long)sizes[i]);
        TN_TRY(wrap(c, in, a->type, 2 + i, sizes[i], &a->buffers[2 + i], err));
    }
    return TARN_OK;
}

static int import_kids(import_ctx *c, const struct ArrowArray *in, tn_array *a, tarn_error *err)
{
    const tn_type *t = a->type;
    for (int32_t i = 0; i < a->n_children; i++) {
        size_t mark = path_push(&c->p, t->children[i].name, i);
        int rc = import_node(c, in->children[i], t->children[i].type, &a->children[i], err);
        path_pop(&c->p, mark);
        TN_TRY(rc);
    }
    if (t->id == TN_DICTIONARY) {
        size_t mark = path_push(&c->p, "[dictionary]", 0);
        int rc = import_node(c, in->dictionary, t->value_type, &a->dictionary, err);
        path_pop(&c->p, mark);
        TN_TRY(rc);
    }
    return TARN_OK;
}

static int import_buffers(import_ctx *c, const struct ArrowArray *in, tn_array *a, tarn_error *err)
{
    const tn_type *t = a->type;
    int64_t end = a->offset + a->length, last;
    if (t->id == TN_NA)
        return TARN_OK;
    if (in->buffers[0])
        TN_TRY(wrap(c, in, t, 0, tn_bitmap_bytes(end), &a->buffers[0], err));
    switch (t->id) {
    case TN_BOOL:
        return wrap(c, in, t, 1, tn_bitmap_bytes(end), &a->buffers[1], err);
    case TN_STRING: case TN_BINARY: case TN_LARGE_STRING: case TN_LARGE_BINARY: {
        int64_t w = t->id == TN_STRING || t->id == TN_BINARY ? 4 : 8;
        TN_TRY(wrap_offsets(c, in, a, w, &last, err));
        /* a negative last offset makes a zero size; validation reports it */
        return wrap(c, in, t, 2, last > 0 ? last : 0, &a->buffers[2], err);
    }
    case TN_STRING_VIEW: case TN_BINARY_VIEW:
        return import_views(c, in, a, err);
    case TN_LIST: case TN_MAP:
        return wrap_offsets(c, in, a, 4, &last, err);
    case TN_LARGE_LIST:
        return wrap_offsets(c, in, a, 8, &last, err);
    case TN_FIXED_LIST: case TN_STRUCT:
        return TARN_OK;
    case TN_DICTIONARY:
        return wrap(c, in, t, 1, end * t->index_type->byte_width, &a->buffers[1], err);
    default: {
        int64_t w = t->byte_width;
        if (w > 0 && end > INT64_MAX / w)
            return fail(err, TARN_EINVAL, &c->p, "%lld values of %lld bytes do not fit in memory", (long long)end,
                        (long long)w);
        return wrap(c, in, t, 1, end * w, &a->buffers[1], err);
    }
    }
}

static int import_node(import_ctx *c, const struct ArrowArray *in, const tn_type *t, tn_array **out,
                       tarn_error *err)
{
    *out = NULL;
    TN_TRY(check_array_node(c, in, t, err));
    int32_t nb = (int32_t)(tn_type_is_view(t->id) ? in->n_buffers - 1 : in->n_buffers);
    int32_t nc = (int32_t)in->n_children;
    tn_array *a = tn_array_new((tn_type *)t, in->length, nb, nc);
    TN_TRY_ALLOC(a, err, sizeof *a);
    a->offset = in->offset;
    /* an empty array may leave zero-sized buffers NULL, whatever its offset:
     * address it at 0 so that nothing past the start is needed */
    for (int64_t i = 1; i < in->n_buffers && in->length == 0; i++)
        if (!in->buffers[i])
            a->offset = 0;
    if (t->id == TN_NA)
        a->null_count = in->length;
    else if (!in->buffers[0])
        a->null_count = 0;
    else
        a->null_count = in->null_count;
    c->depth++;
    int rc = import_buffers(c, in, a, err);
    if (!rc)
        rc = import_kids(c, in, a, err);
    c->depth--;
    if (rc) {
        tn_array_unref(a);
        return rc;
    }
    *out = a;
    return TARN_OK;
}

/* After a failed validation of the tree, find the deepest array that fails
 * by itself and report its path with its own message. */
static int locate_invalid(const tn_array *a, tarn_validate_level level, path *p, tarn_error *err)
{
    for (int32_t i = 0; i < a->n_children; i++) {
        size_t mark = path_push(p, a->type->children[i].name, i);
        int rc = locate_invalid(a->children[i], level, p, err);
        if (rc)
            return rc;
        path_pop(p, mark);
    }
    if (a->dictionary) {
        size_t mark = path_push(p, "[dictionary]", 0);
        int rc = locate_invalid(a->dictionary, level, p, err);
        if (rc)
            return rc;
        path_pop(p, mark);
    }
    tarn_error e;
    tarn_error_init(&e);
    int rc = tn_array_validate(a, level, &e);
    if (rc)
        tn_error_set(err, rc, "C data interface field '%s': %s", path_str(p), e.message);
    return rc;
}

static int validate_tree(import_ctx *c, const tn_array *a, tarn_error *err)
{
    int rc = tn_array_validate(a, c->level, err);
    if (rc && !locate_invalid(a, c->level, &c->p, err))
        tn_error_prefix(err, "C data interface field '%s': ", path_str(&c->p));
    return rc;
}

/* Import and validate `in` as `t` without touching the caller's struct. */
static int import_root(import_ctx *c, const struct ArrowArray *in, const tn_type *t, tn_array **out,
                       tarn_error *err)
{
    TN_TRY(import_node(c, in, t, out, err));
    int rc = validate_tree(c, *out, err);
    if (rc) {
        tn_array_unref(*out);
        *out = NULL;
    }
    return rc;
}

int tn_import_array(struct ArrowArray *in, tn_type *type, tarn_validate_level level, tn_array **out,
                    tarn_error *err)
{
    import_ctx c;
    TN_TRY(import_begin(&c, level, err));
    int rc = import_root(&c, in, type, out, err);
    import_end(&c, rc ? NULL : in);
    return rc;
}

/* A batch from a struct array of type row_type (the schema's fields); the
 * struct's offset is applied to the columns, top-level nulls are refused. */
static int import_batch_typed(struct ArrowArray *in, tn_schema *schema, const tn_type *row_type,
                              tarn_validate_level level, tn_batch **out, tarn_error *err)
{
    import_ctx c;
    TN_TRY(import_begin(&c, level, err));
    tn_array *a = NULL;
    tn_batch *b = NULL;
    int rc = import_root(&c, in, row_type, &a, err);
    if (!rc && tn_array_null_count(a) > 0)
        rc = tn_error_set(err, TARN_EINVAL, "C data interface batch: the struct array has %lld top-level nulls",
                          (long long)a->null_count);
    if (!rc && !(b = tn_batch_new(schema, a->length)))
        rc = tn_error_oom(err, sizeof *b);
    for (int32_t i = 0; !rc && i < schema->n_fields; i++) {
        tn_array *col = a->children[i];
        if (col->length < a->offset + a->length) {
            rc = tn_error_set(err, TARN_EINVAL, "C data interface batch: column '%s' has %lld rows, %lld needed",
                              schema->fields[i].name, (long long)col->length, (long long)(a->offset + a->length));
            break;
        }
        b->columns[i] = a->offset || col->length != a->length ? tn_array_slice(col, a->offset, a->length)
                                                               : tn_array_ref(col);
        if (!b->columns[i])
            rc = tn_error_oom(err, sizeof(tn_array));
    }
    tn_array_unref(a);
    if (rc)
        tn_batch_unref(b);
    else
        *out = b;
    import_end(&c, rc ? NULL : in);
    return rc;
}

int tn_import_batch(struct ArrowArray *in, tn_schema *schema, tarn_validate_level level, tn_batch **out,
                    tarn_error *err)
{
    tn_type *row = schema_struct_type(schema, err);
    if (!row)
        return err ? err->code : TARN_ENOMEM;
    int rc = import_batch_typed(in, schema, row, level, out, err);
    tn_type_unref(row);
    return rc;
}

/* --- stream export ------------------------------------------------------- */

typedef struct stream_priv {
    tn_reader *reader;
    tarn_error last; /* the last failure, for get_last_error */
    bool failed;
} stream_priv;

/* errno-style codes, as the stream interface wants. */
static int to_errno(int code)
{
    switch (code) {
    case TARN_ENOMEM: case TARN_EMEMLIMIT: return ENOMEM;
    case TARN_EINVAL: case TARN_ETYPE: case TARN_EPARSE: return EINVAL;
    case TARN_EUNSUPPORTED: return ENOSYS;
    case TARN_EOVERFLOW: return EOVERFLOW;
    case TARN_ENOTFOUND: return ENOENT;
    case TARN_ECANCELLED: return ECANCELED;
    case TARN_EPERM: return EPERM;
    default: return EIO;
    }
}

static int from_errno(int e)
{
    switch (e) {
    case ENOMEM: return TARN_ENOMEM;
    case EINVAL: return TARN_EINVAL;
    case ENOSYS: return TARN_EUNSUPPORTED;
    case EOVERFLOW: return TARN_EOVERFLOW;
    case ENOENT: return TARN_ENOTFOUND;
    case ECANCELED: return TARN_ECANCELLED;
    case EPERM: case EACCES: return TARN_EPERM;
    default: return TARN_EIO;
    }
}

static int stream_status(stream_priv *p, int rc)
{
    if (!rc)
        return 0;
    p->failed = true;
    return to_errno(rc);
}

static int stream_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    stream_priv *p = s->private_data;
    tarn_error_init(&p->last);
    return stream_status(p, tn_export_schema(p->reader->schema, out, &p->last));
}

static int stream_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    stream_priv *p = s->private_data;
    tn_batch *b = NULL;
    tarn_error_init(&p->last);
    int rc = tn_reader_next(p->reader, &b, &p->last);
    if (rc)
        return stream_status(p, rc);
    if (!b) {
        memset(out, 0, sizeof *out); /* the end: a released array */
        return 0;
    }
    rc = tn_export_batch(b, out, &p->last);
    tn_batch_unref(b);
    return stream_status(p, rc);
}

static const char *stream_last_error(struct ArrowArrayStream *s)
{
    stream_priv *p = s->private_data;
    return p->failed ? p->last.message : NULL;
}

static void stream_release(struct ArrowArrayStream *s)
{
    stream_priv *p = s->private_data;
    tn_reader_free(p->reader);
    tn_free(p);
    s->release = NULL;
}

int tn_export_reader(tn_reader *r, struct ArrowArrayStream *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    stream_priv *p = tn_calloc(1, sizeof *p);
    if (!p) {
        tn_reader_free(r);
        return tn_error_oom(err, sizeof *p);
    }
    p->reader = r;
    out->get_schema = stream_get_schema;
    out->get_next = stream_get_next;
    out->get_last_error = stream_last_error;
    out->release = stream_release;
    out->private_data = p;
    return TARN_OK;
}

/* --- stream import ------------------------------------------------------- */

typedef struct stream_reader {
    tn_reader base;
    struct ArrowArrayStream stream; /* moved in; released by destroy */
    tn_type *row_type;              /* the schema as a struct type */
    tarn_validate_level level;
    bool done;
    tarn_error failure; /* a failed get_next: the stream may not be pulled again */
} stream_reader;

static int foreign_error(struct ArrowArrayStream *s, int e, const char *call, tarn_error *err)
{
    /* A stream this library exported (the CLI reads the public API's
     * streams): its error as it was, code and message, without the wrapper. */
    if (s->get_last_error == stream_last_error && ((const stream_priv *)s->private_data)->failed) {
        const stream_priv *p = s->private_data;
        return tn_error_set(err, p->last.code, "%s", p->last.message);
    }
    const char *msg = s->get_last_error ? s->get_last_error(s) : NULL;
    return tn_error_set(err, from_errno(e), "C stream %s failed (%s): %s", call, strerror(e),
                        msg && *msg ? msg : "no message from the producer");
}

static int stream_reader_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    stream_reader *sr = (stream_reader *)r;
    *out = NULL;
    if (sr->failure.code)
        return tn_error_set(err, sr->failure.code, "%s", sr->failure.message);
    if (sr->done)
        return TARN_OK;
    struct ArrowArray a;
    memset(&a, 0, sizeof a);
    int e = sr->stream.get_next(&sr->stream, &a);
    if (e) {
        foreign_error(&sr->stream, e, "get_next", &sr->failure);
        return tn_error_set(err, sr->failure.code, "%s", sr->failure.message);
    }
    if (!a.release) {
        sr->done = true;
        return TARN_OK;
    }
    int rc = import_batch_typed(&a, r->schema, sr->row_type, sr->level, out, err);
    if (rc)
        a.release(&a); /* ours since get_next returned it, and import left it */
    return rc;
}

static void stream_reader_destroy(tn_reader *r)
{
    stream_reader *sr = (stream_reader *)r;
    if (sr->stream.release)
        sr->stream.release(&sr->stream);
    tn_type_unref(sr->row_type);
    tn_free(sr);
}

int tn_import_stream_level(struct ArrowArrayStream *in, tarn_validate_level level, tn_reader **out,
                           tarn_error *err)
{
    if (!in || !in->release)
        return tn_error_set(err, TARN_EINVAL, "C stream: the stream is NULL or already released");
    if (!in->get_schema || !in->get_next)
        return tn_error_set(err, TARN_EINVAL, "C stream: get_schema or get_next is NULL");
    struct ArrowSchema fs;
    memset(&fs, 0, sizeof fs);
    int e = in->get_schema(in, &fs);
    if (e)
        return foreign_error(in, e, "get_schema", err);
    tn_schema *schema = NULL;
    int rc = tn_import_schema(&fs, &schema, err);
    if (fs.release)
        fs.release(&fs);
    TN_TRY(rc);
    stream_reader *sr = tn_calloc(1, sizeof *sr);
    tn_type *row = sr ? schema_struct_type(schema, err) : NULL;
    if (!row) {
        tn_free(sr);
        tn_schema_unref(schema);
        return sr ? (err ? err->code : TARN_ENOMEM) : tn_error_oom(err, sizeof *sr);
    }
    sr->base.schema = schema;
    sr->base.next = stream_reader_next;
    sr->base.destroy = stream_reader_destroy;
    sr->row_type = row;
    sr->level = level;
    tarn_stream_move(in, &sr->stream);
    *out = &sr->base;
    return TARN_OK;
}

int tn_import_stream(struct ArrowArrayStream *in, tn_reader **out, tarn_error *err)
{
    return tn_import_stream_level(in, TARN_VALIDATE_DEFAULT, out, err);
}

/* --- public helpers ------------------------------------------------------ */

int tarn_array_validate(const struct ArrowSchema *schema, const struct ArrowArray *array,
                        tarn_validate_level level, tarn_error *err)
{
    tn_field f;
    TN_TRY(tn_import_field(schema, &f, err));
    import_ctx c;
    int rc = import_begin(&c, level, err);
    if (!rc) {
        if (*f.name)
            path_push(&c.p, f.name, 0);
        tn_array *a = NULL;
        rc = import_root(&c, array, f.type, &a, err);
        tn_array_unref(a);
        import_end(&c, NULL); /* a view: the caller keeps the array */
    }
    tn_field_reset(&f);
    return rc;
}

int tarn_schema_format(const struct ArrowSchema *schema, char **out, tarn_error *err)
{
    tn_field f;
    TN_TRY(tn_import_field(schema, &f, err));
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = TARN_OK;
    if (f.type->id == TN_STRUCT) {
        /* a struct root is a schema: one line per column */
        tn_schema s = {.n_fields = f.type->n_children, .fields = f.type->children};
        rc = tn_schema_format(&s, &b, err);
    } else {
        tn_schema s = {.n_fields = 1, .fields = &f};
        rc = tn_schema_format(&s, &b, err);
    }
    if (!rc && !b.data)
        rc = tn_buf_append(&b, "", 0, err);
    if (!rc) {
        *out = tn_buf_take(&b);
    }
    tn_buf_reset(&b);
    tn_field_reset(&f);
    return rc;
}
