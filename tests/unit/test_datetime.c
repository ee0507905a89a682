/*
 * test_datetime.c — the civil calendar, timestamp units, ISO-8601 parsing and
 * formatting, and time zones (system tz database, fixed offsets, TZif bytes
 * built by hand). Expected instants were computed independently (Python's
 * datetime, zdump) and are written out as numbers.
 */
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/datetime.h"
#include "core/pool.h"
#include "tn_test.h"

static int64_t civil_days(const char *iso)
{
    int32_t d = 0;
    tarn_error err;
    if (tn_parse_date(iso, strlen(iso), &d, &err) != TARN_OK) {
        fprintf(stderr, "cannot parse %s: %s\n", iso, err.message);
        tn_test_failures++;
    }
    return d;
}

/* ---- calendar ------------------------------------------------------------------ */

TEST(calendar_known_values)
{
    CHECK_EQ_INT(tn_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(tn_days_from_civil(1969, 12, 31), -1);
    CHECK_EQ_INT(tn_days_from_civil(2000, 2, 29), 11016);
    CHECK_EQ_INT(tn_days_from_civil(1900, 3, 1), -25508);
    CHECK_EQ_INT(tn_days_from_civil(2024, 3, 10), 19792);
    CHECK_EQ_INT(tn_days_from_civil(9999, 12, 31), 2932896);
    CHECK_EQ_INT(tn_days_from_civil(1, 1, 1), -719162);
    CHECK_EQ_INT(tn_days_from_civil(0, 1, 1), -719528); /* 1 BC, a leap year */
    CHECK_EQ_INT(tn_days_from_civil(0, 2, 29), -719469);
    CHECK_EQ_INT(tn_days_from_civil(-1, 12, 31), -719529);
    CHECK_EQ_INT(tn_days_from_civil(1677, 9, 21), -106752);
    CHECK_EQ_INT(tn_days_from_civil(2262, 4, 11), 106751);
    CHECK_EQ_INT(tn_days_from_civil(5881580, 7, 11), INT32_MAX);
    CHECK_EQ_INT(tn_days_from_civil(-5877641, 6, 23), INT32_MIN);

    int64_t y;
    int m, d;
    tn_civil_from_days(INT32_MAX, &y, &m, &d);
    CHECK(y == 5881580 && m == 7 && d == 11);
    tn_civil_from_days(INT32_MIN, &y, &m, &d);
    CHECK(y == -5877641 && m == 6 && d == 23);
    tn_civil_from_days(-719529, &y, &m, &d);
    CHECK(y == -1 && m == 12 && d == 31);
    tn_civil_from_days(11016, &y, &m, &d);
    CHECK(y == 2000 && m == 2 && d == 29);
    /* the extremes of int64 do not overflow */
    tn_civil_from_days(INT64_MAX, &y, &m, &d);
    CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y > 0);
    tn_civil_from_days(INT64_MIN, &y, &m, &d);
    CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y < 0);

    CHECK(tn_is_leap_year(2000) && tn_is_leap_year(2024) && tn_is_leap_year(0) && tn_is_leap_year(-4));
    CHECK(!tn_is_leap_year(1900) && !tn_is_leap_year(2023) && !tn_is_leap_year(-1) && !tn_is_leap_year(2100));
    CHECK_EQ_INT(tn_days_in_month(2024, 2), 29);
    CHECK_EQ_INT(tn_days_in_month(1900, 2), 28);
    CHECK_EQ_INT(tn_days_in_month(2023, 4), 30);
    CHECK_EQ_INT(tn_days_in_month(2023, 12), 31);
    CHECK_EQ_INT(tn_days_in_month(2023, 13), 0);
    CHECK_EQ_INT(tn_days_in_month(2023, 0), 0);
}

TEST(calendar_round_trips)
{
    /* Consecutive days: each is the day after the one before. */
    int64_t py;
    int pm, pd;
    tn_civil_from_days(-2000001, &py, &pm, &pd);
    int64_t bad = 0;
    for (int64_t z = -2000000; z <= 2000000; z++) {
        int64_t y;
        int m, d;
        tn_civil_from_days(z, &y, &m, &d);
        bool next = (y == py && m == pm && d == pd + 1) ||
                    (y == py && m == pm + 1 && d == 1 && pd == tn_days_in_month(py, pm)) ||
                    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        bad += !next || tn_days_from_civil(y, m, d) != z;
        py = y, pm = m, pd = d;
    }
    CHECK_EQ_INT(bad, 0);
    /* Spread over the whole int32 range. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t z = (int32_t)(uint32_t)x;
        int64_t y;
        int m, d;
        tn_civil_from_days(z, &y, &m, &d);
        bad += tn_days_from_civil(y, m, d) != z || d > tn_days_in_month(y, m);
        char text[TN_DT_FORMAT_MAX];
        tn_format_date(z, text, sizeof text);
        bad += civil_days(text) != z;
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(weekdays_and_weeks)
{
    CHECK_EQ_INT(tn_weekday(0), 4); /* Thursday */
    CHECK_EQ_INT(tn_weekday(19792), 0);
    CHECK_EQ_INT(tn_iso_weekday(19792), 7);
    CHECK_EQ_INT(tn_weekday(-1), 3);
    CHECK_EQ_INT(tn_weekday(-719528), 6); /* 0000-01-01 was a Saturday */
    CHECK_EQ_INT(tn_day_of_year(20088), 366);
    CHECK_EQ_INT(tn_day_of_year(19417), 60);
    CHECK_EQ_INT(tn_day_of_year(0), 1);
    int64_t iy;
    int w;
    tn_iso_week(18630, &iy, &w); /* 2021-01-03 */
    CHECK(iy == 2020 && w == 53);
    tn_iso_week(20087, &iy, &w); /* 2024-12-30 */
    CHECK(iy == 2025 && w == 1);
    tn_iso_week(14242, &iy, &w); /* 2008-12-29 */
    CHECK(iy == 2009 && w == 1);
    tn_iso_week(14612, &iy, &w); /* 2010-01-03 */
    CHECK(iy == 2009 && w == 53);
    tn_iso_week(19792, &iy, &w); /* 2024-03-10 */
    CHECK(iy == 2024 && w == 10);
}

/* ---- timestamps ------------------------------------------------------------------ */

