/*
 * source.c — file and memory byte sources with gzip and zstd decoding.
 *
 * A source is two layers: the raw bytes (a file descriptor read in 256 KiB
 * pieces, or a caller's buffer) and an optional codec that inflates them.
 * Compression AUTO looks at the extension first (.gz, .gzip, .zst, .zstd)
 * and then at the first bytes: 1f 8b is gzip, 28 b5 2f fd is zstd.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "core/alloc.h"
#include "formats/csv/source.h"

#define RAW_CHUNK (256 * 1024)

struct tn_source {
    int fd;                 /* -1 for memory */
    const uint8_t *mem;     /* memory source */
    size_t mem_len, mem_pos;
    tn_compression codec;
    uint8_t *raw;           /* codec input buffer (file sources) */
    size_t raw_len, raw_pos;
    bool raw_eof;
    z_stream z;
    bool z_init, z_end;     /* z_end: the last member ended */
    ZSTD_DStream *zs;
    char *path;
    bool own_raw;           /* raw was allocated here (file sources) */
};

static void *z_alloc(void *opaque, unsigned items, unsigned size) { return tn_calloc(items, size); }
static void z_free(void *opaque, void *p) { tn_free(p); }
static void *zs_alloc(void *opaque, size_t size) { return tn_malloc(size); }
static void zs_free(void *opaque, void *p) { tn_free(p); }

/* Fill raw (file) or point it at the next piece of memory. */
static int raw_fill(tn_source *s, tarn_error *err)
{
    if (s->fd < 0) {
        s->raw = (uint8_t *)s->mem;
        s->raw_len = s->mem_len;
        s->raw_pos = s->mem_pos;
        s->raw_eof = true;
        return TARN_OK;
    }
    if (s->raw_pos < s->raw_len || s->raw_eof)
        return TARN_OK;
    ssize_t k;
    do
        k = read(s->fd, s->raw, RAW_CHUNK);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return tn_error_set(err, TARN_EIO, "%s: read failed: %s", s->path, strerror(errno));
    s->raw_len = (size_t)k;
    s->raw_pos = 0;
    s->raw_eof = k == 0;
    return TARN_OK;
}

static int codec_init(tn_source *s, tarn_error *err)
{
    if (s->codec == TN_COMPRESSION_GZIP) {
        memset(&s->z, 0, sizeof s->z);
        s->z.zalloc = z_alloc;
        s->z.zfree = z_free;
        int rc = inflateInit2(&s->z, 15 + 32);
        if (rc != Z_OK)
            return rc == Z_MEM_ERROR ? tn_error_oom(err, 7 * 1024) : tn_error_set(err, TARN_EINTERNAL, "inflateInit2 failed");
        s->z_init = true;
    } else if (s->codec == TN_COMPRESSION_ZSTD) {
        ZSTD_customMem mem = {zs_alloc, zs_free, NULL};
        s->zs = ZSTD_createDStream_advanced(mem);
        if (!s->zs)
            return tn_error_oom(err, 100 * 1024);
    }
    return TARN_OK;
}

static tn_compression sniff_codec(const char *path, const uint8_t *p, size_t n)
{
    if (path) {
        const char *dot = strrchr(path, '.');
        if (dot && (!strcasecmp(dot, ".gz") || !strcasecmp(dot, ".gzip")))
            return TN_COMPRESSION_GZIP;
        if (dot && (!strcasecmp(dot, ".zst") || !strcasecmp(dot, ".zstd")))
            return TN_COMPRESSION_ZSTD;
    }
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return TN_COMPRESSION_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return TN_COMPRESSION_ZSTD;
    return TN_COMPRESSION_NONE;
}

static int finish_open(tn_source *s, tn_compression c, tn_source **out, tarn_error *err)
{
    int rc = TARN_OK;
    if (c == TN_COMPRESSION_AUTO) {
        if ((rc = raw_fill(s, err)) != TARN_OK)
            goto fail;
        c = sniff_codec(s->fd >= 0 ? s->path : NULL, s->raw + s->raw_pos, s->raw_len - s->raw_pos);
    }
    s->codec = c;
    if ((rc = codec_init(s, err)) != TARN_OK)
        goto fail;
    *out = s;
    return TARN_OK;
fail:
    tn_source_free(s);
    return rc;
}

