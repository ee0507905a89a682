/*
 * cast_string.c — casts from text to numbers and back, and between the
 * string/binary layouts (utf8, large_utf8, utf8_view and their binary
 * twins).
 *
 * Parsing is exact: integers accumulate with overflow checks, decimals go
 * digit by digit into a 256-bit integer at the target scale (never through
 * a double), floats use strtod/strtof (correctly rounded). Formatting gives
 * floats in the shortest text that reads back as the same value: C's %.Ng
 * for N = 15, 16, 17 (6..9 for float32) — for N up to 15 (6) the rounded
 * digits equal the shortest round-tripping ones, since a double's half-ulp
 * is far below a unit in the 15th digit — so the first N that reads back
 * gives the shortest form.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "arrow/compute/cast.h"
#include "arrow/utf8.h"
#include "core/datetime.h"

/* --- formatting ------------------------------------------------------------------- */

static int special(double v, char *buf)
{
    if (isnan(v))
        return (int)(memcpy(buf, "nan", 4), 3);
    if (isinf(v)) {
        if (v < 0)
            return (int)(memcpy(buf, "-inf", 5), 4);
        return (int)(memcpy(buf, "inf", 4), 3);
    }
    return -1;
}

int tn_format_double(double v, char *buf)
{
    int n = special(v, buf);
    if (n >= 0)
        return n;
    /* subnormals carry fewer digits, so start from one there */
    char tmp[32];
    for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (prec == 17 || strtod(tmp, NULL) == v)
            break;
    }
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

int tn_format_float(float v, char *buf)
{
    int n = special(v, buf);
    if (n >= 0)
        return n;
    char tmp[32];
    for (int prec = fabsf(v) < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, (double)v);
        if (prec == 9 || strtof(tmp, NULL) == v)
            break;
    }
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                               "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                               "8081828384858687888990919293949596979899";

/* Digits of v, two at a time, written backwards then copied. */
static int format_u64(uint64_t v, char *buf)
{
    char tmp[24];
    int p = 24;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(tmp + p, pairs + 2 * d, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(tmp + p, pairs + 2 * v, 2);
    } else {
        tmp[--p] = (char)('0' + v);
    }
    memcpy(buf, tmp + p, (size_t)(24 - p));
    return 24 - p;
}

static int format_i64(int64_t v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        return 1 + format_u64((uint64_t)0 - (uint64_t)v, buf + 1);
    }
    return format_u64((uint64_t)v, buf);
}

/* The zone of a timestamp type (NULL for naive timestamps or a zone we
 * cannot load: those format without an offset). */
static const tn_tz *zone_of(const tn_type *t)
{
    const tn_tz *tz = NULL;
    if (t->id != TN_TIMESTAMP || !t->tz || !t->tz[0])
        return NULL;
    if (tn_tz_get(t->tz, &tz, NULL) != 0)
        return NULL;
    return tz;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b != 0) & ((a < 0) != (b < 0)));
}

/* ISO-8601 text of a date, time or timestamp value. Zoned timestamps show
 * the wall clock of their zone with its offset ("Z" for UTC). */
static int format_temporal(const tn_type *t, int64_t x, const tn_tz *tz, char *buf)
{
    switch (t->id) {
    case TN_DATE32: return (int)tn_format_date(x, buf, TN_DT_FORMAT_MAX);
    case TN_DATE64: return (int)tn_format_date(floor_div(x, 86400000), buf, TN_DT_FORMAT_MAX);
    case TN_TIME32: case TN_TIME64: return (int)tn_format_time(x, (tn_dt_unit)t->unit, buf, TN_DT_FORMAT_MAX);
    default: break;
    }
    tn_dt_unit u = (tn_dt_unit)t->unit;
    bool zoned = t->tz && t->tz[0];
    if (!zoned)
        return (int)tn_format_timestamp(x, u, false, buf, TN_DT_FORMAT_MAX);
    int32_t off = tz ? tn_tz_offset_at(tz, floor_div(x, tn_unit_per_second(u))) : 0;
    if (off == 0)
        return (int)tn_format_timestamp(x, u, true, buf, TN_DT_FORMAT_MAX);
    return (int)tn_format_timestamp_offset(x, u, off, buf, TN_DT_FORMAT_MAX);
}

