/*
 * arrow_schema.h — the "ARROW:schema" key-value metadata of Parquet files:
 * the writer's Arrow schema as a base64 IPC schema message (as Arrow C++
 * and arrow-rs write it), and on reading the types it names where the
 * Parquet schema loses them (list item names, time zones, large and view
 * layouts, dictionaries, second units, date64, durations).
 */
#ifndef TN_PARQUET_ARROW_SCHEMA_H
#define TN_PARQUET_ARROW_SCHEMA_H

#include "arrow/array.h"

#define TN_PQ_ARROW_SCHEMA_KEY "ARROW:schema"

/* The schema as base64 text (a NUL-terminated tn_alloc string in *out). */
int tn_pq_arrow_schema_encode(const tn_schema *s, char **out, tarn_error *err) TN_MUST_USE;
/* The schema held by an ARROW:schema value; `where` names the file. */
int tn_pq_arrow_schema_decode(const char *text, const char *where, tn_schema **out, tarn_error *err) TN_MUST_USE;

/* Whether arrays the reader builds with type `from` (from the Parquet
 * schema) can be turned into type `to` (from ARROW:schema) without loss:
 * the same shape, field names aside, and leaves that differ only in layout
 * (utf8 / large_utf8 / utf8_view, the binary kinds, list / large_list),
 * time zone or unit of timestamps and times, date32 → date64, int64 →
 * duration, or a dictionary of the same values. */
bool tn_pq_arrow_type_fits(const tn_type *from, const tn_type *to);
/* in as type `to` (tn_pq_arrow_type_fits must hold); a new reference. */
int tn_pq_arrow_restore(tn_array *in, tn_type *to, tn_array **out, tarn_error *err) TN_MUST_USE;

#endif
