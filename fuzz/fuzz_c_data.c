/*
 * fuzz_c_data.c — the C Data Interface importer against hostile producers.
 *
 * The input is a recipe. Its bytes are read in order to build an ArrowSchema
 * and an ArrowArray tree the way a (buggy) producer would: formats from a
 * table of every supported layout (plus random strings for a schema-only
 * pass), child counts, lengths, offsets, null counts and buffer contents.
 *
 * The C interface carries no buffer sizes, so every buffer is allocated as
 * large as the spec says a producer provides for the declared length and
 * offset (validity and values for offset + length elements, offset + length
 * + 1 offsets, the data up to the last offset, variadic buffers of the sizes
 * listed in the sizes buffer). What the buffers *contain* is left to the
 * recipe: offsets, view indices and prefixes, dictionary indices, UTF-8,
 * child lengths and null counts may all be garbage. Import at
 * TARN_VALIDATE_FULL must then either fail cleanly or yield an array every
 * value of which can be read: the target compares the array with a slice of
 * itself (which reads every element) and round-trips it through export.
 * The foreign release must run exactly once whatever happens.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/c_data.h"

typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd;

static uint8_t u8(rd *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static uint32_t u32(rd *r)
{
    uint32_t v = u8(r);
    v |= (uint32_t)u8(r) << 8;
    v |= (uint32_t)u8(r) << 16;
    return v | (uint32_t)u8(r) << 24;
}

enum kind { K_NULL, K_BOOL, K_FIXED, K_VAR32, K_VAR64, K_VIEW, K_LIST32, K_LIST64, K_FIXLIST, K_STRUCT, K_MAP };

static const struct {
    const char *format;
    enum kind kind;
    int width; /* bytes per value; list size for +w */
} table[] = {
    {"n", K_NULL, 0},        {"b", K_BOOL, 0},      {"c", K_FIXED, 1},       {"C", K_FIXED, 1},
    {"s", K_FIXED, 2},       {"S", K_FIXED, 2},     {"i", K_FIXED, 4},       {"I", K_FIXED, 4},
    {"l", K_FIXED, 8},       {"L", K_FIXED, 8},     {"e", K_FIXED, 2},       {"f", K_FIXED, 4},
    {"g", K_FIXED, 8},       {"d:10,2", K_FIXED, 16}, {"d:40,2,256", K_FIXED, 32}, {"d:5,1,128", K_FIXED, 16},
    {"w:3", K_FIXED, 3},     {"w:0", K_FIXED, 0},   {"u", K_VAR32, 0},       {"U", K_VAR64, 0},
    {"z", K_VAR32, 0},       {"Z", K_VAR64, 0},     {"vu", K_VIEW, 0},       {"vz", K_VIEW, 0},
    {"tdD", K_FIXED, 4},     {"tdm", K_FIXED, 8},   {"tts", K_FIXED, 4},     {"ttm", K_FIXED, 4},
    {"ttu", K_FIXED, 8},     {"ttn", K_FIXED, 8},   {"tsu:UTC", K_FIXED, 8}, {"tss:", K_FIXED, 8},
    {"tDn", K_FIXED, 8},     {"tiM", K_FIXED, 4},   {"tiD", K_FIXED, 8},     {"tin", K_FIXED, 16},
    {"+l", K_LIST32, 0},     {"+L", K_LIST64, 0},   {"+w:2", K_FIXLIST, 2},  {"+w:0", K_FIXLIST, 0},
    {"+s", K_STRUCT, 0},     {"+m", K_MAP, 0},
};
#define N_TABLE (sizeof table / sizeof table[0])

static const struct {
    const char *format;
    int width;
} index_types[] = {{"c", 1}, {"C", 1}, {"s", 2}, {"S", 2}, {"i", 4}, {"I", 4}, {"l", 8}, {"L", 8}};

#define MAX_MEM 16

/* One producer node: the schema and the array side of one field. */
typedef struct fnode {
    struct ArrowSchema s;
    struct ArrowArray a;
    struct ArrowSchema **s_kids;
    struct ArrowArray **a_kids;
    struct fnode **kids;
    int n_kids;
    struct fnode *dict;
    void *mem[MAX_MEM]; /* the buffers; freed by the array's release */
    int n_mem;
    const void **buffers;
    char name[16];
} fnode;

static int releases;

static void *alloc_buf(fnode *f, size_t size)
{
    if (f->n_mem >= MAX_MEM)
        abort();
    void *p = calloc(1, size ? size : 1);
    f->mem[f->n_mem++] = p;
    return p;
}

static void free_own(fnode *f)
{
    for (int i = 0; i < f->n_mem; i++)
        free(f->mem[i]);
    f->n_mem = 0;
}

