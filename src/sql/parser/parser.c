/*
 * parser.c — hand-written recursive-descent parser for tarn's SQL dialect
 * (PostgreSQL-flavoured, with DuckDB's conveniences), producing the AST of
 * sql/ast.h in an arena.
 *
 * Statements, queries, table references and types are parsed by one function
 * per grammar rule; expressions by precedence climbing over the table in
 * ast.h. The lexer is pulled on demand through a four-token lookahead window
 * (the grammar never needs more: `name :=`, `NOT IN`, `IS NOT DISTINCT FROM`).
 *
 * Errors unwind with longjmp to the entry point: every node lives in the
 * caller's arena, so nothing needs freeing on the way out and the grammar
 * functions stay free of status plumbing. The first error wins; its message
 * names line:column, what was found and what was expected. Recursion is
 * bounded by TN_SQL_MAX_DEPTH, counting nested parentheses, subqueries and
 * the length of operator chains (a left-deep chain is as deep as it is long
 * for the printer and the binder that walk it).
 */
#include "sql/parser/parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "formats/options.h"
#include "sql/parser/lexer.h"

#define LOOKAHEAD 4

typedef struct parser {
    const char *text;
    size_t len;
    tn_lexer lx;
    tn_tok la[LOOKAHEAD];
    int nla;
    tn_tok prev;
    tn_arena *arena;
    tarn_error *err;
    int depth;
    jmp_buf jb;
} parser;

/* ---- errors and tokens ---------------------------------------------------- */

static void __attribute__((noreturn)) bail(parser *p)
{
    longjmp(p->jb, 1);
}

static void __attribute__((noreturn)) oom(parser *p, size_t n)
{
    tn_error_oom(p->err, n);
    bail(p);
}

/* The token quoted for a message: 'text' (at most 40 bytes, control bytes
 * escaped) or "end of input". */
static void describe(const parser *p, tn_tok t, char *out, size_t cap)
{
    if (t.kind == TK_EOF) {
        snprintf(out, cap, "end of input");
        return;
    }
    size_t o = 0, n = t.len > 40 ? 40 : t.len;
    out[o++] = '\'';
    for (size_t i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)p->text[t.off + i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (n < t.len && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = 0;
}

static void __attribute__((noreturn)) TN_PRINTF(3, 4) fail_at(parser *p, uint32_t off, const char *fmt, ...)
{
    int line, col;
    tn_sql_location(p->text, p->len, off, &line, &col);
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tn_error_set(p->err, TARN_EPARSE, "syntax error at line %d, column %d: %s", line, col, msg);
    bail(p);
}

static tn_tok peek(parser *p, int k)
{
    while (p->nla <= k) {
        tn_tok t = tn_lex_next(&p->lx, p->err);
        if (t.kind == TK_ERROR)
            bail(p);
        p->la[p->nla++] = t;
    }
    return p->la[k];
}

static tn_tok next(parser *p)
{
    tn_tok t = peek(p, 0);
    memmove(p->la, p->la + 1, (size_t)(p->nla - 1) * sizeof p->la[0]);
    p->nla--;
    p->prev = t;
    return t;
}

static int is_kw(tn_tok t, int kw)
{
    return t.kind == TK_WORD && t.kw == kw;
}

static int is_op(tn_tok t, int op)
{
    return t.kind == TK_OP && t.op == op;
}

static int peek_kw(parser *p, int k, int kw)
{
    return is_kw(peek(p, k), kw);
}

static int peek_op(parser *p, int k, int op)
{
    return is_op(peek(p, k), op);
}

static int accept_kw(parser *p, int kw)
{
    if (!peek_kw(p, 0, kw))
        return 0;
    next(p);
    return 1;
}

static int accept_op(parser *p, int op)
{
    if (!peek_op(p, 0, op))
        return 0;
    next(p);
    return 1;
}

static void __attribute__((noreturn)) expected(parser *p, const char *what)
{
    char found[64];
    tn_tok t = peek(p, 0);
    describe(p, t, found, sizeof found);
    fail_at(p, t.off, "expected %s, found %s", what, found);
}

static tn_tok expect_kw(parser *p, int kw)
{
    if (!peek_kw(p, 0, kw)) {
        char what[40];
        snprintf(what, sizeof what, "%s", tn_sql_keyword_name(kw));
        expected(p, what);
    }
    return next(p);
}

static void expect_op(parser *p, int op)
{
    if (!peek_op(p, 0, op)) {
        char what[8];
        snprintf(what, sizeof what, "'%c'", (char)op);
        expected(p, what);
    }
    next(p);
}

/* Expect the ')' closing the '(' at offset open. */
static void close_paren(parser *p, uint32_t open)
{
    if (peek_op(p, 0, ')')) {
        next(p);
        return;
    }
    int line, col;
    tn_sql_location(p->text, p->len, open, &line, &col);
    char what[80];
    snprintf(what, sizeof what, "')' to close the '(' at line %d, column %d", line, col);
    expected(p, what);
}

static void enter(parser *p)
{
    if (++p->depth > TN_SQL_MAX_DEPTH)
        fail_at(p, peek(p, 0).off, "nesting deeper than %d levels", TN_SQL_MAX_DEPTH);
}

static void leave(parser *p)
{
    p->depth--;
}

/* ---- allocation ----------------------------------------------------------- */

static void *alloc(parser *p, size_t n)
{
    void *m = tn_arena_calloc(p->arena, n);
    if (!m)
        oom(p, n);
    return m;
}

static char *copy(parser *p, const char *s, size_t n)
{
    char *m = tn_arena_strndup(p->arena, s, n);
    if (!m)
        oom(p, n + 1);
    return m;
}

/* Grow an arena array to hold one more element (the old block is left to the
 * arena; at most half the bytes are wasted). */
static void *grow(parser *p, void *items, int *cap, size_t size)
{
    if (*cap > (1 << 24))
        fail_at(p, peek(p, 0).off, "list longer than %d items", 1 << 24);
    int ncap = *cap ? *cap * 2 : 4;
    void *m = alloc(p, (size_t)ncap * size);
    if (*cap)
        memcpy(m, items, (size_t)*cap * size);
    *cap = ncap;
    return m;
}

#define PUSH(p, arr, n, cap, val)                                 \
    do {                                                          \
        if ((n) == (cap))                                         \
            (arr) = grow((p), (arr), &(cap), sizeof *(arr));      \
        (arr)[(n)++] = (val);                                     \
    } while (0)

static tn_sql_expr *new_expr(parser *p, tn_sql_expr_kind kind, uint32_t loc)
{
    tn_sql_expr *e = alloc(p, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    return e;
}

/* ---- identifiers ---------------------------------------------------------- */

static int ident_ok(tn_tok t)
{
    return t.kind == TK_QIDENT || (t.kind == TK_WORD && !tn_sql_keyword_reserved(t.kw));
}

static tn_sql_ident make_ident(parser *p, tn_tok t)
{
    tn_sql_ident id = {.loc = t.off, .quoted = t.kind == TK_QIDENT};
    const char *s = p->text + t.off;
    if (!id.quoted) {
        id.text = copy(p, s, t.len);
        return id;
    }
    if (t.len <= 2)
        fail_at(p, t.off, "zero-length quoted identifier");
    char *out = alloc(p, t.len);
    size_t o = 0;
    for (size_t i = 1; i + 1 < t.len; i++) {
        if (s[i] == 0)
            fail_at(p, t.off, "quoted identifier contains a NUL byte");
        out[o++] = s[i];
        if (s[i] == '"')
            i++;
    }
    out[o] = 0;
    id.text = out;
    return id;
}

static tn_sql_ident parse_ident(parser *p, const char *what)
{
    tn_tok t = peek(p, 0);
    if (ident_ok(t))
        return make_ident(p, next(p));
    if (t.kind == TK_WORD) {
        char w[64];
        describe(p, t, w, sizeof w);
        fail_at(p, t.off, "expected %s, found the keyword %s (quote it as \"%.*s\" to use it as a name)", what, w,
                (int)(t.len > 32 ? 32 : t.len), p->text + t.off);
    }
    expected(p, what);
}

static tn_sql_name parse_name(parser *p, const char *what)
{
    tn_sql_name nm = {0};
    int cap = 0;
    PUSH(p, nm.parts, nm.n, cap, parse_ident(p, what));
    while (peek_op(p, 0, '.') && ident_ok(peek(p, 1))) {
        next(p);
        PUSH(p, nm.parts, nm.n, cap, parse_ident(p, what));
    }
    return nm;
}

static tn_sql_idents parse_ident_list(parser *p, const char *what)
{
    tn_sql_idents l = {0};
    int cap = 0;
    uint32_t open = peek(p, 0).off;
    expect_op(p, '(');
    do {
        PUSH(p, l.items, l.n, cap, parse_ident(p, what));
    } while (accept_op(p, ','));
    close_paren(p, open);
    return l;
}

/* Does the word token spell s (any case)? For words that are not keywords. */
static int word_is(const parser *p, tn_tok t, const char *s)
{
    size_t n = strlen(s);
    if (t.kind != TK_WORD || t.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p->text[t.off + i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != s[i])
            return 0;
    }
    return 1;
}

/* ---- forward declarations ------------------------------------------------- */

static tn_sql_expr *parse_expr(parser *p);
static tn_sql_expr *parse_binary(parser *p, int minprec);
static tn_sql_query *parse_query(parser *p);
static void parse_query_tail(parser *p, tn_sql_query *q);
static int query_continues(parser *p);
static tn_sql_query *continue_query(parser *p, tn_sql_query *first, uint32_t loc);
static tn_sql_type *parse_type(parser *p);
static tn_sql_tableref *parse_tableref(parser *p);
static tn_sql_stmt *parse_stmt(parser *p);

static int query_start(parser *p, int k)
{
    tn_tok t = peek(p, k);
    return is_kw(t, KW_SELECT) || is_kw(t, KW_WITH) || is_kw(t, KW_VALUES);
}

/* ---- literals ------------------------------------------------------------- */

static tn_sql_expr *string_lit(parser *p, tn_tok t)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_LIT_STRING, t.off);
    const char *s = p->text + t.off;
    char *out = alloc(p, t.len);
    size_t o = 0;
    if (t.kind == TK_STRING) {
        for (size_t i = 1; i + 1 < t.len; i++) {
            if (s[i] == 0)
                fail_at(p, t.off, "a string cannot hold a NUL byte");
            out[o++] = s[i];
            if (s[i] == '\'')
                i++;
        }
    } else {
        for (size_t i = 2; i + 1 < t.len; i++) {
            char c = s[i];
            if (c == '\'') {
                i++;
            } else if (c == '\\') {
                char d = s[++i];
                int v = -1;
                switch (d) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'x': {
                    v = 0;
                    int k = 0;
                    for (; k < 2 && i + 2 < t.len; k++) {
                        char h = s[i + 1];
                        int x = h >= '0' && h <= '9' ? h - '0'
                              : (h | 32) >= 'a' && (h | 32) <= 'f' ? (h | 32) - 'a' + 10 : -1;
                        if (x < 0)
                            break;
                        v = v * 16 + x;
                        i++;
                    }
                    if (!k)
                        fail_at(p, t.off + (uint32_t)i, "expected hexadecimal digits after '\\x'");
                    break;
                }
                default:
                    if (d >= '0' && d <= '7') {
                        v = d - '0';
                        for (int k = 0; k < 2 && i + 2 < t.len && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
                            v = v * 8 + (s[++i] - '0');
                        v &= 0xff;
                    } else {
                        c = d;
                    }
                }
                if (v >= 0)
                    c = (char)v;
            }
            if (c == 0)
                fail_at(p, t.off, "a string cannot hold a NUL byte");
            out[o++] = c;
        }
    }
    out[o] = 0;
    e->text = out;
    e->len = (uint32_t)o;
    return e;
}

static const char *const type_literal_words[] = {"DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "UUID", "JSON",
                                                 "BLOB", "BYTEA", "VARCHAR", "TEXT", "DECIMAL", "NUMERIC",
                                                 "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN", NULL};

static int type_literal_word(const parser *p, tn_tok t)
{
    for (int i = 0; type_literal_words[i]; i++)
        if (word_is(p, t, type_literal_words[i]))
            return 1;
    return 0;
}

static const char *const interval_units[] = {
    "YEAR", "YEARS", "MONTH", "MONTHS", "DAY", "DAYS", "HOUR", "HOURS", "MINUTE", "MINUTES", "SECOND",
    "SECONDS", "MILLISECOND", "MILLISECONDS", "MICROSECOND", "MICROSECONDS", "WEEK", "WEEKS", "QUARTER",
    "QUARTERS", "DECADE", "DECADES", "CENTURY", "CENTURIES", "MILLENNIUM", "MILLENNIA", NULL};

static const char *interval_unit(const parser *p, tn_tok t)
{
    for (int i = 0; interval_units[i]; i++)
        if (word_is(p, t, interval_units[i]))
            return interval_units[i];
    return NULL;
}

static tn_sql_expr *parse_postfix(parser *p, tn_sql_expr *e);
static tn_sql_expr *parse_primary(parser *p);

static tn_sql_expr *parse_interval(parser *p, tn_tok kw)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_INTERVAL, kw.off);
    tn_tok t = peek(p, 0);
    if (t.kind == TK_STRING || t.kind == TK_ESTRING)
        e->left = string_lit(p, next(p));
    else
        e->left = parse_postfix(p, parse_primary(p));
    const char *unit = interval_unit(p, peek(p, 0));
    if (unit) {
        next(p);
        e->text = unit;
    }
    return e;
}

