/*
 * store_memory.c — an object store held in memory, for tests and temporary
 * data. Stores are named ("memory://scratch/key"): every open of the same
 * name in a process shares its objects, which live until the last handle is
 * freed. Objects are immutable buffers, so a get hands out a zero-copy slice
 * and a concurrent put can never tear what a reader holds. All operations
 * hold the space's mutex, which makes the conditional writes exact.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "store/store.h"

typedef struct object {
    char *key;
    tn_buffer *data;
    uint64_t version; /* the etag */
    int64_t mtime;
} object;

typedef struct space {
    char *name;
    int refs;
    pthread_mutex_t lock;
    object *objs; /* sorted by key */
    int64_t n, cap;
    uint64_t next_version;
    struct space *next;
} space;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static space *registry;

typedef struct mem_store {
    tn_store base;
    space *sp;
} mem_store;

static space *sp_of(tn_store *s)
{
    return ((mem_store *)s)->sp;
}

/* Index of key, or -(insertion point) - 1. */
static int64_t find(const space *sp, const char *key)
{
    int64_t lo = 0, hi = sp->n - 1;
    while (lo <= hi) {
        int64_t mid = (lo + hi) / 2;
        int c = strcmp(sp->objs[mid].key, key);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo - 1;
}

static void meta_of(const object *o, tn_object_meta *m)
{
    m->size = o->data->size;
    m->last_modified = o->mtime;
    snprintf(m->etag, sizeof m->etag, "v%llu", (unsigned long long)o->version);
}

static int not_found(tarn_error *err, const char *key)
{
    return tn_error_set(err, TARN_ENOTFOUND, "%s: no such object", key);
}

static int mem_head(tn_store *s, const char *key, tn_object_meta *meta, tarn_error *err)
{
    space *sp = sp_of(s);
    pthread_mutex_lock(&sp->lock);
    int64_t i = find(sp, key);
    if (i >= 0)
        meta_of(&sp->objs[i], meta);
    pthread_mutex_unlock(&sp->lock);
    return i >= 0 ? TARN_OK : not_found(err, key);
}

static int mem_get(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    space *sp = sp_of(s);
    *out = NULL;
    pthread_mutex_lock(&sp->lock);
    int64_t i = find(sp, key);
    tn_buffer *data = i >= 0 ? tn_buffer_ref(sp->objs[i].data) : NULL;
    pthread_mutex_unlock(&sp->lock);
    if (!data)
        return not_found(err, key);
    int64_t size = data->size;
    if (offset < 0) {
        offset = -offset > size ? 0 : size + offset;
        length = -1;
    }
    int rc = TARN_OK;
    if (offset > size) {
        rc = tn_error_set(err, TARN_EINVAL, "%s: range starts at byte %lld, past the end (%lld bytes)", key,
                          (long long)offset, (long long)size);
    } else {
        if (length < 0 || length > size - offset)
            length = size - offset;
        *out = tn_buffer_slice(data, offset, length);
        if (!*out)
            rc = tn_error_oom(err, sizeof(tn_buffer));
    }
    tn_buffer_unref(data);
    return rc;
}

/* Install data under key according to the put mode; takes the buffer. */
static int install(space *sp, const char *key, tn_buffer *data, const tn_put_options *o, tarn_error *err)
{
    tn_put_mode mode = o ? o->mode : TN_PUT_OVERWRITE;
    pthread_mutex_lock(&sp->lock);
    int64_t i = find(sp, key);
    int rc = TARN_OK;
    if (mode == TN_PUT_CREATE && i >= 0) {
        rc = tn_error_set(err, TARN_ECONFLICT, "%s: already exists", key);
    } else if (mode == TN_PUT_IF_MATCH) {
        char tag[64] = "";
        if (i >= 0)
            snprintf(tag, sizeof tag, "v%llu", (unsigned long long)sp->objs[i].version);
        if (strcmp(tag, o->if_match ? o->if_match : "") != 0)
            rc = tn_error_set(err, TARN_ECONFLICT, "%s: changed since it was read (etag mismatch)", key);
    }
    if (!rc && i < 0 && sp->n == sp->cap) {
        int64_t cap = sp->cap ? sp->cap * 2 : 16;
        object *no = tn_realloc(sp->objs, sizeof(object) * (size_t)cap);
        if (!no)
            rc = tn_error_oom(err, sizeof(object) * (size_t)cap);
        else {
            sp->objs = no;
            sp->cap = cap;
        }
    }
    char *k = NULL;
    if (!rc && i < 0 && !(k = tn_strdup(key)))
        rc = tn_error_oom(err, strlen(key) + 1);
    if (rc) {
        pthread_mutex_unlock(&sp->lock);
        tn_buffer_unref(data);
        return rc;
    }
    if (i < 0) {
        i = -i - 1;
        memmove(&sp->objs[i + 1], &sp->objs[i], sizeof(object) * (size_t)(sp->n - i));
        sp->n++;
        sp->objs[i].key = k;
        sp->objs[i].data = NULL;
    }
    tn_buffer_unref(sp->objs[i].data);
    sp->objs[i].data = data;
    sp->objs[i].version = ++sp->next_version;
    sp->objs[i].mtime = (int64_t)time(NULL);
    pthread_mutex_unlock(&sp->lock);
    return TARN_OK;
}

static int mem_put(tn_store *s, const char *key, const void *data, int64_t n, const tn_put_options *o,
                   tarn_error *err)
{
    tn_buffer *b = tn_buffer_copy_of(data, n);
    TN_TRY_ALLOC(b, err, (size_t)n);
    return install(sp_of(s), key, b, o, err);
}

typedef struct mem_writer {
    tn_store_writer base;
    space *sp;
    char *key;
    tn_buffer *data;
    tn_put_options opts;
    char *if_match;
} mem_writer;

static void mw_free(mem_writer *w)
{
    tn_free(w->key);
    tn_free(w->if_match);
    tn_buffer_unref(w->data);
    tn_free(w);
}

static int mw_write(tn_store_writer *base, const void *p, int64_t n, tarn_error *err)
{
    mem_writer *w = (mem_writer *)base;
    int64_t at = w->data->size;
    if (w->data->capacity < at + n)
        TN_TRY(tn_buffer_reserve(w->data, at + n, err));
    memcpy(w->data->data + at, p, (size_t)n);
    w->data->size = at + n;
    return TARN_OK;
}

static int mw_commit(tn_store_writer *base, tarn_error *err)
{
    mem_writer *w = (mem_writer *)base;
    tn_buffer *data = w->data;
    w->data = NULL;
    int rc = install(w->sp, w->key, data, &w->opts, err);
    mw_free(w);
    return rc;
}

static void mw_abort(tn_store_writer *base)
{
    mw_free((mem_writer *)base);
}

static int mem_writer_open(tn_store *s, const char *key, const tn_put_options *o, tn_store_writer **out,
                           tarn_error *err)
{
    mem_writer *w = tn_calloc(1, sizeof *w);
    TN_TRY_ALLOC(w, err, sizeof *w);
    w->sp = sp_of(s);
    w->key = tn_strdup(key);
    w->data = tn_buffer_new(0);
    if (o) {
        w->opts = *o;
        w->if_match = o->if_match ? tn_strdup(o->if_match) : NULL;
        w->opts.if_match = w->if_match;
    }
    if (!w->key || !w->data || (o && o->if_match && !w->if_match)) {
        mw_free(w);
        return tn_error_oom(err, strlen(key) + 64);
    }
    w->base.write = mw_write;
    w->base.commit = mw_commit;
    w->base.abort = mw_abort;
    *out = &w->base;
    return TARN_OK;
}

static int mem_list(tn_store *s, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    space *sp = sp_of(s);
    size_t plen = strlen(prefix);
    /* Snapshot the matching keys so callbacks run without the lock. */
    pthread_mutex_lock(&sp->lock);
    int64_t start = find(sp, prefix);
    if (start < 0)
        start = -start - 1;
    int64_t end = start;
    while (end < sp->n && strncmp(sp->objs[end].key, prefix, plen) == 0)
        end++;
    int64_t n = end - start;
    tn_list_entry *entries = n ? tn_calloc((size_t)n, sizeof *entries) : NULL;
    int rc = TARN_OK;
    if (n && !entries) {
        rc = tn_error_oom(err, sizeof *entries * (size_t)n);
        n = 0;
    } else {
        for (int64_t i = 0; i < n; i++) {
            const object *o = &sp->objs[start + i];
            meta_of(o, &entries[i].meta);
            const char *rest = o->key + plen;
            const char *slash = delimited ? strchr(rest, '/') : NULL;
            entries[i].is_prefix = slash != NULL;
            entries[i].key = slash ? tn_strndup(o->key, (size_t)(slash - o->key + 1)) : tn_strdup(o->key);
            if (!entries[i].key) {
                rc = tn_error_oom(err, strlen(o->key) + 1);
                n = i;
                break;
            }
        }
    }
    pthread_mutex_unlock(&sp->lock);
    const char *last_prefix = NULL;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (entries[i].is_prefix) { /* roll up repeated prefixes */
            if (last_prefix && !strcmp(last_prefix, entries[i].key))
                continue;
            last_prefix = entries[i].key;
            memset(&entries[i].meta, 0, sizeof entries[i].meta);
        }
        rc = fn(ctx, &entries[i], err);
    }
    for (int64_t i = 0; i < n; i++)
        tn_free((char *)entries[i].key);
    tn_free(entries);
    return rc;
}

