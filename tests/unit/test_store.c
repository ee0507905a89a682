/*
 * test_store.c — one operation suite run against every object-store backend
 * (local disk in a temporary directory, memory), plus URLs and globs.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "store/ini.h"
#include "store/profile.h"
#include "store/store.h"
#include "tarn/store.h"
#include "tn_test.h"

static char tmpdir[256];

/* Key under the backend's root: local keys live in the temp directory. */
static const char *K(tn_store *s, const char *key)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) & 3;
    if (strcmp(s->scheme, "file") == 0)
        snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, key);
    else
        snprintf(buf[i], sizeof buf[i], "%s", key);
    return buf[i];
}

static int count_entry(void *ctx, const tn_list_entry *e, tarn_error *err)
{
    (void)err;
    char *out = ctx;
    const char *base = strrchr(e->key, '/');
    /* record the key relative to the temp dir, in order */
    const char *rel = strstr(e->key, tmpdir) == e->key ? e->key + strlen(tmpdir) + 1 : e->key;
    (void)base;
    strcat(out, rel);
    strcat(out, e->is_prefix ? "(P) " : " ");
    return 0;
}

/* A body source over memory that can be told to fail at a byte. */
typedef struct mem_source {
    const uint8_t *data;
    int64_t size;
    int64_t fail_at; /* -1: never */
    int calls;
} mem_source;

static int read_mem(void *ctx, int64_t offset, void *dst, int64_t n, int64_t *got, tarn_error *err)
{
    mem_source *m = ctx;
    m->calls++;
    if (m->fail_at >= 0 && offset + n > m->fail_at)
        return tn_error_set(err, TARN_EIO, "source broke at %lld", (long long)m->fail_at);
    *got = m->size - offset < n ? m->size - offset : n;
    memcpy(dst, m->data + offset, (size_t)*got);
    return TARN_OK;
}

/* A sink that gathers what a streamed read delivers. */
typedef struct mem_sink {
    uint8_t *data;
    int64_t len, cap;
    int calls;
} mem_sink;

static int to_mem(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    mem_sink *m = ctx;
    m->calls++;
    if (m->len + n > m->cap)
        return tn_error_set(err, TARN_EIO, "sink full");
    memcpy(m->data + m->len, p, (size_t)n);
    m->len += n;
    return TARN_OK;
}

/* Streamed puts and gets: one request each way where the backend can.
 * faithful: the service drops a body cut short (s3rver sometimes stores
 * what arrived, where S3 answers IncompleteBody). */
static void streaming_suite(tn_store *s, const uint8_t *big, int64_t size, bool faithful)
{
    tarn_error err;
    tn_object_meta m;
    mem_source src = {big, size, -1, 0};
    CHECK_OK(tn_store_put_stream(s, K(s, "st/big.bin"), size, read_mem, &src, NULL, &err), &err);
    CHECK_OK(tn_store_head(s, K(s, "st/big.bin"), &m, &err), &err);
    CHECK_EQ_INT(m.size, size);
    static uint8_t back[3 << 20];
    mem_sink sink = {back, 0, sizeof back, 0};
    CHECK_OK(tn_store_get_stream(s, K(s, "st/big.bin"), 0, -1, to_mem, &sink, &err), &err);
    CHECK(sink.len == size && memcmp(back, big, (size_t)size) == 0);
    sink.len = 0;
    CHECK_OK(tn_store_get_stream(s, K(s, "st/big.bin"), 1000, 70000, to_mem, &sink, &err), &err);
    CHECK(sink.len == 70000 && memcmp(back, big + 1000, 70000) == 0);
    /* a sink that fails stops the read with its own error, not a retry */
    int64_t retries = s->metrics.retries;
    sink.len = 0;
    sink.cap = 1000;
    CHECK_EQ_INT(tn_store_get_stream(s, K(s, "st/big.bin"), 0, -1, to_mem, &sink, &err), TARN_EIO);
    CHECK_MSG(&err, "sink full");
    CHECK_EQ_INT(s->metrics.retries, retries);
    /* a source that fails leaves no object behind and is not retried */
    mem_source broken = {big, size, size / 2, 0};
    CHECK_EQ_INT(tn_store_put_stream(s, K(s, "st/broken.bin"), size, read_mem, &broken, NULL, &err), TARN_EIO);
    CHECK_MSG(&err, "source broke");
    if (faithful)
        CHECK_EQ_INT(tn_store_head(s, K(s, "st/broken.bin"), &m, &err), TARN_ENOTFOUND);
    else
        CHECK_OK(tn_store_remove(s, K(s, "st/broken.bin"), &err), &err);
    CHECK_EQ_INT(s->metrics.retries, retries);
    /* a source shorter than announced is an error too */
    mem_source shorter = {big, size / 4, -1, 0};
    CHECK_EQ_INT(tn_store_put_stream(s, K(s, "st/short.bin"), size, read_mem, &shorter, NULL, &err), TARN_EIO);
    CHECK_MSG(&err, "ended at byte");
    if (faithful)
        CHECK_EQ_INT(tn_store_head(s, K(s, "st/short.bin"), &m, &err), TARN_ENOTFOUND);
    else
        CHECK_OK(tn_store_remove(s, K(s, "st/short.bin"), &err), &err);
    /* an empty object */
    CHECK_OK(tn_store_put_stream(s, K(s, "st/empty.bin"), 0, read_mem, &src, NULL, &err), &err);
    CHECK_OK(tn_store_head(s, K(s, "st/empty.bin"), &m, &err), &err);
    CHECK_EQ_INT(m.size, 0);
    CHECK_OK(tn_store_remove(s, K(s, "st/empty.bin"), &err), &err);
    CHECK_OK(tn_store_remove(s, K(s, "st/big.bin"), &err), &err);
}


/* Keys below prefix, "k1 k2 ", listed recursively. */
static void keys_below(tn_store *s, const char *prefix, char *out)
{
    tarn_error err;
    out[0] = '\0';
    CHECK_OK(tn_store_list(s, prefix, false, count_entry, out, &err), &err);
}

/* Parallel transfers of a remote store, with parts of `part` bytes, four
 * at a time: a streaming writer fed in odd-sized writes, a streamed put
 * large enough to go out in parts, parallel ranged reads back in order,
 * an abort and a failing source mid-upload. Nothing is visible before the
 * commit and nothing is left after a failure: no object, and no
 * temporary part objects (GCS composes them) below the prefix. */