/* ---- expressions ---------------------------------------------------------- */

static tn_sql_exprs parse_expr_list(parser *p)
{
    tn_sql_exprs l = {0};
    int cap = 0;
    do {
        PUSH(p, l.items, l.n, cap, parse_expr(p));
    } while (accept_op(p, ','));
    return l;
}

static tn_sql_order parse_order_item(parser *p)
{
    tn_sql_order o = {0};
    o.expr = parse_expr(p);
    if (accept_kw(p, KW_ASC))
        o.dir = TN_SQL_ORDER_ASC;
    else if (accept_kw(p, KW_DESC))
        o.dir = TN_SQL_ORDER_DESC;
    if (accept_kw(p, KW_NULLS)) {
        if (accept_kw(p, KW_FIRST))
            o.nulls = TN_SQL_NULLS_FIRST;
        else if (accept_kw(p, KW_LAST))
            o.nulls = TN_SQL_NULLS_LAST;
        else
            expected(p, "FIRST or LAST after NULLS");
    }
    return o;
}

static tn_sql_orders parse_order_list(parser *p)
{
    tn_sql_orders l = {0};
    int cap = 0;
    do {
        PUSH(p, l.items, l.n, cap, parse_order_item(p));
    } while (accept_op(p, ','));
    return l;
}

static tn_sql_bound parse_bound(parser *p)
{
    tn_sql_bound b = {0};
    if (accept_kw(p, KW_UNBOUNDED)) {
        if (accept_kw(p, KW_PRECEDING))
            b.kind = TN_SQL_BOUND_UNBOUNDED_PRECEDING;
        else if (accept_kw(p, KW_FOLLOWING))
            b.kind = TN_SQL_BOUND_UNBOUNDED_FOLLOWING;
        else
            expected(p, "PRECEDING or FOLLOWING after UNBOUNDED");
    } else if (peek_kw(p, 0, KW_CURRENT) && peek_kw(p, 1, KW_ROW)) {
        next(p), next(p);
        b.kind = TN_SQL_BOUND_CURRENT_ROW;
    } else {
        b.offset = parse_binary(p, 3);
        if (accept_kw(p, KW_PRECEDING))
            b.kind = TN_SQL_BOUND_PRECEDING;
        else if (accept_kw(p, KW_FOLLOWING))
            b.kind = TN_SQL_BOUND_FOLLOWING;
        else
            expected(p, "PRECEDING or FOLLOWING after the frame offset");
    }
    return b;
}

/* The inside of OVER ( ... ) or WINDOW w AS ( ... ), after the '('. */
static tn_sql_window *parse_window_body(parser *p, uint32_t open)
{
    tn_sql_window *w = alloc(p, sizeof *w);
    w->loc = open;
    tn_tok t = peek(p, 0);
    if (ident_ok(t) && !is_kw(t, KW_PARTITION) && !is_kw(t, KW_ROWS) && !is_kw(t, KW_RANGE) &&
        !is_kw(t, KW_GROUPS)) {
        w->base = alloc(p, sizeof *w->base);
        *w->base = parse_ident(p, "a window name");
    }
    if (accept_kw(p, KW_PARTITION)) {
        expect_kw(p, KW_BY);
        w->partition = parse_expr_list(p);
    }
    if (accept_kw(p, KW_ORDER)) {
        expect_kw(p, KW_BY);
        w->order = parse_order_list(p);
    }
    if (accept_kw(p, KW_ROWS))
        w->unit = TN_SQL_FRAME_ROWS;
    else if (accept_kw(p, KW_RANGE))
        w->unit = TN_SQL_FRAME_RANGE;
    else if (accept_kw(p, KW_GROUPS))
        w->unit = TN_SQL_FRAME_GROUPS;
    if (w->unit) {
        if (accept_kw(p, KW_BETWEEN)) {
            w->start = parse_bound(p);
            expect_kw(p, KW_AND);
            w->end = parse_bound(p);
        } else {
            w->start = parse_bound(p);
        }
        if (accept_kw(p, KW_EXCLUDE)) {
            if (peek_kw(p, 0, KW_CURRENT) && peek_kw(p, 1, KW_ROW))
                next(p), next(p), w->exclude = TN_SQL_EXCLUDE_CURRENT_ROW;
            else if (accept_kw(p, KW_GROUP))
                w->exclude = TN_SQL_EXCLUDE_GROUP;
            else if (accept_kw(p, KW_TIES))
                w->exclude = TN_SQL_EXCLUDE_TIES;
            else if (peek_kw(p, 0, KW_NO) && peek_kw(p, 1, KW_OTHERS))
                next(p), next(p), w->exclude = TN_SQL_EXCLUDE_NO_OTHERS;
            else
                expected(p, "CURRENT ROW, GROUP, TIES or NO OTHERS after EXCLUDE");
        }
    }
    close_paren(p, open);
    return w;
}

/* Arguments of a call, after the '('; `eq_named`: table functions also take
 * name = value as a named argument. */
static void parse_call_args(parser *p, tn_sql_expr *f, uint32_t open, int eq_named)
{
    if (peek_op(p, 0, '*') && peek_op(p, 1, ')')) {
        next(p);
        f->star = 1;
    } else if (!peek_op(p, 0, ')')) {
        if (accept_kw(p, KW_DISTINCT))
            f->distinct = 1;
        else
            accept_kw(p, KW_ALL);
        int cap = 0, first = 1;
        do {
            tn_tok t = peek(p, 0), t1 = peek(p, 1);
            tn_sql_expr *a;
            if (ident_ok(t) && (is_op(t1, TN_OP2(':', '=')) || is_op(t1, TN_OP2('=', '>')) ||
                                (eq_named && is_op(t1, '=')))) {
                tn_sql_ident id = parse_ident(p, "an argument name");
                next(p);
                a = new_expr(p, TN_SQL_NAMED_ARG, t.off);
                a->text = id.text;
                a->left = parse_expr(p);
            } else {
                a = parse_expr(p);
            }
            PUSH(p, f->list.items, f->list.n, cap, a);
            /* substring(x FROM a FOR b) and position(a IN b) */
            if (first && f->name.n == 1 && !strcasecmp(f->name.parts[0].text, "substring") &&
                (peek_kw(p, 0, KW_FROM) || peek_kw(p, 0, KW_FOR))) {
                tn_sql_expr *from = NULL;
                if (accept_kw(p, KW_FROM))
                    from = parse_expr(p);
                else {
                    from = new_expr(p, TN_SQL_LIT_INT, peek(p, 0).off);
                    from->text = "1";
                }
                PUSH(p, f->list.items, f->list.n, cap, from);
                if (accept_kw(p, KW_FOR))
                    PUSH(p, f->list.items, f->list.n, cap, parse_expr(p));
                break;
            }
            first = 0;
        } while (accept_op(p, ','));
        if (accept_kw(p, KW_ORDER)) {
            expect_kw(p, KW_BY);
            f->order = parse_order_list(p);
        }
    }
    close_paren(p, open);
}