static int mem_remove(tn_store *s, const char *key, tarn_error *err)
{
    space *sp = sp_of(s);
    pthread_mutex_lock(&sp->lock);
    int64_t i = find(sp, key);
    if (i >= 0) {
        tn_free(sp->objs[i].key);
        tn_buffer_unref(sp->objs[i].data);
        memmove(&sp->objs[i], &sp->objs[i + 1], sizeof(object) * (size_t)(sp->n - i - 1));
        sp->n--;
    }
    pthread_mutex_unlock(&sp->lock);
    return TARN_OK; /* deleting what is not there is done, as object stores answer */
}

static int mem_copy(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    tn_buffer *b;
    TN_TRY(mem_get(s, from, 0, -1, &b, err));
    return install(sp_of(s), to, b, o, err); /* buffers are immutable: share them */
}

static int mem_rename(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    TN_TRY(mem_copy(s, from, to, o, err));
    return mem_remove(s, from, err);
}

static void mem_destroy(tn_store *s)
{
    space *sp = sp_of(s);
    pthread_mutex_lock(&registry_lock);
    if (sp && --sp->refs == 0) {
        for (space **p = &registry; *p; p = &(*p)->next)
            if (*p == sp) {
                *p = sp->next;
                break;
            }
        for (int64_t i = 0; i < sp->n; i++) {
            tn_free(sp->objs[i].key);
            tn_buffer_unref(sp->objs[i].data);
        }
        tn_free(sp->objs);
        tn_free(sp->name);
        pthread_mutex_destroy(&sp->lock);
        tn_free(sp);
    }
    pthread_mutex_unlock(&registry_lock);
    tn_free(s->scheme);
    tn_free(s->root);
    tn_free(s);
}

