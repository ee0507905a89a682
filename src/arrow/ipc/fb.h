/*
 * fb.h — a small FlatBuffers codec, only what Arrow IPC metadata needs.
 *
 * Reading: a verifying reader. Nothing is trusted: every access to a table,
 * vtable, field, vector, string or union goes through functions that check
 * the bytes it touches against the buffer bounds first. The first problem
 * found is recorded in `fb->bad` (a static string) and every later access
 * returns a harmless default, so decoders can read a whole table and check
 * `fb->bad` once at the end. Offsets to tables, vectors and strings are
 * unsigned and point forward, so following them cannot loop; what can blow
 * up is sharing (one child table referenced many times), which decoders
 * bound with a node budget of their own.
 *
 * Byte layout (all little-endian):
 *
 *   buffer   u32 root offset -> root table
 *   table    i32 soffset: table_pos - vtable_pos; then the inline fields
 *   vtable   u16 vtable bytes, u16 table inline bytes, u16 field offset[k]
 *            (0 = field absent, use the default)
 *   offset   u32 at position p refers to p + value (always forward)
 *   vector   u32 count, then count elements (structs inline, or u32 offsets)
 *   string   u32 length, bytes, NUL
 *   union    two fields: u8 type tag (id n) and an offset to the table (id n+1)
 *
 * Writing: a builder that, like the reference implementation, grows from the
 * back of its buffer towards the front, so children are written before the
 * parents that point at them and every offset comes out positive. Positions
 * (`tn_fb_ref`) are counted from the end of the buffer and stay valid as it
 * grows. Allocation failure is sticky: tn_fbb_finish reports it.
 */
#ifndef TN_ARROW_IPC_FB_H
#define TN_ARROW_IPC_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- reading -------------------------------------------------------------- */

typedef struct tn_fb {
    const uint8_t *p; /* the flatbuffer bytes */
    uint32_t n;       /* their count */
    const char *bad;  /* first problem found, or NULL */
} tn_fb;

typedef struct tn_fbt {
    uint32_t pos;    /* table position; 0 = no table (absent or invalid) */
    uint32_t vt;     /* vtable position */
    uint16_t vt_len; /* vtable bytes */
    uint16_t size;   /* table inline bytes */
} tn_fbt;

typedef struct tn_fbv {
    uint32_t pos; /* first element */
    uint32_t n;   /* element count; 0 when absent */
} tn_fbv;

void tn_fb_init(tn_fb *fb, const uint8_t *p, size_t n);
/* The root table; false (and fb->bad) when it is not a valid table. */
bool tn_fb_root(tn_fb *fb, tn_fbt *out);
bool tn_fb_has(const tn_fb *fb, const tn_fbt *t, int id);
/* Scalars of 1, 2, 4 or 8 bytes, sign-extended when is_signed. */
int64_t tn_fb_int(tn_fb *fb, const tn_fbt *t, int id, int width, bool is_signed, int64_t def);
static inline bool tn_fb_bool(tn_fb *fb, const tn_fbt *t, int id, bool def)
{
    return tn_fb_int(fb, t, id, 1, false, def) != 0;
}
/* A sub-table; false when absent (out->pos == 0) or invalid (fb->bad set). */
bool tn_fb_table(tn_fb *fb, const tn_fbt *t, int id, tn_fbt *out);
/* A string: pointer to its bytes (not NUL-checked for interior NULs) and
 * length; NULL when absent or invalid. */
const char *tn_fb_string(tn_fb *fb, const tn_fbt *t, int id, uint32_t *len);
/* A vector whose elements are elem_size bytes each; n = 0 when absent. */
bool tn_fb_vector(tn_fb *fb, const tn_fbt *t, int id, uint32_t elem_size, tn_fbv *out);
/* Element i of a vector of tables / strings / structs (elem_size bytes). */
bool tn_fb_vec_table(tn_fb *fb, const tn_fbv *v, uint32_t i, tn_fbt *out);
const char *tn_fb_vec_string(tn_fb *fb, const tn_fbv *v, uint32_t i, uint32_t *len);
const uint8_t *tn_fb_vec_struct(const tn_fb *fb, const tn_fbv *v, uint32_t i, uint32_t elem_size);
/* Inline struct field of `size` bytes; NULL when absent or invalid. */
const uint8_t *tn_fb_struct(tn_fb *fb, const tn_fbt *t, int id, uint32_t size);

static inline int64_t tn_fb_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return (int64_t)v;
}
static inline int32_t tn_fb_le32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* --- writing -------------------------------------------------------------- */

typedef uint32_t tn_fb_ref; /* position counted from the end of the buffer */

#define TN_FBB_MAX_FIELDS 16

typedef struct tn_fbb {
    uint8_t *buf;  /* data lives in buf[cap - len, cap) */
    size_t cap, len;
    size_t minalign;
    bool oom;      /* an allocation failed; every later call is a no-op */
    size_t table_start;
    int n_fields;
    struct {
        uint16_t id;
        uint32_t at;
    } fields[TN_FBB_MAX_FIELDS];
} tn_fbb;

void tn_fbb_init(tn_fbb *b);
void tn_fbb_reset(tn_fbb *b);
tn_fb_ref tn_fbb_string(tn_fbb *b, const char *s, size_t n);
/* Vectors: start, push the elements last to first, end. */
void tn_fbb_vec_start(tn_fbb *b, size_t elem_size, size_t n, size_t align);
void tn_fbb_push_bytes(tn_fbb *b, const void *p, size_t n); /* raw, no alignment */
void tn_fbb_push_ref(tn_fbb *b, tn_fb_ref target);         /* an offset element */
tn_fb_ref tn_fbb_vec_end(tn_fbb *b, size_t n);
/* A vector of table/string offsets in natural order. */
tn_fb_ref tn_fbb_ref_vector(tn_fbb *b, const tn_fb_ref *refs, size_t n);
/* Tables: start, add fields (any order), end. Scalars equal to the default
 * are still written; readers must not care. */
void tn_fbb_table_start(tn_fbb *b);
void tn_fbb_add_int(tn_fbb *b, int id, int64_t v, int width);
void tn_fbb_add_ref(tn_fbb *b, int id, tn_fb_ref target);
void tn_fbb_add_struct(tn_fbb *b, int id, const void *p, size_t size, size_t align);
tn_fb_ref tn_fbb_table_end(tn_fbb *b);
/* Write the root offset; *size receives the finished length, padded to a
 * multiple of 8. The bytes stay owned by the builder. NULL on failure. */
const uint8_t *tn_fbb_finish(tn_fbb *b, tn_fb_ref root, size_t *size);

#endif
