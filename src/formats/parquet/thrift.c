/*
 * thrift.c — Thrift compact protocol reader and writer for Parquet metadata.
 *
 * Byte layout (compact protocol):
 *
 *   field header   1 byte: high nibble = id delta (1..15) from the previous
 *                  field, low nibble = type; delta 0 means a zigzag varint
 *                  i16 field id follows. Type 0 (STOP) ends a struct.
 *   bool field     no payload: type 1 = true, 2 = false.
 *   i16/i32/i64    zigzag ULEB128 varint.  byte: 1 raw byte. double: 8 LE bytes.
 *   binary         varint length, then the bytes.
 *   list/set       1 byte: high nibble = count (15: varint count follows),
 *                  low nibble = element type; then the elements (bools as
 *                  one byte each).
 *   map            varint count; if non-zero, 1 byte key type << 4 | value
 *                  type; then key/value pairs.
 *
 * Every length and count is checked against the bytes left before use and
 * nesting is limited to TN_TH_MAX_DEPTH, so a malformed footer is an error,
 * never an overread or a deep recursion.
 */
#include <string.h>

#include "formats/parquet/thrift.h"

void tn_th_reader_init(tn_th_reader *r, const uint8_t *p, size_t n, const char *what, tarn_error *err)
{
    r->start = r->p = p;
    r->end = p + n;
    r->depth = 0;
    r->what = what;
    r->err = err;
}

static int bad(tn_th_reader *r, const char *why)
{
    return TN_CORRUPT(r->err, "parquet %s: %s at byte %zu", r->what, why, tn_th_pos(r));
}

int tn_th_varint(tn_th_reader *r, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return bad(r, "truncated varint");
        uint8_t b = *r->p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return bad(r, "varint longer than 10 bytes");
}

