/*
 * parquet_render.h — a test-only renderer of Arrow arrays as JSON lines, in
 * the shape DuckDB's to_json() gives, so tests can compare tarn's reading
 * of a Parquet file with DuckDB's (tests/interop/parquet_duckdb.mjs). Not
 * the product's printer: it renders only what the Parquet tests need.
 *
 *   null -> null; bool -> true/false; integers and decimals -> numbers;
 *   floats -> %.17g (float32: %.9g), non-finite as "nan"/"inf"/"-inf";
 *   utf8 -> JSON string; binary -> string in DuckDB's blob text (\xHH for
 *   bytes outside printable ASCII); date -> "YYYY-MM-DD"; time ->
 *   "HH:MM:SS[.f]"; timestamp -> "YYYY-MM-DD HH:MM:SS[.f]" (UTC);
 *   list -> array; struct -> object; map -> object with string keys;
 *   dictionary -> its value; duration -> its number (Parquet stores it as
 *   a plain INT64).
 */
#ifndef TN_TEST_PARQUET_RENDER_H
#define TN_TEST_PARQUET_RENDER_H

#include <math.h>
#include <stdio.h>

#include "arrow/array.h"

static void rj_str(FILE *f, const uint8_t *p, int64_t n)
{
    fputc('"', f);
    for (int64_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void rj_blob(FILE *f, const uint8_t *p, int64_t n)
{
    fputc('"', f);
    for (int64_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch >= 32 && ch <= 126 && ch != '\\' && ch != '"' && ch != '\'')
            fputc(ch, f);
        else
            fprintf(f, "\\\\x%02X", ch);
    }
    fputc('"', f);
}

static void rj_double(FILE *f, double v, bool single)
{
    if (isnan(v))
        fputs("\"nan\"", f);
    else if (isinf(v))
        fputs(v > 0 ? "\"inf\"" : "\"-inf\"", f);
    else
        fprintf(f, single ? "%.9g" : "%.17g", v);
}

static double rj_half(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return h & 0x8000 ? -v : v;
}

static void rj_civil(int64_t days, int *y, int *mo, int *d)
{
    /* days since 1970-01-01 to a proleptic Gregorian date */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*mo <= 2));
}

/* Time of day from a count of units (frac digits: 0, 3, 6, 9). */
static void rj_tod(FILE *f, int64_t t, int digits)
{
    int64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    int64_t secs = t / scale, frac = t % scale;
    fprintf(f, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        char buf[16];
        snprintf(buf, sizeof buf, "%0*lld", digits, (long long)frac);
        int n = digits;
        while (n > 0 && buf[n - 1] == '0')
            n--;
        fprintf(f, ".%.*s", n, buf);
    }
}

static int rj_digits(tn_time_unit u) { return u == TN_SECOND ? 0 : u == TN_MILLI ? 3 : u == TN_MICRO ? 6 : 9; }

static void rj_decimal(FILE *f, const uint8_t *p, int bytes, int scale)
{
    /* little-endian two's complement of `bytes` bytes to decimal text */
    uint8_t mag[32];
    bool neg = p[bytes - 1] & 0x80;
    int carry = 1;
    for (int i = 0; i < bytes; i++) {
        int b = neg ? (uint8_t)~p[i] + carry : p[i];
        carry = neg ? b >> 8 : 0;
        mag[i] = (uint8_t)b;
    }
    char digits[100];
    int nd = 0;
    for (;;) {
        bool zero = true;
        int rem = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            int cur = rem * 256 + mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
            zero = zero && mag[i] == 0;
        }
        digits[nd++] = (char)('0' + rem);
        if (zero)
            break;
    }
    while (nd <= scale)
        digits[nd++] = '0';
    if (neg)
        fputc('-', f);
    for (int i = nd - 1; i >= 0; i--) {
        fputc(digits[i], f);
        if (i == scale && scale > 0)
            fputc('.', f);
    }
}

static void rj_value(FILE *f, const tn_array *a, int64_t i);

