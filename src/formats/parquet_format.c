/*
 * parquet_format.c — Parquet in the format registry: option parsing around
 * src/formats/parquet (which decodes, encodes and writes atomically).
 *
 * Reader options: columns, limit and batch_size are pushed into the decoder
 * (only the projected column chunks are read and decompressed; a limit
 * stops decoding early); offset (rows to skip), verify_crc.
 * Writer options:
 *   compression      snappy (default) | zstd | gzip | brotli | lz4 | none, with ":LEVEL"
 *   row_group_size   rows ("1M" = 1,000,000 rows) or bytes when it ends in B ("128MB")
 *   page_size        bytes per data page (default 1MiB)
 *   dictionary       true (default) | false
 *   dictionary_size  a column's dictionary passing this many bytes falls back to PLAIN
 *   data_page_version 1 (default) | 2
 *   encoding         plain | delta (integers) | delta_byte_array | delta_length_byte_array
 *                    (strings) | byte_stream_split (floats); other columns stay PLAIN
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/registry.h"

int tn_parquet_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err)
{
    tn_parquet_read_options ro = {.limit = -1};
    const char *cols = tn_opts_str(o, "columns");
    int rc = tn_opts_int(o, "limit", -1, 0, INT64_MAX, &ro.limit, err);
    if (!rc)
        rc = tn_opts_int(o, "batch_size", 0, 1, INT64_MAX, &ro.batch_size, err);
    if (!rc)
        rc = tn_opts_int(o, "offset", 0, 0, INT64_MAX, &ro.offset, err);
    if (!rc)
        rc = tn_opts_bool(o, "verify_crc", false, &ro.verify_crc, err);
    if (!rc)
        rc = tn_opts_bool(o, "explain", false, &ro.explain, err);
    ro.filter = tn_opts_str(o, "where");
    if (!rc)
        rc = tn_format_check_options(self, o, false, err);
    /* the projection, split on commas; the registry reports unknown names */
    char *copy = NULL;
    const char *names[256];
    if (!rc && cols) {
        copy = tn_strdup(cols);
        if (!copy)
            rc = tn_error_oom(err, strlen(cols) + 1);
        for (char *p = copy, *save = NULL; !rc && (p = strtok_r(p, ",", &save)); p = NULL) {
            while (*p == ' ')
                p++;
            char *e = p + strlen(p);
            while (e > p && e[-1] == ' ')
                *--e = '\0';
            if (ro.n_columns == 256)
                rc = tn_error_set(err, TARN_EINVAL, "too many columns in the projection (at most 256)");
            else
                names[ro.n_columns++] = p;
        }
        ro.columns = names;
    }
    if (!rc)
        rc = tn_parquet_open_file(path, &ro, out, err);
    tn_free(copy);
    return rc;
}

/* "zstd", "gzip:9", "none" into codec and level. */
static int compression(const char *s, int *codec, int *level, tarn_error *err)
{
    static const struct {
        const char *name;
        int codec;
    } codecs[] = {{"snappy", PQ_SNAPPY}, {"zstd", PQ_ZSTD},    {"gzip", PQ_GZIP},         {"brotli", PQ_BROTLI},
                  {"lz4", PQ_LZ4_RAW},   {"lz4_raw", PQ_LZ4_RAW}, {"none", PQ_UNCOMPRESSED}, {"uncompressed", PQ_UNCOMPRESSED}};
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    *codec = -1;
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (strlen(codecs[i].name) == n && strncasecmp(s, codecs[i].name, n) == 0)
            *codec = codecs[i].codec;
    if (*codec < 0)
        return tn_error_set(err, TARN_EINVAL,
                            "option 'compression': unknown codec '%.*s' (known: snappy, zstd, gzip, brotli, lz4, none)",
                            (int)n, s);
    *level = 0;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || v < -100 || v > 100 || *codec == PQ_UNCOMPRESSED)
            return tn_error_set(err, TARN_EINVAL, "option 'compression': bad level '%s' for %.*s", colon + 1, (int)n, s);
        *level = (int)v;
    }
    return TARN_OK;
}

static int size_option(tn_opts *o, const char *key, int64_t *out, bool *is_bytes, tarn_error *err)
{
    const char *v = tn_opts_str(o, key);
    if (!v)
        return TARN_OK;
    size_t n = strlen(v);
    *is_bytes = n && (v[n - 1] == 'B' || v[n - 1] == 'b');
    int64_t x;
    if (tarn_parse_size(v, &x, err) != TARN_OK || x <= 0)
        return tn_error_set(err, TARN_EINVAL, "option '%s': expected a positive size such as 1M or 128MB, got '%s'", key,
                            v);
    *out = x;
    return TARN_OK;
}

int tn_parquet_format_write(const tn_format *self, const char *path, tn_reader *in, tn_opts *o, tarn_error *err)
{
    tn_parquet_write_options w = {.codec = PQ_SNAPPY, .dictionary = true, .page_version = 1};
    const char *c = tn_opts_str(o, "compression");
    if (c)
        TN_TRY(compression(c, &w.codec, &w.level, err));
    int64_t rg = 0;
    bool rg_bytes = false, dummy = false;
    TN_TRY(size_option(o, "row_group_size", &rg, &rg_bytes, err));
    if (rg)
        *(rg_bytes ? &w.row_group_bytes : &w.row_group_rows) = rg;
    TN_TRY(size_option(o, "page_size", &w.page_bytes, &dummy, err));
    TN_TRY(size_option(o, "dictionary_size", &w.dictionary_bytes, &dummy, err));
    TN_TRY(tn_opts_bool(o, "dictionary", true, &w.dictionary, err));
    int64_t version;
    TN_TRY(tn_opts_int(o, "data_page_version", 1, 1, 2, &version, err));
    w.page_version = (int)version;
    const char *enc = tn_opts_str(o, "encoding");
    if (enc) {
        if (!strcasecmp(enc, "plain"))
            w.encoding = 0;
        else if (!strcasecmp(enc, "delta"))
            w.encoding = PQ_DELTA_BINARY_PACKED;
        else if (!strcasecmp(enc, "delta_byte_array"))
            w.encoding = PQ_DELTA_BYTE_ARRAY;
        else if (!strcasecmp(enc, "delta_length_byte_array"))
            w.encoding = PQ_DELTA_LENGTH_BYTE_ARRAY;
        else if (!strcasecmp(enc, "byte_stream_split"))
            w.encoding = PQ_BYTE_STREAM_SPLIT;
        else
            return tn_error_set(err, TARN_EINVAL,
                                "option 'encoding': unknown '%s' (known: plain, delta, delta_byte_array, "
                                "delta_length_byte_array, byte_stream_split)",
                                enc);
    }
    TN_TRY(tn_format_check_options(self, o, true, err));
    return tn_parquet_write_file(path, in, &w, err);
}