static int64_t unzig(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

int tn_th_struct_begin(tn_th_reader *r, int16_t *last)
{
    if (++r->depth > TN_TH_MAX_DEPTH)
        return bad(r, "nesting deeper than 64");
    *last = 0;
    return 0;
}

void tn_th_struct_end(tn_th_reader *r) { r->depth--; }

int tn_th_field(tn_th_reader *r, int16_t *last, int *type, int16_t *id)
{
    if (r->p >= r->end)
        return bad(r, "truncated struct");
    uint8_t b = *r->p++;
    *type = b & 0x0f;
    if (*type == TN_TH_STOP) {
        *id = 0;
        return 0;
    }
    int delta = b >> 4;
    if (delta) {
        *id = (int16_t)(*last + delta);
    } else {
        uint64_t u = 0;
        TN_TRY(tn_th_varint(r, &u));
        int64_t v = unzig(u);
        if (v < INT16_MIN || v > INT16_MAX)
            return bad(r, "field id out of range");
        *id = (int16_t)v;
    }
    *last = *id;
    if (*type > TN_TH_STRUCT)
        return bad(r, "unknown field type");
    return 0;
}

int tn_th_i64(tn_th_reader *r, int type, int64_t *v)
{
    if (type == TN_TH_BYTE) {
        if (r->p >= r->end)
            return bad(r, "truncated byte");
        *v = (int8_t)*r->p++;
        return 0;
    }
    if (type != TN_TH_I16 && type != TN_TH_I32 && type != TN_TH_I64)
        return bad(r, "integer field of another type");
    uint64_t u = 0;
    TN_TRY(tn_th_varint(r, &u));
    *v = unzig(u);
    return 0;
}

int tn_th_i32(tn_th_reader *r, int type, int32_t *v)
{
    int64_t x = 0;
    TN_TRY(tn_th_i64(r, type, &x));
    if (x < INT32_MIN || x > INT32_MAX)
        return bad(r, "i32 out of range");
    *v = (int32_t)x;
    return 0;
}

int tn_th_bool(tn_th_reader *r, int type, bool *v)
{
    if (type == TN_TH_TRUE || type == TN_TH_FALSE) {
        *v = type == TN_TH_TRUE;
        return 0;
    }
    if (type == TN_TH_BYTE) { /* list element form */
        if (r->p >= r->end)
            return bad(r, "truncated bool");
        *v = *r->p++ == 1;
        return 0;
    }
    return bad(r, "bool field of another type");
}

int tn_th_binary(tn_th_reader *r, int type, const uint8_t **p, uint32_t *n)
{
    if (type != TN_TH_BINARY)
        return bad(r, "binary field of another type");
    uint64_t len = 0;
    TN_TRY(tn_th_varint(r, &len));
    if (len > (uint64_t)(r->end - r->p))
        return bad(r, "binary longer than the input");
    *p = r->p;
    *n = (uint32_t)len;
    r->p += len;
    return 0;
}

int tn_th_list_begin(tn_th_reader *r, int type, int *elem_type, int32_t *n)
{
    if (type != TN_TH_LIST && type != TN_TH_SET)
        return bad(r, "list field of another type");
    if (r->p >= r->end)
        return bad(r, "truncated list header");
    if (++r->depth > TN_TH_MAX_DEPTH)
        return bad(r, "nesting deeper than 64");
    uint8_t b = *r->p++;
    uint64_t count = b >> 4;
    *elem_type = b & 0x0f;
    if (count == 15)
        TN_TRY(tn_th_varint(r, &count));
    /* Every element takes at least one byte. */
    if (count > (uint64_t)(r->end - r->p))
        return bad(r, "list count larger than the input");
    if (*elem_type == TN_TH_STOP || *elem_type > TN_TH_STRUCT)
        return bad(r, "unknown list element type");
    *n = (int32_t)count;
    return 0;
}

void tn_th_list_end(tn_th_reader *r) { r->depth--; }

int tn_th_skip(tn_th_reader *r, int type)
{
    uint64_t u = 0;
    switch (type) {
    case TN_TH_TRUE:
    case TN_TH_FALSE:
        return 0;
    case TN_TH_BYTE:
        if (r->p >= r->end)
            return bad(r, "truncated byte");
        r->p++;
        return 0;
    case TN_TH_I16:
    case TN_TH_I32:
    case TN_TH_I64:
        return tn_th_varint(r, &u);
    case TN_TH_DOUBLE:
        if (r->end - r->p < 8)
            return bad(r, "truncated double");
        r->p += 8;
        return 0;
    case TN_TH_BINARY: {
        const uint8_t *p;
        uint32_t n;
        return tn_th_binary(r, type, &p, &n);
    }
    case TN_TH_LIST:
    case TN_TH_SET: {
        int et;
        int32_t n;
        TN_TRY(tn_th_list_begin(r, type, &et, &n));
        for (int32_t i = 0; i < n; i++)
            TN_TRY(tn_th_skip(r, et == TN_TH_TRUE || et == TN_TH_FALSE ? TN_TH_BYTE : et));
        tn_th_list_end(r);
        return 0;
    }
    case TN_TH_MAP: {
        TN_TRY(tn_th_varint(r, &u));
        if (u == 0)
            return 0;
        if (u > (uint64_t)(r->end - r->p))
            return bad(r, "map count larger than the input");
        if (r->p >= r->end)
            return bad(r, "truncated map header");
        uint8_t kv = *r->p++;
        int kt = kv >> 4, vt = kv & 0x0f;
        if (kt == TN_TH_TRUE || kt == TN_TH_FALSE)
            kt = TN_TH_BYTE;
        if (vt == TN_TH_TRUE || vt == TN_TH_FALSE)
            vt = TN_TH_BYTE;
        if (kt == TN_TH_STOP || vt == TN_TH_STOP || kt > TN_TH_STRUCT || vt > TN_TH_STRUCT)
            return bad(r, "unknown map element type");
        if (++r->depth > TN_TH_MAX_DEPTH)
            return bad(r, "nesting deeper than 64");
        for (uint64_t i = 0; i < u; i++) {
            TN_TRY(tn_th_skip(r, kt));
            TN_TRY(tn_th_skip(r, vt));
        }
        r->depth--;
        return 0;
    }
    case TN_TH_STRUCT: {
        int16_t last;
        TN_TRY(tn_th_struct_begin(r, &last));
        for (;;) {
            int t;
            int16_t id;
            TN_TRY(tn_th_field(r, &last, &t, &id));
            if (t == TN_TH_STOP)
                break;
            TN_TRY(tn_th_skip(r, t));
        }
        tn_th_struct_end(r);
        return 0;
    }
    default:
        return bad(r, "unknown type");
    }
}

/* --- writer --------------------------------------------------------------- */

void tn_th_writer_init(tn_th_writer *w, tn_buf *out, tarn_error *err)
{
    w->out = out;
    w->depth = 0;
    w->last[0] = 0;
    w->err = err;
}

static int put_varint(tn_th_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return tn_buf_append(w->out, tmp, (size_t)n, w->err);
}

static uint64_t zig(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

int tn_th_w_struct_begin(tn_th_writer *w)
{
    if (w->depth + 1 >= TN_TH_MAX_DEPTH)
        return tn_error_set(w->err, TARN_EINTERNAL, "thrift writer: nesting too deep");
    w->last[++w->depth] = 0;
    return 0;
}

int tn_th_w_struct_end(tn_th_writer *w)
{
    w->depth--;
    return tn_buf_append_byte(w->out, TN_TH_STOP, w->err);
}

int tn_th_w_field(tn_th_writer *w, int16_t id, int type)
{
    int16_t delta = (int16_t)(id - w->last[w->depth]);
    w->last[w->depth] = id;
    if (delta > 0 && delta <= 15)
        return tn_buf_append_byte(w->out, (uint8_t)(delta << 4 | type), w->err);
    TN_TRY(tn_buf_append_byte(w->out, (uint8_t)type, w->err));
    return put_varint(w, zig(id));
}

int tn_th_w_i32(tn_th_writer *w, int16_t id, int32_t v)
{
    TN_TRY(tn_th_w_field(w, id, TN_TH_I32));
    return put_varint(w, zig(v));
}

int tn_th_w_i64(tn_th_writer *w, int16_t id, int64_t v)
{
    TN_TRY(tn_th_w_field(w, id, TN_TH_I64));
    return put_varint(w, zig(v));
}

int tn_th_w_bool(tn_th_writer *w, int16_t id, bool v)
{
    return tn_th_w_field(w, id, v ? TN_TH_TRUE : TN_TH_FALSE);
}

int tn_th_w_byte(tn_th_writer *w, int16_t id, int8_t v)
{
    TN_TRY(tn_th_w_field(w, id, TN_TH_BYTE));
    return tn_buf_append_byte(w->out, (uint8_t)v, w->err);
}

int tn_th_w_raw_binary(tn_th_writer *w, const void *p, size_t n)
{
    TN_TRY(put_varint(w, n));
    return tn_buf_append(w->out, p, n, w->err);
}

int tn_th_w_binary(tn_th_writer *w, int16_t id, const void *p, size_t n)
{
    TN_TRY(tn_th_w_field(w, id, TN_TH_BINARY));
    return tn_th_w_raw_binary(w, p, n);
}

int tn_th_w_list(tn_th_writer *w, int16_t id, int elem_type, int32_t n)
{
    TN_TRY(tn_th_w_field(w, id, TN_TH_LIST));
    if (n < 15)
        return tn_buf_append_byte(w->out, (uint8_t)(n << 4 | elem_type), w->err);
    TN_TRY(tn_buf_append_byte(w->out, (uint8_t)(0xf0 | elem_type), w->err));
    return put_varint(w, (uint64_t)n);
}

int tn_th_w_raw_i32(tn_th_writer *w, int32_t v) { return put_varint(w, zig(v)); }
int tn_th_w_raw_i64(tn_th_writer *w, int64_t v) { return put_varint(w, zig(v)); }
int tn_th_w_raw_bool(tn_th_writer *w, bool v) { return tn_buf_append_byte(w->out, v ? TN_TH_TRUE : TN_TH_FALSE, w->err); }
