/*
 * slt_render.c — Arrow values as the canonical text of the sqllogictest
 * files (see slt_render.h). Reads arrays through the C Data Interface only:
 * validity bitmaps, offsets and the parent-then-child offset rule of nested
 * arrays; dictionaries render their values.
 *
 * Rules beyond the README's: dates `YYYY-MM-DD`; times and timestamps
 * `HH:MM:SS` with the fraction's trailing zeros dropped (`10:00:00.5`);
 * timestamps with a time zone are shown in UTC with `+00`; intervals as
 * DuckDB prints them (`1 year 2 months 3 days 04:05:06`); blobs with
 * printable ASCII verbatim and other bytes as `\xHH`; lists `[1, 2, NULL]`;
 * structs `{'a': 1, 'b': x}`; maps `{k=v, ...}`.
 */
#include "slt_render.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void slt_buf_put(slt_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "slt: out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    if (n) /* s may be NULL for nothing (an empty string's data buffer) */
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void slt_buf_puts(slt_buf *b, const char *s)
{
    slt_buf_put(b, s, strlen(s));
}

void slt_buf_printf(slt_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof tmp)
        n = (int)sizeof tmp - 1;
    slt_buf_put(b, tmp, (size_t)(n < 0 ? 0 : n));
}

/* ---- numbers -------------------------------------------------------------- */

/* digits (no point) and decimal exponent of x, shortest that round-trips */
static void shortest_digits(double x, int is_float, char *digits, int *exp10)
{
    char tmp[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, x);
        if (is_float ? strtof(tmp, NULL) == (float)x : strtod(tmp, NULL) == x)
            break;
    }
    /* tmp is d[.ddd]e±XX */
    int k = 0;
    for (const char *s = tmp; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            digits[k++] = *s;
    digits[k] = 0;
    while (k > 1 && digits[k - 1] == '0')
        digits[--k] = 0;
    *exp10 = atoi(strchr(tmp, 'e') + 1);
}

static void render_real(slt_buf *b, double x, int is_float)
{
    if (isnan(x)) {
        slt_buf_puts(b, "nan");
        return;
    }
    if (isinf(x)) {
        slt_buf_puts(b, x < 0 ? "-inf" : "inf");
        return;
    }
    if (signbit(x))
        slt_buf_puts(b, "-");
    x = fabs(x);
    if (x == 0) {
        slt_buf_puts(b, "0.0");
        return;
    }
    char d[32];
    int e;
    shortest_digits(x, is_float, d, &e);
    int nd = (int)strlen(d);
    if (e >= -4 && e < 16) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                slt_buf_put(b, i < nd ? &d[i] : "0", 1);
            slt_buf_puts(b, ".");
            if (nd > e + 1)
                slt_buf_puts(b, d + e + 1);
            else
                slt_buf_puts(b, "0");
        } else {
            slt_buf_puts(b, "0.");
            for (int i = 0; i < -e - 1; i++)
                slt_buf_puts(b, "0");
            slt_buf_puts(b, d);
        }
    } else {
        slt_buf_put(b, d, 1);
        if (nd > 1) {
            slt_buf_puts(b, ".");
            slt_buf_puts(b, d + 1);
        }
        slt_buf_printf(b, "e%c%d", e < 0 ? '-' : '+', abs(e));
    }
}

void slt_render_double(slt_buf *b, double x)
{
    render_real(b, x, 0);
}

void slt_render_float(slt_buf *b, float x)
{
    render_real(b, x, 1);
}

/* a signed 128-bit unscaled value with `scale` digits after the point */
static void render_decimal(slt_buf *b, __int128 v, int scale)
{
    char tmp[64];
    int n = 0, neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        tmp[n++] = '0';
    if (neg)
        slt_buf_puts(b, "-");
    for (int i = n - 1; i >= 0; i--) {
        slt_buf_put(b, &tmp[i], 1);
        if (i == scale && scale > 0)
            slt_buf_puts(b, ".");
    }
}