/* Row i of a primitive array as text into buf (at least 100 bytes);
 * returns the length, or -1 for a type without a text form here. tz is
 * the zone of a zoned timestamp type (looked up here when NULL). */
static int format_row(const tn_array *a, int64_t i, const tn_tz *tz, char *buf)
{
    const tn_type *t = a->type;
    int64_t r = a->offset + i;
    const uint8_t *v = a->n_buffers > 1 && a->buffers[1] ? a->buffers[1]->data : NULL;
    switch (t->id) {
    case TN_DATE32: case TN_TIME32:
        return format_temporal(t, ((const int32_t *)v)[r], tz, buf);
    case TN_DATE64: case TN_TIME64:
        return format_temporal(t, ((const int64_t *)v)[r], tz, buf);
    case TN_TIMESTAMP:
        return format_temporal(t, ((const int64_t *)v)[r], tz ? tz : zone_of(t), buf);
    default: break;
    }
    switch (tn_storage_id(t->id)) {
    case TN_BOOL:
        if (tn_bit_get(v, r))
            return (int)(memcpy(buf, "true", 5), 4);
        return (int)(memcpy(buf, "false", 6), 5);
    case TN_INT8: return format_i64(((const int8_t *)v)[r], buf);
    case TN_INT16: return format_i64(((const int16_t *)v)[r], buf);
    case TN_INT32: return format_i64(((const int32_t *)v)[r], buf);
    case TN_INT64: return format_i64(((const int64_t *)v)[r], buf);
    case TN_UINT8: return format_u64(((const uint8_t *)v)[r], buf);
    case TN_UINT16: return format_u64(((const uint16_t *)v)[r], buf);
    case TN_UINT32: return format_u64(((const uint32_t *)v)[r], buf);
    case TN_UINT64: return format_u64(((const uint64_t *)v)[r], buf);
    case TN_FLOAT16: return tn_format_float(tn_half_to_float(((const uint16_t *)v)[r]), buf);
    case TN_FLOAT32: return tn_format_float(((const float *)v)[r], buf);
    case TN_FLOAT64: return tn_format_double(((const double *)v)[r], buf);
    case TN_DECIMAL128: {
        tn_i128 x;
        memcpy(&x, v + 16 * r, 16);
        return tn_i128_format(x, t->scale, buf);
    }
    case TN_DECIMAL256: {
        tn_i256 x;
        memcpy(&x, v + 32 * r, 32);
        return tn_i256_format(x, t->scale, buf);
    }
    default:
        return -1;
    }
}

void tn_format_value(tn_array *a, int64_t i, char *buf, size_t cap)
{
    if (!tn_array_is_valid(a, i)) {
        snprintf(buf, cap, "NULL");
        return;
    }
    tn_type_id id = a->type->id;
    if (tn_type_is_string(id) || tn_type_is_binary(id) || id == TN_FIXED_BINARY) {
        int64_t len;
        const uint8_t *p = tn_array_bytes(a, i, &len);
        size_t o = 0;
        for (int64_t k = 0; k < len && o + 4 < cap; k++)
            buf[o++] = (p[k] >= 0x20 && p[k] != 0x7f) ? (char)p[k] : '?';
        if (o + 4 >= cap && len > (int64_t)o)
            memcpy(buf + o - 3, "...", 3);
        buf[o] = 0;
        return;
    }
    char tmp[128];
    int n = format_row(a, i, NULL, tmp);
    if (n < 0)
        snprintf(buf, cap, "(%s)", tn_type_id_name(id));
    else
        snprintf(buf, cap, "%.*s", n, tmp);
}

/* --- a writer of variable-length results ------------------------------------- */

typedef struct swriter {
    tn_buf data;
    int64_t *offsets; /* n + 1 */
    int64_t n;
} swriter;

static int sw_init(swriter *w, int64_t n, tarn_error *err)
{
    tn_buf_init(&w->data, 0);
    w->n = n;
    w->offsets = tn_malloc((size_t)(n + 1) * 8);
    TN_TRY_ALLOC(w->offsets, err, (size_t)(n + 1) * 8);
    w->offsets[0] = 0;
    return TARN_OK;
}

