/*
 * filter.c — the reader's `where` predicate (grammar in filter.h): a small
 * strict parser, binding of each comparison to a leaf column (type checks,
 * the literal as a scalar of the column's type), and row-group pruning
 * from chunk statistics.
 *
 * Pruning reads min/max as the writer stored them in the column's sort
 * order: little-endian INT32/INT64 (signed integers, dates, timestamps,
 * times, decimals as unscaled integers), FLOAT/DOUBLE, and BYTE_ARRAY
 * strings compared as unsigned bytes (only from min_value/max_value, the
 * fields whose order the format defines). A truncated string bound is
 * still a bound, so it stays safe. Floats never prune >, >= or != because
 * NaN, which writers leave out of statistics, sorts above every number in
 * the comparison kernels.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "formats/parquet/filter.h"

typedef struct lexer {
    const char *s;
    size_t i;
    tarn_error *err;
} lexer;

static void skip_space(lexer *l)
{
    while (l->s[l->i] == ' ' || l->s[l->i] == '\t' || l->s[l->i] == '\n' || l->s[l->i] == '\r')
        l->i++;
}

static int perr(lexer *l, const char *what)
{
    const char *near = l->s + l->i;
    if (!*near)
        return tn_error_set(l->err, TARN_EPARSE, "where: %s at position %zu (end of the filter)", what, l->i + 1);
    return tn_error_set(l->err, TARN_EPARSE, "where: %s at position %zu (near '%.12s')", what, l->i + 1, near);
}

static bool ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* A column: names joined by dots, each bare or "double quoted". */
static int column(lexer *l, char **out)
{
    size_t cap = strlen(l->s) + 1, n = 0;
    char *name = tn_malloc(cap);
    TN_TRY_ALLOC(name, l->err, cap);
    for (;;) {
        if (l->s[l->i] == '"') {
            l->i++;
            while (l->s[l->i] && l->s[l->i] != '"')
                name[n++] = l->s[l->i++];
            if (!l->s[l->i]) {
                tn_free(name);
                return perr(l, "unterminated quoted column name");
            }
            l->i++;
        } else if (ident_start(l->s[l->i])) {
            while (ident_char(l->s[l->i]))
                name[n++] = l->s[l->i++];
        } else {
            tn_free(name);
            return perr(l, "expected a column name");
        }
        if (l->s[l->i] != '.')
            break;
        name[n++] = l->s[l->i++];
    }
    name[n] = 0;
    *out = name;
    return 0;
}

static int op(lexer *l, int *out)
{
    const char *p = l->s + l->i;
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"<=", TN_CMP_LE}, {">=", TN_CMP_GE}, {"!=", TN_CMP_NE}, {"<>", TN_CMP_NE},
               {"=", TN_CMP_EQ},  {"<", TN_CMP_LT},  {">", TN_CMP_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (strncmp(p, ops[k].text, strlen(ops[k].text)) == 0) {
            *out = ops[k].op;
            l->i += strlen(ops[k].text);
            return 0;
        }
    return perr(l, "expected a comparison operator (= != < <= > >=)");
}

