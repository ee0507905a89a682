/*
 * fb.c — the FlatBuffers verifying reader and back-to-front builder used for
 * Arrow IPC metadata (see fb.h for the byte layout). Reads never touch a
 * byte before checking it lies inside the buffer; all arithmetic is done in
 * 64 bits so that hostile 32-bit offsets cannot wrap.
 */
#include <string.h>

#include "arrow/ipc/fb.h"
#include "core/alloc.h"

/* --- reading -------------------------------------------------------------- */

void tn_fb_init(tn_fb *fb, const uint8_t *p, size_t n)
{
    fb->p = p;
    fb->n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    fb->bad = n > UINT32_MAX ? "flatbuffer larger than 4 GiB" : NULL;
}

static bool fail(tn_fb *fb, const char *why)
{
    if (!fb->bad)
        fb->bad = why;
    return false;
}

static bool in_bounds(const tn_fb *fb, uint64_t pos, uint64_t size)
{
    return pos <= fb->n && size <= fb->n - pos;
}

static uint32_t u32_at(const tn_fb *fb, uint32_t pos)
{
    return (uint32_t)tn_fb_le32(fb->p + pos);
}

static uint16_t u16_at(const tn_fb *fb, uint32_t pos)
{
    return (uint16_t)(fb->p[pos] | fb->p[pos + 1] << 8);
}

/* Check the table at pos and its vtable; fill *t. */
static bool open_table(tn_fb *fb, uint64_t pos, tn_fbt *t)
{
    memset(t, 0, sizeof *t);
    if (pos == 0 || !in_bounds(fb, pos, 4))
        return fail(fb, "table offset out of bounds");
    int64_t vt = (int64_t)pos - (int64_t)tn_fb_le32(fb->p + pos);
    if (vt < 0 || !in_bounds(fb, (uint64_t)vt, 4))
        return fail(fb, "vtable offset out of bounds");
    uint16_t vt_len = u16_at(fb, (uint32_t)vt), size = u16_at(fb, (uint32_t)vt + 2);
    if (vt_len < 4 || (vt_len & 1) || !in_bounds(fb, (uint64_t)vt, vt_len))
        return fail(fb, "vtable size invalid");
    if (size < 4 || !in_bounds(fb, pos, size))
        return fail(fb, "table size out of bounds");
    t->pos = (uint32_t)pos;
    t->vt = (uint32_t)vt;
    t->vt_len = vt_len;
    t->size = size;
    return true;
}

bool tn_fb_root(tn_fb *fb, tn_fbt *out)
{
    memset(out, 0, sizeof *out);
    if (fb->bad)
        return false;
    if (!in_bounds(fb, 0, 4))
        return fail(fb, "flatbuffer shorter than its root offset");
    return open_table(fb, u32_at(fb, 0), out);
}

/* Position of field id within the table, checked for `size` bytes, or 0
 * when absent/invalid. */
static uint32_t field_pos(tn_fb *fb, const tn_fbt *t, int id, uint32_t size)
{
    if (fb->bad || t->pos == 0 || id < 0)
        return 0;
    uint32_t slot = 4 + 2 * (uint32_t)id;
    if (slot + 2 > t->vt_len)
        return 0;
    uint16_t off = u16_at(fb, t->vt + slot);
    if (off == 0)
        return 0;
    if (off < 4 || (uint32_t)off + size > t->size) {
        fail(fb, "field outside its table");
        return 0;
    }
    return t->pos + off;
}

bool tn_fb_has(const tn_fb *fb, const tn_fbt *t, int id)
{
    if (fb->bad || t->pos == 0 || id < 0)
        return false;
    uint32_t slot = 4 + 2 * (uint32_t)id;
    return slot + 2 <= t->vt_len && u16_at(fb, t->vt + slot) != 0;
}

int64_t tn_fb_int(tn_fb *fb, const tn_fbt *t, int id, int width, bool is_signed, int64_t def)
{
    uint32_t p = field_pos(fb, t, id, (uint32_t)width);
    if (!p)
        return def;
    const uint8_t *q = fb->p + p;
    switch (width) {
    case 1:
        return is_signed ? (int8_t)q[0] : q[0];
    case 2: {
        uint16_t v = (uint16_t)(q[0] | q[1] << 8);
        return is_signed ? (int16_t)v : v;
    }
    case 4:
        return is_signed ? (int64_t)tn_fb_le32(q) : (int64_t)(uint32_t)tn_fb_le32(q);
    default:
        return tn_fb_le64(q);
    }
}

