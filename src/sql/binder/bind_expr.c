/*
 * bind_expr.c — binding AST expressions (sql/ast.h) to typed tn_expr trees:
 * name resolution through scopes (correlated names become OUTER
 * references), exact literal types, implicit casts made explicit, function
 * resolution through the function library, aggregates and window calls
 * collected into the SELECT's lists (the expression gets a placeholder the
 * SELECT binder turns into a column), and subqueries.
 */
#include "sql/binder/binder_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/datetime.h"
#include "formats/options.h"
#include "sql/functions/function.h"
#include "sql/parser/parser.h"

/* ---- errors ------------------------------------------------------------------ */

/* Messages quote the user's text (literals, quoted names), which may hold
 * line breaks: an error stays one line. */
static int one_line(tarn_error *err, int code)
{
    if (err)
        for (char *p = err->message; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
    return code;
}

static int verror(tn_binder *b, uint32_t loc, int code, const char *hint, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int line = 1, col = 1;
    if (b->sql)
        tn_sql_location(b->sql, b->len, loc, &line, &col);
    if (hint)
        tn_error_set(b->err, code, "line %d, column %d: %s; did you mean \"%s\"?", line, col, msg, hint);
    else
        tn_error_set(b->err, code, "line %d, column %d: %s", line, col, msg);
    return one_line(b->err, code);
}

int tn_bind_error(tn_binder *b, uint32_t loc, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(b, loc, code, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int tn_bind_error_hint(tn_binder *b, uint32_t loc, int code, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(b, loc, code, hint, fmt, ap);
    va_end(ap);
    return rc;
}

int tn_bind_oom(tn_binder *b) { return tn_error_oom(b->err, 0); }

/* A library call failed: keep an out-of-memory status as is, otherwise
 * put the location in front of the library's message. */
static int located(tn_binder *b, uint32_t loc, int rc)
{
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return rc;
    int line = 1, col = 1;
    if (b->sql)
        tn_sql_location(b->sql, b->len, loc, &line, &col);
    if (b->err)
        tn_error_prefix(b->err, "line %d, column %d: ", line, col);
    return one_line(b->err, rc);
}

char *tn_bind_strdup(tn_binder *b, const char *s)
{
    return tn_arena_strndup(&b->ctx->arena, s, strlen(s));
}

const char *tn_bind_expr_text(tn_binder *b, const tn_sql_expr *e)
{
    if (e->kind == TN_SQL_COLUMN && e->name.n > 0)
        return e->name.parts[e->name.n - 1].text;
    tn_buf buf;
    tn_buf_init(&buf, 1 << 16);
    const char *out = NULL;
    if (tn_sql_print_expr(&buf, e, NULL) == 0 && buf.data)
        out = tn_arena_strndup(&b->ctx->arena, (const char *)buf.data, buf.len);
    tn_buf_reset(&buf);
    return out;
}

bool tn_ident_match(const char *have, const char *want, bool quoted)
{
    return quoted ? strcmp(have, want) == 0 : strcasecmp(have, want) == 0;
}

int tn_bind_type_name(tn_binder *b, const tn_type *t, char *buf, size_t cap)
{
    (void)b;
    const char *s = NULL;
    switch (t->id) {
    case TN_NA: s = "NULL"; break;
    case TN_BOOL: s = "BOOLEAN"; break;
    case TN_INT8: s = "TINYINT"; break;
    case TN_INT16: s = "SMALLINT"; break;
    case TN_INT32: s = "INTEGER"; break;
    case TN_INT64: s = "BIGINT"; break;
    case TN_UINT8: s = "UTINYINT"; break;
    case TN_UINT16: s = "USMALLINT"; break;
    case TN_UINT32: s = "UINTEGER"; break;
    case TN_UINT64: s = "UBIGINT"; break;
    case TN_FLOAT32: s = "FLOAT"; break;
    case TN_FLOAT64: s = "DOUBLE"; break;
    case TN_STRING: case TN_LARGE_STRING: case TN_STRING_VIEW: s = "VARCHAR"; break;
    case TN_BINARY: case TN_LARGE_BINARY: case TN_BINARY_VIEW: s = "BLOB"; break;
    case TN_DATE32: case TN_DATE64: s = "DATE"; break;
    case TN_INTERVAL_MONTHS: case TN_INTERVAL_DAY_TIME: case TN_INTERVAL_MONTH_DAY_NANO: s = "INTERVAL"; break;
    case TN_DECIMAL128: case TN_DECIMAL256:
        snprintf(buf, cap, "DECIMAL(%d,%d)", t->precision, t->scale);
        return 0;
    case TN_TIMESTAMP:
        s = t->tz ? "TIMESTAMP WITH TIME ZONE" : "TIMESTAMP";
        break;
    default: {
        tn_buf tb;
        tn_buf_init(&tb, 256);
        if (tn_type_format(t, &tb, NULL) == 0 && tb.data)
            snprintf(buf, cap, "%s", (const char *)tb.data);
        else
            snprintf(buf, cap, "%s", tn_type_id_name(t->id));
        tn_buf_reset(&tb);
        return 0;
    }
    }
    snprintf(buf, cap, "%s", s);
    return 0;
}

/* ---- scopes ------------------------------------------------------------------- */

int tn_scope_add(tn_binder *b, tn_scope *s, const char *table, const char *name, tn_type *type, int32_t index)
{
    if (s->n == s->cap) {
        int32_t ncap = s->cap ? s->cap * 2 : 16;
        tn_bcol *grown = tn_arena_alloc(&b->ctx->arena, sizeof *grown * (size_t)ncap);
        if (!grown)
            return tn_bind_oom(b);
        if (s->n)
            memcpy(grown, s->cols, sizeof *grown * (size_t)s->n);
        s->cols = grown;
        s->cap = ncap;
    }
    tn_bcol *c = &s->cols[s->n++];
    memset(c, 0, sizeof *c);
    c->table = table;
    c->name = name;
    c->type = type;
    c->index = index;
    return 0;
}

tn_schema *tn_bind_schema(tn_binder *b, int32_t n, const char *const *names, tn_type *const *types)
{
    return tn_plan_schema(b->ctx, n, names, types);
}

/* ---- small constructors ---------------------------------------------------------- */

static tn_expr *new_expr(tn_binder *b, tn_expr_kind k, tn_type *t, int32_t nargs, uint32_t loc)
{
    tn_expr *e = tn_expr_new(b->ctx, k, t, nargs);
    if (e)
        e->loc = loc;
    return e;
}

static int lit(tn_binder *b, tn_scalar *s, uint32_t loc, tn_expr **out)
{
    if (!s)
        return tn_bind_oom(b);
    tn_expr *e = tn_expr_literal(b->ctx, s);
    if (!e)
        return tn_bind_oom(b);
    e->loc = loc;
    *out = e;
    return 0;
}

static bool is_string_literal(const tn_expr *e)
{
    return e->kind == TN_EXPR_LITERAL && tn_type_is_string(e->type->id);
}

static bool is_null_type(const tn_type *t) { return t->id == TN_NA; }

int tn_bind_cast(tn_binder *b, tn_expr *e, tn_type *t, uint32_t loc, tn_expr **out)
{
    if (tn_type_equals(e->type, t)) {
        tn_type_unref(t);
        *out = e;
        return 0;
    }
    if (e->kind == TN_EXPR_PARAM && is_null_type(e->type)) {
        /* an untyped parameter takes the type its context wants */
        if (!tn_plan_keep_type(b->ctx, t))
            return tn_bind_oom(b);
        e->type = t;
        if (e->index >= 1 && e->index <= b->ctx->nparams && !b->ctx->param_types[e->index - 1])
            b->ctx->param_types[e->index - 1] = t;
        *out = e;
        return 0;
    }
    tn_expr *c = new_expr(b, TN_EXPR_CAST, t, 1, loc);
    if (!c)
        return tn_bind_oom(b);
    c->args[0] = e;
    c->text = e->text;
    *out = c;
    return 0;
}

int tn_bind_unify(tn_binder *b, const tn_type *a, const tn_type *t2, uint32_t loc, tn_type **out)
{
    if (is_null_type(a) || tn_type_equals(a, t2)) {
        *out = tn_type_ref((tn_type *)t2);
        return 0;
    }
    if (is_null_type(t2)) {
        *out = tn_type_ref((tn_type *)a);
        return 0;
    }
    if (tn_type_is_string(a->id) && tn_type_is_string(t2->id)) {
        *out = tn_type_get(TN_STRING);
        return 0;
    }
    tarn_error e2;
    tarn_error_init(&e2);
    int rc = tn_common_type(a, t2, out, &e2);
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return tn_error_oom(b->err, 0);
    if (rc != 0 && ((tn_type_is_binary(a->id) && tn_type_is_numeric(t2->id)) ||
                    (tn_type_is_binary(t2->id) && tn_type_is_numeric(a->id)))) {
        /* a blob meets a number: compare their texts */
        *out = tn_type_get(TN_STRING);
        return 0;
    }
    if (rc != 0) {
        char na[96], nb[96];
        tn_bind_type_name(b, a, na, sizeof na);
        tn_bind_type_name(b, t2, nb, sizeof nb);
        return tn_bind_error(b, loc, TARN_ETYPE, "cannot combine %s and %s", na, nb);
    }
    return 0;
}

/* Give two operands one type: a string literal or untyped parameter takes
 * the other side's type; otherwise both are cast to the common type. */
static int narrow_timestamp_literal(tn_binder *b, tn_expr *date_side, tn_expr **lit_side);

static int coerce_pair(tn_binder *b, tn_expr **l, tn_expr **r, uint32_t loc, const char *what)
{
    TN_TRY(narrow_timestamp_literal(b, *l, r));
    TN_TRY(narrow_timestamp_literal(b, *r, l));
    tn_expr *a = *l, *c = *r;
    if (is_string_literal(a) && !tn_type_is_string(c->type->id) && !is_null_type(c->type))
        return tn_bind_cast(b, a, tn_type_ref(c->type), a->loc, l);
    if (is_string_literal(c) && !tn_type_is_string(a->type->id) && !is_null_type(a->type))
        return tn_bind_cast(b, c, tn_type_ref(a->type), c->loc, r);
    tn_type *t;
    int rc = tn_bind_unify(b, a->type, c->type, loc, &t);
    if (rc == TARN_ETYPE) {
        char na[96], nb[96];
        tn_bind_type_name(b, a->type, na, sizeof na);
        tn_bind_type_name(b, c->type, nb, sizeof nb);
        return tn_bind_error(b, loc, TARN_ETYPE, "cannot %s %s and %s", what, na, nb);
    }
    TN_TRY(rc);
    if (is_null_type(t)) {
        tn_type_unref(t);
        t = tn_type_get(TN_INT32); /* NULL = NULL */
    }
    TN_TRY(tn_bind_cast(b, a, tn_type_ref(t), a->loc, l));
    return tn_bind_cast(b, c, t, c->loc, r);
}

static int make_compare(tn_binder *b, tn_cmp_op op, tn_expr *l, tn_expr *r, uint32_t loc, tn_expr **out)
{
    TN_TRY(coerce_pair(b, &l, &r, loc, "compare"));
    tn_expr *e = new_expr(b, TN_EXPR_COMPARE, tn_type_get(TN_BOOL), 2, loc);
    if (!e)
        return tn_bind_oom(b);
    e->cmp = op;
    e->args[0] = l;
    e->args[1] = r;
    *out = e;
    return 0;
}

static int as_bool(tn_binder *b, tn_expr *e, uint32_t loc, tn_expr **out)
{
    if (e->type->id == TN_BOOL) {
        *out = e;
        return 0;
    }
    if (is_null_type(e->type) || e->kind == TN_EXPR_PARAM || is_string_literal(e) || tn_type_is_int(e->type->id))
        return tn_bind_cast(b, e, tn_type_get(TN_BOOL), loc, out);
    char n[96];
    tn_bind_type_name(b, e->type, n, sizeof n);
    return tn_bind_error(b, loc, TARN_ETYPE, "expected a BOOLEAN condition, found %s", n);
}

/* ---- literals ------------------------------------------------------------------- */

/* Scalar constructors take their own reference to the type. */
static tn_scalar *decimal_scalar(int32_t precision, int32_t scale, __int128 v)
{
    tn_type *t = tn_type_decimal(128, precision, scale);
    if (!t)
        return NULL;
    tn_scalar *s = tn_scalar_raw(t, &v);
    tn_type_unref(t);
    return s;
}

static int int_literal(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    const char *s = e->text;
    size_t n = strlen(s);
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    if (n <= 18) {
        int64_t v = strtoll(s, NULL, 10);
        if (v >= INT32_MIN && v <= INT32_MAX)
            return lit(b, tn_scalar_int(tn_type_get(TN_INT32), v), e->loc, out);
        return lit(b, tn_scalar_int(tn_type_get(TN_INT64), v), e->loc, out);
    }
    if (n <= 38) {
        unsigned __int128 v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (unsigned)(s[i] - '0');
        if (v <= (unsigned __int128)INT64_MAX)
            return lit(b, tn_scalar_int(tn_type_get(TN_INT64), (int64_t)v), e->loc, out);
        __int128 sv = (__int128)v;
        return lit(b, decimal_scalar(38, 0, sv), e->loc, out);
    }
    return lit(b, tn_scalar_double(tn_type_get(TN_FLOAT64), strtod(s, NULL)), e->loc, out);
}

static int number_literal(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    const char *s = e->text;
    if (strpbrk(s, "eE"))
        return lit(b, tn_scalar_double(tn_type_get(TN_FLOAT64), strtod(s, NULL)), e->loc, out);
    int32_t intd = 0, fracd = 0;
    bool frac = false;
    unsigned __int128 v = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            frac = true;
            continue;
        }
        if (frac)
            fracd++;
        else
            intd++;
        if (intd + fracd <= 38)
            v = v * 10 + (unsigned)(*p - '0');
    }
    int32_t prec = intd + fracd;
    if (prec < 1)
        prec = 1;
    if (prec > 38)
        return lit(b, tn_scalar_double(tn_type_get(TN_FLOAT64), strtod(s, NULL)), e->loc, out);
    return lit(b, decimal_scalar(prec, fracd, (__int128)v), e->loc, out);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int blob_literal(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    size_t n = strlen(e->text);
    if (n % 2)
        return tn_bind_error(b, e->loc, TARN_EPARSE, "blob literal X'%s' has an odd number of digits", e->text);
    uint8_t *bytes = tn_arena_alloc(&b->ctx->arena, n / 2 + 1);
    if (!bytes)
        return tn_bind_oom(b);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(e->text[2 * i]), lo = hexval(e->text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return tn_bind_error(b, e->loc, TARN_EPARSE, "blob literal X'%s' has a non-hex digit", e->text);
        bytes[i] = (uint8_t)(hi * 16 + lo);
    }
    return lit(b, tn_scalar_bytes(tn_type_get(TN_BINARY), bytes, (int64_t)(n / 2)), e->loc, out);
}

static int string_lit(tn_binder *b, const char *s, size_t n, uint32_t loc, tn_expr **out)
{
    return lit(b, tn_scalar_bytes(tn_type_get(TN_STRING), s, (int64_t)n), loc, out);
}

static int typed_literal(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    tn_type *t;
    TN_TRY(located(b, e->type->loc, tn_bind_sql_type(e->type, &t, b->err)));
    const char *s = e->right && e->right->text ? e->right->text : "";
    if (t->id == TN_DATE32) {
        int32_t days;
        tarn_error e2;
        tarn_error_init(&e2);
        tn_type_unref(t);
        if (tn_parse_date(s, strlen(s), &days, &e2) != 0)
            return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid DATE literal '%s'", s);
        return lit(b, tn_scalar_int(tn_type_get(TN_DATE32), days), e->loc, out);
    }
    if (t->id == TN_TIMESTAMP) {
        tn_timestamp_parsed ts;
        tarn_error e2;
        tarn_error_init(&e2);
        if (tn_parse_timestamp(s, strlen(s), (tn_dt_unit)t->unit, &ts, &e2) != 0) {
            tn_type_unref(t);
            return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid TIMESTAMP literal '%s'", s);
        }
        tn_scalar *sc = tn_scalar_int(t, ts.value);
        tn_type_unref(t);
        return lit(b, sc, e->loc, out);
    }
    tn_expr *str = NULL;
    int rc = string_lit(b, s, strlen(s), e->loc, &str);
    if (rc) {
        tn_type_unref(t);
        return rc;
    }
    return tn_bind_cast(b, str, t, e->loc, out);
}

/* INTERVAL: '90' DAY, 3 MONTH, '1 year 2 days', as months / days / nanoseconds. */
typedef struct interval_v {
    int64_t months, days, nanos;
} interval_v;

static bool interval_unit(const char *u, size_t n, double v, interval_v *iv)
{
    char w[16];
    if (n == 0 || n >= sizeof w)
        return false;
    for (size_t i = 0; i < n; i++)
        w[i] = (char)tolower((unsigned char)u[i]);
    w[n] = 0;
    if (n > 1 && w[n - 1] == 's')
        w[n - 1] = 0;
    if (!strcmp(w, "year") || !strcmp(w, "y") || !strcmp(w, "yr"))
        iv->months += (int64_t)(v * 12);
    else if (!strcmp(w, "month") || !strcmp(w, "mon"))
        iv->months += (int64_t)v;
    else if (!strcmp(w, "week"))
        iv->days += (int64_t)(v * 7);
    else if (!strcmp(w, "day") || !strcmp(w, "d"))
        iv->days += (int64_t)v;
    else if (!strcmp(w, "hour") || !strcmp(w, "h"))
        iv->nanos += (int64_t)(v * 3600e9);
    else if (!strcmp(w, "minute") || !strcmp(w, "min") || !strcmp(w, "m"))
        iv->nanos += (int64_t)(v * 60e9);
    else if (!strcmp(w, "second") || !strcmp(w, "sec") || !strcmp(w, "s"))
        iv->nanos += (int64_t)(v * 1e9);
    else if (!strcmp(w, "millisecond") || !strcmp(w, "ms"))
        iv->nanos += (int64_t)(v * 1e6);
    else if (!strcmp(w, "microsecond") || !strcmp(w, "us"))
        iv->nanos += (int64_t)(v * 1e3);
    else
        return false;
    return true;
}

static int interval_literal(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    const tn_sql_expr *x = e->left;
    const char *text = x && x->text ? x->text : "";
    interval_v iv = {0, 0, 0};
    if (e->text) { /* INTERVAL value UNIT */
        char *end;
        double v = strtod(text, &end);
        if (end == text || !interval_unit(e->text, strlen(e->text), v, &iv))
            return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid INTERVAL '%s' %s", text, e->text);
    } else { /* INTERVAL 'n unit [n unit ...]' */
        const char *p = text;
        bool any = false;
        while (*p) {
            while (isspace((unsigned char)*p))
                p++;
            if (!*p)
                break;
            char *end;
            double v = strtod(p, &end);
            if (end == p)
                return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid INTERVAL '%s'", text);
            p = end;
            while (isspace((unsigned char)*p))
                p++;
            const char *u = p;
            while (isalpha((unsigned char)*p))
                p++;
            if (!interval_unit(u, (size_t)(p - u), v, &iv))
                return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid INTERVAL '%s'", text);
            any = true;
        }
        if (!any)
            return tn_bind_error(b, e->loc, TARN_EPARSE, "invalid INTERVAL '%s'", text);
    }
    uint8_t raw[16];
    int32_t m = (int32_t)iv.months, d = (int32_t)iv.days;
    memcpy(raw, &m, 4);
    memcpy(raw + 4, &d, 4);
    memcpy(raw + 8, &iv.nanos, 8);
    return lit(b, tn_scalar_raw(tn_type_get(TN_INTERVAL_MONTH_DAY_NANO), raw), e->loc, out);
}

/* date literal +/- interval literal folds to a timestamp literal (DuckDB's
 * type for date + interval), so TPC-H's `date '1998-12-01' - interval
 * '90' day` is a plain constant; a comparison with a DATE narrows it back
 * (narrow_timestamp_literal). */
static bool fold_date_interval(tn_binder *b, tn_expr *l, tn_expr *r, bool sub, uint32_t loc, tn_expr **out, int *rc)
{
    if (l->kind != TN_EXPR_LITERAL || r->kind != TN_EXPR_LITERAL || l->type->id != TN_DATE32 ||
        r->type->id != TN_INTERVAL_MONTH_DAY_NANO || !l->value->is_valid || !r->value->is_valid)
        return false;
    int32_t m, d;
    int64_t ns;
    memcpy(&m, r->value->v.raw, 4);
    memcpy(&d, r->value->v.raw + 4, 4);
    memcpy(&ns, r->value->v.raw + 8, 8);
    if (sub) {
        m = -m;
        d = -d;
        ns = -ns;
    }
    int64_t y;
    int mo, day;
    tn_civil_from_days(l->value->v.i, &y, &mo, &day);
    int64_t total = y * 12 + (mo - 1) + m;
    y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    mo = (int)(total - y * 12) + 1;
    int dim = tn_days_in_month(y, mo);
    if (day > dim)
        day = dim;
    int64_t days = tn_days_from_civil(y, mo, day) + d;
    tn_type *ts = tn_type_timestamp(TN_MICRO, NULL);
    tn_scalar *sc = ts ? tn_scalar_int(ts, days * 86400000000LL + ns / 1000) : NULL;
    tn_type_unref(ts);
    *rc = lit(b, sc, loc, out);
    return true;
}

/* A timestamp literal at midnight compared with a DATE becomes a DATE
 * literal: the same rows, and the column needs no cast (scans can prune). */
static int narrow_timestamp_literal(tn_binder *b, tn_expr *date_side, tn_expr **lit_side)
{
    tn_expr *x = *lit_side;
    if (date_side->type->id != TN_DATE32 || x->kind != TN_EXPR_LITERAL || x->type->id != TN_TIMESTAMP ||
        x->type->tz || !x->value->is_valid)
        return 0;
    int64_t per_day = 86400 * tn_unit_per_second((tn_dt_unit)x->type->unit);
    if (x->value->v.i % per_day != 0)
        return 0;
    return lit(b, tn_scalar_int(tn_type_get(TN_DATE32), x->value->v.i / per_day), x->loc, lit_side);
}

/* ---- columns ---------------------------------------------------------------------- */

static void closest_column(tn_scope *sc, const char *name, const char **best, int *bestd);

static int resolve_plain(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, const tn_sql_name *nm, tn_expr **out)
{
    const tn_sql_ident *col = &nm->parts[nm->n - 1];
    const tn_sql_ident *tab = nm->n >= 2 ? &nm->parts[nm->n - 2] : NULL;
    int32_t depth = 0;
    bool table_seen = false;
    for (tn_scope *sc = ec->sc; sc; sc = sc->parent, depth++) {
        const tn_bcol *found = NULL;
        int nfound = 0;
        for (int32_t i = 0; i < sc->n; i++) {
            const tn_bcol *c = &sc->cols[i];
            if (tab) {
                if (!c->table || !tn_ident_match(c->table, tab->text, tab->quoted && c->table_quoted))
                    continue;
                table_seen = true;
            } else if (c->using_dup) {
                continue;
            }
            if (!tn_ident_match(c->name, col->text, col->quoted))
                continue;
            if (found && found->index == c->index)
                continue;
            found = c;
            nfound++;
        }
        if (nfound > 1)
            return tn_bind_error(b, e->loc, TARN_EINVAL, "column reference \"%s\" is ambiguous", col->text);
        if (found) {
            tn_expr *x = new_expr(b, depth ? TN_EXPR_OUTER : TN_EXPR_COLUMN, tn_type_ref(found->type), 0, e->loc);
            if (!x)
                return tn_bind_oom(b);
            x->index = found->index;
            x->depth = depth;
            x->text = found->name;
            for (tn_scope *s2 = ec->sc; depth && s2 && s2 != sc; s2 = s2->parent)
                s2->correlated = true;
            *out = x;
            return 0;
        }
    }
    if (tab && !table_seen)
        return tn_bind_error(b, tab->loc, TARN_ENOTFOUND, "table \"%s\" not found in FROM", tab->text);
    const char *best = NULL;
    int bestd = 1 << 30;
    for (tn_scope *sc = ec->sc; sc; sc = sc->parent)
        closest_column(sc, col->text, &best, &bestd);
    return tn_bind_error_hint(b, e->loc, TARN_ENOTFOUND, best, "column \"%s\" not found", col->text);
}

static int edit_distance(const char *a, const char *c)
{
    size_t la = strlen(a), lc = strlen(c);
    if (la > 64 || lc > 64)
        return 1 << 20;
    int row[65];
    for (size_t j = 0; j <= lc; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lc; j++) {
            int cur = row[j];
            int cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)c[j - 1]) ? 0 : 1;
            int v = prev + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
        }
    }
    return row[lc];
}

