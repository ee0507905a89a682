/*
 * ipc.h — the Arrow IPC formats: the stream format (a sequence of
 * encapsulated messages) and the file format ("ARROW1" magic, the stream,
 * a footer with the schema and block locations).
 *
 * Readers treat their input as untrusted: every flatbuffer offset, length and
 * count is checked against the bytes available, and decoded arrays are
 * validated before they are handed out. Errors name the file and the byte
 * offset of the message where the problem was found.
 */
#ifndef TN_ARROW_IPC_H
#define TN_ARROW_IPC_H

#include "arrow/array.h"

typedef enum tn_ipc_codec { TN_IPC_UNCOMPRESSED = 0, TN_IPC_LZ4_FRAME = 1, TN_IPC_ZSTD = 2 } tn_ipc_codec;

typedef struct tn_ipc_write_options {
    bool file_format;   /* true: file format with footer; false: stream format */
    tn_ipc_codec codec; /* body compression */
    int level;          /* codec level; 0 = codec default */
} tn_ipc_write_options;

/* Open a file in either IPC format (detected from the magic bytes). The path
 * is used in error messages. */
int tn_ipc_open_file(const char *path, tn_reader **out, tarn_error *err) TN_MUST_USE;
/* Read IPC bytes already in memory (either format). The bytes are copied or
 * referenced through a buffer reference taken on `data`. */
int tn_ipc_open_buffer(tn_buffer *data, const char *name, tn_reader **out, tarn_error *err) TN_MUST_USE;

/* Write every batch of `in` to path atomically (temporary file + rename);
 * on failure nothing is left at path. Does not free `in`. */
int tn_ipc_write_file(const char *path, tn_reader *in, const tn_ipc_write_options *opts,
                      tarn_error *err) TN_MUST_USE;

/* Write every batch of `in` into a new buffer in memory (*out, a new
 * reference). Does not free `in`. */
int tn_ipc_write_buffer(tn_reader *in, const tn_ipc_write_options *opts, tn_buffer **out,
                        tarn_error *err) TN_MUST_USE;

/* The schema alone as one encapsulated IPC message (continuation marker,
 * length, Message flatbuffer padded to 8), appended to out: what Parquet's
 * "ARROW:schema" metadata holds before base64. */
int tn_ipc_schema_message(const tn_schema *s, tn_buf *out, tarn_error *err) TN_MUST_USE;
/* Decode such a message (with or without the continuation marker) into a
 * schema. `where` names the source in errors. */
int tn_ipc_schema_from_message(const uint8_t *p, size_t n, const char *where, tn_schema **out,
                               tarn_error *err) TN_MUST_USE;

#endif
