/*
 * describe.c — tarn_parquet_describe: a Parquet footer as text for people.
 *
 * "meta" walks the decoded FileMetaData (meta.h) and prints the file, each
 * row group and each column chunk: path, physical and logical type, codec,
 * encodings, sizes, and where the dictionary page, page index and bloom
 * filter are. "stats" prints each column's chunk statistics, decoding the
 * min/max bytes as values of the column's type: PLAIN little-endian for
 * INT32/INT64/FLOAT/DOUBLE, one byte for BOOLEAN, raw bytes for BYTE_ARRAY
 * and FIXED_LEN_BYTE_ARRAY (decimals there are big-endian two's
 * complement). Dates come out as dates, timestamps as ISO times, decimals
 * exactly, strings quoted, escaped and cut at 40 characters.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/alloc.h"
#include "formats/parquet/bloom.h"
#include "formats/parquet/codec.h"
#include "formats/parquet/meta.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/thrift.h"
#include "tarn/parquet.h"

#define STR_MAX 40 /* characters of a string value shown */

static const char *unit_name(int u)
{
    return u == PQ_UNIT_MILLIS ? "MILLIS" : u == PQ_UNIT_MICROS ? "MICROS" : u == PQ_UNIT_NANOS ? "NANOS" : "?";
}

/* The logical type of a leaf, from LogicalType or else the legacy
 * ConvertedType, so old files render like new ones. */
static pq_logical leaf_logical(const pq_schema_elt *e)
{
    pq_logical l = e->logical;
    if (l.kind != PQ_LT_NONE)
        return l;
    switch (e->converted) {
    case PQ_CT_UTF8: l.kind = PQ_LT_STRING; break;
    case PQ_CT_ENUM: l.kind = PQ_LT_ENUM; break;
    case PQ_CT_JSON: l.kind = PQ_LT_JSON; break;
    case PQ_CT_BSON: l.kind = PQ_LT_BSON; break;
    case PQ_CT_DATE: l.kind = PQ_LT_DATE; break;
    case PQ_CT_DECIMAL: l.kind = PQ_LT_DECIMAL; l.scale = e->scale; l.precision = e->precision; break;
    case PQ_CT_TIME_MILLIS: l.kind = PQ_LT_TIME; l.unit = PQ_UNIT_MILLIS; l.utc = true; break;
    case PQ_CT_TIME_MICROS: l.kind = PQ_LT_TIME; l.unit = PQ_UNIT_MICROS; l.utc = true; break;
    case PQ_CT_TIMESTAMP_MILLIS: l.kind = PQ_LT_TIMESTAMP; l.unit = PQ_UNIT_MILLIS; l.utc = true; break;
    case PQ_CT_TIMESTAMP_MICROS: l.kind = PQ_LT_TIMESTAMP; l.unit = PQ_UNIT_MICROS; l.utc = true; break;
    case PQ_CT_UINT_8: case PQ_CT_UINT_16: case PQ_CT_UINT_32: case PQ_CT_UINT_64:
        l.kind = PQ_LT_INTEGER;
        l.bit_width = (int8_t)(8 << (e->converted - PQ_CT_UINT_8));
        l.is_signed = false;
        break;
    case PQ_CT_INT_8: case PQ_CT_INT_16: case PQ_CT_INT_32: case PQ_CT_INT_64:
        l.kind = PQ_LT_INTEGER;
        l.bit_width = (int8_t)(8 << (e->converted - PQ_CT_INT_8));
        l.is_signed = true;
        break;
    default: break;
    }
    return l;
}

