/*
 * alloc.c — accounting allocator with a budget and failure injection.
 *
 * Each block carries a 16-byte header just before the pointer handed out:
 *
 *   offset -16  size_t  size   bytes requested by the caller
 *   offset  -8  void*   base   NULL for malloc'd blocks; for aligned blocks
 *                              the pointer that posix_memalign returned
 *
 * so one tn_free serves plain and aligned blocks, and frees know how many
 * bytes to give back to the budget.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

typedef struct header {
    size_t size;
    void *base;
} header;

_Static_assert(sizeof(header) == 16, "allocation header must keep 16-byte alignment");

static _Atomic int64_t used_bytes;
static _Atomic int64_t peak_bytes;
static _Atomic int64_t limit_bytes;   /* 0 = no budget */
static _Atomic int64_t fail_countdown; /* >0: allocations left before the injected one */
static _Atomic bool injection_fired;
static _Thread_local bool last_was_budget;

static bool take(size_t n)
{
    int64_t limit = atomic_load_explicit(&limit_bytes, memory_order_relaxed);
    int64_t now = atomic_fetch_add_explicit(&used_bytes, (int64_t)n, memory_order_relaxed) + (int64_t)n;
    if (limit > 0 && now > limit) {
        atomic_fetch_sub_explicit(&used_bytes, (int64_t)n, memory_order_relaxed);
        last_was_budget = true;
        return false;
    }
    int64_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    while (now > peak &&
           !atomic_compare_exchange_weak_explicit(&peak_bytes, &peak, now, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
    return true;
}

static void give(size_t n)
{
    atomic_fetch_sub_explicit(&used_bytes, (int64_t)n, memory_order_relaxed);
}

/* True when this allocation must fail because a test asked for it. */
static bool injected(void)
{
    if (TN_LIKELY(atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0))
        return false;
    if (atomic_fetch_sub(&fail_countdown, 1) == 1) {
        atomic_store(&injection_fired, true);
        last_was_budget = false;
        return true;
    }
    return false;
}

void *tn_malloc(size_t n)
{
    if (injected() || n > SIZE_MAX - sizeof(header))
        return NULL;
    if (!take(n))
        return NULL;
    header *h = malloc(sizeof(header) + n);
    if (!h) {
        give(n);
        last_was_budget = false;
        return NULL;
    }
    h->size = n;
    h->base = NULL;
    return h + 1;
}

void *tn_calloc(size_t count, size_t size)
{
    size_t n;
    if (__builtin_mul_overflow(count, size, &n))
        return NULL;
    void *p = tn_malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *tn_malloc_aligned(size_t n)
{
    if (injected() || n > SIZE_MAX - 2 * TN_ALIGNMENT)
        return NULL;
    if (!take(n))
        return NULL;
    void *base = NULL;
    if (posix_memalign(&base, TN_ALIGNMENT, TN_ALIGNMENT + n) != 0) {
        give(n);
        last_was_budget = false;
        return NULL;
    }
    char *p = (char *)base + TN_ALIGNMENT;
    header *h = (header *)p - 1;
    h->size = n;
    h->base = base;
    return p;
}

void tn_free(void *p)
{
    if (!p)
        return;
    header *h = (header *)p - 1;
    give(h->size);
    if (h->base)
        free(h->base);
    else
        free(h);
}

void *tn_realloc(void *p, size_t n)
{
    if (!p)
        return tn_malloc(n);
    header *h = (header *)p - 1;
    if (h->base)
        return tn_realloc_aligned(p, n);
    size_t old = h->size;
    if (injected() || n > SIZE_MAX - sizeof(header))
        return NULL;
    if (n > old && !take(n - old))
        return NULL;
    header *nh = realloc(h, sizeof(header) + n);
    if (!nh) {
        if (n > old)
            give(n - old);
        last_was_budget = false;
        return NULL;
    }
    if (n < old)
        give(old - n);
    nh->size = n;
    return nh + 1;
}

void *tn_realloc_aligned(void *p, size_t n)
{
    if (!p)
        return tn_malloc_aligned(n);
    header *h = (header *)p - 1;
    void *q = tn_malloc_aligned(n);
    if (!q)
        return NULL;
    memcpy(q, p, h->size < n ? h->size : n);
    tn_free(p);
    return q;
}

char *tn_strndup(const char *s, size_t n)
{
    char *d = tn_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *tn_strdup(const char *s)
{
    return s ? tn_strndup(s, strlen(s)) : NULL;
}

char *tn_sprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = tn_malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

bool tn_mem_reserve(int64_t bytes)
{
    if (bytes <= 0)
        return true;
    if (injected())
        return false;
    return take((size_t)bytes);
}

void tn_mem_unreserve(int64_t bytes)
{
    if (bytes > 0)
        give((size_t)bytes);
}

bool tn_alloc_last_failure_was_budget(void)
{
    return last_was_budget;
}

void tn_alloc_fail_nth(int64_t n)
{
    atomic_store(&injection_fired, false);
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

bool tn_alloc_injection_fired(void)
{
    return atomic_load(&injection_fired);
}

void tarn_set_memory_limit(int64_t bytes)
{
    atomic_store(&limit_bytes, bytes > 0 ? bytes : 0);
}

int64_t tarn_memory_limit(void)
{
    return atomic_load(&limit_bytes);
}

int64_t tarn_memory_used(void)
{
    return atomic_load(&used_bytes);
}

int64_t tarn_memory_peak(void)
{
    return atomic_load(&peak_bytes);
}

void tarn_free(void *p)
{
    tn_free(p);
}

void tn_format_bytes(char *out, size_t cap, int64_t bytes)
{
    static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = 0;
    while ((v >= 1024.0 || v <= -1024.0) && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(out, cap, "%lld bytes", (long long)bytes);
    else
        snprintf(out, cap, "%.1f %s", v, units[u]);
}

int tarn_parse_size(const char *text, int64_t *out, tarn_error *err)
{
    if (!text || !*text)
        return tn_error_set(err, TARN_EINVAL, "empty size");
    char *end;
    double v = strtod(text, &end);
    if (end == text || v < 0)
        return tn_error_set(err, TARN_EINVAL, "invalid size '%s' (expected e.g. 512MB, 1GiB, 4096)", text);
    while (*end == ' ')
        end++;
    double mult = 1;
    char u[8] = {0};
    for (int i = 0; end[i] && i < 7; i++)
        u[i] = (char)(end[i] >= 'a' && end[i] <= 'z' ? end[i] - 32 : end[i]);
    if (strlen(end) >= 7)
        goto bad;
    if (!*u || !strcmp(u, "B"))
        mult = 1;
    else if (!strcmp(u, "K") || !strcmp(u, "KB"))
        mult = 1e3;
    else if (!strcmp(u, "KIB"))
        mult = 1024.0;
    else if (!strcmp(u, "M") || !strcmp(u, "MB"))
        mult = 1e6;
    else if (!strcmp(u, "MIB"))
        mult = 1024.0 * 1024;
    else if (!strcmp(u, "G") || !strcmp(u, "GB"))
        mult = 1e9;
    else if (!strcmp(u, "GIB"))
        mult = 1024.0 * 1024 * 1024;
    else if (!strcmp(u, "T") || !strcmp(u, "TB"))
        mult = 1e12;
    else if (!strcmp(u, "TIB"))
        mult = 1024.0 * 1024 * 1024 * 1024;
    else
        goto bad;
    v *= mult;
    if (v > 9.2e18)
        return tn_error_set(err, TARN_EOVERFLOW, "size '%s' is too large", text);
    *out = (int64_t)v;
    return TARN_OK;
bad:
    return tn_error_set(err, TARN_EINVAL, "invalid size unit in '%s' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
                        text);
}
