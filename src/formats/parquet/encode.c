/*
 * encode.c — DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY
 * and BYTE_STREAM_SPLIT encoders (the layouts are described in decode.c).
 *
 * DELTA_BINARY_PACKED is written with blocks of 128 values in 4 miniblocks
 * of 32, the parameters Arrow C++ and parquet-mr use. INT32 deltas are taken
 * in 32-bit wrapping arithmetic so that no miniblock needs more than 32 bits,
 * which readers of INT32 columns require.
 */
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/encode.h"

#define BLOCK 128
#define MINIS 4
#define PER (BLOCK / MINIS)

static int uleb(tn_buf *out, uint64_t v, tarn_error *err)
{
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return tn_buf_append(out, tmp, (size_t)n, err);
}

static uint64_t zig(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static int bits_of(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

/* PER values at bit width w, LSB first: PER * w / 8 bytes. */
static int pack(const uint64_t *v, int w, tn_buf *out, tarn_error *err)
{
    uint8_t bytes[PER * 8] = {0};
    unsigned __int128 acc = 0;
    int nbits = 0, k = 0;
    for (int i = 0; i < PER; i++) {
        acc |= (unsigned __int128)v[i] << nbits;
        nbits += w;
        while (nbits >= 8) {
            bytes[k++] = (uint8_t)acc;
            acc >>= 8;
            nbits -= 8;
        }
    }
    return tn_buf_append(out, bytes, (size_t)k, err);
}

/* The values as int64 (INT32 sign-extended). */
static int64_t value_at(const uint8_t *plain, int64_t i, int width)
{
    if (width == 4) {
        int32_t x;
        memcpy(&x, plain + 4 * i, 4);
        return x;
    }
    int64_t x;
    memcpy(&x, plain + 8 * i, 8);
    return x;
}

static int dbp_values(const int64_t *v, int64_t n, int width, tn_buf *out, tarn_error *err)
{
    TN_TRY(uleb(out, BLOCK, err));
    TN_TRY(uleb(out, MINIS, err));
    TN_TRY(uleb(out, (uint64_t)n, err));
    TN_TRY(uleb(out, zig(n ? v[0] : 0), err));
    for (int64_t start = 1; start < n; start += BLOCK) {
        int64_t cnt = n - start < BLOCK ? n - start : BLOCK;
        int64_t d[BLOCK];
        int64_t min = INT64_MAX;
        for (int64_t k = 0; k < cnt; k++) {
            uint64_t diff = (uint64_t)v[start + k] - (uint64_t)v[start + k - 1];
            d[k] = width == 4 ? (int64_t)(int32_t)(uint32_t)diff : (int64_t)diff;
            if (d[k] < min)
                min = d[k];
        }
        TN_TRY(uleb(out, zig(min), err));
        uint64_t rel[BLOCK] = {0};
        uint8_t widths[MINIS] = {0};
        for (int64_t k = 0; k < cnt; k++) {
            rel[k] = width == 4 ? (uint64_t)(uint32_t)((uint64_t)d[k] - (uint64_t)min) : (uint64_t)d[k] - (uint64_t)min;
            int b = bits_of(rel[k]);
            if (b > widths[k / PER])
                widths[k / PER] = (uint8_t)b;
        }
        TN_TRY(tn_buf_append(out, widths, MINIS, err));
        for (int m = 0; m < MINIS && m * PER < cnt; m++)
            TN_TRY(pack(rel + m * PER, widths[m], out, err));
    }
    return 0;
}

int tn_pq_encode_dbp(const uint8_t *plain, int64_t n, int width, tn_buf *out, tarn_error *err)
{
    int64_t *v = tn_malloc((size_t)(n + 1) * sizeof *v);
    TN_TRY_ALLOC(v, err, (size_t)(n + 1) * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = value_at(plain, i, width);
    int rc = dbp_values(v, n, width, out, err);
    tn_free(v);
    return rc;
}

/* Lengths of n PLAIN byte arrays; *data receives the offset of each value's bytes. */
static int split_plain(const uint8_t *plain, size_t len, int64_t n, int64_t **lens, int64_t **at, tarn_error *err)
{
    *lens = tn_malloc((size_t)(n + 1) * sizeof **lens);
    *at = tn_malloc((size_t)(n + 1) * sizeof **at);
    if (!*lens || !*at) {
        tn_free(*lens);
        tn_free(*at);
        return tn_error_oom(err, (size_t)n * 16);
    }
    size_t pos = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t l = 0;
        if (pos + 4 <= len)
            memcpy(&l, plain + pos, 4);
        (*lens)[i] = l;
        (*at)[i] = (int64_t)pos + 4;
        pos += 4 + (size_t)l;
    }
    return 0;
}

int tn_pq_encode_dlba(const uint8_t *plain, size_t len, int64_t n, tn_buf *out, tarn_error *err)
{
    int64_t *lens, *at;
    TN_TRY(split_plain(plain, len, n, &lens, &at, err));
    int rc = dbp_values(lens, n, 4, out, err);
    for (int64_t i = 0; !rc && i < n; i++)
        rc = tn_buf_append(out, plain + at[i], (size_t)lens[i], err);
    tn_free(lens);
    tn_free(at);
    return rc;
}

int tn_pq_encode_dba(const uint8_t *plain, size_t len, int64_t n, tn_buf *out, tarn_error *err)
{
    int64_t *lens, *at;
    TN_TRY(split_plain(plain, len, n, &lens, &at, err));
    int64_t *pre = tn_malloc((size_t)(n + 1) * sizeof *pre), *suf = tn_malloc((size_t)(n + 1) * sizeof *suf);
    int rc = pre && suf ? 0 : tn_error_oom(err, (size_t)n * 16);
    for (int64_t i = 0; !rc && i < n; i++) {
        int64_t p = 0;
        if (i > 0) {
            int64_t lim = lens[i] < lens[i - 1] ? lens[i] : lens[i - 1];
            while (p < lim && plain[at[i] + p] == plain[at[i - 1] + p])
                p++;
        }
        pre[i] = p;
        suf[i] = lens[i] - p;
    }
    if (!rc)
        rc = dbp_values(pre, n, 4, out, err);
    if (!rc)
        rc = dbp_values(suf, n, 4, out, err);
    for (int64_t i = 0; !rc && i < n; i++)
        rc = tn_buf_append(out, plain + at[i] + pre[i], (size_t)suf[i], err);
    tn_free(pre);
    tn_free(suf);
    tn_free(lens);
    tn_free(at);
    return rc;
}

int tn_pq_encode_bss(const uint8_t *plain, int64_t n, int width, tn_buf *out, tarn_error *err)
{
    size_t total = (size_t)n * (size_t)width;
    TN_TRY(tn_buf_reserve(out, total, err));
    uint8_t *o = out->data + out->len;
    for (int j = 0; j < width; j++)
        for (int64_t i = 0; i < n; i++)
            o[(size_t)j * (size_t)n + (size_t)i] = plain[(size_t)i * (size_t)width + (size_t)j];
    out->len += total;
    return 0;
}