static int literal(lexer *l, pq_term *t)
{
    const char *p = l->s + l->i;
    t->lit_pos = (int)l->i + 1;
    size_t cap = strlen(p) + 1, n = 0;
    t->lit = tn_malloc(cap);
    TN_TRY_ALLOC(t->lit, l->err, cap);
    if (*p == '\'') {
        t->lit_kind = PQF_STRING;
        l->i++;
        for (;;) {
            char c = l->s[l->i];
            if (!c)
                return perr(l, "unterminated string literal");
            l->i++;
            if (c == '\'') {
                if (l->s[l->i] != '\'')
                    break;
                l->i++;
            }
            t->lit[n++] = c;
        }
    } else {
        t->lit_kind = PQF_NUMBER;
        size_t i = l->i;
        if (l->s[i] == '-' || l->s[i] == '+')
            i++;
        size_t digits = 0;
        while (isdigit((unsigned char)l->s[i]))
            i++, digits++;
        if (l->s[i] == '.') {
            i++;
            while (isdigit((unsigned char)l->s[i]))
                i++, digits++;
        }
        if (digits && (l->s[i] == 'e' || l->s[i] == 'E')) {
            size_t j = i + 1;
            if (l->s[j] == '-' || l->s[j] == '+')
                j++;
            if (isdigit((unsigned char)l->s[j])) {
                while (isdigit((unsigned char)l->s[j]))
                    j++;
                i = j;
            }
        }
        if (!digits || ident_char(l->s[i])) {
            if (strncasecmp(p, "null", 4) == 0 && !ident_char(p[4]))
                return perr(l, "NULL is not a literal here (a comparison with NULL never matches)");
            return perr(l, "expected a number or a 'quoted string'");
        }
        n = i - l->i;
        memcpy(t->lit, p, n);
        l->i = i;
    }
    t->lit[n] = 0;
    t->lit_len = n;
    return 0;
}

static bool keyword(lexer *l, const char *kw)
{
    size_t n = strlen(kw);
    if (strncasecmp(l->s + l->i, kw, n) == 0 && !ident_char(l->s[l->i + n])) {
        l->i += n;
        return true;
    }
    return false;
}

/* Room for one more alternative of an IN term; the new one, zeroed. */
static pq_term *add_alt(pq_term *t, tarn_error *err)
{
    pq_term *a = tn_realloc(t->alts, (size_t)(t->n_alts + 1) * sizeof *a);
    if (!a) {
        (void)tn_error_oom(err, (size_t)(t->n_alts + 1) * sizeof *a);
        return NULL;
    }
    t->alts = a;
    memset(&a[t->n_alts], 0, sizeof *a);
    return &a[t->n_alts++];
}

/* "( literal { , literal } )" after IN: one `=` alternative per literal,
 * each naming the term's column. */
static int in_list(lexer *l, pq_term *t)
{
    skip_space(l);
    if (l->s[l->i] != '(')
        return perr(l, "expected '(' after IN");
    l->i++;
    t->op = TN_CMP_EQ;
    for (;;) {
        skip_space(l);
        pq_term *a = add_alt(t, l->err);
        if (!a)
            return TARN_ENOMEM;
        a->op = TN_CMP_EQ;
        a->col_pos = t->col_pos;
        if (!(a->column = tn_strdup(t->column)))
            return tn_error_oom(l->err, strlen(t->column) + 1);
        TN_TRY(literal(l, a));
        skip_space(l);
        if (l->s[l->i] == ',') {
            l->i++;
            continue;
        }
        if (l->s[l->i] != ')')
            return perr(l, "expected ',' or ')' in the IN list");
        l->i++;
        break;
    }
    /* the term's own literal is the first alternative's, for messages */
    t->lit_kind = t->alts[0].lit_kind;
    t->lit_pos = t->alts[0].lit_pos;
    if (!(t->lit = tn_strdup(t->alts[0].lit)))
        return tn_error_oom(l->err, 64);
    t->lit_len = t->alts[0].lit_len;
    return 0;
}