TEST(timestamps_and_units)
{
    tn_civil c;
    tn_timestamp_to_civil(-1, TN_DT_MS, &c);
    CHECK(c.year == 1969 && c.month == 12 && c.day == 31 && c.hour == 23 && c.minute == 59 && c.second == 59 &&
          c.nanos == 999000000);
    tn_timestamp_to_civil(INT64_MIN, TN_DT_NS, &c);
    CHECK(c.year == 1677 && c.month == 9 && c.day == 21 && c.hour == 0 && c.minute == 12 && c.second == 43 &&
          c.nanos == 145224192);
    tn_timestamp_to_civil(INT64_MAX, TN_DT_NS, &c);
    CHECK(c.year == 2262 && c.month == 4 && c.day == 11 && c.hour == 23 && c.minute == 47 && c.second == 16 &&
          c.nanos == 854775807);

    tarn_error err;
    int64_t v;
    tn_civil in = {2024, 3, 10, 7, 0, 0, 123456789};
    CHECK_OK(tn_civil_to_timestamp(&in, TN_DT_US, &v, &err), &err);
    CHECK_EQ_INT(v, 1710054000123456LL);
    CHECK_OK(tn_civil_to_timestamp(&in, TN_DT_S, &v, &err), &err);
    CHECK_EQ_INT(v, 1710054000);
    in = (tn_civil){1677, 9, 21, 0, 12, 43, 145224192};
    CHECK_OK(tn_civil_to_timestamp(&in, TN_DT_NS, &v, &err), &err);
    CHECK(v == INT64_MIN);
    in.nanos = 145224191;
    CHECK_EQ_INT(tn_civil_to_timestamp(&in, TN_DT_NS, &v, &err), TARN_EOVERFLOW);
    in = (tn_civil){2263, 1, 1, 0, 0, 0, 0};
    CHECK_EQ_INT(tn_civil_to_timestamp(&in, TN_DT_NS, &v, &err), TARN_EOVERFLOW);
    CHECK_MSG(&err, "year 2263 is out of range for a timestamp in ns");
    CHECK_OK(tn_civil_to_timestamp(&in, TN_DT_US, &v, &err), &err);
    in = (tn_civil){2023, 2, 29, 0, 0, 0, 0};
    CHECK_EQ_INT(tn_civil_to_timestamp(&in, TN_DT_S, &v, &err), TARN_EINVAL);
    in = (tn_civil){-1, 12, 31, 23, 59, 59, 0};
    CHECK_OK(tn_civil_to_timestamp(&in, TN_DT_S, &v, &err), &err);
    CHECK_EQ_INT(v, -719528LL * 86400 - 1);

    CHECK_OK(tn_timestamp_convert(1500, TN_DT_MS, TN_DT_S, &v, &err), &err);
    CHECK_EQ_INT(v, 1);
    CHECK_OK(tn_timestamp_convert(-1, TN_DT_NS, TN_DT_S, &v, &err), &err);
    CHECK_EQ_INT(v, -1); /* floors */
    CHECK_OK(tn_timestamp_convert(-1500, TN_DT_US, TN_DT_MS, &v, &err), &err);
    CHECK_EQ_INT(v, -2);
    CHECK_OK(tn_timestamp_convert(1710054000, TN_DT_S, TN_DT_NS, &v, &err), &err);
    CHECK_EQ_INT(v, 1710054000000000000LL);
    CHECK_EQ_INT(tn_timestamp_convert(INT64_MAX / 1000, TN_DT_S, TN_DT_US, &v, &err), TARN_EOVERFLOW);
    CHECK_MSG(&err, "does not fit in us");
    CHECK_EQ_INT(tn_timestamp_convert(-9223372037LL, TN_DT_S, TN_DT_NS, &v, &err), TARN_EOVERFLOW);
    CHECK_OK(tn_timestamp_convert(-9223372036LL, TN_DT_S, TN_DT_NS, &v, &err), &err);
    CHECK_OK(tn_timestamp_convert(INT64_MIN, TN_DT_NS, TN_DT_NS, &v, &err), &err);
    CHECK(v == INT64_MIN);
}

/* ---- parsing ----------------------------------------------------------------------- */

static void date_fails(const char *text, size_t len, int code, const char *msg)
{
    int32_t d;
    tarn_error err;
    tarn_error_init(&err);
    int rc = tn_parse_date(text, len, &d, &err);
    if (rc != code || !strstr(err.message, msg)) {
        fprintf(stderr, "date '%s': got %s \"%s\", want %s \"...%s...\"\n", text, tarn_status_name(rc),
                err.message, tarn_status_name(code), msg);
        tn_test_failures++;
    }
}

TEST(parse_dates)
{
    CHECK_EQ_INT(civil_days("1970-01-01"), 0);
    CHECK_EQ_INT(civil_days("2000-02-29"), 11016);
    CHECK_EQ_INT(civil_days("1900-03-01"), -25508);
    CHECK_EQ_INT(civil_days("0000-01-01"), -719528);
    CHECK_EQ_INT(civil_days("-0001-12-31"), -719529);
    CHECK_EQ_INT(civil_days("9999-12-31"), 2932896);
    CHECK_EQ_INT(civil_days("10000-01-01"), 2932897);
    CHECK_EQ_INT(civil_days("+10000-01-01"), 2932897);
    CHECK_EQ_INT(civil_days("5881580-07-11"), INT32_MAX);
    CHECK_EQ_INT(civil_days("-5877641-06-23"), INT32_MIN);
    int32_t d;
    tarn_error err;
    CHECK_OK(tn_parse_date("2024-03-10xyz", 10, &d, &err), &err); /* reads exactly len bytes */
    CHECK_EQ_INT(d, 19792);

    date_fails("", 0, TARN_EPARSE, "invalid date '': expected a year, found end of input");
    date_fails("24-01-01", 8, TARN_EPARSE, "year must have at least 4 digits, found 2");
    date_fails("2024/01/01", 10, TARN_EPARSE, "expected '-' after the year, found '/' at offset 4");
    date_fails("2024-1-01", 9, TARN_EPARSE, "expected a two-digit month, found '-' at offset 6");
    date_fails("2024-01-1", 9, TARN_EPARSE, "expected a two-digit day, found end of input");
    date_fails("2024-13-01", 10, TARN_EPARSE, "month 13 is out of range (01..12)");
    date_fails("2024-00-10", 10, TARN_EPARSE, "month 0 is out of range");
    date_fails("2023-02-29", 10, TARN_EPARSE, "day 29 is out of range for 2023-02 (28 days)");
    date_fails("1900-02-29", 10, TARN_EPARSE, "day 29 is out of range for 1900-02");
    date_fails("2024-04-31", 10, TARN_EPARSE, "day 31 is out of range for 2024-04 (30 days)");
    date_fails("2024-04-00", 10, TARN_EPARSE, "day 0 is out of range");
    date_fails("2024-01-01x", 11, TARN_EPARSE, "unexpected 'x' at offset 10");
    date_fails("2024-01-01 ", 11, TARN_EPARSE, "unexpected ' ' at offset 10");
    date_fails("5881580-07-12", 13, TARN_EOVERFLOW, "out of range of a 32-bit day count");
    date_fails("1234567890123-01-01", 19, TARN_EOVERFLOW, "year has more than 12 digits");
    date_fails("\x01\x02\xff", 3, TARN_EPARSE, "invalid date '?\?\?': expected a year, found byte 0x01 at offset 0");
    date_fails("2024-01-01\0", 11, TARN_EPARSE, "unexpected byte 0x00 at offset 10");
    char longtext[200];
    memset(longtext, '9', sizeof longtext);
    date_fails(longtext, sizeof longtext, TARN_EOVERFLOW, "...': year has more than 12 digits");
}

