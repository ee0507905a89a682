/*
 * decode.c — Parquet value and level encodings, decoding into dense buffers.
 *
 * RLE/bit-packed hybrid (levels, dictionary indices, RLE booleans):
 *   run header  ULEB128 h. h & 1 = 1: bit-packed run of (h >> 1) groups of
 *               8 values, (h >> 1) * bit_width bytes, values LSB first.
 *               h & 1 = 0: RLE run of (h >> 1) copies of one value stored
 *               in ceil(bit_width / 8) little-endian bytes.
 * DELTA_BINARY_PACKED:
 *   header      ULEB block size, ULEB miniblocks per block, ULEB total
 *               count, zigzag ULEB first value.
 *   block       zigzag ULEB min delta, one bit-width byte per miniblock,
 *               then the miniblocks: (block size / miniblocks) deltas minus
 *               min delta, bit-packed LSB first at that width.
 * DELTA_LENGTH_BYTE_ARRAY: DELTA_BINARY_PACKED lengths, then the bytes.
 * DELTA_BYTE_ARRAY: DELTA_BINARY_PACKED prefix lengths, then a
 *   DELTA_LENGTH_BYTE_ARRAY of suffixes; value = prefix of previous + suffix.
 * BYTE_STREAM_SPLIT: byte j of value i is at j * (len / width) + i.
 * PLAIN: little-endian fixed width; booleans bit-packed LSB first; byte
 *   arrays as u32 LE length + bytes; INT96 as 8-byte nanoseconds of the day
 *   then 4-byte Julian day.
 *
 * Every count is bounded by the bytes that carry it or by the page's value
 * count before anything is allocated or written.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/hot.h"
#include "formats/parquet/decode.h"
#include "formats/parquet/meta.h"

void tn_pq_dense_init(pq_dense *d, int ptype, int32_t type_length)
{
    memset(d, 0, sizeof *d);
    d->ptype = ptype;
    switch (ptype) {
    case PQ_BOOLEAN: d->width = 1; break;
    case PQ_INT32: case PQ_FLOAT: d->width = 4; break;
    case PQ_INT64: case PQ_DOUBLE: case PQ_INT96: d->width = 8; break;
    case PQ_FLBA: d->width = type_length; break;
    default: d->width = 0; break;
    }
}

void tn_pq_dense_reset(pq_dense *d)
{
    tn_free(d->fixed);
    tn_free(d->offs);
    tn_free(d->data);
    int ptype = d->ptype, width = d->width;
    memset(d, 0, sizeof *d);
    d->ptype = ptype;
    d->width = width;
}

static int grow(void **p, int64_t *cap, int64_t need, size_t elem, tarn_error *err)
{
    if (need <= *cap && *p)
        return 0;
    int64_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if ((uint64_t)c > SIZE_MAX / 4 / (elem ? elem : 1))
        return tn_error_set(err, TARN_EOVERFLOW, "parquet: column chunk too large");
    void *q = tn_realloc(*p, (size_t)c * elem + 16); /* slack for 16-byte copies */
    TN_TRY_ALLOC(q, err, (size_t)c * elem);
    *p = q;
    *cap = c;
    return 0;
}

int tn_pq_dense_reserve(pq_dense *d, int64_t n, int64_t nbytes, tarn_error *err)
{
    if (d->width) {
        TN_TRY(grow((void **)&d->fixed, &d->fixed_cap, d->n + n, (size_t)d->width, err));
        return 0;
    }
    TN_TRY(grow((void **)&d->offs, &d->offs_cap, d->n + n + 1, sizeof(int64_t), err));
    if (d->n == 0)
        d->offs[0] = 0;
    return grow((void **)&d->data, &d->data_cap, d->data_len + nbytes, 1, err);
}

static int append_bytes(pq_dense *d, const uint8_t *p, int64_t n, tarn_error *err)
{
    if (d->data_len + n > d->data_cap)
        TN_TRY(grow((void **)&d->data, &d->data_cap, d->data_len + n, 1, err));
    if (n)
        memcpy(d->data + d->data_len, p, (size_t)n);
    d->data_len += n;
    d->offs[++d->n] = d->data_len;
    return 0;
}

/* --- bit unpacking ------------------------------------------------------- */

/* w (0..64) bits at bit position pos, LSB first; bytes past len read as 0. */
static inline uint64_t bits_at(const uint8_t *p, size_t len, uint64_t pos, int w)
{
    if (w == 0)
        return 0;
    size_t byte = (size_t)(pos >> 3);
    int shift = (int)(pos & 7);
    uint64_t lo = 0;
    if (byte + 8 <= len) {
        memcpy(&lo, p + byte, 8);
    } else {
        for (size_t i = 0; i < 8 && byte + i < len; i++)
            lo |= (uint64_t)p[byte + i] << (8 * i);
    }
    uint64_t v = lo >> shift;
    if (shift && shift + w > 64 && byte + 8 < len)
        v |= (uint64_t)p[byte + 8] << (64 - shift);
    return w == 64 ? v : v & ((UINT64_C(1) << w) - 1);
}

static int uleb(const uint8_t **p, const uint8_t *end, uint64_t *v, tarn_error *err)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end)
            return TN_CORRUPT(err, "parquet page: truncated varint");
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return TN_CORRUPT(err, "parquet page: varint longer than 10 bytes");
}

