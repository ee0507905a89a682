/*
 * scalar_regex.c — regular expressions on PCRE2 (UTF-8 mode):
 * regexp_matches, regexp_full_match, regexp_replace, regexp_extract.
 *
 * A literal pattern (with literal options) is compiled once at bind time
 * into the plan's arena: PCRE2's allocator is pointed at the arena, so the
 * compiled code lives and dies with the plan. Patterns from columns are
 * compiled per distinct value while a batch runs, through tarn's allocator.
 * Match data and PCRE2's backtracking frames also come from tarn's
 * allocator (accounted, and failure-injectable).
 *
 * Semantics follow DuckDB (RE2): regexp_matches finds the pattern anywhere;
 * regexp_replace replaces the first match, every match with option 'g'
 * (an empty match right after the previous match is skipped, as RE2 does);
 * the replacement refers to groups as \0..\9; regexp_extract returns ''
 * when nothing (or the group) matched. Options: i (ignore case), c (case
 * sensitive), g (global), s (dot matches newline), m (multi-line).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sql/functions/scalar_internal.h"

/* ---- allocators ---------------------------------------------------------------------- */

static void *heap_malloc(size_t n, void *ud)
{
    (void)ud;
    return tn_malloc(n);
}
static void heap_free(void *p, void *ud)
{
    (void)ud;
    tn_free(p);
}
static void *arena_malloc(size_t n, void *ud)
{
    return tn_arena_alloc(ud, n);
}
static void arena_free(void *p, void *ud)
{
    (void)p;
    (void)ud; /* released with the arena */
}

typedef struct regex_bind {
    pcre2_code *code; /* in the plan's arena */
    bool global;
} regex_bind;

/* Options text -> PCRE2 compile flags and the global flag. */
static int parse_options(const tn_expr *call, const uint8_t *p, int64_t n, int64_t row, uint32_t *flags, bool *global,
                         tarn_error *err)
{
    *flags = PCRE2_UTF;
    *global = false;
    for (int64_t i = 0; i < n; i++) {
        switch (p[i]) {
        case 'i': *flags |= PCRE2_CASELESS; break;
        case 'c': *flags &= ~(uint32_t)PCRE2_CASELESS; break;
        case 'g': *global = true; break;
        case 's': *flags |= PCRE2_DOTALL; break;
        case 'm': case 'n': case 'p': *flags |= PCRE2_MULTILINE; break;
        default:
            return tn_func_error(err, TARN_EINVAL, call, row, "unrecognized regex option '%c'", p[i]);
        }
    }
    return TARN_OK;
}

static int compile(const tn_expr *call, const uint8_t *p, int64_t n, uint32_t flags, pcre2_general_context *gc,
                   int64_t row, pcre2_code **out, tarn_error *err)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(gc);
    if (!cc)
        return tn_error_oom(err, 256);
    int code;
    PCRE2_SIZE off;
    *out = pcre2_compile(p, (PCRE2_SIZE)n, flags, &code, &off, cc);
    pcre2_compile_context_free(cc);
    if (*out)
        return TARN_OK;
    if (code == PCRE2_ERROR_NOMEMORY || code == PCRE2_ERROR_HEAP_FAILED)
        return tn_error_oom(err, (size_t)n * 16);
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof msg);
    return tn_func_error(err, TARN_EINVAL, call, row, "invalid regular expression \"%.*s\": %s at offset %zu",
                         (int)(n > 60 ? 60 : n), (const char *)p, (const char *)msg, (size_t)off);
}

/* The pattern argument and (for replace/matches with options) the options argument. */
static int options_arg(const tn_expr *call)
{
    const char *n = call->func->name;
    if (!strcmp(n, "regexp_replace"))
        return call->nargs > 3 ? 3 : -1;
    if (!strcmp(n, "regexp_matches") || !strcmp(n, "regexp_full_match"))
        return call->nargs > 2 ? 2 : -1;
    return -1;
}

static int regex_bind_fn(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    const tn_expr *pe = call->args[1];
    int oi = options_arg(call);
    if (pe->kind != TN_EXPR_LITERAL || !pe->value->is_valid)
        return TARN_OK;
    if (oi >= 0 && (call->args[oi]->kind != TN_EXPR_LITERAL || !call->args[oi]->value->is_valid))
        return TARN_OK;
    uint32_t flags;
    bool global;
    if (oi >= 0)
        TN_TRY(parse_options(call, call->args[oi]->value->bytes, call->args[oi]->value->n_bytes, 0, &flags, &global,
                             err));
    else
        flags = PCRE2_UTF, global = false;
    regex_bind *b = tn_arena_calloc(&c->arena, sizeof *b);
    TN_TRY_ALLOC(b, err, sizeof *b);
    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, &c->arena);
    TN_TRY_ALLOC(gc, err, 256);
    TN_TRY(compile(call, pe->value->bytes ? pe->value->bytes : (const uint8_t *)"", pe->value->n_bytes, flags, gc, 0,
                   &b->code, err));
    b->global = global;
    call->bind_data = b;
    return TARN_OK;
}

