/*
 * datetime.c — civil calendar arithmetic, timestamp units, ISO-8601 parsing
 * and formatting (see datetime.h). Time zones live in tz.c.
 *
 * The calendar conversions count days in 400-year eras of 146097 days that
 * start on March 1st, so that the leap day is the last day of a "year" and a
 * month's first day follows from a linear formula (the approach Howard
 * Hinnant describes in "chrono-Compatible Low-Level Date Algorithms"). Every
 * division of a possibly negative value floors, which makes the same code
 * exact before the epoch and before year 0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/datetime.h"

static const int64_t per_second[4] = {1, 1000, 1000000, 1000000000};

static const char *unit_name(tn_dt_unit u)
{
    static const char *names[4] = {"s", "ms", "us", "ns"};
    return names[(unsigned)u & 3];
}

static int64_t fdiv(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

static int64_t fmod64(int64_t a, int64_t b) /* b > 0; result in [0, b) */
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* ---- calendar ------------------------------------------------------------ */

bool tn_is_leap_year(int64_t y)
{
    return (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0);
}

int tn_days_in_month(int64_t year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && tn_is_leap_year(year) ? 29 : len[month - 1];
}

int64_t tn_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2; /* January and February belong to the previous March-based year */
    int64_t era = fdiv(y, 400);
    int64_t yoe = y - era * 400;                          /* 0..399 */
    int64_t doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1; /* 0..365, from March 1st */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  /* 0..146096 */
    return era * 146097 + doe - 719468;                   /* 719468: 0000-03-01 to 1970-01-01 */
}

void tn_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    /* Shift to 0000-03-01 without overflowing near INT64_MAX: take whole eras
     * first, then add the shift to the remainder. */
    int64_t era = fdiv(days, 146097);
    int64_t rest = fmod64(days, 146097) + 719468;
    era += rest / 146097;
    int64_t doe = rest % 146097;                                          /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                     /* 0..11, 0 = March */
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = m;
    *year = yoe + era * 400 + (m <= 2);
}

int tn_weekday(int64_t days)
{
    return (int)fmod64(days + 4, 7); /* 1970-01-01 was a Thursday */
}

int tn_iso_weekday(int64_t days)
{
    int w = tn_weekday(days);
    return w == 0 ? 7 : w;
}

int tn_day_of_year(int64_t days)
{
    int64_t y;
    int m, d;
    tn_civil_from_days(days, &y, &m, &d);
    return (int)(days - tn_days_from_civil(y, 1, 1)) + 1;
}

void tn_iso_week(int64_t days, int64_t *iso_year, int *week)
{
    /* An ISO week belongs to the year that holds its Thursday. */
    int64_t thursday = days - tn_iso_weekday(days) + 4;
    int64_t y;
    int m, d;
    tn_civil_from_days(thursday, &y, &m, &d);
    *iso_year = y;
    *week = (int)((thursday - tn_days_from_civil(y, 1, 1)) / 7) + 1;
}

/* ---- timestamps ------------------------------------------------------------ */

int64_t tn_unit_per_second(tn_dt_unit unit)
{
    return per_second[(unsigned)unit & 3];
}

void tn_timestamp_to_civil(int64_t value, tn_dt_unit unit, tn_civil *out)
{
    int64_t ups = tn_unit_per_second(unit);
    int64_t secs = fdiv(value, ups);
    int64_t frac = fmod64(value, ups);
    int64_t days = fdiv(secs, TN_SECS_PER_DAY);
    int64_t sod = fmod64(secs, TN_SECS_PER_DAY);
    tn_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(sod / 3600);
    out->minute = (int)(sod / 60 % 60);
    out->second = (int)(sod % 60);
    out->nanos = (int32_t)(frac * (1000000000 / ups));
}

