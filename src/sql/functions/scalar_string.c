/*
 * scalar_string.c — text functions: LIKE/ILIKE (with ESCAPE), substring,
 * length, case, trimming, padding, searching, splitting, concatenation.
 *
 * Positions and lengths count Unicode code points (UTF-8 sequences), as in
 * DuckDB; byte-level work (memcmp, memmem) is used wherever code point
 * boundaries cannot matter. Kernels loop over rows writing into one result
 * builder (sout / fout); NULL in gives NULL out unless noted.
 */
#define _GNU_SOURCE /* memmem */
#include "sql/functions/scalar_internal.h"

#include <stdio.h>

/* ---- LIKE ------------------------------------------------------------------------ */

enum { TOK_LIT, TOK_ONE, TOK_ANY };
enum { SHAPE_GENERAL, SHAPE_EXACT, SHAPE_PREFIX, SHAPE_SUFFIX, SHAPE_CONTAINS, SHAPE_ALL, SHAPE_PERCENTS };

typedef struct like_tok {
    uint8_t kind;
    int32_t off, len; /* TOK_LIT: bytes in lits */
} like_tok;

/* A compiled pattern: tokens over an unescaped literal buffer, and its shape
 * when a fast path applies. */
typedef struct like_pat {
    like_tok *toks;
    int32_t ntoks;
    uint8_t *lits;
    int shape;
    bool ci; /* ILIKE: the pattern is lower-cased, strings are lowered per row */
} like_pat;

typedef struct like_bind {
    like_pat pat;
    bool negated;
} like_bind;