static tn_sql_expr *parse_call(parser *p, tn_sql_name name, uint32_t loc, int table_fn)
{
    tn_sql_expr *f = new_expr(p, TN_SQL_FUNC, loc);
    f->name = name;
    uint32_t open = peek(p, 0).off;
    expect_op(p, '(');
    if (name.n == 1 && !strcasecmp(name.parts[0].text, "position") && !name.parts[0].quoted &&
        !peek_op(p, 0, ')')) {
        tn_sql_expr *needle = parse_binary(p, 7);
        if (accept_kw(p, KW_IN)) {
            f->list.items = alloc(p, 2 * sizeof *f->list.items);
            f->list.n = 2;
            f->list.items[0] = needle;
            f->list.items[1] = parse_expr(p);
            close_paren(p, open);
            return f;
        }
        int cap = 0;
        PUSH(p, f->list.items, f->list.n, cap, needle);
        while (accept_op(p, ','))
            PUSH(p, f->list.items, f->list.n, cap, parse_expr(p));
        close_paren(p, open);
    } else {
        parse_call_args(p, f, open, table_fn);
    }
    if (table_fn)
        return f;
    if (peek_kw(p, 0, KW_FILTER) && peek_op(p, 1, '(')) {
        next(p);
        uint32_t fo = next(p).off;
        expect_kw(p, KW_WHERE);
        f->filter = parse_expr(p);
        close_paren(p, fo);
    }
    if (accept_kw(p, KW_OVER)) {
        if (peek_op(p, 0, '(')) {
            uint32_t wo = next(p).off;
            f->over = parse_window_body(p, wo);
        } else {
            f->over = alloc(p, sizeof *f->over);
            f->over->loc = peek(p, 0).off;
            f->over->base = alloc(p, sizeof *f->over->base);
            *f->over->base = parse_ident(p, "a window name or '(' after OVER");
            f->over->bare_name = 1;
        }
    }
    return f;
}

static tn_sql_expr *parse_star(parser *p, tn_sql_name qual, uint32_t loc)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_STAR, loc);
    e->name = qual;
    if (accept_kw(p, KW_EXCLUDE)) {
        int cap = 0;
        if (peek_op(p, 0, '(')) {
            uint32_t open = next(p).off;
            do {
                tn_tok t = peek(p, 0);
                tn_sql_expr *c = new_expr(p, TN_SQL_COLUMN, t.off);
                c->name = parse_name(p, "a column name");
                PUSH(p, e->list.items, e->list.n, cap, c);
            } while (accept_op(p, ','));
            close_paren(p, open);
        } else {
            tn_sql_expr *c = new_expr(p, TN_SQL_COLUMN, peek(p, 0).off);
            c->name = parse_name(p, "a column name or '(' after EXCLUDE");
            PUSH(p, e->list.items, e->list.n, cap, c);
        }
    }
    return e;
}

static tn_sql_expr *parse_case(parser *p, uint32_t loc)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_CASE, loc);
    if (!peek_kw(p, 0, KW_WHEN))
        e->left = parse_expr(p);
    int c1 = 0, c2 = 0;
    if (!peek_kw(p, 0, KW_WHEN))
        expected(p, "WHEN in CASE");
    while (accept_kw(p, KW_WHEN)) {
        PUSH(p, e->list.items, e->list.n, c1, parse_expr(p));
        expect_kw(p, KW_THEN);
        PUSH(p, e->list2.items, e->list2.n, c2, parse_expr(p));
    }
    if (accept_kw(p, KW_ELSE))
        e->right = parse_expr(p);
    if (!peek_kw(p, 0, KW_END))
        expected(p, "WHEN, ELSE or END in CASE");
    next(p);
    return e;
}

static tn_sql_expr *parse_struct_lit(parser *p, uint32_t open)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_STRUCT, open);
    int c1 = 0, c2 = 0, c3 = 0;
    if (!peek_op(p, 0, '}')) {
        do {
            tn_tok t = peek(p, 0);
            tn_sql_ident key;
            if (t.kind == TK_STRING || t.kind == TK_ESTRING) {
                tn_sql_expr *s = string_lit(p, next(p));
                if (!s->len)
                    fail_at(p, t.off, "a struct field name cannot be empty");
                key = (tn_sql_ident){.text = s->text, .quoted = 1, .loc = t.off};
                if (strlen(s->text) != s->len)
                    fail_at(p, t.off, "a struct field name cannot hold a NUL byte");
            } else {
                key = parse_ident(p, "a struct field name");
            }
            expect_op(p, ':');
            PUSH(p, e->keys, c1, c2, key);
            PUSH(p, e->list.items, e->list.n, c3, parse_expr(p));
        } while (accept_op(p, ','));
    }
    if (!peek_op(p, 0, '}')) {
        int line, col;
        tn_sql_location(p->text, p->len, open, &line, &col);
        char what[80];
        snprintf(what, sizeof what, "'}' to close the '{' at line %d, column %d", line, col);
        expected(p, what);
    }
    next(p);
    return e;
}

static tn_sql_expr *parse_list_lit(parser *p, uint32_t open)
{
    tn_sql_expr *e = new_expr(p, TN_SQL_LIST, open);
    if (!peek_op(p, 0, ']'))
        e->list = parse_expr_list(p);
    if (!peek_op(p, 0, ']')) {
        int line, col;
        tn_sql_location(p->text, p->len, open, &line, &col);
        char what[80];
        snprintf(what, sizeof what, "']' to close the '[' at line %d, column %d", line, col);
        expected(p, what);
    }
    next(p);
    return e;
}

static void __attribute__((noreturn)) no_expression(parser *p)
{
    char found[64], prev[64];
    tn_tok t = peek(p, 0);
    describe(p, t, found, sizeof found);
    if (p->prev.len) {
        describe(p, p->prev, prev, sizeof prev);
        fail_at(p, t.off, "expected an expression after %s, found %s", prev, found);
    }
    fail_at(p, t.off, "expected an expression, found %s", found);
}

static tn_sql_expr *parse_primary(parser *p)
{
    tn_tok t = peek(p, 0);
    tn_sql_expr *e;
    switch (t.kind) {
    case TK_INT:
    case TK_NUMBER:
        next(p);
        e = new_expr(p, t.kind == TK_INT ? TN_SQL_LIT_INT : TN_SQL_LIT_NUMBER, t.off);
        e->text = copy(p, p->text + t.off, t.len);
        return e;
    case TK_STRING:
    case TK_ESTRING:
        return string_lit(p, next(p));
    case TK_BLOB: {
        next(p);
        e = new_expr(p, TN_SQL_LIT_BLOB, t.off);
        e->text = copy(p, p->text + t.off + 2, t.len - 3);
        size_t n = t.len - 3;
        if (n % 2 || strspn(e->text, "0123456789abcdefABCDEF") != n)
            fail_at(p, t.off, "a blob literal X'...' needs an even number of hexadecimal digits");
        return e;
    }
    case TK_PARAM: {
        next(p);
        e = new_expr(p, TN_SQL_PARAM, t.off);
        if (t.len > 10)
            fail_at(p, t.off, "parameter number too large");
        for (uint32_t i = 1; i < t.len; i++)
            e->index = e->index * 10 + (p->text[t.off + i] - '0');
        if (e->index < 1 || e->index > 65535)
            fail_at(p, t.off, "parameter number must be between 1 and 65535");
        return e;
    }
    case TK_QMARK:
        next(p);
        return new_expr(p, TN_SQL_PARAM, t.off);
    case TK_OP:
        if (t.op == '(') {
            next(p);
            if (query_start(p, 0)) {
                e = new_expr(p, TN_SQL_SUBQUERY, t.off);
                e->query = parse_query(p);
                close_paren(p, t.off);
                return e;
            }
            tn_sql_exprs l = parse_expr_list(p);
            if (l.n == 1 && l.items[0]->kind == TN_SQL_SUBQUERY && query_continues(p))
                l.items[0]->query = continue_query(p, l.items[0]->query, l.items[0]->loc);
            close_paren(p, t.off);
            if (l.n == 1)
                return l.items[0];
            e = new_expr(p, TN_SQL_ROW, t.off);
            e->list = l;
            return e;
        }
        if (t.op == '[') {
            next(p);
            return parse_list_lit(p, t.off);
        }
        if (t.op == '{') {
            next(p);
            return parse_struct_lit(p, t.off);
        }
        no_expression(p);
    case TK_QIDENT:
        break;
    case TK_WORD:
        switch (t.kw) {
        case KW_NULL:
            next(p);
            return new_expr(p, TN_SQL_LIT_NULL, t.off);
        case KW_TRUE:
        case KW_FALSE:
            next(p);
            e = new_expr(p, TN_SQL_LIT_BOOL, t.off);
            e->boolean = t.kw == KW_TRUE;
            return e;
        case KW_CASE:
            next(p);
            return parse_case(p, t.off);
        case KW_CAST:
        case KW_TRY_CAST: {
            next(p);
            e = new_expr(p, TN_SQL_CAST, t.off);
            e->try_cast = t.kw == KW_TRY_CAST;
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            e->left = parse_expr(p);
            expect_kw(p, KW_AS);
            e->type = parse_type(p);
            close_paren(p, open);
            return e;
        }
        case KW_EXTRACT: {
            next(p);
            e = new_expr(p, TN_SQL_EXTRACT, t.off);
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            tn_tok f = peek(p, 0);
            if (f.kind == TK_STRING) {
                char *s = (char *)string_lit(p, next(p))->text;
                for (char *c = s; *c; c++)
                    if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 32);
                e->text = s;
            } else if (f.kind == TK_WORD) {
                next(p);
                char *up = copy(p, p->text + f.off, f.len);
                for (char *c = up; *c; c++)
                    if (*c >= 'a' && *c <= 'z')
                        *c = (char)(*c - 32);
                e->text = up;
            } else {
                expected(p, "a field name such as YEAR in EXTRACT");
            }
            if (!e->text[0] || strspn(e->text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789") !=
                                   strlen(e->text))
                fail_at(p, f.off, "EXTRACT field must be a word such as YEAR");
            expect_kw(p, KW_FROM);
            e->left = parse_expr(p);
            close_paren(p, open);
            return e;
        }
        case KW_EXISTS: {
            next(p);
            e = new_expr(p, TN_SQL_EXISTS, t.off);
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            if (!query_start(p, 0))
                expected(p, "a query after EXISTS (");
            e->query = parse_query(p);
            close_paren(p, open);
            return e;
        }
        case KW_ARRAY:
            if (peek_op(p, 1, '[')) {
                next(p);
                uint32_t open = next(p).off;
                return parse_list_lit(p, open);
            }
            no_expression(p);
        case KW_INTERVAL: {
            tn_tok t1 = peek(p, 1);
            if (t1.kind == TK_STRING || t1.kind == TK_ESTRING || t1.kind == TK_INT || t1.kind == TK_NUMBER ||
                t1.kind == TK_PARAM || is_op(t1, '('))
                return parse_interval(p, next(p));
            break;
        }
        case KW_LEFT:
        case KW_RIGHT:
        case KW_FILTER:
            if (peek_op(p, 1, '(')) {
                next(p);
                tn_sql_name nm = {.n = 1};
                nm.parts = alloc(p, sizeof *nm.parts);
                nm.parts[0] = (tn_sql_ident){.text = copy(p, p->text + t.off, t.len), .loc = t.off};
                return parse_call(p, nm, t.off, 0);
            }
            no_expression(p);
        default:
            if (tn_sql_keyword_reserved(t.kw))
                no_expression(p);
            if ((peek(p, 1).kind == TK_STRING || peek(p, 1).kind == TK_ESTRING) && type_literal_word(p, t)) {
                e = new_expr(p, TN_SQL_LIT_TYPED, t.off);
                e->type = parse_type(p);
                e->right = string_lit(p, next(p));
                return e;
            }
        }
        break;
    default:
        no_expression(p);
    }
    /* A name: column, qualified column, t.*, or a function call. */
    tn_sql_name nm = {0};
    int cap = 0;
    PUSH(p, nm.parts, nm.n, cap, parse_ident(p, "a name"));
    while (peek_op(p, 0, '.')) {
        if (peek_op(p, 1, '*')) {
            next(p), next(p);
            return parse_star(p, nm, t.off);
        }
        if (!ident_ok(peek(p, 1)))
            break;
        next(p);
        PUSH(p, nm.parts, nm.n, cap, parse_ident(p, "a name"));
    }
    if (peek_op(p, 0, '('))
        return parse_call(p, nm, t.off, 0);
    e = new_expr(p, TN_SQL_COLUMN, t.off);
    e->name = nm;
    return e;
}

