/*
 * remote.c — files in object stores for every format at once: a remote
 * object is read by spooling it to a temporary local file that the format's
 * reader opens, and a remote output is written locally and then uploaded
 * in one atomic put. Error messages name the URL, never the spool file.
 *
 * This trades disk for generality; Parquet, which reads by position,
 * reads ranges of the object instead (tn_remote_parquet_open): the footer
 * from the tail, then only the column chunks a scan selects.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/parquet/parquet.h"
#include "formats/remote.h"
#include "store/store.h"
#include "tarn/store.h"

bool tn_remote_url(const char *path)
{
    const char *sep = strstr(path, "://");
    return sep && !(sep - path == 4 && strncmp(path, "file", 4) == 0);
}

void tn_error_replace(tarn_error *err, const char *from, const char *to)
{
    if (!err || !from || !*from)
        return;
    char *at = strstr(err->message, from);
    if (!at)
        return;
    char out[TARN_ERROR_MAX];
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - err->message), err->message, to, at + strlen(from));
    memcpy(err->message, out, sizeof out);
}

/* A new empty temporary file whose name ends like url's (for extensions). */
static int spool_path(const char *url, char **out, tarn_error *err)
{
    const char *tmp = getenv("TMPDIR");
    const char *slash = strrchr(url, '/');
    const char *dot = slash ? strrchr(slash, '.') : NULL;
    const char *ext = dot && strlen(dot) < 16 ? dot : "";
    char *p = tn_sprintf("%s/tarn-spool-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", ext);
    TN_TRY_ALLOC(p, err, 64);
    int fd = mkstemps(p, (int)strlen(ext));
    if (fd < 0) {
        int rc = tn_error_set(err, TARN_EIO, "cannot create a temporary file in %s", tmp && *tmp ? tmp : "/tmp");
        tn_free(p);
        return rc;
    }
    close(fd);
    *out = p;
    return TARN_OK;
}

int tn_remote_fetch(const char *url, char **local, tarn_error *err)
{
    TN_TRY(spool_path(url, local, err));
    int rc = tarn_store_copy(url, *local, 0, NULL, NULL, err);
    if (rc) {
        unlink(*local);
        tn_free(*local);
        *local = NULL;
    }
    return rc;
}

int tn_remote_spool(const char *url, char **local, tarn_error *err)
{
    TN_TRY(spool_path(url, local, err));
    unlink(*local); /* writers create their output atomically themselves */
    return TARN_OK;
}

int tn_remote_publish(const char *local, const char *url, tarn_error *err)
{
    int rc = tarn_store_copy(local, url, 0, NULL, NULL, err);
    unlink(local);
    return rc;
}

typedef struct spooled {
    tn_reader base;
    tn_reader *in;
    char *local;
    char *url;
} spooled;

static int spooled_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    spooled *s = (spooled *)r;
    int rc = tn_reader_next(s->in, out, err);
    if (rc)
        tn_error_replace(err, s->local, s->url);
    return rc;
}

static void spooled_destroy(tn_reader *r)
{
    spooled *s = (spooled *)r;
    tn_reader_free(s->in);
    unlink(s->local);
    tn_free(s->local);
    tn_free(s->url);
    tn_free(s);
}

int tn_remote_wrap(tn_reader *in, char *local, const char *url, tn_reader **out, tarn_error *err)
{
    spooled *s = tn_calloc(1, sizeof *s);
    char *u = tn_strdup(url);
    if (!s || !u) {
        tn_free(s);
        tn_free(u);
        tn_reader_free(in);
        unlink(local);
        tn_free(local);
        return tn_error_oom(err, sizeof *s);
    }
    s->in = in;
    s->local = local;
    s->url = u;
    s->base.schema = tn_schema_ref(in->schema);
    s->base.next = spooled_next;
    s->base.destroy = spooled_destroy;
    *out = &s->base;
    return TARN_OK;
}

/* --- Parquet by ranges ------------------------------------------------------ */

bool tn_remote_reads_ranges(const char *format)
{
    return format && strcmp(format, "parquet") == 0;
}

#define TAIL (64 << 10)     /* the footer of most files fits: one request for it */
#define GAP (1 << 20)       /* chunks closer than this are fetched as one range */

typedef struct remote_file remote_file;
struct remote_file {
    remote_file *root; /* itself, or the file a clone reads (which outlives it) */
    tn_url url;
    tn_store *store;   /* stores are safe to share between threads */
    int64_t size;
    tn_range kept[2];  /* the first bytes (magic) and the tail (footer) */
    tn_range *cache;   /* the chunks of the row group being read */
    int n_cache;
};