/* Lower-case p[0..n) into out (room for 4*n bytes suffices); returns length. */
static int64_t lower_into(const uint8_t *p, int64_t n, uint8_t *out)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n;) {
        if (p[i] < 0x80) {
            uint8_t c = p[i++];
            out[k++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        int adv;
        uint32_t cp = utf8_decode(p + i, n - i, &adv);
        if (adv == 1) {
            out[k++] = p[i++];
            continue;
        }
        k += utf8_encode(tn_cp_lower(cp), out + k);
        i += adv;
    }
    return k;
}

/* Compile pattern p (escape esc, or -1) into toks/lits with room for
 * n+1 tokens and 4n bytes. */
static int like_compile(const uint8_t *p, int64_t n, int esc, bool ci, like_pat *pat, const tn_expr *call,
                        int64_t row, tarn_error *err)
{
    int32_t nt = 0, nl = 0;
    for (int64_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (esc >= 0 && c == (uint8_t)esc) {
            if (i + 1 >= n)
                return tn_func_error(err, TARN_EINVAL, call, row, "like pattern must not end with the escape character");
            i++;
        } else if (c == '%') {
            if (nt == 0 || pat->toks[nt - 1].kind != TOK_ANY)
                pat->toks[nt++] = (like_tok){TOK_ANY, 0, 0};
            i++;
            continue;
        } else if (c == '_') {
            pat->toks[nt++] = (like_tok){TOK_ONE, 0, 0};
            i++;
            continue;
        }
        /* one literal code point (escaped or not) */
        int len = utf8_len(p[i]);
        if (i + len > n)
            len = (int)(n - i);
        if (nt == 0 || pat->toks[nt - 1].kind != TOK_LIT)
            pat->toks[nt++] = (like_tok){TOK_LIT, nl, 0};
        int64_t w = ci ? lower_into(p + i, len, pat->lits + nl) : len;
        if (!ci)
            memcpy(pat->lits + nl, p + i, (size_t)len);
        nl += (int32_t)w;
        pat->toks[nt - 1].len += (int32_t)w;
        i += len;
    }
    pat->ntoks = nt;
    pat->ci = ci;
    /* shape */
    bool only_lit_any = true;
    for (int32_t i = 0; i < nt; i++)
        only_lit_any = only_lit_any && pat->toks[i].kind != TOK_ONE;
    pat->shape = SHAPE_GENERAL;
    if (!only_lit_any)
        return TARN_OK;
    if (nt == 0 || (nt == 1 && pat->toks[0].kind == TOK_LIT))
        pat->shape = SHAPE_EXACT;
    else if (nt == 1)
        pat->shape = SHAPE_ALL;
    else if (nt == 2 && pat->toks[0].kind == TOK_LIT)
        pat->shape = SHAPE_PREFIX;
    else if (nt == 2)
        pat->shape = SHAPE_SUFFIX;
    else if (nt == 3 && pat->toks[0].kind == TOK_ANY && pat->toks[2].kind == TOK_ANY)
        pat->shape = SHAPE_CONTAINS;
    else
        pat->shape = SHAPE_PERCENTS;
    return TARN_OK;
}

/* Patterns of literals and % only: anchored ends, then each middle literal
 * found left to right (greedy leftmost is exact for %). */
static bool match_percents(const like_pat *pat, const uint8_t *s, int64_t n)
{
    int32_t a = 0, b = pat->ntoks;
    int64_t lo = 0, hi = n;
    if (pat->toks[0].kind == TOK_LIT) {
        const like_tok *t = &pat->toks[0];
        if (t->len > n || memcmp(s, pat->lits + t->off, (size_t)t->len) != 0)
            return false;
        lo = t->len;
        a = 1;
    }
    if (b > a && pat->toks[b - 1].kind == TOK_LIT) {
        const like_tok *t = &pat->toks[b - 1];
        if (t->len > hi - lo || memcmp(s + n - t->len, pat->lits + t->off, (size_t)t->len) != 0)
            return false;
        hi = n - t->len;
        b--;
    }
    for (int32_t i = a; i < b; i++) {
        const like_tok *t = &pat->toks[i];
        if (t->kind != TOK_LIT)
            continue;
        if (t->len == 0)
            continue;
        if (t->len > hi - lo)
            return false;
        const uint8_t *f = memmem(s + lo, (size_t)(hi - lo), pat->lits + t->off, (size_t)t->len);
        if (!f)
            return false;
        lo = (f - s) + t->len;
    }
    return true;
}

/* General matching with backtracking to the last %. */
static bool match_general(const like_pat *pat, const uint8_t *s, int64_t n)
{
    int32_t ti = 0, star_t = -1;
    int64_t si = 0, star_s = 0;
    const like_tok *toks = pat->toks;
    for (;;) {
        if (ti < pat->ntoks) {
            const like_tok *t = &toks[ti];
            if (t->kind == TOK_ANY) {
                star_t = ++ti;
                star_s = si;
                continue;
            }
            if (t->kind == TOK_ONE && si < n) {
                si += utf8_len(s[si]);
                if (si > n)
                    si = n;
                ti++;
                continue;
            }
            if (t->kind == TOK_LIT && t->len <= n - si && memcmp(s + si, pat->lits + t->off, (size_t)t->len) == 0) {
                si += t->len;
                ti++;
                continue;
            }
        } else if (si == n) {
            return true;
        }
        if (star_t < 0 || star_s >= n)
            return false;
        star_s += utf8_len(s[star_s]);
        if (star_s > n)
            star_s = n;
        si = star_s;
        ti = star_t;
    }
}

static bool like_match(const like_pat *pat, const uint8_t *s, int64_t n)
{
    const like_tok *t = pat->toks;
    switch (pat->shape) {
    case SHAPE_EXACT:
        return pat->ntoks == 0 ? n == 0 : (t[0].len == n && memcmp(s, pat->lits + t[0].off, (size_t)n) == 0);
    case SHAPE_ALL: return true;
    case SHAPE_PREFIX: return t[0].len <= n && memcmp(s, pat->lits + t[0].off, (size_t)t[0].len) == 0;
    case SHAPE_SUFFIX:
        return t[1].len <= n && memcmp(s + n - t[1].len, pat->lits + t[1].off, (size_t)t[1].len) == 0;
    case SHAPE_CONTAINS:
        return t[1].len <= n && memmem(s, (size_t)n, pat->lits + t[1].off, (size_t)t[1].len) != NULL;
    case SHAPE_PERCENTS: return match_percents(pat, s, n);
    default: return match_general(pat, s, n);
    }
}

/* The escape character of an ESCAPE argument: -1 for none ('' or absent). */
static int escape_of(const tn_expr *call, const uint8_t *p, int64_t n, int64_t row, int *esc, tarn_error *err)
{
    if (n == 0) {
        *esc = -1;
        return TARN_OK;
    }
    if (n != 1)
        return tn_func_error(err, TARN_EINVAL, call, row, "the escape string must be empty or one character");
    *esc = p[0];
    return TARN_OK;
}

static bool is_ilike(const tn_expr *call)
{
    return strstr(call->func->name, "ilike") != NULL;
}
static bool is_not_like(const tn_expr *call)
{
    return strncmp(call->func->name, "not_", 4) == 0;
}

/* Bind: compile a literal pattern (and escape) once. */
static int like_bind_fn(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_expr *pe = call->args[1];
    if (pe->kind != TN_EXPR_LITERAL || !pe->value->is_valid)
        return TARN_OK;
    int esc = -1;
    if (call->nargs > 2) {
        const tn_expr *ee = call->args[2];
        if (ee->kind != TN_EXPR_LITERAL || !ee->value->is_valid)
            return TARN_OK;
        TN_TRY(escape_of(call, ee->value->bytes, ee->value->n_bytes, 0, &esc, err));
    }
    int64_t n = pe->value->n_bytes;
    like_bind *b = tn_arena_calloc(&c->arena, sizeof *b);
    if (b) {
        b->pat.toks = tn_arena_alloc(&c->arena, sizeof(like_tok) * (size_t)(n + 1));
        b->pat.lits = tn_arena_alloc(&c->arena, (size_t)(4 * n + 1));
    }
    if (!b || !b->pat.toks || !b->pat.lits)
        return tn_error_oom(err, (size_t)n * 8);
    TN_TRY(like_compile(pe->value->bytes, n, esc, is_ilike(call), &b->pat, call, 0, err));
    b->negated = is_not_like(call);
    call->bind_data = b;
    return TARN_OK;
}

static int like_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    const like_bind *lb = call->bind_data;
    bool negated = is_not_like(call), ci = is_ilike(call);
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_BOOL), n, err));
    uint8_t *bits = fout_data(&o);
    memset(bits, 0, (size_t)tn_bitmap_bytes(n));
    like_pat dyn = {0};
    int64_t dyn_cap = -1;
    uint8_t *low = NULL;
    int64_t low_cap = 0;
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        const like_pat *pat = lb ? &lb->pat : NULL;
        if (!pat) {
            int64_t pn;
            const uint8_t *p = d_str(&args[1], i, &pn);
            int esc = -1;
            if (nargs > 2) {
                int64_t en;
                const uint8_t *ep = d_str(&args[2], i, &en);
                if ((rc = escape_of(call, ep, en, i, &esc, err)) != 0)
                    break;
            }
            if (pn > dyn_cap) {
                tn_free(dyn.toks);
                tn_free(dyn.lits);
                dyn.toks = tn_malloc(sizeof(like_tok) * (size_t)(pn + 1));
                dyn.lits = tn_malloc((size_t)(4 * pn + 1));
                dyn_cap = pn;
                if (!dyn.toks || !dyn.lits) {
                    dyn_cap = -1;
                    rc = tn_error_oom(err, (size_t)pn * 8);
                    break;
                }
            }
            if ((rc = like_compile(p, pn, esc, ci, &dyn, call, i, err)) != 0)
                break;
            pat = &dyn;
        }
        int64_t sn;
        const uint8_t *s = d_str(&args[0], i, &sn);
        if (ci) {
            if (4 * sn + 1 > low_cap) {
                tn_free(low);
                low_cap = 4 * sn + 64;
                low = tn_malloc((size_t)low_cap);
                if (!low) {
                    rc = tn_error_oom(err, (size_t)low_cap);
                    break;
                }
            }
            sn = lower_into(s, sn, low);
            s = low;
        }
        if (like_match(pat, s, sn) != negated)
            tn_bit_set(bits, i);
    }
    tn_free(dyn.toks);
    tn_free(dyn.lits);
    tn_free(low);
    return fout_close(&o, rc, out);
}