static tn_sql_expr *parse_postfix(parser *p, tn_sql_expr *e)
{
    for (;;) {
        tn_tok t = peek(p, 0);
        if (is_op(t, TN_OP2(':', ':'))) {
            next(p);
            tn_sql_expr *c = new_expr(p, TN_SQL_CAST, t.off);
            c->left = e;
            c->type = parse_type(p);
            e = c;
        } else if (is_op(t, '[')) {
            next(p);
            tn_sql_expr *lo = NULL, *hi = NULL;
            if (!peek_op(p, 0, ':'))
                lo = parse_expr(p);
            if (accept_op(p, ':')) {
                tn_sql_expr *s = new_expr(p, TN_SQL_SLICE, t.off);
                if (!peek_op(p, 0, ']'))
                    hi = parse_expr(p);
                s->left = e, s->right = lo, s->third = hi;
                e = s;
            } else {
                tn_sql_expr *s = new_expr(p, TN_SQL_SUBSCRIPT, t.off);
                s->left = e, s->right = lo;
                e = s;
            }
            if (!peek_op(p, 0, ']')) {
                int line, col;
                tn_sql_location(p->text, p->len, t.off, &line, &col);
                char what[80];
                snprintf(what, sizeof what, "']' to close the '[' at line %d, column %d", line, col);
                expected(p, what);
            }
            next(p);
        } else if (is_op(t, '.') && ident_ok(peek(p, 1)) && (e->kind != TN_SQL_COLUMN || is_op(p->prev, ')'))) {
            next(p);
            tn_sql_expr *f = new_expr(p, TN_SQL_FIELD, t.off);
            f->left = e;
            f->field = parse_ident(p, "a field name");
            e = f;
        } else {
            return e;
        }
        /* A postfix chain is as deep as it is long. */
        enter(p);
    }
}

static tn_sql_expr *parse_prefix(parser *p)
{
    tn_tok t = peek(p, 0);
    tn_sql_op op = TN_SQL_OP_NONE;
    int prec = 0;
    if (is_kw(t, KW_NOT))
        op = TN_SQL_OP_NOT, prec = 3;
    else if (is_op(t, '-'))
        op = TN_SQL_OP_NEG, prec = 11;
    else if (is_op(t, '+'))
        op = TN_SQL_OP_PLUS, prec = 11;
    else if (is_op(t, '~'))
        op = TN_SQL_OP_BITNOT, prec = 11;
    if (op) {
        next(p);
        tn_sql_expr *e = new_expr(p, TN_SQL_UNARY, t.off);
        e->op = op;
        e->left = parse_binary(p, prec);
        return e;
    }
    int depth = p->depth;
    tn_sql_expr *e = parse_postfix(p, parse_primary(p));
    p->depth = depth;
    return e;
}

typedef struct binop {
    int prec;
    tn_sql_op op;
} binop;

static binop infix(parser *p)
{
    tn_tok t = peek(p, 0);
    if (t.kind == TK_WORD) {
        switch (t.kw) {
        case KW_OR: return (binop){1, TN_SQL_OP_OR};
        case KW_AND: return (binop){2, TN_SQL_OP_AND};
        case KW_IS:
        case KW_ISNULL:
        case KW_NOTNULL: return (binop){4, TN_SQL_OP_NONE};
        case KW_BETWEEN:
        case KW_IN:
        case KW_LIKE:
        case KW_ILIKE:
        case KW_SIMILAR: return (binop){6, TN_SQL_OP_NONE};
        case KW_NOT: {
            tn_tok t1 = peek(p, 1);
            if (is_kw(t1, KW_BETWEEN) || is_kw(t1, KW_IN) || is_kw(t1, KW_LIKE) || is_kw(t1, KW_ILIKE) ||
                is_kw(t1, KW_SIMILAR))
                return (binop){6, TN_SQL_OP_NONE};
            return (binop){0, 0};
        }
        default: return (binop){0, 0};
        }
    }
    if (t.kind != TK_OP)
        return (binop){0, 0};
    switch (t.op) {
    case '=': case TN_OP2('=', '='): return (binop){5, TN_SQL_OP_EQ};
    case TN_OP2('<', '>'): case TN_OP2('!', '='): return (binop){5, TN_SQL_OP_NE};
    case '<': return (binop){5, TN_SQL_OP_LT};
    case TN_OP2('<', '='): return (binop){5, TN_SQL_OP_LE};
    case '>': return (binop){5, TN_SQL_OP_GT};
    case TN_OP2('>', '='): return (binop){5, TN_SQL_OP_GE};
    case TN_OP2('|', '|'): return (binop){7, TN_SQL_OP_CONCAT};
    case '&': return (binop){7, TN_SQL_OP_BITAND};
    case '|': return (binop){7, TN_SQL_OP_BITOR};
    case '#': return (binop){7, TN_SQL_OP_BITXOR};
    case TN_OP2('<', '<'): return (binop){7, TN_SQL_OP_SHL};
    case TN_OP2('>', '>'): return (binop){7, TN_SQL_OP_SHR};
    case '+': return (binop){8, TN_SQL_OP_ADD};
    case '-': return (binop){8, TN_SQL_OP_SUB};
    case '*': return (binop){9, TN_SQL_OP_MUL};
    case '/': return (binop){9, TN_SQL_OP_DIV};
    case TN_OP2('/', '/'): return (binop){9, TN_SQL_OP_INTDIV};
    case '%': return (binop){9, TN_SQL_OP_MOD};
    case '^': return (binop){10, TN_SQL_OP_POW};
    default: return (binop){0, 0};
    }
}

