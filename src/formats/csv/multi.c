/*
 * multi.c — many CSV or JSON files (a list, or a glob pattern) read as one
 * stream, with the union of their columns by name.
 *
 * Pass 1 sniffs every file. The union schema takes the columns in order of
 * first appearance; a column whose files disagree on its type gets the
 * wider one: int64 with double is double, date with timestamp is timestamp,
 * anything else is utf8 (every value has a text form). Pass 2 reads the
 * files one after another, each with its own dialect and header but the
 * union types for its columns, so no value needs casting afterwards; a
 * column a file lacks is all null in that file's batches.
 */
#include <glob.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/csv/csv.h"
#include "formats/csv/multi.h"
#include "formats/json/json.h"

typedef struct file_info {
    char *path;
    tn_schema *schema; /* sniffed */
    char delimiter;
    bool header;
} file_info;

typedef struct multi_reader {
    tn_reader base;
    bool json;
    tn_csv_options csv;
    tn_json_options js;
    file_info *files;
    int32_t nfiles, at;
    tn_reader *cur;
    int32_t *map; /* union column -> column of the current file, or -1 */
    char *own_comment, *own_reject, *own_null; /* copies of option strings used in pass 2 */
    char *own_date_format, *own_timestamp_format;
} multi_reader;

static void multi_destroy(tn_reader *base)
{
    multi_reader *m = (multi_reader *)base;
    for (int32_t i = 0; i < m->nfiles; i++) {
        tn_free(m->files[i].path);
        tn_schema_unref(m->files[i].schema);
    }
    tn_free(m->files);
    tn_reader_free(m->cur);
    tn_free(m->map);
    tn_free(m->own_comment);
    tn_free(m->own_reject);
    tn_free(m->own_null);
    tn_free(m->own_date_format);
    tn_free(m->own_timestamp_format);
    tn_free(m);
}

static int own(const char *s, char **keep, tarn_error *err)
{
    if (!s)
        return TARN_OK;
    *keep = tn_strdup(s);
    TN_TRY_ALLOC(*keep, err, strlen(s) + 1);
    return TARN_OK;
}

/* Pass 2 runs after the caller's options may be gone: keep what it uses. */
static int own_options(multi_reader *m, tarn_error *err)
{
    TN_TRY(own(m->csv.comment, &m->own_comment, err));
    m->csv.comment = m->own_comment;
    TN_TRY(own(m->csv.date_format, &m->own_date_format, err));
    m->csv.date_format = m->own_date_format;
    TN_TRY(own(m->csv.timestamp_format, &m->own_timestamp_format, err));
    m->csv.timestamp_format = m->own_timestamp_format;
    const char *rej = m->json ? m->js.reject_path : m->csv.reject_path;
    TN_TRY(own(rej, &m->own_reject, err));
    m->csv.reject_path = m->js.reject_path = m->own_reject;
    if (m->csv.n_null_values > 1)
        return tn_error_set(err, TARN_EUNSUPPORTED, "reading many files takes one null text, not %d",
                            m->csv.n_null_values);
    if (m->csv.n_null_values == 1 && m->csv.null_values) {
        TN_TRY(own(m->csv.null_values[0], &m->own_null, err));
        m->csv.null_values = (const char *const *)&m->own_null;
    }
    return TARN_OK;
}

static tn_type *wider(tn_type *a, tn_type *b)
{
    if (tn_type_equals(a, b))
        return tn_type_ref(a);
    tn_type_id x = a->id, y = b->id;
    if ((x == TN_INT64 && y == TN_FLOAT64) || (x == TN_FLOAT64 && y == TN_INT64))
        return tn_type_get(TN_FLOAT64);
    /* sniffed decimals: the larger scale (precision is 38); with int64 the
     * decimal; with float64 the float */
    if (x == TN_DECIMAL128 && y == TN_DECIMAL128)
        return tn_type_decimal(128, 38, a->scale > b->scale ? a->scale : b->scale);
    if ((x == TN_DECIMAL128 && y == TN_INT64) || (x == TN_INT64 && y == TN_DECIMAL128))
        return tn_type_ref(x == TN_DECIMAL128 ? a : b);
    if ((x == TN_DECIMAL128 && y == TN_FLOAT64) || (x == TN_FLOAT64 && y == TN_DECIMAL128))
        return tn_type_get(TN_FLOAT64);
    if (x == TN_DATE32 && y == TN_TIMESTAMP)
        return tn_type_ref(b);
    if (x == TN_TIMESTAMP && y == TN_DATE32)
        return tn_type_ref(a);
    return tn_type_get(TN_STRING);
}