static void free_memory(fnode *f)
{
    free_own(f);
    for (int i = 0; i < f->n_kids; i++)
        free_memory(f->kids[i]);
    if (f->dict)
        free_memory(f->dict);
}

static void mark_released(fnode *f)
{
    for (int i = 0; i < f->n_kids; i++) {
        f->kids[i]->a.release = NULL;
        mark_released(f->kids[i]);
    }
    if (f->dict) {
        f->dict->a.release = NULL;
        mark_released(f->dict);
    }
}

/* The root's release: frees every buffer of the tree, so that any use after
 * release is caught by ASan. */
static void release_root_array(struct ArrowArray *a)
{
    fnode *f = a->private_data;
    releases++;
    free_memory(f);
    mark_released(f);
    a->release = NULL;
}

static void release_child_array(struct ArrowArray *a)
{
    (void)a;
    abort(); /* a child is released through its parent only */
}

static void release_schema(struct ArrowSchema *s)
{
    s->release = NULL; /* the nodes are freed by free_node */
}

static void free_node(fnode *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n_kids; i++)
        free_node(f->kids[i]);
    free_node(f->dict);
    free_own(f);
    free(f->kids);
    free(f->s_kids);
    free(f->a_kids);
    free(f->buffers);
    free(f);
}

/* A buffer of n bytes of recipe bytes. */
static void *bytes_buf(fnode *f, rd *r, size_t n)
{
    uint8_t *p = alloc_buf(f, n);
    uint8_t mode = u8(r);
    for (size_t i = 0; i < n; i++)
        p[i] = mode & 1 ? (uint8_t)('a' + (u8(r) % 26)) : mode & 2 ? 0xff : u8(r);
    return p;
}

/* Offsets for `count` elements starting at 0: mostly increasing, sometimes
 * garbage; returns the last one. */
static int64_t offsets_buf(fnode *f, rd *r, int64_t count, int w, const void **out)
{
    uint8_t mode = u8(r);
    void *p = alloc_buf(f, (size_t)(count + 1) * (size_t)w);
    int64_t o = u8(r) % 4;
    for (int64_t i = 0; i <= count; i++) {
        int64_t v = o;
        if (mode % 8 == 0)
            v = (int32_t)u32(r);
        if (w == 4)
            ((int32_t *)p)[i] = (int32_t)v;
        else
            ((int64_t *)p)[i] = v;
        o += u8(r) % 6;
    }
    *out = p;
    int64_t last = w == 4 ? ((int32_t *)p)[count] : ((int64_t *)p)[count];
    return last;
}

static fnode *gen(rd *r, int depth, int table_index);

static void add_kids(fnode *f, int n)
{
    f->n_kids = n;
    f->kids = calloc((size_t)n + 1, sizeof *f->kids);
    f->s_kids = calloc((size_t)n + 1, sizeof *f->s_kids);
    f->a_kids = calloc((size_t)n + 1, sizeof *f->a_kids);
}

static void set_kid(fnode *f, int i, fnode *k)
{
    f->kids[i] = k;
    f->s_kids[i] = &k->s;
    f->a_kids[i] = &k->a;
}

/* A child length: usually what the parent needs, sometimes anything. */
static int64_t child_len(rd *r, int64_t need)
{
    uint8_t m = u8(r);
    return m % 4 ? need : m % 48;
}

static fnode *gen_sized(rd *r, int depth, int ti, int64_t length, bool entries);

static fnode *gen(rd *r, int depth, int ti)
{
    return gen_sized(r, depth, ti, u8(r) % 40, false);
}

