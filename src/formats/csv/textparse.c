/*
 * textparse.c — text to typed values for the CSV and JSON readers.
 *
 * The parsers run once per field of a column, so they are plain loops over
 * bytes without allocation or locale: integers accumulate with overflow
 * checks, doubles take the exact fast path (at most 19 significant digits
 * and a power of ten up to 22, Clinger's method) and fall back to strtod on
 * a stack copy only for longer or extreme numbers. Dates use the civil-day
 * arithmetic of the proleptic Gregorian calendar.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/datetime.h"
#include "formats/csv/textparse.h"

static bool is_digit(uint8_t c) { return (unsigned)(c - '0') < 10; }

static bool ieq(const uint8_t *p, int64_t n, const char *word)
{
    size_t k = strlen(word);
    return (size_t)n == k && strncasecmp((const char *)p, word, k) == 0;
}

/* Lower-case ASCII letters of p equal word (already lower case). */
static inline bool lower_eq(const uint8_t *p, int64_t n, const char *word, int64_t k)
{
    if (n != k)
        return false;
    for (int64_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != (uint8_t)word[i])
            return false;
    return true;
}

bool tn_text_parse_bool(const uint8_t *p, int64_t n, bool *out)
{
    if (n == 0 || n > 5)
        return false;
    if (n == 1 && (p[0] == '0' || p[0] == '1')) {
        *out = p[0] == '1';
        return true;
    }
    switch (p[0] | 0x20) {
    case 't':
        *out = true;
        return n == 1 || lower_eq(p, n, "true", 4);
    case 'f':
        *out = false;
        return n == 1 || lower_eq(p, n, "false", 5);
    case 'y':
        *out = true;
        return lower_eq(p, n, "yes", 3);
    case 'n':
        *out = false;
        return lower_eq(p, n, "no", 2);
    default:
        return false;
    }
}

bool tn_text_parse_int64(const uint8_t *p, int64_t n, int64_t *out, bool *overflow)
{
    *overflow = false;
    int64_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    uint64_t v = 0;
    if (n - i <= 18) {
        /* at most 18 digits: no overflow to check */
        for (; i < n; i++) {
            unsigned d = (unsigned)(p[i] - '0');
            if (d > 9)
                return false;
            v = v * 10 + d;
        }
        *out = neg ? -(int64_t)v : (int64_t)v;
        return true;
    }
    bool over = false;
    for (; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return false;
        if (v > (UINT64_MAX - d) / 10)
            over = true;
        else
            v = v * 10 + d;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (over || v > limit) {
        *overflow = true;
        return false;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Checks the syntax [+-](digits[.digits]|.digits)[(e|E)[+-]digits] and, when
 * the mantissa fits the exact path, computes the value. */
bool tn_text_parse_double(const uint8_t *p, int64_t n, double *out)
{
    int64_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (i < n && !is_digit(p[i]) && p[i] != '.') {
        const uint8_t *w = p + i;
        int64_t k = n - i;
        if (ieq(w, k, "inf") || ieq(w, k, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return true;
        }
        if (ieq(w, k, "nan")) {
            *out = NAN;
            return true;
        }
        return false;
    }
    uint64_t mant = 0;
    int digits = 0, exp10 = 0, ndig = 0;
    for (; i < n && is_digit(p[i]); i++, ndig++) {
        if (mant == 0 && p[i] == '0')
            continue;
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(p[i] - '0');
            digits++;
        } else {
            exp10++;
            digits++;
        }
    }
    if (i < n && p[i] == '.') {
        i++;
        for (; i < n && is_digit(p[i]); i++, ndig++) {
            if (mant == 0 && p[i] == '0') {
                exp10--;
                continue;
            }
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(p[i] - '0');
                exp10--;
            }
            digits++;
        }
    }
    if (ndig == 0)
        return false;
    int64_t e = 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '-' || p[i] == '+'))
            eneg = p[i++] == '-';
        if (i == n)
            return false;
        for (; i < n; i++) {
            if (!is_digit(p[i]))
                return false;
            if (e < 100000)
                e = e * 10 + (p[i] - '0');
        }
        e = eneg ? -e : e;
    }
    if (i != n)
        return false;
    int64_t total = e + exp10;
    if (digits <= 19 && mant < (1ull << 53) && total >= -22 && total <= 22) {
        double v = (double)mant;
        v = total < 0 ? v / pow10_exact[-total] : v * pow10_exact[total];
        *out = neg ? -v : v;
        return true;
    }
    if (mant == 0) {
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    char tmp[512];
    if (n >= (int64_t)sizeof tmp)
        return false;
    memcpy(tmp, p, (size_t)n);
    tmp[n] = 0;
    *out = strtod(tmp, NULL);
    return true;
}

