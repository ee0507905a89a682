/*
 * parser.h — SQL text to AST (sql/ast.h), and the AST back to SQL text.
 *
 *   tn_arena a; tn_arena_init(&a, 0);
 *   tn_sql_script *s;
 *   if (tn_sql_parse(text, len, &a, &s, err) == 0) { ... s->stmts[i] ... }
 *   tn_arena_free(&a);   // frees every node
 *
 * A syntax error fails with TARN_EPARSE and a one-line message naming the
 * line and column, what was found and what was expected, e.g.
 *   syntax error at line 3, column 12: expected an expression after '+', found ')'
 * A failed allocation fails with TARN_ENOMEM / TARN_EMEMLIMIT. Nesting deeper
 * than TN_SQL_MAX_DEPTH (parentheses, subqueries, operators) is refused, so
 * hostile text cannot exhaust the stack. The arena may hold partial nodes
 * after a failure; freeing it releases them.
 */
#ifndef TN_SQL_PARSER_H
#define TN_SQL_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "sql/ast.h"

#define TN_SQL_MAX_DEPTH 256
/* Texts longer than this are refused (offsets are 32-bit). */
#define TN_SQL_MAX_TEXT ((size_t)1 << 31)

/* Parse a script of statements separated by ';' (empty statements skipped). */
int tn_sql_parse(const char *text, size_t len, tn_arena *arena, tn_sql_script **out,
                 tarn_error *err) TN_MUST_USE;

/* Parse exactly one statement (a trailing ';' is allowed). */
int tn_sql_parse_one(const char *text, size_t len, tn_arena *arena, tn_sql_stmt **out,
                     tarn_error *err) TN_MUST_USE;

/* Parse a type name alone ("DECIMAL(10,2)", "INTEGER[]"); the binder's
 * tn_bind_sql_type turns it into an Arrow type. */
int tn_sql_parse_type(const char *text, size_t len, tn_arena *arena, tn_sql_type **out,
                      tarn_error *err) TN_MUST_USE;

/* Line and column (1-based; column counts bytes) of byte `offset` in text. */
void tn_sql_location(const char *text, size_t len, uint32_t offset, int *line, int *column);

/*
 * The canonical text of a statement / expression / script, appended to b.
 * The style is fully parenthesized for operators — every unary and binary
 * operator, IS, BETWEEN, IN, LIKE and quantified comparison is wrapped in
 * parentheses — so precedence is visible and reparsing gives the same tree:
 *   SELECT 1 + 2 * 3 AS x  ->  SELECT (1 + (2 * 3)) AS x
 * Keywords are upper case, identifiers keep their spelling (quoted ones are
 * quoted again), x::t prints as CAST(x AS t), FETCH FIRST as LIMIT.
 * Statements of a script are joined with ";\n".
 */
int tn_sql_print_stmt(tn_buf *b, const tn_sql_stmt *s, tarn_error *err) TN_MUST_USE;
int tn_sql_print_expr(tn_buf *b, const tn_sql_expr *e, tarn_error *err) TN_MUST_USE;
int tn_sql_print_script(tn_buf *b, const tn_sql_script *s, tarn_error *err) TN_MUST_USE;

#endif