/* Seconds since the epoch of a checked civil value, into *secs. */
static int civil_seconds(const tn_civil *c, int64_t *secs)
{
    /* Beyond ±3e11 years no int64 second count fits; also keeps
     * tn_days_from_civil far from its own limits. */
    if (c->year > 300000000000LL || c->year < -300000000000LL)
        return TARN_EOVERFLOW;
    int64_t days = tn_days_from_civil(c->year, c->month, c->day);
    int64_t s;
    if (__builtin_mul_overflow(days, (int64_t)TN_SECS_PER_DAY, &s) ||
        __builtin_add_overflow(s, (int64_t)(c->hour * 3600 + c->minute * 60 + c->second), &s))
        return TARN_EOVERFLOW;
    *secs = s;
    return TARN_OK;
}

/* secs * units-per-second + sub, with overflow detection. */
static int scale_seconds(int64_t secs, int64_t sub, tn_dt_unit unit, int64_t *out)
{
    int64_t v, ups = tn_unit_per_second(unit);
    if (secs < 0 && sub > 0) { /* reach INT64_MIN's own second: (secs+1)*ups - (ups-sub) */
        secs += 1;
        sub -= ups;
    }
    if (__builtin_mul_overflow(secs, ups, &v) || __builtin_add_overflow(v, sub, &v))
        return TARN_EOVERFLOW;
    *out = v;
    return TARN_OK;
}

int tn_civil_to_timestamp(const tn_civil *c, tn_dt_unit unit, int64_t *out, tarn_error *err)
{
    if (c->month < 1 || c->month > 12 || c->day < 1 || c->day > tn_days_in_month(c->year, c->month) ||
        c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 || c->second > 59 ||
        c->nanos < 0 || c->nanos > 999999999)
        return tn_error_set(err, TARN_EINVAL, "invalid civil time %lld-%02d-%02d %02d:%02d:%02d.%09d",
                            (long long)c->year, c->month, c->day, c->hour, c->minute, c->second, c->nanos);
    int64_t secs;
    int64_t sub = c->nanos / (1000000000 / tn_unit_per_second(unit));
    if (civil_seconds(c, &secs) != TARN_OK || scale_seconds(secs, sub, unit, out) != TARN_OK)
        return tn_error_set(err, TARN_EOVERFLOW, "year %lld is out of range for a timestamp in %s",
                            (long long)c->year, unit_name(unit));
    return TARN_OK;
}

int tn_timestamp_convert(int64_t value, tn_dt_unit from, tn_dt_unit to, int64_t *out, tarn_error *err)
{
    int64_t a = tn_unit_per_second(from), b = tn_unit_per_second(to);
    if (b >= a) {
        if (__builtin_mul_overflow(value, b / a, out))
            return tn_error_set(err, TARN_EOVERFLOW, "timestamp %lld %s does not fit in %s", (long long)value,
                                unit_name(from), unit_name(to));
    } else {
        *out = fdiv(value, a / b);
    }
    return TARN_OK;
}

/* ---- parsing -----------------------------------------------------------------
 * The small parsers below work on a cursor and describe a failure in a
 * `fail` record; the public functions turn it into one message that quotes
 * the input: "invalid date '2023-02-30': day 30 is out of range for
 * 2023-02 (28 days)". */

typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
} cursor;

typedef struct fail {
    int code;
    char msg[192];
} fail;

static int failf(fail *f, int code, const char *fmt, ...) TN_PRINTF(3, 4);
static int failf(fail *f, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    f->code = code;
    return code;
}

static bool at_end(const cursor *c)
{
    return c->pos >= c->len;
}

static int peek(const cursor *c)
{
    return at_end(c) ? -1 : (unsigned char)c->s[c->pos];
}

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

/* Describe the character at the cursor for a message: 'x', byte 0x07 or end. */
static const char *what_at(const cursor *c, char buf[48])
{
    int ch = peek(c);
    if (ch < 0)
        snprintf(buf, 48, "end of input");
    else if (ch >= 0x20 && ch < 0x7f)
        snprintf(buf, 48, "'%c' at offset %zu", ch, c->pos);
    else
        snprintf(buf, 48, "byte 0x%02x at offset %zu", (unsigned)ch, c->pos);
    return buf;
}

