/*
 * sniff.c — the CSV sniffer: dialect, header and column types from a sample.
 *
 * Delimiter: each of , ; TAB | tokenizes the first 200 rows; the winner has
 * the most rows agreeing on one field count above 1 (ties: that order).
 * Types: every non-null value of a column is classified (textparse.h) and
 * the column keeps what all its values can be, picked in the order
 * bool < int64 < decimal < float64 < date < timestamp < timestamptz < time
 * < string. Decimal: every value is a plain decimal literal (no exponent, no
 * inf/nan), at least one has fraction digits and all fit 38 digits; the type
 * is decimal128(38, most fraction digits seen). Option no_decimal_inference
 * keeps float64 there instead (as DuckDB, which infers DOUBLE).
 * Slashed dates with the year last are read as MM/DD/YYYY or DD/MM/YYYY
 * only when the sample rules the other out; otherwise the column is a string.
 * Header: the first row is a header when none of its fields is empty and
 * either some typed column's first field does not fit that type, or every
 * column is a string and the first row holds only non-numeric text.
 */
#include <stdio.h>
#include <string.h>

#include "arrow/utf8.h"
#include "core/alloc.h"
#include "formats/csv/csv_int.h"
#include "formats/csv/textparse.h"

void tn_csv_dialect_reset(tn_csv_dialect *d)
{
    tn_text_free_columns(d->ncols, d->names, d->types);
    tn_free(d->layouts);
    memset(d, 0, sizeof *d);
}

static int score_delim(char delim, const uint8_t *buf, size_t pos, size_t len, bool final, const tn_csv_options *o,
                       int64_t *score, tarn_error *err)
{
    tn_csv_tok t;
    tn_csv_tok_init(&t, delim, o->quote, o->no_quote, o->escape, o->comment);
    size_t end;
    int rc = tn_csv_tokenize(&t, buf, pos, len, final, 200, &end, err);
    *score = 0;
    if (rc == TARN_OK && t.nrows > 0) {
        /* the most common field count and how many rows have it */
        uint32_t best = 0;
        int64_t best_n = 0;
        for (size_t i = 0; i < t.nrows && i < 200; i++) {
            int64_t k = 0;
            for (size_t j = 0; j < t.nrows; j++)
                k += t.rows[j].nfields == t.rows[i].nfields;
            if (k > best_n || (k == best_n && t.rows[i].nfields > best)) {
                best_n = k;
                best = t.rows[i].nfields;
            }
        }
        *score = best > 1 ? best_n * 1000 + best : 0;
    }
    tn_csv_tok_reset(&t);
    return rc;
}

static bool is_null_text(const tn_csv_options *o, const uint8_t *p, size_t n, bool quoted)
{
    if (quoted)
        return false;
    if (!o->null_values || o->n_null_values == 0)
        return n == 0;
    for (int32_t i = 0; i < o->n_null_values; i++)
        if (strlen(o->null_values[i]) == n && memcmp(o->null_values[i], p, n) == 0)
            return true;
    return false;
}

/* The text of a cell with quoting undone and trimming applied, in tmp. */
static size_t cell_text(const tn_csv_tok *t, const tn_csv_options *o, const uint8_t *buf, tn_span sp, uint8_t *tmp,
                        size_t cap, const uint8_t **p)
{
    size_t n = sp.len & TN_SPAN_LEN;
    *p = buf + sp.off;
    if (sp.len & TN_SPAN_ESC) {
        if (n > cap)
            n = cap; /* the sample only classifies; a cut value is still a string */
        n = tn_csv_unescape(t, *p, n, tmp);
        *p = tmp;
    }
    if (o->trim && !(sp.len & TN_SPAN_QUOTED)) {
        while (n && (**p == ' ' || **p == '\t'))
            (*p)++, n--;
        while (n && ((*p)[n - 1] == ' ' || (*p)[n - 1] == '\t'))
            n--;
    }
    return n;
}

/* The widest plain decimal literals of a column's sample (digits). */
typedef struct digits {
    int32_t whole, frac;
} digits;

