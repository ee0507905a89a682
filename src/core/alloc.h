/*
 * alloc.h — the one allocator of libtarn.
 *
 * Every allocation goes through here, so that tarn can (1) account for its
 * memory, (2) enforce a process-wide budget — a refused allocation returns
 * NULL and becomes a clean TARN_EMEMLIMIT error, never a crash — and
 * (3) inject failures in tests (fail the Nth allocation, for every N).
 *
 * tn_free releases memory from tn_malloc, tn_calloc, tn_realloc and
 * tn_malloc_aligned alike, and accepts NULL.
 */
#ifndef TN_CORE_ALLOC_H
#define TN_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_ALIGNMENT 64 /* Arrow buffers: 64-byte aligned, sizes padded to 64 */

void *tn_malloc(size_t n) __attribute__((malloc));
void *tn_calloc(size_t count, size_t size) __attribute__((malloc)); /* overflow-checked */
/* Grows or shrinks p; on failure returns NULL and p is still valid. */
void *tn_realloc(void *p, size_t n);
void tn_free(void *p);
char *tn_strdup(const char *s);
char *tn_strndup(const char *s, size_t n);
/* Printf into a new string; NULL on failure. */
char *tn_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 64-byte aligned memory for Arrow buffers. tn_realloc_aligned keeps the
 * alignment and, like tn_realloc, leaves p valid on failure. */
void *tn_malloc_aligned(size_t n) __attribute__((malloc));
void *tn_realloc_aligned(void *p, size_t n);

/* Reservations let a large consumer (hash table, sort, write buffer) ask the
 * budget before it grows memory it does not allocate through tn_malloc, or
 * in advance of doing so. tn_mem_reserve fails with false when refused. */
bool tn_mem_reserve(int64_t bytes);
void tn_mem_unreserve(int64_t bytes);

/* Whether the last failed allocation on this thread was refused by the budget
 * (rather than by the system or by injection). */
bool tn_alloc_last_failure_was_budget(void);

/* Fault injection for tests: the nth allocation from now (n >= 1) fails,
 * once; 0 disables. tn_alloc_injection_fired() tells whether it happened. */
void tn_alloc_fail_nth(int64_t n);
bool tn_alloc_injection_fired(void);

/* "1.5 GiB" style rendering of a byte count. */
void tn_format_bytes(char *out, size_t cap, int64_t bytes);

#endif