static void sw_reset(swriter *w)
{
    tn_buf_reset(&w->data);
    tn_free(w->offsets);
    w->offsets = NULL;
}

/* Make the array of type `to` (utf8/binary in any layout) from the writer
 * and the validity v (consumed). */
static int sw_finish(swriter *w, tn_type *to, tn_buffer *v, tn_array **out, tarn_error *err)
{
    int64_t n = w->n, total = w->offsets[n];
    tn_type_id id = to->id;
    tn_array *a = NULL;
    tn_buffer *data = tn_buffer_copy_of(w->data.data ? w->data.data : (const uint8_t *)"", total);
    if (!data)
        goto oom;
    if (id == TN_STRING || id == TN_BINARY) {
        if (total > INT32_MAX) {
            tn_buffer_unref(data);
            tn_buffer_unref(v);
            return tn_error_set(err, TARN_EOVERFLOW, "%lld bytes of text do not fit %s (use large_utf8)",
                                (long long)total, tn_type_id_name(id));
        }
        a = tn_array_new(to, n, 3, 0);
        tn_buffer *ob = tn_buffer_new((n + 1) * 4);
        if (!a || !ob) {
            tn_buffer_unref(ob);
            goto oom;
        }
        int32_t *o = (int32_t *)ob->data;
        for (int64_t i = 0; i <= n; i++)
            o[i] = (int32_t)w->offsets[i];
        a->buffers[1] = ob;
    } else if (id == TN_LARGE_STRING || id == TN_LARGE_BINARY) {
        a = tn_array_new(to, n, 3, 0);
        tn_buffer *ob = tn_buffer_copy_of(w->offsets, (n + 1) * 8);
        if (!a || !ob) {
            tn_buffer_unref(ob);
            goto oom;
        }
        a->buffers[1] = ob;
    } else { /* views into the one data buffer */
        if (total > INT32_MAX) {
            tn_buffer_unref(data);
            tn_buffer_unref(v);
            return tn_error_set(err, TARN_EOVERFLOW, "%lld bytes of text do not fit one view buffer",
                                (long long)total);
        }
        a = tn_array_new(to, n, 3, 0);
        tn_buffer *vb = tn_buffer_new(n * 16);
        if (!a || !vb) {
            tn_buffer_unref(vb);
            goto oom;
        }
        tn_view *views = (tn_view *)vb->data;
        for (int64_t i = 0; i < n; i++) {
            int64_t s = w->offsets[i], len = w->offsets[i + 1] - s;
            tn_view x;
            memset(&x, 0, sizeof x);
            x.inl.size = (int32_t)len;
            if (len <= 12) {
                memcpy(x.inl.data, data->data + s, (size_t)len);
            } else {
                memcpy(x.ref.prefix, data->data + s, 4);
                x.ref.buffer_index = 0;
                x.ref.offset = (int32_t)s;
            }
            views[i] = x;
        }
        a->buffers[1] = vb;
    }
    a->buffers[0] = v;
    a->buffers[2] = data;
    a->null_count = v ? n - tn_bitmap_count(v->data, 0, n) : 0;
    *out = a;
    return TARN_OK;
oom:
    tn_buffer_unref(data);
    tn_buffer_unref(v);
    tn_array_unref(a);
    return tn_error_oom(err, (size_t)total);
}

/* --- to text ---------------------------------------------------------------------- */

/* Digits of an integer at dst; stores 24 bytes (the caller leaves slack)
 * so the copy has a fixed size. */
static inline int put_int(uint64_t bits, bool neg, char *dst)
{
    uint64_t v = neg ? 0 - bits : bits;
    char tmp[48];
    int p = 24;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(tmp + p, pairs + 2 * d, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(tmp + p, pairs + 2 * v, 2);
    } else {
        tmp[--p] = (char)('0' + v);
    }
    if (neg)
        tmp[--p] = '-';
    memcpy(dst, tmp + p, 24);
    return 24 - p;
}

/* Integers to utf8/large_utf8: digits straight into one data buffer sized
 * for the widest value, offsets written as we go. */