/* ---- dates and times -------------------------------------------------------- */

/* days since 1970-01-01 → civil date (proleptic Gregorian) */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void render_date(slt_buf *b, int64_t days)
{
    int64_t y;
    int m, d;
    civil(days, &y, &m, &d);
    if (y < 0)
        slt_buf_printf(b, "%04" PRId64 "-%02d-%02d (BC)", 1 - y, m, d);
    else
        slt_buf_printf(b, "%04" PRId64 "-%02d-%02d", y, m, d);
}

/* HH:MM:SS[.fraction] of a non-negative time of day in units of 10^-digits s */
static void render_clock(slt_buf *b, int64_t t, int digits)
{
    int64_t per_s = 1;
    for (int i = 0; i < digits; i++)
        per_s *= 10;
    int64_t s = t / per_s, frac = t % per_s;
    slt_buf_printf(b, "%02" PRId64 ":%02d:%02d", s / 3600, (int)(s / 60 % 60), (int)(s % 60));
    if (frac) {
        char f[32];
        snprintf(f, sizeof f, "%0*" PRId64, digits & 15, frac);
        int n = digits;
        while (n > 0 && f[n - 1] == '0')
            f[--n] = 0;
        slt_buf_printf(b, ".%s", f);
    }
}

static int unit_digits(char unit)
{
    return unit == 's' ? 0 : unit == 'm' ? 3 : unit == 'u' ? 6 : 9;
}

static void render_timestamp(slt_buf *b, int64_t v, char unit, int with_zone)
{
    int digits = unit_digits(unit);
    int64_t per_day = 86400;
    for (int i = 0; i < digits; i++)
        per_day *= 10;
    int64_t days = v / per_day, rest = v % per_day;
    if (rest < 0) {
        rest += per_day;
        days--;
    }
    render_date(b, days);
    slt_buf_puts(b, " ");
    render_clock(b, rest, digits);
    if (with_zone)
        slt_buf_puts(b, "+00");
}

static void plural(slt_buf *b, int64_t n, const char *unit, int *first)
{
    slt_buf_printf(b, "%s%" PRId64 " %s%s", *first ? "" : " ", n, unit, n == 1 || n == -1 ? "" : "s");
    *first = 0;
}

/* DuckDB's interval text: years, months, days, then a clock when non-zero */
static void render_interval(slt_buf *b, int64_t months, int64_t days, int64_t micros)
{
    int first = 1;
    if (months / 12)
        plural(b, months / 12, "year", &first);
    if (months % 12)
        plural(b, months % 12, "month", &first);
    if (days)
        plural(b, days, "day", &first);
    if (micros || first) {
        if (!first)
            slt_buf_puts(b, " ");
        if (micros < 0) {
            slt_buf_puts(b, "-");
            micros = -micros;
        }
        render_clock(b, micros, 6);
    }
}

/* ---- values ----------------------------------------------------------------- */

static int is_null(const struct ArrowArray *a, int64_t i)
{
    const uint8_t *valid = a->n_buffers > 0 ? a->buffers[0] : NULL;
    if (a->null_count == 0 || !valid)
        return 0;
    return !((valid[i >> 3] >> (i & 7)) & 1);
}

static void render_text(slt_buf *b, const char *s, int64_t n, int top)
{
    if (n == 0 && top)
        slt_buf_puts(b, "(empty)");
    else
        slt_buf_put(b, s, (size_t)n);
}

static void render_blob(slt_buf *b, const uint8_t *s, int64_t n, int top)
{
    if (n == 0 && top)
        slt_buf_puts(b, "(empty)");
    for (int64_t i = 0; i < n; i++) {
        if (s[i] >= 32 && s[i] < 127 && s[i] != '\\')
            slt_buf_put(b, (const char *)&s[i], 1);
        else
            slt_buf_printf(b, "\\x%02X", s[i]);
    }
}

