/*
 * csv_int.h — internals shared by the CSV tokenizer, sniffer and reader.
 *
 * The tokenizer turns a byte buffer into a flat list of field spans (offset
 * and length into the buffer, plus flags) and a list of rows (first span,
 * field count, byte range). Nothing is copied: converters read the spans
 * while the buffer is still in place.
 */
#ifndef TN_FORMATS_CSV_INT_H
#define TN_FORMATS_CSV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/csv/csv.h"

#define TN_SPAN_QUOTED 0x80000000u /* the field was quoted */
#define TN_SPAN_ESC 0x40000000u    /* it holds doubled quotes or escapes to undo */
#define TN_SPAN_BAD 0x20000000u    /* malformed: bytes after a closing quote, or no closing quote */
#define TN_SPAN_LEN 0x1fffffffu    /* fields up to 512 MiB */
#define TN_CSV_MAX_ROW ((int64_t)TN_SPAN_LEN)

typedef struct tn_span {
    uint32_t off; /* into the buffer */
    uint32_t len; /* length | TN_SPAN_* flags */
} tn_span;

typedef struct tn_row {
    uint32_t start, end; /* bytes of the row, line end excluded */
    uint32_t first;      /* index of its first span */
    uint32_t nfields;
} tn_row;

typedef struct tn_csv_tok {
    uint8_t delim, quote, escape;
    bool quoting;
    const char *comment;
    size_t comment_len;
    uint8_t special[256]; /* bytes that end an unquoted field */
    tn_span *spans;
    size_t nspans, cap_spans;
    tn_row *rows;
    size_t nrows, cap_rows;
    size_t span_limit;   /* stop starting rows past this many spans */
} tn_csv_tok;

void tn_csv_tok_init(tn_csv_tok *t, char delim, char quote, bool no_quote, char escape, const char *comment);
void tn_csv_tok_reset(tn_csv_tok *t); /* frees the lists */

/* Tokenize buf[pos, len) into t (emptied first), at most max_rows rows. With
 * final false the input may continue past len, so a row that reaches len is
 * left for the next call. *end receives the offset after the last complete
 * row (and any empty or comment lines after it). */
int tn_csv_tokenize(tn_csv_tok *t, const uint8_t *buf, size_t pos, size_t len, bool final, int64_t max_rows,
                    size_t *end, tarn_error *err) TN_MUST_USE;

/* The span of field c of row r, or false when the row is shorter. */
static inline bool tn_csv_cell(const tn_csv_tok *t, size_t r, uint32_t c, tn_span *out)
{
    const tn_row *row = &t->rows[r];
    if (c >= row->nfields)
        return false;
    *out = t->spans[row->first + c];
    return true;
}

/* Copy a field's text with its quoting undone into dst (room for len bytes);
 * returns the decoded length. */
size_t tn_csv_unescape(const tn_csv_tok *t, const uint8_t *src, size_t len, uint8_t *dst);

/* In a dialect's layouts: a decimal column whose scale the sniffer chose;
 * a later value with more fraction digits is an error, not rounded. */
#define TN_CSV_INFERRED_SCALE 0x80000000u

/* The sniffer's work on a buffer already filled: dialect, header, types. */
typedef struct tn_csv_dialect {
    char delimiter;
    bool header;
    int32_t ncols;
    char **names;      /* ncols owned names */
    tn_type **types;   /* ncols owned references */
    uint32_t *layouts; /* ncols date layouts, and TN_CSV_INFERRED_SCALE */
    int64_t sample_rows;
} tn_csv_dialect;

int tn_csv_detect(const uint8_t *buf, size_t pos, size_t len, bool final, const tn_csv_options *o,
                  tn_csv_dialect *d, tarn_error *err) TN_MUST_USE;
void tn_csv_dialect_reset(tn_csv_dialect *d);

#endif