/* ---- shared kernel shapes ---------------------------------------------------------------- */

typedef int64_t (*int_row_fn)(const tn_datum *args, int64_t i);

static int map_int(const tn_datum *args, int32_t nargs, int64_t n, tn_type *t, tn_array **out, tarn_error *err,
                   int_row_fn fn)
{
    fout o;
    TN_TRY(fout_init(&o, t, n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        int64_t v = 0;
        if (!all_valid(args, nargs, i))
            rc = fout_null(&o, i, err);
        else
            v = fn(args, i);
        if (t->id == TN_INT32)
            ((int32_t *)fout_data(&o))[i] = (int32_t)v;
        else
            ((int64_t *)fout_data(&o))[i] = v;
    }
    return fout_close(&o, rc, out);
}

typedef bool (*bool_row_fn)(const tn_datum *args, int64_t i);

static int map_bool(const tn_datum *args, int32_t nargs, int64_t n, tn_array **out, tarn_error *err, bool_row_fn fn)
{
    fout o;
    TN_TRY(fout_init(&o, tn_type_get(TN_BOOL), n, err));
    uint8_t *bits = fout_data(&o);
    memset(bits, 0, (size_t)tn_bitmap_bytes(n));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i))
            rc = fout_null(&o, i, err);
        else if (fn(args, i))
            tn_bit_set(bits, i);
    }
    return fout_close(&o, rc, out);
}

