/*
 * datetime.h — the civil calendar, timestamps and time zones shared by every
 * reader, writer, printer and SQL function.
 *
 * Conventions:
 *  - dates are days since 1970-01-01 in the proleptic Gregorian calendar,
 *    with astronomical year numbering (year 0 is 1 BC, year -1 is 2 BC);
 *  - timestamps are int64 counts of a unit (s, ms, us, ns) since
 *    1970-01-01T00:00:00 without leap seconds. A timestamp is either an
 *    instant (UTC-adjusted) or a naive wall-clock reading; the value alone does
 *    not say which, the type does;
 *  - times of day are counts of a unit since midnight;
 *  - divisions of negative values floor toward minus infinity, so
 *    -1 ms is 1969-12-31T23:59:59.999 and converts to -1 s.
 *
 * Time zones are "UTC"/"Z", fixed offsets ("+05:30", "-0800", "+05") and IANA
 * names read from the system tz database. Zones are loaded once and cached
 * for the life of the process: a `const tn_tz *` never dangles.
 */
#ifndef TN_CORE_DATETIME_H
#define TN_CORE_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Same values as tn_time_unit in arrow/type.h, so a cast converts. */
typedef enum tn_dt_unit { TN_DT_S = 0, TN_DT_MS = 1, TN_DT_US = 2, TN_DT_NS = 3 } tn_dt_unit;

#define TN_SECS_PER_DAY 86400
/* Room for any formatted date, time or timestamp, including the NUL. */
#define TN_DT_FORMAT_MAX 64

/* A broken-down civil date-time. Years are int64 because an int64 count of
 * seconds spans about ±292 billion years. */
typedef struct tn_civil {
    int64_t year;
    int month;     /* 1..12 */
    int day;       /* 1..31 */
    int hour;      /* 0..23 */
    int minute;    /* 0..59 */
    int second;    /* 0..59 */
    int32_t nanos; /* 0..999999999 */
} tn_civil;

/* ---- calendar ------------------------------------------------------------ */

bool tn_is_leap_year(int64_t year);
int tn_days_in_month(int64_t year, int month); /* 0 for a month outside 1..12 */
/* Days since 1970-01-01 of a valid civil date. Exact for |year| < 2^50. */
int64_t tn_days_from_civil(int64_t year, int month, int day);
/* The civil date of a day count; exact for every int64 day whose year fits. */
void tn_civil_from_days(int64_t days, int64_t *year, int *month, int *day);
int tn_weekday(int64_t days);     /* 0 = Sunday .. 6 = Saturday */
int tn_iso_weekday(int64_t days); /* 1 = Monday .. 7 = Sunday */
int tn_day_of_year(int64_t days); /* 1..366 */
/* ISO-8601 week (1..53) and the week-numbering year, which differs from the
 * calendar year for some days at the ends of a year. */
void tn_iso_week(int64_t days, int64_t *iso_year, int *week);

/* ---- timestamps ------------------------------------------------------------ */

int64_t tn_unit_per_second(tn_dt_unit unit); /* 1, 1000, 1e6, 1e9 */
/* Split a timestamp into civil fields; never fails. */
void tn_timestamp_to_civil(int64_t value, tn_dt_unit unit, tn_civil *out);
/* Fields must be in range (checked: TARN_EINVAL); TARN_EOVERFLOW when the
 * instant does not fit an int64 of the unit. Nanoseconds finer than the unit
 * are truncated. */
int tn_civil_to_timestamp(const tn_civil *c, tn_dt_unit unit, int64_t *out, tarn_error *err) TN_MUST_USE;
/* Convert between units: coarser floors, finer multiplies with overflow
 * detection (TARN_EOVERFLOW naming the value). */
int tn_timestamp_convert(int64_t value, tn_dt_unit from, tn_dt_unit to, int64_t *out,
                         tarn_error *err) TN_MUST_USE;

/* ---- parsing ---------------------------------------------------------------
 * Each parser reads exactly `len` bytes (no NUL needed), never crashes on
 * garbage, and reports TARN_EPARSE with a message quoting the input and
 * saying what was wrong, TARN_EOVERFLOW when the value is out of range of the
 * result, or TARN_ENOTFOUND for an unknown zone name.
 *
 *   date       [+-]YYYY-MM-DD        (4 or more year digits, sign optional)
 *   time       HH:MM[:SS[.f{1,9}]]
 *   timestamp  date[(T|t| )time][zone]   zone = Z | ±HH[:MM] | ±HHMM | a name
 *              after a space or in brackets ("... America/New_York",
 *              "...[Europe/London]"); spaces may precede Z or an offset.
 * Fraction digits finer than the unit are truncated. */