static int ints_to_string(tn_array *in, tn_type *to, tn_array **out, tarn_error *err)
{
    int64_t n = in->length;
    bool large = to->id == TN_LARGE_STRING || to->id == TN_LARGE_BINARY;
    if (!large && n * 21 > INT32_MAX)
        return -1; /* let the generic path check the real total */
    tn_array *a = tn_array_new(to, n, 3, 0);
    TN_TRY_ALLOC(a, err, sizeof *a);
    tn_buffer *ob = tn_buffer_new((n + 1) * (large ? 8 : 4)), *db = tn_buffer_new(n * 21 + 32); /* slack: put_i64 stores 24 bytes */
    tn_buffer *v = NULL;
    int rc = ob && db ? tn_copy_validity(in, &v, err) : tn_error_oom(err, (size_t)n * 21);
    if (rc != TARN_OK) {
        tn_buffer_unref(ob);
        tn_buffer_unref(db);
        tn_array_unref(a);
        return rc;
    }
    a->buffers[0] = v;
    a->buffers[1] = ob;
    a->buffers[2] = db;
    char *d = (char *)db->data;
    int32_t *o32 = (int32_t *)ob->data;
    int64_t *o64 = (int64_t *)ob->data, pos = 0;
    const uint8_t *vb = v ? v->data : NULL;
    if (large)
        o64[0] = 0;
    else
        o32[0] = 0;
    switch (in->type->id) {
#define LOOP(ID, T, NEG)                                             \
    case ID: {                                                       \
        const T *x = TN_VALUES(in, T);                               \
        for (int64_t i = 0; i < n; i++) {                            \
            if (!vb || tn_bit_get(vb, i))                            \
                pos += put_int((uint64_t)x[i], NEG, d + pos);        \
            if (large)                                               \
                o64[i + 1] = pos;                                    \
            else                                                     \
                o32[i + 1] = (int32_t)pos;                           \
        }                                                            \
        break;                                                       \
    }
        LOOP(TN_INT8, int8_t, x[i] < 0) LOOP(TN_INT16, int16_t, x[i] < 0)
        LOOP(TN_INT32, int32_t, x[i] < 0) LOOP(TN_INT64, int64_t, x[i] < 0)
        LOOP(TN_UINT8, uint8_t, false) LOOP(TN_UINT16, uint16_t, false)
        LOOP(TN_UINT32, uint32_t, false) LOOP(TN_UINT64, uint64_t, false)
#undef LOOP
    default: break;
    }
    db->size = pos;
    a->null_count = v ? n - tn_bitmap_count(vb, 0, n) : 0;
    *out = a;
    return TARN_OK;
}

static int to_string(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err)
{
    int64_t n = in->length;
    swriter w;
    TN_TRY(sw_init(&w, n, err));
    tn_buffer *v = NULL;
    int rc = tn_copy_validity(in, &v, err);
    bool src_text = tn_type_is_string(in->type->id) || tn_type_is_binary(in->type->id);
    bool check_utf8 = tn_type_is_string(to->id) && !tn_type_is_string(in->type->id);
    const tn_tz *tz = NULL;
    const tn_type *it = in->type;
    if (rc == TARN_OK && it->id == TN_TIMESTAMP && it->tz && it->tz[0])
        rc = tn_tz_get(it->tz, &tz, err);
    for (int64_t i = 0; i < n && rc == TARN_OK; i++) {
        if (v && !tn_bit_get(v->data, i)) {
            w.offsets[i + 1] = (int64_t)w.data.len;
            continue;
        }
        if (src_text) {
            int64_t len;
            const uint8_t *p = tn_array_bytes(in, i, &len);
            int64_t bad;
            if (check_utf8 && !tn_utf8_valid(p, len, &bad)) {
                if (mode == TN_CAST_STRICT) {
                    rc = tn_error_set(err, TARN_EPARSE, "invalid UTF-8 at byte %lld of row %lld casting to %s",
                                      (long long)bad, (long long)i, tn_type_id_name(to->id));
                    break;
                }
                if (!v) { /* TRY: the row becomes null */
                    v = tn_buffer_new(tn_bitmap_bytes(n));
                    if (!v) {
                        rc = tn_error_oom(err, (size_t)n);
                        break;
                    }
                    memset(v->data, 0xff, (size_t)tn_bitmap_bytes(n));
                }
                tn_bit_clear(v->data, i);
                w.offsets[i + 1] = (int64_t)w.data.len;
                continue;
            }
            rc = tn_buf_append(&w.data, p, (size_t)len, err);
        } else {
            char buf[128];
            int len = format_row(in, i, tz, buf);
            rc = tn_buf_append(&w.data, buf, (size_t)len, err);
        }
        w.offsets[i + 1] = (int64_t)w.data.len;
    }
    if (rc == TARN_OK) {
        rc = sw_finish(&w, to, v, out, err);
        v = NULL;
    }
    tn_buffer_unref(v);
    sw_reset(&w);
    return rc;
}