static fnode *gen_sized(rd *r, int depth, int ti, int64_t length, bool entries)
{
    fnode *f = calloc(1, sizeof *f);
    if (depth > 4 && table[ti].kind >= K_LIST32)
        ti = 6; /* bottom out at int32 */
    enum kind kind = table[ti].kind;
    int width = table[ti].width;
    int64_t offset = u8(r) % 8, end;
    uint8_t flags = u8(r);
    if (flags & 0x80)
        offset = 0;
    end = offset + length;
    snprintf(f->name, sizeof f->name, "f%d", depth);
    f->s.format = table[ti].format;
    f->s.name = f->name;
    f->s.flags = flags & 1 ? ARROW_FLAG_NULLABLE : 0;
    f->s.release = release_schema;
    f->a.length = length;
    f->a.offset = offset;
    f->a.release = release_child_array;
    f->a.private_data = f;

    int nb;
    switch (kind) {
    case K_NULL: nb = 0; break;
    case K_VAR32: case K_VAR64: nb = 3; break;
    case K_VIEW: nb = 3 + u8(r) % 3; break;
    case K_FIXLIST: case K_STRUCT: nb = 1; break;
    default: nb = 2; break;
    }
    f->buffers = calloc((size_t)nb + 2, sizeof *f->buffers);
    f->a.buffers = f->buffers;
    f->a.n_buffers = nb;

    /* validity and null count */
    int64_t nulls = 0;
    if (kind != K_NULL && (flags & 2)) {
        uint8_t *v = bytes_buf(f, r, (size_t)(end + 7) / 8);
        for (int64_t i = offset; i < end; i++)
            nulls += !((v[i >> 3] >> (i & 7)) & 1);
        f->buffers[0] = v;
    }
    switch ((flags >> 2) & 3) {
    case 0: f->a.null_count = -1; break;
    case 1: f->a.null_count = kind == K_NULL ? length : nulls; break;
    case 2: f->a.null_count = 0; break;
    default: f->a.null_count = u8(r) == 7 ? (int8_t)u8(r) : nulls; break;
    }

    int64_t last;
    switch (kind) {
    case K_NULL:
        break;
    case K_BOOL:
        f->buffers[1] = bytes_buf(f, r, (size_t)(end + 7) / 8);
        break;
    case K_FIXED:
        if (flags & 0x40 && u8(r) % 2) { /* maybe a dictionary on an integer index */
            int ix = u8(r) % 8;
            f->s.format = index_types[ix].format;
            width = index_types[ix].width;
            f->dict = gen(r, depth + 1, u8(r) % (int)N_TABLE);
            f->dict->a.release = release_child_array;
            f->s.dictionary = &f->dict->s;
            f->a.dictionary = &f->dict->a;
            if (u8(r) == 5)
                f->a.dictionary = NULL; /* missing dictionary */
        }
        f->buffers[1] = bytes_buf(f, r, (size_t)(end * width));
        break;
    case K_VAR32: case K_VAR64: {
        int w = kind == K_VAR32 ? 4 : 8;
        last = offsets_buf(f, r, end, w, &f->buffers[1]);
        if (last < 0 || last > 4096) { /* keep the data allocatable: the last offset is its size */
            last = u8(r);
            if (w == 4)
                ((int32_t *)f->buffers[1])[end] = (int32_t)last;
            else
                ((int64_t *)f->buffers[1])[end] = last;
        }
        f->buffers[2] = last || u8(r) % 2 ? bytes_buf(f, r, (size_t)last) : NULL;
        break;
    }
    case K_VIEW: {
        int n_data = nb - 3;
        int64_t *sizes = alloc_buf(f, (size_t)(n_data + 1) * 8);
        for (int i = 0; i < n_data; i++) {
            sizes[i] = u8(r) % 64;
            f->buffers[2 + i] = bytes_buf(f, r, (size_t)sizes[i]);
        }
        if (u8(r) == 9 && n_data)
            sizes[0] = -1; /* a negative size: must be refused */
        f->buffers[nb - 1] = n_data || u8(r) % 2 ? sizes : NULL;
        uint8_t *views = alloc_buf(f, (size_t)end * 16);
        for (int64_t i = 0; i < end; i++) {
            uint8_t *v = views + i * 16;
            int32_t size = u8(r) % 30, bi = n_data ? u8(r) % (n_data + 1) : (int8_t)u8(r);
            int32_t off = u8(r) % 64;
            if (u8(r) % 16 == 0)
                size = (int32_t)u32(r);
            memcpy(v, &size, 4);
            if (size <= 12) {
                for (int k = 0; k < 12; k++)
                    v[4 + k] = (uint8_t)('a' + u8(r) % 26);
            } else {
                if (bi >= 0 && bi < n_data && off < sizes[bi])
                    memcpy(v + 4, (uint8_t *)f->buffers[2 + bi] + off,
                           (size_t)(sizes[bi] - off < 4 ? sizes[bi] - off : 4));
                memcpy(v + 8, &bi, 4);
                memcpy(v + 12, &off, 4);
            }
        }
        f->buffers[1] = views;
        break;
    }
    case K_LIST32: case K_LIST64: case K_MAP: {
        last = offsets_buf(f, r, end, kind == K_LIST64 ? 8 : 4, &f->buffers[1]);
        add_kids(f, 1);
        int64_t need = last > 0 && last < 200 ? last : 0;
        fnode *k;
        if (kind == K_MAP) {
            k = gen_sized(r, depth + 1, 40 /* +s */, child_len(r, need), true);
            k->s.name = "entries";
        } else {
            k = gen_sized(r, depth + 1, u8(r) % (int)N_TABLE, child_len(r, need), false);
        }
        set_kid(f, 0, k);
        break;
    }
    case K_FIXLIST:
        add_kids(f, 1);
        set_kid(f, 0, gen_sized(r, depth + 1, u8(r) % (int)N_TABLE, child_len(r, end * width), false));
        break;
    case K_STRUCT: {
        /* map entries: a key and a value, unless the recipe says otherwise */
        uint8_t m = u8(r);
        int n = entries && m % 8 ? 2 : m % 4;
        add_kids(f, n);
        for (int i = 0; i < n; i++) {
            set_kid(f, i, gen_sized(r, depth + 1, u8(r) % (int)N_TABLE, child_len(r, end), false));
            if (entries && i == 0)
                f->kids[0]->s.flags &= ~ARROW_FLAG_NULLABLE;
        }
        break;
    }
    }
    f->s.n_children = f->n_kids;
    f->s.children = f->s_kids;
    f->a.n_children = f->n_kids;
    f->a.children = f->a_kids;
    /* structural damage, which import must refuse before reading */
    uint8_t damage = u8(r);
    if (damage == 1 && kind != K_VIEW)
        f->a.n_buffers = nb + 1 < 4 ? nb + 1 : nb - 1;
    else if (damage == 2 && f->n_kids)
        f->a.n_children = f->n_kids - 1;
    else if (damage == 3 && f->n_kids)
        f->s.n_children = f->n_kids - 1;
    else if (damage == 4)
        f->a.length = -1;
    else if (damage == 5 && nb > 1)
        f->buffers[1] = NULL;
    else if (damage == 6)
        f->a.null_count = -7;
    return f;
}

