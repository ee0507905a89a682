/*
 * scalar_date.c — date and time functions: date_part/extract and the
 * one-field shorthands (year, month, ...), date_trunc, date_diff,
 * last_day, dayname/monthname, make_date/make_timestamp, strftime/
 * strptime, epoch, interval constructors (to_days, ...), and the clock
 * (now, current_date: volatile).
 *
 * Every temporal argument (date32, date64, timestamp of any unit) is read
 * as a civil date-time; zoned timestamps are read in UTC. A literal part
 * name ('year', 'epoch', ...) is resolved once at bind time.
 */
#include "sql/functions/scalar_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

#include "core/datetime.h"

/* ---- reading temporal values ------------------------------------------------------- */

typedef struct moment {
    tn_civil c;
    int64_t days;  /* since 1970-01-01 */
    int64_t micros; /* since 1970-01-01, truncated to microseconds */
} moment;

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void moment_at(const tn_datum *d, int64_t i, moment *m)
{
    const tn_type *t = tn_datum_type(*d);
    int64_t v = d->kind == TN_DATUM_SCALAR ? d->scalar->v.i
                : t->id == TN_DATE32        ? TN_VALUES(d->array, int32_t)[i]
                                            : TN_VALUES(d->array, int64_t)[i];
    memset(m, 0, sizeof *m);
    if (t->id == TN_DATE32 || t->id == TN_DATE64) {
        m->days = t->id == TN_DATE32 ? v : floordiv(v, 86400000);
        tn_civil_from_days(m->days, &m->c.year, &m->c.month, &m->c.day);
        m->micros = m->days * 86400 * 1000000;
        return;
    }
    tn_dt_unit u = (tn_dt_unit)t->unit;
    tn_timestamp_to_civil(v, u, &m->c);
    int64_t ups = tn_unit_per_second(u);
    m->days = floordiv(v, 86400 * ups);
    m->micros = u == TN_DT_NS ? floordiv(v, 1000) : v * (1000000 / ups);
}

/* ---- parts ------------------------------------------------------------------------------- */

typedef enum part {
    PT_YEAR, PT_MONTH, PT_DAY, PT_HOUR, PT_MINUTE, PT_SECOND, PT_MILLISECOND, PT_MICROSECOND, PT_QUARTER, PT_DOW,
    PT_ISODOW, PT_DOY, PT_WEEK, PT_ISOYEAR, PT_YEARWEEK, PT_DECADE, PT_CENTURY, PT_MILLENNIUM, PT_EPOCH, PT_NONE
} part;

static const struct {
    const char *name;
    part p;
} part_names[] = {
    {"year", PT_YEAR},       {"years", PT_YEAR},         {"y", PT_YEAR},           {"yr", PT_YEAR},
    {"yrs", PT_YEAR},        {"month", PT_MONTH},        {"months", PT_MONTH},     {"mon", PT_MONTH},
    {"mons", PT_MONTH},      {"day", PT_DAY},            {"days", PT_DAY},         {"d", PT_DAY},
    {"dayofmonth", PT_DAY},  {"hour", PT_HOUR},          {"hours", PT_HOUR},       {"h", PT_HOUR},
    {"hr", PT_HOUR},         {"hrs", PT_HOUR},           {"minute", PT_MINUTE},    {"minutes", PT_MINUTE},
    {"min", PT_MINUTE},      {"mins", PT_MINUTE},        {"m", PT_MINUTE},         {"second", PT_SECOND},
    {"seconds", PT_SECOND},  {"sec", PT_SECOND},         {"secs", PT_SECOND},      {"s", PT_SECOND},
    {"millisecond", PT_MILLISECOND}, {"milliseconds", PT_MILLISECOND}, {"ms", PT_MILLISECOND},
    {"msec", PT_MILLISECOND}, {"microsecond", PT_MICROSECOND}, {"microseconds", PT_MICROSECOND},
    {"us", PT_MICROSECOND},  {"usec", PT_MICROSECOND},   {"quarter", PT_QUARTER},  {"quarters", PT_QUARTER},
    {"dow", PT_DOW},         {"dayofweek", PT_DOW},      {"weekday", PT_DOW},      {"isodow", PT_ISODOW},
    {"doy", PT_DOY},         {"dayofyear", PT_DOY},      {"week", PT_WEEK},        {"weeks", PT_WEEK},
    {"w", PT_WEEK},          {"weekofyear", PT_WEEK},    {"isoyear", PT_ISOYEAR},  {"yearweek", PT_YEARWEEK},
    {"decade", PT_DECADE},   {"decades", PT_DECADE},     {"century", PT_CENTURY},  {"centuries", PT_CENTURY},
    {"millennium", PT_MILLENNIUM}, {"millennia", PT_MILLENNIUM}, {"epoch", PT_EPOCH},
};

static part part_of(const uint8_t *p, int64_t n)
{
    char buf[24];
    if (n <= 0 || n >= (int64_t)sizeof buf)
        return PT_NONE;
    for (int64_t i = 0; i < n; i++)
        buf[i] = (char)tolower(p[i]);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof part_names / sizeof part_names[0]; i++)
        if (!strcmp(part_names[i].name, buf))
            return part_names[i].p;
    return PT_NONE;
}