static int64_t unzig(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

/* --- RLE / bit-packed hybrid ----------------------------------------------- */

/* Eight values of W bits (a group of a bit-packed run, W bytes) from in,
 * which must have W + 8 readable bytes: one unaligned load per value with
 * the shifts known at compile time. */
#define UNPACK8(W)                                                                                  \
    static void unpack8_##W(const uint8_t *in, uint32_t *out)                                      \
    {                                                                                               \
        const uint64_t mask = (UINT64_C(1) << W) - 1;                                               \
        for (int k = 0; k < 8; k++) {                                                               \
            uint64_t w;                                                                             \
            memcpy(&w, in + (k * W) / 8, 8);                                                        \
            out[k] = (uint32_t)((w >> ((k * W) % 8)) & mask);                                       \
        }                                                                                           \
    }
UNPACK8(1) UNPACK8(2) UNPACK8(3) UNPACK8(4) UNPACK8(5) UNPACK8(6) UNPACK8(7) UNPACK8(8)
UNPACK8(9) UNPACK8(10) UNPACK8(11) UNPACK8(12) UNPACK8(13) UNPACK8(14) UNPACK8(15) UNPACK8(16)
UNPACK8(17) UNPACK8(18) UNPACK8(19) UNPACK8(20) UNPACK8(21) UNPACK8(22) UNPACK8(23) UNPACK8(24)
UNPACK8(25) UNPACK8(26) UNPACK8(27) UNPACK8(28) UNPACK8(29) UNPACK8(30) UNPACK8(31) UNPACK8(32)

typedef void (*unpack8_fn)(const uint8_t *in, uint32_t *out);
static const unpack8_fn unpack8[33] = {
    NULL, unpack8_1, unpack8_2, unpack8_3, unpack8_4, unpack8_5, unpack8_6, unpack8_7, unpack8_8,
    unpack8_9, unpack8_10, unpack8_11, unpack8_12, unpack8_13, unpack8_14, unpack8_15, unpack8_16,
    unpack8_17, unpack8_18, unpack8_19, unpack8_20, unpack8_21, unpack8_22, unpack8_23, unpack8_24,
    unpack8_25, unpack8_26, unpack8_27, unpack8_28, unpack8_29, unpack8_30, unpack8_31, unpack8_32};

/* Values [j, j + cnt) of a bit-packed run of width bw (avail bytes at p)
 * into out, whole groups of eight at a time where they and 8 bytes of
 * slack lie inside the run; returns how many were done (from j, which
 * must be a multiple of 8). */
static int64_t unpack_groups(const uint8_t *p, size_t avail, int bw, int64_t j, int64_t cnt, uint32_t *out)
{
    if (bw == 0 || (j & 7))
        return 0;
    unpack8_fn f = unpack8[bw];
    int64_t done = 0;
    while (cnt - done >= 8) {
        size_t at = (size_t)((j + done) / 8) * (size_t)bw;
        if (at + (size_t)bw + 8 > avail)
            break;
        f(p + at, out + done);
        done += 8;
    }
    return done;
}

#define RLE_DECODER(NAME, T)                                                                      \
    int NAME(const uint8_t *p, size_t len, int bw, T *out, int64_t n, tarn_error *err)            \
    {                                                                                             \
        if (bw < 0 || bw > 32 || (uint64_t)(T)-1 < (UINT64_C(1) << bw) - 1)                       \
            return TN_CORRUPT(err, "parquet page: RLE bit width %d", bw);                         \
        const uint8_t *end = p + len;                                                             \
        int64_t i = 0;                                                                            \
        uint64_t maxv = bw == 32 ? UINT32_MAX : (UINT64_C(1) << bw) - 1;                          \
        if ((uint64_t)(T)-1 < maxv)                                                               \
            maxv = (T)-1;                                                                         \
        while (i < n) {                                                                           \
            uint64_t h = 0;                                                                       \
            TN_TRY(uleb(&p, end, &h, err));                                                       \
            if (h & 1) {                                                                          \
                uint64_t groups = h >> 1;                                                         \
                size_t left = (size_t)(end - p);                                                  \
                uint64_t bytes = bw ? groups * (uint64_t)bw : 0;                                  \
                if (groups > (UINT64_C(1) << 40) || (bw && bytes > left && left * 8 / bw < (uint64_t)(n - i))) \
                    return TN_CORRUPT(err, "parquet page: bit-packed run past the end of its data");  \
                int64_t cnt = (int64_t)(groups * 8);                                              \
                if (cnt > n - i)                                                                  \
                    cnt = n - i;                                                                  \
                size_t avail = bytes < left ? (size_t)bytes : left;                               \
                /* bw <= width of T (checked above), so unpacked values fit T;  \
                 * whole 8-byte loads while they stay inside the run. */        \
                uint64_t mask = (UINT64_C(1) << bw) - 1;                                          \
                int64_t j = sizeof(T) == 4 ? unpack_groups(p, avail, bw, 0, cnt, (uint32_t *)(void *)(out + i)) : 0; \
                for (; j < cnt; j++) {                                                            \
                    uint64_t pos = (uint64_t)j * (uint64_t)bw;                                    \
                    if ((pos >> 3) + 8 > avail)                                                   \
                        break;                                                                    \
                    uint64_t w64;                                                                 \
                    memcpy(&w64, p + (pos >> 3), 8);                                              \
                    out[i + j] = (T)((w64 >> (pos & 7)) & mask);                                  \
                }                                                                                 \
                for (; j < cnt; j++)                                                              \
                    out[i + j] = (T)bits_at(p, avail, (uint64_t)j * (uint64_t)bw, bw);            \
                i += cnt;                                                                         \
                p += avail;                                                                       \
            } else {                                                                              \
                uint64_t cnt = h >> 1;                                                            \
                int vb = (bw + 7) / 8;                                                            \
                if (end - p < vb)                                                                 \
                    return TN_CORRUPT(err, "parquet page: truncated RLE run");                    \
                uint64_t v = 0;                                                                   \
                for (int k = 0; k < vb; k++)                                                      \
                    v |= (uint64_t)p[k] << (8 * k);                                               \
                p += vb;                                                                          \
                if (v > maxv)                                                                     \
                    return TN_CORRUPT(err, "parquet page: RLE value %llu wider than %d bits",       \
                                      (unsigned long long)v, bw);                                 \
                if (cnt > (uint64_t)(n - i))                                                      \
                    cnt = (uint64_t)(n - i);                                                      \
                for (uint64_t j = 0; j < cnt; j++)                                                \
                    out[i + (int64_t)j] = (T)v;                                                   \
                i += (int64_t)cnt;                                                                \
            }                                                                                     \
        }                                                                                         \
        return 0;                                                                                 \
    }

RLE_DECODER(tn_pq_rle_u16, uint16_t)
RLE_DECODER(tn_pq_rle_u32, uint32_t)

int tn_pq_bitpacked_levels(const uint8_t *p, size_t len, int bw, uint16_t *out, int64_t n, size_t *used,
                           tarn_error *err)
{
    if (bw < 0 || bw > 16)
        return TN_CORRUPT(err, "parquet page: BIT_PACKED level width %d", bw);
    uint64_t bits = (uint64_t)n * (uint64_t)bw;
    if ((bits + 7) / 8 > len)
        return TN_CORRUPT(err, "parquet page: BIT_PACKED levels past the end of the page");
    for (int64_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (int b = 0; b < bw; b++) {
            uint64_t pos = (uint64_t)i * (uint64_t)bw + (uint64_t)b;
            v = v << 1 | ((p[pos >> 3] >> (7 - (pos & 7))) & 1);
        }
        out[i] = (uint16_t)v;
    }
    *used = (size_t)((bits + 7) / 8);
    return 0;
}

/* --- DELTA_BINARY_PACKED ------------------------------------------------------ */

/* Decode a whole DELTA_BINARY_PACKED stream of at most max values into a new
 * array *out (tn_free) of *count values; *used is the bytes it took. */
static int dbp(const uint8_t *p, size_t len, int64_t max, int64_t **out, int64_t *count, size_t *used,
               tarn_error *err)
{
    const uint8_t *start = p, *end = p + len;
    uint64_t block = 0, nmini = 0, total = 0, first = 0;
    TN_TRY(uleb(&p, end, &block, err));
    TN_TRY(uleb(&p, end, &nmini, err));
    TN_TRY(uleb(&p, end, &total, err));
    TN_TRY(uleb(&p, end, &first, err));
    if (block == 0 || block > (1u << 20) || nmini == 0 || block % nmini || (block / nmini) % 8)
        return TN_CORRUPT(err, "parquet page: DELTA_BINARY_PACKED block of %llu with %llu miniblocks",
                          (unsigned long long)block, (unsigned long long)nmini);
    if (total > (uint64_t)max)
        return TN_CORRUPT(err, "parquet page: DELTA_BINARY_PACKED holds %llu values, more than the page's %lld",
                          (unsigned long long)total, (long long)max);
    int64_t *v = tn_malloc(((size_t)total + 1) * sizeof *v);
    TN_TRY_ALLOC(v, err, ((size_t)total + 1) * sizeof *v);
    uint64_t per = block / nmini;
    uint64_t i = 0;
    if (total > 0)
        v[i++] = unzig(first);
    int rc = 0;
    while (i < total) {
        uint64_t md = 0;
        if ((rc = uleb(&p, end, &md, err)))
            goto fail;
        uint64_t min_delta = (uint64_t)unzig(md);
        if ((uint64_t)(end - p) < nmini) {
            rc = TN_CORRUPT(err, "parquet page: truncated DELTA_BINARY_PACKED block");
            goto fail;
        }
        const uint8_t *widths = p;
        p += nmini;
        for (uint64_t m = 0; m < nmini && i < total; m++) {
            int w = widths[m];
            if (w > 64) {
                rc = TN_CORRUPT(err, "parquet page: DELTA_BINARY_PACKED bit width %d", w);
                goto fail;
            }
            size_t full = (size_t)(per * (uint64_t)w / 8), left = (size_t)(end - p);
            uint64_t cnt = total - i < per ? total - i : per;
            if ((cnt * (uint64_t)w + 7) / 8 > left) {
                rc = TN_CORRUPT(err, "parquet page: truncated DELTA_BINARY_PACKED miniblock");
                goto fail;
            }
            size_t avail = full < left ? full : left;
            for (uint64_t j = 0; j < cnt; j++, i++)
                v[i] = (int64_t)((uint64_t)v[i - 1] + min_delta + bits_at(p, avail, j * (uint64_t)w, w));
            p += avail;
        }
    }
    *out = v;
    *count = (int64_t)total;
    *used = (size_t)(p - start);
    return 0;
fail:
    tn_free(v);
    return rc;
}

static int values_dbp(pq_dense *d, const uint8_t *p, size_t len, int64_t n, tarn_error *err)
{
    if (d->ptype != PQ_INT32 && d->ptype != PQ_INT64)
        return TN_CORRUPT(err, "parquet page: DELTA_BINARY_PACKED for a non-integer column");
    int64_t *v, cnt;
    size_t used;
    TN_TRY(dbp(p, len, n, &v, &cnt, &used, err));
    int rc = 0;
    if (cnt < n)
        rc = TN_CORRUPT(err, "parquet page: DELTA_BINARY_PACKED holds %lld values, the page %lld", (long long)cnt,
                        (long long)n);
    else if (!(rc = tn_pq_dense_reserve(d, n, 0, err))) {
        if (d->ptype == PQ_INT32) {
            int32_t *o = (int32_t *)d->fixed + d->n;
            for (int64_t i = 0; i < n; i++)
                o[i] = (int32_t)(uint32_t)(uint64_t)v[i];
        } else {
            memcpy((int64_t *)d->fixed + d->n, v, (size_t)n * 8);
        }
        d->n += n;
    }
    tn_free(v);
    return rc;
}

/* DELTA_LENGTH_BYTE_ARRAY; *used gets the bytes consumed. */
static int values_dlba(pq_dense *d, const uint8_t *p, size_t len, int64_t n, size_t *used, tarn_error *err)
{
    int64_t *lens, cnt;
    size_t hdr;
    TN_TRY(dbp(p, len, n, &lens, &cnt, &hdr, err));
    int rc = 0;
    if (cnt != n) {
        rc = TN_CORRUPT(err, "parquet page: %lld lengths for %lld byte arrays", (long long)cnt, (long long)n);
        goto done;
    }
    const uint8_t *data = p + hdr;
    size_t left = len - hdr, total = 0;
    for (int64_t i = 0; i < n; i++) {
        if (lens[i] < 0 || (uint64_t)lens[i] > left - total) {
            rc = TN_CORRUPT(err, "parquet page: byte array length %lld past the end of the page", (long long)lens[i]);
            goto done;
        }
        total += (size_t)lens[i];
    }
    if ((rc = tn_pq_dense_reserve(d, n, (int64_t)total, err)))
        goto done;
    for (int64_t i = 0; i < n; i++) {
        (void)append_bytes(d, data, lens[i], err); /* reserved above: cannot fail */
        data += lens[i];
    }
    *used = hdr + total;
done:
    tn_free(lens);
    return rc;
}

static int values_dba(pq_dense *d, const uint8_t *p, size_t len, int64_t n, tarn_error *err)
{
    int64_t *pre, cnt;
    size_t hdr;
    TN_TRY(dbp(p, len, n, &pre, &cnt, &hdr, err));
    int rc = 0;
    pq_dense suf;
    tn_pq_dense_init(&suf, PQ_BYTE_ARRAY, 0);
    uint8_t *prev = NULL;
    if (cnt != n) {
        rc = TN_CORRUPT(err, "parquet page: %lld prefix lengths for %lld values", (long long)cnt, (long long)n);
        goto done;
    }
    size_t used;
    if ((rc = values_dlba(&suf, p + hdr, len - hdr, n, &used, err)))
        goto done;
    int64_t prev_len = 0, prev_cap = 0;
    bool fixed = d->ptype == PQ_FLBA;
    if (!fixed && (rc = tn_pq_dense_reserve(d, n, 0, err)))
        goto done;
    if (fixed && (rc = tn_pq_dense_reserve(d, n, 0, err)))
        goto done;
    for (int64_t i = 0; i < n; i++) {
        int64_t sl = suf.offs[i + 1] - suf.offs[i];
        if (pre[i] < 0 || pre[i] > prev_len) {
            rc = TN_CORRUPT(err, "parquet page: DELTA_BYTE_ARRAY prefix %lld longer than the previous value",
                            (long long)pre[i]);
            goto done;
        }
        int64_t vl = pre[i] + sl;
        if ((rc = grow((void **)&prev, &prev_cap, vl, 1, err)))
            goto done;
        memcpy(prev + pre[i], suf.data + suf.offs[i], (size_t)sl);
        prev_len = vl;
        if (fixed) {
            if (vl != d->width) {
                rc = TN_CORRUPT(err, "parquet page: DELTA_BYTE_ARRAY value of %lld bytes in a %d-byte column",
                                (long long)vl, d->width);
                goto done;
            }
            memcpy(d->fixed + d->n * d->width, prev, (size_t)vl);
            d->n++;
        } else if ((rc = append_bytes(d, prev, vl, err))) {
            goto done;
        }
    }
done:
    tn_free(prev);
    tn_pq_dense_reset(&suf);
    tn_free(pre);
    return rc;
}

/* --- PLAIN ----------------------------------------------------------------- */

static int plain(pq_dense *d, const uint8_t *p, size_t len, int64_t n, tarn_error *err)
{
    if (d->ptype == PQ_BYTE_ARRAY) {
        const uint8_t *q = p, *end = p + len;
        /* First pass bounds the data so one reserve suffices. */
        for (int64_t i = 0; i < n; i++) {
            if (end - q < 4)
                return TN_CORRUPT(err, "parquet page: PLAIN byte array %lld of %lld past the end of the page",
                                  (long long)i, (long long)n);
            uint32_t l;
            memcpy(&l, q, 4);
            if (l > (size_t)(end - q) - 4)
                return TN_CORRUPT(err, "parquet page: PLAIN byte array of %u bytes past the end of the page", l);
            q += 4 + l;
        }
        TN_TRY(tn_pq_dense_reserve(d, n, (int64_t)(q - p) - 4 * n, err));
        /* Reserved: copy without checks; short values as two 8-byte words
         * when 16 bytes can be read (the page) and written (the slack). */
        uint8_t *out = d->data + d->data_len;
        int64_t *offs = d->offs + d->n, pos = d->data_len;
        for (int64_t i = 0; i < n; i++) {
            uint32_t l;
            memcpy(&l, p, 4);
            if (l <= 16 && end - (p + 4) >= 16) {
                memcpy(out, p + 4, 8);
                memcpy(out + 8, p + 12, 8);
            } else if (l) {
                memcpy(out, p + 4, l);
            }
            out += l;
            pos += l;
            offs[i + 1] = pos;
            p += 4 + l;
        }
        d->data_len = pos;
        d->n += n;
        return 0;
    }
    if (d->ptype == PQ_BOOLEAN) {
        if ((uint64_t)(n + 7) / 8 > len)
            return TN_CORRUPT(err, "parquet page: %lld PLAIN booleans need more than %zu bytes", (long long)n, len);
        TN_TRY(tn_pq_dense_reserve(d, n, 0, err));
        for (int64_t i = 0; i < n; i++)
            d->fixed[d->n + i] = (p[i >> 3] >> (i & 7)) & 1;
        d->n += n;
        return 0;
    }
    int32_t w = d->ptype == PQ_INT96 ? 12 : d->width;
    if (w <= 0 || (uint64_t)n > len / (uint64_t)w)
        return TN_CORRUPT(err, "parquet page: %lld PLAIN values of %d bytes need more than %zu bytes", (long long)n,
                          w, len);
    TN_TRY(tn_pq_dense_reserve(d, n, 0, err));
    if (d->ptype == PQ_INT96) {
        int64_t *o = (int64_t *)d->fixed + d->n;
        for (int64_t i = 0; i < n; i++) {
            int64_t nanos; /* signed, as Arrow C++ and DuckDB read it */
            uint32_t jd;
            memcpy(&nanos, p + 12 * i, 8);
            memcpy(&jd, p + 12 * i + 8, 4);
            o[i] = (int64_t)((uint64_t)((int64_t)jd - 2440588) * UINT64_C(86400000000) + (uint64_t)(nanos / 1000));
        }
    } else {
        memcpy(d->fixed + d->n * w, p, (size_t)(n * w));
    }
    d->n += n;
    return 0;
}

/* --- dictionary indices ---------------------------------------------------- */

/* The largest of idx[0..n): one branch-free reduction, vectorised (the
 * AVX2 clone uses vpmaxud), so that the gather loops need no per-value
 * bounds check. */
TN_HOT static uint32_t idx_max(const uint32_t *idx, int64_t n)
{
    uint32_t m = 0;
    for (int64_t i = 0; i < n; i++)
        m = idx[i] > m ? idx[i] : m;
    return m;
}

/* Fixed-width gathers of indices already checked; the AVX2 clones may use
 * the hardware gather. */
TN_HOT static void gather4(uint32_t *restrict dst, const uint32_t *restrict src, const uint32_t *restrict idx,
                           int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        dst[i] = src[idx[i]];
}

TN_HOT static void gather8(uint64_t *restrict dst, const uint64_t *restrict src, const uint32_t *restrict idx,
                           int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        dst[i] = src[idx[i]];
}

/* Append the dictionary entries idx[0..n) to d, each index checked. */
static int gather(pq_dense *d, const uint32_t *idx, int64_t n, const pq_dense *dict, tarn_error *err)
{
    int64_t total = 0;
    uint32_t bad = 0;
    uint64_t dn = (uint64_t)dict->n;
    if (d->width) {
        bad = n > 0 && idx_max(idx, n) >= dn;
    } else {
        for (int64_t i = 0; i < n; i++) {
            uint32_t k = idx[i];
            if (k >= dn) {
                bad = 1;
                break;
            }
            total += dict->offs[k + 1] - dict->offs[k];
        }
    }
    if (bad)
        for (int64_t i = 0; i < n; i++)
            if (idx[i] >= dn)
                return TN_CORRUPT(err, "parquet page: dictionary index %u out of %lld entries", idx[i],
                                  (long long)dict->n);
    TN_TRY(tn_pq_dense_reserve(d, n, total, err));
    if (d->width) {
        int32_t w = d->width;
        uint8_t *o = d->fixed + d->n * w;
        if (w == 4) {
            gather4((uint32_t *)(void *)o, (const uint32_t *)(const void *)dict->fixed, idx, n);
        } else if (w == 8) {
            gather8((uint64_t *)(void *)o, (const uint64_t *)(const void *)dict->fixed, idx, n);
        } else {
            for (int64_t i = 0; i < n; i++)
                memcpy(o + w * i, dict->fixed + (size_t)w * idx[i], (size_t)w);
        }
        d->n += n;
        return 0;
    }
    /* Reserved above: copy without bounds checks; values of up to 16
     * bytes move as two 8-byte words (both buffers carry 16 bytes of
     * slack), longer ones with memcpy. */
    uint8_t *out = d->data + d->data_len;
    int64_t *offs = d->offs + d->n, pos = d->data_len;
    for (int64_t i = 0; i < n; i++) {
        int64_t a = dict->offs[idx[i]], vl = dict->offs[idx[i] + 1] - a;
        const uint8_t *src = dict->data + a;
        if (vl <= 16) {
            memcpy(out, src, 8);
            memcpy(out + 8, src + 8, 8);
        } else {
            memcpy(out, src, (size_t)vl);
        }
        out += vl;
        pos += vl;
        offs[i + 1] = pos;
    }
    d->data_len = pos;
    d->n += n;
    return 0;
}

static int dict_gather(pq_dense *d, const uint8_t *p, size_t len, int64_t n, const pq_dense *dict, tarn_error *err)
{
    if (!dict)
        return TN_CORRUPT(err, "parquet page: dictionary-encoded page without a dictionary page");
    if (len < 1)
        return TN_CORRUPT(err, "parquet page: dictionary indices without a bit width");
    if (n == 0)
        return 0;
    uint32_t *idx = tn_malloc((size_t)n * sizeof *idx);
    TN_TRY_ALLOC(idx, err, (size_t)n * sizeof *idx);
    int rc = tn_pq_rle_u32(p + 1, len - 1, p[0], idx, n, err);
    if (!rc)
        rc = gather(d, idx, n, dict, err);
    tn_free(idx);
    return rc;
}

/* --- BYTE_STREAM_SPLIT and RLE booleans ---------------------------------------- */

static int bss(pq_dense *d, const uint8_t *p, size_t len, int64_t n, tarn_error *err)
{
    int32_t w = d->width;
    if (d->ptype == PQ_BOOLEAN || d->ptype == PQ_BYTE_ARRAY || d->ptype == PQ_INT96 || w <= 0)
        return TN_CORRUPT(err, "parquet page: BYTE_STREAM_SPLIT for a column of another type");
    if (len % (size_t)w || (uint64_t)n > len / (uint64_t)w)
        return TN_CORRUPT(err, "parquet page: BYTE_STREAM_SPLIT of %zu bytes for %lld values of %d bytes", len,
                          (long long)n, w);
    size_t stride = len / (size_t)w;
    TN_TRY(tn_pq_dense_reserve(d, n, 0, err));
    uint8_t *o = d->fixed + d->n * w;
    for (int32_t j = 0; j < w; j++)
        for (int64_t i = 0; i < n; i++)
            o[i * w + j] = p[(size_t)j * stride + (size_t)i];
    d->n += n;
    return 0;
}

static int rle_bool(pq_dense *d, const uint8_t *p, size_t len, int64_t n, tarn_error *err)
{
    if (d->ptype != PQ_BOOLEAN)
        return TN_CORRUPT(err, "parquet page: RLE values for a non-boolean column");
    if (len < 4)
        return TN_CORRUPT(err, "parquet page: RLE booleans without a length");
    uint32_t l;
    memcpy(&l, p, 4);
    if (l > len - 4)
        return TN_CORRUPT(err, "parquet page: RLE booleans of %u bytes past the end of the page", l);
    TN_TRY(tn_pq_dense_reserve(d, n, 0, err));
    uint16_t *tmp = tn_malloc((size_t)n * 2 + 2);
    TN_TRY_ALLOC(tmp, err, (size_t)n * 2);
    int rc = tn_pq_rle_u16(p + 4, l, 1, tmp, n, err);
    if (!rc) {
        for (int64_t i = 0; i < n; i++)
            d->fixed[d->n + i] = (uint8_t)tmp[i];
        d->n += n;
    }
    tn_free(tmp);
    return rc;
}

int tn_pq_decode_values(pq_dense *d, int encoding, const uint8_t *p, size_t len, int64_t n, const pq_dense *dict,
                        tarn_error *err)
{
    size_t used;
    switch (encoding) {
    case PQ_PLAIN: return plain(d, p, len, n, err);
    case PQ_PLAIN_DICTIONARY:
    case PQ_RLE_DICTIONARY: return dict_gather(d, p, len, n, dict, err);
    case PQ_RLE: return rle_bool(d, p, len, n, err);
    case PQ_DELTA_BINARY_PACKED: return values_dbp(d, p, len, n, err);
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
        if (d->ptype != PQ_BYTE_ARRAY)
            return TN_CORRUPT(err, "parquet page: DELTA_LENGTH_BYTE_ARRAY for a non-byte-array column");
        return values_dlba(d, p, len, n, &used, err);
    case PQ_DELTA_BYTE_ARRAY:
        if (d->ptype != PQ_BYTE_ARRAY && d->ptype != PQ_FLBA)
            return TN_CORRUPT(err, "parquet page: DELTA_BYTE_ARRAY for a non-byte-array column");
        return values_dba(d, p, len, n, err);
    case PQ_BYTE_STREAM_SPLIT: return bss(d, p, len, n, err);
    default:
        return tn_error_set(err, TARN_EUNSUPPORTED, "parquet: encoding %d is not supported", encoding);
    }
}

/* --- reading values with skips (late materialization) ------------------------- */

/* The next run of an RLE/bit-packed hybrid stream. `need` bounds the
 * values still to be taken, as in the whole-stream decoder: a bit-packed
 * run may end short of its declared groups if the values wanted fit. */
static int rle_run(pq_rle *r, tarn_error *err)
{
    uint64_t h = 0;
    TN_TRY(uleb(&r->p, r->end, &h, err));
    if (h & 1) {
        uint64_t groups = h >> 1;
        size_t left = (size_t)(r->end - r->p);
        uint64_t bytes = r->bw ? groups * (uint64_t)r->bw : 0;
        if (groups > (UINT64_C(1) << 40) || (r->bw && bytes > left && left * 8 / (uint64_t)r->bw < (uint64_t)r->need))
            return TN_CORRUPT(err, "parquet page: bit-packed run past the end of its data");
        r->packed = true;
        r->run = r->p;
        r->avail = bytes < left ? (size_t)bytes : left;
        r->pos = 0;
        r->run_left = (int64_t)(groups * 8);
        r->p += r->avail;
    } else {
        int vb = (r->bw + 7) / 8;
        if (r->end - r->p < vb)
            return TN_CORRUPT(err, "parquet page: truncated RLE run");
        uint64_t v = 0;
        for (int k = 0; k < vb; k++)
            v |= (uint64_t)r->p[k] << (8 * k);
        r->p += vb;
        if (r->bw < 32 && v >> r->bw)
            return TN_CORRUPT(err, "parquet page: RLE value %llu wider than %d bits", (unsigned long long)v, r->bw);
        r->packed = false;
        r->value = (uint32_t)v;
        r->run_left = (int64_t)(h >> 1);
    }
    return 0;
}

int tn_pq_rle_init(pq_rle *r, const uint8_t *p, size_t len, int bw, int64_t n, tarn_error *err)
{
    if (bw < 0 || bw > 32)
        return TN_CORRUPT(err, "parquet page: RLE bit width %d", bw);
    *r = (pq_rle){.p = p, .end = p + len, .bw = bw, .need = n};
    return 0;
}

int tn_pq_rle_skip(pq_rle *r, int64_t n, tarn_error *err)
{
    while (n > 0) {
        if (r->run_left == 0) {
            TN_TRY(rle_run(r, err));
            continue;
        }
        int64_t m = n < r->run_left ? n : r->run_left;
        if (r->packed)
            r->pos += (uint64_t)m;
        r->run_left -= m;
        r->need -= m;
        n -= m;
    }
    return 0;
}

int tn_pq_rle_read(pq_rle *r, uint32_t *out, int64_t n, tarn_error *err)
{
    int bw = r->bw;
    uint64_t mask = bw == 32 ? UINT32_MAX : (UINT64_C(1) << bw) - 1;
    while (n > 0) {
        if (r->run_left == 0) {
            TN_TRY(rle_run(r, err));
            continue;
        }
        int64_t m = n < r->run_left ? n : r->run_left;
        if (!r->packed) {
            for (int64_t j = 0; j < m; j++)
                out[j] = r->value;
        } else {
            int64_t j = 0;
            uint64_t pos = r->pos * (uint64_t)bw;
            for (int pass = 0; pass < 2; pass++) {
                /* pass 0: up to a group boundary; then whole groups; pass 1: the rest */
                int64_t stop = pass ? m : (int64_t)((8 - (r->pos & 7)) & 7);
                stop = stop < m ? stop : m;
                for (; j < stop; j++, pos += (uint64_t)bw) {
                    if ((pos >> 3) + 8 > r->avail)
                        break;
                    uint64_t w64;
                    memcpy(&w64, r->run + (pos >> 3), 8);
                    out[j] = (uint32_t)((w64 >> (pos & 7)) & mask);
                }
                for (; j < stop; j++, pos += (uint64_t)bw)
                    out[j] = (uint32_t)bits_at(r->run, r->avail, pos, bw);
                if (!pass) {
                    int64_t g = unpack_groups(r->run, r->avail, bw, (int64_t)r->pos + j, m - j, out + j);
                    j += g;
                    pos += (uint64_t)g * (uint64_t)bw;
                }
            }
            r->pos += (uint64_t)m;
        }
        out += m;
        r->run_left -= m;
        r->need -= m;
        n -= m;
    }
    return 0;
}

int tn_pq_vreader_init(pq_vreader *v, const pq_dense *like, int encoding, const uint8_t *p, size_t len, int64_t n,
                       const pq_dense *dict, tarn_error *err)
{
    memset(v, 0, sizeof *v);
    v->encoding = encoding;
    v->ptype = like->ptype;
    v->width = like->ptype == PQ_INT96 ? 12 : like->width;
    v->p = p;
    v->end = p + len;
    v->dict = dict;
    v->left = n;
    if (encoding == PQ_PLAIN && v->ptype == PQ_BOOLEAN) {
        if ((uint64_t)(n + 7) / 8 > len)
            return TN_CORRUPT(err, "parquet page: %lld PLAIN booleans need more than %zu bytes", (long long)n, len);
        return 0;
    }
    if (encoding == PQ_PLAIN && v->ptype != PQ_BYTE_ARRAY) {
        if (v->width <= 0 || (uint64_t)n > len / (uint64_t)v->width)
            return TN_CORRUPT(err, "parquet page: %lld PLAIN values of %d bytes need more than %zu bytes",
                              (long long)n, v->width, len);
        return 0;
    }
    if (encoding == PQ_PLAIN)
        return 0;
    if (encoding == PQ_PLAIN_DICTIONARY || encoding == PQ_RLE_DICTIONARY) {
        if (!dict)
            return TN_CORRUPT(err, "parquet page: dictionary-encoded page without a dictionary page");
        if (n == 0)
            return 0;
        if (len < 1)
            return TN_CORRUPT(err, "parquet page: dictionary indices without a bit width");
        return tn_pq_rle_init(&v->rle, p + 1, len - 1, p[0], n, err);
    }
    /* Other encodings are decoded whole, then taken from. */
    v->whole = true;
    tn_pq_dense_init(&v->all, like->ptype, like->width);
    v->all.width = like->width;
    return tn_pq_decode_values(&v->all, encoding, p, len, n, dict, err);
}

void tn_pq_vreader_reset(pq_vreader *v)
{
    tn_free(v->idx);
    if (v->whole)
        tn_pq_dense_reset(&v->all);
    memset(v, 0, sizeof *v);
}

/* Past k PLAIN byte arrays from v->p, bounds checked; *q gets the end. */
static int walk_bytes(const pq_vreader *v, int64_t k, const uint8_t **q, tarn_error *err)
{
    const uint8_t *s = v->p;
    for (int64_t i = 0; i < k; i++) {
        if (v->end - s < 4)
            return TN_CORRUPT(err, "parquet page: PLAIN byte array past the end of the page");
        uint32_t l;
        memcpy(&l, s, 4);
        if (l > (size_t)(v->end - s) - 4)
            return TN_CORRUPT(err, "parquet page: PLAIN byte array of %u bytes past the end of the page", l);
        s += 4 + l;
    }
    *q = s;
    return 0;
}

int tn_pq_vreader_skip(pq_vreader *v, int64_t k, tarn_error *err)
{
    if (k <= 0)
        return 0;
    if (k > v->left)
        return TN_CORRUPT(err, "parquet page: %lld values wanted past the page's", (long long)k);
    v->left -= k;
    if (v->whole) {
        v->pos += k;
    } else if (v->encoding != PQ_PLAIN) {
        TN_TRY(tn_pq_rle_skip(&v->rle, k, err));
    } else if (v->ptype == PQ_BOOLEAN) {
        v->pos += k;
    } else if (v->ptype == PQ_BYTE_ARRAY) {
        TN_TRY(walk_bytes(v, k, &v->p, err));
    } else {
        v->p += k * v->width;
    }
    return 0;
}

int tn_pq_vreader_read(pq_vreader *v, pq_dense *d, int64_t k, tarn_error *err)
{
    if (k <= 0)
        return 0;
    if (k > v->left)
        return TN_CORRUPT(err, "parquet page: %lld values wanted past the page's", (long long)k);
    v->left -= k;
    if (v->whole) {
        const pq_dense *a = &v->all;
        if (a->width) {
            TN_TRY(tn_pq_dense_reserve(d, k, 0, err));
            memcpy(d->fixed + d->n * d->width, a->fixed + v->pos * a->width, (size_t)(k * a->width));
            d->n += k;
        } else {
            int64_t base = a->offs[v->pos], bytes = a->offs[v->pos + k] - base;
            TN_TRY(tn_pq_dense_reserve(d, k, bytes, err));
            if (bytes)
                memcpy(d->data + d->data_len, a->data + base, (size_t)bytes);
            for (int64_t i = 1; i <= k; i++)
                d->offs[d->n + i] = d->data_len + a->offs[v->pos + i] - base;
            d->data_len += bytes;
            d->n += k;
        }
        v->pos += k;
        return 0;
    }
    if (v->encoding != PQ_PLAIN) {
        if (k > v->idx_cap) {
            uint32_t *idx = tn_realloc(v->idx, (size_t)k * sizeof *idx);
            TN_TRY_ALLOC(idx, err, (size_t)k * sizeof *idx);
            v->idx = idx;
            v->idx_cap = k;
        }
        TN_TRY(tn_pq_rle_read(&v->rle, v->idx, k, err));
        return gather(d, v->idx, k, v->dict, err);
    }
    if (v->ptype == PQ_BOOLEAN) {
        TN_TRY(tn_pq_dense_reserve(d, k, 0, err));
        for (int64_t i = 0; i < k; i++) {
            int64_t b = v->pos + i;
            d->fixed[d->n + i] = (v->p[b >> 3] >> (b & 7)) & 1;
        }
        d->n += k;
        v->pos += k;
        return 0;
    }
    if (v->ptype == PQ_BYTE_ARRAY) {
        const uint8_t *q = v->p;
        TN_TRY(walk_bytes(v, k, &q, err));
        TN_TRY(plain(d, v->p, (size_t)(q - v->p), k, err));
        v->p = q;
        return 0;
    }
    TN_TRY(plain(d, v->p, (size_t)(k * v->width), k, err));
    v->p += k * v->width;
    return 0;
}
