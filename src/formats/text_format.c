/*
 * text_format.c — CSV and JSON Lines as output formats of the registry:
 * the printer (src/arrow/print.c) writes into a temporary file that is
 * renamed over the target when complete, so a failed write leaves nothing.
 *
 * Writer options: compression (auto/none/gzip/zstd, optionally :LEVEL;
 * auto, the default, takes the codec from a .gz/.gzip/.zst/.zstd suffix);
 * for CSV also delimiter (one character, default ','; a .tsv target, even
 * data.tsv.gz, defaults to TAB) and header (true/false, default true).
 *
 * Compressed output is a stream: the printer writes into a FILE made with
 * fopencookie whose write function deflates (gzip, one member) or
 * zstd-compresses (one frame) into the temporary file in 256 KiB pieces,
 * so memory stays bounded whatever the size of the output.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include "arrow/print.h"
#include "core/alloc.h"
#include "formats/atomic.h"
#include "formats/registry.h"

typedef enum { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD } text_codec;

#define ZOUT (256 * 1024)

typedef struct zwriter {
    FILE *out; /* the temporary file */
    text_codec codec;
    z_stream z;
    ZSTD_CCtx *zc;
    uint8_t *buf; /* ZOUT bytes of compressed output */
    bool failed;
    char why[160]; /* the first failure, for the message */
} zwriter;

static void *z_alloc(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    return tn_calloc(items, size);
}
static void z_free(void *opaque, void *p)
{
    (void)opaque;
    tn_free(p);
}

static int fail(zwriter *w, const char *why)
{
    if (!w->failed)
        snprintf(w->why, sizeof w->why, "%s", why);
    w->failed = true;
    errno = EIO;
    return -1;
}

static int put(zwriter *w, size_t n)
{
    if (n && fwrite(w->buf, 1, n, w->out) != n) {
        int e = errno;
        fail(w, strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

/* Compress n bytes of src (end: finish the stream). */
static int zw_compress(zwriter *w, const char *src, size_t n, bool end)
{
    if (w->failed)
        return fail(w, w->why);
    if (w->codec == CODEC_GZIP) {
        w->z.next_in = (Bytef *)(uintptr_t)src;
        w->z.avail_in = (uInt)n;
        for (;;) {
            w->z.next_out = w->buf;
            w->z.avail_out = ZOUT;
            int rc = deflate(&w->z, end ? Z_FINISH : Z_NO_FLUSH);
            if (rc == Z_STREAM_ERROR)
                return fail(w, "gzip: deflate failed");
            if (put(w, ZOUT - w->z.avail_out))
                return -1;
            if (end ? rc == Z_STREAM_END : w->z.avail_in == 0 && w->z.avail_out != 0)
                return 0;
        }
    }
    ZSTD_inBuffer in = {src, n, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->buf, ZOUT, 0};
        size_t left = ZSTD_compressStream2(w->zc, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) {
            char why[160];
            snprintf(why, sizeof why, "zstd: %s", ZSTD_getErrorName(left));
            return fail(w, why);
        }
        if (put(w, out.pos))
            return -1;
        if (end ? left == 0 : in.pos == in.size && out.pos < out.size)
            return 0;
    }
}

static ssize_t zw_write(void *cookie, const char *src, size_t n)
{
    /* in pieces zlib's 32-bit counts take */
    for (size_t done = 0; done < n;) {
        size_t k = n - done > (1u << 30) ? (1u << 30) : n - done;
        if (zw_compress(cookie, src + done, k, false))
            return -1;
        done += k;
    }
    return (ssize_t)n;
}

/* Finish the stream into the temporary; frees the codec state. */
static int zw_close(void *cookie)
{
    zwriter *w = cookie;
    int rc = zw_compress(w, NULL, 0, true);
    if (w->codec == CODEC_GZIP)
        deflateEnd(&w->z);
    else
        ZSTD_freeCCtx(w->zc);
    tn_free(w->buf);
    w->buf = NULL;
    return rc;
}

static int zw_open(zwriter *w, FILE *out, text_codec codec, int level, FILE **f, tarn_error *err)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->codec = codec;
    w->buf = tn_malloc(ZOUT);
    TN_TRY_ALLOC(w->buf, err, ZOUT);
    if (codec == CODEC_GZIP) {
        w->z.zalloc = z_alloc;
        w->z.zfree = z_free;
        /* 15 + 16: a gzip header and trailer around the deflate stream */
        if (deflateInit2(&w->z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK) {
            tn_free(w->buf);
            return tn_error_set(err, TARN_ENOMEM, "gzip: cannot start a stream");
        }
    } else {
        w->zc = ZSTD_createCCtx();
        if (!w->zc || ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level ? level : 3))) {
            ZSTD_freeCCtx(w->zc);
            tn_free(w->buf);
            return tn_error_set(err, TARN_ENOMEM, "zstd: cannot start a stream");
        }
    }
    cookie_io_functions_t io = {.write = zw_write, .close = zw_close};
    *f = fopencookie(w, "w", io);
    if (!*f) {
        zw_close(w);
        return tn_error_set(err, TARN_ENOMEM, "cannot open a compressing stream");
    }
    setvbuf(*f, NULL, _IOFBF, 1 << 16);
    return TARN_OK;
}

