/*
 * arena.c — chunked bump allocator (see arena.h).
 */
#include <string.h>

#include "core/alloc.h"
#include "core/arena.h"

struct tn_arena_chunk {
    tn_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    /* data follows, 16-byte aligned */
};

#define HDR ((sizeof(tn_arena_chunk) + 15) & ~(size_t)15)

void tn_arena_init(tn_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->total = 0;
}

void *tn_arena_alloc(tn_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    tn_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > a->chunk_size ? n : a->chunk_size;
        if (size > SIZE_MAX - HDR)
            return NULL;
        c = tn_malloc(HDR + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += size;
    }
    void *p = (char *)c + HDR + c->used;
    c->used += n;
    return p;
}

void *tn_arena_calloc(tn_arena *a, size_t n)
{
    void *p = tn_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *tn_arena_strndup(tn_arena *a, const char *s, size_t n)
{
    char *d = tn_arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void tn_arena_clear(tn_arena *a)
{
    tn_arena_chunk *c = a->head;
    if (!c)
        return;
    /* keep the oldest chunk, which is usually the default size */
    while (c->next) {
        tn_arena_chunk *next = c->next;
        a->total -= c->size;
        tn_free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
}

void tn_arena_free(tn_arena *a)
{
    tn_arena_chunk *c = a->head;
    while (c) {
        tn_arena_chunk *next = c->next;
        tn_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}