static void note_digits(digits *d, uint32_t m, const uint8_t *p, size_t n)
{
    int32_t w, f;
    if ((m & TN_CAN_DECIMAL) && tn_text_decimal_shape(p, (int64_t)n, &w, &f)) {
        d->whole = w > d->whole ? w : d->whole;
        d->frac = f > d->frac ? f : d->frac;
    }
}

/* A value in the date or timestamp format given: the custom layout bit. */
static uint32_t classify_formats(const tn_csv_options *o, const uint8_t *p, size_t n)
{
    int64_t us;
    bool zone;
    const uint32_t custom = (uint32_t)TN_DATE_CUSTOM << TN_CAN_DATE_SHIFT;
    if (o->date_format && tn_text_parse_format(o->date_format, p, (int64_t)n, &us, &zone))
        return TN_CAN_DATE | TN_CAN_TS | TN_CAN_TSTZ | custom;
    if (o->timestamp_format && tn_text_parse_format(o->timestamp_format, p, (int64_t)n, &us, &zone))
        return (zone ? TN_CAN_TSTZ : TN_CAN_TS) | custom;
    return 0;
}

/* What a sampled value can be; with a decimal comma its number bits come
 * from the text with ',' and '.' swapped. */
static uint32_t classify_cell(const tn_csv_options *o, const uint8_t *p, size_t n, digits *dg)
{
    uint32_t m = tn_text_classify(p, (int64_t)n) | classify_formats(o, p, n);
    if (!o->decimal_comma) {
        note_digits(dg, m, p, n);
        return m;
    }
    enum { NUMBER = TN_CAN_INT | TN_CAN_FLOAT | TN_CAN_DECIMAL };
    uint8_t swapped[128];
    size_t sn = tn_text_swap_separators(p, n, swapped, sizeof swapped);
    uint32_t ms = sn ? tn_text_classify(swapped, (int64_t)sn) & NUMBER : 0;
    note_digits(dg, ms, swapped, sn);
    return (m & ~(uint32_t)NUMBER) | ms;
}

static tn_type *type_from_mask(uint32_t m, int64_t seen, digits dg, bool decimals, uint32_t *layouts)
{
    *layouts = 0;
    if (seen == 0 || m == 0)
        return tn_type_get(TN_STRING);
    if (m & TN_CAN_BOOL)
        return tn_type_get(TN_BOOL);
    if (m & TN_CAN_INT)
        return tn_type_get(TN_INT64);
    /* precision 38 costs nothing in a decimal128 and leaves every row after
     * the sample 38 - scale integer digits; a later value with more fraction
     * digits than the scale is an error, never rounded (csv.c) */
    if (decimals && (m & TN_CAN_DECIMAL) && dg.frac > 0 && dg.whole + dg.frac <= 38)
        return tn_type_decimal(128, 38, dg.frac);
    if (m & TN_CAN_FLOAT)
        return tn_type_get(TN_FLOAT64);
    uint32_t l = (m >> TN_CAN_DATE_SHIFT) & TN_DATE_ALL;
    uint32_t pick = l & TN_DATE_CUSTOM ? TN_DATE_CUSTOM
                  : l & TN_DATE_ISO ? TN_DATE_ISO
                  : l & TN_DATE_YMD_SLASH ? TN_DATE_YMD_SLASH
                  : l & TN_DATE_DMY_DOT ? TN_DATE_DMY_DOT
                  : (l & (TN_DATE_MDY | TN_DATE_DMY)) == TN_DATE_MDY ? TN_DATE_MDY
                  : (l & (TN_DATE_MDY | TN_DATE_DMY)) == TN_DATE_DMY ? TN_DATE_DMY : 0;
    if (pick && (m & (TN_CAN_DATE | TN_CAN_TS | TN_CAN_TSTZ))) {
        *layouts = pick;
        if (m & TN_CAN_DATE)
            return tn_type_get(TN_DATE32);
        if (m & TN_CAN_TS)
            return tn_type_timestamp(TN_MICRO, NULL);
        return tn_type_timestamp(TN_MICRO, "UTC");
    }
    if (m & TN_CAN_TIME)
        return tn_type_time(TN_TIME64, TN_MICRO);
    return tn_type_get(TN_STRING);
}

