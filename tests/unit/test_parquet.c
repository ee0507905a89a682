/*
 * test_parquet.c — the Parquet reader: Thrift compact codec, level and
 * value encodings, every file of parquet-testing/data (values checked
 * against the *_expect.csv files and against sibling files holding the
 * same data with another codec or encoding), bad_data and encrypted files
 * (clean errors), projection, offset/limit/batch size, and allocation-
 * failure injection. The comparison with DuckDB is test_parquet_duckdb.c.
 */
#include <dirent.h>
#include <limits.h>

#include "formats/parquet/assemble.h"
#include "formats/parquet/decode.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/schema.h"
#include "formats/parquet/thrift.h"
#include "parquet_render.h"
#include "tn_test.h"

static char data_dir[PATH_MAX], bad_dir[PATH_MAX];

static void paths(void)
{
    const char *src = getenv("TARN_SOURCE_DIR");
    snprintf(data_dir, sizeof data_dir, "%s/../shared/parquet-testing/data", src ? src : ".");
    snprintf(bad_dir, sizeof bad_dir, "%s/../shared/parquet-testing/bad_data", src ? src : ".");
}

/* Read a whole file and render it as JSON lines into a malloc'd string. */
static int render_file(const char *path, const tn_parquet_read_options *o, char **text, int64_t *rows,
                       tarn_error *err)
{
    tn_reader *r;
    *text = NULL;
    *rows = 0;
    int rc = tn_parquet_open_file(path, o, &r, err);
    if (rc)
        return rc;
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, err)) || !b)
            break;
        if ((rc = tn_batch_check(b, err)) == 0) {
            rj_batch(f, b);
            *rows += b->length;
        }
        tn_batch_unref(b);
        if (rc)
            break;
    }
    fclose(f);
    tn_reader_free(r);
    return rc;
}

/* --- thrift ------------------------------------------------------------------ */

TEST(thrift_round_trip)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_buf b;
    tn_buf_init(&b, 0);
    tn_th_writer w;
    tn_th_writer_init(&w, &b, &err);
    CHECK_OK(tn_th_w_struct_begin(&w), &err);
    CHECK_OK(tn_th_w_i32(&w, 1, -7), &err);
    CHECK_OK(tn_th_w_i64(&w, 3, INT64_MIN), &err);
    CHECK_OK(tn_th_w_binary(&w, 40, "abc", 3), &err); /* long delta: explicit id */
    CHECK_OK(tn_th_w_bool(&w, 41, true), &err);
    CHECK_OK(tn_th_w_list(&w, 42, TN_TH_I32, 20), &err);
    for (int i = 0; i < 20; i++)
        CHECK_OK(tn_th_w_raw_i32(&w, i * 1000), &err);
    CHECK_OK(tn_th_w_struct_end(&w), &err);

    tn_th_reader r;
    tn_th_reader_init(&r, b.data, b.len, "test", &err);
    int16_t last, id;
    int type;
    int32_t v32;
    int64_t v64;
    CHECK_OK(tn_th_struct_begin(&r, &last), &err);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    CHECK_EQ_INT(id, 1);
    CHECK_OK(tn_th_i32(&r, type, &v32), &err);
    CHECK_EQ_INT(v32, -7);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    CHECK_EQ_INT(id, 3);
    CHECK_OK(tn_th_i64(&r, type, &v64), &err);
    CHECK(v64 == INT64_MIN);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    CHECK_EQ_INT(id, 40);
    const uint8_t *p;
    uint32_t n;
    CHECK_OK(tn_th_binary(&r, type, &p, &n), &err);
    CHECK(n == 3 && memcmp(p, "abc", 3) == 0);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    bool bv = false;
    CHECK_OK(tn_th_bool(&r, type, &bv), &err);
    CHECK(id == 41 && bv);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    int et;
    int32_t cnt;
    CHECK_OK(tn_th_list_begin(&r, type, &et, &cnt), &err);
    CHECK(et == TN_TH_I32 && cnt == 20);
    for (int i = 0; i < cnt; i++) {
        CHECK_OK(tn_th_i32(&r, et, &v32), &err);
        CHECK_EQ_INT(v32, i * 1000);
    }
    tn_th_list_end(&r);
    CHECK_OK(tn_th_field(&r, &last, &type, &id), &err);
    CHECK_EQ_INT(type, TN_TH_STOP);
    CHECK(r.p == r.end);

    /* Every truncation of the message is an error, never an overread. */
    for (size_t cut = 0; cut < b.len; cut++) {
        tn_th_reader_init(&r, b.data, cut, "test", &err);
        CHECK(tn_th_skip(&r, TN_TH_STRUCT) == TARN_ECORRUPT);
    }
    tn_buf_reset(&b);
}

TEST(thrift_hostile)
{
    tarn_error err;
    tarn_error_init(&err);
    tn_th_reader r;
    /* A list claiming 2^31 elements in 6 bytes. */
    const uint8_t big_list[] = {0x19, 0xf5, 0xff, 0xff, 0xff, 0x07};
    tn_th_reader_init(&r, big_list, sizeof big_list, "test", &err);
    CHECK_EQ_INT(tn_th_skip(&r, TN_TH_STRUCT), TARN_ECORRUPT);
    CHECK_MSG(&err, "list count larger than the input");
    /* A binary longer than its input. */
    const uint8_t big_bin[] = {0x18, 0x64, 'a'};
    tn_th_reader_init(&r, big_bin, sizeof big_bin, "test", &err);
    CHECK_EQ_INT(tn_th_skip(&r, TN_TH_STRUCT), TARN_ECORRUPT);
    CHECK_MSG(&err, "binary longer than the input");
    /* Structs nested 1000 deep stop at the depth limit. */
    uint8_t deep[1000];
    memset(deep, 0x1c, sizeof deep);
    tn_th_reader_init(&r, deep, sizeof deep, "test", &err);
    CHECK_EQ_INT(tn_th_skip(&r, TN_TH_STRUCT), TARN_ECORRUPT);
    CHECK_MSG(&err, "nesting deeper than 64");
    /* An 11-byte varint. */
    uint8_t var[12];
    memset(var, 0xff, sizeof var);
    var[0] = 0x15;
    tn_th_reader_init(&r, var, sizeof var, "test", &err);
    CHECK_EQ_INT(tn_th_skip(&r, TN_TH_STRUCT), TARN_ECORRUPT);
    CHECK_MSG(&err, "varint");
}

