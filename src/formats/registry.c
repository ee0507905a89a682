/*
 * registry.c — the formats tarn reads and writes, and the generic entry
 * points over them (tarn_read, tarn_write, tarn_print, tarn_format_from_path).
 *
 * Options common to every reader are applied here, around the format's own
 * reader, by one "shaping" reader: columns (projection, in the order asked),
 * limit (rows) and batch_size (re-slices larger batches). A format that can
 * do better (Parquet skipping column chunks) may consume these keys itself
 * before the registry sees them; the registry then leaves them alone.
 */
#include "formats/registry.h"

#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arrow/c_data.h"
#include "arrow/print.h"
#include "core/alloc.h"
#include "formats/remote.h"

/* --- the table ------------------------------------------------------------ */

static const char *const no_keys[] = {NULL};
static const char *const ipc_write_keys[] = {"compression", NULL};
static const char *const csv_write_keys[] = {"delimiter", "header", "compression", NULL};
static const char *const jsonl_write_keys[] = {"compression", NULL};
static const char *const ipc_ext[] = {".arrow", ".feather", ".ipc", NULL};
static const char *const ipc_stream_ext[] = {".arrows", NULL};
static const char *const csv_ext[] = {".csv", ".tsv", NULL};
static const char *const jsonl_ext[] = {".jsonl", ".ndjson", ".json", NULL};
static const char *const csv_read_keys[] = {"delimiter", "quote", "escape", "header", "comment", "skip",
                                            "null", "trim", "on_error", "reject_file", "schema", "types",
                                            "compression", "sample_rows", "max_row_bytes", "decimal_inference",
                                            "decimal_separator", "date_format", "timestamp_format", NULL};
static const char *const parquet_ext[] = {".parquet", ".pq", NULL};
static const char *const parquet_read_keys[] = {"offset", "verify_crc", "where", "explain", "late_materialization", "serial", NULL};
static const char *const parquet_write_keys[] = {"compression", "row_group_size", "page_size", "dictionary",
                                                 "dictionary_size", "data_page_version", "encoding",
                                                 "column_compression", "column_encoding", "column_dictionary",
                                                 "arrow_schema", "bloom_filter", NULL};
static const char *const json_read_keys[] = {"json_format", "on_error", "reject_file", "schema", "types",
                                             "compression", "sample_rows", "max_row_bytes", "max_depth",
                                             "decimal_inference", NULL};

static const tn_format formats[] = {
    {"ipc", ipc_ext, no_keys, ipc_write_keys, tn_ipc_format_open, tn_ipc_format_write,
     "Arrow IPC file (Feather v2)"},
    {"ipc_stream", ipc_stream_ext, no_keys, ipc_write_keys, tn_ipc_format_open, tn_ipc_format_write,
     "Arrow IPC stream"},
    {"csv", csv_ext, csv_read_keys, csv_write_keys, tn_csv_format_open, tn_text_format_write,
     "comma-separated values (RFC 4180)"},
    {"jsonl", jsonl_ext, json_read_keys, jsonl_write_keys, tn_json_format_open, tn_text_format_write, "JSON Lines, one object per row"},
    {"parquet", parquet_ext, parquet_read_keys, parquet_write_keys, tn_parquet_format_open, tn_parquet_format_write,
     "Apache Parquet"},
};

#define N_FORMATS ((int)(sizeof formats / sizeof formats[0]))

static const char *const common_read_keys[] = {"format", "columns", "limit", "batch_size", NULL};
static const char *const common_write_keys[] = {"format", NULL};
static const char *const print_keys[] = {"format", "max_rows", "max_width", "max_col_width", "delimiter",
                                         "header", NULL};

const tn_format *tn_format_at(int i)
{
    return i >= 0 && i < N_FORMATS ? &formats[i] : NULL;
}

const tn_format *tn_format_by_name(const char *name)
{
    for (int i = 0; i < N_FORMATS; i++)
        if (strcasecmp(formats[i].name, name) == 0)
            return &formats[i];
    return NULL;
}

/* Compression suffixes the text readers undo themselves (formats/csv/source.c
 * picks the codec from the same suffix or from the magic bytes). */