/* Random format strings, for the schema importer alone. */
static void schema_only(rd *r)
{
    char fmt[3][12];
    struct ArrowSchema s[3], *kids[3][1];
    for (int i = 0; i < 3; i++) {
        int n = u8(r) % 11;
        for (int k = 0; k < n; k++)
            fmt[i][k] = (char)u8(r);
        fmt[i][n] = '\0';
        memset(&s[i], 0, sizeof s[i]);
        s[i].format = fmt[i];
        s[i].name = "x";
        s[i].flags = u8(r) & 7;
        s[i].release = release_schema;
        kids[i][0] = i < 2 ? &s[i + 1] : NULL;
        if (i < 2 && u8(r) % 2) {
            s[i].n_children = 1;
            s[i].children = kids[i];
        }
    }
    tn_field f;
    if (tn_import_field(&s[0], &f, NULL) == TARN_OK) {
        struct ArrowSchema back;
        if (tn_export_type(&f, &back, NULL) == TARN_OK)
            back.release(&back);
        tn_field_reset(&f);
    }
}

/* Import, read every value, export and import again. */
static void check_import(fnode *root)
{
    tarn_error err;
    tn_field field;
    if (tn_import_field(&root->s, &field, &err) != TARN_OK)
        return;
    /* the lower levels check less, but checking must never go out of bounds */
    (void)tarn_array_validate(&root->s, &root->a, TARN_VALIDATE_MINIMAL, &err);
    (void)tarn_array_validate(&root->s, &root->a, TARN_VALIDATE_DEFAULT, &err);
    /* the public validator never takes the array */
    int vrc = tarn_array_validate(&root->s, &root->a, TARN_VALIDATE_FULL, &err);
    if (!root->a.release)
        abort();
    tn_array *a = NULL;
    int rc = tn_import_array(&root->a, field.type, TARN_VALIDATE_FULL, &a, &err);
    if ((rc == TARN_OK) != (vrc == TARN_OK))
        abort();
    if (rc == TARN_OK) {
        if (root->a.release || (releases != 0 && releases != 1))
            abort();
        tn_array *s = tn_array_slice(a, 0, a->length);
        if (s && !tn_array_equals(a, s))
            abort();
        tn_array_unref(s);
        struct ArrowArray out;
        if (tn_export_array(a, &out, &err) == TARN_OK) {
            tn_array *b = NULL;
            if (tn_import_array(&out, field.type, TARN_VALIDATE_FULL, &b, &err) != TARN_OK)
                abort(); /* what tarn validated and exported must import */
            if (!tn_array_equals(a, b))
                abort();
            tn_array_unref(b);
        }
        tn_array_unref(a);
    } else if (!root->a.release || releases != 0) {
        abort(); /* a failed import leaves the struct to the caller */
    }
    tn_field_reset(&field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rd r = {data, size};
    int64_t held = tarn_memory_used();
    if (u8(&r) % 4 == 0) {
        schema_only(&r);
        if (tarn_memory_used() != held)
            abort(); /* a leak through tarn's allocator */
        return 0;
    }
    releases = 0;
    fnode *root = gen(&r, 0, u8(&r) % (int)N_TABLE);
    root->a.release = release_root_array;
    check_import(root);
    if (root->a.release)
        root->a.release(&root->a);
    if (releases != 1 || tarn_memory_used() != held)
        abort();
    free_node(root);
    return 0;
}