static int64_t trunc_div(int64_t a, int64_t b)
{
    return a / b;
}

static int64_t part_value(part p, const moment *m)
{
    const tn_civil *c = &m->c;
    int64_t iso_year;
    int week;
    switch (p) {
    case PT_YEAR: return c->year;
    case PT_MONTH: return c->month;
    case PT_DAY: return c->day;
    case PT_HOUR: return c->hour;
    case PT_MINUTE: return c->minute;
    case PT_SECOND: return c->second;
    case PT_MILLISECOND: return (int64_t)c->second * 1000 + c->nanos / 1000000;
    case PT_MICROSECOND: return (int64_t)c->second * 1000000 + c->nanos / 1000;
    case PT_QUARTER: return (c->month - 1) / 3 + 1;
    case PT_DOW: return tn_weekday(m->days);
    case PT_ISODOW: return tn_iso_weekday(m->days);
    case PT_DOY: return tn_day_of_year(m->days);
    case PT_WEEK: tn_iso_week(m->days, &iso_year, &week); return week;
    case PT_ISOYEAR: tn_iso_week(m->days, &iso_year, &week); return iso_year;
    case PT_YEARWEEK: tn_iso_week(m->days, &iso_year, &week); return iso_year * 100 + week;
    case PT_DECADE: return trunc_div(c->year, 10);
    case PT_CENTURY: return c->year > 0 ? (c->year - 1) / 100 + 1 : -((-c->year) / 100 + 1);
    case PT_MILLENNIUM: return c->year > 0 ? (c->year - 1) / 1000 + 1 : -((-c->year) / 1000 + 1);
    default: return 0;
    }
}

typedef struct part_bind {
    part p;
} part_bind;

/* The part of a call: from bind data, or the row's text. */
static int row_part(const tn_expr *call, const tn_datum *arg, int64_t i, part *p, tarn_error *err)
{
    const part_bind *pb = call->bind_data;
    if (pb) {
        *p = pb->p;
        return TARN_OK;
    }
    int64_t n;
    const uint8_t *s = d_str(arg, i, &n);
    *p = part_of(s, n);
    if (*p == PT_NONE)
        return tn_func_error(err, TARN_EINVAL, call, i, "unknown date part '%.*s'", (int)(n > 40 ? 40 : n),
                            (const char *)s);
    return TARN_OK;
}

/* Bind of date_part / date_trunc / date_diff: a literal part is resolved
 * now; date_part('epoch', x) is a double. */
static int part_bind_fn(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_expr *pe = call->args[0];
    bool is_part = !strcmp(call->func->name, "date_part") || !strcmp(call->func->name, "datepart");
    if (is_part && !call->type)
        call->type = tn_type_get(TN_INT64);
    if (pe->kind != TN_EXPR_LITERAL || !pe->value->is_valid)
        return TARN_OK;
    part p = part_of(pe->value->bytes, pe->value->n_bytes);
    if (p == PT_NONE)
        return tn_error_set(err, TARN_EINVAL, "%s: unknown date part '%.*s'", call->func->name,
                            (int)(pe->value->n_bytes > 40 ? 40 : pe->value->n_bytes), (const char *)pe->value->bytes);
    part_bind *b = tn_arena_calloc(&c->arena, sizeof *b);
    TN_TRY_ALLOC(b, err, sizeof *b);
    b->p = p;
    call->bind_data = b;
    if (is_part && p == PT_EPOCH)
        call->type = tn_type_get(TN_FLOAT64);
    return TARN_OK;
}

static int date_part_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    bool dbl = call->type->id == TN_FLOAT64;
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        part p;
        if ((rc = row_part(call, &args[0], i, &p, err)) != 0)
            break;
        moment m;
        moment_at(&args[1], i, &m);
        if (dbl)
            ((double *)fout_data(&o))[i] = (double)m.micros / 1e6;
        else
            ((int64_t *)fout_data(&o))[i] = p == PT_EPOCH ? floordiv(m.micros, 1000000) : part_value(p, &m);
    }
    return fout_close(&o, rc, out);
}

/* year(x), month(x), ...: the part is fixed by the function's name. */
static const struct {
    const char *fn;
    part p;
} shorthand[] = {
    {"year", PT_YEAR},       {"month", PT_MONTH},   {"day", PT_DAY},           {"dayofmonth", PT_DAY},
    {"hour", PT_HOUR},       {"minute", PT_MINUTE}, {"second", PT_SECOND},     {"millisecond", PT_MILLISECOND},
    {"microsecond", PT_MICROSECOND}, {"quarter", PT_QUARTER}, {"dayofweek", PT_DOW}, {"isodow", PT_ISODOW},
    {"dayofyear", PT_DOY},   {"week", PT_WEEK},     {"weekofyear", PT_WEEK},   {"isoyear", PT_ISOYEAR},
    {"yearweek", PT_YEARWEEK}, {"decade", PT_DECADE}, {"century", PT_CENTURY}, {"millennium", PT_MILLENNIUM},
};

static int shorthand_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    part p = PT_YEAR;
    for (size_t k = 0; k < sizeof shorthand / sizeof shorthand[0]; k++)
        if (!strcmp(shorthand[k].fn, call->func->name))
            p = shorthand[k].p;
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INT64), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        moment m;
        moment_at(&args[0], i, &m);
        ((int64_t *)fout_data(&o))[i] = part_value(p, &m);
    }
    return fout_close(&o, rc, out);
}