/* The union of the sniffed schemas, by name. */
static int union_schema(multi_reader *m, tarn_error *err)
{
    int32_t cap = 0;
    for (int32_t i = 0; i < m->nfiles; i++)
        cap += m->files[i].schema->n_fields;
    char **names = tn_calloc((size_t)cap + 1, sizeof(char *));
    tn_type **types = tn_calloc((size_t)cap + 1, sizeof(tn_type *));
    int32_t n = 0;
    int rc = names && types ? TARN_OK : tn_error_oom(err, (size_t)cap * 16);
    for (int32_t i = 0; i < m->nfiles && rc == TARN_OK; i++) {
        const tn_schema *s = m->files[i].schema;
        for (int32_t c = 0; c < s->n_fields && rc == TARN_OK; c++) {
            int32_t k = 0;
            while (k < n && strcmp(names[k], s->fields[c].name) != 0)
                k++;
            if (k == n) {
                names[n] = s->fields[c].name; /* borrowed while the file schemas live */
                types[n++] = tn_type_ref(s->fields[c].type);
            } else {
                tn_type *w = wider(types[k], s->fields[c].type);
                tn_type_unref(types[k]);
                types[k] = w;
            }
        }
    }
    tn_schema *u = rc == TARN_OK ? tn_schema_new(n) : NULL;
    if (rc == TARN_OK && !u)
        rc = tn_error_oom(err, sizeof *u);
    for (int32_t k = 0; k < n && rc == TARN_OK; k++) {
        rc = tn_field_init(&u->fields[k], names[k], types[k], true, err);
        types[k] = NULL;
    }
    for (int32_t k = 0; k < n; k++)
        tn_type_unref(types[k]);
    tn_free(names);
    tn_free(types);
    m->base.schema = u;
    return rc;
}

/* This file's columns with the union's types. */
static int file_schema(multi_reader *m, const file_info *f, tn_schema **out, tarn_error *err)
{
    tn_schema *s = tn_schema_new(f->schema->n_fields);
    TN_TRY_ALLOC(s, err, sizeof *s);
    for (int32_t c = 0; c < s->n_fields; c++) {
        int32_t k = tn_schema_find(m->base.schema, f->schema->fields[c].name);
        int rc = tn_field_init(&s->fields[c], f->schema->fields[c].name,
                               tn_type_ref(m->base.schema->fields[k].type), true, err);
        if (rc != TARN_OK) {
            tn_schema_unref(s);
            return rc;
        }
    }
    *out = s;
    return TARN_OK;
}

static int open_file(multi_reader *m, tarn_error *err)
{
    file_info *f = &m->files[m->at];
    tn_schema *s = NULL;
    TN_TRY(file_schema(m, f, &s, err));
    int rc;
    if (m->json) {
        tn_json_options o = m->js;
        o.strict_decimals = o.strict_decimals || (o.decimal_inference && !m->js.schema && !m->js.column_types);
        o.schema = s;
        o.column_types = NULL;
        rc = tn_json_open(f->path, &o, &m->cur, err);
    } else {
        tn_csv_options o = m->csv;
        /* decimals the sniffer chose keep refusing extra fraction digits */
        o.strict_decimals = o.strict_decimals || (!m->csv.schema && !m->csv.column_types);
        o.schema = s;
        o.column_types = NULL;
        o.delimiter = f->delimiter;
        o.header = f->header;
        rc = tn_csv_open(f->path, &o, &m->cur, err);
    }
    tn_schema_unref(s);
    TN_TRY(rc);
    const tn_schema *u = m->base.schema;
    for (int32_t k = 0; k < u->n_fields; k++)
        m->map[k] = tn_schema_find(m->cur->schema, u->fields[k].name);
    return TARN_OK;
}

static int multi_next(tn_reader *base, tn_batch **out, tarn_error *err)
{
    multi_reader *m = (multi_reader *)base;
    *out = NULL;
    while (m->at < m->nfiles) {
        if (!m->cur)
            TN_TRY(open_file(m, err));
        tn_batch *b;
        TN_TRY(tn_reader_next(m->cur, &b, err));
        if (!b) {
            tn_reader_free(m->cur);
            m->cur = NULL;
            m->at++;
            continue;
        }
        const tn_schema *u = m->base.schema;
        tn_batch *o = tn_batch_new(m->base.schema, b->length);
        int rc = o ? TARN_OK : tn_error_oom(err, sizeof *o);
        for (int32_t k = 0; k < u->n_fields && rc == TARN_OK; k++) {
            o->columns[k] = m->map[k] >= 0 ? tn_array_ref(b->columns[m->map[k]])
                                           : tn_array_new_nulls(u->fields[k].type, b->length);
            if (!o->columns[k])
                rc = tn_error_oom(err, (size_t)b->length);
        }
        tn_batch_unref(b);
        if (rc != TARN_OK) {
            tn_batch_unref(o);
            return rc;
        }
        *out = o;
        return TARN_OK;
    }
    return TARN_OK;
}