TEST(footer_minimal)
{
    /* FileMetaData{1: version 1, 2: [root{name "r", num_children 0}], 3: 0 rows, 4: []} */
    tarn_error err;
    tarn_error_init(&err);
    tn_buf b;
    tn_buf_init(&b, 0);
    tn_th_writer w;
    tn_th_writer_init(&w, &b, &err);
    CHECK_OK(tn_th_w_struct_begin(&w), &err);
    CHECK_OK(tn_th_w_i32(&w, 1, 1), &err);
    CHECK_OK(tn_th_w_list(&w, 2, TN_TH_STRUCT, 1), &err);
    CHECK_OK(tn_th_w_struct_begin(&w), &err);
    CHECK_OK(tn_th_w_binary(&w, 4, "r", 1), &err);
    CHECK_OK(tn_th_w_i32(&w, 5, 0), &err);
    CHECK_OK(tn_th_w_struct_end(&w), &err);
    CHECK_OK(tn_th_w_i64(&w, 3, 0), &err);
    CHECK_OK(tn_th_w_list(&w, 4, TN_TH_STRUCT, 0), &err);
    CHECK_OK(tn_th_w_struct_end(&w), &err);
    size_t n = b.len;
    pq_file_meta *m;
    CHECK_OK(tn_pq_meta_decode((uint8_t *)tn_buf_take(&b), n, &m, &err), &err);
    CHECK(m && m->n_schema == 1 && strcmp(m->schema[0].name, "r") == 0 && m->n_row_groups == 0);
    tn_pq_meta_free(m);
}

/* --- encodings ------------------------------------------------------------------ */

TEST(rle_hybrid)
{
    tarn_error err;
    tarn_error_init(&err);
    /* RLE run of 5 x 3 (bit width 2), then one bit-packed group of 8: 0..7 & 3 */
    const uint8_t in[] = {5 << 1, 3, 0x03, 0xe4, 0xe4};
    uint16_t out[13];
    CHECK_OK(tn_pq_rle_u16(in, sizeof in, 2, out, 13, &err), &err);
    const uint16_t want[13] = {3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3};
    CHECK(memcmp(out, want, sizeof want) == 0);
    /* Asking for more values than the runs hold is an error. */
    CHECK_EQ_INT(tn_pq_rle_u16(in, 2, 2, out, 13, &err), TARN_ECORRUPT);
    /* A value wider than the bit width. */
    const uint8_t wide[] = {2 << 1, 9};
    CHECK_EQ_INT(tn_pq_rle_u16(wide, sizeof wide, 2, out, 2, &err), TARN_ECORRUPT);
}

/* An RLE/bit-packed stream of width bw: runs of one value alternating with
 * bit-packed runs of several groups; want gets the values. */
static size_t rle_stream(int bw, uint32_t seed, uint8_t *buf, uint32_t *want, int64_t *n)
{
    size_t len = 0;
    *n = 0;
    uint64_t mask = bw == 32 ? UINT32_MAX : (UINT64_C(1) << bw) - 1;
    for (int run = 0; run < 12; run++) {
        seed = seed * 1103515245u + 12345u;
        if (run % 2 == 0) { /* RLE run */
            int cnt = 1 + (int)(seed % 21);
            uint32_t v = (uint32_t)((seed >> 3) & mask);
            buf[len++] = (uint8_t)(cnt << 1);
            for (int b = 0; b < (bw + 7) / 8; b++)
                buf[len++] = (uint8_t)(v >> (8 * b));
            for (int k = 0; k < cnt; k++)
                want[(*n)++] = v;
        } else { /* bit-packed run of 1..6 groups */
            int groups = 1 + (int)(seed % 6);
            buf[len++] = (uint8_t)(groups << 1 | 1);
            memset(buf + len, 0, (size_t)groups * (size_t)bw);
            for (int k = 0; k < groups * 8; k++) {
                seed = seed * 1103515245u + 12345u;
                uint64_t v = ((uint64_t)seed * 2654435761u >> 7) & mask;
                for (int b = 0; b < bw; b++)
                    if (v >> b & 1)
                        buf[len + (size_t)((k * bw + b) / 8)] |= (uint8_t)(1u << ((k * bw + b) % 8));
                want[(*n)++] = (uint32_t)v;
            }
            len += (size_t)groups * (size_t)bw;
        }
    }
    return len;
}

/* The stepping reader (tn_pq_rle_skip/read, used by late
 * materialization) gives the values of the whole-stream decoder for every
 * width and any pattern of skips and reads, runs cut anywhere. */
TEST(rle_cursor)
{
    tarn_error err;
    tarn_error_init(&err);
    for (int bw = 1; bw <= 32; bw++) {
        for (uint32_t seed = 1; seed < 40; seed++) {
            uint8_t buf[4096];
            uint32_t want[512], whole[512], got[512];
            int64_t n;
            size_t len = rle_stream(bw, seed * 7919u + (uint32_t)bw, buf, want, &n);
            CHECK_OK(tn_pq_rle_u32(buf, len, bw, whole, n, &err), &err);
            CHECK(memcmp(whole, want, (size_t)n * 4) == 0);
            pq_rle r;
            CHECK_OK(tn_pq_rle_init(&r, buf, len, bw, n, &err), &err);
            int64_t at = 0;
            uint32_t step = seed;
            bool same = true;
            while (at < n) {
                step = step * 1103515245u + 12345u;
                int64_t k = 1 + (int64_t)(step >> 8) % 19;
                if (k > n - at)
                    k = n - at;
                if (step & 0x10000) {
                    CHECK_OK(tn_pq_rle_skip(&r, k, &err), &err);
                } else {
                    CHECK_OK(tn_pq_rle_read(&r, got, k, &err), &err);
                    same = same && memcmp(got, want + at, (size_t)k * 4) == 0;
                }
                at += k;
            }
            if (!same)
                fprintf(stderr, "  width %d seed %u: values differ\n", bw, seed);
            CHECK(same);
            /* past the end: an error, not a read out of bounds */
            CHECK_EQ_INT(tn_pq_rle_read(&r, got, 1, &err), TARN_ECORRUPT);
        }
    }
}

TEST(delta_binary_packed)
{
    tarn_error err;
    tarn_error_init(&err);
    /* The example of the spec: 7, 5, 3, 1, 2, 3, 4, 5 with block 128 /
     * 4 miniblocks: min delta -2, deltas+2 = 0 0 0 3 3 3 3 at width 2. */
    uint8_t in[64] = {0x80, 0x01, 0x04, 0x08, 0x0e /* zigzag 7 */, 0x03 /* zigzag -2 */, 2, 0, 0, 0};
    /* 7 deltas at width 2 in a miniblock of 32 values (8 bytes): */
    uint64_t bits = 0;
    const int d[7] = {0, 0, 0, 3, 3, 3, 3};
    for (int i = 0; i < 7; i++)
        bits |= (uint64_t)d[i] << (2 * i);
    memcpy(in + 10, &bits, 8);
    pq_dense out;
    tn_pq_dense_init(&out, PQ_INT32, 0);
    CHECK_OK(tn_pq_decode_values(&out, PQ_DELTA_BINARY_PACKED, in, 18, 8, NULL, &err), &err);
    const int32_t want[8] = {7, 5, 3, 1, 2, 3, 4, 5};
    CHECK(out.n == 8 && memcmp(out.fixed, want, sizeof want) == 0);
    /* A header claiming more values than the page holds. */
    CHECK_EQ_INT(tn_pq_decode_values(&out, PQ_DELTA_BINARY_PACKED, in, 18, 4, NULL, &err), TARN_ECORRUPT);
    tn_pq_dense_reset(&out);
}