static void closest_column(tn_scope *sc, const char *name, const char **best, int *bestd)
{
    for (int32_t i = 0; i < sc->n; i++) {
        int d = edit_distance(name, sc->cols[i].name);
        if (d < *bestd && d <= (int)(strlen(name) / 3 + 1) && d < (int)strlen(name)) {
            *bestd = d;
            *best = sc->cols[i].name;
        }
    }
}

static int call_scalar(tn_binder *b, const char *name, tn_expr **args, int32_t nargs, uint32_t loc, tn_expr **out);

/* x.field (a new struct_extract call). */
static int field_of(tn_binder *b, tn_expr *x, const char *field, uint32_t loc, tn_expr **out)
{
    if (x->type->id != TN_STRUCT) {
        char tn[96];
        tn_bind_type_name(b, x->type, tn, sizeof tn);
        return tn_bind_error(b, loc, TARN_ETYPE, "cannot read field \"%s\" of a value of type %s", field, tn);
    }
    tn_expr *args[2] = {x, NULL};
    TN_TRY(string_lit(b, field, strlen(field), loc, &args[1]));
    return call_scalar(b, "struct_extract", args, 2, loc, out);
}

/* a.b.c: a column a.b (table a) or b... first; when no such column exists,
 * the longest prefix that names a column, then struct fields (DuckDB's
 * order: table.column before column.field). */