/* epoch(x): seconds as a double; epoch_ms(x): milliseconds as bigint. */
static int epoch_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    bool ms = !strcmp(call->func->name, "epoch_ms");
    fout o;
    TN_TRY(fout_init(&o, ms ? tn_type_get(TN_INT64) : tn_type_get(TN_FLOAT64), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        moment m;
        moment_at(&args[0], i, &m);
        if (ms)
            ((int64_t *)fout_data(&o))[i] = floordiv(m.micros, 1000);
        else
            ((double *)fout_data(&o))[i] = (double)m.micros / 1e6;
    }
    return fout_close(&o, rc, out);
}

/* ---- date_trunc, date_diff, last_day ---------------------------------------------------------- */

static int64_t civil_micros(int64_t year, int month, int day)
{
    return tn_days_from_civil(year, month, day) * 86400 * 1000000;
}

static int trunc_micros(part p, const moment *m, int64_t *out)
{
    const tn_civil *c = &m->c;
    int64_t y = c->year;
    switch (p) {
    case PT_MILLENNIUM: *out = civil_micros(floordiv(y, 1000) * 1000, 1, 1); break; /* DuckDB: 2000, not 2001 */
    case PT_CENTURY: *out = civil_micros(floordiv(y, 100) * 100, 1, 1); break;
    case PT_DECADE: *out = civil_micros(y - ((y % 10) + 10) % 10, 1, 1); break;
    case PT_YEAR: case PT_ISOYEAR: *out = civil_micros(y, 1, 1); break;
    case PT_QUARTER: *out = civil_micros(y, ((c->month - 1) / 3) * 3 + 1, 1); break;
    case PT_MONTH: *out = civil_micros(y, c->month, 1); break;
    case PT_WEEK: case PT_YEARWEEK: *out = (m->days - (tn_iso_weekday(m->days) - 1)) * 86400 * 1000000; break;
    case PT_DAY: case PT_DOW: case PT_ISODOW: case PT_DOY: *out = m->days * 86400 * 1000000; break;
    case PT_HOUR: *out = floordiv(m->micros, 3600000000LL) * 3600000000LL; break;
    case PT_MINUTE: *out = floordiv(m->micros, 60000000) * 60000000; break;
    case PT_SECOND: *out = floordiv(m->micros, 1000000) * 1000000; break;
    case PT_MILLISECOND: *out = floordiv(m->micros, 1000) * 1000; break;
    case PT_MICROSECOND: *out = m->micros; break;
    default: return -1;
    }
    return 0;
}

static int date_trunc_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                           tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        part p;
        if ((rc = row_part(call, &args[0], i, &p, err)) != 0)
            break;
        moment m;
        moment_at(&args[1], i, &m);
        if (trunc_micros(p, &m, &((int64_t *)fout_data(&o))[i]) != 0)
            rc = tn_func_error(err, TARN_EINVAL, call, i, "cannot truncate to this date part");
    }
    return fout_close(&o, rc, out);
}

/* The number of part boundaries from a to b (DuckDB's date_diff). */
static int diff_value(part p, const moment *a, const moment *b, int64_t *out)
{
    switch (p) {
    case PT_YEAR: case PT_ISOYEAR: *out = b->c.year - a->c.year; break;
    case PT_QUARTER:
        *out = (b->c.year * 4 + (b->c.month - 1) / 3) - (a->c.year * 4 + (a->c.month - 1) / 3);
        break;
    case PT_MONTH: *out = (b->c.year * 12 + b->c.month) - (a->c.year * 12 + a->c.month); break;
    case PT_WEEK: case PT_YEARWEEK: *out = (b->days - a->days) / 7; break;
    case PT_DAY: case PT_DOW: case PT_ISODOW: case PT_DOY: *out = b->days - a->days; break;
    case PT_DECADE: *out = trunc_div(b->c.year, 10) - trunc_div(a->c.year, 10); break;
    case PT_CENTURY: *out = trunc_div(b->c.year, 100) - trunc_div(a->c.year, 100); break;
    case PT_MILLENNIUM: *out = trunc_div(b->c.year, 1000) - trunc_div(a->c.year, 1000); break;
    case PT_HOUR: *out = floordiv(b->micros, 3600000000LL) - floordiv(a->micros, 3600000000LL); break;
    case PT_MINUTE: *out = floordiv(b->micros, 60000000) - floordiv(a->micros, 60000000); break;
    case PT_SECOND: case PT_EPOCH: *out = floordiv(b->micros, 1000000) - floordiv(a->micros, 1000000); break;
    case PT_MILLISECOND: *out = floordiv(b->micros, 1000) - floordiv(a->micros, 1000); break;
    case PT_MICROSECOND: *out = b->micros - a->micros; break;
    default: return -1;
    }
    return 0;
}

static int date_diff_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INT64), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        part p;
        if ((rc = row_part(call, &args[0], i, &p, err)) != 0)
            break;
        moment a, b;
        moment_at(&args[1], i, &a);
        moment_at(&args[2], i, &b);
        if (diff_value(p, &a, &b, &((int64_t *)fout_data(&o))[i]) != 0)
            rc = tn_func_error(err, TARN_EINVAL, call, i, "date part not supported by date_diff");
    }
    return fout_close(&o, rc, out);
}