static void drop_cache(remote_file *f)
{
    for (int i = 0; i < f->n_cache; i++)
        tn_buffer_unref(f->cache[i].out);
    tn_free(f->cache);
    f->cache = NULL;
    f->n_cache = 0;
}

static void rf_close(void *ctx)
{
    remote_file *f = ctx;
    drop_cache(f);
    if (f->root != f) { /* a clone owns its cache only */
        tn_free(f);
        return;
    }
    for (int i = 0; i < 2; i++)
        tn_buffer_unref(f->kept[i].out);
    tn_store_free(f->store);
    tn_url_reset(&f->url);
    tn_free(f);
}

static bool from_range(const tn_range *r, int64_t off, size_t n, uint8_t *dst)
{
    if (!r->out || off < r->offset || off + (int64_t)n > r->offset + r->out->size)
        return false;
    memcpy(dst, r->out->data + (off - r->offset), n);
    return true;
}

/* Bytes held from the tail or the prefetched chunks; others are fetched. */
static int rf_read_at(void *ctx, int64_t off, size_t n, uint8_t *dst, tarn_error *err)
{
    remote_file *f = ctx, *root = f->root;
    for (int i = 0; i < 2; i++)
        if (from_range(&root->kept[i], off, n, dst))
            return TARN_OK;
    for (int i = 0; i < f->n_cache; i++)
        if (from_range(&f->cache[i], off, n, dst))
            return TARN_OK;
    tn_buffer *b = NULL;
    TN_TRY(tn_store_get(root->store, root->url.key, off, (int64_t)n, &b, err));
    int rc = b->size == (int64_t)n ? TARN_OK
                                   : tn_error_set(err, TARN_EIO, "%s://%s/%s: short read at byte %lld (the object changed?)",
                                                  root->url.scheme, root->url.root, root->url.key, (long long)off);
    if (!rc)
        memcpy(dst, b->data, n);
    tn_buffer_unref(b);
    return rc;
}

static int rf_prefetch(void *ctx, const int64_t *offsets, const int64_t *lengths, int n, tarn_error *err)
{
    remote_file *f = ctx;
    drop_cache(f);
    f->cache = tn_calloc((size_t)n, sizeof *f->cache);
    TN_TRY_ALLOC(f->cache, err, sizeof *f->cache * (size_t)n);
    for (int i = 0; i < n; i++) {
        f->cache[i].offset = offsets[i];
        f->cache[i].length = lengths[i];
    }
    int rc = tn_store_get_ranges(f->root->store, f->root->url.key, f->cache, n, GAP, err);
    if (rc) {
        tn_free(f->cache);
        f->cache = NULL;
        return rc;
    }
    f->n_cache = n;
    return TARN_OK;
}

/* A reader of the same file on another thread: its own chunk cache. */
static int rf_clone(void *ctx, void **out, tarn_error *err)
{
    remote_file *c = tn_calloc(1, sizeof *c);
    TN_TRY_ALLOC(c, err, sizeof *c);
    c->root = ((remote_file *)ctx)->root;
    c->size = c->root->size;
    *out = c;
    return TARN_OK;
}

int tn_remote_parquet_open(const char *url, const tn_parquet_read_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    remote_file *f = tn_calloc(1, sizeof *f);
    TN_TRY_ALLOC(f, err, sizeof *f);
    f->root = f;
    int rc = tn_url_parse(url, &f->url, err);
    if (!rc)
        rc = tn_store_open(&f->url, &f->store, err);
    tn_object_meta m;
    if (!rc)
        rc = tn_store_head(f->store, f->url.key, &m, err);
    if (!rc) {
        f->size = m.size;
        int64_t tail = m.size < TAIL ? m.size : TAIL;
        f->kept[0] = (tn_range){.offset = 0, .length = m.size < 4 ? m.size : 4};
        f->kept[1] = (tn_range){.offset = m.size - tail, .length = tail};
        rc = tn_store_get_ranges(f->store, f->url.key, f->kept, 2, GAP, err);
    }
    if (rc) {
        rf_close(f);
        return rc;
    }
    tn_parquet_source src = {f, f->size, rf_read_at, rf_prefetch, rf_close, rf_clone};
    return tn_parquet_open_source(&src, url, opts, out, err);
}