static int expect_char(cursor *c, char want, const char *role, fail *f)
{
    if (peek(c) != want) {
        char b[48];
        return failf(f, TARN_EPARSE, "expected '%c' %s, found %s", want, role, what_at(c, b));
    }
    c->pos++;
    return TARN_OK;
}

/* Exactly `n` digits. */
static int fixed_digits(cursor *c, int n, const char *role, int *out, fail *f)
{
    int v = 0;
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(peek(c))) {
            char b[48];
            return failf(f, TARN_EPARSE, "expected a two-digit %s, found %s", role, what_at(c, b));
        }
        v = v * 10 + (c->s[c->pos++] - '0');
    }
    *out = v;
    return TARN_OK;
}

#define MAX_YEAR_DIGITS 12

/* [+-]YYYY-MM-DD into a day count (int64, not yet range-checked). */
static int parse_date_part(cursor *c, int64_t *days, fail *f)
{
    bool neg = false;
    if (peek(c) == '+' || peek(c) == '-')
        neg = c->s[c->pos++] == '-';
    size_t start = c->pos;
    int64_t year = 0;
    while (is_digit(peek(c))) {
        if (c->pos - start >= MAX_YEAR_DIGITS)
            return failf(f, TARN_EOVERFLOW, "year has more than %d digits", MAX_YEAR_DIGITS);
        year = year * 10 + (c->s[c->pos++] - '0');
    }
    size_t nd = c->pos - start;
    if (nd == 0) {
        char b[48];
        return failf(f, TARN_EPARSE, "expected a year, found %s", what_at(c, b));
    }
    if (nd < 4)
        return failf(f, TARN_EPARSE, "year must have at least 4 digits, found %zu", nd);
    if (neg)
        year = -year;
    int month = 0, day = 0;
    TN_TRY(expect_char(c, '-', "after the year", f));
    TN_TRY(fixed_digits(c, 2, "month", &month, f));
    TN_TRY(expect_char(c, '-', "after the month", f));
    TN_TRY(fixed_digits(c, 2, "day", &day, f));
    if (month < 1 || month > 12)
        return failf(f, TARN_EPARSE, "month %d is out of range (01..12)", month);
    int dim = tn_days_in_month(year, month);
    if (day < 1 || day > dim)
        return failf(f, TARN_EPARSE, "day %d is out of range for %04lld-%02d (%d days)", day, (long long)year,
                     month, dim);
    *days = tn_days_from_civil(year, month, day);
    return TARN_OK;
}

/* HH:MM[:SS[.f{1,9}]] into seconds of the day and nanoseconds. */
static int parse_time_part(cursor *c, int64_t *sod, int32_t *nanos, fail *f)
{
    int h = 0, m = 0, s = 0;
    int32_t ns = 0;
    TN_TRY(fixed_digits(c, 2, "hour", &h, f));
    TN_TRY(expect_char(c, ':', "after the hour", f));
    TN_TRY(fixed_digits(c, 2, "minute", &m, f));
    if (peek(c) == ':') {
        c->pos++;
        TN_TRY(fixed_digits(c, 2, "second", &s, f));
        if (peek(c) == '.' || peek(c) == ',') {
            c->pos++;
            int nd = 0;
            while (is_digit(peek(c))) {
                if (nd == 9)
                    return failf(f, TARN_EPARSE, "fraction of a second has more than 9 digits");
                ns = ns * 10 + (c->s[c->pos++] - '0');
                nd++;
            }
            if (nd == 0) {
                char b[48];
                return failf(f, TARN_EPARSE, "expected fraction digits after the decimal point, found %s",
                             what_at(c, b));
            }
            for (; nd < 9; nd++)
                ns *= 10;
        }
    }
    if (h > 23)
        return failf(f, TARN_EPARSE, "hour %d is out of range (00..23)", h);
    if (m > 59)
        return failf(f, TARN_EPARSE, "minute %d is out of range (00..59)", m);
    if (s > 59)
        return failf(f, TARN_EPARSE, "second %d is out of range (00..59)", s);
    *sod = h * 3600 + m * 60 + s;
    *nanos = ns;
    return TARN_OK;
}

