/*
 * cell.c — the text of one value of any Arrow type (see cell.h for styles).
 *
 * Choices, documented for users in docs/cli.md ("Output formats"):
 *  - integers and decimals print exactly (decimals with all `scale` digits:
 *    12.30); floats in the shortest text that reads back to the same value,
 *    with ".0" added to integral values; NaN, Infinity, -Infinity by name
 *    (JSON: as strings, since JSON has no such numbers);
 *  - dates "YYYY-MM-DD"; times "HH:MM:SS.ffffff" with the unit's digits in
 *    CSV and JSON (one shape per column, which readers such as DuckDB
 *    detect), and in the table only when non-zero, in groups of three;
 *    timestamps join both with ' ' (table) or 'T' (CSV, JSON), and
 *    timestamps with a time zone are stored as UTC instants, so they print
 *    in UTC with a 'Z';
 *  - durations and intervals in ISO-8601 form with a sign on each component
 *    when negative ("PT1H30M", "P1Y2M3DT4.5S", "PT-1M-30S");
 *  - binary as lowercase hex; nested values as JSON; dictionaries as their
 *    values.
 * Calendar arithmetic is core/datetime.h's; years outside 0..9999 carry a
 * sign ("-0001-12-31", "+10000-01-01").
 */
#include "arrow/cell.h"

#include "core/datetime.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- UTF-8 and display width ---------------------------------------------- */

