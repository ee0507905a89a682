/*
 * public.c — the URL-level store calls of the public API (tarn/store.h):
 * listing, stat, streaming copy between any two stores, move, delete, cat.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store.h"
#include "tarn/store.h"

#define CHUNK (8 << 20)

typedef struct opened {
    tn_url url;
    tn_store *store;
} opened;

static int open_url(const char *text, opened *o, tarn_error *err)
{
    memset(o, 0, sizeof *o);
    TN_TRY(tn_url_parse(text, &o->url, err));
    int rc = tn_store_open(&o->url, &o->store, err);
    if (rc)
        tn_url_reset(&o->url);
    return rc;
}

static void close_url(opened *o)
{
    tn_store_free(o->store);
    tn_url_reset(&o->url);
}

/* "scheme://root/" for remote stores, "" for local paths. */
static char *url_base(const opened *o)
{
    if (strcmp(o->url.scheme, "file") == 0)
        return tn_strdup("");
    return tn_sprintf("%s://%s/", o->url.scheme, o->url.root);
}

typedef struct list_ctx {
    tarn_object_fn fn;
    void *ctx;
    const char *base;
} list_ctx;

static int relay(void *ctx, const tn_list_entry *e, tarn_error *err)
{
    list_ctx *l = ctx;
    char *url = tn_sprintf("%s%s", l->base, e->key);
    TN_TRY_ALLOC(url, err, strlen(e->key) + 64);
    tarn_object o = {.url = url, .key = e->key, .size = e->meta.size, .last_modified = e->meta.last_modified,
                     .etag = e->meta.etag, .is_prefix = e->is_prefix};
    int rc = l->fn(l->ctx, &o);
    tn_free(url);
    if (rc)
        return tn_error_set(err, rc, "listing stopped by the caller");
    return TARN_OK;
}

int tarn_store_list(const char *url, int recursive, tarn_object_fn fn, void *ctx, tarn_error *err)
{
    opened o;
    TN_TRY(open_url(url, &o, err));
    char *base = url_base(&o);
    int rc = base ? TARN_OK : tn_error_oom(err, 64);
    list_ctx l = {fn, ctx, base};
    const char *key = o.url.key;
    size_t n = strlen(key);
    tn_object_meta m;
    if (rc) {
    } else if (tn_glob_has_magic(key)) {
        char **keys;
        tn_object_meta *metas;
        int64_t nk;
        rc = tn_store_glob_meta(o.store, key, &keys, &metas, &nk, err);
        for (int64_t i = 0; !rc && i < nk; i++) {
            tn_list_entry e = {.key = keys[i], .meta = metas[i]}; /* as listed: no HEAD per key */
            rc = relay(&l, &e, err);
        }
        if (keys) {
            for (int64_t i = 0; i < nk; i++)
                tn_free(keys[i]);
            tn_free(keys);
            tn_free(metas);
        }
    } else if (n == 0 || key[n - 1] == '/') {
        rc = tn_store_list(o.store, key, !recursive, relay, &l, err);
    } else if (tn_store_head(o.store, key, &m, NULL) == TARN_OK) {
        tn_list_entry e = {.key = key, .meta = m};
        rc = relay(&l, &e, err);
    } else {
        char *dir = tn_sprintf("%s/", key);
        rc = dir ? tn_store_list(o.store, dir, !recursive, relay, &l, err) : tn_error_oom(err, n + 2);
        tn_free(dir);
    }
    tn_free(base);
    close_url(&o);
    return rc;
}

int tarn_store_stat(const char *url, int64_t *size, int64_t *last_modified, char etag[64], tarn_error *err)
{
    opened o;
    TN_TRY(open_url(url, &o, err));
    tn_object_meta m;
    int rc = tn_store_head(o.store, o.url.key, &m, err);
    if (!rc) {
        if (size)
            *size = m.size;
        if (last_modified)
            *last_modified = m.last_modified;
        if (etag)
            memcpy(etag, m.etag, sizeof m.etag);
    }
    close_url(&o);
    return rc;
}