static const char *const codec_suffixes[] = {".gz", ".gzip", ".zst", ".zstd", NULL};

static bool takes_compressed_input(const tn_format *f)
{
    return f->open == tn_csv_format_open || f->open == tn_json_format_open;
}

/* Length of the codec suffix ending path[0..n), 0 when there is none. */
static size_t codec_suffix_length(const char *path, size_t n)
{
    for (const char *const *c = codec_suffixes; *c; c++) {
        size_t m = strlen(*c);
        if (n > m && strcasecmp(path + n - m, *c) == 0)
            return m;
    }
    return 0;
}

/* The format whose extension ends path[0..n); with compressed set, only
 * formats that read compressed text. */
static const tn_format *format_by_extension(const char *path, size_t n, bool compressed)
{
    for (int i = 0; i < N_FORMATS; i++) {
        if (compressed && !takes_compressed_input(&formats[i]))
            continue;
        for (const char *const *e = formats[i].extensions; *e; e++) {
            size_t m = strlen(*e);
            if (n > m && strncasecmp(path + n - m, *e, m) == 0)
                return &formats[i];
        }
    }
    return NULL;
}

const tn_format *tn_format_by_path(const char *path)
{
    size_t n = strlen(path);
    const tn_format *f = format_by_extension(path, n, false);
    size_t codec = f ? 0 : codec_suffix_length(path, n);
    return codec ? format_by_extension(path, n - codec, true) : f;
}

bool tn_path_is_compressed(const char *path)
{
    return codec_suffix_length(path, strlen(path)) > 0;
}

static int format_list(tn_buf *b, tarn_error *err)
{
    for (int i = 0; i < N_FORMATS; i++)
        TN_TRY(tn_buf_printf(b, err, "%s%s", i ? ", " : "", formats[i].name));
    return TARN_OK;
}

int tn_format_check_options(const tn_format *f, const tn_opts *o, bool writing, tarn_error *err)
{
    const char *known[32];
    int n = 0;
    for (const char *const *k = writing ? common_write_keys : common_read_keys; *k && n < 31; k++)
        known[n++] = *k;
    for (const char *const *k = writing ? f->write_keys : f->read_keys; *k && n < 31; k++)
        known[n++] = *k;
    known[n] = NULL;
    char what[64];
    snprintf(what, sizeof what, "%s format %s", writing ? "writing" : "reading", f->name);
    return tn_opts_check(o, what, known, err);
}

/* The format named by the "format" option, else by the path's extension. */
static int pick(const char *path, tn_opts *o, const tn_format **out, tarn_error *err)
{
    const char *name = tn_opts_str(o, "format");
    *out = name ? tn_format_by_name(name) : tn_format_by_path(path);
    if (*out)
        return TARN_OK;
    tn_buf list;
    tn_buf_init(&list, 0);
    int rc = format_list(&list, err);
    if (rc == TARN_OK && name)
        rc = tn_error_set(err, TARN_EINVAL, "unknown format '%s' (known: %s)", name, (char *)list.data);
    else if (rc == TARN_OK)
        rc = tn_error_set(err, TARN_EINVAL, "cannot tell the format of %s from its name; give the format (%s)", path,
                          (char *)list.data);
    tn_buf_reset(&list);
    return rc;
}

/* --- the shaping reader: columns, limit, batch_size ------------------------ */

typedef struct shaped {
    tn_reader base;
    tn_reader *in;
    int32_t *cols;      /* projection: source column of each output column; NULL = all */
    int64_t left;       /* rows still to give; -1 = no limit */
    int64_t batch_size; /* 0 = as they come */
    tn_batch *cur;      /* the batch being handed out in slices */
    int64_t cur_at;
} shaped;

static void shaped_destroy(tn_reader *r)
{
    shaped *s = (shaped *)r;
    tn_reader_free(s->in);
    tn_batch_unref(s->cur);
    tn_free(s->cols);
    tn_free(s);
}