TEST(plain_byte_array_bounds)
{
    tarn_error err;
    tarn_error_init(&err);
    const uint8_t in[] = {2, 0, 0, 0, 'h', 'i', 200, 0, 0, 0, 'x'};
    pq_dense out;
    tn_pq_dense_init(&out, PQ_BYTE_ARRAY, 0);
    CHECK_OK(tn_pq_decode_values(&out, PQ_PLAIN, in, 6, 1, NULL, &err), &err);
    CHECK(out.n == 1 && out.offs[1] == 2 && memcmp(out.data, "hi", 2) == 0);
    CHECK_EQ_INT(tn_pq_decode_values(&out, PQ_PLAIN, in, sizeof in, 2, NULL, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "past the end of the page");
    tn_pq_dense_reset(&out);
}

/* Bit-packed RLE-hybrid indices: one run of n (rounded up to 8) values at
 * width bw, prefixed by the width byte of a dictionary page. */
static size_t pack_indices(uint8_t *out, const uint32_t *idx, int64_t n, int bw)
{
    int64_t groups = (n + 7) / 8;
    size_t k = 0;
    out[k++] = (uint8_t)bw;
    uint64_t h = (uint64_t)groups << 1 | 1;
    do {
        out[k++] = (uint8_t)((h & 0x7f) | (h > 0x7f ? 0x80 : 0));
        h >>= 7;
    } while (h);
    size_t bytes = (size_t)(groups * bw);
    memset(out + k, 0, bytes);
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < bw; b++)
            if (idx[i] >> b & 1) {
                int64_t bit = i * bw + b;
                out[k + (size_t)(bit >> 3)] |= (uint8_t)(1u << (bit & 7));
            }
    return k + bytes;
}

/* Dictionary gather (the fixed-width 4/8 loops and the generic one) agrees
 * with copying each entry by hand, for every fixed width and for byte
 * arrays, whole and streamed in the pieces a column with nulls reads. */
TEST(dictionary_gather_widths)
{
    tarn_error err;
    tarn_error_init(&err);
    static const struct {
        int ptype;
        int32_t len; /* FLBA type length */
    } types[] = {{PQ_INT32, 0}, {PQ_INT64, 0}, {PQ_FLOAT, 0}, {PQ_DOUBLE, 0}, {PQ_INT96, 0}, {PQ_FLBA, 1},
                 {PQ_FLBA, 2},  {PQ_FLBA, 3},  {PQ_FLBA, 5},  {PQ_FLBA, 12}, {PQ_FLBA, 16}, {PQ_BYTE_ARRAY, 0}};
    enum { NDICT = 37, MAXN = 1003 };
    static uint8_t plain[NDICT * 40], page[8 + MAXN * 4];
    static uint32_t idx[MAXN];
    uint32_t seed = 12345;
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        int pt = types[t].ptype;
        pq_dense dict;
        tn_pq_dense_init(&dict, pt, types[t].len);
        size_t plen = 0;
        for (int i = 0; i < NDICT; i++) {
            int vw = pt == PQ_BYTE_ARRAY ? i % 23 : pt == PQ_INT96 ? 12 : dict.width;
            if (pt == PQ_BYTE_ARRAY) {
                uint32_t l = (uint32_t)vw;
                memcpy(plain + plen, &l, 4);
                plen += 4;
            }
            for (int b = 0; b < vw; b++) {
                seed = seed * 1103515245u + 12345u;
                plain[plen++] = (uint8_t)(seed >> 16);
            }
        }
        CHECK_OK(tn_pq_decode_values(&dict, PQ_PLAIN, plain, plen, NDICT, NULL, &err), &err);
        const int64_t counts[] = {1, 7, 8, 9, 31, 64, MAXN};
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            int64_t n = counts[c];
            for (int64_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                idx[i] = i == n / 2 ? NDICT - 1 : (seed >> 8) % NDICT;
            }
            size_t len = pack_indices(page, idx, n, 6);
            /* Whole page, and streamed in runs of 1..5 values with gaps
             * skipped (the null-bearing reads). */
            pq_dense whole, part;
            tn_pq_dense_init(&whole, pt, types[t].len);
            tn_pq_dense_init(&part, pt, types[t].len);
            CHECK_OK(tn_pq_decode_values(&whole, PQ_RLE_DICTIONARY, page, len, n, &dict, &err), &err);
            pq_vreader v;
            CHECK_OK(tn_pq_vreader_init(&v, &part, PQ_RLE_DICTIONARY, page, len, n, &dict, &err), &err);
            bool taken[MAXN];
            for (int64_t i = 0, step = 1; i < n; step = step % 5 + 1) {
                int64_t k = step < n - i ? step : n - i;
                bool skip = (i / 3) % 4 == 3;
                if (skip)
                    CHECK_OK(tn_pq_vreader_skip(&v, k, &err), &err);
                else
                    CHECK_OK(tn_pq_vreader_read(&v, &part, k, &err), &err);
                for (int64_t j = 0; j < k; j++)
                    taken[i + j] = !skip;
                i += k;
            }
            tn_pq_vreader_reset(&v);
            CHECK(whole.n == n);
            int64_t pn = 0;
            for (int64_t i = 0; i < n; i++) {
                const uint8_t *want, *got = NULL, *pgot = NULL;
                int64_t wl, gl = -1, pl = -1;
                if (dict.width) {
                    wl = dict.width;
                    want = dict.fixed + (size_t)wl * idx[i];
                    got = whole.fixed + (size_t)wl * (size_t)i;
                    gl = wl;
                    if (taken[i]) {
                        pgot = part.fixed + (size_t)wl * (size_t)pn;
                        pl = wl;
                    }
                } else {
                    want = dict.data + dict.offs[idx[i]];
                    wl = dict.offs[idx[i] + 1] - dict.offs[idx[i]];
                    got = whole.data + whole.offs[i];
                    gl = whole.offs[i + 1] - whole.offs[i];
                    if (taken[i]) {
                        pgot = part.data + part.offs[pn];
                        pl = part.offs[pn + 1] - part.offs[pn];
                    }
                }
                CHECK(gl == wl && memcmp(got, want, (size_t)wl) == 0);
                if (taken[i]) {
                    CHECK(pl == wl && memcmp(pgot, want, (size_t)wl) == 0);
                    pn++;
                }
            }
            CHECK(part.n == pn);
            /* An index one past the dictionary, anywhere in the page. */
            idx[n - 1] = NDICT;
            len = pack_indices(page, idx, n, 6);
            CHECK_EQ_INT(tn_pq_decode_values(&whole, PQ_RLE_DICTIONARY, page, len, n, &dict, &err), TARN_ECORRUPT);
            CHECK_MSG(&err, "dictionary index 37 out of 37");
            tn_pq_dense_reset(&whole);
            tn_pq_dense_reset(&part);
        }
        tn_pq_dense_reset(&dict);
    }
}