/* ±HH[:MM] or ±HHMM into seconds east of UTC. */
static int parse_offset(cursor *c, int32_t *off, fail *f)
{
    bool neg = c->s[c->pos++] == '-';
    int h = 0, m = 0;
    TN_TRY(fixed_digits(c, 2, "offset hour", &h, f));
    if (peek(c) == ':') {
        c->pos++;
        TN_TRY(fixed_digits(c, 2, "offset minute", &m, f));
    } else if (is_digit(peek(c))) {
        TN_TRY(fixed_digits(c, 2, "offset minute", &m, f));
    }
    if (h > 23)
        return failf(f, TARN_EPARSE, "offset hour %d is out of range (00..23)", h);
    if (m > 59)
        return failf(f, TARN_EPARSE, "offset minute %d is out of range (00..59)", m);
    int32_t v = h * 3600 + m * 60;
    *off = neg ? -v : v;
    return TARN_OK;
}

static int trailing(const cursor *c, fail *f)
{
    if (at_end(c))
        return TARN_OK;
    char b[48];
    return failf(f, TARN_EPARSE, "unexpected %s", what_at(c, b));
}

/* The input for a message: at most 64 bytes, non-printable bytes as '?'. */
static void quote(const char *s, size_t len, char out[72])
{
    size_t n = len > 64 ? 64 : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = ch >= 0x20 && ch < 0x7f && ch != '\'' ? (char)ch : '?';
    }
    if (len > n) {
        memcpy(out + n, "...", 4);
    } else {
        out[n] = '\0';
    }
}

static int report(tarn_error *err, const fail *f, const char *what, const char *s, size_t len)
{
    char q[72];
    quote(s, len, q);
    return tn_error_set(err, f->code, "invalid %s '%s': %s", what, q, f->msg);
}

int tn_parse_date(const char *s, size_t len, int32_t *days, tarn_error *err)
{
    cursor c = {s, len, 0};
    fail f;
    int64_t d = 0;
    if (parse_date_part(&c, &d, &f) != TARN_OK || trailing(&c, &f) != TARN_OK)
        return report(err, &f, "date", s, len);
    if (d < INT32_MIN || d > INT32_MAX) {
        failf(&f, TARN_EOVERFLOW, "out of range of a 32-bit day count");
        return report(err, &f, "date", s, len);
    }
    *days = (int32_t)d;
    return TARN_OK;
}

int tn_parse_time(const char *s, size_t len, tn_dt_unit unit, int64_t *out, tarn_error *err)
{
    cursor c = {s, len, 0};
    fail f;
    int64_t sod = 0;
    int32_t ns = 0;
    if (parse_time_part(&c, &sod, &ns, &f) != TARN_OK || trailing(&c, &f) != TARN_OK)
        return report(err, &f, "time", s, len);
    int64_t ups = tn_unit_per_second(unit);
    *out = sod * ups + ns / (1000000000 / ups);
    return TARN_OK;
}