static int sniff_file(multi_reader *m, file_info *f, tarn_error *err)
{
    if (m->json) {
        tn_reader *r;
        TN_TRY(tn_json_open(f->path, &m->js, &r, err));
        f->schema = tn_schema_ref(r->schema);
        tn_reader_free(r);
        return TARN_OK;
    }
    tn_csv_sniff_result s;
    TN_TRY(tn_csv_sniff(f->path, &m->csv, &s, err));
    f->schema = tn_schema_ref(s.schema);
    f->delimiter = s.delimiter;
    f->header = s.header;
    tn_csv_sniff_result_reset(&s);
    return TARN_OK;
}

static int open_many(const char *const *paths, int32_t n, bool json, const tn_csv_options *csv,
                     const tn_json_options *js, tn_reader **out, tarn_error *err)
{
    *out = NULL;
    if (n <= 0)
        return tn_error_set(err, TARN_ENOTFOUND, "no files to read");
    multi_reader *m = tn_calloc(1, sizeof *m);
    TN_TRY_ALLOC(m, err, sizeof *m);
    m->base.next = multi_next;
    m->base.destroy = multi_destroy;
    m->json = json;
    if (csv)
        m->csv = *csv;
    else
        tn_csv_options_init(&m->csv);
    if (js)
        m->js = *js;
    else
        tn_json_options_init(&m->js);
    m->csv.name = m->js.name = NULL; /* each file is named by its path */
    int rc = own_options(m, err);
    if (rc == TARN_OK) {
        m->files = tn_calloc((size_t)n, sizeof(file_info));
        rc = m->files ? TARN_OK : tn_error_oom(err, (size_t)n * sizeof(file_info));
    }
    for (int32_t i = 0; i < n && rc == TARN_OK; i++) {
        m->nfiles = i + 1;
        m->files[i].path = tn_strdup(paths[i]);
        rc = m->files[i].path ? sniff_file(m, &m->files[i], err) : tn_error_oom(err, strlen(paths[i]) + 1);
    }
    if (rc == TARN_OK)
        rc = union_schema(m, err);
    if (rc == TARN_OK) {
        m->map = tn_calloc((size_t)m->base.schema->n_fields + 1, sizeof(int32_t));
        rc = m->map ? TARN_OK : tn_error_oom(err, (size_t)m->base.schema->n_fields * 4);
    }
    /* used in pass 1 only */
    m->csv.schema = NULL;
    m->js.schema = NULL;
    m->csv.column_types = m->js.column_types = NULL;
    if (rc != TARN_OK) {
        tn_reader_free(&m->base);
        return rc;
    }
    *out = &m->base;
    return TARN_OK;
}

int tn_csv_open_many(const char *const *paths, int32_t n, const tn_csv_options *opts, tn_reader **out,
                     tarn_error *err)
{
    return open_many(paths, n, false, opts, NULL, out, err);
}

int tn_json_open_many(const char *const *paths, int32_t n, const tn_json_options *opts, tn_reader **out,
                      tarn_error *err)
{
    return open_many(paths, n, true, NULL, opts, out, err);
}

bool tn_is_glob(const char *path)
{
    return strpbrk(path, "*?[") != NULL;
}

int tn_glob_open(const char *pattern, bool json, const tn_csv_options *csv, const tn_json_options *js,
                 tn_reader **out, tarn_error *err)
{
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    if (grc == GLOB_NOMATCH) {
        globfree(&g);
        return tn_error_set(err, TARN_ENOTFOUND, "%s: no file matches", pattern);
    }
    if (grc != 0) {
        globfree(&g);
        return tn_error_set(err, grc == GLOB_NOSPACE ? TARN_ENOMEM : TARN_EIO, "%s: cannot expand the pattern",
                            pattern);
    }
    if (g.gl_pathc > INT32_MAX) {
        globfree(&g);
        return tn_error_set(err, TARN_EOVERFLOW, "%s: too many files", pattern);
    }
    int rc = open_many((const char *const *)g.gl_pathv, (int32_t)g.gl_pathc, json, csv, js, out, err);
    globfree(&g);
    return rc;
}
