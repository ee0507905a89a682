/*
 * sql_cli.h — what `tarn sql` (cmd_sql.c) and its interactive shell
 * (cmd_sql_shell.c) share: running SQL text with Ctrl-C wired to
 * tarn_session_interrupt, printing a result, splitting statements.
 */
#ifndef TARN_CLI_SQL_H
#define TARN_CLI_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tarn/sql.h"
#include "tarn/tarn.h"

/* How results are printed: a tarn_print format (table, csv, jsonl) and the
 * table's limits (NULL: the defaults). */
typedef struct sql_output {
    char format[16];
    const char *max_rows, *max_width, *max_col_width;
} sql_output;

/* Run `sql` in s and print the last statement's result to out. While the
 * query runs and its result is printed, SIGINT interrupts the query (it
 * then fails with TARN_ECANCELLED) instead of ending the process. */
int sql_run_print(tarn_session *s, const char *sql, FILE *out, const sql_output *o, tarn_error *err);

/* Between begin and end, SIGINT interrupts the queries of s (for callers
 * that run and read results themselves). */
void sql_interruptible_begin(tarn_session *s);
void sql_interruptible_end(void);

/* The end of the first complete statement of text (just past its ';'), or
 * 0 when text holds no complete statement yet. Quotes, "identifiers",
 * -- and block comments are skipped, so a ';' inside them does not count. */
size_t sql_statement_end(const char *text);

/* Whether text holds nothing but blanks, ';' and comments. */
bool sql_is_blank(const char *text);

/* The interactive shell (cmd_sql_shell.c): returns an exit code. */
int sql_shell(tarn_session *s, sql_output *o);

#endif
