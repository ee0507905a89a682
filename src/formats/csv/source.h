/*
 * source.h — a pull stream of decompressed bytes from a file or a memory
 * buffer, for the text readers (CSV, JSON). gzip (any number of members)
 * and zstd are recognized by extension or magic bytes; the codecs allocate
 * through tarn's allocator, so the memory budget sees them.
 */
#ifndef TN_FORMATS_SOURCE_H
#define TN_FORMATS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "formats/csv/csv.h"

typedef struct tn_source tn_source;

int tn_source_open_file(const char *path, tn_compression c, tn_source **out, tarn_error *err) TN_MUST_USE;
/* data must outlive the source. */
int tn_source_open_memory(const void *data, int64_t size, tn_compression c, tn_source **out,
                          tarn_error *err) TN_MUST_USE;
/* Up to cap bytes into buf; *got == 0 only at the end of the input. */
int tn_source_read(tn_source *s, uint8_t *buf, size_t cap, size_t *got, tarn_error *err) TN_MUST_USE;
void tn_source_free(tn_source *s);

#endif
