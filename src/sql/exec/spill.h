/*
 * spill.h — temporary files of Arrow batches, for the operators that hold
 * data (hash aggregate, hash join, sort, window) when the memory budget
 * refuses a reservation (tn_exec_reserve returned false).
 *
 * A spill file is written once, in order, by one thread, then read back
 * any number of times by independent cursors (which may run on different
 * threads at once). Batches come back with the schema and values they were
 * written with, every Arrow type included (nested, dictionary, views).
 *
 * The bytes live in an unnamed temporary file under ctx->spill_dir (created
 * on first use; default $TMPDIR, else /tmp): the file is unlinked as soon as
 * it is created, so nothing is left behind by a crash, a cancelled query or
 * an error. Bytes written are added to the operator's metrics.spilled_bytes.
 * Reading a cursor's batch allocates only that batch (memory stays bounded
 * by the batches the caller holds, not by the file).
 *
 * Errors name the operator and the spill directory ("HASH_JOIN: spill to
 * /tmp: No space left on device").
 */
#ifndef TN_SQL_SPILL_H
#define TN_SQL_SPILL_H

#include "sql/exec/operator.h"

typedef struct tn_spill_file tn_spill_file;
typedef struct tn_spill_cursor tn_spill_cursor;

/* A new, empty spill file for batches of `schema` (a reference is taken),
 * written on behalf of `op` (for metrics and error messages). */
int tn_spill_create(tn_op *op, tn_schema *schema, tn_spill_file **out, tarn_error *err) TN_MUST_USE;

/* Append a batch (borrowed). Not thread-safe for one file. */
int tn_spill_write(tn_spill_file *f, const tn_batch *b, tarn_error *err) TN_MUST_USE;

/* Rows, batches and bytes written so far. */
int64_t tn_spill_rows(const tn_spill_file *f);
int64_t tn_spill_batches(const tn_spill_file *f);
int64_t tn_spill_bytes(const tn_spill_file *f);

/* A cursor over the file's batches in write order, from the first. The file
 * must not be written while cursors are open; it must outlive them. */
int tn_spill_cursor_open(tn_spill_file *f, tn_spill_cursor **out, tarn_error *err) TN_MUST_USE;
/* The next batch in *out (a new reference), or NULL at the end. */
int tn_spill_next(tn_spill_cursor *c, tn_batch **out, tarn_error *err) TN_MUST_USE;
void tn_spill_cursor_free(tn_spill_cursor *c);

/* Close the file (its bytes are gone with it). NULL is allowed. */
void tn_spill_free(tn_spill_file *f);

#endif
