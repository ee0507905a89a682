/*
 * remote.c — files in object stores for every format at once: a remote
 * object is read by spooling it to a temporary local file that the format's
 * reader opens, and a remote output is written locally and then uploaded
 * in one atomic put. Error messages name the URL, never the spool file.
 *
 * This trades disk for generality; formats that read ranges (Parquet) will
 * go to the store directly through tn_store_get_ranges instead.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
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