/* ---- per-batch state ----------------------------------------------------------------------- */

typedef struct rx {
    const tn_expr *call;
    pcre2_general_context *gc; /* tarn's allocator */
    pcre2_code *dyn;           /* the last pattern compiled from a column */
    uint8_t *dyn_text;
    int64_t dyn_len;
    uint32_t dyn_flags;
    pcre2_match_data *md;
    const pcre2_code *md_for;
} rx;

static void rx_free(rx *r)
{
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->dyn);
    tn_free(r->dyn_text);
    pcre2_general_context_free(r->gc);
}

/* The compiled pattern for row i and its global flag. */
static int rx_code(rx *r, const tn_datum *args, int64_t i, const pcre2_code **code, bool *global, tarn_error *err)
{
    const regex_bind *b = r->call->bind_data;
    if (b) {
        *code = b->code;
        *global = b->global;
    } else {
        uint32_t flags = PCRE2_UTF;
        *global = false;
        int oi = options_arg(r->call);
        if (oi >= 0) {
            int64_t on;
            const uint8_t *op = d_str(&args[oi], i, &on);
            TN_TRY(parse_options(r->call, op, on, i, &flags, global, err));
        }
        int64_t pn;
        const uint8_t *p = d_str(&args[1], i, &pn);
        if (!r->dyn || r->dyn_len != pn || r->dyn_flags != flags || (pn && memcmp(r->dyn_text, p, (size_t)pn))) {
            pcre2_code_free(r->dyn);
            r->dyn = NULL;
            tn_free(r->dyn_text);
            r->dyn_text = tn_malloc((size_t)pn + 1);
            TN_TRY_ALLOC(r->dyn_text, err, (size_t)pn + 1);
            memcpy(r->dyn_text, p, (size_t)pn);
            r->dyn_len = pn;
            r->dyn_flags = flags;
            TN_TRY(compile(r->call, p, pn, flags, r->gc, i, &r->dyn, err));
        }
        *code = r->dyn;
    }
    if (r->md_for != *code) {
        pcre2_match_data_free(r->md);
        r->md = pcre2_match_data_create_from_pattern(*code, r->gc);
        r->md_for = r->md ? *code : NULL;
        TN_TRY_ALLOC(r->md, err, 256);
    }
    return TARN_OK;
}

/* Match code on s from offset start; *found says whether it matched. */
static int rx_match(rx *r, const pcre2_code *code, const uint8_t *s, int64_t n, int64_t start, uint32_t opts,
                    int64_t row, bool *found, tarn_error *err)
{
    int rc = pcre2_match(code, s, (PCRE2_SIZE)n, (PCRE2_SIZE)start, opts, r->md, NULL);
    *found = rc >= 0;
    if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
        return TARN_OK;
    if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAPLIMIT)
        return tn_error_oom(err, 4096);
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return tn_func_error(err, TARN_EINVAL, r->call, row, "regular expression match failed: %s", (const char *)msg);
}

static int rx_init(rx *r, const tn_expr *call, tarn_error *err)
{
    memset(r, 0, sizeof *r);
    r->call = call;
    r->gc = pcre2_general_context_create(heap_malloc, heap_free, NULL);
    TN_TRY_ALLOC(r->gc, err, 256);
    return TARN_OK;
}

/* ---- kernels ------------------------------------------------------------------------------- */

static int matches_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                        tarn_error *err)
{
    bool full = !strcmp(call->func->name, "regexp_full_match");
    rx r;
    TN_TRY(rx_init(&r, call, err));
    fout o;
    int rc = fout_init(&o, tn_type_get(TN_BOOL), n, err);
    if (rc) {
        rx_free(&r);
        return rc;
    }
    uint8_t *bits = fout_data(&o);
    memset(bits, 0, (size_t)tn_bitmap_bytes(n));
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = fout_null(&o, i, err);
            continue;
        }
        const pcre2_code *code;
        bool global;
        if ((rc = rx_code(&r, args, i, &code, &global, err)) != 0)
            break;
        int64_t sn;
        const uint8_t *s = d_str(&args[0], i, &sn);
        bool m = false;
        rc = rx_match(&r, code, s, sn, 0, full ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0, i, &m, err);
        if (!rc && m)
            tn_bit_set(bits, i);
    }
    rx_free(&r);
    return fout_close(&o, rc, out);
}

