/*
 * arena.h — bump allocation for scratch memory freed all at once with its
 * owner (a batch, a parse, a query). Allocations are 16-byte aligned and come
 * from chunks obtained through the accounting allocator.
 */
#ifndef TN_CORE_ARENA_H
#define TN_CORE_ARENA_H

#include <stddef.h>

typedef struct tn_arena_chunk tn_arena_chunk;

typedef struct tn_arena {
    tn_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;    /* default size of new chunks */
    size_t total;         /* bytes held in chunks */
} tn_arena;

void tn_arena_init(tn_arena *a, size_t chunk_size); /* 0 = 64 KiB */
/* NULL when memory is refused. */
void *tn_arena_alloc(tn_arena *a, size_t n);
void *tn_arena_calloc(tn_arena *a, size_t n);
char *tn_arena_strndup(tn_arena *a, const char *s, size_t n);
/* Forget every allocation but keep the first chunk for reuse. */
void tn_arena_clear(tn_arena *a);
/* Release everything. */
void tn_arena_free(tn_arena *a);

#endif
