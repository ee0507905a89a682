/*
 * fuzz_parquet_page.c — libFuzzer target for Parquet page decoding. The
 * first 4 input bytes choose the column: byte 0 = physical type | codec
 * << 3, byte 1 = max definition level | max repetition level << 2, byte 2
 * = FIXED_LEN_BYTE_ARRAY width - 1, byte 3 and 4 = the chunk's value count
 * (u16 LE); the rest is a column chunk (page headers and pages). The chunk is decoded
 * (column.c: levels, decompression, every encoding) and its leaf assembled
 * into an Arrow array (assemble.c).
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/assemble.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_set_memory_limit(256 << 20);
    if (size < 5)
        return 0;
    static const int codecs[] = {PQ_UNCOMPRESSED, PQ_SNAPPY, PQ_GZIP, PQ_BROTLI, PQ_LZ4, PQ_ZSTD, PQ_LZ4_RAW, PQ_UNCOMPRESSED};
    pq_schema_elt elt = {.name = "f", .type = data[0] & 7, .type_length = 1 + data[2], .converted = -1};
    pq_node leaf = {.kind = PQN_LEAF, .name = "f", .elt = &elt, .leaf = 0, .first_leaf = 0};
    leaf.max_def = data[1] & 3;
    leaf.max_rep = (data[1] >> 2) & 3;
    leaf.slot_rep = leaf.max_rep;
    leaf.slot_def = 0;
    leaf.valid_def = leaf.max_def;
    switch (elt.type) {
    case PQ_BOOLEAN: leaf.conv = PQC_BOOL; leaf.type = tn_type_get(TN_BOOL); break;
    case PQ_INT32: leaf.conv = PQC_COPY; leaf.type = tn_type_get(TN_INT32); break;
    case PQ_INT64: case PQ_INT96: leaf.conv = PQC_COPY; leaf.type = tn_type_get(TN_INT64); break;
    case PQ_FLOAT: leaf.conv = PQC_COPY; leaf.type = tn_type_get(TN_FLOAT32); break;
    case PQ_DOUBLE: leaf.conv = PQC_COPY; leaf.type = tn_type_get(TN_FLOAT64); break;
    case PQ_BYTE_ARRAY: leaf.conv = PQC_BINARY; leaf.type = tn_type_get(TN_STRING); break;
    default:
        leaf.conv = PQC_DEC_BE;
        leaf.type = tn_type_decimal(128, 38, 2);
        break;
    }
    if (!leaf.type)
        return 0;
    pq_column_meta m = {.type = elt.type, .codec = codecs[(data[0] >> 3) & 7], .num_values = data[3] | data[4] << 8};
    pq_chunk_data chunk;
    tarn_error err;
    if (tn_pq_read_chunk(&leaf, &m, data + 5, size - 5, "f", (data[0] & 0x40) != 0, (data[0] & 0x80) ? data[3] : -1, &chunk, &err) == 0) {
        tn_array *a;
        if (tn_pq_assemble(&leaf, &chunk, &a, &err) == 0)
            tn_array_unref(a);
        tn_pq_chunk_data_reset(&chunk);
    }
    tn_type_unref(leaf.type);
    return 0;
}