/* --- the parquet-testing files ------------------------------------------------ */

typedef struct expect {
    const char *file;
    int64_t rows; /* -1: an error with `code` */
    int code;
    const char *msg;
} expect;

static const expect files[] = {
    {"alltypes_dictionary.parquet", 2, 0, NULL},
    {"alltypes_plain.parquet", 8, 0, NULL},
    {"alltypes_plain.snappy.parquet", 2, 0, NULL},
    {"alltypes_tiny_pages.parquet", 7300, 0, NULL},
    {"alltypes_tiny_pages_plain.parquet", 7300, 0, NULL},
    {"binary.parquet", 12, 0, NULL},
    {"binary_truncated_min_max.parquet", 12, 0, NULL},
    {"byte_array_decimal.parquet", 24, 0, NULL},
    {"byte_stream_split.zstd.parquet", 300, 0, NULL},
    {"byte_stream_split_extended.gzip.parquet", 200, 0, NULL},
    {"column_chunk_key_value_metadata.parquet", 0, 0, NULL},
    {"concatenated_gzip_members.parquet", 513, 0, NULL},
    {"data_index_bloom_encoding_stats.parquet", 14, 0, NULL},
    {"data_index_bloom_encoding_with_length.parquet", 14, 0, NULL},
    {"datapage_v1-corrupt-checksum.parquet", 5120, 0, NULL},
    {"datapage_v1-snappy-compressed-checksum.parquet", 5120, 0, NULL},
    {"datapage_v1-uncompressed-checksum.parquet", 5120, 0, NULL},
    {"datapage_v2.snappy.parquet", 5, 0, NULL},
    {"datapage_v2_empty_datapage.snappy.parquet", 1, 0, NULL},
    {"delta_binary_packed.parquet", 200, 0, NULL},
    {"delta_byte_array.parquet", 1000, 0, NULL},
    {"delta_encoding_optional_column.parquet", 100, 0, NULL},
    {"delta_encoding_required_column.parquet", 100, 0, NULL},
    {"delta_length_byte_array.parquet", 1000, 0, NULL},
    {"dict-page-offset-zero.parquet", 39, 0, NULL},
    {"fixed_length_byte_array.parquet", 1000, 0, NULL},
    {"fixed_length_decimal.parquet", 24, 0, NULL},
    {"fixed_length_decimal_legacy.parquet", 24, 0, NULL},
    {"float16_nonzeros_and_nans.parquet", 8, 0, NULL},
    {"float16_zeros_and_nans.parquet", 3, 0, NULL},
    {"floating_orders_nan_count.parquet", 50, 0, NULL},
    {"hadoop_lz4_compressed.parquet", 4, 0, NULL},
    {"hadoop_lz4_compressed_larger.parquet", 10000, 0, NULL},
    {"incorrect_map_schema.parquet", 1, 0, NULL},
    {"int32_decimal.parquet", 24, 0, NULL},
    {"int32_with_null_pages.parquet", 1000, 0, NULL},
    {"int64_decimal.parquet", 24, 0, NULL},
    {"int96_from_spark.parquet", 6, 0, NULL},
    /* Over 2 GiB of strings in one row group: read by TEST(large_strings), not rendered. */
    {"large_string_map.brotli.parquet", -2, 0, NULL},
    {"list_columns.parquet", 3, 0, NULL},
    {"lz4_raw_compressed.parquet", 4, 0, NULL},
    {"lz4_raw_compressed_larger.parquet", 10000, 0, NULL},
    {"map_no_value.parquet", 3, 0, NULL},
    {"nan_in_stats.parquet", 2, 0, NULL},
    {"nation.dict-malformed.parquet", 25, 0, NULL},
    {"nested_lists.snappy.parquet", 3, 0, NULL},
    {"nested_maps.snappy.parquet", 6, 0, NULL},
    {"nested_structs.rust.parquet", 1, 0, NULL},
    {"non_hadoop_lz4_compressed.parquet", 4, 0, NULL},
    {"nonnullable.impala.parquet", 1, 0, NULL},
    {"null_list.parquet", 1, 0, NULL},
    {"nullable.impala.parquet", 7, 0, NULL},
    {"nulls.snappy.parquet", 8, 0, NULL},
    {"old_list_structure.parquet", 1, 0, NULL},
    {"overflow_i16_page_cnt.parquet", 40000, 0, NULL},
    {"page_v2_empty_compressed.parquet", 10, 0, NULL},
    {"plain-dict-uncompressed-checksum.parquet", 1000, 0, NULL},
    {"repeated_no_annotation.parquet", 6, 0, NULL},
    {"repeated_primitive_no_list.parquet", 4, 0, NULL},
    {"rle-dict-snappy-checksum.parquet", 1000, 0, NULL},
    {"rle-dict-uncompressed-corrupt-checksum.parquet", 1000, 0, NULL},
    {"rle_boolean_encoding.parquet", 68, 0, NULL},
    {"single_nan.parquet", 1, 0, NULL},
    {"sort_columns.parquet", 6, 0, NULL},
    {"unknown-logical-type.parquet", 3, 0, NULL},
};

TEST(data_files)
{
    int n_listed = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, files[i].file);
        tarn_error err;
        tarn_error_init(&err);
        n_listed++;
        if (files[i].rows == -2)
            continue;
        char *text;
        int64_t rows;
        int rc = render_file(path, NULL, &text, &rows, &err);
        free(text);
        if (files[i].rows >= 0) {
            if (rc != 0)
                fprintf(stderr, "  %s: %s\n", files[i].file, err.message);
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(rows, files[i].rows);
            int64_t footer_rows;
            int32_t groups;
            CHECK_OK(tn_parquet_file_info(path, &footer_rows, &groups, &err), &err);
            if (strcmp(files[i].file, "repeated_no_annotation.parquet") == 0)
                footer_rows = rows; /* its writer left FileMetaData.num_rows at 0 */
            if (footer_rows != files[i].rows)
                fprintf(stderr, "  %s: footer says %lld rows\n", files[i].file, (long long)footer_rows);
            CHECK_EQ_INT(footer_rows, files[i].rows);
        } else {
            CHECK_EQ_INT(rc, files[i].code);
            CHECK_MSG(&err, files[i].msg);
        }
    }
    /* Every *.parquet file of data/ is in the table above. */
    DIR *d = opendir(data_dir);
    CHECK(d != NULL);
    int n_found = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l > 8 && strcmp(e->d_name + l - 8, ".parquet") == 0)
            n_found++;
    }
    if (d)
        closedir(d);
    CHECK_EQ_INT(n_found, n_listed);
}