static int project(shaped *s, tn_batch *b, tn_batch **out, tarn_error *err)
{
    if (!s->cols) {
        *out = tn_batch_ref(b);
        return TARN_OK;
    }
    tn_batch *p = tn_batch_new(s->base.schema, b->length);
    TN_TRY_ALLOC(p, err, sizeof *p);
    for (int32_t j = 0; j < s->base.schema->n_fields; j++)
        p->columns[j] = tn_array_ref(b->columns[s->cols[j]]);
    *out = p;
    return TARN_OK;
}

static int shaped_next(tn_reader *r, tn_batch **out, tarn_error *err)
{
    shaped *s = (shaped *)r;
    *out = NULL;
    while (s->left != 0) {
        if (!s->cur) {
            tn_batch *b;
            TN_TRY(tn_reader_next(s->in, &b, err));
            if (!b)
                return TARN_OK;
            int rc = project(s, b, &s->cur, err);
            tn_batch_unref(b);
            TN_TRY(rc);
            s->cur_at = 0;
        }
        int64_t n = s->cur->length - s->cur_at;
        if (s->batch_size > 0 && n > s->batch_size)
            n = s->batch_size;
        if (s->left >= 0 && n > s->left)
            n = s->left;
        if (n == 0 && s->cur->length > 0) { /* nothing left of this batch */
            tn_batch_unref(s->cur);
            s->cur = NULL;
            continue;
        }
        tn_batch *piece = s->cur_at == 0 && n == s->cur->length ? tn_batch_ref(s->cur)
                                                                 : tn_batch_slice(s->cur, s->cur_at, n);
        TN_TRY_ALLOC(piece, err, sizeof *piece);
        s->cur_at += n;
        if (s->left > 0)
            s->left -= n;
        if (s->cur_at >= s->cur->length) {
            tn_batch_unref(s->cur);
            s->cur = NULL;
        }
        *out = piece;
        return TARN_OK;
    }
    return TARN_OK;
}

/* Resolve "a,b,c" against the schema of in; unknown names fail with
 * TARN_ENOTFOUND and the closest existing name. */
static int projection(const char *path, const tn_schema *sc, const char *list, int32_t **cols, int32_t *n,
                      tarn_error *err)
{
    int32_t cap = 1;
    for (const char *c = list; *c; c++)
        cap += *c == ',';
    *cols = tn_malloc(sizeof(int32_t) * (size_t)cap);
    TN_TRY_ALLOC(*cols, err, sizeof(int32_t) * (size_t)cap);
    *n = 0;
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ')
            p++, len--;
        while (len && p[len - 1] == ' ')
            len--;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        int32_t at = len ? tn_schema_find(sc, name) : -1;
        if (at < 0) {
            const char *names[256];
            int64_t nn = 0;
            for (int32_t j = 0; j < sc->n_fields && nn < 256; j++)
                names[nn++] = sc->fields[j].name;
            const char *near = tn_closest(name, names, nn);
            int rc = len == 0 ? tn_error_set(err, TARN_EINVAL, "empty column name in columns '%s'", list)
                              : tn_error_set(err, TARN_ENOTFOUND, "column '%s' not found in %s%s%s%s", name, path,
                                             near ? " (closest: '" : "", near ? near : "", near ? "')" : "");
            tn_free(*cols), *cols = NULL;
            return rc;
        }
        for (int32_t k = 0; k < *n; k++) {
            if ((*cols)[k] == at) {
                tn_free(*cols), *cols = NULL;
                return tn_error_set(err, TARN_EINVAL, "column '%s' is listed twice in columns", name);
            }
        }
        (*cols)[(*n)++] = at;
        if (!end)
            return TARN_OK;
        p = end + 1;
    }
}