/* Follow the offset stored at position p. */
static uint64_t deref(tn_fb *fb, uint32_t p)
{
    return (uint64_t)p + u32_at(fb, p);
}

bool tn_fb_table(tn_fb *fb, const tn_fbt *t, int id, tn_fbt *out)
{
    memset(out, 0, sizeof *out);
    uint32_t p = field_pos(fb, t, id, 4);
    return p && open_table(fb, deref(fb, p), out);
}

static bool open_vector(tn_fb *fb, uint64_t pos, uint32_t elem_size, tn_fbv *out)
{
    if (!in_bounds(fb, pos, 4))
        return fail(fb, "vector offset out of bounds");
    uint32_t n = u32_at(fb, (uint32_t)pos);
    if (!in_bounds(fb, pos + 4, (uint64_t)n * elem_size))
        return fail(fb, "vector length out of bounds");
    out->pos = (uint32_t)pos + 4;
    out->n = n;
    return true;
}

static const char *open_string(tn_fb *fb, uint64_t pos, uint32_t *len)
{
    tn_fbv v = {0};
    if (!open_vector(fb, pos, 1, &v))
        return NULL;
    if (!in_bounds(fb, v.pos, (uint64_t)v.n + 1) || fb->p[v.pos + v.n] != 0) {
        fail(fb, "string not terminated");
        return NULL;
    }
    *len = v.n;
    return (const char *)fb->p + v.pos;
}

const char *tn_fb_string(tn_fb *fb, const tn_fbt *t, int id, uint32_t *len)
{
    *len = 0;
    uint32_t p = field_pos(fb, t, id, 4);
    return p ? open_string(fb, deref(fb, p), len) : NULL;
}

bool tn_fb_vector(tn_fb *fb, const tn_fbt *t, int id, uint32_t elem_size, tn_fbv *out)
{
    out->pos = out->n = 0;
    uint32_t p = field_pos(fb, t, id, 4);
    return p && open_vector(fb, deref(fb, p), elem_size, out);
}

bool tn_fb_vec_table(tn_fb *fb, const tn_fbv *v, uint32_t i, tn_fbt *out)
{
    memset(out, 0, sizeof *out);
    if (fb->bad || i >= v->n)
        return false;
    uint32_t p = v->pos + 4 * i;
    return open_table(fb, deref(fb, p), out);
}

const char *tn_fb_vec_string(tn_fb *fb, const tn_fbv *v, uint32_t i, uint32_t *len)
{
    *len = 0;
    if (fb->bad || i >= v->n)
        return NULL;
    uint32_t p = v->pos + 4 * i;
    return open_string(fb, deref(fb, p), len);
}

const uint8_t *tn_fb_vec_struct(const tn_fb *fb, const tn_fbv *v, uint32_t i, uint32_t elem_size)
{
    /* open_vector already checked n * elem_size bytes */
    return fb->bad || i >= v->n ? NULL : fb->p + v->pos + (uint64_t)i * elem_size;
}

const uint8_t *tn_fb_struct(tn_fb *fb, const tn_fbt *t, int id, uint32_t size)
{
    uint32_t p = field_pos(fb, t, id, size);
    return p ? fb->p + p : NULL;
}

/* --- writing -------------------------------------------------------------- */

void tn_fbb_init(tn_fbb *b)
{
    memset(b, 0, sizeof *b);
    b->minalign = 8;
}

void tn_fbb_reset(tn_fbb *b)
{
    tn_free(b->buf);
    tn_fbb_init(b);
}

/* Make room for n more bytes at the front. */
static bool grow(tn_fbb *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= n)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *nb = tn_malloc(cap);
    if (!nb) {
        b->oom = true;
        return false;
    }
    if (b->len)
        memcpy(nb + cap - b->len, b->buf + b->cap - b->len, b->len);
    tn_free(b->buf);
    b->buf = nb;
    b->cap = cap;
    return true;
}

void tn_fbb_push_bytes(tn_fbb *b, const void *p, size_t n)
{
    if (n == 0 || !grow(b, n))
        return;
    b->len += n;
    memcpy(b->buf + b->cap - b->len, p, n);
}

static void push_zeros(tn_fbb *b, size_t n)
{
    if (n == 0 || !grow(b, n))
        return;
    b->len += n;
    memset(b->buf + b->cap - b->len, 0, n);
}