/* A string column whose chunk holds more than 32-bit offsets address
 * reads as large_utf8: large_string_map.brotli (two map keys of 1 GiB of
 * 'a' each in one row group), and a small file read with the threshold
 * lowered, equal to its normal read but for the offsets. */
static void strings_past_offsets(void);

TEST(large_strings)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/large_string_map.brotli.parquet", data_dir);
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    if (!r)
        return;
    const tn_type *map = r->schema->fields[0].type;
    CHECK_EQ_INT(map->id, TN_MAP);
    CHECK_EQ_INT(map->children[0].type->children[0].type->id, TN_LARGE_STRING);
    int64_t rows = 0, total = 0;
    for (;;) {
        tn_batch *b = NULL;
        CHECK_OK(tn_reader_next(r, &b, &err), &err);
        if (!b)
            break;
        CHECK_OK(tn_batch_check(b, &err), &err);
        const tn_array *m = b->columns[0], *keys = m->children[0]->children[0];
        for (int64_t i = 0; i < b->length; i++) {
            const int32_t *o = TN_OFFSETS32(m);
            CHECK_EQ_INT(o[i + 1] - o[i], 1);
        }
        for (int64_t k = 0; k < keys->length; k++) {
            int64_t len;
            const uint8_t *p = tn_array_bytes(keys, k, &len);
            total += len;
            bool all_a = len > 0;
            for (int64_t j = 0; all_a && j < len; j += 4096) /* a sample every page */
                all_a = p[j] == 'a';
            CHECK(all_a && p[len - 1] == 'a');
        }
        rows += b->length;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(rows, 2);
    CHECK(total > INT32_MAX);

    snprintf(path, sizeof path, "%s/delta_byte_array.parquet", data_dir);
    char *plain_text, *large_text;
    int64_t n1, n2;
    CHECK_OK(render_file(path, NULL, &plain_text, &n1, &err), &err);
    tn_pq_large_threshold = 0;
    CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
    for (int32_t c = 0; r && c < r->schema->n_fields; c++)
        CHECK_EQ_INT(r->schema->fields[c].type->id, TN_LARGE_STRING);
    tn_reader_free(r);
    CHECK_OK(render_file(path, NULL, &large_text, &n2, &err), &err);
    tn_pq_large_threshold = INT32_MAX;
    CHECK_EQ_INT(n1, n2);
    CHECK(plain_text && large_text && strcmp(plain_text, large_text) == 0);
    free(plain_text);
    free(large_text);
    strings_past_offsets();
}

/* Strings past what an array with 32-bit offsets holds, with the limit
 * lowered to 3000 bytes: the row group is read in parts that each hold at
 * most that, serial or on the pool, with or without a limit, and the
 * rows are those of a normal read (DELTA_BYTE_ARRAY and dictionary
 * strings). Without late materialization (no part reading) it fails. */
static void strings_past_offsets(void)
{
    static const char *names[] = {"delta_byte_array.parquet", "rle-dict-snappy-checksum.parquet"};
    for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, names[f]);
        tarn_error err;
        for (int mode = 0; mode < 3; mode++) {
            tn_parquet_read_options o = {.limit = mode == 2 ? 700 : -1, .serial = mode == 1};
            char *want = NULL, *got = NULL;
            int64_t n1 = 0, n2 = 0;
            CHECK_OK(render_file(path, &o, &want, &n1, &err), &err);
            tn_pq_string_limit = 3000;
            int64_t batches = 0;
            tn_reader *r;
            CHECK_OK(tn_parquet_open_file(path, &o, &r, &err), &err);
            for (;;) {
                tn_batch *b = NULL;
                CHECK_OK(tn_reader_next(r, &b, &err), &err);
                if (!b)
                    break;
                CHECK_OK(tn_batch_check(b, &err), &err);
                for (int32_t c = 0; c < b->schema->n_fields; c++) {
                    const tn_array *a = b->columns[c];
                    if (a->type->id != TN_STRING && a->type->id != TN_BINARY)
                        continue;
                    const int32_t *off = TN_OFFSETS32(a);
                    CHECK(b->length == 1 || off[b->length] - off[0] <= 3000);
                }
                batches++;
                tn_batch_unref(b);
            }
            tn_reader_free(r);
            CHECK(batches > 3);
            CHECK_OK(render_file(path, &o, &got, &n2, &err), &err);
            tn_pq_string_limit = INT32_MAX;
            CHECK_EQ_INT(n1, n2);
            CHECK(want && got && strcmp(want, got) == 0);
            free(want);
            free(got);
        }
        tn_parquet_read_options eager = {.limit = -1, .no_late_materialization = true};
        tn_pq_string_limit = 3000;
        char *text = NULL;
        int64_t n = 0;
        CHECK_EQ_INT(render_file(path, &eager, &text, &n, &err), TARN_EUNSUPPORTED);
        CHECK(strstr(err.message, "32-bit offsets") != NULL);
        tn_pq_string_limit = INT32_MAX;
        free(text);
    }
}

/* data/geospatial: GEOMETRY and GEOGRAPHY columns read as binary WKB.
 * DuckDB renders them as WKT (and cannot cast them back to BLOB), so the
 * values are checked here: each WKB starts with a byte-order mark and, in
 * geospatial.parquet, has the geometry type its "wkt" sibling names. */
