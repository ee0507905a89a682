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
 *   column_compression  COL=CODEC[:LEVEL][,COL=...]   per column (top-level name or dotted leaf path)
 *   column_encoding     COL=ENCODING[,...]            PLAIN, RLE_DICTIONARY, DELTA_BINARY_PACKED, ...
 *   column_dictionary   COL=true|false[,...]
 *   bloom_filter        COL[:NDV[:FPP]][,...]         split-block bloom filters
 *   arrow_schema     true (default) | false: store the Arrow schema as ARROW:schema
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
    bool late = true;
    if (!rc)
        rc = tn_opts_bool(o, "late_materialization", true, &late, err);
    ro.no_late_materialization = !late;
    if (!rc)
        rc = tn_opts_bool(o, "serial", false, &ro.serial, err);
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

/* An encoding by its parquet.thrift name or tarn's short one. */
static int encoding_of(const char *s, size_t n, int *out)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {{"plain", PQ_PLAIN},
                 {"dictionary", PQ_RLE_DICTIONARY},
                 {"rle_dictionary", PQ_RLE_DICTIONARY},
                 {"plain_dictionary", PQ_RLE_DICTIONARY},
                 {"delta", PQ_DELTA_BINARY_PACKED},
                 {"delta_binary_packed", PQ_DELTA_BINARY_PACKED},
                 {"delta_byte_array", PQ_DELTA_BYTE_ARRAY},
                 {"delta_length_byte_array", PQ_DELTA_LENGTH_BYTE_ARRAY},
                 {"byte_stream_split", PQ_BYTE_STREAM_SPLIT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && strncasecmp(s, names[i].name, n) == 0) {
            *out = names[i].enc;
            return 0;
        }
    return -1;
}

typedef struct column_opts {
    tn_parquet_column_options *items;
    int32_t n, cap;
    char **texts;          /* copies of the option values; the column names point into them */
    size_t n_texts;
} column_opts;

static void column_opts_reset(column_opts *c)
{
    for (size_t i = 0; i < c->n_texts; i++)
        tn_free(c->texts[i]);
    tn_free(c->texts);
    tn_free(c->items);
}

static int add_column_opt(column_opts *c, tn_parquet_column_options **out, tarn_error *err)
{
    if (c->n == c->cap) {
        int32_t cap = c->cap ? c->cap * 2 : 8;
        tn_parquet_column_options *p = tn_realloc(c->items, (size_t)cap * sizeof *p);
        TN_TRY_ALLOC(p, err, (size_t)cap * sizeof *p);
        c->items = p;
        c->cap = cap;
    }
    *out = &c->items[c->n++];
    **out = (tn_parquet_column_options){.codec = -1, .encoding = -1, .dictionary = -1};
    return 0;
}

/* "COL[:NDV[:FPP]]": a bloom filter for COL sized for NDV distinct values
 * (default: each chunk's) at false-positive rate FPP (default 0.05). */
static int bloom_item(const char *key, char *item, column_opts *c, tarn_error *err)
{
    tn_parquet_column_options *co = NULL;
    TN_TRY(add_column_opt(c, &co, err));
    co->bloom = true;
    co->column = item;
    char *colon = strchr(item, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    char *fpp = strchr(colon + 1, ':');
    if (fpp)
        *fpp++ = '\0';
    int64_t ndv = 0;
    if (colon[1] && (tarn_parse_size(colon + 1, &ndv, err) != TARN_OK || ndv <= 0))
        return tn_error_set(err, TARN_EINVAL, "option '%s': column \"%s\": expected a positive number of distinct values, got '%s'",
                            key, item, colon + 1);
    co->bloom_ndv = ndv;
    if (fpp) {
        char *end;
        double p = strtod(fpp, &end);
        if (end == fpp || *end || !(p > 0 && p < 1))
            return tn_error_set(err, TARN_EINVAL, "option '%s': column \"%s\": false-positive rate '%s' is not in (0, 1)",
                                key, item, fpp);
        co->bloom_fpp = p;
    }
    return 0;
}

/* One "COL=VALUE[,COL=VALUE...]" option into column settings. The value
 * text is split in place in a copy that lives as long as c. */
static int column_option(tn_opts *o, const char *key, column_opts *c, tarn_error *err)
{
    const char *v = tn_opts_str(o, key);
    if (!v)
        return 0;
    char *copy = tn_strdup(v);
    TN_TRY_ALLOC(copy, err, strlen(v));
    char **texts = tn_realloc(c->texts, (c->n_texts + 1) * sizeof *texts);
    if (!texts) {
        tn_free(copy);
        return tn_error_oom(err, 64);
    }
    c->texts = texts;
    texts[c->n_texts++] = copy;
    for (char *item = copy, *next; item && *item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (!strcmp(key, "bloom_filter")) {
            TN_TRY(bloom_item(key, item, c, err));
            continue;
        }
        char *eq = strrchr(item, '=');
        if (!eq || eq == item || !eq[1])
            return tn_error_set(err, TARN_EINVAL, "option '%s': expected COLUMN=VALUE, got '%s'", key, item);
        *eq = '\0';
        const char *val = eq + 1;
        tn_parquet_column_options *co = NULL;
        TN_TRY(add_column_opt(c, &co, err));
        co->column = item;
        if (!strcmp(key, "column_compression")) {
            TN_TRY(compression(val, &co->codec, &co->level, err));
        } else if (!strcmp(key, "column_encoding")) {
            if (encoding_of(val, strlen(val), &co->encoding) != 0)
                return tn_error_set(err, TARN_EINVAL,
                                    "option '%s': unknown encoding '%s' for column \"%s\" (known: PLAIN, RLE_DICTIONARY, "
                                    "DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT)",
                                    key, val, item);
        } else {
            if (!strcasecmp(val, "true") || !strcmp(val, "1"))
                co->dictionary = 1;
            else if (!strcasecmp(val, "false") || !strcmp(val, "0"))
                co->dictionary = 0;
            else
                return tn_error_set(err, TARN_EINVAL, "option '%s': expected true or false for column \"%s\", got '%s'",
                                    key, item, val);
        }
    }
    return 0;
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
        if (encoding_of(enc, strlen(enc), &w.encoding) != 0 || w.encoding == PQ_RLE_DICTIONARY)
            return tn_error_set(err, TARN_EINVAL,
                                "option 'encoding': unknown '%s' (known: plain, delta, delta_byte_array, "
                                "delta_length_byte_array, byte_stream_split)",
                                enc);
    }
    bool arrow_schema;
    TN_TRY(tn_opts_bool(o, "arrow_schema", true, &arrow_schema, err));
    w.no_arrow_schema = !arrow_schema;
    column_opts cols = {0};
    int rc = column_option(o, "column_compression", &cols, err);
    if (!rc)
        rc = column_option(o, "column_encoding", &cols, err);
    if (!rc)
        rc = column_option(o, "column_dictionary", &cols, err);
    if (!rc)
        rc = column_option(o, "bloom_filter", &cols, err);
    if (!rc)
        rc = tn_format_check_options(self, o, true, err);
    w.columns = cols.items;
    w.n_columns = cols.n;
    if (!rc)
        rc = tn_parquet_write_file(path, in, &w, err);
    column_opts_reset(&cols);
    return rc;
}