/* Pad so that after `extra` more bytes the length is a multiple of size. */
static void align_for(tn_fbb *b, size_t size, size_t extra)
{
    if (size > b->minalign)
        b->minalign = size;
    size_t pad = (size - ((b->len + extra) % size)) % size;
    push_zeros(b, pad);
}

static void push_le(tn_fbb *b, uint64_t v, int width)
{
    uint8_t tmp[8];
    for (int i = 0; i < width; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    tn_fbb_push_bytes(b, tmp, (size_t)width);
}

void tn_fbb_push_ref(tn_fbb *b, tn_fb_ref target)
{
    align_for(b, 4, 0);
    push_le(b, (uint32_t)(b->len + 4 - target), 4);
}

tn_fb_ref tn_fbb_string(tn_fbb *b, const char *s, size_t n)
{
    align_for(b, 4, n + 1);
    push_zeros(b, 1);
    tn_fbb_push_bytes(b, s, n);
    push_le(b, n, 4);
    return (tn_fb_ref)b->len;
}

void tn_fbb_vec_start(tn_fbb *b, size_t elem_size, size_t n, size_t align)
{
    align_for(b, 4, elem_size * n);
    align_for(b, align, elem_size * n);
}

tn_fb_ref tn_fbb_vec_end(tn_fbb *b, size_t n)
{
    push_le(b, n, 4);
    return (tn_fb_ref)b->len;
}

tn_fb_ref tn_fbb_ref_vector(tn_fbb *b, const tn_fb_ref *refs, size_t n)
{
    tn_fbb_vec_start(b, 4, n, 4);
    for (size_t i = n; i-- > 0;)
        tn_fbb_push_ref(b, refs[i]);
    return tn_fbb_vec_end(b, n);
}

void tn_fbb_table_start(tn_fbb *b)
{
    b->table_start = b->len;
    b->n_fields = 0;
}

static void note_field(tn_fbb *b, int id)
{
    if (b->n_fields >= TN_FBB_MAX_FIELDS) {
        b->oom = true; /* a programming error; reported as a failed build */
        return;
    }
    b->fields[b->n_fields].id = (uint16_t)id;
    b->fields[b->n_fields].at = (uint32_t)b->len;
    b->n_fields++;
}

void tn_fbb_add_int(tn_fbb *b, int id, int64_t v, int width)
{
    align_for(b, (size_t)width, 0);
    push_le(b, (uint64_t)v, width);
    note_field(b, id);
}

void tn_fbb_add_ref(tn_fbb *b, int id, tn_fb_ref target)
{
    tn_fbb_push_ref(b, target);
    note_field(b, id);
}

void tn_fbb_add_struct(tn_fbb *b, int id, const void *p, size_t size, size_t align)
{
    align_for(b, align, size);
    tn_fbb_push_bytes(b, p, size);
    note_field(b, id);
}

tn_fb_ref tn_fbb_table_end(tn_fbb *b)
{
    align_for(b, 4, 0);
    push_le(b, 0, 4); /* soffset, patched below */
    size_t table = b->len;
    int slots = 0;
    for (int i = 0; i < b->n_fields; i++)
        if (b->fields[i].id + 1 > slots)
            slots = b->fields[i].id + 1;
    uint16_t vt[2 + TN_FBB_MAX_FIELDS] = {0};
    vt[0] = (uint16_t)(4 + 2 * slots);
    vt[1] = (uint16_t)(table - b->table_start);
    for (int i = 0; i < b->n_fields; i++)
        vt[2 + b->fields[i].id] = (uint16_t)(table - b->fields[i].at);
    for (int i = 1 + slots; i >= 0; i--)
        push_le(b, vt[i], 2);
    if (b->oom)
        return 0;
    int32_t soff = (int32_t)(b->len - table);
    uint8_t *at = b->buf + b->cap - table;
    for (int i = 0; i < 4; i++)
        at[i] = (uint8_t)((uint32_t)soff >> (8 * i));
    return (tn_fb_ref)table;
}

const uint8_t *tn_fbb_finish(tn_fbb *b, tn_fb_ref root, size_t *size)
{
    align_for(b, b->minalign > 8 ? b->minalign : 8, 4);
    tn_fbb_push_ref(b, root);
    if (b->oom)
        return NULL;
    *size = b->len;
    return b->buf + b->cap - b->len;
}