/* IS ..., BETWEEN, IN, LIKE: the special forms at levels 4 and 6. */
static tn_sql_expr *parse_special(parser *p, tn_sql_expr *left)
{
    tn_tok t = next(p);
    tn_sql_expr *e;
    if (t.kw == KW_ISNULL || t.kw == KW_NOTNULL) {
        e = new_expr(p, TN_SQL_IS, t.off);
        e->left = left;
        e->is = TN_SQL_IS_NULL;
        e->negated = t.kw == KW_NOTNULL;
        return e;
    }
    if (t.kw == KW_IS) {
        e = new_expr(p, TN_SQL_IS, t.off);
        e->left = left;
        e->negated = accept_kw(p, KW_NOT);
        if (accept_kw(p, KW_NULL))
            e->is = TN_SQL_IS_NULL;
        else if (accept_kw(p, KW_TRUE))
            e->is = TN_SQL_IS_TRUE;
        else if (accept_kw(p, KW_FALSE))
            e->is = TN_SQL_IS_FALSE;
        else if (word_is(p, peek(p, 0), "UNKNOWN"))
            next(p), e->is = TN_SQL_IS_UNKNOWN;
        else if (accept_kw(p, KW_DISTINCT)) {
            expect_kw(p, KW_FROM);
            e->is = TN_SQL_IS_DISTINCT;
            e->right = parse_binary(p, 5);
        } else {
            expected(p, "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
        }
        return e;
    }
    int negated = 0;
    if (t.kw == KW_NOT) {
        negated = 1;
        t = next(p);
    }
    if (t.kw == KW_BETWEEN) {
        e = new_expr(p, TN_SQL_BETWEEN, t.off);
        e->left = left;
        e->negated = negated;
        e->right = parse_binary(p, 7);
        expect_kw(p, KW_AND);
        e->third = parse_binary(p, 7);
        return e;
    }
    if (t.kw == KW_IN) {
        uint32_t open = peek(p, 0).off;
        if (!peek_op(p, 0, '('))
            expected(p, "'(' after IN");
        next(p);
        if (query_start(p, 0)) {
            e = new_expr(p, TN_SQL_IN_QUERY, t.off);
            e->query = parse_query(p);
        } else {
            e = new_expr(p, TN_SQL_IN_LIST, t.off);
            e->list = parse_expr_list(p);
            tn_sql_expr *only = e->list.n == 1 ? e->list.items[0] : NULL;
            if (only && only->kind == TN_SQL_SUBQUERY && query_continues(p)) {
                e->kind = TN_SQL_IN_QUERY;
                e->query = continue_query(p, only->query, only->loc);
                e->list = (tn_sql_exprs){0};
            }
        }
        close_paren(p, open);
        e->left = left;
        e->negated = negated;
        return e;
    }
    e = new_expr(p, TN_SQL_LIKE, t.off);
    e->left = left;
    e->negated = negated;
    if (t.kw == KW_SIMILAR) {
        expect_kw(p, KW_TO);
        e->like = TN_SQL_LIKE_SIMILAR;
    } else {
        e->like = t.kw == KW_ILIKE ? TN_SQL_LIKE_ILIKE : TN_SQL_LIKE_LIKE;
    }
    e->right = parse_binary(p, 7);
    if (accept_kw(p, KW_ESCAPE))
        e->third = parse_binary(p, 7);
    return e;
}

static tn_sql_expr *parse_binary(parser *p, int minprec)
{
    int depth = p->depth;
    enter(p);
    tn_sql_expr *left = parse_prefix(p);
    for (;;) {
        binop b = infix(p);
        if (!b.prec || b.prec < minprec)
            break;
        enter(p);
        if (b.op == TN_SQL_OP_NONE) {
            left = parse_special(p, left);
            continue;
        }
        tn_tok t = next(p);
        if (b.prec == 5 && (peek_kw(p, 0, KW_ANY) || peek_kw(p, 0, KW_SOME) || peek_kw(p, 0, KW_ALL)) &&
            peek_op(p, 1, '(')) {
            tn_sql_expr *q = new_expr(p, TN_SQL_QUANTIFIED, t.off);
            q->all = next(p).kw == KW_ALL;
            uint32_t open = next(p).off;
            if (query_start(p, 0))
                q->query = parse_query(p);
            else
                q->right = parse_expr(p);
            close_paren(p, open);
            q->op = b.op;
            q->left = left;
            left = q;
            continue;
        }
        tn_sql_expr *e = new_expr(p, TN_SQL_BINARY, t.off);
        e->op = b.op;
        e->left = left;
        e->right = parse_binary(p, b.prec + 1);
        left = e;
    }
    p->depth = depth;
    return left;
}

static tn_sql_expr *parse_expr(parser *p)
{
    return parse_binary(p, 1);
}

/* ---- types ---------------------------------------------------------------- */

static char *upper_word(parser *p, tn_tok t)
{
    char *s = copy(p, p->text + t.off, t.len);
    for (char *c = s; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 32);
    return s;
}

static int64_t type_param(parser *p)
{
    tn_tok t = peek(p, 0);
    if (t.kind != TK_INT)
        expected(p, "an integer type parameter");
    next(p);
    if (t.len > 9)
        fail_at(p, t.off, "type parameter too large");
    int64_t v = 0;
    for (uint32_t i = 0; i < t.len; i++)
        v = v * 10 + (p->text[t.off + i] - '0');
    return v;
}

static void type_params(parser *p, tn_sql_type *ty)
{
    if (!peek_op(p, 0, '('))
        return;
    uint32_t open = next(p).off;
    ty->params[ty->nparams++] = type_param(p);
    if (accept_op(p, ','))
        ty->params[ty->nparams++] = type_param(p);
    close_paren(p, open);
}

static tn_sql_type *parse_type(parser *p)
{
    int depth = p->depth;
    enter(p);
    tn_tok t = peek(p, 0);
    if (t.kind != TK_WORD || tn_sql_keyword_reserved(t.kw))
        expected(p, "a type name");
    next(p);
    tn_sql_type *ty = alloc(p, sizeof *ty);
    ty->loc = t.off;
    ty->kind = TN_SQL_TYPE_NAMED;
    if ((word_is(p, t, "STRUCT") || word_is(p, t, "ROW")) && peek_op(p, 0, '(')) {
        ty->kind = TN_SQL_TYPE_STRUCT;
        uint32_t open = next(p).off;
        int c1 = 0, c2 = 0;
        do {
            tn_sql_ident f = parse_ident(p, "a field name");
            PUSH(p, ty->fields, ty->nfields, c1, f);
            ty->nfields--;
            PUSH(p, ty->ftypes, ty->nfields, c2, parse_type(p));
        } while (accept_op(p, ','));
        close_paren(p, open);
    } else if (word_is(p, t, "MAP") && peek_op(p, 0, '(')) {
        ty->kind = TN_SQL_TYPE_MAP;
        uint32_t open = next(p).off;
        ty->elem = parse_type(p);
        expect_op(p, ',');
        ty->value = parse_type(p);
        close_paren(p, open);
    } else if (word_is(p, t, "LIST") && peek_op(p, 0, '(')) {
        ty->kind = TN_SQL_TYPE_LIST;
        uint32_t open = next(p).off;
        ty->elem = parse_type(p);
        close_paren(p, open);
    } else if (word_is(p, t, "DOUBLE") && word_is(p, peek(p, 0), "PRECISION")) {
        next(p);
        ty->name = "DOUBLE";
    } else if ((word_is(p, t, "CHARACTER") || word_is(p, t, "CHAR")) && word_is(p, peek(p, 0), "VARYING")) {
        next(p);
        ty->name = "VARCHAR";
        type_params(p, ty);
    } else if (word_is(p, t, "TIMESTAMP") || word_is(p, t, "TIME")) {
        int ts = word_is(p, t, "TIMESTAMP");
        type_params(p, ty);
        ty->name = ts ? "TIMESTAMP" : "TIME";
        tn_tok w = peek(p, 0);
        if ((is_kw(w, KW_WITH) || word_is(p, w, "WITHOUT")) && word_is(p, peek(p, 1), "TIME") &&
            word_is(p, peek(p, 2), "ZONE")) {
            next(p), next(p), next(p);
            if (is_kw(w, KW_WITH))
                ty->name = ts ? "TIMESTAMP WITH TIME ZONE" : "TIME WITH TIME ZONE";
        }
    } else {
        ty->name = upper_word(p, t);
        type_params(p, ty);
    }
    while (peek_op(p, 0, '[')) {
        uint32_t open = next(p).off;
        tn_sql_type *l = alloc(p, sizeof *l);
        l->loc = open;
        l->elem = ty;
        l->kind = TN_SQL_TYPE_LIST;
        if (peek(p, 0).kind == TK_INT) {
            l->kind = TN_SQL_TYPE_ARRAY;
            l->size = type_param(p);
        }
        if (!accept_op(p, ']'))
            expected(p, "']' after '[' in a list type");
        ty = l;
        enter(p);
    }
    p->depth = depth;
    return ty;
}

/* ---- FROM ----------------------------------------------------------------- */

static tn_sql_alias *parse_alias(parser *p, int allow_columns)
{
    int as = accept_kw(p, KW_AS);
    if (!as && !ident_ok(peek(p, 0)))
        return NULL;
    tn_sql_alias *a = alloc(p, sizeof *a);
    a->name = parse_ident(p, "an alias after AS");
    if (allow_columns && peek_op(p, 0, '('))
        a->columns = parse_ident_list(p, "a column alias");
    return a;
}

static tn_sql_tableref *new_ref(parser *p, tn_sql_tableref_kind kind, uint32_t loc)
{
    tn_sql_tableref *r = alloc(p, sizeof *r);
    r->kind = kind;
    r->loc = loc;
    return r;
}

static tn_sql_tableref *parse_table_primary(parser *p)
{
    enter(p);
    tn_tok t = peek(p, 0);
    tn_sql_tableref *r;
    int lateral = accept_kw(p, KW_LATERAL);
    if (lateral) {
        if (!peek_op(p, 0, '('))
            expected(p, "'(' and a subquery after LATERAL");
        t = peek(p, 0);
    }
    if (peek_op(p, 0, '(')) {
        uint32_t open = next(p).off;
        if (query_start(p, 0) || lateral) {
            r = new_ref(p, TN_SQL_REF_SUBQUERY, t.off);
            r->lateral = lateral;
            r->query = parse_query(p);
            close_paren(p, open);
            r->alias = parse_alias(p, 1);
        } else {
            r = parse_tableref(p);
            if (r->kind == TN_SQL_REF_SUBQUERY && !r->alias && !r->lateral && query_continues(p)) {
                r->query = continue_query(p, r->query, r->loc);
                close_paren(p, open);
                r->alias = parse_alias(p, 1);
            } else {
                close_paren(p, open);
            }
        }
    } else if (t.kind == TK_STRING || t.kind == TK_ESTRING) {
        r = new_ref(p, TN_SQL_REF_FILE, t.off);
        tn_sql_expr *s = string_lit(p, next(p));
        if (strlen(s->text) != s->len || !s->len)
            fail_at(p, t.off, "a file path cannot be empty or hold a NUL byte");
        r->path = s->text;
        r->alias = parse_alias(p, 1);
    } else if (ident_ok(t)) {
        tn_sql_name nm = parse_name(p, "a table name");
        if (peek_op(p, 0, '(')) {
            r = new_ref(p, TN_SQL_REF_FUNCTION, t.off);
            r->func = parse_call(p, nm, t.off, 1);
        } else {
            r = new_ref(p, TN_SQL_REF_TABLE, t.off);
            r->name = nm;
        }
        r->alias = parse_alias(p, 1);
    } else {
        parse_ident(p, "a table name, a subquery or a file path");
        r = NULL; /* not reached */
    }
    leave(p);
    return r;
}

static int join_kind(parser *p, tn_sql_join_kind *kind, int *natural)
{
    int k = 0;
    *natural = 0;
    if (peek_kw(p, k, KW_NATURAL))
        *natural = 1, k++;
    tn_tok t = peek(p, k);
    int outer = 0;
    if (is_kw(t, KW_JOIN))
        *kind = TN_SQL_JOIN_INNER;
    else if (is_kw(t, KW_INNER))
        *kind = TN_SQL_JOIN_INNER, k++;
    else if (is_kw(t, KW_LEFT))
        *kind = TN_SQL_JOIN_LEFT, k++, outer = 1;
    else if (is_kw(t, KW_RIGHT))
        *kind = TN_SQL_JOIN_RIGHT, k++, outer = 1;
    else if (is_kw(t, KW_FULL))
        *kind = TN_SQL_JOIN_FULL, k++, outer = 1;
    else if (is_kw(t, KW_CROSS))
        *kind = TN_SQL_JOIN_CROSS, k++;
    else if (is_kw(t, KW_SEMI))
        *kind = TN_SQL_JOIN_SEMI, k++;
    else if (is_kw(t, KW_ANTI))
        *kind = TN_SQL_JOIN_ANTI, k++;
    else if (*natural)
        expected(p, "JOIN after NATURAL");
    else
        return 0;
    for (int i = 0; i < k; i++)
        next(p);
    if (outer)
        accept_kw(p, KW_OUTER);
    expect_kw(p, KW_JOIN);
    return 1;
}

static tn_sql_tableref *parse_tableref(parser *p)
{
    int depth = p->depth;
    tn_sql_tableref *left = parse_table_primary(p);
    tn_sql_join_kind kind;
    int natural;
    for (;;) {
        uint32_t loc = peek(p, 0).off;
        if (!join_kind(p, &kind, &natural))
            break;
        enter(p);
        tn_sql_tableref *j = new_ref(p, TN_SQL_REF_JOIN, loc);
        j->join = kind;
        j->natural = natural;
        j->left = left;
        j->right = parse_table_primary(p);
        if (kind != TN_SQL_JOIN_CROSS && !natural) {
            if (accept_kw(p, KW_ON))
                j->on = parse_expr(p);
            else if (accept_kw(p, KW_USING))
                j->using_cols = parse_ident_list(p, "a column name");
            else
                expected(p, "ON or USING after the joined table");
        }
        left = j;
    }
    p->depth = depth;
    return left;
}

static void parse_from_list(parser *p, tn_sql_tableref ***items, int *n)
{
    int cap = 0;
    do {
        PUSH(p, *items, *n, cap, parse_tableref(p));
    } while (accept_op(p, ','));
}

/* ---- SELECT --------------------------------------------------------------- */

static tn_sql_group *parse_group_item(parser *p, int in_sets);

static tn_sql_group *group_list(parser *p, tn_sql_group_kind kind)
{
    tn_sql_group *g = alloc(p, sizeof *g);
    g->kind = kind;
    uint32_t open = peek(p, 0).off;
    expect_op(p, '(');
    int cap = 0;
    if (!(kind == TN_SQL_GROUP_SET && peek_op(p, 0, ')'))) {
        do {
            PUSH(p, g->items, g->n, cap, parse_group_item(p, kind != TN_SQL_GROUP_SET));
        } while (accept_op(p, ','));
    }
    close_paren(p, open);
    return g;
}

/* in_sets: inside GROUPING SETS / ROLLUP / CUBE, where (a, b) is a set and
 * (a) the same as a. */
static tn_sql_group *parse_group_item(parser *p, int in_sets)
{
    enter(p);
    tn_sql_group *g;
    if (peek_kw(p, 0, KW_ROLLUP) && peek_op(p, 1, '(')) {
        next(p);
        g = group_list(p, TN_SQL_GROUP_ROLLUP);
    } else if (peek_kw(p, 0, KW_CUBE) && peek_op(p, 1, '(')) {
        next(p);
        g = group_list(p, TN_SQL_GROUP_CUBE);
    } else if (peek_kw(p, 0, KW_GROUPING) && peek_kw(p, 1, KW_SETS)) {
        next(p), next(p);
        g = group_list(p, TN_SQL_GROUP_SETS);
    } else if (peek_op(p, 0, '(') && (peek_op(p, 1, ')') || in_sets)) {
        g = group_list(p, TN_SQL_GROUP_SET);
        if (g->n == 1 && g->items[0]->kind == TN_SQL_GROUP_EXPR)
            g = g->items[0];
    } else {
        g = alloc(p, sizeof *g);
        g->kind = TN_SQL_GROUP_EXPR;
        g->expr = parse_expr(p);
    }
    leave(p);
    return g;
}

static tn_sql_select *parse_select(parser *p)
{
    tn_sql_select *s = alloc(p, sizeof *s);
    s->loc = expect_kw(p, KW_SELECT).off;
    if (accept_kw(p, KW_DISTINCT)) {
        s->distinct = TN_SQL_DISTINCT_ALL;
        if (accept_kw(p, KW_ON)) {
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            s->distinct = TN_SQL_DISTINCT_ON;
            s->distinct_on = parse_expr_list(p);
            close_paren(p, open);
        }
    } else {
        accept_kw(p, KW_ALL);
    }
    int cap = 0;
    do {
        tn_sql_select_item it = {0};
        tn_tok t = peek(p, 0);
        if (is_op(t, '*')) {
            next(p);
            it.expr = parse_star(p, (tn_sql_name){0}, t.off);
        } else {
            it.expr = parse_expr(p);
            if (it.expr->kind != TN_SQL_STAR) {
                int as = accept_kw(p, KW_AS);
                if (as || ident_ok(peek(p, 0))) {
                    it.alias = alloc(p, sizeof *it.alias);
                    *it.alias = parse_ident(p, "an alias after AS");
                }
            }
        }
        PUSH(p, s->items, s->nitems, cap, it);
    } while (accept_op(p, ','));
    if (accept_kw(p, KW_FROM))
        parse_from_list(p, &s->from, &s->nfrom);
    if (accept_kw(p, KW_WHERE))
        s->where = parse_expr(p);
    if (accept_kw(p, KW_GROUP)) {
        expect_kw(p, KW_BY);
        if (accept_kw(p, KW_ALL)) {
            s->group_all = 1;
        } else {
            int gc = 0;
            do {
                PUSH(p, s->group, s->ngroup, gc, parse_group_item(p, 0));
            } while (accept_op(p, ','));
        }
    }
    if (accept_kw(p, KW_HAVING))
        s->having = parse_expr(p);
    if (accept_kw(p, KW_QUALIFY))
        s->qualify = parse_expr(p);
    if (accept_kw(p, KW_WINDOW)) {
        int wc = 0;
        do {
            tn_sql_named_window w;
            w.name = parse_ident(p, "a window name");
            expect_kw(p, KW_AS);
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            w.spec = parse_window_body(p, open);
            PUSH(p, s->windows, s->nwindows, wc, w);
        } while (accept_op(p, ','));
    }
    if (!s->qualify && accept_kw(p, KW_QUALIFY))
        s->qualify = parse_expr(p);
    return s;
}

/* ---- queries -------------------------------------------------------------- */

static tn_sql_qnode *parse_set_primary(parser *p)
{
    tn_tok t = peek(p, 0);
    tn_sql_qnode *q = alloc(p, sizeof *q);
    q->loc = t.off;
    if (is_kw(t, KW_SELECT)) {
        q->kind = TN_SQL_Q_SELECT;
        q->select = parse_select(p);
    } else if (is_kw(t, KW_VALUES)) {
        next(p);
        q->kind = TN_SQL_Q_VALUES;
        int cap = 0;
        do {
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            PUSH(p, q->rows, q->nrows, cap, parse_expr_list(p));
            close_paren(p, open);
        } while (accept_op(p, ','));
    } else if (is_op(t, '(')) {
        next(p);
        q->kind = TN_SQL_Q_PAREN;
        q->paren = parse_query(p);
        close_paren(p, t.off);
    } else {
        expected(p, "SELECT, VALUES or '('");
    }
    return q;
}

static tn_sql_qnode *setop(parser *p, tn_sql_setop op, tn_sql_qnode *left, tn_sql_qnode *(*sub)(parser *))
{
    tn_sql_qnode *q = alloc(p, sizeof *q);
    q->loc = p->prev.off;
    q->kind = TN_SQL_Q_SETOP;
    q->op = op;
    if (accept_kw(p, KW_ALL))
        q->all = 1;
    else
        accept_kw(p, KW_DISTINCT);
    q->left = left;
    q->right = sub(p);
    return q;
}

static tn_sql_qnode *set_term_from(parser *p, tn_sql_qnode *left)
{
    int depth = p->depth;
    while (accept_kw(p, KW_INTERSECT)) {
        enter(p);
        left = setop(p, TN_SQL_INTERSECT, left, parse_set_primary);
    }
    p->depth = depth;
    return left;
}

static tn_sql_qnode *parse_set_term(parser *p)
{
    return set_term_from(p, parse_set_primary(p));
}

static tn_sql_qnode *set_expr_from(parser *p, tn_sql_qnode *left)
{
    int depth = p->depth;
    for (;;) {
        tn_sql_setop op;
        if (accept_kw(p, KW_UNION))
            op = TN_SQL_UNION;
        else if (accept_kw(p, KW_EXCEPT))
            op = TN_SQL_EXCEPT;
        else
            break;
        enter(p);
        left = setop(p, op, left, parse_set_term);
    }
    p->depth = depth;
    return left;
}

static tn_sql_qnode *parse_set_expr(parser *p)
{
    return set_expr_from(p, parse_set_term(p));
}

static void parse_limit(parser *p, tn_sql_query *q)
{
    for (;;) {
        if (!q->limit && accept_kw(p, KW_LIMIT)) {
            q->limit = parse_expr(p);
        } else if (!q->offset && accept_kw(p, KW_OFFSET)) {
            q->offset = parse_expr(p);
            if (!accept_kw(p, KW_ROWS))
                accept_kw(p, KW_ROW);
        } else if (!q->limit && accept_kw(p, KW_FETCH)) {
            if (!accept_kw(p, KW_FIRST) && !accept_kw(p, KW_NEXT))
                expected(p, "FIRST or NEXT after FETCH");
            if (peek_kw(p, 0, KW_ROW) || peek_kw(p, 0, KW_ROWS)) {
                q->limit = new_expr(p, TN_SQL_LIT_INT, peek(p, 0).off);
                q->limit->text = "1";
            } else {
                q->limit = parse_binary(p, 3);
            }
            if (!accept_kw(p, KW_ROWS) && !accept_kw(p, KW_ROW))
                expected(p, "ROWS after FETCH FIRST n");
            expect_kw(p, KW_ONLY);
        } else {
            return;
        }
    }
}

static tn_sql_query *parse_query(parser *p)
{
    enter(p);
    tn_sql_query *q = alloc(p, sizeof *q);
    q->loc = peek(p, 0).off;
    if (accept_kw(p, KW_WITH)) {
        q->recursive = accept_kw(p, KW_RECURSIVE);
        int cap = 0;
        do {
            tn_sql_cte c = {0};
            c.name = parse_ident(p, "a name for the WITH query");
            if (peek_op(p, 0, '('))
                c.columns = parse_ident_list(p, "a column name");
            expect_kw(p, KW_AS);
            if (peek_kw(p, 0, KW_NOT) && peek_kw(p, 1, KW_MATERIALIZED))
                next(p), next(p), c.materialized = -1;
            else if (accept_kw(p, KW_MATERIALIZED))
                c.materialized = 1;
            uint32_t open = peek(p, 0).off;
            expect_op(p, '(');
            c.query = parse_query(p);
            close_paren(p, open);
            PUSH(p, q->ctes, q->nctes, cap, c);
        } while (accept_op(p, ','));
    }
    q->body = parse_set_expr(p);
    parse_query_tail(p, q);
    leave(p);
    return q;
}

/* ORDER BY, LIMIT, OFFSET, FETCH after a query body. */
static void parse_query_tail(parser *p, tn_sql_query *q)
{
    if (accept_kw(p, KW_ORDER)) {
        expect_kw(p, KW_BY);
        if (accept_kw(p, KW_ALL)) {
            q->order_all = 1;
            q->order.items = alloc(p, sizeof *q->order.items);
            q->order.n = 1;
            if (accept_kw(p, KW_ASC))
                q->order.items[0].dir = TN_SQL_ORDER_ASC;
            else if (accept_kw(p, KW_DESC))
                q->order.items[0].dir = TN_SQL_ORDER_DESC;
            if (accept_kw(p, KW_NULLS)) {
                if (accept_kw(p, KW_FIRST))
                    q->order.items[0].nulls = TN_SQL_NULLS_FIRST;
                else if (accept_kw(p, KW_LAST))
                    q->order.items[0].nulls = TN_SQL_NULLS_LAST;
                else
                    expected(p, "FIRST or LAST after NULLS");
            }
        } else {
            q->order = parse_order_list(p);
        }
    }
    parse_limit(p, q);
}

/* After '(' (query) when a set operator, ORDER BY or LIMIT follows: the
 * parenthesized query was the first operand of a longer query, as in
 * ((SELECT 1) UNION (SELECT 2)). Returns that query. */
static int query_continues(parser *p)
{
    tn_tok t = peek(p, 0);
    return is_kw(t, KW_UNION) || is_kw(t, KW_INTERSECT) || is_kw(t, KW_EXCEPT) || is_kw(t, KW_ORDER) ||
           is_kw(t, KW_LIMIT) || is_kw(t, KW_OFFSET) || is_kw(t, KW_FETCH);
}

static tn_sql_query *continue_query(parser *p, tn_sql_query *first, uint32_t loc)
{
    enter(p);
    tn_sql_qnode *n = alloc(p, sizeof *n);
    n->kind = TN_SQL_Q_PAREN;
    n->loc = loc;
    n->paren = first;
    tn_sql_query *q = alloc(p, sizeof *q);
    q->loc = loc;
    q->body = set_expr_from(p, set_term_from(p, n));
    parse_query_tail(p, q);
    leave(p);
    return q;
}

/* ---- statements ----------------------------------------------------------- */

static tn_sql_stmt *new_stmt(parser *p, tn_sql_stmt_kind kind, uint32_t loc)
{
    tn_sql_stmt *s = alloc(p, sizeof *s);
    s->kind = kind;
    s->loc = loc;
    return s;
}

static int accept_if_not_exists(parser *p)
{
    if (!peek_kw(p, 0, KW_IF))
        return 0;
    next(p);
    expect_kw(p, KW_NOT);
    expect_kw(p, KW_EXISTS);
    return 1;
}

static void parse_column_def(parser *p, tn_sql_stmt *s, int *cap)
{
    if (accept_kw(p, KW_PRIMARY)) {
        expect_kw(p, KW_KEY);
        if (s->pkey.n)
            fail_at(p, p->prev.off, "more than one PRIMARY KEY");
        s->pkey = parse_ident_list(p, "a column name");
        return;
    }
    tn_sql_column_def c = {0};
    c.name = parse_ident(p, "a column name");
    c.type = parse_type(p);
    for (;;) {
        if (peek_kw(p, 0, KW_NOT) && peek_kw(p, 1, KW_NULL))
            next(p), next(p), c.not_null = 1;
        else if (accept_kw(p, KW_NULL))
            c.not_null = 0;
        else if (accept_kw(p, KW_DEFAULT))
            c.default_value = parse_expr(p);
        else if (accept_kw(p, KW_PRIMARY))
            expect_kw(p, KW_KEY), c.primary_key = 1;
        else if (accept_kw(p, KW_UNIQUE))
            c.unique = 1;
        else
            break;
    }
    PUSH(p, s->columns, s->ncolumns, *cap, c);
}

static tn_sql_stmt *parse_create(parser *p, uint32_t loc)
{
    int or_replace = 0, temp = 0;
    if (accept_kw(p, KW_OR)) {
        expect_kw(p, KW_REPLACE);
        or_replace = 1;
    }
    if (accept_kw(p, KW_TEMP) || accept_kw(p, KW_TEMPORARY))
        temp = 1;
    tn_sql_stmt *s;
    if (accept_kw(p, KW_TABLE)) {
        s = new_stmt(p, TN_SQL_STMT_CREATE_TABLE, loc);
        s->if_not_exists = accept_if_not_exists(p);
        s->name = parse_name(p, "a table name");
        if (accept_kw(p, KW_AS)) {
            s->query = parse_query(p);
        } else {
            uint32_t open = peek(p, 0).off;
            if (!peek_op(p, 0, '('))
                expected(p, "'(' with the column definitions or AS after the table name");
            next(p);
            int cap = 0;
            do {
                parse_column_def(p, s, &cap);
            } while (accept_op(p, ','));
            close_paren(p, open);
            if (!s->ncolumns)
                fail_at(p, open, "a table needs at least one column");
        }
    } else if (accept_kw(p, KW_VIEW)) {
        s = new_stmt(p, TN_SQL_STMT_CREATE_VIEW, loc);
        s->if_not_exists = accept_if_not_exists(p);
        s->name = parse_name(p, "a view name");
        if (peek_op(p, 0, '('))
            s->column_names = parse_ident_list(p, "a column name");
        expect_kw(p, KW_AS);
        s->query = parse_query(p);
    } else {
        expected(p, "TABLE or VIEW after CREATE");
    }
    s->or_replace = or_replace;
    s->temp = temp;
    return s;
}

static tn_sql_ident *target_alias(parser *p, int stop_kw)
{
    int as = accept_kw(p, KW_AS);
    tn_tok t = peek(p, 0);
    if (!as && (!ident_ok(t) || is_kw(t, stop_kw)))
        return NULL;
    tn_sql_ident *a = alloc(p, sizeof *a);
    *a = parse_ident(p, "an alias after AS");
    return a;
}

static const char *parse_path(parser *p)
{
    tn_tok t = peek(p, 0);
    if (t.kind != TK_STRING && t.kind != TK_ESTRING)
        expected(p, "a file path in quotes");
    tn_sql_expr *s = string_lit(p, next(p));
    if (!s->len || strlen(s->text) != s->len)
        fail_at(p, t.off, "a file path cannot be empty or hold a NUL byte");
    return s->text;
}

static tn_sql_stmt *parse_copy(parser *p, uint32_t loc)
{
    tn_sql_stmt *s = new_stmt(p, TN_SQL_STMT_COPY, loc);
    if (peek_op(p, 0, '(')) {
        uint32_t open = next(p).off;
        s->query = parse_query(p);
        close_paren(p, open);
        expect_kw(p, KW_TO);
    } else {
        s->name = parse_name(p, "a table name or '(' with a query");
        if (peek_op(p, 0, '('))
            s->column_names = parse_ident_list(p, "a column name");
        if (accept_kw(p, KW_FROM))
            s->copy_from = 1;
        else if (!accept_kw(p, KW_TO))
            expected(p, "FROM or TO");
    }
    s->path = parse_path(p);
    accept_kw(p, KW_WITH);
    if (peek_op(p, 0, '(')) {
        uint32_t open = next(p).off;
        int cap = 0;
        do {
            tn_tok t = peek(p, 0);
            if (t.kind != TK_WORD && t.kind != TK_QIDENT)
                expected(p, "an option name");
            tn_sql_option o = {0};
            o.name = make_ident(p, next(p));
            if (!peek_op(p, 0, ',') && !peek_op(p, 0, ')'))
                o.value = parse_expr(p);
            PUSH(p, s->options, s->noptions, cap, o);
        } while (accept_op(p, ','));
        close_paren(p, open);
    }
    return s;
}

static const char *const statement_words[] = {
    "SELECT", "WITH", "VALUES", "CREATE", "INSERT", "DELETE", "UPDATE", "DROP", "COPY", "PREPARE",
    "EXECUTE", "DEALLOCATE", "SET", "RESET", "DESCRIBE", "SHOW", "EXPLAIN", "BEGIN", "START", "COMMIT",
    "ROLLBACK", "END"};

static void __attribute__((noreturn)) not_a_statement(parser *p, tn_tok t)
{
    char found[64];
    describe(p, t, found, sizeof found);
    if (t.kind == TK_WORD) {
        char w[40];
        snprintf(w, sizeof w, "%.*s", (int)(t.len > 32 ? 32 : t.len), p->text + t.off);
        const char *near = tn_closest(w, statement_words, sizeof statement_words / sizeof statement_words[0]);
        if (near)
            fail_at(p, t.off, "%s is not a statement (did you mean %s?)", found, near);
        fail_at(p, t.off, "%s is not a statement", found);
    }
    fail_at(p, t.off, "expected a statement, found %s", found);
}

static tn_sql_stmt *parse_stmt_body(parser *p)
{
    tn_tok t = peek(p, 0);
    tn_sql_stmt *s;
    if (query_start(p, 0) || is_op(t, '(')) {
        s = new_stmt(p, TN_SQL_STMT_QUERY, t.off);
        s->query = parse_query(p);
        return s;
    }
    if (t.kind != TK_WORD)
        not_a_statement(p, t);
    switch (t.kw) {
    case KW_CREATE:
        next(p);
        return parse_create(p, t.off);
    case KW_INSERT: {
        next(p);
        expect_kw(p, KW_INTO);
        s = new_stmt(p, TN_SQL_STMT_INSERT, t.off);
        s->name = parse_name(p, "a table name");
        if (peek_op(p, 0, '(') && !query_start(p, 1) && !peek_op(p, 1, '('))
            s->column_names = parse_ident_list(p, "a column name");
        s->query = parse_query(p);
        return s;
    }
    case KW_DELETE:
        next(p);
        expect_kw(p, KW_FROM);
        s = new_stmt(p, TN_SQL_STMT_DELETE, t.off);
        s->name = parse_name(p, "a table name");
        s->alias = target_alias(p, KW_USING);
        if (accept_kw(p, KW_USING))
            parse_from_list(p, &s->from, &s->nfrom);
        if (accept_kw(p, KW_WHERE))
            s->where = parse_expr(p);
        return s;
    case KW_UPDATE: {
        next(p);
        s = new_stmt(p, TN_SQL_STMT_UPDATE, t.off);
        s->name = parse_name(p, "a table name");
        s->alias = target_alias(p, KW_SET);
        expect_kw(p, KW_SET);
        int cap = 0;
        do {
            tn_sql_assign a;
            a.column = parse_ident(p, "a column name");
            expect_op(p, '=');
            a.value = parse_expr(p);
            PUSH(p, s->sets, s->nsets, cap, a);
        } while (accept_op(p, ','));
        if (accept_kw(p, KW_FROM))
            parse_from_list(p, &s->from, &s->nfrom);
        if (accept_kw(p, KW_WHERE))
            s->where = parse_expr(p);
        return s;
    }
    case KW_DROP: {
        next(p);
        s = new_stmt(p, TN_SQL_STMT_DROP, t.off);
        if (accept_kw(p, KW_VIEW))
            s->is_view = 1;
        else if (!accept_kw(p, KW_TABLE))
            expected(p, "TABLE or VIEW after DROP");
        if (accept_kw(p, KW_IF)) {
            expect_kw(p, KW_EXISTS);
            s->if_exists = 1;
        }
        int cap = 0;
        do {
            PUSH(p, s->names, s->nnames, cap, parse_name(p, s->is_view ? "a view name" : "a table name"));
        } while (accept_op(p, ','));
        if (accept_kw(p, KW_CASCADE))
            s->cascade = 1;
        else
            accept_kw(p, KW_RESTRICT);
        return s;
    }
    case KW_COPY:
        next(p);
        return parse_copy(p, t.off);
    case KW_PREPARE:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_PREPARE, t.off);
        s->name.parts = alloc(p, sizeof *s->name.parts);
        s->name.parts[0] = parse_ident(p, "a statement name");
        s->name.n = 1;
        expect_kw(p, KW_AS);
        s->inner = parse_stmt(p);
        return s;
    case KW_EXECUTE:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_EXECUTE, t.off);
        s->name.parts = alloc(p, sizeof *s->name.parts);
        s->name.parts[0] = parse_ident(p, "a statement name");
        s->name.n = 1;
        if (peek_op(p, 0, '(')) {
            uint32_t open = next(p).off;
            if (!peek_op(p, 0, ')'))
                s->args = parse_expr_list(p);
            close_paren(p, open);
        }
        return s;
    case KW_DEALLOCATE:
        next(p);
        accept_kw(p, KW_PREPARE);
        s = new_stmt(p, TN_SQL_STMT_DEALLOCATE, t.off);
        s->name.parts = alloc(p, sizeof *s->name.parts);
        s->name.parts[0] = parse_ident(p, "a statement name");
        s->name.n = 1;
        return s;
    case KW_SET:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_SET, t.off);
        s->name = parse_name(p, "a setting name");
        if (!accept_op(p, '=') && !accept_kw(p, KW_TO))
            expected(p, "'=' or TO after the setting name");
        s->value = parse_expr(p);
        return s;
    case KW_RESET:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_RESET, t.off);
        if (accept_kw(p, KW_ALL))
            s->all = 1;
        else
            s->name = parse_name(p, "a setting name or ALL");
        return s;
    case KW_DESCRIBE:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_DESCRIBE, t.off);
        if (query_start(p, 0) || peek_op(p, 0, '('))
            s->query = parse_query(p);
        else
            s->name = parse_name(p, "a table name or a query");
        return s;
    case KW_SHOW:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_SHOW, t.off);
        if (!accept_kw(p, KW_TABLES))
            s->name = parse_name(p, "TABLES or a setting name");
        return s;
    case KW_EXPLAIN:
        next(p);
        s = new_stmt(p, TN_SQL_STMT_EXPLAIN, t.off);
        s->analyze = accept_kw(p, KW_ANALYZE);
        s->inner = parse_stmt(p);
        return s;
    case KW_BEGIN:
    case KW_START:
        next(p);
        if (t.kw == KW_START)
            expect_kw(p, KW_TRANSACTION);
        else if (!accept_kw(p, KW_TRANSACTION))
            accept_kw(p, KW_WORK);
        return new_stmt(p, TN_SQL_STMT_BEGIN, t.off);
    case KW_COMMIT:
    case KW_END:
    case KW_ROLLBACK:
        next(p);
        if (!accept_kw(p, KW_TRANSACTION))
            accept_kw(p, KW_WORK);
        return new_stmt(p, t.kw == KW_ROLLBACK ? TN_SQL_STMT_ROLLBACK : TN_SQL_STMT_COMMIT, t.off);
    default:
        not_a_statement(p, t);
    }
}