/* ---- lengths and case ----------------------------------------------------------------------- */

static int64_t length_row(const tn_datum *a, int64_t i)
{
    int64_t n;
    const uint8_t *p = d_str(&a[0], i, &n);
    return utf8_count(p, n);
}
static int length_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return map_int(args, nargs, n, tn_type_get(TN_INT64), out, err, length_row);
}

static int64_t strlen_row(const tn_datum *a, int64_t i)
{
    int64_t n;
    d_str(&a[0], i, &n);
    return n;
}
static int strlen_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return map_int(args, nargs, n, tn_type_get(TN_INT64), out, err, strlen_row);
}

static int case_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err, bool upper)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    TN_TRY(sout_reserve(o, 4 * n, err));
    uint8_t *w = o->data + o->len;
    int64_t k = 0;
    for (int64_t j = 0; j < n;) {
        if (p[j] < 0x80) {
            uint8_t c = p[j++];
            w[k++] = upper ? (uint8_t)(c >= 'a' && c <= 'z' ? c - 32 : c) : (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        int adv;
        uint32_t cp = utf8_decode(p + j, n - j, &adv);
        if (adv == 1) {
            w[k++] = p[j++];
            continue;
        }
        k += utf8_encode(upper ? tn_cp_upper(cp) : tn_cp_lower(cp), w + k);
        j += adv;
    }
    o->len += k;
    return TARN_OK;
}
static int lower_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return case_row(call, args, i, o, err, false);
}
static int upper_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return case_row(call, args, i, o, err, true);
}
static int lower_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, lower_row);
}
static int upper_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, upper_row);
}

/* ---- substring, left, right --------------------------------------------------------------------- */

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* Code points [from, to) (0-based, clamped) of p as bytes. */
static int append_cp_range(sout *o, const uint8_t *p, int64_t n, int64_t from, int64_t to, tarn_error *err)
{
    if (to <= from)
        return TARN_OK;
    int64_t b0 = utf8_offset(p, n, from);
    int64_t b1 = utf8_offset(p + b0, n - b0, to - from) + b0;
    return sout_append(o, p + b0, b1 - b0, err);
}

/* DuckDB's substring: 1-based start, negative start counts from the end,
 * a negative length takes the characters before start. */
static int substring_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    int64_t len = utf8_count(p, n);
    int64_t start = d_i64(&args[1], i), end;
    if (start < 0)
        start = sat_add(sat_add(len, start), 1);
    if (call->nargs < 3) {
        end = INT64_MAX;
    } else {
        int64_t l = d_i64(&args[2], i);
        if (l >= 0) {
            end = sat_add(start, l);
        } else {
            end = start;
            start = sat_add(start, l);
        }
    }
    if (start < 1)
        start = 1;
    if (end > len + 1)
        end = len + 1;
    return append_cp_range(o, p, n, start - 1, end - 1, err);
}
static int substring_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, substring_row);
}

/* left(s, k): the first k characters; a negative k drops the last -k. */
static int left_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    int64_t len = utf8_count(p, n), k = d_i64(&args[1], i);
    int64_t to = k >= 0 ? (k < len ? k : len) : (len + k > 0 ? len + k : 0);
    return append_cp_range(o, p, n, 0, to, err);
}
static int right_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    int64_t len = utf8_count(p, n), k = d_i64(&args[1], i);
    int64_t from = k >= 0 ? (k < len ? len - k : 0) : (-k < len ? -k : len);
    return append_cp_range(o, p, n, from, len, err);
}
static int left_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, left_row);
}
static int right_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, right_row);
}

/* ---- padding, repeat, reverse -------------------------------------------------------------------- */

/* Results larger than this are refused rather than attempted. */
#define MAX_RESULT_BYTES ((int64_t)1 << 30)