static int last_day_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_DATE32), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        moment m;
        moment_at(&args[0], i, &m);
        ((int32_t *)fout_data(&o))[i] =
            (int32_t)tn_days_from_civil(m.c.year, m.c.month, tn_days_in_month(m.c.year, m.c.month));
    }
    return fout_close(&o, rc, out);
}

static const char *const day_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};

static int name_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    moment m;
    moment_at(&args[0], i, &m);
    const char *s = call->func->name[0] == 'd' ? day_names[tn_weekday(m.days)] : month_names[m.c.month - 1];
    return sout_append(o, s, (int64_t)strlen(s), err);
}

/* ---- make_date, make_timestamp ------------------------------------------------------------------- */

static int make_date_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_DATE32), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        int64_t y = d_i64(&args[0], i), mo = d_i64(&args[1], i), d = d_i64(&args[2], i);
        if (y < -290000 || y > 290000 || mo < 1 || mo > 12 || d < 1 || d > tn_days_in_month(y, (int)mo)) {
            rc = tn_func_error(err, TARN_EINVAL, call, i, "date out of range: %lld-%lld-%lld", (long long)y,
                               (long long)mo, (long long)d);
            break;
        }
        ((int32_t *)fout_data(&o))[i] = (int32_t)tn_days_from_civil(y, (int)mo, (int)d);
    }
    return fout_close(&o, rc, out);
}

static int make_timestamp_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                               tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        int64_t y = d_i64(&args[0], i), mo = d_i64(&args[1], i), d = d_i64(&args[2], i), h = d_i64(&args[3], i),
                mi = d_i64(&args[4], i);
        double s = d_f64(&args[5], i);
        if (y < -290000 || y > 290000 || mo < 1 || mo > 12 || d < 1 || d > tn_days_in_month(y, (int)mo) || h < 0 ||
            h > 23 || mi < 0 || mi > 59 || !(s >= 0 && s < 60)) {
            rc = tn_func_error(err, TARN_EINVAL, call, i, "timestamp fields out of range");
            break;
        }
        ((int64_t *)fout_data(&o))[i] = tn_days_from_civil(y, (int)mo, (int)d) * 86400000000LL +
                                        (h * 3600 + mi * 60) * 1000000LL + (int64_t)llround(s * 1e6);
    }
    return fout_close(&o, rc, out);
}

/* ---- strftime / strptime ----------------------------------------------------------------------------- */

static int put_num(sout *o, int64_t v, int width, tarn_error *err)
{
    char b[32];
    int k = snprintf(b, sizeof b, "%0*lld", width, (long long)v);
    return sout_append(o, b, k, err);
}

static int strftime_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    moment m;
    moment_at(&args[0], i, &m);
    int64_t fn;
    const uint8_t *f = d_str(&args[1], i, &fn);
    const tn_civil *c = &m.c;
    for (int64_t k = 0; k < fn; k++) {
        if (f[k] != '%' || k + 1 >= fn) {
            TN_TRY(sout_append(o, f + k, 1, err));
            continue;
        }
        char s = (char)f[++k];
        const char *txt = NULL;
        switch (s) {
        case 'Y': TN_TRY(put_num(o, c->year, 4, err)); break;
        case 'y': TN_TRY(put_num(o, ((c->year % 100) + 100) % 100, 2, err)); break;
        case 'm': TN_TRY(put_num(o, c->month, 2, err)); break;
        case 'd': TN_TRY(put_num(o, c->day, 2, err)); break;
        case 'H': TN_TRY(put_num(o, c->hour, 2, err)); break;
        case 'I': TN_TRY(put_num(o, c->hour % 12 == 0 ? 12 : c->hour % 12, 2, err)); break;
        case 'M': TN_TRY(put_num(o, c->minute, 2, err)); break;
        case 'S': TN_TRY(put_num(o, c->second, 2, err)); break;
        case 'f': TN_TRY(put_num(o, c->nanos / 1000, 6, err)); break;
        case 'g': TN_TRY(put_num(o, c->nanos / 1000000, 3, err)); break;
        case 'n': TN_TRY(put_num(o, c->nanos, 9, err)); break;
        case 'j': TN_TRY(put_num(o, tn_day_of_year(m.days), 3, err)); break;
        case 'w': TN_TRY(put_num(o, tn_weekday(m.days), 1, err)); break;
        case 'u': TN_TRY(put_num(o, tn_iso_weekday(m.days), 1, err)); break;
        case 'V': {
            int64_t iy;
            int w;
            tn_iso_week(m.days, &iy, &w);
            TN_TRY(put_num(o, w, 2, err));
            break;
        }
        case 'p': txt = c->hour < 12 ? "AM" : "PM"; break;
        case 'a': txt = day_names[tn_weekday(m.days)]; TN_TRY(sout_append(o, txt, 3, err)); txt = NULL; break;
        case 'A': txt = day_names[tn_weekday(m.days)]; break;
        case 'b': txt = month_names[c->month - 1]; TN_TRY(sout_append(o, txt, 3, err)); txt = NULL; break;
        case 'B': txt = month_names[c->month - 1]; break;
        case '%': txt = "%"; break;
        default:
            if (s >= 0x20 && s < 0x7f)
                return tn_func_error(err, TARN_EINVAL, call, i, "unrecognized format specifier %%%c", s);
            return tn_func_error(err, TARN_EINVAL, call, i, "unrecognized format specifier %%\\x%02x", (uint8_t)s);
        }
        if (txt)
            TN_TRY(sout_append(o, txt, (int64_t)strlen(txt), err));
    }
    return TARN_OK;
}

