/*
 * fuzz_gcs_list.c — the GCS list-answer reader over arbitrary bytes.
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int tn_gcs_parse_list(const char *json, size_t n, tn_list_fn fn, void *ctx, char **next_token, tarn_error *err);

static int visit(void *ctx, const tn_list_entry *e, tarn_error *err)
{
    (void)err;
    *(uint64_t *)ctx += (uint64_t)e->meta.size + strlen(e->key);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t sum = 0;
    char *token = NULL;
    (void)!tn_gcs_parse_list((const char *)data, size, visit, &sum, &token, NULL);
    tn_free(token);
    return 0;
}
