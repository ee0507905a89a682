/*
 * fuzz_datetime.c — the date, time and timestamp parsers over arbitrary
 * text, in every unit. What parses must format and parse back to the same
 * value; a mismatch aborts so the fuzzer reports it.
 *
 * Zone names in the input are looked up in the system tz database, so the
 * zone cache is cleared after each input to keep memory flat.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    tarn_error err;
    char text[TN_DT_FORMAT_MAX];
    int32_t days;
    if (tn_parse_date(s, size, &days, &err) == TARN_OK) {
        int32_t back;
        tn_format_date(days, text, sizeof text);
        if (tn_parse_date(text, strlen(text), &back, &err) != TARN_OK || back != days)
            abort();
    }
    for (int unit = TN_DT_S; unit <= TN_DT_NS; unit++) {
        int64_t v;
        if (tn_parse_time(s, size, (tn_dt_unit)unit, &v, &err) == TARN_OK) {
            int64_t back;
            tn_format_time(v, (tn_dt_unit)unit, text, sizeof text);
            if (tn_parse_time(text, strlen(text), (tn_dt_unit)unit, &back, &err) != TARN_OK || back != v)
                abort();
        }
        tn_timestamp_parsed p;
        if (tn_parse_timestamp(s, size, (tn_dt_unit)unit, &p, &err) == TARN_OK) {
            tn_timestamp_parsed back;
            tn_format_timestamp(p.value, (tn_dt_unit)unit, p.has_zone, text, sizeof text);
            if (tn_parse_timestamp(text, strlen(text), (tn_dt_unit)unit, &back, &err) != TARN_OK ||
                back.value != p.value || back.has_zone != p.has_zone)
                abort();
        }
    }
    tn_tz_cache_clear();
    return 0;
}