/* Read up to maxd digits at s[*k]; false when there is none. */
static bool read_int(const uint8_t *s, int64_t n, int64_t *k, int maxd, int64_t *v, int *ndig)
{
    int64_t r = 0;
    int d = 0;
    bool neg = false;
    if (*k < n && (s[*k] == '-' || s[*k] == '+') && maxd > 4) {
        neg = s[*k] == '-';
        (*k)++;
    }
    while (*k < n && d < maxd && isdigit(s[*k])) {
        r = r * 10 + (s[*k] - '0');
        (*k)++;
        d++;
    }
    *v = neg ? -r : r;
    if (ndig)
        *ndig = d;
    return d > 0;
}

static bool match_name(const uint8_t *s, int64_t n, int64_t *k, const char *const *names, int count, int *idx)
{
    for (int j = 0; j < count; j++) {
        size_t full = strlen(names[j]);
        for (size_t len = full; len >= 3; len = len == full ? 3 : 0) {
            if ((int64_t)len <= n - *k && strncasecmp((const char *)s + *k, names[j], len) == 0) {
                *k += (int64_t)len;
                *idx = j;
                return true;
            }
            if (len == 3)
                break;
        }
    }
    return false;
}

static int strptime_parse(const uint8_t *s, int64_t n, const uint8_t *f, int64_t fn, int64_t *out)
{
    int64_t year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, v;
    bool pm = false, has_p = false;
    int64_t k = 0;
    for (int64_t j = 0; j < fn; j++) {
        if (f[j] != '%' || j + 1 >= fn) {
            if (isspace(f[j])) {
                while (k < n && isspace(s[k]))
                    k++;
                continue;
            }
            if (k >= n || s[k] != f[j])
                return -1;
            k++;
            continue;
        }
        char c = (char)f[++j];
        int nd, idx;
        switch (c) {
        case 'Y': if (!read_int(s, n, &k, 9, &year, NULL)) return -1; break;
        case 'y': if (!read_int(s, n, &k, 2, &v, NULL)) return -1; year = v < 69 ? 2000 + v : 1900 + v; break;
        case 'm': if (!read_int(s, n, &k, 2, &month, NULL)) return -1; break;
        case 'd': case 'e': if (!read_int(s, n, &k, 2, &day, NULL)) return -1; break;
        case 'H': case 'I': if (!read_int(s, n, &k, 2, &hour, NULL)) return -1; break;
        case 'M': if (!read_int(s, n, &k, 2, &minute, NULL)) return -1; break;
        case 'S': if (!read_int(s, n, &k, 2, &second, NULL)) return -1; break;
        case 'f':
            if (!read_int(s, n, &k, 6, &micros, &nd))
                return -1;
            while (nd++ < 6)
                micros *= 10;
            break;
        case 'p':
            if (k + 2 > n)
                return -1;
            has_p = true;
            if (!strncasecmp((const char *)s + k, "PM", 2))
                pm = true;
            else if (strncasecmp((const char *)s + k, "AM", 2))
                return -1;
            k += 2;
            break;
        case 'b': case 'B':
            if (!match_name(s, n, &k, month_names, 12, &idx))
                return -1;
            month = idx + 1;
            break;
        case 'a': case 'A':
            if (!match_name(s, n, &k, day_names, 7, &idx))
                return -1;
            break;
        case '%': if (k >= n || s[k] != '%') return -1; k++; break;
        default: return -2;
        }
    }
    if (k != n)
        return -1;
    if (has_p) {
        if (hour < 1 || hour > 12)
            return -1;
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (year < -290000 || year > 290000 || month < 1 || month > 12 || day < 1 ||
        day > tn_days_in_month(year, (int)month) || hour > 23 || minute > 59 || second > 59)
        return -1;
    *out = tn_days_from_civil(year, (int)month, (int)day) * 86400000000LL + (hour * 3600 + minute * 60 + second) * 1000000LL +
           micros;
    return 0;
}

static int strptime_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        int64_t sn, fn;
        const uint8_t *s = d_str(&args[0], i, &sn);
        const uint8_t *f = d_str(&args[1], i, &fn);
        int r = strptime_parse(s, sn, f, fn, &((int64_t *)fout_data(&o))[i]);
        if (r == -2)
            rc = tn_func_error(err, TARN_EINVAL, call, i, "unsupported format specifier in \"%.*s\"",
                               (int)(fn > 60 ? 60 : fn), (const char *)f);
        else if (r < 0)
            rc = tn_func_error(err, TARN_EINVAL, call, i, "could not parse string \"%.*s\" according to format \"%.*s\"",
                               (int)(sn > 60 ? 60 : sn), (const char *)s, (int)(fn > 60 ? 60 : fn), (const char *)f);
    }
    return fout_close(&o, rc, out);
}

