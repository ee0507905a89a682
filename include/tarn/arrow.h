/*
 * tarn/arrow.h — the Arrow C Data Interface (the ABI through which all data
 * enters and leaves tarn) and the Arrow-level functions of the library:
 * schema formatting, validation of foreign arrays, printing of streams.
 *
 * The three structs below are defined by the Arrow specification
 * ("The Arrow C data interface" and "The Arrow C stream interface"); they are
 * guarded so that a program that already includes another Arrow header can
 * include this one too.
 */
#ifndef TARN_ARROW_H
#define TARN_ARROW_H

#include <stdio.h>
#include "tarn/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* Move a struct: the destination takes ownership, the source is marked
 * released (release = NULL) so that it is not freed twice. */
TARN_API void tarn_schema_move(struct ArrowSchema *src, struct ArrowSchema *dst);
TARN_API void tarn_array_move(struct ArrowArray *src, struct ArrowArray *dst);
TARN_API void tarn_stream_move(struct ArrowArrayStream *src, struct ArrowArrayStream *dst);

/* Validation levels for arrays that come from outside. */
typedef enum tarn_validate_level {
    TARN_VALIDATE_NONE = 0,    /* trust the producer */
    TARN_VALIDATE_MINIMAL = 1, /* structure: buffer counts, children, lengths */
    TARN_VALIDATE_DEFAULT = 2, /* + offsets and sizes within buffers (O(1)/child) */
    TARN_VALIDATE_FULL = 3     /* + every offset, view, UTF-8 and dictionary index */
} tarn_validate_level;

/* Check that an array matches its schema at the given level. Neither is
 * consumed: the array is looked at in place and its release is never called.
 * Errors name the field path ("field 'a.item': ...") and are TARN_EINVAL for
 * structure, TARN_EUNSUPPORTED for formats tarn does not handle (unions,
 * run-end encoding, list views) and TARN_ECORRUPT for contents. */
TARN_API int tarn_array_validate(const struct ArrowSchema *schema, const struct ArrowArray *array,
                                 tarn_validate_level level, tarn_error *err);

/* Render a schema as text, one field per line ("name: type not null"): the
 * children of a struct root, or the root itself for any other type. Metadata
 * is not shown. *out is freed with tarn_free. */
TARN_API int tarn_schema_format(const struct ArrowSchema *schema, char **out, tarn_error *err);

#ifdef __cplusplus
}
#endif
#endif