static void render_list(slt_buf *b, const struct ArrowSchema *schema, const struct ArrowArray *a, int64_t i,
                        int64_t start, int64_t end)
{
    (void)i;
    slt_buf_puts(b, "[");
    for (int64_t k = start; k < end; k++) {
        if (k > start)
            slt_buf_puts(b, ", ");
        slt_render_value(b, schema->children[0], a->children[0], k, 0);
    }
    slt_buf_puts(b, "]");
}

static void render_struct(slt_buf *b, const struct ArrowSchema *schema, const struct ArrowArray *a, int64_t i)
{
    slt_buf_puts(b, "{");
    for (int64_t c = 0; c < schema->n_children; c++) {
        slt_buf_printf(b, "%s'%s': ", c ? ", " : "", schema->children[c]->name ? schema->children[c]->name : "");
        slt_render_value(b, schema->children[c], a->children[c], i, 0);
    }
    slt_buf_puts(b, "}");
}

static void render_map(slt_buf *b, const struct ArrowSchema *schema, const struct ArrowArray *a, int64_t start,
                       int64_t end)
{
    const struct ArrowSchema *es = schema->children[0];
    const struct ArrowArray *ea = a->children[0];
    slt_buf_puts(b, "{");
    for (int64_t k = start; k < end; k++) {
        int64_t r = ea->offset + k;
        if (k > start)
            slt_buf_puts(b, ", ");
        slt_render_value(b, es->children[0], ea->children[0], r, 0);
        slt_buf_puts(b, "=");
        slt_render_value(b, es->children[1], ea->children[1], r, 0);
    }
    slt_buf_puts(b, "}");
}

static __int128 read_decimal(const void *buf, int64_t i, int bits)
{
    if (bits == 32)
        return ((const int32_t *)buf)[i];
    if (bits == 64)
        return ((const int64_t *)buf)[i];
    const uint64_t *w = (const uint64_t *)buf + i * (bits / 64);
    /* decimal256 renders when it fits in 128 bits, which covers every SQL
     * value of precision <= 38 */
    return (__int128)(((unsigned __int128)w[1] << 64) | w[0]);
}