static int shape(const char *path, tn_reader *in, const char *columns, int64_t limit, int64_t batch_size,
                 tn_reader **out, tarn_error *err)
{
    shaped *s = tn_calloc(1, sizeof *s);
    if (!s) {
        tn_reader_free(in);
        return tn_error_oom(err, sizeof *s);
    }
    s->in = in;
    s->left = limit;
    s->batch_size = batch_size;
    s->base.next = shaped_next;
    s->base.destroy = shaped_destroy;
    int rc = TARN_OK;
    if (columns) {
        int32_t n = 0;
        rc = projection(path, in->schema, columns, &s->cols, &n, err);
        tn_schema *sc = rc == TARN_OK ? tn_schema_new(n) : NULL;
        if (rc == TARN_OK && !sc)
            rc = tn_error_oom(err, sizeof *sc);
        for (int32_t j = 0; rc == TARN_OK && j < n; j++)
            rc = tn_field_copy(&sc->fields[j], &in->schema->fields[s->cols[j]], err);
        if (rc == TARN_OK)
            rc = tn_kv_copy(&sc->metadata, &in->schema->metadata, err);
        s->base.schema = sc;
    } else {
        s->base.schema = tn_schema_ref(in->schema);
    }
    if (rc != TARN_OK) {
        tn_reader_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return TARN_OK;
}

/* --- entry points --------------------------------------------------------- */

int tn_format_open(const char *path, const tarn_options *opts, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    tn_opts o;
    TN_TRY(tn_opts_begin(&o, opts, err));
    const tn_format *f;
    int64_t limit, batch_size;
    int rc = pick(path, &o, &f, err);
    if (rc == TARN_OK)
        rc = tn_opts_int(&o, "limit", -1, 0, INT64_MAX, &limit, err);
    if (rc == TARN_OK)
        rc = tn_opts_int(&o, "batch_size", 0, 1, INT64_MAX, &batch_size, err);
    const char *columns = rc == TARN_OK ? tn_opts_str(&o, "columns") : NULL;
    if (rc == TARN_OK && !f->open)
        rc = tn_error_set(err, TARN_EUNSUPPORTED, "cannot read %s: reading format %s is not supported yet", path,
                          f->name);
    tn_reader *r = NULL;
    char *local = NULL; /* the spool file of a remote object */
    if (rc == TARN_OK && tn_remote_url(path) && !tn_remote_reads_ranges(f->name))
        rc = tn_remote_fetch(path, &local, err);
    if (rc == TARN_OK) {
        rc = f->open(f, local ? local : path, &o, &r, err);
        if (rc != TARN_OK && local)
            tn_error_replace(err, local, path);
    }
    if (local && rc == TARN_OK) {
        rc = tn_remote_wrap(r, local, path, &r, err); /* takes local */
        if (rc != TARN_OK)
            r = NULL;
        local = NULL;
    }
    if (local) {
        unlink(local);
        tn_free(local);
    }
    if (rc == TARN_OK)
        rc = tn_format_check_options(f, &o, false, err);
    if (rc == TARN_OK && (columns || limit >= 0 || batch_size > 0)) {
        rc = shape(path, r, columns, limit, batch_size, &r, err);
        if (rc != TARN_OK)
            r = NULL; /* shape freed it */
    }
    tn_opts_end(&o);
    if (rc != TARN_OK) {
        tn_reader_free(r);
        return rc;
    }
    *out = r;
    return TARN_OK;
}

int tn_format_write(const char *path, tn_reader *in, const tarn_options *opts, tarn_error *err)
{
    tn_opts o;
    TN_TRY(tn_opts_begin(&o, opts, err));
    const tn_format *f;
    int rc = pick(path, &o, &f, err);
    if (rc == TARN_OK && !f->write)
        rc = tn_error_set(err, TARN_EUNSUPPORTED, "cannot write %s: writing format %s is not supported", path,
                          f->name);
    char *local = NULL; /* a remote output is written here, then uploaded */
    if (rc == TARN_OK && tn_remote_url(path))
        rc = tn_remote_spool(path, &local, err);
    if (rc == TARN_OK)
        rc = f->write(f, local ? local : path, in, &o, err);
    if (local) {
        if (rc == TARN_OK)
            rc = tn_remote_publish(local, path, err);
        else
            tn_error_replace(err, local, path);
        unlink(local);
        tn_free(local);
    }
    tn_opts_end(&o);
    return rc;
}

/* Columns of the terminal f writes to, or 0 when it is not a terminal. */
static int64_t terminal_width(FILE *f)
{
    struct winsize ws;
    int fd = fileno(f);
    if (fd < 0 || !isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0)
        return 0;
    return ws.ws_col;
}

int tn_format_print(FILE *f, tn_reader *in, const tarn_options *opts, tarn_error *err)
{
    tn_opts o;
    TN_TRY(tn_opts_begin(&o, opts, err));
    tn_print_options po;
    tn_print_options_init(&po);
    const char *fmt = tn_opts_str(&o, "format"), *delim = tn_opts_str(&o, "delimiter");
    int64_t width_def = tn_opts_str(&o, "max_width") ? 0 : terminal_width(f), col_width;
    int rc = tn_opts_int(&o, "max_rows", TN_PRINT_MAX_ROWS, 0, INT64_MAX, &po.max_rows, err);
    if (rc == TARN_OK)
        rc = tn_opts_int(&o, "max_width", width_def, 0, INT64_MAX, &po.max_width, err);
    if (rc == TARN_OK)
        rc = tn_opts_int(&o, "max_col_width", TN_PRINT_MAX_COL_WIDTH, 3, 1 << 20, &col_width, err);
    po.max_col_width = (int32_t)col_width;
    if (rc == TARN_OK)
        rc = tn_opts_bool(&o, "header", true, &po.header, err);
    if (rc == TARN_OK && fmt && tn_print_format_parse(fmt) < 0)
        rc = tn_error_set(err, TARN_EINVAL, "unknown print format '%s' (known: table, csv, jsonl)", fmt);
    if (rc == TARN_OK && delim && strlen(delim) != 1)
        rc = tn_error_set(err, TARN_EINVAL, "option 'delimiter': expected one character, got '%s'", delim);
    if (rc == TARN_OK)
        rc = tn_opts_check(&o, "printing", print_keys, err);
    if (rc == TARN_OK) {
        po.format = fmt ? (tn_print_format)tn_print_format_parse(fmt) : TN_PRINT_TABLE;
        po.delimiter = delim ? delim[0] : ',';
        rc = tn_print_file(f, in, &po, err);
    }
    tn_opts_end(&o);
    return rc;
}

/* --- the public API ------------------------------------------------------- */

int tarn_format_takes(const char *format, const char *key, int writing)
{
    const tn_format *f = format ? tn_format_by_name(format) : NULL;
    if (!f && format)
        f = tn_format_by_path(format);
    if (!f || !key)
        return -1;
    const char *const *lists[2] = {writing ? common_write_keys : common_read_keys,
                                   writing ? f->write_keys : f->read_keys};
    for (int l = 0; l < 2; l++)
        for (const char *const *k = lists[l]; *k; k++)
            if (tn_opts_key_equal(*k, key))
                return 1;
    return 0;
}

const char *tarn_format_from_path(const char *path)
{
    const tn_format *f = path ? tn_format_by_path(path) : NULL;
    return f ? f->name : NULL;
}

const char *tarn_format_name(int i)
{
    const tn_format *f = tn_format_at(i);
    return f ? f->name : NULL;
}

int tarn_read(const char *path, const tarn_options *opts, struct ArrowArrayStream *out, tarn_error *err)
{
    tn_reader *r;
    TN_TRY(tn_format_open(path, opts, &r, err));
    return tn_export_reader(r, out, err); /* takes r, also on failure */
}

int tarn_write(const char *path, struct ArrowArrayStream *in, const tarn_options *opts, tarn_error *err)
{
    tn_reader *r;
    int rc = tn_import_stream(in, &r, err);
    if (rc != TARN_OK) {
        if (in->release)
            in->release(in);
        return rc;
    }
    rc = tn_format_write(path, r, opts, err);
    tn_reader_free(r);
    return rc;
}

int tarn_print(FILE *out, struct ArrowArrayStream *in, const tarn_options *opts, tarn_error *err)
{
    tn_reader *r;
    int rc = tn_import_stream(in, &r, err);
    if (rc != TARN_OK) {
        if (in->release)
            in->release(in);
        return rc;
    }
    rc = tn_format_print(out, r, opts, err);
    tn_reader_free(r);
    return rc;
}
