/*
 * lexer.h — SQL text to tokens, one at a time, without allocating: a token
 * is a kind and a span of the source text (strings and quoted identifiers
 * are decoded later, by the parser, when it builds a node).
 */
#ifndef TN_SQL_LEXER_H
#define TN_SQL_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "sql/parser/keywords.h"

typedef enum tn_tok_kind {
    TK_EOF,
    TK_WORD,    /* an unquoted identifier or keyword (kw != 0 for keywords) */
    TK_QIDENT,  /* "quoted identifier" */
    TK_INT,     /* 123 */
    TK_NUMBER,  /* 1.5, .5, 1e10 */
    TK_STRING,  /* 'text' */
    TK_ESTRING, /* E'text with \n escapes' */
    TK_BLOB,    /* X'0a1b' */
    TK_PARAM,   /* $1 */
    TK_QMARK,   /* ? */
    TK_OP,      /* punctuation and operators: op holds up to two chars */
    TK_ERROR    /* lexing failed: the lexer's error is set */
} tn_tok_kind;

typedef struct tn_tok {
    tn_tok_kind kind;
    uint16_t kw;  /* TK_WORD: keyword id or 0 */
    uint16_t op;  /* TK_OP: c1 | c2 << 8 */
    uint32_t off; /* first byte */
    uint32_t len; /* bytes */
} tn_tok;

#define TN_OP2(a, b) ((uint16_t)((unsigned char)(a) | (unsigned char)(b) << 8))

typedef struct tn_lexer {
    const char *text;
    size_t len;
    size_t pos;
} tn_lexer;

/* The next token; on TK_ERROR err holds a one-line message. */
tn_tok tn_lex_next(tn_lexer *lx, tarn_error *err);

/* Keyword id of word text (any case), or 0. */
int tn_sql_keyword(const char *s, size_t n);
const char *tn_sql_keyword_name(int kw);
int tn_sql_keyword_reserved(int kw);
int tn_sql_keyword_count(void);

#endif
