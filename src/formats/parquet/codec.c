/*
 * codec.c — Parquet page decompression over the system libraries: snappy,
 * zlib (GZIP, with concatenated members), lz4 (LZ4 with Hadoop framing,
 * falling back to a bare block as some writers produce, and LZ4_RAW), zstd
 * and brotli. The decompressed size is known from the page header, so every
 * codec writes into a buffer of exactly that size and a mismatch is an
 * error.
 *
 * Hadoop LZ4 framing: repeated [u32 BE uncompressed size][u32 BE compressed
 * size][LZ4 block].
 */
#include <brotli/decode.h>
#include <limits.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <string.h>
#include <zstd.h>

#include "formats/parquet/codec.h"
#include "formats/parquet/meta.h"

const char *tn_pq_codec_name(int codec)
{
    static const char *names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < 8 ? names[codec] : "unknown";
}

static int fail(tarn_error *err, int codec, const char *why)
{
    return TN_CORRUPT(err, "parquet page: %s decompression failed: %s", tn_pq_codec_name(codec), why);
}

static int gzip(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_n, tarn_error *err)
{
    z_stream z = {0};
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return tn_error_oom(err, 1 << 16);
    z.next_in = (Bytef *)src;
    z.next_out = dst;
    size_t in_left = n, out_left = dst_n;
    int rc;
    for (;;) {
        uInt ai = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
        uInt ao = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
        z.avail_in = ai;
        z.avail_out = ao;
        rc = inflate(&z, Z_NO_FLUSH);
        in_left -= ai - z.avail_in;
        out_left -= ao - z.avail_out;
        if (rc == Z_STREAM_END) {
            if (in_left == 0 || inflateReset(&z) != Z_OK)
                break; /* else: the next of concatenated gzip members */
            continue;
        }
        if (rc != Z_OK)
            break;
        if (ai == z.avail_in && ao == z.avail_out) {
            rc = Z_BUF_ERROR;
            break;
        }
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || in_left != 0)
        return fail(err, PQ_GZIP, z.msg ? z.msg : "truncated or malformed stream");
    if (out_left != 0)
        return fail(err, PQ_GZIP, "output shorter than the page size");
    return 0;
}

static bool hadoop_lz4(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_n)
{
    size_t out = 0;
    while (n > 0) {
        if (n < 8)
            return false;
        uint32_t ulen = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 | (uint32_t)src[2] << 8 | src[3];
        uint32_t clen = (uint32_t)src[4] << 24 | (uint32_t)src[5] << 16 | (uint32_t)src[6] << 8 | src[7];
        src += 8;
        n -= 8;
        if (clen > n || ulen > dst_n - out || clen > INT_MAX || ulen > INT_MAX)
            return false;
        int got = LZ4_decompress_safe((const char *)src, (char *)dst + out, (int)clen, (int)ulen);
        if (got < 0 || (uint32_t)got != ulen)
            return false;
        out += ulen;
        src += clen;
        n -= clen;
    }
    return out == dst_n;
}

static int lz4_raw(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_n, tarn_error *err)
{
    if (n > INT_MAX || dst_n > INT_MAX)
        return fail(err, codec, "page larger than 2 GiB");
    int got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_n);
    if (got < 0)
        return fail(err, codec, "malformed block");
    if ((size_t)got != dst_n)
        return fail(err, codec, "output shorter than the page size");
    return 0;
}

int tn_pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_n, tarn_error *err)
{
    switch (codec) {
    case PQ_UNCOMPRESSED:
        if (n != dst_n)
            return TN_CORRUPT(err, "parquet page: uncompressed page of %zu bytes declares %zu", n, dst_n);
        if (n)
            memcpy(dst, src, n);
        return 0;
    case PQ_SNAPPY: {
        size_t len;
        if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK)
            return fail(err, codec, "malformed header");
        if (len != dst_n)
            return fail(err, codec, "output size differs from the page size");
        if (snappy_uncompress((const char *)src, n, (char *)dst, &len) != SNAPPY_OK || len != dst_n)
            return fail(err, codec, "malformed stream");
        return 0;
    }
    case PQ_GZIP:
        return gzip(src, n, dst, dst_n, err);
    case PQ_BROTLI: {
        size_t len = dst_n;
        if (BrotliDecoderDecompress(n, src, &len, dst) != BROTLI_DECODER_RESULT_SUCCESS)
            return fail(err, codec, "malformed stream");
        if (len != dst_n)
            return fail(err, codec, "output shorter than the page size");
        return 0;
    }
    case PQ_LZ4:
        if (hadoop_lz4(src, n, dst, dst_n))
            return 0;
        return lz4_raw(codec, src, n, dst, dst_n, err);
    case PQ_LZ4_RAW:
        return lz4_raw(codec, src, n, dst, dst_n, err);
    case PQ_ZSTD: {
        size_t got = ZSTD_decompress(dst, dst_n, src, n);
        if (ZSTD_isError(got))
            return fail(err, codec, ZSTD_getErrorName(got));
        if (got != dst_n)
            return fail(err, codec, "output shorter than the page size");
        return 0;
    }
    default:
        return tn_error_set(err, TARN_EUNSUPPORTED, "parquet: compression codec %s (%d) is not supported",
                            tn_pq_codec_name(codec), codec);
    }
}