static int pad_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err, bool left)
{
    int64_t n, fn;
    const uint8_t *p = d_str(&args[0], i, &n);
    const uint8_t *f = d_str(&args[2], i, &fn);
    int64_t width = d_i64(&args[1], i), len = utf8_count(p, n);
    if (width < 0)
        width = 0;
    if (width <= len)
        return append_cp_range(o, p, n, 0, width, err);
    int64_t need = width - len, fcount = fn ? utf8_count(f, fn) : 0;
    if (fcount == 0) /* empty, or bytes that start no character (invalid UTF-8) */
        return tn_func_error(err, TARN_EINVAL, call, i, "insufficient padding");
    if (need > MAX_RESULT_BYTES / (fn > 0 ? fn : 1))
        return tn_func_error(err, TARN_EOVERFLOW, call, i, "result of %lld characters is too large", (long long)width);
    if (!left)
        TN_TRY(sout_append(o, p, n, err));
    for (int64_t k = 0; k < need; k += fcount)
        TN_TRY(append_cp_range(o, f, fn, 0, need - k < fcount ? need - k : fcount, err));
    if (left)
        TN_TRY(sout_append(o, p, n, err));
    return TARN_OK;
}
static int lpad_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return pad_row(call, args, i, o, err, true);
}
static int rpad_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return pad_row(call, args, i, o, err, false);
}
static int lpad_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, lpad_row);
}
static int rpad_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, rpad_row);
}

static int repeat_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    int64_t k = d_i64(&args[1], i);
    if (k <= 0 || n == 0)
        return TARN_OK;
    if (k > MAX_RESULT_BYTES / n)
        return tn_func_error(err, TARN_EOVERFLOW, call, i, "result of %lld x %lld bytes is too large", (long long)k,
                             (long long)n);
    TN_TRY(sout_reserve(o, k * n, err));
    for (int64_t j = 0; j < k; j++)
        TN_TRY(sout_append(o, p, n, err));
    return TARN_OK;
}
static int repeat_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, repeat_row);
}

static int reverse_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    TN_TRY(sout_reserve(o, n, err));
    uint8_t *w = o->data + o->len + n;
    for (int64_t j = 0; j < n;) {
        int l = utf8_len(p[j]);
        if (j + l > n)
            l = (int)(n - j);
        w -= l;
        memcpy(w, p + j, (size_t)l);
        j += l;
    }
    o->len += n;
    return TARN_OK;
}
static int reverse_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, reverse_row);
}

/* ---- replace, position, split_part --------------------------------------------------------------- */

static int replace_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n, fn, tn;
    const uint8_t *p = d_str(&args[0], i, &n);
    const uint8_t *f = d_str(&args[1], i, &fn);
    const uint8_t *t = d_str(&args[2], i, &tn);
    if (fn == 0)
        return sout_append(o, p, n, err);
    int64_t at = 0;
    while (at <= n - fn) {
        const uint8_t *hit = memmem(p + at, (size_t)(n - at), f, (size_t)fn);
        if (!hit)
            break;
        TN_TRY(sout_append(o, p + at, hit - (p + at), err));
        TN_TRY(sout_append(o, t, tn, err));
        if (o->len > MAX_RESULT_BYTES)
            return tn_func_error(err, TARN_EOVERFLOW, call, i, "result is too large");
        at = (hit - p) + fn;
    }
    return sout_append(o, p + at, n - at, err);
}
static int replace_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, replace_row);
}

/* 1-based code point position of needle in haystack, 0 when absent. */
static int64_t position_row(const tn_datum *a, int64_t i)
{
    int64_t n, fn;
    const uint8_t *p = d_str(&a[0], i, &n);
    const uint8_t *f = d_str(&a[1], i, &fn);
    if (fn == 0)
        return 1;
    const uint8_t *hit = fn <= n ? memmem(p, (size_t)n, f, (size_t)fn) : NULL;
    return hit ? utf8_count(p, hit - p) + 1 : 0;
}
static int strpos_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return map_int(args, nargs, n, tn_type_get(TN_INT64), out, err, position_row);
}
/* position(needle IN haystack): the parser gives the needle first. */
static int position_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    tn_datum swapped[2] = {args[1], args[0]};
    return map_int(swapped, nargs, n, tn_type_get(TN_INT64), out, err, position_row);
}

/* split_part(s, sep, k): the k-th field (1-based; negative from the end);
 * '' beyond the fields. */