void slt_render_value(slt_buf *b, const struct ArrowSchema *schema, const struct ArrowArray *a, int64_t row,
                      int top)
{
    const char *f = schema->format;
    int64_t i = a->offset + row;
    if (f[0] == 'n' || is_null(a, i)) {
        slt_buf_puts(b, "NULL");
        return;
    }
    if (schema->dictionary) {
        int64_t k;
        const void *idx = a->buffers[1];
        switch (f[0]) {
        case 'c': k = ((const int8_t *)idx)[i]; break;
        case 'C': k = ((const uint8_t *)idx)[i]; break;
        case 's': k = ((const int16_t *)idx)[i]; break;
        case 'S': k = ((const uint16_t *)idx)[i]; break;
        case 'i': k = ((const int32_t *)idx)[i]; break;
        case 'I': k = (int64_t)((const uint32_t *)idx)[i]; break;
        default: k = ((const int64_t *)idx)[i]; break;
        }
        slt_render_value(b, schema->dictionary, a->dictionary, k, top);
        return;
    }
    const void *v = a->n_buffers > 1 ? a->buffers[1] : NULL;
    switch (f[0]) {
    case 'b': {
        const uint8_t *bits = v;
        slt_buf_puts(b, (bits[i >> 3] >> (i & 7)) & 1 ? "true" : "false");
        return;
    }
    case 'c': slt_buf_printf(b, "%d", ((const int8_t *)v)[i]); return;
    case 'C': slt_buf_printf(b, "%u", ((const uint8_t *)v)[i]); return;
    case 's': slt_buf_printf(b, "%d", ((const int16_t *)v)[i]); return;
    case 'S': slt_buf_printf(b, "%u", ((const uint16_t *)v)[i]); return;
    case 'i': slt_buf_printf(b, "%" PRId32, ((const int32_t *)v)[i]); return;
    case 'I': slt_buf_printf(b, "%" PRIu32, ((const uint32_t *)v)[i]); return;
    case 'l': slt_buf_printf(b, "%" PRId64, ((const int64_t *)v)[i]); return;
    case 'L': slt_buf_printf(b, "%" PRIu64, ((const uint64_t *)v)[i]); return;
    case 'f': slt_render_float(b, ((const float *)v)[i]); return;
    case 'g': slt_render_double(b, ((const double *)v)[i]); return;
    case 'u':
    case 'z': {
        const int32_t *off = v;
        const char *data = a->buffers[2];
        if (f[0] == 'u')
            render_text(b, data + off[i], off[i + 1] - off[i], top);
        else
            render_blob(b, (const uint8_t *)data + off[i], off[i + 1] - off[i], top);
        return;
    }
    case 'U':
    case 'Z': {
        const int64_t *off = v;
        const char *data = a->buffers[2];
        if (f[0] == 'U')
            render_text(b, data + off[i], off[i + 1] - off[i], top);
        else
            render_blob(b, (const uint8_t *)data + off[i], off[i + 1] - off[i], top);
        return;
    }
    case 'w': {
        int width = atoi(f + 2);
        render_blob(b, (const uint8_t *)v + i * width, width, top);
        return;
    }
    case 'd': {
        int precision = 0, scale = 0, bits = 128;
        sscanf(f, "d:%d,%d,%d", &precision, &scale, &bits);
        render_decimal(b, read_decimal(v, i, bits), scale);
        return;
    }
    case 't':
        break;
    case '+':
        if (f[1] == 'l') {
            const int32_t *off = v;
            render_list(b, schema, a, i, off[i], off[i + 1]);
        } else if (f[1] == 'L') {
            const int64_t *off = v;
            render_list(b, schema, a, i, off[i], off[i + 1]);
        } else if (f[1] == 'w') {
            int64_t n = atoll(f + 3);
            render_list(b, schema, a, i, i * n, (i + 1) * n);
        } else if (f[1] == 's') {
            render_struct(b, schema, a, i);
        } else if (f[1] == 'm') {
            const int32_t *off = v;
            render_map(b, schema, a, off[i], off[i + 1]);
        } else {
            slt_buf_printf(b, "<%s>", f);
        }
        return;
    default:
        slt_buf_printf(b, "<%s>", f);
        return;
    }
    /* temporal types: t + kind + unit */
    switch (f[1]) {
    case 'd':
        if (f[2] == 'D')
            render_date(b, ((const int32_t *)v)[i]);
        else
            render_date(b, ((const int64_t *)v)[i] / 86400000);
        return;
    case 't':
        if (f[2] == 's' || f[2] == 'm')
            render_clock(b, ((const int32_t *)v)[i], unit_digits(f[2]));
        else
            render_clock(b, ((const int64_t *)v)[i], unit_digits(f[2]));
        return;
    case 's':
        render_timestamp(b, ((const int64_t *)v)[i], f[2], f[4] != 0);
        return;
    case 'D': {
        int64_t d = ((const int64_t *)v)[i];
        int digits = unit_digits(f[2]);
        int64_t micros = d;
        for (int k = digits; k < 6; k++)
            micros *= 10;
        for (int k = 6; k < digits; k++)
            micros /= 10;
        render_interval(b, 0, 0, micros);
        return;
    }
    case 'i':
        if (f[2] == 'M') {
            render_interval(b, ((const int32_t *)v)[i], 0, 0);
        } else if (f[2] == 'D') {
            const int32_t *p = (const int32_t *)v + 2 * i;
            render_interval(b, 0, p[0], (int64_t)p[1] * 1000);
        } else {
            const uint8_t *p = (const uint8_t *)v + 16 * i;
            int32_t months, days;
            int64_t nanos;
            memcpy(&months, p, 4);
            memcpy(&days, p + 4, 4);
            memcpy(&nanos, p + 8, 8);
            render_interval(b, months, days, nanos / 1000);
        }
        return;
    default:
        slt_buf_printf(b, "<%s>", f);
        return;
    }
}