static int resolve_column(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    int rc = resolve_plain(b, ec, e, &e->name, out);
    if (rc != TARN_ENOTFOUND || e->name.n < 2)
        return rc;
    tarn_error saved = *b->err;
    for (int k = e->name.n - 1; k >= 1; k--) {
        tn_sql_name pre = e->name;
        pre.n = k;
        tn_expr *x = NULL;
        tarn_error_init(b->err);
        if (resolve_plain(b, ec, e, &pre, &x) != 0 || x->type->id != TN_STRUCT)
            continue;
        int frc = 0;
        for (int i = k; frc == 0 && i < e->name.n; i++)
            frc = field_of(b, x, e->name.parts[i].text, e->name.parts[i].loc, &x);
        if (frc == 0) {
            x->text = tn_bind_expr_text(b, e);
            *out = x;
        }
        return frc;
    }
    *b->err = saved;
    return rc;
}

/* (x).field, x['field'] on structs and x[i] on lists */
static int bind_field(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x;
    TN_TRY(tn_bind_expr(b, ec, e->left, &x));
    if (e->kind == TN_SQL_FIELD)
        return field_of(b, x, e->field.text, e->loc, out);
    if (x->type->id == TN_STRUCT) {
        if (e->right->kind != TN_SQL_LIT_STRING)
            return tn_bind_error(b, e->right->loc, TARN_EINVAL, "a struct field is read by a constant name: s['name']");
        return field_of(b, x, e->right->text, e->loc, out);
    }
    tn_expr *args[2] = {x, NULL};
    TN_TRY(tn_bind_expr(b, ec, e->right, &args[1]));
    return call_scalar(b, "list_element", args, 2, e->loc, out);
}

