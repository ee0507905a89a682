/*
 * store_local.c — the object-store interface over the local file system.
 *
 * Keys are paths as the user wrote them (relative or absolute). Writes go to
 * a temporary file beside the target (".NAME.tarn-XXXXXX"), are fsync'd, and
 * then appear atomically: rename() to overwrite, link() to create only if
 * absent (EEXIST is the lost race), and the directory is fsync'd so the new
 * name survives a crash. Listing walks directories in an order that equals
 * the bytewise order of the keys, as object stores list.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "store/store.h"

#define TMP_TAG ".tarn-"

static int sys_error(tarn_error *err, const char *what, const char *path)
{
    int e = errno;
    int code = e == ENOENT || e == ENOTDIR ? TARN_ENOTFOUND : e == EACCES || e == EPERM ? TARN_EPERM : TARN_EIO;
    if (code == TARN_ENOTFOUND)
        return tn_error_set(err, code, "%s: no such file or directory", path);
    return tn_error_set(err, code, "%s: %s: %s", path, what, strerror(e));
}

static void etag_of(const struct stat *st, char *out, size_t cap)
{
    snprintf(out, cap, "%llx-%llx-%llx", (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
             (unsigned long long)st->st_mtim.tv_nsec, (unsigned long long)st->st_size,
             (unsigned long long)st->st_ino);
}

static void meta_of(const struct stat *st, tn_object_meta *m)
{
    m->size = st->st_size;
    m->last_modified = st->st_mtim.tv_sec;
    etag_of(st, m->etag, sizeof m->etag);
}

static int local_head(tn_store *s, const char *key, tn_object_meta *meta, tarn_error *err)
{
    struct stat st;
    if (stat(key, &st) != 0)
        return sys_error(err, "stat", key);
    if (S_ISDIR(st.st_mode))
        return tn_error_set(err, TARN_EINVAL, "%s: is a directory", key);
    meta_of(&st, meta);
    return TARN_OK;
}

static int local_get(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out,
                     tarn_error *err)
{
    *out = NULL;
    int fd = open(key, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sys_error(err, "open", key);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = sys_error(err, "stat", key);
        close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return tn_error_set(err, TARN_EINVAL, "%s: is a directory", key);
    }
    int64_t size = st.st_size;
    if (offset < 0) { /* suffix range */
        offset = -offset > size ? 0 : size + offset;
        length = -1;
    }
    if (offset > size) {
        close(fd);
        return tn_error_set(err, TARN_EINVAL, "%s: range starts at byte %lld, past the end (%lld bytes)", key,
                            (long long)offset, (long long)size);
    }
    if (length < 0 || length > size - offset)
        length = size - offset;
    tn_buffer *b = tn_buffer_new(length);
    if (!b) {
        close(fd);
        return tn_error_oom(err, (size_t)length);
    }
    int64_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, b->data + done, (size_t)(length - done), offset + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int rc = n < 0 ? sys_error(err, "read", key)
                           : tn_error_set(err, TARN_EIO, "%s: file shrank while being read", key);
            tn_buffer_unref(b);
            close(fd);
            return rc;
        }
        done += n;
    }
    close(fd);
    *out = b;
    return TARN_OK;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path, tarn_error *err)
{
    char *dir = tn_strdup(path);
    TN_TRY_ALLOC(dir, err, strlen(path) + 1);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            int rc = sys_error(err, "mkdir", dir);
            tn_free(dir);
            return rc;
        }
        *p = '/';
    }
    tn_free(dir);
    return TARN_OK;
}

static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

typedef struct local_writer {
    tn_store_writer base;
    int fd;
    char *path;
    char *tmp;
    tn_put_mode mode;
    char *if_match;
    uint8_t *pending; /* small writes gathered into one write() */
    int64_t n_pending;
} local_writer;

/* Streamed reads arrive in pieces of 16 KiB; gather them so a GiB is not
 * 65536 system calls. */
#define GATHER (1 << 20)

static void writer_free(local_writer *w, bool remove_tmp)
{
    if (w->fd >= 0)
        close(w->fd);
    if (remove_tmp && w->tmp)
        unlink(w->tmp);
    tn_free(w->path);
    tn_free(w->tmp);
    tn_free(w->if_match);
    tn_free(w->pending);
    tn_free(w);
}