/* The zone part after a timestamp: sets *utc_secs from the local seconds. */
static int parse_zone_part(cursor *c, int64_t local, int64_t *utc, bool *has_zone, fail *f)
{
    *utc = local;
    *has_zone = false;
    size_t save = c->pos;
    while (peek(c) == ' ')
        c->pos++;
    if (at_end(c)) {
        c->pos = save; /* trailing spaces are garbage, reported by trailing() */
        return TARN_OK;
    }
    int ch = peek(c);
    bool z_alone = c->pos + 1 == c->len || c->s[c->pos + 1] == '[';
    if ((ch == 'Z' || ch == 'z') && z_alone) {
        c->pos++;
        *has_zone = true;
    } else if (ch == '+' || ch == '-') {
        int32_t off = 0;
        TN_TRY(parse_offset(c, &off, f));
        if (__builtin_sub_overflow(local, (int64_t)off, utc))
            return failf(f, TARN_EOVERFLOW, "out of range of a 64-bit second count");
        *has_zone = true;
    }
    /* A zone name: after a space, or in brackets (after an offset, the
     * offset decides the instant and the name must merely exist). */
    size_t name_start, name_end;
    if (peek(c) == '[') {
        name_start = ++c->pos;
        while (!at_end(c) && c->s[c->pos] != ']')
            c->pos++;
        if (at_end(c))
            return failf(f, TARN_EPARSE, "zone name in brackets lacks its ']'");
        name_end = c->pos++;
    } else if (!*has_zone && c->pos > save) {
        name_start = c->pos;
        c->pos = c->len;
        name_end = c->len;
    } else {
        return TARN_OK;
    }
    char name[256];
    size_t n = name_end - name_start;
    if (n == 0 || n >= sizeof name)
        return failf(f, TARN_EPARSE, "zone name must have 1 to %zu characters", sizeof name - 1);
    memcpy(name, c->s + name_start, n);
    name[n] = '\0';
    if (memchr(name, '\0', n))
        return failf(f, TARN_EPARSE, "zone name contains a NUL byte");
    const tn_tz *tz;
    tarn_error e;
    int rc = tn_tz_get(name, &tz, &e);
    if (rc != TARN_OK)
        return failf(f, rc, "%s", e.message);
    if (!*has_zone) {
        if (local > INT64_MAX / 2 || local < INT64_MIN / 2) /* beyond ±146 billion years */
            return failf(f, TARN_EOVERFLOW, "out of range of a timestamp with a time zone");
        *utc = tn_tz_local_to_utc(tz, local, NULL);
    }
    *has_zone = true;
    return TARN_OK;
}

int tn_parse_timestamp(const char *s, size_t len, tn_dt_unit unit, tn_timestamp_parsed *out, tarn_error *err)
{
    cursor c = {s, len, 0};
    fail f;
    int64_t days = 0, sod = 0, secs = 0;
    int32_t ns = 0;
    bool has_zone = false;
    if (parse_date_part(&c, &days, &f) != TARN_OK)
        return report(err, &f, "timestamp", s, len);
    int ch = peek(&c);
    if (ch == 'T' || ch == 't' || (ch == ' ' && c.pos + 1 < len && is_digit((unsigned char)s[c.pos + 1]))) {
        c.pos++;
        if (parse_time_part(&c, &sod, &ns, &f) != TARN_OK)
            return report(err, &f, "timestamp", s, len);
    }
    int64_t local;
    if (__builtin_mul_overflow(days, (int64_t)TN_SECS_PER_DAY, &local) || __builtin_add_overflow(local, sod, &local)) {
        failf(&f, TARN_EOVERFLOW, "out of range of a timestamp in %s", unit_name(unit));
        return report(err, &f, "timestamp", s, len);
    }
    if (parse_zone_part(&c, local, &secs, &has_zone, &f) != TARN_OK || trailing(&c, &f) != TARN_OK)
        return report(err, &f, "timestamp", s, len);
    int64_t sub = ns / (1000000000 / tn_unit_per_second(unit));
    if (scale_seconds(secs, sub, unit, &out->value) != TARN_OK) {
        failf(&f, TARN_EOVERFLOW, "out of range of a timestamp in %s", unit_name(unit));
        return report(err, &f, "timestamp", s, len);
    }
    out->has_zone = has_zone;
    return TARN_OK;
}

/* ---- formatting -------------------------------------------------------------
 * Printers and writers format millions of values, so the text is built with
 * plain digit loops into a local buffer (no printf), then copied out. */

typedef struct text {
    char b[TN_DT_FORMAT_MAX];
    size_t n;
} text;