/* Append the replacement with \0..\9 substituted. */
static int append_rewrite(sout *o, const uint8_t *rep, int64_t rn, const uint8_t *s, const PCRE2_SIZE *ov, int ngroups,
                          tarn_error *err)
{
    for (int64_t k = 0; k < rn; k++) {
        if (rep[k] == '\\' && k + 1 < rn) {
            uint8_t c = rep[k + 1];
            if (c >= '0' && c <= '9') {
                int g = c - '0';
                if (g < ngroups && ov[2 * g] != PCRE2_UNSET)
                    TN_TRY(sout_append(o, s + ov[2 * g], (int64_t)(ov[2 * g + 1] - ov[2 * g]), err));
                k++;
                continue;
            }
            if (c == '\\') {
                TN_TRY(sout_append(o, "\\", 1, err));
                k++;
                continue;
            }
        }
        TN_TRY(sout_append(o, rep + k, 1, err));
    }
    return TARN_OK;
}

static int replace_row(rx *r, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    const pcre2_code *code;
    bool global;
    TN_TRY(rx_code(r, args, i, &code, &global, err));
    int64_t sn, rn;
    const uint8_t *s = d_str(&args[0], i, &sn);
    const uint8_t *rep = d_str(&args[2], i, &rn);
    uint32_t ngroups = pcre2_get_ovector_count(r->md);
    int64_t p = 0, lastend = -1;
    while (p <= sn) {
        bool m = false;
        TN_TRY(rx_match(r, code, s, sn, p, 0, i, &m, err));
        if (!m)
            break;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        int64_t ms = (int64_t)ov[0], me = (int64_t)ov[1];
        if (ms > p)
            TN_TRY(sout_append(o, s + p, ms - p, err));
        if (ms == lastend && ms == me) {
            /* an empty match right after the previous one: step over a character */
            if (p < sn) {
                int l = utf8_len(s[p]);
                if (p + l > sn)
                    l = (int)(sn - p);
                TN_TRY(sout_append(o, s + p, l, err));
                p += l;
            } else {
                p++;
            }
            continue;
        }
        TN_TRY(append_rewrite(o, rep, rn, s, ov, (int)ngroups, err));
        p = me;
        lastend = me;
        if (!global)
            break;
    }
    if (p < sn)
        TN_TRY(sout_append(o, s + p, sn - p, err));
    return TARN_OK;
}

static int extract_row(rx *r, const tn_datum *args, int32_t nargs, int64_t i, sout *o, tarn_error *err)
{
    const pcre2_code *code;
    bool global;
    TN_TRY(rx_code(r, args, i, &code, &global, err));
    int64_t sn;
    const uint8_t *s = d_str(&args[0], i, &sn);
    int64_t g = nargs > 2 ? d_i64(&args[2], i) : 0;
    bool m = false;
    TN_TRY(rx_match(r, code, s, sn, 0, 0, i, &m, err));
    uint32_t ng = pcre2_get_ovector_count(r->md);
    if (!m || g < 0 || g >= (int64_t)ng)
        return TARN_OK;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
    if (ov[2 * g] == PCRE2_UNSET)
        return TARN_OK;
    return sout_append(o, s + ov[2 * g], (int64_t)(ov[2 * g + 1] - ov[2 * g]), err);
}

static int string_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    bool replace = !strcmp(call->func->name, "regexp_replace");
    rx r;
    TN_TRY(rx_init(&r, call, err));
    sout o;
    int rc = sout_init(&o, tn_type_get(TN_STRING), n, err);
    if (rc) {
        rx_free(&r);
        return rc;
    }
    for (int64_t i = 0; i < n && !rc; i++) {
        if (!all_valid(args, nargs, i)) {
            rc = sout_null_row(&o, err);
            continue;
        }
        rc = replace ? replace_row(&r, args, i, &o, err) : extract_row(&r, args, nargs, i, &o, err);
        if (!rc)
            rc = sout_end_row(&o, err);
    }
    rx_free(&r);
    return sout_close(&o, rc, out, err);
}

/* ---- the table ---------------------------------------------------------------------------------- */

#define F(name, exec) {name, exec, true, false, NULL}
#define V P_VARCHAR

const tn_sfn tn_sfn_regex[] = {
    {F("regexp_matches", matches_exec), 2, false, {V, V}, R_BOOL, regex_bind_fn},
    {F("regexp_matches", matches_exec), 3, false, {V, V, V}, R_BOOL, regex_bind_fn},
    {F("regexp_full_match", matches_exec), 2, false, {V, V}, R_BOOL, regex_bind_fn},
    {F("regexp_full_match", matches_exec), 3, false, {V, V, V}, R_BOOL, regex_bind_fn},
    {F("regexp_replace", string_exec), 3, false, {V, V, V}, R_VARCHAR, regex_bind_fn},
    {F("regexp_replace", string_exec), 4, false, {V, V, V, V}, R_VARCHAR, regex_bind_fn},
    {F("regexp_extract", string_exec), 2, false, {V, V}, R_VARCHAR, regex_bind_fn},
    {F("regexp_extract", string_exec), 3, false, {V, V, P_BIGINT}, R_VARCHAR, regex_bind_fn},
};
const int tn_sfn_regex_n = (int)(sizeof tn_sfn_regex / sizeof tn_sfn_regex[0]);