static void time_fails(const char *text, const char *msg)
{
    int64_t v;
    tarn_error err;
    tarn_error_init(&err);
    int rc = tn_parse_time(text, strlen(text), TN_DT_NS, &v, &err);
    if (rc != TARN_EPARSE || !strstr(err.message, msg)) {
        fprintf(stderr, "time '%s': got %s \"%s\", want \"...%s...\"\n", text, tarn_status_name(rc), err.message,
                msg);
        tn_test_failures++;
    }
}

TEST(parse_times)
{
    int64_t v;
    tarn_error err;
    CHECK_OK(tn_parse_time("07:00", 5, TN_DT_S, &v, &err), &err);
    CHECK_EQ_INT(v, 25200);
    CHECK_OK(tn_parse_time("23:59:59.999999999", 18, TN_DT_NS, &v, &err), &err);
    CHECK_EQ_INT(v, 86399999999999LL);
    CHECK_OK(tn_parse_time("12:00:00.5", 10, TN_DT_MS, &v, &err), &err);
    CHECK_EQ_INT(v, 43200500);
    CHECK_OK(tn_parse_time("12:00:00,25", 11, TN_DT_US, &v, &err), &err);
    CHECK_EQ_INT(v, 43200250000LL);
    CHECK_OK(tn_parse_time("00:00:01.123456789", 18, TN_DT_MS, &v, &err), &err);
    CHECK_EQ_INT(v, 1123); /* finer digits truncated */
    CHECK_OK(tn_parse_time("00:00:00", 8, TN_DT_NS, &v, &err), &err);
    CHECK_EQ_INT(v, 0);

    time_fails("", "invalid time '': expected a two-digit hour, found end of input");
    time_fails("7:00", "expected a two-digit hour, found ':' at offset 1");
    time_fails("0700", "expected ':' after the hour, found '0' at offset 2");
    time_fails("24:00:00", "hour 24 is out of range (00..23)");
    time_fails("12:60", "minute 60 is out of range (00..59)");
    time_fails("12:00:60", "second 60 is out of range (00..59)");
    time_fails("12:00:0", "expected a two-digit second, found end of input");
    time_fails("12:00:00.", "expected fraction digits after the decimal point, found end of input");
    time_fails("12:00:00.1234567890", "fraction of a second has more than 9 digits");
    time_fails("12:00:00Z", "unexpected 'Z' at offset 8");
}

static int64_t ts(const char *text, tn_dt_unit unit, bool want_zone)
{
    tn_timestamp_parsed p = {0};
    tarn_error err;
    if (tn_parse_timestamp(text, strlen(text), unit, &p, &err) != TARN_OK) {
        fprintf(stderr, "cannot parse timestamp '%s': %s\n", text, err.message);
        tn_test_failures++;
    } else if (p.has_zone != want_zone) {
        fprintf(stderr, "timestamp '%s': has_zone is %d\n", text, p.has_zone);
        tn_test_failures++;
    }
    return p.value;
}

static void ts_fails(const char *text, int code, const char *msg)
{
    tn_timestamp_parsed p;
    tarn_error err;
    tarn_error_init(&err);
    int rc = tn_parse_timestamp(text, strlen(text), TN_DT_NS, &p, &err);
    if (rc != code || !strstr(err.message, msg)) {
        fprintf(stderr, "timestamp '%s': got %s \"%s\", want %s \"...%s...\"\n", text, tarn_status_name(rc),
                err.message, tarn_status_name(code), msg);
        tn_test_failures++;
    }
}

