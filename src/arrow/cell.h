/*
 * cell.h — the text of one value of any Arrow type, shared by every output
 * that shows values (the table printer, CSV and JSON Lines writers), so that
 * a value looks the same wherever tarn prints it.
 *
 * Styles differ only where the output demands it:
 *   TABLE  strings raw, timestamps "2024-01-02 03:04:05", nested values as
 *          JSON with spaces ("[1, 2]", "{"a": 1}")
 *   CSV    like TABLE but timestamps in ISO form "2024-01-02T03:04:05"
 *   JSON   a JSON value: numbers bare, everything else quoted and escaped,
 *          nested values compact ("[1,2]")
 * Top-level nulls are the caller's business in TABLE and CSV (test with
 * tn_cell_is_null first); nested nulls and JSON nulls print as `null`.
 */
#ifndef TN_ARROW_CELL_H
#define TN_ARROW_CELL_H

#include "arrow/array.h"

typedef enum tn_cell_style { TN_CELL_TABLE = 0, TN_CELL_CSV = 1, TN_CELL_JSON = 2 } tn_cell_style;

/* Whether element i is null, looking through dictionaries (a valid index to
 * a null dictionary value is null too). */
bool tn_cell_is_null(const tn_array *a, int64_t i);

/* Append the text of element i of a to out. */
int tn_cell_format(tn_buf *out, const tn_array *a, int64_t i, tn_cell_style style, tarn_error *err) TN_MUST_USE;

/* Append p[0..n) as a quoted JSON string (RFC 8259): quote, backslash and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD. */
int tn_json_string(tn_buf *out, const uint8_t *p, int64_t n, tarn_error *err) TN_MUST_USE;

/* Decode the code point at p (n > 0 bytes available): returns the bytes
 * consumed (1..4) and sets *cp, which is 0xFFFD for an invalid sequence
 * (then exactly one byte is consumed). */
int tn_utf8_next(const uint8_t *p, int64_t n, uint32_t *cp);

/* Terminal columns taken by a code point: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth ones, else 1. */
int tn_char_width(uint32_t cp);

#endif