static void parallel_suite(tn_store *s, int64_t part)
{
    tarn_error err;
    tn_object_meta m;
    int64_t saved_part = s->part_size;
    int saved_conc = s->concurrency;
    s->part_size = part;
    s->concurrency = 4;
    int64_t size = 9 * part + 12345;
    uint8_t *data = tn_malloc((size_t)size), *back = tn_malloc((size_t)size);
    for (int64_t i = 0; i < size; i++)
        data[i] = (uint8_t)(i * 131 + (i >> 11));
    /* a writer: ten parts (the last short), sent four at a time */
    tn_store_writer *w;
    int64_t req = s->metrics.requests;
    CHECK_OK(tn_store_writer_open(s, "par/written.bin", NULL, &w, &err), &err);
    for (int64_t at = 0; at < size; at += 77777)
        CHECK_OK(w->write(w, data + at, size - at < 77777 ? size - at : 77777, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "par/written.bin", &m, &err), TARN_ENOTFOUND);
    CHECK_OK(w->commit(w, &err), &err);
    CHECK(s->metrics.requests - req >= 11); /* ten parts and a commit at least */
    CHECK_OK(tn_store_head(s, "par/written.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, size);
    /* read back as parallel ranged GETs handed on in order */
    mem_sink sink = {back, 0, size, 0};
    req = s->metrics.requests;
    CHECK_OK(tn_store_get_stream(s, "par/written.bin", 0, size, to_mem, &sink, &err), &err);
    CHECK(sink.len == size && memcmp(back, data, (size_t)size) == 0);
    CHECK_EQ_INT(s->metrics.requests - req, 10);
    /* a part of the way, from an odd offset */
    sink.len = 0;
    CHECK_OK(tn_store_get_stream(s, "par/written.bin", 7, size - 20, to_mem, &sink, &err), &err);
    CHECK(sink.len == size - 20 && memcmp(back, data + 7, (size_t)(size - 20)) == 0);
    /* a sink that fails stops every thread with its own error */
    sink.len = 0;
    sink.cap = part + 10;
    CHECK_EQ_INT(tn_store_get_stream(s, "par/written.bin", 0, size, to_mem, &sink, &err), TARN_EIO);
    CHECK_MSG(&err, "sink full");
    /* coalesced ranges longer than a part come as parallel part-sized
     * pieces streamed into one buffer; short ones as one request */
    tn_range rr[3] = {{.offset = 100, .length = 3 * part + part / 2}, {.offset = 3 * part + part / 2 + 150, .length = 10},
                      {.offset = 8 * part, .length = 1000}};
    int64_t gets = s->metrics.gets;
    req = s->metrics.requests;
    CHECK_OK(tn_store_get_ranges(s, "par/written.bin", rr, 3, 1000, &err), &err);
    CHECK_EQ_INT(s->metrics.gets - gets, 5); /* [100, +3.5 parts + 60) in 4 pieces, the last range alone */
    CHECK_EQ_INT(s->metrics.requests - req, 5);
    for (int i = 0; i < 3; i++) {
        CHECK(rr[i].out && rr[i].out->size == rr[i].length &&
              memcmp(rr[i].out->data, data + rr[i].offset, (size_t)rr[i].length) == 0);
        tn_buffer_unref(rr[i].out);
    }
    /* a streamed put of that size goes out in parts too */
    mem_source src = {data, size, -1, 0};
    req = s->metrics.requests;
    CHECK_OK(tn_store_put_stream(s, "par/streamed.bin", size, read_mem, &src, NULL, &err), &err);
    CHECK(s->metrics.requests - req >= 11);
    tn_buffer *b = NULL;
    CHECK_OK(tn_store_get(s, "par/streamed.bin", 0, size, &b, &err), &err);
    CHECK(b && b->size == size && memcmp(b->data, data, (size_t)size) == 0);
    tn_buffer_unref(b);
    /* an abort after several parts landed leaves nothing */
    CHECK_OK(tn_store_writer_open(s, "par/aborted.bin", NULL, &w, &err), &err);
    CHECK_OK(w->write(w, data, 6 * part + 5, &err), &err);
    w->abort(w);
    CHECK_EQ_INT(tn_store_head(s, "par/aborted.bin", &m, &err), TARN_ENOTFOUND);
    /* a source that breaks in the middle of a parallel put leaves nothing */
    mem_source broken = {data, size, 5 * part + 3, 0};
    CHECK_EQ_INT(tn_store_put_stream(s, "par/broken.bin", size, read_mem, &broken, NULL, &err), TARN_EIO);
    CHECK_MSG(&err, "source broke");
    CHECK_EQ_INT(tn_store_head(s, "par/broken.bin", &m, &err), TARN_ENOTFOUND);
    char out[4096];
    keys_below(s, "par/", out);
    CHECK_STR(out, "par/streamed.bin par/written.bin ");
    CHECK_OK(tn_store_remove(s, "par/streamed.bin", &err), &err);
    CHECK_OK(tn_store_remove(s, "par/written.bin", &err), &err);
    tn_free(data);
    tn_free(back);
    s->part_size = saved_part;
    s->concurrency = saved_conc;
}

/* A writer of n parts of s->part_size bytes (the last one 1000 bytes). */
static int write_parts(tn_store *s, const char *key, const tn_put_options *o, int n, tarn_error *err)
{
    tn_store_writer *w;
    int rc = tn_store_writer_open(s, key, o, &w, err);
    if (rc)
        return rc;
    uint8_t *buf = tn_calloc(1, (size_t)s->part_size);
    for (int i = 0; !rc && i < n; i++)
        rc = w->write(w, buf, i == n - 1 ? 1000 : s->part_size, err);
    tn_free(buf);
    if (rc) {
        w->abort(w);
        return rc;
    }
    return w->commit(w, err);
}

/* Deep globs: remote stores walk the levels in parallel, listing only the
 * prefixes under which a key could still match. faithful: the service
 * lists every common prefix; s3rver leaves out those that hold no object
 * directly, so for it each such level gets a marker object. */
static void deep_globs(tn_store *s, bool faithful)
{
    tarn_error err;
    static const char *const markers[] = {"deep/y=2023/_m", "deep/y=2023/m=01/_m", "deep/y=2024/_m",
                                          "deep/y=2024/m=01/_m", "deep/y=2024/m=02/_m"};
    for (size_t i = 0; !faithful && i < sizeof markers / sizeof markers[0]; i++)
        CHECK_OK(tn_store_put(s, K(s, markers[i]), "m", 1, NULL, &err), &err);
    static const char *const deep[] = {
        "deep/y=2023/m=01/d=01/p.parquet", "deep/y=2024/m=01/d=01/p.parquet", "deep/y=2024/m=01/d=02/p.parquet",
        "deep/y=2024/m=02/d=01/p.parquet", "deep/y=2024/m=02/d=01/q.parquet", "deep/y=2024/m=02/d=01/q.json",
        "deep/y=2024/top.parquet",
    };
    size_t n_deep = sizeof deep / sizeof deep[0];
    for (size_t i = 0; i < n_deep; i++) /* each object as long as its key */
        CHECK_OK(tn_store_put(s, K(s, deep[i]), deep[i], (int64_t)strlen(deep[i]), NULL, &err), &err);
    char **keys;
    tn_object_meta *metas;
    int64_t n;
    int64_t lists = s->metrics.lists;
    CHECK_OK(tn_store_glob_meta(s, K(s, "deep/y=2024/m=*/d=01/*.parquet"), &keys, &metas, &n, &err), &err);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK(strstr(keys[0], "deep/y=2024/m=01/d=01/p.parquet") != NULL);
        CHECK(strstr(keys[1], "deep/y=2024/m=02/d=01/p.parquet") != NULL);
        CHECK(strstr(keys[2], "deep/y=2024/m=02/d=01/q.parquet") != NULL);
        for (int i = 0; i < 3; i++) /* the metadata travels with its key through the sort */
            CHECK_EQ_INT(metas[i].size, (int64_t)strlen(strstr(keys[i], "deep/")));
    }
    /* y=2024/, m=01/, m=02/, m=01/d=01/, m=02/d=01/: d=02 and y=2023 are never listed */
    if (s->limiter.max > 0)
        CHECK_EQ_INT(s->metrics.lists - lists, 5);
    for (int64_t i = 0; i < n; i++)
        tn_free(keys[i]);
    tn_free(keys);
    tn_free(metas);
    CHECK_OK(tn_store_glob(s, K(s, "deep/**/*.parquet"), &keys, &n, &err), &err);
    CHECK_EQ_INT(n, 6);
    for (int64_t i = 1; i < n; i++) /* in key order */
        CHECK(strcmp(keys[i - 1], keys[i]) < 0);
    for (int64_t i = 0; i < n; i++)
        tn_free(keys[i]);
    tn_free(keys);
    lists = s->metrics.lists;
    CHECK_OK(tn_store_glob(s, K(s, "deep/y=2025/**"), &keys, &n, &err), &err);
    CHECK_EQ_INT(n, 0);
    tn_free(keys);
    CHECK_OK(tn_store_glob(s, K(s, "deep/y=202[!4]/*/d=0?/*"), &keys, &n, &err), &err);
    CHECK_EQ_INT(n, 1);
    if (n == 1)
        CHECK(strstr(keys[0], "deep/y=2023/m=01/d=01/p.parquet") != NULL);
    for (int64_t i = 0; i < n; i++)
        tn_free(keys[i]);
    tn_free(keys);
    for (size_t i = 0; i < n_deep; i++)
        CHECK_OK(tn_store_remove(s, K(s, deep[i]), &err), &err);
    for (size_t i = 0; !faithful && i < sizeof markers / sizeof markers[0]; i++)
        CHECK_OK(tn_store_remove(s, K(s, markers[i]), &err), &err);
}

/* conditional: the backend honours create-if-absent and if-match (the s3rver
 * emulator ignores both; S3 itself, Azure and GCS do not). */
static void suite(tn_store *s, bool conditional)
{
    tarn_error err;
    tn_object_meta m;
    tn_buffer *b;
    /* put and get, whole and ranged */
    CHECK_OK(tn_store_put(s, K(s, "a/b/one.txt"), "hello world", 11, NULL, &err), &err);
    CHECK_OK(tn_store_get(s, K(s, "a/b/one.txt"), 0, -1, &b, &err), &err);
    CHECK(b && b->size == 11 && memcmp(b->data, "hello world", 11) == 0);
    tn_buffer_unref(b);
    CHECK_OK(tn_store_get(s, K(s, "a/b/one.txt"), 6, 3, &b, &err), &err);
    CHECK(b && b->size == 3 && memcmp(b->data, "wor", 3) == 0);
    tn_buffer_unref(b);
    CHECK_OK(tn_store_get(s, K(s, "a/b/one.txt"), -5, -1, &b, &err), &err); /* suffix */
    CHECK(b && b->size == 5 && memcmp(b->data, "world", 5) == 0);
    tn_buffer_unref(b);
    CHECK_OK(tn_store_get(s, K(s, "a/b/one.txt"), 8, 100, &b, &err), &err); /* clamped */
    CHECK(b && b->size == 3);
    tn_buffer_unref(b);
    CHECK_EQ_INT(tn_store_get(s, K(s, "a/b/one.txt"), 50, 1, &b, &err), TARN_EINVAL);
    CHECK_MSG(&err, "past the end");
    CHECK_EQ_INT(tn_store_get(s, K(s, "missing"), 0, -1, &b, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "missing");
    /* head and etags */
    CHECK_OK(tn_store_head(s, K(s, "a/b/one.txt"), &m, &err), &err);
    CHECK_EQ_INT(m.size, 11);
    char tag[64];
    strcpy(tag, m.etag);
    tn_put_options create = {.mode = TN_PUT_CREATE};
    if (conditional) {
    CHECK_EQ_INT(tn_store_put(s, K(s, "a/b/one.txt"), "x", 1, &create, &err), TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    CHECK_OK(tn_store_put(s, K(s, "a/new.txt"), "new", 3, &create, &err), &err);
    tn_put_options stale = {.mode = TN_PUT_IF_MATCH, .if_match = "not-the-tag"};
    CHECK_EQ_INT(tn_store_put(s, K(s, "a/b/one.txt"), "x", 1, &stale, &err), TARN_ECONFLICT);
    tn_put_options match = {.mode = TN_PUT_IF_MATCH, .if_match = tag};
    CHECK_OK(tn_store_put(s, K(s, "a/b/one.txt"), "replaced", 8, &match, &err), &err);
    CHECK_OK(tn_store_head(s, K(s, "a/b/one.txt"), &m, &err), &err);
    CHECK(m.size == 8 && strcmp(m.etag, tag) != 0);
    /* the old tag no longer matches */
    CHECK_EQ_INT(tn_store_put(s, K(s, "a/b/one.txt"), "again", 5, &match, &err), TARN_ECONFLICT);
    } else {
        CHECK_OK(tn_store_put(s, K(s, "a/new.txt"), "new", 3, NULL, &err), &err);
        (void)tag;
    }
    /* streaming writer: nothing visible before commit, nothing after abort */
    tn_store_writer *w;
    CHECK_OK(tn_store_writer_open(s, K(s, "a/streamed.bin"), NULL, &w, &err), &err);
    for (int i = 0; i < 100; i++)
        CHECK_OK(w->write(w, "0123456789", 10, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, K(s, "a/streamed.bin"), &m, &err), TARN_ENOTFOUND);
    CHECK_OK(w->commit(w, &err), &err);
    CHECK_OK(tn_store_head(s, K(s, "a/streamed.bin"), &m, &err), &err);
    CHECK_EQ_INT(m.size, 1000);
    CHECK_OK(tn_store_writer_open(s, K(s, "a/aborted.bin"), NULL, &w, &err), &err);
    CHECK_OK(w->write(w, "partial", 7, &err), &err);
    w->abort(w);
    CHECK_EQ_INT(tn_store_head(s, K(s, "a/aborted.bin"), &m, &err), TARN_ENOTFOUND);
    /* listing: recursive, delimited, prefix inside a name; temp files never show */
    CHECK_OK(tn_store_put(s, K(s, "a/c.txt"), "c", 1, NULL, &err), &err);
    char out[1024] = "";
    CHECK_OK(tn_store_list(s, K(s, "a/"), false, count_entry, out, &err), &err);
    CHECK_STR(out, "a/b/one.txt a/c.txt a/new.txt a/streamed.bin ");
    out[0] = '\0';
    CHECK_OK(tn_store_list(s, K(s, "a/"), true, count_entry, out, &err), &err);
    CHECK_STR(out, "a/b/(P) a/c.txt a/new.txt a/streamed.bin ");
    out[0] = '\0';
    CHECK_OK(tn_store_list(s, K(s, "a/n"), false, count_entry, out, &err), &err);
    CHECK_STR(out, "a/new.txt ");
    out[0] = '\0';
    CHECK_OK(tn_store_list(s, K(s, "nothing/here/"), false, count_entry, out, &err), &err);
    CHECK_STR(out, "");
    /* globs */
    char **keys;
    int64_t n;
    CHECK_OK(tn_store_glob(s, K(s, "a/*.txt"), &keys, &n, &err), &err);
    CHECK_EQ_INT(n, 2);
    for (int64_t i = 0; i < n; i++)
        tn_free(keys[i]);
    tn_free(keys);
    CHECK_OK(tn_store_glob(s, K(s, "a/**/*.txt"), &keys, &n, &err), &err);
    CHECK_EQ_INT(n, 3);
    if (n == 3)
        CHECK(strstr(keys[0], "a/b/one.txt") != NULL);
    for (int64_t i = 0; i < n; i++)
        tn_free(keys[i]);
    tn_free(keys);
    /* copy, rename (plain and create-if-absent), delete */
    CHECK_OK(tn_store_copy(s, K(s, "a/c.txt"), K(s, "d/copy.txt"), NULL, &err), &err);
    CHECK_OK(tn_store_head(s, K(s, "d/copy.txt"), &m, &err), &err);
    if (conditional)
        CHECK_EQ_INT(tn_store_rename(s, K(s, "d/copy.txt"), K(s, "a/c.txt"), &create, &err), TARN_ECONFLICT);
    CHECK_OK(tn_store_rename(s, K(s, "d/copy.txt"), K(s, "d/moved.txt"), &create, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, K(s, "d/copy.txt"), &m, &err), TARN_ENOTFOUND);
    CHECK_OK(tn_store_rename(s, K(s, "d/moved.txt"), K(s, "a/c.txt"), NULL, &err), &err);
    CHECK_OK(tn_store_remove(s, K(s, "a/c.txt"), &err), &err);
    CHECK_EQ_INT(tn_store_head(s, K(s, "a/c.txt"), &m, &err), TARN_ENOTFOUND);
    CHECK_OK(tn_store_remove(s, K(s, "a/c.txt"), &err), &err); /* idempotent */
    CHECK(s->metrics.puts >= 4 && s->metrics.bytes_read > 0);
    /* several ranges in one call: near ones are coalesced, far ones fetched apart */
    static uint8_t big[3 << 20];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31 + (i >> 12));
    CHECK_OK(tn_store_put(s, K(s, "r/big.bin"), big, sizeof big, NULL, &err), &err);
    tn_range r[4] = {{.offset = 3000000, .length = 100}, {.offset = 10, .length = 20},
                     {.offset = 100, .length = 5000}, {.offset = (3 << 20) - 50, .length = 500}};
    int64_t gets = s->metrics.gets;
    CHECK_OK(tn_store_get_ranges(s, K(s, "r/big.bin"), r, 4, 4096, &err), &err);
    CHECK_EQ_INT(s->metrics.gets - gets, 3); /* [10,5100) merged; the other two alone */
    for (int i = 0; i < 4; i++) {
        int64_t want = r[i].offset + r[i].length > (int64_t)sizeof big ? (int64_t)sizeof big - r[i].offset : r[i].length;
        CHECK(r[i].out && r[i].out->size == want && memcmp(r[i].out->data, big + r[i].offset, (size_t)want) == 0);
        tn_buffer_unref(r[i].out);
    }
    CHECK_OK(tn_store_remove(s, K(s, "r/big.bin"), &err), &err);
    streaming_suite(s, big, sizeof big, conditional);
    deep_globs(s, conditional);
}

TEST(local_backend)
{
    tarn_error err;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tarn-store-test-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    tn_store *s;
    CHECK_OK(tn_store_local_open(&s, &err), &err);
    suite(s, true);
    tn_store_free(s);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    CHECK(system(cmd) == 0);
}

TEST(memory_backend)
{
    tarn_error err;
    tn_store *s, *again;
    CHECK_OK(tn_store_memory_open("suite", &s, &err), &err);
    suite(s, true);
    /* a second handle to the same name sees the same objects */
    CHECK_OK(tn_store_memory_open("suite", &again, &err), &err);
    tn_object_meta m;
    CHECK_OK(tn_store_head(again, "a/new.txt", &m, &err), &err);
    tn_store_free(again);
    tn_store_free(s);
    /* after the last handle goes, the objects are gone */
    CHECK_OK(tn_store_memory_open("suite", &s, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "a/new.txt", &m, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "memory://suite/a/new.txt");
    tn_store_free(s);
}

/* With TARN_TEST_S3_BUCKET set (by tests/interop/store_s3rver.sh, which
 * starts an S3 server), the same suite runs against S3. */
TEST(s3_backend)
{
    const char *bucket = getenv("TARN_TEST_S3_BUCKET");
    if (!bucket)
        return;
    tarn_error err;
    tn_store *s;
    CHECK_OK(tn_store_s3_open(bucket, &s, &err), &err);
    const char *cond = getenv("TARN_TEST_S3_CONDITIONAL");
    suite(s, cond && *cond == '1');
    /* a multipart upload: three parts, the last one short */
    tn_store_writer *w;
    CHECK_OK(tn_store_writer_open(s, "big/multipart.bin", NULL, &w, &err), &err);
    static uint8_t chunk[1 << 20];
    for (int i = 0; i < 17; i++) {
        memset(chunk, 'a' + i, sizeof chunk);
        CHECK_OK(w->write(w, chunk, sizeof chunk, &err), &err);
    }
    CHECK_OK(w->commit(w, &err), &err);
    tn_object_meta m;
    CHECK_OK(tn_store_head(s, "big/multipart.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 17 << 20);
    tn_buffer *b;
    CHECK_OK(tn_store_get(s, "big/multipart.bin", (16 << 20) - 1, 2, &b, &err), &err);
    CHECK(b && b->size == 2 && b->data[0] == 'a' + 15 && b->data[1] == 'a' + 16);
    tn_buffer_unref(b);
    /* a long read goes out as parallel ranged requests and comes back whole */
    int64_t gets = s->metrics.gets;
    CHECK_OK(tn_store_get(s, "big/multipart.bin", 1, (17 << 20) - 2, &b, &err), &err);
    CHECK(b && b->size == (17 << 20) - 2 && b->data[0] == 'a' && b->data[b->size - 1] == 'a' + 16);
    CHECK(b && b->data[(8 << 20) - 1] == 'a' + 8 && b->data[(16 << 20) - 1] == 'a' + 16);
    tn_buffer_unref(b);
    CHECK(s->metrics.gets > gets);
    parallel_suite(s, 5 << 20);
    tn_store_free(s);
    printf("s3 suite ran against bucket %s\n", bucket);
}

/* An answer of the S3 test server's control endpoints, as a string. */
static void server_get(const char *base, const char *path, char *out, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "curl -s '%s%s'", base, path);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
}

/* With TARN_TEST_S3_CHECKS set to the base URL of tests/interop/s3_server.mjs
 * (by tests/interop/store_s3_requests.sh): the S3 backend's conditional
 * writes and multipart clean-up, which s3rver cannot show. */
TEST(s3_requests)
{
    const char *base = getenv("TARN_TEST_S3_CHECKS");
    if (!base)
        return;
    tarn_error err;
    tn_store *s;
    char answer[256];
    CHECK_OK(tn_store_s3_open("lake", &s, &err), &err);
    suite(s, true); /* conditional checks on: If-None-Match and If-Match honoured */
    /* an aborted multipart upload is aborted on the service too */
    tn_store_writer *w;
    static uint8_t mb[1 << 20];
    CHECK_OK(tn_store_writer_open(s, "mp/aborted.bin", NULL, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, mb, sizeof mb, &err), &err);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":1,\"objects\":3}");
    w->abort(w);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    /* a completion that keeps failing aborts the upload and leaves no object */
    server_get(base, "/__fail-completes?n=20", answer, sizeof answer);
    CHECK_OK(tn_store_writer_open(s, "mp/failed.bin", NULL, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, mb, sizeof mb, &err), &err);
    CHECK_EQ_INT(w->commit(w, &err), TARN_ENETWORK);
    CHECK_MSG(&err, "InternalError");
    server_get(base, "/__fail-completes?n=0", answer, sizeof answer);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    tn_object_meta m;
    CHECK_EQ_INT(tn_store_head(s, "mp/failed.bin", &m, &err), TARN_ENOTFOUND);
    /* a multipart create-if-absent over an existing key loses at completion */
    tn_put_options create = {.mode = TN_PUT_CREATE};
    CHECK_OK(tn_store_writer_open(s, "a/new.txt", &create, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, mb, sizeof mb, &err), &err);
    CHECK_EQ_INT(w->commit(w, &err), TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    CHECK_OK(tn_store_head(s, "a/new.txt", &m, &err), &err);
    CHECK_EQ_INT(m.size, 3);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    /* parallel parts: the suite, then no upload left open */
    parallel_suite(s, 5 << 20);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    s->part_size = 5 << 20;
    s->concurrency = 4;
    /* a part refused mid-upload (after three landed) fails the upload,
     * which is aborted on the service: no object, no parts left */
    server_get(base, "/__fail-parts?after=3&n=100", answer, sizeof answer);
    CHECK_EQ_INT(write_parts(s, "mp/part-failed.bin", NULL, 9, &err), TARN_EINVAL);
    CHECK_MSG(&err, "injected part failure");
    server_get(base, "/__fail-parts?n=0", answer, sizeof answer);
    CHECK_EQ_INT(tn_store_head(s, "mp/part-failed.bin", &m, &err), TARN_ENOTFOUND);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    /* a multipart create whose completion was applied but whose answer was
     * lost: the retry finds no upload, the object carries our nonce */
    server_get(base, "/__lose-completes?n=1", answer, sizeof answer);
    CHECK_OK(write_parts(s, "mp/created.bin", &create, 3, &err), &err);
    CHECK_OK(tn_store_head(s, "mp/created.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 2 * (5 << 20) + 1000);
    /* ... while another writer's create over it is still a conflict, lost answer or not */
    server_get(base, "/__lose-completes?n=1", answer, sizeof answer);
    CHECK_EQ_INT(write_parts(s, "mp/created.bin", &create, 3, &err), TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    server_get(base, "/__lose-completes?n=0", answer, sizeof answer);
    CHECK_OK(tn_store_remove(s, "mp/created.bin", &err), &err);
    server_get(base, "/__uploads", answer, sizeof answer);
    CHECK_STR(answer, "{\"open\":0,\"objects\":3}");
    tn_store_free(s);
    /* a profile carries its own endpoint and credentials: with the
     * environment's key id wrong the profile's works, and a profile with a
     * wrong key id fails though the environment's is right */
    char dir[64] = "/tmp/tarn-profile-XXXXXX", path[128], cmd[160];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/stores.ini", dir);
    setenv("TARN_CONFIG", path, 1);
    char endpoint[256], right_key[128];
    snprintf(endpoint, sizeof endpoint, "endpoint=%s", base);
    snprintf(right_key, sizeof right_key, "access_key_id=%s", getenv("AWS_ACCESS_KEY_ID"));
    const char *good[] = {"type=s3", endpoint, right_key, "secret_access_key=secret", "region=us-east-1"};
    CHECK_OK(tarn_store_config_set("checks", good, 5, &err), &err);
    const char *bad[] = {"type=s3", endpoint, "access_key_id=WRONG", "secret_access_key=secret"};
    CHECK_OK(tarn_store_config_set("wrong", bad, 4, &err), &err);
    char saved[128];
    snprintf(saved, sizeof saved, "%s", getenv("AWS_ACCESS_KEY_ID"));
    setenv("AWS_ACCESS_KEY_ID", "WRONG", 1);
    tn_url u;
    CHECK_OK(tn_url_parse("checks://lake/p/one.txt", &u, &err), &err);
    CHECK_OK(tn_store_open(&u, &s, &err), &err);
    CHECK_OK(tn_store_put(s, "p/one.txt", "via profile", 11, NULL, &err), &err);
    tn_buffer *b = NULL;
    CHECK_OK(tn_store_get(s, "p/one.txt", 0, -1, &b, &err), &err);
    CHECK(b && b->size == 11 && memcmp(b->data, "via profile", 11) == 0);
    tn_buffer_unref(b);
    CHECK_OK(tn_store_remove(s, "p/one.txt", &err), &err);
    tn_store_free(s);
    tn_url_reset(&u);
    setenv("AWS_ACCESS_KEY_ID", saved, 1);
    CHECK_OK(tn_url_parse("wrong://lake/p/one.txt", &u, &err), &err);
    CHECK_OK(tn_store_open(&u, &s, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "a/new.txt", &m, &err), TARN_EPERM);
    CHECK_MSG(&err, "wrong://lake/");
    tn_store_free(s);
    tn_url_reset(&u);
    unsetenv("TARN_CONFIG");
    /* without a tarn profile: AWS_PROFILE picks the key pair in ~/.aws/credentials
     * and the region in ~/.aws/config ([profile NAME]) */
    char aws[96], home[256];
    snprintf(home, sizeof home, "%s", getenv("HOME") ? getenv("HOME") : "");
    snprintf(aws, sizeof aws, "%s/.aws", dir);
    CHECK(mkdir(aws, 0700) == 0);
    snprintf(path, sizeof path, "%s/credentials", aws);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "[default]\naws_access_key_id = WRONG\naws_secret_access_key = x\n\n"
                   "[dev]\naws_access_key_id = %s\naws_secret_access_key = secret\n", saved);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/config", aws);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("[profile dev]\nregion = us-east-1\ns3 =\n  addressing_style = path\n", f);
        fclose(f);
    }
    setenv("HOME", dir, 1);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    setenv("AWS_PROFILE", "dev", 1);
    CHECK_OK(tn_store_s3_open("lake", &s, &err), &err);
    CHECK_OK(tn_store_head(s, "a/new.txt", &m, &err), &err);
    tn_store_free(s);
    setenv("AWS_PROFILE", "default", 1);
    CHECK_OK(tn_store_s3_open("lake", &s, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "a/new.txt", &m, &err), TARN_EPERM);
    tn_store_free(s);
    /* a malformed ~/.aws file is reported, naming the file and line */
    f = fopen(path, "a");
    if (f) {
        fputs("[broken\n", f);
        fclose(f);
    }
    CHECK_EQ_INT(tn_store_s3_open("lake", &s, &err), TARN_EINVAL);
    CHECK_MSG(&err, ".aws/config:5:1: section header without ']'");
    unsetenv("AWS_PROFILE");
    setenv("HOME", home, 1);
    setenv("AWS_ACCESS_KEY_ID", saved, 1);
    setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    printf("s3 request checks ran\n");
}

/* With TARN_TEST_AZ_CONTAINER set (by tests/interop/store_azurite.sh, which
 * starts Azurite and verifies SharedKey signatures), the suite runs against
 * Azure Blob Storage, conditional writes included. */
TEST(azure_backend)
{
    const char *container = getenv("TARN_TEST_AZ_CONTAINER");
    if (!container)
        return;
    tarn_error err;
    tn_store *s;
    CHECK_OK(tn_store_azure_open(container, &s, &err), &err);
    CHECK_OK(tn_store_azure_create_container(s, &err), &err);
    suite(s, true);
    /* a staged-block upload: three blocks, the last one short */
    tn_store_writer *w;
    CHECK_OK(tn_store_writer_open(s, "big/blocks.bin", NULL, &w, &err), &err);
    static uint8_t chunk[1 << 20];
    for (int i = 0; i < 17; i++) {
        memset(chunk, 'a' + i, sizeof chunk);
        CHECK_OK(w->write(w, chunk, sizeof chunk, &err), &err);
    }
    CHECK_OK(w->commit(w, &err), &err);
    tn_object_meta m;
    CHECK_OK(tn_store_head(s, "big/blocks.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 17 << 20);
    tn_buffer *b;
    CHECK_OK(tn_store_get(s, "big/blocks.bin", (16 << 20) - 1, 2, &b, &err), &err);
    CHECK(b && b->size == 2 && b->data[0] == 'a' + 15 && b->data[1] == 'a' + 16);
    tn_buffer_unref(b);
    /* an aborted block upload leaves no blob */
    CHECK_OK(tn_store_writer_open(s, "big/aborted.bin", NULL, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, chunk, sizeof chunk, &err), &err);
    w->abort(w);
    CHECK_EQ_INT(tn_store_head(s, "big/aborted.bin", &m, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "az://");
    parallel_suite(s, 1 << 20);
    tn_store_free(s);
    /* a wrong key is refused by the service (SharedKey is verified) */
    const char *good = getenv("AZURE_STORAGE_ACCOUNT_KEY");
    char *saved = good ? tn_strdup(good) : NULL;
    setenv("AZURE_STORAGE_ACCOUNT_KEY", "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXkgd3Jvbmcga2V5IQ==", 1);
    CHECK_OK(tn_store_azure_open(container, &s, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "a/new.txt", &m, &err), TARN_EPERM);
    tn_store_free(s);
    if (saved) {
        setenv("AZURE_STORAGE_ACCOUNT_KEY", saved, 1);
        tn_free(saved);
    }
    printf("azure suite ran against container %s\n", container);
}

/* With TARN_TEST_GCS_BUCKET set (by tests/interop/store_gcs.sh, which starts
 * the GCS test server of tests/interop/gcs_server.mjs and a service-account
 * key), the suite runs against the GCS JSON API, conditional writes included. */
TEST(gcs_backend)
{
    const char *bucket = getenv("TARN_TEST_GCS_BUCKET");
    if (!bucket)
        return;
    tarn_error err;
    tn_store *s;
    CHECK_OK(tn_store_gcs_open(bucket, &s, &err), &err);
    suite(s, true);
    /* with a concurrency of 1, a resumable upload: 17 MiB in three chunks */
    s->concurrency = 1;
    tn_store_writer *w;
    CHECK_OK(tn_store_writer_open(s, "big/resumable.bin", NULL, &w, &err), &err);
    static uint8_t chunk[1 << 20];
    for (int i = 0; i < 17; i++) {
        memset(chunk, 'a' + i, sizeof chunk);
        CHECK_OK(w->write(w, chunk, sizeof chunk, &err), &err);
    }
    CHECK_OK(w->commit(w, &err), &err);
    tn_object_meta m;
    CHECK_OK(tn_store_head(s, "big/resumable.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 17 << 20);
    tn_buffer *b;
    CHECK_OK(tn_store_get(s, "big/resumable.bin", (16 << 20) - 1, 2, &b, &err), &err);
    CHECK(b && b->size == 2 && b->data[0] == 'a' + 15 && b->data[1] == 'a' + 16);
    tn_buffer_unref(b);
    /* a resumable create-if-absent over an existing object is refused at the end */
    tn_put_options create = {.mode = TN_PUT_CREATE};
    CHECK_OK(tn_store_writer_open(s, "big/resumable.bin", &create, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, chunk, sizeof chunk, &err), &err);
    CHECK_EQ_INT(w->commit(w, &err), TARN_ECONFLICT);
    CHECK_OK(tn_store_head(s, "big/resumable.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 17 << 20);
    /* a resumable create whose last chunk landed but whose answer was lost */
    const char *server = getenv("STORAGE_EMULATOR_HOST");
    char answer[4096];
    s->part_size = 256 << 10;
    server_get(server, "/__fault?kind=session&n=1&status=0", answer, sizeof answer);
    CHECK_OK(write_parts(s, "big/session-created.bin", &create, 3, &err), &err);
    CHECK_OK(tn_store_head(s, "big/session-created.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 2 * (256 << 10) + 1000);
    /* in parallel: components composed into the object, then deleted */
    parallel_suite(s, 256 << 10);
    s->part_size = 256 << 10;
    s->concurrency = 4;
    /* more than 32 components compose in two levels */
    CHECK_OK(write_parts(s, "par/many.bin", NULL, 40, &err), &err);
    CHECK_OK(tn_store_head(s, "par/many.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 39 * (256 << 10) + 1000);
    CHECK_OK(tn_store_remove(s, "par/many.bin", &err), &err);
    /* a component refused mid-upload fails the upload: no object, and the
     * components that landed are deleted */
    server_get(server, "/__fault?kind=media&after=3&n=100&status=400", answer, sizeof answer);
    CHECK_EQ_INT(write_parts(s, "par/failed.bin", NULL, 9, &err), TARN_EINVAL);
    CHECK_MSG(&err, "injected");
    server_get(server, "/__fault?kind=none", answer, sizeof answer);
    CHECK_EQ_INT(tn_store_head(s, "par/failed.bin", &m, &err), TARN_ENOTFOUND);
    server_get(server, "/__objects", answer, sizeof answer);
    CHECK(strstr(answer, "par/") == NULL);
    /* a composed create whose answer was lost is recognized by its nonce;
     * another create over it is still a conflict */
    server_get(server, "/__fault?kind=compose&n=1&status=0", answer, sizeof answer);
    CHECK_OK(write_parts(s, "par/created.bin", &create, 9, &err), &err);
    CHECK_OK(tn_store_head(s, "par/created.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 8 * (256 << 10) + 1000);
    server_get(server, "/__fault?kind=compose&n=1&status=0", answer, sizeof answer);
    CHECK_EQ_INT(write_parts(s, "par/created.bin", &create, 9, &err), TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    server_get(server, "/__objects", answer, sizeof answer);
    CHECK(strstr(answer, ".tarn-parts") == NULL);
    tn_store_free(s);
    printf("gcs suite ran against bucket %s\n", bucket);
}

/* Tell the fault proxy (tests/interop/fault_proxy.mjs) what to do with the
 * next requests. */
static void set_faults(const char *ctl, const char *schedule)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/__faults", ctl);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, schedule);
    CHECK(curl_easy_perform(h) == CURLE_OK);
    curl_easy_cleanup(h);
}

/* Fault rules by request (fault_proxy.mjs /__rules), for parallel parts. */
static void set_rules(const char *ctl, const char *rules)
{
    CURL *h = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s/__rules", ctl);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, rules);
    CHECK(curl_easy_perform(h) == CURLE_OK);
    curl_easy_cleanup(h);
}

/* With TARN_TEST_FAULT_PROXY set (by tests/interop/store_faults.sh, which puts
 * the fault proxy in front of Azurite), failures are injected under the
 * Azure backend; the retry policy is shortened through the environment. */
TEST(faults)
{
    const char *ctl = getenv("TARN_TEST_FAULT_PROXY");
    const char *container = getenv("TARN_TEST_AZ_CONTAINER");
    if (!ctl || !container)
        return;
    tarn_error err;
    tn_store *s;
    tn_object_meta m;
    tn_buffer *b;
    CHECK_OK(tn_store_azure_open(container, &s, &err), &err);
    set_faults(ctl, "");
    CHECK_OK(tn_store_azure_create_container(s, &err), &err);
    static uint8_t data[300000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    static uint8_t mb[1 << 20];
    /* 1. transient answers and a reset are retried until the write lands */
    set_faults(ctl, "503,429,500,reset,502");
    int limit_before = tn_limiter_current(&s->limiter);
    CHECK_OK(tn_store_put(s, "f/retried.bin", data, sizeof data, NULL, &err), &err);
    CHECK(s->metrics.retries >= 5 && s->metrics.throttles >= 2);
    /* the two throttling answers (503, 429) halved the concurrency limit
     * twice; the other failures did not count as successes */
    CHECK_EQ_INT(tn_limiter_current(&s->limiter), limit_before / 4);
    /* 2. a body cut short is fetched again, never handed out half */
    set_faults(ctl, "truncate");
    CHECK_OK(tn_store_get(s, "f/retried.bin", 0, -1, &b, &err), &err);
    CHECK(b && b->size == (int64_t)sizeof data && memcmp(b->data, data, sizeof data) == 0);
    tn_buffer_unref(b);
    set_faults(ctl, "delay:300,reset");
    CHECK_OK(tn_store_get(s, "f/retried.bin", 1000, 10, &b, &err), &err);
    CHECK(b && b->size == 10 && memcmp(b->data, data + 1000, 10) == 0);
    tn_buffer_unref(b);
    /* ... and a streamed read cut short resumes where it stopped: the
     * bytes already handed on are asked for no more */
    static uint8_t back[sizeof data];
    mem_sink sink = {back, 0, sizeof back, 0};
    int64_t retries = s->metrics.retries;
    set_faults(ctl, "truncate");
    CHECK_OK(tn_store_get_stream(s, "f/retried.bin", 0, -1, to_mem, &sink, &err), &err);
    CHECK(sink.len == (int64_t)sizeof data && memcmp(back, data, sizeof data) == 0);
    CHECK_EQ_INT(s->metrics.retries, retries + 1);
    /* a streamed upload whose connection broke is sent again from its start */
    mem_source src = {data, sizeof data, -1, 0};
    set_faults(ctl, "reset");
    CHECK_OK(tn_store_put_stream(s, "f/streamed.bin", sizeof data, read_mem, &src, NULL, &err), &err);
    sink.len = 0;
    set_faults(ctl, "");
    CHECK_OK(tn_store_get_stream(s, "f/streamed.bin", 0, -1, to_mem, &sink, &err), &err);
    CHECK(sink.len == (int64_t)sizeof data && memcmp(back, data, sizeof data) == 0);
    /* 3. a create applied by the service whose answer was lost is recognized
     * on retry as ours, not reported as a conflict ... */
    tn_put_options create = {.mode = TN_PUT_CREATE};
    set_faults(ctl, "applied-reset");
    CHECK_OK(tn_store_put(s, "f/created.bin", data, 5000, &create, &err), &err);
    CHECK_OK(tn_store_head(s, "f/created.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 5000);
    /* ... while a real conflict still is one, retried or not */
    CHECK_EQ_INT(tn_store_put(s, "f/created.bin", data, 4000, &create, &err), TARN_ECONFLICT);
    set_faults(ctl, "applied-reset");
    CHECK_OK(tn_store_put(s, "f/other.bin", data, 10, NULL, &err), &err);
    set_faults(ctl, "503");
    CHECK_EQ_INT(tn_store_put(s, "f/created.bin", data, 4000, &create, &err), TARN_ECONFLICT);
    /* the same for a streamed put, whose bytes are read back from its source */
    mem_source whole = {data, sizeof data, -1, 0};
    set_faults(ctl, "applied-reset");
    CHECK_OK(tn_store_put_stream(s, "f/created-streamed.bin", sizeof data, read_mem, &whole, &create, &err), &err);
    CHECK_OK(tn_store_head(s, "f/created-streamed.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, (int64_t)sizeof data);
    set_faults(ctl, "503");
    mem_source other = {mb, sizeof data, -1, 0}; /* same size, other bytes */
    CHECK_EQ_INT(tn_store_put_stream(s, "f/created-streamed.bin", sizeof data, read_mem, &other, &create, &err),
                 TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    set_faults(ctl, "");
    /* 4. a block upload whose commit keeps failing leaves no blob, and the
     * blob is never visible while its blocks are being staged */
    tn_store_writer *w;
    set_faults(ctl, "");
    CHECK_OK(tn_store_writer_open(s, "f/failed.bin", NULL, &w, &err), &err);
    for (int i = 0; i < 9; i++)
        CHECK_OK(w->write(w, mb, sizeof mb, &err), &err);
    CHECK_EQ_INT(tn_store_head(s, "f/failed.bin", &m, &err), TARN_ENOTFOUND);
    set_rules(ctl, "comp=blocklist 500 6");
    CHECK_EQ_INT(w->commit(w, &err), TARN_ENETWORK);
    CHECK_MSG(&err, "InjectedFault");
    set_rules(ctl, "");
    CHECK_EQ_INT(tn_store_head(s, "f/failed.bin", &m, &err), TARN_ENOTFOUND);
    /* blocks staged four at a time: one refused after three landed fails
     * the upload, and no blob appears */
    s->part_size = 256 << 10;
    s->concurrency = 4;
    set_rules(ctl, "comp=block& 400 100 3");
    CHECK_EQ_INT(write_parts(s, "f/parallel-failed.bin", NULL, 9, &err), TARN_EINVAL);
    CHECK_MSG(&err, "InjectedFault");
    set_rules(ctl, "");
    CHECK_EQ_INT(tn_store_head(s, "f/parallel-failed.bin", &m, &err), TARN_ENOTFOUND);
    /* ... transient failures of parts are retried, and 503s lower the limit */
    int64_t throttles = s->metrics.throttles;
    set_rules(ctl, "comp=block& 503 3 2\ncomp=block& reset 1");
    CHECK_OK(write_parts(s, "f/parallel-retried.bin", NULL, 9, &err), &err);
    set_rules(ctl, "");
    CHECK_EQ_INT(s->metrics.throttles - throttles, 3);
    CHECK_OK(tn_store_head(s, "f/parallel-retried.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 8 * (256 << 10) + 1000);
    /* a create committed by the service whose answer was lost: the retry
     * meets its own blob, recognized by the upload's nonce ... */
    set_rules(ctl, "comp=blocklist applied-reset 1");
    CHECK_OK(write_parts(s, "f/parallel-created.bin", &create, 9, &err), &err);
    CHECK_OK(tn_store_head(s, "f/parallel-created.bin", &m, &err), &err);
    CHECK_EQ_INT(m.size, 8 * (256 << 10) + 1000);
    /* ... and another upload's create over it is still a conflict */
    set_rules(ctl, "comp=blocklist 503 1");
    CHECK_EQ_INT(write_parts(s, "f/parallel-created.bin", &create, 9, &err), TARN_ECONFLICT);
    CHECK_MSG(&err, "already exists");
    set_rules(ctl, "");
    /* 5. errors that cannot succeed are not retried */
    int64_t before = s->metrics.retries;
    CHECK_EQ_INT(tn_store_get(s, "f/missing.bin", 0, -1, &b, &err), TARN_ENOTFOUND);
    CHECK_EQ_INT(s->metrics.retries, before);
    tn_store_free(s);
    printf("fault suite ran through the proxy\n");
}

static int find_stats(void *ctx, const tarn_store_stats *st)
{
    tarn_store_stats *want = ctx;
    if (strcmp(st->store, want->store) == 0) {
        const char *name = want->store;
        *want = *st;
        want->store = name;
    }
    return 0;
}

/* Stores opened by URL report their counters per store name, open or
 * freed, until a reset. */
TEST(store_stats)
{
    tarn_error err;
    tarn_store_stats_reset();
    tn_url u;
    CHECK_OK(tn_url_parse("memory://stats-test/x", &u, &err), &err);
    tn_store *s, *t;
    CHECK_OK(tn_store_open(&u, &s, &err), &err);
    CHECK_OK(tn_store_put(s, "a", "hello", 5, NULL, &err), &err);
    tn_buffer *b;
    CHECK_OK(tn_store_get(s, "a", 0, -1, &b, &err), &err);
    tn_buffer_unref(b);
    tarn_store_stats st = {.store = "memory://stats-test"};
    CHECK_EQ_INT(tarn_store_stats_each(find_stats, &st), 0);
    CHECK(st.puts == 1 && st.gets == 1 && st.bytes_written == 5 && st.bytes_read == 5);
    /* a second store of the same name adds up; a freed one is still counted */
    CHECK_OK(tn_store_open(&u, &t, &err), &err);
    tn_object_meta m;
    CHECK_OK(tn_store_head(t, "a", &m, &err), &err);
    tn_store_free(s);
    st = (tarn_store_stats){.store = "memory://stats-test"};
    CHECK_EQ_INT(tarn_store_stats_each(find_stats, &st), 0);
    CHECK(st.puts == 1 && st.gets == 1 && st.heads == 1 && st.bytes_read == 5);
    /* readings do not change the counts */
    st = (tarn_store_stats){.store = "memory://stats-test"};
    CHECK_EQ_INT(tarn_store_stats_each(find_stats, &st), 0);
    CHECK(st.puts == 1 && st.heads == 1);
    tarn_store_stats_reset();
    st = (tarn_store_stats){.store = "memory://stats-test"};
    CHECK_EQ_INT(tarn_store_stats_each(find_stats, &st), 0);
    CHECK(st.puts == 0 && st.heads == 0);
    CHECK_OK(tn_store_remove(t, "a", &err), &err);
    tn_store_free(t);
    tn_url_reset(&u);
}

TEST(adaptive_limit)
{
    tn_limiter l;
    tn_limiter_init(&l, 8, 1, 10);
    /* throttling halves the limit, down to the minimum */
    tn_limiter_acquire(&l);
    tn_limiter_release(&l, TN_LIMIT_THROTTLED);
    CHECK_EQ_INT(tn_limiter_current(&l), 4);
    for (int i = 0; i < 5; i++) {
        tn_limiter_acquire(&l);
        tn_limiter_release(&l, TN_LIMIT_THROTTLED);
    }
    CHECK_EQ_INT(tn_limiter_current(&l), 1);
    /* successes add one slot per `limit` in a row: 1 -> 2 after 1, -> 3 after 2 more */
    tn_limiter_acquire(&l);
    tn_limiter_release(&l, TN_LIMIT_OK);
    CHECK_EQ_INT(tn_limiter_current(&l), 2);
    for (int i = 0; i < 2; i++) {
        tn_limiter_acquire(&l);
        tn_limiter_release(&l, TN_LIMIT_OK);
    }
    CHECK_EQ_INT(tn_limiter_current(&l), 3);
    /* and never past the maximum */
    for (int i = 0; i < 1000; i++) {
        tn_limiter_acquire(&l);
        tn_limiter_release(&l, TN_LIMIT_OK);
    }
    CHECK_EQ_INT(tn_limiter_current(&l), 10);
    tn_limiter_destroy(&l);
}

TEST(urls)
{
    tarn_error err;
    tn_url u;
    CHECK_OK(tn_url_parse("data/x.csv", &u, &err), &err);
    CHECK_STR(u.scheme, "file");
    CHECK_STR(u.key, "data/x.csv");
    tn_url_reset(&u);
    CHECK_OK(tn_url_parse("file:///abs/x.csv", &u, &err), &err);
    CHECK_STR(u.key, "/abs/x.csv");
    tn_url_reset(&u);
    CHECK_OK(tn_url_parse("s3://bucket/events/2024/x.parquet", &u, &err), &err);
    CHECK_STR(u.scheme, "s3");
    CHECK_STR(u.root, "bucket");
    CHECK_STR(u.key, "events/2024/x.parquet");
    tn_url_reset(&u);
    CHECK_EQ_INT(tn_url_parse("ftp://host/x", &u, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, "'ftp'");
    CHECK_EQ_INT(tn_url_parse("s3:///x", &u, &err), TARN_EINVAL);
    CHECK_EQ_INT(tn_url_parse("file://relative", &u, &err), TARN_EINVAL);
}

/* The INI reader of ~/.aws files and the profile file. */
TEST(ini)
{
    tarn_error err;
    tn_ini ini;
    const char *text = "# comment\n"
                       "top = level\n"
                       "[default]\r\n"
                       "aws_access_key_id = AKIA  \n"
                       "  ; indented comment\n"
                       "[profile dev]  # trailing comment\n"
                       "region=eu-west-1\n"
                       "s3 =\n"
                       "  max_concurrent_requests = 20\n"
                       "  addressing_style = path\n"
                       "region = eu-central-1\n"
                       "empty =\n";
    CHECK_OK(tn_ini_parse(text, strlen(text), "cfg", &ini, &err), &err);
    CHECK_STR(tn_ini_get(&ini, "", "top"), "level");
    CHECK_STR(tn_ini_get(&ini, "default", "aws_access_key_id"), "AKIA");
    CHECK_STR(tn_ini_get(&ini, "profile dev", "region"), "eu-central-1"); /* the last one wins */
    CHECK_STR(tn_ini_get(&ini, "profile dev", "s3.max_concurrent_requests"), "20");
    CHECK_STR(tn_ini_get(&ini, "profile dev", "s3.addressing_style"), "path");
    CHECK_STR(tn_ini_get(&ini, "profile dev", "empty"), "");
    CHECK(tn_ini_get(&ini, "dev", "region") == NULL);
    CHECK(tn_ini_has_section(&ini, "profile dev") && !tn_ini_has_section(&ini, "dev"));
    tn_ini_reset(&ini);
    /* errors name the file, line and column */
    CHECK_EQ_INT(tn_ini_parse("[a]\n  no equals\n", 16, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "f.ini:2:3: expected 'key = value'");
    CHECK_EQ_INT(tn_ini_parse("[a\n", 3, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "f.ini:1:1: section header without ']'");
    CHECK_EQ_INT(tn_ini_parse("[a] x\n", 6, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "f.ini:1:5: text after the section header");
    CHECK_EQ_INT(tn_ini_parse("[ ]\n", 4, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "empty section name");
    CHECK_EQ_INT(tn_ini_parse(" = v\n", 5, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "f.ini:1:2: empty key");
    CHECK_EQ_INT(tn_ini_parse("a = b\0c\n", 8, "f.ini", &ini, &err), TARN_EINVAL);
    CHECK_MSG(&err, "f.ini:1:6: NUL byte");
    /* set, remove and an atomic save with the asked mode, read back */
    CHECK_OK(tn_ini_parse("", 0, "x", &ini, &err), &err);
    CHECK_OK(tn_ini_set(&ini, "one", "k", "v1", &err), &err);
    CHECK_OK(tn_ini_set(&ini, "two", "k", "v2", &err), &err);
    CHECK_OK(tn_ini_set(&ini, "one", "k", "v3", &err), &err);
    CHECK_OK(tn_ini_set(&ini, "one", "j", "x = y", &err), &err);
    CHECK_EQ_INT(tn_ini_set(&ini, "one", "k", "two\nlines", &err), TARN_EINVAL);
    CHECK(tn_ini_remove(&ini, "two", NULL));
    CHECK(!tn_ini_remove(&ini, "two", "k"));
    char dir[64] = "/tmp/tarn-ini-XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/sub/dir/stores.ini", dir);
    CHECK_OK(tn_ini_save(&ini, path, 0600, &err), &err);
    tn_ini_reset(&ini);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK_OK(tn_ini_load(path, &ini, &err), &err);
    CHECK_STR(tn_ini_get(&ini, "one", "k"), "v3");
    CHECK_STR(tn_ini_get(&ini, "one", "j"), "x = y");
    CHECK(!tn_ini_has_section(&ini, "two"));
    tn_ini_reset(&ini);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    /* a missing file is empty */
    CHECK_OK(tn_ini_load("/nonexistent/tarn/stores.ini", &ini, &err), &err);
    CHECK_EQ_INT(ini.n, 0);
}

static int count_setting(void *ctx, const char *key, const char *value)
{
    char *out = ctx;
    strcat(out, key);
    strcat(out, "=");
    strcat(out, value);
    strcat(out, " ");
    return 0;
}

/* Named profiles: managed through the public calls, opened by URL scheme,
 * and the settings a profile gives reach the backend, not the environment. */
TEST(profiles)
{
    tarn_error err;
    char dir[64] = "/tmp/tarn-profile-XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/stores.ini", dir);
    setenv("TARN_CONFIG", path, 1);
    const char *set1[] = {"type=s3", "endpoint=http://127.0.0.1:1", "access_key_id=AK", "secret_access_key=SK"};
    CHECK_OK(tarn_store_config_set("lake-1", set1, 4, &err), &err);
    const char *set2[] = {"type=az", "account=acct", "account_key=a2V5"};
    CHECK_OK(tarn_store_config_set("blob", set2, 3, &err), &err);
    char out[512] = "";
    CHECK_OK(tarn_store_config_get("lake-1", 0, count_setting, out, &err), &err);
    CHECK_STR(out, "type=s3 endpoint=http://127.0.0.1:1 access_key_id=AK secret_access_key=******** ");
    out[0] = '\0';
    CHECK_OK(tarn_store_config_list(count_setting, out, &err), &err);
    CHECK_STR(out, "lake-1=s3 blob=az ");
    /* refused: bad names, built-in schemes, unknown keys and types, bad values */
    const char *bad_key[] = {"regoin=x"};
    CHECK_EQ_INT(tarn_store_config_set("lake-1", bad_key, 1, &err), TARN_EINVAL);
    CHECK_MSG(&err, "unknown key 'regoin'");
    CHECK_EQ_INT(tarn_store_config_set("S3", set1, 4, &err), TARN_EINVAL);
    CHECK_EQ_INT(tarn_store_config_set("gs", set1, 4, &err), TARN_EINVAL);
    CHECK_MSG(&err, "built-in");
    const char *no_type[] = {"endpoint=http://x"};
    CHECK_EQ_INT(tarn_store_config_set("fresh", no_type, 1, &err), TARN_EINVAL);
    CHECK_MSG(&err, "type");
    const char *bad_bool[] = {"path_style=maybe"};
    CHECK_EQ_INT(tarn_store_config_set("lake-1", bad_bool, 1, &err), TARN_EINVAL);
    const char *to_gs[] = {"type=gs"};
    CHECK_EQ_INT(tarn_store_config_set("lake-1", to_gs, 1, &err), TARN_EINVAL); /* its s3 keys would dangle */
    CHECK_MSG(&err, "does not take");
    /* a profile's name is a URL scheme */
    tn_url u;
    CHECK_OK(tn_url_parse("lake-1://bucket/a/b.parquet", &u, &err), &err);
    CHECK_STR(u.scheme, "lake-1");
    CHECK_STR(u.root, "bucket");
    CHECK_STR(u.key, "a/b.parquet");
    tn_store *s = NULL;
    CHECK_OK(tn_store_open(&u, &s, &err), &err);
    CHECK(s && strcmp(s->ops->name, "s3") == 0 && strcmp(s->scheme, "lake-1") == 0);
    /* the endpoint is the profile's: nothing listens there, and the error names the profile's URL */
    tn_object_meta m;
    setenv("TARN_STORE_MAX_RETRIES", "0", 1);
    CHECK_EQ_INT(tn_store_head(s, "a/b.parquet", &m, &err), TARN_ENETWORK);
    CHECK_MSG(&err, "lake-1://bucket/");
    CHECK_MSG(&err, "127.0.0.1:1");
    unsetenv("TARN_STORE_MAX_RETRIES");
    tn_store_free(s);
    tn_url_reset(&u);
    CHECK_EQ_INT(tn_url_parse("nosuch://bucket/x", &u, &err), TARN_EUNSUPPORTED);
    CHECK_MSG(&err, path);
    /* removing keys and profiles */
    const char *keys[] = {"access_key_id"};
    CHECK_OK(tarn_store_config_remove("lake-1", keys, 1, &err), &err);
    CHECK_EQ_INT(tarn_store_config_remove("lake-1", keys, 1, &err), TARN_ENOTFOUND);
    CHECK_OK(tarn_store_config_remove("blob", NULL, 0, &err), &err);
    CHECK_EQ_INT(tarn_store_config_get("blob", 0, count_setting, out, &err), TARN_ENOTFOUND);
    out[0] = '\0';
    CHECK_OK(tarn_store_config_get("lake-1", 1, count_setting, out, &err), &err);
    CHECK_STR(out, "type=s3 endpoint=http://127.0.0.1:1 secret_access_key=SK ");
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    /* a broken profile file is an error naming its line, not a silent miss */
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("[lake-1]\ntype = s3\nnonsense\n", f);
        fclose(f);
    }
    CHECK_EQ_INT(tn_url_parse("lake-1://bucket/x", &u, &err), TARN_EINVAL);
    CHECK_MSG(&err, "stores.ini:3:1");
    unsetenv("TARN_CONFIG");
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

TEST(globs)
{
    CHECK(tn_glob_match("*.parquet", "a.parquet"));
    CHECK(!tn_glob_match("*.parquet", "dir/a.parquet"));
    CHECK(tn_glob_match("events/**/*.parquet", "events/2024/01/a.parquet"));
    CHECK(tn_glob_match("events/**/*.parquet", "events/a.parquet"));
    CHECK(!tn_glob_match("events/**/*.parquet", "other/a.parquet"));
    CHECK(tn_glob_match("part-[0-9].csv", "part-7.csv"));
    CHECK(!tn_glob_match("part-[!0-9].csv", "part-7.csv"));
    CHECK(tn_glob_match("a?c", "abc"));
    CHECK(!tn_glob_match("a?c", "a/c"));
    CHECK(tn_glob_match("lit\\*", "lit*"));
    CHECK(!tn_glob_match("lit\\*", "litx"));
    CHECK(tn_glob_has_magic("a/*.csv") && !tn_glob_has_magic("a/b.csv"));
}

static int memory_ops_once(void *ctx, tarn_error *err)
{
    (void)ctx;
    tn_store *s;
    TN_TRY(tn_store_memory_open("faults", &s, err));
    int rc = tn_store_put(s, "k/1", "abc", 3, NULL, err);
    tn_buffer *b = NULL;
    if (!rc)
        rc = tn_store_get(s, "k/1", 1, 1, &b, err);
    tn_buffer_unref(b);
    char out[256] = "";
    if (!rc)
        rc = tn_store_list(s, "k/", true, count_entry, out, err);
    tn_store_free(s);
    return rc;
}

TEST(alloc_failures)
{
    CHECK(tn_test_alloc_failures("memory store", memory_ops_once, NULL) > 5);
}

int main(void)
{
    RUN(local_backend);
    RUN(memory_backend);
    RUN(s3_backend);
    RUN(s3_requests);
    RUN(azure_backend);
    RUN(gcs_backend);
    RUN(faults);
    RUN(urls);
    RUN(ini);
    RUN(profiles);
    RUN(globs);
    RUN(adaptive_limit);
    RUN(store_stats);
    RUN(alloc_failures);
    return tn_test_done();
}
