/*
 * lexer.c — turns SQL text into tokens on demand for the parser.
 *
 * Tokens are spans of the source, so lexing never allocates. Whitespace,
 * `-- line` and nested block comments are skipped. Words are folded to upper
 * case into a small stack buffer and looked up in a hash table of keywords
 * (a word longer than the longest keyword is never a keyword). Strings
 * ('it''s', E'\n', X'0a'), quoted identifiers ("a""b"), numbers (12, 1.5,
 * .5, 1e-3), parameters ($1, ?) and operators are recognized; an
 * unterminated string, identifier or comment is an error that names where
 * it started.
 */
#include "sql/parser/lexer.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sql/parser/parser.h"

static const char *const kw_names[] = {
    "",
#define KW_NAME(w, r) #w,
    TN_SQL_KEYWORDS(KW_NAME)
#undef KW_NAME
};

#define R 1
#define U 0
static const unsigned char kw_reserved[] = {
    0,
#define KW_RES(w, r) r,
    TN_SQL_KEYWORDS(KW_RES)
#undef KW_RES
};
#undef R
#undef U

int tn_sql_keyword_count(void)
{
    return KW_COUNT_ - 1;
}

const char *tn_sql_keyword_name(int kw)
{
    return kw > 0 && kw < KW_COUNT_ ? kw_names[kw] : "";
}

int tn_sql_keyword_reserved(int kw)
{
    return kw > 0 && kw < KW_COUNT_ && kw_reserved[kw];
}

/* Keyword lookup: an open-addressing hash table over the upper-cased word,
 * built once (pthread_once) from the sorted table; the sorted order serves
 * the tests and tn_sql_keyword_name. */
#define KW_SLOTS 512
static uint16_t kw_table[KW_SLOTS];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

static uint32_t kw_hash(const unsigned char *s, size_t n)
{
    uint32_t h = (uint32_t)n * 0x9e3779b1u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x01000193u;
    return h ^ (h >> 15);
}

static void kw_build(void)
{
    for (int k = 1; k < KW_COUNT_; k++) {
        uint32_t h = kw_hash((const unsigned char *)kw_names[k], strlen(kw_names[k]));
        while (kw_table[h % KW_SLOTS])
            h++;
        kw_table[h % KW_SLOTS] = (uint16_t)k;
    }
}

int tn_sql_keyword(const char *s, size_t n)
{
    unsigned char up[16];
    if (n == 0 || n >= sizeof up)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        up[i] = c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
    }
    pthread_once(&kw_once, kw_build);
    for (uint32_t h = kw_hash(up, n);; h++) {
        int k = kw_table[h % KW_SLOTS];
        if (!k)
            return 0;
        if (!strncmp(kw_names[k], (const char *)up, n) && kw_names[k][n] == 0)
            return k;
    }
}

static int is_word_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_word_char(unsigned char c)
{
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static tn_tok fail(tn_lexer *lx, tarn_error *err, size_t at, const char *what)
{
    int line, col;
    tn_sql_location(lx->text, lx->len, (uint32_t)at, &line, &col);
    tn_error_set(err, TARN_EPARSE, "%s at line %d, column %d", what, line, col);
    tn_tok t = {.kind = TK_ERROR, .off = (uint32_t)at};
    return t;
}

/* Skip spaces and comments; 0, or -1 with lx->pos at an unterminated comment. */
static int skip_space(tn_lexer *lx)
{
    const char *s = lx->text;
    size_t n = lx->len, i = lx->pos;
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
                         s[i] == '\v'))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            size_t start = i;
            int depth = 0;
            while (i < n) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
            if (depth) {
                lx->pos = start;
                return -1;
            }
            continue;
        }
        lx->pos = i;
        return 0;
    }
}

/* Scan a quoted run ending in q (doubled q is an escape); backslash escapes
 * too when `backslash`. Returns the index after the closing quote or 0. */