static void print_logical(FILE *f, const pq_logical *l)
{
    switch (l->kind) {
    case PQ_LT_NONE: fputs("none", f); break;
    case PQ_LT_STRING: fputs("STRING", f); break;
    case PQ_LT_MAP: fputs("MAP", f); break;
    case PQ_LT_LIST: fputs("LIST", f); break;
    case PQ_LT_ENUM: fputs("ENUM", f); break;
    case PQ_LT_DECIMAL: fprintf(f, "DECIMAL(%d,%d)", l->precision, l->scale); break;
    case PQ_LT_DATE: fputs("DATE", f); break;
    case PQ_LT_TIME: fprintf(f, "TIME(%s%s)", unit_name(l->unit), l->utc ? ", UTC" : ""); break;
    case PQ_LT_TIMESTAMP: fprintf(f, "TIMESTAMP(%s%s)", unit_name(l->unit), l->utc ? ", UTC" : ""); break;
    case PQ_LT_INTEGER: fprintf(f, "INT(%d, %s)", l->bit_width, l->is_signed ? "signed" : "unsigned"); break;
    case PQ_LT_UNKNOWN: fputs("UNKNOWN", f); break;
    case PQ_LT_JSON: fputs("JSON", f); break;
    case PQ_LT_BSON: fputs("BSON", f); break;
    case PQ_LT_UUID: fputs("UUID", f); break;
    case PQ_LT_FLOAT16: fputs("FLOAT16", f); break;
    case PQ_LT_VARIANT: fputs("VARIANT", f); break;
    case PQ_LT_GEOMETRY: fputs("GEOMETRY", f); break;
    case PQ_LT_GEOGRAPHY: fputs("GEOGRAPHY", f); break;
    default: fputs("other", f); break;
    }
}

static void print_path(FILE *f, const pq_column_meta *m)
{
    for (int32_t i = 0; i < m->n_path; i++)
        fprintf(f, "%s%s", i ? "." : "", m->path[i]);
}

/* The schema element of each leaf column, in chunk order. */
static int leaves(const pq_file_meta *m, const pq_schema_elt ***out, tarn_error *err)
{
    const pq_schema_elt **v = tn_calloc((size_t)m->n_schema + 1, sizeof *v);
    TN_TRY_ALLOC(v, err, ((size_t)m->n_schema + 1) * sizeof *v);
    int32_t n = 0;
    for (int32_t i = 1; i < m->n_schema; i++)
        if (m->schema[i].type >= 0)
            v[n++] = &m->schema[i];
    *out = v;
    return 0;
}

/* ---- page index ---- */

#define INDEX_MAX (64 << 20) /* bytes of one column or offset index read */

typedef struct page_index {
    int32_t pages, null_pages, boundary;
    int64_t first_offset;
} page_index;

/* Read n bytes at off of the file into a new buffer. */
static int read_range(FILE *in, const char *path, int64_t off, int32_t n, uint8_t **out, tarn_error *err)
{
    if (n <= 0 || n > INDEX_MAX || off < 4 || fseeko(in, 0, SEEK_END) != 0 || off > ftello(in) - 8 ||
        n > ftello(in) - 8 - off)
        return TN_CORRUPT(err, "%s: page index of %d bytes at %lld outside the file", path, n, (long long)off);
    uint8_t *b = tn_malloc((size_t)n);
    TN_TRY_ALLOC(b, err, (size_t)n);
    if (fseeko(in, off, SEEK_SET) != 0 || fread(b, 1, (size_t)n, in) != (size_t)n) {
        tn_free(b);
        return tn_error_set(err, TARN_EIO, "%s: cannot read the page index at %lld", path, (long long)off);
    }
    *out = b;
    return 0;
}

/* ", split-block, N-byte bitset" from the bloom filter's header, or
 * ", unreadable header" / another algorithm; ends the line. */
static void print_bloom(FILE *f, FILE *in, const char *path, const pq_column_meta *cm)
{
    uint8_t *b = NULL;
    tarn_error e;
    int32_t n = cm->bloom_filter_length < 64 ? cm->bloom_filter_length : 64, bytes;
    size_t head;
    int rc = read_range(in, path, cm->bloom_filter_offset, n, &b, &e);
    if (!rc)
        rc = tn_pq_bloom_header_read(b, (size_t)n, &bytes, &head, &e);
    if (!rc)
        fprintf(f, ", split-block xxhash, %d-byte bitset\n", bytes);
    else
        fprintf(f, " (%s)\n", rc == TARN_EUNSUPPORTED ? "unsupported algorithm" : "unreadable header");
    tn_free(b);
}