/* A copy in progress: where the bytes come from and go, and how far. */
typedef struct copy_ctx {
    opened *src;
    int64_t size;
    int fd;            /* the source file when it is local, else -1 */
    tn_buffer *piece;  /* the last CHUNK read from a remote source */
    int64_t piece_at;
    tn_store_writer *w; /* the destination of a streamed read */
    int64_t done;
    tarn_progress_fn progress;
    void *ctx;
} copy_ctx;

/* Fill dst from the cached piece of a remote source, fetching the piece
 * that holds offset when it is not the cached one. */
static int read_remote(copy_ctx *c, int64_t offset, void *dst, int64_t n, int64_t *got, tarn_error *err)
{
    if (!c->piece || offset < c->piece_at || offset >= c->piece_at + c->piece->size) {
        tn_buffer_unref(c->piece);
        c->piece = NULL;
        int64_t want = c->size - offset < CHUNK ? c->size - offset : CHUNK;
        TN_TRY(tn_store_get(c->src->store, c->src->url.key, offset, want, &c->piece, err));
        c->piece_at = offset;
    }
    int64_t left = c->piece_at + c->piece->size - offset;
    *got = n < left ? n : left;
    memcpy(dst, c->piece->data + (offset - c->piece_at), (size_t)*got);
    return TARN_OK;
}

/* The body source of a streaming upload (read by position, so an upload
 * can be sent again from the start). */
static int read_source(void *ctx, int64_t offset, void *dst, int64_t n, int64_t *got, tarn_error *err)
{
    copy_ctx *c = ctx;
    if (c->fd < 0) {
        TN_TRY(read_remote(c, offset, dst, n, got, err));
    } else {
        ssize_t k = pread(c->fd, dst, (size_t)n, (off_t)offset);
        if (k < 0)
            return tn_error_set(err, TARN_EIO, "%s: read at byte %lld: %s", c->src->url.key, (long long)offset,
                                strerror(errno));
        *got = k;
    }
    if (c->progress)
        c->progress(c->ctx, offset + *got, c->size);
    return TARN_OK;
}

/* The sink of a streamed read: the destination's writer. */
static int write_destination(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    copy_ctx *c = ctx;
    TN_TRY(c->w->write(c->w, p, n, err));
    c->done += n;
    if (c->progress)
        c->progress(c->ctx, c->done, c->size);
    return TARN_OK;
}

/* Into a store with streaming PUTs: one request whose body is pulled
 * straight from the source file (or the source object, a piece at a time). */
static int upload_from(copy_ctx *c, opened *dst, const tn_put_options *po, tarn_error *err)
{
    c->fd = strcmp(c->src->url.scheme, "file") == 0 ? open(c->src->url.key, O_RDONLY | O_CLOEXEC) : -1;
    int rc = tn_store_put_stream(dst->store, dst->url.key, c->size, read_source, c, po, err);
    if (c->fd >= 0)
        close(c->fd);
    tn_buffer_unref(c->piece);
    return rc;
}

/* Anywhere else: a writer on the destination fed by a streamed read
 * (one GET on the cloud stores, straight from curl into the writer). */
static int download_into(copy_ctx *c, opened *dst, const tn_put_options *po, tarn_error *err)
{
    TN_TRY(tn_store_writer_open(dst->store, dst->url.key, po, &c->w, err));
    /* a remote read runs to the end, as one request without a range, or
     * for a large object as parallel ranged requests */
    int64_t length = c->src->store->ops->get_stream && !tn_store_parallel(c->src->store, c->size) ? -1 : c->size;
    int rc = tn_store_get_stream(c->src->store, c->src->url.key, 0, length, write_destination, c, err);
    if (!rc && c->done != c->size)
        rc = tn_error_set(err, TARN_EIO, "%s: the object changed size while being copied", c->src->url.key);
    if (rc) {
        c->w->abort(c->w);
        return rc;
    }
    return c->w->commit(c->w, err);
}

