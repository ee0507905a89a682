/*
 * csv_format.c — CSV and JSON as input formats of the registry: option
 * keys to tn_csv_options / tn_json_options, plus tarn_sniff, the report
 * behind `tarn sniff`.
 *
 * CSV reader keys: delimiter, quote (a character, or "none"), escape,
 * header (true/false/auto), comment, skip (lines), null (the null text),
 * trim, on_error (error/skip/null), reject_file, schema ("a int, b date":
 * every column), types (the same for some columns), compression
 * (auto/none/gzip/zstd), sample_rows, max_row_bytes, decimal_inference,
 * decimal_separator (. or ,), date_format, timestamp_format (strptime style).
 * JSON reader keys: json_format (auto/ndjson/array), on_error, reject_file,
 * schema, types, compression, sample_rows, max_row_bytes, max_depth,
 * decimal_inference (default false: numbers with a fraction are double, as
 * in DuckDB).
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "formats/csv/csv.h"
#include "formats/csv/multi.h"
#include "formats/csv/textparse.h"
#include "formats/json/json.h"
#include "formats/registry.h"

/* A path is read as it is unless it is a glob pattern naming no file. */
static bool literal(const char *path)
{
    return !tn_is_glob(path) || access(path, F_OK) == 0;
}

static int one_char(const char *key, const char *v, char *out, tarn_error *err)
{
    if (!v)
        return TARN_OK;
    if (strcmp(v, "\\t") == 0 || strcasecmp(v, "tab") == 0)
        v = "\t";
    if (strlen(v) != 1)
        return tn_error_set(err, TARN_EINVAL, "option '%s': expected one character, got '%s'", key, v);
    *out = v[0];
    return TARN_OK;
}

static int on_error(const char *v, tn_on_error *out, tarn_error *err)
{
    if (!v)
        return TARN_OK;
    if (!strcasecmp(v, "error") || !strcasecmp(v, "fail"))
        *out = TN_ON_ERROR_FAIL;
    else if (!strcasecmp(v, "skip"))
        *out = TN_ON_ERROR_SKIP;
    else if (!strcasecmp(v, "null"))
        *out = TN_ON_ERROR_NULL;
    else
        return tn_error_set(err, TARN_EINVAL, "option 'on_error': expected error, skip or null, got '%s'", v);
    return TARN_OK;
}

static int compression(const char *v, tn_compression *out, tarn_error *err)
{
    if (!v || !strcasecmp(v, "auto"))
        *out = TN_COMPRESSION_AUTO;
    else if (!strcasecmp(v, "none"))
        *out = TN_COMPRESSION_NONE;
    else if (!strcasecmp(v, "gzip") || !strcasecmp(v, "gz"))
        *out = TN_COMPRESSION_GZIP;
    else if (!strcasecmp(v, "zstd") || !strcasecmp(v, "zst"))
        *out = TN_COMPRESSION_ZSTD;
    else
        return tn_error_set(err, TARN_EINVAL, "option 'compression': expected auto, none, gzip or zstd, got '%s'", v);
    return TARN_OK;
}

/* "a int, b date" to a schema (a new reference in *out). */
static int schema_of(const char *text, tn_schema **out, tarn_error *err)
{
    *out = NULL;
    if (!text)
        return TARN_OK;
    int32_t n;
    char **names;
    tn_type **types;
    TN_TRY(tn_text_parse_columns(text, &n, &names, &types, err));
    tn_schema *s = tn_schema_new(n);
    int rc = s ? TARN_OK : tn_error_oom(err, sizeof *s);
    for (int32_t i = 0; i < n && rc == TARN_OK; i++) {
        rc = tn_field_init(&s->fields[i], names[i], types[i], true, err);
        types[i] = NULL;
    }
    tn_text_free_columns(n, names, types);
    if (rc != TARN_OK) {
        tn_schema_unref(s);
        return rc;
    }
    if (n == 0) {
        tn_schema_unref(s);
        return tn_error_set(err, TARN_EINVAL, "option 'schema': no columns in '%s'", text);
    }
    *out = s;
    return TARN_OK;
}

/* Shared keys of both readers. */
static int common(tn_opts *o, tn_on_error *policy, const char **reject, tn_schema **schema, const char **types,
                  tn_compression *comp, int64_t *sample, int64_t *max_row, tarn_error *err)
{
    TN_TRY(on_error(tn_opts_str(o, "on_error"), policy, err));
    *reject = tn_opts_str(o, "reject_file");
    *types = tn_opts_str(o, "types");
    TN_TRY(compression(tn_opts_str(o, "compression"), comp, err));
    TN_TRY(tn_opts_int(o, "sample_rows", 0, 1, INT64_MAX, sample, err));
    TN_TRY(tn_opts_int(o, "max_row_bytes", 0, 1, INT64_MAX, max_row, err));
    return schema_of(tn_opts_str(o, "schema"), schema, err);
}