static int split_part_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n, sn;
    const uint8_t *p = d_str(&args[0], i, &n);
    const uint8_t *sep = d_str(&args[1], i, &sn);
    int64_t k = d_i64(&args[2], i);
    if (k == 0)
        return TARN_OK;
    if (sn == 0) {
        /* an empty separator splits into characters */
        int64_t len = utf8_count(p, n);
        if (k < 0)
            k = len + k + 1;
        return k >= 1 && k <= len ? append_cp_range(o, p, n, k - 1, k, err) : TARN_OK;
    }
    /* count fields */
    int64_t nfields = 1;
    for (const uint8_t *q = p; (q = memmem(q, (size_t)(n - (q - p)), sep, (size_t)sn)) != NULL; q += sn)
        nfields++;
    if (k < 0)
        k = nfields + k + 1;
    if (k < 1 || k > nfields)
        return TARN_OK;
    const uint8_t *start = p;
    for (int64_t f = 1; f < k; f++)
        start = (const uint8_t *)memmem(start, (size_t)(n - (start - p)), sep, (size_t)sn) + sn;
    const uint8_t *end = memmem(start, (size_t)(n - (start - p)), sep, (size_t)sn);
    return sout_append(o, start, (end ? end : p + n) - start, err);
}
static int split_part_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                           tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, split_part_row);
}

/* ---- trim ---------------------------------------------------------------------------------------- */

/* Whether the code point at p (len l) is in the set chars. */
static bool in_set(const uint8_t *p, int l, const uint8_t *chars, int64_t cn)
{
    for (int64_t j = 0; j < cn;) {
        int cl = utf8_len(chars[j]);
        if (cl == l && j + cl <= cn && memcmp(chars + j, p, (size_t)l) == 0)
            return true;
        j += cl;
    }
    return false;
}

static int trim_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err, bool left,
                    bool right)
{
    int64_t n, cn = 1;
    const uint8_t *p = d_str(&args[0], i, &n);
    const uint8_t *chars = (const uint8_t *)" ";
    if (call->nargs > 1)
        chars = d_str(&args[1], i, &cn);
    int64_t a = 0, b = n;
    if (left)
        while (a < b) {
            int l = utf8_len(p[a]);
            if (a + l > b || !in_set(p + a, l, chars, cn))
                break;
            a += l;
        }
    if (right)
        while (b > a) {
            int64_t s = b - 1;
            while (s > a && (p[s] & 0xC0) == 0x80)
                s--;
            if (!in_set(p + s, (int)(b - s), chars, cn))
                break;
            b = s;
        }
    return sout_append(o, p + a, b - a, err);
}
static int btrim_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return trim_row(call, args, i, o, err, true, true);
}
static int ltrim_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return trim_row(call, args, i, o, err, true, false);
}
static int rtrim_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    return trim_row(call, args, i, o, err, false, true);
}
static int trim_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, btrim_row);
}
static int ltrim_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, ltrim_row);
}
static int rtrim_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, rtrim_row);
}

/* ---- predicates --------------------------------------------------------------------------------- */

static bool starts_row(const tn_datum *a, int64_t i)
{
    int64_t n, fn;
    const uint8_t *p = d_str(&a[0], i, &n);
    const uint8_t *f = d_str(&a[1], i, &fn);
    return fn <= n && memcmp(p, f, (size_t)fn) == 0;
}
static bool ends_row(const tn_datum *a, int64_t i)
{
    int64_t n, fn;
    const uint8_t *p = d_str(&a[0], i, &n);
    const uint8_t *f = d_str(&a[1], i, &fn);
    return fn <= n && memcmp(p + n - fn, f, (size_t)fn) == 0;
}
static bool contains_row(const tn_datum *a, int64_t i)
{
    int64_t n, fn;
    const uint8_t *p = d_str(&a[0], i, &n);
    const uint8_t *f = d_str(&a[1], i, &fn);
    return fn == 0 || (fn <= n && memmem(p, (size_t)n, f, (size_t)fn) != NULL);
}
static int starts_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return map_bool(args, nargs, n, out, err, starts_row);
}
static int ends_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    return map_bool(args, nargs, n, out, err, ends_row);
}
static int contains_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err)
{
    return map_bool(args, nargs, n, out, err, contains_row);
}

/* ---- translate ------------------------------------------------------------------------------------- */

/* translate(s, from, to): each character of s found at position j of
 * `from` becomes character j of `to`, or is dropped when `to` is shorter. */
static int translate_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n, fn, tn;
    const uint8_t *p = d_str(&args[0], i, &n);
    const uint8_t *f = d_str(&args[1], i, &fn);
    const uint8_t *t = d_str(&args[2], i, &tn);
    for (int64_t k = 0; k < n;) {
        int l = utf8_len(p[k]);
        if (k + l > n)
            l = (int)(n - k);
        int64_t j = -1, idx = 0;
        for (int64_t q = 0; q < fn; idx++) {
            int fl = utf8_len(f[q]);
            if (fl == l && q + fl <= fn && memcmp(f + q, p + k, (size_t)l) == 0) {
                j = idx;
                break;
            }
            q += fl;
        }
        if (j < 0) {
            TN_TRY(sout_append(o, p + k, l, err));
        } else {
            int64_t at = utf8_offset(t, tn, j);
            if (at < tn) {
                int tl = utf8_len(t[at]);
                TN_TRY(sout_append(o, t + at, at + tl <= tn ? tl : tn - at, err));
            }
        }
        k += l;
    }
    return TARN_OK;
}
static int translate_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, translate_row);
}