int tn_utf8_next(const uint8_t *p, int64_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (n < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (int k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (p[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

int tn_char_width(uint32_t cp)
{
    if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFEFF ||
        (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
        (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

int tn_json_string(tn_buf *out, const uint8_t *p, int64_t n, tarn_error *err)
{
    TN_TRY(tn_buf_append_byte(out, '"', err));
    int64_t i = 0;
    while (i < n) {
        int64_t run = i; /* copy runs of bytes that need no escaping at once */
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i)
            TN_TRY(tn_buf_append(out, p + i, (size_t)(run - i), err));
        i = run;
        if (i >= n)
            break;
        uint8_t c = p[i];
        if (c >= 0x80) {
            uint32_t cp;
            int len = tn_utf8_next(p + i, n - i, &cp);
            if (cp == 0xFFFD && len == 1)
                TN_TRY(tn_buf_append(out, "\xEF\xBF\xBD", 3, err));
            else
                TN_TRY(tn_buf_append(out, p + i, (size_t)len, err));
            i += len;
            continue;
        }
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        }
        if (esc)
            TN_TRY(tn_buf_append_str(out, esc, err));
        else
            TN_TRY(tn_buf_printf(out, err, "\\u%04x", c));
        i++;
    }
    return tn_buf_append_byte(out, '"', err);
}

/* --- numbers -------------------------------------------------------------- */

/* The text of a number given as printf's "%e" form e (e is changed),
 * positional when the decimal exponent is in [-4, 16) ("65500.0", "0.001"),
 * else "1.5e+300"; integral values get ".0" so that a float column never
 * looks like an integer one. */
static void digits_text(char *s, char *e)
{
    char digits[24];
    char *x = strchr(e, 'e');
    int exp = atoi(x + 1), nd = 0;
    *x = 0;
    bool neg = e[0] == '-';
    for (char *c = e + neg; *c && nd < 20; c++)
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char *o = s;
    if (neg)
        *o++ = '-';
    if (exp < -4 || exp >= 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)nd - 1), o += nd - 1;
        }
        sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    if (exp < 0) {
        *o++ = '0', *o++ = '.';
        for (int z = 0; z < -exp - 1; z++)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd), o += nd;
    } else {
        for (int k = 0; k <= exp; k++)
            *o++ = k < nd ? digits[k] : '0';
        *o++ = '.';
        if (nd > exp + 1) {
            memcpy(o, digits + exp + 1, (size_t)(nd - exp - 1));
            o += nd - exp - 1;
        } else {
            *o++ = '0';
        }
    }
    *o = 0;
}

/* Shortest digits that read back as the same value. Every decimal of at
 * most DBL_DIG (15) digits survives a round trip through a double, so when
 * v rounded to 15 digits reads back, its digits without trailing zeros are
 * the shortest; else 16, else 17 digits (always enough). */
static void double_text(char *s, double v)
{
    char e[48];
    for (int p = 15; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (p == 17 || strtod(e, NULL) == v)
            break;
    }
    digits_text(s, e);
}

static void float_text(char *s, float v)
{
    char e[48];
    for (int p = 6; p <= 9; p++) { /* FLT_DIG is 6, as above */
        snprintf(e, sizeof e, "%.*e", p - 1, (double)v);
        if (p == 9 || strtof(e, NULL) == v)
            break;
    }
    digits_text(s, e);
}

static double half_value(uint16_t h)
{
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

/* Shortest text whose nearest binary16 is h: closer to h's value than to
 * either neighbour (ties count as failures, so a longer text is taken). */
static void half_text(char *s, uint16_t h)
{
    double v = half_value(h), mag = fabs(v);
    uint16_t bits = h & 0x7FFF;
    double up = bits + 1 >= 0x7C00 ? 65536.0 : half_value((uint16_t)(bits + 1));
    double down = bits == 0 ? -ldexp(1, -24) : half_value((uint16_t)(bits - 1));
    char e[48];
    for (int p = 3; p <= 5; p++) { /* binary16 keeps any 3-digit decimal, as above */
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        double d = fabs(strtod(e, NULL));
        if (p == 5 || d == mag || (fabs(d - mag) < up - d && fabs(d - mag) < d - down))
            break;
    }
    digits_text(s, e);
}

/* Decimal text of a little-endian two's complement integer of nbytes (16 or
 * 32) with `scale` digits after the point. */
static int decimal_text(tn_buf *out, const uint8_t *le, int nbytes, int32_t scale, tarn_error *err)
{
    uint32_t limb[8] = {0};
    int nl = nbytes / 4;
    for (int k = 0; k < nl; k++)
        memcpy(&limb[k], le + 4 * k, 4);
    bool neg = (le[nbytes - 1] & 0x80) != 0;
    if (neg) { /* two's complement negation */
        uint64_t carry = 1;
        for (int k = 0; k < nl; k++) {
            uint64_t v = (uint64_t)(uint32_t)~limb[k] + carry;
            limb[k] = (uint32_t)v;
            carry = v >> 32;
        }
    }
    char digits[96];
    int nd = 0;
    for (;;) { /* peel off 9 digits at a time, least significant first */
        uint64_t rem = 0;
        bool zero = true;
        for (int k = nl - 1; k >= 0; k--) {
            uint64_t cur = (rem << 32) | limb[k];
            limb[k] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
            if (limb[k])
                zero = false;
        }
        for (int d = 0; d < 9; d++, rem /= 10)
            digits[nd++] = (char)('0' + rem % 10);
        if (zero)
            break;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg)
        TN_TRY(tn_buf_append_byte(out, '-', err));
    if (scale <= 0) {
        for (int d = nd - 1; d >= 0; d--)
            TN_TRY(tn_buf_append_byte(out, (uint8_t)digits[d], err));
        if (nd == 1 && digits[0] == '0')
            return TARN_OK;
        for (int32_t z = 0; z < -scale; z++)
            TN_TRY(tn_buf_append_byte(out, '0', err));
        return TARN_OK;
    }
    int total = nd > scale ? nd : scale + 1; /* at least one digit before the point */
    for (int d = total - 1; d >= 0; d--) {
        TN_TRY(tn_buf_append_byte(out, (uint8_t)(d < nd ? digits[d] : '0'), err));
        if (d == scale)
            TN_TRY(tn_buf_append_byte(out, '.', err));
    }
    return TARN_OK;
}

/* --- dates and times ------------------------------------------------------
 * The calendar comes from core/datetime.h; only the split of a timestamp
 * into a day and a time of day, and the fraction style, are done here. */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int date_text(tn_buf *out, int64_t days, tarn_error *err)
{
    char s[TN_DT_FORMAT_MAX];
    size_t n = tn_format_date(days, s, sizeof s);
    return tn_buf_append(out, s, n, err);
}

static const int64_t per_second[4] = {1, 1000, 1000000, 1000000000};
static const int frac_digits[4] = {0, 3, 6, 9};

/* ".fff": all the unit's digits when `fixed` (every value of a column has
 * the same shape, which machine readers detect), else nothing for 0 and
 * trailing groups of three zeros dropped (for people). */
static int frac_text(tn_buf *out, uint64_t frac, tn_time_unit unit, bool fixed, tarn_error *err)
{
    int nd = frac_digits[unit];
    if (fixed)
        return nd ? tn_buf_printf(out, err, ".%0*" PRIu64, nd, frac) : TARN_OK;
    if (frac == 0)
        return TARN_OK;
    while (nd > 3 && frac % 1000 == 0)
        frac /= 1000, nd -= 3;
    return tn_buf_printf(out, err, ".%0*" PRIu64, nd, frac);
}

/* v mod m in [0, m), without the overflow of v - floor(v/m)*m. */
static int64_t floor_mod(int64_t v, int64_t m)
{
    int64_t r = v % m;
    return r < 0 ? r + m : r;
}

/* Time of day from a count of units since midnight; a negative count,
 * which only malformed data holds, shows as its magnitude after a '-'. */
static int tod_text(tn_buf *out, int64_t v, tn_time_unit unit, bool fixed, tarn_error *err)
{
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v, per = (uint64_t)per_second[unit];
    uint64_t secs = mag / per;
    if (v < 0)
        TN_TRY(tn_buf_append_byte(out, '-', err));
    TN_TRY(tn_buf_printf(out, err, "%02" PRIu64 ":%02d:%02d", secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60)));
    return frac_text(out, mag % per, unit, fixed, err);
}

static int timestamp_text(tn_buf *out, int64_t v, const tn_type *t, tn_cell_style style, tarn_error *err)
{
    char sep = style == TN_CELL_TABLE ? ' ' : 'T';
    int64_t per_day = per_second[t->unit] * TN_SECS_PER_DAY;
    TN_TRY(date_text(out, floor_div(v, per_day), err));
    TN_TRY(tn_buf_append_byte(out, (uint8_t)sep, err));
    TN_TRY(tod_text(out, floor_mod(v, per_day), t->unit, style != TN_CELL_TABLE, err));
    return t->tz ? tn_buf_append_byte(out, 'Z', err) : TARN_OK;
}

/* The time part of an ISO-8601 duration: "1H30M5.5S" with each non-zero
 * component carrying the sign of the whole. */
static int hms_text(tn_buf *out, int64_t v, tn_time_unit unit, tarn_error *err)
{
    const char *sign = v < 0 ? "-" : "";
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    uint64_t secs = mag / (uint64_t)per_second[unit], frac = mag % (uint64_t)per_second[unit];
    uint64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
    if (h)
        TN_TRY(tn_buf_printf(out, err, "%s%" PRIu64 "H", sign, h));
    if (m)
        TN_TRY(tn_buf_printf(out, err, "%s%" PRIu64 "M", sign, m));
    if (s || frac || (!h && !m)) {
        TN_TRY(tn_buf_printf(out, err, "%s%" PRIu64, s || frac ? sign : "", s));
        TN_TRY(frac_text(out, frac, unit, false, err));
        TN_TRY(tn_buf_append_byte(out, 'S', err));
    }
    return TARN_OK;
}

static int interval_text(tn_buf *out, int32_t months, int32_t days, int64_t nanos, tarn_error *err)
{
    TN_TRY(tn_buf_append_byte(out, 'P', err));
    if (months / 12)
        TN_TRY(tn_buf_printf(out, err, "%" PRId32 "Y", months / 12));
    if (months % 12)
        TN_TRY(tn_buf_printf(out, err, "%" PRId32 "M", months % 12));
    if (days)
        TN_TRY(tn_buf_printf(out, err, "%" PRId32 "D", days));
    if (nanos || (!months && !days)) {
        TN_TRY(tn_buf_append_byte(out, 'T', err));
        TN_TRY(hms_text(out, nanos, TN_NANO, err));
    }
    return TARN_OK;
}

/* --- values --------------------------------------------------------------- */

bool tn_cell_is_null(const tn_array *a, int64_t i)
{
    if (!tn_array_is_valid(a, i))
        return true;
    if (a->type->id == TN_DICTIONARY) {
        int64_t k = tn_array_dict_index(a, i);
        return k >= 0 && k < a->dictionary->length && !tn_array_is_valid(a->dictionary, k);
    }
    return false;
}

static int value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err);

/* Decimal text of an integer without printf: the hot path of CSV output. */
static int int_text(tn_buf *out, uint64_t mag, bool neg, tarn_error *err)
{
    char s[24];
    int k = sizeof s;
    do {
        s[--k] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    if (neg)
        s[--k] = '-';
    return tn_buf_append(out, s + k, sizeof s - (size_t)k, err);
}

static int signed_text(tn_buf *out, int64_t v, tarn_error *err)
{
    return int_text(out, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, err);
}

static int hex_text(tn_buf *out, const uint8_t *p, int64_t n, tarn_error *err)
{
    static const char digits[] = "0123456789abcdef";
    TN_TRY(tn_buf_reserve(out, (size_t)n * 2, err));
    for (int64_t k = 0; k < n; k++) {
        out->data[out->len++] = (uint8_t)digits[p[k] >> 4];
        out->data[out->len++] = (uint8_t)digits[p[k] & 15];
    }
    out->data[out->len] = 0;
    return TARN_OK;
}

static int float_value(tn_buf *out, const tn_array *a, int64_t i, bool json, tarn_error *err)
{
    tn_type_id id = a->type->id;
    double v = id == TN_FLOAT16   ? half_value(TN_VALUES(a, uint16_t)[i])
               : id == TN_FLOAT32 ? (double)TN_VALUES(a, float)[i]
                                  : TN_VALUES(a, double)[i];
    if (isnan(v) || isinf(v)) {
        const char *name = isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
        return json ? tn_buf_printf(out, err, "\"%s\"", name) : tn_buf_append_str(out, name, err);
    }
    char s[48];
    if (id == TN_FLOAT16)
        half_text(s, TN_VALUES(a, uint16_t)[i]);
    else if (id == TN_FLOAT32)
        float_text(s, (float)v);
    else
        double_text(s, v);
    return tn_buf_append_str(out, s, err);
}

static int64_t int_at(const tn_array *a, int64_t i)
{
    switch (a->type->byte_width) {
    case 4: return TN_VALUES(a, int32_t)[i];
    default: return TN_VALUES(a, int64_t)[i];
    }
}

/* Dates, times, timestamps, durations and intervals: text that JSON quotes. */
static int temporal_value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err)
{
    const tn_type *t = a->type;
    switch (t->id) {
    case TN_DATE32: return date_text(out, TN_VALUES(a, int32_t)[i], err);
    case TN_DATE64: return date_text(out, floor_div(TN_VALUES(a, int64_t)[i], 86400000), err);
    case TN_TIME32:
    case TN_TIME64: return tod_text(out, int_at(a, i), t->unit, style != TN_CELL_TABLE, err);
    case TN_TIMESTAMP:
        return timestamp_text(out, TN_VALUES(a, int64_t)[i], t, style, err);
    case TN_DURATION:
        TN_TRY(tn_buf_append_str(out, "PT", err));
        return hms_text(out, TN_VALUES(a, int64_t)[i], t->unit, err);
    case TN_INTERVAL_MONTHS: return interval_text(out, TN_VALUES(a, int32_t)[i], 0, 0, err);
    case TN_INTERVAL_DAY_TIME: {
        const int32_t *p = (const int32_t *)a->buffers[1]->data + 2 * (a->offset + i); /* days, ms */
        return interval_text(out, 0, p[0], (int64_t)p[1] * 1000000, err);
    }
    default: { /* month_day_nano: int32 months, int32 days, int64 nanoseconds */
        const uint8_t *p = a->buffers[1]->data + 16 * (a->offset + i);
        int32_t months, days;
        int64_t nanos;
        memcpy(&months, p, 4);
        memcpy(&days, p + 4, 4);
        memcpy(&nanos, p + 8, 8);
        return interval_text(out, months, days, nanos, err);
    }
    }
}

static int list_value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err)
{
    int64_t start, end;
    const tn_type *t = a->type;
    if (t->id == TN_LIST || t->id == TN_MAP) {
        start = TN_OFFSETS32(a)[i], end = TN_OFFSETS32(a)[i + 1];
    } else if (t->id == TN_LARGE_LIST) {
        start = TN_OFFSETS64(a)[i], end = TN_OFFSETS64(a)[i + 1];
    } else {
        start = (a->offset + i) * t->list_size, end = start + t->list_size;
    }
    const char *sep = style == TN_CELL_JSON ? "," : ", ";
    const tn_array *child = a->children[0];
    if (start < 0 || end < start || end > child->length)
        return TN_CORRUPT(err, "list offsets [%" PRId64 ", %" PRId64 ") outside the child of length %" PRId64,
                          start, end, child->length);
    if (t->id == TN_MAP) {
        const tn_array *keys = child->children[0], *vals = child->children[1];
        const tn_type *kt = keys->type->id == TN_DICTIONARY ? keys->type->value_type : keys->type;
        bool object = tn_type_is_string(kt->id);
        TN_TRY(tn_buf_append_byte(out, object ? '{' : '[', err));
        for (int64_t j = start; j < end; j++) {
            int64_t e = child->offset + j;
            if (j > start)
                TN_TRY(tn_buf_append_str(out, sep, err));
            if (object) {
                TN_TRY(value(out, keys, e, TN_CELL_JSON, err));
                TN_TRY(tn_buf_append_str(out, style == TN_CELL_JSON ? ":" : ": ", err));
            } else {
                TN_TRY(tn_buf_append_str(out, style == TN_CELL_JSON ? "{\"key\":" : "{\"key\": ", err));
                TN_TRY(value(out, keys, e, style, err));
                TN_TRY(tn_buf_append_str(out, style == TN_CELL_JSON ? ",\"value\":" : ", \"value\": ", err));
            }
            TN_TRY(value(out, vals, e, style, err));
            if (!object)
                TN_TRY(tn_buf_append_byte(out, '}', err));
        }
        return tn_buf_append_byte(out, object ? '}' : ']', err);
    }
    TN_TRY(tn_buf_append_byte(out, '[', err));
    for (int64_t j = start; j < end; j++) {
        if (j > start)
            TN_TRY(tn_buf_append_str(out, sep, err));
        TN_TRY(value(out, child, j, style, err));
    }
    return tn_buf_append_byte(out, ']', err);
}

static int struct_value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err)
{
    TN_TRY(tn_buf_append_byte(out, '{', err));
    for (int32_t k = 0; k < a->n_children; k++) {
        if (k)
            TN_TRY(tn_buf_append_str(out, style == TN_CELL_JSON ? "," : ", ", err));
        const char *name = a->type->children[k].name;
        TN_TRY(tn_json_string(out, (const uint8_t *)name, (int64_t)strlen(name), err));
        TN_TRY(tn_buf_append_str(out, style == TN_CELL_JSON ? ":" : ": ", err));
        TN_TRY(value(out, a->children[k], a->offset + i, style, err));
    }
    return tn_buf_append_byte(out, '}', err);
}