static int csv_options(tn_opts *o, tn_csv_options *c, tn_schema **schema, const char **nullv, tarn_error *err)
{
    tn_csv_options_init(c);
    TN_TRY(one_char("delimiter", tn_opts_str(o, "delimiter"), &c->delimiter, err));
    const char *q = tn_opts_str(o, "quote");
    if (q && !strcasecmp(q, "none"))
        c->no_quote = true;
    else
        TN_TRY(one_char("quote", q, &c->quote, err));
    TN_TRY(one_char("escape", tn_opts_str(o, "escape"), &c->escape, err));
    const char *h = tn_opts_str(o, "header");
    if (h && strcasecmp(h, "auto") != 0) {
        bool hv;
        TN_TRY(tn_opts_bool(o, "header", false, &hv, err));
        c->header = hv;
    }
    c->comment = tn_opts_str(o, "comment");
    TN_TRY(tn_opts_int(o, "skip", 0, 0, INT64_MAX, &c->skip_rows, err));
    *nullv = tn_opts_str(o, "null");
    if (*nullv) {
        c->null_values = nullv;
        c->n_null_values = 1;
    }
    TN_TRY(tn_opts_bool(o, "trim", false, &c->trim, err));
    bool dec;
    TN_TRY(tn_opts_bool(o, "decimal_inference", true, &dec, err));
    c->no_decimal_inference = !dec;
    const char *sep = tn_opts_str(o, "decimal_separator");
    if (sep && strcmp(sep, ".") != 0 && strcmp(sep, ",") != 0)
        return tn_error_set(err, TARN_EINVAL, "option 'decimal_separator': expected '.' or ',', got '%s'", sep);
    c->decimal_comma = sep && sep[0] == ',';
    c->date_format = tn_opts_str(o, "date_format");
    c->timestamp_format = tn_opts_str(o, "timestamp_format");
    if (c->date_format && !tn_text_format_valid(c->date_format))
        return tn_error_set(err, TARN_EINVAL, "option 'date_format': not a format: '%s'", c->date_format);
    if (c->timestamp_format && !tn_text_format_valid(c->timestamp_format))
        return tn_error_set(err, TARN_EINVAL, "option 'timestamp_format': not a format: '%s'", c->timestamp_format);
    TN_TRY(common(o, &c->on_error, &c->reject_path, schema, &c->column_types, &c->compression, &c->sample_rows,
                  &c->max_row_bytes, err));
    c->schema = *schema;
    return TARN_OK;
}

int tn_csv_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err)
{
    tn_csv_options c;
    tn_schema *schema = NULL;
    const char *nullv = NULL;
    int rc = csv_options(o, &c, &schema, &nullv, err);
    if (rc == TARN_OK)
        rc = tn_format_check_options(self, o, false, err);
    if (rc == TARN_OK)
        rc = literal(path) ? tn_csv_open(path, &c, out, err) : tn_glob_open(path, false, &c, NULL, out, err);
    tn_schema_unref(schema);
    return rc;
}

static int json_options(tn_opts *o, tn_json_options *j, tn_schema **schema, tarn_error *err)
{
    tn_json_options_init(j);
    const char *f = tn_opts_str(o, "json_format");
    if (f && !strcasecmp(f, "ndjson"))
        j->format = TN_JSON_LINES;
    else if (f && !strcasecmp(f, "array"))
        j->format = TN_JSON_ARRAY;
    else if (f && strcasecmp(f, "auto"))
        return tn_error_set(err, TARN_EINVAL, "option 'json_format': expected auto, ndjson or array, got '%s'", f);
    int64_t depth;
    TN_TRY(tn_opts_int(o, "max_depth", 0, 1, 2048, &depth, err));
    TN_TRY(tn_opts_bool(o, "decimal_inference", false, &j->decimal_inference, err));
    j->max_depth = (int32_t)depth;
    TN_TRY(common(o, &j->on_error, &j->reject_path, schema, &j->column_types, &j->compression, &j->sample_rows,
                  &j->max_row_bytes, err));
    j->schema = *schema;
    return TARN_OK;
}

int tn_json_format_open(const tn_format *self, const char *path, tn_opts *o, tn_reader **out, tarn_error *err)
{
    tn_json_options j;
    tn_schema *schema = NULL;
    int rc = json_options(o, &j, &schema, err);
    if (rc == TARN_OK)
        rc = tn_format_check_options(self, o, false, err);
    if (rc == TARN_OK)
        rc = literal(path) ? tn_json_open(path, &j, out, err) : tn_glob_open(path, true, NULL, &j, out, err);
    tn_schema_unref(schema);
    return rc;
}