static int write_all(local_writer *w, const void *p, int64_t n, tarn_error *err)
{
    const uint8_t *q = p;
    while (n > 0) {
        ssize_t k = write(w->fd, q, (size_t)n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return sys_error(err, "write", w->path);
        q += k;
        n -= k;
    }
    return TARN_OK;
}

static int flush_pending(local_writer *w, tarn_error *err)
{
    int64_t n = w->n_pending;
    w->n_pending = 0;
    return n ? write_all(w, w->pending, n, err) : TARN_OK;
}

static int lw_write(tn_store_writer *base, const void *p, int64_t n, tarn_error *err)
{
    local_writer *w = (local_writer *)base;
    if (!w->pending && n < GATHER)
        w->pending = tn_malloc(GATHER); /* without it, writes go straight out */
    if (w->pending && n < GATHER) {
        if (w->n_pending + n > GATHER)
            TN_TRY(flush_pending(w, err));
        memcpy(w->pending + w->n_pending, p, (size_t)n);
        w->n_pending += n;
        return TARN_OK;
    }
    TN_TRY(flush_pending(w, err));
    return write_all(w, p, n, err);
}

static int lw_commit(tn_store_writer *base, tarn_error *err)
{
    local_writer *w = (local_writer *)base;
    int rc = flush_pending(w, err);
    if (rc)
        goto done;
    if (fsync(w->fd) != 0) {
        rc = sys_error(err, "fsync", w->path);
        goto done;
    }
    close(w->fd);
    w->fd = -1;
    if (w->mode == TN_PUT_CREATE) {
        if (link(w->tmp, w->path) != 0) {
            rc = errno == EEXIST ? tn_error_set(err, TARN_ECONFLICT, "%s: already exists", w->path)
                                 : sys_error(err, "link", w->path);
            goto done;
        }
    } else {
        if (w->mode == TN_PUT_IF_MATCH) {
            /* Not atomic against a concurrent local writer between the check
             * and the rename; object stores do this server-side. */
            struct stat st;
            char tag[64] = "";
            if (stat(w->path, &st) == 0)
                etag_of(&st, tag, sizeof tag);
            if (strcmp(tag, w->if_match ? w->if_match : "") != 0) {
                rc = tn_error_set(err, TARN_ECONFLICT, "%s: changed since it was read (etag mismatch)", w->path);
                goto done;
            }
        }
        if (rename(w->tmp, w->path) != 0) {
            rc = sys_error(err, "rename", w->path);
            goto done;
        }
        tn_free(w->tmp);
        w->tmp = NULL;
    }
    sync_dir_of(w->path);
done:
    writer_free(w, true);
    return rc;
}

static void lw_abort(tn_store_writer *base)
{
    writer_free((local_writer *)base, true);
}

static int local_writer_open(tn_store *s, const char *key, const tn_put_options *o, tn_store_writer **out,
                             tarn_error *err)
{
    *out = NULL;
    TN_TRY(make_parents(key, err));
    local_writer *w = tn_calloc(1, sizeof *w);
    TN_TRY_ALLOC(w, err, sizeof *w);
    w->fd = -1;
    w->mode = o ? o->mode : TN_PUT_OVERWRITE;
    const char *slash = strrchr(key, '/');
    int dlen = slash ? (int)(slash - key + 1) : 0;
    w->path = tn_strdup(key);
    w->tmp = tn_sprintf("%.*s.%s" TMP_TAG "XXXXXX", dlen, key, key + dlen);
    w->if_match = o && o->if_match ? tn_strdup(o->if_match) : NULL;
    if (!w->path || !w->tmp || (o && o->if_match && !w->if_match)) {
        writer_free(w, false);
        return tn_error_oom(err, strlen(key) + 32);
    }
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        int rc = sys_error(err, "create", key);
        tn_free(w->tmp);
        w->tmp = NULL;
        writer_free(w, false);
        return rc;
    }
    fchmod(w->fd, 0644);
    w->base.write = lw_write;
    w->base.commit = lw_commit;
    w->base.abort = lw_abort;
    *out = &w->base;
    return TARN_OK;
}

static int local_put(tn_store *s, const char *key, const void *data, int64_t n, const tn_put_options *o,
                     tarn_error *err)
{
    tn_store_writer *w;
    TN_TRY(local_writer_open(s, key, o, &w, err));
    int rc = w->write(w, data, n, err);
    if (rc) {
        w->abort(w);
        return rc;
    }
    return w->commit(w, err);
}

/* --- listing ---------------------------------------------------------------- */

typedef struct name_entry {
    char *name;
    bool is_dir;
} name_entry;

/* Directories sort as "name/", so the walk yields keys in bytewise order. */
static int cmp_names(const void *a, const void *b)
{
    const name_entry *x = a, *y = b;
    const unsigned char *p = (const unsigned char *)x->name, *q = (const unsigned char *)y->name;
    for (;; p++, q++) {
        int c1 = *p ? *p : (x->is_dir ? '/' : 0);
        int c2 = *q ? *q : (y->is_dir ? '/' : 0);
        if (c1 != c2 || !*p || !*q)
            return c1 - c2;
    }
}