/* ---- ascii, chr ------------------------------------------------------------------------------------ */

static int64_t ascii_row(const tn_datum *a, int64_t i)
{
    int64_t n;
    const uint8_t *p = d_str(&a[0], i, &n);
    if (n == 0)
        return 0;
    int adv;
    return utf8_decode(p, n, &adv);
}
static int ascii_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                      tarn_error *err)
{
    return map_int(args, nargs, n, tn_type_get(TN_INT32), out, err, ascii_row);
}

static int chr_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t cp = d_i64(&args[0], i);
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return tn_func_error(err, TARN_EINVAL, call, i, "invalid UTF-8 code point %lld", (long long)cp);
    uint8_t buf[4];
    return sout_append(o, buf, utf8_encode((uint32_t)cp, buf), err);
}
static int chr_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                    tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, chr_row);
}

/* ---- concatenation ------------------------------------------------------------------------------------ */

/* Arguments that are not text are cast to varchar. */
static int text_args_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    for (int32_t i = 0; i < call->nargs; i++) {
        tn_expr *a = call->args[i];
        if (tn_type_is_string(a->type->id))
            continue;
        tn_type *to = tn_type_get(TN_STRING);
        if (a->type->id != TN_NA && !tn_cast_supported(a->type, to)) {
            char tn[64];
            tn_sql_type_name(a->type, tn, sizeof tn);
            return tn_error_set(err, TARN_ETYPE, "%s: cannot convert argument %d of type %s to varchar",
                                call->func->name, i + 1, tn);
        }
        tn_expr *e = tn_expr_new(c, TN_EXPR_CAST, to, 1);
        TN_TRY_ALLOC(e, err, sizeof *e);
        e->args[0] = a;
        e->loc = a->loc;
        e->text = a->text;
        call->args[i] = e;
    }
    return TARN_OK;
}

/* concat skips NULLs; || is NULL when any operand is; concat_ws joins the
 * non-NULL arguments after the first with it (NULL separator: NULL). */
static int concat_common(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                         tarn_error *err, int mode)
{
    sout o;
    TN_TRY(sout_init(&o, tn_type_get(TN_STRING), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++) {
        if ((mode == 1 && !all_valid(args, nargs, i)) || (mode == 2 && !d_valid(&args[0], i))) {
            rc = sout_null_row(&o, err);
            continue;
        }
        int64_t sepn = 0;
        const uint8_t *sep = mode == 2 ? d_str(&args[0], i, &sepn) : NULL;
        bool first = true;
        for (int32_t k = mode == 2 ? 1 : 0; k < nargs && !rc; k++) {
            if (!d_valid(&args[k], i))
                continue;
            int64_t len;
            const uint8_t *p = d_str(&args[k], i, &len);
            if (!first && sepn)
                rc = sout_append(&o, sep, sepn, err);
            if (!rc)
                rc = sout_append(&o, p, len, err);
            first = false;
        }
        if (!rc)
            rc = sout_end_row(&o, err);
    }
    return sout_close(&o, rc, out, err);
}
static int concat_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    return concat_common(call, args, nargs, n, out, err, 0);
}
static int concat_op_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    return concat_common(call, args, nargs, n, out, err, 1);
}
static int concat_ws_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                          tarn_error *err)
{
    return concat_common(call, args, nargs, n, out, err, 2);
}

/* ---- the table -------------------------------------------------------------------------------------- */

#define F(name, exec, nn) {name, exec, nn, false, NULL}
#define V P_VARCHAR
#define B P_BIGINT