TEST(parse_timestamps)
{
    CHECK_EQ_INT(ts("2024-03-10T07:00:00.123456Z", TN_DT_US, true), 1710054000123456LL);
    CHECK_EQ_INT(ts("2024-03-10 07:00:00.123456", TN_DT_US, false), 1710054000123456LL);
    CHECK_EQ_INT(ts("2024-03-10t07:00", TN_DT_S, false), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10", TN_DT_MS, false), 1710028800000LL);
    CHECK_EQ_INT(ts("2024-03-10T12:30:00+05:30", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10T12:30:00 +05:30", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-09T23:00:00-0800", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10T02:00:00-05", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10T07:00:00z", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10T07:00:00 UTC", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-03-10T01:59:59 America/New_York", TN_DT_S, true), 1710053999);
    CHECK_EQ_INT(ts("2024-03-10T03:00:00[America/New_York]", TN_DT_S, true), 1710054000);
    CHECK_EQ_INT(ts("2024-07-01T13:00:00 Europe/London", TN_DT_S, true), 1719835200);
    CHECK_EQ_INT(ts("2024-07-01T12:00:00Z[Europe/London]", TN_DT_S, true), 1719835200); /* the offset decides */
    CHECK_EQ_INT(ts("2024-03-10 UTC", TN_DT_S, true), 1710028800);
    CHECK(ts("1677-09-21T00:12:43.145224192", TN_DT_NS, false) == INT64_MIN);
    CHECK(ts("2262-04-11T23:47:16.854775807Z", TN_DT_NS, true) == INT64_MAX);
    CHECK_EQ_INT(ts("-0001-12-31T23:59:59", TN_DT_S, false), -719528LL * 86400 - 1);

    ts_fails("", TARN_EPARSE, "invalid timestamp '': expected a year");
    ts_fails("2024-03-10X07:00", TARN_EPARSE, "unexpected 'X' at offset 10");
    ts_fails("2024-03-10T7:00", TARN_EPARSE, "expected a two-digit hour, found ':' at offset 12");
    ts_fails("2024-03-10T25:00", TARN_EPARSE, "hour 25 is out of range");
    ts_fails("2024-02-30T10:00", TARN_EPARSE, "day 30 is out of range for 2024-02 (29 days)");
    ts_fails("2024-03-10T10:00+25:00", TARN_EPARSE, "offset hour 25 is out of range");
    ts_fails("2024-03-10T10:00+05:60", TARN_EPARSE, "offset minute 60 is out of range");
    ts_fails("2024-03-10T10:00+05:3", TARN_EPARSE, "expected a two-digit offset minute, found end of input");
    ts_fails("2024-03-10T10:00+5", TARN_EPARSE, "expected a two-digit offset hour");
    ts_fails("2024-03-10T10:00 ", TARN_EPARSE, "unexpected ' ' at offset 16");
    ts_fails("2024-03-10T10:00Zulu", TARN_EPARSE, "unexpected 'Z' at offset 16");
    ts_fails("2024-03-10T10:00 Mars/Olympus", TARN_ENOTFOUND, "unknown time zone 'Mars/Olympus'");
    ts_fails("2024-03-10T10:00[Europe/London", TARN_EPARSE, "lacks its ']'");
    ts_fails("2024-03-10T10:00[]", TARN_EPARSE, "zone name must have 1 to 255 characters");
    ts_fails("2024-03-10T10:00[../../etc/passwd]", TARN_ENOTFOUND, "unknown time zone '../../etc/passwd'");
    ts_fails("2024-03-10T10:00Z[UTC]x", TARN_EPARSE, "unexpected 'x'");
    ts_fails("2262-04-11T23:47:16.854775808", TARN_EOVERFLOW, "out of range of a timestamp in ns");
    ts_fails("1677-09-21T00:12:43.145224191", TARN_EOVERFLOW, "out of range of a timestamp in ns");
    ts_fails("999999999999-01-01", TARN_EOVERFLOW, "out of range of a timestamp in ns");
    tn_tz_cache_clear();
}

/* ---- formatting ----------------------------------------------------------------------- */

TEST(formatting)
{
    char s[TN_DT_FORMAT_MAX];
    CHECK_EQ_INT(tn_format_date(0, s, sizeof s), 10);
    CHECK_STR(s, "1970-01-01");
    tn_format_date(-719529, s, sizeof s);
    CHECK_STR(s, "-0001-12-31");
    tn_format_date(-719528, s, sizeof s);
    CHECK_STR(s, "0000-01-01");
    tn_format_date(2932897, s, sizeof s);
    CHECK_STR(s, "+10000-01-01");
    tn_format_date(INT32_MIN, s, sizeof s);
    CHECK_STR(s, "-5877641-06-23");

    tn_format_time(25200, TN_DT_S, s, sizeof s);
    CHECK_STR(s, "07:00:00");
    tn_format_time(43200500, TN_DT_MS, s, sizeof s);
    CHECK_STR(s, "12:00:00.500");
    tn_format_time(43200000001LL, TN_DT_US, s, sizeof s);
    CHECK_STR(s, "12:00:00.000001");
    tn_format_time(86399999999999LL, TN_DT_NS, s, sizeof s);
    CHECK_STR(s, "23:59:59.999999999");

    tn_format_timestamp(1710054000123456LL, TN_DT_US, true, s, sizeof s);
    CHECK_STR(s, "2024-03-10T07:00:00.123456Z");
    tn_format_timestamp(1710054000123456LL, TN_DT_US, false, s, sizeof s);
    CHECK_STR(s, "2024-03-10T07:00:00.123456");
    tn_format_timestamp(1710054000, TN_DT_S, true, s, sizeof s);
    CHECK_STR(s, "2024-03-10T07:00:00Z");
    tn_format_timestamp(1710054000123LL, TN_DT_MS, true, s, sizeof s);
    CHECK_STR(s, "2024-03-10T07:00:00.123Z");
    tn_format_timestamp(1710054000000000007LL, TN_DT_NS, true, s, sizeof s);
    CHECK_STR(s, "2024-03-10T07:00:00.000000007Z");
    tn_format_timestamp(-1, TN_DT_MS, true, s, sizeof s);
    CHECK_STR(s, "1969-12-31T23:59:59.999Z");
    tn_format_timestamp(INT64_MIN, TN_DT_NS, true, s, sizeof s);
    CHECK_STR(s, "1677-09-21T00:12:43.145224192Z");
    tn_format_timestamp(INT64_MIN, TN_DT_S, true, s, sizeof s); /* the longest output */
    CHECK(strlen(s) < TN_DT_FORMAT_MAX);
    tn_format_timestamp(INT64_MAX, TN_DT_US, true, s, sizeof s);
    CHECK_STR(s, "+294247-01-10T04:00:54.775807Z");

    tn_format_timestamp_offset(1710054000123456LL, TN_DT_US, 19800, s, sizeof s);
    CHECK_STR(s, "2024-03-10T12:30:00.123456+05:30");
    tn_format_timestamp_offset(1710054000, TN_DT_S, -18000, s, sizeof s);
    CHECK_STR(s, "2024-03-10T02:00:00-05:00");
    tn_format_timestamp_offset(0, TN_DT_S, -17762, s, sizeof s); /* a local mean time offset */
    CHECK_STR(s, "1969-12-31T19:03:58-04:56:02");

    /* A short buffer truncates, stays terminated and reports the length kept. */
    char small[8];
    CHECK_EQ_INT(tn_format_timestamp(0, TN_DT_S, true, small, sizeof small), 7);
    CHECK_STR(small, "1970-01");
}

TEST(format_parse_round_trips)
{
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    int64_t bad = 0;
    for (int unit = TN_DT_S; unit <= TN_DT_NS; unit++) {
        for (int i = 0; i < 20000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int64_t v = (int64_t)x;
            if (unit == TN_DT_S)
                v /= 1000; /* keep the year within 12 digits */
            char s[TN_DT_FORMAT_MAX];
            tn_format_timestamp(v, (tn_dt_unit)unit, i & 1, s, sizeof s);
            tn_timestamp_parsed p;
            tarn_error err;
            if (tn_parse_timestamp(s, strlen(s), (tn_dt_unit)unit, &p, &err) != TARN_OK || p.value != v ||
                p.has_zone != (i & 1)) {
                if (bad++ < 3)
                    fprintf(stderr, "round trip of %lld (unit %d) via '%s' failed: %s\n", (long long)v, unit, s,
                            err.message);
            }
            int64_t tod = (int64_t)(x % (uint64_t)(86400 * tn_unit_per_second((tn_dt_unit)unit)));
            tn_format_time(tod, (tn_dt_unit)unit, s, sizeof s);
            int64_t back = -1;
            bad += tn_parse_time(s, strlen(s), (tn_dt_unit)unit, &back, &err) != TARN_OK || back != tod;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- time zones ------------------------------------------------------------------------- */

static const tn_tz *zone(const char *name)
{
    const tn_tz *tz = NULL;
    tarn_error err;
    if (tn_tz_get(name, &tz, &err) != TARN_OK) {
        fprintf(stderr, "zone %s: %s\n", name, err.message);
        tn_test_failures++;
        static const tn_tz *utc;
        if (!utc && tn_tz_get("UTC", &utc, &err) != TARN_OK)
            abort();
        return utc;
    }
    return tz;
}

/* local wall clock -> instant, and the fold */
static void check_local(const tn_tz *tz, const char *local, int64_t want_utc, tn_tz_fold want_fold)
{
    int64_t l = ts(local, TN_DT_S, false);
    tn_tz_fold fold;
    int64_t u = tn_tz_local_to_utc(tz, l, &fold);
    if (u != want_utc || fold != want_fold) {
        fprintf(stderr, "%s at %s: got %lld fold %d, want %lld fold %d\n", tn_tz_name(tz), local, (long long)u,
                fold, (long long)want_utc, want_fold);
        tn_test_failures++;
    }
}

TEST(zone_new_york_2024)
{
    const tn_tz *ny = zone("America/New_York");
    CHECK_STR(tn_tz_name(ny), "America/New_York");
    CHECK_EQ_INT(tn_tz_offset_at(ny, 1710054000 - 1), -18000);
    CHECK_EQ_INT(tn_tz_offset_at(ny, 1710054000), -14400);
    CHECK_EQ_INT(tn_tz_offset_at(ny, 1730613600 - 1), -14400);
    CHECK_EQ_INT(tn_tz_offset_at(ny, 1730613600), -18000);
    CHECK_EQ_INT(tn_tz_offset_at(ny, 1719835200), -14400);
    CHECK_EQ_INT(tn_tz_offset_at(ny, -2717650801LL), -17762); /* 1883: local mean time */
    check_local(ny, "2024-03-10T01:59:59", 1710053999, TN_TZ_UNIQUE);
    check_local(ny, "2024-03-10T02:30:00", 1710055800, TN_TZ_GAP); /* = 03:30 EDT */
    check_local(ny, "2024-03-10T03:00:00", 1710054000, TN_TZ_UNIQUE);
    check_local(ny, "2024-11-03T00:59:59", 1730609999, TN_TZ_UNIQUE);
    check_local(ny, "2024-11-03T01:30:00", 1730611800, TN_TZ_OVERLAP); /* 01:30 EDT, the earlier */
    check_local(ny, "2024-11-03T02:00:00", 1730617200, TN_TZ_UNIQUE);
    check_local(ny, "2024-07-01T08:00:00", 1719835200, TN_TZ_UNIQUE);
    CHECK(zone("America/New_York") == ny); /* cached */
    tn_tz_cache_clear();
}

TEST(zone_london_2024)
{
    const tn_tz *lon = zone("Europe/London");
    CHECK_EQ_INT(tn_tz_offset_at(lon, 1711846800 - 1), 0);
    CHECK_EQ_INT(tn_tz_offset_at(lon, 1711846800), 3600);
    CHECK_EQ_INT(tn_tz_offset_at(lon, 1729990800 - 1), 3600);
    CHECK_EQ_INT(tn_tz_offset_at(lon, 1729990800), 0);
    check_local(lon, "2024-03-31T01:30:00", 1711848600, TN_TZ_GAP);     /* = 02:30 BST */
    check_local(lon, "2024-10-27T01:30:00", 1729989000, TN_TZ_OVERLAP); /* 01:30 BST */
    check_local(lon, "2024-10-27T02:00:00", 1729994400, TN_TZ_UNIQUE);
    char s[TN_DT_FORMAT_MAX];
    tn_format_timestamp_offset(1719835200, TN_DT_S, tn_tz_offset_at(lon, 1719835200), s, sizeof s);
    CHECK_STR(s, "2024-07-01T13:00:00+01:00");
    tn_tz_cache_clear();
}

TEST(zone_lord_howe)
{
    const tn_tz *lh = zone("Australia/Lord_Howe");
    CHECK_EQ_INT(tn_tz_offset_at(lh, 1712415600 - 1), 39600);
    CHECK_EQ_INT(tn_tz_offset_at(lh, 1712415600), 37800);
    CHECK_EQ_INT(tn_tz_offset_at(lh, 1728142200 - 1), 37800);
    CHECK_EQ_INT(tn_tz_offset_at(lh, 1728142200), 39600);
    check_local(lh, "2024-04-07T01:45:00", 1712414700, TN_TZ_OVERLAP); /* the +11 reading */
    check_local(lh, "2024-10-06T02:15:00", 1728143100, TN_TZ_GAP);     /* = 02:45 +11 */
    check_local(lh, "2024-10-06T02:30:00", 1728142200, TN_TZ_UNIQUE);
    /* The footer rule in 2100, with its half-hour shift. */
    int64_t jan = ts("2100-01-15T00:00:00Z", TN_DT_S, true), jul = ts("2100-07-15T00:00:00Z", TN_DT_S, true);
    CHECK_EQ_INT(tn_tz_offset_at(lh, jan), 39600);
    CHECK_EQ_INT(tn_tz_offset_at(lh, jul), 37800);
    tn_tz_cache_clear();
}

TEST(zone_footer_rule_2100)
{
    const tn_tz *ny = zone("America/New_York");
    CHECK_EQ_INT(tn_tz_offset_at(ny, 4108690800 - 1), -18000); /* 2100-03-14 */
    CHECK_EQ_INT(tn_tz_offset_at(ny, 4108690800), -14400);
    CHECK_EQ_INT(tn_tz_offset_at(ny, 4129250400 - 1), -14400); /* 2100-11-07 */
    CHECK_EQ_INT(tn_tz_offset_at(ny, 4129250400), -18000);
    check_local(ny, "2100-03-14T02:30:00", 4108692600, TN_TZ_GAP);
    check_local(ny, "2100-11-07T01:30:00", 4129248600, TN_TZ_OVERLAP);
    CHECK_EQ_INT(tn_tz_offset_at(ny, INT64_MAX), -18000); /* far beyond: standard time, no overflow */
    CHECK_EQ_INT(tn_tz_offset_at(ny, INT64_MIN), -17762);
    (void)tn_tz_local_to_utc(ny, INT64_MAX, NULL);
    (void)tn_tz_local_to_utc(ny, INT64_MIN, NULL);
    tn_tz_cache_clear();
}

TEST(zone_kolkata_and_fixed)
{
    const tn_tz *k = zone("Asia/Kolkata");
    CHECK_EQ_INT(tn_tz_offset_at(k, 1710054000), 19800);
    check_local(k, "2024-03-10T12:30:00", 1710054000, TN_TZ_UNIQUE);
    CHECK_EQ_INT(ts("2024-03-10T12:30:00 Asia/Kolkata", TN_DT_S, true), 1710054000);

    CHECK_EQ_INT(tn_tz_offset_at(zone("+05:30"), 0), 19800);
    CHECK_EQ_INT(tn_tz_offset_at(zone("-0800"), 0), -28800);
    CHECK_EQ_INT(tn_tz_offset_at(zone("+05"), 0), 18000);
    CHECK_EQ_INT(tn_tz_offset_at(zone("-00:00"), 0), 0);
    CHECK_EQ_INT(tn_tz_local_to_utc(zone("+05:30"), 19800, NULL), 0);
    CHECK_EQ_INT(tn_tz_offset_at(zone("UTC"), 123), 0);
    CHECK_EQ_INT(tn_tz_offset_at(zone("Z"), 123), 0);
    CHECK(zone("UTC") == zone("Z"));
    CHECK(zone("+05:30") == zone("+05:30"));
    const char *bad[] = {"+5", "+05:3", "+0530x", "+24:00", "+05:60", "-", "+"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const tn_tz *tz;
        tarn_error err;
        CHECK_EQ_INT(tn_tz_get(bad[i], &tz, &err), TARN_ENOTFOUND);
        CHECK_MSG(&err, "unknown time zone");
    }
    tn_tz_cache_clear();
}

TEST(zone_unknown_names)
{
    const char *bad[] = {"Mars/Olympus", "", "../../etc/passwd", "/etc/passwd", "America", "America/",
                         "America//New_York", "America/../Europe/London", "Europe/London\n", "America/New York"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const tn_tz *tz;
        tarn_error err;
        tarn_error_init(&err);
        int rc = tn_tz_get(bad[i], &tz, &err);
        if (rc != TARN_ENOTFOUND || !strstr(err.message, "unknown time zone '")) {
            fprintf(stderr, "zone name '%s': %s %s\n", bad[i], tarn_status_name(rc), err.message);
            tn_test_failures++;
        }
    }
    const tn_tz *tz;
    tarn_error err;
    CHECK_EQ_INT(tn_tz_get("Mars/Olympus", &tz, &err), TARN_ENOTFOUND);
    CHECK_STR(err.message, "unknown time zone 'Mars/Olympus'");
    tn_tz_cache_clear();
}

/* ---- TZif bytes --------------------------------------------------------------------------- */

typedef struct tzif_spec {
    char version;          /* 0 or '2' */
    int ntimes;
    const int64_t *times;
    const uint8_t *idx;
    int ntypes;
    const int32_t *offs;
    const char *footer;    /* v2: the TZ string */
} tzif_spec;

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
    return 4;
}

static size_t put_block(uint8_t *p, const tzif_spec *s, int tsize)
{
    size_t n = 0;
    memcpy(p, "TZif", 4);
    p[4] = (uint8_t)s->version;
    memset(p + 5, 0, 15);
    n = 20;
    n += put32(p + n, 0);
    n += put32(p + n, 0);
    n += put32(p + n, 0);
    n += put32(p + n, (uint32_t)s->ntimes);
    n += put32(p + n, (uint32_t)s->ntypes);
    n += put32(p + n, 4);
    for (int i = 0; i < s->ntimes; i++) {
        if (tsize == 8) {
            n += put32(p + n, (uint32_t)((uint64_t)s->times[i] >> 32));
            n += put32(p + n, (uint32_t)s->times[i]);
        } else {
            n += put32(p + n, (uint32_t)s->times[i]);
        }
    }
    for (int i = 0; i < s->ntimes; i++)
        p[n++] = s->idx[i];
    for (int i = 0; i < s->ntypes; i++) {
        n += put32(p + n, (uint32_t)s->offs[i]);
        p[n++] = 0;
        p[n++] = 0;
    }
    memcpy(p + n, "ABC", 4);
    return n + 4;
}

static size_t make_tzif(uint8_t *out, const tzif_spec *s)
{
    size_t n = put_block(out, s, 4);
    if (s->version == 0)
        return n;
    n += put_block(out + n, s, 8);
    out[n++] = '\n';
    size_t f = strlen(s->footer);
    memcpy(out + n, s->footer, f);
    n += f;
    out[n++] = '\n';
    return n;
}

static int parse_bytes(const uint8_t *p, size_t n, tn_tz **out, tarn_error *err)
{
    return tn_tz_parse_tzif(p, n, "test.tzif", out, err);
}

TEST(tzif_built_by_hand)
{
    uint8_t buf[512];
    tarn_error err;
    tn_tz *tz = NULL;
    /* Zero transitions; the footer rules everything. */
    tzif_spec us = {'2', 0, NULL, NULL, 1, (const int32_t[]){-18000}, "EST5EDT,M3.2.0,M11.1.0"};
    CHECK_OK(parse_bytes(buf, make_tzif(buf, &us), &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1719835200), -14400);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1710054000 - 1), -18000);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1710054000), -14400);
    tn_tz_free(tz);
    /* Southern hemisphere: daylight time spans the new year. */
    tzif_spec au = {'2', 0, NULL, NULL, 1, (const int32_t[]){36000}, "AEST-10AEDT,M10.1.0,M4.1.0/3"};
    CHECK_OK(parse_bytes(buf, make_tzif(buf, &au), &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1705320000), 39600); /* 2024-01-15 */
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1721044800), 36000); /* 2024-07-15 */
    tn_tz_free(tz);
    /* Julian-day rules, explicit DST offset, times past midnight and <quoted> names. */
    tzif_spec jl = {'2', 0, NULL, NULL, 1, (const int32_t[]){-10800}, "<-03>3<-01>1,J60/25,300/-1:30"};
    CHECK_OK(parse_bytes(buf, make_tzif(buf, &jl), &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1719835200), -3600);  /* July */
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1705320000), -10800); /* January */
    tn_tz_free(tz);
    /* Transitions, then no footer rule: the last offset lasts. */
    int64_t times[2] = {0, 1000};
    uint8_t idx[2] = {1, 0};
    tzif_spec tr = {'2', 2, times, idx, 2, (const int32_t[]){3600, 7200}, ""};
    CHECK_OK(parse_bytes(buf, make_tzif(buf, &tr), &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, -1), 3600);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 0), 7200);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 999), 7200);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1000), 3600);
    CHECK_EQ_INT(tn_tz_offset_at(tz, INT64_MAX), 3600);
    tn_tz_free(tz);
    /* Version 1 only: 32-bit times, no footer. */
    tr.version = 0;
    CHECK_OK(parse_bytes(buf, make_tzif(buf, &tr), &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 500), 7200);
    tn_tz_free(tz);
    tn_tz_free(NULL);
}

