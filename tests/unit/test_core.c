/*
 * test_core.c — allocator accounting, budget, failure injection, buffers,
 * arenas and error formatting.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/hash.h"
#include "tn_test.h"

TEST(alloc_accounting)
{
    int64_t before = tarn_memory_used();
    void *p = tn_malloc(1000);
    CHECK(p != NULL);
    CHECK_EQ_INT(tarn_memory_used() - before, 1000);
    p = tn_realloc(p, 5000);
    CHECK_EQ_INT(tarn_memory_used() - before, 5000);
    void *a = tn_malloc_aligned(100);
    CHECK(((uintptr_t)a & 63) == 0);
    CHECK_EQ_INT(tarn_memory_used() - before, 5100);
    a = tn_realloc(a, 300); /* realloc of an aligned block keeps alignment */
    CHECK(((uintptr_t)a & 63) == 0);
    tn_free(p);
    tn_free(a);
    tn_free(NULL);
    CHECK_EQ_INT(tarn_memory_used(), before);
    CHECK(tn_calloc(SIZE_MAX / 2, 4) == NULL); /* overflow refused */
}

TEST(alloc_budget)
{
    tarn_set_memory_limit(tarn_memory_used() + 4096);
    void *ok = tn_malloc(1000);
    CHECK(ok != NULL);
    void *no = tn_malloc(10000);
    CHECK(no == NULL);
    tarn_error err;
    tarn_error_init(&err);
    CHECK_EQ_INT(tn_error_oom(&err, 10000), TARN_EMEMLIMIT);
    CHECK_MSG(&err, "memory limit exceeded");
    CHECK(!tn_mem_reserve(100000));
    CHECK(tn_mem_reserve(100));
    tn_mem_unreserve(100);
    tn_free(ok);
    tarn_set_memory_limit(0);
    no = tn_malloc(10000);
    CHECK(no != NULL);
    tn_free(no);
}

TEST(alloc_injection)
{
    tn_alloc_fail_nth(2);
    void *a = tn_malloc(8), *b = tn_malloc(8), *c = tn_malloc(8);
    CHECK(a && !b && c);
    CHECK(tn_alloc_injection_fired());
    tarn_error err;
    CHECK_EQ_INT(tn_error_oom(&err, 8), TARN_ENOMEM);
    tn_free(a);
    tn_free(c);
    tn_alloc_fail_nth(0);
}

TEST(sizes)
{
    int64_t v;
    tarn_error err;
    CHECK_OK(tarn_parse_size("512MB", &v, &err), &err);
    CHECK_EQ_INT(v, 512000000);
    CHECK_OK(tarn_parse_size("1.5GiB", &v, &err), &err);
    CHECK_EQ_INT(v, 1610612736);
    CHECK_OK(tarn_parse_size("4096", &v, &err), &err);
    CHECK_EQ_INT(v, 4096);
    CHECK_EQ_INT(tarn_parse_size("12 parsecs", &v, &err), TARN_EINVAL);
    CHECK_MSG(&err, "12 parsecs");
    char s[32];
    tn_format_bytes(s, sizeof s, 1536);
    CHECK_STR(s, "1.5 KiB");
}

TEST(dynbuf)
{
    tarn_error err;
    tn_buf b;
    tn_buf_init(&b, 16);
    CHECK_OK(tn_buf_append_str(&b, "hello ", &err), &err);
    CHECK_OK(tn_buf_printf(&b, &err, "%d", 42), &err);
    CHECK_STR((char *)b.data, "hello 42");
    CHECK_EQ_INT(tn_buf_append_str(&b, "this is too long", &err), TARN_EOVERFLOW);
    CHECK_STR((char *)b.data, "hello 42");
    tn_buf_reset(&b);
}

TEST(arena)
{
    tn_arena a;
    tn_arena_init(&a, 128);
    char *x = tn_arena_alloc(&a, 10);
    char *y = tn_arena_alloc(&a, 1000); /* larger than a chunk */
    CHECK(x && y && ((uintptr_t)x & 15) == 0 && ((uintptr_t)y & 15) == 0);
    memset(y, 1, 1000);
    char *s = tn_arena_strndup(&a, "abcdef", 3);
    CHECK_STR(s, "abc");
    tn_arena_clear(&a);
    CHECK(tn_arena_alloc(&a, 8) != NULL);
    tn_arena_free(&a);
}

TEST(errors)
{
    tarn_error err;
    tarn_error_init(&err);
    CHECK_EQ_INT(TN_CORRUPT(&err, "bad byte at offset %d", 7), TARN_ECORRUPT);
    tn_error_prefix(&err, "reading %s: ", "x.arrow");
    CHECK_STR(err.message, "reading x.arrow: bad byte at offset 7");
    CHECK_STR(tarn_status_name(TARN_ECORRUPT), "ECORRUPT");
    CHECK_EQ_INT(TARN_EINTERNAL, 99); /* pinned */
}

TEST(hashing)
{
    CHECK(tn_hash_bytes("abc", 3, 0) == tn_hash_bytes("abc", 3, 0));
    CHECK(tn_hash_bytes("abc", 3, 0) != tn_hash_bytes("abd", 3, 0));
    /* XXH64 of the empty input with seed 0 is a published constant */
    CHECK(tn_hash_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
}

int main(void)
{
    RUN(alloc_accounting);
    RUN(alloc_budget);
    RUN(alloc_injection);
    RUN(sizes);
    RUN(dynbuf);
    RUN(arena);
    RUN(errors);
    RUN(hashing);
    return tn_test_done();
}