static int bind_args(tn_binder *b, tn_ectx *ec, const tn_sql_exprs *l, tn_expr ***args);

/* [a, b, ...] */
static int bind_list_lit(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr **args;
    TN_TRY(bind_args(b, ec, &e->list, &args));
    if (e->list.n == 0)
        return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED, "an empty list literal [] is not supported yet");
    return call_scalar(b, "list_value", args, e->list.n, e->loc, out);
}

/* {'a': 1, b: 2} */
static int bind_struct_lit(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr **args;
    TN_TRY(bind_args(b, ec, &e->list, &args));
    const char **names = tn_arena_calloc(&b->ctx->arena, sizeof *names * (size_t)(e->list.n + 1));
    if (!names)
        return tn_bind_oom(b);
    for (int i = 0; i < e->list.n; i++)
        names[i] = e->keys[i].text;
    int rc = tn_struct_pack_resolve(b->ctx, names, args, e->list.n, e->loc, out, b->err);
    return rc ? located(b, e->loc, rc) : 0;
}

/* struct_pack(a := 1, b := x) / struct_pack(x, y): names from the named
 * arguments or the columns */
static int bind_struct_pack(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    int n = e->list.n;
    tn_expr **args = tn_arena_calloc(&b->ctx->arena, sizeof *args * (size_t)(n + 1));
    const char **names = tn_arena_calloc(&b->ctx->arena, sizeof *names * (size_t)(n + 1));
    if (!args || !names)
        return tn_bind_oom(b);
    for (int i = 0; i < n; i++) {
        const tn_sql_expr *a = e->list.items[i];
        if (a->kind == TN_SQL_NAMED_ARG) {
            names[i] = a->text;
            TN_TRY(tn_bind_expr(b, ec, a->left, &args[i]));
        } else if (a->kind == TN_SQL_COLUMN) {
            names[i] = a->name.parts[a->name.n - 1].text;
            TN_TRY(tn_bind_expr(b, ec, a, &args[i]));
        } else {
            return tn_bind_error(b, a->loc, TARN_EINVAL, "struct_pack takes name := value arguments");
        }
    }
    int rc = tn_struct_pack_resolve(b->ctx, names, args, n, e->loc, out, b->err);
    return rc ? located(b, e->loc, rc) : 0;
}

/* ---- functions ------------------------------------------------------------------------ */