static int strftime_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, strftime_row);
}

static int name_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, name_row);
}

/* ---- intervals ----------------------------------------------------------------------------------------- */

typedef struct ivl {
    int32_t months, days;
    int64_t nanos;
} ivl;

static const struct {
    const char *fn;
    int64_t months, days, nanos; /* per unit */
} ivl_units[] = {
    {"to_years", 12, 0, 0},           {"to_months", 1, 0, 0},          {"to_weeks", 0, 7, 0},
    {"to_days", 0, 1, 0},             {"to_hours", 0, 0, 3600000000000LL}, {"to_minutes", 0, 0, 60000000000LL},
    {"to_seconds", 0, 0, 1000000000}, {"to_milliseconds", 0, 0, 1000000}, {"to_microseconds", 0, 0, 1000},
};

static int to_interval_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                            tarn_error *err)
{
    size_t u = 0;
    for (size_t k = 0; k < sizeof ivl_units / sizeof ivl_units[0]; k++)
        if (!strcmp(ivl_units[k].fn, call->func->name))
            u = k;
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        ivl v = {0, 0, 0};
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
        } else {
            int64_t x = d_i64(&args[0], i), m, d, ns;
            if (__builtin_mul_overflow(x, ivl_units[u].months, &m) || m != (int32_t)m ||
                __builtin_mul_overflow(x, ivl_units[u].days, &d) || d != (int32_t)d ||
                __builtin_mul_overflow(x, ivl_units[u].nanos, &ns)) {
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "interval value %lld out of range", (long long)x);
                break;
            }
            v.months = (int32_t)m;
            v.days = (int32_t)d;
            v.nanos = ns;
        }
        memcpy(fout_data(&o) + i * 16, &v, 16);
    }
    return fout_close(&o, rc, out);
}

/* timestamp - timestamp: the duration as DuckDB's INTERVAL, whole days
 * and the rest as time (no months); both parts take the sign. The binder
 * wraps the subtraction in this call (interval_from_duration). */
static int duration_interval_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n,
                                  tn_array **out, tarn_error *err)
{
    (void)nargs;
    static const int64_t unit_ns[] = {1000000000LL, 1000000LL, 1000LL, 1LL};
    const tn_type *t = tn_datum_type(args[0]);
    if (t->id != TN_DURATION)
        return tn_error_set(err, TARN_EINTERNAL, "%s of %s", call->func->name, tn_type_id_name(t->id));
    int64_t per_ns = unit_ns[t->unit & 3], per_day = 86400LL * (1000000000LL / per_ns);
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        ivl v = {0, 0, 0};
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
        } else {
            int64_t x = d_i64(&args[0], i), days = x / per_day, rest = x % per_day;
            if (days != (int32_t)days || __builtin_mul_overflow(rest, per_ns, &v.nanos)) {
                rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "interval of %lld days out of range", (long long)days);
                break;
            }
            v.days = (int32_t)days;
        }
        memcpy(fout_data(&o) + i * 16, &v, 16);
    }
    return fout_close(&o, rc, out);
}

/* ---- INTERVAL literals ------------------------------------------------------------------------------------- */

/* Months / days / nanoseconds of one unit; false when the word is unknown. */
static bool unit_size(const char *w, size_t n, int64_t *months, int64_t *days, int64_t *nanos)
{
    static const struct {
        const char *name;
        int64_t m, d, ns;
    } units[] = {
        {"year", 12, 0, 0},        {"years", 12, 0, 0},     {"y", 12, 0, 0},          {"yr", 12, 0, 0},
        {"yrs", 12, 0, 0},         {"quarter", 3, 0, 0},    {"quarters", 3, 0, 0},    {"month", 1, 0, 0},
        {"months", 1, 0, 0},       {"mon", 1, 0, 0},        {"mons", 1, 0, 0},        {"week", 0, 7, 0},
        {"weeks", 0, 7, 0},        {"w", 0, 7, 0},          {"day", 0, 1, 0},         {"days", 0, 1, 0},
        {"d", 0, 1, 0},            {"hour", 0, 0, 3600000000000LL}, {"hours", 0, 0, 3600000000000LL},
        {"h", 0, 0, 3600000000000LL}, {"hr", 0, 0, 3600000000000LL}, {"hrs", 0, 0, 3600000000000LL},
        {"minute", 0, 0, 60000000000LL}, {"minutes", 0, 0, 60000000000LL}, {"min", 0, 0, 60000000000LL},
        {"mins", 0, 0, 60000000000LL}, {"m", 0, 0, 60000000000LL}, {"second", 0, 0, 1000000000},
        {"seconds", 0, 0, 1000000000}, {"sec", 0, 0, 1000000000}, {"secs", 0, 0, 1000000000},
        {"s", 0, 0, 1000000000},   {"millisecond", 0, 0, 1000000}, {"milliseconds", 0, 0, 1000000},
        {"ms", 0, 0, 1000000},     {"msec", 0, 0, 1000000}, {"microsecond", 0, 0, 1000},
        {"microseconds", 0, 0, 1000}, {"us", 0, 0, 1000}, {"usec", 0, 0, 1000},
    };
    char buf[24];
    if (n == 0 || n >= sizeof buf)
        return false;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)w[i]);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(units[i].name, buf)) {
            *months = units[i].m;
            *days = units[i].d;
            *nanos = units[i].ns;
            return true;
        }
    return false;
}

