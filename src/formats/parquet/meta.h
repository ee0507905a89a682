/*
 * meta.h — Parquet file metadata (the footer) and page headers, decoded from
 * the Thrift structures of parquet.thrift into plain C structs. Only the
 * fields tarn uses are kept; unknown fields are skipped, as Thrift intends.
 * Strings and statistics bytes live in the metadata's arena or point into
 * the footer bytes it keeps.
 */
#ifndef TN_PARQUET_META_H
#define TN_PARQUET_META_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

/* Physical types (parquet.thrift Type). */
enum { PQ_BOOLEAN = 0, PQ_INT32, PQ_INT64, PQ_INT96, PQ_FLOAT, PQ_DOUBLE, PQ_BYTE_ARRAY, PQ_FLBA };
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
/* ConvertedType. */
enum {
    PQ_CT_UTF8 = 0, PQ_CT_MAP, PQ_CT_MAP_KEY_VALUE, PQ_CT_LIST, PQ_CT_ENUM, PQ_CT_DECIMAL, PQ_CT_DATE,
    PQ_CT_TIME_MILLIS, PQ_CT_TIME_MICROS, PQ_CT_TIMESTAMP_MILLIS, PQ_CT_TIMESTAMP_MICROS, PQ_CT_UINT_8,
    PQ_CT_UINT_16, PQ_CT_UINT_32, PQ_CT_UINT_64, PQ_CT_INT_8, PQ_CT_INT_16, PQ_CT_INT_32, PQ_CT_INT_64,
    PQ_CT_JSON, PQ_CT_BSON, PQ_CT_INTERVAL
};
/* LogicalType union members (field ids). */
enum {
    PQ_LT_NONE = 0, PQ_LT_STRING = 1, PQ_LT_MAP = 2, PQ_LT_LIST = 3, PQ_LT_ENUM = 4, PQ_LT_DECIMAL = 5,
    PQ_LT_DATE = 6, PQ_LT_TIME = 7, PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10, PQ_LT_UNKNOWN = 11,
    PQ_LT_JSON = 12, PQ_LT_BSON = 13, PQ_LT_UUID = 14, PQ_LT_FLOAT16 = 15, PQ_LT_VARIANT = 16,
    PQ_LT_GEOMETRY = 17, PQ_LT_GEOGRAPHY = 18, PQ_LT_OTHER = 99
};
enum { PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };
/* Encodings. */
enum {
    PQ_PLAIN = 0, PQ_PLAIN_DICTIONARY = 2, PQ_RLE = 3, PQ_BIT_PACKED = 4, PQ_DELTA_BINARY_PACKED = 5,
    PQ_DELTA_LENGTH_BYTE_ARRAY = 6, PQ_DELTA_BYTE_ARRAY = 7, PQ_RLE_DICTIONARY = 8, PQ_BYTE_STREAM_SPLIT = 9
};
/* Codecs. */
enum { PQ_UNCOMPRESSED = 0, PQ_SNAPPY, PQ_GZIP, PQ_LZO, PQ_BROTLI, PQ_LZ4, PQ_ZSTD, PQ_LZ4_RAW };
/* Page types. */
enum { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };

typedef struct pq_logical {
    int kind;          /* PQ_LT_* */
    int32_t scale, precision;
    bool utc;          /* time/timestamp isAdjustedToUTC */
    int unit;          /* PQ_UNIT_* */
    int8_t bit_width;  /* integer */
    bool is_signed;
} pq_logical;

typedef struct pq_schema_elt {
    char *name;
    int32_t type;        /* physical type, -1 for groups */
    int32_t type_length;
    int32_t repetition;  /* -1 when absent (the root) */
    int32_t num_children;
    int32_t converted;   /* -1 when absent */
    int32_t scale, precision;
    int32_t field_id;
    bool has_field_id;
    pq_logical logical;
} pq_schema_elt;

typedef struct pq_bytes {
    const uint8_t *p; /* into the footer; NULL when absent */
    uint32_t n;
} pq_bytes;

typedef struct pq_stats {
    pq_bytes min, max;             /* min_value/max_value, else legacy min/max */
    int64_t null_count;            /* -1 when absent */
    int64_t distinct_count;        /* -1 when absent */
    bool legacy;                   /* min/max come from the deprecated fields (signed byte order) */
} pq_stats;

typedef struct pq_column_meta {
    int32_t type;
    int32_t codec;
    int32_t n_path;
    char **path;
    uint32_t encodings;   /* bit e set when encoding e (< 32) is listed */
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* -1 when absent */
    int64_t index_page_offset;      /* -1 when absent */
    int64_t bloom_filter_offset;    /* -1 when absent */
    int32_t bloom_filter_length;    /* -1 when absent */
    pq_stats stats;
    bool has_stats;
} pq_column_meta;

typedef struct pq_column_chunk {
    char *file_path;      /* NULL: this file */
    int64_t file_offset;
    bool has_meta;
    pq_column_meta meta;
    int64_t offset_index_offset, column_index_offset; /* -1 when absent */
    int32_t offset_index_length, column_index_length;
    bool encrypted;       /* crypto_metadata or encrypted_column_metadata present */
} pq_column_chunk;

typedef struct pq_row_group {
    int32_t n_columns;
    pq_column_chunk *columns;
    int64_t total_byte_size;
    int64_t num_rows;
} pq_row_group;

typedef struct pq_file_meta {
    tn_arena arena;       /* every allocation below */
    uint8_t *footer;      /* the footer bytes (owned); pq_bytes point here */
    int32_t version;
    int32_t n_schema;
    pq_schema_elt *schema;
    int64_t num_rows;
    int32_t n_row_groups;
    pq_row_group *row_groups;
    int32_t n_kv;
    char **kv_keys, **kv_values;
    char *created_by;
    bool encrypted;       /* encryption_algorithm present (plaintext footer mode) */
} pq_file_meta;

/* Decode a FileMetaData from n bytes at p, which the metadata takes over
 * (freed with it, even on failure). */
int tn_pq_meta_decode(uint8_t *footer, size_t n, pq_file_meta **out, tarn_error *err) TN_MUST_USE;
void tn_pq_meta_free(pq_file_meta *m);

typedef struct pq_page_header {
    int32_t type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    bool has_crc;
    uint32_t crc;
    /* data page v1 / v2 and dictionary page */
    int32_t num_values;
    int32_t encoding;
    int32_t def_encoding, rep_encoding; /* v1 */
    int32_t num_nulls, num_rows;        /* v2 */
    int32_t def_bytes, rep_bytes;       /* v2 */
    bool is_compressed;                 /* v2; default true */
    bool has_sub;                       /* the header of the page's type was present */
} pq_page_header;

/* Decode a PageHeader from at most n bytes at p; *used receives its size. */
int tn_pq_page_header_decode(const uint8_t *p, size_t n, pq_page_header *h, size_t *used, tarn_error *err) TN_MUST_USE;

/* Names as parquet.thrift spells them ("INT32", "RLE_DICTIONARY"; codecs: codec.h);
 * "UNKNOWN" (encodings: NULL) for values out of range. */
const char *tn_pq_physical_name(int t);
const char *tn_pq_encoding_name(int e);

#endif