static int stream_copy(opened *src, opened *dst, int flags, tarn_progress_fn progress, void *ctx, tarn_error *err)
{
    tn_object_meta m;
    TN_TRY(tn_store_head(src->store, src->url.key, &m, err));
    tn_put_options po = {.mode = flags & TARN_STORE_NO_CLOBBER ? TN_PUT_CREATE : TN_PUT_OVERWRITE};
    copy_ctx c = {.src = src, .size = m.size, .fd = -1, .progress = progress, .ctx = ctx};
    if (progress)
        progress(ctx, 0, m.size);
    if (dst->store->ops->put_stream)
        return upload_from(&c, dst, &po, err);
    return download_into(&c, dst, &po, err);
}

static bool same_store(const opened *a, const opened *b)
{
    return strcmp(a->url.scheme, b->url.scheme) == 0 && strcmp(a->url.root, b->url.root) == 0;
}

/* A destination that names a directory (ends in '/' or is a local
 * directory) receives the source's file name. */
static int resolve_destination(const opened *src, opened *dst, tarn_error *err)
{
    const char *k = dst->url.key;
    size_t n = strlen(k);
    bool dir = n == 0 || k[n - 1] == '/';
    if (!dir && strcmp(dst->url.scheme, "file") == 0) {
        tn_object_meta m;
        dir = tn_store_head(dst->store, k, &m, NULL) == TARN_EINVAL; /* "is a directory" */
    }
    if (!dir)
        return TARN_OK;
    const char *slash = strrchr(src->url.key, '/');
    const char *name = slash ? slash + 1 : src->url.key;
    char *key = tn_sprintf("%s%s%s", k, n && k[n - 1] != '/' ? "/" : "", name);
    TN_TRY_ALLOC(key, err, n + strlen(name) + 2);
    tn_free(dst->url.key);
    dst->url.key = key;
    return TARN_OK;
}

static int transfer(const char *from, const char *to, int flags, bool move, tarn_progress_fn progress, void *ctx,
                    tarn_error *err)
{
    opened src, dst;
    TN_TRY(open_url(from, &src, err));
    int rc = open_url(to, &dst, err);
    if (rc) {
        close_url(&src);
        return rc;
    }
    rc = resolve_destination(&src, &dst, err);
    if (!rc && move && same_store(&src, &dst)) {
        tn_put_options po = {.mode = flags & TARN_STORE_NO_CLOBBER ? TN_PUT_CREATE : TN_PUT_OVERWRITE};
        rc = tn_store_rename(src.store, src.url.key, dst.url.key, &po, err);
    } else if (!rc) {
        rc = stream_copy(&src, &dst, flags, progress, ctx, err);
        if (!rc && move)
            rc = tn_store_remove(src.store, src.url.key, err);
    }
    close_url(&src);
    close_url(&dst);
    return rc;
}

int tarn_store_copy(const char *from, const char *to, int flags, tarn_progress_fn progress, void *ctx,
                    tarn_error *err)
{
    return transfer(from, to, flags, false, progress, ctx, err);
}

int tarn_store_move(const char *from, const char *to, int flags, tarn_progress_fn progress, void *ctx,
                    tarn_error *err)
{
    return transfer(from, to, flags, true, progress, ctx, err);
}

int tarn_store_delete(const char *url, tarn_error *err)
{
    opened o;
    TN_TRY(open_url(url, &o, err));
    int rc = tn_store_remove(o.store, o.url.key, err);
    close_url(&o);
    return rc;
}

static int write_file(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    if (fwrite(p, 1, (size_t)n, ctx) != (size_t)n)
        return tn_error_set(err, TARN_EIO, "write failed: %s", strerror(errno));
    return TARN_OK;
}

int tarn_store_cat(const char *url, FILE *out, tarn_error *err)
{
    opened o;
    TN_TRY(open_url(url, &o, err));
    tn_object_meta m;
    int rc = tn_store_head(o.store, o.url.key, &m, err);
    if (!rc && m.size > 0)
        rc = tn_store_get_stream(o.store, o.url.key, 0, m.size, write_file, out, err);
    if (!rc && fflush(out) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: write failed", url);
    close_url(&o);
    return rc;
}
