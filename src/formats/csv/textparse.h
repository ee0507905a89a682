/*
 * textparse.h — text to typed values, shared by the CSV and JSON readers:
 * booleans, integers, floats, decimals, dates, times and timestamps, plus a
 * classifier that says which of those a piece of text could be (the type
 * inference of both readers), and a parser of "a int, b date" type lists.
 *
 * Every parser takes (p, n) bytes that need not be NUL-terminated and returns
 * true when the whole span is a value of the type. Nothing allocates.
 *
 * Dates, times and timestamps are parsed by core/datetime.h; this file only
 * rewrites the slashed and dotted date layouts into ISO order first.
 */
#ifndef TN_FORMATS_TEXTPARSE_H
#define TN_FORMATS_TEXTPARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "arrow/type.h"

/* Date layouts the readers understand. Slashed and dotted forms with the
 * year last are ambiguous (03/04/2024); inference only picks one of MDY and
 * DMY when the sample rules the other out. */
enum {
    TN_DATE_ISO = 1 << 0,   /* 2024-03-17 (month and day may have 1 digit) */
    TN_DATE_YMD_SLASH = 1 << 1, /* 2024/03/17 */
    TN_DATE_MDY = 1 << 2,   /* 03/17/2024 */
    TN_DATE_DMY = 1 << 3,   /* 17/03/2024 */
    TN_DATE_DMY_DOT = 1 << 4, /* 17.03.2024 */
    TN_DATE_CUSTOM = 1 << 5,  /* the reader's date_format / timestamp_format */
    TN_DATE_ALL = 0x3f,
};

/* What a piece of text could be, as a bit set (tn_text_classify). */
enum {
    TN_CAN_BOOL = 1 << 0,
    TN_CAN_INT = 1 << 1,
    TN_CAN_FLOAT = 1 << 2,
    TN_CAN_TIME = 1 << 3,
    TN_CAN_TS = 1 << 4,     /* timestamp without a zone */
    TN_CAN_TSTZ = 1 << 5,   /* timestamp with a zone (Z, +hh:mm) */
    TN_CAN_DATE = 1 << 6,   /* a date alone (also sets TS and TSTZ: midnight) */
    TN_CAN_DECIMAL = 1 << 7, /* a plain decimal literal of at most 38 digits */
    TN_CAN_DATE_SHIFT = 8,  /* date layouts: TN_DATE_* << TN_CAN_DATE_SHIFT */
    TN_CAN_ALL = 0xff | (TN_DATE_ALL << 8),
};

/* The bit set of types the text can be parsed as (booleans only as
 * true/false in any case). Timestamps record their date layouts in the date
 * bits as well, since the two must agree. */
uint32_t tn_text_classify(const uint8_t *p, int64_t n);

/* A plain decimal literal: optional sign, digits, optional '.', digits (at
 * least one digit in all; ".5" and "5." count), no exponent, no inf/nan.
 * Reports its significant integer digits and its fraction digits. */
bool tn_text_decimal_shape(const uint8_t *p, int64_t n, int32_t *int_digits, int32_t *frac_digits);

/* Text in a strptime-style format, whole: %Y (4 digits), %y (2: 69-99 are
 * 19xx), %m %d %H %I %M %S (1-2 digits), %j (day of year), %b/%B/%h (English
 * month names, any case), %a/%A (a weekday name, not checked), %p (AM/PM),
 * %f (1-9 fraction digits of a second), %z (Z, +hh, +hh:mm, +hhmm), %T
 * (%H:%M:%S), %F (%Y-%m-%d), %%; a space matches one or more spaces, any
 * other byte itself. Microseconds since the epoch (UTC when a zone was given). */
bool tn_text_parse_format(const char *fmt, const uint8_t *p, int64_t n, int64_t *micros, bool *has_zone);
/* A format the parser accepts (known directives only). */
bool tn_text_format_valid(const char *fmt);

/* Decimal comma: the text with ',' and '.' swapped into dst (cap bytes), so
 * that "1,5" reads as 1.5 and "1.500" (a thousands point) is no number at
 * all. Returns the length, or 0 when the text is longer than cap. */
size_t tn_text_swap_separators(const uint8_t *p, size_t n, uint8_t *dst, size_t cap);

bool tn_text_parse_bool(const uint8_t *p, int64_t n, bool *out); /* true/false/t/f/yes/no/1/0 */
/* Returns false on syntax error; *overflow is set when the digits are a
 * valid integer outside int64. */
bool tn_text_parse_int64(const uint8_t *p, int64_t n, int64_t *out, bool *overflow);
bool tn_text_parse_double(const uint8_t *p, int64_t n, double *out);
/* Unscaled decimal with `scale` fraction digits and at most `precision`
 * digits; extra fraction digits are rounded half away from zero. */
bool tn_text_parse_decimal(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, __int128 *out);
/* The same, but false for a value with a nonzero digit past `scale` rather
 * than rounding it (3.120 at scale 2 is 312; 3.125 is refused). */
bool tn_text_parse_decimal_exact(const uint8_t *p, int64_t n, int32_t precision, int32_t scale, __int128 *out);

/* Days since 1970-01-01 in any of the layouts of the `layouts` set (tried in
 * the order of the enum). ISO text is what core/datetime.h accepts. */
bool tn_text_parse_date(const uint8_t *p, int64_t n, uint32_t layouts, int32_t *days);
/* hh:mm[:ss[.fraction]] to microseconds since midnight. */
bool tn_text_parse_time(const uint8_t *p, int64_t n, int64_t *micros);
/* date[T| ]time[zone] to microseconds since the epoch (UTC when a zone is
 * given: Z, +hh, +hh:mm, +hhmm or a zone name); a date alone is midnight. */
bool tn_text_parse_timestamp(const uint8_t *p, int64_t n, uint32_t layouts, int64_t *micros, bool *has_zone);

/* A type from its SQL-ish name: bool/boolean, int/integer/bigint/int64,
 * int32, double/float/float64/real, decimal(p,s), date, time, timestamp,
 * timestamptz, string/varchar/text/utf8. NULL when unknown. */
tn_type *tn_text_type_from_name(const char *p, int64_t n);

/* Parse "a int, b date" into n names (owned, free with tn_free each and the
 * array) and types (owned references). */
int tn_text_parse_columns(const char *text, int32_t *n, char ***names, tn_type ***types, tarn_error *err);
void tn_text_free_columns(int32_t n, char **names, tn_type **types);

#endif