/* One value; `nested` values (inside lists, structs, maps) always use JSON
 * syntax, so the caller passes TN_CELL_JSON for those or keeps the style
 * for spacing — quoting is decided by `json`. */
static int any_value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, bool json,
                     tarn_error *err)
{
    const tn_type *t = a->type;
    if (!tn_array_is_valid(a, i))
        return json ? tn_buf_append_str(out, "null", err) : TARN_OK;
    switch (t->id) {
    case TN_NA: return json ? tn_buf_append_str(out, "null", err) : TARN_OK;
    case TN_BOOL:
        return tn_buf_append_str(out, tn_bit_get(a->buffers[1]->data, a->offset + i) ? "true" : "false", err);
    case TN_INT8: return signed_text(out, TN_VALUES(a, int8_t)[i], err);
    case TN_INT16: return signed_text(out, TN_VALUES(a, int16_t)[i], err);
    case TN_INT32: return signed_text(out, TN_VALUES(a, int32_t)[i], err);
    case TN_INT64: return signed_text(out, TN_VALUES(a, int64_t)[i], err);
    case TN_UINT8: return int_text(out, TN_VALUES(a, uint8_t)[i], false, err);
    case TN_UINT16: return int_text(out, TN_VALUES(a, uint16_t)[i], false, err);
    case TN_UINT32: return int_text(out, TN_VALUES(a, uint32_t)[i], false, err);
    case TN_UINT64: return int_text(out, TN_VALUES(a, uint64_t)[i], false, err);
    case TN_FLOAT16:
    case TN_FLOAT32:
    case TN_FLOAT64: return float_value(out, a, i, json, err);
    case TN_DECIMAL128:
    case TN_DECIMAL256: {
        int w = t->id == TN_DECIMAL128 ? 16 : 32;
        return decimal_text(out, a->buffers[1]->data + (size_t)w * (size_t)(a->offset + i), w, t->scale, err);
    }
    case TN_STRING:
    case TN_LARGE_STRING:
    case TN_STRING_VIEW:
    case TN_BINARY:
    case TN_LARGE_BINARY:
    case TN_BINARY_VIEW:
    case TN_FIXED_BINARY: {
        int64_t n;
        const uint8_t *p = tn_array_bytes(a, i, &n);
        bool text = tn_type_is_string(t->id);
        if (json && text)
            return tn_json_string(out, p, n, err);
        if (json)
            TN_TRY(tn_buf_append_byte(out, '"', err));
        TN_TRY(text ? tn_buf_append(out, p, (size_t)n, err) : hex_text(out, p, n, err));
        return json ? tn_buf_append_byte(out, '"', err) : TARN_OK;
    }
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_FIXED_LIST:
    case TN_MAP: return list_value(out, a, i, style, err);
    case TN_STRUCT: return struct_value(out, a, i, style, err);
    case TN_DICTIONARY: {
        int64_t k = tn_array_dict_index(a, i);
        if (k < 0 || k >= a->dictionary->length)
            return TN_CORRUPT(err, "dictionary index %" PRId64 " outside a dictionary of %" PRId64 " values", k,
                              a->dictionary->length);
        return any_value(out, a->dictionary, k, style, json, err);
    }
    default:
        if (json)
            TN_TRY(tn_buf_append_byte(out, '"', err));
        TN_TRY(temporal_value(out, a, i, style, err));
        return json ? tn_buf_append_byte(out, '"', err) : TARN_OK;
    }
}

/* Nested elements: JSON syntax, spacing of the outer style. */
static int value(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err)
{
    return any_value(out, a, i, style, true, err);
}

int tn_cell_format(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err)
{
    return any_value(out, a, i, style, style == TN_CELL_JSON, err);
}
