/*
 * public.c — the URL-level store calls of the public API (tarn/store.h):
 * listing, stat, streaming copy between any two stores, move, delete, cat.
 */
#include <stdlib.h>
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
        int64_t nk;
        rc = tn_store_glob(o.store, key, &keys, &nk, err);
        for (int64_t i = 0; !rc && i < nk; i++) {
            tn_list_entry e = {.key = keys[i]};
            rc = tn_store_head(o.store, keys[i], &e.meta, err);
            if (!rc)
                rc = relay(&l, &e, err);
        }
        if (!rc || nk > 0) {
            for (int64_t i = 0; i < nk; i++)
                tn_free(keys[i]);
            tn_free(keys);
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

/* Stream src's object into a writer of dst, in CHUNK-sized ranged reads. */
static int stream_copy(opened *src, opened *dst, int flags, tarn_progress_fn progress, void *ctx, tarn_error *err)
{
    tn_object_meta m;
    TN_TRY(tn_store_head(src->store, src->url.key, &m, err));
    tn_put_options po = {.mode = flags & TARN_STORE_NO_CLOBBER ? TN_PUT_CREATE : TN_PUT_OVERWRITE};
    tn_store_writer *w;
    TN_TRY(tn_store_writer_open(dst->store, dst->url.key, &po, &w, err));
    int rc = TARN_OK;
    int64_t done = 0;
    if (progress)
        progress(ctx, 0, m.size);
    while (!rc && done < m.size) {
        tn_buffer *b = NULL;
        int64_t want = m.size - done < CHUNK ? m.size - done : CHUNK;
        rc = tn_store_get(src->store, src->url.key, done, want, &b, err);
        if (!rc && b->size != want)
            rc = tn_error_set(err, TARN_EIO, "%s: the object changed size while being copied", src->url.key);
        if (!rc)
            rc = w->write(w, b->data, b->size, err);
        tn_buffer_unref(b);
        if (!rc) {
            done += want;
            if (progress)
                progress(ctx, done, m.size);
        }
    }
    if (rc) {
        w->abort(w);
        return rc;
    }
    return w->commit(w, err);
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

int tarn_store_cat(const char *url, FILE *out, tarn_error *err)
{
    opened o;
    TN_TRY(open_url(url, &o, err));
    tn_object_meta m;
    int rc = tn_store_head(o.store, o.url.key, &m, err);
    for (int64_t done = 0; !rc && done < m.size;) {
        tn_buffer *b = NULL;
        int64_t want = m.size - done < CHUNK ? m.size - done : CHUNK;
        rc = tn_store_get(o.store, o.url.key, done, want, &b, err);
        if (!rc && (b->size == 0 || fwrite(b->data, 1, (size_t)b->size, out) != (size_t)b->size))
            rc = tn_error_set(err, TARN_EIO, "%s: write failed", url);
        if (!rc)
            done += b->size;
        tn_buffer_unref(b);
    }
    if (!rc && fflush(out) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: write failed", url);
    close_url(&o);
    return rc;
}