static bool name_taken(const tn_csv_dialect *d, int32_t c, const char *name)
{
    for (int32_t j = 0; j < c; j++)
        if (strcmp(d->names[j], name) == 0)
            return true;
    return false;
}

/* Names from the header row: empty ones become columnN, repeats get _N. */
static int make_names(const tn_csv_tok *t, const tn_csv_options *o, const uint8_t *buf, bool header, tn_csv_dialect *d,
                      tarn_error *err)
{
    for (int32_t c = 0; c < d->ncols; c++) {
        tn_span sp;
        char *name = NULL;
        if (header && t->nrows > 0 && tn_csv_cell(t, 0, (uint32_t)c, &sp) && (sp.len & TN_SPAN_LEN) > 0) {
            size_t n = sp.len & TN_SPAN_LEN;
            name = tn_malloc(n + 1);
            TN_TRY_ALLOC(name, err, n + 1);
            n = (sp.len & TN_SPAN_ESC) ? tn_csv_unescape(t, buf + sp.off, n, (uint8_t *)name)
                                       : (memcpy(name, buf + sp.off, n), n);
            name[n] = 0;
            if (!tn_utf8_valid((const uint8_t *)name, (int64_t)n, NULL)) {
                tn_free(name);
                return TN_CORRUPT(err, "header field %d is not valid UTF-8", c + 1);
            }
        } else {
            name = tn_sprintf("column%d", c);
            TN_TRY_ALLOC(name, err, 16);
        }
        for (int k = 1; name_taken(d, c, name); k++) {
            char *cand = tn_sprintf("%s_%d", name, k);
            if (!cand) {
                tn_free(name);
                return tn_error_oom(err, strlen(name) + 12);
            }
            if (!name_taken(d, c, cand)) {
                tn_free(name);
                name = cand;
                break;
            }
            tn_free(cand);
        }
        d->names[c] = name;
    }
    return TARN_OK;
}