/* The .gz/.zst suffix of path, if any. */
static text_codec codec_of_name(const char *path, size_t *suffix)
{
    static const struct {
        const char *ext;
        text_codec codec;
    } sfx[] = {{".gz", CODEC_GZIP}, {".gzip", CODEC_GZIP}, {".zst", CODEC_ZSTD}, {".zstd", CODEC_ZSTD}};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        size_t k = strlen(sfx[i].ext);
        if (n > k && strcasecmp(path + n - k, sfx[i].ext) == 0) {
            *suffix = k;
            return sfx[i].codec;
        }
    }
    *suffix = 0;
    return CODEC_NONE;
}

/* The compression option: auto (by name), none, gzip or zstd, with an
 * optional :LEVEL (gzip 1..9, zstd 1..19). */
static int parse_codec(const char *s, const char *path, text_codec *codec, int *level, tarn_error *err)
{
    size_t sfx;
    text_codec by_name = codec_of_name(path, &sfx);
    *level = 0;
    if (!s || strcasecmp(s, "auto") == 0) {
        *codec = by_name;
        return TARN_OK;
    }
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    if (n == 4 && strncasecmp(s, "none", 4) == 0)
        *codec = CODEC_NONE;
    else if (n == 4 && strncasecmp(s, "gzip", 4) == 0)
        *codec = CODEC_GZIP;
    else if (n == 4 && strncasecmp(s, "zstd", 4) == 0)
        *codec = CODEC_ZSTD;
    else
        return tn_error_set(err, TARN_EINVAL, "option 'compression': unknown codec '%.*s' (known: auto, none, gzip, zstd)",
                            (int)n, s);
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        int max = *codec == CODEC_GZIP ? 9 : 19;
        if (*codec == CODEC_NONE || end == colon + 1 || *end || v < 1 || v > max)
            return tn_error_set(err, TARN_EINVAL, "option 'compression': bad level '%s' for %.*s", colon + 1, (int)n, s);
        *level = (int)v;
    }
    /* plain text under a compressed name, or the other codec's name: the
     * file would not read back as its name says */
    if (by_name != CODEC_NONE && *codec != by_name)
        return tn_error_set(err, TARN_EINVAL, "%s: option 'compression' is %.*s but the name ends in %s", path,
                            (int)n, s, path + strlen(path) - sfx);
    return TARN_OK;
}

int tn_text_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err)
{
    tn_print_options po;
    tn_print_options_init(&po);
    po.format = strcmp(self->name, "csv") == 0 ? TN_PRINT_CSV : TN_PRINT_JSONL;
    text_codec codec = CODEC_NONE;
    int level = 0;
    TN_TRY(parse_codec(tn_opts_str(o, "compression"), path, &codec, &level, err));
    if (po.format == TN_PRINT_CSV) {
        size_t sfx;
        codec_of_name(path, &sfx);
        size_t n = strlen(path) - sfx;
        if (n > 4 && strncasecmp(path + n - 4, ".tsv", 4) == 0)
            po.delimiter = '\t';
        const char *d = tn_opts_str(o, "delimiter");
        if (d && strlen(d) != 1)
            return tn_error_set(err, TARN_EINVAL, "option 'delimiter': expected one character, got '%s'", d);
        if (d)
            po.delimiter = d[0];
        TN_TRY(tn_opts_bool(o, "header", true, &po.header, err));
    }
    TN_TRY(tn_format_check_options(self, o, true, err));
    tn_atomic_file f;
    TN_TRY(tn_atomic_open(&f, path, err));
    zwriter zw;
    FILE *out = f.f, *zf = NULL;
    int rc = TARN_OK;
    if (codec != CODEC_NONE) {
        rc = zw_open(&zw, f.f, codec, level, &zf, err);
        out = zf;
    }
    if (rc == TARN_OK)
        rc = tn_print_file(out, in, &po, err);
    if (zf) {
        /* finishes the stream (the gzip trailer, the zstd frame end) */
        bool closed = fclose(zf) == 0;
        if (rc == TARN_OK && !closed)
            rc = tn_error_set(err, TARN_EIO, "writing output: %s", zw.failed ? zw.why : strerror(errno));
    }
    if (rc != TARN_OK) {
        if (zf && zw.failed)
            rc = tn_error_set(err, TARN_EIO, "writing output: %s", zw.why);
        tn_atomic_abort(&f);
        tn_error_prefix(err, "writing %s: ", path);
        return rc;
    }
    return tn_atomic_commit(&f, err);
}