/* --- from text --------------------------------------------------------------------- */

static void trim(const uint8_t **p, int64_t *n)
{
    while (*n > 0 && isspace((*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && isspace((*p)[*n - 1]))
        (*n)--;
}

/* 0 ok, 1 syntax, 2 overflow. Negative values only when `sign_ok`. */
static int parse_u64(const uint8_t *p, int64_t n, bool *neg, uint64_t *out)
{
    trim(&p, &n);
    *neg = false;
    int64_t i = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        *neg = p[i++] == '-';
    if (i == n)
        return 1;
    uint64_t v = 0;
    int over = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)p[i] - '0';
        if (d > 9)
            return 1;
        over |= __builtin_mul_overflow(v, 10, &v);
        over |= __builtin_add_overflow(v, d, &v);
    }
    *out = v;
    return over ? 2 : 0;
}

static int parse_i64(const uint8_t *p, int64_t n, int64_t *out)
{
    bool neg;
    uint64_t u;
    int rc = parse_u64(p, n, &neg, &u);
    if (rc)
        return rc;
    if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return 2;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

static int parse_double(const uint8_t *p, int64_t n, bool single, double *out)
{
    trim(&p, &n);
    char buf[512];
    if (n == 0 || n >= (int64_t)sizeof buf)
        return 1;
    memcpy(buf, p, (size_t)n);
    buf[n] = 0;
    for (int64_t i = 0; i < n; i++)
        if (buf[i] == 'x' || buf[i] == 'X' || buf[i] == '(')
            return 1; /* no hex floats or nan(payload) */
    char *end;
    errno = 0;
    if (single) {
        float f = strtof(buf, &end);
        *out = f;
    } else {
        *out = strtod(buf, &end);
    }
    if (end != buf + n)
        return 1;
    if (errno == ERANGE && isinf(*out))
        return 2;
    return 0;
}

static int parse_bool(const uint8_t *p, int64_t n, bool *out)
{
    trim(&p, &n);
    static const char *const yes[] = {"true", "t", "1", "yes"}, *const no[] = {"false", "f", "0", "no"};
    for (int k = 0; k < 4; k++) {
        if ((int64_t)strlen(yes[k]) == n && strncasecmp((const char *)p, yes[k], (size_t)n) == 0)
            return (*out = true, 0);
        if ((int64_t)strlen(no[k]) == n && strncasecmp((const char *)p, no[k], (size_t)n) == 0)
            return (*out = false, 0);
    }
    return 1;
}

/* 0 ok, 1 does not parse, 2 out of range, from a datetime.h status. */
static uint8_t dt_bad(int rc)
{
    return rc == 0 ? 0 : rc == TARN_EOVERFLOW ? 2 : rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT ? 3 : 1;
}

/* ISO-8601 dates, times and timestamps. A timestamp without a zone in the
 * text is a wall-clock reading: kept as is for naive types, read in the
 * type's zone for zoned ones. */
static int parse_temporal(tn_array *in, tn_array *o, uint8_t *bad, tarn_error *err)
{
    const tn_type *t = o->type;
    int64_t n = in->length;
    uint8_t *dst = o->buffers[1]->data;
    tn_dt_unit u = (tn_dt_unit)t->unit;
    const tn_tz *tz = NULL;
    if (t->id == TN_TIMESTAMP && t->tz && t->tz[0])
        TN_TRY(tn_tz_get(t->tz, &tz, err));
    for (int64_t i = 0; i < n; i++) {
        int64_t v = 0;
        if (tn_array_is_valid(in, i)) {
            int64_t len;
            const char *p = (const char *)tn_array_bytes(in, i, &len);
            int rc;
            switch (t->id) {
            case TN_DATE32: case TN_DATE64: {
                int32_t d = 0;
                rc = tn_parse_date(p, (size_t)len, &d, NULL);
                v = t->id == TN_DATE32 ? d : (int64_t)d * 86400000;
                break;
            }
            case TN_TIME32: case TN_TIME64:
                rc = tn_parse_time(p, (size_t)len, u, &v, NULL);
                break;
            case TN_TIMESTAMP: {
                tn_timestamp_parsed ts;
                rc = tn_parse_timestamp(p, (size_t)len, u, &ts, NULL);
                v = ts.value;
                if (rc == 0 && tz && !ts.has_zone) {
                    int64_t per = tn_unit_per_second(u), secs = floor_div(v, per), sub = v - secs * per;
                    int64_t utc = tn_tz_local_to_utc(tz, secs, NULL);
                    if (__builtin_mul_overflow(utc, per, &v) || __builtin_add_overflow(v, sub, &v))
                        rc = TARN_EOVERFLOW;
                }
                break;
            }
            default:
                return tn_error_set(err, TARN_EUNSUPPORTED, "cannot parse text as %s", tn_type_id_name(t->id));
            }
            bad[i] = dt_bad(rc);
            if (bad[i] == 3)
                return tn_error_oom(err, 64);
            if (rc)
                v = 0;
        }
        if (tn_temporal_width(t->id) == 4) {
            if (v < INT32_MIN || v > INT32_MAX) {
                bad[i] = 2;
                v = 0;
            }
            ((int32_t *)dst)[i] = (int32_t)v;
        } else {
            ((int64_t *)dst)[i] = v;
        }
    }
    return TARN_OK;
}

/* Parse every valid row of the text array in into the values of o. */
static int parse_into(tn_array *in, tn_array *o, uint8_t *bad, tarn_error *err)
{
    int64_t n = in->length;
    const tn_type *to = o->type;
    uint8_t *dst = o->buffers[1]->data;
    tn_type_id id = to->id;
    if (tn_type_is_int(id) && id != TN_UINT64) {
        tn_stage s;
        TN_TRY(tn_stage_init(&s, TN_STAGE_I64, n, 0, err));
        for (int64_t i = 0; i < n; i++) {
            s.w[i] = 0;
            if (!tn_array_is_valid(in, i))
                continue;
            int64_t len;
            const uint8_t *p = tn_array_bytes(in, i, &len);
            s.bad[i] = (uint8_t)parse_i64(p, len, &s.w[i]);
        }
        int rc = tn_stage_store(&s, to, dst, err);
        memcpy(bad, s.bad, (size_t)n);
        tn_stage_reset(&s);
        return rc;
    }
    if (tn_type_is_decimal(id)) {
        tn_stage s;
        TN_TRY(tn_stage_init(&s, TN_STAGE_D256, n, to->scale, err));
        for (int64_t i = 0; i < n; i++) {
            s.d256[i] = tn_i256_from_i64(0);
            if (!tn_array_is_valid(in, i))
                continue;
            int64_t len;
            const uint8_t *p = tn_array_bytes(in, i, &len);
            s.bad[i] = (uint8_t)tn_dec_parse((const char *)p, len, to->precision, to->scale, true, &s.d256[i]);
        }
        int rc = tn_stage_store(&s, to, dst, err);
        for (int64_t i = 0; i < n; i++)
            bad[i] = s.bad[i] & 1 ? 1 : s.bad[i];
        tn_stage_reset(&s);
        return rc;
    }
    if (id == TN_FLOAT16) {
        tn_stage s;
        TN_TRY(tn_stage_init(&s, TN_STAGE_F64, n, 0, err));
        for (int64_t i = 0; i < n; i++) {
            s.f[i] = 0;
            if (!tn_array_is_valid(in, i))
                continue;
            int64_t len;
            const uint8_t *p = tn_array_bytes(in, i, &len);
            s.bad[i] = (uint8_t)parse_double(p, len, false, &s.f[i]);
        }
        int rc = tn_stage_store(&s, to, dst, err);
        memcpy(bad, s.bad, (size_t)n);
        tn_stage_reset(&s);
        return rc;
    }
    if (tn_temporal_width(id))
        return parse_temporal(in, o, bad, err);
    if (id == TN_BOOL)
        memset(dst, 0, (size_t)tn_bitmap_bytes(n));
    for (int64_t i = 0; i < n; i++) {
        bool valid = tn_array_is_valid(in, i);
        int64_t len = 0;
        const uint8_t *p = valid ? tn_array_bytes(in, i, &len) : NULL;
        switch (id) {
        case TN_UINT64: {
            bool neg = false;
            uint64_t u = 0;
            if (valid)
                bad[i] = (uint8_t)parse_u64(p, len, &neg, &u);
            if (!bad[i] && neg && u)
                bad[i] = 2;
            ((uint64_t *)dst)[i] = bad[i] ? 0 : u;
            break;
        }
        case TN_FLOAT32: {
            double d = 0;
            if (valid)
                bad[i] = (uint8_t)parse_double(p, len, true, &d);
            ((float *)dst)[i] = (float)d;
            break;
        }
        case TN_FLOAT64: {
            double d = 0;
            if (valid)
                bad[i] = (uint8_t)parse_double(p, len, false, &d);
            ((double *)dst)[i] = d;
            break;
        }
        case TN_BOOL: {
            bool b = false;
            if (valid)
                bad[i] = (uint8_t)parse_bool(p, len, &b);
            if (b)
                tn_bit_set(dst, i);
            break;
        }
        default:
            return tn_error_set(err, TARN_EINTERNAL, "no text parser for %s", tn_type_id_name(id));
        }
    }
    return TARN_OK;
}

static int from_string(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err)
{
    int64_t n = in->length;
    uint8_t *bad = tn_calloc((size_t)(n ? n : 1), 1);
    TN_TRY_ALLOC(bad, err, (size_t)n);
    tn_array *o = tn_kout_fixed(to, n);
    int rc = o ? TARN_OK : tn_error_oom(err, (size_t)n * 8);
    if (rc == TARN_OK)
        rc = parse_into(in, o, bad, err);
    if (rc == TARN_OK)
        rc = tn_cast_finish(in, o, bad, mode, err);
    tn_free(bad);
    if (rc != TARN_OK) {
        tn_array_unref(o);
        return rc;
    }
    *out = o;
    return TARN_OK;
}

static bool text_kind(tn_type_id id)
{
    return tn_type_is_string(id) || tn_type_is_binary(id);
}

static bool iso_kind(tn_type_id id)
{
    return id == TN_DATE32 || id == TN_DATE64 || id == TN_TIME32 || id == TN_TIME64 || id == TN_TIMESTAMP;
}

bool tn_cast_string_supported(const tn_type *from, const tn_type *to)
{
    tn_type_id f = from->id, t = to->id;
    if ((tn_type_is_string(f) && iso_kind(t)) || (iso_kind(f) && tn_type_is_string(t)))
        return true;
    bool prim = t == TN_BOOL || tn_type_is_numeric(t);
    if (text_kind(f) && text_kind(t))
        return true;
    if (tn_type_is_string(f) && prim)
        return true;
    if (tn_type_is_string(t) && (f == TN_BOOL || tn_type_is_numeric(f)))
        return true;
    return false;
}

int tn_cast_string(tn_array *in, tn_type *to, tn_cast_mode mode, tn_array **out, tarn_error *err)
{
    if (tn_type_is_int(in->type->id) && !tn_type_is_view(to->id)) {
        int rc = ints_to_string(in, to, out, err);
        if (rc != -1)
            return rc;
    }
    if (text_kind(to->id))
        return to_string(in, to, mode, out, err);
    return from_string(in, to, mode, out, err);
}