/* Add `value` (a decimal number as text) units to acc; fractions of months
 * carry into days (30) and of days into nanoseconds. */
static bool add_units(ivl *acc, double value, int64_t um, int64_t ud, int64_t uns)
{
    double m = value * (double)um, d = value * (double)ud, ns = value * (double)uns;
    double mi = trunc(m), di = trunc(d);
    d += (m - mi) * 30;
    di = trunc(d);
    ns += (d - di) * 86400e9;
    double tm = acc->months + mi, td = acc->days + di, tns = (double)acc->nanos + ns;
    if (fabs(tm) > INT32_MAX || fabs(td) > INT32_MAX || fabs(tns) > 9.2e18)
        return false;
    acc->months = (int32_t)tm;
    acc->days = (int32_t)td;
    acc->nanos += (int64_t)llround(ns);
    return true;
}

int tn_interval_literal(const char *text, size_t len, const char *unit, tn_scalar **out, tarn_error *err)
{
    *out = NULL;
    ivl acc = {0, 0, 0};
    size_t i = 0;
    bool any = false;
    while (i < len) {
        while (i < len && isspace((unsigned char)text[i]))
            i++;
        if (i >= len)
            break;
        /* a clock: [-]HH:MM[:SS[.f]] */
        size_t j = i + (text[i] == '-' || text[i] == '+');
        size_t k = j;
        while (k < len && isdigit((unsigned char)text[k]))
            k++;
        if (k > j && k < len && text[k] == ':') {
            int sign = text[i] == '-' ? -1 : 1;
            double parts[3] = {0, 0, 0};
            int np = 0;
            size_t p = j;
            while (np < 3 && p < len) {
                char *end = NULL;
                char num[40];
                size_t q = p;
                while (q < len && (isdigit((unsigned char)text[q]) || (np == 2 && text[q] == '.')) && q - p < 39)
                    q++;
                if (q == p)
                    break;
                memcpy(num, text + p, q - p);
                num[q - p] = '\0';
                parts[np++] = strtod(num, &end);
                p = q;
                if (p < len && text[p] == ':' && np < 3)
                    p++;
                else
                    break;
            }
            if (np < 2)
                break;
            double ns = (parts[0] * 3600 + parts[1] * 60 + parts[2]) * 1e9 * sign;
            acc.nanos += (int64_t)llround(ns);
            any = true;
            i = p;
            continue;
        }
        /* number */
        char *end = NULL;
        char num[64];
        size_t q = i;
        while (q < len && (isdigit((unsigned char)text[q]) || text[q] == '.' || text[q] == '-' || text[q] == '+') &&
               q - i < 63)
            q++;
        if (q == i)
            break;
        memcpy(num, text + i, q - i);
        num[q - i] = '\0';
        double v = strtod(num, &end);
        if (*end)
            break;
        i = q;
        while (i < len && isspace((unsigned char)text[i]))
            i++;
        size_t w = i;
        while (i < len && isalpha((unsigned char)text[i]))
            i++;
        int64_t um, ud, uns;
        const char *uw = text + w;
        size_t un = i - w;
        if (un == 0 && unit) {
            uw = unit;
            un = strlen(unit);
        }
        if (!unit_size(uw, un, &um, &ud, &uns) || !add_units(&acc, v, um, ud, uns))
            return tn_error_set(err, TARN_EPARSE, "invalid interval '%.*s'", (int)(len > 80 ? 80 : len), text);
        any = true;
    }
    if (!any || i < len)
        return tn_error_set(err, TARN_EPARSE, "invalid interval '%.*s'", (int)(len > 80 ? 80 : len), text);
    *out = tn_scalar_raw(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), &acc);
    TN_TRY_ALLOC(*out, err, sizeof **out);
    return TARN_OK;
}

/* ---- date_add, to_timestamp ------------------------------------------------------------------------- */

/* date_add(x, interval) = x + interval (a timestamp, as DuckDB). */
static int date_add_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    tn_type *rt = NULL;
    TN_TRY(tn_arith_result_type(TN_ADD, call->args[0]->type, call->args[1]->type, &rt, err));
    call->type = tn_plan_keep_type(c, rt);
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

static int date_add_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    tn_array *r = NULL;
    TN_TRY(tn_arith(TN_ADD, args[0], args[1], NULL, &r, err));
    if (r->length == n) {
        *out = r;
        return TARN_OK;
    }
    /* both scalars: one row, broadcast */
    int32_t *z = tn_calloc((size_t)(n > 0 ? n : 1), sizeof *z);
    if (!z) {
        tn_array_unref(r);
        return tn_error_oom(err, (size_t)n * 4);
    }
    tn_selection s = {z, n};
    int rc = tn_filter_sel(r, &s, out, err);
    tn_free(z);
    tn_array_unref(r);
    return rc;
}