static const uint64_t pow10_u64[20] = {1ULL,
                                       10ULL,
                                       100ULL,
                                       1000ULL,
                                       10000ULL,
                                       100000ULL,
                                       1000000ULL,
                                       10000000ULL,
                                       100000000ULL,
                                       1000000000ULL,
                                       10000000000ULL,
                                       100000000000ULL,
                                       1000000000000ULL,
                                       10000000000000ULL,
                                       100000000000000ULL,
                                       1000000000000000ULL,
                                       10000000000000000ULL,
                                       100000000000000000ULL,
                                       1000000000000000000ULL,
                                       10000000000000000000ULL};

/* 10^k as a 128-bit integer, k <= 38 */
static __int128 pow10_i128(int32_t k)
{
    if (k <= 19)
        return (__int128)pow10_u64[k];
    return (__int128)pow10_u64[19] * (__int128)pow10_u64[k - 19];
}

/* Any decimal literal: 128-bit accumulation, rounding half up past scale. */
static bool parse_decimal_wide(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, __int128 *out)
{
    int64_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    __int128 v = 0, big = pow10_i128(38);
    int32_t frac = 0, nd = 0;
    bool round_up = false, dropped = false, dot = false;
    for (; i < n; i++) {
        if (p[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!is_digit(p[i]))
            return false;
        nd++;
        if (dot && frac == scale) {
            /* only the first dropped digit decides the rounding */
            if (!dropped)
                round_up = p[i] >= '5';
            dropped = true;
            continue;
        }
        frac += dot;
        v = v * 10 + (p[i] - '0');
        if (v >= big)
            return false;
    }
    if (nd == 0)
        return false;
    for (; frac < scale; frac++) {
        v *= 10;
        if (v >= big)
            return false;
    }
    if (round_up)
        v += 1;
    if (v >= pow10_i128(precision < 38 ? precision : 38))
        return false;
    *out = neg ? -v : v;
    return true;
}

static inline bool parse_decimal(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, bool exact,
                                 __int128 *out)
{
    /* the common case: at most 18 digits, no more fraction digits than the
     * scale, and the scaled value within 64 bits — one pass, no 128-bit
     * arithmetic until the store */
    int64_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (n - i > 19 || scale > 18 || precision > 38 || precision < 1) {
        if (exact) {
            const uint8_t *dot = memchr(p, '.', (size_t)n);
            for (int64_t k = dot ? (int64_t)(dot - p) + 1 + scale : n; k < n; k++)
                if (p[k] != '0')
                    return false; /* a digit past the scale, or not a decimal at all */
        }
        return parse_decimal_wide(p, n, precision, scale, out);
    }
    uint64_t v = 0;
    int64_t i0 = i;
    unsigned d;
    while (i < n && (d = (unsigned)(p[i] - '0')) <= 9) {
        v = v * 10 + d;
        i++;
    }
    int32_t nd = (int32_t)(i - i0), frac = 0;
    if (i < n) {
        if (p[i] != '.')
            return false;
        int64_t f0 = ++i;
        while (i < n && (d = (unsigned)(p[i] - '0')) <= 9) {
            v = v * 10 + d;
            i++;
        }
        if (i < n)
            return false;
        frac = (int32_t)(i - f0);
        nd += frac;
    }
    if (nd == 0)
        return false;
    if (frac > scale && exact) {
        /* the fraction digits end the text */
        for (int64_t k = n - (frac - scale); k < n; k++)
            if (p[k] != '0')
                return false;
    }
    if (frac > scale || nd + (scale - frac) > 18)
        return parse_decimal_wide(p, n, precision, scale, out);
    v *= pow10_u64[scale - frac];
    if (precision < 19 && v >= pow10_u64[precision])
        return false;
    *out = neg ? -(__int128)v : (__int128)v;
    return true;
}

bool tn_text_parse_decimal(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, __int128 *out)
{
    return parse_decimal(p, n, precision, scale, false, out);
}

bool tn_text_parse_decimal_exact(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, __int128 *out)
{
    return parse_decimal(p, n, precision, scale, true, out);
}

/* Rewrite a date in one of the slashed or dotted layouts as ISO text (the
 * rest of the text after the date is kept), so that the one date/time parser
 * of the project (core/datetime.h) reads every layout. Only the order of
 * the fields changes here; the parser checks them. */
static bool to_iso(const uint8_t *p, int64_t n, uint32_t layout, char *out, size_t cap, size_t *outn)
{
    if (n <= 0 || (size_t)n + 4 > cap)
        return false;
    if (layout == TN_DATE_YMD_SLASH) {
        if (n < 10 || p[4] != '/' || p[7] != '/')
            return false;
        memcpy(out, p, (size_t)n);
        out[4] = out[7] = '-';
        *outn = (size_t)n;
        return true;
    }
    char sep = layout == TN_DATE_DMY_DOT ? '.' : '/';
    int64_t i = 0;
    int a = 0, b = 0, k;
    for (k = 0; i < n && k < 2 && is_digit(p[i]); k++, i++)
        a = a * 10 + (p[i] - '0');
    if (k == 0 || i >= n || p[i++] != sep)
        return false;
    for (k = 0; i < n && k < 2 && is_digit(p[i]); k++, i++)
        b = b * 10 + (p[i] - '0');
    if (k == 0 || i >= n || p[i++] != sep || i + 4 > n)
        return false;
    for (k = 0; k < 4; k++)
        if (!is_digit(p[i + k]))
            return false;
    if (i + 4 < n && is_digit(p[i + 4]))
        return false;
    int month = layout == TN_DATE_MDY ? a : b, day = layout == TN_DATE_MDY ? b : a;
    memcpy(out, p + i, 4);
    /* month and day have at most two digits */
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    memcpy(out + 10, p + i + 4, (size_t)(n - i - 4));
    *outn = 10 + (size_t)(n - i - 4);
    return true;
}

/* Cheap shape checks so that inference does not hand every word to the
 * full parser. */
static bool looks_like(const uint8_t *p, int64_t n, uint32_t layout)
{
    switch (layout) {
    case TN_DATE_ISO:
        return n >= 10 && (p[4] == '-' || p[0] == '-' || p[0] == '+');
    case TN_DATE_YMD_SLASH:
        return n >= 10 && p[4] == '/';
    case TN_DATE_DMY_DOT:
        return n >= 8 && (p[1] == '.' || p[2] == '.');
    default:
        return n >= 8 && (p[1] == '/' || p[2] == '/');
    }
}

/* Exactly YYYY-MM-DD, the layout of nearly every date column: digits and
 * ranges checked here, the day count from core/datetime. False sends the
 * value to the general parser, which decides. */
static inline bool parse_iso_date10(const uint8_t *p, int32_t *days)
{
    unsigned d[8];
    static const uint8_t at[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int k = 0; k < 8; k++)
        if ((d[k] = (unsigned)(p[at[k]] - '0')) > 9)
            return false;
    if (p[4] != '-' || p[7] != '-')
        return false;
    int year = (int)(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]);
    int month = (int)(d[4] * 10 + d[5]), day = (int)(d[6] * 10 + d[7]);
    static const uint8_t mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > mdays[month] + (month == 2 && leap))
        return false;
    /* days since 1970-01-01 of the proleptic Gregorian calendar, counted
     * in 400-year eras of years that begin on March 1 (so the leap day is
     * the last day of a year); year is 0..9999 here */
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = (int32_t)(era * 146097 + doe - 719468);
    return true;
}