TEST(geospatial_files)
{
    static const struct {
        const char *file;
        int64_t rows;
    } geo[] = {
        {"crs-arbitrary-value.parquet", 1}, {"crs-default.parquet", 1},       {"crs-geography.parquet", 1},
        {"crs-projjson.parquet", 1},        {"crs-srid.parquet", 1},          {"geography-lines.parquet", 499},
        {"geography-points.parquet", 500},  {"geography-polygons.parquet", 500},
        {"geospatial-with-nan.parquet", 3}, {"geospatial.parquet", 196},
    };
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/geospatial/%s", data_dir, geo[i].file);
        tarn_error err;
        tn_reader *r;
        CHECK_OK(tn_parquet_open_file(path, NULL, &r, &err), &err);
        if (!r)
            continue;
        int32_t gcol = -1, wcol = tn_schema_find(r->schema, "wkt");
        for (int32_t c = 0; c < r->schema->n_fields; c++)
            if (strncmp(r->schema->fields[c].name, "geo", 3) == 0)
                gcol = c;
        CHECK(gcol >= 0 && r->schema->fields[gcol].type->id == TN_BINARY);
        int64_t rows = 0;
        for (;;) {
            tn_batch *b;
            CHECK_OK(tn_reader_next(r, &b, &err), &err);
            if (!b)
                break;
            for (int64_t k = 0; gcol >= 0 && k < b->length; k++) {
                if (!tn_array_is_valid(b->columns[gcol], k))
                    continue;
                int64_t n;
                const uint8_t *wkb = tn_array_bytes(b->columns[gcol], k, &n);
                CHECK(n >= 5 && (wkb[0] == 0 || wkb[0] == 1));
                if (n >= 5 && wkb[0] == 1 && wcol >= 0 && tn_array_is_valid(b->columns[wcol], k)) {
                    uint32_t type;
                    memcpy(&type, wkb + 1, 4);
                    int64_t wl;
                    const char *wkt = (const char *)tn_array_bytes(b->columns[wcol], k, &wl);
                    static const char *names[] = {"", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                                                  "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
                    const char *want = names[type % 1000 < 8 ? type % 1000 : 0];
                    if (strncmp(wkt, want, strlen(want)) != 0 || (wl > (int64_t)strlen(want) &&
                                                                   wkt[strlen(want)] != ' ')) {
                        fprintf(stderr, "%s row %lld: WKB type %u, WKT %.*s\n", geo[i].file,
                                (long long)(rows + k), type, (int)(wl < 40 ? wl : 40), wkt);
                        tn_test_failures++;
                    }
                }
            }
            rows += b->length;
            tn_batch_unref(b);
        }
        tn_reader_free(r);
        CHECK_EQ_INT(rows, geo[i].rows);
    }
}

/* Render one column of a file as a list of text values ("" for null). */
static char **column_text(const char *file, const char *column, int64_t *n)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", data_dir, file);
    const char *cols[] = {column};
    tn_parquet_read_options o = {.columns = cols, .n_columns = 1, .batch_size = 37, .limit = -1};
    tarn_error err;
    tn_reader *r;
    *n = 0;
    if (tn_parquet_open_file(path, &o, &r, &err) != 0)
        return NULL;
    char **out = NULL;
    for (;;) {
        tn_batch *b;
        if (tn_reader_next(r, &b, &err) != 0 || !b)
            break;
        out = realloc(out, (size_t)(*n + b->length) * sizeof *out);
        for (int64_t i = 0; i < b->length; i++) {
            char *s = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&s, &len);
            if (tn_array_is_valid(b->columns[0], i))
                rj_value(f, b->columns[0], i);
            fclose(f);
            if (len >= 2 && s[0] == '"') { /* strings: unquote */
                memmove(s, s + 1, len - 2);
                s[len - 2] = 0;
            }
            out[(*n)++] = s;
        }
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    return out;
}

static void free_texts(char **t, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

/* Split one CSV line (quotes, no embedded newlines) into fields; an
 * unquoted empty field is NULL. */
static int csv_fields(char *line, char **out, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        if (*p == '"') {
            char *w = ++p, *start = p;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p == '"')
                p++;
            *w = 0;
            out[n++] = start;
            if (*p != ',')
                break;
            p++;
        } else {
            char *start = p;
            while (*p && *p != ',' && *p != '\n' && *p != '\r')
                p++;
            char c = *p;
            *p = 0;
            out[n++] = p == start ? NULL : start;
            if (c != ',')
                break;
            p++;
        }
    }
    return n;
}

static void check_expect_csv(const char *file, const char *csv)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", data_dir, csv);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    static char line[1 << 16], header[1 << 16];
    char *names[256], *vals[256];
    CHECK(fgets(header, sizeof header, f) != NULL);
    int nc = csv_fields(header, names, 256);

    char ***cols = calloc((size_t)nc, sizeof *cols);
    int64_t rows = -1;
    for (int c = 0; c < nc; c++) {
        int64_t n;
        cols[c] = column_text(file, names[c], &n);
        /* The files' own names differ from their CSVs': " c_customer_id"
         * in a header, "c_customer_sk:" in a file. */
        char alt[256];
        const char *trim = names[c];
        while (*trim == ' ')
            trim++;
        if (!cols[c])
            cols[c] = column_text(file, trim, &n);
        snprintf(alt, sizeof alt, "%s:", trim);
        if (!cols[c])
            cols[c] = column_text(file, alt, &n);
        CHECK(cols[c] != NULL);
        if (rows >= 0)
            CHECK_EQ_INT(n, rows);
        rows = n;
    }
    int64_t r = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        int n = csv_fields(line, vals, 256);
        CHECK_EQ_INT(n, nc);
        for (int c = 0; c < nc && c < n && r < rows; c++) {
            const char *want = vals[c] ? vals[c] : "";
            if (cols[c] && strcmp(cols[c][r], want) != 0 && bad++ < 5) {
                fprintf(stderr, "%s row %lld column %s: got \"%s\", want \"%s\"\n", file, (long long)r, names[c],
                        cols[c][r], want);
                tn_test_failures++;
            }
        }
        r++;
    }
    CHECK_EQ_INT(r, rows);
    for (int c = 0; c < nc; c++)
        free_texts(cols[c], rows);
    free(cols);
    fclose(f);
}

TEST(expected_csv)
{
    check_expect_csv("delta_binary_packed.parquet", "delta_binary_packed_expect.csv");
    check_expect_csv("delta_byte_array.parquet", "delta_byte_array_expect.csv");
    check_expect_csv("delta_encoding_optional_column.parquet", "delta_encoding_optional_column_expect.csv");
    check_expect_csv("delta_encoding_required_column.parquet", "delta_encoding_required_column_expect.csv");
}

static void same_rendering(const char *a, const char *b)
{
    char pa[PATH_MAX * 2], pb[PATH_MAX * 2];
    snprintf(pa, sizeof pa, "%s/%s", data_dir, a);
    snprintf(pb, sizeof pb, "%s/%s", data_dir, b);
    tarn_error err;
    char *ta, *tb;
    int64_t ra, rb;
    CHECK_OK(render_file(pa, NULL, &ta, &ra, &err), &err);
    CHECK_OK(render_file(pb, NULL, &tb, &rb, &err), &err);
    CHECK(ra > 0 && ra == rb);
    CHECK(ta && tb && strcmp(ta, tb) == 0);
    free(ta);
    free(tb);
}