static char *lower_name(tn_binder *b, const tn_sql_ident *id)
{
    char *s = tn_bind_strdup(b, id->text);
    if (s && !id->quoted)
        for (char *p = s; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return s;
}

static int bind_args(tn_binder *b, tn_ectx *ec, const tn_sql_exprs *l, tn_expr ***args)
{
    *args = NULL;
    if (l->n == 0)
        return 0;
    *args = tn_arena_calloc(&b->ctx->arena, sizeof **args * (size_t)l->n);
    if (!*args)
        return tn_bind_oom(b);
    for (int i = 0; i < l->n; i++) {
        if (l->items[i]->kind == TN_SQL_NAMED_ARG)
            return tn_bind_error(b, l->items[i]->loc, TARN_EINVAL, "named argument \"%s\" is only allowed in table functions",
                                 l->items[i]->text);
        TN_TRY(tn_bind_expr(b, ec, l->items[i], &(*args)[i]));
    }
    return 0;
}

static int unknown_function(tn_binder *b, const char *name, uint32_t loc)
{
    const char *hint = tn_function_closest(name);
    return tn_bind_error_hint(b, loc, TARN_ENOTFOUND, hint, "function \"%s\" not found", name);
}

static int call_scalar(tn_binder *b, const char *name, tn_expr **args, int32_t nargs, uint32_t loc, tn_expr **out)
{
    int rc = tn_scalar_func_resolve(b->ctx, name, args, nargs, loc, out, b->err);
    if (rc == TARN_ENOTFOUND)
        return unknown_function(b, name, loc);
    if (rc)
        return located(b, loc, rc);
    /* sugar (nullif, coalesce -> CASE) may use an argument twice; plan
     * rewrites change nodes in place, so the tree must not share any */
    if (!(*out = tn_expr_copy(b->ctx, *out)))
        return tn_bind_oom(b);
    return 0;
}

static const tn_udf *find_udf(tn_binder *b, const char *name)
{
    return b->opts ? tn_udf_find(b->opts->functions, name) : NULL;
}

/* An aggregate call: the session's functions first, then the library. */
static int resolve_agg(tn_binder *b, const char *name, tn_expr **args, int32_t nargs, bool star, tn_agg_call *call)
{
    const tn_udf *u = find_udf(b, name);
    if (u && tn_udf_is_aggregate(u))
        return tn_udf_resolve_agg(b->ctx, u, args, nargs, star, call, b->err);
    return tn_agg_func_resolve(b->ctx, name, args, nargs, star, call, b->err);
}

static int push_agg(tn_binder *b, tn_ectx *ec, tn_agg_call *call, int32_t *index)
{
    for (int32_t i = 0; i < ec->naggs; i++) {
        const tn_agg_call *o = &ec->aggs[i];
        if (o->func != call->func || o->nargs != call->nargs || o->distinct != call->distinct || o->filter ||
            call->filter || o->norder || call->norder || o->bind_data || call->bind_data ||
            !tn_type_equals(o->type, call->type))
            continue;
        bool same = true;
        for (int32_t a = 0; a < o->nargs && same; a++)
            same = tn_expr_equal(o->args[a], call->args[a]);
        if (same) {
            *index = i;
            return 0;
        }
    }
    if (ec->naggs == ec->capaggs) {
        int32_t ncap = ec->capaggs ? ec->capaggs * 2 : 8;
        tn_agg_call *g = tn_arena_alloc(&b->ctx->arena, sizeof *g * (size_t)ncap);
        if (!g)
            return tn_bind_oom(b);
        if (ec->naggs)
            memcpy(g, ec->aggs, sizeof *g * (size_t)ec->naggs);
        ec->aggs = g;
        ec->capaggs = ncap;
    }
    ec->aggs[ec->naggs] = *call;
    *index = ec->naggs++;
    return 0;
}

static int bind_order_list(tn_binder *b, tn_ectx *ec, const tn_sql_orders *o, tn_sort_spec **out, int32_t *n)
{
    *out = NULL;
    *n = o->n;
    if (o->n == 0)
        return 0;
    *out = tn_arena_calloc(&b->ctx->arena, sizeof **out * (size_t)o->n);
    if (!*out)
        return tn_bind_oom(b);
    for (int i = 0; i < o->n; i++) {
        TN_TRY(tn_bind_expr(b, ec, o->items[i].expr, &(*out)[i].expr));
        (*out)[i].descending = o->items[i].dir == TN_SQL_ORDER_DESC;
        /* DuckDB: NULLS LAST by default in both directions */
        (*out)[i].nulls_first = o->items[i].nulls == TN_SQL_NULLS_FIRST;
    }
    return 0;
}

static int bind_aggregate(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, const char *name, tn_expr **out)
{
    if (!(ec->allow & TN_ALLOW_AGG))
        return tn_bind_error(b, e->loc, TARN_EINVAL, "aggregate function %s is not allowed in %s", name,
                             ec->clause ? ec->clause : "this context");
    if (ec->in_agg)
        return tn_bind_error(b, e->loc, TARN_EINVAL, "aggregate function calls cannot be nested");
    ec->in_agg = true;
    int allow = ec->allow;
    ec->allow &= ~TN_ALLOW_WINDOW;
    tn_expr **args;
    int rc = bind_args(b, ec, &e->list, &args);
    tn_agg_call call;
    memset(&call, 0, sizeof call);
    if (!rc) {
        rc = resolve_agg(b, name, args, e->list.n, e->star, &call);
        if (rc)
            rc = located(b, e->loc, rc);
    }
    if (!rc && e->filter) {
        rc = tn_bind_condition(b, ec, e->filter, &call.filter);
    }
    if (!rc)
        rc = bind_order_list(b, ec, &e->order, &call.order, &call.norder);
    ec->in_agg = false;
    ec->allow = allow;
    TN_TRY(rc);
    call.distinct = e->distinct;
    if (!(call.text = tn_bind_expr_text(b, e)))
        return tn_bind_oom(b);
    int32_t k = 0;
    TN_TRY(push_agg(b, ec, &call, &k));
    tn_expr *x = new_expr(b, TN_EXPR_COLUMN, tn_type_ref(ec->aggs[k].type), 0, e->loc);
    if (!x)
        return tn_bind_oom(b);
    x->depth = TN_PH_AGG;
    x->index = k;
    x->text = call.text;
    *out = x;
    return 0;
}

static const tn_sql_window *find_named_window(const tn_sql_select *s, const tn_sql_ident *name)
{
    for (int i = 0; s && i < s->nwindows; i++)
        if (tn_ident_match(s->windows[i].name.text, name->text, name->quoted))
            return s->windows[i].spec;
    return NULL;
}

static int frame_bound(tn_binder *b, tn_ectx *ec, const tn_sql_bound *in, tn_frame_bound *out)
{
    switch (in->kind) {
    case TN_SQL_BOUND_UNBOUNDED_PRECEDING: out->kind = TN_BOUND_UNBOUNDED_PRECEDING; break;
    case TN_SQL_BOUND_PRECEDING: out->kind = TN_BOUND_PRECEDING; break;
    case TN_SQL_BOUND_CURRENT_ROW: case TN_SQL_BOUND_NONE: out->kind = TN_BOUND_CURRENT_ROW; break;
    case TN_SQL_BOUND_FOLLOWING: out->kind = TN_BOUND_FOLLOWING; break;
    case TN_SQL_BOUND_UNBOUNDED_FOLLOWING: out->kind = TN_BOUND_UNBOUNDED_FOLLOWING; break;
    }
    out->offset = NULL;
    if (in->offset)
        TN_TRY(tn_bind_expr(b, ec, in->offset, &out->offset));
    return 0;
}

static int bind_window(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, const char *name, tn_expr **out)
{
    if (!(ec->allow & TN_ALLOW_WINDOW))
        return tn_bind_error(b, e->loc, TARN_EINVAL, "window function %s is not allowed in %s", name,
                             ec->clause ? ec->clause : "this context");
    const tn_udf *u = find_udf(b, name);
    if (u && !tn_udf_is_aggregate(u))
        return tn_bind_error(b, e->loc, TARN_EINVAL, "%s is a scalar function, not a window or aggregate function",
                             name);
    bool is_win = !u && tn_window_func_exists(name);
    bool is_agg = u || tn_agg_func_exists(name);
    if (!is_win && !is_agg)
        return unknown_function(b, name, e->loc);
    /* the window's own spec, refined from a named base */
    const tn_sql_window *w = e->over, *base = NULL;
    if (w->base) {
        base = find_named_window(ec->select, w->base);
        if (!base)
            return tn_bind_error(b, w->base->loc, TARN_ENOTFOUND, "window \"%s\" not defined", w->base->text);
    }
    const tn_sql_exprs *part = w->partition.n || !base ? &w->partition : &base->partition;
    const tn_sql_orders *ord = w->order.n || !base ? &w->order : &base->order;
    const tn_sql_window *frame = w->unit != TN_SQL_FRAME_NONE || !base ? w : base;
    int allow = ec->allow;
    ec->allow &= ~TN_ALLOW_WINDOW;
    tn_window_call wc;
    memset(&wc, 0, sizeof wc);
    tn_expr **args;
    int rc = bind_args(b, ec, &e->list, &args);
    if (!rc) {
        if (is_win)
            rc = tn_window_func_resolve(b->ctx, name, args, e->list.n, &wc, b->err);
        else
            rc = resolve_agg(b, name, args, e->list.n, e->star, &wc.agg);
        if (rc)
            rc = located(b, e->loc, rc);
    }
    if (!rc && e->filter)
        rc = tn_bind_condition(b, ec, e->filter, &wc.agg.filter);
    if (!rc && part->n) {
        wc.partition = tn_arena_calloc(&b->ctx->arena, sizeof *wc.partition * (size_t)part->n);
        rc = wc.partition ? 0 : tn_bind_oom(b);
        for (int i = 0; !rc && i < part->n; i++)
            rc = tn_bind_expr(b, ec, part->items[i], &wc.partition[i]);
        wc.npartition = part->n;
    }
    if (!rc)
        rc = bind_order_list(b, ec, ord, &wc.order, &wc.norder);
    if (!rc) {
        if (frame->unit == TN_SQL_FRAME_NONE) {
            wc.unit = wc.norder ? TN_FRAME_RANGE : TN_FRAME_ROWS;
            wc.start.kind = TN_BOUND_UNBOUNDED_PRECEDING;
            wc.end.kind = wc.norder ? TN_BOUND_CURRENT_ROW : TN_BOUND_UNBOUNDED_FOLLOWING;
        } else {
            wc.unit = frame->unit == TN_SQL_FRAME_ROWS ? TN_FRAME_ROWS
                      : frame->unit == TN_SQL_FRAME_GROUPS ? TN_FRAME_GROUPS : TN_FRAME_RANGE;
            rc = frame_bound(b, ec, &frame->start, &wc.start);
            if (!rc)
                rc = frame_bound(b, ec, &frame->end, &wc.end);
        }
    }
    ec->allow = allow;
    TN_TRY(rc);
    wc.agg.distinct = e->distinct;
    if (!(wc.agg.text = tn_bind_expr_text(b, e)))
        return tn_bind_oom(b);
    if (ec->nwins == ec->capwins) {
        int32_t ncap = ec->capwins ? ec->capwins * 2 : 4;
        tn_window_call *g = tn_arena_alloc(&b->ctx->arena, sizeof *g * (size_t)ncap);
        if (!g)
            return tn_bind_oom(b);
        if (ec->nwins)
            memcpy(g, ec->wins, sizeof *g * (size_t)ec->nwins);
        ec->wins = g;
        ec->capwins = ncap;
    }
    ec->wins[ec->nwins] = wc;
    tn_expr *x = new_expr(b, TN_EXPR_COLUMN, tn_type_ref(wc.agg.type), 0, e->loc);
    if (!x)
        return tn_bind_oom(b);
    x->depth = TN_PH_WINDOW;
    x->index = ec->nwins++;
    x->text = wc.agg.text;
    *out = x;
    return 0;
}

static int bind_func(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    const tn_sql_ident *id = &e->name.parts[e->name.n - 1];
    char *name = lower_name(b, id);
    if (!name)
        return tn_bind_oom(b);
    if (e->over)
        return bind_window(b, ec, e, name, out);
    if (!strcmp(name, "grouping") || !strcmp(name, "grouping_id")) {
        if (!(ec->allow & TN_ALLOW_AGG) || ec->in_agg)
            return tn_bind_error(b, e->loc, TARN_EINVAL, "%s is not allowed in %s", name,
                                 ec->clause ? ec->clause : "this context");
        if (e->list.n < 1 || e->list.n > 62)
            return tn_bind_error(b, e->loc, TARN_EINVAL, "%s takes 1 to 62 GROUP BY expressions", name);
        tn_expr *g = new_expr(b, TN_EXPR_COLUMN, tn_type_get(TN_INT64), e->list.n, e->loc);
        if (!g)
            return tn_bind_oom(b);
        g->depth = TN_PH_GROUPING;
        int allow = ec->allow;
        ec->allow = 0;
        int rc = 0;
        for (int i = 0; rc == 0 && i < e->list.n; i++)
            rc = tn_bind_expr(b, ec, e->list.items[i], &g->args[i]);
        ec->allow = allow;
        TN_TRY(rc);
        *out = g;
        return 0;
    }
    const tn_udf *u = find_udf(b, name);
    if (u ? tn_udf_is_aggregate(u) : tn_agg_func_exists(name))
        return bind_aggregate(b, ec, e, name, out);
    if (e->distinct || e->filter || e->star)
        return unknown_function(b, name, e->loc);
    if (!u && !strcmp(name, "struct_pack"))
        return bind_struct_pack(b, ec, e, out);
    tn_expr **args;
    TN_TRY(bind_args(b, ec, &e->list, &args));
    if (u) {
        int rc = tn_udf_resolve_scalar(b->ctx, u, args, e->list.n, e->loc, out, b->err);
        if (rc)
            return located(b, e->loc, rc);
        (*out)->text = NULL;
        return 0;
    }
    return call_scalar(b, name, args, e->list.n, e->loc, out);
}

/* ---- operators -------------------------------------------------------------------------- */

/* An integer literal meeting a narrower integer takes its type when the
 * value fits (DuckDB's integer literals do): tinyint * 100 stays tinyint
 * and overflows as DuckDB's does. */
static int adapt_int_literal(tn_binder *b, tn_expr **lit_side, const tn_expr *other)
{
    tn_expr *x = *lit_side;
    if (x->kind != TN_EXPR_LITERAL || !x->value->is_valid || !tn_type_is_signed_int(x->type->id) ||
        !tn_type_is_signed_int(other->type->id) || other->type->id >= x->type->id)
        return 0;
    int64_t v = x->value->v.i;
    int bits = tn_type_bit_width(other->type);
    int64_t lo = -((int64_t)1 << (bits - 1)), hi = ((int64_t)1 << (bits - 1)) - 1;
    if (v < lo || v > hi)
        return 0;
    return lit(b, tn_scalar_int(other->type, v), x->loc, lit_side);
}

static int bind_arith_as(tn_binder *b, tn_arith_op op, bool intdiv, tn_expr *l, tn_expr *r, uint32_t loc,
                         tn_expr **out);

/* a op b by DuckDB's rules: `/` of numbers divides as doubles; `//`
 * (intdiv) divides in the operands' own type (integers truncate). */
static int bind_arith(tn_binder *b, tn_arith_op op, tn_expr *l, tn_expr *r, uint32_t loc, tn_expr **out)
{
    return bind_arith_as(b, op, false, l, r, loc, out);
}

static int bind_arith_as(tn_binder *b, tn_arith_op op, bool intdiv, tn_expr *l, tn_expr *r, uint32_t loc,
                         tn_expr **out)
{
    TN_TRY(adapt_int_literal(b, &r, l));
    TN_TRY(adapt_int_literal(b, &l, r));
    int frc = 0;
    if ((op == TN_ADD || op == TN_SUB) && fold_date_interval(b, l, r, op == TN_SUB, loc, out, &frc))
        return frc;
    if (is_null_type(l->type) && !is_null_type(r->type))
        TN_TRY(tn_bind_cast(b, l, tn_type_ref(r->type), loc, &l));
    else if (is_null_type(r->type) && !is_null_type(l->type))
        TN_TRY(tn_bind_cast(b, r, tn_type_ref(l->type), loc, &r));
    else if (is_null_type(l->type)) {
        TN_TRY(tn_bind_cast(b, l, tn_type_get(TN_INT32), loc, &l));
        TN_TRY(tn_bind_cast(b, r, tn_type_get(TN_INT32), loc, &r));
    }
    if (is_string_literal(l) && tn_type_is_numeric(r->type->id))
        TN_TRY(tn_bind_cast(b, l, tn_type_get(TN_FLOAT64), loc, &l));
    if (is_string_literal(r) && tn_type_is_numeric(l->type->id))
        TN_TRY(tn_bind_cast(b, r, tn_type_get(TN_FLOAT64), loc, &r));
    if (op == TN_DIV && !intdiv && tn_type_is_numeric(l->type->id) && tn_type_is_numeric(r->type->id) &&
        !(tn_type_is_float(l->type->id) && tn_type_is_float(r->type->id))) {
        /* DuckDB: `/` of integers or decimals is a double division */
        TN_TRY(tn_bind_cast(b, l, tn_type_get(TN_FLOAT64), loc, &l));
        TN_TRY(tn_bind_cast(b, r, tn_type_get(TN_FLOAT64), loc, &r));
    }
    tn_type *t;
    tarn_error e2;
    tarn_error_init(&e2);
    int rc = tn_arith_result_type(op, l->type, r->type, &t, &e2);
    if (rc == TARN_ENOMEM || rc == TARN_EMEMLIMIT)
        return tn_error_oom(b->err, 0);
    if (rc) {
        static const char *ops[] = {"+", "-", "*", "/", "%"};
        char na[96], nb[96];
        tn_bind_type_name(b, l->type, na, sizeof na);
        tn_bind_type_name(b, r->type, nb, sizeof nb);
        return tn_bind_error(b, loc, TARN_ETYPE, "cannot apply %s to %s and %s", ops[op], na, nb);
    }
    tn_expr *e = new_expr(b, TN_EXPR_ARITH, t, 2, loc);
    if (!e)
        return tn_bind_oom(b);
    e->arith = op;
    e->args[0] = l;
    e->args[1] = r;
    if (op == TN_SUB && t->id == TN_DURATION && l->type->id == TN_TIMESTAMP && r->type->id == TN_TIMESTAMP)
        /* DuckDB: timestamp - timestamp is an INTERVAL (days and time) */
        return call_scalar(b, "interval_from_duration", &e, 1, loc, out);
    *out = e;
    return 0;
}

static tn_cmp_op cmp_of(tn_sql_op op)
{
    switch (op) {
    case TN_SQL_OP_EQ: return TN_CMP_EQ;
    case TN_SQL_OP_NE: return TN_CMP_NE;
    case TN_SQL_OP_LT: return TN_CMP_LT;
    case TN_SQL_OP_LE: return TN_CMP_LE;
    case TN_SQL_OP_GT: return TN_CMP_GT;
    default: return TN_CMP_GE;
    }
}

static int bool_node(tn_binder *b, tn_expr_kind k, tn_expr *l, tn_expr *r, uint32_t loc, tn_expr **out)
{
    TN_TRY(as_bool(b, l, loc, &l));
    if (r)
        TN_TRY(as_bool(b, r, loc, &r));
    /* flatten nested ANDs / ORs into one n-ary node */
    int32_t nl = l->kind == k ? l->nargs : 1, nr = r ? (r->kind == k ? r->nargs : 1) : 0;
    tn_expr *e = new_expr(b, k, tn_type_get(TN_BOOL), nl + nr, loc);
    if (!e)
        return tn_bind_oom(b);
    for (int32_t i = 0; i < nl; i++)
        e->args[i] = l->kind == k ? l->args[i] : l;
    for (int32_t i = 0; i < nr; i++)
        e->args[nl + i] = r->kind == k ? r->args[i] : r;
    *out = e;
    return 0;
}

static int bind_binary(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *l, *r;
    TN_TRY(tn_bind_expr(b, ec, e->left, &l));
    TN_TRY(tn_bind_expr(b, ec, e->right, &r));
    switch (e->op) {
    case TN_SQL_OP_AND: return bool_node(b, TN_EXPR_AND, l, r, e->loc, out);
    case TN_SQL_OP_OR: return bool_node(b, TN_EXPR_OR, l, r, e->loc, out);
    case TN_SQL_OP_EQ: case TN_SQL_OP_NE: case TN_SQL_OP_LT: case TN_SQL_OP_LE: case TN_SQL_OP_GT:
    case TN_SQL_OP_GE:
        return make_compare(b, cmp_of(e->op), l, r, e->loc, out);
    case TN_SQL_OP_ADD: return bind_arith(b, TN_ADD, l, r, e->loc, out);
    case TN_SQL_OP_SUB: return bind_arith(b, TN_SUB, l, r, e->loc, out);
    case TN_SQL_OP_MUL: return bind_arith(b, TN_MUL, l, r, e->loc, out);
    case TN_SQL_OP_DIV: return bind_arith(b, TN_DIV, l, r, e->loc, out);
    case TN_SQL_OP_INTDIV: return bind_arith_as(b, TN_DIV, true, l, r, e->loc, out);
    case TN_SQL_OP_MOD: return bind_arith(b, TN_MOD, l, r, e->loc, out);
    default: break;
    }
    const char *fname = e->op == TN_SQL_OP_CONCAT ? "concat" : e->op == TN_SQL_OP_POW ? "pow"
                        : e->op == TN_SQL_OP_BITAND ? "bitwise_and" : e->op == TN_SQL_OP_BITOR ? "bitwise_or"
                        : e->op == TN_SQL_OP_BITXOR ? "xor" : e->op == TN_SQL_OP_SHL ? "shift_left" : "shift_right";
    tn_expr **args = tn_arena_alloc(&b->ctx->arena, sizeof *args * 2);
    if (!args)
        return tn_bind_oom(b);
    args[0] = l;
    args[1] = r;
    if (e->op != TN_SQL_OP_CONCAT)
        return call_scalar(b, fname, args, 2, e->loc, out);
    int rc = call_scalar(b, "||", args, 2, e->loc, out);
    return rc == TARN_ENOTFOUND ? call_scalar(b, fname, args, 2, e->loc, out) : rc;
}

static int bind_unary(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x;
    TN_TRY(tn_bind_expr(b, ec, e->left, &x));
    if (e->op == TN_SQL_OP_NOT) {
        TN_TRY(as_bool(b, x, e->loc, &x));
        tn_expr *n = new_expr(b, TN_EXPR_NOT, tn_type_get(TN_BOOL), 1, e->loc);
        if (!n)
            return tn_bind_oom(b);
        n->args[0] = x;
        *out = n;
        return 0;
    }
    if (e->op == TN_SQL_OP_PLUS) {
        *out = x;
        return 0;
    }
    if (e->op == TN_SQL_OP_NEG) {
        if (x->kind == TN_EXPR_LITERAL && x->value->is_valid && tn_type_is_signed_int(x->type->id) && x->value->v.i != INT64_MIN) {
            x->value->v.i = -x->value->v.i; /* -2147483648 stays int32 */
            if (x->type->id == TN_INT64 && x->value->v.i == INT32_MIN) {
                tn_expr *y = NULL;
                TN_TRY(lit(b, tn_scalar_int(tn_type_get(TN_INT32), INT32_MIN), e->loc, &y));
                x = y;
            }
            *out = x;
            return 0;
        }
        if (x->kind == TN_EXPR_LITERAL && x->value->is_valid && tn_type_is_float(x->type->id)) {
            x->value->v.f = -x->value->v.f;
            *out = x;
            return 0;
        }
        if (x->kind == TN_EXPR_LITERAL && x->value->is_valid && x->type->id == TN_DECIMAL128) {
            __int128 v;
            memcpy(&v, x->value->v.raw, 16);
            v = -v;
            memcpy(x->value->v.raw, &v, 16);
            *out = x;
            return 0;
        }
        if (!tn_type_is_numeric(x->type->id) && x->type->id != TN_DURATION && !is_null_type(x->type) &&
            x->type->id != TN_INTERVAL_MONTH_DAY_NANO) {
            char n[96];
            tn_bind_type_name(b, x->type, n, sizeof n);
            return tn_bind_error(b, e->loc, TARN_ETYPE, "cannot negate %s", n);
        }
        tn_expr *n = new_expr(b, TN_EXPR_NEGATE, tn_type_ref(x->type), 1, e->loc);
        if (!n)
            return tn_bind_oom(b);
        n->args[0] = x;
        *out = n;
        return 0;
    }
    tn_expr **args = tn_arena_alloc(&b->ctx->arena, sizeof *args);
    if (!args)
        return tn_bind_oom(b);
    args[0] = x;
    return call_scalar(b, "bitwise_not", args, 1, e->loc, out);
}

static int bind_is(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x;
    TN_TRY(tn_bind_expr(b, ec, e->left, &x));
    if (e->is == TN_SQL_IS_NULL || e->is == TN_SQL_IS_UNKNOWN) {
        tn_expr *n = new_expr(b, TN_EXPR_IS_NULL, tn_type_get(TN_BOOL), 1, e->loc);
        if (!n)
            return tn_bind_oom(b);
        n->args[0] = x;
        n->negated = e->negated;
        *out = n;
        return 0;
    }
    tn_expr *r;
    if (e->is == TN_SQL_IS_DISTINCT) {
        TN_TRY(tn_bind_expr(b, ec, e->right, &r));
        TN_TRY(coerce_pair(b, &x, &r, e->loc, "compare"));
    } else {
        TN_TRY(as_bool(b, x, e->loc, &x));
        TN_TRY(lit(b, tn_scalar_bool(e->is == TN_SQL_IS_TRUE), e->loc, &r));
    }
    tn_expr *n = new_expr(b, TN_EXPR_IS_DISTINCT, tn_type_get(TN_BOOL), 2, e->loc);
    if (!n)
        return tn_bind_oom(b);
    n->args[0] = x;
    n->args[1] = r;
    /* IS TRUE = IS NOT DISTINCT FROM true; IS NOT TRUE = IS DISTINCT FROM true */
    n->negated = e->is == TN_SQL_IS_DISTINCT ? e->negated : !e->negated;
    *out = n;
    return 0;
}

static int wrap_not(tn_binder *b, tn_expr *x, uint32_t loc, tn_expr **out)
{
    tn_expr *n = new_expr(b, TN_EXPR_NOT, tn_type_get(TN_BOOL), 1, loc);
    if (!n)
        return tn_bind_oom(b);
    n->args[0] = x;
    *out = n;
    return 0;
}

static int bind_between(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x = NULL, *lo = NULL, *hi = NULL, *x2 = NULL, *c1 = NULL, *c2 = NULL, *a = NULL;
    TN_TRY(tn_bind_expr(b, ec, e->left, &x));
    TN_TRY(tn_bind_expr(b, ec, e->right, &lo));
    TN_TRY(tn_bind_expr(b, ec, e->third, &hi));
    if (!(x2 = tn_expr_copy(b->ctx, x)))
        return tn_bind_oom(b);
    TN_TRY(make_compare(b, TN_CMP_GE, x, lo, e->loc, &c1));
    TN_TRY(make_compare(b, TN_CMP_LE, x2, hi, e->loc, &c2));
    TN_TRY(bool_node(b, TN_EXPR_AND, c1, c2, e->loc, &a));
    return e->negated ? wrap_not(b, a, e->loc, out) : (*out = a, 0);
}

static int bind_in_list(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    int32_t n = e->list.n;
    tn_expr *in = new_expr(b, TN_EXPR_IN_LIST, tn_type_get(TN_BOOL), n + 1, e->loc);
    if (!in)
        return tn_bind_oom(b);
    TN_TRY(tn_bind_expr(b, ec, e->left, &in->args[0]));
    for (int32_t i = 0; i < n; i++)
        TN_TRY(tn_bind_expr(b, ec, e->list.items[i], &in->args[i + 1]));
    /* one type for all: the left side's when the items are literals of another kind */
    tn_type *t = tn_type_ref(in->args[0]->type);
    for (int32_t i = 1; i <= n; i++) {
        tn_expr *it = in->args[i];
        if (is_string_literal(it) && !tn_type_is_string(t->id) && !is_null_type(t))
            continue;
        tn_type *u;
        int rc = tn_bind_unify(b, t, it->type, it->loc, &u);
        tn_type_unref(t);
        TN_TRY(rc);
        t = u;
    }
    if (is_null_type(t)) {
        tn_type_unref(t);
        t = tn_type_get(TN_INT32);
    }
    if (!tn_plan_keep_type(b->ctx, t))
        return tn_bind_oom(b);
    for (int32_t i = 0; i <= n; i++)
        TN_TRY(tn_bind_cast(b, in->args[i], tn_type_ref(t), in->args[i]->loc, &in->args[i]));
    in->negated = e->negated;
    *out = in;
    return 0;
}

static int bind_like(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    int32_t n = e->third ? 3 : 2;
    tn_expr **args = tn_arena_alloc(&b->ctx->arena, sizeof *args * 3);
    if (!args)
        return tn_bind_oom(b);
    TN_TRY(tn_bind_expr(b, ec, e->left, &args[0]));
    TN_TRY(tn_bind_expr(b, ec, e->right, &args[1]));
    if (e->third)
        TN_TRY(tn_bind_expr(b, ec, e->third, &args[2]));
    const char *name = e->like == TN_SQL_LIKE_ILIKE ? "ilike" : e->like == TN_SQL_LIKE_SIMILAR ? "regexp_full_match" : "like";
    if (e->third && e->like != TN_SQL_LIKE_SIMILAR)
        name = e->like == TN_SQL_LIKE_ILIKE ? "ilike_escape" : "like_escape";
    tn_expr *c;
    TN_TRY(call_scalar(b, name, args, n, e->loc, &c));
    return e->negated ? wrap_not(b, c, e->loc, out) : (*out = c, 0);
}

static int bind_case(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    int32_t nw = e->list.n;
    bool has_else = e->right != NULL;
    tn_expr *c = new_expr(b, TN_EXPR_CASE, NULL, 2 * nw + (has_else ? 1 : 0), e->loc);
    if (!c)
        return tn_bind_oom(b);
    tn_expr *operand = NULL;
    if (e->left)
        TN_TRY(tn_bind_expr(b, ec, e->left, &operand));
    for (int32_t i = 0; i < nw; i++) {
        tn_expr *w;
        TN_TRY(tn_bind_expr(b, ec, e->list.items[i], &w));
        if (operand) {
            tn_expr *op = i == 0 ? operand : tn_expr_copy(b->ctx, operand);
            if (!op)
                return tn_bind_oom(b);
            TN_TRY(make_compare(b, TN_CMP_EQ, op, w, e->list.items[i]->loc, &w));
        } else {
            TN_TRY(as_bool(b, w, e->list.items[i]->loc, &w));
        }
        c->args[2 * i] = w;
        TN_TRY(tn_bind_expr(b, ec, e->list2.items[i], &c->args[2 * i + 1]));
    }
    if (has_else)
        TN_TRY(tn_bind_expr(b, ec, e->right, &c->args[2 * nw]));
    tn_type *t = tn_type_get(TN_NA);
    for (int32_t i = 0; i < c->nargs; i++) {
        if (i < 2 * nw && i % 2 == 0)
            continue;
        tn_type *u;
        int rc = tn_bind_unify(b, t, c->args[i]->type, c->args[i]->loc, &u);
        tn_type_unref(t);
        TN_TRY(rc);
        t = u;
    }
    if (!tn_plan_keep_type(b->ctx, t))
        return tn_bind_oom(b);
    for (int32_t i = 0; i < c->nargs; i++)
        if (!(i < 2 * nw && i % 2 == 0))
            TN_TRY(tn_bind_cast(b, c->args[i], tn_type_ref(t), c->args[i]->loc, &c->args[i]));
    c->type = t;
    c->has_else = has_else;
    *out = c;
    return 0;
}

static int bind_extract(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr **args = tn_arena_alloc(&b->ctx->arena, sizeof *args * 2);
    if (!args)
        return tn_bind_oom(b);
    char field[32];
    snprintf(field, sizeof field, "%s", e->text ? e->text : "");
    for (char *p = field; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    TN_TRY(string_lit(b, field, strlen(field), e->loc, &args[0]));
    TN_TRY(tn_bind_expr(b, ec, e->left, &args[1]));
    return call_scalar(b, "date_part", args, 2, e->loc, out);
}

static int bind_param(tn_binder *b, const tn_sql_expr *e, tn_expr **out)
{
    int64_t idx = e->index ? e->index : b->ctx->nparams + 1;
    if (idx < 1 || idx > 65535)
        return tn_bind_error(b, e->loc, TARN_EINVAL, "parameter $%lld out of range", (long long)idx);
    if (idx > b->ctx->nparams) {
        tn_type **g = tn_realloc(b->ctx->param_types, sizeof *g * (size_t)idx);
        if (!g)
            return tn_bind_oom(b);
        for (int64_t i = b->ctx->nparams; i < idx; i++)
            g[i] = NULL;
        b->ctx->param_types = g;
        b->ctx->nparams = (int)idx;
    }
    tn_type *t = NULL;
    if (b->opts && idx <= b->opts->nparams && b->opts->param_types[idx - 1])
        t = b->opts->param_types[idx - 1];
    else if (b->ctx->param_types[idx - 1])
        t = b->ctx->param_types[idx - 1];
    else
        t = tn_type_get(TN_NA);
    tn_expr *x = new_expr(b, TN_EXPR_PARAM, tn_type_ref(t), 0, e->loc);
    if (!x)
        return tn_bind_oom(b);
    x->index = (int32_t)idx;
    if (t->id != TN_NA && !b->ctx->param_types[idx - 1])
        b->ctx->param_types[idx - 1] = x->type;
    *out = x;
    return 0;
}

/* ---- subqueries ------------------------------------------------------------------------ */

static int bind_subquery_plan(tn_binder *b, tn_ectx *ec, const tn_sql_query *q, tn_plan **plan)
{
    bool corr = false;
    return tn_bind_query(b, q, ec->sc, plan, &corr);
}

/* Cast the subquery's single column to t with a PROJECT on top. */
static int cast_plan_column(tn_binder *b, tn_plan **plan, tn_type *t)
{
    tn_plan *p = *plan;
    if (tn_type_equals(p->out->fields[0].type, t))
        return 0;
    int32_t zero = 0;
    tn_plan *proj = tn_plan_project_columns(b->ctx, p, &zero, 1);
    if (!proj)
        return tn_bind_oom(b);
    TN_TRY(tn_bind_cast(b, proj->exprs[0], tn_type_ref(t), p->loc, &proj->exprs[0]));
    tn_type *types[1] = {t};
    const char *names[1] = {p->out->fields[0].name};
    if (!(proj->out = tn_bind_schema(b, 1, names, types)))
        return tn_bind_oom(b);
    *plan = proj;
    return 0;
}

static int bind_subquery_expr(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_plan *plan;
    TN_TRY(bind_subquery_plan(b, ec, e->query, &plan));
    tn_subquery_kind k = e->kind == TN_SQL_EXISTS ? TN_SUBQUERY_EXISTS
                         : e->kind == TN_SQL_SUBQUERY ? TN_SUBQUERY_SCALAR
                         : e->kind == TN_SQL_IN_QUERY ? TN_SUBQUERY_IN
                         : e->all ? TN_SUBQUERY_ALL : TN_SUBQUERY_ANY;
    if (k != TN_SUBQUERY_EXISTS && plan->out->n_fields != 1)
        return tn_bind_error(b, e->loc, TARN_EINVAL, "subquery returns %d columns, expected 1", plan->out->n_fields);
    tn_expr *left = NULL;
    tn_type *t;
    if (k == TN_SUBQUERY_EXISTS)
        t = tn_type_get(TN_BOOL);
    else if (k == TN_SUBQUERY_SCALAR)
        t = tn_type_ref(plan->out->fields[0].type);
    else {
        TN_TRY(tn_bind_expr(b, ec, e->left, &left));
        tn_type *u;
        const tn_type *st = plan->out->fields[0].type;
        if (is_string_literal(left) && !tn_type_is_string(st->id) && !is_null_type(st))
            u = tn_type_ref((tn_type *)st);
        else
            TN_TRY(tn_bind_unify(b, left->type, st, e->loc, &u));
        if (is_null_type(u)) {
            tn_type_unref(u);
            u = tn_type_get(TN_INT32);
        }
        if (!tn_plan_keep_type(b->ctx, u))
            return tn_bind_oom(b);
        TN_TRY(tn_bind_cast(b, left, tn_type_ref(u), e->loc, &left));
        TN_TRY(cast_plan_column(b, &plan, u));
        t = tn_type_get(TN_BOOL);
    }
    tn_expr *s = new_expr(b, TN_EXPR_SUBQUERY, t, left ? 1 : 0, e->loc);
    if (!s)
        return tn_bind_oom(b);
    s->subquery_kind = k;
    s->subquery = plan;
    s->negated = e->negated;
    if (left)
        s->args[0] = left;
    if (e->kind == TN_SQL_QUANTIFIED)
        s->cmp = cmp_of(e->op);
    *out = s;
    return 0;
}

/* ---- entry -------------------------------------------------------------------------------- */

int tn_bind_condition(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x;
    TN_TRY(tn_bind_expr(b, ec, e, &x));
    return as_bool(b, x, e->loc, out);
}

static int bind_cast_expr(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    tn_expr *x;
    TN_TRY(tn_bind_expr(b, ec, e->left, &x));
    tn_type *t;
    TN_TRY(located(b, e->type->loc, tn_bind_sql_type(e->type, &t, b->err)));
    if (!tn_type_equals(x->type, t) && !is_null_type(x->type) && x->kind != TN_EXPR_PARAM &&
        !tn_cast_supported(x->type, t)) {
        char na[96], nb[96];
        tn_bind_type_name(b, x->type, na, sizeof na);
        tn_bind_type_name(b, t, nb, sizeof nb);
        tn_type_unref(t);
        return tn_bind_error(b, e->loc, TARN_ETYPE, "cannot cast %s to %s", na, nb);
    }
    if (tn_type_equals(x->type, t) && !e->try_cast) {
        tn_type_unref(t);
        *out = x;
        return 0;
    }
    tn_expr *c = new_expr(b, TN_EXPR_CAST, t, 1, e->loc);
    if (!c)
        return tn_bind_oom(b);
    c->args[0] = x;
    c->try_cast = e->try_cast;
    *out = c;
    return 0;
}

static int bind_expr_kind(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    switch (e->kind) {
    case TN_SQL_LIT_NULL: return lit(b, tn_scalar_null(tn_type_get(TN_NA)), e->loc, out);
    case TN_SQL_LIT_BOOL: return lit(b, tn_scalar_bool(e->boolean), e->loc, out);
    case TN_SQL_LIT_INT: return int_literal(b, e, out);
    case TN_SQL_LIT_NUMBER: return number_literal(b, e, out);
    case TN_SQL_LIT_STRING: return string_lit(b, e->text, e->len, e->loc, out);
    case TN_SQL_LIT_BLOB: return blob_literal(b, e, out);
    case TN_SQL_LIT_TYPED: return typed_literal(b, e, out);
    case TN_SQL_INTERVAL: return interval_literal(b, e, out);
    case TN_SQL_COLUMN: return resolve_column(b, ec, e, out);
    case TN_SQL_STAR: return tn_bind_error(b, e->loc, TARN_EINVAL, "* is only allowed in a SELECT list or count(*)");
    case TN_SQL_PARAM: return bind_param(b, e, out);
    case TN_SQL_UNARY: return bind_unary(b, ec, e, out);
    case TN_SQL_BINARY: return bind_binary(b, ec, e, out);
    case TN_SQL_IS: return bind_is(b, ec, e, out);
    case TN_SQL_BETWEEN: return bind_between(b, ec, e, out);
    case TN_SQL_IN_LIST: return bind_in_list(b, ec, e, out);
    case TN_SQL_LIKE: return bind_like(b, ec, e, out);
    case TN_SQL_IN_QUERY: case TN_SQL_EXISTS: case TN_SQL_SUBQUERY:
        return bind_subquery_expr(b, ec, e, out);
    case TN_SQL_QUANTIFIED:
        if (!e->query)
            return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED, "ANY/ALL over an array is not supported");
        return bind_subquery_expr(b, ec, e, out);
    case TN_SQL_CASE: return bind_case(b, ec, e, out);
    case TN_SQL_CAST: return bind_cast_expr(b, ec, e, out);
    case TN_SQL_EXTRACT: return bind_extract(b, ec, e, out);
    case TN_SQL_FUNC: return bind_func(b, ec, e, out);
    case TN_SQL_NAMED_ARG:
        return tn_bind_error(b, e->loc, TARN_EINVAL, "named argument \"%s\" is only allowed in table functions", e->text);
    case TN_SQL_SUBSCRIPT: case TN_SQL_FIELD: return bind_field(b, ec, e, out);
    case TN_SQL_LIST: return bind_list_lit(b, ec, e, out);
    case TN_SQL_STRUCT: return bind_struct_lit(b, ec, e, out);
    case TN_SQL_SLICE: case TN_SQL_ROW:
        break;
    }
    return tn_bind_error(b, e->loc, TARN_EUNSUPPORTED, "expression %s is not supported yet", tn_bind_expr_text(b, e) ? tn_bind_expr_text(b, e) : "");
}

int tn_bind_expr(tn_binder *b, tn_ectx *ec, const tn_sql_expr *e, tn_expr **out)
{
    *out = NULL;
    TN_TRY(bind_expr_kind(b, ec, e, out));
    tn_expr *x = *out;
    if (!x->text && x->kind != TN_EXPR_LITERAL && x->kind != TN_EXPR_COLUMN && !(x->text = tn_bind_expr_text(b, e)))
        return tn_bind_oom(b);
    return 0;
}
