/*
 * fuzz_parquet_filter.c — the `--where` predicate parser of the Parquet
 * reader over arbitrary text.
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = tn_malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    pq_filter *f = NULL;
    if (tn_pq_filter_parse(text, &f, NULL) == TARN_OK)
        tn_pq_filter_free(f);
    tn_free(text);
    return 0;
}