static void tzif_rejects(const uint8_t *p, size_t n, int code, const char *msg)
{
    tn_tz *tz = NULL;
    tarn_error err;
    tarn_error_init(&err);
    int rc = parse_bytes(p, n, &tz, &err);
    if (rc != code || tz != NULL || !strstr(err.message, msg)) {
        fprintf(stderr, "tzif: got %s \"%s\", want %s \"...%s...\"\n", tarn_status_name(rc), err.message,
                tarn_status_name(code), msg);
        tn_test_failures++;
    }
    tn_tz_free(tz);
}

TEST(tzif_corrupt_bytes)
{
    uint8_t buf[512], bad[512];
    int64_t times[2] = {0, 1000};
    uint8_t idx[2] = {1, 0};
    tzif_spec s = {'2', 2, times, idx, 2, (const int32_t[]){3600, 7200}, "CET-1CEST,M3.5.0,M10.5.0/3"};
    size_t n = make_tzif(buf, &s);
    size_t v1 = 44 + 2 * 5 + 2 * 6 + 4; /* the first block */

    tzif_rejects(buf, 10, TARN_ECORRUPT, "corrupt time zone file test.tzif: not a TZif file");
    memcpy(bad, buf, n);
    bad[0] = 'X';
    tzif_rejects(bad, n, TARN_ECORRUPT, "not a TZif file");
    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < n; cut++) {
        tn_tz *tz = NULL;
        tarn_error err;
        int rc = parse_bytes(buf, cut, &tz, &err);
        if (rc != TARN_ECORRUPT || tz) {
            fprintf(stderr, "truncated to %zu bytes: %s %s\n", cut, tarn_status_name(rc), err.message);
            tn_test_failures++;
        }
        tn_tz_free(tz);
    }
    memcpy(bad, buf, n);
    put32(bad + v1 + 36, 0); /* v2 typecnt */
    tzif_rejects(bad, n, TARN_ECORRUPT, "0 local time types");
    memcpy(bad, buf, n);
    put32(bad + 32, 0x7fffffff); /* v1 timecnt */
    tzif_rejects(bad, n, TARN_ECORRUPT, "transitions");
    memcpy(bad, buf, n);
    put32(bad + 32, 0x1000000);
    tzif_rejects(bad, n, TARN_ECORRUPT, "truncated version 1 data");
    memcpy(bad, buf, n);
    bad[v1 + 44 + 16 + 1] = 2; /* v2: second transition's type index */
    tzif_rejects(bad, n, TARN_ECORRUPT, "transition 1 uses type 2 of 2");
    memcpy(bad, buf, n);
    bad[v1 + 44 + 7] = 0xe8, bad[v1 + 44 + 6] = 0x03; /* first time = 1000, not before the second */
    tzif_rejects(bad, n, TARN_ECORRUPT, "transition 1 is not after the one before");
    memcpy(bad, buf, n);
    put32(bad + v1 + 44 + 18, 0x7fffffff); /* v2 first type's offset */
    tzif_rejects(bad, n, TARN_ECORRUPT, "offset 2147483647 of type 0 is out of range");
    memcpy(bad, buf, n);
    bad[v1 + 44 + 18 + 4] = 7; /* isdst */
    tzif_rejects(bad, n, TARN_ECORRUPT, "isdst of type 0 is 7");
    memcpy(bad, buf, n);
    bad[v1 + 44 + 18 + 5] = 9; /* abbreviation index */
    tzif_rejects(bad, n, TARN_ECORRUPT, "abbreviation index of type 0");
    memcpy(bad, buf, n);
    put32(bad + 28, 1); /* leap seconds */
    tzif_rejects(bad, n, TARN_EUNSUPPORTED, "leap seconds");
    memcpy(bad, buf, n);
    bad[n - 1] = 'x'; /* unterminated footer */
    tzif_rejects(bad, n, TARN_ECORRUPT, "footer is unterminated");
    const char *footers[] = {"CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
                             "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J300", "CET-1CEST,366,300",
                             "CET-1CEST,M3.5.0/168,M10.5.0", "C-1", "<AB-1", "CET-1CEST,M3.5.0,M10.5.0x",
                             "CET-25", "CET-1CEST,M3.5.0,M10."};
    for (size_t i = 0; i < sizeof footers / sizeof *footers; i++) {
        tzif_spec f = s;
        f.footer = footers[i];
        size_t m = make_tzif(bad, &f);
        tzif_rejects(bad, m, TARN_ECORRUPT, "bad TZ string footer");
    }
}