/* to_timestamp(seconds): a UTC instant from seconds since the epoch. */
static int to_timestamp_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                             tarn_error *err)
{
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        ((int64_t *)fout_data(&o))[i] = 0;
        if (!d_valid(&args[0], i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        double s = d_f64(&args[0], i) * 1e6;
        if (!(s > -9.2e18 && s < 9.2e18)) {
            rc = tn_func_error(err, TARN_EOVERFLOW, call, i, "epoch %g out of range for a timestamp", s / 1e6);
            break;
        }
        ((int64_t *)fout_data(&o))[i] = (int64_t)llround(s);
    }
    return fout_close(&o, rc, out);
}

/* ---- the clock ----------------------------------------------------------------------------------------------- */

static int64_t now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int now_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                    tarn_error *err)
{
    bool date = call->type->id == TN_DATE32;
    fout o;
    TN_TRY(fout_init(&o, call->type, n, err));
    int64_t t = now_micros();
    for (int64_t i = 0; i < n; i++) {
        if (date)
            ((int32_t *)fout_data(&o))[i] = (int32_t)floordiv(t, 86400000000LL);
        else
            ((int64_t *)fout_data(&o))[i] = t;
    }
    fout_finish(&o, out);
    return TARN_OK;
}

static int utc_timestamp_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    call->type = tn_plan_keep_type(c, tn_type_timestamp(TN_MICRO, "UTC"));
    TN_TRY_ALLOC(call->type, err, 64);
    return TARN_OK;
}

/* ---- the table -------------------------------------------------------------------------------------------------- */

#define F(name, exec, nn) {name, exec, nn, false, NULL}
#define FV(name, exec) {name, exec, false, true, NULL}
#define V P_VARCHAR
#define T P_TEMPORAL
#define B P_BIGINT
#define SHORT(name) {F(name, shorthand_exec, true), 1, false, {T}, R_BIGINT, NULL}
#define TOIV(name) {F(name, to_interval_exec, true), 1, false, {B}, R_INTERVAL, NULL}

const tn_sfn tn_sfn_date[] = {
    {F("date_part", date_part_exec, true), 2, false, {V, T}, R_BIND, part_bind_fn},
    {F("datepart", date_part_exec, true), 2, false, {V, T}, R_BIND, part_bind_fn},
    SHORT("year"), SHORT("month"), SHORT("day"), SHORT("dayofmonth"), SHORT("hour"), SHORT("minute"),
    SHORT("second"), SHORT("millisecond"), SHORT("microsecond"), SHORT("quarter"), SHORT("dayofweek"),
    SHORT("isodow"), SHORT("dayofyear"), SHORT("week"), SHORT("weekofyear"), SHORT("isoyear"), SHORT("yearweek"),
    SHORT("decade"), SHORT("century"), SHORT("millennium"),
    {F("epoch", epoch_exec, true), 1, false, {T}, R_DOUBLE, NULL},
    {F("epoch_ms", epoch_exec, true), 1, false, {T}, R_BIGINT, NULL},
    {F("date_trunc", date_trunc_exec, true), 2, false, {V, T}, R_TIMESTAMP, part_bind_fn},
    {F("datetrunc", date_trunc_exec, true), 2, false, {V, T}, R_TIMESTAMP, part_bind_fn},
    {F("date_diff", date_diff_exec, true), 3, false, {V, T, T}, R_BIGINT, part_bind_fn},
    {F("datediff", date_diff_exec, true), 3, false, {V, T, T}, R_BIGINT, part_bind_fn},
    {F("last_day", last_day_exec, true), 1, false, {T}, R_DATE, NULL},
    {F("dayname", name_exec, true), 1, false, {T}, R_VARCHAR, NULL},
    {F("monthname", name_exec, true), 1, false, {T}, R_VARCHAR, NULL},
    {F("make_date", make_date_exec, true), 3, false, {B, B, B}, R_DATE, NULL},
    {F("make_timestamp", make_timestamp_exec, true), 6, false, {B, B, B, B, B, P_DOUBLE}, R_TIMESTAMP, NULL},
    {F("strftime", strftime_exec, true), 2, false, {T, V}, R_VARCHAR, NULL},
    {F("strptime", strptime_exec, true), 2, false, {V, V}, R_TIMESTAMP, NULL},
    TOIV("to_years"), TOIV("to_months"), TOIV("to_weeks"), TOIV("to_days"), TOIV("to_hours"), TOIV("to_minutes"),
    TOIV("to_seconds"), TOIV("to_milliseconds"), TOIV("to_microseconds"),
    {F("interval_from_duration", duration_interval_exec, true), 1, false, {P_ANY}, R_INTERVAL, NULL},
    {F("date_add", date_add_exec, true), 2, false, {T, P_INTERVAL}, R_BIND, date_add_bind},
    {F("to_timestamp", to_timestamp_exec, true), 1, false, {P_DOUBLE}, R_BIND, utc_timestamp_bind},
    {FV("now", now_exec), 0, false, {0}, R_BIND, utc_timestamp_bind},
    {FV("current_timestamp", now_exec), 0, false, {0}, R_BIND, utc_timestamp_bind},
    {FV("get_current_timestamp", now_exec), 0, false, {0}, R_BIND, utc_timestamp_bind},
    {FV("current_date", now_exec), 0, false, {0}, R_DATE, NULL},
    {FV("today", now_exec), 0, false, {0}, R_DATE, NULL},
};
const int tn_sfn_date_n = (int)(sizeof tn_sfn_date / sizeof tn_sfn_date[0]);