static size_t scan_quoted(const char *s, size_t n, size_t i, char q, int backslash)
{
    while (i < n) {
        if (backslash && s[i] == '\\') {
            i += 2;
            continue;
        }
        if (s[i] == q) {
            if (i + 1 < n && s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

/* Bytes that start an operator or punctuation token. */
static const unsigned char op_char[256] = {
    ['+'] = 1, ['-'] = 1, ['*'] = 1, ['/'] = 1, ['%'] = 1, ['^'] = 1, ['<'] = 1, ['>'] = 1,
    ['='] = 1, ['!'] = 1, ['|'] = 1, ['&'] = 1, ['~'] = 1, ['#'] = 1, [':'] = 1, [';'] = 1,
    [','] = 1, ['.'] = 1, ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};

tn_tok tn_lex_next(tn_lexer *lx, tarn_error *err)
{
    if (skip_space(lx) < 0)
        return fail(lx, err, lx->pos, "unterminated comment starting");
    const char *s = lx->text;
    size_t n = lx->len, i = lx->pos;
    tn_tok t = {.kind = TK_EOF, .off = (uint32_t)i};
    if (i >= n)
        return t;
    unsigned char c = (unsigned char)s[i];
    if ((c == 'e' || c == 'E' || c == 'x' || c == 'X') && i + 1 < n && s[i + 1] == '\'') {
        int e = c == 'e' || c == 'E';
        size_t end = scan_quoted(s, n, i + 2, '\'', e);
        if (!end || end > n)
            return fail(lx, err, i, "unterminated string starting");
        t.kind = e ? TK_ESTRING : TK_BLOB;
        t.len = (uint32_t)(end - i);
    } else if (is_word_start(c)) {
        size_t j = i + 1;
        while (j < n && is_word_char((unsigned char)s[j]))
            j++;
        t.kind = TK_WORD;
        t.len = (uint32_t)(j - i);
        t.kw = (uint16_t)tn_sql_keyword(s + i, j - i);
    } else if (is_digit(c) || (c == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
        size_t j = i;
        int number = 0;
        while (j < n && is_digit((unsigned char)s[j]))
            j++;
        if (j < n && s[j] == '.' && !(j + 1 < n && s[j + 1] == '.')) {
            number = 1;
            j++;
            while (j < n && is_digit((unsigned char)s[j]))
                j++;
        }
        if (j < n && (s[j] == 'e' || s[j] == 'E')) {
            size_t k = j + 1;
            if (k < n && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < n && is_digit((unsigned char)s[k])) {
                number = 1;
                while (k < n && is_digit((unsigned char)s[k]))
                    k++;
                j = k;
            }
        }
        t.kind = number ? TK_NUMBER : TK_INT;
        t.len = (uint32_t)(j - i);
    } else if (c == '\'' || c == '"') {
        size_t end = scan_quoted(s, n, i + 1, (char)c, 0);
        if (!end)
            return fail(lx, err, i, c == '\'' ? "unterminated string starting" : "unterminated quoted identifier starting");
        t.kind = c == '\'' ? TK_STRING : TK_QIDENT;
        t.len = (uint32_t)(end - i);
    } else if (c == '$') {
        size_t j = i + 1;
        while (j < n && is_digit((unsigned char)s[j]))
            j++;
        if (j == i + 1)
            return fail(lx, err, i, "expected a parameter number after '$'");
        t.kind = TK_PARAM;
        t.len = (uint32_t)(j - i);
    } else if (c == '?') {
        t.kind = TK_QMARK;
        t.len = 1;
    } else if (op_char[c]) {
        t.kind = TK_OP;
        t.len = 1;
        t.op = c;
        char d = i + 1 < n ? s[i + 1] : 0;
        int two = (c == '<' && (d == '=' || d == '>' || d == '<')) || (c == '>' && (d == '=' || d == '>')) ||
                  (c == '!' && d == '=') || (c == '/' && d == '/') || (c == '=' && (d == '=' || d == '>')) || (c == '|' && d == '|') ||
                  (c == ':' && (d == ':' || d == '='));
        if (two) {
            t.len = 2;
            t.op = TN_OP2(c, d);
        }
        if (t.op == '!')
            return fail(lx, err, i, "unexpected character '!'");
    } else {
        char what[64];
        if (c >= 0x20 && c < 0x7f)
            snprintf(what, sizeof what, "unexpected character '%c'", c);
        else
            snprintf(what, sizeof what, "unexpected byte 0x%02x", c);
        return fail(lx, err, i, what);
    }
    lx->pos = i + t.len;
    return t;
}