static void put_char(text *t, char ch)
{
    t->b[t->n++] = ch;
}

/* v in decimal with at least `width` digits. */
static void put_uint(text *t, uint64_t v, int width)
{
    char d[20];
    int k = 0;
    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (; k < width; width--)
        put_char(t, '0');
    while (k)
        put_char(t, d[--k]);
}

static void put_date(text *t, int64_t days)
{
    int64_t y;
    int m, d;
    tn_civil_from_days(days, &y, &m, &d);
    if (y < 0)
        put_char(t, '-');
    else if (y > 9999)
        put_char(t, '+');
    put_uint(t, y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y, 4);
    put_char(t, '-');
    put_uint(t, (uint64_t)m, 2);
    put_char(t, '-');
    put_uint(t, (uint64_t)d, 2);
}

static void put_clock(text *t, int64_t sod, int64_t frac, tn_dt_unit unit)
{
    static const int digits[4] = {0, 3, 6, 9};
    put_uint(t, (uint64_t)(sod / 3600), 2);
    put_char(t, ':');
    put_uint(t, (uint64_t)(sod / 60 % 60), 2);
    put_char(t, ':');
    put_uint(t, (uint64_t)(sod % 60), 2);
    if (unit != TN_DT_S) {
        put_char(t, '.');
        put_uint(t, (uint64_t)frac, digits[unit & 3]);
    }
}

static void put_offset(text *t, int32_t off)
{
    put_char(t, off < 0 ? '-' : '+');
    int64_t a = off < 0 ? -(int64_t)off : off;
    put_uint(t, (uint64_t)(a / 3600), 2);
    put_char(t, ':');
    put_uint(t, (uint64_t)(a / 60 % 60), 2);
    if (a % 60) {
        put_char(t, ':');
        put_uint(t, (uint64_t)(a % 60), 2);
    }
}

/* Copy out as much as fits, always NUL-terminated; the length kept. */
static size_t finish(const text *t, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = t->n < cap ? t->n : cap - 1;
    memcpy(out, t->b, n);
    out[n] = '\0';
    return n;
}

size_t tn_format_date(int64_t days, char *out, size_t cap)
{
    text t = {.n = 0};
    put_date(&t, days);
    return finish(&t, out, cap);
}

size_t tn_format_time(int64_t value, tn_dt_unit unit, char *out, size_t cap)
{
    int64_t ups = tn_unit_per_second(unit);
    int64_t v = fmod64(value, ups * TN_SECS_PER_DAY); /* times outside a day wrap */
    text t = {.n = 0};
    put_clock(&t, v / ups, v % ups, unit);
    return finish(&t, out, cap);
}

/* Date and clock of `value` shifted by `offset` seconds, without overflow. */
static void put_stamp(text *t, int64_t value, tn_dt_unit unit, int32_t offset)
{
    int64_t ups = tn_unit_per_second(unit);
    int64_t secs = fdiv(value, ups);
    int64_t frac = fmod64(value, ups);
    int64_t days = fdiv(secs, TN_SECS_PER_DAY);
    int64_t sod = fmod64(secs, TN_SECS_PER_DAY) + offset;
    days += fdiv(sod, TN_SECS_PER_DAY);
    sod = fmod64(sod, TN_SECS_PER_DAY);
    put_date(t, days);
    put_char(t, 'T');
    put_clock(t, sod, frac, unit);
}

size_t tn_format_timestamp(int64_t value, tn_dt_unit unit, bool utc, char *out, size_t cap)
{
    text t = {.n = 0};
    put_stamp(&t, value, unit, 0);
    if (utc)
        put_char(&t, 'Z');
    return finish(&t, out, cap);
}

size_t tn_format_timestamp_offset(int64_t value, tn_dt_unit unit, int32_t offset_seconds, char *out, size_t cap)
{
    text t = {.n = 0};
    put_stamp(&t, value, unit, offset_seconds);
    put_offset(&t, offset_seconds);
    return finish(&t, out, cap);
}