int tn_source_open_file(const char *path, tn_compression c, tn_source **out, tarn_error *err)
{
    *out = NULL;
    tn_source *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->fd = -1;
    s->path = tn_strdup(path);
    s->raw = tn_malloc(RAW_CHUNK);
    s->own_raw = s->raw != NULL;
    if (!s->path || !s->raw) {
        tn_source_free(s);
        return tn_error_oom(err, RAW_CHUNK);
    }
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        tn_source_free(s);
        return tn_error_set(err, e == ENOENT ? TARN_ENOTFOUND : TARN_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    return finish_open(s, c, out, err);
}

int tn_source_open_memory(const void *data, int64_t size, tn_compression c, tn_source **out, tarn_error *err)
{
    *out = NULL;
    tn_source *s = tn_calloc(1, sizeof *s);
    TN_TRY_ALLOC(s, err, sizeof *s);
    s->fd = -1;
    s->mem = data;
    s->mem_len = size > 0 ? (size_t)size : 0;
    return finish_open(s, c, out, err);
}

static int read_plain(tn_source *s, uint8_t *buf, size_t cap, size_t *got, tarn_error *err)
{
    if (s->fd < 0) {
        size_t k = s->mem_len - s->mem_pos < cap ? s->mem_len - s->mem_pos : cap;
        if (k)
            memcpy(buf, s->mem + s->mem_pos, k);
        s->mem_pos += k;
        *got = k;
        return TARN_OK;
    }
    /* bytes sniffed by AUTO first */
    if (s->raw_pos < s->raw_len) {
        size_t k = s->raw_len - s->raw_pos < cap ? s->raw_len - s->raw_pos : cap;
        memcpy(buf, s->raw + s->raw_pos, k);
        s->raw_pos += k;
        *got = k;
        return TARN_OK;
    }
    ssize_t k;
    do
        k = read(s->fd, buf, cap);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return tn_error_set(err, TARN_EIO, "%s: read failed: %s", s->path, strerror(errno));
    *got = (size_t)k;
    return TARN_OK;
}

static void raw_consumed(tn_source *s, size_t pos)
{
    s->raw_pos = pos;
    if (s->fd < 0)
        s->mem_pos = pos;
}

static const char *src_name(const tn_source *s) { return s->path ? s->path : "input"; }

static int read_gzip(tn_source *s, uint8_t *buf, size_t cap, size_t *got, tarn_error *err)
{
    *got = 0;
    while (*got == 0) {
        TN_TRY(raw_fill(s, err));
        size_t avail = s->raw_len - s->raw_pos;
        if (avail == 0 && s->raw_eof) {
            if (!s->z_end && s->z.total_in > 0)
                return TN_CORRUPT(err, "%s: gzip stream is truncated", src_name(s));
            return TARN_OK;
        }
        if (s->z_end) {
            /* another gzip member follows */
            if (inflateReset(&s->z) != Z_OK)
                return tn_error_set(err, TARN_EINTERNAL, "inflateReset failed");
            s->z_end = false;
        }
        s->z.next_in = s->raw + s->raw_pos;
        s->z.avail_in = (uInt)(avail > UINT32_MAX ? UINT32_MAX : avail);
        s->z.next_out = buf;
        s->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        raw_consumed(s, (size_t)(s->z.next_in - s->raw));
        *got = (size_t)(s->z.next_out - buf);
        if (rc == Z_STREAM_END)
            s->z_end = true;
        else if (rc == Z_MEM_ERROR)
            return tn_error_oom(err, 32 * 1024);
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return TN_CORRUPT(err, "%s: gzip data is corrupt at compressed byte %lu: %s", src_name(s),
                              (unsigned long)s->z.total_in, s->z.msg ? s->z.msg : "inflate failed");
        else if (rc == Z_BUF_ERROR && *got == 0 && s->raw_eof && s->raw_pos == s->raw_len)
            return TN_CORRUPT(err, "%s: gzip stream is truncated", src_name(s));
    }
    return TARN_OK;
}

static int read_zstd(tn_source *s, uint8_t *buf, size_t cap, size_t *got, tarn_error *err)
{
    *got = 0;
    while (*got == 0) {
        TN_TRY(raw_fill(s, err));
        size_t avail = s->raw_len - s->raw_pos;
        if (avail == 0 && s->raw_eof) {
            if (!s->z_end && s->z_init)
                return TN_CORRUPT(err, "%s: zstd stream is truncated", src_name(s));
            return TARN_OK;
        }
        ZSTD_inBuffer in = {s->raw, s->raw_len, s->raw_pos};
        ZSTD_outBuffer o = {buf, cap, 0};
        size_t rc = ZSTD_decompressStream(s->zs, &o, &in);
        raw_consumed(s, in.pos);
        if (ZSTD_isError(rc)) {
            if (ZSTD_getErrorCode(rc) == ZSTD_error_memory_allocation)
                return tn_error_oom(err, 128 * 1024);
            return TN_CORRUPT(err, "%s: zstd data is corrupt: %s", src_name(s), ZSTD_getErrorName(rc));
        }
        s->z_init = true; /* some input went in: a frame is open unless rc == 0 */
        s->z_end = rc == 0;
        *got = o.pos;
        if (o.pos == 0 && in.pos == avail && s->raw_eof && rc != 0)
            return TN_CORRUPT(err, "%s: zstd stream is truncated", src_name(s));
    }
    return TARN_OK;
}

int tn_source_read(tn_source *s, uint8_t *buf, size_t cap, size_t *got, tarn_error *err)
{
    switch (s->codec) {
    case TN_COMPRESSION_GZIP:
        return read_gzip(s, buf, cap, got, err);
    case TN_COMPRESSION_ZSTD:
        return read_zstd(s, buf, cap, got, err);
    default:
        return read_plain(s, buf, cap, got, err);
    }
}

void tn_source_free(tn_source *s)
{
    if (!s)
        return;
    if (s->z_init && s->codec == TN_COMPRESSION_GZIP)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    if (s->fd >= 0)
        close(s->fd);
    if (s->own_raw)
        tn_free(s->raw);
    tn_free(s->path);
    tn_free(s);
}