static int walk(const char *dir, const char *key_dir, const char *name_prefix, bool delimited, tn_list_fn fn,
                void *ctx, tarn_error *err)
{
    DIR *d = opendir(*dir ? dir : ".");
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR)
            return TARN_OK; /* an empty listing, as object stores answer */
        return sys_error(err, "opendir", dir);
    }
    name_entry *names = NULL;
    size_t n = 0, cap = 0;
    int rc = TARN_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (!strcmp(nm, ".") || !strcmp(nm, "..") || strstr(nm, TMP_TAG))
            continue;
        if (strncmp(nm, name_prefix, strlen(name_prefix)) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            name_entry *nn = tn_realloc(names, cap * sizeof *names);
            if (!nn) {
                rc = tn_error_oom(err, cap * sizeof *names);
                goto done;
            }
            names = nn;
        }
        char *path = tn_sprintf("%s%s", dir, nm);
        struct stat st;
        bool is_dir = path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        tn_free(path);
        names[n].name = tn_strdup(nm);
        if (!names[n].name) {
            rc = tn_error_oom(err, strlen(nm) + 1);
            goto done;
        }
        names[n++].is_dir = is_dir;
    }
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && !rc; i++) {
        char *path = tn_sprintf("%s%s", dir, names[i].name);
        char *key = tn_sprintf("%s%s%s", key_dir, names[i].name, names[i].is_dir ? "/" : "");
        if (!path || !key) {
            rc = tn_error_oom(err, 4096);
        } else if (names[i].is_dir) {
            if (delimited) {
                tn_list_entry le = {.key = key, .is_prefix = true};
                rc = fn(ctx, &le, err);
            } else {
                char *sub = tn_sprintf("%s/", path);
                rc = sub ? walk(sub, key, "", false, fn, ctx, err) : tn_error_oom(err, 4096);
                tn_free(sub);
            }
        } else {
            struct stat st;
            if (stat(path, &st) == 0) { /* vanished files are skipped */
                tn_list_entry le = {.key = key};
                meta_of(&st, &le.meta);
                rc = fn(ctx, &le, err);
            }
        }
        tn_free(path);
        tn_free(key);
    }
done:
    for (size_t i = 0; i < n; i++)
        tn_free(names[i].name);
    tn_free(names);
    closedir(d);
    return rc;
}

static int local_list(tn_store *s, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    const char *slash = strrchr(prefix, '/');
    size_t dlen = slash ? (size_t)(slash - prefix + 1) : 0;
    char *dir = tn_strndup(prefix, dlen);
    TN_TRY_ALLOC(dir, err, dlen + 1);
    int rc = walk(dir, dir, prefix + dlen, delimited, fn, ctx, err);
    tn_free(dir);
    return rc;
}

static int local_remove(tn_store *s, const char *key, tarn_error *err)
{
    if (unlink(key) != 0 && errno != ENOENT) /* deleting what is not there is done */
        return sys_error(err, "delete", key);
    return TARN_OK;
}

static int local_copy(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    tn_buffer *b;
    TN_TRY(local_get(s, from, 0, -1, &b, err));
    int rc = local_put(s, to, b->data, b->size, o, err);
    tn_buffer_unref(b);
    return rc;
}

static int local_rename(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    TN_TRY(make_parents(to, err));
    if (o && o->mode == TN_PUT_CREATE) {
        if (link(from, to) != 0)
            return errno == EEXIST ? tn_error_set(err, TARN_ECONFLICT, "%s: already exists", to)
                                   : sys_error(err, "link", from);
        if (unlink(from) != 0)
            return sys_error(err, "delete", from);
    } else if (rename(from, to) != 0) {
        return sys_error(err, "rename", from);
    }
    sync_dir_of(to);
    return TARN_OK;
}

static void local_destroy(tn_store *s)
{
    tn_free(s->scheme);
    tn_free(s->root);
    tn_free(s);
}

static const tn_store_ops local_ops = {
    .name = "local",
    .head = local_head,
    .get = local_get,
    .put = local_put,
    .writer_open = local_writer_open,
    .list = local_list,
    .remove = local_remove,
    .copy = local_copy,
    .rename = local_rename,
    .destroy = local_destroy,
};

int tn_store_local_open(tn_store **out, tarn_error *err)
{
    tn_store *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->scheme = tn_strdup("file");
    s->root = tn_strdup("");
    if (!s->scheme || !s->root) {
        local_destroy(s);
        return tn_error_oom(err, 16);
    }
    s->ops = &local_ops;
    *out = s;
    return TARN_OK;
}