/* ColumnIndex: 1 null_pages list<bool>, 4 boundary_order; the rest skipped. */
static int column_index(tn_th_reader *r, page_index *pi)
{
    int16_t last;
    TN_TRY(tn_th_struct_begin(r, &last));
    for (;;) {
        int type, et;
        int16_t id;
        TN_TRY(tn_th_field(r, &last, &type, &id));
        if (type == TN_TH_STOP)
            break;
        if (id == 1 && type == TN_TH_LIST) {
            TN_TRY(tn_th_list_begin(r, type, &et, &pi->pages));
            for (int32_t i = 0; i < pi->pages; i++) {
                if (r->p >= r->end)
                    return TN_CORRUPT(r->err, "column index: null_pages past the end");
                if (et != TN_TH_TRUE && et != TN_TH_FALSE)
                    return TN_CORRUPT(r->err, "column index: null_pages of element type %d", et);
                pi->null_pages += *r->p++ == TN_TH_TRUE; /* a list's bools are one byte each */
            }
            tn_th_list_end(r);
        } else if (id == 4) {
            TN_TRY(tn_th_i32(r, type, &pi->boundary));
        } else {
            TN_TRY(tn_th_skip(r, type));
        }
    }
    tn_th_struct_end(r);
    return 0;
}

/* OffsetIndex: 1 page_locations list<PageLocation{1 offset, ...}>. */
static int offset_index(tn_th_reader *r, page_index *pi)
{
    int16_t last;
    TN_TRY(tn_th_struct_begin(r, &last));
    for (;;) {
        int type, et;
        int16_t id;
        TN_TRY(tn_th_field(r, &last, &type, &id));
        if (type == TN_TH_STOP)
            break;
        if (id != 1 || type != TN_TH_LIST) {
            TN_TRY(tn_th_skip(r, type));
            continue;
        }
        TN_TRY(tn_th_list_begin(r, type, &et, &pi->pages));
        if (et != TN_TH_STRUCT)
            return TN_CORRUPT(r->err, "offset index: page locations of element type %d", et);
        for (int32_t i = 0; i < pi->pages; i++) {
            int16_t l2;
            TN_TRY(tn_th_struct_begin(r, &l2));
            for (;;) {
                int t2;
                int16_t id2;
                TN_TRY(tn_th_field(r, &l2, &t2, &id2));
                if (t2 == TN_TH_STOP)
                    break;
                if (id2 == 1 && i == 0)
                    TN_TRY(tn_th_i64(r, t2, &pi->first_offset));
                else
                    TN_TRY(tn_th_skip(r, t2));
            }
            tn_th_struct_end(r);
        }
        tn_th_list_end(r);
    }
    tn_th_struct_end(r);
    return 0;
}

static int load_index(FILE *in, const char *path, int64_t off, int32_t n, bool is_column, page_index *pi,
                       tarn_error *err)
{
    uint8_t *b = NULL;
    memset(pi, 0, sizeof *pi);
    TN_TRY(read_range(in, path, off, n, &b, err));
    tn_th_reader r;
    tn_th_reader_init(&r, b, (size_t)n, is_column ? "column index" : "offset index", err);
    int rc = is_column ? column_index(&r, pi) : offset_index(&r, pi);
    tn_free(b);
    if (rc && rc != TARN_ENOMEM && rc != TARN_EMEMLIMIT)
        tn_error_prefix(err, "%s: ", path);
    return rc;
}

