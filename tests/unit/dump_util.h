/*
 * dump_util.h — test-only rendering of record batches as text, one row per
 * line with fields separated by '|', so reader tests compare whole results
 * with one string. null prints as "null", dates as YYYY-MM-DD, times and
 * timestamps as ISO text with microseconds, lists as [..], structs as {..}.
 */
#ifndef TN_TEST_DUMP_UTIL_H
#define TN_TEST_DUMP_UTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arrow/array.h"
#include "arrow/c_data.h"
#include "core/buf.h"

/* dumping is best effort: a failed append shows as a test mismatch */
#define DUMP_IGN(x) do { if (x) {} } while (0)

static void dump_civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static void dump_value(tn_buf *o, const tn_array *a, int64_t i)
{
    char tmp[128];
    if (!tn_array_is_valid(a, i)) {
        DUMP_IGN(tn_buf_append_str(o, "null", NULL));
        return;
    }
    int64_t j = a->offset + i;
    switch (a->type->id) {
    case TN_BOOL:
        DUMP_IGN(tn_buf_append_str(o, tn_bit_get(a->buffers[1]->data, j) ? "true" : "false", NULL));
        return;
    case TN_INT32:
        snprintf(tmp, sizeof tmp, "%d", TN_VALUES(a, int32_t)[i]);
        break;
    case TN_INT64:
        snprintf(tmp, sizeof tmp, "%" PRId64, TN_VALUES(a, int64_t)[i]);
        break;
    case TN_FLOAT64:
        snprintf(tmp, sizeof tmp, "%.17g", TN_VALUES(a, double)[i]);
        break;
    case TN_DECIMAL128: {
        __int128 v;
        memcpy(&v, a->buffers[1]->data + j * 16, 16);
        snprintf(tmp, sizeof tmp, "%lld/10^%d", (long long)v, a->type->scale);
        break;
    }
    case TN_DATE32: {
        int64_t y;
        unsigned m, d;
        dump_civil(TN_VALUES(a, int32_t)[i], &y, &m, &d);
        snprintf(tmp, sizeof tmp, "%04lld-%02u-%02u", (long long)y, m, d);
        break;
    }
    case TN_TIME64: {
        int64_t us = TN_VALUES(a, int64_t)[i];
        snprintf(tmp, sizeof tmp, "%02lld:%02lld:%02lld.%06lld", (long long)(us / 3600000000LL),
                 (long long)(us / 60000000 % 60), (long long)(us / 1000000 % 60), (long long)(us % 1000000));
        break;
    }
    case TN_TIMESTAMP: {
        int64_t us = TN_VALUES(a, int64_t)[i];
        us = a->type->unit == TN_SECOND ? us * 1000000 : a->type->unit == TN_MILLI ? us * 1000
           : a->type->unit == TN_NANO ? us / 1000 : us;
        int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
        int64_t rest = us - days * 86400000000LL, y;
        unsigned m, d;
        dump_civil(days, &y, &m, &d);
        snprintf(tmp, sizeof tmp, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lld%s", (long long)y, m, d,
                 (long long)(rest / 3600000000LL), (long long)(rest / 60000000 % 60),
                 (long long)(rest / 1000000 % 60), (long long)(rest % 1000000), a->type->tz ? "Z" : "");
        break;
    }
    case TN_STRING: {
        int64_t n;
        const uint8_t *p = tn_array_bytes(a, i, &n);
        DUMP_IGN(tn_buf_append(o, p, (size_t)n, NULL));
        return;
    }
    case TN_LIST: {
        const int32_t *off = TN_OFFSETS32(a);
        DUMP_IGN(tn_buf_append_str(o, "[", NULL));
        for (int32_t k = off[i]; k < off[i + 1]; k++) {
            if (k > off[i])
                DUMP_IGN(tn_buf_append_str(o, ",", NULL));
            dump_value(o, a->children[0], k);
        }
        DUMP_IGN(tn_buf_append_str(o, "]", NULL));
        return;
    }
    case TN_STRUCT:
        DUMP_IGN(tn_buf_append_str(o, "{", NULL));
        for (int32_t k = 0; k < a->n_children; k++) {
            if (k)
                DUMP_IGN(tn_buf_append_str(o, ",", NULL));
            DUMP_IGN(tn_buf_printf(o, NULL, "%s:", a->type->children[k].name));
            dump_value(o, a->children[k], j);
        }
        DUMP_IGN(tn_buf_append_str(o, "}", NULL));
        return;
    default:
        snprintf(tmp, sizeof tmp, "<%s>", tn_type_id_name(a->type->id));
    }
    DUMP_IGN(tn_buf_append_str(o, tmp, NULL));
}

/* Append every remaining batch of r to o; returns the reader's status and
 * the number of batches in *nb. */
static int dump_reader(tn_reader *r, tn_buf *o, int *nb, tarn_error *err)
{
    for (;;) {
        tn_batch *b;
        int rc = tn_reader_next(r, &b, err);
        if (rc != 0)
            return rc;
        if (!b)
            return 0;
        if (nb)
            (*nb)++;
        for (int32_t c = 0; c < b->schema->n_fields; c++) {
            rc = tn_array_validate(b->columns[c], TARN_VALIDATE_FULL, err);
            if (rc != 0) {
                tn_batch_unref(b);
                return rc;
            }
        }
        for (int64_t i = 0; i < b->length; i++) {
            for (int32_t c = 0; c < b->schema->n_fields; c++) {
                if (c)
                    DUMP_IGN(tn_buf_append_str(o, "|", NULL));
                dump_value(o, b->columns[c], i);
            }
            DUMP_IGN(tn_buf_append_str(o, "\n", NULL));
        }
        tn_batch_unref(b);
    }
}

/* The schema of r, a "--" line and every row into out (truncated to cap);
 * frees r. Returns the reader's status. */
static int dump_schema_and_rows(tn_reader *r, char *out, size_t cap, tarn_error *err)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = tn_schema_format(r->schema, &b, err);
    if (!rc)
        rc = tn_buf_append_str(&b, "--\n", err);
    if (!rc)
        rc = dump_reader(r, &b, NULL, err);
    snprintf(out, cap, "%s", b.data ? (char *)b.data : "");
    tn_buf_reset(&b);
    tn_reader_free(r);
    return rc;
}

#endif