/* Files DuckDB cannot read are checked against siblings with the same data. */
TEST(sibling_files)
{
    same_rendering("hadoop_lz4_compressed.parquet", "lz4_raw_compressed.parquet");
    same_rendering("non_hadoop_lz4_compressed.parquet", "lz4_raw_compressed.parquet");
    same_rendering("hadoop_lz4_compressed_larger.parquet", "lz4_raw_compressed_larger.parquet");
    /* byte_stream_split_extended holds each column twice: PLAIN and BYTE_STREAM_SPLIT. */
    const char *pairs[] = {"float16", "float", "double", "int32", "int64", "flba5", "decimal"};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char plain[64], bss[64];
        snprintf(plain, sizeof plain, "%s_plain", pairs[i]);
        snprintf(bss, sizeof bss, "%s_byte_stream_split", pairs[i]);
        int64_t n1, n2;
        char **a = column_text("byte_stream_split_extended.gzip.parquet", plain, &n1);
        char **b = column_text("byte_stream_split_extended.gzip.parquet", bss, &n2);
        CHECK(a && b && n1 == 200 && n2 == 200);
        for (int64_t r = 0; a && b && r < n1 && r < n2; r++)
            if (strcmp(a[r], b[r]) != 0) {
                fprintf(stderr, "%s row %lld: %s vs %s\n", pairs[i], (long long)r, a[r], b[r]);
                tn_test_failures++;
                break;
            }
        free_texts(a, n1);
        free_texts(b, n2);
    }
}

TEST(bad_files)
{
    DIR *d = opendir(bad_dir);
    CHECK(d != NULL);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strstr(e->d_name, ".parquet"))
            continue;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", bad_dir, e->d_name);
        tarn_error err;
        tarn_error_init(&err);
        char *text;
        int64_t rows;
        int rc = render_file(path, NULL, &text, &rows, &err);
        free(text);
        n++;
        /* ARROW-GH-43605 reproduces a reader crash on a valid file (dictionary
         * page without dictionary_page_offset); it reads as DuckDB reads it. */
        if (strcmp(e->d_name, "ARROW-GH-43605.parquet") == 0) {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(rows, 21186);
            continue;
        }
        if (rc != TARN_ECORRUPT)
            fprintf(stderr, "  %s: %s %s\n", e->d_name, tarn_status_name(rc), err.message);
        CHECK_EQ_INT(rc, TARN_ECORRUPT);
        CHECK(strlen(err.message) > 10 && !strchr(err.message, '\n'));
    }
    if (d)
        closedir(d);
    CHECK_EQ_INT(n, 8);
}

static void check_encrypted_dir(const char *dir, int *n)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 18 || strcmp(e->d_name + l - 18, ".parquet.encrypted") != 0)
            continue;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        tarn_error err;
        tarn_error_init(&err);
        tn_reader *r = NULL;
        CHECK_EQ_INT(tn_parquet_open_file(path, NULL, &r, &err), TARN_EUNSUPPORTED);
        CHECK_MSG(&err, "encrypted Parquet is not supported");
        CHECK(r == NULL);
        (*n)++;
    }
    if (d)
        closedir(d);
}

TEST(encrypted_files)
{
    int n = 0;
    check_encrypted_dir(data_dir, &n);
    char aes[PATH_MAX + 16];
    snprintf(aes, sizeof aes, "%s/aes256", data_dir);
    check_encrypted_dir(aes, &n);
    CHECK_EQ_INT(n, 13);
}