static tn_sql_stmt *parse_stmt(parser *p)
{
    enter(p);
    tn_sql_stmt *s = parse_stmt_body(p);
    s->end = p->prev.off + p->prev.len;
    leave(p);
    return s;
}

static const char *const clause_words[] = {"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "WINDOW",
                                           "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "JOIN",
                                           "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "USING"};

static void end_of_statement(parser *p)
{
    tn_tok t = peek(p, 0);
    if (t.kind == TK_EOF || is_op(t, ';'))
        return;
    if (is_op(t, ')'))
        fail_at(p, t.off, "found ')' without a matching '('");
    char found[64];
    describe(p, t, found, sizeof found);
    /* A misspelt clause keyword is taken for an alias (FORM, WHER, ORDR):
     * the statement then ends one token later; say so. */
    tn_tok w = p->prev;
    if (w.kind == TK_WORD && !w.kw && w.len >= 3 && w.len < 32) {
        char word[32];
        snprintf(word, sizeof word, "%.*s", (int)w.len, p->text + w.off);
        const char *near = tn_closest(word, clause_words, sizeof clause_words / sizeof clause_words[0]);
        if (near)
            fail_at(p, t.off, "expected ';' or the end of the input after the statement, found %s (is '%s' a "
                    "misspelt %s?)", found, word, near);
    }
    fail_at(p, t.off, "expected ';' or the end of the input after the statement, found %s", found);
}

/* ---- entry points --------------------------------------------------------- */

static int begin(parser *p, const char *text, size_t len, tn_arena *arena, tarn_error *err)
{
    memset(p, 0, sizeof *p);
    if (len >= TN_SQL_MAX_TEXT)
        return tn_error_set(err, TARN_EINVAL, "SQL text of %zu bytes is too long", len);
    tarn_error_init(err);
    p->text = text;
    p->len = len;
    p->lx.text = text;
    p->lx.len = len;
    p->arena = arena;
    p->err = err;
    return 0;
}

static int run_script(parser *p, tn_sql_script **out)
{
    if (setjmp(p->jb))
        return p->err->code ? p->err->code : TARN_EINTERNAL;
    tn_sql_script *s = alloc(p, sizeof *s);
    int cap = 0;
    for (;;) {
        while (accept_op(p, ';'))
            ;
        if (peek(p, 0).kind == TK_EOF)
            break;
        tn_sql_stmt *st = parse_stmt(p);
        end_of_statement(p);
        PUSH(p, s->stmts, s->n, cap, st);
    }
    *out = s;
    return 0;
}

static int run_one(parser *p, tn_sql_stmt **out)
{
    if (setjmp(p->jb))
        return p->err->code ? p->err->code : TARN_EINTERNAL;
    if (peek(p, 0).kind == TK_EOF)
        expected(p, "a statement");
    tn_sql_stmt *st = parse_stmt(p);
    end_of_statement(p);
    while (accept_op(p, ';'))
        ;
    if (peek(p, 0).kind != TK_EOF)
        fail_at(p, peek(p, 0).off, "expected one statement, found a second");
    *out = st;
    return 0;
}

int tn_sql_parse(const char *text, size_t len, tn_arena *arena, tn_sql_script **out, tarn_error *err)
{
    tarn_error local;
    parser p;
    *out = NULL;
    TN_TRY(begin(&p, text, len, arena, err ? err : &local));
    return run_script(&p, out);
}

int tn_sql_parse_one(const char *text, size_t len, tn_arena *arena, tn_sql_stmt **out, tarn_error *err)
{
    tarn_error local;
    parser p;
    *out = NULL;
    TN_TRY(begin(&p, text, len, arena, err ? err : &local));
    return run_one(&p, out);
}

static int run_type(parser *p, tn_sql_type **out)
{
    if (setjmp(p->jb))
        return p->err->code ? p->err->code : TARN_EINTERNAL;
    tn_sql_type *t = parse_type(p);
    if (peek(p, 0).kind != TK_EOF)
        fail_at(p, peek(p, 0).off, "expected the end of the type name");
    *out = t;
    return 0;
}

int tn_sql_parse_type(const char *text, size_t len, tn_arena *arena, tn_sql_type **out, tarn_error *err)
{
    tarn_error local;
    parser p;
    *out = NULL;
    TN_TRY(begin(&p, text, len, arena, err ? err : &local));
    return run_type(&p, out);
}

void tn_sql_location(const char *text, size_t len, uint32_t offset, int *line, int *column)
{
    int l = 1;
    size_t start = 0;
    if (offset > len)
        offset = (uint32_t)len;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *column = (int)(offset - start) + 1;
}