TEST(tzif_real_files)
{
    /* Each system file parses; truncating one anywhere fails cleanly. */
    FILE *f = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static uint8_t data[8192];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    tn_tz *tz = NULL;
    tarn_error err;
    CHECK_OK(tn_tz_parse_tzif(data, n, "America/New_York", &tz, &err), &err);
    CHECK_EQ_INT(tn_tz_offset_at(tz, 1710054000), -14400);
    tn_tz_free(tz);
    int failures = 0;
    for (size_t cut = 0; cut < n; cut++) {
        tz = NULL;
        if (tn_tz_parse_tzif(data, cut, "x", &tz, &err) == TARN_OK)
            failures++;
        tn_tz_free(tz);
    }
    CHECK_EQ_INT(failures, 0);
}

TEST(zone_files_on_disk)
{
    /* A corrupt file in the database names the file. */
    char dir[] = "/tmp/tarn_tzXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[64], path[96];
    snprintf(sub, sizeof sub, "%s/Bad", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/Bad/Zone", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs("TZif2 but not really a zone file, just some text that is long enough", f);
        fclose(f);
    }
    setenv("TZDIR", dir, 1);
    const tn_tz *tz;
    tarn_error err;
    CHECK_EQ_INT(tn_tz_get("Bad/Zone", &tz, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "corrupt time zone file ");
    CHECK_MSG(&err, "/Bad/Zone");
    CHECK_EQ_INT(tn_tz_get("Bad", &tz, &err), TARN_ENOTFOUND); /* a directory */
    CHECK_EQ_INT(tn_tz_get("America/New_York", &tz, &err), TARN_ENOTFOUND);
    unsetenv("TZDIR");
    CHECK_OK(tn_tz_get("America/New_York", &tz, &err), &err);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    tn_tz_cache_clear();
}

/* Many threads asking for the same zones get the same pointers. */
typedef struct zone_ctx {
    const tn_tz *first[4];
    atomic_int mismatches;
} zone_ctx;

static const char *const shared_names[4] = {"America/New_York", "Europe/London", "Asia/Kolkata", "+05:30"};

static int get_zones(void *ctx, int64_t begin, int64_t end, tarn_error *err)
{
    zone_ctx *z = ctx;
    for (int64_t i = begin; i < end; i++) {
        const tn_tz *tz;
        TN_TRY(tn_tz_get(shared_names[i % 4], &tz, err));
        if (tz != z->first[i % 4])
            atomic_fetch_add(&z->mismatches, 1);
    }
    return TARN_OK;
}

TEST(zone_cache_threads)
{
    tarn_error err;
    CHECK_OK(tarn_set_threads(4, &err), &err);
    zone_ctx z, cold;
    memset(&z, 0, sizeof z);
    memset(&cold, 0, sizeof cold);
    for (int i = 0; i < 4; i++)
        z.first[i] = zone(shared_names[i]);
    CHECK_OK(tn_parallel_for(4000, 10, get_zones, &z, &err), &err);
    CHECK_EQ_INT(atomic_load(&z.mismatches), 0);
    tn_tz_cache_clear();
    /* Cold cache: concurrent first loads; compare against whatever won. */
    CHECK_OK(tn_parallel_for(4, 1, get_zones, &cold, &err), &err);
    for (int i = 0; i < 4; i++)
        z.first[i] = zone(shared_names[i]);
    atomic_store(&z.mismatches, 0);
    CHECK_OK(tn_parallel_for(400, 1, get_zones, &z, &err), &err);
    CHECK_EQ_INT(atomic_load(&z.mismatches), 0);
    tn_tz_cache_clear();
    CHECK_OK(tarn_set_threads(0, &err), &err);
    tn_pool_shutdown();
}

/* ---- allocation failures -------------------------------------------------------------------- */

static int load_zone(void *ctx, tarn_error *err)
{
    const tn_tz *tz;
    tn_tz_cache_clear();
    int rc = tn_tz_get((const char *)ctx, &tz, err);
    tn_tz_cache_clear();
    return rc;
}

static int parse_ny_stamp(void *ctx, tarn_error *err)
{
    tn_timestamp_parsed p;
    tn_tz_cache_clear();
    int rc = tn_parse_timestamp("2024-03-10T02:30:00 America/New_York", 36, TN_DT_S, &p, err);
    tn_tz_cache_clear();
    return rc;
}

TEST(zone_allocation_failures)
{
    CHECK(tn_test_alloc_failures("load America/New_York", load_zone, "America/New_York") >= 3);
    CHECK(tn_test_alloc_failures("fixed zone", load_zone, "+05:30") == 2);
    CHECK(tn_test_alloc_failures("timestamp with a zone", parse_ny_stamp, NULL) >= 3);
}

int main(void)
{
    RUN(calendar_known_values);
    RUN(calendar_round_trips);
    RUN(weekdays_and_weeks);
    RUN(timestamps_and_units);
    RUN(parse_dates);
    RUN(parse_times);
    RUN(parse_timestamps);
    RUN(formatting);
    RUN(format_parse_round_trips);
    RUN(zone_new_york_2024);
    RUN(zone_london_2024);
    RUN(zone_lord_howe);
    RUN(zone_footer_rule_2100);
    RUN(zone_kolkata_and_fixed);
    RUN(zone_unknown_names);
    RUN(tzif_built_by_hand);
    RUN(tzif_corrupt_bytes);
    RUN(tzif_real_files);
    RUN(zone_files_on_disk);
    RUN(zone_cache_threads);
    RUN(zone_allocation_failures);
    return tn_test_done();
}
