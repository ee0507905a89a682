/*
 * fuzz_tzif.c — the TZif parser over arbitrary bytes. A zone that parses is
 * also queried across its whole range, so the transition search and the
 * POSIX footer rule see whatever the bytes describe.
 */
#include <stdint.h>

#include "core/datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tn_tz *tz = NULL;
    tarn_error err;
    if (tn_tz_parse_tzif(data, size, "fuzz", &tz, &err) != TARN_OK)
        return 0;
    static const int64_t probes[] = {INT64_MIN, -4000000000000LL, -2717650801LL, 0, 1710054000, 4108690800LL,
                                     1000000000000000LL, INT64_MAX};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        (void)tn_tz_offset_at(tz, probes[i]);
        (void)tn_tz_local_to_utc(tz, probes[i], NULL);
    }
    for (int64_t t = -3000000000LL; t < 5000000000LL; t += 7776000) /* every 90 days, 1875..2128 */
        (void)tn_tz_local_to_utc(tz, t, NULL);
    tn_tz_free(tz);
    return 0;
}
