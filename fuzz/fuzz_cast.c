/*
 * fuzz_cast.c — text casts over arbitrary bytes: the input is split at
 * newlines into the rows of a utf8 array, which is cast in TRY and STRICT
 * mode to integers, floats, decimals, bool and temporal types. Whatever
 * parses must format back to text and parse again to the same values
 * (floats bit-exactly, NaN aside); a mismatch aborts so the fuzzer reports
 * it. Zones are cached by core/datetime, so the cache is cleared after each
 * input to keep memory flat.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/builder.h"
#include "arrow/compute/compute.h"
#include "core/datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tn_array *rows_of(const uint8_t *data, size_t size)
{
    tn_builder *b = tn_builder_new(tn_type_get(TN_STRING));
    if (!b)
        return NULL;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        if (tn_builder_append_bytes(b, data + start, (int64_t)(i - start), NULL) != 0) {
            tn_builder_free(b);
            return NULL;
        }
        start = i + 1;
    }
    tn_array *a = NULL;
    if (tn_builder_finish(b, &a, NULL) != 0)
        a = NULL;
    tn_builder_free(b);
    return a;
}

/* Cast in to t (TRY); the values that parsed, formatted and parsed again,
 * must be equal. */
static void round_trip(tn_array *in, tn_type *t)
{
    tarn_error err;
    tn_array *v = NULL, *s = NULL, *back = NULL, *strict = NULL;
    if (tn_cast(in, t, TN_CAST_TRY, &v, &err) != 0)
        goto done;
    if (tn_cast(in, t, TN_CAST_STRICT, &strict, &err) != 0 && strict)
        abort(); /* may fail, but then without a result */
    if (tn_cast(v, tn_type_get(TN_STRING), TN_CAST_STRICT, &s, &err) != 0)
        abort();
    if (tn_cast(s, t, TN_CAST_STRICT, &back, &err) != 0)
        abort();
    if (!tn_array_equals(v, back)) {
        bool floats = t->id == TN_FLOAT32 || t->id == TN_FLOAT64; /* NaN != NaN in equals */
        if (!floats)
            abort();
    }
done:
    tn_array_unref(v);
    tn_array_unref(s);
    tn_array_unref(back);
    tn_array_unref(strict);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    tn_array *in = rows_of(data, size);
    if (!in)
        return 0;
    static const tn_type_id simple[] = {TN_INT8, TN_INT32, TN_INT64, TN_UINT64, TN_FLOAT32, TN_FLOAT64,
                                        TN_BOOL, TN_DATE32, TN_DATE64};
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
        round_trip(in, tn_type_get(simple[i]));
    tn_type *ts[] = {tn_type_decimal(128, 18, 4), tn_type_decimal(256, 60, 10), tn_type_timestamp(TN_MICRO, NULL),
                     tn_type_timestamp(TN_MILLI, "UTC"), tn_type_time(TN_TIME64, TN_NANO)};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        if (ts[i])
            round_trip(in, ts[i]);
        tn_type_unref(ts[i]);
    }
    tn_array_unref(in);
    tn_tz_cache_clear();
    return 0;
}