/* --- tarn_sniff --------------------------------------------------------- */

static const char *layout_name(uint32_t l)
{
    switch (l) {
    case TN_DATE_ISO: return "YYYY-MM-DD";
    case TN_DATE_YMD_SLASH: return "YYYY/MM/DD";
    case TN_DATE_MDY: return "MM/DD/YYYY";
    case TN_DATE_DMY: return "DD/MM/YYYY";
    case TN_DATE_DMY_DOT: return "DD.MM.YYYY";
    case TN_DATE_CUSTOM: return "the given format";
    default: return NULL;
    }
}

static int columns(tn_buf *b, const tn_schema *s, const uint32_t *layouts, tarn_error *err)
{
    TN_TRY(tn_buf_printf(b, err, "columns: %d\n", s->n_fields));
    for (int32_t i = 0; i < s->n_fields; i++) {
        tn_buf t;
        tn_buf_init(&t, 0);
        int rc = tn_type_format(s->fields[i].type, &t, err);
        if (rc == TARN_OK) {
            const char *l = layouts ? layout_name(layouts[i]) : NULL;
            rc = tn_buf_printf(b, err, "  %s: %s%s%s%s\n", s->fields[i].name, (char *)t.data, l ? " (" : "",
                               l ? l : "", l ? ")" : "");
        }
        tn_buf_reset(&t);
        TN_TRY(rc);
    }
    return TARN_OK;
}

static const char *char_name(char c, char *tmp)
{
    if (c == '\t')
        return "tab";
    tmp[0] = '\'';
    tmp[1] = c;
    tmp[2] = '\'';
    tmp[3] = 0;
    return tmp;
}

static int sniff_csv(const char *path, tn_opts *o, tn_buf *b, tarn_error *err)
{
    tn_csv_options c;
    tn_schema *schema = NULL;
    const char *nullv = NULL;
    tn_csv_sniff_result s = {0};
    int rc = csv_options(o, &c, &schema, &nullv, err);
    if (rc == TARN_OK)
        rc = tn_format_check_options(tn_format_by_name("csv"), o, false, err);
    if (rc == TARN_OK)
        rc = tn_csv_sniff(path, &c, &s, err);
    char t1[4], t2[4];
    if (rc == TARN_OK)
        rc = tn_buf_printf(b, err, "format: csv\ndelimiter: %s\nquote: %s\nheader: %s\nrows sampled: %lld\n",
                           char_name(s.delimiter, t1), c.no_quote ? "none" : char_name(s.quote, t2),
                           s.header ? "true" : "false", (long long)s.sample_rows);
    if (rc == TARN_OK)
        rc = columns(b, s.schema, s.date_layouts, err);
    tn_csv_sniff_result_reset(&s);
    tn_schema_unref(schema);
    return rc;
}

static int sniff_json(const char *path, tn_opts *o, tn_buf *b, tarn_error *err)
{
    tn_json_options j;
    tn_schema *schema = NULL;
    tn_reader *r = NULL;
    int rc = json_options(o, &j, &schema, err);
    if (rc == TARN_OK)
        rc = tn_format_check_options(tn_format_by_name("jsonl"), o, false, err);
    if (rc == TARN_OK)
        rc = tn_json_open(path, &j, &r, err);
    if (rc == TARN_OK) {
        const char *w = tn_json_widened(r);
        rc = tn_buf_printf(b, err, "format: json (%s)\nwidened: %s\n", tn_json_is_array(r) ? "array" : "ndjson",
                           *w ? w : "none");
    }
    if (rc == TARN_OK)
        rc = columns(b, r->schema, NULL, err);
    tn_reader_free(r);
    tn_schema_unref(schema);
    return rc;
}

int tarn_sniff(const char *path, const tarn_options *opts, char **report, tarn_error *err)
{
    *report = NULL;
    tn_opts o;
    TN_TRY(tn_opts_begin(&o, opts, err));
    const char *name = tn_opts_str(&o, "format");
    const tn_format *f = name ? tn_format_by_name(name) : tn_format_by_path(path);
    bool json = f && (!strcmp(f->name, "jsonl") || !strcmp(f->name, "json"));
    int rc = TARN_OK;
    if (f && !json && strcmp(f->name, "csv") != 0)
        rc = tn_error_set(err, TARN_EINVAL, "%s: sniff reads CSV and JSON only, not %s", path, f->name);
    tn_buf b;
    tn_buf_init(&b, 0);
    if (rc == TARN_OK)
        rc = json ? sniff_json(path, &o, &b, err) : sniff_csv(path, &o, &b, err);
    tn_opts_end(&o);
    if (rc == TARN_OK)
        *report = tn_buf_take(&b);
    tn_buf_reset(&b);
    return rc;
}
