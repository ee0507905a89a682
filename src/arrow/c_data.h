/*
 * c_data.h — conversion between tarn's arrays/schemas/readers and the Arrow
 * C Data Interface structs of the public API (tarn/arrow.h).
 *
 * Export is zero-copy: the exported struct holds references to tarn's
 * buffers, released by its release callback. Import is zero-copy too: the
 * imported array's buffers wrap the foreign memory and the foreign struct is
 * moved into a shared owner that calls its release callback when the last
 * buffer goes. Imports validate what they are given (structure always;
 * offsets, UTF-8 and dictionary indices at TARN_VALIDATE_FULL) and fail with
 * TARN_EINVAL or TARN_ECORRUPT naming the field and the problem.
 */
#ifndef TN_ARROW_C_DATA_H
#define TN_ARROW_C_DATA_H

#include "arrow/array.h"
#include "tarn/arrow.h"

/* Fields and types. */
int tn_export_type(const tn_field *field, struct ArrowSchema *out, tarn_error *err) TN_MUST_USE;
int tn_export_schema(const tn_schema *schema, struct ArrowSchema *out, tarn_error *err) TN_MUST_USE;
/* On success the foreign schema is left untouched (the caller still owns and
 * releases it). */
int tn_import_field(const struct ArrowSchema *in, tn_field *out, tarn_error *err) TN_MUST_USE;
int tn_import_schema(const struct ArrowSchema *in, tn_schema **out, tarn_error *err) TN_MUST_USE;

/* Arrays. Export takes a new reference to a; import moves *in (on success
 * in->release becomes NULL; on failure *in is left for the caller, exactly
 * as it was, and nothing of it has been released). `type` is not consumed.
 * The foreign release runs once, when the last imported buffer goes. */
int tn_export_array(tn_array *a, struct ArrowArray *out, tarn_error *err) TN_MUST_USE;
int tn_import_array(struct ArrowArray *in, tn_type *type, tarn_validate_level level, tn_array **out,
                    tarn_error *err) TN_MUST_USE;

/* Batches travel as struct arrays whose children are the columns. Import
 * applies the struct's offset to the columns and refuses top-level nulls. */
int tn_export_batch(tn_batch *b, struct ArrowArray *out, tarn_error *err) TN_MUST_USE;
int tn_import_batch(struct ArrowArray *in, tn_schema *schema, tarn_validate_level level, tn_batch **out,
                    tarn_error *err) TN_MUST_USE;

/* Streams. Export takes ownership of the reader, even on failure (it is
 * freed by the stream's release). Import calls get_schema once, then moves
 * the stream into a tn_reader (on success in->release becomes NULL; on
 * failure *in is left for the caller); each batch is imported at `level`
 * (TARN_VALIDATE_DEFAULT for tn_import_stream), and a failing get_next
 * becomes an error carrying the producer's get_last_error text. */
int tn_export_reader(tn_reader *r, struct ArrowArrayStream *out, tarn_error *err) TN_MUST_USE;
int tn_import_stream(struct ArrowArrayStream *in, tn_reader **out, tarn_error *err) TN_MUST_USE;
int tn_import_stream_level(struct ArrowArrayStream *in, tarn_validate_level level, tn_reader **out,
                           tarn_error *err) TN_MUST_USE;

/* Validate an array of tarn's own against its type (used after decoding
 * untrusted files, e.g. IPC, where arrays are built straight from bytes). */
int tn_array_validate(const tn_array *a, tarn_validate_level level, tarn_error *err) TN_MUST_USE;

#endif