const tn_sfn tn_sfn_string[] = {
    {F("like", like_exec, true), 2, false, {V, V}, R_BOOL, like_bind_fn},
    {F("like_escape", like_exec, true), 3, false, {V, V, V}, R_BOOL, like_bind_fn},
    {F("not_like", like_exec, true), 2, false, {V, V}, R_BOOL, like_bind_fn},
    {F("not_like_escape", like_exec, true), 3, false, {V, V, V}, R_BOOL, like_bind_fn},
    {F("ilike", like_exec, true), 2, false, {V, V}, R_BOOL, like_bind_fn},
    {F("ilike_escape", like_exec, true), 3, false, {V, V, V}, R_BOOL, like_bind_fn},
    {F("not_ilike", like_exec, true), 2, false, {V, V}, R_BOOL, like_bind_fn},
    {F("not_ilike_escape", like_exec, true), 3, false, {V, V, V}, R_BOOL, like_bind_fn},
    {F("substring", substring_exec, true), 2, false, {V, B}, R_VARCHAR, NULL},
    {F("substring", substring_exec, true), 3, false, {V, B, B}, R_VARCHAR, NULL},
    {F("substr", substring_exec, true), 2, false, {V, B}, R_VARCHAR, NULL},
    {F("substr", substring_exec, true), 3, false, {V, B, B}, R_VARCHAR, NULL},
    {F("length", length_exec, true), 1, false, {V}, R_BIGINT, NULL},
    {F("len", length_exec, true), 1, false, {V}, R_BIGINT, NULL},
    {F("char_length", length_exec, true), 1, false, {V}, R_BIGINT, NULL},
    {F("character_length", length_exec, true), 1, false, {V}, R_BIGINT, NULL},
    {F("strlen", strlen_exec, true), 1, false, {V}, R_BIGINT, NULL},
    {F("octet_length", strlen_exec, true), 1, false, {P_BLOB}, R_BIGINT, NULL},
    {F("lower", lower_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("lcase", lower_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("upper", upper_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("ucase", upper_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("left", left_exec, true), 2, false, {V, B}, R_VARCHAR, NULL},
    {F("right", right_exec, true), 2, false, {V, B}, R_VARCHAR, NULL},
    {F("lpad", lpad_exec, true), 3, false, {V, B, V}, R_VARCHAR, NULL},
    {F("rpad", rpad_exec, true), 3, false, {V, B, V}, R_VARCHAR, NULL},
    {F("repeat", repeat_exec, true), 2, false, {V, B}, R_VARCHAR, NULL},
    {F("reverse", reverse_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("replace", replace_exec, true), 3, false, {V, V, V}, R_VARCHAR, NULL},
    {F("position", position_exec, true), 2, false, {V, V}, R_BIGINT, NULL},
    {F("strpos", strpos_exec, true), 2, false, {V, V}, R_BIGINT, NULL},
    {F("instr", strpos_exec, true), 2, false, {V, V}, R_BIGINT, NULL},
    {F("split_part", split_part_exec, true), 3, false, {V, V, B}, R_VARCHAR, NULL},
    {F("trim", trim_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("trim", trim_exec, true), 2, false, {V, V}, R_VARCHAR, NULL},
    {F("btrim", trim_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("btrim", trim_exec, true), 2, false, {V, V}, R_VARCHAR, NULL},
    {F("ltrim", ltrim_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("ltrim", ltrim_exec, true), 2, false, {V, V}, R_VARCHAR, NULL},
    {F("rtrim", rtrim_exec, true), 1, false, {V}, R_VARCHAR, NULL},
    {F("rtrim", rtrim_exec, true), 2, false, {V, V}, R_VARCHAR, NULL},
    {F("starts_with", starts_exec, true), 2, false, {V, V}, R_BOOL, NULL},
    {F("prefix", starts_exec, true), 2, false, {V, V}, R_BOOL, NULL},
    {F("ends_with", ends_exec, true), 2, false, {V, V}, R_BOOL, NULL},
    {F("suffix", ends_exec, true), 2, false, {V, V}, R_BOOL, NULL},
    {F("contains", contains_exec, true), 2, false, {V, V}, R_BOOL, NULL},
    {F("translate", translate_exec, true), 3, false, {V, V, V}, R_VARCHAR, NULL},
    {F("ascii", ascii_exec, true), 1, false, {V}, R_INT32, NULL},
    {F("unicode", ascii_exec, true), 1, false, {V}, R_INT32, NULL},
    {F("chr", chr_exec, true), 1, false, {B}, R_VARCHAR, NULL},
    {F("concat", concat_exec, false), 1, true, {P_ANY}, R_VARCHAR, text_args_bind},
    {F("||", concat_op_exec, true), 2, true, {P_ANY, P_ANY}, R_VARCHAR, text_args_bind},
    {F("concat_ws", concat_ws_exec, false), 2, true, {V, P_ANY}, R_VARCHAR, text_args_bind},
};
const int tn_sfn_string_n = (int)(sizeof tn_sfn_string / sizeof tn_sfn_string[0]);