bool tn_text_parse_date(const uint8_t *p, int64_t n, uint32_t layouts, int32_t *days)
{
    char tmp[160];
    size_t m;
    if (n == 10 && (layouts & TN_DATE_ISO) && parse_iso_date10(p, days))
        return true;
    for (uint32_t l = 1; l <= TN_DATE_DMY_DOT; l <<= 1) {
        if (!(layouts & l) || !looks_like(p, n, l))
            continue;
        if (l == TN_DATE_ISO ? tn_parse_date((const char *)p, (size_t)n, days, NULL) == TARN_OK
                             : to_iso(p, n, l, tmp, sizeof tmp, &m) && tn_parse_date(tmp, m, days, NULL) == TARN_OK)
            return true;
    }
    return false;
}

bool tn_text_parse_time(const uint8_t *p, int64_t n, int64_t *micros)
{
    if (n < 4 || (p[1] != ':' && p[2] != ':'))
        return false;
    return tn_parse_time((const char *)p, (size_t)n, TN_DT_US, micros, NULL) == TARN_OK;
}

bool tn_text_parse_timestamp(const uint8_t *p, int64_t n, uint32_t layouts, int64_t *micros, bool *has_zone)
{
    char tmp[160];
    size_t m;
    tn_timestamp_parsed ts;
    for (uint32_t l = 1; l <= TN_DATE_DMY_DOT; l <<= 1) {
        if (!(layouts & l) || !looks_like(p, n, l))
            continue;
        int rc = l == TN_DATE_ISO ? tn_parse_timestamp((const char *)p, (size_t)n, TN_DT_US, &ts, NULL)
                 : to_iso(p, n, l, tmp, sizeof tmp, &m) ? tn_parse_timestamp(tmp, m, TN_DT_US, &ts, NULL)
                                                        : TARN_EPARSE;
        if (rc == TARN_OK) {
            *micros = ts.value;
            *has_zone = ts.has_zone;
            return true;
        }
    }
    return false;
}