static void rj_value(FILE *f, const tn_array *a, int64_t i)
{
    if (!tn_array_is_valid(a, i)) {
        fputs("null", f);
        return;
    }
    const tn_type *t = a->type;
    int64_t j = a->offset + i;
    switch (t->id) {
    case TN_BOOL: fputs(tn_bit_get(a->buffers[1]->data, j) ? "true" : "false", f); break;
    case TN_INT8: fprintf(f, "%d", ((const int8_t *)a->buffers[1]->data)[j]); break;
    case TN_INT16: fprintf(f, "%d", ((const int16_t *)a->buffers[1]->data)[j]); break;
    case TN_INT32: fprintf(f, "%d", ((const int32_t *)a->buffers[1]->data)[j]); break;
    case TN_INT64: fprintf(f, "%lld", (long long)((const int64_t *)a->buffers[1]->data)[j]); break;
    case TN_UINT8: fprintf(f, "%u", ((const uint8_t *)a->buffers[1]->data)[j]); break;
    case TN_UINT16: fprintf(f, "%u", ((const uint16_t *)a->buffers[1]->data)[j]); break;
    case TN_UINT32: fprintf(f, "%u", ((const uint32_t *)a->buffers[1]->data)[j]); break;
    case TN_UINT64: fprintf(f, "%llu", (unsigned long long)((const uint64_t *)a->buffers[1]->data)[j]); break;
    case TN_FLOAT16: rj_double(f, rj_half(((const uint16_t *)a->buffers[1]->data)[j]), false); break;
    case TN_FLOAT32: rj_double(f, ((const float *)a->buffers[1]->data)[j], false); break;
    case TN_FLOAT64: rj_double(f, ((const double *)a->buffers[1]->data)[j], false); break;
    case TN_DECIMAL128:
    case TN_DECIMAL256:
        rj_decimal(f, a->buffers[1]->data + j * t->byte_width, t->byte_width, t->scale);
        break;
    case TN_STRING:
    case TN_LARGE_STRING:
    case TN_STRING_VIEW:
    case TN_BINARY:
    case TN_LARGE_BINARY:
    case TN_BINARY_VIEW:
    case TN_FIXED_BINARY: {
        int64_t n;
        const uint8_t *p = tn_array_bytes(a, i, &n);
        if (t->id == TN_STRING || t->id == TN_LARGE_STRING || t->id == TN_STRING_VIEW)
            rj_str(f, p, n);
        else
            rj_blob(f, p, n);
        break;
    }
    case TN_DATE32:
    case TN_DATE64: {
        int y, mo, d;
        int64_t days = t->id == TN_DATE32 ? ((const int32_t *)a->buffers[1]->data)[j]
                                          : ((const int64_t *)a->buffers[1]->data)[j] / 86400000;
        rj_civil(days, &y, &mo, &d);
        fprintf(f, "\"%04d-%02d-%02d\"", y, mo, d);
        break;
    }
    case TN_TIME32:
    case TN_TIME64: {
        int64_t v = t->id == TN_TIME32 ? ((const int32_t *)a->buffers[1]->data)[j]
                                       : ((const int64_t *)a->buffers[1]->data)[j];
        fputc('"', f);
        rj_tod(f, v, rj_digits(t->unit));
        fputc('"', f);
        break;
    }
    case TN_TIMESTAMP: {
        int64_t v = ((const int64_t *)a->buffers[1]->data)[j];
        int digits = rj_digits(t->unit);
        int64_t per_day = 86400;
        for (int k = 0; k < digits; k++)
            per_day *= 10;
        int64_t days = v / per_day, rem = v % per_day;
        if (rem < 0) {
            rem += per_day;
            days--;
        }
        int y, mo, d;
        rj_civil(days, &y, &mo, &d);
        fprintf(f, "\"%04d-%02d-%02d ", y, mo, d);
        rj_tod(f, rem, digits);
        fputc('"', f);
        break;
    }
    /* a duration is stored as a plain INT64: DuckDB gives the number */
    case TN_DURATION: fprintf(f, "%lld", (long long)((const int64_t *)a->buffers[1]->data)[j]); break;
    case TN_DICTIONARY: rj_value(f, a->dictionary, tn_array_dict_index(a, i)); break;
    case TN_LIST:
    case TN_LARGE_LIST:
    case TN_MAP: {
        int64_t o[2];
        for (int e = 0; e < 2; e++)
            o[e] = t->id == TN_LARGE_LIST ? ((const int64_t *)a->buffers[1]->data)[j + e]
                                          : ((const int32_t *)a->buffers[1]->data)[j + e];
        const tn_array *c = a->children[0];
        fputc(t->id == TN_MAP ? '{' : '[', f);
        for (int64_t k = o[0]; k < o[1]; k++) {
            if (k > o[0])
                fputc(',', f);
            if (t->id != TN_MAP) {
                rj_value(f, c, k);
            } else {
                /* keys as strings, as DuckDB's to_json renders maps */
                const tn_array *key = c->children[0];
                if (key->type->id == TN_STRING || key->type->id == TN_LARGE_STRING) {
                    rj_value(f, key, c->offset + k);
                } else {
                    fputc('"', f);
                    FILE *tmp = f;
                    char buf[256];
                    FILE *m = fmemopen(buf, sizeof buf, "w");
                    rj_value(m, key, c->offset + k);
                    long len = ftell(m);
                    fclose(m);
                    for (long q = 0; q < len && q < (long)sizeof buf; q++)
                        if (buf[q] != '"')
                            fputc(buf[q], tmp);
                    fputc('"', f);
                }
                fputc(':', f);
                rj_value(f, c->children[1], c->offset + k);
            }
        }
        fputc(t->id == TN_MAP ? '}' : ']', f);
        break;
    }
    case TN_STRUCT:
        fputc('{', f);
        for (int32_t k = 0; k < t->n_children; k++) {
            if (k)
                fputc(',', f);
            rj_str(f, (const uint8_t *)t->children[k].name, (int64_t)strlen(t->children[k].name));
            fputc(':', f);
            rj_value(f, a->children[k], j);
        }
        fputc('}', f);
        break;
    case TN_NA: fputs("null", f); break;
    default: fprintf(f, "\"<%s>\"", tn_type_id_name(t->id)); break;
    }
}

/* One JSON object per row of the batch. */
static void rj_batch(FILE *f, const tn_batch *b)
{
    for (int64_t r = 0; r < b->length; r++) {
        fputc('{', f);
        for (int32_t c = 0; c < b->schema->n_fields; c++) {
            if (c)
                fputc(',', f);
            const char *name = b->schema->fields[c].name;
            rj_str(f, (const uint8_t *)name, (int64_t)strlen(name));
            fputc(':', f);
            rj_value(f, b->columns[c], r);
        }
        fputs("}\n", f);
    }
}

#endif