int tn_csv_detect(const uint8_t *buf, size_t pos, size_t len, bool final, const tn_csv_options *o, tn_csv_dialect *d,
                  tarn_error *err)
{
    memset(d, 0, sizeof *d);
    char delim = o->delimiter;
    if (!delim) {
        static const char cands[] = {',', ';', '\t', '|'};
        int64_t best = -1;
        for (size_t i = 0; i < sizeof cands; i++) {
            int64_t s;
            if (o->decimal_comma && cands[i] == ',')
                continue; /* 1,5 is a number, not two fields */
            TN_TRY(score_delim(cands[i], buf, pos, len, final, o, &s, err));
            if (s > best) {
                best = s;
                delim = cands[i];
            }
        }
    }
    d->delimiter = delim;
    int64_t sample = o->sample_rows > 0 ? o->sample_rows : 20480;
    tn_csv_tok t;
    tn_csv_tok_init(&t, delim, o->quote, o->no_quote, o->escape, o->comment);
    size_t end;
    int rc = tn_csv_tokenize(&t, buf, pos, len, final, sample + 1, &end, err);
    if (rc != TARN_OK)
        goto done;
    int32_t ncols = o->schema ? o->schema->n_fields : t.nrows ? (int32_t)t.rows[0].nfields : 0;
    uint32_t *mask = tn_calloc((size_t)ncols + 1, sizeof *mask);
    uint32_t *mask0 = tn_calloc((size_t)ncols + 1, sizeof *mask0);
    int64_t *seen = tn_calloc((size_t)ncols + 1, sizeof *seen);
    digits *dg = tn_calloc((size_t)ncols + 1, sizeof *dg), *dg0 = tn_calloc((size_t)ncols + 1, sizeof *dg0);
    bool decimals = !o->no_decimal_inference;
    d->names = tn_calloc((size_t)ncols + 1, sizeof(char *));
    d->types = tn_calloc((size_t)ncols + 1, sizeof(tn_type *));
    d->layouts = tn_calloc((size_t)ncols + 1, sizeof(uint32_t));
    if (!mask || !mask0 || !seen || !dg || !dg0 || !d->names || !d->types || !d->layouts) {
        rc = tn_error_oom(err, (size_t)ncols * 8);
        goto free_masks;
    }
    d->ncols = ncols;
    uint8_t tmp[256];
    bool row0_nonnull = t.nrows > 0;
    bool row0_plain = t.nrows > 0; /* all fields of row 0 are non-numeric text */
    for (int32_t c = 0; c < ncols; c++) {
        mask[c] = TN_CAN_ALL;
        tn_span sp;
        if (t.nrows == 0 || !tn_csv_cell(&t, 0, (uint32_t)c, &sp)) {
            row0_nonnull = false;
            continue;
        }
        const uint8_t *p;
        size_t n = cell_text(&t, o, buf, sp, tmp, sizeof tmp, &p);
        if (is_null_text(o, p, n, sp.len & TN_SPAN_QUOTED) || n == 0)
            row0_nonnull = false;
        mask0[c] = classify_cell(o, p, n, &dg0[c]);
        if (mask0[c])
            row0_plain = false;
        for (size_t r = 1; r < t.nrows; r++) {
            if (!tn_csv_cell(&t, r, (uint32_t)c, &sp))
                continue;
            n = cell_text(&t, o, buf, sp, tmp, sizeof tmp, &p);
            if (is_null_text(o, p, n, sp.len & TN_SPAN_QUOTED))
                continue;
            uint32_t m = classify_cell(o, p, n, &dg[c]);
            mask[c] &= m;
            seen[c]++;
        }
    }
    bool header;
    if (o->header >= 0) {
        header = o->header;
    } else if (o->schema) {
        /* a header unless row 0 fits the given types */
        header = row0_nonnull && row0_plain;
        for (int32_t c = 0; c < ncols && row0_nonnull && !header; c++) {
            tn_type_id id = o->schema->fields[c].type->id;
            if (id != TN_STRING && !(mask0[c] & (TN_CAN_INT | TN_CAN_FLOAT | TN_CAN_BOOL | TN_CAN_TS | TN_CAN_TIME)))
                header = true;
        }
    } else if (t.nrows <= 1) {
        header = row0_nonnull && row0_plain;
    } else {
        bool typed_mismatch = false, any_typed = false;
        for (int32_t c = 0; c < ncols; c++) {
            uint32_t l;
            tn_type *ty = type_from_mask(mask[c], seen[c], dg[c], decimals, &l);
            if (!ty) {
                rc = tn_error_oom(err, 64);
                goto free_masks;
            }
            if (ty->id != TN_STRING) {
                any_typed = true;
                if (!(mask0[c] & mask[c]))
                    typed_mismatch = true;
            }
            tn_type_unref(ty);
        }
        header = row0_nonnull && (typed_mismatch || (!any_typed && row0_plain));
    }
    d->header = header;
    d->sample_rows = (int64_t)t.nrows - (header ? 1 : 0);
    for (int32_t c = 0; c < ncols; c++) {
        if (!header && t.nrows > 0) {
            tn_span sp;
            if (tn_csv_cell(&t, 0, (uint32_t)c, &sp)) {
                const uint8_t *p;
                size_t n = cell_text(&t, o, buf, sp, tmp, sizeof tmp, &p);
                if (!is_null_text(o, p, n, sp.len & TN_SPAN_QUOTED)) {
                    mask[c] &= mask0[c];
                    seen[c]++;
                    dg[c].whole = dg0[c].whole > dg[c].whole ? dg0[c].whole : dg[c].whole;
                    dg[c].frac = dg0[c].frac > dg[c].frac ? dg0[c].frac : dg[c].frac;
                }
            }
        }
        d->types[c] = type_from_mask(mask[c], seen[c], dg[c], decimals, &d->layouts[c]);
        if (!d->types[c]) {
            rc = tn_error_oom(err, 64);
            goto free_masks;
        }
        if (d->types[c]->id == TN_DECIMAL128)
            d->layouts[c] |= TN_CSV_INFERRED_SCALE;
    }
    rc = make_names(&t, o, buf, header, d, err);
free_masks:
    tn_free(mask);
    tn_free(mask0);
    tn_free(seen);
    tn_free(dg);
    tn_free(dg0);
    if (rc != TARN_OK)
        tn_csv_dialect_reset(d);
done:
    tn_csv_tok_reset(&t);
    return rc;
}