static int print_index(FILE *f, FILE *in, const char *path, const pq_column_chunk *cc, tarn_error *err)
{
    static const char *const orders[] = {"unordered", "ascending", "descending"};
    page_index pi;
    if (cc->column_index_offset >= 0) {
        TN_TRY(load_index(in, path, cc->column_index_offset, cc->column_index_length, true, &pi, err));
        fprintf(f, "    column index: at %" PRId64 ", %d bytes: %d pages, %d null, %s\n", cc->column_index_offset,
                cc->column_index_length, pi.pages, pi.null_pages,
                pi.boundary >= 0 && pi.boundary <= 2 ? orders[pi.boundary] : "unknown order");
    } else {
        fputs("    column index: none\n", f);
    }
    if (cc->offset_index_offset >= 0) {
        TN_TRY(load_index(in, path, cc->offset_index_offset, cc->offset_index_length, false, &pi, err));
        fprintf(f, "    offset index: at %" PRId64 ", %d bytes: %d pages, the first at %" PRId64 "\n",
                cc->offset_index_offset, cc->offset_index_length, pi.pages, pi.first_offset);
    } else {
        fputs("    offset index: none\n", f);
    }
    return 0;
}

static int print_meta(FILE *f, FILE *in, const char *path, const pq_file_meta *m, const pq_schema_elt **leaf,
                      tarn_error *err)
{
    fprintf(f, "file: %s\n", path);
    fprintf(f, "format version: %d\n", m->version);
    fprintf(f, "created by: %s\n", m->created_by ? m->created_by : "(unknown)");
    fprintf(f, "rows: %" PRId64 "\n", m->num_rows);
    fprintf(f, "row groups: %d\n", m->n_row_groups);
    fputs("key/value metadata:", f);
    for (int32_t i = 0; i < m->n_kv; i++)
        fprintf(f, "%s %s", i ? "," : "", m->kv_keys[i]);
    fputs(m->n_kv ? "\n" : " (none)\n", f);
    for (int32_t g = 0; g < m->n_row_groups; g++) {
        const pq_row_group *rg = &m->row_groups[g];
        fprintf(f, "row group %d: %" PRId64 " rows, %" PRId64 " bytes\n", g, rg->num_rows, rg->total_byte_size);
        for (int32_t c = 0; c < rg->n_columns; c++) {
            const pq_column_chunk *cc = &rg->columns[c];
            const pq_column_meta *cm = &cc->meta;
            pq_logical l = leaf_logical(leaf[c]);
            fputs("  column ", f);
            print_path(f, cm);
            fprintf(f, "\n    type: %s", tn_pq_physical_name(cm->type));
            if (cm->type == PQ_FLBA)
                fprintf(f, "(%d)", leaf[c]->type_length);
            fputs(", logical ", f);
            print_logical(f, &l);
            fprintf(f, "\n    codec: %s\n    encodings:", tn_pq_codec_name(cm->codec));
            for (int e = 0, first = 1; e < 32; e++)
                if (cm->encodings & (1u << e)) {
                    const char *name = tn_pq_encoding_name(e);
                    if (name)
                        fprintf(f, "%s %s", first ? "" : ",", name);
                    else
                        fprintf(f, "%s %d", first ? "" : ",", e);
                    first = 0;
                }
            fprintf(f, "\n    values: %" PRId64 "\n", cm->num_values);
            fprintf(f, "    compressed: %" PRId64 " bytes, uncompressed: %" PRId64 " bytes\n",
                    cm->total_compressed_size, cm->total_uncompressed_size);
            if (cm->dictionary_page_offset >= 0)
                fprintf(f, "    dictionary page: at %" PRId64 "\n", cm->dictionary_page_offset);
            else
                fputs("    dictionary page: none\n", f);
            fprintf(f, "    data pages: at %" PRId64 "\n", cm->data_page_offset);
            TN_TRY(print_index(f, in, path, cc, err));
            if (cm->bloom_filter_offset >= 0 && cm->bloom_filter_length >= 0) {
                fprintf(f, "    bloom filter: at %" PRId64 ", %d bytes", cm->bloom_filter_offset,
                        cm->bloom_filter_length);
                print_bloom(f, in, path, cm);
            } else if (cm->bloom_filter_offset >= 0)
                fprintf(f, "    bloom filter: at %" PRId64 "\n", cm->bloom_filter_offset);
            else
                fputs("    bloom filter: none\n", f);
        }
    }
    return 0;
}

/* ---- values ---- */

