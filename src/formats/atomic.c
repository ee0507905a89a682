/*
 * atomic.c — temporary file + rename for whole-file writes (atomic.h).
 * The temporary is named ".<name>.tmp-XXXXXX" beside the target so that the
 * rename stays within one file system and listing tools skip it.
 */
#include "formats/atomic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"

int tn_atomic_open(tn_atomic_file *a, const char *path, tarn_error *err)
{
    memset(a, 0, sizeof *a);
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    a->path = tn_strdup(path);
    a->tmp = tn_sprintf("%.*s.%s.tmp-XXXXXX", dir_len, path, path + dir_len);
    if (!a->path || !a->tmp) {
        tn_atomic_abort(a);
        return tn_error_oom(err, strlen(path) * 2 + 16);
    }
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        tn_free(a->tmp), a->tmp = NULL;
        tn_atomic_abort(a);
        return tn_error_set(err, e == ENOENT ? TARN_ENOTFOUND : e == EACCES ? TARN_EPERM : TARN_EIO,
                            "cannot create %s: %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600; give it the mode a plain create would */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int e = errno;
        close(fd);
        tn_atomic_abort(a);
        return tn_error_set(err, TARN_EIO, "cannot create %s: %s", path, strerror(e));
    }
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        close(fd);
        tn_atomic_abort(a);
        return tn_error_set(err, TARN_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    return TARN_OK;
}

int tn_atomic_commit(tn_atomic_file *a, tarn_error *err)
{
    int rc = TARN_OK;
    if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0)
        rc = tn_error_set(err, TARN_EIO, "writing %s: %s", a->path, strerror(errno));
    if (fclose(a->f) != 0 && rc == TARN_OK)
        rc = tn_error_set(err, TARN_EIO, "writing %s: %s", a->path, strerror(errno));
    a->f = NULL;
    if (rc == TARN_OK && rename(a->tmp, a->path) != 0)
        rc = tn_error_set(err, TARN_EIO, "renaming into %s: %s", a->path, strerror(errno));
    if (rc != TARN_OK) {
        tn_atomic_abort(a);
        return rc;
    }
    tn_free(a->tmp);
    tn_free(a->path);
    a->tmp = a->path = NULL;
    return TARN_OK;
}

void tn_atomic_abort(tn_atomic_file *a)
{
    if (a->f)
        fclose(a->f);
    if (a->tmp)
        unlink(a->tmp);
    tn_free(a->tmp);
    tn_free(a->path);
    memset(a, 0, sizeof *a);
}