int tn_parse_date(const char *s, size_t len, int32_t *days, tarn_error *err) TN_MUST_USE;
int tn_parse_time(const char *s, size_t len, tn_dt_unit unit, int64_t *out, tarn_error *err) TN_MUST_USE;

typedef struct tn_timestamp_parsed {
    int64_t value; /* in the unit: UTC when has_zone, else the naive wall clock */
    bool has_zone; /* Z, an offset or a zone name was present */
} tn_timestamp_parsed;

int tn_parse_timestamp(const char *s, size_t len, tn_dt_unit unit, tn_timestamp_parsed *out,
                       tarn_error *err) TN_MUST_USE;

/* ---- formatting --------------------------------------------------------------
 * Write NUL-terminated ISO-8601 text into out (cap >= TN_DT_FORMAT_MAX is
 * always enough) and return its length. Years outside 0..9999 get a sign
 * ("-0044-03-15", "+10000-01-01"), which the parsers accept. The fraction has
 * the digits of the unit: none for s, 3 for ms, 6 for us, 9 for ns. */
size_t tn_format_date(int64_t days, char *out, size_t cap);
/* A time outside 00:00..24:00 wraps into the day. */
size_t tn_format_time(int64_t value, tn_dt_unit unit, char *out, size_t cap);
/* "YYYY-MM-DDTHH:MM:SS[.f]" plus "Z" when utc (an instant), nothing when naive. */
size_t tn_format_timestamp(int64_t value, tn_dt_unit unit, bool utc, char *out, size_t cap);
/* The wall clock at `offset_seconds` from UTC, with the offset: "...+05:30". */
size_t tn_format_timestamp_offset(int64_t value, tn_dt_unit unit, int32_t offset_seconds, char *out,
                                  size_t cap);

/* ---- time zones ----------------------------------------------------------- */

typedef struct tn_tz tn_tz;

/* Find a zone by name: "UTC", "Z", a fixed offset, or an IANA name read from
 * $TZDIR or /usr/share/zoneinfo. Thread-safe; the result is cached and lives
 * until tn_tz_cache_clear. TARN_ENOTFOUND "unknown time zone 'X'", or
 * TARN_ECORRUPT naming the file when the file is malformed. */
int tn_tz_get(const char *name, const tn_tz **out, tarn_error *err) TN_MUST_USE;
const char *tn_tz_name(const tn_tz *tz);

/* The offset from UTC in seconds (local = utc + offset) at an instant. */
int32_t tn_tz_offset_at(const tn_tz *tz, int64_t utc_seconds);

/* How a wall-clock reading maps to instants. */
typedef enum tn_tz_fold {
    TN_TZ_UNIQUE = 0, /* exactly one instant */
    TN_TZ_GAP = 1,    /* skipped by a forward jump; resolved by shifting forward */
    TN_TZ_OVERLAP = 2 /* repeated by a backward jump; resolved to the earlier */
} tn_tz_fold;

/* Local wall clock (seconds since the epoch, as if UTC) to the instant.
 * A time inside a gap (02:30 on the day New York springs forward) is read
 * with the offset in force before the gap, so it lands as far after the
 * transition as it was after the gap's start (03:30 EDT). A time inside an
 * overlap (01:30 on the day New York falls back) takes the earlier of its two
 * instants, the one with the offset in force before the transition (EDT).
 * fold may be NULL. Results beyond the ends of int64 saturate. */
int64_t tn_tz_local_to_utc(const tn_tz *tz, int64_t local_seconds, tn_tz_fold *fold);

/* Parse TZif bytes (RFC 8536 v1-v4; the 64-bit section is preferred, the
 * POSIX TZ footer rules instants after the last transition). `name` is used
 * in messages. The zone is not cached; free it with tn_tz_free. */
int tn_tz_parse_tzif(const uint8_t *data, size_t len, const char *name, tn_tz **out,
                     tarn_error *err) TN_MUST_USE;
void tn_tz_free(tn_tz *tz);

/* Release every cached zone. Only when no zone pointer is in use any more
 * (tests, process shutdown). */
void tn_tz_cache_clear(void);

#endif
