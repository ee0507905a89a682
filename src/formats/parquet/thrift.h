/*
 * thrift.h — the Thrift compact protocol, as Parquet uses it for its footer
 * and page headers. Our own small codec: the reader bounds every length and
 * count against the bytes that remain and limits nesting depth, so hostile
 * bytes end in a TARN_ECORRUPT error; the writer appends to a tn_buf.
 */
#ifndef TN_PARQUET_THRIFT_H
#define TN_PARQUET_THRIFT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Compact-protocol type nibbles. */
enum {
    TN_TH_STOP = 0,
    TN_TH_TRUE = 1,
    TN_TH_FALSE = 2,
    TN_TH_BYTE = 3,
    TN_TH_I16 = 4,
    TN_TH_I32 = 5,
    TN_TH_I64 = 6,
    TN_TH_DOUBLE = 7,
    TN_TH_BINARY = 8,
    TN_TH_LIST = 9,
    TN_TH_SET = 10,
    TN_TH_MAP = 11,
    TN_TH_STRUCT = 12
};

#define TN_TH_MAX_DEPTH 64

typedef struct tn_th_reader {
    const uint8_t *start; /* for byte offsets in messages */
    const uint8_t *p;
    const uint8_t *end;
    int depth;            /* open structs, lists and maps */
    const char *what;     /* "footer", "page header": names the input in errors */
    tarn_error *err;
} tn_th_reader;

void tn_th_reader_init(tn_th_reader *r, const uint8_t *p, size_t n, const char *what, tarn_error *err);
/* Byte offset of the cursor from the start. */
static inline size_t tn_th_pos(const tn_th_reader *r) { return (size_t)(r->p - r->start); }

/* Enter and leave a struct: `last` holds the previous field id. */
int tn_th_struct_begin(tn_th_reader *r, int16_t *last) TN_MUST_USE;
void tn_th_struct_end(tn_th_reader *r);
/* Next field header; *type is TN_TH_STOP at the end of the struct. */
int tn_th_field(tn_th_reader *r, int16_t *last, int *type, int16_t *id) TN_MUST_USE;

int tn_th_varint(tn_th_reader *r, uint64_t *v) TN_MUST_USE;
int tn_th_i32(tn_th_reader *r, int type, int32_t *v) TN_MUST_USE;
int tn_th_i64(tn_th_reader *r, int type, int64_t *v) TN_MUST_USE;
/* A bool field carries its value in the type nibble. */
int tn_th_bool(tn_th_reader *r, int type, bool *v) TN_MUST_USE;
/* Bytes stay in the input buffer (no copy). */
int tn_th_binary(tn_th_reader *r, int type, const uint8_t **p, uint32_t *n) TN_MUST_USE;
/* A list header: element type and count, the count bounded by the bytes
 * left (every element takes at least one byte, except bool-free structs). */
int tn_th_list_begin(tn_th_reader *r, int type, int *elem_type, int32_t *n) TN_MUST_USE;
void tn_th_list_end(tn_th_reader *r);
/* Skip a value of the given type. */
int tn_th_skip(tn_th_reader *r, int type) TN_MUST_USE;

/* --- writer --------------------------------------------------------------- */

typedef struct tn_th_writer {
    tn_buf *out;
    int16_t last[TN_TH_MAX_DEPTH];
    int depth;
    tarn_error *err;
} tn_th_writer;

void tn_th_writer_init(tn_th_writer *w, tn_buf *out, tarn_error *err);
int tn_th_w_struct_begin(tn_th_writer *w) TN_MUST_USE;
int tn_th_w_struct_end(tn_th_writer *w) TN_MUST_USE; /* writes STOP */
int tn_th_w_field(tn_th_writer *w, int16_t id, int type) TN_MUST_USE;
int tn_th_w_i32(tn_th_writer *w, int16_t id, int32_t v) TN_MUST_USE;
int tn_th_w_i64(tn_th_writer *w, int16_t id, int64_t v) TN_MUST_USE;
int tn_th_w_bool(tn_th_writer *w, int16_t id, bool v) TN_MUST_USE;
int tn_th_w_byte(tn_th_writer *w, int16_t id, int8_t v) TN_MUST_USE;
int tn_th_w_binary(tn_th_writer *w, int16_t id, const void *p, size_t n) TN_MUST_USE;
/* A list field header; then write n elements (i32 with tn_th_w_raw_i32,
 * binaries with tn_th_w_raw_binary, structs with struct_begin/end). */
int tn_th_w_list(tn_th_writer *w, int16_t id, int elem_type, int32_t n) TN_MUST_USE;
int tn_th_w_raw_i32(tn_th_writer *w, int32_t v) TN_MUST_USE;
int tn_th_w_raw_i64(tn_th_writer *w, int64_t v) TN_MUST_USE;
int tn_th_w_raw_bool(tn_th_writer *w, bool v) TN_MUST_USE; /* a list element */
int tn_th_w_raw_binary(tn_th_writer *w, const void *p, size_t n) TN_MUST_USE;

#endif