TEST(open_errors)
{
    tarn_error err;
    tn_reader *r;
    CHECK_EQ_INT(tn_parquet_open_file("/nonexistent/x.parquet", NULL, &r, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "/nonexistent/x.parquet");
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/delta_binary_packed_expect.csv", data_dir);
    CHECK_EQ_INT(tn_parquet_open_file(path, NULL, &r, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "not a Parquet file");
    snprintf(path, sizeof path, "%s/alltypes_plain.parquet", data_dir);
    const char *cols[] = {"id", "nope"};
    tn_parquet_read_options o = {.columns = cols, .n_columns = 2, .limit = -1};
    CHECK_EQ_INT(tn_parquet_open_file(path, &o, &r, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "no column named \"nope\"");
    /* Truncated copies of a good file fail cleanly at every length. */
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static uint8_t buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    for (size_t cut = 0; cut < n; cut += 7) {
        if (tn_parquet_open_memory(buf, cut, "cut", NULL, &r, &err) == 0) {
            tn_batch *b;
            while (tn_reader_next(r, &b, &err) == 0 && b)
                tn_batch_unref(b);
            tn_reader_free(r);
        }
    }
}

TEST(projection_offset_limit)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/alltypes_tiny_pages_plain.parquet", data_dir);
    const char *cols[] = {"string_col", "id"};
    tn_parquet_read_options o = {.columns = cols, .n_columns = 2, .batch_size = 1000, .offset = 2500, .limit = 3000};
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(path, &o, &r, &err), &err);
    if (!r)
        return;
    CHECK_EQ_INT(r->schema->n_fields, 2);
    CHECK_STR(r->schema->fields[0].name, "string_col");
    CHECK_STR(r->schema->fields[1].name, "id");
    int64_t rows = 0, batches = 0;
    int32_t first_id = -1, last_id = -1;
    for (;;) {
        tn_batch *b;
        CHECK_OK(tn_reader_next(r, &b, &err), &err);
        if (!b)
            break;
        CHECK(b->length <= 1000);
        CHECK_OK(tn_batch_check(b, &err), &err);
        const tn_array *id = b->columns[1];
        if (first_id < 0)
            first_id = TN_VALUES(id, int32_t)[0];
        last_id = TN_VALUES(id, int32_t)[b->length - 1];
        rows += b->length;
        batches++;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    CHECK_EQ_INT(rows, 3000);
    CHECK(batches >= 3);
    /* Reading everything once gives the ids at the same positions. */
    int64_t n;
    char **ids = column_text("alltypes_tiny_pages_plain.parquet", "id", &n);
    CHECK(ids && n == 7300);
    if (ids && n == 7300) {
        CHECK_EQ_INT(first_id, atoi(ids[2500]));
        CHECK_EQ_INT(last_id, atoi(ids[5499]));
    }
    free_texts(ids, n);
}

/* Render row i of array a (a struct's field when field >= 0) as JSON. */
static char *value_text(const tn_array *a, int64_t i, int field)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (field >= 0 && !tn_array_is_valid(a, i))
        fputs("null", f);
    else if (field >= 0)
        rj_value(f, a->children[field], a->offset + i);
    else
        rj_value(f, a, i);
    fclose(f);
    return s;
}

/* "s.f" selects field f of struct column s: null where s is null, else s's
 * field, for every row. */
static void check_path(const char *file, const char *top, int field, const char *path)
{
    char fpath[PATH_MAX * 2];
    snprintf(fpath, sizeof fpath, "%s/%s", data_dir, file);
    const char *cols[] = {top, path};
    tn_parquet_read_options o = {.columns = cols, .n_columns = 2, .limit = -1, .batch_size = 3};
    tarn_error err;
    tn_reader *r;
    CHECK_OK(tn_parquet_open_file(fpath, &o, &r, &err), &err);
    if (!r)
        return;
    CHECK_STR(r->schema->fields[1].name, path);
    CHECK(tn_type_equals(r->schema->fields[1].type, r->schema->fields[0].type->children[field].type));
    int64_t rows = 0;
    for (;;) {
        tn_batch *b;
        CHECK_OK(tn_reader_next(r, &b, &err), &err);
        if (!b)
            break;
        CHECK_OK(tn_batch_check(b, &err), &err);
        for (int64_t i = 0; i < b->length; i++) {
            char *want = value_text(b->columns[0], i, field), *got = value_text(b->columns[1], i, -1);
            if (strcmp(want, got) != 0) {
                fprintf(stderr, "%s %s row %lld: %s vs %s\n", file, path, (long long)(rows + i), got, want);
                tn_test_failures++;
            }
            free(want);
            free(got);
        }
        rows += b->length;
        tn_batch_unref(b);
    }
    CHECK(rows > 0);
    tn_reader_free(r);
}

TEST(nested_projection)
{
    check_path("nullable.impala.parquet", "nested_struct", 0, "nested_struct.A");
    check_path("nullable.impala.parquet", "nested_struct", 1, "nested_struct.b");
    check_path("nullable.impala.parquet", "nested_struct", 3, "nested_struct.g");
    check_path("nested_structs.rust.parquet", "PC_CUR", 2, "PC_CUR.mean");
    /* The struct under a struct, and paths that do not exist. */
    char fpath[PATH_MAX * 2];
    snprintf(fpath, sizeof fpath, "%s/nullable.impala.parquet", data_dir);
    const char *bad[] = {"nested_struct.C.x", "nested_struct.", "nested_struct.b.element", "nope.A"};
    for (int i = 0; i < 4; i++) {
        tn_parquet_read_options o = {.columns = &bad[i], .n_columns = 1, .limit = -1};
        tarn_error err;
        tn_reader *r;
        CHECK_EQ_INT(tn_parquet_open_file(fpath, &o, &r, &err), TARN_ENOTFOUND);
        CHECK_MSG(&err, bad[i]);
    }
    const char *deep[] = {"nested_struct.C.d"};
    tn_parquet_read_options o = {.columns = deep, .n_columns = 1, .limit = -1};
    char *text;
    int64_t rows;
    tarn_error err;
    CHECK_OK(render_file(fpath, &o, &text, &rows, &err), &err);
    CHECK_EQ_INT(rows, 7);
    free(text);
}

/* Lines [from, from + n) of a rendering, as a new string. */
static char *lines_of(const char *text, int64_t from, int64_t n)
{
    const char *p = text;
    for (int64_t i = 0; i < from && p && *p; i++)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    const char *e = p;
    for (int64_t i = 0; i < n && e && *e; i++)
        e = strchr(e, '\n') ? strchr(e, '\n') + 1 : NULL;
    if (!p)
        return strdup("");
    return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

/* offset/limit stop decoding inside row groups (flat, nested and repeated
 * columns, many small pages): the rows equal that slice of a full read. */
TEST(limit_inside_row_groups)
{
    const char *names[] = {"alltypes_tiny_pages.parquet", "nested_lists.snappy.parquet", "nested_maps.snappy.parquet",
                           "repeated_no_annotation.parquet", "nullable.impala.parquet", "delta_byte_array.parquet",
                           "list_columns.parquet", "datapage_v2.snappy.parquet", "int32_with_null_pages.parquet"};
    const int64_t offsets[] = {0, 0, 1, 2, 0, 999};
    const int64_t limits[] = {1, 2, 1, 3, 0, 4000};
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, names[f]);
        tarn_error err;
        char *full;
        int64_t total;
        CHECK_OK(render_file(path, NULL, &full, &total, &err), &err);
        for (size_t k = 0; full && k < sizeof limits / sizeof limits[0]; k++) {
            tn_parquet_read_options o = {.offset = offsets[k], .limit = limits[k], .batch_size = 2};
            char *got;
            int64_t rows;
            CHECK_OK(render_file(path, &o, &got, &rows, &err), &err);
            int64_t want_rows = total - offsets[k] < limits[k] ? total - offsets[k] : limits[k];
            if (want_rows < 0)
                want_rows = 0;
            CHECK_EQ_INT(rows, want_rows);
            char *want = lines_of(full, offsets[k], limits[k]);
            if (!got || strcmp(got, want) != 0) {
                fprintf(stderr, "%s offset %lld limit %lld differs\n", names[f], (long long)offsets[k],
                        (long long)limits[k]);
                tn_test_failures++;
            }
            free(want);
            free(got);
        }
        free(full);
    }
}

TEST(page_crc)
{
    static const struct {
        const char *file;
        int code;
    } cases[] = {
        {"datapage_v1-uncompressed-checksum.parquet", 0},
        {"datapage_v1-snappy-compressed-checksum.parquet", 0},
        {"plain-dict-uncompressed-checksum.parquet", 0},
        {"rle-dict-snappy-checksum.parquet", 0},
        {"datapage_v1-corrupt-checksum.parquet", TARN_ECORRUPT},
        {"rle-dict-uncompressed-corrupt-checksum.parquet", TARN_ECORRUPT},
    };
    tn_parquet_read_options o = {.limit = -1, .verify_crc = true};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, cases[i].file);
        tarn_error err;
        tarn_error_init(&err);
        char *text;
        int64_t rows;
        int rc = render_file(path, &o, &text, &rows, &err);
        free(text);
        CHECK_EQ_INT(rc, cases[i].code);
        if (cases[i].code)
            CHECK_MSG(&err, "page CRC mismatch");
    }
}

static int read_all(void *ctx, tarn_error *err)
{
    tn_reader *r;
    TN_TRY(tn_parquet_open_file((const char *)ctx, NULL, &r, err));
    int rc;
    for (;;) {
        tn_batch *b;
        if ((rc = tn_reader_next(r, &b, err)) || !b)
            break;
        tn_batch_unref(b);
    }
    tn_reader_free(r);
    return rc;
}

TEST(alloc_failures)
{
    const char *names[] = {"alltypes_plain.snappy.parquet", "nested_lists.snappy.parquet", "nested_maps.snappy.parquet",
                           "delta_byte_array.parquet", "byte_array_decimal.parquet"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", data_dir, names[i]);
        CHECK(tn_test_alloc_failures(names[i], read_all, path) > 10);
    }
}

int main(void)
{
    paths();
    RUN(thrift_round_trip);
    RUN(thrift_hostile);
    RUN(footer_minimal);
    RUN(rle_hybrid);
    RUN(rle_cursor);
    RUN(delta_binary_packed);
    RUN(plain_byte_array_bounds);
    RUN(dictionary_gather_widths);
    RUN(data_files);
    RUN(geospatial_files);
    RUN(large_strings);
    RUN(expected_csv);
    RUN(sibling_files);
    RUN(bad_files);
    RUN(encrypted_files);
    RUN(open_errors);
    RUN(projection_offset_limit);
    RUN(page_crc);
    RUN(limit_inside_row_groups);
    RUN(nested_projection);
    RUN(alloc_failures);
    return tn_test_done();
}
