/*
 * fuzz_parquet_meta.c — libFuzzer target for Parquet footer decoding: the
 * input is a FileMetaData in Thrift compact bytes; it is decoded (meta.c)
 * and, when it decodes, turned into the schema tree and Arrow schema
 * (schema.c). Also decodes the input as a PageHeader.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    tarn_error err;
    uint8_t *copy = tn_malloc(size + 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    pq_file_meta *m;
    if (tn_pq_meta_decode(copy, size, &m, &err) == 0) {
        pq_schema *s;
        if (tn_pq_schema_build(m, &s, &err) == 0)
            tn_pq_schema_free(s);
        tn_pq_meta_free(m);
    }
    pq_page_header h;
    size_t used;
    if (tn_pq_page_header_decode(data, size, &h, &used, &err) != 0)
        return 0;
    return 0;
}