bool tn_text_decimal_shape(const uint8_t *p, int64_t n, int32_t *int_digits, int32_t *frac_digits)
{
    int64_t i = n > 0 && (p[0] == '-' || p[0] == '+');
    int64_t lead = 0, whole = 0, frac = 0;
    while (i < n && p[i] == '0')
        i++, lead++;
    for (; i < n && is_digit(p[i]); i++)
        whole++;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]); i++)
            frac++;
    if (i != n || lead + whole + frac == 0 || whole + frac > 38)
        return false;
    *int_digits = (int32_t)whole;
    *frac_digits = (int32_t)frac;
    return true;
}

uint32_t tn_text_classify(const uint8_t *p, int64_t n)
{
    uint32_t m = 0;
    if (n == 0)
        return 0;
    uint8_t c = p[0];
    if (c == 't' || c == 'T' || c == 'f' || c == 'F') {
        if (ieq(p, n, "true") || ieq(p, n, "false"))
            return TN_CAN_BOOL;
    }
    int64_t iv;
    bool over;
    double dv;
    if (tn_text_parse_int64(p, n, &iv, &over))
        m |= TN_CAN_INT | TN_CAN_FLOAT;
    else if (tn_text_parse_double(p, n, &dv))
        m |= TN_CAN_FLOAT;
    int32_t wd, fd;
    if (m && tn_text_decimal_shape(p, n, &wd, &fd))
        m |= TN_CAN_DECIMAL;
    if (m || n < 4 || !is_digit(c))
        return m;
    int64_t us;
    if (tn_text_parse_time(p, n, &us))
        m |= TN_CAN_TIME;
    for (uint32_t l = 1; l <= TN_DATE_DMY_DOT; l <<= 1) {
        int32_t d;
        bool z;
        if (tn_text_parse_date(p, n, l, &d))
            m |= TN_CAN_DATE | TN_CAN_TS | TN_CAN_TSTZ | (l << TN_CAN_DATE_SHIFT);
        else if (tn_text_parse_timestamp(p, n, l, &us, &z))
            m |= (z ? TN_CAN_TSTZ : TN_CAN_TS) | (l << TN_CAN_DATE_SHIFT);
    }
    return m;
}