int tn_pq_filter_parse(const char *text, pq_filter **out, tarn_error *err)
{
    *out = NULL;
    pq_filter *f = tn_calloc(1, sizeof *f);
    TN_TRY_ALLOC(f, err, sizeof *f);
    lexer l = {text, 0, err};
    int rc = 0;
    if (!(f->text = tn_strdup(text)))
        rc = tn_error_oom(err, strlen(text) + 1);
    int32_t cap = 0;
    while (!rc) {
        if (f->n == cap) {
            int32_t nc = cap ? cap * 2 : 4;
            pq_term *nt = tn_realloc(f->terms, (size_t)nc * sizeof *nt);
            if (!nt) {
                rc = tn_error_oom(err, (size_t)nc * sizeof *nt);
                break;
            }
            memset(nt + cap, 0, (size_t)(nc - cap) * sizeof *nt);
            f->terms = nt;
            cap = nc;
        }
        pq_term *t = &f->terms[f->n++];
        skip_space(&l);
        t->col_pos = (int)l.i + 1;
        rc = column(&l, &t->column);
        if (!rc) {
            skip_space(&l);
            if (keyword(&l, "in"))
                rc = in_list(&l, t);
            else if (!(rc = op(&l, &t->op))) {
                skip_space(&l);
                rc = literal(&l, t);
            }
        }
        if (rc)
            break;
        skip_space(&l);
        if (!text[l.i])
            break;
        size_t at = l.i;
        if (keyword(&l, "and"))
            continue;
        bool is_or = keyword(&l, "or");
        l.i = at;
        rc = perr(&l, is_or ? "OR is not supported (only AND)" : "expected AND or the end of the filter");
    }
    if (rc) {
        tn_pq_filter_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int tn_pq_filter_add_terms(pq_filter **f, const tn_parquet_term *terms, int32_t n, tarn_error *err)
{
    if (!*f) {
        *f = tn_calloc(1, sizeof **f);
        TN_TRY_ALLOC(*f, err, sizeof **f);
    }
    pq_filter *x = *f;
    if (n <= 0)
        return 0;
    pq_term *nt = tn_realloc(x->terms, (size_t)(x->n + n) * sizeof *nt);
    TN_TRY_ALLOC(nt, err, (size_t)(x->n + n) * sizeof *nt);
    x->terms = nt;
    for (int32_t i = 0; i < n; i++) {
        const tn_parquet_term *s = &terms[i];
        bool in = s->n_in > 0;
        if (!s->column || (!in && (!s->literal || s->op < TN_CMP_EQ || s->op > TN_CMP_GE)) ||
            (in && (!s->in_literals || !s->in_lens)))
            return tn_error_set(err, TARN_EINVAL, "where: term %d lacks a column, a literal or a known operator", i + 1);
        pq_term *t = &x->terms[x->n];
        memset(t, 0, sizeof *t);
        x->n++;
        for (int32_t k = 0; k < (in ? s->n_in : 1); k++) {
            const char *lit = in ? s->in_literals[k] : s->literal;
            size_t len = in ? s->in_lens[k] : s->literal_len;
            pq_term *a = in ? add_alt(t, err) : t;
            if (!a || !lit)
                return a ? tn_error_set(err, TARN_EINVAL, "where: term %d: IN literal %d missing", i + 1, k + 1)
                         : TARN_ENOMEM;
            a->column = tn_strdup(s->column);
            a->lit = tn_malloc(len + 1);
            if (!a->column || !a->lit)
                return tn_error_oom(err, len + 1);
            memcpy(a->lit, lit, len);
            a->lit[len] = '\0';
            a->lit_len = len;
            a->lit_kind = s->is_string ? PQF_STRING : PQF_NUMBER;
            a->op = in ? TN_CMP_EQ : s->op;
            a->col_pos = a->lit_pos = 0; /* messages name the term by its number */
            a->term_no = i + 1;
        }
        t->term_no = i + 1;
        if (in) {
            t->op = TN_CMP_EQ;
            t->column = tn_strdup(s->column);
            t->lit = tn_strdup(t->alts[0].lit);
            if (!t->column || !t->lit)
                return tn_error_oom(err, 64);
            t->lit_len = t->alts[0].lit_len;
            t->lit_kind = t->alts[0].lit_kind;
        }
    }
    return 0;
}

static void term_reset(pq_term *t)
{
    for (int32_t i = 0; i < t->n_alts; i++)
        term_reset(&t->alts[i]);
    tn_free(t->alts);
    tn_free(t->column);
    tn_free(t->lit);
    tn_scalar_free(t->scalar);
}

void tn_pq_filter_free(pq_filter *f)
{
    if (!f)
        return;
    for (int32_t i = 0; i < f->n; i++)
        term_reset(&f->terms[i]);
    tn_free(f->terms);
    tn_free(f->text);
    tn_free(f);
}

/* ---- binding ---- */

static bool parse_int(const char *s, int64_t *v)
{
    errno = 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *v = x;
    return true;
}

/* The literal as an unscaled decimal of `scale` digits after the point. */
static bool parse_decimal(const char *s, int32_t scale, int64_t *v)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    __int128 x = 0;
    int frac = -1;
    for (; *s; s++) {
        if (*s == '.') {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            return false; /* exponents are not exact decimals */
        if (frac >= 0 && ++frac > scale) {
            if (*s != '0')
                return false;
            frac--;
            continue;
        }
        x = x * 10 + (*s - '0');
        if (x > INT64_MAX)
            return false;
    }
    for (int k = frac < 0 ? 0 : frac; k < scale; k++)
        if ((x *= 10) > INT64_MAX)
            return false;
    *v = (int64_t)(neg ? -x : x);
    return true;
}

/* 'YYYY-MM-DD' as days since 1970-01-01. */
static bool parse_date(const char *s, size_t n, int64_t *days)
{
    int y, m, d;
    char tail;
    if (n != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return false;
    /* days from civil (Howard Hinnant) */
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return true;
}

/* 'YYYY-MM-DD[ T]HH:MM:SS[.fraction]' as a count of `unit` since the epoch. */
static bool parse_timestamp(const char *s, size_t n, tn_time_unit unit, int64_t *out)
{
    int64_t days;
    char date[11];
    if (n < 10)
        return false;
    memcpy(date, s, 10);
    date[10] = 0;
    if (!parse_date(date, 10, &days))
        return false;
    int64_t secs = days * 86400, frac = 0;
    static const int64_t per_sec[] = {1, 1000, 1000000, 1000000000};
    int digits = 0, max_digits = (int)unit * 3;
    if (n > 10) {
        int hh, mm, ss;
        if (n < 19 || (s[10] != ' ' && s[10] != 'T') || sscanf(s + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 ||
            s[13] != ':' || s[16] != ':' || hh > 23 || mm > 59 || ss > 59 || !isdigit((unsigned char)s[18]))
            return false;
        secs += hh * 3600 + mm * 60 + ss;
        size_t i = 19;
        if (i < n && s[i] == '.') {
            for (i++; i < n && isdigit((unsigned char)s[i]); i++) {
                if (++digits > max_digits)
                    return false; /* finer than the column's unit */
                frac = frac * 10 + (s[i] - '0');
            }
            if (digits == 0)
                return false;
        }
        if (i != n)
            return false;
    }
    for (; digits < max_digits; digits++)
        frac *= 10;
    *out = secs * per_sec[unit] + frac;
    return true;
}

static const char *tname(const tn_type *t)
{
    static const char *const names[] = {"null", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                                        "uint32", "uint64", "float16", "float32", "float64", "decimal128",
                                        "decimal256", "utf8", "large_utf8", "utf8_view", "binary", "large_binary",
                                        "binary_view", "fixed_size_binary", "date32", "date64", "time32",
                                        "time64", "timestamp", "duration"};
    return t->id < (int)(sizeof names / sizeof names[0]) ? names[t->id] : "a nested or interval type";
}

static bool int_range(tn_type_id id, int64_t v)
{
    switch (id) {
    case TN_INT8: return v >= INT8_MIN && v <= INT8_MAX;
    case TN_INT16: return v >= INT16_MIN && v <= INT16_MAX;
    case TN_INT32: return v >= INT32_MIN && v <= INT32_MAX;
    case TN_UINT8: return v >= 0 && v <= UINT8_MAX;
    case TN_UINT16: return v >= 0 && v <= UINT16_MAX;
    case TN_UINT32: return v >= 0 && v <= (int64_t)UINT32_MAX;
    case TN_UINT64: return v >= 0;
    default: return true;
    }
}

/* The literal's PLAIN bytes in the column's physical type, for bloom
 * filters: integers, dates, timestamps and INT32/INT64/FLBA decimals as
 * stored; floats unless zero (-0.0 and +0.0 hash apart) or NaN; strings
 * and binaries as their bytes. Others (INT96, BYTE_ARRAY decimals) get
 * none. Runs after the literal was checked against the column. */
static void set_plain(pq_term *t, const pq_schema_elt *e, tn_type_id id)
{
    t->plain = NULL;
    uint8_t *b = t->plain_buf;
    if (id == TN_STRING || id == TN_LARGE_STRING || id == TN_BINARY || id == TN_LARGE_BINARY) {
        if (e->type == PQ_BYTE_ARRAY) {
            t->plain = (const uint8_t *)t->lit;
            t->plain_len = t->lit_len;
        }
        return;
    }
    if (id == TN_FLOAT32 || id == TN_FLOAT64) {
        if (t->d == 0 || t->d != t->d)
            return;
        if (e->type == PQ_FLOAT) {
            float f = (float)t->d;
            if ((double)f != t->d)
                return; /* no float equals it */
            memcpy(b, &f, 4);
            t->plain_len = 4;
        } else {
            memcpy(b, &t->d, 8);
            t->plain_len = 8;
        }
        t->plain = b;
        return;
    }
    int64_t v;
    if (id >= TN_INT8 && id <= TN_UINT64)
        v = id >= TN_UINT8 ? (int64_t)t->scalar->v.u : t->scalar->v.i;
    else if (id == TN_DECIMAL128 || id == TN_DECIMAL256 || id == TN_DATE32 || id == TN_TIMESTAMP)
        v = t->i;
    else
        return;
    if (e->type == PQ_INT32) {
        int32_t x = (int32_t)v;
        memcpy(b, &x, 4);
        t->plain_len = 4;
    } else if (e->type == PQ_INT64) {
        memcpy(b, &v, 8);
        t->plain_len = 8;
    } else if (e->type == PQ_FLBA && (id == TN_DECIMAL128 || id == TN_DECIMAL256) && e->type_length > 0 &&
               e->type_length <= (int32_t)sizeof t->plain_buf) {
        for (int32_t k = 0; k < e->type_length; k++) /* big-endian two's complement */
            b[e->type_length - 1 - k] = k < 8 ? (uint8_t)((uint64_t)v >> (8 * k)) : (v < 0 ? 0xff : 0);
        t->plain_len = (size_t)e->type_length;
    } else {
        return;
    }
    t->plain = b;
}

static int bind_one(pq_term *t, const pq_node *node, const char *file, tarn_error *err);

int tn_pq_filter_bind(pq_term *t, const pq_node *node, const char *file, tarn_error *err)
{
    for (int32_t i = 0; i < t->n_alts; i++)
        TN_TRY(bind_one(&t->alts[i], node, file, err));
    if (t->n_alts) { /* the term itself: only its node; its alternatives decide */
        t->node = node;
        return 0;
    }
    return bind_one(t, node, file, err);
}

const char *tn_pq_filter_pos(char *buf, size_t n, bool paren, int pos)
{
    if (pos <= 0)
        return "";
    snprintf(buf, n, paren ? " (position %d)" : " at position %d", pos);
    return buf;
}

const char *tn_pq_term_where(const pq_term *t, char *buf, size_t n, bool paren, bool lit)
{
    if (t->term_no > 0) {
        snprintf(buf, n, paren ? " (term %d)" : " in term %d", t->term_no);
        return buf;
    }
    return tn_pq_filter_pos(buf, n, paren, lit ? t->lit_pos : t->col_pos);
}

/* In bind_one, for messages: where term t's literal is (AT(t->lit_pos)),
 * or its column (IN_PAREN(t->col_pos)). */
#define AT(pos) tn_pq_term_where(t, posbuf, sizeof posbuf, false, true)
#define IN_PAREN(pos) tn_pq_term_where(t, posbuf, sizeof posbuf, true, false)

static int bind_one(pq_term *t, const pq_node *node, const char *file, tarn_error *err)
{
    char posbuf[32];
    t->node = node;
    tn_type *type = node->type;
    tn_type_id id = type->id;
    const pq_schema_elt *e = node->elt;
    bool is_num = t->lit_kind == PQF_NUMBER;
    const char *bad = NULL;
    t->stat_kind = PQS_NONE;
    if (id >= TN_INT8 && id <= TN_UINT64) {
        int64_t v;
        if (!is_num)
            bad = "a number";
        else if (!parse_int(t->lit, &v) || !int_range(id, v))
            return tn_error_set(err, TARN_ETYPE, "where: %s: %s is not a value of column \"%s\" (%s)%s",
                                file, t->lit, t->column, tname(type), AT(t->lit_pos));
        else {
            t->scalar = id >= TN_UINT8 ? tn_scalar_uint(type, (uint64_t)v) : tn_scalar_int(type, v);
            bool unsigned_phys = e->logical.kind == PQ_LT_INTEGER ? !e->logical.is_signed
                                                                   : (e->converted >= PQ_CT_UINT_8 && e->converted <= PQ_CT_UINT_64);
            if (!unsigned_phys) {
                t->stat_kind = PQS_INT;
                t->i = v;
            }
        }
    } else if (id == TN_FLOAT32 || id == TN_FLOAT64) {
        char *end;
        double v = is_num ? strtod(t->lit, &end) : 0;
        if (!is_num)
            bad = "a number";
        else {
            t->scalar = tn_scalar_double(type, v);
            t->stat_kind = PQS_DOUBLE;
            t->d = v;
        }
    } else if (id == TN_DECIMAL128 || id == TN_DECIMAL256) {
        int64_t v;
        if (!is_num)
            bad = "a number";
        else if (!parse_decimal(t->lit, type->scale, &v))
            return tn_error_set(err, TARN_ETYPE,
                                "where: %s: %s is not exact at the scale of column \"%s\" (%s)%s", file,
                                t->lit, t->column, tname(type), AT(t->lit_pos));
        else {
            t->scalar = tn_scalar_int(type, v);
            t->i = v; /* the unscaled value, also for bloom filters of FLBA decimals */
            if (e->type == PQ_INT32 || e->type == PQ_INT64)
                t->stat_kind = PQS_INT;
        }
    } else if (id == TN_DATE32) {
        int64_t days;
        if (is_num)
            bad = "a date as a 'YYYY-MM-DD' string";
        else if (!parse_date(t->lit, t->lit_len, &days))
            return tn_error_set(err, TARN_ETYPE, "where: %s: '%s' is not a date (YYYY-MM-DD) for column \"%s\"%s",
                                file, t->lit, t->column, AT(t->lit_pos));
        else {
            t->scalar = tn_scalar_int(type, days);
            t->stat_kind = PQS_INT;
            t->i = days;
        }
    } else if (id == TN_TIMESTAMP) {
        int64_t v;
        if (is_num)
            bad = "a timestamp as a 'YYYY-MM-DD HH:MM:SS[.fraction]' string";
        else if (!parse_timestamp(t->lit, t->lit_len, type->unit, &v))
            return tn_error_set(err, TARN_ETYPE,
                                "where: %s: '%s' is not a timestamp (YYYY-MM-DD HH:MM:SS[.fraction]) for column \"%s\"%s",
                                file, t->lit, t->column, AT(t->lit_pos));
        else {
            t->scalar = tn_scalar_int(type, v);
            if (e->type == PQ_INT64) { /* same unit as the Arrow type; INT96 has no usable order */
                t->stat_kind = PQS_INT;
                t->i = v;
            }
        }
    } else if (id == TN_STRING || id == TN_LARGE_STRING || id == TN_BINARY || id == TN_LARGE_BINARY) {
        if (is_num)
            bad = "a 'quoted string'";
        else {
            t->scalar = tn_scalar_bytes(type, t->lit, (int64_t)t->lit_len);
            if (e->type == PQ_BYTE_ARRAY)
                t->stat_kind = PQS_BYTES;
        }
    } else {
        return tn_error_set(err, TARN_EUNSUPPORTED, "where: %s: column \"%s\" of type %s cannot be compared%s",
                            file, t->column, tname(type), IN_PAREN(t->col_pos));
    }
    if (bad)
        return tn_error_set(err, TARN_ETYPE, "where: %s: column \"%s\" is %s, compared with %s%s; expected %s",
                            file, t->column, tname(type), t->lit_kind == PQF_NUMBER ? "a number" : "a string",
                            AT(t->lit_pos), bad);
    if (!t->scalar)
        return tn_error_oom(err, sizeof(tn_scalar));
    set_plain(t, e, id);
    return 0;
}

/* ---- pruning ---- */

static int64_t le_int(const pq_bytes *b)
{
    if (b->n == 4) {
        int32_t v;
        memcpy(&v, b->p, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, b->p, 8);
    return v;
}

/* <0, 0, >0 as the bound b compares with the literal; false when b cannot be read. */
static bool cmp_bound(const pq_term *t, int ptype, const pq_bytes *b, int *out)
{
    if (!b->p)
        return false;
    switch (t->stat_kind) {
    case PQS_INT: {
        if ((ptype == PQ_INT32 && b->n != 4) || (ptype == PQ_INT64 && b->n != 8) ||
            (ptype != PQ_INT32 && ptype != PQ_INT64))
            return false;
        int64_t v = le_int(b);
        *out = v < t->i ? -1 : v > t->i;
        return true;
    }
    case PQS_DOUBLE: {
        double v;
        if (ptype == PQ_FLOAT && b->n == 4) {
            float x;
            memcpy(&x, b->p, 4);
            v = x;
        } else if (ptype == PQ_DOUBLE && b->n == 8) {
            memcpy(&v, b->p, 8);
        } else {
            return false;
        }
        if (isnan(v))
            return false;
        *out = v < t->d ? -1 : v > t->d;
        return true;
    }
    case PQS_BYTES: {
        size_t n = b->n < t->lit_len ? b->n : t->lit_len;
        int c = memcmp(b->p, t->lit, n);
        *out = c ? c : (b->n > t->lit_len) - (b->n < t->lit_len);
        return true;
    }
    default: return false;
    }
}

static bool prunes_one(const pq_term *t, const pq_column_meta *m, int64_t rows);

bool tn_pq_filter_prunes(const pq_term *t, const pq_column_meta *m, int64_t rows)
{
    if (t->n_alts == 0)
        return prunes_one(t, m, rows);
    for (int32_t i = 0; i < t->n_alts; i++) /* IN: every value excluded */
        if (!prunes_one(&t->alts[i], m, rows))
            return false;
    return true;
}

static bool prunes_one(const pq_term *t, const pq_column_meta *m, int64_t rows)
{
    if (!m->has_stats)
        return false;
    const pq_stats *s = &m->stats;
    /* every value null: no comparison matches (only without repetition,
     * where values and rows are one to one) */
    if (t->node->max_rep == 0 && s->null_count >= 0 && s->null_count == rows && m->num_values == rows)
        return true;
    if (t->stat_kind == PQS_BYTES && s->legacy)
        return false;
    int lo = 0, hi = 0;
    bool has_lo = cmp_bound(t, m->type, &s->min, &lo), has_hi = cmp_bound(t, m->type, &s->max, &hi);
    bool fl = t->stat_kind == PQS_DOUBLE;
    switch (t->op) {
    case TN_CMP_EQ: return (has_lo && lo > 0) || (has_hi && hi < 0);
    case TN_CMP_NE: return !fl && has_lo && has_hi && lo == 0 && hi == 0;
    case TN_CMP_LT: return has_lo && lo >= 0;
    case TN_CMP_LE: return has_lo && lo > 0;
    case TN_CMP_GT: return !fl && has_hi && hi <= 0;
    case TN_CMP_GE: return !fl && has_hi && hi < 0;
    default: return false;
    }
}