static int64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return n == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days arithmetic). */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void print_date(FILE *f, int64_t days)
{
    int64_t y;
    int m, d;
    civil(days, &y, &m, &d);
    fprintf(f, "%04" PRId64 "-%02d-%02d", y, m, d);
}

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* v in units per second (1e3, 1e6, 1e9) as "[date ]HH:MM:SS[.frac]". */
static void print_time(FILE *f, int64_t v, int64_t per_sec, int digits, bool with_date)
{
    int64_t secs = floordiv(v, per_sec), frac = v - secs * per_sec;
    int64_t days = floordiv(secs, 86400), sod = secs - days * 86400;
    if (with_date) {
        print_date(f, days);
        fputc(' ', f);
    }
    fprintf(f, "%02d:%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    if (frac)
        fprintf(f, ".%0*" PRId64, digits, frac);
}

static void print_time_unit(FILE *f, int64_t v, int unit, bool with_date)
{
    if (unit == PQ_UNIT_MILLIS)
        print_time(f, v, 1000, 3, with_date);
    else if (unit == PQ_UNIT_NANOS)
        print_time(f, v, 1000000000, 9, with_date);
    else
        print_time(f, v, 1000000, 6, with_date);
}

static void print_decimal(FILE *f, __int128 v, int scale)
{
    char digits[48];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        digits[n++] = '0';
    if (neg)
        fputc('-', f);
    for (int i = n - 1; i >= 0; i--) {
        fputc(digits[i], f);
        if (i == scale && scale > 0)
            fputc('.', f);
    }
}

static void print_hex(FILE *f, const uint8_t *p, uint32_t n)
{
    fputs("0x", f);
    for (uint32_t i = 0; i < n && i < STR_MAX / 2; i++)
        fprintf(f, "%02x", p[i]);
    if (n > STR_MAX / 2)
        fputs("...", f);
}

/* A string in double quotes: quotes, backslashes and control bytes escaped,
 * cut after STR_MAX characters (never inside a UTF-8 sequence). */
static void print_string(FILE *f, const uint8_t *p, uint32_t n)
{
    fputc('"', f);
    uint32_t chars = 0, i = 0;
    for (; i < n; i++) {
        uint8_t c = p[i];
        if ((c & 0xC0) != 0x80 && chars++ == STR_MAX)
            break;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
    if (i < n)
        fputs("...", f);
}

static double half(uint16_t h)
{
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? m / 1024.0 / 16384.0 : e == 31 ? (m ? 0.0 / 0.0 : 1.0 / 0.0) : (1 + m / 1024.0) * (double)(1 << e) / 32768.0;
    return (h & 0x8000) ? -v : v;
}

/* A big-endian two's complement integer of n bytes (n <= 16). */
static __int128 be_signed(const uint8_t *p, uint32_t n)
{
    unsigned __int128 u = (n && (p[0] & 0x80)) ? ~(unsigned __int128)0 : 0;
    for (uint32_t i = 0; i < n; i++)
        u = u << 8 | p[i];
    return (__int128)u;
}

static void print_value(FILE *f, const pq_schema_elt *e, const pq_logical *l, pq_bytes b)
{
    if (!b.p) {
        fputc('-', f);
        return;
    }
    int t = e->type;
    if ((t == PQ_INT32 && b.n != 4) || (t == PQ_INT64 && b.n != 8) || (t == PQ_FLOAT && b.n != 4) ||
        (t == PQ_DOUBLE && b.n != 8) || (t == PQ_BOOLEAN && b.n != 1)) {
        fputs("(malformed: ", f);
        print_hex(f, b.p, b.n);
        fputc(')', f);
        return;
    }
    switch (t) {
    case PQ_BOOLEAN: fputs(b.p[0] ? "true" : "false", f); return;
    case PQ_FLOAT: {
        float v;
        memcpy(&v, b.p, 4);
        fprintf(f, "%.9g", v);
        return;
    }
    case PQ_DOUBLE: {
        double v;
        memcpy(&v, b.p, 8);
        fprintf(f, "%.17g", v);
        return;
    }
    case PQ_INT32:
    case PQ_INT64: {
        int64_t v = le(b.p, (int)b.n);
        if (l->kind == PQ_LT_DATE)
            print_date(f, v);
        else if (l->kind == PQ_LT_DECIMAL)
            print_decimal(f, v, l->scale);
        else if (l->kind == PQ_LT_TIMESTAMP)
            print_time_unit(f, v, l->unit, true);
        else if (l->kind == PQ_LT_TIME)
            print_time_unit(f, v, l->unit, false);
        else if (l->kind == PQ_LT_INTEGER && !l->is_signed)
            fprintf(f, "%" PRIu64, t == PQ_INT32 ? (uint64_t)(uint32_t)v : (uint64_t)v);
        else
            fprintf(f, "%" PRId64, v);
        return;
    }
    case PQ_BYTE_ARRAY:
    case PQ_FLBA:
        if (l->kind == PQ_LT_DECIMAL && b.n <= 16)
            print_decimal(f, be_signed(b.p, b.n), l->scale);
        else if (l->kind == PQ_LT_STRING || l->kind == PQ_LT_ENUM || l->kind == PQ_LT_JSON)
            print_string(f, b.p, b.n);
        else if (l->kind == PQ_LT_FLOAT16 && b.n == 2)
            fprintf(f, "%.5g", half((uint16_t)(b.p[0] | b.p[1] << 8)));
        else
            print_hex(f, b.p, b.n);
        return;
    default: print_hex(f, b.p, b.n); return;
    }
}

static void print_stats(FILE *f, const pq_file_meta *m, const pq_schema_elt **leaf, int32_t n_leaves)
{
    for (int32_t c = 0; c < n_leaves; c++) {
        pq_logical l = leaf_logical(leaf[c]);
        fputs("column ", f);
        if (m->n_row_groups > 0)
            print_path(f, &m->row_groups[0].columns[c].meta);
        else
            fputs(leaf[c]->name, f);
        fprintf(f, " (%s, ", tn_pq_physical_name(leaf[c]->type));
        print_logical(f, &l);
        fputs(")\n", f);
        for (int32_t g = 0; g < m->n_row_groups; g++) {
            const pq_column_meta *cm = &m->row_groups[g].columns[c].meta;
            fprintf(f, "  row group %d: ", g);
            if (!cm->has_stats) {
                fputs("no statistics\n", f);
                continue;
            }
            if (cm->stats.null_count >= 0)
                fprintf(f, "nulls %" PRId64 ", ", cm->stats.null_count);
            else
                fputs("nulls -, ", f);
            fputs("min ", f);
            print_value(f, leaf[c], &l, cm->stats.min);
            fputs(", max ", f);
            print_value(f, leaf[c], &l, cm->stats.max);
            fputc('\n', f);
        }
    }
}

int tarn_parquet_describe(const char *path, FILE *out, int what, tarn_error *err)
{
    if (what != TARN_PARQUET_META && what != TARN_PARQUET_STATS)
        return tn_error_set(err, TARN_EINVAL, "tarn_parquet_describe: unknown description %d", what);
    tn_reader *rd;
    TN_TRY(tn_parquet_open_file(path, NULL, &rd, err));
    const pq_file_meta *m = tn_parquet_reader_meta(rd);
    const pq_schema_elt **leaf = NULL;
    int rc = leaves(m, &leaf, err);
    if (rc == 0) {
        int32_t n = 0;
        while (leaf[n])
            n++;
        FILE *in = what == TARN_PARQUET_META ? fopen(path, "rb") : NULL;
        if (what == TARN_PARQUET_META && !in)
            rc = tn_error_set(err, TARN_EIO, "%s: cannot open: %s", path, strerror(errno));
        else if (what == TARN_PARQUET_META)
            rc = print_meta(out, in, path, m, leaf, err);
        else
            print_stats(out, m, leaf, n);
        if (in)
            fclose(in);
        tn_free(leaf);
        if (!rc && ferror(out))
            rc = tn_error_set(err, TARN_EIO, "%s: writing the description failed", path);
    }
    tn_reader_free(rd);
    return rc;
}