/* --- type names -------------------------------------------------------- */

tn_type *tn_text_type_from_name(const char *s, int64_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    static const struct { const char *name; tn_type_id id; } simple[] = {
        {"bool", TN_BOOL},      {"boolean", TN_BOOL},   {"int", TN_INT64},     {"integer", TN_INT64},
        {"bigint", TN_INT64},   {"int64", TN_INT64},    {"int32", TN_INT32},   {"double", TN_FLOAT64},
        {"float", TN_FLOAT64},  {"float64", TN_FLOAT64}, {"real", TN_FLOAT64}, {"date", TN_DATE32},
        {"string", TN_STRING},  {"varchar", TN_STRING}, {"text", TN_STRING},   {"utf8", TN_STRING},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        if (ieq(p, n, simple[i].name))
            return tn_type_get(simple[i].id);
    if (ieq(p, n, "time"))
        return tn_type_time(TN_TIME64, TN_MICRO);
    if (ieq(p, n, "timestamp"))
        return tn_type_timestamp(TN_MICRO, NULL);
    if (ieq(p, n, "timestamptz"))
        return tn_type_timestamp(TN_MICRO, "UTC");
    if (n > 8 && strncasecmp(s, "decimal(", 8) == 0 && s[n - 1] == ')') {
        int prec = 0, scale = 0, k = 0;
        char tmp[32];
        if (n - 8 >= (int64_t)sizeof tmp)
            return NULL;
        memcpy(tmp, s + 8, (size_t)(n - 9));
        tmp[n - 9] = 0;
        if (sscanf(tmp, "%d , %d%n", &prec, &scale, &k) != 2 || tmp[k] != 0)
            return NULL;
        if (prec < 1 || prec > 38 || scale < 0 || scale > prec)
            return NULL;
        return tn_type_decimal(128, prec, scale);
    }
    return NULL;
}

void tn_text_free_columns(int32_t n, char **names, tn_type **types)
{
    for (int32_t i = 0; i < n; i++) {
        if (names)
            tn_free(names[i]);
        if (types)
            tn_type_unref(types[i]);
    }
    tn_free(names);
    tn_free(types);
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    return s;
}

/* Splits at commas that are not inside parentheses (decimal(10, 2)). */
int tn_text_parse_columns(const char *text, int32_t *n, char ***names, tn_type ***types, tarn_error *err)
{
    *n = 0;
    *names = NULL;
    *types = NULL;
    int32_t cap = 0, cnt = 0;
    char **nm = NULL;
    tn_type **ty = NULL;
    const char *s = skip_ws(text);
    while (*s) {
        const char *name = s;
        while (*s && *s != ' ' && *s != '\t' && *s != ':' && *s != ',')
            s++;
        size_t name_len = (size_t)(s - name);
        s = skip_ws(s);
        if (*s == ':')
            s = skip_ws(s + 1);
        const char *ts = s;
        int depth = 0;
        while (*s && (depth > 0 || *s != ',')) {
            depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
            s++;
        }
        const char *te = s;
        while (te > ts && (te[-1] == ' ' || te[-1] == '\t'))
            te--;
        if (name_len == 0 || te == ts) {
            tn_text_free_columns(cnt, nm, ty);
            return tn_error_set(err, TARN_EINVAL, "column list '%s': expected 'name type' pairs separated by commas", text);
        }
        tn_type *t = tn_text_type_from_name(ts, te - ts);
        if (!t) {
            tn_text_free_columns(cnt, nm, ty);
            return tn_error_set(err, TARN_EINVAL, "column list: unknown type '%.*s' for column '%.*s'", (int)(te - ts), ts,
                                (int)name_len, name);
        }
        if (cnt == cap) {
            int32_t nc = cap ? cap * 2 : 8;
            char **n2 = tn_realloc(nm, (size_t)nc * sizeof *n2);
            if (n2)
                nm = n2;
            tn_type **t2 = n2 ? tn_realloc(ty, (size_t)nc * sizeof *t2) : NULL;
            if (t2)
                ty = t2;
            if (!n2 || !t2) {
                tn_type_unref(t);
                tn_text_free_columns(cnt, nm, ty);
                return tn_error_oom(err, (size_t)nc * sizeof *n2);
            }
            cap = nc;
        }
        nm[cnt] = tn_strndup(name, name_len);
        ty[cnt] = t;
        if (!nm[cnt]) {
            tn_text_free_columns(cnt + 1, nm, ty);
            return tn_error_oom(err, name_len + 1);
        }
        cnt++;
        if (*s == ',')
            s = skip_ws(s + 1);
    }
    *n = cnt;
    *names = nm;
    *types = ty;
    return TARN_OK;
}

size_t tn_text_swap_separators(const uint8_t *p, size_t n, uint8_t *dst, size_t cap)
{
    if (n > cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        dst[i] = p[i] == ',' ? '.' : p[i] == '.' ? ',' : p[i];
    return n;
}

/* --- strptime-style formats ---------------------------------------------- */

typedef struct fmt_fields {
    int64_t year;
    int month, day, yday, hour, minute, second, pm, frac_us, offset_s;
    bool hour12, zone;
} fmt_fields;

static bool take_int(const uint8_t *p, int64_t n, int64_t *i, int min_d, int max_d, int64_t *out)
{
    int64_t v = 0;
    int d = 0;
    while (*i < n && d < max_d && is_digit(p[*i]))
        v = v * 10 + (p[(*i)++] - '0'), d++;
    *out = v;
    return d >= min_d;
}

static const char *const month_names[] = {"january", "february", "march",     "april",   "may",      "june",
                                          "july",    "august",   "september", "october", "november", "december"};
static const char *const day_names[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

/* A full or three-letter English name from names[count]; its index. */
static int take_name(const uint8_t *p, int64_t n, int64_t *i, const char *const *names, int count)
{
    for (int k = 0; k < count; k++) {
        int64_t full = (int64_t)strlen(names[k]);
        if (n - *i >= full && lower_eq(p + *i, full, names[k], full)) {
            *i += full;
            return k;
        }
    }
    for (int k = 0; k < count; k++)
        if (n - *i >= 3 && lower_eq(p + *i, 3, names[k], 3)) {
            *i += 3;
            return k;
        }
    return -1;
}

static bool take_zone(const uint8_t *p, int64_t n, int64_t *i, fmt_fields *f)
{
    f->zone = true;
    if (*i < n && (p[*i] == 'Z' || p[*i] == 'z')) {
        (*i)++;
        return true;
    }
    if (*i >= n || (p[*i] != '+' && p[*i] != '-'))
        return false;
    int sign = p[(*i)++] == '-' ? -1 : 1;
    int64_t h, m = 0;
    if (!take_int(p, n, i, 2, 2, &h) || h > 23)
        return false;
    if (*i < n && p[*i] == ':')
        (*i)++;
    if (*i < n && is_digit(p[*i]) && (!take_int(p, n, i, 2, 2, &m) || m > 59))
        return false;
    f->offset_s = sign * (int)(h * 3600 + m * 60);
    return true;
}

static bool take_directive(char d, const uint8_t *p, int64_t n, int64_t *i, fmt_fields *f)
{
    int64_t v;
    int k;
    switch (d) {
    case 'Y': if (!take_int(p, n, i, 4, 4, &v)) return false; f->year = v; return true;
    case 'y': if (!take_int(p, n, i, 2, 2, &v)) return false; f->year = v < 69 ? 2000 + v : 1900 + v; return true;
    case 'm': if (!take_int(p, n, i, 1, 2, &v)) return false; f->month = (int)v; return true;
    case 'd': if (!take_int(p, n, i, 1, 2, &v)) return false; f->day = (int)v; return true;
    case 'j': if (!take_int(p, n, i, 1, 3, &v) || v < 1) return false; f->yday = (int)v; return true;
    case 'H': if (!take_int(p, n, i, 1, 2, &v) || v > 23) return false; f->hour = (int)v; return true;
    case 'I': if (!take_int(p, n, i, 1, 2, &v) || v < 1 || v > 12) return false; f->hour = (int)v % 12; f->hour12 = true; return true;
    case 'M': if (!take_int(p, n, i, 1, 2, &v) || v > 59) return false; f->minute = (int)v; return true;
    case 'S': if (!take_int(p, n, i, 1, 2, &v) || v > 59) return false; f->second = (int)v; return true;
    case 'f': {
        int64_t start = *i;
        if (!take_int(p, n, i, 1, 9, &v))
            return false;
        for (int64_t digits = *i - start; digits < 6; digits++)
            v *= 10;
        for (int64_t digits = *i - start; digits > 6; digits--)
            v /= 10;
        f->frac_us = (int)v;
        return true;
    }
    case 'b': case 'B': case 'h':
        if ((k = take_name(p, n, i, month_names, 12)) < 0) return false;
        f->month = k + 1;
        return true;
    case 'a': case 'A': return take_name(p, n, i, day_names, 7) >= 0;
    case 'p':
        if (n - *i < 2 || (p[*i + 1] != 'M' && p[*i + 1] != 'm')) return false;
        if (p[*i] == 'P' || p[*i] == 'p') f->pm = 1;
        else if (p[*i] != 'A' && p[*i] != 'a') return false;
        *i += 2;
        return true;
    case 'z': return take_zone(p, n, i, f);
    case '%': return *i < n && p[(*i)++] == '%';
    default: return false;
    }
}

static bool run_format(const char *fmt, const uint8_t *p, int64_t n, int64_t *i, fmt_fields *f, int depth)
{
    for (const char *c = fmt; *c; c++) {
        if (*c == '%') {
            char d = *++c;
            bool ok = d == 0   ? false
                    : d == 'T' ? depth == 0 && run_format("%H:%M:%S", p, n, i, f, 1)
                    : d == 'F' ? depth == 0 && run_format("%Y-%m-%d", p, n, i, f, 1)
                               : take_directive(d, p, n, i, f);
            if (!ok)
                return false;
        } else if (*c == ' ') {
            if (*i >= n || p[*i] != ' ')
                return false;
            while (*i < n && p[*i] == ' ')
                (*i)++;
        } else if (*i >= n || p[(*i)++] != (uint8_t)*c) {
            return false;
        }
    }
    return true;
}

bool tn_text_parse_format(const char *fmt, const uint8_t *p, int64_t n, int64_t *micros, bool *has_zone)
{
    fmt_fields f = {.year = 1970, .month = 1, .day = 1};
    int64_t i = 0;
    if (!run_format(fmt, p, n, &i, &f, 0) || i != n)
        return false;
    if (f.hour12 && f.pm)
        f.hour += 12;
    else if (f.pm && f.hour < 12)
        f.hour += 12;
    int64_t days;
    if (f.yday) {
        if (f.yday > (tn_is_leap_year(f.year) ? 366 : 365))
            return false;
        days = tn_days_from_civil(f.year, 1, 1) + f.yday - 1;
    } else {
        if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > tn_days_in_month(f.year, f.month))
            return false;
        days = tn_days_from_civil(f.year, f.month, f.day);
    }
    *micros = ((days * 86400 + f.hour * 3600 + f.minute * 60 + f.second) - f.offset_s) * 1000000 + f.frac_us;
    *has_zone = f.zone;
    return true;
}

bool tn_text_format_valid(const char *fmt)
{
    for (const char *c = fmt; *c; c++)
        if (*c == '%' && (!*++c || !strchr("YymdjHIMSfbBhaApzTF%", *c)))
            return false;
    return *fmt != 0;
}
