/*
 * codec_write.c — page compression for the writer: snappy, gzip (zlib
 * deflate with a gzip header), brotli, zstd and LZ4_RAW (a bare LZ4 block).
 * The compressed bytes are appended to a tn_buf.
 */
#include <brotli/encode.h>
#include <limits.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/parquet/codec.h"
#include "formats/parquet/meta.h"

static int cfail(tarn_error *err, int codec)
{
    return tn_error_set(err, TARN_EINTERNAL, "parquet writer: %s compression failed", tn_pq_codec_name(codec));
}

int tn_pq_compress(int codec, int level, const uint8_t *src, size_t n, tn_buf *out, tarn_error *err)
{
    size_t bound;
    switch (codec) {
    case PQ_UNCOMPRESSED:
        return tn_buf_append(out, src, n, err);
    case PQ_SNAPPY: {
        bound = snappy_max_compressed_length(n);
        TN_TRY(tn_buf_reserve(out, bound, err));
        size_t len = bound;
        if (snappy_compress((const char *)src, n, (char *)out->data + out->len, &len) != SNAPPY_OK)
            return cfail(err, codec);
        out->len += len;
        return 0;
    }
    case PQ_GZIP: {
        z_stream z = {0};
        if (deflateInit2(&z, level > 0 && level <= 9 ? level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return tn_error_oom(err, 1 << 18);
        bound = deflateBound(&z, (uLong)n);
        int rc = tn_buf_reserve(out, bound, err);
        if (rc) {
            deflateEnd(&z);
            return rc;
        }
        if (n > UINT_MAX || bound > UINT_MAX) {
            deflateEnd(&z);
            return tn_error_set(err, TARN_EOVERFLOW, "parquet writer: page larger than 4 GiB");
        }
        z.next_in = (Bytef *)src;
        z.avail_in = (uInt)n;
        z.next_out = out->data + out->len;
        z.avail_out = (uInt)bound;
        rc = deflate(&z, Z_FINISH);
        size_t len = bound - z.avail_out;
        deflateEnd(&z);
        if (rc != Z_STREAM_END)
            return cfail(err, codec);
        out->len += len;
        return 0;
    }
    case PQ_BROTLI: {
        bound = BrotliEncoderMaxCompressedSize(n);
        if (!bound)
            bound = n + 1024;
        TN_TRY(tn_buf_reserve(out, bound, err));
        size_t len = bound;
        if (!BrotliEncoderCompress(level > 0 && level <= 11 ? level : 5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n,
                                   src, &len, out->data + out->len))
            return cfail(err, codec);
        out->len += len;
        return 0;
    }
    case PQ_ZSTD: {
        bound = ZSTD_compressBound(n);
        TN_TRY(tn_buf_reserve(out, bound, err));
        size_t len = ZSTD_compress(out->data + out->len, bound, src, n, level ? level : 3);
        if (ZSTD_isError(len))
            return cfail(err, codec);
        out->len += len;
        return 0;
    }
    case PQ_LZ4_RAW: {
        if (n > LZ4_MAX_INPUT_SIZE)
            return tn_error_set(err, TARN_EOVERFLOW, "parquet writer: page too large for LZ4");
        bound = (size_t)LZ4_compressBound((int)n);
        TN_TRY(tn_buf_reserve(out, bound, err));
        int len = LZ4_compress_default((const char *)src, (char *)out->data + out->len, (int)n, (int)bound);
        if (len <= 0 && n > 0)
            return cfail(err, codec);
        out->len += (size_t)len;
        return 0;
    }
    default:
        return tn_error_set(err, TARN_EUNSUPPORTED, "parquet writer: codec %s is not supported",
                            tn_pq_codec_name(codec));
    }
}
