/*
 * slt_render.h — the canonical text of a SQL value, as the sqllogictest
 * files write it (../shared/sql-conformance/README.md and
 * docs/internals/sql-tests.md): NULL, true/false, integers, decimals with
 * all their scale digits, floats in the shortest form that reads back,
 * `(empty)` for the empty string. tests/slt/check_duckdb.mjs implements the
 * same rules for DuckDB's values, so the two sides can be compared as text.
 */
#ifndef SLT_RENDER_H
#define SLT_RENDER_H

#include <stddef.h>

#include "tarn/arrow.h"

/* A growable string (raw malloc: test code, outside the library). */
typedef struct slt_buf {
    char *p;
    size_t len, cap;
} slt_buf;

void slt_buf_put(slt_buf *b, const char *s, size_t n);
void slt_buf_puts(slt_buf *b, const char *s);
void slt_buf_printf(slt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append the text of row `row` of `array` (of type `schema`) to b. `top`
 * is 1 for a column value (the empty string is `(empty)`), 0 inside a list
 * or struct. Unknown types render as `<format>` so a mismatch shows them. */
void slt_render_value(slt_buf *b, const struct ArrowSchema *schema, const struct ArrowArray *array, int64_t row,
                      int top);

/* The shortest text of a double / float that reads back to the same value:
 * plain digits for 1e-4 <= |x| < 1e16 (`2.0`, `0.001`), else `1.5e+20`. */
void slt_render_double(slt_buf *b, double x);
void slt_render_float(slt_buf *b, float x);

#endif