static const tn_store_ops memory_ops = {
    .name = "memory",
    .head = mem_head,
    .get = mem_get,
    .put = mem_put,
    .writer_open = mem_writer_open,
    .list = mem_list,
    .remove = mem_remove,
    .copy = mem_copy,
    .rename = mem_rename,
    .destroy = mem_destroy,
};

int tn_store_memory_open(const char *name, tn_store **out, tarn_error *err)
{
    *out = NULL;
    mem_store *ms = tn_calloc(1, sizeof *ms);
    TN_TRY_ALLOC(ms, err, sizeof *ms);
    ms->base.ops = &memory_ops;
    ms->base.scheme = tn_strdup("memory");
    ms->base.root = tn_strdup(name);
    if (!ms->base.scheme || !ms->base.root) {
        mem_destroy(&ms->base);
        return tn_error_oom(err, 64);
    }
    pthread_mutex_lock(&registry_lock);
    space *sp = registry;
    while (sp && strcmp(sp->name, name) != 0)
        sp = sp->next;
    if (!sp) {
        sp = tn_calloc(1, sizeof *sp);
        if (sp && !(sp->name = tn_strdup(name))) {
            tn_free(sp);
            sp = NULL;
        }
        if (sp) {
            pthread_mutex_init(&sp->lock, NULL);
            sp->next = registry;
            registry = sp;
        }
    }
    if (sp)
        sp->refs++;
    pthread_mutex_unlock(&registry_lock);
    if (!sp) {
        mem_destroy(&ms->base);
        return tn_error_oom(err, sizeof *sp);
    }
    ms->sp = sp;
    *out = &ms->base;
    return TARN_OK;
}
